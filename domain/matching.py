"""Ranking mentors for a learning wish: a score per criterion, each with
its weight, its value and a sentence that explains it, so a person sees why
a mentor fits rather than a bare percentage.

Pure: persistence filters and pre-ranks the candidates (area, proficiency,
exclusions, capacity) and hands them here with the facts each criterion
needs. Load counts twice on purpose (capacity left, and fewer mentees), so
that among otherwise equal mentors the least busy comes first and mentees
spread instead of piling onto the most popular.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from domain.availability import Window
from domain.errors import ValidationFailed
from domain.pagination import PageRequest, SortKey

WEIGHT_MIN, WEIGHT_MAX = 0.0, 5.0
CANDIDATES_MAX = 200
"""Mentors the database hands over at a time, best possible score first."""
COMFORTABLE_OVERLAP_HOURS = 2.0
"""Hours a week in common that make meeting easy; more adds nothing."""


class Criterion(enum.Enum):
    AREA_FIT = "AREA_FIT"
    PROFICIENCY = "PROFICIENCY"
    CAPACITY_LEFT = "CAPACITY_LEFT"
    LOAD = "LOAD"
    AVAILABILITY = "AVAILABILITY"
    PERSPECTIVE = "PERSPECTIVE"


DEFAULT_WEIGHTS: Mapping[Criterion, float] = {
    Criterion.AREA_FIT: 3.0,
    Criterion.PROFICIENCY: 2.0,
    Criterion.CAPACITY_LEFT: 1.0,
    Criterion.LOAD: 2.0,
    Criterion.AVAILABILITY: 2.0,
    Criterion.PERSPECTIVE: 1.0,
}


def weights(overrides: Mapping[Criterion, float] | None = None) -> dict[Criterion, float]:
    """The defaults, with the person's own weights for this search."""
    chosen = {**DEFAULT_WEIGHTS, **(overrides or {})}
    for criterion, weight in chosen.items():
        if not WEIGHT_MIN <= weight <= WEIGHT_MAX:
            raise ValidationFailed(
                "weights",
                f"The weight of {criterion.value} is between {WEIGHT_MIN:g} and {WEIGHT_MAX:g}.",
                code="OUT_OF_RANGE",
            )
    if not any(chosen.values()):
        raise ValidationFailed("weights", "Give at least one criterion weight.", code="ALL_ZERO")
    return chosen


@dataclass(frozen=True)
class Wish:
    area_name: str
    current: int
    desired: int
    has_availability: bool


@dataclass(frozen=True)
class Candidate:
    mentor_id: UUID
    mentor_name: str
    area_name: str
    area_distance: int
    """0: the wished area itself; 1: its parent or a child; 2: two steps away."""
    proficiency: int
    load: int
    capacity: int
    other_team: bool
    overlap_hours: float | None
    """Hours a week in common; None when either gave no windows."""


@dataclass(frozen=True)
class MentorCandidate:
    """What the database knows of a mentor who may fit a wish."""

    mentor_id: UUID
    mentor_name: str
    timezone: str
    area_id: UUID
    proficiency: int
    load: int
    capacity: int
    other_team: bool
    availability: list[Window]
    best_possible: float
    """The highest total this mentor could score (availability unknown)."""


@dataclass(frozen=True)
class Score:
    criterion: Criterion
    weight: float
    value: float
    explanation: str


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    total: float
    """0 to 100: the weighted mean of the criterion values."""
    scores: tuple[Score, ...]


def area_distances(tree: Mapping[UUID, UUID | None], area_id: UUID) -> dict[UUID, int]:
    """Where mentors may come from, and how far: the area itself (0), its
    parent and its children (1), then further up the tree (2, 3, ...), so
    a wish in an area nobody offers falls back to the areas around it.
    `tree` maps every area to its parent."""
    found = {area_id: 0}
    for child, parent in tree.items():
        if parent == area_id:
            found[child] = 1
    step, current = 1, tree.get(area_id)
    while current is not None and current not in found:
        found[current] = step
        step, current = step + 1, tree.get(current)
    return found


def area_fit(wish: Wish, c: Candidate) -> Score:
    value = 1 / (1 + c.area_distance)
    if c.area_distance == 0:
        text = f"Mentors in {c.area_name}, the area you want to learn."
    elif c.area_distance == 1:
        text = f"Mentors in {c.area_name}, next to {wish.area_name} in the area tree."
    else:
        text = (
            f"Mentors in {c.area_name}, {c.area_distance} steps from {wish.area_name}: "
            "nobody closer offers it."
        )
    return Score(Criterion.AREA_FIT, 0, round(value, 3), text)


PROFICIENCY_AT_DESIRED = 0.75
PROFICIENCY_BELOW_DESIRED = 0.5
"""The most a mentor between the current and the desired level scores."""


def proficiency(wish: Wish, c: Candidate) -> Score:
    if c.proficiency > wish.desired:
        value, text = 1.0, f"Knows it at {c.proficiency}/5, beyond the {wish.desired} you aim for."
    elif c.proficiency == wish.desired:
        value = PROFICIENCY_AT_DESIRED
        text = f"Knows it at {c.proficiency}/5, the level you aim for."
    else:
        value = (
            PROFICIENCY_BELOW_DESIRED
            * (c.proficiency - wish.current)
            / (wish.desired - wish.current)
        )
        text = (
            f"Knows it at {c.proficiency}/5: more than your {wish.current}, "
            f"less than the {wish.desired} you aim for."
        )
    return Score(Criterion.PROFICIENCY, 0, round(value, 3), text)


def capacity_left(c: Candidate) -> Score:
    left = c.capacity - c.load
    value = left / c.capacity if c.capacity else 0.0
    return Score(
        Criterion.CAPACITY_LEFT,
        0,
        round(value, 3),
        f"{left} of {c.capacity} mentee places free.",
    )


def load(c: Candidate) -> Score:
    noun = "mentee" if c.load == 1 else "mentees"
    return Score(
        Criterion.LOAD,
        0,
        round(1 / (1 + c.load), 3),
        f"Mentors {c.load} {noun} now; fewer means more time for you.",
    )


def availability(wish: Wish, c: Candidate) -> Score:
    if c.overlap_hours is None:
        missing = "you" if not wish.has_availability else "they"
        return Score(
            Criterion.AVAILABILITY, 0, 0.5, f"Unknown: {missing} gave no weekly availability."
        )
    value = min(c.overlap_hours / COMFORTABLE_OVERLAP_HOURS, 1.0)
    return Score(
        Criterion.AVAILABILITY,
        0,
        round(value, 3),
        f"{c.overlap_hours:g} hour{'' if c.overlap_hours == 1 else 's'} a week when you are "
        "both available.",
    )


def perspective(c: Candidate) -> Score:
    if c.other_team:
        return Score(
            Criterion.PERSPECTIVE, 0, 1.0, "Works in another team: a perspective from outside."
        )
    return Score(Criterion.PERSPECTIVE, 0, 0.0, "Works in a team of yours.")


def score(wish: Wish, candidate: Candidate, chosen: Mapping[Criterion, float]) -> Match:
    raw = (
        area_fit(wish, candidate),
        proficiency(wish, candidate),
        capacity_left(candidate),
        load(candidate),
        availability(wish, candidate),
        perspective(candidate),
    )
    scores = tuple(Score(s.criterion, chosen[s.criterion], s.value, s.explanation) for s in raw)
    total_weight = sum(s.weight for s in scores)
    total = sum(s.weight * s.value for s in scores) / total_weight
    return Match(candidate=candidate, total=round(100 * total, 1), scores=scores)


def rank(
    wish: Wish, candidates: Sequence[Candidate], chosen: Mapping[Criterion, float]
) -> list[Match]:
    """Best first. Ties go to the mentor with fewer mentees, then by name
    and id, so the same search always gives the same order."""
    matches = [score(wish, c, chosen) for c in candidates if c.load < c.capacity]
    return sorted(matches, key=rank_key)


def rank_key(match: Match) -> SortKey:
    """Where a match stands in the ranking (ascending), as a page cursor
    holds it. The id as text orders as the id does (fixed-width hex)."""
    c = match.candidate
    return (-match.total, c.load, c.mentor_name, str(c.mentor_id))


def cursor_key(raw: SortKey) -> SortKey:
    """A cursor a client sent back, checked to be a ranking position (so it
    compares with rank_key, and a made-up one is a clear error)."""
    kinds = [type(v) for v in raw]
    if kinds not in ([float, int, str, str], [int, int, str, str]):
        raise ValidationFailed("cursor", "That cursor is not valid.", code="INVALID_CURSOR")
    return raw


def page_is_settled(ranked: Sequence[Match], request: PageRequest, bound: float) -> bool:
    """Whether the page `request` asks for among `ranked` is final although
    more candidates may be left, each scoring at most `bound`: none of them
    can rank before the page's last match (going forward), nor before the
    `before` cursor (going back; without one, the last page needs them
    all)."""
    if request.backwards:
        return request.before is not None and bound < -request.before[0]
    after = request.after
    window = [m for m in ranked if after is None or rank_key(m) > after]
    return request.size == 0 or (
        len(window) >= request.size and window[request.size - 1].total > bound
    )
