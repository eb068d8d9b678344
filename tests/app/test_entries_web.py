"""The method book through the web: create, edit, revisions, conflicts, attachments, trash, bad input."""

from __future__ import annotations

import gc
import io
import re

import pytest
from sqlalchemy import func, select

from methodbook.models import Entry, FormStash, Revision
from tests.conftest import csrf_from, post_form

BASE = {
    "title": "Lyssnarposter", "slug": "lyssnarposter", "kind": "method", "language": "sv", "phase": "during", "status": "published",
    "summary": "Personal lyssnar där människor redan finns.", "duration": "60-120", "group_size": "2-6",
    "tags": "lyssna, dialog", "roles": ["librarians"], "body": "## Så gör ni\n\n1. Ställ er vid entrén\n", "action": "save",
}  # fmt: skip


def save(client, url="/methods/new", files=None, **changes):
    page = client.get(url)
    data = {**BASE, **changes}
    if "base_revision" not in changes:
        match = re.search(r'name="base_revision"[^>]*value="(\d+)"', page.get_data(as_text=True))
        if match:
            data["base_revision"] = match.group(1)
    data["csrf_token"] = csrf_from(page.data)
    if files:
        data["attachments"] = files
    return client.post(url, data=data, content_type="multipart/form-data")


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def member(make_user, login):
    user = make_user()
    login(user)
    return user


def test_create_shows_every_field(client, member):
    assert save(client).status_code == 302
    page = client.get("/methods/lyssnarposter").get_data(as_text=True)
    for text in ("Lyssnarposter", "Personal lyssnar", "60-120", "2-6", "lyssna", "Ställ er vid entrén", "CC BY 4.0"):
        assert text in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Give the entry a title"),
        ({"title": "x" * 300}, "title", "under 200 characters"),
        ({"duration": "abc"}, "duration", "a number or a range"),
        ({"duration": "90-30"}, "duration", "ends (30) before it starts (90)"),
        ({"group_size": "0"}, "group_size", "from 1 to"),
        ({"slug": "Inte OK!"}, "slug", "Use only a–z"),
        ({"roles": ["astronauts"]}, "roles", "Not a known audience"),
        ({"kind": "recipe"}, "kind", "Choose one of"),
        ({"editors": "nobody@example.org"}, "editors", "No member has this e-mail address"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_text_kept(client, member, db_session, changes, field, message):
    before = count(db_session, Entry)
    response = save(client, **changes)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in text
    assert 'class="error-summary"' in text
    assert count(db_session, Entry) == before
    if field != "body":
        assert "Ställ er vid entrén" in text, "the typed body is shown again"


# Werkzeug's test client spools a body this large to a temporary file it never closes; collect
# it here so the ResourceWarning belongs to this test and not to whichever runs next.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_one_megabyte_body_is_refused_and_stores_nothing(client, member, db_session):
    response = save(client, body="a" * 1_000_000)
    assert response.status_code == 400
    assert "too long" in response.get_data(as_text=True)
    assert count(db_session, Entry) == 0
    del response
    gc.collect()


def test_taken_slug_suggests_another(client, member, make_entry):
    make_entry(title="Lyssnarposter")
    response = save(client)
    assert response.status_code == 400
    assert "lyssnarposter-2" in response.get_data(as_text=True)


def test_preview_renders_and_saves_nothing(client, member, db_session):
    response = save(client, body="**fet** <script>alert(1)</script>", action="preview")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>fet</strong>" in text and "<script>alert" not in text
    assert count(db_session, Entry) == 0


def test_edit_makes_a_revision_and_history_and_diff_show_it(client, member):
    save(client)
    assert (
        save(client, "/methods/lyssnarposter/edit", summary="Ny sammanfattning.", message="Kortare").status_code == 302
    )
    history = client.get("/methods/lyssnarposter/history").get_data(as_text=True)
    assert "Kortare" in history and "Restore revision 1" in history or "1" in history
    diff = client.get("/methods/lyssnarposter/diff?a=1&b=2").get_data(as_text=True)
    assert "Personal lyssnar" in diff and "Ny sammanfattning." in diff


def test_saving_unchanged_makes_no_revision(client, member, db_session):
    save(client)
    response = save(client, "/methods/lyssnarposter/edit")
    assert response.status_code == 302
    assert count(db_session, Revision) == 1


def test_restore_old_revision_as_new_revision(client, member, db_session):
    save(client)
    save(client, "/methods/lyssnarposter/edit", title="Lyssnarposter i biblioteket")
    response = post_form(
        client, "/methods/lyssnarposter/revisions/1/restore", form_url="/methods/lyssnarposter/history"
    )
    assert response.status_code == 302
    entry = db_session.scalar(select(Entry).where(Entry.slug == "lyssnarposter"))
    db_session.refresh(entry)
    assert entry.title == "Lyssnarposter" and entry.revision_number == 3


def test_conflict_shows_both_texts_and_loses_nothing(client, member, make_user, app, db_session):
    save(client)
    stale = client.get("/methods/lyssnarposter/edit").get_data(as_text=True)
    stale_base = re.search(r'name="base_revision"[^>]*value="(\d+)"', stale).group(1)
    save(client, "/methods/lyssnarposter/edit", body="Någon annans nya text\n")
    response = save(
        client, "/methods/lyssnarposter/edit", base_revision=stale_base, body="Min egen text som inte får försvinna\n"
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Någon annans nya text" in text and "Min egen text som inte får försvinna" in text
    entry = db_session.scalar(select(Entry).where(Entry.slug == "lyssnarposter"))
    db_session.refresh(entry)
    assert entry.body == "Någon annans nya text"
    resubmit = save(client, "/methods/lyssnarposter/edit", body="Min egen text som inte får försvinna\n")
    assert resubmit.status_code == 302


def test_expired_session_keeps_the_text(app, client, make_user, db_session):
    user = make_user()
    page = client.get("/login")
    token = csrf_from(page.data)
    response = client.post(
        "/methods/new",
        data={**BASE, "title": "Text som inte ska förloras", "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert count(db_session, FormStash) == 1 and count(db_session, Entry) == 0
    back = re.search(r"next=([^&]+)", response.headers["Location"]).group(1)
    from urllib.parse import unquote

    post_form(client, "/login", {"email": user.email, "password": "grön-kaffe-på-tisdag"})
    form = client.get(unquote(back)).get_data(as_text=True)
    assert "Text som inte ska förloras" in form and "Ställ er vid entrén" in form


def test_forged_csrf_token_is_refused(client, member, db_session):
    response = client.post("/methods/new", data={**BASE, "csrf_token": "forged"}, content_type="multipart/form-data")
    assert response.status_code == 302 and "restore=" in response.headers["Location"]
    assert count(db_session, Entry) == 0


def test_forged_csrf_on_plain_form_gets_clear_message(client, member):
    response = client.post("/account", data={"display_name": "X", "csrf_token": "forged"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True) or "gått ut" in response.get_data(as_text=True)


def test_attachment_upload_and_download_headers(client, member, db_session):
    response = save(client, files=[(io.BytesIO(b"fr\xc3\xa5ga;svar\n1;ja\n"), "enkat.csv")])
    assert response.status_code == 302
    entry = db_session.scalar(select(Entry).where(Entry.slug == "lyssnarposter"))
    attachment = entry.attachments[0]
    page = client.get("/methods/lyssnarposter").get_data(as_text=True)
    assert "enkat.csv" in page
    download = client.get(f"/methods/lyssnarposter/attachments/{attachment.id}/enkat.csv")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.data == b"fr\xc3\xa5ga;svar\n1;ja\n"
    download.close()


def test_executable_renamed_pdf_is_refused_and_nothing_stored(client, member, db_session, app):
    from pathlib import Path

    response = save(client, files=[(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "agenda.pdf")])
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "agenda.pdf" in text and "program" in text
    assert count(db_session, Entry) == 0
    stored = [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]
    assert stored == []


def test_upload_over_the_request_limit_gets_413_page(client, member, db_session):
    token = csrf_from(client.get("/methods/new").data)
    size = 200 * 1024 * 1024
    response = client.post(
        "/methods/new",
        input_stream=io.BytesIO(b""),
        content_type="multipart/form-data; boundary=x",
        headers={"X-CSRFToken": token},
        environ_overrides={"CONTENT_LENGTH": str(size)},
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True) or "för stor" in response.get_data(as_text=True)
    assert count(db_session, Entry) == 0


@pytest.mark.parametrize("app_config", [{"ATTACHMENT_MAX_BYTES": 1024}])
def test_attachment_over_the_file_limit_is_refused_with_text_kept(client, member, db_session, app_config):
    response = save(client, files=[(io.BytesIO(b"a" * 5000), "stor.txt")])
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "larger than" in text and "Ställ er vid entrén" in text
    assert count(db_session, Entry) == 0


def test_removing_an_attachment(client, member, db_session):
    save(client, files=[(io.BytesIO(b"hej\n"), "a.txt")])
    entry = db_session.scalar(select(Entry).where(Entry.slug == "lyssnarposter"))
    save(client, "/methods/lyssnarposter/edit", remove_attachments=[str(entry.attachments[0].id)])
    db_session.expire_all()
    assert db_session.scalar(select(Entry).where(Entry.slug == "lyssnarposter")).attachments == []


def test_draft_never_leaks_into_lists_or_api(client, make_user, make_entry, login):
    author = make_user()
    make_entry(title="Hemligt utkast", status="draft", user=author)
    for url in ("/", "/methods", "/methods?drafts=1", "/api/v1/entries"):
        assert "Hemligt utkast" not in client.get(url).get_data(as_text=True)
    login(make_user())
    assert "Hemligt utkast" not in client.get("/methods?drafts=1").get_data(as_text=True)


def test_author_sees_own_drafts(client, make_user, make_entry, login):
    author = make_user()
    make_entry(title="Mitt utkast", status="draft", user=author)
    login(author)
    assert "Mitt utkast" in client.get("/methods?drafts=1").get_data(as_text=True)


def test_trash_and_restore(client, make_user, make_entry, login):
    author, admin = make_user(), make_user(role="admin")
    entry = make_entry(title="Walkshop", user=author)
    login(author)
    assert post_form(client, f"/methods/{entry.slug}/delete").status_code == 302
    assert client.get(f"/methods/{entry.slug}").status_code == 404
    assert "Walkshop" not in client.get("/methods").get_data(as_text=True)
    login(admin)
    assert "Walkshop" in client.get("/trash").get_data(as_text=True)
    assert post_form(client, f"/trash/{entry.slug}/restore", form_url="/trash").status_code == 302
    assert client.get(f"/methods/{entry.slug}").status_code == 200


def test_list_filters_and_pagination(client, make_entry):
    for n in range(25):
        make_entry(
            title=f"Metod {n:02d}", language="da" if n % 5 == 0 else "sv", tags=["udvalgt"] if n % 5 == 0 else ["vald"]
        )
    first = client.get("/methods").get_data(as_text=True)
    assert "Metod 24" in first and "Metod 00" not in first
    assert "Metod 00" in client.get("/methods?page=2").get_data(as_text=True)
    danish = client.get("/methods?language=da").get_data(as_text=True)
    assert "Metod 05" in danish and "Metod 06" not in danish
    tagged = client.get("/methods?tag=udvalgt").get_data(as_text=True)
    assert "Metod 10" in tagged and "Metod 11" not in tagged


def test_unknown_slug_gives_404_in_users_language(client):
    response = client.get("/methods/finns-inte", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_co_author_can_edit(client, make_user, make_entry, login, db_session):
    author, co = make_user(), make_user()
    login(author)
    save(client, editors=co.email)
    login(co)
    assert client.get("/methods/lyssnarposter/edit").status_code == 200
