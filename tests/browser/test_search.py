"""Search in the browser: the suggest combobox by keyboard, the results page, axe-core clean."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_no_violations


def test_suggestions_by_keyboard_open_the_entry(page):
    page.goto("/")
    box = page.locator("#header-q")
    box.focus()
    page.keyboard.type("krit")
    listbox = page.locator("#header-q-listbox")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.locator("[role=option]").first).to_contain_text("Kritisk")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "header-q-option-0")
    expect(listbox.locator("#header-q-option-0")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/methods/(kritisk-van|vurderingsskjema-for-kritisk-venn)$"))


def test_escape_closes_and_enter_searches(page):
    page.goto("/")
    page.locator("#header-q").focus()
    page.keyboard.type("walk")
    expect(page.locator("#header-q-listbox")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#header-q-listbox")).to_be_hidden()
    expect(page.locator("#header-q")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=walk"))
    expect(page.locator("main h1")).to_be_visible()


def test_results_facets_and_did_you_mean(page):
    page.goto("/search?q=walkshp")
    page.locator(".did-you-mean a").click()
    expect(page.locator(".hit h3 a").first).to_have_text("Walkshop")
    page.goto("/search?q=återkoppling")
    expect(page.locator(".hit mark").first).to_have_text(re.compile("återkoppling", re.I))
    page.locator(".facets a", has_text="Method").first.click()
    expect(page).to_have_url(re.compile(r"kind=method"))
    expect(page.locator(".facets a.active").first).to_be_visible()


def test_search_pages_are_axe_clean(new_context):
    page = new_context().new_page()
    for url in (
        "/search",
        "/search?q=återkoppling",
        "/search?q=walkshp",
        "/search?q=((%22x",
        "/search?q=&kind=template",
    ):
        page.goto(url)
        assert_no_violations(page)
    page.goto("/")
    page.locator("#header-q").focus()
    page.keyboard.type("kr")
    expect(page.locator("#header-q-listbox")).to_be_visible()
    assert_no_violations(page)


def test_search_works_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/")
    page.locator("#header-q").fill("fika")
    page.locator("button.search-button").click()
    expect(page).to_have_url(re.compile(r"/search\?q=fika"))
    expect(page.locator(".hit h3 a").first).to_contain_text("Fika")
