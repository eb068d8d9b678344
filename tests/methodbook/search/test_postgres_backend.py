"""What only the PostgreSQL backend has: a catalogue per process kept current from the change log,
a bounded set of ranked candidates, and tables it recognises as its own."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from methodbook.search import postgres_backend
from tests.conftest import CI, PG_URL
from tests.methodbook.search.conftest import open_backend, pg_scratch_engine, postgres_unavailable
from tests.methodbook.search.helpers import apply, doc, rebuild, search


@pytest.fixture
def engine():
    reason = postgres_unavailable()
    if reason:
        if CI and PG_URL:
            pytest.fail(f"CI=true and TEST_DATABASE_URL is set, but {reason}")
        pytest.skip(f"PostgreSQL search backend not tested: {reason}")
    with pg_scratch_engine() as engine:
        yield engine


@pytest.fixture
def writer(engine, tmp_path):
    with open_backend("postgres", tmp_path, engine) as backend:
        yield backend


@pytest.fixture
def reader(engine, tmp_path):
    """A second backend on the same database, as another worker process has."""
    with open_backend("postgres", tmp_path, engine) as backend:
        yield backend


def facet(result, name: str) -> dict[str, int]:
    return dict(result.facets[name])


def test_another_process_sees_additions_changes_and_deletions(writer, reader):
    rebuild(
        writer,
        [
            doc(1, "Fika", "Samtal.", kind="method"),
            doc(2, "Walkshop", "Samtal.", kind="plan"),
            doc(3, "Enkät", "Samtal."),
        ],
    )
    first = search(reader, "samtal")
    assert first.total == 3 and facet(first, "kind") == {"method": 2, "plan": 1}
    catalogue = reader._catalogue

    apply(writer, [doc(4, "Lyssnarpost", "Samtal.", kind="template"), doc(1, "Fika", "Samtal.", kind="plan")], [2])
    after = search(reader, "samtal")
    assert reader._catalogue is catalogue  # brought up to date, not read again
    assert after.total == 3
    assert facet(after, "kind") == {"method": 1, "plan": 1, "template": 1}
    assert [hit.entry_id for hit in search(reader, "", sort="newest").hits] == [4, 3, 1]
    assert [hit.entry_id for hit in search(reader, "", sort="title").hits] == [3, 1, 4]
    assert search(reader, "kind:plan").total == 1


def test_a_process_further_behind_than_the_log_reads_everything_again(writer, reader, monkeypatch):
    monkeypatch.setattr(postgres_backend, "LOG_KEEP", 2)
    rebuild(writer, [doc(1, "Fika", "Samtal.")])
    assert search(reader, "samtal").total == 1
    catalogue = reader._catalogue
    for entry_id in range(2, 6):
        apply(writer, [doc(entry_id, f"Metod {entry_id}", "Samtal.", kind="plan")])
    with writer.engine.connect() as conn:
        assert conn.execute(text("SELECT count(DISTINCT gen) FROM dela_search_log")).scalar() <= 2
    result = search(reader, "samtal")
    assert reader._catalogue is not catalogue
    assert result.total == 5 and facet(result, "kind") == {"plan": 4, "method": 1}


def test_a_rebuild_replaces_every_process_catalogue(writer, reader):
    rebuild(writer, [doc(1, "Fika", "Samtal.", tags=["fika"])])
    assert facet(search(reader, "samtal"), "tag") == {"fika": 1}
    rebuild(writer, [doc(7, "Walkshop", "Samtal.", tags=["promenad"])])
    result = search(reader, "samtal")
    assert [hit.entry_id for hit in result.hits] == [7]
    assert facet(result, "tag") == {"promenad": 1}


def test_title_matches_are_ranked_even_when_newer_entries_fill_the_candidates(writer, monkeypatch):
    monkeypatch.setattr(postgres_backend, "CANDIDATES", 3)
    older = doc(1, "Walkshop i staden", "En promenad.")
    newer = [doc(i, f"Promenad {i}", "Vi går en walkshop, en walkshop till.") for i in range(2, 12)]
    rebuild(writer, [older, *newer])
    result = search(writer, "walkshop", per_page=3)
    assert result.total == 11
    assert result.hits[0].entry_id == 1


def test_members_only_entries_stay_out_of_counts_for_outsiders(writer):
    rebuild(
        writer, [doc(1, "Fika", "Samtal.", kind="plan", visibility="members:bibliotek"), doc(2, "Walkshop", "Samtal.")]
    )
    outsider = search(writer, "samtal")
    assert outsider.total == 1 and facet(outsider, "kind") == {"method": 1}
    member = search(writer, "samtal", audience=["members:bibliotek"])
    assert member.total == 2 and facet(member, "kind") == {"method": 1, "plan": 1}


def test_tables_of_an_older_layout_count_as_no_index(writer):
    rebuild(writer, [doc(1, "Fika", "Samtal.")])
    with writer.engine.begin() as conn:
        conn.execute(text("DROP TABLE dela_search_log"))  # what an index built before the log had
    assert writer.status()["state"] == "missing"
    assert search(writer, "samtal").total == 0
    rebuild(writer, [doc(1, "Fika", "Samtal.")])
    assert writer.status()["state"] == "ok"
    assert search(writer, "samtal").total == 1


def test_word_counts_weigh_the_ranking_and_are_kept_until_a_rebuild(writer):
    common = [doc(i, f"Samtal {i}", "Samtal om allt.") for i in range(1, 6)]
    rare_in_title = doc(7, "Fika", "Ett samtal.")
    common_in_title = doc(6, "Samtal", "Med fika.")  # first on a tie: the lower id
    rebuild(writer, [*common, rare_in_title, common_in_title])
    for _ in range(2):  # counted, then remembered
        result = search(writer, "fika samtal")
        assert [hit.entry_id for hit in result.hits][:2] == [7, 6]
    assert len(writer._document_counts.counts) == 2
    rebuild(writer, [common_in_title])
    assert [hit.entry_id for hit in search(writer, "fika samtal").hits] == [6]
    assert writer._document_counts.oid is not None and len(writer._document_counts.counts) == 2
