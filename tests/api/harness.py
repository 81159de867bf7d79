"""Driving the API as a client would: GraphQL over HTTP against the ASGI app,
plus quick ways to set up organizations and members."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from api.settings import Settings
from domain.accounts import Account, AccountSession
from domain.people import Person
from domain.roles import Role, RoleAssignment
from domain.services.organizations import found_organization

PASSWORD = "correct horse battery staple"
MEMBER_FOR = timedelta(days=365)
"""How long a test's member has been one: long enough for any anonymity
rule; tests about new members say otherwise."""
_sequence = itertools.count(1)

# The privacy tests ask every path to a piece of content in one wide query
# that no screen sends (a prep costs a few hundred, a steward overview about
# 1,200); the cost limits are tested with their defaults in the cost tests.
UNLIMITED_COST = 10**9


def api_settings(database_url: str, **overrides: Any) -> Settings:
    """The settings API tests serve with: the defaults, but no cost limits."""
    lifted = {"max_operation_cost": UNLIMITED_COST, "cost_budget_per_minute": UNLIMITED_COST}
    return Settings(**{"database_url": database_url, **lifted, **overrides})


def without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """A response body without its `extensions` (the cost report, whose
    remaining budget differs from one answer to the next)."""
    return {key: value for key, value in body.items() if key != "extensions"}


class GraphQL:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The whole response body (data and errors)."""
        response = await self.raw(query, variables, token=token)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The data of a response that must have no errors."""
        body = await self(query, variables, token=token)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def error_codes(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> list[str]:
        body = await self(query, variables, token=token)
        return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


@dataclass
class Member:
    person: Person
    session_id: UUID
    """A live session, as if they had signed in; `token` is of it."""
    token: str
    email: str
    password: str = PASSWORD

    @property
    def id(self) -> str:
        from api.graphql.ids import global_id

        return global_id("Person", self.person.id)


@dataclass
class Org:
    """An organization set up directly through the domain, for speed; what a
    test then checks goes through GraphQL."""

    services: Services
    password_hash: str
    faculty: Member
    members: list[Member] = field(default_factory=list)

    @property
    def id(self):  # type: ignore[no-untyped-def]
        return self.faculty.person.organization_id

    async def add_member(
        self,
        name: str | None = None,
        *,
        faculty: bool = False,
        timezone: str = "Europe/Berlin",
        member_for: timedelta = MEMBER_FOR,
        invited_by: Member | None = None,
    ) -> Member:
        """A member for `member_for` already (as if they had accepted an
        invitation of `invited_by` then, when given)."""
        n = next(_sequence)
        name = name or f"Member {n}"
        handle = f"member{n}"
        email = f"{handle}.{str(self.id)[:8]}@example.com"
        now = self.services.clock.now()
        async with self.services.uow_factory(self.id) as uow:
            person = Person.create(
                organization_id=self.id,
                name=name,
                handle=handle,
                email=email,
                timezone=timezone,
                now=now,
                invited_by_id=invited_by.person.id if invited_by else None,
                member_since=now - member_for,
            )
            await uow.people.add(person)
            account = Account(
                organization_id=self.id,
                person_id=person.id,
                email=email,
                password_hash=self.password_hash,
                created_at=now,
            )
            await uow.accounts.add(account)
            session = AccountSession.start(account, now)
            await uow.account_sessions.add(session)
            if faculty:
                await uow.roles.add(
                    RoleAssignment(
                        organization_id=self.id,
                        person_id=person.id,
                        role=Role.ORG_FACULTY,
                        started_at=now,
                    )
                )
            await uow.commit()
        member = Member(
            person=person,
            session_id=session.id,
            token=access_token(self.services, person, session.id),
            email=email,
        )
        self.members.append(member)
        return member


def access_token(services: Services, person: Person, session_id: UUID) -> str:
    return services.tokens.issue(
        person_id=person.id,
        organization_id=person.organization_id,
        session_id=session_id,
        now=services.clock.now(),
    ).token


def token_for(services: Services, member: Member) -> str:
    """A fresh access token of the member's session (tokens live minutes)."""
    return access_token(services, member.person, member.session_id)


async def open_session(services: Services, person_id: UUID) -> str:
    """Signs someone with an account in (a new session) without their
    password: an access token of it."""
    now = services.clock.now()
    async with services.uow_factory() as uow:
        account = await uow.accounts.get_by_person(person_id)
        assert account is not None, "only someone with an account signs in"
        session = AccountSession.start(account, now)
        await uow.account_sessions.add(session)
        uow.bind_organization(account.organization_id)
        person = await uow.people.get(person_id)
        assert person is not None
        await uow.commit()
    return access_token(services, person, session.id)


async def create_org(services: Services, password_hash: str, name: str = "Acme") -> Org:
    n = next(_sequence)
    async with services.uow_factory() as uow:
        founded = await found_organization(
            uow,
            _PrehashedHasher(password_hash),
            name=name,
            slug=f"{name.lower().replace(' ', '-')}-{n}",
            founder_name=f"{name} Founder",
            founder_handle=f"founder{n}",
            founder_email=f"founder{n}@{name.lower().replace(' ', '')}.example.com",
            founder_timezone="Europe/Berlin",
            founder_password=PASSWORD,
            now=services.clock.now(),
        )
        founded.founder.member_since = services.clock.now() - MEMBER_FOR
        account = await uow.accounts.get_by_person(founded.founder.id)
        assert account is not None
        session = AccountSession.start(account, services.clock.now())
        await uow.account_sessions.add(session)
        await uow.commit()
    founder = founded.founder
    return Org(
        services=services,
        password_hash=password_hash,
        faculty=Member(
            person=founder,
            session_id=session.id,
            token=access_token(services, founder, session.id),
            email=founder.email,
        ),
    )


class _PrehashedHasher:
    """Hashing argon2 is slow on purpose; test set-up reuses one hash."""

    def __init__(self, password_hash: str) -> None:
        self._hash = password_hash

    async def hash(self, password: str) -> str:
        return self._hash

    async def verify(self, password: str, password_hash: str) -> bool:  # pragma: no cover
        raise AssertionError("not used in set-up")

    async def verify_dummy(self, password: str) -> None:  # pragma: no cover
        raise AssertionError("not used in set-up")


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


BUDGET_TABLES = ("person_cost_budgets", "address_cost_budgets")


@contextmanager
def count_statements(engine: AsyncEngine, *, budget: bool = False) -> Iterator[StatementCounter]:
    """Counts the SQL statements the app's engine executes inside the block.

    Every operation that runs first pours its cost into its caller's budget
    (one upsert, pinned by tests/api/test_cost_budget.py); the counts
    elsewhere pin what an operation itself reads and writes, so that pour
    is left out unless `budget` asks for it."""
    counter = StatementCounter()

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if budget or not any(table in statement for table in BUDGET_TABLES):
            counter.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
