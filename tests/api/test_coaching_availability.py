"""Coach availability and free slots through the public GraphQL API: weekly
and one-off windows, exception days, session length and buffer, the
viewer's timezone and day edges, daylight-saving weeks, slots in the past
and beyond the booking horizon, bookings taking slots (and cancellations
freeing them), publishing again, and refusals that change nothing.

The clock starts on Monday 2026-03-02 09:00 UTC (10:00 in Berlin). Berlin
is on +01:00 until Sunday 2026-03-29 02:00 and on +02:00 until Sunday
2026-10-25 03:00; New York moves from -05:00 to -04:00 on 2026-03-08."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.api.coaching_helpers import (
    AVAILABILITY,
    CANCEL,
    FREE_SLOTS,
    FRIDAYS,
    PUBLISH,
    become_coach,
    book,
    booked,
    free_slots,
    make_coach,
    publish,
)
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import assert_error, mutate
from tests.api.relationship_helpers import advance
from tests.fakes import FakeClock

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
LOS_ANGELES = "America/Los_Angeles"
TOKYO = "Asia/Tokyo"

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

FRIDAY = date(2026, 3, 6)
NEXT_FRIDAY = date(2026, 3, 13)
SATURDAY = date(2026, 3, 7)
NEXT_SATURDAY = date(2026, 3, 14)

FRIDAY_HOURS = [f"2026-03-06T{h:02d}:00:00+01:00" for h in range(9, 17)]
"""The eight one-hour slots of Friday 09:00-17:00 in Berlin."""


# -- helpers --------------------------------------------------------------------------


def minute(clock_time: str) -> int:
    """Minutes after midnight of a clock time like "09:30" ("24:00" ends the day)."""
    hours, minutes = clock_time.split(":")
    return int(hours) * 60 + int(minutes)


def weekly(weekday: int, start: str, end: str) -> dict[str, int]:
    return {"weekday": weekday, "startMinute": minute(start), "endMinute": minute(end)}


def one_off(day: date, start: str, end: str) -> dict[str, Any]:
    return {"date": day.isoformat(), "startMinute": minute(start), "endMinute": minute(end)}


def clock_times(slots: list[str]) -> list[str]:
    """The local clock times of slots: "2026-03-06T09:00:00+01:00" gives "09:00"."""
    return [slot[11:16] for slot in slots]


def move_to(clock: FakeClock, org: Org, when: datetime) -> None:
    """Time moves forward to `when`; members get fresh tokens, as a client would."""
    assert when >= clock.now()
    advance(clock, when - clock.now(), org)


async def coach_member(gql: GraphQL, org: Org, timezone: str = BERLIN) -> Member:
    """A member holding the COACH role who has published nothing yet."""
    coach = await org.add_member(timezone=timezone)
    await become_coach(gql, org, coach)
    return coach


async def published(gql: GraphQL, coach: Member, **fields: Any) -> dict[str, Any]:
    """The availability of a publication that must succeed."""
    result = await publish(gql, coach, **fields)
    assert result["__typename"] == "CoachAvailabilitySuccess", result
    return result["availability"]


async def availability(gql: GraphQL, viewer: Member, coach: Member) -> dict[str, Any] | None:
    data = await gql.data(AVAILABILITY, {"id": coach.id}, token=viewer.token)
    return data["node"]["coachAvailability"]


async def slots_with_ends(
    gql: GraphQL, viewer: Member, coach: Member, first: date, last: date, timezone: str | None
) -> list[tuple[str, str]]:
    data = await gql.data(
        FREE_SLOTS,
        {"id": coach.id, "first": first.isoformat(), "last": last.isoformat(), "tz": timezone},
        token=viewer.token,
    )
    return [(s["startsAt"], s["endsAt"]) for s in data["node"]["coachAvailability"]["freeSlots"]]


async def slot_query_error(
    gql: GraphQL, viewer: Member | None, coach: Member, first: date, last: date, tz: str | None
) -> dict[str, Any]:
    """The one GraphQL error of a freeSlots query that must fail."""
    body = await gql(
        FREE_SLOTS,
        {"id": coach.id, "first": first.isoformat(), "last": last.isoformat(), "tz": tz},
        token=viewer.token if viewer else None,
    )
    assert len(body.get("errors", [])) == 1, body
    return body["errors"][0]


# -- weekly windows, session length and buffer -----------------------------------------


async def test_a_weekly_window_gives_its_slots_in_each_week(gql: GraphQL, org: Org) -> None:
    """Fridays 09:00-17:00 with one-hour sessions: eight slots every Friday
    and none on the other days; each slot ends one session later."""
    coach = await make_coach(gql, org)
    week = await slots_with_ends(gql, org.faculty, coach, date(2026, 3, 2), date(2026, 3, 8), None)
    assert [start for start, _ in week] == FRIDAY_HOURS
    assert week[0] == ("2026-03-06T09:00:00+01:00", "2026-03-06T10:00:00+01:00")
    assert week[-1] == ("2026-03-06T16:00:00+01:00", "2026-03-06T17:00:00+01:00")
    two_weeks = await free_slots(gql, org.faculty, coach, date(2026, 3, 2), date(2026, 3, 15))
    assert two_weeks == FRIDAY_HOURS + [s.replace("03-06", "03-13") for s in FRIDAY_HOURS]


@pytest.mark.parametrize(
    ("session", "buffer", "end", "expected"),
    [
        (45, 15, "17:00", [f"{h:02d}:00" for h in range(9, 17)]),
        (50, 10, "17:00", [f"{h:02d}:00" for h in range(9, 17)]),
        (30, 0, "11:00", ["09:00", "09:30", "10:00", "10:30"]),
        (90, 30, "17:00", ["09:00", "11:00", "13:00", "15:00"]),
        (240, 120, "17:00", ["09:00"]),
        # 12:00-12:45 does not fit before 12:40: the last slot is not offered.
        (45, 15, "12:40", ["09:00", "10:00", "11:00"]),
        # It fits exactly before 12:45; its buffer may run past the window.
        (45, 15, "12:45", ["09:00", "10:00", "11:00", "12:00"]),
    ],
)
async def test_slots_start_every_session_plus_buffer_while_a_session_fits(
    gql: GraphQL, org: Org, session: int, buffer: int, end: str, expected: list[str]
) -> None:
    """Slots start at the window's start, one session plus buffer apart, as
    long as a whole session still fits in the window."""
    coach = await make_coach(
        gql,
        org,
        weekly=[weekly(FRI, "09:00", end)],
        session_minutes=session,
        buffer_minutes=buffer,
    )
    found = await slots_with_ends(gql, org.faculty, coach, FRIDAY, FRIDAY, None)
    assert clock_times([start for start, _ in found]) == expected
    for start, ends in found:
        length = datetime.fromisoformat(ends) - datetime.fromisoformat(start)
        assert length == timedelta(minutes=session)


async def test_windows_on_several_weekdays_and_the_whole_day(gql: GraphQL, org: Org) -> None:
    """Monday (0) to Sunday (6) all count, and a window may cover the whole
    day, 00:00-24:00."""
    coach = await make_coach(
        gql,
        org,
        weekly=[weekly(TUE, "09:00", "13:00"), weekly(SUN, "00:00", "24:00")],
        session_minutes=240,
    )
    slots = await free_slots(gql, org.faculty, coach, date(2026, 3, 3), date(2026, 3, 8))
    assert slots == [
        "2026-03-03T09:00:00+01:00",
        "2026-03-08T00:00:00+01:00",
        "2026-03-08T04:00:00+01:00",
        "2026-03-08T08:00:00+01:00",
        "2026-03-08T12:00:00+01:00",
        "2026-03-08T16:00:00+01:00",
        "2026-03-08T20:00:00+01:00",
    ]


# -- one-off windows and exception days ------------------------------------------------


async def test_a_one_off_window_counts_on_its_date_only(gql: GraphQL, org: Org) -> None:
    """A Saturday window on one date gives slots that Saturday, not the next."""
    coach = await make_coach(gql, org, weekly=[], one_off=[one_off(SATURDAY, "10:00", "12:00")])
    slots = await free_slots(gql, org.faculty, coach, FRIDAY, NEXT_SATURDAY)
    assert slots == ["2026-03-07T10:00:00+01:00", "2026-03-07T11:00:00+01:00"]


async def test_a_one_off_window_overlapping_a_weekly_one_merges_with_it(
    gql: GraphQL, org: Org
) -> None:
    """Fridays 09:00-12:00 plus 11:00-14:00 on one Friday are 09:00-14:00
    that day: one slot an hour, none twice; other Fridays are unchanged."""
    coach = await make_coach(
        gql,
        org,
        weekly=[weekly(FRI, "09:00", "12:00")],
        one_off=[one_off(FRIDAY, "11:00", "14:00")],
    )
    assert clock_times(await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY)) == [
        "09:00",
        "10:00",
        "11:00",
        "12:00",
        "13:00",
    ]
    assert clock_times(await free_slots(gql, org.faculty, coach, NEXT_FRIDAY, NEXT_FRIDAY)) == [
        "09:00",
        "10:00",
        "11:00",
    ]


async def test_adjacent_windows_merge_into_one_grid(gql: GraphQL, org: Org) -> None:
    """Fridays 09:00-11:30 and 11:30-12:30 on one Friday meet: one window
    09:00-12:30, so slots run on from 09:00 (11:00, not 11:30)."""
    coach = await make_coach(
        gql,
        org,
        weekly=[weekly(FRI, "09:00", "11:30")],
        one_off=[one_off(FRIDAY, "11:30", "12:30")],
    )
    assert clock_times(await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY)) == [
        "09:00",
        "10:00",
        "11:00",
    ]
    assert clock_times(await free_slots(gql, org.faculty, coach, NEXT_FRIDAY, NEXT_FRIDAY)) == [
        "09:00",
        "10:00",
    ]


async def test_an_exception_day_takes_the_weekly_windows_off(gql: GraphQL, org: Org) -> None:
    """A Friday off has no weekly slots; the next Friday still has them."""
    coach = await make_coach(gql, org, exceptions=[FRIDAY.isoformat()])
    assert await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY) == []
    assert len(await free_slots(gql, org.faculty, coach, NEXT_FRIDAY, NEXT_FRIDAY)) == 8


async def test_a_one_off_window_on_an_exception_day_still_counts(gql: GraphQL, org: Org) -> None:
    """ "Friday off, but 14:00-16:00 this Friday": only the one-off slots."""
    coach = await make_coach(
        gql,
        org,
        exceptions=[FRIDAY.isoformat()],
        one_off=[one_off(FRIDAY, "14:00", "16:00")],
    )
    assert await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY) == [
        "2026-03-06T14:00:00+01:00",
        "2026-03-06T15:00:00+01:00",
    ]


# -- the viewer's timezone --------------------------------------------------------------


async def test_a_viewer_sees_the_slots_in_their_own_timezone(gql: GraphQL, org: Org) -> None:
    """Berlin's Friday 09:00-17:00 is 03:00-11:00 in New York (EST): a
    viewer there gets the same instants, with their own offset."""
    coach = await make_coach(gql, org)
    viewer = await org.add_member(timezone=NEW_YORK)
    expected = [f"2026-03-06T{h:02d}:00:00-05:00" for h in range(3, 11)]
    assert await free_slots(gql, viewer, coach, FRIDAY, FRIDAY) == expected
    berlin = await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY)
    assert [datetime.fromisoformat(s) for s in berlin] == [
        datetime.fromisoformat(s) for s in expected
    ]


async def test_the_timezone_argument_overrides_the_viewers_own(gql: GraphQL, org: Org) -> None:
    """A Berlin viewer asking in New York time sees what a New York viewer
    sees; asking in Berlin time, Berlin's."""
    coach = await make_coach(gql, org)
    in_new_york = await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY, NEW_YORK)
    assert in_new_york == [f"2026-03-06T{h:02d}:00:00-05:00" for h in range(3, 11)]
    assert await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY, BERLIN) == FRIDAY_HOURS
    in_utc = await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY, "UTC")
    assert in_utc == [f"2026-03-06T{h:02d}:00:00+00:00" for h in range(8, 16)]


async def test_the_days_asked_for_are_the_viewers_days(gql: GraphQL, org: Org) -> None:
    """A Tokyo coach's Monday 09:00-12:00 and 14:00-18:00 (00:00-03:00 and
    05:00-09:00 UTC) are, in Los Angeles (PDT), Sunday 17:00-20:00 and Sunday
    22:00 to Monday 02:00: each viewer day holds the slots that fall in it."""
    coach = await make_coach(
        gql,
        org,
        timezone=TOKYO,
        weekly=[weekly(MON, "09:00", "12:00"), weekly(MON, "14:00", "18:00")],
    )
    viewer = await org.add_member(timezone=LOS_ANGELES)
    sunday, monday = date(2026, 3, 15), date(2026, 3, 16)
    assert await free_slots(gql, viewer, coach, sunday, sunday) == [
        "2026-03-15T17:00:00-07:00",
        "2026-03-15T18:00:00-07:00",
        "2026-03-15T19:00:00-07:00",
        "2026-03-15T22:00:00-07:00",
        "2026-03-15T23:00:00-07:00",
    ]
    assert await free_slots(gql, viewer, coach, monday, monday) == [
        "2026-03-16T00:00:00-07:00",
        "2026-03-16T01:00:00-07:00",
    ]
    # In Tokyo all seven are on Monday.
    in_tokyo = await free_slots(gql, viewer, coach, monday, monday, TOKYO)
    assert clock_times(in_tokyo) == ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00", "17:00"]
    assert all(s.startswith("2026-03-16T") and s.endswith("+09:00") for s in in_tokyo)


# -- daylight saving ----------------------------------------------------------------


async def test_a_weekly_window_keeps_its_wall_time_across_dst_changes(
    gql: GraphQL, org: Org
) -> None:
    """Wednesdays 09:00-12:00 in Berlin stay 09:00 there all spring, so in
    UTC they move an hour on 2026-03-29; New York moves on 2026-03-08, so a
    viewer there sees 03:00 (EST), then 04:00 for three weeks, then 03:00
    (EDT)."""
    coach = await make_coach(gql, org, weekly=[weekly(WED, "09:00", "12:00")])
    viewer = await org.add_member(timezone=NEW_YORK)
    first, last = date(2026, 3, 2), date(2026, 4, 5)
    wednesdays = ["2026-03-04", "2026-03-11", "2026-03-18", "2026-03-25", "2026-04-01"]

    def day(on: str, offset: str, hours: range) -> list[str]:
        return [f"{on}T{h:02d}:00:00{offset}" for h in hours]

    assert await free_slots(gql, viewer, coach, first, last) == [
        *day("2026-03-04", "-05:00", range(3, 6)),
        *day("2026-03-11", "-04:00", range(4, 7)),
        *day("2026-03-18", "-04:00", range(4, 7)),
        *day("2026-03-25", "-04:00", range(4, 7)),
        *day("2026-04-01", "-04:00", range(3, 6)),
    ]
    assert await free_slots(gql, org.faculty, coach, first, last) == [
        slot
        for on in wednesdays
        for slot in day(on, "+02:00" if on == "2026-04-01" else "+01:00", range(9, 12))
    ]
    in_utc = await free_slots(gql, viewer, coach, first, last, "UTC")
    assert [s[11:13] for s in in_utc[::3]] == ["08", "08", "08", "08", "07"]


async def test_a_window_across_the_spring_forward_gap_is_as_long_as_it_really_is(
    gql: GraphQL, org: Org
) -> None:
    """Sundays 01:00-05:00 in Berlin are four hours, except on 2026-03-29
    when 02:00-03:00 does not exist: three real hours, three one-hour
    slots, each ending an hour after it starts."""
    coach = await make_coach(gql, org, weekly=[weekly(SUN, "01:00", "05:00")])
    before = await free_slots(gql, org.faculty, coach, date(2026, 3, 22), date(2026, 3, 22))
    assert before == [f"2026-03-22T{h:02d}:00:00+01:00" for h in range(1, 5)]
    change = await slots_with_ends(
        gql, org.faculty, coach, date(2026, 3, 29), date(2026, 3, 29), None
    )
    assert change == [
        ("2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"),
        ("2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"),
        ("2026-03-29T04:00:00+02:00", "2026-03-29T05:00:00+02:00"),
    ]
    in_utc = await free_slots(gql, org.faculty, coach, date(2026, 3, 29), date(2026, 3, 29), "UTC")
    assert in_utc == [f"2026-03-29T{h:02d}:00:00+00:00" for h in range(0, 3)]


async def test_a_window_opening_in_the_skipped_hour_opens_when_the_clocks_jump(
    gql: GraphQL, org: Org
) -> None:
    """02:00 does not exist in Berlin on 2026-03-29; a 02:00-04:00 window
    that day opens at the jump (03:00 summer time): one real hour."""
    coach = await make_coach(
        gql, org, weekly=[], one_off=[one_off(date(2026, 3, 29), "02:00", "04:00")]
    )
    slots = await free_slots(gql, org.faculty, coach, date(2026, 3, 29), date(2026, 3, 29))
    assert slots == ["2026-03-29T03:00:00+02:00"]


async def test_a_window_across_the_autumn_repeated_hour_is_as_long_as_it_really_is(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Sundays 01:00-04:00 in Berlin are three hours, except on 2026-10-25
    when 02:00-03:00 happens twice: four real hours, four slots, two of
    them at 02:00 (summer time, then winter time)."""
    move_to(clock, org, datetime(2026, 10, 12, 9, 0, tzinfo=UTC))
    coach = await make_coach(gql, org, weekly=[weekly(SUN, "01:00", "04:00")])
    before = await free_slots(gql, org.faculty, coach, date(2026, 10, 18), date(2026, 10, 18))
    assert before == [f"2026-10-18T{h:02d}:00:00+02:00" for h in range(1, 4)]
    change = await free_slots(gql, org.faculty, coach, date(2026, 10, 25), date(2026, 10, 25))
    assert change == [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T03:00:00+01:00",
    ]
    in_utc = await free_slots(
        gql, org.faculty, coach, date(2026, 10, 24), date(2026, 10, 25), "UTC"
    )
    assert in_utc == [
        "2026-10-24T23:00:00+00:00",
        "2026-10-25T00:00:00+00:00",
        "2026-10-25T01:00:00+00:00",
        "2026-10-25T02:00:00+00:00",
    ]


# -- now and the booking horizon ---------------------------------------------------------


async def test_slots_that_have_begun_are_not_offered(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """It is Monday 10:00 in Berlin: of Monday 08:00-12:00, only 11:00 is
    still ahead (10:00 starts right now); an hour later, nothing is."""
    coach = await make_coach(gql, org, weekly=[weekly(MON, "08:00", "12:00")])
    today = date(2026, 3, 2)
    assert await free_slots(gql, org.faculty, coach, today, today) == ["2026-03-02T11:00:00+01:00"]
    move_to(clock, org, datetime(2026, 3, 2, 9, 59, tzinfo=UTC))
    assert await free_slots(gql, org.faculty, coach, today, today) == ["2026-03-02T11:00:00+01:00"]
    move_to(clock, org, datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    assert await free_slots(gql, org.faculty, coach, today, today) == []
    next_monday = date(2026, 3, 9)
    assert len(await free_slots(gql, org.faculty, coach, next_monday, next_monday)) == 4


async def test_free_slots_end_at_the_booking_horizon(gql: GraphQL, org: Org) -> None:
    """Sessions are booked at most 180 days ahead (until Saturday 2026-08-29
    09:00 UTC, 11:00 in Berlin): slots after that cannot be booked, so they
    are not offered as free."""
    coach = await make_coach(gql, org, weekly=[weekly(SAT, "08:00", "14:00")])
    refused = await book(gql, org.faculty, coach, "2026-08-29T12:00:00+02:00")
    assert_error(refused, "ValidationError", "TOO_FAR_AHEAD", "startsAt")
    slots = await free_slots(gql, org.faculty, coach, date(2026, 8, 22), date(2026, 9, 5))
    assert all(slot < "2026-08-29T12:00" for slot in slots), slots
    assert "2026-08-22T08:00:00+02:00" in slots


@pytest.mark.parametrize(
    ("first", "last", "timezone"),
    [
        (date(2026, 8, 30), date(2026, 9, 5), None),
        (date(2026, 9, 1), date(2026, 9, 1), "UTC"),
        # 30 August begins at 10:00 UTC on 29 August there, after the horizon.
        (date(2026, 8, 30), date(2026, 8, 30), "Pacific/Kiritimati"),
        (date(2027, 6, 4), date(2027, 6, 4), None),
    ],
)
async def test_asking_for_slots_beyond_the_booking_horizon_is_an_error(
    gql: GraphQL, org: Org, first: date, last: date, timezone: str | None
) -> None:
    """Days that begin after the horizon (Saturday 2026-08-29 09:00 UTC)
    could never be booked: TOO_FAR_AHEAD, as booking there is, rather than
    an empty list that reads as a coach with no time."""
    coach = await make_coach(gql, org, weekly=[weekly(d, "08:00", "14:00") for d in range(7)])
    error = await slot_query_error(gql, org.faculty, coach, first, last, timezone)
    assert error["extensions"] == {"code": "TOO_FAR_AHEAD"}
    assert "180 days" in error["message"]
    assert error["path"][-1] == "freeSlots"
    refused = await book(gql, org.faculty, coach, "2026-08-30T09:00:00+02:00")
    assert_error(refused, "ValidationError", "TOO_FAR_AHEAD", "startsAt")


async def test_a_range_reaching_past_the_horizon_lists_the_slots_up_to_it(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """A range that begins by the horizon is answered (its slots end there);
    as time passes the horizon moves and later days can be asked for."""
    coach = await make_coach(gql, org, weekly=[weekly(d, "08:00", "14:00") for d in range(7)])
    slots = await free_slots(gql, org.faculty, coach, date(2026, 8, 29), date(2026, 9, 4))
    assert slots == [f"2026-08-29T{h:02d}:00:00+02:00" for h in range(8, 12)]
    in_kiritimati = await free_slots(
        gql, org.faculty, coach, date(2026, 8, 29), date(2026, 8, 29), "Pacific/Kiritimati"
    )
    # The 29th there runs from 10:00 UTC on the 28th: two slots of that day
    # in Berlin, and the 29th's up to the horizon.
    assert len(in_kiritimati) == 2 + 4
    move_to(clock, org, datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    next_day = await free_slots(gql, org.faculty, coach, date(2026, 8, 30), date(2026, 8, 30))
    assert next_day == [f"2026-08-30T{h:02d}:00:00+02:00" for h in range(8, 12)]


async def test_the_slot_at_the_horizon_itself_is_offered(gql: GraphQL, org: Org) -> None:
    """A session starting exactly 180 days from now can be booked (the
    horizon is inclusive), so that slot is offered like any other."""
    coach = await make_coach(gql, org, weekly=[weekly(SAT, "08:00", "14:00")])
    slots = await free_slots(gql, org.faculty, coach, date(2026, 8, 29), date(2026, 8, 29))
    assert slots == [f"2026-08-29T{h:02d}:00:00+02:00" for h in range(8, 12)], (
        "the slot exactly at the booking horizon is bookable but not offered"
    )
    await booked(gql, org.faculty, coach, datetime(2026, 8, 29, 9, 0, tzinfo=UTC))


# -- bookings -------------------------------------------------------------------------


@pytest.mark.parametrize(("session", "buffer"), [(60, 0), (45, 15), (50, 10)])
async def test_a_booked_slot_is_no_longer_free_and_its_neighbours_are(
    gql: GraphQL, org: Org, session: int, buffer: int
) -> None:
    """Booking 10:00 takes that slot (and its buffer) only: 09:00 and 11:00
    stay free, for the coachee and for anyone else."""
    coach = await make_coach(gql, org, session_minutes=session, buffer_minutes=buffer)
    coachee = await org.add_member()
    await booked(gql, coachee, coach, datetime.fromisoformat("2026-03-06T10:00:00+01:00"))
    expected = [s for s in FRIDAY_HOURS if s != "2026-03-06T10:00:00+01:00"]
    assert await free_slots(gql, coachee, coach, FRIDAY, FRIDAY) == expected
    assert await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY) == expected


@pytest.mark.parametrize("by", ["coachee", "coach"])
async def test_a_cancelled_booking_frees_its_slot(gql: GraphQL, org: Org, by: str) -> None:
    """Cancelled by the coachee or by the coach, the slot is free again."""
    coach = await make_coach(gql, org, session_minutes=45, buffer_minutes=15)
    session = await booked(
        gql, org.faculty, coach, datetime.fromisoformat("2026-03-06T10:00:00+01:00")
    )
    assert len(await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY)) == 7
    canceller = org.faculty if by == "coachee" else coach
    cancelled = await mutate(
        gql, CANCEL, {"sessionId": session["id"], "reason": "Ill."}, token=canceller.token
    )
    assert cancelled["__typename"] == "CoachSessionSuccess", cancelled
    assert await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY) == FRIDAY_HOURS
    await booked(gql, org.faculty, coach, datetime.fromisoformat("2026-03-06T10:00:00+01:00"))


async def test_a_coach_booked_as_a_coachee_offers_no_slot_then(gql: GraphQL, org: Org) -> None:
    """A coach who booked another coach at Friday 10:00 is busy then: that
    slot of theirs cannot be booked, so it is not offered as free."""
    first, second = await make_coach(gql, org), await make_coach(gql, org)
    await booked(gql, first, second, datetime.fromisoformat("2026-03-06T10:00:00+01:00"))
    refused = await book(gql, org.faculty, first, "2026-03-06T10:00:00+01:00")
    assert_error(refused, "ConflictError", "SLOT_TAKEN", "startsAt")
    slots = await free_slots(gql, org.faculty, first, FRIDAY, FRIDAY)
    assert "2026-03-06T10:00:00+01:00" not in slots, "a slot that cannot be booked is offered"
    assert slots == [s for s in FRIDAY_HOURS if s != "2026-03-06T10:00:00+01:00"]


async def _booked_on_an_old_grid(gql: GraphQL, org: Org) -> Member:
    """A coach with Friday 19:45-21:45 (Berlin), booked at 19:45 (18:45 UTC),
    who then publishes Friday 19:00-22:00: the new slots at 19:00 and 20:00
    overlap that session, 21:00 does not."""
    coach = await make_coach(gql, org, weekly=[weekly(FRI, "19:45", "21:45")])
    await booked(gql, org.faculty, coach, datetime.fromisoformat("2026-03-06T19:45:00+01:00"))
    await published(gql, coach, sessionMinutes=60, weekly=[weekly(FRI, "19:00", "22:00")])
    return coach


async def test_sessions_booked_before_publishing_again_still_take_their_time(
    gql: GraphQL, org: Org
) -> None:
    """Publishing again keeps booked sessions: new slots that would overlap
    one are not offered."""
    coach = await _booked_on_an_old_grid(gql, org)
    assert await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY) == [
        "2026-03-06T21:00:00+01:00"
    ]


async def test_a_session_just_after_the_viewers_last_day_still_takes_a_slot_before_it(
    gql: GraphQL, org: Org
) -> None:
    """In Kolkata (+05:30) Friday ends at 18:30 UTC. The coach's 18:00 UTC
    slot (23:30 there) overlaps the session booked at 18:45 UTC, which
    starts after that day: the slot is still taken, and not offered."""
    coach = await _booked_on_an_old_grid(gql, org)
    refused = await book(gql, org.faculty, coach, "2026-03-06T19:00:00+01:00")
    assert_error(refused, "ConflictError", "SLOT_TAKEN", "startsAt")
    slots = await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY, "Asia/Kolkata")
    assert slots == [], "a slot overlapping a session that starts after the range is offered"


# -- publishing and reading back ------------------------------------------------------


async def test_coach_availability_reads_back_what_was_published(gql: GraphQL, org: Org) -> None:
    """Anyone in the organization reads a coach's availability: windows in
    order, exception days once each, in the coach's own timezone unless
    another was given."""
    coach = await coach_member(gql, org, timezone=NEW_YORK)
    result = await published(
        gql,
        coach,
        sessionMinutes=45,
        bufferMinutes=15,
        weekly=[
            weekly(FRI, "14:00", "16:00"),
            weekly(MON, "09:00", "12:00"),
            weekly(FRI, "09:00", "12:00"),
        ],
        oneOff=[one_off(NEXT_SATURDAY, "10:00", "12:00"), one_off(SATURDAY, "09:00", "10:00")],
        exceptions=["2026-03-13", "2026-03-06", "2026-03-13"],
    )
    read = await availability(gql, org.faculty, coach)
    assert read == result
    assert read == {
        "coach": {"id": coach.id},
        "timezone": NEW_YORK,
        "sessionMinutes": 45,
        "bufferMinutes": 15,
        "weekly": [
            {"weekday": MON, "startMinute": 540, "endMinute": 720},
            {"weekday": FRI, "startMinute": 540, "endMinute": 720},
            {"weekday": FRI, "startMinute": 840, "endMinute": 960},
        ],
        "oneOff": [
            {"date": "2026-03-07", "startMinute": 540, "endMinute": 600},
            {"date": "2026-03-14", "startMinute": 600, "endMinute": 720},
        ],
        "exceptions": ["2026-03-06", "2026-03-13"],
    }


async def test_the_windows_are_in_the_timezone_given(gql: GraphQL, org: Org) -> None:
    """A Berlin coach publishing Fridays 09:00-17:00 in Tokyo time has
    slots from 01:00 Berlin time (09:00 in Tokyo)."""
    coach = await coach_member(gql, org)
    result = await published(gql, coach, sessionMinutes=60, weekly=FRIDAYS, timezone=TOKYO)
    assert result["timezone"] == TOKYO
    assert (await availability(gql, org.faculty, coach))["timezone"] == TOKYO  # type: ignore[index]
    slots = await free_slots(gql, org.faculty, coach, FRIDAY, FRIDAY)
    assert slots == [f"2026-03-06T{h:02d}:00:00+01:00" for h in range(1, 9)]


async def test_publishing_again_replaces_the_whole_availability(gql: GraphQL, org: Org) -> None:
    """What was published before is gone: its weekly and one-off windows,
    its exception days, its timezone, its lengths."""
    coach = await coach_member(gql, org)
    await published(
        gql,
        coach,
        sessionMinutes=45,
        bufferMinutes=15,
        weekly=FRIDAYS,
        oneOff=[one_off(SATURDAY, "10:00", "12:00")],
        exceptions=[NEXT_FRIDAY.isoformat()],
        timezone=TOKYO,
    )
    await published(gql, coach, sessionMinutes=30, weekly=[weekly(THU, "09:00", "10:00")])
    assert await availability(gql, org.faculty, coach) == {
        "coach": {"id": coach.id},
        "timezone": BERLIN,
        "sessionMinutes": 30,
        "bufferMinutes": 0,
        "weekly": [{"weekday": THU, "startMinute": 540, "endMinute": 600}],
        "oneOff": [],
        "exceptions": [],
    }
    slots = await free_slots(gql, org.faculty, coach, date(2026, 3, 2), NEXT_SATURDAY)
    assert slots == [
        "2026-03-05T09:00:00+01:00",
        "2026-03-05T09:30:00+01:00",
        "2026-03-12T09:00:00+01:00",
        "2026-03-12T09:30:00+01:00",
    ]


async def test_publishing_nothing_leaves_no_free_slots(gql: GraphQL, org: Org) -> None:
    """A coach may publish no windows at all: they have no free slots."""
    coach = await make_coach(gql, org)
    await published(gql, coach, sessionMinutes=60)
    assert (await availability(gql, org.faculty, coach))["weekly"] == []  # type: ignore[index]
    assert await free_slots(gql, org.faculty, coach, date(2026, 3, 2), date(2026, 4, 12)) == []


# -- refusals ---------------------------------------------------------------------------

VALID: dict[str, Any] = {"sessionMinutes": 60, "bufferMinutes": 0, "weekly": FRIDAYS}


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"weekly": [weekly(FRI, "10:00", "09:00")]}, "ENDS_BEFORE_START", "weekly"),
        ({"weekly": [weekly(FRI, "10:00", "10:00")]}, "ENDS_BEFORE_START", "weekly"),
        ({"oneOff": [one_off(SATURDAY, "12:00", "10:00")]}, "ENDS_BEFORE_START", "oneOff"),
        (
            {"weekly": [weekly(FRI, "09:00", "12:00"), weekly(FRI, "11:59", "13:00")]},
            "OVERLAPPING_WINDOWS",
            "weekly",
        ),
        (
            {"oneOff": [one_off(SATURDAY, "09:00", "12:00"), one_off(SATURDAY, "10:00", "11:00")]},
            "OVERLAPPING_WINDOWS",
            "oneOff",
        ),
        ({"weekly": [weekly(7, "09:00", "10:00")]}, "INVALID_DAY", "weekly"),
        ({"weekly": [weekly(-1, "09:00", "10:00")]}, "INVALID_DAY", "weekly"),
        (
            {"weekly": [{"weekday": FRI, "startMinute": -1, "endMinute": 60}]},
            "INVALID_TIME",
            "weekly",
        ),
        (
            {"weekly": [{"weekday": FRI, "startMinute": 0, "endMinute": 1441}]},
            "INVALID_TIME",
            "weekly",
        ),
        (
            {"oneOff": [{**one_off(SATURDAY, "23:00", "00:00"), "endMinute": 1500}]},
            "INVALID_TIME",
            "oneOff",
        ),
        ({"sessionMinutes": 14}, "OUT_OF_RANGE", "sessionMinutes"),
        ({"sessionMinutes": 241}, "OUT_OF_RANGE", "sessionMinutes"),
        ({"bufferMinutes": -1}, "OUT_OF_RANGE", "bufferMinutes"),
        ({"bufferMinutes": 121}, "OUT_OF_RANGE", "bufferMinutes"),
        ({"timezone": "Mars/Olympus_Mons"}, "INVALID_TIMEZONE", "timezone"),
        (
            {"weekly": [weekly(d % 7, f"{d // 7:02d}:00", f"{d // 7:02d}:30") for d in range(22)]},
            "TOO_MANY",
            "weekly",
        ),
    ],
)
async def test_invalid_availability_is_refused_and_changes_nothing(
    gql: GraphQL, org: Org, change: dict[str, Any], code: str, field: str
) -> None:
    """A bad publication gets a typed error naming the input, and what the
    coach published before stays as it was."""
    coach = await make_coach(
        gql,
        org,
        weekly=[weekly(MON, "09:00", "12:00")],
        one_off=[one_off(SATURDAY, "10:00", "11:00")],
    )
    before = await availability(gql, org.faculty, coach)
    result = await publish(gql, coach, **{**VALID, **change})
    assert_error(result, "ValidationError", code, field)
    assert await availability(gql, org.faculty, coach) == before


AT_THE_LIMITS: list[dict[str, Any]] = [
    {"sessionMinutes": 15},
    {"sessionMinutes": 240, "bufferMinutes": 120},
    {"weekly": [weekly(MON, "00:00", "24:00"), weekly(SUN, "23:59", "24:00")]},
    {"weekly": [weekly(FRI, "09:00", "12:00"), weekly(FRI, "12:00", "13:00")]},
    {"oneOff": [one_off(SATURDAY, "09:00", "12:00"), one_off(NEXT_SATURDAY, "09:00", "12:00")]},
    {"weekly": [weekly(d % 7, f"{d // 7:02d}:00", f"{d // 7:02d}:30") for d in range(21)]},
]


async def test_availability_at_the_limits_is_accepted(gql: GraphQL, org: Org) -> None:
    """The bounds are inclusive (15 and 240 minutes a session, a buffer up
    to 120, 00:00 to 24:00, 21 weekly windows); windows may meet without
    overlapping, and one-offs on different dates may share their times."""
    coach = await coach_member(gql, org)
    for change in AT_THE_LIMITS:
        result = await published(gql, coach, **{**VALID, **change})
        assert len(result["weekly"]) == len(change.get("weekly", VALID["weekly"]))
        assert len(result["oneOff"]) == len(change.get("oneOff", []))
        assert result["sessionMinutes"] == change.get("sessionMinutes", 60)
        assert result["bufferMinutes"] == change.get("bufferMinutes", 0)


async def test_a_member_without_the_coach_role_cannot_publish(gql: GraphQL, org: Org) -> None:
    """Only people holding the COACH role publish availability; nothing is
    stored for anyone else."""
    member = await org.add_member()
    result = await publish(gql, member, **VALID)
    assert_error(result, "PermissionDeniedError", "NOT_A_COACH")
    assert await availability(gql, org.faculty, member) is None


async def test_an_unauthenticated_caller_can_neither_publish_nor_read(
    gql: GraphQL, org: Org
) -> None:
    """Without a token: a typed AuthenticationError for publishing (nothing
    changes), UNAUTHENTICATED for reading availability and free slots."""
    coach = await make_coach(gql, org)
    before = await availability(gql, org.faculty, coach)
    result = await mutate(gql, PUBLISH, {**VALID, "sessionMinutes": 30}, token="")
    assert_error(result, "AuthenticationError", "UNAUTHENTICATED")
    assert await availability(gql, org.faculty, coach) == before
    error = await slot_query_error(gql, None, coach, FRIDAY, FRIDAY, None)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert await gql.error_codes(AVAILABILITY, {"id": coach.id}) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("first", "last", "timezone", "code"),
    [
        (date(2026, 3, 6), date(2026, 3, 5), None, "ENDS_BEFORE_START"),
        (date(2026, 3, 2), date(2026, 4, 13), None, "RANGE_TOO_LONG"),
        (FRIDAY, FRIDAY, "Mars/Olympus_Mons", "INVALID_TIMEZONE"),
    ],
)
async def test_a_bad_range_of_free_slots_is_an_error_with_a_code(
    gql: GraphQL, org: Org, first: date, last: date, timezone: str | None, code: str
) -> None:
    """lastDay before firstDay, more than 42 days, or an unknown timezone:
    a GraphQL error with the domain's code and message, at freeSlots."""
    coach = await make_coach(gql, org)
    error = await slot_query_error(gql, org.faculty, coach, first, last, timezone)
    assert error["extensions"] == {"code": code}
    assert error["message"]
    assert error["message"] != "Unexpected error."
    assert error["path"][-1] == "freeSlots"


async def test_forty_two_days_of_free_slots_can_be_asked_for(gql: GraphQL, org: Org) -> None:
    """Six weeks (2026-03-02 to 2026-04-12) is the longest range: six Fridays."""
    coach = await make_coach(gql, org)
    slots = await free_slots(gql, org.faculty, coach, date(2026, 3, 2), date(2026, 4, 12))
    assert len(slots) == 6 * 8
    assert {s[:10] for s in slots} == {
        "2026-03-06",
        "2026-03-13",
        "2026-03-20",
        "2026-03-27",
        "2026-04-03",
        "2026-04-10",
    }
