"""The cost buckets in PostgreSQL agree with the in-memory store the unit
tests use: the same pours, at the same moments, leave the same levels and
admit the same operations. And the tables' rules are the database's own:
no negative level, a person's bucket in their own organization, an address
of a sane length."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.budgets import BudgetPolicy, BudgetSubject
from persistence.integrity import constraint_name
from persistence.repositories.budgets import SqlBudgetStore
from persistence.tables.budgets import address_cost_budgets, person_cost_budgets
from tests.integration.test_constraints import NOW, _organization, _person, _refused
from tests.unit.fakes import FakeBudgetStore

POLICY = BudgetPolicy(capacity=600)

# (seconds after NOW, cost): fills, overflows, drains, a clock a little
# behind, a long rest, exactly to the brim.
POURS = [
    (0, 250),
    (0, 250),
    (0, 250),
    (3, 120),
    (4.5, 40),
    (2, 30),
    (10, 200),
    (10.25, 300),
    (400, 599),
    (400, 1),
    (400, 1),
]


async def test_sql_and_fake_pour_alike(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    ada = BudgetSubject.person(await _person(engine, org, "ada"), org)
    address = BudgetSubject.address("2001:db8::5")
    sql, fake = SqlBudgetStore(engine), FakeBudgetStore()
    outcomes = []
    for subject in (ada, address):
        for seconds, cost in POURS:
            at = NOW + timedelta(seconds=seconds)
            poured = await sql.pour(subject, cost, POLICY, at)
            expected = await fake.pour(subject, cost, POLICY, at)
            assert poured.admitted == expected.admitted, (seconds, cost)
            assert abs(poured.level - expected.level) < 1e-6, (seconds, cost)
            outcomes.append(poured.admitted)
    assert set(outcomes) == {True, False}, "the pours both fit and overflow"


async def test_idle_buckets_are_forgotten(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    ada = BudgetSubject.person(await _person(engine, org, "ada"), org)
    store = SqlBudgetStore(engine)
    await store.pour(ada, 5, POLICY, NOW)
    await store.pour(BudgetSubject.address("198.51.100.4"), 5, POLICY, NOW)
    await store.pour(BudgetSubject.address("198.51.100.5"), 5, POLICY, NOW + timedelta(minutes=2))
    assert await store.forget_idle(NOW + timedelta(minutes=1)) == 2
    async with engine.connect() as conn:
        left = (await conn.execute(sa.select(address_cost_budgets.c.client_address))).scalars()
        assert list(left) == ["198.51.100.5"]
        assert (
            await conn.execute(sa.select(sa.func.count()).select_from(person_cost_budgets))
        ).scalar_one() == 0


async def test_the_tables_refuse_what_no_pour_writes(engine: AsyncEngine) -> None:
    acme = await _organization(engine, "acme")
    ada = await _person(engine, acme, "ada")
    globex = await _organization(engine, "globex")
    bucket = {"level": 0.0, "updated_at": NOW, "last_admitted": True}

    negative = await _refused(
        engine,
        person_cost_budgets.insert().values(
            organization_id=acme, person_id=ada, **{**bucket, "level": -1.0}
        ),
    )
    assert constraint_name(negative) == "ck_person_cost_budgets_level_not_negative"

    elsewhere = await _refused(
        engine, person_cost_budgets.insert().values(organization_id=globex, person_id=ada, **bucket)
    )
    assert constraint_name(elsewhere) == "fk_person_cost_budgets_organization_id_person_id_people"

    for address in ("", "x" * 65):
        odd = await _refused(
            engine, address_cost_budgets.insert().values(client_address=address, **bucket)
        )
        assert constraint_name(odd) == "ck_address_cost_budgets_client_address_length"


async def test_costs_and_capacities_beyond_32_bits_pour(engine: AsyncEngine) -> None:
    """Settings may allow a budget past 2^31: the pour still runs."""
    policy = BudgetPolicy(capacity=10**12)
    poured = await SqlBudgetStore(engine).pour(
        BudgetSubject.address("192.0.2.7"), 3 * 10**9, policy, NOW
    )
    assert poured.admitted
    assert poured.level == 3 * 10**9
