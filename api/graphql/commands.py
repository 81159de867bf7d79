"""How resolvers reach the domain.

Queries call `require_actor` (unauthenticated callers get only what signing
in needs). Mutations go through `run`: permission checks and rules live in
the domain service, which runs in one unit of work (one transaction) and
commits only if it succeeded; domain errors become typed results.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

import strawberry

from api.graphql.errors import AuthenticationError, MutationError, to_graphql, unauthenticated
from domain.actors import Actor
from domain.errors import DomainError
from domain.ports import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
E = TypeVar("E")
E_co = TypeVar("E_co", covariant=True)


async def require_actor(info: strawberry.Info) -> Actor:
    actor = await info.context.actor()
    if actor is None:
        raise unauthenticated(info.context.auth_error)
    return actor


async def run(
    info: strawberry.Info, command: Callable[[UnitOfWork, Actor], Awaitable[T]]
) -> T | MutationError:

    async def in_one_transaction(uows: UnitOfWorkFactory, actor: Actor) -> T:
        async with uows(actor.organization_id) as uow:
            result = await command(uow, actor)
            await uow.commit()
        return result

    return await run_steps(info, in_one_transaction)


async def run_steps(
    info: strawberry.Info, command: Callable[[UnitOfWorkFactory, Actor], Awaitable[T]]
) -> T | MutationError:
    """`run` for use cases that open their own transactions: those that do
    slow work (hashing a password) between a short read and a short write,
    holding no database connection meanwhile. They commit themselves."""
    context = info.context
    actor = await context.actor()
    if actor is None:
        reason = context.auth_error
        return AuthenticationError(
            message=reason.message if reason else "Sign in to do this.",
            code=reason.code if reason else "UNAUTHENTICATED",
        )
    try:
        return await command(context.uow, actor)
    except DomainError as error:
        return to_graphql(error)


async def run_anonymous(
    info: strawberry.Info, command: Callable[[UnitOfWork], Awaitable[T]]
) -> T | MutationError:
    """For the mutations that signing in needs, before anyone is known."""

    async def in_one_transaction(uows: UnitOfWorkFactory) -> T:
        async with uows() as uow:
            result = await command(uow)
            await uow.commit()
        return result

    return await run_anonymous_steps(info, in_one_transaction)


async def run_anonymous_steps(
    info: strawberry.Info, command: Callable[[UnitOfWorkFactory], Awaitable[T]]
) -> T | MutationError:
    """`run_steps` before anyone is known (signing in, accepting an invitation)."""
    try:
        return await command(info.context.uow)
    except DomainError as error:
        return to_graphql(error)


class Transition(Protocol[E_co]):
    """A use case that moves one entity on: (uow, actor, id, now) -> entity."""

    async def __call__(
        self, uow: UnitOfWork, actor: Actor, entity_id: UUID, *, now: datetime
    ) -> E_co: ...


async def run_transition(
    info: strawberry.Info,
    action: Transition[E],
    entity_id: Callable[[], UUID],
    success: Callable[[E], T],
) -> T | MutationError:
    """`run` for the many mutations that take one id and move its entity on
    (accept, decline, withdraw, activate, end...). The id is decoded inside
    the command, so a malformed one becomes the same typed error as others."""

    async def command(uow: UnitOfWork, actor: Actor) -> T:
        return success(await action(uow, actor, entity_id(), now=info.context.now))

    return await run(info, command)
