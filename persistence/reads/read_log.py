"""The owner's view of the read log: who read each of their items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.read_log import ReadBy
from persistence.tables import read_log

t = read_log


async def readers_of(
    session: AsyncSession, organization_id: UUID, source_ids: Sequence[UUID], *, owner_id: UUID
) -> dict[UUID, list[ReadBy]]:
    """Each item's readers, their reads summed over the days kept and the
    latest reader first, for all items in one statement. Only the owner's
    own items answer: the viewer is the owner or sees nothing."""
    last_read_at = func.max(t.c.last_read_at)
    rows = await session.execute(
        select(t.c.source_id, t.c.reader_id, last_read_at, func.sum(t.c.read_count))
        .where(
            t.c.organization_id == organization_id,
            t.c.source_id.in_(source_ids),
            t.c.owner_id == owner_id,
        )
        .group_by(t.c.source_id, t.c.reader_id)
        .order_by(t.c.source_id, last_read_at.desc(), t.c.reader_id.desc())
    )
    result: dict[UUID, list[ReadBy]] = defaultdict(list)
    for source_id, reader_id, last, count in rows:
        result[source_id].append(ReadBy(reader_id=reader_id, last_read_at=last, read_count=count))
    return result
