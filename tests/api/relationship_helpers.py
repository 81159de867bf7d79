"""GraphQL documents and helpers for the relationship API tests
(stewardship, mentorship, coaching, capacity, notifications). Everything a
test checks goes through the public GraphQL API; `db_state` reads the
tables directly only to prove that a refused request changed nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from api.context import Services
from tests.api.harness import GraphQL, Member, Org, token_for
from tests.api.queries import gid, mutate
from tests.fakes import FakeClock

STEWARDSHIP = "STEWARDSHIP"
MENTORSHIP = "MENTORSHIP"
COACHING = "COACHING"
KINDS = (STEWARDSHIP, MENTORSHIP, COACHING)
LEADER = "LEADER"
FOLLOWER = "FOLLOWER"

ERROR_FIELDS = """
    __typename
    ... on Error { message code }
    ... on ValidationError { field }
    ... on ConflictError { field }
    ... on LimitExceededError { limit value }
"""

RELATIONSHIP_FIELDS = """
    __typename id kind status
    leader { id } follower { id } proposedBy { id }
    proposedAt message startedAt endedAt endReason endNote reviewOn dueForReview
    knowledgeAreas { id }
    handedOverFrom { id status endReason }
    viewerSide lastActivityAt
"""

_RESULT = f"""
    {ERROR_FIELDS}
    ... on RelationshipSuccess {{ relationship {{ {RELATIONSHIP_FIELDS} }} }}
"""

PROPOSE = f"""
mutation Propose($input: ProposeRelationshipInput!) {{
  proposeRelationship(input: $input) {{ {_RESULT} }}
}}
"""

ACCEPT = f"""
mutation Accept($input: RelationshipIdInput!) {{
  acceptRelationship(input: $input) {{ {_RESULT} }}
}}
"""

DECLINE = f"""
mutation Decline($input: DeclineRelationshipInput!) {{
  declineRelationship(input: $input) {{ {_RESULT} }}
}}
"""

WITHDRAW = f"""
mutation Withdraw($input: RelationshipIdInput!) {{
  withdrawRelationship(input: $input) {{ {_RESULT} }}
}}
"""

END = f"""
mutation End($input: EndRelationshipInput!) {{
  endRelationship(input: $input) {{ {_RESULT} }}
}}
"""

RENEW = f"""
mutation Renew($input: RenewRelationshipInput!) {{
  renewRelationship(input: $input) {{ {_RESULT} }}
}}
"""

SET_CAPACITY = f"""
mutation SetCapacity($input: SetCapacityInput!) {{
  setCapacity(input: $input) {{
    {ERROR_FIELDS}
    ... on SetCapacitySuccess {{
      person {{
        id
        stewardeeCapacity {{ capacity load remaining }}
        menteeCapacity {{ capacity load remaining }}
      }}
    }}
  }}
}}
"""

MARK_READ = f"""
mutation MarkRead($input: MarkNotificationsReadInput!) {{
  markNotificationsRead(input: $input) {{
    {ERROR_FIELDS}
    ... on MarkNotificationsReadSuccess {{ marked }}
  }}
}}
"""

MARK_LEFT = f"""
mutation MarkLeft($input: MarkPersonLeftInput!) {{
  markPersonLeft(input: $input) {{
    {ERROR_FIELDS}
    ... on MarkPersonLeftSuccess {{ person {{ id status }} }}
  }}
}}
"""

_REL = "{ id kind status leader { id } follower { id } message endNote endReason dueForReview }"

PERSON_RELATIONSHIP_FIELDS = f"""
    id
    steward {_REL}
    stewardees {_REL}
    mentors {_REL}
    mentees {_REL}
    coaches {_REL}
    coachees {_REL}
    stewardeeCapacity {{ capacity load remaining }}
    menteeCapacity {{ capacity load remaining }}
    proposalsToMe {_REL}
    proposalsFromMe {_REL}
    relationshipsDueForReview {_REL}
    unreadNotificationCount
    notifications(first: 100) {{ edges {{ node {{ id kind }} }} }}
"""

VIEWER = f"{{ viewer {{ {PERSON_RELATIONSHIP_FIELDS} }} }}"

PERSON = f"""
query Person($id: ID!) {{
  node(id: $id) {{ __typename ... on Person {{ {PERSON_RELATIONSHIP_FIELDS} }} }}
}}
"""

AREA_FILTERED = """
query Filtered($id: ID!, $area: ID) {
  node(id: $id) {
    ... on Person {
      mentors(knowledgeAreaId: $area) { id }
      mentees(knowledgeAreaId: $area) { id }
    }
  }
}
"""

HISTORY = f"""
query History($id: ID!, $first: Int, $after: String) {{
  node(id: $id) {{
    ... on Person {{
      relationshipHistory(first: $first, after: $after) {{
        edges {{ node {{ {RELATIONSHIP_FIELDS} }} }}
        pageInfo {{ hasNextPage endCursor }}
      }}
    }}
  }}
}}
"""

RELATIONSHIP = f"""
query Relationship($id: ID!) {{
  node(id: $id) {{ __typename ... on Relationship {{ {RELATIONSHIP_FIELDS} }} }}
}}
"""

NODES = """
query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }
"""

NOTIFICATIONS = """
query Notifications($unreadOnly: Boolean! = false) {
  viewer {
    unreadNotificationCount
    notifications(first: 100, unreadOnly: $unreadOnly) {
      edges {
        node {
          id kind createdAt read readAt
          actor { id }
          relationship { id status kind endReason }
        }
      }
    }
  }
}
"""

WITHOUT_STEWARD = """
query WithoutSteward($first: Int) {
  peopleWithoutSteward(first: $first) { edges { node { id name } } }
}
"""


def advance(clock: FakeClock, delta: timedelta, *orgs: Org) -> None:
    """Moves time on, and gives every member of `orgs` a fresh access token
    (tokens live 15 minutes, as a client would refresh them)."""
    clock.advance(delta)
    for org in orgs:
        for member in (org.faculty, *org.members):
            member.token = token_for(org.services, member)


# -- mutations ----------------------------------------------------------------


async def propose(
    gql: GraphQL,
    proposer: Member,
    other: Member | str,
    *,
    kind: str = STEWARDSHIP,
    side: str = LEADER,
    areas: list[str] | None = None,
    message: str = "",
    review_on: date | None = None,
) -> dict[str, Any]:
    """The typed result of proposing (success or error)."""
    values: dict[str, Any] = {
        "kind": kind,
        "personId": other if isinstance(other, str) else other.id,
        "side": side,
        "knowledgeAreaIds": areas or [],
        "message": message,
        "reviewOn": review_on.isoformat() if review_on else None,
    }
    return await mutate(gql, PROPOSE, values, token=proposer.token)


async def proposed(
    gql: GraphQL,
    proposer: Member,
    other: Member | str,
    **kwargs: Any,
) -> dict[str, Any]:
    """A proposal that must succeed; its relationship."""
    result = await propose(gql, proposer, other, **kwargs)
    assert result["__typename"] == "RelationshipSuccess", result
    return result["relationship"]


async def act(
    gql: GraphQL, document: str, member: Member, relationship_id: str, **extra: Any
) -> dict[str, Any]:
    return await mutate(
        gql, document, {"relationshipId": relationship_id, **extra}, token=member.token
    )


async def succeeded(
    gql: GraphQL, document: str, member: Member, relationship_id: str, **extra: Any
) -> dict[str, Any]:
    result = await act(gql, document, member, relationship_id, **extra)
    assert result["__typename"] == "RelationshipSuccess", result
    return result["relationship"]


async def established(
    gql: GraphQL,
    leader: Member,
    follower: Member,
    *,
    kind: str = STEWARDSHIP,
    areas: list[str] | None = None,
    review_on: date | None = None,
    message: str = "",
) -> dict[str, Any]:
    """The leader offers, the follower accepts: an ACTIVE relationship."""
    offer = await proposed(
        gql,
        leader,
        follower,
        kind=kind,
        side=LEADER,
        areas=areas,
        review_on=review_on,
        message=message,
    )
    relationship = await succeeded(gql, ACCEPT, follower, offer["id"])
    assert relationship["status"] == "ACTIVE", relationship
    return relationship


async def set_capacity(gql: GraphQL, member: Member, kind: str, capacity: int) -> dict[str, Any]:
    return await mutate(gql, SET_CAPACITY, {"kind": kind, "capacity": capacity}, token=member.token)


async def mark_read(gql: GraphQL, member: Member, ids: list[str] | None) -> dict[str, Any]:
    return await mutate(gql, MARK_READ, {"notificationIds": ids}, token=member.token)


# -- queries ------------------------------------------------------------------


async def viewer(gql: GraphQL, member: Member) -> dict[str, Any]:
    data = await gql.data(VIEWER, token=member.token)
    return data["viewer"]


async def person(gql: GraphQL, viewer_member: Member, subject: Member) -> dict[str, Any]:
    """`subject` as `viewer_member` sees them."""
    data = await gql.data(PERSON, {"id": subject.id}, token=viewer_member.token)
    assert data["node"] is not None
    return data["node"]


async def history(gql: GraphQL, viewer_member: Member, subject: Member) -> list[dict[str, Any]]:
    data = await gql.data(HISTORY, {"id": subject.id, "first": 100}, token=viewer_member.token)
    return [edge["node"] for edge in data["node"]["relationshipHistory"]["edges"]]


async def relationship(
    gql: GraphQL, viewer_member: Member, relationship_id: str
) -> dict[str, Any] | None:
    data = await gql.data(RELATIONSHIP, {"id": relationship_id}, token=viewer_member.token)
    return data["node"]


async def nodes(gql: GraphQL, viewer_member: Member, ids: list[str]) -> list[Any]:
    data = await gql.data(NODES, {"ids": ids}, token=viewer_member.token)
    return data["nodes"]


async def notifications(
    gql: GraphQL, member: Member, *, unread_only: bool = False
) -> tuple[int, list[dict[str, Any]]]:
    """(unread count, notifications newest first)."""
    data = await gql.data(NOTIFICATIONS, {"unreadOnly": unread_only}, token=member.token)
    found = data["viewer"]
    return found["unreadNotificationCount"], [e["node"] for e in found["notifications"]["edges"]]


async def notification_kinds(gql: GraphQL, member: Member) -> list[str]:
    return [n["kind"] for n in (await notifications(gql, member))[1]]


def ids_of(items: list[dict[str, Any]] | None) -> list[str]:
    assert items is not None
    return [item["id"] for item in items]


def error(result: dict[str, Any], typename: str, code: str, field: str | None = None) -> None:
    """A typed error with a message; `field` for validation and conflict errors."""
    assert result["__typename"] == typename, result
    assert result["code"] == code, result
    assert result["message"], result
    if typename in ("ValidationError", "ConflictError"):
        assert result["field"] == field, result


def relationship_gid(relationship_id: object) -> str:
    return gid("Relationship", str(relationship_id))


# -- the database, read directly -------------------------------------------------


_TABLES = {
    "relationships": "SELECT * FROM relationships ORDER BY id",
    "mentorship_areas": "SELECT * FROM mentorship_areas ORDER BY id",
    "notifications": "SELECT * FROM notifications ORDER BY id",
    "people": "SELECT id, status, stewardee_capacity, mentee_capacity FROM people ORDER BY id",
}


async def db_state(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Everything relationships, capacities and notifications write: compared
    before and after a refused request to show it changed nothing."""
    async with services.session_factory() as session:
        return {
            name: [tuple(row) for row in (await session.execute(sa.text(query))).all()]
            for name, query in _TABLES.items()
        }


async def count_rows(services: Services, where: str, **params: Any) -> int:
    async with services.session_factory() as session:
        return (
            await session.execute(
                sa.text(f"SELECT count(*) FROM relationships WHERE {where}"), params
            )
        ).scalar_one()
