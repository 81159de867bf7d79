"""Migration 0013 on a database with 1-on-1s in it: agenda items learn the
meeting they were first raised in along their carry-over chains, and of
scheduled meetings sharing a series and a moment the first stays scheduled
while the others are cancelled, so the new unique index holds."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from persistence import migrate
from tests.integration.test_migrations import empty_url  # noqa: F401 (a fixture)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
WEEK = timedelta(weeks=1)


async def test_the_backfill_follows_carry_over_chains_and_keeps_one_meeting_per_moment(
    empty_url: str,  # noqa: F811
) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_url, "0008")
    org, leader, follower, relationship, series = (uuid.uuid4() for _ in range(5))
    first, second, third, kept, dropped = (uuid.uuid4() for _ in range(5))
    raised, carried, carried_again, other = (uuid.uuid4() for _ in range(4))
    engine = create_async_engine(empty_url)
    try:
        async with engine.begin() as conn:

            async def insert(table: str, **values: object) -> None:
                columns = ", ".join(values)
                await conn.execute(
                    sa.text(f"INSERT INTO {table} ({columns}) VALUES (:{', :'.join(values)})"),
                    values,
                )

            await insert("organizations", id=org, name="Acme", slug="acme", created_at=NOW)
            for person, handle in ((leader, "lea"), (follower, "fred")):
                await insert(
                    "people",
                    id=person,
                    organization_id=org,
                    name=handle,
                    handle=handle,
                    email=f"{handle}@example.com",
                    timezone="UTC",
                    status="ACTIVE",
                    created_at=NOW,
                )
            await insert(
                "relationships",
                id=relationship,
                organization_id=org,
                kind="STEWARDSHIP",
                leader_id=leader,
                follower_id=follower,
                proposed_by_id=leader,
                proposed_at=NOW,
                status="ACTIVE",
                started_at=NOW,
            )
            await insert(
                "one_on_one_series",
                id=series,
                organization_id=org,
                relationship_id=relationship,
                timezone="UTC",
                created_by_id=leader,
                created_at=NOW,
            )
            for person in (leader, follower):
                await insert(
                    "one_on_one_participants",
                    organization_id=org,
                    series_id=series,
                    person_id=person,
                )
            meetings = [
                (first, NOW, "HELD", NOW),
                (second, NOW + WEEK, "CANCELLED", NOW),
                (third, NOW + 2 * WEEK, "SCHEDULED", NOW),
                (kept, NOW + 3 * WEEK, "SCHEDULED", NOW),
                (dropped, NOW + 3 * WEEK, "SCHEDULED", NOW + timedelta(hours=1)),
            ]
            for meeting, at, status, created in meetings:
                await insert(
                    "one_on_one_meetings",
                    id=meeting,
                    organization_id=org,
                    series_id=series,
                    scheduled_at=at,
                    status=status,
                    created_at=created,
                    held_at=at if status == "HELD" else None,
                    cancelled_at=at if status == "CANCELLED" else None,
                )
            for item, meeting, source in (
                (raised, first, None),
                (carried, second, raised),
                (carried_again, third, carried),
                (other, third, None),
            ):
                await insert(
                    "agenda_items",
                    id=item,
                    organization_id=org,
                    series_id=series,
                    meeting_id=meeting,
                    author_id=leader,
                    text="An item",
                    position=0 if item != other else 1,
                    done=False,
                    created_at=NOW,
                    carried_from_id=source,
                )

        await asyncio.to_thread(migrate.upgrade, empty_url)

        async with engine.connect() as conn:
            firsts = dict(
                (await conn.execute(sa.text("SELECT id, first_meeting_id FROM agenda_items"))).all()
            )
            statuses = dict(
                (await conn.execute(sa.text("SELECT id, status FROM one_on_one_meetings"))).all()
            )
        assert firsts == {raised: first, carried: first, carried_again: first, other: third}
        assert statuses[kept] == "SCHEDULED"
        assert statuses[dropped] == "CANCELLED"
        assert statuses[third] == "SCHEDULED"

        # And back: the columns and indexes go, the data stays.
        await asyncio.to_thread(migrate.downgrade, empty_url, "0008")
        async with engine.connect() as conn:
            count = await conn.scalar(sa.text("SELECT count(*) FROM agenda_items"))
        assert count == 4
    finally:
        await engine.dispose()
