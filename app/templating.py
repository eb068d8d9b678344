"""Helpers and globals available in every template."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from methodbook import permissions
from methodbook.fields import format_range
from methodbook.render import RENDERER_VERSION, render_markdown

from . import labels
from .i18n import current_language
from .login import viewer


def human_size(size: int) -> str:
    """Format a byte count for people: 12 kB, 3.4 MB."""
    if size < 1024:
        return ngettext("%(num)s byte", "%(num)s bytes", size)
    if size < 1024 * 1024:
        return _("%(n)s kB", n=format_decimal(round(size / 1024)))
    return _("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1)))


def when(value, style: str = "medium") -> str:
    """Format a datetime in the user's language and time zone."""
    return format_datetime(value, style) if value else ""


def page_url(page: int) -> str:
    """Return the current URL with another page number, keeping the other arguments."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    from urllib.parse import urlencode

    return f"{request.path}?{urlencode(args, doseq=True)}"


def when_in(moment, network, style: str = "medium") -> str:
    """Format a UTC datetime in a network's time zone, in the user's language."""
    if not moment:
        return ""
    return babel_format_datetime(moment, style, tzinfo=ZoneInfo(network.timezone), locale=get_locale())


def markdown_html(text: str | None) -> Markup:
    """Render member-written Markdown through the one sanitizing renderer."""
    return Markup(render_markdown(text or ""))  # noqa: S704 - bleach has sanitized it


def review_text(review, name: str) -> Markup:
    """A review's Markdown answer as HTML, rendered once per version of the review."""
    from .cache import fragments

    key = ("review", review.id, name, review.updated_at, RENDERER_VERSION)
    return fragments().get_or_render(key, lambda: render_markdown(getattr(review, name) or ""))


def register_template_helpers(app: Flask) -> None:
    """Expose labels, permissions and formatting helpers to templates."""
    from .feedback.common import template_helpers
    from .feedback.notifications import unread_count

    app.jinja_env.globals.update(template_helpers())
    app.jinja_env.globals.update(
        unread_count=unread_count,
        review_text=review_text,
        labels=labels,
        perm=permissions,
        viewer=viewer,
        current_language=current_language,
        format_range=format_range,
        page_url=page_url,
    )
    app.jinja_env.filters.update(
        human_size=human_size,
        when=when,
        format_day=lambda d: format_date(d, "long") if d else "",
        markdown=markdown_html,
        when_in=when_in,
    )
