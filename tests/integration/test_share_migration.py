"""Migration 0009 on a database with data: existing goal shares with "the
steward" go to the steward of their time, mentor shares to the mentorship
they were made in, a share made with no steward is taken back (it never
reached anyone under the new rule); feedback shares keep their
relationship, now with its kind; goals abandoned without a note get one.
Then back down to 0008 and up again."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from persistence import migrate

if TYPE_CHECKING:
    from tests.database import TestServer

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


@pytest.fixture
async def url_at_0008(pg: TestServer) -> AsyncIterator[str]:
    name = pg.next_name()
    url = await pg.create_empty(name)
    await asyncio.to_thread(migrate.upgrade, url, "0008")
    try:
        yield url
    finally:
        await pg.drop(name)


async def _execute(url: str, *statements: tuple[str, dict[str, Any]]) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for statement, params in statements:
                await conn.execute(sa.text(statement), params)
    finally:
        await engine.dispose()


async def _rows(url: str, query: str) -> dict[Any, Any]:
    """The rows of `query` by their first column."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return {row[0]: tuple(row[1:]) for row in await conn.execute(sa.text(query))}
    finally:
        await engine.dispose()


class Ids:
    def __init__(self) -> None:
        self.values: dict[str, uuid.UUID] = {}

    def __getattr__(self, name: str) -> uuid.UUID:
        return self.values.setdefault(name, uuid.uuid4())


async def _seed(url: str) -> Ids:
    """Ada was stewarded by Olga (days 1-10), then by Nina (from day 10,
    a handover); Mia mentors her from day 2; nobody stewarded her before
    day 1. Her goals were shared at various times."""
    i = Ids()
    person = (
        "INSERT INTO people (id, organization_id, name, handle, email, timezone, status,"
        " created_at) VALUES (:id, :org, :name, :name, :name || '@x.example', 'UTC',"
        " 'ACTIVE', :at)"
    )
    relationship = (
        "INSERT INTO relationships (id, organization_id, kind, leader_id, follower_id,"
        " proposed_by_id, proposed_at, status, started_at, ended_at, end_reason)"
        " VALUES (:id, :org, :kind, :leader, :ada, :ada, :started, :status, :started,"
        " :ended, :reason)"
    )
    goal = (
        "INSERT INTO goals (id, organization_id, owner_id, title, stage, status, status_note,"
        " created_at, abandoned_at) VALUES (:id, :org, :ada, 'A goal', 'TASKS', :status, :note,"
        " :at, :abandoned)"
    )
    share = (
        "INSERT INTO goal_shares (id, organization_id, goal_id, audience, person_id,"
        " created_at, revoked_at) VALUES (:id, :org, :goal, :audience, :person, :at, :revoked)"
    )
    org = {"org": i.org}
    await _execute(
        url,
        (
            "INSERT INTO organizations (id, name, slug, created_at) VALUES (:org, 'Acme', 'acme', :at)",
            {**org, "at": T0},
        ),
        *(
            (person, {**org, "id": getattr(i, name), "name": name, "at": T0})
            for name in ("ada", "olga", "nina", "mia")
        ),
        *(
            (
                relationship,
                {
                    **org,
                    "id": rel_id,
                    "kind": kind,
                    "leader": leader,
                    "ada": i.ada,
                    "started": started,
                    "status": status,
                    "ended": ended,
                    "reason": reason,
                },
            )
            for rel_id, kind, leader, started, status, ended, reason in (
                (i.olgas, "STEWARDSHIP", i.olga, day(1), "ENDED", day(10), "HANDED_OVER"),
                (i.ninas, "STEWARDSHIP", i.nina, day(10), "ACTIVE", None, None),
                (i.mias, "MENTORSHIP", i.mia, day(2), "ACTIVE", None, None),
            )
        ),
        *(
            (
                goal,
                {
                    **org,
                    "id": goal_id,
                    "ada": i.ada,
                    "status": status,
                    "note": note,
                    "at": T0,
                    "abandoned": day(3) if status == "ABANDONED" else None,
                },
            )
            for goal_id, status, note in (
                (i.goal, "ACTIVE", ""),
                (i.dropped, "ABANDONED", ""),
                (i.dropped_with_note, "ABANDONED", "Priorities changed."),
            )
        ),
        *(
            (
                share,
                {
                    **org,
                    "id": share_id,
                    "goal": i.goal,
                    "audience": audience,
                    "person": person_id,
                    "at": at,
                    "revoked": revoked,
                },
            )
            for share_id, audience, person_id, at, revoked in (
                (i.olgas_time, "STEWARD", None, day(5), None),
                (i.revoked_in_olgas_time, "STEWARD", None, day(4), day(6)),
                (i.to_mia, "MENTOR", i.mia, day(3), None),
                (i.to_everyone, "ORGANIZATION", None, day(3), None),
            )
        ),
    )
    # Feedback Mia gave Ada, shared with Olga as her steward then.
    await _execute(
        url,
        (
            "INSERT INTO feedback_items (id, organization_id, subject_id, giver_id, text,"
            " created_at) VALUES (:id, :org, :ada, :mia, 'Clear notes.', :at)",
            {**org, "id": i.item, "ada": i.ada, "mia": i.mia, "at": day(4)},
        ),
        (
            "INSERT INTO feedback_shares (id, organization_id, owner_id, item_id, audience,"
            " person_id, relationship_id, created_at) VALUES (:id, :org, :ada, :item,"
            " 'STEWARD', :olga, :olgas, :at)",
            {
                **org,
                "id": i.item_to_olga,
                "ada": i.ada,
                "item": i.item,
                "olga": i.olga,
                "olgas": i.olgas,
                "at": day(5),
            },
        ),
    )
    # Two more steward shares, on other goals (one active steward share per
    # goal was allowed before): one in Nina's time, one before any steward.
    for goal_id, share_id, at in (
        (i.other_goal, i.ninas_time, day(12)),
        (i.early_goal, i.before_any_steward, T0),
    ):
        await _execute(
            url,
            (
                goal,
                {
                    **org,
                    "id": goal_id,
                    "ada": i.ada,
                    "status": "ACTIVE",
                    "note": "",
                    "at": T0,
                    "abandoned": None,
                },
            ),
            (
                share,
                {
                    **org,
                    "id": share_id,
                    "goal": goal_id,
                    "audience": "STEWARD",
                    "person": None,
                    "at": at,
                    "revoked": None,
                },
            ),
        )
    return i


SHARES = (
    "SELECT id, audience, person_id, relationship_id, owner_id, revoked_at IS NULL,"
    " relationship_kind FROM goal_shares"
)
FEEDBACK_SHARES = (
    "SELECT id, audience, person_id, relationship_id, relationship_kind FROM feedback_shares"
)


async def test_existing_shares_go_to_the_person_of_their_time(url_at_0008: str) -> None:
    url = url_at_0008
    i = await _seed(url)

    await asyncio.to_thread(migrate.upgrade, url, "0009")

    shares = await _rows(url, SHARES)
    stewardship, mentorship = "STEWARDSHIP", "MENTORSHIP"
    assert shares == {
        # Made in Olga's stewardship: hers, ended with it (it reaches nobody).
        i.olgas_time: ("STEWARD", i.olga, i.olgas, i.ada, True, stewardship),
        i.revoked_in_olgas_time: ("STEWARD", i.olga, i.olgas, i.ada, False, stewardship),
        # Made in Nina's: Nina's.
        i.ninas_time: ("STEWARD", i.nina, i.ninas, i.ada, True, stewardship),
        # Made while Ada had no steward: it never reached anyone under this
        # rule, and the row does not say whom it was with: taken back.
        i.before_any_steward: ("STEWARD", None, None, i.ada, False, stewardship),
        i.to_mia: ("MENTOR", i.mia, i.mias, i.ada, True, mentorship),
        i.to_everyone: ("ORGANIZATION", None, None, i.ada, True, None),
    }
    assert await _rows(url, FEEDBACK_SHARES) == {
        i.item_to_olga: ("STEWARD", i.olga, i.olgas, stewardship)
    }
    notes = await _rows(url, "SELECT id, status_note FROM goals WHERE status = 'ABANDONED'")
    assert notes == {
        i.dropped: ("(Abandoned before Trellis asked for a note.)",),
        i.dropped_with_note: ("Priorities changed.",),
    }

    # Down again: steward shares name nobody, those whose stewardship ended
    # are revoked (as the old code did when it ended); then up once more.
    await _execute(
        url,
        (
            "INSERT INTO goal_shares (id, organization_id, goal_id, owner_id, audience,"
            " person_id, created_at) VALUES (:id, :org, :goal, :ada, 'PERSON', :olga, :at)",
            {
                "id": i.by_name,
                "org": i.org,
                "goal": i.goal,
                "ada": i.ada,
                "olga": i.olga,
                "at": day(13),
            },
        ),
    )
    await asyncio.to_thread(migrate.downgrade, url, "0008")
    down = await _rows(url, "SELECT id, audience, person_id, revoked_at FROM goal_shares")
    assert i.by_name not in down  # the old schema has no shares with colleagues
    assert down[i.olgas_time] == ("STEWARD", None, day(10))
    assert down[i.ninas_time] == ("STEWARD", None, None)
    assert down[i.to_mia] == ("MENTOR", i.mia, None)
    assert down[i.to_everyone] == ("ORGANIZATION", None, None)
    feedback_down = await _rows(url, "SELECT id, relationship_id, revoked_at FROM feedback_shares")
    assert feedback_down == {i.item_to_olga: (i.olgas, day(10))}

    await asyncio.to_thread(migrate.upgrade, url, "0009")
    again = await _rows(url, SHARES)
    assert again[i.ninas_time] == ("STEWARD", i.nina, i.ninas, i.ada, True, stewardship)
    assert again[i.olgas_time] == ("STEWARD", i.olga, i.olgas, i.ada, False, stewardship)
    assert await _rows(url, FEEDBACK_SHARES) == {
        i.item_to_olga: ("STEWARD", i.olga, i.olgas, stewardship)
    }
