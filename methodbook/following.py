"""Following entries, tags, networks and members; the personal feed and the e-mail digest built from it.

A follow is a row (user, target type, target): a network or entry by id, a member by id, a tag by
its name. The feed gathers what changed in what a member follows, as far as they may see it, and
marks what came after their last visit. The digest sends the same, grouped by network and capped,
at most once a day or a week per member (``DigestSent`` records each one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from .db import utcnow
from .entries import visible_entries
from .errors import NotFound, ValidationError
from .i18n import N_
from .meetings import can_see
from .models import (
    DIGEST_PERIODS,
    FOLLOW_TARGETS,
    DigestSent,
    Entry,
    EntryTag,
    Follow,
    Meeting,
    Network,
    User,
    entry_editor,
)
from .networks import follow as add_follow
from .networks import follows
from .networks import unfollow as remove_follow

FEED_SIZE = 50
DIGEST_SIZE = 25
PERIOD_LENGTH = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def target_key(session: Session, target_type: str, target: str) -> str:
    """The stored form of a follow target; NotFound when it does not exist."""
    if target_type not in FOLLOW_TARGETS:
        raise NotFound(target_type)
    if target_type == "tag":
        name = " ".join(str(target).lower().split())[:60]
        if not name:
            raise NotFound("tag")
        return name
    if not str(target).isdecimal():
        raise NotFound(str(target))
    model = {"network": Network, "entry": Entry, "member": User}[target_type]
    if session.get(model, int(target)) is None:
        raise NotFound(str(target))
    return str(int(target))


def set_following(session: Session, user: User, target_type: str, target: str, on: bool) -> None:
    key = target_key(session, target_type, target)
    if target_type == "member" and key == str(user.id):
        raise ValidationError.single("target", N_("You cannot follow yourself."))
    (add_follow if on else remove_follow)(session, user, target_type, key)


def is_following(session: Session, user: User | None, target_type: str, target: str) -> bool:
    return follows(session, user, target_type, target)


@dataclass
class Followed:
    """What a member follows, resolved to the things themselves."""

    networks: list[Network] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    members: list[User] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.networks or self.entries or self.tags or self.members)


def followed(session: Session, user: User) -> Followed:
    rows = session.execute(select(Follow.target_type, Follow.target).where(Follow.user_id == user.id))
    keys: dict[str, list[str]] = {kind: [] for kind in FOLLOW_TARGETS}
    for kind, target in rows:
        keys.setdefault(kind, []).append(target)

    def ids(kind: str) -> list[int]:
        return [int(k) for k in keys[kind] if k.isdecimal()]

    result = Followed(tags=sorted(keys["tag"]))
    if ids("network"):
        result.networks = list(
            session.scalars(select(Network).where(Network.id.in_(ids("network"))).order_by(Network.name))
        )
    if ids("entry"):
        result.entries = list(session.scalars(select(Entry).where(Entry.id.in_(ids("entry"))).order_by(Entry.title)))
    if ids("member"):
        query = select(User).where(User.id.in_(ids("member")), User.active.is_(True)).order_by(User.display_name)
        result.members = list(session.scalars(query))
    return result


@dataclass
class FeedItem:
    """Something new in what a member follows: an entry or a meeting, and why it is there."""

    entry: Entry | None
    meeting: Meeting | None
    when: datetime
    reasons: list[str]
    new: bool = False

    @property
    def network(self) -> Network | None:
        return self.meeting.network if self.meeting is not None else self.entry.network


def feed(session: Session, user: User, since: datetime | None = None, limit: int = FEED_SIZE) -> list[FeedItem]:
    """The newest entries and meetings in what the member follows, that they may see, newest first."""
    what = followed(session, user)
    items: list[FeedItem] = []
    conditions = []
    if what.entries:
        conditions.append(Entry.id.in_([e.id for e in what.entries]))
    if what.tags:
        conditions.append(Entry.id.in_(select(EntryTag.entry_id).where(EntryTag.name.in_(what.tags))))
    if what.networks:
        conditions.append(Entry.network_id.in_([n.id for n in what.networks]))
    if what.members:
        member_ids = [m.id for m in what.members]
        edited = select(entry_editor.c.entry_id).where(entry_editor.c.user_id.in_(member_ids))
        conditions.append(or_(Entry.created_by_id.in_(member_ids), Entry.id.in_(edited)))
    if conditions:
        query = visible_entries(user).where(
            or_(*conditions), or_(Entry.created_by_id.is_(None), Entry.created_by_id != user.id)
        )
        if since is not None:
            query = query.where(Entry.updated_at > since)
        # The reasons read each entry's editors and network: load them with the entries, not one by one.
        query = query.options(selectinload(Entry.editors), selectinload(Entry.network))
        for entry in session.scalars(query.order_by(Entry.updated_at.desc(), Entry.id.desc()).limit(limit)):
            items.append(FeedItem(entry, None, entry.updated_at, _reasons(entry, what)))
    if what.networks:
        query = select(Meeting).where(Meeting.network_id.in_([n.id for n in what.networks]))
        if since is not None:
            query = query.where(Meeting.created_at > since)
        for meeting in session.scalars(query.order_by(Meeting.created_at.desc()).limit(limit)):
            if can_see(user, meeting):
                items.append(FeedItem(None, meeting, meeting.created_at, [f"network:{meeting.network.name}"]))
    items.sort(key=lambda item: item.when, reverse=True)
    return items[:limit]


def _reasons(entry: Entry, what: Followed) -> list[str]:
    reasons = []
    if any(e.id == entry.id for e in what.entries):
        reasons.append("entry:")
    reasons += [f"tag:{t}" for t in entry.tags if t in what.tags]
    if entry.network is not None and any(n.id == entry.network_id for n in what.networks):
        reasons.append(f"network:{entry.network.name}")
    names = {m.id: m.display_name for m in what.members}
    people = {entry.created_by_id, *(e.id for e in entry.editors)} & set(names)
    reasons += [f"member:{names[i]}" for i in sorted(people)]
    return reasons


def visit_feed(session: Session, user: User, now: datetime | None = None) -> list[FeedItem]:
    """The feed as the member sees it now, marking what came after their last visit, which this visit becomes."""
    items = feed(session, user)
    seen = user.feed_seen_at
    for item in items:
        item.new = seen is None or item.when > seen
    user.feed_seen_at = now or utcnow()
    return items


def set_digest(user: User, period: str) -> None:
    if period not in DIGEST_PERIODS:
        raise ValidationError.single("digest", N_("Choose off, daily or weekly."))
    user.digest = period


# --- The digest ------------------------------------------------------------------------------


def period_key(period: str, now: datetime) -> str:
    """Which day or ISO week a digest belongs to: 2026-12-06, or 2026-W49."""
    if period == "daily":
        return now.date().isoformat()
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Digest:
    """One member's digest: items grouped by network (None: outside any network), and how many were left out."""

    user: User
    groups: dict[str, list[FeedItem]]
    left_out: int


def build_digest(session: Session, user: User, period: str, now: datetime, limit: int = DIGEST_SIZE) -> Digest | None:
    """What changed in the period in what the member follows; None when nothing did."""
    items = feed(session, user, since=now - PERIOD_LENGTH[period], limit=limit + 1000)
    if not items:
        return None
    groups: dict[str, list[FeedItem]] = {}
    for item in items[:limit]:
        network = item.network
        groups.setdefault(network.name if network is not None else "", []).append(item)
    ordered = dict(sorted(groups.items(), key=lambda pair: (pair[0] == "", pair[0])))
    return Digest(user, ordered, max(len(items) - limit, 0))


def send_digests(session: Session, period: str, now: datetime, send: Callable[[Digest], None]) -> tuple[int, int, int]:
    """Send the period's digest to every member who chose it and has not had it.

    Returns (sent, skipped, failed): skipped members had theirs already or nothing new; a failed
    send (the mail server refused) is not recorded, so the next run tries again.
    """
    if period not in PERIOD_LENGTH:
        raise ValidationError.single("period", N_("Choose daily or weekly."))
    key = period_key(period, now)
    sent = skipped = failed = 0
    users = session.scalars(select(User).where(User.digest == period, User.active.is_(True)).order_by(User.id))
    for user in list(users):
        done = select(DigestSent.id).where(
            DigestSent.user_id == user.id, DigestSent.period == period, DigestSent.period_key == key
        )
        if session.scalar(done) is not None:
            skipped += 1
            continue
        digest = build_digest(session, user, period, now)
        if digest is None:
            skipped += 1
            continue
        # Recorded first, so two runs at once cannot both send it (the unique key stops the second).
        session.add(DigestSent(user_id=user.id, period=period, period_key=key, sent_at=now))
        session.flush()
        try:
            send(digest)
        except OSError:
            session.rollback()
            failed += 1
            continue
        session.commit()
        sent += 1
    return sent, skipped, failed
