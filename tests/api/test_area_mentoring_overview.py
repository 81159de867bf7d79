"""The faculty lead's mentoring overview of a knowledge area
(`KnowledgeArea.mentoring`), through the public API: it covers the area and
every area below it, however deep, answers whatever wishes and offers the
organization holds (it used to fail with INTERNAL once an area held an
unmatched wish and an offer elsewhere), and runs the same few statements,
through indexes, for a large organization as for a small one."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI

from api.context import Services
from api.graphql.ids import global_id
from persistence import tables
from tests.api.harness import GraphQL, Org, count_statements
from tests.api.queries import create_area
from tests.api.relationship_helpers import MENTORSHIP, advance, established
from tests.api.test_mentor_matching import (
    AREA_MENTORING,
    area_mentoring,
    make_faculty_lead,
    offer,
    set_mentee_capacity,
    wish,
)
from tests.api.test_mentor_matching_statements import LARGE, TINY, Size, _scans, seed
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]

# One statement each for: the viewer, the area, whether the viewer leads it
# or is org faculty (two), the area tree, the unmatched wishes, the mentors
# near capacity and their names. Measured: 8.
OVERVIEW_STATEMENT_BOUND = 8


def levels(seen: dict[str, Any] | None) -> list[tuple[int, int]]:
    assert seen is not None
    return [(w["current"], w["desired"]) for w in seen["unmatchedWishes"]]


def near_capacity(seen: dict[str, Any] | None) -> list[tuple[str, int, int]]:
    assert seen is not None
    return [(m["mentor"]["name"], m["load"], m["capacity"]) for m in seen["mentorsNearCapacity"]]


async def test_the_overview_covers_sub_areas_and_answers_with_offers_elsewhere(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    engineering = await create_area(gql, org.faculty.token, "Engineering")
    backend = await create_area(gql, org.faculty.token, "Backend", engineering["id"])
    databases = await create_area(gql, org.faculty.token, "Databases", backend["id"])
    marketing = await create_area(gql, org.faculty.token, "Marketing")
    online = await create_area(gql, org.faculty.token, "Online Marketing", marketing["id"])
    lead = await org.add_member("Lee Lead")
    await make_faculty_lead(gql, org, lead, engineering["id"])

    # A mentor who knows online marketing well: near the marketing wishes,
    # far from every engineering one.
    await offer(gql, await org.add_member("Mira"), online["id"], 5)
    for n, (area, current, desired) in enumerate(
        [
            (databases, 1, 4),
            (backend, 2, 5),
            (engineering, 1, 3),
            (marketing, 1, 3),
            (online, 1, 4),
        ]
    ):
        await wish(gql, await org.add_member(f"Learner {n}"), area["id"], current, desired)
        advance(clock, timedelta(minutes=1), org)

    for viewer in (lead, org.faculty):
        assert levels(await area_mentoring(gql, viewer, engineering["id"])) == [
            (1, 4),
            (2, 5),
            (1, 3),
        ]
    # The lead of Engineering opens the overview of any area below it too.
    for viewer in (lead, org.faculty):
        assert levels(await area_mentoring(gql, viewer, backend["id"])) == [(1, 4), (2, 5)]
        assert levels(await area_mentoring(gql, viewer, databases["id"])) == [(1, 4)]
    # Mira is in Online Marketing: a child of Marketing, and that area itself.
    assert levels(await area_mentoring(gql, org.faculty, marketing["id"])) == []
    assert levels(await area_mentoring(gql, org.faculty, online["id"])) == []
    # The lead of Engineering leads no marketing area.
    assert await area_mentoring(gql, lead, marketing["id"]) is None

    # A mentor in Backend at level 5 is near every engineering wish: in the
    # wished area, the parent of Databases, a child of Engineering.
    await offer(gql, await org.add_member("Max"), backend["id"], 5)
    assert levels(await area_mentoring(gql, lead, engineering["id"])) == []
    for area in (backend, databases):
        assert levels(await area_mentoring(gql, org.faculty, area["id"])) == []


async def test_mentors_near_capacity_anywhere_below_the_area_are_listed_once(
    gql: GraphQL, org: Org
) -> None:
    engineering = await create_area(gql, org.faculty.token, "Engineering")
    backend = await create_area(gql, org.faculty.token, "Backend", engineering["id"])
    databases = await create_area(gql, org.faculty.token, "Databases", backend["id"])
    design = await create_area(gql, org.faculty.token, "Design")
    fay, ned, rob = [await org.add_member(n) for n in ("Fay", "Ned", "Rob")]
    # Fay offers two areas below Engineering, and is full.
    await offer(gql, fay, databases["id"], 5)
    await offer(gql, fay, backend["id"], 4)
    await set_mentee_capacity(gql, fay, 1)
    await established(
        gql, fay, await org.add_member("Mentee 1"), kind=MENTORSHIP, areas=[design["id"]]
    )
    # Ned has one place left, in Engineering itself; Rob has room.
    await offer(gql, ned, engineering["id"], 4)
    await set_mentee_capacity(gql, ned, 2)
    await established(
        gql, ned, await org.add_member("Mentee 2"), kind=MENTORSHIP, areas=[design["id"]]
    )
    await offer(gql, rob, databases["id"], 3)

    assert near_capacity(await area_mentoring(gql, org.faculty, engineering["id"])) == [
        ("Fay", 1, 1),
        ("Ned", 1, 2),
    ]
    assert near_capacity(await area_mentoring(gql, org.faculty, backend["id"])) == [("Fay", 1, 1)]
    assert near_capacity(await area_mentoring(gql, org.faculty, databases["id"])) == [("Fay", 1, 1)]
    assert near_capacity(await area_mentoring(gql, org.faculty, design["id"])) == []


async def test_the_overview_of_many_areas_at_once_reads_one_batch_each(
    app: FastAPI, gql: GraphQL, org: Org
) -> None:
    """Every area of a tree, in one `nodes` request: each list is one batch."""
    roots = [await create_area(gql, org.faculty.token, f"Root {n}") for n in range(3)]
    areas = list(roots)
    for n, root in enumerate(roots):
        child = await create_area(gql, org.faculty.token, f"Child {n}", root["id"])
        areas.append(child)
        areas.append(await create_area(gql, org.faculty.token, f"Leaf {n}", child["id"]))
        await wish(gql, await org.add_member(f"Learner {n}"), child["id"], 1, 3)
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on KnowledgeArea { mentoring {
      unmatchedWishes { current desired } mentorsNearCapacity { mentor { name } load }
    } } } }"""

    with count_statements(app.state.engine) as one:
        await gql.data(query, {"ids": [roots[0]["id"]]}, token=org.faculty.token)
    with count_statements(app.state.engine) as every:
        data = await gql.data(query, {"ids": [a["id"] for a in areas]}, token=org.faculty.token)

    assert [len(n["mentoring"]["unmatchedWishes"]) for n in data["nodes"]] == [
        1,
        1,
        1,
        1,
        0,
        1,
        0,
        1,
        0,
    ]
    assert every.count == one.count <= OVERVIEW_STATEMENT_BOUND, (one.count, every.count)


async def test_the_overview_runs_as_many_statements_for_a_large_organization_through_indexes(
    app: FastAPI, gql: GraphQL, services: Services, clock: FakeClock, make_org: OrgFactory
) -> None:
    """10,000 offers over 200 areas, 2,000 mentors, and a wish for most of
    them: a root's overview reads the same statements as in a small
    organization, and reaches the wishes and the offers through their
    indexes, not by reading whole tables."""
    counts: dict[Size, int] = {}
    for size in (TINY, LARGE):
        org = await make_org(f"Overview {size.offers}")
        seeded = await seed(services, gql, org, clock, size)
        root_id = await _root_of(services, org, seeded.wish_area)
        await _wishes_for_everyone(services, org, size)
        with count_statements(app.state.engine) as counter:
            data = await gql.data(AREA_MENTORING, {"id": str(root_id)}, token=org.faculty.token)
        counts[size] = counter.count
        assert data["node"]["mentoring"] is not None
        print(f"overview among {size.offers} offers: {counter.count} statements")
    assert counts[TINY] == counts[LARGE] <= OVERVIEW_STATEMENT_BOUND, counts

    captured: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        captured.append((statement, parameters))

    sa.event.listen(app.state.engine.sync_engine, "before_cursor_execute", capture)
    try:
        await gql.data(AREA_MENTORING, {"id": str(root_id)}, token=org.faculty.token)
    finally:
        sa.event.remove(app.state.engine.sync_engine, "before_cursor_execute", capture)
    overview = [
        (s, p)
        for s, p in captured
        if s.lstrip().startswith("SELECT") and ("FROM learning_wishes" in s or "mentor_offers" in s)
    ]
    assert len(overview) == 2, [s for s, _ in captured]

    async with services.session_factory() as session:
        connection = await session.connection()
        for statement, parameters in overview:
            result = await connection.exec_driver_sql(
                "EXPLAIN (FORMAT JSON) " + statement, parameters
            )
            found = result.scalar_one()
            plan = (json.loads(found) if isinstance(found, str) else found)[0]
            scans = _scans(plan["Plan"])
            print(f"overview plan: {sorted(set(scans))}")
            for table in ("learning_wishes", "mentor_offers"):
                reached = [node for node, name, _ in scans if name == table]
                assert all(node != "Seq Scan" for node in reached), json.dumps(plan, indent=1)


async def _root_of(services: Services, org: Org, area_name: str) -> str:
    a = tables.knowledge_areas
    async with services.session_factory() as session:
        parent = await session.scalar(
            sa.select(a.c.parent_id).where(a.c.organization_id == org.id, a.c.name == area_name)
        )
    assert parent is not None
    return str(global_id("KnowledgeArea", parent))


async def _wishes_for_everyone(services: Services, org: Org, size: Size) -> None:
    """Every person of the organization wishes to learn one area at random
    (bulk inserted, then analyzed as autovacuum would)."""
    rng = random.Random(size.offers)
    a, people = tables.knowledge_areas, tables.people
    async with services.session_factory() as session:
        areas = list(await session.scalars(sa.select(a.c.id).where(a.c.organization_id == org.id)))
        wishing = sa.select(tables.learning_wishes.c.person_id)
        persons = list(
            await session.scalars(
                sa.select(people.c.id).where(
                    people.c.organization_id == org.id, people.c.id.not_in(wishing)
                )
            )
        )
        now = services.clock.now()
        rows = [
            {
                "id": uuid.uuid4(),
                "organization_id": org.id,
                "person_id": person,
                "knowledge_area_id": rng.choice(areas),
                "current": 1,
                "desired": rng.randint(2, 5),
                "status": "OPEN",
                "created_at": now,
            }
            for person in persons
            if rng.random() < 0.8
        ]
        for start in range(0, len(rows), 5000):
            await session.execute(
                sa.insert(tables.learning_wishes).values(rows[start : start + 5000])
            )
        await session.execute(sa.text("ANALYZE"))
        await session.commit()
