"""Signing in, rotating and ending sessions, accepting invitations, changing
and resetting passwords.

Every failure of signing in is the same `AuthenticationFailed`, whatever the
cause: an attacker learns nothing about which emails exist or which tokens
were once valid.

Hashing or verifying a password takes tens of milliseconds of CPU on
purpose. The use cases that do it take the unit-of-work factory instead of a
unit of work: they read what they need in a short transaction, hash while
holding no database connection (the hasher works off the event loop), and
write in a second short transaction that checks again, under a lock on the
account, that what they read still holds. So slow sign-ins never hold
connections or row locks, and a password that changed meanwhile is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain import validation
from domain.accounts import (
    Account,
    AccountSession,
    PasswordReset,
    RefreshToken,
    ResetClose,
    SessionEnd,
    check_password_policy,
    hash_secret,
)
from domain.actors import Actor
from domain.errors import AuthenticationFailed, ValidationFailed
from domain.people import Person
from domain.ports import Mailer, PasswordHasher, UnitOfWork, UnitOfWorkFactory
from domain.validation import EMAIL_PATTERN, fold_email

INVALID_CREDENTIALS = "Email or password is incorrect."
INVALID_SESSION = "This session is no longer valid; sign in again."
SESSION_ENDED = "This session has ended; sign in again."
INVALID_INVITATION = "This invitation is not valid; ask for a new one."
INVALID_RESET_TOKEN = "This password reset is not valid; ask for a new one."


@dataclass(frozen=True)
class IssuedSession:
    """What the edge needs to mint an access token and hand out the refresh token."""

    person: Person
    session_id: UUID
    refresh_token: str
    refresh_expires_at: datetime


def _invalid_credentials() -> AuthenticationFailed:
    return AuthenticationFailed(INVALID_CREDENTIALS, code="INVALID_CREDENTIALS")


def _invalid_session() -> AuthenticationFailed:
    return AuthenticationFailed(INVALID_SESSION, code="INVALID_SESSION")


def _invalid_invitation() -> AuthenticationFailed:
    return AuthenticationFailed(INVALID_INVITATION, code="INVALID_INVITATION")


def _invalid_reset() -> AuthenticationFailed:
    return AuthenticationFailed(INVALID_RESET_TOKEN, code="INVALID_RESET_TOKEN")


def session_ended() -> AuthenticationFailed:
    """An access token whose session ended (signed out, password changed...)."""
    return AuthenticationFailed(SESSION_ENDED, code="SESSION_ENDED")


@dataclass(frozen=True)
class _Credentials:
    """What verifying a password needs, copied out of a finished transaction."""

    account_id: UUID
    password_hash: str
    password_version: int

    @classmethod
    def of(cls, account: Account) -> _Credentials:
        return cls(account.id, account.password_hash, account.password_version)


async def sign_in(
    uows: UnitOfWorkFactory,
    hasher: PasswordHasher,
    *,
    email: str,
    password: str,
    now: datetime,
    refresh_lifetime: timedelta,
) -> IssuedSession:
    """An unknown email costs the same work as a wrong password (a dummy
    verification), and the person's state is only looked at after the
    password matched, so the answer's timing tells nothing either."""
    normalized = fold_email(email)
    credentials: _Credentials | None = None
    if EMAIL_PATTERN.match(normalized):
        async with uows() as uow:
            account = await uow.accounts.get_by_email(normalized)
            credentials = _Credentials.of(account) if account else None
    if credentials is None:
        await hasher.verify_dummy(password)
        raise _invalid_credentials()
    if not await hasher.verify(password, credentials.password_hash):
        raise _invalid_credentials()
    async with uows() as uow:
        account = await uow.accounts.get(credentials.account_id, for_update=True)
        # The password that matched may have been changed meanwhile.
        if account is None or account.password_version != credentials.password_version:
            raise _invalid_credentials()
        uow.bind_organization(account.organization_id)
        person = await uow.people.get(account.person_id)
        if person is None or not person.is_active:
            raise _invalid_credentials()
        account.last_sign_in_at = now
        issued = await _start_session(uow, account, person, now=now, lifetime=refresh_lifetime)
        await uow.commit()
    return issued


async def refresh_session(
    uow: UnitOfWork, *, refresh_token: str, now: datetime, refresh_lifetime: timedelta
) -> IssuedSession:
    """Rotate: the presented token is spent and a new one of the same session
    issued. A spent token presented again means two parties hold it; the
    whole session ends so the thief's copy dies with the victim's."""
    token_hash = hash_secret(refresh_token)
    found = await uow.refresh_tokens.get_by_hash(token_hash)
    if found is None:
        raise _invalid_session()
    session = await uow.account_sessions.get(found.session_id, for_update=True)
    token = await uow.refresh_tokens.get_by_hash(token_hash, for_update=True)
    if session is None or token is None:
        raise _invalid_session()
    if token.replaced_by_id is not None:
        await uow.account_sessions.end(session, now, SessionEnd.REFRESH_TOKEN_REUSED)
        await uow.commit()  # the end must stick although this request fails
        raise _invalid_session()
    if not token.is_usable(now) or not session.is_live:
        raise _invalid_session()
    account = await uow.accounts.get(token.account_id)
    if account is None:
        raise _invalid_session()
    uow.bind_organization(account.organization_id)
    person = await uow.people.get(account.person_id)
    if person is None or not person.is_active:
        raise _invalid_session()
    issued, successor = await _issue_refresh_token(
        uow, session, person, now=now, lifetime=refresh_lifetime
    )
    token.revoke(now)
    token.replaced_by_id = successor.id
    return issued


async def sign_out(uow: UnitOfWork, *, refresh_token: str, now: datetime) -> None:
    """Ends this device's session: its access tokens are refused from the
    next request on, its refresh tokens stop working. Unknown tokens are
    ignored: signing out twice is not an error worth showing anyone."""
    token = await uow.refresh_tokens.get_by_hash(hash_secret(refresh_token))
    if token is None:
        return
    session = await uow.account_sessions.get(token.session_id, for_update=True)
    if session is not None:
        await uow.account_sessions.end(session, now, SessionEnd.SIGNED_OUT)


async def accept_invitation(
    uows: UnitOfWorkFactory,
    hasher: PasswordHasher,
    *,
    token: str,
    password: str,
    now: datetime,
    refresh_lifetime: timedelta,
) -> IssuedSession:
    token_hash = hash_secret(token)
    async with uows() as uow:
        invitation = await uow.invitations.get_by_hash(token_hash)
        usable = invitation is not None and invitation.is_open(now)
    if not usable:
        raise _invalid_invitation()
    check_password_policy(password)
    password_hash = await hasher.hash(password)
    async with uows() as uow:
        invitation = await uow.invitations.get_by_hash(token_hash, for_update=True)
        if invitation is None or not invitation.is_open(now):
            raise _invalid_invitation()
        uow.bind_organization(invitation.organization_id)
        person = await uow.people.get(invitation.person_id)
        if person is None or not person.is_active:
            raise _invalid_invitation()
        if await uow.accounts.get_by_person(person.id) or await uow.accounts.get_by_email(
            person.email
        ):
            raise _invalid_invitation()
        account = Account(
            organization_id=person.organization_id,
            person_id=person.id,
            email=person.email,
            password_hash=password_hash,
            created_at=now,
            last_sign_in_at=now,
        )
        await uow.accounts.add(account)
        invitation.accepted_at = now
        person.join(now)
        issued = await _start_session(uow, account, person, now=now, lifetime=refresh_lifetime)
        await uow.commit()
    return issued


async def change_password(
    uows: UnitOfWorkFactory,
    hasher: PasswordHasher,
    actor: Actor,
    *,
    current_password: str,
    new_password: str,
    now: datetime,
    refresh_lifetime: timedelta,
) -> IssuedSession:
    """Every session of the person ends, the one asking included, which gets
    a fresh session instead: so after any change no session from before it
    lives (the database holds that, see `domain.accounts`), and another
    device that knew the old password is signed out at once."""
    check_password_policy(new_password, field="newPassword")
    if new_password == current_password:
        raise ValidationFailed(
            "newPassword",
            "The new password must differ from the current one.",
            code="SAME_PASSWORD",
        )
    async with uows(actor.organization_id) as uow:
        account = await uow.accounts.get_by_person(actor.person_id)
        credentials = _Credentials.of(account) if account else None
    if credentials is None:
        raise session_ended()
    if not await hasher.verify(current_password, credentials.password_hash):
        raise ValidationFailed(
            "currentPassword", "That is not your current password.", code="WRONG_PASSWORD"
        )
    password_hash = await hasher.hash(new_password)
    async with uows(actor.organization_id) as uow:
        account = await uow.accounts.get(credentials.account_id, for_update=True)
        session = await uow.account_sessions.get(actor.session_id) if actor.session_id else None
        # A change, reset or sign-out that won the race ended this session.
        if (
            account is None
            or account.password_version != credentials.password_version
            or session is None
            or session.account_id != account.id
            or not session.is_live
        ):
            raise session_ended()
        person = await uow.people.get(actor.person_id)
        if person is None or not person.is_active:
            raise session_ended()
        issued = await _replace_password(
            uow,
            account,
            person,
            password_hash,
            now=now,
            reason=SessionEnd.PASSWORD_CHANGED,
            lifetime=refresh_lifetime,
        )
        await uow.password_resets.close_open_of_account(
            account.id, now, ResetClose.PASSWORD_CHANGED
        )
        await uow.commit()
    return issued


async def request_password_reset(
    uows: UnitOfWorkFactory,
    mailer: Mailer,
    *,
    email: str,
    now: datetime,
    lifetime: timedelta,
) -> None:
    """Mails a reset token if the (validated) email has an account of an
    active person; does nothing otherwise. The caller must not let its
    answer depend on which: the edge answers before this runs."""
    async with uows() as uow:
        found = await uow.accounts.get_by_email(validation.email(email))
        if found is None:
            return
        # Serializes requests for one account: each closes the open one.
        account = await uow.accounts.get(found.id, for_update=True)
        if account is None:
            return
        uow.bind_organization(account.organization_id)
        person = await uow.people.get(account.person_id)
        organization = await uow.organizations.get(account.organization_id)
        if person is None or not person.is_active or organization is None:
            return
        await uow.password_resets.close_open_of_account(account.id, now, ResetClose.REPLACED)
        reset, secret = PasswordReset.create(account=account, now=now, lifetime=lifetime)
        await uow.password_resets.add(reset)
        await uow.commit()
    await mailer.send_password_reset(
        email=account.email, name=person.name, organization=organization.name, token=secret
    )


async def reset_password(
    uows: UnitOfWorkFactory,
    hasher: PasswordHasher,
    *,
    token: str,
    new_password: str,
    now: datetime,
    refresh_lifetime: timedelta,
) -> IssuedSession:
    """Sets the password, spends the token and ends every session of the
    account; the device that reset gets a fresh one. Whoever holds the
    token was the owner of the mailbox: nothing else is asked."""
    token_hash = hash_secret(token)
    async with uows() as uow:
        reset = await uow.password_resets.get_by_hash(token_hash)
        account_id = reset.account_id if reset is not None and reset.is_open(now) else None
    if account_id is None:
        raise _invalid_reset()
    check_password_policy(new_password, field="newPassword")
    password_hash = await hasher.hash(new_password)
    async with uows() as uow:
        # The account first, then its reset: the order requests take too.
        account = await uow.accounts.get(account_id, for_update=True)
        reset = await uow.password_resets.get_by_hash(token_hash, for_update=True)
        if account is None or reset is None or not reset.is_open(now):
            raise _invalid_reset()
        uow.bind_organization(account.organization_id)
        person = await uow.people.get(account.person_id)
        if person is None or not person.is_active:
            raise _invalid_reset()
        reset.close(now, ResetClose.USED)
        issued = await _replace_password(
            uow,
            account,
            person,
            password_hash,
            now=now,
            reason=SessionEnd.PASSWORD_RESET,
            lifetime=refresh_lifetime,
        )
        await uow.commit()
    return issued


async def _replace_password(
    uow: UnitOfWork,
    account: Account,
    person: Person,
    password_hash: str,
    *,
    now: datetime,
    reason: SessionEnd,
    lifetime: timedelta,
) -> IssuedSession:
    """Ends every session of the old password, then starts one with the new."""
    await uow.account_sessions.end_all_of_account(account.id, now, reason)
    account.set_password(password_hash)
    return await _start_session(uow, account, person, now=now, lifetime=lifetime)


async def _start_session(
    uow: UnitOfWork, account: Account, person: Person, *, now: datetime, lifetime: timedelta
) -> IssuedSession:
    session = AccountSession.start(account, now)
    await uow.account_sessions.add(session)
    issued, _ = await _issue_refresh_token(uow, session, person, now=now, lifetime=lifetime)
    return issued


async def _issue_refresh_token(
    uow: UnitOfWork,
    session: AccountSession,
    person: Person,
    *,
    now: datetime,
    lifetime: timedelta,
) -> tuple[IssuedSession, RefreshToken]:
    token, secret = RefreshToken.issue(session=session, now=now, lifetime=lifetime)
    await uow.refresh_tokens.add(token)
    issued = IssuedSession(
        person=person,
        session_id=session.id,
        refresh_token=secret,
        refresh_expires_at=token.expires_at,
    )
    return issued, token
