"""1-on-1s: starting a series for a relationship, scheduling and holding
meetings, the shared agenda (with carry-over and talking points), notes and
action items.

Only the two people of the relationship touch a series. To anyone else it
does not exist: every refusal reads as not found, so a failed write never
reveals that two people meet. Changes to a meeting's agenda lock the
meeting; holding, cancelling and scheduling lock the series, so concurrent
edits keep positions and carry-over consistent.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.actors import Actor
from domain.errors import Conflict, LimitExceeded, NotFound, ValidationFailed
from domain.one_on_ones import (
    AGENDA_MAX,
    ActionItem,
    AgendaItem,
    Cadence,
    Meeting,
    MeetingNote,
    OneOnOneSeries,
    agenda_text,
    check_free,
    check_order,
)
from domain.ports import UnitOfWork
from domain.relationships import Relationship
from domain.services import goals


async def start(
    uow: UnitOfWork,
    actor: Actor,
    relationship_id: UUID,
    *,
    cadence: Cadence | None = None,
    timezone: str | None = None,
    first_meeting_at: datetime | None = None,
    now: datetime,
) -> tuple[OneOnOneSeries, Meeting | None]:
    relationship = await uow.relationships.get(relationship_id, for_update=True)
    if relationship is None or not relationship.involves(actor.person_id):
        raise NotFound("Relationship")
    if not relationship.is_active:
        raise Conflict(
            "1-on-1s are for an active relationship.", code="NOT_ACTIVE", field="relationshipId"
        )
    if await uow.one_on_ones.series_of_relationship(relationship.id) is not None:
        raise Conflict(
            "This relationship has its 1-on-1s already.",
            code="SERIES_EXISTS",
            field="relationshipId",
        )
    person = await uow.people.get(actor.person_id)
    assert person is not None
    series = OneOnOneSeries.start(
        organization_id=actor.organization_id,
        relationship_id=relationship.id,
        timezone=timezone if timezone is not None else person.timezone,
        cadence=cadence,
        created_by_id=actor.person_id,
        now=now,
    )
    await uow.one_on_ones.add_series(series, (relationship.leader_id, relationship.follower_id))
    meeting = None
    if first_meeting_at is not None:
        meeting = Meeting.schedule(series, first_meeting_at, now)
        await uow.one_on_ones.add_meeting(meeting)
        await _fill_next_agenda(uow, series, now)
    return series, meeting


async def set_cadence(
    uow: UnitOfWork, actor: Actor, series_id: UUID, cadence: Cadence | None
) -> OneOnOneSeries:
    series, _ = await _series(uow, actor, series_id)
    series.require_open()
    series.cadence = cadence
    return series


async def schedule(
    uow: UnitOfWork, actor: Actor, series_id: UUID, *, scheduled_at: datetime, now: datetime
) -> Meeting:
    """Unfinished items of earlier meetings and talking points not yet on an
    agenda go onto the next scheduled meeting."""
    series, _ = await _series(uow, actor, series_id)
    meeting = Meeting.schedule(series, scheduled_at, now)
    check_free(await uow.one_on_ones.scheduled_meetings(series.id), meeting.scheduled_at)
    await uow.one_on_ones.add_meeting(meeting)
    await _fill_next_agenda(uow, series, now)
    return meeting


async def reschedule(
    uow: UnitOfWork, actor: Actor, meeting_id: UUID, *, scheduled_at: datetime, now: datetime
) -> Meeting:
    meeting, series = await _meeting(uow, actor, meeting_id, lock_series=True)
    series.require_open()
    meeting.reschedule(scheduled_at, now)
    check_free(await uow.one_on_ones.scheduled_meetings(series.id), scheduled_at, moving=meeting)
    return meeting


async def hold(
    uow: UnitOfWork, actor: Actor, meeting_id: UUID, *, now: datetime
) -> tuple[Meeting, Meeting | None]:
    """Marks the meeting held; unfinished agenda items carry over to the
    next meeting, which a cadence proposes if there is none yet. Returns
    the next meeting."""
    meeting, series = await _meeting(uow, actor, meeting_id, lock_series=True)
    series.require_open()
    meeting.hold(now)
    return meeting, await _move_on(uow, series, meeting, now)


async def cancel(
    uow: UnitOfWork, actor: Actor, meeting_id: UUID, *, now: datetime
) -> tuple[Meeting, Meeting | None]:
    """A cancelled meeting moves the series on like a held one: its
    unfinished items carry over, and a cadence proposes the next meeting.
    Returns the next meeting."""
    meeting, series = await _meeting(uow, actor, meeting_id, lock_series=True)
    series.require_open()
    meeting.cancel(now)
    return meeting, await _move_on(uow, series, meeting, now)


async def _move_on(
    uow: UnitOfWork, series: OneOnOneSeries, meeting: Meeting, now: datetime
) -> Meeting | None:
    """After `meeting` was held or cancelled (the series locked): with a
    cadence, and nothing scheduled after it yet, the next meeting is
    proposed at the same local time; the next meeting gets the unfinished
    items. Only one next meeting, ever: the series lock orders concurrent
    requests, and the database refuses two scheduled meetings at one time."""
    await uow.flush()
    upcoming = await uow.one_on_ones.next_scheduled(series.id, after=meeting.scheduled_at)
    if upcoming is None and series.cadence is not None:
        at = series.cadence.next_ahead(meeting.scheduled_at, series.timezone, now)
        upcoming = Meeting.propose(series, at, now)
        await uow.one_on_ones.add_meeting(upcoming)
    await _fill_next_agenda(uow, series, now, after=meeting.scheduled_at)
    return upcoming


async def add_agenda_item(
    uow: UnitOfWork,
    actor: Actor,
    meeting_id: UUID,
    *,
    text: str,
    goal_id: UUID | None = None,
    now: datetime,
) -> AgendaItem:
    """A goal on the agenda is one the author may read; the other person
    sees the link only if they may read the goal too."""
    meeting, series = await _open_meeting(uow, actor, meeting_id)
    cleaned = agenda_text(text)
    if goal_id is not None:
        goal = await uow.goals.get(goal_id)
        if goal is None or not await goals.readable_by(uow, goal, actor.person_id):
            raise NotFound("Goal")
    agenda = await uow.one_on_ones.agenda_of(meeting.id)
    _check_room(agenda, 1)
    item = AgendaItem(
        organization_id=series.organization_id,
        series_id=series.id,
        meeting_id=meeting.id,
        author_id=actor.person_id,
        text=cleaned,
        position=len(agenda),
        created_at=now,
        goal_id=goal_id,
    )
    await uow.one_on_ones.add_agenda_items([item])
    return item


async def set_agenda_item_done(
    uow: UnitOfWork, actor: Actor, item_id: UUID, *, done: bool
) -> AgendaItem:
    item = await _agenda_item(uow, actor, item_id)
    item.done = done
    return item


async def remove_agenda_item(uow: UnitOfWork, actor: Actor, item_id: UUID) -> Meeting:
    """Only its author removes an item; the others close the gap. An item
    carried over from an earlier meeting is ticked off instead: removing it
    would leave the earlier one unfinished, to be carried over again."""
    item = await _agenda_item(uow, actor, item_id)
    if item.author_id != actor.person_id:
        raise Conflict("Only its author removes an agenda item.", code="NOT_AUTHOR")
    if item.carried_from_id is not None:
        raise Conflict("A carried-over item is ticked off, not removed.", code="CARRIED_OVER")
    agenda = [i for i in await uow.one_on_ones.agenda_of(item.meeting_id) if i.id != item.id]
    await uow.one_on_ones.remove_agenda_item(item)
    await _renumber(uow, agenda)
    meeting = await uow.one_on_ones.get_meeting(item.meeting_id)
    assert meeting is not None
    return meeting


async def reorder_agenda(
    uow: UnitOfWork, actor: Actor, meeting_id: UUID, item_ids: list[UUID]
) -> Meeting:
    meeting, _ = await _open_meeting(uow, actor, meeting_id)
    ordered = check_order(await uow.one_on_ones.agenda_of(meeting.id), item_ids)
    await _renumber(uow, ordered)
    return meeting


async def add_note(
    uow: UnitOfWork, actor: Actor, meeting_id: UUID, *, text: str, private: bool, now: datetime
) -> MeetingNote:
    """Notes can be written before, during and after a meeting, while the
    relationship lasts; after that the series is history, read-only."""
    meeting, series = await _meeting(uow, actor, meeting_id, lock_series=True)
    series.require_open()
    note = MeetingNote.write(
        organization_id=series.organization_id,
        series_id=series.id,
        meeting_id=meeting.id,
        author_id=actor.person_id,
        private=private,
        text=text,
        now=now,
    )
    await uow.one_on_ones.add_note(note)
    return note


async def edit_note(
    uow: UnitOfWork, actor: Actor, note_id: UUID, *, text: str, now: datetime
) -> MeetingNote:
    note = await uow.one_on_ones.get_note(note_id, for_update=True)
    if note is None or note.author_id != actor.person_id:
        raise NotFound("MeetingNote")
    series = await uow.one_on_ones.get_series(note.series_id, for_update=True)
    assert series is not None
    series.require_open()
    note.edit(actor.person_id, text, now)
    return note


async def add_action_item(
    uow: UnitOfWork,
    actor: Actor,
    meeting_id: UUID,
    *,
    owner_id: UUID,
    text: str,
    due_on: date | None = None,
    now: datetime,
) -> ActionItem:
    meeting, series = await _meeting(uow, actor, meeting_id, lock_series=True)
    series.require_open()
    relationship = await _relationship(uow, series)
    if not relationship.involves(owner_id):
        raise ValidationFailed(
            "ownerId", "An action item belongs to one of the two of you.", code="NOT_A_PARTICIPANT"
        )
    item = ActionItem(
        organization_id=series.organization_id,
        series_id=series.id,
        meeting_id=meeting.id,
        owner_id=owner_id,
        created_by_id=actor.person_id,
        text=agenda_text(text),
        due_on=due_on,
        created_at=now,
    )
    await uow.one_on_ones.add_action_item(item)
    return item


async def set_action_item_done(
    uow: UnitOfWork, actor: Actor, item_id: UUID, *, done: bool, now: datetime
) -> ActionItem:
    item = await uow.one_on_ones.get_action_item(item_id, for_update=True)
    if item is None:
        raise NotFound("ActionItem")
    try:
        series, _ = await _series(uow, actor, item.series_id)
    except NotFound:
        raise NotFound("ActionItem") from None
    series.require_open()
    item.set_done(done, now)
    return item


async def place_talking_points(uow: UnitOfWork, relationship_id: UUID, *, now: datetime) -> None:
    """Talking points raised for a relationship join the agenda of its next
    meeting (or wait for one to be scheduled)."""
    series = await uow.one_on_ones.series_of_relationship(relationship_id, for_update=True)
    if series is not None and series.is_open:
        await _fill_next_agenda(uow, series, now)


async def end_with_relationship(uow: UnitOfWork, relationship_id: UUID, *, now: datetime) -> None:
    """The series ends with its relationship; meetings still scheduled are
    cancelled, and everything held stays readable by the two people."""
    series = await uow.one_on_ones.series_of_relationship(relationship_id, for_update=True)
    if series is None:
        return
    series.end(now)
    for meeting in await uow.one_on_ones.scheduled_meetings(series.id):
        meeting.cancel(now)


async def _fill_next_agenda(
    uow: UnitOfWork, series: OneOnOneSeries, now: datetime, *, after: datetime | None = None
) -> None:
    """The next scheduled meeting (after `after`, when a meeting was just
    held or cancelled) gets the unfinished items of earlier meetings that
    are over, and the talking points not on any agenda yet. Items only ever
    move forward in time."""
    upcoming = await uow.one_on_ones.next_scheduled(series.id, after=after, for_update=True)
    if upcoming is None:
        return
    agenda = await uow.one_on_ones.agenda_of(upcoming.id)
    carried = await uow.one_on_ones.uncarried_items(series.id, before=upcoming.scheduled_at)
    # No room check here: these items were on an agenda (or raised) already,
    # and refusing them would refuse the hold or the feedback action.
    points = await uow.talking_points.unplaced(series.relationship_id)
    position = len(agenda)
    added: list[AgendaItem] = []
    for item in carried:
        added.append(item.carried_to(upcoming, position, now))
        position += 1
    for point in points:
        point.placed_at = now
        added.append(
            AgendaItem(
                organization_id=series.organization_id,
                series_id=series.id,
                meeting_id=upcoming.id,
                author_id=point.author_id,
                text=point.text,
                position=position,
                created_at=now,
                talking_point_id=point.id,
            )
        )
        position += 1
    if added:
        await uow.one_on_ones.add_agenda_items(added)


def _check_room(agenda: list[AgendaItem], adding: int) -> None:
    if len(agenda) + adding > AGENDA_MAX:
        raise LimitExceeded(
            "AGENDA_ITEMS", AGENDA_MAX, f"An agenda holds at most {AGENDA_MAX} items."
        )


async def _renumber(uow: UnitOfWork, ordered: list[AgendaItem]) -> None:
    for position, item in enumerate(ordered):
        item.position = position
    await uow.flush()


async def _relationship(uow: UnitOfWork, series: OneOnOneSeries) -> Relationship:
    relationship = await uow.relationships.get(series.relationship_id)
    assert relationship is not None
    return relationship


async def _series(
    uow: UnitOfWork, actor: Actor, series_id: UUID
) -> tuple[OneOnOneSeries, Relationship]:
    """The series, locked, if the actor is one of its two people."""
    series = await uow.one_on_ones.get_series(series_id, for_update=True)
    if series is None:
        raise NotFound("OneOnOneSeries")
    relationship = await _relationship(uow, series)
    if not relationship.involves(actor.person_id):
        raise NotFound("OneOnOneSeries")
    return series, relationship


async def _meeting(
    uow: UnitOfWork, actor: Actor, meeting_id: UUID, *, lock_series: bool = False
) -> tuple[Meeting, OneOnOneSeries]:
    found = await uow.one_on_ones.get_meeting(meeting_id)
    if found is None:
        raise NotFound("OneOnOneMeeting")
    try:
        if lock_series:
            series, _ = await _series(uow, actor, found.series_id)
        else:
            series = await uow.one_on_ones.get_series(found.series_id)
            assert series is not None
            if not (await _relationship(uow, series)).involves(actor.person_id):
                raise NotFound("OneOnOneSeries")
    except NotFound:
        raise NotFound("OneOnOneMeeting") from None
    meeting = await uow.one_on_ones.get_meeting(meeting_id, for_update=True)
    assert meeting is not None
    return meeting, series


async def _open_meeting(
    uow: UnitOfWork, actor: Actor, meeting_id: UUID
) -> tuple[Meeting, OneOnOneSeries]:
    """A meeting whose agenda can change: scheduled, in an open series."""
    meeting, series = await _meeting(uow, actor, meeting_id)
    series.require_open()
    meeting.require_scheduled()
    return meeting, series


async def _agenda_item(uow: UnitOfWork, actor: Actor, item_id: UUID) -> AgendaItem:
    found = await uow.one_on_ones.get_agenda_item(item_id)
    if found is None:
        raise NotFound("AgendaItem")
    try:
        await _open_meeting(uow, actor, found.meeting_id)
    except NotFound:
        raise NotFound("AgendaItem") from None
    item = await uow.one_on_ones.get_agenda_item(item_id)
    if item is None:  # removed by the other person while we waited for the lock
        raise NotFound("AgendaItem")
    return item
