"""Sharing goals and feedback with people (domain.shares): one rule for
both, so they cannot drift apart. Who the recipient of a new share is, the
share made that way already, and taking shares back.

Concurrency: finding whom to share with locks the owner's person row
first, as accepting a relationship does, then the steward's or mentor's
relationship itself, as ending one does. So a share made while a handover
is accepted is bound either to the stewardship before (and ends with it)
or to the one after, and a share made while the relationship ends finds it
ended. The database refuses a share bound to a relationship that is not
active, or of another kind than its audience says; reads check the
relationship anyway: a path that forgot the locks still could not reach a
later steward.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from domain.actors import Actor
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.ports import UnitOfWork
from domain.relationships import Relationship, RelationshipKind
from domain.shares import RELATIONSHIP_OF, Reach, Share, reach

FIELD = "personId"

S = TypeVar("S", bound=Share)


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
    uow: UnitOfWork, actor: Actor, audience: enum.Enum, person_id: UUID | None
) -> tuple[UUID, UUID | None]:
    """The person a new share goes to, and the relationship it is made in:
    the current steward (STEWARD), the named mentor (MENTOR), or the named
    colleague (PERSON: no relationship)."""
    kind = RELATIONSHIP_OF[audience.value]
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
        return stewardship.leader_id, stewardship.id
    assert person_id is not None
    return person_id, (await _mentorship(uow, actor, person_id)).id


def made_already(
    active: Iterable[S], audience: enum.Enum, person_id: UUID | None, relationship_id: UUID | None
) -> S | None:
    """The active share made that way, if any: sharing twice is harmless."""
    return next(
        (
            s
            for s in active
            if (s.audience, s.person_id, s.relationship_id)
            == (audience, person_id, relationship_id)
        ),
        None,
    )


def take_back(
    active: Iterable[S],
    audience: enum.Enum,
    person_id: UUID | None,
    *,
    now: datetime,
    not_shared: NotFound,
) -> list[S]:
    """Revokes the active shares made that way; it takes effect on the very
    next read, as visibility is computed from the active shares on every
    request. Without a person, unsharing from the steward ends every steward
    share, past stewards' (which reach nobody any more) included; naming a
    (past) steward ends only theirs."""
    if audience.value != "STEWARD":  # which may name a (past) steward, or not
        check_named(person_id, named=audience.value in RELATIONSHIP_OF)
    ended = [
        s
        for s in active
        if s.audience is audience and (person_id is None or s.person_id == person_id)
    ]
    if not ended:
        raise not_shared
    for found in ended:
        found.revoked_at = now
    return ended


async def reach_of(uow: UnitOfWork, share: Share) -> Reach:
    """domain.shares.reach, for a share with a person, on the write side."""
    assert share.person_id is not None
    owner, person = await uow.people.get(share.owner_id), await uow.people.get(share.person_id)
    # Foreign keys keep them.
    assert owner is not None
    assert person is not None
    relationship = None
    if share.relationship_id is not None:
        relationship = await uow.relationships.get(share.relationship_id)
    return reach(owner, person, relationship)


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
