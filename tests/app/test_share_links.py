"""Share links: a secret, expiring, revocable read-only address for a draft."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from methodbook import entries, sharing
from methodbook.db import utcnow
from methodbook.errors import NotFound
from methodbook.models import ShareLink
from tests.app.test_networks_web import signed_in, text_of, visit
from tests.conftest import csrf_from


def make_link(c, slug: str, days="14"):
    page = c.get(f"/methods/{slug}")
    return c.post(f"/methods/{slug}/share-links", data={"csrf_token": csrf_from(page.data), "days": days})


def test_an_author_shares_a_draft_that_a_visitor_can_read_until_revoked(app, db_session, make_user, make_entry):
    author = make_user()
    make_entry("Hemligt utkast", user=author, status="draft", body="## Steg\n\n1. Fråga först")
    c = signed_in(app, author)
    assert visit(app, "/methods/hemligt-utkast").status_code == 404
    assert make_link(c, "hemligt-utkast").status_code == 302
    link = db_session.scalar(select(ShareLink))
    assert link.expires_at - utcnow() > timedelta(days=13)
    assert f"/shared/{link.token}" in text_of(c.get("/methods/hemligt-utkast"))
    shared = visit(app, f"/shared/{link.token}")
    assert shared.status_code == 200 and "Fråga först" in text_of(shared) and "Edit" not in text_of(shared)
    assert shared.headers["X-Robots-Tag"] == "noindex, nofollow" and "no-store" in shared.headers["Cache-Control"]
    page = c.get("/methods/hemligt-utkast")
    revoked = c.post(f"/methods/hemligt-utkast/share-links/{link.id}/revoke", data={"csrf_token": csrf_from(page.data)})
    assert revoked.status_code == 302
    assert visit(app, f"/shared/{link.token}").status_code == 404
    assert visit(app, "/shared/not-a-token").status_code == 404


def test_expired_links_and_trashed_entries_show_nothing(db_session, make_user, make_entry):
    author = make_user()
    entry = make_entry("Utkast", user=author, status="draft")
    link = sharing.create_link(db_session, entry, author, "1")
    assert sharing.open_link(db_session, link.token) == entry
    with pytest.raises(NotFound):
        sharing.open_link(db_session, link.token, now=utcnow() + timedelta(days=2))
    entries.trash_entry(entry, author)
    db_session.flush()
    with pytest.raises(NotFound):
        sharing.open_link(db_session, link.token)


def test_only_editors_make_links_and_the_days_are_checked(app, db_session, make_user, make_entry):
    author, other = make_user(), make_user()
    make_entry("Publicerad", user=author)
    assert make_link(signed_in(app, other), "publicerad").status_code == 403
    c = signed_in(app, author)
    for days in ("0", "91", "tio"):
        assert make_link(c, "publicerad", days).status_code == 302
    assert db_session.scalar(select(ShareLink)) is None
    assert "Choose from 1 to 90 days." in text_of(c.get("/methods/publicerad"))
