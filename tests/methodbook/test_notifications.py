"""Notifications: who hears about comments, replies and requests, their settings, the mail queue and reading."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from methodbook import entries, feedback, notifications
from methodbook.errors import ValidationError
from methodbook.models import NOTIFICATION_KINDS, Notification, NotificationSetting
from methodbook.notifications import Mail

TODAY = date(2026, 5, 4)


@pytest.fixture
def author(make_user):
    return make_user(name="Astrid Ågren", email="astrid@example.org", language="sv")


@pytest.fixture
def member(make_user):
    return make_user(name="Søren Bæk", email="soren@example.org", language="da")


@pytest.fixture
def entry(make_entry, author):
    return make_entry(title="Kritisk vän", user=author)


def _rows(session, user=None) -> list[tuple[int, str, int | None]]:
    """Every notification as (recipient, kind, actor), in the order written."""
    query = select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return [(n.user_id, n.kind, n.actor_id) for n in session.scalars(query)]


def test_comment_notifies_the_entry_authors(db_session, entry, author, member, make_user):
    coauthor = make_user()
    entries.set_editors(db_session, entry, [coauthor.email])
    comment = feedback.post_comment(db_session, entry, member, "Bra idé")
    assert _rows(db_session) == [(author.id, "entry_comment", member.id), (coauthor.id, "entry_comment", member.id)]
    stored = db_session.scalars(select(Notification)).first()
    assert (stored.subject, stored.path, stored.read_at) == ("Kritisk vän", f"/comments/{comment.id}", None)


def test_reply_notifies_the_replied_to_author(db_session, entry, author, member, make_user):
    third = make_user()
    top = feedback.post_comment(db_session, entry, member, "Fråga")
    feedback.post_comment(db_session, entry, third, "Svar", reply_to=top)
    assert _rows(db_session, member) == [(member.id, "comment_reply", third.id)]
    assert _rows(db_session, author) == [
        (author.id, "entry_comment", member.id),
        (author.id, "entry_comment", third.id),
    ]


def test_reply_to_a_reply_notifies_the_author_of_that_reply(db_session, entry, member, make_user):
    top_author, replier, answerer = make_user(), make_user(), make_user()
    top = feedback.post_comment(db_session, entry, top_author, "Fråga")
    reply = feedback.post_comment(db_session, entry, replier, "Svar", reply_to=top)
    feedback.post_comment(db_session, entry, answerer, "Motsvar", reply_to=reply)
    assert _rows(db_session, replier) == [(replier.id, "comment_reply", answerer.id)]
    assert _rows(db_session, top_author) == [(top_author.id, "comment_reply", replier.id)]


def test_entry_author_replied_to_hears_once(db_session, entry, author, member):
    top = feedback.post_comment(db_session, entry, author, "Jag undrar")
    db_session.flush()
    feedback.post_comment(db_session, entry, member, "Svar", reply_to=top)
    assert _rows(db_session) == [(author.id, "comment_reply", member.id)]


def test_nobody_is_told_about_their_own_doing(db_session, entry, author, member):
    top = feedback.post_comment(db_session, entry, author, "Egen kommentar")
    feedback.post_comment(db_session, entry, author, "Eget svar", reply_to=top)
    mine = feedback.post_comment(db_session, entry, member, "Min")
    feedback.post_comment(db_session, entry, member, "Mitt eget svar", reply_to=mine)
    assert _rows(db_session, member) == []
    assert [kind for _user, kind, _actor in _rows(db_session, author)] == ["entry_comment", "entry_comment"]
    assert [(m.to, m.actor) for m in notifications.take_mail(db_session)] == [("astrid@example.org", "Søren Bæk")] * 2


def test_inactive_members_are_not_notified(db_session, entry, author, member):
    author.active = False
    feedback.post_comment(db_session, entry, member, "Hej")
    assert _rows(db_session) == []
    assert notifications.take_mail(db_session) == []


def test_named_reviewers_and_requesters_are_notified(db_session, entry, author, member):
    request = feedback.request_feedback(db_session, entry, author, "Vad saknas?", [member.email], None, TODAY)
    assert _rows(db_session) == [(member.id, "named_reviewer", author.id)]
    scores = {c.id: feedback.ScoreInput(3) for c in request.criteria_set.criteria}
    feedback.submit_review(db_session, request, member, scores, "Bra", "Mer", TODAY)
    assert _rows(db_session, author) == [(author.id, "review", member.id)]


def test_settings_default_to_everything_on(db_session, member):
    choices = notifications.settings(db_session, member)
    assert set(choices) == set(NOTIFICATION_KINDS)
    assert all(c.in_app and c.email for c in choices.values())


def test_save_settings_stores_the_choice(db_session, member):
    notifications.save_settings(db_session, member, {"comment_reply", "review"}, {"review"})
    db_session.flush()
    db_session.expire_all()
    choices = notifications.settings(db_session, member)
    assert {k: (c.in_app, c.email) for k, c in choices.items()} == {
        **dict.fromkeys(NOTIFICATION_KINDS, (False, False)),
        "comment_reply": (True, False),
        "review": (True, True),
    }
    notifications.save_settings(db_session, member, set(NOTIFICATION_KINDS), set())
    db_session.flush()
    rows = db_session.scalars(select(NotificationSetting).where(NotificationSetting.user_id == member.id)).all()
    assert len(rows) == len(NOTIFICATION_KINDS)
    assert all(r.in_app and not r.email for r in rows)


def test_save_settings_refuses_unknown_kinds(db_session, member):
    with pytest.raises(ValidationError) as caught:
        notifications.save_settings(db_session, member, {"comment_reply", "newsletter"}, set())
    assert set(caught.value.errors) == {"kinds"}
    assert db_session.scalars(select(NotificationSetting)).all() == []


def test_a_kind_turned_off_in_app_writes_no_row_but_still_mails(db_session, entry, author, member):
    in_app = set(NOTIFICATION_KINDS) - {"entry_comment"}
    notifications.save_settings(db_session, author, in_app, set(NOTIFICATION_KINDS))
    notifications.take_mail(db_session)
    top = feedback.post_comment(db_session, entry, member, "Hej")
    assert _rows(db_session, author) == []
    assert [m.kind for m in notifications.take_mail(db_session)] == ["entry_comment"]
    feedback.post_comment(db_session, entry, member, "Svar på mitt eget", reply_to=top)
    assert _rows(db_session, author) == []


def test_a_kind_turned_off_by_mail_writes_the_row_but_queues_no_mail(db_session, entry, author, member):
    notifications.save_settings(db_session, author, set(NOTIFICATION_KINDS), set())
    feedback.post_comment(db_session, entry, member, "Hej")
    assert _rows(db_session, author) == [(author.id, "entry_comment", member.id)]
    assert notifications.take_mail(db_session) == []


def test_take_mail_returns_the_queue_once(db_session, entry, author, member):
    comment = feedback.post_comment(db_session, entry, member, "Hej")
    assert notifications.take_mail(db_session) == [
        Mail("astrid@example.org", "sv", "entry_comment", "Søren Bæk", "Kritisk vän", f"/comments/{comment.id}")
    ]
    assert notifications.take_mail(db_session) == []


def test_forget_mail_drops_the_queue(db_session, entry, member):
    feedback.post_comment(db_session, entry, member, "Hej")
    notifications.forget_mail(db_session)
    assert notifications.take_mail(db_session) == []


def _notify_many(session, user, actor, n: int) -> list[Notification]:
    for i in range(n):
        notifications.notify(session, user, "entry_comment", actor, f"Metod {i}", f"/comments/{i}")
    session.flush()
    rows = list(session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)))
    base = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    for i, row in enumerate(rows):
        row.created_at = base + timedelta(minutes=i)
    session.flush()
    return rows


def test_unread_count_and_mark_read_all(db_session, author, member):
    _notify_many(db_session, author, member, 3)
    _notify_many(db_session, member, author, 2)
    assert (notifications.unread_count(db_session, author), notifications.unread_count(db_session, member)) == (3, 2)
    assert notifications.mark_read(db_session, author) == 3
    assert notifications.unread_count(db_session, author) == 0
    assert notifications.unread_count(db_session, member) == 2
    assert notifications.mark_read(db_session, author) == 0


def test_mark_read_by_id_touches_only_the_members_own(db_session, author, member):
    own = _notify_many(db_session, author, member, 3)
    others = _notify_many(db_session, member, author, 1)
    assert notifications.mark_read(db_session, author, [own[0].id, others[0].id]) == 1
    db_session.expire_all()
    assert [n.read_at is not None for n in own] == [True, False, False]
    assert others[0].read_at is None
    assert notifications.unread_count(db_session, author) == 2
    assert notifications.mark_read(db_session, author, []) == 0


def test_recent_pages_newest_first(db_session, author, member):
    rows = _notify_many(db_session, author, member, 5)
    page, total = notifications.recent(db_session, author, page=1, per_page=2)
    assert ([n.id for n in page], total) == ([rows[4].id, rows[3].id], 5)
    page, _total = notifications.recent(db_session, author, page=3, per_page=2)
    assert [n.id for n in page] == [rows[0].id]


def test_long_subjects_are_cut_to_fit(db_session, author, member):
    notifications.notify(db_session, author, "review", member, "Å" * 300, "/feedback/1")
    db_session.flush()
    assert len(db_session.scalars(select(Notification.subject)).one()) == 200
