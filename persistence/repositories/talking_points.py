from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from domain.talking_points import TalkingPoint
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import talking_points

t = talking_points


class SqlTalkingPointRepository(TenantRepository):
    async def add(self, point: TalkingPoint) -> None:
        self.session.add(point)
        await self.session.flush()

    async def unplaced(self, relationship_id: UUID) -> list[TalkingPoint]:
        rows = await self.session.scalars(
            locked(
                select(TalkingPoint)
                .where(
                    t.c.organization_id == self.organization_id,
                    t.c.relationship_id == relationship_id,
                    t.c.placed_at.is_(None),
                )
                .order_by(t.c.created_at, t.c.id)
            )
        )
        return list(rows)
