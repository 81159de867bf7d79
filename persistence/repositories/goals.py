from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update

from domain.goals import Audience, CheckIn, Goal, GoalShare
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import goal_shares, goals


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

    async def active_share(
        self, goal_id: UUID, audience: Audience, person_id: UUID | None
    ) -> GoalShare | None:
        s = goal_shares
        return await self.session.scalar(
            select(GoalShare).where(
                s.c.organization_id == self.organization_id,
                s.c.goal_id == goal_id,
                s.c.audience == audience,
                s.c.person_id.is_(None) if person_id is None else s.c.person_id == person_id,
                s.c.revoked_at.is_(None),
            )
        )

    async def revoke_mentor_shares(self, owner_id: UUID, mentor_id: UUID, now: datetime) -> None:
        s, g = goal_shares, goals
        owned = select(g.c.id).where(
            g.c.organization_id == self.organization_id, g.c.owner_id == owner_id
        )
        await self.session.execute(
            update(s)
            .where(
                s.c.organization_id == self.organization_id,
                s.c.audience == Audience.MENTOR,
                s.c.person_id == mentor_id,
                s.c.revoked_at.is_(None),
                s.c.goal_id.in_(owned),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )
