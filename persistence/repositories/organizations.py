from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.organizations import Organization
from persistence.tables import organizations


class SqlOrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, organization: Organization) -> None:
        self.session.add(organization)
        await self.session.flush()

    async def get(self, organization_id: UUID) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    async def get_by_slug(self, slug: str) -> Organization | None:
        return await self.session.scalar(select(Organization).filter_by(slug=slug))

    async def all_ids(self) -> list[UUID]:
        rows = await self.session.scalars(select(organizations.c.id).order_by(organizations.c.id))
        return list(rows)
