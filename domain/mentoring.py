"""Self-service mentoring: mentors offer help in knowledge areas, people
state what they want to learn. Matching the two is domain.matching; asking
for a mentorship is the relationships work (a MENTORSHIP proposal), with its
consent and capacity rules.

A mentor's capacity is the mentee capacity of the relationships work (their
own setting or the organization's default). Their weekly availability and
whether they accept new mentees belong to the mentor, not to each offer.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain import validation
from domain.availability import Window, check_windows
from domain.errors import Conflict, ValidationFailed
from domain.ids import new_id

NOTE_MAX = 1000
PROFICIENCY = range(1, 6)


def check_proficiency(field_name: str, value: int) -> int:
    if value not in PROFICIENCY:
        raise ValidationFailed(field_name, "Proficiency is from 1 to 5.", code="OUT_OF_RANGE")
    return value


class OfferStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    WITHDRAWN = "WITHDRAWN"


@dataclass(eq=False)
class MentorOffer:
    organization_id: UUID
    mentor_id: UUID
    knowledge_area_id: UUID
    proficiency: int
    note: str
    created_at: datetime
    status: OfferStatus = OfferStatus.ACTIVE
    updated_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        mentor_id: UUID,
        knowledge_area_id: UUID,
        proficiency: int,
        note: str,
        now: datetime,
    ) -> MentorOffer:
        return cls(
            organization_id=organization_id,
            mentor_id=mentor_id,
            knowledge_area_id=knowledge_area_id,
            proficiency=check_proficiency("proficiency", proficiency),
            note=validation.long_text("note", note, max_length=NOTE_MAX),
            created_at=now,
            updated_at=now,
        )

    def edit(self, *, proficiency: int | None, note: str | None, now: datetime) -> None:
        """Checks everything before changing anything."""
        self._require_not_withdrawn()
        if proficiency is not None:
            check_proficiency("proficiency", proficiency)
        cleaned = None if note is None else validation.long_text("note", note, max_length=NOTE_MAX)
        if proficiency is not None:
            self.proficiency = proficiency
        if cleaned is not None:
            self.note = cleaned
        self.updated_at = now

    def set_paused(self, paused: bool, now: datetime) -> None:
        self._require_not_withdrawn()
        self.status = OfferStatus.PAUSED if paused else OfferStatus.ACTIVE
        self.updated_at = now

    def withdraw(self, now: datetime) -> None:
        """Kept as history; a new offer in the area can follow."""
        self._require_not_withdrawn()
        self.status, self.updated_at = OfferStatus.WITHDRAWN, now

    def _require_not_withdrawn(self) -> None:
        if self.status is OfferStatus.WITHDRAWN:
            raise Conflict("This offer was withdrawn.", code="WITHDRAWN")


@dataclass(eq=False)
class MentorProfile:
    """What holds for all of a mentor's offers."""

    organization_id: UUID
    person_id: UUID
    accepting: bool
    availability: list[Window]
    """Weekly, in the mentor's own timezone."""
    updated_at: datetime

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        person_id: UUID,
        accepting: bool,
        availability: Sequence[Window],
        now: datetime,
    ) -> MentorProfile:
        return cls(
            organization_id=organization_id,
            person_id=person_id,
            accepting=accepting,
            availability=check_windows(availability),
            updated_at=now,
        )

    def update(
        self, *, accepting: bool | None, availability: Sequence[Window] | None, now: datetime
    ) -> None:
        checked = None if availability is None else check_windows(availability)
        if accepting is not None:
            self.accepting = accepting
        if checked is not None:
            self.availability = checked
        self.updated_at = now


def takes_new_mentees(
    profile: MentorProfile | None, offers_near: Sequence[MentorOffer], *, offer_required: bool
) -> bool:
    """Whether a mentee may ask this mentor for a mentorship in an area,
    given the mentor's live offers in it, above it or below it in the tree.
    Not accepting new mentees closes every area, and pausing the offers
    there closes that area. Where the mentor offers nothing at all, asking
    through matching (`offer_required`) has nothing to go on; a direct
    proposal may still ask, and the mentor answers it."""
    if profile is not None and not profile.accepting:
        return False
    if not offers_near:
        return not offer_required
    return any(o.status is OfferStatus.ACTIVE for o in offers_near)


class WishStatus(enum.Enum):
    OPEN = "OPEN"
    FULFILLED = "FULFILLED"
    WITHDRAWN = "WITHDRAWN"


@dataclass(eq=False)
class LearningWish:
    organization_id: UUID
    person_id: UUID
    knowledge_area_id: UUID
    current: int
    desired: int
    availability: list[Window]
    created_at: datetime
    goal_id: UUID | None = None
    status: WishStatus = WishStatus.OPEN
    closed_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        person_id: UUID,
        knowledge_area_id: UUID,
        current: int,
        desired: int,
        availability: Sequence[Window],
        goal_id: UUID | None,
        now: datetime,
    ) -> LearningWish:
        check_proficiency("current", current)
        check_proficiency("desired", desired)
        if desired <= current:
            raise ValidationFailed(
                "desired",
                "Aim above where you are now.",
                code="DESIRED_NOT_ABOVE_CURRENT",
            )
        return cls(
            organization_id=organization_id,
            person_id=person_id,
            knowledge_area_id=knowledge_area_id,
            current=current,
            desired=desired,
            availability=check_windows(availability),
            goal_id=goal_id,
            created_at=now,
        )

    @property
    def is_open(self) -> bool:
        return self.status is WishStatus.OPEN

    def close(self, status: WishStatus, now: datetime) -> None:
        assert status is not WishStatus.OPEN, "a wish closes as fulfilled or withdrawn"
        if not self.is_open:
            raise Conflict(f"This wish is {self.status.value.lower()}.", code="WISH_CLOSED")
        self.status, self.closed_at = status, now


@dataclass(frozen=True)
class MentorLoad:
    """A mentor with at most one mentee place left, for the faculty lead's
    overview of an area."""

    mentor_id: UUID
    mentor_name: str
    load: int
    capacity: int


def fullest_first(loads: Iterable[MentorLoad]) -> list[MentorLoad]:
    """Each mentor once (they may offer several of the areas an overview
    covers), the fullest first, then by name."""
    unique = {m.mentor_id: m for m in loads}
    return sorted(unique.values(), key=lambda m: (m.capacity - m.load, m.mentor_name, m.mentor_id))


def oldest_first(wishes: Iterable[LearningWish]) -> list[LearningWish]:
    return sorted(wishes, key=lambda w: (w.created_at, w.id))
