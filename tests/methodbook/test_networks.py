"""Networks: creation, membership, following, the people export and members-only visibility."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import delete, func, select

from methodbook import entries, networks, permissions
from methodbook.errors import Forbidden, ValidationError
from methodbook.models import Entry, Follow, Membership, Network, Notification, SearchQueue

HEADERS = {"name": "Name", "email": "E-mail", "organisation": "Organisation", "relation": "Relation", "since": "Since"}
LABELS = {"member": "Member", "coordinator": "Coordinator", "pending": "Pending", "follower": "Follower"}


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _notifications(session, user, kind: str) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    return list(session.scalars(query))


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def coordinator(make_user):
    return make_user(role="facilitator", name="Cecilia Samordnare")


@pytest.fixture
def member(make_user):
    return make_user(name="Mats Medlem")


@pytest.fixture
def outsider(make_user):
    return make_user(name="Olle Utanför")


@pytest.fixture
def network(db_session, coordinator):
    return networks.create_network(db_session, {"name": "Bibliotek Väst", "slug": "bibliotek-vast"}, coordinator)


@pytest.fixture
def closed(db_session, coordinator):
    """A members-only network that approves who joins."""
    raw = {"name": "Kulturchefer Syd", "slug": "kulturchefer-syd", "visibility": "members", "join_policy": "request"}
    return networks.create_network(db_session, raw, coordinator)


def _in(session, entry: Entry, network: Network) -> Entry:
    entry.network = network
    session.flush()
    return entry


# --- Creating and changing ---------------------------------------------------------------------


def test_create_network_makes_the_creator_its_coordinator(db_session, coordinator):
    raw = {"name": "  Läsfrämjare   Norr ", "description": "Vi träffas **två** gånger om året.", "contact": "a@b.se"}
    network = networks.create_network(db_session, raw, coordinator)
    assert (network.name, network.slug) == ("Läsfrämjare Norr", "lasframjare-norr")
    assert (network.visibility, network.join_policy, network.timezone) == ("public", "open", "Europe/Stockholm")
    assert [(m.user_id, m.role, m.status) for m in network.memberships] == [(coordinator.id, "coordinator", "active")]
    assert network.memberships[0].approved_at is not None
    assert networks.coordinator_ids(network) == {coordinator.id}
    assert networks.get_network(db_session, "lasframjare-norr") is network


def test_plain_member_cannot_create_a_network(db_session, member):
    with pytest.raises(Forbidden):
        networks.create_network(db_session, {"name": "Eget nätverk"}, member)
    assert _count(db_session, Network) == 0


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"name": "   ", "slug": "tomt"}, "name"),
        ({"name": "x" * (networks.NAME_MAX + 1), "slug": "langt"}, "name"),
        ({"name": "Nätverk", "slug": "Inte OK!"}, "slug"),
        ({"name": "Nätverk", "slug": "dubbla--streck"}, "slug"),
        ({"name": "Nätverk", "slug": "bibliotek-vast"}, "slug"),
        ({"name": "Nätverk", "timezone": "Europe/Atlantis"}, "timezone"),
        ({"name": "Nätverk", "visibility": "secret"}, "visibility"),
        ({"name": "Nätverk", "join_policy": "invite"}, "join_policy"),
    ],
)
def test_invalid_network_is_refused_and_nothing_stored(db_session, network, coordinator, raw, field):
    with pytest.raises(ValidationError) as caught:
        networks.create_network(db_session, raw, coordinator)
    assert set(caught.value.errors) == {field}
    assert _count(db_session, Network) == 1
    assert _count(db_session, Membership) == 1


def test_every_problem_is_reported_at_once(db_session, coordinator):
    raw = {"name": "", "slug": "?", "timezone": "Nowhere/Else", "visibility": "all"}
    with pytest.raises(ValidationError) as caught:
        networks.create_network(db_session, raw, coordinator)
    assert set(caught.value.errors) == {"name", "slug", "timezone", "visibility"}


def test_update_network_keeps_its_own_slug_and_refuses_others(db_session, network, closed, coordinator, member):
    networks.update_network(db_session, network, {"name": "Bibliotek Väst 2", "slug": "bibliotek-vast"}, coordinator)
    assert (network.name, network.slug) == ("Bibliotek Väst 2", "bibliotek-vast")
    with pytest.raises(ValidationError) as caught:
        networks.update_network(db_session, network, {"name": "X", "slug": "kulturchefer-syd"}, coordinator)
    assert set(caught.value.errors) == {"slug"}
    assert network.slug == "bibliotek-vast"
    with pytest.raises(Forbidden):
        networks.update_network(db_session, network, {"name": "Kapat"}, member)
    assert network.name == "Bibliotek Väst 2"


def test_changing_visibility_queues_the_networks_entries_for_reindexing(db_session, network, coordinator, make_entry):
    inside = [_in(db_session, make_entry(title=f"Metod {i}", user=coordinator), network) for i in (1, 2)]
    outside = make_entry(title="Fristående metod", user=coordinator)
    db_session.execute(delete(SearchQueue))
    networks.update_network(db_session, network, {"name": network.name, "slug": network.slug}, coordinator)
    db_session.flush()
    assert _count(db_session, SearchQueue) == 0, "same visibility: nothing to reindex"

    networks.update_network(db_session, network, {"name": network.name, "slug": network.slug,
                                                  "visibility": "members"}, coordinator)  # fmt: skip
    db_session.flush()
    queued = sorted(db_session.scalars(select(SearchQueue.entry_id)))
    assert queued == sorted(e.id for e in inside)
    assert outside.id not in queued
    assert db_session.info.get("search_pending") is True
    assert network.visibility == "members"


# --- Joining, approving, leaving ---------------------------------------------------------------


def test_joining_an_open_network_is_immediate(db_session, network, coordinator, member):
    row = networks.join(db_session, network, member)
    assert (row.role, row.status) == ("member", "active")
    assert row.approved_at is not None
    assert networks.is_member(network, member)
    assert networks.member_network_ids(db_session, member) == {network.id}
    assert _count(db_session, Notification) == 0
    assert networks.join(db_session, network, member) is row, "joining twice returns the same membership"
    assert _count(db_session, Membership, Membership.user_id == member.id) == 1


def test_joining_on_request_is_pending_and_tells_the_coordinators(db_session, closed, coordinator, member, make_user):
    second = make_user(name="Sara Samordnare")
    networks.set_member_role(closed, networks.join(db_session, closed, second), "coordinator", coordinator)
    plain = make_user(name="Per Plain")
    db_session.execute(delete(Notification))  # the second coordinator's own request
    row = networks.join(db_session, closed, member)
    assert (row.role, row.status, row.approved_at) == ("member", "pending", None)
    assert not networks.is_member(closed, member)
    assert networks.member_network_ids(db_session, member) == set()
    for person in (coordinator, second):
        told = _notifications(db_session, person, "membership")
        assert [(n.actor_id, n.subject, n.path) for n in told] == [
            (member.id, "Kulturchefer Syd", "/networks/kulturchefer-syd/people")
        ]
    assert _notifications(db_session, plain, "membership") == []


def test_inactive_user_cannot_join(db_session, network, member):
    member.active = False
    with pytest.raises(Forbidden):
        networks.join(db_session, network, member)
    assert networks.membership(db_session, network, member) is None


def test_coordinator_approves_a_pending_member(db_session, closed, coordinator, member):
    row = networks.join(db_session, closed, member)
    networks.approve(db_session, closed, row, coordinator)
    assert row.status == "active"
    assert row.approved_at is not None
    assert networks.is_member(closed, member)
    assert [n.actor_id for n in _notifications(db_session, member, "membership")] == [coordinator.id]


def test_only_coordinators_and_admins_approve(db_session, closed, coordinator, member, outsider, make_user):
    row = networks.join(db_session, closed, member)
    for user in (member, outsider):
        with pytest.raises(Forbidden):
            networks.approve(db_session, closed, row, user)
    assert row.status == "pending"
    networks.approve(db_session, closed, row, make_user(role="admin"))
    assert row.status == "active"


def test_leaving_removes_the_membership(db_session, network, member):
    networks.join(db_session, network, member)
    networks.leave(db_session, network, member)
    assert networks.membership(db_session, network, member) is None
    assert not networks.is_member(network, member)
    networks.leave(db_session, network, member)  # leaving again is harmless


def test_withdrawing_a_pending_request(db_session, closed, member):
    networks.join(db_session, closed, member)
    networks.leave(db_session, closed, member)
    assert networks.membership(db_session, closed, member) is None


def test_the_last_coordinator_cannot_leave(db_session, network, coordinator, member):
    with pytest.raises(ValidationError) as caught:
        networks.leave(db_session, network, coordinator)
    assert set(caught.value.errors) == {"network"}
    assert networks.coordinator_ids(network) == {coordinator.id}
    row = networks.join(db_session, network, member)
    networks.set_member_role(network, row, "coordinator", coordinator)
    networks.leave(db_session, network, coordinator)
    assert networks.coordinator_ids(network) == {member.id}
    # The one who took over is now the last coordinator.
    with pytest.raises(ValidationError):
        networks.leave(db_session, network, member)
    db_session.flush()
    assert networks.membership(db_session, network, member) is not None


def test_the_last_coordinator_cannot_be_demoted_or_removed(db_session, network, coordinator, make_user):
    admin = make_user(role="admin")
    own = networks.membership(db_session, network, coordinator)
    with pytest.raises(ValidationError):
        networks.set_member_role(network, own, "member", admin)
    with pytest.raises(ValidationError):
        networks.remove_member(db_session, network, own, admin)
    db_session.flush()
    assert (own.role, own.status) == ("coordinator", "active")
    assert networks.membership(db_session, network, coordinator) is own


def test_coordinator_manages_roles_and_removes_members(db_session, network, coordinator, member, outsider):
    row = networks.join(db_session, network, member)
    with pytest.raises(ValidationError):
        networks.set_member_role(network, row, "owner", coordinator)
    with pytest.raises(Forbidden):
        networks.set_member_role(network, row, "coordinator", outsider)
    networks.set_member_role(network, row, "coordinator", coordinator)
    assert networks.coordinator_ids(network) == {coordinator.id, member.id}
    own = networks.membership(db_session, network, coordinator)
    networks.set_member_role(network, own, "member", member)  # another coordinator remains
    assert networks.coordinator_ids(network) == {member.id}
    networks.remove_member(db_session, network, own, member)
    db_session.flush()
    assert networks.membership(db_session, network, coordinator) is None


def test_promoting_a_pending_member_to_coordinator_activates_them(db_session, closed, coordinator, member):
    row = networks.join(db_session, closed, member)
    networks.set_member_role(closed, row, "coordinator", coordinator)
    assert (row.role, row.status) == ("coordinator", "active")


# --- Following ---------------------------------------------------------------------------------


def test_follow_unfollow_follows_and_followers(db_session, network, make_user):
    bo, anna, gone = make_user(name="Bo Berg"), make_user(name="Anna Ek"), make_user(name="Cilla Borta")
    target = str(network.id)
    assert networks.follows(db_session, bo, "network", target) is False
    for user in (bo, anna, gone):
        networks.follow(db_session, user, "network", target)
    networks.follow(db_session, bo, "network", target)
    assert _count(db_session, Follow, Follow.user_id == bo.id) == 1, "following twice stores one row"
    gone.active = False
    db_session.flush()
    assert networks.follows(db_session, bo, "network", target) is True
    assert networks.follows(db_session, None, "network", target) is False
    assert networks.follows(db_session, bo, "network", "999999") is False
    assert [u.display_name for u in networks.followers(db_session, network)] == ["Anna Ek", "Bo Berg"]
    networks.unfollow(db_session, bo, "network", target)
    assert networks.follows(db_session, bo, "network", target) is False
    assert [u.id for u in networks.followers(db_session, network)] == [anna.id]


def test_following_does_not_make_a_member(db_session, closed, member):
    networks.follow(db_session, member, "network", str(closed.id))
    assert not networks.is_member(closed, member)
    assert networks.membership(db_session, closed, member) is None


# --- People export -----------------------------------------------------------------------------


def test_people_csv_lists_members_pending_and_followers_with_bom(db_session, closed, coordinator, make_user):
    member, waiting, fan = make_user(name="Bengt Medlem"), make_user(name="Dora Väntar"), make_user(name="Åsa Följare")
    member.organisation = "Malmö stad"
    networks.approve(db_session, closed, networks.join(db_session, closed, member), coordinator)
    networks.join(db_session, closed, waiting)
    networks.follow(db_session, fan, "network", str(closed.id))
    networks.follow(db_session, member, "network", str(closed.id))  # a member who also follows: listed once
    db_session.flush()

    data = networks.people_csv(db_session, closed, HEADERS, LABELS)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(data)
    assert rows[0] == ["Name", "E-mail", "Organisation", "Relation", "Since"]
    assert [(r[0], r[1], r[2], r[3]) for r in rows[1:]] == [
        ("Bengt Medlem", member.email, "Malmö stad", "Member"),
        ("Cecilia Samordnare", coordinator.email, "", "Coordinator"),
        ("Dora Väntar", waiting.email, "", "Pending"),
        ("Åsa Följare", fan.email, "", "Follower"),
    ]
    assert all(len(r[4]) == 10 and r[4][4] == "-" for r in rows[1:]), "since is an ISO date"


def test_people_csv_guards_against_spreadsheet_formulas(db_session, network, make_user):
    evil = make_user(name='=HYPERLINK("http://evil.example","klicka")')
    evil.organisation = "+46 8 123 45"
    networks.join(db_session, network, evil)
    follower = make_user(name="@SUM(A1:A9)")
    networks.follow(db_session, follower, "network", str(network.id))
    db_session.flush()
    rows = _csv_rows(networks.people_csv(db_session, network, HEADERS, LABELS))
    names = {r[0]: r for r in rows[1:]}
    assert names['\'=HYPERLINK("http://evil.example","klicka")'][2] == "'+46 8 123 45"
    assert "'@SUM(A1:A9)" in names
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r)


# --- Members-only visibility -------------------------------------------------------------------


@pytest.fixture
def three_entries(db_session, make_entry, network, closed, coordinator):
    """A loose entry, one in a public network and one in a members-only network."""
    loose = make_entry(title="Lös metod", user=coordinator)
    public = _in(db_session, make_entry(title="Öppen metod", user=coordinator), network)
    secret = _in(db_session, make_entry(title="Intern metod", user=coordinator), closed)
    return loose, public, secret


def _visible_titles(session, viewer) -> set[str]:
    return {e.title for e in session.scalars(entries.visible_entries(viewer))}


def test_members_only_entries_are_listed_for_members_and_admins_only(
    db_session, closed, three_entries, coordinator, member, make_user
):
    pending = make_user(name="Pia Pending")
    networks.join(db_session, closed, pending)
    networks.approve(db_session, closed, networks.join(db_session, closed, member), coordinator)
    db_session.flush()
    everyone = {"Lös metod", "Öppen metod", "Intern metod"}
    public = {"Lös metod", "Öppen metod"}
    assert _visible_titles(db_session, None) == public
    assert _visible_titles(db_session, make_user(name="Icke Medlem")) == public
    assert _visible_titles(db_session, pending) == public
    assert _visible_titles(db_session, member) == everyone
    assert _visible_titles(db_session, make_user(role="admin")) == everyone


def test_tag_counts_leave_out_members_only_entries_for_non_members(
    db_session, closed, coordinator, member, make_entry, make_user
):
    make_entry(title="Öppen", user=coordinator, tags="samtal, fika")
    _in(db_session, make_entry(title="Intern", user=coordinator, tags="samtal, hemligt"), closed)
    pending = make_user(name="Pia Pending")
    networks.join(db_session, closed, pending)
    networks.approve(db_session, closed, networks.join(db_session, closed, member), coordinator)
    db_session.flush()
    everything = [("samtal", 2), ("fika", 1), ("hemligt", 1)]
    public = [("fika", 1), ("samtal", 1)]
    assert entries.tag_counts(db_session) == public
    assert entries.tag_counts(db_session, viewer=make_user(name="Icke Medlem")) == public
    assert entries.tag_counts(db_session, viewer=pending) == public
    assert entries.tag_counts(db_session, viewer=member) == everything
    assert entries.tag_counts(db_session, viewer=make_user(role="admin")) == everything


def test_can_view_an_entry_in_a_members_only_network(db_session, closed, three_entries, coordinator, make_user):
    loose, public, secret = three_entries
    member, pending, stranger = make_user(name="M"), make_user(name="P"), make_user(name="S")
    networks.approve(db_session, closed, networks.join(db_session, closed, member), coordinator)
    networks.join(db_session, closed, pending)
    admin = make_user(role="admin")
    for viewer in (None, stranger, pending):
        assert permissions.can_view(viewer, secret) is False
        assert permissions.can_view(viewer, public) is True
        assert permissions.can_view(viewer, loose) is True
    for viewer in (member, coordinator, admin):
        assert permissions.can_view(viewer, secret) is True
    admin.active = False
    assert permissions.can_view(admin, secret) is False


def test_set_entry_network_only_to_networks_the_author_belongs_to(
    db_session, network, closed, coordinator, member, make_entry, make_user
):
    entry = make_entry(title="Min metod", user=member)
    networks.join(db_session, network, member)
    networks.join(db_session, closed, member)  # pending
    with pytest.raises(ValidationError) as caught:
        networks.set_entry_network(db_session, entry, closed.id, member)
    assert set(caught.value.errors) == {"network"}
    with pytest.raises(ValidationError):
        networks.set_entry_network(db_session, entry, 987_654, member)
    assert entry.network_id is None
    networks.set_entry_network(db_session, entry, network.id, member)
    db_session.flush()
    assert entry.network_id == network.id
    assert [n.slug for n in networks.networks_for_author(db_session, member)] == ["bibliotek-vast"]
    networks.set_entry_network(db_session, entry, None, member)
    assert entry.network is None
    networks.set_entry_network(db_session, entry, closed.id, make_user(role="admin"))
    db_session.flush()
    assert entry.network_id == closed.id


def test_visible_network_ids_admin_sees_all(db_session, network, closed, coordinator, member, make_user):
    networks.join(db_session, network, member)
    assert networks.visible_network_ids(db_session, member) == {network.id}
    assert networks.visible_network_ids(db_session, coordinator) == {network.id, closed.id}
    assert networks.visible_network_ids(db_session, None) == set()
    assert networks.visible_network_ids(db_session, make_user(role="admin")) is None
