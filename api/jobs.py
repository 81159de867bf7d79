"""Work that happens because time passed, not because someone asked:
review reminders, feedback reminders and closing, removing read log
records past their retention, throttle counters that say nothing any more
and idle cost budgets. Run by a loop inside the
server (every `TRELLIS_JOB_INTERVAL`) and by `trellis run-jobs` (for cron)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import UUID

from api.context import Services
from domain.ports import UnitOfWork
from domain.services import budgets, feedback, read_log, relationships, throttling

log = logging.getLogger("trellis.jobs")


async def run_due_jobs(services: Services) -> int:
    """One pass: throttle counters and idle cost budgets (which belong to no
    organization), then
    every organization, each job in its own transaction, so a failure in one
    (an organization, or one job of it) holds back nothing else: read log
    retention still runs when closing a request fails.
    The database being away is another matter: every job would fail the
    same way, so the pass stops there (the next one catches up), and the
    outage is logged once for the process (api.outage), not per job.
    Returns reminders sent (relationship reviews and feedback invitations)."""
    try:
        await throttling.remove_expired(services.uow_factory, now=services.clock.now())
    except Exception as error:
        if services.outage.noticed(error):
            raise
        log.exception("removing expired throttle counters failed")
    try:
        await budgets.forget_idle(
            services.budgets, services.settings.budget_policy, services.clock.now()
        )
    except Exception as error:
        if services.outage.noticed(error):
            raise
        log.exception("forgetting idle cost budgets failed")
    async with services.uow_factory() as uow:
        organization_ids = await uow.organizations.all_ids()
    sent = 0
    for organization_id in organization_ids:
        for name, job in _jobs(services, organization_id):
            try:
                async with services.uow_factory(organization_id) as uow:
                    sent += await job(uow, services.clock.now())
                    await uow.commit()
            except Exception as error:
                if services.outage.noticed(error):
                    raise
                log.exception("%s failed for organization %s", name, organization_id)
    return sent


Job = Callable[[UnitOfWork, datetime], Awaitable[int]]


def _jobs(services: Services, organization_id: UUID) -> list[tuple[str, Job]]:
    """The jobs of one organization, each returning the reminders it sent."""

    async def review_reminders(uow: UnitOfWork, now: datetime) -> int:
        return await relationships.send_review_reminders(uow, now=now)

    async def feedback_reminders(uow: UnitOfWork, now: datetime) -> int:
        return await feedback.send_reminders(uow, organization_id, now=now)

    async def close_due_requests(uow: UnitOfWork, now: datetime) -> int:
        await feedback.close_due_requests(uow, now=now)
        return 0

    async def read_log_retention(uow: UnitOfWork, now: datetime) -> int:
        days = services.settings.read_log_retention_days
        await read_log.remove_expired(uow, now=now, retention_days=days)
        return 0

    return [
        ("review reminders", review_reminders),
        ("feedback reminders", feedback_reminders),
        ("closing due feedback requests", close_due_requests),
        ("read log retention", read_log_retention),
    ]


async def run_forever(services: Services, interval_seconds: float) -> None:
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            await run_due_jobs(services)
        except Exception as error:  # keep the loop alive; the next pass retries
            if not services.outage.noticed(error):
                log.exception("job pass failed")
