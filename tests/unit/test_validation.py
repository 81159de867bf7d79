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


# -- normalization and names -------------------------------------------------------

NFD_JOSE, NFC_JOSE = "Jose\u0301", "Jos\u00e9"


def test_text_and_long_text_arrive_in_nfc() -> None:
    assert validation.text("name", f" {NFD_JOSE} ", max_length=10) == NFC_JOSE
    assert validation.long_text("note", f"{NFD_JOSE}\n", max_length=10) == NFC_JOSE
    # Length counts what NFC makes of it: five characters, not six.
    assert validation.name("name", NFD_JOSE, max_length=4) == NFC_JOSE


@pytest.mark.parametrize("value", ["\u202eJonas", "Jo\u200bnas", "Jonas\u200d", "Ada\u2066 Byron"])
def test_a_name_refuses_what_shows_nothing_or_turns_it_around(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validation.name("title", value, max_length=50)
    assert (caught.value.code, caught.value.field) == ("INVALID_CHARACTERS", "title")
    assert "U+" in caught.value.message


@pytest.mark.parametrize("blank", INVISIBLE)
def test_a_name_of_nothing_visible_is_required(blank: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validation.name("name", blank, max_length=10)
    assert caught.value.code == "REQUIRED"


def test_free_text_keeps_what_a_name_refuses() -> None:
    for value in ("\u202eJonas", "Jo\u200bnas"):
        assert validation.text("text", value, max_length=50) == value
        assert validation.long_text("note", value, max_length=50) == value


def test_a_name_keeps_joiners_inside_words_and_emoji() -> None:
    for value in ("Ada \U0001f469\u200d\U0001f467", "\u0645\u06cc\u200c\u062e", "\u2764\ufe0f"):
        assert validation.name("name", value, max_length=50) == value


@pytest.mark.parametrize("value", ["\u202eada", "a\u200bda", "ada\u2060", "\ufeffada"])
def test_a_handle_with_invisible_characters_says_so(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validation.handle(value, field="slug")
    assert (caught.value.code, caught.value.field) == ("INVALID_CHARACTERS", "slug")


def test_an_email_is_one_whatever_its_normalization_form() -> None:
    assert validation.email(f"{NFD_JOSE}@Example.com") == f"{NFC_JOSE.lower()}@example.com"
    assert validation.fold_email(f" {NFD_JOSE}@x.org ") == validation.email(f"{NFC_JOSE}@x.org")


@pytest.mark.parametrize("value", ["ada\u200b@example.com", "\u202eada@example.com"])
def test_an_email_with_invisible_characters_is_refused(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validation.email(value)
    assert (caught.value.code, caught.value.field) == ("INVALID_CHARACTERS", "email")


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
