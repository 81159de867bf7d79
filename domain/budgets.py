"""The budget of operation cost each caller may spend (DESIGN.md section 5).

Every operation has a cost, computed before it runs (api.cost). Besides a
maximum per operation, each caller has a budget per window (a minute): a
leaky bucket of `capacity` that drains continuously at `capacity` per
window. An operation pours its cost in when it fits under the brim and is
refused, pouring nothing, when it does not; a caller who waits gets budget
back in proportion to the time waited, so there is no cliff at the turn of
a minute that a client could time a burst against.

The caller is the signed-in person (every device and process they use
shares one bucket), or, for a request without a valid token, its client
(domain.clients: an IPv6 client is its /64, or every new address would be
a new budget).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

DEFAULT_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class BudgetPolicy:
    capacity: int
    """The most cost a caller can spend at once, and what drains per window."""
    window: timedelta = DEFAULT_WINDOW

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.window <= timedelta(0):
            raise ValueError("a budget needs a positive capacity and window")

    @property
    def drain_per_second(self) -> float:
        return self.capacity / self.window.total_seconds()

    def drained(self, level: float, since: datetime, now: datetime) -> float:
        """The level poured in by `since`, left at `now`. A clock that is
        behind (another process, a moment earlier) drains nothing rather
        than filling the bucket up."""
        elapsed = max(0.0, (now - since).total_seconds())
        return max(0.0, level - elapsed * self.drain_per_second)

    def fits(self, level: float, cost: int) -> bool:
        return level + cost <= self.capacity


@dataclass(frozen=True)
class BudgetSubject:
    """Whose bucket an operation pours into: exactly one of a person (with
    their organization) or a client address."""

    person_id: UUID | None = None
    organization_id: UUID | None = None
    client_address: str | None = None

    def __post_init__(self) -> None:
        if (self.person_id is None) == (self.client_address is None) or (
            (self.person_id is None) != (self.organization_id is None)
        ):
            raise ValueError("a budget belongs to one person or to one client address")

    @classmethod
    def person(cls, person_id: UUID, organization_id: UUID) -> BudgetSubject:
        return cls(person_id=person_id, organization_id=organization_id)

    @classmethod
    def address(cls, client: str) -> BudgetSubject:
        """`client` as domain.clients.client_of names it."""
        return cls(client_address=client)


@dataclass(frozen=True)
class BucketLevel:
    """What one atomic pour leaves: the level afterwards and whether the
    cost went in."""

    level: float
    admitted: bool


@dataclass(frozen=True)
class Charge:
    """An operation's cost against its caller's budget, as the response
    reports it."""

    cost: int
    admitted: bool
    capacity: int
    remaining: int
    """Cost that could be spent right now."""
    reset_at: datetime
    """When the bucket will be empty again (the whole budget available)."""
    retry_after: timedelta | None
    """For a refused operation: how long until its cost fits."""


def charge(policy: BudgetPolicy, cost: int, poured: BucketLevel, now: datetime) -> Charge:
    """Reads a pour's outcome as the caller sees it. Seconds are rounded
    up, so a client that waits `retry_after` is admitted (unless it spent
    meanwhile elsewhere)."""
    rate = policy.drain_per_second
    level = poured.level
    retry_after = None
    if not poured.admitted:
        retry_after = timedelta(seconds=math.ceil((level + cost - policy.capacity) / rate))
    return Charge(
        cost=cost,
        admitted=poured.admitted,
        capacity=policy.capacity,
        remaining=max(0, math.floor(policy.capacity - level)),
        reset_at=now + timedelta(seconds=math.ceil(level / rate)),
        retry_after=retry_after,
    )
