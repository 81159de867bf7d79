"""Growth goals: owned by a person, framed at an autonomy stage, private
until the owner shares them.

Visibility (DESIGN.md section 3): the owner shares a goal with a person
(their steward or a mentor of theirs, within that relationship, or any
named colleague; see domain.shares) or with the whole organization, and can
take any share back. Nobody else, org faculty and later stewards included,
reads a goal that is not shared with them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from domain import validation
from domain.autonomy import AutonomyStage
from domain.errors import Conflict, ValidationFailed
from domain.ids import new_id

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
NOTE_MAX = 2000


class GoalStatus(enum.Enum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    ACHIEVED = "ACHIEVED"
    ABANDONED = "ABANDONED"


class Confidence(enum.Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"

    @property
    def rank(self) -> int:
        return list(Confidence).index(self)


class Audience(enum.Enum):
    STEWARD = "STEWARD"
    MENTOR = "MENTOR"
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"


@dataclass(eq=False)
class Goal:
    organization_id: UUID
    owner_id: UUID
    title: str
    description: str
    stage: AutonomyStage
    created_at: datetime
    knowledge_area_id: UUID | None = None
    target_date: date | None = None
    status: GoalStatus = GoalStatus.DRAFT
    status_note: str = ""
    activated_at: datetime | None = None
    achieved_at: datetime | None = None
    abandoned_at: datetime | None = None
    updated_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        owner_id: UUID,
        title: str,
        description: str,
        stage: AutonomyStage,
        knowledge_area_id: UUID | None,
        target_date: date | None,
        now: datetime,
    ) -> Goal:
        return cls(
            organization_id=organization_id,
            owner_id=owner_id,
            title=validation.name("title", title, max_length=TITLE_MAX),
            description=validation.long_text(
                "description", description, max_length=DESCRIPTION_MAX
            ),
            stage=stage,
            knowledge_area_id=knowledge_area_id,
            target_date=target_date,
            created_at=now,
            updated_at=now,
        )

    @property
    def is_open(self) -> bool:
        return self.status in (GoalStatus.DRAFT, GoalStatus.ACTIVE)

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise Conflict(
                f"A {self.status.value.lower()} goal cannot be {action}.", code="GOAL_CLOSED"
            )

    def edit(
        self,
        *,
        title: str | None = None,
        description: str | None = None,
        stage: AutonomyStage | None = None,
        knowledge_area_id: UUID | None = None,
        clear_area: bool = False,
        target_date: date | None = None,
        clear_target_date: bool = False,
        now: datetime,
    ) -> None:
        self._require_open("edited")
        # Validate everything before changing anything: a refused edit leaves
        # the goal as it was.
        if title is not None:
            title = validation.name("title", title, max_length=TITLE_MAX)
        if description is not None:
            description = validation.long_text(
                "description", description, max_length=DESCRIPTION_MAX
            )
        if title is not None:
            self.title = title
        if description is not None:
            self.description = description
        if stage is not None:
            self.stage = stage
        if knowledge_area_id is not None or clear_area:
            self.knowledge_area_id = knowledge_area_id
        if target_date is not None or clear_target_date:
            self.target_date = target_date
        self.updated_at = now

    def activate(self, now: datetime) -> None:
        if self.status is not GoalStatus.DRAFT:
            raise Conflict("Only a draft goal can be activated.", code="NOT_DRAFT")
        self.status = GoalStatus.ACTIVE
        self.activated_at = self.updated_at = now

    def achieve(self, now: datetime, note: str) -> None:
        if self.status is not GoalStatus.ACTIVE:
            raise Conflict("Only an active goal can be achieved.", code="NOT_ACTIVE")
        self.status_note = validation.long_text("note", note, max_length=NOTE_MAX)
        self.status = GoalStatus.ACHIEVED
        self.achieved_at = self.updated_at = now

    def abandon(self, now: datetime, note: str) -> None:
        """Letting a goal go takes a word on why: for the owner looking back,
        and for whoever it is shared with, who would otherwise guess."""
        self._require_open("abandoned")
        note = validation.long_text("note", note, max_length=NOTE_MAX)
        if not note:
            raise ValidationFailed("note", "Say why you are letting it go.", code="REQUIRED")
        self.status_note = note
        self.status = GoalStatus.ABANDONED
        self.abandoned_at = self.updated_at = now

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.target_date is not None and self.target_date < today


@dataclass(eq=False)
class CheckIn:
    organization_id: UUID
    goal_id: UUID
    progress: int
    confidence: Confidence
    note: str
    created_at: datetime
    id: UUID = field(default_factory=new_id)

    @classmethod
    def record(
        cls, goal: Goal, *, progress: int, confidence: Confidence, note: str, now: datetime
    ) -> CheckIn:
        if goal.status is not GoalStatus.ACTIVE:
            raise Conflict(
                f"Check-ins go on active goals; this one is {goal.status.value.lower()}.",
                code="GOAL_NOT_ACTIVE",
            )
        if not 0 <= progress <= 100:
            raise ValidationFailed(
                "progress", "Progress is a percentage from 0 to 100.", code="OUT_OF_RANGE"
            )
        entry = cls(
            organization_id=goal.organization_id,
            goal_id=goal.id,
            progress=progress,
            confidence=confidence,
            note=validation.long_text("note", note, max_length=NOTE_MAX),
            created_at=now,
        )
        goal.updated_at = now
        return entry


@dataclass(eq=False)
class GoalShare:
    """With whom a goal is shared: a person (see domain.shares), or the
    whole organization. Revoking keeps the row (with `revoked_at`), so the
    owner can see what they shared when."""

    organization_id: UUID
    goal_id: UUID
    owner_id: UUID
    audience: Audience
    created_at: datetime
    person_id: UUID | None = None
    """The person it is shared with; None for the organization."""
    relationship_id: UUID | None = None
    """For a STEWARD or MENTOR share: the stewardship or mentorship it was
    made in. It counts only while that relationship is active."""
    revoked_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def source_id(self) -> UUID:
        """What is shared (domain.shares.Share)."""
        return self.goal_id


@dataclass(frozen=True)
class Readers:
    """Who may read a goal: the pure core of the goal visibility rule
    (persistence.reads.goals.visible_to is its SQL twin)."""

    owner_id: UUID
    shared_with_organization: bool
    reached: frozenset[UUID]
    """The people the goal's active shares reach now (domain.shares.reach)."""

    def may_read(self, viewer_id: UUID) -> bool:
        return (
            viewer_id == self.owner_id or self.shared_with_organization or viewer_id in self.reached
        )
