"""Throttle counters: the table's checks refuse rows the domain never
writes (rows written with SQLAlchemy Core, bypassing it), and the SQL
repository agrees with the in-memory fakes on the same attempts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import TooManyAttempts
from domain.ports import UnitOfWorkFactory
from domain.services import throttling
from domain.throttling import EXPIRED, LONGEST_DELAY, Attempt, AttemptKeys, Counter, Outcome, Scope
from persistence.database import create_session_factory
from persistence.integrity import constraint_name
from persistence.tables import throttle_counters
from persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.integration.test_constraints import NOW, _refused
from tests.unit.fakes import FakeUnitOfWorkFactory

DIGEST = "ab" * 32
KEYS = AttemptKeys(b"a secret of the server")


def _row(**overrides: Any) -> dict[str, Any]:
    row = {
        "scope": Scope.SIGN_IN_ACCOUNT_CLIENT,
        "key_digest": DIGEST,
        "failures": 6,
        "last_failure_at": NOW,
        "blocked_until": NOW + timedelta(seconds=1),
        "last_success_at": None,
        "expires_at": NOW + timedelta(hours=24),
    }
    row.update(overrides)
    return row


async def test_a_sound_row_is_accepted(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(throttle_counters.insert().values(**_row()))
        await conn.execute(
            throttle_counters.insert().values(
                **_row(
                    key_digest="cd" * 32,
                    failures=0,
                    last_failure_at=None,
                    blocked_until=None,
                    last_success_at=NOW,
                )
            )
        )


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"key_digest": "ada@example.com"}, "key_is_a_digest"),
        ({"key_digest": "AB" * 32}, "key_is_a_digest"),
        ({"failures": -1}, "failures_not_negative"),
        ({"last_failure_at": None, "blocked_until": None}, "failures_have_a_last_one"),
        (
            {"failures": 0, "last_failure_at": None},
            "blocked_briefly_after_a_failure",
        ),
        ({"blocked_until": NOW}, "blocked_briefly_after_a_failure"),
        (
            {"blocked_until": NOW + LONGEST_DELAY + timedelta(microseconds=1)},
            "blocked_briefly_after_a_failure",
        ),
        (
            {"scope": Scope.SIGN_IN_ACCOUNT, "last_success_at": NOW},
            "success_only_at_account_and_client",
        ),
        ({"expires_at": NOW}, "kept_while_blocked"),
    ],
)
async def test_the_table_refuses_what_the_domain_never_writes(
    engine: AsyncEngine, overrides: dict[str, Any], constraint: str
) -> None:
    refused = await _refused(engine, throttle_counters.insert().values(**_row(**overrides)))

    assert constraint_name(refused) == f"ck_throttle_counters_{constraint}"


async def test_the_longest_block_is_allowed(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            throttle_counters.insert().values(**_row(blocked_until=NOW + LONGEST_DELAY))
        )


async def test_one_counter_per_scope_and_key(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(throttle_counters.insert().values(**_row()))
        await conn.execute(
            throttle_counters.insert().values(**_row(scope=Scope.SIGN_IN_ACCOUNT, failures=1))
        )
    refused = await _refused(engine, throttle_counters.insert().values(**_row()))

    assert constraint_name(refused) == "pk_throttle_counters"


@pytest.fixture
def sql(engine: AsyncEngine) -> SqlAlchemyUnitOfWorkFactory:
    return SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))


async def _play(uows: UnitOfWorkFactory) -> list[object]:
    """Attempts of an owner at home, strangers and one address trying many
    accounts, settled in every way, with time passing; what each came to."""
    home = KEYS.sign_in("ada@example.com", "192.0.2.1")
    script: list[tuple[Attempt, Outcome, timedelta]] = [
        (home, Outcome.SUCCEEDED, timedelta(0)),
        *((home, Outcome.FAILED, timedelta(seconds=1)) for _ in range(7)),
        (home, Outcome.SUCCEEDED, timedelta(seconds=30)),
        *(
            (KEYS.sign_in("ada@example.com", f"198.51.100.{n}"), Outcome.FAILED, timedelta(0))
            for n in range(14)
        ),
        (KEYS.sign_in("ada@example.com", "198.51.100.99"), Outcome.SUCCEEDED, timedelta(0)),
        (home, Outcome.FAILED, timedelta(0)),
        *(
            (KEYS.sign_in(f"victim{n}@example.com", "203.0.113.5"), Outcome.FAILED, timedelta(0))
            for n in range(33)
        ),
        (KEYS.invitation("203.0.113.5"), Outcome.NOT_JUDGED, timedelta(0)),
        (KEYS.refresh("203.0.113.5"), Outcome.SUCCEEDED, timedelta(hours=2)),
    ]
    now = NOW
    seen: list[object] = []
    for attempt, outcome, wait in script:
        now += wait
        try:
            admission = await throttling.admit(uows, attempt, now=now)
        except TooManyAttempts as refused:
            seen.append(("refused", refused.retry_at))
            continue
        seen.append(("admitted", admission.keys))
        await throttling.settle(uows, admission, outcome, now=now)
    keys = {key for attempt, _, _ in script for key in attempt.keys}
    async with uows() as uow:
        counters = await uow.throttle.lock(list(keys))
        seen.append({key: counters[key] for key in keys if counters[key] != Counter(key)})
    seen.append(await throttling.remove_expired(uows, now=now + timedelta(days=1)))
    return seen


async def test_the_sql_repository_agrees_with_the_fakes(
    sql: SqlAlchemyUnitOfWorkFactory,
) -> None:
    played = await _play(sql)

    assert played == await _play(FakeUnitOfWorkFactory())
    assert played.count(("refused", NOW + timedelta(seconds=38))) == 6


async def test_locking_a_new_key_leaves_a_row_that_expires_at_once(
    sql: SqlAlchemyUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    """And so does the fakes' lock."""
    async with sql() as uow:
        counters = await uow.throttle.lock(KEYS.refresh("192.0.2.1").keys)
        await uow.commit()

    assert list(counters.values()) == [Counter(KEYS.refresh("192.0.2.1").keys[0])]
    assert await throttling.remove_expired(sql, now=EXPIRED + timedelta(seconds=1)) == 1
