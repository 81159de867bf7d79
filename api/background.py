"""Work that a request starts but whose answer must not wait for it.

Requesting a password reset answers at once, the same for every email; the
lookup, the token and the mail follow here. Were they part of the request,
its timing (or that of the next request on the same connection, which
waits for the first to finish) would tell whether the email has an account.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from api.outage import Outage

log = logging.getLogger("trellis.background")


class Background:
    def __init__(self, outage: Outage) -> None:
        # Strong references: the loop keeps only weak ones to its tasks.
        self._tasks: set[asyncio.Task[None]] = set()
        self._outage = outage

    def start(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await work
        except Exception as error:
            if not self._outage.noticed(error):  # an outage is logged once, by Outage
                log.exception("%s failed", name)

    async def drain(self) -> None:
        """Waits until nothing started is left (on shutdown; in tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks)
