"""Keyset pagination, independent of how pages are stored or shown.

A cursor is the sort key of an item (for people: name, then id). Keyset
pages stay correct while rows are inserted, and cost the same on page 1000
as on page 1, unlike offsets.
"""

from __future__ import annotations

from collections.abc import Sequence
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
