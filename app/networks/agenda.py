"""The agenda builder, the printable meeting kit and "save as plan"."""

from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from methodbook import entries, meetings, permissions
from methodbook.errors import NotFound, ValidationError
from methodbook.i18n import N_
from methodbook.models import AgendaBlock, Entry
from methodbook.render import shift_headings

from ..db import db_session
from ..forms_util import ConfirmForm, apply_errors, translate
from ..login import viewer
from ..methods.routes import rendered_body
from . import bp
from .forms import BlockForm
from .meetings import meeting_or_404
from .routes import _confirmed, is_coordinator

_SLUG_IN = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*)/?$")


def _managed(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    if not is_coordinator(meeting.network):
        abort(403)
    return meeting


def _block_or_404(block_id: int) -> AgendaBlock:
    block = db_session().get(AgendaBlock, block_id)
    if block is None:
        abort(404)
    meeting_or_404(block.meeting_id)
    if not is_coordinator(block.meeting.network):
        abort(403)
    return block


def _entry_from(text: str) -> Entry | None:
    """Find the entry a coordinator named by its address, its page URL or its exact title."""
    text = (text or "").strip()
    if not text:
        return None
    match = _SLUG_IN.search(text.lower())
    candidates = []
    if match:
        try:
            candidates.append(entries.get_entry(db_session(), match.group(1)))
        except NotFound:
            pass
    if not candidates:
        query = entries.visible_entries(viewer()).where(Entry.title == text)
        candidates = list(db_session().scalars(query.limit(1)))
    found = candidates[0] if candidates else None
    if found is None or not found.is_published or not permissions.can_view(viewer(), found):
        raise ValidationError.single("entry", N_("No published entry has this address or title: %(text)s."), text=text)
    return found


def _pickable_entries() -> list[Entry]:
    query = entries.visible_entries(viewer()).where(Entry.kind.in_(("method", "template")))
    return list(db_session().scalars(query.order_by(Entry.title).limit(500)))


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["GET", "POST"])
def agenda(meeting_id: int):
    """Build the agenda: add methods or free items, change lengths, move blocks up and down."""
    meeting = _managed(meeting_id)
    form = BlockForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                entry = _entry_from(form.entry.data)
                meetings.add_block(db_session(), meeting, form.data, entry, viewer())
            except ValidationError as exc:
                leftover = apply_errors(form, exc)
                for messages in leftover.values():
                    form.entry.errors = list(form.entry.errors) + messages
                status = 400
            else:
                db_session().commit()
                flash(_("Added to the agenda."), "success")
                return redirect(url_for("networks.agenda", meeting_id=meeting.id, _anchor="agenda-table"))
        else:
            status = 400
    return render_template(
        "networks/agenda.html", meeting=meeting, network=meeting.network, schedule=meetings.schedule(meeting),
        form=form, confirm=ConfirmForm(), pickable=_pickable_entries(),
    ), status  # fmt: skip


@bp.route("/agenda/<int:block_id>/edit", methods=["GET", "POST"])
def edit_block(block_id: int):
    block = _block_or_404(block_id)
    form = BlockForm() if request.method == "POST" else BlockForm(obj=block)
    if request.method == "POST" and form.validate():
        try:
            meetings.update_block(block, form.data, viewer())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            block.meeting.sequence += 1
            db_session().commit()
            flash(_("Saved."), "success")
            return redirect(url_for("networks.agenda", meeting_id=block.meeting_id, _anchor=f"block-{block.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("networks/block_form.html", block=block, form=form), status


@bp.post("/agenda/<int:block_id>/move")
def move_block(block_id: int):
    """Move a block one step up or down (no JavaScript needed)."""
    block = _block_or_404(block_id)
    _confirmed()
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort(400)
    meetings.move_block(block, offset, viewer())
    block.meeting.sequence += 1
    db_session().commit()
    return redirect(url_for("networks.agenda", meeting_id=block.meeting_id, _anchor=f"block-{block.id}"))


@bp.post("/agenda/<int:block_id>/remove")
def remove_block(block_id: int):
    block = _block_or_404(block_id)
    _confirmed()
    meeting_id = block.meeting_id
    meetings.remove_block(db_session(), block, viewer())
    db_session().commit()
    flash(_("Removed from the agenda."), "success")
    return redirect(url_for("networks.agenda", meeting_id=meeting_id, _anchor="agenda-table"))


@bp.post("/meetings/<int:meeting_id>/agenda/order")
def reorder(meeting_id: int):
    """Put the blocks in a new order at once (the drag-and-drop enhancement posts here)."""
    meeting = _managed(meeting_id)
    _confirmed()
    ids = [int(v) for v in request.form.get("order", "").split(",") if v.strip().isdecimal()]
    try:
        meetings.reorder(meeting, ids, viewer())
    except ValidationError as exc:
        flash(translate(exc.errors["order"][0]), "error")
        return redirect(url_for("networks.agenda", meeting_id=meeting.id)), 303
    meeting.sequence += 1
    db_session().commit()
    return redirect(url_for("networks.agenda", meeting_id=meeting.id, _anchor="agenda-table"))


def _kit_context(meeting):
    methods = []
    seen = set()
    for block in sorted(meeting.agenda, key=lambda b: b.position):
        entry = block.entry
        if entry is None or entry.id in seen or not permissions.can_view(viewer(), entry):
            continue
        seen.add(entry.id)
        # In the kit the method's title is the h2, so its own headings move one level down.
        methods.append((entry, shift_headings(rendered_body(entry.current_revision), 1)))
    return {
        "meeting": meeting, "network": meeting.network, "schedule": meetings.schedule(meeting), "methods": methods,
        "materials": meetings.materials(meeting),
    }  # fmt: skip


@bp.get("/meetings/<int:meeting_id>/kit")
def kit(meeting_id: int):
    """The printable meeting kit: agenda with times, each method, one materials list."""
    meeting = meeting_or_404(meeting_id)
    return render_template("networks/kit.html", **_kit_context(meeting))


@bp.get("/meetings/<int:meeting_id>/kit.html")
def kit_download(meeting_id: int):
    """The kit as one self-contained HTML file to keep, mail or print."""
    meeting = meeting_or_404(meeting_id)
    html = render_template("networks/kit_file.html", **_kit_context(meeting))
    return Response(
        html,
        mimetype="text/html",
        headers={
            "Content-Disposition": f'attachment; filename="dela-meeting-kit-{meeting.id}.html"',
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        },
    )


@bp.post("/meetings/<int:meeting_id>/save-as-plan")
def save_as_plan(meeting_id: int):
    """Turn the agenda into a draft plan in the method book that others can start from."""
    meeting = _managed(meeting_id)
    _confirmed()
    if not meeting.agenda:
        flash(_("Add blocks to the agenda first."), "error")
        return redirect(url_for("networks.agenda", meeting_id=meeting.id)), 303
    body = render_template("networks/plan_body.txt", **_kit_context(meeting))
    raw = {
        "title": _("Plan: %(title)s", title=meeting.title)[:200],
        "kind": "plan",
        "language": viewer().language if viewer().language in ("sv", "da", "en") else "sv",
        "status": "draft",
        "summary": _("The agenda of “%(title)s” as a plan to reuse.", title=meeting.title),
        "duration": str(total) if (total := sum(b.minutes for b in meeting.agenda)) <= 600 else "",
        "tags": ["agenda"],
        "authors": [viewer().display_name],
        "body": body,
    }
    session = db_session()
    try:
        data = entries.validate_entry_data(raw, session)
        entry = entries.create_entry(session, data, viewer(), [], _("Saved from a meeting's agenda"))
    except ValidationError as exc:
        flash(" ".join(translate(m) for msgs in exc.errors.values() for m in msgs), "error")
        return redirect(url_for("networks.agenda", meeting_id=meeting.id)), 303
    if permissions.in_network(viewer(), meeting.network):
        entry.network = meeting.network
    session.commit()
    flash(_("The agenda is saved as a draft plan. Check it and publish it."), "success")
    return redirect(url_for("methods.edit", slug=entry.slug))
