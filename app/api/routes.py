"""Read API: entries as JSON and the OpenAPI document that describes them."""

from __future__ import annotations

from flask import abort, jsonify, request, url_for
from sqlalchemy import select

from methodbook import entries, feedback, permissions
from methodbook.db import utcnow
from methodbook.errors import NotFound
from methodbook.models import KINDS, LANGUAGES, Entry, Meeting, Network

from ..db import db_session
from ..feedback.common import criterion_name
from ..forms_util import translate
from ..methods.routes import rendered_body
from ..search.service import request_from_args, run_search, suggest_titles
from ..security import public
from . import bp
from .openapi import openapi_document

MAX_PER_PAGE = 100


def _int_arg(name: str, default: int, upper: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    if not value.isdecimal() or not 1 <= int(value) <= upper:
        abort(400)
    return int(value)


def _summary(entry: Entry) -> dict:
    return {
        "slug": entry.slug,
        "title": entry.title,
        "kind": entry.kind,
        "language": entry.language,
        "summary": entry.summary,
        "url": url_for("methods.view", slug=entry.slug, _external=True),
        "updated_at": entry.updated_at.isoformat(),
    }


@bp.get("/entries")
@public
def list_entries():
    """List published entries, newest first."""
    page = _int_arg("page", 1, 10**6)
    per_page = _int_arg("per_page", 20, MAX_PER_PAGE)
    kind, language = request.args.get("kind", ""), request.args.get("language", "")
    if (kind and kind not in KINDS) or (language and language not in LANGUAGES):
        abort(400)
    query = entries.filter_entries(entries.visible_entries(None), kind, language, request.args.get("tag", ""))
    items, total = entries.paginate(
        db_session(), query.order_by(Entry.created_at.desc(), Entry.id.desc()), page, per_page
    )
    return jsonify({"items": [_summary(e) for e in items], "total": total, "page": page, "per_page": per_page})


@bp.get("/entries/<slug>")
@public
def get_entry(slug: str):
    """Return one published entry with every field."""
    try:
        entry = entries.get_entry(db_session(), slug)
    except NotFound:
        abort(404)
    if not entry.is_published or not permissions.network_allows(None, entry):
        abort(404)
    snap = entries.snapshot(entry)
    revision = entry.current_revision
    data = {k: v for k, v in snap.items() if k != "attachments"}
    data.update(
        _summary(entry),
        body_html=rendered_body(revision),
        revision=entry.revision_number,
        attachments=[
            {
                "filename": a.filename,
                "size": a.size,
                "content_type": a.content_type,
                "url": url_for(
                    "methods.attachment", slug=entry.slug, attachment_id=a.id, filename=a.filename, _external=True
                ),
            }
            for a in entry.attachments
        ],
    )
    return jsonify(data)


@bp.get("/openapi.json")
@public
def openapi():
    """Describe the API in OpenAPI 3.1."""
    return jsonify(openapi_document(request.host_url.rstrip("/")))


@bp.get("/search")
@public
def search():
    """Search published entries; facets and a spelling suggestion come with the results."""
    result, _state = run_search(request_from_args(request.args))
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "results": [
                {
                    "slug": hit.slug,
                    "title": hit.title,
                    "kind": hit.kind,
                    "language": hit.language,
                    "url": url_for("methods.view", slug=hit.slug, _external=True),
                    "snippet": hit.snippet,
                }
                for hit in result.hits
            ],
            "facets": {name: dict(values) for name, values in result.facets.items()},
            "suggestion": result.suggestion,
            "notes": [translate(n) for n in result.notes],
        }
    )


@bp.get("/search/suggest")
@public
def search_suggest():
    """Offer up to 8 titles for what has been typed (2 letters or more)."""
    return jsonify(
        [
            {"title": s.title, "url": url_for("methods.view", slug=s.slug)}
            for s in suggest_titles(request.args.get("q", "")[:100])
        ]
    )


def _published_or_404(slug: str) -> Entry:
    try:
        entry = entries.get_entry(db_session(), slug)
    except NotFound:
        abort(404)
    if not entry.is_published or not permissions.network_allows(None, entry):
        abort(404)
    return entry


def _comment_json(comment) -> dict:
    shown = not comment.is_removed and comment.hidden_at is None
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "quoted_id": comment.quoted_id,
        "author": (comment.author.display_name if comment.author else None) if shown else None,
        "body_html": comment.body_html if shown else None,
        "removed": not shown,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
        "url": url_for("feedback.permalink", comment_id=comment.id, _external=True),
    }


@bp.get("/entries/<slug>/comments")
@public
def entry_comments(slug: str):
    """The feedback thread of a published entry, a page of top comments with their replies."""
    entry = _published_or_404(slug)
    page = _int_arg("page", 1, 10**6)
    per_page = _int_arg("per_page", 20, MAX_PER_PAGE)
    thread = feedback.thread(db_session(), entry, page, per_page)
    return jsonify(
        {
            "total": thread.count,
            "page": thread.page,
            "pages": thread.pages,
            "comments": [
                _comment_json(c) | {"replies": [_comment_json(r) for r in thread.replies[c.id]]}
                for c in thread.comments
            ],
        }
    )


@bp.get("/entries/<slug>/reviews/summary")
@public
def review_summary(slug: str):
    """The critical-friend scores of a published entry, for requests whose authors made them public."""
    entry = _published_or_404(slug)
    requests = [r for r in feedback.requests_for_entry(db_session(), entry) if r.aggregate_public]
    return jsonify(
        {
            "requests": [
                {
                    "question": r.question,
                    "created_at": r.created_at.isoformat(),
                    "closed": r.closed_at is not None,
                    "reviews": len(feedback.shown_reviews(r)),
                    "criteria": [
                        {
                            "criterion": criterion_name(s.criterion),
                            "mean": round(s.mean, 2) if s.mean is not None else None,
                            "count": s.count,
                            "distribution": {str(n): s.distribution[n] for n in feedback.SCORES},
                        }
                        for s in feedback.aggregate(r)
                    ],
                }
                for r in requests
            ]
        }
    )


def _network_json(network) -> dict:
    return {
        "slug": network.slug,
        "name": network.name,
        "description": network.description,
        "visibility": network.visibility,
        "url": url_for("networks.view", slug=network.slug, _external=True),
        "calendar": url_for("networks.network_ics", slug=network.slug, _external=True),
    }


def _meeting_json(meeting, with_agenda: bool = False) -> dict:
    from methodbook import meetings as meeting_service

    data = {
        "id": meeting.id,
        "network": meeting.network.slug,
        "title": meeting.title,
        "theme": meeting.theme,
        "format": meeting.format,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "timezone": meeting.network.timezone,
        "place": meeting.place,
        "capacity": meeting.capacity,
        "registered": meeting_service.count_registered(db_session(), meeting),
        "status": meeting_service.status(meeting, utcnow(), meeting_service.count_registered(db_session(), meeting)),
        "url": url_for("networks.meeting", meeting_id=meeting.id, _external=True),
        "calendar": url_for("networks.meeting_ics", meeting_id=meeting.id, _external=True),
    }
    if with_agenda:
        schedule = meeting_service.schedule(meeting)
        data["description"] = meeting.description
        data["agenda"] = [
            {
                "starts_at": item.starts.isoformat(),
                "ends_at": item.ends.isoformat(),
                "minutes": item.block.minutes,
                "title": item.block.title or (item.block.entry.title if item.block.entry else ""),
                "entry": item.block.entry.slug if item.block.entry and item.block.entry.is_published else None,
                "facilitator": item.block.facilitator,
            }
            for item in schedule.blocks
        ]
    return data


@bp.get("/networks")
@public
def list_networks():
    """Every network (members-only ones too: their name and description are public)."""
    rows = db_session().scalars(select(Network).order_by(Network.name))
    return jsonify({"items": [_network_json(n) for n in rows]})


@bp.get("/networks/<slug>/meetings")
@public
def network_meetings(slug: str):
    """A public network's meetings, soonest first; members-only networks answer 404."""
    network = db_session().scalar(select(Network).where(Network.slug == slug))
    if network is None or network.members_only:
        abort(404)
    rows = db_session().scalars(select(Meeting).where(Meeting.network_id == network.id).order_by(Meeting.starts_at))
    return jsonify({"network": network.slug, "items": [_meeting_json(m) for m in rows]})


@bp.get("/meetings/<int:meeting_id>")
@public
def get_meeting(meeting_id: int):
    """One meeting of a public network, with its agenda."""
    meeting = db_session().get(Meeting, meeting_id)
    if meeting is None or meeting.network.members_only:
        abort(404)
    return jsonify(_meeting_json(meeting, with_agenda=True))
