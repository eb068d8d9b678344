"""Search fixtures: each backend (Whoosh always, PostgreSQL when it can run) and the starter book indexed once.

The PostgreSQL backend runs when TEST_DATABASE_URL is set and ``methodbook.search.postgres_backend``
exists; otherwise its tests are skipped with the reason. Under CI=true with TEST_DATABASE_URL set, a
missing module fails them instead.
"""

from __future__ import annotations

import importlib.util
import uuid
from contextlib import ExitStack, contextmanager

import pytest
from sqlalchemy import text

from methodbook.db import make_engine
from methodbook.migrate import upgrade
from methodbook.search import make_backend
from tests.conftest import CI, PG_URL, _pg_schema_url
from tests.methodbook.search.helpers import RELEVANCE_RESULTS, corpus_documents, rebuild

BACKENDS = ["whoosh", "postgres"]


def postgres_unavailable() -> str | None:
    """Say why the PostgreSQL backend cannot be tested here, or None when it can."""
    if not PG_URL:
        return "TEST_DATABASE_URL is not set"
    if importlib.util.find_spec("methodbook.search.postgres_backend") is None:
        return "methodbook.search.postgres_backend does not exist (yet)"
    return None


@contextmanager
def pg_scratch_engine():
    """Yield an engine on a fresh, migrated schema of TEST_DATABASE_URL; drop the schema after."""
    schema = f"dela_search_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        if CI:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL does not answer: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    engine = make_engine(_pg_schema_url(schema))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def open_backend(name: str, index_dir, engine=None):
    """Create a backend of this kind and close it (releasing files or connections) afterwards."""
    backend = make_backend("whoosh", index_dir=index_dir) if name == "whoosh" else make_backend(name, engine=engine)
    try:
        yield backend
    finally:
        close = getattr(backend, "close", None)
        if close:
            close()


@pytest.fixture(scope="session", params=BACKENDS)
def backend_name(request) -> str:
    """The search backend under test; "postgres" is skipped (or failed in CI) when it cannot run."""
    if request.param == "postgres":
        reason = postgres_unavailable()
        if reason:
            if CI and PG_URL:
                pytest.fail(
                    f"CI=true and TEST_DATABASE_URL is set, but {reason}: the PostgreSQL search backend must be tested in CI"
                )
            pytest.skip(f"PostgreSQL search backend not tested: {reason}")
    return request.param


@pytest.fixture(scope="session")
def contract_pg_engine(backend_name):
    """One scratch schema for the per-test PostgreSQL backends (each test starts with a fresh rebuild)."""
    if backend_name != "postgres":
        yield None
        return
    with pg_scratch_engine() as engine:
        yield engine


@pytest.fixture
def backend(backend_name, tmp_path, contract_pg_engine):
    """A backend with an empty, usable index of its own; tests rebuild it with the documents they need."""
    with open_backend(backend_name, tmp_path / "index", contract_pg_engine) as backend:
        rebuild(backend, [])
        yield backend


@pytest.fixture(scope="session")
def starter_documents(tmp_path_factory):
    """The starter book and the extra test entries as index documents, built without a database."""
    return corpus_documents(tmp_path_factory.mktemp("uploads"))


@pytest.fixture(scope="session")
def starter_index(backend_name, starter_documents, tmp_path_factory):
    """A backend holding the starter book and the extra test entries, built once per backend."""
    with ExitStack() as stack:
        engine = stack.enter_context(pg_scratch_engine()) if backend_name == "postgres" else None
        backend = stack.enter_context(open_backend(backend_name, tmp_path_factory.mktemp("starter") / "index", engine))
        assert rebuild(backend, starter_documents) == len(starter_documents)
        yield backend


def pytest_terminal_summary(terminalreporter):
    """Print the relevance hit rate of each backend that was measured in this run."""
    for name, (hits, queries, misses) in sorted(RELEVANCE_RESULTS.items()):
        terminalreporter.write_line(
            f"search relevance, {name}: top-3 hit rate {hits}/{queries} = {hits / queries:.1%}; misses: {', '.join(misses) or 'none'}"
        )
