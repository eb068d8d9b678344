"""Four processes write entries at once into one SQLite file and one Whoosh index; nothing is lost.

SQLite refuses a transaction that read before it wrote when another process wrote in between
("database is locked" at once, whatever the busy timeout: a deferred BEGIN cannot upgrade a stale
read snapshot). A web request would fail there; the writers here retry such a transaction, as a
client would, and count how often, so the test is about the search index and not about that.
"""

from __future__ import annotations

import multiprocessing
import time

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from methodbook.db import for_writing, make_engine
from methodbook.entries import create_entry, validate_entry_data
from methodbook.migrate import upgrade
from methodbook.search import SearchRequest
from methodbook.search.indexing import SearchContext, check, drain, pending_count
from methodbook.search.whoosh_backend import WhooshBackend

PROCESSES = 4
PER_PROCESS = 100
WORD = "zebrafink"
TIME_LIMIT = 120  # seconds for the writers to finish; they normally need well under a minute
RETRIES = 50

pytestmark = pytest.mark.slow


def write_entries(database_url: str, index_dir: str, worker: int, count: int, report: str) -> None:
    """Run in a spawned process: create entries one commit at a time, as web requests would."""
    engine = make_engine(database_url)
    backend = WhooshBackend(index_dir)
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={"search": SearchContext(backend=backend)})
    retries = 0
    try:
        for n in range(count):
            raw = {
                "title": f"Metod {worker}-{n}",
                "slug": f"metod-{worker}-{n}",
                "status": "published",
                "language": "sv",
                "summary": f"Skriven av process {worker} som nummer {n}; varje post nämner en {WORD}.",
            }
            for attempt in range(RETRIES):
                try:
                    with for_writing(factory()) as session:  # as the app does for a POST
                        create_entry(session, validate_entry_data(raw, session), None)
                        session.commit()
                    break
                except OperationalError as exc:
                    if "locked" not in str(exc) or attempt == RETRIES - 1:
                        raise
                    retries += 1
                    time.sleep(0.005 * (attempt + 1))
    finally:
        backend.close()
        engine.dispose()
        with open(report, "w") as handle:
            handle.write(str(retries))


def test_concurrent_writers_lose_nothing(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'dela.db'}"
    index_dir = tmp_path / "index"
    engine = make_engine(database_url)
    upgrade(engine)
    backend = WhooshBackend(index_dir)
    with backend.writer_lock(blocking=True):
        backend.rebuild([])

    spawn = multiprocessing.get_context("spawn")
    workers = [
        spawn.Process(
            target=write_entries,
            args=(database_url, str(index_dir), worker, PER_PROCESS, str(tmp_path / f"retries-{worker}")),
        )
        for worker in range(PROCESSES)
    ]
    started = time.monotonic()
    for process in workers:
        process.start()
    for process in workers:
        process.join(max(1, TIME_LIMIT - (time.monotonic() - started)))
    hung = [p.pid for p in workers if p.is_alive()]
    for process in workers:
        if process.is_alive():
            process.kill()
            process.join()
    assert hung == [], f"writer processes {hung} did not finish within {TIME_LIMIT} s"
    assert [p.exitcode for p in workers] == [0] * PROCESSES
    retries = sum(int((tmp_path / f"retries-{worker}").read_text()) for worker in range(PROCESSES))
    print(
        f"\n{PROCESSES} writers: {time.monotonic() - started:.1f} s, {retries} transactions retried after 'database is locked'"
    )
    assert retries == 0, "write transactions begin IMMEDIATE, so none should meet a locked database"

    def make_session():
        return Session(bind=engine, expire_on_commit=False)

    context = SearchContext(backend=backend)
    drain(make_session, context, blocking=True)

    total = PROCESSES * PER_PROCESS
    versions = backend.versions()
    assert len(versions) == total
    assert set(versions.values()) == {1}
    assert backend.search(SearchRequest(text=WORD)).total == total
    assert backend.search(SearchRequest(text=f"{WORD} process", filters={"language": ["sv"]})).total == total
    with make_session() as session:
        drift = check(session, backend)
        assert drift.ok, drift
        assert drift.pending == 0
        assert pending_count(session) == 0
    backend.close()
    engine.dispose()
