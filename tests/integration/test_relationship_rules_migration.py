"""Migration 0012 on a database with history: existing rows are brought
under the new rules (closed proposals get their time, endings by a person a
note, duplicate open mentorship proposals are resolved, area rows take
their relationship's status), and the downgrade gives the `active` flags
back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from persistence import migrate
from tests.integration.test_constraints import NOW, _area, _organization, _person

if TYPE_CHECKING:
    from tests.database import TestServer

REVISION = "0012"


def _before() -> str:
    """The revision 0012 follows (whatever the chain is when merged)."""
    scripts = ScriptDirectory.from_config(migrate.alembic_config("postgresql://unused"))
    revision = scripts.get_revision(REVISION)
    assert revision is not None
    return str(revision.down_revision)


@pytest.fixture
async def old_engine(pg: TestServer) -> AsyncIterator[AsyncEngine]:
    """An engine on a database migrated up to the revision before 0012."""
    name = pg.next_name()
    url = await pg.create_empty(name)
    await asyncio.to_thread(migrate.upgrade, url, _before())
    engine = create_async_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()
        await pg.drop(name)


async def _relationship(engine: AsyncEngine, **values: Any) -> uuid.UUID:
    row = {
        "id": uuid.uuid4(),
        "proposed_at": NOW,
        "message": "",
        "end_note": "",
        "responded_at": None,
        "started_at": None,
        "ended_at": None,
        "ended_by_id": None,
        "end_reason": None,
        **values,
    }
    row.setdefault("proposed_by_id", row["follower_id"])
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO relationships (id, organization_id, kind, leader_id, follower_id,"
                " proposed_by_id, proposed_at, message, status, responded_at, started_at,"
                " ended_at, ended_by_id, end_reason, end_note) VALUES (:id, :organization_id,"
                " :kind, :leader_id, :follower_id, :proposed_by_id, :proposed_at, :message,"
                " :status, :responded_at, :started_at, :ended_at, :ended_by_id, :end_reason,"
                " :end_note)"
            ),
            row,
        )
    return row["id"]  # type: ignore[no-any-return]


async def _old_area_row(
    engine: AsyncEngine, org: uuid.UUID, relationship: uuid.UUID, area: uuid.UUID, **people: Any
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO mentorship_areas (id, organization_id, relationship_id,"
                " knowledge_area_id, leader_id, follower_id, active) VALUES (:id, :org, :rel,"
                " :area, :leader, :follower, :active)"
            ),
            {"id": uuid.uuid4(), "org": org, "rel": relationship, "area": area, **people},
        )


async def _rows(engine: AsyncEngine, query: str, **params: Any) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(sa.text(query), params)]


async def test_existing_rows_come_under_the_new_rules_and_back(old_engine: AsyncEngine) -> None:
    engine = old_engine
    org = await _organization(engine, "acme")
    mentor, mentee, steward, person = [
        await _person(engine, org, h) for h in ("mia", "max", "sam", "pat")
    ]
    go, sql = await _area(engine, org, "Go"), await _area(engine, org, "SQL")
    later = NOW + timedelta(hours=1)
    pair = {"organization_id": org, "leader_id": steward, "follower_id": person}
    declined = await _relationship(
        engine, kind="STEWARDSHIP", status="DECLINED", responded_at=later, **pair
    )
    withdrawn = await _relationship(engine, kind="COACHING", status="WITHDRAWN", **pair)
    ended = {
        "status": "ENDED",
        "started_at": NOW,
        "ended_at": later,
        "ended_by_id": person,
        **pair,
    }
    silent_end = await _relationship(
        engine, kind="STEWARDSHIP", end_reason="ENDED_BY_FOLLOWER", end_note=" ", **ended
    )
    said_why = await _relationship(
        engine, kind="COACHING", end_reason="ENDED_BY_LEADER", end_note="Done.", **ended
    )
    handed_over = await _relationship(
        engine, kind="MENTORSHIP", end_reason="HANDED_OVER", end_note="", **ended
    )
    # Two open mentorship proposals for Go between the same two (the race
    # the new index closes), and an active mentorship in SQL.
    mentoring = {"organization_id": org, "leader_id": mentor, "follower_id": mentee}
    people = {"leader": mentor, "follower": mentee}
    first = await _relationship(engine, kind="MENTORSHIP", status="PROPOSED", **mentoring)
    second = await _relationship(
        engine, kind="MENTORSHIP", status="PROPOSED", proposed_at=later, **mentoring
    )
    active = await _relationship(
        engine, kind="MENTORSHIP", status="ACTIVE", started_at=NOW, **mentoring
    )
    await _old_area_row(engine, org, first, go, active=False, **people)
    await _old_area_row(engine, org, second, go, active=False, **people)
    await _old_area_row(engine, org, second, sql, active=False, **people)
    await _old_area_row(engine, org, active, sql, active=True, **people)
    url = engine.url.render_as_string(hide_password=False)

    await asyncio.to_thread(migrate.upgrade, url, REVISION)

    found = dict(
        (r[0], r[1:])
        for r in await _rows(
            engine, "SELECT id, status, closed_at, decline_reason, end_note FROM relationships"
        )
    )
    assert found[declined][:3] == ("DECLINED", later, "")
    assert found[withdrawn][:2] == ("WITHDRAWN", NOW)  # no answer time: the proposal's
    assert found[silent_end][3] == "No reason was recorded."
    assert found[said_why][3] == "Done."
    assert found[handed_over][3] == ""
    assert found[first][:2] == ("PROPOSED", None)
    assert found[second][0] == "WITHDRAWN"  # the later duplicate
    assert found[second][1] is not None
    statuses = await _rows(
        engine, "SELECT relationship_id, knowledge_area_id, status FROM mentorship_areas"
    )
    assert sorted(statuses) == sorted(
        [
            (first, go, "PROPOSED"),
            (second, go, "WITHDRAWN"),
            (second, sql, "WITHDRAWN"),
            (active, sql, "ACTIVE"),
        ]
    )

    await asyncio.to_thread(migrate.downgrade, url, _before())

    flags = await _rows(
        engine, "SELECT relationship_id, knowledge_area_id, active FROM mentorship_areas"
    )
    assert sorted(flags) == sorted(
        [(first, go, False), (second, go, False), (second, sql, False), (active, sql, True)]
    )
    columns = await _rows(
        engine,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'relationships'"
        " AND column_name IN ('closed_at', 'decline_reason')",
    )
    assert columns == []
