"""The API conventions of DESIGN.md section 5, checked through HTTP against
the ASGI app: limits, pagination, GraphQL-over-HTTP, error masking and the
differences between development and production."""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from api.app import create_app
from api.settings import Environment, Settings
from tests.api.harness import GraphQL, Org

GRAPHQL_RESPONSE = "application/graphql-response+json"

PEOPLE_PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String) {
  people(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


def _messages(body: dict[str, Any]) -> str:
    return " | ".join(e["message"] for e in body.get("errors", []))


def _codes(body: dict[str, Any]) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


# --- Protective limits --------------------------------------------------------


def _nested(depth: int) -> str:
    """`{ viewer { steward { leader { steward { ... name } } } } }`, `depth`
    levels deep: single objects all the way, so its cost stays far below the
    maximum (nested lists would be refused for their cost first)."""
    fields = ["viewer"] + ["steward" if i % 2 == 0 else "leader" for i in range(depth - 1)]
    return "{ " + " { ".join(fields) + " { name }" + " }" * (len(fields) - 1) + " }"


async def test_query_deeper_than_the_limit_is_refused(
    gql: GraphQL, org: Org, settings: Settings
) -> None:
    allowed = await gql(_nested(settings.max_query_depth - 1), token=org.faculty.token)
    assert "errors" not in allowed, allowed

    body = await gql(_nested(settings.max_query_depth + 2), token=org.faculty.token)
    assert body.get("data") is None
    assert "depth" in _messages(body)
    assert str(settings.max_query_depth) in _messages(body)


async def test_too_many_aliases_are_refused(gql: GraphQL, org: Org, settings: Settings) -> None:
    aliases = " ".join(f"a{i}: viewer {{ id }}" for i in range(settings.max_aliases + 1))
    body = await gql("{ " + aliases + " }", token=org.faculty.token)
    assert body.get("data") is None
    assert "aliases" in _messages(body)
    assert str(settings.max_aliases) in _messages(body)


async def test_too_many_tokens_are_refused(gql: GraphQL, org: Org, settings: Settings) -> None:
    # Each `__typename` is one token; the braces add two.
    query = "{ " + " ".join(["__typename"] * (settings.max_tokens + 10)) + " }"
    body = await gql(query, token=org.faculty.token)
    assert body.get("data") is None
    assert "token" in _messages(body)
    assert str(settings.max_tokens) in _messages(body)


# --- Pagination arguments -----------------------------------------------------


async def test_page_larger_than_the_maximum_is_refused(
    gql: GraphQL, org: Org, settings: Settings
) -> None:
    body = await gql(PEOPLE_PAGE, {"first": settings.max_page_size + 1}, token=org.faculty.token)
    assert body.get("data") is None
    assert _codes(body) == ["PAGE_SIZE_EXCEEDED"]
    assert str(settings.max_page_size) in _messages(body)

    # The maximum itself is fine.
    ok = await gql.data(PEOPLE_PAGE, {"first": settings.max_page_size}, token=org.faculty.token)
    assert len(ok["people"]["edges"]) == 1


@pytest.mark.parametrize(
    "variables",
    [{"first": 2, "last": 2}, {"first": -1}, {"last": -3}],
    ids=["first-and-last", "negative-first", "negative-last"],
)
async def test_invalid_pagination_arguments(
    gql: GraphQL, org: Org, variables: dict[str, Any]
) -> None:
    body = await gql(PEOPLE_PAGE, variables, token=org.faculty.token)
    assert body.get("data") is None
    assert _codes(body) == ["INVALID_PAGINATION"]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "not-a-cursor",
        _b64(b"not json"),
        _b64(b"\xff\xfe"),
        _b64(b"[]"),
        _b64(b'{"name": "x"}'),
        _b64(b"[1, 2]"),
        _b64(b'["Ada", "not-a-uuid"]'),
        _b64(b'["Ada"]'),
        _b64(b'["Ada", "00000000-0000-0000-0000-000000000000", 3]'),
        _b64(b'["A\\u0000da", "00000000-0000-0000-0000-000000000000"]'),
        _b64(b'["\\ud800", "00000000-0000-0000-0000-000000000000"]'),
        _b64(b'[["Ada"], "00000000-0000-0000-0000-000000000000"]'),
    ],
)
async def test_garbage_cursor_is_invalid_cursor(gql: GraphQL, org: Org, cursor: str) -> None:
    for variables in ({"first": 2, "after": cursor}, {"last": 2, "before": cursor}):
        body = await gql(PEOPLE_PAGE, variables, token=org.faculty.token)
        assert body.get("data") is None, body
        assert _codes(body) == ["INVALID_CURSOR"], body


# --- Keyset pagination --------------------------------------------------------


async def _page(gql: GraphQL, org: Org, **variables: Any) -> dict[str, Any]:
    data = await gql.data(PEOPLE_PAGE, variables, token=org.faculty.token)
    return data["people"]


def _names(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in page["edges"]]


async def _org_of_twelve(org: Org) -> list[str]:
    """The founder and 11 members, returned in directory order (by name)."""
    for i in range(1, 12):
        await org.add_member(f"Person {i:02d}")
    return sorted([org.faculty.person.name] + [f"Person {i:02d}" for i in range(1, 12)])


async def test_forward_pagination_walks_every_person_once(gql: GraphQL, org: Org) -> None:
    expected = await _org_of_twelve(org)
    assert len(expected) == 12

    seen: list[str] = []
    flags: list[tuple[bool, bool]] = []
    after: str | None = None
    for _ in range(10):
        page = await _page(gql, org, first=5, after=after)
        seen += _names(page)
        info = page["pageInfo"]
        flags.append((info["hasNextPage"], info["hasPreviousPage"]))
        assert info["startCursor"] == page["edges"][0]["cursor"]
        assert info["endCursor"] == page["edges"][-1]["cursor"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == expected
    assert flags == [(True, False), (True, True), (False, True)]


async def test_backward_pagination_walks_every_person_once(gql: GraphQL, org: Org) -> None:
    expected = await _org_of_twelve(org)

    pages: list[list[str]] = []
    flags: list[tuple[bool, bool]] = []
    before: str | None = None
    for _ in range(10):
        page = await _page(gql, org, last=5, before=before)
        pages.append(_names(page))
        info = page["pageInfo"]
        flags.append((info["hasNextPage"], info["hasPreviousPage"]))
        if not info["hasPreviousPage"]:
            break
        before = info["startCursor"]
    # Each page is in directory order; pages come from the end.
    assert pages == [expected[7:], expected[2:7], expected[:2]]
    assert flags == [(False, True), (True, True), (True, False)]


async def test_forward_and_backward_meet_in_the_middle(gql: GraphQL, org: Org) -> None:
    expected = await _org_of_twelve(org)
    first = await _page(gql, org, first=6)
    back = await _page(gql, org, last=6, before=first["pageInfo"]["endCursor"])
    assert _names(back) == expected[:5]
    assert back["pageInfo"]["hasPreviousPage"] is False
    assert back["pageInfo"]["hasNextPage"] is True
    after = await _page(gql, org, first=100, after=back["pageInfo"]["endCursor"])
    assert _names(after) == expected[5:]


async def test_pagination_stays_correct_while_people_are_added(gql: GraphQL, org: Org) -> None:
    expected = await _org_of_twelve(org)

    page = await _page(gql, org, first=5)
    seen = _names(page)
    assert seen == expected[:5]

    # One newcomer sorts into the part already seen, one into the rest.
    await org.add_member("Person 01a")  # between Person 01 and Person 02 (seen)
    await org.add_member("Person 09a")  # between Person 09 and Person 10 (not yet)
    assert "Person 01a" < seen[-1] < "Person 09a"

    after = page["pageInfo"]["endCursor"]
    while True:
        page = await _page(gql, org, first=5, after=after)
        seen += _names(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(seen) == len(set(seen)), "no person twice"
    assert seen == sorted([*expected, "Person 09a"]), "nothing skipped, nothing repeated"

    # Backwards from the end sees the newcomers too, in order.
    back = await _page(gql, org, last=100)
    assert _names(back) == sorted([*expected, "Person 01a", "Person 09a"])


# --- GraphQL over HTTP --------------------------------------------------------


async def _post(
    client: httpx.AsyncClient, query: str, *, accept: str, token: str | None = None
) -> httpx.Response:
    headers = {"accept": accept}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json={"query": query}, headers=headers)


@pytest.mark.parametrize(
    "query",
    ["{ viewer { id ", "{ viewer { noSuchField } }"],
    ids=["syntax-error", "unknown-field"],
)
async def test_request_errors_with_graphql_response_media_type(
    client: httpx.AsyncClient, org: Org, query: str
) -> None:
    response = await _post(client, query, accept=GRAPHQL_RESPONSE, token=org.faculty.token)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert body.get("data") is None
    assert body["errors"]

    # The same request as plain JSON: 200, as Strawberry answers by default.
    plain = await _post(client, query, accept="application/json", token=org.faculty.token)
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("application/json")
    assert plain.json()["errors"]


async def test_limit_and_variable_errors_are_request_errors(
    client: httpx.AsyncClient, org: Org, settings: Settings
) -> None:
    too_deep = _nested(settings.max_query_depth + 2)
    for payload in (
        {"query": too_deep},
        {"query": PEOPLE_PAGE, "variables": {"first": "ten"}},
    ):
        response = await client.post(
            "/graphql",
            json=payload,
            headers={"accept": GRAPHQL_RESPONSE, "authorization": f"Bearer {org.faculty.token}"},
        )
        assert response.status_code == 400, (payload, response.text)
        assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
        assert response.json()["errors"]

    # An unknown operation name is refused too (Strawberry answers it in
    # text/plain, not as a GraphQL response).
    response = await client.post(
        "/graphql",
        json={"query": "query Known { viewer { id } }", "operationName": "Missing"},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 400


async def test_valid_query_with_each_media_type(client: httpx.AsyncClient, org: Org) -> None:
    for accept, media_type in (
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/json", "application/json"),
    ):
        response = await _post(
            client, "{ viewer { name } }", accept=accept, token=org.faculty.token
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media_type)
        assert response.json()["data"] == {"viewer": {"name": org.faculty.person.name}}


async def test_field_error_with_graphql_response_media_type_is_200(
    client: httpx.AsyncClient,
) -> None:
    """An error during execution (here: not signed in) is not a request
    error: the spec keeps those at 200."""
    response = await _post(client, "{ viewer { id } }", accept=GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert _codes(response.json()) == ["UNAUTHENTICATED"]


async def test_request_body_over_the_limit_is_413(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    padding = "#" * (settings.max_request_bytes + 1)
    query = "{ __typename }\n" + padding
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 413

    # Without a declared length, the body is counted as it streams in.
    async def chunks() -> AsyncIterator[bytes]:
        body = orjson.dumps({"query": query})
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    streamed = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413

    small = await client.post("/graphql", json={"query": "{ __typename }"})
    assert small.status_code == 200


async def test_invalid_json_body_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "JSON" in response.text


async def test_queries_via_get_are_refused(client: httpx.AsyncClient, org: Org) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "{ viewer { id } }"},
        headers={"accept": "application/json", "authorization": f"Bearer {org.faculty.token}"},
    )
    assert response.status_code == 400
    assert "not allowed" in response.text
    assert "viewer" not in response.text


# --- Error masking ------------------------------------------------------------


async def test_unexpected_exceptions_are_masked_and_logged(
    gql: GraphQL, org: Org, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr("api.loaders.Loaders.people_page", broken)
    with caplog.at_level(logging.ERROR, logger="trellis.errors"):
        response = await gql.raw("{ people { edges { node { id } } } }", token=org.faculty.token)
    assert response.status_code == 200
    assert "secret detail" not in response.text
    assert "RuntimeError" not in response.text
    body = response.json()
    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == ["Unexpected error."]
    assert _codes(body) == ["INTERNAL"]
    assert body["errors"][0]["path"] == ["people"]

    # Hidden from the client, but logged with its traceback for us.
    logged = [r for r in caplog.records if r.name == "trellis.errors"]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
    assert str(logged[0].exc_info[1]) == "secret detail"


async def test_public_errors_are_not_masked(gql: GraphQL) -> None:
    body = await gql("{ viewer { id } }")
    assert _codes(body) == ["UNAUTHENTICATED"]
    assert "Unexpected error." not in _messages(body)


# --- Development and production -----------------------------------------------

# Misspelled names of every kind; graphql-core would suggest the real name
# (the second item) in each error.
TYPOS: list[tuple[str, dict[str, Any], str]] = [
    ("{ peple { edges { node { id } } } }", {}, "people"),
    ("{ people(frist: 2) { edges { node { id } } } }", {}, "first"),
    ('{ node(id: "x") { ... on Persn { id } } }', {}, "Person"),
    ("{ people(status: ACTIV) { edges { node { id } } } }", {}, "ACTIVE"),
    (
        "query($s: PersonStatus) { people(status: $s) { edges { node { id } } } }",
        {"s": "ACTIV"},
        "ACTIVE",
    ),
    (
        'mutation { invitePerson(input: {name: "A", handle: "a", email: "a@b.c", timezon: "UTC"})'
        " { __typename } }",
        {},
        "timezone",
    ),
]
TYPO_IDS = ["field", "argument", "type", "enum-literal", "enum-variable", "input-field"]


@pytest.fixture
async def production(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        environment=Environment.PRODUCTION,
        token_secret=SecretStr("x" * 40),
        database_url=database_url,
    )
    production_app = create_app(settings)
    async with production_app.router.lifespan_context(production_app):
        transport = httpx.ASGITransport(app=production_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://trellis.test") as client:
            yield client


@pytest.mark.parametrize(("query", "variables", "suggestion"), TYPOS, ids=TYPO_IDS)
async def test_development_suggests_names(
    gql: GraphQL, query: str, variables: dict[str, Any], suggestion: str
) -> None:
    body = await gql(query, variables)
    assert "Did you mean" in _messages(body)
    assert suggestion in _messages(body)


@pytest.mark.parametrize(("query", "variables", "suggestion"), TYPOS, ids=TYPO_IDS)
async def test_production_suggests_nothing(
    production: httpx.AsyncClient, query: str, variables: dict[str, Any], suggestion: str
) -> None:
    """With introspection off, suggestions would give the schema away name by name."""
    response = await production.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert body["errors"], body
    assert body.get("data") is None
    assert "Did you mean" not in _messages(body)
    assert suggestion not in _messages(body)


async def test_development_allows_introspection(gql: GraphQL) -> None:
    data = await gql.data("{ __schema { types { name } } }")
    assert "Person" in {t["name"] for t in data["__schema"]["types"]}


@pytest.mark.parametrize(
    "query",
    ["{ __schema { types { name } } }", '{ __type(name: "Person") { fields { name } } }'],
    ids=["__schema", "__type"],
)
async def test_production_refuses_introspection(production: httpx.AsyncClient, query: str) -> None:
    response = await production.post("/graphql", json={"query": query})
    introspection = response.json()
    assert introspection.get("data") is None
    assert "introspection" in _messages(introspection).lower()
    assert "handle" not in response.text

    typename = await production.post("/graphql", json={"query": "{ __typename }"})
    assert typename.json()["data"] == {"__typename": "Query"}


async def test_graphiql_only_in_development(
    client: httpx.AsyncClient, production: httpx.AsyncClient
) -> None:
    development = await client.get("/graphql", headers={"accept": "text/html"})
    assert development.status_code == 200
    assert development.headers["content-type"].startswith("text/html")
    assert "graphiql" in development.text.lower()

    response = await production.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


async def test_production_serves_queries(production: httpx.AsyncClient) -> None:
    response = await production.post("/graphql", json={"query": "{ viewer { id } }"})
    assert response.status_code == 200
    assert _codes(response.json()) == ["UNAUTHENTICATED"]


# --- Probes -------------------------------------------------------------------


async def test_health_and_readiness(client: httpx.AsyncClient, app: FastAPI) -> None:
    healthz = await client.get("/healthz")
    assert healthz.status_code == 200
    assert healthz.json() == {"status": "ok"}
    readyz = await client.get("/readyz")
    assert readyz.status_code == 200
    assert readyz.json() == {"status": "ok"}
