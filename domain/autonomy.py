"""Autonomy stages and the signals Trellis derives from them (seed 002).

Work can be led at four stages, each an order of magnitude more complex and
each including the earlier ones. Being led below your capability feels like
micromanagement; above it, like being lost; and leader and follower must
both be capable at the same stage. Everything here is pure: it is the part
of Trellis that must be right for every combination, and is tested so.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


class AutonomyStage(enum.Enum):
    TASKS = "TASKS"
    FIXED_GOALS = "FIXED_GOALS"
    FLEXIBLE_GOALS = "FLEXIBLE_GOALS"
    PURPOSE = "PURPOSE"

    @property
    def rank(self) -> int:
        """1 to 4: the order of the stages."""
        return _ORDER.index(self) + 1

    @property
    def next(self) -> AutonomyStage | None:
        return _ORDER[self.rank] if self.rank < len(_ORDER) else None

    @property
    def label(self) -> str:
        return _INFO[self][0]

    @property
    def description(self) -> str:
        return _INFO[self][1]

    @property
    def guiding_question(self) -> str:
        return _INFO[self][2]

    def __lt__(self, other: AutonomyStage) -> bool:
        if not isinstance(other, AutonomyStage):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: AutonomyStage) -> bool:
        if not isinstance(other, AutonomyStage):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: AutonomyStage) -> bool:
        if not isinstance(other, AutonomyStage):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: AutonomyStage) -> bool:
        if not isinstance(other, AutonomyStage):
            return NotImplemented
        return self.rank >= other.rank


_ORDER = list(AutonomyStage)
_INFO = {
    AutonomyStage.TASKS: (
        "Tasks and processes",
        "Clarify and control what someone does and how they do it.",
        "What is your input? What is the work?",
    ),
    AutonomyStage.FIXED_GOALS: (
        "Fixed goals",
        "Clarify and control what someone delivers.",
        "What is the output of your work?",
    ),
    AutonomyStage.FLEXIBLE_GOALS: (
        "Flexible goals",
        "Clarify and control what someone's work effects.",
        "What is the outcome of your work?",
    ),
    AutonomyStage.PURPOSE: (
        "Purpose",
        "Clarify and align on what someone's work aims for.",
        "What is the intention behind your work?",
    ),
}


# -- mismatch signals -------------------------------------------------------------


class SignalKind(enum.Enum):
    UNDER_CHALLENGED = "UNDER_CHALLENGED"
    OVERWHELMED = "OVERWHELMED"
    LEADER_GAP = "LEADER_GAP"
    PERCEPTION_GAP = "PERCEPTION_GAP"


@dataclass(frozen=True)
class MismatchSignal:
    kind: SignalKind
    agreed: AutonomyStage
    follower_view: AutonomyStage | None
    leader_view: AutonomyStage | None
    leader_capability: AutonomyStage | None
    explanation: str


def mismatch_signals(
    agreed: AutonomyStage,
    *,
    follower_view: AutonomyStage | None,
    leader_view: AutonomyStage | None,
    leader_capability: AutonomyStage | None,
) -> list[MismatchSignal]:
    """DESIGN.md: "capability" is the follower's capability as the two views
    give it (the follower's own view and the leader's view of it; where only
    one exists, that one). Several signals can hold at once; with no views
    there is no signal but LEADER_GAP."""
    views = [v for v in (follower_view, leader_view) if v is not None]
    found: list[tuple[SignalKind, str]] = []
    if views and all(agreed < v for v in views):
        found.append(
            (
                SignalKind.UNDER_CHALLENGED,
                f"Led at {agreed.label.lower()} while capable of {_views(views)}: "
                "this tends to feel constrained, patronized and micromanaged.",
            )
        )
    if views and all(agreed > v for v in views):
        found.append(
            (
                SignalKind.OVERWHELMED,
                f"Led at {agreed.label.lower()} while capable of {_views(views)}: "
                "this tends to feel vague and overwhelming, like being lost and left alone.",
            )
        )
    if leader_capability is not None and leader_capability < agreed:
        found.append(
            (
                SignalKind.LEADER_GAP,
                f"The leader is capable of leading at {leader_capability.label.lower()}, below the "
                f"agreed {agreed.label.lower()}: leader and follower must both be capable at the "
                "same stage.",
            )
        )
    if (
        follower_view is not None
        and leader_view is not None
        and abs(follower_view.rank - leader_view.rank) >= 2
    ):
        found.append(
            (
                SignalKind.PERCEPTION_GAP,
                f"The follower sees themselves at {follower_view.label.lower()}, the leader sees "
                f"them at {leader_view.label.lower()}: two or more stages apart, worth talking about.",
            )
        )
    return [
        MismatchSignal(
            kind=kind,
            agreed=agreed,
            follower_view=follower_view,
            leader_view=leader_view,
            leader_capability=leader_capability,
            explanation=text,
        )
        for kind, text in found
    ]


def _views(views: Sequence[AutonomyStage]) -> str:
    labels = sorted(set(views), key=lambda v: v.rank)
    return (
        " to ".join(v.label.lower() for v in labels) if len(labels) > 1 else labels[0].label.lower()
    )


# -- readiness -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReadinessRule:
    """The organization's rule: `goals` goals achieved at a stage within
    `window`, each with at least one check-in."""

    goals: int = 3
    window: timedelta = timedelta(days=365)


@dataclass(frozen=True)
class AchievedGoal:
    goal_id: object
    stage: AutonomyStage
    achieved_at: datetime
    check_ins: int


@dataclass(frozen=True)
class ReadinessSuggestion:
    """Evidence that someone may be ready to be led at `next_stage`. It is a
    suggestion to talk about, never a change to any agreement."""

    stage: AutonomyStage
    next_stage: AutonomyStage
    evidence: tuple[AchievedGoal, ...]
    required: int


def evidence_for(
    stage: AutonomyStage, goals: Iterable[AchievedGoal], rule: ReadinessRule, now: datetime
) -> list[AchievedGoal]:
    since = now - rule.window
    return sorted(
        (
            g
            for g in goals
            if g.stage is stage and g.check_ins >= 1 and since <= g.achieved_at <= now
        ),
        key=lambda g: g.achieved_at,
    )


def readiness(
    goals: Iterable[AchievedGoal], rule: ReadinessRule, now: datetime
) -> list[ReadinessSuggestion]:
    """One suggestion per stage whose evidence meets the rule (PURPOSE has no
    next stage, so it never suggests)."""
    goals = list(goals)
    suggestions = []
    for stage in AutonomyStage:
        if stage.next is None:
            continue
        evidence = evidence_for(stage, goals, rule, now)
        if len(evidence) >= rule.goals:
            suggestions.append(
                ReadinessSuggestion(
                    stage=stage,
                    next_stage=stage.next,
                    evidence=tuple(evidence),
                    required=rule.goals,
                )
            )
    return suggestions
