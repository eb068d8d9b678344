"""The PostgreSQL backend: tsvector columns filled with the same terms as the Whoosh index.

Analysis happens in Python (text.py), exactly as for Whoosh, and the terms are written into a
tsvector as they are (no PostgreSQL dictionary is involved), with positions and weights: title
A, tags B, text C; the extra text and compound parts D, marked ``+``; the folded whole words
that prefixes match (Whoosh's "spell" field) marked ``~``; each two neighbouring words of the
title and the text as one lexeme marked ``>``. The marks let every query but a phrase of three
words or more be answered by the GIN index alone, without reading vectors. Queries are tsquery
literals built here from quoted terms and passed as bound parameters: user text never reaches
SQL, and nothing it holds can make the tsquery invalid.

A search asks the database only which entries match its words: ``dela_search`` is a narrow
table (entry id, a position number, the vectors stored out of line), so reading the matches of
a common word touches few pages. Filters, facet counts and the date and title orders are
answered in the process from a ``masks.Catalogue`` of every entry's facet values, kept current
from ``dela_search_log``, where every change appends the entries it touched under a new
generation number. The text shown in results lives in ``dela_search_docs``. Only a bounded set
of candidates is ranked (reading vectors is what makes ranking slow): the newest of the
entries with the words in their title or tags, which outrank the others, then the newest of
the rest; totals and facet counts still cover every match.

The tables are derived data: ``rebuild`` creates them (no migration does) and swaps them in
by renaming, in one transaction, so searches keep answering while the index is rebuilt. Keep
``TABLE_NAMES`` out of schema comparisons (Alembic autogenerate, the migration test).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from psycopg.rows import namedtuple_row
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..errors import Message
from ..i18n import N_
from ..slugs import fold
from . import Hit, SearchRequest, SearchResult, Suggestion
from .documents import IndexDocument
from .masks import Catalogue, CatalogueRow
from .query import Clause, parse_query
from .snippets import snippet
from .text import LANGUAGES, compound_split, part_terms, query_variants, stem, stems, words

log = logging.getLogger(__name__)

TABLE = "dela_search"  # entry id, position, vectors: what matching reads
DOCS_TABLE = "dela_search_docs"  # what results show and the catalogue holds
WORDS_TABLE = "dela_search_words"  # the spelling word list
LOG_TABLE = "dela_search_log"  # (generation, entry id) of every change since the rebuild
NEW_SUFFIX, OLD_SUFFIX = "_new", "_old"
_TABLES = (TABLE, DOCS_TABLE, WORDS_TABLE, LOG_TABLE)
# The backend's own tables, with their twins during a rebuild.
TABLE_NAMES = tuple(name + suffix for name in _TABLES for suffix in ("", NEW_SUFFIX, OLD_SUFFIX))

# Facet name -> column of the documents table; tag and role are arrays.
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

RANK_WEIGHTS = [0.1, 0.25, 0.5, 1.0]
CANDIDATES = 500  # matches ranked per query: title and tag matches first, the newest of each
LOG_KEEP = 5000  # generations of changes kept; a process further behind reloads its catalogue
STATEMENT_TIMEOUT_MS = 5000
BATCH = 500

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS = 256  # positions PostgreSQL keeps per lexeme
MAX_LEXEME_BYTES = 500
FIELD_GAP = 8  # positions left empty between fields, so a phrase never spans two of them
WORD_MARK = "~"  # lexemes of folded whole words, used for prefixes
PART_MARK = "+"  # lexemes of the extra text and of compound parts
FIRST_MARK = "^"  # lexemes of the first letters of title and tag words, for suggest()
# What queries match: the words' vector and their pairs', as one (a GIN index on the expression;
# the vectors are read only to check phrases of three words or more). Ranking reads tsv alone.
MATCHED = "(tsv || pairs)"
PAIR_MARK, PAIR_JOIN = ">", "_"  # lexemes of two neighbouring words, ">a_b": phrases without reading vectors
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
LOCK_CLASS = 0x0DE1A  # writer_lock; LOCK_CLASS + 1 orders the generations of apply()

_EXTENSIONS = (
    "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname IN ('fuzzystrmatch', 'pg_trgm')"
)
# The index exists when its log does (the tables are swapped in together); the log's oid changes
# with every rebuild, and so tells a process that its catalogue belongs to an older index.
_EXISTS = "SELECT CAST(to_regclass('dela_search_log') AS oid)"
# One round trip before each read: settings for this transaction, and the index's oid. The
# planner does not know that reading a tsvector (out of line) costs far more than asking the GIN
# index, so with words to match it may scan the table, reading every vector, 10 to 40 times
# slower: sequential scans are off then. JIT compiling and parallel workers cost more than these
# queries take.
_READ_SETUP = (
    f"SELECT set_config('statement_timeout', '{STATEMENT_TIMEOUT_MS}', true), "
    "set_config('enable_seqscan', :seqscan, true), set_config('jit', 'off', true), "
    "set_config('max_parallel_workers_per_gather', '0', true), "
    "CAST(to_regclass('dela_search_log') AS oid)"
)
_GENERATION = "(SELECT coalesce(max(gen), 0) FROM dela_search_log) AS generation"
_HIT_COLUMNS = "d.entry_id, d.slug, d.title, d.kind, d.language, d.tags, d.duration, d.body"
_JOINED = "dela_search AS s JOIN dela_search_docs AS d ON d.entry_id = s.entry_id"
# The catalogue: a few entries as rows; the whole index as entries, the positions having each
# facet value, and the orders (sorted in SQL: title_sort's collation is code-point order).
_CATALOGUE_COLUMNS = ", ".join(
    ["s.pos", "d.entry_id", "d.visibility", "d.created", "d.title_sort"] + [f"d.{c}" for c in FACET_COLUMNS.values()]
)
# The entries changed since a generation, with NULLs for those no longer indexed.
_CHANGED_SQL = (
    f"SELECT c.entry_id AS changed_id, {_CATALOGUE_COLUMNS} FROM (SELECT DISTINCT entry_id FROM dela_search_log "  # noqa: S608  (constant names)
    "WHERE gen > %(g)s) AS c LEFT JOIN dela_search AS s ON s.entry_id = c.entry_id "
    "LEFT JOIN dela_search_docs AS d ON d.entry_id = s.entry_id"
)
_ENTRIES_SQL = f"SELECT s.pos, d.entry_id, d.created, d.title_sort FROM {_JOINED}"  # noqa: S608  (constant names)
_MEMBER_SQL = {
    "array": "SELECT CAST('{name}' AS text), v, array_agg(pos) FROM j, unnest(j.{column}) AS v GROUP BY v",
    "scalar": "SELECT CAST('{name}' AS text), {column}, array_agg(pos) FROM j GROUP BY {column}",
}
_MEMBERS_SQL = f"WITH j AS MATERIALIZED (SELECT {_CATALOGUE_COLUMNS} FROM {_JOINED}) " + " UNION ALL ".join(  # noqa: S608  (constant names)
    _MEMBER_SQL["array" if name in ARRAY_FACETS else "scalar"].format(name=name, column=column)
    for name, column in [*FACET_COLUMNS.items(), ("visibility", "visibility")]
)
_PAGE_SQL = (
    f"SELECT {_HIT_COLUMNS}, 0.0 AS score FROM dela_search_docs AS d WHERE d.entry_id = ANY(CAST(%(ids)s AS integer[]))"  # noqa: S608  (constant names)
)
_ORDERS_SQL = f"SELECT array_agg(s.pos ORDER BY d.created DESC, d.entry_id DESC) AS newest, array_agg(s.pos ORDER BY d.title_sort, d.entry_id) AS by_title FROM {_JOINED}"  # noqa: S608  (constant names)


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


def _pairs(terms: list[str]) -> list[str]:
    """Lexemes of each two neighbouring terms of a field (both lexemes themselves), for phrases.

    A phrase of two words is then one lexeme, which the GIN index answers exactly; a longer
    phrase needs all its pairs, and only the entries that have them are read to check the order.
    Words are made of letters, digits, ' and -, so the mark and the joint cannot occur in them.
    """
    return [
        lexeme
        for a, b in zip(terms, terms[1:], strict=False)
        if _ok(a) and _ok(b) and _ok(lexeme := f"{PAIR_MARK}{a}{PAIR_JOIN}{b}")
    ]


def _tag_keys(values: Iterable[str]) -> list[str]:
    """Facet values of tags or roles: split on commas and stripped, like Whoosh's KEYWORD field."""
    keys: list[str] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part and part not in keys:
                keys.append(part)
    return keys


def _row(doc: IndexDocument) -> tuple[dict, dict, Counter]:
    """Return a document's row of the matching table (without its position), its row of the
    documents table, and its spell-word counts.

    The terms are exactly those of the Whoosh backend's fields (text.stems, text.part_terms and
    the folded "spell" and "complete" words).
    """
    lang = doc.language
    tags = " ".join(doc.tags)
    title_words, tag_words, text_words = words(doc.title), words(tags), words(doc.text)
    title_stems, tag_stems = [stem(w, lang) for w in title_words], [stem(w, lang) for w in tag_words]
    text_stems = [stem(w, lang) for w in text_words]
    vector = _Vector()
    vector.add_field(title_stems, "A")
    vector.add_field(tag_stems, "B")
    vector.add_field(text_stems, "C")
    # Extra text and compound parts are marked, so a prefix query can leave them out (as Whoosh
    # does) without weights, which the GIN index cannot check without reading the vector.
    vector.add_field((PART_MARK + t for t in stems(doc.extra, lang)), "D")
    vector.add_field((PART_MARK + t for t in _part_terms(title_words + text_words + tag_words, lang)), "D")
    spell = Counter(_fold(w) for w in title_words + text_words + tag_words if len(w) > 2 and w.isalpha())
    spell = Counter({w: min(n, MAX_POSITIONS) for w, n in spell.items() if _ok(w)})
    vector.add_bare(WORD_MARK + w for w in spell)
    # The same terms of the title and tags alone: the candidates ranked first.
    head = _Vector()
    head.add_field(title_stems, "A")
    head.add_field(tag_stems, "B")
    head.add_bare(_pairs(title_stems))
    head.add_field((PART_MARK + t for t in _part_terms(title_words + tag_words, lang)), "D")
    head.add_bare(WORD_MARK + _fold(w) for w in title_words + tag_words if len(w) > 2 and w.isalpha() and _ok(_fold(w)))
    # For suggest(): title and tag words split as Whoosh's n-gram tokenizer splits them, and the
    # first letter of each word (a one-letter word being typed is matched against those).
    complete = _Vector()
    folded = [_fold(w) for w in title_words + tag_words]
    complete.add_bare(t for t in _COMPLETE_TOKEN.findall(" ".join(folded).lower()) if len(t) >= 2 and _ok(t))
    complete.add_bare(FIRST_MARK + w[0] for w in folded if w and _ok(w[0]))
    # Phrases match in the title and the text (PHRASE_WEIGHTS): their neighbouring words, kept
    # apart from the vector that ranking reads.
    pairs = _Vector()
    pairs.add_bare(_pairs(title_stems) + _pairs(text_stems))
    match = {
        "entry_id": doc.entry_id,
        "words": len(text_words),
        "tsv": vector.literal(),
        "pairs": pairs.literal(),
        "head": head.literal(),
    }
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
        "complete": complete.literal(),
        "spell_words": list(spell),
        "spell_counts": list(spell.values()),
    }
    return match, row, spell


# Table -> column -> type; every name here is a constant of this module, never input.
_COLUMNS = {
    TABLE: {
        "entry_id": "integer NOT NULL",
        "pos": "integer NOT NULL",  # the entry's bit in the catalogue's masks
        "words": "integer NOT NULL",  # words in the text: ties in rank go to shorter entries
        "tsv": "tsvector NOT NULL",
        "pairs": "tsvector NOT NULL",  # searched with tsv, as MATCHED, never ranked
        "head": "tsvector NOT NULL",
    },
    DOCS_TABLE: {
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
        "complete": "tsvector NOT NULL",
        "spell_words": "text[] NOT NULL",
        "spell_counts": "integer[] NOT NULL",
    },
}
_CASTS = {
    name: kind.split()[0]
    for columns in _COLUMNS.values()
    for name, kind in columns.items()
    if kind.startswith(("text[]", "integer[]", "tsvector"))
}

# Table -> index name suffix -> definition; created after the bulk load, renamed with the table.
_INDEXES = {
    TABLE: {"matched": f"USING gin (({MATCHED}))", "head": "USING gin (head)", "pos": "(pos)"},
    DOCS_TABLE: {"complete": "USING gin (complete)"},
    WORDS_TABLE: {},
    LOG_TABLE: {},
}


def _create_sql(suffix: str) -> list[str]:
    sql = []
    for table, columns in _COLUMNS.items():
        defined = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        sql.append(f"CREATE TABLE {table}{suffix} ({defined}, CONSTRAINT {table}{suffix}_pkey PRIMARY KEY (entry_id))")
    # Matching reads entry ids and positions only: the vectors go out of line, uncompressed
    # (compression saves little on lexemes and costs time on every ranked vector).
    sql.append(f"ALTER TABLE {TABLE}{suffix} SET (toast_tuple_target = 128)")
    sql += [
        f"ALTER TABLE {TABLE}{suffix} ALTER COLUMN {column} SET STORAGE EXTERNAL" for column in ("tsv", "pairs", "head")
    ]
    sql.append(
        f'CREATE TABLE {WORDS_TABLE}{suffix} (word text COLLATE "C" NOT NULL, freq integer NOT NULL, '
        f"CONSTRAINT {WORDS_TABLE}{suffix}_pkey PRIMARY KEY (word))"
    )
    sql.append(
        f"CREATE TABLE {LOG_TABLE}{suffix} (gen bigint NOT NULL, entry_id integer NOT NULL, "
        f"CONSTRAINT {LOG_TABLE}{suffix}_pkey PRIMARY KEY (gen, entry_id))"
    )
    return sql


def _insert_sql(table: str, name: str, upsert: bool) -> str:
    """INSERT (or upsert) of rows into table (one of _COLUMNS), under its name of the moment."""
    columns = _COLUMNS[table]
    values = ", ".join(f"CAST(:{c} AS {_CASTS[c]})" if c in _CASTS else f":{c}" for c in columns)
    sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({values})"  # noqa: S608  (constant names)
    if upsert:
        sql += " ON CONFLICT (entry_id) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in list(columns)[1:])
    return sql


# -- queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    """tsquery text to find documents with, and to rank them.

    ``match`` is answered by the GIN index alone (no weights, no positions). It is exact but for
    phrases of three words or more, where it asks for each two neighbouring words: those queries
    are ``checked``, that is, the entries found are also matched against ``rank``, which has the
    phrases word by word in order (and reads the vectors of those entries only).
    """

    match: str
    rank: str
    checked: bool = False

    @property
    def terms(self) -> int:
        """How many distinct terms ts_rank sees in the ranking query (it divides an OR by this)."""
        return len(set(_QUERY_TERM.findall(self.rank))) or 1


@dataclass
class _Matches:
    """What the index said of a query: its generation, and positions of entries (see _matches)."""

    generation: int
    positions: list[int]
    head: list[int]
    excluded: list[int]
    counts: list[int]


class _DocumentCounts:
    """How many entries each word group matches (its idf in the ranking), remembered per index
    build: counting a common word's matches costs more than ranking them. Between rebuilds the
    counts drift by the entries changed since, which shifts weights a little and never changes
    which entries match. The owner locks."""

    LIMIT = 4096

    def __init__(self) -> None:
        self.oid: int | None = None
        self.counts: OrderedDict[str, int] = OrderedDict()

    def known(self, oid: int, units: list[_Query]) -> dict[str, int]:
        if oid != self.oid:
            self.oid, self.counts = oid, OrderedDict()
        return {u.match: self.counts[u.match] for u in units if u.match in self.counts}

    def add(self, oid: int, known: dict[str, int], units: list[_Query], counted: list[int]) -> list[int]:
        """Remember the new counts (in the order of the units not known); return every unit's."""
        fresh = iter(counted)
        found = [known[u.match] if u.match in known else next(fresh) for u in units]
        if oid == self.oid:
            for unit, n in zip(units, found, strict=True):
                self.counts[unit.match] = n
                self.counts.move_to_end(unit.match)
            while len(self.counts) > self.LIMIT:
                self.counts.popitem(last=False)
        return found


def _catalogue_row(row) -> CatalogueRow:
    """The catalogue's row of an entry from a row of _CHANGED_SQL."""
    facets = {}
    for name, column in FACET_COLUMNS.items():
        value = getattr(row, column)
        facets[name] = tuple(value) if name in ARRAY_FACETS else (value,)
    return CatalogueRow(
        entry_id=row.entry_id,
        visibility=row.visibility,
        facets=facets,
        created=row.created,
        title_sort=row.title_sort,
    )


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
        phrases: list[tuple[str, str]] = []  # (to rank by, to match by)
        for lang in LANGUAGES:
            terms = [stem(w, lang) for w in clause.words]
            pairs = _pairs(terms)
            if len(pairs) == len(terms) - 1:
                positional = "(" + " <-> ".join(f"{_quote(t)}:{PHRASE_WEIGHTS}" for t in terms) + ")"
                phrase = (positional, "( " + " & ".join(_quote(pair) for pair in pairs) + " )")
                if phrase not in phrases:
                    phrases.append(phrase)
        if not phrases:
            return None
        # Two words: their pair says it all. More: entries with every pair, then checked.
        return _Query(
            match=" | ".join(m for _, m in phrases),
            rank=" | ".join(r for r, _ in phrases),
            checked=len(clause.words) > 2,
        )
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
        checked=any(q.checked for q in queries),
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


def _binary(conn, sql: str, params: dict | None = None) -> list:
    """Run a statement (with psycopg's %(name)s placeholders) on the connection's own cursor, and
    return its rows as named tuples, sent in binary: arrays of thousands of positions are read
    several times faster than as text."""
    with conn.connection.driver_connection.cursor(binary=True, row_factory=namedtuple_row) as cursor:
        return cursor.execute(sql, params).fetchall()


class PostgresBackend:
    """Search in PostgreSQL tables that the backend creates and rebuilds itself."""

    name = "postgres"

    def __init__(self, engine):
        self.engine = engine
        self.state = "unknown"
        self._extensions: dict[str, str] | None = None  # extension name -> schema, once looked up
        self._catalogue: Catalogue | None = None
        self._catalogue_lock = threading.Lock()  # also guards _document_counts
        self._document_counts = _DocumentCounts()

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
        new = {table: table + NEW_SUFFIX for table in _TABLES}
        count = 0
        freq: Counter = Counter()
        with self.engine.begin() as conn:  # on its own: CREATE EXTENSION locks until commit
            extensions = self._ensure_extensions(conn)
        trgm = extensions.get("pg_trgm") if "fuzzystrmatch" not in extensions else None
        with self.engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {', '.join(new.values())}"))
            for statement in _create_sql(NEW_SUFFIX):
                conn.execute(text(statement))
            inserts = [text(_insert_sql(table, new[table], upsert=False)) for table in (TABLE, DOCS_TABLE)]
            batches: tuple[list[dict], list[dict]] = ([], [])
            seen: set[int] = set()
            for doc in documents:
                if doc.entry_id in seen:
                    continue
                seen.add(doc.entry_id)
                match, row, spell = _row(doc)
                match["pos"] = count
                batches[0].append(match)
                batches[1].append(row)
                freq.update(spell)
                count += 1
                if len(batches[0]) >= BATCH:
                    for insert, batch in zip(inserts, batches, strict=True):
                        conn.execute(insert, batch)
                        batch.clear()
                if progress:
                    progress(1)
            for insert, batch in zip(inserts, batches, strict=True):
                if batch:
                    conn.execute(insert, batch)
            known = sorted(freq)
            fill_words = f"INSERT INTO {new[WORDS_TABLE]} (word, freq) SELECT * FROM unnest(CAST(:w AS text[]), CAST(:f AS integer[]))"  # noqa: S608  (constant table name)
            for start in range(0, len(known), 10_000):
                chunk = known[start : start + 10_000]
                conn.execute(text(fill_words), {"w": chunk, "f": [freq[w] for w in chunk]})
            conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
            for table, indexes in _INDEXES.items():
                for suffix, definition in indexes.items():
                    conn.execute(text(f"CREATE INDEX {new[table]}_{suffix} ON {new[table]} {definition}"))
            if trgm:
                conn.execute(
                    text(
                        f"CREATE INDEX {new[WORDS_TABLE]}_trgm ON {new[WORDS_TABLE]} USING gin (word {_ident(trgm)}.gin_trgm_ops)"
                    )
                )
            for table in _TABLES:
                conn.execute(text(f"ANALYZE {new[table]}"))
            # The swap: a search waits for this commit at most, then reads the new tables.
            for final in _TABLES:
                old, fresh = final + OLD_SUFFIX, new[final]
                conn.execute(text(f"DROP TABLE IF EXISTS {old}"))
                conn.execute(text(f"ALTER TABLE IF EXISTS {final} RENAME TO {old}"))
                conn.execute(text(f"ALTER TABLE {fresh} RENAME TO {final}"))
                conn.execute(text(f"DROP TABLE IF EXISTS {old}"))
                for suffix in [*_INDEXES[final], "pkey", "trgm"]:
                    conn.execute(text(f"ALTER INDEX IF EXISTS {fresh}_{suffix} RENAME TO {final}_{suffix}"))
        # Mark the new tables' pages all-visible (and so answer counts from their indexes) without
        # waiting for autovacuum; VACUUM cannot run inside the swap's transaction.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM {TABLE}, {DOCS_TABLE}"))
        self.state = "ok"
        return count

    def apply(self, documents: list[IndexDocument], deleted_ids: Iterable[int]) -> None:
        """Add or replace documents and delete entries; the caller holds writer_lock.

        The entries touched are logged under the next generation number. The transaction also
        takes a lock of its own until it commits, so that generations commit in their order
        even for a caller that does not hold writer_lock (a reader that has seen a generation
        must never later find an older one committed).
        """
        latest = {doc.entry_id: doc for doc in documents}
        deleted = sorted({int(i) for i in deleted_ids} - set(latest))
        affected = sorted(set(latest) | set(deleted))
        if not affected:
            return
        with self.engine.begin() as conn:
            if conn.execute(text(_EXISTS)).scalar() is None:
                raise RuntimeError("no search index; run `flask search reindex`")
            conn.execute(text("SELECT pg_advisory_xact_lock(:c, hashtext(current_schema()))"), {"c": LOCK_CLASS + 1})
            # The spelling word list counts words over all documents: take out the old counts.
            delta: Counter = Counter()
            positions = {}
            old = conn.execute(
                text(
                    "SELECT d.entry_id, s.pos, d.spell_words, d.spell_counts FROM dela_search_docs AS d "
                    "JOIN dela_search AS s ON s.entry_id = d.entry_id WHERE d.entry_id = ANY(CAST(:ids AS integer[]))"
                ),
                {"ids": affected},
            )
            for entry_id, pos, spell_words, spell_counts in old:
                positions[entry_id] = pos
                for word, n in zip(spell_words, spell_counts, strict=True):
                    delta[word] -= n
            if deleted:
                for table in (TABLE, DOCS_TABLE):
                    conn.execute(
                        text(f"DELETE FROM {table} WHERE entry_id = ANY(CAST(:ids AS integer[]))"),  # noqa: S608  (constant names)
                        {"ids": deleted},
                    )
            matches, rows = [], []
            next_pos = conn.execute(text("SELECT coalesce(max(pos), -1) + 1 FROM dela_search")).scalar()
            for doc in latest.values():
                match, row, spell = _row(doc)
                if doc.entry_id in positions:
                    match["pos"] = positions[doc.entry_id]
                else:
                    match["pos"], next_pos = next_pos, next_pos + 1
                matches.append(match)
                rows.append(row)
                delta.update(spell)
            if rows:
                conn.execute(text(_insert_sql(TABLE, TABLE, upsert=True)), matches)
                conn.execute(text(_insert_sql(DOCS_TABLE, DOCS_TABLE, upsert=True)), rows)
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
            gen = conn.execute(text("SELECT coalesce(max(gen), 0) + 1 FROM dela_search_log")).scalar()
            conn.execute(
                text("INSERT INTO dela_search_log (gen, entry_id) SELECT :gen, unnest(CAST(:ids AS integer[]))"),
                {"gen": gen, "ids": affected},
            )
            conn.execute(text("DELETE FROM dela_search_log WHERE gen <= :old"), {"old": gen - LOG_KEEP})

    # -- reading ------------------------------------------------------------------------
    def versions(self) -> dict[int, int]:
        """Map each indexed entry id to its indexed revision."""
        with self.engine.connect() as conn:
            if conn.execute(text(_EXISTS)).scalar() is None:
                return {}
            return dict(conn.execute(text("SELECT entry_id, revision FROM dela_search_docs")).all())

    def status(self) -> dict:
        """Say whether the index can answer: ok, rebuilding, missing or damaged."""
        try:
            with self.engine.connect() as conn:
                exists = conn.execute(text(_EXISTS)).scalar() is not None
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
                oid = conn.execute(text(_READ_SETUP), {"seqscan": "off" if has_words else "on"}).one()[-1]
                if oid is None:
                    if self.state != "rebuilding":
                        self.state = "missing"
                    return empty
                return self._search(conn, oid, request, parsed, filters, page, per_page)
        except DBAPIError:
            log.exception("search failed for %r", request.text[:200])
            return empty

    def _search(
        self, conn, oid, request: SearchRequest, parsed, filters: dict, page: int, per_page: int
    ) -> SearchResult:
        if request.sort == "title":
            order = "title"
        elif request.sort == "newest" or parsed.is_empty:
            order = "newest"
        else:
            order = None  # relevance
        units = [_any_of(group) for group in parsed.required_groups]
        some = [u for u in units if u is not None]
        # Function words do not decide what matches; where an entry has them they add to its rank.
        extra = [u for u in map(_any_of, parsed.optional_groups) if u is not None]
        excluded = _any_of(parsed.excluded)
        ranked = order is None and bool(some)
        # Every unit's share of the documents weighs it in the ranking (a rare word counts more).
        rank_units = some + extra
        counted = rank_units if ranked and len(rank_units) > 1 else []
        first = _join(units, "&") if some and None not in units else None
        with self._catalogue_lock:
            known = self._document_counts.known(oid, counted)
        found = self._matches(conn, first, excluded, [u for u in counted if u.match not in known], ranked)
        with self._catalogue_lock:
            counts = self._document_counts.add(oid, known, counted, found.counts)
            catalogue = self._refreshed(conn, oid, found.generation)
            allowed = catalogue.allowed(["public", *request.audience], filters)
            if found.excluded:
                allowed &= ~catalogue.mask(found.excluded)
            if not units:
                matched, head = catalogue.live & allowed, 0
            else:
                matched = catalogue.mask(found.positions) & allowed if first is not None else 0
                head = catalogue.mask(found.head) & matched if ranked else 0
            documents = len(catalogue)
        if not matched and len(parsed.required_groups) > 1 and some:
            # No entry has every word: rank the entries that have some of them.
            either = self._matches(conn, _join(some, "|"), None, [], ranked)
            with self._catalogue_lock:
                catalogue = self._refreshed(conn, oid, either.generation)
                matched = catalogue.mask(either.positions) & allowed
                head = catalogue.mask(either.head) & matched if ranked else 0
            if matched:
                parsed.notes.append(Message(N_("No entry has all your words; these have some of them.")))
        start = (page - 1) * per_page
        with self._catalogue_lock:
            total, facets = matched.bit_count(), catalogue.counts(matched)
            if ranked:
                wanted = max(CANDIDATES, start + per_page)
                candidates = catalogue.first(head, "newest", 0, wanted)
                if len(candidates) < wanted:
                    candidates += catalogue.first(matched & ~head, "newest", 0, wanted - len(candidates))
            else:
                candidates = catalogue.first(matched, order or "newest", start, start + per_page)
        if not candidates:
            rows = []
        elif ranked:
            rows = self._ranked(conn, candidates, rank_units, counts, documents, start, per_page)
        else:
            placed = {entry_id: i for i, entry_id in enumerate(candidates)}
            rows = sorted(_binary(conn, _PAGE_SQL, {"ids": candidates}), key=lambda r: placed[r.entry_id])
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
    def _matches(conn, match: _Query | None, excluded: _Query | None, counted: list[_Query], ranked: bool) -> _Matches:
        """Ask the index, in one statement, for the log's generation, the positions of the entries
        that match (and, to rank them, of those that match in their title or tags), of those
        excluded, and how many entries each unit matches."""
        columns, params = [_GENERATION], {}

        def where(query: _Query, name: str) -> str:
            params[name] = query.match
            if not query.checked:
                return f"{MATCHED} @@ CAST(%({name})s AS tsquery)"
            params[name + "_rank"] = query.rank
            return f"{MATCHED} @@ CAST(%({name})s AS tsquery) AND tsv @@ CAST(%({name}_rank)s AS tsquery)"

        if match is not None:
            columns.append(f"ARRAY(SELECT pos FROM dela_search WHERE {where(match, 'm')}) AS matches")  # noqa: S608  (built here; values are bound)
        if match is not None and ranked:
            # Candidates, made exact by the caller (with the matches): the GIN index alone.
            columns.append("ARRAY(SELECT pos FROM dela_search WHERE head @@ CAST(%(m)s AS tsquery)) AS head")
        if excluded is not None:
            columns.append(f"ARRAY(SELECT pos FROM dela_search WHERE {where(excluded, 'x')}) AS excluded")  # noqa: S608  (built here; values are bound)
        for i, unit in enumerate(counted):
            columns.append(f"(SELECT count(*) FROM dela_search WHERE {where(unit, f'u{i}')}) AS df{i}")  # noqa: S608  (built here; values are bound)
        row = list(_binary(conn, f"SELECT {', '.join(columns)}", params)[0])  # noqa: S608  (constant names; values are bound)
        generation = row.pop(0)
        positions = row.pop(0) if match is not None else []
        head = row.pop(0) if match is not None and ranked else []
        excluded_positions = row.pop(0) if excluded is not None else []
        return _Matches(generation, positions, head, excluded_positions, row)

    def _refreshed(self, conn, oid: int, generation: int) -> Catalogue:
        """The catalogue as of this generation of the index (or later); the caller holds its lock.

        A process reads the whole catalogue once per rebuild; after that, only the entries that
        the log says changed since the generation it has, unless it is so far behind that the
        log no longer reaches back (then it reads the whole again).
        """
        catalogue = self._catalogue
        if catalogue is not None and catalogue.key == (oid, generation):
            return catalogue
        if catalogue is None or catalogue.key[0] != oid or catalogue.key[1] < generation - LOG_KEEP + 1:
            catalogue = Catalogue((oid, generation))
            entries, members = _binary(conn, _ENTRIES_SQL), _binary(conn, _MEMBERS_SQL)
            newest, by_title = _binary(conn, _ORDERS_SQL)[0]
            catalogue.load(entries, members, {"newest": newest or [], "title": by_title or []})
        elif catalogue.key[1] < generation:
            rows = _binary(conn, _CHANGED_SQL, {"g": catalogue.key[1]})
            present = [(row.pos, _catalogue_row(row)) for row in rows if row.entry_id is not None]
            catalogue.update(present, [row.changed_id for row in rows if row.entry_id is None])
            catalogue.key = (oid, generation)
        self._catalogue = catalogue
        return catalogue

    @staticmethod
    def _ranked(
        conn, candidates: list[int], units: list[_Query], counts: list[int], documents: int, start: int, per_page: int
    ) -> list:
        """A page of the candidates by rank.

        The score sums, per word group, ts_rank times the group's number of terms (ts_rank divides
        an OR by it) times the group's idf, so a rare word counts for more than a common one, as
        with BM25 in Whoosh. Ties go to the shorter entry, as BM25's length normalisation has it.
        """
        params: dict = {"ids": candidates, "weights": RANK_WEIGHTS, "limit": per_page, "offset": start}
        scores = []
        for i, unit in enumerate(units):
            params[f"r{i}"] = unit.rank
            factor = float(unit.terms)
            if len(units) > 1 and i < len(counts):
                idf = math.log(documents / (counts[i] + 1)) + 1 if documents else 1.0
                factor = round(max(idf, 0.01) * unit.terms, 6)
            params[f"k{i}"] = factor
            scores.append(
                f"CAST(%(k{i})s AS float8) * ts_rank(CAST(%(weights)s AS real[]), s.tsv, CAST(%(r{i})s AS tsquery))"
            )
        best = f"SELECT s.entry_id, s.words, {' + '.join(scores)} AS score FROM dela_search AS s WHERE s.entry_id = ANY(CAST(%(ids)s AS integer[])) ORDER BY score DESC, s.words, s.entry_id LIMIT %(limit)s OFFSET %(offset)s"  # noqa: S608  (numbers and placeholders)
        sql = f"SELECT {_HIT_COLUMNS}, r.score FROM ({best}) AS r JOIN dela_search_docs AS d ON d.entry_id = r.entry_id ORDER BY r.score DESC, r.words, r.entry_id"  # noqa: S608  (constant names)
        return _binary(conn, sql, params)

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
            found = self._correction(conn, folded) or compound_split(word, lambda parts: self._frequencies(conn, parts))
            if found:
                corrected.append(found)
                changed = True
            else:
                corrected.append(word)
        return " ".join(corrected) if changed else None

    def _frequencies(self, conn, folded_words: set[str]) -> dict[str, int]:
        """How often each of these words is indexed (words no document has are left out)."""
        sql = "SELECT word, freq FROM dela_search_words WHERE word = ANY(CAST(:w AS text[]))"
        return dict(conn.execute(text(sql), {"w": sorted(folded_words)}).all())

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
                if conn.execute(text(_READ_SETUP), {"seqscan": "off"}).one()[-1] is None:
                    return []
                rows = conn.execute(
                    text(
                        "SELECT title, slug FROM dela_search_docs WHERE visibility = 'public' AND complete @@ CAST(:q AS tsquery) "
                        "ORDER BY title_sort, entry_id LIMIT :limit"
                    ),
                    {"q": query, "limit": max(1, min(int(limit), 100))},
                )
                return [Suggestion(title=title, slug=slug) for title, slug in rows]
        except DBAPIError:
            log.exception("title suggestions failed for %r", (prefix or "")[:200])
            return []
