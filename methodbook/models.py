"""SQLAlchemy models of accounts and the method book."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from .db import Base, UTCDateTime, utcnow

ROLES = ("member", "facilitator", "admin")
KINDS = ("method", "template", "plan", "write-up")
LANGUAGES = ("sv", "da", "no", "en")
UI_LANGUAGES = ("sv", "da", "en")
PHASES = ("before", "during", "after", "any")
STATUSES = ("draft", "published")
# Who an entry is for: fixed keys, so a filter works across languages; labels are translated.
AUDIENCE_ROLES = (
    "municipal-staff",
    "librarians",
    "teachers",
    "culture-workers",
    "communicators",
    "project-coordinators",
    "facilitators",
    "managers",
    "experts",
    "local-stakeholders",
    "elected-officials",
    "volunteers",
)
DEFAULT_LICENCE = "CC BY 4.0"


def new_token() -> str:
    """Return a fresh random token for sessions and links."""
    return secrets.token_urlsafe(32)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default="member")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="sv")
    # The public profile: what it shows is the member's choice, and nothing by default.
    show_organisation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    show_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The content languages the member works in, as codes separated by commas (sv,da).
    work_languages: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # The personal feed marks what came after the member's last look at it.
    feed_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The e-mail digest of what the member follows: "off" (the default), "daily" or "weekly".
    digest: Mapped[str] = mapped_column(String(10), default="off", server_default="off")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changing it ends every session and remember-me cookie of the user.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    # The attributes a login manager expects of a user object (duck-typed, no import).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_facilitator(self) -> bool:
        return self.role in ("facilitator", "admin")

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Invite(Base):
    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class PasswordReset(Base):
    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


entry_editor = Table(
    "entry_editor",
    Base.metadata,
    Column("entry_id", ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class Entry(Base):
    __tablename__ = "entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    language: Mapped[str] = mapped_column(String(5), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    when: Mapped[str] = mapped_column(Text, default="")
    digital: Mapped[str] = mapped_column(Text, default="")
    duration_min: Mapped[int | None] = mapped_column(Integer)
    duration_max: Mapped[int | None] = mapped_column(Integer)
    group_min: Mapped[int | None] = mapped_column(Integer)
    group_max: Mapped[int | None] = mapped_column(Integer)
    materials: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[str] = mapped_column(String(10), default="any")
    licence: Mapped[str] = mapped_column(String(100), default=DEFAULT_LICENCE)
    authors: Mapped[list] = mapped_column(JSON, default=list)
    body: Mapped[str] = mapped_column(Text, default="")
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="SET NULL"), index=True)
    # A write-up tells what came out of one meeting; the meeting's network is then the entry's.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    # A remix ("my own version") names the entry it was adapted from, by address as content/ files do.
    derived_from: Mapped[str] = mapped_column(String(120), default="", server_default="", index=True)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    network: Mapped[Network | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship(foreign_keys=[meeting_id])
    editors: Mapped[list[User]] = relationship(secondary=entry_editor, order_by="User.id")
    # Loaded on access; list queries ask for them with selectinload where they are shown.
    tag_rows: Mapped[list[EntryTag]] = relationship(order_by="EntryTag.position", cascade="all, delete-orphan")
    role_rows: Mapped[list[EntryRole]] = relationship(order_by="EntryRole.position", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.position", cascade="all, delete-orphan")
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="entry", order_by="Revision.number", cascade="all, delete-orphan"
    )
    method_uses: Mapped[list[MethodUse]] = relationship(order_by="MethodUse.position", cascade="all, delete-orphan")
    current_revision: Mapped[Revision | None] = relationship(
        primaryjoin=lambda: and_(foreign(Revision.entry_id) == Entry.id, Revision.number == Entry.revision_number),
        viewonly=True,
        uselist=False,
    )

    @property
    def tags(self) -> list[str]:
        return [row.name for row in self.tag_rows]

    @property
    def roles(self) -> list[str]:
        return [row.name for row in self.role_rows]

    @property
    def methods_used(self) -> list[str]:
        return [use.method_slug for use in self.method_uses]

    @property
    def is_published(self) -> bool:
        return self.status == "published" and self.deleted_at is None

    def __repr__(self) -> str:
        return f"<Entry {self.slug} r{self.revision_number}>"


class MethodUse(Base):
    """A method (or template, or plan) that a write-up says its meeting used."""

    __tablename__ = "method_use"
    __table_args__ = (UniqueConstraint("writeup_id", "method_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    writeup_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    # By address, as in the write-up's text and content/ files; a renamed method's uses follow it
    # (entries.update_entry), and an import can name methods that come later in the same run.
    method_slug: Mapped[str] = mapped_column(String(120), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class EntryTag(Base):
    __tablename__ = "entry_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(60), index=True)


class EntryRole(Base):
    __tablename__ = "entry_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(40), index=True)


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(120))


class Revision(Base):
    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Every field of the entry as saved, attachments included, so a restore is exact.
    data: Mapped[dict] = mapped_column(JSON)
    body_html: Mapped[str] = mapped_column(Text, default="")
    renderer_version: Mapped[int] = mapped_column(Integer, default=0)

    entry: Mapped[Entry] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()


class FormStash(Base):
    """Text a user typed that could not be saved (expired session), kept to offer back."""

    __tablename__ = "form_stash"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    path: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SearchQueue(Base):
    """An entry whose index document must be refreshed; written in the same transaction as the change."""

    __tablename__ = "search_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- Feedback: threads, critical-friend reviews, notifications, moderation -------------------

NOTIFICATION_KINDS = (
    "comment_reply",
    "entry_comment",
    "review",
    "named_reviewer",
    "new_meeting",
    "waitlist_promoted",
    "meeting_message",
    "membership",
    "gallery_removal",
)
REPORT_TARGETS = ("comment", "review", "entry")


class Comment(Base):
    """A comment in an entry's feedback thread; a reply has a parent (one level deep)."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    # A reply to a reply is stored under the top comment and quotes the reply it answers.
    quoted_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    # Any change to the comment, so cached entry pages know the thread moved on.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship()
    author: Mapped[User | None] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    quoted: Mapped[Comment | None] = relationship(remote_side=[id], foreign_keys=[quoted_id])
    edits: Mapped[list[CommentEdit]] = relationship(order_by="CommentEdit.id", cascade="all, delete-orphan")

    @property
    def is_removed(self) -> bool:
        return self.deleted_at is not None


class CommentEdit(Base):
    """The text a comment had before an edit, kept for moderators."""

    __tablename__ = "comment_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CriteriaSet(Base):
    """A scoring grid: the criteria a structured review scores from 1 to 5."""

    __tablename__ = "criteria_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Built-in sets have a key and translated labels; admins' own sets are shown as written.
    key: Mapped[str | None] = mapped_column(String(40), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="criteria_set", order_by="Criterion.position", cascade="all, delete-orphan"
    )


class Criterion(Base):
    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    key: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(300), default="")

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="criteria")


feedback_reviewer = Table(
    "feedback_reviewer",
    Base.metadata,
    Column("request_id", ForeignKey("feedback_request.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class FeedbackRequest(Base):
    """An author asking for critical friends on an entry."""

    __tablename__ = "feedback_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id"))
    question: Mapped[str] = mapped_column(Text)
    # The last day reviews are taken (inclusive, in the site's time zone); none means until closed.
    closes_on: Mapped[date | None] = mapped_column(Date, index=True)
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    aggregate_public: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship()
    requested_by: Mapped[User | None] = relationship()
    criteria_set: Mapped[CriteriaSet] = relationship()
    reviewers: Mapped[list[User]] = relationship(secondary=feedback_reviewer, order_by="User.id")
    reviews: Mapped[list[Review]] = relationship(
        back_populates="request", order_by="Review.created_at", cascade="all, delete-orphan"
    )


class Review(Base):
    """One reviewer's structured review on a request."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("request_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("feedback_request.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    works_well: Mapped[str] = mapped_column(Text)
    could_be_better: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acted_revision: Mapped[int | None] = mapped_column(Integer)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")

    request: Mapped[FeedbackRequest] = relationship(back_populates="reviews")
    reviewer: Mapped[User | None] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(cascade="all, delete-orphan", order_by="ReviewScore.id")


class ReviewScore(Base):
    __tablename__ = "review_score"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[Criterion] = relationship()


class Notification(Base):
    """Something that happened that a member should hear about, shown in their in-app list."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # What it is about, as words to show and a path on this site to open.
    subject: Mapped[str] = mapped_column(String(200), default="")
    path: Mapped[str] = mapped_column(String(300), default="")
    # A message written to the member (a coordinator to a meeting's participants); plain text.
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class NotificationSetting(Base):
    """A member's choice for one kind of notification; no row means both on."""

    __tablename__ = "notification_setting"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)


class Report(Base):
    """A member telling moderators that a comment or review needs a look."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer, index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(String(20), default="")

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])


class AuditEvent(Base):
    """A moderation action, kept so it can be reviewed later."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


# --- Networks and meetings -------------------------------------------------------------------

NETWORK_VISIBILITIES = ("public", "members")
JOIN_POLICIES = ("open", "request")
MEMBERSHIP_ROLES = ("member", "coordinator")
MEETING_FORMATS = ("network-meeting", "moven-talk", "fika", "walkshop", "user-meeting", "workshop", "other")
REGISTRATION_STATUSES = ("registered", "waitlisted", "cancelled")
FOLLOW_TARGETS = ("network", "entry", "tag", "member")


class Network(Base):
    """A network of practitioners: its members meet, share entries and may keep them to themselves."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    # "members": its entries and meetings are seen by its members only.
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    join_policy: Mapped[str] = mapped_column(String(10), default="open")
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/Stockholm")
    # A list of who shared most this term on the network page; off unless the coordinators turn it on.
    leaderboard: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The secret part of the calendar feed that carries members-only meetings is per member (Membership).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="network", cascade="all, delete-orphan", order_by="Membership.id"
    )

    @property
    def members_only(self) -> bool:
        return self.visibility == "members"


class Membership(Base):
    """A person in a network: a member or a coordinator, active or waiting for approval."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("network_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    status: Mapped[str] = mapped_column(String(10), default="active")  # active or pending
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    network: Mapped[Network] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class ShareLink(Base):
    """A secret, revocable, expiring address where someone outside Dela can read a draft."""

    __tablename__ = "share_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped[Entry] = relationship()


DIGEST_PERIODS = ("off", "daily", "weekly")
FOLLOW_TARGETS = ("network", "entry", "tag", "member")


class DigestSent(Base):
    """One digest a member was sent, so a period never gets two."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("user_id", "period", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    period_key: Mapped[str] = mapped_column(String(20))  # 2026-12-06 for a day, 2026-W49 for a week
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Follow(Base):
    """Someone following a network, an entry, a tag or a member, to hear about what happens there."""

    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("user_id", "target_type", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(120), index=True)  # a network or entry id, a tag, a user id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Meeting(Base):
    """A meeting of a network: times in UTC, shown in the network's time zone."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    format: Mapped[str] = mapped_column(String(20), default="network-meeting")
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised on every change, so calendar programs replace the event (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    network: Mapped[Network] = relationship()
    created_by: Mapped[User | None] = relationship()
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Registration.id"
    )
    agenda: Mapped[list[AgendaBlock]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaBlock.position"
    )


class Registration(Base):
    """A member's place at a meeting, or on its waitlist (in order of registration)."""

    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    on_participant_list: Mapped[bool] = mapped_column(Boolean, default=False)
    # When this registration (re)joined: the waitlist order.
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None] = mapped_column(Boolean)

    meeting: Mapped[Meeting] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship()


class AgendaBlock(Base):
    """One block of a meeting's agenda: a method-book entry or a free item, with its length."""

    __tablename__ = "agenda_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[int] = mapped_column(Integer)
    facilitator: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    entry: Mapped[Entry | None] = relationship()


class CalendarFeed(Base):
    """The secret address of a member's private calendar feed (members-only meetings included)."""

    __tablename__ = "calendar_feed"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    # Kept readable so the page can show the address again; a reset replaces it.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- Idea books ------------------------------------------------------------------------------

GALLERY_ITEM_KINDS = ("image", "quote", "video")


class Gallery(Base):
    """An idea book: what a meeting (or a write-up without a meeting) produced, item by item."""

    __tablename__ = "gallery"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), unique=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), unique=True)
    # The item shown first and on the meeting page; no foreign key, so removing the item needs no care.
    cover_item_id: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Any change to the idea book or its items, so cached pages that show it know.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting | None] = relationship()
    entry: Mapped[Entry | None] = relationship()
    items: Mapped[list[GalleryItem]] = relationship(
        back_populates="gallery", order_by="GalleryItem.position", cascade="all, delete-orphan"
    )


class GalleryItem(Base):
    """An image, a quote or a video link in an idea book, with its caption."""

    __tablename__ = "gallery_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    gallery_id: Mapped[int] = mapped_column(ForeignKey("gallery.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    caption: Mapped[str] = mapped_column(Text, default="")
    # Images: shown only once described (alt text), stored stripped of metadata in three sizes.
    alt_text: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    original_sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    display_sha256: Mapped[str] = mapped_column(String(64), default="")
    thumb_sha256: Mapped[str] = mapped_column(String(64), default="")
    content_type: Mapped[str] = mapped_column(String(40), default="")
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int | None] = mapped_column(Integer)
    # Quotes
    quote: Mapped[str] = mapped_column(Text, default="")
    attribution: Mapped[str] = mapped_column(String(200), default="")
    # Video links: a card with the title the uploader gave and the host; never an embedded player.
    url: Mapped[str] = mapped_column(String(500), default="")
    link_title: Mapped[str] = mapped_column(String(200), default="")
    host: Mapped[str] = mapped_column(String(200), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # When the uploader confirmed that the people shown agreed to be shown.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gallery: Mapped[Gallery] = relationship(back_populates="items")
    added_by: Mapped[User | None] = relationship()
    removal_requests: Mapped[list[RemovalRequest]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="RemovalRequest.id"
    )

    @property
    def described(self) -> bool:
        return self.kind != "image" or bool(self.alt_text.strip())


class RemovalRequest(Base):
    """Someone asking for a gallery item to be taken down ("remove me from this")."""

    __tablename__ = "removal_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("gallery_item.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a manager decides to keep the item; removing it deletes the request with it.
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[GalleryItem] = relationship(back_populates="removal_requests")
    requester: Mapped[User | None] = relationship()
