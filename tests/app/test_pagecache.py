"""Visitors' entry pages come from the page cache, and never a stale or private one."""

from __future__ import annotations

import pytest

from app.pagecache import VisitorPageCache, visitor_language
from methodbook import entries


@pytest.fixture
def cache(app) -> VisitorPageCache:
    middleware = app.wsgi_app
    assert isinstance(middleware, VisitorPageCache)
    return middleware


def visit(app, path, **headers):
    """Fetch as a new visitor: a fresh client, so no cookie is sent."""
    return app.test_client().get(path, headers=headers)


def test_second_visit_is_served_from_the_cache(app, cache, make_entry):
    make_entry(title="Walkshop")
    first = visit(app, "/methods/walkshop")
    assert first.status_code == 200 and len(cache.pages) == 1
    second = visit(app, "/methods/walkshop")
    assert second.data == first.data
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in second.headers


def test_a_new_revision_is_seen_at_once(app, cache, make_entry, db_session):
    entry = make_entry(title="Walkshop", summary="Första versionen.")
    assert "Första versionen." in visit(app, "/methods/walkshop").get_data(as_text=True)
    data = entries.validate_entry_data({**entries.snapshot(entry), "summary": "Andra versionen."}, db_session, entry)
    entries.update_entry(db_session, entry, data, None)
    db_session.commit()
    assert "Andra versionen." in visit(app, "/methods/walkshop").get_data(as_text=True)


def test_unpublished_or_trashed_entry_is_never_replayed(app, cache, make_entry, db_session):
    entry = make_entry(title="Walkshop")
    assert visit(app, "/methods/walkshop").status_code == 200
    entries.trash_entry(entry, None)
    db_session.commit()
    assert visit(app, "/methods/walkshop").status_code == 404
    entries.untrash_entry(entry)
    entry.status = "draft"
    db_session.commit()
    assert visit(app, "/methods/walkshop").status_code == 404


def test_each_language_has_its_own_page(app, cache, make_entry):
    make_entry(title="Walkshop")
    swedish = visit(app, "/methods/walkshop", **{"Accept-Language": "sv"}).get_data(as_text=True)
    danish = visit(app, "/methods/walkshop", **{"Accept-Language": "da"}).get_data(as_text=True)
    assert '<html lang="sv">' in swedish and '<html lang="da">' in danish
    assert len(cache.pages) == 2


def test_requests_with_a_cookie_go_through_flask(app, cache, make_entry, make_user, login, client):
    author = make_user()
    make_entry(title="Walkshop", user=author)
    login(author)
    page = client.get("/methods/walkshop").get_data(as_text=True)
    assert "/methods/walkshop/edit" in page, "the author sees the edit link"
    assert len(cache.pages) == 0
    assert "/methods/walkshop/edit" not in visit(app, "/methods/walkshop").get_data(as_text=True)


def test_not_found_is_not_cached(app, cache):
    assert visit(app, "/methods/finns-inte").status_code == 404
    assert len(cache.pages) == 0


@pytest.mark.parametrize(
    ("header", "expected"),
    [("da-DK,da;q=0.9", "da"), ("en-GB", "en"), ("fi", "sv"), (None, "sv"), ("nb,sv;q=0.5", "sv")],
)
def test_visitor_language(header, expected):
    assert visitor_language(header, ("sv", "da", "en"), "sv") == expected


def test_a_write_up_naming_other_methods_leaves_a_write_ups_page_key_alone(app, cache, make_entry):
    """The key follows the methods this write-up names, not those every write-up names."""
    make_entry(title="Walkshop")
    make_entry(title="Fishbowl")
    writeup = make_entry(title="Så gick temadagen", kind="write-up", methods_used="walkshop")
    before = cache._stamp(writeup.slug)
    assert before is not None
    make_entry(title="Så gick höstmötet", kind="write-up", methods_used="fishbowl")
    assert cache._stamp(writeup.slug) == before
    make_entry(title="Så gick vårmötet", kind="write-up", methods_used="walkshop")  # names the same method
    assert cache._stamp(writeup.slug) == before
