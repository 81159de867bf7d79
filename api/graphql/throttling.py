"""The throttle around the mutations that try a secret (domain.throttling):
signing in, refreshing a session, accepting an invitation, and any other
that checks a password or a token sent by mail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from api.graphql.commands import run_anonymous
from api.graphql.errors import AuthenticationError, Error, MutationError, to_graphql
from domain.errors import TooManyAttempts
from domain.ports import UnitOfWork
from domain.services import throttling
from domain.throttling import Attempt, Outcome

T = TypeVar("T")


async def run_throttled(
    info: strawberry.Info, attempt: Attempt, command: Callable[[UnitOfWork], Awaitable[T]]
) -> T | MutationError:
    """`run_anonymous` behind the throttle. While a key of the attempt is
    blocked it is refused at once with TOO_MANY_ATTEMPTS, and no password is
    checked. Otherwise its failure is counted before the command runs, and
    settled by the result: an `AuthenticationError` (a wrong secret) stays
    counted, a success forgives, any other error (a weak new password) is
    not a failure and is given back."""
    context = info.context
    try:
        admission = await throttling.admit(context.uow, attempt, now=context.now)
    except TooManyAttempts as error:
        return to_graphql(error)
    result = await run_anonymous(info, command)
    await throttling.settle(context.uow, admission, _outcome(result), now=context.now)
    return result


def _outcome(result: object) -> Outcome:
    if isinstance(result, AuthenticationError):
        return Outcome.FAILED
    if isinstance(result, Error):
        return Outcome.NOT_JUDGED
    return Outcome.SUCCEEDED
