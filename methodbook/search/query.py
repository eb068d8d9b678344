"""The search box's syntax, parsed so that no input fails.

Words are ANDed; ``"quoted phrases"``; ``OR`` between two items; ``-word`` or ``-"phrase"``
excludes; ``field:value`` filters (kind, tag, lang, role, phase). Whatever cannot be understood
is dropped with a note, and the rest is searched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import Message
from ..i18n import N_
from .text import is_function_word, words

MAX_QUERY = 500
MAX_CLAUSES = 12
MAX_WORD = 60
FIELD_ALIASES = {
    "kind": "kind",
    "tag": "tag",
    "lang": "language",
    "language": "language",
    "role": "role",
    "phase": "phase",
}
_TOKEN = re.compile(r'\w+:"[^"]*"?|-?"[^"]*"?|\S+')


@dataclass
class Clause:
    """One thing to match: a word, or a phrase of several words."""

    words: list[str]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


def _is_function_word(clause: Clause) -> bool:
    """A single plain word (no prefix, no phrase) that is a function word."""
    return not clause.prefix and not clause.is_phrase and is_function_word(clause.words[0])


@dataclass
class ParsedQuery:
    """AND of groups; each group is an OR of clauses. Plus exclusions and field filters.

    Groups that are only a function word (``who``, ``är``, ``hvordan``) are optional when the
    query has other groups: an entry need not have them, but ranks higher if it does. A question
    typed as a sentence then finds the entries that have its other words.
    """

    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    notes: list[Message] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def _split(self) -> tuple[list[list[Clause]], list[list[Clause]]]:
        required, optional = [], []
        for group in self.groups:
            (optional if len(group) == 1 and _is_function_word(group[0]) else required).append(group)
        return (required, optional) if required else (optional, [])

    @property
    def required_groups(self) -> list[list[Clause]]:
        """The groups every match must have (all of them when every group is a function word)."""
        return self._split()[0]

    @property
    def optional_groups(self) -> list[list[Clause]]:
        """The groups that only add to the rank of the matches that have them."""
        return self._split()[1]

    def plain_words(self) -> list[str]:
        """Every positive word, for spelling suggestions and highlighting."""
        return [w for group in self.groups for clause in group for w in clause.words]


def _clean(text: str) -> tuple[str, bool]:
    """Drop control characters and symbols (emoji); say whether anything was dropped."""
    kept, dropped = [], False
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if ch in "\t\r\n":
            kept.append(" ")
        elif category[0] == "C" or category in ("So", "Sk", "Cs"):
            dropped = True
            kept.append(" ")
        else:
            kept.append(ch)
    return "".join(kept), dropped


def _note(parsed: ParsedQuery, msgid: str, **params) -> None:
    message = Message(msgid, params)
    if message not in parsed.notes:
        parsed.notes.append(message)


def _clause(token: str) -> Clause | None:
    """Make a clause of a token: a word, a quoted phrase, or a hyphenated word as a phrase."""
    found = [w[:MAX_WORD] for w in words(token.strip('"*')) if "-" not in w]
    if not found:
        return None
    return Clause(words=found, prefix=token.endswith("*") and len(found) == 1 and len(found[0]) >= 2)


def parse_query(text: str | None) -> ParsedQuery:
    """Parse the search box; never raises."""
    parsed = ParsedQuery()
    text = text or ""
    if len(text) > MAX_QUERY:
        text = text[:MAX_QUERY]
        _note(parsed, N_("Your search was long, so only its first %(n)s characters were used."), n=MAX_QUERY)
    text, dropped = _clean(text)
    if dropped:
        _note(parsed, N_("Symbols and control characters were left out of the search."))
    if text.count('"') % 2:
        _note(parsed, N_("A quotation mark was not closed; the rest was searched as a phrase."))
    if any(ch in text for ch in "()[]{}"):
        _note(parsed, N_("Brackets are not needed; they were ignored."))
        text = re.sub(r"[()\[\]{}]", " ", text)
    pending_or = False
    for token in _TOKEN.findall(text):
        upper = token.upper()
        if upper in ("OR", "|", "||"):
            pending_or = bool(parsed.groups)
            if not pending_or:
                _note(parsed, N_("OR needs something on both sides; it was ignored."))
            continue
        if upper in ("AND", "&&", "+"):
            if not parsed.groups:
                _note(parsed, N_("An operator on its own (%(op)s) was ignored."), op=token)
            continue
        if token.startswith("-") and len(token) > 1:
            clause = _clause(token[1:])
            if clause:
                parsed.excluded.append(clause)
            continue
        name, sep, value = token.partition(":")
        if sep and name.lower() in FIELD_ALIASES and value.strip('"'):
            parsed.filters.setdefault(FIELD_ALIASES[name.lower()], []).append(value.strip('"').lower())
            continue
        clause = _clause(token)
        if clause is None:
            if token.strip("*-+|&\"'") == "" and token.strip():
                _note(parsed, N_("An operator on its own (%(op)s) was ignored."), op=token)
            continue
        if pending_or and parsed.groups:
            parsed.groups[-1].append(clause)
        else:
            parsed.groups.append([clause])
        pending_or = False
    if pending_or:
        _note(parsed, N_("OR needs something on both sides; it was ignored."))
    if len(parsed.groups) > MAX_CLAUSES:
        parsed.groups = parsed.groups[:MAX_CLAUSES]
        _note(parsed, N_("Only the first %(n)s words were used."), n=MAX_CLAUSES)
    return parsed
