"""How many people someone leads. Capacity protects leaders from being
swamped (and the people they lead from being neglected): a person's own
setting wins over the organization's default, and it is never exceeded."""

from __future__ import annotations

from domain.errors import LimitExceeded, ValidationFailed
from domain.relationships import RelationshipKind

CAPACITY_MAX = 50

LIMIT_NAMES = {
    RelationshipKind.STEWARDSHIP: "STEWARDEE_CAPACITY",
    RelationshipKind.MENTORSHIP: "MENTEE_CAPACITY",
}


def is_limited(kind: RelationshipKind) -> bool:
    """Coaching is professional and bounded by session bookings instead."""
    return kind in LIMIT_NAMES


def check_room(kind: RelationshipKind, *, load: int, capacity: int, leader_name: str) -> None:
    if is_limited(kind) and load >= capacity:
        noun = "stewardees" if kind is RelationshipKind.STEWARDSHIP else "mentees"
        raise LimitExceeded(
            LIMIT_NAMES[kind],
            capacity,
            f"{leader_name} already has {load} {noun}, their capacity ({capacity}).",
        )


def check_new_capacity(kind: RelationshipKind, capacity: int, *, load: int) -> None:
    if not is_limited(kind):
        raise ValidationFailed(
            "kind", "Only stewardship and mentorship have a capacity.", code="NO_CAPACITY_FOR_KIND"
        )
    if not 0 <= capacity <= CAPACITY_MAX:
        raise ValidationFailed(
            "capacity", f"Capacity is between 0 and {CAPACITY_MAX}.", code="OUT_OF_RANGE"
        )
    if capacity < load:
        raise ValidationFailed(
            "capacity",
            f"You lead {load} people in this way now; end a relationship before going below that.",
            code="CAPACITY_BELOW_LOAD",
        )
