"""Who may do what: plain functions of (user, object), unit-tested on their own.

``user`` is a User or None for an anonymous visitor.
"""

from __future__ import annotations

from .models import Entry, User


def is_admin(user: User | None) -> bool:
    """Tell whether the user is an active admin."""
    return bool(user and user.active and user.role == "admin")


def is_editor_of(user: User | None, entry: Entry) -> bool:
    """Tell whether the user authored or co-authors the entry."""
    if not user or not user.active:
        return False
    return entry.created_by_id == user.id or any(e.id == user.id for e in entry.editors)


def can_view(user: User | None, entry: Entry) -> bool:
    """Published entries are public; drafts only for their editors and admins; trash for admins."""
    if entry.deleted_at is not None:
        return is_admin(user)
    if entry.status == "published":
        return True
    return is_admin(user) or is_editor_of(user, entry)


def can_create(user: User | None) -> bool:
    """Any active member may add entries."""
    return bool(user and user.active)


def can_edit(user: User | None, entry: Entry) -> bool:
    """Editors and admins edit entries that are not in the trash."""
    return entry.deleted_at is None and (is_admin(user) or is_editor_of(user, entry))


def can_delete(user: User | None, entry: Entry) -> bool:
    """The entry's authors and admins move it to the trash."""
    return can_edit(user, entry)


def can_restore_from_trash(user: User | None, entry: Entry) -> bool:
    """Only admins bring entries back from the trash."""
    return entry.deleted_at is not None and is_admin(user)


def can_manage_users(user: User | None) -> bool:
    """Admins manage accounts, invites and reset links."""
    return is_admin(user)
