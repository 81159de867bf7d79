"""Engine and session factory: one per process, shared by all requests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from persistence.mapping import map_domain

CONNECT_TIMEOUT_SECONDS = 15
"""asyncpg waits 60 s for a server that does not answer; a request should
learn sooner that the database is away. Not much sooner: a busy machine can
take over 5 s to connect to a server that is there, and that is no outage."""


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    """No ping before each checkout: with asyncpg a ping is BEGIN, a query
    and ROLLBACK, three round trips before every DataLoader batch, and a
    prep runs twenty batches. A connection the server dropped fails its
    next statement instead; SQLAlchemy then recognises the disconnect and
    discards the whole pool (connections made before it are replaced at
    their next checkout), so the pool recovers from a restart of the
    database by itself; connections are renewed hourly anyway."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=3600,
        connect_args={
            "timeout": CONNECT_TIMEOUT_SECONDS,
            "server_settings": {"application_name": "trellis"},
        },
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """`expire_on_commit=False`: entities stay readable after commit, since
    reloading them would mean implicit I/O in async code."""
    map_domain()
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """For the DataLoaders: each batch is one SELECT on its own short
    session, so it needs no transaction of its own. In autocommit a read
    is a single round trip, where BEGIN and ROLLBACK around it would make
    three; the prep of a 1-on-1 runs some twenty of them."""
    map_domain()
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )
