"""Notifications of the signed-in person."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Protocol

import strawberry
from strawberry import relay

from api.graphql import ids
from api.graphql.commands import require_actor, run
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from api.graphql.pagination import connection, page_request
from domain.actors import Actor
from domain.notifications import Notification, NotificationKind
from domain.people import Person
from domain.ports import UnitOfWork

if TYPE_CHECKING:
    from api.graphql.coaching import CoachSessionNode
    from api.graphql.feedback import FeedbackRequestNode
    from api.graphql.feedback_items import FeedbackItemNode
    from api.graphql.people import PersonNode
    from api.graphql.relationships import RelationshipNode
    from api.graphql.roles import RoleAssignmentNode

NotificationKindType = strawberry.enum(NotificationKind, name="NotificationKind")


@strawberry.type(name="Notification")
class NotificationNode(EntityNode):
    loader = "notification"
    entity: strawberry.Private[Notification]

    @classmethod
    async def visible(
        cls, info: strawberry.Info, entities: list[Notification]
    ) -> list[Notification]:
        """Notifications are for their recipient alone."""
        actor = await require_actor(info)
        return [n for n in entities if n.recipient_id == actor.person_id]

    @strawberry.field
    def kind(self) -> NotificationKindType:  # type: ignore[valid-type]
        return self.entity.kind

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field
    def read(self) -> bool:
        return self.entity.read_at is not None

    @strawberry.field
    def read_at(self) -> datetime | None:
        return self.entity.read_at

    @strawberry.field(description="Who did it; null for reminders.")
    async def actor(
        self, info: strawberry.Info
    ) -> Annotated[PersonNode, strawberry.lazy("api.graphql.people")] | None:
        from api.graphql.people import PersonNode

        if self.entity.actor_id is None:
            return None
        return PersonNode(entity=await info.context.loaders.person.load(self.entity.actor_id))

    @strawberry.field
    async def relationship(
        self, info: strawberry.Info
    ) -> Annotated[RelationshipNode, strawberry.lazy("api.graphql.relationships")] | None:
        from api.graphql.relationships import RelationshipNode

        if self.entity.relationship_id is None:
            return None
        found = await RelationshipNode.resolve_nodes(
            info=info, node_ids=[str(self.entity.relationship_id)]
        )
        return found[0]

    @strawberry.field
    async def role_assignment(
        self, info: strawberry.Info
    ) -> Annotated[RoleAssignmentNode, strawberry.lazy("api.graphql.roles")] | None:
        from api.graphql.roles import RoleAssignmentNode

        if self.entity.role_assignment_id is None:
            return None
        found = await RoleAssignmentNode.resolve_nodes(
            info=info, node_ids=[str(self.entity.role_assignment_id)]
        )
        return found[0]

    @strawberry.field(description="The feedback given to you, for FEEDBACK_RECEIVED.")
    async def feedback_item(
        self, info: strawberry.Info
    ) -> Annotated[FeedbackItemNode, strawberry.lazy("api.graphql.feedback_items")] | None:
        from api.graphql.feedback_items import FeedbackItemNode

        if self.entity.feedback_item_id is None:
            return None
        found = await info.context.loaders.feedback_item.load(self.entity.feedback_item_id)
        return FeedbackItemNode(entity=found) if found else None

    @strawberry.field(description="Your request, for FEEDBACK_REQUEST_CLOSED.")
    async def feedback_request(
        self, info: strawberry.Info
    ) -> Annotated[FeedbackRequestNode, strawberry.lazy("api.graphql.feedback")] | None:
        from api.graphql.feedback import FeedbackRequestNode

        if self.entity.feedback_request_id is None:
            return None
        found = await info.context.loaders.feedback_request.load(self.entity.feedback_request_id)
        return FeedbackRequestNode(entity=found) if found else None

    @strawberry.field(description="The session, for the COACH_SESSION_* kinds.")
    async def coach_session(
        self, info: strawberry.Info
    ) -> Annotated[CoachSessionNode, strawberry.lazy("api.graphql.coaching")] | None:
        from api.graphql.coaching import CoachSessionNode

        if self.entity.coach_session_id is None:
            return None
        found = await info.context.loaders.coach_session.load(self.entity.coach_session_id)
        return CoachSessionNode(entity=found) if found else None


class HasEntity(Protocol):
    entity: Person


async def notifications(
    root: strawberry.Parent[HasEntity],
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    unread_only: bool = False,
) -> relay.Connection[NotificationNode] | None:
    actor = await require_actor(info)
    if actor.person_id != root.entity.id:
        return None
    request = page_request(info, first=first, after=after, last=last, before=before)
    page = await info.context.loaders.notifications(
        actor.person_id, request, unread_only=unread_only
    )
    return connection(page, lambda n: NotificationNode(entity=n))


async def unread_notification_count(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> int | None:
    actor = await require_actor(info)
    if actor.person_id != root.entity.id:
        return None
    return await info.context.loaders.unread_notifications(actor.person_id)


@strawberry.input
class MarkNotificationsReadInput:
    notification_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Which ones; null marks all of yours read."
    )


@strawberry.type
class MarkNotificationsReadSuccess:
    marked: int


MarkNotificationsReadResult = result_union(
    "MarkNotificationsReadResult", MarkNotificationsReadSuccess
)


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="Mark your notifications read (others' ids are ignored).")
    async def mark_notifications_read(
        self, info: strawberry.Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> MarkNotificationsReadSuccess:
            chosen = (
                None
                if input.notification_ids is None
                else [
                    ids.decode(i, "Notification", field="notificationIds")
                    for i in input.notification_ids
                ]
            )
            marked = await uow.notifications.mark_read(actor.person_id, chosen, info.context.now)
            return MarkNotificationsReadSuccess(marked=marked)

        return await run(info, command)
