"""Helpers shared by the search tests: purpose-made documents, the starter corpus without a database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from methodbook.attachments import store_path
from methodbook.content_io import find_content_files, parse_file
from methodbook.entries import MAX_DURATION
from methodbook.fields import duration_band, format_range, parse_range
from methodbook.models import Attachment, Entry, EntryRole, EntryTag
from methodbook.search import SearchRequest, SearchResult
from methodbook.search.documents import IndexDocument, document_for
from methodbook.slugs import slugify

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
STARTER = ROOT / "content"
CORPUS = HERE / "corpus"  # extra entries written for these tests, in the same format
BASE_TIME = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
EXTRA_ID_START = 1001
# Filled by test_relevance.py::test_hit_rate and printed at the end of the run: backend -> (hits, queries, misses).
RELEVANCE_RESULTS: dict[str, tuple[int, int, list[str]]] = {}


def doc(
    entry_id: int,
    title: str,
    text: str = "",
    *,
    language: str = "sv",
    kind: str = "method",
    tags: Iterable[str] = (),
    roles: Iterable[str] = (),
    phase: str = "any",
    duration: tuple[int, int] | int | None = None,
    created: datetime | None = None,
    revision: int = 1,
    slug: str | None = None,
    extra: str = "",
    visibility: str = "public",
) -> IndexDocument:
    """Build an index document directly; created defaults to BASE_TIME + entry_id days (UTC)."""
    low, high = (duration, duration) if isinstance(duration, int) else (duration or (None, None))
    return IndexDocument(
        entry_id=entry_id,
        revision=revision,
        slug=slug or f"{slugify(title) or 'entry'}-{entry_id}",
        title=title,
        kind=kind,
        language=language,
        tags=list(tags),
        roles=list(roles),
        phase=phase,
        duration=format_range(low, high),
        duration_band=duration_band(low, high),
        network=None,
        created=created or BASE_TIME + timedelta(days=entry_id),
        text=text,
        extra=extra,
        visibility=visibility,
    )


def rebuild(backend, documents) -> int:
    """Replace the backend's index, holding its write lock as callers must."""
    with backend.writer_lock(blocking=True):
        return backend.rebuild(list(documents))


def apply(backend, documents=(), deleted_ids=()) -> None:
    """Add, replace and delete documents, holding the write lock."""
    with backend.writer_lock(blocking=True):
        backend.apply(list(documents), list(deleted_ids))


def search(backend, text: str = "", **kwargs) -> SearchResult:
    """Run a search request."""
    return backend.search(SearchRequest(text=text, **kwargs))


def slugs(result: SearchResult) -> list[str]:
    """The slugs of a page of hits, in rank order."""
    return [hit.slug for hit in result.hits]


def entry_from_file(path: Path, entry_id: int, created: datetime, upload_dir: Path) -> Entry:
    """Parse a content file and build an unsaved Entry with its tags, roles and attachments."""
    parsed = parse_file(path)
    data = parsed.data
    low, high = parse_range(data.duration, "duration", MAX_DURATION)
    group_low, group_high = parse_range(data.group_size, "group_size", 100_000)
    entry = Entry(
        id=entry_id, revision_number=1, created_at=created, updated_at=created, slug=data.slug, title=data.title,
        kind=data.kind, language=data.language, status=data.status, summary=data.summary, purpose=data.purpose,
        when=data.when, digital=data.digital, materials=data.materials, phase=data.phase, body=data.body,
        duration_min=low, duration_max=high, group_min=group_low, group_max=group_high, authors=list(data.authors),
    )  # fmt: skip
    entry.tag_rows = [EntryTag(name=name, position=i) for i, name in enumerate(data.tags)]
    entry.role_rows = [EntryRole(name=name, position=i) for i, name in enumerate(data.roles)]
    stored = [store_path(p, upload_dir) for p in parsed.attachment_paths]
    entry.attachments = [
        Attachment(position=i, filename=f.filename, sha256=f.sha256, size=f.size, content_type=f.content_type)
        for i, f in enumerate(stored)
    ]
    return entry


def corpus_documents(upload_dir: Path) -> list[IndexDocument]:
    """The shipped starter book plus the extra test entries, as index documents, without a database."""
    documents = []
    sources = [(STARTER, 1), (CORPUS, EXTRA_ID_START)]
    for directory, first_id in sources:
        for offset, path in enumerate(find_content_files(directory)):
            entry_id = first_id + offset
            entry = entry_from_file(path, entry_id, BASE_TIME + timedelta(hours=entry_id), upload_dir)
            assert entry.is_published, path
            documents.append(document_for(entry, upload_dir))
    return documents
