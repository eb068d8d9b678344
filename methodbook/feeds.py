"""What the public Atom feeds hold: only published entries and meetings that anyone may see.

Every query here asks as an anonymous visitor, so members-only networks and their content never
appear in a feed; the web layer (app/feeds) turns the rows into Atom 1.0.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .entries import filter_entries, visible_entries
from .models import Entry, Meeting, Network, User, entry_editor

FEED_SIZE = 30


def _newest(session: Session, query, limit: int) -> list[Entry]:
    return list(session.scalars(query.order_by(Entry.updated_at.desc(), Entry.id.desc()).limit(limit)))


def recent_entries(session: Session, tag: str = "", limit: int = FEED_SIZE) -> list[Entry]:
    """New and changed public entries, most recently changed first; optionally those with a tag."""
    return _newest(session, filter_entries(visible_entries(None), "", "", tag), limit)


def network_entries(session: Session, network: Network, limit: int = FEED_SIZE) -> list[Entry]:
    if network.members_only:
        return []
    return _newest(session, visible_entries(None).where(Entry.network_id == network.id), limit)


def network_meetings(session: Session, network: Network, limit: int = FEED_SIZE) -> list[Meeting]:
    """The network's meetings, most recently planned first (cancelled ones say so in the feed)."""
    if network.members_only:
        return []
    query = select(Meeting).where(Meeting.network_id == network.id)
    return list(session.scalars(query.order_by(Meeting.created_at.desc(), Meeting.id.desc()).limit(limit)))


def contributions(session: Session, user: User, limit: int = FEED_SIZE) -> list[Entry]:
    """The public entries a member started or co-edits, most recently changed first."""
    edited = select(entry_editor.c.entry_id).where(entry_editor.c.user_id == user.id)
    return _newest(session, visible_entries(None).where((Entry.created_by_id == user.id) | Entry.id.in_(edited)), limit)
