"""Someone who left shares nothing any more (domain.shares.ended, and
persistence.reads.shares in SQL): from the moment they left, every share of
theirs reaches nobody, whoever it was with: their steward, a mentor, a
named colleague, everyone it was shared with as the organization. They can
no longer take a share back, so it stops by itself. Tried through the
public API on every path: node, nodes, Person.goals, feedbackReceived, a
request's results, the 1-on-1 prep, and a mutation that refers to a goal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from api.context import Services
from tests.api.feedback_helpers import asked
from tests.api.feedback_item_helpers import feedback_node, given, person_items, shared_feedback
from tests.api.goal_helpers import created, reads, shared
from tests.api.harness import GraphQL, Member, Org
from tests.api.one_on_one_helpers import ADD_ITEM, prep, started
from tests.api.queries import MARK_PERSON_LEFT, create_area, mutate
from tests.api.relationship_helpers import MENTORSHIP, advance
from tests.fakes import FakeClock


@dataclass
class Shared:
    """Ada's goal, feedback item and request, shared with her steward Olga
    and her mentor Mia (both with 1-on-1s), her colleague Cole by name, and
    (the goal) with the whole organization, which Ann reads as a member."""

    org: Org
    ada: Member
    viewers: dict[str, Member]
    meetings: dict[str, dict[str, Any]]
    goal: dict[str, Any]
    item: dict[str, Any]
    request: dict[str, Any]


@pytest.fixture
async def ada_shared(gql: GraphQL, org: Org, clock: FakeClock) -> Shared:
    ada = await org.add_member("Ada Owner")
    olga, mia, cole, ann, bo = [
        await org.add_member(name)
        for name in ("Olga Steward", "Mia Mentor", "Cole Colleague", "Ann Another", "Bo Giver")
    ]
    area = (await create_area(gql, org.faculty.token, "Data"))["id"]
    _, steward_meeting = await started(gql, clock, olga, ada)
    _, mentor_meeting = await started(gql, clock, mia, ada, kind=MENTORSHIP, areas=[area])
    advance(clock, timedelta(minutes=1), org)  # after the starts: the preps count it
    goal = await created(gql, ada, "Lead the quarterly planning")
    item = await given(gql, bo, ada, "Your planning notes are a model.")
    request = await asked(gql, clock, ada, [bo])
    for audience, person in (("STEWARD", None), ("MENTOR", mia), ("PERSON", cole)):
        await shared(gql, ada, goal["id"], audience, person)
        await shared_feedback(gql, ada, item["id"], audience, person)
        await shared_feedback(gql, ada, request["id"], audience, person)
    await shared(gql, ada, goal["id"], "ORGANIZATION")
    return Shared(
        org,
        ada,
        {"steward": olga, "mentor": mia, "named colleague": cole, "a colleague": ann},
        {"steward": steward_meeting, "mentor": mentor_meeting},
        goal,
        item,
        request,
    )


async def _seen(gql: GraphQL, shared: Shared, role: str) -> dict[str, bool]:
    """What `role` reads of what Ada shared, path by path."""
    viewer = shared.viewers[role]
    found = {
        "goal: node, nodes, Person.goals": await reads(gql, viewer, shared.ada, shared.goal["id"])
    }
    if role == "a colleague":  # reached by the share with the organization only
        return found
    received = await person_items(gql, viewer, shared.ada)
    assert received is not None
    request = await feedback_node(gql, viewer, shared.request["id"])
    found |= {
        "item: node": await feedback_node(gql, viewer, shared.item["id"]) is not None,
        "item: feedbackReceived": [i["id"] for i in received["feedbackReceived"]]
        == [shared.item["id"]],
        "request: results": request is not None and request["results"] is not None,
    }
    if role in shared.meetings:
        seen = await prep(gql, viewer, shared.meetings[role]["id"])
        found |= {
            "prep: goals": seen is not None
            and [g["goal"]["id"] for g in seen["goals"]] == [shared.goal["id"]],
            "prep: feedback": seen is not None
            and [i["id"] for i in seen["feedback"]] == [shared.item["id"]],
        }
    return found


async def _sees_all(gql: GraphQL, shared: Shared) -> dict[str, bool]:
    """Per role: whether every path reads it (True), or none does (False)."""
    result = {}
    for role in shared.viewers:
        paths = await _seen(gql, shared, role)
        assert len(set(paths.values())) == 1, (role, paths)
        result[role] = next(iter(paths.values()))
    return result


async def test_every_share_ends_when_the_owner_leaves(
    gql: GraphQL, ada_shared: Shared, clock: FakeClock
) -> None:
    everyone = dict.fromkeys(ada_shared.viewers, True)
    assert await _sees_all(gql, ada_shared) == everyone  # the control

    advance(clock, timedelta(days=1), ada_shared.org)
    left = await mutate(
        gql, MARK_PERSON_LEFT, {"personId": ada_shared.ada.id}, token=ada_shared.org.faculty.token
    )
    assert left["__typename"] == "MarkPersonLeftSuccess", left

    assert await _sees_all(gql, ada_shared) == dict.fromkeys(ada_shared.viewers, False)
    # Nor does org faculty, nor anyone else.
    faculty = ada_shared.org.faculty
    assert not await reads(gql, faculty, ada_shared.ada, ada_shared.goal["id"])
    assert await feedback_node(gql, faculty, ada_shared.item["id"]) is None


async def test_every_share_ends_with_the_owner_leaving_even_if_nothing_else_changed(
    gql: GraphQL, ada_shared: Shared, services: Services, clock: FakeClock
) -> None:
    """A missed revocation: Ada is recorded as left and nothing else, her
    stewardship and mentorship still read as active. Every read checks that
    the owner is still a member, so nothing leaks; nor does the rule on the
    write side (putting the goal on the steward's agenda)."""
    advance(clock, timedelta(days=1), ada_shared.org)
    async with services.session_factory() as session:
        await session.execute(
            sa.text("UPDATE people SET status = 'LEFT', left_at = :at WHERE id = :id"),
            {"at": clock.now(), "id": ada_shared.ada.person.id},
        )
        await session.commit()

    assert await _sees_all(gql, ada_shared) == dict.fromkeys(ada_shared.viewers, False)
    for role, meeting in ada_shared.meetings.items():
        assert await prep(gql, ada_shared.viewers[role], meeting["id"]) is not None, role
        agenda = await mutate(
            gql,
            ADD_ITEM,
            {"meetingId": meeting["id"], "text": "That goal", "goalId": ada_shared.goal["id"]},
            token=ada_shared.viewers[role].token,
        )
        assert agenda["__typename"] == "NotFoundError", (role, agenda)
