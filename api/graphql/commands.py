"""How resolvers reach the domain.

Queries call `require_actor` (unauthenticated callers get only what signing
in needs). Mutations go through `run`: permission checks and rules live in
the domain service, which runs in one unit of work (one transaction) and
commits only if it succeeded; domain errors become typed results.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from api.graphql.errors import AuthenticationError, MutationError, to_graphql, unauthenticated
from domain.actors import Actor
from domain.errors import DomainError
from domain.ports import UnitOfWork

T = TypeVar("T")


async def require_actor(info: strawberry.Info) -> Actor:
    actor = await info.context.actor()
    if actor is None:
        raise unauthenticated(info.context.auth_error)
    return actor


async def run(
    info: strawberry.Info, command: Callable[[UnitOfWork, Actor], Awaitable[T]]
) -> T | MutationError:
    context = info.context
    actor = await context.actor()
    if actor is None:
        reason = context.auth_error
        return AuthenticationError(
            message=reason.message if reason else "Sign in to do this.",
            code=reason.code if reason else "UNAUTHENTICATED",
        )
    try:
        async with context.uow(actor.organization_id) as uow:
            result = await command(uow, actor)
            await uow.commit()
    except DomainError as error:
        return to_graphql(error)
    return result


async def run_anonymous(
    info: strawberry.Info, command: Callable[[UnitOfWork], Awaitable[T]]
) -> T | MutationError:
    """For the mutations that signing in needs, before anyone is known."""
    try:
        async with info.context.uow() as uow:
            result = await command(uow)
            await uow.commit()
    except DomainError as error:
        return to_graphql(error)
    return result
