from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.pagination import Page, PageRequest
from domain.people import Person
from domain.teams import Team, TeamMembership
from persistence.reads.pagination import by_name, keyset_page
from persistence.tables import people, team_memberships, teams


async def teams_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, Team]:
    rows = await session.scalars(
        select(Team).where(teams.c.organization_id == organization_id, teams.c.id.in_(ids))
    )
    return {t.id: t for t in rows}


async def teams_page(
    session: AsyncSession, organization_id: UUID, request: PageRequest
) -> Page[Team]:
    return await keyset_page(
        session,
        select(Team).where(teams.c.organization_id == organization_id),
        (by_name(teams.c.name), teams.c.id),
        request,
    )


async def current_teams_of_people(
    session: AsyncSession, organization_id: UUID, person_ids: Sequence[UUID]
) -> dict[UUID, list[Team]]:
    """Each person's current teams, by team name: one statement for all."""
    m = team_memberships
    rows = await session.execute(
        select(m.c.person_id, Team)
        .join(teams, teams.c.id == m.c.team_id)
        .where(
            m.c.organization_id == organization_id,
            m.c.person_id.in_(person_ids),
            m.c.ended_at.is_(None),
        )
        .order_by(by_name(teams.c.name), teams.c.id)
    )
    result: dict[UUID, list[Team]] = defaultdict(list)
    for person_id, team in rows:
        result[person_id].append(team)
    return result


async def current_members_of_teams(
    session: AsyncSession, organization_id: UUID, team_ids: Sequence[UUID]
) -> dict[UUID, list[Person]]:
    m = team_memberships
    rows = await session.execute(
        select(m.c.team_id, Person)
        .join(people, people.c.id == m.c.person_id)
        .where(
            m.c.organization_id == organization_id,
            m.c.team_id.in_(team_ids),
            m.c.ended_at.is_(None),
        )
        .order_by(by_name(people.c.name), people.c.id)
    )
    result: dict[UUID, list[Person]] = defaultdict(list)
    for team_id, person in rows:
        result[team_id].append(person)
    return result


async def memberships_of_teams(
    session: AsyncSession, organization_id: UUID, team_ids: Sequence[UUID]
) -> dict[UUID, list[TeamMembership]]:
    """The whole history, newest first."""
    m = team_memberships
    rows = await session.scalars(
        select(TeamMembership)
        .where(m.c.organization_id == organization_id, m.c.team_id.in_(team_ids))
        .order_by(m.c.started_at.desc(), m.c.id)
    )
    result: dict[UUID, list[TeamMembership]] = defaultdict(list)
    for membership in rows:
        result[membership.team_id].append(membership)
    return result
