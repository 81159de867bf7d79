"""The reference limit: a hand-written Starlette + asyncpg + orjson server
answering the two GraphQL requests the benches send (the prep of a 1-on-1
and the steward overview) with one statement each, the same token check
and the same visibility as Trellis. Served by uvicorn in its own process
(bench.harness.server with factory="bench.raw.app:create_app"), pool 20.

It knows nothing of GraphQL: it recognises the two queries and answers
their exact shape. What it costs is what reading the same data costs with
no framework in between."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.raw import overview, prep
from bench.raw.common import Unauthorized, actor

UNAUTHORIZED = orjson.dumps(
    {
        "data": None,
        "errors": [{"message": "Sign in first.", "extensions": {"code": "UNAUTHENTICATED"}}],
    }
)


def _json(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json")


async def _keep(_: asyncpg.Connection) -> None:
    """No reset when a connection goes back to the pool: the handlers run
    one read-only statement, outside any transaction, and change no
    session state (asyncpg's default reset is four statements more)."""


def create_app() -> Starlette:
    url = os.environ["TRELLIS_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    secret = os.environ["TRELLIS_TOKEN_SECRET"]
    size = int(os.environ.get("TRELLIS_DATABASE_POOL_SIZE", "20"))
    pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(url, min_size=size, max_size=size, reset=_keep)
        try:
            yield
        finally:
            await pool.close()

    async def graphql(request: Request) -> Response:
        assert pool is not None
        body = orjson.loads(await request.body())
        try:
            org, person, session = actor(request.headers.get("authorization"), secret)
        except Unauthorized:
            return _json(UNAUTHORIZED, 401)
        now = datetime.now(UTC)
        if "OneOnOneMeeting" in body["query"]:
            meeting = prep.meeting_id(body["variables"]["id"])
            row = await pool.fetchrow(prep.STATEMENT, org, person, session, meeting, now)
            answer = None if row is None else prep.shape(row[0], now)
        else:
            row = await pool.fetchrow(overview.STATEMENT, org, person, session, now.date())
            answer = None if row is None else overview.shape(orjson.loads(row[0]))
        if answer is None:
            return _json(UNAUTHORIZED, 401)
        return _json(orjson.dumps(answer))

    async def healthz(_: Request) -> Response:
        return _json(b'{"status":"ok"}')

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)],
        lifespan=lifespan,
    )
