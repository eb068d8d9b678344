"""Atom feeds: valid Atom 1.0 (checked against RFC 4287's rules and parsed back with feedparser), public content only."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import feedparser
import pytest

from methodbook import meetings, networks
from tests.app.test_networks_web import MEETING, NETWORK, local, visit

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def check_atom(body: bytes) -> ET.Element:
    """Assert the rules of RFC 4287 that a feed must follow; return the root."""
    root = ET.fromstring(body)  # noqa: S314 - the feed Dela itself just wrote
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, f"feed needs exactly one {name}"
    assert RFC3339.match(root.findtext(f"{ATOM}updated"))
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    feed_has_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"entry needs exactly one {name}"
        assert RFC3339.match(entry.findtext(f"{ATOM}updated"))
        if entry.find(f"{ATOM}published") is not None:
            assert RFC3339.match(entry.findtext(f"{ATOM}published"))
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None, "an entry without content needs a link"
        assert feed_has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids)), "entry ids are unique"
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return root


def titles(body: bytes) -> list[str]:
    return [e.title for e in feedparser.parse(body).entries]


def fetch(app, path: str):
    response = visit(app, path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == "application/atom+xml"
    check_atom(response.data)
    return response


@pytest.fixture
def coordinator(make_user):
    return make_user(role="facilitator", name="Karin Samordnare")


def test_entries_feed_lists_published_entries_with_links_authors_and_tags(app, make_entry):
    make_entry("Walkshop", authors="Anna Andersson", tags="promenad, dialog")
    make_entry("Hemligt utkast", status="draft")
    response = fetch(app, "/feeds/entries.atom")
    parsed = feedparser.parse(response.data)
    assert [e.title for e in parsed.entries] == ["Walkshop"]
    entry = parsed.entries[0]
    assert entry.link.endswith("/methods/walkshop") and entry.id == entry.link
    assert entry.author == "Anna Andersson" and {t.term for t in entry.tags} == {"promenad", "dialog"}
    assert "public" in response.headers["Cache-Control"]


def test_changed_entries_come_first(app, db_session, make_entry, make_user):
    from methodbook import entries

    first = make_entry("Fika med tema")
    make_entry("Walkshop")
    data = entries.validate_entry_data({**entries.snapshot(first), "summary": "Ny sammanfattning."}, db_session, first)
    entries.update_entry(db_session, first, data, make_user())
    db_session.commit()
    assert titles(fetch(app, "/feeds/entries.atom").data)[:2] == ["Fika med tema", "Walkshop"]


def test_tag_feed_holds_only_that_tag(app, make_entry):
    make_entry("Walkshop", tags="promenad")
    make_entry("Fika med tema", tags="fika")
    assert titles(fetch(app, "/feeds/tags/promenad.atom").data) == ["Walkshop"]
    assert titles(fetch(app, "/feeds/tags/finns-inte.atom").data) == []


def test_members_only_content_never_appears_in_a_public_feed(app, db_session, make_entry, coordinator, make_user):
    closed = networks.create_network(db_session, {**NETWORK, "slug": "slutet", "visibility": "members"}, coordinator)
    secret = make_entry("Intern metod", user=coordinator, tags="promenad")
    secret.network = closed
    db_session.commit()
    meetings.create_meeting(
        db_session, closed, {**MEETING, "starts_at": local(30), "ends_at": local(30, 15)}, coordinator
    )
    db_session.commit()
    for path in ("/feeds/entries.atom", "/feeds/tags/promenad.atom", f"/people/{coordinator.id}/feed.atom"):
        assert b"Intern metod" not in fetch(app, path).data, path
    assert visit(app, "/networks/slutet/feed.atom").status_code == 404


def test_network_feed_has_its_entries_and_meetings(app, db_session, make_entry, coordinator):
    network = networks.create_network(db_session, NETWORK, coordinator)
    method = make_entry("Nätverksmetod", user=coordinator)
    method.network = network
    make_entry("Någon annans metod")
    db_session.commit()
    meeting = meetings.create_meeting(db_session, network, {**MEETING, "starts_at": local(30), "ends_at": local(30, 15)},
                                      coordinator)  # fmt: skip
    db_session.commit()
    listed = titles(fetch(app, f"/networks/{network.slug}/feed.atom").data)
    assert set(listed) == {"Nätverksmetod", MEETING["title"]}
    meetings.cancel_meeting(db_session, meeting, coordinator)
    db_session.commit()
    assert f"Cancelled: {MEETING['title']}" in titles(fetch(app, f"/networks/{network.slug}/feed.atom").data)
    assert visit(app, "/networks/finns-inte/feed.atom").status_code == 404


def test_member_feed_lists_what_they_shared(app, db_session, make_entry, make_user):
    anna, bo = make_user(name="Anna"), make_user(name="Bo")
    make_entry("Annas metod", user=anna)
    make_entry("Bos metod", user=bo)
    assert titles(fetch(app, f"/people/{anna.id}/feed.atom").data) == ["Annas metod"]
    anna.active = False
    db_session.commit()
    assert visit(app, f"/people/{anna.id}/feed.atom").status_code == 404
    assert visit(app, "/people/999999/feed.atom").status_code == 404


def test_pages_announce_their_feeds(app, db_session, coordinator):
    page = visit(app, "/methods?tag=promenad").get_data(as_text=True)
    assert 'type="application/atom+xml"' in page and "/feeds/tags/promenad.atom" in page
    networks.create_network(db_session, NETWORK, coordinator)
    db_session.commit()
    assert f"/networks/{NETWORK['slug']}/feed.atom" in visit(app, f"/networks/{NETWORK['slug']}").get_data(as_text=True)
