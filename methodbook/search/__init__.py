"""Search over the method book: one interface, two backends (Whoosh embedded, PostgreSQL).

Backends receive documents made by ``documents.document_for`` and queries parsed by
``query.parse_query``; they never see ORM objects or raw user input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..errors import Message

FACETS = ("kind", "tag", "role", "phase", "language", "duration", "network")
SORTS = ("relevance", "newest", "title")


@dataclass
class SearchRequest:
    """What the user asked: text, facet filters, sort and page."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    # Besides public entries, the visibility values the searcher may see ("members:<network slug>"
    # for each members-only network they belong to).
    audience: list[str] = field(default_factory=list)


@dataclass
class Hit:
    """One result: enough to show it in a list without loading the entry."""

    entry_id: int
    slug: str
    title: str
    kind: str
    language: str
    tags: list[str]
    duration: str
    snippet: str  # HTML: escaped text with <mark> around matches
    score: float = 0.0


@dataclass
class SearchResult:
    """A page of hits with facet counts, a spelling suggestion and notes about the query."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None
    notes: list[Message] = field(default_factory=list)
    page: int = 1
    per_page: int = 20


@dataclass
class Suggestion:
    """A title offered while typing."""

    title: str
    slug: str


class SearchBackend(Protocol):
    """What every backend does; the contract tests in tests/methodbook/search hold them to it."""

    name: str

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer a request; never raises on user input."""

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Offer titles and tags that start with what was typed."""

    def apply(self, documents: list, deleted_ids: list[int]) -> None:
        """Add or replace these documents and remove these entry ids."""

    def rebuild(self, documents, progress=None) -> int:
        """Build a fresh index from documents and swap it in; return how many were indexed."""

    def versions(self) -> dict[int, int]:
        """Map each indexed entry id to the revision number it was indexed at."""

    def status(self) -> dict:
        """Say whether the index is usable: {"state": "ok" | "rebuilding" | "missing", ...}."""


def make_backend(kind: str, *, index_dir=None, engine=None) -> SearchBackend:
    """Create the configured backend: "whoosh" (index_dir) or "postgres" (engine)."""
    if kind == "whoosh":
        from .whoosh_backend import WhooshBackend

        return WhooshBackend(index_dir)
    if kind == "postgres":
        from .postgres_backend import PostgresBackend

        return PostgresBackend(engine)
    raise ValueError(f"unknown search backend {kind!r}; use whoosh or postgres")
