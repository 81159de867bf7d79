from __future__ import annotations

from uuid import UUID

from sqlalchemy import and_, exists, func, or_, select, text

from domain.roles import Role, RoleAssignment, RoleStatus
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import role_assignments


class SqlRoleAssignmentRepository(TenantRepository):
    async def add(self, assignment: RoleAssignment) -> None:
        self.session.add(assignment)
        await self.session.flush()

    async def get(self, assignment_id: UUID, *, for_update: bool = False) -> RoleAssignment | None:
        query = select(RoleAssignment).filter_by(
            organization_id=self.organization_id, id=assignment_id
        )
        return await self.session.scalar(locked(query, for_update))

    async def holds(self, person_id: UUID, role: Role) -> bool:
        t = role_assignments
        return bool(
            await self.session.scalar(
                select(
                    exists().where(
                        t.c.organization_id == self.organization_id,
                        t.c.person_id == person_id,
                        t.c.role == role,
                        t.c.status == RoleStatus.ACTIVE,
                    )
                )
            )
        )

    async def current(
        self, person_id: UUID, role: Role, team_id: UUID | None, knowledge_area_id: UUID | None
    ) -> RoleAssignment | None:
        return await self._in_scope(person_id, role, team_id, knowledge_area_id, RoleStatus.ACTIVE)

    async def open_proposal(
        self, person_id: UUID, role: Role, team_id: UUID | None, knowledge_area_id: UUID | None
    ) -> RoleAssignment | None:
        return await self._in_scope(
            person_id, role, team_id, knowledge_area_id, RoleStatus.PROPOSED
        )

    async def count_current(self, role: Role) -> int:
        t = role_assignments
        return (
            await self.session.scalar(
                select(func.count()).where(
                    t.c.organization_id == self.organization_id,
                    t.c.role == role,
                    t.c.status == RoleStatus.ACTIVE,
                )
            )
            or 0
        )

    async def lock_role(self, role: Role) -> None:
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"role:{self.organization_id}:{role.value}"},
        )

    async def open_for_person(self, person_id: UUID) -> list[RoleAssignment]:
        t = role_assignments
        rows = await self.session.scalars(
            select(RoleAssignment)
            .where(
                t.c.organization_id == self.organization_id,
                or_(
                    and_(
                        t.c.person_id == person_id,
                        t.c.status.in_((RoleStatus.PROPOSED, RoleStatus.ACTIVE)),
                    ),
                    and_(t.c.proposed_by_id == person_id, t.c.status == RoleStatus.PROPOSED),
                ),
            )
            .with_for_update(key_share=True)
        )
        return list(rows)

    async def _in_scope(
        self,
        person_id: UUID,
        role: Role,
        team_id: UUID | None,
        knowledge_area_id: UUID | None,
        status: RoleStatus,
    ) -> RoleAssignment | None:
        t = role_assignments
        return await self.session.scalar(
            select(RoleAssignment).where(
                t.c.organization_id == self.organization_id,
                t.c.person_id == person_id,
                t.c.role == role,
                t.c.team_id.is_(None) if team_id is None else t.c.team_id == team_id,
                t.c.knowledge_area_id.is_(None)
                if knowledge_area_id is None
                else t.c.knowledge_area_id == knowledge_area_id,
                t.c.status == status,
            )
        )
