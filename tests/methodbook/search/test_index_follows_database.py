"""The index follows the database: committed changes reach it, rolled-back ones never do, drift is found.

Sessions here carry a SearchContext (a Whoosh index in tmp_path) in their info, as the app's do,
so every commit that touched an entry drains the search queue into the index.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from methodbook import entries
from methodbook.models import Entry, SearchQueue
from methodbook.search.indexing import SearchContext, check, drain, pending_count, reindex
from methodbook.search.whoosh_backend import WhooshBackend
from tests.methodbook.search.helpers import apply, doc, rebuild, search, slugs


@pytest.fixture
def search_backend(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    rebuild(backend, [])
    yield backend
    backend.close()


@pytest.fixture
def ctx(search_backend):
    return SearchContext(backend=search_backend, lock_attempts=2, lock_pause=0.01)


@pytest.fixture
def db_session(session_factory, ctx):
    """Overrides tests/conftest.py: sessions that keep the index current, as the app's do."""
    session_factory.configure(info={"search": ctx})
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def quiet_session(connection):
    """A session on the same connection without a search context: its changes are queued, not drained."""
    session = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)()
    yield session
    session.close()


@pytest.fixture
def make_session(connection):
    """What drain and reindex open their sessions with."""
    return lambda: Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


def found(backend, text: str) -> list[str]:
    return slugs(search(backend, text))


def edit(session: Session, entry: Entry, **changes) -> None:
    """Save new field values as a new revision and commit."""
    raw = entries.snapshot(entry) | changes
    entries.update_entry(session, entry, entries.validate_entry_data(raw, session, entry), None)
    session.commit()


def test_a_committed_entry_reaches_the_index(db_session, make_entry, search_backend):
    entry = make_entry(title="Zebrafinkens walkshop", summary="Vi går en runda med zebrafinkar.")
    assert found(search_backend, "zebrafink") == [entry.slug]
    assert search_backend.versions() == {entry.id: 1}
    assert pending_count(db_session) == 0


def test_a_committed_edit_reaches_the_index(db_session, make_entry, search_backend):
    entry = make_entry(title="Fika med tema", summary="Samtal över kaffe.")
    edit(db_session, entry, summary="Samtal över te och kanelbullar.")
    assert found(search_backend, "kanelbullar") == [entry.slug]
    assert found(search_backend, "kaffe") == []
    assert search_backend.versions() == {entry.id: 2}


def test_a_change_to_tags_alone_reaches_the_index(db_session, make_entry, search_backend):
    entry = make_entry(title="Fika med tema", tags=["fika"])
    edit(db_session, entry, tags=["fika", "kollegialt lärande"])
    assert slugs(search(search_backend, "", filters={"tag": ["kollegialt lärande"]})) == [entry.slug]
    assert search_backend.versions() == {entry.id: 2}


def test_a_rolled_back_entry_never_reaches_the_index(db_session, search_backend):
    data = entries.validate_entry_data(
        {"title": "Zebrafinkens walkshop", "summary": "zebrafink", "status": "published"}, db_session
    )
    entries.create_entry(db_session, data, None)
    db_session.flush()
    assert pending_count(db_session) == 1  # queued in the same transaction as the change
    db_session.rollback()
    assert pending_count(db_session) == 0
    assert db_session.scalar(select(Entry.id)) is None
    assert found(search_backend, "zebrafink") == []
    assert search_backend.versions() == {}


def test_a_rolled_back_edit_leaves_the_index_as_it_was(db_session, make_entry, search_backend):
    entry = make_entry(title="Fika med tema", summary="Samtal över kaffe.")
    entry.summary = "Samtal över te."
    db_session.flush()
    assert pending_count(db_session) == 1
    db_session.rollback()
    assert pending_count(db_session) == 0
    # The next commit of something else does not bring the rolled-back change along.
    other = entries.create_entry(
        db_session, entries.validate_entry_data({"title": "Walkshop", "status": "published"}, db_session), None
    )
    db_session.commit()
    assert found(search_backend, "kaffe") == [entry.slug]
    assert found(search_backend, "te") == []
    assert search_backend.versions() == {entry.id: 1, other.id: 1}
    assert pending_count(db_session) == 0


def test_trash_and_restore(db_session, make_entry, search_backend):
    entry = make_entry(title="Zebrafinkens walkshop", summary="zebrafink")
    entries.trash_entry(entry, None)
    db_session.commit()
    assert found(search_backend, "zebrafink") == []
    assert search_backend.versions() == {}
    entries.untrash_entry(entry)
    db_session.commit()
    assert found(search_backend, "zebrafink") == [entry.slug]


def test_draft_and_publish(db_session, make_entry, search_backend):
    entry = make_entry(title="Zebrafinkens walkshop", summary="zebrafink")
    edit(db_session, entry, status="draft")
    assert found(search_backend, "zebrafink") == []
    assert search_backend.suggest("zebraf") == []
    edit(db_session, entry, status="published")
    assert found(search_backend, "zebrafink") == [entry.slug]


def test_a_draft_is_never_indexed(db_session, make_entry, search_backend):
    make_entry(title="Zebrafinkens walkshop", summary="zebrafink", status="draft")
    assert found(search_backend, "zebrafink") == []
    assert search_backend.versions() == {}


def test_a_deleted_entry_leaves_the_index(db_session, make_entry, search_backend):
    entry = make_entry(title="Zebrafinkens walkshop", summary="zebrafink")
    db_session.delete(entry)
    db_session.commit()
    assert search_backend.versions() == {}
    assert pending_count(db_session) == 0


def test_check_finds_drift_and_reindex_repairs_it(
    db_session, quiet_session, make_entry, search_backend, ctx, make_session
):
    a = make_entry(title="Alfa", summary="första")
    b = make_entry(title="Beta", summary="andra")
    c = make_entry(title="Gamma", summary="tredje")
    assert check(db_session, search_backend).ok

    # Changes made without a search context are queued but not applied.
    b_quiet = quiet_session.get(Entry, b.id)
    edit(quiet_session, b_quiet, summary="andra, ändrad")
    d = entries.create_entry(
        quiet_session, entries.validate_entry_data({"title": "Delta", "status": "published"}, quiet_session), None
    )
    entries.trash_entry(quiet_session.get(Entry, c.id), None)
    quiet_session.commit()
    apply(search_backend, [doc(999_999, "Spöke", "Finns inte i databasen.")])

    drift = check(quiet_session, search_backend)
    assert (drift.missing, drift.stale, drift.extra) == ([d.id], [b.id], sorted([c.id, 999_999]))
    assert drift.pending >= 3
    assert not drift.ok

    assert reindex(make_session, ctx) == 3
    drift = check(quiet_session, search_backend)
    assert drift.ok and drift.pending == 0
    assert search_backend.versions() == {a.id: 1, b.id: 2, d.id: 1}


def test_a_drain_applies_what_was_queued(db_session, quiet_session, search_backend, ctx, make_session):
    entry = entries.create_entry(
        quiet_session, entries.validate_entry_data({"title": "Zebrafink", "status": "published"}, quiet_session), None
    )
    quiet_session.commit()
    assert found(search_backend, "zebrafink") == []
    assert drain(make_session, ctx) == 1
    assert found(search_backend, "zebrafink") == [entry.slug]
    assert pending_count(quiet_session) == 0
    assert drain(make_session, ctx) == 0


def test_a_queue_row_survives_a_held_lock_and_the_next_drain_applies_it(
    db_session, make_entry, search_backend, ctx, make_session
):
    holding, release = threading.Event(), threading.Event()
    got = []

    def hold():
        with search_backend.writer_lock(blocking=True) as ok:
            got.append(ok)
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10) and got == [True]
        entry = make_entry(title="Zebrafinkens walkshop", summary="zebrafink")  # commits; the drain cannot get the lock
        assert pending_count(db_session) == 1
        assert db_session.scalar(select(SearchQueue.entry_id)) == entry.id
        assert found(search_backend, "zebrafink") == []
    finally:
        release.set()
        thread.join(10)
    assert drain(make_session, ctx) == 1
    assert found(search_backend, "zebrafink") == [entry.slug]
    assert pending_count(db_session) == 0
    assert check(db_session, search_backend).ok


def test_reindex_counts_every_entry(db_session, make_entry, search_backend, ctx, make_session):
    published = [make_entry(title=f"Metod {n}", summary="zebrafink") for n in range(5)]
    make_entry(title="Utkast", summary="zebrafink", status="draft")
    trashed = make_entry(title="Papperskorg", summary="zebrafink")
    entries.trash_entry(trashed, None)
    db_session.commit()
    apply(search_backend, [], [e.id for e in published])  # the index has lost them

    steps, totals = [], []
    assert reindex(make_session, ctx, progress=steps.append, on_total=totals.append) == 5
    assert totals == [5]
    assert sum(steps) == 5
    assert set(search_backend.versions()) == {e.id for e in published}
    assert search(search_backend, "zebrafink").total == 5
    assert check(db_session, search_backend).ok


def test_rendering_cached_html_queues_nothing(db_session):
    """Filling an old revision's rendered-HTML cache is derived data: no index work is queued."""
    from sqlalchemy import func, select

    from methodbook import entries
    from methodbook.models import SearchQueue

    entry = entries.create_entry(
        db_session, entries.validate_entry_data({"title": "Fika", "status": "published"}), None, render=False
    )
    db_session.commit()
    before = db_session.scalar(select(func.count(SearchQueue.id)))
    entries.revision_html(entry.current_revision)
    db_session.commit()
    assert db_session.scalar(select(func.count(SearchQueue.id))) == before
