"""What the index holds for an entry: plain text per field and facet values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..attachments import blob_path
from ..fields import duration_band, format_range
from ..models import Entry

# Words for the audience roles in the interface languages, so "bibliotekarie" finds librarians.
ROLE_WORDS = {
    "municipal-staff": "municipal staff kommunanställda kommunansatte kommuneansatte",
    "librarians": "librarians bibliotekarier bibliotekarer bibliotekar",
    "teachers": "teachers lärare lærere",
    "culture-workers": "culture workers kulturarbetare kulturarbejdere",
    "communicators": "communicators kommunikatörer kommunikatører",
    "project-coordinators": "project coordinators projektsamordnare projektkoordinatorer",
    "facilitators": "facilitators processledare facilitatorer",
    "managers": "managers chefer ledere",
    "experts": "experts experter eksperter",
    "local-stakeholders": "local stakeholders lokala aktörer lokale aktører",
    "elected-officials": "elected officials förtroendevalda politiker",
    "volunteers": "volunteers volontärer frivillige",
}
TEXT_ATTACHMENTS = ("md", "txt", "csv")
MAX_ATTACHMENT_TEXT = 200_000
_MARKUP = re.compile(r"[#*_`>|~\[\]]+|\]\([^)]*\)|<[^>]+>")


@dataclass
class IndexDocument:
    """An entry as the search backends see it."""

    entry_id: int
    revision: int
    slug: str
    title: str
    kind: str
    language: str
    tags: list[str]
    roles: list[str]
    phase: str
    duration: str
    duration_band: str | None
    network: str | None
    created: datetime
    text: str  # summary, purpose, body and the other fields, as plain text
    extra: str = ""  # role words and attachment names and text
    visibility: str = "public"


def plain_text(markdown: str) -> str:
    """Strip Markdown punctuation so snippets read as text."""
    return re.sub(r"[ \t]+", " ", _MARKUP.sub(" ", markdown or "")).strip()


def _attachment_text(entry: Entry, upload_dir: Path | None) -> str:
    parts = []
    for attachment in entry.attachments:
        parts.append(attachment.filename.rsplit(".", 1)[0].replace("-", " ").replace("_", " "))
        ext = attachment.filename.rpartition(".")[2].lower()
        if upload_dir is None or ext not in TEXT_ATTACHMENTS:
            continue
        try:
            raw = blob_path(upload_dir, attachment.sha256).read_bytes()[:MAX_ATTACHMENT_TEXT]
        except OSError:
            continue
        parts.append(raw.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def visibility_of(entry: Entry) -> str:
    """Who may find the entry: "public", or "members:<slug>" for a members-only network's entries."""
    network = entry.network
    return f"members:{network.slug}" if network is not None and network.visibility == "members" else "public"


def document_for(entry: Entry, upload_dir: Path | None = None) -> IndexDocument:
    """Build the index document of a published entry."""
    text = "\n".join(
        part
        for part in (entry.summary, entry.purpose, plain_text(entry.body), entry.when, entry.digital, entry.materials)
        if part
    )
    extra = " ".join(
        [ROLE_WORDS.get(r, r.replace("-", " ")) for r in entry.roles] + [_attachment_text(entry, upload_dir)]
    )
    return IndexDocument(
        entry_id=entry.id,
        revision=entry.revision_number,
        slug=entry.slug,
        title=entry.title,
        kind=entry.kind,
        language=entry.language,
        tags=list(entry.tags),
        roles=list(entry.roles),
        phase=entry.phase,
        duration=format_range(entry.duration_min, entry.duration_max),
        duration_band=duration_band(entry.duration_min, entry.duration_max),
        network=entry.network.slug if entry.network else None,
        created=entry.created_at,
        text=text,
        extra=extra,
        visibility=visibility_of(entry),
    )
