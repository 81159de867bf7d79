"""Characters that show nothing or turn text around, kept out of the names
by which people know someone or something.

UTS #39 (Unicode Security Mechanisms) keeps default-ignorable code points
out of identifiers, save the two joiners where a script or an emoji needs
them; UTS #55 keeps bidirectional controls out of them. A person's name, a
handle or email, the name of a team, an area or an organization, the title
of a goal or of a feedback request are such identifiers for people:
"\u202eJonas" displays as "sanoJ" (or, mid-name, turns a name around),
"Jo\u200bnas" as Jonas while being someone else. So these are refused:

- every bidirectional control (U+061C, U+200E-200F, U+202A-202E,
  U+2066-2069) and every other character that shows nothing: the format
  characters (Cf), the default-ignorable code points, and the blank Braille
  pattern U+2800 (neither, but blank);

except where they are part of what shows:

- a zero-width joiner or non-joiner between two characters that show
  (inside a word, as Persian and the Indic scripts need; inside an emoji
  sequence, as in a family emoji), a variation selector before it counting
  as part of the character it follows;
- a variation selector right after a character that shows (the emoji form
  of a heart, a CJK glyph variant);
- tag characters in an emoji flag's tag sequence (the black flag, tags, the
  cancel tag: the flags of Scotland or Wales).

The character table is data: a unit test checks it against the Unicode
character database (the `regex` package's properties). The patterns are
written in the syntax Python's `re` and PostgreSQL's regular expressions
share, so the database checks the same rule (`shows_as_written`, migration
0017) from the same text.
"""

from __future__ import annotations

import re

Ranges = tuple[tuple[int, int], ...]

INVISIBLE: Ranges = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x0600, 0x0605),  # Arabic number signs (format)
    (0x061C, 0x061C),  # Arabic letter mark (bidi)
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian variation selectors and vowel separator
    (0x200B, 0x200F),  # zero-width space, joiners, direction marks
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, bidi isolates, deprecated
    (0x2800, 0x2800),  # blank Braille pattern
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte order mark)
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF0, 0xFFFB),  # reserved, interlinear annotation
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),  # Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol format controls
    (0xE0000, 0xE0FFF),  # tags, variation selectors supplement, reserved
)
JOINERS: Ranges = ((0x200C, 0x200D),)
VARIATION_SELECTORS: Ranges = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
TAGS: Ranges = ((0xE0020, 0xE007F),)
BIDI_CONTROLS: Ranges = (
    (0x061C, 0x061C),
    (0x200E, 0x200F),
    (0x202A, 0x202E),
    (0x2066, 0x2069),
)
# What str.split() takes for whitespace (names are collapsed on it).
SPACES: Ranges = (
    (0x0009, 0x000D),
    (0x001C, 0x0020),
    (0x0085, 0x0085),
    (0x00A0, 0x00A0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)


def points(ranges: Ranges) -> frozenset[int]:
    return frozenset(cp for first, last in ranges for cp in range(first, last + 1))


def _escape(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def _members(cps: frozenset[int]) -> str:
    """The inside of a bracket expression, in escapes both dialects read."""
    ordered, parts, start = sorted(cps), [], None
    for i, cp in enumerate(ordered):
        start = cp if start is None else start
        if i + 1 == len(ordered) or ordered[i + 1] != cp + 1:
            parts.append(_escape(start) if start == cp else f"{_escape(start)}-{_escape(cp)}")
            start = None
    return "".join(parts)


INVISIBLE_POINTS = points(INVISIBLE)
_INVISIBLE, _JOINERS = INVISIBLE_POINTS, points(JOINERS)
_SELECTORS, _TAGS, _SPACES = points(VARIATION_SELECTORS), points(TAGS), points(SPACES)
_ALWAYS = _INVISIBLE - _JOINERS - _SELECTORS - _TAGS

INVISIBLE_CLASS = f"[{_members(_INVISIBLE)}]"
"""Any invisible character (migration 0017's backfill takes them out)."""
FLAG_TAG_SEQUENCE = r"\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
"""The black flag, tag letters, the cancel tag (UTS #51 emoji tag sequences)."""
TAG = f"[{_members(_TAGS)}]"
"""A tag character outside a flag tag sequence is refused."""
MISPLACED = (
    f"[{_members(_ALWAYS)}]",
    f"(^|[{_members(_SPACES | (_INVISIBLE - _SELECTORS))}])[{_members(_JOINERS)}]",
    f"[{_members(_JOINERS)}]($|[{_members(_SPACES | _INVISIBLE)}])",
    f"(^|[{_members(_SPACES | _INVISIBLE)}])[{_members(_SELECTORS)}]",
)
"""Patterns that find a character where it may not stand, in the syntax of
Python's `re` and PostgreSQL's advanced regular expressions alike."""

# Each pattern with where its match holds the character at fault.
_CHECKS = tuple(zip((re.compile(p) for p in MISPLACED), (0, -1, 0, -1), strict=True))
_FLAG_TAG_SEQUENCE = re.compile(FLAG_TAG_SEQUENCE)
_TAG = re.compile(TAG)


def misplaced(value: str) -> str | None:
    """An invisible or direction-changing character of `value` that is not
    part of what shows, if there is one."""
    for pattern, at_fault in _CHECKS:
        if found := pattern.search(value):
            return found.group()[at_fault]
    stray_tag = _TAG.search(_FLAG_TAG_SEQUENCE.sub("", value))
    return None if stray_tag is None else stray_tag.group()
