"""Accounts: creation, passwords, roles, invites and one-time reset links."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session
from werkzeug.security import check_password_hash, generate_password_hash

from .db import utcnow
from .errors import NotFound, ValidationError
from .i18n import N_
from .models import ROLES, UI_LANGUAGES, AuditEvent, Invite, PasswordReset, User, new_token

MIN_PASSWORD = 10
MAX_PASSWORD = 256
DEFAULT_HASH_METHOD = "scrypt"
# A short list of the passwords every attacker tries first, in the languages Dela serves.
COMMON_PASSWORDS = frozenset(
    {
        "password123", "password1234", "1234567890", "12345678910", "qwertyuiop", "qwerty1234",
        "lösenord123", "losenord123", "adgangskode", "adgangskode1", "passord123", "sommar2024",
        "sommar2025", "sommar2026", "sommer2025", "sommer2026", "iloveyou12", "abcdefghij",
        "0987654321", "1111111111", "välkommen1", "velkommen1", "welcome123",
    }
)  # fmt: skip


def hash_token(token: str) -> str:
    """Hash a link token; only the hash is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    """Validate an e-mail address's syntax and return it in normal form."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationError.single("email", N_("Enter a valid e-mail address.")) from exc


def check_password_strength(password: str, email: str = "", name: str = "") -> None:
    """Refuse passwords that are short, common, or the user's own e-mail or name."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError.single("password", N_("Use at least %(n)s characters."), n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise ValidationError.single("password", N_("Use at most %(n)s characters."), n=MAX_PASSWORD)
    lowered = password.lower()
    personal = {email.lower(), email.lower().split("@")[0], name.lower()} - {""}
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4 or lowered in personal:
        raise ValidationError.single("password", N_("This password is too easy to guess. Try a few unrelated words."))


def set_password(user: User, password: str, method: str = DEFAULT_HASH_METHOD) -> None:
    """Hash and set a password; every other session of the user ends."""
    check_password_strength(password, user.email or "", user.display_name or "")
    user.password_hash = generate_password_hash(password, method=method)
    user.session_token = new_token()


def get_user_by_email(session: Session, email: str) -> User | None:
    """Find a user by e-mail address, case-insensitively."""
    return session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def create_user(
    session: Session,
    email: str,
    display_name: str,
    password: str,
    role: str = "member",
    language: str = "sv",
    hash_method: str = DEFAULT_HASH_METHOD,
) -> User:
    """Create an account; refuses a taken e-mail, an unknown role or a weak password."""
    email = normalize_email(email)
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 100:
        raise ValidationError.single("display_name", N_("Enter a name of 1 to 100 characters."))
    if role not in ROLES:
        raise ValidationError.single("role", N_("Unknown role."))
    if get_user_by_email(session, email):
        raise ValidationError.single("email", N_("An account with this e-mail address already exists."))
    user = User(
        email=email,
        display_name=display_name,
        role=role,
        language=language if language in UI_LANGUAGES else "sv",
    )
    set_password(user, password, hash_method)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None."""
    user = get_user_by_email(session, email)
    if user is None or not user.active:
        # Hash anyway so a missing account takes as long as a wrong password.
        check_password_hash("scrypt:32768:8:1$x$" + "0" * 128, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def set_role(user: User, role: str, actor: User | None = None) -> None:
    """Give the user one of the roles member, facilitator, admin; the change goes in the audit log."""
    if role not in ROLES:
        raise ValidationError.single("role", N_("Unknown role."))
    if role != user.role:
        session = object_session(user)
        if session is not None:
            session.add(AuditEvent(actor_id=actor.id if actor else None, action="role_change", target_type="user",
                                   target_id=user.id, reason=f"{user.role} → {role}"))  # fmt: skip
    user.role = role


def create_invite(
    session: Session, created_by: User | None, role: str = "member", email: str = "", days: int = 14
) -> str:
    """Create an invite and return its secret token (shown once, stored hashed)."""
    if role not in ROLES:
        raise ValidationError.single("role", N_("Unknown role."))
    token = new_token()
    session.add(
        Invite(
            token_hash=hash_token(token),
            email=normalize_email(email) if email else "",
            role=role,
            created_by_id=created_by.id if created_by else None,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    session.flush()
    return token


def find_invite(session: Session, token: str) -> Invite:
    """Return the unused, unexpired invite for a token, or raise NotFound."""
    invite = session.scalar(select(Invite).where(Invite.token_hash == hash_token(token or "")))
    if invite is None or invite.used_at is not None or invite.expires_at < utcnow():
        raise NotFound("invite")
    return invite


def use_invite(invite: Invite, user: User) -> None:
    """Mark an invite used by the new account and give the account the invite's role."""
    invite.used_at = utcnow()
    invite.used_by_id = user.id
    user.role = invite.role


def create_password_reset(session: Session, user: User, hours: int = 24) -> str:
    """Create a one-time reset link token for the user (stored hashed)."""
    token = new_token()
    session.add(
        PasswordReset(user_id=user.id, token_hash=hash_token(token), expires_at=utcnow() + timedelta(hours=hours))
    )
    session.flush()
    return token


def find_password_reset(session: Session, token: str) -> PasswordReset:
    """Return the unused, unexpired reset for a token, or raise NotFound."""
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token or "")))
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        raise NotFound("password reset")
    return reset


def use_password_reset(reset: PasswordReset, password: str, hash_method: str = DEFAULT_HASH_METHOD) -> User:
    """Set the new password and spend the link."""
    set_password(reset.user, password, hash_method)
    reset.used_at = utcnow()
    return reset.user
