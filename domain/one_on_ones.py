"""1-on-1s: a series of meetings between the two people of a relationship,
with a shared agenda, notes and action items.

Both people of the relationship are the series' participants, and nobody
else ever reads it: not org faculty, not a later steward. Private notes
are their author's alone, from every path and for every role.

An agenda is per meeting. When a meeting is held or cancelled, its
unfinished items carry over to the next meeting (as new items pointing at
the ones they came from, so the held meeting's agenda stays as it was, and
remembering the meeting they were first raised in). A cadence on the series
proposes the next meeting when one is held or cancelled, at the same local
time.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from domain import validation
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.ids import new_id

TEXT_MAX = 500
NOTE_MAX = 10_000
SCHEDULE_WITHIN = timedelta(days=366)
AGENDA_MAX = 100


class Cadence(enum.Enum):
    WEEKLY = "WEEKLY"
    BIWEEKLY = "BIWEEKLY"
    MONTHLY = "MONTHLY"

    def next_after(self, at: datetime, timezone: str) -> datetime:
        """The same local time a week, two weeks or a month later: a weekly
        10:00 in Berlin stays 10:00 across a change to or from summer time."""
        local = at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
        if self is Cadence.MONTHLY:
            year, month = (
                (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
            )
            day = min(local.day, calendar.monthrange(year, month)[1])
            following = local.replace(year=year, month=month, day=day)
        else:
            following = local + timedelta(weeks=1 if self is Cadence.WEEKLY else 2)
        return following.replace(tzinfo=ZoneInfo(timezone)).astimezone(at.tzinfo)

    def next_ahead(self, after: datetime, timezone: str, now: datetime) -> datetime:
        """The first time the cadence gives after `after` that is still
        ahead: a meeting marked held (or cancelled) late skips the slots
        already past."""
        at = self.next_after(after, timezone)
        while at <= now:
            at = self.next_after(at, timezone)
        return at


class MeetingStatus(enum.Enum):
    SCHEDULED = "SCHEDULED"
    HELD = "HELD"
    CANCELLED = "CANCELLED"


def check_free(
    scheduled: Sequence[Meeting], at: datetime, *, moving: Meeting | None = None
) -> None:
    """Two people meet once at a time: no other scheduled meeting of the
    series at that moment (the database holds this too)."""
    if any(m.scheduled_at == at and m is not moving for m in scheduled):
        raise Conflict(
            "You have a meeting scheduled at that time already.",
            code="TIME_TAKEN",
            field="scheduledAt",
        )


def check_time(field_name: str, at: datetime, now: datetime) -> None:
    if at.tzinfo is None:
        raise ValidationFailed(
            field_name, "Give the time with a timezone offset.", code="INVALID_TIME"
        )
    if abs(at - now) > SCHEDULE_WITHIN:
        raise ValidationFailed(
            field_name, "Schedule a meeting within a year from now.", code="TOO_FAR"
        )


@dataclass(eq=False)
class OneOnOneSeries:
    organization_id: UUID
    relationship_id: UUID
    timezone: str
    """Where the meetings happen: a cadence keeps their local time."""
    created_by_id: UUID
    created_at: datetime
    cadence: Cadence | None = None
    ended_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def start(
        cls,
        *,
        organization_id: UUID,
        relationship_id: UUID,
        timezone: str,
        cadence: Cadence | None,
        created_by_id: UUID,
        now: datetime,
    ) -> OneOnOneSeries:
        return cls(
            organization_id=organization_id,
            relationship_id=relationship_id,
            timezone=validation.timezone(timezone),
            cadence=cadence,
            created_by_id=created_by_id,
            created_at=now,
        )

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def require_open(self) -> None:
        if not self.is_open:
            raise Conflict("These 1-on-1s ended with their relationship.", code="SERIES_ENDED")

    def end(self, now: datetime) -> None:
        if self.ended_at is None:
            self.ended_at = now


@dataclass(eq=False)
class Meeting:
    organization_id: UUID
    series_id: UUID
    scheduled_at: datetime
    created_at: datetime
    status: MeetingStatus = MeetingStatus.SCHEDULED
    held_at: datetime | None = None
    cancelled_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def schedule(cls, series: OneOnOneSeries, scheduled_at: datetime, now: datetime) -> Meeting:
        series.require_open()
        check_time("scheduledAt", scheduled_at, now)
        return cls(
            organization_id=series.organization_id,
            series_id=series.id,
            scheduled_at=scheduled_at,
            created_at=now,
        )

    @classmethod
    def propose(cls, series: OneOnOneSeries, scheduled_at: datetime, now: datetime) -> Meeting:
        """The next meeting a cadence proposes: its time is derived, never
        typed, so it is not held to the one-year scheduling window."""
        series.require_open()
        return cls(
            organization_id=series.organization_id,
            series_id=series.id,
            scheduled_at=scheduled_at,
            created_at=now,
        )

    def require_scheduled(self) -> None:
        if self.status is not MeetingStatus.SCHEDULED:
            raise Conflict(
                f"This meeting is {self.status.value.lower()} already.", code="NOT_SCHEDULED"
            )

    def reschedule(self, scheduled_at: datetime, now: datetime) -> None:
        self.require_scheduled()
        check_time("scheduledAt", scheduled_at, now)
        self.scheduled_at = scheduled_at

    def hold(self, now: datetime) -> None:
        self.require_scheduled()
        self.status, self.held_at = MeetingStatus.HELD, now

    def cancel(self, now: datetime) -> None:
        self.require_scheduled()
        self.status, self.cancelled_at = MeetingStatus.CANCELLED, now


@dataclass(eq=False)
class AgendaItem:
    organization_id: UUID
    series_id: UUID
    meeting_id: UUID
    author_id: UUID
    text: str
    position: int
    created_at: datetime
    done: bool = False
    carried_from_id: UUID | None = None
    """The unfinished item of an earlier meeting this one carries over."""
    talking_point_id: UUID | None = None
    goal_id: UUID | None = None
    first_meeting_id: UUID | None = None
    """The meeting it was first raised in: its own (the default), or for an
    item carried over, the one the item it carries over was first raised in,
    however many meetings it went through since."""
    id: UUID = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.first_meeting_id is None:
            self.first_meeting_id = self.meeting_id

    def carried_to(self, meeting: Meeting, position: int, now: datetime) -> AgendaItem:
        return AgendaItem(
            organization_id=self.organization_id,
            series_id=self.series_id,
            meeting_id=meeting.id,
            author_id=self.author_id,
            text=self.text,
            position=position,
            created_at=now,
            carried_from_id=self.id,
            talking_point_id=self.talking_point_id,
            goal_id=self.goal_id,
            first_meeting_id=self.first_meeting_id,
        )


def agenda_text(value: str) -> str:
    return validation.text("text", value, max_length=TEXT_MAX)


def check_order(current: list[AgendaItem], wanted: list[UUID]) -> list[AgendaItem]:
    """A new order names every item of the agenda exactly once."""
    by_id = {item.id: item for item in current}
    if len(set(wanted)) != len(wanted) or set(wanted) != set(by_id):
        raise ValidationFailed(
            "itemIds",
            "Name every item of this agenda exactly once.",
            code="NOT_THE_AGENDA",
        )
    return [by_id[item_id] for item_id in wanted]


@dataclass(eq=False)
class MeetingNote:
    """A shared note both people read, or a private one only its author
    ever reads. Only the author edits a note."""

    organization_id: UUID
    series_id: UUID
    meeting_id: UUID
    author_id: UUID
    private: bool
    text: str
    created_at: datetime
    updated_at: datetime
    id: UUID = field(default_factory=new_id)

    @classmethod
    def write(
        cls,
        *,
        organization_id: UUID,
        series_id: UUID,
        meeting_id: UUID,
        author_id: UUID,
        private: bool,
        text: str,
        now: datetime,
    ) -> MeetingNote:
        return cls(
            organization_id=organization_id,
            series_id=series_id,
            meeting_id=meeting_id,
            author_id=author_id,
            private=private,
            text=note_text(text),
            created_at=now,
            updated_at=now,
        )

    def edit(self, author_id: UUID, text: str, now: datetime) -> None:
        if author_id != self.author_id:
            raise NotFound("MeetingNote")
        self.text, self.updated_at = note_text(text), now


def note_text(value: str) -> str:
    cleaned = validation.long_text("text", value, max_length=NOTE_MAX)
    if not cleaned:
        raise ValidationFailed("text", "Write the note.", code="REQUIRED")
    return cleaned


@dataclass(eq=False)
class ActionItem:
    """Something one of the two people does; open until done, and shown
    until then in every meeting of the series."""

    organization_id: UUID
    series_id: UUID
    meeting_id: UUID
    owner_id: UUID
    created_by_id: UUID
    text: str
    created_at: datetime
    due_on: date | None = None
    done_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today

    def set_done(self, done: bool, now: datetime) -> None:
        self.done_at = (self.done_at or now) if done else None
