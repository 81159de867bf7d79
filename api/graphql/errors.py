"""Typed errors of mutations, and the rules for what is shown or masked.

Mutations return a union of their success type and these types (all
implementing `Error`), so a client can switch on `__typename` or `code`
and show `message` as is. Queries raise `PublicError`s (authentication,
page size, bad ids): shown with a code in `extensions`. The database being
away is SERVICE_UNAVAILABLE, for queries and mutations alike, or
ANSWER_UNAVAILABLE once a mutation sent its commit. Anything else is an
unexpected bug: masked and logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Union

import strawberry
from graphql import GraphQLError

from api.graphql import ids
from domain import errors as domain


@strawberry.interface(description="Something the request asked for could not be done.")
class Error:
    message: str
    code: str = strawberry.field(description="Stable, machine-readable reason.")


@strawberry.type(description="An input value breaks a rule; `field` names the input.")
class ValidationError(Error):
    field: str | None


@strawberry.type(description="The request contradicts the current state (a taken handle...).")
class ConflictError(Error):
    field: str | None
    existing_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="What the request would repeat, when it is still open and yours to see "
        "(a duplicate proposal names the open one).",
    )


@strawberry.type(description="Not found, or not visible to you: the two are not told apart.")
class NotFoundError(Error):
    pass


@strawberry.type(description="You may not do this.")
class PermissionDeniedError(Error):
    pass


@strawberry.type(description="Not signed in, or the credentials or token are not valid.")
class AuthenticationError(Error):
    pass


@strawberry.type(description="A limit was reached; `limit` names it and `value` is its size.")
class LimitExceededError(Error):
    limit: str
    value: int


@strawberry.type(
    description="Too many failed attempts (signing in, refreshing, accepting an "
    "invitation): try again at `retryAt`, in `retryAfter` seconds."
)
class TooManyAttemptsError(Error):
    retry_at: datetime
    retry_after: int = strawberry.field(description="Seconds until `retryAt`, rounded up.")


MutationError = (
    ValidationError
    | ConflictError
    | NotFoundError
    | PermissionDeniedError
    | AuthenticationError
    | LimitExceededError
    | TooManyAttemptsError
)


def to_graphql(error: domain.DomainError) -> MutationError:
    match error:
        case domain.ValidationFailed():
            return ValidationError(message=error.message, code=error.code, field=error.field)
        case domain.Duplicate():
            return ConflictError(
                message=error.message,
                code=error.code,
                field=error.field,
                existing_id=ids.global_id(error.kind, error.existing_id),
            )
        case domain.Conflict():
            return ConflictError(message=error.message, code=error.code, field=error.field)
        case domain.NotFound():
            return NotFoundError(message=error.message, code=error.code)
        case domain.PermissionDenied():
            return PermissionDeniedError(message=error.message, code=error.code)
        case domain.AuthenticationFailed():
            return AuthenticationError(message=error.message, code=error.code)
        case domain.LimitExceeded():
            return LimitExceededError(
                message=error.message, code=error.code, limit=error.limit, value=error.value
            )
        case domain.TooManyAttempts():
            return TooManyAttemptsError(
                message=error.message,
                code=error.code,
                retry_at=error.retry_at,
                retry_after=error.retry_after,
            )
    raise TypeError(f"no GraphQL error type for {type(error).__name__}")  # pragma: no cover


class PublicError(GraphQLError):
    """An error of a query that the client should see, with a code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})


SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


def service_unavailable(retry_after: int, *, nodes: Any = None, path: Any = None) -> GraphQLError:
    """The database is away: nothing is wrong with the request, and the same
    request may succeed in `retry_after` seconds. Not a mutation result
    type: the operation did not run to an answer, and a client should retry
    it as it retries a dropped connection (api.extensions.ErrorPolicy)."""
    return GraphQLError(
        f"The service is unavailable for a moment; try again in {retry_after} seconds.",
        nodes=nodes,
        path=path,
        extensions={"code": SERVICE_UNAVAILABLE, "retryable": True, "retryAfter": retry_after},
    )


ANSWER_UNAVAILABLE = "ANSWER_UNAVAILABLE"


def answer_unavailable(saved: bool | None, retry_after: int, *, path: Any) -> GraphQLError:
    """The database went away after a mutation sent its commit: saved (the
    answer could not be read back) or, if the answer to the commit was lost
    with the connection, perhaps saved. Sending the mutation again could do
    it twice, so this is not retryable: the client reads what it needs once
    the service is back. `saved` is true, or null for not known."""
    if saved:
        message = (
            "Your change was saved, but its answer could not be read: the service is "
            f"unavailable for a moment. Do not send it again; look in {retry_after} seconds."
        )
    else:
        message = (
            "The service became unavailable while saving your change: it may or may not be "
            f"saved. Do not send it again blindly; look in {retry_after} seconds."
        )
    return GraphQLError(
        message,
        path=path,
        extensions={
            "code": ANSWER_UNAVAILABLE,
            "retryable": False,
            "saved": saved,
            "retryAfter": retry_after,
        },
    )


def unauthenticated(reason: domain.AuthenticationFailed | None) -> PublicError:
    if reason is not None:
        return PublicError(reason.message, reason.code)
    return PublicError("Sign in to see this.", "UNAUTHENTICATED")


ERROR_TYPES = (
    ValidationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    AuthenticationError,
    LimitExceededError,
    TooManyAttemptsError,
)


def result_union(name: str, success: type) -> object:
    """`<success> | <every error type>` as a named union: one shape for every
    mutation, so clients handle errors the same way everywhere."""
    return Annotated[Union[(success, *ERROR_TYPES)], strawberry.union(name)]
