"""The database handle of the app and the per-request session."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from methodbook.db import make_engine, make_sessionmaker


class Database:
    """An engine and the session factory the app draws request sessions from."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = make_sessionmaker(self.engine)


def init_db(app: Flask) -> None:
    """Attach the database to the app and close the request session at teardown."""
    app.extensions["dela_db"] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def get_db() -> Database:
    """Return the app's database handle."""
    return current_app.extensions["dela_db"]


def db_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = get_db().sessionmaker()
    return g.db_session


def _close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
