from __future__ import annotations

import sqlalchemy as sa

from domain.roles import Role
from persistence.tables.base import (
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)
from persistence.tables.knowledge_areas import ROOT_SENTINEL

role_assignments = sa.Table(
    "role_assignments",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("person_id"),
    enum_column("role", Role),
    uuid_column("team_id", nullable=True),
    uuid_column("knowledge_area_id", nullable=True),
    timestamp("started_at"),
    timestamp("ended_at", nullable=True),
    same_organization_fk("person_id", "people"),
    same_organization_fk("team_id", "teams"),
    same_organization_fk("knowledge_area_id", "knowledge_areas"),
    sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    # The scope follows from the role: a team, an area, or the organization.
    sa.CheckConstraint(
        "(role IN ('TEAM_COACH', 'PRODUCT_OWNER')) = (team_id IS NOT NULL)"
        " AND (role = 'FACULTY_LEAD') = (knowledge_area_id IS NOT NULL)",
        name="scope_matches_role",
    ),
)
# A person holds a given role in a given scope once at a time.
sa.Index(
    "uq_role_assignments_current",
    role_assignments.c.organization_id,
    role_assignments.c.person_id,
    role_assignments.c.role,
    sa.func.coalesce(role_assignments.c.team_id, sa.text(f"'{ROOT_SENTINEL}'::uuid")),
    sa.func.coalesce(role_assignments.c.knowledge_area_id, sa.text(f"'{ROOT_SENTINEL}'::uuid")),
    unique=True,
    postgresql_where=role_assignments.c.ended_at.is_(None),
)
