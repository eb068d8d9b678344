"""Moderation: reports, hiding and restoring comments and reviews, dismissing reports, the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from methodbook import feedback, moderation, permissions
from methodbook.errors import Forbidden, NotFound, ValidationError
from methodbook.models import AuditEvent, Report, User

TODAY = date(2026, 5, 4)
EARLIER = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _events(session) -> list[tuple[str, str, int, int | None, str]]:
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(e.action, e.target_type, e.target_id, e.actor_id, e.reason) for e in rows]


@pytest.fixture
def author(make_user):
    return make_user(name="Astrid Ågren")


@pytest.fixture
def member(make_user):
    return make_user(name="Søren Bæk")


@pytest.fixture
def facilitator(make_user):
    return make_user(role="facilitator")


@pytest.fixture
def entry(make_entry, author):
    return make_entry(title="Kritisk vän", user=author)


@pytest.fixture
def comment(db_session, entry, member):
    return feedback.post_comment(db_session, entry, member, "Något olämpligt")


@pytest.fixture
def review(db_session, entry, author, member):
    request = feedback.request_feedback(db_session, entry, author, "Vad saknas?", [], None, TODAY)
    scores = {c.id: feedback.ScoreInput(2) for c in request.criteria_set.criteria}
    return feedback.submit_review(db_session, request, member, scores, "Inget", "Allt", TODAY)


@pytest.mark.parametrize("reason", ["", "   ", None, "ok", " o\n", "x" * (moderation.REASON_MAX + 1)])
def test_report_requires_a_reason(db_session, comment, author, reason):
    with pytest.raises(ValidationError) as caught:
        moderation.report(db_session, comment, author, reason)
    assert set(caught.value.errors) == {"reason"}
    assert _count(db_session, Report) == 0


def test_report_is_stored_and_listed(db_session, comment, review, author, facilitator):
    on_comment = moderation.report(db_session, comment, author, "  Personangrepp   i texten ")
    on_review = moderation.report(db_session, review, facilitator, "Osaklig granskning")
    assert (on_comment.target_type, on_comment.target_id, on_comment.reporter_id) == ("comment", comment.id, author.id)
    assert on_comment.reason == "Personangrepp i texten"
    assert (on_review.target_type, on_review.target_id, on_review.resolved_at) == ("review", review.id, None)
    on_comment.created_at, on_review.created_at = EARLIER + timedelta(minutes=1), EARLIER
    db_session.flush()
    assert list(db_session.scalars(moderation.open_reports())) == [on_review, on_comment]
    assert list(db_session.scalars(moderation.open_reports("comment"))) == [on_comment]
    assert list(db_session.scalars(moderation.open_reports("review"))) == [on_review]
    assert list(db_session.scalars(moderation.open_reports("bogus"))) == [on_review, on_comment]


def test_anonymous_and_inactive_users_cannot_report(db_session, comment, member):
    member.active = False
    for user in (None, member):
        with pytest.raises(Forbidden):
            moderation.report(db_session, comment, user, "Personangrepp")
    assert _count(db_session, Report) == 0


def test_hide_comment_resolves_reports_and_is_logged(db_session, entry, comment, author, facilitator):
    first = moderation.report(db_session, comment, author, "Personangrepp")
    second = moderation.report(db_session, comment, author, "Fortfarande")
    comment.changed_at = EARLIER
    moderation.hide(db_session, comment, facilitator, "  Bryter mot   riktlinjerna ")
    db_session.flush()
    assert comment.hidden_at is not None
    assert comment.hidden_reason == "Bryter mot riktlinjerna"
    assert comment.changed_at > EARLIER
    assert comment.body == "Något olämpligt"
    for row in (first, second):
        assert (row.resolved_at is not None, row.resolved_by_id, row.resolution) == (True, facilitator.id, "hidden")
    assert list(db_session.scalars(moderation.open_reports())) == []
    assert _events(db_session) == [("hide", "comment", comment.id, facilitator.id, "Bryter mot riktlinjerna")]
    assert feedback.comment_count(db_session, entry) == 0


def test_hidden_comment_is_seen_by_its_author_and_moderators_only(db_session, comment, author, member, facilitator):
    moderation.hide(db_session, comment, facilitator, "Personangrepp")
    assert permissions.can_see_comment(member, comment) is True
    assert permissions.can_see_comment(facilitator, comment) is True
    assert permissions.can_see_comment(author, comment) is False
    assert permissions.can_see_comment(None, comment) is False


def test_hide_review_leaves_it_out_of_the_aggregate(db_session, review, make_user):
    admin = make_user(role="admin")
    report = moderation.report(db_session, review, review.request.requested_by, "Osakligt")
    review.request.changed_at = EARLIER
    moderation.hide(db_session, review, admin, "Osaklig granskning")
    db_session.flush()
    assert (review.hidden_at is not None, review.hidden_reason) == (True, "Osaklig granskning")
    assert report.resolution == "hidden"
    assert review.request.changed_at > EARLIER
    assert feedback.shown_reviews(review.request) == []
    assert all(s.count == 0 for s in feedback.aggregate(review.request))
    assert _events(db_session) == [("hide", "review", review.id, admin.id, "Osaklig granskning")]


def test_hide_leaves_other_targets_reports_open(db_session, entry, comment, author, member, facilitator):
    other = feedback.post_comment(db_session, entry, member, "Annan")
    keep = moderation.report(db_session, other, author, "Också olämpligt")
    moderation.hide(db_session, comment, facilitator, "Personangrepp")
    assert keep.resolved_at is None
    assert list(db_session.scalars(moderation.open_reports())) == [keep]


@pytest.mark.parametrize("reason", ["", "  ", "no"])
def test_hide_requires_a_reason(db_session, comment, facilitator, reason):
    with pytest.raises(ValidationError):
        moderation.hide(db_session, comment, facilitator, reason)
    assert comment.hidden_at is None
    assert _count(db_session, AuditEvent) == 0


def test_members_cannot_moderate(db_session, comment, author, member):
    report = moderation.report(db_session, comment, author, "Personangrepp")
    for user in (None, author, member):
        with pytest.raises(Forbidden):
            moderation.hide(db_session, comment, user, "Personangrepp")
        with pytest.raises(Forbidden):
            moderation.dismiss(db_session, report, user)
    assert (comment.hidden_at, report.resolved_at) == (None, None)
    comment.hidden_at, comment.hidden_reason = EARLIER, "Tidigare"
    for user in (None, author, member):
        with pytest.raises(Forbidden):
            moderation.restore(db_session, comment, user)
    assert comment.hidden_at == EARLIER
    assert _count(db_session, AuditEvent) == 0


def test_inactive_admin_cannot_moderate(db_session, comment, make_user):
    admin = make_user(role="admin")
    admin.active = False
    with pytest.raises(Forbidden):
        moderation.hide(db_session, comment, admin, "Personangrepp")


def test_restore_shows_the_content_again(db_session, entry, comment, facilitator, make_user):
    admin = make_user(role="admin")
    moderation.hide(db_session, comment, facilitator, "Personangrepp")
    moderation.restore(db_session, comment, admin, "  Missförstånd,  inget  angrepp ")
    db_session.flush()
    assert (comment.hidden_at, comment.hidden_reason) == (None, "")
    assert feedback.comment_count(db_session, entry) == 1
    assert [e[:4] for e in _events(db_session)] == [
        ("hide", "comment", comment.id, facilitator.id),
        ("restore", "comment", comment.id, admin.id),
    ]
    assert _events(db_session)[1][4] == "Missförstånd, inget angrepp"


def test_restore_of_shown_content_does_nothing(db_session, comment, facilitator):
    moderation.restore(db_session, comment, facilitator)
    assert _count(db_session, AuditEvent) == 0


def test_dismiss_closes_the_report_and_keeps_the_content(db_session, comment, author, facilitator):
    report = moderation.report(db_session, comment, author, "Jag håller inte med")
    moderation.dismiss(db_session, report, facilitator)
    db_session.flush()
    assert (report.resolved_at is not None, report.resolved_by_id, report.resolution) == (
        True,
        facilitator.id,
        "dismissed",
    )
    assert comment.hidden_at is None
    assert _events(db_session) == [("dismiss", "comment", comment.id, facilitator.id, "Jag håller inte med")]
    assert list(db_session.scalars(moderation.open_reports())) == []


def test_log_removal_records_only_someone_elses_comment(db_session, entry, comment, member, facilitator):
    own = feedback.post_comment(db_session, entry, facilitator, "Min egen")
    feedback.delete_comment(own, facilitator)
    moderation.log_removal(db_session, own, facilitator)
    feedback.delete_comment(comment, facilitator)
    moderation.log_removal(db_session, comment, facilitator)
    db_session.flush()
    assert _events(db_session) == [("remove", "comment", comment.id, facilitator.id, "")]


def test_get_target(db_session, comment, review):
    assert moderation.get_target(db_session, "comment", comment.id) is comment
    assert moderation.get_target(db_session, "review", review.id) is review
    assert moderation.get_target(db_session, "entry", comment.entry_id) is comment.entry
    for kind, target_id in (("comment", comment.id + 1000), ("entry", comment.entry_id + 1000),
                            ("review", review.id + 1000), ("network", comment.entry_id)):  # fmt: skip
        with pytest.raises(NotFound):
            moderation.get_target(db_session, kind, target_id)


def test_audit_log_is_newest_first(db_session, comment, facilitator):
    moderation.hide(db_session, comment, facilitator, "Personangrepp")
    moderation.restore(db_session, comment, facilitator, "Missförstånd")
    db_session.flush()
    hide_event, restore_event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    hide_event.created_at, restore_event.created_at = EARLIER, EARLIER + timedelta(hours=1)
    db_session.flush()
    assert [e.action for e in db_session.scalars(moderation.audit_log())] == ["restore", "hide"]


@pytest.mark.parametrize(
    ("role", "active", "expected"),
    [
        (None, True, False),
        ("member", True, False),
        ("facilitator", True, True),
        ("admin", True, True),
        ("facilitator", False, False),
        ("admin", False, False),
    ],
)
def test_is_moderator(role, active, expected):
    user = None if role is None else User(id=1, role=role, active=active)
    assert permissions.is_moderator(user) is expected
