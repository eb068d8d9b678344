"""The index follows the database: a durable queue, drained after commit, checkable and rebuildable.

Every flush that touches an entry writes a ``search_queue`` row in the same transaction, so a
rolled-back change never reaches the index and a committed one is never forgotten, even if the
process dies. After a commit, the process that gets the backend's write lock drains the queue;
one that does not leaves its rows for the next drain (the lock holder checks again before it
lets go, and every search drains what is pending).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session, selectinload

from ..db import for_writing
from ..models import Attachment, Entry, EntryRole, EntryTag, Revision, SearchQueue
from .documents import document_for

log = logging.getLogger(__name__)
BATCH = 500
_local = threading.local()
_CHILDREN = (EntryTag, EntryRole, Attachment, Revision)


@dataclass
class SearchContext:
    """What a session needs to keep the index current: the backend and the upload folder."""

    backend: object
    upload_dir: Path | None = None
    lock_attempts: int = 5
    lock_pause: float = 0.1
    # A web process rebuilds a missing index in a thread and answers meanwhile; the CLI and
    # tests rebuild in line.
    background: bool = False


@dataclass
class Drift:
    """Differences between the database and the index."""

    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    pending: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def _changed_entry_ids(session: Session) -> set[int]:
    ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Revision) and obj not in session.new:
            continue  # an old revision's rendered-HTML cache changed: derived, not indexed
        if isinstance(obj, Entry) and obj.id is not None:
            ids.add(obj.id)
        elif isinstance(obj, _CHILDREN) and getattr(obj, "entry_id", None) is not None:
            ids.add(obj.entry_id)
    return ids


@event.listens_for(Session, "after_flush")
def _enqueue(session: Session, _flush_context) -> None:
    ids = _changed_entry_ids(session)
    if ids:
        session.connection().execute(insert(SearchQueue), [{"entry_id": i} for i in sorted(ids)])
        session.info["search_pending"] = True


@event.listens_for(Session, "after_commit")
def _drain_after_commit(session: Session) -> None:
    context = session.info.get("search")
    if context is None or not session.info.pop("search_pending", False) or getattr(_local, "draining", False):
        return
    try:
        drain(
            lambda: Session(bind=session.bind, join_transaction_mode="create_savepoint", expire_on_commit=False),
            context,
        )
    except Exception:  # noqa: BLE001  (the change is committed and queued; indexing retries later)
        log.exception("search index update failed; the change stays queued")


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop("search_pending", None)


def pending_count(session: Session) -> int:
    """Count queued index changes."""
    return session.scalar(select(func.count(SearchQueue.id))) or 0


def _documents(session: Session, entry_ids, upload_dir):
    query = (
        select(Entry)
        .where(Entry.id.in_(entry_ids))
        .options(selectinload(Entry.tag_rows), selectinload(Entry.role_rows), selectinload(Entry.attachments))
    )
    return [document_for(e, upload_dir) for e in session.scalars(query) if e.is_published]


def _drain_locked(make_session: Callable[[], Session], context: SearchContext) -> int:
    done = 0
    while True:
        with for_writing(make_session()) as session:
            rows = list(
                session.execute(select(SearchQueue.id, SearchQueue.entry_id).order_by(SearchQueue.id).limit(BATCH))
            )
            if not rows:
                return done
            entry_ids = {r.entry_id for r in rows}
            docs = _documents(session, entry_ids, context.upload_dir)
            context.backend.apply(docs, sorted(entry_ids - {d.entry_id for d in docs}))
            session.execute(delete(SearchQueue).where(SearchQueue.id.in_([r.id for r in rows])))
            session.commit()
            done += len(rows)


def drain(make_session: Callable[[], Session], context: SearchContext, blocking: bool = False) -> int:
    """Apply queued changes to the index if the write lock can be had; return how many.

    Without a usable index (never built, deleted, damaged) it starts a rebuild in the background
    instead, and searches say so meanwhile.
    """
    state = context.backend.status()["state"]
    if state == "rebuilding":
        return 0
    if state != "ok":
        if context.background:
            start_background_rebuild(make_session, context)
            return 0
        return reindex(make_session, context)
    _local.draining = True
    try:
        for attempt in range(1 if blocking else context.lock_attempts):
            with context.backend.writer_lock(blocking=blocking) as got:
                if got:
                    return _drain_locked(make_session, context)
            time.sleep(context.lock_pause * (attempt + 1))
        return 0
    finally:
        _local.draining = False


_rebuilding = threading.Lock()


def start_background_rebuild(make_session: Callable[[], Session], context: SearchContext) -> bool:
    """Rebuild in a thread of this process unless one is running here; return whether it started."""
    if not _rebuilding.acquire(blocking=False):
        return False

    def run():
        try:
            context.backend.state = "rebuilding"
            reindex(make_session, context)
        except Exception:  # noqa: BLE001
            log.exception("background rebuild of the search index failed")
        finally:
            _rebuilding.release()

    threading.Thread(target=run, name="dela-search-rebuild", daemon=True).start()
    return True


def reindex(
    make_session: Callable[[], Session],
    context: SearchContext,
    progress: Callable[[int], None] | None = None,
    on_total=None,
) -> int:
    """Rebuild the whole index from the database and swap it in; queued changes are applied after."""
    _local.draining = True
    try:
        with context.backend.writer_lock(blocking=True):
            with for_writing(make_session()) as session:
                # Changes committed while the rebuild reads are queued, and applied to the new index below.
                high_water = session.scalar(select(func.max(SearchQueue.id))) or 0
                ids = list(
                    session.scalars(
                        select(Entry.id)
                        .where(Entry.status == "published", Entry.deleted_at.is_(None))
                        .order_by(Entry.id)
                    )
                )
                if on_total:
                    on_total(len(ids))

                def documents():
                    for start in range(0, len(ids), BATCH):
                        yield from _documents(session, ids[start : start + BATCH], context.upload_dir)
                        session.expunge_all()

                count = context.backend.rebuild(documents(), progress)
                session.execute(delete(SearchQueue).where(SearchQueue.id <= high_water))
                session.commit()
            _drain_locked(make_session, context)
            return count
    finally:
        _local.draining = False


def check(session: Session, backend) -> Drift:
    """Compare the published entries with the index."""
    query = select(Entry.id, Entry.revision_number).where(Entry.status == "published", Entry.deleted_at.is_(None))
    wanted = {entry_id: revision for entry_id, revision in session.execute(query)}
    indexed = backend.versions()
    return Drift(
        missing=sorted(set(wanted) - set(indexed)),
        stale=sorted(i for i in set(wanted) & set(indexed) if wanted[i] != indexed[i]),
        extra=sorted(set(indexed) - set(wanted)),
        pending=pending_count(session),
    )
