"""Remixes: "make my own version" of a published entry.

The copy is a draft of the member who made it, in the same network as the original (so a
members-only method stays with its members), with the original's text, fields and files. It names
the original in ``Entry.derived_from`` (kept in every revision and in content/ files as
``derived_from:``), credits the original's authors ahead of the new one and keeps the licence. The
original's page lists the published versions a reader may see ("adapted N times").
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import permissions
from .attachments import StoredFile
from .entries import MAX_AUTHORS, create_entry, network_filter, snapshot, validate_entry_data
from .errors import Forbidden
from .models import Entry, User

MAX_LISTED = 50


def may_remix(user: User | None, original: Entry) -> bool:
    """Any active member who may read a published entry may adapt it."""
    return permissions.can_create(user) and original.is_published and permissions.can_view(user, original)


def remix(session: Session, original: Entry, user: User, title: str) -> Entry:
    """Make a draft copy of ``original`` for ``user`` that records where it came from."""
    if not may_remix(user, original):
        raise Forbidden("only members who may read a published entry adapt it")
    raw = snapshot(original)
    authors = list(original.authors or [])
    if user.display_name not in authors:
        authors.append(user.display_name)
    raw.update(
        title=title[:200], slug="", status="draft", derived_from=original.slug, authors=authors[:MAX_AUTHORS],
        # A write-up tells of its own meeting; a version of it starts without that list.
        methods_used=[] if original.kind == "write-up" else raw["methods_used"],
    )  # fmt: skip
    data = validate_entry_data(raw, session)
    files = [StoredFile(a.filename, a.sha256, a.size, a.content_type) for a in original.attachments]
    copy = create_entry(session, data, user, files, f"Adapted from {original.slug}")
    copy.network = original.network
    session.flush()
    return copy


def original_of(session: Session, entry: Entry, viewer: User | None) -> Entry | None:
    """The entry this one was adapted from, when the viewer may see it."""
    if not entry.derived_from:
        return None
    original = session.scalar(select(Entry).where(Entry.slug == entry.derived_from))
    return original if original is not None and permissions.can_view(viewer, original) else None


def adaptations(session: Session, entry: Entry, viewer: User | None) -> list[Entry]:
    """Published versions adapted from this entry that the viewer may see, newest first."""
    query = select(Entry).where(
        Entry.derived_from == entry.slug, Entry.status == "published", Entry.deleted_at.is_(None),
        network_filter(viewer),
    )  # fmt: skip
    return list(session.scalars(query.order_by(Entry.published_at.desc(), Entry.id.desc()).limit(MAX_LISTED)))
