"""Growth goals: created, shaped and closed by their owner alone, checked in
on, and shared (or unshared) item by item."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.actors import Actor
from domain.autonomy import AutonomyStage
from domain.errors import NotFound, ValidationFailed
from domain.goals import Audience, CheckIn, Confidence, Goal, GoalShare, Readers
from domain.ports import UnitOfWork


async def create(
    uow: UnitOfWork,
    actor: Actor,
    *,
    title: str,
    description: str = "",
    stage: AutonomyStage,
    knowledge_area_id: UUID | None = None,
    target_date: date | None = None,
    activate: bool = False,
    now: datetime,
) -> Goal:
    if knowledge_area_id is not None and await uow.areas.get(knowledge_area_id) is None:
        raise NotFound("KnowledgeArea")
    goal = Goal.create(
        organization_id=actor.organization_id,
        owner_id=actor.person_id,
        title=title,
        description=description,
        stage=stage,
        knowledge_area_id=knowledge_area_id,
        target_date=target_date,
        now=now,
    )
    if activate:
        goal.activate(now)
    await uow.goals.add(goal)
    return goal


async def own_goal(uow: UnitOfWork, actor: Actor, goal_id: UUID) -> Goal:
    """Only the owner changes a goal. To anyone else an unshared goal does
    not exist, and a shared one is read-only: both read as not found here,
    so a failed write never reveals that a private goal exists."""
    goal = await uow.goals.get(goal_id, for_update=True)
    if goal is None or goal.owner_id != actor.person_id:
        raise NotFound("Goal")
    return goal


async def edit(
    uow: UnitOfWork,
    actor: Actor,
    goal_id: UUID,
    *,
    title: str | None = None,
    description: str | None = None,
    stage: AutonomyStage | None = None,
    knowledge_area_id: UUID | None = None,
    clear_area: bool = False,
    target_date: date | None = None,
    clear_target_date: bool = False,
    now: datetime,
) -> Goal:
    goal = await own_goal(uow, actor, goal_id)
    if knowledge_area_id is not None and await uow.areas.get(knowledge_area_id) is None:
        raise NotFound("KnowledgeArea")
    goal.edit(
        title=title,
        description=description,
        stage=stage,
        knowledge_area_id=knowledge_area_id,
        clear_area=clear_area,
        target_date=target_date,
        clear_target_date=clear_target_date,
        now=now,
    )
    return goal


async def activate(uow: UnitOfWork, actor: Actor, goal_id: UUID, *, now: datetime) -> Goal:
    goal = await own_goal(uow, actor, goal_id)
    goal.activate(now)
    return goal


async def achieve(
    uow: UnitOfWork, actor: Actor, goal_id: UUID, *, note: str = "", now: datetime
) -> Goal:
    goal = await own_goal(uow, actor, goal_id)
    goal.achieve(now, note)
    return goal


async def abandon(
    uow: UnitOfWork, actor: Actor, goal_id: UUID, *, note: str = "", now: datetime
) -> Goal:
    goal = await own_goal(uow, actor, goal_id)
    goal.abandon(now, note)
    return goal


async def check_in(
    uow: UnitOfWork,
    actor: Actor,
    goal_id: UUID,
    *,
    progress: int,
    confidence: Confidence,
    note: str = "",
    now: datetime,
) -> CheckIn:
    goal = await own_goal(uow, actor, goal_id)
    entry = CheckIn.record(goal, progress=progress, confidence=confidence, note=note, now=now)
    await uow.goals.add_check_in(entry)
    return entry


async def share(
    uow: UnitOfWork,
    actor: Actor,
    goal_id: UUID,
    *,
    audience: Audience,
    mentor_id: UUID | None = None,
    now: datetime,
) -> GoalShare:
    """Sharing twice is harmless: the existing share is returned."""
    goal = await own_goal(uow, actor, goal_id)
    await _check_audience(uow, actor, audience, mentor_id)
    existing = await uow.goals.active_share(goal.id, audience, mentor_id)
    if existing is not None:
        return existing
    goal_share = GoalShare(
        organization_id=actor.organization_id,
        goal_id=goal.id,
        audience=audience,
        person_id=mentor_id,
        created_at=now,
    )
    await uow.goals.add_share(goal_share)
    return goal_share


async def unshare(
    uow: UnitOfWork,
    actor: Actor,
    goal_id: UUID,
    *,
    audience: Audience,
    mentor_id: UUID | None = None,
    now: datetime,
) -> GoalShare:
    """Takes effect on the very next read: visibility is computed from the
    active shares on every request, never cached across requests."""
    goal = await own_goal(uow, actor, goal_id)
    existing = await uow.goals.active_share(goal.id, audience, mentor_id)
    if existing is None:
        raise NotFound("GoalShare", "This goal is not shared that way.")
    existing.revoked_at = now
    return existing


async def readable_by(uow: UnitOfWork, goal: Goal, viewer_id: UUID) -> bool:
    """The goal visibility rule (`Readers`) on the write side, for use cases
    that refer to someone else's goal."""
    if viewer_id == goal.owner_id:
        return True
    stewardship = await uow.relationships.active_stewardship_of(goal.owner_id)
    readers = Readers(
        owner_id=goal.owner_id,
        shared_with_steward=await uow.goals.active_share(goal.id, Audience.STEWARD, None)
        is not None,
        shared_with_organization=await uow.goals.active_share(goal.id, Audience.ORGANIZATION, None)
        is not None,
        shared_with_mentors=frozenset(
            {viewer_id}
            if await uow.goals.active_share(goal.id, Audience.MENTOR, viewer_id)
            else set()
        ),
    )
    return readers.may_read(
        viewer_id,
        viewer_is_steward=stewardship is not None and stewardship.leader_id == viewer_id,
        viewer_is_mentor=viewer_id in await uow.relationships.active_mentor_ids(goal.owner_id),
    )


async def _check_audience(
    uow: UnitOfWork, actor: Actor, audience: Audience, mentor_id: UUID | None
) -> None:
    if audience is Audience.MENTOR:
        if mentor_id is None:
            raise ValidationFailed("mentorId", "Name the mentor to share with.", code="REQUIRED")
        mentors = await uow.relationships.active_mentor_ids(actor.person_id)
        if mentor_id not in mentors:
            raise ValidationFailed(
                "mentorId", "You can share with your current mentors only.", code="NOT_YOUR_MENTOR"
            )
    elif mentor_id is not None:
        raise ValidationFailed(
            "mentorId", "Only a share with a mentor names a person.", code="NOT_ALLOWED"
        )
