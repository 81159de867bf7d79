from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert

from domain.read_log import ReadRecord, ReadSource
from persistence.repositories.base import TenantRepository
from persistence.tables import read_log

t = read_log

_SOURCE_COLUMN = {
    ReadSource.GOAL: "goal_id",
    ReadSource.FEEDBACK_ITEM: "item_id",
    ReadSource.FEEDBACK_RESULTS: "request_id",
}
_COLUMNS = (
    "source_id",
    "goal_id",
    "item_id",
    "request_id",
    "owner_id",
    "reader_id",
    "day",
    "last_read_at",
    "read_count",
)


def _array(name: str, values: list[Any]) -> sa.BindParameter[Any]:
    """Typed, so that PostgreSQL knows what unnest returns ($n::uuid[])."""
    return sa.bindparam(name, values, type_=ARRAY(t.c[name].type))


class SqlReadLogRepository(TenantRepository):
    async def add(self, records: Sequence[ReadRecord]) -> None:
        """One INSERT ... ON CONFLICT for all records, their columns sent as
        arrays: the statement and its parameters have the same shape for one
        record or thousands (one prepared statement, far below the limit of
        parameters). A concurrent request of the same reader on the same day
        waits for the other's row and then adds to it."""
        rows = [
            {
                "source_id": r.source_id,
                **dict.fromkeys(_SOURCE_COLUMN.values()),
                _SOURCE_COLUMN[r.source]: r.source_id,
                "owner_id": r.owner_id,
                "reader_id": r.reader_id,
                "day": r.day,
                "last_read_at": r.last_read_at,
                "read_count": r.read_count,
            }
            for r in records
        ]
        unnested = (
            sa.func.unnest(*(_array(name, [row[name] for row in rows]) for name in _COLUMNS))
            .table_valued(*_COLUMNS)
            .render_derived(name="r")
        )
        organization = sa.literal(self.organization_id, t.c.organization_id.type)
        statement = insert(t).from_select(
            ["organization_id", *_COLUMNS],
            sa.select(organization, *(unnested.c[name] for name in _COLUMNS)),
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[t.c.source_id, t.c.reader_id, t.c.day],
                set_={
                    "read_count": t.c.read_count + statement.excluded.read_count,
                    "last_read_at": sa.func.greatest(
                        t.c.last_read_at, statement.excluded.last_read_at
                    ),
                },
            )
        )

    async def remove_before(self, day: date) -> int:
        result = await self.session.execute(
            sa.delete(t).where(t.c.organization_id == self.organization_id, t.c.day < day)
        )
        return result.rowcount or 0
