"""The search page."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template, request
from sqlalchemy import func, select

from methodbook import feedback
from methodbook.entries import tag_counts, visible_entries
from methodbook.models import Entry, Network

from ..db import db_session
from ..forms_util import translate
from ..login import viewer
from ..security import public
from . import bp
from .service import ARG_FOR, audience, request_from_args, run_search

FACET_ORDER = ("kind", "language", "network", "duration", "phase", "role", "tag")
ARG_OF = {facet: arg for arg, facet in ARG_FOR.items()}


def url_with(args, **changes) -> str:
    """Return /search with the current arguments changed: a value None removes, a tuple toggles."""
    params = {k: list(v) for k, v in args.lists() if k != "page"}
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        elif isinstance(value, tuple):
            current = params.get(name, [])
            params[name] = [v for v in current if v != value[0]] if value[0] in current else [*current, value[0]]
        else:
            params[name] = [str(value)]
    return "/search?" + urlencode({k: v for k, v in params.items() if v}, doseq=True)


@bp.get("/search")
@public
def search():
    """Search the method book: results, facets, sorting, suggestions and notes."""
    search_request = request_from_args(request.args)
    search_request.audience = audience(viewer())
    result, state = run_search(search_request)
    empty = not search_request.text.strip() and not search_request.filters
    context = {}
    if result.total == 0 or empty:
        popular = visible_entries(None).order_by(Entry.created_at.desc()).limit(6)
        context = {"tags": tag_counts(db_session(), 20), "popular": list(db_session().scalars(popular))}
    # Entries outside any network are counted as "none": not a choice worth offering.
    if "network" in result.facets:
        result.facets["network"] = [(v, n) for v, n in result.facets["network"] if v != "none"]
    network_names = {}
    if result.facets.get("network"):
        network_names = {slug: name for slug, name in db_session().execute(select(Network.slug, Network.name))}
    pages = max((result.total + search_request.per_page - 1) // search_request.per_page, 1)
    total_all = db_session().scalar(select(func.count()).select_from(visible_entries(None).subquery()))
    return render_template(
        "search/results.html", req=search_request, result=result, state=state, empty=empty, pages=pages,
        notes=[translate(n) for n in result.notes], facet_order=FACET_ORDER, arg_of=ARG_OF,
        url_with=lambda **kw: url_with(request.args, **kw), total_all=total_all,
        comment_counts=feedback.comment_counts(db_session(), [h.entry_id for h in result.hits]),
        network_names=network_names, **context,
    )  # fmt: skip
