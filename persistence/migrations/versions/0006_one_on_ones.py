"""1-on-1s: series, meetings, agendas, notes and action items.

- one series per relationship (unique); its two people are its
  participants, and every agenda item's author, note's author and action
  item's owner and creator must be one of them (composite foreign keys on
  (series_id, person_id)), as must every item's meeting be of its series;
- a meeting is SCHEDULED, HELD (with held_at) or CANCELLED (with
  cancelled_at) (checks);
- agenda positions are unique per meeting, checked at commit so a reorder
  can move many; an unfinished item is carried over once (unique);
- a talking point records when it went onto an agenda.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "one_on_one_series",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("relationship_id", sa.UUID(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column(
            "cadence",
            sa.Enum(
                "WEEKLY",
                "BIWEEKLY",
                "MONTHLY",
                name="cadence",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("created_by_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id", "created_by_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_one_on_one_series_organization_id_created_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "relationship_id"],
            ["relationships.organization_id", "relationships.id"],
            name=op.f("fk_one_on_one_series_organization_id_relationship_id_relationships"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_one_on_one_series_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_on_one_series")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_one_on_one_series_organization_id_id")
        ),
        sa.UniqueConstraint("relationship_id", name=op.f("uq_one_on_one_series_relationship_id")),
    )
    op.create_table(
        "one_on_one_meetings",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("series_id", sa.UUID(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "SCHEDULED",
                "HELD",
                "CANCELLED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'CANCELLED') = (cancelled_at IS NOT NULL)",
            name=op.f("ck_one_on_one_meetings_cancelled_iff_at"),
        ),
        sa.CheckConstraint(
            "(status = 'HELD') = (held_at IS NOT NULL)",
            name=op.f("ck_one_on_one_meetings_held_iff_at"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "series_id"],
            ["one_on_one_series.organization_id", "one_on_one_series.id"],
            name=op.f("fk_one_on_one_meetings_organization_id_series_id_one_on_one_series"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_one_on_one_meetings_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_on_one_meetings")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_one_on_one_meetings_organization_id_id")
        ),
        sa.UniqueConstraint("series_id", "id", name=op.f("uq_one_on_one_meetings_series_id_id")),
    )
    op.create_index(
        "ix_one_on_one_meetings_series_id_scheduled_at",
        "one_on_one_meetings",
        ["series_id", "scheduled_at"],
        unique=False,
    )
    op.create_table(
        "one_on_one_participants",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("series_id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_one_on_one_participants_organization_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "series_id"],
            ["one_on_one_series.organization_id", "one_on_one_series.id"],
            name=op.f("fk_one_on_one_participants_organization_id_series_id_one_on_one_series"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_one_on_one_participants_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("series_id", "person_id", name=op.f("pk_one_on_one_participants")),
    )
    op.create_index(
        "ix_one_on_one_participants_person_id",
        "one_on_one_participants",
        ["person_id"],
        unique=False,
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("series_id", sa.UUID(), nullable=False),
        sa.Column("meeting_id", sa.UUID(), nullable=False),
        sa.Column("owner_id", sa.UUID(), nullable=False),
        sa.Column("created_by_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "series_id"],
            ["one_on_one_series.organization_id", "one_on_one_series.id"],
            name=op.f("fk_action_items_organization_id_series_id_one_on_one_series"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_action_items_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["series_id", "created_by_id"],
            ["one_on_one_participants.series_id", "one_on_one_participants.person_id"],
            name=op.f("fk_action_items_series_id_created_by_id_one_on_one_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id", "meeting_id"],
            ["one_on_one_meetings.series_id", "one_on_one_meetings.id"],
            name=op.f("fk_action_items_series_id_meeting_id_one_on_one_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id", "owner_id"],
            ["one_on_one_participants.series_id", "one_on_one_participants.person_id"],
            name=op.f("fk_action_items_series_id_owner_id_one_on_one_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
    )
    op.create_index("ix_action_items_series_id", "action_items", ["series_id"], unique=False)
    op.create_index("ix_action_items_meeting_id", "action_items", ["meeting_id"], unique=False)
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("series_id", sa.UUID(), nullable=False),
        sa.Column("meeting_id", sa.UUID(), nullable=False),
        sa.Column("author_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("carried_from_id", sa.UUID(), nullable=True),
        sa.Column("talking_point_id", sa.UUID(), nullable=True),
        sa.Column("goal_id", sa.UUID(), nullable=True),
        sa.CheckConstraint("position >= 0", name=op.f("ck_agenda_items_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id", "carried_from_id"],
            ["agenda_items.organization_id", "agenda_items.id"],
            name=op.f("fk_agenda_items_organization_id_carried_from_id_agenda_items"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "goal_id"],
            ["goals.organization_id", "goals.id"],
            name=op.f("fk_agenda_items_organization_id_goal_id_goals"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "series_id"],
            ["one_on_one_series.organization_id", "one_on_one_series.id"],
            name=op.f("fk_agenda_items_organization_id_series_id_one_on_one_series"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "talking_point_id"],
            ["talking_points.organization_id", "talking_points.id"],
            name=op.f("fk_agenda_items_organization_id_talking_point_id_talking_points"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_agenda_items_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["series_id", "author_id"],
            ["one_on_one_participants.series_id", "one_on_one_participants.person_id"],
            name=op.f("fk_agenda_items_series_id_author_id_one_on_one_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id", "meeting_id"],
            ["one_on_one_meetings.series_id", "one_on_one_meetings.id"],
            name=op.f("fk_agenda_items_series_id_meeting_id_one_on_one_meetings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
        sa.UniqueConstraint("carried_from_id", name=op.f("uq_agenda_items_carried_from_id")),
        sa.UniqueConstraint(
            "meeting_id",
            "position",
            deferrable=True,
            initially="DEFERRED",
            name=op.f("uq_agenda_items_meeting_id_position"),
        ),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_agenda_items_organization_id_id")
        ),
    )
    op.create_table(
        "meeting_notes",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("series_id", sa.UUID(), nullable=False),
        sa.Column("meeting_id", sa.UUID(), nullable=False),
        sa.Column("author_id", sa.UUID(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(text) > 0", name=op.f("ck_meeting_notes_text_given")),
        sa.ForeignKeyConstraint(
            ["organization_id", "series_id"],
            ["one_on_one_series.organization_id", "one_on_one_series.id"],
            name=op.f("fk_meeting_notes_organization_id_series_id_one_on_one_series"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_meeting_notes_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["series_id", "author_id"],
            ["one_on_one_participants.series_id", "one_on_one_participants.person_id"],
            name=op.f("fk_meeting_notes_series_id_author_id_one_on_one_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id", "meeting_id"],
            ["one_on_one_meetings.series_id", "one_on_one_meetings.id"],
            name=op.f("fk_meeting_notes_series_id_meeting_id_one_on_one_meetings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_notes")),
    )
    op.create_index("ix_meeting_notes_meeting_id", "meeting_notes", ["meeting_id"], unique=False)
    op.add_column(
        "talking_points", sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("talking_points", "placed_at")
    op.drop_index("ix_meeting_notes_meeting_id", table_name="meeting_notes")
    op.drop_table("meeting_notes")
    op.drop_table("agenda_items")
    op.drop_index("ix_action_items_meeting_id", table_name="action_items")
    op.drop_index("ix_action_items_series_id", table_name="action_items")
    op.drop_table("action_items")
    op.drop_index("ix_one_on_one_participants_person_id", table_name="one_on_one_participants")
    op.drop_table("one_on_one_participants")
    op.drop_index("ix_one_on_one_meetings_series_id_scheduled_at", table_name="one_on_one_meetings")
    op.drop_table("one_on_one_meetings")
    op.drop_table("one_on_one_series")
