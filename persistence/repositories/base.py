from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

Query = TypeVar("Query", bound=Select[Any])


def locked(query: Query, for_update: bool = True) -> Query:
    """The rows locked FOR NO KEY UPDATE (see TenantRepository), and read
    afresh even if the session holds them already, so the caller decides
    on what is now committed."""
    if not for_update:
        return query
    return query.with_for_update(key_share=True).execution_options(populate_existing=True)


class TenantRepository:
    """A repository bound to one organization. Every query filters on it, so
    rows of another tenant are unreachable through this object.

    `add` flushes at once: no relationships are mapped, so the ORM does not
    know the order foreign keys need, and the caller's order is the right one.
    It also surfaces a violated constraint where the row was added.

    Rows are locked FOR NO KEY UPDATE (`locked`, or `key_share=True` where
    a query needs other lock options):
    lockers of a row still wait for each other, but inserting a row that
    references it (a note on a locked meeting, an answer on a locked
    request) does not, so a parent lock never deadlocks with a child insert."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id
