"""Fast paths for the Whoosh backend: per-segment arrays, and queries evaluated a posting list at a time.

Whoosh recomputes its facet maps on every search (a pass over every posting of every facet
field) and scores through a tree of matchers, several Python calls per document and term. Here
a segment's facet values become masks, built once (a segment's postings never change after it
is written; deletions are applied at search time), and a query is evaluated by reading whole
posting lists into numpy arrays of scores indexed by document number: a term adds its scores at
its documents, AND and NOT combine whole arrays. Counting a facet value is then one AND and one
popcount of Python integers.

Masks (masks.py) have bit n set for document n of the segment.

Scores are Whoosh's own BM25F (its scorer gives idf, average length, B and K1), combined as its
matchers combine them, so the ranking is the one ``Searcher.search`` gives; the tests compare
the two. Decoding a posting list (unpickling its blocks, positions included) costs more than
scoring it, so the decoded ids, weights and (for phrases) positions of recently used terms are
kept, within a budget.
"""

from __future__ import annotations

import heapq
import threading
from array import array
from collections import Counter, OrderedDict
from itertools import chain, compress, islice, repeat
from pickle import loads

import numpy as np
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndMaybe, AndNot, Every, Or, Phrase, Prefix, Term
from whoosh.scoring import BM25F, BM25FScorer

from .masks import pack, unpack

SORT_COLUMNS = ("created", "title_sort")
MAX_FILTER_MASKS = 64  # filter combinations remembered per searcher
POSTINGS_BUDGET_BYTES = 96_000_000  # about what the decoded postings kept take in memory
_INT_SIZE = 4  # the count before the pickled position deltas of a Positions value

# A query's answer in one segment: each document's score (0.0 where it does not match), and which match.
Matches = tuple[np.ndarray, np.ndarray]


def _leaf_matcher(matcher):
    """Return the matcher under Whoosh's deletion filter: deletions are applied with the live mask."""
    while isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return matcher


def read_postings(matcher, values: bool = False) -> tuple[array, array, list | None]:
    """Return a term's document numbers, weights and (if asked) encoded values, deleted ones included.

    whoosh3's W3 codec decodes a whole block of ids and weights at a time; reading them from the
    block avoids a method call per posting. Other matchers (postings inlined in the term info)
    are read a posting at a time.
    """
    matcher = _leaf_matcher(matcher)
    ids, weights, found = array("I"), array("d"), [] if values else None
    if all(hasattr(matcher, n) for n in ("_read_ids", "_read_weights", "_read_values", "_next_block", "_ids")):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.extend(iter(matcher._ids))
            weights.extend(iter(matcher._weights))
            if values:
                if matcher._values is None:
                    matcher._read_values()
                found.extend(matcher._values)
            matcher._next_block()
        return ids, weights, found
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values:
            found.append(matcher.value())
        matcher.next()
    return ids, weights, found


def position_keys(ids: np.ndarray, values: list) -> np.ndarray:
    """Every position of a term in a segment as one sorted array of keys, document number << 32 | position.

    A phrase is then matched for all documents at once: the keys of the first word shifted by one
    must be keys of the second, and so on, a search in a sorted array (numpy, in C) instead of
    a set per document."""
    try:
        deltas = list(map(loads, map(bytes.__getitem__, values, repeat(slice(_INT_SIZE, None)))))  # noqa: S301
    except Exception:  # noqa: BLE001  (a format that leaves off pickle's STOP; decoded one at a time)
        deltas = [loads((v if v[-1:] == b"." else v + b".")[_INT_SIZE:]) for v in values]  # noqa: S301
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    flat = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(counts.sum()))
    if not len(flat):
        return np.zeros(0, dtype=np.int64)
    # Positions are running sums of the deltas, restarting at each document.
    running = np.cumsum(flat)
    firsts = np.cumsum(counts) - counts
    has = counts > 0
    before = running[firsts[has]] - flat[firsts[has]]
    at = running - np.repeat(before, counts[has])
    return (np.repeat(ids, counts) << 32) | at


class _Postings:
    """A term's decoded postings in one segment, with what was derived from them."""

    __slots__ = ("ids", "weights", "keys", "scored", "cost")

    def __init__(self, ids: array, weights: array):
        self.ids = np.frombuffer(ids, dtype=f"u{ids.itemsize}").astype(np.int64)  # ascending
        self.weights = np.frombuffer(weights, dtype=np.float64)
        self.keys: np.ndarray | None = None  # every position, for phrases (see position_keys)
        self.scored: tuple | None = None  # (BM25F figures, scores in the order of ids)
        self.cost = 24 * len(ids)


class PostingCache:
    """Decoded postings of recently used terms, least recently used dropped first.

    A segment's postings never change, so an entry is good until the segment is merged away;
    BM25F scores depend on index-wide statistics too and are kept with the figures they used.
    """

    def __init__(self, budget: int = POSTINGS_BUDGET_BYTES):
        self.budget = budget
        self.size = 0
        self._items: OrderedDict[tuple, _Postings] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, reader, field: str, btext: bytes, positions: bool = False) -> _Postings:
        """Return a term's postings in a segment (with positions by document if asked)."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
        if found is None:
            ids, weights, values = read_postings(reader.postings(field, btext), values=positions)
            found = _Postings(ids, weights)
            if positions:
                found.keys = position_keys(found.ids, values)
            self._account(key, found)
        elif positions and found.keys is None:
            values = read_postings(reader.postings(field, btext), values=True)[2]
            found.keys = position_keys(found.ids, values)
            self._account(key, found)
        return found

    def scored(self, entry: _Postings, figures: tuple) -> np.ndarray:
        """Return the BM25F score of each posting of a term for these figures (idf, K1 + 1, norms)."""
        old = entry.scored[0] if entry.scored is not None else None
        if old is None or old[0] != figures[0] or old[1] != figures[1] or old[2] is not figures[2]:
            idf, k1_plus, norms = figures
            tf = entry.weights
            entry.scored = (figures, idf * ((tf * k1_plus) / (tf + norms[entry.ids])))
        return entry.scored[1]

    def _account(self, key: tuple, entry: _Postings) -> None:
        cost = 32 * len(entry.ids) + (entry.keys.nbytes if entry.keys is not None else 0)
        with self._lock:
            old = self._items.get(key)
            if old is not None:
                self.size -= old.cost
            if cost > self.budget:
                self._items.pop(key, None)
                return
            entry.cost = cost
            self._items[key] = entry
            self.size += cost
            while self.size > self.budget:
                _, dropped = self._items.popitem(last=False)
                self.size -= dropped.cost

    def keep_only(self, segment_ids: set[str]) -> None:
        """Forget the postings of segments that are no longer searched."""
        with self._lock:
            for key in [k for k in self._items if k[0] not in segment_ids]:
                self.size -= self._items.pop(key).cost


class SegmentArrays:
    """What is derived from one segment's postings and columns; built on first use, then kept."""

    def __init__(self, reader, segment_id: str):
        self.size = reader.doc_count_all()
        self.segment_id = segment_id
        self._lock = threading.Lock()
        self._values: dict[str, dict[str, int]] = {}
        self._lengths: dict[str, list[int]] = {}
        self._norms: dict[tuple, np.ndarray] = {}
        self._columns: dict[str, list] = {}

    def values(self, reader, field: str) -> dict[str, int]:
        """Map each value of a field to the mask of the documents that have it."""
        found = self._values.get(field)
        if found is None:
            with self._lock:
                found = self._values.get(field)
                if found is None:
                    found = self._values[field] = self._read_values(reader, field)
        return found

    def _read_values(self, reader, field: str) -> dict[str, int]:
        if field not in reader.schema or not reader.schema[field].format:
            return {}
        fieldobj = reader.schema[field]
        masks = {}
        for btext in list(reader.lexicon(field)):
            flags = bytearray(self.size)
            for docnum in read_postings(reader.postings(field, btext))[0]:
                flags[docnum] = 1
            masks[fieldobj.from_bytes(btext)] = pack(flags)
        return masks

    def norms(self, reader, field: str, avgfl: float, b: float, k1: float) -> np.ndarray:
        """BM25's length normalisation K1 * (1 - B + B * length / average length) of each document."""
        key = (field, avgfl, b, k1)
        found = self._norms.get(key)
        if found is None:
            lengths = self._lengths.get(field)
            if lengths is None:
                lengths = self._lengths[field] = [reader.doc_field_length(d, field, 1) or 1 for d in range(self.size)]
            found = np.array([k1 * ((1 - b) + b * length / avgfl) for length in lengths], dtype=np.float64)
            with self._lock:
                # Average lengths change with every generation; keep the latest few.
                if len(self._norms) > 16:
                    self._norms.clear()
                self._norms[key] = found
        return found

    def column(self, reader, name: str) -> list:
        """The values of a sortable column, by document number."""
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = list(reader.column_reader(name))
        return found

    def order(self, reader, name: str) -> list[int]:
        """Document numbers in the order of a column's values (ties in document number order)."""
        key = "order:" + name
        found = self._columns.get(key)
        if found is None:
            values = self.column(reader, name)
            found = self._columns[key] = sorted(range(self.size), key=lambda d: (values[d], d))
        return found


class _Leaf:
    """One segment of a searcher: its sub-searcher, offset, arrays, and which documents are live."""

    def __init__(self, searcher, offset: int, arrays: SegmentArrays, postings: PostingCache):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.arrays = arrays
        self.postings = postings
        self.size = arrays.size
        live = bytearray(b"\x01") * self.size
        if self.reader.has_deletions():
            for docnum in self.reader.deleted_docs_set:
                live[docnum] = 0
        self.live = pack(live)
        self.bm25 = type(searcher.weighting) is BM25F
        self._figures: dict[tuple, tuple | None] = {}  # statistics are fixed for this searcher

    # -- evaluating a query into the scores of its matches, by document number -----------------
    def empty(self) -> Matches:
        """No document matched (fresh arrays: callers add into them)."""
        return np.zeros(self.size), np.zeros(self.size, dtype=bool)

    def scores(self, query) -> Matches | None:
        """Score this segment's documents for a query: (scores, matched), arrays by document number,
        a score 0.0 where nothing matched; None stands for every document (score unused)."""
        kind = type(query)
        if kind is Every:
            return None
        if not self.bm25:
            return self._generic(query)
        if kind is Term:
            out = self.empty()
            return out if self._add_term(out, query.fieldname, query.text, query.boost) else self._generic(query)
        if kind is Prefix and query.boost == 1.0:
            out = self.empty()
            return out if self._add_prefix(out, query) else self._generic(query)
        if kind is Phrase and query.boost == 1.0 and query.slop == 1:
            found = self._phrase(query)
            return self._generic(query) if found is None else found
        if kind is Or and query.boost == 1.0 and not query.minmatch and query.scale is None:
            out = self.empty()
            phrases: dict = {}  # the same phrase twice counts twice, as in Whoosh, but is matched once
            for sub in query.subqueries:
                sub_kind, plain = type(sub), sub.boost == 1.0
                if sub_kind is Term and self._add_term(out, sub.fieldname, sub.text, sub.boost):
                    continue
                if sub_kind is Prefix and plain and self._add_prefix(out, sub):
                    continue
                if sub_kind is Phrase:
                    if sub not in phrases:
                        phrases[sub] = self.scores(sub)
                    found = phrases[sub]
                else:
                    found = self.scores(sub)
                if found is None:
                    return None
                # Scores are summed in the order of the subqueries, as Whoosh sums them (x + 0.0 is x).
                scores, matched = out
                scores += found[0]
                matched |= found[1]
            return out
        if kind is And and query.boost == 1.0:
            parts = [p for p in map(self.scores, query.subqueries) if p is not None]
            if not parts:
                return None
            scores, matched = parts[0]
            for other_scores, other_matched in parts[1:]:
                matched = matched & other_matched
                scores = np.where(matched, scores + other_scores, 0.0)
            return scores, matched
        if kind is AndMaybe and query.boost == 1.0:
            required, optional = self.scores(query.a), self.scores(query.b)
            if required is None or optional is None:
                return self._generic(query)
            matched = required[1]
            # The optional part's score is 0.0 where it did not match, so adding it everywhere is Whoosh's sum.
            return np.where(matched, required[0] + optional[0], 0.0), matched
        if kind is AndNot and query.boost == 1.0:
            positive, negative = self.scores(query.a), self.scores(query.b)
            if negative is None:
                return self.empty()
            if positive is None:
                positive = np.ones(self.size), np.ones(self.size, dtype=bool)
            matched = positive[1] & ~negative[1]
            return np.where(matched, positive[0], 0.0), matched
        return self._generic(query)

    def _terms(self, field: str, btext: bytes, positions: bool = False) -> _Postings:
        key = (self.arrays.segment_id, field, btext)
        return self.postings.get(key, self.reader, field, btext, positions)

    def _scorer(self, field: str, btext: bytes):
        """Whoosh's BM25F figures for a term: (idf, K1 + 1, norms by document), or None."""
        key = (field, btext)
        if key not in self._figures:
            self._figures[key] = self._read_scorer(field, btext)
        return self._figures[key]

    def _read_scorer(self, field: str, btext: bytes):
        scorer = self.searcher.weighting.scorer(self.searcher, field, btext)
        if type(scorer) is not BM25FScorer:
            return None
        return scorer.idf, scorer.K1 + 1, self.arrays.norms(self.reader, field, scorer.avgfl, scorer.B, scorer.K1)

    def _btext(self, field: str, text) -> bytes | None:
        schema = self.reader.schema
        if field not in schema:
            return None
        try:
            btext = text if isinstance(text, bytes) else schema[field].to_bytes(text)
        except ValueError:
            return None
        return btext if (field, btext) in self.reader else None

    def _add_term(self, out: Matches, field: str, text, boost: float) -> bool:
        """Add a term's BM25F scores to out; return False when it cannot be scored here."""
        btext = self._btext(field, text)
        if btext is None:
            return True
        figures = self._scorer(field, btext)
        if figures is None:
            return False
        entry = self._terms(field, btext)
        scores = self.postings.scored(entry, figures)
        if boost != 1.0:
            scores = scores * boost
        out[0][entry.ids] += scores  # a term's document numbers are distinct
        out[1][entry.ids] = True
        return True

    def _add_prefix(self, out: Matches, query) -> bool:
        """Add a prefix's scores as Whoosh scores it: its expansions ORed without weighting, which
        Whoosh honours only when it preloads the union (a segment of up to 5,000 documents and
        more than two expansions, or 1,024 and more): then every match scores 1. Otherwise each
        expansion is scored with BM25F and the scores are summed, as for a lone expansion."""
        field = query.fieldname
        if field not in self.reader.schema or not self.reader.schema[field].scorable:
            return False
        texts = [t for t in self.reader.expand_prefix(field, query.text) if t]
        if len(texts) == 1 or (len(texts) < 1024 and (len(texts) == 2 or self.size > 5000)):
            return all(self._add_term(out, field, btext, 1.0) for btext in texts)
        matched = np.zeros(self.size, dtype=bool)
        for btext in texts:
            matched[self._terms(field, btext).ids] = True
        out[0][matched] += 1.0
        out[1][matched] = True
        return True

    def _phrase(self, query) -> Matches | None:
        """Match words at consecutive positions, scored as Whoosh's phrase matcher scores: the sum
        of each word's BM25F (a repeated word counts each time). None when it cannot be done here."""
        field = query.fieldname
        btexts = [self._btext(field, w) for w in query.words]
        if not btexts or None in btexts:
            return self.empty()
        figures = {b: self._scorer(field, b) for b in set(btexts)}
        if None in figures.values():
            return None
        entries = {b: self._terms(field, b, positions=True) for b in figures}
        # From the rarest word's positions, less its offset in the phrase: where the phrase would start.
        order = sorted(range(len(btexts)), key=lambda i: len(entries[btexts[i]].keys))
        starts = entries[btexts[order[0]]].keys - order[0]
        for offset in order[1:]:
            keys = entries[btexts[offset]].keys
            if not len(starts) or not len(keys):
                return self.empty()
            wanted = starts + offset
            found = np.searchsorted(keys, wanted)
            np.minimum(found, len(keys) - 1, out=found)
            starts = starts[keys[found] == wanted]
        docs = np.unique(starts >> 32)
        total = np.zeros(len(docs))
        for btext in btexts:  # in the phrase's order, as Whoosh adds them
            entry = entries[btext]
            total += self.postings.scored(entry, figures[btext])[np.searchsorted(entry.ids, docs)]
        out = self.empty()
        out[0][docs] = total
        out[1][docs] = True
        return out

    def _generic(self, query) -> Matches:
        """Score a query through its Whoosh matcher (anything not handled above)."""
        matcher = query.matcher(self.searcher, self.searcher.context())
        out = self.empty()
        while matcher.is_active():
            out[0][matcher.id()] = matcher.score() or 1e-9  # a match never scores 0 here
            out[1][matcher.id()] = True
            matcher.next()
        return out


class SearchView:
    """A searcher and what its searches share: each segment's arrays and the filter masks."""

    def __init__(self, searcher, arrays: dict[str, SegmentArrays], postings: PostingCache):
        self.searcher = searcher
        self.leaves: list[_Leaf] = []
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            segment = reader.segment()
            key = segment.segment_id() if segment is not None else f"@{id(reader)}"
            found = arrays.get(key)
            if found is None:
                found = arrays[key] = SegmentArrays(reader, key)
            self.leaves.append(_Leaf(sub, offset, found, postings))
        self.segment_ids = {leaf.arrays.segment_id for leaf in self.leaves}
        self._filters: dict[tuple, list[tuple[int, bytes]]] = {}
        self._lock = threading.Lock()

    def allowed(self, filters: dict[str, list[str]]) -> list[tuple[int, bytes]]:
        """Per segment, the mask of live documents that pass the filters, and the same as bytes."""
        key = tuple(sorted((field, tuple(sorted(set(values)))) for field, values in filters.items()))
        found = self._filters.get(key)
        if found is not None:
            return found
        found = []
        for leaf in self.leaves:
            mask = leaf.live
            for field, values in key:
                masks = leaf.arrays.values(leaf.reader, field)
                either = 0
                for value in values:
                    either |= masks.get(value, 0)
                mask &= either
            found.append((mask, unpack(mask, leaf.size)))
        with self._lock:
            if len(self._filters) >= MAX_FILTER_MASKS:
                self._filters.clear()
            self._filters[key] = found
        return found

    def run(self, query, filters: dict[str, list[str]], sort: str | None, limit: int, facet_fields: dict[str, str]):
        """Return (total, [(global docnum, score)] of the first ``limit``, {facet: Counter of values})."""
        total = 0
        counts = {name: Counter() for name in facet_fields}
        candidates = []  # per segment: (leaf, scores or None, flags of the matches)
        for leaf, (mask, flags) in zip(self.leaves, self.allowed(filters), strict=True):
            scores = leaf.scores(query)
            if scores is not None:
                flags = (np.frombuffer(flags, dtype=bool) & scores[1]).tobytes()
                mask = pack(flags)
            found = mask.bit_count()
            if not found:
                continue
            total += found
            for name, field in facet_fields.items():
                tally = counts[name]
                for value, value_mask in leaf.arrays.values(leaf.reader, field).items():
                    n = (mask & value_mask).bit_count()
                    if n:
                        tally[value] += n
            candidates.append((leaf, scores, flags))
        top = self._top(candidates, sort, limit) if total else []
        return total, top, counts

    @staticmethod
    def _top(candidates, sort: str | None, limit: int) -> list[tuple[int, float]]:
        """The first ``limit`` matches in Whoosh's order: best score first, ties to the lower document
        number; or by column, the newest first breaking ties the other way (Whoosh's reversed sort)."""
        if sort is None:
            best = []
            for leaf, scores, flags in candidates:
                if scores is None:
                    best += [(0.0, leaf.offset + d) for d in islice(compress(range(leaf.size), flags), limit)]
                    continue
                docs = np.flatnonzero(np.frombuffer(flags, dtype=bool))
                if not len(docs):
                    continue
                # The best scores first, then every match tied with the last of them.
                values = scores[0][docs]
                if len(values) > limit:
                    floor = np.partition(values, len(values) - limit)[len(values) - limit]
                    kept = values >= floor
                    values, docs = values[kept], docs[kept]
                best += zip((-values).tolist(), (docs + leaf.offset).tolist(), strict=True)
            return [(docnum, -negated) for negated, docnum in heapq.nsmallest(limit, best)]
        column = "created" if sort == "newest" else "title_sort"
        keyed = []
        for leaf, _, flags in candidates:
            values = leaf.arrays.column(leaf.reader, column)
            order = leaf.arrays.order(leaf.reader, column)
            walk = reversed(order) if sort == "newest" else iter(order)
            keyed += [(values[d], leaf.offset + d) for d in islice((d for d in walk if flags[d]), limit)]
        keyed = heapq.nlargest(limit, keyed) if sort == "newest" else heapq.nsmallest(limit, keyed)
        return [(docnum, float(key) if sort == "newest" else 0.0) for key, docnum in keyed]
