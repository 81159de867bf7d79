from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select, true

from domain.one_on_ones import (
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingNote,
    MeetingStatus,
    OneOnOneSeries,
)
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import agenda_items, one_on_one_meetings, one_on_one_participants

m, a = one_on_one_meetings, agenda_items


class SqlOneOnOneRepository(TenantRepository):
    async def add_series(self, series: OneOnOneSeries, participants: tuple[UUID, UUID]) -> None:
        self.session.add(series)
        await self.session.flush()
        await self.session.execute(
            insert(one_on_one_participants),
            [
                {"organization_id": self.organization_id, "series_id": series.id, "person_id": p}
                for p in participants
            ],
        )

    async def get_series(
        self, series_id: UUID, *, for_update: bool = False
    ) -> OneOnOneSeries | None:
        query = select(OneOnOneSeries).filter_by(organization_id=self.organization_id, id=series_id)
        return await self.session.scalar(locked(query, for_update))

    async def series_of_relationship(
        self, relationship_id: UUID, *, for_update: bool = False
    ) -> OneOnOneSeries | None:
        query = select(OneOnOneSeries).filter_by(
            organization_id=self.organization_id, relationship_id=relationship_id
        )
        return await self.session.scalar(locked(query, for_update))

    async def add_meeting(self, meeting: Meeting) -> None:
        self.session.add(meeting)
        await self.session.flush()

    async def get_meeting(self, meeting_id: UUID, *, for_update: bool = False) -> Meeting | None:
        query = select(Meeting).filter_by(organization_id=self.organization_id, id=meeting_id)
        return await self.session.scalar(locked(query, for_update))

    async def next_scheduled(
        self, series_id: UUID, *, after: datetime | None = None, for_update: bool = False
    ) -> Meeting | None:
        query = (
            select(Meeting)
            .where(
                m.c.organization_id == self.organization_id,
                m.c.series_id == series_id,
                m.c.status == MeetingStatus.SCHEDULED,
                true() if after is None else m.c.scheduled_at > after,
            )
            .order_by(m.c.scheduled_at, m.c.id)
            .limit(1)
        )
        return await self.session.scalar(locked(query, for_update))

    async def scheduled_meetings(self, series_id: UUID) -> list[Meeting]:
        query = select(Meeting).where(
            m.c.organization_id == self.organization_id,
            m.c.series_id == series_id,
            m.c.status == MeetingStatus.SCHEDULED,
        )
        return list(await self.session.scalars(locked(query)))

    async def agenda_of(self, meeting_id: UUID) -> list[AgendaItem]:
        rows = await self.session.scalars(
            select(AgendaItem)
            .where(a.c.organization_id == self.organization_id, a.c.meeting_id == meeting_id)
            .order_by(a.c.position)
        )
        return list(rows)

    async def add_agenda_items(self, items: Sequence[AgendaItem]) -> None:
        self.session.add_all(items)
        await self.session.flush()

    async def get_agenda_item(self, item_id: UUID) -> AgendaItem | None:
        return await self.session.scalar(
            select(AgendaItem).filter_by(organization_id=self.organization_id, id=item_id)
        )

    async def remove_agenda_item(self, item: AgendaItem) -> None:
        await self.session.delete(item)
        await self.session.flush()

    async def uncarried_items(self, series_id: UUID, *, before: datetime) -> list[AgendaItem]:
        later = a.alias("later")
        carried = select(later.c.id).where(later.c.carried_from_id == a.c.id).exists()
        rows = await self.session.scalars(
            select(AgendaItem)
            .join(m, m.c.id == a.c.meeting_id)
            .where(
                a.c.organization_id == self.organization_id,
                m.c.series_id == series_id,
                a.c.series_id == series_id,
                m.c.status.in_([MeetingStatus.HELD, MeetingStatus.CANCELLED]),
                m.c.scheduled_at < before,
                a.c.done.is_(False),
                ~carried,
            )
            .order_by(m.c.scheduled_at, a.c.position)
        )
        return list(rows)

    async def add_note(self, note: MeetingNote) -> None:
        self.session.add(note)
        await self.session.flush()

    async def get_note(self, note_id: UUID, *, for_update: bool = False) -> MeetingNote | None:
        query = select(MeetingNote).filter_by(organization_id=self.organization_id, id=note_id)
        return await self.session.scalar(locked(query, for_update))

    async def add_action_item(self, item: ActionItem) -> None:
        self.session.add(item)
        await self.session.flush()

    async def get_action_item(
        self, item_id: UUID, *, for_update: bool = False
    ) -> ActionItem | None:
        query = select(ActionItem).filter_by(organization_id=self.organization_id, id=item_id)
        return await self.session.scalar(locked(query, for_update))
