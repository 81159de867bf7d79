"""Offering mentoring, wishing to learn, and asking a matched mentor.

Asking is a MENTORSHIP proposal of the relationships work, so the mentor's
consent, their capacity and one active mentorship per mentor, mentee and
area hold exactly as there (also under concurrent acceptances). When such
a mentorship starts, the mentee's open wishes for its areas are fulfilled
(domain.services.relationships.accept).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain.actors import Actor
from domain.availability import Window
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.mentoring import (
    LearningWish,
    MentorOffer,
    MentorProfile,
    WishStatus,
)
from domain.ports import UnitOfWork
from domain.relationships import Relationship, RelationshipKind, Side
from domain.services import relationships


async def offer(
    uow: UnitOfWork,
    actor: Actor,
    *,
    knowledge_area_id: UUID,
    proficiency: int,
    note: str = "",
    now: datetime,
) -> MentorOffer:
    if await uow.areas.get(knowledge_area_id) is None:
        raise NotFound("KnowledgeArea")
    created = MentorOffer.create(
        organization_id=actor.organization_id,
        mentor_id=actor.person_id,
        knowledge_area_id=knowledge_area_id,
        proficiency=proficiency,
        note=note,
        now=now,
    )
    await uow.mentoring.add_offer(created)
    return created


async def own_offer(uow: UnitOfWork, actor: Actor, offer_id: UUID) -> MentorOffer:
    found = await uow.mentoring.get_offer(offer_id, for_update=True)
    if found is None or found.mentor_id != actor.person_id:
        raise NotFound("MentorOffer")
    return found


async def set_profile(
    uow: UnitOfWork,
    actor: Actor,
    *,
    accepting: bool | None = None,
    availability: Sequence[Window] | None = None,
    now: datetime,
) -> MentorProfile:
    """Accepting new mentees, and weekly availability in your own timezone."""
    profile = await uow.mentoring.get_profile(actor.person_id, for_update=True)
    if profile is None:
        profile = MentorProfile.create(
            organization_id=actor.organization_id,
            person_id=actor.person_id,
            accepting=True if accepting is None else accepting,
            availability=availability or [],
            now=now,
        )
        await uow.mentoring.add_profile(profile)
    else:
        profile.update(accepting=accepting, availability=availability, now=now)
    return profile


async def wish(
    uow: UnitOfWork,
    actor: Actor,
    *,
    knowledge_area_id: UUID,
    current: int,
    desired: int,
    availability: Sequence[Window] = (),
    goal_id: UUID | None = None,
    now: datetime,
) -> LearningWish:
    created = LearningWish.create(
        organization_id=actor.organization_id,
        person_id=actor.person_id,
        knowledge_area_id=knowledge_area_id,
        current=current,
        desired=desired,
        availability=availability,
        goal_id=goal_id,
        now=now,
    )
    if await uow.areas.get(knowledge_area_id) is None:
        raise NotFound("KnowledgeArea")
    if goal_id is not None:
        goal = await uow.goals.get(goal_id)
        if goal is None or goal.owner_id != actor.person_id:
            raise NotFound("Goal")
    await uow.mentoring.add_wish(created)
    return created


async def own_wish(uow: UnitOfWork, actor: Actor, wish_id: UUID) -> LearningWish:
    found = await uow.mentoring.get_wish(wish_id, for_update=True)
    if found is None or found.person_id != actor.person_id:
        raise NotFound("LearningWish")
    return found


async def withdraw_wish(
    uow: UnitOfWork, actor: Actor, wish_id: UUID, *, now: datetime
) -> LearningWish:
    found = await own_wish(uow, actor, wish_id)
    found.close(WishStatus.WITHDRAWN, now)
    return found


async def ask_mentor(
    uow: UnitOfWork,
    actor: Actor,
    wish_id: UUID,
    *,
    mentor_id: UUID,
    message: str = "",
    now: datetime,
) -> Relationship:
    """A mentorship proposal for the wish's area, to a mentor who accepts
    new mentees and offers mentoring in that area, above it or below it in
    the tree (where matching looks). Asking again while the first is
    pending is a duplicate proposal, like any other."""
    found = await own_wish(uow, actor, wish_id)
    if not found.is_open:
        raise Conflict(f"This wish is {found.status.value.lower()}.", code="WISH_CLOSED")
    try:
        return await relationships.propose(
            uow,
            actor,
            kind=RelationshipKind.MENTORSHIP,
            other_person_id=mentor_id,
            side=Side.FOLLOWER,
            knowledge_area_ids=[found.knowledge_area_id],
            message=message,
            mentor_offer_required=True,
            now=now,
        )
    except (ValidationFailed, Conflict) as error:
        if error.field == "personId":  # the relationships input's name for the other person
            error.field = "mentorId"
        raise
