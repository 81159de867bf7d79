from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from domain.goals import CheckIn, Goal, GoalShare
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import goal_shares


class SqlGoalRepository(TenantRepository):
    async def add(self, goal: Goal) -> None:
        self.session.add(goal)
        await self.session.flush()

    async def get(self, goal_id: UUID, *, for_update: bool = False) -> Goal | None:
        query = select(Goal).filter_by(organization_id=self.organization_id, id=goal_id)
        return await self.session.scalar(locked(query, for_update))

    async def add_check_in(self, check_in: CheckIn) -> None:
        self.session.add(check_in)
        await self.session.flush()

    async def add_share(self, share: GoalShare) -> None:
        self.session.add(share)
        await self.session.flush()

    async def active_shares(self, goal_id: UUID) -> list[GoalShare]:
        rows = await self.session.scalars(
            select(GoalShare)
            .where(
                goal_shares.c.organization_id == self.organization_id,
                goal_shares.c.goal_id == goal_id,
                goal_shares.c.revoked_at.is_(None),
            )
            .order_by(goal_shares.c.created_at, goal_shares.c.id)
        )
        return list(rows)
