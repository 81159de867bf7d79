from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import func, or_, select, update

from domain.relationships import MentorshipArea, Relationship, RelationshipKind, RelationshipStatus
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import mentorship_areas, relationships

OPEN = (RelationshipStatus.PROPOSED, RelationshipStatus.ACTIVE)


class SqlRelationshipRepository(TenantRepository):
    async def add(self, relationship: Relationship) -> None:
        self.session.add(relationship)
        await self.session.flush()

    async def add_areas(self, areas: Sequence[MentorshipArea]) -> None:
        self.session.add_all(areas)
        await self.session.flush()

    async def get(self, relationship_id: UUID, *, for_update: bool = False) -> Relationship | None:
        query = select(Relationship).filter_by(
            organization_id=self.organization_id, id=relationship_id
        )
        return await self.session.scalar(locked(query, for_update))

    async def active_stewardship_of(
        self, follower_id: UUID, *, for_update: bool = False
    ) -> Relationship | None:
        query = select(Relationship).filter_by(
            organization_id=self.organization_id,
            follower_id=follower_id,
            kind=RelationshipKind.STEWARDSHIP,
            status=RelationshipStatus.ACTIVE,
        )
        return await self.session.scalar(locked(query, for_update))

    async def open_between(
        self, kind: RelationshipKind, leader_id: UUID, follower_id: UUID
    ) -> list[Relationship]:
        rows = await self.session.scalars(
            select(Relationship).where(
                relationships.c.organization_id == self.organization_id,
                relationships.c.kind == kind,
                relationships.c.leader_id == leader_id,
                relationships.c.follower_id == follower_id,
                relationships.c.status.in_(OPEN),
            )
        )
        return list(rows)

    async def open_involving(
        self, person_id: UUID, *, for_update: bool = False
    ) -> list[Relationship]:
        query = select(Relationship).where(
            relationships.c.organization_id == self.organization_id,
            or_(relationships.c.leader_id == person_id, relationships.c.follower_id == person_id),
            relationships.c.status.in_(OPEN),
        )
        if for_update:
            query = query.with_for_update(key_share=True)
        return list(await self.session.scalars(query))

    async def area_ids(self, relationship_id: UUID) -> list[UUID]:
        rows = await self.session.scalars(
            select(mentorship_areas.c.knowledge_area_id).where(
                mentorship_areas.c.organization_id == self.organization_id,
                mentorship_areas.c.relationship_id == relationship_id,
            )
        )
        return list(rows)

    async def active_mentorship_areas(self, leader_id: UUID, follower_id: UUID) -> set[UUID]:
        rows = await self.session.scalars(
            select(mentorship_areas.c.knowledge_area_id).where(
                mentorship_areas.c.organization_id == self.organization_id,
                mentorship_areas.c.leader_id == leader_id,
                mentorship_areas.c.follower_id == follower_id,
                mentorship_areas.c.active,
            )
        )
        return set(rows)

    async def set_areas_active(self, relationship_id: UUID, active: bool) -> None:
        await self.session.execute(
            update(mentorship_areas)
            .where(
                mentorship_areas.c.organization_id == self.organization_id,
                mentorship_areas.c.relationship_id == relationship_id,
            )
            .values(active=active)
        )

    async def count_active_led(self, leader_id: UUID, kind: RelationshipKind) -> int:
        return (
            await self.session.scalar(
                select(func.count()).where(
                    relationships.c.organization_id == self.organization_id,
                    relationships.c.leader_id == leader_id,
                    relationships.c.kind == kind,
                    relationships.c.status == RelationshipStatus.ACTIVE,
                )
            )
            or 0
        )

    async def active_mentor_ids(self, mentee_id: UUID) -> set[UUID]:
        rows = await self.session.scalars(
            select(relationships.c.leader_id).where(
                relationships.c.organization_id == self.organization_id,
                relationships.c.follower_id == mentee_id,
                relationships.c.kind == RelationshipKind.MENTORSHIP,
                relationships.c.status == RelationshipStatus.ACTIVE,
            )
        )
        return set(rows)

    async def due_for_review(self, today: date, *, for_update: bool = False) -> list[Relationship]:
        """Active relationships whose review date has come and that were not
        yet reminded for that date."""
        query = select(Relationship).where(
            relationships.c.organization_id == self.organization_id,
            relationships.c.status == RelationshipStatus.ACTIVE,
            relationships.c.review_on <= today,
            or_(
                relationships.c.review_reminded_on.is_(None),
                relationships.c.review_reminded_on < relationships.c.review_on,
            ),
        )
        if for_update:
            query = query.with_for_update(skip_locked=True, key_share=True)
        return list(await self.session.scalars(query))
