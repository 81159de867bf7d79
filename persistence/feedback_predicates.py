"""SQL twins of domain.feedback's predicates, written once for the write
side (repositories) and the read side (reads) alike. The trigger SQL of
migration 0011 repeats `said_something`; tests/integration checks that the
three agree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from domain.feedback import Anonymity, InvitationStatus, RequestStatus
from persistence.tables import feedback_answers, feedback_invitations, feedback_requests


def said_something(invitation_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """The invitation holds a non-blank answer (domain.feedback.said_something;
    text is stored stripped): only those count towards k."""
    a = feedback_answers
    return (
        sa.select(a.c.id)
        .where(
            a.c.invitation_id == invitation_id,
            sa.or_(a.c.scale_value.is_not(None), a.c.text != ""),
        )
        .exists()
    )


def open_invitation(now: datetime) -> sa.ColumnElement[bool]:
    """FeedbackInvitation.is_open, over `feedback_invitations` joined to its
    `feedback_requests` row: not removed, of a request still taking
    answers, and pending unless the request is ANONYMOUS (there it keeps its
    place until the request closes, so the count never dates an answer)."""
    i, r = feedback_invitations, feedback_requests
    return sa.and_(
        i.c.removed_at.is_(None),
        r.c.status == RequestStatus.OPEN,
        r.c.due_at > now,
        sa.or_(i.c.status == InvitationStatus.PENDING, r.c.anonymity == Anonymity.ANONYMOUS),
    )
