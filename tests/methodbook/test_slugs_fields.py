"""Slugs from Nordic titles, and the duration/group-size range fields."""

from __future__ import annotations

import pytest

from methodbook.errors import ValidationError
from methodbook.fields import duration_band, format_range, parse_range
from methodbook.slugs import MAX_SLUG, is_valid_slug, next_free_slug, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Kritisk vän", "kritisk-van"),
        ("Brugerundersøgelse", "brugerundersogelse"),
        ("Æbleskiver på Ærø", "aebleskiver-pa-aero"),
        ("Lyssnarposter: så gör ni!", "lyssnarposter-sa-gor-ni"),
        ("  Fika   med\ttema \n", "fika-med-tema"),
        ("Walkshop 🚶‍♀️ i stan", "walkshop-i-stan"),
        ("--Dagordning -- för -- möte--", "dagordning-for-mote"),
        ("Café & crème brûlée", "cafe-creme-brulee"),
        ("Straße", "strasse"),
        ("🎉!!!", ""),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_slugify_caps_length_without_trailing_hyphen():
    # The 120th character falls on a word boundary, so a naive cut would end with "-".
    slug = slugify("a" * 119 + " bcd")
    assert len(slug) <= MAX_SLUG
    assert slug == "a" * 119
    assert is_valid_slug(slugify("Lång titel " * 30))


@pytest.mark.parametrize(
    ("slug", "valid"),
    [
        ("kritisk-van", True),
        ("a", True),
        ("metod-2", True),
        ("a" * MAX_SLUG, True),
        ("a" * (MAX_SLUG + 1), False),
        ("", False),
        ("Kritisk-van", False),
        ("kritisk van", False),
        ("kritisk-vän", False),
        ("kritisk--van", False),
        ("-kritisk", False),
        ("kritisk-", False),
        ("kritisk_van", False),
    ],
)
def test_is_valid_slug(slug, valid):
    assert is_valid_slug(slug) is valid


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        (set(), "kritisk-van"),
        ({"kritisk-van"}, "kritisk-van-2"),
        ({"kritisk-van", "kritisk-van-2", "kritisk-van-3"}, "kritisk-van-4"),
        ({"kritisk-van", "kritisk-van-3"}, "kritisk-van-2"),
    ],
)
def test_next_free_slug(taken, expected):
    assert next_free_slug("kritisk-van", taken.__contains__) == expected


def test_next_free_slug_of_long_slug_stays_within_limit():
    slug = "a" * MAX_SLUG
    suggestion = next_free_slug(slug, {slug}.__contains__)
    assert suggestion.endswith("-2")
    assert is_valid_slug(suggestion)


def test_next_free_slug_cut_on_hyphen_is_still_valid():
    slug = "a" * 113 + "-" + "b" * 6
    assert is_valid_slug(slug)
    assert is_valid_slug(next_free_slug(slug, {slug}.__contains__))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45, (45, 45)),
        ("45", (45, 45)),
        ("30-60", (30, 60)),
        ("30 – 60", (30, 60)),
        (" 30 -60 ", (30, 60)),
        ("1", (1, 1)),
        ("1000", (1000, 1000)),
        ("", (None, None)),
        ("   ", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_range_accepts(value, expected):
    assert parse_range(value, "duration", 1000) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("abc", "range such as 30-60"),
        ("30-", "range such as 30-60"),
        ("30-60-90", "range such as 30-60"),
        ("4.5", "range such as 30-60"),
        (True, "range such as 30-60"),
        (False, "range such as 30-60"),
        ("60-30", "ends (30) before it starts (60)"),
        (0, "from 1 to 1000"),
        ("0-10", "from 1 to 1000"),
        (-5, "from 1 to 1000"),
        (1001, "from 1 to 1000"),
        ("10-1001", "from 1 to 1000"),
    ],
)
def test_parse_range_refuses(value, words):
    with pytest.raises(ValidationError) as caught:
        parse_range(value, "duration", 1000)
    (messages,) = caught.value.errors.values()
    assert list(caught.value.errors) == ["duration"]
    assert words in messages[0].render()


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [(None, None, ""), (45, None, "45"), (45, 45, "45"), (30, 60, "30-60")],
)
def test_format_range(low, high, text):
    assert format_range(low, high) == text


@pytest.mark.parametrize("text", ["45", "30-60", "1-100000"])
def test_format_range_round_trips_parse_range(text):
    assert format_range(*parse_range(text, "group_size", 100_000)) == text


@pytest.mark.parametrize(
    ("low", "high", "band"),
    [
        (None, None, None),
        (15, None, "short"),
        (30, 30, "short"),
        (20, 42, "medium"),
        (30, 60, "medium"),
        (90, 90, "medium"),
        (91, None, "long"),
        (60, 180, "long"),
    ],
)
def test_duration_band(low, high, band):
    assert duration_band(low, high) == band
