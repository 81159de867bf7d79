from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role, RoleAssignment, RoleStatus
from persistence.tables import role_assignments, team_memberships

t = role_assignments


def held_at(at: datetime) -> ColumnElement[bool]:
    """Held at that moment: started by then and not ended yet (time travel
    over the assignment history)."""
    return and_(t.c.started_at <= at, or_(t.c.ended_at.is_(None), t.c.ended_at > at))


async def holders_of_role(
    session: AsyncSession, organization_id: UUID, role: Role, person_ids: Sequence[UUID]
) -> set[UUID]:
    rows = await session.scalars(
        select(t.c.person_id).where(
            t.c.organization_id == organization_id,
            t.c.role == role,
            t.c.person_id.in_(person_ids),
            t.c.status == RoleStatus.ACTIVE,
        )
    )
    return set(rows)


async def assignments_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, RoleAssignment]:
    rows = await session.scalars(
        select(RoleAssignment).where(t.c.organization_id == organization_id, t.c.id.in_(ids))
    )
    return {a.id: a for a in rows}


async def current_roles_of_people(
    session: AsyncSession, organization_id: UUID, person_ids: Sequence[UUID]
) -> dict[UUID, list[RoleAssignment]]:
    rows = await session.scalars(
        select(RoleAssignment)
        .where(
            t.c.organization_id == organization_id,
            t.c.person_id.in_(person_ids),
            t.c.status == RoleStatus.ACTIVE,
        )
        .order_by(t.c.started_at, t.c.id)
    )
    result: dict[UUID, list[RoleAssignment]] = defaultdict(list)
    for assignment in rows:
        result[assignment.person_id].append(assignment)
    return result


async def holders_in_scopes(
    session: AsyncSession,
    organization_id: UUID,
    keys: Sequence[tuple[str, UUID | None, datetime]],
) -> dict[tuple[str, UUID | None, datetime], list[RoleAssignment]]:
    """Who held roles in a scope at a moment. A key is (scope, id, at):
    ("team", team_id, at), ("area", area_id, at) or ("org:<ROLE>", None, at).
    One statement per distinct moment (usually one: now)."""
    result: dict[tuple[str, UUID | None, datetime], list[RoleAssignment]] = defaultdict(list)
    by_moment: dict[datetime, list[tuple[str, UUID | None]]] = defaultdict(list)
    for scope, scope_id, at in keys:
        by_moment[at].append((scope, scope_id))
    for at, scopes in by_moment.items():
        team_ids = [i for s, i in scopes if s == "team"]
        area_ids = [i for s, i in scopes if s == "area"]
        org_roles = [Role(s.split(":", 1)[1]) for s, _ in scopes if s.startswith("org:")]
        rows = await session.scalars(
            select(RoleAssignment)
            .where(
                t.c.organization_id == organization_id,
                held_at(at),
                or_(
                    t.c.team_id.in_(team_ids),
                    t.c.knowledge_area_id.in_(area_ids),
                    and_(
                        t.c.role.in_(org_roles),
                        t.c.team_id.is_(None),
                        t.c.knowledge_area_id.is_(None),
                    ),
                ),
            )
            .order_by(t.c.started_at, t.c.id)
        )
        for a in rows:
            if a.team_id is not None:
                result[("team", a.team_id, at)].append(a)
            elif a.knowledge_area_id is not None:
                result[("area", a.knowledge_area_id, at)].append(a)
            else:
                result[(f"org:{a.role.value}", None, at)].append(a)
    return result


async def proposals_for(
    session: AsyncSession, organization_id: UUID, person_id: UUID, *, is_org_faculty: bool
) -> list[RoleAssignment]:
    """Open role proposals this person can answer: those proposing them, and
    volunteers they may confirm (all of them for org faculty, team roles of
    their teams for team members)."""
    m = team_memberships
    my_teams = select(m.c.team_id).where(m.c.person_id == person_id, m.c.ended_at.is_(None))
    volunteers = and_(t.c.proposed_by_id == t.c.person_id, t.c.person_id != person_id)
    confirmable = volunteers if is_org_faculty else and_(volunteers, t.c.team_id.in_(my_teams))
    rows = await session.scalars(
        select(RoleAssignment)
        .where(
            t.c.organization_id == organization_id,
            t.c.status == RoleStatus.PROPOSED,
            or_(and_(t.c.person_id == person_id, t.c.proposed_by_id != person_id), confirmable),
        )
        .order_by(t.c.proposed_at.desc(), t.c.id)
    )
    return list(rows)


async def proposals_by(
    session: AsyncSession, organization_id: UUID, person_id: UUID
) -> list[RoleAssignment]:
    rows = await session.scalars(
        select(RoleAssignment)
        .where(
            t.c.organization_id == organization_id,
            t.c.status == RoleStatus.PROPOSED,
            t.c.proposed_by_id == person_id,
        )
        .order_by(t.c.proposed_at.desc(), t.c.id)
    )
    return list(rows)
