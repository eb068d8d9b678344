"""The bell: a member's notifications, and which kinds they want in the app and by e-mail."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from methodbook import notifications
from methodbook.models import NOTIFICATION_KINDS, Notification

from ..db import db_session
from ..forms_util import ConfirmForm
from ..login import viewer
from ..mail import mail_configured
from ..methods.routes import page_arg
from ..security import is_safe_next
from . import bp
from .forms import NotificationSettingsForm

PER_PAGE = 30


@bp.get("/notifications")
def notification_list():
    """Newest first; unread ones are marked."""
    page = page_arg()
    items, total = notifications.recent(db_session(), viewer(), page, PER_PAGE)
    return render_template(
        "feedback/notifications.html", items=items, page=page, pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        form=ConfirmForm(),
    )  # fmt: skip


@bp.get("/notifications/<int:notification_id>")
def open_notification(notification_id: int):
    """Mark a notification read and go to what it is about."""
    row = db_session().get(Notification, notification_id)
    if row is None or row.user_id != viewer().id:
        abort(404)
    session = db_session()
    notifications.mark_read(session, viewer(), [row.id])
    session.commit()
    return redirect(row.path if is_safe_next(row.path) else url_for("feedback.notification_list"))


@bp.post("/notifications/read")
def read_all():
    """Mark every notification read."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    notifications.mark_read(db_session(), viewer())
    db_session().commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("feedback.notification_list"))


@bp.route("/account/notifications", methods=["GET", "POST"])
def notification_settings():
    """Turn each kind of notification on or off, in the app and by e-mail."""
    session, user = db_session(), viewer()
    form = NotificationSettingsForm()
    if request.method == "POST" and form.validate():
        in_app = {k for k in NOTIFICATION_KINDS if request.form.get(f"app_{k}")}
        email = {k for k in NOTIFICATION_KINDS if request.form.get(f"mail_{k}")}
        notifications.save_settings(session, user, in_app, email)
        session.commit()
        flash(_("Your notification choices are saved."), "success")
        return redirect(url_for("feedback.notification_settings"))
    return render_template(
        "feedback/notification_settings.html", form=form, settings=notifications.settings(session, user),
        kinds=NOTIFICATION_KINDS, labels_=notifications.KIND_LABELS, mail=mail_configured(),
    )  # fmt: skip


def unread_count() -> int:
    """The number on the bell (0 for visitors)."""
    user = viewer()
    return notifications.unread_count(db_session(), user) if user else 0
