"""What a person does with feedback about them: feedback given unasked,
sharing it, and acting on it.

Feedback belongs to the person it is about (DESIGN.md section 3). An item
given unasked, or the results of a request, are private to that person
until they share them with a person (their steward, a mentor, any named
colleague), and every share can be taken back. A share with the steward or
a mentor is with the person holding that role when it is made, within that
relationship, and counts only while it lasts: a later steward does not
inherit what was shared with the one before, and a steward who leaves and
comes back does not get it back either (domain.shares).

The giver of an item sees what they wrote and whether it was acknowledged or
acted on, never with whom it was shared, nor the goal or talking point it
became: acting on feedback is the owner's business, the giver only learns
that it went somewhere.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain import validation
from domain.errors import ValidationFailed
from domain.ids import new_id

TEXT_MAX = 5000


@dataclass(frozen=True)
class FeedbackRef:
    """One piece of feedback the owner can share or act on: an item given
    unasked, or a whole request's results."""

    item_id: UUID | None = None
    request_id: UUID | None = None

    def __post_init__(self) -> None:
        if (self.item_id is None) == (self.request_id is None):
            raise ValueError("a feedback reference names an item or a request")

    @property
    def source_id(self) -> UUID:
        """The item's or the request's id (ids are unique across both)."""
        found = self.item_id or self.request_id
        assert found is not None
        return found


@dataclass(eq=False)
class FeedbackItem:
    """Feedback given unasked: always named."""

    organization_id: UUID
    subject_id: UUID
    giver_id: UUID
    text: str
    created_at: datetime
    goal_id: UUID | None = None
    """One of the subject's goals the giver could read when giving it."""
    id: UUID = field(default_factory=new_id)

    @classmethod
    def give(
        cls,
        *,
        organization_id: UUID,
        subject_id: UUID,
        giver_id: UUID,
        text: str,
        goal_id: UUID | None,
        now: datetime,
    ) -> FeedbackItem:
        if subject_id == giver_id:
            raise ValidationFailed(
                "subjectId", "Feedback is for someone else.", code="SELF_FEEDBACK"
            )
        cleaned = validation.long_text("text", text, max_length=TEXT_MAX)
        if not cleaned:
            raise ValidationFailed("text", "Write the feedback.", code="REQUIRED")
        return cls(
            organization_id=organization_id,
            subject_id=subject_id,
            giver_id=giver_id,
            text=cleaned,
            goal_id=goal_id,
            created_at=now,
        )

    @property
    def ref(self) -> FeedbackRef:
        return FeedbackRef(item_id=self.id)


class ShareAudience(enum.Enum):
    STEWARD = "STEWARD"
    MENTOR = "MENTOR"
    PERSON = "PERSON"


@dataclass(eq=False)
class FeedbackShare:
    """One person a piece of feedback is shared with (domain.shares).
    Revoking keeps the row (with `revoked_at`) so the owner sees what they
    shared when."""

    organization_id: UUID
    owner_id: UUID
    audience: ShareAudience
    person_id: UUID
    """The steward, mentor or colleague shared with."""
    relationship_id: UUID | None
    """For a STEWARD or MENTOR share, the stewardship or mentorship they lead
    the owner in: the share counts while that relationship is active, and a
    later one (even with the same person) does not revive it."""
    created_at: datetime
    item_id: UUID | None = None
    request_id: UUID | None = None
    revoked_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @property
    def ref(self) -> FeedbackRef:
        return FeedbackRef(self.item_id, self.request_id)

    @property
    def source_id(self) -> UUID:
        """What is shared (domain.shares.Share): the item or the request."""
        return self.ref.source_id


class ActionKind(enum.Enum):
    ACKNOWLEDGED = "ACKNOWLEDGED"
    GOAL = "GOAL"
    TALKING_POINT = "TALKING_POINT"


@dataclass(eq=False)
class FeedbackAction:
    """What the owner did with a piece of feedback. Its giver (or the people
    asked, for a request) learn that it was acknowledged or acted on, never
    what the goal or talking point says."""

    organization_id: UUID
    owner_id: UUID
    kind: ActionKind
    created_at: datetime
    item_id: UUID | None = None
    request_id: UUID | None = None
    goal_id: UUID | None = None
    talking_point_id: UUID | None = None
    id: UUID = field(default_factory=new_id)

    @property
    def ref(self) -> FeedbackRef:
        return FeedbackRef(self.item_id, self.request_id)

    @classmethod
    def record(
        cls,
        ref: FeedbackRef,
        *,
        organization_id: UUID,
        owner_id: UUID,
        kind: ActionKind,
        now: datetime,
        goal_id: UUID | None = None,
        talking_point_id: UUID | None = None,
    ) -> FeedbackAction:
        return cls(
            organization_id=organization_id,
            owner_id=owner_id,
            kind=kind,
            created_at=now,
            item_id=ref.item_id,
            request_id=ref.request_id,
            goal_id=goal_id,
            talking_point_id=talking_point_id,
        )


@dataclass(frozen=True)
class Response:
    """What the giver sees of what became of their feedback."""

    acknowledged: bool
    acted_on: bool

    @classmethod
    def of(cls, actions: list[FeedbackAction]) -> Response:
        kinds = {a.kind for a in actions}
        return cls(
            acknowledged=ActionKind.ACKNOWLEDGED in kinds,
            acted_on=bool(kinds & {ActionKind.GOAL, ActionKind.TALKING_POINT}),
        )
