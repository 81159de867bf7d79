"""The 1-on-1 prep (DESIGN.md section 2, "1-on-1 prep"), through the public
GraphQL API: what a steward opens before a meeting, and what the person
opens before the same meeting.

The prep is about the relationship's follower (the person). Their steward
sees only what the person shared with them: goals shared with the steward
(open ones, and those closed since the last held meeting) with only the
check-ins since, feedback items and request results shared with the
steward, the agreements of the two of them with their mismatch signals,
readiness for the next stage; both people's open action items, the agenda
with what carried over, relationship changes since, mentors and coaches as
counts (never content), and suggested talking points, each with its
reason. The person sees all of their own. `since` is when the last meeting
was held, or before the first one when the relationship started: what
happened before the two worked together is not counted. A prep of any size
runs the same, small number of SQL statements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from fastapi import FastAPI

from api.context import Services
from domain.actors import Actor
from domain.agreements import AutonomyAgreement
from domain.autonomy import AutonomyStage
from domain.feedback import Anonymity, AnswerInput, QuestionKind, QuestionSpec
from domain.feedback_items import FeedbackRef, ShareAudience
from domain.goals import Audience, Confidence
from domain.services import agreements as agreement_service
from domain.services import feedback as feedback_service
from domain.services import feedback_items as item_service
from domain.services import goals as goal_service
from domain.services import one_on_ones as one_on_one_service
from tests.api.feedback_helpers import CLOSE, asked, give, request_changed, uuid_of
from tests.api.feedback_item_helpers import given, shared_feedback, unshare_feedback
from tests.api.goal_helpers import (
    ABANDON_GOAL,
    ACHIEVE_GOAL,
    changed,
    checked_in,
    created,
    shared,
    unshare,
)
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.one_on_one_helpers import (
    ADD_ACTION,
    ADD_ITEM,
    HOLD,
    PREP,
    SET_ACTION_DONE,
    START,
    TICK,
    prep,
    succeed,
)
from tests.api.queries import create_area, mutate
from tests.api.relationship_helpers import (
    COACHING,
    END,
    MENTORSHIP,
    advance,
    established,
    succeeded,
)
from tests.api.test_agreements import ASSESS, END_AGREEMENT, agreed, done
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]

STEWARD = "STEWARD"
FIXED, FLEXIBLE = "FIXED_GOALS", "FLEXIBLE_GOALS"

# The full prep of a realistic meeting runs at most this many statements
# (the same number as a small one): one batched read per section and level.
# Measured: 30 (the viewer, the meeting, its series, relationship and last
# held meeting, then one batch per section and per nested list or link, the
# agenda's firstRaisedIn, and the read log's one INSERT: the steward read what
# the person shared).
PREP_STATEMENT_BOUND = 30


def secret(label: str) -> str:
    return f"{label} {uuid4().hex[:12]}"


@dataclass
class Pair:
    org: Org
    steward: Member
    person: Member
    relationship_id: str
    started_at: datetime
    series: dict[str, Any]
    meeting: dict[str, Any]
    """The first meeting, scheduled for tomorrow."""


async def pair(
    gql: GraphQL,
    org: Org,
    clock: FakeClock,
    *,
    review_on: date | None = None,
) -> Pair:
    """Sam stewards Pia; their 1-on-1s are weekly, the first one tomorrow.
    A minute passes, so that whatever happens next is after the start."""
    steward = await org.add_member("Sam Steward")
    person = await org.add_member("Pia Person")
    relationship = await established(gql, steward, person, review_on=review_on)
    series, first = await start_series(gql, clock, steward, relationship["id"])
    step(clock, org)
    started_at = datetime.fromisoformat(relationship["startedAt"])
    return Pair(org, steward, person, relationship["id"], started_at, series, first)


async def start_series(
    gql: GraphQL, clock: FakeClock, leader: Member, relationship_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Weekly 1-on-1s for an active relationship, the first meeting tomorrow."""
    result = await mutate(
        gql,
        START,
        {
            "relationshipId": relationship_id,
            "cadence": "WEEKLY",
            "firstMeetingAt": (clock.now() + timedelta(days=1)).isoformat(),
        },
        token=leader.token,
    )
    assert result["__typename"] == "OneOnOneSeriesSuccess", result
    return result["series"], result["meeting"]


async def held(
    gql: GraphQL, clock: FakeClock, member: Member, meeting_id: str, *orgs: Org
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A day passes and the meeting is held; then a minute, so that whatever
    happens next is after it. (held meeting, next meeting)."""
    advance(clock, timedelta(days=1), *orgs)
    result = await succeed(gql, HOLD, member, "OneOnOneMeetingSuccess", meetingId=meeting_id)
    advance(clock, timedelta(minutes=1), *orgs)
    assert result["nextMeeting"] is not None, result
    return result["meeting"], result["nextMeeting"]


def step(clock: FakeClock, *orgs: Org) -> None:
    advance(clock, timedelta(minutes=1), *orgs)


async def raw_prep(gql: GraphQL, viewer: Member, meeting_id: str) -> tuple[str, dict[str, Any]]:
    """The raw response body and the prep, as `viewer` opens it."""
    response = await gql.raw(PREP, {"id": meeting_id}, token=viewer.token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    assert body["data"]["node"] is not None, body
    return response.text, body["data"]["node"]["prep"]


async def opened(gql: GraphQL, viewer: Member, meeting_id: str) -> dict[str, Any]:
    found = await prep(gql, viewer, meeting_id)
    assert found is not None
    return found


def goal_check_ins(view: dict[str, Any]) -> dict[str, list[str]]:
    """Goal id -> the notes of its check-ins since, as listed."""
    return {g["goal"]["id"]: [c["note"] for c in g["checkInsSince"]] for g in view["goals"]}


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def points(view: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["kind"], p["reason"]) for p in view["suggestedTalkingPoints"]]


def at_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


# == since ========================================================================


async def test_since_is_the_start_before_the_first_held_meeting_and_the_held_time_after(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    p = await pair(gql, org, clock)

    for viewer in (p.steward, p.person):
        first = await opened(gql, viewer, p.meeting["id"])
        assert at_time(first["since"]) == p.started_at
        assert first["lastMeeting"] is None
        assert first["person"]["id"] == p.person.id

    held_meeting, upcoming = await held(gql, clock, p.steward, p.meeting["id"], org)
    assert held_meeting["status"] == "HELD"

    for viewer in (p.steward, p.person):
        view = await opened(gql, viewer, upcoming["id"])
        assert at_time(view["since"]) == at_time(held_meeting["heldAt"])
        assert at_time(view["since"]) == clock.now() - timedelta(minutes=1)
        assert view["lastMeeting"] == {"id": p.meeting["id"]}
        # Always about the person, whoever opens it.
        assert view["person"]["id"] == p.person.id
        # The held meeting's own prep still looks back from before it.
        assert at_time((await opened(gql, viewer, p.meeting["id"]))["since"]) == p.started_at

    # A second held meeting moves `since` on.
    second, third = await held(gql, clock, p.person, upcoming["id"], org)
    view = await opened(gql, p.steward, third["id"])
    assert at_time(view["since"]) == at_time(second["heldAt"])
    assert view["lastMeeting"] == {"id": upcoming["id"]}


async def test_before_the_first_meeting_nothing_from_before_the_relationship_counts(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Pia worked for a year before Sam became her steward: her goals,
    check-ins, feedback, requests and other relationships of that time are
    not what changed for their first 1-on-1; what came after the start is."""
    steward, person = await org.add_member("Sam Steward"), await org.add_member("Pia Person")
    giver, coach = await org.add_member("Bo Giver"), await org.add_member("Cora Coach")
    peers = [await org.add_member("Pat Peer"), await org.add_member("Quinn Peer")]
    area = (await create_area(gql, org.faculty.token, "Design"))["id"]

    # Before: a goal with a drop in confidence, one achieved, feedback given,
    # a request answered and closed, a mentorship and a coaching started.
    ongoing = await created(gql, person, "Lead the guild")
    await checked_in(gql, person, ongoing["id"], 10, "HIGH", "old high")
    step(clock, org)
    await checked_in(gql, person, ongoing["id"], 20, "LOW", "old low")
    achieved_before = await created(gql, person, "Achieved long ago")
    await changed(gql, ACHIEVE_GOAL, person, achieved_before["id"], note="Done")
    old_item = await given(gql, giver, person, secret("Old feedback"))
    old_request = await asked(gql, clock, person, peers, topic=secret("Old topic"))
    for peer in peers:
        await give(gql, peer, old_request["id"])
    await request_changed(gql, CLOSE, person, old_request["id"])
    old_mentorship = await established(
        gql, await org.add_member("Mia Mentor"), person, kind=MENTORSHIP, areas=[area]
    )
    old_coaching = await established(gql, coach, person, kind=COACHING)
    advance(clock, timedelta(days=30), org)

    relationship = await established(gql, steward, person)
    _, first = await start_series(gql, clock, steward, relationship["id"])
    step(clock, org)
    for goal in (ongoing, achieved_before):
        await shared(gql, person, goal["id"], STEWARD)
    await shared_feedback(gql, person, old_item["id"])
    await shared_feedback(gql, person, old_request["id"])

    # After the start: a check-in, feedback, a request closed, a mentorship.
    await checked_in(gql, person, ongoing["id"], 30, "LOW", "new low")
    achieved_after = await created(gql, person, "Achieved since")
    await changed(gql, ACHIEVE_GOAL, person, achieved_after["id"], note="Done")
    await shared(gql, person, achieved_after["id"], STEWARD)
    new_item = await given(gql, giver, person, secret("New feedback"))
    await shared_feedback(gql, person, new_item["id"])
    new_request = await asked(gql, clock, person, peers, topic=secret("New topic"))
    for peer in peers:
        await give(gql, peer, new_request["id"])
    await request_changed(gql, CLOSE, person, new_request["id"])
    await shared_feedback(gql, person, new_request["id"])
    new_mentorship = await established(
        gql, await org.add_member("Nina Mentor"), person, kind=MENTORSHIP, areas=[area]
    )

    for viewer in (steward, person):
        view = await opened(gql, viewer, first["id"])
        assert at_time(view["since"]) == datetime.fromisoformat(relationship["startedAt"])
        assert goal_check_ins(view) == {achieved_after["id"]: [], ongoing["id"]: ["new low"]}
        assert ids(view["feedback"]) == [new_item["id"]]
        assert ids(view["feedbackRequests"]) == [new_request["id"]]
        assert ids(view["relationshipChanges"]) == [new_mentorship["id"]]
        assert view["activity"] == {"mentors": 2, "coaches": 1, "coachingsStartedSince": 0}
        # The drop of a year ago is no talking point; low and low is no drop.
        assert points(view) == []
        for trace in (achieved_before["id"], old_item["id"], old_request["id"]):
            assert trace not in str(view)
        assert old_mentorship["id"] not in ids(view["relationshipChanges"])
        assert old_coaching["id"] not in str(view)


# == goals ========================================================================


async def test_goals_shared_with_the_steward_show_only_their_check_ins_since_the_last_meeting(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    p = await pair(gql, org, clock)
    open_goal = await created(gql, p.person, "Facilitate the retro")
    await shared(gql, p.person, open_goal["id"], STEWARD)
    private_title = secret("Private goal")
    private_goal = await created(gql, p.person, private_title)
    private_notes = [secret("private before"), secret("private after")]
    await checked_in(gql, p.person, open_goal["id"], 10, "HIGH", "before the meeting")
    await checked_in(gql, p.person, private_goal["id"], 10, "HIGH", private_notes[0])

    # Before the first meeting, every check-in is new.
    text, steward_view = await raw_prep(gql, p.steward, p.meeting["id"])
    assert goal_check_ins(steward_view) == {open_goal["id"]: ["before the meeting"]}
    assert private_title not in text
    assert private_notes[0] not in text
    person_view = await opened(gql, p.person, p.meeting["id"])
    assert goal_check_ins(person_view) == {
        private_goal["id"]: [private_notes[0]],
        open_goal["id"]: ["before the meeting"],
    }

    _, upcoming = await held(gql, clock, p.steward, p.meeting["id"], org)
    await checked_in(gql, p.person, open_goal["id"], 30, "MEDIUM", "after one")
    step(clock, org)
    await checked_in(gql, p.person, open_goal["id"], 40, "HIGH", "after two")
    await checked_in(gql, p.person, private_goal["id"], 20, "LOW", private_notes[1])

    text, steward_view = await raw_prep(gql, p.steward, upcoming["id"])
    assert goal_check_ins(steward_view) == {open_goal["id"]: ["after two", "after one"]}
    (entry,) = steward_view["goals"]
    assert entry["goal"] == {
        "id": open_goal["id"],
        "title": "Facilitate the retro",
        "status": "ACTIVE",
    }
    assert [(c["progress"], c["confidence"]) for c in entry["checkInsSince"]] == [
        (40, "HIGH"),
        (30, "MEDIUM"),
    ]
    assert "before the meeting" not in text
    for trace in (private_title, private_goal["id"], *private_notes):
        assert trace not in text

    # The person sees their own prep of the same meeting whole.
    person_view = await opened(gql, p.person, upcoming["id"])
    assert goal_check_ins(person_view) == {
        private_goal["id"]: [private_notes[1]],
        open_goal["id"]: ["after two", "after one"],
    }

    # Taking the share back takes the goal out of the steward's prep at once.
    assert (await unshare(gql, p.person, open_goal["id"], STEWARD))["__typename"] == "GoalSuccess"
    text, steward_view = await raw_prep(gql, p.steward, upcoming["id"])
    assert steward_view["goals"] == []
    assert "after two" not in text
    assert len((await opened(gql, p.person, upcoming["id"]))["goals"]) == 2


async def test_goals_closed_since_the_last_meeting_appear_and_older_closed_ones_do_not(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    p = await pair(gql, org, clock)

    async def goal(title: str) -> str:
        step(clock, org)
        found = await created(gql, p.person, title)
        await shared(gql, p.person, found["id"], STEWARD)
        return str(found["id"])

    achieved_before = await goal("Achieved before")
    abandoned_before = await goal("Abandoned before")
    achieved_since = await goal("Achieved since")
    abandoned_since = await goal("Abandoned since")
    still_open = await goal("Still open")
    step(clock, org)
    draft = (await created(gql, p.person, "A draft", activate=False))["id"]
    await shared(gql, p.person, draft, STEWARD)
    await changed(gql, ACHIEVE_GOAL, p.person, achieved_before, note="Done")
    await changed(gql, ABANDON_GOAL, p.person, abandoned_before, note="Dropped")

    _, upcoming = await held(gql, clock, p.steward, p.meeting["id"], org)
    await changed(gql, ACHIEVE_GOAL, p.person, achieved_since, note="Done")
    await changed(gql, ABANDON_GOAL, p.person, abandoned_since, note="Dropped")

    expected = {
        draft: "DRAFT",
        still_open: "ACTIVE",
        abandoned_since: "ABANDONED",
        achieved_since: "ACHIEVED",
    }
    for viewer in (p.steward, p.person):
        view = await opened(gql, viewer, upcoming["id"])
        assert {g["goal"]["id"]: g["goal"]["status"] for g in view["goals"]} == expected
        # Newest first.
        assert [g["goal"]["id"] for g in view["goals"]] == list(expected)
        assert achieved_before not in str(view)
        assert abandoned_before not in str(view)


# == feedback =====================================================================


async def test_feedback_shared_with_the_steward_appears_and_taking_it_back_removes_it(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    p = await pair(gql, org, clock)
    giver = await org.add_member("Bo Giver")
    shared_text, private_text = secret("Shared feedback"), secret("Private feedback")
    older = await given(gql, giver, p.person, secret("Older shared feedback"))
    step(clock, org)
    shared_item = await given(gql, giver, p.person, shared_text)
    step(clock, org)
    private_item = await given(gql, giver, p.person, private_text)
    # Feedback the steward gave Pia themselves is not "shared with them".
    own_text = secret("Steward's own feedback")
    step(clock, org)
    own_item = await given(gql, p.steward, p.person, own_text)
    await shared_feedback(gql, p.person, older["id"])
    await shared_feedback(gql, p.person, shared_item["id"])

    text, steward_view = await raw_prep(gql, p.steward, p.meeting["id"])
    assert steward_view["feedback"] == [
        {"id": shared_item["id"], "text": shared_text},
        {"id": older["id"], "text": older["text"]},
    ]
    assert private_text not in text
    assert private_item["id"] not in text
    assert own_text not in text

    # Pia's own prep: all feedback about her, newest first.
    person_view = await opened(gql, p.person, p.meeting["id"])
    assert ids(person_view["feedback"]) == [
        own_item["id"],
        private_item["id"],
        shared_item["id"],
        older["id"],
    ]

    result = await unshare_feedback(gql, p.person, shared_item["id"])
    assert result["__typename"] == "FeedbackSharingSuccess", result
    text, steward_view = await raw_prep(gql, p.steward, p.meeting["id"])
    assert ids(steward_view["feedback"]) == [older["id"]]
    assert shared_text not in text


async def test_results_of_feedback_requests_shared_with_the_steward_appear_under_requests(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    p = await pair(gql, org, clock)
    peers = [await org.add_member("Pat Peer"), await org.add_member("Quinn Peer")]
    shared_topic, private_topic = secret("Shared topic"), secret("Private topic")
    answer_text = secret("Answer")
    shared_request = await asked(gql, clock, p.person, peers, topic=shared_topic)
    step(clock, org)
    private_request = await asked(gql, clock, p.person, peers, topic=private_topic)
    for peer in peers:
        await give(gql, peer, shared_request["id"], text=answer_text)
        await give(gql, peer, private_request["id"], text=secret("Private answer"))
    for request in (shared_request, private_request):
        await request_changed(gql, CLOSE, p.person, request["id"])
    await shared_feedback(gql, p.person, shared_request["id"])

    text, steward_view = await raw_prep(gql, p.steward, p.meeting["id"])
    assert steward_view["feedbackRequests"] == [
        {"id": shared_request["id"], "topic": shared_topic, "results": {"released": True}}
    ]
    assert private_topic not in text
    assert private_request["id"] not in text

    person_view = await opened(gql, p.person, p.meeting["id"])
    assert ids(person_view["feedbackRequests"]) == [private_request["id"], shared_request["id"]]

    await unshare_feedback(gql, p.person, shared_request["id"])
    text, steward_view = await raw_prep(gql, p.steward, p.meeting["id"])
    assert steward_view["feedbackRequests"] == []
    assert shared_topic not in text


# == agreements and readiness =====================================================


async def test_agreements_and_mismatch_signals_of_the_pair(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    p = await pair(gql, org, clock)
    calm = await agreed(gql, p.steward, p.person, p.relationship_id, FIXED, "Release planning")
    step(clock, org)
    tense = await agreed(gql, p.steward, p.person, p.relationship_id, "TASKS", "Hiring")
    # Pia sees herself two stages further than her steward sees her.
    step(clock, org)
    await done(gql, ASSESS, p.person, tense["id"], followerView="FLEXIBLE_GOALS")
    step(clock, org)
    assessed = await done(gql, ASSESS, p.steward, tense["id"], leaderView="TASKS")
    signals = [(s["kind"], s["explanation"]) for s in assessed["signals"]]
    assert {kind for kind, _ in signals} == {"PERCEPTION_GAP"}
    # An ended agreement is no longer one to prepare.
    step(clock, org)
    ended = await agreed(gql, p.person, p.steward, p.relationship_id, FIXED, "Old context")
    await done(gql, END_AGREEMENT, p.steward, ended["id"])

    for viewer in (p.steward, p.person):
        view = await opened(gql, viewer, p.meeting["id"])
        assert ids(view["agreements"]) == [calm["id"], tense["id"]]
        assert [(s["kind"], s["explanation"]) for s in view["mismatchSignals"]] == signals
        assert [(k, r) for k, r in points(view)] == [
            ("MISMATCH_SIGNAL", f"Hiring: {explanation}") for _, explanation in signals
        ]

    # Another leader of Pia's: their agreement is not the steward's business.
    area = (await create_area(gql, org.faculty.token, "Design"))["id"]
    mentor = await org.add_member("Mia Mentor")
    mentorship = await established(gql, mentor, p.person, kind=MENTORSHIP, areas=[area])
    elsewhere_context = secret("Mentorship context")
    other = await agreed(gql, mentor, p.person, mentorship["id"], FIXED, elsewhere_context)
    await done(gql, ASSESS, p.person, other["id"], followerView="PURPOSE")

    text, steward_view = await raw_prep(gql, p.steward, p.meeting["id"])
    assert ids(steward_view["agreements"]) == [calm["id"], tense["id"]]
    assert [(s["kind"], s["explanation"]) for s in steward_view["mismatchSignals"]] == signals
    assert elsewhere_context not in text
    assert other["id"] not in text


async def test_the_persons_prep_lists_the_agreements_of_the_pair_not_of_her_other_leaders(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Pia opens her prep of the 1-on-1 with her steward: its agreements,
    signals and the talking points suggested from them are those of the two
    of them, the same as in her steward's prep of that very meeting, not
    those she has with her mentor (which her mentorship 1-on-1s are for)."""
    p = await pair(gql, org, clock)
    ours = await agreed(gql, p.steward, p.person, p.relationship_id, FIXED, "Release planning")
    area = (await create_area(gql, org.faculty.token, "Design"))["id"]
    mentor = await org.add_member("Mia Mentor")
    mentorship = await established(gql, mentor, p.person, kind=MENTORSHIP, areas=[area])
    _, mentor_meeting = await start_series(gql, clock, mentor, mentorship["id"])
    mentoring = await agreed(gql, mentor, p.person, mentorship["id"], FIXED, "Typography")
    await done(gql, ASSESS, p.person, mentoring["id"], followerView="PURPOSE")

    steward_view = await opened(gql, p.steward, p.meeting["id"])
    assert ids(steward_view["agreements"]) == [ours["id"]]
    mentor_view = await opened(gql, mentor, mentor_meeting["id"])
    assert ids(mentor_view["agreements"]) == [mentoring["id"]]

    # The same meeting, opened by Pia.
    person_view = await opened(gql, p.person, p.meeting["id"])
    assert ids(person_view["agreements"]) == ids(steward_view["agreements"]), (
        "Pia's prep of her stewardship 1-on-1 lists her mentorship agreement too"
    )
    assert person_view["mismatchSignals"] == steward_view["mismatchSignals"] == []
    assert points(person_view) == points(steward_view) == []
    # And her prep of the mentorship 1-on-1 has the mentorship's alone.
    person_view = await opened(gql, p.person, mentor_meeting["id"])
    assert ids(person_view["agreements"]) == [mentoring["id"]]


async def test_readiness_for_the_next_stage_for_the_steward_and_the_person_not_a_mentor(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    p = await pair(gql, org, clock)
    area = (await create_area(gql, org.faculty.token, "Design"))["id"]
    mentor = await org.add_member("Mia Mentor")
    mentorship = await established(gql, mentor, p.person, kind=MENTORSHIP, areas=[area])
    _, mentor_meeting = await start_series(gql, clock, mentor, mentorship["id"])
    evidence = []
    for n in range(3):
        goal = await created(gql, p.person, f"Fixed goal {n}", stage=FIXED)
        await checked_in(gql, p.person, goal["id"], 90, "HIGH")
        await changed(gql, ACHIEVE_GOAL, p.person, goal["id"])
        await shared(gql, p.person, goal["id"], STEWARD)
        await shared(gql, p.person, goal["id"], "MENTOR", mentor)
        evidence.append(goal["id"])
    ready = [{"stage": FIXED, "nextStage": FLEXIBLE, "evidenceCount": 3}]

    assert (await opened(gql, p.steward, p.meeting["id"]))["readinessSuggestions"] == ready
    assert (await opened(gql, p.person, p.meeting["id"]))["readinessSuggestions"] == ready
    # A mentor is no steward: no readiness, even with every goal shared.
    assert (await opened(gql, mentor, mentor_meeting["id"]))["readinessSuggestions"] == []
    assert (await opened(gql, p.person, mentor_meeting["id"]))["readinessSuggestions"] == ready

    # The steward's suggestion rests on what is shared with them only.
    await unshare(gql, p.person, evidence[0], STEWARD)
    assert (await opened(gql, p.steward, p.meeting["id"]))["readinessSuggestions"] == []
    assert (await opened(gql, p.person, p.meeting["id"]))["readinessSuggestions"] == ready


# == action items, agenda ==========================================================


async def test_open_action_items_of_both_and_the_agenda_with_what_carried_over(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    p = await pair(gql, org, clock)
    first = p.meeting["id"]

    async def agenda_item(member: Member, meeting_id: str, text: str) -> str:
        result = await succeed(
            gql, ADD_ITEM, member, "AgendaItemSuccess", meetingId=meeting_id, text=text
        )
        return str(result["item"]["id"])

    async def action(member: Member, owner: Member, text: str, due: date | None) -> str:
        result = await succeed(
            gql,
            ADD_ACTION,
            member,
            "ActionItemSuccess",
            meetingId=first,
            ownerId=owner.id,
            text=text,
            dueOn=due.isoformat() if due else None,
        )
        return str(result["item"]["id"])

    today = clock.now().date()
    ticked = await agenda_item(p.steward, first, "Welcome")
    unfinished = await agenda_item(p.person, first, "My conference talk")
    await succeed(gql, TICK, p.steward, "AgendaItemSuccess", itemId=ticked)
    steward_action = await action(p.person, p.steward, "Book the room", today + timedelta(days=9))
    person_action = await action(p.steward, p.person, "Draft the abstract", today + timedelta(5))
    finished_action = await action(p.person, p.person, "Read the guide", None)
    await succeed(gql, SET_ACTION_DONE, p.person, "ActionItemSuccess", itemId=finished_action)
    undated_action = await action(p.person, p.person, "Ask Bo", None)

    for viewer in (p.steward, p.person):
        view = await opened(gql, viewer, first)
        assert ids(view["agenda"]) == [ticked, unfinished]
        assert [i["done"] for i in view["agenda"]] == [True, False]

    _, upcoming = await held(gql, clock, p.steward, first, org)
    added = await agenda_item(p.steward, upcoming["id"], "Feedback on the draft")

    for viewer in (p.steward, p.person):
        view = await opened(gql, viewer, upcoming["id"])
        agenda = view["agenda"]
        assert [(i["text"], i["position"], i["done"]) for i in agenda] == [
            ("My conference talk", 0, False),
            ("Feedback on the draft", 1, False),
        ]
        assert agenda[0]["carriedFrom"] == {"id": first}
        assert agenda[0]["author"] == {"id": p.person.id}
        assert agenda[1]["id"] == added
        assert agenda[1]["carriedFrom"] is None
        # Both people's open items, soonest due first, undated last.
        items = view["openActionItems"]
        assert ids(items) == [person_action, steward_action, undated_action]
        assert [i["owner"]["id"] for i in items] == [p.person.id, p.steward.id, p.person.id]
        assert all(not i["done"] and not i["overdue"] for i in items)
        assert all(i["meeting"] == {"id": first} for i in items)


# == relationship changes and activity =============================================


async def test_relationship_changes_since_and_activity_counts_never_coaching_content(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    p = await pair(gql, org, clock)
    area = (await create_area(gql, org.faculty.token, "Design"))["id"]
    old_mentor = await org.add_member("Olga Old Mentor")
    new_mentor = await org.add_member("Nina New Mentor")
    coach = await org.add_member("Cora Coach")
    old_mentorship = await established(gql, old_mentor, p.person, kind=MENTORSHIP, areas=[area])

    # Before the first meeting: every relationship of Pia's that started
    # since the stewardship did.
    for viewer in (p.steward, p.person):
        view = await opened(gql, viewer, p.meeting["id"])
        assert ids(view["relationshipChanges"]) == [old_mentorship["id"]]
        assert view["activity"] == {"mentors": 1, "coaches": 0, "coachingsStartedSince": 0}

    _, upcoming = await held(gql, clock, p.steward, p.meeting["id"], org)
    new_mentorship = await established(gql, new_mentor, p.person, kind=MENTORSHIP, areas=[area])
    coaching = await established(gql, coach, p.person, kind=COACHING)
    # A coaching Pia herself gives is not Pia's coach, and not content either.
    coachee = await org.add_member("Carl Coachee")
    given_coaching = await established(gql, p.person, coachee, kind=COACHING)

    for viewer in (p.steward, p.person):
        text, view = await raw_prep(gql, viewer, upcoming["id"])
        assert view["relationshipChanges"] == [
            {"id": new_mentorship["id"], "kind": "MENTORSHIP", "status": "ACTIVE"}
        ]
        assert view["activity"] == {"mentors": 2, "coaches": 1, "coachingsStartedSince": 1}
        if viewer is p.steward:
            for trace in (coaching["id"], given_coaching["id"], coach.id, coachee.id):
                assert trace not in text

    # An ending is a change too.
    step(clock, org)
    await succeeded(gql, END, p.person, old_mentorship["id"], reason="Time to move on.")
    view = await opened(gql, p.steward, upcoming["id"])
    assert {(r["id"], r["status"]) for r in view["relationshipChanges"]} == {
        (new_mentorship["id"], "ACTIVE"),
        (old_mentorship["id"], "ENDED"),
    }
    assert view["activity"] == {"mentors": 1, "coaches": 1, "coachingsStartedSince": 1}


async def test_a_former_steward_or_mentor_gets_no_prep_of_their_past_meetings(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """The meetings stay readable by the two, but a prep of an ended
    relationship would keep counting the person's mentors, coaches and new
    relationships up to now: news the former leader has no part in."""
    p = await pair(gql, org, clock)
    area = (await create_area(gql, org.faculty.token, "Design"))["id"]
    mentor = await org.add_member("Mo Mentor")
    mentorship = await established(gql, mentor, p.person, kind=MENTORSHIP, areas=[area])
    _, mentor_meeting = await start_series(gql, clock, mentor, mentorship["id"])
    assert await prep(gql, mentor, mentor_meeting["id"]) is not None

    step(clock, org)
    await established(gql, await org.add_member("Nia New Steward"), p.person)  # a handover
    await succeeded(gql, END, p.person, mentorship["id"], reason="Learned what I came for.")
    step(clock, org)
    await established(gql, await org.add_member("Cora Coach"), p.person, kind=COACHING)

    for leader, meeting in ((p.steward, p.meeting), (mentor, mentor_meeting)):
        for viewer in (leader, p.person):
            found = (await gql.data(PREP, {"id": meeting["id"]}, token=viewer.token))["node"]
            assert found is not None  # the meeting itself stays theirs
            assert found["prep"] is None


# == suggested talking points ======================================================


async def test_each_kind_of_suggested_talking_point_with_its_reason(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    today = clock.now().date()
    review_on = today + timedelta(days=10)
    p = await pair(gql, org, clock, review_on=review_on)
    target = today + timedelta(days=5)
    late = await created(gql, p.person, "Write the handbook", targetDate=target.isoformat())
    await shared(gql, p.person, late["id"], STEWARD)
    step(clock, org)
    wobbly = await created(gql, p.person, "Pair on the release")
    await shared(gql, p.person, wobbly["id"], STEWARD)
    await checked_in(gql, p.person, wobbly["id"], 20, "HIGH")
    step(clock, org)
    await checked_in(gql, p.person, wobbly["id"], 30, "LOW")
    agreement = await agreed(gql, p.steward, p.person, p.relationship_id, "TASKS", "Hiring")
    assessed = await done(gql, ASSESS, p.person, agreement["id"], followerView="FIXED_GOALS")
    (signal,) = assessed["signals"]
    assert signal["kind"] == "UNDER_CHALLENGED"
    due = today + timedelta(days=3)
    action = await succeed(
        gql,
        ADD_ACTION,
        p.steward,
        "ActionItemSuccess",
        meetingId=p.meeting["id"],
        ownerId=p.person.id,
        text="Send the draft",
        dueOn=due.isoformat(),
    )

    # Nothing is late yet: only the confidence drop and the signal.
    view = await opened(gql, p.steward, p.meeting["id"])
    assert [kind for kind, _ in points(view)] == ["CONFIDENCE_DROP", "MISMATCH_SIGNAL"]

    advance(clock, timedelta(days=11), org)
    expected = [
        ("CONFIDENCE_DROP", "Confidence in “Pair on the release” dropped from high to low."),
        ("GOAL_PAST_TARGET", f"“Write the handbook” was due on {target} and is still active."),
        ("MISMATCH_SIGNAL", f"Hiring: {signal['explanation']}"),
        ("ACTION_ITEM_OVERDUE", f"“Send the draft” was due on {due} and is still open."),
        (
            "RELATIONSHIP_REVIEW_DUE",
            f"This stewardship was due for review on {review_on}: "
            "is it still right for both of you?",
        ),
    ]
    for viewer in (p.steward, p.person):
        view = await opened(gql, viewer, p.meeting["id"])
        assert points(view) == expected
        links = [
            {k: (v["id"] if v else None) for k, v in s.items() if k not in ("kind", "reason")}
            for s in view["suggestedTalkingPoints"]
        ]
        none = {"goal": None, "agreement": None, "actionItem": None, "relationship": None}
        assert links == [
            {**none, "goal": wobbly["id"]},
            {**none, "goal": late["id"]},
            {**none, "agreement": agreement["id"]},
            {**none, "actionItem": action["item"]["id"]},
            {**none, "relationship": p.relationship_id},
        ]


async def test_talking_points_come_only_from_what_the_viewer_may_see_and_what_is_new(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    p = await pair(gql, org, clock)
    today = clock.now().date()
    private_title = secret("Private late goal")
    private = await created(
        gql, p.person, private_title, targetDate=(today + timedelta(days=1)).isoformat()
    )
    on_time = await created(
        gql, p.person, "On time", targetDate=(today + timedelta(days=60)).isoformat()
    )
    await shared(gql, p.person, on_time["id"], STEWARD)
    await checked_in(gql, p.person, on_time["id"], 10, "HIGH")
    step(clock, org)
    await checked_in(gql, p.person, on_time["id"], 20, "LOW")
    done_action = await succeed(
        gql,
        ADD_ACTION,
        p.person,
        "ActionItemSuccess",
        meetingId=p.meeting["id"],
        ownerId=p.person.id,
        text="Done in time",
        dueOn=(today + timedelta(days=1)).isoformat(),
    )
    await succeed(
        gql, SET_ACTION_DONE, p.person, "ActionItemSuccess", itemId=done_action["item"]["id"]
    )

    # The drop was there to talk about at the last meeting: not suggested again.
    _, upcoming = await held(gql, clock, p.steward, p.meeting["id"], org)
    advance(clock, timedelta(days=2), org)
    text, view = await raw_prep(gql, p.steward, upcoming["id"])
    assert points(view) == []
    assert private_title not in text
    # Pia is reminded of her own private goal; the steward is not.
    view = await opened(gql, p.person, upcoming["id"])
    assert [(k, r.startswith(f"“{private_title}”")) for k, r in points(view)] == [
        ("GOAL_PAST_TARGET", True)
    ]
    assert view["suggestedTalkingPoints"][0]["goal"] == {"id": private["id"]}

    # A new drop since is suggested; a rise is not.
    await checked_in(gql, p.person, on_time["id"], 30, "MEDIUM")
    view = await opened(gql, p.steward, upcoming["id"])
    assert points(view) == []
    step(clock, org)
    await checked_in(gql, p.person, on_time["id"], 35, "LOW")
    view = await opened(gql, p.steward, upcoming["id"])
    assert points(view) == [
        ("CONFIDENCE_DROP", "Confidence in “On time” dropped from medium to low.")
    ]


# == statement count ================================================================


def actor(member: Member) -> Actor:
    return Actor(person_id=member.person.id, organization_id=member.person.organization_id)


@dataclass(frozen=True)
class Size:
    goals: int
    check_ins: int
    feedback: int
    agreements: int
    agenda: int
    action_items: int
    requests: int


SMALL = Size(goals=2, check_ins=3, feedback=2, agreements=1, agenda=2, action_items=1, requests=1)
REALISTIC = Size(
    goals=30, check_ins=200, feedback=60, agreements=10, agenda=40, action_items=20, requests=5
)
CONFIDENCES = [Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW]


async def seeded_prep(
    gql: GraphQL, services: Services, clock: FakeClock, org: Org, size: Size
) -> tuple[Member, Member, str]:
    """A steward and a person with a held 1-on-1 and, since then, `size` of
    everything the prep shows (all of it shared with the steward). Seeded
    through the domain services for speed: (steward, person, next meeting)."""
    steward = await org.add_member("Sam Steward")
    person = await org.add_member("Pia Person")
    givers = [await org.add_member(f"Giver {n}") for n in range(3)]
    relationship = await established(gql, steward, person)
    relationship_id = uuid_of(relationship["id"])
    _, first = await start_series(gql, clock, steward, relationship["id"])
    _, upcoming = await held(gql, clock, steward, first["id"], org)
    first_id, upcoming_id = uuid_of(first["id"]), uuid_of(upcoming["id"])
    now = clock.now()
    today = now.date()

    async with services.uow_factory(org.id) as uow:
        goal_ids: list[UUID] = []
        for n in range(size.goals):
            goal = await goal_service.create(
                uow,
                actor(person),
                title=f"Goal {n}",
                stage=AutonomyStage.FIXED_GOALS,
                target_date=today - timedelta(days=1) if n % 5 == 0 else None,
                activate=True,
                now=now,
            )
            await goal_service.share(
                uow, actor(person), goal.id, audience=Audience.STEWARD, now=now
            )
            goal_ids.append(goal.id)
        for n in range(size.check_ins):
            await goal_service.check_in(
                uow,
                actor(person),
                goal_ids[n % size.goals],
                progress=n % 101,
                confidence=CONFIDENCES[n % 3],
                note=f"Check-in {n}",
                now=now + timedelta(seconds=n),
            )
        await uow.commit()

    async with services.uow_factory(org.id) as uow:
        for n in range(size.feedback):
            item = await item_service.give(
                uow,
                actor(givers[n % len(givers)]),
                subject_id=person.person.id,
                text=f"Feedback {n}",
                now=now + timedelta(seconds=n),
            )
            await item_service.share(
                uow,
                actor(person),
                FeedbackRef(item_id=item.id),
                audience=ShareAudience.STEWARD,
                now=now,
            )
        await uow.commit()

    for n in range(size.requests):
        async with services.uow_factory(org.id) as uow:
            asked_for = await feedback_service.request_feedback(
                uow,
                actor(person),
                topic=f"Request {n}",
                anonymity=Anonymity.NAMED,
                due_at=now + timedelta(days=7),
                questions=[
                    QuestionSpec(QuestionKind.TEXT, "What went well?"),
                    QuestionSpec(
                        QuestionKind.SCALE, "How clear?", low_label="No", high_label="Yes"
                    ),
                ],
                invitee_ids=[g.person.id for g in givers[:2]],
                now=now,
            )
            await uow.commit()
        for invitation in asked_for.invitations:
            giver = next(g for g in givers if g.person.id == invitation.invitee_id)
            async with services.uow_factory(org.id) as uow:
                await feedback_service.answer(
                    uow,
                    actor(giver),
                    invitation.id,
                    answers=[
                        AnswerInput(asked_for.questions[0].id, None, f"Answer {n}"),
                        AnswerInput(asked_for.questions[1].id, 4, ""),
                    ],
                    submit=True,
                    now=now,
                )
                await uow.commit()
        async with services.uow_factory(org.id) as uow:
            await feedback_service.close(uow, actor(person), asked_for.request.id, now=now)
            await item_service.share(
                uow,
                actor(person),
                FeedbackRef(request_id=asked_for.request.id),
                audience=ShareAudience.STEWARD,
                now=now,
            )
            await uow.commit()

    async with services.uow_factory(org.id) as uow:
        agreements: list[AutonomyAgreement] = []
        for n in range(size.agreements):
            agreement = await agreement_service.propose(
                uow,
                actor(steward),
                relationship_id=relationship_id,
                context=f"Context {n}",
                stage=AutonomyStage.TASKS,
                now=now,
            )
            await agreement_service.confirm_stage(
                uow, actor(person), agreement.id, stage=AutonomyStage.TASKS, now=now
            )
            await agreement_service.assess(
                uow, actor(person), agreement.id, follower_view=AutonomyStage.FIXED_GOALS, now=now
            )
            agreements.append(agreement)
        for n in range(size.agenda):
            await one_on_one_service.add_agenda_item(
                uow,
                actor(steward if n % 2 else person),
                upcoming_id,
                text=f"Topic {n}",
                # Goals other than the ones the talking points name (goal 0 first):
                # a link to the same goal would be read from the loader's cache.
                goal_id=goal_ids[(n + 1) % size.goals] if n % 3 == 0 else None,
                now=now,
            )
        for n in range(size.action_items):
            await one_on_one_service.add_action_item(
                uow,
                actor(steward),
                first_id if n % 2 == 0 else upcoming_id,
                owner_id=(steward if n % 2 else person).person.id,
                text=f"Action {n}",
                due_on=today - timedelta(days=1) if n % 4 == 0 else today + timedelta(days=n),
                now=now,
            )
        await uow.commit()
    advance(clock, timedelta(minutes=1), org)
    return steward, person, upcoming["id"]


async def test_a_realistic_prep_runs_as_many_statements_as_a_small_one(
    app: FastAPI,
    gql: GraphQL,
    services: Services,
    clock: FakeClock,
    make_org: OrgFactory,
) -> None:
    counts: dict[Size, int] = {}
    for size in (SMALL, REALISTIC):
        org = await make_org(f"Prep {size.goals}")
        steward, _, meeting_id = await seeded_prep(gql, services, clock, org, size)
        with count_statements(app.state.engine) as counter:
            view = await opened(gql, steward, meeting_id)
        counts[size] = counter.count
        print(f"prep of {size}: {counter.count} statements")

        assert len(view["goals"]) == size.goals
        assert sum(len(g["checkInsSince"]) for g in view["goals"]) == size.check_ins
        assert len(view["feedback"]) == min(size.feedback, 50)
        assert len(view["feedbackRequests"]) == size.requests
        assert all(r["results"]["released"] for r in view["feedbackRequests"])
        assert len(view["agreements"]) == size.agreements
        assert len(view["mismatchSignals"]) == size.agreements
        assert len(view["agenda"]) == size.agenda
        assert len(view["openActionItems"]) == size.action_items
        kinds = {p["kind"] for p in view["suggestedTalkingPoints"]}
        assert {"GOAL_PAST_TARGET", "MISMATCH_SIGNAL", "ACTION_ITEM_OVERDUE"} <= kinds

    assert counts[SMALL] == counts[REALISTIC], counts
    assert counts[REALISTIC] <= PREP_STATEMENT_BOUND, counts
