"""Security headers and CORS, as a browser or a cache between would see them.

Every answer (a query, a sign-in that carries tokens, an error, a probe, a
413) is not to be sniffed, framed, named in a Referer or stored; HSTS only
when the request came over HTTPS, or a configured trusted proxy says so;
CORS answers only the configured origins, and by default nobody.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.app import create_app
from api.settings import Environment, Settings
from tests.api.harness import PASSWORD, GraphQL, Org

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "cache-control": "no-store",
}
HSTS = "strict-transport-security"
APP_ORIGIN = "https://app.trellis.example"
SIGN_IN = """
mutation($input: SignInInput!) {
  signIn(input: $input) { __typename ... on SessionSuccess { accessToken refreshToken } }
}
"""

Client = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def serve(database_url: str) -> Client:
    """A client of an app built with the given settings, at `base_url`."""

    @asynccontextmanager
    async def client(
        base_url: str = "http://trellis.test", **settings: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(Settings(database_url=database_url, **settings), run_jobs=False)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
                yield http

    return client


def assert_protected(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)


async def every_kind_of_answer(http: httpx.AsyncClient, org: Org | None) -> list[httpx.Response]:
    answers = [
        await http.post(
            "/graphql",
            json={
                "query": SIGN_IN,
                "variables": {"input": {"email": "x@y.example", "password": "z"}},
            },
        ),
        await http.post("/graphql", json={"query": "{ viewer { id } }"}),
        await http.post(
            "/graphql",
            json={"query": "{ nope }"},
            headers={"accept": "application/graphql-response+json"},
        ),
        await http.post("/graphql", content=b"x" * 300_000),
        await http.get("/healthz"),
        await http.get("/readyz"),
    ]
    if org is not None:
        answers.append(
            await http.post(
                "/graphql",
                json={"query": "{ viewer { id name } }"},
                headers={"authorization": f"Bearer {org.faculty.token}"},
            )
        )
    return answers


async def test_every_answer_carries_the_security_headers(
    gql: GraphQL, org: Org, client: httpx.AsyncClient
) -> None:
    """Anonymous and signed in, success and error, the 400 and the 413:
    all of them, and no HSTS over plain HTTP."""
    answers = await every_kind_of_answer(client, org)
    assert [a.status_code for a in answers] == [200, 200, 400, 413, 200, 200, 200]
    for answer in answers:
        assert_protected(answer)
        assert HSTS not in answer.headers


async def test_a_sign_in_that_carries_tokens_is_never_stored(
    client: httpx.AsyncClient, org: Org
) -> None:
    """No Authorization header on the request, tokens in the answer."""
    response = await client.post(
        "/graphql",
        json={
            "query": SIGN_IN,
            "variables": {"input": {"email": org.faculty.email, "password": PASSWORD}},
        },
    )
    assert response.json()["data"]["signIn"]["__typename"] == "SessionSuccess"
    assert response.headers["cache-control"] == "no-store"


async def test_production_answers_carry_them_too(serve: Client) -> None:
    async with serve(environment=Environment.PRODUCTION, token_secret=SecretStr("p" * 40)) as http:
        for answer in await every_kind_of_answer(http, None):
            assert_protected(answer)


async def test_graphiql_keeps_working_in_development(client: httpx.AsyncClient) -> None:
    """No script policy: the page loads its scripts as before; it only may
    not be framed."""
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert_protected(page)
    assert "script-src" not in page.headers["content-security-policy"]


# -- HSTS ------------------------------------------------------------------------------


async def test_hsts_over_https(serve: Client) -> None:
    async with serve(base_url="https://trellis.test") as http:
        for answer in await every_kind_of_answer(http, None):
            assert answer.headers[HSTS] == "max-age=31536000"
            assert_protected(answer)


async def test_hsts_when_a_trusted_proxy_says_https(serve: Client) -> None:
    """The test client connects from 127.0.0.1: as a configured proxy its
    X-Forwarded-Proto is believed, and only then."""
    forwarded = {"x-forwarded-proto": "https"}
    async with serve(trusted_proxies=["10.0.0.0/8", "127.0.0.1"]) as http:
        assert (await http.get("/healthz", headers=forwarded)).headers[HSTS]
        assert HSTS not in (await http.get("/healthz")).headers
        plain = await http.get("/healthz", headers={"x-forwarded-proto": "http"})
        assert HSTS not in plain.headers


async def test_a_trusted_network_written_from_one_of_its_addresses(serve: Client) -> None:
    """127.0.0.1/8 is the network 127.0.0.0/8 (uvicorn alone would take it
    for a host name and trust nobody)."""
    async with serve(trusted_proxies=["127.0.0.1/8"]) as http:
        assert (await http.get("/healthz", headers={"x-forwarded-proto": "https"})).headers[HSTS]


async def test_an_untrusted_client_cannot_claim_https(serve: Client) -> None:
    forwarded = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9"}
    async with serve() as http:
        assert HSTS not in (await http.get("/healthz", headers=forwarded)).headers
    async with serve(trusted_proxies=["10.0.0.1"]) as http:
        assert HSTS not in (await http.get("/healthz", headers=forwarded)).headers


# -- CORS ------------------------------------------------------------------------------


def preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }


async def test_no_cross_origin_access_by_default(client: httpx.AsyncClient, org: Org) -> None:
    """Without an allow-list no origin gets a CORS header: browsers keep
    other sites' scripts from reading any answer."""
    asked = await client.options("/graphql", headers=preflight(APP_ORIGIN))
    assert not any(name.startswith("access-control-") for name in asked.headers)
    answer = await client.post(
        "/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"origin": APP_ORIGIN, "authorization": f"Bearer {org.faculty.token}"},
    )
    assert answer.status_code == 200
    assert not any(name.startswith("access-control-") for name in answer.headers)


async def test_the_allow_list_answers_its_origins_only(serve: Client) -> None:
    async with serve(cors_origins=[APP_ORIGIN, "http://localhost:5173"]) as http:
        allowed = await http.options("/graphql", headers=preflight(APP_ORIGIN))
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
        assert "POST" in allowed.headers["access-control-allow-methods"]
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in allowed.headers
        assert_protected(allowed)

        other = await http.options("/graphql", headers=preflight("https://evil.example"))
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers

        query = {"query": "{ __typename }"}
        answer = await http.post("/graphql", json=query, headers={"origin": APP_ORIGIN})
        assert answer.headers["access-control-allow-origin"] == APP_ORIGIN
        assert "origin" in answer.headers["vary"].lower()
        elsewhere = await http.post(
            "/graphql", json=query, headers={"origin": "https://app.trellis.example.evil.example"}
        )
        assert "access-control-allow-origin" not in elsewhere.headers
