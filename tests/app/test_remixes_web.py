"""Make my own version through the web: the button, the draft copy, credits on both pages, the visitor cache."""

from __future__ import annotations

from sqlalchemy import select

from methodbook.models import Entry
from tests.app.test_entries_web import save
from tests.app.test_networks_web import signed_in, text_of, visit
from tests.conftest import post_form


def test_make_my_own_version_gives_a_draft_that_credits_the_original(app, db_session, make_user, make_entry):
    author = make_user(name="Anna Författare")
    original = make_entry("Walkshop", user=author, authors="Anna Författare", licence="CC BY-SA 4.0")
    reader = make_user(name="Rut Läsare")
    c = signed_in(app, reader)
    page = text_of(c.get("/methods/walkshop"))
    assert "Make my own version" in page
    assert "Make my own version" not in text_of(visit(app, "/methods/walkshop")), "visitors are not offered it"

    response = post_form(c, "/methods/walkshop/remix", form_url="/methods/walkshop")
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    db_session.expire_all()
    copy = db_session.scalar(select(Entry).where(Entry.derived_from == "walkshop"))
    assert (copy.status, copy.created_by_id, copy.licence) == ("draft", reader.id, "CC BY-SA 4.0")
    assert copy.title == "Walkshop (own version)" and copy.authors == ["Anna Författare", "Rut Läsare"]
    assert visit(app, f"/methods/{copy.slug}").status_code == 404, "a draft is not public"
    before = visit(app, "/methods/walkshop").data
    assert b"Adapted 1 time" not in before

    edited = save(c, f"/methods/{copy.slug}/edit", title="Walkshop för unga", slug=copy.slug, status="published",
                  authors="Anna Författare, Rut Läsare", licence="CC BY-SA 4.0")  # fmt: skip
    assert edited.status_code == 302, text_of(edited)[:600]
    db_session.expire_all()
    assert copy.derived_from == "walkshop", "the form keeps where it came from"
    copy_page = text_of(visit(app, f"/methods/{copy.slug}"))
    assert "Adapted from" in copy_page and 'href="/methods/walkshop"' in copy_page and "Anna Författare" in copy_page
    after = text_of(visit(app, "/methods/walkshop"))
    assert "Adapted 1 time" in after and f'href="/methods/{copy.slug}"' in after, "the visitor cache sees the version"
    assert original.slug == "walkshop"


def test_anonymous_cannot_remix_and_a_draft_cannot_be_remixed(app, client, make_user, make_entry, db_session):
    author = make_user()
    make_entry("Utkast", user=author, status="draft")
    response = post_form(client, "/methods/utkast/remix", form_url="/login")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    c = signed_in(app, author)
    assert post_form(c, "/methods/utkast/remix", form_url="/methods/utkast").status_code == 403
    assert db_session.scalar(select(Entry).where(Entry.derived_from == "utkast")) is None
