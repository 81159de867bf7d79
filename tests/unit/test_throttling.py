"""The throttle's policy (domain.throttling) and its use case on the
in-memory fakes, which refuse what the table's checks refuse."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import TooManyAttempts
from domain.services import throttling
from domain.throttling import (
    KNOWN_GOOD_FOR,
    LIMITS,
    LONGEST_DELAY,
    AttemptKeys,
    Counter,
    Outcome,
    Scope,
    ThrottleKey,
)
from tests.unit.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEYS = AttemptKeys(b"a secret of the server")
PAIR = LIMITS[Scope.SIGN_IN_ACCOUNT_CLIENT]
ACCOUNT = LIMITS[Scope.SIGN_IN_ACCOUNT]


# --- the policy -----------------------------------------------------------------


def test_every_limit_blocks_briefly_and_remembers_longer_than_it_blocks() -> None:
    for scope, limit in LIMITS.items():
        assert limit.cap <= LONGEST_DELAY, scope
        assert limit.window > limit.cap, scope  # or a block would outlive its count
        assert limit.free >= 1, scope
    assert LIMITS.keys() == set(Scope)


def test_delays_start_after_the_free_failures_double_and_stop_at_the_cap() -> None:
    delays = [PAIR.delay(n).total_seconds() for n in range(1, 20)]

    assert delays[: PAIR.free] == [0] * PAIR.free
    assert delays[PAIR.free :] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]
    assert PAIR.delay(10**6) == PAIR.cap


def test_a_failure_after_a_quiet_window_counts_as_the_first() -> None:
    key = KEYS.refresh("192.0.2.1").keys[0]
    counter = Counter(key)
    for n in range(12):
        counter = counter.failed(NOW + timedelta(seconds=n))
    assert counter.failures == 12

    later = counter.failed(NOW + LIMITS[Scope.REFRESH_CLIENT].window + timedelta(seconds=12))

    assert later.failures == 1
    assert later.blocked_until is None


def test_giving_a_reservation_back_lifts_the_block_it_made() -> None:
    counter = Counter(KEYS.sign_in("a@example.com", "192.0.2.1").keys[0])
    for _ in range(PAIR.free):
        counter = counter.failed(NOW)
    reserved = counter.failed(NOW)
    assert reserved.blocked(NOW)

    given_back = reserved.given_back()

    assert given_back.failures == PAIR.free
    assert not given_back.blocked(NOW)
    assert Counter(counter.key).given_back().failures == 0


def test_a_counter_expires_when_it_says_nothing_any_more() -> None:
    key = KEYS.sign_in("a@example.com", "192.0.2.1").keys[0]
    failed = Counter(key).failed(NOW)
    assert failed.expires_at == NOW + PAIR.window
    assert failed.succeeded(NOW).expires_at == NOW + KNOWN_GOOD_FOR


def test_keys_name_the_account_and_client_only_through_a_keyed_hash() -> None:
    attempt = KEYS.sign_in("  Ada@Example.COM ", "192.0.2.1")

    assert attempt == KEYS.sign_in("ada@example.com", "192.0.2.1")
    assert [key.scope for key in attempt.keys] == [
        Scope.SIGN_IN_ACCOUNT_CLIENT,
        Scope.SIGN_IN_ACCOUNT,
        Scope.SIGN_IN_CLIENT,
    ]
    assert attempt.trusted_by == attempt.keys[0]
    for key in attempt.keys:
        assert re.fullmatch("[0-9a-f]{64}", key.digest)
    other_server = AttemptKeys(b"another secret").sign_in("ada@example.com", "192.0.2.1")
    assert {k.digest for k in other_server.keys}.isdisjoint(k.digest for k in attempt.keys)
    # The same address is another key for another account, and for refresh.
    assert KEYS.sign_in("bob@example.com", "192.0.2.1").keys[2] == attempt.keys[2]
    assert KEYS.sign_in("bob@example.com", "192.0.2.1").keys[0] != attempt.keys[0]
    assert KEYS.refresh("192.0.2.1").keys[0].digest != attempt.keys[2].digest


# --- the use case on the fakes ----------------------------------------------------


async def test_an_attempt_is_refused_while_a_key_is_blocked_and_counts_nothing() -> None:
    uows = FakeUnitOfWorkFactory()
    attempt = KEYS.sign_in("ada@example.com", "192.0.2.1")
    for _ in range(PAIR.free + 1):
        await throttling.admit(uows, attempt, now=NOW)

    with pytest.raises(TooManyAttempts) as refused:
        await throttling.admit(uows, attempt, now=NOW + timedelta(milliseconds=300))

    assert refused.value.retry_at == NOW + timedelta(seconds=1)
    assert refused.value.retry_after == 1
    assert refused.value.code == "TOO_MANY_ATTEMPTS"
    counters = uows.db.tables.throttle_counters
    assert counters[attempt.keys[0]].failures == PAIR.free + 1
    await throttling.admit(uows, attempt, now=NOW + timedelta(seconds=1))
    assert counters[attempt.keys[0]].failures == PAIR.free + 2


async def test_a_success_forgives_its_client_and_gives_the_rest_back() -> None:
    uows = FakeUnitOfWorkFactory()
    attempt = KEYS.sign_in("ada@example.com", "192.0.2.1")
    for _ in range(3):
        await throttling.admit(uows, attempt, now=NOW)

    admission = await throttling.admit(uows, attempt, now=NOW)
    await throttling.settle(uows, admission, Outcome.SUCCEEDED, now=NOW)

    pair, account, client = (uows.db.tables.throttle_counters[k] for k in attempt.keys)
    assert (pair.failures, pair.last_success_at) == (0, NOW)
    assert (account.failures, account.last_success_at) == (3, None)
    assert (client.failures, client.last_success_at) == (3, None)


async def test_a_known_good_client_passes_a_blocked_account_and_leaves_it_alone() -> None:
    uows = FakeUnitOfWorkFactory()
    home = KEYS.sign_in("ada@example.com", "192.0.2.1")
    await throttling.settle(
        uows, await throttling.admit(uows, home, now=NOW), Outcome.SUCCEEDED, now=NOW
    )
    for n in range(ACCOUNT.free + 1):
        await throttling.admit(uows, KEYS.sign_in("ada@example.com", f"198.51.100.{n}"), now=NOW)
    with pytest.raises(TooManyAttempts):
        await throttling.admit(uows, KEYS.sign_in("ada@example.com", "198.51.100.99"), now=NOW)
    account_before = uows.db.tables.throttle_counters[home.keys[1]]

    admission = await throttling.admit(uows, home, now=NOW)
    await throttling.settle(uows, admission, Outcome.FAILED, now=NOW)

    assert admission.keys == (home.keys[0],)
    assert uows.db.tables.throttle_counters[home.keys[1]] == account_before
    assert uows.db.tables.throttle_counters[home.keys[0]].failures == 1


async def test_a_client_is_known_good_for_ninety_days() -> None:
    uows = FakeUnitOfWorkFactory()
    home = KEYS.sign_in("ada@example.com", "192.0.2.1")
    await throttling.settle(
        uows, await throttling.admit(uows, home, now=NOW), Outcome.SUCCEEDED, now=NOW
    )
    later = NOW + KNOWN_GOOD_FOR
    for n in range(ACCOUNT.free + 1):
        await throttling.admit(uows, KEYS.sign_in("ada@example.com", f"198.51.100.{n}"), now=later)

    with pytest.raises(TooManyAttempts):
        await throttling.admit(uows, home, now=later)


async def test_an_attempt_not_judged_gives_every_reservation_back() -> None:
    uows = FakeUnitOfWorkFactory()
    attempt = KEYS.invitation("192.0.2.1")
    for _ in range(40):
        admission = await throttling.admit(uows, attempt, now=NOW)
        await throttling.settle(uows, admission, Outcome.NOT_JUDGED, now=NOW)

    assert uows.db.tables.throttle_counters[attempt.keys[0]].failures == 0


async def test_expired_counters_are_removed_and_the_others_kept() -> None:
    uows = FakeUnitOfWorkFactory()
    home = KEYS.sign_in("ada@example.com", "192.0.2.1")
    await throttling.settle(
        uows, await throttling.admit(uows, home, now=NOW), Outcome.SUCCEEDED, now=NOW
    )
    await throttling.admit(uows, KEYS.refresh("192.0.2.2"), now=NOW)

    removed = await throttling.remove_expired(uows, now=NOW + timedelta(days=2))

    assert removed == 3
    assert list(uows.db.tables.throttle_counters) == [home.keys[0]]
    assert await throttling.remove_expired(uows, now=NOW + KNOWN_GOOD_FOR + timedelta(1)) == 1


@pytest.mark.parametrize(
    ("counter", "check"),
    [
        (
            Counter(ThrottleKey(Scope.REFRESH_CLIENT, "0" * 64), failures=-1),
            "failures_not_negative",
        ),
        (
            Counter(ThrottleKey(Scope.REFRESH_CLIENT, "0" * 64), failures=2),
            "failures_have_a_last_one",
        ),
        (
            Counter(
                ThrottleKey(Scope.REFRESH_CLIENT, "0" * 64),
                failures=40,
                last_failure_at=NOW,
                blocked_until=NOW + LONGEST_DELAY + timedelta(seconds=1),
            ),
            "blocked_briefly_after_a_failure",
        ),
        (
            Counter(ThrottleKey(Scope.SIGN_IN_ACCOUNT, "0" * 64), last_success_at=NOW),
            "success_only_at_account_and_client",
        ),
    ],
)
async def test_the_fakes_refuse_what_the_table_refuses(counter: Counter, check: str) -> None:
    uows = FakeUnitOfWorkFactory()
    async with uows() as uow:
        with pytest.raises(RuntimeError, match=check):
            await uow.throttle.save([counter])
