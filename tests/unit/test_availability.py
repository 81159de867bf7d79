"""Weekly availability (domain/availability.py): the checks on a person's
windows, and the hours two people's windows overlap in a real week, across
timezones and their daylight-saving rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.availability import MINUTES_PER_DAY, WINDOWS_MAX, Window, check_windows, overlap_hours
from domain.errors import ValidationFailed

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

# Weeks (given by their Monday) chosen for their daylight-saving state in 2026:
# the US moves its clocks on Sunday 8 March, Europe on Sunday 29 March.
JANUARY = date(2026, 1, 12)  # both on winter time
US_AHEAD = date(2026, 3, 9)  # New York on summer time, Europe not yet
BOTH_SUMMER = date(2026, 3, 30)  # both on summer time
JULY = date(2026, 7, 13)
EUROPE_SPRING_FORWARD = date(2026, 3, 23)  # its Sunday is 29 March

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
LONDON = "Europe/London"
TOKYO = "Asia/Tokyo"


def at(hour: int, minute: int = 0) -> int:
    """Minutes after midnight, so a window reads like a clock."""
    return hour * 60 + minute


def w(weekday: int, start: int, end: int) -> Window:
    return Window(weekday, at(start), at(end))


# -- check_windows ----------------------------------------------------------------


def test_no_windows_is_fine() -> None:
    """Availability is optional: a person may give none."""
    assert check_windows([]) == []


def test_windows_come_back_sorted_by_day_then_time() -> None:
    """Sorted output lets storage and display rely on one order, and the
    overlap check only has to compare neighbours."""
    given = [w(FRI, 9, 10), w(MON, 14, 15), w(MON, 9, 12), w(SUN, 0, 1)]
    assert check_windows(given) == [w(MON, 9, 12), w(MON, 14, 15), w(FRI, 9, 10), w(SUN, 0, 1)]


def test_the_given_sequence_is_not_changed() -> None:
    given = [w(TUE, 9, 10), w(MON, 9, 10)]
    check_windows(tuple(given))
    assert given == [w(TUE, 9, 10), w(MON, 9, 10)]


def test_a_whole_day_is_a_window() -> None:
    """End is exclusive and may be midnight at the end of the day (24:00)."""
    assert check_windows([Window(SUN, 0, MINUTES_PER_DAY)]) == [Window(SUN, 0, MINUTES_PER_DAY)]
    assert Window(SUN, 0, MINUTES_PER_DAY).label() == "Sunday 00:00-24:00"


def test_label_reads_like_a_clock() -> None:
    assert Window(WED, at(9, 5), at(17, 30)).label() == "Wednesday 09:05-17:30"


@pytest.mark.parametrize(
    "window",
    [w(MON, 12, 9), w(MON, 12, 12), Window(TUE, at(10, 30), at(10, 29))],
    ids=["backwards", "empty", "one-minute-backwards"],
)
def test_a_window_must_end_after_it_starts(window: Window) -> None:
    """An empty window is refused too: it offers no time at all."""
    with pytest.raises(ValidationFailed) as caught:
        check_windows([w(SUN, 9, 10), window])
    assert (caught.value.field, caught.value.code) == ("availability", "ENDS_BEFORE_START")
    assert window.label() in caught.value.message


@pytest.mark.parametrize(
    "windows",
    [
        [w(MON, 9, 12), w(MON, 11, 14)],
        [w(MON, 9, 12), w(MON, 9, 12)],
        [w(MON, 9, 17), w(MON, 10, 11)],
        [w(MON, 9, 17), w(MON, 12, 13), w(MON, 18, 19)],
        [w(WED, 11, 14), w(WED, 9, 12)],
    ],
    ids=["partly", "identical", "inside", "inside-among-three", "given-out-of-order"],
)
def test_overlapping_windows_on_the_same_day_are_refused(windows: list[Window]) -> None:
    """Overlaps would count the same hours twice in the weekly overlap."""
    with pytest.raises(ValidationFailed) as caught:
        check_windows(windows)
    assert (caught.value.field, caught.value.code) == ("availability", "OVERLAPPING_WINDOWS")


def test_touching_windows_do_not_overlap() -> None:
    """09:00-12:00 ends when 12:00-14:00 starts: no minute is shared."""
    assert check_windows([w(MON, 12, 14), w(MON, 9, 12)]) == [w(MON, 9, 12), w(MON, 12, 14)]


def test_the_same_hours_on_different_days_do_not_overlap() -> None:
    windows = [w(day, 9, 12) for day in range(7)]
    assert check_windows(windows) == windows


def test_late_sunday_and_early_monday_do_not_overlap() -> None:
    """The week wraps for overlap_hours, but each window stays on its day."""
    assert check_windows([w(SUN, 22, 24), w(MON, 0, 2)]) == [w(MON, 0, 2), w(SUN, 22, 24)]


@pytest.mark.parametrize("weekday", [-1, 7, 100])
def test_weekday_out_of_range(weekday: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_windows([Window(weekday, at(9), at(10))])
    assert (caught.value.field, caught.value.code) == ("availability", "INVALID_DAY")


@pytest.mark.parametrize(
    ("start", "end"),
    [(-1, 60), (-60, -30), (0, MINUTES_PER_DAY + 1), (MINUTES_PER_DAY, MINUTES_PER_DAY + 60)],
    ids=["starts-before-midnight", "all-before-midnight", "ends-after-24", "starts-at-24"],
)
def test_times_outside_the_day(start: int, end: int) -> None:
    """A window never runs past midnight: a night shift is two windows."""
    with pytest.raises(ValidationFailed) as caught:
        check_windows([Window(MON, start, end)])
    assert (caught.value.field, caught.value.code) == ("availability", "INVALID_TIME")


def test_a_window_ending_at_midnight_at_its_start_is_outside_the_day() -> None:
    """Monday 00:00-00:00 is refused, whichever rule names it."""
    with pytest.raises(ValidationFailed) as caught:
        check_windows([Window(MON, 0, 0)])
    assert caught.value.code in {"INVALID_TIME", "ENDS_BEFORE_START"}


def test_at_most_windows_max() -> None:
    """A bound on the list keeps the stored JSON and the overlap loop small."""
    allowed = [Window(day, at(hour), at(hour + 1)) for day in range(7) for hour in (8, 12, 16)]
    assert len(allowed) == WINDOWS_MAX
    assert len(check_windows(allowed)) == WINDOWS_MAX
    with pytest.raises(ValidationFailed) as caught:
        check_windows([*allowed, w(MON, 20, 21)])
    assert (caught.value.field, caught.value.code) == ("availability", "TOO_MANY")


def test_the_field_name_is_the_callers() -> None:
    """A wish and a profile report the error on their own input."""
    with pytest.raises(ValidationFailed) as caught:
        check_windows([w(MON, 12, 9)], field="preferred_availability")
    assert caught.value.field == "preferred_availability"


# -- overlap_hours: one timezone ----------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "theirs", "hours"),
    [
        ([w(MON, 9, 12)], [w(MON, 10, 14)], 2.0),
        ([w(MON, 9, 12)], [w(MON, 9, 12)], 3.0),
        ([w(MON, 9, 17)], [w(MON, 10, 11)], 1.0),
        ([Window(MON, at(9), at(9, 45))], [Window(MON, at(9, 30), at(11))], 0.25),
        ([w(MON, 9, 12), w(WED, 9, 12)], [w(MON, 11, 13), w(WED, 8, 10)], 2.0),
        ([w(MON, 9, 12), w(MON, 14, 17)], [w(MON, 10, 16)], 4.0),
    ],
    ids=["partly", "same", "inside", "quarter-hour", "two-days", "one-spanning-two"],
)
def test_overlap_in_one_timezone(mine: list[Window], theirs: list[Window], hours: float) -> None:
    assert overlap_hours(mine, BERLIN, theirs, BERLIN, week_of=JANUARY) == hours


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        ([w(MON, 9, 12)], [w(MON, 12, 14)]),
        ([w(MON, 9, 12)], [w(TUE, 9, 12)]),
        ([w(MON, 9, 12)], []),
        ([], [w(MON, 9, 12)]),
        ([], []),
    ],
    ids=["touching", "other-day", "they-gave-none", "i-gave-none", "nobody"],
)
def test_no_overlap_is_zero(mine: list[Window], theirs: list[Window]) -> None:
    assert overlap_hours(mine, BERLIN, theirs, BERLIN, week_of=JANUARY) == 0


def test_overlap_is_symmetric() -> None:
    mine = [w(MON, 15, 18), w(THU, 8, 10)]
    theirs = [w(MON, 9, 12), w(THU, 1, 3)]
    there = overlap_hours(mine, BERLIN, theirs, NEW_YORK, week_of=JANUARY)
    back = overlap_hours(theirs, NEW_YORK, mine, BERLIN, week_of=JANUARY)
    assert there == back == 4.0


def test_any_day_of_the_week_names_the_week() -> None:
    """week_of may be any day; the week is Monday to Sunday around it."""
    mine, theirs = [w(MON, 15, 18)], [w(MON, 9, 12)]
    per_day = {
        overlap_hours(mine, BERLIN, theirs, NEW_YORK, week_of=US_AHEAD + timedelta(days=d))
        for d in range(7)
    }
    assert per_day == {2.0}


# -- overlap_hours: across timezones ---------------------------------------------


@pytest.mark.parametrize(
    ("week", "hours"),
    [(JANUARY, 3.0), (US_AHEAD, 2.0), (BOTH_SUMMER, 3.0), (JULY, 3.0)],
    ids=["both-winter", "us-summer-europe-winter", "both-summer", "july"],
)
def test_berlin_afternoon_meets_new_york_morning(week: date, hours: float) -> None:
    """Berlin Mon 15:00-18:00 and New York Mon 09:00-12:00 are the same
    three hours while both are six hours apart. In the weeks after the US
    moved its clocks and before Europe did, they are five hours apart, and
    the overlap shrinks by an hour."""
    assert overlap_hours([w(MON, 15, 18)], BERLIN, [w(MON, 9, 12)], NEW_YORK, week_of=week) == hours


def test_in_the_gap_weeks_new_york_meets_berlin_an_hour_earlier() -> None:
    """The shift goes the other way for an earlier Berlin window: New York
    09:00-12:00 meets all of Berlin 14:00-17:00 only while five hours apart."""
    mine, theirs = [w(MON, 14, 17)], [w(MON, 9, 12)]
    assert overlap_hours(mine, BERLIN, theirs, NEW_YORK, week_of=US_AHEAD) == 3.0
    assert overlap_hours(mine, BERLIN, theirs, NEW_YORK, week_of=JANUARY) == 2.0


def test_new_york_evening_meets_berlin_early_next_morning() -> None:
    """The docstring's example: Monday 20:00-22:00 in New York (winter) is
    Tuesday 02:00-04:00 in Berlin."""
    hours = overlap_hours([w(TUE, 2, 3)], BERLIN, [w(MON, 20, 22)], NEW_YORK, week_of=JANUARY)
    assert hours == 1.0


def test_same_wall_clock_in_different_timezones_need_not_overlap() -> None:
    """Mornings in Tokyo and in New York never meet."""
    assert overlap_hours([w(MON, 9, 12)], TOKYO, [w(MON, 9, 12)], NEW_YORK, week_of=JANUARY) == 0


def test_across_midnight_within_the_week() -> None:
    """Tokyo Tuesday 07:00-09:00 is Monday 22:00-24:00 UTC, which in London
    in winter is Monday 22:00-24:00."""
    mine = [w(TUE, 7, 9)]
    assert overlap_hours(mine, TOKYO, [w(MON, 23, 24)], LONDON, week_of=JANUARY) == 1.0
    assert overlap_hours(mine, TOKYO, [w(MON, 20, 24)], LONDON, week_of=JANUARY) == 2.0
    assert overlap_hours(mine, TOKYO, [w(TUE, 7, 9)], LONDON, week_of=JANUARY) == 0


@pytest.mark.parametrize("week", [JANUARY, JULY])
def test_tokyo_monday_morning_meets_london_sunday_night(week: date) -> None:
    """Tokyo's Monday 07:00-09:00 is Sunday 22:00-24:00 UTC, the day before
    the week starts: the week wraps, so it still meets London's Sunday
    23:00-24:00 (23:00 UTC in winter, 22:00 UTC in summer)."""
    there = overlap_hours([w(MON, 7, 9)], TOKYO, [w(SUN, 23, 24)], LONDON, week_of=week)
    back = overlap_hours([w(SUN, 23, 24)], LONDON, [w(MON, 7, 9)], TOKYO, week_of=week)
    assert there == back == 1.0


@pytest.mark.parametrize(("week", "hours"), [(JANUARY, 1.0), (JULY, 0.0)])
def test_across_the_week_boundary_follows_daylight_saving(week: date, hours: float) -> None:
    """Tokyo Monday 08:00-09:00 is Sunday 23:00-24:00 UTC: London's Sunday
    23:00 in winter, but London's Sunday midnight in summer."""
    mine, theirs = [w(MON, 8, 9)], [w(SUN, 23, 24)]
    assert overlap_hours(mine, TOKYO, theirs, LONDON, week_of=week) == hours


def test_sunday_night_in_new_york_meets_monday_morning_in_berlin() -> None:
    """The week wraps the other way too: New York Sunday 21:00-24:00 (winter)
    is Berlin Monday 03:00-06:00."""
    hours = overlap_hours([w(MON, 5, 8)], BERLIN, [w(SUN, 21, 24)], NEW_YORK, week_of=JANUARY)
    assert hours == 1.0


def test_whole_days_at_opposite_ends_of_the_world() -> None:
    """Kiritimati (UTC+14) and Baker Island time (UTC-12) are 26 hours
    apart: the same weekday barely meets, the day before meets nearly whole."""
    far_east, far_west = "Pacific/Kiritimati", "Etc/GMT+12"
    whole_monday, whole_sunday = [w(MON, 0, 24)], [w(SUN, 0, 24)]
    assert overlap_hours(whole_monday, far_east, whole_monday, far_west, week_of=JANUARY) == 0
    assert overlap_hours(whole_monday, far_east, whole_sunday, far_west, week_of=JANUARY) == 22.0


def test_hours_are_real_hours_on_the_night_the_clocks_go_forward() -> None:
    """Berlin Sunday 01:00-04:00 on 29 March 2026 lasts two real hours."""
    night = [w(SUN, 1, 4)]
    assert overlap_hours(night, BERLIN, night, BERLIN, week_of=EUROPE_SPRING_FORWARD) == 2.0
    assert overlap_hours(night, BERLIN, night, BERLIN, week_of=JANUARY) == 3.0


def test_a_full_week_against_a_full_week_is_168_hours() -> None:
    """The week wraps, so always-available meets always-available all week
    in any two timezones; and every pair of windows is counted once (the
    three shifted weeks never double up)."""
    week = [w(day, 0, 24) for day in range(7)]
    assert overlap_hours(week, TOKYO, week, NEW_YORK, week_of=JANUARY) == 168.0
    assert overlap_hours(week, BERLIN, week, BERLIN, week_of=JANUARY) == 168.0


def test_hours_are_rounded_to_two_places() -> None:
    """Twenty minutes is a third of an hour."""
    mine, theirs = [Window(MON, at(9), at(9, 20))], [w(MON, 9, 10)]
    assert overlap_hours(mine, BERLIN, theirs, BERLIN, week_of=JANUARY) == 0.33
