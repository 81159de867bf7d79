"""The tenant. Everything else belongs to exactly one organization."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain import validation
from domain.ids import new_id


@dataclass(eq=False)
class Organization:
    name: str
    slug: str
    created_at: datetime
    # Defaults for people who set no capacity of their own.
    default_stewardee_capacity: int = 6
    default_mentee_capacity: int = 3
    # The readiness rule: this many goals achieved at a stage (each with a
    # check-in) within this many days suggest readiness for the next stage.
    readiness_goal_count: int = 3
    readiness_window_days: int = 365
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(cls, *, name: str, slug: str, now: datetime) -> Organization:
        return cls(
            name=validation.text("name", name, max_length=120),
            slug=validation.handle(slug, field="slug"),
            created_at=now,
        )
