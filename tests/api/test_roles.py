"""Roles through the public API: stepping into and back from them by consent,
who may answer whom, the history of who held what when, privacy of open
proposals, and races the database must decide."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from api.context import Services
from tests.api.harness import GraphQL, Member, Org, token_for
from tests.api.queries import (
    ERROR_FIELDS,
    INVITE_PERSON,
    MARK_PERSON_LEFT,
    REMOVE_TEAM_MEMBER,
    add_team_member,
    assert_error,
    create_area,
    create_team,
    missing_id,
    mutate,
)
from tests.fakes import FakeClock

MakeOrg = Callable[..., Awaitable[Org]]

ASSIGNMENT_FIELDS = """
    id role status volunteered proposedAt startedAt endedAt reviewOn endNote
    person { id } proposedBy { id } respondedBy { id }
    team { id } knowledgeArea { id }
"""

RESULT_FIELDS = f"""
    {ERROR_FIELDS}
    ... on RoleAssignmentSuccess {{ roleAssignment {{ {ASSIGNMENT_FIELDS} }} }}
"""

VOLUNTEER = f"""
mutation Volunteer($input: VolunteerForRoleInput!) {{
  volunteerForRole(input: $input) {{ {RESULT_FIELDS} }}
}}
"""

PROPOSE = f"""
mutation Propose($input: ProposeRoleInput!) {{
  proposeRole(input: $input) {{ {RESULT_FIELDS} }}
}}
"""

ACCEPT = f"""
mutation Accept($input: RoleAssignmentIdInput!) {{
  acceptRole(input: $input) {{ {RESULT_FIELDS} }}
}}
"""

DECLINE = f"""
mutation Decline($input: RoleAssignmentIdInput!) {{
  declineRole(input: $input) {{ {RESULT_FIELDS} }}
}}
"""

WITHDRAW = f"""
mutation Withdraw($input: RoleAssignmentIdInput!) {{
  withdrawRole(input: $input) {{ {RESULT_FIELDS} }}
}}
"""

STEP_BACK = f"""
mutation StepBack($input: StepBackFromRoleInput!) {{
  stepBackFromRole(input: $input) {{ {RESULT_FIELDS} }}
}}
"""

NODE = f"""
query Node($id: ID!) {{ node(id: $id) {{ __typename ... on RoleAssignment {{ {ASSIGNMENT_FIELDS} }} }} }}
"""

NODES = """
query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }
"""

PERSON_ROLES = """
query PersonRoles($id: ID!) {
  node(id: $id) {
    ... on Person {
      isOrgFaculty
      roles { id role status }
      roleProposalsToMe { id }
      roleProposalsFromMe { id }
    }
  }
}
"""

TEAM_LEADERS = """
query TeamLeaders($id: ID!, $at: DateTime) {
  node(id: $id) { ... on Team { leaders(at: $at) { id role status person { id } } } }
}
"""

AREA_LEADS = """
query AreaLeads($id: ID!, $at: DateTime) {
  node(id: $id) { ... on KnowledgeArea { leads(at: $at) { id role status person { id } } } }
}
"""

ROLE_HOLDERS = """
query RoleHolders($role: Role!, $at: DateTime) {
  roleHolders(role: $role, at: $at) { id role status person { id } }
}
"""

NOTIFICATIONS = """
query Notifications {
  viewer {
    notifications(first: 50) {
      edges { node { kind actor { id } roleAssignment { id } } }
    }
  }
}
"""

INVITEE = {"name": "Ada Lovelace", "handle": "ada", "email": "ada@example.com"}


# --- helpers -------------------------------------------------------------------


def travel(clock: FakeClock, org: Org, delta: timedelta) -> None:
    """Moves time on; access tokens live minutes, so everyone signs in anew."""
    clock.advance(delta)
    for member in (org.faculty, *org.members):
        member.token = token_for(org.services, member)


def scope(team_id: str | None = None, area_id: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if team_id is not None:
        values["teamId"] = team_id
    if area_id is not None:
        values["knowledgeAreaId"] = area_id
    return values


def success(result: dict[str, Any]) -> dict[str, Any]:
    assert result["__typename"] == "RoleAssignmentSuccess", result
    assignment = result["roleAssignment"]
    assert isinstance(assignment, dict)
    return assignment


async def volunteer_result(
    gql: GraphQL, member: Member, role: str, **values: Any
) -> dict[str, Any]:
    return await mutate(gql, VOLUNTEER, {"role": role, **values}, token=member.token)


async def volunteer(
    gql: GraphQL,
    member: Member,
    role: str,
    team_id: str | None = None,
    area_id: str | None = None,
) -> dict[str, Any]:
    return success(await volunteer_result(gql, member, role, **scope(team_id, area_id)))


async def propose_result(
    gql: GraphQL, by: Member, person_id: str, role: str, **values: Any
) -> dict[str, Any]:
    return await mutate(
        gql, PROPOSE, {"personId": person_id, "role": role, **values}, token=by.token
    )


async def propose(
    gql: GraphQL,
    by: Member,
    person: Member,
    role: str,
    team_id: str | None = None,
    area_id: str | None = None,
) -> dict[str, Any]:
    return success(await propose_result(gql, by, person.id, role, **scope(team_id, area_id)))


async def answer(gql: GraphQL, document: str, by: Member, assignment_id: str) -> dict[str, Any]:
    return await mutate(gql, document, {"roleAssignmentId": assignment_id}, token=by.token)


async def step_back(gql: GraphQL, by: Member, assignment_id: str, note: str = "") -> dict[str, Any]:
    return await mutate(
        gql, STEP_BACK, {"roleAssignmentId": assignment_id, "note": note}, token=by.token
    )


async def held(
    gql: GraphQL,
    member: Member,
    confirmer: Member,
    role: str,
    team_id: str | None = None,
    area_id: str | None = None,
) -> dict[str, Any]:
    """`member` volunteers and `confirmer` confirms: the role is held."""
    offered = await volunteer(gql, member, role, team_id, area_id)
    accepted = success(await answer(gql, ACCEPT, confirmer, offered["id"]))
    assert accepted["status"] == "ACTIVE", accepted
    return accepted


async def node(gql: GraphQL, viewer: Member, node_id: str) -> dict[str, Any] | None:
    data = await gql.data(NODE, {"id": node_id}, token=viewer.token)
    return data["node"]


async def person_roles(gql: GraphQL, viewer: Member, person: Member) -> dict[str, Any]:
    data = await gql.data(PERSON_ROLES, {"id": person.id}, token=viewer.token)
    assert data["node"] is not None
    return data["node"]


async def proposals_to(gql: GraphQL, member: Member) -> list[str]:
    rows = (await person_roles(gql, member, member))["roleProposalsToMe"]
    assert rows is not None
    return [row["id"] for row in rows]


async def proposals_from(gql: GraphQL, member: Member) -> list[str]:
    rows = (await person_roles(gql, member, member))["roleProposalsFromMe"]
    assert rows is not None
    return [row["id"] for row in rows]


def at_param(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def holders_of(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(row["person"]["id"], row["role"]) for row in rows]


async def team_leaders(
    gql: GraphQL, viewer: Member, team_id: str, at: datetime | None = None
) -> list[tuple[str, str]]:
    data = await gql.data(TEAM_LEADERS, {"id": team_id, "at": at_param(at)}, token=viewer.token)
    return holders_of(data["node"]["leaders"])


async def area_leads(
    gql: GraphQL, viewer: Member, area_id: str, at: datetime | None = None
) -> list[tuple[str, str]]:
    data = await gql.data(AREA_LEADS, {"id": area_id, "at": at_param(at)}, token=viewer.token)
    return holders_of(data["node"]["leads"])


async def role_holders(
    gql: GraphQL, viewer: Member, role: str, at: datetime | None = None
) -> list[str]:
    data = await gql.data(ROLE_HOLDERS, {"role": role, "at": at_param(at)}, token=viewer.token)
    return [row["person"]["id"] for row in data["roleHolders"]]


async def notifications(gql: GraphQL, member: Member) -> list[tuple[str, str | None, str | None]]:
    data = await gql.data(NOTIFICATIONS, token=member.token)
    return [
        (
            edge["node"]["kind"],
            (edge["node"]["actor"] or {}).get("id"),
            (edge["node"]["roleAssignment"] or {}).get("id"),
        )
        for edge in data["viewer"]["notifications"]["edges"]
    ]


async def snapshot(services: Services) -> tuple[list[tuple[Any, ...]], int]:
    """Every role assignment and the number of notifications, straight from
    the database, so a refused request can be shown to have changed nothing."""
    async with services.session_factory() as session:
        rows = await session.execute(
            sa.text(
                "SELECT id, person_id, role, status, team_id, knowledge_area_id, started_at,"
                " ended_at, proposed_by_id, responded_by_id, end_note"
                " FROM role_assignments ORDER BY id"
            )
        )
        count = await session.execute(sa.text("SELECT count(*) FROM notifications"))
        return [tuple(row) for row in rows.all()], count.scalar_one()


async def founder_faculty_role(gql: GraphQL, org: Org) -> str:
    roles = (await person_roles(gql, org.faculty, org.faculty))["roles"]
    (faculty,) = [r for r in roles if r["role"] == "ORG_FACULTY"]
    return str(faculty["id"])


async def team_of(gql: GraphQL, org: Org, name: str, *members: Member) -> str:
    created = await create_team(gql, org.faculty.token, name)
    for member in members:
        await add_team_member(gql, org.faculty.token, created["id"], member.id)
    return str(created["id"])


# --- consent: volunteering -----------------------------------------------------


async def test_a_volunteer_is_confirmed_by_org_faculty(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member("Vera Volunteer")
    proposed_at = clock.now()

    offered = await volunteer(gql, member, "COACH")

    assert offered["status"] == "PROPOSED"
    assert offered["volunteered"] is True
    assert offered["person"] == {"id": member.id}
    assert offered["proposedBy"] == {"id": member.id}
    assert offered["respondedBy"] is None
    assert offered["startedAt"] is None
    assert offered["proposedAt"] is not None
    assert datetime.fromisoformat(offered["proposedAt"]) == proposed_at
    assert offered["team"] is None
    assert offered["knowledgeArea"] is None
    assert offered["id"] in await proposals_to(gql, org.faculty)
    assert offered["id"] in await proposals_from(gql, member)
    assert await proposals_to(gql, member) == []
    assert member.id not in await role_holders(gql, member, "COACH")

    travel(clock, org, timedelta(hours=2))
    accepted = success(await answer(gql, ACCEPT, org.faculty, offered["id"]))

    assert accepted["id"] == offered["id"]
    assert accepted["status"] == "ACTIVE"
    assert accepted["respondedBy"] == {"id": org.faculty.id}
    assert datetime.fromisoformat(accepted["startedAt"]) == clock.now()
    assert accepted["endedAt"] is None
    assert await role_holders(gql, member, "COACH") == [member.id]
    roles = (await person_roles(gql, member, member))["roles"]
    assert [(r["id"], r["role"], r["status"]) for r in roles] == [
        (offered["id"], "COACH", "ACTIVE")
    ]
    assert await proposals_to(gql, org.faculty) == []
    assert await proposals_from(gql, member) == []
    # The volunteer hears that they were confirmed; the confirmer does not
    # get a notification about their own act.
    assert ("ROLE_ACCEPTED", org.faculty.id, offered["id"]) in await notifications(gql, member)
    assert await notifications(gql, org.faculty) == []


async def test_a_team_member_confirms_a_volunteer_for_a_team_role(gql: GraphQL, org: Org) -> None:
    volunteer_member = await org.add_member()
    teammate = await org.add_member()
    team_id = await team_of(gql, org, "Platform", volunteer_member, teammate)

    offered = await volunteer(gql, volunteer_member, "PRODUCT_OWNER", team_id=team_id)

    assert offered["team"] == {"id": team_id}
    assert offered["id"] in await proposals_to(gql, teammate)
    accepted = success(await answer(gql, ACCEPT, teammate, offered["id"]))
    assert accepted["status"] == "ACTIVE"
    assert accepted["respondedBy"] == {"id": teammate.id}
    assert await team_leaders(gql, teammate, team_id) == [(volunteer_member.id, "PRODUCT_OWNER")]
    assert ("ROLE_ACCEPTED", teammate.id, offered["id"]) in await notifications(
        gql, volunteer_member
    )


async def test_org_faculty_confirms_a_team_role_without_being_in_the_team(
    gql: GraphQL, org: Org
) -> None:
    coach = await org.add_member()
    team_id = await team_of(gql, org, "Platform", coach)

    accepted = await held(gql, coach, org.faculty, "TEAM_COACH", team_id=team_id)

    assert accepted["respondedBy"] == {"id": org.faculty.id}
    assert await team_leaders(gql, org.faculty, team_id) == [(coach.id, "TEAM_COACH")]


async def test_a_non_member_cannot_confirm_or_even_see_a_team_volunteer(
    gql: GraphQL, org: Org, services: Services
) -> None:
    """An open proposal is private to those who may answer it: someone
    outside the team is told it does not exist rather than that they may not
    answer it."""
    volunteer_member = await org.add_member()
    outsider = await org.add_member()
    other_team_member = await org.add_member()
    team_id = await team_of(gql, org, "Platform", volunteer_member)
    await team_of(gql, org, "Mobile", other_team_member)
    offered = await volunteer(gql, volunteer_member, "PRODUCT_OWNER", team_id=team_id)
    before = await snapshot(services)

    for stranger in (outsider, other_team_member):
        for document in (ACCEPT, DECLINE):
            result = await answer(gql, document, stranger, offered["id"])
            assert_error(result, "NotFoundError", "NOT_FOUND")
        assert await proposals_to(gql, stranger) == []

    assert await snapshot(services) == before
    assert (await node(gql, volunteer_member, offered["id"]))["status"] == "PROPOSED"  # type: ignore[index]


async def test_only_current_team_members_speak_for_the_team(
    gql: GraphQL, org: Org, services: Services
) -> None:
    volunteer_member = await org.add_member()
    leaving = await org.add_member()
    joining = await org.add_member()
    team_id = await team_of(gql, org, "Platform", volunteer_member, leaving)
    offered = await volunteer(gql, volunteer_member, "TEAM_COACH", team_id=team_id)
    assert await proposals_to(gql, leaving) == [offered["id"]]
    removed = await mutate(
        gql,
        REMOVE_TEAM_MEMBER,
        {"teamId": team_id, "personId": leaving.id},
        token=org.faculty.token,
    )
    assert removed["__typename"] == "TeamMembershipSuccess", removed
    before = await snapshot(services)

    assert await proposals_to(gql, leaving) == []
    assert await node(gql, leaving, offered["id"]) is None
    assert_error(await answer(gql, ACCEPT, leaving, offered["id"]), "NotFoundError", "NOT_FOUND")
    assert await snapshot(services) == before

    await add_team_member(gql, org.faculty.token, team_id, joining.id)
    assert await proposals_to(gql, joining) == [offered["id"]]
    accepted = success(await answer(gql, ACCEPT, joining, offered["id"]))
    assert accepted["respondedBy"] == {"id": joining.id}


async def test_an_ordinary_member_cannot_confirm_a_volunteer_for_an_org_role(
    gql: GraphQL, org: Org, services: Services
) -> None:
    volunteer_member = await org.add_member()
    ordinary = await org.add_member()
    offered = await volunteer(gql, volunteer_member, "STRATEGY_FACULTY")
    before = await snapshot(services)

    result = await answer(gql, ACCEPT, ordinary, offered["id"])

    assert_error(result, "NotFoundError", "NOT_FOUND")
    assert await snapshot(services) == before


async def test_a_held_role_is_public_but_not_confirmable_by_a_non_member(
    gql: GraphQL, org: Org, services: Services
) -> None:
    """Once held a role is visible to all, so the refusal names the reason."""
    owner = await org.add_member()
    teammate = await org.add_member()
    outsider = await org.add_member()
    team_id = await team_of(gql, org, "Platform", owner, teammate)
    accepted = await held(gql, owner, teammate, "PRODUCT_OWNER", team_id=team_id)
    before = await snapshot(services)

    result = await answer(gql, ACCEPT, outsider, accepted["id"])

    assert_error(result, "PermissionDeniedError", "CANNOT_CONFIRM")
    assert await snapshot(services) == before


async def test_a_volunteer_cannot_confirm_or_decline_themselves(
    gql: GraphQL, org: Org, services: Services
) -> None:
    # Even org faculty needs someone else's consent for their own role.
    for member in (await org.add_member(), org.faculty):
        offered = await volunteer(gql, member, "COACH")
        before = await snapshot(services)

        for document in (ACCEPT, DECLINE):
            result = await answer(gql, document, member, offered["id"])
            assert_error(result, "PermissionDeniedError", "OWN_PROPOSAL")

        assert await snapshot(services) == before
        assert member.id not in await role_holders(gql, member, "COACH")


async def test_a_volunteer_can_be_declined(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    member = await org.add_member()
    offered = await volunteer(gql, member, "STRATEGY_FACULTY")
    travel(clock, org, timedelta(minutes=5))

    declined = success(await answer(gql, DECLINE, org.faculty, offered["id"]))

    assert declined["status"] == "DECLINED"
    assert declined["respondedBy"] == {"id": org.faculty.id}
    assert declined["startedAt"] is None
    assert datetime.fromisoformat(declined["endedAt"]) == clock.now()
    assert await role_holders(gql, member, "STRATEGY_FACULTY") == []
    assert ("ROLE_DECLINED", org.faculty.id, offered["id"]) in await notifications(gql, member)
    assert await proposals_to(gql, org.faculty) == []
    # A declined proposal cannot be accepted afterwards.
    late = await answer(gql, ACCEPT, org.faculty, offered["id"])
    assert_error(late, "ConflictError", "NOT_PROPOSED")
    # ...but the person may offer again.
    again = await volunteer(gql, member, "STRATEGY_FACULTY")
    assert again["id"] != offered["id"]


# --- consent: proposing someone --------------------------------------------------


async def test_org_faculty_proposes_and_only_the_person_accepts(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    person = await org.add_member()
    other_faculty = await org.add_member(faculty=True)
    bystander = await org.add_member()

    proposal = await propose(gql, org.faculty, person, "STRATEGY_FACULTY")

    assert proposal["status"] == "PROPOSED"
    assert proposal["volunteered"] is False
    assert proposal["proposedBy"] == {"id": org.faculty.id}
    assert proposal["person"] == {"id": person.id}
    assert await proposals_to(gql, person) == [proposal["id"]]
    assert proposal["id"] in await proposals_from(gql, org.faculty)
    assert ("ROLE_PROPOSED", org.faculty.id, proposal["id"]) in await notifications(gql, person)
    before = await snapshot(services)

    # The proposer cannot answer for the person.
    result = await answer(gql, ACCEPT, org.faculty, proposal["id"])
    assert_error(result, "PermissionDeniedError", "NOT_PROPOSED_PERSON")
    result = await answer(gql, DECLINE, org.faculty, proposal["id"])
    assert_error(result, "PermissionDeniedError", "NOT_PROPOSED_PERSON")
    # Anyone else is not even told it exists: only the person can answer.
    for stranger in (other_faculty, bystander):
        result = await answer(gql, ACCEPT, stranger, proposal["id"])
        assert_error(result, "NotFoundError", "NOT_FOUND")
    assert await snapshot(services) == before

    travel(clock, org, timedelta(days=1))
    accepted = success(await answer(gql, ACCEPT, person, proposal["id"]))

    assert accepted["status"] == "ACTIVE"
    assert accepted["respondedBy"] == {"id": person.id}
    assert datetime.fromisoformat(accepted["startedAt"]) == clock.now()
    assert await role_holders(gql, bystander, "STRATEGY_FACULTY") == [person.id]
    assert ("ROLE_ACCEPTED", person.id, proposal["id"]) in await notifications(gql, org.faculty)


async def test_the_proposed_person_declines(gql: GraphQL, org: Org) -> None:
    person = await org.add_member()
    proposal = await propose(gql, org.faculty, person, "COACH")

    declined = success(await answer(gql, DECLINE, person, proposal["id"]))

    assert declined["status"] == "DECLINED"
    assert declined["respondedBy"] == {"id": person.id}
    assert declined["endedAt"] is not None
    assert await role_holders(gql, person, "COACH") == []
    assert await proposals_to(gql, person) == []
    assert ("ROLE_DECLINED", person.id, proposal["id"]) in await notifications(gql, org.faculty)


async def test_an_ordinary_member_cannot_propose_someone(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ordinary = await org.add_member()
    other = await org.add_member()
    team_id = await team_of(gql, org, "Platform", other)
    area = await create_area(gql, org.faculty.token, "Marketing")
    before = await snapshot(services)

    attempts: list[tuple[str, dict[str, Any]]] = [
        ("ORG_FACULTY", {}),
        ("STRATEGY_FACULTY", {}),
        ("COACH", {}),
        ("FACULTY_LEAD", {"knowledgeAreaId": area["id"]}),
        # Not a member of the team either.
        ("PRODUCT_OWNER", {"teamId": team_id}),
        ("TEAM_COACH", {"teamId": team_id}),
    ]
    for role, values in attempts:
        result = await propose_result(gql, ordinary, other.id, role, **values)
        assert_error(result, "PermissionDeniedError", "CANNOT_PROPOSE")

    assert await snapshot(services) == before
    assert await proposals_to(gql, other) == []


async def test_a_team_member_proposes_a_teammate_for_product_owner(
    gql: GraphQL, org: Org, services: Services
) -> None:
    proposer = await org.add_member()
    teammate = await org.add_member()
    team_id = await team_of(gql, org, "Platform", proposer, teammate)

    proposal = await propose(gql, proposer, teammate, "PRODUCT_OWNER", team_id=team_id)

    assert proposal["volunteered"] is False
    assert await proposals_to(gql, teammate) == [proposal["id"]]
    # The proposer's team membership grants no say over an org role.
    before = await snapshot(services)
    result = await propose_result(gql, proposer, teammate.id, "COACH")
    assert_error(result, "PermissionDeniedError", "CANNOT_PROPOSE")
    assert await snapshot(services) == before

    accepted = success(await answer(gql, ACCEPT, teammate, proposal["id"]))
    assert accepted["status"] == "ACTIVE"
    assert await team_leaders(gql, proposer, team_id) == [(teammate.id, "PRODUCT_OWNER")]


async def test_proposing_yourself_is_volunteering(gql: GraphQL, org: Org) -> None:
    member = await org.add_member()

    proposal = await propose(gql, member, member, "COACH")

    assert proposal["volunteered"] is True
    assert proposal["id"] in await proposals_to(gql, org.faculty)


async def test_a_review_date_must_lie_in_the_future(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    member = await org.add_member()
    before = await snapshot(services)

    for review_on in (clock.now().date(), clock.now().date() - timedelta(days=3)):
        result = await volunteer_result(gql, member, "COACH", reviewOn=review_on.isoformat())
        assert_error(result, "ValidationError", "REVIEW_DATE_PAST", "reviewOn")
    assert await snapshot(services) == before

    review_on = clock.now().date() + timedelta(days=90)
    offered = success(await volunteer_result(gql, member, "COACH", reviewOn=review_on.isoformat()))
    assert offered["reviewOn"] == review_on.isoformat()


# --- withdrawing and stepping back ---------------------------------------------------


async def test_the_proposer_withdraws_a_proposal(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    person = await org.add_member()
    proposal = await propose(gql, org.faculty, person, "COACH")
    before = await snapshot(services)

    # Only the proposer withdraws.
    result = await answer(gql, WITHDRAW, person, proposal["id"])
    assert_error(result, "PermissionDeniedError", "NOT_PROPOSER")
    assert await snapshot(services) == before

    travel(clock, org, timedelta(minutes=1))
    withdrawn = success(await answer(gql, WITHDRAW, org.faculty, proposal["id"]))

    assert withdrawn["status"] == "WITHDRAWN"
    assert datetime.fromisoformat(withdrawn["endedAt"]) == clock.now()
    assert await proposals_to(gql, person) == []
    assert await proposals_from(gql, org.faculty) == []
    assert ("ROLE_WITHDRAWN", org.faculty.id, proposal["id"]) in await notifications(gql, person)
    # Too late to accept now, or to withdraw again.
    before = await snapshot(services)
    assert_error(await answer(gql, ACCEPT, person, proposal["id"]), "ConflictError", "NOT_PROPOSED")
    assert_error(
        await answer(gql, WITHDRAW, org.faculty, proposal["id"]), "ConflictError", "NOT_PROPOSED"
    )
    assert await snapshot(services) == before


async def test_a_volunteer_withdraws_their_offer(gql: GraphQL, org: Org) -> None:
    member = await org.add_member()
    offered = await volunteer(gql, member, "COACH")

    withdrawn = success(await answer(gql, WITHDRAW, member, offered["id"]))

    assert withdrawn["status"] == "WITHDRAWN"
    assert await proposals_to(gql, org.faculty) == []
    assert await notifications(gql, org.faculty) == []
    # Org faculty could have answered it, so still sees it, but too late.
    row = await node(gql, org.faculty, offered["id"])
    assert row is not None
    assert row["status"] == "WITHDRAWN"
    assert_error(
        await answer(gql, ACCEPT, org.faculty, offered["id"]), "ConflictError", "NOT_PROPOSED"
    )


async def test_stepping_back_ends_the_role_and_keeps_its_history(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    coach = await org.add_member()
    other = await org.add_member()
    proposal = await propose(gql, org.faculty, coach, "COACH")
    accepted = success(await answer(gql, ACCEPT, coach, proposal["id"]))
    before = await snapshot(services)

    # Nobody steps back for someone else, not even org faculty.
    for stranger in (other, org.faculty):
        result = await step_back(gql, stranger, accepted["id"])
        assert_error(result, "PermissionDeniedError", "NOT_HOLDER")
    assert await snapshot(services) == before

    travel(clock, org, timedelta(days=30))
    ended = success(await step_back(gql, coach, accepted["id"], "  Time for someone else. "))

    assert ended["status"] == "ENDED"
    assert ended["startedAt"] == accepted["startedAt"]
    assert datetime.fromisoformat(ended["endedAt"]) == clock.now()
    assert ended["endNote"] == "Time for someone else."
    assert await role_holders(gql, other, "COACH") == []
    assert (await person_roles(gql, other, coach))["roles"] == []
    # History stays, visible to everyone in the organization.
    past = await node(gql, other, accepted["id"])
    assert past is not None
    assert (past["status"], past["endNote"]) == ("ENDED", "Time for someone else.")
    assert ("ROLE_ENDED", coach.id, accepted["id"]) in await notifications(gql, org.faculty)
    # Stepping back twice is refused.
    before = await snapshot(services)
    assert_error(await step_back(gql, coach, accepted["id"]), "ConflictError", "NOT_ACTIVE")
    assert await snapshot(services) == before
    # Stepping in again makes a new assignment; the old one stays ended.
    again = await held(gql, coach, org.faculty, "COACH")
    assert again["id"] != accepted["id"]
    assert (await node(gql, other, accepted["id"]))["status"] == "ENDED"  # type: ignore[index]


async def test_an_end_note_has_a_length_limit(gql: GraphQL, org: Org, services: Services) -> None:
    coach = await org.add_member()
    accepted = await held(gql, coach, org.faculty, "COACH")
    before = await snapshot(services)

    result = await step_back(gql, coach, accepted["id"], "x" * 2001)

    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "note"
    assert await snapshot(services) == before


async def test_the_last_org_faculty_cannot_step_back(
    gql: GraphQL, org: Org, services: Services
) -> None:
    founder_role = await founder_faculty_role(gql, org)
    before = await snapshot(services)

    result = await step_back(gql, org.faculty, founder_role)

    assert_error(result, "ConflictError", "LAST_ORG_FACULTY", None)
    assert await snapshot(services) == before
    assert await role_holders(gql, org.faculty, "ORG_FACULTY") == [org.faculty.id]


# --- org faculty really administers -----------------------------------------------------


async def test_a_confirmed_org_faculty_gains_and_loses_admin_rights(
    gql: GraphQL, org: Org, services: Services
) -> None:
    newcomer = await org.add_member()
    before = await snapshot(services)
    refused = await mutate(gql, INVITE_PERSON, {**INVITEE, "timezone": "UTC"}, token=newcomer.token)
    assert_error(refused, "PermissionDeniedError", "NOT_ORG_FACULTY")
    assert await snapshot(services) == before

    role = await held(gql, newcomer, org.faculty, "ORG_FACULTY")

    assert (await person_roles(gql, newcomer, newcomer))["isOrgFaculty"] is True
    invited = await mutate(gql, INVITE_PERSON, {**INVITEE, "timezone": "UTC"}, token=newcomer.token)
    assert invited["__typename"] == "InvitePersonSuccess", invited
    assert sorted(await role_holders(gql, newcomer, "ORG_FACULTY")) == sorted(
        [org.faculty.id, newcomer.id]
    )

    success(await step_back(gql, newcomer, role["id"]))

    assert (await person_roles(gql, newcomer, newcomer))["isOrgFaculty"] is False
    again = await mutate(
        gql,
        INVITE_PERSON,
        {"name": "Bob", "handle": "bob", "email": "bob@example.com", "timezone": "UTC"},
        token=newcomer.token,
    )
    assert_error(again, "PermissionDeniedError", "NOT_ORG_FACULTY")
    # Without admin rights the former faculty cannot propose org roles either.
    result = await propose_result(gql, newcomer, org.faculty.id, "COACH")
    assert_error(result, "PermissionDeniedError", "CANNOT_PROPOSE")


async def test_the_founder_may_step_back_once_someone_else_is_org_faculty(
    gql: GraphQL, org: Org, services: Services
) -> None:
    successor = await org.add_member()
    successor_role = await held(gql, successor, org.faculty, "ORG_FACULTY")

    success(await step_back(gql, org.faculty, await founder_faculty_role(gql, org)))

    assert await role_holders(gql, successor, "ORG_FACULTY") == [successor.id]
    before = await snapshot(services)
    result = await step_back(gql, successor, successor_role["id"])
    assert_error(result, "ConflictError", "LAST_ORG_FACULTY", None)
    assert await snapshot(services) == before


# --- several holders, duplicates ------------------------------------------------------------


async def test_two_faculty_leads_share_an_area(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    first = await org.add_member()
    second = await org.add_member()
    area = await create_area(gql, org.faculty.token, "Marketing")

    one = await held(gql, first, org.faculty, "FACULTY_LEAD", area_id=area["id"])
    travel(clock, org, timedelta(minutes=1))
    two = await held(gql, second, org.faculty, "FACULTY_LEAD", area_id=area["id"])

    assert one["knowledgeArea"] == {"id": area["id"]}
    assert await area_leads(gql, first, area["id"]) == [
        (first.id, "FACULTY_LEAD"),
        (second.id, "FACULTY_LEAD"),
    ]
    assert {r["id"] for r in (await person_roles(gql, first, second))["roles"]} == {two["id"]}


async def test_a_person_holds_a_role_once_per_scope_but_in_several_scopes(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    owner = await org.add_member()
    one = await team_of(gql, org, "Platform", owner)
    two = await team_of(gql, org, "Mobile", owner)
    held_one = await held(gql, owner, org.faculty, "PRODUCT_OWNER", team_id=one)
    before = await snapshot(services)

    again = await volunteer_result(gql, owner, "PRODUCT_OWNER", teamId=one)
    assert_error(again, "ConflictError", "ROLE_ALREADY_HELD", None)
    proposed = await propose_result(gql, org.faculty, owner.id, "PRODUCT_OWNER", teamId=one)
    assert_error(proposed, "ConflictError", "ROLE_ALREADY_HELD", None)
    assert await snapshot(services) == before

    travel(clock, org, timedelta(minutes=1))
    held_two = await held(gql, owner, org.faculty, "PRODUCT_OWNER", team_id=two)
    travel(clock, org, timedelta(minutes=1))
    coach = await held(gql, owner, org.faculty, "TEAM_COACH", team_id=one)

    roles = (await person_roles(gql, org.faculty, owner))["roles"]
    assert [r["id"] for r in roles] == [held_one["id"], held_two["id"], coach["id"]]


async def test_only_one_open_proposal_per_person_role_and_scope(
    gql: GraphQL, org: Org, services: Services
) -> None:
    member = await org.add_member()
    area = await create_area(gql, org.faculty.token, "Design")
    offered = await volunteer(gql, member, "FACULTY_LEAD", area_id=area["id"])
    before = await snapshot(services)

    twice = await volunteer_result(gql, member, "FACULTY_LEAD", knowledgeAreaId=area["id"])
    assert_error(twice, "ConflictError", "DUPLICATE_PROPOSAL", None)
    proposed = await propose_result(
        gql, org.faculty, member.id, "FACULTY_LEAD", knowledgeAreaId=area["id"]
    )
    assert_error(proposed, "ConflictError", "DUPLICATE_PROPOSAL", None)
    assert await snapshot(services) == before

    # Another area, or another role, is another matter.
    other_area = await create_area(gql, org.faculty.token, "Research")
    await volunteer(gql, member, "FACULTY_LEAD", area_id=other_area["id"])
    await volunteer(gql, member, "COACH")
    success(await answer(gql, ACCEPT, org.faculty, offered["id"]))


# --- scope and id errors -----------------------------------------------------------------


async def test_a_role_must_be_held_in_its_scope(gql: GraphQL, org: Org, services: Services) -> None:
    member = await org.add_member()
    team_id = await team_of(gql, org, "Platform", member)
    area = await create_area(gql, org.faculty.token, "Marketing")
    before = await snapshot(services)

    cases: list[tuple[str, dict[str, Any], str]] = [
        ("PRODUCT_OWNER", {}, "teamId"),
        ("TEAM_COACH", {"knowledgeAreaId": area["id"]}, "teamId"),
        ("TEAM_COACH", {"teamId": team_id, "knowledgeAreaId": area["id"]}, "knowledgeAreaId"),
        ("FACULTY_LEAD", {}, "knowledgeAreaId"),
        ("FACULTY_LEAD", {"teamId": team_id, "knowledgeAreaId": area["id"]}, "teamId"),
        ("ORG_FACULTY", {"teamId": team_id}, "teamId"),
        ("STRATEGY_FACULTY", {"knowledgeAreaId": area["id"]}, "knowledgeAreaId"),
        ("COACH", {"teamId": team_id}, "teamId"),
    ]
    for role, values, field in cases:
        offered = await volunteer_result(gql, member, role, **values)
        assert_error(offered, "ValidationError", "SCOPE_MISMATCH", field)
        proposed = await propose_result(gql, org.faculty, member.id, role, **values)
        assert_error(proposed, "ValidationError", "SCOPE_MISMATCH", field)

    assert await snapshot(services) == before


async def test_unknown_team_area_person_or_assignment_is_not_found(
    gql: GraphQL, org: Org, services: Services
) -> None:
    member = await org.add_member()
    before = await snapshot(services)

    results = [
        await volunteer_result(gql, member, "PRODUCT_OWNER", teamId=missing_id("Team")),
        await volunteer_result(
            gql, member, "FACULTY_LEAD", knowledgeAreaId=missing_id("KnowledgeArea")
        ),
        await propose_result(gql, org.faculty, member.id, "TEAM_COACH", teamId=missing_id("Team")),
        await propose_result(gql, org.faculty, missing_id("Person"), "COACH"),
    ]
    for document in (ACCEPT, DECLINE, WITHDRAW):
        results.append(await answer(gql, document, org.faculty, missing_id("RoleAssignment")))
    results.append(await step_back(gql, org.faculty, missing_id("RoleAssignment")))

    for result in results:
        assert_error(result, "NotFoundError", "NOT_FOUND")
    assert await snapshot(services) == before


# base64 of "Team:not-a-uuid": the right type name, but no uuid inside.
TEAM_WITH_BAD_UUID = "VGVhbTpub3QtYS11dWlk"


async def test_malformed_ids_are_refused_with_the_field_named(
    gql: GraphQL, org: Org, services: Services
) -> None:
    member = await org.add_member()
    team_id = await team_of(gql, org, "Platform", member)
    area = await create_area(gql, org.faculty.token, "Marketing")
    before = await snapshot(services)

    for bad_team in ("garbage", TEAM_WITH_BAD_UUID, member.id, area["id"]):
        result = await volunteer_result(gql, member, "PRODUCT_OWNER", teamId=bad_team)
        assert_error(result, "ValidationError", "INVALID_ID", "teamId")
    for bad_area in ("garbage", team_id):
        result = await volunteer_result(gql, member, "FACULTY_LEAD", knowledgeAreaId=bad_area)
        assert_error(result, "ValidationError", "INVALID_ID", "knowledgeAreaId")
    for bad_person in ("garbage", team_id):
        result = await propose_result(gql, org.faculty, bad_person, "COACH")
        assert_error(result, "ValidationError", "INVALID_ID", "personId")
    for bad_assignment in ("garbage", member.id):
        for document in (ACCEPT, DECLINE, WITHDRAW):
            result = await answer(gql, document, org.faculty, bad_assignment)
            assert_error(result, "ValidationError", "INVALID_ID", "roleAssignmentId")
        result = await step_back(gql, member, bad_assignment)
        assert_error(result, "ValidationError", "INVALID_ID", "roleAssignmentId")

    assert await snapshot(services) == before


async def test_another_organizations_team_area_person_and_roles_are_not_found(
    gql: GraphQL, org: Org, make_org: MakeOrg, services: Services
) -> None:
    member = await org.add_member()
    other = await make_org("Globex")
    stranger = await other.add_member()
    their_team = await team_of(gql, other, "Theirs", stranger)
    their_area = await create_area(gql, other.faculty.token, "Their Area")
    their_role = await held(gql, stranger, other.faculty, "COACH")
    their_offer = await volunteer(gql, stranger, "STRATEGY_FACULTY")
    before = await snapshot(services)

    results = [
        await volunteer_result(gql, member, "PRODUCT_OWNER", teamId=their_team),
        await volunteer_result(gql, member, "FACULTY_LEAD", knowledgeAreaId=their_area["id"]),
        await propose_result(gql, org.faculty, member.id, "TEAM_COACH", teamId=their_team),
        await propose_result(gql, org.faculty, stranger.id, "COACH"),
        await answer(gql, ACCEPT, org.faculty, their_offer["id"]),
        await answer(gql, DECLINE, org.faculty, their_offer["id"]),
        await answer(gql, WITHDRAW, org.faculty, their_offer["id"]),
        await step_back(gql, org.faculty, their_role["id"]),
    ]

    for result in results:
        assert_error(result, "NotFoundError", "NOT_FOUND")
    assert await snapshot(services) == before


# --- people who left -------------------------------------------------------------------------


async def test_a_person_who_left_cannot_be_proposed(
    gql: GraphQL, org: Org, services: Services
) -> None:
    leaver = await org.add_member()
    left = await mutate(gql, MARK_PERSON_LEFT, {"personId": leaver.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left
    before = await snapshot(services)

    result = await propose_result(gql, org.faculty, leaver.id, "COACH")

    assert_error(result, "ConflictError", "PERSON_LEFT", "personId")
    assert await snapshot(services) == before


async def test_leaving_ends_roles_and_lapses_open_proposals(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leaver = await org.add_member()
    teammate = await org.add_member()
    team_id = await team_of(gql, org, "Platform", leaver, teammate)
    coach = await held(gql, leaver, org.faculty, "COACH")
    owner = await held(gql, leaver, teammate, "PRODUCT_OWNER", team_id=team_id)
    offered = await volunteer(gql, leaver, "STRATEGY_FACULTY")
    proposal = await propose(gql, org.faculty, leaver, "TEAM_COACH", team_id=team_id)
    held_until = clock.now()
    travel(clock, org, timedelta(days=3))

    left = await mutate(gql, MARK_PERSON_LEFT, {"personId": leaver.id}, token=org.faculty.token)

    assert left["__typename"] == "MarkPersonLeftSuccess", left
    for role in (coach, owner):
        row = await node(gql, teammate, role["id"])
        assert row is not None
        assert row["status"] == "ENDED"
        assert datetime.fromisoformat(row["endedAt"]) == clock.now()
        assert row["endNote"] == "Left the organization."
    for open_one in (offered, proposal):
        row = await node(gql, org.faculty, open_one["id"])
        assert row is not None
        assert row["status"] == "WITHDRAWN"
    assert await role_holders(gql, teammate, "COACH") == []
    assert await team_leaders(gql, teammate, team_id) == []
    assert await team_leaders(gql, teammate, team_id, at=held_until) == [
        (leaver.id, "PRODUCT_OWNER")
    ]
    assert await proposals_to(gql, org.faculty) == []
    assert await proposals_from(gql, org.faculty) == []
    # The lapsed proposal cannot be confirmed later: the person has left.
    before = await snapshot(services)
    result = await answer(gql, ACCEPT, org.faculty, offered["id"])
    assert_error(result, "ConflictError", "PERSON_LEFT", None)
    assert await snapshot(services) == before


async def test_proposals_made_by_someone_who_left_lapse(gql: GraphQL, org: Org) -> None:
    proposer = await org.add_member(faculty=True)
    person = await org.add_member()
    proposal = await propose(gql, proposer, person, "STRATEGY_FACULTY")

    left = await mutate(gql, MARK_PERSON_LEFT, {"personId": proposer.id}, token=org.faculty.token)

    assert left["__typename"] == "MarkPersonLeftSuccess", left
    assert await proposals_to(gql, person) == []
    row = await node(gql, person, proposal["id"])
    assert row is not None
    assert row["status"] == "WITHDRAWN"
    assert_error(await answer(gql, ACCEPT, person, proposal["id"]), "ConflictError", "NOT_PROPOSED")
    assert await role_holders(gql, person, "STRATEGY_FACULTY") == []


async def test_role_mutations_need_sign_in(gql: GraphQL, org: Org, services: Services) -> None:
    member = await org.add_member()
    offered = await volunteer(gql, member, "COACH")
    before = await snapshot(services)

    calls: list[tuple[str, dict[str, Any]]] = [
        (VOLUNTEER, {"role": "COACH"}),
        (PROPOSE, {"personId": member.id, "role": "COACH"}),
        (ACCEPT, {"roleAssignmentId": offered["id"]}),
        (DECLINE, {"roleAssignmentId": offered["id"]}),
        (WITHDRAW, {"roleAssignmentId": offered["id"]}),
        (STEP_BACK, {"roleAssignmentId": offered["id"]}),
    ]
    for document, values in calls:
        body = await gql(document, {"input": values})
        assert "errors" not in body, body
        (result,) = body["data"].values()
        assert_error(result, "AuthenticationError", "UNAUTHENTICATED")

    assert await snapshot(services) == before


# --- history and time travel ---------------------------------------------------------------------


async def test_team_leaders_over_time(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    a = await org.add_member("Anna")
    b = await org.add_member("Ben")
    c = await org.add_member("Cleo")
    d = await org.add_member("Dan")
    team_id = await team_of(gql, org, "Platform", a, b, c, d)
    t0 = clock.now()

    travel(clock, org, timedelta(days=1))
    t1 = clock.now()
    a_owner = await held(gql, a, b, "PRODUCT_OWNER", team_id=team_id)

    travel(clock, org, timedelta(days=1))
    t2 = clock.now()
    await held(gql, b, a, "TEAM_COACH", team_id=team_id)
    # Proposals never count as held: one left open, one declined.
    await volunteer(gql, d, "TEAM_COACH", team_id=team_id)
    declined = await volunteer(gql, c, "TEAM_COACH", team_id=team_id)
    success(await answer(gql, DECLINE, a, declined["id"]))

    travel(clock, org, timedelta(days=1))
    t3 = clock.now()
    success(await step_back(gql, a, a_owner["id"]))

    travel(clock, org, timedelta(days=1))
    t4 = clock.now()
    await held(gql, c, b, "PRODUCT_OWNER", team_id=team_id)
    travel(clock, org, timedelta(hours=1))

    half = timedelta(hours=12)
    expected: list[tuple[datetime, list[tuple[str, str]]]] = [
        (t0, []),
        (t1 - timedelta(seconds=1), []),
        (t1, [(a.id, "PRODUCT_OWNER")]),
        (t1 + half, [(a.id, "PRODUCT_OWNER")]),
        (t2, [(a.id, "PRODUCT_OWNER"), (b.id, "TEAM_COACH")]),
        (t2 + half, [(a.id, "PRODUCT_OWNER"), (b.id, "TEAM_COACH")]),
        # Ended at t3: no longer held at that moment.
        (t3, [(b.id, "TEAM_COACH")]),
        (t3 + half, [(b.id, "TEAM_COACH")]),
        (t4, [(b.id, "TEAM_COACH"), (c.id, "PRODUCT_OWNER")]),
        (clock.now() + timedelta(days=365), [(b.id, "TEAM_COACH"), (c.id, "PRODUCT_OWNER")]),
    ]
    for moment, leaders in expected:
        assert await team_leaders(gql, d, team_id, at=moment) == leaders, moment

    assert await team_leaders(gql, d, team_id) == [(b.id, "TEAM_COACH"), (c.id, "PRODUCT_OWNER")]
    # The same moment in another timezone is the same moment.
    berlin = (t1 + half).astimezone(ZoneInfo("Europe/Berlin"))
    assert await team_leaders(gql, d, team_id, at=berlin) == [(a.id, "PRODUCT_OWNER")]


async def test_several_moments_in_one_request(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    a = await org.add_member()
    team_id = await team_of(gql, org, "Platform", a)
    t0 = clock.now()
    travel(clock, org, timedelta(days=1))
    await held(gql, a, org.faculty, "TEAM_COACH", team_id=team_id)
    query = """
    query ($id: ID!, $before: DateTime!) {
      node(id: $id) {
        ... on Team { now: leaders { person { id } } then: leaders(at: $before) { person { id } } }
      }
    }
    """

    data = await gql.data(query, {"id": team_id, "before": t0.isoformat()}, token=a.token)

    assert data["node"] == {"now": [{"person": {"id": a.id}}], "then": []}


async def test_area_leads_over_time(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    a = await org.add_member()
    b = await org.add_member()
    area = await create_area(gql, org.faculty.token, "Marketing")
    child = await create_area(gql, org.faculty.token, "Online Marketing", area["id"])

    travel(clock, org, timedelta(days=1))
    t1 = clock.now()
    a_lead = await held(gql, a, org.faculty, "FACULTY_LEAD", area_id=area["id"])
    await held(gql, b, org.faculty, "FACULTY_LEAD", area_id=child["id"])
    travel(clock, org, timedelta(days=1))
    t2 = clock.now()
    await held(gql, b, org.faculty, "FACULTY_LEAD", area_id=area["id"])
    travel(clock, org, timedelta(days=1))
    t3 = clock.now()
    success(await step_back(gql, a, a_lead["id"]))
    travel(clock, org, timedelta(days=1))

    assert await area_leads(gql, b, area["id"], at=t1 - timedelta(hours=1)) == []
    assert await area_leads(gql, b, area["id"], at=t1) == [(a.id, "FACULTY_LEAD")]
    assert await area_leads(gql, b, area["id"], at=t2 + timedelta(hours=1)) == [
        (a.id, "FACULTY_LEAD"),
        (b.id, "FACULTY_LEAD"),
    ]
    assert await area_leads(gql, b, area["id"], at=t3) == [(b.id, "FACULTY_LEAD")]
    assert await area_leads(gql, b, area["id"]) == [(b.id, "FACULTY_LEAD")]
    # Leading a sub-area is not leading its parent, and vice versa.
    assert await area_leads(gql, b, child["id"]) == [(b.id, "FACULTY_LEAD")]
    assert await area_leads(gql, b, child["id"], at=t1 - timedelta(hours=1)) == []


async def test_role_holders_over_time(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    a = await org.add_member()
    b = await org.add_member()
    t0 = clock.now()
    travel(clock, org, timedelta(days=1))
    t1 = clock.now()
    a_coach = await held(gql, a, org.faculty, "COACH")
    await held(gql, b, org.faculty, "STRATEGY_FACULTY")
    travel(clock, org, timedelta(days=1))
    t2 = clock.now()
    await held(gql, b, org.faculty, "COACH")
    travel(clock, org, timedelta(days=1))
    t3 = clock.now()
    success(await step_back(gql, a, a_coach["id"]))
    travel(clock, org, timedelta(days=1))

    assert await role_holders(gql, a, "COACH", at=t0) == []
    assert await role_holders(gql, a, "COACH", at=t1) == [a.id]
    assert await role_holders(gql, a, "COACH", at=t2) == [a.id, b.id]
    assert await role_holders(gql, a, "COACH", at=t3) == [b.id]
    assert await role_holders(gql, a, "COACH") == [b.id]
    assert await role_holders(gql, a, "STRATEGY_FACULTY", at=t0) == []
    assert await role_holders(gql, a, "STRATEGY_FACULTY", at=t1) == [b.id]
    assert await role_holders(gql, a, "STRATEGY_FACULTY") == [b.id]
    assert await role_holders(gql, a, "ORG_FACULTY", at=t0) == [org.faculty.id]


async def test_time_travel_needs_a_timezone(gql: GraphQL, org: Org) -> None:
    member = await org.add_member()
    team_id = await team_of(gql, org, "Platform", member)
    area = await create_area(gql, org.faculty.token, "Marketing")
    naive = "2026-03-01T12:00:00"

    for query, variables in (
        (TEAM_LEADERS, {"id": team_id, "at": naive}),
        (AREA_LEADS, {"id": area["id"], "at": naive}),
        (ROLE_HOLDERS, {"role": "COACH", "at": naive}),
    ):
        body = await gql(query, variables, token=member.token)
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert codes == ["INVALID_TIME"], body


@pytest.mark.parametrize("role", ["TEAM_COACH", "PRODUCT_OWNER", "FACULTY_LEAD"])
async def test_role_holders_refuses_scoped_roles(gql: GraphQL, org: Org, role: str) -> None:
    body = await gql(ROLE_HOLDERS, {"role": role}, token=org.faculty.token)

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SCOPED_ROLE"]


async def test_role_holders_needs_sign_in(gql: GraphQL, org: Org) -> None:
    codes = await gql.error_codes(ROLE_HOLDERS, {"role": "COACH"})

    assert codes == ["UNAUTHENTICATED"]


# --- privacy --------------------------------------------------------------------------------


async def test_an_open_volunteer_is_seen_only_by_those_who_may_answer(
    gql: GraphQL, org: Org, make_org: MakeOrg
) -> None:
    volunteer_member = await org.add_member()
    teammate = await org.add_member()
    outsider = await org.add_member()
    other = await make_org("Globex")
    team_id = await team_of(gql, org, "Platform", volunteer_member, teammate)
    org_offer = await volunteer(gql, volunteer_member, "COACH")
    team_offer = await volunteer(gql, volunteer_member, "TEAM_COACH", team_id=team_id)

    # The volunteer and org faculty see both.
    for viewer in (volunteer_member, org.faculty):
        for offer in (org_offer, team_offer):
            assert (await node(gql, viewer, offer["id"])) is not None
    assert set(await proposals_to(gql, org.faculty)) == {org_offer["id"], team_offer["id"]}
    # A teammate sees (and may answer) the team role only.
    assert await node(gql, teammate, team_offer["id"]) is not None
    assert await node(gql, teammate, org_offer["id"]) is None
    assert await proposals_to(gql, teammate) == [team_offer["id"]]
    # Anyone else, in or out of the organization, sees nothing.
    for viewer in (outsider, other.faculty):
        for offer in (org_offer, team_offer):
            assert await node(gql, viewer, offer["id"]) is None
        data = await gql.data(
            NODES, {"ids": [org_offer["id"], team_offer["id"]]}, token=viewer.token
        )
        assert data["nodes"] == [None, None]
    assert await proposals_to(gql, outsider) == []


async def test_a_proposal_is_seen_only_by_the_person_and_the_proposer(
    gql: GraphQL, org: Org
) -> None:
    person = await org.add_member()
    other_faculty = await org.add_member(faculty=True)
    bystander = await org.add_member()
    proposal = await propose(gql, org.faculty, person, "STRATEGY_FACULTY")
    declined_one = await propose(gql, org.faculty, person, "COACH")
    success(await answer(gql, DECLINE, person, declined_one["id"]))

    for shown in (proposal, declined_one):
        assert await node(gql, person, shown["id"]) is not None
        assert await node(gql, org.faculty, shown["id"]) is not None
        assert await node(gql, other_faculty, shown["id"]) is None
        assert await node(gql, bystander, shown["id"]) is None
    assert await proposals_to(gql, other_faculty) == []
    data = await gql.data(
        NODES, {"ids": [proposal["id"], declined_one["id"], person.id]}, token=bystander.token
    )
    assert data["nodes"] == [None, None, {"__typename": "Person", "id": person.id}]


async def test_held_roles_are_visible_to_every_member_but_not_other_organizations(
    gql: GraphQL, org: Org, make_org: MakeOrg
) -> None:
    holder = await org.add_member()
    bystander = await org.add_member()
    other = await make_org("Globex")
    coach = await held(gql, holder, org.faculty, "COACH")

    row = await node(gql, bystander, coach["id"])
    assert row is not None
    assert (row["status"], row["person"]) == ("ACTIVE", {"id": holder.id})
    assert [r["id"] for r in (await person_roles(gql, bystander, holder))["roles"]] == [coach["id"]]
    assert await node(gql, other.faculty, coach["id"]) is None
    data = await gql.data(NODES, {"ids": [coach["id"]]}, token=other.faculty.token)
    assert data["nodes"] == [None]
    assert await role_holders(gql, other.faculty, "COACH") == []


async def test_proposal_lists_are_only_on_yourself(gql: GraphQL, org: Org) -> None:
    person = await org.add_member()
    await propose(gql, org.faculty, person, "COACH")

    seen_by_faculty = await person_roles(gql, org.faculty, person)
    seen_by_self = await person_roles(gql, person, org.faculty)

    assert seen_by_faculty["roleProposalsToMe"] is None
    assert seen_by_faculty["roleProposalsFromMe"] is None
    assert seen_by_self["roleProposalsToMe"] is None
    assert seen_by_self["roleProposalsFromMe"] is None


# --- concurrency ------------------------------------------------------------------------------


def no_errors(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    (result,) = body["data"].values()
    assert isinstance(result, dict)
    return result


async def race(
    gql: GraphQL, calls: list[tuple[str, dict[str, Any], Member]]
) -> list[dict[str, Any]]:
    """Sends the mutations at once; each must come back as a typed result."""
    bodies = await asyncio.gather(
        *(gql(document, {"input": values}, token=by.token) for document, values, by in calls)
    )
    return [no_errors(body) for body in bodies]


async def test_two_org_faculty_confirm_the_same_volunteer_at_once(
    gql: GraphQL, org: Org, services: Services
) -> None:
    second = await org.add_member(faculty=True)
    volunteers = [await org.add_member() for _ in range(5)]

    for member in volunteers:
        offered = await volunteer(gql, member, "COACH")
        results = await race(
            gql,
            [
                (ACCEPT, {"roleAssignmentId": offered["id"]}, org.faculty),
                (ACCEPT, {"roleAssignmentId": offered["id"]}, second),
            ],
        )

        winners = [r for r in results if r["__typename"] == "RoleAssignmentSuccess"]
        losers = [r for r in results if r["__typename"] != "RoleAssignmentSuccess"]
        assert len(winners) == 1, results
        for loser in losers:
            assert loser["__typename"] == "ConflictError", loser
            assert loser["code"] in ("ROLE_ALREADY_HELD", "NOT_PROPOSED"), loser

    assert sorted(await role_holders(gql, second, "COACH")) == sorted(m.id for m in volunteers)
    rows, _ = await snapshot(services)
    assert sum(1 for row in rows if row[2] == "COACH" and row[3] == "ACTIVE") == len(volunteers)


async def test_many_confirmations_at_once_make_each_volunteer_a_holder_once(
    gql: GraphQL, org: Org, services: Services
) -> None:
    second = await org.add_member(faculty=True)
    volunteers = [await org.add_member() for _ in range(10)]
    offers = [await volunteer(gql, member, "COACH") for member in volunteers]

    results = await race(
        gql,
        [
            (ACCEPT, {"roleAssignmentId": offer["id"]}, confirmer)
            for offer in offers
            for confirmer in (org.faculty, second)
        ],
    )

    assert sum(r["__typename"] == "RoleAssignmentSuccess" for r in results) == len(volunteers)
    for result in results:
        if result["__typename"] != "RoleAssignmentSuccess":
            assert result["__typename"] == "ConflictError", result
            assert result["code"] in ("ROLE_ALREADY_HELD", "NOT_PROPOSED"), result
    assert sorted(await role_holders(gql, second, "COACH")) == sorted(m.id for m in volunteers)
    # Notifications: one acceptance per volunteer, never two.
    _, notification_count = await snapshot(services)
    assert notification_count == len(volunteers)


async def test_volunteering_while_being_proposed_leaves_one_open_proposal(
    gql: GraphQL, org: Org, services: Services
) -> None:
    """Both requests pass the duplicate check; the database's unique index on
    open proposals decides, and the loser gets the typed error."""
    area = await create_area(gql, org.faculty.token, "Marketing")
    for _ in range(5):
        member = await org.add_member()
        results = await race(
            gql,
            [
                (VOLUNTEER, {"role": "FACULTY_LEAD", "knowledgeAreaId": area["id"]}, member),
                (
                    PROPOSE,
                    {
                        "personId": member.id,
                        "role": "FACULTY_LEAD",
                        "knowledgeAreaId": area["id"],
                    },
                    org.faculty,
                ),
            ],
        )

        winners = [r for r in results if r["__typename"] == "RoleAssignmentSuccess"]
        assert len(winners) == 1, results
        for loser in (r for r in results if r["__typename"] != "RoleAssignmentSuccess"):
            assert_error(loser, "ConflictError", "DUPLICATE_PROPOSAL", None)
        rows, _ = await snapshot(services)
        open_rows = [r for r in rows if r[1] == member.person.id and r[3] == "PROPOSED"]
        assert len(open_rows) == 1


async def test_the_last_two_org_faculty_stepping_back_at_once_leave_one(
    gql: GraphQL, org: Org, services: Services
) -> None:
    for _ in range(5):
        second = await org.add_member()
        second_role = await held(gql, second, org.faculty, "ORG_FACULTY")
        founder_role = await founder_faculty_role(gql, org)

        results = await race(
            gql,
            [
                (STEP_BACK, {"roleAssignmentId": founder_role}, org.faculty),
                (STEP_BACK, {"roleAssignmentId": second_role["id"]}, second),
            ],
        )

        winners = [r for r in results if r["__typename"] == "RoleAssignmentSuccess"]
        assert len(winners) == 1, results
        for loser in (r for r in results if r["__typename"] != "RoleAssignmentSuccess"):
            assert_error(loser, "ConflictError", "LAST_ORG_FACULTY", None)
        holders = await role_holders(gql, org.faculty, "ORG_FACULTY")
        assert len(holders) == 1, holders
        if holders != [org.faculty.id]:
            # The founder stepped back: make them faculty again for the next round.
            await held(gql, org.faculty, second, "ORG_FACULTY")
            success(await step_back(gql, second, second_role["id"]))


async def test_accepting_while_the_person_is_marked_left(
    gql: GraphQL, org: Org, services: Services
) -> None:
    for _ in range(5):
        person = await org.add_member()
        proposal = await propose(gql, org.faculty, person, "COACH")

        accepted, left = await race(
            gql,
            [
                (ACCEPT, {"roleAssignmentId": proposal["id"]}, person),
                (MARK_PERSON_LEFT, {"personId": person.id}, org.faculty),
            ],
        )

        assert left["__typename"] == "MarkPersonLeftSuccess", left
        if accepted["__typename"] != "RoleAssignmentSuccess":
            assert accepted["__typename"] in ("ConflictError", "AuthenticationError"), accepted
        # Either way the person who left holds nothing.
        row = await node(gql, org.faculty, proposal["id"])
        assert row is not None
        assert row["status"] in ("ENDED", "WITHDRAWN"), row
        assert person.id not in await role_holders(gql, org.faculty, "COACH")
