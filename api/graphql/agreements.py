"""Autonomy agreements, their history and their mismatch signals."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Protocol
from uuid import UUID

import strawberry

from api.graphql import ids
from api.graphql.autonomy import AutonomyStageType, MismatchSignalType
from api.graphql.commands import require_actor, run, run_transition
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from domain.actors import Actor
from domain.agreements import (
    AgreementChange,
    AgreementField,
    AgreementStatus,
    AutonomyAgreement,
    Dimension,
)
from domain.people import Person
from domain.ports import UnitOfWork
from domain.services import agreements as service

if TYPE_CHECKING:
    from api.graphql.knowledge_areas import KnowledgeAreaNode
    from api.graphql.people import PersonNode
    from api.graphql.relationships import RelationshipNode
    from api.graphql.roles import RoleAssignmentNode

DimensionType = strawberry.enum(Dimension, name="AgreementDimension")
AgreementStatusType = strawberry.enum(AgreementStatus, name="AgreementStatus")
AgreementFieldType = strawberry.enum(AgreementField, name="AgreementField")

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]


async def _person(info: strawberry.Info, person_id: UUID) -> PersonRef:
    from api.graphql.people import PersonNode

    return PersonNode(entity=await info.context.loaders.person.load(person_id))


@strawberry.type(name="AgreementChange", description="One change in an agreement's history.")
class AgreementChangeType:
    entity: strawberry.Private[AgreementChange]

    @strawberry.field
    def field(self) -> AgreementFieldType:  # type: ignore[valid-type]
        return self.entity.field

    @strawberry.field
    def old_value(self) -> str | None:
        return self.entity.old_value

    @strawberry.field
    def new_value(self) -> str | None:
        return self.entity.new_value

    @strawberry.field
    async def changed_by(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.changed_by_id)

    @strawberry.field
    def changed_at(self) -> datetime:
        return self.entity.changed_at


@strawberry.type(
    name="AutonomyAgreement",
    description="At which stage the follower is led in a context, and how both sides see it. "
    "Visible to the two people only.",
)
class AgreementNode(EntityNode):
    loader = "agreement"
    entity: strawberry.Private[AutonomyAgreement]

    @strawberry.field
    async def leader(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.leader_id)

    @strawberry.field
    async def follower(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.follower_id)

    @strawberry.field
    async def relationship(
        self, info: strawberry.Info
    ) -> Annotated[RelationshipNode, strawberry.lazy("api.graphql.relationships")] | None:
        from api.graphql.relationships import RelationshipNode

        if self.entity.relationship_id is None:
            return None
        found = await RelationshipNode.resolve_nodes(
            info=info, node_ids=[str(self.entity.relationship_id)]
        )
        return found[0]

    @strawberry.field(description="The product-owner role, for an agreement within a team.")
    async def role_assignment(
        self, info: strawberry.Info
    ) -> Annotated[RoleAssignmentNode, strawberry.lazy("api.graphql.roles")] | None:
        from api.graphql.roles import RoleAssignmentNode

        if self.entity.role_assignment_id is None:
            return None
        found = await RoleAssignmentNode.resolve_nodes(
            info=info, node_ids=[str(self.entity.role_assignment_id)]
        )
        return found[0]

    @strawberry.field
    def context(self) -> str:
        return self.entity.context

    @strawberry.field
    async def knowledge_area(
        self, info: strawberry.Info
    ) -> Annotated[KnowledgeAreaNode, strawberry.lazy("api.graphql.knowledge_areas")] | None:
        from api.graphql.knowledge_areas import KnowledgeAreaNode

        if self.entity.knowledge_area_id is None:
            return None
        area = await info.context.loaders.area.load(self.entity.knowledge_area_id)
        return KnowledgeAreaNode(entity=area) if area else None

    @strawberry.field
    def dimension(self) -> DimensionType | None:  # type: ignore[valid-type]
        return self.entity.dimension

    @strawberry.field
    def status(self) -> AgreementStatusType:  # type: ignore[valid-type]
        return self.entity.status

    @strawberry.field(description="Null until both sides confirmed a first stage.")
    def agreed_stage(self) -> AutonomyStageType | None:  # type: ignore[valid-type]
        return self.entity.agreed_stage

    @strawberry.field(description="A stage one side proposed, awaiting the other's confirmation.")
    def proposed_stage(self) -> AutonomyStageType | None:  # type: ignore[valid-type]
        return self.entity.proposed_stage

    @strawberry.field
    async def proposed_by(self, info: strawberry.Info) -> PersonRef | None:
        if self.entity.proposed_by_id is None:
            return None
        return await _person(info, self.entity.proposed_by_id)

    @strawberry.field(description="The follower's view of their own capability.")
    def follower_view(self) -> AutonomyStageType | None:  # type: ignore[valid-type]
        return self.entity.follower_view

    @strawberry.field(description="The leader's view of the follower's capability.")
    def leader_view(self) -> AutonomyStageType | None:  # type: ignore[valid-type]
        return self.entity.leader_view

    @strawberry.field(description="The leader's own capability to lead at a stage.")
    def leader_capability(self) -> AutonomyStageType | None:  # type: ignore[valid-type]
        return self.entity.leader_capability

    @strawberry.field
    def review_on(self) -> date | None:
        return self.entity.review_on

    @strawberry.field
    def due_for_review(self, info: strawberry.Info) -> bool:
        return self.entity.is_due_for_review(info.context.now.date())

    @strawberry.field
    def signals(self) -> list[MismatchSignalType]:
        return [MismatchSignalType(signal=s) for s in self.entity.signals]

    @strawberry.field(description="Every change, oldest first.")
    async def history(self, info: strawberry.Info) -> list[AgreementChangeType]:
        changes = await info.context.loaders.agreement_changes.load(self.entity.id)
        return [AgreementChangeType(entity=c) for c in changes]


class HasEntity(Protocol):
    entity: Person


# Fields mounted on Person.


async def agreements_of_person(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[AgreementNode]:
    """This person's open agreements that you are part of (yours, on yourself)."""
    found = await info.context.loaders.agreements_of.load(root.entity.id)
    return [AgreementNode(entity=a) for a in found]


async def mismatch_signals_of_person(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[MismatchSignalType]:
    found = await info.context.loaders.agreements_of.load(root.entity.id)
    return [MismatchSignalType(signal=s) for a in found for s in a.signals]


@strawberry.type(description="One stewardee's agreement with signals, for their steward.")
class StewardeeMismatch:
    agreement: AgreementNode

    @strawberry.field
    async def stewardee(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.agreement.entity.follower_id)

    @strawberry.field
    def signals(self) -> list[MismatchSignalType]:
        return [MismatchSignalType(signal=s) for s in self.agreement.entity.signals]


async def stewardee_mismatches(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[StewardeeMismatch] | None:
    """Across the people you steward, the agreements showing a signal. Only
    on yourself (else null)."""
    actor = await require_actor(info)
    if actor.person_id != root.entity.id:
        return None
    found = await info.context.loaders.stewardee_agreements()
    return [StewardeeMismatch(agreement=AgreementNode(entity=a)) for a in found if a.signals]


# Mutations.


@strawberry.input
class ProposeAgreementInput:
    relationship_id: strawberry.ID | None = None
    role_assignment_id: strawberry.ID | None = strawberry.field(
        default=None, description="A PRODUCT_OWNER role, for an agreement within its team."
    )
    follower_id: strawberry.ID | None = strawberry.field(
        default=None, description="With a role: the team member (when the product owner proposes)."
    )
    context: str
    stage: AutonomyStageType  # type: ignore[valid-type]
    knowledge_area_id: strawberry.ID | None = None
    dimension: DimensionType | None = None  # type: ignore[valid-type]
    review_on: date | None = None


@strawberry.input
class AgreementIdInput:
    agreement_id: strawberry.ID


@strawberry.input
class ConfirmAgreementStageInput:
    agreement_id: strawberry.ID
    stage: AutonomyStageType = strawberry.field(  # type: ignore[valid-type]
        description="The proposed stage you are agreeing to, as you saw it."
    )


@strawberry.input
class ProposeAgreementStageInput:
    agreement_id: strawberry.ID
    stage: AutonomyStageType  # type: ignore[valid-type]


@strawberry.input
class AssessAgreementInput:
    agreement_id: strawberry.ID
    follower_view: AutonomyStageType | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The follower only."
    )
    leader_view: AutonomyStageType | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The leader only."
    )
    leader_capability: AutonomyStageType | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The leader only."
    )


@strawberry.input
class SetAgreementReviewInput:
    agreement_id: strawberry.ID
    review_on: date


@strawberry.type
class AgreementSuccess:
    agreement: AgreementNode


AgreementResult = result_union("AgreementResult", AgreementSuccess)


def _id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "AutonomyAgreement", field="agreementId")


def _success(agreement: AutonomyAgreement) -> AgreementSuccess:
    return AgreementSuccess(agreement=AgreementNode(entity=agreement))


@strawberry.type
class AgreementsMutation:
    @strawberry.mutation(
        description="Propose an autonomy agreement at a stage; the other side "
        "confirms it with confirmAgreementStage."
    )
    async def propose_agreement(
        self, info: strawberry.Info, input: ProposeAgreementInput
    ) -> AgreementResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> AgreementSuccess:
            return _success(
                await service.propose(
                    uow,
                    actor,
                    relationship_id=ids.decode(
                        input.relationship_id, "Relationship", field="relationshipId"
                    )
                    if input.relationship_id
                    else None,
                    role_assignment_id=ids.decode(
                        input.role_assignment_id, "RoleAssignment", field="roleAssignmentId"
                    )
                    if input.role_assignment_id
                    else None,
                    follower_id=ids.decode(input.follower_id, "Person", field="followerId")
                    if input.follower_id
                    else None,
                    context=input.context,
                    stage=input.stage,
                    knowledge_area_id=ids.decode(
                        input.knowledge_area_id, "KnowledgeArea", field="knowledgeAreaId"
                    )
                    if input.knowledge_area_id
                    else None,
                    dimension=input.dimension,
                    review_on=input.review_on,
                    now=info.context.now,
                )
            )

        return await run(info, command)

    @strawberry.mutation(description="Propose a new agreed stage; the other side confirms.")
    async def propose_agreement_stage(
        self, info: strawberry.Info, input: ProposeAgreementStageInput
    ) -> AgreementResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> AgreementSuccess:
            return _success(
                await service.propose_stage(
                    uow,
                    actor,
                    _id(input.agreement_id),
                    stage=input.stage,
                    now=info.context.now,
                )
            )

        return await run(info, command)

    @strawberry.mutation(description="Confirm the stage the other side proposed.")
    async def confirm_agreement_stage(
        self, info: strawberry.Info, input: ConfirmAgreementStageInput
    ) -> AgreementResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> AgreementSuccess:
            return _success(
                await service.confirm_stage(
                    uow, actor, _id(input.agreement_id), stage=input.stage, now=info.context.now
                )
            )

        return await run(info, command)

    @strawberry.mutation(
        description="Decline (or withdraw) a proposed stage; the agreed one stays."
    )
    async def reject_agreement_stage(
        self, info: strawberry.Info, input: AgreementIdInput
    ) -> AgreementResult:  # type: ignore[valid-type]
        return await run_transition(
            info, service.reject_stage, lambda: _id(input.agreement_id), _success
        )

    @strawberry.mutation(description="Give your own assessments (each side only its own).")
    async def assess_agreement(
        self, info: strawberry.Info, input: AssessAgreementInput
    ) -> AgreementResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> AgreementSuccess:
            return _success(
                await service.assess(
                    uow,
                    actor,
                    _id(input.agreement_id),
                    follower_view=input.follower_view,
                    leader_view=input.leader_view,
                    leader_capability=input.leader_capability,
                    now=info.context.now,
                )
            )

        return await run(info, command)

    @strawberry.mutation(description="Set when to review the agreement.")
    async def set_agreement_review(
        self, info: strawberry.Info, input: SetAgreementReviewInput
    ) -> AgreementResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> AgreementSuccess:
            return _success(
                await service.set_review(
                    uow,
                    actor,
                    _id(input.agreement_id),
                    review_on=input.review_on,
                    now=info.context.now,
                )
            )

        return await run(info, command)

    @strawberry.mutation(description="End an agreement (either side).")
    async def end_agreement(
        self, info: strawberry.Info, input: AgreementIdInput
    ) -> AgreementResult:  # type: ignore[valid-type]
        return await run_transition(info, service.end, lambda: _id(input.agreement_id), _success)
