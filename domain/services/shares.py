"""Whom a goal or a piece of feedback is shared with (domain.shares): one
rule for both, so they cannot drift apart.

Concurrency: finding whom to share with locks the owner's person row
first, as accepting a relationship does, then the steward's or mentor's
relationship itself, as ending one does. So a share made while a handover
is accepted is bound either to the stewardship before (and ends with it)
or to the one after, and a share made while the relationship ends finds it
ended. Reads check the relationship anyway: a path that forgot the locks
still could not reach a later steward.
"""

from __future__ import annotations

from uuid import UUID

from domain.actors import Actor
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.ports import UnitOfWork
from domain.relationships import Relationship, RelationshipKind
from domain.shares import Reach, Share, reach

FIELD = "personId"


def check_named(person_id: UUID | None, *, named: bool) -> None:
    """A share with a mentor or a colleague names them; other shares do not."""
    if named and person_id is None:
        raise ValidationFailed(FIELD, "Name the person to share with.", code="REQUIRED")
    if not named and person_id is not None:
        raise ValidationFailed(
            FIELD,
            "Only a share with a mentor or a named colleague names a person.",
            code="NOT_ALLOWED",
        )


async def recipient(
    uow: UnitOfWork, actor: Actor, kind: RelationshipKind | None, person_id: UUID | None
) -> tuple[UUID, Relationship | None]:
    """The person a new share goes to, and the relationship it is made in:
    the current steward (STEWARDSHIP), the named mentor (MENTORSHIP), or
    the named colleague (None: no relationship)."""
    check_named(person_id, named=kind is not RelationshipKind.STEWARDSHIP)
    # Also serializes the owner's concurrent shares: the second finds the
    # first and returns it.
    await uow.people.lock([actor.person_id])
    if kind is None:
        assert person_id is not None
        await _colleague(uow, actor, person_id)
        return person_id, None
    if kind is RelationshipKind.STEWARDSHIP:
        stewardship = await uow.relationships.active_stewardship_of(
            actor.person_id, for_update=True
        )
        if stewardship is None:
            raise Conflict(
                "You have no steward to share with right now.", code="NO_STEWARD", field="audience"
            )
        return stewardship.leader_id, stewardship
    assert person_id is not None
    mentorship = await _mentorship(uow, actor, person_id)
    return person_id, mentorship


async def reach_of(uow: UnitOfWork, share: Share) -> Reach:
    """domain.shares.reach, for a share with a person, on the write side."""
    assert share.person_id is not None
    person = await uow.people.get(share.person_id)
    assert person is not None  # a foreign key keeps the person
    relationship = None
    if share.relationship_id is not None:
        relationship = await uow.relationships.get(share.relationship_id)
    return reach(person, relationship)


async def _colleague(uow: UnitOfWork, actor: Actor, person_id: UUID) -> None:
    if person_id == actor.person_id:
        raise ValidationFailed(FIELD, "What you share is yours already.", code="SELF_SHARE")
    person = await uow.people.get(person_id)
    if person is None:
        raise NotFound("Person")
    if not person.is_active:
        raise Conflict(f"{person.name} has left the organization.", code="PERSON_LEFT", field=FIELD)


async def _mentorship(uow: UnitOfWork, actor: Actor, mentor_id: UUID) -> Relationship:
    """The earliest active mentorship of the mentor's (one per area may be
    active at once), locked: a share is made in one of them."""
    mentorships = [
        r
        for r in await uow.relationships.open_between(
            RelationshipKind.MENTORSHIP, mentor_id, actor.person_id
        )
        if r.is_active
    ]
    if mentorships:
        first = min(mentorships, key=lambda r: (r.started_at or r.proposed_at, r.id))
        locked = await uow.relationships.get(first.id, for_update=True)
        if locked is not None and locked.is_active:
            return locked
    raise ValidationFailed(
        FIELD, "You can share with your current mentors only.", code="NOT_YOUR_MENTOR"
    )
