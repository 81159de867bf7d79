from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from sqlalchemy import exists, func, literal, select, text

from domain.knowledge_areas import KnowledgeArea
from persistence.repositories.base import TenantRepository
from persistence.tables import knowledge_areas


class SqlKnowledgeAreaRepository(TenantRepository):
    async def add(self, area: KnowledgeArea) -> None:
        self.session.add(area)
        await self.session.flush()

    async def get(self, area_id: UUID) -> KnowledgeArea | None:
        return await self.session.scalar(
            select(KnowledgeArea).filter_by(organization_id=self.organization_id, id=area_id)
        )

    async def ancestry(self, area_id: UUID) -> Sequence[UUID]:
        t = knowledge_areas
        chain = (
            select(t.c.id, t.c.parent_id, literal(0).label("depth"))
            .where(t.c.organization_id == self.organization_id, t.c.id == area_id)
            .cte("chain", recursive=True)
        )
        chain = chain.union_all(
            select(t.c.id, t.c.parent_id, (chain.c.depth + 1).label("depth"))
            .join(chain, t.c.id == chain.c.parent_id)
            .where(t.c.organization_id == self.organization_id)
        )
        rows = await self.session.scalars(select(chain.c.id).order_by(chain.c.depth))
        return list(rows)

    async def parents(self) -> Mapping[UUID, UUID | None]:
        t = knowledge_areas
        rows = await self.session.execute(
            select(t.c.id, t.c.parent_id).where(t.c.organization_id == self.organization_id)
        )
        return {area_id: parent_id for area_id, parent_id in rows}

    async def lock_tree(self) -> None:
        # Transaction-scoped advisory lock keyed by the organization.
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"knowledge_area_tree:{self.organization_id}"},
        )

    async def sibling_name_taken(
        self, name: str, parent_id: UUID | None, *, except_id: UUID | None = None
    ) -> bool:
        t = knowledge_areas
        condition = exists().where(
            t.c.organization_id == self.organization_id,
            t.c.parent_id.is_(None) if parent_id is None else t.c.parent_id == parent_id,
            func.lower(t.c.name) == name.lower(),
        )
        if except_id is not None:
            condition = condition.where(t.c.id != except_id)
        return bool(await self.session.scalar(select(condition)))
