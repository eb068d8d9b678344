"""Creating, editing, restoring and trashing entries."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from methodbook import entries, meetings, networks, permissions, remixes, sharing, writeups
from methodbook.attachments import ALLOWED_EXTENSIONS, StoredFile, store_upload
from methodbook.errors import Conflict, NotFound, UploadRefused, ValidationError
from methodbook.models import KINDS
from methodbook.render import render_markdown

from ..db import db_session
from ..forms_stash import load_stash
from ..forms_util import ConfirmForm, apply_errors, translate
from ..login import viewer
from ..security import keeps_form
from . import bp
from .forms import EntryForm
from .routes import entry_or_404


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="pending-uploads")


def _load_pending(value: str | None) -> list[StoredFile]:
    if not value:
        return []
    try:
        return [StoredFile(**item) for item in _signer().loads(value)]
    except (BadSignature, TypeError, ValueError):
        return []


def _dump_pending(files: list[StoredFile]) -> str:
    return _signer().dumps([f.__dict__ for f in files]) if files else ""


def _form_for(entry=None) -> EntryForm:
    """Build the form from a stash, the posted data, or the saved entry."""
    stash = load_stash(request.path, request.args.get("restore")) if request.method == "GET" else None
    if stash is not None:
        flash(_("Here is the text you wrote before your session ended. Check it and save."), "warning")
        return EntryForm(formdata=MultiDict([(k, v) for k, vs in stash.items() for v in vs]))
    if request.method == "POST" or entry is None:
        form = EntryForm()
        if request.method == "GET":
            form.authors.data = viewer().display_name
            _start_writeup(form)
        return form
    snap = entries.snapshot(entry)
    lists = ("tags", "authors", "methods_used")
    data = {k: (", ".join(v) if k in lists else v) for k, v in snap.items() if k != "attachments"}
    data["editors"] = ", ".join(u.email for u in entry.editors)
    data["network"] = str(entry.network_id or "")
    data["meeting"] = str(entry.meeting_id or "")
    data["base_revision"] = str(entry.revision_number)
    return EntryForm(data=data)


def _start_writeup(form: EntryForm) -> None:
    """/methods/new?kind=write-up&meeting=<id>: a write-up of that meeting, its agenda's methods filled in."""
    kind = request.args.get("kind", "")
    if kind in KINDS:
        form.kind.data = kind
    meeting_id = request.args.get("meeting", "")
    if not meeting_id.isdecimal():
        return
    try:
        meeting = meetings.get_meeting(db_session(), int(meeting_id))
    except NotFound:
        return
    if not writeups.may_write_up(viewer(), meeting):
        return
    form.kind.data = "write-up"
    form.meeting.data = str(meeting.id)
    form.network.data = str(meeting.network_id)
    form.title.data = _("Write-up: %(title)s", title=meeting.title)
    form.methods_used.data = ", ".join(writeups.agenda_methods(meeting))


def _store_uploads(form: EntryForm) -> tuple[list[StoredFile], list[str]]:
    pending, refused = _load_pending(form.pending.data), []
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    for upload in request.files.getlist(form.attachments.name):
        if not upload or not upload.filename:
            continue
        try:
            stored = store_upload(
                upload.stream, upload.filename, upload_dir, current_app.config["ATTACHMENT_MAX_BYTES"]
            )
        except UploadRefused as exc:
            refused.append(f"{exc.filename}: {translate(exc.message)}")
            continue
        pending = [p for p in pending if p.filename != stored.filename] + [stored]
    form.pending.data = _dump_pending(pending)
    return pending, refused


def _final_attachments(entry, form: EntryForm, pending: list[StoredFile]):
    removed = set(form.remove_attachments.data or [])
    kept = [a for a in (entry.attachments if entry else []) if str(a.id) not in removed]
    names = {p.filename for p in pending}
    return [a for a in kept if a.filename not in names] + pending


def _raw(form: EntryForm, entry=None) -> dict:
    """The posted fields; where an entry was adapted from is not edited in the form, so it is kept."""
    raw = {name: getattr(form, name).data for name in entries.FIELDS if name not in ("attachments", "derived_from")}
    return raw | {"body": form.body.data, "derived_from": entry.derived_from if entry is not None else ""}


def _render(form: EntryForm, entry=None, preview=None, refused=(), status=200, conflict=None):
    if entry is not None:
        form.remove_attachments.choices = [SelectChoice(str(a.id), a.filename) for a in entry.attachments]
    form.network.choices = [("", _("No network"))] + [
        (str(n.id), n.name) for n in networks.networks_for_author(db_session(), viewer(), entry)
    ]
    current = entry.meeting if entry is not None else None
    form.meeting.choices = [("", _("No meeting"))] + [
        (str(m.id), f"{m.title} ({m.starts_at:%Y-%m-%d}, {m.network.name})")
        for m in writeups.meetings_for_writer(db_session(), viewer(), current)
    ]
    pending = _load_pending(form.pending.data)
    return render_template(
        "methods/form.html", form=form, entry=entry, preview=preview, refused=refused,
        pending=pending, conflict=conflict, allowed=", ".join(ALLOWED_EXTENSIONS),
        max_mb=current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024),
    ), status  # fmt: skip


def _save(form: EntryForm, entry=None):
    """Handle a posted entry form: uploads, preview, validation, conflict, save."""
    session, user = db_session(), viewer()
    pending, refused = _store_uploads(form)
    if request.form.get("action") == "preview":
        return _render(form, entry, preview=render_markdown(form.body.data or ""), refused=refused)
    if refused or not form.validate():
        return _render(form, entry, refused=refused, status=400)
    try:
        data = entries.validate_entry_data(_raw(form, entry), session, entry)
        attachments = _final_attachments(entry, form, pending)
        if entry is None:
            entry = entries.create_entry(session, data, user, attachments, form.message.data)
            changed = True
        else:
            base = int(form.base_revision.data) if (form.base_revision.data or "").isdecimal() else None
            changed = entries.update_entry(session, entry, data, user, attachments, form.message.data, base)
        entries.set_editors(session, entry, (form.editors.data or "").split(","))
        network_id = form.network.data or ""
        before = entry.network_id
        networks.set_entry_network(session, entry, int(network_id) if network_id.isdecimal() else None, user)
        meeting_id, meeting_before = form.meeting.data or "", entry.meeting_id
        writeups.set_meeting(session, entry, int(meeting_id) if meeting_id.isdecimal() else None, user)
        changed = changed or entry.network_id != before or entry.meeting_id != meeting_before
    except ValidationError as exc:
        session.rollback()
        leftover = apply_errors(form, exc)
        return _render(form, entry, refused=[m for msgs in leftover.values() for m in msgs], status=400)
    except Conflict:
        return _conflict(form, entry, entries.data_snapshot(data, attachments))
    session.commit()
    flash(_("Saved.") if changed else _("Nothing had changed, so no new revision was made."), "success")
    return redirect(url_for("methods.view", slug=entry.slug))


def _conflict(form: EntryForm, entry, mine: dict):
    """Show both texts when someone saved the entry after this editor opened it."""
    db_session().rollback()
    theirs = entries.snapshot(entry)
    changes = entries.diff_snapshots(theirs, mine)
    # Saving this form again deliberately replaces the newer text with the editor's.
    form.base_revision.data = str(entry.revision_number)
    return _render(form, entry, conflict={"current": theirs, "changes": changes}, status=409)


@bp.route("/methods/new", methods=["GET", "POST"])
@keeps_form
def new():
    """Write a new entry."""
    if not permissions.can_create(viewer()):
        abort(403)
    form = _form_for()
    if request.method == "POST":
        return _save(form)
    return _render(form)


@bp.route("/methods/<slug>/edit", methods=["GET", "POST"])
@keeps_form
def edit(slug: str):
    """Edit an entry; every save is a new revision."""
    entry = entry_or_404(slug)
    if not permissions.can_edit(viewer(), entry):
        abort(403)
    form = _form_for(entry)
    if request.method == "POST":
        return _save(form, entry)
    return _render(form, entry)


def _editable_posted(slug: str):
    """The entry of a POST that its editors send with the CSRF token; 403 or 400 otherwise."""
    entry = entry_or_404(slug)
    if not permissions.can_edit(viewer(), entry):
        abort(403)
    if not ConfirmForm().validate():
        abort(400)
    return entry


@bp.post("/methods/<slug>/share-links")
def share(slug: str):
    """Make a read-only link to the entry for someone outside Dela (its editors)."""
    entry = _editable_posted(slug)
    try:
        link = sharing.create_link(db_session(), entry, viewer(), request.form.get("days", ""))
    except ValidationError as exc:
        flash(" ".join(translate(m) for msgs in exc.errors.values() for m in msgs), "error")
    else:
        db_session().commit()
        flash(
            _(
                "The link is made. Anyone with it can read this entry until %(when)s.",
                when=format_datetime(link.expires_at),
            ),
            "success",
        )
    return redirect(url_for("methods.view", slug=entry.slug, _anchor="sharing-heading"))


@bp.post("/methods/<slug>/share-links/<int:link_id>/revoke")
def revoke_share(slug: str, link_id: int):
    entry = _editable_posted(slug)
    try:
        sharing.revoke(db_session(), entry, link_id, viewer())
    except NotFound:
        abort(404)
    db_session().commit()
    flash(_("The link no longer works."), "success")
    return redirect(url_for("methods.view", slug=entry.slug, _anchor="sharing-heading"))


@bp.post("/methods/<slug>/remix")
def remix(slug: str):
    """Make my own version: a draft copy that records where it came from, then its edit form."""
    original = entry_or_404(slug)
    if not remixes.may_remix(viewer(), original):
        abort(403)
    if not ConfirmForm().validate():
        abort(400)
    copy = remixes.remix(db_session(), original, viewer(), _("%(title)s (own version)", title=original.title))
    db_session().commit()
    flash(
        _("This is your own version, a draft only you see. It credits the original and keeps its licence."), "success"
    )
    return redirect(url_for("methods.edit", slug=copy.slug))


@bp.post("/methods/<slug>/revisions/<int:number>/restore")
def restore(slug: str, number: int):
    """Make an old revision current again, as a new revision."""
    entry = entry_or_404(slug)
    if not permissions.can_edit(viewer(), entry):
        abort(403)
    try:
        changed = entries.restore_revision(db_session(), entry, number, viewer())
    except ValidationError as exc:
        flash(" ".join(translate(m) for msgs in exc.errors.values() for m in msgs), "error")
        return redirect(url_for("methods.history", slug=slug))
    db_session().commit()
    flash(
        _("Revision %(n)s is restored as a new revision.", n=number)
        if changed
        else _("That revision is already the current text."),
        "success",
    )
    return redirect(url_for("methods.view", slug=entry.slug))


@bp.route("/methods/<slug>/delete", methods=["GET", "POST"])
def delete(slug: str):
    """Move an entry to the trash after a confirmation."""
    entry = entry_or_404(slug)
    if not permissions.can_delete(viewer(), entry):
        abort(403)
    if request.method == "POST":
        entries.trash_entry(entry, viewer())
        db_session().commit()
        flash(_("“%(title)s” is in the trash. An administrator can restore it.", title=entry.title), "success")
        return redirect(url_for("methods.index"))
    return render_template("methods/delete.html", entry=entry)
