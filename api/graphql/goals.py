"""Growth goals, check-ins, sharing, and readiness evidence."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Protocol
from uuid import UUID

import strawberry

from api.graphql import ids, shares
from api.graphql.autonomy import AutonomyStageType, ReadinessSuggestionType
from api.graphql.commands import require_actor, run, run_transition
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from api.graphql.read_log import READ, ReadLogEntryType, read_by
from api.graphql.shares import Share
from domain.actors import Actor
from domain.autonomy import ReadinessRule, readiness
from domain.goals import Audience, CheckIn, Confidence, Goal, GoalShare, GoalStatus
from domain.people import Person
from domain.ports import UnitOfWork
from domain.read_log import ContentRead, ReadSource
from domain.relationships import RelationshipKind
from domain.services import goals as service

if TYPE_CHECKING:
    from api.graphql.knowledge_areas import KnowledgeAreaNode
    from api.graphql.people import PersonNode

GoalStatusType = strawberry.enum(GoalStatus, name="GoalStatus")
ConfidenceType = strawberry.enum(Confidence, name="Confidence")
AudienceType = strawberry.enum(
    Audience,
    name="GoalAudience",
    description="STEWARD: the person who stewards you when you share it, until that "
    "stewardship ends (a later steward does not get it). MENTOR: a named current mentor, "
    "until that mentorship ends. PERSON: a named colleague, while both of you are members. "
    "ORGANIZATION: every member, while you are one.",
)

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]
AreaRef = Annotated["KnowledgeAreaNode", strawberry.lazy("api.graphql.knowledge_areas")]


@strawberry.type(name="CheckIn")
class CheckInType:
    entity: strawberry.Private[CheckIn]

    @strawberry.field(description="0 to 100.")
    def progress(self) -> int:
        return self.entity.progress

    @strawberry.field
    def confidence(self) -> ConfidenceType:  # type: ignore[valid-type]
        return self.entity.confidence

    @strawberry.field
    def note(self) -> str:
        return self.entity.note

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at


@strawberry.type(name="GoalShare", description="A goal shared with a person.")
class GoalShareType(Share):
    entity: strawberry.Private[GoalShare]

    @strawberry.field(description="How you shared it: with your steward, a mentor, or by name.")
    def audience(self) -> AudienceType:  # type: ignore[valid-type]
        return self.entity.audience


@strawberry.type(description="A goal shared with every member of the organization.")
class OrganizationShare:
    entity: strawberry.Private[GoalShare]

    @strawberry.field
    def shared_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(
        description="Everyone who read the goal, the latest first, as on the goal's readBy: "
        "a share with everyone reaches every reader (for its owner)."
    )
    async def read_by(self, info: strawberry.Info) -> list[ReadLogEntryType] | None:
        return await read_by(info, self.entity.owner_id, self.entity.goal_id)


@strawberry.type(
    name="Goal",
    description="A growth goal. Only its owner and those it is shared with can read it.",
)
class GoalNode(EntityNode):
    """Every field but its id, its owner and what only the owner sees
    returns the goal's content: reading one is a read (api.graphql.read_log)."""

    loader = "goal"
    entity: strawberry.Private[Goal]

    @property
    def content_read(self) -> ContentRead:
        return ContentRead(ReadSource.GOAL, self.entity.id, self.entity.owner_id)

    @strawberry.field
    async def owner(self, info: strawberry.Info) -> PersonRef:
        from api.graphql.people import PersonNode

        return PersonNode(entity=await info.context.loaders.person.load(self.entity.owner_id))

    @strawberry.field(extensions=[READ])
    def title(self) -> str:
        return self.entity.title

    @strawberry.field(extensions=[READ])
    def description(self) -> str:
        return self.entity.description

    @strawberry.field(description="The autonomy stage the goal is framed at.", extensions=[READ])
    def stage(self) -> AutonomyStageType:  # type: ignore[valid-type]
        return self.entity.stage

    @strawberry.field(extensions=[READ])
    async def knowledge_area(self, info: strawberry.Info) -> AreaRef | None:
        from api.graphql.knowledge_areas import KnowledgeAreaNode

        if self.entity.knowledge_area_id is None:
            return None
        area = await info.context.loaders.area.load(self.entity.knowledge_area_id)
        return KnowledgeAreaNode(entity=area) if area else None

    @strawberry.field(extensions=[READ])
    def status(self) -> GoalStatusType:  # type: ignore[valid-type]
        return self.entity.status

    @strawberry.field(
        description="Why it was achieved or abandoned, in the owner's words.", extensions=[READ]
    )
    def status_note(self) -> str:
        return self.entity.status_note

    @strawberry.field(extensions=[READ])
    def target_date(self) -> date | None:
        return self.entity.target_date

    @strawberry.field(extensions=[READ])
    def overdue(self, info: strawberry.Info) -> bool:
        return self.entity.is_overdue(info.context.now.date())

    @strawberry.field(extensions=[READ])
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(extensions=[READ])
    def achieved_at(self) -> datetime | None:
        return self.entity.achieved_at

    @strawberry.field(description="Check-ins, newest first.", extensions=[READ])
    async def check_ins(self, info: strawberry.Info) -> list[CheckInType]:
        entries = await info.context.loaders.check_ins.load(self.entity.id)
        return [CheckInType(entity=e) for e in entries]

    @strawberry.field(
        description="The people the goal is shared with, and whom each share reaches now: "
        "for its owner only (else null)."
    )
    async def shared_with(self, info: strawberry.Info) -> list[GoalShareType] | None:
        active = await self._shares(info)
        if active is None:
            return None
        return [GoalShareType(entity=s) for s in active if s.audience is not Audience.ORGANIZATION]

    @strawberry.field(
        description="The share with the whole organization: for its owner only (null when "
        "not shared so, and for everyone else)."
    )
    async def shared_with_organization(self, info: strawberry.Info) -> OrganizationShare | None:
        found = [s for s in await self._shares(info) or [] if s.audience is Audience.ORGANIZATION]
        return OrganizationShare(entity=found[0]) if found else None

    async def _shares(self, info: strawberry.Info) -> list[GoalShare] | None:
        """Only the owner learns with whom a goal is shared."""
        actor = await require_actor(info)
        if actor.person_id != self.entity.owner_id:
            return None
        return await info.context.loaders.goal_shares.load(self.entity.id)

    @strawberry.field(
        description="Who read it (its content, not just its id), the latest first; reads stay "
        "after a share is taken back, for the days the log keeps. For its owner only (else null)."
    )
    async def read_by(self, info: strawberry.Info) -> list[ReadLogEntryType] | None:
        return await read_by(info, self.entity.owner_id, self.entity.id)


@strawberry.type(description="How many goals someone has, by status: what anybody may know.")
class GoalCounts:
    draft: int
    active: int
    achieved: int
    abandoned: int


class HasEntity(Protocol):
    entity: Person


# Fields mounted on Person.

_STEWARDSHIP = RelationshipKind.STEWARDSHIP


async def goals_of_person(
    root: strawberry.Parent[HasEntity],
    info: strawberry.Info,
    status: GoalStatusType | None = None,  # type: ignore[valid-type]
) -> list[GoalNode]:
    """The goals of this person that you may read."""
    found = await info.context.loaders.goals_of.load(root.entity.id)
    return [GoalNode(entity=g) for g in found if status is None or g.status is status]


async def goal_counts(root: strawberry.Parent[HasEntity], info: strawberry.Info) -> GoalCounts:
    counts = await info.context.loaders.goal_counts.load(root.entity.id) or {}
    return GoalCounts(
        draft=counts.get(GoalStatus.DRAFT, 0),
        active=counts.get(GoalStatus.ACTIVE, 0),
        achieved=counts.get(GoalStatus.ACHIEVED, 0),
        abandoned=counts.get(GoalStatus.ABANDONED, 0),
    )


async def readiness_suggestions(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[ReadinessSuggestionType] | None:
    """For the person and their current steward only (else null)."""
    actor = await require_actor(info)
    person_id = root.entity.id
    if actor.person_id != person_id:
        stewards = await info.context.loaders.active_following[_STEWARDSHIP].load(person_id)
        if not any(r.leader_id == actor.person_id for r in stewards):
            return None
    organization = await info.context.loaders.organization()
    rule = ReadinessRule(
        goals=organization.readiness_goal_count,
        window=timedelta(days=organization.readiness_window_days),
    )
    achieved = await info.context.loaders.achieved_goals.load(person_id)
    if actor.person_id != person_id:
        # The steward's suggestion rests only on goals shared with them: the
        # stage of a private goal is the owner's to tell.
        readable = await info.context.loaders.goal.load_many([g.goal_id for g in achieved])
        achieved = [g for g, seen in zip(achieved, readable, strict=True) if seen is not None]
    return [
        ReadinessSuggestionType(suggestion=s) for s in readiness(achieved, rule, info.context.now)
    ]


# Mutations.


@strawberry.input
class CreateGoalInput:
    title: str
    description: str = ""
    stage: AutonomyStageType  # type: ignore[valid-type]
    knowledge_area_id: strawberry.ID | None = None
    target_date: date | None = None
    activate: bool = strawberry.field(default=False, description="Start it at once (not DRAFT).")


@strawberry.input
class EditGoalInput:
    goal_id: strawberry.ID
    title: str | None = None
    description: str | None = None
    stage: AutonomyStageType | None = None  # type: ignore[valid-type]
    knowledge_area_id: strawberry.ID | None = None
    clear_knowledge_area: bool = False
    target_date: date | None = None
    clear_target_date: bool = False


@strawberry.input
class GoalIdInput:
    goal_id: strawberry.ID


@strawberry.input
class CloseGoalInput:
    goal_id: strawberry.ID
    note: str = strawberry.field(
        default="", description="Optional when achieving; abandoning a goal needs one."
    )


@strawberry.input
class CheckInInput:
    goal_id: strawberry.ID
    progress: int
    confidence: ConfidenceType  # type: ignore[valid-type]
    note: str = ""


@strawberry.input
class ShareGoalInput:
    goal_id: strawberry.ID
    audience: AudienceType  # type: ignore[valid-type]
    person_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="For MENTOR and PERSON: whom. Unsharing from STEWARD with a person ends "
        "only the shares with that (past) steward.",
    )
    mentor_id: strawberry.ID | None = strawberry.field(
        default=None, deprecation_reason=shares.MENTOR_ID_DEPRECATION
    )


@strawberry.type
class GoalSuccess:
    goal: GoalNode


@strawberry.type
class CheckInSuccess:
    goal: GoalNode
    check_in: CheckInType


GoalResult = result_union("GoalResult", GoalSuccess)
CheckInResult = result_union("CheckInResult", CheckInSuccess)


def _goal_success(goal: Goal) -> GoalSuccess:
    return GoalSuccess(goal=GoalNode(entity=goal))


def _goal_id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "Goal", field="goalId")


def _area_id(value: strawberry.ID | None) -> UUID | None:
    return ids.decode(value, "KnowledgeArea", field="knowledgeAreaId") if value else None


@strawberry.type
class GoalsMutation:
    @strawberry.mutation(description="Set yourself a growth goal (private until you share it).")
    async def create_goal(self, info: strawberry.Info, input: CreateGoalInput) -> GoalResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> GoalSuccess:
            goal = await service.create(
                uow,
                actor,
                title=input.title,
                description=input.description,
                stage=input.stage,
                knowledge_area_id=_area_id(input.knowledge_area_id),
                target_date=input.target_date,
                activate=input.activate,
                now=info.context.now,
            )
            return GoalSuccess(goal=GoalNode(entity=goal))

        return await run(info, command)

    @strawberry.mutation(description="Change an open goal of yours.")
    async def edit_goal(self, info: strawberry.Info, input: EditGoalInput) -> GoalResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> GoalSuccess:
            goal = await service.edit(
                uow,
                actor,
                _goal_id(input.goal_id),
                title=input.title,
                description=input.description,
                stage=input.stage,
                knowledge_area_id=_area_id(input.knowledge_area_id),
                clear_area=input.clear_knowledge_area,
                target_date=input.target_date,
                clear_target_date=input.clear_target_date,
                now=info.context.now,
            )
            return GoalSuccess(goal=GoalNode(entity=goal))

        return await run(info, command)

    @strawberry.mutation(description="Start working on a draft goal.")
    async def activate_goal(self, info: strawberry.Info, input: GoalIdInput) -> GoalResult:  # type: ignore[valid-type]
        return await run_transition(
            info, service.activate, lambda: _goal_id(input.goal_id), _goal_success
        )

    @strawberry.mutation(description="Mark an active goal achieved, with an optional note.")
    async def achieve_goal(self, info: strawberry.Info, input: CloseGoalInput) -> GoalResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> GoalSuccess:
            goal = await service.achieve(
                uow, actor, _goal_id(input.goal_id), note=input.note, now=info.context.now
            )
            return GoalSuccess(goal=GoalNode(entity=goal))

        return await run(info, command)

    @strawberry.mutation(description="Let go of an open goal, saying why (a note is needed).")
    async def abandon_goal(self, info: strawberry.Info, input: CloseGoalInput) -> GoalResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> GoalSuccess:
            goal = await service.abandon(
                uow, actor, _goal_id(input.goal_id), note=input.note, now=info.context.now
            )
            return GoalSuccess(goal=GoalNode(entity=goal))

        return await run(info, command)

    @strawberry.mutation(description="Record progress and confidence on an active goal.")
    async def check_in_goal(self, info: strawberry.Info, input: CheckInInput) -> CheckInResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> CheckInSuccess:
            goal_id = _goal_id(input.goal_id)
            entry = await service.check_in(
                uow,
                actor,
                goal_id,
                progress=input.progress,
                confidence=input.confidence,
                note=input.note,
                now=info.context.now,
            )
            goal = await uow.goals.get(goal_id)
            assert goal is not None
            return CheckInSuccess(goal=GoalNode(entity=goal), check_in=CheckInType(entity=entry))

        return await run(info, command)

    @strawberry.mutation(
        description="Share a goal with your steward, a mentor, a named colleague or everyone."
    )
    async def share_goal(self, info: strawberry.Info, input: ShareGoalInput) -> GoalResult:  # type: ignore[valid-type]
        return await shares.run_sharing(
            info, input, lambda: _goal_id(input.goal_id), service.share, _shared_goal
        )

    @strawberry.mutation(
        description="Take a share back (also one that reaches nobody any more); it stops at "
        "the next request."
    )
    async def unshare_goal(self, info: strawberry.Info, input: ShareGoalInput) -> GoalResult:  # type: ignore[valid-type]
        return await shares.run_sharing(
            info, input, lambda: _goal_id(input.goal_id), service.unshare, _shared_goal
        )


async def _shared_goal(uow: UnitOfWork, goal_id: UUID) -> GoalSuccess:
    goal = await uow.goals.get(goal_id)
    assert goal is not None
    return GoalSuccess(goal=GoalNode(entity=goal))
