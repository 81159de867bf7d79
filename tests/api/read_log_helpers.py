"""The cast and documents of the read log tests: a person who shared a goal,
a feedback item and a request's results with their steward (with whom
they have 1-on-1s), and the ways anyone may read them. What a test checks
goes through GraphQL; `log_rows` reads the table itself to show how many
records the reads made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from api.context import Services
from tests.api.feedback_helpers import asked, give
from tests.api.feedback_item_helpers import given, shared_feedback
from tests.api.goal_helpers import checked_in, created, shared
from tests.api.harness import GraphQL, Member, Org
from tests.api.one_on_one_helpers import started
from tests.fakes import FakeClock

READ_BY = "readBy { person { id } lastReadAt readCount }"

OWNER_VIEW = f"""
query OwnerView($id: ID!) {{
  node(id: $id) {{
    __typename
    ... on Goal {{
      {READ_BY}
      shares: sharedWith {{ audience {READ_BY} }}
      sharedWithOrganization {{ {READ_BY} }}
    }}
    ... on FeedbackItem {{ {READ_BY} feedbackShares: sharedWith {{ audience {READ_BY} }} }}
    ... on FeedbackRequest {{ {READ_BY} feedbackShares: sharedWith {{ audience {READ_BY} }} }}
  }}
}}
"""

# Each reads content of the cast's items in one request, by one path.
GOAL_BY_NODE = "query($id: ID!) { node(id: $id) { ... on Goal { title } } }"
GOAL_BY_NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Goal { description } } }"
GOALS_OF_PERSON = """
query($id: ID!) { node(id: $id) { ... on Person { goals { status checkIns { note } } } } }
"""
PREP_GOALS = """
query($id: ID!) {
  node(id: $id) {
    ... on OneOnOneMeeting { prep { goals { goal { id } checkInsSince { note } } } }
  }
}
"""
ITEM_BY_NODE = "query($id: ID!) { node(id: $id) { ... on FeedbackItem { text } } }"
ITEMS_RECEIVED = """
query($id: ID!) {
  node(id: $id) { ... on Person { feedbackReceived(first: 10) { edges { node { text } } } } }
}
"""
PREP_FEEDBACK = """
query($id: ID!) { node(id: $id) { ... on OneOnOneMeeting { prep { feedback { giver { id } } } } } }
"""
RESULTS_BY_NODE = """
query($id: ID!) {
  node(id: $id) { ... on FeedbackRequest { results { released questions { texts } } } }
}
"""
PREP_RESULTS = """
query($id: ID!) {
  node(id: $id) {
    ... on OneOnOneMeeting { prep { feedbackRequests { results { questions { texts } } } } }
  }
}
"""


@dataclass
class Cast:
    org: Org
    owner: Member
    steward: Member
    giver: Member
    goal: str
    item: str
    request: str
    meeting: str
    """The next 1-on-1 of the steward with the owner: its prep reads all three."""


async def shared_cast(gql: GraphQL, clock: FakeClock, org: Org) -> Cast:
    """Ada shares a goal (with a check-in), feedback Gil gave her and the
    results of a NAMED request Gil answered, all with her steward Sam."""
    owner = await org.add_member("Ada Owner")
    steward = await org.add_member("Sam Steward")
    giver = await org.add_member("Gil Giver")
    other = await org.add_member("Oda Other")
    _, meeting = await started(gql, clock, steward, owner)
    # Everything below happens after the stewardship began: its prep counts it.
    clock.advance(timedelta(minutes=1))
    goal = (await created(gql, owner, "Run the retro"))["id"]
    await checked_in(gql, owner, goal, 30, "MEDIUM", "Half way")
    await shared(gql, owner, goal, "STEWARD")
    item = (await given(gql, giver, owner, "Clear and kind."))["id"]
    await shared_feedback(gql, owner, item)
    request = (await asked(gql, clock, owner, [giver, other]))["id"]
    await give(gql, giver, request, text="Good pace.")
    await shared_feedback(gql, owner, request)
    return Cast(org, owner, steward, giver, goal, item, request, meeting["id"])


async def read(gql: GraphQL, reader: Member, document: str, **variables: Any) -> dict[str, Any]:
    """One request; it must answer without errors."""
    return await gql.data(document, variables, token=reader.token)


async def read_by(gql: GraphQL, viewer: Member, node_id: str) -> list[dict[str, Any]] | None:
    """The item's read log as `viewer` sees it."""
    found = (await read(gql, viewer, OWNER_VIEW, id=node_id))["node"]
    assert found is not None
    return found["readBy"]


async def share_logs(gql: GraphQL, owner: Member, node_id: str) -> dict[str, list[Any]]:
    """The read log of each of the item's shares: audience -> entries."""
    found = (await read(gql, owner, OWNER_VIEW, id=node_id))["node"]
    shares = found.get("shares", found.get("feedbackShares"))
    logs = {share["audience"]: share["readBy"] for share in shares}
    if found.get("sharedWithOrganization"):
        logs["ORGANIZATION"] = found["sharedWithOrganization"]["readBy"]
    return logs


def counts(entries: list[dict[str, Any]] | None) -> dict[str, int]:
    """Reader id -> read count."""
    assert entries is not None
    return {entry["person"]["id"]: entry["readCount"] for entry in entries}


async def log_rows(services: Services) -> list[dict[str, Any]]:
    """The table itself: one row per item, reader and day."""
    async with services.session_factory() as session:
        rows = await session.execute(
            sa.text(
                "SELECT source_id, reader_id, owner_id, day, last_read_at, read_count"
                " FROM read_log ORDER BY day, source_id, reader_id"
            )
        )
        return [dict(row._mapping) for row in rows]
