from __future__ import annotations

import sqlalchemy as sa

from domain.roles import Role, RoleStatus
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
    timestamp("started_at", nullable=True),
    timestamp("ended_at", nullable=True),
    enum_column("status", RoleStatus),
    uuid_column("proposed_by_id", nullable=True),
    timestamp("proposed_at", nullable=True),
    uuid_column("responded_by_id", nullable=True),
    sa.Column("review_on", sa.Date, nullable=True),
    sa.Column("end_note", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("organization_id", "id"),
    same_organization_fk("person_id", "people"),
    same_organization_fk("team_id", "teams"),
    same_organization_fk("knowledge_area_id", "knowledge_areas"),
    same_organization_fk("proposed_by_id", "people"),
    same_organization_fk("responded_by_id", "people"),
    sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    # The scope follows from the role: a team, an area, or the organization.
    sa.CheckConstraint(
        "(role IN ('TEAM_COACH', 'PRODUCT_OWNER')) = (team_id IS NOT NULL)"
        " AND (role = 'FACULTY_LEAD') = (knowledge_area_id IS NOT NULL)",
        name="scope_matches_role",
    ),
    sa.CheckConstraint(
        "(status IN ('ACTIVE', 'ENDED')) = (started_at IS NOT NULL)", name="started_iff_held"
    ),
    sa.CheckConstraint(
        "(ended_at IS NULL) = (status IN ('PROPOSED', 'ACTIVE'))", name="ended_iff_closed"
    ),
)


def _scope_index(name: str, status: str) -> sa.Index:
    t = role_assignments
    return sa.Index(
        name,
        t.c.organization_id,
        t.c.person_id,
        t.c.role,
        sa.func.coalesce(t.c.team_id, sa.text(f"'{ROOT_SENTINEL}'::uuid")),
        sa.func.coalesce(t.c.knowledge_area_id, sa.text(f"'{ROOT_SENTINEL}'::uuid")),
        unique=True,
        postgresql_where=sa.text(f"status = '{status}'"),
    )


# A person holds a given role in a given scope once at a time, and has at
# most one open proposal for it.
_scope_index("uq_role_assignments_current", "ACTIVE")
_scope_index("uq_role_assignments_open_proposal", "PROPOSED")
# "Who leads this team / area, now or on a given date."
sa.Index("ix_role_assignments_team_id", role_assignments.c.team_id)
sa.Index("ix_role_assignments_knowledge_area_id", role_assignments.c.knowledge_area_id)
sa.Index("ix_role_assignments_person_id", role_assignments.c.person_id)
