from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.pagination import Page, PageRequest
from domain.people import Person, PersonStatus
from domain.relationships import Relationship, RelationshipKind, RelationshipStatus
from persistence.reads.pagination import by_name, keyset_page
from persistence.tables import mentorship_areas, notifications, people, relationships

r = relationships


def visible_to(viewer_id: UUID) -> ColumnElement[bool]:
    """SQL twin of domain.relationships.visible_to."""
    return or_(
        r.c.leader_id == viewer_id,
        r.c.follower_id == viewer_id,
        and_(r.c.kind != RelationshipKind.COACHING, r.c.started_at.is_not(None)),
    )


async def relationships_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, Relationship]:
    rows = await session.scalars(
        select(Relationship).where(r.c.organization_id == organization_id, r.c.id.in_(ids))
    )
    return {x.id: x for x in rows}


async def areas_of_relationships(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, list[UUID]]:
    m = mentorship_areas
    rows = await session.execute(
        select(m.c.relationship_id, m.c.knowledge_area_id).where(
            m.c.organization_id == organization_id, m.c.relationship_id.in_(ids)
        )
    )
    result: dict[UUID, list[UUID]] = defaultdict(list)
    for relationship_id, area_id in rows:
        result[relationship_id].append(area_id)
    return result


async def active_by_side(
    session: AsyncSession,
    organization_id: UUID,
    kind: RelationshipKind,
    side: str,
    person_ids: Sequence[UUID],
) -> dict[UUID, list[Relationship]]:
    """Active relationships of a kind, grouped by the person on `side`
    ("leader": whom they lead; "follower": who leads them), oldest first."""
    column = r.c.leader_id if side == "leader" else r.c.follower_id
    rows = await session.scalars(
        select(Relationship)
        .where(
            r.c.organization_id == organization_id,
            r.c.kind == kind,
            r.c.status == RelationshipStatus.ACTIVE,
            column.in_(person_ids),
        )
        .order_by(r.c.started_at, r.c.id)
    )
    result: dict[UUID, list[Relationship]] = defaultdict(list)
    for relationship in rows:
        key = relationship.leader_id if side == "leader" else relationship.follower_id
        result[key].append(relationship)
    return result


async def last_activity(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, object]:
    """When something last happened in each relationship: the newest of its
    events (proposal, answer, renewal, reminder, ending)."""
    n = notifications
    rows = await session.execute(
        select(n.c.relationship_id, func.max(n.c.created_at))
        .where(n.c.organization_id == organization_id, n.c.relationship_id.in_(ids))
        .group_by(n.c.relationship_id)
    )
    return {key: value for key, value in rows}


async def proposals(
    session: AsyncSession, organization_id: UUID, person_id: UUID, *, to_person: bool
) -> list[Relationship]:
    """Open proposals awaiting this person's answer, or made by them."""
    party = or_(r.c.leader_id == person_id, r.c.follower_id == person_id)
    rows = await session.scalars(
        select(Relationship)
        .where(
            r.c.organization_id == organization_id,
            r.c.status == RelationshipStatus.PROPOSED,
            party,
            (r.c.proposed_by_id != person_id) if to_person else (r.c.proposed_by_id == person_id),
        )
        .order_by(r.c.proposed_at.desc(), r.c.id)
    )
    return list(rows)


async def due_for_review(
    session: AsyncSession, organization_id: UUID, person_id: UUID, today: date
) -> list[Relationship]:
    rows = await session.scalars(
        select(Relationship)
        .where(
            r.c.organization_id == organization_id,
            r.c.status == RelationshipStatus.ACTIVE,
            or_(r.c.leader_id == person_id, r.c.follower_id == person_id),
            r.c.review_on <= today,
        )
        .order_by(r.c.review_on, r.c.id)
    )
    return list(rows)


async def history_page(
    session: AsyncSession,
    organization_id: UUID,
    person_id: UUID,
    viewer_id: UUID,
    request: PageRequest,
) -> Page[Relationship]:
    """Every relationship the person was ever part of that the viewer may
    see, newest proposal first."""
    query = select(Relationship).where(
        r.c.organization_id == organization_id,
        or_(r.c.leader_id == person_id, r.c.follower_id == person_id),
        visible_to(viewer_id),
    )
    return await keyset_page(
        session,
        query,
        (r.c.proposed_at, r.c.id),
        request,
        descending=True,
    )


def established_at(at: datetime) -> ColumnElement[bool]:
    """Started by then and not ended yet (time travel over the history; at a
    handover's moment the new stewardship holds, not the old)."""
    return and_(r.c.started_at <= at, or_(r.c.ended_at.is_(None), r.c.ended_at > at))


async def stewardships_at(
    session: AsyncSession, organization_id: UUID, keys: Sequence[tuple[UUID, datetime]]
) -> dict[tuple[UUID, datetime], Relationship]:
    """Per (person, moment): the stewardship that held then. One statement
    per distinct moment (usually one)."""
    by_moment: dict[datetime, list[UUID]] = defaultdict(list)
    for person_id, at in keys:
        by_moment[at].append(person_id)
    result: dict[tuple[UUID, datetime], Relationship] = {}
    for at, person_ids in by_moment.items():
        rows = await session.scalars(
            select(Relationship).where(
                r.c.organization_id == organization_id,
                r.c.kind == RelationshipKind.STEWARDSHIP,
                r.c.follower_id.in_(person_ids),
                established_at(at),
            )
        )
        for relationship in rows:
            result[(relationship.follower_id, at)] = relationship
    return result


async def stewardships_page(
    session: AsyncSession, organization_id: UUID, person_id: UUID, request: PageRequest
) -> Page[Relationship]:
    """Who stewarded the person, newest start first: every stewardship of
    theirs that started (transparent to the organization like all
    established ones; proposals stay out)."""
    query = select(Relationship).where(
        r.c.organization_id == organization_id,
        r.c.kind == RelationshipKind.STEWARDSHIP,
        r.c.follower_id == person_id,
        r.c.started_at.is_not(None),
    )
    return await keyset_page(session, query, (r.c.started_at, r.c.id), request, descending=True)


async def people_without_steward_page(
    session: AsyncSession, organization_id: UUID, request: PageRequest
) -> Page[Person]:
    has_steward = (
        select(r.c.id)
        .where(
            r.c.follower_id == people.c.id,
            r.c.kind == RelationshipKind.STEWARDSHIP,
            r.c.status == RelationshipStatus.ACTIVE,
        )
        .exists()
    )
    query = select(Person).where(
        people.c.organization_id == organization_id,
        people.c.status == PersonStatus.ACTIVE,
        ~has_steward,
    )
    return await keyset_page(
        session,
        query,
        (by_name(people.c.name), people.c.id),
        request,
    )


async def active_load(
    session: AsyncSession, organization_id: UUID, kind: RelationshipKind, leader_ids: Sequence[UUID]
) -> dict[UUID, int]:
    rows = await session.execute(
        select(r.c.leader_id, func.count())
        .where(
            r.c.organization_id == organization_id,
            r.c.kind == kind,
            r.c.status == RelationshipStatus.ACTIVE,
            r.c.leader_id.in_(leader_ids),
        )
        .group_by(r.c.leader_id)
    )
    return {key: value for key, value in rows}
