from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.throttling import EXPIRED, Counter, ThrottleKey
from persistence.tables import throttle_counters

t = throttle_counters
_STATE = ("failures", "last_failure_at", "blocked_until", "last_success_at")


class SqlThrottleRepository:
    """Not bound to an organization: attempts are counted before anyone is
    known (see ports)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, keys: Sequence[ThrottleKey]) -> Mapping[ThrottleKey, Counter]:
        """One statement: an upsert that leaves existing rows as they are
        locks them (and adds the missing ones, locked too, which a
        SELECT ... FOR UPDATE could not), in key order. A row added here
        says nothing yet (it expires at once); one the attempt does not
        save afterwards (a known-good client's) goes in the next job pass."""
        ordered = sorted(set(keys), key=lambda key: key.order)
        statement = insert(t).values(
            [
                {
                    "scope": key.scope,
                    "key_digest": key.digest,
                    "failures": 0,
                    "expires_at": EXPIRED,
                }
                for key in ordered
            ]
        )
        rows = await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[t.c.scope, t.c.key_digest], set_={"failures": t.c.failures}
            ).returning(*(t.c[name] for name in ("scope", "key_digest", *_STATE)))
        )
        counters = [_counter(row) for row in rows.mappings()]
        return {counter.key: counter for counter in counters}

    async def save(self, counters: Sequence[Counter]) -> None:
        if not counters:
            return
        statement = insert(t).values([_row(counter) for counter in counters])
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[t.c.scope, t.c.key_digest],
                set_={name: statement.excluded[name] for name in (*_STATE, "expires_at")},
            )
        )

    async def remove_expired(self, now: datetime) -> int:
        result = await self.session.execute(sa.delete(t).where(t.c.expires_at < now))
        return result.rowcount or 0


def _counter(row: Mapping[str, Any]) -> Counter:
    return Counter(
        key=ThrottleKey(row["scope"], row["key_digest"]),
        failures=row["failures"],
        last_failure_at=row["last_failure_at"],
        blocked_until=row["blocked_until"],
        last_success_at=row["last_success_at"],
    )


def _row(counter: Counter) -> dict[str, Any]:
    return {
        "scope": counter.key.scope,
        "key_digest": counter.key.digest,
        "failures": counter.failures,
        "last_failure_at": counter.last_failure_at,
        "blocked_until": counter.blocked_until,
        "last_success_at": counter.last_success_at,
        "expires_at": counter.expires_at,
    }
