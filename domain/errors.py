"""Errors that carry their meaning to the caller.

Every rule the domain enforces fails with one of these. The API maps each class
to a typed GraphQL error (and never masks them); anything else is a bug and is
masked. `code` is a stable machine-readable string clients can switch on.
"""

from __future__ import annotations

import math
from datetime import datetime
from uuid import UUID


class DomainError(Exception):
    code: str = "DOMAIN_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ValidationFailed(DomainError):
    """Input that breaks a rule of the domain (empty name, bad timezone...)."""

    code = "VALIDATION_FAILED"

    def __init__(self, field: str, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it exists.

    Both cases read the same on purpose: telling them apart would leak the
    existence of rows in other organizations or of private items.
    """

    code = "NOT_FOUND"

    def __init__(self, kind: str, message: str | None = None) -> None:
        super().__init__(message or f"{kind} not found.")
        self.kind = kind


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"


class Conflict(DomainError):
    """The request contradicts the current state (a taken handle, a cycle...)."""

    code = "CONFLICT"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class Duplicate(Conflict):
    """The request would repeat something still open; it names that thing
    (`kind` is its type, as in `NotFound`) so the client can go to it
    instead. Only raised to someone who may see it."""

    def __init__(self, message: str, *, code: str, kind: str, existing_id: UUID) -> None:
        super().__init__(message, code=code)
        self.kind = kind
        self.existing_id = existing_id


class LimitExceeded(DomainError):
    code = "LIMIT_EXCEEDED"

    def __init__(self, limit: str, value: int, message: str) -> None:
        super().__init__(message)
        self.limit = limit
        self.value = value


class AuthenticationFailed(DomainError):
    """Sign-in or token problems. One message for every cause, so an attacker
    cannot tell an unknown email from a wrong password or a revoked token."""

    code = "AUTHENTICATION_FAILED"


class TooManyAttempts(DomainError):
    """Too many recent failures to try a secret again yet (domain.throttling).
    One message for everyone, whether or not the account exists."""

    code = "TOO_MANY_ATTEMPTS"

    def __init__(self, *, retry_at: datetime, now: datetime) -> None:
        super().__init__("Too many failed attempts; try again later.")
        self.retry_at = retry_at
        self.retry_after = math.ceil((retry_at - now).total_seconds())
