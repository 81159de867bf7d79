"""1-on-1s through the public GraphQL API: starting a series for a
relationship, scheduling and holding meetings (with a DST-aware cadence),
the shared agenda and its carry-over, shared and private notes, action
items, what ending the relationship does, refusals that change nothing, and
real concurrent requests. `one_on_one_state` reads the tables directly only
to prove that a refused request changed nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.context import Services
from tests.api.feedback_item_helpers import given, into_talking_point
from tests.api.goal_helpers import created as goal_created
from tests.api.goal_helpers import shared as goal_shared
from tests.api.harness import GraphQL, Member, Org
from tests.api.one_on_one_helpers import (
    ADD_ACTION,
    ADD_ITEM,
    ADD_NOTE,
    CANCEL,
    EDIT_NOTE,
    HOLD,
    MY_SERIES,
    RELATIONSHIP_SERIES,
    REMOVE_ITEM,
    REORDER,
    RESCHEDULE,
    SCHEDULE,
    SERIES,
    SET_ACTION_DONE,
    SET_CADENCE,
    START,
    TICK,
    meeting,
    one_on_one_state,
    started,
    succeed,
)
from tests.api.queries import create_area, missing_id, mutate
from tests.api.relationship_helpers import (
    ACCEPT,
    COACHING,
    END,
    FOLLOWER,
    MENTORSHIP,
    STEWARDSHIP,
    advance,
    error,
    established,
    proposed,
    succeeded,
)
from tests.fakes import FakeClock

BERLIN = "Europe/Berlin"

NOTE_NODE = """
query Note($id: ID!) { node(id: $id) { __typename ... on MeetingNote { id text private } } }
"""


# -- helpers --------------------------------------------------------------------------


def instant(value: str) -> datetime:
    """A time the API returned, as an aware datetime."""
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def move_to(clock: FakeClock, org: Org, when: datetime) -> None:
    """Moves time forward to `when` (tokens refreshed, as a client would)."""
    assert when >= clock.now()
    advance(clock, when - clock.now(), org)


def tick(clock: FakeClock, org: Org) -> None:
    """A moment passes: things written one after the other are listed so."""
    advance(clock, timedelta(seconds=1), org)


async def pair(org: Org) -> tuple[Member, Member]:
    return await org.add_member("Sam Steward"), await org.add_member("Pia Person")


async def start(
    gql: GraphQL, member: Member, relationship_id: str, **values: Any
) -> dict[str, Any]:
    """The typed result of startOneOnOnes."""
    return await mutate(
        gql, START, {"relationshipId": relationship_id, **values}, token=member.token
    )


async def series_node(gql: GraphQL, viewer: Member, series_id: str) -> dict[str, Any] | None:
    return (await gql.data(SERIES, {"id": series_id}, token=viewer.token))["node"]


async def my_series(gql: GraphQL, viewer: Member) -> list[dict[str, Any]]:
    return (await gql.data(MY_SERIES, token=viewer.token))["viewer"]["oneOnOnes"]


async def series_of_relationship(
    gql: GraphQL, viewer: Member, relationship_id: str
) -> dict[str, Any] | None:
    found = (await gql.data(RELATIONSHIP_SERIES, {"id": relationship_id}, token=viewer.token))[
        "node"
    ]
    return None if found is None else found["oneOnOnes"]


def meetings_of(series: dict[str, Any]) -> list[dict[str, Any]]:
    """Latest first, as the API lists them."""
    return [edge["node"] for edge in series["meetings"]["edges"]]


async def agenda(gql: GraphQL, viewer: Member, meeting_id: str) -> list[dict[str, Any]]:
    found = await meeting(gql, viewer, meeting_id)
    assert found is not None
    return found["agenda"]


def texts(items: list[dict[str, Any]]) -> list[str]:
    return [item["text"] for item in items]


def positions(items: list[dict[str, Any]]) -> list[int]:
    return [item["position"] for item in items]


async def add_item(
    gql: GraphQL, member: Member, meeting_id: str, text: str, **values: Any
) -> dict[str, Any]:
    result = await succeed(
        gql, ADD_ITEM, member, "AgendaItemSuccess", meetingId=meeting_id, text=text, **values
    )
    return result["item"]


async def hold(gql: GraphQL, member: Member, meeting_id: str) -> dict[str, Any]:
    """A hold that must succeed: {meeting, nextMeeting}."""
    return await succeed(gql, HOLD, member, "OneOnOneMeetingSuccess", meetingId=meeting_id)


async def schedule(gql: GraphQL, member: Member, series_id: str, at: datetime) -> dict[str, Any]:
    result = await succeed(
        gql,
        SCHEDULE,
        member,
        "OneOnOneMeetingSuccess",
        seriesId=series_id,
        scheduledAt=at.isoformat(),
    )
    return result["meeting"]


async def add_note(
    gql: GraphQL, member: Member, meeting_id: str, text: str, *, private: bool = False
) -> dict[str, Any]:
    result = await succeed(
        gql,
        ADD_NOTE,
        member,
        "MeetingNoteSuccess",
        meetingId=meeting_id,
        text=text,
        private=private,
    )
    return result["note"]


async def add_action(
    gql: GraphQL,
    member: Member,
    meeting_id: str,
    owner: Member,
    text: str = "Draft the guide",
    due_on: date | None = None,
) -> dict[str, Any]:
    result = await succeed(
        gql,
        ADD_ACTION,
        member,
        "ActionItemSuccess",
        meetingId=meeting_id,
        ownerId=owner.id,
        text=text,
        dueOn=due_on.isoformat() if due_on else None,
    )
    return result["item"]


async def end_relationship(gql: GraphQL, member: Member, relationship_id: str) -> None:
    await succeeded(gql, END, member, relationship_id, reason="We are moving on.")


# == 1. series ========================================================================


@pytest.mark.parametrize("kind", [STEWARDSHIP, MENTORSHIP, COACHING])
async def test_either_person_of_an_active_relationship_starts_1_on_1s_both_see(
    gql: GraphQL, org: Org, clock: FakeClock, kind: str
) -> None:
    leader, follower = await pair(org)
    areas = (
        [(await create_area(gql, org.faculty.token, "Data"))["id"]] if kind == MENTORSHIP else None
    )
    relationship = await established(gql, leader, follower, kind=kind, areas=areas)
    first_at = clock.now() + timedelta(days=2)

    result = await start(
        gql, follower, relationship["id"], cadence="WEEKLY", firstMeetingAt=first_at.isoformat()
    )

    assert result["__typename"] == "OneOnOneSeriesSuccess", result
    series, first = result["series"], result["meeting"]
    assert series["relationship"] == {"id": relationship["id"]}
    assert series["cadence"] == "WEEKLY"
    assert series["timezone"] == BERLIN
    assert series["endedAt"] is None
    assert series["withPerson"] == {"id": leader.id}
    assert first["status"] == "SCHEDULED"
    assert instant(first["scheduledAt"]) == first_at
    assert first["agenda"] == []
    assert first["notes"] == []
    assert first["actionItems"] == []
    assert series["nextMeeting"]["id"] == first["id"]

    # The other person sees it on every path, with the starter as the other side.
    (mine,) = await my_series(gql, leader)
    assert mine["id"] == series["id"]
    assert mine["withPerson"] == {"id": follower.id}
    assert mine["nextMeeting"]["id"] == first["id"]
    assert [m["id"] for m in meetings_of(mine)] == [first["id"]]
    assert await series_of_relationship(gql, leader, relationship["id"]) == {"id": series["id"]}
    assert await series_of_relationship(gql, follower, relationship["id"]) == {"id": series["id"]}
    assert (await series_node(gql, leader, series["id"]))["id"] == series["id"]
    assert (await meeting(gql, leader, first["id"]))["series"] == {"id": series["id"]}


async def test_a_series_may_start_without_a_first_meeting(gql: GraphQL, org: Org) -> None:
    leader, follower = await pair(org)
    relationship = await established(gql, leader, follower)

    result = await start(gql, leader, relationship["id"])

    assert result["__typename"] == "OneOnOneSeriesSuccess", result
    assert result["meeting"] is None
    assert result["series"]["cadence"] is None
    assert result["series"]["nextMeeting"] is None
    assert meetings_of(result["series"]) == []


async def test_nobody_else_sees_a_series(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    leader, follower = await pair(org)
    outsider = await org.add_member("Olga Outsider")
    series, first = await started(gql, clock, leader, follower)

    for viewer in (outsider, org.faculty):
        assert await series_node(gql, viewer, series["id"]) is None
        assert await meeting(gql, viewer, first["id"]) is None
        assert await my_series(gql, viewer) == []
        assert await series_of_relationship(gql, viewer, series["relationship"]["id"]) is None


async def test_starting_twice_is_a_conflict(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    series, _ = await started(gql, clock, leader, follower)
    before = await one_on_one_state(services)

    for member in (leader, follower):
        result = await start(gql, member, series["relationship"]["id"], cadence="MONTHLY")
        error(result, "ConflictError", "SERIES_EXISTS", "relationshipId")

    assert await one_on_one_state(services) == before
    assert [s["id"] for s in await my_series(gql, follower)] == [series["id"]]


async def test_1_on_1s_are_only_for_an_active_relationship(
    gql: GraphQL, org: Org, services: Services
) -> None:
    leader, follower = await pair(org)
    offered = await proposed(gql, leader, follower)
    coach = await org.add_member("Cora Coach")
    ended = await established(gql, coach, follower, kind=COACHING)
    await end_relationship(gql, follower, ended["id"])
    before = await one_on_one_state(services)

    for member, relationship_id in (
        (leader, offered["id"]),
        (follower, offered["id"]),
        (coach, ended["id"]),
        (follower, ended["id"]),
    ):
        result = await start(gql, member, relationship_id, cadence="WEEKLY")
        error(result, "ConflictError", "NOT_ACTIVE", "relationshipId")

    assert await one_on_one_state(services) == before


async def test_starting_for_someone_elses_relationship_reads_as_not_found(
    gql: GraphQL, org: Org, make_org: Any, services: Services
) -> None:
    leader, follower = await pair(org)
    relationship = await established(gql, leader, follower)
    outsider = await org.add_member("Olga Outsider")
    elsewhere = await (await make_org("Elsewhere")).add_member("Eve Elsewhere")
    before = await one_on_one_state(services)

    for member in (outsider, org.faculty, elsewhere):
        result = await start(gql, member, relationship["id"])
        error(result, "NotFoundError", "NOT_FOUND")
    error(await start(gql, leader, missing_id("Relationship")), "NotFoundError", "NOT_FOUND")

    assert await one_on_one_state(services) == before


async def test_the_timezone_defaults_to_the_starters(gql: GraphQL, org: Org) -> None:
    steward = await org.add_member("Sam Steward", timezone=BERLIN)
    person = await org.add_member("Nia Newyork", timezone="America/New_York")
    relationship = await established(gql, steward, person)

    result = await start(gql, person, relationship["id"])

    assert result["__typename"] == "OneOnOneSeriesSuccess", result
    assert result["series"]["timezone"] == "America/New_York"


async def test_an_explicit_timezone_is_used_and_an_unknown_one_refused(
    gql: GraphQL, org: Org, services: Services
) -> None:
    leader, follower = await pair(org)
    relationship = await established(gql, leader, follower)
    before = await one_on_one_state(services)

    for bad in ("Mars/Olympus_Mons", "", "CEST+2"):
        result = await start(gql, leader, relationship["id"], timezone=bad)
        error(result, "ValidationError", "INVALID_TIMEZONE", "timezone")
    assert await one_on_one_state(services) == before

    result = await start(gql, leader, relationship["id"], timezone="Asia/Tokyo")
    assert result["__typename"] == "OneOnOneSeriesSuccess", result
    assert result["series"]["timezone"] == "Asia/Tokyo"


async def test_either_person_sets_the_cadence(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    leader, follower = await pair(org)
    series, _ = await started(gql, clock, leader, follower, cadence=None)

    for member, cadence in ((follower, "BIWEEKLY"), (leader, "MONTHLY"), (follower, None)):
        result = await succeed(
            gql,
            SET_CADENCE,
            member,
            "OneOnOneSeriesSuccess",
            seriesId=series["id"],
            cadence=cadence,
        )
        assert result["series"]["cadence"] == cadence
        assert (await series_node(gql, leader, series["id"]))["cadence"] == cadence


# == 2. meetings and cadence ===========================================================


async def test_schedule_reschedule_hold_and_cancel(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence=None)
    second_at = clock.now() + timedelta(days=8)

    second = await schedule(gql, follower, series["id"], second_at)
    assert second["status"] == "SCHEDULED"
    assert instant(second["scheduledAt"]) == second_at
    assert second["series"] == {"id": series["id"]}

    moved_to = clock.now() + timedelta(days=9, hours=2)
    result = await succeed(
        gql,
        RESCHEDULE,
        leader,
        "OneOnOneMeetingSuccess",
        meetingId=second["id"],
        scheduledAt=moved_to.isoformat(),
    )
    assert instant(result["meeting"]["scheduledAt"]) == moved_to
    assert instant((await meeting(gql, follower, second["id"]))["scheduledAt"]) == moved_to

    advance(clock, timedelta(days=1, hours=1), org)
    result = await hold(gql, follower, first["id"])
    assert result["meeting"]["status"] == "HELD"
    assert instant(result["meeting"]["heldAt"]) == clock.now()
    assert result["meeting"]["cancelledAt"] is None
    # No cadence: the meeting already scheduled is the next one.
    assert result["nextMeeting"]["id"] == second["id"]

    result = await succeed(gql, CANCEL, leader, "OneOnOneMeetingSuccess", meetingId=second["id"])
    assert result["meeting"]["status"] == "CANCELLED"
    assert instant(result["meeting"]["cancelledAt"]) == clock.now()
    assert result["meeting"]["heldAt"] is None

    for viewer in (leader, follower):
        found = await series_node(gql, viewer, series["id"])
        assert found["nextMeeting"] is None
        assert [(m["id"], m["status"]) for m in meetings_of(found)] == [
            (second["id"], "CANCELLED"),
            (first["id"], "HELD"),
        ]


@pytest.mark.parametrize(
    ("timezone", "first_local", "expected_local"),
    [
        # Berlin: summer time starts on the last Sunday of March (2026-03-29).
        (BERLIN, "2026-03-24T10:00:00+01:00", "2026-03-31T10:00:00+02:00"),
        # Berlin: summer time ends on the last Sunday of October (2026-10-25).
        (BERLIN, "2026-10-20T10:00:00+02:00", "2026-10-27T10:00:00+01:00"),
        # New York: summer time starts on the second Sunday of March (2026-03-08).
        ("America/New_York", "2026-03-03T10:00:00-05:00", "2026-03-10T10:00:00-04:00"),
    ],
)
async def test_a_weekly_cadence_keeps_the_local_time_across_a_dst_change(
    gql: GraphQL,
    org: Org,
    clock: FakeClock,
    timezone: str,
    first_local: str,
    expected_local: str,
) -> None:
    first_at, expected = datetime.fromisoformat(first_local), datetime.fromisoformat(expected_local)
    move_to(clock, org, max(clock.now(), first_at - timedelta(days=7)))
    leader, follower = await pair(org)
    relationship = await established(gql, leader, follower)
    result = await start(
        gql,
        leader,
        relationship["id"],
        cadence="WEEKLY",
        timezone=timezone,
        firstMeetingAt=first_at.isoformat(),
    )
    assert result["__typename"] == "OneOnOneSeriesSuccess", result
    series, first = result["series"], result["meeting"]
    move_to(clock, org, first_at + timedelta(hours=1))

    result = await hold(gql, follower, first["id"])

    proposed_at = instant(result["nextMeeting"]["scheduledAt"])
    assert proposed_at == expected
    assert proposed_at - first_at != timedelta(weeks=1)  # not simply 168 hours later
    zone = ZoneInfo(timezone)
    before, after = first_at.astimezone(zone), proposed_at.astimezone(zone)
    assert (after.hour, after.minute) == (before.hour, before.minute) == (10, 0)
    assert after.weekday() == before.weekday() == 1  # Tuesday
    assert after.utcoffset() != before.utcoffset()
    assert proposed_at.astimezone(UTC).hour != first_at.astimezone(UTC).hour
    assert result["nextMeeting"]["status"] == "SCHEDULED"
    found = await series_node(gql, leader, series["id"])
    assert found["nextMeeting"]["id"] == result["nextMeeting"]["id"]
    assert instant(found["nextMeeting"]["scheduledAt"]) == expected


@pytest.mark.parametrize(
    ("cadence", "first_local", "expected_local"),
    [
        ("BIWEEKLY", "2026-03-17T10:00:00+01:00", "2026-03-31T10:00:00+02:00"),
        ("BIWEEKLY", "2026-05-05T15:30:00+02:00", "2026-05-19T15:30:00+02:00"),
        ("MONTHLY", "2026-05-15T09:00:00+02:00", "2026-06-15T09:00:00+02:00"),
        ("MONTHLY", "2026-12-15T09:00:00+01:00", "2027-01-15T09:00:00+01:00"),
        ("MONTHLY", "2027-01-31T10:00:00+01:00", "2027-02-28T10:00:00+01:00"),
        ("MONTHLY", "2028-01-31T10:00:00+01:00", "2028-02-29T10:00:00+01:00"),  # leap year
        ("MONTHLY", "2026-03-31T10:00:00+02:00", "2026-04-30T10:00:00+02:00"),
    ],
)
async def test_biweekly_and_monthly_cadences(
    gql: GraphQL, org: Org, clock: FakeClock, cadence: str, first_local: str, expected_local: str
) -> None:
    first_at = datetime.fromisoformat(first_local)
    if first_at - clock.now() > timedelta(days=300):
        move_to(clock, org, first_at - timedelta(days=30))
    leader, follower = await pair(org)
    _, first = await started(
        gql, clock, leader, follower, cadence=cadence, first_meeting_at=first_at
    )
    move_to(clock, org, first_at + timedelta(minutes=45))

    result = await hold(gql, leader, first["id"])

    assert instant(result["nextMeeting"]["scheduledAt"]) == datetime.fromisoformat(expected_local)


async def test_without_a_cadence_holding_proposes_no_next_meeting(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence=None)
    advance(clock, timedelta(days=1, hours=1), org)

    result = await hold(gql, leader, first["id"])

    assert result["nextMeeting"] is None
    found = await series_node(gql, follower, series["id"])
    assert found["nextMeeting"] is None
    assert [m["status"] for m in meetings_of(found)] == ["HELD"]


async def test_holding_with_a_later_meeting_scheduled_adds_no_other(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    later = await schedule(gql, follower, series["id"], clock.now() + timedelta(days=3))
    advance(clock, timedelta(days=1, hours=1), org)

    result = await hold(gql, leader, first["id"])

    assert result["nextMeeting"]["id"] == later["id"]
    found = await series_node(gql, leader, series["id"])
    assert [(m["id"], m["status"]) for m in meetings_of(found)] == [
        (later["id"], "SCHEDULED"),
        (first["id"], "HELD"),
    ]


async def test_a_meeting_left_scheduled_before_the_held_one_is_not_its_next(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    later_at = instant(first["scheduledAt"]) + timedelta(weeks=1)
    later = await schedule(gql, leader, series["id"], later_at)
    await add_item(gql, follower, later["id"], "From the later one")
    move_to(clock, org, later_at + timedelta(hours=1))

    result = await hold(gql, follower, later["id"])

    # The cadence proposes the meeting after the held one, and its items
    # carry forward in time only, never back to the forgotten earlier one.
    upcoming = result["nextMeeting"]
    assert upcoming["id"] != first["id"]
    assert instant(upcoming["scheduledAt"]) == later_at + timedelta(weeks=1)
    assert texts(upcoming["agenda"]) == ["From the later one"]
    assert upcoming["agenda"][0]["carriedFrom"] == {"id": later["id"]}
    assert await agenda(gql, leader, first["id"]) == []


async def test_a_meeting_held_late_proposes_the_next_slot_still_ahead(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    first_at = datetime.fromisoformat("2026-03-03T10:00:00+01:00")
    _, first = await started(
        gql, clock, leader, follower, cadence="WEEKLY", first_meeting_at=first_at
    )
    move_to(clock, org, first_at + timedelta(days=10))  # marked held only ten days later

    result = await hold(gql, follower, first["id"])

    assert instant(result["nextMeeting"]["scheduledAt"]) == first_at + timedelta(weeks=2)


async def test_a_meeting_is_held_or_cancelled_once(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    advance(clock, timedelta(days=1, hours=1), org)
    second = (await hold(gql, leader, first["id"]))["nextMeeting"]
    result = await succeed(gql, CANCEL, follower, "OneOnOneMeetingSuccess", meetingId=second["id"])
    assert result["meeting"]["status"] == "CANCELLED"
    before = await one_on_one_state(services)

    for document in (HOLD, CANCEL):
        for member in (leader, follower):
            for meeting_id in (first["id"], second["id"]):
                result = await mutate(gql, document, {"meetingId": meeting_id}, token=member.token)
                error(result, "ConflictError", "NOT_SCHEDULED")
            result = await mutate(
                gql,
                RESCHEDULE,
                {
                    "meetingId": first["id"],
                    "scheduledAt": (clock.now() + timedelta(days=2)).isoformat(),
                },
                token=member.token,
            )
            error(result, "ConflictError", "NOT_SCHEDULED")

    assert await one_on_one_state(services) == before


async def test_a_time_needs_an_offset_and_must_be_within_a_year(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower)
    before = await one_on_one_state(services)
    naive = (clock.now() + timedelta(days=3)).replace(tzinfo=None).isoformat()
    too_far = (clock.now() + timedelta(days=400)).isoformat()
    long_ago = (clock.now() - timedelta(days=400)).isoformat()

    for value, code in ((naive, "INVALID_TIME"), (too_far, "TOO_FAR"), (long_ago, "TOO_FAR")):
        result = await mutate(
            gql, SCHEDULE, {"seriesId": series["id"], "scheduledAt": value}, token=leader.token
        )
        error(result, "ValidationError", code, "scheduledAt")
        result = await mutate(
            gql, RESCHEDULE, {"meetingId": first["id"], "scheduledAt": value}, token=follower.token
        )
        error(result, "ValidationError", code, "scheduledAt")

    assert await one_on_one_state(services) == before
    # Within the year is fine.
    await schedule(gql, leader, series["id"], clock.now() + timedelta(days=360))


async def test_only_the_two_people_schedule_and_hold(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    outsider = await org.add_member("Olga Outsider")
    series, first = await started(gql, clock, leader, follower)
    before = await one_on_one_state(services)
    at = (clock.now() + timedelta(days=3)).isoformat()

    for member in (outsider, org.faculty):
        for document, values in (
            (SCHEDULE, {"seriesId": series["id"], "scheduledAt": at}),
            (RESCHEDULE, {"meetingId": first["id"], "scheduledAt": at}),
            (HOLD, {"meetingId": first["id"]}),
            (CANCEL, {"meetingId": first["id"]}),
            (SET_CADENCE, {"seriesId": series["id"], "cadence": "MONTHLY"}),
        ):
            result = await mutate(gql, document, values, token=member.token)
            error(result, "NotFoundError", "NOT_FOUND")

    assert await one_on_one_state(services) == before


# == 3. agenda =========================================================================


async def test_either_person_adds_ticks_and_reorders_items(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower)

    a = await add_item(gql, leader, first["id"], "Onboarding guide")
    b = await add_item(gql, follower, first["id"], "  Conference   budget ")
    c = await add_item(gql, leader, first["id"], "Holidays")

    assert positions([a, b, c]) == [0, 1, 2]
    assert b["text"] == "Conference budget"
    assert [i["author"]["id"] for i in (a, b, c)] == [leader.id, follower.id, leader.id]
    assert not any(i["done"] or i["fromTalkingPoint"] or i["carriedFrom"] for i in (a, b, c))
    for viewer in (leader, follower):
        seen = await agenda(gql, viewer, first["id"])
        assert [i["id"] for i in seen] == [a["id"], b["id"], c["id"]]
        assert positions(seen) == [0, 1, 2]

    result = await succeed(gql, TICK, follower, "AgendaItemSuccess", itemId=a["id"], done=True)
    assert result["item"]["done"] is True
    result = await succeed(gql, TICK, leader, "AgendaItemSuccess", itemId=b["id"])
    assert result["item"]["done"] is True
    result = await succeed(gql, TICK, leader, "AgendaItemSuccess", itemId=b["id"], done=False)
    assert result["item"]["done"] is False
    assert [i["done"] for i in await agenda(gql, follower, first["id"])] == [True, False, False]

    result = await succeed(
        gql,
        REORDER,
        follower,
        "OneOnOneMeetingSuccess",
        meetingId=first["id"],
        itemIds=[c["id"], a["id"], b["id"]],
    )
    assert [i["id"] for i in result["meeting"]["agenda"]] == [c["id"], a["id"], b["id"]]
    assert positions(result["meeting"]["agenda"]) == [0, 1, 2]
    for viewer in (leader, follower):
        seen = await agenda(gql, viewer, first["id"])
        assert [i["id"] for i in seen] == [c["id"], a["id"], b["id"]]
        assert positions(seen) == [0, 1, 2]


async def test_a_new_order_names_every_item_exactly_once(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower)
    a = await add_item(gql, leader, first["id"], "One")
    b = await add_item(gql, follower, first["id"], "Two")
    c = await add_item(gql, leader, first["id"], "Three")
    other_meeting = await schedule(gql, leader, series["id"], clock.now() + timedelta(days=5))
    elsewhere = await add_item(gql, leader, other_meeting["id"], "Elsewhere")
    before = await one_on_one_state(services)

    for item_ids in (
        [c["id"], b["id"], missing_id("AgendaItem")],  # unknown
        [c["id"], b["id"], a["id"], missing_id("AgendaItem")],  # unknown extra
        [c["id"], b["id"], elsewhere["id"]],  # another meeting's
        [c["id"], b["id"]],  # missing
        [],  # missing all
        [c["id"], b["id"], a["id"], a["id"]],  # duplicated
        [c["id"], b["id"], b["id"]],  # duplicated instead of one
    ):
        result = await mutate(
            gql, REORDER, {"meetingId": first["id"], "itemIds": item_ids}, token=follower.token
        )
        error(result, "ValidationError", "NOT_THE_AGENDA", "itemIds")

    assert await one_on_one_state(services) == before
    assert [i["id"] for i in await agenda(gql, leader, first["id"])] == [a["id"], b["id"], c["id"]]


async def test_only_the_author_removes_an_item_and_the_others_close_up(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower)
    a = await add_item(gql, leader, first["id"], "One")
    b = await add_item(gql, follower, first["id"], "Two")
    c = await add_item(gql, leader, first["id"], "Three")
    d = await add_item(gql, follower, first["id"], "Four")
    before = await one_on_one_state(services)

    error(
        await mutate(gql, REMOVE_ITEM, {"itemId": a["id"]}, token=follower.token),
        "ConflictError",
        "NOT_AUTHOR",
    )
    error(
        await mutate(gql, REMOVE_ITEM, {"itemId": b["id"]}, token=leader.token),
        "ConflictError",
        "NOT_AUTHOR",
    )
    assert await one_on_one_state(services) == before

    result = await succeed(gql, REMOVE_ITEM, follower, "OneOnOneMeetingSuccess", itemId=b["id"])
    assert [i["id"] for i in result["meeting"]["agenda"]] == [a["id"], c["id"], d["id"]]
    assert positions(result["meeting"]["agenda"]) == [0, 1, 2]
    await succeed(gql, REMOVE_ITEM, leader, "OneOnOneMeetingSuccess", itemId=a["id"])
    for viewer in (leader, follower):
        seen = await agenda(gql, viewer, first["id"])
        assert [i["id"] for i in seen] == [c["id"], d["id"]]
        assert positions(seen) == [0, 1]
    # The next item goes to the end, without a gap.
    e = await add_item(gql, leader, first["id"], "Five")
    assert e["position"] == 2


async def test_unfinished_items_carry_over_when_a_meeting_is_held(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    done = await add_item(gql, leader, first["id"], "Done already")
    open_1 = await add_item(gql, follower, first["id"], "Conference budget")
    open_2 = await add_item(gql, leader, first["id"], "Holidays")
    await succeed(gql, TICK, follower, "AgendaItemSuccess", itemId=done["id"])
    advance(clock, timedelta(days=1, hours=1), org)

    result = await hold(gql, leader, first["id"])

    second = result["nextMeeting"]
    carried = second["agenda"]
    assert texts(carried) == ["Conference budget", "Holidays"]
    assert positions(carried) == [0, 1]
    assert [i["author"]["id"] for i in carried] == [follower.id, leader.id]
    assert all(i["carriedFrom"] == {"id": first["id"]} for i in carried)
    assert not any(i["done"] or i["fromTalkingPoint"] for i in carried)
    assert {i["id"] for i in carried}.isdisjoint({open_1["id"], open_2["id"]})
    for viewer in (leader, follower):
        assert await agenda(gql, viewer, second["id"]) == carried
        # The held meeting's agenda stays as it was.
        held_agenda = await agenda(gql, viewer, first["id"])
        assert [i["id"] for i in held_agenda] == [done["id"], open_1["id"], open_2["id"]]
        assert [i["done"] for i in held_agenda] == [True, False, False]
    # New items go after the carried ones.
    assert (await add_item(gql, follower, second["id"], "New"))["position"] == 2


async def test_unfinished_items_carry_over_when_a_meeting_is_cancelled(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence=None)
    later = await schedule(gql, leader, series["id"], clock.now() + timedelta(days=7))
    await add_item(gql, leader, later["id"], "Already there")
    done = await add_item(gql, leader, first["id"], "Done")
    await add_item(gql, follower, first["id"], "Open")
    await succeed(gql, TICK, leader, "AgendaItemSuccess", itemId=done["id"])

    await succeed(gql, CANCEL, follower, "OneOnOneMeetingSuccess", meetingId=first["id"])

    seen = await agenda(gql, leader, later["id"])
    assert texts(seen) == ["Already there", "Open"]
    assert positions(seen) == [0, 1]
    assert seen[0]["carriedFrom"] is None
    assert seen[1]["carriedFrom"] == {"id": first["id"]}


async def test_carry_over_chains_across_meetings(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    await add_item(gql, leader, first["id"], "Long running")
    await add_item(gql, follower, first["id"], "Settled later")
    advance(clock, timedelta(days=1, hours=1), org)
    second = (await hold(gql, leader, first["id"]))["nextMeeting"]
    advance(clock, timedelta(days=7), org)

    third = (await hold(gql, follower, second["id"]))["nextMeeting"]

    carried = await agenda(gql, follower, third["id"])
    assert texts(carried) == ["Long running", "Settled later"]
    # An item carried twice shows the latest meeting it was on.
    assert all(i["carriedFrom"] == {"id": second["id"]} for i in carried)
    assert positions(carried) == [0, 1]
    # Each meeting keeps its own copy.
    assert texts(await agenda(gql, leader, first["id"])) == ["Long running", "Settled later"]
    assert texts(await agenda(gql, leader, second["id"])) == ["Long running", "Settled later"]

    await succeed(gql, TICK, leader, "AgendaItemSuccess", itemId=carried[1]["id"])
    advance(clock, timedelta(days=7), org)
    fourth = (await hold(gql, leader, third["id"]))["nextMeeting"]

    last = await agenda(gql, leader, fourth["id"])
    assert texts(last) == ["Long running"]
    assert last[0]["carriedFrom"] == {"id": third["id"]}
    assert positions(last) == [0]


async def test_items_wait_for_the_next_meeting_to_be_scheduled(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence=None)
    await add_item(gql, follower, first["id"], "Open")
    done = await add_item(gql, leader, first["id"], "Done")
    await succeed(gql, TICK, follower, "AgendaItemSuccess", itemId=done["id"])
    advance(clock, timedelta(days=1, hours=1), org)
    assert (await hold(gql, leader, first["id"]))["nextMeeting"] is None

    second = await schedule(gql, leader, series["id"], clock.now() + timedelta(days=6))

    assert texts(second["agenda"]) == ["Open"]
    assert second["agenda"][0]["carriedFrom"] == {"id": first["id"]}
    assert second["agenda"][0]["author"] == {"id": follower.id}
    assert texts(await agenda(gql, follower, second["id"])) == ["Open"]
    # Carried once only: a further meeting does not get it again.
    third = await schedule(gql, follower, series["id"], clock.now() + timedelta(days=13))
    assert third["agenda"] == []


async def test_a_carried_over_item_is_ticked_off_not_removed_so_it_never_comes_back(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    peer = await org.add_member("Pete Peer")
    series, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    await add_item(gql, follower, first["id"], "Not worth it any more")
    advance(clock, timedelta(days=1, hours=1), org)
    second = (await hold(gql, leader, first["id"]))["nextMeeting"]
    (carried,) = second["agenda"]
    before = await one_on_one_state(services)

    # Removing it would leave the held meeting's item unfinished and not
    # carried over, so the next refill would bring it back: refused.
    result = await mutate(gql, REMOVE_ITEM, {"itemId": carried["id"]}, token=follower.token)
    error(result, "ConflictError", "CARRIED_OVER")
    assert await one_on_one_state(services) == before

    await succeed(gql, TICK, follower, "AgendaItemSuccess", itemId=carried["id"])
    # Whatever fills the next agenda later (a talking point raised from
    # feedback, another meeting scheduled) adds no copy of it.
    feedback = await given(gql, peer, follower, "Nice talk.")
    result = await into_talking_point(gql, follower, feedback["id"], series["relationship"]["id"])
    assert result["__typename"] == "FeedbackTalkingPointSuccess", result
    seen = await agenda(gql, leader, second["id"])
    assert texts(seen) == ["Not worth it any more", "Pacing"]
    assert [i["done"] for i in seen] == [True, False]
    later = await schedule(gql, leader, series["id"], clock.now() + timedelta(days=20))
    assert later["agenda"] == []
    advance(clock, timedelta(days=7), org)
    third = (await hold(gql, leader, second["id"]))["nextMeeting"]
    assert texts(await agenda(gql, follower, third["id"])) == ["Pacing"]


async def test_a_held_meetings_agenda_is_frozen(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence=None)
    a = await add_item(gql, leader, first["id"], "One")
    b = await add_item(gql, follower, first["id"], "Two")
    cancelled = await schedule(gql, leader, series["id"], clock.now() + timedelta(days=3))
    await succeed(gql, CANCEL, leader, "OneOnOneMeetingSuccess", meetingId=cancelled["id"])
    advance(clock, timedelta(days=1, hours=1), org)
    await hold(gql, follower, first["id"])
    before = await one_on_one_state(services)

    for member in (leader, follower):
        for meeting_id in (first["id"], cancelled["id"]):
            result = await mutate(
                gql, ADD_ITEM, {"meetingId": meeting_id, "text": "Late"}, token=member.token
            )
            error(result, "ConflictError", "NOT_SCHEDULED")
        result = await mutate(
            gql,
            REORDER,
            {"meetingId": first["id"], "itemIds": [b["id"], a["id"]]},
            token=member.token,
        )
        error(result, "ConflictError", "NOT_SCHEDULED")
        for item, author in ((a, leader), (b, follower)):
            result = await mutate(gql, TICK, {"itemId": item["id"]}, token=member.token)
            error(result, "ConflictError", "NOT_SCHEDULED")
            if member is author:
                result = await mutate(gql, REMOVE_ITEM, {"itemId": item["id"]}, token=member.token)
                error(result, "ConflictError", "NOT_SCHEDULED")

    assert await one_on_one_state(services) == before


async def test_agenda_text_is_required(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower)
    before = await one_on_one_state(services)

    for text in ("", "   \n "):
        result = await mutate(
            gql, ADD_ITEM, {"meetingId": first["id"], "text": text}, token=leader.token
        )
        error(result, "ValidationError", "REQUIRED", "text")

    assert await one_on_one_state(services) == before


async def test_a_goal_on_the_agenda_is_one_its_author_may_read(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    outsider = await org.add_member("Olga Outsider")
    _, first = await started(gql, clock, leader, follower)
    private_goal = await goal_created(gql, follower, "Speak at a conference")
    someone_elses = await goal_created(gql, outsider, "Not yours")

    own = await add_item(gql, follower, first["id"], "My talk", goalId=private_goal["id"])
    assert own["goal"] == {"id": private_goal["id"]}
    # The steward may not read the goal: the item is there, the link is not.
    (seen,) = await agenda(gql, leader, first["id"])
    assert seen["id"] == own["id"]
    assert seen["text"] == "My talk"
    assert seen["goal"] is None

    before = await one_on_one_state(services)
    for member, goal_id in (
        (leader, private_goal["id"]),
        (leader, someone_elses["id"]),
        (follower, someone_elses["id"]),
        (follower, missing_id("Goal")),
    ):
        result = await mutate(
            gql,
            ADD_ITEM,
            {"meetingId": first["id"], "text": "About that goal", "goalId": goal_id},
            token=member.token,
        )
        error(result, "NotFoundError", "NOT_FOUND")
    assert await one_on_one_state(services) == before

    # Once shared with the steward, the steward reads it and may put it on the agenda.
    await goal_shared(gql, follower, private_goal["id"], "STEWARD")
    (seen,) = await agenda(gql, leader, first["id"])
    assert seen["goal"] == {"id": private_goal["id"]}
    item = await add_item(gql, leader, first["id"], "Your talk", goalId=private_goal["id"])
    assert item["goal"] == {"id": private_goal["id"]}
    assert item["position"] == 1


async def test_a_talking_point_from_feedback_joins_the_next_meeting(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    peer = await org.add_member("Pete Peer")
    series, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    later = await schedule(gql, leader, series["id"], clock.now() + timedelta(days=9))
    await add_item(gql, leader, first["id"], "Already there")
    item = await given(gql, peer, follower, "You talk too fast in demos.")

    result = await into_talking_point(
        gql, follower, item["id"], series["relationship"]["id"], "Pacing in demos"
    )

    assert result["__typename"] == "FeedbackTalkingPointSuccess", result
    for viewer in (leader, follower):
        seen = await agenda(gql, viewer, first["id"])
        assert texts(seen) == ["Already there", "Pacing in demos"]
        assert positions(seen) == [0, 1]
        # Only its author learns that it came from feedback.
        assert [i["fromTalkingPoint"] for i in seen] == [False, viewer is follower]
        assert seen[1]["author"] == {"id": follower.id}
        assert seen[1]["carriedFrom"] is None
        # Only the next meeting gets it; the feedback itself stays the person's.
        assert await agenda(gql, viewer, later["id"]) == []


async def test_a_talking_point_waits_for_a_meeting_to_be_scheduled(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    peer = await org.add_member("Pete Peer")
    series, first = await started(gql, clock, leader, follower, cadence=None)
    advance(clock, timedelta(days=1, hours=1), org)
    await hold(gql, leader, first["id"])
    item = await given(gql, peer, follower, "Great workshop.")

    result = await into_talking_point(gql, follower, item["id"], series["relationship"]["id"])
    assert result["__typename"] == "FeedbackTalkingPointSuccess", result
    assert await agenda(gql, leader, first["id"]) == []

    second = await schedule(gql, leader, series["id"], clock.now() + timedelta(days=2))

    (point,) = second["agenda"]
    assert point["text"] == "Pacing"
    assert point["fromTalkingPoint"] is False  # to the leader, an item like any other
    assert point["position"] == 0
    assert (await agenda(gql, follower, second["id"]))[0]["fromTalkingPoint"] is True
    assert texts(await agenda(gql, follower, second["id"])) == ["Pacing"]
    # Placed once: a later meeting does not get it again.
    third = await schedule(gql, follower, series["id"], clock.now() + timedelta(days=9))
    assert third["agenda"] == []


async def test_a_talking_point_raised_before_the_series_joins_its_first_meeting(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    peer = await org.add_member("Pete Peer")
    relationship = await established(gql, leader, follower)
    item = await given(gql, peer, follower, "Great workshop.")
    result = await into_talking_point(gql, follower, item["id"], relationship["id"], "Workshops")
    assert result["__typename"] == "FeedbackTalkingPointSuccess", result

    result = await start(
        gql,
        leader,
        relationship["id"],
        firstMeetingAt=(clock.now() + timedelta(days=1)).isoformat(),
    )

    assert result["__typename"] == "OneOnOneSeriesSuccess", result
    (point,) = await agenda(gql, follower, result["meeting"]["id"])
    assert (point["text"], point["fromTalkingPoint"]) == ("Workshops", True)


# == 4. notes ==========================================================================


async def test_shared_notes_are_read_by_both_and_private_ones_by_their_author_only(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower)

    shared = await add_note(gql, leader, first["id"], "We agreed on a budget.")
    assert instant(shared["createdAt"]) == clock.now() == instant(shared["updatedAt"])
    tick(clock, org)
    mine = await add_note(gql, follower, first["id"], "I felt rushed.", private=True)
    tick(clock, org)
    theirs = await add_note(gql, leader, first["id"], "Ask about the move.", private=True)

    assert shared["private"] is False
    assert shared["author"] == {"id": leader.id}
    assert mine["private"] is True
    assert mine["author"] == {"id": follower.id}

    seen_by_leader = (await meeting(gql, leader, first["id"]))["notes"]
    seen_by_follower = (await meeting(gql, follower, first["id"]))["notes"]
    assert [n["id"] for n in seen_by_leader] == [shared["id"], theirs["id"]]
    assert [n["id"] for n in seen_by_follower] == [shared["id"], mine["id"]]
    assert "I felt rushed." not in str(seen_by_leader)
    assert "Ask about the move." not in str(seen_by_follower)

    async def note_node(viewer: Member, note_id: str) -> dict[str, Any] | None:
        return (await gql.data(NOTE_NODE, {"id": note_id}, token=viewer.token))["node"]

    assert (await note_node(follower, shared["id"]))["text"] == "We agreed on a budget."
    assert (await note_node(follower, mine["id"]))["text"] == "I felt rushed."
    assert await note_node(leader, mine["id"]) is None
    assert await note_node(follower, theirs["id"]) is None
    assert await note_node(org.faculty, shared["id"]) is None


async def test_notes_can_be_written_after_the_meeting(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower)
    advance(clock, timedelta(days=1, hours=1), org)
    await hold(gql, leader, first["id"])

    note = await add_note(gql, follower, first["id"], "Follow-up thoughts.")

    assert [n["id"] for n in (await meeting(gql, leader, first["id"]))["notes"]] == [note["id"]]


async def test_only_the_author_edits_a_note(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    outsider = await org.add_member("Olga Outsider")
    _, first = await started(gql, clock, leader, follower)
    shared = await add_note(gql, leader, first["id"], "First draft.")
    private = await add_note(gql, leader, first["id"], "Mine.", private=True)
    before = await one_on_one_state(services)

    for member in (follower, outsider, org.faculty):
        for note in (shared, private):
            result = await mutate(
                gql, EDIT_NOTE, {"noteId": note["id"], "text": "Hijacked"}, token=member.token
            )
            error(result, "NotFoundError", "NOT_FOUND")
    result = await mutate(
        gql, EDIT_NOTE, {"noteId": missing_id("MeetingNote"), "text": "x"}, token=leader.token
    )
    error(result, "NotFoundError", "NOT_FOUND")
    assert await one_on_one_state(services) == before
    assert [n["text"] for n in (await meeting(gql, follower, first["id"]))["notes"]] == [
        "First draft."
    ]

    advance(clock, timedelta(minutes=5), org)
    result = await succeed(
        gql, EDIT_NOTE, leader, "MeetingNoteSuccess", noteId=shared["id"], text="Final version."
    )
    assert result["note"]["text"] == "Final version."
    assert instant(result["note"]["updatedAt"]) == clock.now()
    assert instant(result["note"]["createdAt"]) == instant(shared["createdAt"])
    assert [n["text"] for n in (await meeting(gql, follower, first["id"]))["notes"]] == [
        "Final version."
    ]


async def test_a_note_needs_text(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower)
    note = await add_note(gql, follower, first["id"], "Something.")
    before = await one_on_one_state(services)

    for text in ("", "  \n\t "):
        for private in (False, True):
            result = await mutate(
                gql,
                ADD_NOTE,
                {"meetingId": first["id"], "text": text, "private": private},
                token=leader.token,
            )
            error(result, "ValidationError", "REQUIRED", "text")
        result = await mutate(
            gql, EDIT_NOTE, {"noteId": note["id"], "text": text}, token=follower.token
        )
        error(result, "ValidationError", "REQUIRED", "text")

    assert await one_on_one_state(services) == before


# == 5. action items ===================================================================


async def test_an_action_item_belongs_to_either_person(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower)

    for_follower = await add_action(gql, leader, first["id"], follower, "Draft the guide")
    tick(clock, org)
    for_leader = await add_action(gql, follower, first["id"], leader, "Book the room")
    tick(clock, org)
    own = await add_action(gql, follower, first["id"], follower, "Read the book")

    assert for_follower["owner"] == {"id": follower.id}
    assert for_follower["createdBy"] == {"id": leader.id}
    assert for_leader["owner"] == {"id": leader.id}
    assert own["owner"] == own["createdBy"] == {"id": follower.id}
    assert for_follower["meeting"] == {"id": first["id"]}
    assert for_follower["done"] is False
    assert for_follower["doneAt"] is None
    for viewer in (leader, follower):
        found = await meeting(gql, viewer, first["id"])
        assert [i["id"] for i in found["actionItems"]] == [
            for_follower["id"],
            for_leader["id"],
            own["id"],
        ]


async def test_an_action_item_owner_outside_the_pair_is_refused(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    third = await org.add_member("Theo Third")
    _, first = await started(gql, clock, leader, follower)
    before = await one_on_one_state(services)

    for member in (leader, follower):
        for owner_id in (third.id, org.faculty.id, missing_id("Person")):
            result = await mutate(
                gql,
                ADD_ACTION,
                {"meetingId": first["id"], "ownerId": owner_id, "text": "Do it"},
                token=member.token,
            )
            error(result, "ValidationError", "NOT_A_PARTICIPANT", "ownerId")

    assert await one_on_one_state(services) == before


async def test_open_action_items_stay_with_the_series_until_done(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    today = clock.now().date()
    undated = await add_action(gql, leader, first["id"], follower, "Undated")
    later = await add_action(
        gql, leader, first["id"], follower, "Later", today + timedelta(days=20)
    )
    sooner = await add_action(
        gql, follower, first["id"], leader, "Sooner", today + timedelta(days=5)
    )
    advance(clock, timedelta(days=1, hours=1), org)
    second = (await hold(gql, leader, first["id"]))["nextMeeting"]
    advance(clock, timedelta(days=7), org)
    third = (await hold(gql, follower, second["id"]))["nextMeeting"]

    # Soonest due first, undated last; in the series across meetings.
    for viewer in (leader, follower):
        found = await series_node(gql, viewer, series["id"])
        assert [i["id"] for i in found["openActionItems"]] == [
            sooner["id"],
            later["id"],
            undated["id"],
        ]
    # The items stay with the meeting they were agreed in.
    assert (await meeting(gql, leader, third["id"]))["actionItems"] == []

    result = await succeed(
        gql, SET_ACTION_DONE, leader, "ActionItemSuccess", itemId=sooner["id"], done=True
    )
    assert result["item"]["done"] is True
    assert instant(result["item"]["doneAt"]) == clock.now()

    found = await series_node(gql, follower, series["id"])
    assert [i["id"] for i in found["openActionItems"]] == [later["id"], undated["id"]]
    done_items = [
        i for i in (await meeting(gql, follower, first["id"]))["actionItems"] if i["done"]
    ]
    assert [i["id"] for i in done_items] == [sooner["id"]]


async def test_an_action_item_is_overdue_once_the_clock_passes_its_due_date(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower)
    due_on = clock.now().date() + timedelta(days=2)
    item = await add_action(gql, leader, first["id"], follower, "Send the draft", due_on)
    assert item["dueOn"] == due_on.isoformat()
    assert item["overdue"] is False

    async def overdue(viewer: Member) -> bool:
        (found,) = (await series_node(gql, viewer, series["id"]))["openActionItems"]
        return found["overdue"]

    move_to(clock, org, datetime.combine(due_on, datetime.min.time(), UTC) + timedelta(hours=20))
    assert await overdue(follower) is False  # the due day itself is not overdue
    advance(clock, timedelta(hours=5), org)
    assert await overdue(follower) is True
    assert await overdue(leader) is True

    # Done is never overdue; reopened, it is again.
    result = await succeed(gql, SET_ACTION_DONE, follower, "ActionItemSuccess", itemId=item["id"])
    assert result["item"]["overdue"] is False
    result = await succeed(
        gql, SET_ACTION_DONE, leader, "ActionItemSuccess", itemId=item["id"], done=False
    )
    assert result["item"]["overdue"] is True


async def test_either_person_marks_an_action_item_done_and_reopens_it(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    outsider = await org.add_member("Olga Outsider")
    series, first = await started(gql, clock, leader, follower)
    item = await add_action(gql, leader, first["id"], leader, "Book the room")

    advance(clock, timedelta(minutes=3), org)
    result = await succeed(gql, SET_ACTION_DONE, follower, "ActionItemSuccess", itemId=item["id"])
    assert result["item"]["done"] is True
    done_at = instant(result["item"]["doneAt"])
    assert done_at == clock.now()
    # Marking done again keeps when it was done.
    advance(clock, timedelta(minutes=3), org)
    result = await succeed(gql, SET_ACTION_DONE, leader, "ActionItemSuccess", itemId=item["id"])
    assert instant(result["item"]["doneAt"]) == done_at
    assert (await series_node(gql, leader, series["id"]))["openActionItems"] == []

    result = await succeed(
        gql, SET_ACTION_DONE, leader, "ActionItemSuccess", itemId=item["id"], done=False
    )
    assert result["item"]["done"] is False
    assert result["item"]["doneAt"] is None
    found = await series_node(gql, follower, series["id"])
    assert [i["id"] for i in found["openActionItems"]] == [item["id"]]

    before = await one_on_one_state(services)
    for member in (outsider, org.faculty):
        result = await mutate(gql, SET_ACTION_DONE, {"itemId": item["id"]}, token=member.token)
        error(result, "NotFoundError", "NOT_FOUND")
    assert await one_on_one_state(services) == before


# == 6. ending =========================================================================


async def test_ending_the_relationship_ends_the_series_and_keeps_its_history(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    relationship_id = series["relationship"]["id"]
    await add_item(gql, leader, first["id"], "Discussed")
    shared = await add_note(gql, leader, first["id"], "Shared note.")
    tick(clock, org)
    leader_private = await add_note(gql, leader, first["id"], "Leader only.", private=True)
    tick(clock, org)
    follower_private = await add_note(gql, follower, first["id"], "Follower only.", private=True)
    action = await add_action(gql, leader, first["id"], follower, "Write it up")
    advance(clock, timedelta(days=1, hours=1), org)
    second = (await hold(gql, follower, first["id"]))["nextMeeting"]
    third = await schedule(gql, leader, series["id"], clock.now() + timedelta(days=20))
    (carried,) = await agenda(gql, leader, second["id"])
    advance(clock, timedelta(minutes=10), org)

    await end_relationship(gql, follower, relationship_id)

    ended_at = clock.now()
    for viewer, own_private in ((leader, leader_private), (follower, follower_private)):
        found = await series_node(gql, viewer, series["id"])
        assert instant(found["endedAt"]) == ended_at
        assert found["nextMeeting"] is None
        assert {m["id"]: m["status"] for m in meetings_of(found)} == {
            first["id"]: "HELD",
            second["id"]: "CANCELLED",
            third["id"]: "CANCELLED",
        }
        for cancelled_id in (second["id"], third["id"]):
            cancelled = await meeting(gql, viewer, cancelled_id)
            assert cancelled["status"] == "CANCELLED"
            assert instant(cancelled["cancelledAt"]) == ended_at
        held = await meeting(gql, viewer, first["id"])
        assert held["status"] == "HELD"
        assert texts(held["agenda"]) == ["Discussed"]
        assert [n["id"] for n in held["notes"]] == [shared["id"], own_private["id"]]
        assert [i["id"] for i in held["actionItems"]] == [action["id"]]
        assert [s["id"] for s in await my_series(gql, viewer)] == [series["id"]]
        assert await series_of_relationship(gql, viewer, relationship_id) == {"id": series["id"]}

    before = await one_on_one_state(services)
    at = (clock.now() + timedelta(days=2)).isoformat()
    own_notes = {leader.id: shared["id"], follower.id: follower_private["id"]}
    for member in (leader, follower):
        refusals: list[tuple[str, dict[str, Any]]] = [
            (SCHEDULE, {"seriesId": series["id"], "scheduledAt": at}),
            (RESCHEDULE, {"meetingId": second["id"], "scheduledAt": at}),
            (HOLD, {"meetingId": second["id"]}),
            (CANCEL, {"meetingId": third["id"]}),
            (SET_CADENCE, {"seriesId": series["id"], "cadence": "MONTHLY"}),
            (ADD_ACTION, {"meetingId": first["id"], "ownerId": leader.id, "text": "More"}),
            (ADD_ACTION, {"meetingId": second["id"], "ownerId": leader.id, "text": "More"}),
            (ADD_NOTE, {"meetingId": first["id"], "text": "Afterthought"}),
            (ADD_NOTE, {"meetingId": first["id"], "text": "Afterthought", "private": True}),
            (EDIT_NOTE, {"noteId": own_notes[member.id], "text": "Rewritten history"}),
        ]
        for document, values in refusals:
            result = await mutate(gql, document, values, token=member.token)
            error(result, "ConflictError", "SERIES_ENDED")
        agenda_changes: list[tuple[str, dict[str, Any]]] = [
            (ADD_ITEM, {"meetingId": second["id"], "text": "Late"}),
            (ADD_ITEM, {"meetingId": first["id"], "text": "Late"}),
            (TICK, {"itemId": carried["id"]}),
            (REORDER, {"meetingId": second["id"], "itemIds": [carried["id"]]}),
        ]
        for document, values in agenda_changes:
            result = await mutate(gql, document, values, token=member.token)
            assert result["__typename"] == "ConflictError", (document, result)
            assert result["code"] in ("SERIES_ENDED", "NOT_SCHEDULED"), result
        error(
            await start(gql, member, relationship_id, cadence="WEEKLY"),
            "ConflictError",
            "NOT_ACTIVE",
            "relationshipId",
        )
    assert await one_on_one_state(services) == before


async def test_action_items_of_an_ended_series_are_frozen_too(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower)
    still_open = await add_action(gql, leader, first["id"], follower, "Write it up")
    done = await add_action(gql, follower, first["id"], leader, "Book the room")
    await succeed(gql, SET_ACTION_DONE, leader, "ActionItemSuccess", itemId=done["id"])
    await end_relationship(gql, leader, series["relationship"]["id"])
    before = await one_on_one_state(services)

    for member in (leader, follower):
        for item_id, value in ((still_open["id"], True), (done["id"], False)):
            result = await mutate(
                gql, SET_ACTION_DONE, {"itemId": item_id, "done": value}, token=member.token
            )
            error(result, "ConflictError", "SERIES_ENDED")

    assert await one_on_one_state(services) == before
    found = await series_node(gql, follower, series["id"])
    assert [i["id"] for i in found["openActionItems"]] == [still_open["id"]]


async def test_a_stewardship_handover_ends_the_old_series(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    old, person = await pair(org)
    new = await org.add_member("Nina New")
    series, first = await started(gql, clock, old, person)
    note = await add_note(gql, person, first["id"], "Shared with Sam.")
    ask = await proposed(gql, person, new, side=FOLLOWER)
    advance(clock, timedelta(minutes=5), org)

    await succeeded(gql, ACCEPT, new, ask["id"])

    for viewer in (old, person):
        found = await series_node(gql, viewer, series["id"])
        assert instant(found["endedAt"]) == clock.now()
        assert [m["status"] for m in meetings_of(found)] == ["CANCELLED"]
        assert [n["id"] for n in (await meeting(gql, viewer, first["id"]))["notes"]] == [note["id"]]
    # The new steward never reads the old 1-on-1s.
    assert await series_node(gql, new, series["id"]) is None
    assert await meeting(gql, new, first["id"]) is None
    error(
        await mutate(
            gql,
            SCHEDULE,
            {
                "seriesId": series["id"],
                "scheduledAt": (clock.now() + timedelta(days=1)).isoformat(),
            },
            token=old.token,
        ),
        "ConflictError",
        "SERIES_ENDED",
    )


# == 7. bad input changes nothing ======================================================


async def test_bad_input_gets_a_typed_error_and_changes_nothing(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    third = await org.add_member("Theo Third")
    _, first = await started(gql, clock, leader, follower)
    item = await add_item(gql, leader, first["id"], "One")
    await add_item(gql, follower, first["id"], "Two")
    other_leader, other_follower = await org.add_member(), await org.add_member()
    ended_series, ended_meeting = await started(gql, clock, other_leader, other_follower)
    await end_relationship(gql, other_leader, ended_series["relationship"]["id"])
    at = (clock.now() + timedelta(days=3)).isoformat()
    before = await one_on_one_state(services)

    cases: list[tuple[Member, str, dict[str, Any], str, str, str | None]] = [
        # A meeting for an ended relationship.
        (
            other_leader,
            SCHEDULE,
            {"seriesId": ended_series["id"], "scheduledAt": at},
            "ConflictError",
            "SERIES_ENDED",
            None,
        ),
        # A note on someone else's series.
        (
            third,
            ADD_NOTE,
            {"meetingId": first["id"], "text": "Nosy"},
            "NotFoundError",
            "NOT_FOUND",
            None,
        ),
        (
            third,
            ADD_NOTE,
            {"meetingId": first["id"], "text": "Nosy", "private": True},
            "NotFoundError",
            "NOT_FOUND",
            None,
        ),
        (
            org.faculty,
            ADD_NOTE,
            {"meetingId": first["id"], "text": "Faculty"},
            "NotFoundError",
            "NOT_FOUND",
            None,
        ),
        (
            leader,
            ADD_NOTE,
            {"meetingId": ended_meeting["id"], "text": "Not mine"},
            "NotFoundError",
            "NOT_FOUND",
            None,
        ),
        # Anything else on someone else's series.
        (
            third,
            ADD_ITEM,
            {"meetingId": first["id"], "text": "x"},
            "NotFoundError",
            "NOT_FOUND",
            None,
        ),
        (third, TICK, {"itemId": item["id"]}, "NotFoundError", "NOT_FOUND", None),
        (third, REMOVE_ITEM, {"itemId": item["id"]}, "NotFoundError", "NOT_FOUND", None),
        (
            third,
            REORDER,
            {"meetingId": first["id"], "itemIds": [item["id"]]},
            "NotFoundError",
            "NOT_FOUND",
            None,
        ),
        (
            third,
            ADD_ACTION,
            {"meetingId": first["id"], "ownerId": third.id, "text": "x"},
            "NotFoundError",
            "NOT_FOUND",
            None,
        ),
        # An action item owner outside the pair.
        (
            leader,
            ADD_ACTION,
            {"meetingId": first["id"], "ownerId": third.id, "text": "x"},
            "ValidationError",
            "NOT_A_PARTICIPANT",
            "ownerId",
        ),
        # Reordering with unknown items.
        (
            follower,
            REORDER,
            {"meetingId": first["id"], "itemIds": [item["id"], missing_id("AgendaItem")]},
            "ValidationError",
            "NOT_THE_AGENDA",
            "itemIds",
        ),
        # Meetings that do not exist.
        (
            leader,
            ADD_ITEM,
            {"meetingId": missing_id("OneOnOneMeeting"), "text": "x"},
            "NotFoundError",
            "NOT_FOUND",
            None,
        ),
        (
            leader,
            SCHEDULE,
            {"seriesId": missing_id("OneOnOneSeries"), "scheduledAt": at},
            "NotFoundError",
            "NOT_FOUND",
            None,
        ),
    ]
    for member, document, values, typename, code, field in cases:
        result = await mutate(gql, document, values, token=member.token)
        error(result, typename, code, field)

    assert await one_on_one_state(services) == before
    assert (await meeting(gql, leader, first["id"]))["notes"] == []


# == 8. concurrency ====================================================================


async def test_concurrent_agenda_items_get_positions_0_to_9(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower)

    results = await asyncio.gather(
        *(
            mutate(
                gql,
                ADD_ITEM,
                {"meetingId": first["id"], "text": f"Item {n}"},
                token=(leader if n % 2 else follower).token,
            )
            for n in range(10)
        )
    )

    assert [r["__typename"] for r in results] == ["AgendaItemSuccess"] * 10, results
    assert sorted(r["item"]["position"] for r in results) == list(range(10))
    seen = await agenda(gql, leader, first["id"])
    assert positions(seen) == list(range(10))
    assert sorted(texts(seen)) == sorted(f"Item {n}" for n in range(10))
    assert {i["id"] for i in seen} == {r["item"]["id"] for r in results}


async def test_concurrent_holds_hold_once_and_propose_one_next_meeting(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    await add_item(gql, leader, first["id"], "Carry me")
    advance(clock, timedelta(days=1, hours=1), org)

    results = await asyncio.gather(
        mutate(gql, HOLD, {"meetingId": first["id"]}, token=leader.token),
        mutate(gql, HOLD, {"meetingId": first["id"]}, token=follower.token),
    )

    kinds = sorted(r["__typename"] for r in results)
    assert kinds == ["ConflictError", "OneOnOneMeetingSuccess"], results
    (loser,) = [r for r in results if r["__typename"] == "ConflictError"]
    error(loser, "ConflictError", "NOT_SCHEDULED")
    (winner,) = [r for r in results if r["__typename"] == "OneOnOneMeetingSuccess"]
    found = await series_node(gql, leader, series["id"])
    listed = meetings_of(found)
    assert [m["status"] for m in listed] == ["SCHEDULED", "HELD"]
    assert listed[0]["id"] == winner["nextMeeting"]["id"] == found["nextMeeting"]["id"]
    (carried,) = await agenda(gql, follower, listed[0]["id"])
    assert carried["text"] == "Carry me"
