"""Benchmark: people look for a mentor: the first page of matches for one of
their learning wishes, scored and explained.

    .venv/bin/python -m bench.mentor_matching [--people 2000] [--offers 10000]
        [--requests 1000] [--concurrency 20] [--workers 1]

Seeds an organization of N people with bulk inserts: 200 knowledge areas
(20 roots of 9 children each), the offers spread over the people (at most
one per person and area; 90% active, the rest paused or withdrawn) with
proficiencies from 1 to 5, mentor profiles (most accepting, most with
weekly windows), active mentorships up to each mentor's capacity, teams,
some people who left, and open learning wishes for a quarter of the
people. Then ANALYZE, as autovacuum would after such a load. Starts
`trellis serve` on it and prints requests per second and latency
percentiles of the matching query under concurrent load, each request a
different learner and wish (every fourth with weights of their own).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from api.context import Services
from api.graphql.ids import global_id
from bench.harness import bearer_tokens, database, load, seed, server
from domain.availability import Window
from persistence import tables

QUERY = """
query Matches($id: ID!, $weights: [CriterionWeightInput!]) {
  node(id: $id) {
    ... on LearningWish {
      matches(first: 10, weights: $weights) { edges { node {
        total
        mentor { name }
        knowledgeArea { name }
        scores { criterion weight value explanation }
      } } }
    }
  }
}
"""
ROOTS, CHILDREN = 20, 9
TIMEZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata")
WEIGHTS: list[dict[str, object]] = [
    {"criterion": "LOAD", "weight": 4},
    {"criterion": "AVAILABILITY", "weight": 3},
    {"criterion": "PERSPECTIVE", "weight": 0},
]


def _windows(rng: random.Random) -> list[Window]:
    days = sorted(rng.sample(range(5), rng.randint(1, 3)))
    start = rng.choice((8, 9, 10, 13, 14)) * 60
    return [Window(day, start, start + rng.choice((60, 120, 180))) for day in days]


async def seed_matching(
    services: Services, people: int, offers: int
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """Returns (organization, person, wish) for every open wish."""
    rng = random.Random(17)
    now = datetime.now(UTC)
    org = uuid.uuid4()
    rows: dict[sa.Table, list[dict[str, Any]]] = {t: [] for t in tables.metadata.sorted_tables}
    rows[tables.organizations].append(
        {"id": org, "name": "Bench", "slug": "bench", "created_at": now}
    )

    areas: list[uuid.UUID] = []
    for r in range(ROOTS):
        root = uuid.uuid4()
        areas.append(root)
        rows[tables.knowledge_areas].append(
            {
                "id": root,
                "organization_id": org,
                "parent_id": None,
                "name": f"Area {r:02d}",
                "created_at": now,
            }
        )
        for c in range(CHILDREN):
            child = uuid.uuid4()
            areas.append(child)
            rows[tables.knowledge_areas].append(
                {
                    "id": child,
                    "organization_id": org,
                    "parent_id": root,
                    "name": f"Area {r:02d}.{c}",
                    "created_at": now,
                }
            )

    person_ids = [uuid.uuid4() for _ in range(people)]
    left = set(person_ids[5::60])
    capacity: dict[uuid.UUID, int] = {}
    teams = [uuid.uuid4() for _ in range(max(1, people // 20))]
    for t, team in enumerate(teams):
        rows[tables.teams].append(
            {
                "id": team,
                "organization_id": org,
                "name": f"Team {t:03d}",
                "stage": "PERFORMING",
                "created_at": now,
            }
        )
    for i, pid in enumerate(person_ids):
        own_capacity = (None, None, None, 5, 1)[i % 5]
        capacity[pid] = own_capacity or 3
        rows[tables.people].append(
            {
                "id": pid,
                "organization_id": org,
                "name": f"Person {i:05d}",
                "handle": f"p{i}",
                "email": f"p{i}@bench.example",
                "timezone": TIMEZONES[i % len(TIMEZONES)],
                "status": "LEFT" if pid in left else "ACTIVE",
                "left_at": now if pid in left else None,
                "created_at": now - timedelta(days=365),
                "mentee_capacity": own_capacity,
            }
        )
        rows[tables.team_memberships].append(
            {
                "id": uuid.uuid4(),
                "organization_id": org,
                "team_id": teams[i % len(teams)],
                "person_id": pid,
                "started_at": now - timedelta(days=200),
            }
        )
        if rng.random() < 0.8:
            rows[tables.mentor_profiles].append(
                {
                    "organization_id": org,
                    "person_id": pid,
                    "accepting": rng.random() < 0.95,
                    "availability": _windows(rng) if rng.random() < 0.8 else [],
                    "updated_at": now,
                }
            )

    # Offers: as evenly as possible over the people, never twice in one area.
    offered: dict[uuid.UUID, list[uuid.UUID]] = {}
    per_person, extra = divmod(offers, people)
    for i, pid in enumerate(person_ids):
        count = min(len(areas), per_person + (i < extra))
        offered[pid] = rng.sample(areas, count)
        for area in offered[pid]:
            roll = rng.random()
            rows[tables.mentor_offers].append(
                {
                    "id": uuid.uuid4(),
                    "organization_id": org,
                    "mentor_id": pid,
                    "knowledge_area_id": area,
                    "proficiency": rng.randint(1, 5),
                    "note": "",
                    "status": "ACTIVE" if roll < 0.9 else "PAUSED" if roll < 0.95 else "WITHDRAWN",
                    "created_at": now - timedelta(days=90),
                }
            )

    # Active mentorships: a random load up to each mentor's capacity, mentees
    # from anywhere; some mentors are full.
    active = [pid for pid in person_ids if pid not in left]
    for pid in active:
        if not offered[pid]:
            continue
        load = min(capacity[pid], rng.choice((0, 0, 1, 1, 2, 3)))
        mentees = [m for m in rng.sample(active, load + 1) if m != pid][:load]
        for mentee in mentees:
            rel = uuid.uuid4()
            area = offered[pid][0]
            rows[tables.relationships].append(
                {
                    "id": rel,
                    "organization_id": org,
                    "kind": "MENTORSHIP",
                    "leader_id": pid,
                    "follower_id": mentee,
                    "proposed_by_id": mentee,
                    "proposed_at": now - timedelta(days=40),
                    "status": "ACTIVE",
                    "responded_at": now - timedelta(days=39),
                    "started_at": now - timedelta(days=39),
                }
            )
            rows[tables.mentorship_areas].append(
                {
                    "id": uuid.uuid4(),
                    "organization_id": org,
                    "relationship_id": rel,
                    "knowledge_area_id": area,
                    "leader_id": pid,
                    "follower_id": mentee,
                    "status": "ACTIVE",
                }
            )

    # Open wishes: a quarter of the people, one or two areas each.
    wishes = []
    for pid in active[::4]:
        for area in rng.sample(areas, rng.choice((1, 1, 2))):
            current = rng.randint(1, 3)
            wish = uuid.uuid4()
            rows[tables.learning_wishes].append(
                {
                    "id": wish,
                    "organization_id": org,
                    "person_id": pid,
                    "knowledge_area_id": area,
                    "current": current,
                    "desired": rng.randint(current + 1, 5),
                    "availability": _windows(rng) if rng.random() < 0.7 else [],
                    "status": "OPEN",
                    "created_at": now - timedelta(days=rng.randint(0, 30)),
                }
            )
            wishes.append((org, pid, wish))

    async with services.session_factory() as session:
        for table in tables.metadata.sorted_tables:
            for start in range(0, len(rows[table]), 5000):
                await session.execute(table.insert(), rows[table][start : start + 5000])
        await session.execute(sa.text("ANALYZE"))
        await session.commit()
    return wishes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--offers", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    with database() as (settings, db):
        wishes = asyncio.run(
            seed(
                settings,
                db.url,
                lambda services: seed_matching(services, args.people, args.offers),
            )
        )
        signed_in = asyncio.run(
            bearer_tokens(settings, db.url, [(org, person) for org, person, _ in wishes])
        )
        calls = [
            (
                signed_in[person],
                global_id("LearningWish", wish),
            )
            for org, person, wish in wishes
        ]
        random.Random(5).shuffle(calls)

        def request(i: int) -> tuple[str, dict[str, object], str]:
            token, wish_id = calls[i % len(calls)]
            return QUERY, {"id": wish_id, "weights": WEIGHTS if i % 4 == 3 else None}, token

        with server(db.url, workers=args.workers) as base:
            sizes = []
            for i in range(20):
                query, variables, token = request(i)
                body = httpx.post(
                    f"{base}/graphql",
                    json={"query": query, "variables": variables},
                    headers={"authorization": f"Bearer {token}"},
                    timeout=30,
                ).json()
                assert "errors" not in body, body["errors"]
                sizes.append(len(body["data"]["node"]["matches"]["edges"]))
            warm = asyncio.run(load(base, request, requests=100, concurrency=args.concurrency))
            figures = asyncio.run(
                load(base, request, requests=args.requests, concurrency=args.concurrency)
            )
    print(
        f"organization: {args.people} people, {args.offers} mentor offers across"
        f" {ROOTS * (1 + CHILDREN)} knowledge areas ({ROOTS} roots x {CHILDREN} children),"
        f" {len(wishes)} open wishes of {len({p for _, p, _ in wishes})} learners"
    )
    print(f"matches per first page (20 sample wishes): {sorted(sizes)}")
    print(f"warm-up: {warm.requests} requests, errors {warm.errors}")
    print(
        figures.report(
            f"mentor matching (first 10 of a wish), {args.workers} server process(es),"
            f" concurrency {args.concurrency}"
        )
    )


if __name__ == "__main__":
    main()
