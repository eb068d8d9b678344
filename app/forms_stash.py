"""Form text kept across an expired session, offered back after login."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from methodbook.db import utcnow
from methodbook.models import FormStash

from .db import db_session

KEEP_FOR = timedelta(days=7)
_SKIP = {"csrf_token", "restore"}


def stash_form(path: str, form) -> str:
    """Store the posted text fields and return the token that finds them again."""
    session = db_session()  # a POST: its transaction writes
    session.execute(delete(FormStash).where(FormStash.created_at < utcnow() - KEEP_FOR))
    data = {key: form.getlist(key) for key in form if key not in _SKIP}
    stash = FormStash(path=path, data=data)
    session.add(stash)
    session.commit()
    return stash.token


def load_stash(path: str, token: str | None) -> dict | None:
    """Return the stashed fields for this form page, or None."""
    if not token:
        return None
    stash = db_session().scalar(select(FormStash).where(FormStash.token == token, FormStash.path == path))
    return stash.data if stash else None
