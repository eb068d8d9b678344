"""Search through the web: the page, the API, the index following edits, damage and repair."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from methodbook import entries
from tests.conftest import post_form


@pytest.fixture
def book(make_entry, make_user):
    author = make_user()
    return {
        "kritisk": make_entry(title="Kritisk vän", tags=["återkoppling"], duration="60-90", roles=["librarians"],
                              summary="Kollegor från en annan kommun ger återkoppling på ditt projekt.", user=author),
        "walkshop": make_entry(title="Walkshop", tags=["promenad"], duration="120", summary="En vandring med samtal."),
        "enkat": make_entry(title="Hurtig brugerundersøgelse", language="da", kind="template", tags=["spørgeskema"],
                            duration="20", summary="Et kort spørgeskema til brugerne på folkebiblioteket."),
        "draft": make_entry(title="Hemlig återkopplingsplan", status="draft", user=author, summary="återkoppling"),
    }  # fmt: skip


def test_search_page_finds_stemmed_and_folded_words(client, book):
    for query in ("återkopplingar", "aterkoppling"):
        html = client.get(f"/search?q={query}").get_data(as_text=True)
        assert "<mark>återkoppling</mark>" in html, query
    assert "Hurtig brugerundersøgelse" in client.get("/search?q=brugerundersogelser").get_data(as_text=True)
    html = client.get("/search?q=återkopplingar").get_data(as_text=True)
    assert "Kritisk vän" in html and "Hemlig återkopplingsplan" not in html, "drafts are never in results"


def slugs(client, query: str) -> set[str]:
    return {r["slug"] for r in client.get(f"/api/v1/search?{query}").get_json()["results"]}


def test_facets_filter_and_can_be_removed(client, book):
    html = client.get("/search?q=&kind=template").get_data(as_text=True)
    assert "Clear all filters" in html and 'aria-current="true"' in html
    assert slugs(client, "kind=template") == {"hurtig-brugerundersogelse"}
    assert slugs(client, "kind=template&kind=method") == {"hurtig-brugerundersogelse", "walkshop", "kritisk-van"}, (
        "ORed in a facet"
    )
    assert slugs(client, "kind=template&lang=sv") == set(), "ANDed across facets"
    assert slugs(client, "duration=long") == {"walkshop"} and slugs(client, "duration=short") == {
        "hurtig-brugerundersogelse"
    }


def test_sort_by_title_and_pagination(client, make_entry):
    for n in range(23):
        make_entry(title=f"Metod {n:02d}", summary="gemensamt ord")
    page2 = client.get("/search?q=gemensamt&sort=title&page=2").get_data(as_text=True)
    assert "Metod 20" in page2 and "Metod 02" not in page2 and "Page 2 of 2" in page2


def test_did_you_mean(client, book):
    html = client.get("/search?q=walkshp").get_data(as_text=True)
    assert "Did you mean" in html and "q=walkshop" in html


def test_empty_state_helps(client, book):
    html = client.get("/search").get_data(as_text=True)
    assert "Popular tags" in html and "promenad" in html


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed',
        "(( ]] OR",
        "OR",
        "-",
        "*",
        "x" * 5000,
        "a\x00b\x07c",
        "😀🎉",
        "kind:",
        ":::",
        'tag:"',
        "\\",
        "%",
        "' OR 1=1 --",
    ],
)
def test_malformed_queries_never_fail(client, book, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    api = client.get("/api/v1/search", query_string={"q": query})
    assert api.status_code == 200 and isinstance(api.get_json()["results"], list)


def test_api_search_matches_openapi(client, book):
    spec = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012))
    data = client.get("/api/v1/search?q=återkoppling&kind=method").get_json()
    Draft202012Validator({"$ref": "urn:spec#/components/schemas/SearchResult"}, registry=registry).validate(data)
    assert [r["slug"] for r in data["results"]] == ["kritisk-van"]
    assert data["facets"]["kind"] == {"method": 1}
    suggestions = client.get("/api/v1/search/suggest?q=kri").get_json()
    Draft202012Validator({"$ref": "urn:spec#/components/schemas/Suggestions"}, registry=registry).validate(suggestions)
    assert suggestions == [{"title": "Kritisk vän", "url": "/methods/kritisk-van"}]
    assert client.get("/api/v1/search/suggest?q=k").get_json() == [], "two letters at least"


def test_api_search_spelling_suggestion(client, book):
    assert client.get("/api/v1/search?q=walkshp").get_json()["suggestion"] == "walkshop"


def test_index_follows_edits_made_through_the_web(client, book, make_user, login, db_session):
    author = book["kritisk"].created_by
    login(author)
    page = client.get("/methods/kritisk-van/edit").get_data(as_text=True)
    snap = entries.snapshot(book["kritisk"])
    form = {
        k: (", ".join(v) if isinstance(v, list) else v) for k, v in snap.items() if k not in ("attachments", "roles")
    }
    form.update(
        roles=snap["roles"],
        title="Kritisk vän med spegling",
        base_revision=str(book["kritisk"].revision_number),
        action="save",
    )
    assert "csrf_token" in page
    response = post_form(client, "/methods/kritisk-van/edit", form)
    assert response.status_code == 302
    data = client.get("/api/v1/search?q=spegling").get_json()
    assert [r["slug"] for r in data["results"]] == ["kritisk-van"]
    post_form(client, "/methods/kritisk-van/delete")
    assert client.get("/api/v1/search?q=spegling").get_json()["total"] == 0, "trashed entries leave the index"


def test_cli_check_finds_drift_and_reindex_repairs(app, book):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    backend = app.extensions["dela_search"].backend
    with backend.writer_lock(blocking=True):
        backend.apply([], [book["walkshop"].id])
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and "missing from the index: walkshop" in result.output
    rebuilt = runner.invoke(args=["search", "reindex"])
    assert rebuilt.exit_code == 0 and "Indexed 3 published entries" in rebuilt.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_deleted_index_is_rebuilt_and_search_keeps_answering(app, client, book):
    import shutil

    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    app.extensions["dela_search"].backend.close()
    shutil.rmtree(index_dir)
    response = client.get("/search?q=walkshop")
    assert response.status_code == 200 and "Walkshop" in response.get_data(as_text=True)
    assert client.get("/health").get_json()["search"] == "ok", "rebuilt in line (tests rebuild without a thread)"


# Whoosh leaves a file handle open when it meets a damaged table of contents.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_damaged_index_does_not_take_the_site_down(app, client, book):
    backend = app.extensions["dela_search"].backend
    backend.close()
    for segment in backend.current_dir().glob("*.seg"):
        segment.write_bytes(b"garbage")
    for toc in backend.current_dir().glob("_MAIN_*.toc"):
        toc.write_bytes(b"")
    response = client.get("/search?q=walkshop")
    assert response.status_code == 200 and "Walkshop" in response.get_data(as_text=True)
    assert client.get("/health").get_json()["search"] == "ok", "a damaged index is rebuilt"
    gc.collect()


@pytest.mark.parametrize("app_config", [{"SEARCH_BACKGROUND_REBUILD": True}])
def test_missing_index_in_web_process_says_it_is_rebuilding(app, client, make_entry, app_config, monkeypatch):
    from methodbook.search import indexing

    monkeypatch.setattr(indexing, "start_background_rebuild", lambda *a, **k: True)
    make_entry(title="Walkshop")
    html = client.get("/search?q=walkshop").get_data(as_text=True)
    assert "Search is being rebuilt" in html and "Walkshop" in html
    assert client.get("/health").get_json()["status"] == "degraded"


def test_header_search_box_on_every_page(client, book):
    for url in ("/", "/methods", "/methods/walkshop", "/login"):
        html = client.get(url).get_data(as_text=True)
        assert 'role="search"' in html and 'name="q"' in html and "data-suggest=" in html, url
