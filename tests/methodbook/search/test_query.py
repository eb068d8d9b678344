"""The search box syntax: every input parses, what cannot be understood is dropped with a note."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methodbook.search.query import MAX_CLAUSES, MAX_QUERY, MAX_WORD, Clause, ParsedQuery, parse_query
from methodbook.search.text import words

# Inputs a search box meets that are not well-formed queries; the contract tests run them on each backend too.
MALFORMED = {
    "open quote": '"kritisk vän',
    "quote at end": 'kritisk vän"',
    "three quotes": '"a" "b',
    "round brackets": "(fika OR walkshop",
    "square brackets": "[fika]",
    "curly brackets": "{walkshop}",
    "lone OR": "OR",
    "trailing OR": "fika OR",
    "leading OR": "OR fika",
    "lone minus": "-",
    "lone star": "*",
    "lone AND": "AND",
    "lone pipe": "|",
    "5000 characters": "walkshop " * 555,
    "one long word": "x" * 5000,
    "control characters": "fika\x00\x07\x1b[31m walkshop",
    "emoji": "fika 🎉☕ walkshop",
    "only emoji": "🎉🎉🎉",
    "zero-width space": "fi\u200bka",
    "lone surrogate-like escapes": "\\ud800 fika",
    "sql": "'; DROP TABLE entry; --",
    "html": "<script>alert(1)</script>",
    "only punctuation": "!!! ??? ...",
}


def words_of(groups: list[list[Clause]]) -> list[list[list[str]]]:
    return [[clause.words for clause in group] for group in groups]


def msgids(parsed: ParsedQuery) -> str:
    return " | ".join(note.msgid for note in parsed.notes)


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_input_parses(text):
    parsed = parse_query(text)
    assert isinstance(parsed, ParsedQuery)
    assert len(parsed.groups) <= MAX_CLAUSES


@pytest.mark.parametrize(
    "text, expected_groups, note_word",
    [
        ('"kritisk vän', [[["kritisk", "vän"]]], "quotation"),
        ('fika "kritisk vän', [[["fika"]], [["kritisk", "vän"]]], "quotation"),
        ("(fika OR walkshop", [[["fika"], ["walkshop"]]], "Brackets"),
        ("[fika] {walkshop}", [[["fika"]], [["walkshop"]]], "Brackets"),
        ("OR", [], "OR"),
        ("fika OR", [[["fika"]]], "OR"),
        ("OR fika", [[["fika"]]], "OR"),
        ("-", [], "on its own"),
        ("*", [], "on its own"),
        ("fika - walkshop", [[["fika"]], [["walkshop"]]], "on its own"),
    ],
    ids=[
        "open quote",
        "open quote after word",
        "bracket",
        "brackets",
        "lone OR",
        "trailing OR",
        "leading OR",
        "lone minus",
        "lone star",
        "minus between words",
    ],  # fmt: skip
)
def test_what_cannot_be_understood_is_dropped_with_a_note(text, expected_groups, note_word):
    parsed = parse_query(text)
    assert words_of(parsed.groups) == expected_groups
    assert note_word in msgids(parsed)


@pytest.mark.parametrize("text", ["AND", "+", "&&"])
def test_lone_and_gets_a_note(text):
    parsed = parse_query(text)
    assert parsed.is_empty
    assert parsed.notes


def test_and_between_words_is_the_default_and_needs_no_note():
    parsed = parse_query("fika AND walkshop")
    assert words_of(parsed.groups) == [[["fika"]], [["walkshop"]]]
    assert parsed.notes == []


def test_a_long_input_is_truncated_with_a_note():
    parsed = parse_query("walkshop " * 555)
    assert len("walkshop " * 555) > 5000 - 10
    assert str(MAX_QUERY) in str([note.params for note in parsed.notes])
    assert "long" in msgids(parsed)
    # Only the first words are used, and that is said too.
    assert len(parsed.groups) == MAX_CLAUSES
    assert "first" in msgids(parsed)


def test_a_long_word_is_cut():
    parsed = parse_query("x" * 5000)
    assert parsed.notes
    assert [len(w) for w in parsed.plain_words()] == [MAX_WORD]


@pytest.mark.parametrize("text", ["fika\x00\x07\x1b walkshop", "fika 🎉☕ walkshop", "fika\u200bwalkshop"])
def test_control_characters_and_emoji_are_dropped_with_a_note(text):
    parsed = parse_query(text)
    assert words_of(parsed.groups) == [[["fika"]], [["walkshop"]]]
    assert "Symbols" in msgids(parsed)


def test_only_emoji_gives_an_empty_query_with_a_note():
    parsed = parse_query("🎉🎉🎉")
    assert parsed.is_empty
    assert parsed.notes


@pytest.mark.parametrize("text", [None, "", "   "])
def test_empty_input(text):
    parsed = parse_query(text)
    assert parsed.is_empty
    assert parsed.notes == []


def test_tabs_and_newlines_are_spaces():
    parsed = parse_query("fika\twalkshop\n")
    assert words_of(parsed.groups) == [[["fika"]], [["walkshop"]]]
    assert parsed.notes == []


def test_words_are_anded_as_separate_groups():
    parsed = parse_query("Kritisk Vän")
    assert words_of(parsed.groups) == [[["kritisk"]], [["vän"]]]
    assert parsed.notes == []


def test_a_quoted_phrase_is_one_clause():
    parsed = parse_query('"kritisk vän" återkoppling')
    assert words_of(parsed.groups) == [[["kritisk", "vän"]], [["återkoppling"]]]
    assert parsed.groups[0][0].is_phrase
    assert not parsed.groups[1][0].is_phrase
    assert parsed.notes == []


@pytest.mark.parametrize(
    "text, required, optional",
    [
        ("who are the stakeholders", [[["stakeholders"]]], [[["who"]], [["are"]], [["the"]]]),
        ("hur får vi återkoppling", [[["får"]], [["återkoppling"]]], [[["hur"]], [["vi"]]]),
        ("hvordan evaluerer vi", [[["evaluerer"]]], [[["hvordan"]], [["vi"]]]),
        ("mote pa biblioteket", [[["mote"]], [["biblioteket"]]], [[["pa"]]]),  # på, typed without å
        ("Och fika", [[["fika"]]], [[["och"]]]),
    ],
)
def test_function_words_are_optional_beside_other_words(text, required, optional):
    parsed = parse_query(text)
    assert words_of(parsed.required_groups) == required
    assert words_of(parsed.optional_groups) == optional
    assert len(parsed.groups) == len(required) + len(optional)
    assert [w.lower() for w in parsed.plain_words()] == words(text)  # suggestions keep the order typed


@pytest.mark.parametrize(
    "text",
    [
        "och",
        "the and of",
        '"who are" stakeholders',
        "the* stakeholders",
        "who OR stakeholders",
        "who OR stakeholders map",
        "vi -fika",
    ],
)
def test_function_words_are_required_alone_in_phrases_prefixes_and_or(text):
    parsed = parse_query(text)
    assert parsed.optional_groups == []
    assert parsed.required_groups == parsed.groups


def test_a_hyphenated_word_is_a_phrase():
    parsed = parse_query("kritisk-vän")
    assert words_of(parsed.groups) == [[["kritisk", "vän"]]]


def test_or_joins_neighbours_into_one_group():
    parsed = parse_query("fika OR walkshop lyssnarposter")
    assert words_of(parsed.groups) == [[["fika"], ["walkshop"]], [["lyssnarposter"]]]
    assert parsed.notes == []


def test_or_chains_and_phrases():
    parsed = parse_query('"kritisk vän" OR "critical friend" OR feedback')
    assert words_of(parsed.groups) == [[["kritisk", "vän"], ["critical", "friend"], ["feedback"]]]


def test_minus_excludes_words_and_phrases():
    parsed = parse_query('bibliotek -barn -"unga vuxna"')
    assert words_of(parsed.groups) == [[["bibliotek"]]]
    assert [c.words for c in parsed.excluded] == [["barn"], ["unga", "vuxna"]]
    assert parsed.notes == []


def test_field_filters():
    parsed = parse_query("kind:template tag:Mall lang:sv role:librarians phase:before dagordning")
    assert parsed.filters == {
        "kind": ["template"],
        "tag": ["mall"],
        "language": ["sv"],
        "role": ["librarians"],
        "phase": ["before"],
    }
    assert words_of(parsed.groups) == [[["dagordning"]]]


def test_field_names_are_case_insensitive_and_repeatable():
    parsed = parse_query("LANG:DA language:no Tag:fika tag:dialog")
    assert parsed.filters == {"language": ["da", "no"], "tag": ["fika", "dialog"]}
    assert parsed.is_empty


def test_an_unknown_field_is_searched_as_words():
    parsed = parse_query("author:anna")
    assert parsed.filters == {}
    assert parsed.plain_words() == ["author", "anna"]


def test_a_quoted_field_value_may_have_spaces():
    parsed = parse_query('tag:"kollegialt lärande" fika')
    assert parsed.filters == {"tag": ["kollegialt lärande"]}
    assert words_of(parsed.groups) == [[["fika"]]]


def test_prefix():
    parsed = parse_query("walk*")
    assert parsed.groups == [[Clause(words=["walk"], prefix=True)]]
    assert parsed.plain_words() == ["walk"]


def test_a_one_letter_prefix_is_a_plain_word():
    assert parse_query("w*").groups == [[Clause(words=["w"], prefix=False)]]


def test_text_is_normalised_to_nfc():
    decomposed = "va\u0308n"  # "vän" with a combining diaeresis
    assert parse_query(decomposed).plain_words() == ["vän"]


SYNTAX = st.sampled_from(['"', "-", "*", "OR", "AND", "(", ")", ":", "tag:", "kind:x", "|", "+", "&&", "\x00", "🎉"])
WORDS = st.sampled_from(["kritisk", "vän", "möte", "spørgeskema", "walk", "x" * 70, "", " "])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(SYNTAX, WORDS, st.text(max_size=5)), max_size=40).map(" ".join)))
def test_any_text_parses_without_raising(text):
    parsed = parse_query(text)
    assert isinstance(parsed, ParsedQuery)
    assert len(parsed.groups) <= MAX_CLAUSES
    for clause in [c for group in parsed.groups for c in group] + parsed.excluded:
        assert clause.words
        assert all(0 < len(w) <= MAX_WORD for w in clause.words)
    assert all(values for values in parsed.filters.values())
