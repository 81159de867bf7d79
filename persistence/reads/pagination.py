"""Keyset pagination over any ordered select."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, tuple_
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
            return datetime.fromisoformat(str(value))
        if not isinstance(value, python_type):
            raise TypeError
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            "cursor", "That cursor is not valid.", code="INVALID_CURSOR"
        ) from exc
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
    sort_key: Callable[[Any], SortKey],
    scalars: bool = True,
    descending: bool = False,
) -> Page[Any]:
    """One statement per page: fetch one row more than asked to learn whether
    another page follows. `descending` lists newest first (notifications)."""
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
    query = query.limit(request.size + 1)
    result = await session.execute(query)
    rows = list(result.scalars() if scalars else result)
    more = len(rows) > request.size
    rows = rows[: request.size]
    if request.backwards:
        rows.reverse()
        return Page(
            items=[(row, sort_key(row)) for row in rows],
            has_next_page=request.before is not None,
            has_previous_page=more,
        )
    return Page(
        items=[(row, sort_key(row)) for row in rows],
        has_next_page=more,
        has_previous_page=request.after is not None,
    )
