"""The read log's rules are the database's own: rows written with SQLAlchemy
Core, bypassing the domain, are refused when they log the owner (or an
item's giver) reading their own item, name someone else as owner, point at
no item or two, or into another organization, count nothing, or date the
record on another day than its last read. One row per item, reader and day
is the primary key, and the repository's upsert adds to it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from domain.autonomy import AutonomyStage
from domain.goals import GoalStatus
from domain.read_log import ReadRecord, ReadSource
from persistence.integrity import constraint_name, translate
from persistence.repositories.read_log import SqlReadLogRepository
from persistence.tables import feedback_items, goals, read_log
from tests.integration.test_constraints import (
    NOW,
    _insert,
    _named_request,
    _organization,
    _person,
    _refused,
)


class World:
    """An organization where Ada owns a goal, an item Gil gave her and a
    request; Sam reads them. And another organization with its own goal."""

    async def build(self, engine: AsyncEngine) -> World:
        self.org = await _organization(engine, "acme")
        self.ada = await _person(engine, self.org, "ada")
        self.gil = await _person(engine, self.org, "gil")
        self.sam = await _person(engine, self.org, "sam")
        self.goal = await _insert(
            engine,
            goals,
            organization_id=self.org,
            owner_id=self.ada,
            title="Run the retro",
            stage=AutonomyStage.FIXED_GOALS,
            status=GoalStatus.ACTIVE,
            created_at=NOW,
        )
        self.item = await _insert(
            engine,
            feedback_items,
            organization_id=self.org,
            subject_id=self.ada,
            giver_id=self.gil,
            text="Clear and kind.",
            created_at=NOW,
        )
        self.request = await _named_request(engine, self.org, self.ada)
        self.elsewhere = await _organization(engine, "globex")
        self.hank = await _person(engine, self.elsewhere, "hank")
        self.foreign_goal = await _insert(
            engine,
            goals,
            organization_id=self.elsewhere,
            owner_id=self.hank,
            title="Elsewhere",
            stage=AutonomyStage.FIXED_GOALS,
            status=GoalStatus.ACTIVE,
            created_at=NOW,
        )
        return self

    def row(self, **values: Any) -> dict[str, Any]:
        """Sam's read of Ada's goal today, unless told otherwise."""
        row = {
            "organization_id": self.org,
            "source_id": self.goal,
            "goal_id": self.goal,
            "owner_id": self.ada,
            "reader_id": self.sam,
            "day": NOW.date(),
            "last_read_at": NOW,
            "read_count": 1,
        }
        row.update(values)
        return row


async def _world(engine: AsyncEngine) -> World:
    return await World().build(engine)


async def _refused_as(engine: AsyncEngine, row: dict[str, Any]) -> str | None:
    error = await _refused(engine, read_log.insert().values(**row))
    # Nobody's request can cause these: they stay bugs (masked), not conflicts.
    assert translate(error) is None
    return constraint_name(error)


async def test_a_valid_record_of_each_source_is_kept(engine: AsyncEngine) -> None:
    w = await _world(engine)
    async with engine.begin() as conn:
        await conn.execute(read_log.insert().values(**w.row()))
        await conn.execute(
            read_log.insert().values(
                **w.row(source_id=w.item, goal_id=None, item_id=w.item, reader_id=w.sam)
            )
        )
        await conn.execute(
            read_log.insert().values(
                **w.row(source_id=w.request, goal_id=None, request_id=w.request, reader_id=w.gil)
            )
        )
        count = await conn.scalar(sa.select(sa.func.count()).select_from(read_log))
    assert count == 3


async def test_the_owner_reading_their_own_item_is_refused(engine: AsyncEngine) -> None:
    w = await _world(engine)
    assert await _refused_as(engine, w.row(reader_id=w.ada)) == "ck_read_log_not_the_owner"


async def test_a_record_naming_someone_else_as_owner_is_refused(engine: AsyncEngine) -> None:
    w = await _world(engine)
    assert await _refused_as(engine, w.row(owner_id=w.gil)) == "ck_read_log_owner_of_source"
    item = w.row(source_id=w.item, goal_id=None, item_id=w.item, owner_id=w.gil)
    assert await _refused_as(engine, item) == "ck_read_log_owner_of_source"
    request = w.row(source_id=w.request, goal_id=None, request_id=w.request, owner_id=w.sam)
    assert await _refused_as(engine, request) == "ck_read_log_owner_of_source"


async def test_the_giver_reading_their_item_is_refused(engine: AsyncEngine) -> None:
    w = await _world(engine)
    row = w.row(source_id=w.item, goal_id=None, item_id=w.item, reader_id=w.gil)
    assert await _refused_as(engine, row) == "ck_read_log_not_the_giver"


async def test_a_record_of_no_item_or_two_or_another_id_is_refused(engine: AsyncEngine) -> None:
    w = await _world(engine)
    for row in (
        w.row(goal_id=None),
        w.row(item_id=w.item),
        w.row(source_id=w.item),
    ):
        assert await _refused_as(engine, row) == "ck_read_log_one_source"


async def test_a_record_pointing_into_another_organization_is_refused(
    engine: AsyncEngine,
) -> None:
    w = await _world(engine)
    row = w.row(source_id=w.foreign_goal, goal_id=w.foreign_goal, owner_id=w.hank)
    assert await _refused_as(engine, row) in {
        "fk_read_log_organization_id_goal_id_goals",
        "fk_read_log_organization_id_owner_id_people",
    }
    assert (
        await _refused_as(engine, w.row(reader_id=w.hank))
        == "fk_read_log_organization_id_reader_id_people"
    )


async def test_counts_and_days_must_add_up(engine: AsyncEngine) -> None:
    w = await _world(engine)
    assert await _refused_as(engine, w.row(read_count=0)) == "ck_read_log_read_count_positive"
    tomorrow = w.row(day=NOW.date() + timedelta(days=1))
    assert await _refused_as(engine, tomorrow) == "ck_read_log_day_of_last_read"


async def test_one_row_per_item_reader_and_day(engine: AsyncEngine) -> None:
    w = await _world(engine)
    async with engine.begin() as conn:
        await conn.execute(read_log.insert().values(**w.row()))
    assert await _refused_as(engine, w.row(last_read_at=NOW + timedelta(hours=1))) == "pk_read_log"


async def test_the_repository_adds_to_the_days_row(engine: AsyncEngine) -> None:
    w = await _world(engine)
    later = NOW + timedelta(hours=2)

    def record(at: Any, source: ReadSource, source_id: uuid.UUID) -> ReadRecord:
        return ReadRecord(
            organization_id=w.org,
            source=source,
            source_id=source_id,
            owner_id=w.ada,
            reader_id=w.sam,
            day=at.date(),
            last_read_at=at,
            read_count=1,
        )

    sessions = async_sessionmaker(engine)
    for at in (later, NOW):  # the later read first: the last read stays the latest
        async with sessions() as session:
            await SqlReadLogRepository(session, w.org).add(
                [record(at, ReadSource.GOAL, w.goal), record(at, ReadSource.FEEDBACK_ITEM, w.item)]
            )
            await session.commit()
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(read_log.c.item_id, read_log.c.read_count, read_log.c.last_read_at)
            )
        ).all()
    assert sorted(rows, key=lambda r: r.item_id is None) == [(w.item, 2, later), (None, 2, later)]

    async with sessions() as session:
        repository = SqlReadLogRepository(session, w.org)
        assert await repository.remove_before(NOW.date()) == 0
        assert await repository.remove_before(date(2027, 1, 1)) == 2
        await session.commit()
