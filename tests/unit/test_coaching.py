"""Coach sessions (domain/coaching.py and domain/services/coaching.py),
without a database: publishing availability and its checks; the available
real time and its slots (the grid of session plus buffer, one-off and weekly
windows merged, days off, daylight-saving days in Berlin); which starts a
booking may take; free slots around busy times; the rules of a session's
life (booking, cancelling, rescheduling, recording, notes); month and day
ranges across timezones. Then the use cases on the in-memory unit of work:
fair-use limits, reusing the coaching relationship, and ending it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from domain.availability import Window
from domain.coaching import (
    BOOKING_HORIZON,
    EXCEPTIONS_MAX,
    NOTES_MAX,
    ONE_OFF_MAX,
    SLOT_RANGE_DAYS_MAX,
    TOPIC_MAX,
    CoachAvailability,
    CoachSession,
    DatedWindow,
    Interval,
    Outcome,
    SessionStatus,
    check_within_horizon,
    day_range,
    free_slots,
    month_bounds,
)
from domain.errors import (
    Conflict,
    DomainError,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from domain.notifications import NotificationKind
from domain.organizations import Organization
from domain.relationships import RelationshipKind, RelationshipStatus
from domain.roles import Role, RoleAssignment
from domain.services import coaching, relationships
from tests.unit.fakes import FakeUnitOfWork, FakeUnitOfWorkFactory
from tests.unit.world import OrgWorld, member

BERLIN = "Europe/Berlin"
BERLIN_ZONE = ZoneInfo(BERLIN)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday
FRIDAY = date(2026, 3, 6)
SPRING_FORWARD = date(2026, 3, 29)  # Sunday: 02:00 CET becomes 03:00 CEST
FALL_BACK = date(2026, 10, 25)  # Sunday: 03:00 CEST becomes 02:00 CET
ORG_ID = uuid4()
COACH_ID, COACHEE_ID, OTHER_ID = uuid4(), uuid4(), uuid4()
CUTOFF = timedelta(hours=24)


def at(hour: int, minute: int = 0) -> int:
    """Minutes after midnight, so a window reads like a clock."""
    return hour * 60 + minute


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def local(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    """A wall-clock time in Berlin, as UTC."""
    wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN_ZONE, fold=fold)
    return wall.astimezone(UTC)


FIRST_SLOT = utc(FRIDAY, 8)
"""09:00 on Friday in Berlin: the first slot of the default availability."""


def publish(
    *,
    weekly: Sequence[Window] = (Window(FRI, at(9), at(17)),),
    one_off: Sequence[DatedWindow] = (),
    exceptions: Sequence[date] = (),
    session_minutes: int = 60,
    buffer_minutes: int = 0,
    timezone: str = BERLIN,
) -> CoachAvailability:
    return CoachAvailability.publish(
        organization_id=ORG_ID,
        coach_id=COACH_ID,
        timezone=timezone,
        session_minutes=session_minutes,
        buffer_minutes=buffer_minutes,
        weekly=weekly,
        one_off=one_off,
        exceptions=exceptions,
        now=NOW,
    )


def day_of(availability: CoachAvailability, day: date) -> Interval:
    """The real time of `day` in Berlin."""
    return day_range(day, day, BERLIN)


def slots_on(availability: CoachAvailability, day: date) -> list[datetime]:
    return list(availability.slots(*day_of(availability, day)))


def book(
    availability: CoachAvailability | None = None,
    starts_at: datetime = FIRST_SLOT,
    *,
    topic: str = "Career",
    now: datetime = NOW,
) -> CoachSession:
    return CoachSession.book(
        organization_id=ORG_ID,
        availability=availability or publish(),
        coachee_id=COACHEE_ID,
        relationship_id=uuid4(),
        starts_at=starts_at,
        topic=topic,
        now=now,
    )


@contextmanager
def fails(error: type[DomainError], code: str, field: str | None = None) -> Iterator[None]:
    """pytest.raises for a domain error with its code (and field)."""
    with pytest.raises(error) as info:
        yield
    assert info.value.code == code, info.value
    if field is not None:
        assert getattr(info.value, "field", None) == field, info.value


# == publishing ===================================================================


def test_publish_keeps_windows_sorted_and_days_off_unique() -> None:
    found = publish(
        weekly=[
            Window(FRI, at(14), at(17)),
            Window(MON, at(9), at(12)),
            Window(FRI, at(9), at(12)),
        ],
        one_off=[DatedWindow(date(2026, 3, 8), at(10), at(12)), DatedWindow(FRIDAY, 0, at(1))],
        exceptions=[date(2026, 3, 13), date(2026, 3, 6), date(2026, 3, 13)],
        timezone="  Europe/Berlin ",
    )
    assert found.weekly == [
        Window(MON, at(9), at(12)),
        Window(FRI, at(9), at(12)),
        Window(FRI, at(14), at(17)),
    ]
    assert found.one_off == [
        DatedWindow(FRIDAY, 0, at(1)),
        DatedWindow(date(2026, 3, 8), at(10), at(12)),
    ]
    assert found.exceptions == [date(2026, 3, 6), date(2026, 3, 13)]
    assert found.timezone == BERLIN
    assert found.step == timedelta(hours=1)


@pytest.mark.parametrize(
    ("session", "buffer", "field"),
    [
        (14, 0, "sessionMinutes"),
        (241, 0, "sessionMinutes"),
        (0, 0, "sessionMinutes"),
        (60, -1, "bufferMinutes"),
        (60, 121, "bufferMinutes"),
    ],
)
def test_session_and_buffer_lengths_have_limits(session: int, buffer: int, field: str) -> None:
    with fails(ValidationFailed, "OUT_OF_RANGE", field):
        publish(session_minutes=session, buffer_minutes=buffer)


@pytest.mark.parametrize(("session", "buffer"), [(15, 0), (240, 120), (45, 15)])
def test_the_limits_themselves_are_allowed(session: int, buffer: int) -> None:
    found = publish(session_minutes=session, buffer_minutes=buffer)
    assert found.length == timedelta(minutes=session)
    assert found.buffer == timedelta(minutes=buffer)
    assert found.step == timedelta(minutes=session + buffer)


def test_an_unknown_timezone_is_refused() -> None:
    with fails(ValidationFailed, "INVALID_TIMEZONE", "timezone"):
        publish(timezone="Mars/Olympus_Mons")


@pytest.mark.parametrize(
    ("weekly", "code"),
    [
        ([Window(FRI, at(9), at(12)), Window(FRI, at(11), at(13))], "OVERLAPPING_WINDOWS"),
        ([Window(7, at(9), at(12))], "INVALID_DAY"),
        ([Window(FRI, at(12), at(9))], "ENDS_BEFORE_START"),
        ([Window(FRI, at(9), at(24) + 1)], "INVALID_TIME"),
    ],
)
def test_weekly_windows_are_checked(weekly: list[Window], code: str) -> None:
    with fails(ValidationFailed, code, "weekly"):
        publish(weekly=weekly)


@pytest.mark.parametrize(
    ("one_off", "code"),
    [
        (
            [DatedWindow(FRIDAY, at(9), at(12)), DatedWindow(FRIDAY, at(11, 59), at(13))],
            "OVERLAPPING_WINDOWS",
        ),
        ([DatedWindow(FRIDAY, at(12), at(12))], "ENDS_BEFORE_START"),
        ([DatedWindow(FRIDAY, at(24), at(24))], "INVALID_TIME"),
        ([DatedWindow(FRIDAY, at(9), 0)], "INVALID_TIME"),
        (
            [
                DatedWindow(date(2026, 4, 1) + timedelta(days=i), 0, 60)
                for i in range(ONE_OFF_MAX + 1)
            ],
            "TOO_MANY",
        ),
    ],
)
def test_one_off_windows_are_checked(one_off: list[DatedWindow], code: str) -> None:
    with fails(ValidationFailed, code, "oneOff"):
        publish(one_off=one_off)


def test_one_off_windows_may_touch_and_repeat_times_on_other_days() -> None:
    windows = [
        DatedWindow(FRIDAY, at(9), at(12)),
        DatedWindow(FRIDAY, at(12), at(13)),
        DatedWindow(date(2026, 3, 7), at(9), at(12)),
        DatedWindow(date(2026, 3, 8), 0, at(24)),
    ]
    assert publish(one_off=windows).one_off == windows
    days = [date(2026, 4, 1) + timedelta(days=i) for i in range(ONE_OFF_MAX)]
    assert len(publish(one_off=[DatedWindow(d, 0, 60) for d in days]).one_off) == ONE_OFF_MAX


def test_at_most_so_many_days_off() -> None:
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(EXCEPTIONS_MAX + 1)]
    assert len(publish(exceptions=days[:-1]).exceptions) == EXCEPTIONS_MAX
    assert len(publish(exceptions=days[:-1] + days[:5]).exceptions) == EXCEPTIONS_MAX
    with fails(ValidationFailed, "TOO_MANY", "exceptions"):
        publish(exceptions=days)


def test_publishing_again_replaces_everything() -> None:
    first = publish()
    second = publish(
        weekly=[Window(MON, at(8), at(10))],
        one_off=[DatedWindow(FRIDAY, at(9), at(10))],
        exceptions=[FRIDAY],
        session_minutes=30,
        buffer_minutes=10,
        timezone="Asia/Tokyo",
    )
    first.replace_with(second)
    assert (first.timezone, first.session_minutes, first.buffer_minutes) == ("Asia/Tokyo", 30, 10)
    assert (first.weekly, first.one_off, first.exceptions) == (
        second.weekly,
        second.one_off,
        second.exceptions,
    )


# == intervals and slots ============================================================


def test_a_weekly_window_lies_on_real_time_in_the_coachs_timezone() -> None:
    availability = publish()
    # Berlin is one hour ahead of UTC in early March.
    assert availability.intervals(*day_of(availability, FRIDAY)) == [
        (utc(FRIDAY, 8), utc(FRIDAY, 16))
    ]
    assert slots_on(availability, FRIDAY) == [utc(FRIDAY, h) for h in range(8, 16)]
    # Nothing on Thursday.
    assert slots_on(availability, date(2026, 3, 5)) == []
    # In summer, two hours ahead.
    july = date(2026, 7, 3)
    assert slots_on(availability, july)[0] == utc(july, 7)


@pytest.mark.parametrize(
    ("session", "buffer", "starts"),
    [
        # A whole session must fit; the last one's buffer may run past the end.
        (45, 15, [(h, 0) for h in range(9, 17)]),
        (50, 20, [(9, 0), (10, 10), (11, 20), (12, 30), (13, 40), (14, 50), (16, 0)]),
        (90, 0, [(9, 0), (10, 30), (12, 0), (13, 30), (15, 0)]),
        (240, 120, [(9, 0)]),
    ],
)
def test_slots_are_on_a_grid_of_session_plus_buffer_from_where_the_window_opens(
    session: int, buffer: int, starts: list[tuple[int, int]]
) -> None:
    availability = publish(session_minutes=session, buffer_minutes=buffer)
    assert slots_on(availability, FRIDAY) == [local(FRIDAY, h, m) for h, m in starts]


def test_a_window_shorter_than_a_session_has_no_slot() -> None:
    availability = publish(weekly=[Window(FRI, at(9), at(9, 59))])
    assert slots_on(availability, FRIDAY) == []


def test_slots_are_only_those_in_the_range_asked_for() -> None:
    availability = publish()
    assert list(availability.slots(local(FRIDAY, 10, 30), local(FRIDAY, 13))) == [
        local(FRIDAY, 11),
        local(FRIDAY, 12),
    ]


def test_a_one_off_window_that_meets_a_weekly_one_merges_and_the_grid_runs_on() -> None:
    availability = publish(
        weekly=[Window(FRI, at(9), at(12))],
        one_off=[DatedWindow(FRIDAY, at(12), at(14))],
        session_minutes=50,
        buffer_minutes=20,
    )
    assert availability.intervals(*day_of(availability, FRIDAY)) == [
        (local(FRIDAY, 9), local(FRIDAY, 14))
    ]
    # 12:30 is on the grid from 09:00; a grid from 12:00 would have been 12:00.
    assert slots_on(availability, FRIDAY) == [
        local(FRIDAY, h, m) for h, m in [(9, 0), (10, 10), (11, 20), (12, 30)]
    ]


def test_an_overlapping_one_off_window_merges_and_a_separate_one_adds() -> None:
    saturday = date(2026, 3, 7)
    availability = publish(
        weekly=[Window(FRI, at(9), at(12))],
        one_off=[DatedWindow(FRIDAY, at(11), at(13)), DatedWindow(saturday, at(10), at(12))],
    )
    start, _ = day_of(availability, FRIDAY)
    _, end = day_of(availability, saturday)
    assert availability.intervals(start, end) == [
        (local(FRIDAY, 9), local(FRIDAY, 13)),
        (local(saturday, 10), local(saturday, 12)),
    ]
    # A one-off window apart from the weekly one the same day: a grid of its own.
    other = publish(weekly=[Window(FRI, at(9), at(10))], one_off=[DatedWindow(FRIDAY, 15, 120)])
    assert slots_on(other, FRIDAY) == [local(FRIDAY, 0, 15), local(FRIDAY, 9)]


def test_a_day_off_takes_the_weekly_windows_but_not_a_one_off_window_that_day() -> None:
    next_friday = FRIDAY + timedelta(days=7)
    availability = publish(
        exceptions=[FRIDAY, next_friday],
        one_off=[DatedWindow(next_friday, at(14), at(16))],
    )
    assert slots_on(availability, FRIDAY) == []
    assert slots_on(availability, next_friday) == [local(next_friday, 14), local(next_friday, 15)]
    # The week after, the weekly window is back.
    assert len(slots_on(availability, FRIDAY + timedelta(days=14))) == 8


def test_a_window_late_in_the_evening_belongs_to_its_own_day_across_utc_midnight() -> None:
    # 20:00-23:00 on Monday in Los Angeles is Tuesday 04:00-07:00 UTC.
    availability = publish(weekly=[Window(MON, at(20), at(23))], timezone="America/Los_Angeles")
    tuesday = date(2026, 3, 3)
    assert list(availability.slots(utc(tuesday, 0), utc(tuesday, 23, 59))) == [
        utc(tuesday, 4),
        utc(tuesday, 5),
        utc(tuesday, 6),
    ]
    # Auckland is ahead: Monday 08:00-10:00 there is Sunday 19:00-21:00 UTC.
    ahead = publish(weekly=[Window(MON, at(8), at(10))], timezone="Pacific/Auckland")
    sunday = date(2026, 3, 1)
    assert list(ahead.slots(utc(sunday, 0), utc(sunday, 23, 59))) == [
        utc(sunday, 19),
        utc(sunday, 20),
    ]


def test_on_the_spring_forward_day_a_window_is_as_long_as_it_really_is() -> None:
    # 01:00-05:00 on the wall clock is three real hours: 02:00-03:00 never happens.
    availability = publish(weekly=[Window(SUN, at(1), at(5))])
    assert availability.intervals(*day_of(availability, SPRING_FORWARD)) == [
        (utc(SPRING_FORWARD, 0), utc(SPRING_FORWARD, 3))
    ]
    slots = slots_on(availability, SPRING_FORWARD)
    assert slots == [utc(SPRING_FORWARD, h) for h in (0, 1, 2)]
    # On the wall clock: 01:00, then 03:00 and 04:00 summer time.
    assert [s.astimezone(BERLIN_ZONE).strftime("%H:%M %Z") for s in slots] == [
        "01:00 CET",
        "03:00 CEST",
        "04:00 CEST",
    ]
    # A working day that Sunday is whole, on summer time.
    day = publish(weekly=[Window(SUN, at(9), at(17))])
    assert slots_on(day, SPRING_FORWARD) == [utc(SPRING_FORWARD, h) for h in range(7, 15)]


def test_a_window_starting_in_the_skipped_hour_starts_when_the_clocks_jumped() -> None:
    availability = publish(weekly=[Window(SUN, at(2), at(4))])
    # 02:00 does not exist that night: the window opens at 03:00 CEST (01:00 UTC).
    assert availability.intervals(*day_of(availability, SPRING_FORWARD)) == [
        (utc(SPRING_FORWARD, 1), utc(SPRING_FORWARD, 2))
    ]
    assert slots_on(availability, SPRING_FORWARD) == [utc(SPRING_FORWARD, 1)]


def test_on_the_fall_back_day_a_window_is_an_hour_longer() -> None:
    # 01:00-05:00 on the wall clock is five real hours: 02:00-03:00 happens twice.
    availability = publish(weekly=[Window(SUN, at(1), at(5))])
    saturday = FALL_BACK - timedelta(days=1)
    assert availability.intervals(*day_of(availability, FALL_BACK)) == [
        (utc(saturday, 23), utc(FALL_BACK, 4))
    ]
    slots = slots_on(availability, FALL_BACK)
    assert slots == [utc(saturday, 23), *(utc(FALL_BACK, h) for h in range(4))]
    assert [s.astimezone(BERLIN_ZONE).strftime("%H:%M %Z") for s in slots] == [
        "01:00 CEST",
        "02:00 CEST",
        "02:00 CET",
        "03:00 CET",
        "04:00 CET",
    ]
    # A window that starts in the repeated hour opens on its first pass.
    repeated = publish(weekly=[Window(SUN, at(2, 30), at(4))])
    assert repeated.intervals(*day_of(repeated, FALL_BACK))[0][0] == local(FALL_BACK, 2, 30)
    assert local(FALL_BACK, 2, 30) == utc(FALL_BACK, 0, 30)


def test_the_day_range_of_daylight_saving_days_is_23_and_25_hours() -> None:
    start, end = day_range(SPRING_FORWARD, SPRING_FORWARD, BERLIN)
    assert (start, end - start) == (
        utc(SPRING_FORWARD - timedelta(days=1), 23),
        timedelta(hours=23),
    )
    start, end = day_range(FALL_BACK, FALL_BACK, BERLIN)
    assert (start, end - start) == (utc(FALL_BACK - timedelta(days=1), 22), timedelta(hours=25))


# == check_slot =====================================================================


def test_a_slot_on_the_grid_inside_the_availability_is_bookable() -> None:
    availability = publish(session_minutes=45, buffer_minutes=15)
    for moment in slots_on(availability, FRIDAY):
        availability.check_slot(moment)


@pytest.mark.parametrize("minutes", [1, 15, 30, 45, 59])
def test_a_start_off_the_grid_inside_a_window_is_misaligned(minutes: int) -> None:
    availability = publish(session_minutes=45, buffer_minutes=15)
    with fails(ValidationFailed, "MISALIGNED_SLOT", "startsAt"):
        availability.check_slot(local(FRIDAY, 10, minutes))


@pytest.mark.parametrize(
    "moment",
    [
        local(FRIDAY, 8),  # before the window
        local(FRIDAY, 8, 30),  # starts before it, ends inside
        local(FRIDAY, 16, 30),  # would run past its end
        local(FRIDAY, 17),  # at its end
        local(date(2026, 3, 5), 10),  # a Thursday
    ],
)
def test_a_start_outside_the_availability_is_outside_it(moment: datetime) -> None:
    availability = publish()
    with fails(ValidationFailed, "OUTSIDE_AVAILABILITY", "startsAt"):
        availability.check_slot(moment)


def test_on_a_day_off_every_start_is_outside_the_availability() -> None:
    availability = publish(exceptions=[FRIDAY])
    with fails(ValidationFailed, "OUTSIDE_AVAILABILITY"):
        availability.check_slot(local(FRIDAY, 10))
    availability.check_slot(local(FRIDAY + timedelta(days=7), 10))


def test_the_grid_of_a_merged_window_runs_from_where_it_opens() -> None:
    availability = publish(
        weekly=[Window(FRI, at(9), at(12))],
        one_off=[DatedWindow(FRIDAY, at(12), at(14))],
        session_minutes=50,
        buffer_minutes=20,
    )
    availability.check_slot(local(FRIDAY, 12, 30))
    with fails(ValidationFailed, "MISALIGNED_SLOT"):
        availability.check_slot(local(FRIDAY, 12))


def test_slots_on_daylight_saving_days_are_bookable() -> None:
    availability = publish(weekly=[Window(SUN, at(1), at(5))])
    for day in (SPRING_FORWARD, FALL_BACK):
        for moment in slots_on(availability, day):
            availability.check_slot(moment)
    # The second 02:00 of the fall-back night (02:00 CET) is a slot of its own.
    availability.check_slot(local(FALL_BACK, 2, fold=1))
    with fails(ValidationFailed, "MISALIGNED_SLOT"):
        availability.check_slot(utc(FALL_BACK, 1, 30))


# == free slots ======================================================================


def test_free_slots_leave_out_the_busy_times_and_keep_what_only_touches_them() -> None:
    availability = publish(session_minutes=45, buffer_minutes=15)
    start, end = day_of(availability, FRIDAY)
    # A session at 10:00 with its buffer takes 10:00-11:00.
    busy = [(local(FRIDAY, 10), local(FRIDAY, 11))]
    found = free_slots(availability, busy, start=start, end=end, now=NOW)
    assert found == [local(FRIDAY, h) for h in range(9, 17) if h != 10]


def test_a_slots_buffer_may_not_run_into_a_busy_time() -> None:
    availability = publish(session_minutes=45, buffer_minutes=15)
    start, end = day_of(availability, FRIDAY)
    # 09:00's session ends at 09:45, but its buffer lasts until 10:00.
    busy = [(local(FRIDAY, 9, 50), local(FRIDAY, 10, 35))]
    found = free_slots(availability, busy, start=start, end=end, now=NOW)
    assert found == [local(FRIDAY, h) for h in range(11, 17)]


def test_free_slots_are_only_those_not_yet_started() -> None:
    availability = publish()
    start, end = day_of(availability, FRIDAY)
    now = local(FRIDAY, 11)
    assert free_slots(availability, [], start=start, end=end, now=now) == [
        local(FRIDAY, h) for h in range(12, 17)
    ]
    assert free_slots(availability, [], start=start, end=end, now=now + timedelta(days=1)) == []


def test_the_coachs_own_sessions_as_a_coachee_take_the_slots_they_meet() -> None:
    """Coached sessions are not the coach's to buffer: a slot's session may
    not meet one, its buffer may."""
    availability = publish(session_minutes=45, buffer_minutes=15)
    start, end = day_of(availability, FRIDAY)
    coached = [(local(FRIDAY, 9, 45), local(FRIDAY, 10, 30))]
    found = free_slots(availability, [], coached=coached, start=start, end=end, now=NOW)
    assert found == [local(FRIDAY, h) for h in range(9, 17) if h != 10]
    # As the coach's own session, the same time would take 09:00 too (its buffer).
    found = free_slots(availability, coached, start=start, end=end, now=NOW)
    assert found == [local(FRIDAY, h) for h in range(11, 17)]


def test_free_slots_end_at_the_booking_horizon_itself() -> None:
    availability = publish(weekly=[Window(d, at(8), at(14)) for d in range(7)])
    horizon = NOW + BOOKING_HORIZON  # Saturday 29 August, 11:00 in Berlin
    start, end = day_range(horizon.date(), horizon.date(), BERLIN)
    found = free_slots(availability, [], start=start, end=end, now=NOW)
    assert found == [local(horizon.date(), h) for h in (8, 9, 10, 11)]
    assert found[-1] == horizon


def test_days_that_begin_beyond_the_horizon_are_asked_for_in_error() -> None:
    """The day of the horizon may be asked for (its slots end there); a day
    that begins after it is the booking's TOO_FAR_AHEAD, at firstDay."""
    horizon = NOW + BOOKING_HORIZON
    start, _ = day_range(horizon.date(), horizon.date(), BERLIN)
    check_within_horizon("firstDay", start, NOW)
    check_within_horizon("firstDay", horizon, NOW)
    next_day = horizon.date() + timedelta(days=1)
    later, _ = day_range(next_day, next_day, BERLIN)
    with fails(ValidationFailed, "TOO_FAR_AHEAD", "firstDay"):
        check_within_horizon("firstDay", later, NOW)
    with fails(ValidationFailed, "TOO_FAR_AHEAD", "firstDay"):
        check_within_horizon("firstDay", horizon + timedelta(microseconds=1), NOW)


def test_busy_times_of_other_days_change_nothing() -> None:
    availability = publish()
    start, end = day_of(availability, FRIDAY)
    busy = [(local(FRIDAY - timedelta(days=1), 9), local(FRIDAY - timedelta(days=1), 17))]
    assert len(free_slots(availability, busy, start=start, end=end, now=NOW)) == 8


# == a session's life ==================================================================


def test_booking_takes_the_slot_its_session_and_buffer() -> None:
    availability = publish(session_minutes=45, buffer_minutes=15)
    offset = timezone(timedelta(hours=1))
    session = book(availability, datetime(2026, 3, 6, 10, 0, tzinfo=offset), topic="  Career \n")
    assert session.starts_at == utc(FRIDAY, 9)
    assert session.starts_at.tzinfo is UTC
    assert session.ends_at == utc(FRIDAY, 9, 45)
    assert session.blocked_until == utc(FRIDAY, 10)
    assert (session.status, session.topic, session.notes) == (SessionStatus.BOOKED, "Career", "")
    assert (session.coach_id, session.coachee_id) == (COACH_ID, COACHEE_ID)
    assert session.booked_at == session.updated_at == NOW
    assert session.is_booked
    assert session.involves(COACH_ID)
    assert session.involves(COACHEE_ID)
    assert not session.involves(OTHER_ID)
    assert session.other(COACH_ID) == COACHEE_ID
    assert session.other(COACHEE_ID) == COACH_ID


def test_a_booking_needs_a_time_with_its_offset() -> None:
    with fails(ValidationFailed, "TIMEZONE_REQUIRED", "startsAt"):
        book(starts_at=datetime(2026, 3, 6, 8, 0))


@pytest.mark.parametrize(
    ("starts_at", "now", "code"),
    [
        (utc(FRIDAY, 8), utc(FRIDAY, 8), "SLOT_IN_PAST"),
        (utc(FRIDAY, 8), utc(FRIDAY, 9), "SLOT_IN_PAST"),
        (utc(FRIDAY, 8) + timedelta(days=182), NOW, "TOO_FAR_AHEAD"),
        (utc(FRIDAY, 8, 30), NOW, "MISALIGNED_SLOT"),
        (utc(FRIDAY, 7), NOW, "OUTSIDE_AVAILABILITY"),
    ],
)
def test_a_booking_takes_a_slot_ahead_within_the_horizon(
    starts_at: datetime, now: datetime, code: str
) -> None:
    with fails(ValidationFailed, code, "startsAt"):
        book(starts_at=starts_at, now=now)


def test_the_horizon_itself_is_bookable() -> None:
    # NOW + 180 days is Saturday 29 August, 11:00 in Berlin: a slot of a daily window.
    availability = publish(weekly=[Window(d, at(8), at(14)) for d in range(7)])
    latest = NOW + BOOKING_HORIZON
    assert book(availability, latest, now=NOW).starts_at == latest
    with fails(ValidationFailed, "TOO_FAR_AHEAD"):
        book(availability, latest + timedelta(hours=1), now=NOW)


def test_a_topic_has_a_length_limit() -> None:
    assert book(topic="x" * TOPIC_MAX).topic == "x" * TOPIC_MAX
    with fails(ValidationFailed, "TOO_LONG", "topic"):
        book(topic="x" * (TOPIC_MAX + 1))


def test_the_coachee_cancels_up_to_the_cutoff() -> None:
    session = book()
    latest = session.starts_at - CUTOFF
    session.cancel(COACHEE_ID, reason="", cutoff=CUTOFF, now=latest)
    assert session.status is SessionStatus.CANCELLED
    assert (session.cancelled_at, session.cancelled_by_id, session.cancel_reason) == (
        latest,
        COACHEE_ID,
        "",
    )
    assert session.updated_at == latest

    late = book()
    with fails(Conflict, "PAST_CUTOFF"):
        late.cancel(COACHEE_ID, reason="", cutoff=CUTOFF, now=latest + timedelta(seconds=1))
    assert late.status is SessionStatus.BOOKED


def test_the_coach_cancels_until_the_start_and_says_why() -> None:
    session = book()
    with fails(ValidationFailed, "REQUIRED", "reason"):
        session.cancel(COACH_ID, reason="   ", cutoff=CUTOFF, now=NOW)
    assert session.is_booked
    with fails(Conflict, "SESSION_STARTED"):
        session.cancel(COACH_ID, reason="Ill", cutoff=CUTOFF, now=session.starts_at)
    just_before = session.starts_at - timedelta(minutes=1)
    session.cancel(COACH_ID, reason=" Ill ", cutoff=CUTOFF, now=just_before)
    assert (session.status, session.cancel_reason, session.cancelled_by_id) == (
        SessionStatus.CANCELLED,
        "Ill",
        COACH_ID,
    )


def test_nobody_else_cancels_and_a_session_is_cancelled_once() -> None:
    session = book()
    with pytest.raises(PermissionDenied):
        session.cancel(OTHER_ID, reason="Mine", cutoff=CUTOFF, now=NOW)
    assert session.is_booked
    session.cancel(COACHEE_ID, reason="", cutoff=CUTOFF, now=NOW)
    for by in (COACHEE_ID, COACH_ID):
        with fails(Conflict, "NOT_BOOKED"):
            session.cancel(by, reason="Again", cutoff=CUTOFF, now=NOW)
    with fails(Conflict, "NOT_BOOKED"):
        session.cancel_with_relationship(COACH_ID, "Ended", NOW)


def test_only_the_coachee_reschedules_and_only_a_booked_session_before_the_cutoff() -> None:
    session = book()
    session.check_reschedulable(COACHEE_ID, cutoff=CUTOFF, now=session.starts_at - CUTOFF)
    with fails(PermissionDenied, "NOT_COACHEE"):
        session.check_reschedulable(COACH_ID, cutoff=CUTOFF, now=NOW)
    with fails(PermissionDenied, "NOT_COACHEE"):
        session.check_reschedulable(OTHER_ID, cutoff=CUTOFF, now=NOW)
    with fails(Conflict, "PAST_CUTOFF"):
        session.check_reschedulable(
            COACHEE_ID, cutoff=CUTOFF, now=session.starts_at - CUTOFF + timedelta(seconds=1)
        )
    session.cancel(COACHEE_ID, reason="", cutoff=CUTOFF, now=NOW)
    with fails(Conflict, "NOT_BOOKED"):
        session.check_reschedulable(COACHEE_ID, cutoff=CUTOFF, now=NOW)


def test_moving_a_session_takes_another_slot_with_its_length_and_buffer() -> None:
    availability = publish(session_minutes=45, buffer_minutes=15)
    session = book(availability)
    later = NOW + timedelta(hours=1)
    session.move_to(availability, utc(FRIDAY + timedelta(days=7), 12), later)
    assert session.starts_at == utc(date(2026, 3, 13), 12)
    assert session.ends_at == utc(date(2026, 3, 13), 12, 45)
    assert session.blocked_until == utc(date(2026, 3, 13), 13)
    assert session.updated_at == later
    with fails(ValidationFailed, "UNCHANGED", "startsAt"):
        session.move_to(availability, session.starts_at, later)
    with fails(ValidationFailed, "MISALIGNED_SLOT"):
        session.move_to(availability, utc(FRIDAY, 9, 30), later)
    with fails(ValidationFailed, "SLOT_IN_PAST"):
        session.move_to(availability, utc(FRIDAY, 9), utc(FRIDAY, 10))
    with fails(ValidationFailed, "TIMEZONE_REQUIRED"):
        session.move_to(availability, datetime(2026, 3, 6, 9, 0), later)
    assert session.starts_at == utc(date(2026, 3, 13), 12)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_the_coach_records_the_outcome_once_the_session_has_begun(outcome: Outcome) -> None:
    session = book()
    with fails(Conflict, "NOT_STARTED"):
        session.record(COACH_ID, outcome, session.starts_at - timedelta(seconds=1))
    session.record(COACH_ID, outcome, session.starts_at)
    assert session.status.value == outcome.value
    assert session.recorded_at == session.updated_at == session.starts_at
    with fails(Conflict, "NOT_BOOKED"):
        session.record(COACH_ID, outcome, session.starts_at)


def test_only_the_coach_records_and_not_a_cancelled_session() -> None:
    session = book()
    for by in (COACHEE_ID, OTHER_ID):
        with fails(PermissionDenied, "NOT_COACH"):
            session.record(by, Outcome.HELD, session.ends_at)
    session.cancel(COACHEE_ID, reason="", cutoff=CUTOFF, now=NOW)
    with fails(Conflict, "NOT_BOOKED"):
        session.record(COACH_ID, Outcome.HELD, session.ends_at)
    assert session.status is SessionStatus.CANCELLED


def test_the_coach_and_the_coachee_write_the_notes_and_nobody_else() -> None:
    session = book()
    session.write_notes(COACHEE_ID, "  What I want  ", NOW)
    assert session.notes == "What I want"
    later = NOW + timedelta(hours=1)
    session.write_notes(COACH_ID, "What we did", later)
    assert (session.notes, session.updated_at) == ("What we did", later)
    with pytest.raises(PermissionDenied):
        session.write_notes(OTHER_ID, "Mine", later)
    assert session.notes == "What we did"
    with fails(ValidationFailed, "TOO_LONG", "notes"):
        session.write_notes(COACH_ID, "x" * (NOTES_MAX + 1), later)
    assert session.notes == "What we did"


# == months and day ranges ================================================================


@pytest.mark.parametrize(
    ("moment", "zone", "start", "end"),
    [
        # Late on 31 March in UTC is already April in Berlin (summer time).
        (
            datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
            BERLIN,
            datetime(2026, 3, 31, 22, tzinfo=UTC),
            datetime(2026, 4, 30, 22, tzinfo=UTC),
        ),
        (
            datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
            "UTC",
            datetime(2026, 3, 1, tzinfo=UTC),
            datetime(2026, 4, 1, tzinfo=UTC),
        ),
        # Early on 1 April in UTC is still March in New York; March starts on
        # winter time there (UTC-5) and ends on summer time (UTC-4).
        (
            datetime(2026, 4, 1, 2, tzinfo=UTC),
            "America/New_York",
            datetime(2026, 3, 1, 5, tzinfo=UTC),
            datetime(2026, 4, 1, 4, tzinfo=UTC),
        ),
        # December runs into the next year.
        (
            datetime(2026, 12, 15, tzinfo=UTC),
            BERLIN,
            datetime(2026, 11, 30, 23, tzinfo=UTC),
            datetime(2026, 12, 31, 23, tzinfo=UTC),
        ),
        # Tokyo is ahead: 31 January 20:00 UTC is 1 February there.
        (
            datetime(2026, 1, 31, 20, tzinfo=UTC),
            "Asia/Tokyo",
            datetime(2026, 1, 31, 15, tzinfo=UTC),
            datetime(2026, 2, 28, 15, tzinfo=UTC),
        ),
    ],
)
def test_month_bounds_are_the_calendar_month_in_the_timezone(
    moment: datetime, zone: str, start: datetime, end: datetime
) -> None:
    assert month_bounds(moment, zone) == (start, end)


def test_a_sessions_month_is_that_of_its_start_in_the_timezone() -> None:
    availability = publish(weekly=[Window(WED, at(0), at(2))])
    # Wednesday 1 April 00:00 in Berlin is 31 March 22:00 UTC.
    session = book(availability, local(date(2026, 4, 1), 0))
    assert session.starts_at == datetime(2026, 3, 31, 22, tzinfo=UTC)
    assert session.month_key(BERLIN) == (2026, 4)
    assert session.month_key("UTC") == (2026, 3)


def test_day_range_covers_whole_days_in_the_timezone() -> None:
    assert day_range(FRIDAY, FRIDAY, BERLIN) == (
        utc(FRIDAY, 0) - timedelta(hours=1),
        utc(FRIDAY, 23),
    )
    assert day_range(FRIDAY, FRIDAY + timedelta(days=1), "Asia/Tokyo") == (
        utc(FRIDAY, 0) - timedelta(hours=9),
        utc(FRIDAY, 0) + timedelta(hours=39),
    )


def test_day_range_limits() -> None:
    last = FRIDAY + timedelta(days=SLOT_RANGE_DAYS_MAX - 1)
    start, end = day_range(FRIDAY, last, "UTC")
    assert end - start == timedelta(days=SLOT_RANGE_DAYS_MAX)
    with fails(ValidationFailed, "RANGE_TOO_LONG", "lastDay"):
        day_range(FRIDAY, last + timedelta(days=1), "UTC")
    with fails(ValidationFailed, "ENDS_BEFORE_START", "lastDay"):
        day_range(FRIDAY, FRIDAY - timedelta(days=1), "UTC")
    # A longer range where the caller allows it (coach usage: a year).
    start, end = day_range(date(2026, 1, 1), date(2026, 12, 31), "UTC", max_days=366)
    assert end - start == timedelta(days=365)
    with fails(ValidationFailed, "INVALID_TIMEZONE", "timezone"):
        day_range(FRIDAY, FRIDAY, "Nowhere/Special")


# == the use cases, on the in-memory unit of work ===============================================


@pytest.fixture
async def world() -> OrgWorld:
    """Acme: coaches Cora and Carl (holding the coach role, Mondays to
    Fridays 09:00-17:00 UTC, an hour a session), members Pia and Tom."""
    uows = FakeUnitOfWorkFactory()
    acme = Organization.create(name="Acme", slug="acme", now=NOW)
    people = {h: member(acme, h, NOW) for h in ("cora", "carl", "pia", "tom")}
    async with uows() as uow:
        await uow.organizations.add(acme)
        uow.bind_organization(acme.id)
        for person in people.values():
            await uow.people.add(person)
        for coach in ("cora", "carl"):
            await uow.roles.add(
                RoleAssignment(
                    organization_id=acme.id,
                    person_id=people[coach].id,
                    role=Role.COACH,
                    started_at=NOW,
                )
            )
        await uow.commit()
    world = OrgWorld(uows, acme, people)
    for coach in ("cora", "carl"):
        async with world.uow() as uow:
            await coaching.publish_availability(
                uow,
                world.actor(coach),
                timezone=None,
                session_minutes=60,
                buffer_minutes=0,
                weekly=[Window(d, at(9), at(17)) for d in range(5)],
                one_off=[],
                exceptions=[],
                now=NOW,
            )
            await uow.commit()
    return world


async def booking(
    world: OrgWorld, coachee: str, coach: str, starts_at: datetime, *, now: datetime = NOW
) -> CoachSession:
    async with world.uow() as uow:
        session = await coaching.book(
            uow,
            world.actor(coachee),
            coach_id=world.id(coach),
            starts_at=starts_at,
            topic=f"{coachee} with {coach}",
            now=now,
        )
        await uow.commit()
    return session


async def refused(
    world: OrgWorld, coachee: str, coach: str, starts_at: datetime, *, now: datetime = NOW
) -> DomainError:
    """A booking that fails; the error. Nothing was written, even inside
    the unit of work."""
    async with world.uow() as uow:
        before = (len(uow.db.tables.coach_sessions), len(uow.db.tables.relationships))
        with pytest.raises(DomainError) as info:
            await coaching.book(
                uow,
                world.actor(coachee),
                coach_id=world.id(coach),
                starts_at=starts_at,
                now=now,
            )
        assert (len(uow.db.tables.coach_sessions), len(uow.db.tables.relationships)) == before
    return info.value


async def set_limits(world: OrgWorld, *, upcoming: int, per_month: int) -> None:
    async with world.uow() as uow:
        organization = await uow.organizations.get(world.organization.id)
        assert organization is not None
        organization.update_settings(
            coach_upcoming_sessions_max=upcoming, coach_sessions_per_month_max=per_month
        )
        await uow.commit()


def sessions(world: OrgWorld) -> dict[UUID, CoachSession]:
    return world.uows.db.tables.coach_sessions


def coachings(world: OrgWorld) -> list[UUID]:
    return [
        r.id
        for r in world.uows.db.tables.relationships.values()
        if r.kind is RelationshipKind.COACHING
    ]


def tuesday(hour: int, weeks: int = 0) -> datetime:
    return utc(date(2026, 3, 3) + timedelta(weeks=weeks), hour)


async def test_a_booking_starts_a_coaching_relationship_and_notifies_both(
    world: OrgWorld,
) -> None:
    session = await booking(world, "pia", "cora", tuesday(9))
    (relationship,) = world.uows.db.tables.relationships.values()
    assert relationship.id == session.relationship_id
    assert relationship.kind is RelationshipKind.COACHING
    assert relationship.status is RelationshipStatus.ACTIVE
    assert (relationship.leader_id, relationship.follower_id) == tuple(world.ids("cora", "pia"))
    assert world.notifications() == [
        ("cora", NotificationKind.COACH_SESSION_BOOKED),
        ("pia", NotificationKind.COACH_SESSION_BOOKED),
    ]
    found = list(world.uows.db.tables.notifications.values())
    assert [n.actor_id for n in found] == [world.id("pia"), None]
    assert {n.coach_session_id for n in found} == {session.id}
    # Both people were locked, in id order, before anything was checked.
    assert world.uows.db.person_locks[-1] == sorted(world.ids("cora", "pia"))


async def test_later_bookings_reuse_the_active_coaching_relationship(world: OrgWorld) -> None:
    first = await booking(world, "pia", "cora", tuesday(9))
    second = await booking(world, "pia", "cora", tuesday(10, weeks=5))
    assert second.relationship_id == first.relationship_id
    assert len(coachings(world)) == 1
    # Another coach, another relationship; another coachee, another one too.
    with_carl = await booking(world, "pia", "carl", tuesday(11))
    toms = await booking(world, "tom", "cora", tuesday(12))
    assert len({first.relationship_id, with_carl.relationship_id, toms.relationship_id}) == 3
    assert len(coachings(world)) == 3


async def test_after_the_coaching_ended_a_booking_starts_a_new_one(world: OrgWorld) -> None:
    first = await booking(world, "pia", "cora", tuesday(9))
    async with world.uow() as uow:
        await relationships.end(
            uow, world.actor("pia"), first.relationship_id, reason="Done", now=NOW
        )
        await uow.commit()
    second = await booking(world, "pia", "cora", tuesday(10))
    assert second.relationship_id != first.relationship_id
    statuses = {r.id: r.status for r in world.uows.db.tables.relationships.values()}
    assert statuses == {
        first.relationship_id: RelationshipStatus.ENDED,
        second.relationship_id: RelationshipStatus.ACTIVE,
    }


async def test_at_most_so_many_sessions_booked_ahead(world: OrgWorld) -> None:
    limit = 3  # the organization's default
    await set_limits(world, upcoming=limit, per_month=31)
    booked = [await booking(world, "pia", "cora", tuesday(9 + i)) for i in range(limit)]
    error = await refused(world, "pia", "carl", tuesday(15))
    assert isinstance(error, LimitExceeded)
    assert (error.limit, error.value) == ("UPCOMING_COACH_SESSIONS", limit)
    # Tom is not held to Pia's limit.
    await booking(world, "tom", "cora", tuesday(15))
    # Cancelling one makes room.
    async with world.uow() as uow:
        await coaching.cancel(uow, world.actor("pia"), booked[0].id, now=NOW)
        await uow.commit()
    await booking(world, "pia", "carl", tuesday(15))
    error = await refused(world, "pia", "carl", tuesday(16))
    assert isinstance(error, LimitExceeded)
    # Once one has begun, it is no longer ahead.
    await booking(world, "pia", "carl", tuesday(16), now=tuesday(10) + timedelta(minutes=1))


async def test_at_most_so_many_sessions_a_month_with_one_coach(world: OrgWorld) -> None:
    limit = 2  # the organization's default
    march = [await booking(world, "pia", "cora", tuesday(9, weeks=w)) for w in range(limit)]
    error = await refused(world, "pia", "cora", tuesday(9, weeks=2))
    assert isinstance(error, LimitExceeded)
    assert (error.limit, error.value) == ("COACH_SESSIONS_PER_MONTH", limit)
    # Another coach that month, or the same coach in April, is fine.
    await booking(world, "pia", "carl", tuesday(9, weeks=2))
    for session in march:
        async with world.uow() as uow:
            found = await uow.coaching.get_session(session.id)
            assert found is not None
            found.record(world.id("cora"), Outcome.HELD, found.starts_at)
            await uow.commit()
    # Held sessions still count for their month...
    error = await refused(world, "pia", "cora", tuesday(9, weeks=3), now=tuesday(12, weeks=1))
    assert isinstance(error, LimitExceeded)
    assert error.limit == "COACH_SESSIONS_PER_MONTH"
    # ...April is a new month.
    await booking(world, "pia", "cora", utc(date(2026, 4, 7), 9), now=tuesday(12, weeks=1))


async def test_the_month_of_the_limit_is_the_coachees_month(world: OrgWorld) -> None:
    """For Pia in Tokyo, Tuesday 31 March 16:00 UTC is already 1 April."""
    async with world.uow() as uow:
        pia = await uow.people.get(world.id("pia"))
        assert pia is not None
        pia.timezone = "Asia/Tokyo"
        await uow.commit()
    await booking(world, "pia", "cora", tuesday(9))
    await booking(world, "pia", "cora", tuesday(9, weeks=1))
    error = await refused(world, "pia", "cora", utc(date(2026, 3, 31), 14))
    assert isinstance(error, LimitExceeded)
    await booking(world, "pia", "cora", utc(date(2026, 3, 31), 16))


async def test_a_reschedule_counts_against_the_limits_of_the_new_time(world: OrgWorld) -> None:
    march = await booking(world, "pia", "cora", tuesday(9))
    await booking(world, "pia", "cora", tuesday(9, weeks=1))
    april = [utc(date(2026, 4, 7), 9), utc(date(2026, 4, 14), 9)]
    await set_limits(world, upcoming=10, per_month=2)
    for moment in april:
        await booking(world, "pia", "cora", moment)

    async def reschedule(starts_at: datetime) -> CoachSession:
        async with world.uow() as uow:
            moved = await coaching.reschedule(
                uow, world.actor("pia"), march.id, starts_at=starts_at, now=NOW
            )
            await uow.commit()
        return moved

    # Within March: the session does not count against itself.
    assert (await reschedule(tuesday(10, weeks=2))).starts_at == tuesday(10, weeks=2)
    # Into April, where two are booked already: refused, and it stays.
    with pytest.raises(LimitExceeded) as info:
        await reschedule(utc(date(2026, 4, 21), 9))
    assert info.value.limit == "COACH_SESSIONS_PER_MONTH"
    assert sessions(world)[march.id].starts_at == tuesday(10, weeks=2)
    # Onto a slot taken by someone else: refused too.
    await booking(world, "tom", "cora", tuesday(11, weeks=2))
    with pytest.raises(Conflict) as taken:
        await reschedule(tuesday(11, weeks=2))
    assert taken.value.code == "SLOT_TAKEN"
    assert world.notifications().count(("cora", NotificationKind.COACH_SESSION_RESCHEDULED)) == 1


async def test_double_bookings_are_refused(world: OrgWorld) -> None:
    await booking(world, "pia", "cora", tuesday(9))
    taken = await refused(world, "tom", "cora", tuesday(9))
    assert (type(taken), taken.code) == (Conflict, "SLOT_TAKEN")
    overlapping = await refused(world, "pia", "carl", tuesday(9))
    assert (type(overlapping), overlapping.code) == (Conflict, "OVERLAPPING_SESSION")
    # Cora is Carl's coachee at 10:00: Cora's own slot then is taken.
    await booking(world, "cora", "carl", tuesday(10))
    busy_coach = await refused(world, "tom", "cora", tuesday(10))
    assert (type(busy_coach), busy_coach.code) == (Conflict, "SLOT_TAKEN")


async def test_nobody_books_themselves_or_someone_without_the_role(world: OrgWorld) -> None:
    mine = await refused(world, "cora", "cora", tuesday(9))
    assert (type(mine), mine.code) == (ValidationFailed, "SELF_BOOKING")
    no_coach = await refused(world, "pia", "tom", tuesday(9))
    assert (type(no_coach), no_coach.code) == (Conflict, "NOT_A_COACH")
    async with world.uow() as uow:
        with pytest.raises(PermissionDenied) as info:
            await coaching.publish_availability(
                uow,
                world.actor("tom"),
                timezone=None,
                session_minutes=60,
                buffer_minutes=0,
                weekly=[],
                one_off=[],
                exceptions=[],
                now=NOW,
            )
        assert info.value.code == "NOT_A_COACH"


async def test_a_session_is_not_found_for_anyone_else(world: OrgWorld) -> None:
    session = await booking(world, "pia", "cora", tuesday(9))
    sid = session.id
    attempts: list[Callable[[FakeUnitOfWork], Awaitable[object]]] = [
        lambda uow: coaching.cancel(uow, world.actor("tom"), sid, reason="x", now=NOW),
        lambda uow: coaching.write_notes(uow, world.actor("carl"), sid, notes="x", now=NOW),
        lambda uow: coaching.record(
            uow, world.actor("tom"), sid, outcome=Outcome.HELD, now=tuesday(10)
        ),
        lambda uow: coaching.reschedule(
            uow, world.actor("carl"), sid, starts_at=tuesday(11), now=NOW
        ),
        lambda uow: coaching.cancel(uow, world.actor("tom"), uuid4(), now=NOW),
    ]
    for attempt in attempts:
        async with world.uow() as uow:
            with pytest.raises(NotFound):
                await attempt(uow)
            await uow.commit()
    stored = sessions(world)[session.id]
    assert (stored.status, stored.notes) == (SessionStatus.BOOKED, "")


async def test_ending_the_coaching_cancels_the_sessions_still_ahead(world: OrgWorld) -> None:
    await set_limits(world, upcoming=10, per_month=31)
    held = await booking(world, "pia", "cora", tuesday(9))
    begun = await booking(world, "pia", "cora", tuesday(10))
    ahead = [await booking(world, "pia", "cora", tuesday(9, weeks=w)) for w in (1, 2)]
    other = await booking(world, "tom", "cora", tuesday(11, weeks=1))
    now = tuesday(10) + timedelta(minutes=30)
    async with world.uow() as uow:
        found = await uow.coaching.get_session(held.id)
        assert found is not None
        found.record(world.id("cora"), Outcome.HELD, now)
        await uow.commit()
    world.clear_notifications()

    async with world.uow() as uow:
        # Within the cut-off: ending the relationship cancels anyway.
        await relationships.end(
            uow, world.actor("cora"), held.relationship_id, reason="Time to move on.", now=now
        )
        await uow.commit()

    stored = sessions(world)
    for session in ahead:
        cancelled = stored[session.id]
        assert cancelled.status is SessionStatus.CANCELLED
        assert (cancelled.cancelled_by_id, cancelled.cancelled_at) == (world.id("cora"), now)
        assert cancelled.cancel_reason == coaching.ENDED_REASON
    # What has begun or was held stays as it is; Tom's coaching goes on.
    assert stored[held.id].status is SessionStatus.HELD
    assert stored[begun.id].status is SessionStatus.BOOKED
    assert stored[other.id].status is SessionStatus.BOOKED
    assert world.notifications() == [("pia", NotificationKind.RELATIONSHIP_ENDED)]


async def test_a_person_leaving_cancels_their_sessions_ahead(world: OrgWorld) -> None:
    session = await booking(world, "pia", "cora", tuesday(9, weeks=1))
    toms = await booking(world, "tom", "cora", tuesday(10, weeks=1))
    async with world.uow() as uow:
        # (whoever marked her left)
        await relationships.close_all_of(uow, world.id("pia"), by=world.id("tom"), now=NOW)
        await uow.commit()
    assert sessions(world)[session.id].status is SessionStatus.CANCELLED
    assert sessions(world)[toms.id].status is SessionStatus.BOOKED
