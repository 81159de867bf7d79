"""The callers' cost buckets (domain.budgets): one row per person, and one
per client address (or IPv6 /64 network) for callers without a valid token.

Each row holds the level left after the last pour and when that was; the
level drains with time, so it is only ever read and written by the one
statement that pours (persistence.repositories.budgets). `last_admitted`
says whether that pour's cost went in, so that the same statement can both
decide and tell. No index on `updated_at`: every operation rewrites it,
and an index there would turn those cheap in-page (HOT) updates into index
writes, for a job pass that a scan of these small tables serves as well."""

from __future__ import annotations

import sqlalchemy as sa

from persistence.tables.base import (
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)


def _bucket_columns() -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("level", sa.Float, nullable=False),
        timestamp("updated_at"),
        sa.Column("last_admitted", sa.Boolean, nullable=False),
        sa.CheckConstraint("level >= 0", name="level_not_negative"),
    ]


person_cost_budgets = sa.Table(
    "person_cost_budgets",
    metadata,
    organization_column(),
    uuid_column("person_id"),
    *_bucket_columns(),
    sa.PrimaryKeyConstraint("organization_id", "person_id"),
    same_organization_fk("person_id", "people"),
)

address_cost_budgets = sa.Table(
    "address_cost_budgets",
    metadata,
    sa.Column("client_address", sa.Text, primary_key=True),
    *_bucket_columns(),
    sa.CheckConstraint(
        "char_length(client_address) BETWEEN 1 AND 64", name="client_address_length"
    ),
)
