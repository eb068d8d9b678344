"""Home page, health check and the language switcher."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, session
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from methodbook import feedback, meetings
from methodbook.db import utcnow
from methodbook.entries import tag_counts, visible_entries
from methodbook.models import Entry, Network
from methodbook.recognition import MARKS

from ..db import db_session, get_db
from ..login import viewer
from ..networks.forms import STATUS_LABELS
from ..search.service import index_state
from ..security import public, safe_next
from . import bp


@bp.get("/")
@public
def home():
    """Show the newest entries and the most used tags."""
    db = db_session()
    newest = list(db.scalars(visible_entries(viewer()).order_by(Entry.created_at.desc(), Entry.id.desc()).limit(6)))
    total = db.scalar(select(func.count()).select_from(visible_entries(viewer()).subquery()))
    counts = feedback.comment_counts(db, [e.id for e in newest])
    now = utcnow()
    upcoming = meetings.upcoming_for(db, viewer(), now)
    if not upcoming and viewer() is not None:
        upcoming = meetings.public_upcoming(db, now)
    states = {m.id: meetings.status(m, now, meetings.count_registered(db, m)) for m in upcoming}
    public_networks = []
    if viewer() is None:
        public_networks = list(
            db.scalars(select(Network).where(Network.visibility == "public").order_by(Network.name).limit(8))
        )
    return render_template(
        "home.html", newest=newest, total=total, tags=tag_counts(db, 15, viewer()), comment_counts=counts,
        upcoming=upcoming, states=states, status_labels=STATUS_LABELS, public_networks=public_networks,
    )  # fmt: skip


@bp.get("/health")
@public
def health():
    """Answer 200 when the database answers, 503 when it does not."""
    try:
        with get_db().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "database": "unreachable", "search": index_state()}), 503
    search = index_state()
    # Without a usable index the site still answers (search falls back), so this is not a 503.
    return jsonify({"status": "ok" if search == "ok" else "degraded", "database": "ok", "search": search})


@bp.route("/language", methods=["GET", "POST"])
@public
def set_language():
    """Switch the interface language.

    Visitors switch with a GET form (a session preference, nothing stored), which keeps their
    pages free of per-session tokens and so cacheable; a signed-in member's choice is saved to the
    profile and therefore goes through a POST with a CSRF token.
    """
    lang = request.values.get("lang", "")
    user = viewer()
    if lang in current_app.config["DELA_LANGUAGES"]:
        if user is None:
            session["lang"] = lang
        elif request.method == "POST":
            session["lang"] = lang
            user.language = lang
            db_session().commit()
    return redirect(safe_next(request.values.get("next"), "/"))


@bp.get("/help/recognition")
@public
def recognition():
    """The rules behind recognition for sharing: what counts, and the marks one can earn."""
    return render_template("help_recognition.html", marks=MARKS)
