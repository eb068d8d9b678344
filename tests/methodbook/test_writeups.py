"""Write-ups: the methods they name, renames and restores, their meeting, and how often a method was used."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from methodbook import entries, meetings, writeups
from methodbook.errors import ValidationError
from methodbook.models import MethodUse
from tests.methodbook.conftest import MEETING as RAW_MEETING


def _raw(title: str, **fields) -> dict:
    raw = {"title": title, "kind": "write-up", "language": "sv", "status": "published", "body": "Vi träffades."}
    raw.update(fields)
    return raw


def _uses(session, entry) -> list[str]:
    query = select(MethodUse.method_slug).where(MethodUse.writeup_id == entry.id).order_by(MethodUse.position)
    return list(session.scalars(query))


def _errors(session, raw: dict, entry=None) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        entries.validate_entry_data(raw, session, entry)
    return {name: " ".join(m.render() for m in msgs) for name, msgs in caught.value.errors.items()}


def _edit(session, entry, user, **changes) -> bool:
    data = entries.validate_entry_data({**entries.snapshot(entry), **changes}, session, entry)
    changed = entries.update_entry(session, entry, data, user)
    session.commit()
    return changed


@pytest.fixture
def methods(make_entry):
    """Three method-book entries: walkshop, fishbowl and a template."""
    return (
        make_entry("Walkshop", slug="walkshop"),
        make_entry("Fishbowl", slug="fishbowl"),
        make_entry("Mall för inbjudan", slug="mall-inbjudan", kind="template"),
    )


def _linked(session, make_entry, meeting, user, title: str, **fields):
    entry = make_entry(title, user=user, **{"kind": "write-up", **fields})
    writeups.set_meeting(session, entry, meeting.id, user)
    session.commit()
    return entry


# --- Naming the methods used --------------------------------------------------------------------------


def test_methods_used_are_read_from_slugs_and_pasted_addresses(db_session, methods):
    raw = _raw("Temadagen", methods_used="https://dela.example.org/methods/walkshop/, Fishbowl walkshop mall-inbjudan")
    data = entries.validate_entry_data(raw, db_session)
    assert data.methods_used == ["walkshop", "fishbowl", "mall-inbjudan"]
    listed = entries.validate_entry_data(_raw("Temadagen", methods_used=["/methods/fishbowl", "fishbowl"]), db_session)
    assert listed.methods_used == ["fishbowl"]
    entry = entries.create_entry(db_session, data, None)
    db_session.commit()
    assert entry.methods_used == ["walkshop", "fishbowl", "mall-inbjudan"]
    assert _uses(db_session, entry) == ["walkshop", "fishbowl", "mall-inbjudan"]
    assert entry.current_revision.data["methods_used"] == ["walkshop", "fishbowl", "mall-inbjudan"]


def test_methods_used_are_refused_when_unknown_or_not_a_method(db_session, make_entry, methods):
    assert set(_errors(db_session, _raw("Metod", kind="method", methods_used="walkshop"))) == {"methods_used"}
    unknown = _errors(db_session, _raw("Temadagen", methods_used="walkshop, finns-inte, inte-heller"))
    assert set(unknown) == {"methods_used"}
    assert "finns-inte, inte-heller" in unknown["methods_used"]
    assert "walkshop" not in unknown["methods_used"]
    assert "Not an entry address" in _errors(db_session, _raw("Temadagen", methods_used="Inte_OK!"))["methods_used"]

    other = make_entry("Förra temadagen", kind="write-up", methods_used="walkshop")
    assert "forra-temadagen" in _errors(db_session, _raw("Temadagen", methods_used="forra-temadagen"))["methods_used"]
    another = _errors(db_session, {**entries.snapshot(other), "methods_used": "walkshop, forra-temadagen"}, other)
    assert "forra-temadagen" in another["methods_used"] and "walkshop" not in another["methods_used"]
    # A method turned into a write-up cannot name itself, though its address is a method's in the database.
    turned = {**entries.snapshot(methods[0]), "kind": "write-up", "methods_used": "walkshop, fishbowl"}
    itself = _errors(db_session, turned, methods[0])
    assert "walkshop" in itself["methods_used"] and "fishbowl" not in itself["methods_used"]

    entries.trash_entry(methods[1], None)
    db_session.flush()
    assert "fishbowl" in _errors(db_session, _raw("Temadagen", methods_used="fishbowl"))["methods_used"]


def test_renaming_a_method_moves_the_write_ups_that_name_it(db_session, make_entry, methods, member):
    walkshop = methods[0]
    first = make_entry("Temadagen", kind="write-up", methods_used="walkshop, fishbowl")
    second = make_entry("Vårträffen", kind="write-up", methods_used="walkshop")
    assert _edit(db_session, walkshop, member, slug="gangmote")
    db_session.expire_all()
    assert _uses(db_session, first) == ["gangmote", "fishbowl"]
    assert _uses(db_session, second) == ["gangmote"]
    assert first.methods_used == ["gangmote", "fishbowl"]
    assert _uses(db_session, methods[1]) == []
    assert writeups.usage(db_session, walkshop, None).meetings == 2


def test_restoring_a_write_up_revision_restores_its_methods(db_session, make_entry, methods, member):
    writeup = make_entry("Temadagen", kind="write-up", methods_used="walkshop", user=member)
    assert _edit(db_session, writeup, member, methods_used="fishbowl, mall-inbjudan")
    assert _uses(db_session, writeup) == ["fishbowl", "mall-inbjudan"]
    assert entries.restore_revision(db_session, writeup, 1, member)
    db_session.commit()
    db_session.expire_all()
    assert writeup.revision_number == 3
    assert writeup.methods_used == ["walkshop"]
    assert _uses(db_session, writeup) == ["walkshop"]
    assert entries.restore_revision(db_session, writeup, 2, member)
    db_session.commit()
    assert _uses(db_session, writeup) == ["fishbowl", "mall-inbjudan"]


def test_restoring_a_revision_from_before_a_rename_follows_the_method(db_session, make_entry, methods, member):
    writeup = make_entry("Temadagen", kind="write-up", methods_used="walkshop", user=member)
    assert _edit(db_session, writeup, member, methods_used="fishbowl")
    assert _edit(db_session, methods[0], member, slug="gangmote")
    assert entries.restore_revision(db_session, writeup, 1, member)
    db_session.commit()
    db_session.expire_all()
    assert writeup.methods_used == ["gangmote"]
    assert writeups.usage(db_session, methods[0], None).meetings == 1


# --- The meeting of a write-up ---------------------------------------------------------------------------


def test_set_meeting_is_for_coordinators_and_moves_the_write_up_into_the_network(
    db_session, make_entry, closed, coordinator, member, make_user
):
    meeting = meetings.create_meeting(db_session, closed, RAW_MEETING, coordinator)
    by_member = make_entry("Min anteckning", user=member, kind="write-up")
    with pytest.raises(ValidationError) as caught:
        writeups.set_meeting(db_session, by_member, meeting.id, member)
    assert set(caught.value.errors) == {"meeting"}
    assert (by_member.meeting_id, by_member.network_id) == (None, None)
    with pytest.raises(ValidationError):
        writeups.set_meeting(db_session, by_member, meeting.id + 1000, make_user(role="admin"))

    method = make_entry("Walkshop", user=coordinator)
    with pytest.raises(ValidationError) as caught:
        writeups.set_meeting(db_session, method, meeting.id, coordinator)
    assert set(caught.value.errors) == {"meeting"}
    assert method.meeting is None

    writeup = make_entry("Temadagen", user=coordinator, kind="write-up")
    writeups.set_meeting(db_session, writeup, meeting.id, coordinator)
    db_session.commit()
    db_session.expire_all()
    assert (writeup.meeting_id, writeup.network_id) == (meeting.id, closed.id)
    assert writeups.writeups_of_meeting(db_session, meeting, None) == []  # members-only now
    assert writeups.writeups_of_meeting(db_session, meeting, member) == [writeup]
    writeups.set_meeting(db_session, writeup, None, coordinator)
    assert writeup.meeting is None


def test_agenda_methods_are_in_agenda_order_and_once_each(db_session, make_entry, meeting, coordinator, methods):
    walkshop, fishbowl, template = methods
    earlier = make_entry("Förra temadagen", kind="write-up")
    for entry in (fishbowl, None, walkshop, earlier, fishbowl, template):
        meetings.add_block(db_session, meeting, {"title": "Fika", "minutes": "15"}, entry, coordinator)
    assert writeups.agenda_methods(meeting) == ["fishbowl", "walkshop", "mall-inbjudan"]
    walkshop_block = meeting.agenda[2]
    meetings.move_block(walkshop_block, -1, coordinator)
    meetings.move_block(walkshop_block, -1, coordinator)
    assert writeups.agenda_methods(meeting) == ["walkshop", "fishbowl", "mall-inbjudan"]
    db_session.flush()
    db_session.expire_all()
    assert [b.entry.slug if b.entry else "-" for b in meeting.agenda][:3] == ["walkshop", "fishbowl", "-"]
    assert writeups.agenda_methods(meeting) == ["walkshop", "fishbowl", "mall-inbjudan"]


# --- How often a method was used --------------------------------------------------------------------------


def test_usage_counts_meetings_not_write_ups(db_session, make_entry, network, meeting, coordinator, methods):
    walkshop, fishbowl, template = methods
    assert writeups.usage(db_session, walkshop, None).meetings == 0
    first = _linked(db_session, make_entry, meeting, coordinator, "Temadagen", methods_used="walkshop, fishbowl")
    second = _linked(db_session, make_entry, meeting, coordinator, "Temadagen igen", methods_used="walkshop")
    other = meetings.create_meeting(db_session, network, {**RAW_MEETING, "title": "Höstträff"}, coordinator)
    third = _linked(db_session, make_entry, other, coordinator, "Höstträffen", methods_used="walkshop")
    alone = make_entry("Utan möte", kind="write-up", methods_used="walkshop, mall-inbjudan")
    also_alone = make_entry("Också utan möte", kind="write-up", methods_used="walkshop")

    used = writeups.usage(db_session, walkshop, None)
    assert used.meetings == 4  # two meetings in Dela, and two write-ups that tell of a meeting each
    assert {w.id for w in used.writeups} == {first.id, second.id, third.id, alone.id, also_alone.id}
    assert writeups.usage(db_session, fishbowl, None).meetings == 1
    assert writeups.usage(db_session, template, None).meetings == 1
    counts = writeups.usage_counts(db_session, ["walkshop", "fishbowl", "mall-inbjudan", "finns-inte"], None)
    assert counts == {"walkshop": 4, "fishbowl": 1, "mall-inbjudan": 1}
    assert writeups.usage_counts(db_session, [], None) == {}


def test_usage_leaves_out_drafts_trash_and_write_ups_the_viewer_cannot_read(
    db_session, make_entry, closed, coordinator, member, make_user, methods
):
    walkshop = methods[0]
    outsider = make_user(name="Olle Utanför")
    make_entry("Utkast", kind="write-up", status="draft", methods_used="walkshop")
    trashed = make_entry("Kastad", kind="write-up", methods_used="walkshop")
    entries.trash_entry(trashed, None)
    db_session.commit()
    assert writeups.usage(db_session, walkshop, member).meetings == 0
    assert writeups.usage_counts(db_session, ["walkshop"], member) == {}

    secret = meetings.create_meeting(db_session, closed, RAW_MEETING, coordinator)
    hidden = _linked(db_session, make_entry, secret, coordinator, "Internt", methods_used="walkshop")
    public = make_entry("Öppet", kind="write-up", methods_used="walkshop")
    for viewer, expected in ((None, [public]), (outsider, [public]), (member, [hidden, public])):
        used = writeups.usage(db_session, walkshop, viewer)
        assert (used.meetings, {w.id for w in used.writeups}) == (len(expected), {w.id for w in expected})
        assert writeups.usage_counts(db_session, ["walkshop"], viewer) == {"walkshop": len(expected)}
    assert writeups.usage(db_session, walkshop, make_user(role="admin")).meetings == 2
