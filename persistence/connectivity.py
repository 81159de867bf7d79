"""What losing the database looks like from the driver, in one place.

A database that is down, restarting, full of connections or cut off
surfaces as a dozen exception types from asyncpg, SQLAlchemy and the
operating system. `unavailable_reason` recognises them (and nothing else:
a violated constraint, a cancelled query or a bug is not an outage), so the
API can answer a retryable SERVICE_UNAVAILABLE instead of INTERNAL.
`watch` gives the engine the two signals that outage tracking needs: a
refused connection becomes a DBAPI error (asyncpg lets the operating
system's error through raw, indistinguishable from any other I/O error),
and every statement the database answers is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy import exc as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

# SQLSTATEs that say the server cannot serve anyone now, whatever was asked.
# Class 08 (connection exception) is taken whole.
_UNAVAILABLE_STATES = {
    "57P01": "the server is shutting down",  # admin_shutdown
    "57P02": "the server crashed",  # crash_shutdown
    "57P03": "the server is starting up or shutting down",  # cannot_connect_now
    "53300": "the server has no connection left",  # too_many_connections
}


def unavailable_reason(error: BaseException | None) -> str | None:
    """Why the database could not serve, if `error` (or what caused it)
    says so; None for any other error."""
    below_driver = False
    for cause in _causes(error):
        if isinstance(cause, sa.TimeoutError):
            return f"no connection free in the pool ({cause})"
        if isinstance(cause, sa.DBAPIError):
            below_driver = True
            if cause.connection_invalidated:
                return f"the connection broke ({_describe(cause.orig)})"
            continue
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and (state.startswith("08") or state in _UNAVAILABLE_STATES):
            summary = _UNAVAILABLE_STATES.get(state, "the connection failed")
            return f"{summary} ({_describe(cause)})"
        if isinstance(cause, asyncpg.InterfaceError) and "connection is closed" in str(cause):
            return f"the connection is closed ({_describe(cause)})"
        if below_driver and isinstance(cause, OSError):
            # Refused, no socket, unreachable, timed out: raised while
            # connecting, as translated by `watch`.
            return f"cannot connect ({_describe(cause)})"
    return None


def watch(engine: AsyncEngine, answered: Callable[[], None]) -> None:
    """Connection failures become DBAPI errors, and `answered` is called
    whenever the database answered a statement (a cheap call: it is made
    for every statement)."""
    sync_engine = engine.sync_engine
    event.listen(sync_engine, "do_connect", _connect)
    event.listen(sync_engine, "after_cursor_execute", lambda *_: answered())


def _connect(dialect: Dialect, record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]) -> Any:
    """The default connect, with the operating system's errors (refused,
    no such socket, timed out) raised as the driver's OperationalError, as
    PEP 249 has it: SQLAlchemy then wraps it like every other DBAPI error."""
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as error:
        raise dialect.loaded_dbapi.OperationalError(str(error), error) from error


def _causes(error: BaseException | None) -> Iterator[BaseException]:
    """`error` and everything behind it: what SQLAlchemy wrapped (`orig`),
    what GraphQL wrapped (`original_error`), causes and contexts."""
    pending = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [
            getattr(current, "orig", None),
            getattr(current, "original_error", None),
            current.__cause__,
            current.__context__,
        ]


def _describe(error: BaseException | None) -> str:
    return f"{type(error).__name__}: {error}".strip().rstrip(":")
