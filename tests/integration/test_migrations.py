"""Migrations: zero to head and back on an empty database, and the models
(`persistence.tables.metadata`) agree with what the migrations build."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from persistence import migrate
from persistence.tables import metadata

if TYPE_CHECKING:
    from tests.database import TestServer

APPLICATION_TABLES = {table.name for table in metadata.sorted_tables}


@pytest.fixture
async def empty_url(pg: TestServer) -> AsyncIterator[str]:
    """A database with nothing in it (not even alembic_version)."""
    name = pg.next_name()
    url = await pg.create_empty(name)
    try:
        yield url
    finally:
        await pg.drop(name)


def _head() -> str:
    head = ScriptDirectory.from_config(
        migrate.alembic_config("postgresql://unused")
    ).get_current_head()
    assert head is not None
    return head


async def _inspect(url: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:

            def read(sync: Connection) -> dict[str, Any]:
                inspector = sa.inspect(sync)
                tables = set(inspector.get_table_names())
                version: list[str] | None = None
                if "alembic_version" in tables:
                    version = list(sync.scalars(sa.text("SELECT version_num FROM alembic_version")))
                functions = set(
                    sync.scalars(
                        sa.text(
                            "SELECT proname FROM pg_proc JOIN pg_namespace n"
                            " ON n.oid = pronamespace WHERE n.nspname = 'public'"
                        )
                    )
                )
                triggers = set(
                    sync.scalars(sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
                )
                return {
                    "tables": tables,
                    "version": version,
                    "functions": functions,
                    "triggers": triggers,
                }

            return await conn.run_sync(read)
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(empty_url: str) -> None:
    before = await _inspect(empty_url)
    assert before["tables"] == set()

    await asyncio.to_thread(migrate.upgrade, empty_url)
    upgraded = await _inspect(empty_url)
    assert upgraded["tables"] == APPLICATION_TABLES | {"alembic_version"}
    assert upgraded["version"] == [_head()]
    assert "knowledge_areas_forbid_cycle" in upgraded["functions"]
    assert "knowledge_areas_no_cycle" in upgraded["triggers"]

    await asyncio.to_thread(migrate.downgrade, empty_url, "base")
    downgraded = await _inspect(empty_url)
    assert downgraded["tables"] == {"alembic_version"}
    assert downgraded["version"] == []
    assert downgraded["functions"] == set()
    assert downgraded["triggers"] == set()

    await asyncio.to_thread(migrate.upgrade, empty_url)
    again = await _inspect(empty_url)
    assert again == upgraded


async def test_upgrade_is_idempotent(empty_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_url)
    first = await _inspect(empty_url)
    await asyncio.to_thread(migrate.upgrade, empty_url)
    assert await _inspect(empty_url) == first


async def _differences(url: str, target: sa.MetaData) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:

            def compare(sync: Connection) -> list[Any]:
                context = MigrationContext.configure(
                    sync, opts={"compare_type": True, "compare_server_default": True}
                )
                return list(compare_metadata(context, target))

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


async def test_models_and_migrations_agree(empty_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_url)
    differences = await _differences(empty_url, metadata)
    # Nothing is filtered out: every table, column, index (the functional and
    # partial unique ones included), constraint and server default must match.
    assert differences == [], "\n".join(map(repr, differences))


async def test_the_comparison_sees_functional_and_partial_indexes(empty_url: str) -> None:
    """A control for the test above: drop the functional and the partial
    unique index from a copy of the models, and the comparison must notice,
    so an empty diff there really means agreement."""
    await asyncio.to_thread(migrate.upgrade, empty_url)
    copy = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(copy)
    removed = {"uq_knowledge_areas_sibling_name", "uq_team_memberships_current"}
    for table in copy.tables.values():
        for index in [i for i in table.indexes if i.name in removed]:
            table.indexes.discard(index)
    differences = await _differences(empty_url, copy)
    assert {(d[0], d[1].name) for d in differences} == {("remove_index", n) for n in removed}
