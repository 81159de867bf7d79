"""Who is acting. Built from a verified access token at the edge; every use
case takes one and checks what it may do."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Actor:
    person_id: UUID
    organization_id: UUID
    session_id: UUID | None = None
    """The session their access token carries; None where no request is
    behind the action (jobs, set-up)."""
