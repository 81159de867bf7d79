from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.mentoring import OfferStatus, WishStatus
from persistence.tables.base import (
    Windows,
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)


def _windows() -> sa.Column[Any]:
    return sa.Column("availability", Windows, nullable=False, server_default="[]")


mentor_offers = sa.Table(
    "mentor_offers",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("mentor_id"),
    uuid_column("knowledge_area_id"),
    sa.Column("proficiency", sa.SmallInteger, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    enum_column("status", OfferStatus),
    timestamp("created_at"),
    timestamp("updated_at", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    same_organization_fk("mentor_id", "people"),
    same_organization_fk("knowledge_area_id", "knowledge_areas"),
    sa.CheckConstraint("proficiency BETWEEN 1 AND 5", name="proficiency_from_1_to_5"),
)
# One live offer per mentor and area; withdrawn ones stay as history.
sa.Index(
    "uq_mentor_offers_live",
    mentor_offers.c.mentor_id,
    mentor_offers.c.knowledge_area_id,
    unique=True,
    postgresql_where=sa.text("status <> 'WITHDRAWN'"),
)
# Matching looks up the active offers of a few areas above a proficiency.
sa.Index(
    "ix_mentor_offers_matching",
    mentor_offers.c.knowledge_area_id,
    mentor_offers.c.proficiency,
    postgresql_where=sa.text("status = 'ACTIVE'"),
)

# The faculty lead's overview looks up the live offers of an area and those below it.
sa.Index(
    "ix_mentor_offers_live_area",
    mentor_offers.c.knowledge_area_id,
    postgresql_where=sa.text("status <> 'WITHDRAWN'"),
)

mentor_profiles = sa.Table(
    "mentor_profiles",
    metadata,
    organization_column(),
    uuid_column("person_id"),
    sa.Column("accepting", sa.Boolean, nullable=False),
    _windows(),
    timestamp("updated_at"),
    sa.PrimaryKeyConstraint("person_id"),
    same_organization_fk("person_id", "people"),
)

learning_wishes = sa.Table(
    "learning_wishes",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("person_id"),
    uuid_column("knowledge_area_id"),
    sa.Column("current", sa.SmallInteger, nullable=False),
    sa.Column("desired", sa.SmallInteger, nullable=False),
    _windows(),
    uuid_column("goal_id", nullable=True),
    enum_column("status", WishStatus),
    timestamp("created_at"),
    timestamp("closed_at", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    same_organization_fk("person_id", "people"),
    same_organization_fk("knowledge_area_id", "knowledge_areas"),
    same_organization_fk("goal_id", "goals"),
    sa.CheckConstraint(
        "current BETWEEN 1 AND 5 AND desired BETWEEN 1 AND 5 AND desired > current",
        name="proficiencies_in_order",
    ),
    sa.CheckConstraint("(status = 'OPEN') = (closed_at IS NULL)", name="closed_iff_at"),
)
# One open wish per person and area.
sa.Index(
    "uq_learning_wishes_open",
    learning_wishes.c.person_id,
    learning_wishes.c.knowledge_area_id,
    unique=True,
    postgresql_where=sa.text("status = 'OPEN'"),
)
sa.Index(
    "ix_learning_wishes_area_open",
    learning_wishes.c.knowledge_area_id,
    postgresql_where=sa.text("status = 'OPEN'"),
)
