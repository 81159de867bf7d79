"""Only the owner sees the read log (DESIGN.md section 3): not the reader
themselves, not a mentor who may read the same goal, not a teammate, not
org faculty, nobody in another organization, and no anonymous caller; on
every path an item can be reached by (node, nodes, Person lists, the 1-on-1
prep). Each test runs after reads exist, and also looks for the reader's id
in the raw answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.api.goal_helpers import shared
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import create_area
from tests.api.read_log_helpers import (
    GOAL_BY_NODE,
    ITEM_BY_NODE,
    READ_BY,
    RESULTS_BY_NODE,
    Cast,
    counts,
    read,
    read_by,
    shared_cast,
)
from tests.api.relationship_helpers import MENTORSHIP, established
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]

# Every path to the three items, asking for their read logs and shares.
EVERY_PATH = f"""
query($goal: ID!, $item: ID!, $request: ID!, $owner: ID!, $meeting: ID!) {{
  goal: node(id: $goal) {{
    ... on Goal {{ title {READ_BY} sharedWith {{ {READ_BY} }} }}
  }}
  items: nodes(ids: [$item, $request]) {{
    ... on FeedbackItem {{ text {READ_BY} feedbackShares: sharedWith {{ {READ_BY} }} }}
    ... on FeedbackRequest {{ topic {READ_BY} feedbackShares: sharedWith {{ {READ_BY} }} }}
  }}
  owner: node(id: $owner) {{
    ... on Person {{
      goals {{ title {READ_BY} }}
      feedbackReceived(first: 10) {{ edges {{ node {{ text {READ_BY} }} }} }}
      feedbackRequests(first: 10) {{ edges {{ node {{ topic {READ_BY} }} }} }}
    }}
  }}
  meeting: node(id: $meeting) {{
    ... on OneOnOneMeeting {{
      prep {{
        goals {{ goal {{ title {READ_BY} }} }}
        feedback {{ text {READ_BY} }}
        feedbackRequests {{ topic {READ_BY} }}
      }}
    }}
  }}
}}
"""

READER = "reader"  # the steward, who read everything
MENTOR = "mentor"  # may read the goal too (and did)
TEAMMATE = "teammate"  # the goal is also shared with the organization
FACULTY = "faculty"
OUTSIDER = "outsider"


@pytest.fixture
async def cast(gql: GraphQL, clock: FakeClock, org: Org) -> Cast:
    cast = await shared_cast(gql, clock, org)
    for document, node_id in [
        (GOAL_BY_NODE, cast.goal),
        (ITEM_BY_NODE, cast.item),
        (RESULTS_BY_NODE, cast.request),
    ]:
        await read(gql, cast.steward, document, id=node_id)
    return cast


@pytest.fixture
async def viewers(gql: GraphQL, org: Org, make_org: OrgFactory, cast: Cast) -> dict[str, Member]:
    mentor = await org.add_member("Mia Mentor")
    area = (await create_area(gql, org.faculty.token, "Facilitation"))["id"]
    await established(gql, mentor, cast.owner, kind=MENTORSHIP, areas=[area])
    await shared(gql, cast.owner, cast.goal, "MENTOR", mentor)
    await read(gql, mentor, GOAL_BY_NODE, id=cast.goal)
    # Everyone in the organization may read the goal now, and none but its
    # owner may see who did.
    await shared(gql, cast.owner, cast.goal, "ORGANIZATION")
    elsewhere = await make_org("Elsewhere")
    return {
        READER: cast.steward,
        MENTOR: mentor,
        TEAMMATE: await org.add_member("Tim Teammate"),
        FACULTY: org.faculty,
        OUTSIDER: await elsewhere.add_member("Olaf Outsider"),
    }


def _variables(cast: Cast) -> dict[str, Any]:
    return {
        "goal": cast.goal,
        "item": cast.item,
        "request": cast.request,
        "owner": cast.owner.id,
        "meeting": cast.meeting,
    }


def _logs(value: Any) -> list[Any]:
    """Every readBy anywhere in an answer."""
    if isinstance(value, dict):
        found = [value["readBy"]] if "readBy" in value else []
        return found + [log for v in value.values() for log in _logs(v)]
    if isinstance(value, list):
        return [log for v in value for log in _logs(v)]
    return []


async def test_the_owner_sees_the_log_on_every_path(gql: GraphQL, cast: Cast) -> None:
    data = await gql.data(EVERY_PATH, _variables(cast), token=cast.owner.token)
    logs = _logs(data)
    # goal (node, Person.goals, prep) and its share; item and request (nodes,
    # lists, prep) and their shares.
    assert len(logs) == 12, data
    assert all(counts(log) == {cast.steward.id: 1} for log in logs), data


@pytest.mark.parametrize("role", [READER, MENTOR, TEAMMATE, FACULTY])
async def test_nobody_else_in_the_organization_sees_it(
    gql: GraphQL, cast: Cast, viewers: dict[str, Member], role: str
) -> None:
    viewer = viewers[role]
    body = await gql(EVERY_PATH, _variables(cast), token=viewer.token)
    assert "errors" not in body, body
    data = body["data"]
    logs = _logs(data)
    assert logs, data
    assert all(log is None for log in logs), data
    # What they may read, they read; the log of it is not theirs.
    assert data["goal"]["title"] == "Run the retro"
    assert data["goal"]["sharedWith"] is None
    if role == READER:
        assert data["meeting"]["prep"]["feedback"][0]["text"] == "Clear and kind."
    reader_ids = {viewers[READER].id, viewers[MENTOR].id} - {viewer.id}
    raw = (await gql.raw(EVERY_PATH, _variables(cast), token=viewer.token)).text
    assert not any(reader_id in raw for reader_id in reader_ids), raw
    # The owner sees them all, this viewer included.
    assert set(counts(await read_by(gql, cast.owner, cast.goal))) == {
        viewers[READER].id,
        viewers[MENTOR].id,
        viewer.id,
    }


async def test_another_organization_finds_nothing(
    gql: GraphQL, cast: Cast, viewers: dict[str, Member]
) -> None:
    data = await gql.data(EVERY_PATH, _variables(cast), token=viewers[OUTSIDER].token)
    assert data == {"goal": None, "items": [None, None], "owner": None, "meeting": None}


async def test_an_anonymous_caller_gets_an_authentication_error_and_nothing(
    gql: GraphQL, cast: Cast
) -> None:
    body = await gql(EVERY_PATH, _variables(cast))
    assert body["data"] is None or all(v is None for v in body["data"].values())
    assert {e["extensions"]["code"] for e in body["errors"]} == {"UNAUTHENTICATED"}
    raw = (await gql.raw(EVERY_PATH, _variables(cast))).text
    assert cast.steward.id not in raw
