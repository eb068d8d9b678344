"""Member profiles: what a member chose to show, and what they contributed that the viewer may see.

Organisation and e-mail address are hidden unless the member turns them on (the e-mail address
is then shown to signed-in members only, never to visitors or crawlers). Contributions are
counted over what the viewer may see, so a profile never tells of members-only work to outsiders.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from . import permissions
from .entries import network_filter, visible_entries
from .errors import Message, NotFound, ValidationError
from .i18n import N_
from .meetings import can_see
from .models import (
    LANGUAGES,
    UI_LANGUAGES,
    Entry,
    FeedbackRequest,
    Gallery,
    GalleryItem,
    Meeting,
    Membership,
    Network,
    Review,
    User,
    entry_editor,
)

MAX_NAME = 100
MAX_ORGANISATION = 200
MAX_BIO = 2000
LISTED_ENTRIES = 50


def get_person(session: Session, user_id: int) -> User:
    """An active member; former and blocked members have no profile."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(str(user_id))
    return user


def work_languages(user: User) -> list[str]:
    return [code for code in (user.work_languages or "").split(",") if code]


def update_profile(user: User, raw: dict) -> None:
    """Save what the member writes about themselves and chooses to show."""
    errors: dict[str, list[Message]] = {}
    name = " ".join(str(raw.get("display_name") or "").split())
    if not name or len(name) > MAX_NAME:
        errors["display_name"] = [Message(N_("Enter a name of 1 to 100 characters."))]
    organisation = " ".join(str(raw.get("organisation") or "").split())
    if len(organisation) > MAX_ORGANISATION:
        errors["organisation"] = [Message(N_("Keep this under %(limit)s characters (now %(n)s)."),
                                          {"limit": MAX_ORGANISATION, "n": len(organisation)})]  # fmt: skip
    bio = str(raw.get("bio") or "").replace("\r\n", "\n").strip()
    if len(bio) > MAX_BIO:
        errors["bio"] = [Message(N_("Keep this under %(limit)s characters (now %(n)s)."),
                                 {"limit": MAX_BIO, "n": len(bio)})]  # fmt: skip
    language = str(raw.get("language") or user.language)
    if language not in UI_LANGUAGES:
        errors["language"] = [Message(N_("Choose one of the interface languages."))]
    chosen = list(dict.fromkeys(str(code) for code in raw.get("work_languages") or []))
    if any(code not in LANGUAGES for code in chosen):
        errors["work_languages"] = [Message(N_("Choose among the languages offered."))]
    if errors:
        raise ValidationError(errors)
    user.display_name, user.organisation, user.bio, user.language = name, organisation, bio, language
    user.work_languages = ",".join(code for code in LANGUAGES if code in chosen)
    user.show_organisation = bool(raw.get("show_organisation"))
    user.show_email = bool(raw.get("show_email"))


def shows_organisation(viewer: User | None, person: User) -> bool:
    return bool(person.organisation) and (person.show_organisation or _is_self_or_admin(viewer, person))


def shows_email(viewer: User | None, person: User) -> bool:
    """Only to signed-in members, and only when the member chose it."""
    return viewer is not None and (person.show_email or _is_self_or_admin(viewer, person))


def _is_self_or_admin(viewer: User | None, person: User) -> bool:
    return viewer is not None and (viewer.id == person.id or permissions.is_admin(viewer))


@dataclass
class Contributions:
    """What a member gave, as far as the viewer may see it."""

    entries: list[Entry] = field(default_factory=list)
    by_kind: Counter = field(default_factory=Counter)
    reviews: int = 0
    gallery_items: int = 0
    meetings: list[Meeting] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)


def contributions(session: Session, person: User, viewer: User | None) -> Contributions:
    edited = select(entry_editor.c.entry_id).where(entry_editor.c.user_id == person.id)
    mine = or_(Entry.created_by_id == person.id, Entry.id.in_(edited))
    query = visible_entries(viewer).where(mine).order_by(Entry.updated_at.desc(), Entry.id.desc())
    listed = list(session.scalars(query.limit(LISTED_ENTRIES)))
    kinds = session.execute(
        select(Entry.kind, func.count()).where(
            mine, Entry.status == "published", Entry.deleted_at.is_(None), network_filter(viewer)
        ).group_by(Entry.kind)
    )  # fmt: skip
    reviews = session.scalar(
        select(func.count())
        .select_from(Review)
        .join(FeedbackRequest, FeedbackRequest.id == Review.request_id)
        .join(Entry, Entry.id == FeedbackRequest.entry_id)
        .where(Review.reviewer_id == person.id, Review.hidden_at.is_(None), Entry.deleted_at.is_(None),
               Entry.status == "published", network_filter(viewer))
    )  # fmt: skip
    items = session.scalars(
        select(Gallery)
        .join(GalleryItem, GalleryItem.gallery_id == Gallery.id)
        .where(GalleryItem.added_by_id == person.id, Gallery.published_at.is_not(None))
        .distinct()
    )
    gallery_items = 0
    for gallery in items:
        seen = (
            can_see(viewer, gallery.meeting)
            if gallery.meeting is not None
            else permissions.can_view(viewer, gallery.entry)
        )
        if seen:
            gallery_items += sum(1 for item in gallery.items if item.added_by_id == person.id and item.described)
    meetings = [
        meeting
        for meeting in session.scalars(
            select(Meeting).where(Meeting.created_by_id == person.id).order_by(Meeting.starts_at.desc()).limit(50)
        )
        if can_see(viewer, meeting)
    ]
    networks = [
        row.network
        for row in session.scalars(
            select(Membership).where(Membership.user_id == person.id, Membership.status == "active")
        )
        if not row.network.members_only or permissions.is_admin(viewer) or permissions.in_network(viewer, row.network)
    ]
    return Contributions(
        entries=listed, by_kind=Counter(dict(kinds.all())), reviews=reviews or 0, gallery_items=gallery_items,
        meetings=meetings, networks=sorted(networks, key=lambda n: n.name),
    )  # fmt: skip
