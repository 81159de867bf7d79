"""What the read log costs in SQL statements: a reader pays one INSERT per
request, however many items and paths; the owner's readBy over a page of
items is one batched read."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.api.feedback_item_helpers import given, shared_feedback
from tests.api.goal_helpers import checked_in, created, shared
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.relationship_helpers import established

READER_QUERY = """
query($id: ID!) {
  node(id: $id) {
    ... on Person {
      goals { title checkIns { note } }
      feedbackReceived(first: 50) { edges { node { text } } }
    }
  }
}
"""

# Pinned. The reads, as many as before the read log existed (measured on
# the code without it): the viewer, the person, their goals, the goals'
# check-ins, the feedback page; then the read log's one INSERT.
READS = 5
READER_STATEMENTS = READS + 1

# The owner's pages, with (or without) a selection in each item.
OWNER_PAGES = {
    "goals": "{ viewer { goals { title %s } } }",
    "feedback": "{ viewer { feedbackReceived(first: 50) { edges { node { text %s } } } } }",
}
READ_BY = "readBy { lastReadAt readCount }"


async def _shared_items(gql: GraphQL, org: Org, size: int) -> tuple[Member, Member]:
    """An owner with `size` goals (each with a check-in) and `size` feedback
    items, all shared with their steward; (owner, steward)."""
    owner, steward, giver = [await org.add_member() for _ in range(3)]
    await established(gql, steward, owner)
    for n in range(size):
        goal = (await created(gql, owner, f"Goal {n:02d}"))["id"]
        await checked_in(gql, owner, goal)
        await shared(gql, owner, goal, "STEWARD")
        item = (await given(gql, giver, owner, f"Item {n:02d}"))["id"]
        await shared_feedback(gql, owner, item)
    return owner, steward


async def _count(
    app: FastAPI, gql: GraphQL, member: Member, query: str, **variables: Any
) -> tuple[list[str], dict[str, Any]]:
    with count_statements(app.state.engine) as counter:
        data = await gql.data(query, variables, token=member.token)
    return counter.statements, data


@pytest.mark.parametrize("size", [3, 30])
async def test_a_reader_pays_one_insert_whatever_the_number_of_items(
    app: FastAPI, gql: GraphQL, org: Org, size: int
) -> None:
    owner, steward = await _shared_items(gql, org, size)

    statements, data = await _count(app, gql, steward, READER_QUERY, id=owner.id)
    assert len(data["node"]["goals"]) == len(data["node"]["feedbackReceived"]["edges"]) == size
    assert len(statements) == READER_STATEMENTS, statements
    assert all(s.startswith("SELECT") for s in statements[:READS]), statements
    assert statements[-1].startswith("INSERT INTO read_log"), statements

    # The owner's own request writes nothing.
    statements, _ = await _count(app, gql, owner, READER_QUERY, id=owner.id)
    assert all(s.startswith("SELECT") for s in statements), statements


@pytest.mark.parametrize("page", sorted(OWNER_PAGES))
@pytest.mark.parametrize("size", [3, 30])
async def test_the_owners_read_log_of_a_page_is_one_statement(
    app: FastAPI, gql: GraphQL, org: Org, size: int, page: str
) -> None:
    owner, steward = await _shared_items(gql, org, size)
    await gql.data(READER_QUERY, {"id": owner.id}, token=steward.token)
    query = OWNER_PAGES[page]

    without, _ = await _count(app, gql, owner, query % "")
    with_log, data = await _count(app, gql, owner, query % READ_BY)
    assert len(with_log) == len(without) + 1, with_log
    viewer = data["viewer"]
    found = (
        viewer["goals"]
        if page == "goals"
        else [edge["node"] for edge in viewer["feedbackReceived"]["edges"]]
    )
    assert len(found) == size
    assert all(item["readBy"][0]["readCount"] == 1 for item in found)

    # The readers' names: one more batch for all of them.
    with_names, _ = await _count(app, gql, owner, query % "readBy { person { name } readCount }")
    assert len(with_names) == len(without) + 2, with_names
