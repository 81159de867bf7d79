from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role
from persistence.tables import role_assignments


async def holders_of_role(
    session: AsyncSession, organization_id: UUID, role: Role, person_ids: Sequence[UUID]
) -> set[UUID]:
    t = role_assignments
    rows = await session.scalars(
        select(t.c.person_id).where(
            t.c.organization_id == organization_id,
            t.c.role == role,
            t.c.person_id.in_(person_ids),
            t.c.ended_at.is_(None),
        )
    )
    return set(rows)
