from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select

from domain.mentoring import LearningWish, MentorOffer, MentorProfile, OfferStatus, WishStatus
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import learning_wishes, mentor_offers

o, w = mentor_offers, learning_wishes


class SqlMentoringRepository(TenantRepository):
    async def add_offer(self, offer: MentorOffer) -> None:
        self.session.add(offer)
        await self.session.flush()

    async def get_offer(self, offer_id: UUID, *, for_update: bool = False) -> MentorOffer | None:
        query = select(MentorOffer).filter_by(organization_id=self.organization_id, id=offer_id)
        return await self.session.scalar(locked(query, for_update))

    async def live_offers_of(self, mentor_id: UUID) -> list[MentorOffer]:
        rows = await self.session.scalars(
            select(MentorOffer).where(
                o.c.organization_id == self.organization_id,
                o.c.mentor_id == mentor_id,
                o.c.status != OfferStatus.WITHDRAWN,
            )
        )
        return list(rows)

    async def add_profile(self, profile: MentorProfile) -> None:
        self.session.add(profile)
        await self.session.flush()

    async def get_profile(
        self, person_id: UUID, *, for_update: bool = False
    ) -> MentorProfile | None:
        query = select(MentorProfile).filter_by(
            organization_id=self.organization_id, person_id=person_id
        )
        return await self.session.scalar(locked(query, for_update))

    async def add_wish(self, wish: LearningWish) -> None:
        self.session.add(wish)
        await self.session.flush()

    async def get_wish(self, wish_id: UUID, *, for_update: bool = False) -> LearningWish | None:
        query = select(LearningWish).filter_by(organization_id=self.organization_id, id=wish_id)
        return await self.session.scalar(locked(query, for_update))

    async def open_wishes_of(self, person_id: UUID, area_ids: Sequence[UUID]) -> list[LearningWish]:
        rows = await self.session.scalars(
            locked(
                select(LearningWish).where(
                    w.c.organization_id == self.organization_id,
                    w.c.person_id == person_id,
                    w.c.knowledge_area_id.in_(area_ids),
                    w.c.status == WishStatus.OPEN,
                )
            )
        )
        return list(rows)
