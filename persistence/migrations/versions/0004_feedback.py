"""Peer feedback: requests, questions, invitations and answers.

- one live invitation per person and request (a removed one may be
  followed by a new one), one answer per invitation and
  question (unique constraints); scale answers are 1 to 5 (check); EXPIRED is
  derived from the request and never stored (check);
- notifications can point at an invitation, and know two more kinds;
- a request keeps the anonymity threshold k it was made with;
- organizations gain the feedback rules (people per request, the anonymity
  threshold k, the cap on open invitations per person).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_KINDS = "'RELATIONSHIP_PROPOSED', 'RELATIONSHIP_ACCEPTED', 'RELATIONSHIP_DECLINED', 'RELATIONSHIP_WITHDRAWN', 'RELATIONSHIP_ENDED', 'RELATIONSHIP_RENEWED', 'RELATIONSHIP_REVIEW_DUE', 'STEWARDSHIP_HANDED_OVER', 'ROLE_PROPOSED', 'ROLE_ACCEPTED', 'ROLE_DECLINED', 'ROLE_WITHDRAWN', 'ROLE_ENDED'"
NEW_KINDS = OLD_KINDS + ", 'FEEDBACK_REQUESTED', 'FEEDBACK_REMINDER'"


def upgrade() -> None:
    op.create_table(
        "feedback_requests",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("requester_id", sa.UUID(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("goal_id", sa.UUID(), nullable=True),
        sa.Column(
            "anonymity",
            sa.Enum(
                "NAMED",
                "ANONYMOUS",
                name="anonymity",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("anonymity_threshold", sa.SmallInteger(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "CLOSED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'CLOSED') = (closed_at IS NOT NULL)",
            name=op.f("ck_feedback_requests_closed_iff_at"),
        ),
        sa.CheckConstraint(
            "anonymity_threshold BETWEEN 2 AND 50",
            name=op.f("ck_feedback_requests_threshold_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "goal_id"],
            ["goals.organization_id", "goals.id"],
            name=op.f("fk_feedback_requests_organization_id_goal_id_goals"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "requester_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_feedback_requests_organization_id_requester_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_feedback_requests_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_requests")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_feedback_requests_organization_id_id")
        ),
    )
    op.create_index(
        "ix_feedback_requests_requester_id", "feedback_requests", ["requester_id"], unique=False
    )
    op.create_table(
        "feedback_invitations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("request_id", sa.UUID(), nullable=False),
        sa.Column("invitee_id", sa.UUID(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "ANSWERED",
                "DECLINED",
                "EXPIRED",
                "REMOVED",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decline_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status <> 'EXPIRED'", name=op.f("ck_feedback_invitations_expiry_is_derived")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "invitee_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_feedback_invitations_organization_id_invitee_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "request_id"],
            ["feedback_requests.organization_id", "feedback_requests.id"],
            name=op.f("fk_feedback_invitations_organization_id_request_id_feedback_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_feedback_invitations_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_invitations")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_feedback_invitations_organization_id_id")
        ),
    )
    op.create_index(
        "uq_feedback_invitations_live",
        "feedback_invitations",
        ["request_id", "invitee_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'REMOVED'"),
    )
    op.create_index(
        "ix_feedback_invitations_invitee_id_status",
        "feedback_invitations",
        ["invitee_id", "status"],
        unique=False,
    )
    op.create_table(
        "feedback_questions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("request_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "TEXT", "SCALE", name="kind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("low_label", sa.Text(), server_default="", nullable=False),
        sa.Column("high_label", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "request_id"],
            ["feedback_requests.organization_id", "feedback_requests.id"],
            name=op.f("fk_feedback_questions_organization_id_request_id_feedback_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_feedback_questions_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_questions")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_feedback_questions_organization_id_id")
        ),
        sa.UniqueConstraint(
            "request_id", "position", name=op.f("uq_feedback_questions_request_id_position")
        ),
    )
    op.create_table(
        "feedback_answers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("invitation_id", sa.UUID(), nullable=False),
        sa.Column("question_id", sa.UUID(), nullable=False),
        sa.Column("scale_value", sa.SmallInteger(), nullable=True),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(
            "scale_value BETWEEN 1 AND 5", name=op.f("ck_feedback_answers_scale_from_1_to_5")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "invitation_id"],
            ["feedback_invitations.organization_id", "feedback_invitations.id"],
            name=op.f("fk_feedback_answers_organization_id_invitation_id_feedback_invitations"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "question_id"],
            ["feedback_questions.organization_id", "feedback_questions.id"],
            name=op.f("fk_feedback_answers_organization_id_question_id_feedback_questions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_feedback_answers_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_answers")),
        sa.UniqueConstraint(
            "invitation_id",
            "question_id",
            name=op.f("uq_feedback_answers_invitation_id_question_id"),
        ),
    )
    op.create_table(
        "feedback_templates",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("questions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "jsonb_typeof(questions) = 'array'",
            name=op.f("ck_feedback_templates_questions_is_a_list"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "created_by_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_feedback_templates_organization_id_created_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_feedback_templates_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_templates")),
    )
    op.add_column("notifications", sa.Column("feedback_invitation_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_notifications_organization_id_feedback_invitation_id_feedback_invitations"),
        "notifications",
        "feedback_invitations",
        ["organization_id", "feedback_invitation_id"],
        ["organization_id", "id"],
    )
    op.add_column(
        "organizations",
        sa.Column("feedback_max_invitees", sa.Integer(), server_default="8", nullable=False),
    )
    op.add_column(
        "organizations",
        sa.Column("feedback_anonymity_threshold", sa.Integer(), server_default="3", nullable=False),
    )
    op.add_column(
        "organizations",
        sa.Column("feedback_open_invitation_cap", sa.Integer(), server_default="5", nullable=False),
    )
    op.add_column(
        "organizations",
        sa.Column("feedback_reminder_hours", sa.Integer(), server_default="48", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_organizations_feedback_rules_in_range"),
        "organizations",
        "feedback_max_invitees BETWEEN 1 AND 50 AND feedback_anonymity_threshold BETWEEN 2 AND 50"
        " AND feedback_open_invitation_cap BETWEEN 1 AND 100"
        " AND feedback_reminder_hours BETWEEN 1 AND 720",
    )
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"), "notifications", f"kind IN ({NEW_KINDS})"
    )


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE kind LIKE 'FEEDBACK_%'")
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"), "notifications", f"kind IN ({OLD_KINDS})"
    )
    op.drop_constraint(
        op.f("ck_organizations_feedback_rules_in_range"), "organizations", type_="check"
    )
    op.drop_column("organizations", "feedback_reminder_hours")
    op.drop_column("organizations", "feedback_open_invitation_cap")
    op.drop_column("organizations", "feedback_anonymity_threshold")
    op.drop_column("organizations", "feedback_max_invitees")
    op.drop_constraint(
        op.f("fk_notifications_organization_id_feedback_invitation_id_feedback_invitations"),
        "notifications",
        type_="foreignkey",
    )
    op.drop_column("notifications", "feedback_invitation_id")
    op.drop_table("feedback_templates")
    op.drop_table("feedback_answers")
    op.drop_table("feedback_questions")
    op.drop_index(
        "uq_feedback_invitations_live",
        table_name="feedback_invitations",
        postgresql_where=sa.text("status <> 'REMOVED'"),
    )
    op.drop_index("ix_feedback_invitations_invitee_id_status", table_name="feedback_invitations")
    op.drop_table("feedback_invitations")
    op.drop_index("ix_feedback_requests_requester_id", table_name="feedback_requests")
    op.drop_table("feedback_requests")
