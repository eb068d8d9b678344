"""The follow buttons and the personal feed ("new since your last visit")."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from methodbook import following
from methodbook.errors import NotFound, ValidationError

from ..db import db_session
from ..forms_util import ConfirmForm, translate
from ..login import viewer
from ..security import safe_next
from . import bp


@bp.post("/following")
def toggle():
    """Follow or stop following an entry, a tag, a network or a member, then go back."""
    if not ConfirmForm().validate():
        abort(400)
    target_type, target = request.form.get("target_type", ""), request.form.get("target", "")
    on = request.form.get("follow") != "0"
    try:
        following.set_following(db_session(), viewer(), target_type, target, on)
    except NotFound:
        abort(404)
    except ValidationError as exc:
        flash(" ".join(translate(m) for msgs in exc.errors.values() for m in msgs), "error")
    else:
        db_session().commit()
        flash(_("You follow it: new things appear in your feed.") if on else _("You no longer follow it."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("following.feed")), 303)


@bp.get("/feed")
def feed():
    """What is new in what you follow, marked since your last visit."""
    session, user = db_session(), viewer()
    items = following.visit_feed(session, user)
    what = following.followed(session, user)
    session.commit()
    return render_template("following/feed.html", items=items, followed=what, confirm=ConfirmForm())


@bp.post("/feed/digest")
def digest():
    """Choose the e-mail digest: off, daily or weekly."""
    if not ConfirmForm().validate():
        abort(400)
    try:
        following.set_digest(viewer(), request.form.get("digest", ""))
    except ValidationError:
        abort(400)
    db_session().commit()
    flash(_("Saved."), "success")
    return redirect(url_for("following.feed"), 303)
