"""In-app notifications and each member's choice of what to hear about.

Services that notify call :func:`notify`; it writes the in-app row when the member wants it and
remembers who also wants an e-mail. The web layer sends those e-mails after the commit (see
:func:`take_mail`), so a rolled-back change mails nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .db import utcnow
from .errors import ValidationError
from .i18n import N_
from .models import NOTIFICATION_KINDS, Notification, NotificationSetting, User

KIND_LABELS = {
    "comment_reply": N_("A reply to my comment"),
    "entry_comment": N_("A comment on my entry"),
    "review": N_("A review on my request for feedback"),
    "named_reviewer": N_("Being named as a reviewer"),
    "new_meeting": N_("A new meeting in a network I belong to or follow"),
    "waitlist_promoted": N_("A seat for me from a meeting's waitlist"),
    "meeting_message": N_("A message about a meeting I registered for"),
    "membership": N_("Requests to join my networks, and answers to mine"),
    "gallery_removal": N_("Requests to remove something from an idea book I look after"),
}
_MAIL_KEY = "dela_mail"


@dataclass(frozen=True)
class Mail:
    """A notification that its recipient also wants by e-mail."""

    to: str
    language: str
    kind: str
    actor: str
    subject: str
    path: str
    body: str = ""


def settings(session: Session, user: User) -> dict[str, NotificationSetting]:
    """Return the member's choice per kind; kinds without a stored choice are on."""
    rows = {
        s.kind: s for s in session.scalars(select(NotificationSetting).where(NotificationSetting.user_id == user.id))
    }
    return {
        kind: rows.get(kind) or NotificationSetting(user_id=user.id, kind=kind, in_app=True, email=True)
        for kind in NOTIFICATION_KINDS
    }


def save_settings(session: Session, user: User, in_app: set[str], email: set[str]) -> None:
    """Store which kinds the member wants in the app and by e-mail."""
    unknown = (set(in_app) | set(email)) - set(NOTIFICATION_KINDS)
    if unknown:
        raise ValidationError.single("kinds", N_("Unknown notification kinds: %(kinds)s."), kinds=", ".join(unknown))
    current = settings(session, user)
    for kind in NOTIFICATION_KINDS:
        row = current[kind]
        row.in_app, row.email = kind in in_app, kind in email
        session.merge(row)


def notify(
    session: Session, user: User | None, kind: str, actor: User | None, subject: str, path: str, body: str = ""
) -> None:
    """Tell a member that something happened, as they chose; never the one who did it."""
    if user is None or not user.active or (actor is not None and actor.id == user.id):
        return
    choice = settings(session, user)[kind]
    if choice.in_app:
        session.add(
            Notification(user_id=user.id, kind=kind, actor_id=actor.id if actor else None, subject=subject[:200],
                         path=path[:300], body=body)
        )  # fmt: skip
    if choice.email:
        actor_name = actor.display_name if actor else ""
        mail = Mail(user.email, user.language, kind, actor_name, subject, path, body)
        session.info.setdefault(_MAIL_KEY, []).append(mail)


def take_mail(session: Session) -> list[Mail]:
    """Return and forget the e-mails the session's committed changes asked for."""
    return session.info.pop(_MAIL_KEY, [])


def forget_mail(session: Session) -> None:
    """Drop queued e-mails (after a rollback)."""
    session.info.pop(_MAIL_KEY, None)


def unread_count(session: Session, user: User) -> int:
    """Count the member's unread notifications."""
    query = select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    return session.scalar(query) or 0


def recent(session: Session, user: User, page: int = 1, per_page: int = 30) -> tuple[list[Notification], int]:
    """Return one page of the member's notifications, newest first, and how many there are."""
    total = session.scalar(select(func.count()).where(Notification.user_id == user.id)) or 0
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(session.scalars(query)), total


def mark_read(session: Session, user: User, ids: list[int] | None = None) -> int:
    """Mark the member's notifications read (all, or those ids); return how many changed."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    return session.execute(query.values(read_at=utcnow())).rowcount or 0
