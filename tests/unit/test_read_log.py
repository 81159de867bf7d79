"""The read log's rules (domain/read_log.py) and keeping it
(domain/services/read_log.py) on the in-memory read log, which merges
records as the table's upsert does."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from domain.actors import Actor
from domain.read_log import (
    ContentRead,
    ReadRecord,
    ReadSource,
    kept_since,
    may_see_log,
    read_day,
)
from domain.services import read_log
from tests.unit.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
OTHER_ORG = uuid.UUID("00000000-0000-4000-8000-000000000002")
OWNER = uuid.UUID("00000000-0000-4000-8000-00000000000a")
GIVER = uuid.UUID("00000000-0000-4000-8000-00000000000b")
STEWARD = uuid.UUID("00000000-0000-4000-8000-00000000000c")
MENTOR = uuid.UUID("00000000-0000-4000-8000-00000000000d")
GOAL = uuid.UUID("00000000-0000-4000-8000-0000000000c1")
ITEM = uuid.UUID("00000000-0000-4000-8000-0000000000f1")
REQUEST = uuid.UUID("00000000-0000-4000-8000-0000000000f2")

GOAL_READ = ContentRead(ReadSource.GOAL, GOAL, OWNER)
ITEM_READ = ContentRead(ReadSource.FEEDBACK_ITEM, ITEM, OWNER, author_id=GIVER)
RESULTS_READ = ContentRead(ReadSource.FEEDBACK_RESULTS, REQUEST, OWNER)


def reader(person_id: UUID, organization_id: UUID = ORG) -> Actor:
    return Actor(person_id=person_id, organization_id=organization_id)


# -- the rules -------------------------------------------------------------------------


def test_everyone_but_the_owner_and_the_giver_is_a_reader() -> None:
    assert GOAL_READ.recorded_for(STEWARD)
    assert not GOAL_READ.recorded_for(OWNER)
    assert ITEM_READ.recorded_for(STEWARD)
    assert not ITEM_READ.recorded_for(OWNER)
    assert not ITEM_READ.recorded_for(GIVER)
    assert RESULTS_READ.recorded_for(GIVER)  # an invitee reading shared results


def test_a_read_counts_on_its_utc_day() -> None:
    berlin_midnight = datetime.fromisoformat("2026-03-03T00:30:00+01:00")
    assert read_day(berlin_midnight) == date(2026, 3, 2)
    assert read_day(datetime.fromisoformat("2026-03-02T23:59:59+00:00")) == date(2026, 3, 2)
    assert read_day(datetime.fromisoformat("2026-03-02T20:00:00-05:00")) == date(2026, 3, 3)


def test_retention_keeps_the_last_days_today_included() -> None:
    assert kept_since(NOW, 1) == date(2026, 3, 2)
    assert kept_since(NOW, 7) == date(2026, 2, 24)
    assert kept_since(NOW, 365) == date(2025, 3, 3)


def test_only_the_owner_sees_the_log() -> None:
    assert may_see_log(OWNER, OWNER)
    for viewer in (STEWARD, GIVER, MENTOR):
        assert not may_see_log(OWNER, viewer)


# -- recording -------------------------------------------------------------------------


async def test_a_request_adds_one_read_per_item_and_leaves_out_its_own_items() -> None:
    factory = FakeUnitOfWorkFactory()
    async with factory(ORG) as uow:
        recorded = await read_log.record(
            uow.read_log,
            reader(STEWARD),
            [GOAL_READ, ITEM_READ, GOAL_READ, RESULTS_READ],
            now=NOW,
        )
        assert recorded == 3
        assert await read_log.record(uow.read_log, reader(OWNER), [GOAL_READ], now=NOW) == 0
        assert await read_log.record(uow.read_log, reader(GIVER), [ITEM_READ], now=NOW) == 0
        await uow.commit()
    assert factory.db.tables.read_log == {
        (source, STEWARD, NOW.date()): ReadRecord(
            organization_id=ORG,
            source=kind,
            source_id=source,
            owner_id=OWNER,
            reader_id=STEWARD,
            day=NOW.date(),
            last_read_at=NOW,
            read_count=1,
        )
        for kind, source in [
            (ReadSource.GOAL, GOAL),
            (ReadSource.FEEDBACK_ITEM, ITEM),
            (ReadSource.FEEDBACK_RESULTS, REQUEST),
        ]
    }


async def test_reads_add_up_per_reader_and_day() -> None:
    factory = FakeUnitOfWorkFactory()
    later, tomorrow = NOW + timedelta(hours=3), NOW + timedelta(days=1)
    async with factory(ORG) as uow:
        for at in (NOW, later, tomorrow):
            await read_log.record(uow.read_log, reader(STEWARD), [GOAL_READ], now=at)
        await read_log.record(uow.read_log, reader(MENTOR), [GOAL_READ], now=NOW)
        await uow.commit()
    rows = factory.db.tables.read_log
    assert {(k[1], k[2]): (r.read_count, r.last_read_at) for k, r in rows.items()} == {
        (STEWARD, NOW.date()): (2, later),
        (STEWARD, tomorrow.date()): (1, tomorrow),
        (MENTOR, NOW.date()): (1, NOW),
    }


async def test_a_request_with_nothing_to_record_writes_nothing() -> None:
    class Refusing:
        async def add(self, records: object) -> None:
            raise AssertionError("nothing to write")

        async def remove_before(self, day: date) -> int:
            raise AssertionError("not here")

    assert await read_log.record(Refusing(), reader(OWNER), [GOAL_READ, ITEM_READ], now=NOW) == 0
    assert await read_log.record(Refusing(), reader(STEWARD), [], now=NOW) == 0


async def test_records_are_written_in_the_order_of_their_items() -> None:
    """So that simultaneous requests of one reader lock rows in the same order."""
    written: list[list[UUID]] = []

    class Capturing:
        async def add(self, records: list[ReadRecord]) -> None:
            written.append([r.source_id for r in records])

        async def remove_before(self, day: date) -> int:
            return 0

    await read_log.record(
        Capturing(), reader(STEWARD), [RESULTS_READ, GOAL_READ, ITEM_READ], now=NOW
    )
    await read_log.record(
        Capturing(), reader(STEWARD), [ITEM_READ, RESULTS_READ, GOAL_READ], now=NOW
    )
    assert written == [sorted([GOAL, ITEM, REQUEST])] * 2


# -- retention -------------------------------------------------------------------------


async def test_the_job_pass_removes_the_organizations_records_past_retention() -> None:
    factory = FakeUnitOfWorkFactory()
    year_ago, recent = NOW - timedelta(days=365), NOW - timedelta(days=364)
    async with factory(ORG) as uow:
        await read_log.record(uow.read_log, reader(STEWARD), [GOAL_READ], now=year_ago)
        await read_log.record(uow.read_log, reader(STEWARD), [ITEM_READ], now=recent)
        await uow.commit()
    async with factory(OTHER_ORG) as uow:
        elsewhere = ContentRead(ReadSource.GOAL, uuid.uuid4(), MENTOR)
        await read_log.record(uow.read_log, reader(STEWARD, OTHER_ORG), [elsewhere], now=year_ago)
        await uow.commit()

    async with factory(ORG) as uow:
        assert await read_log.remove_expired(uow, now=NOW, retention_days=365) == 1
        await uow.commit()
    assert sorted((r.organization_id, r.day) for r in factory.db.tables.read_log.values()) == [
        (ORG, recent.date()),
        (OTHER_ORG, year_ago.date()),
    ]
