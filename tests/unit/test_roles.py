"""Roles held by consent: the assignment entity and every use case of
domain/services/roles.py on the in-memory unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from domain.actors import Actor
from domain.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from domain.knowledge_areas import KnowledgeArea
from domain.notifications import NotificationKind
from domain.organizations import Organization
from domain.people import Person
from domain.roles import Role, RoleAssignment, RoleStatus, Scope
from domain.services import people, roles
from domain.teams import Team, TeamMembership
from tests.unit.fakes import FakeUnitOfWorkFactory
from tests.unit.world import OrgWorld, member

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
TODAY = NOW.date()
NEXT_MONTH = TODAY + timedelta(days=30)

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
PERSON = uuid.UUID("00000000-0000-4000-8000-00000000000a")
PROPOSER = uuid.UUID("00000000-0000-4000-8000-00000000000b")
TEAM = uuid.UUID("00000000-0000-4000-8000-0000000000c0")
AREA = uuid.UUID("00000000-0000-4000-8000-0000000000d0")


# -- the entity ------------------------------------------------------------------


def make_assignment(
    role: Role = Role.COACH,
    *,
    team_id: UUID | None = None,
    knowledge_area_id: UUID | None = None,
    proposed_by: UUID = PERSON,
    review_on: date | None = None,
) -> RoleAssignment:
    return RoleAssignment.propose(
        organization_id=ORG,
        person_id=PERSON,
        role=role,
        team_id=team_id,
        knowledge_area_id=knowledge_area_id,
        proposed_by_id=proposed_by,
        review_on=review_on,
        now=NOW,
    )


def test_role_scopes() -> None:
    assert {role: role.scope for role in Role} == {
        Role.TEAM_COACH: Scope.TEAM,
        Role.PRODUCT_OWNER: Scope.TEAM,
        Role.FACULTY_LEAD: Scope.KNOWLEDGE_AREA,
        Role.ORG_FACULTY: Scope.ORGANIZATION,
        Role.STRATEGY_FACULTY: Scope.ORGANIZATION,
        Role.COACH: Scope.ORGANIZATION,
    }


@pytest.mark.parametrize(
    ("role", "team_id", "area_id"),
    [
        (Role.TEAM_COACH, TEAM, None),
        (Role.PRODUCT_OWNER, TEAM, None),
        (Role.FACULTY_LEAD, None, AREA),
        (Role.ORG_FACULTY, None, None),
        (Role.STRATEGY_FACULTY, None, None),
        (Role.COACH, None, None),
    ],
)
def test_propose_in_the_right_scope(role: Role, team_id: UUID | None, area_id: UUID | None) -> None:
    assignment = make_assignment(role, team_id=team_id, knowledge_area_id=area_id)
    assert (assignment.team_id, assignment.knowledge_area_id) == (team_id, area_id)


@pytest.mark.parametrize(
    ("role", "team_id", "area_id", "field"),
    [
        (Role.TEAM_COACH, None, None, "teamId"),
        (Role.PRODUCT_OWNER, None, AREA, "teamId"),
        (Role.TEAM_COACH, TEAM, AREA, "knowledgeAreaId"),
        (Role.FACULTY_LEAD, None, None, "knowledgeAreaId"),
        (Role.FACULTY_LEAD, TEAM, AREA, "teamId"),
        (Role.ORG_FACULTY, TEAM, None, "teamId"),
        (Role.STRATEGY_FACULTY, None, AREA, "knowledgeAreaId"),
        (Role.COACH, TEAM, AREA, "teamId"),
    ],
)
def test_propose_in_the_wrong_scope(
    role: Role, team_id: UUID | None, area_id: UUID | None, field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_assignment(role, team_id=team_id, knowledge_area_id=area_id)
    assert (caught.value.code, caught.value.field) == ("SCOPE_MISMATCH", field)


def test_propose_assignment() -> None:
    assignment = make_assignment(review_on=NEXT_MONTH)
    assert assignment.status is RoleStatus.PROPOSED
    assert (assignment.proposed_by_id, assignment.proposed_at) == (PERSON, NOW)
    assert assignment.started_at is None
    assert assignment.ended_at is None
    assert assignment.review_on == NEXT_MONTH
    assert assignment.volunteered
    assert not assignment.is_current
    assert not make_assignment(proposed_by=PROPOSER).volunteered


def test_review_date_must_lie_in_the_future() -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_assignment(review_on=TODAY)
    assert caught.value.code == "REVIEW_DATE_PAST"


def test_assignment_transitions() -> None:
    assignment = make_assignment(proposed_by=PROPOSER)
    assignment.accept(PERSON, LATER)
    assert assignment.is_current
    assert (assignment.started_at, assignment.responded_by_id) == (LATER, PERSON)
    for change in (assignment.accept, assignment.decline, assignment.withdraw):
        with pytest.raises(Conflict) as caught:
            change(PERSON, LATER)
        assert caught.value.code == "NOT_PROPOSED"
    with pytest.raises(PermissionDenied) as denied:
        assignment.step_back(PROPOSER, LATER, "")
    assert denied.value.code == "NOT_HOLDER"
    assignment.step_back(PERSON, LATER, "  Time for someone else. ")
    assert assignment.status is RoleStatus.ENDED
    assert (assignment.ended_at, assignment.end_note) == (LATER, "Time for someone else.")
    with pytest.raises(Conflict) as caught:
        assignment.step_back(PERSON, LATER, "")
    assert caught.value.code == "NOT_ACTIVE"


def test_decline_and_withdraw() -> None:
    declined = make_assignment(proposed_by=PROPOSER)
    declined.decline(PERSON, LATER)
    assert (declined.status, declined.ended_at, declined.responded_by_id) == (
        RoleStatus.DECLINED,
        LATER,
        PERSON,
    )
    withdrawn = make_assignment(proposed_by=PROPOSER)
    with pytest.raises(PermissionDenied) as caught:
        withdrawn.withdraw(PERSON, LATER)
    assert caught.value.code == "NOT_PROPOSER"
    withdrawn.withdraw(PROPOSER, LATER)
    assert (withdrawn.status, withdrawn.ended_at) == (RoleStatus.WITHDRAWN, LATER)


def test_end_because_left() -> None:
    assignment = make_assignment()
    assignment.accept(PROPOSER, NOW)
    assignment.end_because_left(LATER)
    assert (assignment.status, assignment.ended_at) == (RoleStatus.ENDED, LATER)
    assert assignment.end_note


# -- use cases: a world to run them in ---------------------------------------------


@dataclass
class World(OrgWorld):
    """frida is org faculty; bob and cy are in the team "platform", ada and dee
    in no team. A second organization holds a person of its own."""

    team: Team
    other_team: Team
    area: KnowledgeArea
    outsider: Person


@pytest.fixture
async def world() -> World:
    uows = FakeUnitOfWorkFactory()
    acme = Organization.create(name="Acme", slug="acme", now=NOW)
    globex = Organization.create(name="Globex", slug="globex", now=NOW)
    members = {h: member(acme, h, NOW) for h in ("frida", "ada", "bob", "cy", "dee")}
    team = Team.create(organization_id=acme.id, name="Platform", now=NOW)
    other_team = Team.create(organization_id=acme.id, name="Growth", now=NOW)
    area = KnowledgeArea.create(organization_id=acme.id, name="Python", parent_id=None, now=NOW)
    outsider = member(globex, "otto", NOW)
    async with uows() as uow:
        await uow.organizations.add(acme)
        await uow.organizations.add(globex)
        uow.bind_organization(acme.id)
        for person in members.values():
            await uow.people.add(person)
        await uow.teams.add(team)
        await uow.teams.add(other_team)
        await uow.areas.add(area)
        for handle in ("bob", "cy"):
            await uow.memberships.add(
                TeamMembership(
                    organization_id=acme.id,
                    team_id=team.id,
                    person_id=members[handle].id,
                    started_at=NOW,
                )
            )
        await uow.roles.add(
            RoleAssignment(
                organization_id=acme.id,
                person_id=members["frida"].id,
                role=Role.ORG_FACULTY,
                started_at=NOW,
            )
        )
        await uow.commit()
    async with uows(globex.id) as uow:
        await uow.people.add(outsider)
        await uow.commit()
    return World(uows, acme, members, team, other_team, area, outsider)


def scope_of(world: World, role: Role) -> dict[str, UUID | None]:
    return {
        "team_id": world.team.id if role.scope is Scope.TEAM else None,
        "knowledge_area_id": world.area.id if role.scope is Scope.KNOWLEDGE_AREA else None,
    }


async def volunteer(
    world: World, handle: str, role: Role = Role.COACH, *, team: Team | None = None
) -> RoleAssignment:
    scope = scope_of(world, role)
    if team is not None:
        scope["team_id"] = team.id
    async with world.uow() as uow:
        assignment = await roles.volunteer(uow, world.actor(handle), role=role, now=NOW, **scope)
        await uow.commit()
    return assignment


async def propose(
    world: World, by: str, handle: str, role: Role = Role.COACH, *, team: Team | None = None
) -> RoleAssignment:
    scope = scope_of(world, role)
    if team is not None:
        scope["team_id"] = team.id
    async with world.uow() as uow:
        assignment = await roles.propose(
            uow, world.actor(by), person_id=world.id(handle), role=role, now=NOW, **scope
        )
        await uow.commit()
    return assignment


async def accept(world: World, by: str, assignment_id: UUID) -> RoleAssignment:
    async with world.uow() as uow:
        assignment = await roles.accept(uow, world.actor(by), assignment_id, now=LATER)
        await uow.commit()
    return assignment


async def decline(world: World, by: str, assignment_id: UUID) -> RoleAssignment:
    async with world.uow() as uow:
        assignment = await roles.decline(uow, world.actor(by), assignment_id, now=LATER)
        await uow.commit()
    return assignment


async def withdraw(world: World, by: str, assignment_id: UUID) -> RoleAssignment:
    async with world.uow() as uow:
        assignment = await roles.withdraw(uow, world.actor(by), assignment_id, now=LATER)
        await uow.commit()
    return assignment


async def step_back(world: World, by: str, assignment_id: UUID, note: str = "") -> RoleAssignment:
    async with world.uow() as uow:
        assignment = await roles.step_back(
            uow, world.actor(by), assignment_id, note=note, now=LATER
        )
        await uow.commit()
    return assignment


async def held(world: World, handle: str, role: Role = Role.COACH) -> RoleAssignment:
    """Volunteered and confirmed by org faculty."""
    assignment = await volunteer(world, handle, role)
    return await accept(world, "frida", assignment.id)


async def stored(world: World, assignment_id: UUID) -> RoleAssignment:
    async with world.uow() as uow:
        assignment = await uow.roles.get(assignment_id)
    assert assignment is not None
    return assignment


async def holds(world: World, handle: str, role: Role) -> bool:
    async with world.uow() as uow:
        return await uow.roles.holds(world.id(handle), role)


# -- volunteering ------------------------------------------------------------------


async def test_volunteer(world: World) -> None:
    assignment = await volunteer(world, "ada", Role.FACULTY_LEAD)
    assert assignment.status is RoleStatus.PROPOSED
    assert assignment.volunteered
    assert assignment.person_id == assignment.proposed_by_id == world.id("ada")
    assert assignment.knowledge_area_id == world.area.id
    assert (await stored(world, assignment.id)).status is RoleStatus.PROPOSED
    assert not await holds(world, "ada", Role.FACULTY_LEAD)
    assert world.notifications() == []


async def test_propose_oneself_is_volunteering(world: World) -> None:
    assignment = await propose(world, "ada", "ada", Role.STRATEGY_FACULTY)
    assert assignment.volunteered
    assert assignment.status is RoleStatus.PROPOSED


async def test_volunteer_in_the_wrong_scope(world: World) -> None:
    async with world.uow() as uow:
        with pytest.raises(ValidationFailed) as caught:
            await roles.volunteer(uow, world.actor("ada"), role=Role.TEAM_COACH, now=NOW)
    assert caught.value.code == "SCOPE_MISMATCH"


async def test_volunteer_in_an_unknown_scope(world: World) -> None:
    async with world.uow() as uow:
        with pytest.raises(NotFound) as caught:
            await roles.volunteer(
                uow, world.actor("bob"), role=Role.TEAM_COACH, team_id=uuid.uuid4(), now=NOW
            )
        assert caught.value.kind == "Team"
        with pytest.raises(NotFound) as caught:
            await roles.volunteer(
                uow,
                world.actor("bob"),
                role=Role.FACULTY_LEAD,
                knowledge_area_id=uuid.uuid4(),
                now=NOW,
            )
        assert caught.value.kind == "KnowledgeArea"


async def test_the_volunteer_cannot_confirm_themselves(world: World) -> None:
    assignment = await volunteer(world, "ada")
    for answer in (accept, decline):
        with pytest.raises(PermissionDenied) as caught:
            await answer(world, "ada", assignment.id)
        assert caught.value.code == "OWN_PROPOSAL"
    assert (await stored(world, assignment.id)).status is RoleStatus.PROPOSED


async def test_an_ordinary_member_cannot_confirm(world: World) -> None:
    """They cannot even see the open proposal: it reads as not found, the way
    the collective's answerers are the only others who see it."""
    assignment = await volunteer(world, "ada")
    for answer in (accept, decline):
        with pytest.raises(NotFound) as caught:
            await answer(world, "dee", assignment.id)
        assert caught.value.kind == "RoleAssignment"
    # Team membership speaks only for that team's roles.
    with pytest.raises(NotFound):
        await accept(world, "bob", assignment.id)
    assert (await stored(world, assignment.id)).status is RoleStatus.PROPOSED


async def test_org_faculty_confirms_a_volunteer(world: World) -> None:
    assignment = await volunteer(world, "ada", Role.FACULTY_LEAD)
    world.uows.db.person_locks.clear()
    confirmed = await accept(world, "frida", assignment.id)
    assert confirmed.status is RoleStatus.ACTIVE
    assert confirmed.started_at == LATER
    assert confirmed.responded_by_id == world.id("frida")
    assert confirmed.ended_at is None
    assert await holds(world, "ada", Role.FACULTY_LEAD)
    assert world.uows.db.person_locks == [[world.id("ada")]]
    assert world.notifications() == [("ada", NotificationKind.ROLE_ACCEPTED)]
    notification = next(iter(world.uows.db.tables.notifications.values()))
    assert notification.role_assignment_id == assignment.id
    assert notification.actor_id == world.id("frida")


async def test_org_faculty_declines_a_volunteer(world: World) -> None:
    assignment = await volunteer(world, "ada")
    declined = await decline(world, "frida", assignment.id)
    assert declined.status is RoleStatus.DECLINED
    assert declined.ended_at == LATER
    assert world.notifications() == [("ada", NotificationKind.ROLE_DECLINED)]
    await volunteer(world, "ada")  # no longer open: may volunteer again


@pytest.mark.parametrize("role", [Role.TEAM_COACH, Role.PRODUCT_OWNER])
async def test_team_members_confirm_a_team_role(world: World, role: Role) -> None:
    assignment = await volunteer(world, "bob", role)
    with pytest.raises(NotFound):  # not in the team
        await accept(world, "ada", assignment.id)
    confirmed = await accept(world, "cy", assignment.id)
    assert confirmed.status is RoleStatus.ACTIVE
    assert confirmed.responded_by_id == world.id("cy")
    assert world.notifications() == [("bob", NotificationKind.ROLE_ACCEPTED)]


async def test_a_team_member_confirms_a_non_member(world: World) -> None:
    assignment = await volunteer(world, "ada", Role.TEAM_COACH)
    assert (await accept(world, "bob", assignment.id)).is_current


async def test_a_former_team_member_cannot_confirm(world: World) -> None:
    assignment = await volunteer(world, "bob", Role.PRODUCT_OWNER)
    async with world.uow() as uow:
        membership = await uow.memberships.current(world.team.id, world.id("cy"))
        assert membership is not None
        membership.end(NOW)
        await uow.commit()
    with pytest.raises(NotFound):
        await accept(world, "cy", assignment.id)


async def test_members_of_another_team_cannot_confirm(world: World) -> None:
    assignment = await volunteer(world, "dee", Role.TEAM_COACH, team=world.other_team)
    with pytest.raises(NotFound):
        await accept(world, "bob", assignment.id)
    assert (await accept(world, "frida", assignment.id)).is_current


# -- proposing someone else ----------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COACH, Role.ORG_FACULTY, Role.FACULTY_LEAD])
async def test_only_org_faculty_proposes_someone_else(world: World, role: Role) -> None:
    with pytest.raises(PermissionDenied) as caught:
        await propose(world, "bob", "ada", role)
    assert caught.value.code == "CANNOT_PROPOSE"
    assert len(world.uows.db.tables.roles) == 1  # the founder's, nothing added
    assignment = await propose(world, "frida", "ada", role)
    assert assignment.status is RoleStatus.PROPOSED
    assert assignment.proposed_by_id == world.id("frida")
    assert not assignment.volunteered
    assert world.notifications() == [("ada", NotificationKind.ROLE_PROPOSED)]


async def test_team_members_propose_for_their_team(world: World) -> None:
    assignment = await propose(world, "bob", "dee", Role.PRODUCT_OWNER)
    assert assignment.team_id == world.team.id
    assert world.notifications() == [("dee", NotificationKind.ROLE_PROPOSED)]
    with pytest.raises(PermissionDenied) as caught:
        await propose(world, "ada", "dee", Role.TEAM_COACH)
    assert caught.value.code == "CANNOT_PROPOSE"
    with pytest.raises(PermissionDenied) as caught:
        await propose(world, "bob", "dee", Role.TEAM_COACH, team=world.other_team)
    assert caught.value.code == "CANNOT_PROPOSE"


async def test_a_proposed_role_grants_nothing(world: World) -> None:
    await volunteer(world, "ada", Role.ORG_FACULTY)
    assert not await holds(world, "ada", Role.ORG_FACULTY)
    with pytest.raises(PermissionDenied) as caught:
        await propose(world, "ada", "dee", Role.COACH)
    assert caught.value.code == "CANNOT_PROPOSE"
    async with world.uow() as uow:
        assert await uow.roles.count_current(Role.ORG_FACULTY) == 1


async def test_propose_to_an_unknown_person(world: World) -> None:
    async with world.uow() as uow:
        for person_id in (uuid.uuid4(), world.outsider.id):
            with pytest.raises(NotFound) as caught:
                await roles.propose(
                    uow, world.actor("frida"), person_id=person_id, role=Role.COACH, now=NOW
                )
            assert caught.value.kind == "Person"


async def test_propose_to_someone_who_left(world: World) -> None:
    async with world.uow() as uow:
        await people.mark_left(uow, world.actor("frida"), world.id("ada"), now=NOW)
        with pytest.raises(Conflict) as caught:
            await roles.propose(
                uow, world.actor("frida"), person_id=world.id("ada"), role=Role.COACH, now=NOW
            )
    assert (caught.value.code, caught.value.field) == ("PERSON_LEFT", "personId")


async def test_only_the_proposed_person_answers(world: World) -> None:
    assignment = await propose(world, "frida", "ada", Role.STRATEGY_FACULTY)
    for answer in (accept, decline):
        with pytest.raises(PermissionDenied) as denied:
            await answer(world, "frida", assignment.id)  # the proposer
        assert denied.value.code == "NOT_PROPOSED_PERSON"
        with pytest.raises(NotFound):  # anyone else does not see it
            await answer(world, "dee", assignment.id)
    world.clear_notifications()
    accepted = await accept(world, "ada", assignment.id)
    assert accepted.status is RoleStatus.ACTIVE
    assert accepted.responded_by_id == world.id("ada")
    assert await holds(world, "ada", Role.STRATEGY_FACULTY)
    assert world.notifications() == [("frida", NotificationKind.ROLE_ACCEPTED)]


async def test_the_proposed_person_declines(world: World) -> None:
    assignment = await propose(world, "bob", "ada", Role.TEAM_COACH)
    world.clear_notifications()
    declined = await decline(world, "ada", assignment.id)
    assert declined.status is RoleStatus.DECLINED
    assert world.notifications() == [("bob", NotificationKind.ROLE_DECLINED)]
    assert not await holds(world, "ada", Role.TEAM_COACH)


async def test_accept_after_leaving(world: World) -> None:
    assignment = await volunteer(world, "ada")
    async with world.uow() as uow:  # left without the proposal lapsing (a race)
        ada = await uow.people.get(world.id("ada"))
        assert ada is not None
        ada.mark_left(NOW)
        await uow.commit()
    with pytest.raises(Conflict) as caught:
        await accept(world, "frida", assignment.id)
    assert caught.value.code == "PERSON_LEFT"


# -- one at a time per scope -------------------------------------------------------------


async def test_a_role_is_held_once_per_scope(world: World) -> None:
    await held(world, "ada", Role.COACH)
    with pytest.raises(Conflict) as caught:
        await volunteer(world, "ada", Role.COACH)
    assert caught.value.code == "ROLE_ALREADY_HELD"
    with pytest.raises(Conflict) as caught:
        await propose(world, "frida", "ada", Role.COACH)
    assert caught.value.code == "ROLE_ALREADY_HELD"


async def test_the_same_role_in_another_scope(world: World) -> None:
    first = await propose(world, "frida", "dee", Role.TEAM_COACH)
    await accept(world, "dee", first.id)
    second = await propose(world, "frida", "dee", Role.TEAM_COACH, team=world.other_team)
    assert (await accept(world, "dee", second.id)).is_current
    async with world.uow() as uow:
        assert await uow.roles.current(world.id("dee"), Role.TEAM_COACH, world.team.id, None)
        assert await uow.roles.current(world.id("dee"), Role.TEAM_COACH, world.other_team.id, None)
        assert not await uow.roles.current(world.id("dee"), Role.PRODUCT_OWNER, world.team.id, None)


async def test_two_people_lead_the_same_faculty(world: World) -> None:
    await held(world, "ada", Role.FACULTY_LEAD)
    await held(world, "dee", Role.FACULTY_LEAD)
    assert await holds(world, "ada", Role.FACULTY_LEAD)
    assert await holds(world, "dee", Role.FACULTY_LEAD)
    async with world.uow() as uow:
        assert await uow.roles.count_current(Role.FACULTY_LEAD) == 2


async def test_held_meanwhile_refuses_acceptance(world: World) -> None:
    assignment = await volunteer(world, "ada")
    async with world.uow() as uow:  # another transaction got there first
        await uow.roles.add(
            RoleAssignment(
                organization_id=world.organization.id,
                person_id=world.id("ada"),
                role=Role.COACH,
                started_at=NOW,
            )
        )
        await uow.commit()
    with pytest.raises(Conflict) as caught:
        await accept(world, "frida", assignment.id)
    assert caught.value.code == "ROLE_ALREADY_HELD"


async def test_duplicate_open_proposal(world: World) -> None:
    await volunteer(world, "ada", Role.FACULTY_LEAD)
    with pytest.raises(Conflict) as caught:
        await volunteer(world, "ada", Role.FACULTY_LEAD)
    assert caught.value.code == "DUPLICATE_PROPOSAL"
    with pytest.raises(Conflict) as caught:
        await propose(world, "frida", "ada", Role.FACULTY_LEAD)
    assert caught.value.code == "DUPLICATE_PROPOSAL"
    await propose(world, "frida", "dee", Role.FACULTY_LEAD)  # someone else may


# -- withdraw -------------------------------------------------------------------------


async def test_the_volunteer_withdraws(world: World) -> None:
    assignment = await volunteer(world, "ada")
    with pytest.raises(PermissionDenied) as caught:
        await withdraw(world, "frida", assignment.id)
    assert caught.value.code == "NOT_PROPOSER"
    withdrawn = await withdraw(world, "ada", assignment.id)
    assert (withdrawn.status, withdrawn.ended_at) == (RoleStatus.WITHDRAWN, LATER)
    assert world.notifications() == []


async def test_the_proposer_withdraws(world: World) -> None:
    assignment = await propose(world, "frida", "ada")
    world.clear_notifications()
    with pytest.raises(PermissionDenied) as caught:
        await withdraw(world, "ada", assignment.id)
    assert caught.value.code == "NOT_PROPOSER"
    with pytest.raises(NotFound):
        await withdraw(world, "dee", assignment.id)
    withdrawn = await withdraw(world, "frida", assignment.id)
    assert withdrawn.status is RoleStatus.WITHDRAWN
    assert world.notifications() == [("ada", NotificationKind.ROLE_WITHDRAWN)]
    with pytest.raises(Conflict) as conflict:
        await accept(world, "ada", assignment.id)
    assert conflict.value.code == "NOT_PROPOSED"


# -- step back -----------------------------------------------------------------------


async def test_step_back(world: World) -> None:
    assignment = await held(world, "ada")
    world.clear_notifications()
    ended = await step_back(world, "ada", assignment.id, note=" Enough for now. ")
    assert ended.status is RoleStatus.ENDED
    assert ended.ended_at == LATER
    assert ended.end_note == "Enough for now."
    assert not await holds(world, "ada", Role.COACH)
    assert world.notifications() == []  # volunteered: nobody else to tell
    with pytest.raises(Conflict) as caught:
        await step_back(world, "ada", assignment.id)
    assert caught.value.code == "NOT_ACTIVE"
    await volunteer(world, "ada")  # may step in again


async def test_step_back_tells_the_proposer(world: World) -> None:
    assignment = await propose(world, "frida", "ada", Role.STRATEGY_FACULTY)
    await accept(world, "ada", assignment.id)
    world.clear_notifications()
    await step_back(world, "ada", assignment.id)
    assert world.notifications() == [("frida", NotificationKind.ROLE_ENDED)]


async def test_only_the_holder_steps_back(world: World) -> None:
    assignment = await held(world, "ada")
    for someone in ("frida", "dee"):  # held roles are public, but not theirs to end
        with pytest.raises(PermissionDenied) as caught:
            await step_back(world, someone, assignment.id)
        assert caught.value.code == "NOT_HOLDER"
    assert (await stored(world, assignment.id)).is_current


async def test_step_back_from_a_proposal(world: World) -> None:
    assignment = await volunteer(world, "ada")
    with pytest.raises(Conflict) as caught:
        await step_back(world, "ada", assignment.id)
    assert caught.value.code == "NOT_ACTIVE"
    with pytest.raises(NotFound):
        await step_back(world, "dee", assignment.id)


async def test_the_last_org_faculty_stays(world: World) -> None:
    founder = next(
        r for r in world.uows.db.tables.roles.values() if r.person_id == world.id("frida")
    )
    with pytest.raises(Conflict) as caught:
        await step_back(world, "frida", founder.id)
    assert caught.value.code == "LAST_ORG_FACULTY"
    successor = await propose(world, "frida", "ada", Role.ORG_FACULTY)
    await accept(world, "ada", successor.id)
    assert (await step_back(world, "frida", founder.id)).status is RoleStatus.ENDED
    assert not await holds(world, "frida", Role.ORG_FACULTY)
    with pytest.raises(Conflict) as caught:
        await step_back(world, "ada", successor.id)
    assert caught.value.code == "LAST_ORG_FACULTY"


# -- visibility -----------------------------------------------------------------------


async def test_unknown_or_foreign_assignment(world: World) -> None:
    assignment = await held(world, "ada")
    async with world.uow() as uow:
        with pytest.raises(NotFound):
            await roles.accept(uow, world.actor("frida"), uuid.uuid4(), now=LATER)
    outsider = Actor(person_id=world.outsider.id, organization_id=world.outsider.organization_id)
    async with world.uows(world.outsider.organization_id) as uow:
        with pytest.raises(NotFound):
            await roles.step_back(uow, outsider, assignment.id, now=LATER)
        assert await uow.roles.get(assignment.id) is None


async def test_who_sees_a_proposal(world: World) -> None:
    volunteered = await volunteer(world, "bob", Role.TEAM_COACH)
    proposed = await propose(world, "cy", "dee", Role.PRODUCT_OWNER)
    past = await held(world, "ada")
    await step_back(world, "ada", past.id)
    declined = await propose(world, "frida", "ada", Role.FACULTY_LEAD)
    await decline(world, "ada", declined.id)

    async def sees(handle: str, assignment: RoleAssignment) -> bool:
        async with world.uow() as uow:
            stored_one = await uow.roles.get(assignment.id)
            assert stored_one is not None
            return await roles.may_see(uow, world.id(handle), stored_one)

    everyone = list(world.people)
    assert [h for h in everyone if await sees(h, volunteered)] == ["frida", "bob", "cy"]
    assert [h for h in everyone if await sees(h, proposed)] == ["cy", "dee"]
    assert [h for h in everyone if await sees(h, past)] == everyone
    assert [h for h in everyone if await sees(h, declined)] == ["frida", "ada"]


# -- someone leaves --------------------------------------------------------------------


async def test_leaving_ends_roles(world: World) -> None:
    current = await held(world, "ada", Role.FACULTY_LEAD)
    volunteered = await volunteer(world, "ada")
    proposed = await propose(world, "frida", "ada", Role.STRATEGY_FACULTY)
    other = await held(world, "dee")
    async with world.uow() as uow:
        await people.mark_left(uow, world.actor("frida"), world.id("ada"), now=LATER)
        await uow.commit()
    ended = await stored(world, current.id)
    assert (ended.status, ended.ended_at) == (RoleStatus.ENDED, LATER)
    for assignment_id in (volunteered.id, proposed.id):
        lapsed = await stored(world, assignment_id)
        assert (lapsed.status, lapsed.ended_at) == (RoleStatus.WITHDRAWN, LATER)
    assert (await stored(world, other.id)).is_current
    async with world.uow() as uow:
        assert await uow.roles.open_for_person(world.id("ada")) == []
        assert [r.id for r in await uow.roles.open_for_person(world.id("dee"))] == [other.id]


# -- the most telling error first ------------------------------------------------------


async def test_accept_twice(world: World) -> None:
    assignment = await held(world, "ada")
    with pytest.raises(Conflict) as caught:
        await accept(world, "frida", assignment.id)
    assert caught.value.code == "NOT_PROPOSED"


async def test_someone_else_cannot_end_the_last_org_faculty(world: World) -> None:
    founder = next(
        r for r in world.uows.db.tables.roles.values() if r.person_id == world.id("frida")
    )
    with pytest.raises(PermissionDenied) as caught:
        await step_back(world, "dee", founder.id)
    assert caught.value.code == "NOT_HOLDER"


async def test_proposals_made_by_someone_who_left_lapse(world: World) -> None:
    """Nobody is left to give the proposer's side of the consent."""
    assignment = await propose(world, "frida", "ada", Role.STRATEGY_FACULTY)
    await accept(world, "dee", (await propose(world, "frida", "dee", Role.ORG_FACULTY)).id)
    async with world.uow() as uow:
        await people.mark_left(uow, world.actor("dee"), world.id("frida"), now=NOW)
        await uow.commit()
    with pytest.raises(Conflict) as caught:
        await accept(world, "ada", assignment.id)
    assert caught.value.code == "NOT_PROPOSED"
