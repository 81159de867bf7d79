from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts import Account, Invitation, RefreshToken
from persistence.tables import invitations, refresh_tokens


class SqlAccountRepository:
    """Looked up by email before the organization is known (see ports)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, account: Account) -> None:
        self.session.add(account)
        await self.session.flush()

    async def get(self, account_id: UUID) -> Account | None:
        return await self.session.get(Account, account_id)

    async def get_by_email(self, email: str) -> Account | None:
        return await self.session.scalar(select(Account).filter_by(email=email.lower()))

    async def get_by_person(self, person_id: UUID) -> Account | None:
        return await self.session.scalar(select(Account).filter_by(person_id=person_id))


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
        if for_update:
            query = query.with_for_update(key_share=True)
        return await self.session.scalar(query)

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        await self.session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )

    async def revoke_all_for_account(self, account_id: UUID, now: datetime) -> None:
        await self.session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.account_id == account_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
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
        if for_update:
            query = query.with_for_update(key_share=True)
        return await self.session.scalar(query)

    async def open_for_person(self, person_id: UUID, now: datetime) -> list[Invitation]:
        rows = await self.session.scalars(
            select(Invitation).where(
                invitations.c.person_id == person_id,
                invitations.c.accepted_at.is_(None),
                invitations.c.expires_at > now,
            )
        )
        return list(rows)
