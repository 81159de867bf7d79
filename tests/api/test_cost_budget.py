"""Each caller's budget of operation cost per minute, a leaky bucket in
PostgreSQL (DESIGN.md sections 5 and 6): it drains and refills with time,
holds across two app instances on one database, spends exactly the costs
of twenty operations at once, is per person (per client address without a
valid token), and over it an operation is refused with RATE_LIMITED (429
and Retry-After) before it runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from api.app import create_app
from api.context import Services
from api.jobs import run_due_jobs
from api.security import ThreadedPasswordHasher
from api.settings import Settings
from persistence.tables.budgets import address_cost_budgets, person_cost_budgets
from tests.api.harness import GraphQL, Org, count_statements
from tests.api.test_auth import sign_in, sign_out
from tests.fakes import CapturingMailer, FakeClock

GRAPHQL_RESPONSE = "application/graphql-response+json"
BUDGET = 600  # 10 per second
PAGE = "{ people(first: 100) { edges { node { id } } } }"
PAGE_COST = 102
FITS = BUDGET // PAGE_COST  # 5 pages, then the 6th is refused


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, cost_budget_per_minute=BUDGET, max_operation_cost=BUDGET
    )


async def _post(
    client: httpx.AsyncClient, query: str = PAGE, *, token: str | None = None
) -> httpx.Response:
    headers = {"accept": GRAPHQL_RESPONSE}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json={"query": query}, headers=headers)


def _codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


async def _count(services: Services, table: sa.Table) -> int:
    async with services.session_factory() as session:
        return (await session.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()


async def _level(services: Services, table: sa.Table) -> float:
    async with services.session_factory() as session:
        return (await session.execute(sa.select(table.c.level))).scalar_one()


async def test_the_budget_drains_and_refills(
    client: httpx.AsyncClient, app: FastAPI, org: Org, clock: FakeClock
) -> None:
    for spent in range(1, FITS + 1):
        response = await _post(client, token=org.faculty.token)
        assert response.status_code == 200, response.text
        assert response.json()["extensions"]["cost"]["remaining"] == BUDGET - spent * PAGE_COST

    with count_statements(app.state.engine, budget=True) as counter:
        refused = await _post(client, token=org.faculty.token)
    assert counter.count == 2, "the viewer's statement and the budget's; the operation never ran"
    assert refused.status_code == 429
    # 510 spent, 102 more is 12 over, at 10 per second: 1.2 s, rounded up.
    assert refused.headers["retry-after"] == "2"
    body = refused.json()
    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "RATE_LIMITED",
        "cost": PAGE_COST,
        "remaining": BUDGET - FITS * PAGE_COST,
        "retryAfter": 2,
    }
    assert body["extensions"]["cost"]["remaining"] == BUDGET - FITS * PAGE_COST

    # A cheaper operation still fits.
    cheap = await _post(client, "{ viewer { name } }", token=org.faculty.token)
    assert cheap.status_code == 200
    assert cheap.json()["data"]["viewer"]["name"] == org.faculty.person.name

    clock.advance(timedelta(seconds=2))
    assert (await _post(client, token=org.faculty.token)).status_code == 200

    clock.advance(timedelta(minutes=1))
    rested = await _post(client, "{ viewer { name } }", token=org.faculty.token)
    assert rested.json()["extensions"]["cost"]["remaining"] == BUDGET - 1


async def test_rate_limited_as_plain_json_is_200_with_retry_after(
    client: httpx.AsyncClient, org: Org
) -> None:
    for _ in range(FITS):
        await _post(client, token=org.faculty.token)
    response = await client.post(
        "/graphql",
        json={"query": PAGE},
        headers={"accept": "application/json", "authorization": f"Bearer {org.faculty.token}"},
    )
    assert response.status_code == 200
    assert response.headers["retry-after"] == "2"
    assert _codes(response) == ["RATE_LIMITED"]


@pytest.fixture
async def second_app(
    settings: Settings, clock: FakeClock, mailer: CapturingMailer, hasher: ThreadedPasswordHasher
) -> AsyncIterator[httpx.AsyncClient]:
    """Another instance of the server on the same database: its own engine
    and pool, as another process would have."""
    other = create_app(
        settings, migrate_on_start=False, run_jobs=False, clock=clock, mailer=mailer, hasher=hasher
    )
    async with other.router.lifespan_context(other):
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://trellis.test") as client:
            yield client


async def test_two_instances_share_one_budget(
    client: httpx.AsyncClient, second_app: httpx.AsyncClient, org: Org, clock: FakeClock
) -> None:
    for i in range(FITS):
        instance = client if i % 2 == 0 else second_app
        assert (await _post(instance, token=org.faculty.token)).status_code == 200
    assert _codes(await _post(second_app, token=org.faculty.token)) == ["RATE_LIMITED"]
    assert _codes(await _post(client, token=org.faculty.token)) == ["RATE_LIMITED"]

    clock.advance(timedelta(seconds=11))  # 110 drained
    assert (await _post(second_app, token=org.faculty.token)).status_code == 200
    assert _codes(await _post(client, token=org.faculty.token)) == ["RATE_LIMITED"]


@pytest.mark.parametrize("at_once", [2, 20])
async def test_operations_at_once_spend_exactly_their_costs(
    client: httpx.AsyncClient, services: Services, org: Org, at_once: int
) -> None:
    cost = 3
    query = "{ viewer { teams { id } goals { id } } }"
    responses = await asyncio.gather(
        *(_post(client, query, token=org.faculty.token) for _ in range(at_once))
    )
    assert all(r.status_code == 200 for r in responses)
    assert all(r.json()["extensions"]["cost"]["requested"] == cost for r in responses)
    remaining = sorted(r.json()["extensions"]["cost"]["remaining"] for r in responses)
    assert remaining == [BUDGET - cost * n for n in range(at_once, 0, -1)], (
        "each saw what the one before it left"
    )
    assert await _level(services, person_cost_budgets) == cost * at_once


async def test_twenty_at_once_past_the_brim_admit_exactly_what_fits(
    client: httpx.AsyncClient, services: Services, org: Org
) -> None:
    responses = await asyncio.gather(*(_post(client, token=org.faculty.token) for _ in range(20)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * FITS + [429] * (20 - FITS)
    admitted = [r for r in responses if r.status_code == 200]
    assert all("errors" not in r.json() for r in admitted)
    assert await _level(services, person_cost_budgets) == FITS * PAGE_COST


async def test_each_person_has_a_budget_of_their_own(
    client: httpx.AsyncClient, org: Org, make_org: Any
) -> None:
    colleague = await org.add_member("Colleague")
    elsewhere = (await make_org("Elsewhere")).faculty
    for _ in range(FITS):
        await _post(client, token=org.faculty.token)
    assert _codes(await _post(client, token=org.faculty.token)) == ["RATE_LIMITED"]
    for member in (colleague, elsewhere):
        response = await _post(client, token=member.token)
        assert response.status_code == 200
        assert response.json()["extensions"]["cost"]["remaining"] == BUDGET - PAGE_COST


def _from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://trellis.test")


async def test_callers_without_a_valid_token_spend_their_addresses_budget(
    app: FastAPI, services: Services, org: Org
) -> None:
    """Anonymous, or with a token that does not verify: the address pays,
    before the operation finds out it may not read anything."""
    async with (
        _from(app, "203.0.113.7") as first,
        _from(app, "2001:db8:7:7::1") as six,
        _from(app, "2001:db8:7:7:ffff::2") as same_network,
    ):
        for i in range(FITS):
            response = await _post(first, token="not-a-token" if i % 2 else None)
            assert _codes(response) != ["RATE_LIMITED"]
        assert _codes(await _post(first)) == ["RATE_LIMITED"]
        assert _codes(await _post(first, token="not-a-token")) == ["RATE_LIMITED"]

        # The signed-in person from that address spends their own budget.
        signed_in = await _post(first, token=org.faculty.token)
        assert signed_in.status_code == 200

        # An IPv6 client's whole /64 network is one caller.
        for _ in range(FITS):
            await _post(six)
        assert _codes(await _post(same_network)) == ["RATE_LIMITED"]

    async with services.session_factory() as session:
        addresses = set(
            (await session.execute(sa.select(address_cost_budgets.c.client_address))).scalars()
        )
    assert addresses == {"203.0.113.7", "2001:db8:7:7::/64"}


async def test_a_refused_mutation_changes_nothing(
    client: httpx.AsyncClient, org: Org, clock: FakeClock
) -> None:
    for _ in range(FITS):
        await _post(client, token=org.faculty.token)
    # 510 spent: a page of 88 (cost 90) fills the bucket to the brim.
    brim = await _post(client, PAGE.replace("100", "88"), token=org.faculty.token)
    assert brim.json()["extensions"]["cost"]["remaining"] == 0
    goal = """mutation { createGoal(input: {title: "Learn Rust", stage: TASKS}) { __typename } }"""
    assert _codes(await _post(client, goal, token=org.faculty.token)) == ["RATE_LIMITED"]

    clock.advance(timedelta(minutes=1))
    body = await _post(client, "{ viewer { goals { title } } }", token=org.faculty.token)
    assert body.json()["data"]["viewer"]["goals"] == []


async def test_the_job_pass_forgets_budgets_idle_for_a_minute(
    client: httpx.AsyncClient, app: FastAPI, services: Services, org: Org, clock: FakeClock
) -> None:
    await _post(client, token=org.faculty.token)
    async with _from(app, "198.51.100.9") as anonymous:
        await _post(anonymous)
    clock.advance(timedelta(seconds=59))
    await run_due_jobs(services)
    assert await _count(services, person_cost_budgets) == 1
    assert await _count(services, address_cost_budgets) == 1

    clock.advance(timedelta(seconds=2))
    await run_due_jobs(services)
    assert await _count(services, person_cost_budgets) == 0
    assert await _count(services, address_cost_budgets) == 0
    fresh = await _post(client, token=org.faculty.token)
    assert fresh.json()["extensions"]["cost"]["remaining"] == BUDGET - PAGE_COST


async def test_a_failing_budget_shows_no_internals(
    client: httpx.AsyncClient, services: Services, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fails(*args: object) -> None:
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(services.budgets, "pour", fails)
    response = await _post(client, "{ viewer { name } }", token=org.faculty.token)
    assert response.status_code == 500, "ours, not the request's"
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL"]
    assert "secret" not in response.text


async def test_a_signed_out_token_spends_its_client_budget_not_its_owners(
    client: httpx.AsyncClient, gql: GraphQL, org: Org, services: Services
) -> None:
    """Whoever keeps a token after signing out cannot run its owner's
    budget dry: it pays as a caller without a valid token does."""
    member = await org.add_member()
    session = await sign_in(gql, member.email)
    await sign_out(gql, session["refreshToken"])
    before = await _level(services, address_cost_budgets)

    refused = await _post(client, token=session["accessToken"])

    assert _codes(refused) == ["SESSION_ENDED"]
    assert await _count(services, person_cost_budgets) == 0
    assert await _level(services, address_cost_budgets) == before + PAGE_COST
