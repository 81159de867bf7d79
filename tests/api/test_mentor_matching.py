"""Self-service mentor matching through the public API (DESIGN.md §2, issue 7):
offers, mentor profiles, learning wishes, matching with explained and
tunable scores, asking a mentor and their consent, capacity under
concurrency, an even spread of mentees, and the faculty lead view.

What a test checks goes through GraphQL; the database is read directly only
to prove that a refused request changed nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from api.context import Services
from api.graphql.ids import decode, global_id
from domain.actors import Actor
from domain.availability import Window
from domain.people import Person
from domain.relationships import RelationshipKind
from domain.services import mentoring as mentoring_service
from domain.services import relationships as relationship_service
from tests.api.goal_helpers import created as created_goal
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.queries import add_team_member, assert_error, create_area, create_team, mutate
from tests.api.relationship_helpers import (
    ACCEPT,
    DECLINE,
    END,
    ERROR_FIELDS,
    LEADER,
    MARK_LEFT,
    MENTORSHIP,
    RELATIONSHIP,
    SET_CAPACITY,
    advance,
    established,
    proposed,
    succeeded,
)
from tests.fakes import FakeClock

MakeOrg = Callable[..., Awaitable[Org]]

CRITERIA = {"AREA_FIT", "PROFICIENCY", "CAPACITY_LEFT", "LOAD", "AVAILABILITY", "PERSPECTIVE"}
DEFAULT_WEIGHTS = {
    "AREA_FIT": 3.0,
    "PROFICIENCY": 2.0,
    "CAPACITY_LEFT": 1.0,
    "LOAD": 2.0,
    "AVAILABILITY": 2.0,
    "PERSPECTIVE": 1.0,
}

OFFER_FIELDS = "id proficiency note status mentor { id } knowledgeArea { id name }"
WINDOW_FIELDS = "weekday startMinute endMinute"
WISH_FIELDS = f"""
    id status current desired createdAt knowledgeArea {{ id name }}
    availability {{ {WINDOW_FIELDS} }}
"""

OFFER = f"""
mutation Offer($input: OfferMentoringInput!) {{ offerMentoring(input: $input) {{
  {ERROR_FIELDS} ... on MentorOfferSuccess {{ offer {{ {OFFER_FIELDS} }} }} }} }}
"""
EDIT_OFFER = f"""
mutation Edit($input: EditMentorOfferInput!) {{ editMentorOffer(input: $input) {{
  {ERROR_FIELDS} ... on MentorOfferSuccess {{ offer {{ {OFFER_FIELDS} }} }} }} }}
"""
PAUSE_OFFER = f"""
mutation Pause($input: PauseMentorOfferInput!) {{ pauseMentorOffer(input: $input) {{
  {ERROR_FIELDS} ... on MentorOfferSuccess {{ offer {{ {OFFER_FIELDS} }} }} }} }}
"""
WITHDRAW_OFFER = f"""
mutation WithdrawOffer($input: MentorOfferIdInput!) {{ withdrawMentorOffer(input: $input) {{
  {ERROR_FIELDS} ... on MentorOfferSuccess {{ offer {{ {OFFER_FIELDS} }} }} }} }}
"""
PROFILE = f"""
mutation Profile($input: SetMentorProfileInput!) {{ setMentorProfile(input: $input) {{
  {ERROR_FIELDS}
  ... on MentorProfileSuccess {{ profile {{ accepting availability {{ {WINDOW_FIELDS} }} }} }}
}} }}
"""
WISH = f"""
mutation Wish($input: WishToLearnInput!) {{ wishToLearn(input: $input) {{
  {ERROR_FIELDS} ... on LearningWishSuccess {{ wish {{ {WISH_FIELDS} }} }} }} }}
"""
WITHDRAW_WISH = f"""
mutation WithdrawWish($input: LearningWishIdInput!) {{ withdrawLearningWish(input: $input) {{
  {ERROR_FIELDS} ... on LearningWishSuccess {{ wish {{ {WISH_FIELDS} }} }} }} }}
"""
ASK = f"""
mutation Ask($input: AskMentorInput!) {{ askMentor(input: $input) {{
  {ERROR_FIELDS}
  ... on AskMentorSuccess {{ relationship {{
    id kind status message leader {{ id }} follower {{ id }} proposedBy {{ id }}
    knowledgeAreas {{ id }}
  }} }}
}} }}
"""
MATCHES = """
query Matches($id: ID!, $first: Int! = 10, $weights: [CriterionWeightInput!]) {
  node(id: $id) { ... on LearningWish {
    id status
    matches(first: $first, weights: $weights) { edges { node {
      mentor { id name } knowledgeArea { id name } total
      scores { criterion weight value explanation }
    } } }
  } }
}
"""
PERSON_MENTORING = f"""
query PersonMentoring($id: ID!) {{ node(id: $id) {{ ... on Person {{
  mentorOffers {{ {OFFER_FIELDS} }}
  mentorProfile {{ accepting availability {{ {WINDOW_FIELDS} }} }}
  learningWishes {{ {WISH_FIELDS} }}
}} }} }}
"""
VIEWER_WISHES = f"{{ viewer {{ id learningWishes {{ {WISH_FIELDS} }} }} }}"
OFFER_NODE = f"""
query OfferNode($id: ID!) {{ node(id: $id) {{ __typename ... on MentorOffer {{ {OFFER_FIELDS} }} }} }}
"""
WISH_NODE = f"""
query WishNode($id: ID!) {{ node(id: $id) {{ __typename ... on LearningWish {{ {WISH_FIELDS} }} }} }}
"""
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
MENTEE_LOADS = """
query Loads($ids: [ID!]!) { nodes(ids: $ids) { ... on Person {
  id name menteeCapacity { capacity load remaining }
} } }
"""
AREA_MENTORING = """
query AreaMentoring($id: ID!) { node(id: $id) { ... on KnowledgeArea { name mentoring {
  unmatchedWishes { current desired createdAt }
  mentorsNearCapacity { mentor { id name } load capacity }
} } } }
"""
VOLUNTEER = f"""
mutation Volunteer($input: VolunteerForRoleInput!) {{ volunteerForRole(input: $input) {{
  {ERROR_FIELDS} ... on RoleAssignmentSuccess {{ roleAssignment {{ id status }} }} }} }}
"""
STEP_BACK = f"""
mutation StepBack($input: StepBackFromRoleInput!) {{ stepBackFromRole(input: $input) {{
  {ERROR_FIELDS} ... on RoleAssignmentSuccess {{ roleAssignment {{ id status }} }} }} }}
"""
ACCEPT_ROLE = f"""
mutation AcceptRole($input: RoleAssignmentIdInput!) {{ acceptRole(input: $input) {{
  {ERROR_FIELDS} ... on RoleAssignmentSuccess {{ roleAssignment {{ id status }} }} }} }}
"""

MONDAY_MORNING = [{"weekday": 0, "startMinute": 9 * 60, "endMinute": 12 * 60}]


def window(weekday: int, start_hour: float, end_hour: float) -> dict[str, int]:
    return {
        "weekday": weekday,
        "startMinute": int(start_hour * 60),
        "endMinute": int(end_hour * 60),
    }


# -- helpers --------------------------------------------------------------------


async def offer(
    gql: GraphQL, mentor: Member, area_id: str, proficiency: int = 4, note: str = ""
) -> dict[str, Any]:
    result = await mutate(
        gql,
        OFFER,
        {"knowledgeAreaId": area_id, "proficiency": proficiency, "note": note},
        token=mentor.token,
    )
    assert result["__typename"] == "MentorOfferSuccess", result
    return result["offer"]


async def set_profile(
    gql: GraphQL,
    member: Member,
    *,
    accepting: bool | None = None,
    availability: list[dict[str, int]] | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if accepting is not None:
        values["accepting"] = accepting
    if availability is not None:
        values["availability"] = availability
    result = await mutate(gql, PROFILE, values, token=member.token)
    assert result["__typename"] == "MentorProfileSuccess", result
    return result["profile"]


async def wish(
    gql: GraphQL,
    member: Member,
    area_id: str,
    current: int = 1,
    desired: int = 3,
    availability: list[dict[str, int]] | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {"knowledgeAreaId": area_id, "current": current, "desired": desired}
    if availability is not None:
        values["availability"] = availability
    result = await mutate(gql, WISH, values, token=member.token)
    assert result["__typename"] == "LearningWishSuccess", result
    return result["wish"]


async def matches(
    gql: GraphQL,
    member: Member,
    wish_id: str,
    *,
    first: int = 10,
    weights: dict[str, float] | None = None,
) -> list[dict[str, Any]]:
    variables: dict[str, Any] = {"id": wish_id, "first": first}
    if weights is not None:
        variables["weights"] = [{"criterion": c, "weight": w} for c, w in weights.items()]
    data = await gql.data(MATCHES, variables, token=member.token)
    assert data["node"] is not None
    return [edge["node"] for edge in data["node"]["matches"]["edges"]]


async def suggested(gql: GraphQL, member: Member, wish_id: str, **kwargs: Any) -> list[str]:
    """The names of the suggested mentors, best first."""
    return [m["mentor"]["name"] for m in await matches(gql, member, wish_id, **kwargs)]


def scores(match: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["criterion"]: s for s in match["scores"]}


def by_name(found: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (match,) = [m for m in found if m["mentor"]["name"] == name]
    return match


async def ask(
    gql: GraphQL, member: Member, wish_id: str, mentor: Member | str, message: str = ""
) -> dict[str, Any]:
    return await mutate(
        gql,
        ASK,
        {
            "wishId": wish_id,
            "mentorId": mentor if isinstance(mentor, str) else mentor.id,
            "message": message,
        },
        token=member.token,
    )


async def asked(
    gql: GraphQL, member: Member, wish_id: str, mentor: Member | str, message: str = ""
) -> dict[str, Any]:
    result = await ask(gql, member, wish_id, mentor, message)
    assert result["__typename"] == "AskMentorSuccess", result
    return result["relationship"]


async def wish_status(gql: GraphQL, member: Member, wish_id: str) -> str:
    data = await gql.data(WISH_NODE, {"id": wish_id}, token=member.token)
    return data["node"]["status"]


async def person_mentoring(gql: GraphQL, viewer: Member, subject: Member) -> dict[str, Any]:
    data = await gql.data(PERSON_MENTORING, {"id": subject.id}, token=viewer.token)
    assert data["node"] is not None
    return data["node"]


async def set_mentee_capacity(gql: GraphQL, member: Member, capacity: int) -> None:
    result = await mutate(
        gql, SET_CAPACITY, {"kind": MENTORSHIP, "capacity": capacity}, token=member.token
    )
    assert result["__typename"] == "SetCapacitySuccess", result


async def mentee_loads(gql: GraphQL, viewer: Member, mentors: list[Member]) -> dict[str, int]:
    data = await gql.data(MENTEE_LOADS, {"ids": [m.id for m in mentors]}, token=viewer.token)
    return {p["id"]: p["menteeCapacity"]["load"] for p in data["nodes"]}


async def area_mentoring(gql: GraphQL, viewer: Member, area_id: str) -> dict[str, Any] | None:
    data = await gql.data(AREA_MENTORING, {"id": area_id}, token=viewer.token)
    assert data["node"] is not None
    return data["node"]["mentoring"]


async def make_faculty_lead(gql: GraphQL, org: Org, member: Member, area_id: str) -> str:
    """`member` volunteers as FACULTY_LEAD of the area; org faculty confirms.
    Returns the role assignment's id."""
    offered = await mutate(
        gql, VOLUNTEER, {"role": "FACULTY_LEAD", "knowledgeAreaId": area_id}, token=member.token
    )
    assert offered["__typename"] == "RoleAssignmentSuccess", offered
    accepted = await mutate(
        gql,
        ACCEPT_ROLE,
        {"roleAssignmentId": offered["roleAssignment"]["id"]},
        token=org.faculty.token,
    )
    assert accepted["__typename"] == "RoleAssignmentSuccess", accepted
    assert accepted["roleAssignment"]["status"] == "ACTIVE", accepted
    return accepted["roleAssignment"]["id"]


async def query_error_codes(gql: GraphQL, member: Member, wish_id: str, **kwargs: Any) -> list[str]:
    variables: dict[str, Any] = {"id": wish_id, "first": kwargs.get("first", 10)}
    if "weights" in kwargs:
        variables["weights"] = [{"criterion": c, "weight": w} for c, w in kwargs["weights"].items()]
    body = await gql(MATCHES, variables, token=member.token)
    assert body.get("errors"), body
    assert all(e["message"] for e in body["errors"])
    return [e.get("extensions", {}).get("code") for e in body["errors"]]


_TABLES = {
    "mentor_offers": "SELECT * FROM mentor_offers ORDER BY id",
    "mentor_profiles": "SELECT * FROM mentor_profiles ORDER BY person_id",
    "learning_wishes": "SELECT * FROM learning_wishes ORDER BY id",
    "relationships": "SELECT * FROM relationships ORDER BY id",
    "mentorship_areas": "SELECT * FROM mentorship_areas ORDER BY id",
    "notifications": "SELECT * FROM notifications ORDER BY id",
}


async def mentoring_state(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every table mentoring writes, read directly: compared before and after a
    refused request to show that it changed nothing."""
    async with services.session_factory() as session:
        return {
            name: [tuple(row) for row in (await session.execute(sa.text(query))).all()]
            for name, query in _TABLES.items()
        }


async def mutation_free(org: Org, before: dict[str, list[tuple[Any, ...]]]) -> bool:
    """Whether the mentoring tables are exactly as `before`."""
    return await mentoring_state(org.services) == before


def actor(member: Member) -> Actor:
    return Actor(person_id=member.person.id, organization_id=member.person.organization_id)


async def add_mentors_quickly(
    services: Services, org: Org, names: list[str], area_id: str, proficiency: int = 4
) -> list[Person]:
    """Many mentors with an offer each, set up through the domain in one
    transaction (for speed; what is checked goes through GraphQL)."""
    now = services.clock.now()
    area = decode(area_id, "KnowledgeArea")
    created = []
    async with services.uow_factory(org.id) as uow:
        for name in names:
            handle = f"q{uuid4().hex[:12]}"
            person = Person.create(
                organization_id=org.id,
                name=name,
                handle=handle,
                email=f"{handle}@example.com",
                timezone="Europe/Berlin",
                now=now,
            )
            await uow.people.add(person)
            await mentoring_service.offer(
                uow,
                Actor(person_id=person.id, organization_id=org.id),
                knowledge_area_id=area,
                proficiency=proficiency,
                now=now,
            )
            created.append(person)
        await uow.commit()
    return created


# -- 1. offers ----------------------------------------------------------------------


async def test_a_mentor_offers_and_edits_an_offer_that_everyone_can_see(
    gql: GraphQL, org: Org
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    mentor, colleague = await org.add_member("Mira"), await org.add_member("Colin")

    created = await offer(gql, mentor, area["id"], 3, note="Happy to pair on APIs")
    assert created["status"] == "ACTIVE"
    assert created["proficiency"] == 3
    assert created["note"] == "Happy to pair on APIs"
    assert created["mentor"]["id"] == mentor.id
    assert created["knowledgeArea"] == {"id": area["id"], "name": "Backend"}

    edited = await mutate(
        gql, EDIT_OFFER, {"offerId": created["id"], "proficiency": 5}, token=mentor.token
    )
    assert edited["__typename"] == "MentorOfferSuccess", edited
    assert (edited["offer"]["proficiency"], edited["offer"]["note"]) == (5, "Happy to pair on APIs")
    edited = await mutate(
        gql, EDIT_OFFER, {"offerId": created["id"], "note": "Databases too"}, token=mentor.token
    )
    assert (edited["offer"]["proficiency"], edited["offer"]["note"]) == (5, "Databases too")

    # Offers are public within the organization: mentors offer to everyone.
    seen = await person_mentoring(gql, colleague, mentor)
    assert [(o["id"], o["proficiency"], o["status"]) for o in seen["mentorOffers"]] == [
        (created["id"], 5, "ACTIVE")
    ]
    data = await gql.data(OFFER_NODE, {"id": created["id"]}, token=colleague.token)
    assert data["node"]["note"] == "Databases too"

    # A mentor's offers are listed by area name.
    architecture = await create_area(gql, org.faculty.token, "Architecture")
    await offer(gql, mentor, architecture["id"], 2)
    seen = await person_mentoring(gql, colleague, mentor)
    assert [o["knowledgeArea"]["name"] for o in seen["mentorOffers"]] == [
        "Architecture",
        "Backend",
    ]


async def test_a_paused_offer_is_never_suggested_until_resumed(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    mentor, other, learner = [await org.add_member(n) for n in ("Mira", "Otto", "Lea")]
    paused = await offer(gql, mentor, area["id"], 5)
    await offer(gql, other, area["id"], 4)
    wished = await wish(gql, learner, area["id"], 1, 3)
    assert await suggested(gql, learner, wished["id"]) == ["Mira", "Otto"]

    result = await mutate(gql, PAUSE_OFFER, {"offerId": paused["id"]}, token=mentor.token)
    assert result["__typename"] == "MentorOfferSuccess", result
    assert result["offer"]["status"] == "PAUSED"
    assert await suggested(gql, learner, wished["id"]) == ["Otto"]
    # A paused offer is still one of the mentor's live offers.
    assert [
        o["status"] for o in (await person_mentoring(gql, learner, mentor))["mentorOffers"]
    ] == ["PAUSED"]
    # With nothing but a paused offer, the mentor cannot be asked either.
    before = await mentoring_state(org.services)
    refused = await ask(gql, learner, wished["id"], mentor)
    assert_error(refused, "ConflictError", "NOT_ACCEPTING", "mentorId")
    assert await mentoring_state(org.services) == before

    result = await mutate(
        gql, PAUSE_OFFER, {"offerId": paused["id"], "paused": False}, token=mentor.token
    )
    assert result["offer"]["status"] == "ACTIVE"
    assert await suggested(gql, learner, wished["id"]) == ["Mira", "Otto"]


async def test_a_withdrawn_offer_stays_in_history_but_is_no_longer_live(
    gql: GraphQL, org: Org
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    mentor, learner = await org.add_member("Mira"), await org.add_member("Lea")
    first = await offer(gql, mentor, area["id"], 4)
    wished = await wish(gql, learner, area["id"], 1, 3)
    assert await suggested(gql, learner, wished["id"]) == ["Mira"]

    result = await mutate(gql, WITHDRAW_OFFER, {"offerId": first["id"]}, token=mentor.token)
    assert result["__typename"] == "MentorOfferSuccess", result
    assert result["offer"]["status"] == "WITHDRAWN"

    assert (await person_mentoring(gql, learner, mentor))["mentorOffers"] == []
    assert (await person_mentoring(gql, mentor, mentor))["mentorOffers"] == []
    assert await suggested(gql, learner, wished["id"]) == []
    # History: the offer itself is still there, withdrawn.
    data = await gql.data(OFFER_NODE, {"id": first["id"]}, token=mentor.token)
    assert data["node"]["status"] == "WITHDRAWN"
    async with org.services.session_factory() as session:
        kept = await session.scalar(sa.text("SELECT count(*) FROM mentor_offers"))
    assert kept == 1

    # A withdrawn offer cannot be edited, paused or withdrawn again.
    before = await mentoring_state(org.services)
    for document, values in (
        (EDIT_OFFER, {"offerId": first["id"], "proficiency": 5}),
        (PAUSE_OFFER, {"offerId": first["id"]}),
        (WITHDRAW_OFFER, {"offerId": first["id"]}),
    ):
        assert_error(
            await mutate(gql, document, values, token=mentor.token), "ConflictError", "WITHDRAWN"
        )
    assert await mutation_free(org, before)

    # A new offer in the area can follow.
    second = await offer(gql, mentor, area["id"], 5)
    assert second["id"] != first["id"]
    assert [o["id"] for o in (await person_mentoring(gql, learner, mentor))["mentorOffers"]] == [
        second["id"]
    ]
    assert await suggested(gql, learner, wished["id"]) == ["Mira"]


@pytest.mark.parametrize("pause_first", [False, True])
async def test_a_second_live_offer_in_one_area_is_refused(
    gql: GraphQL, org: Org, pause_first: bool
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    other_area = await create_area(gql, org.faculty.token, "Frontend")
    mentor = await org.add_member("Mira")
    first = await offer(gql, mentor, area["id"], 3)
    if pause_first:
        await mutate(gql, PAUSE_OFFER, {"offerId": first["id"]}, token=mentor.token)

    before = await mentoring_state(org.services)
    result = await mutate(
        gql, OFFER, {"knowledgeAreaId": area["id"], "proficiency": 5}, token=mentor.token
    )
    assert_error(result, "ConflictError", "ALREADY_OFFERED", "knowledgeAreaId")
    assert await mutation_free(org, before)
    # Another area is fine.
    await offer(gql, mentor, other_area["id"], 2)


async def test_only_the_mentor_can_change_their_offer(
    gql: GraphQL, org: Org, make_org: MakeOrg
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    mentor, colleague = await org.add_member("Mira"), await org.add_member("Colin")
    elsewhere = await make_org("Elsewhere")
    outsider = await elsewhere.add_member("Oscar")
    created = await offer(gql, mentor, area["id"], 3)

    before = await mentoring_state(org.services)
    for member in (colleague, org.faculty, outsider):
        for document, values in (
            (EDIT_OFFER, {"offerId": created["id"], "proficiency": 5, "note": "mine now"}),
            (PAUSE_OFFER, {"offerId": created["id"]}),
            (WITHDRAW_OFFER, {"offerId": created["id"]}),
        ):
            result = await mutate(gql, document, values, token=member.token)
            assert_error(result, "NotFoundError", "NOT_FOUND")
    assert await mutation_free(org, before)
    data = await gql.data(OFFER_NODE, {"id": created["id"]}, token=outsider.token)
    assert data["node"] is None


async def test_a_double_tap_leaves_one_offer_and_one_wish(gql: GraphQL, org: Org) -> None:
    """Concurrent requests both pass the check; the database decides and the
    losers get the same typed error."""
    area = await create_area(gql, org.faculty.token, "Backend")
    member = await org.add_member("Mira")
    offers = await asyncio.gather(
        *(
            mutate(
                gql, OFFER, {"knowledgeAreaId": area["id"], "proficiency": 4}, token=member.token
            )
            for _ in range(5)
        )
    )
    wishes = await asyncio.gather(
        *(
            mutate(
                gql,
                WISH,
                {"knowledgeAreaId": area["id"], "current": 1, "desired": 2},
                token=member.token,
            )
            for _ in range(5)
        )
    )
    assert sorted(r["__typename"] for r in offers) == ["ConflictError"] * 4 + ["MentorOfferSuccess"]
    assert {r["code"] for r in offers if r["__typename"] == "ConflictError"} == {"ALREADY_OFFERED"}
    assert sorted(r["__typename"] for r in wishes) == ["ConflictError"] * 4 + [
        "LearningWishSuccess"
    ]
    assert {r["code"] for r in wishes if r["__typename"] == "ConflictError"} == {"ALREADY_WISHED"}
    state = await mentoring_state(org.services)
    assert (len(state["mentor_offers"]), len(state["learning_wishes"])) == (1, 1)


# -- 2. the mentor profile --------------------------------------------------------


async def test_a_mentor_not_accepting_is_never_suggested_nor_asked(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    mentor, other, learner = [await org.add_member(n) for n in ("Mira", "Otto", "Lea")]
    await offer(gql, mentor, area["id"], 5)
    await offer(gql, other, area["id"], 4)
    wished = await wish(gql, learner, area["id"], 1, 3)

    profile = await set_profile(gql, mentor, accepting=False, availability=MONDAY_MORNING)
    assert profile == {
        "accepting": False,
        "availability": [{"weekday": 0, "startMinute": 540, "endMinute": 720}],
    }
    seen = await person_mentoring(gql, learner, mentor)
    assert seen["mentorProfile"]["accepting"] is False
    assert await suggested(gql, learner, wished["id"]) == ["Otto"]

    before = await mentoring_state(org.services)
    refused = await ask(gql, learner, wished["id"], mentor, "Please?")
    assert_error(refused, "ConflictError", "NOT_ACCEPTING", "mentorId")
    assert await mutation_free(org, before)

    # Changing one setting keeps the other.
    profile = await set_profile(gql, mentor, accepting=True)
    assert profile["accepting"] is True
    assert profile["availability"] == [{"weekday": 0, "startMinute": 540, "endMinute": 720}]
    assert await suggested(gql, learner, wished["id"]) == ["Mira", "Otto"]
    assert (await asked(gql, learner, wished["id"], mentor))["status"] == "PROPOSED"


async def test_profile_windows_are_kept_sorted(gql: GraphQL, org: Org) -> None:
    mentor = await org.add_member("Mira")
    windows = [window(3, 14, 16), window(0, 13, 14), window(0, 9, 13)]
    profile = await set_profile(gql, mentor, availability=windows)
    assert profile["accepting"] is True  # accepting unless they say otherwise
    assert profile["availability"] == [window(0, 9, 13), window(0, 13, 14), window(3, 14, 16)]


# -- 3. learning wishes ---------------------------------------------------------


async def test_a_person_wishes_to_learn_and_withdraws_the_wish(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    created = await wish(gql, learner, area["id"], 2, 4, availability=[window(1, 8, 10)])
    assert created["status"] == "OPEN"
    assert (created["current"], created["desired"]) == (2, 4)
    assert created["knowledgeArea"] == {"id": area["id"], "name": "Backend"}
    assert created["availability"] == [window(1, 8, 10)]

    data = await gql.data(VIEWER_WISHES, token=learner.token)
    assert [w["id"] for w in data["viewer"]["learningWishes"]] == [created["id"]]

    withdrawn = await mutate(gql, WITHDRAW_WISH, {"wishId": created["id"]}, token=learner.token)
    assert withdrawn["__typename"] == "LearningWishSuccess", withdrawn
    assert withdrawn["wish"]["status"] == "WITHDRAWN"
    assert await wish_status(gql, learner, created["id"]) == "WITHDRAWN"

    before = await mentoring_state(org.services)
    again = await mutate(gql, WITHDRAW_WISH, {"wishId": created["id"]}, token=learner.token)
    assert_error(again, "ConflictError", "WISH_CLOSED")
    assert await mutation_free(org, before)

    # A withdrawn wish makes room for a new one in the area.
    renewed = await wish(gql, learner, area["id"], 3, 5)
    data = await gql.data(VIEWER_WISHES, token=learner.token)
    assert {w["id"]: w["status"] for w in data["viewer"]["learningWishes"]} == {
        created["id"]: "WITHDRAWN",
        renewed["id"]: "OPEN",
    }


async def test_two_open_wishes_in_one_area_are_refused(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    other_area = await create_area(gql, org.faculty.token, "Frontend")
    learner, colleague = await org.add_member("Lea"), await org.add_member("Colin")
    await wish(gql, learner, area["id"], 1, 3)

    before = await mentoring_state(org.services)
    result = await mutate(
        gql, WISH, {"knowledgeAreaId": area["id"], "current": 2, "desired": 5}, token=learner.token
    )
    assert_error(result, "ConflictError", "ALREADY_WISHED", "knowledgeAreaId")
    assert await mutation_free(org, before)
    # Another area, or another person in the same area, is fine.
    await wish(gql, learner, other_area["id"], 1, 2)
    await wish(gql, colleague, area["id"], 1, 2)


async def test_a_learning_wish_is_its_persons_own(
    gql: GraphQL, org: Org, make_org: MakeOrg
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner, colleague, mentor = [await org.add_member(n) for n in ("Lea", "Colin", "Mira")]
    await offer(gql, mentor, area["id"], 5)
    wished = await wish(gql, learner, area["id"], 1, 3)
    outsider = await (await make_org("Elsewhere")).add_member("Oscar")

    assert (await person_mentoring(gql, learner, learner))["learningWishes"] is not None
    before = await mentoring_state(org.services)
    for member in (colleague, mentor, org.faculty):
        assert (await person_mentoring(gql, member, learner))["learningWishes"] is None
    for member in (colleague, mentor, org.faculty, outsider):
        data = await gql.data(WISH_NODE, {"id": wished["id"]}, token=member.token)
        assert data["node"] is None
        data = await gql.data(NODES, {"ids": [wished["id"]]}, token=member.token)
        assert data["nodes"] == [None]
        data = await gql.data(MATCHES, {"id": wished["id"]}, token=member.token)
        assert data["node"] is None
        withdrawn = await mutate(gql, WITHDRAW_WISH, {"wishId": wished["id"]}, token=member.token)
        assert_error(withdrawn, "NotFoundError", "NOT_FOUND")
        assert_error(await ask(gql, member, wished["id"], mentor), "NotFoundError", "NOT_FOUND")
    assert await mutation_free(org, before)
    assert await wish_status(gql, learner, wished["id"]) == "OPEN"


# -- 4. matching ----------------------------------------------------------------


async def test_every_match_explains_all_six_criteria(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    for name, proficiency in (("Mira", 5), ("Otto", 3), ("Pia", 2)):
        mentor = await org.add_member(name)
        await offer(gql, mentor, area["id"], proficiency)
    await set_profile(gql, org.members[1], availability=MONDAY_MORNING)
    wished = await wish(gql, learner, area["id"], 1, 3, availability=MONDAY_MORNING)

    found = await matches(gql, learner, wished["id"])
    assert [m["mentor"]["name"] for m in found] == ["Mira", "Otto", "Pia"]
    for match in found:
        assert len(match["scores"]) == 6
        assert {s["criterion"] for s in match["scores"]} == CRITERIA
        for score in match["scores"]:
            assert score["weight"] == DEFAULT_WEIGHTS[score["criterion"]]
            assert 0 <= score["value"] <= 1
            assert score["explanation"].strip()
        assert 0 <= match["total"] <= 100
        mean = sum(s["weight"] * s["value"] for s in match["scores"]) / sum(
            s["weight"] for s in match["scores"]
        )
        assert match["total"] == pytest.approx(100 * mean, abs=0.15)
        assert match["knowledgeArea"]["name"] == "Backend"
    totals = [m["total"] for m in found]
    assert totals == sorted(totals, reverse=True)
    # The explanations speak of this mentor and this wish.
    mira = scores(found[0])
    assert "5/5" in mira["PROFICIENCY"]["explanation"]
    assert "Backend" in mira["AREA_FIT"]["explanation"]
    assert "3 hours" in mira["AVAILABILITY"]["explanation"]


async def test_the_exact_area_ranks_above_its_parent_and_children(gql: GraphQL, org: Org) -> None:
    engineering = await create_area(gql, org.faculty.token, "Engineering")
    backend = await create_area(gql, org.faculty.token, "Backend", engineering["id"])
    databases = await create_area(gql, org.faculty.token, "Databases", backend["id"])
    frontend = await create_area(gql, org.faculty.token, "Frontend", engineering["id"])
    learner = await org.add_member("Lea")
    # Names sort against the expected order, so the area decides.
    for name, area in (
        ("Ann", engineering),
        ("Ben", databases),
        ("Sid", frontend),
        ("Zoe", backend),
    ):
        await offer(gql, await org.add_member(name), area["id"], 5)
    wished = await wish(gql, learner, backend["id"], 1, 3)

    found = await matches(gql, learner, wished["id"])
    assert [m["mentor"]["name"] for m in found] == ["Zoe", "Ann", "Ben"]  # no sibling area
    assert [m["knowledgeArea"]["name"] for m in found] == ["Backend", "Engineering", "Databases"]
    assert [scores(m)["AREA_FIT"]["value"] for m in found] == [1.0, 0.5, 0.5]
    assert "the area you want to learn" in scores(found[0])["AREA_FIT"]["explanation"]
    for match in found[1:]:
        assert "next to Backend" in scores(match)["AREA_FIT"]["explanation"]
    assert found[0]["total"] > found[1]["total"]


async def test_matching_falls_back_up_the_tree_when_nobody_offers_the_area(
    gql: GraphQL, org: Org
) -> None:
    engineering = await create_area(gql, org.faculty.token, "Engineering")
    backend = await create_area(gql, org.faculty.token, "Backend", engineering["id"])
    databases = await create_area(gql, org.faculty.token, "Databases", backend["id"])
    postgres = await create_area(gql, org.faculty.token, "Postgres", databases["id"])
    learner, colleague = await org.add_member("Lea"), await org.add_member("Colin")
    await offer(gql, await org.add_member("Erin"), engineering["id"], 5)

    # Nobody offers Postgres, Databases or Backend: Engineering, three steps up.
    wished = await wish(gql, learner, postgres["id"], 1, 3)
    found = await matches(gql, learner, wished["id"])
    assert [(m["mentor"]["name"], m["knowledgeArea"]["name"]) for m in found] == [
        ("Erin", "Engineering")
    ]
    area_fit = scores(found[0])["AREA_FIT"]
    assert area_fit["value"] == 0.25
    assert "3 steps from Postgres" in area_fit["explanation"]

    # The parent, when nobody offers the area itself.
    wished_databases = await wish(gql, colleague, databases["id"], 1, 3)
    await offer(gql, await org.add_member("Bob"), backend["id"], 5)
    found = await matches(gql, colleague, wished_databases["id"])
    assert [(m["mentor"]["name"], m["knowledgeArea"]["name"]) for m in found] == [
        ("Bob", "Backend"),
        ("Erin", "Engineering"),
    ]
    # Someone closer ranks above someone further up.
    assert await suggested(gql, learner, wished["id"]) == ["Bob", "Erin"]


async def test_a_mentor_beyond_the_desired_level_ranks_first_and_one_not_above_current_never(
    gql: GraphQL, org: Org
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    for name, proficiency in (("Al", 3), ("Bo", 4), ("Cy", 5), ("Di", 2), ("Ed", 1)):
        await offer(gql, await org.add_member(name), area["id"], proficiency)
    wished = await wish(gql, learner, area["id"], 2, 4)

    found = await matches(gql, learner, wished["id"])
    # Di knows it at the learner's own level and Ed below: not suggested.
    assert [m["mentor"]["name"] for m in found] == ["Cy", "Bo", "Al"]
    assert [scores(m)["PROFICIENCY"]["value"] for m in found] == [1.0, 0.75, 0.25]
    assert "beyond the 4" in scores(found[0])["PROFICIENCY"]["explanation"]
    assert "less than the 4" in scores(found[2])["PROFICIENCY"]["explanation"]


async def test_exclusions_oneself_people_who_left_paused_and_not_accepting(
    gql: GraphQL, org: Org
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    names = ("Good", "Gone", "Paused", "Closed")
    good, gone, paused, closed = [await org.add_member(n) for n in names]
    for member in (learner, good, gone, paused, closed):
        created = await offer(gql, member, area["id"], 5)
        if member is paused:
            await mutate(gql, PAUSE_OFFER, {"offerId": created["id"]}, token=paused.token)
    await set_profile(gql, closed, accepting=False)
    left = await mutate(gql, MARK_LEFT, {"personId": gone.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left
    wished = await wish(gql, learner, area["id"], 1, 3)

    assert await suggested(gql, learner, wished["id"]) == ["Good"]

    # Nor can someone who left be asked.
    before = await mentoring_state(org.services)
    refused = await ask(gql, learner, wished["id"], gone)
    assert refused["__typename"] == "ConflictError", refused
    assert refused["code"] in ("PERSON_LEFT", "NOT_ACCEPTING"), refused
    assert await mutation_free(org, before)


async def test_mentors_at_capacity_are_not_suggested(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    other_area = await create_area(gql, org.faculty.token, "Frontend")
    learner, mentee = await org.add_member("Lea"), await org.add_member("Mo")
    full, none, free = [await org.add_member(n) for n in ("Fay", "Nia", "Zed")]
    for mentor in (full, none, free):
        await offer(gql, mentor, area["id"], 5)
    await set_mentee_capacity(gql, full, 1)
    mentorship = await established(gql, full, mentee, kind=MENTORSHIP, areas=[other_area["id"]])
    await set_mentee_capacity(gql, none, 0)
    wished = await wish(gql, learner, area["id"], 1, 3)

    assert await suggested(gql, learner, wished["id"]) == ["Zed"]

    # Asking a full mentor anyway is refused by the capacity rule.
    before = await mentoring_state(org.services)
    refused = await ask(gql, learner, wished["id"], full)
    assert refused["__typename"] == "LimitExceededError", refused
    assert (refused["limit"], refused["value"]) == ("MENTEE_CAPACITY", 1)
    assert await mutation_free(org, before)

    # A place frees up: suggested again.
    ended = await mutate(
        gql, END, {"relationshipId": mentorship["id"], "reason": "done"}, token=full.token
    )
    assert ended["__typename"] == "RelationshipSuccess", ended
    assert await suggested(gql, learner, wished["id"]) == ["Fay", "Zed"]


async def test_a_current_mentor_in_the_area_is_not_suggested_again(gql: GraphQL, org: Org) -> None:
    backend = await create_area(gql, org.faculty.token, "Backend")
    frontend = await create_area(gql, org.faculty.token, "Frontend")
    learner = await org.add_member("Lea")
    current, elsewhere, fresh = [await org.add_member(n) for n in ("Cara", "Elle", "Finn")]
    for mentor in (current, elsewhere, fresh):
        await offer(gql, mentor, backend["id"], 5)
    await established(gql, current, learner, kind=MENTORSHIP, areas=[backend["id"]])
    await established(gql, elsewhere, learner, kind=MENTORSHIP, areas=[frontend["id"]])
    wished = await wish(gql, learner, backend["id"], 1, 3)

    # Cara mentors Lea in Backend already; Elle mentors her in another area (and
    # so has one mentee more than Finn).
    assert await suggested(gql, learner, wished["id"]) == ["Finn", "Elle"]


async def test_a_decline_keeps_the_mentor_out_of_suggestions_for_90_days(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    declining, declined, other = [await org.add_member(n) for n in ("Dana", "Dex", "Otto")]
    for mentor in (declining, declined, other):
        await offer(gql, mentor, area["id"], 5)
    wished = await wish(gql, learner, area["id"], 1, 3)
    assert await suggested(gql, learner, wished["id"]) == ["Dana", "Dex", "Otto"]

    # Dana declines the learner's request.
    request = await asked(gql, learner, wished["id"], declining)
    await succeeded(gql, DECLINE, declining, request["id"])
    # The learner declines Dex's offer to mentor them.
    offered = await proposed(
        gql, declined, learner, kind=MENTORSHIP, side=LEADER, areas=[area["id"]]
    )
    await succeeded(gql, DECLINE, learner, offered["id"])

    assert await wish_status(gql, learner, wished["id"]) == "OPEN"
    assert await suggested(gql, learner, wished["id"]) == ["Otto"]
    advance(clock, timedelta(days=89), org)
    assert await suggested(gql, learner, wished["id"]) == ["Otto"]
    advance(clock, timedelta(days=2), org)
    assert await suggested(gql, learner, wished["id"]) == ["Dana", "Dex", "Otto"]


async def test_the_less_loaded_mentor_ranks_higher_when_otherwise_equal(
    gql: GraphQL, org: Org
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    other_area = await create_area(gql, org.faculty.token, "Frontend")
    learner, mentee = await org.add_member("Lea"), await org.add_member("Mo")
    busy, free = await org.add_member("Al"), await org.add_member("Bo")
    for mentor in (busy, free):
        await offer(gql, mentor, area["id"], 5)
    await established(gql, busy, mentee, kind=MENTORSHIP, areas=[other_area["id"]])
    wished = await wish(gql, learner, area["id"], 1, 3)

    found = await matches(gql, learner, wished["id"])
    assert [m["mentor"]["name"] for m in found] == ["Bo", "Al"]
    bo, al = scores(found[0]), scores(found[1])
    assert (bo["LOAD"]["value"], al["LOAD"]["value"]) == (1.0, 0.5)
    assert bo["CAPACITY_LEFT"]["value"] == 1.0
    assert al["CAPACITY_LEFT"]["value"] == pytest.approx(2 / 3, abs=0.001)
    assert "1 mentee " in al["LOAD"]["explanation"]
    assert "0 mentees" in bo["LOAD"]["explanation"]
    assert "2 of 3" in al["CAPACITY_LEFT"]["explanation"]
    assert found[0]["total"] > found[1]["total"]


async def test_availability_overlap_across_timezones_is_explained(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea", timezone="Europe/Berlin")
    new_york = await org.add_member("Zara", timezone="America/New_York")
    unknown = await org.add_member("Yan", timezone="Europe/Berlin")
    berlin = await org.add_member("Ada", timezone="Europe/Berlin")
    for mentor in (new_york, unknown, berlin):
        await offer(gql, mentor, area["id"], 5)
    # Monday 9-12 in New York is 14-17 UTC in early March (EST).
    await set_profile(gql, new_york, availability=[window(0, 9, 12)])
    # Ada is free on Monday mornings in Berlin: no time in common.
    await set_profile(gql, berlin, availability=[window(0, 8, 11)])
    # Monday 15-18 in Berlin is 14-17 UTC (CET).
    wished = await wish(gql, learner, area["id"], 1, 3, availability=[window(0, 15, 18)])

    found = await matches(gql, learner, wished["id"])
    assert [m["mentor"]["name"] for m in found] == ["Zara", "Yan", "Ada"]
    zara, yan, ada = (scores(m)["AVAILABILITY"] for m in found)
    assert zara["value"] == 1.0
    assert zara["explanation"].startswith("3 hours a week")
    assert yan["value"] == 0.5
    assert "they gave no weekly availability" in yan["explanation"]
    assert ada["value"] == 0.0
    assert ada["explanation"].startswith("0 hours a week")

    # New York moves to summer time on 8 March, Berlin only on 29 March: in
    # the week of 16 March the same local windows share two hours.
    advance(clock, timedelta(days=14), org)
    zara = scores(by_name(await matches(gql, learner, wished["id"]), "Zara"))["AVAILABILITY"]
    assert zara["explanation"].startswith("2 hours a week")


async def test_availability_overlap_across_the_date_line(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea", timezone="Asia/Tokyo")
    mentor = await org.add_member("Lou", timezone="America/Los_Angeles")
    await offer(gql, mentor, area["id"], 5)
    # Monday 14-16 in Los Angeles (PST) is Monday 22-24 UTC: Tuesday 7-9 in Tokyo.
    await set_profile(gql, mentor, availability=[window(0, 14, 16)])
    wished = await wish(gql, learner, area["id"], 1, 3, availability=[window(1, 7, 9)])
    (match,) = await matches(gql, learner, wished["id"])
    availability = scores(match)["AVAILABILITY"]
    assert availability["explanation"].startswith("2 hours a week")
    assert availability["value"] == 1.0


async def test_availability_overlap_across_the_week_boundary(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea", timezone="Asia/Tokyo")
    mentor = await org.add_member("Lou", timezone="Europe/London")
    await offer(gql, mentor, area["id"], 5)
    # Sunday 22-24 in London (GMT) is Monday 7-9 in Tokyo: across the week's end.
    await set_profile(gql, mentor, availability=[window(6, 22, 24)])
    wished = await wish(gql, learner, area["id"], 1, 3, availability=[window(0, 7, 9)])
    (match,) = await matches(gql, learner, wished["id"])
    assert scores(match)["AVAILABILITY"]["explanation"].startswith("2 hours a week")


async def test_the_best_mentor_is_found_among_many_candidates(
    gql: GraphQL, org: Org, services: Services
) -> None:
    """When more mentors qualify than the candidate query pre-ranks in SQL
    (200), the one who scores highest must still come first. Zoe equals the
    others in every criterion but availability, where she alone shares the
    learner's hours."""
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    (zoe,) = await add_mentors_quickly(services, org, ["Zoe"], area["id"])
    async with services.uow_factory(org.id) as uow:
        await mentoring_service.set_profile(
            uow,
            Actor(person_id=zoe.id, organization_id=org.id),
            availability=[Window(0, 9 * 60, 12 * 60)],
            now=services.clock.now(),
        )
        await uow.commit()
    await add_mentors_quickly(services, org, [f"Mentor {n:03d}" for n in range(199)], area["id"])
    wished = await wish(gql, learner, area["id"], 1, 3, availability=MONDAY_MORNING)

    def summary(found: list[dict[str, Any]]) -> list[tuple[str, float]]:
        return [(m["mentor"]["name"], m["total"]) for m in found]

    # 200 candidates: Zoe scores highest and comes first.
    top = await matches(gql, learner, wished["id"], first=2)
    assert summary(top) == [("Zoe", 100.0), ("Mentor 000", 90.9)]

    # One more equal mentor, whose name sorts before hers.
    await add_mentors_quickly(services, org, ["Mentor 199"], area["id"])
    top = await matches(gql, learner, wished["id"], first=2)
    assert summary(top) == [("Zoe", 100.0), ("Mentor 000", 90.9)]


async def test_matching_reads_a_bounded_number_of_statements(
    app: FastAPI, gql: GraphQL, org: Org, services: Services
) -> None:
    """No N+1: the statements for a page of matches (with each mentor and
    area) do not grow with the number of mentors."""
    backend = await create_area(gql, org.faculty.token, "Backend")
    apis = await create_area(gql, org.faculty.token, "APIs", backend["id"])
    learner = await org.add_member("Lea")
    wished = await wish(gql, learner, apis["id"], 1, 3, availability=MONDAY_MORNING)
    counts = {}
    for size in (2, 20):
        await add_mentors_quickly(services, org, [f"A{size}-{n}" for n in range(size)], apis["id"])
        await add_mentors_quickly(
            services, org, [f"B{size}-{n}" for n in range(size)], backend["id"]
        )
        with count_statements(app.state.engine) as counter:
            found = await matches(gql, learner, wished["id"], first=50)
        assert len(found) == len(set(m["mentor"]["id"] for m in found))
        counts[size] = counter.count
    assert counts[20] == counts[2], counts


async def test_a_wish_without_availability_says_so(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner, mentor = await org.add_member("Lea"), await org.add_member("Mira")
    await offer(gql, mentor, area["id"], 5)
    await set_profile(gql, mentor, availability=MONDAY_MORNING)
    wished = await wish(gql, learner, area["id"], 1, 3)
    (match,) = await matches(gql, learner, wished["id"])
    availability = scores(match)["AVAILABILITY"]
    assert availability["value"] == 0.5
    assert "you gave no weekly availability" in availability["explanation"]


async def test_a_mentor_from_another_team_counts_as_a_plus(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    teammate, outsider = await org.add_member("Al"), await org.add_member("Bo")
    ours = await create_team(gql, org.faculty.token, "Platform")
    theirs = await create_team(gql, org.faculty.token, "Growth")
    for member in (learner, teammate):
        await add_team_member(gql, org.faculty.token, ours["id"], member.id)
    await add_team_member(gql, org.faculty.token, theirs["id"], outsider.id)
    for mentor in (teammate, outsider):
        await offer(gql, mentor, area["id"], 5)
    wished = await wish(gql, learner, area["id"], 1, 3)

    found = await matches(gql, learner, wished["id"])
    assert [m["mentor"]["name"] for m in found] == ["Bo", "Al"]
    bo, al = scores(found[0])["PERSPECTIVE"], scores(found[1])["PERSPECTIVE"]
    assert (bo["value"], al["value"]) == (1.0, 0.0)
    assert "another team" in bo["explanation"]
    assert "team of yours" in al["explanation"]


async def test_weights_tune_the_ranking(gql: GraphQL, org: Org) -> None:
    backend = await create_area(gql, org.faculty.token, "Backend")
    api = await create_area(gql, org.faculty.token, "APIs", backend["id"])
    learner = await org.add_member("Lea")
    teammate, outsider = await org.add_member("Tess"), await org.add_member("Olaf")
    team = await create_team(gql, org.faculty.token, "Platform")
    for member in (learner, teammate):
        await add_team_member(gql, org.faculty.token, team["id"], member.id)
    # Tess: the exact area, same team. Olaf: the parent area, another team.
    await offer(gql, teammate, api["id"], 5)
    await offer(gql, outsider, backend["id"], 5)
    wished = await wish(gql, learner, api["id"], 1, 3)

    assert await suggested(gql, learner, wished["id"]) == ["Tess", "Olaf"]
    tuned = await matches(gql, learner, wished["id"], weights={"PERSPECTIVE": 5})
    assert [m["mentor"]["name"] for m in tuned] == ["Olaf", "Tess"]
    for match in tuned:
        assert {s["criterion"]: s["weight"] for s in match["scores"]} == {
            **DEFAULT_WEIGHTS,
            "PERSPECTIVE": 5.0,
        }
        mean = sum(s["weight"] * s["value"] for s in match["scores"]) / sum(
            s["weight"] for s in match["scores"]
        )
        assert match["total"] == pytest.approx(100 * mean, abs=0.15)
    assert await suggested(gql, learner, wished["id"], weights={"AREA_FIT": 0}) == [
        "Olaf",
        "Tess",
    ]
    # Only area fit counts: the exact area wins with a full score.
    only_area = await matches(
        gql, learner, wished["id"], weights={c: 0.0 for c in CRITERIA} | {"AREA_FIT": 1.0}
    )
    assert [(m["mentor"]["name"], m["total"]) for m in only_area] == [
        ("Tess", 100.0),
        ("Olaf", 50.0),
    ]
    # The bounds themselves are allowed.
    await matches(gql, learner, wished["id"], weights={"LOAD": 0, "AVAILABILITY": 5})
    # Tuning is for this search only.
    assert await suggested(gql, learner, wished["id"]) == ["Tess", "Olaf"]


@pytest.mark.parametrize(
    ("weights", "code"),
    [
        ({"LOAD": 5.01}, "OUT_OF_RANGE"),
        ({"PERSPECTIVE": 100}, "OUT_OF_RANGE"),
        ({"AREA_FIT": -0.5}, "OUT_OF_RANGE"),
        ({c: 0 for c in sorted(CRITERIA)}, "ALL_ZERO"),
    ],
    ids=["just-above-max", "far-above-max", "negative", "all-zero"],
)
async def test_weights_out_of_bounds_are_refused(
    gql: GraphQL, org: Org, weights: dict[str, float], code: str
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner, mentor = await org.add_member("Lea"), await org.add_member("Mira")
    await offer(gql, mentor, area["id"], 5)
    wished = await wish(gql, learner, area["id"], 1, 3)
    assert await query_error_codes(gql, learner, wished["id"], weights=weights) == [code]


@pytest.mark.parametrize(
    ("first", "code"),
    [(51, "PAGE_SIZE_EXCEEDED"), (1000, "PAGE_SIZE_EXCEEDED"), (-1, "INVALID_PAGINATION")],
)
async def test_a_page_of_matches_out_of_bounds_is_refused(
    gql: GraphQL, org: Org, first: int, code: str
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    wished = await wish(gql, learner, area["id"], 1, 3)
    assert await query_error_codes(gql, learner, wished["id"], first=first) == [code]


async def test_ties_are_broken_deterministically(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    twins = [await org.add_member("Sam") for _ in range(3)]
    others = [await org.add_member(n) for n in ("Dee", "Ann", "Cal", "Bea")]
    for mentor in (*twins, *others):
        await offer(gql, mentor, area["id"], 4)
    wished = await wish(gql, learner, area["id"], 1, 3)

    first = await matches(gql, learner, wished["id"])
    assert len({m["total"] for m in first}) == 1  # all tied
    order = [m["mentor"]["id"] for m in first]
    for _ in range(3):
        again = await matches(gql, learner, wished["id"])
        assert [m["mentor"]["id"] for m in again] == order
    # By name, then by id among namesakes.
    assert [m["mentor"]["name"] for m in first] == ["Ann", "Bea", "Cal", "Dee", "Sam", "Sam", "Sam"]
    assert order[4:] == [m.id for m in sorted(twins, key=lambda m: m.person.id)]
    # A page is the start of the same order.
    assert [m["mentor"]["id"] for m in await matches(gql, learner, wished["id"], first=3)] == (
        order[:3]
    )


# -- 5. requesting --------------------------------------------------------------


async def test_asking_proposes_a_mentorship_in_the_wish_area_and_accepting_meets_the_wish(
    gql: GraphQL, org: Org
) -> None:
    backend = await create_area(gql, org.faculty.token, "Backend")
    databases = await create_area(gql, org.faculty.token, "Databases", backend["id"])
    learner, mentor, other = [await org.add_member(n) for n in ("Lea", "Mira", "Otto")]
    # Mira offers the parent area; the mentorship is for what the learner wished.
    await offer(gql, mentor, backend["id"], 5)
    await offer(gql, other, backend["id"], 4)
    wished = await wish(gql, learner, databases["id"], 1, 3)
    top = (await matches(gql, learner, wished["id"]))[0]
    assert (top["mentor"]["id"], top["knowledgeArea"]["id"]) == (mentor.id, backend["id"])

    relationship = await asked(gql, learner, wished["id"], mentor, "Could you help me?")
    assert (relationship["kind"], relationship["status"]) == ("MENTORSHIP", "PROPOSED")
    assert relationship["leader"]["id"] == mentor.id
    assert relationship["follower"]["id"] == learner.id
    assert relationship["proposedBy"]["id"] == learner.id
    assert relationship["knowledgeAreas"] == [{"id": databases["id"]}]
    assert relationship["message"] == "Could you help me?"
    data = await gql.data(RELATIONSHIP, {"id": relationship["id"]}, token=mentor.token)
    assert data["node"]["status"] == "PROPOSED"
    assert await wish_status(gql, learner, wished["id"]) == "OPEN"

    accepted = await succeeded(gql, ACCEPT, mentor, relationship["id"])
    assert accepted["status"] == "ACTIVE"
    assert await wish_status(gql, learner, wished["id"]) == "FULFILLED"
    assert (await mentee_loads(gql, learner, [mentor]))[mentor.id] == 1

    # The wish is met: asking someone else for it is refused.
    before = await mentoring_state(org.services)
    assert_error(await ask(gql, learner, wished["id"], other), "ConflictError", "WISH_CLOSED")
    assert await mutation_free(org, before)


async def test_a_declined_request_leaves_the_wish_open(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner, mentor, other = [await org.add_member(n) for n in ("Lea", "Mira", "Otto")]
    await offer(gql, mentor, area["id"], 5)
    await offer(gql, other, area["id"], 4)
    wished = await wish(gql, learner, area["id"], 1, 3)
    assert await suggested(gql, learner, wished["id"]) == ["Mira", "Otto"]

    relationship = await asked(gql, learner, wished["id"], mentor)
    declined = await succeeded(gql, DECLINE, mentor, relationship["id"])
    assert declined["status"] == "DECLINED"
    assert await wish_status(gql, learner, wished["id"]) == "OPEN"
    assert await suggested(gql, learner, wished["id"]) == ["Otto"]

    # The learner moves on to the next suggestion.
    accepted = await succeeded(
        gql, ACCEPT, other, (await asked(gql, learner, wished["id"], other))["id"]
    )
    assert accepted["status"] == "ACTIVE"
    assert await wish_status(gql, learner, wished["id"]) == "FULFILLED"


async def test_asking_for_a_withdrawn_wish_is_refused(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner, mentor = await org.add_member("Lea"), await org.add_member("Mira")
    await offer(gql, mentor, area["id"], 5)
    wished = await wish(gql, learner, area["id"], 1, 3)
    await mutate(gql, WITHDRAW_WISH, {"wishId": wished["id"]}, token=learner.token)

    before = await mentoring_state(org.services)
    assert_error(await ask(gql, learner, wished["id"], mentor), "ConflictError", "WISH_CLOSED")
    assert await mutation_free(org, before)


async def test_errors_of_asking_a_mentor_name_its_mentor_id_input(gql: GraphQL, org: Org) -> None:
    """A ValidationError's or ConflictError's `field` names the input (see the
    schema): AskMentorInput has `wishId`, `mentorId` and `message`."""
    area = await create_area(gql, org.faculty.token, "Backend")
    learner, gone = await org.add_member("Lea"), await org.add_member("Gus")
    await offer(gql, learner, area["id"], 2)
    await offer(gql, gone, area["id"], 5)
    wished = await wish(gql, learner, area["id"], 3, 5)
    left = await mutate(gql, MARK_LEFT, {"personId": gone.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left

    before = await mentoring_state(org.services)
    themselves = await ask(gql, learner, wished["id"], learner)
    departed = await ask(gql, learner, wished["id"], gone)
    assert await mutation_free(org, before)
    assert (themselves["__typename"], themselves["code"]) == (
        "ValidationError",
        "SELF_RELATIONSHIP",
    )
    assert departed["__typename"] == "ConflictError", departed
    assert departed["code"] in ("PERSON_LEFT", "NOT_ACCEPTING"), departed
    assert (themselves["field"], departed["field"]) == ("mentorId", "mentorId"), (
        themselves,
        departed,
    )


async def test_asking_someone_who_offers_no_mentoring_is_refused(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner, colleague = await org.add_member("Lea"), await org.add_member("Colin")
    wished = await wish(gql, learner, area["id"], 1, 3)
    before = await mentoring_state(org.services)
    refused = await ask(gql, learner, wished["id"], colleague)
    assert_error(refused, "ConflictError", "NOT_ACCEPTING", "mentorId")
    assert await mutation_free(org, before)


# -- 6. capacity under concurrency ------------------------------------------------


async def test_concurrent_acceptances_never_exceed_a_mentors_capacity(
    gql: GraphQL, org: Org
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    mentor = await org.add_member("Mira")
    first, second = await org.add_member("Lea"), await org.add_member("Leo")
    await offer(gql, mentor, area["id"], 5)
    await set_mentee_capacity(gql, mentor, 1)
    wishes = {m.id: await wish(gql, m, area["id"], 1, 3) for m in (first, second)}
    requests = {m.id: await asked(gql, m, wishes[m.id]["id"], mentor) for m in (first, second)}

    responses = await asyncio.gather(
        *(
            gql.raw(ACCEPT, {"input": {"relationshipId": r["id"]}}, token=mentor.token)
            for r in requests.values()
        )
    )
    results = []
    for response in responses:
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        results.append(body["data"]["acceptRelationship"])

    winners = [r for r in results if r["__typename"] == "RelationshipSuccess"]
    losers = [r for r in results if r["__typename"] != "RelationshipSuccess"]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    assert winners[0]["relationship"]["status"] == "ACTIVE"
    assert losers[0]["__typename"] == "LimitExceededError", losers
    assert (losers[0]["code"], losers[0]["limit"], losers[0]["value"]) == (
        "LIMIT_EXCEEDED",
        "MENTEE_CAPACITY",
        1,
    )
    assert (await mentee_loads(gql, mentor, [mentor]))[mentor.id] == 1

    winner = first if winners[0]["relationship"]["follower"]["id"] == first.id else second
    loser = second if winner is first else first
    assert await wish_status(gql, winner, wishes[winner.id]["id"]) == "FULFILLED"
    assert await wish_status(gql, loser, wishes[loser.id]["id"]) == "OPEN"
    data = await gql.data(RELATIONSHIP, {"id": requests[loser.id]["id"]}, token=loser.token)
    assert data["node"]["status"] == "PROPOSED"
    # The mentor is full now: not suggested to the one left waiting.
    assert await suggested(gql, loser, wishes[loser.id]["id"]) == []


# -- 7. the spread of mentees ---------------------------------------------------


async def test_taking_the_top_suggestion_each_time_spreads_mentees_evenly(
    gql: GraphQL, org: Org, services: Services
) -> None:
    """The issue's test: 10 mentors with identical offers and 5 places each,
    50 people wishing to learn the area. Each takes the top suggestion, asks,
    and the mentor accepts: nobody ends above capacity and at every step the
    mentee counts differ by at most one."""
    area = await create_area(gql, org.faculty.token, "Backend")
    area_id = decode(area["id"], "KnowledgeArea")
    mentors = [await org.add_member(f"Mentor {n:02d}") for n in range(10)]
    learners = [await org.add_member(f"Learner {n:02d}") for n in range(50)]
    now = services.clock.now()
    wish_ids = []
    async with services.uow_factory(org.id) as uow:
        for mentor in mentors:
            await mentoring_service.offer(
                uow, actor(mentor), knowledge_area_id=area_id, proficiency=4, now=now
            )
            await relationship_service.set_capacity(
                uow, actor(mentor), kind=RelationshipKind.MENTORSHIP, value=5
            )
        for learner in learners:
            created = await mentoring_service.wish(
                uow, actor(learner), knowledge_area_id=area_id, current=1, desired=3, now=now
            )
            wish_ids.append(str(global_id("LearningWish", created.id)))
        await uow.commit()
    by_id = {m.id: m for m in mentors}

    for step, (learner, wish_id) in enumerate(zip(learners, wish_ids, strict=True), start=1):
        (top,) = await matches(gql, learner, wish_id, first=1)
        mentor = by_id[top["mentor"]["id"]]
        relationship = await asked(gql, learner, wish_id, mentor)
        accepted = await succeeded(gql, ACCEPT, mentor, relationship["id"])
        assert accepted["status"] == "ACTIVE"
        loads = await mentee_loads(gql, org.faculty, mentors)
        assert sum(loads.values()) == step
        assert max(loads.values()) <= 5, loads
        assert max(loads.values()) - min(loads.values()) <= 1, (step, loads)

    loads = await mentee_loads(gql, org.faculty, mentors)
    assert sorted(loads.values()) == [5] * 10
    # Every wish is met, and with every mentor full nobody is suggested.
    for learner, wish_id in zip(learners[:3], wish_ids[:3], strict=True):
        assert await wish_status(gql, learner, wish_id) == "FULFILLED"
    latecomer = await org.add_member("Latecomer")
    wished = await wish(gql, latecomer, area["id"], 1, 3)
    assert await suggested(gql, latecomer, wished["id"]) == []


# -- 8. the faculty lead view --------------------------------------------------------


async def test_faculty_leads_see_unmatched_wishes_and_mentors_near_capacity(
    gql: GraphQL, org: Org
) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    other_area = await create_area(gql, org.faculty.token, "Frontend")
    lead, other_lead, member = [await org.add_member(n) for n in ("Lead", "Ola", "Max")]
    lead_role = await make_faculty_lead(gql, org, lead, area["id"])
    await make_faculty_lead(gql, org, other_lead, other_area["id"])

    full, nearly, roomy = [await org.add_member(n) for n in ("Fay", "Ned", "Rob")]
    mentees = [await org.add_member(f"Mentee {n}") for n in range(2)]
    await offer(gql, full, area["id"], 5)
    await offer(gql, nearly, area["id"], 4)
    await offer(gql, roomy, area["id"], 3)
    await set_mentee_capacity(gql, full, 1)
    await set_mentee_capacity(gql, nearly, 2)
    await established(gql, full, mentees[0], kind=MENTORSHIP, areas=[other_area["id"]])
    await established(gql, nearly, mentees[1], kind=MENTORSHIP, areas=[other_area["id"]])

    learners = [await org.add_member(f"Learner {n}") for n in range(4)]
    await wish(gql, learners[0], area["id"], 1, 3)  # Rob (3) or Ned (4) can take it
    await wish(gql, learners[1], area["id"], 2, 5)  # only Fay knows 5, and she is full
    withdrawn = await wish(gql, learners[2], area["id"], 1, 5)
    await mutate(gql, WITHDRAW_WISH, {"wishId": withdrawn["id"]}, token=learners[2].token)
    await wish(gql, learners[3], other_area["id"], 1, 5)  # another area

    expected_near = [
        {"mentor": {"id": full.id, "name": "Fay"}, "load": 1, "capacity": 1},
        {"mentor": {"id": nearly.id, "name": "Ned"}, "load": 1, "capacity": 2},
    ]
    for viewer in (lead, org.faculty):
        seen = await area_mentoring(gql, viewer, area["id"])
        assert seen is not None
        assert [(w["current"], w["desired"]) for w in seen["unmatchedWishes"]] == [(2, 5)]
        assert seen["mentorsNearCapacity"] == expected_near
    for viewer in (other_lead, member, full, learners[1]):
        assert await area_mentoring(gql, viewer, area["id"]) is None

    # Anonymous: an unmatched wish has no field that names its person.
    response = await gql.raw(
        """query($id: ID!) { node(id: $id) { ... on KnowledgeArea { mentoring {
          unmatchedWishes { person { id } } } } } }""",
        {"id": area["id"]},
        token=lead.token,
    )
    body = response.json()
    assert body.get("errors"), body
    assert not body.get("data")

    # A lead who steps back no longer sees it.
    stepped = await mutate(gql, STEP_BACK, {"roleAssignmentId": lead_role}, token=lead.token)
    assert stepped["__typename"] == "RoleAssignmentSuccess", stepped
    assert await area_mentoring(gql, lead, area["id"]) is None


async def test_unmatched_wishes_follow_the_mentor_pool(gql: GraphQL, org: Org) -> None:
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    await wish(gql, learner, area["id"], 1, 4)
    seen = await area_mentoring(gql, org.faculty, area["id"])
    assert seen is not None
    assert [(w["current"], w["desired"]) for w in seen["unmatchedWishes"]] == [(1, 4)]

    mentor = await org.add_member("Mira")
    offered = await offer(gql, mentor, area["id"], 4)
    seen = await area_mentoring(gql, org.faculty, area["id"])
    assert seen is not None
    assert seen["unmatchedWishes"] == []

    async def unmatched() -> int:
        seen = await area_mentoring(gql, org.faculty, area["id"])
        assert seen is not None
        return len(seen["unmatchedWishes"])

    # Paused, not accepting, or full: the wish has no good match again.
    await mutate(gql, PAUSE_OFFER, {"offerId": offered["id"]}, token=mentor.token)
    assert await unmatched() == 1
    await mutate(gql, PAUSE_OFFER, {"offerId": offered["id"], "paused": False}, token=mentor.token)
    assert await unmatched() == 0
    await set_profile(gql, mentor, accepting=False)
    assert await unmatched() == 1
    await set_profile(gql, mentor, accepting=True)
    assert await unmatched() == 0
    await set_mentee_capacity(gql, mentor, 0)
    assert await unmatched() == 1
    await set_mentee_capacity(gql, mentor, 3)
    # A mentor who knows less than the desired level is no good match.
    await mutate(gql, EDIT_OFFER, {"offerId": offered["id"], "proficiency": 3}, token=mentor.token)
    assert await unmatched() == 1
    # One in a child area is.
    child = await create_area(gql, org.faculty.token, "Databases", area["id"])
    await offer(gql, await org.add_member("Cleo"), child["id"], 5)
    assert await unmatched() == 0


async def test_wishes_of_people_who_left_are_not_listed_as_unmatched(
    gql: GraphQL, org: Org
) -> None:
    """The faculty view is there to grow the mentor pool for people who want
    to learn; someone who left the organization no longer does."""
    area = await create_area(gql, org.faculty.token, "Backend")
    stayer, leaver = await org.add_member("Stay"), await org.add_member("Leave")
    await wish(gql, stayer, area["id"], 1, 4)
    await wish(gql, leaver, area["id"], 2, 5)
    seen = await area_mentoring(gql, org.faculty, area["id"])
    assert seen is not None
    assert len(seen["unmatchedWishes"]) == 2

    left = await mutate(gql, MARK_LEFT, {"personId": leaver.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left
    seen = await area_mentoring(gql, org.faculty, area["id"])
    assert seen is not None
    assert [(w["current"], w["desired"]) for w in seen["unmatchedWishes"]] == [(1, 4)]


# -- 9. bad input -----------------------------------------------------------------


@dataclass
class Scene:
    area: str
    foreign_area: str
    mentor: Member
    offer_id: str
    learner: Member
    wish_id: str
    newcomer: Member
    stranger: Member


async def scene(gql: GraphQL, org: Org, make_org: MakeOrg) -> Scene:
    area = await create_area(gql, org.faculty.token, "Backend")
    elsewhere = await make_org("Elsewhere")
    foreign = await create_area(gql, elsewhere.faculty.token, "Their Backend")
    mentor, learner, newcomer, stranger = [
        await org.add_member(n) for n in ("Mira", "Lea", "Nico", "Sten")
    ]
    offered = await offer(gql, mentor, area["id"], 4)
    await set_profile(gql, mentor, availability=MONDAY_MORNING)
    wished = await wish(gql, learner, area["id"], 1, 3, availability=MONDAY_MORNING)
    return Scene(
        area=area["id"],
        foreign_area=foreign["id"],
        mentor=mentor,
        offer_id=offered["id"],
        learner=learner,
        wish_id=wished["id"],
        newcomer=newcomer,
        stranger=stranger,
    )


OVERLAPPING = [window(2, 9, 12), window(2, 11, 13)]
CONTAINED = [window(4, 8, 17), window(4, 12, 13)]
BACKWARDS = [window(1, 14, 10)]
EMPTY = [window(1, 10, 10)]

Case = tuple[str, str, Callable[[Scene], dict[str, Any]], str, str, str | None]
BAD_INPUT: dict[str, Case] = {
    "offer-proficiency-0": (
        "mentor",
        OFFER,
        lambda s: {"knowledgeAreaId": s.area, "proficiency": 0},
        "ValidationError",
        "OUT_OF_RANGE",
        "proficiency",
    ),
    "offer-proficiency-6": (
        "newcomer",
        OFFER,
        lambda s: {"knowledgeAreaId": s.area, "proficiency": 6},
        "ValidationError",
        "OUT_OF_RANGE",
        "proficiency",
    ),
    "edit-proficiency-0": (
        "mentor",
        EDIT_OFFER,
        lambda s: {"offerId": s.offer_id, "proficiency": 0, "note": "changed"},
        "ValidationError",
        "OUT_OF_RANGE",
        "proficiency",
    ),
    "edit-proficiency-6": (
        "mentor",
        EDIT_OFFER,
        lambda s: {"offerId": s.offer_id, "proficiency": 6, "note": "changed"},
        "ValidationError",
        "OUT_OF_RANGE",
        "proficiency",
    ),
    "offer-in-another-organizations-area": (
        "newcomer",
        OFFER,
        lambda s: {"knowledgeAreaId": s.foreign_area, "proficiency": 3},
        "NotFoundError",
        "NOT_FOUND",
        None,
    ),
    "second-live-offer": (
        "mentor",
        OFFER,
        lambda s: {"knowledgeAreaId": s.area, "proficiency": 5},
        "ConflictError",
        "ALREADY_OFFERED",
        "knowledgeAreaId",
    ),
    "someone-elses-offer": (
        "stranger",
        EDIT_OFFER,
        lambda s: {"offerId": s.offer_id, "proficiency": 1},
        "NotFoundError",
        "NOT_FOUND",
        None,
    ),
    "wish-current-0": (
        "newcomer",
        WISH,
        lambda s: {"knowledgeAreaId": s.area, "current": 0, "desired": 3},
        "ValidationError",
        "OUT_OF_RANGE",
        "current",
    ),
    "wish-desired-6": (
        "newcomer",
        WISH,
        lambda s: {"knowledgeAreaId": s.area, "current": 2, "desired": 6},
        "ValidationError",
        "OUT_OF_RANGE",
        "desired",
    ),
    "wish-desired-below-current": (
        "newcomer",
        WISH,
        lambda s: {"knowledgeAreaId": s.area, "current": 4, "desired": 2},
        "ValidationError",
        "DESIRED_NOT_ABOVE_CURRENT",
        "desired",
    ),
    "wish-desired-equal-to-current": (
        "newcomer",
        WISH,
        lambda s: {"knowledgeAreaId": s.area, "current": 3, "desired": 3},
        "ValidationError",
        "DESIRED_NOT_ABOVE_CURRENT",
        "desired",
    ),
    "wish-in-another-organizations-area": (
        "newcomer",
        WISH,
        lambda s: {"knowledgeAreaId": s.foreign_area, "current": 1, "desired": 3},
        "NotFoundError",
        "NOT_FOUND",
        None,
    ),
    "second-open-wish": (
        "learner",
        WISH,
        lambda s: {"knowledgeAreaId": s.area, "current": 2, "desired": 4},
        "ConflictError",
        "ALREADY_WISHED",
        "knowledgeAreaId",
    ),
    "wish-overlapping-windows": (
        "newcomer",
        WISH,
        lambda s: {
            "knowledgeAreaId": s.area,
            "current": 1,
            "desired": 3,
            "availability": OVERLAPPING,
        },
        "ValidationError",
        "OVERLAPPING_WINDOWS",
        "availability",
    ),
    "wish-window-ending-before-it-starts": (
        "newcomer",
        WISH,
        lambda s: {
            "knowledgeAreaId": s.area,
            "current": 1,
            "desired": 3,
            "availability": BACKWARDS,
        },
        "ValidationError",
        "ENDS_BEFORE_START",
        "availability",
    ),
    "new-profile-overlapping-windows": (
        "newcomer",
        PROFILE,
        lambda s: {"accepting": True, "availability": OVERLAPPING},
        "ValidationError",
        "OVERLAPPING_WINDOWS",
        "availability",
    ),
    "new-profile-window-inside-another": (
        "newcomer",
        PROFILE,
        lambda s: {"availability": CONTAINED},
        "ValidationError",
        "OVERLAPPING_WINDOWS",
        "availability",
    ),
    "profile-update-overlapping-windows": (
        "mentor",
        PROFILE,
        lambda s: {"accepting": False, "availability": OVERLAPPING},
        "ValidationError",
        "OVERLAPPING_WINDOWS",
        "availability",
    ),
    "profile-update-window-ending-before-it-starts": (
        "mentor",
        PROFILE,
        lambda s: {"accepting": False, "availability": BACKWARDS},
        "ValidationError",
        "ENDS_BEFORE_START",
        "availability",
    ),
    "profile-window-ending-as-it-starts": (
        "newcomer",
        PROFILE,
        lambda s: {"availability": EMPTY},
        "ValidationError",
        "ENDS_BEFORE_START",
        "availability",
    ),
    "withdraw-someone-elses-wish": (
        "stranger",
        WITHDRAW_WISH,
        lambda s: {"wishId": s.wish_id},
        "NotFoundError",
        "NOT_FOUND",
        None,
    ),
    "ask-for-someone-elses-wish": (
        "stranger",
        ASK,
        lambda s: {"wishId": s.wish_id, "mentorId": s.mentor.id},
        "NotFoundError",
        "NOT_FOUND",
        None,
    ),
    "ask-someone-not-mentoring": (
        "learner",
        ASK,
        lambda s: {"wishId": s.wish_id, "mentorId": s.stranger.id},
        "ConflictError",
        "NOT_ACCEPTING",
        "mentorId",
    ),
}


async def test_a_wish_links_only_to_ones_own_goal(gql: GraphQL, org: Org) -> None:
    backend = await create_area(gql, org.faculty.token, "Backend")
    frontend = await create_area(gql, org.faculty.token, "Frontend")
    learner, colleague = await org.add_member("Lea"), await org.add_member("Colin")
    mine = await created_goal(gql, learner, "Learn Postgres")
    theirs = await created_goal(gql, colleague, "Learn CSS")

    result = await mutate(
        gql,
        WISH,
        {"knowledgeAreaId": backend["id"], "current": 1, "desired": 3, "goalId": mine["id"]},
        token=learner.token,
    )
    assert result["__typename"] == "LearningWishSuccess", result

    before = await mentoring_state(org.services)
    result = await mutate(
        gql,
        WISH,
        {"knowledgeAreaId": frontend["id"], "current": 1, "desired": 3, "goalId": theirs["id"]},
        token=learner.token,
    )
    assert_error(result, "NotFoundError", "NOT_FOUND")
    assert await mutation_free(org, before)


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
async def test_bad_input_is_a_typed_error_and_changes_nothing(
    gql: GraphQL, org: Org, make_org: MakeOrg, case: str
) -> None:
    who, document, values, typename, code, field = BAD_INPUT[case]
    s = await scene(gql, org, make_org)
    member: Member = getattr(s, who)
    before = await mentoring_state(org.services)

    result = await mutate(gql, document, values(s), token=member.token)

    assert_error(result, typename, code, field)
    assert await mutation_free(org, before)
