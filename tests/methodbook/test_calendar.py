"""iCalendar output parsed back, and members' private feed tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from methodbook import calendar, meetings, networks
from methodbook.models import CalendarFeed

HOST = "dela.example.org"
RAW = {
    "title": "Temadag: läsfrämjande",
    "theme": "Läsfrämjande för unga",
    "description": "Vi ses på **Stadsbiblioteket**.",
    "starts_at": "2027-05-20T09:00",
    "ends_at": "2027-05-20T16:00",
    "place": "Stadsbiblioteket, Göteborg",
    "capacity": "30",
}


def _url(meeting) -> str:
    return f"https://{HOST}/meetings/{meeting.id}"


def _export(meetings_, name: str = "Bibliotek Väst") -> bytes:
    return calendar.ics(meetings_, HOST, _url, name)


def _events(data: bytes) -> list:
    return Calendar.from_ical(data).walk("VEVENT")


def _event(data: bytes):
    (event,) = _events(data)
    return event


@pytest.fixture
def coordinator(make_user):
    return make_user(role="facilitator", name="Cecilia Samordnare")


@pytest.fixture
def network(db_session, coordinator):
    return networks.create_network(db_session, {"name": "Bibliotek Väst", "slug": "bibliotek-vast"}, coordinator)


@pytest.fixture
def meeting(db_session, network, coordinator):
    return meetings.create_meeting(db_session, network, RAW, coordinator)


# --- Events ------------------------------------------------------------------------------------


def test_ics_parses_back_with_the_meetings_details(meeting):
    data = _export([meeting])
    cal = Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == "-//Dela//Meetings//EN"
    assert str(cal["X-WR-CALNAME"]) == "Bibliotek Väst"
    event = _event(data)
    assert str(event["UID"]) == f"dela-meeting-{meeting.id}@{HOST}"
    assert str(event["SUMMARY"]) == "Temadag: läsfrämjande"
    assert str(event["LOCATION"]) == "Stadsbiblioteket, Göteborg"
    assert str(event["URL"]) == _url(meeting)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 0
    description = str(event["DESCRIPTION"])
    assert "Läsfrämjande för unga" in description
    assert "Stadsbiblioteket" in description and "**" not in description
    assert _url(meeting) in description
    assert event.decoded("DTSTAMP").tzinfo is not None


def test_start_and_end_carry_the_networks_time_zone(meeting):
    data = _export([meeting])
    assert b"DTSTART;TZID=Europe/Stockholm:20270520T090000" in data
    assert b"DTEND;TZID=Europe/Stockholm:20270520T160000" in data
    event = _event(data)
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert event.decoded("DTSTART").astimezone(UTC) == meeting.starts_at == datetime(2027, 5, 20, 7, 0, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == meeting.ends_at
    (zone,) = Calendar.from_ical(data).walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Stockholm"
    assert {c.name for c in zone.subcomponents} >= {"STANDARD", "DAYLIGHT"}


def test_winter_meeting_keeps_its_local_time(db_session, network, coordinator):
    winter = meetings.create_meeting(db_session, network, {**RAW, "starts_at": "2027-12-01T09:00",
                                                           "ends_at": "2027-12-01T12:00"}, coordinator)  # fmt: skip
    data = _export([winter])
    assert b"DTSTART;TZID=Europe/Stockholm:20271201T090000" in data
    assert _event(data).decoded("DTSTART").astimezone(UTC) == datetime(2027, 12, 1, 8, 0, tzinfo=UTC)


def test_uid_is_stable_across_exports(db_session, meeting, network, coordinator):
    first = str(_event(_export([meeting]))["UID"])
    second = str(_event(_export([meeting]))["UID"])
    assert first == second == calendar.uid(meeting, HOST)
    other = meetings.create_meeting(db_session, network, {**RAW, "title": "Fika med tema"}, coordinator)
    assert calendar.uid(other, HOST) != first
    assert [str(e["UID"]) for e in _events(_export([other, meeting]))] == [first, calendar.uid(other, HOST)]


def test_sequence_grows_after_an_update(db_session, meeting, coordinator):
    before = _event(_export([meeting]))
    meetings.update_meeting(db_session, meeting, {**RAW, "starts_at": "2027-05-20T10:00"}, coordinator)
    after = _event(_export([meeting]))
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("DTSTART").astimezone(UTC) == datetime(2027, 5, 20, 8, 0, tzinfo=UTC)
    meetings.add_block(db_session, meeting, {"title": "Välkommen", "minutes": "15"}, None, coordinator)
    assert int(_event(_export([meeting]))["SEQUENCE"]) > int(after["SEQUENCE"])


def test_cancelled_meeting_stays_in_the_feed_as_cancelled(db_session, meeting, coordinator):
    uid = str(_event(_export([meeting]))["UID"])
    meetings.cancel_meeting(db_session, meeting, coordinator)
    event = _event(_export([meeting]))
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1


def test_meeting_without_a_place_gives_the_video_link_as_location(db_session, network, coordinator):
    online = meetings.create_meeting(db_session, network, {**RAW, "place": "",
                                                           "video_url": "https://meet.example.org/fika"}, coordinator)  # fmt: skip
    assert str(_event(_export([online]))["LOCATION"]) == "https://meet.example.org/fika"
    bare = meetings.create_meeting(db_session, network, {**RAW, "place": "", "video_url": ""}, coordinator)
    assert "LOCATION" not in _event(_export([bare]))


def test_feed_sorts_events_and_includes_every_time_zone(db_session, network, coordinator):
    helsinki = networks.create_network(db_session, {"name": "Kirjastot", "timezone": "Europe/Helsinki"}, coordinator)
    late = meetings.create_meeting(db_session, network, {**RAW, "title": "Sent"}, coordinator)
    early = meetings.create_meeting(db_session, network, {**RAW, "title": "Tidigt", "starts_at": "2027-05-01T09:00",
                                                          "ends_at": "2027-05-01T10:00"}, coordinator)  # fmt: skip
    finnish = meetings.create_meeting(db_session, helsinki, {**RAW, "title": "Suomi"}, coordinator)
    data = _export([late, finnish, early], name="Mina möten")
    assert [str(e["SUMMARY"]) for e in _events(data)] == ["Tidigt", "Suomi", "Sent"]
    zones = sorted(str(z["TZID"]) for z in Calendar.from_ical(data).walk("VTIMEZONE"))
    assert zones == ["Europe/Helsinki", "Europe/Stockholm"]
    assert b"DTSTART;TZID=Europe/Helsinki:20270520T090000" in data


def test_empty_feed_is_a_valid_calendar(network):
    cal = Calendar.from_ical(_export([]))
    assert cal.walk("VEVENT") == []
    assert str(cal["X-WR-CALNAME"]) == "Bibliotek Väst"


# --- Private feed tokens -----------------------------------------------------------------------


def test_token_for_is_created_once(db_session, make_user):
    user = make_user()
    token = calendar.token_for(db_session, user)
    assert len(token) >= 32
    assert calendar.token_for(db_session, user) == token
    assert db_session.get(CalendarFeed, user.id).token == token
    assert calendar.user_for_token(db_session, token) is user
    assert calendar.token_for(db_session, make_user()) != token


def test_reset_token_retires_the_old_address(db_session, make_user):
    user = make_user()
    old = calendar.token_for(db_session, user)
    new = calendar.reset_token(db_session, user)
    assert new != old
    assert calendar.user_for_token(db_session, old) is None
    assert calendar.user_for_token(db_session, new) is user
    assert calendar.token_for(db_session, user) == new


def test_reset_token_without_a_feed_creates_one(db_session, make_user):
    user = make_user()
    token = calendar.reset_token(db_session, user)
    assert calendar.user_for_token(db_session, token) is user


def test_inactive_member_has_no_feed(db_session, make_user):
    user = make_user()
    token = calendar.token_for(db_session, user)
    user.active = False
    db_session.flush()
    assert calendar.user_for_token(db_session, token) is None


@pytest.mark.parametrize("token", ["", "nope", "x" * 65])
def test_unknown_or_malformed_token_gives_nobody(db_session, make_user, token):
    calendar.token_for(db_session, make_user())
    assert calendar.user_for_token(db_session, token) is None


def test_current_token_is_none_until_one_is_made(db_session, make_user):
    user = make_user()
    assert calendar.current_token(db_session, user) is None
    assert db_session.get(CalendarFeed, user.id) is None, "looking does not create an address"
    token = calendar.token_for(db_session, user)
    assert calendar.current_token(db_session, user) == token
    new = calendar.reset_token(db_session, user)
    assert calendar.current_token(db_session, user) == new != token
