"""The privacy of feedback (DESIGN.md sections 2 and 3), tried from the outside.

Feedback belongs to the person it is about: private to them (and to the
giver of an item, who reads what they wrote) until they share it, item by
item, with their steward or a named mentor; every share can be taken back
and then counts no more, at once. No role overrides this: not a steward or a
mentor it was not shared with, not a coach, not org faculty, not a teammate,
nobody from another organization, and nobody without a token. Whoever may
not read an item finds no trace of it on any path (node, nodes,
Person.feedbackReceived / feedbackGiven however the Person is reached,
notifications): it reads exactly like an id that never existed. The giver
never learns with whom it was shared, nor what it became. Shared results of
a request show the steward what the requester sees of the answers, never
who was asked. Every test looks for the feedback's text in the raw response
body, not only in the parsed fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import orjson
from fastapi import FastAPI

from api.context import Services
from domain.actors import Actor
from domain.autonomy import AutonomyStage
from domain.feedback_items import FeedbackRef, ShareAudience
from domain.services import feedback_items as item_service
from tests.api.feedback_helpers import (
    CLOSE,
    asked,
    give,
    invitation_for,
    on_request,
    uuid_of,
)
from tests.api.feedback_item_helpers import (
    ACKNOWLEDGE_FEEDBACK,
    FEEDBACK_NODE,
    ITEM_FIELDS,
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
from tests.api.goal_helpers import created
from tests.api.goal_helpers import shared as goal_shared
from tests.api.goal_helpers import unshare as goal_unshare
from tests.api.harness import GraphQL, Member, Org, count_statements, without_cost
from tests.api.queries import (
    add_team_member,
    assert_error,
    create_area,
    create_team,
    missing_id,
    mutate,
)
from tests.api.relationship_helpers import (
    COACHING,
    END,
    MENTORSHIP,
    established,
    succeeded,
)
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]

# Everyone who is neither the owner (Ada) nor the giver (Bo), by the part they play.
STEWARD = "steward"
MENTOR = "mentor"
OTHER_MENTOR = "other_mentor"
COACH = "coach"
STEWARDEE = "stewardee"  # someone Ada stewards: the relationship the other way round
FACULTY = "faculty"  # org faculty
TEAMMATE = "teammate"  # in a team with Ada (and with Bo)
OUTSIDER = "outsider"  # a member of another organization
VIEWERS = [STEWARD, MENTOR, OTHER_MENTOR, COACH, STEWARDEE, FACULTY, TEAMMATE, OUTSIDER]


def secret(label: str) -> str:
    return f"{label} {uuid4().hex}"


@dataclass
class Cast:
    org: Org
    elsewhere: Org
    ada: Member
    bo: Member
    people: dict[str, Member]
    stewardship_id: str
    """Ada's stewardship (Ada follows)."""
    mentorship_id: str
    """Ada's mentorship with MENTOR."""
    area_id: str
    item: dict[str, Any]
    """The item Bo gave Ada, as Bo saw it when giving it."""
    text: str
    notification_id: str
    """Ada's FEEDBACK_RECEIVED notification for the item."""

    def __getitem__(self, role: str) -> Member:
        return self.people[role]

    @property
    def item_id(self) -> str:
        return self.item["id"]

    @property
    def traces(self) -> list[str]:
        """What shows that the item exists: its text, its global and raw id."""
        return [self.text, self.item_id, str(uuid_of(self.item_id))]


async def _ada_notification(gql: GraphQL, ada: Member, item_id: str) -> str:
    data = await gql.data(
        "{ viewer { notifications(first: 100) "
        "{ edges { node { id kind feedbackItem { id } } } } } }",
        token=ada.token,
    )
    (found,) = [
        e["node"]
        for e in data["viewer"]["notifications"]["edges"]
        if e["node"]["kind"] == "FEEDBACK_RECEIVED"
    ]
    assert found["feedbackItem"] == {"id": item_id}
    return found["id"]


async def make_cast(gql: GraphQL, org: Org, make_org: OrgFactory) -> Cast:
    """Ada with a steward, two mentors, a coach, a stewardee and a teammate;
    org faculty; someone in another organization; and one item Bo gave Ada."""
    ada = await org.add_member("Ada Owner")
    bo = await org.add_member("Bo Giver")
    people = {
        STEWARD: await org.add_member("Sam Steward"),
        MENTOR: await org.add_member("Mia Mentor"),
        OTHER_MENTOR: await org.add_member("Otto Other Mentor"),
        COACH: await org.add_member("Cora Coach"),
        STEWARDEE: await org.add_member("Stan Stewardee"),
        FACULTY: org.faculty,
        TEAMMATE: await org.add_member("Tim Teammate"),
    }
    elsewhere = await make_org("Elsewhere")
    people[OUTSIDER] = await elsewhere.add_member("Olaf Outsider")
    area = (await create_area(gql, org.faculty.token, "Negotiation"))["id"]
    stewardship = await established(gql, people[STEWARD], ada)
    mentorship = await established(gql, people[MENTOR], ada, kind=MENTORSHIP, areas=[area])
    await established(gql, people[OTHER_MENTOR], ada, kind=MENTORSHIP, areas=[area])
    await established(gql, people[COACH], ada, kind=COACHING)
    await established(gql, ada, people[STEWARDEE])
    team = await create_team(gql, org.faculty.token, "Crew")
    for member in (ada, bo, people[TEAMMATE]):
        await add_team_member(gql, org.faculty.token, team["id"], member.id)
    text = secret("Feedback")
    item = await given(gql, bo, ada, text)
    notification_id = await _ada_notification(gql, ada, item["id"])
    return Cast(
        org,
        elsewhere,
        ada,
        bo,
        people,
        stewardship["id"],
        mentorship["id"],
        area,
        item,
        text,
        notification_id,
    )


# == every path to an item =======================================================

_PERSON_PATHS = f"""
    feedbackReceived(first: 50) {{ edges {{ node {{ {ITEM_FIELDS} }} }} }}
    feedbackGiven(first: 50) {{ edges {{ node {{ {ITEM_FIELDS} }} }} }}
"""

EVERY_PATH = f"""
query EveryPath($item: ID!, $missing: ID!, $ada: ID!, $bo: ID!, $notification: ID!) {{
  item: node(id: $item) {{ __typename id ... on FeedbackItem {{ {ITEM_FIELDS} }} }}
  missing: node(id: $missing) {{ __typename id ... on FeedbackItem {{ {ITEM_FIELDS} }} }}
  nodes(ids: [$item, $missing, $item]) {{
    __typename id ... on FeedbackItem {{ {ITEM_FIELDS} }}
  }}
  ada: node(id: $ada) {{ __typename id ... on Person {{ {_PERSON_PATHS} }} }}
  bo: node(id: $bo) {{ __typename id ... on Person {{ {_PERSON_PATHS} }} }}
  people: nodes(ids: [$ada, $bo]) {{ __typename id ... on Person {{ {_PERSON_PATHS} }} }}
  directory: people(first: 100) {{ edges {{ node {{ id {_PERSON_PATHS} }} }} }}
  notification: node(id: $notification) {{
    __typename id ... on Notification {{ kind feedbackItem {{ {ITEM_FIELDS} }} }}
  }}
  viewer {{
    id
    {_PERSON_PATHS}
    notifications(first: 100) {{
      edges {{ node {{ id kind feedbackItem {{ {ITEM_FIELDS} }} }} }}
    }}
  }}
}}
"""


async def every_path(gql: GraphQL, viewer: Member, cast: Cast) -> tuple[str, dict[str, Any]]:
    """The body (as the server encodes it, without the cost report) and the
    data of every read path, as `viewer` sees them."""
    response = await gql.raw(EVERY_PATH, _path_variables(cast), token=viewer.token)
    assert response.status_code == 200, response.text
    body = without_cost(response.json())
    assert "errors" not in body, body["errors"]
    return orjson.dumps(body).decode(), body["data"]


def _path_variables(cast: Cast) -> dict[str, Any]:
    return {
        "item": cast.item_id,
        "missing": missing_id("FeedbackItem"),
        "ada": cast.ada.id,
        "bo": cast.bo.id,
        "notification": cast.notification_id,
    }


def items_in(value: object) -> list[dict[str, Any]]:
    """Every FeedbackItem anywhere in a parsed response."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        if value.get("__typename") == "FeedbackItem":
            found.append(value)
        for inner in value.values():
            found += items_in(inner)
    elif isinstance(value, list):
        for inner in value:
            found += items_in(inner)
    return found


def nodes_of(connection: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    if connection is None:
        return None
    return [edge["node"] for edge in connection["edges"]]


def ids(items: list[dict[str, Any]] | None) -> list[str] | None:
    return None if items is None else [i["id"] for i in items]


def listed(data: dict[str, Any], person: Member) -> dict[str, Any]:
    """`person` as the people directory lists them."""
    (found,) = [e["node"] for e in data["directory"]["edges"] if e["node"]["id"] == person.id]
    return found


def assert_no_trace(text: str, data: dict[str, Any], cast: Cast, role: str) -> None:
    """The item reads exactly like an id that never existed, on every path."""
    for trace in cast.traces:
        assert trace not in text, (role, trace)
    assert items_in(data) == [], role
    assert data["item"] is None, role
    assert data["item"] == data["missing"], role
    assert data["nodes"] == [None, None, None], role
    assert data["notification"] is None, role
    assert nodes_of(data["viewer"]["feedbackReceived"]) == [], role
    assert nodes_of(data["viewer"]["feedbackGiven"]) == [], role
    assert all(e["node"]["feedbackItem"] is None for e in data["viewer"]["notifications"]["edges"])
    if role == OUTSIDER:
        assert data["ada"] is None
        assert data["bo"] is None
        assert data["people"] == [None, None]
        directory = {e["node"]["id"] for e in data["directory"]["edges"]}
        assert cast.ada.id not in directory
        assert cast.bo.id not in directory
        return
    for person in (data["ada"], data["bo"], *data["people"], listed(data, cast.ada)):
        assert nodes_of(person["feedbackReceived"]) == [], role
        assert person["feedbackGiven"] is None, role


def assert_reads_as_shared(text: str, data: dict[str, Any], cast: Cast, role: str) -> None:
    """Someone it is shared with reads the item on every path to it, and
    never with whom it is shared nor what it became."""
    assert cast.text in text, role
    item = data["item"]
    assert item is not None, role
    assert item["text"] == cast.text
    assert item["giver"]["id"] == cast.bo.id
    assert item["subject"]["id"] == cast.ada.id
    assert ids(data["nodes"][:1] + data["nodes"][2:]) == [cast.item_id, cast.item_id], role
    assert data["nodes"][1] is None
    for person in (data["ada"], data["people"][0], listed(data, cast.ada)):
        assert ids(nodes_of(person["feedbackReceived"])) == [cast.item_id], role
        assert person["feedbackGiven"] is None, role
    for person in (data["bo"], data["people"][1], listed(data, cast.bo)):
        assert nodes_of(person["feedbackReceived"]) == [], role
        assert person["feedbackGiven"] is None, role
    # Never through anyone's notifications but Ada's.
    assert data["notification"] is None, role
    assert all(e["node"]["feedbackItem"] is None for e in data["viewer"]["notifications"]["edges"])
    # Whom it is shared with and what it became are Ada's alone.
    found = items_in(data)
    assert len(found) == 6, role  # node, nodes (twice), Ada, Ada in nodes, Ada listed
    assert all(i["sharedWith"] is None and i["actions"] is None for i in found), role


ANONYMOUS_READS: list[tuple[str, str]] = [
    ("node", "query Q($item: ID!) { node(id: $item) { id ... on FeedbackItem { text } } }"),
    (
        "nodes",
        "query Q($item: ID!, $ada: ID!) { nodes(ids: [$item, $ada]) "
        "{ id ... on FeedbackItem { text } } }",
    ),
    (
        "ada",
        f"query Q($ada: ID!) {{ node(id: $ada) {{ id ... on Person {{ {_PERSON_PATHS} }} }} }}",
    ),
    ("bo", f"query Q($bo: ID!) {{ node(id: $bo) {{ id ... on Person {{ {_PERSON_PATHS} }} }} }}"),
    (
        "notification",
        "query Q($notification: ID!) { node(id: $notification) "
        "{ id ... on Notification { feedbackItem { id text } } } }",
    ),
    ("viewer", f"{{ viewer {{ id {_PERSON_PATHS} }} }}"),
    ("directory", f"{{ people(first: 100) {{ edges {{ node {{ id {_PERSON_PATHS} }} }} }} }}"),
    ("every path", EVERY_PATH),
]


async def assert_anonymous_gets_nothing(gql: GraphQL, cast: Cast) -> None:
    """A caller without a token gets UNAUTHENTICATED, and no trace, on every path."""
    variables = _path_variables(cast)
    for name, document in ANONYMOUS_READS:
        used = {k: v for k, v in variables.items() if f"${k}" in document}
        response = await gql.raw(document, used)
        assert response.status_code == 200, response.text
        body = response.json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert codes, (name, body)
        assert set(codes) == {"UNAUTHENTICATED"}, (name, body)
        data = body.get("data")
        assert data is None or all(value is None for value in data.values()), (name, body)
        for trace in cast.traces:
            assert trace not in response.text, (name, trace)


# == before sharing ================================================================


async def test_the_owner_and_the_giver_read_the_item_along_every_path(
    gql: GraphQL, org: Org, make_org: OrgFactory
) -> None:
    """The control for the tests below: the query does reach the item."""
    cast = await make_cast(gql, org, make_org)

    text, data = await every_path(gql, cast.ada, cast)
    assert cast.text in text
    assert data["item"]["text"] == cast.text
    assert data["item"]["sharedWith"] == []
    assert data["item"]["actions"] == []
    assert data["missing"] is None
    assert ids(data["nodes"][::2]) == [cast.item_id, cast.item_id]
    assert data["nodes"][1] is None
    for person in (data["ada"], data["people"][0], listed(data, cast.ada), data["viewer"]):
        assert ids(nodes_of(person["feedbackReceived"])) == [cast.item_id]
        assert nodes_of(person["feedbackGiven"]) == []
    assert data["bo"]["feedbackGiven"] is None
    assert data["notification"]["kind"] == "FEEDBACK_RECEIVED"
    assert data["notification"]["feedbackItem"]["id"] == cast.item_id
    assert data["notification"]["feedbackItem"]["sharedWith"] == []

    text, data = await every_path(gql, cast.bo, cast)
    assert cast.text in text
    assert data["item"]["text"] == cast.text
    assert ids(data["nodes"][::2]) == [cast.item_id, cast.item_id]
    # What Bo gave Ada, on Ada; what Bo gave, on Bo (and on himself).
    for person in (data["ada"], data["people"][0], listed(data, cast.ada)):
        assert ids(nodes_of(person["feedbackReceived"])) == [cast.item_id]
        assert person["feedbackGiven"] is None
    for person in (data["bo"], data["people"][1], listed(data, cast.bo), data["viewer"]):
        assert nodes_of(person["feedbackReceived"]) == []
        assert ids(nodes_of(person["feedbackGiven"])) == [cast.item_id]
    # Ada's notification is hers alone, even for the giver.
    assert data["notification"] is None
    assert all(i["sharedWith"] is None and i["actions"] is None for i in items_in(data))


async def test_an_unshared_item_leaves_no_trace_for_anyone_else(
    gql: GraphQL, org: Org, make_org: OrgFactory
) -> None:
    cast = await make_cast(gql, org, make_org)

    for role in VIEWERS:
        text, data = await every_path(gql, cast[role], cast)
        assert_no_trace(text, data, cast, role)
    await assert_anonymous_gets_nothing(gql, cast)


# == sharing and taking back =========================================================


async def test_shared_with_the_steward_only_the_steward_reads_it(
    gql: GraphQL, org: Org, make_org: OrgFactory
) -> None:
    cast = await make_cast(gql, org, make_org)

    owner_view = await shared_feedback(gql, cast.ada, cast.item_id)

    assert [(s["audience"], s["person"]["id"]) for s in owner_view["sharedWith"]] == [
        ("STEWARD", cast[STEWARD].id)
    ]
    text, data = await every_path(gql, cast[STEWARD], cast)
    assert_reads_as_shared(text, data, cast, STEWARD)
    # The helpers agree.
    seen = await feedback_node(gql, cast[STEWARD], cast.item_id)
    assert seen is not None
    assert (seen["text"], seen["sharedWith"], seen["actions"]) == (cast.text, None, None)
    for role in VIEWERS:
        if role != STEWARD:
            text, data = await every_path(gql, cast[role], cast)
            assert_no_trace(text, data, cast, role)
    await assert_anonymous_gets_nothing(gql, cast)


async def test_shared_with_a_named_mentor_only_that_mentor_reads_it(
    gql: GraphQL, org: Org, make_org: OrgFactory
) -> None:
    cast = await make_cast(gql, org, make_org)

    owner_view = await shared_feedback(gql, cast.ada, cast.item_id, "MENTOR", cast[MENTOR])

    assert [(s["audience"], s["person"]["id"]) for s in owner_view["sharedWith"]] == [
        ("MENTOR", cast[MENTOR].id)
    ]
    text, data = await every_path(gql, cast[MENTOR], cast)
    assert_reads_as_shared(text, data, cast, MENTOR)
    for role in VIEWERS:
        if role != MENTOR:
            text, data = await every_path(gql, cast[role], cast)
            assert_no_trace(text, data, cast, role)
    await assert_anonymous_gets_nothing(gql, cast)


async def test_revoking_a_share_takes_it_away_at_once_on_every_path(
    gql: GraphQL, org: Org, make_org: OrgFactory
) -> None:
    cast = await make_cast(gql, org, make_org)
    await shared_feedback(gql, cast.ada, cast.item_id)
    await shared_feedback(gql, cast.ada, cast.item_id, "MENTOR", cast[MENTOR])
    for role in (STEWARD, MENTOR):
        text, data = await every_path(gql, cast[role], cast)
        assert_reads_as_shared(text, data, cast, role)

    result = await unshare_feedback(gql, cast.ada, cast.item_id)

    assert result["__typename"] == "FeedbackSharingSuccess", result
    assert [s["person"]["id"] for s in result["feedback"]["sharedWith"]] == [cast[MENTOR].id]
    text, data = await every_path(gql, cast[STEWARD], cast)
    assert_no_trace(text, data, cast, STEWARD)
    text, data = await every_path(gql, cast[MENTOR], cast)
    assert_reads_as_shared(text, data, cast, MENTOR)

    result = await unshare_feedback(gql, cast.ada, cast.item_id, "MENTOR", cast[MENTOR])

    assert result["__typename"] == "FeedbackSharingSuccess", result
    assert result["feedback"]["sharedWith"] == []
    for role in VIEWERS:
        text, data = await every_path(gql, cast[role], cast)
        assert_no_trace(text, data, cast, role)
    await assert_anonymous_gets_nothing(gql, cast)
    # Ada still reads it, shared with nobody.
    mine = await feedback_node(gql, cast.ada, cast.item_id)
    assert mine is not None
    assert mine["sharedWith"] == []


async def test_a_share_counts_only_while_its_person_still_leads_the_owner(
    gql: GraphQL, org: Org, make_org: OrgFactory
) -> None:
    """Shared with a steward and a mentor; then the mentorship ends and a new
    steward takes over: the old ones lose it at once, the new steward does
    not inherit it."""
    cast = await make_cast(gql, org, make_org)
    await shared_feedback(gql, cast.ada, cast.item_id)
    await shared_feedback(gql, cast.ada, cast.item_id, "MENTOR", cast[MENTOR])

    await succeeded(gql, END, cast.ada, cast.mentorship_id, reason="Time to move on.")
    new_steward = await org.add_member("Nina New Steward")
    await established(gql, new_steward, cast.ada)

    for viewer, role in (
        (cast[MENTOR], MENTOR),
        (cast[STEWARD], STEWARD),
        (new_steward, "new steward"),
    ):
        text, data = await every_path(gql, viewer, cast)
        assert_no_trace(text, data, cast, role)
    # A share with the new steward is a new share, and reaches them.
    await shared_feedback(gql, cast.ada, cast.item_id)
    text, data = await every_path(gql, new_steward, cast)
    assert_reads_as_shared(text, data, cast, "new steward")
    text, data = await every_path(gql, cast[STEWARD], cast)
    assert_no_trace(text, data, cast, STEWARD)

    # Unsharing from the steward ends every steward share, the past
    # steward's included: when Sam steps in again, it is not his again.
    result = await unshare_feedback(gql, cast.ada, cast.item_id)
    assert result["__typename"] == "FeedbackSharingSuccess", result
    # The share with the former mentor stays listed to Ada, reaching nobody.
    [(audience, reaches, because)] = [
        (s["audience"], s["reaches"], s["endedBecause"]) for s in result["feedback"]["sharedWith"]
    ]
    assert (audience, reaches, because) == ("MENTOR", None, "RELATIONSHIP_ENDED")
    await established(gql, cast[STEWARD], cast.ada)
    for viewer, role in ((cast[STEWARD], STEWARD), (new_steward, "new steward")):
        text, data = await every_path(gql, viewer, cast)
        assert_no_trace(text, data, cast, role)


async def test_only_a_current_steward_or_mentor_can_be_shared_with(
    gql: GraphQL, org: Org, make_org: OrgFactory, services: Services
) -> None:
    """Naming anyone else as the mentor is refused, and shares nothing."""
    cast = await make_cast(gql, org, make_org)
    before = await sharing_state(services)

    for role in (STEWARD, COACH, STEWARDEE, FACULTY, TEAMMATE, OUTSIDER):
        result = await share_feedback(gql, cast.ada, cast.item_id, "MENTOR", cast[role])
        assert result["__typename"] == "ValidationError", (role, result)
        assert result["field"] == "personId", (role, result)
    for named in (cast.bo, cast.ada):
        result = await share_feedback(gql, cast.ada, cast.item_id, "MENTOR", named)
        assert result["__typename"] == "ValidationError", result

    assert await sharing_state(services) == before
    for role in VIEWERS:
        text, data = await every_path(gql, cast[role], cast)
        assert_no_trace(text, data, cast, role)


# == the giver ========================================================================


async def test_the_giver_never_learns_with_whom_it_is_shared(
    gql: GraphQL, org: Org, make_org: OrgFactory
) -> None:
    cast = await make_cast(gql, org, make_org)
    before_text, before = await every_path(gql, cast.bo, cast)
    assert items_in(before), "the control: Bo does read his item"
    assert all(i["sharedWith"] is None and i["actions"] is None for i in items_in(before))

    await shared_feedback(gql, cast.ada, cast.item_id)
    assert await every_path(gql, cast.bo, cast) == (before_text, before)
    await shared_feedback(gql, cast.ada, cast.item_id, "MENTOR", cast[MENTOR])
    assert await every_path(gql, cast.bo, cast) == (before_text, before)
    await unshare_feedback(gql, cast.ada, cast.item_id)
    assert await every_path(gql, cast.bo, cast) == (before_text, before)
    await unshare_feedback(gql, cast.ada, cast.item_id, "MENTOR", cast[MENTOR])
    assert await every_path(gql, cast.bo, cast) == (before_text, before)
    # Nor through the helpers' documents.
    found = await person_items(gql, cast.bo, cast.bo)
    assert found is not None
    assert [(i["sharedWith"], i["actions"]) for i in found["feedbackGiven"]] == [(None, None)]


async def test_the_giver_learns_that_it_was_acted_on_never_what_it_became(
    gql: GraphQL, org: Org, make_org: OrgFactory
) -> None:
    cast = await make_cast(gql, org, make_org)
    await shared_feedback(gql, cast.ada, cast.item_id)
    goal_title, point_text = secret("Goal"), secret("Talking point")

    assert (await acknowledge(gql, cast.ada, cast.item_id))["__typename"] == (
        "FeedbackActionSuccess"
    )
    made = await into_goal(gql, cast.ada, cast.item_id, goal_title)
    assert made["__typename"] == "FeedbackGoalSuccess", made
    point = await into_talking_point(gql, cast.ada, cast.item_id, cast.stewardship_id, point_text)
    assert point["__typename"] == "FeedbackTalkingPointSuccess", point
    goal_traces = [goal_title, point_text, made["goal"]["id"], str(uuid_of(made["goal"]["id"]))]

    for viewer, role in ((cast.bo, "giver"), (cast[STEWARD], STEWARD)):
        text, data = await every_path(gql, viewer, cast)
        found = items_in(data)
        assert found, role
        assert all((i["acknowledged"], i["actedOn"]) == (True, True) for i in found), role
        assert all(i["actions"] is None and i["sharedWith"] is None for i in found), role
        assert all(i["goal"] is None for i in found), role
        for trace in goal_traces:
            assert trace not in text, (role, trace)
    for role in VIEWERS:
        if role != STEWARD:
            text, data = await every_path(gql, cast[role], cast)
            assert_no_trace(text, data, cast, role)
    # Ada sees all of it.
    mine = await feedback_node(gql, cast.ada, cast.item_id)
    assert mine is not None
    assert sorted(a["kind"] for a in mine["actions"]) == ["ACKNOWLEDGED", "GOAL", "TALKING_POINT"]


async def test_feedback_about_a_goal_follows_the_goals_own_privacy(
    gql: GraphQL, org: Org, make_org: OrgFactory
) -> None:
    """Bo may name one of Ada's goals only if he may read it; a private goal
    reads as missing, exactly like an id that never existed."""
    cast = await make_cast(gql, org, make_org)
    private = await created(gql, cast.ada, secret("Private goal"))
    public = await created(gql, cast.ada, secret("Public goal"))
    await goal_shared(gql, cast.ada, public["id"], "ORGANIZATION")

    refused = await give_feedback(gql, cast.bo, cast.ada, "About it", goalId=private["id"])
    fake = await give_feedback(gql, cast.bo, cast.ada, "About it", goalId=missing_id("Goal"))
    assert_error(refused, "NotFoundError", "NOT_FOUND")
    assert refused == fake
    assert private["title"] not in str(refused)

    item = await given(gql, cast.bo, cast.ada, secret("About the goal"), goalId=public["id"])
    assert item["goal"] == {"id": public["id"]}
    await shared_feedback(gql, cast.ada, item["id"])
    seen = await feedback_node(gql, cast[STEWARD], item["id"])
    assert seen is not None
    assert seen["goal"] == {"id": public["id"]}

    # Ada makes the goal private again: the item no longer shows it to
    # anybody but her.
    result = await goal_unshare(gql, cast.ada, public["id"], "ORGANIZATION")
    assert result["__typename"] == "GoalSuccess", result
    for viewer in (cast.bo, cast[STEWARD]):
        response = await gql.raw(FEEDBACK_NODE, {"id": item["id"]}, token=viewer.token)
        assert response.json()["data"]["node"]["goal"] is None
        assert public["id"] not in response.text
        assert public["title"] not in response.text
    mine = await feedback_node(gql, cast.ada, item["id"])
    assert mine is not None
    assert mine["goal"] == {"id": public["id"]}


async def test_shared_results_never_reveal_the_requesters_private_goal(
    gql: GraphQL, org: Org, make_org: OrgFactory, clock: FakeClock
) -> None:
    cast = await make_cast(gql, org, make_org)
    goal = await created(gql, cast.ada, secret("Private goal"))
    request = await asked(gql, clock, cast.ada, [cast.bo], goalId=goal["id"])
    assert request["goal"] == {"id": goal["id"]}
    await shared_feedback(gql, cast.ada, request["id"])

    for viewer in (cast[STEWARD], cast.bo):
        response = await gql.raw(FEEDBACK_NODE_WITH_GOAL, {"id": request["id"]}, token=viewer.token)
        found = response.json()["data"]["node"]
        assert found is not None
        assert found["goal"] is None
        assert goal["id"] not in response.text
        assert goal["title"] not in response.text


# == shared results of a request =======================================================


FEEDBACK_NODE_WITH_GOAL = """
query FeedbackNode($id: ID!) {
  node(id: $id) { __typename id ... on FeedbackRequest { topic goal { id title } } }
}
"""


async def _request_view(gql: GraphQL, viewer: Member, request_id: str) -> tuple[str, Any]:
    response = await gql.raw(FEEDBACK_NODE, {"id": request_id}, token=viewer.token)
    body = response.json()
    assert "errors" not in body, body["errors"]
    return response.text, body["data"]["node"]


async def _requests_of(gql: GraphQL, viewer: Member, person: Member) -> list[str] | None:
    found = await person_items(gql, viewer, person)
    return None if found is None else ids(found["feedbackRequests"])


async def test_shared_results_of_a_named_request_show_results_never_who_was_asked(
    gql: GraphQL, org: Org, make_org: OrgFactory, clock: FakeClock
) -> None:
    cast = await make_cast(gql, org, make_org)
    cy, dee = await org.add_member("Cy Invitee"), await org.add_member("Dee Invitee")
    request = await asked(gql, clock, cast.ada, [cast.bo, cy, dee], topic=secret("Topic"))
    await give(gql, cast.bo, request["id"], text=secret("Bo says"))
    await give(gql, cy, request["id"], text=secret("Cy says"))
    closed = await on_request(gql, CLOSE, cast.ada, request["id"])
    assert closed["__typename"] == "FeedbackRequestSuccess", closed
    _, owner_view = await _request_view(gql, cast.ada, request["id"])
    assert owner_view["results"]["released"] is True

    result = await share_feedback(gql, cast.ada, request["id"])
    assert result["__typename"] == "FeedbackSharingSuccess", result

    _, steward_view = await _request_view(gql, cast[STEWARD], request["id"])
    assert steward_view is not None
    assert steward_view["results"] == owner_view["results"]
    assert steward_view["invitees"] is None
    assert steward_view["sharedWith"] is None
    assert steward_view["actions"] is None
    assert await _requests_of(gql, cast[STEWARD], cast.ada) == [request["id"]]
    # An invitee reads the request, never its results.
    for invitee in (cast.bo, cy, dee):
        _, seen = await _request_view(gql, invitee, request["id"])
        assert seen is not None
        assert (seen["results"], seen["invitees"], seen["sharedWith"], seen["actions"]) == (
            None,
            None,
            None,
            None,
        )
        assert (await invitation_for(gql, invitee, request["id"]))["request"]["results"] is None
        assert await _requests_of(gql, invitee, cast.ada) == []
    # Anyone else cannot load it at all.
    for role in VIEWERS:
        if role == STEWARD:
            continue
        text, seen = await _request_view(gql, cast[role], request["id"])
        assert seen is None, role
        assert request["topic"] not in text, role
        assert await _requests_of(gql, cast[role], cast.ada) == (None if role == OUTSIDER else [])
    body = await gql(FEEDBACK_NODE, {"id": request["id"]})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert request["topic"] not in str(body)

    result = await unshare_feedback(gql, cast.ada, request["id"])
    assert result["__typename"] == "FeedbackSharingSuccess", result
    assert (await _request_view(gql, cast[STEWARD], request["id"]))[1] is None
    assert await _requests_of(gql, cast[STEWARD], cast.ada) == []


async def test_shared_results_of_an_anonymous_request_are_the_requesters_group_and_no_more(
    gql: GraphQL, org: Org, make_org: OrgFactory, clock: FakeClock
) -> None:
    cast = await make_cast(gql, org, make_org)
    invitees = [await org.add_member(f"Ivy Invitee {n}") for n in range(4)]
    request = await asked(gql, clock, cast.ada, invitees, anonymity="ANONYMOUS")
    # Shared before anyone answered.
    result = await share_feedback(gql, cast.ada, request["id"])
    assert result["__typename"] == "FeedbackSharingSuccess", result
    says = [secret(f"Voice {n}") for n in range(3)]

    async def both() -> tuple[str, dict[str, Any], dict[str, Any]]:
        _, owner_view = await _request_view(gql, cast.ada, request["id"])
        text, steward_view = await _request_view(gql, cast[STEWARD], request["id"])
        assert steward_view is not None
        assert steward_view["invitees"] is None
        assert steward_view["sharedWith"] is None
        assert steward_view["actions"] is None
        return text, owner_view["results"], steward_view["results"]

    for n in range(3):
        _, owner_results, steward_results = await both()
        assert steward_results == owner_results
        assert steward_results == {
            "released": False,
            "reason": "STILL_COLLECTING",
            "answeredCount": n,
            "declinedCount": 0,
            "threshold": 3,
            "questions": [],
        }
        await give(gql, invitees[n], request["id"], text=says[n], scale=n + 2)
    # k answers, but still collecting: nothing yet.
    text, owner_results, steward_results = await both()
    assert steward_results == owner_results
    assert (steward_results["released"], steward_results["questions"]) == (False, [])
    assert not any(s in text for s in says)

    closed = await on_request(gql, CLOSE, cast.ada, request["id"])
    assert closed["__typename"] == "FeedbackRequestSuccess", closed
    text, owner_results, steward_results = await both()

    assert owner_results["released"] is True
    assert steward_results == owner_results  # the same group, in the same order
    texts = steward_results["questions"][0]["texts"]
    assert sorted(texts) == sorted(says)
    assert all(q["namedAnswers"] is None for q in steward_results["questions"])
    # No per-person link anywhere in the steward's response.
    for invitee in invitees:
        for trace in (invitee.id, str(invitee.person.id), invitee.person.name):
            assert trace not in text, trace
    # An invitee who answered does not get the results.
    _, seen = await _request_view(gql, invitees[0], request["id"])
    assert seen is not None
    assert seen["results"] is None
    # Nor does anyone else, who cannot load the request at all.
    for role in VIEWERS:
        if role != STEWARD:
            assert (await _request_view(gql, cast[role], request["id"]))[1] is None, role


# == writing ==========================================================================


def _attempts(cast: Cast, attacker_relationship: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every mutation that names a piece of feedback, as a non-owner would try it."""
    return [
        ("shareFeedback", SHARE_FEEDBACK, {"audience": "STEWARD"}),
        ("unshareFeedback", UNSHARE_FEEDBACK, {"audience": "STEWARD"}),
        ("acknowledgeFeedback", ACKNOWLEDGE_FEEDBACK, {}),
        ("turnFeedbackIntoGoal", TURN_INTO_GOAL, {"title": "Mine now", "stage": "FIXED_GOALS"}),
        (
            "turnFeedbackIntoTalkingPoint",
            TURN_INTO_TALKING_POINT,
            {"relationshipId": attacker_relationship, "text": "About you"},
        ),
    ]


async def _refused_everywhere(
    gql: GraphQL,
    attacker: Member,
    feedback_id: str,
    fake_id: str,
    attempts: list[tuple[str, str, dict[str, Any]]],
) -> None:
    for name, document, values in attempts:
        real = await mutate(
            gql, document, {"feedbackId": feedback_id, **values}, token=attacker.token
        )
        fake = await mutate(gql, document, {"feedbackId": fake_id, **values}, token=attacker.token)
        assert real["__typename"] == "NotFoundError", (name, real)
        assert_error(real, "NotFoundError", "NOT_FOUND")
        assert real == fake, name


async def test_another_organizations_feedback_is_not_found_by_any_mutation(
    gql: GraphQL, org: Org, make_org: OrgFactory, services: Services, clock: FakeClock
) -> None:
    cast = await make_cast(gql, org, make_org)
    elsewhere, olaf = cast.elsewhere, cast[OUTSIDER]
    oona = await elsewhere.add_member("Oona Owner")
    oona_steward = await elsewhere.add_member("Osk Steward")
    await established(gql, oona_steward, oona)
    their_item = await given(gql, olaf, oona, secret("Elsewhere"))
    their_request = await asked(gql, clock, oona, [olaf])
    await shared_feedback(gql, cast.ada, cast.item_id)
    before = await sharing_state(services)

    # From Acme: Elsewhere's item and request, by Ada, her steward and faculty.
    for attacker in (cast.ada, cast[STEWARD], cast[FACULTY]):
        attempts = _attempts(cast, cast.stewardship_id)
        await _refused_everywhere(
            gql, attacker, their_item["id"], missing_id("FeedbackItem"), attempts
        )
        await _refused_everywhere(
            gql, attacker, their_request["id"], missing_id("FeedbackRequest"), attempts
        )
        assert await feedback_node(gql, attacker, their_item["id"]) is None
    # From Elsewhere: Ada's item, by an owner there, by Olaf and by their faculty.
    olaf_relationship = await established(gql, olaf, await elsewhere.add_member("Ole"))
    for attacker in (oona, olaf, elsewhere.faculty):
        attempts = _attempts(cast, olaf_relationship["id"])
        await _refused_everywhere(gql, attacker, cast.item_id, missing_id("FeedbackItem"), attempts)
    after = await sharing_state(services)
    # Only the relationship set up for Olaf (and its notifications) is new.
    assert after["feedback_items"] == before["feedback_items"]
    assert after["feedback_shares"] == before["feedback_shares"]
    assert after["feedback_actions"] == before["feedback_actions"]
    assert after["talking_points"] == before["talking_points"]
    assert after["goals"] == before["goals"]
    # Ada's share with her steward still stands, and nothing happened to it.
    text, data = await every_path(gql, cast[STEWARD], cast)
    assert_reads_as_shared(text, data, cast, STEWARD)
    mine = await feedback_node(gql, cast.ada, cast.item_id)
    assert mine is not None
    assert (mine["acknowledged"], mine["actedOn"], mine["actions"]) == (False, False, [])


async def test_feedback_cannot_be_given_across_organizations(
    gql: GraphQL, org: Org, make_org: OrgFactory, services: Services
) -> None:
    cast = await make_cast(gql, org, make_org)
    oona = await cast.elsewhere.add_member("Oona Elsewhere")
    before = await sharing_state(services)

    for giver, subject in ((cast.bo, oona), (cast[OUTSIDER], cast.ada), (oona, cast.bo)):
        refused = await give_feedback(gql, giver, subject, secret("Across"))
        fake = await give_feedback(gql, giver, missing_id("Person"), "Across")
        assert_error(refused, "NotFoundError", "NOT_FOUND")
        assert refused == fake

    assert await sharing_state(services) == before
    found = await person_items(gql, oona, oona)
    assert found is not None
    assert found["feedbackReceived"] == []


async def test_nobody_but_the_owner_shares_or_acts_on_an_item(
    gql: GraphQL, org: Org, make_org: OrgFactory, services: Services
) -> None:
    """Not the giver, not the steward it is shared with, not org faculty:
    to them it reads as not found, like an id that never existed."""
    cast = await make_cast(gql, org, make_org)
    await shared_feedback(gql, cast.ada, cast.item_id)
    before = await sharing_state(services)

    for attacker in (cast.bo, cast[STEWARD], cast[MENTOR], cast[FACULTY], cast[TEAMMATE]):
        attempts = _attempts(cast, cast.stewardship_id)
        attempts.append(
            ("shareFeedback", SHARE_FEEDBACK, {"audience": "MENTOR", "mentorId": attacker.id})
        )
        await _refused_everywhere(gql, attacker, cast.item_id, missing_id("FeedbackItem"), attempts)

    assert await sharing_state(services) == before


async def test_nobody_but_the_requester_shares_or_acts_on_a_requests_results(
    gql: GraphQL, org: Org, make_org: OrgFactory, services: Services, clock: FakeClock
) -> None:
    """Not an invitee, not the steward the results are shared with."""
    cast = await make_cast(gql, org, make_org)
    request = await asked(gql, clock, cast.ada, [cast.bo, cast[TEAMMATE]])
    await shared_feedback(gql, cast.ada, request["id"])
    before = await sharing_state(services)

    for attacker in (cast.bo, cast[TEAMMATE], cast[STEWARD], cast[FACULTY]):
        await _refused_everywhere(
            gql,
            attacker,
            request["id"],
            missing_id("FeedbackRequest"),
            _attempts(cast, cast.stewardship_id),
        )

    assert await sharing_state(services) == before


async def test_a_talking_point_goes_only_to_one_of_the_owners_relationships(
    gql: GraphQL, org: Org, make_org: OrgFactory, services: Services
) -> None:
    """Someone else's relationship reads as not found, like one that never
    existed: the owner cannot write into it, nor learn that it exists."""
    cast = await make_cast(gql, org, make_org)
    others = await established(gql, cast[STEWARD], cast[TEAMMATE])
    elsewhere = await established(
        gql, cast[OUTSIDER], await cast.elsewhere.add_member("Ole Elsewhere")
    )
    before = await sharing_state(services)

    fake = await into_talking_point(gql, cast.ada, cast.item_id, missing_id("Relationship"))
    assert_error(fake, "NotFoundError", "NOT_FOUND")
    for relationship_id in (others["id"], elsewhere["id"]):
        refused = await into_talking_point(gql, cast.ada, cast.item_id, relationship_id)
        assert refused == fake

    assert await sharing_state(services) == before


async def test_a_caller_without_a_token_changes_nothing(
    gql: GraphQL, org: Org, make_org: OrgFactory, services: Services
) -> None:
    cast = await make_cast(gql, org, make_org)
    before = await sharing_state(services)

    for _, document, values in _attempts(cast, cast.stewardship_id):
        body = await gql(document, {"input": {"feedbackId": cast.item_id, **values}})
        assert "errors" not in body, body
        (result,) = body["data"].values()
        assert (result["__typename"], result["code"]) == ("AuthenticationError", "UNAUTHENTICATED")
    body = await gql(
        "mutation G($input: GiveFeedbackInput!) { giveFeedback(input: $input) "
        "{ __typename ... on Error { code } } }",
        {"input": {"subjectId": cast.ada.id, "text": "Who am I?"}},
    )
    assert body["data"]["giveFeedback"] == {
        "__typename": "AuthenticationError",
        "code": "UNAUTHENTICATED",
    }

    assert await sharing_state(services) == before


# == statement counts ===================================================================

OWN_FEEDBACK = """
{
  viewer {
    feedbackReceived(first: 50) {
      edges {
        node {
          text giver { name }
          sharedWith { person { name } }
          actions { kind goal { title } talkingPoint { text } }
          acknowledged actedOn
          goal { title }
        }
      }
    }
  }
}
"""

# Pinned: the viewer, the page, the givers, the shares, the actions, the
# goals the items are about, the people shared with, the goals they became,
# the talking points. The same for 3 items as for 30; a change here is either
# an N+1 or a deliberate change of the read path: look at `counter.statements`.
OWN_FEEDBACK_MAX_STATEMENTS = 9


async def _owner_with_items(
    gql: GraphQL, org: Org, services: Services, count: int
) -> tuple[Member, int]:
    """An owner with `count` items from a few givers, each shared with their
    steward, some about a goal of theirs, each third acted on in one way."""
    owner = await org.add_member()
    steward = await org.add_member()
    givers = [await org.add_member() for _ in range(3)]
    stewardship = await established(gql, steward, owner)
    goal = await created(gql, owner, "Speak up in meetings")
    await goal_shared(gql, owner, goal["id"], "ORGANIZATION")
    goal_id, relationship_id = uuid_of(goal["id"]), uuid_of(stewardship["id"])
    now = services.clock.now()
    acted_on = 0
    for n in range(count):
        giver = givers[n % len(givers)]
        async with services.uow_factory(org.id) as uow:
            item = await item_service.give(
                uow,
                _actor(giver),
                subject_id=owner.person.id,
                text=f"Item {n}",
                goal_id=goal_id if n % 2 else None,
                now=now,
            )
            await uow.commit()
        ref, actor = FeedbackRef(item_id=item.id), _actor(owner)
        async with services.uow_factory(org.id) as uow:
            await item_service.share(uow, actor, ref, audience=ShareAudience.STEWARD, now=now)
            if n % 3 == 0:
                await item_service.turn_into_goal(
                    uow, actor, ref, title=f"Goal {n}", stage=AutonomyStage.FIXED_GOALS, now=now
                )
                acted_on += 1
            elif n % 3 == 1:
                await item_service.turn_into_talking_point(
                    uow, actor, ref, relationship_id=relationship_id, text=f"Point {n}", now=now
                )
                acted_on += 1
            else:
                await item_service.acknowledge(uow, actor, ref, now=now)
            await uow.commit()
    return owner, acted_on


def _actor(member: Member) -> Actor:
    return Actor(person_id=member.person.id, organization_id=member.person.organization_id)


async def test_the_owners_feedback_runs_a_constant_number_of_statements(
    gql: GraphQL, org: Org, app: FastAPI, services: Services
) -> None:
    counts = {}
    for count in (3, 30):
        owner, acted_on = await _owner_with_items(gql, org, services, count)

        with count_statements(app.state.engine) as counter:
            data = await gql.data(OWN_FEEDBACK, token=owner.token)

        found = nodes_of(data["viewer"]["feedbackReceived"])
        assert found is not None
        assert len(found) == count
        assert all(len(i["sharedWith"]) == 1 for i in found)
        assert sum(i["actedOn"] for i in found) == acted_on
        assert sum(i["goal"] is not None for i in found) == count // 2
        kinds = [a["kind"] for i in found for a in i["actions"]]
        assert kinds.count("GOAL") == (count + 2) // 3
        assert all(
            a["goal"]["title"].startswith("Goal ")
            for i in found
            for a in i["actions"]
            if a["kind"] == "GOAL"
        )
        assert all(
            a["talkingPoint"]["text"].startswith("Point ")
            for i in found
            for a in i["actions"]
            if a["kind"] == "TALKING_POINT"
        )
        counts[count] = counter.count
        assert counter.count <= OWN_FEEDBACK_MAX_STATEMENTS, counter.statements

    assert counts[3] == counts[30], counts
