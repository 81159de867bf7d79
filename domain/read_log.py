"""The read log: who has read what a person shared (DESIGN.md section 3).

A person sees, for each goal, feedback item and request's results of
theirs, who read it, when last and how often; nobody else sees that log.
A read is one request that returned the item's content, whatever paths it
used (a list, `node`, `nodes`, the 1-on-1 prep, a mutation's payload): ids
and counts are not reads. The owner reading their own item is not a read,
nor is the giver of an item reading what they wrote.

The log keeps one record per item, reader and day (the UTC day of the
request), with the moment of the last read and the number of reads that
day; a record is kept for a retention period (one setting for the
deployment, a year by default) and then removed by the job pass. The owner
keeps seeing past reads after taking a share back, until then.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

DEFAULT_RETENTION_DAYS = 365


class ReadSource(enum.Enum):
    """What was read: a goal (with its check-ins), a feedback item, or the
    results of a feedback request."""

    GOAL = "GOAL"
    FEEDBACK_ITEM = "FEEDBACK_ITEM"
    FEEDBACK_RESULTS = "FEEDBACK_RESULTS"


@dataclass(frozen=True)
class ContentRead:
    """That a request returned the content of one item; whether it goes in
    the log depends on who made the request (`recorded_for`)."""

    source: ReadSource
    source_id: UUID
    owner_id: UUID
    author_id: UUID | None = None
    """The giver of a feedback item: what they wrote is not read by them."""

    def recorded_for(self, reader_id: UUID) -> bool:
        return reader_id not in (self.owner_id, self.author_id)


@dataclass(frozen=True)
class ReadRecord:
    """One reader's reads of one item on one day: what the log keeps."""

    organization_id: UUID
    source: ReadSource
    source_id: UUID
    owner_id: UUID
    reader_id: UUID
    day: date
    last_read_at: datetime
    read_count: int


@dataclass(frozen=True)
class ReadBy:
    """What the owner sees of one reader: their reads over the days kept."""

    reader_id: UUID
    last_read_at: datetime
    read_count: int


def read_day(at: datetime) -> date:
    """The day a read is counted on: UTC, so that a record means the same
    day whoever looks at it, wherever the server runs."""
    return at.astimezone(UTC).date()


def kept_since(now: datetime, retention_days: int) -> date:
    """The first day whose records are still kept: records of the last
    `retention_days` days, today included."""
    return read_day(now) - timedelta(days=retention_days - 1)


def may_see_log(owner_id: UUID, viewer_id: UUID) -> bool:
    """Only the owner: not the readers, not a steward, not org faculty."""
    return owner_id == viewer_id
