"""No N+1 in coaching (DESIGN.md section 4): a coach's list of sessions with
the coach, coachee and coaching relationship of each, and the list of coaches
with their free slots, run the same, small number of SQL statements however
many rows they return (one batched read per level)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI

from tests.api.coaching_helpers import booked, make_coach
from tests.api.harness import GraphQL, Member, Org, count_statements

OrgFactory = Callable[..., Awaitable[Org]]

WEEKDAYS = [{"weekday": d, "startMinute": 9 * 60, "endMinute": 17 * 60} for d in range(5)]
TUESDAY = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 09:00 in Berlin: the first slot

SESSIONS = """
query Mine($first: Int!) {
  viewer {
    coachSessions(upcoming: true, first: $first) {
      edges {
        node {
          id status startsAt topic
          coach { id name }
          coachee { id name timezone }
          relationship { id kind status leader { id name } follower { id name } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

NOTIFICATIONS = """
query Notifications($first: Int!) {
  viewer {
    notifications(first: $first) {
      edges {
        node {
          kind actor { id name } relationship { id kind }
          coachSession { id topic coachee { id name } relationship { id } }
        }
      }
    }
  }
}
"""

COACHES = """
query Coaches($first: Date!, $last: Date!) {
  coaches {
    id name
    coachAvailability {
      timezone sessionMinutes
      coach { id name }
      freeSlots(firstDay: $first, lastDay: $last) { startsAt endsAt }
    }
  }
}
"""

# Pinned: a change is either a regression (N+1) or a deliberate change of the
# read path (look at `counter.statements`).
# The viewer, the page of sessions, the people (coach and coachees, one
# batch), the relationships (one batch).
SESSIONS_STATEMENTS = 4
# The viewer, the page of notifications, their sessions (one batch), the
# people (actors and coachees), the relationships.
NOTIFICATIONS_STATEMENTS = 5
# The viewer, the COACH role holders, the people, their current roles (the
# availability shows only while they hold the role), their availability, the
# busy times of all of them (one batch).
COACHES_STATEMENTS = 6


def slot(n: int) -> datetime:
    """The n-th slot of a coach with WEEKDAYS, from Tuesday: 8 a day."""
    return TUESDAY + timedelta(days=n // 8, hours=n % 8)


async def _count(
    app: FastAPI, gql: GraphQL, query: str, variables: dict[str, Any], viewer: Member
) -> tuple[int, dict[str, Any], list[str]]:
    with count_statements(app.state.engine) as counter:
        data = await gql.data(query, variables, token=viewer.token)
    return counter.count, data, counter.statements


async def test_a_coachs_sessions_and_notifications_with_their_people_and_relationships(
    app: FastAPI, gql: GraphQL, make_org: OrgFactory
) -> None:
    counts: dict[int, int] = {}
    notification_counts: dict[int, int] = {}
    for size in (3, 20):
        org = await make_org(f"Sessions {size}")
        coach = await make_coach(gql, org, name="Cora Coach", weekly=WEEKDAYS)
        coachees = [await org.add_member(f"Coachee {i:02d}") for i in range(size)]
        for i, coachee in enumerate(coachees):
            await booked(gql, coachee, coach, slot(i), f"Topic {i}")

        count, data, statements = await _count(app, gql, SESSIONS, {"first": 50}, coach)
        nodes = [e["node"] for e in data["viewer"]["coachSessions"]["edges"]]
        assert [n["topic"] for n in nodes] == [f"Topic {i}" for i in range(size)]
        assert {n["coach"]["id"] for n in nodes} == {coach.id}
        assert [n["coachee"]["name"] for n in nodes] == [f"Coachee {i:02d}" for i in range(size)]
        relationships = [n["relationship"] for n in nodes]
        assert len({r["id"] for r in relationships}) == size
        assert all(r["kind"] == "COACHING" and r["status"] == "ACTIVE" for r in relationships)
        assert [r["follower"]["id"] for r in relationships] == [c.id for c in coachees]
        counts[size] = count
        print(f"viewer.coachSessions with {size} sessions: {count} statements", statements)

        # The coach's notifications of the bookings, each with its session.
        count, data, statements = await _count(app, gql, NOTIFICATIONS, {"first": 50}, coach)
        found = [e["node"] for e in data["viewer"]["notifications"]["edges"]]
        booked_ones = [n for n in found if n["kind"] == "COACH_SESSION_BOOKED"]
        assert len(booked_ones) == size
        assert {n["coachSession"]["topic"] for n in booked_ones} == {
            f"Topic {i}" for i in range(size)
        }
        assert all(n["actor"]["id"] == n["coachSession"]["coachee"]["id"] for n in booked_ones)
        notification_counts[size] = count
        print(f"notifications with {size} sessions: {count} statements", statements)
    assert counts[3] == counts[20] == SESSIONS_STATEMENTS, counts
    assert notification_counts[3] == notification_counts[20] == NOTIFICATIONS_STATEMENTS, (
        notification_counts
    )


async def test_the_coaches_with_their_free_slots(
    app: FastAPI, gql: GraphQL, make_org: OrgFactory
) -> None:
    counts: dict[int, int] = {}
    for size in (1, 5):
        org = await make_org(f"Coaches {size}")
        coaches = [
            await make_coach(gql, org, name=f"Coach {i}", weekly=WEEKDAYS) for i in range(size)
        ]
        viewer = await org.add_member("Vic Viewer")
        # Each coach has one session on Tuesday (a different hour each), the
        # first one with the viewer.
        for i, coach in enumerate(coaches):
            coachee = viewer if i == 0 else await org.add_member(f"Coachee {i}")
            await booked(gql, coachee, coach, slot(i))

        variables = {"first": "2026-03-03", "last": "2026-03-04"}
        count, data, statements = await _count(app, gql, COACHES, variables, viewer)
        assert [c["name"] for c in data["coaches"]] == [f"Coach {i}" for i in range(size)]
        for i, coach in enumerate(data["coaches"]):
            availability = coach["coachAvailability"]
            assert availability["coach"]["id"] == coach["id"]
            starts = [s["startsAt"] for s in availability["freeSlots"]]
            # Two days of 8 slots, less the one booked.
            assert len(starts) == 15, starts
            taken = slot(i).astimezone(datetime.fromisoformat(starts[0]).tzinfo).isoformat()
            assert taken not in starts
        counts[size] = count
        print(f"coaches with free slots, {size} coaches: {count} statements", statements)
    assert counts[1] == counts[5] == COACHES_STATEMENTS, counts
