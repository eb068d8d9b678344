"""Networks: who belongs (members, coordinators, pending requests), who follows, what members see.

Visibility rule, used everywhere content is listed: an entry or meeting of a members-only network
is seen only by the network's active members (and admins); entry queries filter with
methodbook.entries.network_filter.
"""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, object_session

from . import permissions
from .db import utcnow
from .errors import Forbidden, Message, NotFound, ValidationError
from .feedback import spreadsheet_safe
from .i18n import N_
from .models import (
    JOIN_POLICIES,
    NETWORK_VISIBILITIES,
    AuditEvent,
    Entry,
    Follow,
    Membership,
    Network,
    SearchQueue,
    User,
)
from .notifications import notify
from .slugs import is_valid_slug, slugify

NAME_MAX = 200
DESCRIPTION_MAX = 20_000


def get_network(session: Session, slug: str) -> Network:
    network = session.scalar(select(Network).where(Network.slug == slug))
    if network is None:
        raise NotFound(slug)
    return network


def membership(session: Session, network: Network, user: User | None) -> Membership | None:
    """Return the user's membership row in the network (active or pending), if any."""
    if user is None:
        return None
    query = select(Membership).where(Membership.network_id == network.id, Membership.user_id == user.id)
    return session.scalar(query)


def member_network_ids(session: Session, user: User | None) -> set[int]:
    """The networks where the user is an active member or coordinator."""
    if user is None:
        return set()
    query = select(Membership.network_id).where(Membership.user_id == user.id, Membership.status == "active")
    return set(session.scalars(query))


def visible_network_ids(session: Session, user: User | None) -> set[int] | None:
    """Networks whose members-only content the user sees; None means all (admins)."""
    if permissions.is_admin(user):
        return None
    return member_network_ids(session, user)


def validate_network(session: Session, raw: dict, network: Network | None = None) -> dict:
    """Check a network form; return clean values or raise ValidationError with every problem."""
    errors: dict[str, list[Message]] = {}

    def fail(name: str, msgid: str, **params) -> None:
        errors.setdefault(name, []).append(Message(msgid, params))

    name = " ".join(str(raw.get("name") or "").split())
    if not name:
        fail("name", N_("Give the network a name."))
    elif len(name) > NAME_MAX:
        fail("name", N_("Keep this under %(limit)s characters (now %(n)s)."), limit=NAME_MAX, n=len(name))
    slug = str(raw.get("slug") or "").strip().lower() or slugify(name)
    if not is_valid_slug(slug):
        fail("slug", N_("Use only a–z, 0–9 and single hyphens."))
    else:
        taken = session.scalar(select(Network.id).where(Network.slug == slug))
        if taken is not None and (network is None or taken != network.id):
            fail("slug", N_("The address %(slug)s is taken."), slug=slug)
    description = str(raw.get("description") or "").replace("\r\n", "\n")
    if len(description) > DESCRIPTION_MAX:
        fail("description", N_("Keep this under %(limit)s characters (now %(n)s)."), limit=DESCRIPTION_MAX,
             n=len(description))  # fmt: skip
    contact = " ".join(str(raw.get("contact") or "").split())[:300]
    visibility = str(raw.get("visibility") or "public")
    if visibility not in NETWORK_VISIBILITIES:
        fail("visibility", N_("Choose one of: %(choices)s."), choices=", ".join(NETWORK_VISIBILITIES))
    join_policy = str(raw.get("join_policy") or "open")
    if join_policy not in JOIN_POLICIES:
        fail("join_policy", N_("Choose one of: %(choices)s."), choices=", ".join(JOIN_POLICIES))
    timezone = str(raw.get("timezone") or "Europe/Stockholm")
    if timezone not in available_timezones():
        fail("timezone", N_("Not a known time zone: %(tz)s."), tz=timezone)
    if errors:
        raise ValidationError(errors)
    return {
        "name": name, "slug": slug, "description": description, "contact": contact,
        "visibility": visibility, "join_policy": join_policy, "timezone": timezone,
        "leaderboard": bool(raw.get("leaderboard")),
    }  # fmt: skip


def create_network(session: Session, raw: dict, user: User) -> Network:
    """Create a network; its creator becomes its first coordinator."""
    if not permissions.can_create_network(user):
        raise Forbidden("facilitators and admins create networks")
    values = validate_network(session, raw)
    network = Network(**values)
    network.memberships.append(Membership(user=user, role="coordinator", status="active", approved_at=utcnow()))
    session.add(network)
    session.flush()
    return network


def update_network(session: Session, network: Network, raw: dict, user: User) -> None:
    if not permissions.can_manage_network(user, network, coordinator_ids(network)):
        raise Forbidden("coordinators change the network")
    values = validate_network(session, raw, network)
    if values["visibility"] != network.visibility or values["slug"] != network.slug:
        # Who may find its entries changed: their index documents must follow.
        ids = session.scalars(select(Entry.id).where(Entry.network_id == network.id))
        session.add_all(SearchQueue(entry_id=entry_id) for entry_id in ids)
        session.info["search_pending"] = True
    for key, value in values.items():
        setattr(network, key, value)


def coordinator_ids(network: Network) -> set[int]:
    return {m.user_id for m in network.memberships if m.role == "coordinator" and m.status == "active"}


def is_member(network: Network, user: User | None) -> bool:
    """Active members and coordinators."""
    return bool(user) and any(m.user_id == user.id and m.status == "active" for m in network.memberships)


def join(session: Session, network: Network, user: User) -> Membership:
    """Join an open network at once, or ask to join one that approves its members."""
    if not (user and user.active):
        raise Forbidden("members join")
    row = membership(session, network, user)
    if row is not None:
        return row
    status = "active" if network.join_policy == "open" else "pending"
    row = Membership(network=network, user=user, role="member", status=status,
                     approved_at=utcnow() if status == "active" else None)  # fmt: skip
    session.add(row)
    session.flush()
    if status == "pending":
        for coordinator in (m.user for m in network.memberships if m.role == "coordinator" and m.status == "active"):
            notify(session, coordinator, "membership", user, network.name, f"/networks/{network.slug}/people")
    return row


def leave(session: Session, network: Network, user: User) -> None:
    """Leave a network (a pending request is withdrawn); the last coordinator cannot leave."""
    row = membership(session, network, user)
    if row is None:
        return
    if row.role == "coordinator" and coordinator_ids(network) == {user.id}:
        raise ValidationError.single("network", N_("Name another coordinator before you leave."))
    network.memberships.remove(row)  # delete-orphan deletes the row
    session.flush()


def approve(session: Session, network: Network, member: Membership, user: User) -> None:
    if not permissions.can_manage_network(user, network, coordinator_ids(network)):
        raise Forbidden("coordinators approve members")
    if member.status != "active":
        member.status, member.approved_at = "active", utcnow()
        notify(session, member.user, "membership", user, network.name, f"/networks/{network.slug}")


def set_member_role(network: Network, member: Membership, role: str, user: User) -> None:
    if not permissions.can_manage_network(user, network, coordinator_ids(network)):
        raise Forbidden("coordinators manage members")
    if role not in ("member", "coordinator"):
        raise ValidationError.single("role", N_("Choose one of: %(choices)s."), choices="member, coordinator")
    if member.role == "coordinator" and role != "coordinator" and coordinator_ids(network) == {member.user_id}:
        raise ValidationError.single("role", N_("A network needs at least one coordinator."))
    if role != member.role:
        session = object_session(member)
        if session is not None:
            session.add(AuditEvent(actor_id=user.id, action="network_role", target_type="user", target_id=member.user_id,
                                   reason=f"{network.slug}: {member.role} → {role}"))  # fmt: skip
    member.role = role
    if role == "coordinator":
        member.status = "active"


def remove_member(session: Session, network: Network, member: Membership, user: User) -> None:
    if not permissions.can_manage_network(user, network, coordinator_ids(network)):
        raise Forbidden("coordinators manage members")
    if member.role == "coordinator" and coordinator_ids(network) == {member.user_id}:
        raise ValidationError.single("role", N_("A network needs at least one coordinator."))
    network.memberships.remove(member)  # delete-orphan deletes the row


# --- Following -------------------------------------------------------------------------------


def follow(session: Session, user: User, target_type: str, target: str) -> None:
    exists = session.scalar(
        select(Follow.id).where(Follow.user_id == user.id, Follow.target_type == target_type, Follow.target == target)
    )
    if exists is None:
        session.add(Follow(user_id=user.id, target_type=target_type, target=target))
        session.flush()


def unfollow(session: Session, user: User, target_type: str, target: str) -> None:
    session.execute(
        delete(Follow).where(Follow.user_id == user.id, Follow.target_type == target_type, Follow.target == target)
    )


def follows(session: Session, user: User | None, target_type: str, target: str) -> bool:
    if user is None:
        return False
    query = select(Follow.id).where(
        Follow.user_id == user.id, Follow.target_type == target_type, Follow.target == target
    )
    return session.scalar(query) is not None


def followers(session: Session, network: Network) -> list[User]:
    query = (
        select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.target_type == "network", Follow.target == str(network.id), User.active.is_(True))
        .order_by(User.display_name)
    )
    return list(session.scalars(query))


def people_csv(session: Session, network: Network, headers: dict[str, str], labels: dict[str, str]) -> bytes:
    """Members, coordinators, pending requests and followers, UTF-8 with BOM for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([headers[k] for k in ("name", "email", "organisation", "relation", "since")])
    for m in sorted(network.memberships, key=lambda m: m.user.display_name.casefold()):
        relation = labels[m.role] if m.status == "active" else labels["pending"]
        writer.writerow([spreadsheet_safe(v) for v in (m.user.display_name, m.user.email, m.user.organisation,
                                                       relation, m.created_at.date().isoformat())])  # fmt: skip
    member_ids = {m.user_id for m in network.memberships}
    rows = session.execute(
        select(User, Follow.created_at)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.target_type == "network", Follow.target == str(network.id))
        .order_by(User.display_name)
    )
    for user, since in rows:
        if user.id not in member_ids:
            writer.writerow([spreadsheet_safe(v) for v in (user.display_name, user.email, user.organisation,
                                                           labels["follower"], since.date().isoformat())])  # fmt: skip
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def zone(network: Network) -> ZoneInfo:
    return ZoneInfo(network.timezone or "Europe/Stockholm")


def networks_for_author(session: Session, user: User, entry: Entry | None = None) -> list[Network]:
    """The networks an author may put an entry in: their own (all for admins), plus the entry's current one."""
    query = select(Network).order_by(Network.name)
    if not permissions.is_admin(user):
        query = query.where(Network.id.in_(member_network_ids(session, user)))
    found = list(session.scalars(query))
    if entry is not None and entry.network is not None and entry.network not in found:
        found.append(entry.network)
    return found


def set_entry_network(session: Session, entry: Entry, network_id: int | None, user: User) -> None:
    """Put an entry in a network the author belongs to, or take it out of its network."""
    if network_id == entry.network_id:
        return
    if network_id is None:
        entry.network = None
        return
    network = session.get(Network, network_id)
    if network is None or network not in networks_for_author(session, user):
        raise ValidationError.single("network", N_("Choose a network you are a member of."))
    entry.network = network
