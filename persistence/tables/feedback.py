from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from domain.feedback import Anonymity, InvitationStatus, QuestionKind, RequestStatus
from persistence.tables.base import (
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)

feedback_requests = sa.Table(
    "feedback_requests",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("requester_id"),
    sa.Column("topic", sa.Text, nullable=False),
    uuid_column("goal_id", nullable=True),
    enum_column("anonymity", Anonymity),
    sa.Column("anonymity_threshold", sa.SmallInteger, nullable=False),
    sa.Column("membership_days", sa.SmallInteger, nullable=False),
    timestamp("due_at"),
    enum_column("status", RequestStatus),
    timestamp("created_at"),
    timestamp("closed_at", nullable=True),
    # Set once, on closing, when k answers count: the trigger
    # feedback_requests_release_needs_k (migration 0011) recounts them.
    timestamp("released_at", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    # What shares of its results refer to: the request with its requester,
    # their owner.
    sa.UniqueConstraint("organization_id", "id", "requester_id"),
    same_organization_fk("requester_id", "people"),
    same_organization_fk("goal_id", "goals"),
    sa.CheckConstraint("(status = 'CLOSED') = (closed_at IS NOT NULL)", name="closed_iff_at"),
    sa.CheckConstraint("anonymity_threshold BETWEEN 2 AND 50", name="threshold_in_range"),
    sa.CheckConstraint("membership_days BETWEEN 7 AND 365", name="membership_days_in_range"),
    sa.CheckConstraint(
        "released_at IS NULL"
        " OR (anonymity = 'ANONYMOUS' AND released_at IS NOT DISTINCT FROM closed_at)",
        name="released_on_closing",
    ),
    sa.CheckConstraint("shows_as_written(topic)", name="topic_shows_as_written"),
)
sa.Index("ix_feedback_requests_requester_id", feedback_requests.c.requester_id)

feedback_questions = sa.Table(
    "feedback_questions",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("request_id"),
    sa.Column("position", sa.SmallInteger, nullable=False),
    enum_column("kind", QuestionKind),
    sa.Column("prompt", sa.Text, nullable=False),
    sa.Column("required", sa.Boolean, nullable=False),
    sa.Column("low_label", sa.Text, nullable=False, server_default=""),
    sa.Column("high_label", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("organization_id", "id"),
    sa.UniqueConstraint("request_id", "position"),
    same_organization_fk("request_id", "feedback_requests"),
)

feedback_invitations = sa.Table(
    "feedback_invitations",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("request_id"),
    uuid_column("invitee_id"),
    enum_column("status", InvitationStatus),
    sa.Column("decline_reason", sa.Text, nullable=False, server_default=""),
    timestamp("created_at"),
    timestamp("reminded_at", nullable=True),
    timestamp("declined_at", nullable=True),
    # Set on removal. A pending invitation becomes REMOVED; so does any in a
    # NAMED request. In an ANONYMOUS one an answer or a decline keeps its
    # status (the trigger feedback_invitations_keep_anonymous_responses of
    # migration 0011).
    timestamp("removed_at", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    same_organization_fk("request_id", "feedback_requests"),
    same_organization_fk("invitee_id", "people"),
    sa.CheckConstraint("status <> 'EXPIRED'", name="expiry_is_derived"),
    # A decline stays counted when the invitation is removed afterwards.
    sa.CheckConstraint(
        "(status <> 'DECLINED' OR declined_at IS NOT NULL)"
        " AND (declined_at IS NULL OR status IN ('DECLINED', 'REMOVED'))",
        name="declined_at_with_decline",
    ),
    sa.CheckConstraint(
        "(status <> 'REMOVED' OR removed_at IS NOT NULL)"
        " AND (status <> 'PENDING' OR removed_at IS NULL)",
        name="removed_at_with_removal",
    ),
)
# One live invitation per person and request. A removed one stays; in a
# NAMED request the person can be asked again, in an ANONYMOUS one never
# (the trigger feedback_invitations_keep_anonymous_responses).
sa.Index(
    "uq_feedback_invitations_live",
    feedback_invitations.c.request_id,
    feedback_invitations.c.invitee_id,
    unique=True,
    postgresql_where=sa.text("removed_at IS NULL"),
)
sa.Index(
    "ix_feedback_invitations_invitee_id_status",
    feedback_invitations.c.invitee_id,
    feedback_invitations.c.status,
)

feedback_answers = sa.Table(
    "feedback_answers",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("invitation_id"),
    uuid_column("question_id"),
    sa.Column("scale_value", sa.SmallInteger, nullable=True),
    sa.Column("text", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("invitation_id", "question_id"),
    same_organization_fk("invitation_id", "feedback_invitations"),
    same_organization_fk("question_id", "feedback_questions"),
    sa.CheckConstraint("scale_value BETWEEN 1 AND 5", name="scale_from_1_to_5"),
)

feedback_templates = sa.Table(
    "feedback_templates",
    metadata,
    id_column(),
    organization_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("questions", JSONB, nullable=False),
    uuid_column("created_by_id"),
    timestamp("created_at"),
    timestamp("archived_at", nullable=True),
    same_organization_fk("created_by_id", "people"),
    sa.CheckConstraint("jsonb_typeof(questions) = 'array'", name="questions_is_a_list"),
    sa.CheckConstraint("shows_as_written(name)", name="name_shows_as_written"),
)
