"""1-on-1s: series, meetings, agendas, notes and action items (see
domain.one_on_ones). Every type here is for the two people of the series
only; the loaders return nothing to anyone else, on every path."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Protocol
from uuid import UUID

import strawberry
from strawberry import relay

from api.graphql import ids
from api.graphql.commands import require_actor, run
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from api.graphql.pagination import connection, page_request
from domain.actors import Actor
from domain.errors import ValidationFailed
from domain.one_on_ones import (
    ActionItem,
    AgendaItem,
    Cadence,
    Meeting,
    MeetingNote,
    MeetingStatus,
    OneOnOneSeries,
)
from domain.people import Person
from domain.ports import UnitOfWork
from domain.services import one_on_ones as service

if TYPE_CHECKING:
    from api.graphql.feedback_sharing import TalkingPointType
    from api.graphql.goals import GoalNode
    from api.graphql.one_on_one_prep import OneOnOnePrep
    from api.graphql.people import PersonNode
    from api.graphql.relationships import RelationshipNode

CadenceType = strawberry.enum(Cadence, name="OneOnOneCadence")
MeetingStatusType = strawberry.enum(MeetingStatus, name="OneOnOneMeetingStatus")

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]
GoalRef = Annotated["GoalNode", strawberry.lazy("api.graphql.goals")]
RelationshipRef = Annotated["RelationshipNode", strawberry.lazy("api.graphql.relationships")]
PrepRef = Annotated["OneOnOnePrep", strawberry.lazy("api.graphql.one_on_one_prep")]
TalkingPointRef = Annotated["TalkingPointType", strawberry.lazy("api.graphql.feedback_sharing")]


async def _person(info: strawberry.Info, person_id: UUID) -> PersonRef:
    from api.graphql.people import PersonNode

    return PersonNode(entity=await info.context.loaders.person.load(person_id))


@strawberry.type(
    name="OneOnOneSeries",
    description="The 1-on-1s of a relationship. Only its two people ever see it.",
)
class SeriesNode(EntityNode):
    loader = "one_on_one_series"
    entity: strawberry.Private[OneOnOneSeries]

    @strawberry.field
    async def relationship(self, info: strawberry.Info) -> RelationshipRef:
        from api.graphql.relationships import RelationshipNode

        found = await info.context.loaders.relationship.load(self.entity.relationship_id)
        return RelationshipNode(entity=found)

    @strawberry.field(description="The other person of the series.")
    async def with_person(self, info: strawberry.Info) -> PersonRef:
        actor = await require_actor(info)
        found = await info.context.loaders.relationship.load(self.entity.relationship_id)
        return await _person(info, found.other(actor.person_id))

    @strawberry.field
    def cadence(self) -> CadenceType | None:  # type: ignore[valid-type]
        return self.entity.cadence

    @strawberry.field(description="Where the meetings happen; a cadence keeps their local time.")
    def timezone(self) -> str:
        return self.entity.timezone

    @strawberry.field(description="Set when the relationship ended; the history stays.")
    def ended_at(self) -> datetime | None:
        return self.entity.ended_at

    @strawberry.field(description="The earliest meeting still scheduled.")
    async def next_meeting(self, info: strawberry.Info) -> MeetingNode | None:
        found = await info.context.loaders.next_meeting.load(self.entity.id)
        return MeetingNode(entity=found) if found else None

    @strawberry.field(description="Meetings, latest first.")
    async def meetings(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> relay.Connection[MeetingNode]:
        request = page_request(info, first=first, after=after, last=last, before=before)
        page = await info.context.loaders.meetings_page(self.entity.id, request)
        return connection(page, lambda m: MeetingNode(entity=m))

    @strawberry.field(description="Action items of both people not done yet, soonest due first.")
    async def open_action_items(self, info: strawberry.Info) -> list[ActionItemNode]:
        found = await info.context.loaders.open_action_items.load(self.entity.id)
        return [ActionItemNode(entity=i) for i in found]


@strawberry.type(name="OneOnOneMeeting", description="One meeting of a 1-on-1 series.")
class MeetingNode(EntityNode):
    loader = "meeting"
    entity: strawberry.Private[Meeting]

    @strawberry.field
    async def series(self, info: strawberry.Info) -> SeriesNode:
        found = await info.context.loaders.one_on_one_series.load(self.entity.series_id)
        return SeriesNode(entity=found)

    @strawberry.field
    def scheduled_at(self) -> datetime:
        return self.entity.scheduled_at

    @strawberry.field
    def status(self) -> MeetingStatusType:  # type: ignore[valid-type]
        return self.entity.status

    @strawberry.field
    def held_at(self) -> datetime | None:
        return self.entity.held_at

    @strawberry.field
    def cancelled_at(self) -> datetime | None:
        return self.entity.cancelled_at

    @strawberry.field(description="Shared by both; carried-over items say where they came from.")
    async def agenda(self, info: strawberry.Info) -> list[AgendaItemNode]:
        found = await info.context.loaders.agenda.load(self.entity.id)
        return [AgendaItemNode(entity=i) for i in found]

    @strawberry.field(description="Shared notes, and your own private ones (never the other's).")
    async def notes(self, info: strawberry.Info) -> list[MeetingNoteNode]:
        found = await info.context.loaders.meeting_notes.load(self.entity.id)
        return [MeetingNoteNode(entity=n) for n in found]

    @strawberry.field(description="Action items agreed in this meeting.")
    async def action_items(self, info: strawberry.Info) -> list[ActionItemNode]:
        found = await info.context.loaders.meeting_action_items.load(self.entity.id)
        return [ActionItemNode(entity=i) for i in found]

    @strawberry.field(
        description="What to prepare: what changed for the person since the last held "
        "meeting, as far as they shared it with you, and talking points to suggest. Null "
        "once the relationship has ended: the meetings and notes stay, the prep is for "
        "meetings to come."
    )
    async def prep(self, info: strawberry.Info) -> PrepRef | None:
        from api.graphql.one_on_one_prep import prepare

        return await prepare(info, self.entity)


@strawberry.type(name="AgendaItem", description="An item on a meeting's shared agenda.")
class AgendaItemNode(EntityNode):
    loader = "agenda_item"
    entity: strawberry.Private[AgendaItem]

    @strawberry.field
    async def author(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.author_id)

    @strawberry.field
    def text(self) -> str:
        return self.entity.text

    @strawberry.field
    def position(self) -> int:
        return self.entity.position

    @strawberry.field
    def done(self) -> bool:
        return self.entity.done

    @strawberry.field(description="For an item carried over: the meeting it was on before.")
    async def carried_from(self, info: strawberry.Info) -> MeetingNode | None:
        if self.entity.carried_from_id is None:
            return None
        source = await info.context.loaders.agenda_item.load(self.entity.carried_from_id)
        if source is None:
            return None
        found = await info.context.loaders.meeting.load(source.meeting_id)
        return MeetingNode(entity=found) if found else None

    @strawberry.field(
        description="The meeting it was first raised in: this one, or for an item carried "
        "over, where it all began (however many meetings it went through)."
    )
    async def first_raised_in(self, info: strawberry.Info) -> MeetingNode:
        assert self.entity.first_meeting_id is not None
        found = await info.context.loaders.meeting.load(self.entity.first_meeting_id)
        assert found is not None  # a meeting of the same series (a foreign key)
        return MeetingNode(entity=found)

    @strawberry.field(
        description="Whether you raised it as a talking point from feedback about you. Only "
        "you learn that: to the other person it is an item like any other (false)."
    )
    async def from_talking_point(self, info: strawberry.Info) -> bool:
        return await self._own_talking_point(info) is not None

    @strawberry.field(
        description="The talking point it carries, which leads to the feedback it was raised "
        "from: for you, when you raised it; null for the other person."
    )
    async def talking_point(self, info: strawberry.Info) -> TalkingPointRef | None:
        from api.graphql.feedback_sharing import TalkingPointType

        point_id = await self._own_talking_point(info)
        if point_id is None:
            return None
        found = await info.context.loaders.talking_point.load(point_id)
        return TalkingPointType(entity=found) if found else None

    async def _own_talking_point(self, info: strawberry.Info) -> UUID | None:
        """Its talking point, if the viewer raised it (its author: the person
        the feedback is about)."""
        actor = await require_actor(info)
        if self.entity.author_id != actor.person_id:
            return None
        return self.entity.talking_point_id

    @strawberry.field(description="The goal it is about, if you may read that goal.")
    async def goal(self, info: strawberry.Info) -> GoalRef | None:
        from api.graphql.goals import GoalNode

        if self.entity.goal_id is None:
            return None
        found = await info.context.loaders.goal.load(self.entity.goal_id)
        return GoalNode(entity=found) if found else None


@strawberry.type(
    name="MeetingNote",
    description="A shared note (both read it) or a private one (only its author, ever).",
)
class MeetingNoteNode(EntityNode):
    loader = "meeting_note"
    entity: strawberry.Private[MeetingNote]

    @strawberry.field
    async def author(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.author_id)

    @strawberry.field
    def private(self) -> bool:
        return self.entity.private

    @strawberry.field
    def text(self) -> str:
        return self.entity.text

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.entity.updated_at


@strawberry.type(name="ActionItem", description="Something one of the two does; open until done.")
class ActionItemNode(EntityNode):
    loader = "action_item"
    entity: strawberry.Private[ActionItem]

    @strawberry.field
    async def owner(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.owner_id)

    @strawberry.field
    async def created_by(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.created_by_id)

    @strawberry.field
    def text(self) -> str:
        return self.entity.text

    @strawberry.field
    def due_on(self) -> date | None:
        return self.entity.due_on

    @strawberry.field
    def done(self) -> bool:
        return not self.entity.is_open

    @strawberry.field
    def done_at(self) -> datetime | None:
        return self.entity.done_at

    @strawberry.field(description="Past its due date and not done.")
    def overdue(self, info: strawberry.Info) -> bool:
        return self.entity.is_overdue(info.context.now.date())

    @strawberry.field(description="The meeting it was agreed in.")
    async def meeting(self, info: strawberry.Info) -> MeetingNode | None:
        found = await info.context.loaders.meeting.load(self.entity.meeting_id)
        return MeetingNode(entity=found) if found else None


class HasEntity(Protocol):
    entity: Person


async def one_on_ones(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[SeriesNode] | None:
    """Mounted on Person: only on yourself."""
    actor = await require_actor(info)
    if actor.person_id != root.entity.id:
        return None
    return [
        SeriesNode(entity=s) for s in await info.context.loaders.series_of_person(actor.person_id)
    ]


# Mutations.


@strawberry.input
class StartOneOnOnesInput:
    relationship_id: strawberry.ID
    cadence: CadenceType | None = None  # type: ignore[valid-type]
    timezone: str | None = strawberry.field(
        default=None, description="Where the meetings happen (default: yours)."
    )
    first_meeting_at: datetime | None = None


@strawberry.input
class SetOneOnOneCadenceInput:
    series_id: strawberry.ID
    cadence: CadenceType | None = None  # type: ignore[valid-type]


@strawberry.input
class ScheduleOneOnOneInput:
    series_id: strawberry.ID
    scheduled_at: datetime


@strawberry.input
class RescheduleOneOnOneInput:
    meeting_id: strawberry.ID
    scheduled_at: datetime


@strawberry.input
class MeetingIdInput:
    meeting_id: strawberry.ID


@strawberry.input
class AddAgendaItemInput:
    meeting_id: strawberry.ID
    text: str
    goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="A goal to talk about (one you may read)."
    )


@strawberry.input
class SetAgendaItemDoneInput:
    item_id: strawberry.ID
    done: bool = True


@strawberry.input
class AgendaItemIdInput:
    item_id: strawberry.ID


@strawberry.input
class ReorderAgendaInput:
    meeting_id: strawberry.ID
    item_ids: list[strawberry.ID] = strawberry.field(
        description="Every item of the agenda, once, in the new order."
    )


@strawberry.input
class AddMeetingNoteInput:
    meeting_id: strawberry.ID
    text: str
    private: bool = strawberry.field(
        default=False, description="Private notes are yours alone, ever."
    )


@strawberry.input
class EditMeetingNoteInput:
    note_id: strawberry.ID
    text: str


@strawberry.input
class AddActionItemInput:
    meeting_id: strawberry.ID
    owner_id: strawberry.ID = strawberry.field(description="One of the two of you.")
    text: str
    due_on: date | None = None


@strawberry.input
class SetActionItemDoneInput:
    item_id: strawberry.ID
    done: bool = True


@strawberry.type
class OneOnOneSeriesSuccess:
    series: SeriesNode
    meeting: MeetingNode | None = strawberry.field(
        description="The meeting scheduled with it, if any."
    )


@strawberry.type
class OneOnOneMeetingSuccess:
    meeting: MeetingNode
    next_meeting: MeetingNode | None = strawberry.field(
        default=None,
        description="After holding or cancelling: the next meeting (proposed by the cadence "
        "if none was scheduled).",
    )


@strawberry.type
class AgendaItemSuccess:
    item: AgendaItemNode


@strawberry.type
class MeetingNoteSuccess:
    note: MeetingNoteNode


@strawberry.type
class ActionItemSuccess:
    item: ActionItemNode


OneOnOneSeriesResult = result_union("OneOnOneSeriesResult", OneOnOneSeriesSuccess)
OneOnOneMeetingResult = result_union("OneOnOneMeetingResult", OneOnOneMeetingSuccess)
AgendaItemResult = result_union("AgendaItemResult", AgendaItemSuccess)
MeetingNoteResult = result_union("MeetingNoteResult", MeetingNoteSuccess)
ActionItemResult = result_union("ActionItemResult", ActionItemSuccess)


def _meeting_id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "OneOnOneMeeting", field="meetingId")


def _series_id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "OneOnOneSeries", field="seriesId")


def _item_ids(values: list[strawberry.ID]) -> list[UUID]:
    if len(values) > 1000:
        raise ValidationFailed("itemIds", "Name at most 1000 items.", code="TOO_MANY")
    return [ids.decode(v, "AgendaItem", field="itemIds") for v in values]


@strawberry.type
class OneOnOnesMutation:
    @strawberry.mutation(description="Start 1-on-1s for an active relationship of yours.")
    async def start_one_on_ones(
        self, info: strawberry.Info, input: StartOneOnOnesInput
    ) -> OneOnOneSeriesResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> OneOnOneSeriesSuccess:
            series, meeting = await service.start(
                uow,
                actor,
                ids.decode(input.relationship_id, "Relationship", field="relationshipId"),
                cadence=input.cadence,
                timezone=input.timezone,
                first_meeting_at=input.first_meeting_at,
                now=info.context.now,
            )
            return OneOnOneSeriesSuccess(
                series=SeriesNode(entity=series),
                meeting=MeetingNode(entity=meeting) if meeting else None,
            )

        return await run(info, command)

    @strawberry.mutation(description="Meet weekly, every two weeks, monthly, or ad hoc (null).")
    async def set_one_on_one_cadence(
        self, info: strawberry.Info, input: SetOneOnOneCadenceInput
    ) -> OneOnOneSeriesResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> OneOnOneSeriesSuccess:
            series = await service.set_cadence(
                uow, actor, _series_id(input.series_id), input.cadence
            )
            return OneOnOneSeriesSuccess(series=SeriesNode(entity=series), meeting=None)

        return await run(info, command)

    @strawberry.mutation(description="Schedule a meeting.")
    async def schedule_one_on_one(
        self, info: strawberry.Info, input: ScheduleOneOnOneInput
    ) -> OneOnOneMeetingResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> OneOnOneMeetingSuccess:
            meeting = await service.schedule(
                uow,
                actor,
                _series_id(input.series_id),
                scheduled_at=input.scheduled_at,
                now=info.context.now,
            )
            return OneOnOneMeetingSuccess(meeting=MeetingNode(entity=meeting))

        return await run(info, command)

    @strawberry.mutation(description="Move a scheduled meeting.")
    async def reschedule_one_on_one(
        self, info: strawberry.Info, input: RescheduleOneOnOneInput
    ) -> OneOnOneMeetingResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> OneOnOneMeetingSuccess:
            meeting = await service.reschedule(
                uow,
                actor,
                _meeting_id(input.meeting_id),
                scheduled_at=input.scheduled_at,
                now=info.context.now,
            )
            return OneOnOneMeetingSuccess(meeting=MeetingNode(entity=meeting))

        return await run(info, command)

    @strawberry.mutation(
        description="Mark a meeting held: unfinished agenda items carry over to the next one."
    )
    async def hold_one_on_one(
        self, info: strawberry.Info, input: MeetingIdInput
    ) -> OneOnOneMeetingResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> OneOnOneMeetingSuccess:
            meeting, upcoming = await service.hold(
                uow, actor, _meeting_id(input.meeting_id), now=info.context.now
            )
            return OneOnOneMeetingSuccess(
                meeting=MeetingNode(entity=meeting),
                next_meeting=MeetingNode(entity=upcoming) if upcoming else None,
            )

        return await run(info, command)

    @strawberry.mutation(
        description="Cancel a meeting: its unfinished items move on to the next one, which a "
        "cadence proposes if there is none yet."
    )
    async def cancel_one_on_one(
        self, info: strawberry.Info, input: MeetingIdInput
    ) -> OneOnOneMeetingResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> OneOnOneMeetingSuccess:
            meeting, upcoming = await service.cancel(
                uow, actor, _meeting_id(input.meeting_id), now=info.context.now
            )
            return OneOnOneMeetingSuccess(
                meeting=MeetingNode(entity=meeting),
                next_meeting=MeetingNode(entity=upcoming) if upcoming else None,
            )

        return await run(info, command)

    @strawberry.mutation(description="Add an item to the agenda of a scheduled meeting.")
    async def add_agenda_item(
        self, info: strawberry.Info, input: AddAgendaItemInput
    ) -> AgendaItemResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> AgendaItemSuccess:
            item = await service.add_agenda_item(
                uow,
                actor,
                _meeting_id(input.meeting_id),
                text=input.text,
                goal_id=ids.decode(input.goal_id, "Goal", field="goalId")
                if input.goal_id
                else None,
                now=info.context.now,
            )
            return AgendaItemSuccess(item=AgendaItemNode(entity=item))

        return await run(info, command)

    @strawberry.mutation(description="Tick (or untick) an agenda item.")
    async def set_agenda_item_done(
        self, info: strawberry.Info, input: SetAgendaItemDoneInput
    ) -> AgendaItemResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> AgendaItemSuccess:
            item = await service.set_agenda_item_done(
                uow, actor, ids.decode(input.item_id, "AgendaItem", field="itemId"), done=input.done
            )
            return AgendaItemSuccess(item=AgendaItemNode(entity=item))

        return await run(info, command)

    @strawberry.mutation(description="Remove an agenda item you added.")
    async def remove_agenda_item(
        self, info: strawberry.Info, input: AgendaItemIdInput
    ) -> OneOnOneMeetingResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> OneOnOneMeetingSuccess:
            meeting = await service.remove_agenda_item(
                uow, actor, ids.decode(input.item_id, "AgendaItem", field="itemId")
            )
            return OneOnOneMeetingSuccess(meeting=MeetingNode(entity=meeting))

        return await run(info, command)

    @strawberry.mutation(description="Put the agenda in a new order.")
    async def reorder_agenda(
        self, info: strawberry.Info, input: ReorderAgendaInput
    ) -> OneOnOneMeetingResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> OneOnOneMeetingSuccess:
            meeting = await service.reorder_agenda(
                uow, actor, _meeting_id(input.meeting_id), _item_ids(input.item_ids)
            )
            return OneOnOneMeetingSuccess(meeting=MeetingNode(entity=meeting))

        return await run(info, command)

    @strawberry.mutation(description="Write a shared or a private note on a meeting.")
    async def add_meeting_note(
        self, info: strawberry.Info, input: AddMeetingNoteInput
    ) -> MeetingNoteResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> MeetingNoteSuccess:
            note = await service.add_note(
                uow,
                actor,
                _meeting_id(input.meeting_id),
                text=input.text,
                private=input.private,
                now=info.context.now,
            )
            return MeetingNoteSuccess(note=MeetingNoteNode(entity=note))

        return await run(info, command)

    @strawberry.mutation(description="Change a note you wrote.")
    async def edit_meeting_note(
        self, info: strawberry.Info, input: EditMeetingNoteInput
    ) -> MeetingNoteResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> MeetingNoteSuccess:
            note = await service.edit_note(
                uow,
                actor,
                ids.decode(input.note_id, "MeetingNote", field="noteId"),
                text=input.text,
                now=info.context.now,
            )
            return MeetingNoteSuccess(note=MeetingNoteNode(entity=note))

        return await run(info, command)

    @strawberry.mutation(description="Agree on an action item for one of you.")
    async def add_action_item(
        self, info: strawberry.Info, input: AddActionItemInput
    ) -> ActionItemResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> ActionItemSuccess:
            item = await service.add_action_item(
                uow,
                actor,
                _meeting_id(input.meeting_id),
                owner_id=ids.decode(input.owner_id, "Person", field="ownerId"),
                text=input.text,
                due_on=input.due_on,
                now=info.context.now,
            )
            return ActionItemSuccess(item=ActionItemNode(entity=item))

        return await run(info, command)

    @strawberry.mutation(description="Mark an action item done (or open again).")
    async def set_action_item_done(
        self, info: strawberry.Info, input: SetActionItemDoneInput
    ) -> ActionItemResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> ActionItemSuccess:
            item = await service.set_action_item_done(
                uow,
                actor,
                ids.decode(input.item_id, "ActionItem", field="itemId"),
                done=input.done,
                now=info.context.now,
            )
            return ActionItemSuccess(item=ActionItemNode(entity=item))

        return await run(info, command)
