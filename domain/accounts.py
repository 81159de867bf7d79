"""Credentials and sessions, kept apart from the profile in `domain.people`.

Secrets (refresh tokens, invitation and password reset tokens) are random
strings handed to the client once; only their SHA-256 is stored, so a
database dump cannot be replayed.

A session is one signed-in device. Access tokens carry its id and are
refused as soon as it ends (signing out, a reused refresh token, a password
change or reset, leaving). Its refresh tokens rotate: each use replaces the
token, and presenting a token that was already replaced ends the session
(the usual sign that it was stolen).

An account's `password_version` counts its passwords. A live session and an
open password reset belong to the version they were made under, and the
database holds them to it (a composite foreign key): changing the password
is refused while one of an older version is still live, so every change
must end them, and a sign-in that checked the old password cannot start a
session after the change.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from domain.errors import ValidationFailed
from domain.ids import new_id

PASSWORD_MIN = 10
PASSWORD_MAX = 256


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_password_policy(password: str, *, field: str = "password") -> None:
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed(
            field, f"A password has at least {PASSWORD_MIN} characters.", code="WEAK_PASSWORD"
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationFailed(
            field, f"A password has at most {PASSWORD_MAX} characters.", code="TOO_LONG"
        )


@dataclass(eq=False)
class Account:
    organization_id: UUID
    person_id: UUID
    email: str
    password_hash: str
    created_at: datetime
    last_sign_in_at: datetime | None = None
    password_version: int = 1
    id: UUID = field(default_factory=new_id)

    def set_password(self, password_hash: str) -> None:
        """The caller ends the live sessions and closes the open resets of
        the old version first (the database refuses the change otherwise)."""
        self.password_hash = password_hash
        self.password_version += 1


class SessionEnd(enum.Enum):
    """Why a session ended."""

    SIGNED_OUT = "SIGNED_OUT"
    REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"
    PASSWORD_RESET = "PASSWORD_RESET"
    PERSON_LEFT = "PERSON_LEFT"
    REVOKED = "REVOKED"
    """Before sessions were recorded (migration 0016): signed out or a reused
    refresh token, which the old records do not tell apart."""
    EXPIRED = "EXPIRED"
    """Before sessions were recorded (migration 0016): no refresh token of
    it worked any more."""


@dataclass(eq=False)
class AccountSession:
    """One signed-in device of an account, from signing in until it ends."""

    organization_id: UUID
    account_id: UUID
    started_at: datetime
    password_version: int | None
    """The account's while live; None once ended."""
    ended_at: datetime | None = None
    end_reason: SessionEnd | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def start(cls, account: Account, now: datetime) -> AccountSession:
        return cls(
            organization_id=account.organization_id,
            account_id=account.id,
            started_at=now,
            password_version=account.password_version,
        )

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    def end(self, now: datetime, reason: SessionEnd) -> None:
        if self.ended_at is None:
            self.ended_at = now
            self.end_reason = reason
            self.password_version = None


@dataclass(eq=False)
class RefreshToken:
    organization_id: UUID
    account_id: UUID
    session_id: UUID
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    replaced_by_id: UUID | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def issue(
        cls, *, session: AccountSession, now: datetime, lifetime: timedelta
    ) -> tuple[RefreshToken, str]:
        secret = new_secret()
        token = cls(
            organization_id=session.organization_id,
            account_id=session.account_id,
            session_id=session.id,
            token_hash=hash_secret(secret),
            issued_at=now,
            expires_at=now + lifetime,
        )
        return token, secret

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now


@dataclass(eq=False)
class Invitation:
    """An org faculty member's invitation for a person to set a password."""

    organization_id: UUID
    person_id: UUID
    email: str
    token_hash: str
    invited_by_id: UUID
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        person_id: UUID,
        email: str,
        invited_by_id: UUID,
        now: datetime,
        lifetime: timedelta,
    ) -> tuple[Invitation, str]:
        secret = new_secret()
        invitation = cls(
            organization_id=organization_id,
            person_id=person_id,
            email=email,
            token_hash=hash_secret(secret),
            invited_by_id=invited_by_id,
            created_at=now,
            expires_at=now + lifetime,
        )
        return invitation, secret

    def is_open(self, now: datetime) -> bool:
        return self.accepted_at is None and now < self.expires_at


class ResetClose(enum.Enum):
    """Why a password reset token stopped working before it expired."""

    USED = "USED"
    REPLACED = "REPLACED"
    """A newer request for the same account."""
    PASSWORD_CHANGED = "PASSWORD_CHANGED"


@dataclass(eq=False)
class PasswordReset:
    """A mailed token that sets a new password once, within its lifetime.

    At most one is open per account: a new request closes the older one.
    """

    organization_id: UUID
    account_id: UUID
    token_hash: str
    requested_at: datetime
    expires_at: datetime
    password_version: int | None
    """The account's while open; None once closed."""
    closed_at: datetime | None = None
    close_reason: ResetClose | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls, *, account: Account, now: datetime, lifetime: timedelta
    ) -> tuple[PasswordReset, str]:
        secret = new_secret()
        reset = cls(
            organization_id=account.organization_id,
            account_id=account.id,
            token_hash=hash_secret(secret),
            requested_at=now,
            expires_at=now + lifetime,
            password_version=account.password_version,
        )
        return reset, secret

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and now < self.expires_at

    def close(self, now: datetime, reason: ResetClose) -> None:
        if self.closed_at is None:
            self.closed_at = now
            self.close_reason = reason
            self.password_version = None
