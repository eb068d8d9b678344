"""Meetings: local times across daylight saving, validation, registration with a waitlist, the agenda."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from methodbook import meetings, networks
from methodbook.errors import Forbidden, ValidationError
from methodbook.models import AgendaBlock, Meeting, Notification, Registration

# Registration for the default meeting is open from 1 April to 19 May 2027; it starts on 20 May.
NOW = datetime(2027, 5, 1, 10, 0, tzinfo=UTC)
RAW = {
    "title": "Temadag: läsfrämjande",
    "theme": "Läsfrämjande för unga",
    "format": "network-meeting",
    "description": "Vi ses på **Stadsbiblioteket**.",
    "starts_at": "2027-05-20T09:00",
    "ends_at": "2027-05-20T16:00",
    "registration_opens_at": "2027-04-01T08:00",
    "registration_closes_at": "2027-05-19T12:00",
    "place": "Stadsbiblioteket, Göteborg",
    "video_url": "https://meet.example.org/temadag",
    "capacity": "2",
}
HEADERS = {k: k.upper() for k in ("name", "email", "organisation", "status", "place", "note", "listed", "attended",
                                   "registered_at")}  # fmt: skip
LABELS = {"registered": "Registered", "waitlisted": "Waitlisted", "cancelled": "Cancelled", "yes": "Yes", "no": "No"}


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _kinds(session, user) -> list[str]:
    query = select(Notification.kind).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(session.scalars(query))


@pytest.fixture
def coordinator(make_user):
    return make_user(role="facilitator", name="Cecilia Samordnare")


@pytest.fixture
def network(db_session, coordinator):
    return networks.create_network(db_session, {"name": "Bibliotek Väst", "slug": "bibliotek-vast"}, coordinator)


@pytest.fixture
def closed(db_session, coordinator):
    raw = {"name": "Kulturchefer Syd", "slug": "kulturchefer-syd", "visibility": "members"}
    return networks.create_network(db_session, raw, coordinator)


@pytest.fixture
def people(make_user):
    """Five members in alphabetical order of name."""
    return [make_user(name=name) for name in ("Anna", "Bo", "Cilla", "Dan", "Eva")]


def _meeting(session, network, user, **changes) -> Meeting:
    return meetings.create_meeting(session, network, {**RAW, **changes}, user)


@pytest.fixture
def meeting(db_session, network, coordinator):
    meeting = _meeting(db_session, network, coordinator)
    db_session.execute(delete(Notification))
    return meeting


def _register(session, meeting, users, now=NOW) -> list[Registration]:
    return [meetings.register(session, meeting, user, "", False, now) for user in users]


def _names(rows) -> list[str]:
    return [r.user.display_name for r in rows]


# --- Time across daylight saving ---------------------------------------------------------------


def test_to_utc_uses_winter_and_summer_offsets(network):
    assert meetings.to_utc("2027-01-15T10:00", network) == _utc(2027, 1, 15, 9, 0)
    assert meetings.to_utc("2027-07-15T10:00", network) == _utc(2027, 7, 15, 8, 0)
    assert meetings.to_utc("  ", network) is None
    assert meetings.to_utc(None, network) is None


def test_to_utc_refuses_the_hour_skipped_in_spring(network):
    with pytest.raises(ValueError, match="nonexistent"):
        meetings.to_utc("2027-03-28T02:30", network)
    assert meetings.to_utc("2027-03-28T01:59", network) == _utc(2027, 3, 28, 0, 59)
    assert meetings.to_utc("2027-03-28T03:00", network) == _utc(2027, 3, 28, 1, 0)


def test_to_utc_takes_the_first_of_the_repeated_hour_in_autumn(network):
    assert meetings.to_utc("2027-10-31T02:30", network) == _utc(2027, 10, 31, 0, 30)
    assert meetings.to_utc("2027-10-31T03:30", network) == _utc(2027, 10, 31, 2, 30)


@pytest.mark.parametrize("text", ["i morgon", "2027-13-01T10:00", "2027-05-20", "20/05/2027 10:00"])
def test_to_utc_refuses_text_that_is_not_a_time(network, text):
    with pytest.raises(ValueError):
        meetings.to_utc(text, network)


def test_to_local_shows_both_occurrences_of_the_repeated_hour(network):
    first = meetings.to_local(_utc(2027, 10, 31, 0, 30), network)
    second = meetings.to_local(_utc(2027, 10, 31, 1, 30), network)
    assert first.replace(tzinfo=None) == second.replace(tzinfo=None) == datetime(2027, 10, 31, 2, 30)
    assert (first.utcoffset(), second.utcoffset()) == (timedelta(hours=2), timedelta(hours=1))
    assert meetings.to_local(_utc(2027, 3, 28, 1, 0), network).replace(tzinfo=None) == datetime(2027, 3, 28, 3, 0)
    assert meetings.to_local(None, network) is None
    assert meetings.local_text(_utc(2027, 7, 15, 8, 0), network) == "2027-07-15T10:00"


def test_times_follow_the_networks_own_time_zone(db_session, coordinator):
    helsinki = networks.create_network(db_session, {"name": "Kirjastot", "timezone": "Europe/Helsinki"}, coordinator)
    assert meetings.to_utc("2027-07-15T10:00", helsinki) == _utc(2027, 7, 15, 7, 0)
    with pytest.raises(ValueError):
        meetings.to_utc("2027-03-28T03:30", helsinki)  # Helsinki skips 03:00–04:00


# --- Creating and validating -------------------------------------------------------------------


def test_create_meeting_stores_times_in_utc(db_session, network, coordinator):
    meeting = _meeting(db_session, network, coordinator)
    db_session.expire_all()
    stored = db_session.get(Meeting, meeting.id)
    assert (stored.starts_at, stored.ends_at) == (_utc(2027, 5, 20, 7, 0), _utc(2027, 5, 20, 14, 0))
    assert stored.registration_opens_at == _utc(2027, 4, 1, 6, 0)
    assert stored.registration_closes_at == _utc(2027, 5, 19, 10, 0)
    assert (stored.capacity, stored.sequence, stored.created_by_id) == (2, 0, coordinator.id)
    assert stored.title == "Temadag: läsfrämjande"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"ends_at": "2027-05-20T08:00"}, "ends_at"),
        ({"ends_at": "2027-05-20T09:00"}, "ends_at"),
        ({"ends_at": ""}, "ends_at"),
        ({"starts_at": "2027-03-28T02:30", "ends_at": "2027-03-28T05:00", "registration_closes_at": ""}, "starts_at"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "-1"}, "capacity"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": "abc"}, "capacity"),
        ({"capacity": "2.5"}, "capacity"),
        ({"capacity": str(meetings.CAPACITY_MAX + 1)}, "capacity"),
        ({"registration_closes_at": "2027-05-20T17:00"}, "registration_closes_at"),
        ({"registration_opens_at": "2027-05-20T10:00", "registration_closes_at": ""}, "registration_opens_at"),
        ({"registration_opens_at": "2027-05-20T09:00", "registration_closes_at": ""}, "registration_opens_at"),
        ({"registration_opens_at": "2027-05-19T13:00"}, "registration_closes_at"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
        ({"video_url": "meet.example.org/temadag"}, "video_url"),
        ({"video_url": "ftp://example.org/x"}, "video_url"),
        ({"video_url": "https://[oops/"}, "video_url"),
        ({"format": "party"}, "format"),
    ],
    ids=[
        "no-title",
        "end-before-start",
        "end-at-start",
        "no-end",
        "start-in-skipped-hour",
        "capacity-0-text",
        "capacity-0-number",
        "capacity-minus-1-text",
        "capacity-minus-1-number",
        "capacity-abc",
        "capacity-2.5",
        "capacity-too-large",
        "closes-after-end",
        "opens-after-start",
        "opens-at-start",
        "closes-before-opens",
        "video-javascript",
        "video-no-scheme",
        "video-ftp",
        "video-broken-ipv6",
        "unknown-format",
    ],
)
def test_bad_meeting_is_refused_and_nothing_stored(db_session, network, coordinator, people, changes, field):
    networks.join(db_session, network, people[0])
    with pytest.raises(ValidationError) as caught:
        _meeting(db_session, network, coordinator, **changes)
    assert set(caught.value.errors) == {field}
    assert _count(db_session, Meeting) == 0
    assert _count(db_session, Notification) == 0


def test_capacity_may_be_left_empty_for_no_limit(network):
    assert meetings.validate_meeting({**RAW, "capacity": ""}, network)["capacity"] is None
    assert meetings.validate_meeting({**RAW, "capacity": " 12 "}, network)["capacity"] == 12


def test_only_coordinators_create_meetings(db_session, network, people):
    networks.join(db_session, network, people[0])
    with pytest.raises(Forbidden):
        _meeting(db_session, network, people[0])
    assert _count(db_session, Meeting) == 0


# --- Status ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "registered", "expected"),
    [
        (_utc(2027, 3, 1, 12, 0), 0, "save-the-date"),
        (_utc(2027, 4, 1, 6, 0), 0, "open"),
        (NOW, 1, "open"),
        (NOW, 2, "full"),
        (_utc(2027, 5, 19, 10, 0), 0, "closed"),
        (_utc(2027, 5, 20, 7, 0), 0, "closed"),
    ],
)
def test_status(meeting, now, registered, expected):
    assert meetings.status(meeting, now, registered) == expected


def test_status_without_limits_and_when_cancelled(db_session, meeting, coordinator):
    meeting.capacity, meeting.registration_opens_at, meeting.registration_closes_at = None, None, None
    assert meetings.status(meeting, _utc(2027, 1, 1, 0, 0), 500) == "open"
    assert meetings.status(meeting, _utc(2027, 5, 20, 7, 0), 0) == "closed"
    meetings.cancel_meeting(db_session, meeting, coordinator)
    assert meetings.status(meeting, NOW, 0) == "cancelled"


# --- Registration and the waitlist -------------------------------------------------------------


def test_register_until_full_then_waitlist_in_order(db_session, meeting, people):
    rows = _register(db_session, meeting, people)
    assert [r.status for r in rows] == ["registered", "registered", "waitlisted", "waitlisted", "waitlisted"]
    assert meetings.count_registered(db_session, meeting) == 2
    assert _names(meetings.registered(db_session, meeting)) == ["Anna", "Bo"]
    assert _names(meetings.waitlist(db_session, meeting)) == ["Cilla", "Dan", "Eva"]
    assert meetings.status(meeting, NOW, meetings.count_registered(db_session, meeting)) == "full"


def test_register_keeps_the_note_and_consent(db_session, meeting, people):
    row = meetings.register(db_session, meeting, people[0], "  Vegetarisk\r\nkost ", True, NOW)
    assert (row.note, row.on_participant_list, row.attended) == ("Vegetarisk\nkost", True, None)
    with pytest.raises(ValidationError) as caught:
        meetings.register(db_session, meeting, people[1], "x" * (meetings.NOTE_MAX + 1), False, NOW)
    assert set(caught.value.errors) == {"note"}
    assert meetings.registration_of(db_session, meeting, people[1]) is None


def test_registering_twice_is_refused(db_session, meeting, people):
    _register(db_session, meeting, people[:3])
    for user in (people[0], people[2]):  # registered, and on the waitlist
        with pytest.raises(ValidationError) as caught:
            meetings.register(db_session, meeting, user, "", False, NOW)
        assert set(caught.value.errors) == {"meeting"}
    assert _count(db_session, Registration) == 3
    assert _names(meetings.waitlist(db_session, meeting)) == ["Cilla"]


def test_registering_for_a_cancelled_meeting_is_refused(db_session, meeting, coordinator, people):
    meetings.cancel_meeting(db_session, meeting, coordinator)
    with pytest.raises(ValidationError) as caught:
        meetings.register(db_session, meeting, people[0], "", False, NOW)
    assert "cancelled" in caught.value.errors["meeting"][0].msgid
    assert _count(db_session, Registration) == 0


@pytest.mark.parametrize(
    "now",
    [_utc(2027, 5, 21, 9, 0), _utc(2027, 5, 20, 7, 0), _utc(2027, 5, 19, 10, 0), _utc(2027, 3, 31, 12, 0)],
    ids=["after", "at-start", "after-closing", "before-opening"],
)
def test_registering_outside_the_registration_window_is_refused(db_session, meeting, people, now):
    with pytest.raises(ValidationError) as caught:
        meetings.register(db_session, meeting, people[0], "", False, now)
    assert set(caught.value.errors) == {"meeting"}
    assert _count(db_session, Registration) == 0


def test_non_member_cannot_register_for_a_members_only_meeting(db_session, closed, coordinator, people):
    meeting = _meeting(db_session, closed, coordinator)
    networks.join(db_session, closed, people[1])
    with pytest.raises(ValidationError) as caught:
        meetings.register(db_session, meeting, people[0], "", False, NOW)
    assert set(caught.value.errors) == {"meeting"}
    assert _count(db_session, Registration) == 0
    assert meetings.register(db_session, meeting, people[1], "", False, NOW).status == "registered"


def test_inactive_user_cannot_register(db_session, meeting, people):
    people[0].active = False
    with pytest.raises(Forbidden):
        meetings.register(db_session, meeting, people[0], "", False, NOW)
    assert _count(db_session, Registration) == 0


def test_cancelling_a_seat_promotes_the_first_on_the_waitlist(db_session, meeting, people):
    rows = _register(db_session, meeting, people)
    promoted = meetings.cancel_registration(db_session, rows[0], people[0], NOW)
    assert promoted is rows[2]
    assert (rows[0].status, rows[2].status) == ("cancelled", "registered")
    assert rows[0].cancelled_at is not None and rows[2].promoted_at is not None
    assert _names(meetings.registered(db_session, meeting)) == ["Bo", "Cilla"]
    assert _names(meetings.waitlist(db_session, meeting)) == ["Dan", "Eva"]
    assert _kinds(db_session, people[2]) == ["waitlist_promoted"]
    told = db_session.scalar(select(Notification).where(Notification.user_id == people[2].id))
    assert (told.actor_id, told.subject, told.path) == (people[0].id, meeting.title, f"/meetings/{meeting.id}")
    for other in (people[0], people[1], people[3], people[4]):
        assert _kinds(db_session, other) == []


def test_cancelling_a_waitlist_place_promotes_nobody(db_session, meeting, people):
    rows = _register(db_session, meeting, people)
    assert meetings.cancel_registration(db_session, rows[3], people[3], NOW) is None
    assert rows[3].status == "cancelled"
    assert _names(meetings.registered(db_session, meeting)) == ["Anna", "Bo"]
    assert _names(meetings.waitlist(db_session, meeting)) == ["Cilla", "Eva"]
    assert _count(db_session, Notification) == 0
    assert meetings.cancel_registration(db_session, rows[3], people[3], NOW) is None, "cancelling twice: no-op"


def test_cancelling_after_the_meeting_started_promotes_nobody(db_session, meeting, people):
    rows = _register(db_session, meeting, people[:3])
    assert meetings.cancel_registration(db_session, rows[0], people[0], _utc(2027, 5, 20, 8, 0)) is None
    assert rows[2].status == "waitlisted"


def test_re_registering_after_cancelling_goes_to_the_end_of_the_line(db_session, meeting, people):
    rows = _register(db_session, meeting, people)
    meetings.cancel_registration(db_session, rows[2], people[2], NOW)  # Cilla leaves the waitlist
    again = meetings.register(db_session, meeting, people[2], "", False, NOW)
    assert again is rows[2], "the same row is reused"
    assert again.status == "waitlisted"
    assert _names(meetings.waitlist(db_session, meeting)) == ["Dan", "Eva", "Cilla"]
    meetings.cancel_registration(db_session, rows[0], people[0], NOW)  # Anna gives up her seat; Dan gets it
    assert meetings.register(db_session, meeting, people[0], "", False, NOW).status == "waitlisted"
    assert _names(meetings.registered(db_session, meeting)) == ["Bo", "Dan"]
    assert _names(meetings.waitlist(db_session, meeting)) == ["Eva", "Cilla", "Anna"]


def test_only_the_person_or_a_coordinator_cancels_a_registration(db_session, meeting, coordinator, people):
    rows = _register(db_session, meeting, people[:3])
    with pytest.raises(Forbidden):
        meetings.cancel_registration(db_session, rows[0], people[1], NOW)
    assert rows[0].status == "registered"
    assert meetings.cancel_registration(db_session, rows[0], coordinator, NOW) is rows[2]


def test_raising_capacity_promotes_from_the_waitlist(db_session, meeting, coordinator, people):
    _register(db_session, meeting, people)
    meetings.update_meeting(db_session, meeting, {**RAW, "capacity": "4"}, coordinator)
    assert meeting.capacity == 4
    assert meeting.sequence == 1
    assert _names(meetings.registered(db_session, meeting)) == ["Anna", "Bo", "Cilla", "Dan"]
    assert _names(meetings.waitlist(db_session, meeting)) == ["Eva"]
    assert [_kinds(db_session, p) for p in people] == [[], [], ["waitlist_promoted"], ["waitlist_promoted"], []]


def test_removing_the_limit_promotes_everyone_waiting(db_session, meeting, coordinator, people):
    _register(db_session, meeting, people)
    meetings.update_meeting(db_session, meeting, {**RAW, "capacity": ""}, coordinator)
    assert meetings.count_registered(db_session, meeting) == 5
    assert meetings.waitlist(db_session, meeting) == []


def test_lowering_capacity_below_the_registered_count_is_refused(db_session, meeting, coordinator, people):
    _register(db_session, meeting, people[:2])
    with pytest.raises(ValidationError) as caught:
        meetings.update_meeting(db_session, meeting, {**RAW, "capacity": "1", "title": "Ny titel"}, coordinator)
    assert set(caught.value.errors) == {"capacity"}
    assert (meeting.capacity, meeting.title, meeting.sequence) == (2, RAW["title"], 0)
    assert meetings.count_registered(db_session, meeting) == 2


def test_message_participants_reaches_only_the_registered(db_session, meeting, coordinator, people):
    rows = _register(db_session, meeting, people[:4])
    meetings.cancel_registration(db_session, rows[0], people[0], NOW)  # Cilla promoted; Dan waits
    db_session.execute(delete(Notification))
    sent = meetings.message_participants(db_session, meeting, "  Ta med\r\nlånekort!  ", coordinator)
    assert sent == 2
    query = select(Notification).where(Notification.kind == "meeting_message").order_by(Notification.user_id)
    assert [(n.user_id, n.body, n.actor_id) for n in db_session.scalars(query)] == [
        (people[1].id, "Ta med\nlånekort!", coordinator.id),
        (people[2].id, "Ta med\nlånekort!", coordinator.id),
    ]


def test_message_participants_refuses_an_empty_message_and_non_coordinators(db_session, meeting, coordinator, people):
    _register(db_session, meeting, people[:2])
    with pytest.raises(ValidationError):
        meetings.message_participants(db_session, meeting, "   ", coordinator)
    with pytest.raises(Forbidden):
        meetings.message_participants(db_session, meeting, "Hej", people[0])
    assert _count(db_session, Notification) == 0


def test_participants_csv_lists_registered_then_waitlisted_with_places(db_session, meeting, coordinator, people):
    people[1].organisation = "Borås stad"
    rows = _register(db_session, meeting, people[:4])
    rows[0].note, rows[0].on_participant_list = "=cmd|' /C calc'!A0", True
    meetings.mark_attendance(meeting, rows[1], True, coordinator)
    meetings.cancel_registration(db_session, rows[2], people[2], NOW)  # cancelled: not listed
    db_session.flush()

    data = meetings.participants_csv(db_session, meeting, HEADERS, LABELS)
    assert data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == [HEADERS[k] for k in HEADERS]
    assert [r[:8] for r in table[1:]] == [
        ["Anna", people[0].email, "", "Registered", "1", "'=cmd|' /C calc'!A0", "Yes", ""],
        ["Bo", people[1].email, "Borås stad", "Registered", "2", "", "No", "Yes"],
        ["Dan", people[3].email, "", "Waitlisted", "3", "", "No", ""],
    ]
    assert all(len(r[8]) == len("2027-05-01 12:00") for r in table[1:])


def test_only_coordinators_mark_attendance(db_session, meeting, people):
    (row,) = _register(db_session, meeting, people[:1])
    with pytest.raises(Forbidden):
        meetings.mark_attendance(meeting, row, True, people[0])
    assert row.attended is None


# --- Announcing and cancelling -----------------------------------------------------------------


def test_new_meeting_notifies_members_and_followers(db_session, network, coordinator, make_user, people):
    anna, bo, cilla, dan, eva = people
    networks.join(db_session, network, anna)
    networks.follow(db_session, bo, "network", str(network.id))
    networks.join(db_session, network, cilla)
    networks.follow(db_session, cilla, "network", str(network.id))  # member and follower: told once
    eva.active = False
    networks.follow(db_session, eva, "network", str(network.id))
    meeting = _meeting(db_session, network, coordinator)
    assert [_kinds(db_session, p) for p in people] == [["new_meeting"], ["new_meeting"], ["new_meeting"], [], []]
    assert _kinds(db_session, coordinator) == [], "the creator is not told about their own meeting"
    told = db_session.scalar(select(Notification).where(Notification.user_id == anna.id))
    assert (told.subject, told.path) == (meeting.title, f"/meetings/{meeting.id}")


def test_new_members_only_meeting_is_not_announced_to_followers(db_session, closed, coordinator, people):
    anna, bo, cilla = people[:3]
    networks.join(db_session, closed, anna)
    networks.follow(db_session, bo, "network", str(closed.id))
    closed.join_policy = "request"
    networks.join(db_session, closed, cilla)  # pending
    db_session.execute(delete(Notification))
    _meeting(db_session, closed, coordinator)
    assert [_kinds(db_session, p) for p in (anna, bo, cilla)] == [["new_meeting"], [], []]


def test_cancel_meeting_raises_sequence_and_tells_everyone_registered_or_waiting(db_session, meeting, coordinator,
                                                                                 people):  # fmt: skip
    rows = _register(db_session, meeting, people[:4])
    meetings.cancel_registration(db_session, rows[3], people[3], NOW)
    db_session.execute(delete(Notification))
    meetings.cancel_meeting(db_session, meeting, coordinator)
    assert meeting.cancelled_at is not None
    assert meeting.sequence == 1
    assert [_kinds(db_session, p) for p in people[:4]] == [["meeting_message"]] * 3 + [[]]
    meetings.cancel_meeting(db_session, meeting, coordinator)
    assert meeting.sequence == 1, "cancelling twice changes nothing"
    with pytest.raises(Forbidden):
        meetings.cancel_meeting(db_session, meeting, people[0])


def test_can_see_a_members_only_meeting(db_session, closed, network, coordinator, people, make_user):
    secret = _meeting(db_session, closed, coordinator)
    public = _meeting(db_session, network, coordinator)
    networks.join(db_session, closed, people[0])
    for viewer in (None, people[1]):
        assert meetings.can_see(viewer, secret) is False
        assert meetings.can_see(viewer, public) is True
    for viewer in (people[0], coordinator, make_user(role="admin")):
        assert meetings.can_see(viewer, secret) is True


# --- Agenda ------------------------------------------------------------------------------------


@pytest.fixture
def methods(make_entry, coordinator):
    return [
        make_entry(title="Speed dating", user=coordinator, duration="30-45", materials="Post-it-lappar\nPennor"),
        make_entry(title="Fishbowl", user=coordinator, duration="20", materials="- pennor\n* Blädderblock; Tejp"),
        make_entry(title="Öppet samtal", user=coordinator),
    ]


def _positions(meeting) -> list[str]:
    return [b.title or b.entry.title for b in sorted(meeting.agenda, key=lambda b: b.position)]


def _reload_agenda(session, meeting) -> None:
    # As the next request would see it; test_add_block_lists_each_block_once covers the same session.
    session.flush()
    session.expire(meeting, ["agenda"])


def _agenda(session, meeting, user, items) -> list[AgendaBlock]:
    """Add free items from (title, minutes) pairs."""
    blocks = [meetings.add_block(session, meeting, {"title": t, "minutes": str(m)}, None, user) for t, m in items]
    _reload_agenda(session, meeting)
    return blocks


def _add_method(session, meeting, user, entry, raw=None) -> AgendaBlock:
    block = meetings.add_block(session, meeting, raw or {}, entry, user)
    _reload_agenda(session, meeting)
    return block


def test_add_block_with_an_entry_proposes_its_length(db_session, meeting, coordinator, methods):
    blocks = [meetings.add_block(db_session, meeting, {}, entry, coordinator) for entry in methods]
    assert [b.minutes for b in blocks] == [45, 20, 30]
    own = meetings.add_block(db_session, meeting, {"minutes": "25", "facilitator": " Bo  B "}, methods[0], coordinator)
    assert (own.minutes, own.facilitator, own.title) == (25, "Bo B", "")
    assert meeting.sequence == 4, "each change to the agenda updates calendars"


def test_free_item_needs_a_title(db_session, meeting, coordinator):
    with pytest.raises(ValidationError) as caught:
        meetings.add_block(db_session, meeting, {"minutes": "15", "title": "  "}, None, coordinator)
    assert set(caught.value.errors) == {"title"}
    assert _count(db_session, AgendaBlock) == 0
    assert meeting.sequence == 0


@pytest.mark.parametrize("minutes", ["0", "2000", "-5", "abc", "", "1.5", str(meetings.BLOCK_MINUTES[1] + 1)])
def test_block_length_out_of_range_is_refused(db_session, meeting, coordinator, methods, minutes):
    with pytest.raises(ValidationError) as caught:
        meetings.add_block(db_session, meeting, {"minutes": minutes, "title": "Fika"}, None, coordinator)
    assert set(caught.value.errors) == {"minutes"}
    if minutes:
        with pytest.raises(ValidationError):
            meetings.add_block(db_session, meeting, {"minutes": minutes}, methods[0], coordinator)
    assert _count(db_session, AgendaBlock) == 0


def test_add_block_lists_each_block_once(db_session, meeting, coordinator):
    blocks = [
        meetings.add_block(db_session, meeting, {"title": t, "minutes": "30"}, None, coordinator)
        for t in ("Välkommen", "Fika", "Lunch")
    ]
    assert [b.title for b in meeting.agenda] == ["Välkommen", "Fika", "Lunch"]
    assert meetings.schedule(meeting).total_minutes == 90
    db_session.flush()
    assert [b.position for b in blocks] == [0, 1, 2]


def test_added_blocks_are_stored_in_order(db_session, meeting, coordinator):
    _agenda(db_session, meeting, coordinator, [("Välkommen", 15), ("Fika", 30), ("Lunch", 60)])
    db_session.expire_all()
    assert _count(db_session, AgendaBlock, AgendaBlock.meeting_id == meeting.id) == 3
    assert [b.title for b in db_session.get(Meeting, meeting.id).agenda] == ["Välkommen", "Fika", "Lunch"]


def test_only_coordinators_build_the_agenda(db_session, meeting, coordinator, people):
    networks.join(db_session, meeting.network, people[0])
    with pytest.raises(Forbidden):
        meetings.add_block(db_session, meeting, {"title": "Fika", "minutes": "30"}, None, people[0])
    (block,) = _agenda(db_session, meeting, coordinator, [("Fika", 30)])
    for action in (
        lambda: meetings.update_block(block, {"title": "Lunch", "minutes": "60"}, people[0]),
        lambda: meetings.move_block(block, 1, people[0]),
        lambda: meetings.reorder(meeting, [block.id], people[0]),
        lambda: meetings.remove_block(db_session, block, people[0]),
    ):
        with pytest.raises(Forbidden):
            action()
    assert (block.title, block.minutes, len(meeting.agenda)) == ("Fika", 30, 1)


def test_update_and_remove_block(db_session, meeting, coordinator):
    blocks = _agenda(db_session, meeting, coordinator, [("Välkommen", 15), ("Fika", 30), ("Lunch", 60)])
    meetings.update_block(blocks[1], {"title": "Lång fika", "minutes": "45", "note": "Kanelbullar"}, coordinator)
    assert (blocks[1].title, blocks[1].minutes, blocks[1].note) == ("Lång fika", 45, "Kanelbullar")
    with pytest.raises(ValidationError):
        meetings.update_block(blocks[1], {"title": "Lång fika", "minutes": "0"}, coordinator)
    assert blocks[1].minutes == 45
    meetings.remove_block(db_session, blocks[0], coordinator)
    db_session.flush()
    assert [(b.title, b.position) for b in meeting.agenda] == [("Lång fika", 0), ("Lunch", 1)]
    assert _count(db_session, AgendaBlock) == 2


def test_move_block_up_and_down_and_at_the_ends(db_session, meeting, coordinator):
    a, b, c = _agenda(db_session, meeting, coordinator, [("A", 10), ("B", 10), ("C", 10)])
    meetings.move_block(c, -1, coordinator)
    assert _positions(meeting) == ["A", "C", "B"]
    db_session.flush()
    db_session.expire(meeting, ["agenda"])
    meetings.move_block(a, +1, coordinator)
    assert _positions(meeting) == ["C", "A", "B"]
    db_session.flush()
    db_session.expire(meeting, ["agenda"])
    meetings.move_block(c, -1, coordinator)  # already first
    meetings.move_block(b, +1, coordinator)  # already last
    assert _positions(meeting) == ["C", "A", "B"]


def test_moving_the_same_block_twice_in_one_session(db_session, meeting, coordinator):
    _, _, c = _agenda(db_session, meeting, coordinator, [("A", 10), ("B", 10), ("C", 10)])
    meetings.move_block(c, -1, coordinator)
    meetings.move_block(c, -1, coordinator)
    assert _positions(meeting) == ["C", "A", "B"]


def test_reorder_puts_blocks_in_the_given_order(db_session, meeting, coordinator):
    a, b, c = _agenda(db_session, meeting, coordinator, [("A", 10), ("B", 10), ("C", 10)])
    meetings.reorder(meeting, [c.id, a.id, b.id], coordinator)
    assert _positions(meeting) == ["C", "A", "B"]


@pytest.mark.parametrize("wrong", ["missing", "extra", "twice", "foreign"])
def test_reorder_with_wrong_ids_is_refused(db_session, meeting, network, coordinator, wrong):
    a, b, c = _agenda(db_session, meeting, coordinator, [("A", 10), ("B", 10), ("C", 10)])
    other = _meeting(db_session, network, coordinator, title="Annat möte")
    (x,) = _agenda(db_session, other, coordinator, [("X", 10)])
    ids = {
        "missing": [c.id, a.id],
        "extra": [c.id, a.id, b.id, 987_654],
        "twice": [c.id, a.id, a.id],
        "foreign": [c.id, a.id, x.id],
    }[wrong]
    with pytest.raises(ValidationError) as caught:
        meetings.reorder(meeting, ids, coordinator)
    assert set(caught.value.errors) == {"order"}
    assert _positions(meeting) == ["A", "B", "C"]


def test_schedule_computes_local_start_and_end_per_block(db_session, meeting, coordinator, methods):
    _agenda(db_session, meeting, coordinator, [("Välkommen", 15)])
    _add_method(db_session, meeting, coordinator, methods[0])  # 45 minutes
    _agenda(db_session, meeting, coordinator, [("Lunch", 60)])
    plan = meetings.schedule(meeting)
    assert [(s.starts.strftime("%H:%M"), s.ends.strftime("%H:%M")) for s in plan.blocks] == [
        ("09:00", "09:15"), ("09:15", "10:00"), ("10:00", "11:00"),
    ]  # fmt: skip
    assert all(s.starts.utcoffset() == timedelta(hours=2) for s in plan.blocks)
    assert plan.blocks[1].block.entry is methods[0]
    assert (plan.total_minutes, plan.ends.strftime("%H:%M"), plan.overrun_minutes) == (120, "11:00", 0)


def test_schedule_follows_a_reorder(db_session, meeting, coordinator):
    a, b = _agenda(db_session, meeting, coordinator, [("Lång", 60), ("Kort", 15)])
    meetings.reorder(meeting, [b.id, a.id], coordinator)
    assert [(s.block.title, s.starts.strftime("%H:%M")) for s in meetings.schedule(meeting).blocks] == [
        ("Kort", "09:00"), ("Lång", "09:15"),
    ]  # fmt: skip


def test_schedule_reports_an_overrun(db_session, network, coordinator):
    meeting = _meeting(db_session, network, coordinator, starts_at="2027-05-20T09:00", ends_at="2027-05-20T10:00",
                       registration_closes_at="")  # fmt: skip
    _agenda(db_session, meeting, coordinator, [("Samtal", 50), ("Avslut", 10)])
    assert meetings.schedule(meeting).overrun_minutes == 0
    _agenda(db_session, meeting, coordinator, [("Extra", 25)])
    plan = meetings.schedule(meeting)
    assert (plan.total_minutes, plan.overrun_minutes, plan.ends.strftime("%H:%M")) == (85, 25, "10:25")


def test_empty_agenda_schedule(meeting):
    plan = meetings.schedule(meeting)
    assert (plan.blocks, plan.total_minutes, plan.overrun_minutes) == ([], 0, 0)
    assert plan.ends == meetings.to_local(meeting.starts_at, meeting.network)


def test_schedule_across_the_autumn_change_keeps_real_lengths(db_session, network, coordinator):
    meeting = _meeting(db_session, network, coordinator, starts_at="2027-10-31T01:30", ends_at="2027-10-31T04:30",
                       registration_opens_at="", registration_closes_at="")  # fmt: skip
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=4), "the clock shows three hours, four pass"
    _agenda(db_session, meeting, coordinator, [("Ett", 60), ("Två", 60), ("Tre", 60), ("Fyra", 60)])
    plan = meetings.schedule(meeting)
    assert [(s.starts.strftime("%H:%M%z"), s.ends.strftime("%H:%M%z")) for s in plan.blocks] == [
        ("01:30+0200", "02:30+0200"),
        ("02:30+0200", "02:30+0100"),
        ("02:30+0100", "03:30+0100"),
        ("03:30+0100", "04:30+0100"),
    ]
    # Aware datetimes in one zone subtract as wall-clock times, so compare in UTC.
    assert all(s.ends.astimezone(UTC) - s.starts.astimezone(UTC) == timedelta(minutes=60) for s in plan.blocks)
    assert (plan.total_minutes, plan.overrun_minutes) == (240, 0)


def test_schedule_across_the_spring_change_keeps_real_lengths(db_session, network, coordinator):
    meeting = _meeting(db_session, network, coordinator, starts_at="2027-03-28T01:00", ends_at="2027-03-28T04:00",
                       registration_opens_at="", registration_closes_at="")  # fmt: skip
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
    _agenda(db_session, meeting, coordinator, [("Ett", 90), ("Två", 60)])
    plan = meetings.schedule(meeting)
    assert [(s.starts.strftime("%H:%M"), s.ends.strftime("%H:%M")) for s in plan.blocks] == [
        ("01:00", "03:30"), ("03:30", "04:30"),
    ]  # fmt: skip
    assert plan.overrun_minutes == 30


def test_materials_are_merged_without_duplicates_in_agenda_order(db_session, meeting, coordinator, methods):
    _agenda(db_session, meeting, coordinator, [("Välkommen", 10)])
    for entry in (methods[1], methods[2], methods[0], methods[1]):
        _add_method(db_session, meeting, coordinator, entry)
    assert meetings.materials(meeting) == ["pennor", "Blädderblock", "Tejp", "Post-it-lappar"]


def test_materials_of_an_agenda_without_methods_is_empty(db_session, meeting, coordinator):
    _agenda(db_session, meeting, coordinator, [("Välkommen", 10), ("Fika", 20)])
    assert meetings.materials(meeting) == []


# --- Home page -----------------------------------------------------------------------------------


def test_upcoming_for_shows_the_networks_one_belongs_to_or_follows(db_session, network, closed, coordinator, people):
    anna, bo, cilla = people[:3]
    _meeting(db_session, network, coordinator, title="Öppen temadag", starts_at="2027-06-01T09:00",
             ends_at="2027-06-01T12:00")  # fmt: skip
    secret = _meeting(db_session, closed, coordinator, title="Internt möte")
    past = _meeting(db_session, network, coordinator, title="Förra gången", starts_at="2027-04-01T09:00",
                    ends_at="2027-04-01T12:00", registration_opens_at="", registration_closes_at="")  # fmt: skip
    gone = _meeting(db_session, network, coordinator, title="Inställt")
    meetings.cancel_meeting(db_session, gone, coordinator)
    networks.join(db_session, closed, anna)
    networks.follow(db_session, bo, "network", str(network.id))
    networks.follow(db_session, cilla, "network", str(closed.id))  # follows, but is not a member
    db_session.flush()

    def titles(user) -> list[str]:
        return [m.title for m in meetings.upcoming_for(db_session, user, NOW)]

    assert titles(None) == ["Öppen temadag"]
    assert titles(anna) == ["Internt möte"]
    assert titles(bo) == ["Öppen temadag"]
    assert secret.title not in titles(cilla)
    assert titles(coordinator) == ["Internt möte", "Öppen temadag"]
    assert [m.title for m in meetings.public_upcoming(db_session, NOW)] == ["Öppen temadag"]
    assert past.title in [m.title for m in meetings.upcoming_for(db_session, None, _utc(2027, 3, 1, 0, 0))]
    assert len(meetings.upcoming_for(db_session, coordinator, NOW, limit=1)) == 1
