"""A real PostgreSQL for the test run.

One server per run (the embedded one, or the server of TRELLIS_DATABASE_URL),
one migrated template database per test worker, and a fresh copy of the
template for every test that needs a database: tests are isolated, may
commit, and may run concurrent transactions against each other.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from persistence import migrate
from persistence.embedded import CREATE_OPTIONS, EmbeddedPostgres

ROOT = Path(__file__).resolve().parent.parent


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

    async def create_from_template(self, name: str) -> str:
        await self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY FILE_COPY')
        return self.url(name)

    async def drop(self, name: str) -> None:
        await self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def build_template(self) -> None:
        url = await self.create_empty(self.template)
        await migrate.upgrade_async(url)


@contextmanager
def test_server(worker: str) -> Iterator[TestServer]:
    configured = os.environ.get("TRELLIS_DATABASE_URL")
    if configured:
        yield TestServer(base_url=configured, worker=worker)
        return
    data_dir = Path(os.environ.get("TRELLIS_TEST_DATA_DIR", ROOT / ".trellis" / "test"))
    embedded = EmbeddedPostgres(data_dir)
    # Test data is disposable: trade durability for speed.
    embedded.psql(
        "ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off;"
        " ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();"
    )
    try:
        yield TestServer(base_url=embedded.url("postgres"), worker=worker, embedded=embedded)
    finally:
        embedded.stop()
