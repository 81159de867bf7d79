"""Mentor matching (domain/matching.py): each criterion on its own, the
weights a person may tune, the weighted total with its explained breakdown,
and the ranking: full mentors left out, deterministic ties, and load that
spreads across mentors instead of piling onto the most popular."""

from __future__ import annotations

import itertools
import math
import uuid
from dataclasses import replace
from uuid import UUID

import pytest

from domain.errors import ValidationFailed
from domain.matching import (
    COMFORTABLE_OVERLAP_HOURS,
    DEFAULT_WEIGHTS,
    WEIGHT_MAX,
    WEIGHT_MIN,
    Candidate,
    Criterion,
    Match,
    Wish,
    area_fit,
    availability,
    capacity_left,
    cursor_key,
    load,
    page_is_settled,
    perspective,
    proficiency,
    rank,
    rank_key,
    score,
    weights,
)
from domain.pagination import PageRequest, page_of

AREA_FIT = Criterion.AREA_FIT
PROFICIENCY = Criterion.PROFICIENCY
CAPACITY_LEFT = Criterion.CAPACITY_LEFT
LOAD = Criterion.LOAD
AVAILABILITY = Criterion.AVAILABILITY
PERSPECTIVE = Criterion.PERSPECTIVE

ADA = uuid.UUID("00000000-0000-4000-8000-00000000000a")
BEA = uuid.UUID("00000000-0000-4000-8000-00000000000b")
CY = uuid.UUID("00000000-0000-4000-8000-00000000000c")

WISH = Wish(area_name="Online Marketing", current=2, desired=4, has_availability=True)


def mentor(
    mentor_id: UUID = ADA,
    name: str = "Ada",
    *,
    area_name: str = "Online Marketing",
    area_distance: int = 0,
    proficiency: int = 5,
    load: int = 0,
    capacity: int = 4,
    other_team: bool = False,
    overlap_hours: float | None = 2.0,
) -> Candidate:
    return Candidate(
        mentor_id=mentor_id,
        mentor_name=name,
        area_name=area_name,
        area_distance=area_distance,
        proficiency=proficiency,
        load=load,
        capacity=capacity,
        other_team=other_team,
        overlap_hours=overlap_hours,
    )


def only(criterion: Criterion, weight: float = 1.0) -> dict[Criterion, float]:
    """Weights that look at one criterion alone."""
    return weights({c: (weight if c is criterion else 0.0) for c in Criterion})


def names(matches: list[Match]) -> list[str]:
    return [m.candidate.mentor_name for m in matches]


# -- area fit ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("distance", "area", "value", "words"),
    [
        (0, "Online Marketing", 1.0, ["Online Marketing", "the area you want to learn"]),
        (1, "Marketing", 0.5, ["Marketing", "next to Online Marketing"]),
        (2, "Sales", 0.333, ["Sales", "2 steps from Online Marketing", "nobody closer"]),
        (3, "Business", 0.25, ["Business", "3 steps from Online Marketing"]),
    ],
)
def test_area_fit(distance: int, area: str, value: float, words: list[str]) -> None:
    """The exact area is best; each step up or down the tree halves, then
    thirds it, and the sentence says how far the mentor's area is."""
    fit = area_fit(WISH, mentor(area_name=area, area_distance=distance))
    assert (fit.criterion, fit.value) == (AREA_FIT, value)
    for word in words:
        assert word in fit.explanation


def test_area_fit_falls_with_distance() -> None:
    values = [area_fit(WISH, mentor(area_distance=d)).value for d in range(5)]
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == 5


# -- proficiency ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "desired", "level", "value"),
    [
        (2, 4, 5, 1.0),
        (1, 2, 5, 1.0),
        (2, 4, 4, 0.75),
        (4, 5, 5, 0.75),
        (2, 4, 3, 0.25),
        (1, 5, 2, 0.125),
        (1, 5, 3, 0.25),
        (1, 5, 4, 0.375),
        (2, 5, 3, 0.167),
    ],
)
def test_proficiency(current: int, desired: int, level: int, value: float) -> None:
    """Beyond the desired level is best (1.0), at it good (0.75); between
    current and desired counts partly, in proportion to how far up the gap
    the mentor is, and always below a mentor at the desired level."""
    wish = replace(WISH, current=current, desired=desired)
    got = proficiency(wish, mentor(proficiency=level))
    assert (got.criterion, got.value) == (PROFICIENCY, value)
    assert f"{level}/5" in got.explanation


def test_proficiency_explanations() -> None:
    wish = replace(WISH, current=1, desired=4)
    assert "beyond the 4 you aim for" in proficiency(wish, mentor(proficiency=5)).explanation
    assert "the level you aim for" in proficiency(wish, mentor(proficiency=4)).explanation
    between = proficiency(wish, mentor(proficiency=2)).explanation
    assert "more than your 1" in between
    assert "less than the 4 you aim for" in between


def test_proficiency_orders_mentors_by_how_far_they_can_take_you() -> None:
    wish = replace(WISH, current=1, desired=4)
    values = [proficiency(wish, mentor(proficiency=p)).value for p in (2, 3, 4, 5)]
    assert values == sorted(values)
    assert len(set(values)) == 4
    assert values[1] < 0.5 < values[2]


# -- capacity left and load ---------------------------------------------------


@pytest.mark.parametrize(
    ("taken", "capacity", "value", "text"),
    [
        (0, 4, 1.0, "4 of 4 mentee places free."),
        (1, 4, 0.75, "3 of 4 mentee places free."),
        (3, 4, 0.25, "1 of 4 mentee places free."),
        (4, 4, 0.0, "0 of 4 mentee places free."),
        (1, 3, 0.667, "2 of 3 mentee places free."),
        (0, 0, 0.0, "0 of 0 mentee places free."),
    ],
)
def test_capacity_left(taken: int, capacity: int, value: float, text: str) -> None:
    """The share of places still free; a capacity of 0 is no places, not a
    division by zero."""
    got = capacity_left(mentor(load=taken, capacity=capacity))
    assert (got.criterion, got.value, got.explanation) == (CAPACITY_LEFT, value, text)


@pytest.mark.parametrize(
    ("taken", "value", "words"),
    [
        (0, 1.0, "0 mentees"),
        (1, 0.5, "1 mentee now"),
        (2, 0.333, "2 mentees"),
        (3, 0.25, "3 mentees"),
    ],
)
def test_load(taken: int, value: float, words: str) -> None:
    """Fewer mentees is better whatever the capacity: a mentor with room for
    ten who already has five is busier than one with room for two and none."""
    got = load(mentor(load=taken, capacity=10))
    assert (got.criterion, got.value) == (LOAD, value)
    assert words in got.explanation
    assert "fewer means more time for you" in got.explanation


def test_load_does_not_depend_on_capacity() -> None:
    assert load(mentor(load=2, capacity=3)).value == load(mentor(load=2, capacity=10)).value


# -- availability ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("wish_gave_windows", "who"), [(False, "you"), (True, "they")], ids=["wisher", "mentor"]
)
def test_availability_unknown_is_neutral(wish_gave_windows: bool, who: str) -> None:
    """Without windows on one side the overlap is unknown: half marks, so a
    missing answer neither sinks nor lifts a mentor, and the sentence says
    whose windows are missing."""
    wish = replace(WISH, has_availability=wish_gave_windows)
    got = availability(wish, mentor(overlap_hours=None))
    assert (got.criterion, got.value) == (AVAILABILITY, 0.5)
    assert got.explanation == f"Unknown: {who} gave no weekly availability."


@pytest.mark.parametrize(
    ("hours", "value"),
    [
        (0.0, 0.0),
        (0.5, 0.25),
        (1.0, 0.5),
        (1.5, 0.75),
        (COMFORTABLE_OVERLAP_HOURS, 1.0),
        (COMFORTABLE_OVERLAP_HOURS + 0.5, 1.0),
        (40.0, 1.0),
    ],
)
def test_availability_is_capped_at_a_comfortable_overlap(hours: float, value: float) -> None:
    """Past a couple of hours a week, more common time adds nothing: a mentor
    free all week is not better than one free when you are."""
    got = availability(WISH, mentor(overlap_hours=hours))
    assert (got.criterion, got.value) == (AVAILABILITY, value)
    unit = "hour" if hours == 1 else "hours"
    assert f"{hours:g} {unit} a week" in got.explanation


def test_no_overlap_scores_below_unknown() -> None:
    """Known to never meet is worse than not known."""
    never = availability(WISH, mentor(overlap_hours=0.0)).value
    unknown = availability(WISH, mentor(overlap_hours=None)).value
    assert never < unknown


# -- perspective ------------------------------------------------------------------


def test_perspective() -> None:
    outside = perspective(mentor(other_team=True))
    inside = perspective(mentor(other_team=False))
    assert (outside.criterion, outside.value) == (PERSPECTIVE, 1.0)
    assert (inside.criterion, inside.value) == (PERSPECTIVE, 0.0)
    assert "another team" in outside.explanation
    assert "team of yours" in inside.explanation


# -- weights ---------------------------------------------------------------------


def test_default_weights_cover_every_criterion_within_bounds() -> None:
    chosen = weights()
    assert chosen == dict(DEFAULT_WEIGHTS)
    assert set(chosen) == set(Criterion)
    assert all(WEIGHT_MIN <= weight <= WEIGHT_MAX for weight in chosen.values())
    assert weights(None) == weights({}) == chosen


def test_overrides_replace_only_what_they_name() -> None:
    chosen = weights({PERSPECTIVE: 4.0, AREA_FIT: 0.5})
    assert (chosen[PERSPECTIVE], chosen[AREA_FIT]) == (4.0, 0.5)
    for criterion in set(Criterion) - {PERSPECTIVE, AREA_FIT}:
        assert chosen[criterion] == DEFAULT_WEIGHTS[criterion]


def test_weights_are_a_fresh_copy() -> None:
    """One person's tuning never leaks into the defaults or another search."""
    chosen = weights()
    chosen[LOAD] = 5.0
    assert DEFAULT_WEIGHTS[LOAD] == 2.0
    assert weights()[LOAD] == 2.0


@pytest.mark.parametrize("weight", [WEIGHT_MIN, 0.1, 2.5, WEIGHT_MAX])
def test_weights_within_bounds(weight: float) -> None:
    assert weights({AVAILABILITY: weight})[AVAILABILITY] == weight


@pytest.mark.parametrize("weight", [-0.1, -1, 5.01, 6, 100, math.inf, -math.inf, math.nan])
def test_weights_out_of_bounds(weight: float) -> None:
    """NaN is refused too: it compares false with both bounds."""
    with pytest.raises(ValidationFailed) as caught:
        weights({AVAILABILITY: weight})
    assert (caught.value.field, caught.value.code) == ("weights", "OUT_OF_RANGE")
    assert "AVAILABILITY" in caught.value.message


def test_all_zero_weights_are_refused() -> None:
    """With nothing to weigh, the weighted mean has no meaning."""
    with pytest.raises(ValidationFailed) as caught:
        weights(dict.fromkeys(Criterion, 0.0))
    assert (caught.value.field, caught.value.code) == ("weights", "ALL_ZERO")


@pytest.mark.parametrize("criterion", list(Criterion))
def test_one_criterion_alone_is_enough(criterion: Criterion) -> None:
    assert sum(only(criterion).values()) == 1.0


# -- score -----------------------------------------------------------------------


def test_score_is_the_weighted_mean_times_100() -> None:
    """Values 1, 1, 0.75, 0.5, 0.5, 1 with the default weights 3, 2, 1, 2, 2, 1:
    8.75 / 11 = 79.5 %."""
    candidate = mentor(proficiency=5, load=1, capacity=4, overlap_hours=1.0, other_team=True)
    match = score(WISH, candidate, weights())
    assert [s.value for s in match.scores] == [1.0, 1.0, 0.75, 0.5, 0.5, 1.0]
    assert match.total == 79.5
    assert match.candidate is candidate


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {PERSPECTIVE: 5.0},
        {AREA_FIT: 0.0, LOAD: 5.0},
        {AVAILABILITY: 0.25, PROFICIENCY: 4.5},
        dict.fromkeys(Criterion, 5.0),
    ],
)
@pytest.mark.parametrize(
    "candidate",
    [
        mentor(),
        mentor(area_distance=2, proficiency=3, load=3, capacity=5, overlap_hours=None),
        mentor(area_distance=1, proficiency=4, load=1, capacity=2, other_team=True),
    ],
)
def test_every_score_carries_its_weight_and_an_explanation(
    candidate: Candidate, overrides: dict[Criterion, float]
) -> None:
    """The breakdown is what a person reads: each criterion once, with the
    weight used for this search, its value and a sentence; the total is
    exactly what they would compute from it."""
    chosen = weights(overrides)
    match = score(WISH, candidate, chosen)
    assert [s.criterion for s in match.scores] == list(Criterion)
    for s in match.scores:
        assert s.weight == chosen[s.criterion]
        assert 0.0 <= s.value <= 1.0
        assert s.explanation.strip()
    expected = sum(s.weight * s.value for s in match.scores) / sum(chosen.values())
    assert match.total == round(100 * expected, 1)
    assert 0.0 <= match.total <= 100.0


@pytest.mark.parametrize("criterion", list(Criterion))
def test_a_lone_criterion_is_the_total(criterion: Criterion) -> None:
    candidate = mentor(area_distance=1, proficiency=3, load=1, overlap_hours=1.5)
    match = score(WISH, candidate, only(criterion, 3.0))
    value = next(s.value for s in match.scores if s.criterion is criterion)
    assert match.total == round(100 * value, 1)


def test_scaling_all_weights_keeps_the_total() -> None:
    """It is a mean: only the ratio of weights matters."""
    candidate = mentor(area_distance=1, load=2)
    low = score(WISH, candidate, weights(dict.fromkeys(Criterion, 1.0)))
    high = score(WISH, candidate, weights(dict.fromkeys(Criterion, 4.0)))
    assert low.total == high.total


def test_the_perfect_mentor_scores_100() -> None:
    perfect = mentor(load=0, other_team=True, overlap_hours=COMFORTABLE_OVERLAP_HOURS)
    assert score(WISH, perfect, weights()).total == 100.0


# -- weights steer the ranking ---------------------------------------------------

NEAR_SAME_TEAM = mentor(ADA, "Ada", area_distance=0, other_team=False, overlap_hours=1.5)
FAR_OTHER_TEAM = mentor(
    BEA, "Bea", area_name="Marketing", area_distance=1, other_team=True, overlap_hours=3.0
)


@pytest.mark.parametrize(
    ("overrides", "first"),
    [
        ({}, "Ada"),
        ({c: (5.0 if c is PERSPECTIVE else 0.0) for c in Criterion}, "Bea"),
        ({c: (5.0 if c is AREA_FIT else 0.0) for c in Criterion}, "Ada"),
        ({c: (5.0 if c is AVAILABILITY else 0.0) for c in Criterion}, "Bea"),
        ({PERSPECTIVE: 5.0, AVAILABILITY: 5.0}, "Bea"),
    ],
    ids=["defaults", "perspective-only", "area-only", "availability-only", "both-up"],
)
def test_changing_a_weight_changes_the_ranking(
    overrides: dict[Criterion, float], first: str
) -> None:
    """Ada is in the exact area but in your team and rarely free; Bea is a
    step away in the tree, from another team and free when you are. The
    ranking follows what the person says matters."""
    ranked = rank(WISH, [NEAR_SAME_TEAM, FAR_OTHER_TEAM], weights(overrides))
    assert names(ranked)[0] == first


def test_raising_a_weight_only_helps_who_is_strong_in_it() -> None:
    """Turning PERSPECTIVE up moves the other-team mentor up relative to the
    same-team one, step by step."""
    gaps = []
    for weight in (0.0, 1.0, 2.0, 3.0, 4.0, 5.0):
        chosen = weights({PERSPECTIVE: weight})
        gaps.append(
            score(WISH, FAR_OTHER_TEAM, chosen).total - score(WISH, NEAR_SAME_TEAM, chosen).total
        )
    assert gaps == sorted(gaps)
    assert gaps[0] < 0 < gaps[-1]


# -- rank ----------------------------------------------------------------------------


def test_rank_is_best_first() -> None:
    candidates = [
        mentor(ADA, "Ada", area_distance=2),
        mentor(BEA, "Bea", area_distance=0),
        mentor(CY, "Cy", area_distance=1),
    ]
    ranked = rank(WISH, candidates, weights())
    assert names(ranked) == ["Bea", "Cy", "Ada"]
    totals = [m.total for m in ranked]
    assert totals == sorted(totals, reverse=True)


@pytest.mark.parametrize(
    ("taken", "capacity"), [(4, 4), (5, 4), (0, 0)], ids=["full", "over", "no-places"]
)
def test_rank_leaves_out_full_mentors(taken: int, capacity: int) -> None:
    """No mentor is ever suggested above capacity, however well they fit."""
    full = mentor(ADA, "Ada", load=taken, capacity=capacity, other_team=True)
    free = mentor(BEA, "Bea", area_distance=3, proficiency=3, load=3, capacity=4)
    assert names(rank(WISH, [full, free], weights())) == ["Bea"]
    assert rank(WISH, [full], weights()) == []


def test_rank_of_nobody_is_empty() -> None:
    assert rank(WISH, [], weights()) == []


def test_ties_go_to_fewer_mentees() -> None:
    """With the load criteria weighted at zero the totals tie; the mentor
    with fewer mentees still comes first, ahead of an earlier name."""
    no_load = weights({LOAD: 0.0, CAPACITY_LEFT: 0.0})
    busy = mentor(ADA, "Ada", load=2)
    idle = mentor(BEA, "Bea", load=0)
    some = mentor(CY, "Cy", load=1)
    ranked = rank(WISH, [busy, idle, some], no_load)
    assert len({m.total for m in ranked}) == 1
    assert names(ranked) == ["Bea", "Cy", "Ada"]


def test_ties_then_go_by_name_then_id() -> None:
    """Same score and load: by name; same name too: by id. The same search
    always gives the same order, whatever order the candidates came in."""
    ada = mentor(CY, "Ada")
    bea_low = mentor(ADA, "Bea")
    bea_high = mentor(BEA, "Bea")
    expected = [(CY, "Ada"), (ADA, "Bea"), (BEA, "Bea")]
    for order in itertools.permutations([ada, bea_low, bea_high]):
        ranked = rank(WISH, list(order), weights())
        assert [(m.candidate.mentor_id, m.candidate.mentor_name) for m in ranked] == expected


def test_a_better_total_beats_fewer_mentees() -> None:
    """The tie-break is only a tie-break."""
    busy_but_close = mentor(ADA, "Ada", area_distance=0, load=1)
    idle_but_far = mentor(BEA, "Bea", area_distance=3, load=0)
    ranked = rank(WISH, [idle_but_far, busy_but_close], weights())
    assert names(ranked) == ["Ada", "Bea"]


# -- load spreads ------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [{}, {LOAD: 0.0, CAPACITY_LEFT: 0.0}, {PERSPECTIVE: 5.0, AREA_FIT: 5.0}, {LOAD: 5.0}],
    ids=["defaults", "load-ignored", "other-tuning", "load-heavy"],
)
def test_fifty_wishes_spread_evenly_over_ten_mentors(overrides: dict[Criterion, float]) -> None:
    """50 people with the same wish each take the top suggestion from 10
    identical mentors with 5 places each: nobody is pushed above capacity,
    every mentor ends with exactly 5, and at no step is one mentor more than
    one mentee ahead of another. Holds whatever the person's weights, since
    even with the load criteria at zero the tie-break prefers fewer mentees."""
    chosen = weights(overrides)
    mentors = {
        uuid.UUID(int=i + 1): mentor(uuid.UUID(int=i + 1), f"Mentor {i:02d}", capacity=5)
        for i in range(10)
    }
    wishes = [replace(WISH, has_availability=True) for _ in range(50)]
    for wish in wishes:
        ranked = rank(wish, list(mentors.values()), chosen)
        assert ranked, "a mentor with a free place is always suggested"
        top = ranked[0].candidate
        mentors[top.mentor_id] = replace(top, load=top.load + 1)
        loads = [c.load for c in mentors.values()]
        assert max(loads) - min(loads) <= 1
        assert all(c.load <= c.capacity for c in mentors.values())
    assert [c.load for c in mentors.values()] == [5] * 10
    assert rank(WISH, list(mentors.values()), chosen) == []


# -- pages of the ranking ----------------------------------------------------------------


def ranked_ten() -> list[Match]:
    mentors = [
        mentor(uuid.UUID(int=n), f"Mentor {n}", proficiency=3 + n % 3, load=n % 2)
        for n in range(10)
    ]
    return rank(WISH, mentors, DEFAULT_WEIGHTS)


def test_the_rank_key_orders_as_the_ranking_does() -> None:
    ranked = ranked_ten()
    assert sorted(ranked, key=rank_key) == ranked
    keys = [rank_key(m) for m in ranked]
    assert len(set(keys)) == len(keys)
    # The id as text orders as the id.
    low, high = uuid.UUID(int=2), uuid.UUID(int=2**127)
    assert (str(low) < str(high)) == (low < high)


def test_pages_of_the_ranking_join_up_forward_and_back() -> None:
    ranked = ranked_ten()
    forward, after = [], None
    while True:
        found = page_of(ranked, rank_key, PageRequest(first=3, after=after))
        forward += [m for m, _ in found.items]
        assert found.has_previous_page is (after is not None)
        if not found.has_next_page:
            break
        after = found.items[-1][1]
    assert forward == ranked
    backward, before = [], None
    while True:
        found = page_of(ranked, rank_key, PageRequest(last=3, before=before))
        backward = [m for m, _ in found.items] + backward
        assert found.has_next_page is (before is not None)
        if not found.has_previous_page:
            break
        before = found.items[0][1]
    assert backward == ranked
    assert page_of(ranked, rank_key, PageRequest(first=0)).items == []
    assert page_of(ranked, rank_key, PageRequest(last=0)).items == []


@pytest.mark.parametrize(
    "raw",
    [
        (),
        ("Ada",),
        (1.5, 0, "Ada"),
        (True, 0, "Ada", "x"),
        (1.5, 0.5, "Ada", "x"),
        (1.5, 0, 3, "x"),
    ],
)
def test_a_cursor_must_be_a_ranking_position(raw: tuple[object, ...]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        cursor_key(raw)
    assert (caught.value.field, caught.value.code) == ("cursor", "INVALID_CURSOR")
    assert cursor_key((-90.5, 0, "Ada", str(ADA))) == (-90.5, 0, "Ada", str(ADA))
    assert cursor_key((-90, 0, "Ada", str(ADA))) == (-90, 0, "Ada", str(ADA))


def test_a_page_is_settled_once_nobody_left_could_enter_it() -> None:
    ranked = ranked_ten()
    third = ranked[2].total
    first_three = PageRequest(first=3)
    assert page_is_settled(ranked, first_three, bound=third - 0.1)
    assert not page_is_settled(ranked, first_three, bound=third)  # could tie and sort before
    assert not page_is_settled(ranked[:2], first_three, bound=0.0)  # too few yet
    after_two = PageRequest(first=3, after=rank_key(ranked[1]))
    assert page_is_settled(ranked, after_two, bound=ranked[4].total - 0.1)
    assert not page_is_settled(ranked, after_two, bound=ranked[4].total)
    assert page_is_settled(ranked, PageRequest(first=0), bound=100.0)
    # Going back: settled once nobody left reaches the cursor; the very last
    # page needs everyone.
    before_fifth = PageRequest(last=3, before=rank_key(ranked[4]))
    assert page_is_settled(ranked, before_fifth, bound=ranked[4].total - 0.1)
    assert not page_is_settled(ranked, before_fifth, bound=ranked[4].total)
    assert not page_is_settled(ranked, PageRequest(last=3), bound=0.0)
