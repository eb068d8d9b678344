"""Whole-page cache for visitors: entry pages answered before Flask's request machinery runs.

A GET for /methods/<slug> that carries no cookie is what a visitor (or a crawler) sends. Such a
page holds no session token, so one rendering serves them all. The key holds the entry's
current revision and the last change to its feedback thread, read with one small query per request, so a save elsewhere (in any worker
or on any server) is seen at once; anything else goes through Flask unchanged.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from methodbook.entries import network_filter
from methodbook.models import Comment, Entry, FeedbackRequest, Gallery, Meeting, MethodUse
from methodbook.render import RENDERER_VERSION

from .cache import LRU

_ENTRY_PATH = re.compile(r"^/methods/([a-z0-9]+(?:-[a-z0-9]+)*)$")


def visitor_language(accept_language: str | None, languages, default: str) -> str:
    """Pick the language for a visitor without a session: the browser's, else the default."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(languages) or default


def site_date(config) -> date:
    """Today in the site's time zone."""
    return datetime.now(ZoneInfo(config["BABEL_DEFAULT_TIMEZONE"])).date()


class VisitorPageCache:
    """WSGI middleware that replays stored entry pages for cookie-less GET requests."""

    def __init__(self, flask_app, size: int = 1024):
        self.flask_app = flask_app
        self.wsgi_app = flask_app.wsgi_app
        self.pages = LRU(size)
        self._stamp_query = None

    def _stamp(self, slug: str):
        if self._stamp_query is None:  # built once: building it took longer than running it
            self._stamp_query = self._build_stamp_query(bindparam("slug"))
        with self.flask_app.extensions["dela_db"].sessionmaker() as session:
            return session.execute(self._stamp_query, {"slug": slug}).first()

    @staticmethod
    def _build_stamp_query(slug):
        """The query of what a visitor's page shows besides the entry's own revision; slug is a bound parameter."""
        # The thread and any public scores are on the page too: their last change is in the key.
        thread = select(func.max(Comment.changed_at)).where(Comment.entry_id == Entry.id).scalar_subquery()
        grids = select(func.max(FeedbackRequest.changed_at)).where(FeedbackRequest.entry_id == Entry.id)
        # So are the write-ups that name the entry (those a visitor may see, and any change to them), for a
        # write-up the methods it names, its meeting and its idea book, and the entry's versions.
        writeups = select(MethodUse.writeup_id).where(MethodUse.method_slug == slug)
        other = aliased(Entry)
        # The status is tested through coalesce() so that no planner reads the entries by status (nearly all
        # are published): SQLite, without statistics, did, walking every entry on every visitor request.
        shown = and_(
            func.coalesce(other.status, "") == "published", other.deleted_at.is_(None), network_filter(None, other)
        )
        naming = other.id.in_(writeups)
        # The methods this entry (as a write-up) names, from its uses to the entries by their unique slug.
        uses = aliased(MethodUse)

        def named(column):
            return (
                select(column)
                .select_from(uses)
                .join(other, other.slug == uses.method_slug)
                .where(uses.writeup_id == Entry.id, shown)
            )

        listed = [
            select(func.count()).where(naming, shown),
            select(func.max(other.updated_at)).where(naming),
            select(func.max(other.deleted_at)).where(naming),
            named(func.count()),
            named(func.sum(other.revision_number)),
            # Versions adapted from the entry, and the entry it was adapted from.
            select(func.count()).where(other.derived_from == slug, shown),
            select(func.max(other.updated_at)).where(other.derived_from == slug),
            select(func.max(other.revision_number)).where(other.slug == Entry.derived_from, shown),
        ]
        idea_book = select(func.max(Gallery.changed_at)).where(
            or_(Gallery.entry_id == Entry.id, Gallery.meeting_id == Entry.meeting_id)
        )
        meeting = select(Meeting.sequence).where(Meeting.id == Entry.meeting_id)
        query = select(
            Entry.id,
            Entry.revision_number,
            thread,
            grids.scalar_subquery(),
            idea_book.scalar_subquery(),
            meeting.scalar_subquery(),
            Entry.meeting_id,
            *(part.scalar_subquery() for part in listed),
        ).where(Entry.slug == slug, Entry.status == "published", Entry.deleted_at.is_(None), network_filter(None))
        return query

    def __call__(self, environ, start_response):
        match = _ENTRY_PATH.match(environ.get("PATH_INFO", ""))
        if not match or environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_COOKIE"):
            return self.wsgi_app(environ, start_response)
        stamp = self._stamp(match.group(1))
        if stamp is None:
            return self.wsgi_app(environ, start_response)
        config = self.flask_app.config
        language = visitor_language(
            environ.get("HTTP_ACCEPT_LANGUAGE"), config["DELA_LANGUAGES"], config["BABEL_DEFAULT_LOCALE"]
        )
        # The site's date too: a request for feedback leaves the page when its last day has passed.
        key = (*stamp, site_date(config), RENDERER_VERSION, language, environ.get("QUERY_STRING", ""))
        page = self.pages.get(key)
        if page is not None:
            status, headers, body = page
            start_response(status, headers)
            return [body]
        return self._render_and_store(key, environ, start_response)

    def _render_and_store(self, key, environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, list(headers)
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        cacheable = captured.get("status", "").startswith("200") and not any(
            name.lower() == "set-cookie" for name, _ in captured.get("headers", [])
        )
        if cacheable:
            self.pages.put(key, (captured["status"], captured["headers"], body))
        return [body]
