"""The embedded backend: a Whoosh index in a folder, swapped atomically on rebuild.

Terms are stemmed in Python (text.py) with the entry's own language, so one field serves every
language; a query word is expanded to its stems in sv, da, no and en. Rebuilds write a new
index beside the current one and switch the CURRENT pointer file, so searches keep answering.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import NgramWordAnalyzer, SpaceSeparatedTokenizer
from whoosh.codec.base import Automata
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.query import And, AndMaybe, AndNot, Every, Or, Phrase, Prefix, Term

from ..errors import Message
from ..i18n import N_
from ..slugs import fold
from . import Hit, SearchRequest, SearchResult, Suggestion
from .documents import IndexDocument
from .query import Clause, parse_query
from .snippets import snippet
from .text import LANGUAGES, compound_split, part_terms, query_variants, stem, stems, words
from .whoosh_segments import PostingCache, SearchView, SegmentArrays

_TERMS = SpaceSeparatedTokenizer()
SPELLING_DISTANCE = 2  # edits a "did you mean" suggestion may be from the word typed
FACET_FIELDS = {
    "kind": "kind",
    "tag": "tag",
    "role": "role",
    "phase": "phase",
    "language": "language",
    "duration": "duration",
    "network": "network",
}


def make_schema() -> Schema:
    """Return the index schema."""
    return Schema(
        id=ID(stored=True, unique=True),
        revision=STORED,
        slug=STORED,
        stored_title=STORED,
        stored_text=STORED,
        stored_duration=STORED,
        stored_tags=STORED,
        title=TEXT(analyzer=_TERMS, field_boost=4.0, phrase=True),
        tags_text=TEXT(analyzer=_TERMS, field_boost=2.0),
        text=TEXT(analyzer=_TERMS, phrase=True),
        extra=TEXT(analyzer=_TERMS, field_boost=0.8),
        parts=TEXT(analyzer=_TERMS, field_boost=0.3),
        spell=TEXT(analyzer=_TERMS),
        complete=TEXT(analyzer=NgramWordAnalyzer(minsize=2, maxsize=14, at="start"), stored=False),
        kind=ID(stored=True),
        language=ID(stored=True),
        tag=KEYWORD(commas=True, lowercase=False, stored=False),
        role=KEYWORD(commas=True, stored=False),
        phase=ID,
        duration=ID,
        network=ID,
        visibility=ID,
        created=NUMERIC(int, bits=64, sortable=True, stored=True),
        title_sort=ID(sortable=True),
    )


def _fields(doc: IndexDocument) -> dict:
    lang = doc.language
    all_text = f"{doc.title}\n{doc.text}\n{' '.join(doc.tags)}"
    return {
        "id": str(doc.entry_id),
        "revision": doc.revision,
        "slug": doc.slug,
        "stored_title": doc.title,
        "stored_text": doc.text[:4000],
        "stored_duration": doc.duration,
        "stored_tags": doc.tags,
        "title": " ".join(stems(doc.title, lang)),
        "tags_text": " ".join(stems(" ".join(doc.tags), lang)),
        "text": " ".join(stems(doc.text, lang)),
        "extra": " ".join(stems(doc.extra, lang)),
        "parts": " ".join(part_terms(f"{doc.title} {doc.text} {' '.join(doc.tags)}", lang)),
        "spell": " ".join(fold(w) for w in words(all_text) if w.isalpha() and len(w) > 2),
        "complete": " ".join(fold(w) for w in words(f"{doc.title} {' '.join(doc.tags)}")),
        "kind": doc.kind,
        "language": lang,
        "tag": ",".join(doc.tags),
        "role": ",".join(doc.roles),
        "phase": doc.phase,
        "duration": doc.duration_band or "none",
        "network": doc.network or "none",
        "visibility": doc.visibility,
        "created": int(doc.created.timestamp()),
        "title_sort": fold(doc.title),
    }


def _variants(word: str) -> set[str]:
    return query_variants(word)


def _clause_query(clause: Clause):
    if clause.prefix:
        folded = fold(clause.words[0])
        return Or([Prefix(f, folded) for f in ("title", "text", "tags_text", "spell")])
    if clause.is_phrase:
        phrases, seen = [], []
        for lang in LANGUAGES:
            terms = [stem(w, lang) for w in clause.words]
            if terms not in seen:  # languages often stem the words alike: check each phrase once
                seen.append(terms)
                phrases += [Phrase("title", terms), Phrase("text", terms)]
        return Or(phrases)
    variants = _variants(clause.words[0])
    return Or([Term(f, v) for v in variants for f in ("title", "tags_text", "text", "extra", "parts")])


def whoosh_query(parsed, any_words: bool = False):
    """Return the Whoosh query of a parsed search: every required word group (or, with any_words,
    any of them), and the optional groups (function words) for the rank only."""
    groups = [Or([_clause_query(c) for c in group]) for group in parsed.required_groups]
    query = (Or(groups) if any_words else And(groups)) if groups else Every()
    optional = [Or([_clause_query(c) for c in group]) for group in parsed.optional_groups]
    if optional:
        query = AndMaybe(query, Or(optional))
    if parsed.excluded:
        query = AndNot(query, Or([_clause_query(c) for c in parsed.excluded]))
    return query


def correction(reader, field: str, word: str, maxdist: int) -> str | None:
    """The index's word nearest to a misspelt one: within maxdist edits, the most frequent (ties to the last
    in code-point order), as Whoosh's corrector ranks its suggestions.

    Whoosh's corrector walks a segment's word list with a Levenshtein automaton, but on an index of
    several segments (one per commit until they merge) it compares every word of the field instead,
    which at 50,000 entries took some 50 ms. Here the automaton is built once and walks each segment."""
    words_field = reader.schema[field].spelling_fieldname(field)
    dfa = Automata.levenshtein_dfa(word, maxdist)
    found = set()
    for leaf, _ in reader.leaf_readers():
        found.update(Automata.find_matches(dfa, leaf.cursor(words_field)))
    found.discard(word)
    if not found:
        return None
    return max(found, key=lambda w: (reader.frequency(field, w), w))


class WhooshBackend:
    """Whoosh index under ``root``; one shared searcher per process, refreshed on change."""

    name = "whoosh"

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._index = None
        self._index_dir: Path | None = None
        self._searcher = None
        self._view: SearchView | None = None
        # Arrays derived from each segment's postings, by segment id: a segment never changes once
        # written, so they outlive the searcher and only new segments are read after a change.
        self._segments: dict[str, SegmentArrays] = {}
        self._postings = PostingCache()
        self._lock = threading.RLock()
        self.state = "unknown"

    # -- the index folder ---------------------------------------------------------------
    def _pointer(self) -> Path:
        return self.root / "CURRENT"

    def current_dir(self) -> Path | None:
        """Return the folder of the index in use, or None when there is none."""
        try:
            name = self._pointer().read_text().strip()
        except OSError:
            return None
        return self.root / name if name else None

    def _open(self):
        with self._lock:
            wanted = self.current_dir()
            if self._index is not None and wanted == self._index_dir:
                return self._index
            self._close()
            try:
                present = wanted is not None and whoosh_index.exists_in(str(wanted))
            except Exception:  # noqa: BLE001  (a truncated table of contents)
                self.state = "damaged"
                return None
            if not present:
                if self.state != "rebuilding":
                    self.state = "missing"
                return None
            try:
                self._index = whoosh_index.open_dir(str(wanted))
                self._index.doc_count()
            except Exception:  # noqa: BLE001  (a damaged index must not take the site down)
                self._index = None
                self.state = "damaged"
                return None
            self._index_dir = wanted
            self.state = "ok"
            return self._index

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self._view = None
        self._segments = {}
        self._postings = PostingCache()
        self._index = None
        self._index_dir = None

    def close(self) -> None:
        """Release open files."""
        with self._lock:
            self._close()

    def searcher(self):
        """Return the shared searcher, refreshed when the index changed; None without an index."""
        with self._lock:
            ix = self._open()
            if ix is None:
                return None
            try:
                if self._searcher is not None and not self._searcher.up_to_date():
                    # Not Searcher.refresh(): in whoosh3 3.54 it reuses segment readers and misses
                    # deletions made in an existing segment. A fresh searcher after a change is exact.
                    self._searcher.close()
                    self._searcher = None
                    self._view = None
                if self._searcher is None:
                    self._searcher = ix.searcher()
            except Exception:  # noqa: BLE001
                self._close()
                self.state = "damaged"
                return None
            return self._searcher

    def view(self) -> SearchView | None:
        """Return the shared searcher with its segment arrays and filter masks; None without an index."""
        with self._lock:
            searcher = self.searcher()
            if searcher is None:
                return None
            if self._view is None or self._view.searcher is not searcher:
                try:
                    self._view = SearchView(searcher, self._segments, self._postings)
                except Exception:  # noqa: BLE001  (a damaged segment must not take the site down)
                    self._close()
                    self.state = "damaged"
                    return None
                # Forget the arrays of segments that were merged away.
                self._segments = {k: v for k, v in self._segments.items() if k in self._view.segment_ids}
                self._postings.keep_only(self._view.segment_ids)
            return self._view

    @contextmanager
    def writer_lock(self, blocking: bool = False):
        """Hold the lock that serialises every write to the index; yields whether it was got."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".write.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- writing ------------------------------------------------------------------------
    def apply(self, documents: list[IndexDocument], deleted_ids: Iterable[int]) -> None:
        """Add or replace documents and delete entries; the caller holds writer_lock."""
        ix = self._open()
        if ix is None:
            raise RuntimeError("no search index; run `flask search reindex`")
        writer = ix.writer(timeout=30)
        try:
            for entry_id in deleted_ids:
                writer.delete_by_term("id", str(entry_id))
            for doc in documents:
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, documents: Iterable[IndexDocument], progress=None) -> int:
        """Write a new index from documents, then point CURRENT at it; the caller holds writer_lock."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"index-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9}"
        target = self.root / name
        target.mkdir()
        ix = whoosh_index.create_in(str(target), make_schema())
        writer = ix.writer(limitmb=128)
        count = 0
        try:
            for doc in documents:
                writer.add_document(**_fields(doc))
                count += 1
                if progress:
                    progress(1)
        except BaseException:
            writer.cancel()
            shutil.rmtree(target, ignore_errors=True)
            raise
        writer.commit()
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(name)
        os.replace(tmp, self._pointer())
        self._remove_old(keep={name})
        return count

    def _remove_old(self, keep: set[str]) -> None:
        previous = self._index_dir.name if self._index_dir else None
        for folder in self.root.glob("index-*"):
            if folder.name not in keep and folder.name != previous:
                shutil.rmtree(folder, ignore_errors=True)

    # -- reading ------------------------------------------------------------------------
    def versions(self) -> dict[int, int]:
        """Map each indexed entry id to its indexed revision."""
        searcher = self.searcher()
        if searcher is None:
            return {}
        return {int(fields["id"]): fields["revision"] for fields in searcher.all_stored_fields()}

    def status(self) -> dict:
        """Say whether the index can answer: ok, rebuilding, missing or damaged."""
        searcher = self.searcher()
        if searcher is not None and self.state == "rebuilding":
            self.state = "ok"
        return {"backend": self.name, "state": self.state, "documents": searcher.doc_count() if searcher else 0}

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer a search request."""
        parsed = parse_query(request.text)
        filters = {k: list(v) for k, v in request.filters.items() if v}
        for name, values in parsed.filters.items():
            filters.setdefault(name, []).extend(values)
        page, per_page = max(request.page, 1), max(min(request.per_page, 100), 1)
        view = self.view()
        if view is None:
            return SearchResult(total=0, hits=[], facets={}, notes=parsed.notes, page=page, per_page=per_page)
        searcher = view.searcher
        query = whoosh_query(parsed)
        mask_filters = {"visibility": ["public", *request.audience]}
        for name, values in filters.items():
            if name in FACET_FIELDS:
                mask_filters.setdefault(FACET_FIELDS[name], []).extend(str(v) for v in values)
        sort = None
        if request.sort == "newest" or (parsed.is_empty and request.sort == "relevance"):
            sort = "newest"
        elif request.sort == "title":
            sort = "title"
        total, top, counts = view.run(query, mask_filters, sort, page * per_page, FACET_FIELDS)
        if total == 0 and len(parsed.required_groups) > 1:
            # No entry has every word: rank the entries that have some of them.
            total, top, counts = view.run(
                whoosh_query(parsed, any_words=True), mask_filters, sort, page * per_page, FACET_FIELDS
            )
            if total:
                parsed.notes.append(Message(N_("No entry has all your words; these have some of them.")))
        hits = []
        plain = parsed.plain_words()
        for docnum, score in top[(page - 1) * per_page : page * per_page]:
            stored = searcher.stored_fields(docnum)
            hits.append(
                Hit(
                    entry_id=int(stored["id"]), slug=stored["slug"], title=stored["stored_title"], kind=stored["kind"],
                    language=stored["language"], tags=stored["stored_tags"], duration=stored["stored_duration"],
                    snippet=snippet(stored["stored_text"], plain, stored["language"]), score=score,
                )
            )  # fmt: skip
        facet_counts = {
            name: sorted(
                ((str(k), n) for k, n in counts[name].items() if k not in (None, "none", "")),
                key=lambda kv: (-kv[1], kv[0]),
            )
            for name in FACET_FIELDS
        }
        suggestion = self._did_you_mean(searcher, plain) if total == 0 and plain else None
        return SearchResult(
            total=total,
            hits=hits,
            facets=facet_counts,
            suggestion=suggestion,
            notes=parsed.notes,
            page=page,
            per_page=per_page,
        )

    def _did_you_mean(self, searcher, plain: list[str]) -> str | None:
        corrected, changed = [], False
        for word in plain:
            folded = fold(word)
            if len(folded) < 4 or len(folded) > 30 or searcher.doc_frequency("spell", folded):
                corrected.append(word)
                continue
            found = correction(searcher.reader(), "spell", folded, SPELLING_DISTANCE) or compound_split(
                word, lambda parts: {p: searcher.frequency("spell", p) for p in parts}
            )
            if found:
                corrected.append(found)
                changed = True
            else:
                corrected.append(word)
        return " ".join(corrected) if changed else None

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Offer titles whose words (or tags) start with what was typed."""
        typed = [fold(w) for w in words(prefix) if "-" not in w]
        searcher = self.searcher()
        if searcher is None or not typed or len("".join(typed)) < 2:
            return []
        # The index holds prefixes of two letters and more; a one-letter word being typed is
        # matched against the titles' words here instead.
        indexed = [w for w in typed if len(w) >= 2]
        short = [w for w in typed if len(w) < 2]
        query = And([Term("complete", w[:14]) for w in indexed])
        results = searcher.search(
            query, filter=Term("visibility", "public"), limit=limit * 4 if short else limit, sortedby="title_sort"
        )
        found = []
        for hit in results:
            title_words = [fold(w) for w in words(hit["stored_title"] + " " + " ".join(hit["stored_tags"]))]
            if all(any(tw.startswith(s) for tw in title_words) for s in short):
                found.append(Suggestion(title=hit["stored_title"], slug=hit["slug"]))
        return found[:limit]
