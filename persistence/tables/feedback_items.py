from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.feedback_items import ActionKind, ShareAudience
from persistence.tables.base import (
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)
from persistence.tables.relationships import made_in_relationship

ONE_SOURCE = "num_nonnulls(item_id, request_id) = 1"


def source(table: sa.Table) -> sa.ColumnElement[Any]:
    """The item's or the request's id (ids are unique across both): what
    shares and actions are indexed by, so every lookup matches on it."""
    return sa.func.coalesce(table.c.item_id, table.c.request_id)


def owned_by_the_owner_of_its_feedback(table: str) -> tuple[sa.ForeignKeyConstraint, ...]:
    """A share or an action is its feedback owner's: the item's subject, or
    the request's requester. Who may read a share, or follow a talking point
    back to its feedback, rests on `owner_id`."""
    return (
        sa.ForeignKeyConstraint(
            ["organization_id", "item_id", "owner_id"],
            ["feedback_items.organization_id", "feedback_items.id", "feedback_items.subject_id"],
            name=f"fk_{table}_item_subject",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "request_id", "owner_id"],
            [
                "feedback_requests.organization_id",
                "feedback_requests.id",
                "feedback_requests.requester_id",
            ],
            name=f"fk_{table}_request_requester",
        ),
    )


feedback_items = sa.Table(
    "feedback_items",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("subject_id"),
    uuid_column("giver_id"),
    sa.Column("text", sa.Text, nullable=False),
    uuid_column("goal_id", nullable=True),
    timestamp("created_at"),
    sa.UniqueConstraint("organization_id", "id"),
    # What its shares refer to: the item with its subject, their owner.
    sa.UniqueConstraint("organization_id", "id", "subject_id"),
    same_organization_fk("subject_id", "people"),
    same_organization_fk("giver_id", "people"),
    same_organization_fk("goal_id", "goals"),
    sa.CheckConstraint("subject_id <> giver_id", name="not_about_oneself"),
    sa.CheckConstraint("length(text) > 0", name="text_given"),
)
# Both lists (received, given) walk (created_at, id) backwards for one person.
sa.Index(
    "ix_feedback_items_subject_id_created_at_id",
    feedback_items.c.subject_id,
    feedback_items.c.created_at,
    feedback_items.c.id,
)
sa.Index(
    "ix_feedback_items_giver_id_created_at_id",
    feedback_items.c.giver_id,
    feedback_items.c.created_at,
    feedback_items.c.id,
)

feedback_shares = sa.Table(
    "feedback_shares",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("owner_id"),
    uuid_column("item_id", nullable=True),
    uuid_column("request_id", nullable=True),
    enum_column("audience", ShareAudience),
    uuid_column("person_id"),
    uuid_column("relationship_id", nullable=True),
    timestamp("created_at"),
    timestamp("revoked_at", nullable=True),
    same_organization_fk("owner_id", "people"),
    *made_in_relationship("feedback_shares"),
    *owned_by_the_owner_of_its_feedback("feedback_shares"),
    same_organization_fk("person_id", "people"),
    sa.CheckConstraint(ONE_SOURCE, name="one_source"),
    sa.CheckConstraint("person_id <> owner_id", name="not_with_oneself"),
    sa.CheckConstraint(
        "(audience = 'PERSON') = (relationship_id IS NULL)", name="relationship_unless_named"
    ),
)
# A piece of feedback is shared with a colleague, or within a relationship,
# once at a time.
sa.Index(
    "uq_feedback_shares_active",
    source(feedback_shares),
    feedback_shares.c.audience,
    sa.func.coalesce(feedback_shares.c.relationship_id, feedback_shares.c.person_id),
    unique=True,
    postgresql_where=feedback_shares.c.revoked_at.is_(None),
)
# Reads ask "what is shared with me"; owners revoke by person.
sa.Index(
    "ix_feedback_shares_person_id_active",
    feedback_shares.c.person_id,
    postgresql_where=feedback_shares.c.revoked_at.is_(None),
)
sa.Index("ix_feedback_shares_relationship_id", feedback_shares.c.relationship_id)

feedback_actions = sa.Table(
    "feedback_actions",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("owner_id"),
    uuid_column("item_id", nullable=True),
    uuid_column("request_id", nullable=True),
    enum_column("kind", ActionKind),
    uuid_column("goal_id", nullable=True),
    uuid_column("talking_point_id", nullable=True),
    timestamp("created_at"),
    same_organization_fk("owner_id", "people"),
    *owned_by_the_owner_of_its_feedback("feedback_actions"),
    same_organization_fk("goal_id", "goals"),
    same_organization_fk("talking_point_id", "talking_points"),
    sa.CheckConstraint(ONE_SOURCE, name="one_source"),
    sa.CheckConstraint("(kind = 'GOAL') = (goal_id IS NOT NULL)", name="goal_iff_goal"),
    sa.CheckConstraint(
        "(kind = 'TALKING_POINT') = (talking_point_id IS NOT NULL)",
        name="talking_point_iff_talking_point",
    ),
    # A talking point is raised from one piece of feedback, which its owner
    # reaches from it.
    sa.UniqueConstraint("talking_point_id"),
)
sa.Index(
    "ix_feedback_actions_source",
    source(feedback_actions),
)
# Acknowledged once.
sa.Index(
    "uq_feedback_actions_acknowledged",
    source(feedback_actions),
    unique=True,
    postgresql_where=sa.text("kind = 'ACKNOWLEDGED'"),
)
