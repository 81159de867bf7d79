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

ROOT_SENTINEL = "00000000-0000-0000-0000-000000000000"

knowledge_areas = sa.Table(
    "knowledge_areas",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("parent_id", nullable=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    timestamp("created_at"),
    sa.UniqueConstraint("organization_id", "id"),
    same_organization_fk("parent_id", "knowledge_areas"),
    sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    sa.CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    sa.CheckConstraint("shows_as_written(name)", name="name_shows_as_written"),
)
# Sibling names are unique; roots are siblings of each other.
sa.Index(
    "uq_knowledge_areas_sibling_name",
    knowledge_areas.c.organization_id,
    sa.func.coalesce(knowledge_areas.c.parent_id, sa.text(f"'{ROOT_SENTINEL}'::uuid")),
    sa.func.lower(knowledge_areas.c.name),
    unique=True,
)
sa.Index("ix_knowledge_areas_parent_id", knowledge_areas.c.parent_id)
