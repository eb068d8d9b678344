"""Looking at idea books: the gallery, one item, its image files, the print page, removal requests."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from methodbook import galleries, writeups
from methodbook.attachments import blob_path
from methodbook.errors import NotFound, ValidationError
from methodbook.models import Gallery, GalleryItem

from ..db import db_session
from ..extensions import limiter
from ..feedback.common import send_pending_mail
from ..forms_util import apply_errors
from ..login import viewer
from ..security import public
from . import bp
from .forms import RemovalForm


def gallery_or_404(gallery_id: int) -> Gallery:
    """The idea book if the viewer may see it; 404 otherwise, so unpublished and members-only ones do not leak."""
    try:
        gallery = galleries.get_gallery(db_session(), gallery_id)
    except NotFound:
        abort(404)
    if not galleries.can_view(viewer(), gallery):
        abort(404)
    return gallery


def item_or_404(gallery: Gallery, item_id: int) -> GalleryItem:
    try:
        item = galleries.get_item(gallery, item_id)
    except NotFound:
        abort(404)
    if not galleries.can_see_item(viewer(), gallery, item):
        abort(404)
    return item


def context(gallery: Gallery) -> dict:
    """What every idea-book page shows: its meeting or write-up, and the write-ups that go with it."""
    meeting = gallery.meeting
    if meeting is not None:
        writeup_list = writeups.writeups_of_meeting(db_session(), meeting, viewer())
    else:
        writeup_list = [gallery.entry]
    return {
        "gallery": gallery, "meeting": meeting, "writeups": writeup_list,
        "title": galleries.title(gallery), "owner_path": galleries.owner_path(gallery),
        "manager": galleries.can_manage(viewer(), gallery),
    }  # fmt: skip


@bp.get("/idea-books/<int:gallery_id>")
@public
def view(gallery_id: int):
    """The idea book: a grid of thumbnails, quotes and video links, each opening on its own page."""
    gallery = gallery_or_404(gallery_id)
    items = galleries.shown_items(gallery, viewer())
    return render_template("galleries/view.html", items=items, cover=galleries.cover(gallery), **context(gallery))


@bp.get("/idea-books/<int:gallery_id>/items/<int:item_id>")
@public
def item(gallery_id: int, item_id: int):
    """One item on its own page (what the grid links to without JavaScript), with "remove me from this"."""
    gallery = gallery_or_404(gallery_id)
    return _item_page(gallery, item_or_404(gallery, item_id), RemovalForm(formdata=None))


def _item_page(gallery: Gallery, current: GalleryItem, form: RemovalForm, status: int = 200):
    items = galleries.shown_items(gallery, viewer())
    index = items.index(current)
    return render_template(
        "galleries/item.html", item=current, position=index + 1, count=len(items),
        previous=items[index - 1] if index > 0 else None, next=items[index + 1] if index + 1 < len(items) else None,
        form=form, **context(gallery),
    ), status  # fmt: skip


@bp.get("/idea-books/<int:gallery_id>/items/<int:item_id>/<size>")
@public
def image(gallery_id: int, item_id: int, size: str):
    """An image file, inline; the same 404 as the gallery for anyone who may not see it."""
    gallery = gallery_or_404(gallery_id)
    current = item_or_404(gallery, item_id)
    if current.kind != "image" or size not in galleries.IMAGE_SIZES:
        abort(404)
    sha = {"thumb": current.thumb_sha256, "display": current.display_sha256, "original": current.original_sha256}[size]
    path = blob_path(Path(current_app.config["UPLOAD_DIR"]), sha)
    if not path.is_file():
        abort(404)
    mimetype = current.content_type if size == "original" else "image/webp"
    response = send_file(path, mimetype=mimetype, max_age=0, conditional=True)
    # Members-only and unpublished images must not sit in a shared cache. Every cache asks again
    # before it shows an image (an unchanged one costs a 304), so a removed item is gone at once.
    public_image = gallery.published_at is not None and galleries.can_view(None, gallery) and current.described
    response.cache_control.public = public_image
    response.cache_control.private = not public_image
    response.cache_control.no_cache = True
    if size == "original":
        response.headers["Content-Disposition"] = f'inline; filename="{_ascii_name(current.filename)}"'
    return response


def _ascii_name(filename: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename) or "image"


@bp.get("/idea-books/<int:gallery_id>/print")
@public
def print_view(gallery_id: int):
    """The whole idea book on A4: title, date, the write-up's summary, every item with its caption."""
    gallery = gallery_or_404(gallery_id)
    return render_template("galleries/print.html", items=galleries.shown_items(gallery, viewer()), **context(gallery))


def _removal_limit() -> str:
    return current_app.config["REMOVAL_RATE_LIMIT"]


@bp.post("/idea-books/<int:gallery_id>/items/<int:item_id>/removal")
@public
@limiter.limit(_removal_limit)
def request_removal(gallery_id: int, item_id: int):
    """Ask the facilitators to take an item down; they are told at once."""
    gallery = gallery_or_404(gallery_id)
    current = item_or_404(gallery, item_id)
    form = RemovalForm()
    if form.validate():
        try:
            galleries.request_removal(
                db_session(), gallery, current, viewer(), {"reason": form.reason.data, "contact": form.contact.data}
            )
        except ValidationError as exc:
            db_session().rollback()
            apply_errors(form, exc)
        else:
            db_session().commit()
            send_pending_mail()
            flash(_("Thank you. The idea book's facilitators are told and will take the item down."), "success")
            return redirect(url_for("galleries.item", gallery_id=gallery.id, item_id=current.id))
    return _item_page(gallery, current, form, 400)
