"""Keyset pagination, independent of how pages are stored or shown.

A cursor is the sort key of an item (for people: name, then id). Keyset
pages stay correct while rows are inserted, and cost the same on page 1000
as on page 1, unlike offsets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

SortKey = tuple[Any, ...]


@dataclass(frozen=True)
class PageRequest:
    """Either `first` items after `after`, or `last` items before `before`."""

    first: int | None = None
    after: SortKey | None = None
    last: int | None = None
    before: SortKey | None = None

    @property
    def backwards(self) -> bool:
        return self.last is not None

    @property
    def size(self) -> int:
        size = self.last if self.backwards else self.first
        assert size is not None
        return size


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[tuple[T, SortKey]]
    has_next_page: bool
    has_previous_page: bool


def page_of(items: Sequence[T], key: Callable[[T], SortKey], request: PageRequest) -> Page[T]:
    """The keyset page of a list ranked in memory (in ascending `key`
    order): what a query would give for rows, for lists only Python can
    order (matches scored in the domain)."""
    keyed = [(item, key(item)) for item in items]
    if request.after is not None:
        keyed = [(item, k) for item, k in keyed if k > request.after]
    if request.before is not None:
        keyed = [(item, k) for item, k in keyed if k < request.before]
    more = len(keyed) > request.size
    if request.backwards:
        return Page(
            items=keyed[len(keyed) - request.size :] if more else keyed,
            has_next_page=request.before is not None,
            has_previous_page=more,
        )
    return Page(
        items=keyed[: request.size],
        has_next_page=more,
        has_previous_page=request.after is not None,
    )
