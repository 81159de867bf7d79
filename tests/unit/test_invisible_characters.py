"""domain.invisible_characters: the table against the Unicode character
database, and where joiners, variation selectors and tags may stand."""

from __future__ import annotations

import re

import pytest
import regex

from domain import invisible_characters as invisible

EVERY_CHARACTER = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"
EYE_IN_BUBBLE = "\U0001f441\ufe0f\u200d\U0001f5e8\ufe0f"
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a ZWNJ inside a word
HINDI = "\u0915\u094d\u200d\u0937"  # a ZWJ inside a conjunct
HEART = "\u2764\ufe0f"


def _matching(pattern: str) -> set[int]:
    return {ord(c) for c in regex.findall(pattern, EVERY_CHARACTER)}


def test_the_table_is_unicodes_format_and_default_ignorable_characters() -> None:
    """Every format character (Cf) and default-ignorable code point, as the
    Unicode version of the `regex` package has them, plus the blank Braille
    pattern: a new Unicode version that adds one fails here (then the table
    and the database's check, a migration, take it in)."""
    expected = _matching(r"[\p{Cf}\p{Default_Ignorable_Code_Point}]") | {0x2800}
    assert set(invisible.INVISIBLE_POINTS) == expected


def test_the_named_groups_are_what_unicode_says() -> None:
    assert set(invisible.points(invisible.BIDI_CONTROLS)) == _matching(r"\p{Bidi_Control}")
    assert set(invisible.points(invisible.VARIATION_SELECTORS)) == _matching(
        r"\p{Variation_Selector}"
    ) - set(range(0x180B, 0x1810))
    assert set(invisible.points(invisible.SPACES)) == {
        cp for cp in range(0x3001) if len(f"a{chr(cp)}b".split()) == 2
    }
    assert invisible.points(invisible.JOINERS + invisible.TAGS) <= invisible.INVISIBLE_POINTS


@pytest.mark.parametrize("cp", sorted(invisible.points(invisible.BIDI_CONTROLS)))
def test_every_bidi_control_is_refused_anywhere(cp: int) -> None:
    for value in (f"{chr(cp)}Jonas", f"Jo{chr(cp)}nas", f"Jonas{chr(cp)}"):
        assert invisible.misplaced(value) == chr(cp)


@pytest.mark.parametrize(
    "value",
    [
        "Jonas",
        "José",
        FAMILY,
        RAINBOW_FLAG,
        EYE_IN_BUBBLE,
        SCOTLAND,
        PERSIAN,
        HINDI,
        HEART,
        f"Team {HEART} {SCOTLAND}",
        "\u845b\U000e0100",
        "1\ufe0f\u20e3",
    ],
)
def test_what_shows_passes(value: str) -> None:
    assert invisible.misplaced(value) is None


@pytest.mark.parametrize(
    ("value", "culprit"),
    [
        ("Jo\u200bnas", "\u200b"),
        ("Jonas\u2060", "\u2060"),
        ("Jo\u00adnas", "\u00ad"),
        ("Jonas\u2800", "\u2800"),
        ("\u3164Jonas", "\u3164"),
        ("Jo\ufeffnas", "\ufeff"),
        ("Jo\u034fnas", "\u034f"),
        ("a\ufff9b\ufffbc", "\ufff9"),
        ("\u200dJonas", "\u200d"),
        ("Jonas\u200c", "\u200c"),
        ("Jo\u200d\u200dnas", "\u200d"),
        ("Jo \u200dnas", "\u200d"),
        ("Jo\u200d nas", "\u200d"),
        ("\ufe0fJonas", "\ufe0f"),
        ("Jonas \ufe0f", "\ufe0f"),
        ("Jo\u200d\ufe0fnas", "\u200d"),
        ("Jonas\U000e0067", "\U000e0067"),
        ("\U000e0067\U000e0062\U000e007f", "\U000e0067"),
        ("\U0001f3f4\U000e0067\U000e0062", "\U000e0067"),
        (f"{SCOTLAND}\U000e007f", "\U000e007f"),
    ],
)
def test_what_shows_nothing_or_stands_alone_is_found(value: str, culprit: str) -> None:
    assert invisible.misplaced(value) == culprit


def test_the_patterns_are_plain_escapes_postgresql_reads_too() -> None:
    """Only \\uXXXX and \\UXXXXXXXX escapes, brackets, ranges, ^, $, | and
    groups: nothing Python's `re` and PostgreSQL's regular expressions read
    differently."""
    for pattern in (*invisible.MISPLACED, invisible.TAG, invisible.FLAG_TAG_SEQUENCE):
        remainder = re.sub(r"\\u[0-9a-f]{4}|\\U[0-9a-f]{8}", "", pattern)
        assert set(remainder) <= set("[]-^$|()+"), remainder
