"""Teams and their members over time."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from api.graphql import ids
from api.graphql import roles as roles_gql
from api.graphql.commands import require_actor, run
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from api.graphql.pagination import connection, page_request
from domain.actors import Actor
from domain.ports import UnitOfWork
from domain.services import teams as teams_service
from domain.teams import Team, TeamMembership, TeamStage

if TYPE_CHECKING:
    from api.graphql.people import PersonNode

TeamStageType = strawberry.enum(TeamStage, name="TeamStage")


@strawberry.type(name="Team")
class TeamNode(EntityNode):
    loader = "team"
    entity: strawberry.Private[Team]

    @strawberry.field
    def name(self) -> str:
        return self.entity.name

    @strawberry.field
    def mission(self) -> str:
        return self.entity.mission

    @strawberry.field(description="Where the team is in forming, storming, norming, performing.")
    def stage(self) -> TeamStageType:  # type: ignore[valid-type]
        return self.entity.stage

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(description="Current members, by name.")
    async def members(
        self, info: strawberry.Info
    ) -> list[Annotated[PersonNode, strawberry.lazy("api.graphql.people")]]:
        from api.graphql.people import PersonNode

        people = await info.context.loaders.members_of_team.load(self.entity.id)
        return [PersonNode(entity=p) for p in people]

    leaders = strawberry.field(
        resolver=roles_gql.team_leaders,
        description="Team coaches and product owners now, or at a past moment `at`.",
    )

    @strawberry.field(description="Every membership, past and present, newest first.")
    async def membership_history(self, info: strawberry.Info) -> list[TeamMembershipType]:
        memberships = await info.context.loaders.memberships_of_team.load(self.entity.id)
        return [TeamMembershipType(entity=m) for m in memberships]


@strawberry.type(name="TeamMembership")
class TeamMembershipType:
    entity: strawberry.Private[TeamMembership]

    @strawberry.field
    async def person(
        self, info: strawberry.Info
    ) -> Annotated[PersonNode, strawberry.lazy("api.graphql.people")]:
        from api.graphql.people import PersonNode

        person = await info.context.loaders.person.load(self.entity.person_id)
        return PersonNode(entity=person)

    @strawberry.field
    async def team(self, info: strawberry.Info) -> TeamNode:
        return TeamNode(entity=await info.context.loaders.team.load(self.entity.team_id))

    @strawberry.field
    def started_at(self) -> datetime:
        return self.entity.started_at

    @strawberry.field
    def ended_at(self) -> datetime | None:
        return self.entity.ended_at


@strawberry.type
class TeamsQuery:
    @strawberry.field(description="Your organization's teams, by name.")
    async def teams(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> relay.Connection[TeamNode]:
        await require_actor(info)
        request = page_request(info, first=first, after=after, last=last, before=before)
        page = await info.context.loaders.teams_page(request)
        return connection(page, lambda t: TeamNode(entity=t))


@strawberry.input
class CreateTeamInput:
    name: str
    mission: str = ""
    stage: TeamStageType = TeamStage.FORMING  # type: ignore[valid-type]


@strawberry.input
class UpdateTeamInput:
    team_id: strawberry.ID
    name: str | None = None
    mission: str | None = None
    stage: TeamStageType | None = None  # type: ignore[valid-type]


@strawberry.input
class TeamMemberInput:
    team_id: strawberry.ID
    person_id: strawberry.ID


@strawberry.type
class TeamSuccess:
    team: TeamNode


@strawberry.type
class TeamMembershipSuccess:
    membership: TeamMembershipType


CreateTeamResult = result_union("CreateTeamResult", TeamSuccess)
UpdateTeamResult = result_union("UpdateTeamResult", TeamSuccess)
TeamMembershipResult = result_union("TeamMembershipResult", TeamMembershipSuccess)


@strawberry.type
class TeamsMutation:
    @strawberry.mutation(description="Org faculty creates a team.")
    async def create_team(self, info: strawberry.Info, input: CreateTeamInput) -> CreateTeamResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> TeamSuccess:
            team = await teams_service.create_team(
                uow,
                actor,
                name=input.name,
                mission=input.mission,
                stage=input.stage,
                now=info.context.now,
            )
            return TeamSuccess(team=TeamNode(entity=team))

        return await run(info, command)

    @strawberry.mutation(description="Org faculty renames a team, or changes its mission or stage.")
    async def update_team(self, info: strawberry.Info, input: UpdateTeamInput) -> UpdateTeamResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> TeamSuccess:
            team = await teams_service.update_team(
                uow,
                actor,
                ids.decode(input.team_id, "Team", field="teamId"),
                name=input.name,
                mission=input.mission,
                stage=input.stage,
            )
            return TeamSuccess(team=TeamNode(entity=team))

        return await run(info, command)

    @strawberry.mutation(description="Org faculty adds a person to a team.")
    async def add_team_member(
        self, info: strawberry.Info, input: TeamMemberInput
    ) -> TeamMembershipResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> TeamMembershipSuccess:
            membership = await teams_service.add_team_member(
                uow,
                actor,
                ids.decode(input.team_id, "Team", field="teamId"),
                ids.decode(input.person_id, "Person", field="personId"),
                now=info.context.now,
            )
            return TeamMembershipSuccess(membership=TeamMembershipType(entity=membership))

        return await run(info, command)

    @strawberry.mutation(description="Org faculty ends a person's membership; history stays.")
    async def remove_team_member(
        self, info: strawberry.Info, input: TeamMemberInput
    ) -> TeamMembershipResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> TeamMembershipSuccess:
            membership = await teams_service.remove_team_member(
                uow,
                actor,
                ids.decode(input.team_id, "Team", field="teamId"),
                ids.decode(input.person_id, "Person", field="personId"),
                now=info.context.now,
            )
            return TeamMembershipSuccess(membership=TeamMembershipType(entity=membership))

        return await run(info, command)
