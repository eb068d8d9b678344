"""Whole journeys through the real app in Chromium: register, write, attach, publish, log out, read."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import LOGOUT_BUTTON, PASSWORD, login, slug_from_url, submit_login, unique

SAVE = "main form.entry-form button[name=action][value=save]"
PREVIEW = "main form.entry-form button[name=action][value=preview]"


def register(page, email: str, name: str, password: str = PASSWORD) -> None:
    page.goto("/register")
    page.locator("#email").fill(email)
    page.locator("#display_name").fill(name)
    page.locator("#password").fill(password)
    page.locator("#confirm").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(LOGOUT_BUTTON)).to_be_visible()
    expect(page.locator("header nav")).to_contain_text(name)


def fill_entry(page, title: str, body: str, status: str = "published", kind: str = "template") -> None:
    page.locator("#title").fill(title)
    page.locator("#kind").select_option(kind)
    page.locator("#language").select_option("sv")
    page.locator("#summary").fill("En kort sammanfattning.")
    page.locator("#body").fill(body)
    page.locator("#status").select_option(status)


def test_register_publish_with_attachment_and_read_logged_out(page, tmp_path):
    email, name = f"{unique('reg')}@example.org", "Rut Registrerad"
    register(page, email, name)

    csv = tmp_path / "deltagarlista.csv"
    csv.write_text("namn;kommun\nAnna;Malmö\nBo;Lund\n", encoding="utf-8")
    title = f"Deltagarlista {unique()}"
    page.goto("/methods/new")
    fill_entry(page, title, "## Gör så här\n\n1. Ladda ner listan\n2. Fyll i namnen\n")
    page.locator("#attachments").set_input_files(str(csv))
    page.locator(SAVE).click()

    expect(page).to_have_url(re.compile(r"/methods/deltagarlista-t[0-9a-f]{10}$"))
    entry_url = page.url
    expect(page.locator("main h1")).to_have_text(title)
    expect(page.locator(".flash-success")).to_be_visible()
    attachment = page.locator(".attachments a", has_text="deltagarlista.csv")
    expect(attachment).to_be_visible()
    expect(page.locator(".entry-body ol li")).to_have_text(["Ladda ner listan", "Fyll i namnen"])

    page.locator(LOGOUT_BUTTON).click()
    expect(page.locator(LOGOUT_BUTTON)).to_have_count(0)
    expect(page.locator("header a[href='/login']")).to_be_visible()

    page.goto(entry_url)
    expect(page.locator("main h1")).to_have_text(title)
    attachment = page.locator(".attachments a", has_text="deltagarlista.csv")
    expect(attachment).to_be_visible()
    expect(page.locator(".badge-draft")).to_have_count(0)

    href = attachment.get_attribute("href")
    assert href and href.startswith(f"/methods/{slug_from_url(entry_url)}/attachments/")
    response = page.request.get(href)
    assert response.status == 200
    headers = response.headers
    assert headers["content-disposition"].startswith("attachment"), headers
    assert "deltagarlista.csv" in headers["content-disposition"]
    assert headers["x-content-type-options"] == "nosniff"
    assert response.body() == csv.read_bytes()


def test_draft_is_not_found_for_anonymous_visitor(member_page, page):
    anonymous, page = page, member_page
    title = f"Hemligt utkast {unique()}"
    page.goto("/methods/new")
    fill_entry(page, title, "Inte klart än.", status="draft")
    page.locator(SAVE).click()
    expect(page.locator("main h1")).to_have_text(title)
    expect(page.locator("main .badge-draft")).to_be_visible()
    entry_url = page.url

    response = anonymous.goto(entry_url)
    assert response is not None and response.status == 404
    expect(anonymous.locator("main")).not_to_contain_text(title)
    anonymous.goto("/methods")
    expect(anonymous.locator("main .cards")).not_to_contain_text(title)


def test_preview_renders_markdown_without_saving(member_page):
    page = member_page
    title = f"Forhandsvisning {unique()}"
    page.goto("/methods/new")
    fill_entry(page, title, "## Förberedelser\n\n1. Boka rum\n2. **Bjud in** alla\n\n- kaffe\n- post-it\n")
    page.locator(PREVIEW).click()

    preview = page.locator("main section.preview")
    expect(preview).to_be_visible()
    expect(preview.locator(".entry-body h2")).to_have_text("Förberedelser")
    expect(preview.locator(".entry-body ol li")).to_have_count(2)
    expect(preview.locator(".entry-body strong")).to_have_text("Bjud in")
    expect(preview.locator(".entry-body ul li")).to_have_text(["kaffe", "post-it"])
    expect(page.locator("#title")).to_have_value(title)
    expect(page.locator("#body")).to_have_value(re.compile(r"^## Förberedelser"))
    assert "/methods/new" in page.url

    slug = title.lower().replace(" ", "-")
    assert page.request.get(f"/methods/{slug}").status == 404
    page.goto("/methods?drafts=1")
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(title)


def test_expired_session_mid_edit_keeps_the_text(page, context, member, live_server):
    login(page, live_server, member["email"], member["password"])
    title = f"Skrivet före utloggning {unique()}"
    body = "## Steg\n\n1. Det här får inte försvinna\n"
    page.goto("/methods/new")
    page.locator("#title").fill(title)
    page.locator("#body").fill(body)

    context.clear_cookies()
    page.locator(SAVE).click()

    expect(page).to_have_url(re.compile(r"/login\?"))
    expect(page.locator(".flash-warning")).to_be_visible()
    expect(page.locator("main form #email")).to_be_visible()

    submit_login(page, member["email"], member["password"])
    expect(page).to_have_url(re.compile(r"/methods/new\?restore="))
    expect(page.locator(".flash-warning")).to_be_visible()
    expect(page.locator("#title")).to_have_value(title)
    expect(page.locator("#body")).to_have_value(body)

    page.locator(SAVE).click()
    expect(page.locator("main h1")).to_have_text(title)
