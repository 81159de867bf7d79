"""Whether a share reaches the viewer now: domain.shares.reach in SQL, for
goal and feedback shares alike. Every read checks it, so a relationship
that ended or a person who left stops a share at once, whatever was
revoked or not."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, or_, select

from domain.people import PersonStatus
from domain.relationships import RelationshipStatus
from persistence.tables import people, relationships


def reaches(shares: sa.Table, viewer_id: UUID) -> ColumnElement[bool]:
    """A row of `shares` (goal_shares or feedback_shares) is with the viewer,
    who is still a member, and was made with them by name or within a
    relationship that is still active (not a later one with them)."""
    return and_(
        shares.c.person_id == viewer_id,
        select(people.c.id)
        .where(people.c.id == viewer_id, people.c.status == PersonStatus.ACTIVE)
        .exists(),
        or_(
            shares.c.relationship_id.is_(None),
            select(relationships.c.id)
            .where(
                relationships.c.id == shares.c.relationship_id,
                relationships.c.status == RelationshipStatus.ACTIVE,
            )
            .exists(),
        ),
    )
