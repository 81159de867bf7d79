"""The organization a service test plays in: people by handle, actors and
units of work for them, and what the in-memory database recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.actors import Actor
from domain.notifications import NotificationKind
from domain.organizations import Organization
from domain.people import Person
from domain.relationships import RelationshipKind, Side
from domain.services import relationships
from tests.unit.fakes import FakeUnitOfWork, FakeUnitOfWorkFactory


@dataclass
class OrgWorld:
    uows: FakeUnitOfWorkFactory
    organization: Organization
    people: dict[str, Person]

    def id(self, handle: str) -> UUID:
        return self.people[handle].id

    def ids(self, *handles: str) -> list[UUID]:
        return [self.id(h) for h in handles]

    def handle(self, person_id: UUID) -> str:
        return next(h for h, p in self.people.items() if p.id == person_id)

    def actor(self, handle: str) -> Actor:
        return Actor(person_id=self.id(handle), organization_id=self.organization.id)

    def uow(self) -> FakeUnitOfWork:
        return self.uows(self.organization.id)

    def notifications(self) -> list[tuple[str, NotificationKind]]:
        """(recipient handle, kind) of every notification, in creation order."""
        handles = {p.id: h for h, p in self.people.items()}
        return [
            (handles[n.recipient_id], n.kind) for n in self.uows.db.tables.notifications.values()
        ]

    def clear_notifications(self) -> None:
        self.uows.db.tables.notifications.clear()


def member(organization: Organization, handle: str, now: datetime) -> Person:
    """A person of `organization` named after their handle."""
    return Person.create(
        organization_id=organization.id,
        name=handle.title(),
        handle=handle,
        email=f"{handle}@{organization.slug}.test",
        timezone="UTC",
        now=now,
    )


async def relate(
    world: OrgWorld,
    leader: str,
    follower: str,
    kind: RelationshipKind,
    *,
    area_ids: Sequence[UUID] = (),
    accept: bool = True,
    now: datetime,
) -> UUID:
    """`leader` proposes to lead `follower`, who accepts unless `accept` is
    false (a mentorship needs `area_ids`). Returns the relationship's id."""
    async with world.uow() as uow:
        relationship = await relationships.propose(
            uow,
            world.actor(leader),
            kind=kind,
            other_person_id=world.id(follower),
            side=Side.LEADER,
            knowledge_area_ids=area_ids,
            now=now,
        )
        if accept:
            await relationships.accept(uow, world.actor(follower), relationship.id, now=now)
        await uow.commit()
    return relationship.id
