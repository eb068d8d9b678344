"""The feed addresses. Each answers as an anonymous visitor would see the site: public content only."""

from __future__ import annotations

from flask import Response, abort, url_for
from flask_babel import gettext as _

from methodbook import feeds, networks
from methodbook.errors import NotFound
from methodbook.models import Entry, Meeting, User

from ..db import db_session
from ..i18n import current_language
from ..security import public
from ..templating import when_in
from . import bp
from .atom import Item, document

FEED_TYPE = "application/atom+xml; charset=utf-8"


def _entry_item(entry: Entry) -> Item:
    url = url_for("methods.view", slug=entry.slug, _external=True)
    return Item(
        id=url, title=entry.title, link=url, updated=entry.updated_at, published=entry.published_at,
        authors=list(entry.authors or []), summary=entry.summary, categories=entry.tags, language=entry.language,
    )  # fmt: skip


def _meeting_item(meeting: Meeting) -> Item:
    url = url_for("networks.meeting", meeting_id=meeting.id, _external=True)
    when = when_in(meeting.starts_at, meeting.network, "full")
    title = _("Cancelled: %(title)s", title=meeting.title) if meeting.cancelled_at else meeting.title
    summary = " · ".join(part for part in (when, meeting.place, meeting.theme) if part)
    return Item(
        id=url, title=title, link=url, updated=meeting.cancelled_at or meeting.created_at,
        published=meeting.created_at, authors=[meeting.network.name], summary=summary,
    )  # fmt: skip


def _respond(title: str, self_endpoint: str, page_url: str, items: list[Item], **args) -> Response:
    self_url = url_for(self_endpoint, _external=True, **args)
    body = document(self_url, f"{title} · Dela", self_url, page_url, items, current_language(), "Dela")
    response = Response(body, mimetype=FEED_TYPE)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/feeds/entries.atom")
@public
def entries():
    """New and changed entries of the method book."""
    items = [_entry_item(e) for e in feeds.recent_entries(db_session())]
    return _respond(_("New and changed in the method book"), "feeds.entries",
                    url_for("methods.index", _external=True), items)  # fmt: skip


@bp.get("/feeds/tags/<tag>.atom")
@public
def tag(tag: str):
    """Entries with one tag."""
    tag = " ".join(tag.lower().split())[:60]
    items = [_entry_item(e) for e in feeds.recent_entries(db_session(), tag=tag)]
    return _respond(_("Tag: %(tag)s", tag=tag), "feeds.tag", url_for("methods.index", tag=tag, _external=True),
                    items, tag=tag)  # fmt: skip


@bp.get("/networks/<slug>/feed.atom")
@public
def network(slug: str):
    """A public network's entries and meetings together, newest first; members-only networks have none."""
    try:
        found = networks.get_network(db_session(), slug)
    except NotFound:
        abort(404)
    if found.members_only:
        abort(404)
    items = [_entry_item(e) for e in feeds.network_entries(db_session(), found)]
    items += [_meeting_item(m) for m in feeds.network_meetings(db_session(), found)]
    items.sort(key=lambda item: item.updated, reverse=True)
    return _respond(found.name, "feeds.network", url_for("networks.view", slug=slug, _external=True),
                    items[: feeds.FEED_SIZE], slug=slug)  # fmt: skip


@bp.get("/people/<int:user_id>/feed.atom")
@public
def person(user_id: int):
    """A member's public contributions."""
    user = db_session().get(User, user_id)
    if user is None or not user.active:
        abort(404)
    items = [_entry_item(e) for e in feeds.contributions(db_session(), user)]
    return _respond(_("Shared by %(name)s", name=user.display_name), "feeds.person",
                    url_for("methods.index", _external=True), items, user_id=user_id)  # fmt: skip
