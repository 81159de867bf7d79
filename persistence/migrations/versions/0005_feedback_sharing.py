"""What people do with feedback: feedback given unasked, shares, actions,
and the talking points feedback can become.

- feedback_items: named feedback given unasked, never about oneself (check);
- feedback_shares: an item or a request's results (exactly one, check)
  shared with a steward or mentor within their relationship to the owner,
  once at a time (partial unique index over the active ones); revoking keeps
  the row;
- feedback_actions: acknowledged (once: partial unique index), turned into a
  goal or a talking point (the link column matches the kind, checks);
- talking_points: raised for the next 1-on-1 of a relationship;
- notifications can point at a feedback item and know FEEDBACK_RECEIVED;
- an organization allows at least k invitees per request (check), so an
  anonymous request can always reach its threshold.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "'RELATIONSHIP_PROPOSED', 'RELATIONSHIP_ACCEPTED', 'RELATIONSHIP_DECLINED', 'RELATIONSHIP_WITHDRAWN', 'RELATIONSHIP_ENDED', 'RELATIONSHIP_RENEWED', 'RELATIONSHIP_REVIEW_DUE', 'STEWARDSHIP_HANDED_OVER', 'ROLE_PROPOSED', 'ROLE_ACCEPTED', 'ROLE_DECLINED', 'ROLE_WITHDRAWN', 'ROLE_ENDED', 'FEEDBACK_REQUESTED', 'FEEDBACK_REMINDER'"
NEW_KINDS = OLD_KINDS + ", 'FEEDBACK_RECEIVED'"


def upgrade() -> None:
    op.create_table(
        "feedback_items",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("subject_id", sa.UUID(), nullable=False),
        sa.Column("giver_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("goal_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(text) > 0", name=op.f("ck_feedback_items_text_given")),
        sa.CheckConstraint(
            "subject_id <> giver_id", name=op.f("ck_feedback_items_not_about_oneself")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "giver_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_feedback_items_organization_id_giver_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "goal_id"],
            ["goals.organization_id", "goals.id"],
            name=op.f("fk_feedback_items_organization_id_goal_id_goals"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "subject_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_feedback_items_organization_id_subject_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_feedback_items_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_items")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_feedback_items_organization_id_id")
        ),
    )
    op.create_index(
        "ix_feedback_items_giver_id_created_at_id",
        "feedback_items",
        ["giver_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_feedback_items_subject_id_created_at_id",
        "feedback_items",
        ["subject_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "talking_points",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("relationship_id", sa.UUID(), nullable=False),
        sa.Column("author_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "author_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_talking_points_organization_id_author_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "relationship_id"],
            ["relationships.organization_id", "relationships.id"],
            name=op.f("fk_talking_points_organization_id_relationship_id_relationships"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_talking_points_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talking_points")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_talking_points_organization_id_id")
        ),
    )
    op.create_index(
        "ix_talking_points_relationship_id", "talking_points", ["relationship_id"], unique=False
    )
    op.create_table(
        "feedback_actions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("owner_id", sa.UUID(), nullable=False),
        sa.Column("item_id", sa.UUID(), nullable=True),
        sa.Column("request_id", sa.UUID(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "ACKNOWLEDGED",
                "GOAL",
                "TALKING_POINT",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("goal_id", sa.UUID(), nullable=True),
        sa.Column("talking_point_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'GOAL') = (goal_id IS NOT NULL)",
            name=op.f("ck_feedback_actions_goal_iff_goal"),
        ),
        sa.CheckConstraint(
            "(kind = 'TALKING_POINT') = (talking_point_id IS NOT NULL)",
            name=op.f("ck_feedback_actions_talking_point_iff_talking_point"),
        ),
        sa.CheckConstraint(
            "num_nonnulls(item_id, request_id) = 1", name=op.f("ck_feedback_actions_one_source")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "goal_id"],
            ["goals.organization_id", "goals.id"],
            name=op.f("fk_feedback_actions_organization_id_goal_id_goals"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "item_id"],
            ["feedback_items.organization_id", "feedback_items.id"],
            name=op.f("fk_feedback_actions_organization_id_item_id_feedback_items"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "owner_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_feedback_actions_organization_id_owner_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "request_id"],
            ["feedback_requests.organization_id", "feedback_requests.id"],
            name=op.f("fk_feedback_actions_organization_id_request_id_feedback_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "talking_point_id"],
            ["talking_points.organization_id", "talking_points.id"],
            name=op.f("fk_feedback_actions_organization_id_talking_point_id_talking_points"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_feedback_actions_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_actions")),
    )
    op.create_index(
        "ix_feedback_actions_source",
        "feedback_actions",
        [sa.literal_column("coalesce(item_id, request_id)")],
        unique=False,
    )
    op.create_index(
        "uq_feedback_actions_acknowledged",
        "feedback_actions",
        [sa.literal_column("coalesce(item_id, request_id)")],
        unique=True,
        postgresql_where=sa.text("kind = 'ACKNOWLEDGED'"),
    )
    op.create_table(
        "feedback_shares",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("owner_id", sa.UUID(), nullable=False),
        sa.Column("item_id", sa.UUID(), nullable=True),
        sa.Column("request_id", sa.UUID(), nullable=True),
        sa.Column(
            "audience",
            sa.Enum(
                "STEWARD",
                "MENTOR",
                name="audience",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("relationship_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "num_nonnulls(item_id, request_id) = 1", name=op.f("ck_feedback_shares_one_source")
        ),
        sa.CheckConstraint(
            "person_id <> owner_id", name=op.f("ck_feedback_shares_not_with_oneself")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "item_id"],
            ["feedback_items.organization_id", "feedback_items.id"],
            name=op.f("fk_feedback_shares_organization_id_item_id_feedback_items"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "owner_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_feedback_shares_organization_id_owner_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_feedback_shares_organization_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "relationship_id"],
            ["relationships.organization_id", "relationships.id"],
            name=op.f("fk_feedback_shares_organization_id_relationship_id_relationships"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "request_id"],
            ["feedback_requests.organization_id", "feedback_requests.id"],
            name=op.f("fk_feedback_shares_organization_id_request_id_feedback_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_feedback_shares_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_shares")),
    )
    op.create_index(
        "ix_feedback_shares_relationship_id", "feedback_shares", ["relationship_id"], unique=False
    )
    op.create_index(
        "ix_feedback_shares_person_id_active",
        "feedback_shares",
        ["person_id"],
        unique=False,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_index(
        "uq_feedback_shares_active",
        "feedback_shares",
        [sa.literal_column("coalesce(item_id, request_id)"), "relationship_id"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.add_column("notifications", sa.Column("feedback_item_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_notifications_organization_id_feedback_item_id_feedback_items"),
        "notifications",
        "feedback_items",
        ["organization_id", "feedback_item_id"],
        ["organization_id", "id"],
    )
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"), "notifications", f"kind IN ({NEW_KINDS})"
    )
    op.create_check_constraint(
        op.f("ck_organizations_feedback_anonymity_reachable"),
        "organizations",
        "feedback_max_invitees >= feedback_anonymity_threshold",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("ck_organizations_feedback_anonymity_reachable"), "organizations", type_="check"
    )
    op.execute("DELETE FROM notifications WHERE kind = 'FEEDBACK_RECEIVED'")
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"), "notifications", f"kind IN ({OLD_KINDS})"
    )
    op.drop_constraint(
        op.f("fk_notifications_organization_id_feedback_item_id_feedback_items"),
        "notifications",
        type_="foreignkey",
    )
    op.drop_column("notifications", "feedback_item_id")
    op.drop_index(
        "uq_feedback_shares_active",
        table_name="feedback_shares",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.drop_index(
        "ix_feedback_shares_person_id_active",
        table_name="feedback_shares",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.drop_index("ix_feedback_shares_relationship_id", table_name="feedback_shares")
    op.drop_table("feedback_shares")
    op.drop_index(
        "uq_feedback_actions_acknowledged",
        table_name="feedback_actions",
        postgresql_where=sa.text("kind = 'ACKNOWLEDGED'"),
    )
    op.drop_index("ix_feedback_actions_source", table_name="feedback_actions")
    op.drop_table("feedback_actions")
    op.drop_index("ix_talking_points_relationship_id", table_name="talking_points")
    op.drop_table("talking_points")
    op.drop_index("ix_feedback_items_subject_id_created_at_id", table_name="feedback_items")
    op.drop_index("ix_feedback_items_giver_id_created_at_id", table_name="feedback_items")
    op.drop_table("feedback_items")
