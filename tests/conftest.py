"""Fixtures shared by the integration, API and e2e tests."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest

from tests.database import DatabasePool, TestServer, test_server


@pytest.fixture(scope="session")
def pg(worker_id: str) -> Iterator[TestServer]:
    """The run's PostgreSQL server, with this worker's migrated template."""
    with test_server(worker_id) as server:
        asyncio.run(server.build_template())
        try:
            yield server
        finally:
            asyncio.run(server.drop(server.template))


@pytest.fixture(scope="session")
def databases(pg: TestServer) -> Iterator[DatabasePool]:
    """This worker's copies of its template, made ahead and dropped behind."""
    with DatabasePool(pg) as pool:
        yield pool


@pytest.fixture
def database_url(pg: TestServer, databases: DatabasePool) -> Iterator[str]:
    """A fresh, migrated database for one test, dropped afterwards."""
    name = databases.take()
    try:
        yield pg.url(name)
    finally:
        databases.release(name)


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """xdist's worker name ("gw0"...), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")
