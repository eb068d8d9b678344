"""Text analysis shared by the backends: folding, Snowball stems per language, compound parts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache

from whoosh.lang import stemmer_for_language, stopwords_for_language

from ..slugs import fold

LANGUAGES = ("sv", "da", "no", "en")
WORD = re.compile(r"\w+(?:[-']\w+)*", re.UNICODE)
MIN_PART = 4
MIN_COMPOUND = 8
# Letters that join the parts of a Nordic compound: nätverk-s-möte, børn-e-bog.
LINKS = ("s", "e")


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    names = ("swedish", "danish", "norwegian", "english")
    return frozenset(fold(w) for name in names for w in stopwords_for_language(name))


def is_function_word(word: str) -> bool:
    """Tell whether a word is one of Snowball's stop words (och, og, the, hur, hvordan, who …) in
    any of the four languages, compared folded."""
    return fold(word) in _function_words()


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return stemmer_for_language({"no": "norwegian", "sv": "swedish", "da": "danish", "en": "english"}[language])


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """Return the folded Snowball stem of a lower-case word in a language."""
    return fold(_stemmer(language)(word))


def words(text: str) -> list[str]:
    """Split text into lower-case words; hyphenated words stay whole and are split too."""
    found = []
    for match in WORD.finditer(unicodedata.normalize("NFC", text or "").lower()):
        token = match.group(0).replace("_", "")
        if not token:
            continue
        found.append(token)
        if "-" in token:
            found.extend(part for part in token.split("-") if part)
    return found


def stems(text: str, language: str) -> list[str]:
    """Return the folded stems of every word, in the given language."""
    return [stem(w, language) for w in words(text)]


def compound_parts(word: str, language: str) -> set[str]:
    """Return stems of the leading and trailing parts of a long word.

    Swedish and Danish write compounds as one word (nätverksmöte, folkebiblioteket); no stemmer
    splits them. Indexing every head and tail of at least four letters lets a search for one part
    (möte, bibliotek, skema) find the compound, at a lower weight than a whole-word match.
    """
    folded = fold(word)
    if len(folded) < MIN_COMPOUND or not folded.isalpha():
        return set()
    parts = set()
    for cut in range(MIN_PART, len(folded) - MIN_PART + 1):
        head, tail = word[:cut], word[cut:]
        parts.add(stem(tail, language))
        parts.add(stem(head, language))
        if head[-1:] in LINKS and len(head) > MIN_PART:
            parts.add(stem(head[:-1], language))
    whole = stem(word, language)
    return {p for p in parts if len(p) >= MIN_PART - 1 and p != whole}


def compound_split(word: str, frequency: Callable[[set[str]], Mapping[str, int]]) -> str | None:
    """Read a long word that no document has as two indexed words: ``dagordningsmall`` →
    ``dagordning mall``.

    A query word is not split into parts the way an indexed word is (that would match far too
    much), so a compound nobody wrote finds nothing. Every cut leaving two parts of at least four
    letters is tried, with and without a joining s or e on the head; ``frequency`` tells how often
    each folded part is indexed. The cut whose rarer part is the most common wins, then the
    longer head. The parts keep the letters the user typed where each folds to one letter.
    """
    folded = fold(word)
    if len(folded) < MIN_COMPOUND or not folded.isalpha():
        return None
    cuts = []
    for cut in range(MIN_PART, len(folded) - MIN_PART + 1):
        cuts.append((cut, cut))
        if folded[cut - 1] in LINKS and cut > MIN_PART:
            cuts.append((cut - 1, cut))
    counts = frequency({folded[:end] for end, _ in cuts} | {folded[start:] for _, start in cuts})
    ranked = [(min(counts.get(folded[:end], 0), counts.get(folded[start:], 0)), end, start) for end, start in cuts]
    found, end, start = max(ranked)
    if not found:
        return None
    letters = word.lower()
    if not all(len(fold(c)) == 1 for c in letters):
        letters = folded
    return f"{letters[:end]} {letters[start:]}"


def part_terms(text: str, language: str) -> list[str]:
    """Return the compound parts of every long word in text, and definite forms without ending."""
    terms: list[str] = []
    for w in words(text):
        terms.extend(sorted(compound_parts(w, language)))
        ending = next((e for e in DEFINITE if w.endswith(e)), "") if language != "en" else ""
        if ending and len(w) - len(ending) >= 4 and w.isalpha():
            terms.append(stem(w[: -len(ending)], language))
    return terms


# Definite endings the Swedish, Danish and Norwegian stemmers leave on (torget, projektet).
DEFINITE = ("ets", "ens", "et", "en")


def query_variants(word: str) -> set[str]:
    """Return the terms a query word matches: its stems in every language, stemmed once more,
    and the folded word itself.

    Snowball is not idempotent (mötesplatser → motesplats, mötesplats → motesplat), so the stem
    of the stem is tried too; the folded word catches words whose accent decides the stem
    (entré → entre, but entre → entr).
    """
    variants = {fold(word)}
    for language in LANGUAGES:
        first = stem(word, language)
        variants.update((first, stem(first, language)))
    return variants
