"""A share goes to a person, never to a role (DESIGN.md section 3).

Whatever a goal or a piece of feedback is shared with, the share names the
person it reaches. Sharing with "my steward" or with a mentor shares with
the person who leads the owner that way when the share is made, within that
relationship: the share reaches them while that relationship is active and
ends with it (a handover, an end, someone leaving). A later relationship,
even with the same person, does not revive it, so a new steward sees nothing
shared before their time. Sharing with a named colleague reaches that
person while they are a member of the organization, whoever stewards whom.

A share that reaches nobody any more stays listed to its owner, with when
and why it stopped, until the owner takes it back: they should understand
what happened to what they shared, not find it silently gone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.people import Person
from domain.relationships import EndReason, Relationship, RelationshipStatus


class ShareEnd(enum.Enum):
    """Why a share reaches nobody any more."""

    HANDED_OVER = "HANDED_OVER"
    """The stewardship it was made in was handed over to a new steward."""
    RELATIONSHIP_ENDED = "RELATIONSHIP_ENDED"
    """The stewardship or mentorship it was made in ended."""
    PERSON_LEFT = "PERSON_LEFT"
    """The person it was shared with (or the owner) left the organization."""


class Share(Protocol):
    """What goal shares and feedback shares have in common."""

    @property
    def person_id(self) -> UUID | None: ...

    @property
    def relationship_id(self) -> UUID | None: ...


_ENDS = {
    EndReason.ENDED_BY_LEADER: ShareEnd.RELATIONSHIP_ENDED,
    EndReason.ENDED_BY_FOLLOWER: ShareEnd.RELATIONSHIP_ENDED,
    EndReason.HANDED_OVER: ShareEnd.HANDED_OVER,
    EndReason.PERSON_LEFT: ShareEnd.PERSON_LEFT,
}


@dataclass(frozen=True)
class Reach:
    """Whom a share reaches now: its person, or nobody since `ended_at`."""

    person_id: UUID | None
    ended_at: datetime | None = None
    ended_because: ShareEnd | None = None


def reach(person: Person, relationship: Relationship | None) -> Reach:
    """Whom a share with `person` reaches now; `relationship` is the one it
    was made in (None for a share with a named colleague)."""
    if relationship is not None and relationship.status is not RelationshipStatus.ACTIVE:
        return Reach(None, relationship.ended_at, _ENDS.get(relationship.end_reason))
    if not person.is_active:
        return Reach(None, person.left_at, ShareEnd.PERSON_LEFT)
    return Reach(person.id)
