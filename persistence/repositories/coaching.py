from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, exists, func, or_, select, true

from domain.coaching import CoachAvailability, CoachSession, SessionStatus
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import coach_sessions

c = coach_sessions


def _other_than(session_id: UUID | None) -> ColumnElement[bool]:
    return c.c.id != session_id if session_id is not None else true()


class SqlCoachingRepository(TenantRepository):
    async def add_availability(self, availability: CoachAvailability) -> None:
        self.session.add(availability)
        await self.session.flush()

    async def get_availability(
        self, coach_id: UUID, *, for_update: bool = False
    ) -> CoachAvailability | None:
        query = select(CoachAvailability).filter_by(
            organization_id=self.organization_id, coach_id=coach_id
        )
        return await self.session.scalar(locked(query, for_update))

    async def add_session(self, session: CoachSession) -> None:
        self.session.add(session)
        await self.session.flush()

    async def get_session(
        self, session_id: UUID, *, for_update: bool = False
    ) -> CoachSession | None:
        query = select(CoachSession).filter_by(organization_id=self.organization_id, id=session_id)
        return await self.session.scalar(locked(query, for_update))

    async def coach_busy(
        self, coach_id: UUID, start: datetime, end: datetime, *, excluding: UUID | None = None
    ) -> list[tuple[datetime, datetime]]:
        rows = await self.session.execute(
            select(c.c.starts_at, c.c.blocked_until).where(
                c.c.organization_id == self.organization_id,
                c.c.coach_id == coach_id,
                c.c.status != SessionStatus.CANCELLED,
                c.c.starts_at < end,
                c.c.blocked_until > start,
                _other_than(excluding),
            )
        )
        return [(row.starts_at, row.blocked_until) for row in rows]

    async def person_busy(
        self, person_id: UUID, start: datetime, end: datetime, *, excluding: UUID | None = None
    ) -> bool:
        return bool(
            await self.session.scalar(
                select(
                    exists().where(
                        c.c.organization_id == self.organization_id,
                        or_(c.c.coach_id == person_id, c.c.coachee_id == person_id),
                        c.c.status != SessionStatus.CANCELLED,
                        c.c.starts_at < end,
                        c.c.ends_at > start,
                        _other_than(excluding),
                    )
                )
            )
        )

    async def count_upcoming(
        self, coachee_id: UUID, now: datetime, *, excluding: UUID | None = None
    ) -> int:
        return await self._count(
            c.c.coachee_id == coachee_id,
            c.c.status == SessionStatus.BOOKED,
            c.c.starts_at > now,
            _other_than(excluding),
        )

    async def count_with_coach(
        self,
        coachee_id: UUID,
        coach_id: UUID,
        start: datetime,
        end: datetime,
        *,
        excluding: UUID | None = None,
    ) -> int:
        return await self._count(
            c.c.coachee_id == coachee_id,
            c.c.coach_id == coach_id,
            c.c.status != SessionStatus.CANCELLED,
            c.c.starts_at >= start,
            c.c.starts_at < end,
            _other_than(excluding),
        )

    async def booked_in_relationship(
        self, relationship_id: UUID, now: datetime
    ) -> list[CoachSession]:
        rows = await self.session.scalars(
            locked(
                select(CoachSession).where(
                    c.c.organization_id == self.organization_id,
                    c.c.relationship_id == relationship_id,
                    c.c.status == SessionStatus.BOOKED,
                    c.c.starts_at > now,
                )
            )
        )
        return list(rows)

    async def _count(self, *conditions: ColumnElement[bool]) -> int:
        found = await self.session.scalar(
            select(func.count())
            .select_from(c)
            .where(c.c.organization_id == self.organization_id, *conditions)
        )
        return int(found or 0)
