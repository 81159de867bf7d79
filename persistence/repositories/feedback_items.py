from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from domain.feedback_items import (
    FeedbackAction,
    FeedbackItem,
    FeedbackRef,
    FeedbackShare,
)
from persistence.repositories.base import TenantRepository
from persistence.tables import feedback_actions, feedback_shares
from persistence.tables.feedback_items import source

# Lookups match on `source(...)`, the expression the indexes are built on.
s, a = feedback_shares, feedback_actions


class SqlFeedbackItemRepository(TenantRepository):
    async def add(self, item: FeedbackItem) -> None:
        self.session.add(item)
        await self.session.flush()

    async def get(self, item_id: UUID) -> FeedbackItem | None:
        return await self.session.scalar(
            select(FeedbackItem).filter_by(organization_id=self.organization_id, id=item_id)
        )

    async def add_share(self, share: FeedbackShare) -> None:
        self.session.add(share)
        await self.session.flush()

    async def active_shares(self, ref: FeedbackRef) -> list[FeedbackShare]:
        rows = await self.session.scalars(
            select(FeedbackShare)
            .where(
                s.c.organization_id == self.organization_id,
                source(s) == ref.source_id,
                s.c.revoked_at.is_(None),
            )
            .order_by(s.c.created_at, s.c.id)
        )
        return list(rows)

    async def add_action(self, action: FeedbackAction) -> None:
        self.session.add(action)
        await self.session.flush()

    async def actions_of(self, ref: FeedbackRef) -> list[FeedbackAction]:
        rows = await self.session.scalars(
            select(FeedbackAction)
            .where(
                a.c.organization_id == self.organization_id,
                source(a) == ref.source_id,
            )
            .order_by(a.c.created_at, a.c.id)
        )
        return list(rows)
