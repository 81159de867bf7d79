"""Reads of 1-on-1s. Everything of a series is for its two participants
only (the participants table); a private note is for its author only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from domain.one_on_ones import (
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingNote,
    MeetingStatus,
    OneOnOneSeries,
)
from domain.pagination import Page, PageRequest
from domain.relationships import Relationship
from persistence.reads.pagination import keyset_page
from persistence.tables import (
    action_items,
    agenda_items,
    meeting_notes,
    one_on_one_meetings,
    one_on_one_participants,
    one_on_one_series,
    relationships,
)

s, p, m = one_on_one_series, one_on_one_participants, one_on_one_meetings
a, n, x, r = agenda_items, meeting_notes, action_items, relationships


def _participates(viewer_id: UUID, series_id: ColumnElement[UUID]) -> ColumnElement[bool]:
    return (
        select(p.c.person_id).where(p.c.series_id == series_id, p.c.person_id == viewer_id).exists()
    )


async def series_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, OneOnOneSeries]:
    rows = await session.scalars(
        select(OneOnOneSeries).where(
            s.c.organization_id == organization_id,
            s.c.id.in_(ids),
            _participates(viewer_id, s.c.id),
        )
    )
    return {found.id: found for found in rows}


async def series_of_relationships(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, OneOnOneSeries]:
    rows = await session.scalars(
        select(OneOnOneSeries).where(
            s.c.organization_id == organization_id,
            s.c.relationship_id.in_(ids),
            _participates(viewer_id, s.c.id),
        )
    )
    return {found.relationship_id: found for found in rows}


async def series_of_person(
    session: AsyncSession, organization_id: UUID, person_id: UUID
) -> list[OneOnOneSeries]:
    """Open series first, then by when they started."""
    rows = await session.scalars(
        select(OneOnOneSeries)
        .join(p, p.c.series_id == s.c.id)
        .where(s.c.organization_id == organization_id, p.c.person_id == person_id)
        .order_by(s.c.ended_at.is_not(None), s.c.created_at, s.c.id)
    )
    return list(rows)


async def meetings_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, Meeting]:
    rows = await session.scalars(
        select(Meeting).where(
            m.c.organization_id == organization_id,
            m.c.id.in_(ids),
            _participates(viewer_id, m.c.series_id),
        )
    )
    return {found.id: found for found in rows}


async def meetings_page(
    session: AsyncSession, organization_id: UUID, series_id: UUID, request: PageRequest
) -> Page[Meeting]:
    """Latest first. Callers pass a series the viewer participates in."""
    query = select(Meeting).where(
        m.c.organization_id == organization_id, m.c.series_id == series_id
    )
    return await keyset_page(session, query, (m.c.scheduled_at, m.c.id), request, descending=True)


async def next_meetings(
    session: AsyncSession, organization_id: UUID, series_ids: Sequence[UUID]
) -> dict[UUID, Meeting]:
    """The earliest scheduled meeting of each series."""
    rows = await session.scalars(
        select(Meeting)
        .where(
            m.c.organization_id == organization_id,
            m.c.series_id.in_(series_ids),
            m.c.status == MeetingStatus.SCHEDULED,
        )
        .order_by(m.c.series_id, m.c.scheduled_at, m.c.id)
        .ext(distinct_on(m.c.series_id))
    )
    return {found.series_id: found for found in rows}


async def held_before(
    session: AsyncSession, organization_id: UUID, meeting_ids: Sequence[UUID]
) -> dict[UUID, Meeting]:
    """For each meeting, the last meeting of its series held before it: a
    prep shows what changed since then (before the first, since the
    relationship started)."""
    this = m.alias("this")
    rows = await session.execute(
        select(this.c.id, Meeting)
        .join(this, this.c.series_id == m.c.series_id)
        .where(
            this.c.organization_id == organization_id,
            this.c.id.in_(meeting_ids),
            m.c.status == MeetingStatus.HELD,
            m.c.id != this.c.id,
            m.c.scheduled_at <= this.c.scheduled_at,
        )
        .order_by(this.c.id, m.c.scheduled_at.desc(), m.c.id)
        .ext(distinct_on(this.c.id))
    )
    return {meeting_id: found for meeting_id, found in rows}


async def agendas(
    session: AsyncSession, organization_id: UUID, meeting_ids: Sequence[UUID]
) -> dict[UUID, list[AgendaItem]]:
    rows = await session.scalars(
        select(AgendaItem)
        .where(a.c.organization_id == organization_id, a.c.meeting_id.in_(meeting_ids))
        .order_by(a.c.meeting_id, a.c.position)
    )
    result: dict[UUID, list[AgendaItem]] = defaultdict(list)
    for item in rows:
        result[item.meeting_id].append(item)
    return result


async def agenda_items_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, AgendaItem]:
    rows = await session.scalars(
        select(AgendaItem).where(
            a.c.organization_id == organization_id,
            a.c.id.in_(ids),
            _participates(viewer_id, a.c.series_id),
        )
    )
    return {item.id: item for item in rows}


def _readable_note(viewer_id: UUID) -> ColumnElement[bool]:
    """Shared notes for both participants; a private note for its author,
    whoever else asks."""
    return and_(
        _participates(viewer_id, n.c.series_id),
        or_(n.c.private.is_(False), n.c.author_id == viewer_id),
    )


async def notes_of_meetings(
    session: AsyncSession, organization_id: UUID, meeting_ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, list[MeetingNote]]:
    rows = await session.scalars(
        select(MeetingNote)
        .where(
            n.c.organization_id == organization_id,
            n.c.meeting_id.in_(meeting_ids),
            _readable_note(viewer_id),
        )
        .order_by(n.c.meeting_id, n.c.created_at, n.c.id)
    )
    result: dict[UUID, list[MeetingNote]] = defaultdict(list)
    for note in rows:
        result[note.meeting_id].append(note)
    return result


async def notes_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, MeetingNote]:
    rows = await session.scalars(
        select(MeetingNote).where(
            n.c.organization_id == organization_id, n.c.id.in_(ids), _readable_note(viewer_id)
        )
    )
    return {note.id: note for note in rows}


async def action_items_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, ActionItem]:
    rows = await session.scalars(
        select(ActionItem).where(
            x.c.organization_id == organization_id,
            x.c.id.in_(ids),
            _participates(viewer_id, x.c.series_id),
        )
    )
    return {item.id: item for item in rows}


async def action_items_of_meetings(
    session: AsyncSession, organization_id: UUID, meeting_ids: Sequence[UUID]
) -> dict[UUID, list[ActionItem]]:
    rows = await session.scalars(
        select(ActionItem)
        .where(x.c.organization_id == organization_id, x.c.meeting_id.in_(meeting_ids))
        .order_by(x.c.meeting_id, x.c.created_at, x.c.id)
    )
    result: dict[UUID, list[ActionItem]] = defaultdict(list)
    for item in rows:
        result[item.meeting_id].append(item)
    return result


async def open_action_items(
    session: AsyncSession, organization_id: UUID, series_ids: Sequence[UUID]
) -> dict[UUID, list[ActionItem]]:
    """Open items of each series, soonest due first (undated last)."""
    rows = await session.scalars(
        select(ActionItem)
        .where(
            x.c.organization_id == organization_id,
            x.c.series_id.in_(series_ids),
            x.c.done_at.is_(None),
        )
        .order_by(x.c.series_id, x.c.due_on.asc().nulls_last(), x.c.created_at, x.c.id)
    )
    result: dict[UUID, list[ActionItem]] = defaultdict(list)
    for item in rows:
        result[item.series_id].append(item)
    return result


async def relationship_changes(
    session: AsyncSession, organization_id: UUID, keys: Sequence[tuple[UUID, datetime]]
) -> dict[tuple[UUID, datetime], list[Relationship]]:
    """Per (person, since): the person's relationships that started or ended
    since then, newest change first."""
    result: dict[tuple[UUID, datetime], list[Relationship]] = defaultdict(list)
    conditions = []
    for person_id, since in keys:
        involves = or_(r.c.leader_id == person_id, r.c.follower_id == person_id)
        changed = or_(r.c.started_at > since, r.c.ended_at > since)
        conditions.append(and_(involves, changed))
    rows = await session.scalars(
        select(Relationship)
        .where(r.c.organization_id == organization_id, or_(*conditions))
        .order_by(r.c.started_at.desc(), r.c.id)
    )
    for relationship in rows:
        for person_id, since in keys:
            if relationship.involves(person_id) and (
                (relationship.started_at is not None and relationship.started_at > since)
                or (relationship.ended_at is not None and relationship.ended_at > since)
            ):
                result[(person_id, since)].append(relationship)
    return result
