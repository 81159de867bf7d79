"""The throttle around the mutations that try a secret (domain.throttling):
signing in, refreshing a session, accepting an invitation, changing a
password, resetting one with a mailed token, and asking for that mail."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from api.graphql.errors import AuthenticationError, Error, MutationError, to_graphql
from domain.errors import TooManyAttempts
from domain.services import throttling
from domain.throttling import Admission, Attempt, Outcome

T = TypeVar("T")

log = logging.getLogger("trellis.throttling")

WRONG_PASSWORD = "WRONG_PASSWORD"
"""A signed-in person's current password, mistyped (changePassword): a
validation error of the form, and a wrong secret all the same."""


async def run_throttled(
    info: strawberry.Info, attempt: Attempt, run: Callable[[], Awaitable[T]]
) -> T | MutationError:
    """A mutation (`run`, one of api.graphql.commands) behind the throttle.
    While a key of the attempt is blocked it is refused at once with
    TOO_MANY_ATTEMPTS, and no secret is checked. Otherwise its failure is
    counted before it runs, and settled by the result: an
    `AuthenticationError` (a wrong secret) stays counted, a success
    forgives, any other error (a weak new password) is not a failure and
    is given back. The counters are kept in transactions of their own, not
    the mutation's (Context.saved tells of the mutation's alone)."""
    context = info.context
    uows = context.services.uow_factory
    try:
        admission = await throttling.admit(uows, attempt, now=context.now)
    except TooManyAttempts as error:
        return to_graphql(error)
    try:
        result = await run()
    except Exception:
        # Not a wrong secret (the database away, a bug): give it back, as
        # retrying is then what the client is told to do.
        await _settle(info, admission, Outcome.NOT_JUDGED)
        raise
    await _settle(info, admission, _outcome(result))
    return result


async def _settle(info: strawberry.Info, admission: Admission, outcome: Outcome) -> None:
    """Settling is bookkeeping: should it fail, the answer stands (a
    session already issued must reach its client) and an unsettled
    reservation counts as one failure until it is forgotten."""
    context = info.context
    try:
        await throttling.settle(context.services.uow_factory, admission, outcome, now=context.now)
    except Exception as error:
        if not context.services.outage.noticed(error):
            log.exception("settling a throttled attempt failed")


async def count_attempt(info: strawberry.Info, attempt: Attempt) -> MutationError | None:
    """Counts an attempt that has no failure or success to tell (asking for
    a mail): every one counts, so only so many go through."""
    context = info.context
    try:
        await throttling.admit(context.services.uow_factory, attempt, now=context.now)
    except TooManyAttempts as error:
        return to_graphql(error)
    return None


def _outcome(result: object) -> Outcome:
    if isinstance(result, AuthenticationError) or (
        isinstance(result, Error) and result.code == WRONG_PASSWORD
    ):
        return Outcome.FAILED
    if isinstance(result, Error):
        return Outcome.NOT_JUDGED
    return Outcome.SUCCEEDED
