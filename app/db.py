"""The database handle of the app and the per-request session."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session

from methodbook.db import for_writing, make_engine, make_sessionmaker
from methodbook.search import make_backend
from methodbook.search.indexing import SearchContext


class Database:
    """An engine and the session factory the app draws request sessions from."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = make_sessionmaker(self.engine)


def init_db(app: Flask) -> None:
    """Attach the database and the search index, and close the request session at teardown."""
    db = Database(app.config["DATABASE_URL"])
    app.extensions["dela_db"] = db
    backend = make_backend(
        app.config.get("SEARCH_BACKEND", "whoosh"), index_dir=Path(app.config["SEARCH_INDEX_DIR"]), engine=db.engine
    )
    context = SearchContext(
        backend, Path(app.config["UPLOAD_DIR"]), background=app.config.get("SEARCH_BACKGROUND_REBUILD", False)
    )
    app.extensions["dela_search"] = context
    # Every session carries the search context, so each commit keeps the index current.
    db.sessionmaker.configure(info={"search": context})
    app.teardown_appcontext(_close_session)


def search_context() -> SearchContext:
    """Return the app's search backend and settings."""
    return current_app.extensions["dela_search"]


def get_db() -> Database:
    """Return the app's database handle."""
    return current_app.extensions["dela_db"]


def db_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = get_db().sessionmaker()
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            for_writing(g.db_session)
    return g.db_session


def _close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
