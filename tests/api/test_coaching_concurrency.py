"""No double booking, ever, under real parallel requests: the requests run at
the same time through the app (its pool holds 10 + 10 connections, so
PostgreSQL sees them side by side). Every loser gets a typed error, never
an HTTP 500, a GraphQL `errors` array or a raw database error; the rows in
the database are counted afterwards.

Coaches made by `make_coach` are in Europe/Berlin and take 60-minute
sessions on Fridays from 09:00 to 17:00; the clock starts on Monday
2026-03-02.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from api.context import Services
from tests.api.coaching_helpers import BOOK, booked, make_coach
from tests.api.harness import GraphQL, Member, Org
from tests.api.relationship_helpers import notification_kinds

BERLIN = ZoneInfo("Europe/Berlin")

UPDATE_SETTINGS = """
mutation Settings($input: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $input) { __typename }
}
"""


def berlin(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


class Peak:
    """The most database connections the app held at once."""

    def __init__(self) -> None:
        self.current = 0
        self.peak = 0


class connections_in_use:
    def __init__(self, app: FastAPI) -> None:
        self.pool = app.state.engine.sync_engine.pool
        self.peak = Peak()

    def _checkout(self, *_: Any) -> None:
        self.peak.current += 1
        self.peak.peak = max(self.peak.peak, self.peak.current)

    def _checkin(self, *_: Any) -> None:
        self.peak.current -= 1

    def __enter__(self) -> Peak:
        sa.event.listen(self.pool, "checkout", self._checkout)
        sa.event.listen(self.pool, "checkin", self._checkin)
        return self.peak

    def __exit__(self, *_: Any) -> None:
        sa.event.remove(self.pool, "checkout", self._checkout)
        sa.event.remove(self.pool, "checkin", self._checkin)


async def book_all_at_once(
    gql: GraphQL, bookings: list[tuple[Member, Member, datetime]]
) -> list[dict[str, Any]]:
    """Sends every (coachee, coach, start) booking at the same time; each must
    be an HTTP 200 with a typed result and no GraphQL errors."""
    responses = await asyncio.gather(
        *(
            gql.raw(
                BOOK,
                {"input": {"coachId": coach.id, "startsAt": starts_at.isoformat(), "topic": ""}},
                token=coachee.token,
            )
            for coachee, coach, starts_at in bookings
        )
    )
    results = []
    for response in responses:
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        results.append(body["data"]["bookCoachSession"])
    return results


def outcomes(results: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter(
        (r["__typename"], r.get("code"), r.get("field") or r.get("limit"), r.get("value"))
        for r in results
    )


def winners(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["session"] for r in results if r["__typename"] == "CoachSessionSuccess"]


async def rows(services: Services, query: str, **params: Any) -> list[Any]:
    async with services.session_factory() as session:
        return list((await session.execute(sa.text(query), params)).all())


async def configure(gql: GraphQL, org: Org, **settings: int) -> None:
    data = await gql.data(UPDATE_SETTINGS, {"input": settings}, token=org.faculty.token)
    assert data["updateOrganizationSettings"]["__typename"] == "OrganizationSuccess", data


async def test_thirty_people_booking_one_slot_at_once_leave_exactly_one_session(
    app: FastAPI, gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await make_coach(gql, org)
    people = [await org.add_member(f"Person {i:02d}") for i in range(30)]
    slot = berlin(3, 6, 9)

    with connections_in_use(app) as connections:
        results = await book_all_at_once(gql, [(p, coach, slot) for p in people])

    # The database really saw them side by side.
    assert connections.peak >= 10, connections.peak
    assert outcomes(results) == {
        ("CoachSessionSuccess", None, None, None): 1,
        ("ConflictError", "SLOT_TAKEN", "startsAt", None): 29,
    }, outcomes(results)
    assert all(r["message"] for r in results if r["__typename"] != "CoachSessionSuccess")
    [winner] = winners(results)

    found = await rows(services, "SELECT id, coachee_id, status FROM coach_sessions")
    assert len(found) == 1
    assert found[0].status == "BOOKED"
    [winning_person] = [p for p in people if p.id == winner["coachee"]["id"]]
    assert found[0].coachee_id == winning_person.person.id
    # Only the winner has a coaching relationship; the coach heard of one booking.
    relationships = await rows(
        services, "SELECT follower_id FROM relationships WHERE kind = 'COACHING'"
    )
    assert [r.follower_id for r in relationships] == [winning_person.person.id]
    assert (await notification_kinds(gql, coach)).count("COACH_SESSION_BOOKED") == 1
    session_notes = await rows(
        services, "SELECT recipient_id FROM notifications WHERE kind LIKE 'COACH_SESSION_%'"
    )
    assert sorted(r.recipient_id for r in session_notes) == sorted(
        [coach.person.id, winning_person.person.id]
    )


@pytest.mark.parametrize("offset_minutes", [0, 30])
async def test_one_person_booking_overlapping_sessions_with_two_coaches_at_once_gets_one(
    gql: GraphQL, org: Org, services: Services, offset_minutes: int
) -> None:
    start = 9 * 60 + offset_minutes
    coach_a = await make_coach(gql, org)
    coach_b = await make_coach(
        gql, org, weekly=[{"weekday": 4, "startMinute": start, "endMinute": start + 8 * 60}]
    )
    person = await org.add_member()

    results = await book_all_at_once(
        gql,
        [
            (person, coach_a, berlin(3, 6, 9)),
            (person, coach_b, berlin(3, 6, 9, offset_minutes)),
        ],
    )

    assert outcomes(results) == {
        ("CoachSessionSuccess", None, None, None): 1,
        ("ConflictError", "OVERLAPPING_SESSION", "startsAt", None): 1,
    }, results
    found = await rows(services, "SELECT coachee_id FROM coach_sessions WHERE status = 'BOOKED'")
    assert [r.coachee_id for r in found] == [person.person.id]


async def test_one_person_booking_many_slots_at_once_stays_within_the_upcoming_limit(
    gql: GraphQL, org: Org, services: Services
) -> None:
    await configure(gql, org, coachUpcomingSessionsMax=2, coachSessionsPerMonthMax=10)
    coach = await make_coach(gql, org)
    person = await org.add_member()

    results = await book_all_at_once(
        gql, [(person, coach, berlin(3, 6, hour)) for hour in range(9, 15)]
    )

    assert outcomes(results) == {
        ("CoachSessionSuccess", None, None, None): 2,
        ("LimitExceededError", "LIMIT_EXCEEDED", "UPCOMING_COACH_SESSIONS", 2): 4,
    }, results
    found = await rows(services, "SELECT id FROM coach_sessions WHERE status = 'BOOKED'")
    assert len(found) == 2
    # Both in the one relationship the first booking started.
    assert len({s["relationship"]["id"] for s in winners(results)}) == 1


async def test_one_person_booking_a_new_coach_twice_at_once_starts_one_relationship(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()

    results = await book_all_at_once(
        gql, [(person, coach, berlin(3, 6, 9)), (person, coach, berlin(3, 13, 9))]
    )

    assert outcomes(results) == {("CoachSessionSuccess", None, None, None): 2}, results
    sessions = winners(results)
    relationship_ids = {s["relationship"]["id"] for s in sessions}
    assert len(relationship_ids) == 1
    assert {s["relationship"]["status"] for s in sessions} == {"ACTIVE"}
    found = await rows(
        services,
        "SELECT id, status FROM relationships WHERE kind = 'COACHING'"
        " AND leader_id = :coach AND follower_id = :person",
        coach=coach.person.id,
        person=person.person.id,
    )
    assert [r.status for r in found] == ["ACTIVE"]
    assert (
        await rows(
            services,
            "SELECT DISTINCT relationship_id FROM coach_sessions WHERE coachee_id = :p",
            p=person.person.id,
        )
    ) == [(found[0].id,)]


async def test_many_people_booking_many_slots_at_once_never_double_book(
    gql: GraphQL, org: Org, services: Services
) -> None:
    """Twelve people, each trying three of four slots at the same time: every
    slot goes to at most one person, nobody ends up in two sessions at once,
    and every refusal is typed."""
    await configure(gql, org, coachSessionsPerMonthMax=10)
    coach = await make_coach(gql, org)
    people = [await org.add_member() for _ in range(12)]
    slots = [berlin(3, 6, hour) for hour in (9, 10, 11, 12)]
    attempts = [
        (person, coach, slot)
        for i, person in enumerate(people)
        for j, slot in enumerate(slots)
        if j != i % 4
    ]

    results = await book_all_at_once(gql, attempts)

    kinds = Counter((r["__typename"], r.get("code")) for r in results)
    assert set(kinds) <= {
        ("CoachSessionSuccess", None),
        ("ConflictError", "SLOT_TAKEN"),
    }, kinds
    assert kinds["CoachSessionSuccess", None] == len(slots)
    found = await rows(
        services, "SELECT starts_at, coachee_id FROM coach_sessions WHERE status = 'BOOKED'"
    )
    assert sorted(r.starts_at for r in found) == slots


async def _waiting(services: Services, query_like: str = "%") -> int:
    """Requests (of a query like `query_like`) that wait for another transaction."""
    found = await rows(
        services,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query ILIKE :like",
        like=query_like,
    )
    return len(found)


async def _eventually(check: Any) -> None:
    for _ in range(1000):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


@pytest.mark.parametrize("ended_by", ["coachee", "coach"])
async def test_ending_the_relationship_while_a_booking_is_in_flight_leaves_no_booked_session(
    app: FastAPI, gql: GraphQL, org: Org, services: Services, ended_by: str
) -> None:
    """A booking that read the pair's coaching relationship as active must not
    leave a booked session in it once it has ended: ending cancels every
    session ahead, including one being booked at that very moment. The
    booking is held between its checks and its insert (an uncommitted
    overlapping row makes the exclusion constraint wait) while the
    relationship is ended; whichever order the two then commit in, no
    session ahead stays booked in an ended relationship."""
    coach = await make_coach(gql, org)
    person, other = await org.add_member(), await org.add_member()
    first = await booked(gql, person, coach, berlin(3, 6, 9))
    relationship_id = first["relationship"]["id"]
    await booked(gql, other, coach, berlin(3, 20, 9))
    [(other_relationship,)] = await rows(
        services,
        "SELECT relationship_id FROM coach_sessions WHERE coachee_id = :p",
        p=other.person.id,
    )
    slot = berlin(3, 13, 9)

    engine = app.state.engine
    async with engine.connect() as blocker:
        transaction = await blocker.begin()
        await blocker.execute(
            sa.text(
                "INSERT INTO coach_sessions (id, organization_id, coach_id, coachee_id,"
                " relationship_id, starts_at, ends_at, blocked_until, booked_at, status)"
                " VALUES (gen_random_uuid(), :org, :coach, :coachee, :rel, :start,"
                " :end, :end, :start, 'BOOKED')"
            ),
            {
                "org": org.id,
                "coach": coach.person.id,
                "coachee": other.person.id,
                "rel": other_relationship,
                "start": slot,
                "end": slot + timedelta(hours=1),
            },
        )
        booking = asyncio.create_task(book_all_at_once(gql, [(person, coach, slot)]))
        await _eventually(lambda: _waiting(services, "INSERT INTO coach_sessions%"))

        ender = person if ended_by == "coachee" else coach
        ending = asyncio.create_task(
            gql(
                """mutation End($input: EndRelationshipInput!) {
                     endRelationship(input: $input) { __typename }
                   }""",
                {"input": {"relationshipId": relationship_id, "reason": "Time to move on."}},
                token=ender.token,
            )
        )

        # Let it finish, or get as far as it can, before the booking goes on.
        async def ended_or_waiting() -> bool:
            return ending.done() or await _waiting(services) >= 2

        await _eventually(ended_or_waiting)
        await transaction.rollback()
        [result] = await booking
        ended = await ending

    assert "errors" not in ended, ended
    assert ended["data"]["endRelationship"]["__typename"] == "RelationshipSuccess", ended
    assert result["__typename"] in ("CoachSessionSuccess", "ConflictError"), result
    # Whatever the order: no session ahead stays booked in the ended relationship.
    stranded = await rows(
        services,
        "SELECT s.id, s.starts_at FROM coach_sessions s"
        " JOIN relationships r ON r.id = s.relationship_id"
        " WHERE s.status = 'BOOKED' AND r.status <> 'ACTIVE' AND s.starts_at > :now",
        now=services.clock.now(),
    )
    assert stranded == [], (result, stranded)
    # The booking either failed or its session was cancelled with the end.
    [(status,)] = await rows(
        services,
        "SELECT status FROM coach_sessions WHERE coachee_id = :p AND starts_at = :slot",
        p=person.person.id,
        slot=slot,
    ) or [("NONE",)]
    assert status in ("CANCELLED", "NONE"), (result, status)
    # The other person's session with the coach is untouched.
    [(theirs_status,)] = await rows(
        services, "SELECT status FROM coach_sessions WHERE coachee_id = :p", p=other.person.id
    )
    assert theirs_status == "BOOKED"
