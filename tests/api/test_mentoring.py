"""Self-service mentoring through the API: offers, wishes, matching with
explained scores, asking a mentor, and the wish met when they accept."""

from __future__ import annotations

from typing import Any

from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import create_area, mutate
from tests.api.relationship_helpers import ACCEPT, succeeded

ERRORS = "__typename ... on Error { code message }"
OFFER = f"""
mutation($input: OfferMentoringInput!) {{ offerMentoring(input: $input) {{
  {ERRORS} ... on MentorOfferSuccess {{ offer {{ id proficiency status }} }} }} }}
"""
PROFILE = f"""
mutation($input: SetMentorProfileInput!) {{ setMentorProfile(input: $input) {{
  {ERRORS} ... on MentorProfileSuccess {{ profile {{ accepting }} }} }} }}
"""
WISH = f"""
mutation($input: WishToLearnInput!) {{ wishToLearn(input: $input) {{
  {ERRORS} ... on LearningWishSuccess {{ wish {{ id status }} }} }} }}
"""
ASK = f"""
mutation($input: AskMentorInput!) {{ askMentor(input: $input) {{
  {ERRORS} ... on AskMentorSuccess {{ relationship {{ id status kind }} }} }} }}
"""
MATCHES = """
query($id: ID!, $weights: [CriterionWeightInput!]) { node(id: $id) { ... on LearningWish {
  status
  matches(first: 10, weights: $weights) { edges { node {
    mentor { id name } knowledgeArea { name } total
    scores { criterion weight value explanation }
  } } }
} } }
"""

MONDAY_MORNING = [{"weekday": 0, "startMinute": 9 * 60, "endMinute": 12 * 60}]


async def _mentor(gql: GraphQL, member: Member, area_id: str, proficiency: int) -> None:
    result = await mutate(
        gql, OFFER, {"knowledgeAreaId": area_id, "proficiency": proficiency}, token=member.token
    )
    assert result["__typename"] == "MentorOfferSuccess", result
    result = await mutate(gql, PROFILE, {"availability": MONDAY_MORNING}, token=member.token)
    assert result["__typename"] == "MentorProfileSuccess", result


async def _matches(gql: GraphQL, member: Member, wish_id: str, **variables: Any) -> list[Any]:
    data = await gql.data(MATCHES, {"id": wish_id, **variables}, token=member.token)
    return [edge["node"] for edge in data["node"]["matches"]["edges"]]


async def test_a_wish_finds_explained_mentors_and_asking_one_meets_it(
    gql: GraphQL, org: Org
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    ada, bo, cy = [await org.add_member(n) for n in ("Ada", "Bo", "Cy")]
    await _mentor(gql, bo, area["id"], 5)
    await _mentor(gql, cy, area["id"], 3)
    result = await mutate(
        gql,
        WISH,
        {"knowledgeAreaId": area["id"], "current": 2, "desired": 4, "availability": MONDAY_MORNING},
        token=ada.token,
    )
    assert result["__typename"] == "LearningWishSuccess", result
    wish_id = result["wish"]["id"]

    matches = await _matches(gql, ada, wish_id)
    assert [m["mentor"]["name"] for m in matches] == ["Bo", "Cy"]
    for match in matches:
        assert {s["criterion"] for s in match["scores"]} == {
            "AREA_FIT",
            "PROFICIENCY",
            "CAPACITY_LEFT",
            "LOAD",
            "AVAILABILITY",
            "PERSPECTIVE",
        }
        assert all(s["explanation"] for s in match["scores"])
    # A weight out of bounds is refused.
    body = await gql(
        MATCHES,
        {"id": wish_id, "weights": [{"criterion": "LOAD", "weight": 9}]},
        token=ada.token,
    )
    assert body["errors"][0]["extensions"]["code"] == "OUT_OF_RANGE"

    asked = await mutate(gql, ASK, {"wishId": wish_id, "mentorId": bo.id}, token=ada.token)
    assert asked["__typename"] == "AskMentorSuccess", asked
    await succeeded(gql, ACCEPT, bo, asked["relationship"]["id"])
    data = await gql.data(MATCHES, {"id": wish_id}, token=ada.token)
    assert data["node"]["status"] == "FULFILLED"


AREA_MENTORING = """
query($id: ID!) { node(id: $id) { ... on KnowledgeArea { mentoring {
  unmatchedWishes { current desired }
  mentorsNearCapacity { mentor { name } load capacity }
} } } }
"""


async def test_faculty_see_wishes_without_a_good_match_and_full_mentors(
    gql: GraphQL, org: Org
) -> None:
    area = await create_area(gql, org.faculty.token, "Frontend")
    ada, bo = [await org.add_member(n) for n in ("Ada", "Bo")]
    await _mentor(gql, bo, area["id"], 3)
    for member, desired in ((ada, 5),):
        result = await mutate(
            gql,
            WISH,
            {"knowledgeAreaId": area["id"], "current": 1, "desired": desired},
            token=member.token,
        )
        assert result["__typename"] == "LearningWishSuccess", result
    data = await gql.data(AREA_MENTORING, {"id": area["id"]}, token=org.faculty.token)
    assert data["node"]["mentoring"]["unmatchedWishes"] == [{"current": 1, "desired": 5}]
    assert data["node"]["mentoring"]["mentorsNearCapacity"] == []
    data = await gql.data(AREA_MENTORING, {"id": area["id"]}, token=ada.token)
    assert data["node"]["mentoring"] is None


GOAL = """
mutation($input: CreateGoalInput!) { createGoal(input: $input) {
  __typename ... on GoalSuccess { goal { id } } } }
"""
WISH_GOAL = "query($id: ID!) { node(id: $id) { ... on LearningWish { goal { id } } } }"


async def test_a_wish_reads_back_the_goal_it_serves(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Mobile")
    ada = await org.add_member("Ada")
    goal = await mutate(gql, GOAL, {"title": "Ship the app", "stage": "TASKS"}, token=ada.token)
    result = await mutate(
        gql,
        WISH,
        {"knowledgeAreaId": area["id"], "current": 1, "desired": 3, "goalId": goal["goal"]["id"]},
        token=ada.token,
    )
    data = await gql.data(WISH_GOAL, {"id": result["wish"]["id"]}, token=ada.token)
    assert data["node"]["goal"] == {"id": goal["goal"]["id"]}
