from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.autonomy import AchievedGoal
from domain.goals import Audience, CheckIn, Goal, GoalShare, GoalStatus
from persistence.reads.shares import in_force, reaches
from persistence.tables import goal_check_ins, goal_shares, goals

g, s, c = goals, goal_shares, goal_check_ins


def visible_to(viewer_id: UUID) -> ColumnElement[bool]:
    """Who may read a goal (domain.goals.Readers, in SQL): its owner; anyone,
    if shared with the organization by an owner who is still a member; a
    person an active share of it reaches now (persistence.reads.shares)."""
    return or_(
        g.c.owner_id == viewer_id,
        select(s.c.id)
        .where(
            s.c.goal_id == g.c.id,
            s.c.revoked_at.is_(None),
            or_(
                and_(s.c.audience == Audience.ORGANIZATION, in_force(s)),
                reaches(s, viewer_id),
            ),
        )
        .exists(),
    )


async def visible_goals_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, Goal]:
    rows = await session.scalars(
        select(Goal).where(
            g.c.organization_id == organization_id, g.c.id.in_(ids), visible_to(viewer_id)
        )
    )
    return {goal.id: goal for goal in rows}


async def visible_goals_of_owners(
    session: AsyncSession, organization_id: UUID, owner_ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, list[Goal]]:
    """Each owner's goals the viewer may read, newest first."""
    rows = await session.scalars(
        select(Goal)
        .where(
            g.c.organization_id == organization_id,
            g.c.owner_id.in_(owner_ids),
            visible_to(viewer_id),
        )
        .order_by(g.c.owner_id, g.c.created_at.desc(), g.c.id)
    )
    result: dict[UUID, list[Goal]] = defaultdict(list)
    for goal in rows:
        result[goal.owner_id].append(goal)
    return result


async def goal_counts(
    session: AsyncSession, organization_id: UUID, owner_ids: Sequence[UUID]
) -> dict[UUID, dict[GoalStatus, int]]:
    """Counts by status: all anybody may know of goals not shared with them."""
    rows = await session.execute(
        select(g.c.owner_id, g.c.status, func.count())
        .where(g.c.organization_id == organization_id, g.c.owner_id.in_(owner_ids))
        .group_by(g.c.owner_id, g.c.status)
    )
    result: dict[UUID, dict[GoalStatus, int]] = defaultdict(dict)
    for owner_id, status, count in rows:
        result[owner_id][status] = count
    return result


async def check_ins_of_goals(
    session: AsyncSession, organization_id: UUID, goal_ids: Sequence[UUID]
) -> dict[UUID, list[CheckIn]]:
    """Newest first. Callers pass only goals the viewer may read."""
    rows = await session.scalars(
        select(CheckIn)
        .where(c.c.organization_id == organization_id, c.c.goal_id.in_(goal_ids))
        .order_by(c.c.created_at.desc(), c.c.id)
    )
    result: dict[UUID, list[CheckIn]] = defaultdict(list)
    for entry in rows:
        result[entry.goal_id].append(entry)
    return result


async def shares_of_goals(
    session: AsyncSession, organization_id: UUID, goal_ids: Sequence[UUID]
) -> dict[UUID, list[GoalShare]]:
    """Shares not revoked, whether they still reach someone or not (the
    owner sees why not); shown to the owner only."""
    rows = await session.scalars(
        select(GoalShare)
        .where(
            s.c.organization_id == organization_id,
            s.c.goal_id.in_(goal_ids),
            s.c.revoked_at.is_(None),
        )
        .order_by(s.c.created_at, s.c.id)
    )
    result: dict[UUID, list[GoalShare]] = defaultdict(list)
    for share in rows:
        result[share.goal_id].append(share)
    return result


async def achieved_goals(
    session: AsyncSession, organization_id: UUID, owner_ids: Sequence[UUID]
) -> dict[UUID, list[AchievedGoal]]:
    """The readiness evidence of each owner: achieved goals with their
    number of check-ins (one statement for all owners)."""
    check_in_count = (
        select(func.count()).where(c.c.goal_id == g.c.id).correlate(g).scalar_subquery()
    )
    rows = await session.execute(
        select(g.c.owner_id, g.c.id, g.c.stage, g.c.achieved_at, check_in_count).where(
            g.c.organization_id == organization_id,
            g.c.owner_id.in_(owner_ids),
            g.c.status == GoalStatus.ACHIEVED,
        )
    )
    result: dict[UUID, list[AchievedGoal]] = defaultdict(list)
    for owner_id, goal_id, stage, achieved_at, count in rows:
        result[owner_id].append(AchievedGoal(goal_id, stage, achieved_at, count))
    return result
