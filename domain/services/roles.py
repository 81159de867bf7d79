"""Stepping into roles and back from them, by consent.

Whose consent completes a proposal:
- the person volunteered: the collective confirms, through any org faculty
  member, or for a team role also any current member of that team (never
  the volunteer themselves);
- someone proposed the person (only those who could confirm a volunteer
  may): the person accepts.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.actors import Actor
from domain.errors import Conflict, NotFound, PermissionDenied
from domain.notifications import Notification, NotificationKind
from domain.ports import UnitOfWork
from domain.roles import Role, RoleAssignment, RoleStatus, Scope, visible_to
from domain.services import agreements


async def may_speak_for_collective(
    uow: UnitOfWork, person_id: UUID, assignment: RoleAssignment
) -> bool:
    if await uow.roles.holds(person_id, Role.ORG_FACULTY):
        return True
    if assignment.role.scope is Scope.TEAM and assignment.team_id is not None:
        return await uow.memberships.current(assignment.team_id, person_id) is not None
    return False


async def may_see(uow: UnitOfWork, person_id: UUID, assignment: RoleAssignment) -> bool:
    """domain.roles.visible_to, asking the database only what it needs."""
    team_ids = []
    if assignment.team_id is not None and await uow.memberships.current(
        assignment.team_id, person_id
    ):
        team_ids.append(assignment.team_id)
    return visible_to(
        assignment,
        person_id,
        viewer_is_org_faculty=await uow.roles.holds(person_id, Role.ORG_FACULTY),
        viewer_team_ids=team_ids,
    )


async def volunteer(
    uow: UnitOfWork,
    actor: Actor,
    *,
    role: Role,
    team_id: UUID | None = None,
    knowledge_area_id: UUID | None = None,
    review_on: date | None = None,
    now: datetime,
) -> RoleAssignment:
    return await _propose(
        uow, actor, actor.person_id, role, team_id, knowledge_area_id, review_on, now
    )


async def propose(
    uow: UnitOfWork,
    actor: Actor,
    *,
    person_id: UUID,
    role: Role,
    team_id: UUID | None = None,
    knowledge_area_id: UUID | None = None,
    review_on: date | None = None,
    now: datetime,
) -> RoleAssignment:
    if person_id == actor.person_id:
        return await volunteer(
            uow,
            actor,
            role=role,
            team_id=team_id,
            knowledge_area_id=knowledge_area_id,
            review_on=review_on,
            now=now,
        )
    return await _propose(uow, actor, person_id, role, team_id, knowledge_area_id, review_on, now)


async def accept(
    uow: UnitOfWork, actor: Actor, assignment_id: UUID, *, now: datetime
) -> RoleAssignment:
    assignment = await _visible(uow, actor, assignment_id)
    await uow.people.lock([assignment.person_id])
    assignment = await _visible(uow, actor, assignment_id, for_update=True)
    await _require_answerer(uow, actor, assignment)
    person = await uow.people.get(assignment.person_id)
    if person is None or not person.is_active:
        raise Conflict("This person has left the organization.", code="PERSON_LEFT")
    # An assignment that is no longer a proposal would find itself held here:
    # let `accept` refuse it for what it is (NOT_PROPOSED).
    if assignment.status is RoleStatus.PROPOSED and await uow.roles.current(
        assignment.person_id, assignment.role, assignment.team_id, assignment.knowledge_area_id
    ):
        raise Conflict("This person already holds that role there.", code="ROLE_ALREADY_HELD")
    assignment.accept(actor.person_id, now)
    await uow.flush()
    await _notify(
        uow,
        assignment,
        NotificationKind.ROLE_ACCEPTED,
        [assignment.person_id, assignment.proposed_by_id],
        actor,
        now,
    )
    return assignment


async def decline(
    uow: UnitOfWork, actor: Actor, assignment_id: UUID, *, now: datetime
) -> RoleAssignment:
    assignment = await _visible(uow, actor, assignment_id, for_update=True)
    await _require_answerer(uow, actor, assignment)
    assignment.decline(actor.person_id, now)
    await _notify(
        uow,
        assignment,
        NotificationKind.ROLE_DECLINED,
        [assignment.person_id, assignment.proposed_by_id],
        actor,
        now,
    )
    return assignment


async def withdraw(
    uow: UnitOfWork, actor: Actor, assignment_id: UUID, *, now: datetime
) -> RoleAssignment:
    assignment = await _visible(uow, actor, assignment_id, for_update=True)
    assignment.withdraw(actor.person_id, now)
    if not assignment.volunteered:
        await _notify(
            uow, assignment, NotificationKind.ROLE_WITHDRAWN, [assignment.person_id], actor, now
        )
    return assignment


async def step_back(
    uow: UnitOfWork, actor: Actor, assignment_id: UUID, *, note: str = "", now: datetime
) -> RoleAssignment:
    await uow.roles.lock_role(Role.ORG_FACULTY)
    assignment = await _visible(uow, actor, assignment_id, for_update=True)
    # Only the holder of a current role can step back; anyone else hears why not
    # from `step_back`, not that the role is the last of its kind.
    if (
        assignment.role is Role.ORG_FACULTY
        and assignment.is_current
        and assignment.person_id == actor.person_id
        and await uow.roles.count_current(Role.ORG_FACULTY) <= 1
    ):
        raise Conflict(
            "Someone else must be org faculty before the last one steps back.",
            code="LAST_ORG_FACULTY",
        )
    assignment.step_back(actor.person_id, now, note)
    await agreements.end_with_role(uow, assignment.id, by=actor.person_id, now=now)
    if assignment.proposed_by_id not in (None, actor.person_id):
        await _notify(
            uow, assignment, NotificationKind.ROLE_ENDED, [assignment.proposed_by_id], actor, now
        )
    return assignment


async def end_all_of(uow: UnitOfWork, person_id: UUID, *, now: datetime) -> None:
    """Someone left: their roles end (with the agreements made in them), and
    open proposals for them or made by them lapse (nobody is left to give
    that side's consent)."""
    for assignment in await uow.roles.open_for_person(person_id):
        if assignment.is_current:
            assignment.end_because_left(now)
            await agreements.end_with_role(uow, assignment.id, by=person_id, now=now)
        else:
            assignment.withdraw(assignment.proposed_by_id or person_id, now)


async def _propose(
    uow: UnitOfWork,
    actor: Actor,
    person_id: UUID,
    role: Role,
    team_id: UUID | None,
    knowledge_area_id: UUID | None,
    review_on: date | None,
    now: datetime,
) -> RoleAssignment:
    assignment = RoleAssignment.propose(
        organization_id=actor.organization_id,
        person_id=person_id,
        role=role,
        team_id=team_id,
        knowledge_area_id=knowledge_area_id,
        proposed_by_id=actor.person_id,
        review_on=review_on,
        now=now,
    )
    person = await uow.people.get(person_id)
    if person is None:
        raise NotFound("Person")
    if not person.is_active:
        raise Conflict(
            f"{person.name} has left the organization.", code="PERSON_LEFT", field="personId"
        )
    if team_id is not None and await uow.teams.get(team_id) is None:
        raise NotFound("Team")
    if knowledge_area_id is not None and await uow.areas.get(knowledge_area_id) is None:
        raise NotFound("KnowledgeArea")
    if not assignment.volunteered and not await may_speak_for_collective(
        uow, actor.person_id, assignment
    ):
        raise PermissionDenied(
            "Only org faculty (or, for a team role, the team's members) can propose someone.",
            code="CANNOT_PROPOSE",
        )
    if await uow.roles.current(person_id, role, team_id, knowledge_area_id):
        raise Conflict(f"{person.name} already holds that role there.", code="ROLE_ALREADY_HELD")
    if await uow.roles.open_proposal(person_id, role, team_id, knowledge_area_id):
        raise Conflict("There is already an open proposal for this.", code="DUPLICATE_PROPOSAL")
    await uow.roles.add(assignment)
    if not assignment.volunteered:
        await _notify(uow, assignment, NotificationKind.ROLE_PROPOSED, [person_id], actor, now)
    return assignment


async def _visible(
    uow: UnitOfWork, actor: Actor, assignment_id: UUID, *, for_update: bool = False
) -> RoleAssignment:
    assignment = await uow.roles.get(assignment_id, for_update=for_update)
    if assignment is None or not await may_see(uow, actor.person_id, assignment):
        raise NotFound("RoleAssignment")
    return assignment


async def _require_answerer(uow: UnitOfWork, actor: Actor, assignment: RoleAssignment) -> None:
    if assignment.volunteered:
        if actor.person_id == assignment.person_id:
            raise PermissionDenied("Someone else confirms when you volunteer.", code="OWN_PROPOSAL")
        if not await may_speak_for_collective(uow, actor.person_id, assignment):
            raise PermissionDenied(
                "Org faculty (or, for a team role, a member of the team) confirms a volunteer.",
                code="CANNOT_CONFIRM",
            )
    elif actor.person_id != assignment.person_id:
        raise PermissionDenied(
            "Only the person proposed can accept or decline.", code="NOT_PROPOSED_PERSON"
        )


async def _notify(
    uow: UnitOfWork,
    assignment: RoleAssignment,
    kind: NotificationKind,
    recipients: list[UUID | None],
    actor: Actor,
    now: datetime,
) -> None:
    for recipient in dict.fromkeys(r for r in recipients if r is not None):
        if recipient == actor.person_id:
            continue
        await uow.notifications.add(
            Notification(
                organization_id=assignment.organization_id,
                recipient_id=recipient,
                kind=kind,
                created_at=now,
                actor_id=actor.person_id,
                role_assignment_id=assignment.id,
            )
        )
