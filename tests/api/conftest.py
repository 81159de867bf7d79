from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.context import Services
from api.security import ThreadedPasswordHasher, argon2_hasher
from api.settings import Settings
from tests.api.harness import PASSWORD, GraphQL, Org, api_settings, create_org
from tests.fakes import CapturingMailer, FakeClock


@pytest.fixture(scope="session")
def hasher() -> ThreadedPasswordHasher:
    return argon2_hasher()


@pytest.fixture(scope="session")
def password_hash(hasher: ThreadedPasswordHasher) -> str:
    return asyncio.run(hasher.hash(PASSWORD))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mailer() -> CapturingMailer:
    return CapturingMailer()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return api_settings(database_url)


@pytest.fixture
async def app(
    settings: Settings, clock: FakeClock, mailer: CapturingMailer, hasher: ThreadedPasswordHasher
) -> AsyncIterator[FastAPI]:
    app = create_app(
        settings, migrate_on_start=False, run_jobs=False, clock=clock, mailer=mailer, hasher=hasher
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def services(app: FastAPI) -> Services:
    return app.state.services


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trellis.test") as client:
        yield client


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQL:
    return GraphQL(client)


@pytest.fixture
def make_org(services: Services, password_hash: str) -> Callable[..., Awaitable[Org]]:
    async def make(name: str = "Acme") -> Org:
        return await create_org(services, password_hash, name)

    return make


@pytest.fixture
async def org(make_org: Callable[..., Awaitable[Org]]) -> Org:
    return await make_org("Acme")
