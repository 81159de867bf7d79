"""Proposing, answering, ending and renewing leadership relationships.

Concurrency: accepting locks both people's rows (in id order, so two
acceptances never deadlock) before checking a person's stewardship and a
leader's capacity. The database enforces the same invariants (a partial
unique index, a capacity trigger, an area index), so a path that forgot the
lock still could not break them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from domain import capacity, mentoring
from domain.actors import Actor
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.knowledge_areas import on_one_branch
from domain.mentoring import WishStatus
from domain.notifications import Notification, NotificationKind
from domain.people import Person
from domain.ports import UnitOfWork
from domain.relationships import (
    MentorshipArea,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
    Side,
    duplicate_proposal,
)
from domain.services import agreements, coaching, one_on_ones


async def propose(
    uow: UnitOfWork,
    actor: Actor,
    *,
    kind: RelationshipKind,
    other_person_id: UUID,
    side: Side,
    knowledge_area_ids: Sequence[UUID] = (),
    message: str = "",
    review_on: date | None = None,
    mentor_offer_required: bool = False,
    now: datetime,
) -> Relationship:
    """`side` is the proposer's side: LEADER offers to lead the other person,
    FOLLOWER asks the other person to lead them. A mentee's proposal goes
    only to a mentor who takes new mentees in its areas; asking through
    matching (`mentor_offer_required`) also needs the mentor's offer there.

    Two identical proposals at once: both pass the duplicate check, and the
    database's partial unique index (per pair and kind, and for a mentorship
    per area) refuses the second with the same error, naming the first."""
    me = await _person(uow, actor.person_id, field="viewer")
    other = await _person(uow, other_person_id, field="personId")
    leader, follower = (me, other) if side is Side.LEADER else (other, me)
    area_ids = await _areas(uow, kind, knowledge_area_ids)
    replaces_id = None
    if kind is RelationshipKind.STEWARDSHIP:
        current = await uow.relationships.active_stewardship_of(follower.id)
        if current is not None and current.leader_id == leader.id:
            raise Conflict(
                f"{leader.name} already stewards {follower.name}.", code="ALREADY_ACTIVE"
            )
        replaces_id = current.id if current else None
    relationship = Relationship.propose(
        organization_id=actor.organization_id,
        kind=kind,
        leader_id=leader.id,
        follower_id=follower.id,
        proposed_by_id=me.id,
        message=message,
        review_on=review_on,
        replaces_id=replaces_id,
        now=now,
    )
    await _refuse_duplicates(uow, relationship, area_ids)
    if kind is RelationshipKind.MENTORSHIP and me.id == follower.id:
        await _require_taking_mentees(uow, leader, area_ids, offer_required=mentor_offer_required)
    await _check_capacity(uow, relationship, leader)
    await uow.relationships.add(relationship)
    await uow.relationships.add_areas(
        [
            MentorshipArea(
                organization_id=actor.organization_id,
                relationship_id=relationship.id,
                knowledge_area_id=area_id,
                leader_id=leader.id,
                follower_id=follower.id,
            )
            for area_id in area_ids
        ]
    )
    await _notify(
        uow,
        relationship,
        NotificationKind.RELATIONSHIP_PROPOSED,
        [relationship.responder_id],
        actor,
        now,
    )
    return relationship


async def accept(
    uow: UnitOfWork, actor: Actor, relationship_id: UUID, *, now: datetime
) -> Relationship:
    relationship = await _visible(uow, actor, relationship_id)
    await uow.people.lock(sorted({relationship.leader_id, relationship.follower_id}))
    relationship = await _visible(uow, actor, relationship_id, for_update=True)
    relationship.check_acceptable_by(actor.person_id)
    leader = await _person(uow, relationship.leader_id, field="leader")
    follower = await _person(uow, relationship.follower_id, field="follower")
    # Every check reads the state before anything changes: queries flush, so
    # an early change would be counted by the checks themselves.
    current = None
    if relationship.kind is RelationshipKind.STEWARDSHIP:
        current = await uow.relationships.active_stewardship_of(follower.id, for_update=True)
        if (current.id if current else None) != relationship.replaces_id:
            raise Conflict(
                f"{follower.name}'s stewardship changed since this was proposed; "
                "propose again if it still makes sense.",
                code="STEWARDSHIP_CHANGED",
            )
    if relationship.kind is RelationshipKind.MENTORSHIP:
        areas = set(await uow.relationships.area_ids(relationship.id))
        taken = areas & await uow.relationships.active_mentorship_areas(
            relationship.leader_id, relationship.follower_id
        )
        if taken:
            raise Conflict(
                "You already have an active mentorship in one of these areas.",
                code="ALREADY_ACTIVE",
            )
    await _check_capacity(uow, relationship, leader)
    if current is not None:
        current.hand_over(now, by=actor.person_id)
        await _closed(uow, current, by=actor.person_id, now=now)
        await uow.flush()  # the old one ends before the new one starts
    relationship.accept(actor.person_id, now)
    await uow.flush()
    if relationship.kind is RelationshipKind.MENTORSHIP:
        # The mentee's open learning wishes in these areas are met.
        area_ids = await uow.relationships.area_ids(relationship.id)
        for wish in await uow.mentoring.open_wishes_of(relationship.follower_id, area_ids):
            wish.close(WishStatus.FULFILLED, now)
    if current is None:
        await _notify(
            uow,
            relationship,
            NotificationKind.RELATIONSHIP_ACCEPTED,
            [relationship.proposed_by_id],
            actor,
            now,
        )
    else:
        # A handover changes things for three people: the person and both
        # stewards each get one notice, the one who accepted included (it
        # records the change for them too), instead of an acceptance. It
        # links the new stewardship: its leader is the new steward, its
        # `handedOverFrom` the old one.
        await _notify(
            uow,
            relationship,
            NotificationKind.STEWARDSHIP_HANDED_OVER,
            [follower.id, current.leader_id, relationship.leader_id],
            actor,
            now,
            tell_actor=True,
        )
    return relationship


async def decline(
    uow: UnitOfWork, actor: Actor, relationship_id: UUID, *, reason: str = "", now: datetime
) -> Relationship:
    """The optional reason is for the proposer (and the decliner) only."""
    relationship = await _visible(uow, actor, relationship_id, for_update=True)
    relationship.decline(actor.person_id, now, reason)
    await _notify(
        uow,
        relationship,
        NotificationKind.RELATIONSHIP_DECLINED,
        [relationship.proposed_by_id],
        actor,
        now,
    )
    return relationship


async def withdraw(
    uow: UnitOfWork, actor: Actor, relationship_id: UUID, *, now: datetime
) -> Relationship:
    relationship = await _visible(uow, actor, relationship_id, for_update=True)
    relationship.withdraw(actor.person_id, now)
    await _notify(
        uow,
        relationship,
        NotificationKind.RELATIONSHIP_WITHDRAWN,
        [relationship.responder_id],
        actor,
        now,
    )
    return relationship


async def end(
    uow: UnitOfWork, actor: Actor, relationship_id: UUID, *, reason: str, now: datetime
) -> Relationship:
    relationship = await _visible(uow, actor, relationship_id, for_update=True)
    relationship.end(actor.person_id, now, reason)
    await _closed(uow, relationship, by=actor.person_id, now=now)
    await _notify(
        uow,
        relationship,
        NotificationKind.RELATIONSHIP_ENDED,
        [relationship.other(actor.person_id)],
        actor,
        now,
    )
    return relationship


async def renew(
    uow: UnitOfWork, actor: Actor, relationship_id: UUID, *, review_on: date, now: datetime
) -> Relationship:
    relationship = await _visible(uow, actor, relationship_id, for_update=True)
    relationship.renew(actor.person_id, review_on, now.date())
    await _notify(
        uow,
        relationship,
        NotificationKind.RELATIONSHIP_RENEWED,
        [relationship.other(actor.person_id)],
        actor,
        now,
    )
    return relationship


async def set_capacity(
    uow: UnitOfWork, actor: Actor, *, kind: RelationshipKind, value: int
) -> Person:
    """A person sets how many people they lead in this way."""
    await uow.people.lock([actor.person_id])
    me = await _person(uow, actor.person_id, field="viewer")
    load = await uow.relationships.count_active_led(me.id, kind)
    capacity.check_new_capacity(kind, value, load=load)
    me.set_capacity(kind, value)
    return me


async def send_review_reminders(uow: UnitOfWork, *, now: datetime) -> int:
    """Once per review date, both people hear that their relationship is due
    for review. Returns how many relationships were reminded."""
    today = now.date()
    due = await uow.relationships.due_for_review(today, for_update=True)
    for relationship in due:
        relationship.review_reminded_on = today
        await _notify(
            uow,
            relationship,
            NotificationKind.RELATIONSHIP_REVIEW_DUE,
            [relationship.leader_id, relationship.follower_id],
            None,
            now,
        )
    return len(due)


async def close_all_of(uow: UnitOfWork, person_id: UUID, *, by: UUID, now: datetime) -> None:
    """Someone left: their active relationships end and open proposals lapse."""
    for relationship in await uow.relationships.open_involving(person_id, for_update=True):
        if relationship.status is RelationshipStatus.ACTIVE:
            relationship.close_because_left(now, by=by)
            await _closed(uow, relationship, by=by, now=now)
            await _notify(
                uow,
                relationship,
                NotificationKind.RELATIONSHIP_ENDED,
                [relationship.other(person_id)],
                None,
                now,
            )
        else:
            relationship.lapse_because_left(now)


# -- helpers ---------------------------------------------------------------


async def _closed(uow: UnitOfWork, relationship: Relationship, *, by: UUID, now: datetime) -> None:
    """What ends with a relationship: the autonomy agreements made within it
    and its 1-on-1s end, and coach sessions still ahead are cancelled. Goals
    and feedback shared within it need nothing here: a share counts only while
    the relationship it was made in is active (domain.shares), so it ends with
    it by itself."""
    await agreements.end_with_relationship(uow, relationship.id, by=by, now=now)
    await one_on_ones.end_with_relationship(uow, relationship.id, now=now)
    if relationship.kind is RelationshipKind.COACHING:
        await coaching.end_with_relationship(uow, relationship, by=by, now=now)


async def _person(uow: UnitOfWork, person_id: UUID, *, field: str) -> Person:
    person = await uow.people.get(person_id)
    if person is None:
        raise NotFound("Person")
    if not person.is_active:
        raise Conflict(f"{person.name} has left the organization.", code="PERSON_LEFT", field=field)
    return person


async def _visible(
    uow: UnitOfWork, actor: Actor, relationship_id: UUID, *, for_update: bool = False
) -> Relationship:
    """Only the two people can act on a relationship; to anyone else it does
    not exist (a pending proposal between others is not theirs to see)."""
    relationship = await uow.relationships.get(relationship_id, for_update=for_update)
    if relationship is None or not relationship.involves(actor.person_id):
        raise NotFound("Relationship")
    return relationship


async def _areas(uow: UnitOfWork, kind: RelationshipKind, area_ids: Sequence[UUID]) -> list[UUID]:
    unique = list(dict.fromkeys(area_ids))
    if kind is not RelationshipKind.MENTORSHIP:
        if unique:
            raise ValidationFailed(
                "knowledgeAreaIds",
                "Only a mentorship has knowledge areas.",
                code="AREAS_NOT_ALLOWED",
            )
        return []
    if not unique:
        raise ValidationFailed(
            "knowledgeAreaIds",
            "A mentorship covers at least one knowledge area.",
            code="AREAS_REQUIRED",
        )
    for area_id in unique:
        if await uow.areas.get(area_id) is None:
            raise NotFound("KnowledgeArea")
    return unique


async def _refuse_duplicates(
    uow: UnitOfWork, relationship: Relationship, area_ids: list[UUID]
) -> None:
    for existing in await uow.relationships.open_between(
        relationship.kind, relationship.leader_id, relationship.follower_id
    ):
        overlap = True
        if relationship.kind is RelationshipKind.MENTORSHIP:
            overlap = bool(set(area_ids) & set(await uow.relationships.area_ids(existing.id)))
        if not overlap:
            continue
        if not existing.is_active and existing.replaces_id != relationship.replaces_id:
            # A stewardship proposal made before the person's stewardship
            # changed can never be accepted (STEWARDSHIP_CHANGED, "propose
            # again"): it must not block the fresh proposal.
            continue
        if existing.is_active:
            raise Conflict("You already have this relationship.", code="ALREADY_ACTIVE")
        raise duplicate_proposal(existing.id)


async def _require_taking_mentees(
    uow: UnitOfWork, mentor: Person, area_ids: Sequence[UUID], *, offer_required: bool
) -> None:
    """The mentor's own word on whether they take new mentees in these
    areas (domain.mentoring.takes_new_mentees) is respected by every way of
    asking them."""
    profile = await uow.mentoring.get_profile(mentor.id)
    offers = await uow.mentoring.live_offers_of(mentor.id)
    parents = await uow.areas.parents()
    for area_id in area_ids:
        near = [o for o in offers if on_one_branch(parents, o.knowledge_area_id, area_id)]
        if not mentoring.takes_new_mentees(profile, near, offer_required=offer_required):
            raise Conflict(
                "This person is not taking new mentees.", code="NOT_ACCEPTING", field="personId"
            )


async def _check_capacity(uow: UnitOfWork, relationship: Relationship, leader: Person) -> None:
    if not capacity.is_limited(relationship.kind):
        return
    organization = await uow.organizations.get(relationship.organization_id)
    assert organization is not None
    capacity.check_room(
        relationship.kind,
        load=await uow.relationships.count_active_led(leader.id, relationship.kind),
        capacity=leader.capacity_for(relationship.kind, organization),
        leader_name=leader.name,
    )


async def _notify(
    uow: UnitOfWork,
    relationship: Relationship,
    kind: NotificationKind,
    recipients: Sequence[UUID],
    actor: Actor | None,
    now: datetime,
    *,
    tell_actor: bool = False,
) -> None:
    for recipient in dict.fromkeys(recipients):
        if not tell_actor and actor is not None and recipient == actor.person_id:
            continue  # nobody needs telling what they just did
        await uow.notifications.add(
            Notification(
                organization_id=relationship.organization_id,
                recipient_id=recipient,
                kind=kind,
                created_at=now,
                actor_id=actor.person_id if actor else None,
                relationship_id=relationship.id,
            )
        )
