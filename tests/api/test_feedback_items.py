"""Feedback given unasked, shared with a steward or mentor and taken back,
acknowledged and turned into a goal or a talking point, through the public
API (DESIGN.md section 2 "Feedback", section 3): giving (notification,
lists, goals, bad input), sharing items and a request's results (steward,
mentor, idempotence, handover, ending a relationship, anonymity of shared
results), acting on it (acknowledging, goals, talking points, what the
giver and the invitees learn), only the owner writes, nothing crosses
organizations, concurrent acknowledgements and shares, and batched reads.
Every refused request is shown to return its typed error and to change
nothing."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from api.context import Services
from tests.api.feedback_helpers import CLOSE, asked, give, request_changed
from tests.api.feedback_item_helpers import (
    ACKNOWLEDGE_FEEDBACK,
    FEEDBACK_NODE,
    FEEDBACK_NODES,
    GIVE_FEEDBACK,
    SHARE_FEEDBACK,
    TURN_INTO_GOAL,
    TURN_INTO_TALKING_POINT,
    UNSHARE_FEEDBACK,
    acknowledge,
    feedback_node,
    give_feedback,
    given,
    into_goal,
    into_talking_point,
    person_items,
    share_feedback,
    shared_feedback,
    sharing_state,
    unshare_feedback,
)
from tests.api.goal_helpers import created, goal_node, reads, shared, unshare
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.queries import assert_error, create_area, create_team, missing_id, mutate
from tests.api.relationship_helpers import (
    ACCEPT,
    END,
    FOLLOWER,
    MARK_LEFT,
    MENTORSHIP,
    advance,
    established,
    proposed,
    succeeded,
)
from tests.fakes import FakeClock


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


# == shared set-up ===================================================================

OrgFactory = Callable[..., Awaitable[Org]]

FEEDBACK_NOTIFICATIONS = """
{
  viewer {
    notifications(first: 100) {
      edges { node { kind actor { id } feedbackItem { id text subject { id } giver { id } } } }
    }
  }
}
"""

INBOX_RESPONSES = """
{
  viewer {
    feedbackInbox(first: 100) {
      edges {
        node {
          request {
            id acknowledged actedOn
            invitees { status }
            results { released }
            sharedWith { audience }
            actions { kind }
          }
        }
      }
    }
  }
}
"""


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def ids(found: list[dict[str, Any]] | None) -> list[str]:
    assert found is not None
    return [entry["id"] for entry in found]


def shares(found: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(audience, person id) of each share the owner sees listed (until they
    take it back), whether it still reaches that person or not."""
    assert found is not None
    assert found["sharedWith"] is not None, found
    return [(s["audience"], s["person"]["id"]) for s in found["sharedWith"]]


def reaching(found: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(audience, person id) of each share that reaches its person now."""
    assert found is not None
    assert found["sharedWith"] is not None, found
    return [(s["audience"], s["reaches"]["id"]) for s in found["sharedWith"] if s["reaches"]]


def action_kinds(found: dict[str, Any] | None) -> list[str]:
    assert found is not None
    assert found["actions"] is not None, found
    return sorted(a["kind"] for a in found["actions"])


async def feedback_notifications(gql: GraphQL, member: Member) -> list[dict[str, Any]]:
    data = await gql.data(FEEDBACK_NOTIFICATIONS, token=member.token)
    edges = data["viewer"]["notifications"]["edges"]
    return [edge["node"] for edge in edges if edge["node"]["kind"] == "FEEDBACK_RECEIVED"]


async def refused(
    services: Services,
    attempt: Awaitable[dict[str, Any]],
    typename: str,
    code: str,
    field: str | None = None,
) -> None:
    """The attempt returns the typed error and writes nothing."""
    before = await sharing_state(services)
    assert_error(await attempt, typename, code, field)
    assert await sharing_state(services) == before


async def an_area(gql: GraphQL, org: Org, name: str = "Data") -> str:
    return (await create_area(gql, org.faculty.token, name))["id"]


async def results_seen(gql: GraphQL, viewer: Member, request_id: str) -> dict[str, Any] | None:
    found = await feedback_node(gql, viewer, request_id)
    assert found is not None
    return found["results"]


async def inbox_requests(gql: GraphQL, member: Member) -> dict[str, dict[str, Any]]:
    data = await gql.data(INBOX_RESPONSES, token=member.token)
    return {
        edge["node"]["request"]["id"]: edge["node"]["request"]
        for edge in data["viewer"]["feedbackInbox"]["edges"]
    }


async def all_at_once(
    gql: GraphQL, document: str, member: Member, values: dict[str, Any], times: int = 10
) -> list[dict[str, Any]]:
    """Sends the same mutation `times` times at once; each must be an HTTP 200
    with a typed result and no GraphQL errors (an INTERNAL error would be one)."""
    responses = await asyncio.gather(
        *(gql.raw(document, {"input": values}, token=member.token) for _ in range(times))
    )
    outcomes = []
    for response in responses:
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        (outcome,) = body["data"].values()
        outcomes.append(outcome)
    return outcomes


# == giving ===========================================================================


async def test_giving_notifies_the_subject_and_lists_it_for_subject_and_giver(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    cy = await org.add_member("Cy")
    bystander = await org.add_member("Bystander")

    first = await given(gql, bo, ada, "  Your review comments were kind and precise.\n")
    advance(clock, timedelta(minutes=5), org)
    second = await given(gql, cy, ada, "Thanks for pairing on the outage.")

    assert first["__typename"] == "FeedbackItem"
    assert first["text"] == "Your review comments were kind and precise."
    assert at(first["createdAt"]) == clock.now() - timedelta(minutes=5)
    assert first["goal"] is None
    # The subject hears about it, with the item and who gave it.
    notes = await feedback_notifications(gql, ada)
    assert [(n["feedbackItem"]["id"], n["actor"]["id"]) for n in notes] == [
        (second["id"], cy.id),
        (first["id"], bo.id),
    ]
    assert notes[1]["feedbackItem"]["text"] == first["text"]
    assert notes[1]["feedbackItem"]["subject"] == {"id": ada.id}
    assert notes[1]["feedbackItem"]["giver"] == {"id": bo.id}
    # Nobody else is notified; the giver least of all.
    for member in (bo, cy, bystander):
        assert await feedback_notifications(gql, member) == []

    # The subject sees all of it, newest first; each giver sees what they gave.
    mine = await person_items(gql, ada, ada)
    assert mine is not None
    assert ids(mine["feedbackReceived"]) == [second["id"], first["id"]]
    assert mine["feedbackGiven"] == []
    assert ids((await person_items(gql, bo, bo))["feedbackGiven"]) == [first["id"]]  # type: ignore[index]
    assert ids((await person_items(gql, cy, cy))["feedbackGiven"]) == [second["id"]]  # type: ignore[index]
    # A giver reads what they gave among the subject's feedback, nothing else.
    assert ids((await person_items(gql, bo, ada))["feedbackReceived"]) == [first["id"]]  # type: ignore[index]
    # Someone else sees none of it, and nobody lists what another person gave.
    seen_by_bystander = await person_items(gql, bystander, ada)
    assert seen_by_bystander is not None
    assert seen_by_bystander["feedbackReceived"] == []
    assert seen_by_bystander["feedbackGiven"] is None
    assert (await person_items(gql, ada, bo))["feedbackGiven"] is None  # type: ignore[index]
    assert await feedback_node(gql, bystander, first["id"]) is None
    assert await feedback_node(gql, cy, first["id"]) is None


async def test_feedback_about_a_goal_shared_with_the_organization(gql: GraphQL, org: Org) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    goal = await created(gql, ada, "Run the retro")
    await shared(gql, ada, goal["id"], "ORGANIZATION")

    item = await given(gql, bo, ada, "The retro format worked.", goalId=goal["id"])

    assert item["goal"] == {"id": goal["id"]}
    owner_view = await feedback_node(gql, ada, item["id"])
    assert owner_view is not None
    assert owner_view["goal"] == {"id": goal["id"]}


async def test_a_steward_gives_feedback_about_a_goal_shared_with_the_steward(
    gql: GraphQL, org: Org, services: Services
) -> None:
    """The goal is named only while the reader may read it: once Ada takes
    her goal back, the item still reads, its goal no longer does."""
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    stranger = await org.add_member("Stranger")
    await established(gql, steward, ada)
    goal = await created(gql, ada, "Lead the design review")
    await shared(gql, ada, goal["id"], "STEWARD")

    item = await given(gql, steward, ada, "Good facilitation.", goalId=goal["id"])
    assert item["goal"] == {"id": goal["id"]}
    # Someone the goal is not shared with cannot give feedback about it.
    await refused(
        services,
        give_feedback(gql, stranger, ada, "Nice.", goalId=goal["id"]),
        "NotFoundError",
        "NOT_FOUND",
    )

    result = await unshare(gql, ada, goal["id"], "STEWARD")
    assert result["__typename"] == "GoalSuccess", result
    steward_view = await feedback_node(gql, steward, item["id"])
    assert steward_view is not None
    assert steward_view["text"] == "Good facilitation."
    assert steward_view["goal"] is None
    owner_view = await feedback_node(gql, ada, item["id"])
    assert owner_view is not None
    assert owner_view["goal"] == {"id": goal["id"]}


async def test_giving_is_refused_for_bad_input(
    gql: GraphQL, org: Org, make_org: OrgFactory, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    cy = await org.add_member("Cy")
    leaver = await org.add_member("Leaver")
    left = await mutate(gql, MARK_LEFT, {"personId": leaver.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left
    outsider = await (await make_org("Globex")).add_member("Outsider")
    team = await create_team(gql, org.faculty.token, "Platform")
    private_goal = await created(gql, ada, "Private goal")
    steward_only_goal = await created(gql, ada, "For my steward")
    await established(gql, await org.add_member("Steward"), ada)
    await shared(gql, ada, steward_only_goal["id"], "STEWARD")
    cys_goal = await created(gql, cy, "Cy's public goal")
    await shared(gql, cy, cys_goal["id"], "ORGANIZATION")

    await refused(
        services,
        give_feedback(gql, bo, bo, "Well done, me."),
        "ValidationError",
        "SELF_FEEDBACK",
        "subjectId",
    )
    for blank in ("", "   ", " \n\t "):
        await refused(
            services, give_feedback(gql, bo, ada, blank), "ValidationError", "REQUIRED", "text"
        )
    await refused(
        services,
        give_feedback(gql, bo, ada, "x" * 5001),
        "ValidationError",
        "TOO_LONG",
        "text",
    )
    await refused(
        services,
        give_feedback(gql, bo, ada, "null\x00byte"),
        "ValidationError",
        "INVALID_CHARACTERS",
        "text",
    )
    await refused(services, give_feedback(gql, bo, outsider), "NotFoundError", "NOT_FOUND")
    await refused(
        services, give_feedback(gql, bo, missing_id("Person")), "NotFoundError", "NOT_FOUND"
    )
    await refused(
        services, give_feedback(gql, bo, leaver), "ConflictError", "PERSON_LEFT", "subjectId"
    )
    for bad in ("garbage", team["id"], private_goal["id"], missing_id("FeedbackItem")):
        await refused(
            services,
            give_feedback(gql, bo, bad),
            "ValidationError",
            "INVALID_ID",
            "subjectId",
        )
    # A goal the giver may not read, of someone else, or of nobody, is not found.
    for goal_id in (
        private_goal["id"],
        steward_only_goal["id"],
        cys_goal["id"],
        missing_id("Goal"),
    ):
        await refused(
            services,
            give_feedback(gql, bo, ada, "About your goal.", goalId=goal_id),
            "NotFoundError",
            "NOT_FOUND",
        )
    for bad in ("garbage", ada.id):
        await refused(
            services,
            give_feedback(gql, bo, ada, "About your goal.", goalId=bad),
            "ValidationError",
            "INVALID_ID",
            "goalId",
        )
    assert (await person_items(gql, ada, ada))["feedbackReceived"] == []  # type: ignore[index]
    assert await feedback_notifications(gql, ada) == []


async def test_giving_sharing_and_acting_need_a_signed_in_person(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    stewardship = await established(gql, await org.add_member("Steward"), ada)
    item = await given(gql, bo, ada)
    before = await sharing_state(services)
    attempts = [
        (GIVE_FEEDBACK, {"subjectId": ada.id, "text": "Hi"}),
        (SHARE_FEEDBACK, {"feedbackId": item["id"], "audience": "STEWARD"}),
        (UNSHARE_FEEDBACK, {"feedbackId": item["id"], "audience": "STEWARD"}),
        (ACKNOWLEDGE_FEEDBACK, {"feedbackId": item["id"]}),
        (TURN_INTO_GOAL, {"feedbackId": item["id"], "title": "T", "stage": "TASKS"}),
        (
            TURN_INTO_TALKING_POINT,
            {"feedbackId": item["id"], "relationshipId": stewardship["id"], "text": "T"},
        ),
    ]

    for document, values in attempts:
        body = await gql(document, {"input": values})
        assert "errors" not in body, body
        (outcome,) = body["data"].values()
        assert outcome["__typename"] == "AuthenticationError", outcome

    assert await sharing_state(services) == before
    # Nor does an anonymous caller read any of it.
    assert await gql.error_codes(FEEDBACK_NODE, {"id": item["id"]}) == ["UNAUTHENTICATED"]


async def test_feedback_text_keeps_its_line_breaks_up_to_5000_characters(
    gql: GraphQL, org: Org
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")

    item = await given(gql, bo, ada, "\n  First, the good.\n\n  Then the rest.  \n")
    longest = await given(gql, bo, ada, "y" * 5000)

    assert item["text"] == "First, the good.\n\n  Then the rest."
    assert len(longest["text"]) == 5000


async def test_a_mentor_gives_feedback_about_a_goal_shared_with_them(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member("Ada")
    mentor = await org.add_member("Mentor")
    other = await org.add_member("Other Mentor")
    area = await an_area(gql, org)
    await established(gql, mentor, ada, kind=MENTORSHIP, areas=[area])
    await established(gql, other, ada, kind=MENTORSHIP, areas=[area])
    goal = await created(gql, ada, "Learn dbt")
    await shared(gql, ada, goal["id"], "MENTOR", mentor)

    item = await given(gql, mentor, ada, "Your first model is tidy.", goalId=goal["id"])

    assert item["goal"] == {"id": goal["id"]}
    await refused(
        services,
        give_feedback(gql, other, ada, "Nice.", goalId=goal["id"]),
        "NotFoundError",
        "NOT_FOUND",
    )


async def test_nothing_crosses_organizations(
    gql: GraphQL, org: Org, make_org: OrgFactory, clock: FakeClock, services: Services
) -> None:
    """Ids of another organization's feedback, people and relationships
    read as not found (or, for a mentor, as not one's mentor)."""
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    stewardship = await established(gql, await org.add_member("Steward"), ada)
    globex = await make_org("Globex")
    gus = await globex.add_member("Gus")
    gia = await globex.add_member("Gia")
    their_stewardship = await established(gql, await globex.add_member("Their Steward"), gus)
    their_item = await given(gql, gia, gus)
    their_request = await asked(gql, clock, gus, [gia])
    item = await given(gql, bo, ada)

    for feedback_id in (their_item["id"], their_request["id"]):
        assert await feedback_node(gql, ada, feedback_id) is None
        for attempt in (
            share_feedback(gql, ada, feedback_id),
            acknowledge(gql, ada, feedback_id),
            into_goal(gql, ada, feedback_id),
            into_talking_point(gql, ada, feedback_id, stewardship["id"]),
        ):
            await refused(services, attempt, "NotFoundError", "NOT_FOUND")
    await refused(
        services,
        into_talking_point(gql, ada, item["id"], their_stewardship["id"]),
        "NotFoundError",
        "NOT_FOUND",
    )
    await refused(
        services,
        share_feedback(gql, ada, item["id"], "MENTOR", gus),
        "ValidationError",
        "NOT_YOUR_MENTOR",
        "personId",
    )
    assert await feedback_node(gql, gus, item["id"]) is None
    assert ids((await person_items(gql, gus, gus))["feedbackReceived"]) == [their_item["id"]]  # type: ignore[index]


# == sharing ==========================================================================


async def test_sharing_with_the_steward_needs_an_active_stewardship(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    item = await given(gql, bo, ada, "Nice slides.")

    await refused(
        services,
        share_feedback(gql, ada, item["id"]),
        "ConflictError",
        "NO_STEWARD",
        "audience",
    )
    # A stewardship only proposed is not one yet.
    offer = await proposed(gql, steward, ada)
    await refused(
        services,
        share_feedback(gql, ada, item["id"]),
        "ConflictError",
        "NO_STEWARD",
        "audience",
    )
    await succeeded(gql, ACCEPT, ada, offer["id"])

    result = await shared_feedback(gql, ada, item["id"])

    assert shares(result) == [("STEWARD", steward.id)]
    assert at(result["sharedWith"][0]["sharedAt"]) == clock.now()
    seen = await feedback_node(gql, steward, item["id"])
    assert seen is not None
    assert (seen["text"], seen["giver"], seen["subject"]) == (
        "Nice slides.",
        {"id": bo.id},
        {"id": ada.id},
    )
    assert seen["sharedWith"] is None
    assert seen["actions"] is None
    data = await gql.data(FEEDBACK_NODES, {"ids": [item["id"]]}, token=steward.token)
    assert data["nodes"] == [seen]
    steward_lists = await person_items(gql, steward, ada)
    assert steward_lists is not None
    assert ids(steward_lists["feedbackReceived"]) == [item["id"]]
    assert steward_lists["feedbackGiven"] is None
    # The giver does not learn with whom it was shared.
    giver_view = await feedback_node(gql, bo, item["id"])
    assert giver_view is not None
    assert giver_view["sharedWith"] is None


async def test_a_share_with_a_named_mentor_reaches_that_mentor_only(gql: GraphQL, org: Org) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    named = await org.add_member("Named Mentor")
    other = await org.add_member("Other Mentor")
    steward = await org.add_member("Steward")
    area = await an_area(gql, org)
    await established(gql, named, ada, kind=MENTORSHIP, areas=[area])
    await established(gql, other, ada, kind=MENTORSHIP, areas=[area])
    await established(gql, steward, ada)
    item = await given(gql, bo, ada, "Your SQL is hard to read.")

    result = await shared_feedback(gql, ada, item["id"], "MENTOR", named)

    assert shares(result) == [("MENTOR", named.id)]
    seen = await feedback_node(gql, named, item["id"])
    assert seen is not None
    assert seen["text"] == "Your SQL is hard to read."
    assert seen["sharedWith"] is None
    assert ids((await person_items(gql, named, ada))["feedbackReceived"]) == [item["id"]]  # type: ignore[index]
    for member in (other, steward):
        assert await feedback_node(gql, member, item["id"]) is None
        assert (await person_items(gql, member, ada))["feedbackReceived"] == []  # type: ignore[index]

    # Both audiences at once; taking one back keeps the other.
    both = await shared_feedback(gql, ada, item["id"])
    assert sorted(shares(both)) == sorted([("MENTOR", named.id), ("STEWARD", steward.id)])
    result = await unshare_feedback(gql, ada, item["id"], "MENTOR", named)
    assert result["__typename"] == "FeedbackSharingSuccess", result
    assert shares(result["feedback"]) == [("STEWARD", steward.id)]
    assert await feedback_node(gql, named, item["id"]) is None
    assert await feedback_node(gql, steward, item["id"]) is not None


async def test_share_input_is_checked(gql: GraphQL, org: Org, services: Services) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    mentee = await org.add_member("Ada's Mentee")
    stranger = await org.add_member("Stranger")
    area = await an_area(gql, org)
    await established(gql, steward, ada)
    # Ada mentors someone: that person is not Ada's mentor.
    await established(gql, ada, mentee, kind=MENTORSHIP, areas=[area])
    item = await given(gql, bo, ada)
    goal = await created(gql, ada, "A goal")

    await refused(
        services,
        share_feedback(gql, ada, item["id"], "MENTOR"),
        "ValidationError",
        "REQUIRED",
        "personId",
    )
    for person in (stranger, steward, mentee, bo, ada, org.faculty):
        await refused(
            services,
            share_feedback(gql, ada, item["id"], "MENTOR", person),
            "ValidationError",
            "NOT_YOUR_MENTOR",
            "personId",
        )
    unknown = mutate(
        gql,
        SHARE_FEEDBACK,
        {"feedbackId": item["id"], "audience": "MENTOR", "mentorId": missing_id("Person")},
        token=ada.token,
    )
    await refused(services, unknown, "ValidationError", "NOT_YOUR_MENTOR", "mentorId")
    await refused(
        services,
        share_feedback(gql, ada, item["id"], "STEWARD", steward),
        "ValidationError",
        "NOT_ALLOWED",
        "personId",
    )
    for bad in ("garbage", goal["id"], ada.id):
        await refused(
            services,
            share_feedback(gql, ada, bad),
            "ValidationError",
            "INVALID_ID",
            "feedbackId",
        )
    for missing in (missing_id("FeedbackItem"), missing_id("FeedbackRequest")):
        await refused(services, share_feedback(gql, ada, missing), "NotFoundError", "NOT_FOUND")
    mine = await feedback_node(gql, ada, item["id"])
    assert mine is not None
    assert mine["sharedWith"] == []


async def test_sharing_twice_keeps_one_share(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    mentor = await org.add_member("Mentor")
    await established(gql, steward, ada)
    await established(gql, mentor, ada, kind=MENTORSHIP, areas=[await an_area(gql, org)])
    item = await given(gql, bo, ada)
    first = await shared_feedback(gql, ada, item["id"])
    await shared_feedback(gql, ada, item["id"], "MENTOR", mentor)
    shared_at = {s["audience"]: s["sharedAt"] for s in first["sharedWith"]}
    advance(clock, timedelta(hours=1), org)
    before = await sharing_state(services)

    again = await shared_feedback(gql, ada, item["id"])
    again = await shared_feedback(gql, ada, item["id"], "MENTOR", mentor)

    assert sorted(shares(again)) == sorted([("STEWARD", steward.id), ("MENTOR", mentor.id)])
    steward_share = next(s for s in again["sharedWith"] if s["audience"] == "STEWARD")
    assert steward_share["sharedAt"] == shared_at["STEWARD"]
    assert await sharing_state(services) == before


async def test_unsharing_what_is_not_shared_is_not_found(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    mentor = await org.add_member("Mentor")
    await established(gql, steward, ada)
    await established(gql, mentor, ada, kind=MENTORSHIP, areas=[await an_area(gql, org)])
    item = await given(gql, bo, ada)

    for audience, person in (("STEWARD", None), ("MENTOR", mentor)):
        await refused(
            services,
            unshare_feedback(gql, ada, item["id"], audience, person),
            "NotFoundError",
            "NOT_FOUND",
        )
    # Shared with the steward only: the mentor share is still not there.
    await shared_feedback(gql, ada, item["id"])
    await refused(
        services,
        unshare_feedback(gql, ada, item["id"], "MENTOR", mentor),
        "NotFoundError",
        "NOT_FOUND",
    )
    await refused(
        services,
        unshare_feedback(gql, ada, item["id"], "MENTOR"),
        "ValidationError",
        "REQUIRED",
        "personId",
    )
    # Naming someone narrows a steward unshare to the shares with them: the
    # mentor was never shared with as steward.
    await refused(
        services,
        unshare_feedback(gql, ada, item["id"], "STEWARD", mentor),
        "NotFoundError",
        "NOT_FOUND",
    )
    result = await unshare_feedback(gql, ada, item["id"])
    assert result["__typename"] == "FeedbackSharingSuccess", result
    assert result["feedback"]["sharedWith"] == []
    assert await feedback_node(gql, steward, item["id"]) is None
    # Taken back once; a second time there is nothing to take back.
    await refused(services, unshare_feedback(gql, ada, item["id"]), "NotFoundError", "NOT_FOUND")
    # Sharing again is a new share, from now.
    advance(clock, timedelta(days=1), org)
    again = await shared_feedback(gql, ada, item["id"])
    assert shares(again) == [("STEWARD", steward.id)]
    assert at(again["sharedWith"][0]["sharedAt"]) == clock.now()
    assert await feedback_node(gql, steward, item["id"]) is not None


async def test_only_the_owner_shares_unshares_or_acts_on_an_item(
    gql: GraphQL, org: Org, make_org: OrgFactory, services: Services
) -> None:
    """The giver, the steward it is shared with, a stranger, org faculty and
    someone from another organization: to each of them, the item is not
    found for any write."""
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    stranger = await org.add_member("Stranger")
    outsider = await (await make_org("Globex")).add_member("Outsider")
    stewardship = await established(gql, steward, ada)
    # Each of them has a steward and a relationship of their own to use.
    for member in (bo, stranger):
        await established(gql, steward, member)
    await established(gql, await org.add_member("Steward's steward"), steward)
    item = await given(gql, bo, ada)
    await shared_feedback(gql, ada, item["id"])

    for other in (bo, steward, stranger, org.faculty, outsider):
        attempts = [
            share_feedback(gql, other, item["id"]),
            unshare_feedback(gql, other, item["id"]),
            acknowledge(gql, other, item["id"]),
            into_goal(gql, other, item["id"]),
            into_talking_point(gql, other, item["id"], stewardship["id"]),
        ]
        for attempt in attempts:
            await refused(services, attempt, "NotFoundError", "NOT_FOUND")

    owner_view = await feedback_node(gql, ada, item["id"])
    assert owner_view is not None
    assert shares(owner_view) == [("STEWARD", steward.id)]
    assert owner_view["actions"] == []
    assert (owner_view["acknowledged"], owner_view["actedOn"]) == (False, False)


async def test_a_new_steward_does_not_inherit_what_was_shared_with_the_old_one(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """A share is with the person who stewarded Ada when she made it: the
    handover ends it for the old steward and passes nothing to the new one."""
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    old = await org.add_member("Olga Old Steward")
    new = await org.add_member("Nina New Steward")
    await established(gql, old, ada)
    item = await given(gql, bo, ada, "You rushed the planning.")
    request = await asked(gql, clock, ada, [bo])
    for feedback_id in (item["id"], request["id"]):
        await shared_feedback(gql, ada, feedback_id)
        assert await feedback_node(gql, old, feedback_id) is not None

    advance(clock, timedelta(days=30), org)
    await established(gql, new, ada)  # a handover: the old stewardship ends

    for steward in (old, new):
        for feedback_id in (item["id"], request["id"]):
            assert await feedback_node(gql, steward, feedback_id) is None
        lists = await person_items(gql, steward, ada)
        assert lists is not None
        assert (lists["feedbackReceived"], lists["feedbackRequests"]) == ([], [])
    for feedback_id in (item["id"], request["id"]):
        owner_view = await feedback_node(gql, ada, feedback_id)
        assert owner_view is not None
        # Still listed to Ada with whom she shared it, reaching nobody now.
        assert shares(owner_view) == [("STEWARD", old.id)]
        assert reaching(owner_view) == []
        assert owner_view["sharedWith"][0]["endedBecause"] == "HANDED_OVER"
        assert at(owner_view["sharedWith"][0]["endedAt"]) == clock.now()

    # Ada decides again, for the steward she has now.
    again = await shared_feedback(gql, ada, item["id"])
    assert shares(again) == [("STEWARD", old.id), ("STEWARD", new.id)]
    assert reaching(again) == [("STEWARD", new.id)]
    assert await feedback_node(gql, new, item["id"]) is not None
    assert await feedback_node(gql, old, item["id"]) is None
    assert await feedback_node(gql, new, request["id"]) is None


async def test_ending_a_stewardship_ends_the_share_and_a_later_one_does_not_revive_it(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    stewardship = await established(gql, steward, ada)
    item = await given(gql, bo, ada)
    await shared_feedback(gql, ada, item["id"])

    await succeeded(gql, END, steward, stewardship["id"], reason="Time to move on.")
    assert await feedback_node(gql, steward, item["id"]) is None
    advance(clock, timedelta(days=7), org)
    await established(gql, steward, ada)

    assert await feedback_node(gql, steward, item["id"]) is None
    owner_view = await feedback_node(gql, ada, item["id"])
    assert owner_view is not None
    assert shares(owner_view) == [("STEWARD", steward.id)]
    assert reaching(owner_view) == []
    assert owner_view["sharedWith"][0]["endedBecause"] == "RELATIONSHIP_ENDED"
    # Ada removes it from her list.
    result = await unshare_feedback(gql, ada, item["id"])
    assert result["feedback"]["sharedWith"] == []


async def test_ending_a_mentorship_revokes_shares_with_that_mentor_for_good(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    mentor = await org.add_member("Mentor")
    other = await org.add_member("Other Mentor")
    area = await an_area(gql, org)
    mentorship = await established(gql, mentor, ada, kind=MENTORSHIP, areas=[area])
    await established(gql, other, ada, kind=MENTORSHIP, areas=[area])
    item = await given(gql, bo, ada)
    second = await given(gql, bo, ada, "Another one.")
    await shared_feedback(gql, ada, item["id"], "MENTOR", mentor)
    await shared_feedback(gql, ada, second["id"], "MENTOR", mentor)
    await shared_feedback(gql, ada, item["id"], "MENTOR", other)

    await succeeded(gql, END, ada, mentorship["id"], reason="Time to move on.")

    assert await feedback_node(gql, mentor, item["id"]) is None
    assert await feedback_node(gql, mentor, second["id"]) is None
    assert await feedback_node(gql, other, item["id"]) is not None
    assert reaching(await feedback_node(gql, ada, item["id"])) == [("MENTOR", other.id)]
    assert reaching(await feedback_node(gql, ada, second["id"])) == []
    assert shares(await feedback_node(gql, ada, second["id"])) == [("MENTOR", mentor.id)]
    # ... and no share with them can be made while they are not a mentor.
    await refused(
        services,
        share_feedback(gql, ada, item["id"], "MENTOR", mentor),
        "ValidationError",
        "NOT_YOUR_MENTOR",
        "personId",
    )

    advance(clock, timedelta(days=30), org)
    await established(gql, mentor, ada, kind=MENTORSHIP, areas=[area])

    for found in (item, second):
        assert await feedback_node(gql, mentor, found["id"]) is None
    assert (await person_items(gql, mentor, ada))["feedbackReceived"] == []  # type: ignore[index]
    assert reaching(await feedback_node(gql, ada, second["id"])) == []


# == sharing a request's results ========================================================


async def test_a_shared_anonymous_requests_results_reach_the_steward_as_they_reach_the_requester(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """The steward reads the results under the same anonymity rule as the
    requester (released only once closed with at least k answers), never who
    was asked, nor with whom it is shared or what became of it."""
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    invitees = [await org.add_member(f"Peer {n}") for n in range(3)]
    silent = await org.add_member("Silent peer")  # keeps the request collecting
    await established(gql, steward, ada)
    request = await asked(gql, clock, ada, [*invitees, silent], anonymity="ANONYMOUS")
    assert await feedback_node(gql, steward, request["id"]) is None
    assert (await person_items(gql, steward, ada))["feedbackRequests"] == []  # type: ignore[index]

    result = await shared_feedback(gql, ada, request["id"])

    assert result["__typename"] == "FeedbackRequest"
    assert shares(result) == [("STEWARD", steward.id)]
    seen = await feedback_node(gql, steward, request["id"])
    assert seen is not None
    assert seen["topic"] == request["topic"]
    assert seen["requester"] == {"id": ada.id}
    assert seen["invitees"] is None
    assert seen["sharedWith"] is None
    assert seen["actions"] is None
    assert seen["results"] == {
        "released": False,
        "reason": "STILL_COLLECTING",
        "answeredCount": 0,
        "declinedCount": 0,
        "threshold": 3,
        "questions": [],
    }
    assert ids((await person_items(gql, steward, ada))["feedbackRequests"]) == [request["id"]]  # type: ignore[index]

    for n, peer in enumerate(invitees):
        await give(gql, peer, request["id"], text=f"Answer {n}", scale=n + 2)
    # Three answers, but still collecting: nothing is released to either.
    for viewer in (ada, steward):
        still = await results_seen(gql, viewer, request["id"])
        assert still is not None
        assert (still["released"], still["answeredCount"], still["questions"]) == (False, 3, [])

    await request_changed(gql, CLOSE, ada, request["id"])

    requester_results = await results_seen(gql, ada, request["id"])
    steward_results = await results_seen(gql, steward, request["id"])
    assert requester_results is not None
    assert requester_results["released"] is True
    assert steward_results == requester_results
    assert sorted(steward_results["questions"][0]["texts"]) == ["Answer 0", "Answer 1", "Answer 2"]
    assert steward_results["questions"][0]["namedAnswers"] is None
    after_close = await feedback_node(gql, steward, request["id"])
    assert after_close is not None
    assert after_close["invitees"] is None

    result = await unshare_feedback(gql, ada, request["id"])
    assert result["__typename"] == "FeedbackSharingSuccess", result
    assert await feedback_node(gql, steward, request["id"]) is None
    assert (await person_items(gql, steward, ada))["feedbackRequests"] == []  # type: ignore[index]


async def test_a_shared_anonymous_request_with_too_few_answers_stays_closed_to_the_steward(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    invitees = [await org.add_member(f"Peer {n}") for n in range(3)]
    await established(gql, steward, ada)
    request = await asked(gql, clock, ada, invitees, anonymity="ANONYMOUS")
    await shared_feedback(gql, ada, request["id"])
    for peer in invitees[:2]:
        await give(gql, peer, request["id"])
    await request_changed(gql, CLOSE, ada, request["id"])

    for viewer in (ada, steward):
        seen = await results_seen(gql, viewer, request["id"])
        assert seen == {
            "released": False,
            "reason": "TOO_FEW_COUNTING_ANSWERS",
            "answeredCount": 2,
            "declinedCount": 0,
            "threshold": 3,
            "questions": [],
        }


async def test_a_named_requests_results_shared_with_a_mentor(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member("Ada")
    mentor = await org.add_member("Mentor")
    steward = await org.add_member("Steward")
    bo = await org.add_member("Bo")
    await established(gql, steward, ada)
    await established(gql, mentor, ada, kind=MENTORSHIP, areas=[await an_area(gql, org)])
    request = await asked(gql, clock, ada, [bo])
    await give(gql, bo, request["id"], text="Clear and calm.")

    await shared_feedback(gql, ada, request["id"], "MENTOR", mentor)

    seen = await feedback_node(gql, mentor, request["id"])
    assert seen is not None
    assert seen["results"] == await results_seen(gql, ada, request["id"])
    assert seen["results"]["questions"][0]["namedAnswers"] == [
        {"person": {"id": bo.id, "name": "Bo"}, "scaleValue": None, "text": "Clear and calm."}
    ]
    assert seen["invitees"] is None
    assert await feedback_node(gql, steward, request["id"]) is None
    # The invitee may read the request, but not share or act on it.
    for attempt in (
        share_feedback(gql, bo, request["id"]),
        acknowledge(gql, bo, request["id"]),
        into_goal(gql, bo, request["id"]),
    ):
        await refused(services, attempt, "NotFoundError", "NOT_FOUND")
    for attempt in (
        share_feedback(gql, mentor, request["id"]),
        unshare_feedback(gql, mentor, request["id"], "MENTOR", mentor),
        acknowledge(gql, mentor, request["id"]),
    ):
        await refused(services, attempt, "NotFoundError", "NOT_FOUND")


# == acting on it =======================================================================


async def test_acknowledging_twice_keeps_one_acknowledgement(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    item = await given(gql, bo, ada)

    first = await acknowledge(gql, ada, item["id"])
    assert first["__typename"] == "FeedbackActionSuccess", first
    assert first["action"]["kind"] == "ACKNOWLEDGED"
    assert at(first["action"]["createdAt"]) == clock.now()
    assert (first["feedback"]["acknowledged"], first["feedback"]["actedOn"]) == (True, False)
    advance(clock, timedelta(hours=2), org)
    before = await sharing_state(services)

    second = await acknowledge(gql, ada, item["id"])

    assert second["__typename"] == "FeedbackActionSuccess", second
    assert second["action"]["createdAt"] == first["action"]["createdAt"]
    assert await sharing_state(services) == before
    owner_view = await feedback_node(gql, ada, item["id"])
    assert action_kinds(owner_view) == ["ACKNOWLEDGED"]
    giver_view = await feedback_node(gql, bo, item["id"])
    assert giver_view is not None
    assert (giver_view["acknowledged"], giver_view["actedOn"]) == (True, False)
    assert giver_view["actions"] is None


async def test_turning_feedback_into_a_goal_makes_a_private_draft_of_the_owners(
    gql: GraphQL, org: Org
) -> None:
    """Even with the item shared with the steward, the goal it became is
    Ada's private draft until she shares the goal itself."""
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    await established(gql, steward, ada)
    item = await given(gql, bo, ada, "You could delegate more.")
    await shared_feedback(gql, ada, item["id"])

    result = await into_goal(
        gql, ada, item["id"], "Delegate one task a week", description="Start with reviews."
    )

    assert result["__typename"] == "FeedbackGoalSuccess", result
    goal = result["goal"]
    assert (goal["title"], goal["status"], goal["owner"]) == (
        "Delegate one task a week",
        "DRAFT",
        {"id": ada.id},
    )
    assert result["action"]["kind"] == "GOAL"
    assert result["action"]["goal"] == {"id": goal["id"], "title": "Delegate one task a week"}
    assert result["feedback"]["actedOn"] is True
    assert result["feedback"]["acknowledged"] is False
    found = await goal_node(gql, ada, goal["id"])
    assert found is not None
    assert (found["stage"], found["description"], found["sharedWith"]) == (
        "FIXED_GOALS",
        "Start with reviews.",
        [],
    )
    assert await reads(gql, ada, ada, goal["id"])
    assert not await reads(gql, bo, ada, goal["id"])
    assert not await reads(gql, steward, ada, goal["id"])
    steward_view = await feedback_node(gql, steward, item["id"])
    assert steward_view is not None
    assert steward_view["actions"] is None
    assert steward_view["actedOn"] is True

    await shared(gql, ada, goal["id"], "STEWARD")
    assert await reads(gql, steward, ada, goal["id"])
    assert not await reads(gql, bo, ada, goal["id"])


async def test_turning_feedback_into_a_goal_can_activate_it_at_once(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    item = await given(gql, bo, ada)

    result = await into_goal(gql, ada, item["id"], "Speak up in planning", activate=True)

    assert result["__typename"] == "FeedbackGoalSuccess", result
    assert result["goal"]["status"] == "ACTIVE"
    assert (await goal_node(gql, ada, result["goal"]["id"]))["status"] == "ACTIVE"  # type: ignore[index]
    # A goal that cannot be made is refused, and records no action either.
    await refused(
        services,
        into_goal(gql, ada, item["id"], "   "),
        "ValidationError",
        "REQUIRED",
        "title",
    )
    assert action_kinds(await feedback_node(gql, ada, item["id"])) == ["GOAL"]


async def test_a_talking_point_needs_an_active_relationship_of_the_owners(
    gql: GraphQL, org: Org, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    mentor = await org.add_member("Mentor")
    mentee = await org.add_member("Ada's Mentee")
    area = await an_area(gql, org)
    stewardship = await established(gql, steward, ada)
    others = await established(gql, steward, bo)
    ended = await established(gql, mentor, ada, kind=MENTORSHIP, areas=[area])
    await succeeded(gql, END, mentor, ended["id"], reason="Time to move on.")
    pending = await proposed(gql, ada, mentor, kind=MENTORSHIP, side=FOLLOWER, areas=[area])
    leading = await established(gql, ada, mentee, kind=MENTORSHIP, areas=[area])
    item = await given(gql, bo, ada)

    await refused(
        services,
        into_talking_point(gql, ada, item["id"], others["id"]),
        "NotFoundError",
        "NOT_FOUND",
    )
    await refused(
        services,
        into_talking_point(gql, ada, item["id"], missing_id("Relationship")),
        "NotFoundError",
        "NOT_FOUND",
    )
    for inactive in (ended, pending):
        await refused(
            services,
            into_talking_point(gql, ada, item["id"], inactive["id"]),
            "ConflictError",
            "NOT_ACTIVE",
            "relationshipId",
        )
    for bad in ("garbage", item["id"], ada.id):
        await refused(
            services,
            into_talking_point(gql, ada, item["id"], bad),
            "ValidationError",
            "INVALID_ID",
            "relationshipId",
        )
    await refused(
        services,
        into_talking_point(gql, ada, item["id"], stewardship["id"], "  "),
        "ValidationError",
        "REQUIRED",
        "text",
    )
    assert (await feedback_node(gql, ada, item["id"]))["actedOn"] is False  # type: ignore[index]

    # As the follower (her stewardship) and as the leader (her mentee's).
    for relationship, text in ((stewardship, "Pacing in demos"), (leading, "What I learned")):
        result = await into_talking_point(gql, ada, item["id"], relationship["id"], text)
        assert result["__typename"] == "FeedbackTalkingPointSuccess", result
        assert result["talkingPoint"] == {"text": text, "relationship": {"id": relationship["id"]}}
        assert result["action"]["kind"] == "TALKING_POINT"
        assert result["action"]["talkingPoint"]["text"] == text
    owner_view = await feedback_node(gql, ada, item["id"])
    assert action_kinds(owner_view) == ["TALKING_POINT", "TALKING_POINT"]
    assert owner_view["actedOn"] is True  # type: ignore[index]


async def test_the_giver_learns_that_it_was_acted_on_never_how(gql: GraphQL, org: Org) -> None:
    """Even when the giver may read the goal it became (Ada shared it with
    the whole organization), the item does not point them to it."""
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    stewardship = await established(gql, steward, ada)
    item = await given(gql, bo, ada, "Write shorter emails.")
    await shared_feedback(gql, ada, item["id"])

    def seen_by_giver(found: dict[str, Any] | None) -> tuple[bool, bool]:
        assert found is not None
        assert found["sharedWith"] is None
        assert found["actions"] is None
        assert found["goal"] is None
        return found["acknowledged"], found["actedOn"]

    assert seen_by_giver(await feedback_node(gql, bo, item["id"])) == (False, False)
    await acknowledge(gql, ada, item["id"])
    assert seen_by_giver(await feedback_node(gql, bo, item["id"])) == (True, False)
    result = await into_goal(gql, ada, item["id"], "Three-line emails", activate=True)
    goal_id = result["goal"]["id"]
    await shared(gql, ada, goal_id, "ORGANIZATION")
    await into_talking_point(gql, ada, item["id"], stewardship["id"], "Email length")
    assert await reads(gql, bo, ada, goal_id)

    assert seen_by_giver(await feedback_node(gql, bo, item["id"])) == (True, True)
    (listed,) = (await person_items(gql, bo, bo))["feedbackGiven"]  # type: ignore[index]
    assert seen_by_giver(listed) == (True, True)
    (received,) = (await person_items(gql, bo, ada))["feedbackReceived"]  # type: ignore[index]
    assert seen_by_giver(received) == (True, True)
    owner_view = await feedback_node(gql, ada, item["id"])
    assert action_kinds(owner_view) == ["ACKNOWLEDGED", "GOAL", "TALKING_POINT"]


async def test_invitees_see_whether_the_requester_acted_on_a_request(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    steward = await org.add_member("Steward")
    bo = await org.add_member("Bo")
    cy = await org.add_member("Cy")
    stranger = await org.add_member("Stranger")
    stewardship = await established(gql, steward, ada)
    request = await asked(gql, clock, ada, [bo, cy])
    await give(gql, bo, request["id"])

    async def seen_by_invitees() -> set[tuple[bool, bool]]:
        seen = set()
        for invitee in (bo, cy):
            via_inbox = (await inbox_requests(gql, invitee))[request["id"]]
            via_node = await feedback_node(gql, invitee, request["id"])
            assert via_node is not None
            for found in (via_inbox, via_node):
                assert found["sharedWith"] is None
                assert found["actions"] is None
                assert found["invitees"] is None
                assert found["results"] is None
                seen.add((found["acknowledged"], found["actedOn"]))
        return seen

    assert await seen_by_invitees() == {(False, False)}
    result = await acknowledge(gql, ada, request["id"])
    assert result["__typename"] == "FeedbackActionSuccess", result
    assert result["feedback"]["__typename"] == "FeedbackRequest"
    assert await seen_by_invitees() == {(True, False)}
    result = await into_talking_point(gql, ada, request["id"], stewardship["id"], "The results")
    assert result["__typename"] == "FeedbackTalkingPointSuccess", result
    assert await seen_by_invitees() == {(True, True)}
    result = await into_goal(gql, ada, request["id"], "Act on the survey")
    assert result["__typename"] == "FeedbackGoalSuccess", result

    assert await feedback_node(gql, stranger, request["id"]) is None
    owner_view = await feedback_node(gql, ada, request["id"])
    assert action_kinds(owner_view) == ["ACKNOWLEDGED", "GOAL", "TALKING_POINT"]
    assert owner_view["sharedWith"] == []  # type: ignore[index]
    assert owner_view["invitees"] is not None  # type: ignore[index]


# == concurrency ========================================================================


@pytest.mark.parametrize("kind", ["item", "request"])
async def test_ten_simultaneous_acknowledgements_leave_one(
    gql: GraphQL, org: Org, clock: FakeClock, kind: str
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    if kind == "item":
        feedback_id = (await given(gql, bo, ada))["id"]
    else:
        feedback_id = (await asked(gql, clock, ada, [bo]))["id"]

    outcomes = await all_at_once(gql, ACKNOWLEDGE_FEEDBACK, ada, {"feedbackId": feedback_id})

    typenames = Counter(o["__typename"] for o in outcomes)
    assert typenames["FeedbackActionSuccess"] >= 1, outcomes
    assert set(typenames) <= {"FeedbackActionSuccess", "ConflictError"}, outcomes
    for outcome in outcomes:
        if outcome["__typename"] == "ConflictError":
            assert outcome["code"] == "ALREADY_ACKNOWLEDGED", outcome
            assert outcome["message"], outcome
        else:
            assert outcome["action"]["kind"] == "ACKNOWLEDGED"
    owner_view = await feedback_node(gql, ada, feedback_id)
    assert action_kinds(owner_view) == ["ACKNOWLEDGED"]
    assert owner_view["acknowledged"] is True  # type: ignore[index]


@pytest.mark.parametrize("kind", ["item", "request"])
async def test_ten_simultaneous_identical_shares_leave_one_active_share(
    gql: GraphQL, org: Org, clock: FakeClock, kind: str
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    steward = await org.add_member("Steward")
    await established(gql, steward, ada)
    if kind == "item":
        feedback_id = (await given(gql, bo, ada))["id"]
    else:
        feedback_id = (await asked(gql, clock, ada, [bo]))["id"]

    outcomes = await all_at_once(
        gql, SHARE_FEEDBACK, ada, {"feedbackId": feedback_id, "audience": "STEWARD"}
    )

    typenames = Counter(o["__typename"] for o in outcomes)
    assert typenames["FeedbackSharingSuccess"] >= 1, outcomes
    assert set(typenames) <= {"FeedbackSharingSuccess", "ConflictError"}, outcomes
    for outcome in outcomes:
        if outcome["__typename"] == "ConflictError":
            assert outcome["code"] == "ALREADY_SHARED", outcome
    owner_view = await feedback_node(gql, ada, feedback_id)
    assert shares(owner_view) == [("STEWARD", steward.id)]
    assert await feedback_node(gql, steward, feedback_id) is not None
    # One share: one unshare takes it all back.
    result = await unshare_feedback(gql, ada, feedback_id)
    assert result["__typename"] == "FeedbackSharingSuccess", result
    assert await feedback_node(gql, steward, feedback_id) is None


# == reads stay batched =================================================================


async def test_a_list_of_feedback_runs_as_many_statements_for_many_items_as_for_few(
    gql: GraphQL, org: Org, app: FastAPI
) -> None:
    """Every field of an item (giver, goal, shares, actions and what they
    point to) goes through a batch loader: no statement per item."""
    steward = await org.add_member("Steward")
    givers = [await org.add_member(f"Giver {n}") for n in range(3)]

    async def owner_with(count: int) -> Member:
        owner = await org.add_member()
        stewardship = await established(gql, steward, owner)
        goal = await created(gql, owner, "About this")
        await shared(gql, owner, goal["id"], "ORGANIZATION")
        for n in range(count):
            item = await given(gql, givers[n % 3], owner, f"Item {n}", goalId=goal["id"])
            await shared_feedback(gql, owner, item["id"])
            await acknowledge(gql, owner, item["id"])
            await into_goal(gql, owner, item["id"], f"Goal {n}")
            await into_talking_point(gql, owner, item["id"], stewardship["id"], f"Point {n}")
        return owner

    counts = {}
    for count in (2, 8):
        owner = await owner_with(count)
        with count_statements(app.state.engine) as counter:
            lists = await person_items(gql, owner, owner)
        assert lists is not None
        assert len(lists["feedbackReceived"]) == count
        for found in lists["feedbackReceived"]:
            assert action_kinds(found) == ["ACKNOWLEDGED", "GOAL", "TALKING_POINT"]
            assert shares(found) == [("STEWARD", steward.id)]
            assert found["goal"] is not None
        counts[count] = counter.count
    assert counts[2] == counts[8], counts
