from __future__ import annotations

import sqlalchemy as sa

from domain.teams import TeamStage
from persistence.tables.base import (
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)

teams = sa.Table(
    "teams",
    metadata,
    id_column(),
    organization_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("mission", sa.Text, nullable=False, server_default=""),
    enum_column("stage", TeamStage),
    timestamp("created_at"),
    sa.UniqueConstraint("organization_id", "id"),
    sa.CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    sa.CheckConstraint("shows_as_written(name)", name="name_shows_as_written"),
)
sa.Index(
    "uq_teams_organization_id_lower_name",
    teams.c.organization_id,
    sa.func.lower(teams.c.name),
    unique=True,
)

team_memberships = sa.Table(
    "team_memberships",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("team_id"),
    uuid_column("person_id"),
    timestamp("started_at"),
    timestamp("ended_at", nullable=True),
    same_organization_fk("team_id", "teams"),
    same_organization_fk("person_id", "people"),
    sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
)
# One current membership per person and team; ended ones are history.
sa.Index(
    "uq_team_memberships_current",
    team_memberships.c.team_id,
    team_memberships.c.person_id,
    unique=True,
    postgresql_where=team_memberships.c.ended_at.is_(None),
)
sa.Index("ix_team_memberships_person_id", team_memberships.c.person_id)
