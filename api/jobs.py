"""Work that happens because time passed, not because someone asked:
review reminders, feedback reminders and closing, and removing read log
records past their retention. Run by a loop inside the
server (every `TRELLIS_JOB_INTERVAL`) and by `trellis run-jobs` (for cron)."""

from __future__ import annotations

import asyncio
import logging

from api.context import Services
from domain.services import feedback, read_log, relationships

log = logging.getLogger("trellis.jobs")


async def run_due_jobs(services: Services) -> int:
    """One pass over every organization, each in its own transaction, so a
    failure in one cannot hold back the others. Returns reminders sent
    (relationship reviews and feedback invitations)."""
    async with services.uow_factory() as uow:
        organization_ids = await uow.organizations.all_ids()
    sent = 0
    for organization_id in organization_ids:
        try:
            async with services.uow_factory(organization_id) as uow:
                now = services.clock.now()
                sent += await relationships.send_review_reminders(uow, now=now)
                sent += await feedback.send_reminders(uow, organization_id, now=now)
                await feedback.close_due_requests(uow, now=now)
                await read_log.remove_expired(
                    uow, now=now, retention_days=services.settings.read_log_retention_days
                )
                await uow.commit()
        except Exception:
            log.exception("jobs failed for organization %s", organization_id)
    return sent


async def run_forever(services: Services, interval_seconds: float) -> None:
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            await run_due_jobs(services)
        except Exception:  # keep the loop alive; the next pass retries
            log.exception("job pass failed")
