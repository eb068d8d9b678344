"""Accounts through the browser-facing forms: register, log in, invites, passwords, profile."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from methodbook import accounts
from methodbook.models import User
from tests.conftest import FAST_HASH, PASSWORD, csrf_from, post_form

NEW_PASSWORD = "blå-cykel-vid-sjön"


def register(client, email="ny@example.org", password=NEW_PASSWORD, url="/register", **extra):
    data = {"email": email, "display_name": "Ny Medlem", "password": password, "confirm": password, **extra}
    return post_form(client, url, data)


def test_register_creates_member_and_logs_in(client, db_session):
    response = register(client)
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "ny@example.org"))
    assert user.role == "member" and user.password_hash.startswith("pbkdf2:sha256:1")
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [("kort", "at least 10"), ("password123", "too easy"), ("aaaaaaaaaaaa", "too easy")],
)
def test_register_refuses_weak_password_and_stores_nothing(client, db_session, password, message):
    response = register(client, password=password)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.email == "ny@example.org")) is None


def test_register_refuses_taken_email(client, make_user):
    user = make_user()
    response = register(client, email=user.email.upper())
    assert "already exists" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"DELA_REGISTRATION": "invite"}])
def test_invite_only_registration_needs_a_valid_invite(client, db_session, make_user, app_config):
    assert client.get("/register").status_code == 403
    token = accounts.create_invite(db_session, make_user(role="admin"), role="facilitator")
    db_session.commit()
    response = register(client, url=f"/register?invite={token}")
    assert response.status_code == 302
    assert db_session.scalar(select(User).where(User.email == "ny@example.org")).role == "facilitator"
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").data)})
    assert client.get(f"/register?invite={token}").status_code == 403, "an invite works once"


def test_login_wrong_password_says_so(client, make_user):
    user = make_user()
    response = post_form(client, "/login", {"email": user.email, "password": "fel-lösenord-helt"})
    assert response.status_code == 200
    assert "wrong" in response.get_data(as_text=True) or "fel" in response.get_data(as_text=True).lower()


def test_login_redirects_only_to_same_host(client, make_user):
    user = make_user()
    page = client.get("/login?next=https://evil.example/x")
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.data)},
    )
    assert response.headers["Location"] == "/"


def test_login_follows_safe_next(client, make_user):
    user = make_user()
    page = client.get("/login")
    response = client.post(
        "/login?next=/methods/new", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.data)}
    )
    assert response.headers["Location"] == "/methods/new"


def test_login_is_rate_limited_with_a_clear_message(client, make_user):
    user = make_user()
    token = csrf_from(client.get("/login").data)
    statuses = [
        client.post("/login", data={"email": user.email, "password": "nope-nope-nope", "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429
    assert "Wait a minute" in blocked.get_data(as_text=True) or "minut" in blocked.get_data(as_text=True)


def test_remember_me_sets_a_persistent_cookie(client, make_user):
    user = make_user()
    post_form(client, "/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only and cookie.expires is not None


def test_logout_ends_the_session(client, make_user, login):
    login(make_user())
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").data)})
    assert client.get("/account").status_code == 302


def test_change_password_logs_out_other_sessions(app, client, make_user, login, db_session):
    user = make_user()
    login(user)
    other = app.test_client()
    post_form(other, "/login", {"email": user.email, "password": PASSWORD})
    assert other.get("/account").status_code == 200
    response = post_form(
        client,
        "/account/password",
        {"pw-current": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
        form_url="/account",
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200, "this session stays"
    assert other.get("/account").status_code == 302, "the other session ended"
    db_session.expire_all()
    assert accounts.authenticate(db_session, user.email, NEW_PASSWORD) is not None


def test_change_password_needs_current_password(client, make_user, login):
    login(make_user())
    response = post_form(
        client,
        "/account/password",
        {"pw-current": "fel-fel-fel-fel", "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
        form_url="/account",
    )
    assert response.status_code == 400
    assert (
        "current password is wrong" in response.get_data(as_text=True)
        or "nuvarande" in response.get_data(as_text=True).lower()
    )


def test_admin_reset_link_works_once(client, make_user, login, db_session):
    admin, member = make_user(role="admin"), make_user()
    login(admin)
    page = post_form(client, f"/admin/users/{member.id}/reset-link", form_url="/admin/users")
    link = re.search(r'value="(http[^"]+/reset/[^"]+)"', page.get_data(as_text=True)).group(1)
    path = link.split("localhost", 1)[1]
    anonymous = client.application.test_client()
    response = post_form(anonymous, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    db_session.expire_all()
    assert accounts.authenticate(db_session, member.email, NEW_PASSWORD) is not None
    assert anonymous.get(path).status_code == 404


@pytest.mark.parametrize("app_config", [{"MAIL_OUTBOX_DIR": "__outbox__"}])
def test_forgot_password_mails_a_link_when_mail_is_configured(app, client, make_user, tmp_path, app_config):
    outbox = tmp_path / "outbox"
    app.config["MAIL_OUTBOX_DIR"] = str(outbox)
    user = make_user()
    response = post_form(client, "/forgot", {"email": user.email})
    assert response.status_code == 302
    mails = list(outbox.glob("*.eml"))
    assert len(mails) == 1 and "/reset/" in mails[0].read_text()


def test_forgot_password_without_mail_explains_whom_to_ask(client):
    text = client.get("/forgot").get_data(as_text=True)
    assert "administrator" in text.lower() or "administratör" in text.lower()


def test_profile_update(client, make_user, login, db_session):
    user = make_user()
    login(user)
    response = post_form(
        client,
        "/account",
        {"display_name": "Karin Bibliotekarie", "organisation": "Malmö stadsbibliotek", "bio": "Hej", "language": "da"},
    )
    assert response.status_code == 302
    db_session.refresh(user)
    assert (user.display_name, user.organisation, user.language) == (
        "Karin Bibliotekarie",
        "Malmö stadsbibliotek",
        "da",
    )


def test_cli_created_password_is_hashed_with_configured_method(db_session):
    user = accounts.create_user(db_session, "cli@example.org", "Cli", NEW_PASSWORD, hash_method=FAST_HASH)
    assert NEW_PASSWORD not in user.password_hash
