"""Running a benchmark: a real server process on an embedded PostgreSQL of
its own, seeded directly through the domain services, and a bounded load of
concurrent HTTP requests against it from this process.

Figures are printed, never asserted: timing belongs here, not in tests.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import sqlalchemy as sa

from api.context import Services
from api.runtime import Database, build_services, engine_for
from api.security import AccessTokens
from api.settings import Settings
from persistence import tables


@dataclass
class Figures:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    def report(self, name: str) -> str:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

        return (
            f"{name}: {self.requests} requests in {self.seconds:.1f}s = "
            f"{self.requests / self.seconds:.0f} req/s, errors {self.errors}, "
            f"p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms, "
            f"mean {statistics.fmean(ordered) * 1000:.1f} ms"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database() -> Iterator[tuple[Settings, Database]]:
    """A throw-away embedded PostgreSQL, migrated."""
    with tempfile.TemporaryDirectory(prefix="trellis-bench-") as folder:
        settings = Settings(data_dir=Path(folder), database_name="bench")
        db = Database.open(settings)
        try:
            db.migrate()
            yield settings, db
        finally:
            db.close()


async def seed(
    settings: Settings, url: str, seeder: Callable[[Services], Awaitable[object]]
) -> object:
    engine = engine_for(settings, url)
    try:
        return await seeder(build_services(settings, engine))
    finally:
        await engine.dispose()


BENCH_SECRET = "bench-secret-" + "x" * 40
"""The token secret the bench servers run with (see `server`)."""


async def bearer_tokens(
    settings: Settings, url: str, people: Sequence[tuple[UUID, UUID]]
) -> dict[UUID, str]:
    """An access token for each (organization, person), of a live session
    of theirs (every request checks it), giving an account to those who
    have none: seeded people are signed in without a password check."""
    engine = engine_for(settings, url)
    now = datetime.now(UTC)
    tokens = AccessTokens(BENCH_SECRET, issuer="trellis", lifetime=timedelta(hours=1))
    issued: dict[UUID, str] = {}
    try:
        async with engine.begin() as connection:
            existing = dict(
                (
                    await connection.execute(
                        sa.select(tables.accounts.c.person_id, tables.accounts.c.id)
                    )
                ).all()
            )
            missing = [(org, person) for org, person in people if person not in existing]
            accounts = [
                {
                    "id": uuid4(),
                    "organization_id": org,
                    "person_id": person,
                    "email": f"bench-{person}@example.com",
                    "password_hash": "not a password",
                    "created_at": now,
                }
                for org, person in dict.fromkeys(missing)
            ]
            if accounts:
                await connection.execute(sa.insert(tables.accounts), accounts)
            existing |= {a["person_id"]: a["id"] for a in accounts}
            sessions = [
                {
                    "id": uuid4(),
                    "organization_id": org,
                    "account_id": existing[person],
                    "started_at": now,
                    "password_version": 1,
                }
                for org, person in dict.fromkeys(people)
            ]
            await connection.execute(sa.insert(tables.sessions), sessions)
        for (org, person), session in zip(dict.fromkeys(people), sessions, strict=True):
            issued[person] = tokens.issue(
                person_id=person, organization_id=org, session_id=session["id"], now=now
            ).token
    finally:
        await engine.dispose()
    return issued


@contextmanager
def server(
    url: str,
    *,
    workers: int = 1,
    settings: dict[str, str] | None = None,
    factory: str | None = None,
) -> Iterator[str]:
    """`trellis serve` in its own process, production settings, no job loop;
    `settings` adds or overrides environment variables (TRELLIS_...); given
    `factory` ("module:function" building the app), uvicorn serves that app
    the same way, to compare variants of a collaborator."""
    port = free_port()
    env = {
        **os.environ,
        "TRELLIS_DATABASE_URL": url,
        "TRELLIS_ENVIRONMENT": "production",
        "TRELLIS_TOKEN_SECRET": BENCH_SECRET,
        "TRELLIS_JOB_INTERVAL": "none",
        "TRELLIS_DATABASE_POOL_SIZE": "20",
        **(settings or {}),
    }
    trellis = Path(sys.executable).with_name("trellis")
    address = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command = (
        [str(trellis), "serve", *address]
        if factory is None
        else [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--no-access-log",
            "--no-proxy-headers",
            *address,
        ]
    )
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not come up")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def load(
    base: str,
    make_request: Callable[[int], tuple[str, dict[str, object], str]],
    *,
    requests: int,
    concurrency: int,
) -> Figures:
    """`requests` GraphQL calls, `concurrency` at a time. `make_request(i)`
    gives (query, variables, token) for call i. Bounded by count."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                query, variables, token = make_request(i)
                started = time.perf_counter()
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"authorization": f"Bearer {token}"},
                )
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200 or "errors" in response.json():
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return Figures(requests=requests, errors=errors, seconds=seconds, latencies=latencies)
