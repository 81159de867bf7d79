from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.pagination import Page, PageRequest
from domain.people import Person, PersonStatus
from persistence.reads.pagination import by_name, keyset_page
from persistence.tables import accounts, people, sessions


async def people_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, Person]:
    rows = await session.scalars(
        select(Person).where(people.c.organization_id == organization_id, people.c.id.in_(ids))
    )
    return {p.id: p for p in rows}


async def viewer(
    session: AsyncSession, organization_id: UUID, person_id: UUID, session_id: UUID
) -> tuple[Person, bool] | None:
    """The person an access token names, and whether the session it carries
    is still live: one statement (the person and the session, each by
    primary key, the session through the person's account), so checking the
    session costs no round trip of its own."""
    live = (
        select(sessions.c.id)
        .join(accounts, accounts.c.id == sessions.c.account_id)
        .where(
            sessions.c.id == session_id,
            sessions.c.ended_at.is_(None),
            accounts.c.person_id == people.c.id,
        )
        .exists()
    )
    row = (
        await session.execute(
            select(Person, live).where(
                people.c.organization_id == organization_id, people.c.id == person_id
            )
        )
    ).first()
    return None if row is None else (row[0], bool(row[1]))


async def people_page(
    session: AsyncSession,
    organization_id: UUID,
    request: PageRequest,
    *,
    status: PersonStatus | None = None,
    search: str | None = None,
) -> Page[Person]:
    """The directory, by name. `search` matches name or handle, case-insensitively."""
    query = select(Person).where(people.c.organization_id == organization_id)
    if status is not None:
        query = query.where(people.c.status == status)
    search = (search or "").replace("\x00", "")
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(people.c.name.ilike(pattern) | people.c.handle.ilike(pattern))
    return await keyset_page(
        session,
        query,
        (by_name(people.c.name), people.c.id),
        request,
    )


async def people_with_account(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> set[UUID]:
    rows = await session.scalars(
        select(accounts.c.person_id).where(
            accounts.c.organization_id == organization_id, accounts.c.person_id.in_(ids)
        )
    )
    return set(rows)
