from __future__ import annotations

from domain.talking_points import TalkingPoint
from persistence.repositories.base import TenantRepository


class SqlTalkingPointRepository(TenantRepository):
    async def add(self, point: TalkingPoint) -> None:
        self.session.add(point)
        await self.session.flush()
