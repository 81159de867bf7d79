"""Suggested talking points for a 1-on-1 (domain/prep.py), criterion by
criterion, then all of them together: what is suggested, in which order,
why, and what each suggestion points at."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from domain.agreements import AgreementStatus, AutonomyAgreement
from domain.autonomy import AutonomyStage, SignalKind
from domain.goals import CheckIn, Confidence, Goal, GoalStatus
from domain.one_on_ones import ActionItem, Meeting, OneOnOneSeries
from domain.prep import Suggestion, SuggestionKind, changes_since, suggest
from domain.relationships import Relationship, RelationshipKind

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)
SINCE = NOW - timedelta(days=7)
"""When the last meeting was held."""

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
STEWARD = uuid.UUID("00000000-0000-4000-8000-00000000000a")
PERSON = uuid.UUID("00000000-0000-4000-8000-00000000000b")
SERIES = uuid.UUID("00000000-0000-4000-8000-0000000000e1")
MEETING = uuid.UUID("00000000-0000-4000-8000-0000000000e2")

TASKS = AutonomyStage.TASKS
FIXED = AutonomyStage.FIXED_GOALS
FLEXIBLE = AutonomyStage.FLEXIBLE_GOALS
PURPOSE = AutonomyStage.PURPOSE
LOW, MEDIUM, HIGH = Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH

PAST_TARGET = SuggestionKind.GOAL_PAST_TARGET
CONFIDENCE_DROP = SuggestionKind.CONFIDENCE_DROP
MISMATCH = SuggestionKind.MISMATCH_SIGNAL
OVERDUE = SuggestionKind.ACTION_ITEM_OVERDUE
REVIEW_DUE = SuggestionKind.RELATIONSHIP_REVIEW_DUE


# -- inputs --------------------------------------------------------------------------------


def make_goal(
    status: GoalStatus = GoalStatus.ACTIVE,
    *,
    title: str = "Run the retro",
    target_date: date | None = None,
) -> Goal:
    goal = Goal.create(
        organization_id=ORG,
        owner_id=PERSON,
        title=title,
        description="",
        stage=FIXED,
        knowledge_area_id=None,
        target_date=target_date,
        now=NOW - timedelta(days=90),
    )
    if status is not GoalStatus.DRAFT:
        goal.activate(NOW - timedelta(days=90))
    if status is GoalStatus.ACHIEVED:
        goal.achieve(NOW - timedelta(days=1), "")
    if status is GoalStatus.ABANDONED:
        goal.abandon(NOW - timedelta(days=1), "Not now.")
    assert goal.status is status
    return goal


def check_in(goal: Goal, confidence: Confidence, at: datetime) -> CheckIn:
    return CheckIn(
        organization_id=ORG,
        goal_id=goal.id,
        progress=50,
        confidence=confidence,
        note="",
        created_at=at,
    )


def history(goal: Goal, *entries: tuple[Confidence, datetime]) -> dict[UUID, list[CheckIn]]:
    """`entries` newest first, as suggest() expects them."""
    return {goal.id: [check_in(goal, confidence, at) for confidence, at in entries]}


def make_agreement(
    agreed: AutonomyStage | None = FIXED,
    *,
    context: str = "Release planning",
    follower_view: AutonomyStage | None = None,
    leader_view: AutonomyStage | None = None,
    leader_capability: AutonomyStage | None = None,
    status: AgreementStatus = AgreementStatus.ACTIVE,
) -> AutonomyAgreement:
    return AutonomyAgreement(
        organization_id=ORG,
        leader_id=STEWARD,
        follower_id=PERSON,
        context=context,
        created_by_id=STEWARD,
        created_at=NOW - timedelta(days=30),
        relationship_id=uuid.uuid4(),
        agreed_stage=agreed,
        follower_view=follower_view,
        leader_view=leader_view,
        leader_capability=leader_capability,
        status=status,
    )


def make_action_item(
    due_on: date | None, *, text: str = "Book the offsite", done: bool = False
) -> ActionItem:
    item = ActionItem(
        organization_id=ORG,
        series_id=SERIES,
        meeting_id=MEETING,
        owner_id=PERSON,
        created_by_id=STEWARD,
        text=text,
        created_at=NOW - timedelta(days=14),
        due_on=due_on,
    )
    if done:
        item.set_done(True, NOW - timedelta(days=2))
    return item


def make_relationship(
    review_on: date | None = None,
    *,
    kind: RelationshipKind = RelationshipKind.STEWARDSHIP,
    active: bool = True,
) -> Relationship:
    relationship = Relationship.propose(
        organization_id=ORG,
        kind=kind,
        leader_id=STEWARD,
        follower_id=PERSON,
        proposed_by_id=STEWARD,
        message="",
        review_on=None,
        replaces_id=None,
        now=NOW - timedelta(days=400),
    )
    relationship.accept(PERSON, NOW - timedelta(days=399))
    relationship.review_on = review_on
    if not active:
        relationship.end(PERSON, NOW - timedelta(days=3), "Moving on.")
    return relationship


def run(
    *,
    goals: Sequence[Goal] = (),
    check_ins: Mapping[UUID, Sequence[CheckIn]] | None = None,
    agreements: Sequence[AutonomyAgreement] = (),
    action_items: Sequence[ActionItem] = (),
    relationship: Relationship | None = None,
    since: datetime | None = SINCE,
    today: date = TODAY,
) -> list[Suggestion]:
    return suggest(
        goals=goals,
        check_ins=check_ins or {},
        agreements=agreements,
        action_items=action_items,
        relationship=relationship or make_relationship(),
        since=since,
        today=today,
    )


def kinds(suggestions: Sequence[Suggestion]) -> list[SuggestionKind]:
    return [s.kind for s in suggestions]


def linked(suggestion: Suggestion) -> list[UUID]:
    """The ids a suggestion points at."""
    ids = (
        suggestion.goal_id,
        suggestion.agreement_id,
        suggestion.action_item_id,
        suggestion.relationship_id,
    )
    return [i for i in ids if i is not None]


def test_nothing_to_suggest() -> None:
    assert run() == []
    quiet_goal = make_goal(target_date=TOMORROW)
    assert (
        run(
            goals=[quiet_goal],
            check_ins=history(quiet_goal, (HIGH, NOW), (MEDIUM, SINCE - timedelta(days=7))),
            agreements=[make_agreement(FIXED, follower_view=FIXED, leader_view=FIXED)],
            action_items=[make_action_item(TOMORROW)],
            relationship=make_relationship(TOMORROW),
        )
        == []
    )


# -- goals past their target date ----------------------------------------------------------


@pytest.mark.parametrize("target", [YESTERDAY, TODAY - timedelta(days=60)])
def test_an_active_goal_past_its_target_date(target: date) -> None:
    goal = make_goal(title="Lead the retro", target_date=target)
    (suggestion,) = run(goals=[goal])
    assert suggestion.kind is PAST_TARGET
    assert linked(suggestion) == [goal.id]
    assert suggestion.goal_id == goal.id
    assert "Lead the retro" in suggestion.reason
    assert str(target) in suggestion.reason


@pytest.mark.parametrize("target", [TODAY, TOMORROW, None])
def test_a_goal_not_yet_past_its_target_date(target: date | None) -> None:
    assert run(goals=[make_goal(target_date=target)]) == []


@pytest.mark.parametrize("status", [GoalStatus.DRAFT, GoalStatus.ACHIEVED, GoalStatus.ABANDONED])
def test_only_active_goals_are_past_their_target(status: GoalStatus) -> None:
    assert run(goals=[make_goal(status, target_date=YESTERDAY)]) == []


def test_the_target_date_counts_against_today() -> None:
    goal = make_goal(target_date=TODAY)
    assert run(goals=[goal]) == []
    assert kinds(run(goals=[goal], today=TOMORROW)) == [PAST_TARGET]


# -- a drop in confidence ------------------------------------------------------------------


@pytest.mark.parametrize(("previous", "latest"), [(HIGH, MEDIUM), (HIGH, LOW), (MEDIUM, LOW)])
def test_confidence_dropped_since_the_last_meeting(
    previous: Confidence, latest: Confidence
) -> None:
    goal = make_goal(title="Lead the retro")
    entries = history(
        goal, (latest, NOW - timedelta(days=1)), (previous, SINCE - timedelta(days=7))
    )
    (suggestion,) = run(goals=[goal], check_ins=entries)
    assert suggestion.kind is CONFIDENCE_DROP
    assert linked(suggestion) == [goal.id]
    assert suggestion.goal_id == goal.id
    assert "Lead the retro" in suggestion.reason
    assert previous.value.lower() in suggestion.reason
    assert latest.value.lower() in suggestion.reason
    assert suggestion.reason.index(previous.value.lower()) < suggestion.reason.index(
        latest.value.lower()
    )


@pytest.mark.parametrize(
    ("previous", "latest"),
    [(LOW, LOW), (MEDIUM, MEDIUM), (HIGH, HIGH), (LOW, MEDIUM), (LOW, HIGH), (MEDIUM, HIGH)],
)
def test_steady_or_rising_confidence_is_no_drop(previous: Confidence, latest: Confidence) -> None:
    goal = make_goal()
    entries = history(goal, (latest, NOW), (previous, SINCE - timedelta(days=1)))
    assert run(goals=[goal], check_ins=entries) == []


def test_only_the_latest_two_check_ins_count() -> None:
    goal = make_goal()
    # It dropped before (high -> low), but not from the previous check-in.
    entries = history(goal, (LOW, NOW), (LOW, NOW - timedelta(days=2)), (HIGH, SINCE))
    assert run(goals=[goal], check_ins=entries) == []
    # It rose before (low -> high), then dropped.
    entries = history(goal, (MEDIUM, NOW), (HIGH, NOW - timedelta(days=2)), (LOW, SINCE))
    assert kinds(run(goals=[goal], check_ins=entries)) == [CONFIDENCE_DROP]


@pytest.mark.parametrize(
    "latest_at",
    [SINCE, SINCE - timedelta(seconds=1), SINCE - timedelta(days=30)],
    ids=["at the last meeting", "just before it", "long before it"],
)
def test_a_drop_talked_about_already_is_not_suggested_again(latest_at: datetime) -> None:
    goal = make_goal()
    entries = history(goal, (LOW, latest_at), (HIGH, latest_at - timedelta(days=7)))
    assert run(goals=[goal], check_ins=entries) == []


def test_a_drop_just_after_the_last_meeting_counts() -> None:
    goal = make_goal()
    just_after = SINCE + timedelta(seconds=1)
    entries = history(goal, (LOW, just_after), (HIGH, SINCE - timedelta(days=7)))
    assert kinds(run(goals=[goal], check_ins=entries)) == [CONFIDENCE_DROP]
    # Both check-ins new since the last meeting: a drop all the same.
    entries = history(goal, (LOW, NOW), (HIGH, just_after))
    assert kinds(run(goals=[goal], check_ins=entries)) == [CONFIDENCE_DROP]


def test_before_the_first_meeting_every_drop_counts() -> None:
    goal = make_goal()
    entries = history(goal, (LOW, NOW - timedelta(days=300)), (HIGH, NOW - timedelta(days=301)))
    assert kinds(run(goals=[goal], check_ins=entries, since=None)) == [CONFIDENCE_DROP]
    assert run(goals=[goal], check_ins=entries) == []


def test_one_check_in_or_none_is_no_drop() -> None:
    goal = make_goal()
    assert run(goals=[goal], check_ins=history(goal, (LOW, NOW))) == []
    assert run(goals=[goal], check_ins=history(goal)) == []
    assert run(goals=[goal], check_ins={}) == []
    assert run(goals=[goal], check_ins=history(goal, (LOW, NOW)), since=None) == []


@pytest.mark.parametrize("status", [GoalStatus.DRAFT, GoalStatus.ACHIEVED, GoalStatus.ABANDONED])
def test_only_active_goals_drop_in_confidence(status: GoalStatus) -> None:
    goal = make_goal(status)
    entries = history(goal, (LOW, NOW), (HIGH, SINCE - timedelta(days=1)))
    assert run(goals=[goal], check_ins=entries) == []


def test_check_ins_of_goals_not_given_are_ignored() -> None:
    shown, hidden = make_goal(), make_goal(title="Private")
    entries = history(hidden, (LOW, NOW), (HIGH, SINCE - timedelta(days=1)))
    assert run(goals=[shown], check_ins=entries) == []


def test_check_ins_belong_to_their_goal() -> None:
    steady, dropping = make_goal(title="Steady"), make_goal(title="Dropping")
    entries = {
        **history(steady, (HIGH, NOW), (HIGH, SINCE - timedelta(days=1))),
        **history(dropping, (LOW, NOW), (HIGH, SINCE - timedelta(days=1))),
    }
    (suggestion,) = run(goals=[steady, dropping], check_ins=entries)
    assert (suggestion.kind, suggestion.goal_id) == (CONFIDENCE_DROP, dropping.id)
    assert "Dropping" in suggestion.reason


def test_a_goal_past_target_with_dropping_confidence() -> None:
    goal = make_goal(target_date=YESTERDAY)
    entries = history(goal, (LOW, NOW), (HIGH, SINCE - timedelta(days=1)))
    suggestions = run(goals=[goal], check_ins=entries)
    assert kinds(suggestions) == [PAST_TARGET, CONFIDENCE_DROP]
    assert [s.goal_id for s in suggestions] == [goal.id, goal.id]


# -- mismatch signals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agreement", "signal_kinds"),
    [
        (make_agreement(FIXED, follower_view=PURPOSE), [SignalKind.UNDER_CHALLENGED]),
        (make_agreement(PURPOSE, leader_view=FIXED), [SignalKind.OVERWHELMED]),
        (make_agreement(FLEXIBLE, leader_capability=FIXED), [SignalKind.LEADER_GAP]),
        (
            make_agreement(
                FIXED, follower_view=PURPOSE, leader_view=FLEXIBLE, leader_capability=TASKS
            ),
            [SignalKind.UNDER_CHALLENGED, SignalKind.LEADER_GAP],
        ),
        (
            make_agreement(
                FLEXIBLE, follower_view=PURPOSE, leader_view=TASKS, leader_capability=FIXED
            ),
            [SignalKind.LEADER_GAP, SignalKind.PERCEPTION_GAP],
        ),
    ],
)
def test_one_suggestion_per_mismatch_signal(
    agreement: AutonomyAgreement, signal_kinds: list[SignalKind]
) -> None:
    assert [s.kind for s in agreement.signals] == signal_kinds
    suggestions = run(agreements=[agreement])
    assert kinds(suggestions) == [MISMATCH] * len(signal_kinds)
    assert [s.reason for s in suggestions] == [
        f"Release planning: {signal.explanation}" for signal in agreement.signals
    ]
    assert all(linked(s) == [agreement.id] for s in suggestions)


def test_the_reason_names_the_agreements_context() -> None:
    first = make_agreement(FIXED, context="Hiring", follower_view=PURPOSE)
    second = make_agreement(PURPOSE, context="On-call", leader_view=TASKS)
    suggestions = run(agreements=[first, second])
    assert [s.agreement_id for s in suggestions] == [first.id, second.id]
    assert suggestions[0].reason.startswith("Hiring: ")
    assert suggestions[1].reason.startswith("On-call: ")
    assert "On-call" not in suggestions[0].reason


@pytest.mark.parametrize(
    "agreement",
    [
        make_agreement(FIXED),
        make_agreement(FIXED, follower_view=FIXED, leader_view=FIXED, leader_capability=PURPOSE),
        make_agreement(FIXED, follower_view=FLEXIBLE, leader_view=FIXED),
        make_agreement(None, status=AgreementStatus.PROPOSED, follower_view=PURPOSE),
        make_agreement(FIXED, status=AgreementStatus.ENDED, follower_view=PURPOSE),
    ],
    ids=["no views", "in balance", "views on both sides", "not agreed yet", "ended"],
)
def test_no_signal_no_suggestion(agreement: AutonomyAgreement) -> None:
    assert run(agreements=[agreement]) == []


# -- overdue action items ---------------------------------------------------------------------


@pytest.mark.parametrize("due_on", [YESTERDAY, TODAY - timedelta(days=40)])
def test_an_open_action_item_past_its_due_date(due_on: date) -> None:
    item = make_action_item(due_on, text="Book the offsite")
    (suggestion,) = run(action_items=[item])
    assert suggestion.kind is OVERDUE
    assert linked(suggestion) == [item.id]
    assert suggestion.action_item_id == item.id
    assert "Book the offsite" in suggestion.reason
    assert str(due_on) in suggestion.reason


@pytest.mark.parametrize(
    ("due_on", "done"),
    [(TODAY, False), (TOMORROW, False), (None, False), (YESTERDAY, True), (None, True)],
)
def test_an_action_item_not_overdue(due_on: date | None, done: bool) -> None:
    assert run(action_items=[make_action_item(due_on, done=done)]) == []


def test_each_overdue_action_item_in_turn() -> None:
    first = make_action_item(YESTERDAY, text="First")
    done = make_action_item(YESTERDAY, text="Done", done=True)
    later = make_action_item(TOMORROW, text="Later")
    second = make_action_item(TODAY - timedelta(days=9), text="Second")
    suggestions = run(action_items=[first, done, later, second])
    assert [s.action_item_id for s in suggestions] == [first.id, second.id]


# -- the relationship's review ----------------------------------------------------------------


@pytest.mark.parametrize("review_on", [TODAY, YESTERDAY, TODAY - timedelta(days=90)])
def test_a_relationship_due_for_review(review_on: date) -> None:
    relationship = make_relationship(review_on)
    (suggestion,) = run(relationship=relationship)
    assert suggestion.kind is REVIEW_DUE
    assert linked(suggestion) == [relationship.id]
    assert suggestion.relationship_id == relationship.id
    assert "stewardship" in suggestion.reason
    assert str(review_on) in suggestion.reason


@pytest.mark.parametrize("kind", [RelationshipKind.MENTORSHIP, RelationshipKind.COACHING])
def test_the_reason_names_the_kind_of_relationship(kind: RelationshipKind) -> None:
    (suggestion,) = run(relationship=make_relationship(YESTERDAY, kind=kind))
    assert kind.value.lower() in suggestion.reason


@pytest.mark.parametrize(
    ("review_on", "active"), [(TOMORROW, True), (None, True), (YESTERDAY, False)]
)
def test_a_relationship_not_due_for_review(review_on: date | None, active: bool) -> None:
    assert run(relationship=make_relationship(review_on, active=active)) == []


# -- everything at once -------------------------------------------------------------------------


def test_the_order_is_fixed_and_every_suggestion_says_why() -> None:
    """Goals (each with its own suggestions in turn), agreements, action
    items, the relationship: whatever the order of the criteria inside."""
    late = make_goal(title="Late", target_date=YESTERDAY)
    wobbly = make_goal(title="Wobbly")
    late_and_wobbly = make_goal(title="Both", target_date=TODAY - timedelta(days=3))
    fine = make_goal(title="Fine", target_date=TOMORROW)
    check_ins = {
        **history(wobbly, (LOW, NOW), (MEDIUM, SINCE - timedelta(days=1))),
        **history(late_and_wobbly, (MEDIUM, NOW), (HIGH, SINCE - timedelta(days=1))),
        **history(fine, (HIGH, NOW), (LOW, SINCE - timedelta(days=1))),
    }
    two_signals = make_agreement(
        FIXED,
        context="Hiring",
        follower_view=PURPOSE,
        leader_view=FLEXIBLE,
        leader_capability=TASKS,
    )
    balanced = make_agreement(FIXED, context="Budget", follower_view=FIXED)
    one_signal = make_agreement(PURPOSE, context="On-call", leader_view=TASKS)
    overdue = make_action_item(YESTERDAY, text="Overdue")
    not_yet = make_action_item(TOMORROW, text="Not yet")
    also_overdue = make_action_item(TODAY - timedelta(days=5), text="Also overdue")
    relationship = make_relationship(TODAY)

    suggestions = run(
        goals=[late, wobbly, fine, late_and_wobbly],
        check_ins=check_ins,
        agreements=[two_signals, balanced, one_signal],
        action_items=[overdue, not_yet, also_overdue],
        relationship=relationship,
    )

    assert [(s.kind, linked(s)) for s in suggestions] == [
        (PAST_TARGET, [late.id]),
        (CONFIDENCE_DROP, [wobbly.id]),
        (PAST_TARGET, [late_and_wobbly.id]),
        (CONFIDENCE_DROP, [late_and_wobbly.id]),
        (MISMATCH, [two_signals.id]),
        (MISMATCH, [two_signals.id]),
        (MISMATCH, [one_signal.id]),
        (OVERDUE, [overdue.id]),
        (OVERDUE, [also_overdue.id]),
        (REVIEW_DUE, [relationship.id]),
    ]
    goal_kinds = {PAST_TARGET, CONFIDENCE_DROP}
    for s in suggestions:
        assert s.reason.strip()
        assert (s.goal_id is not None) is (s.kind in goal_kinds)
        assert (s.agreement_id is not None) is (s.kind is MISMATCH)
        assert (s.action_item_id is not None) is (s.kind is OVERDUE)
        assert (s.relationship_id is not None) is (s.kind is REVIEW_DUE)
    # The same inputs give the same list.
    assert (
        run(
            goals=[late, wobbly, fine, late_and_wobbly],
            check_ins=check_ins,
            agreements=[two_signals, balanced, one_signal],
            action_items=[overdue, not_yet, also_overdue],
            relationship=relationship,
        )
        == suggestions
    )


def test_the_criteria_do_not_depend_on_each_other() -> None:
    """Each input yields its suggestions alone as among all the others."""
    goal = make_goal(target_date=YESTERDAY)
    agreement = make_agreement(FIXED, follower_view=PURPOSE)
    item = make_action_item(YESTERDAY)
    relationship = make_relationship(TODAY)
    alone = [
        *run(goals=[goal]),
        *run(agreements=[agreement]),
        *run(action_items=[item], relationship=make_relationship()),
        *run(relationship=relationship),
    ]
    together = run(
        goals=[goal], agreements=[agreement], action_items=[item], relationship=relationship
    )
    assert together == alone


# -- where a prep starts counting ----------------------------------------------------------


def test_changes_count_from_the_last_held_meeting_or_else_the_start() -> None:
    relationship = make_relationship()
    assert relationship.started_at == NOW - timedelta(days=399)
    assert changes_since(relationship, None) == relationship.started_at
    series = OneOnOneSeries.start(
        organization_id=ORG,
        relationship_id=relationship.id,
        timezone="UTC",
        cadence=None,
        created_by_id=STEWARD,
        now=NOW - timedelta(days=30),
    )
    held = Meeting.schedule(series, NOW - timedelta(days=7), NOW - timedelta(days=30))
    held.hold(NOW - timedelta(days=7, hours=-1))
    assert changes_since(relationship, held) == NOW - timedelta(days=7, hours=-1)
