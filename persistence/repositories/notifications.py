from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import update

from domain.notifications import Notification
from persistence.repositories.base import TenantRepository
from persistence.tables import notifications


class SqlNotificationRepository(TenantRepository):
    async def add(self, notification: Notification) -> None:
        self.session.add(notification)
        await self.session.flush()

    async def mark_read(self, recipient_id: UUID, ids: Sequence[UUID] | None, now: datetime) -> int:
        """Marks the recipient's notifications read (all of them when `ids` is
        None); others' ids are silently ignored. Returns how many changed."""
        query = (
            update(notifications)
            .where(
                notifications.c.organization_id == self.organization_id,
                notifications.c.recipient_id == recipient_id,
                notifications.c.read_at.is_(None),
            )
            .values(read_at=now)
        )
        if ids is not None:
            query = query.where(notifications.c.id.in_(ids))
        result = await self.session.execute(query)
        return result.rowcount or 0
