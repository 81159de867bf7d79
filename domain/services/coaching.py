"""Publishing coach availability; booking, cancelling, rescheduling and
recording coach sessions.

Concurrency: a booking (or a move) locks the coach's and the coachee's
person rows, in id order, before it checks anything, so bookings that
involve the same person run one after the other and each sees the one
before. Fair use counts and the overlap checks rely on that; the database
has the last word on overlaps anyway (exclusion constraints on the coach's
and the coachee's time), so no path can double-book.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

from domain import validation
from domain.actors import Actor
from domain.availability import Window
from domain.coaching import (
    CoachAvailability,
    CoachSession,
    DatedWindow,
    Outcome,
    month_bounds,
)
from domain.errors import Conflict, LimitExceeded, NotFound, PermissionDenied, ValidationFailed
from domain.notifications import Notification, NotificationKind
from domain.organizations import Organization
from domain.people import Person
from domain.ports import UnitOfWork
from domain.relationships import Relationship, RelationshipKind
from domain.roles import Role

ENDED_REASON = "The coaching relationship ended."


async def publish_availability(
    uow: UnitOfWork,
    actor: Actor,
    *,
    timezone: str | None,
    session_minutes: int,
    buffer_minutes: int,
    weekly: Sequence[Window],
    one_off: Sequence[DatedWindow],
    exceptions: Sequence[date],
    now: datetime,
) -> CoachAvailability:
    """Replaces what the coach published before; booked sessions stay."""
    if not await uow.roles.holds(actor.person_id, Role.COACH):
        raise PermissionDenied(
            "Only people holding the coach role publish coaching availability.",
            code="NOT_A_COACH",
        )
    me = await _person(uow, actor.person_id)
    published = CoachAvailability.publish(
        organization_id=actor.organization_id,
        coach_id=actor.person_id,
        timezone=timezone or me.timezone,
        session_minutes=session_minutes,
        buffer_minutes=buffer_minutes,
        weekly=weekly,
        one_off=one_off,
        exceptions=exceptions,
        now=now,
    )
    current = await uow.coaching.get_availability(actor.person_id, for_update=True)
    if current is None:
        await uow.coaching.add_availability(published)
        return published
    current.replace_with(published)
    return current


async def book(
    uow: UnitOfWork,
    actor: Actor,
    *,
    coach_id: UUID,
    starts_at: datetime,
    topic: str = "",
    now: datetime,
) -> CoachSession:
    """A free slot of a coach, for the actor. Uses the pair's active
    coaching relationship, or starts one."""
    if coach_id == actor.person_id:
        raise ValidationFailed(
            "coachId", "You cannot book a session with yourself.", code="SELF_BOOKING"
        )
    starts_at = validation.moment("startsAt", starts_at)
    await uow.people.lock(sorted({coach_id, actor.person_id}))
    availability = await _bookable_coach(uow, coach_id)
    coachee = await _person(uow, actor.person_id)
    organization = await _organization(uow, actor)
    relationship, is_new = await _coaching(uow, actor, coach_id, now)
    session = CoachSession.book(
        organization_id=actor.organization_id,
        availability=availability,
        coachee_id=actor.person_id,
        relationship_id=relationship.id,
        starts_at=starts_at,
        topic=topic,
        now=now,
    )
    await _check_fair_use(uow, organization, session, coachee, now=now)
    await _check_free(uow, session)
    if is_new:
        await uow.relationships.add(relationship)
    await uow.coaching.add_session(session)
    await _notify(uow, session, NotificationKind.COACH_SESSION_BOOKED, [coach_id], actor, now)
    # The coachee's confirmation: the booking is in their notifications too.
    await _notify(uow, session, NotificationKind.COACH_SESSION_BOOKED, [actor.person_id], None, now)
    return session


async def cancel(
    uow: UnitOfWork, actor: Actor, session_id: UUID, *, reason: str = "", now: datetime
) -> CoachSession:
    session = await _own(uow, actor, session_id)
    organization = await _organization(uow, actor)
    session.cancel(actor.person_id, reason=reason, cutoff=_cutoff(organization), now=now)
    await _notify(
        uow,
        session,
        NotificationKind.COACH_SESSION_CANCELLED,
        [session.other(actor.person_id)],
        actor,
        now,
    )
    return session


async def reschedule(
    uow: UnitOfWork, actor: Actor, session_id: UUID, *, starts_at: datetime, now: datetime
) -> CoachSession:
    """The coachee moves their session to another free slot of the same
    coach, up to the cut-off; the fair-use limits apply to the new time."""
    found = await _own(uow, actor, session_id, for_update=False)
    await uow.people.lock(sorted({found.coach_id, found.coachee_id}))
    session = await _own(uow, actor, session_id)
    organization = await _organization(uow, actor)
    session.check_reschedulable(actor.person_id, cutoff=_cutoff(organization), now=now)
    availability = await _bookable_coach(uow, session.coach_id)
    coachee = await _person(uow, session.coachee_id)
    session.move_to(availability, starts_at, now)
    await _check_fair_use(uow, organization, session, coachee, now=now)
    await _check_free(uow, session)
    await _notify(
        uow, session, NotificationKind.COACH_SESSION_RESCHEDULED, [session.coach_id], actor, now
    )
    return session


async def record(
    uow: UnitOfWork, actor: Actor, session_id: UUID, *, outcome: Outcome, now: datetime
) -> CoachSession:
    session = await _own(uow, actor, session_id)
    session.record(actor.person_id, outcome, now)
    return session


async def write_notes(
    uow: UnitOfWork, actor: Actor, session_id: UUID, *, notes: str, now: datetime
) -> CoachSession:
    session = await _own(uow, actor, session_id)
    session.write_notes(actor.person_id, notes, now)
    return session


async def end_with_relationship(
    uow: UnitOfWork, relationship: Relationship, *, by: UUID, now: datetime
) -> None:
    """A coaching relationship ended (by either side, or someone left): its
    sessions still ahead are cancelled, in the name of whoever ended it."""
    for session in await uow.coaching.booked_in_relationship(relationship.id, now):
        session.cancel_with_relationship(by, ENDED_REASON, now)


# -- helpers ---------------------------------------------------------------


async def _own(
    uow: UnitOfWork, actor: Actor, session_id: UUID, *, for_update: bool = True
) -> CoachSession:
    """A session exists only for its coach and coachee."""
    session = await uow.coaching.get_session(session_id, for_update=for_update)
    if session is None or not session.involves(actor.person_id):
        raise NotFound("CoachSession")
    return session


async def _person(uow: UnitOfWork, person_id: UUID, field: str = "viewer") -> Person:
    person = await uow.people.get(person_id)
    if person is None:
        raise NotFound("Person")
    if not person.is_active:
        raise Conflict(f"{person.name} has left the organization.", code="PERSON_LEFT", field=field)
    return person


async def _organization(uow: UnitOfWork, actor: Actor) -> Organization:
    organization = await uow.organizations.get(actor.organization_id)
    assert organization is not None
    return organization


def _cutoff(organization: Organization) -> timedelta:
    return timedelta(hours=organization.coach_cancel_cutoff_hours)


async def _bookable_coach(uow: UnitOfWork, coach_id: UUID) -> CoachAvailability:
    coach = await _person(uow, coach_id, field="coachId")
    availability = await uow.coaching.get_availability(coach_id)
    if availability is None or not await uow.roles.holds(coach_id, Role.COACH):
        raise Conflict(
            f"{coach.name} takes no coach bookings.", code="NOT_A_COACH", field="coachId"
        )
    return availability


async def _coaching(
    uow: UnitOfWork, actor: Actor, coach_id: UUID, now: datetime
) -> tuple[Relationship, bool]:
    """The pair's active coaching relationship, or a new one (not added
    yet: the booking may still fail) and True. The relationship is locked,
    so it cannot end while a session is booked into it."""
    for existing in await uow.relationships.open_between(
        RelationshipKind.COACHING, coach_id, actor.person_id
    ):
        if existing.is_active:
            current = await uow.relationships.get(existing.id, for_update=True)
            if current is not None and current.is_active:
                return current, False
    started = Relationship.coaching_by_booking(
        organization_id=actor.organization_id,
        coach_id=coach_id,
        coachee_id=actor.person_id,
        now=now,
    )
    return started, True


async def _check_fair_use(
    uow: UnitOfWork,
    organization: Organization,
    session: CoachSession,
    coachee: Person,
    *,
    now: datetime,
) -> None:
    limit = organization.coach_upcoming_sessions_max
    upcoming = await uow.coaching.count_upcoming(coachee.id, now, excluding=session.id)
    if upcoming >= limit:
        raise LimitExceeded(
            "UPCOMING_COACH_SESSIONS",
            limit,
            f"You have {upcoming} coach sessions booked ahead, the most one may have "
            f"({limit}); book another after one of them.",
        )
    limit = organization.coach_sessions_per_month_max
    start, end = month_bounds(session.starts_at, coachee.timezone)
    count = await uow.coaching.count_with_coach(
        coachee.id, session.coach_id, start, end, excluding=session.id
    )
    if count >= limit:
        raise LimitExceeded(
            "COACH_SESSIONS_PER_MONTH",
            limit,
            f"You have {count} sessions with this coach that month, the most one may have "
            f"({limit}).",
        )


async def _check_free(uow: UnitOfWork, session: CoachSession) -> None:
    """What the exclusion constraints decide, checked first for a clear
    answer; under the locks it is already the final one."""
    if await uow.coaching.coach_busy(
        session.coach_id, session.starts_at, session.blocked_until, excluding=session.id
    ):
        raise Conflict("That slot was just taken.", code="SLOT_TAKEN", field="startsAt")
    if await uow.coaching.person_busy(
        session.coachee_id, session.starts_at, session.ends_at, excluding=session.id
    ):
        raise Conflict(
            "You have another coach session then.", code="OVERLAPPING_SESSION", field="startsAt"
        )
    if await uow.coaching.person_busy(
        session.coach_id, session.starts_at, session.ends_at, excluding=session.id
    ):
        # The coach is booked as someone's coachee then.
        raise Conflict("That slot was just taken.", code="SLOT_TAKEN", field="startsAt")


async def _notify(
    uow: UnitOfWork,
    session: CoachSession,
    kind: NotificationKind,
    recipients: Sequence[UUID],
    actor: Actor | None,
    now: datetime,
) -> None:
    for recipient in recipients:
        await uow.notifications.add(
            Notification(
                organization_id=session.organization_id,
                recipient_id=recipient,
                kind=kind,
                created_at=now,
                actor_id=actor.person_id if actor else None,
                relationship_id=session.relationship_id,
                coach_session_id=session.id,
            )
        )
