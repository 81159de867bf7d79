from __future__ import annotations

import sqlalchemy as sa

from persistence.tables.base import id_column, metadata, timestamp

organizations = sa.Table(
    "organizations",
    metadata,
    id_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("slug", sa.Text, nullable=False, unique=True),
    timestamp("created_at"),
)
