"""Benchmark: Trellis against the limit, a hand-written handler reading the
same data (bench.raw: Starlette + asyncpg + orjson, one statement, the same
token check and visibility).

    .venv/bin/python -m bench.limit --view prep|overview [--people 2000]
        [--concurrency 16] [--seconds 8] [--rounds 3] [--sample 50]

Seeds its own organization (bench.one_on_one_prep for the prep,
bench.steward_overview for the overview), adds what those leave empty
(VARIETY) and takes a third of the shares back, so that some viewers may
not see everything; starts both servers on it (one process each, pool 20);
checks that for --sample ids both answer the same JSON (Trellis' cost
report left out), field by field, and stops with the differences if not;
counts the SQL statements of a request on each; then measures them
interleaved (Trellis, raw, Trellis,
raw ...) at --concurrency for throughput and latency, and at concurrency 1
for the p50, and prints the medians and the ratios, ending with the line
`trellis/raw throughput ratio: 0.NN`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
import httpx
import orjson
import sqlalchemy as sa

from api.graphql.ids import global_id
from bench import one_on_one_prep, steward_overview
from bench.harness import Figures, bearer_tokens, database, seed, server
from persistence import tables

Call = tuple[str, dict[str, object], str]
"""(query, variables, token) of one request."""


def differences(trellis: Any, raw: Any, path: str = "$") -> list[str]:
    """Where two parsed JSON answers differ, field by field (order of keys
    included: the raw answer must read exactly as Trellis')."""
    if isinstance(trellis, dict) and isinstance(raw, dict):
        if list(trellis) != list(raw):
            return [f"{path}: fields {list(trellis)} != {list(raw)}"]
        return [d for key in trellis for d in differences(trellis[key], raw[key], f"{path}.{key}")]
    if isinstance(trellis, list) and isinstance(raw, list):
        if len(trellis) != len(raw):
            return [f"{path}: {len(trellis)} items != {len(raw)}"]
        return [
            d
            for i, (a, b) in enumerate(zip(trellis, raw, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    if type(trellis) is not type(raw) or trellis != raw:
        return [f"{path}: {trellis!r} != {raw!r}"]
    return []


async def _post(client: httpx.AsyncClient, call: Call) -> httpx.Response:
    query, variables, token = call
    return await client.post(
        "/graphql",
        content=orjson.dumps({"query": query, "variables": variables}),
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )


async def check(trellis: str, raw: str, calls: Sequence[Call]) -> int:
    """Both servers answer each call the same JSON; raises SystemExit with
    the differences otherwise. Returns how many were compared."""
    async with (
        httpx.AsyncClient(base_url=trellis, timeout=60) as t,
        httpx.AsyncClient(base_url=raw, timeout=60) as r,
    ):
        for call in calls:
            expected, got = (await _post(t, call)).json(), (await _post(r, call)).json()
            expected.pop("extensions", None)
            if "errors" in expected:
                raise SystemExit(f"Trellis answered an error: {expected['errors']}")
            found = differences(expected, got)
            if found:
                raise SystemExit(
                    f"the raw answer differs for variables {call[1]}:\n  " + "\n  ".join(found[:20])
                )
    return len(calls)


async def measure(base: str, calls: Sequence[Call], *, concurrency: int, seconds: float) -> Figures:
    """As many requests as `concurrency` clients get answered in `seconds`
    (bench.harness.load bounds by count; a phase here is bounded by time so
    that the slow and the fast server are measured as long)."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        deadline = time.perf_counter() + seconds
        counter = iter(range(1 << 62))

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                call = calls[next(counter) % len(calls)]
                started = time.perf_counter()
                response = await _post(client, call)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200 or b'"errors"' in response.content:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Figures(requests=len(latencies), errors=errors, seconds=elapsed, latencies=latencies)


def _p50(figures: Figures) -> float:
    return statistics.median(figures.latencies) * 1000


def _throughput(figures: Figures) -> float:
    return figures.requests / figures.seconds


def _seed_prep(settings: Any, url: str, people: int) -> tuple[list[Call], list[Call]]:
    """The steward opens the prep of their next meeting; for the sample,
    the person of it too (who sees all of their own)."""
    prepared = asyncio.run(
        seed(settings, url, lambda s: one_on_one_prep.seed_one_on_ones(s, people))
    )
    asyncio.run(_take_back(settings, url))
    persons = asyncio.run(_followers(settings, url, [m for _, _, m in prepared]))
    tokens = asyncio.run(
        bearer_tokens(
            settings,
            url,
            [(org, steward) for org, steward, _ in prepared]
            + [(org, persons[m]) for org, _, m in prepared],
        )
    )
    query = one_on_one_prep.QUERY

    def call(person: uuid.UUID, meeting: uuid.UUID) -> Call:
        return query, {"id": global_id("OneOnOneMeeting", meeting)}, tokens[person]

    load = [call(steward, meeting) for _, steward, meeting in prepared]
    sample = load[::2] + [call(persons[m], m) for _, _, m in prepared[1::2]]
    return load, sample


def _seed_overview(settings: Any, url: str, people: int) -> tuple[list[Call], list[Call]]:
    stewards = asyncio.run(
        seed(settings, url, lambda s: steward_overview.seed_organization(s, people))
    )
    asyncio.run(_take_back(settings, url))
    tokens = asyncio.run(bearer_tokens(settings, url, stewards))
    load = [(steward_overview.QUERY, {}, tokens[s]) for _, s in stewards]
    return load, load


VARIETY = (
    # goals past their target date, and achieved ones (readiness evidence)
    "UPDATE goals SET target_date = current_date - 3 WHERE get_byte(uuid_send(id), 14) % 4 = 0",
    "UPDATE goals SET status = 'ACHIEVED', achieved_at = now() - interval '2 days'"
    " WHERE get_byte(uuid_send(id), 14) % 5 = 1",
    "UPDATE organizations SET readiness_goal_count = 1",
    # a check-in since the last meeting, less confident than the one before
    "INSERT INTO goal_check_ins (id, organization_id, goal_id, progress, confidence, note,"
    " created_at) SELECT gen_random_uuid(), organization_id, id, 70, 'LOW', 'Stuck', now()"
    " - interval '1 day' FROM goals WHERE get_byte(uuid_send(id), 13) % 3 = 0",
    # mentorships started since the last meeting
    "WITH f AS (SELECT organization_id, follower_id, row_number() OVER (ORDER BY id) AS n"
    " FROM relationships WHERE kind = 'STEWARDSHIP' AND get_byte(uuid_send(id), 15) % 4 = 0)"
    " INSERT INTO relationships (id, organization_id, kind, leader_id, follower_id,"
    " proposed_by_id, proposed_at, status, started_at) SELECT gen_random_uuid(),"
    " a.organization_id, 'MENTORSHIP', b.follower_id, a.follower_id, a.follower_id,"
    " now() - interval '2 days', 'ACTIVE', now() - interval '1 day'"
    " FROM f a JOIN f b ON b.n = a.n % (SELECT count(*) FROM f) + 1",
    # feedback requests, one open and named, one closed anonymous and
    # withheld, two thirds of them with their results shared with the steward
    "INSERT INTO feedback_requests (id, organization_id, requester_id, topic, anonymity,"
    " anonymity_threshold, membership_days, due_at, status, created_at, closed_at)"
    " SELECT gen_random_uuid(), r.organization_id, r.follower_id, 'How am I doing? ' || k,"
    " (ARRAY['NAMED', 'ANONYMOUS'])[k + 1], 3, 30, now() + interval '7 days',"
    " (ARRAY['OPEN', 'CLOSED'])[k + 1], now() - interval '10 days' + k * interval '1 hour',"
    " CASE WHEN k = 1 THEN now() - interval '1 day' END"
    " FROM relationships r, generate_series(0, 1) k WHERE r.kind = 'STEWARDSHIP'",
    "INSERT INTO feedback_shares (id, organization_id, owner_id, request_id, audience,"
    " person_id, relationship_id, created_at) SELECT gen_random_uuid(), q.organization_id,"
    " q.requester_id, q.id, 'STEWARD', r.leader_id, r.id, now() FROM feedback_requests q"
    " JOIN relationships r ON r.follower_id = q.requester_id AND r.kind = 'STEWARDSHIP'"
    " WHERE get_byte(uuid_send(q.id), 15) % 3 <> 0",
)
"""What the bulk seeds leave empty, for the comparison to cover: overdue and
achieved goals, readiness, confidence drops, relationships changed since,
feedback requests with their results shared or not."""


async def _take_back(settings: Any, url: str) -> None:
    """A third of the goal shares and of the feedback shares taken back: the
    sampled viewers then see some of a person's goals and feedback, not
    all of it. Then ANALYZE, so that both servers' statements are planned
    on the statistics a live database has, not on an empty table's."""
    from api.runtime import engine_for

    engine = engine_for(settings, url)
    try:
        async with engine.begin() as connection:
            for table in (tables.goal_shares, tables.feedback_shares):
                await connection.execute(
                    sa.text(
                        f"UPDATE {table.name} SET revoked_at = now()"
                        " WHERE get_byte(uuid_send(id), 15) % 3 = 0"
                    )
                )
            for statement in VARIETY:
                await connection.execute(sa.text(statement))
            await connection.execute(sa.text("ANALYZE"))
    finally:
        await engine.dispose()


async def _followers(
    settings: Any, url: str, meetings: Sequence[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    from api.runtime import engine_for

    m, s, r = tables.one_on_one_meetings, tables.one_on_one_series, tables.relationships
    engine = engine_for(settings, url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.select(m.c.id, r.c.follower_id)
                .join(s, s.c.id == m.c.series_id)
                .join(r, r.c.id == s.c.relationship_id)
                .where(m.c.id.in_(meetings))
            )
            return dict(rows.all())
    finally:
        await engine.dispose()


def _count_statements(db: Any) -> None:
    """pg_stat_statements loaded (a restart of the embedded server) and
    created in the bench database, to count each server's statements."""
    db.embedded.psql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';")
    db.embedded.shut_down()
    db.embedded.start()

    async def create() -> None:
        connection = await asyncpg.connect(_plain(db.url))
        try:
            await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        finally:
            await connection.close()

    asyncio.run(create())


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def statements_per_request(url: str, base: str, calls: Sequence[Call], n: int) -> float:
    """SQL statements the server runs per request, over `n` requests one at
    a time (pg_stat_statements; transaction control, BEGIN, COMMIT and
    ROLLBACK, not counted)."""
    connection = await asyncpg.connect(_plain(url))
    try:
        await connection.execute("SELECT pg_stat_statements_reset()")
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            for i in range(n):
                await _post(client, calls[i % len(calls)])
        counted = await connection.fetchval(
            "SELECT sum(calls) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
            " WHERE d.datname = current_database() AND s.query !~* "
            "'^\\s*(begin|commit|rollback|start transaction|select pg_stat_statements_reset)'"
        )
    finally:
        await connection.close()
    return float(counted or 0) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--view", choices=["prep", "overview"], required=True)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0, help="per phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=50, help="answers compared")
    args = parser.parse_args()
    seeders: dict[str, Callable[[Any, str, int], tuple[list[Call], list[Call]]]] = {
        "prep": _seed_prep,
        "overview": _seed_overview,
    }
    with database() as (settings, db):
        calls, sample = seeders[args.view](settings, db.url, args.people)
        _count_statements(db)
        rng = random.Random(3)
        rng.shuffle(calls)
        sample = rng.sample(sample, min(args.sample, len(sample)))
        with (
            server(db.url) as trellis,
            server(db.url, factory="bench.raw.app:create_app") as raw,
        ):
            checked = asyncio.run(check(trellis, raw, sample))
            print(f"{args.view}: {checked} answers compared field by field, all equal")
            statements = {
                name: asyncio.run(statements_per_request(db.url, base, calls, 50))
                for name, base in (("trellis", trellis), ("raw", raw))
            }
            print(
                "SQL statements per request (pg_stat_statements, 50 requests, without"
                " BEGIN/COMMIT): "
                + ", ".join(f"{name} {count:.1f}" for name, count in statements.items())
            )
            servers = {"trellis": trellis, "raw": raw}
            for base in servers.values():  # warm-up
                asyncio.run(measure(base, calls, concurrency=args.concurrency, seconds=2))
            loaded: dict[str, list[Figures]] = {name: [] for name in servers}
            single: dict[str, list[Figures]] = {name: [] for name in servers}
            for n in range(args.rounds):
                for name, base in servers.items():
                    figures = asyncio.run(
                        measure(base, calls, concurrency=args.concurrency, seconds=args.seconds)
                    )
                    loaded[name].append(figures)
                    print(figures.report(f"round {n + 1} {name:7} concurrency {args.concurrency}"))
                for name, base in servers.items():
                    figures = asyncio.run(
                        measure(base, calls, concurrency=1, seconds=args.seconds / 2)
                    )
                    single[name].append(figures)
                    print(figures.report(f"round {n + 1} {name:7} concurrency 1"))
    medians = {
        name: (
            statistics.median(_throughput(f) for f in loaded[name]),
            statistics.median(_p50(f) for f in loaded[name]),
            statistics.median(_p50(f) for f in single[name]),
        )
        for name in loaded
    }
    for name, (rps, p50, p50_1) in medians.items():
        print(
            f"median {name:7}: {rps:.0f} req/s, p50 {p50:.1f} ms at concurrency "
            f"{args.concurrency}, p50 {p50_1:.2f} ms at concurrency 1"
        )
    print(
        f"trellis/raw p50 at concurrency 1 ratio: {medians['trellis'][2] / medians['raw'][2]:.2f}"
    )
    print(f"trellis/raw throughput ratio: {medians['trellis'][0] / medians['raw'][0]:.2f}")


if __name__ == "__main__":
    main()
