"""Interface languages: complete catalogs, and the choice of profile, switcher, browser."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.i18n_tools import problems
from tests.conftest import ROOT, csrf_from, post_form

CATALOGS = ROOT / "app" / "translations"


@pytest.mark.parametrize("lang", ["sv", "da", "en"])
def test_catalog_complete_without_fuzzy(lang):
    po = CATALOGS / lang / "LC_MESSAGES" / "messages.po"
    assert po.is_file(), f"missing catalog {po}"
    assert problems(po) == []


def test_catalogs_hold_every_string_in_the_code(tmp_path):
    """Extract the strings afresh: a string added to a template without a translation fails here."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_",
         "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    wanted = set(re.findall(r'^msgid "(.+)"$', pot.read_text(), flags=re.M))
    for lang in ("sv", "da", "en"):
        have = set(
            re.findall(r'^msgid "(.+)"$', (CATALOGS / lang / "LC_MESSAGES" / "messages.po").read_text(), flags=re.M)
        )
        assert wanted - have == set(), f"{lang}: run make i18n-update and translate"


@pytest.mark.parametrize(("lang", "word"), [("sv", "Logga in"), ("da", "Log ind"), ("en", "Log in")])
def test_accept_language_picks_the_interface(client, lang, word):
    html = client.get("/", headers={"Accept-Language": f"{lang},en;q=0.5"}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert word in html


def test_visitor_switcher_is_a_get_form_that_overrides_browser(client):
    html = client.get("/").get_data(as_text=True)
    assert 'method="get" action="/language"' in html and "csrf_token" not in html
    client.get("/language?lang=da&next=/")
    html = client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert '<html lang="da">' in html


def test_member_switch_needs_post_with_csrf(client, make_user, login, db_session):
    user = make_user(language="en")
    login(user)
    client.get("/language?lang=da&next=/")
    db_session.refresh(user)
    assert user.language == "en", "a GET changes nothing stored"
    assert client.post("/language", data={"lang": "da"}).status_code == 400, "no CSRF token, no change"


def test_profile_language_wins_and_switcher_updates_it(client, make_user, login, db_session):
    user = make_user(language="da")
    login(user)
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="da">' in html
    post_form(client, "/language", {"lang": "sv", "next": "/"}, form_url="/")
    db_session.refresh(user)
    assert user.language == "sv"


def test_dates_are_formatted_per_locale(app):
    moment = datetime(2026, 3, 29, 12, 30, tzinfo=UTC)
    from app.templating import when

    texts = {}
    for lang in ("sv", "da", "en"):
        with app.test_request_context(headers={"Accept-Language": lang}):
            texts[lang] = when(moment, "long")
    assert "mars" in texts["sv"] and "marts" in texts["da"] and "March" in texts["en"]
    assert "14:30" in texts["sv"], "shown in Europe/Stockholm summer time"


def test_domain_messages_are_translated(client, make_user, login):
    login(make_user(language="sv"))
    page = client.get("/methods/new")
    response = client.post("/methods/new", data={"title": "", "csrf_token": csrf_from(page.data), "action": "save"})
    assert "Give the entry a title" not in response.get_data(as_text=True)


def test_every_template_is_in_the_extraction_config():
    config = (ROOT / "babel.cfg").read_text()
    assert "templates/**.html" in config and "app/**.py" in config and "methodbook/**.py" in config
    assert Path(ROOT / "templates").is_dir()


def test_english_catalog_is_the_source_text():
    """English is the source: every translation must be the message itself (no stale fuzzy fill)."""
    from babel.messages.pofile import read_po

    with open(CATALOGS / "en" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    wrong = [m.id for m in catalog if m.id and m.string != (tuple(m.id) if m.pluralizable else m.id)]
    assert wrong == []
