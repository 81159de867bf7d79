"""Letting an attempt through the throttle, and settling it afterwards.

Each step is one short transaction of its own, apart from the attempt's:
the reservation must hold while the password is checked (which holds no
transaction), and must stay counted when the attempt itself fails. The
counters are locked while a step decides, so attempts at the same moment,
in any number of server processes, are counted one after the other.
"""

from __future__ import annotations

from datetime import datetime

from domain.ports import UnitOfWorkFactory
from domain.throttling import Admission, Attempt, Outcome


async def admit(uows: UnitOfWorkFactory, attempt: Attempt, *, now: datetime) -> Admission:
    """Reserves the attempt's failure, or raises `TooManyAttempts`."""
    async with uows() as uow:
        counters = await uow.throttle.lock(attempt.keys)
        admission = attempt.admit(counters, now)
        await uow.throttle.save(admission.counters)
        await uow.commit()
    return admission


async def settle(
    uows: UnitOfWorkFactory, admission: Admission, outcome: Outcome, *, now: datetime
) -> None:
    """A failure stays counted; anything else gives its reservation back,
    and a success also forgives its client's failures at that account."""
    if outcome is Outcome.FAILED:
        return
    async with uows() as uow:
        counters = await uow.throttle.lock(admission.keys)
        await uow.throttle.save(
            [admission.settle(counters[key], outcome, now) for key in admission.keys]
        )
        await uow.commit()


async def remove_expired(uows: UnitOfWorkFactory, *, now: datetime) -> int:
    """Removes counters that say nothing any more; returns how many."""
    async with uows() as uow:
        removed = await uow.throttle.remove_expired(now)
        await uow.commit()
    return removed
