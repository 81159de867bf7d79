"""Batched reads of coaching: availability is public in the organization;
a session is read by its coach and coachee only (the filter is in every
query that returns one); others get counts and aggregates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.coaching import CoachAvailability, CoachSession, SessionStatus
from domain.pagination import Page, PageRequest
from persistence.reads.pagination import keyset_page
from persistence.tables import coach_availability, coach_sessions

a, c = coach_availability, coach_sessions

BusyKey = tuple[UUID, datetime, datetime]
"""(coach_id, start, end)."""


@dataclass(frozen=True)
class BusyTimes:
    """A coach's time taken in a range: as coach, each session until its
    buffer ends; as someone's coachee, each session. Times only."""

    as_coach: list[tuple[datetime, datetime]] = field(default_factory=list)
    as_coachee: list[tuple[datetime, datetime]] = field(default_factory=list)


SinceKey = tuple[UUID, datetime]
"""(coachee_id, since)."""


def _party(viewer_id: UUID) -> ColumnElement[bool]:
    return or_(c.c.coach_id == viewer_id, c.c.coachee_id == viewer_id)


async def availability_of_coaches(
    session: AsyncSession, organization_id: UUID, coach_ids: Sequence[UUID]
) -> dict[UUID, CoachAvailability]:
    rows = await session.scalars(
        select(CoachAvailability).where(
            a.c.organization_id == organization_id, a.c.coach_id.in_(coach_ids)
        )
    )
    return {found.coach_id: found for found in rows}


async def sessions_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, CoachSession]:
    rows = await session.scalars(
        select(CoachSession).where(
            c.c.organization_id == organization_id, c.c.id.in_(ids), _party(viewer_id)
        )
    )
    return {found.id: found for found in rows}


async def busy_of_coaches(
    session: AsyncSession, organization_id: UUID, keys: Sequence[BusyKey]
) -> dict[BusyKey, BusyTimes]:
    """Each coach's BusyTimes within a range; one statement for all keys."""
    if not keys:
        return {}
    rows = await session.execute(
        select(c.c.coach_id, c.c.coachee_id, c.c.starts_at, c.c.ends_at, c.c.blocked_until).where(
            c.c.organization_id == organization_id,
            c.c.status != SessionStatus.CANCELLED,
            or_(
                *(
                    and_(
                        or_(c.c.coach_id == coach_id, c.c.coachee_id == coach_id),
                        c.c.starts_at < end,
                        c.c.blocked_until > start,
                    )
                    for coach_id, start, end in keys
                )
            ),
        )
    )
    keys_of: dict[UUID, list[BusyKey]] = defaultdict(list)
    for key in keys:
        keys_of[key[0]].append(key)
    result: dict[BusyKey, BusyTimes] = {key: BusyTimes() for key in keys}
    for row in rows:
        for key in keys_of[row.coach_id]:
            if row.starts_at < key[2] and row.blocked_until > key[1]:
                result[key].as_coach.append((row.starts_at, row.blocked_until))
        for key in keys_of[row.coachee_id]:
            if row.starts_at < key[2] and row.ends_at > key[1]:
                result[key].as_coachee.append((row.starts_at, row.ends_at))
    return result


async def sessions_page(
    session: AsyncSession,
    organization_id: UUID,
    viewer_id: UUID,
    request: PageRequest,
    *,
    upcoming: bool,
    now: datetime,
) -> Page[CoachSession]:
    """The viewer's sessions as coach or coachee: those still ahead soonest
    first (booked), or the rest latest first (held, no-shows, cancelled and
    past)."""
    query = select(CoachSession).where(c.c.organization_id == organization_id, _party(viewer_id))
    ahead = and_(c.c.status == SessionStatus.BOOKED, c.c.starts_at > now)
    query = query.where(ahead if upcoming else ~ahead)
    return await keyset_page(
        session, query, (c.c.starts_at, c.c.id), request, descending=not upcoming
    )


async def sessions_since(
    session: AsyncSession, organization_id: UUID, keys: Sequence[SinceKey], *, now: datetime
) -> dict[SinceKey, int]:
    """How many coach sessions each person had since a moment: held, or
    booked and begun (not recorded yet). A count, nothing else."""
    taken = or_(
        c.c.status == SessionStatus.HELD,
        and_(c.c.status == SessionStatus.BOOKED, c.c.starts_at <= now),
    )
    result: dict[SinceKey, int] = {}
    by_since: dict[datetime, list[UUID]] = defaultdict(list)
    for person_id, since in keys:
        by_since[since].append(person_id)
    for since, person_ids in by_since.items():
        query = (
            select(c.c.coachee_id, func.count())
            .where(
                c.c.organization_id == organization_id,
                c.c.coachee_id.in_(person_ids),
                taken,
                c.c.starts_at <= now,
                c.c.starts_at > since,
            )
            .group_by(c.c.coachee_id)
        )
        counts = dict((await session.execute(query)).all())
        for person_id in person_ids:
            result[(person_id, since)] = counts.get(person_id, 0)
    return result


@dataclass(frozen=True)
class CoachUsage:
    """One coach's sessions in a period, by outcome: aggregates only."""

    coach_id: UUID
    booked: int
    held: int
    no_shows: int
    cancelled: int
    hours_held: float


async def usage(
    session: AsyncSession, organization_id: UUID, start: datetime, end: datetime
) -> list[CoachUsage]:
    """Sessions starting in [start, end), per coach, busiest first."""

    def count(status: SessionStatus) -> ColumnElement[int]:
        return func.count().filter(c.c.status == status)

    held_seconds = func.coalesce(
        func.sum(func.extract("epoch", c.c.ends_at - c.c.starts_at)).filter(
            c.c.status == SessionStatus.HELD
        ),
        0,
    )
    rows = await session.execute(
        select(
            c.c.coach_id,
            count(SessionStatus.BOOKED).label("booked"),
            count(SessionStatus.HELD).label("held"),
            count(SessionStatus.NO_SHOW).label("no_shows"),
            count(SessionStatus.CANCELLED).label("cancelled"),
            held_seconds.label("held_seconds"),
        )
        .where(
            c.c.organization_id == organization_id,
            c.c.starts_at >= start,
            c.c.starts_at < end,
        )
        .group_by(c.c.coach_id)
        .order_by(func.count().desc(), c.c.coach_id)
    )
    return [
        CoachUsage(
            coach_id=row.coach_id,
            booked=row.booked,
            held=row.held,
            no_shows=row.no_shows,
            cancelled=row.cancelled,
            hours_held=round(float(row.held_seconds) / 3600, 2),
        )
        for row in rows
    ]
