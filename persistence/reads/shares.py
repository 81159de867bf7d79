"""Whether a share reaches the viewer now: domain.shares.reach in SQL, for
goal and feedback shares alike. Every read checks it, so a relationship
that ended or a person who left (the one shared with, or the owner) stops a
share at once, whatever was revoked or not."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, or_, select

from domain.people import PersonStatus
from domain.relationships import RelationshipStatus
from persistence.tables import people, relationships


def _member(person_id: UUID | ColumnElement[UUID]) -> ColumnElement[bool]:
    return (
        select(people.c.id)
        .where(people.c.id == person_id, people.c.status == PersonStatus.ACTIVE)
        .exists()
    )


def in_force(shares: sa.Table) -> ColumnElement[bool]:
    """A row of `shares` whose owner is still a member: someone who left
    shares nothing any more, not even with the whole organization
    (domain.shares.ended)."""
    return _member(shares.c.owner_id)


def reaches(shares: sa.Table, viewer_id: UUID) -> ColumnElement[bool]:
    """A row of `shares` (goal_shares or feedback_shares) is with the viewer,
    both they and its owner are still members, and it was made with them by
    name or within a relationship that is still active (not a later one
    with them)."""
    return and_(
        shares.c.person_id == viewer_id,
        _member(viewer_id),
        in_force(shares),
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
