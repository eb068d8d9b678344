"""Write-ups: entries that tell what a meeting produced, and the methods it used.

A write-up is an entry of kind ``write-up``. It may belong to one meeting (``Entry.meeting``),
whose network then becomes the entry's, so a members-only meeting's write-up stays members-only.
The methods it used are a list of entry addresses kept in every revision (``methods_used``); a
method's page counts the meetings whose published write-ups name it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import permissions
from .entries import network_filter
from .errors import ValidationError
from .i18n import N_
from .models import Entry, Meeting, MethodUse, User
from .networks import coordinator_ids, member_network_ids

RECENT_MEETINGS = 60


def may_write_up(user: User | None, meeting: Meeting) -> bool:
    """The network's coordinators (and admins) link write-ups to its meetings."""
    return permissions.can_manage_network(user, meeting.network, coordinator_ids(meeting.network))


def meetings_for_writer(session: Session, user: User, current: Meeting | None = None) -> list[Meeting]:
    """The meetings a member may link a write-up to, newest first, plus the entry's current one."""
    query = select(Meeting).order_by(Meeting.starts_at.desc()).limit(RECENT_MEETINGS)
    if not permissions.is_admin(user):
        ids = member_network_ids(session, user)
        query = query.where(Meeting.network_id.in_(ids)) if ids else query.where(False)
    found = [m for m in session.scalars(query) if may_write_up(user, m)]
    if current is not None and current not in found:
        found.insert(0, current)
    return found


def set_meeting(session: Session, entry: Entry, meeting_id: int | None, user: User) -> None:
    """Link a write-up to a meeting (its network becomes the entry's), or unlink it."""
    if meeting_id is None:
        entry.meeting = None
        return
    if entry.kind != "write-up":
        raise ValidationError.single("meeting", N_("Only write-ups belong to a meeting. Choose the kind Write-up."))
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise ValidationError.single("meeting", N_("Choose a meeting of a network you coordinate."))
    if meeting_id != entry.meeting_id and not may_write_up(user, meeting):
        raise ValidationError.single("meeting", N_("Choose a meeting of a network you coordinate."))
    entry.meeting = meeting
    entry.network = meeting.network


def agenda_methods(meeting: Meeting) -> list[str]:
    """The addresses of the entries on a meeting's agenda, in agenda order, each once."""
    slugs: list[str] = []
    for block in sorted(meeting.agenda, key=lambda b: b.position):
        if block.entry is not None and block.entry.kind != "write-up" and block.entry.slug not in slugs:
            slugs.append(block.entry.slug)
    return slugs


def _published(viewer: User | None, everyone: bool = False):
    """Published write-ups the viewer may read (every one of them with everyone=True)."""
    query = select(Entry).where(Entry.kind == "write-up", Entry.status == "published", Entry.deleted_at.is_(None))
    return query if everyone else query.where(network_filter(viewer))


def writeups_of_meeting(session: Session, meeting: Meeting, viewer: User | None) -> list[Entry]:
    """The meeting's published write-ups that the viewer may read, oldest first."""
    query = _published(viewer).where(Entry.meeting_id == meeting.id).order_by(Entry.published_at, Entry.id)
    return list(session.scalars(query))


def draft_writeups_of_meeting(session: Session, meeting: Meeting, user: User | None) -> list[Entry]:
    """Drafts of write-ups of the meeting that this member may edit (to find them again)."""
    if user is None:
        return []
    query = select(Entry).where(Entry.meeting_id == meeting.id, Entry.status == "draft", Entry.deleted_at.is_(None))
    return [e for e in session.scalars(query.order_by(Entry.id)) if permissions.can_edit(user, e)]


@dataclass
class Usage:
    """Where a method was used: how many meetings, and the write-ups that say so."""

    meetings: int
    writeups: list[Entry]


def usage(session: Session, entry: Entry, viewer: User | None) -> Usage:
    """Count the meetings whose published write-ups (that the viewer may read) name this entry."""
    named = select(MethodUse.writeup_id).where(MethodUse.method_slug == entry.slug)
    query = _published(viewer).where(Entry.id.in_(named)).order_by(Entry.published_at.desc(), Entry.id.desc())
    writeups = list(session.scalars(query))
    return Usage(len({_occasion(w.id, w.meeting_id) for w in writeups}), writeups)


def _occasion(writeup_id: int, meeting_id: int | None) -> tuple:
    """Write-ups of one meeting count once; a write-up with no meeting in Dela tells of a meeting of its own."""
    return ("meeting", meeting_id) if meeting_id is not None else ("write-up", writeup_id)


def usage_counts(session: Session, slugs: list[str], viewer: User | None, everyone: bool = False) -> dict[str, int]:
    """For a list of entries: at how many meetings each was used, by the write-ups the viewer may read."""
    if not slugs:
        return {}
    visible = _published(viewer, everyone).subquery()
    query = (
        select(MethodUse.method_slug, visible.c.id, visible.c.meeting_id)
        .join(visible, visible.c.id == MethodUse.writeup_id)
        .where(MethodUse.method_slug.in_(slugs))
    )
    seen: dict[str, set] = {}
    for slug, writeup_id, meeting_id in session.execute(query):
        seen.setdefault(slug, set()).add(_occasion(writeup_id, meeting_id))
    return {slug: len(keys) for slug, keys in seen.items()}
