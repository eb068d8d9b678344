"""The feedback thread under every published entry: post, reply, edit, remove, permalink, report."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from methodbook import feedback, moderation, permissions
from methodbook.errors import Forbidden, ValidationError
from methodbook.models import Comment, Entry

from ..db import db_session
from ..forms_stash import load_stash
from ..forms_util import ConfirmForm, apply_errors
from ..login import viewer
from ..security import keeps_form, public
from . import bp
from .common import or_404, send_pending_mail, today
from .forms import CommentForm, ReasonForm

PER_PAGE = 20


def thread_context(entry: Entry) -> dict:
    """What the entry page shows below the article: the thread, the form, requests and public grids."""
    if not permissions.has_thread(entry):
        return {"thread": None}
    value = request.args.get("comments", "1")
    page = int(value) if value.isdecimal() else 1
    session = db_session()
    requests = feedback.requests_for_entry(session, entry)
    return {
        "thread": feedback.thread(session, entry, page, PER_PAGE),
        "comment_form": CommentForm(formdata=None) if permissions.can_comment(viewer(), entry) else None,
        "open_requests": [r for r in requests if feedback.is_open(r, today())],
        "public_grids": [(r, feedback.aggregate(r)) for r in requests if r.aggregate_public],
    }


def _entry_or_404(slug: str) -> Entry:
    from ..methods.routes import entry_or_404

    return entry_or_404(slug)


def _comment_or_404(comment_id: int) -> Comment:
    comment = or_404(feedback.get_comment, comment_id)
    if not permissions.can_see_comment(viewer(), comment):
        abort(404)
    return comment


def _thread_url(comment: Comment) -> str:
    page = feedback.comment_page(db_session(), comment, PER_PAGE)
    args = {"comments": page} if page > 1 else {}
    return url_for("methods.view", slug=comment.entry.slug, **args, _anchor=f"comment-{comment.id}")


def _stashed_form(form_class):
    stash = load_stash(request.path, request.args.get("restore")) if request.method == "GET" else None
    if stash is None:
        return None
    flash(_("Here is the text you wrote before your session ended. Check it and send it again."), "warning")
    return form_class(formdata=MultiDict([(k, v) for k, vs in stash.items() for v in vs]))


@bp.route("/methods/<slug>/comments", methods=["GET", "POST"])
@keeps_form
def comment(slug: str):
    """Write a comment or a reply; without JavaScript, and keeping the text when something fails."""
    entry = _entry_or_404(slug)
    if not permissions.has_thread(entry):
        abort(404)
    user = viewer()
    form = _stashed_form(CommentForm) or CommentForm()
    if request.method == "GET" and not form.reply_to.data:
        form.reply_to.data = request.args.get("reply_to", "")
    reply_to = None
    if (form.reply_to.data or "").isdecimal():
        reply_to = db_session().get(Comment, int(form.reply_to.data))
        if reply_to is None or reply_to.entry_id != entry.id or not permissions.can_see_comment(user, reply_to):
            abort(404)
    if request.method == "POST" and form.validate():
        try:
            posted = feedback.post_comment(db_session(), entry, user, form.body.data, reply_to)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            db_session().commit()
            send_pending_mail()
            flash(_("Your comment is posted."), "success")
            return redirect(_thread_url(posted))
    status = 400 if request.method == "POST" else 200
    return render_template("feedback/comment_form.html", entry=entry, form=form, reply_to=reply_to), status


@bp.get("/comments/<int:comment_id>")
@public
def permalink(comment_id: int):
    """The lasting address of a comment: its place in the thread."""
    return redirect(_thread_url(_comment_or_404(comment_id)))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@keeps_form
def edit_comment(comment_id: int):
    """Change one's own comment; the earlier text stays for moderators."""
    comment = _comment_or_404(comment_id)
    if not permissions.can_edit_comment(viewer(), comment):
        abort(403)
    form = _stashed_form(CommentForm) or (CommentForm() if request.method == "POST" else CommentForm(body=comment.body))
    if request.method == "POST" and form.validate():
        try:
            changed = feedback.edit_comment(comment, viewer(), form.body.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            db_session().commit()
            flash(_("Your comment is changed.") if changed else _("Nothing changed."), "success")
            return redirect(_thread_url(comment))
    status = 400 if request.method == "POST" else 200
    return render_template("feedback/comment_edit.html", comment=comment, form=form), status


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
def delete_comment(comment_id: int):
    """Remove a comment (its author or a moderator), after a confirmation page."""
    comment = _comment_or_404(comment_id)
    user = viewer()
    if not permissions.can_delete_comment(user, comment):
        abort(403)
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        try:
            feedback.delete_comment(comment, user)
        except Forbidden:
            abort(403)
        moderation.log_removal(db_session(), comment, user)
        db_session().commit()
        flash(_("The comment is removed."), "success")
        return redirect(_thread_url(comment))
    return render_template("feedback/comment_delete.html", comment=comment, form=form)


@bp.get("/comments/<int:comment_id>/history")
def comment_history(comment_id: int):
    """Earlier versions of an edited comment, for moderators."""
    comment = or_404(feedback.get_comment, comment_id)
    if not permissions.is_moderator(viewer()):
        abort(403)
    return render_template("feedback/comment_history.html", comment=comment)


@bp.route("/<any(comments, reviews, entries):kind>/<int:target_id>/report", methods=["GET", "POST"])
@keeps_form
def report(kind: str, target_id: int):
    """Tell moderators that an entry, a comment or a review needs a look."""
    session, user = db_session(), viewer()
    target_type = {"comments": "comment", "reviews": "review", "entries": "entry"}[kind]
    if target_type == "comment":
        target = _comment_or_404(target_id)
        back = _thread_url(target)
    elif target_type == "entry":
        target = or_404(lambda s, i: moderation.get_target(s, "entry", i), target_id)
        if not permissions.can_view(user, target) or not target.is_published:
            abort(404)
        back = url_for("methods.view", slug=target.slug)
    else:
        target = or_404(lambda s, i: moderation.get_target(s, "review", i), target_id)
        if not permissions.can_read_review(user, target):
            abort(404)
        back = url_for("feedback.request_page", request_id=target.request_id)
    form = _stashed_form(ReasonForm) or ReasonForm()
    if request.method == "POST" and form.validate():
        try:
            moderation.report(session, target, user, form.reason.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            session.commit()
            flash(_("Thank you. A moderator will look at it."), "success")
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "feedback/report.html", form=form, target=target, target_type=target_type, kind=kind, back=back
    ), status
