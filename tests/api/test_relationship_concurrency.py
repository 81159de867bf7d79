"""The relationship invariants hold under real parallel requests: a person has
at most one active steward, and a leader's capacity is never exceeded. The
requests run at the same time through the app (its pool holds 10 + 10
connections, so PostgreSQL sees them concurrently); every loser gets a typed
error, never an HTTP 500 or a GraphQL `errors` array, and the database
itself is counted afterwards."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import create_area
from tests.api.relationship_helpers import (
    ERROR_FIELDS,
    FOLLOWER,
    MENTORSHIP,
    STEWARDSHIP,
    established,
    notification_kinds,
    propose,
    proposed,
    set_capacity,
    viewer,
)

ACCEPT = f"""
mutation Accept($input: RelationshipIdInput!) {{
  acceptRelationship(input: $input) {{
    {ERROR_FIELDS}
    ... on RelationshipSuccess {{ relationship {{ id status }} }}
  }}
}}
"""


class Peak:
    """The most database connections the app held at once."""

    def __init__(self) -> None:
        self.current = 0
        self.peak = 0


@contextmanager
def connections_in_use(engine: AsyncEngine) -> Iterator[Peak]:
    peak = Peak()
    pool = engine.sync_engine.pool

    def checkout(*_: Any) -> None:
        peak.current += 1
        peak.peak = max(peak.peak, peak.current)

    def checkin(*_: Any) -> None:
        peak.current -= 1

    sa.event.listen(pool, "checkout", checkout)
    sa.event.listen(pool, "checkin", checkin)
    try:
        yield peak
    finally:
        sa.event.remove(pool, "checkout", checkout)
        sa.event.remove(pool, "checkin", checkin)


async def accept_all_at_once(
    gql: GraphQL, accepts: list[tuple[Member, str]]
) -> list[dict[str, Any]]:
    """Sends every acceptance at the same time; each must be an HTTP 200 with
    a typed result and no GraphQL errors."""
    responses = await asyncio.gather(
        *(
            gql.raw(ACCEPT, {"input": {"relationshipId": rel_id}}, token=member.token)
            for member, rel_id in accepts
        )
    )
    results = []
    for response in responses:
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        results.append(body["data"]["acceptRelationship"])
    return results


async def scalar(services: Services, query: str, **params: Any) -> Any:
    async with services.session_factory() as session:
        return (await session.execute(sa.text(query), params)).scalar_one()


@pytest.mark.parametrize("with_current_steward", [False, True])
async def test_twenty_stewards_accepting_at_once_leave_exactly_one(
    app: FastAPI, gql: GraphQL, org: Org, services: Services, with_current_steward: bool
) -> None:
    person = await org.add_member("Pat Person")
    stewards = [await org.add_member(f"Steward {i:02d}") for i in range(20)]
    current = None
    if with_current_steward:
        current = await established(gql, await org.add_member("Olga Old"), person)
    asks = [await proposed(gql, person, s, kind=STEWARDSHIP, side=FOLLOWER) for s in stewards]

    with connections_in_use(app.state.engine) as connections:
        results = await accept_all_at_once(
            gql, [(s, ask["id"]) for s, ask in zip(stewards, asks, strict=True)]
        )

    # The database really saw them side by side (the pool has 20 connections).
    assert connections.peak >= 10, connections.peak
    outcomes = Counter((r["__typename"], r.get("code"), r.get("field")) for r in results)
    assert outcomes == {
        ("RelationshipSuccess", None, None): 1,
        ("ConflictError", "STEWARDSHIP_CHANGED", None): 19,
    }, outcomes
    assert all(r["message"] for r in results if r["__typename"] != "RelationshipSuccess")
    [winner] = [r["relationship"] for r in results if r["__typename"] == "RelationshipSuccess"]
    assert winner["status"] == "ACTIVE"

    # The API and the database agree: one active stewardship, the rest still open.
    assert (await viewer(gql, person))["steward"]["id"] == winner["id"]
    active = await scalar(
        services,
        "SELECT count(*) FROM relationships WHERE follower_id = :p"
        " AND kind = 'STEWARDSHIP' AND status = 'ACTIVE'",
        p=person.person.id,
    )
    assert active == 1
    proposed_left = await scalar(
        services,
        "SELECT count(*) FROM relationships WHERE follower_id = :p"
        " AND kind = 'STEWARDSHIP' AND status = 'PROPOSED'",
        p=person.person.id,
    )
    assert proposed_left == 19
    handed_over = await scalar(
        services,
        "SELECT count(*) FROM relationships WHERE follower_id = :p AND end_reason = 'HANDED_OVER'",
        p=person.person.id,
    )
    assert handed_over == (1 if with_current_steward else 0)
    accepted_notes = (await notification_kinds(gql, person)).count("RELATIONSHIP_ACCEPTED")
    assert accepted_notes == 1
    if current is not None:
        assert (await notification_kinds(gql, person)).count("STEWARDSHIP_HANDED_OVER") == 1


async def test_a_mentor_accepting_eight_at_once_takes_exactly_their_capacity(
    app: FastAPI, gql: GraphQL, org: Org, services: Services
) -> None:
    capacity = 3
    mentor = await org.add_member("Mo Mentor")
    mentees = [await org.add_member(f"Mentee {i}") for i in range(capacity + 5)]
    area = (await create_area(gql, org.faculty.token, "Woodwork"))["id"]
    result = await set_capacity(gql, mentor, MENTORSHIP, capacity)
    assert result["__typename"] == "SetCapacitySuccess", result
    asks = [
        await proposed(gql, m, mentor, kind=MENTORSHIP, side=FOLLOWER, areas=[area])
        for m in mentees
    ]

    with connections_in_use(app.state.engine) as connections:
        results = await accept_all_at_once(gql, [(mentor, ask["id"]) for ask in asks])

    assert connections.peak >= 5, connections.peak
    outcomes = Counter(
        (r["__typename"], r.get("code"), r.get("limit"), r.get("value")) for r in results
    )
    assert outcomes == {
        ("RelationshipSuccess", None, None, None): capacity,
        ("LimitExceededError", "LIMIT_EXCEEDED", "MENTEE_CAPACITY", capacity): 5,
    }, outcomes

    found = await viewer(gql, mentor)
    assert len(found["mentees"]) == capacity
    assert found["menteeCapacity"] == {"capacity": capacity, "load": capacity, "remaining": 0}
    active = await scalar(
        services,
        "SELECT count(*) FROM relationships WHERE leader_id = :m"
        " AND kind = 'MENTORSHIP' AND status = 'ACTIVE'",
        m=mentor.person.id,
    )
    assert active == capacity
    active_areas = await scalar(
        services,
        "SELECT count(*) FROM mentorship_areas WHERE leader_id = :m AND status = 'ACTIVE'",
        m=mentor.person.id,
    )
    assert active_areas == capacity
    still_open = await scalar(
        services,
        "SELECT count(*) FROM relationships WHERE leader_id = :m AND status = 'PROPOSED'",
        m=mentor.person.id,
    )
    assert still_open == 5


@pytest.mark.parametrize("kind", [STEWARDSHIP, "COACHING"])
async def test_simultaneous_identical_proposals_leave_one_open(
    gql: GraphQL, org: Org, services: Services, kind: str
) -> None:
    """A double tap on "ask to be my steward" must not leave two proposals:
    the database's partial unique index decides, the loser hears why."""
    person = await org.add_member("Pat")
    leader = await org.add_member("Lee")
    results = await asyncio.gather(
        *(propose(gql, person, leader, kind=kind, side=FOLLOWER) for _ in range(10))
    )
    outcomes = Counter(r["__typename"] for r in results)
    assert outcomes == {"RelationshipSuccess": 1, "ConflictError": 9}, results
    assert {r["code"] for r in results if r["__typename"] == "ConflictError"} == {
        "DUPLICATE_PROPOSAL"
    }
    async with services.session_factory() as session:
        open_proposals = await session.scalar(
            sa.text("SELECT count(*) FROM relationships WHERE status = 'PROPOSED'")
        )
    assert open_proposals == 1
