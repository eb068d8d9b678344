"""Fixtures shared by the write-up and idea-book tests: a coordinator, a member, a public and a
members-only network (both with the member), and a meeting of the public one."""

from __future__ import annotations

import pytest

from methodbook import meetings, networks

MEETING = {
    "title": "Temadag: läsfrämjande",
    "format": "network-meeting",
    "starts_at": "2027-05-20T09:00",
    "ends_at": "2027-05-20T16:00",
    "place": "Stadsbiblioteket, Göteborg",
}


@pytest.fixture
def coordinator(make_user):
    return make_user(role="facilitator", name="Cecilia Samordnare")


@pytest.fixture
def member(make_user):
    return make_user(name="Mats Medlem")


@pytest.fixture
def network(db_session, coordinator, member):
    network = networks.create_network(db_session, {"name": "Bibliotek Väst", "slug": "bibliotek-vast"}, coordinator)
    networks.join(db_session, network, member)
    return network


@pytest.fixture
def closed(db_session, coordinator, member):
    raw = {"name": "Kulturchefer Syd", "slug": "kulturchefer-syd", "visibility": "members"}
    network = networks.create_network(db_session, raw, coordinator)
    networks.join(db_session, network, member)
    return network


@pytest.fixture
def meeting(db_session, network, coordinator):
    return meetings.create_meeting(db_session, network, MEETING, coordinator)
