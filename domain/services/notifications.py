"""Reading one's notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain.actors import Actor
from domain.ports import UnitOfWork


async def mark_read(
    uow: UnitOfWork, actor: Actor, ids: Sequence[UUID] | None, *, now: datetime
) -> int:
    """Only one's own notifications change; ids of others' are ignored
    rather than refused, so nobody learns which ids exist."""
    return await uow.notifications.mark_read(actor.person_id, ids, now)
