from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import exists, select

from domain.people import Person
from persistence.repositories.base import TenantRepository
from persistence.tables import people


class SqlPersonRepository(TenantRepository):
    async def add(self, person: Person) -> None:
        self.session.add(person)
        await self.session.flush()

    async def get(self, person_id: UUID) -> Person | None:
        return await self.session.scalar(
            select(Person).filter_by(organization_id=self.organization_id, id=person_id)
        )

    async def handle_taken(self, handle: str) -> bool:
        return bool(
            await self.session.scalar(
                select(
                    exists().where(
                        people.c.organization_id == self.organization_id, people.c.handle == handle
                    )
                )
            )
        )

    async def email_taken(self, email: str) -> bool:
        return bool(
            await self.session.scalar(
                select(
                    exists().where(
                        people.c.organization_id == self.organization_id, people.c.email == email
                    )
                )
            )
        )

    async def lock(self, person_ids: Sequence[UUID]) -> None:
        await self.session.execute(
            select(people.c.id)
            .where(people.c.organization_id == self.organization_id, people.c.id.in_(person_ids))
            .order_by(people.c.id)
            # NO KEY UPDATE serializes the lockers just as well, but lets rows
            # that merely reference these people (notifications, goals...) be
            # written meanwhile.
            .with_for_update(key_share=True)
        )
