from __future__ import annotations

from uuid import UUID

from sqlalchemy import ColumnElement, and_, select

from domain.agreements import AgreementChange, AgreementStatus, AutonomyAgreement
from domain.roles import Role
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import autonomy_agreements, role_assignments


class SqlAgreementRepository(TenantRepository):
    async def add(self, agreement: AutonomyAgreement) -> None:
        self.session.add(agreement)
        await self.session.flush()

    async def get(
        self, agreement_id: UUID, *, for_update: bool = False
    ) -> AutonomyAgreement | None:
        query = select(AutonomyAgreement).filter_by(
            organization_id=self.organization_id, id=agreement_id
        )
        return await self.session.scalar(locked(query, for_update))

    async def add_change(self, change: AgreementChange) -> None:
        self.session.add(change)
        await self.session.flush()

    async def open_in_relationship(self, relationship_id: UUID) -> list[AutonomyAgreement]:
        return await self._open(autonomy_agreements.c.relationship_id == relationship_id)

    async def open_in_role(self, role_assignment_id: UUID) -> list[AutonomyAgreement]:
        return await self._open(autonomy_agreements.c.role_assignment_id == role_assignment_id)

    async def open_in_team(self, team_id: UUID, follower_id: UUID) -> list[AutonomyAgreement]:
        a, r = autonomy_agreements, role_assignments
        in_team = select(r.c.id).where(r.c.team_id == team_id, r.c.role == Role.PRODUCT_OWNER)
        return await self._open(
            and_(a.c.follower_id == follower_id, a.c.role_assignment_id.in_(in_team))
        )

    async def _open(self, condition: ColumnElement[bool]) -> list[AutonomyAgreement]:
        a = autonomy_agreements
        rows = await self.session.scalars(
            select(AutonomyAgreement)
            .where(
                a.c.organization_id == self.organization_id,
                condition,
                a.c.status != AgreementStatus.ENDED,
            )
            .with_for_update(key_share=True)
        )
        return list(rows)
