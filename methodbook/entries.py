"""The method book's entries: validation, saving as revisions, restore, trash and listing."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy import Select, func, or_, select, true, update
from sqlalchemy.orm import Session, selectinload

from .attachments import StoredFile
from .db import utcnow
from .errors import Conflict, Message, NotFound, ValidationError
from .fields import format_range, parse_range
from .i18n import N_
from .models import (
    AUDIENCE_ROLES,
    DEFAULT_LICENCE,
    KINDS,
    LANGUAGES,
    PHASES,
    STATUSES,
    Attachment,
    Entry,
    EntryRole,
    EntryTag,
    Membership,
    MethodUse,
    Network,
    Revision,
    User,
    entry_editor,
)
from .render import RENDERER_VERSION, render_markdown
from .slugs import MAX_SLUG, is_valid_slug, next_free_slug, slugify

# The order of fields in forms, front matter and revision snapshots.
FIELDS = (
    "title", "slug", "kind", "language", "summary", "purpose", "roles", "when", "digital",
    "duration", "group_size", "materials", "phase", "tags", "licence", "authors", "status",
    "methods_used", "derived_from", "attachments",
)  # fmt: skip
# Keys written to content/ files only when they have a value, so other entries' files stay as they were.
OPTIONAL_FIELDS = ("methods_used", "derived_from")
MAX_METHODS_USED = 40
TEXT_LIMITS = {
    "title": 200, "summary": 1000, "purpose": 1000, "when": 2000, "digital": 4000,
    "materials": 4000, "licence": 100,
}  # fmt: skip
MAX_BODY = 200_000
MAX_TAGS = 20
MAX_TAG_LENGTH = 60
MAX_AUTHORS = 20
MAX_DURATION = 60 * 24 * 5
MAX_GROUP = 100_000


@dataclass
class EntryData:
    """The editable fields of an entry, validated."""

    title: str
    slug: str
    kind: str
    language: str
    summary: str = ""
    purpose: str = ""
    roles: list[str] = field(default_factory=list)
    when: str = ""
    digital: str = ""
    duration: str = ""
    group_size: str = ""
    materials: str = ""
    phase: str = "any"
    tags: list[str] = field(default_factory=list)
    licence: str = DEFAULT_LICENCE
    authors: list[str] = field(default_factory=list)
    status: str = "draft"
    methods_used: list[str] = field(default_factory=list)
    derived_from: str = ""
    body: str = ""


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(item).strip() for item in value if str(item).strip()]


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _text(raw: Mapping, name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def validate_entry_data(raw: Mapping, session: Session | None = None, entry: Entry | None = None) -> EntryData:
    """Check every field of raw input; collect every problem into one ValidationError."""
    errors: dict[str, list[Message]] = {}

    def fail(name: str, msgid: str, **params) -> None:
        errors.setdefault(name, []).append(Message(msgid, params))

    title = " ".join(_text(raw, "title").split())
    if not title:
        fail("title", N_("Give the entry a title."))
    values = {name: _text(raw, name) for name in TEXT_LIMITS if name != "title"}
    values["title"] = title
    for name, limit in TEXT_LIMITS.items():
        if len(values[name]) > limit:
            fail(name, N_("Keep this under %(limit)s characters (now %(n)s)."), limit=limit, n=len(values[name]))
    values["licence"] = values["licence"] or DEFAULT_LICENCE

    choices = {"kind": KINDS, "language": LANGUAGES, "phase": PHASES, "status": STATUSES}
    defaults = {"kind": "method", "language": "sv", "phase": "any", "status": "draft"}
    for name, allowed in choices.items():
        values[name] = _text(raw, name) or defaults[name]
        if values[name] not in allowed:
            fail(name, N_("Choose one of: %(choices)s."), choices=", ".join(allowed))

    slug = _text(raw, "slug").lower() or slugify(title)
    if not slug and title:
        fail("slug", N_("Write an address using letters a–z, digits and hyphens."))
    elif slug and not is_valid_slug(slug):
        fail("slug", N_("Use only a–z, 0–9 and single hyphens, at most %(n)s characters."), n=MAX_SLUG)
    elif slug and session is not None:
        taken = _slug_taken(session, entry)
        if taken(slug):
            fail("slug", N_("The address %(slug)s is taken. Try %(suggestion)s."), slug=slug,
                 suggestion=next_free_slug(slug, taken))  # fmt: skip

    roles = _dedupe(_as_list(raw.get("roles")))
    unknown = [r for r in roles if r not in AUDIENCE_ROLES]
    if unknown:
        fail("roles", N_("Not a known audience: %(roles)s."), roles=", ".join(unknown))
    tags = _dedupe(" ".join(t.lower().split()) for t in _as_list(raw.get("tags")))
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG_LENGTH for t in tags):
        fail("tags", N_("Use at most %(n)s tags of at most %(len)s characters each."), n=MAX_TAGS, len=MAX_TAG_LENGTH)
    authors = _dedupe(" ".join(a.split()) for a in _as_list(raw.get("authors")))
    if len(authors) > MAX_AUTHORS or any(len(a) > 100 for a in authors):
        fail("authors", N_("Name at most %(n)s authors of at most 100 characters each."), n=MAX_AUTHORS)

    ranges = {}
    for name, upper in (("duration", MAX_DURATION), ("group_size", MAX_GROUP)):
        try:
            ranges[name] = format_range(*parse_range(raw.get(name), name, upper))
        except ValidationError as exc:
            for msgs in exc.errors.values():
                errors.setdefault(name, []).extend(msgs)
            ranges[name] = ""

    methods_used = _validate_methods_used(raw, values["kind"], session, entry, fail)
    derived_from = _validate_derived_from(raw, session, entry, fail)

    # Leading and trailing blank lines carry nothing in Markdown; content files drop them too.
    body = str(raw.get("body") or "").replace("\r\n", "\n").strip("\n")
    if len(body) > MAX_BODY:
        fail("body", N_("The text is too long: at most %(limit)s characters (now %(n)s)."), limit=MAX_BODY, n=len(body))
    if errors:
        raise ValidationError(errors)
    return EntryData(
        slug=slug, roles=roles, tags=tags, authors=authors, body=body, methods_used=methods_used,
        derived_from=derived_from, duration=ranges["duration"], group_size=ranges["group_size"], **values,
    )  # fmt: skip


def _address(value: str) -> str:
    """An entry address as typed: a pasted page address (…/methods/walkshop) counts as its last part."""
    return value.strip().lower().strip("/").rpartition("/")[2]


def _validate_derived_from(raw: Mapping, session: Session | None, entry: Entry | None, fail) -> str:
    """Read the address of the entry this one was adapted from; with a session, it must exist."""
    slug = _address(_text(raw, "derived_from"))
    if not slug:
        return ""
    if not is_valid_slug(slug):
        fail("derived_from", N_("Not an entry address: %(slugs)s."), slugs=slug)
    elif session is not None:
        original = session.scalar(select(Entry.id).where(Entry.slug == slug))
        if original is None or (entry is not None and original == entry.id):
            fail("derived_from", N_("No entry has the address %(slug)s."), slug=slug)
    return slug


def _validate_methods_used(raw: Mapping, kind: str, session: Session | None, entry: Entry | None, fail) -> list[str]:
    """Read a write-up's list of method addresses; with a session, each must be a method-book entry."""
    value = raw.get("methods_used")
    items = value.replace(",", " ").split() if isinstance(value, str) else _as_list(value)
    # A pasted page address (…/methods/walkshop) counts as its last part.
    slugs = _dedupe(_address(s) for s in items)
    if not slugs:
        return []
    if kind != "write-up":
        fail("methods_used", N_("Only write-ups list the methods a meeting used."))
        return []
    bad = [s for s in slugs if not is_valid_slug(s)]
    if len(slugs) > MAX_METHODS_USED:
        fail("methods_used", N_("Name at most %(n)s methods."), n=MAX_METHODS_USED)
    elif bad:
        fail("methods_used", N_("Not an entry address: %(slugs)s."), slugs=", ".join(bad))
    elif session is not None:
        query = select(Entry.slug).where(Entry.slug.in_(slugs), Entry.deleted_at.is_(None), Entry.kind != "write-up")
        found = set(session.scalars(query))
        missing = [s for s in slugs if s not in found or (entry is not None and s == entry.slug)]
        if missing:
            fail("methods_used", N_("No method, template or plan has the address %(slugs)s."),
                 slugs=", ".join(missing))  # fmt: skip
    return slugs


def _slug_taken(session: Session, entry: Entry | None):
    def taken(candidate: str) -> bool:
        query = select(Entry.id).where(Entry.slug == candidate)
        if entry is not None and entry.id is not None:
            query = query.where(Entry.id != entry.id)
        return session.scalar(query) is not None

    return taken


def _attachment_dicts(files: Iterable[StoredFile | Attachment]) -> list[dict]:
    return [{"filename": f.filename, "sha256": f.sha256, "size": f.size, "content_type": f.content_type} for f in files]


def snapshot(entry: Entry) -> dict:
    """Return every saved field of an entry as plain data, in field order."""
    data = EntryData(
        title=entry.title, slug=entry.slug, kind=entry.kind, language=entry.language,
        summary=entry.summary, purpose=entry.purpose, roles=entry.roles, when=entry.when,
        digital=entry.digital, duration=format_range(entry.duration_min, entry.duration_max),
        group_size=format_range(entry.group_min, entry.group_max), materials=entry.materials,
        phase=entry.phase, tags=entry.tags, licence=entry.licence, authors=list(entry.authors or []),
        status=entry.status, methods_used=entry.methods_used, derived_from=entry.derived_from or "",
        body=entry.body,
    )  # fmt: skip
    return data_snapshot(data, entry.attachments)


def data_snapshot(data: EntryData, attachments: Iterable[StoredFile | Attachment]) -> dict:
    """Return validated data and attachments in the shape revisions store."""
    values = asdict(data)
    body = values.pop("body")
    ordered = {name: values[name] for name in FIELDS if name != "attachments"}
    ordered["attachments"] = _attachment_dicts(attachments)
    ordered["body"] = body
    return ordered


def _apply_snapshot(entry: Entry, snap: Mapping) -> None:
    for name in ("title", "slug", "kind", "language", "summary", "purpose", "when", "digital",
                 "materials", "phase", "licence", "status", "body"):  # fmt: skip
        setattr(entry, name, snap[name])
    entry.authors = list(snap["authors"])
    entry.duration_min, entry.duration_max = parse_range(snap["duration"], "duration", MAX_DURATION)
    entry.group_min, entry.group_max = parse_range(snap["group_size"], "group_size", MAX_GROUP)
    if [r.name for r in entry.role_rows] != list(snap["roles"]):
        entry.role_rows = [EntryRole(name=name, position=i) for i, name in enumerate(snap["roles"])]
    if [t.name for t in entry.tag_rows] != list(snap["tags"]):
        entry.tag_rows = [EntryTag(name=name, position=i) for i, name in enumerate(snap["tags"])]
    entry.derived_from = snap.get("derived_from") or ""
    methods = list(snap.get("methods_used") or [])
    if entry.methods_used != methods:
        entry.method_uses = [MethodUse(method_slug=slug, position=i) for i, slug in enumerate(methods)]
    if _attachment_dicts(entry.attachments) != list(snap["attachments"]):
        entry.attachments = [Attachment(position=i, **a) for i, a in enumerate(snap["attachments"])]
    if entry.status == "published" and entry.published_at is None:
        entry.published_at = utcnow()


def _record_revision(
    session: Session, entry: Entry, snap: dict, user: User | None, message: str, render: bool = True
) -> Revision:
    entry.revision_number = (entry.revision_number or 0) + 1
    entry.updated_at = utcnow()
    # Unrendered revisions (bulk import) carry version 0 and are rendered on first read.
    revision = Revision(
        entry=entry,
        number=entry.revision_number,
        author_id=user.id if user else None,
        message=(message or "").strip()[:300],
        data=snap,
        body_html=render_markdown(snap["body"]) if render else "",
        renderer_version=RENDERER_VERSION if render else 0,
    )
    session.add(revision)
    return revision


def create_entry(
    session: Session,
    data: EntryData,
    user: User | None,
    attachments: Sequence[StoredFile] = (),
    message: str = "",
    render: bool = True,
) -> Entry:
    """Create an entry with its first revision; render=False leaves the HTML to the first read."""
    entry = Entry(created_by_id=user.id if user else None, revision_number=0, authors=[])
    snap = data_snapshot(data, attachments)
    _apply_snapshot(entry, snap)
    session.add(entry)
    _record_revision(session, entry, snap, user, message, render)
    return entry


def update_entry(
    session: Session,
    entry: Entry,
    data: EntryData,
    user: User | None,
    attachments: Sequence[StoredFile | Attachment] | None = None,
    message: str = "",
    base_revision: int | None = None,
    render: bool = True,
) -> bool:
    """Save new field values as a new revision; return False when nothing changed.

    ``base_revision`` is the revision the editor started from; a newer one raises Conflict.
    """
    if base_revision is not None and base_revision != entry.revision_number:
        raise Conflict(entry, base_revision)
    snap = data_snapshot(data, entry.attachments if attachments is None else attachments)
    if snap == snapshot(entry):
        return False
    _follow_renamed(session, entry.slug, snap["slug"])
    _apply_snapshot(entry, snap)
    _record_revision(session, entry, snap, user, message, render)
    return True


def _follow_renamed(session: Session, old: str, new: str) -> None:
    """Keep write-ups and adapted versions pointing at an entry whose address changes."""
    if old and new != old:
        session.execute(update(MethodUse).where(MethodUse.method_slug == old).values(method_slug=new))
        session.execute(update(Entry).where(Entry.derived_from == old).values(derived_from=new))


def current_addresses(session: Session, slugs: list[str]) -> list[str]:
    """Map addresses that no entry has any more to the entry that once had them (its history says so)."""
    existing = set(session.scalars(select(Entry.slug).where(Entry.slug.in_(slugs)))) if slugs else set()
    result: list[str] = []
    for slug in slugs:
        if slug not in existing:
            query = (
                select(Entry.slug)
                .join(Revision, Revision.entry_id == Entry.id)
                .where(Revision.data["slug"].as_string() == slug)
                .order_by(Revision.id.desc())
                .limit(1)
            )
            slug = session.scalar(query) or slug
        if slug not in result:
            result.append(slug)
    return result


def get_revision(session: Session, entry: Entry, number: int) -> Revision:
    """Return revision ``number`` of the entry, or raise NotFound."""
    revision = session.scalar(select(Revision).where(Revision.entry_id == entry.id, Revision.number == number))
    if revision is None:
        raise NotFound(f"revision {number}")
    return revision


def restore_revision(session: Session, entry: Entry, number: int, user: User | None) -> bool:
    """Make an old revision current again, as a new revision."""
    old = get_revision(session, entry, number)
    if old.data["slug"] != entry.slug and _slug_taken(session, entry)(old.data["slug"]):
        raise ValidationError.single(
            "slug", N_("The address %(slug)s is now used by another entry."), slug=old.data["slug"]
        )
    snap = dict(old.data)
    # Revisions saved before write-ups listed methods have none; a method renamed since is followed.
    snap["methods_used"] = current_addresses(session, list(snap.get("methods_used") or []))
    snap["derived_from"] = (
        "".join(current_addresses(session, [snap["derived_from"]])) if snap.get("derived_from") else ""
    )
    if snap == snapshot(entry):
        return False
    _follow_renamed(session, entry.slug, snap["slug"])
    _apply_snapshot(entry, snap)
    _record_revision(session, entry, snap, user, f"Restored revision {number}")
    return True


def revision_html(revision: Revision) -> str:
    """Return the revision's rendered body, re-rendering when the renderer has changed."""
    if revision.renderer_version != RENDERER_VERSION:
        revision.body_html = render_markdown(revision.data.get("body", ""))
        revision.renderer_version = RENDERER_VERSION
    return revision.body_html


@dataclass
class FieldChange:
    """One changed field between two revisions; ``lines`` holds a diff for long text."""

    name: str
    old: str
    new: str
    lines: list[tuple[str, str]] = field(default_factory=list)


def _as_text(value) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "\n".join(f"{a['filename']} ({a['size']} B, {a['sha256'][:10]})" for a in value)
        return ", ".join(value)
    return "" if value is None else str(value)


def diff_snapshots(old: Mapping, new: Mapping) -> list[FieldChange]:
    """List the fields that differ between two snapshots, with line diffs for long text."""
    changes = []
    for name in (*FIELDS, "body"):
        before, after = _as_text(old.get(name)), _as_text(new.get(name))
        if before == after:
            continue
        change = FieldChange(name, before, after)
        if "\n" in before or "\n" in after:
            diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=3)
            for line in list(diff)[2:]:
                marker = line[:1] if line[:1] in "+-@" else " "
                change.lines.append((marker, line[1:] if marker != "@" else line))
        changes.append(change)
    return changes


def trash_entry(entry: Entry, user: User | None) -> None:
    """Move an entry to the trash, from where an admin can restore it."""
    entry.deleted_at = utcnow()
    entry.deleted_by_id = user.id if user else None


def untrash_entry(entry: Entry) -> None:
    """Bring an entry back from the trash."""
    entry.deleted_at = None
    entry.deleted_by_id = None


def get_entry(session: Session, slug: str) -> Entry:
    """Return the entry with this slug, trashed ones included, or raise NotFound."""
    entry = session.scalar(select(Entry).where(Entry.slug == slug))
    if entry is None:
        raise NotFound(slug)
    return entry


def set_editors(session: Session, entry: Entry, emails: Iterable[str]) -> None:
    """Give the entry these co-authors, by their e-mail addresses."""
    wanted = _dedupe(e.strip().lower() for e in emails if e.strip())
    users = list(session.scalars(select(User).where(func.lower(User.email).in_(wanted)))) if wanted else []
    missing = sorted(set(wanted) - {u.email.lower() for u in users})
    if missing:
        raise ValidationError.single(
            "editors", N_("No member has this e-mail address: %(emails)s."), emails=", ".join(missing)
        )
    entry.editors = [u for u in users if u.id != entry.created_by_id]


def network_filter(viewer: User | None, entity=Entry):
    """A condition on Entry (or an alias of it): no network, a public network, or a members-only one of the viewer's."""
    if viewer is not None and viewer.active and viewer.role == "admin":
        return true()
    closed = select(Network.id).where(Network.visibility == "members")
    if viewer is not None:
        mine = select(Membership.network_id).where(Membership.user_id == viewer.id, Membership.status == "active")
        closed = closed.where(Network.id.not_in(mine))
    return or_(entity.network_id.is_(None), entity.network_id.not_in(closed))


def visible_entries(viewer: User | None, drafts: bool = False) -> Select:
    """Select the entries a viewer may list: published ones, or with drafts=True their own drafts.

    Entries of a members-only network are listed for its members (and admins) only.
    """
    query = (
        select(Entry).options(selectinload(Entry.tag_rows)).where(Entry.deleted_at.is_(None), network_filter(viewer))
    )
    if not drafts:
        return query.where(Entry.status == "published")
    query = query.where(Entry.status == "draft")
    if viewer is None:
        return query.where(False)
    if viewer.role == "admin":
        return query
    editor_of = select(entry_editor.c.entry_id).where(entry_editor.c.user_id == viewer.id)
    return query.where(or_(Entry.created_by_id == viewer.id, Entry.id.in_(editor_of)))


def filter_entries(query: Select, kind: str = "", language: str = "", tag: str = "") -> Select:
    """Narrow an entry query by kind, language and tag."""
    if kind:
        query = query.where(Entry.kind == kind)
    if language:
        query = query.where(Entry.language == language)
    if tag:
        query = query.where(Entry.id.in_(select(EntryTag.entry_id).where(EntryTag.name == tag.lower())))
    return query


def paginate(session: Session, query: Select, page: int, per_page: int) -> tuple[list, int]:
    """Return one page of a query's rows and the total count."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(session.scalars(query.limit(per_page).offset((max(page, 1) - 1) * per_page)))
    return rows, total


def tag_counts(session: Session, limit: int = 30, viewer: User | None = None) -> list[tuple[str, int]]:
    """Return the most used tags of the published entries a viewer may see, with their counts."""
    query = (
        select(EntryTag.name, func.count())
        .join(Entry, Entry.id == EntryTag.entry_id)
        .where(Entry.status == "published", Entry.deleted_at.is_(None), network_filter(viewer))
        .group_by(EntryTag.name)
        .order_by(func.count().desc(), EntryTag.name)
        .limit(limit)
    )
    return [(name, count) for name, count in session.execute(query)]
