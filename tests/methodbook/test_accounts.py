"""Accounts: creation, password rules, login, invites and one-time reset links."""

from __future__ import annotations

from datetime import timedelta

import pytest

from methodbook import accounts
from methodbook.db import utcnow
from methodbook.errors import NotFound, ValidationError
from tests.conftest import FAST_HASH, PASSWORD


def _create(session, email="anna@example.org", name="Anna Lind", password=PASSWORD, **kwargs):
    return accounts.create_user(session, email, name, password, hash_method=FAST_HASH, **kwargs)


def _only_message(exc: ValidationError, field: str) -> str:
    assert list(exc.errors) == [field]
    return exc.errors[field][0].render()


def test_create_user_normalises_email(db_session):
    user = _create(db_session, email="  Anna.Lind@Example.ORG ")
    assert user.email == "anna.lind@example.org"
    assert user.id is not None and user.role == "member" and user.active


def test_create_user_refuses_duplicate_email_in_other_case(db_session):
    _create(db_session, email="anna@example.org")
    with pytest.raises(ValidationError) as caught:
        _create(db_session, email="ANNA@example.org", name="Anna Två")
    assert "already exists" in _only_message(caught.value, "email")


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"role": "superuser"}, "role", "Unknown role"),
        ({"name": ""}, "display_name", "1 to 100"),
        ({"name": "   "}, "display_name", "1 to 100"),
        ({"name": "x" * 101}, "display_name", "1 to 100"),
        ({"email": "inte-en-adress"}, "email", "valid e-mail"),
    ],
)
def test_create_user_refuses(db_session, kwargs, field, words):
    with pytest.raises(ValidationError) as caught:
        _create(db_session, **kwargs)
    assert words in _only_message(caught.value, field)


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("kort", "at least 10 characters"),
        ("x" * 257, "at most 256 characters"),
        ("password123", "too easy to guess"),
        ("Lösenord123", "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("ababababababab", "too easy to guess"),
        ("kristina.lindqvist", "too easy to guess"),
        ("Kristina.Lindqvist@example.org", "too easy to guess"),
        ("kristina lindqvist", "too easy to guess"),
    ],
)
def test_weak_password_is_refused(db_session, password, words):
    with pytest.raises(ValidationError) as caught:
        _create(db_session, email="kristina.lindqvist@example.org", name="Kristina Lindqvist", password=password)
    assert words in _only_message(caught.value, "password")


def test_authenticate(db_session):
    user = _create(db_session)
    assert accounts.authenticate(db_session, "ANNA@example.org", PASSWORD) is user
    assert accounts.authenticate(db_session, "anna@example.org", PASSWORD + "x") is None
    assert accounts.authenticate(db_session, "okand@example.org", PASSWORD) is None
    assert accounts.authenticate(db_session, "anna@example.org", "") is None


def test_inactive_user_cannot_authenticate(db_session):
    user = _create(db_session)
    user.active = False
    db_session.flush()
    assert accounts.authenticate(db_session, "anna@example.org", PASSWORD) is None


def test_set_password_changes_hash_and_session_token(db_session):
    user = _create(db_session)
    old_token, old_hash = user.session_token, user.password_hash
    accounts.set_password(user, "blå-cykel-i-regnet", FAST_HASH)
    db_session.flush()
    assert user.session_token != old_token and user.password_hash != old_hash
    assert accounts.authenticate(db_session, "anna@example.org", "blå-cykel-i-regnet") is user
    assert accounts.authenticate(db_session, "anna@example.org", PASSWORD) is None


def test_invite_works_once_and_gives_its_role(db_session, make_user):
    admin = make_user(role="admin")
    token = accounts.create_invite(db_session, admin, role="facilitator", email="Ny@Example.org")
    invite = accounts.find_invite(db_session, token)
    assert invite.email == "ny@example.org" and invite.created_by_id == admin.id
    user = _create(db_session, email="ny@example.org")
    accounts.use_invite(invite, user)
    db_session.flush()
    assert user.role == "facilitator" and invite.used_by_id == user.id
    with pytest.raises(NotFound):
        accounts.find_invite(db_session, token)


@pytest.mark.parametrize("token", ["", "fel-token", None])
def test_unknown_invite_token_is_not_found(db_session, token):
    accounts.create_invite(db_session, None)
    with pytest.raises(NotFound):
        accounts.find_invite(db_session, token)


def test_expired_invite_is_refused(db_session):
    token = accounts.create_invite(db_session, None)
    invite = accounts.find_invite(db_session, token)
    invite.expires_at = utcnow() - timedelta(minutes=1)
    db_session.flush()
    db_session.expire_all()
    with pytest.raises(NotFound):
        accounts.find_invite(db_session, token)


def test_invite_with_unknown_role_is_refused(db_session):
    with pytest.raises(ValidationError):
        accounts.create_invite(db_session, None, role="owner")


def test_invite_token_is_stored_hashed(db_session):
    token = accounts.create_invite(db_session, None)
    invite = accounts.find_invite(db_session, token)
    assert invite.token_hash == accounts.hash_token(token) != token


def test_password_reset_sets_password_once(db_session):
    user = _create(db_session)
    token = accounts.create_password_reset(db_session, user)
    reset = accounts.find_password_reset(db_session, token)
    old_session = user.session_token
    assert accounts.use_password_reset(reset, "ny-fin-mening-att-minnas", FAST_HASH) is user
    db_session.flush()
    assert user.session_token != old_session
    assert accounts.authenticate(db_session, "anna@example.org", "ny-fin-mening-att-minnas") is user
    with pytest.raises(NotFound):
        accounts.find_password_reset(db_session, token)


def test_password_reset_with_weak_password_is_not_spent(db_session):
    user = _create(db_session)
    token = accounts.create_password_reset(db_session, user)
    with pytest.raises(ValidationError):
        accounts.use_password_reset(accounts.find_password_reset(db_session, token), "password123", FAST_HASH)
    db_session.flush()
    assert accounts.find_password_reset(db_session, token).used_at is None
    assert accounts.authenticate(db_session, "anna@example.org", PASSWORD) is user


def test_expired_password_reset_is_refused(db_session):
    user = _create(db_session)
    token = accounts.create_password_reset(db_session, user)
    accounts.find_password_reset(db_session, token).expires_at = utcnow() - timedelta(seconds=1)
    db_session.flush()
    db_session.expire_all()
    with pytest.raises(NotFound):
        accounts.find_password_reset(db_session, token)


def test_set_role(db_session):
    user = _create(db_session)
    accounts.set_role(user, "admin")
    assert user.is_admin
    with pytest.raises(ValidationError):
        accounts.set_role(user, "root")
    assert user.role == "admin"
