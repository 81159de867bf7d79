"""Whether the database is away, as this process sees it.

During an outage every request fails the same way; a traceback for each
would bury the one fact that matters under thousands of log lines. So
requests, the job loop, the read log writer and /readyz all report the
errors they meet here, and the process logs one line when an outage starts
and one when it ends (how long it lasted, how many requests were refused).

An outage starts at the first error that says the database is away
(`persistence.connectivity` decides which do) and ends when the database
answers a statement again, once nothing failed for `SETTLE_SECONDS`: a
database that is only partly there (its connections full, a few pooled
connections still working) would otherwise flap between the two lines at
the rate of requests.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import timedelta

log = logging.getLogger("trellis.database")

SETTLE_SECONDS = 1.0


class Outage:
    """One per process, shared by every request (see api.runtime)."""

    def __init__(
        self,
        classify: Callable[[BaseException | None], str | None],
        *,
        retry_after: timedelta,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._classify = classify
        self._monotonic = monotonic
        self.retry_after = max(1, math.ceil(retry_after.total_seconds()))
        """Seconds a client should wait before trying again (`Retry-After`)."""
        self._since: float | None = None
        self._last_failure = 0.0
        self._refused = 0

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def reason(self, error: BaseException | None) -> str | None:
        """Why the database is away, if `error` says it is; records nothing."""
        return self._classify(error)

    def noticed(self, error: BaseException | None, *, refused_request: bool = False) -> bool:
        """Whether `error` says the database is away; if so, it is on record
        (logged if this starts an outage, counted if it refused a request)."""
        reason = self._classify(error)
        if reason is None:
            return False
        now = self._monotonic()
        if self._since is None:
            self._since, self._refused = now, 0
            log.error(
                "database unavailable: %s; requests are answered SERVICE_UNAVAILABLE "
                "until it answers again",
                reason,
            )
        self._last_failure = now
        self._refused += refused_request
        return True

    def answered(self) -> None:
        """The database answered a statement: ends an outage that has settled.
        Called for every statement, so it returns at once when all is well."""
        if self._since is None:
            return
        now = self._monotonic()
        if now - self._last_failure < SETTLE_SECONDS:
            return
        log.warning(
            "database available again after %.1f s; %d requests were answered "
            "SERVICE_UNAVAILABLE meanwhile",
            now - self._since,
            self._refused,
        )
        self._since = None
