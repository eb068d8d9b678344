"""Recognition for sharing, derived from what happened and never stored: counts, earned marks, lists.

The counts are over published content; a mark only says that a threshold was reached, never what
the content was, so marks are the same for every viewer. "This term" is the current half-year
(January–June or July–December), the rhythm of most networks' meeting plans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .entries import network_filter
from .i18n import N_
from .models import Entry, Gallery, GalleryItem, MethodUse, Network, Review, User, entry_editor
from .writeups import usage_counts


@dataclass(frozen=True)
class Counts:
    entries: int
    templates: int
    reviews: int
    writeups: int
    gallery_items: int
    adapted: int  # published versions others made of the member's entries
    most_used: int  # the most meetings any one of the member's entries was used at


def _published(query):
    return query.where(Entry.status == "published", Entry.deleted_at.is_(None))


def counts(session: Session, user: User) -> Counts:
    edited = select(entry_editor.c.entry_id).where(entry_editor.c.user_id == user.id)
    mine = _published(select(Entry).where(or_(Entry.created_by_id == user.id, Entry.id.in_(edited))))
    own = list(session.scalars(mine))
    kinds = Counter(e.kind for e in own)
    slugs = [e.slug for e in own]
    adapted = 0
    most_used = 0
    if slugs:
        adapted = (
            session.scalar(
                _published(select(func.count()).select_from(Entry)).where(
                    Entry.derived_from.in_(slugs), or_(Entry.created_by_id.is_(None), Entry.created_by_id != user.id)
                )
            )
            or 0
        )
        # Over every published write-up: a mark tells only that the threshold was met.
        most_used = max(usage_counts(session, slugs, None, everyone=True).values(), default=0)
    reviews = (
        session.scalar(
            select(func.count()).select_from(Review).where(Review.reviewer_id == user.id, Review.hidden_at.is_(None))
        )
        or 0
    )
    items = (
        session.scalar(
            select(func.count())
            .select_from(GalleryItem)
            .join(Gallery, Gallery.id == GalleryItem.gallery_id)
            .where(GalleryItem.added_by_id == user.id, Gallery.published_at.is_not(None))
        )
        or 0
    )
    return Counts(
        entries=len(own), templates=kinds["template"], reviews=reviews, writeups=kinds["write-up"],
        gallery_items=items, adapted=adapted, most_used=most_used,
    )  # fmt: skip


@dataclass(frozen=True)
class Mark:
    key: str
    name: str
    rule: str
    earned: Callable[[Counts], bool]


MARKS = (
    Mark("first-share", N_("First share"), N_("Published a first entry in the method book."), lambda c: c.entries >= 1),
    Mark("first-template", N_("First template shared"), N_("Published a first template."), lambda c: c.templates >= 1),
    Mark("critical-friend", N_("Critical friend"), N_("Gave five critical-friend reviews."), lambda c: c.reviews >= 5),
    Mark("used-at-three", N_("Used at three meetings"),
         N_("One of your methods was used at three meetings, as their write-ups say."), lambda c: c.most_used >= 3),
    Mark("adapted", N_("Built upon"), N_("Someone else published their own version of an entry of yours."),
         lambda c: c.adapted >= 1),
    Mark("chronicler", N_("Chronicler"), N_("Published three meeting write-ups."), lambda c: c.writeups >= 3),
    Mark("idea-keeper", N_("Idea keeper"), N_("Added ten items to published idea books."), lambda c: c.gallery_items >= 10),
)  # fmt: skip


def earned(counts: Counts) -> list[Mark]:
    return [mark for mark in MARKS if mark.earned(counts)]


def term_start(now: datetime) -> datetime:
    return datetime(now.year, 1 if now.month <= 6 else 7, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Shared:
    entry: Entry
    uses: int  # meetings that used it this term, and versions made of it this term


def most_shared(session: Session, network: Network, viewer: User | None, now: datetime, limit: int = 5) -> list[Shared]:
    """The network's entries most used at meetings and most adapted this term."""
    since = term_start(now)
    scores: Counter = Counter()
    writeups = _published(select(Entry.id).where(Entry.kind == "write-up", Entry.published_at >= since))
    for slug, count in session.execute(
        select(MethodUse.method_slug, func.count())
        .where(MethodUse.writeup_id.in_(writeups))
        .group_by(MethodUse.method_slug)
    ):
        scores[slug] += count
    for slug, count in session.execute(
        _published(
            select(Entry.derived_from, func.count()).where(Entry.derived_from != "", Entry.published_at >= since)
        ).group_by(Entry.derived_from)
    ):
        scores[slug] += count
    if not scores:
        return []
    candidates = _published(select(Entry).where(Entry.slug.in_(list(scores)), Entry.network_id == network.id))
    found = list(session.scalars(candidates.where(network_filter(viewer))))
    ranked = sorted(found, key=lambda e: (-scores[e.slug], e.title))
    return [Shared(e, scores[e.slug]) for e in ranked[:limit]]


def leaderboard(session: Session, network: Network, now: datetime, limit: int = 5) -> list[tuple[User, int]]:
    """Who published most in the network this term (only shown when the network turned it on)."""
    if not network.leaderboard:
        return []
    query = (
        _published(select(User, func.count(Entry.id)).join(Entry, Entry.created_by_id == User.id))
        .where(Entry.network_id == network.id, Entry.published_at >= term_start(now), User.active.is_(True))
        .group_by(User.id)
        .order_by(func.count(Entry.id).desc(), User.display_name)
        .limit(limit)
    )
    return [(user, n) for user, n in session.execute(query)]
