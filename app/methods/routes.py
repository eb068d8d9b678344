"""Reading the method book: list, entry page, history, diffs, attachments, trash."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from methodbook import entries, feedback, following, galleries, meetings, permissions, remixes, sharing, writeups
from methodbook.attachments import blob_path
from methodbook.errors import NotFound
from methodbook.models import KINDS, LANGUAGES, Attachment, Entry, Revision
from methodbook.render import RENDERER_VERSION

from ..cache import fragments
from ..db import db_session
from ..feedback.threads import thread_context
from ..i18n import current_language
from ..login import viewer
from ..security import public
from . import bp

PER_PAGE = 20


def entry_or_404(slug: str) -> Entry:
    """Return the entry if the viewer may see it; 404 otherwise, so drafts do not leak."""
    try:
        entry = entries.get_entry(db_session(), slug)
    except NotFound:
        abort(404)
    if not permissions.can_view(viewer(), entry):
        abort(404)
    return entry


def page_arg() -> int:
    """Read ?page= as a positive number."""
    value = request.args.get("page", "1")
    return max(int(value), 1) if value.isdecimal() else 1


@bp.get("/methods")
@public
def index():
    """List entries, newest first, filtered by kind, language and tag."""
    kind = request.args.get("kind", "") if request.args.get("kind") in KINDS else ""
    language = request.args.get("language", "") if request.args.get("language") in LANGUAGES else ""
    tag = request.args.get("tag", "").strip()[:60]
    drafts = request.args.get("drafts") == "1" and viewer() is not None
    query = entries.filter_entries(entries.visible_entries(viewer(), drafts=drafts), kind, language, tag)
    query = query.order_by(Entry.created_at.desc(), Entry.id.desc())
    page = page_arg()
    items, total = entries.paginate(db_session(), query, page, PER_PAGE)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template(
        "methods/index.html", items=items, total=total, page=page, pages=pages,
        comment_counts=feedback.comment_counts(db_session(), [e.id for e in items]),
        used_counts=writeups.usage_counts(db_session(), [e.slug for e in items], viewer()),
        follows_tag=bool(tag) and following.is_following(db_session(), viewer(), "tag", " ".join(tag.lower().split())),
        kind=kind, language=language, tag=tag, drafts=drafts,
        kinds=KINDS, languages=LANGUAGES, tags=entries.tag_counts(db_session(), 40, viewer()),
    )  # fmt: skip


def rendered_body(revision) -> str:
    """Return a revision's HTML, storing it when it had to be rendered (after an import)."""
    if revision is None:
        return ""
    html = entries.revision_html(revision)
    if db_session().is_modified(revision):
        db_session().commit()
    return html


@bp.get("/methods/<slug>")
@public
def view(slug: str):
    """Show an entry: its fields, rendered text and attachments (visitors' pages: app.pagecache)."""
    entry = entry_or_404(slug)
    editable = permissions.can_edit(viewer(), entry)

    def render_article() -> str:
        body_html = rendered_body(entry.current_revision)
        return render_template("methods/_article.html", entry=entry, body_html=body_html, editable=editable)

    key = ("entry", entry.id, entry.revision_number, RENDERER_VERSION, current_language(), editable)
    article = fragments().get_or_render(key, render_article)
    return render_template(
        "methods/view.html", entry=entry, article=article, **thread_context(entry), **meeting_context(entry)
    )


def meeting_context(entry: Entry) -> dict:
    """A write-up's meeting, methods and idea book; for other entries, the meetings that used them; remixes."""
    session, user = db_session(), viewer()
    lineage = {
        "original": remixes.original_of(session, entry, user),
        "adaptations": remixes.adaptations(session, entry, user),
        "may_remix": remixes.may_remix(user, entry),
        "follows_entry": following.is_following(session, user, "entry", str(entry.id)),
        "share_links": sharing.links_of(session, entry) if permissions.can_edit(user, entry) else [],
    }
    if entry.kind != "write-up":
        return {"usage": writeups.usage(session, entry, user), **lineage}
    meeting = entry.meeting if entry.meeting is not None and meetings.can_see(user, entry.meeting) else None
    named = entries.visible_entries(user).where(Entry.slug.in_(entry.methods_used)) if entry.methods_used else None
    found = {e.slug: e for e in session.scalars(named)} if named is not None else {}
    gallery = galleries.of_entry(session, entry)
    return {
        "writeup_meeting": meeting,
        "methods": [found[slug] for slug in entry.methods_used if slug in found],
        "gallery": gallery if gallery is not None and galleries.can_view(user, gallery) else None,
        "gallery_cover": galleries.cover(gallery) if gallery is not None else None,
        "may_start_gallery": gallery is None and galleries.may_create_for_entry(user, entry),
        **lineage,
    }


@bp.get("/shared/<token>")
@public
def shared(token: str):
    """A draft (or any entry) read through a share link: read-only, never indexed or cached."""
    try:
        entry = sharing.open_link(db_session(), token)
    except NotFound:
        abort(404)
    body_html = rendered_body(entry.current_revision)
    article = render_template("methods/_article.html", entry=entry, body_html=body_html, editable=False)
    response = current_app.make_response(render_template("methods/shared.html", entry=entry, article=article))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/methods/<slug>/history")
@public
def history(slug: str):
    """List every revision, with a form to compare two."""
    entry = entry_or_404(slug)
    revisions = list(
        db_session().scalars(select(Revision).where(Revision.entry_id == entry.id).order_by(Revision.number.desc()))
    )
    return render_template("methods/history.html", entry=entry, revisions=revisions)


@bp.get("/methods/<slug>/revisions/<int:number>")
@public
def revision(slug: str, number: int):
    """Show an old revision as it was."""
    entry = entry_or_404(slug)
    try:
        rev = entries.get_revision(db_session(), entry, number)
    except NotFound:
        abort(404)
    return render_template("methods/revision.html", entry=entry, rev=rev, body_html=rendered_body(rev))


@bp.get("/methods/<slug>/diff")
@public
def diff(slug: str):
    """Compare two revisions field by field."""
    entry = entry_or_404(slug)
    a, b = request.args.get("a", ""), request.args.get("b", "")
    if not (a.isdecimal() and b.isdecimal()):
        flash(_("Choose two revisions to compare."), "info")
        return redirect(url_for("methods.history", slug=slug))
    try:
        old, new = (entries.get_revision(db_session(), entry, int(n)) for n in sorted((int(a), int(b))))
    except NotFound:
        abort(404)
    changes = entries.diff_snapshots(old.data, new.data)
    return render_template("methods/diff.html", entry=entry, old=old, new=new, changes=changes)


@bp.get("/methods/<slug>/attachments/<int:attachment_id>/<path:filename>")
@public
def attachment(slug: str, attachment_id: int, filename: str):
    """Download an attachment, always as a file, never shown inline."""
    entry = entry_or_404(slug)
    row = db_session().get(Attachment, attachment_id)
    if row is None or row.entry_id != entry.id:
        abort(404)
    path = blob_path(Path(current_app.config["UPLOAD_DIR"]), row.sha256)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename, max_age=3600)


@bp.get("/trash")
def trash():
    """List entries in the trash (admins)."""
    if not permissions.is_admin(viewer()):
        abort(403)
    items = list(
        db_session().scalars(select(Entry).where(Entry.deleted_at.is_not(None)).order_by(Entry.deleted_at.desc()))
    )
    return render_template("methods/trash.html", items=items)


@bp.post("/trash/<slug>/restore")
def untrash(slug: str):
    """Bring an entry back from the trash (admins)."""
    try:
        entry = entries.get_entry(db_session(), slug)
    except NotFound:
        abort(404)
    if not permissions.can_restore_from_trash(viewer(), entry):
        abort(404 if entry.deleted_at is None else 403)
    entries.untrash_entry(entry)
    db_session().commit()
    flash(_("“%(title)s” is back in the method book.", title=entry.title), "success")
    return redirect(url_for("methods.view", slug=entry.slug))
