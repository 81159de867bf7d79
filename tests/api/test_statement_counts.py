"""No N+1: a nested list query executes the same, constant number of SQL
statements however many rows it returns (one batched read per level)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI

from api.context import Services
from domain.knowledge_areas import KnowledgeArea
from domain.teams import Team, TeamMembership
from tests.api.harness import GraphQL, Org, count_statements

OrgFactory = Callable[..., Awaitable[Org]]

PEOPLE = """
query People($first: Int!) {
  people(first: $first) { edges { node { id name teams { name } isOrgFaculty } } }
}
"""

TEAMS = """
{ teams(first: 20) { edges { node { name members { name teams { name } } } } } }
"""

AREAS = """
query Areas($first: Int!) {
  knowledgeAreas(first: $first) {
    edges { node { name children { name parent { name } } parent { name children { name } } } }
  }
}
"""

# Pinned. One statement each for: the viewer (person loader), the page, and
# one batch per nested list or flag. A change here is either a regression (N+1)
# or a deliberate change of the read path: look at `counter.statements`.
PEOPLE_STATEMENTS = 4  # viewer, people page, teams of people, org faculty holders
TEAMS_STATEMENTS = 4  # viewer, teams page, members of teams, teams of members
AREAS_STATEMENTS = 4  # viewer, areas page, children of areas, areas by id (parents)


async def _people_with_teams(services: Services, org: Org, people: int, teams: int) -> None:
    """`people` people in all (the founder included), each in one or two teams."""
    while len(org.members) + 1 < people:
        await org.add_member(f"Person {len(org.members) + 1:03d}")
    everyone = [org.faculty.person] + [m.person for m in org.members]
    now = services.clock.now()
    async with services.uow_factory(org.id) as uow:
        created = [
            Team.create(organization_id=org.id, name=f"Team {t:02d}", now=now) for t in range(teams)
        ]
        for team in created:
            await uow.teams.add(team)
        for i, person in enumerate(everyone):
            chosen = [created[i % teams]]
            if i % 2 == 0:
                chosen.append(created[(i + 1) % teams])
            for team in chosen:
                await uow.memberships.add(
                    TeamMembership(
                        organization_id=org.id, team_id=team.id, person_id=person.id, started_at=now
                    )
                )
        await uow.commit()


async def _area_tree(services: Services, org: Org, areas: int) -> None:
    """`areas` knowledge areas: a few roots, the rest children and grandchildren."""
    now = services.clock.now()
    async with services.uow_factory(org.id) as uow:
        created: list[KnowledgeArea] = []
        for i in range(areas):
            parent = created[(i - 1) // 3] if i > 0 and i % 4 else None
            area = KnowledgeArea.create(
                organization_id=org.id,
                name=f"Area {i:03d}",
                parent_id=parent.id if parent else None,
                now=now,
            )
            await uow.areas.add(area)
            created.append(area)
        await uow.commit()


async def _count(
    app: FastAPI, gql: GraphQL, query: str, variables: dict[str, Any], token: str
) -> tuple[int, dict[str, Any]]:
    with count_statements(app.state.engine) as counter:
        data = await gql.data(query, variables, token=token)
    return counter.count, data


async def test_people_with_teams_and_faculty_flag(
    app: FastAPI, gql: GraphQL, services: Services, make_org: OrgFactory
) -> None:
    counts: dict[int, int] = {}
    for size in (5, 50):
        org = await make_org(f"People {size}")
        await _people_with_teams(services, org, size, teams=3)
        count, data = await _count(app, gql, PEOPLE, {"first": size}, org.faculty.token)
        nodes = [edge["node"] for edge in data["people"]["edges"]]
        assert len(nodes) == size
        assert all(1 <= len(n["teams"]) <= 2 for n in nodes)
        assert sum(n["isOrgFaculty"] for n in nodes) == 1
        counts[size] = count
    assert counts[5] == counts[50] == PEOPLE_STATEMENTS, counts


async def test_teams_with_members_and_their_teams(
    app: FastAPI, gql: GraphQL, services: Services, make_org: OrgFactory
) -> None:
    counts: dict[int, int] = {}
    for size, teams in ((5, 2), (50, 12)):
        org = await make_org(f"Teams {size}")
        await _people_with_teams(services, org, size, teams=teams)
        count, data = await _count(app, gql, TEAMS, {}, org.faculty.token)
        nodes = [edge["node"] for edge in data["teams"]["edges"]]
        assert len(nodes) == teams
        members = [m for n in nodes for m in n["members"]]
        assert len({m["name"] for m in members}) == size
        assert all(m["teams"] for m in members)
        counts[size] = count
    assert counts[5] == counts[50] == TEAMS_STATEMENTS, counts


async def test_knowledge_areas_with_children_and_parent(
    app: FastAPI, gql: GraphQL, services: Services, make_org: OrgFactory
) -> None:
    counts: dict[int, int] = {}
    for size in (5, 50):
        org = await make_org(f"Areas {size}")
        await _area_tree(services, org, size)
        count, data = await _count(app, gql, AREAS, {"first": size}, org.faculty.token)
        nodes = [edge["node"] for edge in data["knowledgeAreas"]["edges"]]
        assert len(nodes) == size
        assert any(n["children"] for n in nodes)
        assert any(n["parent"] for n in nodes)
        assert any(n["parent"] is None for n in nodes)
        counts[size] = count
    assert counts[5] == counts[50] == AREAS_STATEMENTS, counts
