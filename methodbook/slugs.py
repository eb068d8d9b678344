"""Slugs made from titles, with Nordic letters folded to ASCII."""

from __future__ import annotations

import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 120
_SPECIAL = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ß": "ss", "đ": "d", "ł": "l"})


def fold(text: str) -> str:
    """Lower-case and fold å/ä/ö/æ/ø and other accents to plain ASCII letters."""
    text = text.lower().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(title: str) -> str:
    """Make a URL slug from a title."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")
    return slug[:MAX_SLUG].rstrip("-")


def is_valid_slug(slug: str) -> bool:
    """Tell whether a slug has the allowed shape."""
    return bool(SLUG_RE.match(slug)) and len(slug) <= MAX_SLUG


def next_free_slug(slug: str, taken) -> str:
    """Return slug, or slug-2, slug-3 … whichever ``taken(candidate)`` says is free."""
    if not taken(slug):
        return slug
    stem = slug[: MAX_SLUG - 6].rstrip("-")
    n = 2
    while taken(f"{stem}-{n}"):
        n += 1
    return f"{stem}-{n}"
