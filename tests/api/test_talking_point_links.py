"""A talking point raised from feedback links back to that feedback, for
the person the feedback is about, through the public API: from the talking
point (on the action, the mutation's result, the agenda item that carries
it, also once carried over, and in the prep). The other person of the
relationship reads the talking point's text and nothing more: not the link,
not the feedback, not even that the item came from feedback, also when the
feedback is shared with them. Org faculty, the giver and another
organization reach none of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from fastapi import FastAPI

from tests.api.feedback_helpers import CLOSE, asked, give, request_changed
from tests.api.feedback_item_helpers import given, into_talking_point, shared_feedback
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.one_on_one_helpers import HOLD, started, succeed
from tests.api.relationship_helpers import advance
from tests.fakes import FakeClock

SOURCE = """
fromFeedback {
  __typename
  ... on FeedbackItem { id text giver { id } }
  ... on FeedbackRequest { id topic }
}
"""
ITEM = f"""
id text fromTalkingPoint author {{ id }}
talkingPoint {{ text relationship {{ id }} {SOURCE} }}
"""
MEETING = f"""
query Meeting($id: ID!) {{ node(id: $id) {{ ... on OneOnOneMeeting {{
  agenda {{ {ITEM} }}
  prep {{ agenda {{ {ITEM} }} }}
}} }} }}
"""
AGENDA_ITEM = f"query Item($id: ID!) {{ node(id: $id) {{ ... on AgendaItem {{ {ITEM} }} }} }}"
FEEDBACK = f"""
query Feedback($id: ID!) {{ node(id: $id) {{
  ... on FeedbackItem {{ actedOn actions {{ kind talkingPoint {{ text {SOURCE} }} }} }}
  ... on FeedbackRequest {{ actedOn actions {{ kind talkingPoint {{ text {SOURCE} }} }} }}
}} }}
"""
RAISE = f"""
mutation Raise($input: TurnFeedbackIntoTalkingPointInput!) {{
  turnFeedbackIntoTalkingPoint(input: $input) {{
    __typename
    ... on FeedbackTalkingPointSuccess {{ talkingPoint {{ text {SOURCE} }} }}
  }}
}}
"""


def secret(label: str) -> str:
    return f"{label} {uuid4().hex[:12]}"


async def raw(gql: GraphQL, query: str, viewer: Member, node_id: str) -> tuple[str, Any]:
    response = await gql.raw(query, {"id": node_id}, token=viewer.token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return response.text, body["data"]["node"]


async def test_the_person_reaches_the_feedback_item_their_talking_point_came_from(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    steward, person = await org.add_member("Sam Steward"), await org.add_member("Pia Person")
    giver = await org.add_member("Bo Giver")
    series, first = await started(gql, clock, steward, person)
    relationship_id = series["relationship"]["id"]
    feedback_text = secret("You rush the demos")
    item = await given(gql, giver, person, feedback_text)
    expected = {
        "__typename": "FeedbackItem",
        "id": item["id"],
        "text": feedback_text,
        "giver": {"id": giver.id},
    }

    response = await gql.data(
        RAISE,
        {
            "input": {
                "feedbackId": item["id"],
                "relationshipId": relationship_id,
                "text": "Pacing in demos",
            }
        },
        token=person.token,
    )
    raised = response["turnFeedbackIntoTalkingPoint"]
    assert raised["talkingPoint"] == {"text": "Pacing in demos", "fromFeedback": expected}

    _, seen = await raw(gql, FEEDBACK, person, item["id"])
    (action,) = seen["actions"]
    assert action["talkingPoint"]["fromFeedback"] == expected
    _, seen = await raw(gql, MEETING, person, first["id"])
    for agenda in (seen["agenda"], seen["prep"]["agenda"]):
        (on_agenda,) = agenda
        assert on_agenda["fromTalkingPoint"] is True
        assert on_agenda["talkingPoint"] == {
            "text": "Pacing in demos",
            "relationship": {"id": relationship_id},
            "fromFeedback": expected,
        }

    # Carried over to the next meeting, it still leads back.
    advance(clock, timedelta(days=1, hours=1), org)
    held = await succeed(gql, HOLD, steward, "OneOnOneMeetingSuccess", meetingId=first["id"])
    _, seen = await raw(gql, MEETING, person, held["nextMeeting"]["id"])
    (carried,) = seen["agenda"]
    assert carried["talkingPoint"]["fromFeedback"] == expected
    assert carried["fromTalkingPoint"] is True


async def test_the_person_reaches_the_request_whose_results_they_raised(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    steward, person = await org.add_member("Sam Steward"), await org.add_member("Pia Person")
    peers = [await org.add_member("Pat Peer"), await org.add_member("Quinn Peer")]
    series, first = await started(gql, clock, steward, person)
    topic = secret("My facilitation")
    request = await asked(gql, clock, person, peers, topic=topic)
    for peer in peers:
        await give(gql, peer, request["id"])
    await request_changed(gql, CLOSE, person, request["id"])

    result = await into_talking_point(
        gql, person, request["id"], series["relationship"]["id"], "Facilitation"
    )
    assert result["__typename"] == "FeedbackTalkingPointSuccess", result

    _, seen = await raw(gql, MEETING, person, first["id"])
    (on_agenda,) = seen["agenda"]
    assert on_agenda["talkingPoint"]["fromFeedback"] == {
        "__typename": "FeedbackRequest",
        "id": request["id"],
        "topic": topic,
    }
    text, seen = await raw(gql, MEETING, steward, first["id"])
    (on_agenda,) = seen["agenda"]
    assert (on_agenda["text"], on_agenda["fromTalkingPoint"], on_agenda["talkingPoint"]) == (
        "Facilitation",
        False,
        None,
    )
    for trace in (request["id"], topic):
        assert trace not in text


async def test_nobody_else_learns_that_an_item_came_from_feedback(
    gql: GraphQL, org: Org, clock: FakeClock, make_org: Any
) -> None:
    steward, person = await org.add_member("Sam Steward"), await org.add_member("Pia Person")
    giver = await org.add_member("Bo Giver")
    colleague = await org.add_member("Cleo Colleague")
    series, first = await started(gql, clock, steward, person)
    feedback_text = secret("You rush the demos")
    item = await given(gql, giver, person, feedback_text)
    result = await into_talking_point(
        gql, person, item["id"], series["relationship"]["id"], "Pacing in demos"
    )
    assert result["__typename"] == "FeedbackTalkingPointSuccess", result
    _, seen = await raw(gql, MEETING, person, first["id"])
    agenda_item_id = seen["agenda"][0]["id"]
    traces = (item["id"], feedback_text, giver.id)

    async def as_the_steward() -> None:
        text, seen = await raw(gql, MEETING, steward, first["id"])
        for agenda in (seen["agenda"], seen["prep"]["agenda"]):
            (on_agenda,) = agenda
            assert on_agenda["text"] == "Pacing in demos"
            assert on_agenda["author"] == {"id": person.id}
            assert on_agenda["fromTalkingPoint"] is False
            assert on_agenda["talkingPoint"] is None
        text_of_node, node = await raw(gql, AGENDA_ITEM, steward, agenda_item_id)
        assert (node["fromTalkingPoint"], node["talkingPoint"]) == (False, None)
        for trace in traces:
            assert trace not in text
            assert trace not in text_of_node

    await as_the_steward()
    # Shared with the steward, the feedback is theirs to read; the agenda
    # still does not say where the item came from.
    await shared_feedback(gql, person, item["id"])
    await as_the_steward()
    _, seen = await raw(gql, FEEDBACK, steward, item["id"])
    assert seen["actions"] is None

    # The giver learns it was acted on, nothing of what it became.
    text, seen = await raw(gql, FEEDBACK, giver, item["id"])
    assert seen == {"actedOn": True, "actions": None}
    assert "Pacing in demos" not in text

    elsewhere = await make_org("Elsewhere")
    for outsider in (org.faculty, giver, colleague, elsewhere.faculty):
        for query, node_id in ((MEETING, first["id"]), (AGENDA_ITEM, agenda_item_id)):
            text, seen = await raw(gql, query, outsider, node_id)
            assert seen is None
            assert "Pacing in demos" not in text
    for outsider in (org.faculty, colleague, elsewhere.faculty):
        _, seen = await raw(gql, FEEDBACK, outsider, item["id"])
        assert seen is None


async def test_the_links_of_a_whole_agenda_read_in_one_batch_per_level(
    app: FastAPI, gql: GraphQL, make_org: Any, clock: FakeClock
) -> None:
    """No N+1: an agenda of 2 or 20 talking points, each followed to its
    feedback (items and requests alike), runs the same statements."""
    counts = {}
    for size in (2, 20):
        org = await make_org(f"Links {size}")
        steward, person = await org.add_member("Sam Steward"), await org.add_member("Pia Person")
        giver = await org.add_member("Bo Giver")
        series, first = await started(gql, clock, steward, person)
        for n in range(size):
            item = await given(gql, giver, person, f"Feedback {n}")
            result = await into_talking_point(
                gql, person, item["id"], series["relationship"]["id"], f"Point {n}"
            )
            assert result["__typename"] == "FeedbackTalkingPointSuccess", result
        with count_statements(app.state.engine) as counter:
            _, seen = await raw(gql, MEETING, person, first["id"])
        assert len(seen["agenda"]) == size
        assert all(i["talkingPoint"]["fromFeedback"] for i in seen["agenda"])
        counts[size] = counter.count
        print(f"an agenda of {size} talking points with their feedback: {counter.count} statements")
    assert counts[2] == counts[20], counts
