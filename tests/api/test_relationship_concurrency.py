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
from api.graphql import ids
from domain.actors import Actor
from domain.errors import Duplicate
from domain.relationships import RelationshipKind, Side
from domain.services import relationships as relationship_service
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import create_area, mutate
from tests.api.relationship_helpers import (
    ERROR_FIELDS,
    FOLLOWER,
    MENTORSHIP,
    STEWARDSHIP,
    established,
    ids_of,
    notification_kinds,
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
    # One notice of the one acceptance: a handover's instead of an acceptance.
    kinds = await notification_kinds(gql, person)
    told = "STEWARDSHIP_HANDED_OVER" if current else "RELATIONSHIP_ACCEPTED"
    assert [k for k in kinds if k in ("RELATIONSHIP_ACCEPTED", "STEWARDSHIP_HANDED_OVER")] == [told]


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


PROPOSE = f"""
mutation Propose($input: ProposeRelationshipInput!) {{
  proposeRelationship(input: $input) {{
    {ERROR_FIELDS}
    ... on ConflictError {{ existingId }}
    ... on RelationshipSuccess {{ relationship {{ id }} }}
  }}
}}
"""

ASK = f"""
mutation Ask($input: AskMentorInput!) {{
  askMentor(input: $input) {{
    {ERROR_FIELDS}
    ... on ConflictError {{ existingId }}
    ... on AskMentorSuccess {{ relationship {{ id }} }}
  }}
}}
"""


def one_proposal_stands(results: list[dict[str, Any]], success: str) -> str:
    """Exactly one success; every other request was refused as a duplicate
    naming it. Returns its id."""
    outcomes = Counter((r["__typename"], r.get("code")) for r in results)
    assert outcomes == {
        (success, None): 1,
        ("ConflictError", "DUPLICATE_PROPOSAL"): len(results) - 1,
    }, results
    [winner] = [r["relationship"]["id"] for r in results if r["__typename"] == success]
    assert {r["existingId"] for r in results if r["__typename"] != success} <= {winner}
    assert all(r["existingId"] for r in results if r["__typename"] != success), results
    return str(winner)


async def open_proposals(services: Services) -> tuple[int, int]:
    """(open proposals, areas of open proposals) in the whole database."""
    return (
        await scalar(services, "SELECT count(*) FROM relationships WHERE status = 'PROPOSED'"),
        await scalar(services, "SELECT count(*) FROM mentorship_areas WHERE status = 'PROPOSED'"),
    )


@pytest.mark.parametrize("count", [2, 20])
@pytest.mark.parametrize("kind", [STEWARDSHIP, "COACHING", MENTORSHIP])
async def test_simultaneous_identical_proposals_leave_one_open(
    gql: GraphQL, org: Org, services: Services, kind: str, count: int
) -> None:
    """A double tap (or twenty) on "ask to be my steward / mentor" must not
    leave two proposals, whichever side proposes: the database's partial
    unique index decides (for a mentorship, per area), and each loser hears
    why and which proposal stands."""
    person = await org.add_member("Pat")
    leader = await org.add_member("Lee")
    areas = [(await create_area(gql, org.faculty.token, "Go"))["id"]] if kind == MENTORSHIP else []

    def one(i: int) -> Any:
        proposer, other, side = (leader, person, "LEADER") if i % 2 else (person, leader, FOLLOWER)
        values = {"kind": kind, "personId": other.id, "side": side, "knowledgeAreaIds": areas}
        return mutate(gql, PROPOSE, values, token=proposer.token)

    results = await asyncio.gather(*(one(i) for i in range(count)))

    winner = one_proposal_stands(results, "RelationshipSuccess")
    assert await open_proposals(services) == (1, len(areas))
    assert ids_of((await viewer(gql, person))["proposalsToMe"] or []) + ids_of(
        (await viewer(gql, person))["proposalsFromMe"] or []
    ) == [winner]


@pytest.mark.parametrize("count", [2, 20])
async def test_asking_a_mentor_at_once_leaves_one_proposal(
    gql: GraphQL, org: Org, services: Services, count: int
) -> None:
    """askMentor repeated at once, and mixed with a direct proposal for the
    same area: one proposal."""
    mentor, learner = await org.add_member("Mia Mentor"), await org.add_member("Lena Learner")
    area = (await create_area(gql, org.faculty.token, "Backend"))["id"]
    offer = await mutate(
        gql,
        "mutation($input: OfferMentoringInput!) { offerMentoring(input: $input) { __typename } }",
        {"knowledgeAreaId": area, "proficiency": 5},
        token=mentor.token,
    )
    assert offer["__typename"] == "MentorOfferSuccess"
    wish = await mutate(
        gql,
        "mutation($input: WishToLearnInput!) { wishToLearn(input: $input) {"
        " ... on LearningWishSuccess { wish { id } } } }",
        {"knowledgeAreaId": area, "current": 1, "desired": 3},
        token=learner.token,
    )
    values = {"wishId": wish["wish"]["id"], "mentorId": mentor.id}

    results = await asyncio.gather(
        *(mutate(gql, ASK, values, token=learner.token) for _ in range(count))
    )
    winner = one_proposal_stands(results, "AskMentorSuccess")
    assert await open_proposals(services) == (1, 1)

    # The learner withdraws; then asking and proposing directly race.
    withdrawn = await mutate(
        gql,
        "mutation($input: RelationshipIdInput!) { withdrawRelationship(input: $input) {"
        " __typename } }",
        {"relationshipId": winner},
        token=learner.token,
    )
    assert withdrawn["__typename"] == "RelationshipSuccess"
    direct = {
        "kind": MENTORSHIP,
        "personId": mentor.id,
        "side": FOLLOWER,
        "knowledgeAreaIds": [area],
    }
    mixed = await asyncio.gather(
        *(
            mutate(gql, ASK, values, token=learner.token)
            if i % 2
            else mutate(gql, PROPOSE, direct, token=learner.token)
            for i in range(count)
        )
    )
    successes = [r for r in mixed if r["__typename"] != "ConflictError"]
    assert len(successes) == 1, mixed
    assert {r["code"] for r in mixed if r["__typename"] == "ConflictError"} <= {
        "DUPLICATE_PROPOSAL"
    }
    assert {r["existingId"] for r in mixed if r["__typename"] == "ConflictError"} <= {
        successes[0]["relationship"]["id"]
    }
    assert await open_proposals(services) == (1, 1)


async def _waiting_to_insert(services: Services, table: str) -> bool:
    """Whether an insert into `table` waits for another transaction."""
    return bool(
        await scalar(
            services,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query ILIKE :like",
            like=f"INSERT INTO {table}%",
        )
    )


@pytest.mark.parametrize("kind", [RelationshipKind.STEWARDSHIP, RelationshipKind.MENTORSHIP])
async def test_a_proposal_the_index_refuses_still_names_the_open_one(
    gql: GraphQL, org: Org, services: Services, kind: RelationshipKind
) -> None:
    """The race made certain: the second proposal passes the service's check
    while the first is not committed yet, then waits on the unique index;
    once the first commits it is refused with the check's own error, naming
    the first (the repository reads it after a savepoint)."""
    person, leader = await org.add_member(), await org.add_member()
    area_ids = []
    if kind is RelationshipKind.MENTORSHIP:
        area = await create_area(gql, org.faculty.token, "Go")
        area_ids = [ids.decode(area["id"], "KnowledgeArea")]
    now = services.clock.now()

    def actor(member: Member) -> Actor:
        return Actor(person_id=member.person.id, organization_id=org.id)

    async def second_proposal() -> None:
        async with services.uow_factory(org.id) as uow:
            await relationship_service.propose(
                uow,
                actor(leader),
                kind=kind,
                other_person_id=person.person.id,
                side=Side.LEADER,
                knowledge_area_ids=area_ids,
                now=now,
            )
            await uow.commit()

    async with services.uow_factory(org.id) as uow:
        first = await relationship_service.propose(
            uow,
            actor(person),
            kind=kind,
            other_person_id=leader.person.id,
            side=Side.FOLLOWER,
            knowledge_area_ids=area_ids,
            now=now,
        )
        racing = asyncio.create_task(second_proposal())
        table = "mentorship_areas" if kind is RelationshipKind.MENTORSHIP else "relationships"
        for _ in range(500):
            if await _waiting_to_insert(services, table):
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the second proposal never waited on the index")
        await uow.commit()

    with pytest.raises(Duplicate) as caught:
        await racing
    assert (caught.value.code, caught.value.existing_id) == ("DUPLICATE_PROPOSAL", first.id)
    assert await open_proposals(services) == (1, len(area_ids))
