"""Writing Atom 1.0 (RFC 4287) documents."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class Item:
    """One feed entry: a permanent address serves as its id."""

    id: str
    title: str
    link: str
    updated: datetime
    published: datetime | None = None
    authors: list[str] = field(default_factory=list)
    summary: str = ""
    categories: list[str] = field(default_factory=list)
    language: str = ""


def timestamp(moment: datetime) -> str:
    """An RFC 3339 time in UTC, as Atom wants it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, text: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def _link(parent: ET.Element, href: str, rel: str = "alternate", type_: str = "text/html") -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"rel": rel, "href": href, "type": type_})


def _author(parent: ET.Element, name: str) -> None:
    author = ET.SubElement(parent, f"{{{ATOM}}}author")
    _text(author, "name", name)


def document(
    feed_id: str, title: str, self_url: str, page_url: str, items: Iterable[Item], language: str, fallback_author: str
) -> bytes:
    """Build the feed; every entry has an author, so the feed needs none of its own beyond the fallback."""
    items = list(items)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: language})
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    updated = max((item.updated for item in items), default=None) or datetime.now(UTC)
    _text(feed, "updated", timestamp(updated))
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, page_url)
    _author(feed, fallback_author)
    _text(feed, "generator", "Dela")
    for item in items:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry", {XML_LANG: item.language} if item.language else {})
        _text(entry, "id", item.id)
        _text(entry, "title", item.title)
        _text(entry, "updated", timestamp(item.updated))
        if item.published is not None:
            _text(entry, "published", timestamp(item.published))
        _link(entry, item.link)
        for name in item.authors or [fallback_author]:
            _author(entry, name)
        for term in item.categories:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": term})
        if item.summary:
            _text(entry, "summary", item.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
