"""The one Markdown path: python-markdown, then bleach with fixed allow-lists."""

from __future__ import annotations

import re
import threading
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter

# Bump when the output of render_markdown changes; cached HTML is re-rendered then.
RENDERER_VERSION = 1

EXTENSIONS = ["extra", "sane_lists"]
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "dl",
        "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
        "mark", "ol", "p", "pre", "s", "small", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"
_LANGUAGE_CLASS = re.compile(r"^language-[a-z0-9+-]{1,30}$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _is_local(url: str) -> bool:
    """Tell whether a URL points into this site (a path, no scheme, no other host)."""
    url = url.strip()
    return bool(url) and not _SCHEME.match(url) and not url.startswith("//") and "\\" not in url


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name in ("href", "title")
    if tag == "img":
        return name in ("alt", "title", "width", "height") or (name == "src" and _is_local(value))
    if tag in ("abbr", "dfn"):
        return name == "title"
    if tag in ("td", "th"):
        return name in ("colspan", "rowspan")
    if tag == "ol":
        return name == "start"
    if tag == "code":
        return name == "class" and bool(_LANGUAGE_CLASS.match(value))
    return False


def _set_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


_CLEANER = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre", "code"})],
)


def sanitize_html(html: str) -> str:
    """Clean HTML down to the allow-lists; links get rel=nofollow noopener ugc."""
    return _CLEANER.clean(html)


_local = threading.local()


def _converter() -> markdown.Markdown:
    # Building a Markdown instance (its extensions and parsers) costs more than converting a short
    # text, so each thread keeps one and resets it between texts.
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    return converter


def render_markdown(text: str) -> str:
    """Render user Markdown to HTML that is safe to show."""
    html = _converter().reset().convert(text or "")
    return sanitize_html(html)


_HEADING = re.compile(r"<(/?)h([1-6])\b")


def shift_headings(html: str, by: int = 1) -> str:
    """Move every heading of sanitized HTML down `by` levels (h6 stays h6), to nest it under another heading."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + by, 6)}", html)
