"""Autonomy agreements: made within an active relationship (or between a
team's product owner and a member of that team), changed only with the
consent of both sides, every change kept."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.actors import Actor
from domain.agreements import (
    AgreementChange,
    AgreementField,
    AgreementStatus,
    AutonomyAgreement,
    Dimension,
)
from domain.autonomy import AutonomyStage
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.ports import UnitOfWork
from domain.roles import Role


async def propose(
    uow: UnitOfWork,
    actor: Actor,
    *,
    relationship_id: UUID | None = None,
    role_assignment_id: UUID | None = None,
    follower_id: UUID | None = None,
    context: str,
    stage: AutonomyStage,
    knowledge_area_id: UUID | None = None,
    dimension: Dimension | None = None,
    review_on: date | None = None,
    now: datetime,
) -> AutonomyAgreement:
    """The proposer's stage becomes agreed once the other side confirms."""
    leader_id, follower = await _parties(
        uow, actor, relationship_id, role_assignment_id, follower_id
    )
    if knowledge_area_id is not None and await uow.areas.get(knowledge_area_id) is None:
        raise NotFound("KnowledgeArea")
    agreement = AutonomyAgreement.propose(
        organization_id=actor.organization_id,
        leader_id=leader_id,
        follower_id=follower,
        by=actor.person_id,
        context=context,
        stage=stage,
        relationship_id=relationship_id,
        role_assignment_id=role_assignment_id,
        knowledge_area_id=knowledge_area_id,
        dimension=dimension,
        review_on=review_on,
        now=now,
    )
    await uow.agreements.add(agreement)
    await _record(uow, agreement, actor.person_id, AgreementField.PROPOSED_STAGE, None, stage, now)
    return agreement


async def propose_stage(
    uow: UnitOfWork, actor: Actor, agreement_id: UUID, *, stage: AutonomyStage, now: datetime
) -> AutonomyAgreement:
    agreement = await _mine(uow, actor, agreement_id)
    before = agreement.proposed_stage
    agreement.propose_stage(actor.person_id, stage, now)
    await _record(
        uow, agreement, actor.person_id, AgreementField.PROPOSED_STAGE, before, stage, now
    )
    return agreement


async def confirm_stage(
    uow: UnitOfWork, actor: Actor, agreement_id: UUID, *, stage: AutonomyStage, now: datetime
) -> AutonomyAgreement:
    agreement = await _mine(uow, actor, agreement_id)
    before, status = agreement.agreed_stage, agreement.status
    agreed = agreement.confirm_stage(actor.person_id, stage, now)
    await _record(uow, agreement, actor.person_id, AgreementField.AGREED_STAGE, before, agreed, now)
    if status is not agreement.status:
        await _record(
            uow, agreement, actor.person_id, AgreementField.STATUS, status, agreement.status, now
        )
    return agreement


async def reject_stage(
    uow: UnitOfWork, actor: Actor, agreement_id: UUID, *, now: datetime
) -> AutonomyAgreement:
    agreement = await _mine(uow, actor, agreement_id)
    before, status = agreement.proposed_stage, agreement.status
    agreement.reject_stage(actor.person_id, now)
    await _record(uow, agreement, actor.person_id, AgreementField.PROPOSED_STAGE, before, None, now)
    if status is not agreement.status:
        await _record(
            uow, agreement, actor.person_id, AgreementField.STATUS, status, agreement.status, now
        )
    return agreement


async def assess(
    uow: UnitOfWork,
    actor: Actor,
    agreement_id: UUID,
    *,
    follower_view: AutonomyStage | None = None,
    leader_view: AutonomyStage | None = None,
    leader_capability: AutonomyStage | None = None,
    now: datetime,
) -> AutonomyAgreement:
    agreement = await _mine(uow, actor, agreement_id)
    changes = agreement.assess(
        actor.person_id,
        follower_view=follower_view,
        leader_view=leader_view,
        leader_capability=leader_capability,
        now=now,
    )
    for agreement_field, before, after in changes:
        await _record(uow, agreement, actor.person_id, agreement_field, before, after, now)
    return agreement


async def set_review(
    uow: UnitOfWork, actor: Actor, agreement_id: UUID, *, review_on: date, now: datetime
) -> AutonomyAgreement:
    agreement = await _mine(uow, actor, agreement_id)
    before = agreement.review_on
    agreement.set_review(actor.person_id, review_on, now)
    await _record(uow, agreement, actor.person_id, AgreementField.REVIEW_ON, before, review_on, now)
    return agreement


async def end(
    uow: UnitOfWork, actor: Actor, agreement_id: UUID, *, now: datetime
) -> AutonomyAgreement:
    agreement = await _mine(uow, actor, agreement_id)
    before = agreement.status
    agreement.end(actor.person_id, now)
    await _record(
        uow, agreement, actor.person_id, AgreementField.STATUS, before, agreement.status, now
    )
    return agreement


async def end_with_relationship(
    uow: UnitOfWork, relationship_id: UUID, *, by: UUID, now: datetime
) -> None:
    """Agreements live inside their relationship and end with it."""
    await _end_all(uow, await uow.agreements.open_in_relationship(relationship_id), by, now)


async def end_with_role(
    uow: UnitOfWork, role_assignment_id: UUID, *, by: UUID, now: datetime
) -> None:
    """A product owner's agreements end when they step back from the role."""
    await _end_all(uow, await uow.agreements.open_in_role(role_assignment_id), by, now)


async def end_within_team(
    uow: UnitOfWork, team_id: UUID, follower_id: UUID, *, by: UUID, now: datetime
) -> None:
    """A member who leaves a team leaves its product owner's agreements."""
    await _end_all(uow, await uow.agreements.open_in_team(team_id, follower_id), by, now)


async def _end_all(
    uow: UnitOfWork, open_agreements: list[AutonomyAgreement], by: UUID, now: datetime
) -> None:
    for agreement in open_agreements:
        before = agreement.status
        agreement.status, agreement.updated_at = AgreementStatus.ENDED, now
        await _record(uow, agreement, by, AgreementField.STATUS, before, agreement.status, now)


async def _parties(
    uow: UnitOfWork,
    actor: Actor,
    relationship_id: UUID | None,
    role_assignment_id: UUID | None,
    follower_id: UUID | None,
) -> tuple[UUID, UUID]:
    """(leader, follower) of the leadership the agreement lives in."""
    if (relationship_id is None) == (role_assignment_id is None):
        raise ValidationFailed(
            "relationshipId",
            "An agreement lives in one relationship or one product-owner role.",
            code="ONE_CONTEXT",
        )
    if relationship_id is not None:
        if follower_id is not None:
            raise ValidationFailed(
                "followerId", "A relationship names its follower already.", code="NOT_ALLOWED"
            )
        # Locked, so that it cannot end while the agreement is being made.
        relationship = await uow.relationships.get(relationship_id, for_update=True)
        if relationship is None or not relationship.involves(actor.person_id):
            raise NotFound("Relationship")
        if not relationship.is_active:
            raise Conflict(
                "Agreements are made within an active relationship.", code="NO_ACTIVE_RELATIONSHIP"
            )
        return relationship.leader_id, relationship.follower_id
    assert role_assignment_id is not None
    assignment = await uow.roles.get(role_assignment_id, for_update=True)
    # A role never held is a private proposal: it reads as not found.
    if (
        assignment is None
        or assignment.role is not Role.PRODUCT_OWNER
        or assignment.started_at is None
    ):
        raise NotFound("RoleAssignment")
    if not assignment.is_current or assignment.team_id is None:
        raise Conflict(
            "Agreements are made within a role that is held now.", code="NO_ACTIVE_RELATIONSHIP"
        )
    if actor.person_id != assignment.person_id and follower_id not in (None, actor.person_id):
        raise ValidationFailed(
            "followerId",
            "A team member makes an agreement for themselves; leave followerId out.",
            code="NOT_ALLOWED",
        )
    follower = follower_id if actor.person_id == assignment.person_id else actor.person_id
    if follower is None:
        raise ValidationFailed("followerId", "Name the team member.", code="REQUIRED")
    if follower == assignment.person_id:
        raise ValidationFailed("followerId", "Nobody leads themselves.", code="SELF_RELATIONSHIP")
    if actor.person_id not in (assignment.person_id, follower):
        raise NotFound("RoleAssignment")
    if await uow.memberships.current(assignment.team_id, follower) is None:
        raise Conflict(
            "A product owner makes agreements with members of their own team.",
            code="NOT_IN_TEAM",
        )
    return assignment.person_id, follower


async def _mine(uow: UnitOfWork, actor: Actor, agreement_id: UUID) -> AutonomyAgreement:
    agreement = await uow.agreements.get(agreement_id, for_update=True)
    if agreement is None or not agreement.involves(actor.person_id):
        raise NotFound("AutonomyAgreement")
    return agreement


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, AutonomyStage | AgreementStatus):
        return value.value
    return str(value)


async def _record(
    uow: UnitOfWork,
    agreement: AutonomyAgreement,
    by: UUID,
    agreement_field: AgreementField,
    before: object,
    after: object,
    now: datetime,
) -> None:
    await uow.agreements.add_change(
        AgreementChange(
            organization_id=agreement.organization_id,
            agreement_id=agreement.id,
            changed_by_id=by,
            field=agreement_field,
            old_value=_text(before),
            new_value=_text(after),
            changed_at=now,
        )
    )
