"""1-on-1s: the pure rules of domain/one_on_ones.py (cadence, meeting
transitions, times, agenda order, notes, action items), and
domain/services/one_on_ones.py (with its callers in the relationship and
feedback services) on the in-memory unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from domain.actors import Actor
from domain.autonomy import AutonomyStage
from domain.errors import Conflict, LimitExceeded, NotFound, ValidationFailed
from domain.goals import Audience
from domain.one_on_ones import (
    AGENDA_MAX,
    NOTE_MAX,
    SCHEDULE_WITHIN,
    TEXT_MAX,
    ActionItem,
    AgendaItem,
    Cadence,
    Meeting,
    MeetingNote,
    MeetingStatus,
    OneOnOneSeries,
    check_order,
    check_time,
)
from domain.organizations import Organization
from domain.people import Person
from domain.relationships import RelationshipKind, RelationshipStatus
from domain.services import feedback_items, goals, one_on_ones, relationships
from domain.talking_points import TalkingPoint
from tests.unit.fakes import FakeUnitOfWork, FakeUnitOfWorkFactory, Tables
from tests.unit.world import OrgWorld, member, relate

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
LATEST = NOW + timedelta(hours=2)
TODAY = NOW.date()

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
RELATIONSHIP = uuid.UUID("00000000-0000-4000-8000-0000000000e1")
LEADER = uuid.UUID("00000000-0000-4000-8000-00000000000a")
FOLLOWER = uuid.UUID("00000000-0000-4000-8000-00000000000b")

BERLIN_TZ = "Europe/Berlin"
NEW_YORK_TZ = "America/New_York"
BERLIN = ZoneInfo(BERLIN_TZ)
NEW_YORK = ZoneInfo(NEW_YORK_TZ)

WEEKLY = Cadence.WEEKLY
BIWEEKLY = Cadence.BIWEEKLY
MONTHLY = Cadence.MONTHLY
SCHEDULED = MeetingStatus.SCHEDULED
HELD = MeetingStatus.HELD
CANCELLED = MeetingStatus.CANCELLED


def utc(month: int, day: int, hour: int, minute: int = 0, *, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def berlin(month: int, day: int, hour: int = 10, minute: int = 0, *, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


# -- cadence -------------------------------------------------------------------------------
# Berlin: summer time from 2026-03-29, winter time from 2026-10-25.
# New York: daylight time from 2026-03-08, standard time from 2026-11-01.


@pytest.mark.parametrize(
    ("cadence", "zone", "at", "expected"),
    [
        (WEEKLY, BERLIN_TZ, utc(3, 24, 9), utc(3, 31, 8)),  # 10:00 CET -> 10:00 CEST
        (WEEKLY, BERLIN_TZ, utc(10, 20, 8), utc(10, 27, 9)),  # 10:00 CEST -> 10:00 CET
        (BIWEEKLY, BERLIN_TZ, utc(3, 19, 9), utc(4, 2, 8)),
        (BIWEEKLY, BERLIN_TZ, utc(10, 15, 8), utc(10, 29, 9)),
        (WEEKLY, NEW_YORK_TZ, utc(3, 5, 14), utc(3, 12, 13)),  # 09:00 EST -> 09:00 EDT
        (WEEKLY, NEW_YORK_TZ, utc(10, 29, 13), utc(11, 5, 14)),  # 09:00 EDT -> 09:00 EST
        (BIWEEKLY, NEW_YORK_TZ, utc(3, 2, 14), utc(3, 16, 13)),
        (BIWEEKLY, NEW_YORK_TZ, utc(10, 26, 13), utc(11, 9, 14)),
    ],
)
def test_weekly_and_biweekly_keep_the_local_time_across_a_clock_change(
    cadence: Cadence, zone: str, at: datetime, expected: datetime
) -> None:
    following = cadence.next_after(at, zone)
    assert following == expected
    assert following - at != timedelta(weeks=1 if cadence is WEEKLY else 2)
    before, after = at.astimezone(ZoneInfo(zone)), following.astimezone(ZoneInfo(zone))
    assert (after.hour, after.minute, after.weekday()) == (
        before.hour,
        before.minute,
        before.weekday(),
    )
    assert after.date() - before.date() == timedelta(weeks=1 if cadence is WEEKLY else 2)


@pytest.mark.parametrize(("cadence", "weeks"), [(WEEKLY, 1), (BIWEEKLY, 2)])
def test_without_a_clock_change_it_is_whole_weeks(cadence: Cadence, weeks: int) -> None:
    assert cadence.next_after(berlin(5, 5), BERLIN_TZ) == berlin(5, 5) + timedelta(weeks=weeks)
    # In UTC there is no clock change: Berlin's does not matter.
    assert cadence.next_after(utc(3, 24, 9), "UTC") == utc(3, 24, 9) + timedelta(weeks=weeks)


def test_the_result_keeps_the_offset_it_was_given() -> None:
    in_berlin = WEEKLY.next_after(berlin(3, 24), BERLIN_TZ)
    assert (in_berlin, in_berlin.tzinfo) == (berlin(3, 31), BERLIN)
    in_utc = WEEKLY.next_after(utc(3, 24, 9), BERLIN_TZ)
    assert (in_utc, in_utc.tzinfo) == (berlin(3, 31), UTC)
    plus_one = timezone(timedelta(hours=1))
    fixed = WEEKLY.next_after(datetime(2026, 3, 24, 10, 0, tzinfo=plus_one), BERLIN_TZ)
    assert (fixed, fixed.tzinfo) == (berlin(3, 31), plus_one)
    assert fixed.hour == 9  # 10:00 in Berlin is 09:00 at +01:00 in summer


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (berlin(1, 15), berlin(2, 15)),
        (berlin(1, 31), berlin(2, 28)),
        (berlin(1, 31, year=2028), berlin(2, 29, year=2028)),  # a leap year
        (berlin(2, 29, year=2028), berlin(3, 29, year=2028)),
        (berlin(3, 31), berlin(4, 30)),
        (berlin(8, 31), berlin(9, 30)),
        (berlin(12, 15), berlin(1, 15, year=2027)),
        (berlin(12, 31, 18, 30), berlin(1, 31, 18, 30, year=2027)),
        (berlin(3, 15), berlin(4, 15)),  # into summer time: still 10:00
        (berlin(10, 15), berlin(11, 15)),  # into winter time: still 10:00
    ],
)
def test_monthly_is_the_same_day_or_the_months_last(at: datetime, expected: datetime) -> None:
    following = MONTHLY.next_after(at, BERLIN_TZ)
    assert following == expected
    assert (following.hour, following.minute) == (at.hour, at.minute)


def test_monthly_counts_the_local_month() -> None:
    # 23:30 UTC on January 31 is already February 1 in Berlin.
    assert MONTHLY.next_after(utc(1, 31, 23, 30), BERLIN_TZ) == berlin(3, 1, 0, 30)
    assert MONTHLY.next_after(utc(1, 31, 23, 30), "UTC") == utc(2, 28, 23, 30)


# -- series and meetings -------------------------------------------------------------------

SOON = berlin(3, 10)


def make_series(*, cadence: Cadence | None = None, zone: str = BERLIN_TZ) -> OneOnOneSeries:
    return OneOnOneSeries.start(
        organization_id=ORG,
        relationship_id=RELATIONSHIP,
        timezone=zone,
        cadence=cadence,
        created_by_id=LEADER,
        now=NOW,
    )


def make_meeting(at: datetime = SOON) -> Meeting:
    return Meeting.schedule(make_series(), at, NOW)


def test_start_a_series() -> None:
    series = make_series(cadence=WEEKLY, zone="  Europe/Berlin ")
    assert (series.organization_id, series.relationship_id) == (ORG, RELATIONSHIP)
    assert (series.timezone, series.cadence) == (BERLIN_TZ, WEEKLY)
    assert (series.created_by_id, series.created_at, series.ended_at) == (LEADER, NOW, None)
    assert series.is_open
    series.require_open()


def test_a_series_needs_a_known_timezone() -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_series(zone="Mars/Olympus")
    assert (caught.value.field, caught.value.code) == ("timezone", "INVALID_TIMEZONE")


def test_a_series_ends_once() -> None:
    series = make_series()
    series.end(LATER)
    series.end(LATEST)
    assert series.ended_at == LATER
    assert not series.is_open
    with pytest.raises(Conflict) as caught:
        series.require_open()
    assert caught.value.code == "SERIES_ENDED"


def test_schedule_a_meeting() -> None:
    series = make_series()
    meeting = Meeting.schedule(series, SOON, NOW)
    assert (meeting.organization_id, meeting.series_id) == (ORG, series.id)
    assert (meeting.scheduled_at, meeting.created_at, meeting.status) == (SOON, NOW, SCHEDULED)
    assert meeting.held_at is meeting.cancelled_at is None


def test_no_meeting_in_an_ended_series() -> None:
    series = make_series()
    series.end(NOW)
    with pytest.raises(Conflict) as caught:
        Meeting.schedule(series, SOON, NOW)
    assert caught.value.code == "SERIES_ENDED"


def test_hold() -> None:
    meeting = make_meeting()
    meeting.hold(LATER)
    assert (meeting.status, meeting.held_at, meeting.cancelled_at) == (HELD, LATER, None)
    assert meeting.scheduled_at == SOON


def test_cancel_a_meeting() -> None:
    meeting = make_meeting()
    meeting.cancel(LATER)
    assert (meeting.status, meeting.cancelled_at, meeting.held_at) == (CANCELLED, LATER, None)


def test_reschedule() -> None:
    meeting = make_meeting()
    meeting.reschedule(berlin(3, 12, 14), LATER)
    assert (meeting.scheduled_at, meeting.status) == (berlin(3, 12, 14), SCHEDULED)
    assert meeting.created_at == NOW


def _do(meeting: Meeting, action: str) -> None:
    if action == "hold":
        meeting.hold(LATEST)
    elif action == "cancel":
        meeting.cancel(LATEST)
    else:
        meeting.reschedule(berlin(3, 12), LATEST)


@pytest.mark.parametrize("action", ["hold", "cancel", "reschedule"])
@pytest.mark.parametrize(("done", "status"), [("hold", HELD), ("cancel", CANCELLED)])
def test_only_a_scheduled_meeting_changes(done: str, status: MeetingStatus, action: str) -> None:
    meeting = make_meeting()
    _do(meeting, done)
    before = vars(meeting).copy()
    with pytest.raises(Conflict) as caught:
        _do(meeting, action)
    assert caught.value.code == "NOT_SCHEDULED"
    assert status.value.lower() in caught.value.message
    assert vars(meeting) == before


def test_a_time_needs_an_offset() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_time("scheduledAt", datetime(2026, 3, 10, 10, 0), NOW)
    assert (caught.value.field, caught.value.code) == ("scheduledAt", "INVALID_TIME")


@pytest.mark.parametrize(
    "offset",
    [
        SCHEDULE_WITHIN + timedelta(minutes=1),
        -SCHEDULE_WITHIN - timedelta(minutes=1),
        timedelta(days=800),
    ],
)
def test_a_time_more_than_a_year_away_is_too_far(offset: timedelta) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_time("scheduledAt", NOW + offset, NOW)
    assert (caught.value.field, caught.value.code) == ("scheduledAt", "TOO_FAR")


@pytest.mark.parametrize(
    "offset",
    [timedelta(0), timedelta(days=1), -timedelta(days=1), SCHEDULE_WITHIN, -SCHEDULE_WITHIN],
)
def test_a_time_within_a_year_is_fine(offset: timedelta) -> None:
    check_time("scheduledAt", NOW + offset, NOW)
    assert timedelta(days=365) <= SCHEDULE_WITHIN <= timedelta(days=366)


def test_schedule_and_reschedule_check_the_time() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Meeting.schedule(make_series(), datetime(2026, 3, 10, 10, 0), NOW)
    assert (caught.value.field, caught.value.code) == ("scheduledAt", "INVALID_TIME")
    meeting = make_meeting()
    for at, code in (
        (datetime(2026, 3, 12, 10, 0), "INVALID_TIME"),
        (LATER + SCHEDULE_WITHIN + timedelta(days=1), "TOO_FAR"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            meeting.reschedule(at, LATER)
        assert (caught.value.field, caught.value.code) == ("scheduledAt", code)
    assert meeting.scheduled_at == SOON


# -- agenda order, notes, action items -------------------------------------------------------


def make_agenda(count: int, meeting: Meeting | None = None) -> list[AgendaItem]:
    meeting = meeting or make_meeting()
    return [
        AgendaItem(
            organization_id=ORG,
            series_id=meeting.series_id,
            meeting_id=meeting.id,
            author_id=LEADER,
            text=f"Item {n}",
            position=n,
            created_at=NOW,
        )
        for n in range(count)
    ]


def test_a_new_order_names_every_item_once() -> None:
    a, b, c = make_agenda(3)
    assert check_order([a, b, c], [c.id, a.id, b.id]) == [c, a, b]
    assert check_order([a, b, c], [a.id, b.id, c.id]) == [a, b, c]
    assert check_order([], []) == []


@pytest.mark.parametrize(
    "wanted",
    [
        "missing",
        "extra",
        "duplicate",
        "duplicate instead of one",
        "nothing",
        "another meeting's item",
    ],
)
def test_any_other_order_is_not_the_agenda(wanted: str) -> None:
    a, b, c = make_agenda(3)
    (elsewhere,) = make_agenda(1)
    ids = {
        "missing": [a.id, b.id],
        "extra": [a.id, b.id, c.id, uuid.uuid4()],
        "duplicate": [a.id, b.id, c.id, a.id],
        "duplicate instead of one": [a.id, b.id, b.id],
        "nothing": [],
        "another meeting's item": [a.id, b.id, elsewhere.id],
    }[wanted]
    with pytest.raises(ValidationFailed) as caught:
        check_order([a, b, c], ids)
    assert (caught.value.field, caught.value.code) == ("itemIds", "NOT_THE_AGENDA")
    assert [i.position for i in (a, b, c)] == [0, 1, 2]


def test_an_item_carried_to_another_meeting() -> None:
    (item,) = make_agenda(1)
    item.talking_point_id, item.goal_id = uuid.uuid4(), uuid.uuid4()
    next_meeting = make_meeting(berlin(3, 17))
    copy = item.carried_to(next_meeting, 4, LATER)
    assert copy.id != item.id
    assert (copy.meeting_id, copy.position, copy.created_at) == (next_meeting.id, 4, LATER)
    assert (copy.carried_from_id, copy.done) == (item.id, False)
    assert (copy.author_id, copy.text) == (item.author_id, item.text)
    assert (copy.talking_point_id, copy.goal_id) == (item.talking_point_id, item.goal_id)
    assert (copy.organization_id, copy.series_id) == (item.organization_id, item.series_id)


def make_note(*, text: str = "We agreed on a plan.", private: bool = False) -> MeetingNote:
    meeting = make_meeting()
    return MeetingNote.write(
        organization_id=ORG,
        series_id=meeting.series_id,
        meeting_id=meeting.id,
        author_id=FOLLOWER,
        private=private,
        text=text,
        now=NOW,
    )


def test_write_a_note() -> None:
    note = make_note(text="  Line one\n\nline two  ", private=True)
    assert (note.text, note.private, note.author_id) == ("Line one\n\nline two", True, FOLLOWER)
    assert note.created_at == note.updated_at == NOW


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "REQUIRED"),
        (" \n\t ", "REQUIRED"),
        ("x" * (NOTE_MAX + 1), "TOO_LONG"),
        ("\x00", "INVALID_CHARACTERS"),
    ],
)
def test_a_note_has_text(text: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_note(text=text)
    assert (caught.value.field, caught.value.code) == ("text", code)


def test_its_author_edits_a_note() -> None:
    note = make_note()
    note.edit(FOLLOWER, "  A better plan. ", LATER)
    assert (note.text, note.updated_at, note.created_at) == ("A better plan.", LATER, NOW)


@pytest.mark.parametrize("private", [False, True])
def test_nobody_else_edits_a_note(private: bool) -> None:
    note = make_note(private=private)
    before = vars(note).copy()
    with pytest.raises(NotFound) as caught:
        note.edit(LEADER, "Mine now.", LATER)
    assert caught.value.kind == "MeetingNote"
    assert vars(note) == before


def test_a_bad_edit_changes_nothing() -> None:
    note = make_note()
    with pytest.raises(ValidationFailed):
        note.edit(FOLLOWER, "   ", LATER)
    assert (note.text, note.updated_at) == ("We agreed on a plan.", NOW)


def make_action_item(due_on: date | None = None) -> ActionItem:
    meeting = make_meeting()
    return ActionItem(
        organization_id=ORG,
        series_id=meeting.series_id,
        meeting_id=meeting.id,
        owner_id=FOLLOWER,
        created_by_id=LEADER,
        text="Book the offsite",
        created_at=NOW,
        due_on=due_on,
    )


@pytest.mark.parametrize(
    ("due_on", "overdue"),
    [
        (None, False),
        (TODAY - timedelta(days=30), True),
        (TODAY - timedelta(days=1), True),
        (TODAY, False),
        (TODAY + timedelta(days=1), False),
    ],
)
def test_an_open_action_item_past_its_due_date_is_overdue(
    due_on: date | None, overdue: bool
) -> None:
    item = make_action_item(due_on)
    assert item.is_open
    assert item.is_overdue(TODAY) is overdue
    item.set_done(True, NOW)
    assert not item.is_overdue(TODAY)


def test_set_an_action_item_done_and_open_again() -> None:
    item = make_action_item()
    item.set_done(True, LATER)
    assert (item.done_at, item.is_open) == (LATER, False)
    item.set_done(True, LATEST)
    assert item.done_at == LATER  # done once, when it was done
    item.set_done(False, LATEST)
    assert (item.done_at, item.is_open) == (None, True)
    item.set_done(False, LATEST)
    assert item.done_at is None


# -- use cases: a world to run them in --------------------------------------------------------

STEWARDSHIP = RelationshipKind.STEWARDSHIP
COACHING = RelationshipKind.COACHING

FIRST = berlin(3, 10)
SECOND = berlin(3, 17)
THIRD = berlin(3, 24)
FOURTH = berlin(3, 31)
AFTER_FIRST = berlin(3, 10, 11)
AFTER_SECOND = berlin(3, 17, 11)


@dataclass
class World(OrgWorld):
    """bob (who lives in Berlin) stewards ada and fay; cy coaches ada; dee is
    nobody to them; eve offered to coach ada, who has not answered yet; otto
    is in another organization."""

    outsider: Person
    relationship_ids: dict[str, UUID] = field(default_factory=dict)
    """"leader>follower" -> relationship id."""

    @property
    def tables(self) -> Tables:
        return self.uows.db.tables


@pytest.fixture
async def world() -> World:
    uows = FakeUnitOfWorkFactory()
    acme = Organization.create(name="Acme", slug="acme", now=NOW)
    globex = Organization.create(name="Globex", slug="globex", now=NOW)
    members = {h: member(acme, h, NOW) for h in ("ada", "bob", "cy", "dee", "eve", "fay")}
    members["bob"].update_profile(timezone=BERLIN_TZ)
    outsider = member(globex, "otto", NOW)
    async with uows() as uow:
        await uow.organizations.add(acme)
        await uow.organizations.add(globex)
        uow.bind_organization(acme.id)
        for person in members.values():
            await uow.people.add(person)
        await uow.commit()
    async with uows(globex.id) as uow:
        await uow.people.add(outsider)
        await uow.commit()
    w = World(uows, acme, members, outsider)
    for leader, follower, kind, accept in (
        ("bob", "ada", STEWARDSHIP, True),
        ("bob", "fay", STEWARDSHIP, True),
        ("cy", "ada", COACHING, True),
        ("eve", "ada", COACHING, False),
    ):
        w.relationship_ids[f"{leader}>{follower}"] = await relate(
            w, leader, follower, kind, accept=accept, now=NOW
        )
    return w


async def start(
    world: World,
    key: str = "bob>ada",
    *,
    by: str = "bob",
    cadence: Cadence | None = None,
    zone: str | None = None,
    first_meeting_at: datetime | None = None,
    now: datetime = NOW,
) -> tuple[OneOnOneSeries, Meeting | None]:
    async with world.uow() as uow:
        result = await one_on_ones.start(
            uow,
            world.actor(by),
            world.relationship_ids[key],
            cadence=cadence,
            timezone=zone,
            first_meeting_at=first_meeting_at,
            now=now,
        )
        await uow.commit()
    return result


async def start_with_meeting(
    world: World, *, cadence: Cadence | None = None, at: datetime = FIRST
) -> tuple[OneOnOneSeries, Meeting]:
    series, meeting = await start(world, cadence=cadence, first_meeting_at=at)
    assert meeting is not None
    return series, meeting


async def set_cadence(
    world: World, series_id: UUID, cadence: Cadence | None, *, by: str = "ada"
) -> OneOnOneSeries:
    async with world.uow() as uow:
        series = await one_on_ones.set_cadence(uow, world.actor(by), series_id, cadence)
        await uow.commit()
    return series


async def schedule(
    world: World, series_id: UUID, at: datetime, *, by: str = "bob", now: datetime = NOW
) -> Meeting:
    async with world.uow() as uow:
        meeting = await one_on_ones.schedule(
            uow, world.actor(by), series_id, scheduled_at=at, now=now
        )
        await uow.commit()
    return meeting


async def reschedule(
    world: World, meeting_id: UUID, at: datetime, *, by: str = "bob", now: datetime = LATER
) -> Meeting:
    async with world.uow() as uow:
        meeting = await one_on_ones.reschedule(
            uow, world.actor(by), meeting_id, scheduled_at=at, now=now
        )
        await uow.commit()
    return meeting


async def hold(
    world: World, meeting_id: UUID, *, by: str = "bob", now: datetime
) -> tuple[Meeting, Meeting | None]:
    async with world.uow() as uow:
        result = await one_on_ones.hold(uow, world.actor(by), meeting_id, now=now)
        await uow.commit()
    return result


async def cancel(
    world: World, meeting_id: UUID, *, by: str = "ada", now: datetime
) -> tuple[Meeting, Meeting | None]:
    async with world.uow() as uow:
        result = await one_on_ones.cancel(uow, world.actor(by), meeting_id, now=now)
        await uow.commit()
    return result


async def add_item(
    world: World,
    meeting_id: UUID,
    text: str,
    *,
    by: str = "ada",
    goal_id: UUID | None = None,
) -> AgendaItem:
    async with world.uow() as uow:
        item = await one_on_ones.add_agenda_item(
            uow, world.actor(by), meeting_id, text=text, goal_id=goal_id, now=NOW
        )
        await uow.commit()
    return item


async def tick(world: World, item_id: UUID, *, by: str = "bob", done: bool = True) -> AgendaItem:
    async with world.uow() as uow:
        item = await one_on_ones.set_agenda_item_done(uow, world.actor(by), item_id, done=done)
        await uow.commit()
    return item


async def remove(world: World, item_id: UUID, *, by: str = "ada") -> Meeting:
    async with world.uow() as uow:
        meeting = await one_on_ones.remove_agenda_item(uow, world.actor(by), item_id)
        await uow.commit()
    return meeting


async def reorder(
    world: World, meeting_id: UUID, item_ids: list[UUID], *, by: str = "bob"
) -> Meeting:
    async with world.uow() as uow:
        meeting = await one_on_ones.reorder_agenda(uow, world.actor(by), meeting_id, item_ids)
        await uow.commit()
    return meeting


async def add_note(
    world: World, meeting_id: UUID, text: str, *, by: str = "ada", private: bool = False
) -> MeetingNote:
    async with world.uow() as uow:
        note = await one_on_ones.add_note(
            uow, world.actor(by), meeting_id, text=text, private=private, now=LATER
        )
        await uow.commit()
    return note


async def edit_note(world: World, note_id: UUID, text: str, *, by: str = "ada") -> MeetingNote:
    async with world.uow() as uow:
        note = await one_on_ones.edit_note(uow, world.actor(by), note_id, text=text, now=LATEST)
        await uow.commit()
    return note


async def add_action_item(
    world: World,
    meeting_id: UUID,
    *,
    owner: str = "ada",
    owner_id: UUID | None = None,
    by: str = "bob",
    due_on: date | None = None,
) -> ActionItem:
    async with world.uow() as uow:
        item = await one_on_ones.add_action_item(
            uow,
            world.actor(by),
            meeting_id,
            owner_id=world.id(owner) if owner_id is None else owner_id,
            text="  Book   the offsite ",
            due_on=due_on,
            now=LATER,
        )
        await uow.commit()
    return item


async def set_action_item_done(
    world: World, item_id: UUID, *, by: str = "ada", done: bool = True, now: datetime = LATER
) -> ActionItem:
    async with world.uow() as uow:
        item = await one_on_ones.set_action_item_done(
            uow, world.actor(by), item_id, done=done, now=now
        )
        await uow.commit()
    return item


async def raise_point(
    world: World, text: str, key: str = "bob>ada", *, by: str = "ada", now: datetime = LATER
) -> TalkingPoint:
    """`by` turns feedback dee gave them into a talking point for the
    relationship `key` (the way talking points come about)."""
    async with world.uow() as uow:
        feedback = await feedback_items.give(
            uow, world.actor("dee"), subject_id=world.id(by), text="Worth raising.", now=now
        )
        point, _ = await feedback_items.turn_into_talking_point(
            uow,
            world.actor(by),
            feedback.ref,
            relationship_id=world.relationship_ids[key],
            text=text,
            now=now,
        )
        await uow.commit()
    return point


async def end_relationship(
    world: World, key: str = "bob>ada", *, by: str = "ada", now: datetime = LATEST
) -> None:
    async with world.uow() as uow:
        await relationships.end(
            uow, world.actor(by), world.relationship_ids[key], reason="Time to move on.", now=now
        )
        await uow.commit()


def agenda(world: World, meeting_id: UUID) -> list[AgendaItem]:
    items = [i for i in world.tables.agenda_items.values() if i.meeting_id == meeting_id]
    return sorted(items, key=lambda i: i.position)


def texts(world: World, meeting_id: UUID) -> list[str]:
    return [i.text for i in agenda(world, meeting_id)]


def meetings_of(world: World, series_id: UUID) -> list[Meeting]:
    found = [m for m in world.tables.meetings.values() if m.series_id == series_id]
    return sorted(found, key=lambda m: m.scheduled_at)


def state(world: World) -> list[list[dict[str, object]]]:
    """Every 1-on-1 row, to compare before and after a refused change."""
    t = world.tables
    return [
        [dict(vars(row)) for row in table.values()]
        for table in (
            t.one_on_one_series,
            t.meetings,
            t.agenda_items,
            t.meeting_notes,
            t.action_items,
            t.talking_points,
        )
    ]


# -- start ------------------------------------------------------------------------------------


async def test_start(world: World) -> None:
    series, meeting = await start(world, cadence=WEEKLY)
    stored = world.tables.one_on_one_series[series.id]
    assert stored.relationship_id == world.relationship_ids["bob>ada"]
    assert (stored.organization_id, stored.created_by_id) == (
        world.organization.id,
        world.id("bob"),
    )
    assert (stored.cadence, stored.timezone) == (WEEKLY, BERLIN_TZ)
    assert (stored.created_at, stored.ended_at) == (NOW, None)
    assert world.tables.one_on_one_participants[series.id] == tuple(world.ids("bob", "ada"))
    assert meeting is None
    assert world.tables.meetings == {}


@pytest.mark.parametrize(("by", "zone"), [("bob", BERLIN_TZ), ("ada", "UTC")])
async def test_the_timezone_is_the_starters_unless_given(world: World, by: str, zone: str) -> None:
    series, _ = await start(world, by=by)
    assert world.tables.one_on_one_series[series.id].timezone == zone


async def test_start_in_a_given_timezone(world: World) -> None:
    series, _ = await start(world, zone=NEW_YORK_TZ)
    assert world.tables.one_on_one_series[series.id].timezone == NEW_YORK_TZ


async def test_start_in_an_unknown_timezone(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await start(world, zone="Mars/Olympus")
    assert (caught.value.field, caught.value.code) == ("timezone", "INVALID_TIMEZONE")
    assert world.tables.one_on_one_series == {}


async def test_start_with_a_first_meeting(world: World) -> None:
    series, meeting = await start_with_meeting(world)
    stored = world.tables.meetings[meeting.id]
    assert (stored.series_id, stored.scheduled_at, stored.status) == (series.id, FIRST, SCHEDULED)
    assert stored.created_at == NOW


@pytest.mark.parametrize(
    ("at", "code"),
    [(datetime(2026, 3, 10, 10, 0), "INVALID_TIME"), (NOW + timedelta(days=400), "TOO_FAR")],
)
async def test_start_with_a_bad_first_meeting(world: World, at: datetime, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await start(world, first_meeting_at=at)
    assert (caught.value.field, caught.value.code) == ("scheduledAt", code)
    assert world.tables.one_on_one_series == {}
    assert world.tables.meetings == {}


async def test_start_needs_an_active_relationship(world: World) -> None:
    for key, by in (("eve>ada", "ada"), ("eve>ada", "eve")):
        with pytest.raises(Conflict) as caught:
            await start(world, key, by=by)
        assert (caught.value.code, caught.value.field) == ("NOT_ACTIVE", "relationshipId")
    await end_relationship(world, "cy>ada")
    with pytest.raises(Conflict) as caught:
        await start(world, "cy>ada", by="cy")
    assert (caught.value.code, caught.value.field) == ("NOT_ACTIVE", "relationshipId")
    assert world.tables.one_on_one_series == {}


@pytest.mark.parametrize("again_by", ["bob", "ada"])
async def test_one_series_per_relationship(world: World, again_by: str) -> None:
    series, _ = await start(world)
    with pytest.raises(Conflict) as caught:
        await start(world, by=again_by, cadence=MONTHLY)
    assert (caught.value.code, caught.value.field) == ("SERIES_EXISTS", "relationshipId")
    assert list(world.tables.one_on_one_series) == [series.id]
    # Each relationship has its own.
    other, _ = await start(world, "cy>ada", by="ada")
    assert set(world.tables.one_on_one_series) == {series.id, other.id}


@pytest.mark.parametrize("by", ["cy", "dee", "fay"])
async def test_only_the_two_people_start_their_1_on_1s(world: World, by: str) -> None:
    with pytest.raises(NotFound) as caught:
        await start(world, by=by)
    assert caught.value.kind == "Relationship"
    assert world.tables.one_on_one_series == {}


async def test_start_for_an_unknown_or_foreign_relationship(world: World) -> None:
    async with world.uow() as uow:
        with pytest.raises(NotFound):
            await one_on_ones.start(uow, world.actor("ada"), uuid.uuid4(), now=NOW)
    async with world.uows(world.outsider.organization_id) as uow:
        with pytest.raises(NotFound):
            await one_on_ones.start(
                uow,
                Actor(person_id=world.outsider.id, organization_id=world.outsider.organization_id),
                world.relationship_ids["bob>ada"],
                now=NOW,
            )
    assert world.tables.one_on_one_series == {}


# -- cadence, scheduling ----------------------------------------------------------------------


async def test_set_cadence(world: World) -> None:
    series, _ = await start(world)
    await set_cadence(world, series.id, BIWEEKLY, by="ada")
    assert world.tables.one_on_one_series[series.id].cadence is BIWEEKLY
    await set_cadence(world, series.id, None, by="bob")
    assert world.tables.one_on_one_series[series.id].cadence is None


async def test_schedule_and_reschedule(world: World) -> None:
    series, _ = await start(world)
    meeting = await schedule(world, series.id, SECOND, by="ada")
    stored = world.tables.meetings[meeting.id]
    assert (stored.series_id, stored.scheduled_at, stored.status) == (series.id, SECOND, SCHEDULED)
    await reschedule(world, meeting.id, THIRD, by="bob")
    assert world.tables.meetings[meeting.id].scheduled_at == THIRD
    for at, code in (
        (datetime(2026, 3, 20, 10), "INVALID_TIME"),
        (NOW + timedelta(days=400), "TOO_FAR"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            await reschedule(world, meeting.id, at)
        assert caught.value.code == code
        with pytest.raises(ValidationFailed) as caught:
            await schedule(world, series.id, at)
        assert caught.value.code == code
    assert [m.scheduled_at for m in meetings_of(world, series.id)] == [THIRD]


# -- holding, cancelling and the next meeting ------------------------------------------------


async def test_hold_without_a_cadence_proposes_nothing(world: World) -> None:
    series, meeting = await start_with_meeting(world)
    held, upcoming = await hold(world, meeting.id, by="ada", now=AFTER_FIRST)
    stored = world.tables.meetings[meeting.id]
    assert (stored.status, stored.held_at, stored.cancelled_at) == (HELD, AFTER_FIRST, None)
    assert held.id == meeting.id
    assert upcoming is None
    assert meetings_of(world, series.id) == [stored]


@pytest.mark.parametrize(
    ("cadence", "expected"),
    [(WEEKLY, berlin(3, 31)), (BIWEEKLY, berlin(4, 7)), (MONTHLY, berlin(4, 24))],
)
async def test_hold_with_a_cadence_proposes_the_next_meeting(
    world: World, cadence: Cadence, expected: datetime
) -> None:
    """At the same local time in the series' timezone, across the change to
    summer time on March 29."""
    series, meeting = await start_with_meeting(world, cadence=cadence, at=berlin(3, 24))
    _, upcoming = await hold(world, meeting.id, now=berlin(3, 24, 11))
    assert upcoming is not None
    stored = world.tables.meetings[upcoming.id]
    assert (stored.series_id, stored.status) == (series.id, SCHEDULED)
    assert stored.scheduled_at == expected
    assert stored.scheduled_at.astimezone(BERLIN).hour == 10
    assert stored.created_at == berlin(3, 24, 11)
    assert [m.id for m in meetings_of(world, series.id)] == [meeting.id, upcoming.id]


async def test_the_series_timezone_keeps_the_local_time(world: World) -> None:
    series, _ = await start(world, by="ada", zone=NEW_YORK_TZ, cadence=WEEKLY)
    meeting = await schedule(world, series.id, utc(3, 5, 14))  # 09:00 EST
    _, upcoming = await hold(world, meeting.id, now=utc(3, 5, 15))
    assert upcoming is not None
    assert upcoming.scheduled_at == utc(3, 12, 13)  # 09:00 EDT
    assert upcoming.scheduled_at.astimezone(NEW_YORK).hour == 9


async def test_hold_proposes_nothing_when_a_meeting_is_scheduled_later(world: World) -> None:
    series, meeting = await start_with_meeting(world, cadence=WEEKLY)
    later = await schedule(world, series.id, berlin(3, 20, 15))
    _, upcoming = await hold(world, meeting.id, now=AFTER_FIRST)
    assert upcoming is not None
    assert upcoming.id == later.id
    assert [m.id for m in meetings_of(world, series.id)] == [meeting.id, later.id]


async def test_a_meeting_left_scheduled_before_the_held_one_is_not_the_next(
    world: World,
) -> None:
    """hold() proposes a meeting "with a cadence, and nothing scheduled after
    it yet". A meeting still scheduled *before* the held one (never marked
    held) is not after it: the next meeting returned must lie after the held
    one, not a week before it."""
    series, stale = await start_with_meeting(world, cadence=WEEKLY, at=FIRST)
    second = await schedule(world, series.id, SECOND)
    _, upcoming = await hold(world, second.id, now=AFTER_SECOND)
    assert upcoming is not None
    assert upcoming.id != stale.id
    assert upcoming.scheduled_at == THIRD


@pytest.mark.parametrize(
    ("cadence", "first", "held_at", "expected"),
    [
        (WEEKLY, berlin(3, 3), berlin(3, 20, 15), berlin(3, 24)),  # two periods late
        (WEEKLY, berlin(3, 3), berlin(3, 17, 10), berlin(3, 24)),  # right at the next slot
        (WEEKLY, berlin(3, 3), berlin(4, 30, 9), berlin(5, 5)),  # eight weeks late, new DST
        (BIWEEKLY, berlin(3, 3), berlin(4, 1, 12), berlin(4, 14)),
        (MONTHLY, berlin(1, 15), berlin(4, 20, 9), berlin(5, 15)),
    ],
)
async def test_the_next_meeting_is_in_the_future_even_when_held_late(
    world: World, cadence: Cadence, first: datetime, held_at: datetime, expected: datetime
) -> None:
    _, meeting = await start_with_meeting(world, cadence=cadence, at=first)
    _, upcoming = await hold(world, meeting.id, now=held_at)
    assert upcoming is not None
    assert upcoming.scheduled_at > held_at
    assert upcoming.scheduled_at == expected
    assert upcoming.scheduled_at.astimezone(BERLIN).hour == 10


async def test_the_cadence_can_change_between_meetings(world: World) -> None:
    series, meeting = await start_with_meeting(world, cadence=WEEKLY)
    await set_cadence(world, series.id, None)
    _, upcoming = await hold(world, meeting.id, now=AFTER_FIRST)
    assert upcoming is None
    await set_cadence(world, series.id, BIWEEKLY)
    second = await schedule(world, series.id, SECOND)
    _, upcoming = await hold(world, second.id, now=AFTER_SECOND)
    assert upcoming is not None
    assert upcoming.scheduled_at == berlin(3, 31)


async def test_cancel_without_a_cadence_proposes_nothing(world: World) -> None:
    series, meeting = await start_with_meeting(world)
    cancelled, upcoming = await cancel(world, meeting.id, by="ada", now=LATER)
    stored = world.tables.meetings[meeting.id]
    assert (stored.status, stored.cancelled_at, stored.held_at) == (CANCELLED, LATER, None)
    assert cancelled.id == meeting.id
    assert upcoming is None
    assert meetings_of(world, series.id) == [stored]


@pytest.mark.parametrize(
    ("cadence", "expected"),
    [(WEEKLY, berlin(3, 31)), (BIWEEKLY, berlin(4, 7)), (MONTHLY, berlin(4, 24))],
)
async def test_cancel_with_a_cadence_proposes_the_next_meeting(
    world: World, cadence: Cadence, expected: datetime
) -> None:
    """As holding does: the same local time across the change to summer
    time on March 29, after the cancelled meeting's slot."""
    series, meeting = await start_with_meeting(world, cadence=cadence, at=berlin(3, 24))
    _, upcoming = await cancel(world, meeting.id, now=berlin(3, 23, 9))
    assert upcoming is not None
    stored = world.tables.meetings[upcoming.id]
    assert (stored.series_id, stored.status, stored.scheduled_at) == (
        series.id,
        SCHEDULED,
        expected,
    )
    assert stored.scheduled_at.astimezone(BERLIN).hour == 10
    assert [m.id for m in meetings_of(world, series.id)] == [meeting.id, upcoming.id]


async def test_cancel_proposes_nothing_when_a_meeting_is_scheduled_later(world: World) -> None:
    series, meeting = await start_with_meeting(world, cadence=WEEKLY)
    later = await schedule(world, series.id, SECOND)
    _, upcoming = await cancel(world, meeting.id, now=LATER)
    assert upcoming is not None
    assert upcoming.id == later.id
    assert [m.id for m in meetings_of(world, series.id)] == [meeting.id, later.id]


async def test_a_meeting_cancelled_late_proposes_the_next_slot_still_ahead(world: World) -> None:
    _, meeting = await start_with_meeting(world, cadence=WEEKLY, at=berlin(3, 3))
    _, upcoming = await cancel(world, meeting.id, now=berlin(3, 20, 15))
    assert upcoming is not None
    assert upcoming.scheduled_at == berlin(3, 24)


async def test_two_meetings_of_a_series_are_never_scheduled_at_one_time(world: World) -> None:
    series, meeting = await start_with_meeting(world)
    second = await schedule(world, series.id, SECOND)
    before = state(world)
    with pytest.raises(Conflict) as caught:
        await schedule(world, series.id, FIRST)
    assert (caught.value.code, caught.value.field) == ("TIME_TAKEN", "scheduledAt")
    with pytest.raises(Conflict) as caught:
        await reschedule(world, second.id, FIRST)
    assert (caught.value.code, caught.value.field) == ("TIME_TAKEN", "scheduledAt")
    assert state(world) == before
    # Moving a meeting to its own time, or to a cancelled meeting's, is fine.
    await reschedule(world, meeting.id, FIRST)
    await cancel(world, meeting.id, now=LATER)
    await reschedule(world, second.id, FIRST)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("hold", "hold"),
        ("cancel", "hold"),
        ("hold", "cancel"),
        ("cancel", "cancel"),
        ("hold", "reschedule"),
        ("cancel", "reschedule"),
    ],
)
async def test_a_meeting_is_held_or_cancelled_once(world: World, first: str, then: str) -> None:
    _, meeting = await start_with_meeting(world)
    if first == "hold":
        await hold(world, meeting.id, now=AFTER_FIRST)
    else:
        await cancel(world, meeting.id, now=LATER)
    before = state(world)
    with pytest.raises(Conflict) as caught:
        await _change_meeting(world, meeting.id, then)
    assert caught.value.code == "NOT_SCHEDULED"
    assert state(world) == before


async def _change_meeting(world: World, meeting_id: UUID, change: str) -> None:
    if change == "hold":
        await hold(world, meeting_id, now=LATEST)
    elif change == "cancel":
        await cancel(world, meeting_id, now=LATEST)
    else:
        await reschedule(world, meeting_id, SECOND)


# -- carry-over -----------------------------------------------------------------------------


async def _agenda_on_first(world: World, meeting_id: UUID) -> list[AgendaItem]:
    """Retro (ada), Hiring (bob, ticked off), Vacation (ada)."""
    retro = await add_item(world, meeting_id, "Retro", by="ada")
    hiring = await add_item(world, meeting_id, "Hiring", by="bob")
    vacation = await add_item(world, meeting_id, "Vacation", by="ada")
    await tick(world, hiring.id)
    return [retro, hiring, vacation]


async def test_unfinished_items_carry_over_to_the_next_meeting(world: World) -> None:
    series, first = await start_with_meeting(world)
    retro, hiring, vacation = await _agenda_on_first(world, first.id)
    second = await schedule(world, series.id, SECOND)
    budget = await add_item(world, second.id, "Budget", by="bob")
    _, upcoming = await hold(world, first.id, now=AFTER_FIRST)
    assert upcoming is not None
    assert upcoming.id == second.id
    carried = agenda(world, second.id)
    assert [i.text for i in carried] == ["Budget", "Retro", "Vacation"]
    assert [i.position for i in carried] == [0, 1, 2]
    assert [i.carried_from_id for i in carried] == [None, retro.id, vacation.id]
    assert [i.author_id for i in carried] == world.ids("bob", "ada", "ada")
    assert carried[0].id == budget.id
    assert all(not i.done and i.created_at == AFTER_FIRST for i in carried[1:])
    # The held meeting's agenda stays as it was.
    kept = agenda(world, first.id)
    assert [i.id for i in kept] == [retro.id, hiring.id, vacation.id]
    assert [i.done for i in kept] == [False, True, False]


async def test_carry_over_goes_to_the_proposed_meeting(world: World) -> None:
    _, first = await start_with_meeting(world, cadence=WEEKLY)
    await _agenda_on_first(world, first.id)
    _, upcoming = await hold(world, first.id, now=AFTER_FIRST)
    assert upcoming is not None
    assert texts(world, upcoming.id) == ["Retro", "Vacation"]


async def test_a_carried_item_remembers_the_meeting_it_was_first_raised_in(world: World) -> None:
    """Through a chain of carry-overs (held, then cancelled): the original
    meeting, not the one before; new items are raised where they are."""
    _, first = await start_with_meeting(world, cadence=WEEKLY)
    retro, _, _ = await _agenda_on_first(world, first.id)
    assert retro.first_meeting_id == first.id
    _, second = await hold(world, first.id, now=AFTER_FIRST)
    assert second is not None
    budget = await add_item(world, second.id, "Budget", by="bob")
    _, third = await cancel(world, second.id, now=AFTER_SECOND)
    assert third is not None
    carried = agenda(world, third.id)
    assert [(i.text, i.first_meeting_id) for i in carried] == [
        ("Retro", first.id),
        ("Vacation", first.id),
        ("Budget", second.id),
    ]
    assert [i.carried_from_id for i in carried][2] == budget.id
    assert budget.first_meeting_id == second.id


async def test_carry_over_waits_for_a_meeting_to_be_scheduled(world: World) -> None:
    series, first = await start_with_meeting(world)
    retro, _, vacation = await _agenda_on_first(world, first.id)
    _, upcoming = await hold(world, first.id, now=AFTER_FIRST)
    assert upcoming is None
    assert len(world.tables.agenda_items) == 3
    second = await schedule(world, series.id, SECOND, now=berlin(3, 12))
    carried = agenda(world, second.id)
    assert [(i.text, i.carried_from_id) for i in carried] == [
        ("Retro", retro.id),
        ("Vacation", vacation.id),
    ]
    assert all(i.created_at == berlin(3, 12) for i in carried)


@pytest.mark.parametrize("scheduled", [True, False])
async def test_a_cancelled_meetings_items_move_on_too(world: World, scheduled: bool) -> None:
    series, first = await start_with_meeting(world)
    retro, _, vacation = await _agenda_on_first(world, first.id)
    second = await schedule(world, series.id, SECOND) if scheduled else None
    await cancel(world, first.id, now=LATER)
    if second is None:
        assert len(world.tables.agenda_items) == 3
        second = await schedule(world, series.id, SECOND)
    assert [i.carried_from_id for i in agenda(world, second.id)] == [retro.id, vacation.id]
    assert texts(world, first.id) == ["Retro", "Hiring", "Vacation"]


async def test_items_carry_on_meeting_after_meeting_and_only_once(world: World) -> None:
    series, first = await start_with_meeting(world)
    await _agenda_on_first(world, first.id)
    second = await schedule(world, series.id, SECOND)
    await hold(world, first.id, now=AFTER_FIRST)
    retro_2, vacation_2 = agenda(world, second.id)
    await tick(world, vacation_2.id, by="ada")
    # Scheduling more meetings moves nothing twice.
    third = await schedule(world, series.id, THIRD, now=AFTER_FIRST)
    fourth = await schedule(world, series.id, FOURTH, now=AFTER_FIRST)
    assert texts(world, third.id) == texts(world, fourth.id) == []
    await hold(world, second.id, now=AFTER_SECOND)
    (retro_3,) = agenda(world, third.id)
    assert (retro_3.text, retro_3.carried_from_id) == ("Retro", retro_2.id)
    assert texts(world, fourth.id) == []
    assert len(world.tables.agenda_items) == 3 + 2 + 1


async def test_a_carried_over_item_is_ticked_off_not_removed(world: World) -> None:
    """Removing the carried copy would leave the earlier item unfinished,
    to be carried over again the next time the agenda fills: refused."""
    series, first = await start_with_meeting(world)
    await add_item(world, first.id, "Retro", by="ada")
    second = await schedule(world, series.id, SECOND)
    await hold(world, first.id, now=AFTER_FIRST)
    (carried,) = agenda(world, second.id)
    with pytest.raises(Conflict) as caught:
        await remove(world, carried.id, by="ada")
    assert caught.value.code == "CARRIED_OVER"
    assert texts(world, second.id) == ["Retro"]


# -- talking points ---------------------------------------------------------------------------


async def test_a_talking_point_joins_the_next_meeting(world: World) -> None:
    series, first = await start_with_meeting(world)
    await add_item(world, first.id, "Retro", by="bob")
    await schedule(world, series.id, SECOND)
    point = await raise_point(world, "  How I   explain my reviews ", by="ada", now=LATER)
    assert world.tables.talking_points[point.id].placed_at == LATER
    _, placed = agenda(world, first.id)
    assert (placed.text, placed.talking_point_id) == ("How I explain my reviews", point.id)
    assert (placed.author_id, placed.position, placed.created_at) == (world.id("ada"), 1, LATER)
    assert placed.carried_from_id is None


async def test_the_leader_raises_talking_points_too(world: World) -> None:
    _, first = await start_with_meeting(world)
    point = await raise_point(world, "My reviews", by="bob")
    (placed,) = agenda(world, first.id)
    assert (placed.talking_point_id, placed.author_id) == (point.id, world.id("bob"))


async def test_a_talking_point_waits_for_the_1_on_1s_to_start(world: World) -> None:
    early = await raise_point(world, "Early", now=NOW)
    late = await raise_point(world, "Late", by="bob", now=LATER)
    assert world.tables.talking_points[early.id].placed_at is None
    series, _ = await start(world, now=LATEST)
    assert world.tables.talking_points[early.id].placed_at is None
    meeting = await schedule(world, series.id, FIRST, now=LATEST)
    assert [(i.text, i.talking_point_id) for i in agenda(world, meeting.id)] == [
        ("Early", early.id),
        ("Late", late.id),
    ]
    assert world.tables.talking_points[early.id].placed_at == LATEST


async def test_a_talking_point_joins_a_first_meeting(world: World) -> None:
    point = await raise_point(world, "Early", now=NOW)
    _, meeting = await start(world, first_meeting_at=FIRST, now=LATER)
    assert meeting is not None
    assert [i.talking_point_id for i in agenda(world, meeting.id)] == [point.id]
    assert world.tables.talking_points[point.id].placed_at == LATER


async def test_a_talking_point_waits_for_a_meeting_to_be_scheduled(world: World) -> None:
    series, first = await start_with_meeting(world)
    await hold(world, first.id, now=AFTER_FIRST)
    point = await raise_point(world, "After the meeting", now=berlin(3, 11))
    assert world.tables.talking_points[point.id].placed_at is None
    second = await schedule(world, series.id, SECOND, now=berlin(3, 12))
    assert [i.talking_point_id for i in agenda(world, second.id)] == [point.id]
    assert world.tables.talking_points[point.id].placed_at == berlin(3, 12)


async def test_a_talking_point_is_placed_once(world: World) -> None:
    series, first = await start_with_meeting(world)
    point = await raise_point(world, "Once", now=LATER)
    (placed,) = agenda(world, first.id)
    await remove(world, placed.id, by="ada")
    second = await schedule(world, series.id, SECOND, now=LATEST)
    await raise_point(world, "Another", now=LATEST)
    await hold(world, first.id, now=AFTER_FIRST)
    assert texts(world, first.id) == ["Another"]
    assert texts(world, second.id) == ["Another"]
    assert [i for i in world.tables.agenda_items.values() if i.talking_point_id == point.id] == []
    assert world.tables.talking_points[point.id].placed_at == LATER


async def test_an_unfinished_talking_point_carries_over(world: World) -> None:
    series, first = await start_with_meeting(world)
    point = await raise_point(world, "Reviews")
    second = await schedule(world, series.id, SECOND)
    await hold(world, first.id, now=AFTER_FIRST)
    (carried,) = agenda(world, second.id)
    assert (carried.text, carried.talking_point_id) == ("Reviews", point.id)
    assert carried.carried_from_id is not None


async def test_talking_points_stay_in_their_relationship(world: World) -> None:
    coaching = await raise_point(world, "For my coach", "cy>ada")
    fay = await raise_point(world, "For my steward", "bob>fay", by="fay")
    _, meeting = await start_with_meeting(world)
    assert agenda(world, meeting.id) == []
    assert world.tables.talking_points[coaching.id].placed_at is None
    assert world.tables.talking_points[fay.id].placed_at is None


# -- the agenda -------------------------------------------------------------------------------


async def test_add_agenda_items(world: World) -> None:
    series, meeting = await start_with_meeting(world)
    first = await add_item(world, meeting.id, "  The   retro\n", by="ada")
    second = await add_item(world, meeting.id, "Hiring", by="bob")
    stored = agenda(world, meeting.id)
    assert [i.id for i in stored] == [first.id, second.id]
    assert [(i.text, i.position) for i in stored] == [("The retro", 0), ("Hiring", 1)]
    assert [i.author_id for i in stored] == world.ids("ada", "bob")
    assert all(
        (i.series_id, i.organization_id, i.done, i.created_at)
        == (series.id, world.organization.id, False, NOW)
        for i in stored
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [("   ", "REQUIRED"), ("x" * (TEXT_MAX + 1), "TOO_LONG"), ("bell\x07", "INVALID_CHARACTERS")],
)
async def test_agenda_text_is_validated(world: World, text: str, code: str) -> None:
    _, meeting = await start_with_meeting(world)
    with pytest.raises(ValidationFailed) as caught:
        await add_item(world, meeting.id, text)
    assert (caught.value.field, caught.value.code) == ("text", code)
    assert world.tables.agenda_items == {}


async def test_an_item_about_a_goal_its_author_may_read(world: World) -> None:
    _, meeting = await start_with_meeting(world)
    async with world.uow() as uow:
        goal = await goals.create(
            uow, world.actor("ada"), title="Review with care", stage=AutonomyStage.TASKS, now=NOW
        )
        await uow.commit()
    item = await add_item(world, meeting.id, "My goal", by="ada", goal_id=goal.id)
    assert world.tables.agenda_items[item.id].goal_id == goal.id
    with pytest.raises(NotFound) as caught:
        await add_item(world, meeting.id, "Her goal", by="bob", goal_id=goal.id)
    assert caught.value.kind == "Goal"
    with pytest.raises(NotFound):
        await add_item(world, meeting.id, "No goal", by="ada", goal_id=uuid.uuid4())
    async with world.uow() as uow:
        await goals.share(uow, world.actor("ada"), goal.id, audience=Audience.STEWARD, now=NOW)
        await uow.commit()
    shared = await add_item(world, meeting.id, "Her goal", by="bob", goal_id=goal.id)
    assert world.tables.agenda_items[shared.id].goal_id == goal.id


async def test_an_agenda_holds_at_most_100_items(world: World) -> None:
    assert AGENDA_MAX == 100
    _, meeting = await start_with_meeting(world)
    async with world.uow() as uow:
        for n in range(AGENDA_MAX):
            await one_on_ones.add_agenda_item(
                uow, world.actor("ada" if n % 2 else "bob"), meeting.id, text=f"#{n}", now=NOW
            )
        await uow.commit()
    assert [i.position for i in agenda(world, meeting.id)] == list(range(AGENDA_MAX))
    with pytest.raises(LimitExceeded) as caught:
        await add_item(world, meeting.id, "One more")
    assert (caught.value.limit, caught.value.value) == ("AGENDA_ITEMS", AGENDA_MAX)
    assert len(agenda(world, meeting.id)) == AGENDA_MAX


async def test_either_person_ticks_an_item(world: World) -> None:
    _, meeting = await start_with_meeting(world)
    item = await add_item(world, meeting.id, "Retro", by="ada")
    await tick(world, item.id, by="bob")
    assert world.tables.agenda_items[item.id].done
    await tick(world, item.id, by="ada", done=False)
    assert not world.tables.agenda_items[item.id].done


async def test_removing_an_item_closes_the_gap(world: World) -> None:
    _, meeting = await start_with_meeting(world)
    a = await add_item(world, meeting.id, "A", by="ada")
    b = await add_item(world, meeting.id, "B", by="bob")
    c = await add_item(world, meeting.id, "C", by="ada")
    returned = await remove(world, a.id, by="ada")
    assert returned.id == meeting.id
    assert [(i.id, i.position) for i in agenda(world, meeting.id)] == [(b.id, 0), (c.id, 1)]
    assert a.id not in world.tables.agenda_items


async def test_only_its_author_removes_an_item(world: World) -> None:
    _, meeting = await start_with_meeting(world)
    item = await add_item(world, meeting.id, "Mine", by="ada")
    with pytest.raises(Conflict) as caught:
        await remove(world, item.id, by="bob")
    assert caught.value.code == "NOT_AUTHOR"
    assert texts(world, meeting.id) == ["Mine"]


async def test_reorder_the_agenda(world: World) -> None:
    _, meeting = await start_with_meeting(world)
    a, b, c = [await add_item(world, meeting.id, t, by="ada") for t in "ABC"]
    returned = await reorder(world, meeting.id, [c.id, a.id, b.id], by="bob")
    assert returned.id == meeting.id
    assert texts(world, meeting.id) == ["C", "A", "B"]


@pytest.mark.parametrize("wrong", ["missing", "duplicate", "extra", "other meeting"])
async def test_reorder_names_every_item_once(world: World, wrong: str) -> None:
    series, meeting = await start_with_meeting(world)
    a, b = [await add_item(world, meeting.id, t) for t in "AB"]
    other = await add_item(world, (await schedule(world, series.id, SECOND)).id, "X")
    ids = {
        "missing": [b.id],
        "duplicate": [b.id, a.id, a.id],
        "extra": [b.id, a.id, uuid.uuid4()],
        "other meeting": [b.id, a.id, other.id],
    }[wrong]
    with pytest.raises(ValidationFailed) as caught:
        await reorder(world, meeting.id, ids)
    assert (caught.value.field, caught.value.code) == ("itemIds", "NOT_THE_AGENDA")
    assert texts(world, meeting.id) == ["A", "B"]


@pytest.mark.parametrize("how", ["hold", "cancel"])
async def test_only_a_scheduled_meetings_agenda_changes(world: World, how: str) -> None:
    ids = await busy(world)
    if how == "hold":
        await hold(world, ids.meeting_id, now=AFTER_FIRST)
    else:
        await cancel(world, ids.meeting_id, now=LATER)
    before = state(world)
    for action in (
        "add_agenda_item",
        "set_agenda_item_done",
        "remove_agenda_item",
        "reorder_agenda",
    ):
        async with world.uow() as uow:
            with pytest.raises(Conflict) as caught:
                await _attempt(uow, world.actor("ada"), ids, action)
        assert caught.value.code == "NOT_SCHEDULED"
    assert state(world) == before


# -- notes ------------------------------------------------------------------------------------


async def test_notes_shared_and_private(world: World) -> None:
    _, meeting = await start_with_meeting(world)
    shared = await add_note(world, meeting.id, "  Agreed on a plan. ", by="ada")
    private = await add_note(world, meeting.id, "Ask about the move.", by="bob", private=True)
    stored = world.tables.meeting_notes
    assert (stored[shared.id].text, stored[shared.id].private) == ("Agreed on a plan.", False)
    assert (stored[shared.id].author_id, stored[shared.id].created_at) == (world.id("ada"), LATER)
    assert (stored[private.id].private, stored[private.id].author_id) == (True, world.id("bob"))
    assert stored[private.id].meeting_id == meeting.id


async def test_notes_after_the_meeting(world: World) -> None:
    _, meeting = await start_with_meeting(world)
    await hold(world, meeting.id, now=AFTER_FIRST)
    note = await add_note(world, meeting.id, "Went well.")
    assert world.tables.meeting_notes[note.id].meeting_id == meeting.id


async def test_a_note_needs_text(world: World) -> None:
    _, meeting = await start_with_meeting(world)
    with pytest.raises(ValidationFailed) as caught:
        await add_note(world, meeting.id, "   ")
    assert (caught.value.field, caught.value.code) == ("text", "REQUIRED")
    assert world.tables.meeting_notes == {}


@pytest.mark.parametrize("private", [False, True])
async def test_only_its_author_edits_a_note(world: World, private: bool) -> None:
    _, meeting = await start_with_meeting(world)
    note = await add_note(world, meeting.id, "Draft", by="ada", private=private)
    await edit_note(world, note.id, "  Final ", by="ada")
    stored = world.tables.meeting_notes[note.id]
    assert (stored.text, stored.updated_at, stored.created_at) == ("Final", LATEST, LATER)
    with pytest.raises(NotFound) as caught:
        await edit_note(world, note.id, "Mine", by="bob")
    assert caught.value.kind == "MeetingNote"
    assert world.tables.meeting_notes[note.id].text == "Final"


# -- action items -----------------------------------------------------------------------------


@pytest.mark.parametrize(("owner", "by"), [("ada", "bob"), ("bob", "bob"), ("bob", "ada")])
async def test_add_an_action_item(world: World, owner: str, by: str) -> None:
    series, meeting = await start_with_meeting(world)
    item = await add_action_item(world, meeting.id, owner=owner, by=by, due_on=TODAY)
    stored = world.tables.action_items[item.id]
    assert (stored.owner_id, stored.created_by_id) == (world.id(owner), world.id(by))
    assert (stored.series_id, stored.meeting_id) == (series.id, meeting.id)
    assert (stored.text, stored.due_on, stored.created_at) == ("Book the offsite", TODAY, LATER)
    assert stored.is_open


async def test_action_items_after_the_meeting(world: World) -> None:
    _, meeting = await start_with_meeting(world)
    await hold(world, meeting.id, now=AFTER_FIRST)
    item = await add_action_item(world, meeting.id)
    assert world.tables.action_items[item.id].meeting_id == meeting.id


@pytest.mark.parametrize("owner", ["cy", "dee", "fay", "eve", "unknown", "otto"])
async def test_an_action_item_belongs_to_one_of_the_two(world: World, owner: str) -> None:
    _, meeting = await start_with_meeting(world)
    owner_id = {"unknown": uuid.uuid4(), "otto": world.outsider.id}.get(owner)
    with pytest.raises(ValidationFailed) as caught:
        await add_action_item(
            world, meeting.id, owner="ada" if owner_id else owner, owner_id=owner_id
        )
    assert (caught.value.field, caught.value.code) == ("ownerId", "NOT_A_PARTICIPANT")
    assert world.tables.action_items == {}


async def test_either_person_sets_an_action_item_done(world: World) -> None:
    _, meeting = await start_with_meeting(world)
    item = await add_action_item(world, meeting.id, owner="ada")
    await set_action_item_done(world, item.id, by="bob", now=LATER)
    assert world.tables.action_items[item.id].done_at == LATER
    await set_action_item_done(world, item.id, by="ada", now=LATEST)
    assert world.tables.action_items[item.id].done_at == LATER
    await set_action_item_done(world, item.id, by="ada", done=False)
    assert world.tables.action_items[item.id].done_at is None


# -- the end of the relationship ---------------------------------------------------------------


@dataclass
class Busy:
    """A series with a bit of everything: its first meeting, ada's agenda
    item and shared note on it, and an action item for ada."""

    relationship_id: UUID
    series_id: UUID
    meeting_id: UUID
    item_id: UUID
    note_id: UUID
    action_item_id: UUID


async def busy(world: World) -> Busy:
    series, meeting = await start_with_meeting(world, cadence=WEEKLY)
    item = await add_item(world, meeting.id, "Retro", by="ada")
    note = await add_note(world, meeting.id, "Shared", by="ada")
    action = await add_action_item(world, meeting.id, owner="ada", by="ada")
    return Busy(series.relationship_id, series.id, meeting.id, item.id, note.id, action.id)


async def _end(world: World, how: str, now: datetime) -> None:
    if how == "handover":
        # dee takes over as ada's steward: the stewardship with bob ends.
        await relate(world, "dee", "ada", STEWARDSHIP, now=now)
    elif how == "left":
        async with world.uow() as uow:
            await relationships.close_all_of(uow, world.id("ada"), by=world.id("bob"), now=now)
            await uow.commit()
    else:
        await end_relationship(world, by=how, now=now)


@pytest.mark.parametrize("how", ["ada", "bob", "handover", "left"])
async def test_the_series_ends_with_its_relationship(world: World, how: str) -> None:
    series, first = await start_with_meeting(world, cadence=WEEKLY)
    await add_item(world, first.id, "Retro")
    _, second = await hold(world, first.id, now=AFTER_FIRST)
    assert second is not None
    third = await schedule(world, series.id, THIRD, now=AFTER_FIRST)
    await _end(world, how, berlin(3, 12))
    relationship = world.tables.relationships[world.relationship_ids["bob>ada"]]
    assert relationship.status is RelationshipStatus.ENDED
    assert world.tables.one_on_one_series[series.id].ended_at == berlin(3, 12)
    stored = world.tables.meetings
    assert (stored[first.id].status, stored[first.id].held_at) == (HELD, AFTER_FIRST)
    for meeting in (second, third):
        assert (stored[meeting.id].status, stored[meeting.id].cancelled_at) == (
            CANCELLED,
            berlin(3, 12),
        )
    # What was there stays.
    assert texts(world, first.id) == ["Retro"]
    assert texts(world, second.id) == ["Retro"]


async def test_ending_another_relationship_leaves_the_series(world: World) -> None:
    series, meeting = await start_with_meeting(world)
    await end_relationship(world, "cy>ada")
    assert world.tables.one_on_one_series[series.id].is_open
    assert world.tables.meetings[meeting.id].status is SCHEDULED


async def test_a_new_steward_does_not_see_the_old_series(world: World) -> None:
    ids = await busy(world)
    await _end(world, "handover", LATEST)
    for attempt in ("set_cadence", "add_note", "edit_note", "set_action_item_done"):
        async with world.uow() as uow:
            with pytest.raises(NotFound):
                await _attempt(uow, world.actor("dee"), ids, attempt)


CHANGES = [
    "set_cadence",
    "schedule",
    "reschedule",
    "hold",
    "cancel",
    "add_agenda_item",
    "set_agenda_item_done",
    "remove_agenda_item",
    "reorder_agenda",
    "add_note",
    "edit_note",
    "add_action_item",
    "set_action_item_done",
]
EVERY_USE_CASE = ["start", *CHANGES]


async def _attempt(uow: FakeUnitOfWork, actor: Actor, ids: Busy, action: str) -> None:
    if action == "start":
        await one_on_ones.start(uow, actor, ids.relationship_id, now=LATER)
    elif action == "set_cadence":
        await one_on_ones.set_cadence(uow, actor, ids.series_id, MONTHLY)
    elif action == "schedule":
        await one_on_ones.schedule(uow, actor, ids.series_id, scheduled_at=THIRD, now=LATER)
    elif action == "reschedule":
        await one_on_ones.reschedule(uow, actor, ids.meeting_id, scheduled_at=THIRD, now=LATER)
    elif action == "hold":
        await one_on_ones.hold(uow, actor, ids.meeting_id, now=AFTER_FIRST)
    elif action == "cancel":
        await one_on_ones.cancel(uow, actor, ids.meeting_id, now=LATER)
    elif action == "add_agenda_item":
        await one_on_ones.add_agenda_item(uow, actor, ids.meeting_id, text="Mine", now=LATER)
    elif action == "set_agenda_item_done":
        await one_on_ones.set_agenda_item_done(uow, actor, ids.item_id, done=True)
    elif action == "remove_agenda_item":
        await one_on_ones.remove_agenda_item(uow, actor, ids.item_id)
    elif action == "reorder_agenda":
        await one_on_ones.reorder_agenda(uow, actor, ids.meeting_id, [ids.item_id])
    elif action == "add_note":
        await one_on_ones.add_note(
            uow, actor, ids.meeting_id, text="Mine", private=False, now=LATER
        )
    elif action == "edit_note":
        await one_on_ones.edit_note(uow, actor, ids.note_id, text="Mine", now=LATER)
    elif action == "add_action_item":
        await one_on_ones.add_action_item(
            uow, actor, ids.meeting_id, owner_id=actor.person_id, text="Mine", now=LATER
        )
    else:
        await one_on_ones.set_action_item_done(uow, actor, ids.action_item_id, done=True, now=LATER)


@pytest.mark.parametrize("action", CHANGES)
async def test_nothing_changes_once_the_series_ended(world: World, action: str) -> None:
    """What was written stays readable by the two people; nobody changes it
    any more (ada wrote everything in it, so only the end stands in her way)."""
    ids = await busy(world)
    await end_relationship(world)
    before = state(world)
    async with world.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await _attempt(uow, world.actor("ada"), ids, action)
        await uow.commit()
    assert caught.value.code == "SERIES_ENDED"
    assert state(world) == before


async def test_no_new_series_once_the_relationship_ended(world: World) -> None:
    ids = await busy(world)
    await end_relationship(world)
    async with world.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await _attempt(uow, world.actor("bob"), ids, "start")
    assert caught.value.code == "NOT_ACTIVE"


# -- nobody else -------------------------------------------------------------------------------


@pytest.mark.parametrize("ended", [False, True])
@pytest.mark.parametrize("by", ["cy", "dee", "fay", "eve"])
@pytest.mark.parametrize("action", EVERY_USE_CASE)
async def test_outsiders_find_nothing(world: World, action: str, by: str, ended: bool) -> None:
    """ada's coach, someone else bob stewards, someone unrelated, someone
    waiting for ada's answer: to them the series does not exist, whatever
    state it is in."""
    ids = await busy(world)
    if ended:
        await end_relationship(world)
    before = state(world)
    async with world.uow() as uow:
        with pytest.raises(NotFound):
            await _attempt(uow, world.actor(by), ids, action)
        await uow.commit()
    assert state(world) == before


@pytest.mark.parametrize("action", EVERY_USE_CASE)
async def test_another_organization_finds_nothing(world: World, action: str) -> None:
    ids = await busy(world)
    before = state(world)
    otto = Actor(person_id=world.outsider.id, organization_id=world.outsider.organization_id)
    async with world.uows(world.outsider.organization_id) as uow:
        with pytest.raises(NotFound):
            await _attempt(uow, otto, ids, action)
        await uow.commit()
    assert state(world) == before


@pytest.mark.parametrize("action", EVERY_USE_CASE)
async def test_unknown_ids_are_not_found(world: World, action: str) -> None:
    await busy(world)
    unknown = Busy(*(uuid.uuid4() for _ in range(6)))
    before = state(world)
    async with world.uow() as uow:
        with pytest.raises(NotFound):
            await _attempt(uow, world.actor("ada"), unknown, action)
    assert state(world) == before
