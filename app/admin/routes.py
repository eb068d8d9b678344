"""Administration: accounts, roles, invite links and password-reset links."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from methodbook import accounts, feedback, permissions
from methodbook.errors import ValidationError
from methodbook.models import CriteriaSet, Invite, User

from ..db import db_session
from ..forms_util import apply_errors, translate
from ..labels import USER_ROLE_LABELS
from ..login import viewer
from . import bp
from .forms import InviteForm, RoleForm


@bp.before_request
def admins_only():
    """Every page here is for admins."""
    if not permissions.can_manage_users(viewer()):
        abort(403)


def _user_or_404(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
def users():
    """List accounts."""
    rows = list(db_session().scalars(select(User).order_by(User.display_name)))
    return render_template("admin/users.html", users=rows, role_form=RoleForm())


@bp.post("/users/<int:user_id>/role")
def set_role(user_id: int):
    """Change an account's role."""
    user, form = _user_or_404(user_id), RoleForm()
    if form.validate_on_submit():
        if user.id == viewer().id and form.role.data != "admin":
            flash(_("You cannot take away your own admin role."), "error")
        else:
            accounts.set_role(user, form.role.data, viewer())
            db_session().commit()
            flash(
                _("%(name)s is now %(role)s.", name=user.display_name, role=USER_ROLE_LABELS[form.role.data]), "success"
            )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset-link")
def reset_link(user_id: int):
    """Create a one-time password reset link to give to the member."""
    user = _user_or_404(user_id)
    token = accounts.create_password_reset(db_session(), user)
    db_session().commit()
    link = url_for("auth.reset", token=token, _external=True)
    return render_template(
        "admin/link.html", title=_("Password reset link for %(name)s", name=user.display_name), link=link
    )


@bp.route("/invites", methods=["GET", "POST"])
def invites():
    """Create invite links and list the open ones."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            token = accounts.create_invite(db_session(), viewer(), form.role.data, form.email.data or "")
        except ValidationError as exc:
            form.email.errors = [translate(m) for msgs in exc.errors.values() for m in msgs]
        else:
            db_session().commit()
            link = url_for("auth.register", invite=token, _external=True)
            return render_template("admin/link.html", title=_("Invite link"), link=link)
    rows = list(db_session().scalars(select(Invite).order_by(Invite.created_at.desc()).limit(50)))
    return render_template("admin/invites.html", form=form, invites=rows)


@bp.get("/criteria")
def criteria_sets():
    """List the scoring grids, with a form for a new one."""
    from ..feedback.forms import CriteriaSetForm

    sets = feedback.criteria_sets(db_session())
    db_session().commit()  # the built-in grid is created on first use
    return render_template("admin/criteria.html", sets=sets, form=CriteriaSetForm(formdata=None))


@bp.route("/criteria/new", methods=["GET", "POST"])
@bp.route("/criteria/<int:set_id>", methods=["GET", "POST"])
def criteria_set(set_id: int | None = None):
    """Create or change a scoring grid (the built-in one is read-only: make a new one)."""
    from ..feedback.common import criterion_description, criterion_name
    from ..feedback.forms import CriteriaSetForm

    session = db_session()
    existing = session.get(CriteriaSet, set_id) if set_id is not None else None
    if set_id is not None and existing is None:
        abort(404)
    if existing is not None and existing.key is not None:
        abort(403)
    if request.method == "POST":
        form = CriteriaSetForm()
    elif existing is not None:
        lines = "\n".join(f"{criterion_name(c)}: {criterion_description(c)}".rstrip(": ") for c in existing.criteria)
        form = CriteriaSetForm(name=existing.name, criteria=lines, make_default=existing.is_default)
    else:
        form = CriteriaSetForm()
    if request.method == "POST" and form.validate():
        try:
            saved = feedback.save_criteria_set(
                session, existing, form.name.data, feedback.parse_criteria(form.criteria.data), form.make_default.data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            session.commit()
            flash(_("The scoring grid “%(name)s” is saved.", name=saved.name), "success")
            return redirect(url_for("admin.criteria_sets"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/criteria_form.html", form=form, existing=existing), status
