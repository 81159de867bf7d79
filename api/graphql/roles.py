"""Roles people step into and back from, and who holds them when."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Protocol
from uuid import UUID

import strawberry

from api.graphql import ids
from api.graphql.commands import require_actor, run, run_transition
from api.graphql.entity import EntityNode
from api.graphql.errors import PublicError, result_union
from api.graphql.time_travel import moment
from domain.actors import Actor
from domain.ports import UnitOfWork
from domain.roles import Role, RoleAssignment, RoleStatus, Scope, visible_to
from domain.services import roles as service

if TYPE_CHECKING:
    from api.graphql.knowledge_areas import KnowledgeAreaNode
    from api.graphql.people import PersonNode
    from api.graphql.teams import TeamNode

RoleType = strawberry.enum(Role, name="Role")
RoleStatusType = strawberry.enum(RoleStatus, name="RoleStatus")

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]
TeamRef = Annotated["TeamNode", strawberry.lazy("api.graphql.teams")]
AreaRef = Annotated["KnowledgeAreaNode", strawberry.lazy("api.graphql.knowledge_areas")]


@strawberry.type(
    name="RoleAssignment",
    description="A person holding (or proposed for) a role in a scope. Held and past roles "
    "are visible to the organization; open proposals to those who may answer them.",
)
class RoleAssignmentNode(EntityNode):
    loader = "role_assignment"
    entity: strawberry.Private[RoleAssignment]

    @classmethod
    async def visible(
        cls, info: strawberry.Info, entities: list[RoleAssignment]
    ) -> list[RoleAssignment]:
        """The domain's rule, with the viewer's faculty role and teams read
        once per batch (through loaders) instead of once per row."""
        actor = await require_actor(info)
        loaders = info.context.loaders
        if all(a.started_at is not None for a in entities):
            return entities
        faculty = await loaders.is_org_faculty.load(actor.person_id)
        my_teams = {t.id for t in await loaders.teams_of_person.load(actor.person_id)}
        return [
            a
            for a in entities
            if visible_to(
                a, actor.person_id, viewer_is_org_faculty=faculty, viewer_team_ids=my_teams
            )
        ]

    @strawberry.field
    def role(self) -> RoleType:  # type: ignore[valid-type]
        return self.entity.role

    @strawberry.field
    def status(self) -> RoleStatusType:  # type: ignore[valid-type]
        return self.entity.status

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.person_id)

    @strawberry.field(description="The team, for TEAM_COACH and PRODUCT_OWNER.")
    async def team(self, info: strawberry.Info) -> TeamRef | None:
        from api.graphql.teams import TeamNode

        if self.entity.team_id is None:
            return None
        team = await info.context.loaders.team.load(self.entity.team_id)
        return TeamNode(entity=team) if team else None

    @strawberry.field(description="The knowledge area, for FACULTY_LEAD.")
    async def knowledge_area(self, info: strawberry.Info) -> AreaRef | None:
        from api.graphql.knowledge_areas import KnowledgeAreaNode

        if self.entity.knowledge_area_id is None:
            return None
        area = await info.context.loaders.area.load(self.entity.knowledge_area_id)
        return KnowledgeAreaNode(entity=area) if area else None

    @strawberry.field(description="Whether the person volunteered (else someone proposed them).")
    def volunteered(self) -> bool:
        return self.entity.volunteered

    @strawberry.field(description="Who proposed it; null for a founder's role.")
    async def proposed_by(self, info: strawberry.Info) -> PersonRef | None:
        if self.entity.proposed_by_id is None:
            return None
        return await _person(info, self.entity.proposed_by_id)

    @strawberry.field
    async def responded_by(self, info: strawberry.Info) -> PersonRef | None:
        if self.entity.responded_by_id is None:
            return None
        return await _person(info, self.entity.responded_by_id)

    @strawberry.field
    def proposed_at(self) -> datetime | None:
        return self.entity.proposed_at

    @strawberry.field
    def started_at(self) -> datetime | None:
        return self.entity.started_at

    @strawberry.field
    def ended_at(self) -> datetime | None:
        return self.entity.ended_at

    @strawberry.field
    def review_on(self) -> date | None:
        return self.entity.review_on

    @strawberry.field
    def end_note(self) -> str:
        return self.entity.end_note


async def _person(info: strawberry.Info, person_id: UUID) -> PersonRef:
    from api.graphql.people import PersonNode

    return PersonNode(entity=await info.context.loaders.person.load(person_id))


class HasEntity(Protocol):
    entity: object


# Fields mounted on Person, Team and KnowledgeArea.


async def roles_of_person(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[RoleAssignmentNode]:
    found = await info.context.loaders.roles_of.load(root.entity.id)  # type: ignore[attr-defined]
    return [RoleAssignmentNode(entity=a) for a in found]


async def role_proposals_to_me(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[RoleAssignmentNode] | None:
    actor = await require_actor(info)
    if actor.person_id != root.entity.id:  # type: ignore[attr-defined]
        return None
    faculty = await info.context.loaders.is_org_faculty.load(actor.person_id)
    found = await info.context.loaders.role_proposals(
        actor.person_id, to_person=True, is_org_faculty=faculty
    )
    return [RoleAssignmentNode(entity=a) for a in found]


async def role_proposals_from_me(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[RoleAssignmentNode] | None:
    actor = await require_actor(info)
    if actor.person_id != root.entity.id:  # type: ignore[attr-defined]
        return None
    found = await info.context.loaders.role_proposals(actor.person_id, to_person=False)
    return [RoleAssignmentNode(entity=a) for a in found]


async def team_leaders(
    root: strawberry.Parent[HasEntity], info: strawberry.Info, at: datetime | None = None
) -> list[RoleAssignmentNode]:
    found = await info.context.loaders.holders.load(("team", root.entity.id, moment(info, at)))  # type: ignore[attr-defined]
    return [RoleAssignmentNode(entity=a) for a in found]


async def area_leads(
    root: strawberry.Parent[HasEntity], info: strawberry.Info, at: datetime | None = None
) -> list[RoleAssignmentNode]:
    found = await info.context.loaders.holders.load(("area", root.entity.id, moment(info, at)))  # type: ignore[attr-defined]
    return [RoleAssignmentNode(entity=a) for a in found]


@strawberry.type
class RolesQuery:
    @strawberry.field(
        description="Who holds an organization-wide role (ORG_FACULTY, STRATEGY_FACULTY, COACH) "
        "now, or at a past moment `at`."
    )
    async def role_holders(
        self,
        info: strawberry.Info,
        role: RoleType,
        at: datetime | None = None,  # type: ignore[valid-type]
    ) -> list[RoleAssignmentNode]:
        await require_actor(info)
        if role.scope is not Scope.ORGANIZATION:
            raise PublicError(
                "Ask a team for its leaders and a knowledge area for its leads.", "SCOPED_ROLE"
            )
        found = await info.context.loaders.holders.load(
            (f"org:{role.value}", None, moment(info, at))
        )
        return [RoleAssignmentNode(entity=a) for a in found]


@strawberry.input
class VolunteerForRoleInput:
    role: RoleType  # type: ignore[valid-type]
    team_id: strawberry.ID | None = None
    knowledge_area_id: strawberry.ID | None = None
    review_on: date | None = None


@strawberry.input
class ProposeRoleInput:
    person_id: strawberry.ID
    role: RoleType  # type: ignore[valid-type]
    team_id: strawberry.ID | None = None
    knowledge_area_id: strawberry.ID | None = None
    review_on: date | None = None


@strawberry.input
class RoleAssignmentIdInput:
    role_assignment_id: strawberry.ID


@strawberry.input
class StepBackFromRoleInput:
    role_assignment_id: strawberry.ID
    note: str = ""


@strawberry.type
class RoleAssignmentSuccess:
    role_assignment: RoleAssignmentNode


RoleAssignmentResult = result_union("RoleAssignmentResult", RoleAssignmentSuccess)


def _scope(
    team_id: strawberry.ID | None, area_id: strawberry.ID | None
) -> tuple[UUID | None, UUID | None]:
    return (
        ids.decode(team_id, "Team", field="teamId") if team_id else None,
        ids.decode(area_id, "KnowledgeArea", field="knowledgeAreaId") if area_id else None,
    )


def _id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "RoleAssignment", field="roleAssignmentId")


def _success(assignment: RoleAssignment) -> RoleAssignmentSuccess:
    return RoleAssignmentSuccess(role_assignment=RoleAssignmentNode(entity=assignment))


@strawberry.type
class RolesMutation:
    @strawberry.mutation(
        description="Offer to take a role; org faculty (or, for a team role, "
        "a member of the team) confirms."
    )
    async def volunteer_for_role(
        self, info: strawberry.Info, input: VolunteerForRoleInput
    ) -> RoleAssignmentResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> RoleAssignmentSuccess:
            team_id, area_id = _scope(input.team_id, input.knowledge_area_id)
            return _success(
                await service.volunteer(
                    uow,
                    actor,
                    role=input.role,
                    team_id=team_id,
                    knowledge_area_id=area_id,
                    review_on=input.review_on,
                    now=info.context.now,
                )
            )

        return await run(info, command)

    @strawberry.mutation(description="Propose someone for a role; they accept or decline.")
    async def propose_role(
        self, info: strawberry.Info, input: ProposeRoleInput
    ) -> RoleAssignmentResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> RoleAssignmentSuccess:
            team_id, area_id = _scope(input.team_id, input.knowledge_area_id)
            return _success(
                await service.propose(
                    uow,
                    actor,
                    person_id=ids.decode(input.person_id, "Person", field="personId"),
                    role=input.role,
                    team_id=team_id,
                    knowledge_area_id=area_id,
                    review_on=input.review_on,
                    now=info.context.now,
                )
            )

        return await run(info, command)

    @strawberry.mutation(
        description="Give the missing consent: accept a proposal for you, or confirm a volunteer."
    )
    async def accept_role(
        self, info: strawberry.Info, input: RoleAssignmentIdInput
    ) -> RoleAssignmentResult:  # type: ignore[valid-type]
        return await run_transition(
            info, service.accept, lambda: _id(input.role_assignment_id), _success
        )

    @strawberry.mutation(description="Decline a proposal for you, or a volunteer you may answer.")
    async def decline_role(
        self, info: strawberry.Info, input: RoleAssignmentIdInput
    ) -> RoleAssignmentResult:  # type: ignore[valid-type]
        return await run_transition(
            info, service.decline, lambda: _id(input.role_assignment_id), _success
        )

    @strawberry.mutation(description="Take back a role proposal you made.")
    async def withdraw_role(
        self, info: strawberry.Info, input: RoleAssignmentIdInput
    ) -> RoleAssignmentResult:  # type: ignore[valid-type]
        return await run_transition(
            info, service.withdraw, lambda: _id(input.role_assignment_id), _success
        )

    @strawberry.mutation(description="Step back from a role you hold; its history stays.")
    async def step_back_from_role(
        self, info: strawberry.Info, input: StepBackFromRoleInput
    ) -> RoleAssignmentResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> RoleAssignmentSuccess:
            return _success(
                await service.step_back(
                    uow,
                    actor,
                    _id(input.role_assignment_id),
                    note=input.note,
                    now=info.context.now,
                )
            )

        return await run(info, command)
