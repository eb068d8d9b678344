"""Who may do what, as a table over users and entry states; no database needed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from methodbook.models import Entry, User
from methodbook.permissions import (
    can_create,
    can_delete,
    can_edit,
    can_manage_users,
    can_restore_from_trash,
    can_view,
)

AUTHOR, COAUTHOR, OTHER, FACILITATOR, ADMIN, INACTIVE_ADMIN = 1, 2, 3, 4, 5, 6


def _user(key: str) -> User | None:
    users = {
        "anonymous": None,
        "author": User(id=AUTHOR, role="member", active=True),
        "co-author": User(id=COAUTHOR, role="member", active=True),
        "other member": User(id=OTHER, role="member", active=True),
        "facilitator": User(id=FACILITATOR, role="facilitator", active=True),
        "admin": User(id=ADMIN, role="admin", active=True),
        "inactive admin": User(id=INACTIVE_ADMIN, role="admin", active=False),
    }
    return users[key]


def _entry(state: str) -> Entry:
    entry = Entry(
        created_by_id=AUTHOR,
        status="draft" if state == "draft" else "published",
        deleted_at=datetime(2025, 3, 1, tzinfo=UTC) if state == "trashed" else None,
    )
    entry.editors = [User(id=COAUTHOR, role="member", active=True)]
    return entry


# (user, entry state): (can_view, can_edit, can_delete, can_restore_from_trash)
ENTRY_TABLE = {
    ("anonymous", "published"): (True, False, False, False),
    ("anonymous", "draft"): (False, False, False, False),
    ("anonymous", "trashed"): (False, False, False, False),
    ("author", "published"): (True, True, True, False),
    ("author", "draft"): (True, True, True, False),
    ("author", "trashed"): (False, False, False, False),
    ("co-author", "published"): (True, True, True, False),
    ("co-author", "draft"): (True, True, True, False),
    ("co-author", "trashed"): (False, False, False, False),
    ("other member", "published"): (True, False, False, False),
    ("other member", "draft"): (False, False, False, False),
    ("other member", "trashed"): (False, False, False, False),
    ("facilitator", "published"): (True, False, False, False),
    ("facilitator", "draft"): (False, False, False, False),
    ("facilitator", "trashed"): (False, False, False, False),
    ("admin", "published"): (True, True, True, False),
    ("admin", "draft"): (True, True, True, False),
    ("admin", "trashed"): (True, False, False, True),
    ("inactive admin", "published"): (True, False, False, False),
    ("inactive admin", "draft"): (False, False, False, False),
    ("inactive admin", "trashed"): (False, False, False, False),
}

# user: (can_create, can_manage_users)
USER_TABLE = {
    "anonymous": (False, False),
    "author": (True, False),
    "co-author": (True, False),
    "other member": (True, False),
    "facilitator": (True, False),
    "admin": (True, True),
    "inactive admin": (False, False),
}


@pytest.mark.parametrize(("user_key", "state"), list(ENTRY_TABLE), ids=[f"{u}-{s}" for u, s in ENTRY_TABLE])
def test_entry_permissions(user_key, state):
    user, entry = _user(user_key), _entry(state)
    actual = (
        can_view(user, entry),
        can_edit(user, entry),
        can_delete(user, entry),
        can_restore_from_trash(user, entry),
    )
    assert actual == ENTRY_TABLE[(user_key, state)]


@pytest.mark.parametrize("user_key", list(USER_TABLE))
def test_user_permissions(user_key):
    user = _user(user_key)
    assert (can_create(user), can_manage_users(user)) == USER_TABLE[user_key]


def test_inactive_author_loses_edit_rights():
    author = User(id=AUTHOR, role="member", active=False)
    entry = _entry("draft")
    assert not can_edit(author, entry)
    assert not can_view(author, entry)
