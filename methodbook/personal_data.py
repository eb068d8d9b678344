"""A member's personal data: everything Dela holds about them, as data to download, and account deletion.

``export`` gathers every kind of thing a member can create or choose, as plain data, with the files
they uploaded. ``delete_account`` removes the person: their account row goes (foreign keys set
their content's author to nobody or delete what only concerns them), their name is taken out of
entries' author lists and revisions, and what they typed into forms about themselves (notes,
contacts) goes with them. Published content stays, attributed to a former member; on request their
unpublished drafts and their comments go too. The deletion is logged without personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from .db import utcnow
from .errors import ValidationError
from .feedback import delete_comment
from .i18n import N_
from .meetings import cancel_registration
from .models import (
    AuditEvent,
    CalendarFeed,
    Comment,
    DigestSent,
    Entry,
    FeedbackRequest,
    Follow,
    GalleryItem,
    Meeting,
    Membership,
    Notification,
    NotificationSetting,
    Registration,
    RemovalRequest,
    Report,
    Review,
    Revision,
    ShareLink,
    User,
    entry_editor,
)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass
class ExportFile:
    """A stored file to put in the download: where in the ZIP, and its hash in the store."""

    path: str
    sha256: str


def export(session: Session, user: User) -> tuple[dict, list[ExportFile]]:
    """Everything Dela holds about the member and what they made, and the files they uploaded."""
    edited = select(entry_editor.c.entry_id).where(entry_editor.c.user_id == user.id)
    own_entries = list(
        session.scalars(
            select(Entry).where(or_(Entry.created_by_id == user.id, Entry.id.in_(edited))).order_by(Entry.id)
        )
    )
    files: list[ExportFile] = []
    entries_data = []
    for entry in own_entries:
        entries_data.append({
            "slug": entry.slug, "title": entry.title, "kind": entry.kind, "status": entry.status,
            "created_by_you": entry.created_by_id == user.id, "created_at": _when(entry.created_at),
            "deleted_at": _when(entry.deleted_at),
            "attachments": [a.filename for a in entry.attachments],
        })  # fmt: skip
        if entry.created_by_id == user.id:
            files += [ExportFile(f"files/entries/{entry.slug}/{a.filename}", a.sha256) for a in entry.attachments]
    revisions = [
        {
            "entry": r.entry.slug,
            "number": r.number,
            "message": r.message,
            "created_at": _when(r.created_at),
            "data": r.data,
        }
        for r in session.scalars(select(Revision).where(Revision.author_id == user.id).order_by(Revision.id))
    ]
    comments = [
        {"entry": c.entry.slug, "id": c.id, "body": c.body, "created_at": _when(c.created_at),
         "edited_at": _when(c.edited_at), "removed": c.is_removed, "earlier_versions": [e.body for e in c.edits]}
        for c in session.scalars(select(Comment).where(Comment.author_id == user.id).order_by(Comment.id))
    ]  # fmt: skip
    reviews = [
        {"entry": r.request.entry.slug, "question": r.request.question, "works_well": r.works_well,
         "could_be_better": r.could_be_better, "created_at": _when(r.created_at),
         "scores": [{"criterion": s.criterion.name, "score": s.score, "comment": s.comment} for s in r.scores]}
        for r in session.scalars(select(Review).where(Review.reviewer_id == user.id).order_by(Review.id))
    ]  # fmt: skip
    requests = [
        {"entry": q.entry.slug, "question": q.question, "created_at": _when(q.created_at)}
        for q in session.scalars(select(FeedbackRequest).where(FeedbackRequest.requested_by_id == user.id))
    ]
    registrations = [
        {"meeting": r.meeting.title, "starts_at": _when(r.meeting.starts_at), "status": r.status, "note": r.note,
         "on_participant_list": r.on_participant_list, "attended": r.attended, "registered_at": _when(r.registered_at)}
        for r in session.scalars(select(Registration).where(Registration.user_id == user.id).order_by(Registration.id))
    ]  # fmt: skip
    memberships = [
        {"network": m.network.name, "role": m.role, "status": m.status, "joined_at": _when(m.created_at)}
        for m in session.scalars(select(Membership).where(Membership.user_id == user.id))
    ]
    follows = [
        {"type": f.target_type, "target": f.target, "since": _when(f.created_at)}
        for f in session.scalars(select(Follow).where(Follow.user_id == user.id).order_by(Follow.id))
    ]
    settings = [
        {"kind": s.kind, "in_app": s.in_app, "email": s.email}
        for s in session.scalars(select(NotificationSetting).where(NotificationSetting.user_id == user.id))
    ]
    notifications = [
        {"kind": n.kind, "subject": n.subject, "path": n.path, "body": n.body, "created_at": _when(n.created_at),
         "read_at": _when(n.read_at)}
        for n in session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    ]  # fmt: skip
    items = list(
        session.scalars(select(GalleryItem).where(GalleryItem.added_by_id == user.id).order_by(GalleryItem.id))
    )
    gallery_items = [
        {"idea_book": i.gallery_id, "kind": i.kind, "caption": i.caption, "alt_text": i.alt_text, "quote": i.quote,
         "attribution": i.attribution, "url": i.url, "title": i.link_title, "filename": i.filename,
         "added_at": _when(i.created_at)}
        for i in items
    ]  # fmt: skip
    files += [ExportFile(f"files/idea-books/{i.gallery_id}/{i.id}-{i.filename}", i.original_sha256)
              for i in items if i.kind == "image"]  # fmt: skip
    removal_requests = [
        {"item": r.item_id, "reason": r.reason, "contact": r.contact, "created_at": _when(r.created_at)}
        for r in session.scalars(select(RemovalRequest).where(RemovalRequest.requester_id == user.id))
    ]
    reports = [
        {"target_type": r.target_type, "target_id": r.target_id, "reason": r.reason, "created_at": _when(r.created_at)}
        for r in session.scalars(select(Report).where(Report.reporter_id == user.id))
    ]
    share_links = [
        {"entry": link.entry.slug, "created_at": _when(link.created_at), "expires_at": _when(link.expires_at),
         "revoked_at": _when(link.revoked_at)}
        for link in session.scalars(select(ShareLink).where(ShareLink.created_by_id == user.id))
    ]  # fmt: skip
    meetings = [
        {"title": m.title, "network": m.network.name, "starts_at": _when(m.starts_at)}
        for m in session.scalars(select(Meeting).where(Meeting.created_by_id == user.id))
    ]
    data = {
        "profile": {
            "email": user.email, "display_name": user.display_name, "organisation": user.organisation,
            "bio": user.bio, "role": user.role, "interface_language": user.language,
            "work_languages": user.work_languages, "show_organisation": user.show_organisation,
            "show_email": user.show_email, "digest": user.digest, "created_at": _when(user.created_at),
        },
        "entries": entries_data, "revisions": revisions, "comments": comments, "reviews": reviews,
        "feedback_requests": requests, "registrations": registrations, "memberships": memberships,
        "follows": follows, "notification_settings": settings, "notifications": notifications,
        "idea_book_items": gallery_items, "removal_requests": removal_requests, "reports": reports,
        "meetings_planned": meetings, "share_links": share_links,
        "calendar_feed": bool(session.get(CalendarFeed, user.id)),
        "digests_sent": [f"{d.period} {d.period_key}" for d in
                         session.scalars(select(DigestSent).where(DigestSent.user_id == user.id))],
    }  # fmt: skip
    return data, files


def last_coordinator_of(session: Session, user: User) -> list[str]:
    """Networks the member is the only active coordinator of (they must hand over first)."""
    names = []
    for row in session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.role == "coordinator")
    ):
        others = [
            m for m in row.network.memberships
            if m.role == "coordinator" and m.status == "active" and m.user_id != user.id
        ]  # fmt: skip
        if row.status == "active" and not others:
            names.append(row.network.name)
    return names


def _without(names: list[str], name: str, former: str) -> list[str]:
    return [former if n == name else n for n in names]


def delete_account(session: Session, user: User, former: str, drafts_and_comments: bool = False) -> None:
    """Remove the member and their personal data; published content stays, credited to ``former``."""
    blocking = last_coordinator_of(session, user)
    if blocking:
        raise ValidationError.single(
            "account", N_("Make someone else coordinator of %(networks)s first."), networks=", ".join(blocking)
        )
    now = utcnow()
    name = user.display_name
    for row in session.scalars(select(Registration).where(Registration.user_id == user.id)):
        if row.status != "cancelled":
            cancel_registration(session, row, user, now)  # frees the seat for the waitlist
    if drafts_and_comments:
        for comment in session.scalars(select(Comment).where(Comment.author_id == user.id)):
            delete_comment(comment, user)
        editors = select(entry_editor.c.entry_id).where(entry_editor.c.user_id != user.id)
        drafts = select(Entry).where(Entry.created_by_id == user.id, Entry.status == "draft", Entry.id.not_in(editors))
        for entry in session.scalars(drafts):
            session.delete(entry)
    # Their name in author lists (typed by anyone, so every entry is looked at) is personal data too;
    # the attribution becomes "a former member". Rare enough to read every entry and revision.
    for entry in session.scalars(select(Entry)):
        if name in (entry.authors or []):
            entry.authors = _without(list(entry.authors), name, former)
    for revision in session.scalars(select(Revision)):
        authors = (revision.data or {}).get("authors") or []
        if name in authors:
            revision.data = {**revision.data, "authors": _without(list(authors), name, former)}
    session.execute(update(RemovalRequest).where(RemovalRequest.requester_id == user.id).values(contact=""))
    session.execute(delete(Notification).where(Notification.user_id == user.id))
    session.flush()
    session.add(AuditEvent(actor_id=None, action="account_deleted", target_type="user", target_id=user.id))
    session.delete(user)
    session.flush()


# What Dela stores about people, table by table: the privacy page is built from this list, and a
# test checks that every table holding a reference to an account is in it.
@dataclass(frozen=True)
class Record:
    table: str
    what: str
    why: str
    kept: str


_UNTIL_DELETED = N_("Until you delete your account.")
INVENTORY = (
    Record("user_account", N_("Your e-mail address, name, organisation, what you write about yourself, languages, "
                              "password (only as a salted hash) and your choices for profile, digest and language."),
           N_("To let you log in, to credit what you share and to show the profile you choose."), _UNTIL_DELETED),
    Record("entry", N_("Entries you share: who started them and the author names they credit."),
           N_("The method book itself; entries are shared under the licence they name."),
           N_("Published entries stay after you leave, credited to a former member.")),
    Record("entry_editor", N_("Which entries you may edit."), N_("To let co-authors edit together."), _UNTIL_DELETED),
    Record("revision", N_("Who saved each revision of an entry."), N_("History: to compare and restore versions."),
           N_("As long as the entry; after you leave, without your name.")),
    Record("comment", N_("Your comments and their earlier versions."), N_("Feedback threads on entries."),
           N_("Until you remove them or delete your account with your comments.")),
    Record("comment_edit", N_("Earlier versions of your comments."), N_("So readers can see what changed."),
           N_("As long as the comment.")),
    Record("feedback_request", N_("Requests for critical friends you made."), N_("Structured feedback on entries."),
           N_("As long as the entry.")),
    Record("review", N_("Your critical-friend reviews and scores."), N_("Structured feedback on entries."),
           N_("As long as the entry; after you leave, without your name.")),
    Record("report", N_("Reports you made about comments or reviews, and who handled them."),
           N_("Moderation."), N_("As long as the reported text.")),
    Record("audit_event", N_("Moderation actions and who took them."), N_("Accountability of moderators."),
           N_("Kept; after a moderator leaves, without their name.")),
    Record("notification", N_("Your notifications, and who caused them."), N_("To tell you what happened."),
           _UNTIL_DELETED),
    Record("notification_setting", N_("Which notifications you want, in Dela and by e-mail."),
           N_("Your choice."), _UNTIL_DELETED),
    Record("membership", N_("The networks you belong to and your role in them."), N_("Members-only content and coordination."),
           N_("Until you leave the network or delete your account.")),
    Record("follow", N_("What you follow."), N_("Your feed and digest."), _UNTIL_DELETED),
    Record("digest_sent", N_("When a digest was sent to you."), N_("To send it at most once a period."), _UNTIL_DELETED),
    Record("calendar_feed", N_("The secret address of your calendar feed."), N_("Your calendar."), _UNTIL_DELETED),
    Record("meeting", N_("Meetings you planned."), N_("Network meetings."),
           N_("As long as the network; after you leave, without your name.")),
    Record("registration", N_("Your meeting registrations, notes to the coordinators, whether you are on the "
                              "participant list and attendance."), N_("Seats, waitlists and the participant list."),
           _UNTIL_DELETED),
    Record("agenda_block", N_("Who facilitates a part of a meeting, as the coordinators wrote it."),
           N_("The meeting's agenda."), N_("As long as the meeting.")),
    Record("gallery", N_("Who started an idea book."), N_("Idea books of meetings."), N_("As long as the idea book.")),
    Record("gallery_item", N_("Images, quotes and links you added, and when you confirmed that the people shown "
                              "agreed. Images are stored without any metadata (no location, no camera)."),
           N_("Idea books of meetings."), N_("Until removed; anyone shown can ask for removal.")),
    Record("removal_request", N_("Requests to remove an idea-book item, with the reason and contact you gave."),
           N_("To take down what someone does not want shown."), N_("Until the item is removed or kept.")),
    Record("feedback_reviewer", N_("Who was asked to be a critical friend on a request."),
           N_("To invite and notify the reviewers."), N_("As long as the request.")),
    Record("share_link", N_("Read-only links you made to your entries, and when they expire."),
           N_("To let someone outside Dela read a draft."), N_("Until the link expires or you revoke it.")),
    Record("invite", N_("Invitations an admin made, and who used them."), N_("Registration by invitation."),
           N_("Until the invitation is used or expires.")),
    Record("password_reset", N_("Password reset links."), N_("To let you choose a new password."),
           N_("24 hours.")),
)  # fmt: skip
