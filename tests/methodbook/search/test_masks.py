"""The catalogue of facet values: masks and orders kept in step with entries as they change."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from methodbook.search import FACETS
from methodbook.search.masks import UNCOUNTED, Catalogue, CatalogueRow

KINDS = ("method", "template", "plan")
TAGS = ("dialog", "fika", "möte", "enkät")
TITLES = ("Fika", "fika", "Öppet möte", "Aktörskarta", "Walkshop")


@st.composite
def rows(draw, entry_id: int) -> CatalogueRow:
    facets = {name: ("",) for name in FACETS}
    facets["kind"] = (draw(st.sampled_from(KINDS)),)
    facets["tag"] = tuple(draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=3)))
    facets["language"] = (draw(st.sampled_from(("sv", "da", "en"))),)
    facets["network"] = (draw(st.sampled_from(("none", "bibliotek"))),)
    return CatalogueRow(
        entry_id=entry_id,
        visibility=draw(st.sampled_from(("public", "members:bibliotek"))),
        facets=facets,
        created=draw(st.integers(0, 5)),  # few values, so that ties fall to the entry id
        title_sort=draw(st.sampled_from(TITLES)),
    )


@st.composite
def histories(draw):
    """Entries loaded at positions, then batches of changes: (position, row) put and entry ids gone."""
    ids = draw(st.lists(st.integers(1, 40), unique=True, max_size=12))
    loaded = [(position, draw(rows(entry_id))) for position, entry_id in enumerate(ids)]
    batches = []
    next_position = len(loaded)
    for _ in range(draw(st.integers(0, 4))):
        put, gone = [], []
        for entry_id in draw(st.lists(st.integers(1, 40), unique=True, max_size=5)):
            if draw(st.booleans()):
                gone.append(entry_id)
            else:
                put.append((next_position, draw(rows(entry_id))))
                next_position += 1
        batches.append((put, gone))
    return loaded, batches


def load(pairs, orders=None) -> Catalogue:
    """A catalogue loaded as the PostgreSQL backend loads one: entries, then each value's positions."""
    members: dict[tuple[str, str], list[int]] = {}
    for position, row in pairs:
        members.setdefault(("visibility", row.visibility), []).append(position)
        for name, values in row.facets.items():
            for value in values:
                members.setdefault((name, value), []).append(position)
    catalogue = Catalogue()
    entries = [(position, row.entry_id, row.created, row.title_sort) for position, row in pairs]
    catalogue.load(entries, [(name, value, positions) for (name, value), positions in members.items()], orders)
    return catalogue


def model_after(loaded, batches) -> dict[int, CatalogueRow]:
    """What the catalogue must hold: position -> row, the latest row of each entry."""
    state = dict(loaded)
    for put, gone in batches:
        changed = set(gone) | {row.entry_id for _, row in put}
        state = {p: r for p, r in state.items() if r.entry_id not in changed}
        state.update(put)
    return state


@settings(max_examples=150, deadline=None)
@given(histories(), st.sampled_from(KINDS), st.sampled_from(TAGS), st.integers(0, 6), st.integers(0, 6))
def test_catalogue_kept_in_step_answers_as_a_fresh_one(history, kind, tag, start, length):
    loaded, batches = history
    kept = load(loaded)
    for put, gone in batches:
        kept.update(put, gone)
    state = model_after(loaded, batches)
    newest = sorted(state.values(), key=lambda r: (-r.created, -r.entry_id))
    by_title = sorted(state.values(), key=lambda r: (r.title_sort, r.entry_id))
    place = {r.entry_id: p for p, r in state.items()}
    fresh = load(sorted(state.items()), {"newest": [place[r.entry_id] for r in newest]})
    for catalogue in (kept, fresh):
        assert len(catalogue) == len(state)

        public = catalogue.allowed(["public"], {})
        expected_public = {p for p, r in state.items() if r.visibility == "public"}
        assert {p for p in state if public >> p & 1} == expected_public
        assert public.bit_count() == len(expected_public)

        everything = catalogue.allowed(["public", "members:bibliotek"], {"kind": [kind], "tag": [tag, "none-such"]})
        wanted = {p for p, r in state.items() if r.facets["kind"] == (kind,) and tag in r.facets["tag"]}
        assert everything.bit_count() == len(wanted)
        assert {p for p in state if everything >> p & 1} == wanted

        counts = catalogue.counts(catalogue.live)
        for name in FACETS:
            expected = Counter(v for r in state.values() for v in r.facets[name] if v not in UNCOUNTED)
            assert dict(counts[name]) == dict(expected)
            assert [n for _, n in counts[name]] == sorted((n for _, n in counts[name]), reverse=True)

        stop = start + length
        assert catalogue.first(catalogue.live, "newest", start, stop) == [r.entry_id for r in newest][start:stop]
        assert catalogue.first(catalogue.live, "title", start, stop) == [r.entry_id for r in by_title][start:stop]
        in_public = [r.entry_id for r in newest if r.visibility == "public"]
        assert catalogue.first(public, "newest", 0, 100) == in_public
        assert catalogue.first(everything, "title", 0, 100) == [
            r.entry_id for r in by_title if place[r.entry_id] in wanted
        ]


def test_few_and_many_matches_come_in_the_same_order():
    rows = [
        (
            p,
            CatalogueRow(
                entry_id=100 + p, visibility="public", facets={"kind": ("plan",)}, created=p % 7, title_sort=str(p % 5)
            ),
        )
        for p in range(200)
    ]
    catalogue = load(rows)
    few = sum(1 << p for p in range(0, 200, 40))  # 5 of 200: found and sorted
    many = catalogue.live  # every one: the order walked
    for order in Catalogue.ORDERS:
        walked = catalogue.first(many, order, 0, 200)
        assert catalogue.first(few, order, 0, 10) == [i for i in walked if (i - 100) % 40 == 0]
        assert catalogue.first(few, order, 2, 4) == catalogue.first(few, order, 0, 10)[2:4]


def test_mask_leaves_out_positions_it_does_not_know():
    catalogue = load(
        [(0, CatalogueRow(entry_id=7, visibility="public", facets={"kind": ("method",)}, created=1, title_sort="a"))]
    )
    assert catalogue.mask([0, 5, 900]) == 1
    assert catalogue.first(catalogue.mask([0, 5]), "newest", 0, 10) == [7]


def test_an_unknown_filter_is_ignored_and_an_unknown_value_matches_nothing():
    catalogue = load(
        [(0, CatalogueRow(entry_id=3, visibility="public", facets={"kind": ("plan",)}, created=1, title_sort="a"))]
    )
    assert catalogue.allowed(["public"], {"colour": ["red"]}) == 1
    assert catalogue.allowed(["public"], {"kind": ["method"]}) == 0
    assert catalogue.allowed(["members:other"], {}) == 0
