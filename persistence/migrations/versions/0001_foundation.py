"""Foundation: organizations, people, teams, knowledge areas, roles, sign-in.

Every tenant table carries organization_id, and references between tenant
rows go through (organization_id, id) composite keys, so the database itself
refuses a row that points into another organization.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


FORBID_AREA_CYCLE = """
CREATE FUNCTION knowledge_areas_forbid_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND EXISTS (
        WITH RECURSIVE ancestors(id, parent_id) AS (
            SELECT id, parent_id FROM knowledge_areas WHERE id = NEW.parent_id
            UNION
            SELECT k.id, k.parent_id FROM knowledge_areas k JOIN ancestors a ON k.id = a.parent_id
        )
        SELECT 1 FROM ancestors WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION 'knowledge area % cannot be placed under its own descendant', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_knowledge_areas_no_cycle';
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organizations_slug")),
    )
    op.create_table(
        "knowledge_areas",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("parent_id", sa.UUID(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(btrim(name)) > 0", name=op.f("ck_knowledge_areas_name_not_blank")
        ),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_knowledge_areas_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "parent_id"],
            ["knowledge_areas.organization_id", "knowledge_areas.id"],
            name=op.f("fk_knowledge_areas_organization_id_parent_id_knowledge_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_knowledge_areas_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_areas")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_knowledge_areas_organization_id_id")
        ),
    )
    op.create_index("ix_knowledge_areas_parent_id", "knowledge_areas", ["parent_id"], unique=False)
    op.create_index(
        "uq_knowledge_areas_sibling_name",
        "knowledge_areas",
        [
            "organization_id",
            sa.literal_column("coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            sa.literal_column("lower(name)"),
        ],
        unique=True,
    )
    op.create_table(
        "people",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("handle", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "LEFT",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'LEFT') = (left_at IS NOT NULL)", name=op.f("ck_people_left_at_iff_left")
        ),
        sa.CheckConstraint("handle = lower(handle)", name=op.f("ck_people_handle_lowercase")),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_people_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_people_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint(
            "organization_id", "email", name=op.f("uq_people_organization_id_email")
        ),
        sa.UniqueConstraint(
            "organization_id", "handle", name=op.f("uq_people_organization_id_handle")
        ),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_people_organization_id_id")),
    )
    op.create_index(
        "ix_people_organization_id_lower_name_id",
        "people",
        ["organization_id", sa.literal_column("lower(name)"), "id"],
        unique=False,
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("mission", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "FORMING",
                "STORMING",
                "NORMING",
                "PERFORMING",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_teams_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_teams_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_teams_organization_id_id")),
    )
    op.create_index(
        "uq_teams_organization_id_lower_name",
        "teams",
        ["organization_id", sa.literal_column("lower(name)")],
        unique=True,
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_accounts_email_lowercase")),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_accounts_organization_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_accounts_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_email")),
        sa.UniqueConstraint("person_id", name=op.f("uq_accounts_person_id")),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("invited_by_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id", "invited_by_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_invitations_organization_id_invited_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_invitations_organization_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_invitations_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index("ix_invitations_person_id", "invitations", ["person_id"], unique=False)
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "TEAM_COACH",
                "PRODUCT_OWNER",
                "FACULTY_LEAD",
                "ORG_FACULTY",
                "STRATEGY_FACULTY",
                "COACH",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("team_id", sa.UUID(), nullable=True),
        sa.Column("knowledge_area_id", sa.UUID(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(role IN ('TEAM_COACH', 'PRODUCT_OWNER')) = (team_id IS NOT NULL) AND (role = 'FACULTY_LEAD') = (knowledge_area_id IS NOT NULL)",
            name=op.f("ck_role_assignments_scope_matches_role"),
        ),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at",
            name=op.f("ck_role_assignments_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "knowledge_area_id"],
            ["knowledge_areas.organization_id", "knowledge_areas.id"],
            name=op.f("fk_role_assignments_organization_id_knowledge_area_id_knowledge_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_role_assignments_organization_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "team_id"],
            ["teams.organization_id", "teams.id"],
            name=op.f("fk_role_assignments_organization_id_team_id_teams"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_role_assignments_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignments")),
    )
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
    op.create_table(
        "team_memberships",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("team_id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at",
            name=op.f("ck_team_memberships_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_team_memberships_organization_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "team_id"],
            ["teams.organization_id", "teams.id"],
            name=op.f("fk_team_memberships_organization_id_team_id_teams"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_team_memberships_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_memberships")),
    )
    op.create_index(
        "ix_team_memberships_person_id", "team_memberships", ["person_id"], unique=False
    )
    op.create_index(
        "uq_team_memberships_current",
        "team_memberships",
        ["team_id", "person_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("family_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaced_by_id", sa.UUID(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_refresh_tokens_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_refresh_tokens_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    op.create_index("ix_refresh_tokens_account_id", "refresh_tokens", ["account_id"], unique=False)
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"], unique=False)
    # The tree must stay a tree whatever writes it: the domain checks moves,
    # and this trigger is the last word (moves are serialized per organization
    # by an advisory lock, so two crossing moves cannot both pass).
    op.execute(FORBID_AREA_CYCLE)
    op.execute(
        "CREATE TRIGGER knowledge_areas_no_cycle"
        " BEFORE INSERT OR UPDATE OF parent_id ON knowledge_areas"
        " FOR EACH ROW EXECUTE FUNCTION knowledge_areas_forbid_cycle()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER knowledge_areas_no_cycle ON knowledge_areas")
    op.execute("DROP FUNCTION knowledge_areas_forbid_cycle()")
    op.drop_index("ix_refresh_tokens_family_id", table_name="refresh_tokens")
    op.drop_index("ix_refresh_tokens_account_id", table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index(
        "uq_team_memberships_current",
        table_name="team_memberships",
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_index("ix_team_memberships_person_id", table_name="team_memberships")
    op.drop_table("team_memberships")
    op.drop_index(
        "uq_role_assignments_current",
        table_name="role_assignments",
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_table("role_assignments")
    op.drop_index("ix_invitations_person_id", table_name="invitations")
    op.drop_table("invitations")
    op.drop_table("accounts")
    op.drop_index("uq_teams_organization_id_lower_name", table_name="teams")
    op.drop_table("teams")
    op.drop_index("ix_people_organization_id_lower_name_id", table_name="people")
    op.drop_table("people")
    op.drop_index("uq_knowledge_areas_sibling_name", table_name="knowledge_areas")
    op.drop_index("ix_knowledge_areas_parent_id", table_name="knowledge_areas")
    op.drop_table("knowledge_areas")
    op.drop_table("organizations")
