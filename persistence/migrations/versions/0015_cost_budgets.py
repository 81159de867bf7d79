"""Cost budgets: each caller's leaky bucket of operation cost (DESIGN.md 5).

- person_cost_budgets: one bucket per person (primary key: organization and
  person; a same-organization foreign key to the person);
- address_cost_budgets: one bucket per client address, or IPv6 /64
  network, for callers without a valid token (primary key; its length is
  checked);
- each holds the level left by the last pour (never negative: check), when
  that was, and whether that pour's cost went in. Every operation upserts
  its caller's row in one statement, which the row's lock keeps exact
  under concurrent operations in several processes.

Nothing to backfill: a missing bucket is an empty one.

Revision ID: 0015
Revises: 0014
Create Date: 2027-02-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _bucket_columns(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("level", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_admitted", sa.Boolean(), nullable=False),
        sa.CheckConstraint("level >= 0", name=op.f(f"ck_{table}_level_not_negative")),
    ]


def upgrade() -> None:
    op.create_table(
        "person_cost_budgets",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        *_bucket_columns("person_cost_budgets"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_person_cost_budgets_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["people.organization_id", "people.id"],
            name=op.f("fk_person_cost_budgets_organization_id_person_id_people"),
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "person_id", name=op.f("pk_person_cost_budgets")
        ),
    )
    op.create_table(
        "address_cost_budgets",
        sa.Column("client_address", sa.Text(), nullable=False),
        *_bucket_columns("address_cost_budgets"),
        sa.CheckConstraint(
            "char_length(client_address) BETWEEN 1 AND 64",
            name=op.f("ck_address_cost_budgets_client_address_length"),
        ),
        sa.PrimaryKeyConstraint("client_address", name=op.f("pk_address_cost_budgets")),
    )


def downgrade() -> None:
    op.drop_table("address_cost_budgets")
    op.drop_table("person_cost_budgets")
