"""Coach sessions: availability, bookings, no double booking.

- a coach's availability (one row per coach): timezone, session length and
  buffer (checked ranges), weekly windows (JSON [weekday, start, end]),
  one-off windows (JSON ["YYYY-MM-DD", start, end]) and days off;
- a session is between a coach and a coachee (never oneself), within a
  coaching relationship; its status matches its timestamps (checks);
- no double booking, enforced here whatever the path: two exclusion
  constraints (btree_gist, for the uuid equality) keep a coach's sessions
  with their buffers, and a coachee's sessions, from overlapping unless
  cancelled;
- one active coaching relationship per coach and coachee (partial unique
  index): a booking uses it or starts it, also under concurrent bookings;
- notifications can point at a session; the organization gets the fair-use
  settings (checked ranges).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = (
    "'RELATIONSHIP_PROPOSED', 'RELATIONSHIP_ACCEPTED', 'RELATIONSHIP_DECLINED', "
    "'RELATIONSHIP_WITHDRAWN', 'RELATIONSHIP_ENDED', 'RELATIONSHIP_RENEWED', "
    "'RELATIONSHIP_REVIEW_DUE', 'STEWARDSHIP_HANDED_OVER', 'ROLE_PROPOSED', 'ROLE_ACCEPTED', "
    "'ROLE_DECLINED', 'ROLE_WITHDRAWN', 'ROLE_ENDED', 'FEEDBACK_REQUESTED', 'FEEDBACK_REMINDER', "
    "'FEEDBACK_RECEIVED'"
)
NEW_KINDS = (
    OLD_KINDS + ", 'COACH_SESSION_BOOKED', 'COACH_SESSION_CANCELLED', 'COACH_SESSION_RESCHEDULED'"
)


def upgrade() -> None:
    # Trusted since PostgreSQL 13: the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "coach_availability",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("coach_id", sa.UUID(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("session_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("buffer_minutes", sa.SmallInteger(), nullable=False),
        sa.Column(
            "weekly", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "one_off", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("exceptions", postgresql.ARRAY(sa.Date()), server_default="{}", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "session_minutes BETWEEN 15 AND 240 AND buffer_minutes BETWEEN 0 AND 120",
            name=op.f("ck_coach_availability_lengths_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "coach_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_coach_availability_organization_id_coach_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_coach_availability_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("coach_id", name=op.f("pk_coach_availability")),
    )
    op.create_table(
        "coach_sessions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("coach_id", sa.UUID(), nullable=False),
        sa.Column("coachee_id", sa.UUID(), nullable=False),
        sa.Column("relationship_id", sa.UUID(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.Text(), server_default="", nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "BOOKED",
                "CANCELLED",
                "HELD",
                "NO_SHOW",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by_id", sa.UUID(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        postgresql.ExcludeConstraint(
            (sa.column("coach_id"), "="),
            (sa.text("tstzrange(starts_at, blocked_until)"), "&&"),
            where=sa.text("status <> 'CANCELLED'"),
            using="gist",
            name="ex_coach_sessions_coach_time",
        ),
        postgresql.ExcludeConstraint(
            (sa.column("coachee_id"), "="),
            (sa.text("tstzrange(starts_at, ends_at)"), "&&"),
            where=sa.text("status <> 'CANCELLED'"),
            using="gist",
            name="ex_coach_sessions_coachee_time",
        ),
        sa.CheckConstraint(
            "(status = 'CANCELLED') = (cancelled_at IS NOT NULL AND cancelled_by_id IS NOT NULL)",
            name=op.f("ck_coach_sessions_cancelled_iff_by_whom"),
        ),
        sa.CheckConstraint(
            "(status IN ('HELD', 'NO_SHOW')) = (recorded_at IS NOT NULL)",
            name=op.f("ck_coach_sessions_recorded_iff_outcome"),
        ),
        sa.CheckConstraint(
            "coach_id <> coachee_id", name=op.f("ck_coach_sessions_not_with_oneself")
        ),
        sa.CheckConstraint(
            "starts_at < ends_at AND ends_at <= blocked_until",
            name=op.f("ck_coach_sessions_times_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "cancelled_by_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_coach_sessions_organization_id_cancelled_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "coach_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_coach_sessions_organization_id_coach_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "coachee_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_coach_sessions_organization_id_coachee_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "relationship_id"],
            ["relationships.organization_id", "relationships.id"],
            name=op.f("fk_coach_sessions_organization_id_relationship_id_relationships"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_coach_sessions_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_sessions")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_coach_sessions_organization_id_id")
        ),
    )
    op.create_index(
        "ix_coach_sessions_coach_id_starts_at",
        "coach_sessions",
        ["coach_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_coach_sessions_coachee_id_starts_at",
        "coach_sessions",
        ["coachee_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_coach_sessions_relationship_booked",
        "coach_sessions",
        ["relationship_id"],
        unique=False,
        postgresql_where=sa.text("status = 'BOOKED'"),
    )
    op.add_column("notifications", sa.Column("coach_session_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_notifications_organization_id_coach_session_id_coach_sessions"),
        "notifications",
        "coach_sessions",
        ["organization_id", "coach_session_id"],
        ["organization_id", "id"],
    )
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"), "notifications", f"kind IN ({NEW_KINDS})"
    )
    op.add_column(
        "organizations",
        sa.Column("coach_upcoming_sessions_max", sa.Integer(), server_default="3", nullable=False),
    )
    op.add_column(
        "organizations",
        sa.Column("coach_sessions_per_month_max", sa.Integer(), server_default="2", nullable=False),
    )
    op.add_column(
        "organizations",
        sa.Column("coach_cancel_cutoff_hours", sa.Integer(), server_default="24", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_organizations_coach_rules_in_range"),
        "organizations",
        "coach_upcoming_sessions_max BETWEEN 1 AND 50"
        " AND coach_sessions_per_month_max BETWEEN 1 AND 31"
        " AND coach_cancel_cutoff_hours BETWEEN 0 AND 168",
    )
    op.create_index(
        "uq_relationships_active_coaching",
        "relationships",
        ["leader_id", "follower_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'COACHING' AND status = 'ACTIVE'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_relationships_active_coaching",
        table_name="relationships",
        postgresql_where=sa.text("kind = 'COACHING' AND status = 'ACTIVE'"),
    )
    op.drop_constraint(
        op.f("ck_organizations_coach_rules_in_range"), "organizations", type_="check"
    )
    op.drop_column("organizations", "coach_cancel_cutoff_hours")
    op.drop_column("organizations", "coach_sessions_per_month_max")
    op.drop_column("organizations", "coach_upcoming_sessions_max")
    op.execute("DELETE FROM notifications WHERE kind LIKE 'COACH_SESSION_%'")
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"), "notifications", f"kind IN ({OLD_KINDS})"
    )
    op.drop_constraint(
        op.f("fk_notifications_organization_id_coach_session_id_coach_sessions"),
        "notifications",
        type_="foreignkey",
    )
    op.drop_column("notifications", "coach_session_id")
    op.drop_index(
        "ix_coach_sessions_relationship_booked",
        table_name="coach_sessions",
        postgresql_where=sa.text("status = 'BOOKED'"),
    )
    op.drop_index("ix_coach_sessions_coachee_id_starts_at", table_name="coach_sessions")
    op.drop_index("ix_coach_sessions_coach_id_starts_at", table_name="coach_sessions")
    op.drop_table("coach_sessions")
    op.drop_table("coach_availability")
    op.execute("DROP EXTENSION IF EXISTS btree_gist")
