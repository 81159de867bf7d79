"""The per-request context: who is asking, the unit-of-work factory and the
request's own DataLoaders. This and `api.app` are the composition root: the
only places where persistence is wired into the domain."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.fastapi import BaseContext

from api.background import Background
from api.loaders import Loaders
from api.outage import Outage
from api.security import AccessTokens
from api.settings import Settings
from domain.actors import Actor
from domain.budgets import BudgetSubject
from domain.errors import AuthenticationFailed, DomainError
from domain.people import Person
from domain.ports import BudgetStore, Clock, Mailer, PasswordHasher
from domain.read_log import ContentRead
from domain.services import auth, read_log
from domain.throttling import AttemptKeys
from persistence.repositories.read_log import SqlReadLogRepository
from persistence.unit_of_work import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory

log = logging.getLogger("trellis.read_log")


@dataclass(frozen=True)
class Services:
    """Process-wide collaborators, built once by the app factory."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    read_session_factory: async_sessionmaker[AsyncSession]
    """Autocommit sessions for the DataLoaders' one-statement reads."""
    uow_factory: SqlAlchemyUnitOfWorkFactory
    hasher: PasswordHasher
    tokens: AccessTokens
    clock: Clock
    mailer: Mailer
    outage: Outage
    """Whether the database is away (api.outage), for this whole process."""
    attempt_keys: AttemptKeys
    budgets: BudgetStore
    background: Background
    """Work a request starts but does not wait for (mailing a reset token)."""


class Context(BaseContext):
    def __init__(self, services: Services, authorization: str | None, client: str) -> None:
        super().__init__()
        self.services = services
        self.client = client
        """Who is asking, as far as the network tells (domain.clients.client_of):
        the connection's peer, or what a trusted proxy says it was."""
        self.settings = services.settings
        self.clock = services.clock
        # One moment per request: every field that asks "now" (due dates,
        # who leads a team now) agrees, and such fields batch together.
        self.now = services.clock.now()
        self._actor: Actor | None = None
        self.auth_error: AuthenticationFailed | None = None
        self._viewer: asyncio.Future[Person | None] | None = None
        self._loaders: Loaders | None = None
        self._reads: set[ContentRead] = set()
        self.saved: bool | None = False
        """Whether a mutation of this request was saved: False until one
        sends its commit, None while (or if) the answer to the commit is
        outstanding, True once one committed. The database going away is a
        retryable SERVICE_UNAVAILABLE only while this is False."""
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token:
                self.auth_error = AuthenticationFailed(
                    "Send the access token as 'Authorization: Bearer <token>'.",
                    code="INVALID_TOKEN",
                )
            else:
                try:
                    self._actor = services.tokens.verify(token.strip(), now=self.now)
                except AuthenticationFailed as exc:
                    self.auth_error = exc

    @property
    def loaders(self) -> Loaders:
        """Bound to the caller's organization; only for authenticated calls."""
        if self._loaders is None:
            assert self._actor is not None, "loaders need an authenticated viewer"
            self._loaders = Loaders(
                self.services.read_session_factory,
                self._actor.organization_id,
                self._actor.person_id,
                self.now,
            )
        return self._loaders

    async def viewer(self) -> Person | None:
        """The signed-in person, if the token is valid and they are still an
        active member: a person who left loses access at once, not when their
        token expires. Checked once per request, however many resolvers ask
        at the same time."""
        if self._viewer is None:
            self._viewer = asyncio.ensure_future(self._load_viewer())
        return await self._viewer

    async def _load_viewer(self) -> Person | None:
        """One statement reads the person and checks the token's session: a
        session that was signed out, or ended by a password change or reset,
        is refused at once, not when the token expires."""
        if self._actor is None or self._actor.session_id is None:
            return None
        found = await self.loaders.viewer(self._actor.session_id)
        person, live = found if found is not None else (None, False)
        if person is None or not person.is_active:
            self.auth_error = AuthenticationFailed(
                "This account can no longer sign in.", code="INVALID_TOKEN"
            )
            return None
        if not live:
            self.auth_error = auth.session_ended()
            return None
        return person

    def signed_in(self, person: Person, session_id: UUID) -> None:
        """After a successful sign-in, the rest of this request (the payload's
        `viewer` selection) is resolved as that person, in the new session."""
        self._actor = Actor(
            person_id=person.id, organization_id=person.organization_id, session_id=session_id
        )
        self._viewer = asyncio.get_running_loop().create_future()
        self._viewer.set_result(person)
        self.auth_error = None
        self._loaders = None

    async def budget_subject(self) -> BudgetSubject:
        """Whose budget an operation spends: the signed-in person, once the
        viewer's own statement (which the operation needs anyway) has found
        the session live; or else the client address, so that an invalid,
        signed-out or revoked token buys no budget of its own, nor spends
        its owner's."""
        actor = await self.actor()
        if actor is not None:
            return BudgetSubject.person(actor.person_id, actor.organization_id)
        return BudgetSubject.address(self.client)

    async def actor(self) -> Actor | None:
        return self._actor if await self.viewer() is not None else None

    def note_read(self, read: ContentRead) -> None:
        """A field returned this item's content (api.graphql.read_log)."""
        self._reads.add(read)

    async def record_reads(self) -> None:
        """Writes the request's reads to the read log, once it is answered:
        one statement in a short transaction of its own on the primary (reads
        may go to a replica one day; this is a write), outside any mutation's
        transaction, however many items and paths there were.
        The log is a record, not a gate: if writing it fails, the failure is
        logged and the answer stands (the database being away is logged once
        for the whole outage, by `Outage`)."""
        if not self._reads:
            return
        actor = await self.actor()
        if actor is None:
            return
        try:
            async with self.services.session_factory() as session, session.begin():
                await read_log.record(
                    SqlReadLogRepository(session, actor.organization_id),
                    actor,
                    self._reads,
                    now=self.now,
                )
        except Exception as error:
            if not self.services.outage.noticed(error):
                log.exception("reads of %d items not logged", len(self._reads))

    def uow(self, organization_id: UUID | None = None) -> SqlAlchemyUnitOfWork:
        """A unit of work of this request's mutation (a UnitOfWorkFactory):
        its commit keeps `saved` true to what the database did."""
        return _MutationUnitOfWork(self, organization_id)

    async def track_commit(self, commit: Callable[[], Awaitable[None]]) -> None:
        """Only the answer to COMMIT itself can be lost with the connection,
        leaving the outcome unknown (None) until it comes."""
        before = self.saved
        if before is False:
            self.saved = None
        try:
            await commit()
        except DomainError:
            self.saved = before
            raise
        self.saved = True


class _MutationUnitOfWork(SqlAlchemyUnitOfWork):
    def __init__(self, context: Context, organization_id: UUID | None) -> None:
        super().__init__(context.services.uow_factory.session_factory, organization_id)
        self._context = context

    async def commit(self) -> None:
        # Its statements go first: a failure there saves nothing for sure.
        await self.flush()
        await self._context.track_commit(super().commit)
