"""Notifications as data: a record for each thing that happened to someone
(a proposal to answer, an acceptance, a handover, a review that is due).
Delivery (push, mail) comes later and reads these records."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.ids import new_id


class NotificationKind(enum.Enum):
    RELATIONSHIP_PROPOSED = "RELATIONSHIP_PROPOSED"
    RELATIONSHIP_ACCEPTED = "RELATIONSHIP_ACCEPTED"
    RELATIONSHIP_DECLINED = "RELATIONSHIP_DECLINED"
    RELATIONSHIP_WITHDRAWN = "RELATIONSHIP_WITHDRAWN"
    RELATIONSHIP_ENDED = "RELATIONSHIP_ENDED"
    RELATIONSHIP_RENEWED = "RELATIONSHIP_RENEWED"
    RELATIONSHIP_REVIEW_DUE = "RELATIONSHIP_REVIEW_DUE"
    STEWARDSHIP_HANDED_OVER = "STEWARDSHIP_HANDED_OVER"
    ROLE_PROPOSED = "ROLE_PROPOSED"
    ROLE_ACCEPTED = "ROLE_ACCEPTED"
    ROLE_DECLINED = "ROLE_DECLINED"
    ROLE_WITHDRAWN = "ROLE_WITHDRAWN"
    ROLE_ENDED = "ROLE_ENDED"
    FEEDBACK_REQUESTED = "FEEDBACK_REQUESTED"
    FEEDBACK_REMINDER = "FEEDBACK_REMINDER"
    FEEDBACK_RECEIVED = "FEEDBACK_RECEIVED"
    FEEDBACK_REQUEST_CLOSED = "FEEDBACK_REQUEST_CLOSED"
    COACH_SESSION_BOOKED = "COACH_SESSION_BOOKED"
    COACH_SESSION_CANCELLED = "COACH_SESSION_CANCELLED"
    COACH_SESSION_RESCHEDULED = "COACH_SESSION_RESCHEDULED"


@dataclass(eq=False)
class Notification:
    organization_id: UUID
    recipient_id: UUID
    kind: NotificationKind
    created_at: datetime
    actor_id: UUID | None = None
    relationship_id: UUID | None = None
    role_assignment_id: UUID | None = None
    feedback_invitation_id: UUID | None = None
    feedback_request_id: UUID | None = None
    feedback_item_id: UUID | None = None
    coach_session_id: UUID | None = None
    read_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    def mark_read(self, now: datetime) -> None:
        if self.read_at is None:
            self.read_at = now
