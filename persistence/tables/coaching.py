from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, ExcludeConstraint

from domain.coaching import DatedWindow, SessionStatus
from persistence.tables.base import (
    Windows,
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)


class DatedWindows(sa.types.TypeDecorator[list[DatedWindow]]):
    """One-off windows as a JSON list of ["YYYY-MM-DD", start, end] (minutes)."""

    impl = JSONB
    cache_ok = True

    def process_bind_param(self, value: list[DatedWindow] | None, dialect: Any) -> Any:
        return None if value is None else [[w.day.isoformat(), w.start, w.end] for w in value]

    def process_result_value(self, value: Any, dialect: Any) -> list[DatedWindow] | None:
        if value is None:
            return None
        return [DatedWindow(date.fromisoformat(day), start, end) for day, start, end in value]


coach_availability = sa.Table(
    "coach_availability",
    metadata,
    organization_column(),
    uuid_column("coach_id"),
    sa.Column("timezone", sa.Text, nullable=False),
    sa.Column("session_minutes", sa.SmallInteger, nullable=False),
    sa.Column("buffer_minutes", sa.SmallInteger, nullable=False),
    sa.Column("weekly", Windows, nullable=False, server_default="[]"),
    sa.Column("one_off", DatedWindows, nullable=False, server_default="[]"),
    sa.Column("exceptions", ARRAY(sa.Date), nullable=False, server_default="{}"),
    timestamp("updated_at"),
    sa.PrimaryKeyConstraint("coach_id"),
    same_organization_fk("coach_id", "people"),
    sa.CheckConstraint(
        "session_minutes BETWEEN 15 AND 240 AND buffer_minutes BETWEEN 0 AND 120",
        name="lengths_in_range",
    ),
)

coach_sessions = sa.Table(
    "coach_sessions",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("coach_id"),
    uuid_column("coachee_id"),
    uuid_column("relationship_id"),
    timestamp("starts_at"),
    timestamp("ends_at"),
    timestamp("blocked_until"),
    sa.Column("topic", sa.Text, nullable=False, server_default=""),
    timestamp("booked_at"),
    enum_column("status", SessionStatus),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    timestamp("updated_at", nullable=True),
    timestamp("cancelled_at", nullable=True),
    uuid_column("cancelled_by_id", nullable=True),
    sa.Column("cancel_reason", sa.Text, nullable=False, server_default=""),
    timestamp("recorded_at", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    same_organization_fk("coach_id", "people"),
    same_organization_fk("coachee_id", "people"),
    same_organization_fk("cancelled_by_id", "people"),
    same_organization_fk("relationship_id", "relationships"),
    sa.CheckConstraint("coach_id <> coachee_id", name="not_with_oneself"),
    sa.CheckConstraint("starts_at < ends_at AND ends_at <= blocked_until", name="times_in_order"),
    sa.CheckConstraint(
        "(status = 'CANCELLED') = (cancelled_at IS NOT NULL AND cancelled_by_id IS NOT NULL)",
        name="cancelled_iff_by_whom",
    ),
    sa.CheckConstraint(
        "(status IN ('HELD', 'NO_SHOW')) = (recorded_at IS NOT NULL)",
        name="recorded_iff_outcome",
    ),
    # No double booking, whatever the path: a coach's sessions (each with
    # its buffer) never overlap, and neither do a coachee's. Needs btree_gist
    # for the uuid equality.
    ExcludeConstraint(
        (sa.column("coach_id"), "="),
        (sa.func.tstzrange(sa.column("starts_at"), sa.column("blocked_until")), "&&"),
        name="ex_coach_sessions_coach_time",
        using="gist",
        where=sa.text("status <> 'CANCELLED'"),
    ),
    ExcludeConstraint(
        (sa.column("coachee_id"), "="),
        (sa.func.tstzrange(sa.column("starts_at"), sa.column("ends_at")), "&&"),
        name="ex_coach_sessions_coachee_time",
        using="gist",
        where=sa.text("status <> 'CANCELLED'"),
    ),
)
# A person's sessions by time (as coachee, and as coach), and the booked ones
# of a relationship (cancelled when it ends).
sa.Index(
    "ix_coach_sessions_coachee_id_starts_at",
    coach_sessions.c.coachee_id,
    coach_sessions.c.starts_at,
)
sa.Index(
    "ix_coach_sessions_coach_id_starts_at", coach_sessions.c.coach_id, coach_sessions.c.starts_at
)
sa.Index(
    "ix_coach_sessions_relationship_booked",
    coach_sessions.c.relationship_id,
    postgresql_where=sa.text("status = 'BOOKED'"),
)
