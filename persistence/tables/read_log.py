"""The read log (domain.read_log): one row per item, reader and UTC day.

The item is one source, as in feedback shares and actions: a goal, a
feedback item or a feedback request's results, each with its own
same-organization foreign key; `source_id` repeats whichever is set, so
that the primary key (item, reader, day) is what concurrent requests
upsert into and what the owner's reads look up. The trigger of migration
0010 checks that `owner_id` is the item's owner and that the giver of an
item is not logged reading it."""

from __future__ import annotations

import sqlalchemy as sa

from persistence.tables.base import metadata, organization_column, same_organization_fk, uuid_column

ONE_SOURCE = (
    "num_nonnulls(goal_id, item_id, request_id) = 1"
    " AND source_id = coalesce(goal_id, item_id, request_id)"
)

read_log = sa.Table(
    "read_log",
    metadata,
    organization_column(),
    uuid_column("source_id"),
    uuid_column("goal_id", nullable=True),
    uuid_column("item_id", nullable=True),
    uuid_column("request_id", nullable=True),
    uuid_column("owner_id"),
    uuid_column("reader_id"),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("read_count", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("source_id", "reader_id", "day"),
    same_organization_fk("goal_id", "goals"),
    same_organization_fk("item_id", "feedback_items"),
    same_organization_fk("request_id", "feedback_requests"),
    same_organization_fk("owner_id", "people"),
    same_organization_fk("reader_id", "people"),
    sa.CheckConstraint(ONE_SOURCE, name="one_source"),
    sa.CheckConstraint("reader_id <> owner_id", name="not_the_owner"),
    sa.CheckConstraint("read_count > 0", name="read_count_positive"),
    sa.CheckConstraint("day = (last_read_at AT TIME ZONE 'UTC')::date", name="day_of_last_read"),
)
# The job pass removes an organization's records of days past retention.
sa.Index("ix_read_log_organization_id_day", read_log.c.organization_id, read_log.c.day)
