from __future__ import annotations

import sqlalchemy as sa

from domain.notifications import NotificationKind
from persistence.tables.base import (
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)

notifications = sa.Table(
    "notifications",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("recipient_id"),
    enum_column("kind", NotificationKind),
    timestamp("created_at"),
    uuid_column("actor_id", nullable=True),
    uuid_column("relationship_id", nullable=True),
    uuid_column("role_assignment_id", nullable=True),
    uuid_column("feedback_invitation_id", nullable=True),
    uuid_column("feedback_request_id", nullable=True),
    uuid_column("feedback_item_id", nullable=True),
    uuid_column("coach_session_id", nullable=True),
    timestamp("read_at", nullable=True),
    same_organization_fk("recipient_id", "people"),
    same_organization_fk("actor_id", "people"),
    same_organization_fk("relationship_id", "relationships"),
    same_organization_fk("role_assignment_id", "role_assignments"),
    same_organization_fk("feedback_invitation_id", "feedback_invitations"),
    same_organization_fk("feedback_request_id", "feedback_requests"),
    same_organization_fk("feedback_item_id", "feedback_items"),
    same_organization_fk("coach_session_id", "coach_sessions"),
)
# viewer.notifications walks (created_at, id) backwards for one recipient.
sa.Index(
    "ix_notifications_recipient_id_created_at_id",
    notifications.c.recipient_id,
    notifications.c.created_at,
    notifications.c.id,
)
sa.Index(
    "ix_notifications_unread",
    notifications.c.recipient_id,
    postgresql_where=notifications.c.read_at.is_(None),
)
