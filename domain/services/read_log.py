"""Keeping the read log: the reads of one request go in at its end, and
records past the retention period go in the job pass."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.actors import Actor
from domain.ports import ReadLogRepository, UnitOfWork
from domain.read_log import ContentRead, ReadRecord, kept_since, read_day


async def record(
    log: ReadLogRepository,
    reader: Actor,
    reads: Iterable[ContentRead],
    *,
    now: datetime,
) -> int:
    """Adds one read per item to the reader's record of the day, in one
    write whatever the number of items; the owner's and the giver's own
    reads stay out. Items go in a fixed order (by id), so two requests of
    the same reader writing the same records at once wait for each other
    instead of deadlocking. Returns how many items were recorded."""
    day = read_day(now)
    by_source = {read.source_id: read for read in reads}
    records = [
        ReadRecord(
            organization_id=reader.organization_id,
            source=read.source,
            source_id=read.source_id,
            owner_id=read.owner_id,
            reader_id=reader.person_id,
            day=day,
            last_read_at=now,
            read_count=1,
        )
        for _, read in sorted(by_source.items())
        if read.recorded_for(reader.person_id)
    ]
    if records:
        await log.add(records)
    return len(records)


async def remove_expired(uow: UnitOfWork, *, now: datetime, retention_days: int) -> int:
    """Removes the records of days before the retention period; returns
    how many."""
    return await uow.read_log.remove_before(kept_since(now, retention_days))
