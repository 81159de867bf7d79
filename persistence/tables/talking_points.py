from __future__ import annotations

import sqlalchemy as sa

from persistence.tables.base import (
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)

talking_points = sa.Table(
    "talking_points",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("relationship_id"),
    uuid_column("author_id"),
    sa.Column("text", sa.Text, nullable=False),
    timestamp("created_at"),
    timestamp("placed_at", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    same_organization_fk("relationship_id", "relationships"),
    same_organization_fk("author_id", "people"),
)
sa.Index("ix_talking_points_relationship_id", talking_points.c.relationship_id)
