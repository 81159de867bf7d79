"""Feedback given unasked, shared with a steward or mentor and taken back,
acknowledged and turned into a goal or a talking point: the whole loop
through the public API."""

from __future__ import annotations

from tests.api.feedback_item_helpers import (
    acknowledge,
    feedback_node,
    given,
    into_goal,
    into_talking_point,
    person_items,
    shared_feedback,
    unshare_feedback,
)
from tests.api.harness import GraphQL, Org
from tests.api.relationship_helpers import established


async def test_the_loop_from_giving_to_acting_on_it(gql: GraphQL, org: Org) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    stewardship = await established(gql, steward, ada)

    item = await given(gql, bo, ada, "You explained the migration plan very clearly.")
    assert item["giver"]["id"] == bo.id
    assert item["subject"]["id"] == ada.id
    assert item["sharedWith"] is None
    assert item["actions"] is None
    assert (item["acknowledged"], item["actedOn"]) == (False, False)

    # Private to Ada until she shares it.
    assert await feedback_node(gql, steward, item["id"]) is None
    mine = await feedback_node(gql, ada, item["id"])
    assert mine is not None
    assert mine["sharedWith"] == []
    assert mine["actions"] == []

    shared = await shared_feedback(gql, ada, item["id"])
    assert [s["person"]["id"] for s in shared["sharedWith"]] == [steward.id]
    seen = await feedback_node(gql, steward, item["id"])
    assert seen is not None
    assert seen["text"] == item["text"]
    assert seen["sharedWith"] is None
    assert seen["actions"] is None
    assert [i["id"] for i in (await person_items(gql, steward, ada))["feedbackReceived"]] == [
        item["id"]
    ]

    result = await unshare_feedback(gql, ada, item["id"])
    assert result["__typename"] == "FeedbackSharingSuccess", result
    assert await feedback_node(gql, steward, item["id"]) is None

    result = await acknowledge(gql, ada, item["id"])
    assert result["__typename"] == "FeedbackActionSuccess", result
    result = await into_goal(gql, ada, item["id"], "Explain plans the same way")
    assert result["__typename"] == "FeedbackGoalSuccess", result
    goal_id = result["goal"]["id"]
    result = await into_talking_point(gql, ada, item["id"], stewardship["id"], "How I explain")
    assert result["__typename"] == "FeedbackTalkingPointSuccess", result

    giver_view = await feedback_node(gql, bo, item["id"])
    assert giver_view is not None
    assert (giver_view["acknowledged"], giver_view["actedOn"]) == (True, True)
    assert giver_view["actions"] is None
    assert giver_view["goal"] is None
    owner_view = await feedback_node(gql, ada, item["id"])
    assert owner_view is not None
    actions = {a["kind"]: a for a in owner_view["actions"]}
    assert sorted(actions) == ["ACKNOWLEDGED", "GOAL", "TALKING_POINT"]
    assert actions["GOAL"]["goal"]["id"] == goal_id
    assert actions["TALKING_POINT"]["talkingPoint"]["text"] == "How I explain"
    assert [i["id"] for i in (await person_items(gql, bo, bo))["feedbackGiven"]] == [item["id"]]
