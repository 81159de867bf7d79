"""Reads of mentor offers, profiles and learning wishes, and the candidate
query of matching: the database filters and pre-ranks, so matching never
loads all offers (domain.matching scores the few it returns)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from domain.matching import (
    CANDIDATES_MAX,
    PROFICIENCY_AT_DESIRED,
    PROFICIENCY_BELOW_DESIRED,
    Criterion,
    MentorCandidate,
)
from domain.mentoring import (
    LearningWish,
    MentorLoad,
    MentorOffer,
    MentorProfile,
    OfferStatus,
    WishStatus,
)
from domain.people import PersonStatus
from domain.relationships import RelationshipKind, RelationshipStatus
from persistence.tables import (
    knowledge_areas,
    learning_wishes,
    mentor_offers,
    mentor_profiles,
    mentorship_areas,
    organizations,
    people,
    relationships,
    team_memberships,
)

o, mp, w, p, r = mentor_offers, mentor_profiles, learning_wishes, people, relationships
# Inline, not a bound parameter: a plan PostgreSQL prepares once and reuses
# can then still use the partial index on active offers.
ACTIVE_OFFER = o.c.status == literal_column("'ACTIVE'")
DECLINED_RECENTLY = timedelta(days=90)
"""Someone who declined (or was declined) is not suggested again before this."""


async def offers_of_people(
    session: AsyncSession, organization_id: UUID, person_ids: Sequence[UUID]
) -> dict[UUID, list[MentorOffer]]:
    """Live (active or paused) offers, by area name."""
    a = knowledge_areas
    rows = await session.scalars(
        select(MentorOffer)
        .join(a, a.c.id == o.c.knowledge_area_id)
        .where(
            o.c.organization_id == organization_id,
            o.c.mentor_id.in_(person_ids),
            o.c.status != OfferStatus.WITHDRAWN,
        )
        .order_by(func.lower(a.c.name), o.c.id)
    )
    result: dict[UUID, list[MentorOffer]] = defaultdict(list)
    for found in rows:
        result[found.mentor_id].append(found)
    return result


async def offers_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, MentorOffer]:
    """Offers are public within the organization: mentors offer to everyone."""
    rows = await session.scalars(
        select(MentorOffer).where(o.c.organization_id == organization_id, o.c.id.in_(ids))
    )
    return {found.id: found for found in rows}


async def profiles_of_people(
    session: AsyncSession, organization_id: UUID, person_ids: Sequence[UUID]
) -> dict[UUID, MentorProfile]:
    rows = await session.scalars(
        select(MentorProfile).where(
            mp.c.organization_id == organization_id, mp.c.person_id.in_(person_ids)
        )
    )
    return {found.person_id: found for found in rows}


async def wishes_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, LearningWish]:
    """A wish is its person's own."""
    rows = await session.scalars(
        select(LearningWish).where(
            w.c.organization_id == organization_id, w.c.id.in_(ids), w.c.person_id == viewer_id
        )
    )
    return {found.id: found for found in rows}


async def wishes_of(
    session: AsyncSession, organization_id: UUID, person_id: UUID
) -> list[LearningWish]:
    rows = await session.scalars(
        select(LearningWish)
        .where(w.c.organization_id == organization_id, w.c.person_id == person_id)
        .order_by(w.c.created_at.desc(), w.c.id)
    )
    return list(rows)


def _load_of(mentor_id: ColumnElement[UUID]) -> ColumnElement[int]:
    """How many people the mentor mentors now (for a query over offers)."""
    return (
        select(func.count())
        .where(
            r.c.leader_id == mentor_id,
            r.c.kind == RelationshipKind.MENTORSHIP,
            r.c.status == RelationshipStatus.ACTIVE,
        )
        .correlate(o)
        .scalar_subquery()
    )


# The mentor's own mentee capacity, else the organization's default (for a
# query joining people and organizations).
CAPACITY = func.coalesce(p.c.mentee_capacity, organizations.c.default_mentee_capacity)


def _best_possible(
    weights: Mapping[Criterion, float],
    wish: LearningWish,
    *,
    distance: ColumnElement[int],
    proficiency: ColumnElement[int],
    load: ColumnElement[int],
    capacity: ColumnElement[int],
    other_team: ColumnElement[bool],
) -> ColumnElement[float]:
    """The SQL twin of domain.matching.score, with availability (not known
    to SQL) at its best: no candidate can score higher than this, so
    ranking by it and cutting loses nobody who could make the first page
    (`candidates` says when it may have)."""
    values = {
        Criterion.AREA_FIT: 1.0 / (1 + distance),
        Criterion.PROFICIENCY: case(
            (proficiency > wish.desired, 1.0),
            (proficiency == wish.desired, PROFICIENCY_AT_DESIRED),
            else_=PROFICIENCY_BELOW_DESIRED
            * (proficiency - wish.current)
            / float(wish.desired - wish.current),
        ),
        Criterion.CAPACITY_LEFT: (capacity - load) / func.greatest(capacity, 1).cast(Float),
        Criterion.LOAD: 1.0 / (1 + load),
        Criterion.AVAILABILITY: literal(1.0),
        Criterion.PERSPECTIVE: case((other_team, 1.0), else_=0.0),
    }
    total = sum(weights.values())
    return sum((weights[criterion] / total) * value for criterion, value in values.items()) * 100  # type: ignore[return-value]


ACTIVE, PROPOSED = RelationshipStatus.ACTIVE, RelationshipStatus.PROPOSED


def _mentorship_in_area(
    mentor_id: ColumnElement[UUID], mentee_id: UUID, area_id: UUID, status: RelationshipStatus
) -> ColumnElement[bool]:
    """A mentorship of the area between the two in that status: the area
    rows carry their relationship's people and status, under a partial
    unique index per status, so this is one index probe."""
    a = mentorship_areas
    return (
        select(a.c.id)
        .where(
            a.c.leader_id == mentor_id,
            a.c.follower_id == mentee_id,
            a.c.knowledge_area_id == area_id,
            a.c.status == status,
        )
        .exists()
    )


async def candidates(
    session: AsyncSession,
    organization_id: UUID,
    *,
    wish: LearningWish,
    area_distances: Mapping[UUID, int],
    weights: Mapping[Criterion, float],
    now: datetime,
    offset: int = 0,
) -> list[MentorCandidate]:
    """Mentors with an active offer in one of the areas, above the wisher's
    current proficiency, accepting, below capacity; not the wisher, not
    someone who left, not a current mentor of theirs in the area, not one
    with a mentorship of the wished area proposed to them and not answered
    yet (asked already: they are left out until they answer), not someone
    either of them declined recently. One row per mentor (their
    closest area), CANDIDATES_MAX at a time from `offset`, best possible
    score first. One statement."""
    me = wish.person_id
    distance = case(
        *((o.c.knowledge_area_id == area, d) for area, d in area_distances.items()),
        else_=literal(99),
    )
    load = _load_of(o.c.mentor_id)
    between = or_(
        and_(r.c.leader_id == o.c.mentor_id, r.c.follower_id == me),
        and_(r.c.leader_id == me, r.c.follower_id == o.c.mentor_id),
    )
    already_mentors = _mentorship_in_area(o.c.mentor_id, me, wish.knowledge_area_id, ACTIVE)
    asked = _mentorship_in_area(o.c.mentor_id, me, wish.knowledge_area_id, PROPOSED)
    declined = (
        select(r.c.id)
        .where(
            between,
            r.c.kind == RelationshipKind.MENTORSHIP,
            r.c.status == RelationshipStatus.DECLINED,
            r.c.responded_at > now - DECLINED_RECENTLY,
        )
        .exists()
    )
    mine, theirs = team_memberships.alias("mine"), team_memberships.alias("theirs")
    shared_team = (
        select(mine.c.team_id)
        .join(theirs, and_(theirs.c.team_id == mine.c.team_id, theirs.c.ended_at.is_(None)))
        .where(
            mine.c.person_id == me, mine.c.ended_at.is_(None), theirs.c.person_id == o.c.mentor_id
        )
        .exists()
    )
    best = (
        select(
            o.c.mentor_id,
            p.c.name,
            p.c.timezone,
            o.c.knowledge_area_id,
            o.c.proficiency,
            load.label("load"),
            CAPACITY.label("capacity"),
            (~shared_team).label("other_team"),
            mp.c.availability,
            distance.label("distance"),
        )
        .join(p, and_(p.c.id == o.c.mentor_id, p.c.organization_id == o.c.organization_id))
        .join(organizations, organizations.c.id == o.c.organization_id)
        .join(mp, mp.c.person_id == o.c.mentor_id, isouter=True)
        .where(
            o.c.organization_id == organization_id,
            ACTIVE_OFFER,
            o.c.knowledge_area_id.in_(list(area_distances)),
            o.c.proficiency > wish.current,
            o.c.mentor_id != me,
            p.c.status == PersonStatus.ACTIVE,
            func.coalesce(mp.c.accepting, True),
            ~already_mentors,
            ~asked,
            ~declined,
        )
        .order_by(o.c.mentor_id, distance, o.c.proficiency.desc())
        .ext(distinct_on(o.c.mentor_id))
        .subquery()
    )
    bound = _best_possible(
        weights,
        wish,
        distance=best.c.distance,
        proficiency=best.c.proficiency,
        load=best.c.load,
        capacity=best.c.capacity,
        other_team=best.c.other_team,
    ).label("bound")
    rows = await session.execute(
        select(best, bound)
        .where(best.c.load < best.c.capacity)
        .order_by(bound.desc(), best.c.load, best.c.name, best.c.mentor_id)
        .offset(offset)
        .limit(CANDIDATES_MAX)
    )
    return [
        MentorCandidate(
            mentor_id=row.mentor_id,
            mentor_name=row.name,
            timezone=row.timezone,
            area_id=row.knowledge_area_id,
            proficiency=row.proficiency,
            load=row.load,
            capacity=row.capacity,
            other_team=row.other_team,
            availability=row.availability or [],
            best_possible=row.bound,
        )
        for row in rows
    ]


async def area_tree(
    session: AsyncSession, organization_id: UUID
) -> dict[UUID, tuple[UUID | None, str]]:
    """Every area of the organization: id -> (parent, name). Area trees are
    small (hundreds), and matching walks it for the fallback."""
    a = knowledge_areas
    rows = await session.execute(
        select(a.c.id, a.c.parent_id, a.c.name).where(a.c.organization_id == organization_id)
    )
    return {area_id: (parent_id, name) for area_id, parent_id, name in rows}


CHILD = knowledge_areas.alias("child")


def _good_mentor_offering(
    area: ColumnElement[bool], *, through_child: bool = False
) -> ColumnElement[bool]:
    """For a query over wishes: a mentor who could take the wish on offers
    mentoring in an area `area` names (the offer's area is CHILD, with
    `through_child`). Matching looks in three places (the wish's area, its
    parent, a child); one of these per place, not one with an OR, lets each
    reach the offers of one area through their index."""
    query = select(o.c.id)
    if through_child:
        query = query.join(CHILD, CHILD.c.id == o.c.knowledge_area_id)
    return (
        query.join(p, and_(p.c.id == o.c.mentor_id, p.c.organization_id == o.c.organization_id))
        .join(organizations, organizations.c.id == o.c.organization_id)
        .join(mp, mp.c.person_id == o.c.mentor_id, isouter=True)
        .where(
            area,
            o.c.organization_id == w.c.organization_id,
            ACTIVE_OFFER,
            o.c.proficiency >= w.c.desired,
            o.c.mentor_id != w.c.person_id,
            p.c.status == PersonStatus.ACTIVE,
            func.coalesce(mp.c.accepting, True),
            _load_of(o.c.mentor_id) < CAPACITY,
        )
        .exists()
    )


async def unmatched_wishes(
    session: AsyncSession, organization_id: UUID, area_ids: Sequence[UUID]
) -> dict[UUID, list[LearningWish]]:
    """Per area, its open wishes (of people still here) that no mentor could
    take on as wished: nobody offers the wish's area (or its parent or a
    child) at the desired level or above, accepts new mentees and has a
    place free. One statement; the wishes of the areas through their index,
    and the offers for each wish through theirs."""
    wished, wisher = knowledge_areas.alias("wished"), p.alias("wisher")
    good_mentor = or_(
        _good_mentor_offering(o.c.knowledge_area_id == w.c.knowledge_area_id),
        _good_mentor_offering(o.c.knowledge_area_id == wished.c.parent_id),
        _good_mentor_offering(CHILD.c.parent_id == w.c.knowledge_area_id, through_child=True),
    )
    rows = await session.scalars(
        select(LearningWish)
        .join(wished, wished.c.id == w.c.knowledge_area_id)
        .join(
            wisher,
            and_(wisher.c.id == w.c.person_id, wisher.c.organization_id == w.c.organization_id),
        )
        .where(
            w.c.organization_id == organization_id,
            w.c.knowledge_area_id.in_(area_ids),
            w.c.status == WishStatus.OPEN,
            wisher.c.status == PersonStatus.ACTIVE,
            ~good_mentor,
        )
        .order_by(w.c.created_at, w.c.id)
    )
    result: dict[UUID, list[LearningWish]] = defaultdict(list)
    for found in rows:
        result[found.knowledge_area_id].append(found)
    return result


async def mentors_near_capacity(
    session: AsyncSession, organization_id: UUID, area_ids: Sequence[UUID]
) -> dict[UUID, list[MentorLoad]]:
    """Per area, mentors with a live offer there and at most one place
    left, fullest first. One statement."""
    load = _load_of(o.c.mentor_id)
    rows = await session.execute(
        select(
            o.c.knowledge_area_id,
            o.c.mentor_id,
            p.c.name,
            load.label("load"),
            CAPACITY.label("capacity"),
        )
        .join(p, and_(p.c.id == o.c.mentor_id, p.c.organization_id == o.c.organization_id))
        .join(organizations, organizations.c.id == o.c.organization_id)
        .where(
            o.c.organization_id == organization_id,
            o.c.knowledge_area_id.in_(area_ids),
            o.c.status != OfferStatus.WITHDRAWN,
            p.c.status == PersonStatus.ACTIVE,
            load >= CAPACITY - 1,
        )
        .order_by(o.c.knowledge_area_id, (CAPACITY - load), p.c.name, o.c.mentor_id)
    )
    result: dict[UUID, list[MentorLoad]] = defaultdict(list)
    for area_id, mentor_id, name, mentor_load, mentor_capacity in rows:
        result[area_id].append(MentorLoad(mentor_id, name, mentor_load, mentor_capacity))
    return result
