"""Accounts and what hangs off them. Like accounts, sessions, tokens and
resets are found before the organization is known (by a token's hash), so
these repositories are not bound to one."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts import (
    Account,
    AccountSession,
    Invitation,
    PasswordReset,
    RefreshToken,
    ResetClose,
    SessionEnd,
)
from persistence.repositories.base import locked
from persistence.tables import invitations, password_resets, refresh_tokens, sessions


class SqlAccountRepository:
    """Looked up by email before the organization is known (see ports)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, account: Account) -> None:
        self.session.add(account)
        await self.session.flush()

    async def get(self, account_id: UUID, *, for_update: bool = False) -> Account | None:
        query = select(Account).filter_by(id=account_id)
        return await self.session.scalar(locked(query, for_update))

    async def get_by_email(self, email: str) -> Account | None:
        return await self.session.scalar(select(Account).filter_by(email=email.lower()))

    async def get_by_person(self, person_id: UUID) -> Account | None:
        return await self.session.scalar(select(Account).filter_by(person_id=person_id))


class SqlAccountSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, session: AccountSession) -> None:
        self.session.add(session)
        await self.session.flush()

    async def get(self, session_id: UUID, *, for_update: bool = False) -> AccountSession | None:
        query = select(AccountSession).filter_by(id=session_id)
        return await self.session.scalar(locked(query, for_update))

    async def end(self, session: AccountSession, now: datetime, reason: SessionEnd) -> None:
        session.end(now, reason)
        # The session's row before its tokens' rows: the lock order of every path.
        await self.session.flush()
        await self._revoke_tokens(refresh_tokens.c.session_id == session.id, now)

    async def end_all_of_account(self, account_id: UUID, now: datetime, reason: SessionEnd) -> None:
        await self.session.execute(
            update(AccountSession)
            .where(sessions.c.account_id == account_id, sessions.c.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason, password_version=None)
            .execution_options(synchronize_session="fetch")
        )
        await self._revoke_tokens(refresh_tokens.c.account_id == account_id, now)

    async def _revoke_tokens(self, which: ColumnElement[bool], now: datetime) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(which, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )


class SqlRefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token: RefreshToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def get_by_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> RefreshToken | None:
        query = select(RefreshToken).filter_by(token_hash=token_hash)
        return await self.session.scalar(locked(query, for_update))


class SqlPasswordResetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, reset: PasswordReset) -> None:
        self.session.add(reset)
        await self.session.flush()

    async def get_by_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> PasswordReset | None:
        query = select(PasswordReset).filter_by(token_hash=token_hash)
        return await self.session.scalar(locked(query, for_update))

    async def close_open_of_account(
        self, account_id: UUID, now: datetime, reason: ResetClose
    ) -> None:
        await self.session.execute(
            update(PasswordReset)
            .where(
                password_resets.c.account_id == account_id, password_resets.c.closed_at.is_(None)
            )
            .values(closed_at=now, close_reason=reason, password_version=None)
            .execution_options(synchronize_session="fetch")
        )


class SqlInvitationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, invitation: Invitation) -> None:
        self.session.add(invitation)
        await self.session.flush()

    async def get_by_hash(self, token_hash: str, *, for_update: bool = False) -> Invitation | None:
        query = select(Invitation).filter_by(token_hash=token_hash)
        return await self.session.scalar(locked(query, for_update))

    async def open_for_person(self, person_id: UUID, now: datetime) -> list[Invitation]:
        rows = await self.session.scalars(
            select(Invitation).where(
                invitations.c.person_id == person_id,
                invitations.c.accepted_at.is_(None),
                invitations.c.expires_at > now,
            )
        )
        return list(rows)
