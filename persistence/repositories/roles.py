from __future__ import annotations

from uuid import UUID

from sqlalchemy import exists, select

from domain.roles import Role, RoleAssignment
from persistence.repositories.base import TenantRepository
from persistence.tables import role_assignments


class SqlRoleAssignmentRepository(TenantRepository):
    async def add(self, assignment: RoleAssignment) -> None:
        self.session.add(assignment)
        await self.session.flush()

    async def holds(self, person_id: UUID, role: Role) -> bool:
        t = role_assignments
        return bool(
            await self.session.scalar(
                select(
                    exists().where(
                        t.c.organization_id == self.organization_id,
                        t.c.person_id == person_id,
                        t.c.role == role,
                        t.c.ended_at.is_(None),
                    )
                )
            )
        )
