"""Headers, cookies, escaping of user text, redirects."""

from __future__ import annotations

import pytest

from app.security import is_safe_next
from tests.conftest import post_form


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_templates_carry_no_inline_script_or_style(client, make_entry):
    make_entry()
    for url in ("/", "/methods", "/methods/kritisk-van", "/login", "/register"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and " onclick=" not in html, url


def test_session_cookie_flags(client, make_user):
    user = make_user()
    post_form(client, "/login", {"email": user.email, "password": "grön-kaffe-på-tisdag"})
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True}])
def test_secure_cookies_configurable(app, app_config):
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_user_text_is_escaped_in_every_field(client, make_entry):
    evil = "<script>alert(1)</script>"
    make_entry(title=f"Titel {evil}", summary=f"Sammanfattning {evil}", purpose=evil, when=evil, digital=evil,
               materials=evil, tags=["<b>tag</b>"], authors=[evil], slug="ond", body=f"Brödtext {evil} [x](javascript:alert(1))")  # fmt: skip
    for url in ("/", "/methods", "/methods/ond", "/methods/ond/history", "/methods/ond/revisions/1"):
        text = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in text, url
        assert "javascript:alert" not in text, url
    api = client.get("/api/v1/entries/ond")
    assert "<script>" not in api.get_data(as_text=True), "the API escapes < and > in its JSON text"
    data = api.get_json()
    assert data["title"] == f"Titel {evil}", "the parsed value is intact"
    assert "javascript:" not in data["body_html"] and "<script" not in data["body_html"]


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/methods", True),
        ("/methods/x?a=1", True),
        ("//evil.example", False),
        ("https://evil.example", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("/ok\r\nSet-Cookie: x", False),
        ("", False),
        (None, False),
        ("methods", False),
    ],
)
def test_safe_next(target, safe):
    assert is_safe_next(target) is safe


def test_language_switch_ignores_offsite_next(client):
    response = client.get("/language?lang=da&next=https://evil.example")
    assert response.headers["Location"] == "/"


def test_get_never_changes_data(client, make_user, login, make_entry):
    author = make_user()
    entry = make_entry(user=author)
    login(author)
    assert client.get(f"/methods/{entry.slug}/delete").status_code == 200
    assert client.get(f"/methods/{entry.slug}").status_code == 200, "GET on the delete page only asks"
    assert client.get("/logout").status_code == 405
