"""The e-mail digest: text in each member's language, sent by `flask --app wsgi digest send` from cron."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from methodbook.following import Digest

from .labels import KIND_LABELS
from .mail import send_mail


def digest_text(digest: Digest, period: str, now: datetime) -> tuple[str, str]:
    """Subject and body of one digest (call inside a request context whose host is the site's)."""
    user = digest.user
    subject = (
        _("Dela: new this week in what you follow") if period == "weekly" else _("Dela: new today in what you follow")
    )
    lines = [_("Hello %(name)s,", name=user.display_name), "", _("Here is what is new in what you follow."), ""]
    for network, items in digest.groups.items():
        lines.append(f"== {network or _('The method book')} ==")
        for item in items:
            if item.entry is not None:
                url = url_for("methods.view", slug=item.entry.slug, _external=True)
                lines.append(f"- {item.entry.title} ({KIND_LABELS[item.entry.kind]}): {url}")
            else:
                url = url_for("networks.meeting", meeting_id=item.meeting.id, _external=True)
                lines.append(f"- {_('Meeting')}: {item.meeting.title}: {url}")
        lines.append("")
    feed = url_for("following.feed", _external=True)
    if digest.left_out:
        lines += [_("And %(n)s more in your feed: %(url)s", n=digest.left_out, url=feed), ""]
    lines.append(_("To change or stop this digest, choose Never under E-mail digest: %(url)s", url=feed))
    return subject, "\n".join(lines) + "\n"


def sender(period: str, now: datetime):
    """A function that sends one digest: by mail when configured, else into DIGEST_OUTBOX_DIR."""
    config = current_app.config
    configured = bool(config.get("MAIL_SERVER") or config.get("MAIL_OUTBOX_DIR"))
    outbox = None if configured else Path(config["DIGEST_OUTBOX_DIR"])

    def send(digest: Digest) -> None:
        language = digest.user.language if digest.user.language in config["DELA_LANGUAGES"] else None
        with force_locale(language or config["BABEL_DEFAULT_LOCALE"]):
            subject, body = digest_text(digest, period, now)
        send_mail(digest.user.email, subject, body, outbox_dir=outbox)

    return send
