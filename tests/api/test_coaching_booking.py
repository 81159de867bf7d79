"""Booking, cancelling, rescheduling and recording coach sessions through the
public API: the coaching relationship a booking starts (or reuses), the
notifications both sides get, the cut-off, the fair-use limits of the
organization, and bad input that gets a typed error and changes nothing.

The clock starts on Monday 2026-03-02 09:00 UTC. Coaches made by
`make_coach` are in Europe/Berlin and take 60-minute sessions on Fridays
from 09:00 to 17:00 their time (CET, UTC+1, until 29 March; CEST after).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from api.context import Services
from tests.api.coaching_helpers import (
    BOOK,
    CANCEL,
    FRIDAYS,
    MY_SESSIONS,
    NOTIFICATIONS,
    RECORD,
    RESCHEDULE,
    SESSION_NODE,
    WRITE_NOTES,
    become_coach,
    book,
    booked,
    free_slots,
    make_coach,
    publish,
)
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import gid, missing_id, mutate
from tests.api.relationship_helpers import COACHING, END, advance, established, viewer
from tests.fakes import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
ENDED_REASON = "The coaching relationship ended."

UPDATE_SETTINGS = """
mutation Settings($input: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $input) {
    __typename
    ... on Error { code message }
    ... on OrganizationSuccess {
      organization { coachUpcomingSessionsMax coachSessionsPerMonthMax coachCancelCutoffHours }
    }
  }
}
"""


# -- helpers ------------------------------------------------------------------


def berlin(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Berlin in 2026 (the coaches' timezone)."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def moment(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def move_to(clock: FakeClock, org: Org, when: datetime) -> None:
    """Sets the clock to `when` (forward only) and refreshes every token."""
    assert when >= clock.now()
    advance(clock, when - clock.now(), org)


async def act(
    gql: GraphQL, document: str, member: Member, session_id: str, **extra: Any
) -> dict[str, Any]:
    values = {"sessionId": session_id, **extra}
    if isinstance(values.get("startsAt"), datetime):
        values["startsAt"] = values["startsAt"].isoformat()
    return await mutate(gql, document, values, token=member.token)


async def succeeded(
    gql: GraphQL, document: str, member: Member, session_id: str, **extra: Any
) -> dict[str, Any]:
    result = await act(gql, document, member, session_id, **extra)
    assert result["__typename"] == "CoachSessionSuccess", result
    return result["session"]


async def seen_by(gql: GraphQL, member: Member, session_id: str) -> dict[str, Any] | None:
    return (await gql.data(SESSION_NODE, {"id": session_id}, token=member.token))["node"]


async def inbox(gql: GraphQL, member: Member) -> list[dict[str, Any]]:
    """The member's coach session notifications (not those of the coach role)."""
    data = await gql.data(NOTIFICATIONS, token=member.token)
    nodes = [edge["node"] for edge in data["viewer"]["notifications"]["edges"]]
    return [n for n in nodes if n["kind"].startswith("COACH_SESSION_")]


async def coaching_notes(gql: GraphQL, member: Member, kind: str) -> list[tuple[Any, Any]]:
    """(actor id, session id) of the member's notifications of one kind."""
    return [
        (
            n["actor"]["id"] if n["actor"] else None,
            n["coachSession"]["id"] if n["coachSession"] else None,
        )
        for n in await inbox(gql, member)
        if n["kind"] == kind
    ]


async def configure(gql: GraphQL, org: Org, **settings: int) -> None:
    data = await gql.data(UPDATE_SETTINGS, {"input": settings}, token=org.faculty.token)
    result = data["updateOrganizationSettings"]
    assert result["__typename"] == "OrganizationSuccess", result
    for name, value in settings.items():
        assert result["organization"][name] == value


_SNAPSHOT = {
    "coach_sessions": "SELECT * FROM coach_sessions ORDER BY id",
    "notifications": "SELECT * FROM notifications ORDER BY id",
    "relationships": "SELECT * FROM relationships ORDER BY id",
}


async def snapshot(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row a booking, cancellation or move writes: compared before and
    after a refused request to show that it changed nothing."""
    async with services.session_factory() as session:
        return {
            name: [tuple(row) for row in (await session.execute(sa.text(query))).all()]
            for name, query in _SNAPSHOT.items()
        }


async def scalar(services: Services, query: str, **params: Any) -> Any:
    async with services.session_factory() as session:
        return (await session.execute(sa.text(query), params)).scalar_one()


async def coaching_relationships(services: Services, coach: Member, coachee: Member) -> list[str]:
    """Statuses of the pair's coaching relationships, oldest first."""
    async with services.session_factory() as session:
        rows = await session.execute(
            sa.text(
                "SELECT status FROM relationships WHERE kind = 'COACHING'"
                " AND leader_id = :coach AND follower_id = :coachee ORDER BY proposed_at, id"
            ),
            {"coach": coach.person.id, "coachee": coachee.person.id},
        )
        return [row.status for row in rows]


def expect(
    result: dict[str, Any], typename: str, code: str, field: str | None = None, *, case: str = ""
) -> None:
    """A typed error with a message; `field` for validation and conflict errors."""
    assert result["__typename"] == typename, (case, result)
    assert result["code"] == code, (case, result)
    assert result["message"], (case, result)
    if typename in ("ValidationError", "ConflictError"):
        assert result["field"] == field, (case, result)


def limit_error(result: dict[str, Any], limit: str, value: int) -> None:
    assert result["__typename"] == "LimitExceededError", result
    assert (result["code"], result["limit"], result["value"]) == ("LIMIT_EXCEEDED", limit, value)
    assert str(value) in result["message"], result


# -- booking and the coaching relationship --------------------------------------


async def test_a_booking_starts_a_coaching_relationship_once_and_reuses_it(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()

    first = await booked(gql, person, coach, berlin(3, 6, 9), "  Changing careers  ")
    assert first["status"] == "BOOKED"
    assert first["topic"] == "Changing careers"
    assert moment(first["startsAt"]) == berlin(3, 6, 9)
    assert moment(first["endsAt"]) == berlin(3, 6, 10)
    assert moment(first["bookedAt"]) == clock.now()
    assert (first["coach"]["id"], first["coachee"]["id"]) == (coach.id, person.id)
    assert (first["cancelledAt"], first["cancelledBy"], first["cancelReason"]) == (None, None, "")
    relationship = first["relationship"]
    assert (relationship["kind"], relationship["status"]) == ("COACHING", "ACTIVE")

    second = await booked(gql, person, coach, berlin(3, 13, 9))
    assert second["relationship"]["id"] == relationship["id"]
    assert await coaching_relationships(services, coach, person) == ["ACTIVE"]

    # The two see the relationship; both see the session and its topic.
    assert [r["id"] for r in (await viewer(gql, person))["coaches"]] == [relationship["id"]]
    assert [r["id"] for r in (await viewer(gql, coach))["coachees"]] == [relationship["id"]]
    for member in (person, coach):
        found = await seen_by(gql, member, first["id"])
        assert found is not None
        assert found["topic"] == "Changing careers"
        mine = await gql.data(MY_SESSIONS, {}, token=member.token)
        assert [e["node"]["id"] for e in mine["viewer"]["coachSessions"]["edges"]] == [
            first["id"],
            second["id"],
        ]


async def test_an_active_coaching_relationship_made_by_consent_is_reused(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    relationship = await established(gql, coach, person, kind=COACHING)

    session = await booked(gql, person, coach, berlin(3, 6, 9), "Feedback culture")
    assert session["relationship"]["id"] == relationship["id"]
    assert session["topic"] == "Feedback culture"
    assert await coaching_relationships(services, coach, person) == ["ACTIVE"]


async def test_booking_notifies_the_coach_and_confirms_to_the_coachee(
    gql: GraphQL, org: Org
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    bystander = await org.add_member()
    session = await booked(gql, person, coach, berlin(3, 6, 9), "Delegation")

    [to_coach] = await inbox(gql, coach)
    assert to_coach["kind"] == "COACH_SESSION_BOOKED"
    assert to_coach["actor"] == {"id": person.id}
    assert to_coach["coachSession"] == {"id": session["id"], "topic": "Delegation"}
    assert to_coach["relationship"] == {"id": session["relationship"]["id"]}

    [confirmation] = await inbox(gql, person)
    assert confirmation["kind"] == "COACH_SESSION_BOOKED"
    assert confirmation["coachSession"] == {"id": session["id"], "topic": "Delegation"}
    assert confirmation["actor"] in (None, {"id": person.id})

    assert await inbox(gql, bystander) == []


async def test_cancelling_notifies_the_other_side_and_rescheduling_the_coach(
    gql: GraphQL, org: Org
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    first = await booked(gql, person, coach, berlin(3, 6, 9))
    second = await booked(gql, person, coach, berlin(3, 6, 11))

    await succeeded(gql, CANCEL, person, first["id"])
    assert await coaching_notes(gql, coach, "COACH_SESSION_CANCELLED") == [(person.id, first["id"])]
    assert await coaching_notes(gql, person, "COACH_SESSION_CANCELLED") == []

    await succeeded(gql, RESCHEDULE, person, second["id"], startsAt=berlin(3, 6, 12))
    assert await coaching_notes(gql, coach, "COACH_SESSION_RESCHEDULED") == [
        (person.id, second["id"])
    ]
    assert await coaching_notes(gql, person, "COACH_SESSION_RESCHEDULED") == []

    await succeeded(gql, CANCEL, coach, second["id"], reason="I am ill, sorry.")
    assert await coaching_notes(gql, person, "COACH_SESSION_CANCELLED") == [
        (coach.id, second["id"])
    ]
    # The coach hears only of the coachee's cancellation, not of their own.
    assert await coaching_notes(gql, coach, "COACH_SESSION_CANCELLED") == [(person.id, first["id"])]


# -- cancelling and the cut-off --------------------------------------------------


async def test_the_coachee_cancels_up_to_the_cutoff_and_not_after(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    early = await booked(gql, person, coach, berlin(3, 6, 9))
    late = await booked(gql, person, coach, berlin(3, 13, 9))

    # Exactly 24 hours before the start: still allowed.
    move_to(clock, org, berlin(3, 5, 9))
    cancelled = await succeeded(gql, CANCEL, person, early["id"], reason="  Clash  ")
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancelledBy"] == {"id": person.id}
    assert cancelled["cancelReason"] == "Clash"
    assert moment(cancelled["cancelledAt"]) == clock.now()

    # A second later than 24 hours before: neither cancelled nor moved.
    move_to(clock, org, berlin(3, 12, 9) + timedelta(seconds=1))
    before = await snapshot(services)
    expect(await act(gql, CANCEL, person, late["id"]), "ConflictError", "PAST_CUTOFF")
    expect(
        await act(gql, RESCHEDULE, person, late["id"], startsAt=berlin(3, 13, 10)),
        "ConflictError",
        "PAST_CUTOFF",
    )
    assert await snapshot(services) == before
    assert (await seen_by(gql, person, late["id"]))["status"] == "BOOKED"  # type: ignore[index]


async def test_the_cutoff_is_the_organizations_setting(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    await configure(gql, org, coachCancelCutoffHours=48)
    session = await booked(gql, person, coach, berlin(3, 6, 9))

    move_to(clock, org, berlin(3, 4, 9) + timedelta(seconds=1))
    before = await snapshot(services)
    expect(await act(gql, CANCEL, person, session["id"]), "ConflictError", "PAST_CUTOFF")
    assert await snapshot(services) == before

    # With no cut-off, the coachee cancels until the very last moment.
    await configure(gql, org, coachCancelCutoffHours=0)
    move_to(clock, org, berlin(3, 6, 9) - timedelta(seconds=1))
    assert (await succeeded(gql, CANCEL, person, session["id"]))["status"] == "CANCELLED"


async def test_the_coach_cancels_with_a_reason_after_the_cutoff_until_the_start(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    morning = await booked(gql, person, coach, berlin(3, 6, 9))
    afternoon = await booked(gql, person, coach, berlin(3, 6, 14))

    move_to(clock, org, berlin(3, 6, 8))  # an hour before: past the coachee's cut-off
    before = await snapshot(services)
    expect(await act(gql, CANCEL, person, morning["id"]), "ConflictError", "PAST_CUTOFF")
    for reason in ("", "   "):
        expect(
            await act(gql, CANCEL, coach, morning["id"], reason=reason),
            "ValidationError",
            "REQUIRED",
            "reason",
        )
    assert await snapshot(services) == before

    cancelled = await succeeded(gql, CANCEL, coach, morning["id"], reason="I am ill, sorry.")
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancelledBy"] == {"id": coach.id}
    assert cancelled["cancelReason"] == "I am ill, sorry."
    assert moment(cancelled["cancelledAt"]) == clock.now()
    # The coachee sees who cancelled and why.
    assert await seen_by(gql, person, morning["id"]) == {"__typename": "CoachSession", **cancelled}
    expect(
        await act(gql, CANCEL, coach, morning["id"], reason="Again"), "ConflictError", "NOT_BOOKED"
    )

    # Once the session has started, not even the coach cancels it.
    move_to(clock, org, berlin(3, 6, 14))
    before = await snapshot(services)
    expect(
        await act(gql, CANCEL, coach, afternoon["id"], reason="Too late"),
        "ConflictError",
        "SESSION_STARTED",
    )
    assert await snapshot(services) == before


async def test_a_cancelled_slot_can_be_booked_again(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await make_coach(gql, org)
    first, second = await org.add_member(), await org.add_member()
    slot = berlin(3, 6, 9)
    session = await booked(gql, first, coach, slot)
    expect(await book(gql, second, coach, slot), "ConflictError", "SLOT_TAKEN", "startsAt")
    day = slot.date()
    assert slot.isoformat() not in await free_slots(gql, second, coach, day, day)

    await succeeded(gql, CANCEL, first, session["id"])
    assert slot.isoformat() in await free_slots(gql, second, coach, day, day)
    again = await booked(gql, second, coach, slot)
    assert again["coachee"] == {"id": second.id}
    # The cancelled session stays as history; the slot is taken again.
    async with services.session_factory() as db:
        rows = (await db.execute(sa.text("SELECT id, status FROM coach_sessions"))).all()
    statuses = {gid("CoachSession", row.id): row.status for row in rows}
    assert statuses == {session["id"]: "CANCELLED", again["id"]: "BOOKED"}
    expect(await book(gql, first, coach, slot), "ConflictError", "SLOT_TAKEN", "startsAt")


# -- rescheduling ------------------------------------------------------------------


async def test_the_coachee_reschedules_to_another_free_slot(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    session = await booked(gql, person, coach, berlin(3, 6, 9), "Conflict at work")

    # To the very next slot (it starts where the session ends now).
    moved = await succeeded(gql, RESCHEDULE, person, session["id"], startsAt=berlin(3, 6, 10))
    assert moved["id"] == session["id"]
    assert (moment(moved["startsAt"]), moment(moved["endsAt"])) == (
        berlin(3, 6, 10),
        berlin(3, 6, 11),
    )
    assert moved["status"] == "BOOKED"
    assert moved["topic"] == "Conflict at work"
    assert moved["relationship"] == session["relationship"]
    day = berlin(3, 6, 0).date()
    free = await free_slots(gql, person, coach, day, day)
    assert berlin(3, 6, 9).isoformat() in free
    assert berlin(3, 6, 10).isoformat() not in free

    # To another day; the coach sees the new time.
    await succeeded(gql, RESCHEDULE, person, session["id"], startsAt=berlin(3, 13, 15))
    found = await seen_by(gql, coach, session["id"])
    assert found is not None
    assert moment(found["startsAt"]) == berlin(3, 13, 15)
    assert await scalar(services, "SELECT count(*) FROM coach_sessions") == 1


async def test_a_refused_reschedule_leaves_the_booking_as_it_was(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await make_coach(gql, org)
    other_coach = await make_coach(gql, org)
    person, other, stranger = [await org.add_member() for _ in range(3)]
    session = await booked(gql, person, coach, berlin(3, 6, 9))
    await booked(gql, other, coach, berlin(3, 6, 11))
    await booked(gql, person, other_coach, berlin(3, 6, 13))
    before = await snapshot(services)

    cases: list[tuple[str, Member, Any, str, str, str | None]] = [
        ("by the coach", coach, berlin(3, 6, 10), "PermissionDeniedError", "NOT_COACHEE", None),
        ("by a stranger", stranger, berlin(3, 6, 10), "NotFoundError", "NOT_FOUND", None),
        ("to a taken slot", person, berlin(3, 6, 11), "ConflictError", "SLOT_TAKEN", "startsAt"),
        (
            "over the person's other session",
            person,
            berlin(3, 6, 13),
            "ConflictError",
            "OVERLAPPING_SESSION",
            "startsAt",
        ),
        ("misaligned", person, berlin(3, 6, 10, 30), "ValidationError", "MISALIGNED_SLOT", ""),
        ("on a Thursday", person, berlin(3, 5, 10), "ValidationError", "OUTSIDE_AVAILABILITY", ""),
        ("into the past", person, berlin(2, 27, 10), "ValidationError", "SLOT_IN_PAST", ""),
        ("too far ahead", person, berlin(9, 4, 9), "ValidationError", "TOO_FAR_AHEAD", ""),
        ("to the same time", person, berlin(3, 6, 9), "ValidationError", "UNCHANGED", ""),
    ]
    for case, member, starts_at, typename, code, field in cases:
        result = await act(gql, RESCHEDULE, member, session["id"], startsAt=starts_at)
        expect(result, typename, code, "startsAt" if field == "" else field, case=case)
        assert await snapshot(services) == before, case
    found = await seen_by(gql, person, session["id"])
    assert found is not None
    assert moment(found["startsAt"]) == berlin(3, 6, 9)


# -- recording and notes ------------------------------------------------------------


async def test_the_coach_records_the_outcome_once_the_session_has_started(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    coach = await make_coach(gql, org)
    person, stranger = await org.add_member(), await org.add_member()
    first = await booked(gql, person, coach, berlin(3, 6, 9))
    second = await booked(gql, person, coach, berlin(3, 6, 10))

    move_to(clock, org, berlin(3, 6, 9) - timedelta(seconds=1))
    before = await snapshot(services)
    expect(
        await act(gql, RECORD, coach, first["id"], outcome="HELD"), "ConflictError", "NOT_STARTED"
    )
    expect(
        await act(gql, RECORD, person, first["id"], outcome="HELD"),
        "PermissionDeniedError",
        "NOT_COACH",
    )
    expect(
        await act(gql, RECORD, stranger, first["id"], outcome="HELD"), "NotFoundError", "NOT_FOUND"
    )
    assert await snapshot(services) == before

    move_to(clock, org, berlin(3, 6, 9))  # the moment it starts
    held = await succeeded(gql, RECORD, coach, first["id"], outcome="HELD")
    assert held["status"] == "HELD"
    expect(
        await act(gql, RECORD, coach, first["id"], outcome="NO_SHOW"), "ConflictError", "NOT_BOOKED"
    )
    expect(await act(gql, CANCEL, coach, first["id"], reason="Oops"), "ConflictError", "NOT_BOOKED")
    expect(
        await act(gql, RECORD, coach, second["id"], outcome="NO_SHOW"),
        "ConflictError",
        "NOT_STARTED",
    )

    move_to(clock, org, berlin(3, 6, 10, 20))
    assert (await succeeded(gql, RECORD, coach, second["id"], outcome="NO_SHOW"))[
        "status"
    ] == "NO_SHOW"
    assert (await seen_by(gql, person, second["id"]))["status"] == "NO_SHOW"  # type: ignore[index]


async def test_notes_are_written_by_either_and_read_by_both(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await make_coach(gql, org)
    person, stranger = await org.add_member(), await org.add_member()
    session = await booked(gql, person, coach, berlin(3, 6, 9))

    written = await succeeded(gql, WRITE_NOTES, person, session["id"], notes="I want to ask...")
    assert written["notes"] == "I want to ask..."
    assert (await seen_by(gql, coach, session["id"]))["notes"] == "I want to ask..."  # type: ignore[index]
    await succeeded(gql, WRITE_NOTES, coach, session["id"], notes="Prepared: two exercises.")
    assert (await seen_by(gql, person, session["id"]))["notes"] == "Prepared: two exercises."  # type: ignore[index]

    before = await snapshot(services)
    for outsider in (stranger, org.faculty):
        expect(
            await act(gql, WRITE_NOTES, outsider, session["id"], notes="Hi"),
            "NotFoundError",
            "NOT_FOUND",
        )
        assert await seen_by(gql, outsider, session["id"]) is None
    assert await snapshot(services) == before


# -- fair use ------------------------------------------------------------------------


async def test_upcoming_sessions_are_limited_and_cancelled_or_past_ones_do_not_count(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    coach_a, coach_b = await make_coach(gql, org), await make_coach(gql, org)
    person = await org.add_member()
    await booked(gql, person, coach_a, berlin(3, 6, 9))
    a_next = await booked(gql, person, coach_a, berlin(3, 13, 9))
    await booked(gql, person, coach_b, berlin(3, 6, 11))

    before = await snapshot(services)
    limit_error(await book(gql, person, coach_b, berlin(3, 13, 11)), "UPCOMING_COACH_SESSIONS", 3)
    assert await snapshot(services) == before

    # A cancelled session frees its place.
    await succeeded(gql, CANCEL, person, a_next["id"])
    await booked(gql, person, coach_b, berlin(3, 13, 11))
    limit_error(await book(gql, person, coach_a, berlin(3, 20, 9)), "UPCOMING_COACH_SESSIONS", 3)

    # Sessions that have started are no longer ahead.
    move_to(clock, org, berlin(3, 6, 12))
    await booked(gql, person, coach_a, berlin(3, 20, 9))
    # Someone else's sessions are theirs to count.
    await booked(gql, await org.add_member(), coach_a, berlin(3, 20, 10))


async def test_the_upcoming_limit_is_the_organizations_setting(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    await configure(gql, org, coachUpcomingSessionsMax=1)
    await booked(gql, person, coach, berlin(3, 6, 9))
    before = await snapshot(services)
    limit_error(await book(gql, person, coach, berlin(3, 13, 9)), "UPCOMING_COACH_SESSIONS", 1)
    assert await snapshot(services) == before


async def test_sessions_a_month_with_one_coach_are_limited_per_calendar_month(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    await configure(gql, org, coachUpcomingSessionsMax=10)
    coach_a, coach_b = await make_coach(gql, org), await make_coach(gql, org)
    person = await org.add_member()
    march_6 = await booked(gql, person, coach_a, berlin(3, 6, 9))
    march_13 = await booked(gql, person, coach_a, berlin(3, 13, 9))

    before = await snapshot(services)
    limit_error(await book(gql, person, coach_a, berlin(3, 20, 9)), "COACH_SESSIONS_PER_MONTH", 2)
    assert await snapshot(services) == before
    # Per coach: another coach that month is fine; so is the same coach next month.
    await booked(gql, person, coach_b, berlin(3, 20, 9))
    april = await booked(gql, person, coach_a, berlin(4, 3, 9))

    # A cancelled session does not count.
    await succeeded(gql, CANCEL, person, march_13["id"])
    march_20 = await booked(gql, person, coach_a, berlin(3, 20, 11))
    limit_error(await book(gql, person, coach_a, berlin(3, 27, 9)), "COACH_SESSIONS_PER_MONTH", 2)

    # A session that took place still counts for its month.
    move_to(clock, org, berlin(3, 6, 10, 30))
    await succeeded(gql, RECORD, coach_a, march_6["id"], outcome="HELD")
    limit_error(await book(gql, person, coach_a, berlin(3, 27, 9)), "COACH_SESSIONS_PER_MONTH", 2)

    # Rescheduling: the limit applies to the new month, and a move within
    # the month does not count the session twice.
    before = await snapshot(services)
    limit_error(
        await act(gql, RESCHEDULE, person, april["id"], startsAt=berlin(3, 27, 9)),
        "COACH_SESSIONS_PER_MONTH",
        2,
    )
    assert await snapshot(services) == before
    await succeeded(gql, RESCHEDULE, person, march_20["id"], startsAt=berlin(3, 27, 9))


async def test_the_month_is_the_coachees_calendar_month(gql: GraphQL, org: Org) -> None:
    # On Tuesday 31 March, 22:00-24:00 in Berlin (20:00-22:00 UTC), it is
    # already 1 April in Tokyo.
    coach = await make_coach(
        gql, org, one_off=[{"date": "2026-03-31", "startMinute": 22 * 60, "endMinute": 24 * 60}]
    )
    in_tokyo = await org.add_member(timezone="Asia/Tokyo")
    in_berlin = await org.add_member()
    await booked(gql, in_tokyo, coach, berlin(3, 6, 9))
    await booked(gql, in_tokyo, coach, berlin(3, 13, 9))
    await booked(gql, in_berlin, coach, berlin(3, 20, 9))
    await booked(gql, in_berlin, coach, berlin(3, 27, 9))

    limit_error(await book(gql, in_berlin, coach, berlin(3, 31, 22)), "COACH_SESSIONS_PER_MONTH", 2)
    assert (await booked(gql, in_tokyo, coach, berlin(3, 31, 22)))["status"] == "BOOKED"


# -- the relationship ends -------------------------------------------------------------


@pytest.mark.parametrize("ended_by", ["coachee", "coach"])
async def test_ending_the_coaching_relationship_cancels_the_sessions_ahead(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock, ended_by: str
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    current = await booked(gql, person, coach, berlin(3, 6, 9))
    ahead = await booked(gql, person, coach, berlin(3, 13, 9))
    relationship_id = current["relationship"]["id"]

    move_to(clock, org, berlin(3, 6, 9, 30))  # the first one is going on
    ender = person if ended_by == "coachee" else coach
    ended = await mutate(
        gql,
        END,
        {"relationshipId": relationship_id, "reason": "Time to move on."},
        token=ender.token,
    )
    assert ended["__typename"] == "RelationshipSuccess", ended
    assert ended["relationship"]["status"] == "ENDED"

    for member in (person, coach):
        found = await seen_by(gql, member, ahead["id"])
        assert found is not None
        assert found["status"] == "CANCELLED"
        assert found["cancelledBy"] == {"id": ender.id}
        assert found["cancelReason"] == ENDED_REASON
        assert moment(found["cancelledAt"]) == clock.now()
    # The session under way is not cancelled; its coach records it.
    going_on = await seen_by(gql, person, current["id"])
    assert going_on is not None
    assert going_on["status"] == "BOOKED"
    assert (await succeeded(gql, RECORD, coach, current["id"], outcome="HELD"))["status"] == "HELD"

    # The slot is free again, and a new booking starts a new relationship.
    day = berlin(3, 13, 9).date()
    assert berlin(3, 13, 9).isoformat() in await free_slots(gql, person, coach, day, day)
    again = await booked(gql, person, coach, berlin(3, 13, 9))
    assert again["relationship"]["id"] != relationship_id
    assert again["relationship"]["status"] == "ACTIVE"
    assert await coaching_relationships(services, coach, person) == ["ENDED", "ACTIVE"]


# -- bad input -------------------------------------------------------------------------


async def test_bad_bookings_get_a_typed_error_and_change_nothing(
    gql: GraphQL, org: Org, services: Services, make_org: Any
) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    not_a_coach = await org.add_member()
    unpublished = await org.add_member()
    await become_coach(gql, org, unpublished)  # holds the role, published nothing
    elsewhere = await make_org("Globex")
    foreign_coach = await make_coach(gql, elsewhere)
    before = await snapshot(services)

    friday = berlin(3, 6, 9)
    cases: list[tuple[str, Member, str, Any, str, str, str, str | None]] = [
        # (case, who, coach id, startsAt, topic, typename, code, field)
        ("a Thursday", person, coach.id, berlin(3, 5, 9), "", "ValidationError",
         "OUTSIDE_AVAILABILITY", "startsAt"),
        ("ends after the window", person, coach.id, berlin(3, 6, 16, 30), "", "ValidationError",
         "OUTSIDE_AVAILABILITY", "startsAt"),
        ("misaligned", person, coach.id, berlin(3, 6, 9, 30), "", "ValidationError",
         "MISALIGNED_SLOT", "startsAt"),
        ("a past Friday", person, coach.id, berlin(2, 27, 9), "", "ValidationError",
         "SLOT_IN_PAST", "startsAt"),
        ("now", person, coach.id, datetime(2026, 3, 2, 9, tzinfo=UTC), "", "ValidationError",
         "SLOT_IN_PAST", "startsAt"),
        ("beyond 180 days", person, coach.id, berlin(9, 4, 9), "", "ValidationError",
         "TOO_FAR_AHEAD", "startsAt"),
        ("without an offset", person, coach.id, "2026-03-06T08:00:00", "", "ValidationError",
         "TIMEZONE_REQUIRED", "startsAt"),
        ("oneself", coach, coach.id, friday, "", "ValidationError", "SELF_BOOKING", "coachId"),
        ("not a coach", person, not_a_coach.id, friday, "", "ConflictError", "NOT_A_COACH",
         "coachId"),
        ("a coach without availability", person, unpublished.id, friday, "", "ConflictError",
         "NOT_A_COACH", "coachId"),
        ("an unknown person", person, missing_id("Person"), friday, "", "NotFoundError",
         "NOT_FOUND", None),
        ("a coach of another organization", person, foreign_coach.id, friday, "",
         "NotFoundError", "NOT_FOUND", None),
        ("a malformed id", person, "not-an-id", friday, "", "ValidationError", "INVALID_ID",
         "coachId"),
        ("an id of another type", person, missing_id("Team"), friday, "", "ValidationError",
         "INVALID_ID", "coachId"),
        ("a topic too long", person, coach.id, friday, "x" * 1001, "ValidationError", "TOO_LONG",
         "topic"),
    ]  # fmt: skip
    for case, member, coach_id, starts_at, topic, typename, code, field in cases:
        values = {
            "coachId": coach_id,
            "startsAt": starts_at.isoformat() if isinstance(starts_at, datetime) else starts_at,
            "topic": topic,
        }
        result = await mutate(gql, BOOK, values, token=member.token)
        expect(result, typename, code, field, case=case)
        assert await snapshot(services) == before, case

    # The last Friday within 180 days is bookable.
    assert (await booked(gql, person, coach, berlin(8, 28, 9)))["status"] == "BOOKED"


async def test_someone_elses_session_cannot_be_touched_or_even_found(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await make_coach(gql, org)
    person, stranger = await org.add_member(), await org.add_member()
    session = await booked(gql, person, coach, berlin(3, 6, 9), "Private matter")
    nothing = missing_id("CoachSession")
    before = await snapshot(services)

    attempts: list[tuple[str, dict[str, Any]]] = [
        (CANCEL, {"reason": "Not mine"}),
        (RESCHEDULE, {"startsAt": berlin(3, 6, 10)}),
        (RECORD, {"outcome": "HELD"}),
        (WRITE_NOTES, {"notes": "Hello"}),
    ]
    for outsider in (stranger, org.faculty):
        for document, extra in attempts:
            theirs = await act(gql, document, outsider, session["id"], **extra)
            unknown = await act(gql, document, outsider, nothing, **extra)
            expect(theirs, "NotFoundError", "NOT_FOUND")
            # Word for word what a session that does not exist gets.
            assert theirs == unknown
        assert await seen_by(gql, outsider, session["id"]) is None
        assert await inbox(gql, outsider) == []
    assert await snapshot(services) == before

    # An id of another type is a client error, not a lookup.
    expect(await act(gql, CANCEL, person, person.id), "ValidationError", "INVALID_ID", "sessionId")


async def test_a_person_cannot_book_two_overlapping_sessions_with_two_coaches(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach_a = await make_coach(gql, org)
    # Coach B's hours are half an hour later: 09:30, 10:30...
    half_past = [{"weekday": 4, "startMinute": 9 * 60 + 30, "endMinute": 17 * 60 + 30}]
    coach_b = await make_coach(gql, org, weekly=half_past)
    person = await org.add_member()
    await booked(gql, person, coach_a, berlin(3, 6, 9))

    before = await snapshot(services)
    expect(
        await book(gql, person, coach_b, berlin(3, 6, 9, 30)),
        "ConflictError",
        "OVERLAPPING_SESSION",
        "startsAt",
    )
    assert await snapshot(services) == before
    # Right after the first one ends is fine.
    await booked(gql, person, coach_b, berlin(3, 6, 10, 30))


async def test_a_coach_booked_as_a_coachee_elsewhere_is_not_bookable_then(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach_a = await make_coach(gql, org)
    half_past = [{"weekday": 4, "startMinute": 9 * 60 + 30, "endMinute": 17 * 60 + 30}]
    coach_b = await make_coach(gql, org, weekly=half_past)
    person = await org.add_member()
    # Coach A has a session of their own with coach B, 10:30-11:30.
    await booked(gql, coach_a, coach_b, berlin(3, 6, 10, 30))

    before = await snapshot(services)
    for slot in (berlin(3, 6, 10), berlin(3, 6, 11)):
        expect(await book(gql, person, coach_a, slot), "ConflictError", "SLOT_TAKEN", "startsAt")
    assert await snapshot(services) == before
    # Free slots are what can be booked: those two are not offered.
    day = berlin(3, 6, 0).date()
    free = await free_slots(gql, person, coach_a, day, day)
    assert berlin(3, 6, 9).isoformat() in free
    assert berlin(3, 6, 12).isoformat() in free
    assert berlin(3, 6, 10).isoformat() not in free
    assert berlin(3, 6, 11).isoformat() not in free


async def test_a_session_keeps_the_coachs_buffer_when_the_availability_changes(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await make_coach(gql, org, buffer_minutes=15)
    first, second = await org.add_member(), await org.add_member()
    await booked(gql, first, coach, berlin(3, 6, 9))  # 09:00-10:00, the coach busy until 10:15
    day = berlin(3, 6, 0).date()
    assert (await free_slots(gql, second, coach, day, day))[:2] == [
        berlin(3, 6, 10, 15).isoformat(),
        berlin(3, 6, 11, 30).isoformat(),
    ]

    # Now 30-minute sessions without a buffer: 10:00 is on the grid, but
    # still within the buffer of the session booked before.
    published = await publish(
        gql, coach, sessionMinutes=30, bufferMinutes=0, weekly=FRIDAYS, oneOff=[], exceptions=[]
    )
    assert published["__typename"] == "CoachAvailabilitySuccess", published
    free = await free_slots(gql, second, coach, day, day)
    assert berlin(3, 6, 10).isoformat() not in free
    assert free[0] == berlin(3, 6, 10, 30).isoformat()
    before = await snapshot(services)
    expect(
        await book(gql, second, coach, berlin(3, 6, 10)), "ConflictError", "SLOT_TAKEN", "startsAt"
    )
    assert await snapshot(services) == before
    await booked(gql, second, coach, berlin(3, 6, 10, 30))
