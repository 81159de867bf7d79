"""Spending a caller's budget of operation cost (domain.budgets)."""

from __future__ import annotations

from datetime import datetime

from domain.budgets import BudgetPolicy, BudgetSubject, Charge, charge
from domain.ports import BudgetStore


async def spend(
    store: BudgetStore, subject: BudgetSubject, cost: int, policy: BudgetPolicy, now: datetime
) -> Charge:
    """Pours an operation's cost into its caller's bucket, or refuses it
    when it does not fit; either way the answer says what is left."""
    return charge(policy, cost, await store.pour(subject, cost, policy, now), now)


async def forget_idle(store: BudgetStore, policy: BudgetPolicy, now: datetime) -> int:
    """Removes buckets untouched for a whole window: they have drained
    empty, which is what a missing bucket means too."""
    return await store.forget_idle(now - policy.window)
