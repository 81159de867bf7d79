from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.notifications import Notification
from domain.pagination import Page, PageRequest
from persistence.reads.pagination import keyset_page
from persistence.tables import notifications

n = notifications


async def notifications_page(
    session: AsyncSession,
    organization_id: UUID,
    recipient_id: UUID,
    request: PageRequest,
    *,
    unread_only: bool,
) -> Page[Notification]:
    query = select(Notification).where(
        n.c.organization_id == organization_id, n.c.recipient_id == recipient_id
    )
    if unread_only:
        query = query.where(n.c.read_at.is_(None))
    return await keyset_page(
        session,
        query,
        (n.c.created_at, n.c.id),
        request,
        descending=True,
    )


async def unread_count(session: AsyncSession, organization_id: UUID, recipient_id: UUID) -> int:
    return (
        await session.scalar(
            select(func.count()).where(
                n.c.organization_id == organization_id,
                n.c.recipient_id == recipient_id,
                n.c.read_at.is_(None),
            )
        )
        or 0
    )


async def notifications_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, Notification]:
    rows = await session.scalars(
        select(Notification).where(n.c.organization_id == organization_id, n.c.id.in_(ids))
    )
    return {x.id: x for x in rows}
