"""What every search backend does, shown on small purpose-made corpora; each test runs on each backend."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from methodbook.search import FACETS, Hit, SearchRequest, SearchResult, Suggestion
from methodbook.search.query import parse_query
from tests.methodbook.search.helpers import apply, doc, rebuild, search
from tests.methodbook.search.test_query import MALFORMED

CEILING = 1.0  # seconds; a guard against hangs, not a benchmark


def ids(result: SearchResult) -> list[int]:
    return [hit.entry_id for hit in result.hits]


def timed(backend, text: str = "", **kwargs) -> SearchResult:
    started = time.perf_counter()
    result = search(backend, text, **kwargs)
    elapsed = time.perf_counter() - started
    assert elapsed < CEILING, f"{text[:40]!r} took {elapsed:.2f} s"
    return result


# -- linguistics: stems, folding, compounds ----------------------------------------------------


@pytest.mark.parametrize(
    "query, text, language",
    [
        ("utvärdering", "Vi gör utvärderingar efter varje träff.", "sv"),
        ("utvärderingar", "En utvärdering efter varje träff.", "sv"),
        ("deltager", "Alle deltagerne får et kort.", "da"),
        ("deltagerne", "Hver deltager får et kort.", "da"),
        ("workshops", "A workshop for the staff.", "en"),
        ("tilbakemeldinger", "Skjemaet gir strukturert tilbakemelding.", "no"),
    ],
)
def test_stemming(backend, query, text, language):
    rebuild(backend, [doc(1, "Ämne", text, language=language), doc(2, "Annat", "Inget av det.", language=language)])
    assert ids(timed(backend, query)) == [1]


def test_plural_finds_singular_title(backend):
    rebuild(backend, [doc(1, "Mötesplats", "Ett ställe att ses på."), doc(2, "Torget", "Ett ställe att ses på.")])
    assert ids(search(backend, "mötesplats")) == [1]


def test_plural_motesplatser_finds_title_motesplats(backend):
    rebuild(backend, [doc(1, "Mötesplats", "Ett ställe att ses på."), doc(2, "Torget", "Ett ställe att ses på.")])
    assert ids(search(backend, "mötesplatser")) == [1]


@pytest.mark.parametrize(
    "query, title, text, language",
    [
        ("utvardering", "Efteråt", "Utvärdering av projektet.", "sv"),
        ("sporgeskema", "Undersøgelse", "Et spørgeskema til brugerne.", "da"),
        ("motesplats", "Mötesplats", "Ett ställe att ses på.", "sv"),
        ("aterkoppling", "Kritisk vän", "Ärlig återkoppling från kollegor.", "sv"),
        ("brugermode", "Brugermøde", "En dag med brugerne.", "da"),
        ("Återkoppling", "Kritisk vän", "Ärlig aterkoppling utan prickar.", "sv"),
    ],
)
def test_diacritics_are_folded(backend, query, title, text, language):
    rebuild(backend, [doc(1, title, text, language=language), doc(2, "Annat", "Inget av det.", language=language)])
    assert ids(timed(backend, query)) == [1]


@pytest.mark.parametrize(
    "query, text",
    [("entre", "Vid bibliotekets entré."), ("varldscafe", "Vi ordnar ett världscafé."), ("alle", "Längs en allé.")],
)
def test_a_final_accent_is_folded(backend, query, text):
    rebuild(backend, [doc(1, "Ämne", text), doc(2, "Annat", "Inget av det.")])
    assert ids(search(backend, query)) == [1]


@pytest.mark.parametrize(
    "part, compound, whole, language",
    [
        ("möte", "Vi planerar ett nätverksmöte i vår.", "Vi planerar ett möte i vår.", "sv"),
        ("bibliotek", "Vi mødes på folkebiblioteket i morgen.", "Vi mødes på et bibliotek i morgen.", "da"),
        ("skema", "Vi sender spørgeskemaer ud i morgen.", "Vi sender et skema ud i morgen.", "da"),
    ],
)
def test_compound_parts_are_found_below_whole_words(backend, part, compound, whole, language):
    rebuild(backend, [
        doc(1, "Första", compound, language=language),
        doc(2, "Andra", whole, language=language),
        doc(3, "Tredje", "Helt annat innehåll här.", language=language),
    ])  # fmt: skip
    assert ids(timed(backend, part)) == [2, 1]


@pytest.mark.parametrize(
    "query, text",
    [("torg", "Vi står på torget."), ("projekt", "Hur gick projektet?"), ("nätverk", "Hela nätverket kom."),
     ("bibliotek", "Vid bibliotekets entré."), ("samtal", "Samtalet tog en timme.")],
)  # fmt: skip
def test_swedish_definite_forms(backend, query, text):
    rebuild(backend, [doc(1, "Ämne", text), doc(2, "Annat", "Inget av det.")])
    assert ids(search(backend, query)) == [1]


def test_a_compound_part_alone_finds_the_compound(backend):
    rebuild(backend, [doc(1, "Dagordning", "Mall för nätverksmöten."), doc(2, "Annat", "Inget av det.")])
    assert ids(search(backend, "möten")) == [1]


def test_title_is_boosted_over_body(backend):
    rebuild(backend, [
        doc(1, "Promenad", "Gruppen gör en walkshop i stadsdelen."),
        doc(2, "Walkshop", "Gruppen gör en promenad i stadsdelen."),
    ])  # fmt: skip
    assert ids(search(backend, "walkshop")) == [2, 1]


def test_tags_count_for_relevance(backend):
    rebuild(backend, [doc(1, "Samtal", "Om fika och annat."), doc(2, "Träff", "Om annat.", tags=["fika"])])
    assert set(ids(search(backend, "fika"))) == {1, 2}


def test_role_words_are_searchable(backend):
    # document_for puts translated role names in extra, so "bibliotekarier" finds an entry for librarians.
    rebuild(backend, [doc(1, "Läsecirkel", "Om böcker.", roles=["librarians"], extra="librarians bibliotekarier")])
    assert ids(search(backend, "bibliotekarier")) == [1]


@pytest.fixture
def question_corpus(backend):
    rebuild(backend, [
        doc(1, "Stakeholders", "A map of the stakeholders.", language="en"),
        doc(2, "Stakeholders", "A map of who the stakeholders are.", language="en"),
        doc(3, "Fika", "Coffee and buns for whoever comes.", language="en"),
    ])  # fmt: skip
    return backend


def test_a_question_finds_entries_without_its_function_words(question_corpus):
    assert ids(search(question_corpus, "stakeholders")) == [1, 2]  # the shorter entry first
    result = timed(question_corpus, "who are the stakeholders")
    assert ids(result) == [2, 1]  # both match; the one with "who" and "are" ranks first
    assert result.notes == []


def test_function_words_alone_are_all_required(question_corpus):
    assert ids(search(question_corpus, "who are")) == [2]
    assert ids(search(question_corpus, "the")) == [1, 2]


def test_a_function_word_does_not_match_on_its_own_beside_other_words(question_corpus):
    assert search(question_corpus, "who zzzzqqq").total == 0
    assert ids(search(question_corpus, '"who the" map')) == [2]  # in a phrase it counts


# -- spelling ----------------------------------------------------------------------------------


@pytest.fixture
def spelling_corpus(backend):
    rebuild(backend, [
        doc(1, "Walkshop", "En workshop till fots genom stadsdelen."),
        doc(2, "Kritisk vän", "Ärlig återkoppling från kollegor."),
        doc(3, "Brugermøde", "En dag hvor brugerne er eksperterne.", language="da"),
    ])  # fmt: skip
    return backend


@pytest.mark.parametrize(
    "typed, meant",
    [("walkshp", "walkshop"), ("walksshop", "walkshop"), ("kollegr", "kollegor"), ("kolegor", "kollegor")],
)
def test_did_you_mean(spelling_corpus, typed, meant):
    result = timed(spelling_corpus, typed)
    assert result.total == 0
    assert result.suggestion == meant


def test_the_suggestion_finds_something(spelling_corpus):
    result = search(spelling_corpus, "walkshp")
    assert ids(search(spelling_corpus, result.suggestion)) == [1]


@pytest.mark.parametrize("query", ["walkshop", "kritisk vän", "brugermøde", "brugermode", "kollegor"])
def test_a_correctly_spelt_query_gets_no_suggestion(spelling_corpus, query):
    result = search(spelling_corpus, query)
    assert result.total > 0
    assert result.suggestion is None


def test_did_you_mean_after_several_commits(backend):
    """Words written by later commits (new segments in Whoosh) are offered as well as the first ones."""
    rebuild(backend, [doc(1, "Kritisk vän", "Ärlig återkoppling från kollegor.")])
    apply(backend, [doc(2, "Walkshop", "En workshop till fots genom stadsdelen.")])
    apply(backend, [doc(3, "Brugermøde", "En dag hvor brugerne er eksperterne.", language="da")])
    assert search(backend, "walkshp").suggestion == "walkshop"
    assert search(backend, "eksprterne").suggestion == "eksperterne"
    assert search(backend, "kolegor").suggestion == "kollegor"


def test_a_compound_nobody_wrote_is_offered_as_two_words_that_find_it(backend):
    rebuild(backend, [
        doc(1, "Dagordning för nätverksmöte", "En mall för dagordningen. Skicka mallen i god tid."),
        doc(2, "Mötesplats", "Ett rum där alla får plats, med en guide som visar runt."),
        doc(3, "Small talk", "Short conversations before the meeting starts.", language="en"),
    ])  # fmt: skip
    result = timed(backend, "dagordningsmall")
    assert result.total == 0
    assert result.suggestion == "dagordning mall"
    assert ids(search(backend, result.suggestion)) == [1]
    assert search(backend, "Mötesplatsguide").suggestion == "mötesplats guide"
    assert search(backend, "fika dagordningsmall").suggestion == "fika dagordning mall"


def test_a_misspelling_is_corrected_before_it_is_split(spelling_corpus):
    # "walksshop" also reads as walk-s-shop, and both words are indexed.
    apply(spelling_corpus, [doc(4, "Walk", "Om att gå."), doc(5, "Shop", "Om en butik.")])
    assert search(spelling_corpus, "walksshop").suggestion == "walkshop"


def test_nonsense_gets_no_suggestion(spelling_corpus):
    result = search(spelling_corpus, "qzxvjk")
    assert result.total == 0
    assert result.suggestion is None


# -- suggestions while typing ------------------------------------------------------------------


@pytest.fixture
def suggest_corpus(backend):
    docs = [
        doc(1, "Kritisk vän", "Återkoppling."),
        doc(2, "Kritiska frågor", "Frågor."),
        doc(3, "Brugermøde", "Brugere.", language="da"),
        doc(4, "Mötesplats", "Ett ställe."),
        doc(5, "Fika med tema", "Kaffe.", tags=["kollegialt lärande"]),
        doc(6, "Kritik i utkast", "Dold.", visibility="draft"),
    ]
    docs += [doc(10 + n, f"Kartläggning {n}", "Karta.") for n in range(12)]
    rebuild(backend, docs)
    return backend


def titles(suggestions: list[Suggestion]) -> set[str]:
    return {s.title for s in suggestions}


@pytest.mark.parametrize("typed", ["", "k", "K", " ", "ö", "*", "-"])
def test_suggest_needs_two_letters(suggest_corpus, typed):
    assert suggest_corpus.suggest(typed) == []


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("kr", {"Kritisk vän", "Kritiska frågor"}),
        ("krit", {"Kritisk vän", "Kritiska frågor"}),
        ("kritisk", {"Kritisk vän", "Kritiska frågor"}),
        ("KRITISKA", {"Kritiska frågor"}),
        ("vä", {"Kritisk vän"}),
        ("va", {"Kritisk vän"}),
        ("bruger", {"Brugermøde"}),
        ("brugermø", {"Brugermøde"}),
        ("brugermo", {"Brugermøde"}),
        ("mötes", {"Mötesplats"}),
        ("motes", {"Mötesplats"}),
        ("kolleg", {"Fika med tema"}),
        ("lära", {"Fika med tema"}),
        ("zz", set()),
    ],
)
def test_suggest_titles_and_tags_folded(suggest_corpus, typed, expected):
    found = suggest_corpus.suggest(typed)
    assert titles(found) == expected
    assert all(isinstance(s, Suggestion) and s.slug for s in found)


def test_suggest_offers_at_most_eight(suggest_corpus):
    assert len(suggest_corpus.suggest("kart")) == 8
    assert len(suggest_corpus.suggest("kart", limit=3)) == 3


def test_suggest_leaves_out_entries_that_are_not_public(suggest_corpus):
    assert "Kritik i utkast" not in titles(suggest_corpus.suggest("kritik"))


def test_suggest_with_two_whole_words(suggest_corpus):
    assert titles(suggest_corpus.suggest("kritisk vän")) == {"Kritisk vän"}


def test_suggest_while_typing_the_second_word(suggest_corpus):
    assert titles(suggest_corpus.suggest("kritisk v")) == {"Kritisk vän"}


def test_suggest_never_raises(suggest_corpus):
    for text in MALFORMED.values():
        assert isinstance(suggest_corpus.suggest(text), list)


# -- query syntax ------------------------------------------------------------------------------


def test_phrase_matches_adjacent_words_only(backend):
    rebuild(backend, [
        doc(1, "Samtal", "En kritisk vän ger ärlig återkoppling."),
        doc(2, "Granskning", "En vän som är kritisk till allt."),
        doc(3, "Annat", "Inget av det."),
    ])  # fmt: skip
    assert ids(timed(backend, '"kritisk vän"')) == [1]
    assert set(ids(search(backend, "kritisk vän"))) == {1, 2}


def test_phrase_of_three_words_needs_them_in_order(backend):
    rebuild(backend, [
        doc(1, "Plan", "Vi arbetar steg för steg mot målet."),
        doc(2, "Plan", "Ett steg för gruppen, och för steg två en paus."),  # every two neighbours, never all three
        doc(3, "Plan", "Steg för steg, i mindre grupper."),
    ])  # fmt: skip
    assert set(ids(timed(backend, '"steg för steg"'))) == {1, 3}
    assert ids(search(backend, '"i mindre grupper"')) == [3]
    assert set(ids(search(backend, 'plan -"steg för steg"'))) == {2}


def test_phrase_of_four_words_needs_them_in_order(backend):
    rebuild(backend, [
        doc(1, "Plan", "Vi arbetar i mindre grupper tillsammans."),
        doc(2, "Plan", "Först i mindre grupper, sedan mindre grupper tillsammans."),  # each three, never all four
    ])  # fmt: skip
    assert ids(timed(backend, '"i mindre grupper tillsammans"')) == [1]
    assert set(ids(search(backend, '"i mindre grupper"'))) == {1, 2}


def test_phrase_does_not_run_from_title_into_text(backend):
    rebuild(backend, [doc(1, "Kritisk", "Vän som lyssnar."), doc(2, "Samtal", "En kritisk vän.")])
    assert ids(search(backend, '"kritisk vän"')) == [2]
    assert ids(search(backend, '"kritisk vän som"')) == []


def test_phrase_in_title(backend):
    rebuild(backend, [doc(1, "Kritisk vän", "Återkoppling."), doc(2, "Vän, kritisk", "Återkoppling.")])
    assert ids(search(backend, '"kritisk vän"')) == [1]


def test_or(backend):
    rebuild(backend, [doc(1, "Fika", "Kaffe."), doc(2, "Walkshop", "Promenad."), doc(3, "Brugermøde", "Dag.")])
    assert set(ids(timed(backend, "fika OR walkshop"))) == {1, 2}
    anded = search(backend, "fika walkshop")
    assert anded.hits == [] or anded.notes  # no entry has both: nothing, or partial matches said to be partial


def test_exclude(backend):
    rebuild(backend, [
        doc(1, "Bibliotek för alla", "Öppet för vuxna."),
        doc(2, "Bibliotek för barn", "Sagostund för barn."),
        doc(3, "Bibliotek för unga vuxna", "Läxhjälp för unga vuxna."),
    ])  # fmt: skip
    assert set(ids(timed(backend, "bibliotek -barn"))) == {1, 3}
    assert ids(search(backend, 'bibliotek -barn -"unga vuxna"')) == [1]


@pytest.fixture
def facet_corpus(backend):
    rebuild(backend, [
        doc(1, "Fika med tema", "Samtal över kaffe.", kind="method", tags=["fika", "dialog"], roles=["librarians"],
            phase="any", duration=20, language="sv"),
        doc(2, "Dagordning", "Mall för nätverksmöte med samtal.", kind="template", tags=["mall", "dialog"],
            roles=["facilitators", "librarians"], phase="before", duration=(30, 90), language="sv"),
        doc(3, "Brugermøde", "En dag med samtal.", kind="method", tags=["dialog", "evaluering"],
            roles=["managers"], phase="during", duration=120, language="da"),
        doc(4, "Vurderingsskjema", "Skjema med samtal.", kind="template", tags=["mal"], roles=["experts"],
            phase="during", language="no"),
        doc(5, "Retrospective", "A conversation, samtal.", kind="write-up", tags=["evaluation"],
            roles=["managers"], phase="after", duration=(45, 75), language="en"),
    ])  # fmt: skip
    return backend


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind:template", {2, 4}),
        ("kind:write-up", {5}),
        ("tag:dialog", {1, 2, 3}),
        ("tag:Dialog", {1, 2, 3}),
        ("lang:da", {3}),
        ("language:no", {4}),
        ("role:librarians", {1, 2}),
        ("phase:during", {3, 4}),
        ("samtal kind:template", {2, 4}),
        ("samtal kind:template lang:no", {4}),
        ("kind:method kind:template", {1, 2, 3, 4}),
        ("kind:plan", set()),
    ],
)
def test_field_filters_in_the_query(facet_corpus, query, expected):
    assert set(ids(timed(facet_corpus, query))) == expected


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"kind": ["template"]}, {2, 4}),
        ({"tag": ["dialog"]}, {1, 2, 3}),
        ({"tag": ["fika", "evaluering"]}, {1, 3}),
        ({"tag": ["dialog"], "kind": ["template"]}, {2}),
        ({"tag": ["dialog", "mal"], "kind": ["template"]}, {2, 4}),
        ({"role": ["librarians", "experts"], "phase": ["during", "before"]}, {2, 4}),
        ({"language": ["sv", "da"], "duration": ["short", "long"]}, {1, 3}),
        ({"duration": ["medium"]}, {2, 5}),
        ({"kind": []}, {1, 2, 3, 4, 5}),
        ({"kind": ["plan"]}, set()),
    ],
)
def test_filters_in_the_request_or_within_and_across(facet_corpus, filters, expected):
    assert set(ids(timed(facet_corpus, "samtal", filters=filters))) == expected
    assert set(ids(search(facet_corpus, "", filters=filters))) == expected


def test_query_filter_and_request_filter_combine(facet_corpus):
    assert set(ids(search(facet_corpus, "kind:template", filters={"language": ["no"]}))) == {4}


def test_facet_counts(facet_corpus):
    result = timed(facet_corpus, "samtal")
    assert result.total == 5
    facets = {name: dict(values) for name, values in result.facets.items()}
    assert facets["kind"] == {"method": 2, "template": 2, "write-up": 1}
    assert facets["tag"] == {"dialog": 3, "fika": 1, "mall": 1, "evaluering": 1, "mal": 1, "evaluation": 1}
    assert facets["role"] == {"librarians": 2, "facilitators": 1, "managers": 2, "experts": 1}
    assert facets["phase"] == {"any": 1, "before": 1, "during": 2, "after": 1}
    assert facets["language"] == {"sv": 2, "da": 1, "no": 1, "en": 1}
    assert facets["duration"] == {"short": 1, "medium": 2, "long": 1}
    for name in ("kind", "tag", "role", "phase", "language", "duration"):
        counts = [n for _, n in result.facets[name]]
        assert counts == sorted(counts, reverse=True), f"{name} facet is not most common first"
    assert set(result.facets) <= set(FACETS)


def test_facet_counts_follow_the_query_and_filters(facet_corpus):
    result = search(facet_corpus, "samtal", filters={"kind": ["template"]})
    assert result.total == 2
    assert dict(result.facets["tag"]) == {"dialog": 1, "mall": 1, "mal": 1}
    assert dict(result.facets["language"]) == {"sv": 1, "no": 1}
    result = search(facet_corpus, "kaffe")
    assert dict(result.facets["kind"]) == {"method": 1}
    assert dict(result.facets["duration"]) == {"short": 1}


@pytest.mark.parametrize("minutes, band", [(20, "short"), (30, "short"), (60, "medium"), (90, "medium"), (120, "long")])
def test_duration_bands(backend, minutes, band):
    rebuild(backend, [doc(1, "Metod", "Samtal.", duration=minutes)])
    result = search(backend, "samtal")
    assert dict(result.facets["duration"]) == {band: 1}
    assert ids(search(backend, "", filters={"duration": [band]})) == [1]
    assert result.hits[0].duration == str(minutes)


# -- order and pages ---------------------------------------------------------------------------


@pytest.fixture
def dated_corpus(backend):
    rebuild(backend, [
        doc(1, "beta", "Samtal om möten.", created=datetime(2024, 3, 1, tzinfo=UTC)),
        doc(2, "Alfa", "Samtal om möten, möten och åter möten.", created=datetime(2023, 1, 1, tzinfo=UTC)),
        doc(3, "Gamma", "Samtal.", created=datetime(2025, 6, 1, 12, tzinfo=UTC)),
        doc(4, "Delta", "Ingenting här.", created=datetime(2025, 6, 1, 13, tzinfo=UTC)),
    ])  # fmt: skip
    return backend


def test_sort_newest(dated_corpus):
    assert ids(timed(dated_corpus, "samtal", sort="newest")) == [3, 1, 2]


def test_sort_title(dated_corpus):
    assert ids(timed(dated_corpus, "samtal", sort="title")) == [2, 1, 3]


def test_sort_relevance(dated_corpus):
    assert ids(search(dated_corpus, "möten"))[0] == 2


def test_an_empty_query_lists_everything_newest_first(dated_corpus):
    result = timed(dated_corpus, "")
    assert result.total == 4
    assert ids(result) == [4, 3, 1, 2]


def test_pagination(backend):
    rebuild(backend, [doc(n, f"Metod {n:02d}", "Samtal i grupp.") for n in range(1, 13)])
    pages = [search(backend, "samtal", sort="title", page=page, per_page=5) for page in (1, 2, 3, 4)]
    assert [p.total for p in pages] == [12, 12, 12, 12]
    assert ids(pages[1]) == [6, 7, 8, 9, 10]
    assert [len(p.hits) for p in pages] == [5, 5, 2, 0]
    assert sorted(i for p in pages for i in ids(p)) == list(range(1, 13))
    assert (pages[1].page, pages[1].per_page) == (2, 5)


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(text="samtal", page=0),
        SearchRequest(text="samtal", page=-3),
        SearchRequest(text="samtal", page=10**9),
        SearchRequest(text="samtal", per_page=0),
        SearchRequest(text="samtal", per_page=10**6),
        SearchRequest(text="samtal", sort="bogus"),
        SearchRequest(text="samtal", filters={"colour": ["red"], "kind": ["<script>"]}),
        SearchRequest(text="samtal", filters={"tag": ["x" * 5000]}),
    ],
    ids=[
        "page 0",
        "negative page",
        "huge page",
        "per_page 0",
        "huge per_page",
        "unknown sort",
        "unknown filter",
        "long filter value",
    ],  # fmt: skip
)
def test_out_of_range_requests_do_not_raise(dated_corpus, request_):
    started = time.perf_counter()
    result = dated_corpus.search(request_)
    assert time.perf_counter() - started < CEILING
    assert isinstance(result, SearchResult)
    assert 0 <= len(result.hits) <= max(result.per_page, 1)
    assert result.page >= 1 and result.per_page >= 1


# -- hits and snippets -------------------------------------------------------------------------


def test_hit_fields(backend):
    rebuild(backend, [doc(7, "Kritisk vän", "Ärlig återkoppling.", kind="method", language="sv",
                          tags=["återkoppling", "kollegialt lärande"], duration=(60, 90), slug="kritisk-van")])  # fmt: skip
    (hit,) = search(backend, "återkoppling").hits
    assert isinstance(hit, Hit)
    assert (hit.entry_id, hit.slug, hit.title, hit.kind, hit.language) == (
        7,
        "kritisk-van",
        "Kritisk vän",
        "method",
        "sv",
    )
    assert hit.tags == ["återkoppling", "kollegialt lärande"]
    assert hit.duration == "60-90"


def test_snippet_marks_the_matched_words(backend):
    rebuild(backend, [doc(1, "Efteråt", "Vi gör utvärderingar efter varje träff, och alla får svara.")])
    (hit,) = timed(backend, "utvärdering").hits
    assert "<mark>utvärderingar</mark>" in hit.snippet
    assert hit.snippet.count("<mark>") == 1


def test_snippet_marks_folded_matches(backend):
    rebuild(backend, [doc(1, "Kritisk vän", "Ärlig återkoppling från kollegor.")])
    assert "<mark>återkoppling</mark>" in search(backend, "aterkoppling").hits[0].snippet


def test_snippet_shows_the_part_with_the_match(backend):
    filler = " ".join(["ord"] * 200)
    rebuild(backend, [doc(1, "Lång", f"{filler} här står walkshop mitt i texten {filler}")])
    snippet = search(backend, "walkshop").hits[0].snippet
    assert "<mark>walkshop</mark>" in snippet
    assert len(snippet) < 600


def test_snippet_escapes_entry_text(backend):
    rebuild(backend, [doc(1, "Farligt", "Om <script>walkshop()</script> & <b>fet</b> här.")])
    snippet = timed(backend, "walkshop").hits[0].snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "<mark>walkshop</mark>" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_a_query_with_markup_is_not_reflected_unescaped(backend):
    rebuild(backend, [doc(1, "Script", "Om script och alert i text.")])
    result = search(backend, "<script>alert(1)</script>")
    for hit in result.hits:
        assert "<script>" not in hit.snippet


# -- malformed input ---------------------------------------------------------------------------


@pytest.fixture
def small_corpus(backend):
    rebuild(backend, [
        doc(1, "Walkshop", "En workshop till fots."),
        doc(2, "Kritisk vän", "Ärlig återkoppling från kollegor."),
        doc(3, "Fika med tema", "Samtal över kaffe."),
    ])  # fmt: skip
    return backend


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_input_gives_results_or_nothing_with_notes(small_corpus, text):
    result = timed(small_corpus, text)
    assert isinstance(result, SearchResult)
    assert result.total >= len(result.hits) >= 0
    expected_notes = parse_query(text).notes
    assert all(note in result.notes for note in expected_notes)


def test_malformed_input_still_searches_what_it_can(small_corpus):
    assert ids(search(small_corpus, '"kritisk vän')) == [2]
    assert set(ids(search(small_corpus, "(fika OR walkshop"))) == {1, 3}
    assert ids(search(small_corpus, "walkshop 🎉\x00")) == [1]
    assert ids(search(small_corpus, "walkshop " * 555)) == [1]


def test_prefix_search(small_corpus):
    assert ids(timed(small_corpus, "walk*")) == [1]
    assert ids(search(small_corpus, "kolleg*")) == [2]
    assert ids(search(small_corpus, "återkopp*")) == [2]
    assert ids(search(small_corpus, "aterkopp*")) == [2]


# -- writing: apply, rebuild, versions, status -------------------------------------------------


def test_apply_adds_updates_and_removes(backend):
    rebuild(backend, [doc(1, "Fika", "Kaffe och samtal.")])
    apply(backend, [doc(2, "Walkshop", "En promenad.")])
    assert backend.versions() == {1: 1, 2: 1}
    assert ids(search(backend, "promenad")) == [2]

    apply(backend, [doc(2, "Walkshop", "En vandring genom staden.", revision=2)])
    assert backend.versions() == {1: 1, 2: 2}
    assert ids(search(backend, "promenad")) == []
    assert ids(search(backend, "vandring")) == [2]
    assert search(backend, "walkshop").total == 1

    apply(backend, [], [1])
    assert backend.versions() == {2: 2}
    assert ids(search(backend, "kaffe")) == []
    assert backend.suggest("fika") == []


def test_apply_adds_and_removes_in_one_call(backend):
    rebuild(backend, [doc(1, "Fika", "Kaffe."), doc(2, "Walkshop", "Promenad.")])
    apply(backend, [doc(3, "Brugermøde", "En dag.", language="da"), doc(1, "Fika", "Te.", revision=5)], [2])
    assert backend.versions() == {1: 5, 3: 1}


def test_apply_is_idempotent(backend):
    for _ in range(3):
        apply(backend, [doc(1, "Fika", "Kaffe.")])
    assert search(backend, "kaffe").total == 1
    apply(backend, [], [99])  # removing what is not there is fine
    assert backend.versions() == {1: 1}


def test_rebuild_replaces_everything(backend):
    assert rebuild(backend, [doc(1, "Fika", "Kaffe."), doc(2, "Walkshop", "Promenad.")]) == 2
    assert rebuild(backend, (d for d in [doc(3, "Brugermøde", "En dag.", language="da")])) == 1
    assert backend.versions() == {3: 1}
    assert search(backend, "kaffe").total == 0
    assert search(backend, "").total == 1
    assert backend.status()["state"] == "ok"


def test_rebuild_reports_progress(backend):
    steps = []
    with backend.writer_lock(blocking=True):
        count = backend.rebuild([doc(n, f"Metod {n}", "Samtal.") for n in range(1, 8)], steps.append)
    assert count == 7
    assert sum(steps) == 7


class FrozenClock:
    """A clock whose strftime always gives the same second, as two quick rebuilds would see it."""

    def strftime(self, fmt: str) -> str:
        return time.strftime(fmt, time.gmtime(1_700_000_000))

    def __getattr__(self, name: str):
        return getattr(time, name)


def test_rebuild_twice_in_one_second(backend, monkeypatch):
    if backend.name == "whoosh":  # it once named the new folder after the second and the pid alone
        monkeypatch.setattr("methodbook.search.whoosh_backend.time", FrozenClock())
    for n in range(3):
        assert rebuild(backend, [doc(n + 1, "Fika", "Kaffe.")]) == 1
    assert backend.versions() == {3: 1}


def test_rebuild_to_empty(backend):
    rebuild(backend, [doc(1, "Fika", "Kaffe.")])
    assert rebuild(backend, []) == 0
    assert backend.versions() == {}
    assert search(backend, "").total == 0
    assert search(backend, "kaffe").hits == []


def test_status(backend):
    rebuild(backend, [doc(1, "Fika", "Kaffe."), doc(2, "Walkshop", "Promenad.")])
    status = backend.status()
    assert status["state"] == "ok"
    assert status.get("documents", 2) == 2


def test_documents_that_are_not_public_are_not_found(backend):
    rebuild(backend, [doc(1, "Fika", "Kaffe."), doc(2, "Fika i utkast", "Kaffe.", visibility="draft")])
    assert ids(search(backend, "kaffe")) == [1]
    assert search(backend, "").total == 1
