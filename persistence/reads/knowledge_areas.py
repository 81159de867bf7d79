from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.knowledge_areas import KnowledgeArea
from domain.pagination import Page, PageRequest
from persistence.reads.pagination import by_name, keyset_page
from persistence.tables import knowledge_areas


async def areas_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, KnowledgeArea]:
    t = knowledge_areas
    rows = await session.scalars(
        select(KnowledgeArea).where(t.c.organization_id == organization_id, t.c.id.in_(ids))
    )
    return {a.id: a for a in rows}


async def children_of_areas(
    session: AsyncSession, organization_id: UUID, parent_ids: Sequence[UUID]
) -> dict[UUID, list[KnowledgeArea]]:
    t = knowledge_areas
    rows = await session.scalars(
        select(KnowledgeArea)
        .where(t.c.organization_id == organization_id, t.c.parent_id.in_(parent_ids))
        .order_by(by_name(t.c.name), t.c.id)
    )
    result: dict[UUID, list[KnowledgeArea]] = defaultdict(list)
    for area in rows:
        assert area.parent_id is not None
        result[area.parent_id].append(area)
    return result


async def areas_page(
    session: AsyncSession, organization_id: UUID, request: PageRequest, *, roots_only: bool
) -> Page[KnowledgeArea]:
    t = knowledge_areas
    query = select(KnowledgeArea).where(t.c.organization_id == organization_id)
    if roots_only:
        query = query.where(t.c.parent_id.is_(None))
    return await keyset_page(
        session,
        query,
        (by_name(t.c.name), t.c.id),
        request,
    )
