"""GraphQL documents and helpers for the growth-goal API tests (lifecycle,
check-ins, sharing, privacy, readiness). Everything a test checks goes
through the public GraphQL API; `goal_state` reads the tables directly only
to prove that a refused request changed nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from api.context import Services
from tests.api.harness import GraphQL, Member
from tests.api.queries import mutate

ERROR_FIELDS = """
    __typename
    ... on Error { message code }
    ... on ValidationError { field }
    ... on ConflictError { field }
"""

CHECK_IN_FIELDS = "progress confidence note createdAt"

SHARE_FIELDS = "audience person { id } sharedAt reaches { id } endedAt endedBecause"

GOAL_FIELDS = f"""
    __typename id title description stage status statusNote targetDate overdue
    createdAt achievedAt
    owner {{ id }}
    knowledgeArea {{ id name }}
    checkIns {{ {CHECK_IN_FIELDS} }}
    sharedWith {{ {SHARE_FIELDS} }}
    sharedWithOrganization {{ sharedAt }}
"""

_GOAL_RESULT = f"""
    {ERROR_FIELDS}
    ... on GoalSuccess {{ goal {{ {GOAL_FIELDS} }} }}
"""

CREATE_GOAL = f"""
mutation CreateGoal($input: CreateGoalInput!) {{ createGoal(input: $input) {{ {_GOAL_RESULT} }} }}
"""

EDIT_GOAL = f"""
mutation EditGoal($input: EditGoalInput!) {{ editGoal(input: $input) {{ {_GOAL_RESULT} }} }}
"""

ACTIVATE_GOAL = f"""
mutation ActivateGoal($input: GoalIdInput!) {{ activateGoal(input: $input) {{ {_GOAL_RESULT} }} }}
"""

ACHIEVE_GOAL = f"""
mutation AchieveGoal($input: CloseGoalInput!) {{ achieveGoal(input: $input) {{ {_GOAL_RESULT} }} }}
"""

ABANDON_GOAL = f"""
mutation AbandonGoal($input: CloseGoalInput!) {{ abandonGoal(input: $input) {{ {_GOAL_RESULT} }} }}
"""

CHECK_IN_GOAL = f"""
mutation CheckIn($input: CheckInInput!) {{
  checkInGoal(input: $input) {{
    {ERROR_FIELDS}
    ... on CheckInSuccess {{ goal {{ {GOAL_FIELDS} }} checkIn {{ {CHECK_IN_FIELDS} }} }}
  }}
}}
"""

SHARE_GOAL = f"""
mutation ShareGoal($input: ShareGoalInput!) {{ shareGoal(input: $input) {{ {_GOAL_RESULT} }} }}
"""

UNSHARE_GOAL = f"""
mutation UnshareGoal($input: ShareGoalInput!) {{ unshareGoal(input: $input) {{ {_GOAL_RESULT} }} }}
"""

GOAL_NODE = f"""
query Goal($id: ID!) {{ node(id: $id) {{ __typename ... on Goal {{ {GOAL_FIELDS} }} }} }}
"""

GOAL_NODES = f"""
query Goals($ids: [ID!]!) {{ nodes(ids: $ids) {{ __typename ... on Goal {{ {GOAL_FIELDS} }} }} }}
"""

_READINESS = f"""
    readinessSuggestions {{
      stage nextStage evidenceCount required
      evidence {{ {GOAL_FIELDS} }}
    }}
"""

_PERSON_GOALS = f"""
    id
    goals(status: $status) {{ {GOAL_FIELDS} }}
    goalCounts {{ draft active achieved abandoned }}
    {_READINESS}
"""

PERSON_GOALS = f"""
query PersonGoals($id: ID!, $status: GoalStatus) {{
  node(id: $id) {{ __typename ... on Person {{ {_PERSON_GOALS} }} }}
}}
"""

VIEWER_GOALS = f"""
query ViewerGoals($status: GoalStatus) {{ viewer {{ {_PERSON_GOALS} }} }}
"""

# -- mutations ----------------------------------------------------------------


async def create(gql: GraphQL, member: Member, **values: Any) -> dict[str, Any]:
    """The typed result of createGoal (success or error)."""
    values.setdefault("stage", "FIXED_GOALS")
    return await mutate(gql, CREATE_GOAL, values, token=member.token)


async def created(
    gql: GraphQL,
    member: Member,
    title: str = "Ship the onboarding guide",
    *,
    activate: bool = True,
    **values: Any,
) -> dict[str, Any]:
    """A goal that must be created; active unless asked otherwise."""
    result = await create(gql, member, title=title, activate=activate, **values)
    assert result["__typename"] == "GoalSuccess", result
    return result["goal"]


async def change(
    gql: GraphQL, document: str, member: Member, goal_id: str, **values: Any
) -> dict[str, Any]:
    """The typed result of any goal mutation taking a goalId."""
    return await mutate(gql, document, {"goalId": goal_id, **values}, token=member.token)


async def changed(
    gql: GraphQL, document: str, member: Member, goal_id: str, **values: Any
) -> dict[str, Any]:
    """A goal mutation that must succeed; the goal in its payload."""
    result = await change(gql, document, member, goal_id, **values)
    assert result["__typename"] in ("GoalSuccess", "CheckInSuccess"), result
    return result["goal"]


async def check_in(
    gql: GraphQL,
    member: Member,
    goal_id: str,
    progress: int = 50,
    confidence: str = "MEDIUM",
    note: str = "",
) -> dict[str, Any]:
    return await change(
        gql,
        CHECK_IN_GOAL,
        member,
        goal_id,
        progress=progress,
        confidence=confidence,
        note=note,
    )


async def checked_in(
    gql: GraphQL,
    member: Member,
    goal_id: str,
    progress: int = 50,
    confidence: str = "MEDIUM",
    note: str = "",
) -> dict[str, Any]:
    result = await check_in(gql, member, goal_id, progress, confidence, note)
    assert result["__typename"] == "CheckInSuccess", result
    return result


async def share(
    gql: GraphQL, member: Member, goal_id: str, audience: str, person: Member | None = None
) -> dict[str, Any]:
    return await change(
        gql,
        SHARE_GOAL,
        member,
        goal_id,
        audience=audience,
        personId=person.id if person else None,
    )


async def shared(
    gql: GraphQL, member: Member, goal_id: str, audience: str, person: Member | None = None
) -> dict[str, Any]:
    result = await share(gql, member, goal_id, audience, person)
    assert result["__typename"] == "GoalSuccess", result
    return result["goal"]


async def unshare(
    gql: GraphQL, member: Member, goal_id: str, audience: str, person: Member | None = None
) -> dict[str, Any]:
    return await change(
        gql,
        UNSHARE_GOAL,
        member,
        goal_id,
        audience=audience,
        personId=person.id if person else None,
    )


def share_list(goal: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(audience, person id, whom it reaches now) of each share with a
    person, as the owner sees them."""
    return [
        (s["audience"], s["person"]["id"], s["reaches"] and s["reaches"]["id"])
        for s in goal["sharedWith"]
    ]


# -- queries ------------------------------------------------------------------


async def goal_node(gql: GraphQL, viewer: Member, goal_id: str) -> dict[str, Any] | None:
    data = await gql.data(GOAL_NODE, {"id": goal_id}, token=viewer.token)
    return data["node"]


async def goal_nodes(gql: GraphQL, viewer: Member, ids: list[str]) -> list[dict[str, Any] | None]:
    data = await gql.data(GOAL_NODES, {"ids": ids}, token=viewer.token)
    return data["nodes"]


async def person_goals(
    gql: GraphQL, viewer: Member, owner: Member, status: str | None = None
) -> dict[str, Any]:
    """`owner`'s goals, counts and readiness as `viewer` sees them."""
    data = await gql.data(PERSON_GOALS, {"id": owner.id, "status": status}, token=viewer.token)
    assert data["node"] is not None
    return data["node"]


async def my_goals(gql: GraphQL, member: Member, status: str | None = None) -> dict[str, Any]:
    data = await gql.data(VIEWER_GOALS, {"status": status}, token=member.token)
    return data["viewer"]


async def reads(gql: GraphQL, viewer: Member, owner: Member, goal_id: str) -> bool:
    """Whether `viewer` reads the goal; every read path must agree."""
    by_node = await goal_node(gql, viewer, goal_id)
    by_nodes = await goal_nodes(gql, viewer, [goal_id])
    listed = [g["id"] for g in (await person_goals(gql, viewer, owner))["goals"]]
    found = by_node is not None
    assert (by_nodes[0] is not None) == found, (by_node, by_nodes)
    assert (goal_id in listed) == found, (by_node, listed)
    if found:
        assert by_node is not None
        assert by_node["id"] == goal_id
        assert by_nodes[0] == by_node
    return found


def ids_of(items: list[dict[str, Any]] | None) -> list[str]:
    assert items is not None
    return [item["id"] for item in items]


def assert_error(
    result: dict[str, Any], typename: str, code: str, field: str | None = None
) -> None:
    """A typed error with a message; `field` for validation and conflict errors."""
    assert result["__typename"] == typename, result
    assert result["code"] == code, result
    assert result["message"], result
    if typename in ("ValidationError", "ConflictError"):
        assert result["field"] == field, result


# -- the database, read directly -------------------------------------------------

_TABLES = {
    "goals": "SELECT * FROM goals ORDER BY id",
    "goal_check_ins": "SELECT * FROM goal_check_ins ORDER BY id",
    "goal_shares": "SELECT * FROM goal_shares ORDER BY id",
}


async def goal_state(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Everything goals write: compared before and after a refused request
    to show it changed nothing."""
    async with services.session_factory() as session:
        return {
            name: [tuple(row) for row in (await session.execute(sa.text(query))).all()]
            for name, query in _TABLES.items()
        }
