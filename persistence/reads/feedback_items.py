"""Reads of feedback given unasked, and of who a piece of feedback is
shared with. The rule of who may read feedback lives here, in SQL: its
owner; the giver of an item; a person a share of it reaches now (while the
relationship it was shared in lasts, or while a colleague it was shared
with by name is a member, and in both cases while its owner is one;
domain.shares)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.feedback_items import (
    ActionKind,
    FeedbackAction,
    FeedbackItem,
    FeedbackRef,
    FeedbackShare,
)
from domain.pagination import Page, PageRequest
from domain.talking_points import TalkingPoint
from persistence.reads.pagination import keyset_page
from persistence.reads.shares import reaches
from persistence.tables import (
    feedback_actions,
    feedback_items,
    feedback_shares,
    relationships,
    talking_points,
)
from persistence.tables.feedback_items import source

f, s, a, rel = feedback_items, feedback_shares, feedback_actions, relationships
share_source, action_source = source(s), source(a)


def shared_with(viewer_id: UUID, source_id: ColumnElement[UUID]) -> ColumnElement[bool]:
    """An active share of the feedback `source_id` that reaches the viewer
    now (persistence.reads.shares.reaches)."""
    return (
        select(s.c.id)
        .where(share_source == source_id, s.c.revoked_at.is_(None), reaches(s, viewer_id))
        .exists()
    )


def _visible(viewer_id: UUID) -> ColumnElement[bool]:
    return or_(
        f.c.subject_id == viewer_id, f.c.giver_id == viewer_id, shared_with(viewer_id, f.c.id)
    )


async def items_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, FeedbackItem]:
    rows = await session.scalars(
        select(FeedbackItem).where(
            f.c.organization_id == organization_id, f.c.id.in_(ids), _visible(viewer_id)
        )
    )
    return {item.id: item for item in rows}


async def received_page(
    session: AsyncSession,
    organization_id: UUID,
    subject_id: UUID,
    request: PageRequest,
    *,
    viewer_id: UUID,
    shared_only: bool = False,
    since: datetime | None = None,
) -> Page[FeedbackItem]:
    """Items about the subject that the viewer may read, newest first; with
    `shared_only`, not those the viewer gave (what the subject shared); with
    `since`, only those given after then."""
    query = select(FeedbackItem).where(
        f.c.organization_id == organization_id, f.c.subject_id == subject_id, _visible(viewer_id)
    )
    if shared_only and viewer_id != subject_id:
        query = query.where(f.c.giver_id != viewer_id)
    if since is not None:
        query = query.where(f.c.created_at > since)
    return await keyset_page(session, query, (f.c.created_at, f.c.id), request, descending=True)


async def given_page(
    session: AsyncSession, organization_id: UUID, giver_id: UUID, request: PageRequest
) -> Page[FeedbackItem]:
    query = select(FeedbackItem).where(
        f.c.organization_id == organization_id, f.c.giver_id == giver_id
    )
    return await keyset_page(session, query, (f.c.created_at, f.c.id), request, descending=True)


async def shared_with_viewer(
    session: AsyncSession, organization_id: UUID, source_ids: Sequence[UUID], *, viewer_id: UUID
) -> set[UUID]:
    """Which of these items or requests are shared with the viewer now."""
    rows = await session.scalars(
        select(share_source).where(
            s.c.organization_id == organization_id,
            share_source.in_(source_ids),
            s.c.revoked_at.is_(None),
            reaches(s, viewer_id),
        )
    )
    return set(rows)


async def active_shares(
    session: AsyncSession, organization_id: UUID, source_ids: Sequence[UUID]
) -> dict[UUID, list[FeedbackShare]]:
    """For the owner only: with whom each item or request is shared (shares
    not revoked, whether they still reach someone or not)."""
    rows = await session.scalars(
        select(FeedbackShare)
        .where(
            s.c.organization_id == organization_id,
            share_source.in_(source_ids),
            s.c.revoked_at.is_(None),
        )
        .order_by(s.c.created_at, s.c.id)
    )
    result: dict[UUID, list[FeedbackShare]] = defaultdict(list)
    for found in rows:
        result[found.source_id].append(found)
    return result


async def actions(
    session: AsyncSession, organization_id: UUID, source_ids: Sequence[UUID]
) -> dict[UUID, list[FeedbackAction]]:
    rows = await session.scalars(
        select(FeedbackAction)
        .where(a.c.organization_id == organization_id, action_source.in_(source_ids))
        .order_by(a.c.created_at, a.c.id)
    )
    result: dict[UUID, list[FeedbackAction]] = defaultdict(list)
    for found in rows:
        result[found.ref.source_id].append(found)
    return result


async def talking_points_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, TalkingPoint]:
    """Talking points of the viewer's own relationships."""
    t = talking_points
    mine = (
        select(rel.c.id)
        .where(
            rel.c.id == t.c.relationship_id,
            or_(rel.c.leader_id == viewer_id, rel.c.follower_id == viewer_id),
        )
        .exists()
    )
    rows = await session.scalars(
        select(TalkingPoint).where(t.c.organization_id == organization_id, t.c.id.in_(ids), mine)
    )
    return {point.id: point for point in rows}


async def sources_of_talking_points(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, FeedbackRef]:
    """The feedback each talking point was raised from, for the person that
    feedback is about only (its owner, who raised it): to anyone else a
    talking point is just its text."""
    rows = await session.execute(
        select(a.c.talking_point_id, a.c.item_id, a.c.request_id).where(
            a.c.organization_id == organization_id,
            a.c.talking_point_id.in_(ids),
            a.c.kind == ActionKind.TALKING_POINT,
            a.c.owner_id == viewer_id,
        )
    )
    return {point_id: FeedbackRef(item_id, request_id) for point_id, item_id, request_id in rows}
