"""The Whoosh backend's fast path answers exactly as Whoosh's own search does, before and after changes."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from whoosh import sorting
from whoosh.formats import Positions
from whoosh.query import And, Or, Term

from methodbook.search import SearchRequest, make_backend
from methodbook.search.masks import pack, unpack
from methodbook.search.query import parse_query
from methodbook.search.whoosh_backend import FACET_FIELDS, correction, whoosh_query
from methodbook.search.whoosh_segments import PostingCache, position_keys
from tests.methodbook.search.helpers import apply, doc, rebuild, search

QUERIES = [
    ("samtal", {}, "relevance"),
    ("bibliotek", {}, "relevance"),
    ("möte deltagare", {}, "relevance"),
    ("walk*", {}, "relevance"),
    ("bibliot*", {}, "relevance"),
    ("idé*", {}, "relevance"),
    ('"kritisk vän"', {}, "relevance"),
    ('"steg för steg"', {}, "relevance"),  # a repeated word
    ('"i små grupper" OR "kritisk vän"', {}, "relevance"),
    ("walks*", {}, "relevance"),
    ("fika OR walkshop", {}, "relevance"),
    ("samtal -fika", {}, "relevance"),
    ("-samtal", {}, "relevance"),
    ("kind:method samtal", {}, "relevance"),
    ("feedback", {"language": ["sv", "da"]}, "relevance"),
    ("samtal", {"tag": ["dialog", "feedback"], "kind": ["method"]}, "relevance"),
    ("feedback zzzzqqq", {}, "relevance"),  # no entry has both: the any-words pass
    ("hur gör vi ett samtal", {}, "relevance"),  # function words rank but need not match
    ("what is a walkshop", {}, "relevance"),
    ("och zzzzqqq", {}, "relevance"),  # the optional word alone does not match
    ("och det", {}, "relevance"),  # only function words: all required
    ("zzzzqqq", {}, "relevance"),
    ("", {}, "relevance"),
    ("", {"role": ["librarians"]}, "title"),
    ("samtal", {}, "newest"),
    ("möte", {}, "title"),
]


def reference(backend, text: str, filters: dict, sort: str, limit: int):
    """Whoosh's own search, as the backend ran it before the fast path: total, entry ids, facet counts."""
    parsed = parse_query(text)
    filters = {k: list(v) for k, v in filters.items() if v}
    for name, values in parsed.filters.items():
        filters.setdefault(name, []).extend(values)
    searcher = backend.searcher()
    filter_query = And(
        [Term("visibility", "public")]
        + [Or([Term(FACET_FIELDS[k], v) for v in vs]) for k, vs in filters.items() if k in FACET_FIELDS]
    )
    sortedby, reverse = None, False
    if sort == "newest" or (parsed.is_empty and sort == "relevance"):
        sortedby, reverse = "created", True
    elif sort == "title":
        sortedby = "title_sort"
    facets = {
        name: sorting.FieldFacet(field, allow_overlap=name in ("tag", "role"), maptype=sorting.Count)
        for name, field in FACET_FIELDS.items()
    }

    def run(query):
        return searcher.search(
            query, filter=filter_query, limit=limit, sortedby=sortedby, reverse=reverse, groupedby=facets
        )

    results = run(whoosh_query(parsed))
    if len(results) == 0 and len(parsed.required_groups) > 1:
        results = run(whoosh_query(parsed, any_words=True))
    counts = {
        name: {str(k): n for k, n in results.groups(name).items() if k not in (None, "none", "")}
        for name in FACET_FIELDS
    }
    return len(results), [int(hit["id"]) for hit in results], counts


def answer(backend, text: str, filters: dict, sort: str, limit: int):
    result = backend.search(SearchRequest(text=text, filters=filters, sort=sort, per_page=limit))
    return result.total, [hit.entry_id for hit in result.hits], {k: dict(v) for k, v in result.facets.items()}


@contextmanager
def whoosh_backend(path):
    backend = make_backend("whoosh", index_dir=path)
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture(scope="module")
def changed_starter(starter_documents, tmp_path_factory):
    """The starter book in Whoosh, then changed: replaced, deleted and added entries in new segments."""
    with whoosh_backend(tmp_path_factory.mktemp("segments") / "index") as backend:
        rebuild(backend, starter_documents)
        yield backend, starter_documents


@pytest.mark.parametrize("text, filters, sort", QUERIES)
def test_the_fast_path_answers_as_whoosh_search(changed_starter, text, filters, sort):
    backend, _ = changed_starter
    assert answer(backend, text, filters, sort, 30) == reference(backend, text, filters, sort, 30)


def test_the_fast_path_answers_as_whoosh_search_after_changes(changed_starter):
    backend, documents = changed_starter
    first_segments = set(backend.view().segment_ids)
    for text, filters, sort in QUERIES:
        answer(backend, text, filters, sort, 10)  # read the first segment's arrays
    # Replace some entries (deletions in the old segment), delete some, add new ones: three more commits.
    replaced = [documents[i] for i in range(0, len(documents), 5)]
    for d in replaced:
        d.revision += 1
        d.tags = [*d.tags, "ändrad"]
    apply(backend, replaced)
    apply(backend, [], [d.entry_id for d in documents[1::7]])
    apply(
        backend,
        [doc(5000 + n, f"Samtal om bibliotek {n}", "Ett möte med samtal.", tags=["feedback"]) for n in range(4)],
    )
    view = backend.view()
    assert len(view.leaves) > 1
    assert first_segments & view.segment_ids, "the first segment's arrays are kept"
    for text, filters, sort in QUERIES:
        assert answer(backend, text, filters, sort, 30) == reference(backend, text, filters, sort, 30), text


def test_tied_scores_beyond_a_page_go_to_the_lower_document_numbers_as_in_whoosh(tmp_path):
    """Twelve entries score alike: a page of five holds the first five by document number, on every segment."""
    with whoosh_backend(tmp_path / "index") as backend:
        rebuild(backend, [doc(n, f"Mall {n}", "Samtal och fika.") for n in range(1, 13)])
        apply(backend, [doc(n, f"Mall {n}", "Samtal och fika.") for n in range(13, 20)])
        for limit in (1, 5, 15):
            total, ids, facets = answer(backend, "samtal", {}, "relevance", limit)
            whoosh_total, whoosh_ids, whoosh_facets = reference(backend, "samtal", {}, "relevance", limit)
            assert (total, facets) == (whoosh_total, whoosh_facets)
            assert ids == whoosh_ids[:limit] == list(range(1, limit + 1)), limit


def test_facet_counts_after_add_replace_and_delete(tmp_path):
    with whoosh_backend(tmp_path / "index") as backend:
        rebuild(backend, [doc(1, "Fika", "Samtal.", tags=["a"]), doc(2, "Walkshop", "Samtal.", tags=["a", "b"])])
        assert dict(search(backend, "samtal").facets["tag"]) == {"a": 2, "b": 1}
        apply(backend, [doc(3, "Brugermøde", "Samtal.", tags=["b", "c"], language="da")])
        result = search(backend, "samtal")
        assert result.total == 3
        assert dict(result.facets["tag"]) == {"a": 2, "b": 2, "c": 1}
        assert dict(result.facets["language"]) == {"sv": 2, "da": 1}
        apply(backend, [doc(2, "Walkshop", "Samtal.", tags=["c"], revision=2)])  # replaced, not counted twice
        assert dict(search(backend, "samtal").facets["tag"]) == {"a": 1, "b": 1, "c": 2}
        apply(backend, [], [1])
        result = search(backend, "samtal")
        assert result.total == 2
        assert dict(result.facets["tag"]) == {"b": 1, "c": 2}
        assert dict(search(backend, "", filters={"tag": ["a"]}).facets["tag"]) == {}
        assert search(backend, "", filters={"tag": ["c"]}).total == 2


def test_a_filter_mask_is_not_reused_after_a_change(tmp_path):
    with whoosh_backend(tmp_path / "index") as backend:
        rebuild(backend, [doc(1, "Fika", "Samtal.", kind="method"), doc(2, "Mall", "Samtal.", kind="template")])
        assert search(backend, "samtal", filters={"kind": ["template"]}).total == 1
        apply(backend, [doc(3, "Mall två", "Samtal.", kind="template")])
        assert search(backend, "samtal", filters={"kind": ["template"]}).total == 2
        apply(backend, [], [2])
        assert [h.entry_id for h in search(backend, "samtal", filters={"kind": ["template"]}).hits] == [3]


@pytest.mark.parametrize("flags", [b"", b"\x01", b"\x00\x00\x01", bytes([1, 0, 0, 1, 1, 0, 0, 0, 0, 1] * 37)])
def test_masks_pack_one_bit_per_document(flags):
    mask = pack(flags)
    assert mask.bit_count() == sum(flags)
    assert all(bool(mask >> n & 1) == bool(flags[n]) for n in range(len(flags)))
    assert unpack(mask, len(flags)) == flags


@pytest.mark.parametrize("stop", [True, False], ids=["as-whoosh3-writes", "without-pickle-stop"])
def test_position_keys_are_document_and_position_of_every_occurrence(stop):
    encoded = [Positions().encode(p) for p in ([0, 4, 5], [2], [1, 1000, 70_000])]
    values = encoded if stop else [v[:-1] if v.endswith(b".") else v for v in encoded]
    keys = position_keys(np.array([3, 7, 9], dtype=np.int64), values)
    expected = [(3, 0), (3, 4), (3, 5), (7, 2), (9, 1), (9, 1000), (9, 70_000)]
    assert keys.tolist() == [d << 32 | p for d, p in expected]


def test_the_posting_cache_keeps_what_fits_and_forgets_merged_segments(tmp_path):
    with whoosh_backend(tmp_path / "index") as backend:
        rebuild(backend, [doc(n, f"Samtal {n}", "Samtal och fika.") for n in range(1, 30)])
        reader = backend.searcher().reader()
        assert {b"samtal", b"fik"} <= set(reader.lexicon("text"))
        cache = PostingCache(budget=10_000)
        first = cache.get(("s1", "text", b"samtal"), reader, "text", b"samtal")
        assert list(first.ids) == sorted(first.ids) and len(first.ids) == 29
        assert cache.get(("s1", "text", b"samtal"), reader, "text", b"samtal") is first
        cache.get(("s1", "text", b"fik"), reader, "text", b"fik", positions=True)
        assert cache.size <= cache.budget
        tiny = PostingCache(budget=cache.size // 2)
        tiny.get(("s1", "text", b"samtal"), reader, "text", b"samtal")
        tiny.get(("s1", "text", b"fik"), reader, "text", b"fik", positions=True)
        assert tiny.size <= tiny.budget
        cache.keep_only({"s2"})
        assert cache.size == 0
        assert cache.get(("s1", "text", b"samtal"), reader, "text", b"samtal") is not first


def live_scores(view, query) -> dict[int, float]:
    """The fast path's score of every live match, by Whoosh's document number."""
    found = {}
    for leaf in view.leaves:
        scores = leaf.scores(query)
        assert scores is not None, "every query here has words"
        matched = [d for d in scores[1].nonzero()[0].tolist() if leaf.live >> d & 1]
        found.update((leaf.offset + d, float(scores[0][d])) for d in matched)
    return found


@pytest.mark.parametrize("text", sorted({text for text, _, _ in QUERIES if text}))
def test_every_match_scores_as_whoosh_scores_it(changed_starter, text):
    """Not only the order of the first hits: the fast path's score of every live match is Whoosh's."""
    backend, _ = changed_starter
    parsed = parse_query(text)
    view = backend.view()
    for any_words in (False, True):
        query = whoosh_query(parsed, any_words=any_words)
        expected = {hit.docnum: hit.score for hit in view.searcher.search(query, limit=None)}
        found = live_scores(view, query)
        assert found == pytest.approx(expected, rel=1e-12), (text, any_words)


PHRASE_DOCUMENTS = [
    doc(1, "Steg för steg", "Planen tas steg för steg, och sedan steg för steg igen."),
    doc(2, "Steg", "För varje steg: ett steg framåt för gruppen."),  # the words, never in a row
    doc(3, "Små grupper", "Samtal i små grupper, sedan i helgrupp, sedan i små grupper igen."),
    doc(4, "Grupper", "Grupper som är små, och små samtal i grupper."),
    doc(5, "Fika", "Fika i små grupper. Steg för steg."),
]


@pytest.mark.parametrize("text", ['"steg för steg"', '"i små grupper"', '"små grupper"', '"grupper igen"'])
def test_phrases_match_and_score_as_whoosh_whatever_the_segments(tmp_path, text):
    """Phrases with a repeated word, with the rarest word first, inside or last; one segment, then several
    with a replaced and a deleted entry: the matches and every score are Whoosh's."""
    with whoosh_backend(tmp_path / "index") as backend:
        rebuild(backend, PHRASE_DOCUMENTS[:3])
        apply(backend, PHRASE_DOCUMENTS[3:])
        for step in ("two segments", "replaced and deleted"):
            view = backend.view()
            query = whoosh_query(parse_query(text))
            expected = {hit.docnum: hit.score for hit in view.searcher.search(query, limit=None)}
            found = live_scores(view, query)
            assert expected, (text, step)
            assert found == pytest.approx(expected, rel=1e-12), (text, step)
            apply(backend, [doc(1, "Steg för steg", "Steg för steg i små grupper igen.", revision=2)], [4])


def test_did_you_mean_ranks_as_whoosh_corrector_does_whatever_the_segments(tmp_path):
    """The most frequent word within two edits, ties to the last in code-point order; one segment or several."""
    documents = [
        doc(1, "Kolleger", "Om samarbejde.", language="da"),
        doc(2, "Kollegor", "Samtal med kollegor."),
        doc(3, "Kollegorna", "Kollegor igen."),
        doc(4, "Kollegial", "Kollegial handledning."),
        doc(5, "Lästips", "Boktips och boktipp."),
    ]
    with whoosh_backend(tmp_path / "one") as backend:
        rebuild(backend, documents)
        reader = backend.searcher().reader()
        assert len(reader.leaf_readers()) == 1
        for typed in ("kollegr", "kolleg", "kollegiel", "kolegorna", "boktip"):
            expected = backend.searcher().corrector("spell").suggest(typed, limit=1, maxdist=2)
            assert [correction(reader, "spell", typed, 2)] == expected, typed
    with whoosh_backend(tmp_path / "several") as backend:
        rebuild(backend, documents[:1])
        for d in documents[1:]:
            apply(backend, [d])
        reader = backend.searcher().reader()
        assert len(reader.leaf_readers()) > 1
        # "kollegor" is written three times, "kolleger" once; "boktips" and "boktipp" once each.
        assert correction(reader, "spell", "kollegr", 2) == "kollegor"
        assert correction(reader, "spell", "boktip", 2) == "boktips"
        assert correction(reader, "spell", "kollegiel", 2) == "kollegial"
        assert correction(reader, "spell", "qzxvjk", 2) is None
