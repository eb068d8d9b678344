"""Write-ups and idea books through the web: a facilitator fills and publishes an idea book, readers
see it as the meeting allows, image addresses answer 404 to those who may not see them, and a
participant's "remove me from this" reaches the facilitator, who removes the item in one click."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from methodbook import entries, meetings, writeups
from methodbook.attachments import blob_path
from methodbook.content_io import export_directory, import_directory
from methodbook.models import AuditEvent, Entry, Gallery, GalleryItem, MethodUse, Notification, RemovalRequest
from tests.app.test_networks_web import (
    add_member,
    input_value,
    make_meeting,
    make_network,
    signed_in,
    text_of,
    visit,
)
from tests.conftest import csrf_from, post_form

SIZES = ("thumb", "display", "original")


def jpeg_bytes(colour=(200, 40, 40), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(c, gallery_id: int, files: list[tuple[bytes, str]], consent: bool = True):
    page = c.get(f"/idea-books/{gallery_id}/manage")
    data = {"csrf_token": csrf_from(page.data), "images": [(io.BytesIO(b), name) for b, name in files]}
    if consent:
        data["consent"] = "y"
    return c.post(f"/idea-books/{gallery_id}/images", data=data, content_type="multipart/form-data")


def start(c, meeting_id: int) -> int:
    response = post_form(c, f"/meetings/{meeting_id}/idea-book", form_url=f"/meetings/{meeting_id}")
    assert response.status_code == 302, response.data[:400]
    return int(re.search(r"/idea-books/(\d+)/manage", response.headers["Location"]).group(1))


def items_of(db_session, gallery_id: int) -> list[GalleryItem]:
    db_session.expire_all()
    query = select(GalleryItem).where(GalleryItem.gallery_id == gallery_id).order_by(GalleryItem.position)
    return list(db_session.scalars(query))


def png_bytes(colour=(20, 160, 60), size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def manage_post(c, gallery_id: int, action: str, data: dict | None = None):
    """Post one of the managers' forms, with the CSRF token of the manage page."""
    return post_form(c, f"/idea-books/{gallery_id}/{action}", data, form_url=f"/idea-books/{gallery_id}/manage")


def fill(coord, db_session, meeting_id: int, publish: bool = True) -> int:
    """Start the meeting's idea book: two described images and a quote, published unless told not to."""
    gallery_id = start(coord, meeting_id)
    assert upload(coord, gallery_id, [(jpeg_bytes(), "a.jpg"), (jpeg_bytes((10, 90, 200)), "b.jpg")]).status_code == 302
    ids = [i.id for i in items_of(db_session, gallery_id)]
    described = {f"alt-{i}": f"Blädderblock {n}" for n, i in enumerate(ids)}
    assert manage_post(coord, gallery_id, "describe", described).status_code == 302
    quote = {"quote": "Vi borde göra så här oftare.", "attribution": "Deltagare"}
    assert manage_post(coord, gallery_id, "quotes", quote).status_code == 302
    if publish:
        assert manage_post(coord, gallery_id, "publish", {"action": "publish"}).status_code == 302
    return gallery_id


def page_urls(gallery_id: int, item_id: int) -> list[str]:
    """The idea book, one item's page and the print page."""
    base = f"/idea-books/{gallery_id}"
    return [base, f"{base}/items/{item_id}", f"{base}/print"]


def image_urls(gallery_id: int, item_id: int) -> list[str]:
    return [f"/idea-books/{gallery_id}/items/{item_id}/{size}" for size in SIZES]


def fetch_status(c, url: str) -> int:
    """GET and close (image answers are streamed files)."""
    response = c.get(url)
    response.close()
    return response.status_code


def blobs(app) -> set[Path]:
    """Every stored file under UPLOAD_DIR, leaving out the temporary folder."""
    root = Path(app.config["UPLOAD_DIR"])
    if not root.exists():
        return set()
    return {p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts}


def order_on_page(html: str, ids: list[int]) -> list[int]:
    """The items' ids in the order the page shows them."""
    found = {i: html.find(f'id="item-{i}"') for i in ids}
    assert all(at >= 0 for at in found.values()), found
    return sorted(ids, key=found.get)


@pytest.fixture
def coordinator(make_user):
    return make_user(role="facilitator", name="Karin Samordnare", email="karin@example.org")


@pytest.fixture
def coord(app, coordinator):
    return signed_in(app, coordinator)


@pytest.fixture
def filled(app, db_session, coordinator, coord):
    """A public network's meeting with a published idea book of two described images and a quote."""
    network = make_network(db_session, coordinator)
    meeting = make_meeting(db_session, network, coordinator)
    return network, meeting, fill(coord, db_session, meeting.id)


@pytest.fixture
def book(db_session, coordinator, coord):
    """A public network's meeting with an empty, unpublished idea book."""
    network = make_network(db_session, coordinator)
    meeting = make_meeting(db_session, network, coordinator)
    return network, meeting, start(coord, meeting.id)


@pytest.fixture
def member(app, db_session, make_user, coordinator):
    """Make a member of a network and return their client: member(network)."""

    def make(network, name: str = "Maja Medlem"):
        user = make_user(name=name)
        add_member(db_session, network, user, coordinator)
        return user, signed_in(app, user)

    return make


def test_facilitator_fills_and_publishes_an_idea_book_that_visitors_see(app, db_session, filled):
    network, meeting, gallery_id = filled
    page = visit(app, f"/idea-books/{gallery_id}")
    assert page.status_code == 200, page.data[:500]
    html = text_of(page)
    assert "Blädderblock 0" in html and "Vi borde göra så här oftare." in html
    assert "Idea book" in text_of(visit(app, f"/meetings/{meeting.id}"))
    item = items_of(db_session, gallery_id)[0]
    for size in ("thumb", "display", "original"):
        image = visit(app, f"/idea-books/{gallery_id}/items/{item.id}/{size}")
        image.close()
        assert image.status_code == 200 and image.mimetype.startswith("image/")
    assert visit(app, f"/idea-books/{gallery_id}/items/{item.id}").status_code == 200
    assert visit(app, f"/idea-books/{gallery_id}/print").status_code == 200


# --- who sees what ----------------------------------------------------------------------------


@pytest.fixture
def closed_book(app, db_session, coordinator, coord):
    """A members-only network's meeting with a published idea book."""
    network = make_network(db_session, coordinator, visibility="members", join_policy="request")
    meeting = make_meeting(db_session, network, coordinator, title="Internt möte")
    gallery_id = fill(coord, db_session, meeting.id)
    return network, meeting, gallery_id


@pytest.mark.parametrize(
    ("persona", "want"),
    [("anonymous", 404), ("outsider", 404), ("member", 200), ("coordinator", 200), ("admin", 200)],
)
def test_members_only_idea_book_and_its_images_follow_membership(
    app, db_session, make_user, coord, member, closed_book, persona, want
):
    network, meeting, gallery_id = closed_book
    clients = {
        "anonymous": lambda: app.test_client(),
        "outsider": lambda: signed_in(app, make_user(name="Utomstående Ulf")),
        "member": lambda: member(network)[1],
        "coordinator": lambda: coord,
        "admin": lambda: signed_in(app, make_user(role="admin")),
    }
    c = clients[persona]()
    item = items_of(db_session, gallery_id)[0]
    for url in page_urls(gallery_id, item.id):
        response = c.get(url)
        assert response.status_code == want, (url, persona)
        assert ("Blädderblock" in text_of(response)) == (want == 200), (url, persona)
    for url in image_urls(gallery_id, item.id):
        assert fetch_status(c, url) == want, (url, persona)


def test_unpublished_idea_book_is_for_the_coordinator_only(app, db_session, coordinator, coord, member, make_user):
    network = make_network(db_session, coordinator)
    meeting = make_meeting(db_session, network, coordinator)
    gallery_id = fill(coord, db_session, meeting.id, publish=False)
    _, m = member(network)
    item = items_of(db_session, gallery_id)[0]
    for url in page_urls(gallery_id, item.id) + image_urls(gallery_id, item.id):
        assert fetch_status(m, url) == 404, url
        assert fetch_status(app.test_client(), url) == 404, url
        assert fetch_status(coord, url) == 200, url
    assert f"/idea-books/{gallery_id}" not in text_of(m.get(f"/meetings/{meeting.id}"))
    assert "Not published" in text_of(coord.get(f"/idea-books/{gallery_id}"))


def test_managing_an_idea_book_is_for_its_coordinators(app, db_session, filled, member):
    network, meeting, gallery_id = filled
    _, m = member(network)
    first, second, quote = items_of(db_session, gallery_id)
    base = f"/idea-books/{gallery_id}"
    assert m.get(f"{base}/manage").status_code == 403
    assert m.get(f"{base}/items/{quote.id}/edit").status_code == 403
    item_page = f"{base}/items/{first.id}"
    posts = [
        ("images", {"consent": "y", "images": [(io.BytesIO(jpeg_bytes((5, 5, 5))), "c.jpg")]}),
        ("describe", {f"alt-{first.id}": "Överskrivet"}),
        ("quotes", {"quote": "Intrång"}),
        ("videos", {"url": "https://video.example.org/v/1", "link_title": "Intrång"}),
        (f"items/{quote.id}/edit", {"quote": "Intrång"}),
        (f"items/{second.id}/move", {"direction": "up"}),
        (f"items/{second.id}/cover", {}),
        (f"items/{first.id}/remove", {}),
        ("publish", {"action": "unpublish"}),
    ]
    anonymous = app.test_client()
    for c, want in ((m, 403), (anonymous, "login")):
        token = csrf_from(c.get(item_page).data)
        for action, data in posts:
            payload = {**data, "csrf_token": token}
            if "images" in data:  # a fresh stream for every post
                payload["images"] = [(io.BytesIO(jpeg_bytes((5, 5, 5))), "c.jpg")]
            response = c.post(f"{base}/{action}", data=payload, content_type="multipart/form-data")
            if want == "login":
                assert response.status_code == 302 and "/login" in response.headers["Location"], action
            else:
                assert response.status_code == want, (action, response.status_code)
    assert anonymous.get(f"{base}/manage").headers["Location"].startswith("/login")
    db_session.expire_all()
    after = items_of(db_session, gallery_id)
    assert [(i.id, i.alt_text, i.quote) for i in after] == [
        (first.id, "Blädderblock 0", ""), (second.id, "Blädderblock 1", ""), (quote.id, "", "Vi borde göra så här oftare.")
    ]  # fmt: skip
    gallery = db_session.get(Gallery, gallery_id)
    assert gallery.published_at is not None and gallery.cover_item_id is None


def test_images_of_public_idea_books_may_be_cached_by_anyone_and_members_only_ones_privately(
    app, db_session, coordinator, coord, member, filled
):
    _, _, public_id = filled
    item = items_of(db_session, public_id)[0]
    for url in image_urls(public_id, item.id):
        response = visit(app, url)
        response.close()
        assert response.status_code == 200
        assert response.cache_control.public and not response.cache_control.private, url
        assert response.cache_control.no_cache, url  # asked again each time: a removal shows at once
        again = app.test_client().get(url, headers={"If-None-Match": response.headers["ETag"]})
        again.close()
        assert again.status_code == 304, url
    closed = make_network(db_session, coordinator, name="Slutna rummet", slug="slutna-rummet", visibility="members")
    closed_id = fill(coord, db_session, make_meeting(db_session, closed, coordinator).id)
    _, m = member(closed)
    item = items_of(db_session, closed_id)[0]
    for url in image_urls(closed_id, item.id):
        response = m.get(url)
        response.close()
        assert response.status_code == 200
        assert response.cache_control.private and not response.cache_control.public, url
        assert response.cache_control.no_cache, url


# --- uploading and describing -----------------------------------------------------------------


def test_upload_without_consent_is_refused_and_nothing_is_stored(app, db_session, coord, book):
    _, _, gallery_id = book
    before = blobs(app)
    response = upload(coord, gallery_id, [(jpeg_bytes(), "a.jpg")], consent=False)
    assert response.status_code == 400
    page = text_of(response)
    assert 'id="consent-error"' in page and "agreed to be shown" in page
    assert items_of(db_session, gallery_id) == []
    assert blobs(app) == before


@pytest.mark.parametrize(
    ("bad", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "ritning.svg"),
        (png_bytes(), "omdopt.jpg"),
        ("Det här är ingen bild.\n".encode(), "anteckning.png"),
    ],
    ids=["svg", "png-as-jpg", "text-as-png"],
)
def test_one_bad_file_refuses_the_whole_batch(app, db_session, coord, book, bad, name):
    _, _, gallery_id = book
    before = blobs(app)
    response = upload(coord, gallery_id, [(jpeg_bytes((1, 200, 3)), "bra.jpg"), (bad, name)])
    assert response.status_code == 400
    page = text_of(response)
    assert f"{name}:" in page, "the refused file is named"
    assert "bra.jpg:" not in page
    assert items_of(db_session, gallery_id) == []
    assert blobs(app) == before, "the good image of the batch is not kept either"


def test_new_images_stay_hidden_until_described(app, db_session, coord, member, filled):
    network, _, gallery_id = filled
    _, m = member(network)
    assert upload(coord, gallery_id, [(jpeg_bytes((250, 250, 0)), "ny.jpg")]).status_code == 302
    new = items_of(db_session, gallery_id)[-1]
    assert new.filename == "ny.jpg" and not new.described
    item_url = f"/idea-books/{gallery_id}/items/{new.id}"
    assert item_url not in text_of(m.get(f"/idea-books/{gallery_id}"))
    assert [fetch_status(m, url) for url in [item_url, *image_urls(gallery_id, new.id)]] == [404] * 4
    assert item_url in text_of(coord.get(f"/idea-books/{gallery_id}")), "the coordinator sees it"
    assert manage_post(coord, gallery_id, "describe", {f"alt-{new.id}": "Gul lapp"}).status_code == 302
    page = text_of(m.get(f"/idea-books/{gallery_id}"))
    assert item_url in page and 'alt="Gul lapp"' in page
    assert [fetch_status(m, url) for url in [item_url, *image_urls(gallery_id, new.id)]] == [200] * 4


def test_describing_without_alt_text_is_refused_and_the_typed_text_is_kept(db_session, coord, book):
    _, _, gallery_id = book
    upload(coord, gallery_id, [(jpeg_bytes((1, 1, 1)), "ett.jpg"), (jpeg_bytes((9, 9, 9)), "tva.jpg")])
    one, two = items_of(db_session, gallery_id)
    typed = {f"alt-{one.id}": "Tavlan med idéer", f"caption-{one.id}": "Första bladet",
             f"alt-{two.id}": "  ", f"caption-{two.id}": "Andra bladet"}  # fmt: skip
    response = manage_post(coord, gallery_id, "describe", typed)
    assert response.status_code == 400
    page = text_of(response)
    assert f'id="alt-{two.id}-error"' in page and f'id="alt-{one.id}-error"' not in page
    assert 'value="Första bladet"' in page and 'value="Andra bladet"' in page
    assert ">Tavlan med idéer</textarea>" in page
    assert [(i.alt_text, i.caption) for i in items_of(db_session, gallery_id)] == [("", ""), ("", "")]


# --- quotes and video links -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,<b>x</b>", "//evil.example"]
)
def test_video_links_must_be_web_addresses(db_session, coord, book, url):
    _, _, gallery_id = book
    response = manage_post(coord, gallery_id, "videos", {"url": url, "link_title": "Film"})
    assert response.status_code == 400 and 'id="url-error"' in text_of(response)
    assert items_of(db_session, gallery_id) == []
    good = {"url": "https://vimeo.com/123", "link_title": "Film"}
    assert manage_post(coord, gallery_id, "videos", good).status_code == 302
    [video] = items_of(db_session, gallery_id)
    edit = f"/idea-books/{gallery_id}/items/{video.id}/edit"
    assert post_form(coord, edit, {"url": url, "link_title": "Film"}).status_code == 400
    assert items_of(db_session, gallery_id)[0].url == "https://vimeo.com/123"


def test_video_link_is_a_card_with_title_and_host_never_an_embedded_player(app, db_session, coord, filled):
    _, _, gallery_id = filled
    link = {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "link_title": "Filmen från temadagen"}
    assert manage_post(coord, gallery_id, "videos", link).status_code == 302
    video = items_of(db_session, gallery_id)[-1]
    assert video.host == "youtube.com"
    for url in page_urls(gallery_id, video.id):
        page = text_of(visit(app, url))
        assert "Filmen från temadagen" in page and "youtube.com" in page, url
        anchor = re.search(r'<a href="https://www\.youtube\.com/watch\?v=dQw4w9WgXcQ"[^>]*>', page)
        assert anchor, url
        rel = re.search(r'rel="([^"]*)"', anchor.group(0))
        assert rel and "noopener" in rel.group(1).split(), url
        assert "<iframe" not in page.lower() and "<embed" not in page.lower(), url


# --- order and cover ---------------------------------------------------------------------------


def test_moving_items_changes_the_order_readers_see(app, db_session, coord, filled):
    _, _, gallery_id = filled
    first, second, quote = (i.id for i in items_of(db_session, gallery_id))
    ids = [first, second, quote]
    assert order_on_page(text_of(visit(app, f"/idea-books/{gallery_id}")), ids) == [first, second, quote]
    assert manage_post(coord, gallery_id, f"items/{quote}/move", {"direction": "up"}).status_code == 302
    assert order_on_page(text_of(visit(app, f"/idea-books/{gallery_id}")), ids) == [first, quote, second]
    assert manage_post(coord, gallery_id, f"items/{first}/move", {"direction": "down"}).status_code == 302
    assert order_on_page(text_of(visit(app, f"/idea-books/{gallery_id}")), ids) == [quote, first, second]
    assert manage_post(coord, gallery_id, f"items/{quote}/move", {"direction": "up"}).status_code == 302, "top stays"
    assert manage_post(coord, gallery_id, f"items/{quote}/move", {"direction": "sideways"}).status_code == 400
    assert order_on_page(text_of(visit(app, f"/idea-books/{gallery_id}/print")), ids) == [quote, first, second]


def test_chosen_cover_is_shown_on_the_meeting_page(app, db_session, coord, filled):
    _, meeting, gallery_id = filled
    first, second, quote = items_of(db_session, gallery_id)
    thumb = f"/idea-books/{gallery_id}/items/{{}}/thumb"
    page = text_of(visit(app, f"/meetings/{meeting.id}"))
    assert thumb.format(first.id) in page and thumb.format(second.id) not in page, "the first image until one is chosen"
    assert manage_post(coord, gallery_id, f"items/{second.id}/cover").status_code == 302
    page = text_of(visit(app, f"/meetings/{meeting.id}"))
    assert thumb.format(second.id) in page and thumb.format(first.id) not in page
    assert 'alt="Blädderblock 1"' in page
    manage_post(coord, gallery_id, f"items/{quote.id}/cover")
    db_session.expire_all()
    assert db_session.get(Gallery, gallery_id).cover_item_id == second.id, "a quote cannot be the cover"


# --- "remove me from this" --------------------------------------------------------------------


def test_participant_asks_for_removal_and_the_coordinator_removes_item_and_files(
    app, db_session, coordinator, coord, member, filled
):
    network, _, gallery_id = filled
    user, m = member(network, name="Pia Deltagare")
    item = items_of(db_session, gallery_id)[1]
    item_id = item.id
    item_url = f"/idea-books/{gallery_id}/items/{item_id}"
    files = [blob_path(Path(app.config["UPLOAD_DIR"]), sha) for sha in (item.original_sha256, item.display_sha256,
                                                                           item.thumb_sha256)]  # fmt: skip
    assert all(p.is_file() for p in files)
    asked = {"reason": "Jag syns på bilden och vill inte det.", "contact": "pia@example.org"}
    response = post_form(m, f"{item_url}/removal", asked, form_url=item_url)
    assert response.status_code == 302
    db_session.expire_all()
    [told] = db_session.scalars(
        select(Notification).where(Notification.user_id == coordinator.id, Notification.kind == "gallery_removal")
    ).all()
    assert told.actor_id == user.id and told.path == f"/idea-books/{gallery_id}/manage#item-{item_id}"
    manage = text_of(coord.get(f"/idea-books/{gallery_id}/manage"))
    assert "Asked to be removed" in manage and "Jag syns på bilden och vill inte det." in manage
    assert "pia@example.org" in manage and "Pia Deltagare" in manage
    assert "pia@example.org" not in text_of(m.get(item_url)), "the contact is for the facilitators only"

    response = manage_post(coord, gallery_id, f"items/{item_id}/remove")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(GalleryItem, item_id) is None
    assert db_session.scalars(select(RemovalRequest)).all() == []
    assert not any(p.exists() for p in files), "the image's files are deleted"
    first = items_of(db_session, gallery_id)[0]
    assert blob_path(Path(app.config["UPLOAD_DIR"]), first.original_sha256).is_file(), "other images stay"
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.target_type == "gallery_item")).all()
    assert (event.action, event.target_id, event.actor_id) == ("gallery_remove_requested", item_id, coordinator.id)
    assert item_url not in text_of(m.get(f"/idea-books/{gallery_id}"))
    assert [fetch_status(m, url) for url in [item_url, *image_urls(gallery_id, item_id)]] == [404] * 4
    assert "Asked to be removed" not in text_of(coord.get(f"/idea-books/{gallery_id}/manage"))


def test_anonymous_visitor_may_ask_for_removal_and_a_kept_item_stays(app, db_session, coordinator, coord, filled):
    _, _, gallery_id = filled
    item = items_of(db_session, gallery_id)[0]
    item_url = f"/idea-books/{gallery_id}/items/{item.id}"
    visitor = app.test_client()
    response = post_form(
        visitor, f"{item_url}/removal", {"reason": "Det är jag längst till vänster."}, form_url=item_url
    )
    assert response.status_code == 302
    assert "facilitators are told" in text_of(visitor.get(response.headers["Location"]))
    db_session.expire_all()
    [row] = db_session.scalars(select(RemovalRequest)).all()
    assert row.item_id == item.id and row.requester_id is None
    [told] = db_session.scalars(select(Notification).where(Notification.kind == "gallery_removal")).all()
    assert told.user_id == coordinator.id and told.actor_id is None
    manage = text_of(coord.get(f"/idea-books/{gallery_id}/manage"))
    assert "Det är jag längst till vänster." in manage
    response = manage_post(coord, gallery_id, f"requests/{row.id}/dismiss")
    assert response.status_code == 302
    assert "Det är jag längst till vänster." not in text_of(coord.get(f"/idea-books/{gallery_id}/manage"))
    assert [i.id for i in items_of(db_session, gallery_id)][0] == item.id, "the item stays"
    assert fetch_status(visitor, item_url) == 200


# --- write-ups ---------------------------------------------------------------------------------

WRITEUP = {"title": "Så gick temadagen", "slug": "sa-gick-temadagen", "kind": "write-up", "language": "sv",
           "status": "published", "summary": "Vad vi gjorde och vad vi lärde oss.", "body": "## Dagen\n\nBra.\n",
           "action": "save"}  # fmt: skip


@pytest.fixture
def agenda(db_session, coordinator, make_entry, filled):
    """The filled idea book's meeting with a welcome and two methods on its agenda."""
    network, meeting, gallery_id = filled
    walkshop = make_entry(title="Walkshop", user=coordinator)
    fishbowl = make_entry(title="Fishbowl", user=coordinator)
    meetings.add_block(db_session, meeting, {"title": "Välkomna", "minutes": "15"}, None, coordinator)
    meetings.add_block(db_session, meeting, {}, fishbowl, coordinator)
    meetings.add_block(db_session, meeting, {}, walkshop, coordinator)
    meetings.add_block(db_session, meeting, {}, fishbowl, coordinator)
    db_session.commit()
    return network, meeting, gallery_id


def selected_option(page: str, name: str) -> str | None:
    select_tag = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select_tag, f"no select {name} on the page"
    option = re.search(r'<option(?=[^>]*\bselected\b)[^>]*\bvalue="([^"]*)"', select_tag.group(1))
    return option.group(1) if option else None


def test_write_up_of_a_meeting_is_prefilled_from_its_agenda_and_links_everything(
    app, db_session, coord, member, agenda
):
    network, meeting, gallery_id = agenda
    form = text_of(coord.get(f"/methods/new?kind=write-up&meeting={meeting.id}"))
    assert input_value(form, "methods_used") == "fishbowl, walkshop", "agenda order, each once, no free blocks"
    assert selected_option(form, "meeting") == str(meeting.id)
    assert selected_option(form, "kind") == "write-up"
    data = {**WRITEUP, "meeting": str(meeting.id), "network": str(network.id), "methods_used": "fishbowl, walkshop",
            "csrf_token": csrf_from(form)}  # fmt: skip
    response = coord.post("/methods/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, text_of(response)[:800]
    db_session.expire_all()
    writeup = db_session.scalar(select(Entry).where(Entry.slug == "sa-gick-temadagen"))
    assert (writeup.kind, writeup.meeting_id, writeup.network_id) == ("write-up", meeting.id, network.id)
    assert writeup.methods_used == ["fishbowl", "walkshop"]

    _, m = member(network)
    method_page = text_of(m.get("/methods/walkshop"))
    assert "Used at 1 meeting" in method_page and 'href="/methods/sa-gick-temadagen"' in method_page
    assert 'href="/methods/sa-gick-temadagen"' in text_of(m.get(f"/meetings/{meeting.id}"))
    page = text_of(m.get("/methods/sa-gick-temadagen"))
    assert f'href="/meetings/{meeting.id}"' in page and "Methods used" in page
    assert page.find('href="/methods/fishbowl"') < page.find('href="/methods/walkshop"')
    assert f'href="/idea-books/{gallery_id}"' in page, "the meeting's idea book"
    assert 'href="/methods/sa-gick-temadagen"' in text_of(m.get(f"/idea-books/{gallery_id}"))


def test_only_coordinators_link_a_write_up_to_a_meeting(app, db_session, member, agenda):
    network, meeting, _ = agenda
    _, m = member(network)
    form = text_of(m.get(f"/methods/new?kind=write-up&meeting={meeting.id}"))
    assert input_value(form, "methods_used") in (None, ""), "not prefilled for a member who does not coordinate"
    assert f"{meeting.title} (" not in form, "the meeting is not offered"
    data = {**WRITEUP, "meeting": str(meeting.id), "methods_used": "walkshop", "csrf_token": csrf_from(form)}
    response = m.post("/methods/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'id="meeting-error"' in text_of(response)
    db_session.expire_all()
    assert db_session.scalar(select(Entry).where(Entry.kind == "write-up")) is None
    assert db_session.scalars(select(MethodUse)).all() == []


def test_visitor_page_cache_shows_a_method_new_usage_once_the_write_up_is_published(app, db_session, coord, agenda):
    network, meeting, _ = agenda
    first = visit(app, "/methods/walkshop")
    assert first.status_code == 200 and "Used at" not in text_of(first)
    assert visit(app, "/methods/walkshop").data == first.data, "served from the cache"
    form = text_of(coord.get(f"/methods/new?kind=write-up&meeting={meeting.id}"))
    data = {**WRITEUP, "status": "draft", "meeting": str(meeting.id), "network": str(network.id),
            "methods_used": "walkshop", "csrf_token": csrf_from(form)}  # fmt: skip
    assert coord.post("/methods/new", data=data, content_type="multipart/form-data").status_code == 302
    assert "Used at" not in text_of(visit(app, "/methods/walkshop")), "a draft is not counted"
    edit = text_of(coord.get("/methods/sa-gick-temadagen/edit"))
    data = {**data, "status": "published", "csrf_token": csrf_from(edit)}
    published = coord.post("/methods/sa-gick-temadagen/edit", data=data, content_type="multipart/form-data")
    assert published.status_code == 302
    page = text_of(visit(app, "/methods/walkshop"))
    assert "Used at 1 meeting" in page and 'href="/methods/sa-gick-temadagen"' in page


def test_visitor_page_cache_drops_a_named_method_that_turns_members_only(app, db_session, coordinator, agenda):
    network, meeting, _ = agenda
    writeup = entries.create_entry(
        db_session, entries.validate_entry_data({**WRITEUP, "methods_used": "walkshop, fishbowl"}, db_session),
        coordinator, [],
    )  # fmt: skip
    writeups.set_meeting(db_session, writeup, meeting.id, coordinator)
    db_session.commit()
    page = text_of(visit(app, f"/methods/{writeup.slug}"))
    assert 'href="/methods/walkshop"' in page and 'href="/methods/fishbowl"' in page
    closed = make_network(db_session, coordinator, name="Slutet nätverk", slug="slutet", visibility="members")
    walkshop = entries.get_entry(db_session, "walkshop")
    walkshop.network = closed
    db_session.commit()
    page = text_of(visit(app, f"/methods/{writeup.slug}"))
    assert 'href="/methods/walkshop"' not in page and 'href="/methods/fishbowl"' in page


def test_visitor_page_cache_drops_a_write_up_whose_network_turns_members_only(app, db_session, coordinator, agenda):
    network, meeting, _ = agenda
    writeup = entries.create_entry(
        db_session, entries.validate_entry_data({**WRITEUP, "methods_used": "walkshop"}, db_session), coordinator, []
    )
    writeups.set_meeting(db_session, writeup, meeting.id, coordinator)
    db_session.commit()
    assert "Used at 1 meeting" in text_of(visit(app, "/methods/walkshop"))
    network.visibility = "members"
    db_session.commit()
    page = text_of(visit(app, "/methods/walkshop"))
    assert "Used at" not in page and writeup.slug not in page


def test_export_and_import_keep_the_methods_a_write_up_used(db_session, make_entry, coordinator, tmp_path):
    body = "## Steg\n\n1. Gå ut"  # no final newline: export drops it, and the files are then unchanged
    make_entry(title="Walkshop", user=coordinator, body=body)
    make_entry(title="Fishbowl", user=coordinator, body=body)
    writeup = make_entry(title="Så gick temadagen", kind="write-up", methods_used="fishbowl, walkshop", user=coordinator,
                         body=body)  # fmt: skip
    assert writeup.methods_used == ["fishbowl", "walkshop"]
    uploads, folder = tmp_path / "uploads", tmp_path / "export"
    assert export_directory(db_session, folder, uploads) == 3
    text = (folder / "sa-gick-temadagen.md").read_text(encoding="utf-8")
    assert re.search(r"^methods_used:\n  - fishbowl\n  - walkshop$", text, re.M), text
    assert "methods_used" not in (folder / "walkshop.md").read_text(encoding="utf-8")

    snap = entries.snapshot(writeup)
    data = entries.validate_entry_data({**snap, "methods_used": [], "attachments": []}, db_session, writeup)
    assert entries.update_entry(db_session, writeup, data, coordinator)
    db_session.commit()
    assert writeup.methods_used == []
    report = import_directory(db_session, folder, uploads)
    db_session.commit()
    assert report.failed == [] and [Path(p).name for p in report.updated] == ["sa-gick-temadagen.md"]
    db_session.expire_all()
    again = db_session.scalar(select(Entry).where(Entry.slug == "sa-gick-temadagen"))
    assert again.methods_used == ["fishbowl", "walkshop"]
    assert again.current_revision.data["methods_used"] == ["fishbowl", "walkshop"]
    uses = db_session.scalars(select(MethodUse.method_slug).where(MethodUse.writeup_id == again.id)).all()
    assert sorted(uses) == ["fishbowl", "walkshop"]
