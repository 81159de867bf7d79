"""Giving feedback unasked, and what its owner does with feedback: share it
(and take shares back), acknowledge it, turn it into a goal or a talking
point for their next 1-on-1.

Only the owner (the person an item is about, the requester of a request)
shares or acts. To anyone else a piece of feedback they may not change
reads as not found, so a refused write never reveals that it exists.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.actors import Actor
from domain.autonomy import AutonomyStage
from domain.errors import Conflict, NotFound
from domain.feedback_items import (
    ActionKind,
    FeedbackAction,
    FeedbackItem,
    FeedbackRef,
    FeedbackShare,
    ShareAudience,
)
from domain.goals import Goal
from domain.notifications import Notification, NotificationKind
from domain.ports import UnitOfWork
from domain.relationships import RelationshipStatus
from domain.services import goals, one_on_ones, shares
from domain.talking_points import TalkingPoint


async def give(
    uow: UnitOfWork,
    actor: Actor,
    *,
    subject_id: UUID,
    text: str,
    goal_id: UUID | None = None,
    now: datetime,
) -> FeedbackItem:
    """Always named. About a goal only if the giver may read that goal: an
    unshared goal is not found, as everywhere else."""
    item = FeedbackItem.give(
        organization_id=actor.organization_id,
        subject_id=subject_id,
        giver_id=actor.person_id,
        text=text,
        goal_id=goal_id,
        now=now,
    )
    subject = await uow.people.get(subject_id)
    if subject is None:
        raise NotFound("Person")
    if not subject.is_active:
        raise Conflict(
            f"{subject.name} has left the organization.", code="PERSON_LEFT", field="subjectId"
        )
    if goal_id is not None:
        goal = await uow.goals.get(goal_id)
        if (
            goal is None
            or goal.owner_id != subject_id
            or not await goals.readable_by(uow, goal, actor.person_id)
        ):
            raise NotFound("Goal")
    await uow.feedback_items.add(item)
    await uow.notifications.add(
        Notification(
            organization_id=actor.organization_id,
            recipient_id=subject_id,
            kind=NotificationKind.FEEDBACK_RECEIVED,
            created_at=now,
            actor_id=actor.person_id,
            feedback_item_id=item.id,
        )
    )
    return item


async def share(
    uow: UnitOfWork,
    actor: Actor,
    ref: FeedbackRef,
    *,
    audience: ShareAudience,
    person_id: UUID | None = None,
    now: datetime,
) -> FeedbackShare:
    """Shares with the person who is the owner's steward now (a later steward
    does not inherit it), the named mentor, or the named colleague. Sharing
    twice is harmless: the existing share is returned."""
    await _require_owner(uow, actor, ref)
    person_id, relationship_id = await shares.recipient(uow, actor, audience, person_id)
    active = await uow.feedback_items.active_shares(ref)
    found = shares.made_already(active, audience, person_id, relationship_id)
    if found is not None:
        return found
    feedback_share = FeedbackShare(
        organization_id=actor.organization_id,
        owner_id=actor.person_id,
        audience=audience,
        person_id=person_id,
        relationship_id=relationship_id,
        created_at=now,
        item_id=ref.item_id,
        request_id=ref.request_id,
    )
    await uow.feedback_items.add_share(feedback_share)
    return feedback_share


async def unshare(
    uow: UnitOfWork,
    actor: Actor,
    ref: FeedbackRef,
    *,
    audience: ShareAudience,
    person_id: UUID | None = None,
    now: datetime,
) -> list[FeedbackShare]:
    """domain.services.shares.take_back, for a piece of feedback."""
    await _require_owner(uow, actor, ref)
    return shares.take_back(
        await uow.feedback_items.active_shares(ref),
        audience,
        person_id,
        now=now,
        not_shared=NotFound("FeedbackShare", "This feedback is not shared that way."),
    )


async def acknowledge(
    uow: UnitOfWork, actor: Actor, ref: FeedbackRef, *, now: datetime
) -> FeedbackAction:
    """Once; acknowledging again returns the first acknowledgement."""
    await _require_owner(uow, actor, ref)
    for action in await uow.feedback_items.actions_of(ref):
        if action.kind is ActionKind.ACKNOWLEDGED:
            return action
    action = FeedbackAction.record(
        ref,
        organization_id=actor.organization_id,
        owner_id=actor.person_id,
        kind=ActionKind.ACKNOWLEDGED,
        now=now,
    )
    await uow.feedback_items.add_action(action)
    return action


async def turn_into_goal(
    uow: UnitOfWork,
    actor: Actor,
    ref: FeedbackRef,
    *,
    title: str,
    description: str = "",
    stage: AutonomyStage,
    knowledge_area_id: UUID | None = None,
    target_date: date | None = None,
    activate: bool = False,
    now: datetime,
) -> tuple[Goal, FeedbackAction]:
    """A new goal of the owner's, private like any other until they share it."""
    await _require_owner(uow, actor, ref)
    goal = await goals.create(
        uow,
        actor,
        title=title,
        description=description,
        stage=stage,
        knowledge_area_id=knowledge_area_id,
        target_date=target_date,
        activate=activate,
        now=now,
    )
    action = FeedbackAction.record(
        ref,
        organization_id=actor.organization_id,
        owner_id=actor.person_id,
        kind=ActionKind.GOAL,
        goal_id=goal.id,
        now=now,
    )
    await uow.feedback_items.add_action(action)
    return goal, action


async def turn_into_talking_point(
    uow: UnitOfWork,
    actor: Actor,
    ref: FeedbackRef,
    *,
    relationship_id: UUID,
    text: str,
    now: datetime,
) -> tuple[TalkingPoint, FeedbackAction]:
    """For the next 1-on-1 of one of the owner's active relationships. The
    other person will read the talking point's text, not the feedback."""
    await _require_owner(uow, actor, ref)
    relationship = await uow.relationships.get(relationship_id)
    if relationship is None or actor.person_id not in (
        relationship.leader_id,
        relationship.follower_id,
    ):
        raise NotFound("Relationship")
    if relationship.status is not RelationshipStatus.ACTIVE:
        raise Conflict(
            "Talking points are for an active relationship.",
            code="NOT_ACTIVE",
            field="relationshipId",
        )
    point = TalkingPoint.create(
        organization_id=actor.organization_id,
        relationship_id=relationship.id,
        author_id=actor.person_id,
        text=text,
        now=now,
    )
    await uow.talking_points.add(point)
    await one_on_ones.place_talking_points(uow, relationship.id, now=now)
    action = FeedbackAction.record(
        ref,
        organization_id=actor.organization_id,
        owner_id=actor.person_id,
        kind=ActionKind.TALKING_POINT,
        talking_point_id=point.id,
        now=now,
    )
    await uow.feedback_items.add_action(action)
    return point, action


async def _require_owner(uow: UnitOfWork, actor: Actor, ref: FeedbackRef) -> None:
    if ref.item_id is not None:
        item = await uow.feedback_items.get(ref.item_id)
        if item is None or item.subject_id != actor.person_id:
            raise NotFound("FeedbackItem")
        return
    assert ref.request_id is not None
    request = await uow.feedback.get_request(ref.request_id)
    if request is None or request.requester_id != actor.person_id:
        raise NotFound("FeedbackRequest")
