"""Idea books: galleries of what a meeting produced — photos, quotes and video links, with captions.

An idea book belongs to one meeting, or to one write-up that has no meeting. The meeting's
coordinators (or the write-up's editors) fill it, describe every image, order the items, choose a
cover and publish it; until then only they see it. Who may see a published idea book follows what
it belongs to, so a members-only network's idea books stay members-only, image files included.

Images are described before they are shown: an image without alt text is kept but hidden from
viewers, and a gallery cannot be published with nothing to show. Anyone who may view an item may
ask for it to be taken down; the request reaches the managers, who remove the item (and its files)
in one step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import permissions
from .attachments import blob_path
from .db import utcnow
from .errors import Forbidden, Message, NotFound, UploadRefused, ValidationError
from .i18n import N_
from .images import MAX_IMAGE_BYTES, MAX_PIXELS, StoredImage, store_image
from .meetings import can_see, meeting_path
from .models import Attachment, AuditEvent, Entry, Gallery, GalleryItem, Meeting, RemovalRequest, User
from .networks import coordinator_ids
from .notifications import notify

MAX_ITEMS = 300
MAX_UPLOAD_FILES = 40
MAX_ALT = 400
MAX_CAPTION = 1000
MAX_QUOTE = 1500
MAX_ATTRIBUTION = 200
MAX_URL = 500
MAX_LINK_TITLE = 200
MAX_REASON = 1000
MAX_CONTACT = 254
IMAGE_SIZES = ("thumb", "display", "original")


# --- Finding and owning ------------------------------------------------------------------------


def get_gallery(session: Session, gallery_id: int) -> Gallery:
    gallery = session.get(Gallery, gallery_id)
    if gallery is None:
        raise NotFound(str(gallery_id))
    return gallery


def get_item(gallery: Gallery, item_id: int) -> GalleryItem:
    for item in gallery.items:
        if item.id == item_id:
            return item
    raise NotFound(str(item_id))


def of_meeting(session: Session, meeting: Meeting) -> Gallery | None:
    return session.scalar(select(Gallery).where(Gallery.meeting_id == meeting.id))


def of_entry(session: Session, entry: Entry) -> Gallery | None:
    """The idea book shown with a write-up: its meeting's, or its own when it has no meeting."""
    if entry.meeting is not None:
        return of_meeting(session, entry.meeting)
    return session.scalar(select(Gallery).where(Gallery.entry_id == entry.id))


def title(gallery: Gallery) -> str:
    return gallery.meeting.title if gallery.meeting is not None else gallery.entry.title


def owner_path(gallery: Gallery) -> str:
    """Where the idea book's meeting or write-up lives."""
    if gallery.meeting is not None:
        return meeting_path(gallery.meeting)
    return f"/methods/{gallery.entry.slug}"


def gallery_path(gallery: Gallery) -> str:
    return f"/idea-books/{gallery.id}"


def may_create_for_meeting(user: User | None, meeting: Meeting) -> bool:
    return permissions.can_manage_network(user, meeting.network, coordinator_ids(meeting.network))


def may_create_for_entry(user: User | None, entry: Entry) -> bool:
    """A write-up without a meeting may have an idea book of its own."""
    return entry.kind == "write-up" and entry.meeting_id is None and permissions.can_edit(user, entry)


def ensure_for_meeting(session: Session, meeting: Meeting, user: User) -> Gallery:
    """The meeting's idea book, made (unpublished) on first use."""
    if not may_create_for_meeting(user, meeting):
        raise Forbidden("coordinators make a meeting's idea book")
    gallery = of_meeting(session, meeting)
    if gallery is None:
        gallery = Gallery(meeting=meeting, created_by_id=user.id)
        session.add(gallery)
        session.flush()
    return gallery


def ensure_for_entry(session: Session, entry: Entry, user: User) -> Gallery:
    if not may_create_for_entry(user, entry):
        raise Forbidden("editors of a write-up without a meeting make its idea book")
    gallery = session.scalar(select(Gallery).where(Gallery.entry_id == entry.id))
    if gallery is None:
        gallery = Gallery(entry=entry, created_by_id=user.id)
        session.add(gallery)
        session.flush()
    return gallery


# --- Who may do what ------------------------------------------------------------------------


def can_manage(user: User | None, gallery: Gallery) -> bool:
    """Coordinators of the meeting's network, or editors of the write-up, and admins."""
    if gallery.meeting is not None:
        return may_create_for_meeting(user, gallery.meeting)
    return permissions.can_edit(user, gallery.entry)


def can_view(user: User | None, gallery: Gallery) -> bool:
    """Published idea books are seen by whoever sees their meeting or write-up; others by managers."""
    if can_manage(user, gallery):
        return True
    if gallery.published_at is None:
        return False
    if gallery.meeting is not None:
        return can_see(user, gallery.meeting)
    return permissions.can_view(user, gallery.entry) and gallery.entry.is_published


def shown_items(gallery: Gallery, user: User | None) -> list[GalleryItem]:
    """The items a viewer sees: everything for managers, described items for everyone else."""
    if can_manage(user, gallery):
        return list(gallery.items)
    return [item for item in gallery.items if item.described]


def can_see_item(user: User | None, gallery: Gallery, item: GalleryItem) -> bool:
    return item.gallery_id == gallery.id and can_view(user, gallery) and (item.described or can_manage(user, gallery))


def cover(gallery: Gallery) -> GalleryItem | None:
    """The chosen cover image, or the first described image."""
    images = [item for item in gallery.items if item.kind == "image" and item.described]
    chosen = next((item for item in images if item.id == gallery.cover_item_id), None)
    return chosen or (images[0] if images else None)


def _require_manager(user: User, gallery: Gallery) -> None:
    if not can_manage(user, gallery):
        raise Forbidden("only the idea book's managers change it")


def _touch(gallery: Gallery) -> None:
    gallery.changed_at = utcnow()


# --- Checking input ---------------------------------------------------------------------------


def _text(value: object, field: str, limit: int, errors: dict, required_msg: str | None = None) -> str:
    text = str(value or "").strip()
    if required_msg and not text:
        errors.setdefault(field, []).append(Message(required_msg))
    elif len(text) > limit:
        errors.setdefault(field, []).append(
            Message(N_("Keep this under %(limit)s characters (now %(n)s)."), {"limit": limit, "n": len(text)})
        )
    return text


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


ALT_REQUIRED = N_("Describe the image for people who cannot see it: what is on the flip chart, who is in the picture.")


def clean_video_url(raw: object) -> tuple[str, str]:
    """Return a video link and its host, or raise: only http(s) addresses with a host."""
    url = str(raw or "").strip()
    if not url:
        raise ValidationError.single("url", N_("Give the address of the video."))
    if len(url) > MAX_URL:
        raise ValidationError.single(
            "url", N_("Keep this under %(limit)s characters (now %(n)s)."), limit=MAX_URL, n=len(url)
        )
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # a broken address, such as an unclosed [IPv6 part
        hostname = None
    if hostname is None or parts.scheme not in ("http", "https") or any(c.isspace() for c in url):
        raise ValidationError.single("url", N_("Give a web address that starts with https://."))
    return url, hostname.lower().removeprefix("www.")


def _check_room(gallery: Gallery, adding: int) -> None:
    if len(gallery.items) + adding > MAX_ITEMS:
        raise ValidationError.single(
            "images", N_("An idea book holds at most %(n)s items. Remove some before adding more."), n=MAX_ITEMS
        )


def _append(gallery: Gallery, item: GalleryItem) -> GalleryItem:
    item.position = max((i.position for i in gallery.items), default=-1) + 1
    gallery.items.append(item)
    _touch(gallery)
    return item


# --- Adding and changing items ------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file from the upload form: its name and its bytes."""

    filename: str
    stream: BinaryIO


class UploadsRefused(Exception):
    """Some files of one upload were refused; none of them was kept."""

    def __init__(self, refusals: list[UploadRefused]):
        super().__init__("; ".join(str(r) for r in refusals))
        self.refusals = refusals


def add_images(
    session: Session,
    gallery: Gallery,
    uploads: list[Upload],
    consent: bool,
    user: User,
    upload_dir: Path,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> list[GalleryItem]:
    """Store several images at once; all or nothing. They stay hidden until described."""
    _require_manager(user, gallery)
    if not uploads:
        raise ValidationError.single("images", N_("Choose one or more images (JPEG, PNG or WebP)."))
    if len(uploads) > MAX_UPLOAD_FILES:
        raise ValidationError.single("images", N_("Add at most %(n)s images at a time."), n=MAX_UPLOAD_FILES)
    if not consent:
        raise ValidationError.single(
            "consent", N_("Confirm that the people who can be recognised agreed to be shown in the idea book.")
        )
    _check_room(gallery, len(uploads))
    stored: list[StoredImage] = []
    refusals: list[UploadRefused] = []
    for upload in uploads:
        try:
            stored.append(store_image(upload.stream, upload.filename, upload_dir, max_bytes, max_pixels))
        except UploadRefused as refusal:
            refusals.append(refusal)
    if refusals:
        # One refused file refuses the upload: keeping the rest would leave the user guessing what is in.
        delete_unreferenced(session, _hashes(stored), upload_dir)
        raise UploadsRefused(refusals)
    now = utcnow()
    items = []
    for image in stored:
        items.append(
            _append(
                gallery,
                GalleryItem(
                    kind="image", filename=image.original.filename, original_sha256=image.original.sha256,
                    display_sha256=image.display.sha256, thumb_sha256=image.thumbnail.sha256,
                    content_type=image.original.content_type, width=image.width, height=image.height,
                    size=image.original.size, added_by_id=user.id, consent_at=now,
                ),
            )
        )  # fmt: skip
    session.flush()
    return items


def describe(gallery: Gallery, descriptions: dict[int, tuple[str, str]], user: User) -> None:
    """Set alt text and caption of several images at once; every image named needs alt text."""
    _require_manager(user, gallery)
    checked: dict[int, tuple[str, str]] = {}
    errors: dict = {}  # every image's problems at once, so the form shows them all
    for item_id, (alt, caption) in descriptions.items():
        item = get_item(gallery, item_id)
        alt_text = _text(alt, f"alt-{item.id}", MAX_ALT, errors, ALT_REQUIRED if item.kind == "image" else None)
        caption_text = _text(caption, f"caption-{item.id}", MAX_CAPTION, errors)
        checked[item.id] = (alt_text, caption_text)
    _raise(errors)
    for item_id, (alt_text, caption_text) in checked.items():
        item = get_item(gallery, item_id)
        if item.kind == "image":
            item.alt_text = alt_text
        item.caption = caption_text
    _touch(gallery)


def add_quote(gallery: Gallery, raw: dict, user: User) -> GalleryItem:
    _require_manager(user, gallery)
    _check_room(gallery, 1)
    errors: dict = {}
    quote = _text(raw.get("quote"), "quote", MAX_QUOTE, errors, N_("Write the quote."))
    attribution = _text(raw.get("attribution"), "attribution", MAX_ATTRIBUTION, errors)
    caption = _text(raw.get("caption"), "caption", MAX_CAPTION, errors)
    _raise(errors)
    item = GalleryItem(kind="quote", quote=quote, attribution=attribution, caption=caption, added_by_id=user.id)
    return _append(gallery, item)


def add_video(gallery: Gallery, raw: dict, user: User) -> GalleryItem:
    """A link card: the address, the title the uploader typed and the host. Nothing is fetched."""
    _require_manager(user, gallery)
    _check_room(gallery, 1)
    url, host = clean_video_url(raw.get("url"))
    errors: dict = {}
    link_title = _text(raw.get("link_title"), "link_title", MAX_LINK_TITLE, errors, N_("Give the video a title."))
    caption = _text(raw.get("caption"), "caption", MAX_CAPTION, errors)
    _raise(errors)
    item = GalleryItem(kind="video", url=url, host=host, link_title=link_title, caption=caption, added_by_id=user.id)
    return _append(gallery, item)


def update_item(gallery: Gallery, item: GalleryItem, raw: dict, user: User) -> None:
    """Change an item's own fields (alt text, quote, link) and its caption."""
    _require_manager(user, gallery)
    if item.gallery_id != gallery.id:
        raise NotFound(str(item.id))
    errors: dict = {}
    caption = _text(raw.get("caption"), "caption", MAX_CAPTION, errors)
    values: dict = {}
    if item.kind == "image":
        values["alt_text"] = _text(raw.get("alt_text"), "alt_text", MAX_ALT, errors, ALT_REQUIRED)
    elif item.kind == "quote":
        values["quote"] = _text(raw.get("quote"), "quote", MAX_QUOTE, errors, N_("Write the quote."))
        values["attribution"] = _text(raw.get("attribution"), "attribution", MAX_ATTRIBUTION, errors)
    else:
        _raise(errors)
        values["url"], values["host"] = clean_video_url(raw.get("url"))
        values["link_title"] = _text(
            raw.get("link_title"), "link_title", MAX_LINK_TITLE, errors, N_("Give the video a title.")
        )
    _raise(errors)
    item.caption = caption
    for key, value in values.items():
        setattr(item, key, value)
    _touch(gallery)


def move_item(gallery: Gallery, item: GalleryItem, offset: int, user: User) -> None:
    """Move an item one place up (-1) or down (+1)."""
    _require_manager(user, gallery)
    items = list(gallery.items)
    if item not in items:
        raise NotFound(str(item.id))
    index = items.index(item)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, row in enumerate(items):
        row.position = position
    gallery.items.sort(key=lambda row: row.position)
    _touch(gallery)


def set_cover(gallery: Gallery, item: GalleryItem, user: User) -> None:
    _require_manager(user, gallery)
    if item not in gallery.items:
        raise NotFound(str(item.id))
    if item.kind != "image":
        raise ValidationError.single("cover", N_("Only an image can be the cover."))
    if not item.described:
        raise ValidationError.single("cover", ALT_REQUIRED)
    gallery.cover_item_id = item.id
    _touch(gallery)


def publish(gallery: Gallery, user: User) -> None:
    _require_manager(user, gallery)
    if not any(item.described for item in gallery.items):
        raise ValidationError.single(
            "publish", N_("Add at least one item, and describe the images, before publishing the idea book.")
        )
    if gallery.published_at is None:
        gallery.published_at = utcnow()
    _touch(gallery)


def unpublish(gallery: Gallery, user: User) -> None:
    _require_manager(user, gallery)
    gallery.published_at = None
    _touch(gallery)


def _hashes(images: list[StoredImage]) -> set[str]:
    return {f.sha256 for image in images for f in (image.original, image.display, image.thumbnail)}


def item_hashes(item: GalleryItem) -> set[str]:
    return {sha for sha in (item.original_sha256, item.display_sha256, item.thumb_sha256) if sha}


def remove_item(session: Session, gallery: Gallery, item: GalleryItem, user: User, reason: str = "") -> set[str]:
    """Take an item out of the idea book; return its file hashes to delete once this is committed.

    The audit log keeps who removed which item and whether on request, never the image or its text.
    """
    _require_manager(user, gallery)
    if item.gallery_id != gallery.id:
        raise NotFound(str(item.id))
    hashes = item_hashes(item)
    on_request = any(r.dismissed_at is None for r in item.removal_requests)
    action = "gallery_remove_requested" if on_request else "gallery_remove"
    session.add(
        AuditEvent(actor_id=user.id, action=action, target_type="gallery_item", target_id=item.id, reason=reason[:500])
    )
    if gallery.cover_item_id == item.id:
        gallery.cover_item_id = None
    gallery.items.remove(item)
    session.delete(item)
    for position, row in enumerate(gallery.items):
        row.position = position
    _touch(gallery)
    session.flush()
    return hashes


def delete_unreferenced(session: Session, hashes: set[str], upload_dir: Path) -> int:
    """Delete the stored files of these hashes that no gallery item or attachment still uses."""
    if not hashes:
        return 0
    columns = (GalleryItem.original_sha256, GalleryItem.display_sha256, GalleryItem.thumb_sha256)
    rows = session.execute(select(*columns).where(or_(*(column.in_(hashes) for column in columns))))
    used = {sha for row in rows for sha in row}
    used.update(session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(hashes))))
    deleted = 0
    for sha in hashes - used:
        path = blob_path(Path(upload_dir), sha)
        if path.is_file():
            path.unlink()
            deleted += 1
    return deleted


# --- "Remove me from this" ---------------------------------------------------------------------


def managers(gallery: Gallery) -> list[User]:
    """Who is told about removal requests: coordinators of the meeting's network, or the write-up's editors."""
    if gallery.meeting is not None:
        network = gallery.meeting.network
        return [m.user for m in network.memberships if m.status == "active" and m.role == "coordinator"]
    entry = gallery.entry
    people = [entry.created_by] if entry.created_by else []
    return people + [e for e in entry.editors if e not in people]


def request_removal(
    session: Session, gallery: Gallery, item: GalleryItem, user: User | None, raw: dict
) -> RemovalRequest:
    """Ask for an item to be taken down; the managers are told at once."""
    if not can_see_item(user, gallery, item):
        raise NotFound(str(item.id))
    errors: dict = {}
    reason = _text(raw.get("reason"), "reason", MAX_REASON, errors)
    contact = _text(raw.get("contact"), "contact", MAX_CONTACT, errors)
    _raise(errors)
    row = RemovalRequest(item=item, requester_id=user.id if user else None, reason=reason, contact=contact)
    session.add(row)
    _touch(gallery)
    path = f"{gallery_path(gallery)}/manage#item-{item.id}"
    for person in managers(gallery):
        notify(session, person, "gallery_removal", user, title(gallery), path, reason)
    session.flush()
    return row


def open_requests(gallery: Gallery) -> list[RemovalRequest]:
    return [r for item in gallery.items for r in item.removal_requests if r.dismissed_at is None]


def dismiss_request(gallery: Gallery, request: RemovalRequest, user: User) -> None:
    """Keep the item after all (say why to the person who asked, outside Dela)."""
    _require_manager(user, gallery)
    if request.item.gallery_id != gallery.id:
        raise NotFound(str(request.id))
    request.dismissed_at = utcnow()
    _touch(gallery)
