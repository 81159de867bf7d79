"""Migration 0017: names and titles show as written in the database too.

`shows_as_written` agrees with domain/invisible_characters on every sample,
the migration froze the domain's patterns, a row written past the domain is
refused (and the violation is the domain's INVALID_CHARACTERS), and the
backfill cleans what was there before.
"""

from __future__ import annotations

import asyncio
import importlib.util
import unicodedata
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from domain import invisible_characters
from domain.errors import ValidationFailed
from persistence import migrate
from persistence.integrity import translate
from tests.integration.test_migrations import empty_url  # noqa: F401 (a fixture)
from tests.unit.test_invisible_characters import FAMILY, HEART, HINDI, PERSIAN, RAINBOW_FLAG

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MIGRATION = (
    Path(migrate.__file__).parent / "migrations" / "versions" / "0017_names_show_as_written.py"
)
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
SAMPLES = [
    "Jonas",
    "Jos\u00e9",
    "Jose\u0301",
    "\u212b",  # the Angstrom sign: NFC makes it Å
    FAMILY,
    RAINBOW_FLAG,
    SCOTLAND,
    PERSIAN,
    HINDI,
    HEART,
    "\u202eJonas",
    "Jo\u200bnas",
    "Jonas\u2066",
    "Jonas\u200d",
    "\u200dJonas",
    "Jo \u200dnas",
    "Jo\u200d\u200dnas",
    "\ufe0fJonas",
    "Jo\u00a0\ufe0f",
    "Jonas\U000e0067",
    f"{SCOTLAND}\U000e007f",
    "x\u2800",
    "\u3164",
    "a\ufff9b",
    "Jo\u034fnas",
]


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0017", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_froze_the_domains_patterns() -> None:
    """When the domain's table changes, a new migration must follow."""
    migration = _migration()
    assert migration.MISPLACED == invisible_characters.MISPLACED
    assert migration.TAG == invisible_characters.TAG
    assert migration.FLAG_TAG_SEQUENCE == invisible_characters.FLAG_TAG_SEQUENCE
    assert migration.INVISIBLE == invisible_characters.INVISIBLE_CLASS


async def test_the_database_and_the_domain_agree(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        for sample in SAMPLES:
            database = await conn.scalar(sa.text("SELECT shows_as_written(:v)"), {"v": sample})
            domain = invisible_characters.misplaced(sample) is None and (
                unicodedata.is_normalized("NFC", sample)
            )
            assert database is domain, ascii(sample)


async def _insert_organization(engine: AsyncEngine, name: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO organizations (id, name, slug, created_at)"
                " VALUES (:id, :name, 'acme', :now)"
            ),
            {"id": uuid.uuid4(), "name": name, "now": NOW},
        )


@pytest.mark.parametrize("name", ["\u202eJonas", "Jo\u200bnas", "Cafe\u0301"])
async def test_a_name_written_past_the_domain_is_refused(engine: AsyncEngine, name: str) -> None:
    with pytest.raises(IntegrityError) as caught:
        await _insert_organization(engine, name)
    error = translate(caught.value)
    assert isinstance(error, ValidationFailed)
    assert (error.code, error.field) == ("INVALID_CHARACTERS", "name")


async def test_the_backfill_cleans_what_was_there(empty_url: str) -> None:  # noqa: F811
    await asyncio.to_thread(migrate.upgrade, empty_url, "0013")
    org = uuid.uuid4()
    people = {
        uuid.uuid4(): ("Jose\u0301 Ruiz", "Jos\u00e9 Ruiz"),
        uuid.uuid4(): ("\u202eJonas  \u200bBerg", "Jonas Berg"),
        uuid.uuid4(): ("\u200b\u2060", None),
        uuid.uuid4(): (f"Ada {FAMILY}", f"Ada {FAMILY}"),
    }
    engine = create_async_engine(empty_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO organizations (id, name, slug, created_at)"
                    " VALUES (:id, 'Acme\u200b', 'acme', :now)"
                ),
                {"id": org, "now": NOW},
            )
            for n, (person, (name, _)) in enumerate(people.items()):
                await conn.execute(
                    sa.text(
                        "INSERT INTO people (id, organization_id, name, handle, email, timezone,"
                        " status, created_at) VALUES (:id, :org, :name, :handle, :email, 'UTC',"
                        " 'ACTIVE', :now)"
                    ),
                    {
                        "id": person,
                        "org": org,
                        "name": name,
                        "handle": f"p{n}",
                        "email": f"p{n}\u200b@example.com" if n == 1 else f"p{n}@example.com",
                        "now": NOW,
                    },
                )
        await asyncio.to_thread(migrate.upgrade, empty_url)
        async with engine.connect() as conn:
            rows = dict((await conn.execute(sa.text("SELECT id, name FROM people"))).all())
            emails = set(await conn.scalars(sa.text("SELECT email FROM people")))
            org_name = await conn.scalar(sa.text("SELECT name FROM organizations"))
    finally:
        await engine.dispose()
    for person, (_, expected) in people.items():
        assert rows[person] == (expected or f"({str(person)[:8]})")
    assert emails == {f"p{n}@example.com" for n in range(4)}
    assert org_name == "Acme"
