"""Meetings as iCalendar (RFC 5545), and members' private feed addresses.

Each event has a UID that never changes and a SEQUENCE that grows with every change, so calendar
programs replace the event instead of adding a copy; a cancelled meeting stays in the feed with
STATUS:CANCELLED so subscribers see it go. Times carry the network's time zone (with VTIMEZONE).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import utcnow
from .models import CalendarFeed, Meeting, User, new_token
from .networks import zone
from .search.documents import plain_text


def uid(meeting: Meeting, host: str) -> str:
    """The event's lasting identity."""
    return f"dela-meeting-{meeting.id}@{host}"


def ics(meetings: Iterable[Meeting], host: str, url_for_meeting: Callable[[Meeting], str], name: str) -> bytes:
    """Build a calendar with one event per meeting."""
    cal = Calendar()
    cal.add("prodid", "-//Dela//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for meeting in sorted(meetings, key=lambda m: (m.starts_at, m.id)):
        tz = zone(meeting.network)
        url = url_for_meeting(meeting)
        event = Event()
        event.add("uid", uid(meeting, host))
        event.add("dtstamp", utcnow())
        event.add("dtstart", meeting.starts_at.astimezone(tz))
        event.add("dtend", meeting.ends_at.astimezone(tz))
        event.add("summary", meeting.title)
        event.add("sequence", meeting.sequence)
        event.add("status", "CANCELLED" if meeting.cancelled_at else "CONFIRMED")
        event.add("url", url)
        location = meeting.place or meeting.video_url
        if location:
            event.add("location", location)
        event.add("description", "\n\n".join(p for p in (meeting.theme, plain_text(meeting.description), url) if p))
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def current_token(session: Session, user: User) -> str | None:
    """The member's private feed token, if they made one."""
    feed = session.get(CalendarFeed, user.id)
    return feed.token if feed else None


def token_for(session: Session, user: User) -> str:
    """Return the member's private feed token, creating it the first time."""
    feed = session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token=new_token())
        session.add(feed)
        session.flush()
    return feed.token


def reset_token(session: Session, user: User) -> str:
    """Replace the member's token; the old address stops working."""
    feed = session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        session.add(feed)
    feed.token = new_token()
    session.flush()
    return feed.token


def user_for_token(session: Session, token: str) -> User | None:
    """The active member whose private feed this is, or None."""
    if not token or len(token) > 64:
        return None
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    user = session.get(User, feed.user_id) if feed else None
    return user if user is not None and user.active else None
