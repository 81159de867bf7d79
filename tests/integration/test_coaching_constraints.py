"""No double booking is the database's own rule: coach session rows written
with SQLAlchemy Core, bypassing the domain, are refused by the exclusion
constraints (a coach's sessions with their buffers never overlap, nor do a
coachee's sessions) and the check constraints; a refusal translates to the
typed error the domain gives. Cancelled sessions block nothing, and
sessions that merely touch are fine."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.coaching import SessionStatus
from domain.errors import Conflict
from domain.relationships import RelationshipKind, RelationshipStatus
from persistence.integrity import constraint_name, translate
from persistence.tables import coach_sessions, relationships
from tests.integration.test_constraints import NOW, _insert, _organization, _person, _refused

COACH_TIME = "ex_coach_sessions_coach_time"
COACHEE_TIME = "ex_coach_sessions_coachee_time"
NINE = datetime.fromisoformat("2026-03-06T09:00:00+00:00")
HOUR = timedelta(hours=1)
BUFFER = timedelta(minutes=15)


class Org:
    """An organization with people and the coaching relationships between them."""

    def __init__(self, engine: AsyncEngine, org_id: uuid.UUID) -> None:
        self.engine = engine
        self.id = org_id
        self._relationships: dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID] = {}

    @classmethod
    async def create(cls, engine: AsyncEngine) -> Org:
        return cls(engine, await _organization(engine, "acme"))

    async def person(self, handle: str) -> uuid.UUID:
        return await _person(self.engine, self.id, handle)

    async def relationship(self, coach: uuid.UUID, coachee: uuid.UUID) -> uuid.UUID:
        if (coach, coachee) not in self._relationships:
            self._relationships[coach, coachee] = await _insert(
                self.engine,
                relationships,
                organization_id=self.id,
                kind=RelationshipKind.COACHING,
                leader_id=coach,
                follower_id=coachee,
                proposed_by_id=coachee,
                proposed_at=NOW,
                status=RelationshipStatus.ACTIVE,
                started_at=NOW,
            )
        return self._relationships[coach, coachee]

    async def values(
        self,
        coach: uuid.UUID,
        coachee: uuid.UUID,
        starts_at: datetime,
        *,
        length: timedelta = HOUR,
        buffer: timedelta = timedelta(0),
        status: SessionStatus = SessionStatus.BOOKED,
        **extra: Any,
    ) -> dict[str, Any]:
        """A coach session row; a cancelled one says when and by whom, a
        recorded one when."""
        values: dict[str, Any] = {
            "id": uuid.uuid4(),
            "organization_id": self.id,
            "coach_id": coach,
            "coachee_id": coachee,
            "relationship_id": await self.relationship(coach, coachee),
            "starts_at": starts_at,
            "ends_at": starts_at + length,
            "blocked_until": starts_at + length + buffer,
            "booked_at": NOW,
            "status": status,
        }
        if status is SessionStatus.CANCELLED:
            values.update(cancelled_at=NOW, cancelled_by_id=coachee)
        if status in (SessionStatus.HELD, SessionStatus.NO_SHOW):
            values.update(recorded_at=starts_at + length)
        values.update(extra)
        return values

    async def session(self, *args: Any, **kwargs: Any) -> uuid.UUID:
        return await _insert(self.engine, coach_sessions, **await self.values(*args, **kwargs))

    async def refused(self, *args: Any, **kwargs: Any) -> IntegrityError:
        values = await self.values(*args, **kwargs)
        return await _refused(self.engine, coach_sessions.insert().values(**values))


def translates_to(error: IntegrityError, code: str) -> None:
    conflict = translate(error)
    assert isinstance(conflict, Conflict)
    assert (conflict.code, conflict.field) == (code, "startsAt")


async def count_sessions(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return (
            await conn.execute(sa.select(sa.func.count()).select_from(coach_sessions))
        ).scalar_one()


async def test_two_sessions_of_one_coach_never_overlap(engine: AsyncEngine) -> None:
    org = await Org.create(engine)
    coach, ann, bob = [await org.person(h) for h in ("coach", "ann", "bob")]
    await org.session(coach, ann, NINE)

    for start in (NINE, NINE + timedelta(minutes=30), NINE - timedelta(minutes=59)):
        error = await org.refused(coach, bob, start)
        assert constraint_name(error) == COACH_TIME
        translates_to(error, "SLOT_TAKEN")
    # A longer session around it, too.
    error = await org.refused(coach, bob, NINE - HOUR, length=3 * HOUR)
    assert constraint_name(error) == COACH_TIME
    assert await count_sessions(engine) == 1


async def test_a_coachs_buffer_belongs_to_the_session_before_it(engine: AsyncEngine) -> None:
    org = await Org.create(engine)
    coach, ann, bob = [await org.person(h) for h in ("coach", "ann", "bob")]
    # 09:00-10:00, the coach kept free until 10:15.
    await org.session(coach, ann, NINE, buffer=BUFFER)

    for start in (NINE + HOUR, NINE + HOUR + timedelta(minutes=14)):
        error = await org.refused(coach, bob, start)
        assert constraint_name(error) == COACH_TIME
        translates_to(error, "SLOT_TAKEN")
    # Where the buffer ends, the next session may start.
    await org.session(coach, bob, NINE + HOUR + BUFFER, buffer=BUFFER)
    # And the buffer of a session before does not reach into the next one:
    # 07:45-08:45 plus 15 minutes ends exactly at 09:00.
    await org.session(coach, bob, NINE - HOUR - BUFFER, buffer=BUFFER)
    assert await count_sessions(engine) == 3


async def test_two_sessions_of_one_coachee_never_overlap(engine: AsyncEngine) -> None:
    org = await Org.create(engine)
    coach_a, coach_b, ann = [await org.person(h) for h in ("anna", "bert", "ann")]
    await org.session(coach_a, ann, NINE, buffer=BUFFER)

    for start in (NINE, NINE + timedelta(minutes=30), NINE - timedelta(minutes=30)):
        error = await org.refused(coach_b, ann, start)
        assert constraint_name(error) == COACHEE_TIME
        translates_to(error, "OVERLAPPING_SESSION")
    # The coach's buffer is the coach's: the coachee is free when the session ends.
    await org.session(coach_b, ann, NINE + HOUR)
    assert await count_sessions(engine) == 2


async def test_sessions_that_touch_or_involve_other_people_are_fine(engine: AsyncEngine) -> None:
    org = await Org.create(engine)
    coach_a, coach_b, ann, bob = [await org.person(h) for h in ("anna", "bert", "ann", "bob")]
    await org.session(coach_a, ann, NINE)
    await org.session(coach_a, bob, NINE + HOUR)  # right after, same coach
    await org.session(coach_a, ann, NINE - HOUR)  # right before, same coach and coachee
    await org.session(coach_b, bob, NINE)  # same time, other coach and coachee
    await org.session(coach_b, ann, NINE + HOUR, length=timedelta(minutes=30))
    assert await count_sessions(engine) == 5


async def test_a_cancelled_session_blocks_nothing(engine: AsyncEngine) -> None:
    org = await Org.create(engine)
    coach_a, coach_b, ann, bob = [await org.person(h) for h in ("anna", "bert", "ann", "bob")]
    cancelled = await org.session(coach_a, ann, NINE, buffer=BUFFER)
    async with engine.begin() as conn:
        await conn.execute(
            coach_sessions.update()
            .where(coach_sessions.c.id == cancelled)
            .values(status=SessionStatus.CANCELLED, cancelled_at=NOW, cancelled_by_id=ann)
        )
    await org.session(coach_a, bob, NINE)  # the coach's slot
    await org.session(coach_b, ann, NINE)  # the coachee's time
    # Several cancelled sessions may share one time.
    await org.session(coach_a, ann, NINE, status=SessionStatus.CANCELLED)

    # Taking it back into the booked state is refused: the slot is taken.
    error = await _refused(
        engine,
        coach_sessions.update()
        .where(coach_sessions.c.id == cancelled)
        .values(status=SessionStatus.BOOKED, cancelled_at=None, cancelled_by_id=None),
    )
    assert constraint_name(error) in (COACH_TIME, COACHEE_TIME)


@pytest.mark.parametrize("status", [SessionStatus.HELD, SessionStatus.NO_SHOW])
async def test_a_recorded_session_still_takes_its_time(
    engine: AsyncEngine, status: SessionStatus
) -> None:
    org = await Org.create(engine)
    coach_a, coach_b, ann, bob = [await org.person(h) for h in ("anna", "bert", "ann", "bob")]
    await org.session(coach_a, ann, NINE, status=status)
    assert constraint_name(await org.refused(coach_a, bob, NINE)) == COACH_TIME
    assert constraint_name(await org.refused(coach_b, ann, NINE)) == COACHEE_TIME


async def test_moving_a_session_onto_another_is_refused(engine: AsyncEngine) -> None:
    org = await Org.create(engine)
    coach, ann, bob = [await org.person(h) for h in ("coach", "ann", "bob")]
    await org.session(coach, ann, NINE)
    later = await org.session(coach, bob, NINE + 2 * HOUR)
    start = NINE + timedelta(minutes=30)
    error = await _refused(
        engine,
        coach_sessions.update()
        .where(coach_sessions.c.id == later)
        .values(starts_at=start, ends_at=start + HOUR, blocked_until=start + HOUR),
    )
    assert constraint_name(error) == COACH_TIME
    translates_to(error, "SLOT_TAKEN")


async def test_concurrent_overlapping_inserts_leave_one(engine: AsyncEngine) -> None:
    """Two transactions insert overlapping sessions of one coach: the second
    waits for the first, and is refused once the first commits."""
    org = await Org.create(engine)
    coach, ann, bob = [await org.person(h) for h in ("coach", "ann", "bob")]
    first = await org.values(coach, ann, NINE)
    second = await org.values(coach, bob, NINE + timedelta(minutes=30))

    async with engine.connect() as one, engine.connect() as two:
        await one.begin()
        await one.execute(coach_sessions.insert().values(**first))
        await two.begin()
        waiting = asyncio.create_task(two.execute(coach_sessions.insert().values(**second)))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # it waits for the first transaction
        await one.commit()
        with pytest.raises(IntegrityError) as refused:
            await waiting
        await two.rollback()
    assert constraint_name(refused.value) == COACH_TIME
    assert await count_sessions(engine) == 1


async def test_a_session_with_oneself_is_refused(engine: AsyncEngine) -> None:
    org = await Org.create(engine)
    coach = await org.person("coach")
    # The relationship itself cannot be with oneself either; point the row at
    # another pair's relationship to reach the session's own check.
    other = await org.person("ann")
    values = await org.values(coach, other, NINE)
    values["coachee_id"] = coach
    error = await _refused(engine, coach_sessions.insert().values(**values))
    assert constraint_name(error) == "ck_coach_sessions_not_with_oneself"


@pytest.mark.parametrize(
    ("ends", "blocked"),
    [
        (NINE - HOUR, NINE),  # ends before it starts
        (NINE, NINE),  # ends as it starts
        (NINE + HOUR, NINE + timedelta(minutes=30)),  # buffer ends before the session
    ],
)
async def test_times_out_of_order_are_refused(
    engine: AsyncEngine, ends: datetime, blocked: datetime
) -> None:
    org = await Org.create(engine)
    coach, ann = await org.person("coach"), await org.person("ann")
    error = await org.refused(coach, ann, NINE, ends_at=ends, blocked_until=blocked)
    assert constraint_name(error) == "ck_coach_sessions_times_in_order"
    assert await count_sessions(engine) == 0


async def test_status_and_its_timestamps_agree(engine: AsyncEngine) -> None:
    org = await Org.create(engine)
    coach, ann = await org.person("coach"), await org.person("ann")
    error = await org.refused(
        coach, ann, NINE, status=SessionStatus.CANCELLED, cancelled_by_id=None
    )
    assert constraint_name(error) == "ck_coach_sessions_cancelled_iff_by_whom"
    error = await org.refused(coach, ann, NINE, cancelled_at=NOW, cancelled_by_id=ann)
    assert constraint_name(error) == "ck_coach_sessions_cancelled_iff_by_whom"
    error = await org.refused(coach, ann, NINE, status=SessionStatus.HELD, recorded_at=None)
    assert constraint_name(error) == "ck_coach_sessions_recorded_iff_outcome"
    assert await count_sessions(engine) == 0
