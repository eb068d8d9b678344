"""Reports on entries, comments and reviews, hiding and restoring comments and reviews, and the audit log.

Idea-book items have their own report, the "remove me from this" request (methodbook.galleries);
the moderation queue lists those next to these reports, so moderators see every place in one.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from . import permissions
from .db import utcnow
from .errors import Forbidden, NotFound, ValidationError
from .i18n import N_
from .models import REPORT_TARGETS, AuditEvent, Comment, Entry, RemovalRequest, Report, Review, User

REASON_MAX = 500


def _reason(text: str | None, field: str = "reason") -> str:
    reason = " ".join((text or "").split())
    if len(reason) < 3:
        raise ValidationError.single(field, N_("Say in a few words why."))
    if len(reason) > REASON_MAX:
        raise ValidationError.single(
            field, N_("Keep this under %(limit)s characters (now %(n)s)."), limit=REASON_MAX, n=len(reason)
        )
    return reason


def get_target(session: Session, target_type: str, target_id: int) -> Comment | Review | Entry:
    """Return the entry, comment or review a report or action is about."""
    model = {"comment": Comment, "review": Review, "entry": Entry}.get(target_type)
    target = session.get(model, target_id) if model else None
    if target is None:
        raise NotFound(f"{target_type} {target_id}")
    return target


def target_type(target: Comment | Review | Entry) -> str:
    if isinstance(target, Entry):
        return "entry"
    return "comment" if isinstance(target, Comment) else "review"


def report(session: Session, target: Comment | Review | Entry, user: User, reason: str) -> Report:
    """Ask moderators to look at an entry, a comment or a review."""
    if not (user and user.active):
        raise Forbidden("members report")
    row = Report(target_type=target_type(target), target_id=target.id, reporter=user, reason=_reason(reason))
    session.add(row)
    session.flush()
    return row


def open_removal_requests() -> Select:
    """Select the idea-book removal requests nobody has answered, oldest first."""
    return select(RemovalRequest).where(RemovalRequest.dismissed_at.is_(None)).order_by(RemovalRequest.created_at)


def open_reports(kind: str = "") -> Select:
    """Select the reports nobody has handled yet, oldest first."""
    query = select(Report).where(Report.resolved_at.is_(None))
    if kind in REPORT_TARGETS:
        query = query.where(Report.target_type == kind)
    return query.order_by(Report.created_at, Report.id)


def _log(session: Session, actor: User, action: str, target: Comment | Review, reason: str = "") -> AuditEvent:
    event = AuditEvent(actor=actor, action=action, target_type=target_type(target), target_id=target.id, reason=reason)
    session.add(event)
    return event


def _resolve(session: Session, target: Comment | Review, user: User, resolution: str) -> None:
    query = select(Report).where(
        Report.target_type == target_type(target), Report.target_id == target.id, Report.resolved_at.is_(None)
    )
    for row in session.scalars(query):
        row.resolved_at, row.resolved_by_id, row.resolution = utcnow(), user.id, resolution


def _touch(target: Comment | Review | Entry) -> None:
    now = utcnow()
    if isinstance(target, Entry):
        return
    if isinstance(target, Comment):
        target.changed_at = now
    else:
        target.request.changed_at = now


def hide(session: Session, target: Comment | Review, user: User, reason: str) -> None:
    """Hide a comment or review from everyone but its author and moderators, saying why."""
    if not permissions.is_moderator(user):
        raise Forbidden("moderators hide content")
    reason = _reason(reason)
    target.hidden_at, target.hidden_reason = utcnow(), reason
    _touch(target)
    _resolve(session, target, user, "hidden")
    _log(session, user, "hide", target, reason)


def restore(session: Session, target: Comment | Review, user: User, reason: str = "") -> None:
    """Show hidden content again."""
    if not permissions.is_moderator(user):
        raise Forbidden("moderators restore content")
    if target.hidden_at is None:
        return
    target.hidden_at, target.hidden_reason = None, ""
    _touch(target)
    _log(session, user, "restore", target, " ".join((reason or "").split())[:REASON_MAX])


def dismiss(session: Session, report_row: Report, user: User) -> None:
    """Close a report without acting on the content."""
    if not permissions.is_moderator(user):
        raise Forbidden("moderators handle reports")
    target = get_target(session, report_row.target_type, report_row.target_id)
    _resolve(session, target, user, "dismissed")
    _log(session, user, "dismiss", target, report_row.reason)


def log_removal(session: Session, comment: Comment, user: User) -> None:
    """Record a moderator removing someone else's comment."""
    if comment.author_id != user.id:
        _log(session, user, "remove", comment)


# The audit log's kinds of event; moderators see moderation, admins everything.
AUDIT_KINDS = {
    "moderation": ("hide", "restore", "dismiss", "remove", "gallery_remove", "gallery_remove_requested"),
    "roles": ("role_change", "network_role"),
    "accounts": ("account_deleted",),
}


def audit_log(kinds: tuple[str, ...] | list[str] = (), action: str = "") -> Select:
    """Select the audit log, newest first; only the given kinds of event, or one action, when asked."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if kinds:
        query = query.where(AuditEvent.action.in_([a for kind in kinds for a in AUDIT_KINDS.get(kind, ())]))
    if action:
        query = query.where(AuditEvent.action == action)
    return query
