"""Meeting pages: create and edit, register and cancel, participants, messages, calendars."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from methodbook import calendar, galleries, meetings, networks, writeups
from methodbook.db import utcnow
from methodbook.errors import NotFound, ValidationError
from methodbook.models import Meeting, Registration

from ..db import db_session
from ..feedback.common import send_pending_mail
from ..forms_util import ConfirmForm, apply_errors, csv_download, translate
from ..login import viewer
from ..security import keeps_form, public
from . import bp
from .forms import FORMAT_LABELS, STATUS_LABELS, MeetingForm, MessageForm, RegistrationForm
from .routes import _confirmed, is_coordinator, network_or_404


def meeting_or_404(meeting_id: int) -> Meeting:
    try:
        meeting = meetings.get_meeting(db_session(), meeting_id)
    except NotFound:
        abort(404)
    if not meetings.can_see(viewer(), meeting):
        abort(404)
    return meeting


def _form_values(form: MeetingForm) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


def _meeting_form(meeting: Meeting) -> MeetingForm:
    network = meeting.network
    data = {
        "title": meeting.title, "theme": meeting.theme, "format": meeting.format, "description": meeting.description,
        "place": meeting.place, "video_url": meeting.video_url,
        "capacity": "" if meeting.capacity is None else str(meeting.capacity),
    }  # fmt: skip
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        data[name] = meetings.local_text(getattr(meeting, name), network)
    return MeetingForm(data=data)


@bp.route("/networks/<slug>/meetings/new", methods=["GET", "POST"])
@keeps_form
def new_meeting(slug: str):
    """Plan a meeting of the network (coordinators)."""
    network = network_or_404(slug)
    if not is_coordinator(network):
        abort(403)
    form = MeetingForm()
    if request.method == "POST" and form.validate():
        try:
            meeting = meetings.create_meeting(db_session(), network, _form_values(form), viewer())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            db_session().commit()
            send_pending_mail()
            flash(_("The meeting is planned. Members and followers are told."), "success")
            return redirect(url_for("networks.meeting", meeting_id=meeting.id))
    status = 400 if request.method == "POST" else 200
    return render_template("networks/meeting_form.html", form=form, network=network, meeting=None), status


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@keeps_form
def edit_meeting(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    if not is_coordinator(meeting.network):
        abort(403)
    form = MeetingForm() if request.method == "POST" else _meeting_form(meeting)
    if request.method == "POST" and form.validate():
        try:
            meetings.update_meeting(db_session(), meeting, _form_values(form), viewer())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            db_session().commit()
            send_pending_mail()
            flash(_("Saved."), "success")
            return redirect(url_for("networks.meeting", meeting_id=meeting.id))
    status = 400 if request.method == "POST" else 200
    return render_template("networks/meeting_form.html", form=form, network=meeting.network, meeting=meeting), status


@bp.post("/meetings/<int:meeting_id>/cancel")
def cancel_meeting(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    if not is_coordinator(meeting.network):
        abort(403)
    _confirmed()
    meetings.cancel_meeting(db_session(), meeting, viewer())
    db_session().commit()
    send_pending_mail()
    flash(_("The meeting is cancelled. Everyone registered is told."), "success")
    return redirect(url_for("networks.meeting", meeting_id=meeting.id))


@bp.get("/meetings/<int:meeting_id>")
@public
def meeting(meeting_id: int):
    """A meeting: when, where, its status, registration, the agenda and who comes."""
    meeting = meeting_or_404(meeting_id)
    session, user = db_session(), viewer()
    registered = meetings.registered(session, meeting)
    waiting = meetings.waitlist(session, meeting)
    own = meetings.registration_of(session, meeting, user) if user else None
    place_in_line = next((i for i, r in enumerate(waiting, 1) if own and r.id == own.id), None)
    member = networks.is_member(meeting.network, user)
    gallery = galleries.of_meeting(session, meeting)
    return render_template(
        "networks/meeting.html", meeting=meeting, network=meeting.network,
        state=meetings.status(meeting, utcnow(), len(registered)), registered=registered, waiting=waiting,
        own=own if own and own.status != "cancelled" else None, place_in_line=place_in_line,
        listed=[r for r in registered if r.on_participant_list] if member or is_coordinator(meeting.network) else [],
        manager=is_coordinator(meeting.network), schedule=meetings.schedule(meeting),
        form=RegistrationForm(formdata=None), confirm=ConfirmForm(),
        status_labels=STATUS_LABELS, format_labels=FORMAT_LABELS,
        writeups=writeups.writeups_of_meeting(session, meeting, user),
        draft_writeups=writeups.draft_writeups_of_meeting(session, meeting, user),
        gallery=gallery if gallery is not None and galleries.can_view(user, gallery) else None,
        cover=galleries.cover(gallery) if gallery is not None else None,
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/register")
def register(meeting_id: int):
    """One click: a seat, or a place on the waitlist when the meeting is full."""
    meeting = meeting_or_404(meeting_id)
    form = RegistrationForm()
    if not form.validate():
        abort(400)
    try:
        row = meetings.register(db_session(), meeting, viewer(), form.note.data, form.listed.data, utcnow())
    except ValidationError as exc:
        db_session().rollback()
        flash(" ".join(translate(m) for msgs in exc.errors.values() for m in msgs), "error")
        return redirect(url_for("networks.meeting", meeting_id=meeting_id)), 303
    db_session().commit()
    if row.status == "registered":
        flash(_("You are registered. Welcome!"), "success")
    else:
        flash(_("The meeting is full, so you are on the waitlist. You will be told if a seat frees up."), "success")
    return redirect(url_for("networks.meeting", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/unregister")
def unregister(meeting_id: int):
    """Cancel one's registration; the first on the waitlist gets the seat."""
    meeting = meeting_or_404(meeting_id)
    _confirmed()
    row = meetings.registration_of(db_session(), meeting, viewer())
    if row is None or row.status == "cancelled":
        flash(_("You were not registered."), "info")
        return redirect(url_for("networks.meeting", meeting_id=meeting_id))
    meetings.cancel_registration(db_session(), row, viewer(), utcnow())
    db_session().commit()
    send_pending_mail()
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("networks.meeting", meeting_id=meeting_id))


@bp.get("/meetings/<int:meeting_id>/participants")
def participants(meeting_id: int):
    """Who is registered and waiting, with notes; attendance and messages (coordinators)."""
    meeting = meeting_or_404(meeting_id)
    if not is_coordinator(meeting.network):
        abort(403)
    session = db_session()
    return render_template(
        "networks/participants.html", meeting=meeting, registered=meetings.registered(session, meeting),
        waiting=meetings.waitlist(session, meeting), message_form=MessageForm(formdata=None), confirm=ConfirmForm(),
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/participants/<int:registration_id>")
def participant(meeting_id: int, registration_id: int):
    """Mark attendance, or cancel someone's registration (coordinators)."""
    meeting = meeting_or_404(meeting_id)
    if not is_coordinator(meeting.network):
        abort(403)
    _confirmed()
    row = db_session().get(Registration, registration_id)
    if row is None or row.meeting_id != meeting.id:
        abort(404)
    action = request.form.get("action", "")
    if action in ("attended", "absent", "unknown"):
        meetings.mark_attendance(meeting, row, {"attended": True, "absent": False}.get(action), viewer())
    elif action == "cancel":
        meetings.cancel_registration(db_session(), row, viewer(), utcnow())
    else:
        abort(400)
    db_session().commit()
    send_pending_mail()
    flash(_("Saved."), "success")
    return redirect(url_for("networks.participants", meeting_id=meeting_id, _anchor=f"reg-{row.id}"))


@bp.post("/meetings/<int:meeting_id>/message")
def message(meeting_id: int):
    """Send everyone registered an in-app message (coordinators)."""
    meeting = meeting_or_404(meeting_id)
    if not is_coordinator(meeting.network):
        abort(403)
    form = MessageForm()
    if not form.validate():
        abort(400)
    try:
        count = meetings.message_participants(db_session(), meeting, form.message.data, viewer())
    except ValidationError as exc:
        flash(translate(next(iter(exc.errors.values()))[0]), "error")
    else:
        db_session().commit()
        send_pending_mail()
        flash(_("The message is sent to %(n)s people.", n=count), "success")
    return redirect(url_for("networks.participants", meeting_id=meeting_id))


@bp.get("/meetings/<int:meeting_id>/participants.csv")
def participants_csv(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    if not is_coordinator(meeting.network):
        abort(403)
    headers = {
        "name": _("Name"), "email": _("E-mail"), "organisation": _("Organisation"), "status": _("Status"),
        "place": _("Place in order"), "note": _("Note"), "listed": _("On the participant list"),
        "attended": _("Attended"), "registered_at": _("Registered"),
    }  # fmt: skip
    labels = {"registered": _("Registered"), "waitlisted": _("Waitlist"), "yes": _("Yes"), "no": _("No")}
    body = meetings.participants_csv(db_session(), meeting, headers, labels)
    return csv_download(body, f"dela-meeting-{meeting.id}-participants.csv")


# --- Calendars -------------------------------------------------------------------------------


def _ics(body: bytes, name: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, max-age=300"},
    )


def _host() -> str:
    return current_app.config.get("SERVER_NAME") or request.host.split(":")[0]


@bp.get("/meetings/<int:meeting_id>.ics")
@public
def meeting_ics(meeting_id: int):
    """One meeting as an iCalendar file."""
    meeting = meeting_or_404(meeting_id)
    url = url_for("networks.meeting", meeting_id=meeting.id, _external=True)
    return _ics(calendar.ics([meeting], _host(), lambda m: url, meeting.network.name), f"meeting-{meeting.id}.ics")


@bp.get("/networks/<slug>/meetings.ics")
@public
def network_ics(slug: str):
    """The network's meetings as a calendar feed; members-only meetings are in members' private feeds only."""
    network = network_or_404(slug)
    items = []
    if not network.members_only:
        items = list(db_session().scalars(select(Meeting).where(Meeting.network_id == network.id)))
    return _ics(calendar.ics(items, _host(), _meeting_url, network.name), f"{network.slug}.ics")


def _meeting_url(meeting: Meeting) -> str:
    return url_for("networks.meeting", meeting_id=meeting.id, _external=True)


@bp.get("/calendar/<token>.ics")
@public
def private_ics(token: str):
    """A member's private feed: every meeting of every network they belong to, members-only ones included."""
    user = calendar.user_for_token(db_session(), token)
    if user is None:
        abort(404)
    ids = networks.member_network_ids(db_session(), user)
    items = list(db_session().scalars(select(Meeting).where(Meeting.network_id.in_(ids)))) if ids else []
    return _ics(calendar.ics(items, _host(), _meeting_url, "Dela"), "dela.ics")


@bp.route("/account/calendar", methods=["GET", "POST"])
def calendar_settings():
    """Show the member's private calendar address; a new one replaces (and ends) the old."""
    session = db_session()
    if request.method == "POST":
        _confirmed()
        had = calendar.current_token(session, viewer()) is not None
        calendar.reset_token(session, viewer())
        session.commit()
        if had:
            flash(_("Your calendar address is new; the old one no longer works."), "success")
        return redirect(url_for("networks.calendar_settings"))
    token = calendar.current_token(session, viewer())
    url = url_for("networks.private_ics", token=token, _external=True) if token else None
    return render_template("networks/calendar.html", url=url, confirm=ConfirmForm())
