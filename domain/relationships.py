"""Leadership relationships between two people: stewardship, mentorship,
coaching. People step into them by consent and step back when they choose;
nothing is deleted, so who led whom, when and in which scope stays known.

Lifecycle: PROPOSED -> ACTIVE (the other side accepts) | DECLINED (the other
side says no, optionally saying why) | WITHDRAWN (the proposer takes it back,
or one of the two left); ACTIVE -> ENDED by either side, who says why, or by
a handover or someone leaving. A declined or withdrawn proposal records when
it closed (`closed_at`), an ended relationship when it ended (`ended_at`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from domain import validation
from domain.errors import Conflict, Duplicate, PermissionDenied, ValidationFailed
from domain.ids import new_id

MESSAGE_MAX = 2000
REASON_MAX = 2000


class RelationshipKind(enum.Enum):
    STEWARDSHIP = "STEWARDSHIP"
    MENTORSHIP = "MENTORSHIP"
    COACHING = "COACHING"


class RelationshipStatus(enum.Enum):
    PROPOSED = "PROPOSED"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"
    ENDED = "ENDED"


class EndReason(enum.Enum):
    """Why an active relationship ended: a person's choice, or a handover to
    a new steward, or the person leaving the organization."""

    ENDED_BY_LEADER = "ENDED_BY_LEADER"
    ENDED_BY_FOLLOWER = "ENDED_BY_FOLLOWER"
    HANDED_OVER = "HANDED_OVER"
    PERSON_LEFT = "PERSON_LEFT"


class Side(enum.Enum):
    LEADER = "LEADER"
    FOLLOWER = "FOLLOWER"


@dataclass(eq=False)
class Relationship:
    """`leader` is the steward, mentor or coach; `follower` the person,
    mentee or coachee. Either may be the proposer."""

    organization_id: UUID
    kind: RelationshipKind
    leader_id: UUID
    follower_id: UUID
    proposed_by_id: UUID
    proposed_at: datetime
    message: str = ""
    status: RelationshipStatus = RelationshipStatus.PROPOSED
    responded_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by_id: UUID | None = None
    end_reason: EndReason | None = None
    end_note: str = ""
    """Why a person ended it, in their words (never blank then); empty when
    a handover or someone leaving ended it (`end_reason` says which)."""
    closed_at: datetime | None = None
    """When a proposal was declined or withdrawn."""
    decline_reason: str = ""
    """Why the other person declined, if they said; for the two people only."""
    review_on: date | None = None
    review_reminded_on: date | None = None
    replaces_id: UUID | None = None
    """For a stewardship: the active stewardship it hands over from when
    accepted (captured at proposal time; acceptance fails if it changed)."""
    id: UUID = field(default_factory=new_id)

    @classmethod
    def propose(
        cls,
        *,
        organization_id: UUID,
        kind: RelationshipKind,
        leader_id: UUID,
        follower_id: UUID,
        proposed_by_id: UUID,
        message: str,
        review_on: date | None,
        replaces_id: UUID | None,
        now: datetime,
    ) -> Relationship:
        if leader_id == follower_id:
            raise ValidationFailed(
                "personId", "Nobody can lead themselves.", code="SELF_RELATIONSHIP"
            )
        if proposed_by_id not in (leader_id, follower_id):
            raise PermissionDenied(
                "Only one of the two people can propose a relationship.", code="NOT_A_PARTY"
            )
        if review_on is not None and review_on <= now.date():
            raise ValidationFailed(
                "reviewOn", "A review date lies in the future.", code="REVIEW_DATE_PAST"
            )
        return cls(
            organization_id=organization_id,
            kind=kind,
            leader_id=leader_id,
            follower_id=follower_id,
            proposed_by_id=proposed_by_id,
            proposed_at=now,
            message=validation.long_text("message", message, max_length=MESSAGE_MAX),
            review_on=review_on,
            replaces_id=replaces_id,
        )

    @classmethod
    def coaching_by_booking(
        cls, *, organization_id: UUID, coach_id: UUID, coachee_id: UUID, now: datetime
    ) -> Relationship:
        """Booking a coach's published slot is consent on both sides: the
        coach offered the time, the coachee took it."""
        if coach_id == coachee_id:
            raise ValidationFailed("coachId", "Nobody coaches themselves.", code="SELF_BOOKING")
        return cls(
            organization_id=organization_id,
            kind=RelationshipKind.COACHING,
            leader_id=coach_id,
            follower_id=coachee_id,
            proposed_by_id=coachee_id,
            proposed_at=now,
            message="",
            status=RelationshipStatus.ACTIVE,
            responded_at=now,
            started_at=now,
        )

    # -- who is who -------------------------------------------------------

    def involves(self, person_id: UUID) -> bool:
        return person_id in (self.leader_id, self.follower_id)

    def other(self, person_id: UUID) -> UUID:
        return self.follower_id if person_id == self.leader_id else self.leader_id

    @property
    def responder_id(self) -> UUID:
        """The side that must consent to a proposal."""
        return self.other(self.proposed_by_id)

    def side_of(self, person_id: UUID) -> Side:
        return Side.LEADER if person_id == self.leader_id else Side.FOLLOWER

    @property
    def is_active(self) -> bool:
        return self.status is RelationshipStatus.ACTIVE

    def is_due_for_review(self, today: date) -> bool:
        return self.is_active and self.review_on is not None and self.review_on <= today

    # -- transitions -------------------------------------------------------

    def _require_party(self, person_id: UUID) -> None:
        if not self.involves(person_id):
            raise PermissionDenied(
                "Only the two people in a relationship can change it.", code="NOT_A_PARTY"
            )

    def _require_status(self, status: RelationshipStatus, action: str) -> None:
        if self.status is not status:
            raise Conflict(
                f"Only a {status.value.lower()} relationship can be {action}; "
                f"this one is {self.status.value.lower()}.",
                code=f"NOT_{status.value}",
            )

    def check_acceptable_by(self, by: UUID) -> None:
        self._require_party(by)
        self._require_status(RelationshipStatus.PROPOSED, "accepted")
        if by != self.responder_id:
            raise PermissionDenied(
                "A proposal is accepted by the other person, not its proposer.",
                code="OWN_PROPOSAL",
            )

    def accept(self, by: UUID, now: datetime) -> None:
        self.check_acceptable_by(by)
        self.status = RelationshipStatus.ACTIVE
        self.responded_at = now
        self.started_at = now

    def decline(self, by: UUID, now: datetime, reason: str = "") -> None:
        self._require_party(by)
        self._require_status(RelationshipStatus.PROPOSED, "declined")
        if by != self.responder_id:
            raise PermissionDenied(
                "You made this proposal: withdraw it instead.", code="OWN_PROPOSAL"
            )
        self.decline_reason = validation.long_text("reason", reason, max_length=REASON_MAX)
        self._close_proposal(RelationshipStatus.DECLINED, now)

    def withdraw(self, by: UUID, now: datetime) -> None:
        self._require_party(by)
        self._require_status(RelationshipStatus.PROPOSED, "withdrawn")
        if by != self.proposed_by_id:
            raise PermissionDenied(
                "Only the proposer can withdraw a proposal: decline it instead.",
                code="NOT_PROPOSER",
            )
        self._close_proposal(RelationshipStatus.WITHDRAWN, now)

    def lapse_because_left(self, now: datetime) -> None:
        """One of the two left before answering: the proposal is withdrawn."""
        self._require_status(RelationshipStatus.PROPOSED, "withdrawn")
        self._close_proposal(RelationshipStatus.WITHDRAWN, now)

    def _close_proposal(self, status: RelationshipStatus, now: datetime) -> None:
        self.status = status
        self.responded_at = now
        self.closed_at = now

    def end(self, by: UUID, now: datetime, note: str) -> None:
        """Either side may end it, and says why: the other person deserves a
        reason, and it stays in the history."""
        self._require_party(by)
        self._require_status(RelationshipStatus.ACTIVE, "ended")
        cleaned = validation.long_text("reason", note, max_length=REASON_MAX)
        if not cleaned:
            raise ValidationFailed("reason", "Say why you end this relationship.", code="REQUIRED")
        self._close(
            EndReason.ENDED_BY_LEADER if by == self.leader_id else EndReason.ENDED_BY_FOLLOWER,
            by=by,
            now=now,
            note=cleaned,
        )

    def hand_over(self, now: datetime, by: UUID) -> None:
        self._require_status(RelationshipStatus.ACTIVE, "handed over")
        self._close(EndReason.HANDED_OVER, by=by, now=now, note="")

    def close_because_left(self, now: datetime, by: UUID) -> None:
        self._close(EndReason.PERSON_LEFT, by=by, now=now, note="")

    def _close(self, reason: EndReason, *, by: UUID, now: datetime, note: str) -> None:
        self.status = RelationshipStatus.ENDED
        self.ended_at = now
        self.ended_by_id = by
        self.end_reason = reason
        self.end_note = note

    def renew(self, by: UUID, review_on: date, today: date) -> None:
        self._require_party(by)
        self._require_status(RelationshipStatus.ACTIVE, "renewed")
        if review_on <= today:
            raise ValidationFailed(
                "reviewOn", "A review date lies in the future.", code="REVIEW_DATE_PAST"
            )
        self.review_on = review_on
        self.review_reminded_on = None


@dataclass(eq=False)
class MentorshipArea:
    """A knowledge area a mentorship covers. The two people and `status`
    mirror the relationship's (in the database triggers keep them so, and
    the services never write them after the proposal), so that "one active
    mentorship, and one open proposal, per mentor, mentee and area" can be
    unique indexes. Created with its proposal, hence PROPOSED."""

    organization_id: UUID
    relationship_id: UUID
    knowledge_area_id: UUID
    leader_id: UUID
    follower_id: UUID
    status: RelationshipStatus = RelationshipStatus.PROPOSED
    id: UUID = field(default_factory=new_id)


def duplicate_proposal(existing_id: UUID) -> Duplicate:
    """One error, naming the open proposal, whether the service's check or
    the database's unique indexes (through the repository) find it: a
    proposal repeats an open one of the same two people (as leader and
    follower, whoever proposed), kind and, for a mentorship, area."""
    return Duplicate(
        "There is already an open proposal for this.",
        code="DUPLICATE_PROPOSAL",
        kind="Relationship",
        existing_id=existing_id,
    )


def visible_to(relationship: Relationship, person_id: UUID) -> bool:
    """Who led whom is transparent in the organization: established
    stewardships and mentorships (active or ended) are visible to every
    member. Proposals, declines and withdrawals are for the two people only,
    and so is all of coaching, which is personal."""
    if relationship.involves(person_id):
        return True
    return (
        relationship.kind is not RelationshipKind.COACHING and relationship.started_at is not None
    )
