"""Autonomy stages, mismatch signals and readiness suggestions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.autonomy import AutonomyStage, MismatchSignal, ReadinessSuggestion, SignalKind

if TYPE_CHECKING:
    from api.graphql.goals import GoalNode

AutonomyStageType = strawberry.enum(
    AutonomyStage,
    name="AutonomyStage",
    description="The four stages at which work can be led, each including the earlier ones.",
)
SignalKindType = strawberry.enum(SignalKind, name="MismatchSignalKind")


@strawberry.type(description="A stage explained, so that clients can show what it means.")
class AutonomyStageInfo:
    stage: AutonomyStageType  # type: ignore[valid-type]
    rank: int
    label: str
    description: str
    guiding_question: str


def stage_infos() -> list[AutonomyStageInfo]:
    return [
        AutonomyStageInfo(
            stage=s,
            rank=s.rank,
            label=s.label,
            description=s.description,
            guiding_question=s.guiding_question,
        )
        for s in AutonomyStage
    ]


@strawberry.type(
    name="MismatchSignal", description="Where an agreement and capability drift apart."
)
class MismatchSignalType:
    signal: strawberry.Private[MismatchSignal]

    @strawberry.field
    def kind(self) -> SignalKindType:  # type: ignore[valid-type]
        return self.signal.kind

    @strawberry.field
    def agreed_stage(self) -> AutonomyStageType:  # type: ignore[valid-type]
        return self.signal.agreed

    @strawberry.field
    def follower_view(self) -> AutonomyStageType | None:  # type: ignore[valid-type]
        return self.signal.follower_view

    @strawberry.field
    def leader_view(self) -> AutonomyStageType | None:  # type: ignore[valid-type]
        return self.signal.leader_view

    @strawberry.field
    def leader_capability(self) -> AutonomyStageType | None:  # type: ignore[valid-type]
        return self.signal.leader_capability

    @strawberry.field(description="A human sentence explaining the signal.")
    def explanation(self) -> str:
        return self.signal.explanation


@strawberry.type(
    name="ReadinessSuggestion",
    description="Evidence that someone may be ready to be led at the next stage. A suggestion "
    "to talk about; it never changes any agreement.",
)
class ReadinessSuggestionType:
    suggestion: strawberry.Private[ReadinessSuggestion]

    @strawberry.field
    def stage(self) -> AutonomyStageType:  # type: ignore[valid-type]
        return self.suggestion.stage

    @strawberry.field
    def next_stage(self) -> AutonomyStageType:  # type: ignore[valid-type]
        return self.suggestion.next_stage

    @strawberry.field(description="Goals achieved at the stage in the window (with check-ins).")
    def evidence_count(self) -> int:
        return len(self.suggestion.evidence)

    @strawberry.field(description="How many the organization's rule asks for.")
    def required(self) -> int:
        return self.suggestion.required

    @strawberry.field(description="The evidence goals you may read (others count, unnamed).")
    async def evidence(
        self, info: strawberry.Info
    ) -> list[Annotated[GoalNode, strawberry.lazy("api.graphql.goals")]]:
        from api.graphql.goals import GoalNode

        goals = await info.context.loaders.goal.load_many(
            [g.goal_id for g in self.suggestion.evidence]
        )
        return [GoalNode(entity=g) for g in goals if g is not None]


@strawberry.type
class AutonomyQuery:
    @strawberry.field(description="The autonomy stages, in order, with what each means.")
    def autonomy_stages(self) -> list[AutonomyStageInfo]:
        return stage_infos()
