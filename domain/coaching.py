"""Coach sessions: professional coaches (people holding the COACH role)
publish when they are available; anyone books a free slot.

A coach's availability is weekly windows and one-off windows in the coach's
own timezone, cut into slots of one session length plus a buffer; exception
days take the weekly windows off (a one-off window on such a day still
counts: "Friday off, but 14:00-16:00 this Friday"). Wall-clock windows are
laid on real time day by day, so a window on a daylight-saving day is as
long as it really is, and slots follow real time within it.

A session belongs to the coach and the coachee alone: its topic and notes
are theirs (stewards see counts, org faculty aggregates per coach). Two
sessions of one coach, or of one coachee, never overlap: the domain checks,
and two exclusion constraints in PostgreSQL decide between concurrent
bookings.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from domain import validation
from domain.availability import Window, check_times, check_windows, hh_mm
from domain.errors import Conflict, PermissionDenied, ValidationFailed
from domain.ids import new_id

SESSION_MINUTES_MIN, SESSION_MINUTES_MAX = 15, 240
BUFFER_MINUTES_MAX = 120
ONE_OFF_MAX = 60
EXCEPTIONS_MAX = 120
TOPIC_MAX = 1000
NOTES_MAX = 20_000
REASON_MAX = 1000
SLOT_RANGE_DAYS_MAX = 42
"""Free slots are listed for at most six weeks at a time."""
BOOKING_HORIZON = timedelta(days=180)
"""How far ahead a session can be booked."""


class SessionStatus(enum.Enum):
    BOOKED = "BOOKED"
    CANCELLED = "CANCELLED"
    HELD = "HELD"
    NO_SHOW = "NO_SHOW"


class Outcome(enum.Enum):
    """What the coach records once a session's time has come."""

    HELD = "HELD"
    NO_SHOW = "NO_SHOW"


@dataclass(frozen=True, order=True)
class DatedWindow:
    """From `start` to `end` minutes after midnight of `day`, local time."""

    day: date
    start: int
    end: int

    def label(self) -> str:
        return f"{self.day.isoformat()} {hh_mm(self.start)}-{hh_mm(self.end)}"


Interval = tuple[datetime, datetime]


def check_one_off(windows: Sequence[DatedWindow], field: str = "oneOff") -> list[DatedWindow]:
    """Sorted; each starting before it ends, within one day, none overlapping."""
    if len(windows) > ONE_OFF_MAX:
        raise ValidationFailed(field, f"Give at most {ONE_OFF_MAX} windows.", code="TOO_MANY")
    ordered = sorted(windows)
    check_times(ordered, field, day=lambda w: w.day)
    return ordered


def check_exceptions(days: Sequence[date]) -> list[date]:
    unique = sorted(set(days))
    if len(unique) > EXCEPTIONS_MAX:
        raise ValidationFailed(
            "exceptions", f"Give at most {EXCEPTIONS_MAX} days off.", code="TOO_MANY"
        )
    return unique


def check_session_length(session_minutes: int, buffer_minutes: int) -> None:
    if not SESSION_MINUTES_MIN <= session_minutes <= SESSION_MINUTES_MAX:
        raise ValidationFailed(
            "sessionMinutes",
            f"A session lasts {SESSION_MINUTES_MIN} to {SESSION_MINUTES_MAX} minutes.",
            code="OUT_OF_RANGE",
        )
    if not 0 <= buffer_minutes <= BUFFER_MINUTES_MAX:
        raise ValidationFailed(
            "bufferMinutes",
            f"A buffer is 0 to {BUFFER_MINUTES_MAX} minutes.",
            code="OUT_OF_RANGE",
        )


def day_range(
    start: date, end: date, timezone: str, *, max_days: int = SLOT_RANGE_DAYS_MAX
) -> Interval:
    """The real time from the start of `start` to the end of `end`, both
    days as they are in `timezone` (the viewer's)."""
    validation.day("firstDay", start)
    validation.day("lastDay", end)
    if end < start:
        raise ValidationFailed(
            "lastDay", "The range ends before it starts.", code="ENDS_BEFORE_START"
        )
    if (end - start).days + 1 > max_days:
        raise ValidationFailed(
            "lastDay", f"Ask for at most {max_days} days at a time.", code="RANGE_TOO_LONG"
        )
    zone = ZoneInfo(validation.timezone(timezone))
    return (
        datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC),
    )


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """`minutes` after midnight of `day` on the wall clock, in UTC. A time
    skipped by a spring-forward change is read with the offset before it
    (02:30 is 03:30 of the new time; 02:00 the instant of the change), a
    repeated one as its first pass."""
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif end > start:
            merged.append((start, end))
    return merged


@dataclass(eq=False)
class CoachAvailability:
    """One per coach; publishing again replaces it whole."""

    organization_id: UUID
    coach_id: UUID
    timezone: str
    session_minutes: int
    buffer_minutes: int
    weekly: list[Window]
    one_off: list[DatedWindow]
    exceptions: list[date]
    updated_at: datetime

    @classmethod
    def publish(
        cls,
        *,
        organization_id: UUID,
        coach_id: UUID,
        timezone: str,
        session_minutes: int,
        buffer_minutes: int,
        weekly: Sequence[Window],
        one_off: Sequence[DatedWindow],
        exceptions: Sequence[date],
        now: datetime,
    ) -> CoachAvailability:
        check_session_length(session_minutes, buffer_minutes)
        return cls(
            organization_id=organization_id,
            coach_id=coach_id,
            timezone=validation.timezone(timezone),
            session_minutes=session_minutes,
            buffer_minutes=buffer_minutes,
            weekly=check_windows(weekly, field="weekly"),
            one_off=check_one_off(one_off),
            exceptions=check_exceptions(exceptions),
            updated_at=now,
        )

    def replace_with(self, other: CoachAvailability) -> None:
        self.timezone = other.timezone
        self.session_minutes, self.buffer_minutes = other.session_minutes, other.buffer_minutes
        self.weekly, self.one_off, self.exceptions = other.weekly, other.one_off, other.exceptions
        self.updated_at = other.updated_at

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.session_minutes + self.buffer_minutes)

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.session_minutes)

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)

    def intervals(self, start: datetime, end: datetime) -> list[Interval]:
        """The coach's available real time (UTC) for the local days that
        touch [start, end), merged where windows meet or overlap."""
        zone = ZoneInfo(self.timezone)
        first = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date() + timedelta(days=1)
        days_off = set(self.exceptions)
        found: list[Interval] = []
        day = first
        while day <= last:
            if day not in days_off:
                found.extend(
                    (_local(day, w.start, zone), _local(day, w.end, zone))
                    for w in self.weekly
                    if w.weekday == day.weekday()
                )
            day += timedelta(days=1)
        found.extend(
            (_local(w.day, w.start, zone), _local(w.day, w.end, zone))
            for w in self.one_off
            if first <= w.day <= last
        )
        return _merge(found)

    def slots(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Slot starts in [start, end): from each interval's start, every
        session plus buffer, while a whole session fits."""
        for low, high in self.intervals(start, end):
            moment = low
            while moment + self.length <= high:
                if start <= moment < end:
                    yield moment
                moment += self.step

    def check_slot(self, starts_at: datetime) -> None:
        """A booking starts on one of the slots: inside the availability,
        and on the grid of session plus buffer from where the window opens."""
        for low, high in self.intervals(starts_at, starts_at + self.length):
            if low <= starts_at and starts_at + self.length <= high:
                if (starts_at - low) % self.step:
                    raise ValidationFailed(
                        "startsAt",
                        f"Sessions start every {self.session_minutes + self.buffer_minutes} "
                        f"minutes from {low.astimezone(ZoneInfo(self.timezone)):%H:%M}.",
                        code="MISALIGNED_SLOT",
                    )
                return
        raise ValidationFailed(
            "startsAt", "The coach is not available then.", code="OUTSIDE_AVAILABILITY"
        )


def free_slots(
    availability: CoachAvailability,
    busy: Sequence[Interval],
    *,
    coached: Sequence[Interval] = (),
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[datetime]:
    """Slots that booking would take (see check_bookable and the service's
    overlap checks): not started, not beyond the horizon, their session and
    buffer clear of the coach's sessions (`busy`, each until its own buffer
    ends), and their session clear of the coach's own sessions as someone's
    coachee (`coached`)."""
    return [
        moment
        for moment in availability.slots(max(start, now), end)
        if now < moment <= now + BOOKING_HORIZON
        and not any(
            moment < busy_end and busy_start < moment + availability.step
            for busy_start, busy_end in busy
        )
        and not any(
            moment < busy_end and busy_start < moment + availability.length
            for busy_start, busy_end in coached
        )
    ]


@dataclass(eq=False)
class CoachSession:
    organization_id: UUID
    coach_id: UUID
    coachee_id: UUID
    relationship_id: UUID
    starts_at: datetime
    ends_at: datetime
    blocked_until: datetime
    """The end plus the coach's buffer: the coach's time this session takes."""
    topic: str
    booked_at: datetime
    status: SessionStatus = SessionStatus.BOOKED
    notes: str = ""
    updated_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by_id: UUID | None = None
    cancel_reason: str = ""
    recorded_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def book(
        cls,
        *,
        organization_id: UUID,
        availability: CoachAvailability,
        coachee_id: UUID,
        relationship_id: UUID,
        starts_at: datetime,
        topic: str,
        now: datetime,
    ) -> CoachSession:
        starts_at = validation.moment("startsAt", starts_at)
        check_bookable(availability, starts_at, now)
        return cls(
            organization_id=organization_id,
            coach_id=availability.coach_id,
            coachee_id=coachee_id,
            relationship_id=relationship_id,
            starts_at=starts_at,
            ends_at=starts_at + availability.length,
            blocked_until=starts_at + availability.step,
            topic=validation.long_text("topic", topic, max_length=TOPIC_MAX),
            booked_at=now,
            updated_at=now,
        )

    def involves(self, person_id: UUID) -> bool:
        return person_id in (self.coach_id, self.coachee_id)

    def other(self, person_id: UUID) -> UUID:
        return self.coachee_id if person_id == self.coach_id else self.coach_id

    @property
    def is_booked(self) -> bool:
        return self.status is SessionStatus.BOOKED

    def _require_booked(self, action: str) -> None:
        if not self.is_booked:
            raise Conflict(
                f"Only a booked session can be {action}; this one is "
                f"{self.status.value.lower().replace('_', ' ')}.",
                code="NOT_BOOKED",
            )

    def _require_before_cutoff(self, cutoff: timedelta, now: datetime, action: str) -> None:
        if now > self.starts_at - cutoff:
            hours = int(cutoff.total_seconds() // 3600)
            raise Conflict(
                f"A session can be {action} up to {hours} hours before it starts.",
                code="PAST_CUTOFF",
            )

    def cancel(self, by: UUID, *, reason: str, cutoff: timedelta, now: datetime) -> None:
        """The coachee cancels up to the cut-off; the coach until the start,
        and says why (the coachee made room for it)."""
        self._require_booked("cancelled")
        cleaned = validation.long_text("reason", reason, max_length=REASON_MAX)
        if by == self.coach_id:
            if not cleaned:
                raise ValidationFailed(
                    "reason", "Tell the coachee why you cancel.", code="REQUIRED"
                )
            if now >= self.starts_at:
                raise Conflict("This session has started.", code="SESSION_STARTED")
        elif by == self.coachee_id:
            self._require_before_cutoff(cutoff, now, "cancelled")
        else:
            raise PermissionDenied("Only its coach or coachee can cancel a session.")
        self.status = SessionStatus.CANCELLED
        self.cancelled_at, self.cancelled_by_id, self.cancel_reason = now, by, cleaned
        self.updated_at = now

    def cancel_with_relationship(self, by: UUID, reason: str, now: datetime) -> None:
        """The coaching relationship ended: no cut-off applies."""
        self._require_booked("cancelled")
        self.status = SessionStatus.CANCELLED
        self.cancelled_at, self.cancelled_by_id, self.cancel_reason = now, by, reason
        self.updated_at = now

    def check_reschedulable(self, by: UUID, *, cutoff: timedelta, now: datetime) -> None:
        self._require_booked("rescheduled")
        if by != self.coachee_id:
            raise PermissionDenied(
                "The coachee reschedules; a coach cancels with a reason.", code="NOT_COACHEE"
            )
        self._require_before_cutoff(cutoff, now, "rescheduled")

    def move_to(self, availability: CoachAvailability, starts_at: datetime, now: datetime) -> None:
        starts_at = validation.moment("startsAt", starts_at)
        check_bookable(availability, starts_at, now)
        if starts_at == self.starts_at:
            raise ValidationFailed("startsAt", "The session starts then already.", code="UNCHANGED")
        self.starts_at = starts_at
        self.ends_at = starts_at + availability.length
        self.blocked_until = starts_at + availability.step
        self.updated_at = now

    def record(self, by: UUID, outcome: Outcome, now: datetime) -> None:
        """The coach says whether it took place, once its time has come."""
        if by != self.coach_id:
            raise PermissionDenied("The coach records how a session went.", code="NOT_COACH")
        self._require_booked("recorded")
        if now < self.starts_at:
            raise Conflict("This session has not started yet.", code="NOT_STARTED")
        self.status = SessionStatus(outcome.value)
        self.recorded_at = self.updated_at = now

    def write_notes(self, by: UUID, notes: str, now: datetime) -> None:
        if not self.involves(by):
            raise PermissionDenied("Only its coach and coachee write a session's notes.")
        self.notes = validation.long_text("notes", notes, max_length=NOTES_MAX)
        self.updated_at = now

    def month_key(self, timezone: str) -> tuple[int, int]:
        local = self.starts_at.astimezone(ZoneInfo(timezone))
        return local.year, local.month


def check_bookable(availability: CoachAvailability, starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise ValidationFailed("startsAt", "That time has passed.", code="SLOT_IN_PAST")
    check_within_horizon("startsAt", starts_at, now)
    availability.check_slot(starts_at)


def check_within_horizon(field: str, moment: datetime, now: datetime) -> None:
    """A session is booked at most BOOKING_HORIZON ahead (the slot at the
    horizon itself included). Free slots asked for from a day that begins
    beyond it could never be booked: the same error as booking there, not an
    empty list that reads as a coach with no time. A range that reaches
    past the horizon lists its slots up to it."""
    if moment > now + BOOKING_HORIZON:
        raise ValidationFailed(
            field,
            f"Sessions are booked at most {BOOKING_HORIZON.days} days ahead.",
            code="TOO_FAR_AHEAD",
        )


def month_bounds(moment: datetime, timezone: str) -> Interval:
    """The calendar month `moment` falls in, in `timezone`, as real time."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    first = date(local.year, local.month, 1)
    following = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    return (
        datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC),
        datetime.combine(following, time(0), tzinfo=zone).astimezone(UTC),
    )
