from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from domain.relationships import (
    MentorshipArea,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
    duplicate_proposal,
)
from persistence.integrity import constraint_name
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import mentorship_areas, relationships

OPEN = (RelationshipStatus.PROPOSED, RelationshipStatus.ACTIVE)

r = relationships
m = mentorship_areas


class SqlRelationshipRepository(TenantRepository):
    """A proposal that repeats an open one made meanwhile by a concurrent
    request passes the service's check, and a unique index refuses it once
    the first commits. The rows go in under a savepoint, so that the
    transaction can still read which proposal it repeats and raise the
    domain's error naming it."""

    async def add(self, relationship: Relationship) -> None:
        if (
            relationship.status is not RelationshipStatus.PROPOSED
            or relationship.kind is RelationshipKind.MENTORSHIP
        ):  # outside the index below (a mentorship's is on its areas)
            self.session.add(relationship)
            await self.session.flush()
            return
        same = and_(
            r.c.kind == relationship.kind,
            r.c.leader_id == relationship.leader_id,
            r.c.follower_id == relationship.follower_id,
            r.c.replaces_id.is_not_distinct_from(relationship.replaces_id),
        )
        await self._add_proposal([relationship], "uq_relationships_open_proposal", same)

    async def add_areas(self, areas: Sequence[MentorshipArea]) -> None:
        if not areas:
            return
        covering = select(m.c.relationship_id).where(
            m.c.organization_id == self.organization_id,
            m.c.leader_id == areas[0].leader_id,
            m.c.follower_id == areas[0].follower_id,
            m.c.knowledge_area_id.in_([a.knowledge_area_id for a in areas]),
        )
        await self._add_proposal(areas, "uq_mentorship_areas_proposed", r.c.id.in_(covering))

    async def _add_proposal(
        self, rows: Sequence[object], index: str, same: ColumnElement[bool]
    ) -> None:
        try:
            async with self.session.begin_nested():
                self.session.add_all(rows)
                await self.session.flush()
        except IntegrityError as error:
            if constraint_name(error) != index:
                raise
            existing = await self.session.scalar(
                select(r.c.id)
                .where(
                    r.c.organization_id == self.organization_id,
                    r.c.status == RelationshipStatus.PROPOSED,
                    same,
                )
                .order_by(r.c.proposed_at, r.c.id)
                .limit(1)
            )
            if existing is None:  # answered meanwhile: the index's own error then
                raise
            raise duplicate_proposal(existing) from error

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
                mentorship_areas.c.status == RelationshipStatus.ACTIVE,
            )
        )
        return set(rows)

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
