"""Critical-friend feedback in Chromium: ask, review with the keyboard, read the grid, export, act; threads; axe."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, MEMBER, slug_from_url, unique
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_journeys import SAVE, fill_entry, register
from tests.browser.test_keyboard import assert_focus_visible

BOM = b"\xef\xbb\xbf"
# The scores the critical friend gives, in the order of the default grid's five criteria.
SCORES = [4, 5, 3, 4, 2]


def new_member(new_context, name: str) -> Page:
    """Register a fresh member through the form (English interface) and return their page."""
    page = new_context().new_page()
    register(page, f"{unique('fb')}@example.org", name)
    return page


def publish_entry(page: Page) -> str:
    """Write and publish an entry as the page's user; return its slug."""
    page.goto("/methods/new")
    fill_entry(page, f"Läsfrämjande {unique()}", "## Gör så här\n\n1. Bjud in\n2. Läs högt\n")
    page.locator(SAVE).click()
    expect(page.locator(".flash-success")).to_be_visible()
    return slug_from_url(page.url)


def ask_for_feedback(page: Page, slug: str, question: str) -> int:
    """From the entry page, open a request for critical friends with a closing day; return its id."""
    page.goto(f"/methods/{slug}")
    page.locator(f"#comments a[href='/methods/{slug}/feedback/new']").click()
    expect(page).to_have_url(re.compile(rf"/methods/{slug}/feedback/new$"))
    page.locator("#question").fill(question)
    page.locator("#closes_on").fill((date.today() + timedelta(days=14)).isoformat())
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/feedback/\d+$"))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("main h1")).to_have_text(question)
    return int(page.url.rsplit("/", 1)[1])


def criterion_ids(page: Page) -> list[str]:
    return page.locator("main fieldset.score").evaluate_all("els => els.map((e) => e.id.replace('score_', ''))")


def review_with_keyboard(page: Page, slug: str, scores: list[int], comment: str, works: str, better: str) -> list[str]:
    """Fill the open review form with the keyboard only and send it; return the criteria's names in order."""
    ids = criterion_ids(page)
    assert len(ids) == len(scores), ids
    names = page.locator("main fieldset.score legend").all_inner_texts()
    page.locator(f"main a[href='/methods/{slug}']").focus()
    for n, (cid, score) in enumerate(zip(ids, scores, strict=True)):
        page.keyboard.press("Tab")
        expect(page.locator(f"#score_{cid}-1")).to_be_focused()
        page.keyboard.press("Space")
        if n == 0:
            # Overshoot to 5 and come back with the other arrow key.
            for _ in range(4):
                page.keyboard.press("ArrowRight")
            for _ in range(5 - score):
                page.keyboard.press("ArrowUp")
        else:
            for _ in range(score - 1):
                page.keyboard.press("ArrowDown")
        chosen = page.locator(f"#score_{cid}-{score}")
        expect(chosen).to_be_focused()
        expect(chosen).to_be_checked()
        assert_focus_visible(page)
        expect(page.locator(f"input[name=score_{cid}]:checked")).to_have_count(1)
        page.keyboard.press("Tab")
        expect(page.locator(f"#comment_{cid}")).to_be_focused()
        if n == 0:
            page.keyboard.type(comment)
    page.keyboard.press("Tab")
    expect(page.locator("#works_well")).to_be_focused()
    page.keyboard.type(works)
    page.keyboard.press("Tab")
    expect(page.locator("#could_be_better")).to_be_focused()
    page.keyboard.type(better)
    page.keyboard.press("Tab")
    expect(page.locator("main form.review-form button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")
    return names


def post_comment(page: Page, slug: str, text: str) -> int:
    """Post a comment with the form under the entry; return its id."""
    page.goto(f"/methods/{slug}")
    form = page.locator("#comments form.comment-form")
    form.locator("textarea[name=body]").fill(text)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/methods/{slug}#comment-\d+$"))
    expect(page.locator(".flash-success")).to_be_visible()
    return int(page.url.rsplit("-", 1)[1])


def reply_to(page: Page, slug: str, comment_id: int, text: str) -> int:
    """Follow a comment's Reply link, write the reply and post it; return the reply's id."""
    page.goto(f"/methods/{slug}")
    page.locator(f"#comment-{comment_id} .comment-actions a[href$='reply_to={comment_id}']").click()
    expect(page).to_have_url(re.compile(rf"/methods/{slug}/comments\?reply_to={comment_id}$"))
    form = page.locator("main form")
    expect(form.locator("input[name=reply_to]")).to_have_value(str(comment_id))
    form.locator("textarea[name=body]").fill(text)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/methods/{slug}#comment-\d+$"))
    return int(page.url.rsplit("-", 1)[1])


def test_ask_review_read_export_and_act(new_context):
    author = new_member(new_context, "Astrid Författare")
    slug = publish_entry(author)
    question = f"Fungerar det här för ett litet bibliotek? {unique()}"
    request_id = ask_for_feedback(author, slug, question)
    expect(author.locator("main")).to_contain_text("No reviews yet")

    friend = new_member(new_context, "Bengt Vän")
    friend.goto("/")
    friend.locator("header nav a[href='/feedback']").click()
    expect(friend).to_have_url(re.compile(r"/feedback$"))
    expect(friend.locator("header nav a[href='/feedback']")).to_have_attribute("aria-current", "page")
    friend.locator(f"main a[href='/feedback/{request_id}']").click()
    expect(friend.locator("main h1")).to_have_text(question)
    friend.locator(f"main a[href='/feedback/{request_id}/review']").click()
    expect(friend).to_have_url(re.compile(rf"/feedback/{request_id}/review$"))
    names = review_with_keyboard(
        friend,
        slug,
        SCORES,
        "Passar små orter – även Åre",
        "Tydliga steg, bra för **små** grupper.",
        "Mer om kostnader.",
    )
    expect(friend).to_have_url(re.compile(rf"/feedback/{request_id}$"))
    expect(friend.locator(".flash-success")).to_be_visible()

    author.goto(f"/methods/{slug}")
    bell = author.locator("header nav a.bell")
    expect(bell.locator(".bell-count")).to_have_text("1")
    bell.click()
    expect(author).to_have_url(re.compile(r"/notifications$"))
    unread = author.locator("main ul.notifications li.unread a")
    expect(unread).to_have_count(1)
    unread.click()
    expect(author).to_have_url(re.compile(rf"/feedback/{request_id}$"))
    expect(author.locator("header nav a.bell .bell-count")).to_have_count(0)

    rows = author.locator("main table.grid-table tbody tr")
    expect(rows).to_have_count(len(SCORES))
    for row, name, score in zip(rows.all(), names, SCORES, strict=True):
        expect(row.locator("th")).to_have_text(name)
        distribution = ["1" if n == score else "0" for n in range(1, 6)]
        expect(row.locator("td")).to_have_text([f"{score}.0", "1", *distribution, ""])
        expect(row.locator("rect.bar-fill")).to_have_attribute("width", f"{score / 5 * 150:.1f}")
    review = author.locator("main article.review")
    expect(review).to_have_count(1)
    expect(review.locator("h3")).to_contain_text("Bengt Vän")
    expect(review.locator("strong")).to_have_text("små")
    review_id = review.get_attribute("id").removeprefix("review-")

    with author.expect_download() as info:
        author.locator(f"main a[href='/feedback/{request_id}/reviews.csv']").click()
    download = info.value
    assert download.suggested_filename == f"dela-feedback-{slug}-{request_id}.csv"
    data = Path(download.path()).read_bytes()
    assert data[:3] == BOM, data[:20]
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(table) == 1 + len(SCORES), table
    assert all(len(r) == 8 for r in table), table
    assert [r[2] for r in table[1:]] == names
    assert [r[3] for r in table[1:]] == [str(s) for s in SCORES]
    assert {r[0] for r in table[1:]} == {question}
    assert {r[1] for r in table[1:]} == {"Bengt Vän"}
    assert table[1][4] == "Passar små orter – även Åre"

    # The author changes the entry because of the review, then marks the review acted upon in revision 2.
    author.goto(f"/methods/{slug}/edit")
    author.locator("#summary").fill("Kortare steg efter granskningen.")
    author.locator("#message").fill("Efter kritisk vän")
    author.locator("main button[name=action][value=save]").click()
    expect(author.locator(".flash-success")).to_be_visible()
    author.goto(f"/feedback/{request_id}")
    expect(author.locator(f"#acted-{review_id} option")).to_have_count(2)  # "not yet" and revision 2
    author.locator(f"#acted-{review_id}").select_option("2")
    author.locator(f"#review-{review_id} form[action$='/acted'] button[type=submit]").click()
    expect(author.locator(".flash-success")).to_be_visible()
    acted = author.locator(f"#review-{review_id} p.acted")
    expect(acted).to_contain_text("Acted upon in")
    link = acted.locator("a")
    expect(link).to_have_attribute("href", f"/methods/{slug}/diff?a=1&b=2")
    expect(author.locator(f"#acted-{review_id}")).to_have_value("2")
    link.click()
    expect(author).to_have_url(re.compile(rf"/methods/{slug}/diff\?a=1&b=2$"))
    expect(author.locator("main ins, main del").first).to_be_visible()
    expect(author.locator("main h1")).to_be_visible()


def test_comment_and_reply_in_the_thread(member_page, new_context):
    page = member_page
    slug = publish_entry(page)
    token = unique()
    comment_id = post_comment(page, slug, f"Första tanken {token}: **mycket** bra.")
    comment = page.locator(f"#comment-{comment_id}")
    expect(comment.locator(".comment-body")).to_contain_text(f"Första tanken {token}")
    expect(comment.locator(".comment-body strong")).to_have_text("mycket")

    other = new_member(new_context, "Cecilia Svarar")
    reply_id = reply_to(other, slug, comment_id, f"Håller med {token}.")
    expect(other.locator(f"li:has(> #comment-{comment_id}) > ol.replies #comment-{reply_id}")).to_contain_text(
        f"Håller med {token}."
    )
    expect(other.locator("#comments-heading")).to_contain_text(re.compile(r"\b2\b"))
    expect(other.locator("#comments article.comment")).to_have_count(2)

    page.reload()
    expect(page.locator(f"#comment-{reply_id} .comment-body")).to_have_text(f"Håller med {token}.")


def test_comment_form_works_without_javascript(new_context):
    page = new_context(user=MEMBER, java_script_enabled=False).new_page()
    slug = publish_entry(page)
    token = unique()
    comment_id = post_comment(page, slug, f"Utan skript {token}")
    expect(page.locator(f"#comment-{comment_id} .comment-body")).to_have_text(f"Utan skript {token}")

    reply_id = reply_to(page, slug, comment_id, f"Svar utan skript {token}")
    expect(page.locator(f"#comment-{reply_id} .comment-body")).to_have_text(f"Svar utan skript {token}")

    too_long = "x" * 10_001
    page.goto(f"/methods/{slug}")
    page.locator("#comments form.comment-form textarea[name=body]").fill(too_long)
    page.locator("#comments form.comment-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/methods/{slug}/comments$"))
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("main form textarea[name=body]")).to_have_value(too_long)
    expect(page.locator("main form textarea[name=body]")).to_have_attribute("aria-invalid", "true")


@pytest.fixture(scope="module")
def scene(browser, live_server):
    """One entry with a comment, a reply and a reviewed request, a reported comment; the two members' states."""
    contexts = []

    def member(name: str) -> Page:
        context = browser.new_context(base_url=live_server, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        register(page, f"{unique('ax')}@example.org", name)
        return page

    try:
        author, friend = member("Astrid Axe"), member("Bengt Axe")
        slug = publish_entry(author)
        request_id = ask_for_feedback(author, slug, f"Är det här genomförbart? {unique()}")
        comment_id = post_comment(friend, slug, "En tanke om *steg två*.")
        reply_to(author, slug, comment_id, "Tack, jag ändrar det.")
        friend.goto(f"/feedback/{request_id}/review")
        review_with_keyboard(friend, slug, SCORES, "Bra.", "Det mesta.", "Lite mer om tid.")
        expect(friend.locator(".flash-success")).to_be_visible()
        author.goto(f"/comments/{comment_id}/report")
        author.locator("main form textarea[name=reason]").fill("Testanmälan för tillgänglighetsgranskning.")
        author.locator("main form button[type=submit]").click()
        expect(author.locator(".flash-success")).to_be_visible()
        states = {"author": contexts[0].storage_state(), "friend": contexts[1].storage_state()}
        yield {"slug": slug, "request": request_id, "states": states}
    finally:
        for context in contexts:
            context.close()


def failed_review(page: Page, scene: dict) -> None:
    """Send the review form with both texts but no scores."""
    page.goto(f"/feedback/{scene['request']}/review")
    page.locator("#works_well").fill("Fint.")
    page.locator("#could_be_better").fill("Inget.")
    page.locator("main form.review-form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("main fieldset.score.has-error")).to_have_count(len(SCORES))
    expect(page.locator("#works_well")).to_have_value("Fint.")


# name: (who: a scene member, a seeded user or nobody; what to open: a path, or a function of page and scene;
#        what must be on the page before it is audited)
AUDITS = {
    "thread-anonymous": (None, lambda s: f"/methods/{s['slug']}", "#comments ol.replies article.comment"),
    "thread-as-author": ("author", lambda s: f"/methods/{s['slug']}", "#comments ol.replies .comment-actions"),
    "review-form": (MEMBER, lambda s: f"/feedback/{s['request']}/review", "main fieldset.score"),
    "review-form-failed": (MEMBER, failed_review, "#error-summary"),
    "review-form-edit": ("friend", lambda s: f"/feedback/{s['request']}/review", "main input[type=radio]:checked"),
    "request-as-author": ("author", lambda s: f"/feedback/{s['request']}", "main table.grid-table"),
    "request-as-reviewer": ("friend", lambda s: f"/feedback/{s['request']}", "main dl.criteria"),
    "needs-a-critical-friend": (None, lambda s: "/feedback", "main .cards .card"),
    "notifications": ("author", lambda s: "/notifications", "main ul.notifications li"),
    "notification-settings": ("author", lambda s: "/account/notifications", "main form input[type=checkbox]"),
    "moderation": (ADMIN, lambda s: "/moderation", "main article.report"),
}


@pytest.mark.parametrize("name", list(AUDITS))
def test_feedback_page_has_no_axe_violations(new_context, scene, name):
    who, target, ready = AUDITS[name]
    if who is None:
        context = new_context()
    elif isinstance(who, dict):
        context = new_context(user=who)
    else:
        context = new_context(storage_state=scene["states"][who])
    page = context.new_page()
    if target is failed_review:
        target(page, scene)
    else:
        page.goto(target(scene))
    expect(page.locator(ready).first).to_be_visible()
    assert_no_violations(page)
