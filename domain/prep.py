"""Suggested talking points for a 1-on-1: derived from what the preparing
person may see (DESIGN.md section 2, "1-on-1 prep"), each with the reason it
was suggested. Pure: the API gathers the inputs (already filtered to what
the viewer may read) and shows the result."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.agreements import AutonomyAgreement
from domain.goals import CheckIn, Goal, GoalStatus
from domain.one_on_ones import ActionItem, Meeting
from domain.relationships import Relationship


class SuggestionKind(enum.Enum):
    GOAL_PAST_TARGET = "GOAL_PAST_TARGET"
    CONFIDENCE_DROP = "CONFIDENCE_DROP"
    MISMATCH_SIGNAL = "MISMATCH_SIGNAL"
    ACTION_ITEM_OVERDUE = "ACTION_ITEM_OVERDUE"
    RELATIONSHIP_REVIEW_DUE = "RELATIONSHIP_REVIEW_DUE"


@dataclass(frozen=True)
class Suggestion:
    kind: SuggestionKind
    reason: str
    goal_id: UUID | None = None
    agreement_id: UUID | None = None
    action_item_id: UUID | None = None
    relationship_id: UUID | None = None


def changes_since(relationship: Relationship, last_held: Meeting | None) -> datetime:
    """Where a prep starts counting changes: when the last meeting was held,
    or before the first one, when the relationship started. Never from the
    beginning of time: what happened before the two worked together (goals,
    check-ins, feedback, other relationships) is no news for their first
    1-on-1, and counting it would swamp the prep."""
    if last_held is not None:
        assert last_held.held_at is not None
        return last_held.held_at
    # 1-on-1s are for an active relationship, which has started.
    assert relationship.started_at is not None
    return relationship.started_at


def suggest(
    *,
    goals: Sequence[Goal],
    check_ins: Mapping[UUID, Sequence[CheckIn]],
    agreements: Sequence[AutonomyAgreement],
    action_items: Sequence[ActionItem],
    relationship: Relationship,
    since: datetime | None,
    today: date,
) -> list[Suggestion]:
    """In a fixed order (goals, agreements, action items, the relationship),
    so the list reads the same on every open. `check_ins` are newest first;
    a confidence drop counts when its latest check-in is new since the
    last meeting (an older one was there to talk about then)."""
    found: list[Suggestion] = []
    for goal in goals:
        if goal.status is GoalStatus.ACTIVE and goal.is_overdue(today):
            found.append(
                Suggestion(
                    SuggestionKind.GOAL_PAST_TARGET,
                    f"“{goal.title}” was due on {goal.target_date} and is still active.",
                    goal_id=goal.id,
                )
            )
        entries = check_ins.get(goal.id, ())
        if goal.status is GoalStatus.ACTIVE and len(entries) >= 2:
            latest, previous = entries[0], entries[1]
            is_new = since is None or latest.created_at > since
            if is_new and latest.confidence.rank < previous.confidence.rank:
                found.append(
                    Suggestion(
                        SuggestionKind.CONFIDENCE_DROP,
                        f"Confidence in “{goal.title}” dropped from "
                        f"{previous.confidence.value.lower()} to "
                        f"{latest.confidence.value.lower()}.",
                        goal_id=goal.id,
                    )
                )
    for agreement in agreements:
        for signal in agreement.signals:
            found.append(
                Suggestion(
                    SuggestionKind.MISMATCH_SIGNAL,
                    f"{agreement.context}: {signal.explanation}",
                    agreement_id=agreement.id,
                )
            )
    for item in action_items:
        if item.is_overdue(today):
            found.append(
                Suggestion(
                    SuggestionKind.ACTION_ITEM_OVERDUE,
                    f"“{item.text}” was due on {item.due_on} and is still open.",
                    action_item_id=item.id,
                )
            )
    if relationship.is_due_for_review(today):
        found.append(
            Suggestion(
                SuggestionKind.RELATIONSHIP_REVIEW_DUE,
                f"This {relationship.kind.value.lower()} was due for review on "
                f"{relationship.review_on}: is it still right for both of you?",
                relationship_id=relationship.id,
            )
        )
    return found
