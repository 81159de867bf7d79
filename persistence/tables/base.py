"""Shared metadata and column helpers.

The naming convention gives every constraint a predictable name: migrations
stay reviewable and `persistence.integrity` can map a violated constraint
back to the domain error it stands for.
"""

from __future__ import annotations

import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from domain.availability import Window

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def id_column() -> sa.Column[Any]:
    return sa.Column("id", UUID(as_uuid=True), primary_key=True)


def organization_column() -> sa.Column[Any]:
    """Every tenant row carries its organization (and future sharding key)."""
    return sa.Column(
        "organization_id",
        UUID(as_uuid=True),
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"),
        nullable=False,
    )


def uuid_column(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, UUID(as_uuid=True), nullable=nullable)


def timestamp(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def enum_column(
    name: str, enum_class: type[enum.Enum], *, nullable: bool = False
) -> sa.Column[Any]:
    """Enums are text with a CHECK constraint: adding a value is a plain
    migration, unlike PostgreSQL enum types."""
    return sa.Column(
        name,
        sa.Enum(
            enum_class,
            native_enum=False,
            create_constraint=True,
            length=32,
            name=name,
            validate_strings=True,
        ),
        nullable=nullable,
    )


def same_organization_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    """A reference that must stay inside the organization: the composite key
    makes the database refuse any row that points into another tenant."""
    return sa.ForeignKeyConstraint(
        ["organization_id", column], [f"{table}.organization_id", f"{table}.id"]
    )


class Windows(sa.types.TypeDecorator[list[Window]]):
    """Weekly windows as a JSON list of [weekday, start, end] (minutes)."""

    impl = JSONB
    cache_ok = True

    def process_bind_param(self, value: list[Window] | None, dialect: Any) -> Any:
        return None if value is None else [[w.weekday, w.start, w.end] for w in value]

    def process_result_value(self, value: Any, dialect: Any) -> list[Window] | None:
        return None if value is None else [Window(*entry) for entry in value]
