"""Shared helpers of the feedback pages: the site's today, mail after commit, labels."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from methodbook import feedback, notifications
from methodbook.errors import NotFound

from ..db import db_session
from ..mail import mail_configured, send_mail


def today() -> date:
    """Today's date in the site's time zone (closing days are the site's days)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def or_404(getter, *args):
    """Call a domain getter and turn NotFound into a 404."""
    try:
        return getter(db_session(), *args)
    except NotFound:
        abort(404)


def criterion_name(criterion) -> str:
    """Built-in criteria are shown in the reader's language; admins' own as they wrote them."""
    return _(criterion.name) if criterion.key else criterion.name


def criterion_description(criterion) -> str:
    if not criterion.description:
        return ""
    return _(criterion.description) if criterion.key else criterion.description


def set_name(criteria_set) -> str:
    return _(criteria_set.name) if criteria_set.key else criteria_set.name


def notification_text(kind: str, actor: str, subject: str) -> str:
    """Say in a sentence what a notification is about."""
    actor = actor or _("A former member")
    texts = {
        "comment_reply": _("%(actor)s replied to your comment on “%(subject)s”."),
        "entry_comment": _("%(actor)s commented on “%(subject)s”."),
        "review": _("%(actor)s reviewed “%(subject)s” as a critical friend."),
        "named_reviewer": _("%(actor)s asks you to be a critical friend for “%(subject)s”."),
        "new_meeting": _("New meeting: “%(subject)s”."),
        "waitlist_promoted": _("A seat freed up: you are now registered for “%(subject)s”."),
        "meeting_message": _("%(actor)s wrote about “%(subject)s”."),
        "membership": _("%(actor)s: membership of %(subject)s."),
        "gallery_removal": _("Someone asks to be removed from the idea book of “%(subject)s”."),
    }
    return texts.get(kind, "%(subject)s") % {"actor": actor, "subject": subject}


def send_pending_mail() -> None:
    """Send the e-mails that the committed change queued, each in its recipient's language."""
    pending = notifications.take_mail(db_session())
    if not pending or not mail_configured():
        return
    for mail in pending:
        language = mail.language if mail.language in current_app.config["DELA_LANGUAGES"] else None
        with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
            text = notification_text(mail.kind, mail.actor, mail.subject)
            link = url_for("main.home", _external=True).rstrip("/") + mail.path
            body = "\n\n".join(
                part
                for part in (
                    text,
                    mail.body,
                    link,
                    _("You can choose which notifications you get by e-mail on your account page."),
                )
                if part
            )
            try:
                send_mail(mail.to, text, body)
            except OSError:
                current_app.logger.exception("notification mail to %s failed", mail.to)


def template_helpers() -> dict:
    return {
        "criterion_name": criterion_name,
        "criterion_description": criterion_description,
        "set_name": set_name,
        "notification_text": notification_text,
        "is_open": lambda request: feedback.is_open(request, today()),
    }
