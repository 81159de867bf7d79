"""Benchmark: a steward opens their overview (stewardees with their shared
goals and latest check-ins, and the mismatch signals across them).

    .venv/bin/python -m bench.steward_overview [--people 2000] [--requests 1000]
        [--concurrency 20] [--workers 1]

Seeds an organization of N people (one steward per 20, each with up to 19
stewardees, 5 goals per person shared with the steward, 4 check-ins per
goal, 2 autonomy agreements per stewardship) with bulk inserts, starts
`trellis serve` on it, and prints requests per second and latency
percentiles of the query under concurrent load from many stewards at once.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from api.context import Services
from bench.harness import bearer_tokens, database, load, seed, server
from persistence import tables

QUERY = """
query Overview {
  viewer {
    name
    stewardees {
      follower {
        name
        goals { title status stage checkIns { progress confidence createdAt } }
      }
      lastActivityAt
      dueForReview
    }
    stewardeeMismatches { stewardee { name } signals { kind explanation } }
  }
}
"""
STAGES = ["TASKS", "FIXED_GOALS", "FLEXIBLE_GOALS", "PURPOSE"]


async def seed_organization(services: Services, people: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Returns (organization, steward) for every steward."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    org = uuid.uuid4()
    person_ids = [uuid.uuid4() for _ in range(people)]
    stewards = person_ids[::20]
    rows: dict[sa.Table, list[dict[str, Any]]] = {t: [] for t in tables.metadata.sorted_tables}
    rows[tables.organizations].append(
        {
            "id": org,
            "name": "Bench",
            "slug": "bench",
            "created_at": now,
            "default_stewardee_capacity": 20,
        }
    )
    for i, pid in enumerate(person_ids):
        rows[tables.people].append(
            {
                "id": pid,
                "organization_id": org,
                "name": f"Person {i:05d}",
                "handle": f"p{i}",
                "email": f"p{i}@bench.example",
                "timezone": "Europe/Berlin",
                "status": "ACTIVE",
                "created_at": now,
            }
        )
    for i, pid in enumerate(person_ids):
        steward = stewards[i // 20]
        if steward == pid:
            continue
        rel = uuid.uuid4()
        rows[tables.relationships].append(
            {
                "id": rel,
                "organization_id": org,
                "kind": "STEWARDSHIP",
                "leader_id": steward,
                "follower_id": pid,
                "proposed_by_id": pid,
                "proposed_at": now,
                "status": "ACTIVE",
                "started_at": now,
                "review_on": (now + timedelta(days=rng.randint(-10, 90))).date(),
            }
        )
        for n in range(2):
            agreed, view = rng.choice(STAGES), rng.choice(STAGES)
            rows[tables.autonomy_agreements].append(
                {
                    "id": uuid.uuid4(),
                    "organization_id": org,
                    "leader_id": steward,
                    "follower_id": pid,
                    "relationship_id": rel,
                    "context": f"Context {n}",
                    "agreed_stage": agreed,
                    "follower_view": view,
                    "leader_view": rng.choice(STAGES),
                    "leader_capability": rng.choice(STAGES),
                    "status": "ACTIVE",
                    "created_by_id": pid,
                    "created_at": now,
                }
            )
        for g in range(5):
            goal = uuid.uuid4()
            rows[tables.goals].append(
                {
                    "id": goal,
                    "organization_id": org,
                    "owner_id": pid,
                    "title": f"Goal {g}",
                    "description": "",
                    "stage": rng.choice(STAGES),
                    "status": "ACTIVE",
                    "created_at": now,
                    "activated_at": now,
                }
            )
            rows[tables.goal_shares].append(
                {
                    "id": uuid.uuid4(),
                    "organization_id": org,
                    "goal_id": goal,
                    "owner_id": pid,
                    "audience": "STEWARD",
                    "person_id": steward,
                    "relationship_id": rel,
                    "created_at": now,
                }
            )
            for c in range(4):
                rows[tables.goal_check_ins].append(
                    {
                        "id": uuid.uuid4(),
                        "organization_id": org,
                        "goal_id": goal,
                        "progress": 20 * c,
                        "confidence": rng.choice(["LOW", "MEDIUM", "HIGH"]),
                        "note": "",
                        "created_at": now - timedelta(days=7 * (4 - c)),
                    }
                )
    async with services.session_factory() as session:
        for table in tables.metadata.sorted_tables:
            for start in range(0, len(rows[table]), 5000):
                await session.execute(table.insert(), rows[table][start : start + 5000])
        await session.commit()
    return [(org, s) for s in stewards]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    with database() as (settings, db):
        stewards = asyncio.run(
            seed(settings, db.url, lambda services: seed_organization(services, args.people))
        )
        signed_in = asyncio.run(bearer_tokens(settings, db.url, stewards))
        bearer = [signed_in[s] for _, s in stewards]
        with server(db.url, workers=args.workers) as base:
            warm = asyncio.run(
                load(
                    base,
                    lambda i: (QUERY, {}, bearer[i % len(bearer)]),
                    requests=100,
                    concurrency=args.concurrency,
                )
            )
            figures = asyncio.run(
                load(
                    base,
                    lambda i: (QUERY, {}, bearer[i % len(bearer)]),
                    requests=args.requests,
                    concurrency=args.concurrency,
                )
            )
    print(
        f"organization: {args.people} people, {len(bearer)} stewards with up to 19 stewardees,"
        f" 5 shared goals x 4 check-ins each, 2 agreements per stewardship"
    )
    print(f"warm-up: {warm.requests} requests, errors {warm.errors}")
    print(
        figures.report(
            f"steward overview, {args.workers} server process(es), concurrency {args.concurrency}"
        )
    )


if __name__ == "__main__":
    main()
