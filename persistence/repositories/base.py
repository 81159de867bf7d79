from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession


class TenantRepository:
    """A repository bound to one organization. Every query filters on it, so
    rows of another tenant are unreachable through this object.

    `add` flushes at once: no relationships are mapped, so the ORM does not
    know the order foreign keys need, and the caller's order is the right one.
    It also surfaces a violated constraint where the row was added.

    Rows are locked FOR NO KEY UPDATE (`with_for_update(key_share=True)`):
    lockers of a row still wait for each other, but inserting a row that
    references it (a note on a locked meeting, an answer on a locked
    request) does not, so a parent lock never deadlocks with a child insert."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id
