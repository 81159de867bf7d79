"""Migration 0011 on a database with data: membership is backfilled from
invitations and accounts, closed anonymous requests keep their release only
where k answers count by the new rule, and declines and removals get the
latest time known before them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from persistence import migrate

if TYPE_CHECKING:
    from tests.database import TestServer

REVISION = "0011"
T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
ASKED = T0 + timedelta(days=200)
DUE = ASKED + timedelta(days=7)


@pytest.fixture
async def url(pg: TestServer) -> AsyncIterator[str]:
    name = pg.next_name()
    url = await pg.create_empty(name)
    try:
        yield url
    finally:
        await pg.drop(name)


def _before() -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config("postgresql://unused"))
    down = script.get_revision(REVISION).down_revision
    assert isinstance(down, str)
    return down


async def _run(url: str, statements: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return [await _execute(conn, sql, params) for sql, params in statements]
    finally:
        await engine.dispose()


async def _execute(conn: AsyncConnection, sql: str, params: dict[str, Any]) -> Any:
    result = await conn.execute(sa.text(sql), params)
    return result.all() if result.returns_rows else None


class Data:
    """Rows as the schema before 0011 holds them."""

    def __init__(self) -> None:
        self.org = uuid.uuid4()
        self.statements: list[tuple[str, dict[str, Any]]] = [
            (
                "INSERT INTO organizations (id, name, slug, created_at) VALUES (:id, 'A', 'a', :t)",
                {"id": self.org, "t": T0},
            )
        ]

    def person(self, handle: str, *, account: bool = True) -> uuid.UUID:
        person_id = uuid.uuid4()
        self.statements.append(
            (
                "INSERT INTO people (id, organization_id, name, handle, email, timezone, status,"
                " created_at) VALUES (:id, :org, :h, :h, :h || '@x.test', 'UTC', 'ACTIVE', :t)",
                {"id": person_id, "org": self.org, "h": handle, "t": T0},
            )
        )
        if account:
            self.statements.append(
                (
                    "INSERT INTO accounts (id, organization_id, person_id, email, password_hash,"
                    " created_at) VALUES (:id, :org, :p, :e, 'x', :t)",
                    {"id": uuid.uuid4(), "org": self.org, "p": person_id, "e": handle, "t": T0},
                )
            )
        return person_id

    def invited(self, handle: str, by: uuid.UUID, accepted_at: datetime | None) -> uuid.UUID:
        person_id = self.person(handle, account=accepted_at is not None)
        self.statements.append(
            (
                "INSERT INTO invitations (id, organization_id, person_id, email, token_hash,"
                " invited_by_id, created_at, expires_at, accepted_at)"
                " VALUES (:id, :org, :p, :h, :h, :by, :t, :t, :acc)",
                {
                    "id": uuid.uuid4(),
                    "org": self.org,
                    "p": person_id,
                    "h": handle,
                    "by": by,
                    "t": T0,
                    "acc": accepted_at,
                },
            )
        )
        return person_id

    def closed_anonymous_request(
        self, requester: uuid.UUID, answerers: list[uuid.UUID]
    ) -> uuid.UUID:
        request_id, question_id = uuid.uuid4(), uuid.uuid4()
        self.statements += [
            (
                "INSERT INTO feedback_requests (id, organization_id, requester_id, topic,"
                " anonymity, anonymity_threshold, due_at, status, created_at, closed_at)"
                " VALUES (:id, :org, :r, 'T', 'ANONYMOUS', 3, :due, 'CLOSED', :t, :due)",
                {
                    "id": request_id,
                    "org": self.org,
                    "r": requester,
                    "t": ASKED,
                    "due": ASKED + timedelta(days=7),
                },
            ),
            (
                "INSERT INTO feedback_questions (id, organization_id, request_id, position, kind,"
                " prompt, required) VALUES (:id, :org, :r, 0, 'TEXT', 'Q', true)",
                {"id": question_id, "org": self.org, "r": request_id},
            ),
        ]
        for answerer in answerers:
            invitation_id = uuid.uuid4()
            self.statements += [
                (
                    "INSERT INTO feedback_invitations (id, organization_id, request_id, invitee_id,"
                    " status, created_at) VALUES (:id, :org, :r, :p, 'ANSWERED', :t)",
                    {
                        "id": invitation_id,
                        "org": self.org,
                        "r": request_id,
                        "p": answerer,
                        "t": ASKED,
                    },
                ),
                (
                    "INSERT INTO feedback_answers (id, organization_id, invitation_id,"
                    " question_id, text) VALUES (:id, :org, :i, :q, 'words')",
                    {"id": uuid.uuid4(), "org": self.org, "i": invitation_id, "q": question_id},
                ),
            ]
        return request_id

    def open_request(
        self, requester: uuid.UUID, invitations: list[tuple[uuid.UUID, str, datetime | None]]
    ) -> list[uuid.UUID]:
        """An open anonymous request asking (invitee, status, reminded_at)."""
        request_id = uuid.uuid4()
        self.statements.append(
            (
                "INSERT INTO feedback_requests (id, organization_id, requester_id, topic,"
                " anonymity, anonymity_threshold, due_at, status, created_at)"
                " VALUES (:id, :org, :r, 'T', 'ANONYMOUS', 3, :due, 'OPEN', :t)",
                {"id": request_id, "org": self.org, "r": requester, "t": ASKED, "due": DUE},
            )
        )
        ids = []
        for invitee, status, reminded_at in invitations:
            ids.append(uuid.uuid4())
            self.statements.append(
                (
                    "INSERT INTO feedback_invitations (id, organization_id, request_id,"
                    " invitee_id, status, created_at, reminded_at)"
                    " VALUES (:id, :org, :r, :p, :s, :t, :rem)",
                    {
                        "id": ids[-1],
                        "org": self.org,
                        "r": request_id,
                        "p": invitee,
                        "s": status,
                        "t": ASKED,
                        "rem": reminded_at,
                    },
                )
            )
        return ids


async def test_declines_and_removals_get_the_latest_time_known_before_them(url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, url, _before())
    data = Data()
    requester, one, two, three, four, five = (data.person(h) for h in "rabcde")
    reminded = DUE - timedelta(days=1)
    declined, declined_reminded, removed, removed_reminded, answered = data.open_request(
        requester,
        [
            (one, "DECLINED", None),
            (two, "DECLINED", reminded),
            (three, "REMOVED", None),
            (four, "REMOVED", reminded),
            (five, "ANSWERED", None),
        ],
    )
    await _run(url, data.statements)

    await asyncio.to_thread(migrate.upgrade, url, REVISION)

    (rows,) = await _run(
        url, [("SELECT id, status, declined_at, removed_at FROM feedback_invitations", {})]
    )
    assert {row[0]: tuple(row[1:]) for row in rows} == {
        declined: ("DECLINED", ASKED, None),
        declined_reminded: ("DECLINED", reminded, None),
        removed: ("REMOVED", None, ASKED),
        removed_reminded: ("REMOVED", None, reminded),
        answered: ("ANSWERED", None, None),
    }

    # Removed from an anonymous request after answering, the answer stays;
    # back before 0011, where removing took answers out, it is REMOVED.
    await _run(
        url,
        [
            (
                "UPDATE feedback_invitations SET removed_at = :t WHERE id = :id",
                {"t": DUE - timedelta(hours=1), "id": answered},
            )
        ],
    )
    await asyncio.to_thread(migrate.downgrade, url, _before())
    (rows,) = await _run(
        url, [("SELECT status FROM feedback_invitations WHERE id = :id", {"id": answered})]
    )
    assert rows == [("REMOVED",)]


async def test_membership_and_releases_are_backfilled(url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, url, _before())
    data = Data()
    founder = data.person("founder")
    early = data.invited("early", founder, T0 + timedelta(days=1))
    late = data.invited("late", founder, ASKED - timedelta(days=3))
    pending = data.invited("pending", founder, None)
    by_early = data.invited("byearly", early, T0 + timedelta(days=2))
    direct = data.person("direct")
    fair = data.closed_anonymous_request(by_early, [founder, early, direct])
    filled = data.closed_anonymous_request(founder, [early, late, direct])
    await _run(url, data.statements)

    await asyncio.to_thread(migrate.upgrade, url, REVISION)

    (rows,) = await _run(url, [("SELECT id, member_since, invited_by_id FROM people", {})])
    people = {row[0]: (row[1], row[2]) for row in rows}
    assert people[founder] == (T0, None)  # no invitation: since their account
    assert people[direct] == (T0, None)
    assert people[early] == (T0 + timedelta(days=1), founder)
    assert people[late] == (ASKED - timedelta(days=3), founder)
    assert people[pending] == (None, founder)  # not a member until they accept
    assert people[by_early] == (T0 + timedelta(days=2), early)
    (rows,) = await _run(
        url, [("SELECT id, membership_days, released_at FROM feedback_requests", {})]
    )
    requests = {row[0]: (row[1], row[2]) for row in rows}
    assert requests[fair] == (30, ASKED + timedelta(days=7))
    # Founder asked: early (whom they invited) and late (new) do not count.
    assert requests[filled] == (30, None)

    await asyncio.to_thread(migrate.downgrade, url, _before())
    await asyncio.to_thread(migrate.upgrade, url, REVISION)
