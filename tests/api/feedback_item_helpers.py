"""GraphQL documents and helpers for feedback given unasked, and for
sharing and acting on any feedback (an item, or a request's results)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from api.context import Services
from tests.api.feedback_helpers import ERROR_FIELDS, RESULTS_FIELDS
from tests.api.harness import GraphQL, Member
from tests.api.queries import mutate

SHARE_FIELDS = "audience person { id } sharedAt reaches { id } endedAt endedBecause"
ACTION_FIELDS = """
    kind createdAt
    goal { id title }
    talkingPoint { text createdAt relationship { id } }
"""

ITEM_FIELDS = f"""
    __typename id text createdAt acknowledged actedOn
    subject {{ id }}
    giver {{ id }}
    goal {{ id }}
    sharedWith {{ {SHARE_FIELDS} }}
    actions {{ {ACTION_FIELDS} }}
"""

REQUEST_SHARING_FIELDS = f"""
    __typename id topic acknowledged actedOn
    requester {{ id }}
    invitees {{ status invitee {{ id }} }}
    results {{ {RESULTS_FIELDS} }}
    sharedWith {{ {SHARE_FIELDS} }}
    actions {{ {ACTION_FIELDS} }}
"""

FEEDBACK_FIELDS = f"""
    ... on FeedbackItem {{ {ITEM_FIELDS} }}
    ... on FeedbackRequest {{ {REQUEST_SHARING_FIELDS} }}
"""

GIVE_FEEDBACK = f"""
mutation Give($input: GiveFeedbackInput!) {{
  giveFeedback(input: $input) {{
    {ERROR_FIELDS}
    ... on GiveFeedbackSuccess {{ item {{ {ITEM_FIELDS} }} }}
  }}
}}
"""

_SHARING_RESULT = f"""
    {ERROR_FIELDS}
    ... on FeedbackSharingSuccess {{ feedback {{ {FEEDBACK_FIELDS} }} }}
"""

SHARE_FEEDBACK = f"""
mutation Share($input: ShareFeedbackInput!) {{
  shareFeedback(input: $input) {{ {_SHARING_RESULT} }}
}}
"""

UNSHARE_FEEDBACK = f"""
mutation Unshare($input: ShareFeedbackInput!) {{
  unshareFeedback(input: $input) {{ {_SHARING_RESULT} }}
}}
"""

ACKNOWLEDGE_FEEDBACK = f"""
mutation Acknowledge($input: FeedbackIdInput!) {{
  acknowledgeFeedback(input: $input) {{
    {ERROR_FIELDS}
    ... on FeedbackActionSuccess {{
      feedback {{ {FEEDBACK_FIELDS} }}
      action {{ {ACTION_FIELDS} }}
    }}
  }}
}}
"""

TURN_INTO_GOAL = f"""
mutation IntoGoal($input: TurnFeedbackIntoGoalInput!) {{
  turnFeedbackIntoGoal(input: $input) {{
    {ERROR_FIELDS}
    ... on FeedbackGoalSuccess {{
      feedback {{ {FEEDBACK_FIELDS} }}
      action {{ {ACTION_FIELDS} }}
      goal {{ id title status owner {{ id }} }}
    }}
  }}
}}
"""

TURN_INTO_TALKING_POINT = f"""
mutation IntoTalkingPoint($input: TurnFeedbackIntoTalkingPointInput!) {{
  turnFeedbackIntoTalkingPoint(input: $input) {{
    {ERROR_FIELDS}
    ... on FeedbackTalkingPointSuccess {{
      feedback {{ {FEEDBACK_FIELDS} }}
      action {{ {ACTION_FIELDS} }}
      talkingPoint {{ text relationship {{ id }} }}
    }}
  }}
}}
"""

PERSON_ITEMS = f"""
query PersonItems($id: ID!) {{
  node(id: $id) {{
    ... on Person {{
      feedbackReceived(first: 50) {{ edges {{ node {{ {ITEM_FIELDS} }} }} }}
      feedbackGiven(first: 50) {{ edges {{ node {{ {ITEM_FIELDS} }} }} }}
      feedbackRequests(first: 50) {{ edges {{ node {{ {REQUEST_SHARING_FIELDS} }} }} }}
    }}
  }}
}}
"""

FEEDBACK_NODE = f"""
query FeedbackNode($id: ID!) {{ node(id: $id) {{ __typename id {FEEDBACK_FIELDS} }} }}
"""

FEEDBACK_NODES = f"""
query FeedbackNodes($ids: [ID!]!) {{ nodes(ids: $ids) {{ __typename id {FEEDBACK_FIELDS} }} }}
"""


async def give_feedback(
    gql: GraphQL, giver: Member, subject: Member | str, text: str = "Great demo.", **values: Any
) -> dict[str, Any]:
    """The typed result of giveFeedback (success or error)."""
    subject_id = subject if isinstance(subject, str) else subject.id
    return await mutate(
        gql, GIVE_FEEDBACK, {"subjectId": subject_id, "text": text, **values}, token=giver.token
    )


async def given(
    gql: GraphQL, giver: Member, subject: Member, text: str = "Great demo.", **values: Any
) -> dict[str, Any]:
    """An item that must be given, as its giver sees it."""
    result = await give_feedback(gql, giver, subject, text, **values)
    assert result["__typename"] == "GiveFeedbackSuccess", result
    return result["item"]


async def share_feedback(
    gql: GraphQL,
    owner: Member,
    feedback_id: str,
    audience: str = "STEWARD",
    person: Member | None = None,
    *,
    document: str = SHARE_FEEDBACK,
) -> dict[str, Any]:
    values: dict[str, Any] = {"feedbackId": feedback_id, "audience": audience}
    if person is not None:
        values["personId"] = person.id
    return await mutate(gql, document, values, token=owner.token)


async def shared_feedback(
    gql: GraphQL,
    owner: Member,
    feedback_id: str,
    audience: str = "STEWARD",
    person: Member | None = None,
) -> dict[str, Any]:
    result = await share_feedback(gql, owner, feedback_id, audience, person)
    assert result["__typename"] == "FeedbackSharingSuccess", result
    return result["feedback"]


async def unshare_feedback(
    gql: GraphQL,
    owner: Member,
    feedback_id: str,
    audience: str = "STEWARD",
    person: Member | None = None,
) -> dict[str, Any]:
    return await share_feedback(
        gql, owner, feedback_id, audience, person, document=UNSHARE_FEEDBACK
    )


async def acknowledge(gql: GraphQL, owner: Member, feedback_id: str) -> dict[str, Any]:
    return await mutate(gql, ACKNOWLEDGE_FEEDBACK, {"feedbackId": feedback_id}, token=owner.token)


async def into_goal(
    gql: GraphQL, owner: Member, feedback_id: str, title: str = "Speak more slowly", **values: Any
) -> dict[str, Any]:
    values.setdefault("stage", "FIXED_GOALS")
    return await mutate(
        gql,
        TURN_INTO_GOAL,
        {"feedbackId": feedback_id, "title": title, **values},
        token=owner.token,
    )


async def into_talking_point(
    gql: GraphQL, owner: Member, feedback_id: str, relationship_id: str, text: str = "Pacing"
) -> dict[str, Any]:
    values = {"feedbackId": feedback_id, "relationshipId": relationship_id, "text": text}
    return await mutate(gql, TURN_INTO_TALKING_POINT, values, token=owner.token)


async def feedback_node(gql: GraphQL, viewer: Member, node_id: str) -> dict[str, Any] | None:
    data = await gql.data(FEEDBACK_NODE, {"id": node_id}, token=viewer.token)
    return data["node"]


async def person_items(gql: GraphQL, viewer: Member, person: Member) -> dict[str, Any] | None:
    """`person`'s feedbackReceived / feedbackGiven / feedbackRequests, as
    `viewer` sees them (lists of nodes; None where the field is null)."""
    data = await gql.data(PERSON_ITEMS, {"id": person.id}, token=viewer.token)
    found = data["node"]
    if found is None:
        return None
    return {
        key: None if value is None else [edge["node"] for edge in value["edges"]]
        for key, value in found.items()
    }


_TABLES = {
    "feedback_items": "SELECT * FROM feedback_items ORDER BY id",
    "feedback_shares": "SELECT * FROM feedback_shares ORDER BY id",
    "feedback_actions": "SELECT * FROM feedback_actions ORDER BY id",
    "talking_points": "SELECT * FROM talking_points ORDER BY id",
    "goals": "SELECT * FROM goals ORDER BY id",
    "notifications": "SELECT * FROM notifications ORDER BY id",
}


async def sharing_state(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Everything giving, sharing and acting write: compared before and
    after a refused request to show it changed nothing."""
    async with services.session_factory() as session:
        return {
            name: [tuple(row) for row in (await session.execute(sa.text(query))).all()]
            for name, query in _TABLES.items()
        }
