"""Cursor connections (Relay) over keyset pages, with a page-size cap."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TypeVar

import orjson
import strawberry
from strawberry import relay

from api.graphql.errors import PublicError
from domain.pagination import Page, PageRequest, SortKey

N = TypeVar("N")
E = TypeVar("E")


def encode_cursor(key: SortKey) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode()


def decode_cursor(cursor: str) -> SortKey:
    try:
        value = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise PublicError("That cursor is not valid.", "INVALID_CURSOR") from exc
    # PostgreSQL text cannot hold NUL: such a value would fail in the
    # database, as an unexpected error instead of a bad cursor.
    if (
        not isinstance(value, list)
        or not value
        or any(isinstance(v, str) and "\x00" in v for v in value)
    ):
        raise PublicError("That cursor is not valid.", "INVALID_CURSOR")
    return tuple(value)


def page_request(
    info: strawberry.Info,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> PageRequest:
    settings = info.context.settings
    if first is not None and last is not None:
        raise PublicError("Pass either first or last, not both.", "INVALID_PAGINATION")
    for name, size in (("first", first), ("last", last)):
        if size is not None and size < 0:
            raise PublicError(f"{name} must not be negative.", "INVALID_PAGINATION")
        if size is not None and size > settings.max_page_size:
            raise PublicError(
                f"{name} may be at most {settings.max_page_size}.", "PAGE_SIZE_EXCEEDED"
            )
    if first is None and last is None:
        first = settings.default_page_size
    return PageRequest(
        first=first,
        after=decode_cursor(after) if after else None,
        last=last,
        before=decode_cursor(before) if before else None,
    )


def connection(page: Page[E], node: Callable[[E], N]) -> relay.Connection[N]:
    edges = [relay.Edge(node=node(item), cursor=encode_cursor(key)) for item, key in page.items]
    return relay.Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
