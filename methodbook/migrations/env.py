"""Alembic environment: the engine comes from the caller (methodbook.migrate)."""

from alembic import context

from methodbook import models  # noqa: F401  (registers the tables)
from methodbook.db import Base
from methodbook.migrate import include_object

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
