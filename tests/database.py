"""A real PostgreSQL for the test run.

One server per run (the embedded one, or the server of TRELLIS_DATABASE_URL),
one migrated template database per test worker, and a fresh copy of the
template for every test that needs a database: tests are isolated, may
commit, and may run concurrent transactions against each other.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from persistence import migrate
from persistence.embedded import CREATE_OPTIONS, EmbeddedPostgres

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = Path(os.environ.get("TRELLIS_TEST_DATA_DIR", ROOT / ".trellis" / "test"))
"""The embedded test server's folder (unless TRELLIS_DATABASE_URL names one)."""


@dataclass
class TestServer:
    """Creates and drops databases on one server."""

    base_url: str  # postgresql+asyncpg://.../<any database>
    worker: str
    embedded: EmbeddedPostgres | None = None

    def __post_init__(self) -> None:
        self._counter = itertools.count()
        # The embedded server gets the app's own database options; a configured
        # server keeps its defaults.
        self.create_options = CREATE_OPTIONS if self.embedded else ""

    def url(self, database: str) -> str:
        parts = urlsplit(self.base_url)
        return urlunsplit(parts._replace(path=f"/{database}"))

    def dsn(self, database: str) -> str:
        """The same URL for asyncpg itself (no SQLAlchemy dialect prefix)."""
        return self.url(database).replace("postgresql+asyncpg://", "postgresql://", 1)

    @property
    def template(self) -> str:
        # The pid keeps concurrent runs (two developers' terminals) apart.
        return f"trellis_template_{self.worker}_{os.getpid()}"

    def next_name(self) -> str:
        return f"trellis_test_{self.worker}_{os.getpid()}_{next(self._counter)}"

    async def admin(self, *statements: str) -> None:
        connection = await asyncpg.connect(self.dsn("postgres"))
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    async def create_empty(self, name: str) -> str:
        await self.admin(
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" {self.create_options}',
        )
        return self.url(name)

    def copy_template(self, name: str) -> str:
        """The statement that creates database `name` as a copy of the template."""
        return f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY FILE_COPY'

    async def drop(self, name: str) -> None:
        await self.admin(drop_database(name))

    async def build_template(self) -> None:
        url = await self.create_empty(self.template)
        await migrate.upgrade_async(url)


class DatabasePool:
    """Fresh copies of the template, made before a test asks for one.

    Copying the template and dropping a used copy each wait for a checkpoint
    of the whole server; on a busy two-core machine that is 0.2-0.4 s, a
    third of a typical API test. A thread does both while the tests run: it
    keeps `ahead` unused copies ready and drops the copies tests are done
    with. Every test still gets a database nobody else has used.
    """

    _COPY = object()  # a job: make one more copy ahead

    def __init__(self, server: TestServer, *, ahead: int = 2) -> None:
        self._server = server
        # Jobs, in order: _COPY, the name of a database to drop, or None to stop.
        self._jobs: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._ready: queue.SimpleQueue[str | BaseException] = queue.SimpleQueue()
        for _ in range(ahead):
            self._jobs.put(self._COPY)
        self._broken: BaseException | None = None  # no admin connection: every take fails
        self._thread = threading.Thread(target=self._work, name="database-pool", daemon=True)

    def __enter__(self) -> DatabasePool:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._jobs.put(None)
        self._thread.join()

    def take(self) -> str:
        """The name of a fresh copy, for one test; waits if none is ready."""
        if self._broken is not None:
            raise self._broken
        ready = self._ready.get()
        self._jobs.put(self._COPY)
        if isinstance(ready, BaseException):
            raise ready
        return ready

    def release(self, name: str) -> None:
        """Drop `name`, with whatever connections a test left open, soon."""
        self._jobs.put(name)

    def _work(self) -> None:
        """Runs the jobs on one admin connection in the thread's own event
        loop; a failure reaches the test that takes the next copy. On stop,
        drops the copies no test took."""
        with asyncio.Runner() as runner:
            try:
                connection = runner.run(asyncpg.connect(self._server.dsn("postgres")))
            except Exception as error:
                self._broken = error
                self._ready.put(error)
                return
            try:
                while (job := self._jobs.get()) is not None:
                    try:
                        if isinstance(job, str):
                            runner.run(connection.execute(drop_database(job)))
                        else:
                            name = self._server.next_name()
                            runner.run(connection.execute(self._server.copy_template(name)))
                            self._ready.put(name)
                    except Exception as error:
                        self._ready.put(error)
                while not self._ready.empty():
                    if isinstance(unused := self._ready.get(), str):
                        runner.run(connection.execute(drop_database(unused)))
            finally:
                runner.run(connection.close())


def drop_database(name: str) -> str:
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


@contextmanager
def test_server(worker: str) -> Iterator[TestServer]:
    configured = os.environ.get("TRELLIS_DATABASE_URL")
    if configured:
        yield TestServer(base_url=configured, worker=worker)
        return
    embedded = EmbeddedPostgres(TEST_DATA)
    disposable(embedded)
    try:
        yield TestServer(base_url=embedded.url("postgres"), worker=worker, embedded=embedded)
    finally:
        embedded.stop()


def disposable(embedded: EmbeddedPostgres) -> None:
    """Test data is disposable: trade durability for speed."""
    embedded.psql(
        "ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off;"
        " ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();"
    )
