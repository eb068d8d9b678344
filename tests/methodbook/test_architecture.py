"""The domain stays free of the web framework, and the migrations match the models."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from methodbook import models  # noqa: F401  (registers the tables on Base.metadata)
from methodbook.db import Base
from methodbook.migrate import include_object
from methodbook.search.postgres_backend import TABLE_NAMES
from tests.conftest import ROOT

METHODBOOK = ROOT / "methodbook"
PY_FILES = sorted(METHODBOOK.rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Return the absolute module names a Python file imports."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_imported_modules_sees_flask_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nimport flask_login as fl\nfrom flask import current_app\nfrom . import db\n")
    assert imported_modules(sample) == {"os", "flask_login", "flask"}


def test_methodbook_has_python_files():
    names = {p.name for p in PY_FILES}
    assert {"entries.py", "render.py", "content_io.py", "env.py"} <= names


@pytest.mark.parametrize("path", PY_FILES, ids=[str(p.relative_to(METHODBOOK)) for p in PY_FILES])
def test_methodbook_does_not_import_flask(path):
    assert sorted(m for m in imported_modules(path) if m.split(".")[0].startswith("flask")) == []


def test_latest_migration_matches_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_know_every_derived_search_table():
    from methodbook.migrate import DERIVED_TABLES

    assert set(TABLE_NAMES) <= set(DERIVED_TABLES)


def test_sqlite_upgrade_that_rebuilds_a_table_keeps_child_rows(tmp_path):
    """0004 rebuilds `entry` on SQLite (batch mode); with foreign keys on, that used to cascade-delete revisions."""
    from sqlalchemy import text

    from methodbook.db import make_engine
    from methodbook.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO entry (slug, kind, language, status, title, summary, purpose, "when", digital,'
                " materials, phase, licence, authors, body, revision_number, created_at, updated_at)"
                " VALUES ('kept', 'method', 'sv', 'published', 'Kept', '', '', '', '', '', 'any', 'CC BY 4.0',"
                " '[]', 'text', 1, '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO revision (entry_id, number, message, created_at, data, body_html, renderer_version)"
                " VALUES (1, 1, '', '2026-01-01', '{}', '', 0)"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM revision")).scalar() == 1
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
