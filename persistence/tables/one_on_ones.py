from __future__ import annotations

import sqlalchemy as sa

from domain.one_on_ones import Cadence, MeetingStatus
from persistence.tables.base import (
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)

one_on_one_series = sa.Table(
    "one_on_one_series",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("relationship_id"),
    sa.Column("timezone", sa.Text, nullable=False),
    enum_column("cadence", Cadence, nullable=True),
    uuid_column("created_by_id"),
    timestamp("created_at"),
    timestamp("ended_at", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    # One series per relationship.
    sa.UniqueConstraint("relationship_id"),
    same_organization_fk("relationship_id", "relationships"),
    same_organization_fk("created_by_id", "people"),
)

# The two people of the series' relationship. Authors of agenda items and
# notes, and owners of action items, must be one of them (foreign keys).
one_on_one_participants = sa.Table(
    "one_on_one_participants",
    metadata,
    organization_column(),
    uuid_column("series_id"),
    uuid_column("person_id"),
    sa.PrimaryKeyConstraint("series_id", "person_id"),
    same_organization_fk("series_id", "one_on_one_series"),
    same_organization_fk("person_id", "people"),
)
sa.Index("ix_one_on_one_participants_person_id", one_on_one_participants.c.person_id)

one_on_one_meetings = sa.Table(
    "one_on_one_meetings",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("series_id"),
    timestamp("scheduled_at"),
    enum_column("status", MeetingStatus),
    timestamp("created_at"),
    timestamp("held_at", nullable=True),
    timestamp("cancelled_at", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    sa.UniqueConstraint("series_id", "id"),
    same_organization_fk("series_id", "one_on_one_series"),
    sa.CheckConstraint("(status = 'HELD') = (held_at IS NOT NULL)", name="held_iff_at"),
    sa.CheckConstraint(
        "(status = 'CANCELLED') = (cancelled_at IS NOT NULL)", name="cancelled_iff_at"
    ),
)
sa.Index(
    "ix_one_on_one_meetings_series_id_scheduled_at",
    one_on_one_meetings.c.series_id,
    one_on_one_meetings.c.scheduled_at,
)
# Two people meet once at a time: no two scheduled meetings of a series at
# the same moment (nor two next meetings a cadence proposes for one slot).
sa.Index(
    "uq_one_on_one_meetings_scheduled_at",
    one_on_one_meetings.c.series_id,
    one_on_one_meetings.c.scheduled_at,
    unique=True,
    postgresql_where=sa.text("status = 'SCHEDULED'"),
)


def _in_series(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    """(series_id, column) must name a row of `table` in the same series."""
    return sa.ForeignKeyConstraint(
        ["series_id", column], [f"{table}.series_id", f"{table}.{target}"]
    )


agenda_items = sa.Table(
    "agenda_items",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("series_id"),
    uuid_column("meeting_id"),
    uuid_column("author_id"),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("position", sa.SmallInteger, nullable=False),
    sa.Column("done", sa.Boolean, nullable=False),
    timestamp("created_at"),
    uuid_column("carried_from_id", nullable=True),
    uuid_column("talking_point_id", nullable=True),
    uuid_column("goal_id", nullable=True),
    uuid_column("first_meeting_id"),
    sa.UniqueConstraint("organization_id", "id"),
    sa.UniqueConstraint("id", "first_meeting_id"),
    # Reordering moves many positions in one transaction: checked at commit.
    sa.UniqueConstraint("meeting_id", "position", deferrable=True, initially="DEFERRED"),
    # An unfinished item carries over once.
    sa.UniqueConstraint("carried_from_id"),
    same_organization_fk("series_id", "one_on_one_series"),
    _in_series("meeting_id", "one_on_one_meetings", "id"),
    _in_series("author_id", "one_on_one_participants", "person_id"),
    same_organization_fk("carried_from_id", "agenda_items"),
    same_organization_fk("talking_point_id", "talking_points"),
    same_organization_fk("goal_id", "goals"),
    # The meeting an item was first raised in: its own meeting, or for an
    # item carried over the one its source was first raised in (so through
    # any chain of carry-overs, and always a meeting of the same series).
    sa.ForeignKeyConstraint(
        ["carried_from_id", "first_meeting_id"],
        ["agenda_items.id", "agenda_items.first_meeting_id"],
    ),
    sa.CheckConstraint(
        "carried_from_id IS NOT NULL OR first_meeting_id = meeting_id",
        name="first_raised_in_own_meeting",
    ),
    sa.CheckConstraint("position >= 0", name="position_not_negative"),
)

meeting_notes = sa.Table(
    "meeting_notes",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("series_id"),
    uuid_column("meeting_id"),
    uuid_column("author_id"),
    sa.Column("private", sa.Boolean, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    timestamp("created_at"),
    timestamp("updated_at"),
    same_organization_fk("series_id", "one_on_one_series"),
    _in_series("meeting_id", "one_on_one_meetings", "id"),
    _in_series("author_id", "one_on_one_participants", "person_id"),
    sa.CheckConstraint("length(text) > 0", name="text_given"),
)
sa.Index("ix_meeting_notes_meeting_id", meeting_notes.c.meeting_id)

action_items = sa.Table(
    "action_items",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("series_id"),
    uuid_column("meeting_id"),
    uuid_column("owner_id"),
    uuid_column("created_by_id"),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("due_on", sa.Date, nullable=True),
    timestamp("done_at", nullable=True),
    timestamp("created_at"),
    same_organization_fk("series_id", "one_on_one_series"),
    _in_series("meeting_id", "one_on_one_meetings", "id"),
    _in_series("owner_id", "one_on_one_participants", "person_id"),
    _in_series("created_by_id", "one_on_one_participants", "person_id"),
)
sa.Index("ix_action_items_series_id", action_items.c.series_id)
sa.Index("ix_action_items_meeting_id", action_items.c.meeting_id)
