"""1-on-1s and mentor matching: rules the database now holds as well.

- no two scheduled meetings of a series at the same moment (partial unique
  index): a cadence proposes one next meeting after a meeting is held or
  cancelled, never two, whatever runs at the same time; existing duplicates
  are backfilled by cancelling all but the first scheduled;
- an agenda item remembers the meeting it was first raised in
  (`first_meeting_id`): its own meeting (a check), or for an item carried
  over the one its source was first raised in (a foreign key on
  (carried_from_id, first_meeting_id)), so through any chain of carry-overs
  and always in the same series; existing items are backfilled along their
  chains;
- a talking point is raised from one piece of feedback (unique
  talking_point_id of feedback actions), so its owner reaches that feedback
  from it;
- the live offers of an area are indexed for the faculty lead's overview,
  which covers an area and everything below it.

Revision ID: 0013
Revises: 0012
Create Date: 2027-01-15
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Keep the first of scheduled meetings that share a series and a moment.
    op.execute(
        """
        UPDATE one_on_one_meetings AS m
        SET status = 'CANCELLED', cancelled_at = now()
        WHERE m.status = 'SCHEDULED' AND EXISTS (
            SELECT FROM one_on_one_meetings AS e
            WHERE e.series_id = m.series_id AND e.scheduled_at = m.scheduled_at
              AND e.status = 'SCHEDULED' AND (e.created_at, e.id) < (m.created_at, m.id)
        )
        """
    )
    op.create_index(
        "uq_one_on_one_meetings_scheduled_at",
        "one_on_one_meetings",
        ["series_id", "scheduled_at"],
        unique=True,
        postgresql_where=sa.text("status = 'SCHEDULED'"),
    )

    op.add_column("agenda_items", sa.Column("first_meeting_id", sa.UUID(), nullable=True))
    op.execute(
        """
        WITH RECURSIVE chain(id, first_meeting_id) AS (
            SELECT id, meeting_id FROM agenda_items WHERE carried_from_id IS NULL
            UNION ALL
            SELECT item.id, chain.first_meeting_id
            FROM agenda_items AS item JOIN chain ON item.carried_from_id = chain.id
        )
        UPDATE agenda_items SET first_meeting_id = chain.first_meeting_id
        FROM chain WHERE agenda_items.id = chain.id
        """
    )
    op.alter_column("agenda_items", "first_meeting_id", nullable=False)
    op.create_unique_constraint(
        op.f("uq_agenda_items_id_first_meeting_id"), "agenda_items", ["id", "first_meeting_id"]
    )
    op.create_foreign_key(
        op.f("fk_agenda_items_carried_from_id_first_meeting_id_agenda_items"),
        "agenda_items",
        "agenda_items",
        ["carried_from_id", "first_meeting_id"],
        ["id", "first_meeting_id"],
    )
    op.create_check_constraint(
        op.f("ck_agenda_items_first_raised_in_own_meeting"),
        "agenda_items",
        "carried_from_id IS NOT NULL OR first_meeting_id = meeting_id",
    )

    op.create_unique_constraint(
        op.f("uq_feedback_actions_talking_point_id"), "feedback_actions", ["talking_point_id"]
    )

    op.create_index(
        "ix_mentor_offers_live_area",
        "mentor_offers",
        ["knowledge_area_id"],
        unique=False,
        postgresql_where=sa.text("status <> 'WITHDRAWN'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_mentor_offers_live_area",
        table_name="mentor_offers",
        postgresql_where=sa.text("status <> 'WITHDRAWN'"),
    )
    op.drop_constraint(
        op.f("uq_feedback_actions_talking_point_id"), "feedback_actions", type_="unique"
    )
    op.drop_constraint(
        op.f("ck_agenda_items_first_raised_in_own_meeting"), "agenda_items", type_="check"
    )
    op.drop_constraint(
        op.f("fk_agenda_items_carried_from_id_first_meeting_id_agenda_items"),
        "agenda_items",
        type_="foreignkey",
    )
    op.drop_constraint(op.f("uq_agenda_items_id_first_meeting_id"), "agenda_items", type_="unique")
    op.drop_column("agenda_items", "first_meeting_id")
    op.drop_index(
        "uq_one_on_one_meetings_scheduled_at",
        table_name="one_on_one_meetings",
        postgresql_where=sa.text("status = 'SCHEDULED'"),
    )
