"""Reading an unknown compound as two indexed words, for "did you mean"."""

from __future__ import annotations

from methodbook.search.text import compound_split


def counts(**frequency: int):
    """A word list as the backends give it: only the asked words that are indexed."""

    def lookup(parts: set[str]) -> dict[str, int]:
        return {p: frequency[p] for p in parts if p in frequency}

    return lookup


def test_a_joining_s_is_dropped_from_the_head():
    assert compound_split("dagordningsmall", counts(dagordning=3, mall=2)) == "dagordning mall"


def test_the_cut_whose_rarer_part_is_commonest_wins():
    # dagordning|small and dagordning(s)|mall both read; "small" is indexed once, "mall" four times.
    assert compound_split("dagordningsmall", counts(dagordning=3, small=1, mall=4)) == "dagordning mall"
    assert compound_split("dagordningsmall", counts(dagordning=3, small=4, mall=1)) == "dagordning small"


def test_of_equally_common_cuts_the_longer_head_wins():
    assert compound_split("lasecirkelplan", counts(lase=5, cirkelplan=5, lasecirkel=5, plan=5)) == "lasecirkel plan"


def test_the_letters_typed_are_kept():
    assert compound_split("Mötesplatsguide", counts(motesplats=2, guide=2)) == "mötesplats guide"


def test_letters_that_fold_to_two_give_the_folded_parts():
    assert compound_split("kaffestuebænk", counts(kaffestue=2, baenk=1)) == "kaffestue baenk"


def test_both_parts_must_be_indexed():
    assert compound_split("dagordningsmall", counts(dagordning=3)) is None
    assert compound_split("dagordningsmall", counts()) is None


def test_parts_have_at_least_four_letters():
    asked: list[set[str]] = []

    def lookup(parts: set[str]) -> dict[str, int]:
        asked.append(parts)
        return dict.fromkeys(parts, 1)

    assert compound_split("abcdefghij", lookup) is not None
    assert min(len(p) for p in asked[0]) == 4
    assert compound_split("ettorgabc", counts(ett=9, orgabc=9, ettorg=1, abc=9)) is None


def test_short_words_and_words_with_digits_are_not_split():
    assert compound_split("mallplan", counts(mall=1, plan=1)) == "mall plan"
    assert compound_split("mallpla", counts(mall=1, pla=1)) is None
    assert compound_split("mall2plan", counts(mall=1, plan=1)) is None
