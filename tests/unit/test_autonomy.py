"""Autonomy stages (seed 002), the mismatch signals derived from an agreement,
and the readiness evidence derived from achieved goals: domain/autonomy.py.

`mismatch_signals` is checked against every combination of its inputs, with
an oracle written here from the wording of DESIGN.md (not from the code)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.autonomy import (
    AchievedGoal,
    AutonomyStage,
    MismatchSignal,
    ReadinessRule,
    ReadinessSuggestion,
    SignalKind,
    evidence_for,
    mismatch_signals,
    readiness,
)

TASKS = AutonomyStage.TASKS
FIXED = AutonomyStage.FIXED_GOALS
FLEXIBLE = AutonomyStage.FLEXIBLE_GOALS
PURPOSE = AutonomyStage.PURPOSE

UNDER = SignalKind.UNDER_CHALLENGED
OVER = SignalKind.OVERWHELMED
LEADER_GAP = SignalKind.LEADER_GAP
PERCEPTION = SignalKind.PERCEPTION_GAP

# The order as DESIGN.md lists it, written out independently of the enum.
SEED_ORDER = ["TASKS", "FIXED_GOALS", "FLEXIBLE_GOALS", "PURPOSE"]


def seed_rank(stage: AutonomyStage) -> int:
    return SEED_ORDER.index(stage.value) + 1


# -- the stages --------------------------------------------------------------------


def test_there_are_four_stages_in_the_seed_order() -> None:
    assert [s.value for s in AutonomyStage] == SEED_ORDER
    assert [s.rank for s in AutonomyStage] == [1, 2, 3, 4]
    assert [TASKS.rank, FIXED.rank, FLEXIBLE.rank, PURPOSE.rank] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("a", "b"), list(itertools.product(AutonomyStage, repeat=2)), ids=lambda s: s.value
)
def test_comparisons_follow_the_rank(a: AutonomyStage, b: AutonomyStage) -> None:
    ra, rb = seed_rank(a), seed_rank(b)
    assert (a < b) is (ra < rb)
    assert (a <= b) is (ra <= rb)
    assert (a > b) is (ra > rb)
    assert (a >= b) is (ra >= rb)
    assert (a == b) is (ra == rb)
    assert (a != b) is (ra != rb)


def test_stages_sort_min_and_max_by_rank() -> None:
    assert sorted([PURPOSE, TASKS, FLEXIBLE, FIXED]) == [TASKS, FIXED, FLEXIBLE, PURPOSE]
    assert min(FLEXIBLE, FIXED, PURPOSE) is FIXED
    assert max(TASKS, FLEXIBLE, FIXED) is FLEXIBLE
    # Enum members stay usable as keys next to the ordering.
    assert len({TASKS, FIXED, FLEXIBLE, PURPOSE, TASKS}) == 4


@pytest.mark.parametrize("other", [1, "TASKS", None, 2.5])
def test_stages_do_not_compare_with_other_types(other: object) -> None:
    stage: object = TASKS
    with pytest.raises(TypeError):
        _ = stage < other  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = stage >= other  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = other > stage  # type: ignore[operator]
    assert stage != other


def test_next_stage() -> None:
    assert TASKS.next is FIXED
    assert FIXED.next is FLEXIBLE
    assert FLEXIBLE.next is PURPOSE
    assert PURPOSE.next is None


def test_labels_descriptions_and_guiding_questions_follow_the_seed() -> None:
    assert [s.label for s in AutonomyStage] == [
        "Tasks and processes",
        "Fixed goals",
        "Flexible goals",
        "Purpose",
    ]
    assert [s.guiding_question for s in AutonomyStage] == [
        "What is your input? What is the work?",
        "What is the output of your work?",
        "What is the outcome of your work?",
        "What is the intention behind your work?",
    ]
    assert TASKS.description.startswith("Clarify and control what someone does and how")
    assert FIXED.description == "Clarify and control what someone delivers."
    assert "effects" in FLEXIBLE.description
    assert PURPOSE.description.startswith("Clarify and align")
    for stage in AutonomyStage:
        assert stage.label
        assert stage.description.endswith(".")
        assert stage.guiding_question.endswith("?")


# -- mismatch signals: the oracle ---------------------------------------------------


def oracle(
    agreed: AutonomyStage,
    follower_view: AutonomyStage | None,
    leader_view: AutonomyStage | None,
    leader_capability: AutonomyStage | None,
) -> set[SignalKind]:
    """DESIGN.md section 2, "Mismatch signals", by rank alone."""
    a = seed_rank(agreed)
    views = [seed_rank(v) for v in (follower_view, leader_view) if v is not None]
    expected: set[SignalKind] = set()
    if views and all(a < v for v in views):
        expected.add(UNDER)
    if views and all(a > v for v in views):
        expected.add(OVER)
    if leader_capability is not None and seed_rank(leader_capability) < a:
        expected.add(LEADER_GAP)
    if len(views) == 2 and abs(views[0] - views[1]) >= 2:
        expected.add(PERCEPTION)
    return expected


OPTIONAL = [None, *AutonomyStage]
COMBINATIONS = list(itertools.product(AutonomyStage, OPTIONAL, OPTIONAL, OPTIONAL))

# The words of seed 002 each signal's explanation carries.
SEED_WORDS = {
    UNDER: "micromanaged",
    OVER: "lost",
    LEADER_GAP: "capable",
    PERCEPTION: "two or more stages",
}


def _name(stage: AutonomyStage | None) -> str:
    return "-" if stage is None else stage.value


def test_the_combinations_are_all_there() -> None:
    assert len(COMBINATIONS) == 4 * 5 * 5 * 5 == 500
    assert len(set(COMBINATIONS)) == 500


@pytest.mark.parametrize(
    ("agreed", "follower_view", "leader_view", "leader_capability"),
    COMBINATIONS,
    ids=["/".join(_name(s) for s in combination) for combination in COMBINATIONS],
)
def test_mismatch_signals_match_the_design_for_every_combination(
    agreed: AutonomyStage,
    follower_view: AutonomyStage | None,
    leader_view: AutonomyStage | None,
    leader_capability: AutonomyStage | None,
) -> None:
    signals = mismatch_signals(
        agreed,
        follower_view=follower_view,
        leader_view=leader_view,
        leader_capability=leader_capability,
    )
    kinds = [s.kind for s in signals]
    assert len(kinds) == len(set(kinds)), "a signal is given once"
    assert set(kinds) == oracle(agreed, follower_view, leader_view, leader_capability)
    if follower_view is None and leader_view is None:
        assert set(kinds) <= {LEADER_GAP}
    assert not {UNDER, OVER} <= set(kinds)
    for signal in signals:
        assert isinstance(signal, MismatchSignal)
        assert signal.agreed is agreed
        assert signal.follower_view is follower_view
        assert signal.leader_view is leader_view
        assert signal.leader_capability is leader_capability
        text = signal.explanation
        assert text
        assert text.strip() == text
        assert SEED_WORDS[signal.kind] in text
        # The explanation names the stages it is about.
        involved: list[AutonomyStage | None]
        if signal.kind is LEADER_GAP:
            involved = [agreed, leader_capability]
        elif signal.kind is PERCEPTION:
            involved = [follower_view, leader_view]
        else:
            involved = [agreed, follower_view, leader_view]
        for stage in involved:
            if stage is not None:
                assert stage.label.lower() in text.lower()


# -- mismatch signals: cases to read -------------------------------------------------


def kinds_of(
    agreed: AutonomyStage,
    follower_view: AutonomyStage | None = None,
    leader_view: AutonomyStage | None = None,
    leader_capability: AutonomyStage | None = None,
) -> set[SignalKind]:
    return {
        s.kind
        for s in mismatch_signals(
            agreed,
            follower_view=follower_view,
            leader_view=leader_view,
            leader_capability=leader_capability,
        )
    }


def test_a_match_gives_no_signal() -> None:
    assert kinds_of(FIXED, FIXED, FIXED, FIXED) == set()
    assert kinds_of(FIXED, FIXED, FIXED, PURPOSE) == set()  # a leader may be more capable


def test_nothing_given_gives_no_signal() -> None:
    for stage in AutonomyStage:
        assert (
            mismatch_signals(stage, follower_view=None, leader_view=None, leader_capability=None)
            == []
        )


def test_led_below_both_views_is_under_challenged() -> None:
    assert kinds_of(TASKS, PURPOSE, FLEXIBLE, PURPOSE) == {UNDER}


def test_led_above_both_views_is_overwhelmed() -> None:
    assert kinds_of(FLEXIBLE, FIXED, TASKS, FLEXIBLE) == {OVER}


def test_where_only_one_view_exists_that_one_counts() -> None:
    assert kinds_of(TASKS, follower_view=FIXED) == {UNDER}
    assert kinds_of(TASKS, leader_view=PURPOSE) == {UNDER}
    assert kinds_of(PURPOSE, follower_view=FLEXIBLE) == {OVER}
    assert kinds_of(FIXED, leader_view=TASKS) == {OVER}
    assert kinds_of(FIXED, follower_view=FIXED) == set()


def test_agreed_level_with_one_view_is_neither_under_nor_over() -> None:
    assert kinds_of(FIXED, FIXED, FLEXIBLE) == set()
    assert kinds_of(FIXED, TASKS, FIXED) == set()


def test_views_on_either_side_of_the_agreed_stage() -> None:
    # Below one view, above the other: neither under-challenged nor overwhelmed,
    # but the views are two stages apart.
    assert kinds_of(FIXED, FLEXIBLE, TASKS) == {PERCEPTION}
    assert kinds_of(FIXED, TASKS, FLEXIBLE) == {PERCEPTION}


def test_views_one_stage_apart_are_no_perception_gap() -> None:
    assert kinds_of(FLEXIBLE, FLEXIBLE, PURPOSE) == set()
    assert kinds_of(FLEXIBLE, PURPOSE, FIXED) == {PERCEPTION}
    assert kinds_of(FLEXIBLE, TASKS, PURPOSE) == {PERCEPTION}


def test_leader_gap_needs_only_the_leader_capability() -> None:
    assert kinds_of(PURPOSE, leader_capability=FLEXIBLE) == {LEADER_GAP}
    assert kinds_of(FIXED, leader_capability=TASKS) == {LEADER_GAP}
    assert kinds_of(FIXED, leader_capability=FIXED) == set()
    assert kinds_of(TASKS, leader_capability=TASKS) == set()


def test_several_signals_at_once() -> None:
    assert kinds_of(PURPOSE, TASKS, FLEXIBLE, FIXED) == {OVER, LEADER_GAP, PERCEPTION}
    assert kinds_of(TASKS, FIXED, PURPOSE) == {UNDER, PERCEPTION}
    assert kinds_of(FLEXIBLE, FIXED, FIXED, FIXED) == {OVER, LEADER_GAP}


def test_explanations_read_well() -> None:
    (under,) = mismatch_signals(
        TASKS, follower_view=FLEXIBLE, leader_view=FIXED, leader_capability=None
    )
    assert under.explanation == (
        "Led at tasks and processes while capable of fixed goals to flexible goals: "
        "this tends to feel constrained, patronized and micromanaged."
    )
    (over,) = mismatch_signals(
        PURPOSE, follower_view=FIXED, leader_view=None, leader_capability=None
    )
    assert over.explanation.startswith("Led at purpose while capable of fixed goals:")
    assert "lost" in over.explanation
    (gap,) = mismatch_signals(
        FLEXIBLE, follower_view=None, leader_view=None, leader_capability=FIXED
    )
    assert "fixed goals" in gap.explanation
    assert "flexible goals" in gap.explanation
    (perception,) = mismatch_signals(
        FIXED, follower_view=PURPOSE, leader_view=TASKS, leader_capability=None
    )
    assert perception.explanation.startswith(
        "The follower sees themselves at purpose, the leader sees them at tasks and processes"
    )


# -- readiness -------------------------------------------------------------------------

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
DEFAULT = ReadinessRule()


def achieved(
    stage: AutonomyStage, *, days_ago: float = 10, check_ins: int = 1, at: datetime | None = None
) -> AchievedGoal:
    return AchievedGoal(
        goal_id=uuid.uuid4(),
        stage=stage,
        achieved_at=at if at is not None else NOW - timedelta(days=days_ago),
        check_ins=check_ins,
    )


def test_the_default_rule() -> None:
    assert DEFAULT.goals == 3
    assert DEFAULT.window == YEAR


def test_exactly_at_the_threshold_suggests_the_next_stage() -> None:
    goals = [achieved(FIXED, days_ago=d) for d in (5, 300, 40)]
    (suggestion,) = readiness(goals, DEFAULT, NOW)
    assert isinstance(suggestion, ReadinessSuggestion)
    assert suggestion.stage is FIXED
    assert suggestion.next_stage is FLEXIBLE
    assert suggestion.required == 3
    # Oldest first.
    assert suggestion.evidence == (goals[1], goals[2], goals[0])
    assert evidence_for(FIXED, goals, DEFAULT, NOW) == [goals[1], goals[2], goals[0]]


def test_one_short_suggests_nothing() -> None:
    goals = [achieved(TASKS), achieved(TASKS, days_ago=20)]
    assert readiness(goals, DEFAULT, NOW) == []
    assert len(evidence_for(TASKS, goals, DEFAULT, NOW)) == 2


def test_more_than_enough_is_all_evidence() -> None:
    goals = [achieved(TASKS, days_ago=d) for d in range(1, 6)]
    (suggestion,) = readiness(goals, DEFAULT, NOW)
    assert len(suggestion.evidence) == 5
    assert suggestion.required == 3


def test_goals_without_check_ins_do_not_count() -> None:
    goals = [achieved(FIXED), achieved(FIXED, days_ago=2), achieved(FIXED, check_ins=0)]
    assert readiness(goals, DEFAULT, NOW) == []
    assert evidence_for(FIXED, goals, DEFAULT, NOW) == [goals[0], goals[1]]
    many = achieved(FIXED, check_ins=12)
    (suggestion,) = readiness([*goals, many], DEFAULT, NOW)
    assert goals[2] not in suggestion.evidence


def test_goals_outside_the_window_do_not_count() -> None:
    just_in = achieved(FIXED, at=NOW - YEAR)  # exactly a window old: counts
    just_out = achieved(FIXED, at=NOW - YEAR - timedelta(microseconds=1))
    future = achieved(FIXED, at=NOW + timedelta(seconds=1))  # not achieved yet as of now
    right_now = achieved(FIXED, at=NOW)
    recent = achieved(FIXED, days_ago=1)
    assert evidence_for(FIXED, [just_out, future, recent], DEFAULT, NOW) == [recent]
    assert readiness([just_out, future, recent, right_now], DEFAULT, NOW) == []
    (suggestion,) = readiness([just_out, just_in, future, recent, right_now], DEFAULT, NOW)
    assert suggestion.evidence == (just_in, recent, right_now)


def test_goals_at_other_stages_do_not_count() -> None:
    goals = [achieved(TASKS), achieved(TASKS), achieved(FIXED), achieved(FLEXIBLE)]
    assert readiness(goals, DEFAULT, NOW) == []
    assert len(evidence_for(TASKS, goals, DEFAULT, NOW)) == 2
    assert evidence_for(PURPOSE, goals, DEFAULT, NOW) == []


def test_purpose_never_suggests() -> None:
    goals = [achieved(PURPOSE, days_ago=d) for d in range(1, 11)]
    assert readiness(goals, DEFAULT, NOW) == []
    assert readiness(goals, ReadinessRule(goals=1), NOW) == []
    # The evidence itself is still there to show.
    assert len(evidence_for(PURPOSE, goals, DEFAULT, NOW)) == 10


def test_several_stages_at_once() -> None:
    goals = [
        *(achieved(FLEXIBLE, days_ago=d) for d in (1, 2, 3)),
        *(achieved(TASKS, days_ago=d) for d in (100, 200, 300, 310)),
        *(achieved(FIXED, days_ago=d) for d in (4, 5)),
        *(achieved(PURPOSE, days_ago=d) for d in (6, 7, 8)),
    ]
    suggestions = readiness(goals, DEFAULT, NOW)
    assert [(s.stage, s.next_stage, len(s.evidence)) for s in suggestions] == [
        (TASKS, FIXED, 4),
        (FLEXIBLE, PURPOSE, 3),
    ]


def test_custom_rules() -> None:
    month = ReadinessRule(goals=1, window=timedelta(days=30))
    goal = achieved(TASKS, days_ago=30)
    older = achieved(FIXED, days_ago=31)
    (suggestion,) = readiness([goal, older], month, NOW)
    assert (suggestion.stage, suggestion.required, suggestion.evidence) == (TASKS, 1, (goal,))
    strict = ReadinessRule(goals=5, window=YEAR * 2)
    four = [achieved(FIXED, days_ago=d) for d in (1, 400, 500, 700)]
    assert readiness(four, strict, NOW) == []
    assert readiness([*four, achieved(FIXED, days_ago=729)], strict, NOW)[0].required == 5
    assert readiness([*four, achieved(FIXED, days_ago=731)], strict, NOW) == []


def test_readiness_takes_any_iterable_once() -> None:
    goals = (achieved(FIXED, days_ago=d) for d in (1, 2, 3))
    (suggestion,) = readiness(goals, DEFAULT, NOW)
    assert len(suggestion.evidence) == 3


def test_nothing_achieved_suggests_nothing() -> None:
    assert readiness([], DEFAULT, NOW) == []
