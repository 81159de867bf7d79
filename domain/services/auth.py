"""Signing in, rotating sessions, signing out and accepting invitations.

Every failure here is the same `AuthenticationFailed`, whatever the cause:
an attacker learns nothing about which emails exist or which tokens were
once valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.accounts import Account, RefreshToken, check_password_policy, hash_secret
from domain.errors import AuthenticationFailed
from domain.people import Person
from domain.ports import PasswordHasher, UnitOfWork
from domain.validation import EMAIL_PATTERN, fold_email

INVALID_CREDENTIALS = "Email or password is incorrect."
INVALID_SESSION = "This session is no longer valid; sign in again."
INVALID_INVITATION = "This invitation is not valid; ask for a new one."


@dataclass(frozen=True)
class IssuedSession:
    """What the edge needs to mint an access token and hand out the refresh token."""

    person: Person
    refresh_token: str
    refresh_expires_at: datetime


async def sign_in(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    *,
    email: str,
    password: str,
    now: datetime,
    refresh_lifetime: timedelta,
) -> IssuedSession:
    normalized = fold_email(email)
    account = (
        await uow.accounts.get_by_email(normalized) if EMAIL_PATTERN.match(normalized) else None
    )
    if account is None:
        hasher.verify_dummy(password)
        raise AuthenticationFailed(INVALID_CREDENTIALS, code="INVALID_CREDENTIALS")
    if not hasher.verify(password, account.password_hash):
        raise AuthenticationFailed(INVALID_CREDENTIALS, code="INVALID_CREDENTIALS")
    uow.bind_organization(account.organization_id)
    person = await uow.people.get(account.person_id)
    if person is None or not person.is_active:
        raise AuthenticationFailed(INVALID_CREDENTIALS, code="INVALID_CREDENTIALS")
    account.last_sign_in_at = now
    session, _ = await _issue(uow, account, person, now=now, lifetime=refresh_lifetime)
    return session


async def refresh_session(
    uow: UnitOfWork, *, refresh_token: str, now: datetime, refresh_lifetime: timedelta
) -> IssuedSession:
    """Rotate: the presented token is spent and a new one of the same family
    issued. A spent token presented again means two parties hold it; the
    whole family is revoked so the thief's copy dies with the victim's."""
    token = await uow.refresh_tokens.get_by_hash(hash_secret(refresh_token), for_update=True)
    if token is None:
        raise AuthenticationFailed(INVALID_SESSION, code="INVALID_SESSION")
    if token.replaced_by_id is not None:
        await uow.refresh_tokens.revoke_family(token.family_id, now)
        await uow.commit()  # the revocation must stick although this request fails
        raise AuthenticationFailed(INVALID_SESSION, code="INVALID_SESSION")
    if not token.is_usable(now):
        raise AuthenticationFailed(INVALID_SESSION, code="INVALID_SESSION")
    account = await uow.accounts.get(token.account_id)
    if account is None:
        raise AuthenticationFailed(INVALID_SESSION, code="INVALID_SESSION")
    uow.bind_organization(account.organization_id)
    person = await uow.people.get(account.person_id)
    if person is None or not person.is_active:
        raise AuthenticationFailed(INVALID_SESSION, code="INVALID_SESSION")
    session, successor = await _issue(
        uow, account, person, now=now, lifetime=refresh_lifetime, family_id=token.family_id
    )
    token.revoke(now)
    token.replaced_by_id = successor.id
    return session


async def sign_out(uow: UnitOfWork, *, refresh_token: str, now: datetime) -> None:
    """Ends this device's session (its token family). Unknown tokens are
    ignored: signing out twice is not an error worth showing anyone."""
    token = await uow.refresh_tokens.get_by_hash(hash_secret(refresh_token), for_update=True)
    if token is not None:
        await uow.refresh_tokens.revoke_family(token.family_id, now)


async def accept_invitation(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    *,
    token: str,
    password: str,
    now: datetime,
    refresh_lifetime: timedelta,
) -> IssuedSession:
    invitation = await uow.invitations.get_by_hash(hash_secret(token), for_update=True)
    if invitation is None or not invitation.is_open(now):
        raise AuthenticationFailed(INVALID_INVITATION, code="INVALID_INVITATION")
    check_password_policy(password)
    uow.bind_organization(invitation.organization_id)
    person = await uow.people.get(invitation.person_id)
    if person is None or not person.is_active:
        raise AuthenticationFailed(INVALID_INVITATION, code="INVALID_INVITATION")
    if await uow.accounts.get_by_person(person.id) or await uow.accounts.get_by_email(person.email):
        raise AuthenticationFailed(INVALID_INVITATION, code="INVALID_INVITATION")
    account = Account(
        organization_id=person.organization_id,
        person_id=person.id,
        email=person.email,
        password_hash=hasher.hash(password),
        created_at=now,
        last_sign_in_at=now,
    )
    await uow.accounts.add(account)
    invitation.accepted_at = now
    person.join(now)
    session, _ = await _issue(uow, account, person, now=now, lifetime=refresh_lifetime)
    return session


async def _issue(
    uow: UnitOfWork,
    account: Account,
    person: Person,
    *,
    now: datetime,
    lifetime: timedelta,
    family_id: UUID | None = None,
) -> tuple[IssuedSession, RefreshToken]:
    token, secret = RefreshToken.issue(
        account=account, now=now, lifetime=lifetime, family_id=family_id
    )
    await uow.refresh_tokens.add(token)
    session = IssuedSession(
        person=person,
        refresh_token=secret,
        refresh_expires_at=token.expires_at,
    )
    return session, token
