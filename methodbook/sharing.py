"""Share links: an author lets someone outside Dela read a draft before it is published.

A link is a secret token, made by an editor of the entry, that expires after a chosen number of
days (at most 90) and can be revoked at once. It shows the entry's current text read-only, and
only while the entry is not in the trash.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import permissions
from .db import utcnow
from .errors import Forbidden, NotFound, ValidationError
from .i18n import N_
from .models import Entry, ShareLink, User

MAX_DAYS = 90
DEFAULT_DAYS = 14


def create_link(
    session: Session, entry: Entry, user: User, days: object = DEFAULT_DAYS, now: datetime | None = None
) -> ShareLink:
    if not permissions.can_edit(user, entry):
        raise Forbidden("only the entry's editors share it")
    text = str(days).strip()
    if not text.isdecimal() or not 1 <= int(text) <= MAX_DAYS:
        raise ValidationError.single("days", N_("Choose from 1 to %(max)s days."), max=MAX_DAYS)
    link = ShareLink(entry=entry, created_by_id=user.id, expires_at=(now or utcnow()) + timedelta(days=int(text)))
    session.add(link)
    session.flush()
    return link


def links_of(session: Session, entry: Entry, now: datetime | None = None) -> list[ShareLink]:
    """The entry's links that still work, newest first."""
    query = select(ShareLink).where(
        ShareLink.entry_id == entry.id, ShareLink.revoked_at.is_(None), ShareLink.expires_at > (now or utcnow())
    )
    return list(session.scalars(query.order_by(ShareLink.id.desc())))


def revoke(session: Session, entry: Entry, link_id: int, user: User) -> None:
    if not permissions.can_edit(user, entry):
        raise Forbidden("only the entry's editors revoke its links")
    link = session.get(ShareLink, link_id)
    if link is None or link.entry_id != entry.id:
        raise NotFound(str(link_id))
    link.revoked_at = link.revoked_at or utcnow()


def open_link(session: Session, token: str, now: datetime | None = None) -> Entry:
    """The entry a token shows; NotFound for unknown, expired or revoked tokens and trashed entries."""
    link = session.scalar(select(ShareLink).where(ShareLink.token == token)) if token else None
    if link is None or link.revoked_at is not None or link.expires_at <= (now or utcnow()):
        raise NotFound("share link")
    if link.entry.deleted_at is not None:
        raise NotFound("share link")
    return link.entry
