"""Talking points: what one person of a relationship wants to raise at
their next 1-on-1 (from feedback they received). They join the agenda of
the relationship's next scheduled meeting (domain.services.one_on_ones)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain import validation
from domain.ids import new_id

TEXT_MAX = 500


@dataclass(eq=False)
class TalkingPoint:
    """Something one person of a relationship wants to raise at their next
    1-on-1. The other person sees its text (the author wrote it for them),
    never the feedback it came from."""

    organization_id: UUID
    relationship_id: UUID
    author_id: UUID
    text: str
    created_at: datetime
    placed_at: datetime | None = None
    """When it went onto a meeting's agenda (once; removing it there does
    not bring it back)."""
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        relationship_id: UUID,
        author_id: UUID,
        text: str,
        now: datetime,
    ) -> TalkingPoint:
        return cls(
            organization_id=organization_id,
            relationship_id=relationship_id,
            author_id=author_id,
            text=validation.text("text", text, max_length=TEXT_MAX),
            created_at=now,
        )
