"""Meetings: times across time zones, registration with a waitlist that never overfills, the agenda.

Times are stored in UTC and entered and shown in the network's time zone. Registration and
cancellation lock the meeting's row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the write
transaction is BEGIN IMMEDIATE, see methodbook.db.for_writing), so two people can never take the
last seat at once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from . import permissions
from .db import utcnow
from .errors import Forbidden, Message, NotFound, ValidationError
from .feedback import spreadsheet_safe
from .i18n import N_
from .models import MEETING_FORMATS, AgendaBlock, Entry, Meeting, Network, Registration, User
from .networks import coordinator_ids, followers, is_member, zone
from .notifications import notify

TITLE_MAX = 200
TEXT_MAX = 20_000
BLOCK_MINUTES = (1, 720)
CAPACITY_MAX = 100_000
NOTE_MAX = 2_000
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


# --- Time ------------------------------------------------------------------------------------


def to_utc(local: str | None, network: Network) -> datetime | None:
    """Read a local date and time (``2026-03-29T10:00``) in the network's zone; None when empty.

    Raises ValueError for text that is not a time and for a time that does not exist on that day
    (the hour skipped when clocks go forward). In the hour that repeats when clocks go back, the
    first occurrence is meant.
    """
    text = (local or "").strip()
    if not text:
        return None
    naive = datetime.strptime(text[:16], LOCAL_FORMAT)
    aware = naive.replace(tzinfo=zone(network), fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone(network)).replace(tzinfo=None) != naive:
        raise ValueError("nonexistent local time")
    return utc


def to_local(moment: datetime | None, network: Network) -> datetime | None:
    return moment.astimezone(zone(network)) if moment else None


def local_text(moment: datetime | None, network: Network) -> str:
    """The value of a datetime-local input for a stored time."""
    return to_local(moment, network).strftime(LOCAL_FORMAT) if moment else ""


def _text_of(value) -> str:
    """A form value as stripped text; 0 stays "0" (only None and "" are empty)."""
    return "" if value is None else str(value).strip()


# --- Meetings --------------------------------------------------------------------------------


def validate_meeting(raw: dict, network: Network) -> dict:
    """Check a meeting form; return clean values (times in UTC) or raise with every problem."""
    errors: dict[str, list[Message]] = {}

    def fail(name: str, msgid: str, **params) -> None:
        errors.setdefault(name, []).append(Message(msgid, params))

    title = " ".join(str(raw.get("title") or "").split())
    if not title:
        fail("title", N_("Give the meeting a title."))
    elif len(title) > TITLE_MAX:
        fail("title", N_("Keep this under %(limit)s characters (now %(n)s)."), limit=TITLE_MAX, n=len(title))
    theme = " ".join(str(raw.get("theme") or "").split())[:200]
    fmt = str(raw.get("format") or "network-meeting")
    if fmt not in MEETING_FORMATS:
        fail("format", N_("Choose one of: %(choices)s."), choices=", ".join(MEETING_FORMATS))
    description = str(raw.get("description") or "").replace("\r\n", "\n")
    if len(description) > TEXT_MAX:
        fail("description", N_("Keep this under %(limit)s characters (now %(n)s)."), limit=TEXT_MAX,
             n=len(description))  # fmt: skip
    times = {}
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        try:
            times[name] = to_utc(raw.get(name), network)
        except ValueError:
            times[name] = None
            fail(name, N_("Write a date and time such as 2026-03-29 10:00 that exists in %(tz)s."),
                 tz=network.timezone)  # fmt: skip
    for name in ("starts_at", "ends_at"):
        if times[name] is None and name not in errors:
            fail(name, N_("Give a date and time."))
    start, end = times["starts_at"], times["ends_at"]
    opens, closes = times["registration_opens_at"], times["registration_closes_at"]
    if start and end and end <= start:
        fail("ends_at", N_("The meeting must end after it starts."))
    if closes and end and closes > end:
        fail("registration_closes_at", N_("Registration must close before the meeting ends."))
    if opens and closes and closes <= opens:
        fail("registration_closes_at", N_("Registration must close after it opens."))
    if opens and start and opens >= start:
        fail("registration_opens_at", N_("Registration must open before the meeting starts."))
    place = " ".join(str(raw.get("place") or "").split())[:300]
    video_url = str(raw.get("video_url") or "").strip()
    if video_url:
        try:
            parts = urlsplit(video_url)
        except ValueError:  # a broken address, such as an unclosed [IPv6 part
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.netloc or len(video_url) > 500:
            fail("video_url", N_("Write a full web address starting with https://."))
    capacity_text = _text_of(raw.get("capacity"))
    capacity = None
    if capacity_text:
        if not capacity_text.lstrip("-").isdecimal() or not 1 <= int(capacity_text) <= CAPACITY_MAX:
            fail("capacity", N_("Write a number of seats from 1 to %(max)s, or leave it empty for no limit."),
                 max=CAPACITY_MAX)  # fmt: skip
        else:
            capacity = int(capacity_text)
    if errors:
        raise ValidationError(errors)
    return {
        "title": title, "theme": theme, "format": fmt, "description": description, "starts_at": start,
        "ends_at": end, "registration_opens_at": opens, "registration_closes_at": closes, "place": place,
        "video_url": video_url, "capacity": capacity,
    }  # fmt: skip


def _may_manage(user: User | None, network: Network) -> bool:
    return permissions.can_manage_network(user, network, coordinator_ids(network))


def create_meeting(session: Session, network: Network, raw: dict, user: User) -> Meeting:
    """Create a meeting; members and followers who may see it are told."""
    if not _may_manage(user, network):
        raise Forbidden("coordinators create meetings")
    meeting = Meeting(network=network, created_by=user, **validate_meeting(raw, network))
    session.add(meeting)
    session.flush()
    told = set()
    audience = [m.user for m in network.memberships if m.status == "active"]
    if not network.members_only:
        audience += followers(session, network)
    for person in audience:
        if person.id not in told:
            told.add(person.id)
            notify(session, person, "new_meeting", user, meeting.title, meeting_path(meeting))
    return meeting


def update_meeting(session: Session, meeting: Meeting, raw: dict, user: User) -> None:
    if not _may_manage(user, meeting.network):
        raise Forbidden("coordinators change meetings")
    values = validate_meeting(raw, meeting.network)
    if values["capacity"] is not None:
        taken = count_registered(session, meeting)
        if values["capacity"] < taken:
            raise ValidationError.single(
                "capacity", N_("%(n)s people are registered; cancel registrations before lowering the seats."), n=taken
            )
    for key, value in values.items():
        setattr(meeting, key, value)
    meeting.sequence += 1
    session.flush()
    _fill_from_waitlist(session, meeting, user)


def cancel_meeting(session: Session, meeting: Meeting, user: User) -> None:
    """Cancel: calendars get a cancelled event; everyone registered or waiting is told."""
    if not _may_manage(user, meeting.network):
        raise Forbidden("coordinators cancel meetings")
    if meeting.cancelled_at is not None:
        return
    meeting.cancelled_at = utcnow()
    meeting.sequence += 1
    for reg in meeting.registrations:
        if reg.status != "cancelled":
            notify(session, reg.user, "meeting_message", user, meeting.title, meeting_path(meeting))


def meeting_path(meeting: Meeting) -> str:
    return f"/meetings/{meeting.id}"


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(str(meeting_id))
    return meeting


def count_registered(session: Session, meeting: Meeting) -> int:
    query = select(func.count()).where(Registration.meeting_id == meeting.id, Registration.status == "registered")
    return session.scalar(query) or 0


def status(meeting: Meeting, now: datetime, registered: int) -> str:
    """One of save-the-date, open, full, closed, cancelled."""
    if meeting.cancelled_at is not None:
        return "cancelled"
    if now >= meeting.starts_at or (meeting.registration_closes_at and now >= meeting.registration_closes_at):
        return "closed"
    if meeting.registration_opens_at and now < meeting.registration_opens_at:
        return "save-the-date"
    if meeting.capacity is not None and registered >= meeting.capacity:
        return "full"
    return "open"


def can_see(user: User | None, meeting: Meeting) -> bool:
    """Meetings of members-only networks are for their members (and admins)."""
    network = meeting.network
    return not network.members_only or permissions.is_admin(user) or is_member(network, user)


def _lock(session: Session, meeting: Meeting) -> None:
    # PostgreSQL holds the row until commit; SQLite's write transaction already excludes others.
    session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())


def registration_of(session: Session, meeting: Meeting, user: User) -> Registration | None:
    query = select(Registration).where(Registration.meeting_id == meeting.id, Registration.user_id == user.id)
    return session.scalar(query)


def register(session: Session, meeting: Meeting, user: User, note: str, listed: bool, now: datetime) -> Registration:
    """Take a seat, or the next place on the waitlist when the meeting is full."""
    if not (user and user.active):
        raise Forbidden("members register")
    if meeting.network.members_only and not is_member(meeting.network, user):
        raise ValidationError.single(
            "meeting", N_("This meeting is for the network's members. Join the network first.")
        )
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError.single("note", N_("Keep this under %(limit)s characters (now %(n)s)."), limit=NOTE_MAX,
                                     n=len(note))  # fmt: skip
    _lock(session, meeting)
    session.refresh(meeting)
    state = status(meeting, now, 0)
    if state == "cancelled":
        raise ValidationError.single("meeting", N_("The meeting is cancelled."))
    if state == "closed":
        raise ValidationError.single("meeting", N_("Registration for this meeting has closed."))
    if state == "save-the-date":
        raise ValidationError.single("meeting", N_("Registration has not opened yet."))
    row = registration_of(session, meeting, user)
    if row is not None and row.status != "cancelled":
        raise ValidationError.single("meeting", N_("You are already registered for this meeting."))
    full = meeting.capacity is not None and count_registered(session, meeting) >= meeting.capacity
    if row is None:
        row = Registration(meeting=meeting, user=user)
        session.add(row)
    row.status = "waitlisted" if full else "registered"
    row.note, row.on_participant_list = note, bool(listed)
    row.registered_at, row.cancelled_at, row.promoted_at, row.attended = utcnow(), None, None, None
    session.flush()
    return row


def cancel_registration(session: Session, row: Registration, user: User, now: datetime) -> Registration | None:
    """Give up a seat or a waitlist place; the first on the waitlist gets the seat. Return who was promoted."""
    meeting = row.meeting
    if row.user_id != user.id and not _may_manage(user, meeting.network):
        raise Forbidden("may not cancel this registration")
    if row.status == "cancelled":
        return None
    _lock(session, meeting)
    was_registered = row.status == "registered"
    row.status, row.cancelled_at = "cancelled", utcnow()
    session.flush()
    if not was_registered or meeting.cancelled_at is not None or now >= meeting.starts_at:
        return None
    promoted = _fill_from_waitlist(session, meeting, user)
    return promoted[0] if promoted else None


def _fill_from_waitlist(session: Session, meeting: Meeting, actor: User | None) -> list[Registration]:
    promoted = []
    free = None if meeting.capacity is None else meeting.capacity - count_registered(session, meeting)
    for row in waitlist(session, meeting):
        if free is not None and free <= 0:
            break
        row.status, row.promoted_at = "registered", utcnow()
        notify(session, row.user, "waitlist_promoted", actor, meeting.title, meeting_path(meeting))
        promoted.append(row)
        free = None if free is None else free - 1
    session.flush()
    return promoted


def waitlist(session: Session, meeting: Meeting) -> list[Registration]:
    """The waitlist, first in line first."""
    query = select(Registration).where(Registration.meeting_id == meeting.id, Registration.status == "waitlisted")
    return list(session.scalars(query.order_by(Registration.registered_at, Registration.id)))


def registered(session: Session, meeting: Meeting) -> list[Registration]:
    query = select(Registration).where(Registration.meeting_id == meeting.id, Registration.status == "registered")
    return list(session.scalars(query.order_by(Registration.registered_at, Registration.id)))


def mark_attendance(meeting: Meeting, row: Registration, attended: bool | None, user: User) -> None:
    if not _may_manage(user, meeting.network):
        raise Forbidden("coordinators mark attendance")
    row.attended = attended


def message_participants(session: Session, meeting: Meeting, text: str, user: User) -> int:
    """Send an in-app message to everyone registered; return how many got it."""
    if not _may_manage(user, meeting.network):
        raise Forbidden("coordinators message participants")
    body = (text or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError.single("message", N_("Write the message."))
    if len(body) > NOTE_MAX:
        raise ValidationError.single("message", N_("Keep this under %(limit)s characters (now %(n)s)."),
                                     limit=NOTE_MAX, n=len(body))  # fmt: skip
    people = registered(session, meeting)
    for row in people:
        notify(session, row.user, "meeting_message", user, meeting.title, meeting_path(meeting), body=body)
    return len(people)


def participants_csv(session: Session, meeting: Meeting, headers: dict[str, str], labels: dict[str, str]) -> bytes:
    """Registered and waitlisted people with their notes, UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    keys = ("name", "email", "organisation", "status", "place", "note", "listed", "attended", "registered_at")
    writer.writerow([headers[k] for k in keys])
    rows = registered(session, meeting) + waitlist(session, meeting)
    for place, row in enumerate(rows, 1):
        attended = "" if row.attended is None else labels["yes" if row.attended else "no"]
        cells = (
            row.user.display_name, row.user.email, row.user.organisation, labels[row.status], place, row.note,
            labels["yes" if row.on_participant_list else "no"], attended,
            to_local(row.registered_at, meeting.network).strftime("%Y-%m-%d %H:%M"),
        )  # fmt: skip
        writer.writerow([c if isinstance(c, int) else spreadsheet_safe(c) for c in cells])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


# --- Agenda ----------------------------------------------------------------------------------


def proposed_minutes(entry: Entry) -> int:
    """A method's length from its duration range: the upper bound, else the lower, else 30."""
    return entry.duration_max or entry.duration_min or 30


def _block_values(raw: dict, entry: Entry | None) -> dict:
    errors: dict[str, list[Message]] = {}
    minutes_text = _text_of(raw.get("minutes"))
    if not minutes_text and entry is not None:
        minutes_text = str(proposed_minutes(entry))
    low, high = BLOCK_MINUTES
    if not minutes_text.isdecimal() or not low <= int(minutes_text) <= high:
        errors["minutes"] = [
            Message(N_("Write a length from %(low)s to %(high)s minutes."), {"low": low, "high": high})
        ]
    title = " ".join(str(raw.get("title") or "").split())[:200]
    if entry is None and not title:
        errors["title"] = [Message(N_("Name the item (for example Welcome, Break or Lunch)."))]
    if errors:
        raise ValidationError(errors)
    return {
        "minutes": int(minutes_text),
        "title": title,
        "facilitator": " ".join(str(raw.get("facilitator") or "").split())[:200],
        "note": str(raw.get("note") or "").replace("\r\n", "\n").strip()[:NOTE_MAX],
    }


def add_block(session: Session, meeting: Meeting, raw: dict, entry: Entry | None, user: User) -> AgendaBlock:
    if not _may_manage(user, meeting.network):
        raise Forbidden("coordinators build the agenda")
    position = len(meeting.agenda)
    # Giving the block its meeting also puts it in meeting.agenda (the relationship's back-reference).
    block = AgendaBlock(meeting=meeting, entry=entry, position=position, **_block_values(raw, entry))
    session.add(block)
    _renumber(meeting)
    meeting.sequence += 1
    session.flush()
    return block


def update_block(block: AgendaBlock, raw: dict, user: User) -> None:
    if not _may_manage(user, block.meeting.network):
        raise Forbidden("coordinators build the agenda")
    for key, value in _block_values(raw, block.entry).items():
        setattr(block, key, value)


def remove_block(session: Session, block: AgendaBlock, user: User) -> None:
    meeting = block.meeting
    if not _may_manage(user, meeting.network):
        raise Forbidden("coordinators build the agenda")
    meeting.agenda.remove(block)
    session.delete(block)
    _renumber(meeting)


def move_block(block: AgendaBlock, offset: int, user: User) -> None:
    """Move a block up (-1) or down (+1); at either end nothing moves."""
    meeting = block.meeting
    if not _may_manage(user, meeting.network):
        raise Forbidden("coordinators build the agenda")
    blocks = sorted(meeting.agenda, key=lambda b: b.position)
    i = blocks.index(block)
    j = i + offset
    if 0 <= j < len(blocks):
        blocks[i], blocks[j] = blocks[j], blocks[i]
        for position, item in enumerate(blocks):
            item.position = position


def reorder(meeting: Meeting, block_ids: list[int], user: User) -> None:
    """Put the blocks in the given order (drag and drop); ids must be exactly the agenda's."""
    if not _may_manage(user, meeting.network):
        raise Forbidden("coordinators build the agenda")
    by_id = {b.id: b for b in meeting.agenda}
    if sorted(block_ids) != sorted(by_id):
        raise ValidationError.single("order", N_("The agenda changed meanwhile; reload the page."))
    for position, block_id in enumerate(block_ids):
        by_id[block_id].position = position


def _renumber(meeting: Meeting) -> None:
    for position, block in enumerate(sorted(meeting.agenda, key=lambda b: b.position)):
        block.position = position


@dataclass
class ScheduledBlock:
    block: AgendaBlock
    starts: datetime  # local time
    ends: datetime


@dataclass
class Schedule:
    blocks: list[ScheduledBlock]
    total_minutes: int
    ends: datetime
    overrun_minutes: int  # how far the agenda runs past the meeting's end (0 when it fits)


def schedule(meeting: Meeting) -> Schedule:
    """Start and end of each block from the meeting's start, in the network's time zone.

    Lengths are real minutes: computed in UTC, then shown in local time, so a block that spans a
    daylight-saving change still lasts what it says.
    """
    current = meeting.starts_at
    items = []
    for block in sorted(meeting.agenda, key=lambda b: b.position):
        end = current + timedelta(minutes=block.minutes)
        items.append(ScheduledBlock(block, to_local(current, meeting.network), to_local(end, meeting.network)))
        current = end
    total = sum(b.minutes for b in meeting.agenda)
    overrun = max(int((current - meeting.ends_at).total_seconds() // 60), 0)
    return Schedule(items, total, to_local(current, meeting.network), overrun)


def materials(meeting: Meeting) -> list[str]:
    """One merged materials list from the agenda's methods, each line once, in agenda order."""
    seen, merged = set(), []
    for block in sorted(meeting.agenda, key=lambda b: b.position):
        if block.entry is None or not block.entry.materials:
            continue
        for line in block.entry.materials.replace(";", "\n").splitlines():
            item = line.strip(" -*•\t")
            if item and item.casefold() not in seen:
                seen.add(item.casefold())
                merged.append(item)
    return merged


def upcoming_for(session: Session, user: User | None, now: datetime, limit: int = 6) -> list[Meeting]:
    """Upcoming meetings for the home page: the networks a member belongs to or follows, else public ones."""
    from .models import Follow, Membership

    query = (
        select(Meeting)
        .join(Network, Network.id == Meeting.network_id)
        .where(Meeting.ends_at >= now, Meeting.cancelled_at.is_(None))
    )
    if user is not None:
        mine = select(Membership.network_id).where(Membership.user_id == user.id, Membership.status == "active")
        followed = select(Follow.target).where(Follow.user_id == user.id, Follow.target_type == "network")
        followed_public = select(Network.id).where(
            Network.visibility == "public", cast(Network.id, String).in_(followed)
        )
        query = query.where(or_(Meeting.network_id.in_(mine), Meeting.network_id.in_(followed_public)))
    else:
        query = query.where(Network.visibility == "public")
    return list(session.scalars(query.order_by(Meeting.starts_at).limit(limit)))


def public_upcoming(session: Session, now: datetime, limit: int = 6) -> list[Meeting]:
    """Upcoming meetings of public networks."""
    return upcoming_for(session, None, now, limit)
