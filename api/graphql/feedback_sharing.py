"""What the owner of a piece of feedback sees of its shares and of what
they did with it, and what everyone else who may read it sees: whether it
was acknowledged or acted on, nothing more (see domain.feedback_items).

Shared by feedback given unasked (api.graphql.feedback_items) and feedback
requests (api.graphql.feedback), which both carry these fields."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from api.graphql.commands import require_actor
from api.graphql.shares import Share
from domain.feedback_items import (
    ActionKind,
    FeedbackAction,
    FeedbackShare,
    Response,
    ShareAudience,
)
from domain.talking_points import TalkingPoint

if TYPE_CHECKING:
    from api.graphql.feedback_items import Feedback
    from api.graphql.goals import GoalNode
    from api.graphql.people import PersonNode
    from api.graphql.relationships import RelationshipNode

ShareAudienceType = strawberry.enum(
    ShareAudience,
    name="FeedbackAudience",
    description="STEWARD: the person who stewards you when you share it, until that "
    "stewardship ends (a later steward does not get it). MENTOR: a named current mentor, "
    "until that mentorship ends. PERSON: a named colleague, while both of you are members.",
)
ActionKindType = strawberry.enum(ActionKind, name="FeedbackActionKind")

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]
GoalRef = Annotated["GoalNode", strawberry.lazy("api.graphql.goals")]
RelationshipRef = Annotated["RelationshipNode", strawberry.lazy("api.graphql.relationships")]
FeedbackUnionRef = Annotated["Feedback", strawberry.lazy("api.graphql.feedback_items")]


@strawberry.type(name="FeedbackShare", description="Who you shared a piece of feedback with.")
class FeedbackShareType(Share):
    entity: strawberry.Private[FeedbackShare]

    @strawberry.field(description="How you shared it: with your steward, a mentor, or by name.")
    def audience(self) -> ShareAudienceType:  # type: ignore[valid-type]
        return self.entity.audience


@strawberry.type(
    name="TalkingPoint",
    description="Something to raise at the next 1-on-1 of a relationship; both people read it.",
)
class TalkingPointType:
    entity: strawberry.Private[TalkingPoint]

    @strawberry.field
    def text(self) -> str:
        return self.entity.text

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field
    async def relationship(self, info: strawberry.Info) -> RelationshipRef | None:
        from api.graphql.relationships import RelationshipNode

        found = await info.context.loaders.relationship.load(self.entity.relationship_id)
        return RelationshipNode(entity=found) if found else None

    @strawberry.field(
        description="The feedback item or request it was raised from: for the person that "
        "feedback is about only, never for the other person of the relationship."
    )
    async def from_feedback(self, info: strawberry.Info) -> FeedbackUnionRef | None:
        from api.graphql.talking_points import raised_from

        return await raised_from(info, self.entity)


@strawberry.type(name="FeedbackAction", description="What you did with a piece of feedback.")
class FeedbackActionType:
    entity: strawberry.Private[FeedbackAction]

    @strawberry.field
    def kind(self) -> ActionKindType:  # type: ignore[valid-type]
        return self.entity.kind

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(description="The goal it became, if you may still read it.")
    async def goal(self, info: strawberry.Info) -> GoalRef | None:
        from api.graphql.goals import GoalNode

        if self.entity.goal_id is None:
            return None
        found = await info.context.loaders.goal.load(self.entity.goal_id)
        return GoalNode(entity=found) if found else None

    @strawberry.field(description="The talking point it became.")
    async def talking_point(self, info: strawberry.Info) -> TalkingPointType | None:
        if self.entity.talking_point_id is None:
            return None
        found = await info.context.loaders.talking_point.load(self.entity.talking_point_id)
        return TalkingPointType(entity=found) if found else None


async def response(info: strawberry.Info, source_id: UUID) -> Response:
    return Response.of(await info.context.loaders.feedback_actions.load(source_id))


async def shares_for_owner(
    info: strawberry.Info, owner_id: UUID, source_id: UUID
) -> list[FeedbackShareType] | None:
    """Only the owner learns with whom something is shared, and whom each
    share reaches now."""
    if (await require_actor(info)).person_id != owner_id:
        return None
    found = await info.context.loaders.feedback_shares.load(source_id)
    return [FeedbackShareType(entity=s) for s in found]


async def actions_for_owner(
    info: strawberry.Info, owner_id: UUID, source_id: UUID
) -> list[FeedbackActionType] | None:
    """Only the owner sees what the feedback became."""
    if (await require_actor(info)).person_id != owner_id:
        return None
    found = await info.context.loaders.feedback_actions.load(source_id)
    return [FeedbackActionType(entity=a) for a in found]
