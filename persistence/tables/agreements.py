from __future__ import annotations

import sqlalchemy as sa

from domain.agreements import AgreementField, AgreementStatus, Dimension
from domain.autonomy import AutonomyStage
from persistence.tables.base import (
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)

autonomy_agreements = sa.Table(
    "autonomy_agreements",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("leader_id"),
    uuid_column("follower_id"),
    uuid_column("relationship_id", nullable=True),
    uuid_column("role_assignment_id", nullable=True),
    sa.Column("context", sa.Text, nullable=False),
    uuid_column("knowledge_area_id", nullable=True),
    enum_column("dimension", Dimension, nullable=True),
    enum_column("agreed_stage", AutonomyStage, nullable=True),
    enum_column("proposed_stage", AutonomyStage, nullable=True),
    uuid_column("proposed_by_id", nullable=True),
    enum_column("follower_view", AutonomyStage, nullable=True),
    enum_column("leader_view", AutonomyStage, nullable=True),
    enum_column("leader_capability", AutonomyStage, nullable=True),
    sa.Column("review_on", sa.Date, nullable=True),
    enum_column("status", AgreementStatus),
    uuid_column("created_by_id"),
    timestamp("created_at"),
    timestamp("updated_at", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    same_organization_fk("leader_id", "people"),
    same_organization_fk("follower_id", "people"),
    same_organization_fk("relationship_id", "relationships"),
    same_organization_fk("role_assignment_id", "role_assignments"),
    same_organization_fk("knowledge_area_id", "knowledge_areas"),
    same_organization_fk("proposed_by_id", "people"),
    same_organization_fk("created_by_id", "people"),
    sa.CheckConstraint("leader_id <> follower_id", name="not_with_oneself"),
    sa.CheckConstraint(
        "(relationship_id IS NULL) <> (role_assignment_id IS NULL)", name="one_context"
    ),
    sa.CheckConstraint(
        "proposed_by_id IS NULL OR proposed_by_id IN (leader_id, follower_id)",
        name="proposed_by_a_party",
    ),
    sa.CheckConstraint(
        "(proposed_stage IS NULL) = (proposed_by_id IS NULL)", name="proposal_has_proposer"
    ),
    sa.CheckConstraint(
        "status <> 'ACTIVE' OR agreed_stage IS NOT NULL", name="active_has_agreed_stage"
    ),
)
sa.Index("ix_autonomy_agreements_leader_id", autonomy_agreements.c.leader_id)
sa.Index("ix_autonomy_agreements_follower_id", autonomy_agreements.c.follower_id)
sa.Index("ix_autonomy_agreements_relationship_id", autonomy_agreements.c.relationship_id)

agreement_changes = sa.Table(
    "agreement_changes",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("agreement_id"),
    uuid_column("changed_by_id"),
    enum_column("field", AgreementField),
    sa.Column("old_value", sa.Text, nullable=True),
    sa.Column("new_value", sa.Text, nullable=True),
    timestamp("changed_at"),
    same_organization_fk("agreement_id", "autonomy_agreements"),
    same_organization_fk("changed_by_id", "people"),
)
sa.Index(
    "ix_agreement_changes_agreement_id_changed_at",
    agreement_changes.c.agreement_id,
    agreement_changes.c.changed_at,
)
