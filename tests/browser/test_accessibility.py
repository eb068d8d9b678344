"""axe-core audits of the main pages and forms, in their normal and error states, in every interface language."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, MEMBER, ROOT, unique

AXE = Axe()
UI_LANGUAGES = {"sv": "sv-SE", "da": "da-DK", "en": "en-GB"}


def describe(violations: list[dict]) -> str:
    """List each violation with its help text and the selectors of the elements that break it."""
    lines = [f"{len(violations)} axe-core violation(s):"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
                lines.append(f"      * {check['message']}")
    return "\n".join(lines)


def assert_no_violations(page: Page) -> None:
    expect(page.locator("main h1")).to_be_visible()
    results = AXE.run(page)
    violations = results.response["violations"]
    assert not violations, f"{page.url}\n{describe(violations)}"


@pytest.fixture(scope="module")
def shared_pages(browser, live_server, storage_states):
    """One page per role for the whole module: every audit navigates it, so no state carries over."""
    contexts, pages = [], {}

    def get(role: str) -> Page:
        if role not in pages:
            user = {"member": MEMBER, "admin": ADMIN}.get(role)
            state = storage_states[user["email"]] if user else None
            context = browser.new_context(base_url=live_server, locale="en-GB", storage_state=state)
            context.set_default_timeout(10_000)
            contexts.append(context)
            pages[role] = context.new_page()
        return pages[role]

    yield get
    for context in contexts:
        context.close()


@pytest.fixture
def role_page(shared_pages, request, tmp_path):
    """role_page("member"): the module's page for that role; screenshots it when the test fails."""
    used = []

    def get(role: str) -> Page:
        used.append(shared_pages(role))
        return used[-1]

    yield get
    call = getattr(request.node, "rep_call", None)
    if call is not None and call.failed:
        for n, pg in enumerate(used):
            pg.screenshot(path=str(tmp_path / f"failure-{n}.png"), full_page=True)
            print(f"Screenshot of {pg.url}: {tmp_path / f'failure-{n}.png'}")


def failed_login(page):
    page.goto("/login")
    page.locator("#email").fill(MEMBER["email"])
    page.locator("#password").fill("not-the-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")


def failed_register(page):
    page.goto("/register")
    page.locator("#email").fill(f"{unique('fel')}@example.org")
    page.locator("#display_name").fill("Felix Fel")
    page.locator("#password").fill("kort")
    page.locator("#confirm").fill("annat")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()


def failed_save(page):
    page.goto("/methods/new")
    page.locator("#duration").fill("en timme")
    page.locator("#body").fill("Text utan titel.")
    page.locator("main form.entry-form button[value=save]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#duration")).to_have_attribute("aria-invalid", "true")


def edit_with_attachments(page):
    page.goto("/methods/kritisk-van/edit")
    expect(page.locator("#title")).to_have_value("Kritisk vän")
    expect(page.locator("fieldset.checkboxes input[name=remove_attachments]")).to_have_count(1)


def preview(page):
    page.goto("/methods/new")
    page.locator("#title").fill("Förhandsvisad")
    page.locator("#body").fill("## Rubrik\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n1. Steg\n")
    page.locator("main form.entry-form button[value=preview]").click()
    expect(page.locator("main section.preview")).to_be_visible()


def own_profile(page):
    page.goto("/account")
    page.get_by_role("link", name="See your public profile").click()
    expect(page.locator("h1")).to_have_text("Mia Medlem")


# name: (who, what to open: a path, or a function that brings the page into the state to audit)
PAGES = {
    "home": ("anonymous", "/"),
    "methods": ("anonymous", "/methods"),
    "methods-filtered": ("anonymous", "/methods?kind=template&language=da"),
    "entry": ("anonymous", "/methods/kritisk-van"),
    "entry-as-admin": ("admin", "/methods/kritisk-van"),
    "history": ("anonymous", "/methods/kritisk-van/history"),
    "new-entry": ("member", "/methods/new"),
    "edit-entry-as-admin": ("admin", edit_with_attachments),
    "entry-preview": ("member", preview),
    "entry-failed-save": ("member", failed_save),
    "login": ("anonymous", "/login"),
    "login-failed": ("anonymous", failed_login),
    "register": ("anonymous", "/register"),
    "register-failed": ("anonymous", failed_register),
    "account": ("member", "/account"),
    "profile": ("member", own_profile),
    "feed": ("member", "/feed"),
    "privacy": ("anonymous", "/privacy"),
    "recognition-help": ("anonymous", "/help/recognition"),
    "delete-account": ("member", "/account/delete"),
    "entry-as-member": ("member", "/methods/kritisk-van"),
    "write-up": ("anonymous", "/methods/natverkstraff-brukarmedverkan-2026"),
    "not-found": ("anonymous", "/methods/finns-inte"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(role_page, name):
    role, target = PAGES[name]
    page = role_page(role)
    if callable(target):
        target(page)
    else:
        page.goto(target)
    assert_no_violations(page)


@pytest.mark.parametrize("lang", list(UI_LANGUAGES))
def test_home_in_each_interface_language(new_context, lang):
    page = new_context(locale=UI_LANGUAGES[lang]).new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#lang-select")).to_have_value(lang)
    assert_no_violations(page)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_language_switcher_sets_html_lang(page, lang):
    page.goto("/methods/kritisk-van")
    page.locator("#lang-select").select_option(lang)
    page.locator("form.lang-switch button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/methods/kritisk-van$"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#lang-select")).to_have_value(lang)
    assert_no_violations(page)
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_interface_text_follows_the_language(new_context):
    """With compiled catalogues the header is actually translated, not only labelled with another lang."""
    missing = [
        lang for lang in ("sv", "da") if not (ROOT / f"app/translations/{lang}/LC_MESSAGES/messages.mo").exists()
    ]
    if missing:
        pytest.skip(f"no compiled translations for {', '.join(missing)} (run `make translations`)")
    texts = {}
    for lang, locale in UI_LANGUAGES.items():
        page = new_context(locale=locale).new_page()
        page.goto("/login")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        texts[lang] = page.locator("main h1").inner_text()
    assert len(set(texts.values())) == 3, texts
