from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.relationships import EndReason, RelationshipKind, RelationshipStatus
from domain.shares import RELATIONSHIP_OF
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

relationships = sa.Table(
    "relationships",
    metadata,
    id_column(),
    organization_column(),
    enum_column("kind", RelationshipKind),
    uuid_column("leader_id"),
    uuid_column("follower_id"),
    uuid_column("proposed_by_id"),
    timestamp("proposed_at"),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    enum_column("status", RelationshipStatus),
    timestamp("responded_at", nullable=True),
    timestamp("started_at", nullable=True),
    timestamp("ended_at", nullable=True),
    uuid_column("ended_by_id", nullable=True),
    enum_column("end_reason", EndReason, nullable=True),
    sa.Column("end_note", sa.Text, nullable=False, server_default=""),
    sa.Column("review_on", sa.Date, nullable=True),
    sa.Column("review_reminded_on", sa.Date, nullable=True),
    uuid_column("replaces_id", nullable=True),
    timestamp("closed_at", nullable=True),
    sa.Column("decline_reason", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("organization_id", "id"),
    # What shares made within a relationship refer to (made_in_relationship):
    # its kind, leader and follower, not only its id.
    sa.UniqueConstraint("organization_id", "id", "kind", "leader_id", "follower_id"),
    same_organization_fk("leader_id", "people"),
    same_organization_fk("follower_id", "people"),
    same_organization_fk("proposed_by_id", "people"),
    same_organization_fk("ended_by_id", "people"),
    same_organization_fk("replaces_id", "relationships"),
    sa.CheckConstraint("leader_id <> follower_id", name="not_with_oneself"),
    sa.CheckConstraint("proposed_by_id IN (leader_id, follower_id)", name="proposed_by_a_party"),
    sa.CheckConstraint(
        "(status IN ('ACTIVE', 'ENDED')) = (started_at IS NOT NULL)", name="started_iff_accepted"
    ),
    sa.CheckConstraint(
        "(status = 'ENDED') = (ended_at IS NOT NULL AND end_reason IS NOT NULL)",
        name="ended_iff_closed",
    ),
    sa.CheckConstraint(
        "(status IN ('DECLINED', 'WITHDRAWN')) = (closed_at IS NOT NULL)",
        name="closed_iff_declined_or_withdrawn",
    ),
    sa.CheckConstraint(
        "status = 'DECLINED' OR decline_reason = ''", name="decline_reason_only_if_declined"
    ),
    # A person ending it says why; a handover or someone leaving is its own
    # reason (end_reason).
    sa.CheckConstraint(
        "end_reason NOT IN ('ENDED_BY_LEADER', 'ENDED_BY_FOLLOWER') OR length(btrim(end_note)) > 0",
        name="ended_by_a_person_with_a_reason",
    ),
)
# At most one active stewardship per person.
sa.Index(
    "uq_relationships_active_stewardship",
    relationships.c.follower_id,
    unique=True,
    postgresql_where=sa.text("kind = 'STEWARDSHIP' AND status = 'ACTIVE'"),
)
# At most one active coaching per coach and coachee: a booking uses it, or
# starts it.
sa.Index(
    "uq_relationships_active_coaching",
    relationships.c.leader_id,
    relationships.c.follower_id,
    unique=True,
    postgresql_where=sa.text("kind = 'COACHING' AND status = 'ACTIVE'"),
)
sa.Index(
    "ix_relationships_leader_id_kind_status",
    relationships.c.leader_id,
    relationships.c.kind,
    relationships.c.status,
)
sa.Index(
    "ix_relationships_follower_id_kind_status",
    relationships.c.follower_id,
    relationships.c.kind,
    relationships.c.status,
)
sa.Index(
    "ix_relationships_review_on",
    relationships.c.review_on,
    postgresql_where=sa.text("status = 'ACTIVE' AND review_on IS NOT NULL"),
)

# One open proposal per pair and kind (mentorships, scoped by area, have
# theirs on mentorship_areas); a stewardship proposal is tied to the
# stewardship it would replace, so a stale one does not block a fresh one.
sa.Index(
    "uq_relationships_open_proposal",
    relationships.c.leader_id,
    relationships.c.follower_id,
    relationships.c.kind,
    sa.func.coalesce(relationships.c.replaces_id, sa.text(f"'{ROOT_SENTINEL}'::uuid")),
    unique=True,
    postgresql_where=sa.text("status = 'PROPOSED' AND kind <> 'MENTORSHIP'"),
)

mentorship_areas = sa.Table(
    "mentorship_areas",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("relationship_id"),
    uuid_column("knowledge_area_id"),
    uuid_column("leader_id"),
    uuid_column("follower_id"),
    # The relationship's two people and status, kept equal to it by triggers
    # (migration 0012): a row takes them from its relationship when written,
    # and a relationship's status change is copied to its rows.
    enum_column("status", RelationshipStatus),
    same_organization_fk("relationship_id", "relationships"),
    same_organization_fk("knowledge_area_id", "knowledge_areas"),
    sa.UniqueConstraint("relationship_id", "knowledge_area_id"),
)
# One active mentorship per mentor, mentee and area.
sa.Index(
    "uq_mentorship_areas_active",
    mentorship_areas.c.leader_id,
    mentorship_areas.c.follower_id,
    mentorship_areas.c.knowledge_area_id,
    unique=True,
    postgresql_where=sa.text("status = 'ACTIVE'"),
)
# One open proposal per mentor, mentee and area, whoever proposed it.
sa.Index(
    "uq_mentorship_areas_proposed",
    mentorship_areas.c.leader_id,
    mentorship_areas.c.follower_id,
    mentorship_areas.c.knowledge_area_id,
    unique=True,
    postgresql_where=sa.text("status = 'PROPOSED'"),
)


KIND_OF_AUDIENCE = "CASE audience {} ELSE NULL END".format(
    " ".join(f"WHEN '{a}' THEN '{k.value}'" for a, k in RELATIONSHIP_OF.items() if k)
)
"""The kind of relationship a share is made in, by its audience
(domain.shares.RELATIONSHIP_OF); null for a share with a colleague or the
organization."""


def made_in_relationship(table: str) -> tuple[sa.Column[Any], sa.ForeignKeyConstraint]:
    """What binds a share (goal_shares, feedback_shares) to the relationship
    it was made in: the kind its audience says (a generated column) and a
    foreign key to that relationship's id, kind, leader (the person shared
    with) and follower (the owner). So a STEWARD share is bound to a
    stewardship of its owner's led by its person, a MENTOR share to such a
    mentorship, and never to one that would reach someone else. A trigger
    (migration 0009) refuses a share made in a relationship that is not
    active: one proposed and accepted later would start reaching then."""
    return (
        sa.Column(
            "relationship_kind",
            sa.String(32),
            sa.Computed(KIND_OF_AUDIENCE, persisted=True),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "relationship_id", "relationship_kind", "person_id", "owner_id"],
            [
                "relationships.organization_id",
                "relationships.id",
                "relationships.kind",
                "relationships.leader_id",
                "relationships.follower_id",
            ],
            name=f"fk_{table}_relationship_kind_leader_follower",
        ),
    )
