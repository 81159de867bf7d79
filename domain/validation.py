"""Small value checks shared by entities. Each raises `ValidationFailed` naming
the field, so the client can put the message next to the right input.

Text arrives in Unicode normalization form C (NFC): "é" typed as one code
point or as "e" and a combining accent is one name, one email, one title,
for display, uniqueness and search alike. Names and titles by which people
know someone or something (`name`, `handle`, `email`) also refuse what shows
nothing or turns text around (domain.invisible_characters); free text
(`long_text`, and `text` for labels, prompts and agenda items) keeps it."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain import invisible_characters
from domain.errors import ValidationFailed

HANDLE_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,30}[a-z0-9])?$")
# Deliberately loose: the real check of an address is the invitation mail.
EMAIL_PATTERN = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")
_TIMEZONES = frozenset(available_timezones())
# The days and moments anyone may name: wide enough for any history or plan,
# narrow enough that moving between timezones or to the next day never leaves
# the calendar (Python's ends with the year 9999).
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _no_control_characters(field: str, value: str) -> None:
    """PostgreSQL cannot store NUL, and no person types other controls."""
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise ValidationFailed(
            field, f"{field} contains characters that are not text.", code="INVALID_CHARACTERS"
        )


def _shows_nothing(value: str) -> bool:
    """A reason or note made only of invisible characters (format
    characters, default-ignorables, a Hangul filler, a blank Braille
    pattern) says nothing: it is as blank as an empty one, whatever the
    client sent."""
    return all(c.isspace() or ord(c) in invisible_characters.INVISIBLE_POINTS for c in value)


def _shows_as_written(field: str, value: str) -> None:
    if (found := invisible_characters.misplaced(value)) is not None:
        raise ValidationFailed(
            field,
            f"{field} contains a character that does not show or that turns text around "
            f"(U+{ord(found):04X}).",
            code="INVALID_CHARACTERS",
        )


def text(field: str, value: str, *, max_length: int, required: bool = True) -> str:
    _no_control_characters(field, value)
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    if _shows_nothing(cleaned):
        cleaned = ""
    if required and not cleaned:
        raise ValidationFailed(field, f"{field} must not be empty.", code="REQUIRED")
    if len(cleaned) > max_length:
        raise ValidationFailed(
            field, f"{field} must be at most {max_length} characters.", code="TOO_LONG"
        )
    return cleaned


def name(field: str, value: str, *, max_length: int) -> str:
    """A name or title by which people know someone or something: a
    person's, a team's, an area's, an organization's name, the title of a
    goal or a request. Text, with nothing that shows nothing or turns it
    around ("\u202eJonas", "Jo\u200bnas"), following UTS #39 and #55."""
    cleaned = text(field, value, max_length=max_length)
    _shows_as_written(field, cleaned)
    return cleaned


def long_text(field: str, value: str, *, max_length: int) -> str:
    """Free text where line breaks matter (a mission, a description)."""
    _no_control_characters(field, value)
    value = unicodedata.normalize("NFC", value)
    cleaned = "" if _shows_nothing(value) else value.strip()
    if len(cleaned) > max_length:
        raise ValidationFailed(
            field, f"{field} must be at most {max_length} characters.", code="TOO_LONG"
        )
    return cleaned


def handle(value: str, *, field: str = "handle") -> str:
    """Handles and organization slugs share one shape (URL- and mention-safe)."""
    _shows_as_written(field, value)
    cleaned = value.strip().lower()
    if not HANDLE_PATTERN.match(cleaned):
        raise ValidationFailed(
            field,
            f"A {field} is 1-32 lowercase letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit.",
            code=f"INVALID_{field.upper()}",
        )
    return cleaned


def fold_email(value: str) -> str:
    """An email as it is stored and looked up (sign-in folds it the same)."""
    return unicodedata.normalize("NFC", value.strip().lower())


def email(value: str) -> str:
    cleaned = fold_email(value)
    _shows_as_written("email", cleaned)
    if len(cleaned) > 254 or not EMAIL_PATTERN.match(cleaned):
        raise ValidationFailed("email", "That is not an email address.", code="INVALID_EMAIL")
    return cleaned


def timezone(value: str) -> str:
    cleaned = value.strip()
    if cleaned not in _TIMEZONES:
        raise ValidationFailed(
            "timezone",
            f"Unknown timezone {cleaned!r}; use an IANA name such as Europe/Berlin.",
            code="INVALID_TIMEZONE",
        )
    try:
        ZoneInfo(cleaned)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - list and database agree
        raise ValidationFailed("timezone", f"Unknown timezone {cleaned!r}.") from exc
    return cleaned


def day(field: str, value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationFailed(
            field, f"Give a day from {EARLIEST_DAY} to {LATEST_DAY}.", code="OUT_OF_RANGE"
        )
    return value


def moment(field: str, value: datetime) -> datetime:
    """An instant, in UTC. A time without an offset names no instant across
    timezones; its day is checked where it was given, so the conversion to
    UTC stays on the calendar."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationFailed(
            field, "Give the time with its UTC offset.", code="TIMEZONE_REQUIRED"
        )
    day(field, value.date())
    return value.astimezone(UTC)
