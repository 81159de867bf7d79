"""Benchmark: a steward opens the prep of their next 1-on-1 on their phone.

    .venv/bin/python -m bench.one_on_one_prep [--people 2000] [--requests 1000]
        [--concurrency 20] [--workers 1]

Seeds the steward-overview organization (bench.steward_overview: one
steward per 20 people, 5 shared goals with 4 check-ins each, 2 autonomy
agreements per stewardship), then gives every stewardship its 1-on-1s:
3 held meetings and a scheduled one with 8 agenda items (3 carried over),
shared and private notes, 6 action items (2 overdue), and 4 pieces of
feedback about the person (2 shared with the steward). Starts
`trellis serve` on it and prints requests per second and latency
percentiles of the whole prep query under concurrent load, each request a
different steward preparing a different meeting.
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
from api.graphql.ids import global_id
from bench.harness import bearer_tokens, database, load, seed, server
from bench.steward_overview import seed_organization
from persistence import tables

QUERY = """
query Prep($id: ID!) {
  node(id: $id) {
    ... on OneOnOneMeeting {
      scheduledAt
      prep {
        since
        person { name }
        goals { goal { title status stage targetDate } checkInsSince { progress confidence note } }
        feedback { text createdAt giver { name } }
        feedbackRequests { topic results { released } }
        agreements { context agreedStage }
        mismatchSignals { kind explanation }
        readinessSuggestions { stage nextStage evidenceCount }
        openActionItems { text dueOn overdue owner { name } }
        agenda { text done position author { name } carriedFrom { scheduledAt } }
        relationshipChanges { kind status }
        activity { mentors coaches coachingsStartedSince }
        suggestedTalkingPoints { kind reason }
      }
    }
  }
}
"""


async def seed_one_on_ones(
    services: Services, people: int
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """Returns (organization, steward, next meeting) for every stewardship."""
    await seed_organization(services, people)
    rng = random.Random(11)
    now = datetime.now(UTC)
    r = tables.relationships
    async with services.session_factory() as session:
        stewardships = (
            await session.execute(
                sa.select(r.c.organization_id, r.c.id, r.c.leader_id, r.c.follower_id)
            )
        ).all()
    rows: dict[sa.Table, list[dict[str, Any]]] = {t: [] for t in tables.metadata.sorted_tables}
    prepared = []
    for org, rel, steward, person in stewardships:
        series = uuid.uuid4()
        rows[tables.one_on_one_series].append(
            {
                "id": series,
                "organization_id": org,
                "relationship_id": rel,
                "timezone": "Europe/Berlin",
                "cadence": "WEEKLY",
                "created_by_id": steward,
                "created_at": now - timedelta(weeks=4),
            }
        )
        for pid in (steward, person):
            rows[tables.one_on_one_participants].append(
                {"organization_id": org, "series_id": series, "person_id": pid}
            )
        meetings = [uuid.uuid4() for _ in range(4)]
        for week, meeting in enumerate(meetings):
            at = now - timedelta(weeks=3 - week) + timedelta(days=1)
            held = week < 3
            rows[tables.one_on_one_meetings].append(
                {
                    "id": meeting,
                    "organization_id": org,
                    "series_id": series,
                    "scheduled_at": at,
                    "status": "HELD" if held else "SCHEDULED",
                    "held_at": at if held else None,
                    "created_at": at - timedelta(weeks=1),
                }
            )
        last_held, upcoming = meetings[2], meetings[3]
        carried = [uuid.uuid4() for _ in range(3)]
        for position, source in enumerate(carried):
            rows[tables.agenda_items].append(
                _item(
                    org,
                    series,
                    last_held,
                    steward,
                    position,
                    f"Open topic {position}",
                    source,
                    first_meeting=last_held,
                )
            )
        for position in range(8):
            rows[tables.agenda_items].append(
                _item(
                    org,
                    series,
                    upcoming,
                    rng.choice((steward, person)),
                    position,
                    f"Topic {position}",
                    uuid.uuid4(),
                    carried_from=carried[position] if position < 3 else None,
                    first_meeting=last_held if position < 3 else upcoming,
                )
            )
        for n, private in enumerate((False, True, False)):
            rows[tables.meeting_notes].append(
                {
                    "id": uuid.uuid4(),
                    "organization_id": org,
                    "series_id": series,
                    "meeting_id": last_held,
                    "author_id": steward if n else person,
                    "private": private,
                    "text": f"Note {n}",
                    "created_at": now - timedelta(days=6),
                    "updated_at": now - timedelta(days=6),
                }
            )
        for n in range(6):
            rows[tables.action_items].append(
                {
                    "id": uuid.uuid4(),
                    "organization_id": org,
                    "series_id": series,
                    "meeting_id": last_held,
                    "owner_id": rng.choice((steward, person)),
                    "created_by_id": steward,
                    "text": f"Action {n}",
                    "due_on": (now + timedelta(days=n * 3 - 5)).date(),
                    "created_at": now - timedelta(days=6),
                }
            )
        for n in range(4):
            item = uuid.uuid4()
            giver = rng.choice([s for _, _, s, _ in stewardships[:50] if s != person])
            rows[tables.feedback_items].append(
                {
                    "id": item,
                    "organization_id": org,
                    "subject_id": person,
                    "giver_id": giver,
                    "text": f"Feedback {n}: keep doing what works.",
                    "created_at": now - timedelta(days=n * 5),
                }
            )
            if n % 2 == 0:
                rows[tables.feedback_shares].append(
                    {
                        "id": uuid.uuid4(),
                        "organization_id": org,
                        "owner_id": person,
                        "item_id": item,
                        "audience": "STEWARD",
                        "person_id": steward,
                        "relationship_id": rel,
                        "created_at": now - timedelta(days=n),
                    }
                )
        prepared.append((org, steward, upcoming))
    async with services.session_factory() as session:
        for table in tables.metadata.sorted_tables:
            for start in range(0, len(rows[table]), 5000):
                await session.execute(table.insert(), rows[table][start : start + 5000])
        await session.commit()
    return prepared


def _item(
    org: uuid.UUID,
    series: uuid.UUID,
    meeting: uuid.UUID,
    author: uuid.UUID,
    position: int,
    text: str,
    item_id: uuid.UUID,
    *,
    first_meeting: uuid.UUID,
    carried_from: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {
        "id": item_id,
        "organization_id": org,
        "series_id": series,
        "meeting_id": meeting,
        "author_id": author,
        "text": text,
        "position": position,
        "done": False,
        "created_at": datetime.now(UTC),
        "carried_from_id": carried_from,
        "first_meeting_id": first_meeting,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    with database() as (settings, db):
        prepared = asyncio.run(
            seed(settings, db.url, lambda services: seed_one_on_ones(services, args.people))
        )
        signed_in = asyncio.run(
            bearer_tokens(settings, db.url, [(org, steward) for org, steward, _ in prepared])
        )
        calls = [
            (
                signed_in[steward],
                global_id("OneOnOneMeeting", meeting),
            )
            for org, steward, meeting in prepared
        ]
        random.Random(3).shuffle(calls)

        def request(i: int) -> tuple[str, dict[str, object], str]:
            token, meeting_id = calls[i % len(calls)]
            return QUERY, {"id": meeting_id}, token

        with server(db.url, workers=args.workers) as base:
            warm = asyncio.run(load(base, request, requests=100, concurrency=args.concurrency))
            figures = asyncio.run(
                load(base, request, requests=args.requests, concurrency=args.concurrency)
            )
    print(
        f"organization: {args.people} people, {len(prepared)} stewardships with 1-on-1s"
        " (3 held meetings, 8 agenda items, 6 action items, 4 feedback items, 5 goals"
        " x 4 check-ins, 2 agreements each)"
    )
    print(f"warm-up: {warm.requests} requests, errors {warm.errors}")
    print(
        figures.report(
            f"1-on-1 prep, {args.workers} server process(es), concurrency {args.concurrency}"
        )
    )


if __name__ == "__main__":
    main()
