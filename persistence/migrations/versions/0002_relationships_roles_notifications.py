"""Relationships, role consent, capacities and notifications.

- relationships (stewardship, mentorship, coaching) with their lifecycle, and
  the knowledge areas a mentorship covers;
- at most one active stewardship per person (partial unique index), one
  active mentorship per mentor, mentee and area (partial unique index on
  mentorship_areas.active), nobody leads themselves (check), and a leader's
  capacity is never exceeded (trigger, which also refuses a capacity below
  the current load);
- role assignments gain a consent lifecycle (status, proposer, responder,
  review date); existing assignments are ACTIVE;
- notifications as data.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


WITHIN_CAPACITY = """
CREATE FUNCTION relationships_within_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cap integer;
    load integer;
BEGIN
    IF NEW.status <> 'ACTIVE' OR NEW.kind NOT IN ('STEWARDSHIP', 'MENTORSHIP')
       OR (TG_OP = 'UPDATE' AND OLD.status = 'ACTIVE') THEN
        RETURN NEW;
    END IF;
    -- Locking the leader serializes concurrent acceptances for them, and the
    -- count below then sees every one committed before.
    SELECT CASE WHEN NEW.kind = 'STEWARDSHIP'
                THEN coalesce(p.stewardee_capacity, o.default_stewardee_capacity)
                ELSE coalesce(p.mentee_capacity, o.default_mentee_capacity) END
      INTO cap
      FROM people p JOIN organizations o ON o.id = p.organization_id
     WHERE p.id = NEW.leader_id
       FOR UPDATE OF p;
    SELECT count(*) INTO load FROM relationships
     WHERE leader_id = NEW.leader_id AND kind = NEW.kind AND status = 'ACTIVE' AND id <> NEW.id;
    IF load >= cap THEN
        RAISE EXCEPTION 'leader % has reached their capacity (%)', NEW.leader_id, cap
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_relationships_within_capacity';
    END IF;
    RETURN NEW;
END
$$
"""

CAPACITY_NOT_BELOW_LOAD = """
CREATE FUNCTION people_capacity_not_below_load() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.stewardee_capacity IS NOT NULL AND NEW.stewardee_capacity < (
        SELECT count(*) FROM relationships
         WHERE leader_id = NEW.id AND kind = 'STEWARDSHIP' AND status = 'ACTIVE')
    OR NEW.mentee_capacity IS NOT NULL AND NEW.mentee_capacity < (
        SELECT count(*) FROM relationships
         WHERE leader_id = NEW.id AND kind = 'MENTORSHIP' AND status = 'ACTIVE') THEN
        RAISE EXCEPTION 'capacity of % is below their current load', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_people_capacity_not_below_load';
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.create_unique_constraint(
        op.f("uq_role_assignments_organization_id_id"),
        "role_assignments",
        ["organization_id", "id"],
    )
    op.create_table(
        "relationships",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "STEWARDSHIP",
                "MENTORSHIP",
                "COACHING",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("leader_id", sa.UUID(), nullable=False),
        sa.Column("follower_id", sa.UUID(), nullable=False),
        sa.Column("proposed_by_id", sa.UUID(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PROPOSED",
                "ACTIVE",
                "DECLINED",
                "WITHDRAWN",
                "ENDED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.UUID(), nullable=True),
        sa.Column(
            "end_reason",
            sa.Enum(
                "ENDED_BY_LEADER",
                "ENDED_BY_FOLLOWER",
                "HANDED_OVER",
                "PERSON_LEFT",
                name="end_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("end_note", sa.Text(), server_default="", nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("review_reminded_on", sa.Date(), nullable=True),
        sa.Column("replaces_id", sa.UUID(), nullable=True),
        sa.CheckConstraint(
            "(status = 'ENDED') = (ended_at IS NOT NULL AND end_reason IS NOT NULL)",
            name=op.f("ck_relationships_ended_iff_closed"),
        ),
        sa.CheckConstraint(
            "(status IN ('ACTIVE', 'ENDED')) = (started_at IS NOT NULL)",
            name=op.f("ck_relationships_started_iff_accepted"),
        ),
        sa.CheckConstraint(
            "leader_id <> follower_id", name=op.f("ck_relationships_not_with_oneself")
        ),
        sa.CheckConstraint(
            "proposed_by_id IN (leader_id, follower_id)",
            name=op.f("ck_relationships_proposed_by_a_party"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "ended_by_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_relationships_organization_id_ended_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "follower_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_relationships_organization_id_follower_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "leader_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_relationships_organization_id_leader_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "proposed_by_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_relationships_organization_id_proposed_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "replaces_id"],
            ["relationships.organization_id", "relationships.id"],
            name=op.f("fk_relationships_organization_id_replaces_id_relationships"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_relationships_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationships")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_relationships_organization_id_id")
        ),
    )
    op.create_index(
        "ix_relationships_follower_id_kind_status",
        "relationships",
        ["follower_id", "kind", "status"],
        unique=False,
    )
    op.create_index(
        "ix_relationships_leader_id_kind_status",
        "relationships",
        ["leader_id", "kind", "status"],
        unique=False,
    )
    op.create_index(
        "ix_relationships_review_on",
        "relationships",
        ["review_on"],
        unique=False,
        postgresql_where=sa.text("status = 'ACTIVE' AND review_on IS NOT NULL"),
    )
    op.create_index(
        "uq_relationships_active_stewardship",
        "relationships",
        ["follower_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'STEWARDSHIP' AND status = 'ACTIVE'"),
    )
    op.create_index(
        "uq_relationships_open_proposal",
        "relationships",
        [
            "leader_id",
            "follower_id",
            "kind",
            sa.literal_column(
                "coalesce(replaces_id, '00000000-0000-0000-0000-000000000000'::uuid)"
            ),
        ],
        unique=True,
        postgresql_where=sa.text("status = 'PROPOSED' AND kind <> 'MENTORSHIP'"),
    )
    op.create_table(
        "mentorship_areas",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("relationship_id", sa.UUID(), nullable=False),
        sa.Column("knowledge_area_id", sa.UUID(), nullable=False),
        sa.Column("leader_id", sa.UUID(), nullable=False),
        sa.Column("follower_id", sa.UUID(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "knowledge_area_id"],
            ["knowledge_areas.organization_id", "knowledge_areas.id"],
            name=op.f("fk_mentorship_areas_organization_id_knowledge_area_id_knowledge_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "relationship_id"],
            ["relationships.organization_id", "relationships.id"],
            name=op.f("fk_mentorship_areas_organization_id_relationship_id_relationships"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_mentorship_areas_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorship_areas")),
        sa.UniqueConstraint(
            "relationship_id",
            "knowledge_area_id",
            name=op.f("uq_mentorship_areas_relationship_id_knowledge_area_id"),
        ),
    )
    op.create_index(
        "uq_mentorship_areas_active",
        "mentorship_areas",
        ["leader_id", "follower_id", "knowledge_area_id"],
        unique=True,
        postgresql_where="active",
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("recipient_id", sa.UUID(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "RELATIONSHIP_PROPOSED",
                "RELATIONSHIP_ACCEPTED",
                "RELATIONSHIP_DECLINED",
                "RELATIONSHIP_WITHDRAWN",
                "RELATIONSHIP_ENDED",
                "RELATIONSHIP_RENEWED",
                "RELATIONSHIP_REVIEW_DUE",
                "STEWARDSHIP_HANDED_OVER",
                "ROLE_PROPOSED",
                "ROLE_ACCEPTED",
                "ROLE_DECLINED",
                "ROLE_WITHDRAWN",
                "ROLE_ENDED",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column("relationship_id", sa.UUID(), nullable=True),
        sa.Column("role_assignment_id", sa.UUID(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id", "actor_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_notifications_organization_id_actor_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "recipient_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_notifications_organization_id_recipient_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "relationship_id"],
            ["relationships.organization_id", "relationships.id"],
            name=op.f("fk_notifications_organization_id_relationship_id_relationships"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "role_assignment_id"],
            ["role_assignments.organization_id", "role_assignments.id"],
            name=op.f("fk_notifications_organization_id_role_assignment_id_role_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_notifications_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_recipient_id_created_at_id",
        "notifications",
        ["recipient_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_notifications_unread",
        "notifications",
        ["recipient_id"],
        unique=False,
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.add_column(
        "organizations",
        sa.Column("default_stewardee_capacity", sa.Integer(), server_default="6", nullable=False),
    )
    op.add_column(
        "organizations",
        sa.Column("default_mentee_capacity", sa.Integer(), server_default="3", nullable=False),
    )
    op.add_column("people", sa.Column("stewardee_capacity", sa.Integer(), nullable=True))
    op.add_column("people", sa.Column("mentee_capacity", sa.Integer(), nullable=True))
    # Assignments made before consent existed were in force: ACTIVE (or
    # ENDED if they had ended), proposed when they started.
    op.add_column(
        "role_assignments",
        sa.Column("status", sa.String(32), nullable=False, server_default="ACTIVE"),
    )
    op.execute("UPDATE role_assignments SET status = 'ENDED' WHERE ended_at IS NOT NULL")
    op.alter_column("role_assignments", "status", server_default=None)
    op.create_check_constraint(
        op.f("ck_role_assignments_status"),
        "role_assignments",
        "status IN ('PROPOSED', 'ACTIVE', 'DECLINED', 'WITHDRAWN', 'ENDED')",
    )
    op.add_column("role_assignments", sa.Column("proposed_by_id", sa.UUID(), nullable=True))
    op.add_column(
        "role_assignments", sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE role_assignments SET proposed_at = started_at")
    op.add_column("role_assignments", sa.Column("responded_by_id", sa.UUID(), nullable=True))
    op.add_column("role_assignments", sa.Column("review_on", sa.Date(), nullable=True))
    op.add_column(
        "role_assignments", sa.Column("end_note", sa.Text(), server_default="", nullable=False)
    )
    op.alter_column(
        "role_assignments",
        "started_at",
        existing_type=postgresql.TIMESTAMP(timezone=True),
        nullable=True,
    )
    op.create_check_constraint(
        op.f("ck_role_assignments_started_iff_held"),
        "role_assignments",
        "(status IN ('ACTIVE', 'ENDED')) = (started_at IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_role_assignments_ended_iff_closed"),
        "role_assignments",
        "(ended_at IS NULL) = (status IN ('PROPOSED', 'ACTIVE'))",
    )
    op.create_check_constraint(
        op.f("ck_organizations_capacities_in_range"),
        "organizations",
        "default_stewardee_capacity BETWEEN 0 AND 50 AND default_mentee_capacity BETWEEN 0 AND 50",
    )
    op.create_check_constraint(
        op.f("ck_people_capacities_in_range"),
        "people",
        "stewardee_capacity BETWEEN 0 AND 50 AND mentee_capacity BETWEEN 0 AND 50",
    )
    # "Held once at a time" now means status ACTIVE (a proposal is not held).
    op.drop_index("uq_role_assignments_current", table_name="role_assignments")
    op.create_index(
        "uq_role_assignments_current",
        "role_assignments",
        [
            "organization_id",
            "person_id",
            "role",
            sa.literal_column("coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            sa.literal_column(
                "coalesce(knowledge_area_id, '00000000-0000-0000-0000-000000000000'::uuid)"
            ),
        ],
        unique=True,
        postgresql_where=sa.text("status = 'ACTIVE'"),
    )
    op.create_index(
        "ix_role_assignments_knowledge_area_id",
        "role_assignments",
        ["knowledge_area_id"],
        unique=False,
    )
    op.create_index(
        "ix_role_assignments_person_id", "role_assignments", ["person_id"], unique=False
    )
    op.create_index("ix_role_assignments_team_id", "role_assignments", ["team_id"], unique=False)
    op.create_index(
        "uq_role_assignments_open_proposal",
        "role_assignments",
        [
            "organization_id",
            "person_id",
            "role",
            sa.literal_column("coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            sa.literal_column(
                "coalesce(knowledge_area_id, '00000000-0000-0000-0000-000000000000'::uuid)"
            ),
        ],
        unique=True,
        postgresql_where=sa.text("status = 'PROPOSED'"),
    )
    op.create_foreign_key(
        op.f("fk_role_assignments_organization_id_responded_by_id_people"),
        "role_assignments",
        "people",
        ["organization_id", "responded_by_id"],
        ["organization_id", "id"],
    )
    op.create_foreign_key(
        op.f("fk_role_assignments_organization_id_proposed_by_id_people"),
        "role_assignments",
        "people",
        ["organization_id", "proposed_by_id"],
        ["organization_id", "id"],
    )
    op.execute(WITHIN_CAPACITY)
    op.execute(
        "CREATE TRIGGER relationships_within_capacity"
        " BEFORE INSERT OR UPDATE OF status ON relationships"
        " FOR EACH ROW EXECUTE FUNCTION relationships_within_capacity()"
    )
    op.execute(CAPACITY_NOT_BELOW_LOAD)
    op.execute(
        "CREATE TRIGGER people_capacity_not_below_load"
        " BEFORE UPDATE OF stewardee_capacity, mentee_capacity ON people"
        " FOR EACH ROW EXECUTE FUNCTION people_capacity_not_below_load()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER people_capacity_not_below_load ON people")
    op.execute("DROP FUNCTION people_capacity_not_below_load()")
    op.execute("DROP TRIGGER relationships_within_capacity ON relationships")
    op.execute("DROP FUNCTION relationships_within_capacity()")
    op.drop_constraint(op.f("ck_people_capacities_in_range"), "people", type_="check")
    op.drop_constraint(op.f("ck_organizations_capacities_in_range"), "organizations", type_="check")
    op.drop_constraint(
        op.f("ck_role_assignments_ended_iff_closed"), "role_assignments", type_="check"
    )
    op.drop_constraint(
        op.f("ck_role_assignments_started_iff_held"), "role_assignments", type_="check"
    )
    op.drop_constraint(op.f("ck_role_assignments_status"), "role_assignments", type_="check")
    # Proposals never held have no place in the old model.
    op.execute("DELETE FROM role_assignments WHERE started_at IS NULL")
    op.drop_index("uq_role_assignments_current", table_name="role_assignments")
    op.create_index(
        "uq_role_assignments_current",
        "role_assignments",
        [
            "organization_id",
            "person_id",
            "role",
            sa.literal_column("coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            sa.literal_column(
                "coalesce(knowledge_area_id, '00000000-0000-0000-0000-000000000000'::uuid)"
            ),
        ],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_constraint(
        op.f("fk_role_assignments_organization_id_proposed_by_id_people"),
        "role_assignments",
        type_="foreignkey",
    )
    op.drop_constraint(
        op.f("fk_role_assignments_organization_id_responded_by_id_people"),
        "role_assignments",
        type_="foreignkey",
    )
    op.drop_index(
        "uq_role_assignments_open_proposal",
        table_name="role_assignments",
        postgresql_where=sa.text("status = 'PROPOSED'"),
    )
    op.drop_index("ix_role_assignments_team_id", table_name="role_assignments")
    op.drop_index("ix_role_assignments_person_id", table_name="role_assignments")
    op.drop_index("ix_role_assignments_knowledge_area_id", table_name="role_assignments")
    op.alter_column(
        "role_assignments",
        "started_at",
        existing_type=postgresql.TIMESTAMP(timezone=True),
        nullable=False,
    )
    op.drop_column("role_assignments", "end_note")
    op.drop_column("role_assignments", "review_on")
    op.drop_column("role_assignments", "responded_by_id")
    op.drop_column("role_assignments", "proposed_at")
    op.drop_column("role_assignments", "proposed_by_id")
    op.drop_column("role_assignments", "status")
    op.drop_column("people", "mentee_capacity")
    op.drop_column("people", "stewardee_capacity")
    op.drop_column("organizations", "default_mentee_capacity")
    op.drop_column("organizations", "default_stewardee_capacity")
    op.drop_index(
        "ix_notifications_unread",
        table_name="notifications",
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.drop_index("ix_notifications_recipient_id_created_at_id", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(
        "uq_mentorship_areas_active", table_name="mentorship_areas", postgresql_where="active"
    )
    op.drop_table("mentorship_areas")
    op.drop_index(
        "uq_relationships_active_stewardship",
        table_name="relationships",
        postgresql_where=sa.text("kind = 'STEWARDSHIP' AND status = 'ACTIVE'"),
    )
    op.drop_index(
        "ix_relationships_review_on",
        table_name="relationships",
        postgresql_where=sa.text("status = 'ACTIVE' AND review_on IS NOT NULL"),
    )
    op.drop_index("ix_relationships_leader_id_kind_status", table_name="relationships")
    op.drop_index("ix_relationships_follower_id_kind_status", table_name="relationships")
    op.drop_table("relationships")
    # Last: notifications referenced it.
    op.drop_constraint(
        op.f("uq_role_assignments_organization_id_id"), "role_assignments", type_="unique"
    )
