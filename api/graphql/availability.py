"""Weekly availability windows, as mentors and coaches publish them."""

from __future__ import annotations

import strawberry

from domain.availability import Window


@strawberry.type(name="AvailabilityWindow", description="Weekly, in its owner's timezone.")
class WindowType:
    weekday: int = strawberry.field(description="0 is Monday.")
    start_minute: int
    end_minute: int


def windows(found: list[Window]) -> list[WindowType]:
    return [WindowType(weekday=w.weekday, start_minute=w.start, end_minute=w.end) for w in found]


@strawberry.input
class AvailabilityWindowInput:
    weekday: int = strawberry.field(description="0 is Monday.")
    start_minute: int = strawberry.field(description="Minutes after midnight, local time.")
    end_minute: int


def to_windows(values: list[AvailabilityWindowInput]) -> list[Window]:
    return [Window(v.weekday, v.start_minute, v.end_minute) for v in values]
