"""Networks and meetings through the web: membership, following, meetings in local time, registration
with a waitlist, participants, iCalendar, and members-only content walked as a non-member."""

from __future__ import annotations

import csv
import email
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from methodbook import feedback, meetings, networks
from methodbook.attachments import store_upload
from methodbook.models import Entry, Follow, Meeting, Membership, Network, Notification, Registration
from tests.conftest import PASSWORD, csrf_from, post_form

MEETING = {
    "title": "Temadag om läsfrämjande", "theme": "Läsning för alla", "format": "network-meeting",
    "description": "Vi delar **metoder**.", "starts_at": "", "ends_at": "", "place": "Stadsbiblioteket, sal 2",
    "video_url": "", "capacity": "", "registration_opens_at": "", "registration_closes_at": "",
}  # fmt: skip
NETWORK = {
    "name": "Läsnätverket Norr", "slug": "lasnatverket-norr", "description": "Bibliotek i norr som **läser**.",
    "contact": "samordnare@example.org", "visibility": "public", "join_policy": "open", "timezone": "Europe/Stockholm",
}  # fmt: skip


# --- helpers ---------------------------------------------------------------------------------


def text_of(response) -> str:
    return response.get_data(as_text=True)


def count(db_session, model, *where) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(*where))


def local(days: int, hour: int = 10, minute: int = 0) -> str:
    """A datetime-local value some days from today, so registration tests never go stale."""
    return f"{(date.today() + timedelta(days=days)).isoformat()}T{hour:02d}:{minute:02d}"


def flash_categories(page: str) -> list[str]:
    return re.findall(r'class="flash flash-(\w+)"', page)


def input_value(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input {name} on the page"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def signed_in(app, user):
    """A client of its own, logged in through the login form (several people in one test)."""
    c = app.test_client()
    response = post_form(c, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.data[:300]
    return c


def visit(app, path: str):
    """Fetch as a new visitor: a fresh client sends no cookie, so the page cache may answer."""
    return app.test_client().get(path)


def make_network(db_session, coordinator, **changes) -> Network:
    network = networks.create_network(db_session, {**NETWORK, **changes}, coordinator)
    db_session.commit()
    return network


def add_member(db_session, network, user, coordinator) -> Membership:
    row = networks.join(db_session, network, user)
    if row.status != "active":
        networks.approve(db_session, network, row, coordinator)
    db_session.commit()
    return row


def make_meeting(db_session, network, coordinator, **changes) -> Meeting:
    raw = {**MEETING, "starts_at": local(60, 10), "ends_at": local(60, 15), **changes}
    meeting = meetings.create_meeting(db_session, network, raw, coordinator)
    db_session.commit()
    return meeting


def plan(c, slug: str, **changes):
    data = {**MEETING, "starts_at": local(60, 10), "ends_at": local(60, 15), **changes}
    return post_form(c, f"/networks/{slug}/meetings/new", data)


def register(c, meeting_id: int, note: str = "", listed: bool = False, **kwargs):
    data = {"note": note}
    if listed:
        data["listed"] = "y"
    return post_form(c, f"/meetings/{meeting_id}/register", data, form_url=f"/meetings/{meeting_id}", **kwargs)


def unregister(c, meeting_id: int, **kwargs):
    return post_form(c, f"/meetings/{meeting_id}/unregister", form_url=f"/meetings/{meeting_id}", **kwargs)


def read_csv(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for spreadsheets"
    return list(csv.reader(io.StringIO(response.data[3:].decode("utf-8"))))


def notifications_of(db_session, user, kind: str) -> list[Notification]:
    db_session.expire_all()
    query = select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    return list(db_session.scalars(query.order_by(Notification.id)))


def events(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def registrations(db_session, meeting) -> dict[str, str]:
    db_session.expire_all()
    rows = db_session.scalars(select(Registration).where(Registration.meeting_id == meeting.id))
    return {row.user.email: row.status for row in rows}


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def coordinator(make_user):
    return make_user(role="facilitator", name="Karin Samordnare", email="karin@example.org")


@pytest.fixture
def network(db_session, coordinator) -> Network:
    return make_network(db_session, coordinator)


@pytest.fixture
def coord(app, coordinator):
    """The coordinator's client."""
    return signed_in(app, coordinator)


# --- networks: create, join, approve, follow, people ----------------------------------------


def test_facilitator_creates_a_network_and_coordinates_it(client, login, make_user, db_session):
    facilitator = make_user(role="facilitator")
    login(facilitator)
    form = client.get("/networks/new")
    assert form.status_code == 200 and 'name="timezone"' in text_of(form)
    response = post_form(client, "/networks/new", NETWORK)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/networks/lasnatverket-norr"
    network = db_session.scalar(select(Network).where(Network.slug == "lasnatverket-norr"))
    assert network.name == "Läsnätverket Norr" and network.contact == "samordnare@example.org"
    assert [(m.user_id, m.role, m.status) for m in network.memberships] == [(facilitator.id, "coordinator", "active")]
    page = text_of(client.get("/networks/lasnatverket-norr"))
    assert "/networks/lasnatverket-norr/people" in page and "/networks/lasnatverket-norr/meetings/new" in page
    assert "<strong>läser</strong>" in page
    assert "Läsnätverket Norr" in text_of(client.get("/networks"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"slug": "Inte OK!"}, "slug"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"visibility": "secret"}, "visibility"),
    ],
)
def test_bad_network_is_refused_with_input_kept(client, login, make_user, db_session, changes, field):
    login(make_user(role="facilitator"))
    response = post_form(client, "/networks/new", {**NETWORK, **changes}, form_url="/networks/new")
    page = text_of(response)
    assert response.status_code == 400
    assert 'class="error-summary"' in page and f'id="{field}-error"' in page
    assert count(db_session, Network) == 0 and count(db_session, Membership) == 0
    assert "samordnare@example.org" in page, "what was typed is shown again"


def test_taken_network_slug_is_refused(client, login, make_user, db_session, network):
    login(make_user(role="facilitator"))
    response = post_form(client, "/networks/new", NETWORK)
    assert response.status_code == 400 and 'id="slug-error"' in text_of(response)
    assert count(db_session, Network) == 1


def test_plain_member_may_not_create_a_network(client, login, make_user, db_session):
    login(make_user())
    assert client.get("/networks/new").status_code == 403
    token = csrf_from(client.get("/networks").data)
    assert client.post("/networks/new", data={**NETWORK, "csrf_token": token}).status_code == 403
    assert count(db_session, Network) == 0


def test_member_joins_an_open_network_and_leaves_it(app, make_user, db_session, network):
    member = make_user()
    c = signed_in(app, member)
    response = post_form(c, "/networks/lasnatverket-norr/join", form_url="/networks/lasnatverket-norr")
    assert response.status_code == 302
    row = networks.membership(db_session, network, member)
    assert (row.role, row.status) == ("member", "active")
    page = text_of(c.get("/networks/lasnatverket-norr"))
    assert "/networks/lasnatverket-norr/leave" in page and "/networks/lasnatverket-norr/join" not in page
    post_form(c, "/networks/lasnatverket-norr/leave", form_url="/networks/lasnatverket-norr")
    db_session.expire_all()
    assert networks.membership(db_session, network, member) is None


def test_join_request_is_approved_on_the_people_page_and_the_member_is_told(
    app, coord, coordinator, make_user, db_session
):
    network = make_network(db_session, coordinator, join_policy="request")
    member = make_user(name="Olle Väntar")
    c = signed_in(app, member)
    assert post_form(c, "/networks/lasnatverket-norr/join", form_url="/networks/lasnatverket-norr").status_code == 302
    row = networks.membership(db_session, network, member)
    assert row.status == "pending"
    assert not networks.is_member(network, member)
    assert [n.path for n in notifications_of(db_session, coordinator, "membership")] == [
        "/networks/lasnatverket-norr/people"
    ]
    assert "/networks/lasnatverket-norr/leave" in text_of(c.get("/networks/lasnatverket-norr")), "can withdraw"

    people = text_of(coord.get("/networks/lasnatverket-norr/people"))
    action = f"/networks/lasnatverket-norr/people/{row.id}"
    assert action in people and 'value="approve"' in people and "Olle Väntar" in people
    response = coord.post(action, data={"action": "approve", "csrf_token": csrf_from(people)})
    assert response.status_code == 302
    db_session.expire_all()
    assert networks.membership(db_session, network, member).status == "active"
    told = notifications_of(db_session, member, "membership")
    assert [(n.subject, n.path, n.actor_id) for n in told] == [
        ("Läsnätverket Norr", "/networks/lasnatverket-norr", coordinator.id)
    ]
    assert "Läsnätverket Norr" in text_of(c.get("/notifications"))
    opened = c.get(f"/notifications/{told[0].id}")
    assert urlsplit(opened.headers["Location"]).path == "/networks/lasnatverket-norr"


def test_join_request_and_approval_are_also_mailed(app, coord, coordinator, make_user, db_session, tmp_path):
    outbox = tmp_path / "outbox"
    app.config["MAIL_OUTBOX_DIR"] = str(outbox)

    def mailed_to() -> list[str]:
        found = [email.message_from_bytes(p.read_bytes())["To"] for p in sorted(outbox.glob("*.eml"))]
        for p in outbox.glob("*.eml"):
            p.unlink()
        return found

    make_network(db_session, coordinator, join_policy="request")
    member = make_user(email="olle@example.org")
    c = signed_in(app, member)
    post_form(c, "/networks/lasnatverket-norr/join", form_url="/networks/lasnatverket-norr")
    asked = mailed_to()
    row = db_session.scalar(select(Membership).where(Membership.user_id == member.id))
    people = text_of(coord.get("/networks/lasnatverket-norr/people"))
    coord.post(
        f"/networks/lasnatverket-norr/people/{row.id}", data={"action": "approve", "csrf_token": csrf_from(people)}
    )
    approved = mailed_to()
    assert plan(coord, "lasnatverket-norr").status_code == 302
    assert mailed_to() == ["olle@example.org"], "the outbox works: a new meeting is mailed to the member"
    # The coordinator hears of the request, and the member of the approval, by e-mail too.
    assert {"request": asked, "approval": approved} == {
        "request": ["karin@example.org"], "approval": ["olle@example.org"]
    }  # fmt: skip


def test_non_coordinator_may_not_manage_people(app, make_user, db_session, network, coordinator):
    member = make_user()
    add_member(db_session, network, member, coordinator)
    c = signed_in(app, member)
    assert c.get("/networks/lasnatverket-norr/people").status_code == 403
    assert c.get("/networks/lasnatverket-norr/people.csv").status_code == 403
    assert c.get("/networks/lasnatverket-norr/edit").status_code == 403
    own = networks.membership(db_session, network, coordinator)
    token = csrf_from(c.get("/networks/lasnatverket-norr").data)
    response = c.post(f"/networks/lasnatverket-norr/people/{own.id}", data={"action": "remove", "csrf_token": token})
    assert response.status_code == 403
    db_session.expire_all()
    assert networks.membership(db_session, network, coordinator) is not None


def test_last_coordinator_cannot_leave(coord, coordinator, db_session, network):
    response = post_form(coord, "/networks/lasnatverket-norr/leave", form_url="/networks/lasnatverket-norr")
    assert response.status_code == 302
    assert "error" in flash_categories(text_of(coord.get("/networks/lasnatverket-norr")))
    db_session.expire_all()
    assert networks.membership(db_session, network, coordinator).role == "coordinator"


def test_follow_and_unfollow(app, make_user, db_session, network):
    follower = make_user()
    c = signed_in(app, follower)
    url = "/networks/lasnatverket-norr/follow"
    assert post_form(c, url, {"follow": "1"}, form_url="/networks/lasnatverket-norr").status_code == 302
    assert networks.follows(db_session, follower, "network", str(network.id))
    page = text_of(c.get("/networks/lasnatverket-norr"))
    assert re.search(r'name="follow" value="0"', page), "the button now stops following"
    post_form(c, url, {"follow": "1"}, form_url="/networks/lasnatverket-norr")
    assert count(db_session, Follow, Follow.user_id == follower.id) == 1, "following twice stores one row"
    post_form(c, url, {"follow": "0"}, form_url="/networks/lasnatverket-norr")
    assert not networks.follows(db_session, follower, "network", str(network.id))
    assert networks.membership(db_session, network, follower) is None, "following is not membership"


def test_people_csv_lists_members_requests_and_followers(coord, coordinator, make_user, db_session, network):
    member = make_user(name="Anna Medlem", email="anna@example.org")
    add_member(db_session, network, member, coordinator)
    network.join_policy = "request"
    db_session.commit()
    asking = make_user(name="Bo Frågar", email="bo@example.org")
    networks.join(db_session, network, asking)
    follower = make_user(name="=Cecilia Följer", email="cecilia@example.org")
    networks.follow(db_session, follower, "network", str(network.id))
    db_session.commit()
    response = coord.get("/networks/lasnatverket-norr/people.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    rows = read_csv(response)
    assert len(rows) == 5 and len(rows[0]) == 5
    by_email = {row[1]: row for row in rows[1:]}
    assert set(by_email) == {"karin@example.org", "anna@example.org", "bo@example.org", "cecilia@example.org"}
    relations = {email: row[3] for email, row in by_email.items()}
    assert len({relations["karin@example.org"], relations["anna@example.org"], relations["bo@example.org"],
                relations["cecilia@example.org"]}) == 4, "coordinator, member, request and follower differ"  # fmt: skip
    assert by_email["cecilia@example.org"][0].startswith("'="), "formula-like cells are defused"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", by_email["anna@example.org"][4]), "since: an ISO date"


# --- meetings: planning in local time ------------------------------------------------------


def test_meeting_times_are_stored_in_utc_across_dst_and_shown_back_in_local_time(coord, db_session, network):
    summer = plan(coord, "lasnatverket-norr", title="Efter omställningen", starts_at="2027-03-28T10:00",
                  ends_at="2027-03-28T12:00")  # fmt: skip
    winter = plan(coord, "lasnatverket-norr", title="Före omställningen", starts_at="2027-03-27T10:00",
                  ends_at="2027-03-27T12:00")  # fmt: skip
    assert summer.status_code == 302 and winter.status_code == 302
    after = db_session.scalar(select(Meeting).where(Meeting.title == "Efter omställningen"))
    before = db_session.scalar(select(Meeting).where(Meeting.title == "Före omställningen"))
    assert after.starts_at == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert after.ends_at == datetime(2027, 3, 28, 10, 0, tzinfo=UTC)
    assert before.starts_at == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)
    assert urlsplit(summer.headers["Location"]).path == f"/meetings/{after.id}"
    form = text_of(coord.get(f"/meetings/{after.id}/edit"))
    assert input_value(form, "starts_at") == "2027-03-28T10:00"
    assert input_value(form, "ends_at") == "2027-03-28T12:00"
    assert input_value(form, "title") == "Efter omställningen"
    assert input_value(coord.get(f"/meetings/{before.id}/edit").get_data(as_text=True), "starts_at") == (
        "2027-03-27T10:00"
    )


def test_editing_a_meeting_keeps_local_time_and_raises_the_sequence(coord, coordinator, db_session, network):
    meeting = make_meeting(db_session, network, coordinator, starts_at="2027-10-30T10:00", ends_at="2027-10-30T12:00")
    assert meeting.starts_at == datetime(2027, 10, 30, 8, 0, tzinfo=UTC)
    form = text_of(coord.get(f"/meetings/{meeting.id}/edit"))
    data = {**MEETING, "starts_at": "2027-11-01T10:00", "ends_at": "2027-11-01T12:00", "capacity": "12"}
    response = coord.post(f"/meetings/{meeting.id}/edit", data={**data, "csrf_token": csrf_from(form)})
    assert response.status_code == 302
    db_session.expire_all()
    meeting = db_session.get(Meeting, meeting.id)
    assert meeting.starts_at == datetime(2027, 11, 1, 9, 0, tzinfo=UTC), "winter time after the change: UTC+1"
    assert meeting.capacity == 12 and meeting.sequence == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": "2027-05-10T12:00", "ends_at": "2027-05-10T10:00"}, "ends_at"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-5"}, "capacity"),
        ({"capacity": "tio"}, "capacity"),
        ({"registration_closes_at": "2027-05-10T16:00"}, "registration_closes_at"),
        ({"starts_at": "2027-03-28T02:30", "ends_at": "2027-03-28T05:00"}, "starts_at"),
        ({"starts_at": "inte en tid"}, "starts_at"),
        ({"title": ""}, "title"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
    ],
)
def test_bad_meeting_is_refused_and_stores_nothing(coord, db_session, network, changes, field):
    data = {"starts_at": "2027-05-10T10:00", "ends_at": "2027-05-10T15:00", "title": "Fika med tema", **changes}
    response = plan(coord, "lasnatverket-norr", **data)
    page = text_of(response)
    assert response.status_code == 400
    assert 'class="error-summary"' in page and f'id="{field}-error"' in page
    assert count(db_session, Meeting) == 0 and count(db_session, Notification) == 0
    assert "Stadsbiblioteket, sal 2" in page, "what was typed is shown again"


def test_only_coordinators_plan_meetings(app, make_user, db_session, network, coordinator):
    member = make_user()
    add_member(db_session, network, member, coordinator)
    c = signed_in(app, member)
    assert c.get("/networks/lasnatverket-norr/meetings/new").status_code == 403
    token = csrf_from(c.get("/networks/lasnatverket-norr").data)
    data = {**MEETING, "starts_at": local(60, 10), "ends_at": local(60, 12), "csrf_token": token}
    assert c.post("/networks/lasnatverket-norr/meetings/new", data=data).status_code == 403
    assert count(db_session, Meeting) == 0


def test_members_and_followers_hear_of_a_new_meeting(coord, coordinator, make_user, db_session, network):
    member, follower, bystander = make_user(), make_user(), make_user()
    add_member(db_session, network, member, coordinator)
    networks.follow(db_session, follower, "network", str(network.id))
    networks.follow(db_session, member, "network", str(network.id))
    db_session.commit()
    assert plan(coord, "lasnatverket-norr").status_code == 302
    meeting = db_session.scalar(select(Meeting))
    for person in (member, follower):
        told = notifications_of(db_session, person, "new_meeting")
        assert [(n.subject, n.path) for n in told] == [("Temadag om läsfrämjande", f"/meetings/{meeting.id}")]
    assert notifications_of(db_session, bystander, "new_meeting") == []
    assert notifications_of(db_session, coordinator, "new_meeting") == [], "not the one who planned it"


def test_followers_of_a_members_only_network_are_not_told_its_meetings(coord, coordinator, make_user, db_session):
    network = make_network(db_session, coordinator, visibility="members")
    member, follower = make_user(), make_user()
    add_member(db_session, network, member, coordinator)
    networks.follow(db_session, follower, "network", str(network.id))
    db_session.commit()
    assert plan(coord, "lasnatverket-norr").status_code == 302
    assert len(notifications_of(db_session, member, "new_meeting")) == 1
    assert notifications_of(db_session, follower, "new_meeting") == []


# --- registration ----------------------------------------------------------------------------


@pytest.fixture
def meeting(db_session, network, coordinator) -> Meeting:
    return make_meeting(db_session, network, coordinator, capacity="2")


def test_one_click_registration_with_note_and_consent(app, make_user, db_session, meeting):
    member = make_user()
    c = signed_in(app, member)
    page = text_of(c.get(f"/meetings/{meeting.id}"))
    assert f'action="/meetings/{meeting.id}/register"' in page and 'name="note"' in page and 'name="listed"' in page
    response = register(c, meeting.id, note="Vegetarisk kost, tack.", listed=True)
    assert response.status_code == 302
    row = meetings.registration_of(db_session, meeting, member)
    assert (row.status, row.note, row.on_participant_list) == ("registered", "Vegetarisk kost, tack.", True)
    page = text_of(c.get(f"/meetings/{meeting.id}"))
    assert f'action="/meetings/{meeting.id}/unregister"' in page
    assert f'action="/meetings/{meeting.id}/register"' not in page
    assert "You are registered." in page


def test_registering_twice_gives_a_message_and_no_duplicate(app, make_user, db_session, meeting):
    member = make_user()
    c = signed_in(app, member)
    register(c, meeting.id)
    token = csrf_from(c.get(f"/meetings/{meeting.id}").data)
    again = c.post(f"/meetings/{meeting.id}/register", data={"note": "", "csrf_token": token})
    assert again.status_code in (302, 303)
    assert "error" in flash_categories(text_of(c.get(f"/meetings/{meeting.id}")))
    assert count(db_session, Registration, Registration.meeting_id == meeting.id) == 1


def test_full_meeting_puts_the_next_on_the_waitlist_with_their_place(app, make_user, db_session, meeting):
    people = [make_user(email=f"deltagare{i}@example.org") for i in range(4)]
    clients = [signed_in(app, p) for p in people]
    for c in clients:
        assert register(c, meeting.id).status_code == 302
    assert registrations(db_session, meeting) == {
        "deltagare0@example.org": "registered", "deltagare1@example.org": "registered",
        "deltagare2@example.org": "waitlisted", "deltagare3@example.org": "waitlisted",
    }  # fmt: skip
    fourth = text_of(clients[3].get(f"/meetings/{meeting.id}"))
    assert re.search(r"number 2 on the waitlist", fourth)
    third = text_of(clients[2].get(f"/meetings/{meeting.id}"))
    assert re.search(r"number 1 on the waitlist", third)


def test_cancelling_promotes_the_first_on_the_waitlist_and_tells_them(app, make_user, db_session, meeting):
    people = [make_user(email=f"deltagare{i}@example.org") for i in range(4)]
    clients = [signed_in(app, p) for p in people]
    for c in clients:
        register(c, meeting.id)
    assert unregister(clients[0], meeting.id).status_code == 302
    assert registrations(db_session, meeting) == {
        "deltagare0@example.org": "cancelled", "deltagare1@example.org": "registered",
        "deltagare2@example.org": "registered", "deltagare3@example.org": "waitlisted",
    }  # fmt: skip
    told = notifications_of(db_session, people[2], "waitlist_promoted")
    assert [n.path for n in told] == [f"/meetings/{meeting.id}"]
    assert notifications_of(db_session, people[3], "waitlist_promoted") == []
    assert "You are registered." in text_of(clients[2].get(f"/meetings/{meeting.id}"))
    assert re.search(r"number 1 on the waitlist", text_of(clients[3].get(f"/meetings/{meeting.id}")))


def test_save_the_date_shows_the_meeting_but_refuses_registration(app, coordinator, make_user, db_session, network):
    meeting = make_meeting(db_session, network, coordinator, registration_opens_at=local(30, 9))
    c = signed_in(app, make_user())
    page = text_of(c.get(f"/meetings/{meeting.id}"))
    assert "Temadag om läsfrämjande" in page
    assert f'action="/meetings/{meeting.id}/register"' not in page
    token = csrf_from(page)
    response = c.post(f"/meetings/{meeting.id}/register", data={"note": "", "csrf_token": token})
    assert response.status_code in (302, 303)
    assert "error" in flash_categories(text_of(c.get(f"/meetings/{meeting.id}")))
    assert count(db_session, Registration) == 0


def test_cancelled_meeting_refuses_registration_and_tells_those_registered(
    app, coord, coordinator, make_user, db_session, meeting
):
    member = make_user()
    c = signed_in(app, member)
    register(c, meeting.id)
    response = post_form(coord, f"/meetings/{meeting.id}/cancel", form_url=f"/meetings/{meeting.id}")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Meeting, meeting.id).cancelled_at is not None
    assert len(notifications_of(db_session, member, "meeting_message")) == 1
    late = signed_in(app, make_user())
    page = text_of(late.get(f"/meetings/{meeting.id}"))
    assert f'action="/meetings/{meeting.id}/register"' not in page
    late.post(f"/meetings/{meeting.id}/register", data={"note": "", "csrf_token": csrf_from(page)})
    assert "error" in flash_categories(text_of(late.get(f"/meetings/{meeting.id}")))
    assert count(db_session, Registration, Registration.meeting_id == meeting.id) == 1


def test_anonymous_visitor_sees_the_meeting_and_is_asked_to_log_in(client, db_session, meeting):
    page = text_of(client.get(f"/meetings/{meeting.id}"))
    assert "Temadag om läsfrämjande" in page and f"/login?next=/meetings/{meeting.id}" in page
    assert f'action="/meetings/{meeting.id}/register"' not in page
    token = csrf_from(client.get("/login").data)
    response = client.post(f"/meetings/{meeting.id}/register", data={"note": "", "csrf_token": token})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert count(db_session, Registration) == 0


def test_non_member_cannot_register_for_a_members_only_meeting(app, coordinator, make_user, db_session):
    network = make_network(db_session, coordinator, visibility="members")
    meeting = make_meeting(db_session, network, coordinator)
    c = signed_in(app, make_user())
    token = csrf_from(c.get("/networks").data)
    response = c.post(f"/meetings/{meeting.id}/register", data={"note": "", "csrf_token": token})
    assert response.status_code == 404
    assert count(db_session, Registration) == 0


def test_registration_closed_before_the_meeting_refuses_and_stores_nothing(
    app, coordinator, make_user, db_session, network
):
    meeting = make_meeting(db_session, network, coordinator, registration_closes_at=local(-1, 12))
    c = signed_in(app, make_user())
    page = text_of(c.get(f"/meetings/{meeting.id}"))
    assert f'action="/meetings/{meeting.id}/register"' not in page
    c.post(f"/meetings/{meeting.id}/register", data={"note": "", "csrf_token": csrf_from(page)})
    assert "error" in flash_categories(text_of(c.get(f"/meetings/{meeting.id}")))
    assert count(db_session, Registration) == 0


def test_cancelling_and_registering_again_goes_to_the_end_of_the_waitlist(app, make_user, db_session, meeting):
    people = [make_user(email=f"deltagare{i}@example.org") for i in range(4)]
    clients = [signed_in(app, p) for p in people]
    for c in clients:
        register(c, meeting.id)
    unregister(clients[2], meeting.id)
    assert register(clients[2], meeting.id).status_code == 302
    waiting = [r.user.email for r in meetings.waitlist(db_session, meeting)]
    assert waiting == ["deltagare3@example.org", "deltagare2@example.org"]
    assert count(db_session, Registration, Registration.meeting_id == meeting.id) == 4, "the row is reused"


def test_unregistering_without_a_registration_changes_nothing(app, make_user, db_session, meeting):
    c = signed_in(app, make_user())
    assert unregister(c, meeting.id).status_code == 302
    assert "info" in flash_categories(text_of(c.get(f"/meetings/{meeting.id}")))
    assert count(db_session, Registration) == 0


def test_raising_the_seats_promotes_the_waitlist_and_lowering_below_the_registered_is_refused(
    app, coord, make_user, db_session, meeting
):
    people = [make_user(email=f"deltagare{i}@example.org") for i in range(3)]
    for person in people:
        register(signed_in(app, person), meeting.id)
    form = text_of(coord.get(f"/meetings/{meeting.id}/edit"))
    assert input_value(form, "capacity") == "2"
    values = {name: input_value(form, name) or "" for name in ("title", "starts_at", "ends_at", "place")}
    data = {**MEETING, **values, "csrf_token": csrf_from(form)}
    lower = coord.post(f"/meetings/{meeting.id}/edit", data={**data, "capacity": "1"})
    assert lower.status_code == 400 and 'id="capacity-error"' in text_of(lower)
    db_session.expire_all()
    assert db_session.get(Meeting, meeting.id).capacity == 2
    assert coord.post(f"/meetings/{meeting.id}/edit", data={**data, "capacity": "3"}).status_code == 302
    assert registrations(db_session, meeting)["deltagare2@example.org"] == "registered"
    assert len(notifications_of(db_session, people[2], "waitlist_promoted")) == 1


def test_coordinator_cancelling_someone_promotes_the_waitlist(app, coord, make_user, db_session, meeting):
    people = [make_user(email=f"deltagare{i}@example.org") for i in range(3)]
    for person in people:
        register(signed_in(app, person), meeting.id)
    row = meetings.registration_of(db_session, meeting, people[0])
    page = text_of(coord.get(f"/meetings/{meeting.id}/participants"))
    response = coord.post(f"/meetings/{meeting.id}/participants/{row.id}",
                          data={"action": "cancel", "csrf_token": csrf_from(page)})  # fmt: skip
    assert response.status_code == 302
    assert registrations(db_session, meeting) == {
        "deltagare0@example.org": "cancelled", "deltagare1@example.org": "registered",
        "deltagare2@example.org": "registered",
    }  # fmt: skip
    assert len(notifications_of(db_session, people[2], "waitlist_promoted")) == 1


def test_video_link_is_for_those_registered(app, coordinator, make_user, db_session, network):
    meeting = make_meeting(db_session, network, coordinator, place="", video_url="https://video.example.org/rum-7")
    c = signed_in(app, make_user())
    assert 'href="https://video.example.org/rum-7"' not in text_of(c.get(f"/meetings/{meeting.id}"))
    register(c, meeting.id)
    assert 'href="https://video.example.org/rum-7"' in text_of(c.get(f"/meetings/{meeting.id}"))


def test_meeting_description_is_sanitised_markdown(coord, db_session, network):
    response = plan(coord, "lasnatverket-norr", description="**Välkommen** <script>alert(1)</script>")
    page = text_of(coord.get(response.headers["Location"]))
    assert "<strong>Välkommen</strong>" in page and "<script>alert(1)" not in page


def test_a_network_in_another_time_zone_enters_and_exports_its_own_local_time(client, coordinator, db_session):
    network = make_network(db_session, coordinator, timezone="Europe/Helsinki")
    meeting = make_meeting(db_session, network, coordinator, starts_at="2027-06-01T10:00", ends_at="2027-06-01T12:00")
    assert meeting.starts_at == datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
    body = client.get(f"/meetings/{meeting.id}.ics").data
    assert b"TZID=Europe/Helsinki" in body
    [event] = events(body)
    assert event.decoded("dtstart").replace(tzinfo=None) == datetime(2027, 6, 1, 10, 0)


# --- participants --------------------------------------------------------------------------


def test_participants_page_csv_attendance_and_message(app, coord, coordinator, make_user, db_session, meeting):
    anna = make_user(name="Anna Antecknar", email="anna@example.org")
    bo = make_user(name="Bo Bakom", email="bo@example.org")
    cissi = make_user(name="Cissi Väntar", email="cissi@example.org")
    register(signed_in(app, anna), meeting.id, note="Glutenfritt;\nrullstol", listed=True)
    register(signed_in(app, bo), meeting.id, note="=HYPERLINK(1)")
    register(signed_in(app, cissi), meeting.id)

    page = text_of(coord.get(f"/meetings/{meeting.id}/participants"))
    assert "Anna Antecknar" in page and "Glutenfritt;" in page and "Cissi Väntar" in page
    rows = read_csv(coord.get(f"/meetings/{meeting.id}/participants.csv"))
    assert len(rows) == 4 and len(rows[0]) == 9
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["anna@example.org"][5] == "Glutenfritt;\nrullstol"
    assert by_email["bo@example.org"][5].startswith("'="), "formula-like notes are defused"
    assert [row[1] for row in rows[1:]] == ["anna@example.org", "bo@example.org", "cissi@example.org"]
    assert by_email["cissi@example.org"][3] != by_email["anna@example.org"][3], "waitlist is marked"

    anna_row = meetings.registration_of(db_session, meeting, anna)
    response = coord.post(
        f"/meetings/{meeting.id}/participants/{anna_row.id}", data={"action": "attended", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Registration, anna_row.id).attended is True
    rows = read_csv(coord.get(f"/meetings/{meeting.id}/participants.csv"))
    assert {row[1]: row[7] for row in rows[1:]}["bo@example.org"] == ""

    response = coord.post(
        f"/meetings/{meeting.id}/message", data={"message": "Ta med en bok du gillar!", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    for person in (anna, bo):
        told = notifications_of(db_session, person, "meeting_message")
        assert [(n.body, n.path) for n in told] == [("Ta med en bok du gillar!", f"/meetings/{meeting.id}")]
    assert notifications_of(db_session, cissi, "meeting_message") == [], "the waitlist is not messaged"


def test_empty_message_is_refused(coord, coordinator, make_user, db_session, meeting, app):
    register(signed_in(app, make_user()), meeting.id)
    page = text_of(coord.get(f"/meetings/{meeting.id}/participants"))
    coord.post(f"/meetings/{meeting.id}/message", data={"message": "  ", "csrf_token": csrf_from(page)})
    assert "error" in flash_categories(text_of(coord.get(f"/meetings/{meeting.id}/participants")))
    assert count(db_session, Notification, Notification.kind == "meeting_message") == 0


def test_participants_are_for_coordinators_only(app, make_user, db_session, meeting, network, coordinator):
    member = make_user()
    add_member(db_session, network, member, coordinator)
    c = signed_in(app, member)
    register(c, meeting.id)
    row = meetings.registration_of(db_session, meeting, member)
    token = csrf_from(c.get(f"/meetings/{meeting.id}").data)
    assert c.get(f"/meetings/{meeting.id}/participants").status_code == 403
    assert c.get(f"/meetings/{meeting.id}/participants.csv").status_code == 403
    assert c.post(f"/meetings/{meeting.id}/message", data={"message": "Hej", "csrf_token": token}).status_code == 403
    response = c.post(f"/meetings/{meeting.id}/participants/{row.id}", data={"action": "attended", "csrf_token": token})
    assert response.status_code == 403
    assert c.get(f"/meetings/{meeting.id}/edit").status_code == 403
    assert c.post(f"/meetings/{meeting.id}/cancel", data={"csrf_token": token}).status_code == 403


def test_participant_list_on_the_meeting_page_shows_only_those_who_consented(
    app, make_user, db_session, network, coordinator
):
    meeting = make_meeting(db_session, network, coordinator)
    shown = make_user(name="Synlig Sigrid")
    hidden = make_user(name="Hemlig Henrik")
    viewer = make_user(name="Tittande Tove")
    for person in (shown, hidden, viewer):
        add_member(db_session, network, person, coordinator)
    register(signed_in(app, shown), meeting.id, listed=True)
    register(signed_in(app, hidden), meeting.id, listed=False)
    page = text_of(signed_in(app, viewer).get(f"/meetings/{meeting.id}"))
    section = re.search(r'<section aria-labelledby="participants-heading">.*?</section>', page, re.S)
    assert section, "the participant list is shown to members"
    assert "Synlig Sigrid" in section.group(0)
    assert "Hemlig Henrik" not in page


# --- iCalendar ------------------------------------------------------------------------------


def test_meeting_ics_parses_with_a_stable_uid_and_the_stockholm_zone(client, coordinator, db_session, network):
    meeting = make_meeting(db_session, network, coordinator, starts_at="2027-03-28T10:00", ends_at="2027-03-28T12:00")
    first = client.get(f"/meetings/{meeting.id}.ics")
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    assert b"TZID=Europe/Stockholm" in first.data and b"BEGIN:VTIMEZONE" in first.data
    [event] = events(first.data)
    start = event.decoded("dtstart")
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm" and event["dtend"].params["TZID"] == "Europe/Stockholm"
    assert start.astimezone(UTC) == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert str(event["status"]) == "CONFIRMED" and str(event["summary"]) == "Temadag om läsfrämjande"
    [again] = events(client.get(f"/meetings/{meeting.id}.ics").data)
    assert str(event["uid"]) == str(again["uid"]) and str(meeting.id) in str(event["uid"])


def test_cancelled_meeting_is_status_cancelled_with_the_same_uid(client, coord, coordinator, db_session, network):
    meeting = make_meeting(db_session, network, coordinator)
    [before] = events(client.get(f"/meetings/{meeting.id}.ics").data)
    post_form(coord, f"/meetings/{meeting.id}/cancel", form_url=f"/meetings/{meeting.id}")
    [after] = events(client.get(f"/meetings/{meeting.id}.ics").data)
    assert str(after["status"]) == "CANCELLED"
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) > int(before["sequence"])


def test_network_feed_holds_its_public_meetings(client, coordinator, make_user, db_session, network):
    first = make_meeting(db_session, network, coordinator, title="Första träffen")
    second = make_meeting(db_session, network, coordinator, title="Andra träffen", starts_at=local(90, 10),
                          ends_at=local(90, 12))  # fmt: skip
    other = make_network(db_session, make_user(role="facilitator"), name="Annat nätverk", slug="annat")
    make_meeting(db_session, other, other.memberships[0].user, title="Någon annans träff")
    response = client.get("/networks/lasnatverket-norr/meetings.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    found = {str(e["summary"]): str(e["uid"]) for e in events(response.data)}
    assert set(found) == {"Första träffen", "Andra träffen"}
    [single] = events(client.get(f"/meetings/{first.id}.ics").data)
    assert found["Första träffen"] == str(single["uid"]), "the same event in both calendars"
    assert found["Andra träffen"] != found["Första träffen"] and str(second.id) in found["Andra träffen"]


# --- members-only: the non-member walk -------------------------------------------------------

SECRET_TITLE = "Zebrafinken bokcirkel"
SECRET_SLUG = "zebrafinken-bokcirkel"


@pytest.fixture
def closed(app, db_session, coordinator, make_user, make_entry):
    """A members-only network with a published entry (attachment, comment, open feedback request) and a meeting;
    a public control entry with the same search word."""
    network = make_network(db_session, coordinator, visibility="members", join_policy="request")
    member = make_user(name="Maja Medlem")
    add_member(db_session, network, member, coordinator)
    stored = store_upload(io.BytesIO(b"bok;sida\n1;2\n"), "lasordning.csv", Path(app.config["UPLOAD_DIR"]))
    entry = make_entry(title=SECRET_TITLE, user=member, attachments=[stored], tags="hemligcirkeltagg",
                       summary="Bara för nätverkets medlemmar.")  # fmt: skip
    networks.set_entry_network(db_session, entry, network.id, member)
    db_session.commit()
    comment = feedback.post_comment(db_session, entry, member, "En intern fråga.")
    request = feedback.request_feedback(db_session, entry, member, "Fungerar cirkeln?", [], None, date.today())
    control = make_entry(title="Zebrafinken öppen metod", user=member)
    feedback.request_feedback(db_session, control, member, "Fungerar den öppna?", [], None, date.today())
    meeting = make_meeting(db_session, network, coordinator, title="Internt nätverksmöte")
    db_session.commit()
    return {"network": network, "member": member, "entry": entry, "attachment": entry.attachments[0],
            "comment": comment, "request": request, "meeting": meeting}  # fmt: skip


@pytest.fixture(params=["anonymous", "outsider", "pending"])
def outsider(request, app, make_user, db_session, closed):
    """A visitor who is not a member: anonymous, signed in to another account, or still waiting for approval."""
    if request.param == "anonymous":
        return app.test_client()
    user = make_user(name="Utomstående Ulf")
    if request.param == "pending":
        assert networks.join(db_session, closed["network"], user).status == "pending"
        db_session.commit()
    return signed_in(app, user)


def test_non_member_gets_404_on_every_members_only_page(outsider, closed):
    attachment, meeting = closed["attachment"], closed["meeting"]
    for url in (
        f"/methods/{SECRET_SLUG}",
        f"/methods/{SECRET_SLUG}/attachments/{attachment.id}/{attachment.filename}",
        f"/methods/{SECRET_SLUG}/history",
        f"/methods/{SECRET_SLUG}/revisions/1",
        f"/api/v1/entries/{SECRET_SLUG}",
        f"/api/v1/entries/{SECRET_SLUG}/comments",
        f"/api/v1/entries/{SECRET_SLUG}/reviews/summary",
        f"/feedback/{closed['request'].id}",
        f"/comments/{closed['comment'].id}",
        f"/meetings/{meeting.id}",
        f"/meetings/{meeting.id}.ics",
    ):
        response = outsider.get(url)
        assert response.status_code == 404, url
        assert SECRET_TITLE.encode() not in response.data and b"Internt n" not in response.data, url


def test_non_member_does_not_find_the_entry_in_lists_search_or_feeds(outsider, closed):
    for url in ("/methods", "/", "/search?q=zebrafinken", "/feedback", "/networks/lasnatverket-norr", "/networks"):
        page = text_of(outsider.get(url))
        assert SECRET_TITLE not in page and SECRET_SLUG not in page and "Internt nätverksmöte" not in page, url
    assert "Maja Medlem" not in text_of(outsider.get("/networks/lasnatverket-norr")), "members are not listed"
    assert "Zebrafinken öppen metod" in text_of(outsider.get("/search?q=zebrafinken")), "search works"
    assert "Zebrafinken öppen metod" in text_of(outsider.get("/feedback")), "open requests are listed"
    api_search = outsider.get("/api/v1/search?q=zebrafinken").get_json()
    assert [hit["slug"] for hit in api_search["results"]] == ["zebrafinken-oppen-metod"]
    assert "lasnatverket-norr" not in json.dumps(api_search["facets"]) and "hemligcirkeltagg" not in json.dumps(
        api_search["facets"]
    )
    api_list = outsider.get("/api/v1/entries?per_page=100").get_json()
    assert SECRET_SLUG not in {item["slug"] for item in api_list["items"]} and api_list["total"] == 1
    suggestions = outsider.get("/api/v1/search/suggest?q=zebra").get_json()
    assert SECRET_TITLE not in {s["title"] for s in suggestions}
    feed = outsider.get("/networks/lasnatverket-norr/meetings.ics")
    assert feed.status_code == 200 and events(feed.data) == []
    assert b"Internt" not in feed.data


def test_tags_of_members_only_entries_do_not_show_to_non_members(outsider, closed):
    leaks = [
        url for url in ("/", "/methods", "/search", "/feedback") if "hemligcirkeltagg" in text_of(outsider.get(url))
    ]
    assert leaks == [], "the tag clouds count members-only entries"


def test_member_sees_the_entry_and_the_meeting(app, closed):
    c = signed_in(app, closed["member"])
    meeting = closed["meeting"]
    assert SECRET_TITLE in text_of(c.get(f"/methods/{SECRET_SLUG}"))
    attachment = closed["attachment"]
    download = c.get(f"/methods/{SECRET_SLUG}/attachments/{attachment.id}/{attachment.filename}")
    assert download.status_code == 200 and download.data == b"bok;sida\n1;2\n"
    download.close()
    assert SECRET_TITLE in text_of(c.get("/methods"))
    assert "Internt nätverksmöte" in text_of(c.get(f"/meetings/{meeting.id}"))
    assert c.get(f"/meetings/{meeting.id}.ics").status_code == 200
    page = text_of(c.get("/networks/lasnatverket-norr"))
    assert "Internt nätverksmöte" in page and SECRET_TITLE in page


def test_private_calendar_holds_members_only_meetings_and_a_reset_ends_the_old_address(app, closed, db_session):
    c = signed_in(app, closed["member"])
    assert ".ics" not in text_of(c.get("/account/calendar")), "looking at the page makes no address"
    made = post_form(c, "/account/calendar")
    assert made.status_code == 302
    page = text_of(c.get("/account/calendar"))
    url = re.search(r'value="(https?://[^"]+/calendar/[^"]+\.ics)"', page).group(1)
    path = urlsplit(url).path
    feed = app.test_client().get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert [str(e["summary"]) for e in events(feed.data)] == ["Internt nätverksmöte"]
    assert path in text_of(c.get("/account/calendar")), "the address stays until it is reset"

    reset = post_form(c, "/account/calendar")
    assert reset.status_code == 302
    reset_page = text_of(c.get("/account/calendar"))
    new_path = urlsplit(re.search(r'value="(https?://[^"]+/calendar/[^"]+\.ics)"', reset_page).group(1)).path
    assert new_path != path
    assert app.test_client().get(path).status_code == 404
    assert app.test_client().get(new_path).status_code == 200
    assert app.test_client().get("/calendar/not-a-token.ics").status_code == 404


def test_private_calendar_of_a_non_member_leaves_members_only_meetings_out(app, closed, make_user):
    c = signed_in(app, make_user())
    post_form(c, "/account/calendar")
    path = urlsplit(re.search(r'value="([^"]+\.ics)"', text_of(c.get("/account/calendar"))).group(1)).path
    feed = app.test_client().get(path)
    assert feed.status_code == 200 and b"Internt" not in feed.data


def test_entry_form_offers_own_networks_only(app, client, login, coordinator, make_user, db_session, network):
    member, outsider = make_user(), make_user()
    add_member(db_session, network, member, coordinator)
    base = {"title": "Nätverksmetod", "slug": "natverksmetod", "kind": "method", "language": "sv",
            "status": "published", "summary": "Kort.", "body": "Text\n", "action": "save"}  # fmt: skip
    c = signed_in(app, member)
    form = text_of(c.get("/methods/new"))
    assert re.search(rf'<option value="{network.id}">Läsnätverket Norr</option>', form)
    response = c.post("/methods/new", data={**base, "network": str(network.id), "csrf_token": csrf_from(form)},
                      content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    assert db_session.scalar(select(Entry.network_id).where(Entry.slug == "natverksmetod")) == network.id

    o = signed_in(app, outsider)
    form = text_of(o.get("/methods/new"))
    assert "Läsnätverket Norr" not in form
    response = o.post("/methods/new", data={**base, "slug": "intrang", "network": str(network.id),
                                            "csrf_token": csrf_from(form)}, content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400 and 'href="#network"' in text_of(response)
    assert db_session.scalar(select(Entry).where(Entry.slug == "intrang")) is None


# --- the visitor page cache ------------------------------------------------------------------


def test_page_cache_never_serves_an_entry_whose_network_turns_members_only(
    app, coord, coordinator, make_user, make_entry, db_session, network
):
    member = make_user()
    add_member(db_session, network, member, coordinator)
    entry = make_entry(title="Walkshop i norr", user=member)
    networks.set_entry_network(db_session, entry, network.id, member)
    db_session.commit()
    first = visit(app, "/methods/walkshop-i-norr")
    assert first.status_code == 200
    assert visit(app, "/methods/walkshop-i-norr").data == first.data, "served from the cache"

    form = text_of(coord.get("/networks/lasnatverket-norr/edit"))
    assert input_value(form, "name") == "Läsnätverket Norr"
    response = coord.post("/networks/lasnatverket-norr/edit",
                          data={**NETWORK, "visibility": "members", "csrf_token": csrf_from(form)})  # fmt: skip
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Network, network.id).members_only
    gone = visit(app, "/methods/walkshop-i-norr")
    assert gone.status_code == 404 and b"Walkshop i norr" not in gone.data
    assert "Walkshop i norr" not in text_of(visit(app, "/search?q=walkshop"))
    assert signed_in(app, member).get("/methods/walkshop-i-norr").status_code == 200


def test_home_page_shows_visitors_the_public_networks_only(app, db_session, make_user):
    coordinator = make_user(role="facilitator")
    networks.create_network(db_session, {"name": "Öppna biblioteken"}, coordinator)
    networks.create_network(db_session, {"name": "Slutna rummet", "visibility": "members"}, coordinator)
    db_session.commit()
    page = text_of(app.test_client().get("/"))
    assert "/networks/oppna-biblioteken" in page and "/networks/slutna-rummet" not in page


def test_save_as_plan_makes_a_draft_plan_linking_the_agenda_and_the_kit_downloads(
    app, db_session, coordinator, network, make_entry
):
    method = make_entry(title="Lyssnarposter", user=coordinator, duration="30-45", materials="Post-it\nPennor")
    day = (datetime.now(UTC) + timedelta(days=15)).strftime("%Y-%m-%d")
    meeting = meetings.create_meeting(
        db_session, network, {"title": "Höstmöte", "starts_at": f"{day}T09:00", "ends_at": f"{day}T12:00"}, coordinator
    )
    meetings.add_block(db_session, meeting, {"title": "Välkomna", "minutes": "15"}, None, coordinator)
    meetings.add_block(db_session, meeting, {}, method, coordinator)
    db_session.commit()
    c = signed_in(app, coordinator)

    kit = c.get(f"/meetings/{meeting.id}/kit.html")
    assert kit.status_code == 200 and "attachment" in kit.headers["Content-Disposition"]
    html = kit.get_data(as_text=True)
    assert "09:15" in html and "Lyssnarposter" in html and "Post-it" in html and "<script" not in html

    made = post_form(c, f"/meetings/{meeting.id}/save-as-plan", form_url=f"/meetings/{meeting.id}/agenda")
    assert made.status_code == 302 and made.headers["Location"].endswith("/edit")
    plan = db_session.scalar(select(Entry).where(Entry.kind == "plan"))
    assert plan.status == "draft" and plan.title.endswith("Höstmöte")
    assert plan.network_id == network.id and plan.duration_min == 60
    assert "(/methods/lyssnarposter)" in plan.body and "Välkomna" in plan.body and "Pennor" in plan.body
