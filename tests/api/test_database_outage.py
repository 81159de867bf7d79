"""The database goes away under load and comes back, with no restart of the
app: requests get a typed, retryable SERVICE_UNAVAILABLE (503 with
Retry-After for `application/graphql-response+json`), the process logs the
outage once when it starts and once when it ends, /readyz follows, and
nothing acknowledged is lost.

Stopping the run's shared PostgreSQL would fail every other worker's tests,
so these tests stop and start a server of their own (an embedded one in a
folder of their own, migrated once for the module; each test gets a fresh
copy of that database).
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import os
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import api.jobs
from api.app import create_app
from api.context import Services
from api.settings import Settings
from persistence import migrate
from persistence.embedded import EmbeddedPostgres
from persistence.repositories.goals import SqlGoalRepository
from persistence.repositories.read_log import SqlReadLogRepository
from persistence.unit_of_work import SqlAlchemyUnitOfWork
from tests.api.goal_helpers import CREATE_GOAL
from tests.api.harness import GraphQL, Member, Org, api_settings, without_cost
from tests.api.read_log_helpers import GOAL_BY_NODE, shared_cast
from tests.database import TEST_DATA, disposable
from tests.fakes import FakeClock

RETRY_AFTER = 3
WAIT_SECONDS = 30
GRAPHQL_RESPONSE = {"accept": "application/graphql-response+json"}
VIEWER = "{ viewer { id name } }"
TITLES = "{ viewer { goals { title } } }"
UNAVAILABLE = {
    "message": f"The service is unavailable for a moment; try again in {RETRY_AFTER} seconds.",
    "extensions": {"code": "SERVICE_UNAVAILABLE", "retryable": True, "retryAfter": RETRY_AFTER},
}
_copies = itertools.count()


@pytest.fixture(scope="module")
def own_server(worker_id: str) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL for this module alone, with a migrated template. Its
    folder is beside the run's server, not in pytest's temporary folder:
    the server runs as another user when the tests run as root, and every
    pytest session (another worker's, a colleague's) closes that folder to
    other users again."""
    folder = TEST_DATA.parent / f"outage-{worker_id}-{os.getpid()}"
    server = EmbeddedPostgres(folder)
    try:
        disposable(server)
        server.ensure_database("outage_template")
        migrate.upgrade(server.url("outage_template"))
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def own_database(own_server: EmbeddedPostgres) -> Iterator[str]:
    """A fresh copy of the template, on a running server whatever the test
    left it as."""
    name = f"outage_{os.getpid()}_{next(_copies)}"
    own_server.psql(f'CREATE DATABASE "{name}" TEMPLATE outage_template;')
    try:
        yield own_server.url(name)
    finally:
        own_server.start()
        own_server.psql(f'DROP DATABASE "{name}" WITH (FORCE);')


@pytest.fixture
def settings(own_database: str) -> Settings:
    return api_settings(own_database, unavailable_retry_after=timedelta(seconds=RETRY_AFTER))


@pytest.fixture
def outage_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING)
    return caplog


def database_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "trellis.database"]


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing but the outage's own lines at ERROR, and no traceback at all."""
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert not tracebacks, caplog.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["trellis.database"], caplog.text


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER)
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert without_cost(response.json()) == {"errors": [UNAVAILABLE]}


async def wait_until(condition: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    async def met() -> bool:
        value = condition()
        return await value if inspect.isawaitable(value) else value

    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while not await met():  # noqa: ASYNC110 - other tasks and an endpoint change it
                await asyncio.sleep(0.05)
    except TimeoutError:
        pytest.fail(f"gave up waiting until {what}")


async def readyz(client: httpx.AsyncClient) -> int:
    return (await client.get("/readyz")).status_code


async def ready(client: httpx.AsyncClient) -> bool:
    return await readyz(client) == 200


async def titles(gql: GraphQL, member: Member) -> set[str]:
    data = await gql.data(TITLES, token=member.token)
    return {goal["title"] for goal in data["viewer"]["goals"]}


@dataclass
class Load:
    """Clients that read and write without pause, as a busy hour would."""

    gql: GraphQL
    member: Member
    responses: list[tuple[float, httpx.Response]] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    """Goals answered created."""
    refused: set[str] = field(default_factory=set)
    """Goals answered SERVICE_UNAVAILABLE: never created."""
    saved: set[str] = field(default_factory=set)
    """Goals whose commit went through before the database went away."""
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def answered_since(self, moment: float, *, status: int) -> int:
        return sum(1 for at, r in self.responses if at >= moment and r.status_code == status)

    async def client(self, number: int) -> None:
        for n in itertools.count():
            if self.stop.is_set():
                return
            title = f"Load {number}-{n}"
            variables = {"input": {"title": title, "stage": "TASKS"}}
            written = await self._ask(CREATE_GOAL, variables)
            body = written.json()
            if written.status_code == 503:
                assert_refused(written)
                self.refused.add(title)
            elif "errors" in body:
                [error] = body["errors"]
                assert error["extensions"]["code"] == "ANSWER_UNAVAILABLE", body
                if error["extensions"]["saved"]:
                    self.saved.add(title)
            else:
                assert body["data"]["createGoal"]["__typename"] == "GoalSuccess", body
                self.acknowledged.add(title)
            await self._ask(VIEWER, {})
            await asyncio.sleep(0.005)

    async def _ask(self, query: str, variables: dict[str, Any]) -> httpx.Response:
        response = await self.gql.raw(
            query, variables, token=self.member.token, headers=GRAPHQL_RESPONSE
        )
        self.responses.append((time.monotonic(), response))
        return response


async def test_an_outage_under_load_is_answered_as_retryable_and_ends_without_a_restart(
    gql: GraphQL,
    client: httpx.AsyncClient,
    org: Org,
    own_server: EmbeddedPostgres,
    outage_log: pytest.LogCaptureFixture,
) -> None:
    load = Load(gql, org.faculty)
    clients = [asyncio.create_task(load.client(n)) for n in range(6)]
    try:
        await wait_until(lambda: len(load.acknowledged) >= 12, "requests are answered")
        assert await readyz(client) == 200

        await asyncio.to_thread(own_server.shut_down)
        down = time.monotonic()
        await wait_until(
            lambda: load.answered_since(down, status=503) >= 60, "requests are refused"
        )
        assert await readyz(client) == 503
        # A client of the older `application/json` gets the same answer with
        # 200, as the GraphQL-over-HTTP spec asks for that media type.
        legacy = await gql.raw(VIEWER, token=org.faculty.token)
        assert legacy.status_code == 200
        assert legacy.headers["retry-after"] == str(RETRY_AFTER)
        assert without_cost(legacy.json()) == {"errors": [UNAVAILABLE]}

        await asyncio.to_thread(own_server.start)
        up = time.monotonic()
        await wait_until(lambda: ready(client), "/readyz says ready")
        await wait_until(
            lambda: load.answered_since(up, status=200) >= 60, "requests succeed again"
        )
    finally:
        load.stop.set()
        await asyncio.gather(*clients)

    for _, response in load.responses:
        if response.status_code != 200:
            assert_refused(response)
    assert load.refused, "no write met the outage"
    # Nothing acknowledged is lost, and nothing refused was done.
    stored = {t for t in await titles(gql, org.faculty) if t.startswith("Load ")}
    assert load.acknowledged | load.saved <= stored
    assert not stored & load.refused

    (start_level, start), (end_level, end) = database_lines(outage_log)
    assert start_level == logging.ERROR
    assert start.startswith("database unavailable: ")
    assert end_level == logging.WARNING
    refused = sum(1 for _, r in load.responses if r.status_code == 503) + 1  # the legacy one
    assert end.endswith(f"{refused} requests were answered SERVICE_UNAVAILABLE meanwhile"), end
    assert_no_traceback(outage_log)


async def test_a_mutation_cut_off_in_the_middle_commits_nothing(
    gql: GraphQL,
    org: Org,
    own_server: EmbeddedPostgres,
    monkeypatch: pytest.MonkeyPatch,
    outage_log: pytest.LogCaptureFixture,
) -> None:
    """The database goes away while a mutation's unit of work is open (after
    its reads, before its write): the answer is SERVICE_UNAVAILABLE, and
    once the database is back nothing of it is there."""
    original_add = SqlGoalRepository.add

    async def lose_the_database_then_add(self: SqlGoalRepository, goal: Any) -> None:
        await asyncio.to_thread(own_server.shut_down)
        await original_add(self, goal)

    monkeypatch.setattr(SqlGoalRepository, "add", lose_the_database_then_add)
    create = {"input": {"title": "Cut off", "stage": "TASKS"}}
    assert_refused(
        await gql.raw(CREATE_GOAL, create, token=org.faculty.token, headers=GRAPHQL_RESPONSE)
    )
    monkeypatch.undo()

    await asyncio.to_thread(own_server.start)
    assert await titles(gql, org.faculty) == set()
    assert [level for level, _ in database_lines(outage_log)] == [logging.ERROR]
    assert_no_traceback(outage_log)


async def test_a_mutation_saved_when_the_database_goes_away_is_not_retryable(
    gql: GraphQL,
    org: Org,
    own_server: EmbeddedPostgres,
    monkeypatch: pytest.MonkeyPatch,
    outage_log: pytest.LogCaptureFixture,
) -> None:
    """The goal is committed; the database goes away before its payload is
    read. Sending it again would make a second goal: the answer says it
    was saved and is not retryable."""
    original_commit = SqlAlchemyUnitOfWork.commit

    async def commit_then_lose_the_database(self: SqlAlchemyUnitOfWork) -> None:
        await original_commit(self)
        await asyncio.to_thread(own_server.shut_down)

    monkeypatch.setattr(SqlAlchemyUnitOfWork, "commit", commit_then_lose_the_database)
    create = {"input": {"title": "Saved", "stage": "TASKS"}}
    response = await gql.raw(CREATE_GOAL, create, token=org.faculty.token, headers=GRAPHQL_RESPONSE)
    monkeypatch.undo()

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["path"] == ["createGoal"]
    assert error["extensions"] == {
        "code": "ANSWER_UNAVAILABLE",
        "retryable": False,
        "saved": True,
        "retryAfter": RETRY_AFTER,
    }
    await asyncio.to_thread(own_server.start)
    assert await titles(gql, org.faculty) == {"Saved"}
    assert_no_traceback(outage_log)


async def test_a_mutation_whose_commit_is_cut_off_may_have_been_saved(
    gql: GraphQL,
    org: Org,
    own_server: EmbeddedPostgres,
    monkeypatch: pytest.MonkeyPatch,
    outage_log: pytest.LogCaptureFixture,
) -> None:
    """COMMIT was sent and the connection broke: the server may have
    committed before it went, and nobody can tell. Not retryable either."""
    original_commit = SqlAlchemyUnitOfWork.commit

    async def lose_the_database_then_commit(self: SqlAlchemyUnitOfWork) -> None:
        await asyncio.to_thread(own_server.shut_down)
        await original_commit(self)

    monkeypatch.setattr(SqlAlchemyUnitOfWork, "commit", lose_the_database_then_commit)
    create = {"input": {"title": "Perhaps", "stage": "TASKS"}}
    response = await gql.raw(CREATE_GOAL, create, token=org.faculty.token, headers=GRAPHQL_RESPONSE)
    monkeypatch.undo()

    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "ANSWER_UNAVAILABLE"
    assert error["extensions"]["retryable"] is False
    assert error["extensions"]["saved"] is None
    assert_no_traceback(outage_log)


async def test_the_read_log_writer_logs_the_outage_once_and_the_answer_stands(
    gql: GraphQL,
    clock: FakeClock,
    org: Org,
    own_server: EmbeddedPostgres,
    monkeypatch: pytest.MonkeyPatch,
    outage_log: pytest.LogCaptureFixture,
) -> None:
    """The read log is written once the answer is ready (a record, not a
    gate): a reader whose answer was ready when the database went away
    keeps it, and the failed write logs nothing but the outage's line."""
    cast = await shared_cast(gql, clock, org)
    original_add = SqlReadLogRepository.add

    async def lose_the_database_then_add(self: SqlReadLogRepository, records: Any) -> None:
        await asyncio.to_thread(own_server.shut_down)
        await original_add(self, records)

    monkeypatch.setattr(SqlReadLogRepository, "add", lose_the_database_then_add)
    read = await gql.raw(
        GOAL_BY_NODE, {"id": cast.goal}, token=cast.steward.token, headers=GRAPHQL_RESPONSE
    )
    assert read.status_code == 200
    assert without_cost(read.json()) == {"data": {"node": {"title": "Run the retro"}}}
    monkeypatch.undo()

    assert_refused(
        await gql.raw(
            GOAL_BY_NODE, {"id": cast.goal}, token=cast.steward.token, headers=GRAPHQL_RESPONSE
        )
    )
    assert [level for level, _ in database_lines(outage_log)] == [logging.ERROR]
    assert_no_traceback(outage_log)


async def test_the_job_loop_logs_the_outage_once(
    settings: Settings,
    clock: FakeClock,
    own_server: EmbeddedPostgres,
    monkeypatch: pytest.MonkeyPatch,
    outage_log: pytest.LogCaptureFixture,
) -> None:
    """A job pass every 20 ms: ten meet the database away, and only the
    outage's two lines are logged."""
    passes: list[float] = []
    run_due_jobs = api.jobs.run_due_jobs

    async def counted(services: Services) -> int:
        passes.append(time.monotonic())
        return await run_due_jobs(services)

    monkeypatch.setattr(api.jobs, "run_due_jobs", counted)
    fast_jobs = settings.model_copy(update={"job_interval": timedelta(milliseconds=20)})
    app = create_app(fast_jobs, migrate_on_start=False, clock=clock)
    async with serving(app) as client:
        await wait_until(lambda: len(passes) >= 2, "jobs ran")
        await asyncio.to_thread(own_server.shut_down)
        down = time.monotonic()
        await wait_until(lambda: sum(at > down for at in passes) >= 10, "jobs met the outage")
        assert await readyz(client) == 503
        await asyncio.to_thread(own_server.start)
        await wait_until(lambda: ready(client), "/readyz says ready")

    assert [level for level, _ in database_lines(outage_log)] == [logging.ERROR, logging.WARNING]
    assert_no_traceback(outage_log)


async def test_a_database_away_from_the_start_is_unavailable_not_internal(
    tmp_path: Path, clock: FakeClock, outage_log: pytest.LogCaptureFixture
) -> None:
    """No server at all behind the configured address (a socket folder
    where nothing listens): sign-in, queries and /readyz all say so."""
    settings = api_settings(
        f"postgresql+asyncpg://postgres@/trellis?host={tmp_path}",
        unavailable_retry_after=timedelta(seconds=RETRY_AFTER),
    )
    app = create_app(settings, migrate_on_start=False, run_jobs=False, clock=clock)
    async with serving(app) as client:
        gql = GraphQL(client)
        sign_in = """
        mutation { signIn(input: {email: "ada@example.com", password: "correct horse"}) {
          __typename } }
        """
        assert_refused(await gql.raw(sign_in, headers=GRAPHQL_RESPONSE))
        assert await readyz(client) == 503
        assert (await client.get("/healthz")).status_code == 200
    assert [level for level, _ in database_lines(outage_log)] == [logging.ERROR]
    assert_no_traceback(outage_log)


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An app of the test's own, started, and a client of it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://trellis.test") as client:
            yield client
