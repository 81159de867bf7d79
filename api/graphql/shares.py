"""What the owner sees of a share with a person, for goals and feedback
alike: whom it was made with, and whom it reaches now (domain.shares)."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar
from uuid import UUID

import strawberry

from api.graphql import ids
from api.graphql.commands import run
from api.graphql.errors import MutationError
from api.graphql.read_log import ReadLogEntryType, read_by
from domain.actors import Actor
from domain.errors import Conflict, ValidationFailed
from domain.feedback_items import FeedbackShare
from domain.goals import GoalShare
from domain.ports import UnitOfWork
from domain.services.shares import FIELD
from domain.shares import Reach, ShareEnd, reach

if TYPE_CHECKING:
    from api.graphql.people import PersonNode

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]

K = TypeVar("K")
K_contra = TypeVar("K_contra", contravariant=True)
T = TypeVar("T")

ShareEndType = strawberry.enum(
    ShareEnd,
    name="ShareEnd",
    description="Why a share reaches nobody any more. HANDED_OVER: the stewardship it was "
    "made in was handed over to a new steward (who does not get it). RELATIONSHIP_ENDED: the "
    "stewardship or mentorship it was made in ended. PERSON_LEFT: they, or the owner, left the organization.",
)

MENTOR_ID_DEPRECATION = "Use personId."


@strawberry.interface(
    description="A goal or a piece of feedback shared with a person: for its owner only."
)
class Share:
    entity: strawberry.Private[GoalShare | FeedbackShare]

    @strawberry.field(description="Whom it was shared with.")
    async def person(self, info: strawberry.Info) -> PersonRef:
        from api.graphql.people import PersonNode

        return PersonNode(entity=await info.context.loaders.person.load(self.entity.person_id))

    @strawberry.field
    def shared_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(
        description="Whom it reaches now: the person, or null once it ended (a share with "
        "your steward or a mentor ends with that relationship; one with a colleague when they "
        "leave; every share when you leave). Take it back to remove it from this list."
    )
    async def reaches(self, info: strawberry.Info) -> PersonRef | None:
        from api.graphql.people import PersonNode

        found = await self._reach(info)
        if found.person_id is None:
            return None
        return PersonNode(entity=await info.context.loaders.person.load(found.person_id))

    @strawberry.field(description="When it stopped reaching them (null while it does).")
    async def ended_at(self, info: strawberry.Info) -> datetime | None:
        return (await self._reach(info)).ended_at

    @strawberry.field(description="Why it stopped reaching them (null while it does).")
    async def ended_because(self, info: strawberry.Info) -> ShareEndType | None:  # type: ignore[valid-type]
        return (await self._reach(info)).ended_because

    @strawberry.field(
        description="When and how often the person it was shared with read it, the latest "
        "first; reads through any other path show on the item's readBy."
    )
    async def read_by(self, info: strawberry.Info) -> list[ReadLogEntryType] | None:
        found = self.entity
        return await read_by(info, found.owner_id, found.source_id, readers={found.person_id})

    async def _reach(self, info: strawberry.Info) -> Reach:
        loaders = info.context.loaders
        owner, person = await loaders.person.load_many(
            [self.entity.owner_id, self.entity.person_id]
        )
        relationship = None
        if self.entity.relationship_id is not None:
            relationship = await loaders.relationship.load(self.entity.relationship_id)
        return reach(owner, person, relationship)


def _share_person(
    person_id: strawberry.ID | None, mentor_id: strawberry.ID | None
) -> tuple[UUID | None, str]:
    """The person a share input names, and the field that named them
    (`mentorId` is the deprecated name of `personId`)."""
    if person_id and mentor_id:
        raise ValidationFailed(
            "mentorId", "Give personId only; mentorId is its old name.", code="NOT_ALLOWED"
        )
    field, value = ("mentorId", mentor_id) if mentor_id else (FIELD, person_id)
    return (ids.decode(value, "Person", field=field) if value else None), field


@contextmanager
def _naming(field: str) -> Iterator[None]:
    """Errors about the person name the input field the client used."""
    try:
        yield
    except (ValidationFailed, Conflict) as error:
        if error.field == FIELD:
            error.field = field
        raise


class ShareInput(Protocol):
    """What shareGoal, unshareGoal, shareFeedback and unshareFeedback take
    besides the thing shared."""

    audience: enum.Enum
    person_id: strawberry.ID | None
    mentor_id: strawberry.ID | None


class Sharing(Protocol[K_contra]):
    """A use case sharing or unsharing a thing (a goal id, a feedback ref)."""

    async def __call__(
        self,
        uow: UnitOfWork,
        actor: Actor,
        shared: K_contra,
        /,
        *,
        audience: Any,
        person_id: UUID | None,
        now: datetime,
    ) -> object: ...


async def run_sharing(
    info: strawberry.Info,
    input: ShareInput,
    shared: Callable[[], K],
    action: Sharing[K],
    success: Callable[[UnitOfWork, K], Awaitable[T]],
) -> T | MutationError:
    """`run` for the four sharing mutations: `shared` decodes the thing
    shared inside the command (a malformed id is a typed error like any
    other), `success` answers with it as the owner now sees it."""

    async def command(uow: UnitOfWork, actor: Actor) -> T:
        found = shared()
        person_id, field = _share_person(input.person_id, input.mentor_id)
        with _naming(field):
            await action(
                uow,
                actor,
                found,
                audience=input.audience,
                person_id=person_id,
                now=info.context.now,
            )
        return await success(uow, found)

    return await run(info, command)
