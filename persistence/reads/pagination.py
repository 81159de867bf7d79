"""Keyset pagination over any ordered select."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import ValidationFailed
from domain.pagination import Page, PageRequest, SortKey

T = TypeVar("T")


def _coerce(column: ColumnElement[Any], value: Any) -> Any:
    """Cursor values arrive as JSON scalars; give them back their column type."""
    python_type = column.type.python_type
    try:
        if python_type is uuid.UUID:
            return uuid.UUID(str(value))
        if python_type is datetime:
            moment = datetime.fromisoformat(str(value))
            if moment.tzinfo is None:
                raise ValueError("naive")
            return moment.astimezone(UTC)  # out-of-range moments fail here
        if not isinstance(value, python_type):
            raise TypeError
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationFailed(
            "cursor", "That cursor is not valid.", code="INVALID_CURSOR"
        ) from exc
    return value


def _plain(value: Any) -> Any:
    """Sort keys become JSON scalars for cursors (asyncpg has its own UUID)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _key(columns: Sequence[ColumnElement[Any]], raw: SortKey) -> tuple[Any, ...]:
    if len(raw) != len(columns):
        raise ValidationFailed("cursor", "That cursor is not valid.", code="INVALID_CURSOR")
    return tuple(_coerce(c, v) for c, v in zip(columns, raw, strict=True))


async def keyset_page(
    session: AsyncSession,
    query: Select[Any],
    order_by: Sequence[ColumnElement[Any]],
    request: PageRequest,
    *,
    descending: bool = False,
) -> Page[Any]:
    """One statement per page: fetch one row more than asked to learn whether
    another page follows. `query` selects one entity; the sort key of each
    row is read from the database with it, so cursors compare exactly as
    PostgreSQL does (collation, lower()). `descending` lists newest first."""
    columns = tuple_(*order_by)
    if request.after is not None:
        after = tuple_(*_key(order_by, request.after))
        query = query.where(columns < after if descending else columns > after)
    if request.before is not None:
        before = tuple_(*_key(order_by, request.before))
        query = query.where(columns > before if descending else columns < before)
    if request.backwards != descending:
        query = query.order_by(*(c.desc() for c in order_by))
    else:
        query = query.order_by(*order_by)
    query = query.add_columns(*order_by).limit(request.size + 1)
    rows = [(row[0], tuple(_plain(v) for v in row[1:])) for row in await session.execute(query)]
    more = len(rows) > request.size
    rows = rows[: request.size]
    if request.backwards:
        rows.reverse()
        return Page(items=rows, has_next_page=request.before is not None, has_previous_page=more)
    return Page(items=rows, has_next_page=more, has_previous_page=request.after is not None)


def by_name(column: ColumnElement[str]) -> ColumnElement[str]:
    """Names sort as people read them: without regard to letter case."""
    return func.lower(column, type_=column.type)
