from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import ColumnElement, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.agreements import (
    AgreementChange,
    AgreementField,
    AgreementStatus,
    AutonomyAgreement,
)
from domain.relationships import RelationshipKind, RelationshipStatus
from persistence.tables import agreement_changes, autonomy_agreements, relationships

a = autonomy_agreements
_FIELD_ORDER = case(
    {field.name: rank for rank, field in enumerate(AgreementField)},
    value=sa.cast(agreement_changes.c.field, sa.Text),
)


def _party(viewer_id: UUID) -> ColumnElement[bool]:
    return or_(a.c.leader_id == viewer_id, a.c.follower_id == viewer_id)


async def agreements_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, AutonomyAgreement]:
    """Agreements are for their two people only."""
    rows = await session.scalars(
        select(AutonomyAgreement).where(
            a.c.organization_id == organization_id, a.c.id.in_(ids), _party(viewer_id)
        )
    )
    return {x.id: x for x in rows}


async def agreements_of_people(
    session: AsyncSession, organization_id: UUID, person_ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, list[AutonomyAgreement]]:
    """For each person, the agreements they are part of that the viewer is
    part of too (the viewer sees only their own agreements), open ones."""
    rows = await session.scalars(
        select(AutonomyAgreement)
        .where(
            a.c.organization_id == organization_id,
            _party(viewer_id),
            or_(a.c.leader_id.in_(person_ids), a.c.follower_id.in_(person_ids)),
            a.c.status != AgreementStatus.ENDED,
        )
        .order_by(a.c.created_at, a.c.id)
    )
    result: dict[UUID, list[AutonomyAgreement]] = defaultdict(list)
    wanted = set(person_ids)
    for agreement in rows:
        for person_id in {agreement.leader_id, agreement.follower_id} & wanted:
            result[person_id].append(agreement)
    return result


async def agreements_led_in_stewardships(
    session: AsyncSession, organization_id: UUID, steward_id: UUID
) -> list[AutonomyAgreement]:
    """Active agreements a steward has with their current stewardees."""
    r = relationships
    rows = await session.scalars(
        select(AutonomyAgreement)
        .join(r, r.c.id == a.c.relationship_id)
        .where(
            a.c.organization_id == organization_id,
            a.c.leader_id == steward_id,
            a.c.status == AgreementStatus.ACTIVE,
            r.c.kind == RelationshipKind.STEWARDSHIP,
            r.c.status == RelationshipStatus.ACTIVE,
        )
        .order_by(a.c.follower_id, a.c.created_at, a.c.id)
    )
    return list(rows)


async def changes_of_agreements(
    session: AsyncSession, organization_id: UUID, agreement_ids: Sequence[UUID]
) -> dict[UUID, list[AgreementChange]]:
    """Oldest first. Callers pass only agreements the viewer is part of."""
    ch = agreement_changes
    rows = await session.scalars(
        select(AgreementChange)
        .where(ch.c.organization_id == organization_id, ch.c.agreement_id.in_(agreement_ids))
        # Changes of one request share their time: the order they were made in
        # (the order of AgreementField) keeps the history deterministic.
        .order_by(ch.c.changed_at, _FIELD_ORDER, ch.c.id)
    )
    result: dict[UUID, list[AgreementChange]] = defaultdict(list)
    for change in rows:
        result[change.agreement_id].append(change)
    return result
