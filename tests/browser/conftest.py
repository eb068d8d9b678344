"""Real-browser fixtures: a live Dela server on a committed SQLite file, Debian's Chromium through Playwright.

Every test in this folder is marked ``browser``. Without /usr/bin/chromium the tests are skipped, or fail
under CI=true. The live server is shared by the whole session, so tests create their own uniquely named
users and entries and never rely on the order they run in.
"""

from __future__ import annotations

import re
import threading
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from methodbook import accounts
from methodbook.content_io import find_content_files
from methodbook.db import make_engine
from methodbook.migrate import upgrade
from tests.conftest import CI, FAST_HASH, PASSWORD, make_config

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CONTENT = ROOT / "content"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip

MEMBER = {"email": "medlem@example.org", "name": "Mia Medlem", "password": PASSWORD}
ADMIN = {"email": "admin@example.org", "name": "Ada Admin", "password": PASSWORD}

expect.set_options(timeout=10_000)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test below this folder as a browser test."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def unique(prefix: str = "t") -> str:
    """Return a short unique string for e-mail addresses, titles and slugs."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests."
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """A Dela app on a fresh, migrated SQLite file with the starter content and two users."""
    tmp = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{tmp / 'dela.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app(make_config(tmp, url, LOGIN_RATE_LIMIT="1000 per minute"))
    result = app.test_cli_runner().invoke(args=["content", "import", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert f"{len(find_content_files(CONTENT))} created" in result.output, result.output
    session = app.extensions["dela_db"].sessionmaker()
    try:
        for user, role in ((MEMBER, "member"), (ADMIN, "admin")):
            accounts.create_user(
                session, user["email"], user["name"], user["password"], role=role, language="en", hash_method=FAST_HASH
            )
        session.commit()
    finally:
        session.close()
    yield app
    app.extensions["dela_db"].engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """Serve the app on a free local port in a daemon thread; yield the base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="dela-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def storage_states(browser, live_server):
    """Log each seeded user in once; return {email: storage state} for new contexts to start from."""
    states = {}
    for user in (MEMBER, ADMIN):
        context = browser.new_context(base_url=live_server, locale="en-GB")
        page = context.new_page()
        login(page, live_server, user["email"], user["password"])
        states[user["email"]] = context.storage_state()
        context.close()
    return states


def _screenshots(contexts, directory: Path) -> None:
    for n, context in enumerate(contexts):
        for m, pg in enumerate(context.pages):
            shot = directory / f"failure-{n}-{m}.png"
            try:
                pg.screenshot(path=str(shot), full_page=True)
                print(f"Screenshot of {pg.url}: {shot}")
            except Exception as exc:  # noqa: BLE001
                print(f"No screenshot of {pg.url}: {exc}")


@pytest.fixture
def new_context(browser, live_server, storage_states, request, tmp_path):
    """Open browser contexts for this test: new_context(locale="da-DK", user=MEMBER).

    A context given a user starts logged in as that user. All are closed after the test, with
    screenshots of their pages in the test's tmp_path when it failed.
    """
    contexts = []

    def make(locale: str = "en-GB", user: dict | None = None, **kwargs):
        if user is not None:
            kwargs["storage_state"] = storage_states[user["email"]]
        context = browser.new_context(base_url=live_server, locale=locale, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    call = getattr(request.node, "rep_call", None)
    if call is not None and call.failed:
        _screenshots(contexts, tmp_path)
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    """A fresh anonymous context."""
    return new_context()


@pytest.fixture
def page(context) -> Page:
    """A page in a fresh anonymous context."""
    return context.new_page()


@pytest.fixture
def member_page(new_context) -> Page:
    """A page in a fresh context, logged in as the seeded member."""
    return new_context(user=MEMBER).new_page()


@pytest.fixture
def admin_page(new_context) -> Page:
    """A page in a fresh context, logged in as the seeded administrator."""
    return new_context(user=ADMIN).new_page()


@pytest.fixture
def member():
    return dict(MEMBER)


@pytest.fixture
def admin():
    return dict(ADMIN)


LOGOUT_BUTTON = "header form[action$='/logout'] button"


def submit_login(page: Page, email: str, password: str) -> None:
    """Fill the login form on the current page and send it; wait until logged in."""
    form = page.locator("main form[action*='/login']")
    form.locator("#email").fill(email)
    form.locator("#password").fill(password)
    form.locator("button[type=submit]").click()
    expect(page.locator(LOGOUT_BUTTON)).to_be_visible()


def login(page: Page, base_url: str, email: str, password: str) -> None:
    """Open the login page and log in."""
    page.goto(f"{base_url}/login")
    submit_login(page, email, password)


def slug_from_url(url: str) -> str:
    match = re.search(r"/methods/([a-z0-9-]+)$", url)
    assert match, f"not an entry page: {url}"
    return match.group(1)
