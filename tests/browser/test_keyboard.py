"""Keyboard-only use: skip link, Tab order through the entry form, visible focus, submitting with Enter."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import unique

MAX_TABS = 80

ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  if (el.id) return "#" + el.id;
  const attrs = ["href", "name", "value"].filter((a) => el.hasAttribute(a)).map((a) => `[${a}="${el.getAttribute(a)}"]`);
  return el.tagName.toLowerCase() + attrs.join("") + (el.classList.length ? "." + [...el.classList].join(".") : "");
}"""

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth), boxShadow: style.boxShadow,
          visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0,
          focusVisible: el.matches(":focus-visible")};
}"""


def active(page) -> str:
    return page.evaluate(ACTIVE)


def tab_to(page, target: str) -> list[str]:
    """Press Tab until the element described by target (as ACTIVE names it) has focus; return the stops."""
    stops = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        stops.append(active(page))
        if stops[-1] == target:
            return stops
    raise AssertionError(f"{target} was not reached with Tab; the stops were {stops}")


def assert_focus_visible(page) -> None:
    style = page.evaluate(FOCUS_STYLE)
    where = active(page)
    assert style["visible"], f"{where} has focus but is not on screen: {style}"
    has_outline = style["outlineStyle"] != "none" and style["outlineWidth"] > 0
    assert has_outline or style["boxShadow"] != "none", f"{where} has no visible focus indicator: {style}"


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page):
    page.goto("/methods")
    page.keyboard.press("Tab")
    skip = page.locator('a[href="#main"].skip-link')
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), active(page)
    expect(page.locator("#f-kind")).to_be_focused()


def test_focus_indicator_is_visible_on_every_stop(member_page):
    page = member_page
    page.goto("/methods/new")
    page.locator("body").focus()
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        where = active(page)
        if not where or where in seen:
            break
        seen.append(where)
        assert_focus_visible(page)
    for stop in (
        'a[href="#main"].skip-link',
        "#lang-select",
        "#title",
        "#kind",
        "#roles-0",
        "#body",
        "#attachments",
        "#status",
    ):
        assert stop in seen, f"{stop} is not a Tab stop: {seen}"
    assert 'button[name="action"][value="save"].button' in seen, seen


def test_entry_form_with_keyboard_only(member_page):
    page = member_page
    page.goto("/methods/new")
    title = f"Tangentbordsmetod {unique()}"

    stops = tab_to(page, "#title")
    assert stops[0] == 'a[href="#main"].skip-link', stops
    page.keyboard.type(title)

    tab_to(page, "#kind")
    page.keyboard.press("ArrowDown")  # Method → Template
    expect(page.locator("#kind")).to_have_value("template")

    page.keyboard.press("Tab")
    expect(page.locator("#language")).to_be_focused()
    page.keyboard.press("ArrowDown")  # Swedish → Danish
    expect(page.locator("#language")).to_have_value("da")

    page.keyboard.press("Tab")
    expect(page.locator("#summary")).to_be_focused()
    page.keyboard.type("Ett sätt att arbeta utan mus.")

    tab_to(page, "#roles-1")
    page.keyboard.press("Space")
    expect(page.locator("#roles-1")).to_be_checked()
    expect(page.locator("#roles-0")).not_to_be_checked()

    tab_to(page, "#body")
    page.keyboard.type("## Steg\n\n1. Tryck Tab\n2. Tryck Enter\n")

    tab_to(page, "#status")
    page.keyboard.press("ArrowDown")  # Draft → Published
    expect(page.locator("#status")).to_have_value("published")

    tab_to(page, 'button[name="action"][value="save"].button')
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/methods/tangentbordsmetod-t[0-9a-f]{10}$"))
    expect(page.locator("main h1")).to_have_text(title)
    facts = page.locator("aside.summary-box")
    expect(facts).to_contain_text("Template")
    expect(facts).to_contain_text("Danish")
    expect(facts).to_contain_text("Librarians")
    expect(page.locator(".entry-body ol li")).to_have_text(["Tryck Tab", "Tryck Enter"])
    expect(page.locator("main .badge-draft")).to_have_count(0)


def test_error_summary_takes_focus_and_links_to_the_field(member_page):
    page = member_page
    page.goto("/methods/new")
    tab_to(page, "#duration")
    page.keyboard.type("en timme")
    tab_to(page, 'button[name="action"][value="save"].button')
    page.keyboard.press("Enter")

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    page.keyboard.press("Tab")
    expect(summary.locator("a[href='#title']")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#title")).to_be_focused()
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#duration")).to_have_value("en timme")
