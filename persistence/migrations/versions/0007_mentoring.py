"""Mentor matching: mentor offers, mentor profiles, learning wishes.

- an offer is of a mentor in an area at a proficiency from 1 to 5 (check);
  one live (not withdrawn) offer per mentor and area (partial unique index);
  matching reads the active offers of a few areas above a proficiency
  (partial index on area and proficiency);
- a mentor profile holds whether they accept new mentees and their weekly
  availability (a JSON list of [weekday, start, end] minutes);
- a wish is from a current to a higher desired proficiency (check), one
  open per person and area (partial unique index), closed with its time.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentor_offers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("mentor_id", sa.UUID(), nullable=False),
        sa.Column("knowledge_area_id", sa.UUID(), nullable=False),
        sa.Column("proficiency", sa.SmallInteger(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "PAUSED",
                "WITHDRAWN",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "proficiency BETWEEN 1 AND 5", name=op.f("ck_mentor_offers_proficiency_from_1_to_5")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "knowledge_area_id"],
            ["knowledge_areas.organization_id", "knowledge_areas.id"],
            name=op.f("fk_mentor_offers_organization_id_knowledge_area_id_knowledge_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "mentor_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_mentor_offers_organization_id_mentor_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_mentor_offers_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_offers")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_mentor_offers_organization_id_id")
        ),
    )
    op.create_index(
        "ix_mentor_offers_matching",
        "mentor_offers",
        ["knowledge_area_id", "proficiency"],
        unique=False,
        postgresql_where=sa.text("status = 'ACTIVE'"),
    )
    op.create_index(
        "uq_mentor_offers_live",
        "mentor_offers",
        ["mentor_id", "knowledge_area_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'WITHDRAWN'"),
    )
    op.create_table(
        "mentor_profiles",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("accepting", sa.Boolean(), nullable=False),
        sa.Column(
            "availability",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_mentor_profiles_organization_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_mentor_profiles_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_mentor_profiles")),
    )
    op.create_table(
        "learning_wishes",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("knowledge_area_id", sa.UUID(), nullable=False),
        sa.Column("current", sa.SmallInteger(), nullable=False),
        sa.Column("desired", sa.SmallInteger(), nullable=False),
        sa.Column(
            "availability",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("goal_id", sa.UUID(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "FULFILLED",
                "WITHDRAWN",
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
            "(status = 'OPEN') = (closed_at IS NULL)", name=op.f("ck_learning_wishes_closed_iff_at")
        ),
        sa.CheckConstraint(
            "current BETWEEN 1 AND 5 AND desired BETWEEN 1 AND 5 AND desired > current",
            name=op.f("ck_learning_wishes_proficiencies_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "goal_id"],
            ["goals.organization_id", "goals.id"],
            name=op.f("fk_learning_wishes_organization_id_goal_id_goals"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "knowledge_area_id"],
            ["knowledge_areas.organization_id", "knowledge_areas.id"],
            name=op.f("fk_learning_wishes_organization_id_knowledge_area_id_knowledge_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_learning_wishes_organization_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_learning_wishes_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_wishes")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_learning_wishes_organization_id_id")
        ),
    )
    op.create_index(
        "ix_learning_wishes_area_open",
        "learning_wishes",
        ["knowledge_area_id"],
        unique=False,
        postgresql_where=sa.text("status = 'OPEN'"),
    )
    op.create_index(
        "uq_learning_wishes_open",
        "learning_wishes",
        ["person_id", "knowledge_area_id"],
        unique=True,
        postgresql_where=sa.text("status = 'OPEN'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_learning_wishes_open",
        table_name="learning_wishes",
        postgresql_where=sa.text("status = 'OPEN'"),
    )
    op.drop_index(
        "ix_learning_wishes_area_open",
        table_name="learning_wishes",
        postgresql_where=sa.text("status = 'OPEN'"),
    )
    op.drop_table("learning_wishes")
    op.drop_table("mentor_profiles")
    op.drop_index(
        "uq_mentor_offers_live",
        table_name="mentor_offers",
        postgresql_where=sa.text("status <> 'WITHDRAWN'"),
    )
    op.drop_index(
        "ix_mentor_offers_matching",
        table_name="mentor_offers",
        postgresql_where=sa.text("status = 'ACTIVE'"),
    )
    op.drop_table("mentor_offers")
