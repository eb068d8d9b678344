"""Feedback: comment threads, criteria sets, requests for critical friends, reviews and who may do what."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from methodbook import entries, feedback, permissions
from methodbook.errors import Forbidden, NotFound, ValidationError
from methodbook.feedback import ScoreInput
from methodbook.models import (
    Comment,
    CommentEdit,
    CriteriaSet,
    Criterion,
    Entry,
    FeedbackRequest,
    Notification,
    Review,
    ReviewScore,
    User,
)

TODAY = date(2026, 5, 4)
BASE = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
DEFAULT_KEYS = ["relevance", "clarity", "feasibility", "inclusion", "impact"]
QUESTION = "Fungerar detta i en liten kommun?"


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _error_fields(caught) -> set[str]:
    return set(caught.value.errors)


@pytest.fixture
def author(make_user):
    return make_user(name="Astrid Ågren")


@pytest.fixture
def member(make_user):
    return make_user(name="Søren Bæk")


@pytest.fixture
def entry(make_entry, author):
    return make_entry(title="Kritisk vän", user=author)


def _post(session, entry, user, body="Bra idé!", reply_to=None, at: int | None = None) -> Comment:
    comment = feedback.post_comment(session, entry, user, body, reply_to)
    if at is not None:
        # Fixed times so thread order does not depend on the clock.
        comment.created_at = BASE + timedelta(minutes=at)
        session.flush()
    return comment


def _request(session, entry, user, question=QUESTION, reviewers=(), closes_on=None, **kwargs) -> FeedbackRequest:
    return feedback.request_feedback(session, entry, user, question, reviewers, closes_on, TODAY, **kwargs)


def _scores(request, values) -> dict[int, ScoreInput]:
    criteria = request.criteria_set.criteria
    return {c.id: ScoreInput(v, f"Om {c.name.lower()}") for c, v in zip(criteria, values, strict=True)}


def _review(session, request, user, values=(4, 4, 4, 4, 4), works_well="Tydliga steg.", could_be_better="Budget.",
            today=TODAY) -> Review:  # fmt: skip
    return feedback.submit_review(session, request, user, _scores(request, values), works_well, could_be_better, today)


# --- Comments ---------------------------------------------------------------------------------


def test_post_comment_stores_text_and_rendered_html(db_session, entry, member):
    comment = _post(db_session, entry, member, "  Bra **idé**\r\nverkligen  ")
    assert comment.id is not None
    assert (comment.entry_id, comment.author_id, comment.parent_id) == (entry.id, member.id, None)
    assert comment.body == "Bra **idé**\nverkligen"
    assert "<strong>idé</strong>" in comment.body_html


def test_reply_is_filed_under_the_comment(db_session, entry, author, member):
    top = _post(db_session, entry, member, "Fråga")
    reply = _post(db_session, entry, author, "Svar", reply_to=top)
    assert reply.parent_id == top.id
    assert reply.quoted_id is None


def test_reply_to_a_reply_goes_under_the_top_comment_and_quotes_the_reply(db_session, entry, author, member):
    top = _post(db_session, entry, member, "Fråga")
    reply = _post(db_session, entry, author, "Svar", reply_to=top)
    answer = _post(db_session, entry, member, "Tack", reply_to=reply)
    assert answer.parent_id == top.id
    assert answer.quoted_id == reply.id


def test_reply_to_a_comment_on_another_entry_is_refused(db_session, make_entry, entry, author, member):
    other = make_entry(title="Annan metod", user=author)
    top = _post(db_session, other, member, "Fråga")
    with pytest.raises(ValidationError) as caught:
        _post(db_session, entry, author, "Svar", reply_to=top)
    assert _error_fields(caught) == {"body"}
    assert _count(db_session, Comment, Comment.entry_id == entry.id) == 0


def test_reply_to_a_removed_or_hidden_comment_is_refused(db_session, entry, author, member):
    removed = _post(db_session, entry, member, "Borta")
    feedback.delete_comment(removed, member)
    hidden = _post(db_session, entry, member, "Dold")
    hidden.hidden_at = BASE
    for target in (removed, hidden):
        with pytest.raises(ValidationError):
            _post(db_session, entry, author, "Svar", reply_to=target)
    assert _count(db_session, Comment, Comment.parent_id.is_not(None)) == 0


@pytest.mark.parametrize("body", ["", "   \n\t ", None, "x" * (feedback.COMMENT_MAX + 1)])
def test_empty_or_too_long_comment_is_refused_and_nothing_stored(db_session, entry, member, body):
    with pytest.raises(ValidationError) as caught:
        _post(db_session, entry, member, body)
    assert _error_fields(caught) == {"body"}
    assert _count(db_session, Comment) == 0
    assert _count(db_session, Notification) == 0


def test_comment_of_exactly_the_limit_is_accepted(db_session, entry, member):
    assert len(_post(db_session, entry, member, "x" * feedback.COMMENT_MAX).body) == feedback.COMMENT_MAX


@pytest.mark.parametrize("state", ["draft", "trashed"])
def test_draft_and_trashed_entries_refuse_comments(db_session, make_entry, author, member, state):
    entry = make_entry(title="Utkast", user=author, status="draft" if state == "draft" else "published")
    if state == "trashed":
        entries.trash_entry(entry, author)
    for user in (member, author):
        with pytest.raises(Forbidden):
            _post(db_session, entry, user, "Hej")
    assert _count(db_session, Comment) == 0


def test_anonymous_visitor_cannot_comment(db_session, entry):
    with pytest.raises(Forbidden):
        _post(db_session, entry, None, "Hej")


def test_edit_keeps_the_previous_text_and_sets_edited_at(db_session, entry, member):
    comment = _post(db_session, entry, member, "Första")
    assert comment.edited_at is None
    assert feedback.edit_comment(comment, member, "Andra") is True
    db_session.flush()
    first_edit_at = comment.edited_at
    assert first_edit_at is not None
    assert (comment.body, comment.body_html.strip()) == ("Andra", "<p>Andra</p>")
    assert feedback.edit_comment(comment, member, "Tredje") is True
    db_session.flush()
    stored = db_session.scalars(
        select(CommentEdit).where(CommentEdit.comment_id == comment.id).order_by(CommentEdit.id)
    )
    assert [(e.body, e.written_at) for e in stored] == [("Första", comment.created_at), ("Andra", first_edit_at)]


def test_edit_to_the_same_text_changes_nothing(db_session, entry, member):
    comment = _post(db_session, entry, member, "Samma")
    assert feedback.edit_comment(comment, member, "  Samma \n") is False
    assert comment.edited_at is None
    assert comment.edits == []


def test_edit_by_someone_else_or_to_empty_is_refused(db_session, entry, author, member, make_user):
    comment = _post(db_session, entry, member, "Min text")
    for user in (author, make_user(role="admin")):
        with pytest.raises(Forbidden):
            feedback.edit_comment(comment, user, "Ändrad")
    with pytest.raises(ValidationError):
        feedback.edit_comment(comment, member, "   ")
    assert comment.body == "Min text"
    assert comment.edits == []


def test_delete_by_author_blanks_the_text_and_keeps_the_row_and_replies(db_session, entry, author, member):
    top = _post(db_session, entry, member, "Hemlig")
    feedback.edit_comment(top, member, "Hemligare")
    reply = _post(db_session, entry, author, "Svar", reply_to=top)
    feedback.delete_comment(top, member)
    db_session.flush()
    db_session.expire_all()
    stored = db_session.get(Comment, top.id)
    assert stored is not None
    assert stored.deleted_at is not None
    assert (stored.body, stored.body_html) == ("", "")
    assert _count(db_session, CommentEdit, CommentEdit.comment_id == top.id) == 0
    assert db_session.get(Comment, reply.id).parent_id == top.id
    page = feedback.thread(db_session, entry)
    assert [c.id for c in page.comments] == [top.id]
    assert [r.id for r in page.replies[top.id]] == [reply.id]


def test_delete_by_a_moderator_keeps_the_text(db_session, entry, member, make_user):
    comment = _post(db_session, entry, member, "Olämpligt")
    feedback.delete_comment(comment, make_user(role="facilitator"))
    db_session.flush()
    assert comment.deleted_at is not None
    assert comment.body == "Olämpligt"


def test_delete_by_another_member_is_refused(db_session, entry, author, member):
    comment = _post(db_session, entry, member, "Min")
    with pytest.raises(Forbidden):
        feedback.delete_comment(comment, author)
    assert comment.deleted_at is None


def test_get_comment(db_session, entry, member):
    comment = _post(db_session, entry, member)
    assert feedback.get_comment(db_session, comment.id) is comment
    with pytest.raises(NotFound):
        feedback.get_comment(db_session, comment.id + 1000)


def test_thread_pages_top_comments_oldest_first_with_replies(db_session, entry, author, member):
    tops = [_post(db_session, entry, member, f"Kommentar {i}", at=i * 10) for i in range(5)]
    reply = _post(db_session, entry, author, "Svar", reply_to=tops[2], at=100)
    page = feedback.thread(db_session, entry, page=2, per_page=2)
    assert (page.page, page.pages, page.count) == (2, 3, 6)
    assert [c.id for c in page.comments] == [tops[2].id, tops[3].id]
    assert page.replies == {tops[2].id: [reply], tops[3].id: []}
    assert feedback.thread(db_session, entry, page=99, per_page=2).page == 3
    assert [c.id for c in feedback.thread(db_session, entry, page=0, per_page=2).comments] == [t.id for t in tops[:2]]


def test_empty_thread_has_one_page(db_session, entry):
    page = feedback.thread(db_session, entry)
    assert (page.comments, page.page, page.pages, page.count) == ([], 1, 1, 0)


def test_comment_page_finds_the_page_of_a_comment_or_its_top_comment(db_session, entry, author, member):
    tops = [_post(db_session, entry, member, f"Kommentar {i}", at=i * 10) for i in range(5)]
    reply = _post(db_session, entry, author, "Svar", reply_to=tops[3], at=100)
    assert [feedback.comment_page(db_session, c, per_page=2) for c in tops] == [1, 1, 2, 2, 3]
    assert feedback.comment_page(db_session, reply, per_page=2) == 2


def test_comment_counts_leave_out_removed_and_hidden_comments(db_session, make_entry, entry, author, member):
    second = make_entry(title="Andra metoden", user=author)
    quiet = make_entry(title="Tyst metod", user=author)
    shown = _post(db_session, entry, member, "Syns")
    _post(db_session, entry, author, "Syns också", reply_to=shown)
    feedback.delete_comment(_post(db_session, entry, member, "Borta"), member)
    _post(db_session, entry, member, "Dold").hidden_at = BASE
    _post(db_session, second, member, "En")
    db_session.flush()
    assert feedback.comment_count(db_session, entry) == 2
    assert feedback.comment_count(db_session, quiet) == 0
    counts = feedback.comment_counts(db_session, [entry.id, second.id, quiet.id])
    assert (counts[entry.id], counts[second.id], counts.get(quiet.id, 0)) == (2, 1, 0)
    assert feedback.comment_counts(db_session, []) == {}
    assert feedback.thread(db_session, entry).count == 2


# --- Criteria sets ------------------------------------------------------------------------------


def test_default_set_is_created_once_with_five_criteria(db_session):
    first = feedback.default_criteria_set(db_session)
    second = feedback.default_criteria_set(db_session)
    assert first is second
    assert first.is_default is True
    assert _count(db_session, CriteriaSet, CriteriaSet.key == feedback.DEFAULT_SET_KEY) == 1
    assert [c.key for c in first.criteria] == DEFAULT_KEYS
    assert [c.position for c in first.criteria] == [0, 1, 2, 3, 4]
    assert _count(db_session, Criterion, Criterion.set_id == first.id) == 5


def test_parse_criteria_reads_one_per_line():
    text = "Relevans: Svarar den  på ett behov?\r\n\n   \n  Tydlighet  \nGenomförbarhet:  kan den göras: ja"
    assert feedback.parse_criteria(text) == [
        ("Relevans", "Svarar den på ett behov?"),
        ("Tydlighet", ""),
        ("Genomförbarhet", "kan den göras: ja"),
    ]
    assert feedback.parse_criteria("") == []


def test_save_criteria_set_creates_a_set_in_order(db_session):
    saved = feedback.save_criteria_set(
        db_session, None, "  Kommunens   rutnät ", [("Förankring", "Vem står bakom?"), ("Målgrupp", "")], False
    )
    assert saved.id is not None
    assert (saved.name, saved.key, saved.is_default) == ("Kommunens rutnät", None, False)
    assert [(c.name, c.description, c.position) for c in saved.criteria] == [
        ("Förankring", "Vem står bakom?", 0),
        ("Målgrupp", "", 1),
    ]


@pytest.mark.parametrize(
    ("name", "criteria", "field"),
    [
        ("", [("Tydlighet", "")], "name"),
        ("x" * 121, [("Tydlighet", "")], "name"),
        ("Rutnät", [], "criteria"),
        ("Rutnät", [(f"Kriterium {i}", "") for i in range(feedback.MAX_CRITERIA + 1)], "criteria"),
        ("Rutnät", [("Tydlighet", ""), ("TYDLIGHET", "igen")], "criteria"),
        ("Rutnät", [("", "Bara en beskrivning")], "criteria"),
        ("Rutnät", [("Tydlighet", "x" * 301)], "criteria"),
    ],
)
def test_save_criteria_set_refuses_bad_input_and_stores_nothing(db_session, name, criteria, field):
    with pytest.raises(ValidationError) as caught:
        feedback.save_criteria_set(db_session, None, name, criteria, True)
    assert _error_fields(caught) == {field}
    assert _count(db_session, CriteriaSet) == 0


def test_save_criteria_set_accepts_the_maximum(db_session):
    criteria = [(f"Kriterium {i}", "") for i in range(feedback.MAX_CRITERIA)]
    assert len(feedback.save_criteria_set(db_session, None, "Stort", criteria, False).criteria) == feedback.MAX_CRITERIA


def test_built_in_set_is_not_edited(db_session):
    builtin = feedback.default_criteria_set(db_session)
    with pytest.raises(Forbidden):
        feedback.save_criteria_set(db_session, builtin, "Eget", [("Tydlighet", "")], False)
    assert [c.key for c in builtin.criteria] == DEFAULT_KEYS


def test_make_default_switches_the_default(db_session, entry, author):
    builtin = feedback.default_criteria_set(db_session)
    own = feedback.save_criteria_set(db_session, None, "Eget", [("Tydlighet", "")], True)
    assert (own.is_default, builtin.is_default) == (True, False)
    assert feedback.default_criteria_set(db_session) is own
    assert _request(db_session, entry, author).criteria_set is own
    feedback.save_criteria_set(db_session, own, "Eget", [("Tydlighet", "")], False)
    assert own.is_default is True


def test_criteria_keep_their_identity_by_name(db_session):
    saved = feedback.save_criteria_set(db_session, None, "Eget", [("Tydlighet", ""), ("Mod", "")], False)
    ids = {c.name: c.id for c in saved.criteria}
    feedback.save_criteria_set(db_session, saved, "Eget", [("Ny", ""), ("mod", "Vågar den?"), ("Tydlighet", "")], False)
    assert [(c.name, c.position) for c in saved.criteria] == [("Ny", 0), ("mod", 1), ("Tydlighet", 2)]
    assert (saved.criteria[1].id, saved.criteria[2].id) == (ids["Mod"], ids["Tydlighet"])


def test_removing_an_unscored_criterion_is_allowed(db_session):
    saved = feedback.save_criteria_set(db_session, None, "Eget", [("Tydlighet", ""), ("Mod", "")], False)
    feedback.save_criteria_set(db_session, saved, "Eget", [("Tydlighet", "")], False)
    assert _count(db_session, Criterion, Criterion.set_id == saved.id) == 1


def test_removing_a_scored_criterion_is_refused(db_session, entry, author, member):
    own = feedback.save_criteria_set(db_session, None, "Eget", [("Tydlighet", ""), ("Mod", "")], False)
    request = _request(db_session, entry, author, criteria_set=own)
    _review(db_session, request, member, values=(3, 4))
    with pytest.raises(ValidationError) as caught:
        feedback.save_criteria_set(db_session, own, "Eget", [("Tydlighet", "")], False)
    assert _error_fields(caught) == {"criteria"}
    assert "Mod" in caught.value.errors["criteria"][0].render()
    db_session.flush()
    assert _count(db_session, Criterion, Criterion.set_id == own.id) == 2
    assert _count(db_session, ReviewScore) == 2


# --- Requests -----------------------------------------------------------------------------------


def test_request_feedback_stores_the_request_and_notifies_named_reviewers(db_session, entry, author, make_user):
    first, second = make_user(email="forsta@example.org"), make_user(email="andra@example.org")
    request = _request(
        db_session, entry, author, "  Vad saknas?\r\n", [" ANDRA@example.org", "forsta@example.org", "andra@example.org"],
        TODAY + timedelta(days=7),
    )  # fmt: skip
    assert request.id is not None
    assert (request.question, request.closes_on) == ("Vad saknas?", TODAY + timedelta(days=7))
    assert (request.requested_by_id, request.revision_number) == (author.id, entry.revision_number)
    assert request.criteria_set.key == feedback.DEFAULT_SET_KEY
    assert {u.id for u in request.reviewers} == {first.id, second.id}
    rows = db_session.scalars(select(Notification).where(Notification.kind == "named_reviewer")).all()
    assert sorted(n.user_id for n in rows) == sorted([first.id, second.id])
    assert {(n.actor_id, n.subject, n.path) for n in rows} == {(author.id, entry.title, f"/feedback/{request.id}")}


def test_request_closing_today_is_accepted(db_session, entry, author):
    assert _request(db_session, entry, author, closes_on=TODAY).closes_on == TODAY


@pytest.mark.parametrize(
    ("question", "reviewers", "closes_on", "field"),
    [
        ("", [], None, "question"),
        ("  \r\n ", [], None, "question"),
        ("x" * (feedback.QUESTION_MAX + 1), [], None, "question"),
        (QUESTION, [], TODAY - timedelta(days=1), "closes_on"),
        (QUESTION, ["okand@example.org"], None, "reviewers"),
        (QUESTION, ["AUTHOR"], None, "reviewers"),
        (QUESTION, ["COAUTHOR"], None, "reviewers"),
        (QUESTION, ["INACTIVE"], None, "reviewers"),
        (QUESTION, [f"r{i}@example.org" for i in range(feedback.MAX_REVIEWERS + 1)], None, "reviewers"),
    ],
)
def test_request_feedback_refuses_bad_input_and_stores_nothing(
    db_session, entry, author, make_user, question, reviewers, closes_on, field
):
    coauthor = make_user(email="medforfattare@example.org")
    entries.set_editors(db_session, entry, [coauthor.email])
    inactive = make_user(email="slutat@example.org")
    inactive.active = False
    names = {"AUTHOR": author.email, "COAUTHOR": coauthor.email, "INACTIVE": inactive.email}
    with pytest.raises(ValidationError) as caught:
        _request(db_session, entry, author, question, [names.get(r, r) for r in reviewers], closes_on)
    assert _error_fields(caught) == {field}
    assert _count(db_session, FeedbackRequest) == 0
    assert _count(db_session, Notification) == 0


def test_request_feedback_reports_every_error_at_once(db_session, entry, author):
    with pytest.raises(ValidationError) as caught:
        _request(db_session, entry, author, "", [author.email], TODAY - timedelta(days=1))
    assert _error_fields(caught) == {"question", "closes_on", "reviewers"}


def test_only_authors_and_admins_request_feedback_on_published_entries(db_session, make_entry, entry, author,
                                                                       member, make_user):  # fmt: skip
    for user in (member, make_user(role="facilitator"), None):
        with pytest.raises(Forbidden):
            _request(db_session, entry, user)
    draft = make_entry(title="Utkast", user=author, status="draft")
    with pytest.raises(Forbidden):
        _request(db_session, draft, author)
    assert _count(db_session, FeedbackRequest) == 0
    assert _request(db_session, entry, make_user(role="admin")).id is not None


@pytest.mark.parametrize(
    ("closes_on", "closed", "today", "expected"),
    [
        (None, False, TODAY, True),
        (TODAY, False, TODAY, True),
        (TODAY, False, TODAY + timedelta(days=1), False),
        (TODAY + timedelta(days=3), False, TODAY, True),
        (None, True, TODAY, False),
        (TODAY + timedelta(days=3), True, TODAY, False),
    ],
)
def test_is_open(closes_on, closed, today, expected):
    request = FeedbackRequest(closes_on=closes_on, closed_at=BASE if closed else None)
    assert feedback.is_open(request, today) is expected


def test_close_request_is_for_the_entry_authors(db_session, entry, author, member):
    request = _request(db_session, entry, author)
    with pytest.raises(Forbidden):
        feedback.close_request(request, member)
    assert request.closed_at is None
    feedback.close_request(request, author)
    assert request.closed_at is not None
    assert feedback.is_open(request, TODAY) is False


def test_requests_for_entry_and_get_request(db_session, entry, author):
    first, second = _request(db_session, entry, author), _request(db_session, entry, author)
    first.created_at, second.created_at = BASE, BASE + timedelta(minutes=1)
    db_session.flush()
    assert feedback.requests_for_entry(db_session, entry) == [second, first]
    assert feedback.get_request(db_session, first.id) is first
    with pytest.raises(NotFound):
        feedback.get_request(db_session, second.id + 1000)


def test_set_criteria_set_is_for_admins_before_any_review(db_session, request_, author, member, make_user):
    own = feedback.save_criteria_set(db_session, None, "Eget", [("Tydlighet", "")], False)
    builtin = request_.criteria_set
    with pytest.raises(Forbidden):
        feedback.set_criteria_set(request_, author, own)
    admin = make_user(role="admin")
    feedback.set_criteria_set(request_, admin, own)
    assert request_.criteria_set is own
    feedback.set_criteria_set(request_, admin, builtin)
    _review(db_session, request_, member)
    with pytest.raises(ValidationError):
        feedback.set_criteria_set(request_, admin, own)
    assert request_.criteria_set is builtin


def test_set_aggregate_public_is_for_the_entry_authors(db_session, request_, author, member):
    with pytest.raises(Forbidden):
        feedback.set_aggregate_public(request_, member, True)
    feedback.set_aggregate_public(request_, author, True)
    assert request_.aggregate_public is True


def _open(session, today=TODAY, **filters) -> list[int]:
    return [r.id for r in session.scalars(feedback.open_requests(today, **filters))]


def test_open_requests_filters(db_session, make_entry, author):
    swedish = make_entry(title="Fika med grannkommunen", user=author, tags="Fika, samråd")
    danish = make_entry(title="Borgermøde", user=author, language="da", tags="borgerinddragelse")
    to_draft = make_entry(title="Blir utkast", user=author, tags="fika")
    to_trash = make_entry(title="Slängs", user=author, tags="fika")
    open_sv = _request(db_session, swedish, author)
    open_da = _request(db_session, danish, author, closes_on=TODAY)
    closed = _request(db_session, swedish, author)
    feedback.close_request(closed, author)
    _request(db_session, to_draft, author)
    _request(db_session, to_trash, author)
    to_draft.status = "draft"
    entries.trash_entry(to_trash, author)
    db_session.flush()
    assert sorted(_open(db_session)) == sorted([open_sv.id, open_da.id])
    assert _open(db_session, language="da") == [open_da.id]
    assert _open(db_session, tag="FIKA") == [open_sv.id]
    assert _open(db_session, language="da", tag="fika") == []
    assert _open(db_session, today=TODAY + timedelta(days=1)) == [open_sv.id]


def test_open_requests_sorts_newest_first_or_by_closing_day(db_session, entry, author):
    closes = [TODAY + timedelta(days=10), None, TODAY + timedelta(days=2), None]
    requests = [_request(db_session, entry, author, closes_on=c) for c in closes]
    for minutes, request in enumerate(requests):
        request.created_at = BASE + timedelta(minutes=minutes)
    db_session.flush()
    r1, r2, r3, r4 = (r.id for r in requests)
    assert _open(db_session) == [r4, r3, r2, r1]
    assert _open(db_session, sort="closing") == [r3, r1, r4, r2]


# --- Reviews ------------------------------------------------------------------------------------


@pytest.fixture
def request_(db_session, entry, author):
    return _request(db_session, entry, author, closes_on=TODAY + timedelta(days=7))


def test_submit_review_with_every_score(db_session, request_, author, member):
    review = _review(db_session, request_, member, values=(1, 2, "3", " 4 ", 5))
    db_session.expire_all()
    stored = db_session.get(Review, review.id)
    assert (stored.request_id, stored.reviewer_id) == (request_.id, member.id)
    assert (stored.works_well, stored.could_be_better) == ("Tydliga steg.", "Budget.")
    by_key = {s.criterion.key: (s.score, s.comment) for s in stored.scores}
    assert by_key == {
        "relevance": (1, "Om relevance"),
        "clarity": (2, "Om clarity"),
        "feasibility": (3, "Om feasibility"),
        "inclusion": (4, "Om inclusion"),
        "impact": (5, "Om impact"),
    }
    assert feedback.review_of(db_session, stored.request, member).id == review.id
    assert db_session.scalars(select(Notification.user_id).where(Notification.kind == "review")).all() == [author.id]


@pytest.mark.parametrize(
    ("first", "works_well", "could_be_better", "field"),
    [
        ("missing", "Bra", "Mer", "score"),
        (None, "Bra", "Mer", "score"),
        ("", "Bra", "Mer", "score"),
        (0, "Bra", "Mer", "score"),
        ("0", "Bra", "Mer", "score"),
        (6, "Bra", "Mer", "score"),
        ("6", "Bra", "Mer", "score"),
        ("abc", "Bra", "Mer", "score"),
        ("2.5", "Bra", "Mer", "score"),
        ("-1", "Bra", "Mer", "score"),
        (3, "", "Mer", "works_well"),
        (3, None, "Mer", "works_well"),
        (3, "Bra", "  \r\n ", "could_be_better"),
        (3, "x" * (feedback.REVIEW_TEXT_MAX + 1), "Mer", "works_well"),
    ],
)
def test_invalid_review_is_refused_and_nothing_stored(db_session, request_, member, first, works_well,
                                                      could_be_better, field):  # fmt: skip
    scores = _scores(request_, (first, 4, 4, 4, 4))
    first_id = request_.criteria_set.criteria[0].id
    if first == "missing":
        del scores[first_id]
    with pytest.raises(ValidationError) as caught:
        feedback.submit_review(db_session, request_, member, scores, works_well, could_be_better, TODAY)
    assert _error_fields(caught) == {f"score_{first_id}" if field == "score" else field}
    assert _count(db_session, Review) == 0
    assert _count(db_session, ReviewScore) == 0
    assert _count(db_session, Notification, Notification.kind == "review") == 0


@pytest.mark.parametrize("score", ["²", "١٠"])
def test_non_ascii_digits_are_refused_as_scores(db_session, request_, member, score):
    """A score such as "²" passes str.isdigit() but is not a number int() reads."""
    scores = _scores(request_, (score, 4, 4, 4, 4))
    with pytest.raises(ValidationError):
        feedback.submit_review(db_session, request_, member, scores, "Bra", "Mer", TODAY)
    assert _count(db_session, Review) == 0


def test_too_long_score_comment_is_refused(db_session, request_, member):
    scores = _scores(request_, (4, 4, 4, 4, 4))
    first_id = request_.criteria_set.criteria[0].id
    scores[first_id] = ScoreInput(4, "x" * (feedback.SCORE_COMMENT_MAX + 1))
    with pytest.raises(ValidationError) as caught:
        feedback.submit_review(db_session, request_, member, scores, "Bra", "Mer", TODAY)
    assert _error_fields(caught) == {f"comment_{first_id}"}


def test_second_submit_edits_the_same_review(db_session, request_, member):
    first = _review(db_session, request_, member, values=(1, 1, 1, 1, 1))
    second = _review(db_session, request_, member, values=(5, 4, 3, 2, 1), works_well="Ändrat")
    assert second.id == first.id
    db_session.expire_all()
    assert _count(db_session, Review) == 1
    assert _count(db_session, ReviewScore) == 5
    stored = db_session.get(Review, first.id)
    assert [s.score for s in sorted(stored.scores, key=lambda s: s.criterion.position)] == [5, 4, 3, 2, 1]
    assert stored.works_well == "Ändrat"
    assert _count(db_session, Notification, Notification.kind == "review") == 1


def test_no_review_of_own_entry(db_session, entry, request_, author, make_user):
    coauthor = make_user()
    entries.set_editors(db_session, entry, [coauthor.email])
    for user in (author, coauthor):
        with pytest.raises(Forbidden):
            _review(db_session, request_, user)
    assert _count(db_session, Review) == 0


def test_closed_request_refuses_reviews(db_session, request_, author, member):
    with pytest.raises(Forbidden):
        _review(db_session, request_, member, today=request_.closes_on + timedelta(days=1))
    feedback.close_request(request_, author)
    with pytest.raises(Forbidden):
        _review(db_session, request_, member)
    assert _count(db_session, Review) == 0


def test_review_on_the_closing_day_is_accepted(db_session, request_, member):
    assert _review(db_session, request_, member, today=request_.closes_on).id is not None


def test_anonymous_visitor_cannot_review(db_session, request_):
    with pytest.raises(Forbidden):
        _review(db_session, request_, None)


def test_aggregate_counts_shown_reviews_only(db_session, request_, make_user):
    for values in ((5, 1, 2, 2, 3), (4, 1, 2, 3, 3), (3, 1, 5, 4, 3)):
        _review(db_session, request_, make_user(), values=values)
    hidden = _review(db_session, request_, make_user(), values=(1, 5, 1, 1, 1))
    hidden.hidden_at = BASE
    summaries = feedback.aggregate(request_)
    assert [s.criterion.key for s in summaries] == DEFAULT_KEYS
    relevance, clarity, feasibility, inclusion, _impact = summaries
    assert (relevance.count, relevance.total, relevance.mean) == (3, 12, 4.0)
    assert relevance.distribution == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert relevance.share(5) == pytest.approx(1 / 3)
    assert (clarity.mean, clarity.distribution[1], clarity.distribution[5]) == (1.0, 3, 0)
    assert feasibility.mean == pytest.approx(3.0)
    assert inclusion.mean == pytest.approx(3.0)
    assert feedback.shown_reviews(request_) == [r for r in request_.reviews if r is not hidden]


def test_aggregate_without_reviews(db_session, request_):
    summary = feedback.aggregate(request_)[0]
    assert (summary.count, summary.mean, summary.share(3)) == (0, None, 0.0)
    assert summary.distribution == dict.fromkeys(range(1, 6), 0)


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_reviews_csv_one_row_per_review_and_criterion(db_session, entry, author, make_user):
    request = _request(db_session, entry, author, "Hur blir det på Ærø och i Åmål?")
    first = _review(db_session, request, make_user(name="Åsa Öberg"), values=(5, 4, 3, 2, 1),
                    works_well="Blåbär och smørrebrød", could_be_better="Färre möten")  # fmt: skip
    _review(db_session, request, make_user(name="Øystein Ås"), values=(1, 1, 1, 1, 1))
    _review(db_session, request, make_user(name="Dold Granskare"), values=(2, 2, 2, 2, 2)).hidden_at = BASE
    data = feedback.reviews_csv(request, {"request": "Fråga", "reviewer": "Granskare"})
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(data)
    assert rows[0] == ["Fråga", "Granskare", "criterion", "score", "comment", "works_well", "could_be_better", "date"]
    assert len(rows) == 1 + 2 * 5
    assert {r[1] for r in rows[1:]} == {"Åsa Öberg", "Øystein Ås"}
    asa = [r for r in rows[1:] if r[1] == "Åsa Öberg"]
    assert [(r[2], r[3]) for r in asa] == [
        ("Relevance", "5"), ("Clarity", "4"), ("Feasibility", "3"), ("Inclusion", "2"), ("Impact", "1")
    ]  # fmt: skip
    assert asa[0] == [
        "Hur blir det på Ærø och i Åmål?", "Åsa Öberg", "Relevance", "5", "Om relevance",
        "Blåbär och smørrebrød", "Färre möten", first.updated_at.date().isoformat(),
    ]  # fmt: skip


def test_reviews_csv_names_criteria_with_the_given_function(db_session, request_, member):
    _review(db_session, request_, member)
    rows = _csv_rows(feedback.reviews_csv(request_, {}, criterion_name=lambda c: c.key.upper()))
    assert [r[2] for r in rows[1:]] == [k.upper() for k in DEFAULT_KEYS]


@pytest.mark.parametrize("text", ["=1+1", "+46 8 123 45", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://x")'])
def test_reviews_csv_guards_formula_cells(db_session, entry, author, make_user, text):
    request = _request(db_session, entry, author, text)
    scores = _scores(request, (4, 4, 4, 4, 4))
    scores[request.criteria_set.criteria[0].id] = ScoreInput(4, text)
    feedback.submit_review(db_session, request, make_user(name=text), scores, text, text, TODAY)
    row = _csv_rows(feedback.reviews_csv(request, {}))[1]
    guarded = "'" + text
    assert (row[0], row[1], row[4], row[5], row[6]) == (guarded, guarded, guarded, guarded, guarded)
    assert row[3] == "4"


def test_reviews_csv_leaves_ordinary_text_and_numbers_alone(db_session, entry, author, make_user):
    request = _request(db_session, entry, author, "Vad tycker ni? a=b")
    scores = _scores(request, (3, 4, 4, 4, 4))
    scores[request.criteria_set.criteria[0].id] = ScoreInput(3, "Bra – 10 % bättre, 1+1=2")
    feedback.submit_review(db_session, request, make_user(name="Åke"), scores, "50 minuter", "Mer fika", TODAY)
    row = _csv_rows(feedback.reviews_csv(request, {}))[1]
    assert row[:7] == [
        "Vad tycker ni? a=b",
        "Åke",
        "Relevance",
        "3",
        "Bra – 10 % bättre, 1+1=2",
        "50 minuter",
        "Mer fika",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=A1", "'=A1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\t=1", "'\t=1"), ("Hej", "Hej"),
     ("a=1", "a=1"), ("", ""), (None, ""), (4, "4")],
)  # fmt: skip
def test_spreadsheet_safe(value, expected):
    assert feedback.spreadsheet_safe(value) == expected


def _new_revision(session, entry, user):
    data = entries.validate_entry_data(
        {**entries.snapshot(entry), "summary": f"Version {entry.revision_number + 1}"}, session, entry
    )
    assert entries.update_entry(session, entry, data, user)
    session.flush()


def test_mark_acted_upon_records_an_existing_revision(db_session, entry, request_, author, member):
    review = _review(db_session, request_, member)
    _new_revision(db_session, entry, author)
    feedback.mark_acted_upon(db_session, review, author, 2)
    assert (review.acted_revision, review.acted_at is not None) == (2, True)
    feedback.mark_acted_upon(db_session, review, author, None)
    assert (review.acted_revision, review.acted_at) == (None, None)


def test_mark_acted_upon_refuses_a_revision_the_entry_does_not_have(db_session, make_entry, request_, author, member):
    other = make_entry(title="Annan metod", user=author)
    _new_revision(db_session, other, author)
    _new_revision(db_session, other, author)
    review = _review(db_session, request_, member)
    for number in (3, 99):
        with pytest.raises(ValidationError) as caught:
            feedback.mark_acted_upon(db_session, review, author, number)
        assert _error_fields(caught) == {"revision"}
    assert (review.acted_revision, review.acted_at) == (None, None)


def test_mark_acted_upon_is_for_the_entry_authors(db_session, request_, member, make_user):
    review = _review(db_session, request_, member)
    with pytest.raises(Forbidden):
        feedback.mark_acted_upon(db_session, review, member, 1)
    with pytest.raises(Forbidden):
        feedback.mark_acted_upon(db_session, review, make_user(role="facilitator"), 1)
    assert review.acted_revision is None


# --- Permissions --------------------------------------------------------------------------------

AUTHOR, COAUTHOR, COMMENTER, OTHER, FACILITATOR, ADMIN, INACTIVE_ADMIN = 1, 2, 3, 4, 5, 6, 7
USERS = ["anonymous", "author", "co-author", "commenter", "other member", "facilitator", "admin", "inactive admin"]


def _user(key: str) -> User | None:
    ids = {"author": AUTHOR, "co-author": COAUTHOR, "commenter": COMMENTER, "other member": OTHER,
           "facilitator": FACILITATOR, "admin": ADMIN, "inactive admin": INACTIVE_ADMIN}  # fmt: skip
    if key == "anonymous":
        return None
    role = "admin" if "admin" in key else "facilitator" if key == "facilitator" else "member"
    return User(id=ids[key], role=role, active=key != "inactive admin")


def _entry(state: str = "published") -> Entry:
    entry = Entry(
        created_by_id=AUTHOR,
        status="draft" if state == "draft" else "published",
        deleted_at=BASE if state == "trashed" else None,
    )
    entry.editors = [User(id=COAUTHOR, role="member", active=True)]
    return entry


def _table(yes: str) -> list[tuple[str, bool]]:
    """Turn a comma-separated list of the users who may into (user, allowed) rows for every user."""
    allowed = {key.strip() for key in yes.split(",") if key.strip()}
    assert allowed <= set(USERS), allowed - set(USERS)
    return [(user, user in allowed) for user in USERS]


EVERYONE_ACTIVE = "author, co-author, commenter, other member, facilitator, admin"
EVERYONE = "anonymous, inactive admin, " + EVERYONE_ACTIVE
AUTHORS_AND_ADMIN = "author, co-author, admin"


@pytest.mark.parametrize(("user", "expected"), _table(EVERYONE_ACTIVE))
def test_can_comment_on_published_entries(user, expected):
    assert permissions.can_comment(_user(user), _entry()) is expected


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("state", ["draft", "trashed"])
def test_nobody_comments_on_drafts_or_trash(user, state):
    assert permissions.can_comment(_user(user), _entry(state)) is False
    assert permissions.has_thread(_entry(state)) is False


def _comment(state: str = "shown", entry_state: str = "published") -> Comment:
    return Comment(
        entry=_entry(entry_state),
        author_id=COMMENTER,
        hidden_at=BASE if state == "hidden" else None,
        deleted_at=BASE if state == "deleted" else None,
    )


# (comment state): users allowed to (see, edit, delete)
COMMENT_TABLE = {
    "shown": (EVERYONE, "commenter", "commenter, facilitator, admin"),
    "hidden": ("commenter, facilitator, admin", "", "commenter, facilitator, admin"),
    "deleted": (EVERYONE, "", ""),
}


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("state", list(COMMENT_TABLE))
def test_comment_permissions(user, state):
    see, edit, delete = (dict(_table(yes))[user] for yes in COMMENT_TABLE[state])
    comment, who = _comment(state), _user(user)
    assert (
        permissions.can_see_comment(who, comment),
        permissions.can_edit_comment(who, comment),
        permissions.can_delete_comment(who, comment),
    ) == (see, edit, delete)


@pytest.mark.parametrize("user", USERS)
def test_comments_on_trashed_entries_are_out_of_reach(user):
    comment, who = _comment(entry_state="trashed"), _user(user)
    assert not (
        permissions.can_see_comment(who, comment)
        or permissions.can_edit_comment(who, comment)
        or permissions.can_delete_comment(who, comment)
    )


# (entry state): users allowed to (request feedback, manage a request, view it, review it)
REQUEST_TABLE = {
    "published": (AUTHORS_AND_ADMIN, AUTHORS_AND_ADMIN, EVERYONE, "commenter, other member, facilitator, admin"),
    "draft": ("", AUTHORS_AND_ADMIN, AUTHORS_AND_ADMIN, ""),
    "trashed": ("", AUTHORS_AND_ADMIN, AUTHORS_AND_ADMIN, ""),
}


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("state", list(REQUEST_TABLE))
def test_request_permissions(user, state):
    expected = tuple(dict(_table(yes))[user] for yes in REQUEST_TABLE[state])
    entry, who = _entry(state), _user(user)
    request = FeedbackRequest(entry=entry)
    assert (
        permissions.can_request_feedback(who, entry),
        permissions.can_manage_request(who, request),
        permissions.can_view_request(who, request),
        permissions.can_review(who, request),
    ) == expected


@pytest.mark.parametrize(("user", "expected"), _table("author, co-author, commenter, facilitator, admin"))
def test_can_read_review(user, expected):
    review = Review(request=FeedbackRequest(entry=_entry()), reviewer_id=COMMENTER)
    assert permissions.can_read_review(_user(user), review) is expected


def test_mark_acted_upon_refuses_the_revision_the_request_was_made_on(db_session, entry, request_, author, member):
    review = _review(db_session, request_, member)
    assert request_.revision_number == entry.revision_number
    with pytest.raises(ValidationError) as caught:
        feedback.mark_acted_upon(db_session, review, author, entry.revision_number)
    assert _error_fields(caught) == {"revision"}
    assert review.acted_revision is None
