"""domain.validation: the small value checks every entity relies on."""

from __future__ import annotations

import pytest

from domain import validation
from domain.errors import ValidationFailed

# -- text ------------------------------------------------------------------------


def test_text_collapses_inner_whitespace_and_trims() -> None:
    assert validation.text("name", "  Ada \t\n  Lovelace  ", max_length=50) == "Ada Lovelace"


INVISIBLE = ["\u200b", "\u2060", "\u00ad", "\ufeff", " \u200b\u200d ", "\u3164", "\u2800"]


@pytest.mark.parametrize("blank", ["", "   ", "\t\n ", *INVISIBLE])
def test_text_blank_is_required(blank: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validation.text("name", blank, max_length=10)
    assert caught.value.code == "REQUIRED"
    assert caught.value.field == "name"
    assert "name" in caught.value.message


def test_text_blank_allowed_when_not_required() -> None:
    assert validation.text("nickname", "   ", max_length=10, required=False) == ""


def test_text_exactly_max_length_is_fine() -> None:
    assert validation.text("name", "x" * 10, max_length=10) == "x" * 10


def test_text_too_long() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validation.text("name", "x" * 11, max_length=10)
    assert caught.value.code == "TOO_LONG"
    assert caught.value.field == "name"
    assert "10" in caught.value.message


def test_text_length_is_measured_after_collapsing() -> None:
    assert validation.text("name", "  a     b  ", max_length=3) == "a b"


def test_long_text_keeps_line_breaks_and_trims_ends() -> None:
    assert validation.long_text("mission", "  one\n\ntwo  ", max_length=100) == "one\n\ntwo"


def test_long_text_may_be_empty() -> None:
    assert validation.long_text("mission", "  \n ", max_length=100) == ""


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_long_text_of_invisible_characters_is_empty(invisible: str) -> None:
    assert validation.long_text("note", invisible, max_length=100) == ""


def test_text_keeps_invisible_characters_inside_words() -> None:
    """A zero-width joiner is part of an emoji; only a text of nothing else is blank."""
    family = "\U0001f469\u200d\U0001f467"
    assert validation.text("name", f" Ada {family} ", max_length=50) == f"Ada {family}"
    assert validation.long_text("note", "soft\u00adhyphen", max_length=50) == "soft\u00adhyphen"


def test_long_text_too_long() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validation.long_text("mission", "x" * 101, max_length=100)
    assert caught.value.code == "TOO_LONG"
    assert caught.value.field == "mission"


# -- handle ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["a", "7", "ada", "ada.lovelace", "ada_l", "ada-l", "a1.b2_c3-d4", "x" * 32, "a-b", "a..b"],
)
def test_valid_handles(value: str) -> None:
    assert validation.handle(value) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Ada", "ada"), ("  ADA.Lovelace ", "ada.lovelace"), ("MiXeD-42", "mixed-42")],
)
def test_handles_are_trimmed_and_lowercased(value: str, expected: str) -> None:
    assert validation.handle(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "x" * 33,
        "-ada",
        "ada-",
        ".ada",
        "ada.",
        "_ada",
        "ada_",
        "ada lovelace",
        "ada@home",
        "émile",
        "ada/1",
        "a\nb",
    ],
)
def test_invalid_handles(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validation.handle(value)
    assert caught.value.code == "INVALID_HANDLE"
    assert caught.value.field == "handle"


# -- email -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ada@example.com", "ada@example.com"),
        ("  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"),
        ("a+tag@sub.example.org", "a+tag@sub.example.org"),
    ],
)
def test_valid_emails_are_trimmed_and_lowercased(value: str, expected: str) -> None:
    assert validation.email(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada@@example.com",
        "a@b@example.com",
        "ada lovelace@example.com",
        "ada@exa mple.com",
        "a@" + "x" * 250 + ".com",
    ],
)
def test_invalid_emails(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validation.email(value)
    assert caught.value.code == "INVALID_EMAIL"
    assert caught.value.field == "email"


# -- timezone --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("America/New_York", "America/New_York"),
        ("UTC", "UTC"),
        ("  Asia/Tokyo  ", "Asia/Tokyo"),
    ],
)
def test_valid_timezones(value: str, expected: str) -> None:
    assert validation.timezone(value) == expected


@pytest.mark.parametrize(
    "value", ["", "Mars/Olympus_Mons", "europe/berlin", "Berlin", "+02:00", "../etc/passwd"]
)
def test_invalid_timezones(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validation.timezone(value)
    assert caught.value.code == "INVALID_TIMEZONE"
    assert caught.value.field == "timezone"
