"""Benchmark: issue 14's costly query (30 aliases of `people(first: 100)`
with nested connections and lists) with the cost limits lifted, as before
them, and as they stand.

    .venv/bin/python -m bench.operation_cost [--people 2000] [--rounds 4]
        [--heavy 3] [--requests 300] [--concurrency 10]

Seeds the steward-overview organization (bench.steward_overview) and puts
everyone in one or two of 20 teams, then starts two `trellis serve`
processes on that one database: "before", whose maximum per operation and
budget per minute are too large to refuse anything, and "after", with the
default settings. Rounds alternate between them (before, after, before,
after ...) on this noisy shared machine. Each round prints:

- the costly query, `--heavy` times one after the other: its latency, the
  size of its response, its status;
- everyone else meanwhile: `--requests` cheap queries (`viewer` with their
  teams) from many stewards at once, while one client keeps sending the
  costly query, with their latency percentiles;

then the medians over the rounds and their ratios (after / before).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from api.context import Services
from bench.harness import Figures, bearer_tokens, database, load, seed, server
from bench.steward_overview import seed_organization
from persistence import tables

ONE_PAGE = (
    "people(first: 100) { edges { node { id name"
    " stewardships(first: 100) { edges { node { follower { name } } } }"
    " teams { name members { name } } } } }"
)
COSTLY = "{ " + " ".join(f"p{i}: {ONE_PAGE}" for i in range(30)) + " }"
CHEAP = "{ viewer { name teams { name } } }"
TEAMS = 20
LIFTED = {
    "TRELLIS_MAX_OPERATION_COST": str(10**12),
    "TRELLIS_COST_BUDGET_PER_MINUTE": str(10**12),
}


@dataclass
class Costly:
    seconds: float
    kilobytes: float
    status: int


async def seed_teams(services: Services, org: uuid.UUID) -> None:
    """Everyone in one or two of TEAMS teams, so that `teams { members }`
    has something to list."""
    now = datetime.now(UTC)
    team_ids = [uuid.uuid4() for _ in range(TEAMS)]
    async with services.session_factory() as session:
        people = (
            await session.execute(
                tables.people.select()
                .with_only_columns(tables.people.c.id)
                .where(tables.people.c.organization_id == org)
            )
        ).scalars()
        memberships = [
            {
                "id": uuid.uuid4(),
                "organization_id": org,
                "team_id": team_ids[(i + n) % TEAMS],
                "person_id": person,
                "started_at": now,
            }
            for i, person in enumerate(people)
            for n in range(1 + i % 2)
        ]
        await session.execute(
            tables.teams.insert(),
            [
                {
                    "id": team,
                    "organization_id": org,
                    "name": f"Team {t:02d}",
                    "stage": "FORMING",
                    "created_at": now,
                }
                for t, team in enumerate(team_ids)
            ],
        )
        for start in range(0, len(memberships), 5000):
            await session.execute(
                tables.team_memberships.insert(), memberships[start : start + 5000]
            )
        await session.commit()


async def seed_all(services: Services, people: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    stewards = await seed_organization(services, people)
    await seed_teams(services, stewards[0][0])
    return stewards


async def costly_once(client: httpx.AsyncClient, token: str) -> Costly:
    started = time.perf_counter()
    response = await client.post(
        "/graphql", json={"query": COSTLY}, headers={"authorization": f"Bearer {token}"}
    )
    return Costly(time.perf_counter() - started, len(response.content) / 1024, response.status_code)


async def round_on(
    base: str, bearer: list[str], *, heavy: int, requests: int, concurrency: int
) -> tuple[list[Costly], Figures]:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        alone = [await costly_once(client, bearer[0]) for _ in range(heavy)]
        done = asyncio.Event()

        async def flood() -> None:
            while not done.is_set():
                await costly_once(client, bearer[0])

        flooding = asyncio.create_task(flood())
        try:
            others = await load(
                base,
                lambda i: (CHEAP, {}, bearer[1 + i % (len(bearer) - 1)]),
                requests=requests,
                concurrency=concurrency,
            )
        finally:
            done.set()
            await flooding
    return alone, others


def _p(figures: Figures, p: float) -> float:
    ordered = sorted(figures.latencies)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4, help="rounds per version")
    parser.add_argument("--heavy", type=int, default=3, help="costly queries alone per round")
    parser.add_argument("--requests", type=int, default=300, help="cheap queries per round")
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    results: dict[str, list[tuple[list[Costly], Figures]]] = {"before": [], "after": []}
    with database() as (settings, db):
        stewards = asyncio.run(
            seed(settings, db.url, lambda services: seed_all(services, args.people))
        )
        signed_in = asyncio.run(bearer_tokens(settings, db.url, stewards))
        bearer = [signed_in[s] for _, s in stewards]
        with (
            server(db.url, settings=LIFTED) as before,
            server(db.url) as after,
        ):
            bases = {"before": before, "after": after}
            for round_ in range(args.rounds):
                for version in ("before", "after"):
                    alone, others = asyncio.run(
                        round_on(
                            bases[version],
                            bearer,
                            heavy=args.heavy,
                            requests=args.requests,
                            concurrency=args.concurrency,
                        )
                    )
                    results[version].append((alone, others))
                    print(
                        f"round {round_ + 1} {version:6}: costly query"
                        f" {statistics.median(c.seconds for c in alone) * 1000:.0f} ms,"
                        f" {alone[0].kilobytes:.0f} KB, HTTP {alone[0].status};"
                        f" cheap queries meanwhile p50 {_p(others, 0.5):.1f} ms,"
                        f" p95 {_p(others, 0.95):.1f} ms, errors {others.errors}"
                    )
    print(
        f"organization: {args.people} people, {len(bearer)} stewards, {TEAMS} teams;"
        f" {args.rounds} rounds per version, interleaved"
    )
    medians: dict[str, tuple[float, float, float, float]] = {}
    for version, rounds in results.items():
        medians[version] = (
            statistics.median(c.seconds * 1000 for alone, _ in rounds for c in alone),
            statistics.median(c.kilobytes for alone, _ in rounds for c in alone),
            statistics.median(_p(others, 0.5) for _, others in rounds),
            statistics.median(_p(others, 0.95) for _, others in rounds),
        )
        ms, kb, p50, p95 = medians[version]
        print(
            f"{version:6}: costly query {ms:.0f} ms and {kb:.0f} KB;"
            f" cheap queries meanwhile p50 {p50:.1f} ms, p95 {p95:.1f} ms"
        )
    ratios = [
        a / b if b else float("nan")
        for a, b in zip(medians["after"], medians["before"], strict=True)
    ]
    print(
        "after / before: costly query time {:.3f}, size {:.3f};"
        " cheap queries meanwhile p50 {:.3f}, p95 {:.3f}".format(*ratios)
    )


if __name__ == "__main__":
    main()
