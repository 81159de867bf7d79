from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh migrated database, for writing rows directly."""
    engine = create_async_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()
