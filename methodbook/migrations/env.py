"""Alembic environment: the engine comes from the caller (methodbook.migrate)."""

from alembic import context

from methodbook import models  # noqa: F401  (registers the tables)
from methodbook.db import Base
from methodbook.migrate import include_object

config = context.config


def _sqlite_foreign_keys(connection, on: bool) -> None:
    # Batch migrations rebuild a table (copy, drop, rename); with foreign keys on, dropping the
    # old table would cascade-delete every child row. The pragma only works outside a transaction,
    # so it goes straight to the driver connection (autocommit, see methodbook.db).
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, False)
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            include_object=include_object,
            compare_type=True,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, True)


run_migrations_online()
