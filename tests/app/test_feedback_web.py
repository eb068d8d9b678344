"""Feedback through the web: threads, critical-friend requests and reviews, notifications, moderation."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from methodbook import entries, feedback, moderation
from methodbook.db import utcnow
from methodbook.models import (
    AuditEvent,
    Comment,
    CriteriaSet,
    FeedbackRequest,
    FormStash,
    Notification,
    Report,
    Review,
)
from tests.app.test_api import validator_for
from tests.conftest import PASSWORD, csrf_from, post_form

# --- helpers ---------------------------------------------------------------------------------


def site_today() -> date:
    """The site's day (closing days are days in the site's time zone, as in the test config)."""
    return datetime.now(ZoneInfo("Europe/Stockholm")).date()


def text_of(response) -> str:
    return response.get_data(as_text=True)


def visit(app, path: str):
    """Fetch as a new visitor: a fresh client sends no cookie, so the page cache answers."""
    return app.test_client().get(path)


def count(db_session, model, *where) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(*where))


def location(response) -> tuple[str, dict, str]:
    """Split a redirect's Location into path, query and anchor."""
    parts = urlsplit(response.headers["Location"])
    return parts.path, parse_qs(parts.query), parts.fragment


def article(page: str, comment_id: int) -> str:
    """The HTML of one comment in a thread."""
    match = re.search(rf'<article[^>]*id="comment-{comment_id}".*?</article>', page, re.S)
    assert match, f"comment {comment_id} is not on the page"
    return match.group(0)


def add_comment(db_session, entry, user, body: str, reply_to=None) -> Comment:
    comment = feedback.post_comment(db_session, entry, user, body, reply_to)
    db_session.commit()
    return comment


def post_comment(client, slug: str, body: str, reply_to: int | None = None):
    """Post through the form on the entry page (or the reply page), as a browser without JavaScript."""
    data = {"body": body}
    form_url = f"/methods/{slug}"
    if reply_to is not None:
        data["reply_to"] = str(reply_to)
        form_url = f"/methods/{slug}/comments?reply_to={reply_to}"
    return post_form(client, f"/methods/{slug}/comments", data, form_url=form_url)


def open_request(db_session, entry, user, reviewers=(), closes_on=None, question="Fungerar det i ett litet bibliotek?"):
    request = feedback.request_feedback(
        db_session, entry, user, question, [u.email for u in reviewers], closes_on, site_today()
    )
    db_session.commit()
    return request


def review_data(request, scores=(4, 3, 5, 2, 4), works="Tydliga steg.", better="Mer om kostnader.", **extra) -> dict:
    data = {f"score_{c.id}": str(s) for c, s in zip(request.criteria_set.criteria, scores, strict=False)}
    data.update(works_well=works, could_be_better=better)
    data.update(extra)
    return data


def send_review(client, request, data: dict):
    return post_form(client, f"/feedback/{request.id}/review", data)


def add_review(db_session, request, user, scores=(4, 3, 5, 2, 4), works="Tydliga steg.", better="Mer om kostnader."):
    given = {c.id: feedback.ScoreInput(s, "") for c, s in zip(request.criteria_set.criteria, scores, strict=True)}
    review = feedback.submit_review(db_session, request, user, given, works, better, site_today())
    db_session.commit()
    return review


def checked(page: str, name: str, value: int | str) -> bool:
    return re.search(rf'name="{name}" value="{value}" checked', page) is not None


def textarea_holds(page: str, name: str, text: str) -> bool:
    return re.search(rf'<textarea[^>]*name="{name}"[^>]*>\s*{re.escape(text)}\s*</textarea>', page) is not None


def bell(page: str) -> int:
    match = re.search(r'class="bell-count">(\d+)<', page)
    return int(match.group(1)) if match else 0


def requests_box(response) -> str:
    """The "ask for a critical friend" box of an entry page, or "" when there is none."""
    match = re.search(r'<section class="requests-box".*?</section>', text_of(response), re.S)
    return match.group(0) if match else ""


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def author(make_user):
    return make_user(name="Astrid Författare")


@pytest.fixture
def entry(make_entry, author):
    return make_entry(title="Kritisk vän", user=author, tags=["dialog"])


@pytest.fixture
def member(make_user):
    return make_user(name="Måns Medlem")


@pytest.fixture
def facilitator(make_user):
    return make_user(role="facilitator", name="Frida Facilitator")


@pytest.fixture
def app_config(request, tmp_path):
    """Parametrize indirectly with "outbox" to write e-mail to a folder of this test."""
    if getattr(request, "param", None) == "outbox":
        return {"MAIL_OUTBOX_DIR": str(tmp_path / "outbox")}
    return {}


# --- threads ---------------------------------------------------------------------------------


def test_comment_without_javascript_is_shown_rendered_and_sanitized(client, login, member, entry, db_session):
    login(member)
    response = post_comment(
        client, entry.slug, '**Bra** idé <script>alert(1)</script> <a href="https://example.org" onclick="x()">läs</a>'
    )
    comment = db_session.scalar(select(Comment))
    assert response.status_code == 302
    assert location(response)[0] == f"/methods/{entry.slug}" and location(response)[2] == f"comment-{comment.id}"
    html = article(text_of(client.get(f"/methods/{entry.slug}")), comment.id)
    assert "<strong>Bra</strong>" in html and "Måns Medlem" in html
    assert "<script" not in html and "onclick" not in html
    assert 'href="https://example.org"' in html


def test_reply_and_reply_to_a_reply_sit_under_the_top_comment(client, login, make_user, member, entry, db_session):
    top = add_comment(db_session, entry, make_user(name="Tove Topp"), "Första tanken.")
    login(member)
    assert post_comment(client, entry.slug, "Ett svar på tanken.", reply_to=top.id).status_code == 302
    reply = db_session.scalar(select(Comment).where(Comment.body == "Ett svar på tanken."))
    login(make_user(name="Rut Replik"))
    reply_page = text_of(client.get(f"/methods/{entry.slug}/comments?reply_to={reply.id}"))
    assert "Ett svar på tanken." in reply_page and 'name="reply_to"' in reply_page
    assert post_comment(client, entry.slug, "Svar på svaret.", reply_to=reply.id).status_code == 302
    second = db_session.scalar(select(Comment).where(Comment.body == "Svar på svaret."))
    assert (reply.parent_id, second.parent_id, second.quoted_id) == (top.id, top.id, reply.id)
    page = text_of(client.get(f"/methods/{entry.slug}"))
    replies = re.search(rf'id="comment-{top.id}".*?<ol class="replies">(.*?)</ol>', page, re.S).group(1)
    assert f'id="comment-{reply.id}"' in replies and f'id="comment-{second.id}"' in replies
    quote = re.search(r"<blockquote.*?</blockquote>", article(page, second.id), re.S).group(0)
    assert "Måns Medlem wrote:" in quote and "Ett svar på tanken." in quote


def test_empty_comment_is_refused_with_the_message_and_nothing_stored(client, login, member, entry, db_session):
    login(member)
    response = post_comment(client, entry.slug, "   \r\n  ")
    assert response.status_code == 400
    assert "Write something before you post." in text_of(response)
    assert 'class="error-summary"' in text_of(response)
    assert count(db_session, Comment) == 0


def test_too_long_reply_is_refused_and_keeps_the_text_and_the_reply(client, login, member, entry, db_session):
    top = add_comment(db_session, entry, entry.created_by, "Fråga till läsarna.")
    login(member)
    typed = "Mitt långa svar " + "x" * feedback.COMMENT_MAX
    response = post_comment(client, entry.slug, typed, reply_to=top.id)
    page = text_of(response)
    assert response.status_code == 400
    assert "Keep this under 10000 characters" in page
    assert textarea_holds(page, "body", typed)
    assert re.search(rf'name="reply_to"[^>]*value="{top.id}"', page)
    assert count(db_session, Comment) == 1


def test_expired_session_keeps_the_comment_for_after_login(client, member, entry, db_session):
    token = csrf_from(client.get("/login").data)
    response = client.post(
        f"/methods/{entry.slug}/comments", data={"body": "Text som inte får förloras.", "csrf_token": token}
    )
    path, query, _ = location(response)
    assert response.status_code == 302 and path == "/login"
    assert count(db_session, FormStash) == 1 and count(db_session, Comment) == 0
    back = query["next"][0]
    assert back.startswith(f"/methods/{entry.slug}/comments?restore=")
    logged_in = post_form(client, response.headers["Location"], {"email": member.email, "password": PASSWORD})
    assert logged_in.status_code == 302 and unquote(logged_in.headers["Location"]).endswith(back)
    form = text_of(client.get(back))
    assert textarea_holds(form, "body", "Text som inte får förloras.")
    assert "Here is the text you wrote before your session ended" in form


def test_bad_csrf_token_keeps_the_reply_and_offers_it_again(client, login, member, entry, db_session):
    top = add_comment(db_session, entry, entry.created_by, "Fråga till läsarna.")
    login(member)
    response = client.post(
        f"/methods/{entry.slug}/comments",
        data={"body": "Mitt svar med fel token.", "reply_to": str(top.id), "csrf_token": "forged"},
    )
    path, query, _ = location(response)
    assert response.status_code == 302 and path == f"/methods/{entry.slug}/comments" and "restore" in query
    assert count(db_session, Comment) == 1
    form = text_of(client.get(response.headers["Location"]))
    assert textarea_holds(form, "body", "Mitt svar med fel token.")
    assert re.search(rf'name="reply_to"[^>]*value="{top.id}"', form)
    resent = post_form(
        client, response.headers["Location"], {"body": "Mitt svar med fel token.", "reply_to": str(top.id)}
    )
    assert resent.status_code == 302
    assert count(db_session, Comment, Comment.parent_id == top.id) == 1


def test_edit_marks_edited_and_moderators_see_the_earlier_text(client, login, member, facilitator, entry, db_session):
    comment = add_comment(db_session, entry, member, "Det ursprungliga ordet.")
    login(member)
    response = post_form(client, f"/comments/{comment.id}/edit", {"body": "Det nya ordet."})
    assert response.status_code == 302 and location(response)[2] == f"comment-{comment.id}"
    html = article(text_of(client.get(f"/methods/{entry.slug}")), comment.id)
    assert "Det nya ordet." in html and ">edited<" in html
    assert "Det ursprungliga ordet." not in html
    login(facilitator)
    assert f"/comments/{comment.id}/history" in text_of(client.get(f"/methods/{entry.slug}"))
    history = text_of(client.get(f"/comments/{comment.id}/history"))
    assert "Det ursprungliga ordet." in history and "Det nya ordet." in history


def test_removed_comment_leaves_its_place_and_its_replies(client, login, member, make_user, entry, db_session):
    top = add_comment(db_session, entry, member, "Det här tar jag tillbaka.")
    reply = add_comment(db_session, entry, make_user(name="Sara Svar"), "Ett svar som ska stå kvar.", top)
    login(member)
    assert post_form(client, f"/comments/{top.id}/delete").status_code == 302
    page = text_of(client.get(f"/methods/{entry.slug}"))
    assert "Comment removed." in article(page, top.id)
    assert "Det här tar jag tillbaka." not in page
    assert "Ett svar som ska stå kvar." in article(page, reply.id)
    assert "Feedback (1 comment)" in page


def test_permalink_goes_to_the_right_page_of_a_long_thread(app, client, make_user, entry, db_session):
    writer = make_user()
    tops = [add_comment(db_session, entry, writer, f"Kommentar nummer {n}.") for n in range(21)]
    late_reply = add_comment(db_session, entry, make_user(), "Svar på den sista.", tops[-1])
    first = client.get(f"/comments/{tops[0].id}")
    assert location(first) == (f"/methods/{entry.slug}", {}, f"comment-{tops[0].id}")
    last = client.get(f"/comments/{tops[-1].id}")
    assert location(last) == (f"/methods/{entry.slug}", {"comments": ["2"]}, f"comment-{tops[-1].id}")
    assert location(client.get(f"/comments/{late_reply.id}"))[1:] == ({"comments": ["2"]}, f"comment-{late_reply.id}")
    second_page = text_of(client.get(f"/methods/{entry.slug}?comments=2"))
    assert f'id="comment-{tops[-1].id}"' in second_page and f'id="comment-{late_reply.id}"' in second_page
    assert f'id="comment-{tops[0].id}"' not in second_page
    assert "Page 2 of 2" in second_page
    first_page = text_of(client.get(f"/methods/{entry.slug}"))
    assert f'id="comment-{tops[19].id}"' in first_page and f'id="comment-{tops[20].id}"' not in first_page


def test_comment_count_on_the_entry_and_in_the_list(client, make_user, facilitator, entry, db_session):
    writer = make_user()
    first = add_comment(db_session, entry, writer, "Ett.")
    add_comment(db_session, entry, writer, "Två.", first)
    removed = add_comment(db_session, entry, writer, "Tre.")
    hidden = add_comment(db_session, entry, writer, "Fyra.")
    feedback.delete_comment(removed, writer)
    moderation.hide(db_session, hidden, facilitator, "Inte på ämnet.")
    db_session.commit()
    assert "Feedback (2 comments)" in text_of(client.get(f"/methods/{entry.slug}"))
    listing = text_of(client.get("/methods"))
    assert re.search(r"Kritisk vän.*?2 comments", listing, re.S)


def test_draft_has_no_thread_and_no_comment_form(client, login, author, make_entry, entry, db_session):
    draft = make_entry(title="Hemligt utkast", status="draft", user=author)
    login(author)
    page = text_of(client.get(f"/methods/{draft.slug}"))
    assert 'id="comments"' not in page and f"/methods/{draft.slug}/comments" not in page
    assert 'id="comments"' in text_of(client.get(f"/methods/{entry.slug}")), "a published entry has one"
    response = post_form(client, f"/methods/{draft.slug}/comments", {"body": "Hej"}, form_url=f"/methods/{entry.slug}")
    assert response.status_code == 404
    assert count(db_session, Comment) == 0


def test_visitor_sees_no_form_but_a_login_link(client, entry):
    page = text_of(client.get(f"/methods/{entry.slug}"))
    assert "Log in to comment." in page and 'name="body"' not in page


def test_page_cache_shows_a_new_comment_at_once(app, client, login, member, entry):
    assert "No comments yet." in text_of(visit(app, f"/methods/{entry.slug}"))
    assert "No comments yet." in text_of(visit(app, f"/methods/{entry.slug}")), "served from the cache"
    login(member)
    post_comment(client, entry.slug, "Syns det direkt?")
    page = text_of(visit(app, f"/methods/{entry.slug}"))
    assert "Syns det direkt?" in page and "No comments yet." not in page


def test_page_cache_shows_public_scores_once_published(app, client, login, author, member, entry, db_session):
    request = open_request(db_session, entry, author)
    add_review(db_session, request, member)
    assert 'class="grid-table"' not in text_of(visit(app, f"/methods/{entry.slug}"))
    login(author)
    response = post_form(
        client, f"/feedback/{request.id}/visibility", {"public": "1"}, form_url=f"/feedback/{request.id}"
    )
    assert response.status_code == 302
    page = text_of(visit(app, f"/methods/{entry.slug}"))
    assert 'class="grid-table"' in page and "Relevance" in page


def test_reply_to_a_removed_comment_is_refused_and_keeps_the_text(client, login, member, make_user, entry, db_session):
    writer = make_user()
    top = add_comment(db_session, entry, writer, "Snart borta.")
    login(member)
    form_url = f"/methods/{entry.slug}/comments?reply_to={top.id}"
    token = csrf_from(client.get(form_url).data)
    feedback.delete_comment(top, writer)
    db_session.commit()
    response = client.post(
        f"/methods/{entry.slug}/comments",
        data={"body": "Mitt sena svar.", "reply_to": str(top.id), "csrf_token": token},
    )
    assert response.status_code == 400
    assert "The comment you answer is no longer there." in text_of(response)
    assert textarea_holds(text_of(response), "body", "Mitt sena svar.")
    assert count(db_session, Comment) == 1


def test_a_trashed_entry_hides_its_thread_and_its_requests(client, login, author, member, entry, db_session):
    comment = add_comment(db_session, entry, member, "En kommentar.")
    request = open_request(db_session, entry, author, question="Syns frågan?")
    assert client.get(f"/comments/{comment.id}").status_code == 302
    entries.trash_entry(entry, author)
    db_session.commit()
    login(member)
    assert client.get(f"/comments/{comment.id}").status_code == 404
    assert client.get(f"/feedback/{request.id}").status_code == 404
    assert "Syns frågan?" not in text_of(client.get("/feedback"))
    assert client.get(f"/api/v1/entries/{entry.slug}/comments").status_code == 404


# --- asking for a critical friend ------------------------------------------------------------


def test_asking_for_feedback_lists_it_and_notifies_the_named_reviewer(
    client, login, author, make_user, entry, db_session
):
    reviewer = make_user(name="Rita Granskare", email="rita@example.org")
    login(author)
    closes = site_today() + timedelta(days=14)
    response = post_form(
        client, f"/methods/{entry.slug}/feedback/new",
        {"question": "Går det att göra på en liten filial?", "reviewers": "RITA@example.org", "closes_on": closes.isoformat()},
    )  # fmt: skip
    request = db_session.scalar(select(FeedbackRequest))
    assert response.status_code == 302 and location(response)[0] == f"/feedback/{request.id}"
    assert request.closes_on == closes and [u.id for u in request.reviewers] == [reviewer.id]
    assert "Går det att göra på en liten filial?" in text_of(client.get("/feedback"))
    assert "Går det att göra på en liten filial?" in text_of(client.get(f"/methods/{entry.slug}"))
    assert bell(text_of(client.get("/"))) == 0, "the author is not notified of their own request"
    login(reviewer)
    assert bell(text_of(client.get("/"))) == 1
    listing = text_of(client.get("/notifications"))
    assert "Astrid Författare asks you to be a critical friend" in listing
    note = db_session.scalar(select(Notification).where(Notification.user_id == reviewer.id))
    opened = client.get(f"/notifications/{note.id}")
    assert opened.status_code == 302 and location(opened)[0] == f"/feedback/{request.id}"
    db_session.refresh(note)
    assert note.read_at is not None
    assert bell(text_of(client.get("/"))) == 0


def test_mark_all_notifications_read(client, login, author, make_user, entry, db_session):
    reviewer = make_user()
    open_request(db_session, entry, author, [reviewer], question="Fråga ett?")
    open_request(db_session, entry, author, [reviewer], question="Fråga två?")
    login(reviewer)
    assert bell(text_of(client.get("/"))) == 2
    assert post_form(client, "/notifications/read", form_url="/notifications").status_code == 302
    assert bell(text_of(client.get("/"))) == 0
    assert count(db_session, Notification, Notification.read_at.is_(None)) == 0


def test_needs_friend_filters_by_language_and_tag_and_sorts_both_ways(client, make_user, make_entry, db_session):
    owner = make_user()
    swedish = make_entry(title="Svensk metod", user=owner, language="sv", tags=["bibliotek"])
    danish = make_entry(title="Dansk metode", user=owner, language="da", tags=["kommune"])
    other = make_entry(title="Tredje metod", user=owner, language="sv", tags=["kommune"])
    late = open_request(db_session, swedish, owner, closes_on=site_today() + timedelta(days=20), question="Sen fråga?")
    soon = open_request(db_session, danish, owner, closes_on=site_today() + timedelta(days=3), question="Snart fråga?")
    endless = open_request(db_session, other, owner, question="Öppen fråga?")
    closed = open_request(db_session, other, owner, question="Stängd fråga?")
    for days, request in ((3, late), (2, soon), (1, endless)):
        request.created_at = utcnow() - timedelta(days=days)
    closed.closed_at = utcnow()
    db_session.commit()

    def order(query: str) -> list[str]:
        page = text_of(client.get(f"/feedback{query}"))
        assert "Stängd fråga?" not in page
        return re.findall(r'class="card-title"><a [^>]*>([^<]+)</a>', page)

    assert order("") == ["Öppen fråga?", "Snart fråga?", "Sen fråga?"]
    assert order("?sort=closing") == ["Snart fråga?", "Sen fråga?", "Öppen fråga?"]
    assert order("?language=da") == ["Snart fråga?"]
    assert order("?tag=kommune&sort=closing") == ["Snart fråga?", "Öppen fråga?"]
    assert order("?tag=bibliotek&language=da") == []


def test_closing_day_in_the_past_is_refused_and_nothing_stored(client, login, author, entry, db_session):
    login(author)
    response = post_form(
        client, f"/methods/{entry.slug}/feedback/new",
        {"question": "Min fråga som ska stå kvar?", "closes_on": (site_today() - timedelta(days=2)).isoformat()},
    )  # fmt: skip
    page = text_of(response)
    assert response.status_code == 400 and "Choose today or a later day." in page
    assert "Min fråga som ska stå kvar?" in page
    assert count(db_session, FeedbackRequest) == 0


def test_unknown_reviewer_is_refused_and_nothing_stored(client, login, author, make_user, entry, db_session):
    known = make_user(email="kand@example.org")
    login(author)
    response = post_form(
        client, f"/methods/{entry.slug}/feedback/new",
        {"question": "Vem kan hjälpa?", "reviewers": "kand@example.org, okand@example.org"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "No member has this e-mail address: okand@example.org." in text_of(response)
    assert count(db_session, FeedbackRequest) == 0
    assert count(db_session, Notification, Notification.user_id == known.id) == 0


def test_the_entry_page_lists_only_requests_that_still_take_reviews(app, client, author, entry, db_session):
    open_request(db_session, entry, author, closes_on=site_today() + timedelta(days=5), question="Pågår?")
    ended = open_request(db_session, entry, author, closes_on=site_today() + timedelta(days=5), question="Förbi?")
    ended.closes_on = site_today() - timedelta(days=1)
    closed = open_request(db_session, entry, author, question="Stängd?")
    closed.closed_at = utcnow()
    db_session.commit()
    for response in (client.get(f"/methods/{entry.slug}"), visit(app, f"/methods/{entry.slug}")):
        box = requests_box(response)
        assert "Pågår?" in box
        assert "Stängd?" not in box
        assert "Förbi?" not in box, "a request whose last day has passed takes no reviews"


def test_a_cached_visitor_page_drops_a_request_once_its_last_day_has_passed(
    app, author, entry, db_session, monkeypatch
):
    request = open_request(
        db_session, entry, author, closes_on=site_today() + timedelta(days=1), question="Förbi snart?"
    )
    assert "Förbi snart?" in text_of(visit(app, f"/methods/{entry.slug}"))
    # The days go by: nothing in the database changes but the calendar (changed_at stays as it was).
    # The closing day moves back instead of the clock forward, and the page cache's calendar turns a day.
    request.closes_on = site_today() - timedelta(days=1)
    db_session.commit()
    monkeypatch.setattr("app.pagecache.site_date", lambda config: site_today() + timedelta(days=2))
    assert "Förbi snart?" not in requests_box(visit(app, f"/methods/{entry.slug}"))


# --- the structured review -------------------------------------------------------------------


def test_review_with_every_score_and_both_texts_is_saved(client, login, author, member, entry, db_session):
    request = open_request(db_session, entry, author)
    login(member)
    data = review_data(request, **{f"comment_{request.criteria_set.criteria[0].id}": "Mycket relevant."})
    response = send_review(client, request, data)
    assert response.status_code == 302 and location(response)[0] == f"/feedback/{request.id}"
    review = db_session.scalar(select(Review))
    assert review.reviewer_id == member.id and review.works_well == "Tydliga steg."
    assert sorted((s.criterion.key, s.score) for s in review.scores) == sorted(
        zip([c.key for c in request.criteria_set.criteria], (4, 3, 5, 2, 4), strict=True)
    )
    assert [s.comment for s in review.scores if s.criterion.position == 0] == ["Mycket relevant."]
    assert "Thank you for your review." in text_of(client.get(f"/feedback/{request.id}"))
    assert count(db_session, Notification, Notification.user_id == author.id, Notification.kind == "review") == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"score": "6"}, "Choose a score from 1 to 5."),
        ({"score": None}, "Choose a score from 1 to 5."),
        ({"works_well": ""}, "This answer is required."),
    ],
    ids=["score-6", "missing-score", "no-works-well"],
)
def test_bad_review_is_refused_nothing_stored_and_the_rest_kept(
    client, login, author, member, entry, db_session, change, message
):
    request = open_request(db_session, entry, author)
    criteria = request.criteria_set.criteria
    login(member)
    data = review_data(request, **{f"comment_{criteria[1].id}": "Lite otydligt."})
    if "score" in change:
        data.pop(f"score_{criteria[2].id}")
        if change["score"] is not None:
            data[f"score_{criteria[2].id}"] = change["score"]
    else:
        data["works_well"] = change["works_well"]
    response = send_review(client, request, data)
    page = text_of(response)
    assert response.status_code == 400 and message in page
    assert count(db_session, Review) == 0
    assert checked(page, f"score_{criteria[0].id}", 4) and checked(page, f"score_{criteria[4].id}", 4)
    assert textarea_holds(page, f"comment_{criteria[1].id}", "Lite otydligt.")
    assert textarea_holds(page, "could_be_better", "Mer om kostnader.")
    if "score" in change:
        assert textarea_holds(page, "works_well", "Tydliga steg.")
        assert f'id="score_{criteria[2].id}-error"' in page


def test_a_second_submit_changes_the_same_review(client, login, author, member, entry, db_session):
    request = open_request(db_session, entry, author)
    login(member)
    send_review(client, request, review_data(request))
    form = text_of(client.get(f"/feedback/{request.id}/review"))
    first = request.criteria_set.criteria[0]
    assert checked(form, f"score_{first.id}", 4) and textarea_holds(form, "works_well", "Tydliga steg.")
    response = send_review(client, request, review_data(request, scores=(1, 1, 1, 1, 1), works="Ändrat omdöme."))
    assert response.status_code == 302
    assert "Your review is updated." in text_of(client.get(f"/feedback/{request.id}"))
    assert count(db_session, Review) == 1
    review = db_session.scalar(select(Review))
    db_session.refresh(review)
    assert review.works_well == "Ändrat omdöme." and {s.score for s in review.scores} == {1}
    assert count(db_session, Notification, Notification.kind == "review") == 1, "an edit notifies nobody again"


def test_author_cannot_review_their_own_entry(client, login, author, entry, db_session):
    request = open_request(db_session, entry, author)
    login(author)
    assert client.get(f"/feedback/{request.id}/review").status_code == 302
    token = csrf_from(client.get(f"/feedback/{request.id}").data)
    posted = client.post(f"/feedback/{request.id}/review", data={**review_data(request), "csrf_token": token})
    assert posted.status_code == 302 and location(posted)[0] == f"/feedback/{request.id}"
    assert "You cannot review your own entry." in text_of(client.get(f"/feedback/{request.id}"))
    assert count(db_session, Review) == 0


def test_review_survives_an_expired_session(client, author, member, entry, db_session):
    request = open_request(db_session, entry, author)
    criteria = request.criteria_set.criteria
    token = csrf_from(client.get("/login").data)
    data = review_data(request, **{f"comment_{criteria[3].id}": "Tänk på teckenspråk."})
    response = client.post(f"/feedback/{request.id}/review", data={**data, "csrf_token": token})
    path, query, _ = location(response)
    assert response.status_code == 302 and path == "/login"
    assert count(db_session, Review) == 0
    post_form(client, response.headers["Location"], {"email": member.email, "password": PASSWORD})
    form = text_of(client.get(query["next"][0]))
    for criterion, score in zip(criteria, (4, 3, 5, 2, 4), strict=True):
        assert checked(form, f"score_{criterion.id}", score)
    assert textarea_holds(form, f"comment_{criteria[3].id}", "Tänk på teckenspråk.")
    assert textarea_holds(form, "works_well", "Tydliga steg.") and textarea_holds(
        form, "could_be_better", "Mer om kostnader."
    )
    assert count(db_session, Review) == 0, "nothing is stored until it is sent again"


@pytest.mark.parametrize("how", ["closed", "past-closing-day"])
def test_a_closed_request_takes_no_review(client, login, author, member, entry, db_session, how):
    request = open_request(db_session, entry, author, closes_on=site_today() + timedelta(days=5))
    login(member)
    token = csrf_from(client.get(f"/feedback/{request.id}").data)
    if how == "closed":
        login(author)
        assert post_form(client, f"/feedback/{request.id}/close", form_url=f"/feedback/{request.id}").status_code == 302
        login(member)
        token = csrf_from(client.get(f"/feedback/{request.id}").data)
    else:
        request.closes_on = site_today() - timedelta(days=2)
        db_session.commit()
    response = client.post(f"/feedback/{request.id}/review", data={**review_data(request), "csrf_token": token})
    assert response.status_code in (302, 303) and location(response)[0] == f"/feedback/{request.id}"
    assert count(db_session, Review) == 0
    page = text_of(client.get(f"/feedback/{request.id}"))
    assert "This request is closed and takes no more reviews." in page
    assert ">Closed<" in page and f"/feedback/{request.id}/review" not in page
    assert request.question not in text_of(client.get("/feedback"))


def test_author_sees_the_aggregate_and_every_review_with_its_reviewer(
    client, login, author, make_user, entry, db_session
):
    request = open_request(db_session, entry, author)
    add_review(db_session, request, make_user(name="Greta Granskare"), (5, 4, 3, 2, 1), works="Gretas **beröm**.")
    add_review(db_session, request, make_user(name="Hugo Granskare"), (3, 4, 3, 2, 5), works="Hugos beröm.")
    login(author)
    page = text_of(client.get(f"/feedback/{request.id}"))
    table = re.search(r'<table class="grid-table".*?</table>', page, re.S).group(0)
    rows = {
        m.group(1): re.findall(r"<td[^>]*>([^<]*)</td>", m.group(2))
        for m in re.finditer(r'<tr>\s*<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S)
    }
    # mean, count, then how many gave 1, 2, 3, 4 and 5
    assert rows["Relevance"][:7] == ["4.0", "2", "0", "0", "1", "0", "1"]
    assert rows["Clarity"][:7] == ["4.0", "2", "0", "0", "0", "2", "0"]
    assert rows["Impact"][:7] == ["3.0", "2", "1", "0", "0", "0", "1"]
    assert "Greta Granskare" in page and "Hugo Granskare" in page
    assert "Gretas <strong>beröm</strong>." in page and "Hugos beröm." in page
    assert 'class="grid-table"' in page and "<svg" in page


def test_other_members_do_not_see_other_peoples_reviews(client, login, author, make_user, entry, db_session):
    request = open_request(db_session, entry, author)
    greta, hugo = make_user(name="Greta Granskare"), make_user(name="Hugo Granskare")
    add_review(db_session, request, greta, works="Gretas hemliga beröm.")
    add_review(db_session, request, hugo, works="Hugos hemliga beröm.")
    login(make_user(name="Nils Nyfiken"))
    page = text_of(client.get(f"/feedback/{request.id}"))
    assert "2 reviews" in page
    for secret in ("Greta Granskare", "Hugo Granskare", "hemliga beröm", 'class="grid-table"', "reviews.csv"):
        assert secret not in page
    login(hugo)
    page = text_of(client.get(f"/feedback/{request.id}"))
    assert "You reviewed this on" in page
    assert "Gretas hemliga beröm." not in page and "Greta Granskare" not in page
    assert client.get(f"/feedback/{request.id}/reviews.csv").status_code == 403


def test_csv_has_a_bom_one_row_per_review_and_criterion_and_guards_formulas(
    client, login, author, make_user, entry, db_session
):
    request = open_request(db_session, entry, author, question="Är det här bra för små bibliotek?")
    add_review(db_session, request, make_user(name="Åsa Ærø Ødegård"), works="=HYPERLINK(\"http://x\")",
               better="Mer om föräldrar och børn.")  # fmt: skip
    add_review(db_session, request, make_user(name="Björn"), works="Bra.", better="+1 på allt.")
    login(author)
    response = client.get(f"/feedback/{request.id}/reviews.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Request", "Reviewer", "Criterion", "Score", "Comment", "What works well",
                       "What could be better", "Date"]  # fmt: skip
    assert len(rows) == 1 + 2 * 5
    asa = [r for r in rows[1:] if r[1] == "Åsa Ærø Ødegård"]
    assert [r[2] for r in asa] == ["Relevance", "Clarity", "Feasibility", "Inclusion", "Impact"]
    assert [r[3] for r in asa] == ["4", "3", "5", "2", "4"]
    assert asa[0][0] == "Är det här bra för små bibliotek?"
    assert asa[0][5] == '\'=HYPERLINK("http://x")' and asa[0][6] == "Mer om föräldrar och børn."
    bjorn = [r for r in rows[1:] if r[1] == "Björn"]
    assert bjorn[0][6] == "'+1 på allt." and re.fullmatch(r"\d{4}-\d{2}-\d{2}", bjorn[0][7])


def test_marking_acted_upon_links_the_diff_of_that_revision(client, login, author, member, entry, db_session):
    request = open_request(db_session, entry, author)
    review = add_review(db_session, request, member)
    data = entries.validate_entry_data(
        {**entries.snapshot(entry), "summary": "Bättre efter granskningen."}, db_session, entry
    )
    entries.update_entry(db_session, entry, data, author)
    db_session.commit()
    login(author)
    response = post_form(client, f"/reviews/{review.id}/acted", {"revision": "2"}, form_url=f"/feedback/{request.id}")
    assert response.status_code == 302 and location(response)[2] == f"review-{review.id}"
    page = text_of(client.get(f"/feedback/{request.id}"))
    acted = re.search(r'<p class="acted">(.*?)</p>', page, re.S)
    assert acted and "Acted upon in" in acted.group(1)
    assert f'href="/methods/{entry.slug}/diff?a=1&amp;b=2"' in acted.group(1) and "revision 2" in acted.group(1)
    assert client.get(f"/methods/{entry.slug}/diff?a=1&b=2").status_code == 200


def test_marking_an_unknown_revision_is_refused(client, login, author, member, entry, db_session):
    request = open_request(db_session, entry, author)
    review = add_review(db_session, request, member)
    login(author)
    post_form(client, f"/reviews/{review.id}/acted", {"revision": "9"}, form_url=f"/feedback/{request.id}")
    assert "The entry has no revision 9." in text_of(client.get(f"/feedback/{request.id}"))
    db_session.refresh(review)
    assert review.acted_revision is None


def test_public_aggregate_on_the_entry_and_in_the_api(app, client, login, author, member, make_user, entry, db_session):
    spec = client.get("/api/v1/openapi.json").get_json()
    summary = validator_for(spec, "ReviewSummary")
    request = open_request(db_session, entry, author)
    add_review(db_session, request, member, (5, 4, 3, 2, 1))
    add_review(db_session, request, make_user(), (4, 4, 3, 2, 2))
    before = client.get(f"/api/v1/entries/{entry.slug}/reviews/summary").get_json()
    summary.validate(before)
    assert before == {"requests": []}
    assert 'class="grid-table"' not in text_of(client.get(f"/methods/{entry.slug}"))
    login(author)
    post_form(client, f"/feedback/{request.id}/visibility", {"public": "1"}, form_url=f"/feedback/{request.id}")
    data = app.test_client().get(f"/api/v1/entries/{entry.slug}/reviews/summary").get_json()
    summary.validate(data)
    [item] = data["requests"]
    assert item["reviews"] == 2 and item["closed"] is False and item["question"] == request.question
    relevance = item["criteria"][0]
    assert relevance == {"criterion": "Relevance", "mean": 4.5, "count": 2,
                         "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}}  # fmt: skip
    page = text_of(visit(app, f"/methods/{entry.slug}"))
    assert 'class="grid-table"' in page and "4.5" in page
    assert "Tydliga steg." not in page, "only the aggregate is public, not the texts"


def test_comments_api_matches_the_schema_and_hides_removed_and_hidden_text(
    client, make_user, facilitator, entry, db_session
):
    spec = client.get("/api/v1/openapi.json").get_json()
    writer = make_user(name="Wera Skribent")
    top = add_comment(db_session, entry, writer, "Synlig *kommentar*.")
    reply = add_comment(db_session, entry, make_user(), "Synligt svar.", top)
    removed = add_comment(db_session, entry, writer, "Borttagen text.")
    hidden = add_comment(db_session, entry, writer, "Dold text.")
    feedback.delete_comment(removed, writer)
    moderation.hide(db_session, hidden, facilitator, "Olämpligt.")
    db_session.commit()
    response = client.get(f"/api/v1/entries/{entry.slug}/comments")
    data = response.get_json()
    validator_for(spec, "CommentThread").validate(data)
    assert data["total"] == 2 and data["pages"] == 1
    by_id = {c["id"]: c for c in data["comments"]}
    assert (
        by_id[top.id]["body_html"] == "<p>Synlig <em>kommentar</em>.</p>" and by_id[top.id]["author"] == "Wera Skribent"
    )
    assert [r["id"] for r in by_id[top.id]["replies"]] == [reply.id]
    for gone in (removed, hidden):
        assert by_id[gone.id]["body_html"] is None and by_id[gone.id]["author"] is None and by_id[gone.id]["removed"]
    assert "Dold text." not in response.get_data(as_text=True)
    assert "Borttagen text." not in response.get_data(as_text=True)


# --- notifications ---------------------------------------------------------------------------


def test_a_reply_notifies_the_comment_author_and_the_entry_author(
    client, login, author, member, make_user, entry, db_session
):
    top = add_comment(db_session, entry, member, "Min fråga.")
    login(make_user(name="Sam Svarare"))
    post_comment(client, entry.slug, "Mitt svar.", reply_to=top.id)
    kinds = sorted((n.user_id, n.kind) for n in db_session.scalars(select(Notification)))
    # the author heard of both comments; the member of the reply only (not also as a comment on an entry)
    assert kinds == sorted([(author.id, "entry_comment"), (author.id, "entry_comment"), (member.id, "comment_reply")])
    login(member)
    assert "Sam Svarare replied to your comment on “Kritisk vän”." in text_of(client.get("/notifications"))


def test_turning_a_kind_off_stops_that_notification(client, login, author, member, entry, db_session):
    login(author)
    settings = {f"{where}_{kind}": "1" for where in ("app", "mail") for kind in
                ("comment_reply", "entry_comment", "review", "named_reviewer")}  # fmt: skip
    settings.pop("app_entry_comment")
    assert post_form(client, "/account/notifications", settings).status_code == 302
    form = text_of(client.get("/account/notifications"))
    assert 'id="app-entry_comment"' in form and not re.search(r'id="app-entry_comment"[^>]*checked', form)
    top = add_comment(db_session, entry, author, "Författaren frågar.")
    login(member)
    post_comment(client, entry.slug, "En kommentar utan notis.")
    assert count(db_session, Notification, Notification.user_id == author.id) == 0
    post_comment(client, entry.slug, "Ett svar som ger notis.", reply_to=top.id)
    assert [n.kind for n in db_session.scalars(select(Notification).where(Notification.user_id == author.id))] == [
        "comment_reply"
    ]


@pytest.mark.parametrize("app_config", ["outbox"], indirect=True)
def test_a_named_reviewer_gets_an_email(app, client, login, author, make_user, entry, db_session):
    reviewer = make_user(email="rita@example.org")
    login(author)
    post_form(client, f"/methods/{entry.slug}/feedback/new", {"question": "Hjälp?", "reviewers": reviewer.email})
    request = db_session.scalar(select(FeedbackRequest))
    files = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "rita@example.org"
    assert "asks you to be a critical friend" in message["Subject"]
    assert f"/feedback/{request.id}" in message.get_content()


@pytest.mark.parametrize("app_config", ["outbox"], indirect=True)
def test_no_email_when_the_kind_is_switched_off(app, client, login, author, make_user, entry, db_session):
    reviewer = make_user(email="rita@example.org")
    login(reviewer)
    settings = {"app_named_reviewer": "1", "app_review": "1", "mail_review": "1"}
    assert post_form(client, "/account/notifications", settings).status_code == 302
    login(author)
    post_form(client, f"/methods/{entry.slug}/feedback/new", {"question": "Hjälp?", "reviewers": reviewer.email})
    assert count(db_session, FeedbackRequest) == 1
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    assert not outbox.exists() or list(outbox.glob("*.eml")) == []
    assert count(db_session, Notification, Notification.user_id == reviewer.id) == 1, "in the app it still comes"


# --- moderation ------------------------------------------------------------------------------


@pytest.fixture
def hidden_comment(client, login, make_user, member, facilitator, entry, db_session):
    """A member's comment reported by another member and hidden by a facilitator through the pages."""
    comment = add_comment(db_session, entry, member, "Ett elakt påhopp.")
    login(make_user(name="Rapportör"))
    response = post_form(client, f"/comments/{comment.id}/report", {"reason": "Personangrepp på en kollega"})
    assert response.status_code == 302
    assert count(db_session, Report) == 1
    login(facilitator)
    queue = text_of(client.get("/moderation"))
    assert "Personangrepp på en kollega" in queue and "Ett elakt påhopp." in queue and "Rapportör" in queue
    response = post_form(
        client, f"/moderation/comment/{comment.id}/hide", {"reason": "Bryter mot reglerna"}, form_url="/moderation"
    )
    assert response.status_code == 302
    return comment


def test_report_needs_a_reason(client, login, member, make_user, entry, db_session):
    comment = add_comment(db_session, entry, member, "Något.")
    login(make_user())
    response = post_form(client, f"/comments/{comment.id}/report", {"reason": "x"})
    assert response.status_code == 400 and "Say in a few words why." in text_of(response)
    assert count(db_session, Report) == 0


def test_the_author_sees_the_hidden_comment_and_why(client, login, member, entry, hidden_comment):
    login(member)
    html = article(text_of(client.get(f"/methods/{entry.slug}")), hidden_comment.id)
    assert "Hidden by a moderator: Bryter mot reglerna" in html and "Ett elakt påhopp." in html


def test_other_members_do_not_see_the_hidden_text(client, login, make_user, entry, hidden_comment):
    login(make_user(name="Annan Medlem"))
    page = text_of(client.get(f"/methods/{entry.slug}"))
    assert "Ett elakt påhopp." not in page
    assert "Bryter mot reglerna" not in page


def test_visitors_do_not_see_the_hidden_text(app, entry, hidden_comment):
    page = text_of(visit(app, f"/methods/{entry.slug}"))
    assert "Ett elakt påhopp." not in page
    assert "Bryter mot reglerna" not in page


def test_hide_is_resolved_logged_and_restore_shows_it_again(app, client, entry, hidden_comment, db_session):
    assert "Ett elakt påhopp." not in text_of(client.get("/moderation")).split('id="hidden-heading"')[0]
    assert count(db_session, Report, Report.resolved_at.is_(None)) == 0
    log = text_of(client.get("/moderation/log"))
    assert "Hidden" in log and "Bryter mot reglerna" in log and f"Comment #{hidden_comment.id}" in log
    assert "Frida Facilitator" in log
    response = post_form(client, f"/moderation/comment/{hidden_comment.id}/restore", form_url="/moderation")
    assert response.status_code == 302
    assert [e.action for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == ["hide", "restore"]
    assert "Shown again" in text_of(client.get("/moderation/log"))
    page = text_of(visit(app, f"/methods/{entry.slug}"))
    assert "Ett elakt påhopp." in page and "Hidden by a moderator" not in page


def test_a_hidden_review_leaves_the_aggregate_and_the_csv(
    client, login, author, member, make_user, facilitator, entry, db_session
):
    request = open_request(db_session, entry, author)
    review = add_review(db_session, request, member, (1, 1, 1, 1, 1), works="Otrevlig granskning.")
    add_review(db_session, request, make_user(), (5, 5, 5, 5, 5))
    login(facilitator)
    post_form(client, f"/moderation/review/{review.id}/hide", {"reason": "Otrevlig ton"}, form_url="/moderation")
    login(author)
    page = text_of(client.get(f"/feedback/{request.id}"))
    assert re.search(r'<th scope="row">Relevance</th>\s*<td>5\.0</td>\s*<td>1</td>', page)
    assert "Hidden by a moderator: Otrevlig ton" in page
    rows = list(csv.reader(io.StringIO(client.get(f"/feedback/{request.id}/reviews.csv").data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 5 and "Otrevlig granskning." not in str(rows)


def test_a_moderator_removing_a_comment_is_in_the_audit_log(client, login, member, facilitator, entry, db_session):
    comment = add_comment(db_session, entry, member, "Spam spam spam.")
    login(facilitator)
    assert post_form(client, f"/comments/{comment.id}/delete").status_code == 302
    assert "Comment removed." in article(text_of(client.get(f"/methods/{entry.slug}")), comment.id)
    log = text_of(client.get("/moderation/log"))
    assert "Comment removed" in log and f"Comment #{comment.id}" in log
    assert "Spam spam spam." not in text_of(client.get(f"/methods/{entry.slug}"))


# --- criteria sets ---------------------------------------------------------------------------


def test_admin_makes_a_default_grid_that_new_requests_use(client, login, make_user, author, entry, db_session):
    login(make_user(role="admin"))
    response = post_form(client, "/admin/criteria/new", {
        "name": "Bibliotekets rutnät",
        "criteria": "Tillgänglighet: Kan alla vara med?\n\nKostnad: Vad kostar det?\nHållbarhet",
        "make_default": "y",
    })  # fmt: skip
    assert response.status_code == 302 and location(response)[0] == "/admin/criteria"
    listing = text_of(client.get("/admin/criteria"))
    assert re.search(r"Bibliotekets rutnät <span class=\"badge\">Default</span>", listing)
    grid = db_session.scalar(select(CriteriaSet).where(CriteriaSet.name == "Bibliotekets rutnät"))
    assert [(c.name, c.description) for c in grid.criteria] == [
        ("Tillgänglighet", "Kan alla vara med?"), ("Kostnad", "Vad kostar det?"), ("Hållbarhet", "")
    ]  # fmt: skip
    login(author)
    post_form(client, f"/methods/{entry.slug}/feedback/new", {"question": "Vad tycker ni?"})
    request = db_session.scalar(select(FeedbackRequest))
    assert request.criteria_set_id == grid.id
    login(make_user())
    form = text_of(client.get(f"/feedback/{request.id}/review"))
    assert form.count('<fieldset class="score') == 3 and "Tillgänglighet" in form and "Relevance" not in form


def test_duplicate_criterion_name_is_refused(client, login, make_user, db_session):
    login(make_user(role="admin"))
    before = count(db_session, CriteriaSet)
    response = post_form(client, "/admin/criteria/new", {"name": "Dubbel", "criteria": "Kostnad: ett\nkostnad: två"})
    assert response.status_code == 400 and "Two criteria have the same name." in text_of(response)
    assert "kostnad: två" in text_of(response)
    assert count(db_session, CriteriaSet) == before


def test_admin_changes_the_grid_of_a_request_only_before_the_first_review(
    client, login, make_user, author, member, entry, db_session
):
    request = open_request(db_session, entry, author)
    own = feedback.save_criteria_set(db_session, None, "Kort rutnät", [("Nytta", ""), ("Kostnad", "")], False)
    db_session.commit()
    login(make_user(role="admin"))
    response = post_form(client, f"/feedback/{request.id}/criteria", {"criteria_set": str(own.id)},
                         form_url=f"/feedback/{request.id}")  # fmt: skip
    assert response.status_code == 302
    db_session.refresh(request)
    assert request.criteria_set_id == own.id
    add_review(db_session, request, member, (3, 4))
    page = text_of(client.get(f"/feedback/{request.id}"))
    assert 'name="criteria_set"' not in page, "no choice once a review is in"
    default = feedback.default_criteria_set(db_session)
    db_session.commit()
    token = csrf_from(page)
    client.post(f"/feedback/{request.id}/criteria", data={"criteria_set": str(default.id), "csrf_token": token})
    db_session.refresh(request)
    assert request.criteria_set_id == own.id
    assert "Reviews already use this grid" in text_of(client.get(f"/feedback/{request.id}"))


def test_a_grid_keeps_the_criteria_reviews_have_scored(client, login, make_user, author, member, entry, db_session):
    grid = feedback.save_criteria_set(db_session, None, "Kort rutnät", [("Nytta", ""), ("Kostnad", "")], True)
    db_session.commit()
    request = open_request(db_session, entry, author)
    assert request.criteria_set_id == grid.id
    add_review(db_session, request, member, (3, 4))
    login(make_user(role="admin"))
    response = post_form(client, f"/admin/criteria/{grid.id}", {"name": "Kort rutnät", "criteria": "Nytta\nTid"})
    assert response.status_code == 400 and "Reviews have scored Kostnad" in text_of(response)
    db_session.refresh(grid)
    assert [c.name for c in grid.criteria] == ["Nytta", "Kostnad"]
