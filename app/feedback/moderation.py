"""Moderation: open reports, hiding and restoring comments and reviews, the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from methodbook import entries, moderation, permissions
from methodbook.errors import NotFound, ValidationError
from methodbook.models import Comment, Report, Review

from ..db import db_session
from ..forms_util import ConfirmForm, translate
from ..login import viewer
from ..methods.routes import page_arg
from . import bp
from .forms import ReasonForm

PER_PAGE = 50


def _moderators_only() -> None:
    if not permissions.is_moderator(viewer()):
        abort(403)


def _target_or_404(kind: str, target_id: int):
    try:
        return moderation.get_target(db_session(), kind, target_id)
    except NotFound:
        abort(404)


@bp.get("/moderation")
def moderation_queue():
    """Open reports with what they are about, and what is hidden now."""
    _moderators_only()
    session = db_session()
    reports = list(session.scalars(moderation.open_reports(request.args.get("kind", ""))))
    targets = {}
    for row in reports:
        key = (row.target_type, row.target_id)
        if key not in targets:
            try:
                targets[key] = moderation.get_target(session, *key)
            except NotFound:
                targets[key] = None
    removal_requests = list(session.scalars(moderation.open_removal_requests().limit(100)))
    hidden_comments = list(session.scalars(select(Comment).where(Comment.hidden_at.is_not(None)).limit(100)))
    hidden_reviews = list(session.scalars(select(Review).where(Review.hidden_at.is_not(None)).limit(100)))
    return render_template(
        "feedback/moderation.html", reports=reports, targets=targets, hidden_comments=hidden_comments,
        hidden_reviews=hidden_reviews, reason_form=ReasonForm(), confirm=ConfirmForm(),
        removal_requests=removal_requests,
    )  # fmt: skip


@bp.post("/moderation/<any(comment, review):kind>/<int:target_id>/hide")
def hide(kind: str, target_id: int):
    """Hide a comment or review, saying why (the author sees the reason)."""
    _moderators_only()
    target = _target_or_404(kind, target_id)
    form = ReasonForm()
    if not form.validate():
        abort(400)
    try:
        moderation.hide(db_session(), target, viewer(), form.reason.data)
    except ValidationError as exc:
        flash(translate(next(iter(exc.errors.values()))[0]), "error")
    else:
        db_session().commit()
        flash(_("Hidden. The author sees that it is hidden and why."), "success")
    return redirect(url_for("feedback.moderation_queue"))


@bp.post("/moderation/<any(comment, review):kind>/<int:target_id>/restore")
def restore(kind: str, target_id: int):
    """Show hidden content again."""
    _moderators_only()
    target = _target_or_404(kind, target_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    moderation.restore(db_session(), target, viewer(), request.form.get("reason", ""))
    db_session().commit()
    flash(_("Shown again."), "success")
    return redirect(url_for("feedback.moderation_queue"))


@bp.post("/moderation/reports/<int:report_id>/dismiss")
def dismiss(report_id: int):
    """Close a report and leave the content as it is."""
    _moderators_only()
    row = db_session().get(Report, report_id)
    if row is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    moderation.dismiss(db_session(), row, viewer())
    db_session().commit()
    flash(_("The report is dismissed."), "success")
    return redirect(url_for("feedback.moderation_queue"))


@bp.get("/moderation/log")
def audit_log():
    """Every moderation action, newest first."""
    _moderators_only()
    allowed = list(moderation.AUDIT_KINDS) if permissions.is_admin(viewer()) else ["moderation"]
    kind = request.args.get("kind", "")
    kinds = [kind] if kind in allowed else allowed
    action = request.args.get("action", "")
    action = action if any(action in moderation.AUDIT_KINDS[k] for k in kinds) else ""
    page = page_arg()
    items, total = entries.paginate(db_session(), moderation.audit_log(kinds, action), page, PER_PAGE)
    return render_template(
        "feedback/audit_log.html", items=items, page=page, pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        allowed=allowed, kind=kind if kind in allowed else "", action=action, actions=moderation.AUDIT_KINDS,
    )  # fmt: skip
