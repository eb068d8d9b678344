"""Following, the personal feed and the digest: what is gathered, for whom, grouped how, sent how often."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from methodbook import entries, following, meetings, networks
from methodbook.errors import NotFound, ValidationError
from methodbook.models import DigestSent
from tests.methodbook.conftest import MEETING

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def reader(make_user):
    return make_user(name="Rut Läsare")


def test_targets_are_checked_and_normalised(db_session, reader, make_entry, member):
    entry = make_entry("Walkshop")
    assert following.target_key(db_session, "tag", "  Uppsökande   Arbete ") == "uppsökande arbete"
    assert following.target_key(db_session, "entry", str(entry.id)) == str(entry.id)
    for kind, target in (("entry", "999999"), ("member", "x"), ("party", "1"), ("tag", "  ")):
        with pytest.raises(NotFound):
            following.target_key(db_session, kind, target)
    with pytest.raises(ValidationError):
        following.set_following(db_session, reader, "member", str(reader.id), True)
    following.set_following(db_session, reader, "member", str(member.id), True)
    following.set_following(db_session, reader, "member", str(member.id), True)
    assert following.followed(db_session, reader).members == [member]
    following.set_following(db_session, reader, "member", str(member.id), False)
    assert following.followed(db_session, reader).empty


def test_feed_gathers_what_is_followed_with_reasons(db_session, reader, member, coordinator, network, make_entry):
    tagged = make_entry("Walkshop", tags="promenad")
    by_member = make_entry("Fika med tema", user=member)
    in_network = make_entry("Nätverksmetod", user=coordinator)
    in_network.network = network
    make_entry("Något annat", tags="annat")
    mine = make_entry("Min egen", user=reader, tags="promenad")
    meeting = meetings.create_meeting(db_session, network, MEETING, coordinator)
    db_session.commit()
    for kind, target in (("tag", "promenad"), ("member", str(member.id)), ("network", str(network.id))):
        following.set_following(db_session, reader, kind, target, True)
    items = following.feed(db_session, reader)
    found = {(item.entry or item.meeting).title: item.reasons for item in items}
    assert set(found) == {tagged.title, by_member.title, in_network.title, meeting.title}, "not own entries"
    assert found["Walkshop"] == ["tag:promenad"]
    assert found["Fika med tema"] == [f"member:{member.display_name}"]
    assert found["Nätverksmetod"] == [f"network:{network.name}"]
    assert mine.title not in found


def test_feed_shows_only_what_the_reader_may_see(db_session, reader, coordinator, closed, make_entry):
    secret = make_entry("Intern metod", user=coordinator, tags="promenad")
    secret.network = closed
    make_entry("Utkast", user=coordinator, tags="promenad", status="draft")
    meetings.create_meeting(db_session, closed, MEETING, coordinator)
    db_session.commit()
    following.set_following(db_session, reader, "tag", "promenad", True)
    following.set_following(db_session, reader, "network", str(closed.id), True)
    assert following.feed(db_session, reader) == []
    networks.join(db_session, closed, reader)
    db_session.commit()
    assert {(i.entry or i.meeting).title for i in following.feed(db_session, reader)} == {
        "Intern metod",
        MEETING["title"],
    }


def test_visiting_the_feed_marks_what_came_since_the_last_visit(db_session, reader, make_entry):
    following.set_following(db_session, reader, "tag", "promenad", True)
    first = make_entry("Walkshop", tags="promenad")
    items = following.visit_feed(db_session, reader, now=first.updated_at + timedelta(seconds=1))
    assert [(i.entry.title, i.new) for i in items] == [("Walkshop", True)]
    later = make_entry("Stadsvandring", tags="promenad")
    later.updated_at = first.updated_at + timedelta(minutes=5)
    db_session.commit()
    items = following.visit_feed(db_session, reader, now=later.updated_at + timedelta(seconds=1))
    assert [(i.entry.title, i.new) for i in items] == [("Stadsvandring", True), ("Walkshop", False)]
    assert all(not i.new for i in following.visit_feed(db_session, reader))


def test_period_keys():
    assert following.period_key("daily", NOW) == "2026-12-06"
    assert following.period_key("weekly", NOW) == "2026-W49"
    assert following.period_key("weekly", datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"


def _recent(make_entry, title, **fields):
    entry = make_entry(title, **fields)
    entry.updated_at = NOW - timedelta(hours=2)
    return entry


def test_digest_groups_by_network_and_is_capped(db_session, reader, coordinator, network, make_entry):
    following.set_following(db_session, reader, "tag", "promenad", True)
    for n in range(5):
        _recent(make_entry, f"Promenad {n}", tags="promenad")
    inside = _recent(make_entry, "I nätverket", tags="promenad", user=coordinator)
    inside.network = network
    old = make_entry("Gammal", tags="promenad")
    old.updated_at = NOW - timedelta(days=3)
    db_session.commit()
    digest = following.build_digest(db_session, reader, "daily", NOW, limit=4)
    assert list(digest.groups) == [network.name, ""], "networks first, then the rest of the method book"
    assert sum(len(items) for items in digest.groups.values()) == 4 and digest.left_out == 2
    weekly = following.build_digest(db_session, reader, "weekly", NOW, limit=50)
    assert "Gammal" in {i.entry.title for items in weekly.groups.values() for i in items}
    assert following.build_digest(db_session, reader, "daily", NOW + timedelta(days=2)) is None


def test_at_most_one_digest_per_period(db_session, reader, member, make_entry):
    following.set_digest(reader, "weekly")
    following.set_digest(member, "daily")
    following.set_following(db_session, reader, "tag", "promenad", True)
    _recent(make_entry, "Walkshop", tags="promenad")
    db_session.commit()
    sent = []
    assert following.send_digests(db_session, "weekly", NOW, sent.append) == (1, 0, 0)
    assert following.send_digests(db_session, "weekly", NOW + timedelta(hours=1), sent.append) == (0, 1, 0)
    assert [d.user for d in sent] == [reader]
    assert following.send_digests(db_session, "daily", NOW, sent.append) == (0, 1, 0), "nothing new for the member"
    assert db_session.scalar(select(func.count()).select_from(DigestSent)) == 1
    assert following.send_digests(db_session, "weekly", NOW + timedelta(days=7), sent.append) == (0, 1, 0)
    with pytest.raises(ValidationError):
        following.set_digest(reader, "hourly")


def test_a_failed_send_is_tried_again_next_time(db_session, reader, make_entry):
    following.set_digest(reader, "daily")
    following.set_following(db_session, reader, "tag", "promenad", True)
    _recent(make_entry, "Walkshop", tags="promenad")
    db_session.commit()

    def broken(digest):
        raise OSError("mail server down")

    assert following.send_digests(db_session, "daily", NOW, broken) == (0, 0, 1)
    assert db_session.scalar(select(func.count()).select_from(DigestSent)) == 0
    sent = []
    assert following.send_digests(db_session, "daily", NOW, sent.append) == (1, 0, 0)


def test_edited_entries_reach_followers_of_the_entry(db_session, reader, make_entry, make_user):
    entry = make_entry("Walkshop")
    following.set_following(db_session, reader, "entry", str(entry.id), True)
    data = entries.validate_entry_data({**entries.snapshot(entry), "summary": "Ny text."}, db_session, entry)
    entries.update_entry(db_session, entry, data, make_user())
    db_session.commit()
    assert [i.reasons for i in following.feed(db_session, reader)] == [["entry:"]]
