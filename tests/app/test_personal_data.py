"""Personal data: the download holds every kind of data a member can create; deletion leaves none of it anywhere."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import JSON, String, Text, cast, select

from methodbook import (
    feedback,
    following,
    galleries,
    meetings,
    moderation,
    networks,
    notifications,
    personal_data,
    sharing,
)
from methodbook.attachments import store_upload
from methodbook.db import Base
from methodbook.galleries import Upload
from methodbook.models import AuditEvent, Comment, Entry, Registration, User
from tests.app.test_networks_web import MEETING, NETWORK, local, signed_in, text_of, visit
from tests.conftest import csrf_from

NAME, EMAIL = "Greta Raderas", "greta.raderas@example.org"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def world(app, db_session, make_user, make_entry, tmp_path):
    """Greta has created one of everything a member can create."""
    greta = make_user(name=NAME, email=EMAIL)
    coordinator = make_user(role="facilitator", name="Karin Samordnare")
    greta.organisation, greta.bio = "Greta AB", f"Jag heter {NAME}."
    network = networks.create_network(db_session, NETWORK, coordinator)
    networks.join(db_session, network, greta)
    uploads = app.config["UPLOAD_DIR"]
    stored = store_upload(io.BytesIO(b"punkt ett\n"), "gretas-lista.txt", tmp_path / "uploads")
    published = make_entry("Gretas metod", user=greta, authors=f"{NAME}, Bo Kvar", attachments=[stored])
    make_entry("Gretas utkast", user=greta, status="draft", authors=NAME)
    other = make_entry("Någon annans metod", user=coordinator)
    comment = feedback.post_comment(db_session, other, greta, f"Hälsningar från {NAME}", None)
    request = feedback.request_feedback(db_session, other, coordinator, "Fungerar stegen?", [], None, date.today())
    db_session.commit()
    scores = {c.id: feedback.ScoreInput(4) for c in request.criteria_set.criteria}
    feedback.submit_review(db_session, request, greta, scores, "Tydligt.", "Kortare.", date.today())
    meeting = meetings.create_meeting(db_session, network, {**MEETING, "starts_at": local(30), "ends_at": local(30, 15)},
                                      coordinator)  # fmt: skip
    db_session.commit()
    meetings.register(db_session, meeting, greta, f"Ring {EMAIL}", True, meetings.utcnow())
    following.set_following(db_session, greta, "tag", "promenad", True)
    following.set_digest(greta, "weekly")
    notifications.save_settings(db_session, greta, {"comment_reply", "entry_comment"}, set())
    gallery = galleries.ensure_for_meeting(db_session, meeting, coordinator)
    galleries.add_images(
        db_session, gallery, [Upload("bild.jpg", io.BytesIO(jpeg()))], True, coordinator, tmp_path / "u2"
    )
    galleries.describe(gallery, {gallery.items[0].id: ("Blädderblock", "")}, coordinator)
    galleries.publish(gallery, coordinator)
    db_session.commit()
    galleries.request_removal(db_session, gallery, gallery.items[0], greta, {"reason": "Jag är med.", "contact": EMAIL})
    db_session.commit()
    # Greta also co-coordinates a network, plans a meeting there and fills its idea book.
    own_network = networks.create_network(
        db_session, {**NETWORK, "name": "Gretas nätverk", "slug": "gretas"}, coordinator
    )
    row = networks.join(db_session, own_network, greta)
    networks.set_member_role(own_network, row, "coordinator", coordinator)
    following.set_following(db_session, greta, "network", str(network.id), True)
    planned = meetings.create_meeting(
        db_session, own_network, {**MEETING, "title": "Gretas träff", "starts_at": local(40), "ends_at": local(40, 15)},
        greta,
    )  # fmt: skip
    book = galleries.ensure_for_meeting(db_session, planned, greta)
    galleries.add_images(db_session, book, [Upload("gretas-bild.jpg", io.BytesIO(jpeg()))], True, greta, Path(uploads))
    galleries.describe(book, {book.items[0].id: ("Post-it-lappar", "Gruppen")}, greta)
    # She asks for feedback on her own entry, gets a comment on it and reports it.
    feedback.request_feedback(db_session, published, greta, "Är stegen tydliga?", [], None, date.today())
    answer = feedback.post_comment(db_session, published, coordinator, "Olämpligt svar", None)
    db_session.commit()
    moderation.report(db_session, answer, greta, "Det här hör inte hit.")
    sharing.create_link(db_session, published, greta, "7")
    db_session.commit()
    return {"greta": greta, "published": published, "comment": comment, "coordinator": coordinator, "meeting": meeting}


def test_download_holds_every_kind_of_data_and_the_files(app, world):
    c = signed_in(app, world["greta"])
    response = c.get("/account/data.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("dela-data.json"))
    assert data["profile"]["email"] == EMAIL and data["profile"]["organisation"] == "Greta AB"
    assert {e["title"] for e in data["entries"]} == {"Gretas metod", "Gretas utkast"}
    assert len(data["revisions"]) == 2
    assert data["comments"][0]["body"] == f"Hälsningar från {NAME}"
    assert data["reviews"][0]["works_well"] == "Tydligt." and len(data["reviews"][0]["scores"]) >= 1
    assert data["registrations"][0]["note"] == f"Ring {EMAIL}"
    assert data["memberships"][0]["network"] == NETWORK["name"]
    assert data["profile"]["digest"] == "weekly" and data["notification_settings"]
    assert data["removal_requests"][0]["contact"] == EMAIL
    assert [q["question"] for q in data["feedback_requests"]] == ["Är stegen tydliga?"]
    assert data["reports"][0]["reason"] == "Det här hör inte hit."
    assert [m["title"] for m in data["meetings_planned"]] == ["Gretas träff"]
    assert data["idea_book_items"][0]["alt_text"] == "Post-it-lappar"
    assert any(n["kind"] == "entry_comment" for n in data["notifications"])
    assert {f["type"] for f in data["follows"]} == {"tag", "network"}
    assert [link["entry"] for link in data["share_links"]] == ["gretas-metod"]
    names = archive.namelist()
    assert any(n.startswith("files/idea-books/") and n.endswith("gretas-bild.jpg") for n in names)
    assert "files/entries/gretas-metod/gretas-lista.txt" in archive.namelist()
    assert archive.read("files/entries/gretas-metod/gretas-lista.txt") == b"punkt ett\n"


def text_columns():
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                yield table, column


def occurrences(db_session, needle: str) -> list[str]:
    found = []
    for table, column in text_columns():
        query = select(cast(column, Text)).where(cast(column, Text).contains(needle))
        if db_session.execute(query).first() is not None:
            found.append(f"{table.name}.{column.name}")
    return found


def test_deleting_the_account_leaves_no_personal_data_in_any_table(app, db_session, world):
    greta_id = world["greta"].id
    assert occurrences(db_session, EMAIL) and occurrences(db_session, NAME), "the search finds them before"
    c = signed_in(app, world["greta"])
    page = c.get("/account/delete")
    wrong = c.post("/account/delete", data={"csrf_token": csrf_from(page.data), "password": "fel-lösenord-123"})
    assert wrong.status_code == 400 and db_session.get(User, greta_id) is not None
    response = c.post("/account/delete", data={"csrf_token": csrf_from(page.data), "password": "grön-kaffe-på-tisdag"})
    assert response.status_code == 302, text_of(response)[:500]
    db_session.expire_all()
    assert db_session.get(User, greta_id) is None
    assert occurrences(db_session, EMAIL) == []
    # The comment was written by Greta about herself; without the option it stays, as published text does.
    assert occurrences(db_session, NAME) == ["comment.body", "comment.body_html"]
    published = db_session.scalar(select(Entry).where(Entry.slug == "gretas-metod"))
    assert published.authors == ["A former member", "Bo Kvar"] and published.created_by_id is None
    assert db_session.scalar(select(Registration)) is None, "the registration and its note are gone"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "account_deleted"))
    assert event.target_id == greta_id and event.actor_id is None and event.reason == ""
    assert visit(app, "/methods/gretas-metod").status_code == 200
    assert c.get("/account").status_code == 302, "logged out"


def test_deleting_drafts_and_comments_too(app, db_session, world):
    personal_data.delete_account(db_session, world["greta"], "A former member", drafts_and_comments=True)
    db_session.commit()
    assert occurrences(db_session, NAME) == [] and occurrences(db_session, EMAIL) == []
    assert db_session.scalar(select(Entry).where(Entry.slug == "gretas-utkast")) is None
    assert db_session.scalar(select(Entry).where(Entry.slug == "gretas-metod")) is not None
    comment = db_session.get(Comment, world["comment"].id)
    assert comment.is_removed and comment.body == ""


def test_the_last_coordinator_hands_over_first(app, db_session, world):
    c = signed_in(app, world["coordinator"])
    page = text_of(c.get("/account/delete"))
    assert "only coordinator" in page and 'name="password"' not in page
    token = csrf_from(c.get("/account").data)
    response = c.post("/account/delete", data={"csrf_token": token, "password": "grön-kaffe-på-tisdag"})
    assert response.status_code == 400
    assert db_session.get(User, world["coordinator"].id) is not None


def test_privacy_page_lists_every_table_that_refers_to_an_account(app):
    tables = {t.name for t in Base.metadata.sorted_tables if any(fk.column.table.name == "user_account"
                                                                  for fk in t.foreign_keys)}  # fmt: skip
    listed = {r.table for r in personal_data.INVENTORY}
    assert tables | {"user_account"} <= listed, sorted(tables - listed)
    page = text_of(visit(app, "/privacy"))
    assert "password (only as a salted hash)" in page and "Images are stored without any metadata" in page
    assert "Vad Dela sparar om dig" in text_of(app.test_client().get("/privacy", headers={"Accept-Language": "sv"}))
