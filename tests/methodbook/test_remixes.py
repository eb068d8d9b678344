"""Remixes: a draft copy that credits the original, keeps its licence, network and files, and is listed under it."""

from __future__ import annotations

import io

import pytest

from methodbook import entries, networks, remixes
from methodbook.attachments import store_upload
from methodbook.content_io import export_directory, import_directory
from methodbook.errors import Forbidden, ValidationError


@pytest.fixture
def author(make_user):
    return make_user(name="Anna Författare")


@pytest.fixture
def reader(make_user):
    return make_user(name="Rut Läsare")


@pytest.fixture
def original(make_entry, author, tmp_path):
    stored = store_upload(io.BytesIO(b"punkt ett\npunkt tva\n"), "lista.txt", tmp_path / "uploads")
    return make_entry(
        "Kritisk vän", user=author, authors="Anna Författare, Bo Medförfattare", licence="CC BY-SA 4.0",
        tags="återkoppling", attachments=[stored],
    )  # fmt: skip


def test_remix_is_a_draft_of_the_reader_that_credits_the_original(db_session, original, reader):
    copy = remixes.remix(db_session, original, reader, "Kritisk vän (egen version)")
    db_session.commit()
    assert (copy.status, copy.created_by_id, copy.derived_from) == ("draft", reader.id, original.slug)
    assert copy.slug != original.slug and copy.title == "Kritisk vän (egen version)"
    assert copy.authors == ["Anna Författare", "Bo Medförfattare", "Rut Läsare"]
    assert copy.licence == "CC BY-SA 4.0" and copy.tags == ["återkoppling"] and copy.body == original.body
    assert [(a.filename, a.sha256) for a in copy.attachments] == [(a.filename, a.sha256) for a in original.attachments]
    assert entries.snapshot(copy)["derived_from"] == original.slug
    assert copy.revisions[0].data["derived_from"] == original.slug
    assert remixes.original_of(db_session, copy, None) == original


def test_adaptations_lists_published_versions_the_reader_may_see(db_session, original, reader, make_user, author):
    copy = remixes.remix(db_session, original, reader, "Min version")
    db_session.commit()
    assert remixes.adaptations(db_session, original, None) == [], "a draft is not listed"
    data = entries.validate_entry_data({**entries.snapshot(copy), "status": "published"}, db_session, copy)
    entries.update_entry(db_session, copy, data, reader)
    db_session.commit()
    assert remixes.adaptations(db_session, original, None) == [copy]
    coordinator = make_user(role="facilitator")
    closed = networks.create_network(
        db_session, {"name": "Slutet", "slug": "slutet", "visibility": "members"}, coordinator
    )
    networks.join(db_session, closed, reader)
    copy.network = closed
    db_session.commit()
    assert remixes.adaptations(db_session, original, None) == []
    assert remixes.adaptations(db_session, original, reader) == [copy]
    entries.trash_entry(copy, reader)
    db_session.commit()
    assert remixes.adaptations(db_session, original, reader) == []


def test_a_members_only_original_gives_a_members_only_copy(db_session, make_entry, make_user, reader):
    coordinator = make_user(role="facilitator")
    closed = networks.create_network(
        db_session, {"name": "Slutet", "slug": "slutet", "visibility": "members"}, coordinator
    )
    method = make_entry("Intern metod", user=coordinator)
    method.network = closed
    db_session.commit()
    assert not remixes.may_remix(reader, method)
    with pytest.raises(Forbidden):
        remixes.remix(db_session, method, reader, "Min version")
    networks.join(db_session, closed, reader)
    db_session.commit()
    copy = remixes.remix(db_session, method, reader, "Min version")
    assert copy.network == closed


def test_only_published_entries_and_signed_in_members_remix(db_session, make_entry, author, reader):
    draft = make_entry("Utkast", user=author, status="draft")
    assert not remixes.may_remix(author, draft) and not remixes.may_remix(reader, draft)
    published = make_entry("Publicerad", user=author)
    assert remixes.may_remix(reader, published) and remixes.may_remix(author, published)
    assert not remixes.may_remix(None, published)


def test_a_renamed_original_keeps_its_versions(db_session, original, reader, author):
    copy = remixes.remix(db_session, original, reader, "Min version")
    db_session.commit()
    data = entries.validate_entry_data(
        {**entries.snapshot(original), "slug": "kritisk-van-metod"}, db_session, original
    )
    entries.update_entry(db_session, original, data, author)
    db_session.commit()
    db_session.expire_all()
    assert copy.derived_from == "kritisk-van-metod"
    assert entries.restore_revision(db_session, copy, 1, reader) is False, "the restored lineage follows the rename"


def test_derived_from_must_name_another_existing_entry(db_session, original):
    raw = {"title": "Egen", "status": "draft", "body": "x"}
    for value, ok in (("kritisk-van", True), ("https://dela.example/methods/kritisk-van/", True),
                      ("finns-inte", False), ("Inte En Adress!", False)):  # fmt: skip
        if ok:
            assert entries.validate_entry_data({**raw, "derived_from": value}, db_session).derived_from == "kritisk-van"
        else:
            with pytest.raises(ValidationError) as caught:
                entries.validate_entry_data({**raw, "derived_from": value}, db_session)
            assert set(caught.value.errors) == {"derived_from"}
    with pytest.raises(ValidationError):
        entries.validate_entry_data({**entries.snapshot(original), "derived_from": original.slug}, db_session, original)


def test_lineage_survives_the_content_round_trip(db_session, original, reader, tmp_path):
    copy = remixes.remix(db_session, original, reader, "Min version")
    db_session.commit()
    folder = tmp_path / "export"
    export_directory(db_session, folder, tmp_path / "uploads")
    text = (folder / f"{copy.slug}.md").read_text(encoding="utf-8")
    assert f"derived_from: {original.slug}\n" in text
    assert "derived_from" not in (folder / f"{original.slug}.md").read_text(encoding="utf-8")
    report = import_directory(db_session, folder, tmp_path / "uploads")
    assert report.failed == [] and report.updated == [] and len(report.unchanged) == 2
