"""Teams: created and shaped by org faculty, with membership over time."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain import policies
from domain.actors import Actor
from domain.errors import Conflict, NotFound
from domain.ports import UnitOfWork
from domain.services import agreements
from domain.teams import Team, TeamMembership, TeamStage


async def create_team(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    mission: str = "",
    stage: TeamStage = TeamStage.FORMING,
    now: datetime,
) -> Team:
    await policies.require_org_faculty(uow, actor, "create teams")
    team = Team.create(
        organization_id=actor.organization_id, name=name, mission=mission, stage=stage, now=now
    )
    if await uow.teams.name_taken(team.name):
        raise Conflict("A team with that name exists.", code="TEAM_NAME_TAKEN", field="name")
    await uow.teams.add(team)
    return team


async def update_team(
    uow: UnitOfWork,
    actor: Actor,
    team_id: UUID,
    *,
    name: str | None = None,
    mission: str | None = None,
    stage: TeamStage | None = None,
) -> Team:
    await policies.require_org_faculty(uow, actor, "change teams")
    team = await _team(uow, team_id)
    team.update(name=name, mission=mission, stage=stage)
    if name is not None and await uow.teams.name_taken(team.name, except_id=team.id):
        raise Conflict("A team with that name exists.", code="TEAM_NAME_TAKEN", field="name")
    return team


async def add_team_member(
    uow: UnitOfWork, actor: Actor, team_id: UUID, person_id: UUID, *, now: datetime
) -> TeamMembership:
    await policies.require_org_faculty(uow, actor, "change team membership")
    team = await _team(uow, team_id)
    person = await uow.people.get(person_id)
    if person is None:
        raise NotFound("Person")
    if not person.is_active:
        raise Conflict(
            "This person has left the organization.", code="PERSON_LEFT", field="personId"
        )
    if await uow.memberships.current(team.id, person.id):
        raise Conflict(
            "This person is already a member of the team.", code="ALREADY_MEMBER", field="personId"
        )
    membership = TeamMembership(
        organization_id=actor.organization_id, team_id=team.id, person_id=person.id, started_at=now
    )
    await uow.memberships.add(membership)
    return membership


async def remove_team_member(
    uow: UnitOfWork, actor: Actor, team_id: UUID, person_id: UUID, *, now: datetime
) -> TeamMembership:
    """Ends the membership (the record stays as history), and with it the
    autonomy agreements the team's product owner made with this person."""
    await policies.require_org_faculty(uow, actor, "change team membership")
    team = await _team(uow, team_id)
    membership = await uow.memberships.current(team.id, person_id)
    if membership is None:
        raise NotFound("Membership", "This person is not a current member of the team.")
    membership.end(now)
    await agreements.end_within_team(uow, team.id, person_id, by=actor.person_id, now=now)
    return membership


async def _team(uow: UnitOfWork, team_id: UUID) -> Team:
    team = await uow.teams.get(team_id)
    if team is None:
        raise NotFound("Team")
    return team
