"""Shares go to a person, not to a role (DESIGN.md section 3 and its
readings), tried through the public API.

Sharing a goal or feedback "with my steward" shares it with the person who
is steward at that moment, within that stewardship: when it ends (a
handover, an end, someone leaving) the share ends with it, and the next
steward sees nothing shared before their time on any path (node, nodes,
Person.goals, the 1-on-1 prep with its check-ins and suggestions,
readiness, giving feedback about the goal, putting it on an agenda). It
does not come back when the same person stewards again. A share with a
named colleague reaches that person whoever stewards whom, until they
leave. The owner sees, per share, whom it names and whom it reaches now;
nobody else does."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from api.context import Services
from domain.actors import Actor
from domain.autonomy import AutonomyStage
from domain.goals import Audience
from domain.services import goals as goal_service
from tests.api.feedback_helpers import asked
from tests.api.feedback_item_helpers import (
    GIVE_FEEDBACK,
    feedback_node,
    given,
    person_items,
    shared_feedback,
)
from tests.api.feedback_item_helpers import share_feedback as share_feedback_with
from tests.api.goal_helpers import (
    ACHIEVE_GOAL,
    assert_error,
    changed,
    checked_in,
    created,
    goal_node,
    goal_state,
    person_goals,
    reads,
    share,
    share_list,
    shared,
    unshare,
)
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.one_on_one_helpers import ADD_ITEM, prep, started
from tests.api.queries import MARK_PERSON_LEFT, gid, mutate
from tests.api.relationship_helpers import (
    ACCEPT,
    END,
    FOLLOWER,
    STEWARDSHIP,
    advance,
    established,
    proposed,
    succeeded,
)
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]


def at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class Story:
    """Ada's steward Olga, with their 1-on-1s; an active goal of Ada's past
    its target date whose confidence dropped, three goals achieved at one
    stage (readiness evidence), and a feedback item: all shared with "my
    steward" while that was Olga."""

    org: Org
    ada: Member
    olga: Member
    goal: dict[str, Any]
    evidence: list[str]
    item: dict[str, Any]
    stewardship: dict[str, Any]
    meeting: dict[str, Any]


@pytest.fixture
async def story(gql: GraphQL, org: Org, clock: FakeClock) -> Story:
    ada = await org.add_member("Ada Owner")
    olga = await org.add_member("Olga First Steward")
    bo = await org.add_member("Bo Giver")
    series, meeting = await started(gql, clock, olga, ada)
    advance(clock, timedelta(minutes=1), org)  # after the start: the prep counts it
    target = (clock.now() + timedelta(days=2)).date()
    goal = await created(gql, ada, "Lead the quarterly planning", targetDate=target.isoformat())
    await shared(gql, ada, goal["id"], "STEWARD")
    await checked_in(gql, ada, goal["id"], 30, "HIGH", "on track")
    advance(clock, timedelta(minutes=1), org)
    await checked_in(gql, ada, goal["id"], 40, "LOW", "stuck on the budget")
    evidence = []
    for n in range(3):
        done = await created(gql, ada, f"Evidence {n}", stage="FIXED_GOALS")
        await shared(gql, ada, done["id"], "STEWARD")
        await checked_in(gql, ada, done["id"], 100, "HIGH")
        await changed(gql, ACHIEVE_GOAL, ada, done["id"], note="done")
        evidence.append(done["id"])
    item = await given(gql, bo, ada, "Your planning notes are a model.")
    await shared_feedback(gql, ada, item["id"])
    advance(clock, timedelta(days=5), org)  # the goal is past its target now
    stewardship = series["relationship"]
    return Story(org, ada, olga, goal, evidence, item, stewardship, meeting)


async def _sees(gql: GraphQL, viewer: Member, story: Story, meeting: dict[str, Any]) -> bool:
    """Whether `viewer` sees anything of what Ada shared with her steward,
    along every path; the paths must agree."""
    goal_id = story.goal["id"]
    by_reads = await reads(gql, viewer, story.ada, goal_id)
    person = await person_goals(gql, viewer, story.ada)
    readiness = person["readinessSuggestions"] or []
    seen = await prep(gql, viewer, meeting["id"])
    assert seen is not None
    prep_goals = [g["goal"]["id"] for g in seen["goals"]]
    check_ins = [
        c["note"] for g in seen["goals"] if g["goal"]["id"] == goal_id for c in g["checkInsSince"]
    ]
    points = [p["kind"] for p in seen["suggestedTalkingPoints"] if p["goal"]]
    feedback = [i["id"] for i in seen["feedback"]]
    paths = {
        "node, nodes, Person.goals": by_reads,
        "readiness": bool(readiness) and readiness[0]["evidenceCount"] == 3,
        # The open goal, and the evidence achieved since the stewardship began.
        "prep goals": sorted(prep_goals) == sorted([goal_id, *story.evidence]),
        "prep check-ins": check_ins == ["stuck on the budget", "on track"],
        "prep talking points": sorted(points) == ["CONFIDENCE_DROP", "GOAL_PAST_TARGET"],
        "prep feedback": feedback == [story.item["id"]],
        "feedback node": await feedback_node(gql, viewer, story.item["id"]) is not None,
    }
    if by_reads:
        assert all(paths.values()), paths
    else:
        assert not any(paths.values()), paths
        assert (prep_goals, check_ins, points, feedback, readiness) == ([], [], [], [], [])
    return by_reads


async def _refers_to_the_goal(
    gql: GraphQL, viewer: Member, story: Story, meeting: dict[str, Any]
) -> list[str]:
    """What `viewer` gets trying to give feedback about the goal and to put
    it on the agenda of their meeting with Ada: a typename each."""
    feedback = await mutate(
        gql,
        GIVE_FEEDBACK,
        {"subjectId": story.ada.id, "text": "About that goal", "goalId": story.goal["id"]},
        token=viewer.token,
    )
    agenda = await mutate(
        gql,
        ADD_ITEM,
        {"meetingId": meeting["id"], "text": "That goal", "goalId": story.goal["id"]},
        token=viewer.token,
    )
    return [feedback["__typename"], agenda["__typename"]]


async def test_the_steward_of_the_time_sees_everything_shared_with_them(
    gql: GraphQL, story: Story
) -> None:
    """The control for the tests below: every path does reach it."""
    assert await _sees(gql, story.olga, story, story.meeting)
    assert await _refers_to_the_goal(gql, story.olga, story, story.meeting) == [
        "GiveFeedbackSuccess",
        "AgendaItemSuccess",
    ]
    mine = await goal_node(gql, story.ada, story.goal["id"])
    assert mine is not None
    assert share_list(mine) == [("STEWARD", story.olga.id, story.olga.id)]


async def test_after_a_handover_the_new_steward_sees_nothing_shared_before_their_time(
    gql: GraphQL, story: Story, clock: FakeClock
) -> None:
    nina = await story.org.add_member("Nina Next Steward")
    _, meeting = await started(gql, clock, nina, story.ada)  # a handover

    assert not await _sees(gql, nina, story, meeting)
    assert await _refers_to_the_goal(gql, nina, story, meeting) == [
        "NotFoundError",
        "NotFoundError",
    ]
    # Nor does Olga any more.
    assert not await reads(gql, story.olga, story.ada, story.goal["id"])
    assert await feedback_node(gql, story.olga, story.item["id"]) is None
    # New check-ins do not reach Nina either.
    await checked_in(gql, story.ada, story.goal["id"], 50, "LOW", "after the handover")
    assert not await reads(gql, nina, story.ada, story.goal["id"])
    # Ada sees that her share named Olga and reaches nobody since the handover.
    mine = await goal_node(gql, story.ada, story.goal["id"])
    assert mine is not None
    [entry] = mine["sharedWith"]
    assert (entry["person"]["id"], entry["reaches"], entry["endedBecause"]) == (
        story.olga.id,
        None,
        "HANDED_OVER",
    )
    assert at(entry["endedAt"]) == clock.now()


async def test_after_an_end_and_a_new_start_the_new_steward_sees_nothing(
    gql: GraphQL, story: Story, clock: FakeClock
) -> None:
    await succeeded(gql, END, story.olga, story.stewardship["id"], reason="Too many stewardees")
    ended_at = clock.now()
    assert not await reads(gql, story.olga, story.ada, story.goal["id"])
    advance(clock, timedelta(days=3), story.org)
    nina = await story.org.add_member("Nina Next Steward")
    _, meeting = await started(gql, clock, nina, story.ada)

    assert not await _sees(gql, nina, story, meeting)
    assert await _refers_to_the_goal(gql, nina, story, meeting) == [
        "NotFoundError",
        "NotFoundError",
    ]
    mine = await goal_node(gql, story.ada, story.goal["id"])
    assert mine is not None
    [entry] = mine["sharedWith"]
    assert (entry["reaches"], entry["endedBecause"]) == (None, "RELATIONSHIP_ENDED")
    assert at(entry["endedAt"]) == ended_at


async def test_a_steward_who_comes_back_does_not_get_it_back(
    gql: GraphQL, story: Story, clock: FakeClock
) -> None:
    nina = await story.org.add_member("Nina Next Steward")
    await established(gql, nina, story.ada)
    advance(clock, timedelta(days=30), story.org)
    _, meeting = await started(gql, clock, story.olga, story.ada)  # Olga again

    assert not await _sees(gql, story.olga, story, meeting)
    assert await _refers_to_the_goal(gql, story.olga, story, meeting) == [
        "NotFoundError",
        "NotFoundError",
    ]
    # Ada decides again: a new share, in Olga's new stewardship.
    again = await shared(gql, story.ada, story.goal["id"], "STEWARD")
    assert share_list(again) == [
        ("STEWARD", story.olga.id, None),
        ("STEWARD", story.olga.id, story.olga.id),
    ]
    assert await reads(gql, story.olga, story.ada, story.goal["id"])
    assert not await reads(gql, nina, story.ada, story.goal["id"])


async def test_when_the_owner_leaves_the_share_with_the_steward_ends(
    gql: GraphQL, story: Story, clock: FakeClock
) -> None:
    result = await mutate(
        gql, MARK_PERSON_LEFT, {"personId": story.ada.id}, token=story.org.faculty.token
    )
    assert result["__typename"] == "MarkPersonLeftSuccess", result

    assert not await reads(gql, story.olga, story.ada, story.goal["id"])
    assert await feedback_node(gql, story.olga, story.item["id"]) is None
    assert (await person_goals(gql, story.olga, story.ada))["readinessSuggestions"] is None


async def test_a_share_by_name_survives_a_handover_and_ends_when_they_leave(
    gql: GraphQL, story: Story, clock: FakeClock
) -> None:
    """Ada shares the goal and the item with Olga by name too: that share is
    with Olga whoever stewards Ada; it ends when Olga leaves."""
    await shared(gql, story.ada, story.goal["id"], "PERSON", story.olga)
    await shared_feedback(gql, story.ada, story.item["id"], "PERSON", story.olga)
    nina = await story.org.add_member("Nina Next Steward")
    await established(gql, nina, story.ada)

    assert await reads(gql, story.olga, story.ada, story.goal["id"])
    assert await feedback_node(gql, story.olga, story.item["id"]) is not None
    assert not await reads(gql, nina, story.ada, story.goal["id"])
    assert await feedback_node(gql, nina, story.item["id"]) is None
    mine = await goal_node(gql, story.ada, story.goal["id"])
    assert mine is not None
    assert share_list(mine) == [
        ("STEWARD", story.olga.id, None),
        ("PERSON", story.olga.id, story.olga.id),
    ]

    advance(clock, timedelta(days=1), story.org)
    left = await mutate(
        gql, MARK_PERSON_LEFT, {"personId": story.olga.id}, token=story.org.faculty.token
    )
    assert left["__typename"] == "MarkPersonLeftSuccess", left
    mine = await goal_node(gql, story.ada, story.goal["id"])
    assert mine is not None
    assert share_list(mine) == [
        ("STEWARD", story.olga.id, None),
        ("PERSON", story.olga.id, None),
    ]
    named = mine["sharedWith"][1]
    assert (named["endedBecause"], at(named["endedAt"])) == ("PERSON_LEFT", clock.now())
    item = await feedback_node(gql, story.ada, story.item["id"])
    assert item is not None
    assert [(s["audience"], s["reaches"]) for s in item["sharedWith"]] == [
        ("STEWARD", None),
        ("PERSON", None),
    ]


# == named colleagues ===============================================================


@dataclass
class Colleagues:
    ada: Member
    cole: Member
    """The colleague Ada shares with by name."""
    others: dict[str, Member]
    """Everyone else: another colleague, Ada's steward, org faculty, and a
    member of another organization."""
    goal: dict[str, Any]
    item: dict[str, Any]


@pytest.fixture
async def colleagues(gql: GraphQL, org: Org, make_org: OrgFactory) -> Colleagues:
    ada = await org.add_member("Ada Owner")
    cole = await org.add_member("Cole Colleague")
    steward = await org.add_member("Sam Steward")
    await established(gql, steward, ada)
    others = {
        "another colleague": await org.add_member("Ann Another"),
        "steward": steward,
        "org faculty": org.faculty,
        "another organization": await (await make_org("Globex")).add_member("Olaf Outsider"),
    }
    goal = await created(gql, ada, "Write the onboarding guide")
    await checked_in(gql, ada, goal["id"], 20, "MEDIUM", "first chapter")
    item = await given(gql, others["another colleague"], ada, "Your guide drafts are clear.")
    return Colleagues(ada, cole, others, goal, item)


async def test_a_goal_and_feedback_shared_with_a_named_colleague_reach_them_only(
    gql: GraphQL, colleagues: Colleagues, clock: FakeClock
) -> None:
    ada, cole = colleagues.ada, colleagues.cole
    goal_id, item_id = colleagues.goal["id"], colleagues.item["id"]
    assert not await reads(gql, cole, ada, goal_id)

    result = await shared(gql, ada, goal_id, "PERSON", cole)
    feedback = await shared_feedback(gql, ada, item_id, "PERSON", cole)

    assert share_list(result) == [("PERSON", cole.id, cole.id)]
    assert at(result["sharedWith"][0]["sharedAt"]) == clock.now()
    assert [
        (s["audience"], s["person"]["id"], s["reaches"]["id"]) for s in feedback["sharedWith"]
    ] == [("PERSON", cole.id, cole.id)]
    assert await reads(gql, cole, ada, goal_id)
    seen = await goal_node(gql, cole, goal_id)
    assert seen is not None
    assert [c["note"] for c in seen["checkIns"]] == ["first chapter"]
    assert (seen["sharedWith"], seen["sharedWithOrganization"]) == (None, None)
    received = await person_items(gql, cole, ada)
    assert received is not None
    assert [i["id"] for i in received["feedbackReceived"]] == [item_id]
    assert received["feedbackReceived"][0]["sharedWith"] is None
    for role, viewer in colleagues.others.items():
        assert await goal_node(gql, viewer, goal_id) is None, role
        if role != "another organization":
            assert not await reads(gql, viewer, ada, goal_id), role
        if role != "another colleague":  # who gave the item, and reads it as its giver
            assert await feedback_node(gql, viewer, item_id) is None, role
    # An anonymous caller reads nothing.
    anonymous = await gql.raw(
        "query N($id: ID!) { node(id: $id) { id ... on Goal { title } } }", {"id": goal_id}
    )
    assert "Write the onboarding guide" not in anonymous.text
    assert anonymous.json()["data"] is None or anonymous.json()["data"]["node"] is None


async def test_a_requests_results_shared_with_a_named_colleague_reach_them_only(
    gql: GraphQL, colleagues: Colleagues, clock: FakeClock
) -> None:
    asked_one = colleagues.others["another colleague"]
    request = await asked(gql, clock, colleagues.ada, [asked_one])
    for viewer in (colleagues.cole, asked_one):
        found = await feedback_node(gql, viewer, request["id"])
        assert found is None or found["results"] is None

    shared_request = await shared_feedback(
        gql, colleagues.ada, request["id"], "PERSON", colleagues.cole
    )

    assert [(s["audience"], s["reaches"]["id"]) for s in shared_request["sharedWith"]] == [
        ("PERSON", colleagues.cole.id)
    ]
    seen = await feedback_node(gql, colleagues.cole, request["id"])
    assert seen is not None
    assert seen["results"] is not None
    assert (seen["sharedWith"], seen["invitees"]) == (None, None)
    for role, viewer in colleagues.others.items():
        found = await feedback_node(gql, viewer, request["id"])
        assert found is None or found["results"] is None, role


async def test_sharing_with_oneself_someone_who_left_or_an_outsider_is_refused(
    gql: GraphQL, colleagues: Colleagues, org: Org, services: Services
) -> None:
    ada = colleagues.ada
    goal_id, item_id = colleagues.goal["id"], colleagues.item["id"]
    leaver = await org.add_member("Lea Leaver")
    left = await mutate(gql, MARK_PERSON_LEFT, {"personId": leaver.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left
    before = await goal_state(services)

    for attempt in (
        lambda who: share(gql, ada, goal_id, "PERSON", who),
        lambda who: share_feedback_with(gql, ada, item_id, "PERSON", who),
    ):
        assert_error(await attempt(ada), "ValidationError", "SELF_SHARE", "personId")
        assert_error(await attempt(leaver), "ConflictError", "PERSON_LEFT", "personId")
        outsider = colleagues.others["another organization"]
        assert_error(await attempt(outsider), "NotFoundError", "NOT_FOUND")
        assert_error(await attempt(None), "ValidationError", "REQUIRED", "personId")

    assert await goal_state(services) == before
    mine = await goal_node(gql, ada, goal_id)
    assert mine is not None
    assert mine["sharedWith"] == []
    item = await feedback_node(gql, ada, item_id)
    assert item is not None
    assert item["sharedWith"] == []


async def test_only_the_owner_shares_with_a_colleague_or_sees_whom_it_reaches(
    gql: GraphQL, colleagues: Colleagues, services: Services
) -> None:
    ada, cole = colleagues.ada, colleagues.cole
    goal_id = colleagues.goal["id"]
    await shared(gql, ada, goal_id, "PERSON", cole)
    before = await goal_state(services)

    for viewer in (cole, *colleagues.others.values()):
        # Sharing someone else's goal with oneself: it is not found.
        for document in (share, unshare):
            assert_error(
                await document(gql, viewer, goal_id, "PERSON", viewer), "NotFoundError", "NOT_FOUND"
            )
    assert await goal_state(services) == before
    seen = await goal_node(gql, cole, goal_id)
    assert seen is not None
    assert seen["sharedWith"] is None


async def test_shared_with_always_names_the_person(
    gql: GraphQL, colleagues: Colleagues, org: Org
) -> None:
    """`person` is never null, whatever the audience: the organization-wide
    share is listed apart (sharedWithOrganization)."""
    ada, cole = colleagues.ada, colleagues.cole
    goal_id = colleagues.goal["id"]
    for audience, person in (("STEWARD", None), ("PERSON", cole), ("ORGANIZATION", None)):
        await shared(gql, ada, goal_id, audience, person)

    mine = await goal_node(gql, ada, goal_id)
    assert mine is not None
    assert all(s["person"] is not None for s in mine["sharedWith"])
    assert sorted(s["audience"] for s in mine["sharedWith"]) == ["PERSON", "STEWARD"]
    assert mine["sharedWithOrganization"]["sharedAt"]
    body = await gql(
        '{ __type(name: "Share") { fields { name type { kind name ofType { name } } } } }',
        token=ada.token,
    )
    person_field = next(f for f in body["data"]["__type"]["fields"] if f["name"] == "person")
    assert (person_field["type"]["kind"], person_field["type"]["ofType"]["name"]) == (
        "NON_NULL",
        "Person",
    )


# == the race with a handover ===========================================================


def _actor(member: Member) -> Actor:
    return Actor(person_id=member.person.id, organization_id=member.person.organization_id)


SHARE_GOAL = """
mutation ShareGoal($input: ShareGoalInput!) {
  shareGoal(input: $input) {
    __typename
    ... on Error { code }
    ... on GoalSuccess { goal { sharedWith { person { id } reaches { id } } } }
  }
}
"""


async def _rows(services: Services, query: str, **params: Any) -> list[Any]:
    async with services.session_factory() as session:
        return list((await session.execute(sa.text(query), params)).all())


@pytest.mark.parametrize("goals", [2, 20])
async def test_sharing_with_the_steward_while_a_handover_is_accepted_never_reaches_the_new_one(
    app: FastAPI, gql: GraphQL, org: Org, services: Services, goals: int
) -> None:
    """`goals` shares with the steward sent at the same moment as the new
    steward's acceptance. Each ends up bound to one stewardship: Olga's
    (and ended with it) or, if it came after the handover, Nina's. Nina
    reads exactly the goals whose share was made in her stewardship."""
    ada = await org.add_member("Ada")
    olga, nina = await org.add_member("Olga"), await org.add_member("Nina")
    await established(gql, olga, ada)
    ask = await proposed(gql, ada, nina, kind=STEWARDSHIP, side=FOLLOWER)
    now = services.clock.now()
    async with services.uow_factory(org.id) as uow:
        made = [
            await goal_service.create(
                uow, _actor(ada), title=f"Goal {n}", stage=AutonomyStage.TASKS, now=now
            )
            for n in range(goals)
        ]
        await uow.commit()
    goal_ids = [gid("Goal", g.id) for g in made]

    responses = await asyncio.gather(
        gql.raw(ACCEPT, {"input": {"relationshipId": ask["id"]}}, token=nina.token),
        *(
            gql.raw(SHARE_GOAL, {"input": {"goalId": g, "audience": "STEWARD"}}, token=ada.token)
            for g in goal_ids
        ),
    )

    for response in responses:
        assert response.status_code == 200, response.text
        assert "errors" not in response.json(), response.text
    accepted, *shares = [next(iter(r.json()["data"].values())) for r in responses]
    assert accepted["__typename"] == "RelationshipSuccess", accepted
    assert Counter(s["__typename"] for s in shares) == {"GoalSuccess": goals}
    bound = await _rows(
        services,
        "SELECT s.goal_id, s.person_id, r.leader_id, r.status FROM goal_shares s"
        " JOIN relationships r ON r.id = s.relationship_id WHERE s.owner_id = :ada",
        ada=ada.person.id,
    )
    assert len(bound) == goals
    # Each is the steward of its stewardship: Olga's ended one, or Nina's.
    assert all(row.person_id == row.leader_id for row in bound)
    assert {row.person_id for row in bound} <= {olga.person.id, nina.person.id}
    for row in bound:
        goal_id = gid("Goal", row.goal_id)
        assert await reads(gql, nina, ada, goal_id) == (row.person_id == nina.person.id)
        assert not await reads(gql, olga, ada, goal_id)


@pytest.mark.parametrize("requests", [2, 20])
async def test_sharing_one_goal_with_the_steward_many_times_at_once_makes_one_share(
    gql: GraphQL, org: Org, services: Services, requests: int
) -> None:
    ada, olga = await org.add_member("Ada"), await org.add_member("Olga")
    await established(gql, olga, ada)
    goal = await created(gql, ada, "Only once")

    responses = await asyncio.gather(
        *(
            gql.raw(
                SHARE_GOAL,
                {"input": {"goalId": goal["id"], "audience": "STEWARD"}},
                token=ada.token,
            )
            for _ in range(requests)
        )
    )

    results = [r.json()["data"]["shareGoal"] for r in responses]
    assert Counter(r["__typename"] for r in results) == {"GoalSuccess": requests}
    assert all(
        r["goal"]["sharedWith"] == [{"person": {"id": olga.id}, "reaches": {"id": olga.id}}]
        for r in results
    )
    assert len(await _rows(services, "SELECT id FROM goal_shares")) == 1


SHARE_FEEDBACK = """
mutation ShareFeedback($input: ShareFeedbackInput!) {
  shareFeedback(input: $input) { __typename ... on Error { code } }
}
"""


@pytest.mark.parametrize("requests", [2, 20])
async def test_sharing_feedback_with_a_colleague_many_times_at_once_makes_one_share(
    gql: GraphQL, org: Org, services: Services, requests: int
) -> None:
    ada, bo, cole = [await org.add_member(n) for n in ("Ada", "Bo", "Cole")]
    item = await given(gql, bo, ada)

    responses = await asyncio.gather(
        *(
            gql.raw(
                SHARE_FEEDBACK,
                {"input": {"feedbackId": item["id"], "audience": "PERSON", "personId": cole.id}},
                token=ada.token,
            )
            for _ in range(requests)
        )
    )

    results = [r.json()["data"]["shareFeedback"] for r in responses]
    assert Counter(r["__typename"] for r in results) == {"FeedbackSharingSuccess": requests}
    assert len(await _rows(services, "SELECT id FROM feedback_shares")) == 1
    assert await feedback_node(gql, cole, item["id"]) is not None


# == statement counts ===================================================================

SHARED_WITH = """
{
  viewer {
    goals {
      sharedWith { audience person { name } reaches { name } endedAt endedBecause }
      sharedWithOrganization { sharedAt }
    }
  }
}
"""

# viewer, goals of the person, shares of the goals, people (share persons and
# whom they reach), relationships the shares were made in
SHARED_WITH_STATEMENTS = 5


@pytest.mark.parametrize("goals", [3, 30])
async def test_whom_shares_reach_takes_a_constant_number_of_statements(
    gql: GraphQL, org: Org, services: Services, app: FastAPI, clock: FakeClock, goals: int
) -> None:
    ada, olga, nina, cole = [await org.add_member(n) for n in ("Ada", "Olga", "Nina", "Cole")]
    await established(gql, olga, ada)
    now = services.clock.now()
    async with services.uow_factory(org.id) as uow:
        for n in range(goals):
            goal = await goal_service.create(
                uow, _actor(ada), title=f"Goal {n}", stage=AutonomyStage.TASKS, now=now
            )
            for audience, person in (
                (Audience.STEWARD, None),
                (Audience.PERSON, cole.person.id),
                (Audience.ORGANIZATION, None),
            ):
                await goal_service.share(
                    uow, _actor(ada), goal.id, audience=audience, person_id=person, now=now
                )
        await uow.commit()
    await established(gql, nina, ada)  # every steward share now reaches nobody

    with count_statements(app.state.engine) as counter:
        data = await gql.data(SHARED_WITH, token=ada.token)

    found = data["viewer"]["goals"]
    assert len(found) == goals
    for goal in found:
        assert sorted(
            (s["audience"], s["person"]["name"], s["reaches"], s["endedBecause"])
            for s in goal["sharedWith"]
        ) == [
            ("PERSON", "Cole", {"name": "Cole"}, None),
            ("STEWARD", "Olga", None, "HANDED_OVER"),
        ]
        assert goal["sharedWithOrganization"] is not None
    assert counter.count == SHARED_WITH_STATEMENTS, counter.statements
