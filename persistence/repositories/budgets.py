"""The cost buckets in PostgreSQL: one statement per operation.

A pour is a single INSERT ... ON CONFLICT DO UPDATE: the row's lock orders
concurrent operations of one caller (in any process), and each sees the
level its predecessor left, so twenty operations at once spend exactly
their twenty costs and none slips past the brim. It runs in autocommit,
outside the operation's own transactions: one round trip, and a refused
operation has nothing to roll back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.budgets import BucketLevel, BudgetPolicy, BudgetSubject
from persistence.tables.budgets import address_cost_budgets, person_cost_budgets


class SqlBudgetStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def pour(
        self, subject: BudgetSubject, cost: int, policy: BudgetPolicy, now: datetime
    ) -> BucketLevel:
        async with self._engine.connect() as connection:
            row = (await connection.execute(_pour(subject, cost, policy, now))).one()
        return BucketLevel(level=row.level, admitted=row.last_admitted)

    async def forget_idle(self, before: datetime) -> int:
        removed = 0
        async with self._engine.connect() as connection:
            for table in (person_cost_budgets, address_cost_budgets):
                result = await connection.execute(
                    sa.delete(table).where(table.c.updated_at < before)
                )
                removed += result.rowcount
        return removed


def _pour(subject: BudgetSubject, cost: int, policy: BudgetPolicy, now: datetime) -> sa.Executable:
    """Drain by the time elapsed since the last pour (never by a negative
    one: processes' clocks differ a little), then add the cost if it fits;
    a new bucket starts empty. The level is computed in SQL from the row
    as it is once locked, not from anything read before."""
    table: sa.Table
    key: dict[str, Any]
    if subject.person_id is not None:
        table = person_cost_budgets
        key = {"organization_id": subject.organization_id, "person_id": subject.person_id}
    else:
        table = address_cost_budgets
        key = {"client_address": subject.client_address}
    at = sa.bindparam("now", now, type_=sa.DateTime(timezone=True))
    # Doubles, as the level is: an integer parameter would be sent as int4,
    # and a cost or capacity beyond 2^31 set would fail the statement.
    price = sa.literal(float(cost), sa.Float)
    capacity = sa.literal(float(policy.capacity), sa.Float)
    elapsed = sa.func.greatest(0.0, sa.cast(sa.extract("epoch", at - table.c.updated_at), sa.Float))
    drained = sa.func.greatest(0.0, table.c.level - elapsed * policy.drain_per_second)
    fits = drained + price <= capacity
    fits_empty = policy.fits(0.0, cost)
    statement = insert(table).values(
        **key, level=float(cost) if fits_empty else 0.0, updated_at=at, last_admitted=fits_empty
    )
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={
            "level": sa.case((fits, drained + price), else_=drained),
            "updated_at": sa.func.greatest(table.c.updated_at, at),
            "last_admitted": fits,
        },
    ).returning(table.c.level, table.c.last_admitted)
