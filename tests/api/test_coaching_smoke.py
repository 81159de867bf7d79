"""The coach session flow end to end, through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.api.coaching_helpers import (
    CANCEL,
    MY_SESSIONS,
    booked,
    free_slots,
    make_coach,
)
from tests.api.harness import GraphQL, Org
from tests.api.queries import mutate


async def test_book_and_cancel(gql: GraphQL, org: Org) -> None:
    coach = await make_coach(gql, org)
    person = await org.add_member()
    slots = await free_slots(gql, person, coach, date(2026, 3, 6), date(2026, 3, 6))
    assert slots[0] == "2026-03-06T09:00:00+01:00"
    assert len(slots) == 8
    session = await booked(gql, person, coach, datetime(2026, 3, 6, 8, 0, tzinfo=UTC), "career")
    assert session["status"] == "BOOKED"
    assert session["relationship"]["kind"] == "COACHING"
    slots = await free_slots(gql, person, coach, date(2026, 3, 6), date(2026, 3, 6))
    assert len(slots) == 7
    mine = await gql.data(MY_SESSIONS, {}, token=person.token)
    assert [e["node"]["topic"] for e in mine["viewer"]["coachSessions"]["edges"]] == ["career"]
    cancelled = await mutate(gql, CANCEL, {"sessionId": session["id"]}, token=person.token)
    assert cancelled["session"]["status"] == "CANCELLED"
