"""Running a search from a request: drain pending index changes, fall back while rebuilding."""

from __future__ import annotations

from sqlalchemy import or_, select

from methodbook import permissions
from methodbook.entries import visible_entries
from methodbook.errors import Message
from methodbook.i18n import N_
from methodbook.models import Entry, Membership, Network
from methodbook.search import FACETS, SORTS, Hit, SearchRequest, SearchResult
from methodbook.search.indexing import drain, pending_count, start_background_rebuild
from methodbook.search.text import words

from ..db import db_session, get_db, search_context

ARG_FOR = {
    "kind": "kind",
    "tag": "tag",
    "role": "role",
    "phase": "phase",
    "lang": "language",
    "duration": "duration",
    "network": "network",
}
MAX_PER_PAGE = 100


def request_from_args(args, per_page: int = 20) -> SearchRequest:
    """Read q, the facet filters, sort and page from query arguments, ignoring what is invalid."""
    filters = {}
    for arg, facet in ARG_FOR.items():
        values = [v.strip().lower()[:60] for v in args.getlist(arg) if v.strip()]
        if values and facet in FACETS:
            filters[facet] = values[:10]
    page = args.get("page", "1")
    size = args.get("per_page", str(per_page))
    return SearchRequest(
        text=args.get("q", "")[:5000],
        filters=filters,
        sort=args.get("sort") if args.get("sort") in SORTS else "relevance",
        page=min(int(page), 1000) if page.isdecimal() and int(page) > 0 else 1,
        per_page=min(int(size), MAX_PER_PAGE) if size.isdecimal() and int(size) > 0 else per_page,
    )


def _make_session():
    return get_db().sessionmaker()


def run_search(search_request: SearchRequest) -> tuple[SearchResult, str]:
    """Search, after applying pending index changes; returns the result and the index state."""
    context = search_context()
    state = context.backend.status()["state"]
    if state != "ok" or pending_count(db_session()):
        # Applies pending changes; a missing index is rebuilt here (CLI, tests) or in a thread (web).
        drain(_make_session, context)
        state = context.backend.status()["state"]
    if state == "ok":
        return context.backend.search(search_request), state
    if context.background:
        start_background_rebuild(_make_session, context)
    return _fallback(search_request), state


def _fallback(search_request: SearchRequest) -> SearchResult:
    """Match titles and summaries in the database while the index is rebuilt."""
    query = visible_entries(None)
    for word in [w for w in words(search_request.text) if len(w) > 1][:6]:
        pattern = f"%{word}%"
        query = query.where(or_(Entry.title.ilike(pattern), Entry.summary.ilike(pattern)))
    rows = list(db_session().scalars(query.order_by(Entry.title).limit(search_request.per_page)))
    hits = [Hit(e.id, e.slug, e.title, e.kind, e.language, e.tags, "", "", 0.0) for e in rows]
    note = Message(N_("Search is being rebuilt. Until it is ready, only titles and summaries are searched."))
    return SearchResult(total=len(hits), hits=hits, facets={}, notes=[note], page=1, per_page=search_request.per_page)


def index_state() -> str:
    """Return the search index's state for /health."""
    return search_context().backend.status()["state"]


def suggest_titles(text: str, limit: int = 8):
    """Titles offered while typing."""
    context = search_context()
    if context.backend.status()["state"] != "ok":
        return []
    return context.backend.suggest(text, limit)


def audience(user) -> list[str]:
    """The members-only networks whose entries a signed-in user may find (all of them for admins)."""
    if user is None:
        return []
    query = select(Network.slug).where(Network.visibility == "members")
    if not permissions.is_admin(user):
        mine = select(Membership.network_id).where(Membership.user_id == user.id, Membership.status == "active")
        query = query.where(Network.id.in_(mine))
    return [f"members:{slug}" for slug in db_session().scalars(query)]
