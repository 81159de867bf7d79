"""Stewardship, mentorship and coaching relationships."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Protocol
from uuid import UUID

import strawberry
from strawberry import relay

from api.graphql import ids
from api.graphql.commands import require_actor, run, run_transition
from api.graphql.entity import EntityNode
from api.graphql.errors import PublicError, result_union
from api.graphql.pagination import connection, page_request
from api.graphql.time_travel import moment
from domain.actors import Actor
from domain.people import Person
from domain.ports import UnitOfWork
from domain.relationships import (
    EndReason,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
    Side,
    visible_to,
)
from domain.services import relationships as service

if TYPE_CHECKING:
    from api.graphql.knowledge_areas import KnowledgeAreaNode
    from api.graphql.one_on_ones import SeriesNode
    from api.graphql.people import PersonNode

RelationshipKindType = strawberry.enum(RelationshipKind, name="RelationshipKind")
RelationshipStatusType = strawberry.enum(RelationshipStatus, name="RelationshipStatus")
EndReasonType = strawberry.enum(EndReason, name="RelationshipEndReason")
SideType = strawberry.enum(
    Side,
    name="RelationshipSide",
    description="LEADER: steward, mentor or coach. FOLLOWER: the other.",
)

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]
AreaRef = Annotated["KnowledgeAreaNode", strawberry.lazy("api.graphql.knowledge_areas")]


def _person(entity: Person) -> PersonRef:
    from api.graphql.people import PersonNode

    return PersonNode(entity=entity)


async def _viewer_id(info: strawberry.Info) -> UUID:
    return (await require_actor(info)).person_id


@strawberry.type(
    name="Relationship",
    description="A stewardship, mentorship or coaching between a leader and a follower. "
    "Established stewardships and mentorships are visible to the organization; proposals, "
    "answers, messages, end notes and all of coaching only to the two people.",
)
class RelationshipNode(EntityNode):
    loader = "relationship"
    entity: strawberry.Private[Relationship]

    @classmethod
    async def visible(
        cls, info: strawberry.Info, entities: list[Relationship]
    ) -> list[Relationship]:
        viewer = await _viewer_id(info)
        return [r for r in entities if visible_to(r, viewer)]

    async def _is_party(self, info: strawberry.Info) -> bool:
        return self.entity.involves(await _viewer_id(info))

    @strawberry.field
    def kind(self) -> RelationshipKindType:  # type: ignore[valid-type]
        return self.entity.kind

    @strawberry.field
    def status(self) -> RelationshipStatusType:  # type: ignore[valid-type]
        return self.entity.status

    @strawberry.field(description="The steward, mentor or coach.")
    async def leader(self, info: strawberry.Info) -> PersonRef:
        return _person(await info.context.loaders.person.load(self.entity.leader_id))

    @strawberry.field(description="The person, mentee or coachee.")
    async def follower(self, info: strawberry.Info) -> PersonRef:
        return _person(await info.context.loaders.person.load(self.entity.follower_id))

    @strawberry.field
    async def proposed_by(self, info: strawberry.Info) -> PersonRef:
        return _person(await info.context.loaders.person.load(self.entity.proposed_by_id))

    @strawberry.field
    def proposed_at(self) -> datetime:
        return self.entity.proposed_at

    @strawberry.field(description="The proposal's message; only for the two people.")
    async def message(self, info: strawberry.Info) -> str | None:
        return self.entity.message if await self._is_party(info) else None

    @strawberry.field
    def started_at(self) -> datetime | None:
        return self.entity.started_at

    @strawberry.field
    def ended_at(self) -> datetime | None:
        return self.entity.ended_at

    @strawberry.field
    def end_reason(self) -> EndReasonType | None:  # type: ignore[valid-type]
        return self.entity.end_reason

    @strawberry.field(
        description="Why it ended, in the words of whoever ended it (empty after a handover "
        "or someone leaving: `endReason` says which); only for the two people."
    )
    async def end_note(self, info: strawberry.Info) -> str | None:
        return self.entity.end_note if await self._is_party(info) else None

    @strawberry.field(
        description="When the proposal was declined or withdrawn (null otherwise; an active "
        "relationship's end is `endedAt`)."
    )
    def closed_at(self) -> datetime | None:
        return self.entity.closed_at

    @strawberry.field(
        description="Why it was declined, if the decliner said; only for the two people "
        "(null otherwise)."
    )
    async def decline_reason(self, info: strawberry.Info) -> str | None:
        if self.entity.status is not RelationshipStatus.DECLINED:
            return None
        return self.entity.decline_reason if await self._is_party(info) else None

    @strawberry.field
    def review_on(self) -> date | None:
        return self.entity.review_on

    @strawberry.field(description="Active and past its review date: time to renew or end it.")
    def due_for_review(self, info: strawberry.Info) -> bool:
        return self.entity.is_due_for_review(info.context.now.date())

    @strawberry.field(description="The areas a mentorship covers.")
    async def knowledge_areas(self, info: strawberry.Info) -> list[AreaRef]:
        from api.graphql.knowledge_areas import KnowledgeAreaNode

        area_ids = await info.context.loaders.relationship_areas.load(self.entity.id)
        areas = await info.context.loaders.area.load_many(area_ids)
        return [KnowledgeAreaNode(entity=a) for a in areas if a is not None]

    @strawberry.field(description="Their 1-on-1s: for the two people only (else null).")
    async def one_on_ones(
        self, info: strawberry.Info
    ) -> Annotated[SeriesNode, strawberry.lazy("api.graphql.one_on_ones")] | None:
        from api.graphql.one_on_ones import SeriesNode

        found = await info.context.loaders.series_of_relationship.load(self.entity.id)
        return SeriesNode(entity=found) if found else None

    @strawberry.field(
        description="For a stewardship: the one it took over from (a handover), if visible."
    )
    async def handed_over_from(self, info: strawberry.Info) -> RelationshipNode | None:
        if self.entity.replaces_id is None or self.entity.started_at is None:
            return None
        previous = await info.context.loaders.relationship.load(self.entity.replaces_id)
        viewer = await _viewer_id(info)
        return (
            RelationshipNode(entity=previous) if previous and visible_to(previous, viewer) else None
        )

    @strawberry.field(description="Your side in it, or null if you are not one of the two.")
    async def viewer_side(self, info: strawberry.Info) -> SideType | None:  # type: ignore[valid-type]
        viewer = await _viewer_id(info)
        return self.entity.side_of(viewer) if self.entity.involves(viewer) else None

    @strawberry.field(
        description="When something last happened in it (proposal, answer, renewal, reminder)."
    )
    async def last_activity_at(self, info: strawberry.Info) -> datetime | None:
        latest = await info.context.loaders.relationship_activity.load(self.entity.id)
        return max(
            (
                t
                for t in (
                    latest,
                    self.entity.started_at,
                    self.entity.ended_at,
                    self.entity.proposed_at,
                )
                if t
            ),
            default=None,
        )


async def visible(
    info: strawberry.Info, relationships: list[Relationship]
) -> list[RelationshipNode]:
    viewer = await _viewer_id(info)
    return [RelationshipNode(entity=r) for r in relationships if visible_to(r, viewer)]


# -- fields on Person ----------------------------------------------------------


async def _active(
    info: strawberry.Info,
    person_id: UUID,
    kind: RelationshipKind,
    *,
    led: bool,
    area_id: strawberry.ID | None = None,
) -> list[RelationshipNode]:
    loaders = info.context.loaders
    source = loaders.active_led if led else loaders.active_following
    found = await source[kind].load(person_id)
    if area_id is not None:
        wanted = ids.decode(area_id, "KnowledgeArea", field="knowledgeAreaId")
        areas = await loaders.relationship_areas.load_many([r.id for r in found])
        found = [r for r, a in zip(found, areas, strict=True) if wanted in a]
    return await visible(info, found)


class HasEntity(Protocol):
    entity: Person


# Fields of `Person` about relationships; `api.graphql.people` mounts them,
# so the feature stays in this module.


async def steward(
    root: strawberry.Parent[HasEntity], info: strawberry.Info, at: datetime | None = None
) -> RelationshipNode | None:
    if at is None:
        found = await _active(info, root.entity.id, RelationshipKind.STEWARDSHIP, led=False)
        return found[0] if found else None
    held = await info.context.loaders.stewardship_at.load((root.entity.id, moment(info, at)))
    shown = await visible(info, [held] if held else [])
    return shown[0] if shown else None


async def stewardships(
    root: strawberry.Parent[HasEntity],
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> relay.Connection[RelationshipNode]:
    await require_actor(info)
    request = page_request(info, first=first, after=after, last=last, before=before)
    page = await info.context.loaders.stewardships(root.entity.id, request)
    return connection(page, lambda r: RelationshipNode(entity=r))


async def stewardees(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[RelationshipNode]:
    return await _active(info, root.entity.id, RelationshipKind.STEWARDSHIP, led=True)


async def mentors(
    root: strawberry.Parent[HasEntity],
    info: strawberry.Info,
    knowledge_area_id: strawberry.ID | None = None,
) -> list[RelationshipNode]:
    return await _active(
        info, root.entity.id, RelationshipKind.MENTORSHIP, led=False, area_id=knowledge_area_id
    )


async def mentees(
    root: strawberry.Parent[HasEntity],
    info: strawberry.Info,
    knowledge_area_id: strawberry.ID | None = None,
) -> list[RelationshipNode]:
    return await _active(
        info, root.entity.id, RelationshipKind.MENTORSHIP, led=True, area_id=knowledge_area_id
    )


async def coaches(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[RelationshipNode]:
    return await _active(info, root.entity.id, RelationshipKind.COACHING, led=False)


async def coachees(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[RelationshipNode]:
    return await _active(info, root.entity.id, RelationshipKind.COACHING, led=True)


async def stewardee_capacity(root: strawberry.Parent[HasEntity], info: strawberry.Info) -> Capacity:
    return await _capacity(info, root.entity, RelationshipKind.STEWARDSHIP)


async def mentee_capacity(root: strawberry.Parent[HasEntity], info: strawberry.Info) -> Capacity:
    return await _capacity(info, root.entity, RelationshipKind.MENTORSHIP)


async def relationship_history(
    root: strawberry.Parent[HasEntity],
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> relay.Connection[RelationshipNode]:
    viewer = await _viewer_id(info)
    request = page_request(info, first=first, after=after, last=last, before=before)
    page = await info.context.loaders.relationship_history(root.entity.id, viewer, request)
    return connection(page, lambda r: RelationshipNode(entity=r))


async def proposals_to_me(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[RelationshipNode] | None:
    if not await _is_viewer(info, root):
        return None
    found = await info.context.loaders.relationship_proposals(root.entity.id, to_person=True)
    return [RelationshipNode(entity=r) for r in found]


async def proposals_from_me(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[RelationshipNode] | None:
    if not await _is_viewer(info, root):
        return None
    found = await info.context.loaders.relationship_proposals(root.entity.id, to_person=False)
    return [RelationshipNode(entity=r) for r in found]


async def relationships_due_for_review(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[RelationshipNode] | None:
    if not await _is_viewer(info, root):
        return None
    today = info.context.now.date()
    found = await info.context.loaders.relationships_due_for_review(root.entity.id, today)
    return [RelationshipNode(entity=r) for r in found]


async def _is_viewer(info: strawberry.Info, root: HasEntity) -> bool:
    return await _viewer_id(info) == root.entity.id


@strawberry.type(description="How many people someone leads in a way, and how many they would.")
class Capacity:
    capacity: int
    load: int

    @strawberry.field
    def remaining(self) -> int:
        return max(self.capacity - self.load, 0)


async def _capacity(info: strawberry.Info, person: Person, kind: RelationshipKind) -> Capacity:
    organization = await info.context.loaders.organization()
    load = await info.context.loaders.load[kind].load(person.id)
    return Capacity(capacity=person.capacity_for(kind, organization), load=load or 0)


# -- queries ------------------------------------------------------------------


@strawberry.type
class RelationshipsQuery:
    @strawberry.field(
        description="Active people without an active steward, so someone can step in. "
        "For org faculty and for anyone with room to steward."
    )
    async def people_without_steward(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> relay.Connection[PersonRef]:
        from api.graphql.people import PersonNode

        actor = await require_actor(info)
        loaders = info.context.loaders
        if not await loaders.is_org_faculty.load(actor.person_id):
            viewer = await info.context.viewer()
            room = await _capacity(info, viewer, RelationshipKind.STEWARDSHIP)
            # `remaining` is a resolver on the type, not a value: compare the data.
            if room.load >= room.capacity:
                raise PublicError(
                    "Only org faculty and people with room to steward see this list.",
                    "PERMISSION_DENIED",
                )
        request = page_request(info, first=first, after=after, last=last, before=before)
        page = await loaders.people_without_steward(request)
        return connection(page, lambda p: PersonNode(entity=p))


# -- mutations ----------------------------------------------------------------


@strawberry.input
class ProposeRelationshipInput:
    kind: RelationshipKindType  # type: ignore[valid-type]
    person_id: strawberry.ID = strawberry.field(description="The other person.")
    side: SideType = strawberry.field(  # type: ignore[valid-type]
        description="Your side: LEADER offers to lead them, FOLLOWER asks them to lead you."
    )
    knowledge_area_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Required for a mentorship, empty otherwise."
    )
    message: str = ""
    review_on: date | None = None


@strawberry.input
class RelationshipIdInput:
    relationship_id: strawberry.ID


@strawberry.input
class DeclineRelationshipInput:
    relationship_id: strawberry.ID
    reason: str = strawberry.field(
        default="", description="Optional; the proposer sees it, nobody else."
    )


@strawberry.input
class EndRelationshipInput:
    relationship_id: strawberry.ID
    reason: str = strawberry.field(
        description="Why you end it (required, not blank); the other person sees it."
    )


@strawberry.input
class RenewRelationshipInput:
    relationship_id: strawberry.ID
    review_on: date


@strawberry.input
class SetCapacityInput:
    kind: RelationshipKindType  # type: ignore[valid-type]
    capacity: int


@strawberry.type
class RelationshipSuccess:
    relationship: RelationshipNode


@strawberry.type
class SetCapacitySuccess:
    person: PersonRef


RelationshipResult = result_union("RelationshipResult", RelationshipSuccess)
SetCapacityResult = result_union("SetCapacityResult", SetCapacitySuccess)


def _relationship_success(relationship: Relationship) -> RelationshipSuccess:
    return RelationshipSuccess(relationship=RelationshipNode(entity=relationship))


def _id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "Relationship", field="relationshipId")


@strawberry.type
class RelationshipsMutation:
    @strawberry.mutation(description="Offer to lead someone, or ask someone to lead you.")
    async def propose_relationship(
        self, info: strawberry.Info, input: ProposeRelationshipInput
    ) -> RelationshipResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> RelationshipSuccess:
            relationship = await service.propose(
                uow,
                actor,
                kind=input.kind,
                other_person_id=ids.decode(input.person_id, "Person", field="personId"),
                side=input.side,
                knowledge_area_ids=[
                    ids.decode(a, "KnowledgeArea", field="knowledgeAreaIds")
                    for a in input.knowledge_area_ids
                ],
                message=input.message,
                review_on=input.review_on,
                now=info.context.now,
            )
            return _relationship_success(relationship)

        return await run(info, command)

    @strawberry.mutation(
        description="Accept a proposal made to you. Accepting a new steward "
        "hands over from the current one."
    )
    async def accept_relationship(
        self, info: strawberry.Info, input: RelationshipIdInput
    ) -> RelationshipResult:  # type: ignore[valid-type]
        return await run_transition(
            info, service.accept, lambda: _id(input.relationship_id), _relationship_success
        )

    @strawberry.mutation(description="Decline a proposal made to you, optionally saying why.")
    async def decline_relationship(
        self, info: strawberry.Info, input: DeclineRelationshipInput
    ) -> RelationshipResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> RelationshipSuccess:
            relationship = await service.decline(
                uow,
                actor,
                _id(input.relationship_id),
                reason=input.reason,
                now=info.context.now,
            )
            return _relationship_success(relationship)

        return await run(info, command)

    @strawberry.mutation(description="Take back a proposal you made.")
    async def withdraw_relationship(
        self, info: strawberry.Info, input: RelationshipIdInput
    ) -> RelationshipResult:  # type: ignore[valid-type]
        return await run_transition(
            info, service.withdraw, lambda: _id(input.relationship_id), _relationship_success
        )

    @strawberry.mutation(description="End an active relationship (either side may, saying why).")
    async def end_relationship(
        self, info: strawberry.Info, input: EndRelationshipInput
    ) -> RelationshipResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> RelationshipSuccess:
            relationship = await service.end(
                uow,
                actor,
                _id(input.relationship_id),
                reason=input.reason,
                now=info.context.now,
            )
            return _relationship_success(relationship)

        return await run(info, command)

    @strawberry.mutation(description="Renew an active relationship with a new review date.")
    async def renew_relationship(
        self, info: strawberry.Info, input: RenewRelationshipInput
    ) -> RelationshipResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> RelationshipSuccess:
            relationship = await service.renew(
                uow,
                actor,
                _id(input.relationship_id),
                review_on=input.review_on,
                now=info.context.now,
            )
            return _relationship_success(relationship)

        return await run(info, command)

    @strawberry.mutation(description="Set how many people you steward or mentor at most.")
    async def set_capacity(
        self, info: strawberry.Info, input: SetCapacityInput
    ) -> SetCapacityResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> SetCapacitySuccess:
            person = await service.set_capacity(uow, actor, kind=input.kind, value=input.capacity)
            return SetCapacitySuccess(person=_person(person))

        return await run(info, command)
