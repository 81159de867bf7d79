"""Weekly availability: time windows on weekdays in someone's own timezone,
and how many hours two people's windows overlap in a week, across
timezones (and the daylight-saving rules of the week in question)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from domain.errors import ValidationFailed

WINDOWS_MAX = 21
MINUTES_PER_DAY = 24 * 60
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, order=True)
class Window:
    """From `start` to `end` minutes after midnight on `weekday` (0 is
    Monday), local time."""

    weekday: int
    start: int
    end: int

    def label(self) -> str:
        return f"{DAYS[self.weekday]} {hh_mm(self.start)}-{hh_mm(self.end)}"


def hh_mm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_windows(windows: Sequence[Window], field: str = "availability") -> list[Window]:
    """Sorted; each on a weekday, starting before it ends, within one day,
    and none overlapping another."""
    if len(windows) > WINDOWS_MAX:
        raise ValidationFailed(field, f"Give at most {WINDOWS_MAX} windows.", code="TOO_MANY")
    ordered = sorted(windows)
    for window in ordered:
        if not 0 <= window.weekday <= 6:
            raise ValidationFailed(field, "A weekday is from 0 (Monday) to 6.", code="INVALID_DAY")
    check_times(ordered, field, day=lambda w: w.weekday)
    return ordered


class TimeWindow(Protocol):
    start: int
    end: int

    def label(self) -> str: ...


W = TypeVar("W", bound=TimeWindow)


def check_times(ordered: Sequence[W], field: str, *, day: Callable[[W], object]) -> None:
    """Windows sorted by day and start: each within its day, starting
    before it ends, and none overlapping another on the same day."""
    for window in ordered:
        if not 0 <= window.start < MINUTES_PER_DAY or not 0 < window.end <= MINUTES_PER_DAY:
            raise ValidationFailed(field, "Times lie within the day.", code="INVALID_TIME")
        if window.end <= window.start:
            raise ValidationFailed(
                field, f"{window.label()} ends before it starts.", code="ENDS_BEFORE_START"
            )
    for before, after in pairwise(ordered):
        if day(before) == day(after) and after.start < before.end:
            raise ValidationFailed(
                field, f"{before.label()} and {after.label()} overlap.", code="OVERLAPPING_WINDOWS"
            )


def _utc_intervals(
    windows: Sequence[Window], timezone: str, week_of: date
) -> list[tuple[datetime, datetime]]:
    zone = ZoneInfo(timezone)
    monday = week_of - timedelta(days=week_of.weekday())
    found = []
    for window in windows:
        day = monday + timedelta(days=window.weekday)
        midnight = datetime.combine(day, time(0), tzinfo=zone)
        start = (midnight.replace(tzinfo=None) + timedelta(minutes=window.start)).replace(
            tzinfo=zone
        )
        end = (midnight.replace(tzinfo=None) + timedelta(minutes=window.end)).replace(tzinfo=zone)
        found.append((start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))))
    return found


def overlap_hours(
    mine: Sequence[Window],
    my_timezone: str,
    theirs: Sequence[Window],
    their_timezone: str,
    *,
    week_of: date,
) -> float:
    """Hours per week both are available, in the week of `week_of`. The
    windows of each are laid on the same real week, so a Monday evening in
    New York meets a Tuesday early morning in Berlin."""
    total = timedelta()
    ours = _utc_intervals(mine, my_timezone, week_of)
    others = _utc_intervals(theirs, their_timezone, week_of)
    # Their week shifted by a week either way too: a Sunday night window can
    # meet a Monday morning one across the week boundary.
    for shift in (timedelta(weeks=-1), timedelta(), timedelta(weeks=1)):
        for start, end in ours:
            for other_start, other_end in others:
                latest, earliest = max(start, other_start + shift), min(end, other_end + shift)
                if earliest > latest:
                    total += earliest - latest
    return round(total.total_seconds() / 3600, 2)
