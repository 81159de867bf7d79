from __future__ import annotations

from uuid import UUID

from sqlalchemy import exists, func, select

from domain.teams import Team, TeamMembership
from persistence.repositories.base import TenantRepository
from persistence.tables import teams


class SqlTeamRepository(TenantRepository):
    async def add(self, team: Team) -> None:
        self.session.add(team)
        await self.session.flush()

    async def get(self, team_id: UUID) -> Team | None:
        return await self.session.scalar(
            select(Team).filter_by(organization_id=self.organization_id, id=team_id)
        )

    async def name_taken(self, name: str, *, except_id: UUID | None = None) -> bool:
        condition = exists().where(
            teams.c.organization_id == self.organization_id,
            func.lower(teams.c.name) == name.lower(),
        )
        if except_id is not None:
            condition = condition.where(teams.c.id != except_id)
        return bool(await self.session.scalar(select(condition)))


class SqlTeamMembershipRepository(TenantRepository):
    async def add(self, membership: TeamMembership) -> None:
        self.session.add(membership)
        await self.session.flush()

    async def current(self, team_id: UUID, person_id: UUID) -> TeamMembership | None:
        return await self.session.scalar(
            select(TeamMembership).filter_by(
                organization_id=self.organization_id,
                team_id=team_id,
                person_id=person_id,
                ended_at=None,
            )
        )

    async def current_of_person(self, person_id: UUID) -> list[TeamMembership]:
        rows = await self.session.scalars(
            select(TeamMembership).filter_by(
                organization_id=self.organization_id, person_id=person_id, ended_at=None
            )
        )
        return list(rows)
