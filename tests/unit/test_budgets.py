"""The budget of operation cost (domain.budgets) on the in-memory store: a
leaky bucket that drains continuously, refuses what does not fit without
spending it, and says what is left and when to retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.budgets import (
    BucketLevel,
    BudgetPolicy,
    BudgetSubject,
    charge,
)
from domain.services.budgets import forget_idle, spend
from tests.unit.fakes import FakeBudgetStore

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
POLICY = BudgetPolicy(capacity=600)  # 10 per second
ADA = BudgetSubject.person(uuid4(), uuid4())


async def test_spending_fills_the_bucket_until_the_cost_does_not_fit() -> None:
    store = FakeBudgetStore()
    first = await spend(store, ADA, 400, POLICY, NOW)
    assert (first.admitted, first.remaining) == (True, 200)
    assert first.reset_at == NOW + timedelta(seconds=40)
    assert first.retry_after is None

    refused = await spend(store, ADA, 201, POLICY, NOW)
    assert not refused.admitted
    assert refused.remaining == 200, "a refused operation spends nothing"
    assert refused.retry_after == timedelta(seconds=1)  # 1 over, at 10 per second: rounded up

    exact = await spend(store, ADA, 200, POLICY, NOW)
    assert (exact.admitted, exact.remaining) == (True, 0)


async def test_the_bucket_drains_with_time_and_never_below_empty() -> None:
    store = FakeBudgetStore()
    await spend(store, ADA, 600, POLICY, NOW)
    assert not (await spend(store, ADA, 1, POLICY, NOW)).admitted

    after_ten_seconds = await spend(store, ADA, 100, POLICY, NOW + timedelta(seconds=10))
    assert after_ten_seconds.admitted
    assert after_ten_seconds.remaining == 0

    an_hour_later = await spend(store, ADA, 1, POLICY, NOW + timedelta(hours=1))
    assert an_hour_later.remaining == 599, "the bucket empties, it does not go below"


async def test_waiting_as_long_as_told_is_enough() -> None:
    store = FakeBudgetStore()
    await spend(store, ADA, 550, POLICY, NOW)
    refused = await spend(store, ADA, 333, POLICY, NOW)
    assert refused.retry_after is not None
    later = NOW + refused.retry_after
    assert (await spend(store, ADA, 333, POLICY, later)).admitted


async def test_a_clock_behind_drains_nothing() -> None:
    """Processes' clocks differ a little: an earlier moment after a later
    one must not count as time passed (nor fill the bucket)."""
    store = FakeBudgetStore()
    await spend(store, ADA, 300, POLICY, NOW)
    behind = await spend(store, ADA, 100, POLICY, NOW - timedelta(seconds=5))
    assert behind.remaining == 200
    after = await spend(store, ADA, 0, POLICY, NOW + timedelta(seconds=1))
    assert after.remaining == 210


async def test_callers_have_buckets_of_their_own() -> None:
    store = FakeBudgetStore()
    bob = BudgetSubject.person(uuid4(), uuid4())
    anonymous = BudgetSubject.address("203.0.113.7")
    await spend(store, ADA, 600, POLICY, NOW)
    assert (await spend(store, bob, 600, POLICY, NOW)).admitted
    assert (await spend(store, anonymous, 600, POLICY, NOW)).admitted


async def test_idle_buckets_are_forgotten_after_a_window() -> None:
    store = FakeBudgetStore()
    await spend(store, ADA, 10, POLICY, NOW)
    bob = BudgetSubject.person(uuid4(), uuid4())
    await spend(store, bob, 10, POLICY, NOW + timedelta(seconds=30))
    assert await forget_idle(store, POLICY, NOW + timedelta(seconds=61)) == 1
    assert set(store.buckets) == {bob}


def test_charge_reports_what_a_pour_left() -> None:
    admitted = charge(POLICY, 50, BucketLevel(level=125.5, admitted=True), NOW)
    assert admitted.remaining == 474
    assert admitted.reset_at == NOW + timedelta(seconds=13)
    refused = charge(POLICY, 500, BucketLevel(level=125.5, admitted=False), NOW)
    assert refused.retry_after == timedelta(seconds=3)  # 25.5 over: 2.55 s, rounded up


def test_a_subject_is_one_person_or_one_address() -> None:
    with pytest.raises(ValueError, match="one person or"):
        BudgetSubject()
    with pytest.raises(ValueError, match="one person or"):
        BudgetSubject(person_id=uuid4(), organization_id=uuid4(), client_address="1.2.3.4")
    with pytest.raises(ValueError, match="one person or"):
        BudgetSubject(person_id=uuid4())


def test_a_policy_needs_a_positive_capacity() -> None:
    with pytest.raises(ValueError, match="positive"):
        BudgetPolicy(capacity=0)
