"""Credentials and sessions, kept apart from the profile in `domain.people`.

Secrets (refresh tokens, invitation tokens) are random strings handed to the
client once; only their SHA-256 is stored, so a database dump cannot be
replayed. Refresh tokens rotate: each use replaces the token, and presenting
a token that was already replaced revokes its whole family (the usual sign
that it was stolen).
"""

from __future__ import annotations

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


def check_password_policy(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed(
            "password", f"A password has at least {PASSWORD_MIN} characters.", code="WEAK_PASSWORD"
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationFailed(
            "password", f"A password has at most {PASSWORD_MAX} characters.", code="TOO_LONG"
        )


@dataclass(eq=False)
class Account:
    organization_id: UUID
    person_id: UUID
    email: str
    password_hash: str
    created_at: datetime
    last_sign_in_at: datetime | None = None
    id: UUID = field(default_factory=new_id)


@dataclass(eq=False)
class RefreshToken:
    organization_id: UUID
    account_id: UUID
    family_id: UUID
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    replaced_by_id: UUID | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def issue(
        cls,
        *,
        account: Account,
        now: datetime,
        lifetime: timedelta,
        family_id: UUID | None = None,
    ) -> tuple[RefreshToken, str]:
        secret = new_secret()
        token = cls(
            organization_id=account.organization_id,
            account_id=account.id,
            family_id=family_id or new_id(),
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
