"""Every operation's cost is computed before it runs (DESIGN.md section 5):
above the maximum it is refused with its cost and the limit, before any
SQL; otherwise the response's `extensions.cost` reports it. Directives on
one location and duplicated fields are capped before validation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings
from tests.api.harness import GraphQL, Org, count_statements

GRAPHQL_RESPONSE = "application/graphql-response+json"

# The issue's query: 30 aliases of `people(first: 100)` with nested
# connections and lists, within the depth, alias and token limits.
ONE_PAGE = (
    "people(first: 100) { edges { node { id name"
    " stewardships(first: 100) { edges { node { follower { name } } } }"
    " teams { name members { name } } } } }"
)
THE_ISSUES_QUERY = "{ " + " ".join(f"p{i}: {ONE_PAGE}" for i in range(30)) + " }"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The limits as shipped (the other API tests lift them)."""
    return Settings(database_url=database_url)


async def _post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    accept: str = GRAPHQL_RESPONSE,
) -> httpx.Response:
    headers = {"accept": accept}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


async def test_the_issues_query_is_refused_with_its_cost_before_any_sql(
    client: httpx.AsyncClient, app: FastAPI, org: Org, settings: Settings
) -> None:
    with count_statements(app.state.engine, budget=True) as counter:
        response = await _post(client, THE_ISSUES_QUERY, token=org.faculty.token)
    assert counter.count == 0, counter.statements

    assert response.status_code == 400, "a request error, per GraphQL over HTTP"
    body = response.json()
    assert body.get("data") is None
    [error] = body["errors"]
    cost = error["extensions"]["cost"]
    assert error["extensions"] == {
        "code": "OPERATION_TOO_COSTLY",
        "cost": cost,
        "limit": settings.max_operation_cost,
    }
    assert cost > 50 * settings.max_operation_cost
    assert str(cost) in error["message"]
    assert str(settings.max_operation_cost) in error["message"]
    assert body["extensions"]["cost"] == {"requested": cost, "limit": settings.max_operation_cost}


async def test_a_costly_query_as_plain_json_is_refused_with_200(
    client: httpx.AsyncClient, org: Org
) -> None:
    response = await _post(
        client, THE_ISSUES_QUERY, token=org.faculty.token, accept="application/json"
    )
    assert response.status_code == 200
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["OPERATION_TOO_COSTLY"]


async def test_a_smaller_page_of_the_same_shape_runs(gql: GraphQL, org: Org) -> None:
    smaller = ONE_PAGE.replace("stewardships(first: 100)", "stewardships(first: 10)")
    body = await gql("{ " + smaller + " }", token=org.faculty.token)
    assert "errors" not in body, body
    assert body["extensions"]["cost"]["requested"] < body["extensions"]["cost"]["limit"]


async def test_a_cheap_query_reports_its_cost_and_the_budget_left(
    gql: GraphQL, org: Org, settings: Settings
) -> None:
    body = await gql("{ viewer { name teams { name } } }", token=org.faculty.token)
    assert body["data"] == {"viewer": {"name": org.faculty.person.name, "teams": []}}
    cost = body["extensions"]["cost"]
    assert cost == {
        "requested": 2,
        "limit": settings.max_operation_cost,
        "budget": settings.cost_budget_per_minute,
        "remaining": settings.cost_budget_per_minute - 2,
        "resetAt": cost["resetAt"],
    }

    again = await gql("{ viewer { name teams { name } } }", token=org.faculty.token)
    assert again["extensions"]["cost"]["remaining"] == settings.cost_budget_per_minute - 4


async def test_the_cost_follows_the_page_asked_for(gql: GraphQL, org: Org) -> None:
    query = "query($n: Int) { people(first: $n) { edges { node { teams { id } } } } }"
    costs = []
    for n in (1, 10, 100):
        body = await gql(query, {"n": n}, token=org.faculty.token)
        costs.append(body["extensions"]["cost"]["requested"])
    assert costs == [1 + 1 + n * 2 for n in (1, 10, 100)]


async def test_a_mutation_reports_its_cost(gql: GraphQL, org: Org) -> None:
    body = await gql(
        "mutation { markNotificationsRead(input: {}) { __typename } }", token=org.faculty.token
    )
    assert "errors" not in body, body
    assert body["extensions"]["cost"]["requested"] == 10


async def test_a_request_error_before_execution_reports_no_cost(client: httpx.AsyncClient) -> None:
    response = await _post(client, "{ viewer { noSuchField } }")
    assert response.status_code == 400
    assert "extensions" not in response.json()


# --- Directive repetition and field duplication -----------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (
            "{ viewer " + "@include(if: true) " * 5 + "{ id } }",
            "TOO_MANY_DIRECTIVES",
        ),
        (
            "{ viewer { " + "name " * 11 + "} }",
            "TOO_MANY_DUPLICATE_FIELDS",
        ),
        (
            "fragment F on Person { name } { viewer { " + "...F " * 11 + "} }",
            "TOO_MANY_DUPLICATE_FIELDS",
        ),
        (
            "{ viewer { " + "teams { name id } " * 600 + "} }",
            "TOO_MANY_DUPLICATE_FIELDS",
        ),
    ],
    ids=["directives", "fields", "fragment-spreads", "nested-selections"],
)
async def test_repetition_is_capped_before_validation_and_any_sql(
    client: httpx.AsyncClient, app: FastAPI, org: Org, query: str, code: str
) -> None:
    with count_statements(app.state.engine, budget=True) as counter:
        response = await _post(client, query, token=org.faculty.token)
    assert counter.count == 0
    assert response.status_code == 400
    body = response.json()
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]


async def test_within_the_caps_repetition_is_fine(gql: GraphQL, org: Org) -> None:
    query = (
        "fragment A on Person { id name } fragment B on Person { id handle }"
        " query($no: Boolean = false) { viewer @skip(if: $no) @include(if: true)"
        " { id name ...A ...B } }"
    )
    data = await gql.data(query, token=org.faculty.token)
    assert data["viewer"]["name"] == org.faculty.person.name


@pytest.fixture
def tight_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, max_directives=1, max_field_duplicates=1)


async def test_the_caps_are_settings(
    tight_settings: Settings, clock: Any, mailer: Any, hasher: Any
) -> None:
    tight = create_app(
        tight_settings,
        migrate_on_start=False,
        run_jobs=False,
        clock=clock,
        mailer=mailer,
        hasher=hasher,
    )
    async with tight.router.lifespan_context(tight):
        transport = httpx.ASGITransport(app=tight)
        async with httpx.AsyncClient(transport=transport, base_url="http://trellis.test") as client:
            twice = await _post(client, "{ __typename __typename }")
            assert [e["extensions"]["code"] for e in twice.json()["errors"]] == [
                "TOO_MANY_DUPLICATE_FIELDS"
            ]
            two = await _post(client, "{ __typename @skip(if: false) @include(if: true) }")
            assert [e["extensions"]["code"] for e in two.json()["errors"]] == [
                "TOO_MANY_DIRECTIVES"
            ]
            fine = await _post(client, "{ __typename @skip(if: false) }")
            assert fine.json()["data"] == {"__typename": "Query"}
