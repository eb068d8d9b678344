"""Alembic migrations run from code: upgrade, create a revision, compare with the models."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


# Derived tables the PostgreSQL search backend creates itself; the migrations leave them alone.
DERIVED_TABLES = tuple(
    name + suffix
    for name in ("dela_search", "dela_search_docs", "dela_search_words", "dela_search_log")
    for suffix in ("", "_new", "_old")
)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave derived search tables (and their indexes) out of schema comparisons."""
    table = getattr(obj, "table", None)
    table_name = name if type_ == "table" else getattr(table, "name", "")
    return table_name not in DERIVED_TABLES


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config that runs against this engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to a revision (the newest by default)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database schema back to a revision."""
    command.downgrade(alembic_config(engine), revision)


def make_revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(engine), message=message, autogenerate=True)


def has_schema(engine: Engine) -> bool:
    """Tell whether the method book's tables exist."""
    return inspect(engine).has_table("entry")


def ensure_schema(engine: Engine) -> bool:
    """Upgrade the schema when tables are missing; return True if it did."""
    if has_schema(engine):
        return False
    upgrade(engine)
    return True
