"""Recognition: counts and marks derived from activity, the term's most shared entries, an opt-in leaderboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from methodbook import entries, recognition, remixes, writeups
from methodbook.models import Entry
from tests.methodbook.conftest import MEETING

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def keys(user, session) -> set[str]:
    return {m.key for m in recognition.earned(recognition.counts(session, user))}


def _publish(session, entry, user):
    data = entries.validate_entry_data({**entries.snapshot(entry), "status": "published"}, session, entry)
    entries.update_entry(session, entry, data, user)
    session.flush()


def test_marks_follow_the_rules(db_session, make_entry, member, coordinator, network):
    assert keys(member, db_session) == set()
    make_entry("Utkast", user=member, status="draft")
    assert keys(member, db_session) == set(), "drafts do not count"
    make_entry("Mall för inbjudan", user=member, kind="template")
    assert keys(member, db_session) == {"first-share", "first-template"}
    original = db_session.query(Entry).filter_by(slug="mall-for-inbjudan").one()
    copy = remixes.remix(db_session, original, coordinator, "Vår inbjudan")
    assert "adapted" not in keys(member, db_session), "a draft version does not count"
    _publish(db_session, copy, coordinator)
    assert "adapted" in keys(member, db_session)
    own_copy = remixes.remix(db_session, original, member, "Min andra version")
    _publish(db_session, own_copy, member)
    assert recognition.counts(db_session, member).adapted == 1, "one's own versions do not count"


def test_used_at_three_meetings(db_session, make_entry, member, coordinator, network):
    from methodbook import meetings

    make_entry("Walkshop", user=member)
    for n in range(3):
        meeting = meetings.create_meeting(db_session, network, {**MEETING, "title": f"Träff {n}"}, coordinator)
        writeup = make_entry(f"Skrivelse {n}", user=coordinator, kind="write-up", methods_used="walkshop")
        writeups.set_meeting(db_session, writeup, meeting.id, coordinator)
        db_session.flush()
        assert ("used-at-three" in keys(member, db_session)) == (n == 2)
    assert recognition.counts(db_session, member).most_used == 3


def test_most_shared_this_term_and_the_leaderboard(db_session, make_entry, member, coordinator, network, closed):
    method = make_entry("Walkshop", user=member)
    method.network = network
    other = make_entry("Fika", user=member)
    other.network = network
    for n in range(2):
        make_entry(f"Skrivelse {n}", user=coordinator, kind="write-up", methods_used="walkshop")
    make_entry("Skrivelse fika", user=coordinator, kind="write-up", methods_used="fika")
    db_session.flush()
    shared = recognition.most_shared(db_session, network, None, datetime.now(UTC))
    assert [(s.entry.title, s.uses) for s in shared] == [("Walkshop", 2), ("Fika", 1)]
    assert recognition.most_shared(db_session, network, None, datetime.now(UTC) + timedelta(days=200)) == []
    assert recognition.most_shared(db_session, closed, None, datetime.now(UTC)) == []
    assert recognition.leaderboard(db_session, network, datetime.now(UTC)) == [], "off by default"
    network.leaderboard = True
    assert recognition.leaderboard(db_session, network, datetime.now(UTC)) == [(member, 2)]


def test_terms_are_half_years():
    assert recognition.term_start(NOW) == datetime(2026, 7, 1, tzinfo=UTC)
    assert recognition.term_start(datetime(2027, 3, 2, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)
