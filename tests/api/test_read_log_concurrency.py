"""The read log under real parallel requests: one reader's simultaneous
reads of the same items on the same day end in one row per item whose
count is the number of requests (the primary key is what they upsert into),
none lost and none failing, whatever order each request named the items
in; simultaneous readers each get their own row."""

from __future__ import annotations

import asyncio
import logging

import pytest
from fastapi import FastAPI

from api.context import Services
from tests.api.goal_helpers import created, shared
from tests.api.harness import GraphQL, Member, Org
from tests.api.read_log_helpers import GOAL_BY_NODES, Cast, counts, log_rows, read_by, shared_cast
from tests.api.test_relationship_concurrency import connections_in_use
from tests.fakes import FakeClock


@pytest.fixture
async def cast(gql: GraphQL, clock: FakeClock, org: Org) -> Cast:
    return await shared_cast(gql, clock, org)


async def _all_at_once(gql: GraphQL, reads: list[tuple[Member, list[str]]]) -> None:
    """Every request at the same time; each must answer with the goals'
    descriptions and no errors."""
    responses = await asyncio.gather(
        *(gql.raw(GOAL_BY_NODES, {"ids": ids}, token=reader.token) for reader, ids in reads)
    )
    for response, (_, ids) in zip(responses, reads, strict=True):
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        assert len([n for n in body["data"]["nodes"] if n]) == len(ids)


@pytest.mark.parametrize("requests", [2, 20])
async def test_one_readers_simultaneous_requests_make_one_row_per_item(
    app: FastAPI,
    gql: GraphQL,
    services: Services,
    cast: Cast,
    caplog: pytest.LogCaptureFixture,
    requests: int,
) -> None:
    goals = [cast.goal]
    for n in range(2):
        goal = (await created(gql, cast.owner, f"Goal {n}"))["id"]
        await shared(gql, cast.owner, goal, "STEWARD")
        goals.append(goal)
    # Half the requests name the goals the other way round.
    orders = [goals if n % 2 == 0 else goals[::-1] for n in range(requests)]

    with (
        caplog.at_level(logging.ERROR, logger="trellis.read_log"),
        connections_in_use(app.state.engine) as connections,
    ):
        await _all_at_once(gql, [(cast.steward, ids) for ids in orders])
    assert not caplog.records, caplog.text
    if requests == 20:
        assert connections.peak >= 10, connections.peak

    rows = await log_rows(services)
    assert len(rows) == 3
    assert {row["read_count"] for row in rows} == {requests}
    for goal in goals:
        assert counts(await read_by(gql, cast.owner, goal)) == {cast.steward.id: requests}


async def test_twenty_readers_at_once_each_get_their_row(
    gql: GraphQL, services: Services, org: Org, cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    await shared(gql, cast.owner, cast.goal, "ORGANIZATION")
    readers = [await org.add_member(f"Reader {n:02d}") for n in range(20)]
    with caplog.at_level(logging.ERROR, logger="trellis.read_log"):
        await _all_at_once(gql, [(reader, [cast.goal, cast.goal]) for reader in readers])
    assert not caplog.records, caplog.text
    assert len(await log_rows(services)) == 20
    assert counts(await read_by(gql, cast.owner, cast.goal)) == {r.id: 1 for r in readers}
