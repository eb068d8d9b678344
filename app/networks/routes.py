"""Network pages: list, create and edit, join, leave, follow, and the coordinators' people page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from methodbook import entries, networks, permissions, recognition
from methodbook.db import utcnow
from methodbook.errors import NotFound, ValidationError
from methodbook.models import Entry, Meeting, Membership, Network

from ..db import db_session
from ..feedback.common import send_pending_mail
from ..forms_util import ConfirmForm, apply_errors, csv_download, translate
from ..login import viewer
from ..security import keeps_form, public
from . import bp
from .forms import NetworkForm


def network_or_404(slug: str) -> Network:
    try:
        return networks.get_network(db_session(), slug)
    except NotFound:
        abort(404)


def is_coordinator(network: Network) -> bool:
    return permissions.can_manage_network(viewer(), network, networks.coordinator_ids(network))


def sees_content(network: Network) -> bool:
    """Whether the viewer sees the network's entries, meetings and members."""
    return not network.members_only or permissions.is_admin(viewer()) or networks.is_member(network, viewer())


@bp.get("/networks")
@public
def index():
    """Every network, with how many members it has."""
    items = list(db_session().scalars(select(Network).order_by(Network.name)))
    mine = networks.member_network_ids(db_session(), viewer())
    return render_template(
        "networks/index.html", items=items, mine=mine, can_create=permissions.can_create_network(viewer())
    )


@bp.route("/networks/new", methods=["GET", "POST"])
@keeps_form
def new():
    """Start a network (facilitators and admins); its creator coordinates it."""
    if not permissions.can_create_network(viewer()):
        abort(403)
    form = NetworkForm()
    if request.method == "POST" and form.validate():
        try:
            network = networks.create_network(db_session(), form.data, viewer())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            db_session().commit()
            flash(_("The network “%(name)s” is created. You coordinate it.", name=network.name), "success")
            return redirect(url_for("networks.view", slug=network.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("networks/form.html", form=form, network=None), status


@bp.route("/networks/<slug>/edit", methods=["GET", "POST"])
@keeps_form
def edit(slug: str):
    network = network_or_404(slug)
    if not is_coordinator(network):
        abort(403)
    form = NetworkForm() if request.method == "POST" else NetworkForm(obj=network)
    if request.method == "POST" and form.validate():
        try:
            networks.update_network(db_session(), network, form.data, viewer())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            db_session().commit()
            flash(_("Saved."), "success")
            return redirect(url_for("networks.view", slug=network.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("networks/form.html", form=form, network=network), status


@bp.get("/networks/<slug>")
@public
def view(slug: str):
    """A network: what it is, who coordinates it, its meetings, entries and members."""
    network = network_or_404(slug)
    session, user = db_session(), viewer()
    visible = sees_content(network)
    now = utcnow()
    upcoming, past, items = [], [], []
    if visible:
        meetings = list(
            session.scalars(select(Meeting).where(Meeting.network_id == network.id).order_by(Meeting.starts_at))
        )
        upcoming = [m for m in meetings if m.ends_at >= now]
        past = list(reversed([m for m in meetings if m.ends_at < now]))
        query = entries.visible_entries(user).where(Entry.network_id == network.id)
        items = list(session.scalars(query.order_by(Entry.created_at.desc()).limit(50)))
    own = networks.membership(session, network, user)
    active = [m for m in network.memberships if m.status == "active"]
    return render_template(
        "networks/view.html", network=network, visible=visible, upcoming=upcoming, past=past, items=items,
        own=own, members=active, coordinators=[m for m in active if m.role == "coordinator"],
        following=networks.follows(session, user, "network", str(network.id)), manager=is_coordinator(network),
        show_members=visible and (own is not None and own.status == "active" or is_coordinator(network)),
        confirm=ConfirmForm(),
        most_shared=recognition.most_shared(session, network, user, now) if visible else [],
        leaders=recognition.leaderboard(session, network, now) if visible else [],
    )  # fmt: skip


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.post("/networks/<slug>/join")
def join(slug: str):
    network = network_or_404(slug)
    _confirmed()
    row = networks.join(db_session(), network, viewer())
    db_session().commit()
    send_pending_mail()
    if row.status == "active":
        flash(_("You are a member of %(name)s.", name=network.name), "success")
    else:
        flash(_("Your request to join is sent. A coordinator will answer it."), "success")
    return redirect(url_for("networks.view", slug=slug))


@bp.post("/networks/<slug>/leave")
def leave(slug: str):
    network = network_or_404(slug)
    _confirmed()
    try:
        networks.leave(db_session(), network, viewer())
    except ValidationError as exc:
        flash(translate(exc.errors["network"][0]), "error")
    else:
        db_session().commit()
        flash(_("You have left %(name)s.", name=network.name), "success")
    return redirect(url_for("networks.view", slug=slug))


@bp.post("/networks/<slug>/follow")
def follow(slug: str):
    network = network_or_404(slug)
    _confirmed()
    if request.form.get("follow") == "0":
        networks.unfollow(db_session(), viewer(), "network", str(network.id))
        message = _("You no longer follow %(name)s.", name=network.name)
    else:
        networks.follow(db_session(), viewer(), "network", str(network.id))
        message = _("You follow %(name)s: you hear about its new meetings.", name=network.name)
    db_session().commit()
    flash(message, "success")
    return redirect(url_for("networks.view", slug=slug))


@bp.get("/networks/<slug>/people")
def people(slug: str):
    """Members, coordinators, requests to join and followers (coordinators)."""
    network = network_or_404(slug)
    if not is_coordinator(network):
        abort(403)
    rows = sorted(network.memberships, key=lambda m: (m.status != "pending", m.user.display_name.casefold()))
    return render_template(
        "networks/people.html", network=network, rows=rows,
        followers=networks.followers(db_session(), network), confirm=ConfirmForm(),
    )  # fmt: skip


@bp.post("/networks/<slug>/people/<int:membership_id>")
def manage_member(slug: str, membership_id: int):
    """Approve a request, change a role or remove someone (coordinators)."""
    network = network_or_404(slug)
    if not is_coordinator(network):
        abort(403)
    _confirmed()
    row = db_session().get(Membership, membership_id)
    if row is None or row.network_id != network.id:
        abort(404)
    action = request.form.get("action", "")
    try:
        if action == "approve":
            networks.approve(db_session(), network, row, viewer())
        elif action in ("member", "coordinator"):
            networks.set_member_role(network, row, action, viewer())
        elif action == "remove":
            networks.remove_member(db_session(), network, row, viewer())
        else:
            abort(400)
    except ValidationError as exc:
        flash(translate(next(iter(exc.errors.values()))[0]), "error")
    else:
        db_session().commit()
        send_pending_mail()
        flash(_("Saved."), "success")
    return redirect(url_for("networks.people", slug=slug))


@bp.get("/networks/<slug>/people.csv")
def people_csv(slug: str):
    network = network_or_404(slug)
    if not is_coordinator(network):
        abort(403)
    headers = {"name": _("Name"), "email": _("E-mail"), "organisation": _("Organisation"),
               "relation": _("Relation"), "since": _("Since")}  # fmt: skip
    labels = {"member": _("Member"), "coordinator": _("Coordinator"), "pending": _("Asked to join"),
              "follower": _("Follower")}  # fmt: skip
    body = networks.people_csv(db_session(), network, headers, labels)
    return csv_download(body, f"dela-{network.slug}-people.csv")
