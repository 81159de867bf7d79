"""Telling the database being away from every other error
(persistence.connectivity), and the process's record of an outage
(api.outage): one line when it starts, one when it ends."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from pathlib import Path

import asyncpg.exceptions as pg
import pytest
from graphql import GraphQLError
from sqlalchemy import exc as sa
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from api.outage import SETTLE_SECONDS, Outage
from persistence.connectivity import unavailable_reason, watch

UNAVAILABLE = [
    pg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    pg.ConnectionFailureError("the connection failed"),
    pg.AdminShutdownError("terminating connection due to administrator command"),
    pg.CrashShutdownError("terminating connection because of crash of another server process"),
    pg.CannotConnectNowError("the database system is starting up"),
    pg.TooManyConnectionsError("sorry, too many clients already"),
    pg.InterfaceError("connection is closed"),
    sa.TimeoutError("QueuePool limit of size 10 overflow 10 reached, connection timed out"),
    sa.DBAPIError("SELECT 1", {}, RuntimeError("gone"), connection_invalidated=True),
    sa.OperationalError("SELECT 1", {}, pg.AdminShutdownError("terminating connection")),
]

NOT_UNAVAILABLE = [
    None,
    RuntimeError("a bug"),
    ValueError("bad input"),
    pg.UniqueViolationError("duplicate key value violates unique constraint"),
    pg.QueryCanceledError("canceling statement due to statement timeout"),
    pg.SerializationError("could not serialize access"),
    pg.DeadlockDetectedError("deadlock detected"),
    pg.InterfaceError("cannot perform operation: another operation is in progress"),
    sa.IntegrityError("INSERT ...", {}, pg.UniqueViolationError("duplicate key")),
    sa.DBAPIError("SELECT 1", {}, RuntimeError("a bug in a statement")),
    # The operating system's errors are outages only below the database
    # driver: a mail server refusing a connection is not the database.
    ConnectionRefusedError(111, "Connection refused"),
    FileNotFoundError(2, "No such file or directory"),
    TimeoutError(),
]


@pytest.mark.parametrize("error", UNAVAILABLE, ids=lambda e: type(e).__name__)
def test_the_database_being_away_is_recognised(error: BaseException) -> None:
    assert unavailable_reason(error)


@pytest.mark.parametrize("error", NOT_UNAVAILABLE, ids=lambda e: type(e).__name__)
def test_other_errors_are_not_an_outage(error: BaseException | None) -> None:
    assert unavailable_reason(error) is None


def test_it_is_recognised_behind_what_wrapped_it_or_followed_it() -> None:
    cause = pg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    wrapped = GraphQLError("field failed", original_error=cause)
    assert unavailable_reason(wrapped)

    def roll_back_after(error: Exception) -> None:
        try:
            raise error
        except pg.PostgresError:
            raise RuntimeError("rolling back failed too") from None

    with pytest.raises(RuntimeError) as during_handling:
        roll_back_after(cause)
    # `from None` hides the cause from tracebacks, not from __context__.
    assert unavailable_reason(during_handling.value)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgresql+asyncpg://postgres@/trellis?host={folder}", id="no socket"),
        pytest.param("postgresql+asyncpg://postgres@127.0.0.1:{port}/trellis", id="refused"),
    ],
)
async def test_a_database_nobody_answers_for_is_recognised(tmp_path: Path, url: str) -> None:
    """asyncpg lets the operating system's error through as it is; the
    engine's `watch` makes it the driver's error, which is then told apart
    from every other FileNotFoundError or ConnectionRefusedError."""
    engine = create_async_engine(url.format(folder=tmp_path, port=_free_port()))
    watch(engine, answered=lambda: None)
    try:
        with pytest.raises(sa.OperationalError) as caught:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    reason = unavailable_reason(caught.value)
    assert reason is not None
    assert reason.startswith("cannot connect")


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Monotonic:
    return Monotonic()


@pytest.fixture
def outage(clock: Monotonic) -> Outage:
    return Outage(unavailable_reason, retry_after=timedelta(seconds=5), monotonic=clock)


GONE = pg.AdminShutdownError("terminating connection due to administrator command")


def lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "trellis.database"]


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(
    outage: Outage, clock: Monotonic, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="trellis.database")
    outage.answered()
    assert not outage.ongoing
    assert lines(caplog) == []

    for _ in range(1000):
        assert outage.noticed(GONE, refused_request=True)
        clock.now += 0.01
    assert outage.noticed(GONE)  # a job pass: not a request refused
    assert outage.ongoing
    [(level, start)] = lines(caplog)
    assert level == logging.ERROR
    assert "the server is shutting down" in start
    assert all(r.exc_info is None for r in caplog.records)

    clock.now += SETTLE_SECONDS
    outage.answered()
    assert not outage.ongoing
    end_level, end = lines(caplog)[1]
    assert end_level == logging.WARNING
    assert end == (
        "database available again after 11.0 s; 1000 requests were answered "
        "SERVICE_UNAVAILABLE meanwhile"
    )

    outage.answered()
    assert len(lines(caplog)) == 2


def test_an_outage_ends_only_once_nothing_failed_for_a_moment(
    outage: Outage, clock: Monotonic, caplog: pytest.LogCaptureFixture
) -> None:
    """A database only partly there (connections full, a few pooled ones
    still working) answers some statements between failures: that is one
    outage, not a start and an end line for every request."""
    caplog.set_level(logging.INFO, logger="trellis.database")
    for _ in range(100):
        outage.noticed(GONE, refused_request=True)
        clock.now += SETTLE_SECONDS / 10
        outage.answered()
    assert outage.ongoing
    assert len(lines(caplog)) == 1

    clock.now += SETTLE_SECONDS
    outage.answered()
    assert not outage.ongoing
    assert [level for level, _ in lines(caplog)] == [logging.ERROR, logging.WARNING]


def test_the_next_outage_is_logged_and_counted_anew(
    outage: Outage, clock: Monotonic, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="trellis.database")
    outage.noticed(GONE, refused_request=True)
    clock.now += SETTLE_SECONDS
    outage.answered()
    outage.noticed(GONE, refused_request=True)
    outage.noticed(GONE, refused_request=True)
    clock.now += SETTLE_SECONDS
    outage.answered()
    assert [level for level, _ in lines(caplog)] == [logging.ERROR, logging.WARNING] * 2
    assert lines(caplog)[-1][1].endswith("2 requests were answered SERVICE_UNAVAILABLE meanwhile")


def test_other_errors_are_not_put_on_record(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="trellis.database")
    assert not outage.noticed(RuntimeError("a bug"), refused_request=True)
    assert outage.reason(GONE)
    assert not outage.ongoing  # `reason` only tells
    assert lines(caplog) == []


@pytest.mark.parametrize(
    ("setting", "seconds"),
    [(timedelta(seconds=5), 5), (timedelta(seconds=2.5), 3), (timedelta(minutes=2), 120)],
)
def test_retry_after_is_whole_seconds(setting: timedelta, seconds: int) -> None:
    assert Outage(unavailable_reason, retry_after=setting).retry_after == seconds
