"""Growth goals, check-ins and shares; autonomy agreements and their history.

- goals are private until shared: goal_shares rows (one active share per
  goal and audience, a partial unique index), revoked rather than deleted;
- check-in progress is a percentage (check constraint);
- an agreement lives in exactly one relationship or product-owner role
  (check), between two different people (check), and an active one has an
  agreed stage (check); agreement_changes keeps every change;
- organizations gain the readiness rule (goals needed, window in days).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("owner_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "TASKS",
                "FIXED_GOALS",
                "FLEXIBLE_GOALS",
                "PURPOSE",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("knowledge_area_id", sa.UUID(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "ACTIVE",
                "ACHIEVED",
                "ABANDONED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("status_note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("achieved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'ABANDONED') = (abandoned_at IS NOT NULL)",
            name=op.f("ck_goals_abandoned_iff_at"),
        ),
        sa.CheckConstraint(
            "(status = 'ACHIEVED') = (achieved_at IS NOT NULL)",
            name=op.f("ck_goals_achieved_iff_at"),
        ),
        sa.CheckConstraint("length(btrim(title)) > 0", name=op.f("ck_goals_title_not_blank")),
        sa.ForeignKeyConstraint(
            ["organization_id", "knowledge_area_id"],
            ["knowledge_areas.organization_id", "knowledge_areas.id"],
            name=op.f("fk_goals_organization_id_knowledge_area_id_knowledge_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "owner_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_goals_organization_id_owner_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_goals_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_goals_organization_id_id")),
    )
    op.create_index("ix_goals_owner_id_status", "goals", ["owner_id", "status"], unique=False)
    op.create_table(
        "autonomy_agreements",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("leader_id", sa.UUID(), nullable=False),
        sa.Column("follower_id", sa.UUID(), nullable=False),
        sa.Column("relationship_id", sa.UUID(), nullable=True),
        sa.Column("role_assignment_id", sa.UUID(), nullable=True),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("knowledge_area_id", sa.UUID(), nullable=True),
        sa.Column(
            "dimension",
            sa.Enum(
                "WHAT",
                "HOW",
                "WHEN",
                "WHERE",
                "WITH_WHOM",
                "WHY",
                name="dimension",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "agreed_stage",
            sa.Enum(
                "TASKS",
                "FIXED_GOALS",
                "FLEXIBLE_GOALS",
                "PURPOSE",
                name="agreed_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "proposed_stage",
            sa.Enum(
                "TASKS",
                "FIXED_GOALS",
                "FLEXIBLE_GOALS",
                "PURPOSE",
                name="proposed_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("proposed_by_id", sa.UUID(), nullable=True),
        sa.Column(
            "follower_view",
            sa.Enum(
                "TASKS",
                "FIXED_GOALS",
                "FLEXIBLE_GOALS",
                "PURPOSE",
                name="follower_view",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "leader_view",
            sa.Enum(
                "TASKS",
                "FIXED_GOALS",
                "FLEXIBLE_GOALS",
                "PURPOSE",
                name="leader_view",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "leader_capability",
            sa.Enum(
                "TASKS",
                "FIXED_GOALS",
                "FLEXIBLE_GOALS",
                "PURPOSE",
                name="leader_capability",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "PROPOSED",
                "ACTIVE",
                "ENDED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status <> 'ACTIVE' OR agreed_stage IS NOT NULL",
            name=op.f("ck_autonomy_agreements_active_has_agreed_stage"),
        ),
        sa.CheckConstraint(
            "(proposed_stage IS NULL) = (proposed_by_id IS NULL)",
            name=op.f("ck_autonomy_agreements_proposal_has_proposer"),
        ),
        sa.CheckConstraint(
            "(relationship_id IS NULL) <> (role_assignment_id IS NULL)",
            name=op.f("ck_autonomy_agreements_one_context"),
        ),
        sa.CheckConstraint(
            "leader_id <> follower_id", name=op.f("ck_autonomy_agreements_not_with_oneself")
        ),
        sa.CheckConstraint(
            "proposed_by_id IS NULL OR proposed_by_id IN (leader_id, follower_id)",
            name=op.f("ck_autonomy_agreements_proposed_by_a_party"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "created_by_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_autonomy_agreements_organization_id_created_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "follower_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_autonomy_agreements_organization_id_follower_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "knowledge_area_id"],
            ["knowledge_areas.organization_id", "knowledge_areas.id"],
            name=op.f("fk_autonomy_agreements_organization_id_knowledge_area_id_knowledge_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "leader_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_autonomy_agreements_organization_id_leader_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "proposed_by_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_autonomy_agreements_organization_id_proposed_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "relationship_id"],
            ["relationships.organization_id", "relationships.id"],
            name=op.f("fk_autonomy_agreements_organization_id_relationship_id_relationships"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "role_assignment_id"],
            ["role_assignments.organization_id", "role_assignments.id"],
            name=op.f("fk_autonomy_agreements_organization_id_role_assignment_id_role_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_autonomy_agreements_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autonomy_agreements")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_autonomy_agreements_organization_id_id")
        ),
    )
    op.create_index(
        "ix_autonomy_agreements_follower_id", "autonomy_agreements", ["follower_id"], unique=False
    )
    op.create_index(
        "ix_autonomy_agreements_leader_id", "autonomy_agreements", ["leader_id"], unique=False
    )
    op.create_index(
        "ix_autonomy_agreements_relationship_id",
        "autonomy_agreements",
        ["relationship_id"],
        unique=False,
    )
    op.create_table(
        "goal_check_ins",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("goal_id", sa.UUID(), nullable=False),
        sa.Column("progress", sa.SmallInteger(), nullable=False),
        sa.Column(
            "confidence",
            sa.Enum(
                "LOW",
                "MEDIUM",
                "HIGH",
                name="confidence",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "progress BETWEEN 0 AND 100", name=op.f("ck_goal_check_ins_progress_is_a_percentage")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "goal_id"],
            ["goals.organization_id", "goals.id"],
            name=op.f("fk_goal_check_ins_organization_id_goal_id_goals"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_goal_check_ins_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_check_ins")),
    )
    op.create_index(
        "ix_goal_check_ins_goal_id_created_at",
        "goal_check_ins",
        ["goal_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "goal_shares",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("goal_id", sa.UUID(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "STEWARD",
                "MENTOR",
                "ORGANIZATION",
                name="audience",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("person_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(audience = 'MENTOR') = (person_id IS NOT NULL)",
            name=op.f("ck_goal_shares_mentor_named"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "goal_id"],
            ["goals.organization_id", "goals.id"],
            name=op.f("fk_goal_shares_organization_id_goal_id_goals"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_goal_shares_organization_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_goal_shares_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_shares")),
    )
    op.create_index(
        "uq_goal_shares_active",
        "goal_shares",
        [
            "goal_id",
            "audience",
            sa.literal_column("coalesce(person_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
        ],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_table(
        "agreement_changes",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("agreement_id", sa.UUID(), nullable=False),
        sa.Column("changed_by_id", sa.UUID(), nullable=False),
        sa.Column(
            "field",
            sa.Enum(
                "AGREED_STAGE",
                "PROPOSED_STAGE",
                "FOLLOWER_VIEW",
                "LEADER_VIEW",
                "LEADER_CAPABILITY",
                "REVIEW_ON",
                "STATUS",
                name="field",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "agreement_id"],
            ["autonomy_agreements.organization_id", "autonomy_agreements.id"],
            name=op.f("fk_agreement_changes_organization_id_agreement_id_autonomy_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "changed_by_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_agreement_changes_organization_id_changed_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_agreement_changes_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_changes")),
    )
    op.create_index(
        "ix_agreement_changes_agreement_id_changed_at",
        "agreement_changes",
        ["agreement_id", "changed_at"],
        unique=False,
    )
    op.add_column(
        "organizations",
        sa.Column("readiness_goal_count", sa.Integer(), server_default="3", nullable=False),
    )
    op.add_column(
        "organizations",
        sa.Column("readiness_window_days", sa.Integer(), server_default="365", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_organizations_readiness_rule_in_range"),
        "organizations",
        "readiness_goal_count BETWEEN 1 AND 50 AND readiness_window_days BETWEEN 1 AND 3660",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("ck_organizations_readiness_rule_in_range"), "organizations", type_="check"
    )
    op.drop_column("organizations", "readiness_window_days")
    op.drop_column("organizations", "readiness_goal_count")
    op.drop_index("ix_agreement_changes_agreement_id_changed_at", table_name="agreement_changes")
    op.drop_table("agreement_changes")
    op.drop_index(
        "uq_goal_shares_active",
        table_name="goal_shares",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.drop_table("goal_shares")
    op.drop_index("ix_goal_check_ins_goal_id_created_at", table_name="goal_check_ins")
    op.drop_table("goal_check_ins")
    op.drop_index("ix_autonomy_agreements_relationship_id", table_name="autonomy_agreements")
    op.drop_index("ix_autonomy_agreements_leader_id", table_name="autonomy_agreements")
    op.drop_index("ix_autonomy_agreements_follower_id", table_name="autonomy_agreements")
    op.drop_table("autonomy_agreements")
    op.drop_index("ix_goals_owner_id_status", table_name="goals")
    op.drop_table("goals")
