"""Entries: validation, revisions, restore, diff, trash, listing and co-authors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from methodbook import entries
from methodbook.errors import Conflict, ValidationError
from methodbook.models import Revision
from methodbook.render import RENDERER_VERSION

VALID = {"title": "Kritisk vän", "kind": "method", "language": "sv", "status": "published", "body": "Hej"}


def _validate(session=None, **changes):
    return entries.validate_entry_data({**VALID, **changes}, session)


def _errors(session=None, **changes) -> dict:
    with pytest.raises(ValidationError) as caught:
        _validate(session, **changes)
    return {name: [m.render() for m in messages] for name, messages in caught.value.errors.items()}


def _revision_count(session, entry) -> int:
    return session.scalar(select(func.count()).select_from(Revision).where(Revision.entry_id == entry.id))


def _edit(session, entry, **changes):
    """Validate the entry's current data with changes applied, as an edit form does."""
    raw = {**entries.snapshot(entry), **changes}
    return entries.validate_entry_data(raw, session, entry)


def test_validate_collects_every_error_at_once():
    errors = _errors(title="", duration="abc", kind="recipe", roles="astronauts")
    assert set(errors) == {"title", "duration", "kind", "roles"}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": ""}, "title", "Give the entry a title"),
        ({"title": "   "}, "title", "Give the entry a title"),
        ({"title": "x" * 201}, "title", "under 200 characters (now 201)"),
        ({"summary": "x" * 1001}, "summary", "under 1000"),
        ({"duration": "abc"}, "duration", "range such as 30-60"),
        ({"duration": "90-30"}, "duration", "before it starts"),
        ({"group_size": "0"}, "group_size", "from 1 to"),
        ({"body": "x" * 200_001}, "body", "at most 200000 characters (now 200001)"),
        ({"roles": ["librarians", "astronauts"]}, "roles", "Not a known audience: astronauts"),
        ({"kind": "recipe"}, "kind", "Choose one of: method, template"),
        ({"language": "de"}, "language", "Choose one of: sv, da"),
        ({"phase": "sometime"}, "phase", "Choose one of: before"),
        ({"status": "archived"}, "status", "Choose one of: draft, published"),
        ({"slug": "kritisk van"}, "slug", "single hyphens"),
        ({"slug": "kritisk-vän"}, "slug", "single hyphens"),
        ({"slug": "Kritisk Vän"}, "slug", "single hyphens"),
        ({"slug": "kritisk--van"}, "slug", "single hyphens"),
        ({"slug": "a" * 121}, "slug", "single hyphens"),
        ({"title": "🎉", "slug": ""}, "slug", "letters a–z"),
        ({"tags": [f"tagg{n}" for n in range(21)]}, "tags", "at most 20 tags"),
        ({"authors": ["x" * 101]}, "authors", "at most 100 characters"),
    ],
)
def test_validate_refuses(changes, field, words):
    errors = _errors(**changes)
    assert list(errors) == [field]
    assert words in errors[field][0]


def test_body_of_exactly_the_limit_is_accepted():
    assert len(_validate(body="x" * 200_000).body) == 200_000


def test_uppercase_slug_is_lowercased():
    assert _validate(slug="Kritisk-Van").slug == "kritisk-van"


def test_slug_defaults_to_slugified_title():
    assert _validate(title="Æbleskiver på Ærø").slug == "aebleskiver-pa-aero"


def test_empty_choices_get_defaults():
    data = entries.validate_entry_data({"title": "Fika"})
    assert (data.kind, data.language, data.phase, data.status, data.licence) == (
        "method",
        "sv",
        "any",
        "draft",
        "CC BY 4.0",
    )


def test_taken_slug_suggests_a_free_one(db_session, make_entry):
    make_entry(title="Kritisk vän")
    errors = _errors(db_session, title="Kritisk vän")
    assert list(errors) == ["slug"]
    assert "kritisk-van-2" in errors["slug"][0]


def test_own_slug_is_not_taken(db_session, make_entry):
    entry = make_entry(title="Kritisk vän")
    assert _edit(db_session, entry, summary="Ny").slug == "kritisk-van"


def test_tags_are_lowercased_and_deduplicated():
    data = _validate(tags="Fika, fika,  Kollegialt   Lärande , ,kollegialt lärande")
    assert data.tags == ["fika", "kollegialt lärande"]


def test_authors_and_roles_are_deduplicated():
    data = _validate(authors=["Anna  Lind", "Anna Lind", "Bo"], roles="librarians, librarians,teachers")
    assert data.authors == ["Anna Lind", "Bo"]
    assert data.roles == ["librarians", "teachers"]


def test_ranges_are_normalised():
    data = _validate(duration="30 – 60", group_size=12)
    assert (data.duration, data.group_size) == ("30-60", "12")


def test_create_entry_makes_rendered_revision_one(db_session, make_user, make_entry):
    user = make_user()
    entry = make_entry(user=user, body="## Steg\n\n1. Bjud in", duration="30-60", tags="fika")
    (revision,) = entry.revisions
    assert (entry.revision_number, revision.number, revision.author_id) == (1, 1, user.id)
    assert "<h2>Steg</h2>" in revision.body_html and "<li>Bjud in</li>" in revision.body_html
    assert revision.renderer_version == RENDERER_VERSION
    assert (entry.duration_min, entry.duration_max, entry.tags) == (30, 60, ["fika"])
    assert revision.data == entries.snapshot(entry)
    assert entry.published_at is not None


def test_draft_has_no_published_at(make_entry):
    assert make_entry(status="draft").published_at is None


def test_update_with_same_data_makes_no_revision(db_session, make_entry):
    entry = make_entry()
    assert entries.update_entry(db_session, entry, _edit(db_session, entry), None) is False
    assert entry.revision_number == 1
    assert _revision_count(db_session, entry) == 1


def test_update_with_changed_data_makes_revision_two(db_session, make_user, make_entry):
    user = make_user()
    entry = make_entry()
    changed = entries.update_entry(
        db_session, entry, _edit(db_session, entry, title="Kritisk vän 2.0"), user, message="Ny titel"
    )
    assert changed is True
    assert (entry.revision_number, entry.title) == (2, "Kritisk vän 2.0")
    revision = entries.get_revision(db_session, entry, 2)
    assert (revision.author_id, revision.message, revision.data["title"]) == (user.id, "Ny titel", "Kritisk vän 2.0")
    assert _revision_count(db_session, entry) == 2


def test_update_from_stale_revision_conflicts_and_changes_nothing(db_session, make_entry):
    entry = make_entry()
    entries.update_entry(db_session, entry, _edit(db_session, entry, summary="Andra"), None)
    with pytest.raises(Conflict) as caught:
        entries.update_entry(db_session, entry, _edit(db_session, entry, summary="Tredje"), None, base_revision=1)
    assert caught.value.base_revision == 1
    db_session.expire_all()
    assert (entry.revision_number, entry.summary) == (2, "Andra")
    assert _revision_count(db_session, entry) == 2


def test_restore_revision_adds_revision_equal_to_old(db_session, make_entry):
    entry = make_entry(tags="fika")
    entries.update_entry(db_session, entry, _edit(db_session, entry, title="Ny", tags="samtal", slug="ny"), None)
    assert entries.restore_revision(db_session, entry, 1, None) is True
    assert (entry.revision_number, entry.title, entry.slug, entry.tags) == (3, "Kritisk vän", "kritisk-van", ["fika"])
    third, first = entries.get_revision(db_session, entry, 3), entries.get_revision(db_session, entry, 1)
    assert third.data == first.data
    assert third.message == "Restored revision 1"


def test_restore_to_slug_now_taken_is_refused(db_session, make_entry):
    entry = make_entry(title="Kritisk vän")
    entries.update_entry(db_session, entry, _edit(db_session, entry, slug="kritisk-van-ny"), None)
    make_entry(title="Kritisk vän")  # takes the freed slug "kritisk-van"
    with pytest.raises(ValidationError) as caught:
        entries.restore_revision(db_session, entry, 1, None)
    assert list(caught.value.errors) == ["slug"]
    assert (entry.revision_number, entry.slug) == (2, "kritisk-van-ny")


def test_diff_snapshots_lists_changed_fields_and_body_lines(db_session, make_entry):
    entry = make_entry(body="Rad ett\nRad två\nRad tre\n")
    old = entries.snapshot(entry)
    entries.update_entry(
        db_session, entry, _edit(db_session, entry, title="Ny titel", body="Rad ett\nRad 2\nRad tre\n"), None
    )
    changes = entries.diff_snapshots(old, entries.snapshot(entry))
    assert [c.name for c in changes] == ["title", "body"]
    title, body = changes
    assert (title.old, title.new, title.lines) == ("Kritisk vän", "Ny titel", [])
    assert ("-", "Rad två") in body.lines and ("+", "Rad 2") in body.lines
    assert (" ", "Rad ett") in body.lines


def test_revision_html_rerenders_when_renderer_is_stale(db_session, make_entry):
    entry = make_entry(body="**fet**")
    (revision,) = entry.revisions
    revision.body_html, revision.renderer_version = "<p>gammal</p>", 0
    assert entries.revision_html(revision) == "<p><strong>fet</strong></p>"
    assert revision.renderer_version == RENDERER_VERSION


def test_revision_html_uses_cache_when_current(make_entry):
    (revision,) = make_entry(body="**fet**").revisions
    revision.body_html = "<p>cachad</p>"
    assert entries.revision_html(revision) == "<p>cachad</p>"


def test_trash_and_untrash(db_session, make_user, make_entry):
    admin = make_user(role="admin")
    entry = make_entry()
    entries.trash_entry(entry, admin)
    db_session.flush()
    assert entry.deleted_at is not None and entry.deleted_by_id == admin.id
    assert db_session.scalars(entries.visible_entries(None)).all() == []
    entries.untrash_entry(entry)
    db_session.flush()
    assert (entry.deleted_at, entry.deleted_by_id) == (None, None)
    assert db_session.scalars(entries.visible_entries(None)).all() == [entry]


@pytest.fixture
def listing(db_session, make_user, make_entry):
    """Users and entries for the listing tests: one published, two drafts, one trashed."""
    roles = {"author": "member", "co": "member", "other": "member", "admin": "admin"}
    users = {key: make_user(role=role) for key, role in roles.items()}
    found = {
        "published": make_entry(title="Publicerad", user=users["author"]),
        "draft": make_entry(title="Utkast", user=users["author"], status="draft"),
        "shared": make_entry(title="Delat utkast", user=users["other"], status="draft"),
        "trashed": make_entry(title="Slängd", user=users["author"], status="draft"),
    }
    entries.set_editors(db_session, found["shared"], [users["co"].email])
    entries.trash_entry(found["trashed"], users["author"])
    db_session.flush()
    return users, found


@pytest.mark.parametrize(
    ("viewer", "drafts", "expected"),
    [
        (None, False, {"published"}),
        ("author", False, {"published"}),
        (None, True, set()),
        ("author", True, {"draft"}),
        ("co", True, {"shared"}),
        ("other", True, {"shared"}),
        ("admin", True, {"draft", "shared"}),
    ],
)
def test_visible_entries(db_session, listing, viewer, drafts, expected):
    users, found = listing
    rows = db_session.scalars(entries.visible_entries(users.get(viewer), drafts=drafts)).all()
    assert {e.slug for e in rows} == {found[key].slug for key in expected}


def test_member_without_drafts_sees_none(db_session, listing, make_user):
    stranger = make_user()
    assert db_session.scalars(entries.visible_entries(stranger, drafts=True)).all() == []


def test_filter_entries(db_session, make_entry):
    make_entry(title="Fika", tags="fika, samtal")
    make_entry(title="Walkshop", language="da", tags="Samtal")
    make_entry(title="Mall", kind="template", language="en")
    query = entries.visible_entries(None)

    def titles(**kwargs):
        return sorted(e.title for e in db_session.scalars(entries.filter_entries(query, **kwargs)))

    assert titles() == ["Fika", "Mall", "Walkshop"]
    assert titles(kind="template") == ["Mall"]
    assert titles(language="da") == ["Walkshop"]
    assert titles(tag="SAMTAL") == ["Fika", "Walkshop"]
    assert titles(tag="samtal", language="sv") == ["Fika"]
    assert titles(tag="okänd") == []


def test_paginate(db_session, make_entry):
    for n in range(5):
        make_entry(title=f"Metod {n}")
    query = entries.visible_entries(None).order_by(entries.Entry.title)
    rows, total = entries.paginate(db_session, query, page=2, per_page=2)
    assert total == 5
    assert [e.title for e in rows] == ["Metod 2", "Metod 3"]
    rows, total = entries.paginate(db_session, query, page=3, per_page=2)
    assert (total, [e.title for e in rows]) == (5, ["Metod 4"])
    rows, _total = entries.paginate(db_session, query, page=0, per_page=2)
    assert [e.title for e in rows] == ["Metod 0", "Metod 1"]


def test_set_editors_by_email(db_session, make_user, make_entry):
    author, co = make_user(), make_user(email="Co@Example.org")
    entry = make_entry(user=author)
    entries.set_editors(db_session, entry, [" co@example.org ", author.email, "CO@example.org"])
    assert entry.editors == [co]


def test_set_editors_with_unknown_email_is_refused(db_session, make_user, make_entry):
    co = make_user()
    entry = make_entry()
    with pytest.raises(ValidationError) as caught:
        entries.set_editors(db_session, entry, [co.email, "Okand@example.org"])
    assert "okand@example.org" in caught.value.errors["editors"][0].render()
    assert entry.editors == []


def test_tag_counts_only_published(db_session, make_entry):
    make_entry(title="A", tags="fika, samtal")
    make_entry(title="B", tags="fika")
    make_entry(title="C", tags="fika, hemligt", status="draft")
    assert entries.tag_counts(db_session) == [("fika", 2), ("samtal", 1)]
