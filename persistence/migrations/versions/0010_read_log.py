"""The read log: who read a shared goal, feedback item or request's results.

- read_log: one row per item, reader and UTC day (the primary key, which
  concurrent requests of one reader upsert into), with the last read's
  moment (on that day: check) and the number of reads (positive: check);
- the item is exactly one source, each with its same-organization foreign
  key, and `source_id` repeats it (check);
- the owner's own reads are never logged (check), and a trigger checks
  that `owner_id` is the item's owner (the goal's owner, the item's
  subject, the request's requester) and that an item's giver is not logged
  reading what they wrote;
- an index by organization and day for the job pass that removes records
  past retention.

Nothing to backfill: reads before this revision were not recorded.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK_OWNER = """
CREATE FUNCTION read_log_check_owner() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner uuid;
    giver uuid;
BEGIN
    IF NEW.goal_id IS NOT NULL THEN
        SELECT owner_id INTO owner FROM goals WHERE id = NEW.goal_id;
    ELSIF NEW.item_id IS NOT NULL THEN
        SELECT subject_id, giver_id INTO owner, giver FROM feedback_items WHERE id = NEW.item_id;
    ELSE
        SELECT requester_id INTO owner FROM feedback_requests WHERE id = NEW.request_id;
    END IF;
    -- A missing item leaves `owner` null: the foreign key refuses the row.
    IF owner <> NEW.owner_id THEN
        RAISE EXCEPTION 'read log record of % names % as owner, not %', NEW.source_id,
            NEW.owner_id, owner
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_read_log_owner_of_source';
    END IF;
    IF NEW.reader_id = giver THEN
        RAISE EXCEPTION 'the giver of feedback item % is not logged reading it', NEW.source_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_read_log_not_the_giver';
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "read_log",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("source_id", sa.UUID(), nullable=False),
        sa.Column("goal_id", sa.UUID(), nullable=True),
        sa.Column("item_id", sa.UUID(), nullable=True),
        sa.Column("request_id", sa.UUID(), nullable=True),
        sa.Column("owner_id", sa.UUID(), nullable=False),
        sa.Column("reader_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "num_nonnulls(goal_id, item_id, request_id) = 1"
            " AND source_id = coalesce(goal_id, item_id, request_id)",
            name=op.f("ck_read_log_one_source"),
        ),
        sa.CheckConstraint("reader_id <> owner_id", name=op.f("ck_read_log_not_the_owner")),
        sa.CheckConstraint("read_count > 0", name=op.f("ck_read_log_read_count_positive")),
        sa.CheckConstraint(
            "day = (last_read_at AT TIME ZONE 'UTC')::date",
            name=op.f("ck_read_log_day_of_last_read"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "goal_id"],
            ["goals.organization_id", "goals.id"],
            name=op.f("fk_read_log_organization_id_goal_id_goals"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "item_id"],
            ["feedback_items.organization_id", "feedback_items.id"],
            name=op.f("fk_read_log_organization_id_item_id_feedback_items"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "request_id"],
            ["feedback_requests.organization_id", "feedback_requests.id"],
            name=op.f("fk_read_log_organization_id_request_id_feedback_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "owner_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_read_log_organization_id_owner_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "reader_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_read_log_organization_id_reader_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_read_log_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("source_id", "reader_id", "day", name=op.f("pk_read_log")),
    )
    op.create_index(
        "ix_read_log_organization_id_day", "read_log", ["organization_id", "day"], unique=False
    )
    op.execute(CHECK_OWNER)
    op.execute(
        "CREATE TRIGGER read_log_owner"
        " BEFORE INSERT OR UPDATE OF goal_id, item_id, request_id, owner_id, reader_id"
        " ON read_log FOR EACH ROW EXECUTE FUNCTION read_log_check_owner()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER read_log_owner ON read_log")
    op.execute("DROP FUNCTION read_log_check_owner()")
    op.drop_index("ix_read_log_organization_id_day", table_name="read_log")
    op.drop_table("read_log")
