from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, select, update

from domain.feedback_items import (
    FeedbackAction,
    FeedbackItem,
    FeedbackRef,
    FeedbackShare,
    ShareAudience,
)
from persistence.repositories.base import TenantRepository
from persistence.tables import feedback_actions, feedback_shares

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
                _source(s.c.item_id, s.c.request_id, ref),
                s.c.revoked_at.is_(None),
            )
            .order_by(s.c.created_at, s.c.id)
        )
        return list(rows)

    async def revoke_shares_with(
        self, owner_id: UUID, person_id: UUID, audience: ShareAudience, now: datetime
    ) -> None:
        await self.session.execute(
            update(s)
            .where(
                s.c.organization_id == self.organization_id,
                s.c.owner_id == owner_id,
                s.c.person_id == person_id,
                s.c.audience == audience,
                s.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )

    async def add_action(self, action: FeedbackAction) -> None:
        self.session.add(action)
        await self.session.flush()

    async def actions_of(self, ref: FeedbackRef) -> list[FeedbackAction]:
        rows = await self.session.scalars(
            select(FeedbackAction)
            .where(
                a.c.organization_id == self.organization_id,
                _source(a.c.item_id, a.c.request_id, ref),
            )
            .order_by(a.c.created_at, a.c.id)
        )
        return list(rows)


def _source(
    item_id: ColumnElement[UUID], request_id: ColumnElement[UUID], ref: FeedbackRef
) -> ColumnElement[bool]:
    return item_id == ref.item_id if ref.item_id is not None else request_id == ref.request_id
