"""Recognition on the pages: marks on profiles, the network's most shared, the help page, the opt-in leaderboard."""

from __future__ import annotations

from methodbook import networks
from tests.app.test_networks_web import NETWORK, signed_in, text_of, visit
from tests.conftest import csrf_from


def test_profile_shows_earned_marks_and_the_help_page_explains_them(app, make_user, make_entry):
    anna = make_user(name="Anna")
    assert "Recognition" not in text_of(visit(app, f"/people/{anna.id}"))
    make_entry("Mall för inbjudan", user=anna, kind="template")
    page = text_of(visit(app, f"/people/{anna.id}"))
    assert "First template shared" in page and "Critical friend</strong>" not in page
    assert "adapted by others 0 times" in page
    help_page = text_of(visit(app, "/help/recognition"))
    assert "Gave five critical-friend reviews." in help_page and "First share" in help_page


def test_network_page_lists_most_shared_and_a_leaderboard_only_when_turned_on(app, db_session, make_user, make_entry):
    coordinator = make_user(role="facilitator", name="Karin")
    network = networks.create_network(db_session, NETWORK, coordinator)
    method = make_entry("Walkshop", user=coordinator)
    method.network = network
    db_session.commit()
    make_entry("Skrivelse", user=coordinator, kind="write-up", methods_used="walkshop")
    page = text_of(visit(app, f"/networks/{network.slug}"))
    assert "Most shared this term" in page and "used or adapted 1 time" in page
    assert "Who shared most this term" not in page
    c = signed_in(app, coordinator)
    form = c.get(f"/networks/{network.slug}/edit")
    data = {**NETWORK, "leaderboard": "y", "csrf_token": csrf_from(form.data)}
    assert c.post(f"/networks/{network.slug}/edit", data=data).status_code == 302
    db_session.expire_all()
    assert network.leaderboard is True
    page = text_of(visit(app, f"/networks/{network.slug}"))
    assert "Who shared most this term" in page and f'href="/people/{coordinator.id}"' in page
