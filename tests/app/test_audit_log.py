"""The audit log: moderation, role changes and account deletions, with filters; role changes for admins only."""

from __future__ import annotations

from sqlalchemy import select

from methodbook import accounts, networks, personal_data
from methodbook.models import AuditEvent
from tests.app.test_networks_web import NETWORK, signed_in, text_of
from tests.conftest import csrf_from


def test_role_changes_are_logged_and_filtered(app, db_session, make_user):
    admin = make_user(role="admin", name="Ada Admin")
    anna = make_user(name="Anna")
    c = signed_in(app, admin)
    page = c.get("/admin/users")
    assert (
        c.post(
            f"/admin/users/{anna.id}/role", data={"csrf_token": csrf_from(page.data), "role": "facilitator"}
        ).status_code
        == 302
    )
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "role_change"))
    assert (event.actor_id, event.target_id, event.reason) == (admin.id, anna.id, "member → facilitator")

    db_session.expire_all()
    network = networks.create_network(db_session, NETWORK, anna)
    bo = make_user(name="Bo")
    row = networks.join(db_session, network, bo)
    networks.set_member_role(network, row, "coordinator", anna)
    db_session.commit()
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "network_role"))
    assert event.reason == f"{network.slug}: member → coordinator" and event.target_id == bo.id

    everything = text_of(c.get("/moderation/log"))
    assert "Role changed" in everything and "Network role changed" in everything
    roles_only = text_of(c.get("/moderation/log?kind=roles&action=network_role"))
    assert "Network role changed" in roles_only and "member → facilitator" not in roles_only


def test_moderators_see_moderation_but_not_role_changes(app, db_session, make_user):
    admin, moderator = make_user(role="admin"), make_user(role="facilitator")
    target = make_user()
    accounts.set_role(target, "facilitator", admin)
    db_session.commit()
    page = text_of(signed_in(app, moderator).get("/moderation/log?kind=roles"))
    assert "Role changed" not in page and "No moderation actions yet." in page
    assert "Role changed" in text_of(signed_in(app, admin).get("/moderation/log?kind=roles"))


def test_an_account_deletion_is_logged_without_personal_data(app, db_session, make_user):
    admin = make_user(role="admin")
    greta = make_user(name="Greta Raderas", email="greta@example.org")
    gone = greta.id
    personal_data.delete_account(db_session, greta, "A former member")
    db_session.commit()
    page = text_of(signed_in(app, admin).get("/moderation/log?kind=accounts"))
    assert "Account deleted" in page and f"#{gone}" in page and "Greta" not in page and "greta@" not in page


def test_entries_are_reported_and_listed_with_idea_book_requests_in_one_queue(app, db_session, make_user, make_entry):
    from methodbook.models import Report

    author, reader, moderator = make_user(), make_user(), make_user(role="facilitator")
    entry = make_entry("Walkshop", user=author)
    c = signed_in(app, reader)
    assert "Report this entry" in text_of(c.get("/methods/walkshop"))
    assert "Report this entry" not in text_of(signed_in(app, author).get("/methods/walkshop")), "not one's own"
    form = c.get(f"/entries/{entry.id}/report")
    assert form.status_code == 200
    response = c.post(
        f"/entries/{entry.id}/report", data={"csrf_token": csrf_from(form.data), "reason": "Personnummer i texten."}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/methods/walkshop")
    row = db_session.scalar(select(Report))
    assert (row.target_type, row.target_id) == ("entry", entry.id)
    m = signed_in(app, moderator)
    queue = text_of(m.get("/moderation"))
    assert "Entry #" in queue and "Personnummer i texten." in queue and 'href="/methods/walkshop"' in queue
    assert "requests to remove something from an idea book" in queue
    page = m.get("/moderation")
    assert m.post(f"/moderation/reports/{row.id}/dismiss", data={"csrf_token": csrf_from(page.data)}).status_code == 302
    db_session.expire_all()
    assert row.resolved_at is not None and row.resolution == "dismissed"
    drafts = make_entry("Utkast", user=author, status="draft")
    assert c.get(f"/entries/{drafts.id}/report").status_code == 404, "a draft others cannot see"
