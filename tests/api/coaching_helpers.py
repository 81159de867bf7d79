"""GraphQL documents and helpers for the coach session API tests. A coach
steps into the COACH role by consent (volunteers, org faculty confirms) and
publishes availability, all through the public API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from api.context import Services
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import mutate

ERROR_FIELDS = """
    __typename
    ... on Error { message code }
    ... on ValidationError { field }
    ... on ConflictError { field }
    ... on LimitExceededError { limit value }
"""

AVAILABILITY_FIELDS = """
    coach { id } timezone sessionMinutes bufferMinutes
    weekly { weekday startMinute endMinute }
    oneOff { date startMinute endMinute }
    exceptions
"""

SESSION_FIELDS = """
    id status startsAt endsAt topic notes bookedAt cancelledAt cancelReason
    coach { id } coachee { id } cancelledBy { id } relationship { id kind status }
"""

PUBLISH = f"""
mutation Publish($input: PublishCoachAvailabilityInput!) {{
  publishCoachAvailability(input: $input) {{
    {ERROR_FIELDS}
    ... on CoachAvailabilitySuccess {{ availability {{ {AVAILABILITY_FIELDS} }} }}
  }}
}}
"""

_SESSION_RESULT = f"""
    {ERROR_FIELDS}
    ... on CoachSessionSuccess {{ session {{ {SESSION_FIELDS} }} }}
"""

BOOK = f"""
mutation Book($input: BookCoachSessionInput!) {{
  bookCoachSession(input: $input) {{ {_SESSION_RESULT} }}
}}
"""

CANCEL = f"""
mutation Cancel($input: CancelCoachSessionInput!) {{
  cancelCoachSession(input: $input) {{ {_SESSION_RESULT} }}
}}
"""

RESCHEDULE = f"""
mutation Reschedule($input: RescheduleCoachSessionInput!) {{
  rescheduleCoachSession(input: $input) {{ {_SESSION_RESULT} }}
}}
"""

RECORD = f"""
mutation Record($input: RecordCoachSessionInput!) {{
  recordCoachSession(input: $input) {{ {_SESSION_RESULT} }}
}}
"""

WRITE_NOTES = f"""
mutation Notes($input: WriteCoachSessionNotesInput!) {{
  writeCoachSessionNotes(input: $input) {{ {_SESSION_RESULT} }}
}}
"""

FREE_SLOTS = """
query Slots($id: ID!, $first: Date!, $last: Date!, $tz: String) {
  node(id: $id) {
    ... on Person {
      coachAvailability {
        freeSlots(firstDay: $first, lastDay: $last, timezone: $tz) { startsAt endsAt }
      }
    }
  }
}
"""

AVAILABILITY = f"""
query Availability($id: ID!) {{
  node(id: $id) {{ ... on Person {{ coachAvailability {{ {AVAILABILITY_FIELDS} }} }} }}
}}
"""

MY_SESSIONS = f"""
query Mine($upcoming: Boolean, $first: Int, $after: String) {{
  viewer {{
    coachSessions(upcoming: $upcoming, first: $first, after: $after) {{
      edges {{ cursor node {{ {SESSION_FIELDS} }} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}
"""

SESSION_NODE = f"""
query Session($id: ID!) {{ node(id: $id) {{ __typename ... on CoachSession {{ {SESSION_FIELDS} }} }} }}
"""

COACHES = "{ coaches { id name } }"

USAGE = """
query Usage($first: Date!, $last: Date!) {
  viewer {
    organization {
      coachUsage(firstDay: $first, lastDay: $last) {
        coach { id } booked held noShows cancelled hoursHeld
      }
    }
  }
}
"""

NOTIFICATIONS = """
{ viewer { notifications(first: 50) { edges { node {
    kind actor { id } coachSession { id topic } relationship { id }
} } } } }
"""

VOLUNTEER = """
mutation Volunteer($input: VolunteerForRoleInput!) {
  volunteerForRole(input: $input) {
    __typename ... on RoleAssignmentSuccess { roleAssignment { id } }
  }
}
"""

ACCEPT_ROLE = """
mutation Accept($input: RoleAssignmentIdInput!) {
  acceptRole(input: $input) { __typename }
}
"""

FRIDAYS = [{"weekday": 4, "startMinute": 9 * 60, "endMinute": 17 * 60}]


async def make_coach(
    gql: GraphQL,
    org: Org,
    *,
    name: str | None = None,
    timezone: str = "Europe/Berlin",
    weekly: list[dict[str, int]] | None = None,
    session_minutes: int = 60,
    buffer_minutes: int = 0,
    one_off: list[dict[str, Any]] | None = None,
    exceptions: list[str] | None = None,
) -> Member:
    """A member who holds the COACH role and published availability."""
    coach = await org.add_member(name, timezone=timezone)
    await become_coach(gql, org, coach)
    result = await publish(
        gql,
        coach,
        sessionMinutes=session_minutes,
        bufferMinutes=buffer_minutes,
        weekly=FRIDAYS if weekly is None else weekly,
        oneOff=one_off or [],
        exceptions=exceptions or [],
    )
    assert result["__typename"] == "CoachAvailabilitySuccess", result
    return coach


async def become_coach(gql: GraphQL, org: Org, member: Member) -> None:
    volunteered = await mutate(gql, VOLUNTEER, {"role": "COACH"}, token=member.token)
    assignment = volunteered["roleAssignment"]["id"]
    accepted = await mutate(
        gql, ACCEPT_ROLE, {"roleAssignmentId": assignment}, token=org.faculty.token
    )
    assert accepted["__typename"] == "RoleAssignmentSuccess", accepted


async def publish(gql: GraphQL, coach: Member, **fields: Any) -> dict[str, Any]:
    return await mutate(gql, PUBLISH, fields, token=coach.token)


async def book(
    gql: GraphQL, member: Member, coach: Member, starts_at: datetime | str, topic: str = ""
) -> dict[str, Any]:
    moment = starts_at.isoformat() if isinstance(starts_at, datetime) else starts_at
    return await mutate(
        gql,
        BOOK,
        {"coachId": coach.id, "startsAt": moment, "topic": topic},
        token=member.token,
    )


async def booked(
    gql: GraphQL, member: Member, coach: Member, starts_at: datetime, topic: str = ""
) -> dict[str, Any]:
    """The session of a booking that must succeed."""
    result = await book(gql, member, coach, starts_at, topic)
    assert result["__typename"] == "CoachSessionSuccess", result
    return result["session"]


async def free_slots(
    gql: GraphQL,
    viewer: Member,
    coach: Member,
    first: date,
    last: date,
    timezone: str | None = None,
) -> list[str]:
    data = await gql.data(
        FREE_SLOTS,
        {"id": coach.id, "first": first.isoformat(), "last": last.isoformat(), "tz": timezone},
        token=viewer.token,
    )
    return [slot["startsAt"] for slot in data["node"]["coachAvailability"]["freeSlots"]]


async def session_rows(services: Services) -> list[dict[str, Any]]:
    """Every coach session row, straight from the database: to prove that a
    refused request changed nothing, and that concurrency left one booking."""
    async with services.session_factory() as session:
        rows = await session.execute(
            sa.text(
                "SELECT id, coach_id, coachee_id, starts_at, status FROM coach_sessions"
                " ORDER BY starts_at, id"
            )
        )
        return [dict(row._mapping) for row in rows]


async def count_rows(services: Services, table: str) -> int:
    async with services.session_factory() as session:
        return int(await session.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)
