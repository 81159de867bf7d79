"""A wish's matches through the public API, as a cursor connection like
every other list: pages forward and back follow the ranking exactly and
join up without gaps or repeats, a page costs the same bounded statements
whatever its cursor, and no cursor pages past the candidates matching
considers. And a mentor already asked (a proposal not answered yet) leaves
that wish's matches until they answer."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi import FastAPI

from api.context import Services
from api.graphql.mentoring import CANDIDATE_BATCHES
from domain.matching import CANDIDATES_MAX
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.queries import create_area
from tests.api.relationship_helpers import (
    ACCEPT,
    DECLINE,
    LEADER,
    MENTORSHIP,
    WITHDRAW,
    proposed,
    succeeded,
)
from tests.api.test_mentor_matching import (
    MONDAY_MORNING,
    add_mentors_quickly,
    asked,
    offer,
    set_profile,
    suggested,
    wish,
    wish_status,
)
from tests.api.test_mentor_matching_statements import MATCHES_STATEMENT_BOUND

PAGE = """
query Page($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) { ... on LearningWish {
    matches(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { mentor { id name } total } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  } }
}
"""


async def page(gql: GraphQL, member: Member, wish_id: str, **arguments: Any) -> dict[str, Any]:
    data = await gql.data(PAGE, {"id": wish_id, **arguments}, token=member.token)
    return data["node"]["matches"]


def names(found: dict[str, Any]) -> list[str]:
    return [edge["node"]["mentor"]["name"] for edge in found["edges"]]


async def error_codes(gql: GraphQL, member: Member, wish_id: str, **arguments: Any) -> list[str]:
    body = await gql(PAGE, {"id": wish_id, **arguments}, token=member.token)
    assert not (body.get("data") or {}).get("node"), body
    return [e["extensions"]["code"] for e in body["errors"]]


async def ranked_wish(gql: GraphQL, org: Org, services: Services) -> tuple[Member, str]:
    """A learner's wish with eleven mentors who score in many different
    ways, ties among them."""
    backend = await create_area(gql, org.faculty.token, "Backend")
    apis = await create_area(gql, org.faculty.token, "APIs", backend["id"])
    learner = await org.add_member("Lea")
    await add_mentors_quickly(services, org, ["Ann", "Bea", "Cal"], backend["id"], 5)
    await add_mentors_quickly(services, org, ["Dee", "Eve"], backend["id"], 3)
    await add_mentors_quickly(services, org, ["Fay", "Gus", "Hal"], apis["id"], 4)
    await add_mentors_quickly(services, org, ["Ida", "Jon"], apis["id"], 2)
    kim = await org.add_member("Kim")
    await offer(gql, kim, backend["id"], 5)
    await set_profile(gql, kim, availability=MONDAY_MORNING)
    wished = await wish(gql, learner, backend["id"], 1, 4, availability=MONDAY_MORNING)
    return learner, wished["id"]


async def test_pages_forward_join_up_into_the_whole_ranking(
    gql: GraphQL, org: Org, services: Services
) -> None:
    learner, wish_id = await ranked_wish(gql, org, services)
    whole = await page(gql, learner, wish_id, first=50)
    assert len(whole["edges"]) == 11
    totals = [edge["node"]["total"] for edge in whole["edges"]]
    assert totals == sorted(totals, reverse=True)
    assert names(whole)[0] == "Kim"
    assert whole["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": whole["edges"][0]["cursor"],
        "endCursor": whole["edges"][-1]["cursor"],
    }

    seen: list[str] = []
    after = None
    for number in range(3):
        found = await page(gql, learner, wish_id, first=4, after=after)
        seen += names(found)
        assert found["pageInfo"]["hasPreviousPage"] is (number > 0)
        assert found["pageInfo"]["hasNextPage"] is (number < 2)
        assert found["pageInfo"]["endCursor"] == found["edges"][-1]["cursor"]
        after = found["pageInfo"]["endCursor"]
    assert seen == names(whole)
    # The cursors are the same whichever page an item is listed on.
    found = await page(gql, learner, wish_id, first=4, after=whole["edges"][3]["cursor"])
    assert [e["cursor"] for e in found["edges"]] == [e["cursor"] for e in whole["edges"][4:8]]
    # Past the end: nothing more.
    found = await page(gql, learner, wish_id, first=4, after=whole["edges"][-1]["cursor"])
    assert found["edges"] == []
    assert found["pageInfo"]["hasNextPage"] is False


async def test_pages_backwards_join_up_into_the_whole_ranking(
    gql: GraphQL, org: Org, services: Services
) -> None:
    learner, wish_id = await ranked_wish(gql, org, services)
    whole = names(await page(gql, learner, wish_id, first=50))

    found = await page(gql, learner, wish_id, last=4)
    assert names(found) == whole[-4:]
    assert found["pageInfo"]["hasPreviousPage"] is True
    assert found["pageInfo"]["hasNextPage"] is False
    seen = names(found)
    while found["pageInfo"]["hasPreviousPage"]:
        found = await page(gql, learner, wish_id, last=4, before=found["pageInfo"]["startCursor"])
        seen = names(found) + seen
        assert found["pageInfo"]["hasNextPage"] is True
    assert seen == whole

    middle = await page(gql, learner, wish_id, first=6)
    found = await page(gql, learner, wish_id, last=3, before=middle["edges"][5]["cursor"])
    assert names(found) == whole[2:5]


def encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        encoded(b"[]"),
        encoded(b'["Ada", "00000000-0000-0000-0000-000000000000"]'),  # another list's cursor
        encoded(b'[-90.5, "0", "Ada", "00000000-0000-0000-0000-000000000000"]'),
        encoded(b'[-90.5, 0, "Ada"]'),
        encoded(b'[true, 0, "Ada", "00000000-0000-0000-0000-000000000000"]'),
        encoded(b'[-90.5, 0.5, "Ada", "00000000-0000-0000-0000-000000000000"]'),
    ],
)
async def test_a_cursor_that_is_no_ranking_position_is_invalid(
    gql: GraphQL, org: Org, services: Services, cursor: str
) -> None:
    learner, wish_id = await ranked_wish(gql, org, services)
    for arguments in ({"first": 2, "after": cursor}, {"last": 2, "before": cursor}):
        assert await error_codes(gql, learner, wish_id, **arguments) == ["INVALID_CURSOR"]


async def test_page_sizes_follow_the_conventions(
    gql: GraphQL, org: Org, services: Services
) -> None:
    learner, wish_id = await ranked_wish(gql, org, services)
    assert await error_codes(gql, learner, wish_id, first=51) == ["PAGE_SIZE_EXCEEDED"]
    assert await error_codes(gql, learner, wish_id, last=51) == ["PAGE_SIZE_EXCEEDED"]
    assert await error_codes(gql, learner, wish_id, first=2, last=2) == ["INVALID_PAGINATION"]
    assert await error_codes(gql, learner, wish_id, first=-1) == ["INVALID_PAGINATION"]
    empty = await page(gql, learner, wish_id, first=0)
    assert empty["edges"] == []
    assert empty["pageInfo"]["hasNextPage"] is True
    # Without a size: the default page of every list.
    assert len((await page(gql, learner, wish_id))["edges"]) == 11


async def test_every_page_costs_the_same_statements_and_none_goes_past_the_candidates(
    app: FastAPI, gql: GraphQL, org: Org, services: Services
) -> None:
    """More equal mentors than matching considers: each page reads at most
    the candidate batches of one page, and the last page ends where the
    considered candidates end, whatever cursor comes next."""
    area = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    considered = CANDIDATE_BATCHES * CANDIDATES_MAX
    await add_mentors_quickly(
        services, org, [f"Mentor {n:03d}" for n in range(considered + 10)], area["id"]
    )
    wished = await wish(gql, learner, area["id"], 1, 3)

    seen: list[str] = []
    counts: list[int] = []
    after = None
    while True:
        with count_statements(app.state.engine) as counter:
            found = await page(gql, learner, wished["id"], first=50, after=after)
        counts.append(counter.count)
        seen += names(found)
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == considered
    assert seen == sorted(seen)  # all tied: by name
    assert max(counts) <= MATCHES_STATEMENT_BOUND, counts
    assert counts[0] == counts[-1], counts
    # Nor does a cursor made up by the client reach further.
    beyond = encoded(b'[1000.0, 0, "", ""]')
    assert (await page(gql, learner, wished["id"], first=50, after=beyond))["edges"] == []


# == a mentor asked =======================================================================


async def test_a_mentor_asked_leaves_the_wishs_matches_until_they_answer(
    gql: GraphQL, org: Org
) -> None:
    backend = await create_area(gql, org.faculty.token, "Backend")
    design = await create_area(gql, org.faculty.token, "Design")
    learner, other_learner = await org.add_member("Lea"), await org.add_member("Leo")
    mira, max_, nina = [await org.add_member(n) for n in ("Mira", "Max", "Nina")]
    for mentor in (mira, max_, nina):
        await offer(gql, mentor, backend["id"], 4)
    await offer(gql, mira, design["id"], 4)
    wished = (await wish(gql, learner, backend["id"], 1, 3))["id"]
    elsewhere = (await wish(gql, learner, design["id"], 1, 3))["id"]
    others = (await wish(gql, other_learner, backend["id"], 1, 3))["id"]
    assert set(await suggested(gql, learner, wished)) == {"Mira", "Max", "Nina"}

    to_mira = await asked(gql, learner, wished, mira)

    assert set(await suggested(gql, learner, wished)) == {"Max", "Nina"}
    # Only for this wish: the same mentor in another area, and for someone else.
    assert await suggested(gql, learner, elsewhere) == ["Mira"]
    assert set(await suggested(gql, other_learner, others)) == {"Mira", "Max", "Nina"}

    # Withdrawn: back at once. Declined: out for a while, as any decline.
    to_max = await asked(gql, learner, wished, max_)
    assert await suggested(gql, learner, wished) == ["Nina"]
    await succeeded(gql, WITHDRAW, learner, to_max["id"])
    assert set(await suggested(gql, learner, wished)) == {"Max", "Nina"}
    await succeeded(gql, DECLINE, mira, to_mira["id"])
    assert set(await suggested(gql, learner, wished)) == {"Max", "Nina"}
    # Accepted: the wish is met.
    to_nina = await asked(gql, learner, wished, nina)
    assert await suggested(gql, learner, wished) == ["Max"]
    await succeeded(gql, ACCEPT, nina, to_nina["id"])
    assert await wish_status(gql, learner, wished) == "FULFILLED"


async def test_a_mentor_who_offered_a_mentorship_is_left_out_until_it_is_answered(
    gql: GraphQL, org: Org
) -> None:
    backend = await create_area(gql, org.faculty.token, "Backend")
    learner = await org.add_member("Lea")
    mira, max_ = await org.add_member("Mira"), await org.add_member("Max")
    for mentor in (mira, max_):
        await offer(gql, mentor, backend["id"], 4)
    wished = (await wish(gql, learner, backend["id"], 1, 3))["id"]

    offered = await proposed(
        gql, mira, learner, kind=MENTORSHIP, side=LEADER, areas=[backend["id"]]
    )

    assert await suggested(gql, learner, wished) == ["Max"]
    await succeeded(gql, WITHDRAW, mira, offered["id"])
    assert set(await suggested(gql, learner, wished)) == {"Mira", "Max"}
