"""Relationship rules the database did not hold yet.

- one open MENTORSHIP proposal per mentor, mentee and knowledge area,
  whoever proposed it: mentorship_areas gets the relationship's status
  instead of the `active` flag the services kept, and two partial unique
  indexes on it (ACTIVE, as before, and PROPOSED). Triggers keep the copy
  true whatever the path: a row takes its relationship's two people and
  status when written, and a relationship's status change is copied to its
  rows in the same statement (so a violated index fails that statement). A
  cascading foreign key would do the same but make `status` a key column:
  every status change would then wait for rows merely referencing the
  relationship (notifications, agreements, sessions). Existing duplicates
  are resolved first: of open mentorship proposals sharing a pair and an
  area, the earliest stays and the later ones are withdrawn now;
- a person who ends a relationship gives a non-blank reason (check); past
  endings without one are backfilled with a note saying none was recorded;
- a declined or withdrawn proposal records when it closed (`closed_at`,
  tied to the status by a check; backfilled from `responded_at`), and a
  decline may carry a reason for the proposer (`decline_reason`, empty
  unless declined).

Revision ID: 0012
Revises: 0011
Create Date: 2027-01-15
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'PROPOSED', 'ACTIVE', 'DECLINED', 'WITHDRAWN', 'ENDED'"

MIRROR_RELATIONSHIP = """
CREATE FUNCTION mentorship_areas_mirror_relationship() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT r.leader_id, r.follower_id, r.status
    INTO NEW.leader_id, NEW.follower_id, NEW.status
    FROM relationships AS r
    WHERE r.organization_id = NEW.organization_id AND r.id = NEW.relationship_id;
    RETURN NEW;
END
$$
"""

COPY_STATUS = """
CREATE FUNCTION relationships_copy_status_to_areas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mentorship_areas SET status = NEW.status
    WHERE organization_id = NEW.organization_id AND relationship_id = NEW.id;
    RETURN NULL;
END
$$
"""

WITHDRAW_DUPLICATE_MENTORSHIP_PROPOSALS = """
UPDATE relationships AS later
SET status = 'WITHDRAWN', responded_at = now()
WHERE later.kind = 'MENTORSHIP' AND later.status = 'PROPOSED' AND EXISTS (
    SELECT 1
    FROM mentorship_areas AS mine
    JOIN mentorship_areas AS theirs
      ON theirs.leader_id = mine.leader_id
     AND theirs.follower_id = mine.follower_id
     AND theirs.knowledge_area_id = mine.knowledge_area_id
    JOIN relationships AS earlier ON earlier.id = theirs.relationship_id
    WHERE mine.relationship_id = later.id
      AND earlier.status = 'PROPOSED'
      AND (earlier.proposed_at, earlier.id) < (later.proposed_at, later.id)
)
"""


def upgrade() -> None:
    op.add_column("relationships", sa.Column("closed_at", sa.DateTime(timezone=True)))
    op.add_column(
        "relationships",
        sa.Column("decline_reason", sa.Text(), server_default="", nullable=False),
    )
    op.execute(WITHDRAW_DUPLICATE_MENTORSHIP_PROPOSALS)
    op.execute(
        "UPDATE relationships SET closed_at = coalesce(responded_at, proposed_at)"
        " WHERE status IN ('DECLINED', 'WITHDRAWN')"
    )
    op.execute(
        "UPDATE relationships SET end_note = 'No reason was recorded.'"
        " WHERE end_reason IN ('ENDED_BY_LEADER', 'ENDED_BY_FOLLOWER')"
        " AND length(btrim(end_note)) = 0"
    )
    op.create_check_constraint(
        op.f("ck_relationships_closed_iff_declined_or_withdrawn"),
        "relationships",
        "(status IN ('DECLINED', 'WITHDRAWN')) = (closed_at IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_relationships_decline_reason_only_if_declined"),
        "relationships",
        "status = 'DECLINED' OR decline_reason = ''",
    )
    op.create_check_constraint(
        op.f("ck_relationships_ended_by_a_person_with_a_reason"),
        "relationships",
        "end_reason NOT IN ('ENDED_BY_LEADER', 'ENDED_BY_FOLLOWER') OR length(btrim(end_note)) > 0",
    )

    op.add_column("mentorship_areas", sa.Column("status", sa.String(length=32)))
    op.execute(
        "UPDATE mentorship_areas AS m"
        " SET status = r.status, leader_id = r.leader_id, follower_id = r.follower_id"
        " FROM relationships AS r WHERE r.id = m.relationship_id"
    )
    op.alter_column("mentorship_areas", "status", nullable=False)
    op.create_check_constraint(
        op.f("ck_mentorship_areas_status"), "mentorship_areas", f"status IN ({STATUSES})"
    )
    op.drop_index(
        "uq_mentorship_areas_active", table_name="mentorship_areas", postgresql_where="active"
    )
    op.drop_column("mentorship_areas", "active")
    op.execute(MIRROR_RELATIONSHIP)
    op.execute(
        "CREATE TRIGGER mentorship_areas_mirror_relationship"
        " BEFORE INSERT OR UPDATE ON mentorship_areas"
        " FOR EACH ROW EXECUTE FUNCTION mentorship_areas_mirror_relationship()"
    )
    op.execute(COPY_STATUS)
    op.execute(
        "CREATE TRIGGER relationships_copy_status_to_areas"
        " AFTER UPDATE OF status ON relationships"
        " FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)"
        " EXECUTE FUNCTION relationships_copy_status_to_areas()"
    )
    op.create_index(
        "uq_mentorship_areas_active",
        "mentorship_areas",
        ["leader_id", "follower_id", "knowledge_area_id"],
        unique=True,
        postgresql_where=sa.text("status = 'ACTIVE'"),
    )
    op.create_index(
        "uq_mentorship_areas_proposed",
        "mentorship_areas",
        ["leader_id", "follower_id", "knowledge_area_id"],
        unique=True,
        postgresql_where=sa.text("status = 'PROPOSED'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_mentorship_areas_proposed",
        table_name="mentorship_areas",
        postgresql_where=sa.text("status = 'PROPOSED'"),
    )
    op.drop_index(
        "uq_mentorship_areas_active",
        table_name="mentorship_areas",
        postgresql_where=sa.text("status = 'ACTIVE'"),
    )
    op.execute("DROP TRIGGER relationships_copy_status_to_areas ON relationships")
    op.execute("DROP FUNCTION relationships_copy_status_to_areas()")
    op.execute("DROP TRIGGER mentorship_areas_mirror_relationship ON mentorship_areas")
    op.execute("DROP FUNCTION mentorship_areas_mirror_relationship()")
    op.add_column(
        "mentorship_areas",
        sa.Column("active", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.execute("UPDATE mentorship_areas SET active = (status = 'ACTIVE')")
    op.drop_constraint(op.f("ck_mentorship_areas_status"), "mentorship_areas", type_="check")
    op.drop_column("mentorship_areas", "status")
    op.create_index(
        "uq_mentorship_areas_active",
        "mentorship_areas",
        ["leader_id", "follower_id", "knowledge_area_id"],
        unique=True,
        postgresql_where="active",
    )

    op.drop_constraint(
        op.f("ck_relationships_ended_by_a_person_with_a_reason"), "relationships", type_="check"
    )
    op.drop_constraint(
        op.f("ck_relationships_decline_reason_only_if_declined"), "relationships", type_="check"
    )
    op.drop_constraint(
        op.f("ck_relationships_closed_iff_declined_or_withdrawn"), "relationships", type_="check"
    )
    op.drop_column("relationships", "decline_reason")
    op.drop_column("relationships", "closed_at")
