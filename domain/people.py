"""People: the members of an organization. Credentials live apart, in
`domain.accounts`, so a profile can be shown without ever touching secrets."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain import validation
from domain.errors import Conflict
from domain.ids import new_id
from domain.organizations import Organization
from domain.relationships import RelationshipKind

NAME_MAX = 120


class PersonStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    LEFT = "LEFT"


@dataclass(eq=False)
class Person:
    organization_id: UUID
    name: str
    handle: str
    email: str
    timezone: str
    created_at: datetime
    status: PersonStatus = PersonStatus.ACTIVE
    left_at: datetime | None = None
    stewardee_capacity: int | None = None
    mentee_capacity: int | None = None
    member_since: datetime | None = None
    """When they became a member: on accepting their invitation, or (a
    founder, someone created without an invitation) when created. None
    while an invitation is not accepted yet: they are not a member then."""
    invited_by_id: UUID | None = None
    """Who invited them into the organization (None for a founder)."""
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        name: str,
        handle: str,
        email: str,
        timezone: str,
        now: datetime,
        invited_by_id: UUID | None = None,
        member_since: datetime | None = None,
    ) -> Person:
        """Someone invited becomes a member on accepting the invitation;
        anyone else is one from now (or from `member_since`, for people
        brought in from elsewhere with their history)."""
        return cls(
            organization_id=organization_id,
            name=validation.name("name", name, max_length=NAME_MAX),
            handle=validation.handle(handle),
            email=validation.email(email),
            timezone=validation.timezone(timezone),
            created_at=now,
            invited_by_id=invited_by_id,
            member_since=member_since or (None if invited_by_id else now),
        )

    @property
    def is_active(self) -> bool:
        return self.status is PersonStatus.ACTIVE

    def join(self, now: datetime) -> None:
        """Accepting the invitation makes them a member from now."""
        if self.member_since is None:
            self.member_since = now

    def update_profile(self, *, name: str | None = None, timezone: str | None = None) -> None:
        if name is not None:
            self.name = validation.name("name", name, max_length=NAME_MAX)
        if timezone is not None:
            self.timezone = validation.timezone(timezone)

    def capacity_for(self, kind: RelationshipKind, organization: Organization) -> int:
        """Own setting first, else the organization's default."""
        if kind is RelationshipKind.STEWARDSHIP:
            own, default = self.stewardee_capacity, organization.default_stewardee_capacity
        elif kind is RelationshipKind.MENTORSHIP:
            own, default = self.mentee_capacity, organization.default_mentee_capacity
        else:
            raise ValueError(f"{kind} has no capacity")
        return default if own is None else own

    def set_capacity(self, kind: RelationshipKind, value: int) -> None:
        if kind is RelationshipKind.STEWARDSHIP:
            self.stewardee_capacity = value
        elif kind is RelationshipKind.MENTORSHIP:
            self.mentee_capacity = value
        else:
            raise ValueError(f"{kind} has no capacity")

    def mark_left(self, now: datetime) -> None:
        if not self.is_active:
            raise Conflict("This person has already left.", code="ALREADY_LEFT")
        self.status = PersonStatus.LEFT
        self.left_at = now
