"""Filling an idea book (the meeting's coordinators, or the write-up's editors)."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from methodbook import galleries
from methodbook.errors import Forbidden, ValidationError
from methodbook.galleries import Upload, UploadsRefused
from methodbook.models import Gallery, RemovalRequest

from ..db import db_session
from ..forms_util import ConfirmForm, apply_errors, translate
from ..login import viewer
from ..methods.routes import entry_or_404
from ..networks.meetings import meeting_or_404
from ..security import keeps_form
from . import bp
from .forms import ItemForm, QuoteForm, UploadForm, VideoForm
from .routes import gallery_or_404, item_or_404


def managed_or_404(gallery_id: int) -> Gallery:
    gallery = gallery_or_404(gallery_id)
    if not galleries.can_manage(viewer(), gallery):
        abort(403)
    return gallery


def _confirmed() -> None:
    if not ConfirmForm().validate():
        abort(400)


def _manage_url(gallery: Gallery, anchor: str | None = None) -> str:
    return url_for("galleries.manage", gallery_id=gallery.id, _anchor=anchor)


def _manage_page(gallery: Gallery, status: int = 200, **forms):
    forms.setdefault("upload", UploadForm(formdata=None))
    forms.setdefault("quote", QuoteForm(formdata=None))
    forms.setdefault("video", VideoForm(formdata=None))
    undescribed = [item for item in gallery.items if not item.described]
    return render_template(
        "galleries/manage.html", gallery=gallery, title=galleries.title(gallery),
        owner_path=galleries.owner_path(gallery), undescribed=undescribed, requests=galleries.open_requests(gallery),
        cover=galleries.cover(gallery), confirm=ConfirmForm(), describe_errors=forms.pop("describe_errors", {}),
        describe_values=forms.pop("describe_values", {}), refused=forms.pop("refused", []),
        max_mb=current_app.config["IMAGE_MAX_BYTES"] // (1024 * 1024), **forms,
    ), status  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/idea-book")
def start_for_meeting(meeting_id: int):
    """Open the meeting's idea book, making it on first use (coordinators)."""
    meeting = meeting_or_404(meeting_id)
    _confirmed()
    try:
        gallery = galleries.ensure_for_meeting(db_session(), meeting, viewer())
    except Forbidden:
        abort(403)
    db_session().commit()
    return redirect(_manage_url(gallery))


@bp.post("/methods/<slug>/idea-book")
def start_for_entry(slug: str):
    """A write-up without a meeting in Dela gets an idea book of its own (its editors)."""
    entry = entry_or_404(slug)
    _confirmed()
    try:
        gallery = galleries.ensure_for_entry(db_session(), entry, viewer())
    except Forbidden:
        abort(403)
    db_session().commit()
    return redirect(_manage_url(gallery))


@bp.get("/idea-books/<int:gallery_id>/manage")
def manage(gallery_id: int):
    """Upload, describe, order and publish; answer removal requests."""
    return _manage_page(managed_or_404(gallery_id))


@bp.post("/idea-books/<int:gallery_id>/images")
def upload(gallery_id: int):
    """Add several images at once; they wait, hidden, for their alt text."""
    gallery = managed_or_404(gallery_id)
    form = UploadForm()
    if not form.validate():
        abort(400)
    files = [Upload(f.filename, f.stream) for f in request.files.getlist(form.images.name) if f and f.filename]
    try:
        added = galleries.add_images(
            db_session(), gallery, files, form.consent.data, viewer(), Path(current_app.config["UPLOAD_DIR"]),
            max_bytes=current_app.config["IMAGE_MAX_BYTES"],
        )  # fmt: skip
    except ValidationError as exc:
        db_session().rollback()
        apply_errors(form, exc)
        return _manage_page(gallery, 400, upload=form)
    except UploadsRefused as exc:
        db_session().rollback()
        refused = [f"{r.filename}: {translate(r.message)}" for r in exc.refusals]
        return _manage_page(gallery, 400, upload=form, refused=refused)
    db_session().commit()
    added_text = ngettext("%(num)s image added.", "%(num)s images added.", len(added))
    flash(added_text + " " + _("Write the alt text for each image: until then it is not shown."), "success")
    return redirect(_manage_url(gallery, "describe"))


@bp.post("/idea-books/<int:gallery_id>/describe")
@keeps_form
def describe(gallery_id: int):
    """Alt text and captions for the new images, all in one form."""
    gallery = managed_or_404(gallery_id)
    _confirmed()
    values: dict[int, tuple[str, str]] = {}
    for item in gallery.items:
        if f"alt-{item.id}" in request.form:
            values[item.id] = (request.form.get(f"alt-{item.id}", ""), request.form.get(f"caption-{item.id}", ""))
    try:
        galleries.describe(gallery, values, viewer())
    except ValidationError as exc:
        db_session().rollback()
        errors = {name: [translate(m) for m in messages] for name, messages in exc.errors.items()}
        return _manage_page(gallery, 400, describe_errors=errors, describe_values=values)
    db_session().commit()
    flash(_("Saved. The described images are in the idea book."), "success")
    return redirect(_manage_url(gallery))


@bp.post("/idea-books/<int:gallery_id>/quotes")
@keeps_form
def add_quote(gallery_id: int):
    gallery = managed_or_404(gallery_id)
    form = QuoteForm()
    if form.validate():
        try:
            item = galleries.add_quote(gallery, form.data, viewer())
        except ValidationError as exc:
            db_session().rollback()
            apply_errors(form, exc)
        else:
            db_session().commit()
            flash(_("The quote is added."), "success")
            return redirect(_manage_url(gallery, f"item-{item.id}"))
    return _manage_page(gallery, 400, quote=form)


@bp.post("/idea-books/<int:gallery_id>/videos")
@keeps_form
def add_video(gallery_id: int):
    gallery = managed_or_404(gallery_id)
    form = VideoForm()
    if form.validate():
        try:
            item = galleries.add_video(gallery, form.data, viewer())
        except ValidationError as exc:
            db_session().rollback()
            apply_errors(form, exc)
        else:
            db_session().commit()
            flash(_("The video link is added."), "success")
            return redirect(_manage_url(gallery, f"item-{item.id}"))
    return _manage_page(gallery, 400, video=form)


@bp.route("/idea-books/<int:gallery_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@keeps_form
def edit_item(gallery_id: int, item_id: int):
    """Change an item's caption, alt text, quote or link."""
    gallery = managed_or_404(gallery_id)
    current = item_or_404(gallery, item_id)
    form = ItemForm() if request.method == "POST" else ItemForm(obj=current)
    if request.method == "POST" and form.validate():
        try:
            galleries.update_item(gallery, current, form.data, viewer())
        except ValidationError as exc:
            db_session().rollback()
            apply_errors(form, exc)
        else:
            db_session().commit()
            flash(_("Saved."), "success")
            return redirect(_manage_url(gallery, f"item-{current.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "galleries/item_form.html", gallery=gallery, item=current, form=form, title=galleries.title(gallery)
    ), status


@bp.post("/idea-books/<int:gallery_id>/items/<int:item_id>/move")
def move_item(gallery_id: int, item_id: int):
    """Move an item one place up or down (plain buttons, no JavaScript needed)."""
    gallery = managed_or_404(gallery_id)
    current = item_or_404(gallery, item_id)
    _confirmed()
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort(400)
    galleries.move_item(gallery, current, offset, viewer())
    db_session().commit()
    return redirect(_manage_url(gallery, f"item-{current.id}"))


@bp.post("/idea-books/<int:gallery_id>/items/<int:item_id>/cover")
def set_cover(gallery_id: int, item_id: int):
    gallery = managed_or_404(gallery_id)
    current = item_or_404(gallery, item_id)
    _confirmed()
    try:
        galleries.set_cover(gallery, current, viewer())
    except ValidationError as exc:
        db_session().rollback()
        flash(" ".join(translate(m) for msgs in exc.errors.values() for m in msgs), "error")
    else:
        db_session().commit()
        flash(_("This image is now the cover."), "success")
    return redirect(_manage_url(gallery, f"item-{current.id}"))


@bp.post("/idea-books/<int:gallery_id>/items/<int:item_id>/remove")
def remove_item(gallery_id: int, item_id: int):
    """Take the item out of the idea book and delete its files, in one click."""
    gallery = managed_or_404(gallery_id)
    current = item_or_404(gallery, item_id)
    _confirmed()
    hashes = galleries.remove_item(db_session(), gallery, current, viewer())
    db_session().commit()
    galleries.delete_unreferenced(db_session(), hashes, Path(current_app.config["UPLOAD_DIR"]))
    flash(_("The item is removed from the idea book, and its files are deleted."), "success")
    return redirect(_manage_url(gallery))


@bp.post("/idea-books/<int:gallery_id>/requests/<int:request_id>/dismiss")
def dismiss_request(gallery_id: int, request_id: int):
    """Keep the item after all; tell the person who asked why, outside Dela."""
    gallery = managed_or_404(gallery_id)
    _confirmed()
    row = db_session().get(RemovalRequest, request_id)
    if row is None or row.item.gallery_id != gallery.id:
        abort(404)
    galleries.dismiss_request(gallery, row, viewer())
    db_session().commit()
    flash(_("The request is closed and the item stays."), "success")
    return redirect(_manage_url(gallery))


@bp.post("/idea-books/<int:gallery_id>/publish")
def publish(gallery_id: int):
    """Publish the idea book (its meeting's or write-up's readers see it), or take it back."""
    gallery = managed_or_404(gallery_id)
    _confirmed()
    action = request.form.get("action", "")
    try:
        if action == "publish":
            galleries.publish(gallery, viewer())
        elif action == "unpublish":
            galleries.unpublish(gallery, viewer())
        else:
            abort(400)
    except ValidationError as exc:
        db_session().rollback()
        flash(" ".join(translate(m) for msgs in exc.errors.values() for m in msgs), "error")
        return redirect(_manage_url(gallery))
    db_session().commit()
    if action == "publish":
        flash(_("The idea book is published."), "success")
    else:
        flash(_("The idea book is hidden again; only you and the other facilitators see it."), "success")
    return redirect(_manage_url(gallery))
