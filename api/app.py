"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.context import Context
from api.headers import SecurityHeaders
from api.http import GraphQLHTTPRouter
from api.jobs import run_forever
from api.limits import RequestSizeLimit
from api.runtime import Database, build_services, engine_for
from api.schema import build_schema
from api.settings import Settings
from domain.clients import client_of
from domain.ports import Clock, Mailer, PasswordHasher

READY_TIMEOUT_SECONDS = 2


def create_app(
    settings: Settings | None = None,
    *,
    migrate_on_start: bool | None = None,
    run_jobs: bool = True,
    hasher: PasswordHasher | None = None,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
) -> FastAPI:
    """The app opens its database when it starts serving (lifespan), not
    when it is built, so building it is cheap and has no side effects.

    In development the schema is migrated on start; in production migrations
    are an explicit step (`trellis migrate`), run once per deployment.
    """
    settings = settings or Settings()
    if migrate_on_start is None:
        migrate_on_start = (
            settings.is_development
            if settings.migrate_on_start is None
            else settings.migrate_on_start
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = await asyncio.to_thread(Database.open, settings)
        try:
            if migrate_on_start:
                await asyncio.to_thread(database.migrate)
            engine = engine_for(settings, database.url)
            app.state.engine = engine
            app.state.services = build_services(
                settings, engine, hasher=hasher, clock=clock, mailer=mailer
            )
            jobs = None
            if run_jobs and settings.job_interval is not None:
                jobs = asyncio.create_task(
                    run_forever(app.state.services, settings.job_interval.total_seconds())
                )
            try:
                yield
            finally:
                if jobs is not None:
                    jobs.cancel()
                # Mails already promised go out; a stuck database does not
                # hold the shutdown for long.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(app.state.services.background.drain(), timeout=10)
                await engine.dispose()
        finally:
            await asyncio.to_thread(database.close)

    app = FastAPI(
        title="Trellis",
        lifespan=lifespan,
        docs_url="/docs" if settings.is_development else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.is_development else None,
    )

    async def context(request: Request) -> Context:
        return Context(
            request.app.state.services,
            request.headers.get("authorization"),
            client_of(request.client.host if request.client else None),
        )

    app.include_router(
        GraphQLHTTPRouter(
            build_schema(settings),
            context_getter=context,
            graphql_ide="graphiql" if settings.is_development else None,
            allow_queries_via_get=False,
        ),
        prefix="/graphql",
    )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """The process is up (for liveness probes; touches nothing)."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        """The database answers (for readiness probes and load balancers), in
        step with what requests get: 503 while an outage lasts (api.outage).
        It probes even then, with a short timeout: a load balancer sends no
        requests to an instance it took out, so the probe may be the first
        to find the database back."""
        outage = request.app.state.services.outage
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                async with request.app.state.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as error:
            outage.noticed(error)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        if outage.ongoing:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    # The last added runs first: a trusted proxy's word on the scheme and the
    # client comes before anything reads them, and every answer (a CORS
    # preflight, a 413) gets the security headers.
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=["Retry-After"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
