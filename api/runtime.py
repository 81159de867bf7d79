"""Bringing the process up: database (embedded or configured), migrations,
engine and the services every request shares."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from api.background import Background
from api.clock import SystemClock
from api.context import Services
from api.mail import LogMailer
from api.outage import Outage
from api.security import AccessTokens, argon2_hasher
from api.settings import Settings
from domain.ports import Clock, Mailer, PasswordHasher
from domain.throttling import AttemptKeys
from persistence import connectivity, migrate
from persistence.database import (
    create_engine,
    create_read_session_factory,
    create_session_factory,
)
from persistence.embedded import EmbeddedPostgres
from persistence.repositories.budgets import SqlBudgetStore
from persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory

log = logging.getLogger("trellis")


@dataclass
class Database:
    url: str
    embedded: EmbeddedPostgres | None

    @classmethod
    def open(cls, settings: Settings) -> Database:
        """The configured server, or else an embedded one in the data folder."""
        if settings.database_url:
            return cls(url=settings.database_url, embedded=None)
        embedded = EmbeddedPostgres(settings.data_dir.resolve())
        embedded.ensure_database(settings.database_name)
        log.info("embedded PostgreSQL running with data in %s", settings.data_dir)
        return cls(url=embedded.url(settings.database_name), embedded=embedded)

    def migrate(self) -> None:
        migrate.upgrade(self.url)

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def build_services(
    settings: Settings,
    engine: AsyncEngine,
    *,
    hasher: PasswordHasher | None = None,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
) -> Services:
    session_factory = create_session_factory(engine)
    outage = Outage(connectivity.unavailable_reason, retry_after=settings.unavailable_retry_after)
    connectivity.watch(engine, outage.answered)
    return Services(
        settings=settings,
        session_factory=session_factory,
        read_session_factory=create_read_session_factory(engine),
        uow_factory=SqlAlchemyUnitOfWorkFactory(session_factory),
        hasher=hasher or argon2_hasher(concurrency=settings.password_hash_concurrency),
        tokens=AccessTokens(
            settings.token_secret.get_secret_value(),
            issuer=settings.token_issuer,
            lifetime=settings.access_token_lifetime,
        ),
        clock=clock or SystemClock(),
        mailer=mailer or LogMailer(reveal_tokens=settings.is_development),
        outage=outage,
        attempt_keys=AttemptKeys(settings.token_secret.get_secret_value().encode()),
        budgets=SqlBudgetStore(engine),
        background=Background(outage),
    )


def engine_for(settings: Settings, url: str) -> AsyncEngine:
    return create_engine(url, pool_size=settings.database_pool_size)
