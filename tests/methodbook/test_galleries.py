"""Idea books: who makes and sees them, uploads all or nothing, describing, ordering, publishing, removal."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from methodbook import galleries, meetings, networks
from methodbook.attachments import blob_path
from methodbook.errors import Forbidden, NotFound, ValidationError
from methodbook.galleries import Upload, UploadsRefused
from methodbook.models import AuditEvent, Gallery, GalleryItem, Notification, RemovalRequest
from tests.methodbook.conftest import MEETING as RAW_MEETING

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def _photo(size=(64, 48), color=RED, fmt="JPEG") -> bytes:
    return _encode(Image.new("RGB", size, color), fmt)


def _upload(data: bytes, name: str = "foto.jpg") -> Upload:
    return Upload(name, io.BytesIO(data))


def _files_under(directory: Path) -> list[Path]:
    return sorted(Path(root) / name for root, _dirs, names in os.walk(directory) for name in names)


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _removal_notices(session, user) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id, Notification.kind == "gallery_removal")
    return list(session.scalars(query))


@pytest.fixture
def upload_dir(tmp_path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def outsider(make_user):
    return make_user(name="Olle Utanför")


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", name="Ada Admin")


@pytest.fixture
def gallery(db_session, meeting, coordinator) -> Gallery:
    return galleries.ensure_for_meeting(db_session, meeting, coordinator)


def _quote(gallery, user, text="Vi borde ses oftare.") -> GalleryItem:
    return galleries.add_quote(gallery, {"quote": text, "attribution": "En deltagare"}, user)


def _image(session, gallery, user, upload_dir, color=RED, size=(64, 48), alt="") -> GalleryItem:
    [item] = galleries.add_images(session, gallery, [_upload(_photo(size, color))], True, user, upload_dir)
    if alt:
        galleries.describe(gallery, {item.id: (alt, "")}, user)
    return item


# --- Making an idea book -------------------------------------------------------------------------


def test_coordinator_gets_one_gallery_per_meeting(db_session, meeting, coordinator, member):
    first = galleries.ensure_for_meeting(db_session, meeting, coordinator)
    again = galleries.ensure_for_meeting(db_session, meeting, coordinator)
    assert first.id is not None and again is first
    assert (first.meeting_id, first.entry_id, first.published_at) == (meeting.id, None, None)
    assert first.created_by_id == coordinator.id
    assert galleries.of_meeting(db_session, meeting) is first
    with pytest.raises(Forbidden):
        galleries.ensure_for_meeting(db_session, meeting, member)
    assert _count(db_session, Gallery) == 1


def test_ensure_for_entry_only_for_a_write_up_without_meeting_by_its_editors(
    db_session, make_entry, meeting, coordinator, member, outsider
):
    writeup = make_entry("Vad vi lärde oss", user=member, kind="write-up")
    method = make_entry("Kritisk vän", user=member)
    gallery = galleries.ensure_for_entry(db_session, writeup, member)
    assert galleries.ensure_for_entry(db_session, writeup, member) is gallery
    assert (gallery.entry_id, gallery.meeting_id) == (writeup.id, None)
    assert galleries.of_entry(db_session, writeup) is gallery
    with pytest.raises(Forbidden):
        galleries.ensure_for_entry(db_session, writeup, outsider)
    with pytest.raises(Forbidden):
        galleries.ensure_for_entry(db_session, method, member)
    linked = make_entry("Temadagen i korthet", user=coordinator, kind="write-up")
    linked.meeting = meeting
    db_session.flush()
    with pytest.raises(Forbidden):
        galleries.ensure_for_entry(db_session, linked, coordinator)
    assert _count(db_session, Gallery) == 1


# --- Who sees what -------------------------------------------------------------------------------


def test_public_networks_gallery_is_seen_by_managers_until_published_then_by_anyone(
    db_session, gallery, coordinator, member, outsider, admin, upload_dir
):
    _image(db_session, gallery, coordinator, upload_dir, alt="Flipchart med idéer")
    assert galleries.can_manage(coordinator, gallery) and galleries.can_view(coordinator, gallery)
    assert galleries.can_manage(admin, gallery) and galleries.can_view(admin, gallery)
    for viewer in (None, member, outsider):
        assert not galleries.can_manage(viewer, gallery)
        assert not galleries.can_view(viewer, gallery)
    galleries.publish(gallery, coordinator)
    assert gallery.published_at is not None
    for viewer in (None, member, outsider):
        assert galleries.can_view(viewer, gallery)
        assert not galleries.can_manage(viewer, gallery)


def test_members_only_gallery_and_its_items_are_for_members_and_admins(
    db_session, closed, coordinator, member, outsider, admin
):
    meeting = meetings.create_meeting(db_session, closed, RAW_MEETING, coordinator)
    gallery = galleries.ensure_for_meeting(db_session, meeting, coordinator)
    _quote(gallery, coordinator)
    galleries.publish(gallery, coordinator)
    db_session.flush()
    assert not galleries.can_view(None, gallery)
    assert not galleries.can_view(outsider, gallery)
    assert galleries.can_view(member, gallery) and not galleries.can_manage(member, gallery)
    assert galleries.can_view(admin, gallery)
    for stranger in (None, outsider):
        with pytest.raises(NotFound):
            galleries.request_removal(db_session, gallery, gallery.items[0], stranger, {"reason": "Bort"})
    assert _count(db_session, RemovalRequest) == 0
    galleries.request_removal(db_session, gallery, gallery.items[0], member, {"reason": "Bort"})
    assert [n.actor_id for n in _removal_notices(db_session, coordinator)] == [member.id]


def test_undescribed_images_are_shown_to_managers_only(db_session, gallery, coordinator, member, upload_dir):
    plain = _image(db_session, gallery, coordinator, upload_dir, RED)
    described = _image(db_session, gallery, coordinator, upload_dir, GREEN, alt="Gröna lappar på väggen")
    quote = _quote(gallery, coordinator)
    galleries.publish(gallery, coordinator)
    assert galleries.shown_items(gallery, coordinator) == [plain, described, quote]
    assert galleries.shown_items(gallery, member) == [described, quote]
    assert galleries.shown_items(gallery, None) == [described, quote]
    assert not galleries.can_see_item(member, gallery, plain)
    assert galleries.can_see_item(member, gallery, described)
    assert galleries.can_see_item(coordinator, gallery, plain)


# --- Uploading -----------------------------------------------------------------------------------


def test_add_images_needs_consent_and_files(db_session, gallery, coordinator, member, upload_dir):
    with pytest.raises(ValidationError) as caught:
        galleries.add_images(db_session, gallery, [_upload(_photo())], False, coordinator, upload_dir)
    assert set(caught.value.errors) == {"consent"}
    with pytest.raises(ValidationError) as caught:
        galleries.add_images(db_session, gallery, [], True, coordinator, upload_dir)
    assert set(caught.value.errors) == {"images"}
    too_many = [_upload(b"", f"bild{i}.jpg") for i in range(galleries.MAX_UPLOAD_FILES + 1)]
    with pytest.raises(ValidationError) as caught:
        galleries.add_images(db_session, gallery, too_many, True, coordinator, upload_dir)
    assert set(caught.value.errors) == {"images"}
    with pytest.raises(Forbidden):
        galleries.add_images(db_session, gallery, [_upload(_photo())], True, member, upload_dir)
    assert gallery.items == []
    assert _files_under(upload_dir) == []


def test_add_images_stores_three_sizes_on_disk(db_session, gallery, coordinator, upload_dir):
    uploads = [_upload(_photo((800, 600), RED), "tavla.jpg"), _upload(_photo((30, 20), BLUE, "PNG"), "lapp.png")]
    items = galleries.add_images(db_session, gallery, uploads, True, coordinator, upload_dir)
    db_session.expire_all()
    assert [i.id for i in gallery.items] == [i.id for i in items]
    big, small = gallery.items
    assert [(i.kind, i.filename, i.width, i.height, i.position) for i in gallery.items] == [
        ("image", "tavla.jpg", 800, 600, 0),
        ("image", "lapp.png", 30, 20, 1),
    ]
    assert (big.content_type, small.content_type) == ("image/jpeg", "image/png")
    assert big.consent_at is not None and big.added_by_id == coordinator.id
    assert not big.described and gallery.changed_at is not None
    for item in items:
        hashes = [item.original_sha256, item.display_sha256, item.thumb_sha256]
        assert all(len(sha) == 64 for sha in hashes)
        for sha in hashes:
            assert blob_path(upload_dir, sha).is_file()
    assert len({big.original_sha256, big.display_sha256, big.thumb_sha256}) == 3
    with Image.open(blob_path(upload_dir, big.thumb_sha256)) as thumb:
        assert max(thumb.size) < 800


@pytest.mark.parametrize(
    ("name", "data"),
    [("skiss.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
     ("anteckning.png", "Det här är ingen bild, bara text.\n".encode())],
)  # fmt: skip
def test_one_bad_file_refuses_the_whole_batch(db_session, gallery, coordinator, upload_dir, name, data):
    kept = _image(db_session, gallery, coordinator, upload_dir, BLUE)
    before = _files_under(upload_dir)
    uploads = [
        _upload(_photo(color=RED), "a.jpg"),
        _upload(_photo(color=GREEN, fmt="PNG"), "b.png"),
        _upload(data, name),
    ]
    with pytest.raises(UploadsRefused) as caught:
        galleries.add_images(db_session, gallery, uploads, True, coordinator, upload_dir)
    assert [r.filename for r in caught.value.refusals] == [name]
    assert _files_under(upload_dir) == before
    db_session.expire_all()
    assert gallery.items == [kept]
    assert _count(db_session, GalleryItem) == 1


# --- Describing and adding other items ---------------------------------------------------------


def test_describe_requires_alt_text_and_changes_nothing_on_error(db_session, gallery, coordinator, upload_dir):
    first = _image(db_session, gallery, coordinator, upload_dir, RED)
    second = _image(db_session, gallery, coordinator, upload_dir, GREEN)
    with pytest.raises(ValidationError) as caught:
        galleries.describe(gallery, {first.id: ("Röda lappar", "Förmiddagen"), second.id: ("   ", "x")}, coordinator)
    assert set(caught.value.errors) == {f"alt-{second.id}"}
    too_long = "x" * (galleries.MAX_ALT + 1)
    with pytest.raises(ValidationError) as caught:
        galleries.describe(gallery, {first.id: (too_long, "")}, coordinator)
    assert set(caught.value.errors) == {f"alt-{first.id}"}
    with pytest.raises(ValidationError) as caught:
        galleries.describe(
            gallery, {first.id: ("", ""), second.id: ("", "x" * (galleries.MAX_CAPTION + 1))}, coordinator
        )
    assert set(caught.value.errors) == {f"alt-{first.id}", f"alt-{second.id}", f"caption-{second.id}"}
    assert (first.alt_text, first.caption, second.alt_text, second.caption) == ("", "", "", "")
    assert galleries.shown_items(gallery, None) == []

    galleries.describe(gallery, {first.id: (" Röda lappar ", "Förmiddagen"), second.id: ("Gröna", "")}, coordinator)
    assert (first.alt_text, first.caption, second.alt_text) == ("Röda lappar", "Förmiddagen", "Gröna")
    assert galleries.shown_items(gallery, None) == [first, second]
    with pytest.raises(NotFound):
        galleries.describe(gallery, {first.id + second.id + 100: ("Finns inte", "")}, coordinator)


def test_add_quote_requires_text(gallery, coordinator, member):
    with pytest.raises(ValidationError) as caught:
        galleries.add_quote(gallery, {"quote": "  ", "attribution": "Någon"}, coordinator)
    assert set(caught.value.errors) == {"quote"}
    with pytest.raises(Forbidden):
        galleries.add_quote(gallery, {"quote": "Hej"}, member)
    assert gallery.items == []
    item = galleries.add_quote(gallery, {"quote": " Vi borde ses oftare. ", "attribution": "Bo"}, coordinator)
    assert (item.kind, item.quote, item.attribution, item.position) == ("quote", "Vi borde ses oftare.", "Bo", 0)
    assert gallery.items == [item] and item.described


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "javascript://example.org/%0Aalert(1)",
        "ftp://files.example.org/film.mp4",
        "https:///film",
        "",
        "https://exa mple.org/x",
        "https://[oops/",
    ],
)
def test_add_video_refuses_addresses_that_are_not_web_links(gallery, coordinator, url):
    with pytest.raises(ValidationError) as caught:
        galleries.add_video(gallery, {"url": url, "link_title": "Filmen"}, coordinator)
    assert set(caught.value.errors) == {"url"}
    assert gallery.items == []


def test_add_video_requires_a_title_and_keeps_the_host(gallery, coordinator):
    raw = {"url": "https://WWW.YouTube.com/watch?v=abc", "link_title": " "}
    with pytest.raises(ValidationError) as caught:
        galleries.add_video(gallery, raw, coordinator)
    assert set(caught.value.errors) == {"link_title"}
    assert gallery.items == []
    item = galleries.add_video(gallery, {**raw, "link_title": "Sammanfattning"}, coordinator)
    assert (item.kind, item.url, item.host, item.link_title) == (
        "video", "https://WWW.YouTube.com/watch?v=abc", "youtube.com", "Sammanfattning",
    )  # fmt: skip
    other = galleries.add_video(gallery, {"url": "http://vimeo.com/1", "link_title": "Andra"}, coordinator)
    assert other.host == "vimeo.com" and other.position == 1


# --- Order, cover, publishing ----------------------------------------------------------------------


def test_move_item_keeps_positions_contiguous(db_session, gallery, coordinator):
    a, b, c = (_quote(gallery, coordinator, text) for text in ("A", "B", "C"))
    db_session.flush()
    galleries.move_item(gallery, c, -1, coordinator)
    assert [i.quote for i in gallery.items] == ["A", "C", "B"]
    galleries.move_item(gallery, a, 1, coordinator)
    assert [i.quote for i in gallery.items] == ["C", "A", "B"]
    galleries.move_item(gallery, gallery.items[0], -1, coordinator)  # past the top
    galleries.move_item(gallery, gallery.items[-1], 1, coordinator)  # past the bottom
    galleries.move_item(gallery, gallery.items[0], 2, coordinator)  # only one step at a time
    assert [i.quote for i in gallery.items] == ["C", "A", "B"]
    assert [i.position for i in gallery.items] == [0, 1, 2]
    db_session.flush()
    db_session.expire_all()
    assert [(i.quote, i.position) for i in gallery.items] == [("C", 0), ("A", 1), ("B", 2)]
    assert b.position == 2


def test_cover_is_chosen_image_or_first_described_one(db_session, gallery, coordinator, upload_dir):
    quote = _quote(gallery, coordinator)
    plain = _image(db_session, gallery, coordinator, upload_dir, RED)
    assert galleries.cover(gallery) is None
    first = _image(db_session, gallery, coordinator, upload_dir, GREEN, alt="Gröna lappar")
    second = _image(db_session, gallery, coordinator, upload_dir, BLUE, alt="Blå tavla")
    assert galleries.cover(gallery) is first
    for refused in (quote, plain):
        with pytest.raises(ValidationError) as caught:
            galleries.set_cover(gallery, refused, coordinator)
        assert set(caught.value.errors) == {"cover"}
    assert gallery.cover_item_id is None
    galleries.set_cover(gallery, second, coordinator)
    assert gallery.cover_item_id == second.id
    assert galleries.cover(gallery) is second


def test_publish_needs_something_to_show_and_unpublish_hides_it(db_session, gallery, coordinator, upload_dir):
    with pytest.raises(ValidationError) as caught:
        galleries.publish(gallery, coordinator)
    assert set(caught.value.errors) == {"publish"}
    image = _image(db_session, gallery, coordinator, upload_dir, RED)
    with pytest.raises(ValidationError):
        galleries.publish(gallery, coordinator)
    assert gallery.published_at is None and not galleries.can_view(None, gallery)
    galleries.describe(gallery, {image.id: ("Röda lappar", "")}, coordinator)
    galleries.publish(gallery, coordinator)
    assert gallery.published_at is not None and galleries.can_view(None, gallery)
    galleries.unpublish(gallery, coordinator)
    assert gallery.published_at is None and not galleries.can_view(None, gallery)
    assert galleries.can_view(coordinator, gallery)


# --- Removing items and their files ---------------------------------------------------------------


def test_remove_item_audits_clears_cover_and_returns_hashes(db_session, gallery, coordinator, upload_dir):
    image = _image(db_session, gallery, coordinator, upload_dir, RED, alt="Röda lappar")
    quote = _quote(gallery, coordinator)
    galleries.set_cover(gallery, image, coordinator)
    item_id, expected = image.id, {image.original_sha256, image.display_sha256, image.thumb_sha256}

    hashes = galleries.remove_item(db_session, gallery, image, coordinator, "Fel bild")
    assert hashes == expected
    assert gallery.cover_item_id is None
    assert gallery.items == [quote] and quote.position == 0
    assert db_session.get(GalleryItem, item_id) is None
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.target_type == "gallery_item")))
    assert [(e.action, e.target_type, e.target_id, e.actor_id, e.reason) for e in events] == [
        ("gallery_remove", "gallery_item", item_id, coordinator.id, "Fel bild")
    ]
    assert all(blob_path(upload_dir, sha).is_file() for sha in hashes)  # the caller deletes after commit
    assert galleries.delete_unreferenced(db_session, hashes, upload_dir) == len(hashes)
    assert not any(blob_path(upload_dir, sha).exists() for sha in hashes)
    assert galleries.remove_item(db_session, gallery, quote, coordinator) == set()


def test_delete_unreferenced_keeps_files_another_item_uses(db_session, gallery, coordinator, upload_dir):
    first = _image(db_session, gallery, coordinator, upload_dir, RED, size=(800, 600))
    second = _image(db_session, gallery, coordinator, upload_dir, RED, size=(800, 600))
    assert first.original_sha256 == second.original_sha256
    assert galleries.item_hashes(first) == galleries.item_hashes(second)
    files = _files_under(upload_dir)

    hashes = galleries.remove_item(db_session, gallery, first, coordinator)
    assert len(hashes) == 3
    assert galleries.delete_unreferenced(db_session, hashes, upload_dir) == 0
    assert _files_under(upload_dir) == files

    hashes = galleries.remove_item(db_session, gallery, second, coordinator)
    assert galleries.delete_unreferenced(db_session, hashes, upload_dir) == 3
    assert not any(blob_path(upload_dir, sha).exists() for sha in hashes)


# --- "Remove me from this" -------------------------------------------------------------------------


def test_anyone_who_sees_an_item_may_ask_for_its_removal(
    db_session, network, gallery, coordinator, member, make_user, upload_dir
):
    second = make_user(name="Sara Samordnare")
    networks.join(db_session, network, second)
    row = next(m for m in network.memberships if m.user_id == second.id)
    networks.set_member_role(network, row, "coordinator", coordinator)
    image = _image(db_session, gallery, coordinator, upload_dir, RED, alt="Gruppbild")
    hidden = _image(db_session, gallery, coordinator, upload_dir, GREEN)
    with pytest.raises(NotFound):  # not published yet: anonymous visitors cannot see it
        galleries.request_removal(db_session, gallery, image, None, {"reason": "Jag är med på bilden"})
    galleries.publish(gallery, coordinator)
    with pytest.raises(NotFound):  # undescribed: hidden from viewers
        galleries.request_removal(db_session, gallery, hidden, member, {"reason": "?"})
    assert _count(db_session, RemovalRequest) == 0

    asked = galleries.request_removal(
        db_session, gallery, image, None, {"reason": " Jag är med på bilden ", "contact": "anna@example.org"}
    )
    assert (asked.item_id, asked.requester_id, asked.reason, asked.contact) == (
        image.id, None, "Jag är med på bilden", "anna@example.org",
    )  # fmt: skip
    by_member = galleries.request_removal(db_session, gallery, image, member, {"reason": "Ta bort den"})
    assert by_member.requester_id == member.id
    for manager in (coordinator, second):
        notices = _removal_notices(db_session, manager)
        assert [n.path for n in notices] == [f"/idea-books/{gallery.id}/manage#item-{image.id}"] * 2
        assert [n.actor_id for n in notices] == [None, member.id]
        assert notices[0].subject == gallery.meeting.title
    assert _removal_notices(db_session, member) == []
    assert galleries.open_requests(gallery) == [asked, by_member]

    with pytest.raises(Forbidden):
        galleries.dismiss_request(gallery, asked, member)
    galleries.dismiss_request(gallery, asked, coordinator)
    assert asked.dismissed_at is not None
    assert galleries.open_requests(gallery) == [by_member]

    quote = _quote(gallery, coordinator)
    db_session.flush()
    kept = galleries.request_removal(db_session, gallery, quote, member, {"reason": "Citatet är mitt"})
    galleries.dismiss_request(gallery, kept, coordinator)
    galleries.remove_item(db_session, gallery, quote, coordinator)  # its only request was dismissed
    galleries.remove_item(db_session, gallery, image, coordinator)
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "gallery_item").order_by(AuditEvent.id)
    )
    assert list(actions) == ["gallery_remove", "gallery_remove_requested"]
    assert _count(db_session, RemovalRequest) == 0
