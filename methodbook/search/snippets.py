"""Highlighted snippets, made the same way for every backend."""

from __future__ import annotations

from bisect import bisect_left
from itertools import islice

from markupsafe import escape

from .text import WORD, stem

WINDOW = 28


def query_stems(plain_words: list[str], language: str) -> set[str]:
    """Stems of the query words as the entry's language stems them."""
    return {stem(w, language) for w in plain_words}


def snippet(text: str, plain_words: list[str], language: str, window: int = WINDOW) -> str:
    """Return escaped HTML of the part of text with most query words, matches in <mark>."""
    text = text or ""
    found = [token.lower() for token in WORD.findall(text)]
    if not found:
        return ""
    wanted = query_stems(plain_words, language)
    # Each distinct word is stemmed once (a text repeats its words), then looked up.
    marked = {word for word in set(found) if stem(word, language) in wanted} if wanted else set()
    hits = [i for i, word in enumerate(found) if word in marked] if marked else []
    start = 0
    if hits:
        # The first window start with the most hits (hits are in order: count them by bisection).
        most = max(range(len(hits)), key=lambda k: bisect_left(hits, hits[k] + window, k) - k)
        start = max(0, hits[most] - 4)
    chosen = list(islice(WORD.finditer(text), start, start + window))
    begin, end = chosen[0].start(), chosen[-1].end()
    out, cursor = [], begin
    hit_set = set(hits)
    for index, match in enumerate(chosen, start=start):
        out.append(str(escape(text[cursor : match.start()])))
        word = str(escape(match.group(0)))
        out.append(f"<mark>{word}</mark>" if index in hit_set else word)
        cursor = match.end()
    prefix = "… " if begin > 0 else ""
    suffix = " …" if end < len(text.rstrip()) else ""
    return prefix + "".join(out).replace("\n", " ") + suffix
