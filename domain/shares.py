"""A share goes to a person, never to a role (DESIGN.md section 3).

Whatever a goal or a piece of feedback is shared with, the share names the
person it reaches. Sharing with "my steward" or with a mentor shares with
the person who leads the owner that way when the share is made, within that
relationship: the share reaches them while that relationship is active and
ends with it (a handover, an end, someone leaving). A later relationship,
even with the same person, does not revive it, so a new steward sees nothing
shared before their time. Sharing with a named colleague reaches that
person while both are members of the organization, whoever stewards whom.

Someone who left shares nothing any more: every share of theirs, the one of
a goal with the whole organization too, reaches nobody from the moment they
left. They can no longer take a share back, so it must stop by itself.

A share that reaches nobody any more stays listed to its owner, with when
and why it stopped, until the owner takes it back: they should understand
what happened to what they shared, not find it silently gone. (Migration
0009 took back the steward and mentor goal shares made before it at a
moment when the owner had no such steward or mentor: under this rule they
never reached anyone, and the old rows do not say whom they were with.)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.people import Person
from domain.relationships import EndReason, Relationship, RelationshipKind, RelationshipStatus


class ShareEnd(enum.Enum):
    """Why a share reaches nobody any more."""

    HANDED_OVER = "HANDED_OVER"
    """The stewardship it was made in was handed over to a new steward."""
    RELATIONSHIP_ENDED = "RELATIONSHIP_ENDED"
    """The stewardship or mentorship it was made in ended."""
    PERSON_LEFT = "PERSON_LEFT"
    """The person it was shared with, or its owner, left the organization."""


RELATIONSHIP_OF = {
    "STEWARD": RelationshipKind.STEWARDSHIP,
    "MENTOR": RelationshipKind.MENTORSHIP,
    "PERSON": None,
}
"""The kind of relationship a share with a person is made in, by the name of
its audience (goal and feedback audiences share these names; a goal shared
with the ORGANIZATION names nobody). The database holds the same pairing
(the shares' generated `relationship_kind`)."""


class Share(Protocol):
    """What goal shares and feedback shares have in common."""

    revoked_at: datetime | None

    @property
    def audience(self) -> enum.Enum: ...

    @property
    def owner_id(self) -> UUID: ...

    @property
    def person_id(self) -> UUID | None: ...

    @property
    def relationship_id(self) -> UUID | None: ...

    @property
    def source_id(self) -> UUID:
        """The goal, feedback item or request shared."""
        ...


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


def ended(
    owner: Person, person: Person | None = None, relationship: Relationship | None = None
) -> tuple[datetime, ShareEnd] | None:
    """When and why a share of `owner`'s stopped reaching anyone, or None
    while it reaches: the first of the relationship it was made in ending,
    the person it is with leaving, and its owner leaving. A share with the
    whole organization names no person and no relationship: only its
    owner's leaving ends it."""
    ends = []
    if relationship is not None and relationship.status is not RelationshipStatus.ACTIVE:
        # Made while it was active (a database trigger holds that), so it ended.
        assert relationship.ended_at is not None
        assert relationship.end_reason is not None
        ends.append((relationship.ended_at, _ENDS[relationship.end_reason]))
    for someone in (person, owner):
        if someone is not None and not someone.is_active:
            assert someone.left_at is not None
            ends.append((someone.left_at, ShareEnd.PERSON_LEFT))
    return min(ends, key=lambda found: found[0], default=None)


def reach(owner: Person, person: Person, relationship: Relationship | None) -> Reach:
    """Whom a share of `owner`'s with `person` reaches now; `relationship` is
    the one it was made in (None for a share with a named colleague)."""
    found = ended(owner, person, relationship)
    if found is None:
        return Reach(person.id)
    return Reach(None, *found)
