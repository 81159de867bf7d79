"""Spreading the asking: how much someone is asked, and whom to ask."""

from __future__ import annotations

from datetime import UTC, timedelta

from tests.api.feedback_helpers import UPDATE_SETTINGS
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import add_team_member, create_team
from tests.api.relationship_helpers import advance
from tests.fakes import FakeClock

REQUEST = """
mutation($input: RequestFeedbackInput!) {
  requestFeedback(input: $input) { __typename ... on Error { code } }
}
"""
LOAD = """
query($id: ID!) {
  node(id: $id) { ... on Person { feedbackLoad { openInvitations askedLast90Days lastAskedOn } } }
}
"""


async def _ask(gql: GraphQL, by: Member, invitees: list[Member], clock: FakeClock) -> None:
    result = await gql.data(
        REQUEST,
        {
            "input": {
                "topic": "How did the workshop go?",
                "anonymity": "NAMED",
                "dueAt": (clock.now() + timedelta(days=7)).isoformat(),
                "questions": [{"kind": "TEXT", "prompt": "What worked?"}],
                "inviteeIds": [m.id for m in invitees],
            }
        },
        token=by.token,
    )
    assert result["requestFeedback"]["__typename"] == "FeedbackRequestSuccess", result


async def test_the_load_shows_open_and_recent_invitations(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    asker = await org.add_member("Asker")
    other = await org.add_member("Other")
    peer = await org.add_member("Peer")
    before = (await gql.data(LOAD, {"id": peer.id}, token=asker.token))["node"]["feedbackLoad"]
    assert before == {"openInvitations": 0, "askedLast90Days": 0, "lastAskedOn": None}
    await _ask(gql, asker, [peer], clock)
    await _ask(gql, other, [peer], clock)
    load = (await gql.data(LOAD, {"id": peer.id}, token=asker.token))["node"]["feedbackLoad"]
    assert load["openInvitations"] == 2
    assert load["askedLast90Days"] == 2
    assert load["lastAskedOn"] == clock.now().astimezone(UTC).date().isoformat()


async def test_suggestions_are_colleagues_least_recently_asked_first(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    me = await org.add_member("Me")
    often, never, stranger = (
        await org.add_member("Often Asked"),
        await org.add_member("Never Asked"),
        await org.add_member("Stranger"),
    )
    team = await create_team(gql, org.faculty.token, "Checkout")
    for member in (me, often, never):
        await add_team_member(gql, org.faculty.token, team["id"], member.id)
    await _ask(gql, stranger, [often], clock)

    data = await gql.data("{ viewer { feedbackSuggestions(limit: 5) { name } } }", token=me.token)
    names = [p["name"] for p in data["viewer"]["feedbackSuggestions"]]
    assert names == ["Never Asked", "Often Asked"]  # no stranger, not myself
    other = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on Person { feedbackSuggestions { name } } } }",
        {"id": me.id},
        token=often.token,
    )
    assert other["node"]["feedbackSuggestions"] is None


async def test_suggestions_leave_out_people_at_their_open_invitation_cap(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Asking someone at the cap would be refused: they are not suggested
    until one of their invitations is no longer open."""
    cap = 2
    result = await gql.data(
        UPDATE_SETTINGS, {"input": {"feedbackOpenInvitationCap": cap}}, token=org.faculty.token
    )
    assert result["updateOrganizationSettings"]["__typename"] == "OrganizationSuccess", result
    me, busy, almost, askers = (
        await org.add_member("Me"),
        await org.add_member("Busy"),
        await org.add_member("Almost Busy"),
        [await org.add_member(f"Asker {n}") for n in range(cap)],
    )
    team = await create_team(gql, org.faculty.token, "Checkout")
    for member in (me, busy, almost):
        await add_team_member(gql, org.faculty.token, team["id"], member.id)
    for asker in askers:
        await _ask(gql, asker, [busy], clock)
    await _ask(gql, askers[0], [almost], clock)

    assert await _suggested(gql, me) == ["Almost Busy"]
    refused = await gql.data(
        REQUEST,
        {
            "input": {
                "topic": "Was the retro useful?",
                "anonymity": "NAMED",
                "dueAt": (clock.now() + timedelta(days=7)).isoformat(),
                "questions": [{"kind": "TEXT", "prompt": "What worked?"}],
                "inviteeIds": [busy.id],
            }
        },
        token=me.token,
    )
    assert refused["requestFeedback"] == {
        "__typename": "LimitExceededError",
        "code": "LIMIT_EXCEEDED",
    }

    # Once their invitations are no longer open, they are suggested again.
    advance(clock, timedelta(days=8), org)
    assert await _suggested(gql, me) == ["Almost Busy", "Busy"]


async def _suggested(gql: GraphQL, member: Member) -> list[str]:
    data = await gql.data(
        "{ viewer { feedbackSuggestions(limit: 10) { name } } }", token=member.token
    )
    return [p["name"] for p in data["viewer"]["feedbackSuggestions"]]
