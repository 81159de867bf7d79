from __future__ import annotations

import sqlalchemy as sa

from domain.autonomy import AutonomyStage
from domain.goals import Audience, Confidence, GoalStatus
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
from persistence.tables.relationships import made_in_relationship

SHARED_AS_AUDIENCE_SAYS = """
CASE audience
  WHEN 'ORGANIZATION' THEN person_id IS NULL AND relationship_id IS NULL
  WHEN 'PERSON' THEN person_id IS NOT NULL AND relationship_id IS NULL
  ELSE (person_id IS NOT NULL AND relationship_id IS NOT NULL) OR revoked_at IS NOT NULL
END
"""
"""Who a share names, by audience. A STEWARD or MENTOR share names the
person and the relationship it was made in, except one revoked before
migration 0009 that no relationship could be found for."""

goals = sa.Table(
    "goals",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("owner_id"),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    enum_column("stage", AutonomyStage),
    uuid_column("knowledge_area_id", nullable=True),
    sa.Column("target_date", sa.Date, nullable=True),
    enum_column("status", GoalStatus),
    sa.Column("status_note", sa.Text, nullable=False, server_default=""),
    timestamp("created_at"),
    timestamp("activated_at", nullable=True),
    timestamp("achieved_at", nullable=True),
    timestamp("abandoned_at", nullable=True),
    timestamp("updated_at", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    sa.UniqueConstraint("organization_id", "id", "owner_id"),
    same_organization_fk("owner_id", "people"),
    same_organization_fk("knowledge_area_id", "knowledge_areas"),
    sa.CheckConstraint("length(btrim(title)) > 0", name="title_not_blank"),
    sa.CheckConstraint("(status = 'ACHIEVED') = (achieved_at IS NOT NULL)", name="achieved_iff_at"),
    sa.CheckConstraint(
        "(status = 'ABANDONED') = (abandoned_at IS NOT NULL)", name="abandoned_iff_at"
    ),
    sa.CheckConstraint(
        "status <> 'ABANDONED' OR length(btrim(status_note)) > 0", name="abandoned_with_a_note"
    ),
    sa.CheckConstraint("shows_as_written(title)", name="title_shows_as_written"),
)
sa.Index("ix_goals_owner_id_status", goals.c.owner_id, goals.c.status)

goal_check_ins = sa.Table(
    "goal_check_ins",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("goal_id"),
    sa.Column("progress", sa.SmallInteger, nullable=False),
    enum_column("confidence", Confidence),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    timestamp("created_at"),
    same_organization_fk("goal_id", "goals"),
    sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_is_a_percentage"),
)
sa.Index(
    "ix_goal_check_ins_goal_id_created_at", goal_check_ins.c.goal_id, goal_check_ins.c.created_at
)

goal_shares = sa.Table(
    "goal_shares",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("goal_id"),
    uuid_column("owner_id"),
    enum_column("audience", Audience),
    uuid_column("person_id", nullable=True),
    uuid_column("relationship_id", nullable=True),
    timestamp("created_at"),
    timestamp("revoked_at", nullable=True),
    # The owner is the goal's.
    sa.ForeignKeyConstraint(
        ["organization_id", "goal_id", "owner_id"],
        ["goals.organization_id", "goals.id", "goals.owner_id"],
        name="fk_goal_shares_goal_owner",
    ),
    *made_in_relationship("goal_shares"),
    same_organization_fk("person_id", "people"),
    sa.CheckConstraint(SHARED_AS_AUDIENCE_SAYS, name="shared_as_audience_says"),
    sa.CheckConstraint("person_id <> owner_id", name="not_with_oneself"),
)
# A goal is shared once at a time with the organization, a colleague, or a
# steward or mentor within one relationship.
sa.Index(
    "uq_goal_shares_active",
    goal_shares.c.goal_id,
    goal_shares.c.audience,
    sa.func.coalesce(
        goal_shares.c.relationship_id,
        goal_shares.c.person_id,
        sa.text(f"'{ROOT_SENTINEL}'::uuid"),
    ),
    unique=True,
    postgresql_where=goal_shares.c.revoked_at.is_(None),
)
