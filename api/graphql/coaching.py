"""Coach sessions: coaches publish availability, anyone books a free slot
(see domain.coaching). A session, its topic and its notes are for its
coach and coachee only: the loaders return nothing to anyone else, on
every path. Stewards see counts (the 1-on-1 prep), org faculty sees
aggregates per coach."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

import strawberry
from strawberry import relay

from api.graphql import ids
from api.graphql.availability import AvailabilityWindowInput, WindowType, to_windows, windows
from api.graphql.commands import require_actor, run
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from api.graphql.pagination import connection, page_request
from domain.actors import Actor
from domain.coaching import (
    CoachAvailability,
    CoachSession,
    DatedWindow,
    Outcome,
    SessionStatus,
    check_within_horizon,
    day_range,
    free_slots,
)
from domain.organizations import Organization
from domain.people import Person
from domain.ports import UnitOfWork
from domain.roles import Role
from domain.services import coaching as service

if TYPE_CHECKING:
    from api.graphql.people import PersonNode
    from api.graphql.relationships import RelationshipNode

SessionStatusType = strawberry.enum(SessionStatus, name="CoachSessionStatus")
OutcomeType = strawberry.enum(Outcome, name="CoachSessionOutcome")

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]
USAGE_DAYS_MAX = 366
RelationshipRef = Annotated["RelationshipNode", strawberry.lazy("api.graphql.relationships")]


async def _person(info: strawberry.Info, person_id: UUID) -> PersonRef:
    from api.graphql.people import PersonNode

    return PersonNode(entity=await info.context.loaders.person.load(person_id))


@strawberry.type(name="DatedAvailabilityWindow", description="One day, in its owner's timezone.")
class DatedWindowType:
    date: date
    start_minute: int
    end_minute: int


@strawberry.type(name="CoachSlot", description="A free slot, in the timezone asked for.")
class SlotType:
    starts_at: datetime
    ends_at: datetime


@strawberry.type(
    name="CoachAvailability",
    description="When a coach can be booked: public in the organization.",
)
class AvailabilityType:
    entity: strawberry.Private[CoachAvailability]

    @strawberry.field
    async def coach(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.coach_id)

    @strawberry.field(description="The coach's timezone: the windows are in it.")
    def timezone(self) -> str:
        return self.entity.timezone

    @strawberry.field
    def session_minutes(self) -> int:
        return self.entity.session_minutes

    @strawberry.field(description="Kept free after each session.")
    def buffer_minutes(self) -> int:
        return self.entity.buffer_minutes

    @strawberry.field(description="Every week.")
    def weekly(self) -> list[WindowType]:
        return windows(self.entity.weekly)

    @strawberry.field(description="On one day only.")
    def one_off(self) -> list[DatedWindowType]:
        return [
            DatedWindowType(date=w.day, start_minute=w.start, end_minute=w.end)
            for w in self.entity.one_off
        ]

    @strawberry.field(description="Days the weekly windows are off.")
    def exceptions(self) -> list[date]:
        return self.entity.exceptions

    @strawberry.field(
        description="Free slots from the start of `firstDay` to the end of `lastDay` "
        "(at most six weeks), days and times in `timezone` (yours by default), up to the "
        "booking horizon (180 days ahead); a range beginning beyond it is TOO_FAR_AHEAD, "
        "as booking there is."
    )
    async def free_slots(
        self,
        info: strawberry.Info,
        first_day: date,
        last_day: date,
        timezone: str | None = None,
    ) -> list[SlotType]:
        actor = await require_actor(info)
        if timezone is None:
            timezone = (await info.context.loaders.person.load(actor.person_id)).timezone
        start, end = day_range(first_day, last_day, timezone)
        check_within_horizon("firstDay", start, info.context.now)
        # A slot starting before `end` lasts until its buffer ends: what it
        # meets may start after `end`.
        busy = await info.context.loaders.coach_busy.load(
            (self.entity.coach_id, start, end + self.entity.step)
        )
        assert busy is not None
        zone = ZoneInfo(timezone)
        return [
            SlotType(
                starts_at=moment.astimezone(zone),
                ends_at=(moment + self.entity.length).astimezone(zone),
            )
            for moment in free_slots(
                self.entity,
                busy.as_coach,
                coached=busy.as_coachee,
                start=start,
                end=end,
                now=info.context.now,
            )
        ]


@strawberry.type(
    name="CoachSession",
    description="A booked coach session. Only its coach and coachee ever see it.",
)
class CoachSessionNode(EntityNode):
    loader = "coach_session"
    entity: strawberry.Private[CoachSession]

    @strawberry.field
    async def coach(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.coach_id)

    @strawberry.field
    async def coachee(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.coachee_id)

    @strawberry.field(description="The coaching relationship it belongs to.")
    async def relationship(self, info: strawberry.Info) -> RelationshipRef | None:
        from api.graphql.relationships import RelationshipNode

        found = await RelationshipNode.resolve_nodes(
            info=info, node_ids=[str(self.entity.relationship_id)]
        )
        return found[0]

    @strawberry.field
    def starts_at(self) -> datetime:
        return self.entity.starts_at

    @strawberry.field
    def ends_at(self) -> datetime:
        return self.entity.ends_at

    @strawberry.field
    def status(self) -> SessionStatusType:  # type: ignore[valid-type]
        return self.entity.status

    @strawberry.field(description="What the coachee wants to talk about.")
    def topic(self) -> str:
        return self.entity.topic

    @strawberry.field(description="Written by the coach or the coachee, read by both.")
    def notes(self) -> str:
        return self.entity.notes

    @strawberry.field
    def booked_at(self) -> datetime:
        return self.entity.booked_at

    @strawberry.field
    def cancelled_at(self) -> datetime | None:
        return self.entity.cancelled_at

    @strawberry.field
    async def cancelled_by(self, info: strawberry.Info) -> PersonRef | None:
        if self.entity.cancelled_by_id is None:
            return None
        return await _person(info, self.entity.cancelled_by_id)

    @strawberry.field
    def cancel_reason(self) -> str:
        return self.entity.cancel_reason


@strawberry.type(name="CoachUsage", description="One coach's sessions in a period: counts only.")
class UsageType:
    coach_id: strawberry.Private[UUID]
    booked: int = strawberry.field(description="Still booked (ahead, or not recorded yet).")
    held: int
    no_shows: int
    cancelled: int
    hours_held: float

    @strawberry.field
    async def coach(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.coach_id)


# Fields mounted on Person and Organization, and the query of coaches.


class HasPerson(Protocol):
    entity: Person


class HasOrganization(Protocol):
    entity: Organization


async def coach_availability(
    root: strawberry.Parent[HasPerson], info: strawberry.Info
) -> AvailabilityType | None:
    """Null unless they hold the coach role now: stepping back from it
    takes their availability off the market (it stays stored)."""
    await require_actor(info)
    roles = await info.context.loaders.roles_of.load(root.entity.id)
    if not any(r.role is Role.COACH for r in roles):
        return None
    found = await info.context.loaders.coach_availability.load(root.entity.id)
    return AvailabilityType(entity=found) if found else None


async def coach_sessions(
    root: strawberry.Parent[HasPerson],
    info: strawberry.Info,
    upcoming: bool = True,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> relay.Connection[CoachSessionNode] | None:
    actor = await require_actor(info)
    if actor.person_id != root.entity.id:
        return None
    request = page_request(info, first=first, after=after, last=last, before=before)
    page = await info.context.loaders.coach_sessions_page(request, upcoming=upcoming)
    return connection(page, lambda s: CoachSessionNode(entity=s))


async def coach_usage(
    root: strawberry.Parent[HasOrganization],
    info: strawberry.Info,
    first_day: date,
    last_day: date,
) -> list[UsageType] | None:
    """For org faculty only (else null): how much each coach is used."""
    actor = await require_actor(info)
    if not await info.context.loaders.is_org_faculty.load(actor.person_id):
        return None
    viewer = await info.context.loaders.person.load(actor.person_id)
    start, end = day_range(first_day, last_day, viewer.timezone, max_days=USAGE_DAYS_MAX)
    return [
        UsageType(
            coach_id=u.coach_id,
            booked=u.booked,
            held=u.held,
            no_shows=u.no_shows,
            cancelled=u.cancelled,
            hours_held=u.hours_held,
        )
        for u in await info.context.loaders.coach_usage(start, end)
    ]


@strawberry.type
class CoachingQuery:
    @strawberry.field(description="Who holds the coach role now, by name.")
    async def coaches(self, info: strawberry.Info) -> list[PersonRef]:
        from api.graphql.people import PersonNode

        await require_actor(info)
        holders = await info.context.loaders.holders.load(
            (f"org:{Role.COACH.value}", None, info.context.now)
        )
        people = await info.context.loaders.person.load_many([h.person_id for h in holders])
        return [
            PersonNode(entity=p)
            for p in sorted((p for p in people if p and p.is_active), key=lambda p: p.name.lower())
        ]


# Mutations.


@strawberry.input
class DatedAvailabilityWindowInput:
    date: date
    start_minute: int = strawberry.field(description="Minutes after midnight, local time.")
    end_minute: int


@strawberry.input
class PublishCoachAvailabilityInput:
    session_minutes: int = strawberry.field(description="15 to 240.")
    buffer_minutes: int = strawberry.field(default=0, description="0 to 120, after each session.")
    weekly: list[AvailabilityWindowInput] = strawberry.field(default_factory=list)
    one_off: list[DatedAvailabilityWindowInput] = strawberry.field(default_factory=list)
    exceptions: list[date] = strawberry.field(
        default_factory=list, description="Days the weekly windows are off."
    )
    timezone: str | None = strawberry.field(
        default=None, description="Of the windows; yours by default."
    )


@strawberry.input
class BookCoachSessionInput:
    coach_id: strawberry.ID
    starts_at: datetime = strawberry.field(description="A free slot's start, with its offset.")
    topic: str = strawberry.field(default="", description="For the coach's eyes only.")


@strawberry.input
class CancelCoachSessionInput:
    session_id: strawberry.ID
    reason: str = strawberry.field(default="", description="Required when the coach cancels.")


@strawberry.input
class RescheduleCoachSessionInput:
    session_id: strawberry.ID
    starts_at: datetime


@strawberry.input
class RecordCoachSessionInput:
    session_id: strawberry.ID
    outcome: OutcomeType  # type: ignore[valid-type]


@strawberry.input
class WriteCoachSessionNotesInput:
    session_id: strawberry.ID
    notes: str


@strawberry.type
class CoachAvailabilitySuccess:
    availability: AvailabilityType


@strawberry.type
class CoachSessionSuccess:
    session: CoachSessionNode


CoachAvailabilityResult = result_union("CoachAvailabilityResult", CoachAvailabilitySuccess)
CoachSessionResult = result_union("CoachSessionResult", CoachSessionSuccess)


def _session_id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "CoachSession", field="sessionId")


def _success(session: CoachSession) -> CoachSessionSuccess:
    return CoachSessionSuccess(session=CoachSessionNode(entity=session))


@strawberry.type
class CoachingMutation:
    @strawberry.mutation(
        description="Coaches: publish when you can be booked (replaces what you published)."
    )
    async def publish_coach_availability(
        self, info: strawberry.Info, input: PublishCoachAvailabilityInput
    ) -> CoachAvailabilityResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> CoachAvailabilitySuccess:
            published = await service.publish_availability(
                uow,
                actor,
                timezone=input.timezone,
                session_minutes=input.session_minutes,
                buffer_minutes=input.buffer_minutes,
                weekly=to_windows(input.weekly),
                one_off=[DatedWindow(w.date, w.start_minute, w.end_minute) for w in input.one_off],
                exceptions=input.exceptions,
                now=info.context.now,
            )
            return CoachAvailabilitySuccess(availability=AvailabilityType(entity=published))

        return await run(info, command)

    @strawberry.mutation(description="Book a free slot of a coach.")
    async def book_coach_session(
        self, info: strawberry.Info, input: BookCoachSessionInput
    ) -> CoachSessionResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> CoachSessionSuccess:
            return _success(
                await service.book(
                    uow,
                    actor,
                    coach_id=ids.decode(input.coach_id, "Person", field="coachId"),
                    starts_at=input.starts_at,
                    topic=input.topic,
                    now=info.context.now,
                )
            )

        return await run(info, command)

    @strawberry.mutation(
        description="Cancel a session: the coachee up to the cut-off, the coach with a reason."
    )
    async def cancel_coach_session(
        self, info: strawberry.Info, input: CancelCoachSessionInput
    ) -> CoachSessionResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> CoachSessionSuccess:
            return _success(
                await service.cancel(
                    uow,
                    actor,
                    _session_id(input.session_id),
                    reason=input.reason,
                    now=info.context.now,
                )
            )

        return await run(info, command)

    @strawberry.mutation(description="Coachees: move your session to another free slot.")
    async def reschedule_coach_session(
        self, info: strawberry.Info, input: RescheduleCoachSessionInput
    ) -> CoachSessionResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> CoachSessionSuccess:
            return _success(
                await service.reschedule(
                    uow,
                    actor,
                    _session_id(input.session_id),
                    starts_at=input.starts_at,
                    now=info.context.now,
                )
            )

        return await run(info, command)

    @strawberry.mutation(description="Coaches: record whether a session took place.")
    async def record_coach_session(
        self, info: strawberry.Info, input: RecordCoachSessionInput
    ) -> CoachSessionResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> CoachSessionSuccess:
            return _success(
                await service.record(
                    uow,
                    actor,
                    _session_id(input.session_id),
                    outcome=input.outcome,
                    now=info.context.now,
                )
            )

        return await run(info, command)

    @strawberry.mutation(description="The session's notes, shared by its coach and coachee.")
    async def write_coach_session_notes(
        self, info: strawberry.Info, input: WriteCoachSessionNotesInput
    ) -> CoachSessionResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> CoachSessionSuccess:
            return _success(
                await service.write_notes(
                    uow,
                    actor,
                    _session_id(input.session_id),
                    notes=input.notes,
                    now=info.context.now,
                )
            )

        return await run(info, command)
