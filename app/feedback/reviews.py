"""Asking for a critical friend, the review with its scoring grid, the aggregate and its CSV."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from methodbook import entries, feedback, permissions
from methodbook.errors import Forbidden, ValidationError
from methodbook.models import LANGUAGES, CriteriaSet, FeedbackRequest, Review, Revision

from ..db import db_session
from ..forms_stash import load_stash
from ..forms_util import ConfirmForm, apply_errors, csv_download, translate
from ..login import viewer
from ..methods.routes import page_arg
from ..security import keeps_form, public
from . import bp
from .common import criterion_name, or_404, send_pending_mail, set_name, today
from .forms import ActedForm, RequestForm, ReviewForm
from .threads import _entry_or_404, _stashed_form

PER_PAGE = 20


def _request_or_404(request_id: int, with_reviews: bool = False) -> FeedbackRequest:
    req = or_404(feedback.get_request, request_id, with_reviews)
    if not permissions.can_view_request(viewer(), req):
        abort(404)
    return req


def _criteria_choices() -> list[tuple[int, str]]:
    return [(s.id, set_name(s)) for s in feedback.criteria_sets(db_session())]


@bp.route("/methods/<slug>/feedback/new", methods=["GET", "POST"])
@keeps_form
def new_request(slug: str):
    """The author asks for critical friends: a question, named reviewers, a closing day."""
    entry = _entry_or_404(slug)
    user = viewer()
    if not permissions.can_request_feedback(user, entry):
        abort(403)
    form = _stashed_form(RequestForm) or RequestForm()
    session = db_session()
    admin = permissions.is_admin(user)
    if admin:
        form.criteria_set.choices = _criteria_choices()
    if request.method == "POST" and form.validate():
        chosen = session.get(CriteriaSet, form.criteria_set.data) if admin and form.criteria_set.data else None
        try:
            req = feedback.request_feedback(
                session, entry, user, form.question.data, (form.reviewers.data or "").split(","),
                form.closes_on.data, today(), chosen,
            )  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            session.commit()
            send_pending_mail()
            flash(_("Your request is open. Members can now review your entry."), "success")
            return redirect(url_for("feedback.request_page", request_id=req.id))
    status = 400 if request.method == "POST" else 200
    return render_template("feedback/request_form.html", entry=entry, form=form, admin=admin), status


@bp.get("/feedback")
@public
def needs_friend():
    """“Needs a critical friend”: open requests, newest or closing soonest first."""
    language = request.args.get("language", "") if request.args.get("language") in LANGUAGES else ""
    tag = request.args.get("tag", "").strip().lower()[:60]
    sort = "closing" if request.args.get("sort") == "closing" else "newest"
    page = page_arg()
    query = feedback.open_requests(today(), language, tag, sort, viewer())
    items, total = entries.paginate(db_session(), query, page, PER_PAGE)
    return render_template(
        "feedback/needs_friend.html", items=items, total=total, page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), language=language, tag=tag, sort=sort,
        languages=LANGUAGES, tags=entries.tag_counts(db_session(), 30, viewer()),
    )  # fmt: skip


@bp.get("/feedback/<int:request_id>")
@public
def request_page(request_id: int):
    """A request: its question and grid; for the author the aggregate and every review."""
    req = _request_or_404(request_id, with_reviews=True)
    user = viewer()
    manager = permissions.can_manage_request(user, req)
    own = feedback.review_of(db_session(), req, user) if user else None
    revisions = []
    if manager:
        query = select(Revision.number, Revision.message).where(Revision.entry_id == req.entry_id)
        revisions = list(db_session().execute(query.order_by(Revision.number.desc())))
    return render_template(
        "feedback/request.html", req=req, manager=manager, own=own,
        can_review=permissions.can_review(user, req) and feedback.is_open(req, today()),
        summary=feedback.aggregate(req) if manager or req.aggregate_public else None,
        reviews=req.reviews if manager else [], revisions=revisions, acted_form=ActedForm(), confirm=ConfirmForm(),
        criteria_sets=_criteria_choices() if permissions.is_admin(user) and not req.reviews else [],
    )  # fmt: skip


@bp.route("/feedback/<int:request_id>/review", methods=["GET", "POST"])
@keeps_form
def review(request_id: int):
    """Write or change one's review: a score 1–5 per criterion, and the two required answers."""
    req = _request_or_404(request_id)
    user, session = viewer(), db_session()
    if permissions.is_editor_of(user, req.entry):
        flash(_("You cannot review your own entry."), "error")
        return redirect(url_for("feedback.request_page", request_id=req.id))
    if not feedback.is_open(req, today()):
        flash(_("This request is closed and takes no more reviews."), "error")
        return redirect(url_for("feedback.request_page", request_id=req.id)), 303
    own = feedback.review_of(session, req, user)
    stash = load_stash(request.path, request.args.get("restore")) if request.method == "GET" else None
    values = {}
    if stash is not None:
        flash(_("Here is the text you wrote before your session ended. Check it and send it again."), "warning")
        form = ReviewForm(formdata=MultiDict([(k, v) for k, vs in stash.items() for v in vs]))
        values = {k: vs[0] for k, vs in stash.items() if vs}
    elif request.method == "POST":
        form = ReviewForm()
        values = request.form.to_dict()
    elif own is not None:
        form = ReviewForm(works_well=own.works_well, could_be_better=own.could_be_better)
        for row in own.scores:
            values[f"score_{row.criterion_id}"], values[f"comment_{row.criterion_id}"] = str(row.score), row.comment
    else:
        form = ReviewForm()
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.validate():
        scores = {c.id: feedback.ScoreInput(values.get(f"score_{c.id}"), values.get(f"comment_{c.id}", ""))
                  for c in req.criteria_set.criteria}  # fmt: skip
        try:
            feedback.submit_review(session, req, user, scores, form.works_well.data, form.could_be_better.data, today())
        except ValidationError as exc:
            errors = apply_errors(form, exc)
        except Forbidden:
            abort(403)
        else:
            session.commit()
            send_pending_mail()
            flash(_("Thank you for your review.") if own is None else _("Your review is updated."), "success")
            return redirect(url_for("feedback.request_page", request_id=req.id))
    status = 400 if request.method == "POST" else 200
    extra = [
        (f"{key}-1" if key.startswith("score_") else key, f"{criterion_name(c)}: {' '.join(errors[key])}")
        for c in req.criteria_set.criteria
        for key in (f"score_{c.id}", f"comment_{c.id}")
        if key in errors
    ]
    return render_template(
        "feedback/review_form.html", req=req, form=form, values=values, errors=errors, own=own, extra=extra
    ), status


def _managed_or_403(request_id: int) -> FeedbackRequest:
    req = _request_or_404(request_id)
    if not permissions.can_manage_request(viewer(), req):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return req


@bp.post("/feedback/<int:request_id>/close")
def close_request(request_id: int):
    """The author stops taking reviews."""
    req = _managed_or_403(request_id)
    feedback.close_request(req, viewer())
    db_session().commit()
    flash(_("The request is closed."), "success")
    return redirect(url_for("feedback.request_page", request_id=req.id))


@bp.post("/feedback/<int:request_id>/visibility")
def set_visibility(request_id: int):
    """The author shows the aggregate grid on the entry page, or takes it away."""
    req = _managed_or_403(request_id)
    public_now = request.form.get("public") == "1"
    feedback.set_aggregate_public(req, viewer(), public_now)
    db_session().commit()
    flash(_("The scores are now shown on the entry.") if public_now else _("The scores are no longer shown on the entry."),
          "success")  # fmt: skip
    return redirect(url_for("feedback.request_page", request_id=req.id))


@bp.post("/feedback/<int:request_id>/criteria")
def set_criteria(request_id: int):
    """An admin chooses another scoring grid before any review is in."""
    req = _request_or_404(request_id)
    if not permissions.is_admin(viewer()):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    value = request.form.get("criteria_set", "")
    chosen = db_session().get(CriteriaSet, int(value)) if value.isdecimal() else None
    if chosen is None:
        abort(400)
    try:
        feedback.set_criteria_set(req, viewer(), chosen)
    except ValidationError as exc:
        flash(translate(next(iter(exc.errors.values()))[0]), "error")
    else:
        db_session().commit()
        flash(_("The request now uses “%(name)s”.", name=set_name(chosen)), "success")
    return redirect(url_for("feedback.request_page", request_id=req.id))


@bp.get("/feedback/<int:request_id>/reviews.csv")
def reviews_csv(request_id: int):
    """Every review, one row per criterion, for a spreadsheet."""
    req = _request_or_404(request_id, with_reviews=True)
    if not permissions.can_manage_request(viewer(), req):
        abort(403)
    headers = {
        "request": _("Request"), "reviewer": _("Reviewer"), "criterion": _("Criterion"), "score": _("Score"),
        "comment": _("Comment"), "works_well": _("What works well"), "could_be_better": _("What could be better"),
        "date": _("Date"),
    }  # fmt: skip
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    body = feedback.reviews_csv(req, headers, criterion_name, zone)
    return csv_download(body, f"dela-feedback-{req.entry.slug}-{req.id}.csv")


@bp.post("/reviews/<int:review_id>/acted")
def acted(review_id: int):
    """The author marks a review as acted upon in a revision of the entry (or clears the mark)."""
    review_row = db_session().get(Review, review_id)
    if review_row is None or not permissions.can_view_request(viewer(), review_row.request):
        abort(404)
    if not permissions.can_manage_request(viewer(), review_row.request):
        abort(403)
    form = ActedForm()
    if not form.validate_on_submit():
        abort(400)
    value = form.revision.data or ""
    try:
        feedback.mark_acted_upon(db_session(), review_row, viewer(), int(value) if value.isdecimal() else None)
    except ValidationError as exc:
        flash(translate(next(iter(exc.errors.values()))[0]), "error")
    else:
        db_session().commit()
        flash(_("Saved."), "success")
    return redirect(url_for("feedback.request_page", request_id=review_row.request_id, _anchor=f"review-{review_id}"))
