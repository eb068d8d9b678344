"""Register, log in and out, profile, password change and reset."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.security import check_password_hash

from methodbook import accounts, following, personal_data, profiles, recognition
from methodbook.attachments import blob_path
from methodbook.errors import NotFound, ValidationError

from ..db import db_session
from ..extensions import limiter
from ..forms_util import apply_errors
from ..i18n import current_language
from ..login import viewer
from ..mail import mail_configured, send_mail
from ..security import public, safe_next
from . import bp
from .forms import DeleteAccountForm, ForgotForm, LoginForm, PasswordChangeForm, ProfileForm, RegisterForm, ResetForm


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in with e-mail and password."""
    form = LoginForm()
    next_url = safe_next(request.values.get("next"), url_for("main.home"))
    if form.validate_on_submit():
        user = accounts.authenticate(db_session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(next_url)
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    return render_template("auth/login.html", form=form, next_url=next_url)


@bp.post("/logout")
@public
def logout():
    """Log out and forget the remember-me cookie."""
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))


def _invite_from_request():
    token = request.values.get("invite", "")
    if not token:
        return None, token
    try:
        return accounts.find_invite(db_session(), token), token
    except NotFound:
        return None, token


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def register():
    """Create an account, openly or with an invite link."""
    invite, token = _invite_from_request()
    if current_app.config["DELA_REGISTRATION"] == "invite" and invite is None:
        return render_template("auth/invite_only.html", had_token=bool(token)), 403
    form = RegisterForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            user = accounts.create_user(
                session, form.email.data, form.display_name.data, form.password.data,
                language=current_language(), hash_method=_hash_method(),
            )  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if invite is not None:
                accounts.use_invite(invite, user)
            session.commit()
            login_user(user)
            flash(_("Welcome to Dela, %(name)s.", name=user.display_name), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/register.html", form=form, invite_token=token if invite else "")


@bp.route("/account", methods=["GET", "POST"])
def account():
    """Edit one's own profile."""
    user = viewer()
    form = _profile_form(user) if request.method == "GET" else ProfileForm()
    if form.validate_on_submit():
        try:
            profiles.update_profile(user, form.data)
        except ValidationError as exc:
            db_session().rollback()
            apply_errors(form, exc)
        else:
            db_session().commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.account"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/account.html", form=form, password_form=PasswordChangeForm(prefix="pw")), status


def _profile_form(user) -> ProfileForm:
    form = ProfileForm(obj=user)
    form.work_languages.data = profiles.work_languages(user)
    return form


@bp.get("/people/<int:user_id>")
@public
def profile(user_id: int):
    """A member's public profile: what they chose to show and what they shared that the viewer may see."""
    try:
        person = profiles.get_person(db_session(), user_id)
    except NotFound:
        abort(404)
    user = viewer()
    counts = recognition.counts(db_session(), person)
    return render_template(
        "auth/profile.html", person=person, given=profiles.contributions(db_session(), person, user),
        show_organisation=profiles.shows_organisation(user, person), show_email=profiles.shows_email(user, person),
        languages=profiles.work_languages(person), own=user is not None and user.id == person.id,
        follows_person=following.is_following(db_session(), user, "member", str(person.id)),
        counts=counts, marks=recognition.earned(counts),
    )  # fmt: skip


@bp.post("/account/password")
def change_password():
    """Change one's password; other sessions end."""
    form = PasswordChangeForm(prefix="pw")
    user = viewer()
    if form.validate_on_submit():
        if not check_password_hash(user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            try:
                accounts.set_password(user, form.password.data, _hash_method())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                db_session().commit()
                login_user(user)
                flash(_("Your password is changed. Other devices have been logged out."), "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=_profile_form(user), password_form=form), 400


@bp.route("/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def forgot():
    """Send a reset link by e-mail, or explain whom to ask when no mail is set up."""
    form = ForgotForm()
    if mail_configured() and form.validate_on_submit():
        session = db_session()
        user = accounts.get_user_by_email(session, form.email.data)
        if user is not None and user.active:
            token = accounts.create_password_reset(session, user)
            session.commit()
            link = url_for("auth.reset", token=token, _external=True)
            send_mail(
                user.email, _("Reset your Dela password"), render_template("auth/reset_mail.txt", user=user, link=link)
            )
        flash(_("If an account has that address, a link to choose a new password is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form, mail=mail_configured())


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def reset(token: str):
    """Choose a new password through a one-time link."""
    session = db_session()
    reset_row = accounts.find_password_reset(session, token)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = accounts.use_password_reset(reset_row, form.password.data, _hash_method())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            session.commit()
            login_user(user)
            flash(_("Your new password is set."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/reset.html", form=form)


@bp.get("/account/data.zip")
def download_data():
    """Download my data: a ZIP with everything Dela holds about me as JSON, and the files I uploaded."""
    user = viewer()
    data, files = personal_data.export(db_session(), user)
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dela-data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        archive.writestr(
            "README.txt", _("Everything Dela holds about you, as JSON, and the files you uploaded.") + "\n"
        )
        for item in files:
            path = blob_path(upload_dir, item.sha256)
            if path.is_file():
                archive.write(path, item.path)
    response = Response(buffer.getvalue(), mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="dela-my-data.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
def delete_account():
    """Delete my account after the password: personal data goes, published content stays credited to a former member."""
    user = viewer()
    form = DeleteAccountForm()
    blocking = personal_data.last_coordinator_of(db_session(), user)
    if request.method == "POST" and form.validate():
        if not check_password_hash(user.password_hash, form.password.data):
            form.password.errors.append(_("The password is wrong."))
        elif not blocking:
            personal_data.delete_account(db_session(), user, _("A former member"), form.drafts_and_comments.data)
            db_session().commit()
            logout_user()
            flash(_("Your account and your personal data are deleted. Thank you for sharing."), "success")
            return redirect(url_for("main.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/delete_account.html", form=form, blocking=blocking), status


@bp.get("/privacy")
@public
def privacy():
    """What Dela stores about people, why and for how long, built from the list the code keeps."""
    return render_template("auth/privacy.html", records=personal_data.INVENTORY)
