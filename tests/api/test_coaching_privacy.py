"""The privacy of coach sessions (DESIGN.md section 2 "Coach sessions", section 3
rule 4: "Coach content is visible to coach and coachee only"), tried from the
outside.

Pia books Cora for a session with a topic, and both write its notes. Then her
steward, a third member, another coach, org faculty, a member and the faculty
of another organization, and a caller without a token try every read path
(node, nodes, viewer.coachSessions, Person.coachSessions, Person.coaches and
coachees, relationship history, notifications, the coaching relationship):
none of them finds a trace of the session, its topic, its notes or the
coaching relationship in the raw response body. Whoever tries to change the
session (cancel, reschedule, record, write notes) gets NotFoundError, exactly
like an id that never existed, and nothing changes.

What others may know is counts and aggregates: the steward's 1-on-1 prep
counts the coach sessions Pia had since the last held meeting (held, or begun
and not recorded: not cancelled, not no-shows, not before the meeting), and
org faculty sees usage per coach, naming no coachee. Free slots are times
only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import graphql
import pytest
import sqlalchemy as sa

from api.context import Services
from tests.api.coaching_helpers import (
    BOOK,
    CANCEL,
    RECORD,
    RESCHEDULE,
    WRITE_NOTES,
    booked,
    free_slots,
    make_coach,
)
from tests.api.harness import GraphQL, Member, Org
from tests.api.one_on_one_helpers import START, succeed
from tests.api.queries import missing_id, mutate
from tests.api.relationship_helpers import advance, established
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]

SCHEMA = Path(__file__).resolve().parents[2] / "schema.graphql"

STEWARD = "steward"
THIRD = "third"  # a member in no part of it
OTHER_COACH = "other coach"  # a coach, but not Pia's
FACULTY = "faculty"
OUTSIDER = "outsider"  # a member of another organization
OUTSIDE_FACULTY = "outside faculty"  # org faculty of another organization
OUTSIDERS = [STEWARD, THIRD, OTHER_COACH, FACULTY, OUTSIDER, OUTSIDE_FACULTY]

FRIDAY = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, Cora's first slot
NEXT_FRIDAY = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)
WEEKDAYS = [{"weekday": d, "startMinute": 9 * 60, "endMinute": 17 * 60} for d in range(5)]


def secret(label: str) -> str:
    return f"{label} {uuid4().hex[:12]}"


# -- every read path -------------------------------------------------------------

SESSION = """
    __typename id status startsAt endsAt topic notes bookedAt cancelReason
    coach { id } coachee { id } cancelledBy { id }
    relationship { id kind status leader { id } follower { id } }
"""
NOTIFICATION = f"""
    __typename id notificationKind: kind actor {{ id }}
    relationship {{ id kind }}
    coachSession {{ {SESSION} }}
"""
RELATIONSHIP = "__typename id kind relationshipStatus: status leader { id } follower { id }"
PERSON = f"""
    id
    upcoming: coachSessions(upcoming: true) {{ edges {{ node {{ {SESSION} }} }} }}
    past: coachSessions(upcoming: false) {{ edges {{ node {{ {SESSION} }} }} }}
    coaches {{ {RELATIONSHIP} }}
    coachees {{ {RELATIONSHIP} }}
    relationshipHistory(first: 50) {{ edges {{ node {{ {RELATIONSHIP} }} }} }}
"""
NODE = f"""
query Node($id: ID!) {{
  node(id: $id) {{
    __typename id
    ... on CoachSession {{ {SESSION} }}
    ... on Notification {{ {NOTIFICATION} }}
    ... on Relationship {{ {RELATIONSHIP} }}
    ... on Person {{ {PERSON} }}
  }}
}}
"""
NODES = f"""
query Nodes($ids: [ID!]!) {{
  nodes(ids: $ids) {{
    __typename id
    ... on CoachSession {{ topic notes }}
    ... on Notification {{ coachSession {{ topic notes }} }}
    ... on Relationship {{ {RELATIONSHIP} }}
  }}
}}
"""
VIEWER = f"""
{{
  viewer {{
    {PERSON}
    notifications(first: 100) {{ edges {{ node {{ {NOTIFICATION} }} }} }}
  }}
}}
"""
COACHES = """
query Coaches($first: Date!, $last: Date!) {
  coaches {
    id
    coachAvailability { freeSlots(firstDay: $first, lastDay: $last) { startsAt endsAt } }
  }
}
"""


@dataclass
class Cast:
    org: Org
    elsewhere: Org
    coach: Member
    person: Member
    steward: Member
    third: Member
    other_coach: Member
    outsider: Member
    session_id: str
    relationship_id: str
    """The coaching relationship the booking started."""
    notification_ids: list[str]
    """Cora's and Pia's notifications of the booking."""
    texts: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, role: str) -> Member:
        return {
            STEWARD: self.steward,
            THIRD: self.third,
            OTHER_COACH: self.other_coach,
            FACULTY: self.org.faculty,
            OUTSIDER: self.outsider,
            OUTSIDE_FACULTY: self.elsewhere.faculty,
        }[role]

    @property
    def content_ids(self) -> list[str]:
        return [self.session_id, self.relationship_id, *self.notification_ids]

    @property
    def traces(self) -> list[str]:
        """What shows the session exists: its texts and the ids of it."""
        return [*self.texts.values(), *self.content_ids]


async def make_cast(gql: GraphQL, org: Org, make_org: OrgFactory) -> Cast:
    """Sam stewards Pia; Pia books Cora for Friday with a topic, and both of
    them write the session's notes. Tom is a third member, Carl another
    coach, Olaf a member of another organization."""
    coach = await make_coach(gql, org, name="Cora Coach")
    other_coach = await make_coach(gql, org, name="Carl Coach")
    person = await org.add_member("Pia Person")
    steward = await org.add_member("Sam Steward")
    third = await org.add_member("Tom Third")
    elsewhere = await make_org("Elsewhere")
    outsider = await elsewhere.add_member("Olaf Outsider")
    await established(gql, steward, person)
    # The coaching starts after the stewardship: a change since its start.
    advance(org.services.clock, timedelta(minutes=1), org, elsewhere)

    texts = {
        "topic": secret("Topic: my conflict with the team"),
        "pia notes": secret("Pia's notes"),
        "cora notes": secret("Cora's notes"),
    }
    session = await booked(gql, person, coach, FRIDAY, texts["topic"])
    written = await mutate(
        gql,
        WRITE_NOTES,
        {"sessionId": session["id"], "notes": texts["pia notes"]},
        token=person.token,
    )
    assert written["session"]["notes"] == texts["pia notes"], written
    both = "\n".join((texts["pia notes"], texts["cora notes"]))
    written = await mutate(
        gql, WRITE_NOTES, {"sessionId": session["id"], "notes": both}, token=coach.token
    )
    assert written["session"]["notes"] == both, written

    notification_ids = []
    for member in (coach, person):
        data = await gql.data(VIEWER, token=member.token)
        notification_ids += [
            e["node"]["id"]
            for e in data["viewer"]["notifications"]["edges"]
            if e["node"]["coachSession"]
        ]
    assert len(notification_ids) == 2, notification_ids
    return Cast(
        org=org,
        elsewhere=elsewhere,
        coach=coach,
        person=person,
        steward=steward,
        third=third,
        other_coach=other_coach,
        outsider=outsider,
        session_id=session["id"],
        relationship_id=session["relationship"]["id"],
        notification_ids=notification_ids,
        texts=texts,
    )


@pytest.fixture
async def cast(gql: GraphQL, org: Org, make_org: OrgFactory) -> Cast:
    return await make_cast(gql, org, make_org)


@dataclass
class Read:
    name: str
    text: str
    data: dict[str, Any] | None
    codes: list[str]


def paths(cast: Cast) -> list[tuple[str, str, dict[str, Any]]]:
    """(path name, document, variables) of every read path."""
    return [
        ("session", NODE, {"id": cast.session_id}),
        ("relationship", NODE, {"id": cast.relationship_id}),
        *(
            (f"notification {i}", NODE, {"id": notification_id})
            for i, notification_id in enumerate(cast.notification_ids)
        ),
        ("nodes", NODES, {"ids": cast.content_ids}),
        ("viewer", VIEWER, {}),
        ("coachee", NODE, {"id": cast.person.id}),
        ("coach", NODE, {"id": cast.coach.id}),
        ("coaches", COACHES, {"first": "2026-03-02", "last": "2026-03-13"}),
    ]


async def read_everything(gql: GraphQL, viewer: Member | None, cast: Cast) -> dict[str, Read]:
    """Every read path, as `viewer` (None: without a token) sees it."""
    found = {}
    for name, document, variables in paths(cast):
        response = await gql.raw(document, variables, token=viewer.token if viewer else None)
        assert response.status_code == 200, response.text
        body = response.json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        if viewer is not None:
            assert codes == [], (name, body)
        found[name] = Read(name, response.text, body.get("data"), codes)
    return found


def node_of(reads: dict[str, Read], name: str) -> Any:
    data = reads[name].data
    assert data is not None, reads[name]
    return data["node"]


def sessions_in(person: dict[str, Any], which: str) -> list[str]:
    return [e["node"]["id"] for e in person[which]["edges"]]


def assert_no_trace(reads: dict[str, Read], traces: list[str], who: str) -> None:
    for read in reads.values():
        for trace in traces:
            assert trace not in read.text, (who, read.name, trace)


# == the coach and the coachee ========================================================


async def test_the_coach_and_the_coachee_read_the_session_its_topic_and_notes(
    gql: GraphQL, cast: Cast
) -> None:
    """The control for the tests below: the paths do reach the session."""
    notes = "\n".join((cast.texts["pia notes"], cast.texts["cora notes"]))
    for viewer, other in ((cast.coach, cast.person), (cast.person, cast.coach)):
        reads = await read_everything(gql, viewer, cast)
        session = node_of(reads, "session")
        assert session["id"] == cast.session_id
        assert (session["topic"], session["notes"]) == (cast.texts["topic"], notes)
        assert session["coach"] == {"id": cast.coach.id}
        assert session["coachee"] == {"id": cast.person.id}
        assert session["relationship"] == {
            "id": cast.relationship_id,
            "kind": "COACHING",
            "status": "ACTIVE",
            "leader": {"id": cast.coach.id},
            "follower": {"id": cast.person.id},
        }
        assert node_of(reads, "relationship") == {
            "__typename": "Relationship",
            "id": cast.relationship_id,
            "kind": "COACHING",
            "relationshipStatus": "ACTIVE",
            "leader": {"id": cast.coach.id},
            "follower": {"id": cast.person.id},
        }

        nodes = reads["nodes"].data
        assert nodes is not None
        found = nodes["nodes"]
        assert found[0] == {
            "__typename": "CoachSession",
            "id": cast.session_id,
            "topic": cast.texts["topic"],
            "notes": notes,
        }
        assert found[1]["id"] == cast.relationship_id
        # Each reads their own notification of the booking, not the other's.
        mine = [n for n in found[2:] if n is not None]
        assert len(mine) == 1
        assert mine[0]["coachSession"] == {"topic": cast.texts["topic"], "notes": notes}

        viewer_data = reads["viewer"].data
        assert viewer_data is not None
        me = viewer_data["viewer"]
        assert sessions_in(me, "upcoming") == [cast.session_id]
        assert sessions_in(me, "past") == []
        (notification,) = [
            e["node"] for e in me["notifications"]["edges"] if e["node"]["coachSession"]
        ]
        assert notification["notificationKind"] == "COACH_SESSION_BOOKED"
        assert notification["coachSession"]["topic"] == cast.texts["topic"]
        assert notification["relationship"] == {"id": cast.relationship_id, "kind": "COACHING"}
        # The coach is told who booked; the coachee's confirmation has no actor.
        assert notification["actor"] == ({"id": cast.person.id} if viewer is cast.coach else None)

        # Person.coachSessions is only on yourself: not even on the other of the two.
        mine_name, theirs_name = (
            ("coach", "coachee") if viewer is cast.coach else ("coachee", "coach")
        )
        assert sessions_in(node_of(reads, mine_name), "upcoming") == [cast.session_id]
        assert node_of(reads, theirs_name)["upcoming"] is None
        assert node_of(reads, theirs_name)["past"] is None
        # The coaching relationship, on both people.
        assert [r["id"] for r in node_of(reads, "coachee")["coaches"]] == [cast.relationship_id]
        assert [r["id"] for r in node_of(reads, "coach")["coachees"]] == [cast.relationship_id]
        assert other.id in reads["session"].text


# == everyone else reads nothing ======================================================


async def test_nobody_else_finds_a_trace_of_the_session_on_any_path(
    gql: GraphQL, cast: Cast
) -> None:
    """Every outsider in turn, on one cast (setting it up is the slow part)."""
    for role in OUTSIDERS:
        await check_no_trace(gql, cast, role)


async def check_no_trace(gql: GraphQL, cast: Cast, role: str) -> None:
    viewer = cast[role]
    reads = await read_everything(gql, viewer, cast)
    assert_no_trace(reads, cast.traces, role)

    assert node_of(reads, "session") is None
    # Coaching relationships are for the two people only (unlike stewardships).
    assert node_of(reads, "relationship") is None
    for i in range(len(cast.notification_ids)):
        assert node_of(reads, f"notification {i}") is None
    assert reads["nodes"].data == {"nodes": [None] * len(cast.content_ids)}

    viewer_data = reads["viewer"].data
    assert viewer_data is not None
    me = viewer_data["viewer"]
    assert sessions_in(me, "upcoming") == []
    assert sessions_in(me, "past") == []
    assert [e["node"] for e in me["notifications"]["edges"] if e["node"]["coachSession"]] == []
    assert not [e for e in me["notifications"]["edges"] if "COACH" in e["node"]["notificationKind"]]

    for name in ("coachee", "coach"):
        person = node_of(reads, name)
        if role in (OUTSIDER, OUTSIDE_FACULTY):
            assert person is None, (role, name)
            continue
        assert person["upcoming"] is None, (role, name)
        assert person["past"] is None, (role, name)
        assert person["coaches"] == [], (role, name)
        assert person["coachees"] == [], (role, name)
        kinds = {e["node"]["kind"] for e in person["relationshipHistory"]["edges"]}
        assert "COACHING" not in kinds, (role, name)

    # Exactly like ids that never existed.
    for type_name in ("CoachSession", "Relationship", "Notification"):
        missing = await gql.data(NODE, {"id": missing_id(type_name)}, token=viewer.token)
        assert missing == {"node": None}


async def test_the_stewardship_stays_transparent_while_the_coaching_does_not(
    gql: GraphQL, cast: Cast
) -> None:
    """The control for "coaching is personal": Pia's stewardship is visible
    to the third member on the same paths that hide her coaching."""
    reads = await read_everything(gql, cast.third, cast)
    history = node_of(reads, "coachee")["relationshipHistory"]["edges"]
    assert [e["node"]["kind"] for e in history] == ["STEWARDSHIP"]
    assert history[0]["node"]["leader"] == {"id": cast.steward.id}


async def test_nothing_of_a_session_is_for_anyone_without_a_token(gql: GraphQL, cast: Cast) -> None:
    reads = await read_everything(gql, None, cast)
    for read in reads.values():
        assert set(read.codes) == {"UNAUTHENTICATED"}, read
        assert read.data is None or all(v is None for v in read.data.values()), read
    assert_no_trace(reads, cast.traces, "anonymous")


async def test_the_steward_sees_no_session_in_the_1_on_1_prep_of_their_meeting_with_the_coachee(
    gql: GraphQL, cast: Cast, clock: FakeClock
) -> None:
    """Before the session has begun there is not even a count; the prep holds
    no trace of it and leaves the coaching out of the relationship changes."""
    relationship = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on Person { steward { id } } } }",
        {"id": cast.person.id},
        token=cast.steward.token,
    )
    series = await succeed(
        gql,
        START,
        cast.steward,
        "OneOnOneSeriesSuccess",
        relationshipId=relationship["node"]["steward"]["id"],
        cadence="WEEKLY",
        firstMeetingAt=(clock.now() + timedelta(days=1)).isoformat(),
    )
    text, view = await raw_prep(gql, cast.steward, series["meeting"]["id"])
    for trace in cast.traces:
        assert trace not in text, trace
    assert view["activity"] == {
        "mentors": 0,
        "coaches": 1,
        "coachingsStartedSince": 1,
        "coachSessionsSince": 0,
    }
    assert "COACHING" not in {r["kind"] for r in view["relationshipChanges"]}


# == notifications ===================================================================


async def test_notifications_of_a_session_reach_its_coach_and_coachee_only(
    gql: GraphQL, cast: Cast, clock: FakeClock
) -> None:
    """The booking, a reschedule and a cancellation: each notifies the other
    of the two; nobody else is told anything."""
    advance(clock, timedelta(minutes=1), cast.org, cast.elsewhere)
    moved = await mutate(
        gql,
        RESCHEDULE,
        {"sessionId": cast.session_id, "startsAt": NEXT_FRIDAY.isoformat()},
        token=cast.person.token,
    )
    assert moved["__typename"] == "CoachSessionSuccess", moved
    reason = secret("Cora is ill")
    advance(clock, timedelta(minutes=1), cast.org, cast.elsewhere)
    cancelled = await mutate(
        gql, CANCEL, {"sessionId": cast.session_id, "reason": reason}, token=cast.coach.token
    )
    assert cancelled["session"]["status"] == "CANCELLED", cancelled

    async def coach_notifications(member: Member) -> list[tuple[str, str | None, str | None]]:
        data = await gql.data(VIEWER, token=member.token)
        return [
            (
                n["notificationKind"],
                n["actor"] and n["actor"]["id"],
                n["coachSession"]["cancelReason"],
            )
            for n in (e["node"] for e in data["viewer"]["notifications"]["edges"])
            if "COACH_SESSION" in n["notificationKind"]
        ]

    assert await coach_notifications(cast.coach) == [
        ("COACH_SESSION_RESCHEDULED", cast.person.id, reason),
        ("COACH_SESSION_BOOKED", cast.person.id, reason),
    ]
    assert await coach_notifications(cast.person) == [
        ("COACH_SESSION_CANCELLED", cast.coach.id, reason),
        ("COACH_SESSION_BOOKED", None, reason),
    ]
    for role in OUTSIDERS:
        response = await gql.raw(VIEWER, token=cast[role].token)
        assert await coach_notifications(cast[role]) == [], role
        assert reason not in response.text, role
        assert cast.session_id not in response.text, role


# == writes by anyone else ===========================================================


async def coaching_state(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Everything coaching writes (sessions with their topics and notes,
    relationships, notifications): compared before and after refused
    requests to show they changed nothing."""
    async with services.session_factory() as session:
        return {
            table: [
                tuple(row)
                for row in (await session.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")))
            ]
            for table in ("coach_sessions", "relationships", "notifications")
        }


def attempts(cast: Cast, session_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("cancel", CANCEL, {"sessionId": session_id}),
        ("cancel with a reason", CANCEL, {"sessionId": session_id, "reason": "Not needed"}),
        (
            "reschedule",
            RESCHEDULE,
            {"sessionId": session_id, "startsAt": NEXT_FRIDAY.isoformat()},
        ),
        ("record held", RECORD, {"sessionId": session_id, "outcome": "HELD"}),
        ("record no-show", RECORD, {"sessionId": session_id, "outcome": "NO_SHOW"}),
        ("write notes", WRITE_NOTES, {"sessionId": session_id, "notes": "Overwritten"}),
        ("clear notes", WRITE_NOTES, {"sessionId": session_id, "notes": ""}),
    ]


async def try_everything(gql: GraphQL, cast: Cast, viewer: Member) -> None:
    """Every mutation on the session: NotFoundError, reading exactly as on
    an id that never existed."""
    real = attempts(cast, cast.session_id)
    missing = attempts(cast, missing_id("CoachSession"))
    for (name, document, values), (_, _, missing_values) in zip(real, missing, strict=True):
        result = await mutate(gql, document, values, token=viewer.token)
        assert result["__typename"] == "NotFoundError", (name, result)
        assert result == await mutate(gql, document, missing_values, token=viewer.token), name


async def test_nobody_else_changes_a_session_and_it_reads_as_missing(
    gql: GraphQL, cast: Cast, services: Services, clock: FakeClock
) -> None:
    """Every outsider in turn, on one cast (setting it up is the slow part)."""
    before = await coaching_state(services)
    for role in OUTSIDERS:
        await try_everything(gql, cast, cast[role])
        assert await coaching_state(services) == before, role

    # Once the session has begun (when the coach may record it): the same.
    advance(clock, FRIDAY + timedelta(minutes=30) - clock.now(), cast.org, cast.elsewhere)
    for role in OUTSIDERS:
        await try_everything(gql, cast, cast[role])
        assert await coaching_state(services) == before, role

    # The control: the coach may record it then.
    recorded = await mutate(
        gql, RECORD, {"sessionId": cast.session_id, "outcome": "HELD"}, token=cast.coach.token
    )
    assert recorded["session"]["status"] == "HELD", recorded


async def test_without_a_token_nothing_changes(
    gql: GraphQL, cast: Cast, services: Services
) -> None:
    before = await coaching_state(services)
    for name, document, values in attempts(cast, cast.session_id):
        body = await gql(document, {"input": values})
        (result,) = body["data"].values()
        assert result["__typename"] == "AuthenticationError", (name, body)
        for trace in cast.traces:
            assert trace not in str(body), (name, trace)
    assert await coaching_state(services) == before


# == stewards: counts only ============================================================

PREP = """
query Prep($id: ID!) {
  node(id: $id) {
    ... on OneOnOneMeeting {
      prep {
        since
        activity { mentors coaches coachingsStartedSince coachSessionsSince }
        relationshipChanges { id kind }
        suggestedTalkingPoints { kind reason relationship { id kind } }
        agenda { id text }
        openActionItems { id text }
      }
    }
  }
}
"""


async def raw_prep(gql: GraphQL, viewer: Member, meeting_id: str) -> tuple[str, dict[str, Any]]:
    response = await gql.raw(PREP, {"id": meeting_id}, token=viewer.token)
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["node"] is not None, body
    return response.text, body["data"]["node"]["prep"]


async def set_coach_limits(gql: GraphQL, org: Org, upcoming: int, per_month: int) -> None:
    result = await gql.data(
        """
        mutation($input: UpdateOrganizationSettingsInput!) {
          updateOrganizationSettings(input: $input) { __typename }
        }
        """,
        {"input": {"coachUpcomingSessionsMax": upcoming, "coachSessionsPerMonthMax": per_month}},
        token=org.faculty.token,
    )
    assert result["updateOrganizationSettings"]["__typename"] == "OrganizationSuccess", result


async def record(gql: GraphQL, coach: Member, session_id: str, outcome: str) -> None:
    result = await mutate(
        gql, RECORD, {"sessionId": session_id, "outcome": outcome}, token=coach.token
    )
    assert result["session"]["status"] == outcome, result


async def test_the_stewards_prep_counts_coach_sessions_since_the_last_meeting_and_nothing_more(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Counted: held sessions since the last held meeting, and ones begun but
    not recorded yet. Not counted: one held before that meeting, a cancelled
    one, a no-show, one still ahead."""
    coach = await make_coach(gql, org, name="Cora Coach", weekly=WEEKDAYS)
    person = await org.add_member("Pia Person")
    steward = await org.add_member("Sam Steward")
    await set_coach_limits(gql, org, upcoming=10, per_month=10)
    stewardship = await established(gql, steward, person)
    start = await succeed(
        gql,
        START,
        steward,
        "OneOnOneSeriesSuccess",
        relationshipId=stewardship["id"],
        cadence="WEEKLY",
        firstMeetingAt=(clock.now() + timedelta(days=1)).isoformat(),  # Tuesday 09:00 UTC
    )
    first_meeting = start["meeting"]["id"]
    topics = {label: secret(f"Topic {label}") for label in ("before", "a", "b", "c", "d", "e")}

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 3, day, hour, 0, tzinfo=UTC)

    # Monday: a session held before the 1-on-1.
    before = await booked(gql, person, coach, at(2, 12), topics["before"])
    advance(clock, at(2, 13) - clock.now(), org)
    await record(gql, coach, before["id"], "HELD")

    # Tuesday: the 1-on-1 is held.
    advance(clock, at(3, 13) - clock.now(), org)
    hold = await succeed(
        gql,
        """mutation($input: MeetingIdInput!) { holdOneOnOne(input: $input) {
          __typename ... on OneOnOneMeetingSuccess { nextMeeting { id } } } }""",
        steward,
        "OneOnOneMeetingSuccess",
        meetingId=first_meeting,
    )
    next_meeting = hold["nextMeeting"]["id"]
    advance(clock, timedelta(minutes=1), org)

    # Then: two held, a no-show, a cancelled one, and one on Thursday.
    held_a = await booked(gql, person, coach, at(4, 8), topics["a"])
    held_b = await booked(gql, person, coach, at(4, 9), topics["b"])
    no_show = await booked(gql, person, coach, at(4, 10), topics["c"])
    cancelled = await booked(gql, person, coach, at(5, 8), topics["d"])
    thursday = await booked(gql, person, coach, at(5, 9), topics["e"])
    result = await mutate(gql, CANCEL, {"sessionId": cancelled["id"]}, token=person.token)
    assert result["session"]["status"] == "CANCELLED", result
    sessions = [before, held_a, held_b, no_show, cancelled, thursday]
    traces = [
        *topics.values(),
        *(s["id"] for s in sessions),
        before["relationship"]["id"],
    ]

    async def counted(viewer: Member) -> int:
        text, view = await raw_prep(gql, viewer, next_meeting)
        for trace in traces:
            assert trace not in text, trace
        assert "COACHING" not in {r["kind"] for r in view["relationshipChanges"]}
        for point in view["suggestedTalkingPoints"]:
            assert point["relationship"] is None or point["relationship"]["kind"] != "COACHING"
        assert set(view["activity"]) == {
            "mentors",
            "coaches",
            "coachingsStartedSince",
            "coachSessionsSince",
        }
        assert view["activity"]["coaches"] == 1
        # The coaching started on Monday, before the last meeting.
        assert view["activity"]["coachingsStartedSince"] == 0
        return int(view["activity"]["coachSessionsSince"])

    # Nothing has taken place since the meeting yet.
    assert await counted(steward) == 0

    # Wednesday noon: two held, one no-show.
    advance(clock, at(4, 12) - clock.now(), org)
    await record(gql, coach, held_a["id"], "HELD")
    await record(gql, coach, held_b["id"], "HELD")
    await record(gql, coach, no_show["id"], "NO_SHOW")
    assert await counted(steward) == 2

    # Thursday, Pia's session has begun and is not recorded yet: it counts.
    advance(clock, at(5, 9) + timedelta(minutes=30) - clock.now(), org)
    assert await counted(steward) == 3
    # The person's own prep of the same meeting counts the same.
    _, own = await raw_prep(gql, person, next_meeting)
    assert own["activity"]["coachSessionsSince"] == 3
    # Recorded as a no-show, it no longer does.
    await record(gql, coach, thursday["id"], "NO_SHOW")
    assert await counted(steward) == 2


def test_the_prep_activity_type_has_counts_only() -> None:
    schema = graphql.build_schema(SCHEMA.read_text())
    activity = schema.get_type("PrepActivity")
    assert isinstance(activity, graphql.GraphQLObjectType)
    assert {name: str(f.type) for name, f in activity.fields.items()} == {
        "mentors": "Int!",
        "coaches": "Int!",
        "coachingsStartedSince": "Int!",
        "coachSessionsSince": "Int!",
    }


# == org faculty: aggregates per coach ================================================

USAGE = """
query Usage($first: Date!, $last: Date!) {
  viewer {
    organization {
      id
      coachUsage(firstDay: $first, lastDay: $last) {
        coach { id name } booked held noShows cancelled hoursHeld
      }
    }
  }
}
"""
ORG_USAGE = """
query OrgUsage($id: ID!, $first: Date!, $last: Date!) {
  node(id: $id) {
    ... on Organization { coachUsage(firstDay: $first, lastDay: $last) { coach { id } booked } }
  }
}
"""
MARCH = {"first": "2026-03-01", "last": "2026-03-31"}


async def test_org_faculty_sees_usage_per_coach_naming_no_coachee_and_nobody_else_sees_it(
    gql: GraphQL, org: Org, clock: FakeClock, make_org: OrgFactory
) -> None:
    cora = await make_coach(gql, org, name="Cora Coach", weekly=WEEKDAYS)
    carl = await make_coach(gql, org, name="Carl Coach", weekly=WEEKDAYS, session_minutes=45)
    pia = await org.add_member("Pia Person")
    tom = await org.add_member("Tom Third")
    steward = await org.add_member("Sam Steward")
    await established(gql, steward, pia)
    await set_coach_limits(gql, org, upcoming=10, per_month=10)
    topics = [secret("Topic") for _ in range(6)]

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 3, day, hour, 0, tzinfo=UTC)

    # Cora: two held (Pia, Tom), a no-show (Tom), a cancellation (Pia), one
    # still booked (Pia). Carl: one held, 45 minutes (Pia, at 13:30 in Berlin:
    # on his grid of 45 minutes from 09:00).
    held_1 = await booked(gql, pia, cora, at(3, 8), topics[0])
    held_2 = await booked(gql, tom, cora, at(3, 9), topics[1])
    no_show = await booked(gql, tom, cora, at(3, 10), topics[2])
    cancelled = await booked(gql, pia, cora, at(5, 8), topics[3])
    ahead = await booked(gql, pia, cora, at(10, 8), topics[4])
    carls = await booked(gql, pia, carl, at(3, 12) + timedelta(minutes=30), topics[5])
    assert (await mutate(gql, CANCEL, {"sessionId": cancelled["id"]}, token=pia.token))["session"][
        "status"
    ] == "CANCELLED"
    advance(clock, at(3, 14) - clock.now(), org)
    await record(gql, cora, held_1["id"], "HELD")
    await record(gql, cora, held_2["id"], "HELD")
    await record(gql, cora, no_show["id"], "NO_SHOW")
    await record(gql, carl, carls["id"], "HELD")
    sessions = [held_1, held_2, no_show, cancelled, ahead, carls]

    response = await gql.raw(USAGE, MARCH, token=org.faculty.token)
    body = response.json()
    assert "errors" not in body, body
    usage = body["data"]["viewer"]["organization"]["coachUsage"]
    assert usage == [
        {
            "coach": {"id": cora.id, "name": "Cora Coach"},
            "booked": 1,
            "held": 2,
            "noShows": 1,
            "cancelled": 1,
            "hoursHeld": 2.0,
        },
        {
            "coach": {"id": carl.id, "name": "Carl Coach"},
            "booked": 0,
            "held": 1,
            "noShows": 0,
            "cancelled": 0,
            "hoursHeld": 0.75,
        },
    ]
    # Nothing in it names a coachee or a session.
    for trace in (pia.id, tom.id, "Pia Person", "Tom Third", *topics, *(s["id"] for s in sessions)):
        assert trace not in response.text, trace
    relationships = {s["relationship"]["id"] for s in sessions}
    for trace in relationships:
        assert trace not in response.text, trace

    # A narrower range: only the first week.
    week = await gql.data(
        USAGE, {"first": "2026-03-02", "last": "2026-03-08"}, token=org.faculty.token
    )
    assert [
        (u["coach"]["id"], u["booked"], u["cancelled"])
        for u in week["viewer"]["organization"]["coachUsage"]
    ] == [(cora.id, 0, 1), (carl.id, 0, 0)]

    # Null for everyone else: the coaches themselves, coachees, a steward.
    for member in (cora, carl, pia, tom, steward):
        data = await gql.data(USAGE, MARCH, token=member.token)
        assert data["viewer"]["organization"]["coachUsage"] is None, member.person.name

    # Faculty of another organization sees their own (none), never this one's.
    elsewhere = await make_org("Elsewhere")
    theirs = await gql.data(USAGE, MARCH, token=elsewhere.faculty.token)
    assert theirs["viewer"]["organization"]["coachUsage"] == []
    org_id = body["data"]["viewer"]["organization"]["id"]
    response = await gql.raw(ORG_USAGE, {"id": org_id, **MARCH}, token=elsewhere.faculty.token)
    assert response.json()["data"]["node"] is None, response.text
    assert cora.id not in response.text


def test_the_usage_type_names_no_one_but_the_coach() -> None:
    schema = graphql.build_schema(SCHEMA.read_text())
    usage = schema.get_type("CoachUsage")
    assert isinstance(usage, graphql.GraphQLObjectType)
    assert {name: str(f.type) for name, f in usage.fields.items()} == {
        "coach": "Person!",
        "booked": "Int!",
        "held": "Int!",
        "noShows": "Int!",
        "cancelled": "Int!",
        "hoursHeld": "Float!",
    }


# == free slots: times only ============================================================


async def test_free_slots_show_times_only_and_a_booked_slot_is_simply_missing(
    gql: GraphQL, cast: Cast
) -> None:
    friday = date(2026, 3, 6)
    for role in (STEWARD, THIRD, OTHER_COACH, FACULTY):
        viewer = cast[role]
        slots = await free_slots(gql, viewer, cast.coach, friday, friday, timezone="UTC")
        assert slots == [f"2026-03-06T{h:02d}:00:00+00:00" for h in range(9, 16)], role
        response = await gql.raw(
            COACHES, {"first": "2026-03-06", "last": "2026-03-06"}, token=viewer.token
        )
        body = response.json()
        assert "errors" not in body, body
        for coach in body["data"]["coaches"]:
            for slot in coach["coachAvailability"]["freeSlots"]:
                assert set(slot) == {"startsAt", "endsAt"}
        for trace in (*cast.traces, cast.person.id, "Pia Person"):
            assert trace not in response.text, (role, trace)
    # Pia's own view is the same: the slot she booked is taken, by no one named.
    assert await free_slots(gql, cast.person, cast.coach, friday, friday, timezone="UTC") == [
        f"2026-03-06T{h:02d}:00:00+00:00" for h in range(9, 16)
    ]


def test_a_slot_is_a_start_and_an_end() -> None:
    schema = graphql.build_schema(SCHEMA.read_text())
    slot = schema.get_type("CoachSlot")
    assert isinstance(slot, graphql.GraphQLObjectType)
    assert {name: str(f.type) for name, f in slot.fields.items()} == {
        "startsAt": "DateTime!",
        "endsAt": "DateTime!",
    }


async def test_a_coachs_own_session_as_a_coachee_takes_the_slot_and_names_no_one(
    gql: GraphQL, cast: Cast
) -> None:
    """Carl, a coach himself, is coached by Cora on Friday at 09:00 UTC. To
    Tom, that hour of Carl's is simply not free: it is not listed, booking it
    is refused as taken, and nothing says why or with whom."""
    friday = date(2026, 3, 6)
    carl = cast.other_coach
    carls = await booked(gql, carl, cast.coach, FRIDAY + timedelta(hours=1), secret("Carl's topic"))
    listed = await free_slots(gql, cast.third, carl, friday, friday, timezone="UTC")
    taken = (FRIDAY + timedelta(hours=1)).isoformat()
    refused = await mutate(
        gql,
        BOOK,
        {"coachId": carl.id, "startsAt": taken, "topic": "Tom's topic"},
        token=cast.third.token,
    )
    assert (refused["__typename"], refused["code"]) == ("ConflictError", "SLOT_TAKEN"), refused
    assert cast.coach.id not in str(refused)
    assert carls["id"] not in str(refused)
    # A slot that cannot be booked is not offered as free.
    assert taken not in listed, listed
    assert listed == [f"2026-03-06T{h:02d}:00:00+00:00" for h in range(8, 16) if h != 9]
