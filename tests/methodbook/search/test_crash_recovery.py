"""A writer killed with SIGKILL while it holds the index locks leaves nothing stuck behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import UTC, datetime

import pytest

from methodbook.search import SearchRequest
from methodbook.search.documents import IndexDocument
from methodbook.search.whoosh_backend import WhooshBackend

pytestmark = pytest.mark.slow


def doc(entry_id: int, text: str) -> IndexDocument:
    return IndexDocument(
        entry_id=entry_id, revision=1, slug=f"e{entry_id}", title=f"Post {entry_id}", kind="method", language="sv",
        tags=[], roles=[], phase="any", duration="", duration_band=None, network=None,
        created=datetime(2026, 1, 1, tzinfo=UTC), text=text,
    )  # fmt: skip


def hold_locks_forever(index_dir: str, ready) -> None:
    """Take Dela's write lock and Whoosh's own writer lock, say so, then wait to be killed."""
    backend = WhooshBackend(index_dir)
    with backend.writer_lock(blocking=True):
        writer = backend._open().writer()
        writer.add_document(id="99", title="halvfärdig")
        ready.set()
        signal.pause()


def test_kill_9_mid_write_leaves_no_stale_lock(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    with backend.writer_lock(blocking=True):
        backend.rebuild([doc(1, "fika på torget")])
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=hold_locks_forever, args=(str(tmp_path / "index"), ready))
    holder.start()
    assert ready.wait(30), "the lock holder did not start"
    with backend.writer_lock(blocking=False) as got:
        assert got is False, "the lock is held while the writer lives"
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(10)
    with backend.writer_lock(blocking=False) as got:
        assert got is True, "the kernel released the lock with the process"
        backend.apply([doc(2, "walkshop i parken")], [])
    assert backend.search(SearchRequest(text="walkshop")).total == 1
    assert backend.search(SearchRequest(text="halvfärdig")).total == 0, "the killed writer's work is not visible"
    assert set(backend.versions()) == {1, 2}
    backend.close()
