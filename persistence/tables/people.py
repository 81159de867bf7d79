from __future__ import annotations

import sqlalchemy as sa

from domain.people import PersonStatus
from persistence.tables.base import (
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)

people = sa.Table(
    "people",
    metadata,
    id_column(),
    organization_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("handle", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("timezone", sa.Text, nullable=False),
    enum_column("status", PersonStatus),
    timestamp("left_at", nullable=True),
    timestamp("created_at"),
    sa.Column("stewardee_capacity", sa.Integer, nullable=True),
    sa.Column("mentee_capacity", sa.Integer, nullable=True),
    # The k rule of anonymous feedback reads these two: since when someone is
    # a member (null until they accept their invitation) and who invited them.
    timestamp("member_since", nullable=True),
    uuid_column("invited_by_id", nullable=True),
    sa.UniqueConstraint("organization_id", "id"),
    same_organization_fk("invited_by_id", "people"),
    sa.UniqueConstraint("organization_id", "handle"),
    sa.UniqueConstraint("organization_id", "email"),
    sa.CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    sa.CheckConstraint("handle = lower(handle)", name="handle_lowercase"),
    sa.CheckConstraint("(status = 'LEFT') = (left_at IS NOT NULL)", name="left_at_iff_left"),
    sa.CheckConstraint(
        "stewardee_capacity BETWEEN 0 AND 50 AND mentee_capacity BETWEEN 0 AND 50",
        name="capacities_in_range",
    ),
    sa.CheckConstraint("invited_by_id <> id", name="not_invited_by_oneself"),
    sa.CheckConstraint("shows_as_written(name)", name="name_shows_as_written"),
    sa.CheckConstraint("shows_as_written(handle)", name="handle_shows_as_written"),
    sa.CheckConstraint("shows_as_written(email)", name="email_shows_as_written"),
)
# Keyset pagination of the directory walks (lower(name), id) in an organization.
sa.Index(
    "ix_people_organization_id_lower_name_id",
    people.c.organization_id,
    sa.func.lower(people.c.name),
    people.c.id,
)
