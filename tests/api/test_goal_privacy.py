"""The privacy of growth goals (DESIGN.md section 3), tried from every side.

A goal is its owner's: private by default, shared item by item, revocable.
No role overrides this: not the steward, not a mentor or coach, not org
faculty, not a teammate, and nobody from another organization. Whoever may
not read a goal finds no trace of it on any path (node, nodes, Person.goals
however the Person is reached, mutation payloads, readiness evidence): it
reads exactly like an id that never existed. Only Person.goalCounts tells
anybody how many goals someone has, and never which. Every test looks for
the goal's text in the raw response body, not only in the parsed fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from api.context import Services
from tests.api.goal_helpers import (
    ABANDON_GOAL,
    ACHIEVE_GOAL,
    ACTIVATE_GOAL,
    CHECK_IN_GOAL,
    EDIT_GOAL,
    SHARE_GOAL,
    UNSHARE_GOAL,
    changed,
    checked_in,
    created,
    goal_node,
    goal_state,
    my_goals,
    person_goals,
    reads,
    share,
    shared,
    unshare,
)
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import add_team_member, create_area, create_team, missing_id
from tests.api.relationship_helpers import (
    COACHING,
    END,
    MENTORSHIP,
    advance,
    established,
    proposed,
    succeeded,
)
from tests.api.relationship_helpers import viewer as relationships_of
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]

# Everyone who is not the owner, by the part they play.
STEWARD = "steward"
MENTOR = "mentor"
OTHER_MENTOR = "other_mentor"
COACH = "coach"
STEWARDEE = "stewardee"  # someone the owner stewards: the relationship the other way round
FACULTY = "faculty"
TEAMMATE = "teammate"
OUTSIDER = "outsider"  # a member of another organization
VIEWERS = [STEWARD, MENTOR, OTHER_MENTOR, COACH, STEWARDEE, FACULTY, TEAMMATE, OUTSIDER]
INSIDERS = [v for v in VIEWERS if v != OUTSIDER]


@dataclass
class Cast:
    org: Org
    elsewhere: Org
    owner: Member
    people: dict[str, Member]
    goal: dict[str, Any]
    secrets: list[str]
    """Texts that only the owner (and those a goal is shared with) may see."""

    def __getitem__(self, role: str) -> Member:
        return self.people[role]


def secret(label: str) -> str:
    return f"{label} {uuid4().hex}"


@pytest.fixture
async def cast(gql: GraphQL, org: Org, make_org: OrgFactory) -> Cast:
    """Ada with a steward, two mentors, a coach, a stewardee, a teammate, org
    faculty and someone in another organization; and one private, active goal
    with a check-in, in a knowledge area."""
    owner = await org.add_member("Ada Owner")
    people = {
        STEWARD: await org.add_member("Sam Steward"),
        MENTOR: await org.add_member("Mia Mentor"),
        OTHER_MENTOR: await org.add_member("Otto Other Mentor"),
        COACH: await org.add_member("Cora Coach"),
        STEWARDEE: await org.add_member("Stan Stewardee"),
        FACULTY: await org.add_member("Fay Faculty", faculty=True),
        TEAMMATE: await org.add_member("Tim Teammate"),
    }
    elsewhere = await make_org("Elsewhere")
    people[OUTSIDER] = await elsewhere.add_member("Olaf Outsider")
    area = (await create_area(gql, org.faculty.token, "Negotiation"))["id"]
    await established(gql, people[STEWARD], owner)
    await established(gql, people[MENTOR], owner, kind=MENTORSHIP, areas=[area])
    await established(gql, people[OTHER_MENTOR], owner, kind=MENTORSHIP, areas=[area])
    await established(gql, people[COACH], owner, kind=COACHING)
    await established(gql, owner, people[STEWARDEE])
    team = await create_team(gql, org.faculty.token, "Crew")
    for member in (owner, people[TEAMMATE]):
        await add_team_member(gql, org.faculty.token, team["id"], member.id)
    title, description, note = secret("Title"), secret("Description"), secret("Note")
    goal = await created(gql, owner, title, description=description, knowledgeAreaId=area)
    await checked_in(gql, owner, goal["id"], 40, "LOW", note)
    return Cast(org, elsewhere, owner, people, goal, [title, description, note])


def assert_no_trace(text: str, cast: Cast, *goal_ids: str) -> None:
    """Nothing of the goal in a raw response body: not its text, not its id."""
    for value in (*cast.secrets, *goal_ids):
        assert value not in text, value


# Reaches the owner (as a Person) and their goals along every path there is.
EVERY_PATH = """
query EveryPath($owner: ID!, $goal: ID!, $missing: ID!) {
  goal: node(id: $goal) { __typename id ... on Goal { title } }
  missing: node(id: $missing) { __typename id ... on Goal { title } }
  nodes(ids: [$goal, $missing, $goal]) { __typename id ... on Goal { title } }
  owner: node(id: $owner) { ... on Person { ...Goals } }
  owners: nodes(ids: [$owner]) { ... on Person { ...Goals } }
  people(first: 100) { edges { node { ...Goals } } }
  teams(first: 100) { edges { node { members { ...Goals } } } }
  viewer {
    ...Goals
    steward { leader { ...Goals } follower { ...Goals } }
    stewardees { follower { ...Goals } }
    mentees { follower { ...Goals } }
    coachees { follower { ...Goals } }
    mentors { leader { ...Goals } }
  }
}

fragment Goals on Person {
  id
  goals { id title description checkIns { note } }
  active: goals(status: ACTIVE) { id title }
  readinessSuggestions { evidenceCount evidence { id title } }
}
"""


GOAL_LISTS = {"goals", "active", "evidence"}


def goal_ids_in(value: object) -> list[str]:
    """Every id of a Goal anywhere in a parsed response."""
    found: list[str] = []
    if isinstance(value, dict):
        if value.get("__typename") == "Goal":
            found.append(value["id"])
        for key, item in value.items():
            if key in GOAL_LISTS and isinstance(item, list):
                found += [goal["id"] for goal in item]
            found += goal_ids_in(item)
    elif isinstance(value, list):
        for item in value:
            found += goal_ids_in(item)
    return found


async def every_path(gql: GraphQL, viewer: Member, cast: Cast) -> tuple[str, dict[str, Any]]:
    response = await gql.raw(
        EVERY_PATH,
        {"owner": cast.owner.id, "goal": cast.goal["id"], "missing": missing_id("Goal")},
        token=viewer.token,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return response.text, body["data"]


# == reading ======================================================================


async def test_the_owner_reads_their_goal_along_every_path(gql: GraphQL, cast: Cast) -> None:
    """The control for the tests below: the query does reach the goal."""
    text, data = await every_path(gql, cast.owner, cast)

    assert data["goal"]["title"] == cast.secrets[0]
    assert data["missing"] is None
    assert [n and n["id"] for n in data["nodes"]] == [cast.goal["id"], None, cast.goal["id"]]
    assert [g["id"] for g in data["owner"]["goals"]] == [cast.goal["id"]]
    assert [g["id"] for g in data["viewer"]["goals"]] == [cast.goal["id"]]
    assert all(secret_text in text for secret_text in cast.secrets)


async def test_an_unshared_goal_leaves_no_trace_for_anyone_else(gql: GraphQL, cast: Cast) -> None:
    # Every role in turn, on one cast: setting it up is the slow part.
    for role in VIEWERS:
        await _an_unshared_goal_leaves_no_trace_for_anyone_else(gql, cast, role)


async def _an_unshared_goal_leaves_no_trace_for_anyone_else(
    gql: GraphQL, cast: Cast, role: str
) -> None:
    viewer = cast[role]

    text, data = await every_path(gql, viewer, cast)

    assert_no_trace(text, cast, cast.goal["id"])
    assert goal_ids_in(data) == []
    # Exactly like an id that never existed.
    assert data["goal"] is None
    assert data["goal"] == data["missing"]
    assert data["nodes"] == [None, None, None]
    if role == OUTSIDER:
        assert data["owner"] is None
        assert data["owners"] == [None]
    else:
        assert data["owner"]["goals"] == []
        assert data["owner"]["active"] == []
        assert data["owners"] == [data["owner"]]
        listed = [e["node"] for e in data["people"]["edges"] if e["node"]["id"] == cast.owner.id]
        assert [p["goals"] for p in listed] == [[]]
        # The shorter helper agrees.
        assert not await reads(gql, viewer, cast.owner, cast.goal["id"])


async def test_goal_counts_reveal_how_many_never_which(gql: GraphQL, cast: Cast) -> None:
    owner = cast.owner
    draft = await created(gql, owner, secret("Draft"), activate=False)
    done = await created(gql, owner, secret("Done"))
    await changed(gql, ACHIEVE_GOAL, owner, done["id"], note=secret("Achieved note"))
    dropped = await created(gql, owner, secret("Dropped"))
    await changed(gql, ABANDON_GOAL, owner, dropped["id"], note=secret("Abandoned note"))
    mine = await my_goals(gql, owner)
    cast.secrets += [g["title"] for g in mine["goals"]]
    cast.secrets += [g["statusNote"] for g in mine["goals"] if g["statusNote"]]
    assert draft["id"] in {g["id"] for g in mine["goals"]}

    # Every role in turn, on one cast: setting it up is the slow part.
    for role in INSIDERS:
        response = await gql.raw(
            """
            query Counts($id: ID!) {
              node(id: $id) {
                ... on Person { goalCounts { draft active achieved abandoned } goals { id title } }
              }
            }
            """,
            {"id": owner.id},
            token=cast[role].token,
        )
        body = response.json()
        assert body["data"]["node"] == {
            "goalCounts": {"draft": 1, "active": 1, "achieved": 1, "abandoned": 1},
            "goals": [],
        }, role
        assert_no_trace(response.text, cast, *(g["id"] for g in mine["goals"]))
        assert mine["goalCounts"] == body["data"]["node"]["goalCounts"]


# == writing ======================================================================

# Every mutation that names a goal, as someone other than its owner would try it.
ATTEMPTS: list[tuple[str, str, dict[str, Any]]] = [
    ("editGoal", EDIT_GOAL, {"title": "Taken over", "description": "mine now"}),
    ("activateGoal", ACTIVATE_GOAL, {}),
    ("achieveGoal", ACHIEVE_GOAL, {"note": "I say it is done"}),
    ("abandonGoal", ABANDON_GOAL, {"note": "I say it is over"}),
    ("checkInGoal", CHECK_IN_GOAL, {"progress": 100, "confidence": "HIGH", "note": "me"}),
    ("shareGoal", SHARE_GOAL, {"audience": "ORGANIZATION"}),
    ("shareGoal", SHARE_GOAL, {"audience": "STEWARD"}),
    ("unshareGoal", UNSHARE_GOAL, {"audience": "STEWARD"}),
]


async def attempt(
    gql: GraphQL, document: str, viewer: Member, goal_id: str, values: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    response = await gql.raw(document, {"input": {"goalId": goal_id, **values}}, token=viewer.token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    (result,) = body["data"].values()
    return response.text, result


async def test_someone_elses_goal_is_not_found_by_any_mutation(
    gql: GraphQL, cast: Cast, services: Services
) -> None:
    # Every role in turn, on one cast: setting it up is the slow part.
    for role in VIEWERS:
        await _someone_elses_goal_is_not_found_by_any_mutation(gql, cast, services, role)


async def _someone_elses_goal_is_not_found_by_any_mutation(
    gql: GraphQL, cast: Cast, services: Services, role: str
) -> None:
    viewer = cast[role]
    before = await goal_state(services)
    attempts = [*ATTEMPTS]
    attempts.append(("shareGoal", SHARE_GOAL, {"audience": "MENTOR", "mentorId": viewer.id}))
    attempts.append(("unshareGoal", UNSHARE_GOAL, {"audience": "MENTOR", "mentorId": viewer.id}))

    for name, document, values in attempts:
        text, result = await attempt(gql, document, viewer, cast.goal["id"], values)
        _, unknown = await attempt(gql, document, viewer, missing_id("Goal"), values)

        assert result["__typename"] == "NotFoundError", (name, result)
        assert result["code"] == "NOT_FOUND", (name, result)
        # Word for word what a goal that never existed gives.
        assert result == unknown, name
        assert_no_trace(text, cast)

    assert await goal_state(services) == before
    found = await goal_node(gql, cast.owner, cast.goal["id"])
    assert found is not None
    assert (found["title"], found["status"], found["sharedWith"]) == (
        cast.secrets[0],
        "ACTIVE",
        [],
    )
    assert [c["progress"] for c in found["checkIns"]] == [40]


async def test_reading_a_shared_goal_does_not_make_it_writable(
    gql: GraphQL, cast: Cast, services: Services
) -> None:
    # Every role in turn, on one cast: setting it up is the slow part.
    for role in [STEWARD, MENTOR, FACULTY, TEAMMATE]:
        await _reading_a_shared_goal_does_not_make_it_writable(gql, cast, services, role)


async def _reading_a_shared_goal_does_not_make_it_writable(
    gql: GraphQL, cast: Cast, services: Services, role: str
) -> None:
    owner = cast.owner
    await shared(gql, owner, cast.goal["id"], "STEWARD")
    await shared(gql, owner, cast.goal["id"], "MENTOR", cast[MENTOR])
    await shared(gql, owner, cast.goal["id"], "ORGANIZATION")
    viewer = cast[role]
    assert await reads(gql, viewer, owner, cast.goal["id"])
    before = await goal_state(services)

    for name, document, values in ATTEMPTS:
        _, result = await attempt(gql, document, viewer, cast.goal["id"], values)
        _, unknown = await attempt(gql, document, viewer, missing_id("Goal"), values)
        assert result["__typename"] == "NotFoundError", (name, result)
        assert result == unknown, name
    # Nor can a reader take the owner's shares back.
    for audience in ("STEWARD", "ORGANIZATION"):
        taken = await unshare(gql, viewer, cast.goal["id"], audience)
        assert taken["__typename"] == "NotFoundError", taken

    assert await goal_state(services) == before
    assert await reads(gql, viewer, owner, cast.goal["id"])


# == shares reach their audience and nobody else ===================================


@pytest.mark.parametrize(
    ("audience", "readers"),
    [
        ("STEWARD", {STEWARD}),
        ("MENTOR", {MENTOR}),
        ("ORGANIZATION", set(INSIDERS)),
    ],
)
async def test_a_share_reaches_its_audience_and_nobody_else(
    gql: GraphQL, cast: Cast, audience: str, readers: set[str]
) -> None:
    await shared(
        gql, cast.owner, cast.goal["id"], audience, cast[MENTOR] if audience == "MENTOR" else None
    )

    for role in VIEWERS:
        viewer = cast[role]
        text, data = await every_path(gql, viewer, cast)
        if role in readers:
            assert data["goal"]["title"] == cast.secrets[0], role
            assert [g["id"] for g in data["owner"]["goals"]] == [cast.goal["id"]], role
            assert data["owner"]["goals"][0]["checkIns"] == [{"note": cast.secrets[2]}], role
        else:
            assert_no_trace(text, cast, cast.goal["id"])
            assert goal_ids_in(data) == [], role

    # Taken back, it is gone for everyone on the very next request.
    await unshare(
        gql, cast.owner, cast.goal["id"], audience, cast[MENTOR] if audience == "MENTOR" else None
    )
    for role in VIEWERS:
        text, data = await every_path(gql, cast[role], cast)
        assert_no_trace(text, cast, cast.goal["id"])
        assert goal_ids_in(data) == [], role


async def test_a_relationship_that_ends_ends_the_reading(
    gql: GraphQL, cast: Cast, clock: FakeClock
) -> None:
    owner = cast.owner
    await shared(gql, owner, cast.goal["id"], "STEWARD")
    await shared(gql, owner, cast.goal["id"], "MENTOR", cast[MENTOR])
    new_steward = await cast.org.add_member("Nora New Steward")
    assert not await reads(gql, new_steward, owner, cast.goal["id"])

    advance(clock, timedelta(days=7), cast.org, cast.elsewhere)
    await established(gql, new_steward, owner)  # a handover

    # Neither the former steward nor the new one, who sees nothing shared
    # before their time, on any path.
    assert not await reads(gql, cast[STEWARD], owner, cast.goal["id"])
    former = await person_goals(gql, cast[STEWARD], owner)
    assert former["goals"] == []
    assert former["readinessSuggestions"] is None
    text, data = await every_path(gql, new_steward, cast)
    assert_no_trace(text, cast, cast.goal["id"])
    assert goal_ids_in(data) == []
    # The same for a mentorship that ends.
    assert await reads(gql, cast[MENTOR], owner, cast.goal["id"])
    (mentorship,) = [
        m
        for m in (await relationships_of(gql, owner))["mentors"]
        if m["leader"]["id"] == cast[MENTOR].id
    ]
    await succeeded(gql, END, cast[MENTOR], mentorship["id"], reason="Time to move on.")
    assert not await reads(gql, cast[MENTOR], owner, cast.goal["id"])
    assert not await reads(gql, cast[OTHER_MENTOR], owner, cast.goal["id"])


# == readiness ====================================================================


async def test_readiness_shows_only_readable_evidence_and_only_to_the_steward(
    gql: GraphQL, cast: Cast, clock: FakeClock
) -> None:
    owner = cast.owner
    evidence = []
    for n in range(3):
        goal = await created(gql, owner, secret(f"Evidence {n}"))
        await checked_in(gql, owner, goal["id"], 100, "HIGH", secret(f"Evidence note {n}"))
        await changed(gql, ACHIEVE_GOAL, owner, goal["id"], note=secret(f"Achieved {n}"))
        evidence.append(goal)
        advance(clock, timedelta(minutes=1), cast.org)  # evidence is listed oldest first
    for_steward, for_everyone, private = evidence
    await shared(gql, owner, for_steward["id"], "STEWARD")
    await shared(gql, owner, for_everyone["id"], "ORGANIZATION")
    cast.secrets.append(private["title"])

    own = (await person_goals(gql, owner, owner))["readinessSuggestions"]
    assert own is not None
    assert [(s["stage"], s["nextStage"], s["evidenceCount"]) for s in own] == [
        ("FIXED_GOALS", "FLEXIBLE_GOALS", 3)
    ]
    assert [g["id"] for g in own[0]["evidence"]] == [g["id"] for g in evidence]

    response = await gql.raw(
        """
        query Readiness($id: ID!) {
          node(id: $id) {
            ... on Person {
              readinessSuggestions { stage nextStage evidenceCount required evidence { id title } }
            }
          }
        }
        """,
        {"id": owner.id},
        token=cast[STEWARD].token,
    )
    # The steward's suggestion rests only on goals they may read: two of
    # three is below the rule, so nothing is suggested, and nothing about the
    # private goal (not even its stage) shows.
    assert response.json()["data"]["node"]["readinessSuggestions"] == []
    assert_no_trace(response.text, cast, private["id"])

    await shared(gql, owner, private["id"], "STEWARD")
    steward_view = (
        await gql.data(
            "query Readiness($id: ID!) { node(id: $id) { ... on Person {"
            " readinessSuggestions { stage nextStage evidenceCount evidence { id } } } } }",
            {"id": owner.id},
            token=cast[STEWARD].token,
        )
    )["node"]["readinessSuggestions"]
    assert [(s["stage"], s["nextStage"], s["evidenceCount"]) for s in steward_view] == [
        ("FIXED_GOALS", "FLEXIBLE_GOALS", 3)
    ]
    assert {g["id"] for g in steward_view[0]["evidence"]} == {g["id"] for g in evidence}
    cast.secrets.remove(private["title"])

    for role in (MENTOR, OTHER_MENTOR, COACH, STEWARDEE, FACULTY, TEAMMATE):
        text, data = await every_path(gql, cast[role], cast)
        assert data["owner"]["readinessSuggestions"] is None, role
        assert_no_trace(text, cast, private["id"], for_steward["id"])


async def test_a_proposed_steward_or_mentor_reads_nothing_before_consent(
    gql: GraphQL, cast: Cast, services: Services
) -> None:
    owner = cast.owner
    area = (await create_area(gql, cast.org.faculty.token, "Pending area"))["id"]
    hopeful_steward = await cast.org.add_member("Hopeful Steward")
    hopeful_mentor = await cast.org.add_member("Hopeful Mentor")
    await proposed(gql, hopeful_steward, owner)
    await proposed(gql, hopeful_mentor, owner, kind=MENTORSHIP, areas=[area])
    await shared(gql, owner, cast.goal["id"], "STEWARD")

    assert not await reads(gql, hopeful_steward, owner, cast.goal["id"])
    assert (await person_goals(gql, hopeful_steward, owner))["readinessSuggestions"] is None
    # A mentor who has not been accepted cannot be named either.
    before = await goal_state(services)
    refused = await share(gql, owner, cast.goal["id"], "MENTOR", hopeful_mentor)
    assert refused["__typename"] == "ValidationError", refused
    assert (refused["code"], refused["field"]) == ("NOT_YOUR_MENTOR", "personId")
    assert await goal_state(services) == before
    assert not await reads(gql, hopeful_mentor, owner, cast.goal["id"])


async def test_a_mentor_share_cannot_name_someone_in_another_organization(
    gql: GraphQL, cast: Cast, services: Services
) -> None:
    before = await goal_state(services)

    refused = await share(gql, cast.owner, cast.goal["id"], "MENTOR", cast[OUTSIDER])

    assert refused["__typename"] == "ValidationError", refused
    assert (refused["code"], refused["field"]) == ("NOT_YOUR_MENTOR", "personId")
    assert await goal_state(services) == before
    text, data = await every_path(gql, cast[OUTSIDER], cast)
    assert_no_trace(text, cast, cast.goal["id"])
    assert data["goal"] is None
