"""Growth goals: created, shaped and closed by their owner alone, checked in
on, and shared (or unshared) item by item, with people (domain.shares) or
the whole organization."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.actors import Actor
from domain.autonomy import AutonomyStage
from domain.errors import NotFound
from domain.goals import Audience, CheckIn, Confidence, Goal, GoalShare, Readers
from domain.ports import UnitOfWork
from domain.services import shares
from domain.shares import ended


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
    uow: UnitOfWork, actor: Actor, goal_id: UUID, *, note: str, now: datetime
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
    person_id: UUID | None = None,
    now: datetime,
) -> GoalShare:
    """With the organization, or with a person (domain.shares). Sharing twice
    is harmless: the existing share is returned."""
    goal = await own_goal(uow, actor, goal_id)
    relationship_id = None
    if audience is Audience.ORGANIZATION:
        shares.check_named(person_id, named=False)
    else:
        person_id, relationship_id = await shares.recipient(uow, actor, audience, person_id)
    active = await uow.goals.active_shares(goal.id)
    found = shares.made_already(active, audience, person_id, relationship_id)
    if found is not None:
        return found
    goal_share = GoalShare(
        organization_id=actor.organization_id,
        goal_id=goal.id,
        owner_id=goal.owner_id,
        audience=audience,
        person_id=person_id,
        relationship_id=relationship_id,
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
    person_id: UUID | None = None,
    now: datetime,
) -> list[GoalShare]:
    """domain.services.shares.take_back, for a goal."""
    goal = await own_goal(uow, actor, goal_id)
    return shares.take_back(
        await uow.goals.active_shares(goal.id),
        audience,
        person_id,
        now=now,
        not_shared=NotFound("GoalShare", "This goal is not shared that way."),
    )


async def readable_by(uow: UnitOfWork, goal: Goal, viewer_id: UUID) -> bool:
    """The goal visibility rule (`Readers`) on the write side, for use cases
    that refer to someone else's goal."""
    if viewer_id == goal.owner_id:
        return True
    owner = await uow.people.get(goal.owner_id)
    assert owner is not None  # a foreign key keeps them
    active = await uow.goals.active_shares(goal.id)
    reached = set()
    for goal_share in active:
        if goal_share.person_id == viewer_id:
            reached.add((await shares.reach_of(uow, goal_share)).person_id)
    readers = Readers(
        owner_id=goal.owner_id,
        shared_with_organization=ended(owner) is None
        and any(s.audience is Audience.ORGANIZATION for s in active),
        reached=frozenset(p for p in reached if p is not None),
    )
    return readers.may_read(viewer_id)
