"""The method book as Markdown files with YAML front matter: import (upsert by slug) and export."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from .attachments import DEFAULT_MAX_BYTES, StoredFile, blob_path, store_path
from .entries import (
    FIELDS,
    OPTIONAL_FIELDS,
    EntryData,
    create_entry,
    data_snapshot,
    snapshot,
    update_entry,
    validate_entry_data,
)
from .errors import UploadRefused, ValidationError
from .models import Entry

_DELIMITER = "---"
# libyaml's loader when the C extension is there: the pure-Python one costs several ms a file.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BATCH = 500


@dataclass
class ContentError(Exception):
    """A content file that cannot be imported, with where and why."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class ParsedFile:
    """A content file read and validated, ready to upsert."""

    path: Path
    data: EntryData
    attachment_paths: list[Path]


@dataclass
class ImportReport:
    """What an import did, file by file."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[ContentError] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed"
        )


def _key_line(front: str, key: str) -> int:
    """Return the file line of a top-level key (front matter starts on line 2)."""
    for number, line in enumerate(front.splitlines(), start=2):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return 1


def split_front_matter(text: str, path: Path) -> tuple[str, str]:
    """Split a file's text into its front matter and body."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != _DELIMITER:
        raise ContentError(path, 1, "the file does not start with '---' front matter")
    for index in range(1, len(lines)):
        if lines[index].strip() == _DELIMITER:
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]).strip("\n")
    raise ContentError(path, 1, "the front matter has no closing '---'")


def parse_file(path: Path) -> ParsedFile:
    """Read and validate one content file, or raise ContentError with file, line and reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(path, 1, f"cannot read the file as UTF-8: {exc}") from exc
    front, body = split_front_matter(text, path)
    try:
        meta = yaml.load(front, Loader=_Loader) or {}  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        # An unclosed list or quote is noticed lines later; the context mark says where it opened.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(path, line, f"invalid YAML: {problem}") from exc
    if not isinstance(meta, dict):
        raise ContentError(path, 2, "the front matter is not a set of 'key: value' lines")
    unknown = [key for key in meta if key not in FIELDS]
    if unknown:
        raise ContentError(
            path, _key_line(front, str(unknown[0])), f"unknown key '{unknown[0]}'; known keys: {', '.join(FIELDS)}"
        )
    raw = dict(meta)
    raw.setdefault("slug", path.stem)
    raw["body"] = body
    try:
        data = validate_entry_data(raw)
    except ValidationError as exc:
        name, messages = next(iter(exc.errors.items()))
        raise ContentError(path, _key_line(front, name), f"{name}: {messages[0].render()}") from exc
    names = meta.get("attachments") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ContentError(path, _key_line(front, "attachments"), "attachments must be a list of file names")
    attachment_paths = []
    for name in names:
        candidates = [path.parent / data.slug / name, path.parent / path.stem / name]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None or "/" in name or "\\" in name or name.startswith("."):
            raise ContentError(
                path, _key_line(front, "attachments"), f"attachment '{name}' not found in {candidates[0].parent}"
            )
        attachment_paths.append(found)
    return ParsedFile(path, data, attachment_paths)


def find_content_files(directory: Path) -> list[Path]:
    """List the .md files below a folder, in a stable order."""
    return sorted(
        p for p in Path(directory).rglob("*.md") if p.is_file() and not any(part.startswith(".") for part in p.parts)
    )


def iter_import(
    session: Session,
    directory: Path,
    upload_dir: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[tuple[Path, str, ContentError | None]]:
    """Upsert every entry file below a folder by slug; yield (path, outcome, error) per file.

    Outcomes are created, updated, unchanged or failed. The caller commits (for instance after
    each yield or every hundred); a failed file changes nothing.
    """
    parsed = _parse_all(find_content_files(directory))
    for start in range(0, len(parsed), _BATCH):
        batch = parsed[start : start + _BATCH]
        slugs = [item.data.slug for item in batch if isinstance(item, ParsedFile)]
        existing = {e.slug: e for e in session.scalars(select(Entry).where(Entry.slug.in_(slugs)))} if slugs else {}
        with session.no_autoflush:
            for item in batch:
                if isinstance(item, ContentError):
                    yield item.path, "failed", item
                    continue
                try:
                    outcome = _upsert(session, item, existing.get(item.data.slug), upload_dir, max_bytes)
                except UploadRefused as exc:
                    reason = f"attachment {exc.filename}: {exc.message.render()}"
                    yield item.path, "failed", ContentError(item.path, 1, reason)
                    continue
                yield item.path, outcome, None
        session.flush()


def _parse_all(paths: list[Path]) -> list[ParsedFile | ContentError]:
    """Parse every file; drop attached Markdown files; refuse a slug that two files claim."""
    parsed: list[ParsedFile | ContentError] = []
    for path in paths:
        try:
            parsed.append(parse_file(path))
        except ContentError as exc:
            parsed.append(exc)
    # A Markdown file listed as another entry's attachment is a file, not an entry.
    attached = {p.resolve() for item in parsed if isinstance(item, ParsedFile) for p in item.attachment_paths}
    owners: dict[str, Path] = {}
    result: list[ParsedFile | ContentError] = []
    for item in parsed:
        if item.path.resolve() in attached:
            continue
        if isinstance(item, ParsedFile):
            first = owners.setdefault(item.data.slug, item.path)
            if first != item.path:
                item = ContentError(item.path, 1, f"slug '{item.data.slug}' is already used by {first}")
        result.append(item)
    return result


def _upsert(session: Session, item: ParsedFile, entry: Entry | None, upload_dir: Path, max_bytes: int) -> str:
    files: list[StoredFile] = [store_path(p, upload_dir, p.name, max_bytes) for p in item.attachment_paths]
    message = f"Imported from {item.path.name}"
    if entry is None:
        create_entry(session, item.data, None, files, message, render=False)
        return "created"
    if data_snapshot(item.data, files) == snapshot(entry):
        return "unchanged"
    update_entry(session, entry, item.data, None, files, message, render=False)
    return "updated"


def import_directory(
    session: Session,
    directory: Path,
    upload_dir: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_file: Callable[[Path, str], None] | None = None,
) -> ImportReport:
    """Import a whole folder and return the report; the caller commits."""
    report = ImportReport()
    for path, outcome, error in iter_import(session, directory, upload_dir, max_bytes):
        if error is not None:
            report.failed.append(error)
        else:
            getattr(report, outcome).append(str(path))
        if on_file:
            on_file(path, outcome)
    return report


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key; multi-line text as literal blocks."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def front_matter(snap: dict) -> str:
    """Write an entry's fields as front matter text, keys in the fixed order."""
    meta = {}
    for name in FIELDS:
        value = snap[name]
        if name in OPTIONAL_FIELDS and not value:
            continue
        if name == "attachments":
            value = [a["filename"] for a in value]
        elif name in ("duration", "group_size") and value.isdecimal():
            value = int(value)
        meta[name] = value
    return yaml.dump(meta, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10**9, default_flow_style=False)


def entry_file_text(entry: Entry) -> str:
    """Return the full text of an entry's content file."""
    snap = snapshot(entry)
    body = snap["body"].strip("\n")
    return (
        f"{_DELIMITER}\n{front_matter(snap)}{_DELIMITER}\n{body}\n"
        if body
        else f"{_DELIMITER}\n{front_matter(snap)}{_DELIMITER}\n"
    )


def export_directory(session: Session, directory: Path, upload_dir: Path, published_only: bool = False) -> int:
    """Write every entry not in the trash (optionally only published ones) to a folder."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    query = select(Entry).where(Entry.deleted_at.is_(None)).order_by(Entry.slug)
    if published_only:
        query = query.where(Entry.status == "published")
    count = 0
    for entry in session.scalars(query):
        (directory / f"{entry.slug}.md").write_text(entry_file_text(entry), encoding="utf-8", newline="\n")
        if entry.attachments:
            folder = directory / entry.slug
            folder.mkdir(exist_ok=True)
            for attachment in entry.attachments:
                shutil.copyfile(blob_path(upload_dir, attachment.sha256), folder / attachment.filename)
        count += 1
    return count
