"""Growth goals through the public GraphQL API (DESIGN.md section 2, "Growth
goal"): the lifecycle (draft, active, achieved, abandoned), check-ins,
overdue goals, sharing and taking shares back, bad input, readiness
evidence, and the statement count of the goal reads. Every refused request
is shown to return its typed error and to change nothing. The dedicated
privacy suite is test_goal_privacy.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from api.context import Services
from domain.actors import Actor
from domain.autonomy import AutonomyStage
from domain.goals import Confidence
from domain.knowledge_areas import KnowledgeArea
from domain.services import goals as goal_service
from tests.api.goal_helpers import (
    ABANDON_GOAL,
    ACHIEVE_GOAL,
    ACTIVATE_GOAL,
    CREATE_GOAL,
    EDIT_GOAL,
    VIEWER_GOALS,
    assert_error,
    change,
    changed,
    check_in,
    checked_in,
    create,
    created,
    goal_node,
    goal_nodes,
    goal_state,
    my_goals,
    person_goals,
    reads,
    share,
    share_list,
    shared,
    unshare,
)
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.queries import add_team_member, create_area, create_team, gid, missing_id
from tests.api.relationship_helpers import (
    END,
    MENTORSHIP,
    advance,
    established,
    succeeded,
)
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]


def today(clock: FakeClock) -> date:
    return clock.now().date()


def at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def counts(found: dict[str, Any]) -> dict[str, int]:
    return found["goalCounts"]


# == lifecycle ====================================================================


async def test_a_goal_starts_as_a_private_draft_and_is_activated(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member("Ada")
    area = await create_area(gql, org.faculty.token, "Public speaking")
    target = today(clock) + timedelta(days=60)

    result = await create(
        gql,
        ada,
        title="  Give a   talk at the meetup ",
        description="  Ten minutes, with slides.\nThen questions.  ",
        stage="FIXED_GOALS",
        knowledgeAreaId=area["id"],
        targetDate=target.isoformat(),
    )

    assert result["__typename"] == "GoalSuccess", result
    goal = result["goal"]
    assert goal["__typename"] == "Goal"
    assert goal["title"] == "Give a talk at the meetup"
    assert goal["description"] == "Ten minutes, with slides.\nThen questions."
    assert goal["stage"] == "FIXED_GOALS"
    assert goal["status"] == "DRAFT"
    assert goal["statusNote"] == ""
    assert goal["targetDate"] == target.isoformat()
    assert goal["overdue"] is False
    assert at(goal["createdAt"]) == clock.now()
    assert goal["achievedAt"] is None
    assert goal["owner"] == {"id": ada.id}
    assert goal["knowledgeArea"] == {"id": area["id"], "name": "Public speaking"}
    assert goal["checkIns"] == []
    assert goal["sharedWith"] == []  # private by default
    mine = await my_goals(gql, ada)
    assert [g["id"] for g in mine["goals"]] == [goal["id"]]
    assert mine["goals"][0] == goal
    assert counts(mine) == {"draft": 1, "active": 0, "achieved": 0, "abandoned": 0}
    assert await goal_node(gql, ada, goal["id"]) == goal

    advance(clock, timedelta(hours=3), org)
    activated = await changed(gql, ACTIVATE_GOAL, ada, goal["id"])

    assert activated["status"] == "ACTIVE"
    assert activated["id"] == goal["id"]
    assert activated["title"] == goal["title"]
    assert counts(await my_goals(gql, ada)) == {
        "draft": 0,
        "active": 1,
        "achieved": 0,
        "abandoned": 0,
    }
    # Activating twice is refused and changes nothing.
    before = await goal_state(services)
    again = await change(gql, ACTIVATE_GOAL, ada, goal["id"])
    assert_error(again, "ConflictError", "NOT_DRAFT", None)
    assert await goal_state(services) == before


async def test_a_goal_can_start_active_at_once(gql: GraphQL, org: Org) -> None:
    ada = await org.add_member()

    goal = await created(gql, ada, "Run the retro", activate=True, stage="TASKS")

    assert goal["status"] == "ACTIVE"
    assert goal["stage"] == "TASKS"
    assert goal["knowledgeArea"] is None
    assert goal["targetDate"] is None
    assert goal["description"] == ""
    assert counts(await my_goals(gql, ada))["active"] == 1


async def test_the_owner_edits_an_open_goal(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member()
    first_area = await create_area(gql, org.faculty.token, "Design")
    second_area = await create_area(gql, org.faculty.token, "Research")
    target = today(clock) + timedelta(days=30)
    goal = await created(
        gql,
        ada,
        "Draft title",
        activate=False,
        knowledgeAreaId=first_area["id"],
        targetDate=target.isoformat(),
    )

    edited = await changed(
        gql,
        EDIT_GOAL,
        ada,
        goal["id"],
        title="Better title",
        description="Now with a description",
        stage="FLEXIBLE_GOALS",
        knowledgeAreaId=second_area["id"],
        targetDate=(target + timedelta(days=7)).isoformat(),
    )

    assert edited["title"] == "Better title"
    assert edited["description"] == "Now with a description"
    assert edited["stage"] == "FLEXIBLE_GOALS"
    assert edited["knowledgeArea"]["id"] == second_area["id"]
    assert edited["targetDate"] == (target + timedelta(days=7)).isoformat()
    assert edited["status"] == "DRAFT"
    assert await goal_node(gql, ada, goal["id"]) == edited

    # Fields left out stay as they are.
    only_title = await changed(gql, EDIT_GOAL, ada, goal["id"], title="Final title")
    assert only_title["description"] == "Now with a description"
    assert only_title["knowledgeArea"]["id"] == second_area["id"]
    assert only_title["targetDate"] == edited["targetDate"]

    # Clearing the area and the target date.
    await changed(gql, ACTIVATE_GOAL, ada, goal["id"])
    cleared = await changed(
        gql, EDIT_GOAL, ada, goal["id"], clearKnowledgeArea=True, clearTargetDate=True
    )
    assert cleared["knowledgeArea"] is None
    assert cleared["targetDate"] is None
    assert cleared["status"] == "ACTIVE"

    # A closed goal is no longer edited.
    await changed(gql, ACHIEVE_GOAL, ada, goal["id"], note="done")
    before = await goal_state(services)
    refused = await change(gql, EDIT_GOAL, ada, goal["id"], title="Rewritten history")
    assert_error(refused, "ConflictError", "GOAL_CLOSED", None)
    assert await goal_state(services) == before
    assert (await goal_node(gql, ada, goal["id"]))["title"] == "Final title"  # type: ignore[index]


async def test_check_ins_record_progress_and_confidence_newest_first(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Learn SQL window functions")
    moments = []
    entries = [(0, "LOW", "Just started"), (40, "MEDIUM", ""), (100, "HIGH", "  Done!  ")]

    for progress, confidence, note in entries:
        advance(clock, timedelta(days=3), org)
        moments.append(clock.now())
        result = await checked_in(gql, ada, goal["id"], progress, confidence, note)
        assert result["checkIn"] == {
            "progress": progress,
            "confidence": confidence,
            "note": note.strip(),
            "createdAt": clock.now().isoformat(),
        }
        # The payload's goal already shows the new check-in on top.
        assert result["goal"]["checkIns"][0] == result["checkIn"]

    found = await goal_node(gql, ada, goal["id"])
    assert found is not None
    assert [(c["progress"], c["confidence"], c["note"]) for c in found["checkIns"]] == [
        (100, "HIGH", "Done!"),
        (40, "MEDIUM", ""),
        (0, "LOW", "Just started"),
    ]
    assert [at(c["createdAt"]) for c in found["checkIns"]] == list(reversed(moments))
    # Checking in does not close the goal, even at 100%.
    assert found["status"] == "ACTIVE"
    listed = (await my_goals(gql, ada))["goals"]
    assert listed[0]["checkIns"] == found["checkIns"]


async def test_achieving_an_active_goal_with_a_note_closes_it(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Pair with every teammate")
    await checked_in(gql, ada, goal["id"], 70, "HIGH")
    advance(clock, timedelta(days=20), org)

    achieved = await changed(gql, ACHIEVE_GOAL, ada, goal["id"], note="  Paired with all six.  ")

    assert achieved["status"] == "ACHIEVED"
    assert achieved["statusNote"] == "Paired with all six."
    assert at(achieved["achievedAt"]) == clock.now()
    assert len(achieved["checkIns"]) == 1
    assert counts(await my_goals(gql, ada)) == {
        "draft": 0,
        "active": 0,
        "achieved": 1,
        "abandoned": 0,
    }
    # A closed goal takes no check-ins and is neither achieved again nor abandoned.
    before = await goal_state(services)
    assert_error(await check_in(gql, ada, goal["id"], 80), "ConflictError", "GOAL_NOT_ACTIVE", None)
    assert_error(
        await change(gql, ACHIEVE_GOAL, ada, goal["id"], note="again"),
        "ConflictError",
        "NOT_ACTIVE",
        None,
    )
    assert_error(
        await change(gql, ABANDON_GOAL, ada, goal["id"], note="changed my mind"),
        "ConflictError",
        "GOAL_CLOSED",
        None,
    )
    assert_error(
        await change(gql, ACTIVATE_GOAL, ada, goal["id"]), "ConflictError", "NOT_DRAFT", None
    )
    assert await goal_state(services) == before


@pytest.mark.parametrize("activate", [False, True], ids=["draft", "active"])
async def test_abandoning_an_open_goal_with_a_note(
    gql: GraphQL, org: Org, services: Services, activate: bool
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Write a blog post a month", activate=activate)

    abandoned = await changed(
        gql, ABANDON_GOAL, ada, goal["id"], note="Priorities changed this quarter."
    )

    assert abandoned["status"] == "ABANDONED"
    assert abandoned["statusNote"] == "Priorities changed this quarter."
    assert abandoned["achievedAt"] is None
    assert counts(await my_goals(gql, ada))["abandoned"] == 1
    # Abandoning twice is refused and changes nothing (the first note stays).
    before = await goal_state(services)
    twice = await change(gql, ABANDON_GOAL, ada, goal["id"], note="really")
    assert_error(twice, "ConflictError", "GOAL_CLOSED", None)
    assert await goal_state(services) == before
    found = await goal_node(gql, ada, goal["id"])
    assert found is not None
    assert found["statusNote"] == "Priorities changed this quarter."


async def test_abandoning_needs_a_note_and_achieving_does_not(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Learn Rust")
    before = await goal_state(services)

    for note in (None, "", "   ", "\n\t", "\u200b", "\u2060\u3164"):
        values = {} if note is None else {"note": note}
        refused = await change(gql, ABANDON_GOAL, ada, goal["id"], **values)
        assert_error(refused, "ValidationError", "REQUIRED", "note")

    assert await goal_state(services) == before
    found = await goal_node(gql, ada, goal["id"])
    assert found is not None
    assert (found["status"], found["statusNote"]) == ("ACTIVE", "")
    achieved = await changed(gql, ACHIEVE_GOAL, ada, goal["id"])
    assert (achieved["status"], achieved["statusNote"]) == ("ACHIEVED", "")


async def test_an_open_goal_past_its_target_date_is_overdue(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member()
    target = today(clock) + timedelta(days=10)
    open_goal = await created(gql, ada, "Open one", targetDate=target.isoformat())
    draft = await created(gql, ada, "Draft one", activate=False, targetDate=target.isoformat())
    closed = await created(gql, ada, "Closed one", targetDate=target.isoformat())
    await changed(gql, ACHIEVE_GOAL, ada, closed["id"], note="early")
    abandoned = await created(gql, ada, "Dropped one", targetDate=target.isoformat())
    await changed(gql, ABANDON_GOAL, ada, abandoned["id"], note="Dropped")
    undated = await created(gql, ada, "No date")

    async def overdue() -> dict[str, bool]:
        return {g["title"]: g["overdue"] for g in (await my_goals(gql, ada))["goals"]}

    assert not any((await overdue()).values())
    # On the target date itself a goal is not overdue yet.
    advance(clock, timedelta(days=10), org)
    assert not any((await overdue()).values())

    advance(clock, timedelta(days=1), org)
    assert await overdue() == {
        "Open one": True,
        "Draft one": True,
        "Closed one": False,
        "Dropped one": False,
        "No date": False,
    }
    assert (await goal_node(gql, ada, open_goal["id"]))["overdue"] is True  # type: ignore[index]
    # Moving the target date on, or achieving the goal, ends it.
    moved = await changed(
        gql,
        EDIT_GOAL,
        ada,
        draft["id"],
        targetDate=(today(clock) + timedelta(days=5)).isoformat(),
    )
    assert moved["overdue"] is False
    done = await changed(gql, ACHIEVE_GOAL, ada, open_goal["id"], note="late but done")
    assert done["overdue"] is False
    assert undated["overdue"] is False


async def test_goals_filter_by_status(gql: GraphQL, org: Org) -> None:
    ada = await org.add_member()
    draft = await created(gql, ada, "Draft", activate=False)
    active = await created(gql, ada, "Active")
    achieved = await created(gql, ada, "Achieved")
    await changed(gql, ACHIEVE_GOAL, ada, achieved["id"])
    abandoned = await created(gql, ada, "Abandoned")
    await changed(gql, ABANDON_GOAL, ada, abandoned["id"], note="Dropped")

    for status, goal in [
        ("DRAFT", draft),
        ("ACTIVE", active),
        ("ACHIEVED", achieved),
        ("ABANDONED", abandoned),
    ]:
        found = await my_goals(gql, ada, status)
        assert [g["id"] for g in found["goals"]] == [goal["id"]], status
        # The counts are never filtered.
        assert counts(found) == {"draft": 1, "active": 1, "achieved": 1, "abandoned": 1}
    assert len((await my_goals(gql, ada))["goals"]) == 4


# == sharing ======================================================================


async def test_a_goal_shared_with_the_steward_reaches_the_steward_of_that_time(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    old = await org.add_member("Olga Old Steward")
    new = await org.add_member("Nina New Steward")
    await established(gql, old, ada)
    goal = await created(gql, ada, "Mentor a new joiner")
    await checked_in(gql, ada, goal["id"], 30, "LOW", "slow start")
    assert not await reads(gql, old, ada, goal["id"])

    result = await shared(gql, ada, goal["id"], "STEWARD")

    # The share names the steward, and reaches her.
    assert share_list(result) == [("STEWARD", old.id, old.id)]
    assert at(result["sharedWith"][0]["sharedAt"]) == clock.now()
    assert result["sharedWith"][0]["endedAt"] is None
    assert result["sharedWith"][0]["endedBecause"] is None
    assert result["sharedWithOrganization"] is None
    assert await reads(gql, old, ada, goal["id"])
    seen = await goal_node(gql, old, goal["id"])
    assert seen is not None
    assert seen["title"] == "Mentor a new joiner"
    assert seen["owner"] == {"id": ada.id}
    assert [(c["progress"], c["note"]) for c in seen["checkIns"]] == [(30, "slow start")]
    assert seen["sharedWith"] is None  # whom it is shared with is the owner's business
    listed = (await person_goals(gql, old, ada))["goals"]
    assert [g["id"] for g in listed] == [goal["id"]]
    assert listed[0]["checkIns"] == seen["checkIns"]
    assert not await reads(gql, new, ada, goal["id"])

    advance(clock, timedelta(days=30), org)
    await established(gql, new, ada)  # a handover: the old stewardship ends

    # Neither reads it: the share ended with Olga's stewardship, and Nina
    # sees nothing shared before her time, new check-ins included.
    await checked_in(gql, ada, goal["id"], 60, "MEDIUM", "picking up")
    assert not await reads(gql, old, ada, goal["id"])
    assert not await reads(gql, new, ada, goal["id"])
    # Ada sees that it reaches nobody now, since when and why.
    mine = await goal_node(gql, ada, goal["id"])
    assert mine is not None
    assert share_list(mine) == [("STEWARD", old.id, None)]
    assert at(mine["sharedWith"][0]["endedAt"]) == clock.now()
    assert mine["sharedWith"][0]["endedBecause"] == "HANDED_OVER"

    # Shared with the steward again: that is Nina now, in a new share.
    advance(clock, timedelta(minutes=1), org)
    again = await shared(gql, ada, goal["id"], "STEWARD")
    assert share_list(again) == [("STEWARD", old.id, None), ("STEWARD", new.id, new.id)]
    assert await reads(gql, new, ada, goal["id"])
    found = await goal_node(gql, new, goal["id"])
    assert found is not None
    assert [c["progress"] for c in found["checkIns"]] == [60, 30]
    assert not await reads(gql, old, ada, goal["id"])
    # Taking back the ended share names its (past) steward; Nina's stays.
    cleaned = await unshare(gql, ada, goal["id"], "STEWARD", old)
    assert share_list(cleaned["goal"]) == [("STEWARD", new.id, new.id)]
    assert await reads(gql, new, ada, goal["id"])


async def test_a_goal_shared_with_a_named_mentor_reaches_that_mentor_only(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member("Ada")
    named = await org.add_member("Named Mentor")
    other = await org.add_member("Other Mentor")
    area = (await create_area(gql, org.faculty.token, "Data"))["id"]
    named_mentorship = await established(gql, named, ada, kind=MENTORSHIP, areas=[area])
    await established(gql, other, ada, kind=MENTORSHIP, areas=[area])
    goal = await created(gql, ada, "Build a dashboard")
    await checked_in(gql, ada, goal["id"], 10, "LOW")

    result = await shared(gql, ada, goal["id"], "MENTOR", named)

    assert share_list(result) == [("MENTOR", named.id, named.id)]
    assert await reads(gql, named, ada, goal["id"])
    seen = await goal_node(gql, named, goal["id"])
    assert seen is not None
    assert [c["progress"] for c in seen["checkIns"]] == [10]
    assert seen["sharedWith"] is None
    assert not await reads(gql, other, ada, goal["id"])

    # Once the mentorship ends, so does the reading.
    await succeeded(gql, END, ada, named_mentorship["id"], reason="Time to move on.")
    assert not await reads(gql, named, ada, goal["id"])
    mine = await goal_node(gql, ada, goal["id"])
    assert mine is not None
    assert share_list(mine) == [("MENTOR", named.id, None)]
    assert mine["sharedWith"][0]["endedBecause"] == "RELATIONSHIP_ENDED"
    # ... and a share with them can no longer be made.
    before = await goal_state(services)
    refused = await share(gql, ada, goal["id"], "MENTOR", named)
    assert_error(refused, "ValidationError", "NOT_YOUR_MENTOR", "personId")
    assert await goal_state(services) == before


async def test_sharing_with_someone_who_is_not_a_current_mentor_is_refused(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    mentee = await org.add_member("Ada's Mentee")
    stranger = await org.add_member("Stranger")
    area = (await create_area(gql, org.faculty.token, "Ops"))["id"]
    await established(gql, steward, ada)
    # Ada mentors someone: that person is not Ada's mentor.
    await established(gql, ada, mentee, kind=MENTORSHIP, areas=[area])
    goal = await created(gql, ada, "Automate the release")
    before = await goal_state(services)

    for person in (stranger, steward, mentee, org.faculty, ada):
        refused = await share(gql, ada, goal["id"], "MENTOR", person)
        assert_error(refused, "ValidationError", "NOT_YOUR_MENTOR", "personId")
    # A mentor share names the mentor; steward and organization shares name nobody.
    assert_error(
        await share(gql, ada, goal["id"], "MENTOR"), "ValidationError", "REQUIRED", "personId"
    )
    for audience in ("STEWARD", "ORGANIZATION"):
        assert_error(
            await share(gql, ada, goal["id"], audience, steward),
            "ValidationError",
            "NOT_ALLOWED",
            "personId",
        )
    # A person who does not exist reads as not one's mentor.
    unknown = await change(
        gql,
        SHARE_GOAL_DOCUMENT,
        ada,
        goal["id"],
        audience="MENTOR",
        personId=missing_id("Person"),
    )
    assert_error(unknown, "ValidationError", "NOT_YOUR_MENTOR", "personId")
    # The deprecated mentorId still works, and errors name it.
    deprecated = await change(
        gql, SHARE_GOAL_DOCUMENT, ada, goal["id"], audience="MENTOR", mentorId=stranger.id
    )
    assert_error(deprecated, "ValidationError", "NOT_YOUR_MENTOR", "mentorId")
    both = await change(
        gql,
        SHARE_GOAL_DOCUMENT,
        ada,
        goal["id"],
        audience="MENTOR",
        mentorId=stranger.id,
        personId=stranger.id,
    )
    assert_error(both, "ValidationError", "NOT_ALLOWED", "mentorId")
    assert await goal_state(services) == before
    assert (await goal_node(gql, ada, goal["id"]))["sharedWith"] == []  # type: ignore[index]
    assert not await reads(gql, stranger, ada, goal["id"])


async def test_a_goal_shared_with_the_organization_reaches_every_member_of_it(
    gql: GraphQL, org: Org, make_org: OrgFactory, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    teammate = await org.add_member("Teammate")
    steward = await org.add_member("Steward")
    far_away = await org.add_member("Someone in another team")
    await established(gql, steward, ada)
    team = await create_team(gql, org.faculty.token, "Platform")
    for member in (ada, teammate):
        await add_team_member(gql, org.faculty.token, team["id"], member.id)
    elsewhere = await (await make_org("Elsewhere")).add_member("Outsider")
    goal = await created(gql, ada, "Give a brown-bag session")
    await checked_in(gql, ada, goal["id"], 90, "HIGH")

    result = await shared(gql, ada, goal["id"], "ORGANIZATION")

    # Listed apart from the shares with people: it names nobody.
    assert result["sharedWith"] == []
    assert at(result["sharedWithOrganization"]["sharedAt"]) == clock.now()
    for member in (teammate, steward, far_away, org.faculty):
        assert await reads(gql, member, ada, goal["id"]), member.person.name
        seen = await goal_node(gql, member, goal["id"])
        assert seen is not None
        assert [c["progress"] for c in seen["checkIns"]] == [90]
        assert (seen["sharedWith"], seen["sharedWithOrganization"]) == (None, None)
    # Nothing crosses organizations.
    assert await goal_node(gql, elsewhere, goal["id"]) is None
    assert await goal_nodes(gql, elsewhere, [goal["id"]]) == [None]


def shares_of(goal: dict[str, Any]) -> list[dict[str, Any]]:
    """Every share as the owner sees it: with people, then the organization."""
    organization = goal["sharedWithOrganization"]
    return goal["sharedWith"] + ([organization] if organization else [])


@pytest.mark.parametrize("audience", ["STEWARD", "MENTOR", "PERSON", "ORGANIZATION"])
async def test_unsharing_takes_effect_on_the_very_next_request(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services, audience: str
) -> None:
    ada = await org.add_member("Ada")
    reader = await org.add_member("Reader")
    area = (await create_area(gql, org.faculty.token, "Writing"))["id"]
    if audience == "STEWARD":
        await established(gql, reader, ada)
    elif audience == "MENTOR":
        await established(gql, reader, ada, kind=MENTORSHIP, areas=[area])
    named = reader if audience in ("MENTOR", "PERSON") else None
    goal = await created(gql, ada, "Publish the style guide")
    await shared(gql, ada, goal["id"], audience, named)
    assert await reads(gql, reader, ada, goal["id"])

    result = await unshare(gql, ada, goal["id"], audience, named)

    assert result["__typename"] == "GoalSuccess", result
    assert shares_of(result["goal"]) == []
    assert not await reads(gql, reader, ada, goal["id"])
    # Taking back a share that is not there is a typed error that changes nothing.
    before = await goal_state(services)
    again = await unshare(gql, ada, goal["id"], audience, named)
    assert_error(again, "NotFoundError", "NOT_FOUND")
    assert await goal_state(services) == before
    # It can be shared again afterwards.
    advance(clock, timedelta(minutes=5), org)
    reshared = await shared(gql, ada, goal["id"], audience, named)
    assert at(shares_of(reshared)[0]["sharedAt"]) == clock.now()
    assert await reads(gql, reader, ada, goal["id"])


async def test_unsharing_one_audience_keeps_the_others(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    mentor = await org.add_member("Mentor")
    area = (await create_area(gql, org.faculty.token, "Testing"))["id"]
    await established(gql, steward, ada)
    await established(gql, mentor, ada, kind=MENTORSHIP, areas=[area])
    goal = await created(gql, ada, "Raise test coverage")
    await shared(gql, ada, goal["id"], "STEWARD")
    advance(clock, timedelta(minutes=1), org)
    await shared(gql, ada, goal["id"], "MENTOR", mentor)
    advance(clock, timedelta(minutes=1), org)
    # The steward by name too: a share that is not the steward one.
    all_three = await shared(gql, ada, goal["id"], "PERSON", steward)
    assert share_list(all_three) == [
        ("STEWARD", steward.id, steward.id),
        ("MENTOR", mentor.id, mentor.id),
        ("PERSON", steward.id, steward.id),
    ]

    result = await unshare(gql, ada, goal["id"], "STEWARD")

    assert share_list(result["goal"]) == [
        ("MENTOR", mentor.id, mentor.id),
        ("PERSON", steward.id, steward.id),
    ]
    assert await reads(gql, steward, ada, goal["id"])  # by name
    assert await reads(gql, mentor, ada, goal["id"])
    await unshare(gql, ada, goal["id"], "PERSON", steward)
    assert not await reads(gql, steward, ada, goal["id"])


async def test_shared_with_is_shown_to_the_owner_only(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    mentor = await org.add_member("Mentor")
    colleague = await org.add_member("Colleague")
    area = (await create_area(gql, org.faculty.token, "Sales"))["id"]
    await established(gql, steward, ada)
    await established(gql, mentor, ada, kind=MENTORSHIP, areas=[area])
    goal = await created(gql, ada, "Close a deal alone")
    for audience, named in (
        ("STEWARD", None),
        ("MENTOR", mentor),
        ("PERSON", colleague),
        ("ORGANIZATION", None),
    ):
        await shared(gql, ada, goal["id"], audience, named)
        advance(clock, timedelta(minutes=1), org)

    mine = await goal_node(gql, ada, goal["id"])
    assert mine is not None
    # Every share names its person; the organization's is listed apart.
    assert share_list(mine) == [
        ("STEWARD", steward.id, steward.id),
        ("MENTOR", mentor.id, mentor.id),
        ("PERSON", colleague.id, colleague.id),
    ]
    assert mine["sharedWithOrganization"] is not None
    for member in (steward, mentor, colleague, org.faculty):
        seen = await goal_node(gql, member, goal["id"])
        assert seen is not None
        assert (seen["sharedWith"], seen["sharedWithOrganization"]) == (None, None)
        listed = (await person_goals(gql, member, ada))["goals"]
        assert [(g["sharedWith"], g["sharedWithOrganization"]) for g in listed] == [(None, None)]


async def test_sharing_twice_is_harmless(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member("Ada")
    mentor = await org.add_member("Mentor")
    colleague = await org.add_member("Colleague")
    area = (await create_area(gql, org.faculty.token, "Cooking"))["id"]
    await established(gql, mentor, ada, kind=MENTORSHIP, areas=[area])
    goal = await created(gql, ada, "Cook for twenty")
    first = await shared(gql, ada, goal["id"], "ORGANIZATION")
    advance(clock, timedelta(minutes=1), org)
    await shared(gql, ada, goal["id"], "MENTOR", mentor)
    await shared(gql, ada, goal["id"], "PERSON", colleague)
    before = await goal_state(services)

    advance(clock, timedelta(hours=1), org)
    again = await shared(gql, ada, goal["id"], "ORGANIZATION")
    await shared(gql, ada, goal["id"], "PERSON", colleague)
    again_mentor = await shared(gql, ada, goal["id"], "MENTOR", mentor)

    assert await goal_state(services) == before
    assert again["sharedWithOrganization"] == first["sharedWithOrganization"]  # the first share
    assert sorted(s["audience"] for s in again_mentor["sharedWith"]) == ["MENTOR", "PERSON"]
    # One unshare takes it back entirely.
    await unshare(gql, ada, goal["id"], "ORGANIZATION")
    mine = await goal_node(gql, ada, goal["id"])
    assert mine is not None
    assert mine["sharedWithOrganization"] is None
    assert sorted(s["audience"] for s in mine["sharedWith"]) == ["MENTOR", "PERSON"]


async def test_a_shared_goal_is_read_only_to_its_readers(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    await established(gql, steward, ada)
    goal = await created(gql, ada, "Lead the planning")
    await shared(gql, ada, goal["id"], "STEWARD")
    await shared(gql, ada, goal["id"], "ORGANIZATION")
    before = await goal_state(services)

    for document, values in WRITES:
        for member in (steward, org.faculty):
            refused = await change(gql, document, member, goal["id"], **values)
            assert_error(refused, "NotFoundError", "NOT_FOUND")
    for audience in ("STEWARD", "ORGANIZATION"):
        assert_error(
            await unshare(gql, steward, goal["id"], audience), "NotFoundError", "NOT_FOUND"
        )
    assert await goal_state(services) == before


# == bad input ====================================================================


@pytest.mark.parametrize("title", ["", "   ", "\n\t "])
async def test_a_blank_title_is_refused(
    gql: GraphQL, org: Org, services: Services, title: str
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Keep me")
    before = await goal_state(services)

    assert_error(await create(gql, ada, title=title), "ValidationError", "REQUIRED", "title")
    assert_error(
        await change(gql, EDIT_GOAL, ada, goal["id"], title=title),
        "ValidationError",
        "REQUIRED",
        "title",
    )

    assert await goal_state(services) == before
    assert [g["title"] for g in (await my_goals(gql, ada))["goals"]] == ["Keep me"]


async def test_too_long_or_control_character_text_is_refused(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Keep me")
    before = await goal_state(services)

    assert_error(await create(gql, ada, title="x" * 201), "ValidationError", "TOO_LONG", "title")
    assert_error(
        await create(gql, ada, title="ok", description="y" * 5001),
        "ValidationError",
        "TOO_LONG",
        "description",
    )
    assert_error(
        await create(gql, ada, title="bad\x00byte"),
        "ValidationError",
        "INVALID_CHARACTERS",
        "title",
    )
    assert_error(
        await check_in(gql, ada, goal["id"], 50, "LOW", "n" * 2001),
        "ValidationError",
        "TOO_LONG",
        "note",
    )
    assert_error(
        await change(gql, ACHIEVE_GOAL, ada, goal["id"], note="n" * 2001),
        "ValidationError",
        "TOO_LONG",
        "note",
    )
    assert await goal_state(services) == before
    # The boundary itself is fine.
    assert (await created(gql, ada, "x" * 200))["title"] == "x" * 200


@pytest.mark.parametrize("progress", [101, -1, 1000, -100])
async def test_progress_outside_0_to_100_is_refused(
    gql: GraphQL, org: Org, services: Services, progress: int
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Measure things")
    before = await goal_state(services)

    refused = await check_in(gql, ada, goal["id"], progress, "HIGH")

    assert_error(refused, "ValidationError", "OUT_OF_RANGE", "progress")
    assert await goal_state(services) == before
    assert (await goal_node(gql, ada, goal["id"]))["checkIns"] == []  # type: ignore[index]


@pytest.mark.parametrize("state", ["DRAFT", "ABANDONED", "ACHIEVED"])
async def test_check_ins_go_on_active_goals_only(
    gql: GraphQL, org: Org, services: Services, state: str
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Not active", activate=state != "DRAFT")
    if state == "ABANDONED":
        await changed(gql, ABANDON_GOAL, ada, goal["id"], note="no")
    elif state == "ACHIEVED":
        await changed(gql, ACHIEVE_GOAL, ada, goal["id"], note="yes")
    before = await goal_state(services)

    refused = await check_in(gql, ada, goal["id"], 50, "MEDIUM")

    assert_error(refused, "ConflictError", "GOAL_NOT_ACTIVE", None)
    assert await goal_state(services) == before
    # Even with a bad progress the state is what is reported first.
    assert_error(
        await check_in(gql, ada, goal["id"], 101, "MEDIUM"),
        "ConflictError",
        "GOAL_NOT_ACTIVE",
        None,
    )
    assert await goal_state(services) == before


async def test_only_an_active_goal_is_achieved(gql: GraphQL, org: Org, services: Services) -> None:
    ada = await org.add_member()
    draft = await created(gql, ada, "Still a draft", activate=False)
    before = await goal_state(services)

    refused = await change(gql, ACHIEVE_GOAL, ada, draft["id"], note="skipped ahead")

    assert_error(refused, "ConflictError", "NOT_ACTIVE", None)
    assert await goal_state(services) == before
    found = await goal_node(gql, ada, draft["id"])
    assert found is not None
    assert (found["status"], found["statusNote"], found["achievedAt"]) == ("DRAFT", "", None)


async def test_an_unknown_knowledge_area_is_not_found(
    gql: GraphQL, org: Org, make_org: OrgFactory, services: Services
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Keep me")
    elsewhere = await make_org("Elsewhere")
    foreign = await create_area(gql, elsewhere.faculty.token, "Their area")
    before = await goal_state(services)

    for area_id in (missing_id("KnowledgeArea"), foreign["id"]):
        assert_error(
            await create(gql, ada, title="Somewhere", knowledgeAreaId=area_id),
            "NotFoundError",
            "NOT_FOUND",
        )
        assert_error(
            await change(gql, EDIT_GOAL, ada, goal["id"], knowledgeAreaId=area_id),
            "NotFoundError",
            "NOT_FOUND",
        )

    assert await goal_state(services) == before


async def test_malformed_ids_are_invalid(gql: GraphQL, org: Org, services: Services) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Keep me")
    team = await create_team(gql, org.faculty.token, "Wrong type")
    before = await goal_state(services)
    bad_goal_ids = [
        "nonsense",
        "",
        gid("Goal", "00000000-0000-0000-0000-000000000000")[:-4],
        ada.id,
    ]
    bad_goal_ids.append(team["id"])

    for bad in bad_goal_ids:
        for document, values in WRITES:
            result = await change(gql, document, ada, bad, **values)
            assert_error(result, "ValidationError", "INVALID_ID", "goalId")
        assert_error(
            await share(gql, ada, bad, "ORGANIZATION"), "ValidationError", "INVALID_ID", "goalId"
        )
        assert_error(
            await unshare(gql, ada, bad, "ORGANIZATION"), "ValidationError", "INVALID_ID", "goalId"
        )
    for bad in ("nonsense", team["id"]):
        assert_error(
            await create(gql, ada, title="x", knowledgeAreaId=bad),
            "ValidationError",
            "INVALID_ID",
            "knowledgeAreaId",
        )
        assert_error(
            await change(gql, EDIT_GOAL, ada, goal["id"], knowledgeAreaId=bad),
            "ValidationError",
            "INVALID_ID",
            "knowledgeAreaId",
        )
        assert_error(
            await change(
                gql, SHARE_GOAL_DOCUMENT, ada, goal["id"], audience="MENTOR", mentorId=bad
            ),
            "ValidationError",
            "INVALID_ID",
            "mentorId",
        )
    assert await goal_state(services) == before
    # In queries, a malformed id is a typed query error.
    body = await gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": "nonsense"}, token=ada.token
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_ID"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("stage", "SUPERHERO"), ("stage", "fixed_goals"), ("stage", 2)],
)
async def test_an_invalid_enum_value_is_a_graphql_validation_error(
    gql: GraphQL, org: Org, services: Services, field: str, value: object
) -> None:
    ada = await org.add_member()
    before = await goal_state(services)

    response = await gql.raw(
        CREATE_GOAL, {"input": {"title": "Enum", field: value}}, token=ada.token
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is None
    assert body["errors"], body
    assert "AutonomyStage" in body["errors"][0]["message"]
    assert await goal_state(services) == before


async def test_invalid_confidence_audience_and_status_are_graphql_errors(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Enums")
    before = await goal_state(services)

    bodies = [
        await gql(
            CHECK_IN_DOCUMENT,
            {"input": {"goalId": goal["id"], "progress": 5, "confidence": "SURE"}},
            token=ada.token,
        ),
        await gql(
            SHARE_GOAL_DOCUMENT,
            {"input": {"goalId": goal["id"], "audience": "EVERYONE"}},
            token=ada.token,
        ),
        await gql(VIEWER_GOALS, {"status": "DONE"}, token=ada.token),
        # A literal in the document fails validation before anything runs.
        await gql(
            'mutation { createGoal(input: {title: "x", stage: SUPERHERO}) { __typename } }',
            token=ada.token,
        ),
    ]

    for body in bodies:
        assert body.get("data") is None, body
        assert body["errors"], body
    assert await goal_state(services) == before


async def test_goal_mutations_need_a_signed_in_person(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member()
    goal = await created(gql, ada, "Mine")
    before = await goal_state(services)

    body = await gql(CREATE_GOAL, {"input": {"title": "Anon", "stage": "TASKS"}})
    assert body["data"]["createGoal"]["__typename"] == "AuthenticationError"
    body = await gql(
        CHECK_IN_DOCUMENT,
        {"input": {"goalId": goal["id"], "progress": 5, "confidence": "LOW"}},
    )
    assert body["data"]["checkInGoal"]["__typename"] == "AuthenticationError"
    assert "Mine" not in str(body)

    assert await goal_state(services) == before


# == readiness ====================================================================

READINESS = "FIXED_GOALS"


async def achieve_goals(
    gql: GraphQL,
    member: Member,
    count: int,
    *,
    stage: str = READINESS,
    check_ins: int = 1,
    prefix: str = "Evidence",
    share_with: str | None = "STEWARD",
) -> list[str]:
    """Achieved goals with check-ins, shared with the steward by default (a
    steward's suggestion rests only on goals shared with them)."""
    ids = []
    for n in range(count):
        goal = await created(gql, member, f"{prefix} {n + 1}", stage=stage)
        if share_with:
            await shared(gql, member, goal["id"], share_with)
        for _ in range(check_ins):
            await checked_in(gql, member, goal["id"], 100, "HIGH")
        await changed(gql, ACHIEVE_GOAL, member, goal["id"], note="done")
        ids.append(goal["id"])
    return ids


async def suggestions(gql: GraphQL, viewer: Member, person: Member) -> list[dict[str, Any]] | None:
    return (await person_goals(gql, viewer, person))["readinessSuggestions"]


async def test_three_goals_achieved_at_a_stage_suggest_the_next_one(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    await established(gql, steward, ada)
    assert await suggestions(gql, ada, ada) == []
    ids = []
    for n in range(3):
        ids += await achieve_goals(gql, ada, 1, prefix=f"Month {n}")
        advance(clock, timedelta(days=100), org)

    mine = await suggestions(gql, ada, ada)
    theirs = await suggestions(gql, steward, ada)

    assert mine is not None
    assert [(s["stage"], s["nextStage"], s["evidenceCount"], s["required"]) for s in mine] == [
        ("FIXED_GOALS", "FLEXIBLE_GOALS", 3, 3)
    ]
    # The owner sees every piece of evidence, oldest first.
    assert [g["id"] for g in mine[0]["evidence"]] == ids
    assert theirs is not None
    assert [(s["stage"], s["nextStage"], s["evidenceCount"], s["required"]) for s in theirs] == [
        ("FIXED_GOALS", "FLEXIBLE_GOALS", 3, 3)
    ]
    # It is a suggestion: nothing about Ada changed (no agreements appeared).
    assert (await my_goals(gql, ada))["goalCounts"]["achieved"] == 3


@pytest.mark.parametrize(
    ("goals", "check_ins"), [(3, 0), (2, 1), (2, 3)], ids=["no-check-ins", "two", "two-busy"]
)
async def test_too_little_evidence_suggests_nothing(
    gql: GraphQL, org: Org, goals: int, check_ins: int
) -> None:
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    await established(gql, steward, ada)

    await achieve_goals(gql, ada, goals, check_ins=check_ins)

    assert await suggestions(gql, ada, ada) == []
    assert await suggestions(gql, steward, ada) == []


async def test_evidence_counts_per_stage_and_only_achieved_goals(gql: GraphQL, org: Org) -> None:
    ada = await org.add_member("Ada")
    await achieve_goals(gql, ada, 2, stage="FIXED_GOALS", share_with=None)
    await achieve_goals(gql, ada, 1, stage="TASKS", share_with=None)
    # Open and abandoned goals at the stage are no evidence.
    open_goal = await created(gql, ada, "Open", stage="FIXED_GOALS")
    await checked_in(gql, ada, open_goal["id"], 99, "HIGH")
    dropped = await created(gql, ada, "Dropped", stage="FIXED_GOALS")
    await checked_in(gql, ada, dropped["id"], 50, "LOW")
    await changed(gql, ABANDON_GOAL, ada, dropped["id"], note="Dropped")
    assert await suggestions(gql, ada, ada) == []

    await achieve_goals(gql, ada, 3, stage="TASKS", prefix="Tasks", share_with=None)

    found = await suggestions(gql, ada, ada)
    assert found is not None
    assert [(s["stage"], s["nextStage"], s["evidenceCount"]) for s in found] == [
        ("TASKS", "FIXED_GOALS", 4)
    ]


async def test_purpose_has_no_next_stage(gql: GraphQL, org: Org) -> None:
    ada = await org.add_member("Ada")
    await achieve_goals(gql, ada, 3, stage="PURPOSE", share_with=None)
    assert await suggestions(gql, ada, ada) == []


async def test_evidence_older_than_the_window_no_longer_counts(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    await established(gql, steward, ada)
    await achieve_goals(gql, ada, 3)
    assert len(await suggestions(gql, steward, ada) or []) == 1

    # Still counted on the last day of the window ...
    advance(clock, timedelta(days=365), org)
    assert len(await suggestions(gql, ada, ada) or []) == 1
    # ... and gone 13 months later.
    advance(clock, timedelta(days=30), org)

    assert await suggestions(gql, ada, ada) == []
    assert await suggestions(gql, steward, ada) == []
    # New evidence starts a new count: one recent goal is not enough.
    await achieve_goals(gql, ada, 1, prefix="Recent")
    assert await suggestions(gql, ada, ada) == []


async def test_readiness_is_for_the_person_and_their_steward_only(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    old = await org.add_member("Old Steward")
    new = await org.add_member("New Steward")
    mentor = await org.add_member("Mentor")
    area = (await create_area(gql, org.faculty.token, "Leading"))["id"]
    await established(gql, old, ada)
    await established(gql, mentor, ada, kind=MENTORSHIP, areas=[area])
    await achieve_goals(gql, ada, 3)

    assert await suggestions(gql, old, ada) is not None
    for member in (mentor, org.faculty, new):
        assert await suggestions(gql, member, ada) is None
    advance(clock, timedelta(days=1), org)
    await established(gql, new, ada)
    assert await suggestions(gql, old, ada) is None
    # The new steward may ask, but the evidence was shared with the old one.
    assert await suggestions(gql, new, ada) == []


# == statement count ==============================================================

GOALS_QUERY = """
{ viewer { goals { title checkIns { progress } knowledgeArea { name } } goalCounts { active } } }
"""

# Pinned. A change is either a regression (N+1) or a deliberate change of the
# read path: look at `counter.statements`.
# viewer, goals of the person, check-ins of the goals, areas by id, goal counts
GOALS_STATEMENTS = 5


async def _goals_with_check_ins(services: Services, org: Org, member: Member, goals: int) -> None:
    """`goals` active goals, each in one of three areas with five check-ins,
    set up through the domain services in one transaction."""
    actor = Actor(person_id=member.person.id, organization_id=org.id)
    now = services.clock.now()
    async with services.uow_factory(org.id) as uow:
        areas = [
            KnowledgeArea.create(organization_id=org.id, name=f"Area {n}", parent_id=None, now=now)
            for n in range(3)
        ]
        for area in areas:
            await uow.areas.add(area)
        for n in range(goals):
            goal = await goal_service.create(
                uow,
                actor,
                title=f"Goal {n:02d}",
                stage=AutonomyStage.FIXED_GOALS,
                knowledge_area_id=areas[n % 3].id,
                activate=True,
                now=now,
            )
            for progress in range(5):
                await goal_service.check_in(
                    uow,
                    actor,
                    goal.id,
                    progress=progress * 20,
                    confidence=Confidence.MEDIUM,
                    now=now + timedelta(seconds=progress),
                )
        await uow.commit()


@pytest.mark.parametrize("goals", [3, 30])
async def test_the_goal_list_takes_a_constant_number_of_statements(
    gql: GraphQL, org: Org, services: Services, app: FastAPI, goals: int
) -> None:
    ada = await org.add_member()
    await _goals_with_check_ins(services, org, ada, goals)

    with count_statements(app.state.engine) as counter:
        data = await gql.data(GOALS_QUERY, token=ada.token)

    found = data["viewer"]["goals"]
    assert len(found) == goals
    assert all(len(g["checkIns"]) == 5 for g in found)
    assert all(g["knowledgeArea"]["name"].startswith("Area ") for g in found)
    assert [c["progress"] for c in found[0]["checkIns"]] == [80, 60, 40, 20, 0]
    assert data["viewer"]["goalCounts"] == {"active": goals}
    assert counter.count == GOALS_STATEMENTS, counter.statements


# Documents used above, with names that say which mutation they run.
SHARE_GOAL_DOCUMENT = """
mutation ShareGoal($input: ShareGoalInput!) {
  shareGoal(input: $input) {
    __typename
    ... on Error { message code }
    ... on ValidationError { field }
    ... on ConflictError { field }
    ... on GoalSuccess { goal { id sharedWith { audience } } }
  }
}
"""

CHECK_IN_DOCUMENT = """
mutation CheckIn($input: CheckInInput!) {
  checkInGoal(input: $input) {
    __typename
    ... on Error { message code }
    ... on ValidationError { field }
    ... on ConflictError { field }
    ... on CheckInSuccess { checkIn { progress } }
  }
}
"""

# Every write on a goal that takes only its id and a few values.
WRITES: list[tuple[str, dict[str, Any]]] = [
    (EDIT_GOAL, {"title": "Taken over"}),
    (ACTIVATE_GOAL, {}),
    (ACHIEVE_GOAL, {"note": "not mine to say"}),
    (ABANDON_GOAL, {"note": "not mine to say"}),
    (CHECK_IN_DOCUMENT, {"progress": 50, "confidence": "LOW"}),
]
