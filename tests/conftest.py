"""Fixtures: a database per backend, each test in a rolled-back transaction, app, client, login, factories.

The database backends are SQLite always and PostgreSQL when TEST_DATABASE_URL is set; every test
that touches the database runs on each. Under CI=true a missing PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import create_app
from methodbook import accounts, entries
from methodbook.db import make_engine
from methodbook.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "grön-kaffe-på-tisdag"
FAST_HASH = "pbkdf2:sha256:1"
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

if CI and not PG_URL:
    raise pytest.UsageError("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI.")


def _pg_schema_url(schema: str) -> str:
    url = make_url(PG_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def migrated_database(backend: str, folder: Path, prefix: str = "dela_test"):
    """Yield the URL of a fresh, migrated database: a SQLite file in folder, or a PostgreSQL schema dropped after."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'test.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        if CI:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL does not answer: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        url = _pg_schema_url(schema)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """Yield the URL of a fresh, migrated database for this test session and backend."""
    yield from migrated_database(request.param, tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    """A connection inside a transaction that is rolled back after the test."""
    conn = engine.connect()
    transaction = conn.begin()
    yield conn
    transaction.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection):
    """Sessions whose commits only release savepoints inside the test's transaction."""
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db_session(session_factory) -> Session:
    session = session_factory()
    yield session
    session.close()


def make_config(tmp_path: Path, database_url: str, **overrides) -> dict:
    """Return a complete test configuration; CSRF and rate limits stay on."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-" + "x" * 20,
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "SEARCH_BACKEND": "whoosh",
        "SEARCH_BACKGROUND_REBUILD": False,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "DELA_REGISTRATION": "open",
        "ATTACHMENT_MAX_BYTES": 20 * 1024 * 1024,
        "MAX_CONTENT_LENGTH": 100 * 1024 * 1024,
        "MAIL_SERVER": "",
        "MAIL_OUTBOX_DIR": "",
        "MAIL_FROM": "dela@example.org",
        "DIGEST_OUTBOX_DIR": str(tmp_path / "digests"),
        "SITE_URL": "https://dela.example.org",
        "MAIL_PORT": 25,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_USE_TLS": False,
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "10 per minute",
        "IMAGE_MAX_BYTES": 20 * 1024 * 1024,
        "REMOVAL_RATE_LIMIT": "5 per minute",
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "TRUSTED_PROXIES": 0,
        # Tests read English messages unless they choose a language; i18n tests choose sv and da.
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config():
    """Overrides for the app of one test: parametrize or override this fixture."""
    return {}


@pytest.fixture
def app(database_url, engine, session_factory, tmp_path, app_config):
    app = create_app(make_config(tmp_path, database_url, **app_config))
    db = app.extensions["dela_db"]
    db.engine.dispose()
    db.engine = engine
    session_factory.configure(info={"search": app.extensions["dela_search"]})
    db.sessionmaker = session_factory
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str | bytes) -> str:
    """Read the CSRF token from a rendered form."""
    if isinstance(html, bytes):
        html = html.decode()
    match = _CSRF.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def post_form(client, url: str, data: dict | None = None, form_url: str | None = None, **kwargs):
    """Load the form page for its CSRF token, then post to url."""
    page = client.get(form_url or url)
    payload = dict(data or {})
    payload["csrf_token"] = csrf_from(page.data)
    return client.post(url, data=payload, **kwargs)


@pytest.fixture
def make_user(db_session):
    """Create users: make_user(role="admin", email=..., name=...)."""
    counter = iter(range(1, 10_000))

    def make(
        role: str = "member",
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        language: str = "en",
    ):
        n = next(counter)
        user = accounts.create_user(
            db_session, email or f"user{n}@example.org", name or f"Användare {n}", password,
            role=role, language=language, hash_method=FAST_HASH,
        )  # fmt: skip
        db_session.commit()
        return user

    return make


@pytest.fixture
def make_entry(db_session):
    """Create entries: make_entry(title=..., status="draft", user=..., **fields)."""

    def make(title: str = "Kritisk vän", user=None, attachments=(), **fields):
        raw = {"title": title, "kind": "method", "language": "sv", "status": "published",
               "summary": "Återkoppling från en kollega i en annan kommun.", "body": "## Steg\n\n1. Bjud in\n2. Lyssna\n"}  # fmt: skip
        raw.update(fields)
        data = entries.validate_entry_data(raw, db_session)
        entry = entries.create_entry(db_session, data, user, list(attachments))
        db_session.commit()
        return entry

    return make


@pytest.fixture
def login(client):
    """Log a user in through the login form: login(user)."""

    def do(user, password: str = PASSWORD):
        response = post_form(client, "/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.data[:500]
        return response

    return do
