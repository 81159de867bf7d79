"""Feedback given unasked, and what its owner does with any feedback:
share it, take the share back, acknowledge it, turn it into a goal or a
talking point (see domain.feedback_items)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Protocol
from uuid import UUID

import strawberry
from strawberry import relay

from api.graphql import feedback_sharing as sharing
from api.graphql import ids, shares
from api.graphql.autonomy import AutonomyStageType
from api.graphql.commands import require_actor, run
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from api.graphql.feedback import FeedbackRequestNode
from api.graphql.pagination import connection, page_request
from api.graphql.read_log import READ, ReadLogEntryType, read_by
from domain.actors import Actor
from domain.errors import ValidationFailed
from domain.feedback_items import FeedbackItem, FeedbackRef
from domain.people import Person
from domain.ports import UnitOfWork
from domain.read_log import ContentRead, ReadSource
from domain.services import feedback_items as service

if TYPE_CHECKING:
    from api.graphql.goals import GoalNode

GoalRef = Annotated["GoalNode", strawberry.lazy("api.graphql.goals")]


@strawberry.type(
    name="FeedbackItem",
    description="Feedback given unasked, always named. Its subject reads it and may share it; "
    "its giver reads what they wrote and whether it was acknowledged or acted on.",
)
class FeedbackItemNode(EntityNode):
    """Its text, giver, date and goal are its content: reading one is a read
    (api.graphql.read_log), except by its subject or its giver."""

    loader = "feedback_item"
    entity: strawberry.Private[FeedbackItem]

    @property
    def content_read(self) -> ContentRead:
        return ContentRead(
            ReadSource.FEEDBACK_ITEM,
            self.entity.id,
            self.entity.subject_id,
            author_id=self.entity.giver_id,
        )

    @strawberry.field(description="Who it is about (and whose it is).")
    async def subject(self, info: strawberry.Info) -> sharing.PersonRef:
        from api.graphql.people import PersonNode

        return PersonNode(entity=await info.context.loaders.person.load(self.entity.subject_id))

    @strawberry.field(extensions=[READ])
    async def giver(self, info: strawberry.Info) -> sharing.PersonRef:
        from api.graphql.people import PersonNode

        return PersonNode(entity=await info.context.loaders.person.load(self.entity.giver_id))

    @strawberry.field(extensions=[READ])
    def text(self) -> str:
        return self.entity.text

    @strawberry.field(extensions=[READ])
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(
        description="The subject's goal it is about, if you may read that goal.",
        extensions=[READ],
    )
    async def goal(self, info: strawberry.Info) -> GoalRef | None:
        from api.graphql.goals import GoalNode

        if self.entity.goal_id is None:
            return None
        found = await info.context.loaders.goal.load(self.entity.goal_id)
        return GoalNode(entity=found) if found else None

    @strawberry.field
    async def acknowledged(self, info: strawberry.Info) -> bool:
        return (await sharing.response(info, self.entity.id)).acknowledged

    @strawberry.field(description="Whether it became a goal or a talking point.")
    async def acted_on(self, info: strawberry.Info) -> bool:
        return (await sharing.response(info, self.entity.id)).acted_on

    @strawberry.field(description="Whom it is shared with. For its subject only.")
    async def shared_with(self, info: strawberry.Info) -> list[sharing.FeedbackShareType] | None:
        return await sharing.shares_for_owner(info, self.entity.subject_id, self.entity.id)

    @strawberry.field(description="What its subject did with it. For them only.")
    async def actions(self, info: strawberry.Info) -> list[sharing.FeedbackActionType] | None:
        return await sharing.actions_for_owner(info, self.entity.subject_id, self.entity.id)

    @strawberry.field(
        description="Who it was shared with and read it, the latest first; reads stay after a "
        "share is taken back, for the days the log keeps. For its subject only (else null)."
    )
    async def read_by(self, info: strawberry.Info) -> list[ReadLogEntryType] | None:
        return await read_by(info, self.entity.subject_id, self.entity.id)


Feedback = Annotated[
    FeedbackItemNode | FeedbackRequestNode,
    strawberry.union("Feedback", description="A piece of feedback: an item or a request."),
]


class HasEntity(Protocol):
    entity: Person


# Fields mounted on Person.


async def feedback_received(
    root: strawberry.Parent[HasEntity],
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> relay.Connection[FeedbackItemNode]:
    await require_actor(info)
    request = page_request(info, first=first, after=after, last=last, before=before)
    page = await info.context.loaders.feedback_received_page(root.entity.id, request)
    return connection(page, lambda i: FeedbackItemNode(entity=i))


async def feedback_given(
    root: strawberry.Parent[HasEntity],
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> relay.Connection[FeedbackItemNode] | None:
    actor = await require_actor(info)
    if actor.person_id != root.entity.id:
        return None
    request = page_request(info, first=first, after=after, last=last, before=before)
    page = await info.context.loaders.feedback_given_page(request)
    return connection(page, lambda i: FeedbackItemNode(entity=i))


# Mutations.


@strawberry.input
class GiveFeedbackInput:
    subject_id: strawberry.ID = strawberry.field(description="The colleague it is for.")
    text: str
    goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of their goals they shared with you."
    )


@strawberry.input
class ShareFeedbackInput:
    feedback_id: strawberry.ID = strawberry.field(
        description="A FeedbackItem about you, or a FeedbackRequest of yours (its results)."
    )
    audience: sharing.ShareAudienceType  # type: ignore[valid-type]
    person_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="For MENTOR and PERSON: whom. Unsharing from STEWARD with a person ends "
        "only the shares with that (past) steward.",
    )
    mentor_id: strawberry.ID | None = strawberry.field(
        default=None, deprecation_reason=shares.MENTOR_ID_DEPRECATION
    )


@strawberry.input
class FeedbackIdInput:
    feedback_id: strawberry.ID


@strawberry.input
class TurnFeedbackIntoGoalInput:
    feedback_id: strawberry.ID
    title: str
    description: str = ""
    stage: AutonomyStageType  # type: ignore[valid-type]
    knowledge_area_id: strawberry.ID | None = None
    target_date: date | None = None
    activate: bool = False


@strawberry.input
class TurnFeedbackIntoTalkingPointInput:
    feedback_id: strawberry.ID
    relationship_id: strawberry.ID = strawberry.field(
        description="The relationship whose next 1-on-1 it is for."
    )
    text: str = strawberry.field(description="What you want to talk about, in your words.")


@strawberry.type
class GiveFeedbackSuccess:
    item: FeedbackItemNode


@strawberry.type
class FeedbackSharingSuccess:
    feedback: Feedback


@strawberry.type
class FeedbackActionSuccess:
    feedback: Feedback
    action: sharing.FeedbackActionType


@strawberry.type
class FeedbackGoalSuccess:
    feedback: Feedback
    action: sharing.FeedbackActionType
    goal: GoalRef


@strawberry.type
class FeedbackTalkingPointSuccess:
    feedback: Feedback
    action: sharing.FeedbackActionType
    talking_point: sharing.TalkingPointType


GiveFeedbackResult = result_union("GiveFeedbackResult", GiveFeedbackSuccess)
FeedbackSharingResult = result_union("FeedbackSharingResult", FeedbackSharingSuccess)
FeedbackActionResult = result_union("FeedbackActionResult", FeedbackActionSuccess)
FeedbackGoalResult = result_union("FeedbackGoalResult", FeedbackGoalSuccess)
FeedbackTalkingPointResult = result_union("FeedbackTalkingPointResult", FeedbackTalkingPointSuccess)


def _ref(value: strawberry.ID) -> FeedbackRef:
    parsed = ids.decode_any(value)
    if parsed is not None and parsed[0] == "FeedbackItem":
        return FeedbackRef(item_id=parsed[1])
    if parsed is not None and parsed[0] == "FeedbackRequest":
        return FeedbackRef(request_id=parsed[1])
    raise ValidationFailed(
        "feedbackId", "feedbackId is not a FeedbackItem or FeedbackRequest id.", code="INVALID_ID"
    )


async def _feedback(uow: UnitOfWork, ref: FeedbackRef) -> FeedbackItemNode | FeedbackRequestNode:
    """The owner's piece of feedback, as written in this transaction."""
    if ref.item_id is not None:
        item = await uow.feedback_items.get(ref.item_id)
        assert item is not None
        return FeedbackItemNode(entity=item)
    assert ref.request_id is not None
    request = await uow.feedback.get_request(ref.request_id)
    assert request is not None
    return FeedbackRequestNode(entity=request)


async def _shared_feedback(uow: UnitOfWork, ref: FeedbackRef) -> FeedbackSharingSuccess:
    return FeedbackSharingSuccess(feedback=await _feedback(uow, ref))


def _optional(value: strawberry.ID | None, type_name: str, field: str) -> UUID | None:
    return ids.decode(value, type_name, field=field) if value else None


@strawberry.type
class FeedbackItemsMutation:
    @strawberry.mutation(description="Give a colleague feedback they did not ask for (named).")
    async def give_feedback(
        self, info: strawberry.Info, input: GiveFeedbackInput
    ) -> GiveFeedbackResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> GiveFeedbackSuccess:
            item = await service.give(
                uow,
                actor,
                subject_id=ids.decode(input.subject_id, "Person", field="subjectId"),
                text=input.text,
                goal_id=_optional(input.goal_id, "Goal", "goalId"),
                now=info.context.now,
            )
            return GiveFeedbackSuccess(item=FeedbackItemNode(entity=item))

        return await run(info, command)

    @strawberry.mutation(
        description="Share feedback about you with your steward, a mentor or a named colleague."
    )
    async def share_feedback(
        self, info: strawberry.Info, input: ShareFeedbackInput
    ) -> FeedbackSharingResult:  # type: ignore[valid-type]
        return await shares.run_sharing(
            info, input, lambda: _ref(input.feedback_id), service.share, _shared_feedback
        )

    @strawberry.mutation(
        description="Take a share back (also one that reaches nobody any more); it takes "
        "effect at once."
    )
    async def unshare_feedback(
        self, info: strawberry.Info, input: ShareFeedbackInput
    ) -> FeedbackSharingResult:  # type: ignore[valid-type]
        return await shares.run_sharing(
            info, input, lambda: _ref(input.feedback_id), service.unshare, _shared_feedback
        )

    @strawberry.mutation(description="Tell the giver you have read it (they see acknowledged).")
    async def acknowledge_feedback(
        self, info: strawberry.Info, input: FeedbackIdInput
    ) -> FeedbackActionResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackActionSuccess:
            ref = _ref(input.feedback_id)
            action = await service.acknowledge(uow, actor, ref, now=info.context.now)
            return FeedbackActionSuccess(
                feedback=await _feedback(uow, ref), action=sharing.FeedbackActionType(entity=action)
            )

        return await run(info, command)

    @strawberry.mutation(
        description="Make a new goal of yours from feedback (the giver sees only 'acted on')."
    )
    async def turn_feedback_into_goal(
        self, info: strawberry.Info, input: TurnFeedbackIntoGoalInput
    ) -> FeedbackGoalResult:  # type: ignore[valid-type]
        from api.graphql.goals import GoalNode

        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackGoalSuccess:
            ref = _ref(input.feedback_id)
            goal, action = await service.turn_into_goal(
                uow,
                actor,
                ref,
                title=input.title,
                description=input.description,
                stage=input.stage,
                knowledge_area_id=_optional(
                    input.knowledge_area_id, "KnowledgeArea", "knowledgeAreaId"
                ),
                target_date=input.target_date,
                activate=input.activate,
                now=info.context.now,
            )
            return FeedbackGoalSuccess(
                feedback=await _feedback(uow, ref),
                action=sharing.FeedbackActionType(entity=action),
                goal=GoalNode(entity=goal),
            )

        return await run(info, command)

    @strawberry.mutation(
        description="Raise feedback at the next 1-on-1 of one of your relationships."
    )
    async def turn_feedback_into_talking_point(
        self, info: strawberry.Info, input: TurnFeedbackIntoTalkingPointInput
    ) -> FeedbackTalkingPointResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackTalkingPointSuccess:
            ref = _ref(input.feedback_id)
            point, action = await service.turn_into_talking_point(
                uow,
                actor,
                ref,
                relationship_id=ids.decode(
                    input.relationship_id, "Relationship", field="relationshipId"
                ),
                text=input.text,
                now=info.context.now,
            )
            return FeedbackTalkingPointSuccess(
                feedback=await _feedback(uow, ref),
                action=sharing.FeedbackActionType(entity=action),
                talking_point=sharing.TalkingPointType(entity=point),
            )

        return await run(info, command)
