"""Autonomy agreements: within a leadership relationship, for a context,
the stage at which the follower is led, the two views of the follower's
capability, and the leader's own capability to lead at that stage.

Consent: each side edits only its own assessments; the agreed stage changes
only when both sides confirm (one proposes a stage, the other confirms it).
Every change is recorded as an `AgreementChange`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from domain import validation
from domain.autonomy import AutonomyStage, MismatchSignal, mismatch_signals
from domain.errors import Conflict, PermissionDenied, ValidationFailed
from domain.ids import new_id
from domain.relationships import Side

CONTEXT_MAX = 500


class Dimension(enum.Enum):
    """Which aspect of the work an agreement is about (seed 002: "different
    autonomy agreements concerning what, when, where, and with whom")."""

    WHAT = "WHAT"
    HOW = "HOW"
    WHEN = "WHEN"
    WHERE = "WHERE"
    WITH_WHOM = "WITH_WHOM"
    WHY = "WHY"


class AgreementStatus(enum.Enum):
    PROPOSED = "PROPOSED"
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


class AgreementField(enum.Enum):
    AGREED_STAGE = "AGREED_STAGE"
    PROPOSED_STAGE = "PROPOSED_STAGE"
    FOLLOWER_VIEW = "FOLLOWER_VIEW"
    LEADER_VIEW = "LEADER_VIEW"
    LEADER_CAPABILITY = "LEADER_CAPABILITY"
    REVIEW_ON = "REVIEW_ON"
    STATUS = "STATUS"


@dataclass(eq=False)
class AutonomyAgreement:
    organization_id: UUID
    leader_id: UUID
    follower_id: UUID
    context: str
    created_by_id: UUID
    created_at: datetime
    relationship_id: UUID | None = None
    role_assignment_id: UUID | None = None
    """Set instead of a relationship when the leader leads as PRODUCT_OWNER of
    the follower's team."""
    knowledge_area_id: UUID | None = None
    dimension: Dimension | None = None
    agreed_stage: AutonomyStage | None = None
    """None until both sides have confirmed a first stage."""
    proposed_stage: AutonomyStage | None = None
    proposed_by_id: UUID | None = None
    follower_view: AutonomyStage | None = None
    leader_view: AutonomyStage | None = None
    leader_capability: AutonomyStage | None = None
    review_on: date | None = None
    status: AgreementStatus = AgreementStatus.PROPOSED
    updated_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def propose(
        cls,
        *,
        organization_id: UUID,
        leader_id: UUID,
        follower_id: UUID,
        by: UUID,
        context: str,
        stage: AutonomyStage,
        relationship_id: UUID | None,
        role_assignment_id: UUID | None,
        knowledge_area_id: UUID | None,
        dimension: Dimension | None,
        review_on: date | None,
        now: datetime,
    ) -> AutonomyAgreement:
        if review_on is not None and review_on <= now.date():
            raise ValidationFailed(
                "reviewOn", "A review date lies in the future.", code="REVIEW_DATE_PAST"
            )
        return cls(
            organization_id=organization_id,
            leader_id=leader_id,
            follower_id=follower_id,
            context=validation.text("context", context, max_length=CONTEXT_MAX),
            created_by_id=by,
            created_at=now,
            updated_at=now,
            relationship_id=relationship_id,
            role_assignment_id=role_assignment_id,
            knowledge_area_id=knowledge_area_id,
            dimension=dimension,
            proposed_stage=stage,
            proposed_by_id=by,
            review_on=review_on,
        )

    def side_of(self, person_id: UUID) -> Side:
        if person_id == self.leader_id:
            return Side.LEADER
        if person_id == self.follower_id:
            return Side.FOLLOWER
        raise PermissionDenied(
            "Only the two people in an agreement can change it.", code="NOT_A_PARTY"
        )

    def involves(self, person_id: UUID) -> bool:
        return person_id in (self.leader_id, self.follower_id)

    def _require_open(self) -> None:
        if self.status is AgreementStatus.ENDED:
            raise Conflict("This agreement has ended.", code="AGREEMENT_ENDED")

    def propose_stage(self, by: UUID, stage: AutonomyStage, now: datetime) -> None:
        """Either side proposes a (new) agreed stage; the other confirms it."""
        self.side_of(by)
        self._require_open()
        if stage is self.agreed_stage and self.proposed_stage is None:
            raise Conflict("That is the agreed stage already.", code="UNCHANGED")
        self.proposed_stage, self.proposed_by_id, self.updated_at = stage, by, now

    def confirm_stage(self, by: UUID, stage: AutonomyStage, now: datetime) -> AutonomyStage:
        """`stage` is the stage the confirming person saw: consent is to that
        stage, so a proposal changed meanwhile is not confirmed blindly."""
        self.side_of(by)
        self._require_open()
        if self.proposed_stage is None:
            raise Conflict("No stage change is waiting for confirmation.", code="NOTHING_PROPOSED")
        if by == self.proposed_by_id:
            raise PermissionDenied(
                "The other person confirms a stage you proposed.", code="OWN_PROPOSAL"
            )
        if stage is not self.proposed_stage:
            raise Conflict(
                "The proposal changed since you saw it; look at it again.",
                code="PROPOSAL_CHANGED",
            )
        self.agreed_stage = self.proposed_stage
        self.proposed_stage = self.proposed_by_id = None
        self.status = AgreementStatus.ACTIVE
        self.updated_at = now
        return self.agreed_stage

    def reject_stage(self, by: UUID, now: datetime) -> None:
        """Either side drops a pending proposal (the proposer withdraws it,
        the other declines it); the agreed stage stays. A first proposal
        that is dropped leaves nothing agreed, so the agreement ends."""
        self.side_of(by)
        self._require_open()
        if self.proposed_stage is None:
            raise Conflict("No stage change is waiting for confirmation.", code="NOTHING_PROPOSED")
        self.proposed_stage = self.proposed_by_id = None
        if self.agreed_stage is None:
            self.status = AgreementStatus.ENDED
        self.updated_at = now

    def assess(
        self,
        by: UUID,
        *,
        follower_view: AutonomyStage | None = None,
        leader_view: AutonomyStage | None = None,
        leader_capability: AutonomyStage | None = None,
        now: datetime,
    ) -> list[tuple[AgreementField, object, object]]:
        """Each side sets only its own assessments. Returns what changed."""
        side = self.side_of(by)
        self._require_open()
        if side is Side.FOLLOWER and (leader_view or leader_capability):
            raise PermissionDenied(
                "The leader's assessments are the leader's to give.", code="NOT_YOUR_ASSESSMENT"
            )
        if side is Side.LEADER and follower_view:
            raise PermissionDenied(
                "The follower's view of themselves is theirs to give.", code="NOT_YOUR_ASSESSMENT"
            )
        changes = []
        for name, value, agreement_field in (
            ("follower_view", follower_view, AgreementField.FOLLOWER_VIEW),
            ("leader_view", leader_view, AgreementField.LEADER_VIEW),
            ("leader_capability", leader_capability, AgreementField.LEADER_CAPABILITY),
        ):
            if value is not None and getattr(self, name) is not value:
                changes.append((agreement_field, getattr(self, name), value))
                setattr(self, name, value)
        if changes:
            self.updated_at = now
        return changes

    def set_review(self, by: UUID, review_on: date, now: datetime) -> None:
        self.side_of(by)
        self._require_open()
        if review_on <= now.date():
            raise ValidationFailed(
                "reviewOn", "A review date lies in the future.", code="REVIEW_DATE_PAST"
            )
        self.review_on, self.updated_at = review_on, now

    def end(self, by: UUID, now: datetime) -> None:
        self.side_of(by)
        self._require_open()
        self.status, self.updated_at = AgreementStatus.ENDED, now

    @property
    def signals(self) -> list[MismatchSignal]:
        if self.agreed_stage is None or self.status is not AgreementStatus.ACTIVE:
            return []
        return mismatch_signals(
            self.agreed_stage,
            follower_view=self.follower_view,
            leader_view=self.leader_view,
            leader_capability=self.leader_capability,
        )

    def is_due_for_review(self, today: date) -> bool:
        return (
            self.status is AgreementStatus.ACTIVE
            and self.review_on is not None
            and self.review_on <= today
        )


@dataclass(eq=False)
class AgreementChange:
    """History of an agreement: who changed what, from what, to what, when."""

    organization_id: UUID
    agreement_id: UUID
    changed_by_id: UUID
    field: AgreementField
    old_value: str | None
    new_value: str | None
    changed_at: datetime
    id: UUID = field(default_factory=new_id)
