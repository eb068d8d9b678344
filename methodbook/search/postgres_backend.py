"""The PostgreSQL backend: tsvector columns filled with the same terms as the Whoosh index.

Analysis happens in Python (text.py), exactly as for Whoosh, and the terms are written into a
tsvector as they are (no PostgreSQL dictionary is involved), with positions and weights: title
A, tags B, text C; the extra text and compound parts D, marked ``+``; the folded whole words
that prefixes match (Whoosh's "spell" field) marked ``~``. The marks let every query but a
phrase be answered by the GIN index alone, without reading vectors. Queries are tsquery
literals built here from quoted terms and passed as bound parameters: user text never reaches
SQL, and nothing it holds can make the tsquery invalid.

Only a bounded set of candidates is ranked, since ranking every match of a common word is what
makes PostgreSQL slow; totals and facet counts still cover every match.

The tables are derived data: ``rebuild`` creates them (no migration does) and swaps them in
by renaming, in one transaction, so searches keep answering while the index is rebuilt. Keep
``TABLE_NAMES`` out of schema comparisons (Alembic autogenerate, the migration test).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..errors import Message
from ..i18n import N_
from ..slugs import fold
from . import Hit, SearchRequest, SearchResult, Suggestion
from .documents import IndexDocument
from .query import Clause, parse_query
from .snippets import snippet
from .text import LANGUAGES, part_terms, query_variants, stem, stems, words

log = logging.getLogger(__name__)

TABLE = "dela_search"
WORDS_TABLE = "dela_search_words"
NEW_SUFFIX, OLD_SUFFIX = "_new", "_old"
# The backend's own tables, with their twins during a rebuild.
TABLE_NAMES = tuple(name + suffix for name in (TABLE, WORDS_TABLE) for suffix in ("", NEW_SUFFIX, OLD_SUFFIX))

# Facet name -> column; tag and role are arrays.
FACET_COLUMNS = {
    "kind": "kind",
    "tag": "tag_keys",
    "role": "roles",
    "phase": "phase",
    "language": "language",
    "duration": "duration_band",
    "network": "network",
}
ARRAY_FACETS = ("tag", "role")
_SCALAR_FACETS = {name: column for name, column in FACET_COLUMNS.items() if name not in ARRAY_FACETS}

# ts_rank weights in the order {D, C, B, A}: title >> tags > text > extra and compound parts.
RANK_WEIGHTS = [0.1, 0.25, 0.5, 1.0]
CANDIDATES = 2000  # matches ranked per query; the newest are taken when there are more
STATEMENT_TIMEOUT_MS = 5000
BATCH = 500

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS = 256  # positions PostgreSQL keeps per lexeme
MAX_LEXEME_BYTES = 500
FIELD_GAP = 8  # positions left empty between fields, so a phrase never spans two of them
WORD_MARK = "~"  # lexemes of folded whole words, used for prefixes
PART_MARK = "+"  # lexemes of the extra text and of compound parts
FIRST_MARK = "^"  # lexemes of the first letters of title and tag words, for suggest()
PHRASE_WEIGHTS = "AC"  # phrases match in the title and the text, as in Whoosh
COMPLETE_MAX = 14  # suggest() matches the first 14 letters of a typed word, like Whoosh's n-grams
SPELL_MAX_EDITS = 2
TRIGRAM_THRESHOLD = 0.1
SPELL_EXTENSIONS = ("fuzzystrmatch", "pg_trgm")  # the first that can be installed is used

# A term becomes a lexeme when it is printable, has no space and is not too long; it is then
# always quoted (see _quote), so no character in it can act as tsquery syntax. Terms come from
# text.words(), so in practice they are letters and digits, with - or ' inside.
_LEXEME = re.compile(r"^[^\s]+$")
_QUERY_TERM = re.compile(r"'(?:[^']|'')*'(?::[*A-D]+)?")
_COMPLETE_TOKEN = re.compile(r"\w+")

# Advisory lock: a fixed class key, and the schema's hash so that schemas do not block each other.
LOCK_CLASS = 0x0DE1A

_EXTENSIONS = (
    "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname IN ('fuzzystrmatch', 'pg_trgm')"
)
# One round trip before each read: settings for this transaction, and whether the index exists.
# The planner does not know that reading a tsvector (out of line, compressed) costs far more than
# asking the GIN index, so with words to match it may scan the table, reading every vector, 10 to
# 40 times slower: sequential scans are off then, and the matches are taken from the GIN index
# into a materialised CTE before anything else. JIT compiling and parallel workers cost more
# than these queries take.
_READ_SETUP = (
    f"SELECT set_config('statement_timeout', '{STATEMENT_TIMEOUT_MS}', true), "
    "set_config('enable_seqscan', :seqscan, true), set_config('jit', 'off', true), "
    "set_config('max_parallel_workers_per_gather', '0', true), "
    "to_regclass('dela_search') IS NOT NULL"
)
_EXISTS = "SELECT to_regclass('dela_search') IS NOT NULL"
_HIT_COLUMNS = "d.entry_id, d.slug, d.title, d.kind, d.language, d.tags, d.duration, d.body"
_MATCH_COLUMNS = "entry_id, created, title_sort, words, " + ", ".join(FACET_COLUMNS.values())
# Sort orders, for the matches (m) and for the rows of the page (d).
_ORDERS = {"newest": "{t}.created DESC, {t}.entry_id DESC", "title": "{t}.title_sort, {t}.entry_id"}


@lru_cache(maxsize=200_000)
def _ok(term: str) -> bool:
    """Tell whether a term can be a lexeme: printable, without spaces, not too long."""
    return bool(_LEXEME.match(term)) and term.isprintable() and len(term.encode()) <= MAX_LEXEME_BYTES


_fold = lru_cache(maxsize=200_000)(fold)


def _quote(lexeme: str) -> str:
    """Quote a lexeme for tsvector or tsquery input."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _ident(name: str) -> str:
    """Quote an SQL identifier (the schema an extension lives in)."""
    return '"' + name.replace('"', '""') + '"'


# -- documents to rows -------------------------------------------------------------------


class _Vector:
    """Collects lexemes with positions and weights, and writes tsvector input."""

    def __init__(self) -> None:
        self.positions: dict[str, list[str]] = {}
        self.bare: set[str] = set()
        self.position = 0

    def add_field(self, terms: Iterable[str], weight: str) -> None:
        """Add a field's terms at the next positions; terms that cannot be lexemes keep their place."""
        suffix = "" if weight == "D" else weight
        positions, position = self.positions, self.position + FIELD_GAP
        for term in terms:
            position += 1
            found = positions.get(term)
            if found is None:
                if not _ok(term):
                    continue
                found = positions[term] = []
            if len(found) < MAX_POSITIONS and position <= MAX_POSITION:
                found.append(f"{position}{suffix}")
            elif not found:
                found.append(f"{MAX_POSITION}{suffix}")
        self.position = position

    def add_bare(self, terms: Iterable[str]) -> None:
        """Add lexemes without positions (they only need to be found)."""
        self.bare.update(terms)

    def literal(self) -> str:
        out = [f"{_quote(term)}:{','.join(posns)}" for term, posns in self.positions.items()]
        out += [_quote(term) for term in self.bare if term not in self.positions]
        return " ".join(out)


@lru_cache(maxsize=100_000)
def _word_parts(word: str, language: str) -> tuple[str, ...]:
    return tuple(part_terms(word, language))


def _part_terms(all_words: list[str], language: str) -> list[str]:
    """text.part_terms of the text these words come from, one word at a time so it can be cached.

    part_terms gives nothing for a hyphenated word (it is not all letters) and words() lists its
    pieces after it, so for a word without a hyphen part_terms(word) is that word's share.
    """
    return [term for w in all_words if "-" not in w for term in _word_parts(w, language)]


def _tag_keys(values: Iterable[str]) -> list[str]:
    """Facet values of tags or roles: split on commas and stripped, like Whoosh's KEYWORD field."""
    keys: list[str] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part and part not in keys:
                keys.append(part)
    return keys


def _row(doc: IndexDocument) -> tuple[dict, Counter]:
    """Return the table row of a document and its spell-word counts.

    The terms are exactly those of the Whoosh backend's fields (text.stems, text.part_terms and
    the folded "spell" and "complete" words).
    """
    lang = doc.language
    tags = " ".join(doc.tags)
    title_words, tag_words, text_words = words(doc.title), words(tags), words(doc.text)
    vector = _Vector()
    vector.add_field((stem(w, lang) for w in title_words), "A")
    vector.add_field((stem(w, lang) for w in tag_words), "B")
    vector.add_field((stem(w, lang) for w in text_words), "C")
    # Extra text and compound parts are marked, so a prefix query can leave them out (as Whoosh
    # does) without weights, which the GIN index cannot check without reading the vector.
    vector.add_field((PART_MARK + t for t in stems(doc.extra, lang)), "D")
    vector.add_field((PART_MARK + t for t in _part_terms(title_words + text_words + tag_words, lang)), "D")
    spell = Counter(_fold(w) for w in title_words + text_words + tag_words if len(w) > 2 and w.isalpha())
    spell = Counter({w: min(n, MAX_POSITIONS) for w, n in spell.items() if _ok(w)})
    vector.add_bare(WORD_MARK + w for w in spell)
    # For suggest(): title and tag words split as Whoosh's n-gram tokenizer splits them, and the
    # first letter of each word (a one-letter word being typed is matched against those).
    complete = _Vector()
    folded = [_fold(w) for w in title_words + tag_words]
    complete.add_bare(t for t in _COMPLETE_TOKEN.findall(" ".join(folded).lower()) if len(t) >= 2 and _ok(t))
    complete.add_bare(FIRST_MARK + w[0] for w in folded if w and _ok(w[0]))
    row = {
        "entry_id": doc.entry_id,
        "revision": doc.revision,
        "slug": doc.slug,
        "title": doc.title,
        "body": doc.text[:4000],
        "duration": doc.duration or "",
        "tags": list(doc.tags),
        "tag_keys": _tag_keys(doc.tags),
        "roles": _tag_keys(doc.roles),
        "kind": doc.kind,
        "language": lang,
        "phase": doc.phase or "",
        "duration_band": doc.duration_band or "none",
        "network": doc.network or "none",
        "visibility": doc.visibility,
        "created": int(doc.created.timestamp()),
        "title_sort": fold(doc.title),
        "words": len(text_words),
        "tsv": vector.literal(),
        "complete": complete.literal(),
        "spell_words": list(spell),
        "spell_counts": list(spell.values()),
    }
    return row, spell


# Column -> type; every name here is a constant of this module, never input.
_COLUMNS = {
    "entry_id": "integer NOT NULL",
    "revision": "integer NOT NULL",
    "slug": "text NOT NULL",
    "title": "text NOT NULL",
    "body": "text NOT NULL",  # the first 4,000 characters, for snippets
    "duration": "text NOT NULL",
    "tags": "text[] NOT NULL",
    "tag_keys": "text[] NOT NULL",
    "roles": "text[] NOT NULL",
    "kind": "text NOT NULL",
    "language": "text NOT NULL",
    "phase": "text NOT NULL",
    "duration_band": "text NOT NULL",
    "network": "text NOT NULL",
    "visibility": "text NOT NULL",
    "created": "bigint NOT NULL",
    "title_sort": 'text COLLATE "C" NOT NULL',  # code-point order, as Whoosh sorts
    "words": "integer NOT NULL",  # words in the text: ties in rank go to shorter entries
    "tsv": "tsvector NOT NULL",
    "complete": "tsvector NOT NULL",
    "spell_words": "text[] NOT NULL",
    "spell_counts": "integer[] NOT NULL",
}
_CASTS = {
    name: kind.split()[0] for name, kind in _COLUMNS.items() if kind.startswith(("text[]", "integer[]", "tsvector"))
}

# Index name suffix -> definition; created after the bulk load, renamed with the table.
_INDEXES = {
    "tsv": "USING gin (tsv)",
    "complete": "USING gin (complete)",
    "created": "(created)",  # not led by visibility: the planner would filter on it and read vectors
    "title_sort": "(title_sort)",
    "kind": "(kind)",
    "language": "(language)",
    "phase": "(phase)",
    "duration_band": "(duration_band)",
    "network": "(network)",
    "tag_keys": "USING gin (tag_keys)",
    "roles": "USING gin (roles)",
}


def _create_sql(table: str, words_table: str) -> list[str]:
    columns = ", ".join(f"{name} {kind}" for name, kind in _COLUMNS.items())
    return [
        f"CREATE TABLE {table} ({columns}, CONSTRAINT {table}_pkey PRIMARY KEY (entry_id))",
        f'CREATE TABLE {words_table} (word text COLLATE "C" NOT NULL, freq integer NOT NULL, '
        f"CONSTRAINT {words_table}_pkey PRIMARY KEY (word))",
    ]


def _insert_sql(table: str, upsert: bool) -> str:
    values = ", ".join(f"CAST(:{c} AS {_CASTS[c]})" if c in _CASTS else f":{c}" for c in _COLUMNS)
    sql = f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES ({values})"  # noqa: S608  (constant names)
    if upsert:
        sql += " ON CONFLICT (entry_id) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in list(_COLUMNS)[1:])
    return sql


# -- queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    """tsquery text to find documents with (exact in the GIN index where it can be), and to rank them."""

    match: str
    rank: str

    @property
    def terms(self) -> int:
        """How many distinct terms ts_rank sees in the ranking query (it divides an OR by this)."""
        return len(set(_QUERY_TERM.findall(self.rank))) or 1


def _clause_query(clause: Clause) -> _Query | None:
    """Return the query of a clause, or None when it can match nothing."""
    if clause.prefix:
        # Stems of title, tags and text (extra and parts are marked) and folded whole words.
        folded = fold(clause.words[0])
        if not _ok(folded):
            return None
        prefix = f"{_quote(folded)}:* | {_quote(WORD_MARK + folded)}:*"
        return _Query(match=prefix, rank=prefix)
    if clause.is_phrase:
        phrases: list[str] = []
        for lang in LANGUAGES:
            terms = [stem(w, lang) for w in clause.words]
            if all(_ok(t) for t in terms):
                phrase = "(" + " <-> ".join(f"{_quote(t)}:{PHRASE_WEIGHTS}" for t in terms) + ")"
                if phrase not in phrases:
                    phrases.append(phrase)
        if not phrases:
            return None
        return _Query(match=" | ".join(phrases), rank=" | ".join(phrases))
    variants = sorted(v for v in query_variants(clause.words[0]) if _ok(v))
    if not variants:
        return None
    terms = " | ".join(f"{_quote(v)} | {_quote(PART_MARK + v)}" for v in variants)
    return _Query(match=terms, rank=terms)


def _join(queries: list[_Query], operator: str) -> _Query:
    if len(queries) == 1:
        return queries[0]
    return _Query(
        match=f" {operator} ".join(f"( {q.match} )" for q in queries),
        rank=f" {operator} ".join(f"( {q.rank} )" for q in queries),
    )


def _any_of(clauses: list[Clause]) -> _Query | None:
    """OR of clauses; None when none of them can match."""
    queries = [q for q in map(_clause_query, clauses) if q is not None]
    return _join(queries, "|") if queries else None


def _levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance (insert, delete, substitute, as Whoosh's corrector), or limit + 1 beyond limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


class PostgresBackend:
    """Search in PostgreSQL tables that the backend creates and rebuilds itself."""

    name = "postgres"

    def __init__(self, engine):
        self.engine = engine
        self.state = "unknown"
        self._extensions: dict[str, str] | None = None  # extension name -> schema, once looked up

    def close(self) -> None:
        """Nothing to release: connections belong to the engine's pool."""

    # -- locking ------------------------------------------------------------------------
    @contextmanager
    def writer_lock(self, blocking: bool = False):
        """Hold the advisory lock that serialises every write to the index; yields whether it was got.

        The lock belongs to a connection of its own, held (outside any transaction) until the end.
        """
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = False
        try:
            if blocking:
                conn.execute(text("SELECT pg_advisory_lock(:c, hashtext(current_schema()))"), {"c": LOCK_CLASS})
                got = True
            else:
                got = bool(
                    conn.execute(
                        text("SELECT pg_try_advisory_lock(:c, hashtext(current_schema()))"), {"c": LOCK_CLASS}
                    ).scalar()
                )
            yield got
        finally:
            try:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:c, hashtext(current_schema()))"), {"c": LOCK_CLASS})
            except Exception:  # noqa: BLE001  (a connection that may still hold the lock must not be reused)
                conn.invalidate()
            finally:
                conn.close()

    # -- extensions for spelling suggestions ------------------------------------------
    def _ensure_extensions(self, conn) -> dict[str, str]:
        """Install fuzzystrmatch, or else pg_trgm, if the database allows; return {name: schema}.

        fuzzystrmatch compares every word of about the right length exactly, and so picks what
        Whoosh's corrector picks; pg_trgm finds most candidates through an index; without either
        the words sharing the first letter are compared in Python.
        """
        for name in SPELL_EXTENSIONS:
            try:
                with conn.begin_nested():
                    conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {name}"))
                break
            except DBAPIError:
                log.info("PostgreSQL extension %s is not available for spelling suggestions", name)
        self._extensions = dict(conn.execute(text(_EXTENSIONS)).all())
        return self._extensions

    def _installed(self, conn) -> dict[str, str]:
        if self._extensions is None:
            self._extensions = dict(conn.execute(text(_EXTENSIONS)).all())
        return self._extensions

    # -- writing ------------------------------------------------------------------------
    def rebuild(self, documents: Iterable[IndexDocument], progress=None) -> int:
        """Load every document into new tables, then swap them in; the caller holds writer_lock."""
        new, new_words = TABLE + NEW_SUFFIX, WORDS_TABLE + NEW_SUFFIX
        count = 0
        freq: Counter = Counter()
        with self.engine.begin() as conn:  # on its own: CREATE EXTENSION locks until commit
            extensions = self._ensure_extensions(conn)
        trgm = extensions.get("pg_trgm") if "fuzzystrmatch" not in extensions else None
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {new}, {new_words}"))
            for statement in _create_sql(new, new_words):
                conn.execute(text(statement))
            insert = text(_insert_sql(new, upsert=False))
            batch: list[dict] = []
            seen: set[int] = set()
            for doc in documents:
                if doc.entry_id in seen:
                    continue
                seen.add(doc.entry_id)
                row, spell = _row(doc)
                batch.append(row)
                freq.update(spell)
                count += 1
                if len(batch) >= BATCH:
                    conn.execute(insert, batch)
                    batch = []
                if progress:
                    progress(1)
            if batch:
                conn.execute(insert, batch)
            known = sorted(freq)
            fill_words = (
                f"INSERT INTO {new_words} (word, freq) SELECT * FROM unnest(CAST(:w AS text[]), CAST(:f AS integer[]))"  # noqa: S608  (constant table name)
            )
            for start in range(0, len(known), 10_000):
                chunk = known[start : start + 10_000]
                conn.execute(text(fill_words), {"w": chunk, "f": [freq[w] for w in chunk]})
            conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
            for suffix, definition in _INDEXES.items():
                conn.execute(text(f"CREATE INDEX {new}_{suffix} ON {new} {definition}"))
            if trgm:
                conn.execute(
                    text(f"CREATE INDEX {new_words}_trgm ON {new_words} USING gin (word {_ident(trgm)}.gin_trgm_ops)")
                )
            conn.execute(text(f"ANALYZE {new}"))
            conn.execute(text(f"ANALYZE {new_words}"))
            # The swap: a search waits for this commit at most, then reads the new tables.
            for final, fresh, suffixes in (
                (TABLE, new, [*_INDEXES, "pkey"]),
                (WORDS_TABLE, new_words, ["pkey", "trgm"]),
            ):
                old = final + OLD_SUFFIX
                conn.execute(text(f"DROP TABLE IF EXISTS {old}"))
                conn.execute(text(f"ALTER TABLE IF EXISTS {final} RENAME TO {old}"))
                conn.execute(text(f"ALTER TABLE {fresh} RENAME TO {final}"))
                conn.execute(text(f"DROP TABLE IF EXISTS {old}"))
                for suffix in suffixes:
                    conn.execute(text(f"ALTER INDEX IF EXISTS {fresh}_{suffix} RENAME TO {final}_{suffix}"))
        # Mark the new table's pages all-visible (and so answer counts from its indexes) without
        # waiting for autovacuum; VACUUM cannot run inside the swap's transaction.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM {TABLE}"))
        self.state = "ok"
        return count

    def apply(self, documents: list[IndexDocument], deleted_ids: Iterable[int]) -> None:
        """Add or replace documents and delete entries; the caller holds writer_lock."""
        latest = {doc.entry_id: doc for doc in documents}
        deleted = sorted({int(i) for i in deleted_ids})
        with self.engine.begin() as conn:
            if not conn.execute(text(_EXISTS)).scalar():
                raise RuntimeError("no search index; run `flask search reindex`")
            # The spelling word list counts words over all documents: take out the old counts.
            delta: Counter = Counter()
            affected = sorted(set(latest) | set(deleted))
            if affected:
                old = conn.execute(
                    text(
                        "SELECT u.word, u.n FROM dela_search, unnest(spell_words, spell_counts) AS u(word, n) "
                        "WHERE entry_id = ANY(CAST(:ids AS integer[]))"
                    ),
                    {"ids": affected},
                )
                for word, n in old:
                    delta[word] -= n
            if deleted:
                conn.execute(
                    text("DELETE FROM dela_search WHERE entry_id = ANY(CAST(:ids AS integer[]))"), {"ids": deleted}
                )
            rows = []
            for doc in latest.values():
                row, spell = _row(doc)
                rows.append(row)
                delta.update(spell)
            if rows:
                conn.execute(text(_insert_sql(TABLE, upsert=True)), rows)
            changed = sorted(w for w, n in delta.items() if n)
            if changed:
                params = {"w": changed, "f": [delta[w] for w in changed]}
                conn.execute(
                    text(
                        "INSERT INTO dela_search_words AS t (word, freq) "
                        "SELECT * FROM unnest(CAST(:w AS text[]), CAST(:f AS integer[])) "
                        "ON CONFLICT (word) DO UPDATE SET freq = t.freq + EXCLUDED.freq"
                    ),
                    params,
                )
                conn.execute(
                    text("DELETE FROM dela_search_words WHERE word = ANY(CAST(:w AS text[])) AND freq <= 0"), params
                )

    # -- reading ------------------------------------------------------------------------
    def versions(self) -> dict[int, int]:
        """Map each indexed entry id to its indexed revision."""
        with self.engine.connect() as conn:
            if not conn.execute(text(_EXISTS)).scalar():
                return {}
            return dict(conn.execute(text("SELECT entry_id, revision FROM dela_search")).all())

    def status(self) -> dict:
        """Say whether the index can answer: ok, rebuilding, missing or damaged."""
        try:
            with self.engine.connect() as conn:
                exists = conn.execute(text(_EXISTS)).scalar()
                documents = conn.execute(text("SELECT count(*) FROM dela_search")).scalar() if exists else 0
        except DBAPIError as exc:
            log.warning("search index status unavailable: %s", exc)
            return {"backend": self.name, "state": "damaged", "documents": 0}
        if exists:
            self.state = "ok"
        elif self.state != "rebuilding":
            self.state = "missing"
        return {"backend": self.name, "state": self.state, "documents": documents}

    def search(self, request: SearchRequest) -> SearchResult:
        """Answer a search request; never raises on user input."""
        parsed = parse_query(request.text)
        filters = {k: [str(v) for v in vs] for k, vs in request.filters.items() if vs}
        for name, values in parsed.filters.items():
            filters.setdefault(name, []).extend(values)
        page, per_page = max(request.page, 1), max(min(request.per_page, 100), 1)
        empty = SearchResult(total=0, hits=[], facets={}, notes=parsed.notes, page=page, per_page=per_page)
        has_words = bool(parsed.groups or parsed.excluded)
        try:
            with self.engine.connect() as conn:
                if not conn.execute(text(_READ_SETUP), {"seqscan": "off" if has_words else "on"}).one()[-1]:
                    if self.state != "rebuilding":
                        self.state = "missing"
                    return empty
                return self._search(conn, request, parsed, filters, page, per_page)
        except DBAPIError:
            log.exception("search failed for %r", request.text[:200])
            return empty

    def _search(self, conn, request: SearchRequest, parsed, filters: dict, page: int, per_page: int) -> SearchResult:
        where = ["visibility = ANY(:visible)"]
        params: dict = {"visible": ["public", *request.audience]}
        for name, values in filters.items():
            column = FACET_COLUMNS.get(name)
            if column is None:
                continue
            params[f"f_{name}"] = values
            if name in ARRAY_FACETS:
                where.append(f"{column} && CAST(:f_{name} AS text[])")
            else:
                where.append(f"{column} = ANY(CAST(:f_{name} AS text[]))")
        excluded = _any_of(parsed.excluded)
        if excluded is not None:
            # An anti-join answered by the index, rather than reading every candidate's vector.
            params["excluded"] = excluded.match
            where.append("entry_id NOT IN (SELECT entry_id FROM dela_search WHERE tsv @@ CAST(:excluded AS tsquery))")
        if request.sort == "title":
            order = "title"
        elif request.sort == "newest" or parsed.is_empty:
            order = "newest"
        else:
            order = None  # relevance

        def run(match: _Query | None, units: list[_Query]):
            conditions, run_params = list(where), dict(params)
            if match is not None:
                conditions.append("tsv @@ CAST(:match AS tsquery)")
                run_params["match"] = match.match
            matches = f"SELECT {_MATCH_COLUMNS} FROM dela_search WHERE {' AND '.join(conditions)}"  # noqa: S608  (built here; values are bound)
            if order is None and units:
                hits = self._ranked(run_params, units, page, per_page)
            else:
                hits = self._sorted(run_params, order or "newest", page, per_page)
            return self._page(conn, matches, hits, run_params)

        units = [_any_of(group) for group in parsed.groups]
        nothing = (0, [], {name: [] for name in FACET_COLUMNS})
        if not units:
            total, rows, facets = run(None, [])
        elif None in units:
            total, rows, facets = nothing  # a word that no index term can match
        else:
            total, rows, facets = run(_join(units, "&"), units)
        if total == 0 and len(parsed.groups) > 1:
            # No entry has every word: rank the entries that have some of them.
            some = [u for u in units if u is not None]
            total, rows, facets = run(_join(some, "|"), some) if some else nothing
            if total:
                parsed.notes.append(Message(N_("No entry has all your words; these have some of them.")))
        plain = parsed.plain_words()
        hits = [
            Hit(
                entry_id=r.entry_id, slug=r.slug, title=r.title, kind=r.kind, language=r.language, tags=list(r.tags),
                duration=r.duration, snippet=snippet(r.body, plain, r.language), score=float(r.score or 0),
            )
            for r in rows
        ]  # fmt: skip
        suggestion = self._did_you_mean(conn, plain) if total == 0 and plain else None
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            notes=parsed.notes,
            page=page,
            per_page=per_page,
        )

    @staticmethod
    def _page(conn, matches: str, hits: str, params: dict) -> tuple[int, list, dict]:
        """Count the matches and each facet value among them, and read a page of hits, in one statement.

        The matches are read from the GIN index once, into a materialised CTE that the counts and
        the page share (see _READ_SETUP). The one-value facets are counted in one pass (grouping
        sets; each row has exactly one of those columns set, or none for the total, as the columns
        are NOT NULL), tags and roles in one pass each; the counts come back as one JSON value,
        beside each hit row (or beside a row of NULLs when the page is empty).
        """
        columns, nulls = ", ".join(_SCALAR_FACETS.values()), ", ".join("NULL::text" for _ in _SCALAR_FACETS)
        sets = ", ".join(f"({column})" for column in _SCALAR_FACETS.values())
        parts = [f"SELECT {columns}, NULL::text, NULL::text, count(*) FROM m GROUP BY GROUPING SETS ({sets}, ())"]  # noqa: S608  (constant names)
        for name in ARRAY_FACETS:
            values = f"SELECT unnest(m.{FACET_COLUMNS[name]}) AS v FROM m"  # noqa: S608  (constant names)
            parts.append(f"SELECT {nulls}, '{name}', v, count(*) FROM ({values}) AS x GROUP BY v")  # noqa: S608  (constant names)
        names = [*_SCALAR_FACETS.values(), "array_facet", "array_value", "n"]
        counted = f"(SELECT json_agg(json_build_array({', '.join('f.' + n for n in names)})) FROM ({' UNION ALL '.join(parts)}) AS f({', '.join(names)}))"  # noqa: S608  (constant names)
        sql = f"WITH m AS MATERIALIZED ({matches}), h AS ({hits}) SELECT {counted} AS facets, h.* FROM (SELECT 1) AS one LEFT JOIN h ON true ORDER BY h.position"  # noqa: S608  (constant names; values are bound)
        rows = list(conn.execute(text(sql), params))
        total, counts = 0, {name: [] for name in FACET_COLUMNS}
        for *scalars, array_facet, array_value, n in rows[0].facets or []:
            if array_facet is not None:
                facet, value = array_facet, array_value
            else:
                found = [(name, v) for name, v in zip(_SCALAR_FACETS, scalars, strict=True) if v is not None]
                if not found:
                    total = n
                    continue
                facet, value = found[0]
            if value not in (None, "none", ""):
                counts[facet].append((str(value), n))
        for name in counts:
            counts[name].sort(key=lambda kv: (-kv[1], kv[0]))
        return total, [r for r in rows if r.entry_id is not None], counts

    @staticmethod
    def _sorted(params: dict, order: str, page: int, per_page: int) -> str:
        """The query of a page of matches (m) in date or title order."""
        params.update(limit=per_page, offset=(page - 1) * per_page)
        page_ids = f"SELECT m.entry_id FROM m ORDER BY {_ORDERS[order].format(t='m')} LIMIT :limit OFFSET :offset"  # noqa: S608  (constant names)
        return f"SELECT {_HIT_COLUMNS}, 0.0 AS score, row_number() OVER (ORDER BY {_ORDERS[order].format(t='d')}) AS position FROM dela_search AS d WHERE d.entry_id = ANY(ARRAY({page_ids}))"  # noqa: S608  (constant names)

    @staticmethod
    def _ranked(params: dict, units: list[_Query], page: int, per_page: int) -> str:
        """The query of a page of matches (m) ranked: a bounded set of candidates (the newest
        matches) is ranked, never every match.

        The score sums, per word group, ts_rank times the group's number of terms (ts_rank divides
        an OR by it) times the group's idf, so a rare word counts for more than a common one, as
        with BM25 in Whoosh. Ties go to the shorter entry, as BM25's length normalisation has it.
        The idf counts are subqueries of the ranking, so a search with no match does not count.
        """
        offset = (page - 1) * per_page
        params.update(limit=per_page, offset=offset, weights=RANK_WEIGHTS)
        params["candidates"] = max(CANDIDATES, offset + per_page)
        scores, counts = [], ["(SELECT count(*) FROM dela_search) AS n"]
        for i, unit in enumerate(units):
            params[f"r{i}"] = unit.rank
            factor = f"{unit.terms:.6f}"
            if len(units) > 1:
                # max(idf, 0.01) * terms, to six decimals; idf = ln(documents / (df + 1)) + 1
                params[f"u{i}"] = unit.match
                counts.append(f"(SELECT count(*) FROM dela_search WHERE tsv @@ CAST(:u{i} AS tsquery)) AS df{i}")  # noqa: S608  (a placeholder)
                idf = f"ln(CAST((SELECT n FROM c) AS float8) / ((SELECT df{i} FROM c) + 1)) + 1"  # noqa: S608  (constant names)
                factor = f"CAST(round(CAST(GREATEST({idf}, 0.01) * {unit.terms} AS numeric), 6) AS float8)"
            scores.append(f"{factor} * ts_rank(CAST(:weights AS real[]), d.tsv, CAST(:r{i} AS tsquery))")
        candidates = "SELECT m.entry_id FROM m ORDER BY m.created DESC, m.entry_id DESC LIMIT :candidates"
        # The counts are read once, and only when there are candidates to rank.
        ranked = f"WITH c AS MATERIALIZED (SELECT {', '.join(counts)}) SELECT {_HIT_COLUMNS}, {' + '.join(scores)} AS score, d.words FROM dela_search AS d WHERE d.entry_id = ANY(ARRAY({candidates})) ORDER BY score DESC, d.words, d.entry_id LIMIT :limit OFFSET :offset"  # noqa: S608  (numbers and placeholders)
        return f"SELECT r.*, row_number() OVER (ORDER BY r.score DESC, r.words, r.entry_id) AS position FROM ({ranked}) AS r"  # noqa: S608  (built here)

    # -- spelling -----------------------------------------------------------------------
    def _did_you_mean(self, conn, plain: list[str]) -> str | None:
        """Correct words of 4 to 30 letters that no document has, as the Whoosh backend does."""
        folded_words = [fold(w) for w in plain]
        checkable = sorted({f for f in folded_words if 4 <= len(f) <= 30})
        if not checkable:
            return None
        known = set(
            conn.execute(
                text("SELECT word FROM dela_search_words WHERE word = ANY(CAST(:w AS text[]))"), {"w": checkable}
            ).scalars()
        )
        corrected, changed = [], False
        for word, folded in zip(plain, folded_words, strict=True):
            if len(folded) < 4 or len(folded) > 30 or folded in known:
                corrected.append(word)
                continue
            found = self._correction(conn, folded)
            if found:
                corrected.append(found)
                changed = True
            else:
                corrected.append(word)
        return " ".join(corrected) if changed else None

    def _correction(self, conn, folded: str) -> str | None:
        """The most frequent indexed word within two edits; of equally frequent ones the last
        alphabetically, which is what Whoosh's corrector (keeping the largest (score, word)) picks."""
        bounds = {"w": folded, "lo": len(folded) - SPELL_MAX_EDITS, "hi": len(folded) + SPELL_MAX_EDITS}
        extensions = self._installed(conn)
        try:
            with conn.begin_nested():
                # The word list is read from start to end here, on purpose.
                conn.execute(text("SELECT set_config('enable_seqscan', 'on', true)"))
                if "fuzzystrmatch" in extensions:
                    schema = _ident(extensions["fuzzystrmatch"])
                    sql = f"SELECT word FROM dela_search_words WHERE length(word) BETWEEN :lo AND :hi AND word <> :w AND {schema}.levenshtein_less_equal(word, :w, :d) <= :d ORDER BY freq DESC, word DESC LIMIT 1"  # noqa: S608  (a quoted schema name; values are bound)
                    return conn.execute(text(sql), {**bounds, "d": SPELL_MAX_EDITS}).scalar()
                candidates: dict[str, int] = {}
                if "pg_trgm" in extensions:
                    schema = _ident(extensions["pg_trgm"])
                    conn.execute(
                        text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"),
                        {"t": str(TRIGRAM_THRESHOLD)},
                    )
                    sql = f"SELECT word, freq FROM dela_search_words WHERE word OPERATOR({schema}.%) :w AND length(word) BETWEEN :lo AND :hi ORDER BY {schema}.similarity(word, :w) DESC LIMIT 500"  # noqa: S608  (a quoted schema name; values are bound)
                    candidates.update(conn.execute(text(sql), bounds).all())
        except DBAPIError:
            log.warning(
                "spelling suggestion through an extension failed; looking the extensions up again", exc_info=True
            )
            self._extensions = None
            candidates = {}
        # Words sharing the first letter: what trigrams miss in short words, all there is without either extension.
        if ord(folded[0]) < 0x10FFFF:
            sql = "SELECT word, freq FROM dela_search_words WHERE word >= :first AND word < :after AND length(word) BETWEEN :lo AND :hi LIMIT 20000"
            after = chr(ord(folded[0]) + 1)
            candidates.update(conn.execute(text(sql), {**bounds, "first": folded[0], "after": after}).all())
        near = [
            (freq, word)
            for word, freq in candidates.items()
            if word != folded and _levenshtein(word, folded, SPELL_MAX_EDITS) <= SPELL_MAX_EDITS
        ]
        return max(near)[1] if near else None

    # -- suggestions while typing -------------------------------------------------------
    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Offer titles whose words (or tags) start with what was typed."""
        typed = [fold(w) for w in words(prefix or "") if "-" not in w]
        if not typed or len("".join(typed)) < 2:
            return []
        # Words of two letters and more match the start of a title or tag word (its first 14
        # letters, as Whoosh's n-grams); a one-letter word being typed matches a first letter.
        indexed = [w[:COMPLETE_MAX] for w in typed if len(w) >= 2]
        short = [FIRST_MARK + w for w in typed if len(w) < 2]
        if not indexed or not all(_ok(t) for t in indexed + [s[1:] for s in short]):
            return []
        query = " & ".join([f"{_quote(t)}:*" for t in indexed] + [_quote(s) for s in short])
        try:
            with self.engine.connect() as conn:
                if not conn.execute(text(_READ_SETUP), {"seqscan": "off"}).one()[-1]:
                    return []
                rows = conn.execute(
                    text(
                        "SELECT title, slug FROM dela_search WHERE visibility = 'public' AND complete @@ CAST(:q AS tsquery) "
                        "ORDER BY title_sort, entry_id LIMIT :limit"
                    ),
                    {"q": query, "limit": max(1, min(int(limit), 100))},
                )
                return [Suggestion(title=title, slug=slug) for title, slug in rows]
        except DBAPIError:
            log.exception("title suggestions failed for %r", (prefix or "")[:200])
            return []
