"""Days and moments at the edges of the calendar get a typed error, never
INTERNAL: an offset can push a time past the year 9999 in UTC, and the day
after the last day of a range can leave the calendar (domain.validation.day
and moment bound what anyone may name to the years 1900-2999)."""

from __future__ import annotations

import pytest

from tests.api.coaching_helpers import FREE_SLOTS, USAGE, book, count_rows, make_coach
from tests.api.harness import GraphQL, Org

FAR_MOMENTS = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00+01:00",
    "3000-01-01T00:00:00Z",
    "1899-12-31T23:59:59Z",
]
FAR_DAYS = [
    ("9999-12-25", "9999-12-31"),
    ("0001-01-01", "0001-01-07"),
    ("2999-12-31", "3000-01-02"),
]

# Each field alone: roleHolders is not nullable, its error would null the rest.
AT_FIELDS = [
    "query($at: DateTime!) { viewer { steward(at: $at) { id } } }",
    "query($at: DateTime!) { roleHolders(role: ORG_FACULTY, at: $at) { id } }",
    "query($at: DateTime!, $team: ID!) { node(id: $team) { ... on Team { leaders(at: $at) { id } } } }",
]
CREATE_TEAM = """
mutation($input: CreateTeamInput!) { createTeam(input: $input) { ... on TeamSuccess { team { id } } } }
"""


def codes(body: dict) -> set[str]:  # type: ignore[type-arg]
    return {e["extensions"]["code"] for e in body.get("errors", [])}


@pytest.mark.parametrize("at", FAR_MOMENTS)
async def test_a_past_moment_beyond_the_calendar_is_out_of_range(
    gql: GraphQL, org: Org, at: str
) -> None:
    created = await gql.data(CREATE_TEAM, {"input": {"name": "Crew"}}, token=org.faculty.token)
    team = created["createTeam"]["team"]["id"]
    for document in AT_FIELDS:
        variables = {"at": at, "team": team} if "$team" in document else {"at": at}
        body = await gql(document, variables, token=org.faculty.token)
        assert codes(body) == {"OUT_OF_RANGE"}, document


async def test_the_edges_of_the_range_are_fine(gql: GraphQL, org: Org) -> None:
    created = await gql.data(CREATE_TEAM, {"input": {"name": "Crew"}}, token=org.faculty.token)
    team = created["createTeam"]["team"]["id"]
    for at in ("1900-01-01T00:00:00+14:00", "2999-12-31T23:59:59-14:00"):
        for document in AT_FIELDS:
            variables = {"at": at, "team": team} if "$team" in document else {"at": at}
            await gql.data(document, variables, token=org.faculty.token)


@pytest.mark.parametrize(("first", "last"), FAR_DAYS)
async def test_days_beyond_the_calendar_are_out_of_range(
    gql: GraphQL, org: Org, first: str, last: str
) -> None:
    coach = await make_coach(gql, org)
    slots = await gql(FREE_SLOTS, {"id": coach.id, "first": first, "last": last}, token=coach.token)
    usage = await gql(USAGE, {"first": first, "last": last}, token=org.faculty.token)
    assert codes(slots) == codes(usage) == {"OUT_OF_RANGE"}


@pytest.mark.parametrize("starts_at", FAR_MOMENTS)
async def test_booking_a_moment_beyond_the_calendar_is_refused(
    gql: GraphQL, org: Org, starts_at: str
) -> None:
    coach = await make_coach(gql, org)
    member = await org.add_member()
    result = await book(gql, member, coach, starts_at)
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "OUT_OF_RANGE",
        "startsAt",
    )
    assert await count_rows(org.services, "coach_sessions") == 0
