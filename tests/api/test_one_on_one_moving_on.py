"""How a 1-on-1 series moves on, through the public API: cancelling a
meeting of a series with a cadence proposes the next one as holding does
(same local time across DST, never a second next meeting, also when many
requests race), two meetings of a series are never scheduled at one moment,
and a carried-over agenda item remembers the meeting it was first raised
in, however many meetings it went through."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from api.context import Services
from api.graphql.ids import decode
from tests.api.harness import GraphQL, Member, Org
from tests.api.one_on_one_helpers import (
    ADD_ITEM,
    CANCEL,
    HOLD,
    RESCHEDULE,
    SCHEDULE,
    SERIES,
    START,
    TICK,
    meeting,
    one_on_one_state,
    started,
    succeed,
)
from tests.api.queries import mutate
from tests.api.relationship_helpers import advance, error, established
from tests.api.test_relationship_concurrency import connections_in_use
from tests.fakes import FakeClock

BERLIN = "Europe/Berlin"


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def pair(org: Org) -> tuple[Member, Member]:
    return await org.add_member("Sam Steward"), await org.add_member("Pia Person")


async def cancel(gql: GraphQL, member: Member, meeting_id: str) -> dict[str, Any]:
    return await succeed(gql, CANCEL, member, "OneOnOneMeetingSuccess", meetingId=meeting_id)


async def hold(gql: GraphQL, member: Member, meeting_id: str) -> dict[str, Any]:
    return await succeed(gql, HOLD, member, "OneOnOneMeetingSuccess", meetingId=meeting_id)


async def add_item(gql: GraphQL, member: Member, meeting_id: str, text: str) -> dict[str, Any]:
    result = await succeed(
        gql, ADD_ITEM, member, "AgendaItemSuccess", meetingId=meeting_id, text=text
    )
    return result["item"]


async def scheduled(gql: GraphQL, viewer: Member, series_id: str) -> list[dict[str, Any]]:
    found = (await gql.data(SERIES, {"id": series_id}, token=viewer.token))["node"]
    return [e["node"] for e in found["meetings"]["edges"] if e["node"]["status"] == "SCHEDULED"]


async def scheduled_in_database(services: Services, series_id: str) -> int:
    async with services.session_factory() as session:
        return (
            await session.execute(
                sa.text(
                    "SELECT count(*) FROM one_on_one_meetings"
                    " WHERE series_id = :s AND status = 'SCHEDULED'"
                ),
                {"s": decode(series_id, "OneOnOneSeries")},
            )
        ).scalar_one()


# == cancelling proposes the next meeting ================================================


@pytest.mark.parametrize(
    ("cadence", "first_local", "expected_local"),
    [
        # Berlin: summer time starts on the last Sunday of March (2026-03-29).
        ("WEEKLY", "2026-03-24T10:00:00+01:00", "2026-03-31T10:00:00+02:00"),
        # ... and ends on the last Sunday of October (2026-10-25).
        ("WEEKLY", "2026-10-20T10:00:00+02:00", "2026-10-27T10:00:00+01:00"),
        ("BIWEEKLY", "2026-03-17T10:00:00+01:00", "2026-03-31T10:00:00+02:00"),
        ("MONTHLY", "2027-01-31T10:00:00+01:00", "2027-02-28T10:00:00+01:00"),
    ],
)
async def test_cancelling_a_meeting_of_a_series_with_a_cadence_proposes_the_next_one(
    gql: GraphQL,
    org: Org,
    clock: FakeClock,
    cadence: str,
    first_local: str,
    expected_local: str,
) -> None:
    first_at, expected = instant(first_local), instant(expected_local)
    advance(clock, max(timedelta(0), first_at - timedelta(days=7) - clock.now()), org)
    leader, follower = await pair(org)
    relationship = await established(gql, leader, follower)
    result = await mutate(
        gql,
        START,
        {
            "relationshipId": relationship["id"],
            "cadence": cadence,
            "timezone": BERLIN,
            "firstMeetingAt": first_at.isoformat(),
        },
        token=leader.token,
    )
    assert result["__typename"] == "OneOnOneSeriesSuccess", result
    series, first = result["series"], result["meeting"]

    result = await cancel(gql, follower, first["id"])

    assert result["meeting"]["status"] == "CANCELLED"
    upcoming = result["nextMeeting"]
    assert upcoming is not None
    assert upcoming["status"] == "SCHEDULED"
    assert instant(upcoming["scheduledAt"]) == expected
    for viewer in (leader, follower):
        assert [m["id"] for m in await scheduled(gql, viewer, series["id"])] == [upcoming["id"]]


async def test_cancelling_proposes_nothing_when_a_later_meeting_is_scheduled_or_without_cadence(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    later_at = clock.now() + timedelta(days=3)
    later = await succeed(
        gql,
        SCHEDULE,
        leader,
        "OneOnOneMeetingSuccess",
        seriesId=series["id"],
        scheduledAt=later_at.isoformat(),
    )

    result = await cancel(gql, leader, first["id"])

    assert result["nextMeeting"]["id"] == later["meeting"]["id"]
    assert [m["id"] for m in await scheduled(gql, leader, series["id"])] == [later["meeting"]["id"]]

    other_leader, other_follower = await pair(org)
    series, first = await started(gql, clock, other_leader, other_follower, cadence=None)
    result = await cancel(gql, other_follower, first["id"])
    assert result["nextMeeting"] is None
    assert await scheduled(gql, other_leader, series["id"]) == []


async def test_a_meeting_cancelled_after_its_time_proposes_the_next_slot_still_ahead(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    first_at = clock.now() + timedelta(days=1)
    _, first = await started(
        gql, clock, leader, follower, cadence="WEEKLY", first_meeting_at=first_at
    )
    advance(clock, timedelta(days=10), org)  # cancelled only afterwards

    result = await cancel(gql, leader, first["id"])

    assert instant(result["nextMeeting"]["scheduledAt"]) == first_at + timedelta(weeks=2)


async def test_unfinished_items_of_a_cancelled_meeting_go_to_the_proposed_one(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    _, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    open_item = await add_item(gql, follower, first["id"], "Conference budget")
    done = await add_item(gql, leader, first["id"], "Welcome")
    await succeed(gql, TICK, leader, "AgendaItemSuccess", itemId=done["id"])

    upcoming = (await cancel(gql, leader, first["id"]))["nextMeeting"]

    (carried,) = upcoming["agenda"]
    assert carried["text"] == "Conference budget"
    assert carried["carriedFrom"] == {"id": first["id"]}
    assert carried["firstRaisedIn"] == {"id": first["id"]}
    assert carried["id"] != open_item["id"]


# == one next meeting, whatever races =====================================================


async def all_at_once(
    gql: GraphQL, requests: list[tuple[str, Member, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Sends every mutation at the same time; each must be an HTTP 200 with a
    typed result and no GraphQL errors."""
    responses = await asyncio.gather(
        *(gql.raw(document, {"input": values}, token=m.token) for document, m, values in requests)
    )
    results = []
    for response in responses:
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        (result,) = body["data"].values()
        results.append(result)
    return results


@pytest.mark.parametrize("count", [2, 20])
async def test_holds_and_cancels_at_once_move_on_once_and_propose_one_next_meeting(
    app: FastAPI, gql: GraphQL, org: Org, clock: FakeClock, services: Services, count: int
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    await add_item(gql, leader, first["id"], "Carry me once")
    advance(clock, timedelta(days=1, hours=1), org)
    requests = [
        (HOLD if n % 2 else CANCEL, leader if n % 3 else follower, {"meetingId": first["id"]})
        for n in range(count)
    ]

    with connections_in_use(app.state.engine) as connections:
        results = await all_at_once(gql, requests)

    if count == 20:
        assert connections.peak >= 10, connections.peak
    outcomes = Counter((r["__typename"], r.get("code")) for r in results)
    assert outcomes == {
        ("OneOnOneMeetingSuccess", None): 1,
        ("ConflictError", "NOT_SCHEDULED"): count - 1,
    }, outcomes
    (winner,) = [r for r in results if r["__typename"] == "OneOnOneMeetingSuccess"]
    assert winner["meeting"]["status"] in {"HELD", "CANCELLED"}
    (upcoming,) = await scheduled(gql, follower, series["id"])
    assert upcoming["id"] == winner["nextMeeting"]["id"]
    assert await scheduled_in_database(services, series["id"]) == 1
    assert [i["text"] for i in (await meeting(gql, leader, upcoming["id"]))["agenda"]] == [
        "Carry me once"
    ]


@pytest.mark.parametrize("count", [2, 20])
async def test_cancelling_every_scheduled_meeting_at_once_leaves_one_next_meeting(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services, count: int
) -> None:
    """Each meeting cancelled at the same time: whichever order the series
    lock gives them, only the last one cancelled finds nothing after it, so
    only one meeting is proposed."""
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    meetings = [first["id"]]
    for n in range(1, count):
        result = await succeed(
            gql,
            SCHEDULE,
            leader,
            "OneOnOneMeetingSuccess",
            seriesId=series["id"],
            scheduledAt=(instant(first["scheduledAt"]) + timedelta(weeks=n)).isoformat(),
        )
        meetings.append(result["meeting"]["id"])

    results = await all_at_once(
        gql,
        [(CANCEL, leader if n % 2 else follower, {"meetingId": m}) for n, m in enumerate(meetings)],
    )

    assert {r["__typename"] for r in results} == {"OneOnOneMeetingSuccess"}
    (upcoming,) = await scheduled(gql, leader, series["id"])
    assert upcoming["id"] not in meetings
    assert instant(upcoming["scheduledAt"]) == instant(first["scheduledAt"]) + timedelta(
        weeks=count
    )
    assert await scheduled_in_database(services, series["id"]) == 1


@pytest.mark.parametrize("count", [2, 20])
async def test_scheduling_one_moment_at_once_schedules_one_meeting(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services, count: int
) -> None:
    leader, follower = await pair(org)
    series, _ = await started(gql, clock, leader, follower, cadence=None)
    moment = (clock.now() + timedelta(days=8)).isoformat()

    results = await all_at_once(
        gql,
        [
            (
                SCHEDULE,
                leader if n % 2 else follower,
                {"seriesId": series["id"], "scheduledAt": moment},
            )
            for n in range(count)
        ],
    )

    outcomes = Counter((r["__typename"], r.get("code"), r.get("field")) for r in results)
    assert outcomes == {
        ("OneOnOneMeetingSuccess", None, None): 1,
        ("ConflictError", "TIME_TAKEN", "scheduledAt"): count - 1,
    }, outcomes
    assert await scheduled_in_database(services, series["id"]) == 2


async def test_a_moment_already_taken_is_refused_and_changes_nothing(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader, follower = await pair(org)
    series, first = await started(gql, clock, leader, follower, cadence=None)
    later_at = clock.now() + timedelta(days=8)
    later = await succeed(
        gql,
        SCHEDULE,
        leader,
        "OneOnOneMeetingSuccess",
        seriesId=series["id"],
        scheduledAt=later_at.isoformat(),
    )
    before = await one_on_one_state(services)

    result = await mutate(
        gql,
        SCHEDULE,
        {"seriesId": series["id"], "scheduledAt": first["scheduledAt"]},
        token=follower.token,
    )
    error(result, "ConflictError", "TIME_TAKEN", "scheduledAt")
    result = await mutate(
        gql,
        RESCHEDULE,
        {"meetingId": later["meeting"]["id"], "scheduledAt": first["scheduledAt"]},
        token=leader.token,
    )
    error(result, "ConflictError", "TIME_TAKEN", "scheduledAt")
    assert await one_on_one_state(services) == before

    # A cancelled meeting's moment is free again.
    await cancel(gql, leader, first["id"])
    result = await mutate(
        gql,
        RESCHEDULE,
        {"meetingId": later["meeting"]["id"], "scheduledAt": first["scheduledAt"]},
        token=leader.token,
    )
    assert result["__typename"] == "OneOnOneMeetingSuccess", result


# == where an item was first raised ========================================================


async def test_a_carried_item_remembers_the_meeting_it_was_first_raised_in(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader, follower = await pair(org)
    outsider = await org.add_member("Olga Outsider")
    _, first = await started(gql, clock, leader, follower, cadence="WEEKLY")
    long_running = await add_item(gql, follower, first["id"], "Long running")
    assert long_running["firstRaisedIn"] == {"id": first["id"]}
    advance(clock, timedelta(days=1, hours=1), org)

    second = (await hold(gql, leader, first["id"]))["nextMeeting"]
    later = await add_item(gql, leader, second["id"], "Raised later")
    third = (await cancel(gql, follower, second["id"]))["nextMeeting"]
    advance(clock, timedelta(days=14), org)
    fourth = (await hold(gql, leader, third["id"]))["nextMeeting"]

    for viewer in (leader, follower):
        agenda = (await meeting(gql, viewer, fourth["id"]))["agenda"]
        assert [(i["text"], i["carriedFrom"], i["firstRaisedIn"]) for i in agenda] == [
            ("Long running", {"id": third["id"]}, {"id": first["id"]}),
            ("Raised later", {"id": third["id"]}, {"id": second["id"]}),
        ]
        # Each meeting's own copy says the same; new items are raised where they are.
        agenda = (await meeting(gql, viewer, second["id"]))["agenda"]
        assert [(i["id"], i["firstRaisedIn"]) for i in agenda] == [
            (agenda[0]["id"], {"id": first["id"]}),
            (later["id"], {"id": second["id"]}),
        ]
    # Nobody else reaches the meetings, nor the items.
    assert await meeting(gql, outsider, fourth["id"]) is None
