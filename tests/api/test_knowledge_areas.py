"""The knowledge-area tree through the public API."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.harness import GraphQL, Org
from tests.api.queries import (
    CREATE_AREA,
    MOVE_AREA,
    RENAME_AREA,
    area,
    areas,
    assert_error,
    create_area,
    missing_id,
    mutate,
)


async def get_area(gql: GraphQL, org: Org, area_id: str) -> dict[str, Any]:
    row = await area(gql, org.faculty.token, area_id)
    assert row is not None
    assert row["__typename"] == "KnowledgeArea"
    return row


def names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["name"] for row in rows]


async def parents(gql: GraphQL, org: Org) -> dict[str, str | None]:
    """Every area's parent id, as the API reports it."""
    return {
        row["id"]: row["parent"]["id"] if row["parent"] else None
        for row in await areas(gql, org.faculty.token)
    }


def assert_is_a_forest(parent_of: dict[str, str | None]) -> None:
    """Walking up from any area reaches a root without meeting an area twice."""
    for start in parent_of:
        seen = {start}
        current = parent_of[start]
        while current is not None:
            assert current not in seen, f"cycle through {current}: {parent_of}"
            assert current in parent_of, f"dangling parent {current}"
            seen.add(current)
            current = parent_of[current]


# --- growing the tree ----------------------------------------------------------


async def test_create_top_level_and_nested_areas(gql: GraphQL, org: Org) -> None:
    result = await mutate(
        gql,
        CREATE_AREA,
        {"name": " Marketing ", "description": "  Telling people.  "},
        token=org.faculty.token,
    )
    assert result["__typename"] == "KnowledgeAreaSuccess", result
    marketing = result["area"]
    assert marketing["name"] == "Marketing"
    assert marketing["description"] == "Telling people."
    assert marketing["parent"] is None
    assert marketing["children"] == []

    online = await create_area(gql, org.faculty.token, "Online Marketing", marketing["id"])
    events = await create_area(gql, org.faculty.token, "Events", marketing["id"])
    assert online["parent"] == {"id": marketing["id"], "name": "Marketing"}

    row = await get_area(gql, org, marketing["id"])
    assert row["children"] == [
        {"id": events["id"], "name": "Events"},
        {"id": online["id"], "name": "Online Marketing"},
    ]
    # Everyone in the organization can read the tree.
    member = await org.add_member()
    everything = await areas(gql, member.token)
    assert names(everything) == ["Events", "Marketing", "Online Marketing"]
    roots = await areas(gql, member.token, roots_only=True)
    assert [(r["id"], r["parent"]) for r in roots] == [(marketing["id"], None)]


async def test_rename_an_area(gql: GraphQL, org: Org) -> None:
    marketing = await create_area(gql, org.faculty.token, "Marketing")
    child = await create_area(gql, org.faculty.token, "Online", marketing["id"])

    result = await mutate(
        gql,
        RENAME_AREA,
        {"areaId": marketing["id"], "name": "Growth Marketing"},
        token=org.faculty.token,
    )

    assert result["__typename"] == "KnowledgeAreaSuccess", result
    assert result["area"]["name"] == "Growth Marketing"
    row = await get_area(gql, org, child["id"])
    assert row["parent"] == {"id": marketing["id"], "name": "Growth Marketing"}


async def test_an_area_may_change_the_case_of_its_own_name(gql: GraphQL, org: Org) -> None:
    created = await create_area(gql, org.faculty.token, "marketing")

    result = await mutate(
        gql, RENAME_AREA, {"areaId": created["id"], "name": "Marketing"}, token=org.faculty.token
    )

    assert result["__typename"] == "KnowledgeAreaSuccess", result
    assert (await get_area(gql, org, created["id"]))["name"] == "Marketing"


async def test_move_under_another_parent_and_back_to_the_top(gql: GraphQL, org: Org) -> None:
    marketing = await create_area(gql, org.faculty.token, "Marketing")
    sales = await create_area(gql, org.faculty.token, "Sales")
    online = await create_area(gql, org.faculty.token, "Online", marketing["id"])
    seo = await create_area(gql, org.faculty.token, "SEO", online["id"])

    moved = await mutate(
        gql, MOVE_AREA, {"areaId": online["id"], "parentId": sales["id"]}, token=org.faculty.token
    )
    assert moved["__typename"] == "KnowledgeAreaSuccess", moved
    assert moved["area"]["parent"] == {"id": sales["id"], "name": "Sales"}
    # The subtree moves along.
    assert moved["area"]["children"] == [{"id": seo["id"], "name": "SEO"}]
    assert (await get_area(gql, org, marketing["id"]))["children"] == []
    assert (await get_area(gql, org, sales["id"]))["children"] == [
        {"id": online["id"], "name": "Online"}
    ]

    other_parent = await mutate(
        gql, MOVE_AREA, {"areaId": online["id"], "parentId": None}, token=org.faculty.token
    )
    assert other_parent["__typename"] == "KnowledgeAreaSuccess", other_parent
    assert other_parent["area"]["parent"] is None
    assert (await get_area(gql, org, sales["id"]))["children"] == []
    roots = await areas(gql, org.faculty.token, roots_only=True)
    assert names(roots) == ["Marketing", "Online", "Sales"]
    assert (await get_area(gql, org, seo["id"]))["parent"] == {"id": online["id"], "name": "Online"}

    # Omitting parentId also means the top level.
    again = await mutate(
        gql, MOVE_AREA, {"areaId": online["id"], "parentId": sales["id"]}, token=org.faculty.token
    )
    assert again["__typename"] == "KnowledgeAreaSuccess", again
    omitted = await mutate(gql, MOVE_AREA, {"areaId": online["id"]}, token=org.faculty.token)
    assert omitted["__typename"] == "KnowledgeAreaSuccess", omitted
    assert (await get_area(gql, org, online["id"]))["parent"] is None


# --- bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"), [("", "REQUIRED"), ("   ", "REQUIRED"), ("x" * 121, "TOO_LONG")]
)
async def test_create_refuses_a_bad_name(gql: GraphQL, org: Org, name: str, code: str) -> None:
    parent = await create_area(gql, org.faculty.token, "Parent")
    before = await areas(gql, org.faculty.token)

    top = await mutate(gql, CREATE_AREA, {"name": name}, token=org.faculty.token)
    nested = await mutate(
        gql, CREATE_AREA, {"name": name, "parentId": parent["id"]}, token=org.faculty.token
    )

    assert_error(top, "ValidationError", code, "name")
    assert_error(nested, "ValidationError", code, "name")
    assert await areas(gql, org.faculty.token) == before


async def test_rename_refuses_an_empty_name(gql: GraphQL, org: Org) -> None:
    created = await create_area(gql, org.faculty.token, "Marketing")
    before = await areas(gql, org.faculty.token)

    result = await mutate(
        gql, RENAME_AREA, {"areaId": created["id"], "name": " "}, token=org.faculty.token
    )

    assert_error(result, "ValidationError", "REQUIRED", "name")
    assert await areas(gql, org.faculty.token) == before


async def test_create_under_an_unknown_parent_is_not_found(gql: GraphQL, org: Org) -> None:
    await create_area(gql, org.faculty.token, "Existing")
    before = await areas(gql, org.faculty.token)

    result = await mutate(
        gql,
        CREATE_AREA,
        {"name": "Orphan", "parentId": missing_id("KnowledgeArea")},
        token=org.faculty.token,
    )

    assert_error(result, "NotFoundError", "NOT_FOUND")
    assert await areas(gql, org.faculty.token) == before


async def test_rename_or_move_of_an_unknown_area_is_not_found(gql: GraphQL, org: Org) -> None:
    existing = await create_area(gql, org.faculty.token, "Existing")
    before = await areas(gql, org.faculty.token)
    unknown = missing_id("KnowledgeArea")

    renamed = await mutate(
        gql, RENAME_AREA, {"areaId": unknown, "name": "X"}, token=org.faculty.token
    )
    moved = await mutate(
        gql, MOVE_AREA, {"areaId": unknown, "parentId": existing["id"]}, token=org.faculty.token
    )
    moved_under_unknown = await mutate(
        gql, MOVE_AREA, {"areaId": existing["id"], "parentId": unknown}, token=org.faculty.token
    )

    assert_error(renamed, "NotFoundError", "NOT_FOUND")
    assert_error(moved, "NotFoundError", "NOT_FOUND")
    assert_error(moved_under_unknown, "NotFoundError", "NOT_FOUND")
    assert await areas(gql, org.faculty.token) == before


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        (CREATE_AREA, {"name": "X", "parentId": "garbage"}, "parentId"),
        (CREATE_AREA, {"name": "X", "parentId": "team-id"}, "parentId"),
        (RENAME_AREA, {"areaId": "garbage", "name": "X"}, "areaId"),
        (RENAME_AREA, {"areaId": "team-id", "name": "X"}, "areaId"),
        (MOVE_AREA, {"areaId": "garbage", "parentId": None}, "areaId"),
        (MOVE_AREA, {"areaId": "area", "parentId": "garbage"}, "parentId"),
        (MOVE_AREA, {"areaId": "area", "parentId": "team-id"}, "parentId"),
    ],
)
async def test_malformed_area_ids_are_refused(
    gql: GraphQL, org: Org, document: str, variables: dict[str, Any], field: str
) -> None:
    existing = await create_area(gql, org.faculty.token, "Existing")
    replacements = {"area": existing["id"], "team-id": missing_id("Team")}
    variables = {k: replacements.get(v, v) if v else v for k, v in variables.items()}
    before = await areas(gql, org.faculty.token)

    result = await mutate(gql, document, variables, token=org.faculty.token)

    assert_error(result, "ValidationError", "INVALID_ID", field)
    assert await areas(gql, org.faculty.token) == before


async def test_sibling_names_are_unique_but_may_repeat_under_other_parents(
    gql: GraphQL, org: Org
) -> None:
    marketing = await create_area(gql, org.faculty.token, "Marketing")
    sales = await create_area(gql, org.faculty.token, "Sales")
    await create_area(gql, org.faculty.token, "Online", marketing["id"])
    before = await areas(gql, org.faculty.token)

    for parent_id, name in ((marketing["id"], "online"), (None, "MARKETING"), (None, "Sales")):
        result = await mutate(
            gql, CREATE_AREA, {"name": name, "parentId": parent_id}, token=org.faculty.token
        )
        assert_error(result, "ConflictError", "AREA_NAME_TAKEN", "name")
    assert await areas(gql, org.faculty.token) == before

    # The same name under a different parent is fine.
    elsewhere = await create_area(gql, org.faculty.token, "Online", sales["id"])
    assert elsewhere["parent"] == {"id": sales["id"], "name": "Sales"}


async def test_rename_and_move_refuse_a_taken_sibling_name(gql: GraphQL, org: Org) -> None:
    marketing = await create_area(gql, org.faculty.token, "Marketing")
    sales = await create_area(gql, org.faculty.token, "Sales")
    await create_area(gql, org.faculty.token, "Online", marketing["id"])
    sales_online = await create_area(gql, org.faculty.token, "Online", sales["id"])
    sales_events = await create_area(gql, org.faculty.token, "Events", sales["id"])
    before = await areas(gql, org.faculty.token)

    renamed = await mutate(
        gql,
        RENAME_AREA,
        {"areaId": sales_events["id"], "name": "ONLINE"},
        token=org.faculty.token,
    )
    moved = await mutate(
        gql,
        MOVE_AREA,
        {"areaId": sales_online["id"], "parentId": marketing["id"]},
        token=org.faculty.token,
    )
    other_parent = await mutate(
        gql,
        RENAME_AREA,
        {"areaId": sales_events["id"], "name": "marketing"},
        token=org.faculty.token,
    )

    assert_error(renamed, "ConflictError", "AREA_NAME_TAKEN", "name")
    assert_error(moved, "ConflictError", "AREA_NAME_TAKEN", "name")
    assert other_parent["__typename"] == "KnowledgeAreaSuccess", (
        other_parent
    )  # different parent: fine
    after = await areas(gql, org.faculty.token)
    assert len(after) == len(before)
    assert (await get_area(gql, org, sales_online["id"]))["parent"]["id"] == sales["id"]


async def test_an_area_cannot_be_moved_under_itself_or_a_descendant(gql: GraphQL, org: Org) -> None:
    root = await create_area(gql, org.faculty.token, "Engineering")
    child = await create_area(gql, org.faculty.token, "Backend", root["id"])
    grandchild = await create_area(gql, org.faculty.token, "Databases", child["id"])
    before = await areas(gql, org.faculty.token)

    for area_id, parent_id in (
        (root["id"], root["id"]),
        (root["id"], child["id"]),
        (root["id"], grandchild["id"]),
        (child["id"], grandchild["id"]),
        (grandchild["id"], grandchild["id"]),
    ):
        result = await mutate(
            gql, MOVE_AREA, {"areaId": area_id, "parentId": parent_id}, token=org.faculty.token
        )
        assert_error(result, "ConflictError", "AREA_CYCLE", "parentId")

    assert await areas(gql, org.faculty.token) == before
    assert_is_a_forest(await parents(gql, org))


# --- permissions ---------------------------------------------------------------


async def test_ordinary_members_cannot_shape_the_tree(gql: GraphQL, org: Org) -> None:
    member = await org.add_member("Ordinary Member")
    marketing = await create_area(gql, org.faculty.token, "Marketing")
    sales = await create_area(gql, org.faculty.token, "Sales")
    before = await areas(gql, org.faculty.token)

    attempts = [
        (CREATE_AREA, {"name": "Rogue"}),
        (CREATE_AREA, {"name": "Rogue", "parentId": marketing["id"]}),
        (RENAME_AREA, {"areaId": marketing["id"], "name": "Hijacked"}),
        (MOVE_AREA, {"areaId": marketing["id"], "parentId": sales["id"]}),
    ]
    for document, variables in attempts:
        result = await mutate(gql, document, variables, token=member.token)
        assert_error(result, "PermissionDeniedError", "NOT_ORG_FACULTY")

    assert await areas(gql, org.faculty.token) == before


# --- concurrency ---------------------------------------------------------------


async def test_concurrent_crossing_moves_never_make_a_cycle(gql: GraphQL, org: Org) -> None:
    a = await create_area(gql, org.faculty.token, "A")
    b = await create_area(gql, org.faculty.token, "B")

    async def move(area_id: str, parent_id: str | None) -> dict[str, Any]:
        response = await gql.raw(
            MOVE_AREA,
            {"input": {"areaId": area_id, "parentId": parent_id}},
            token=org.faculty.token,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]["moveKnowledgeArea"]

    for _ in range(10):
        results = await asyncio.gather(move(a["id"], b["id"]), move(b["id"], a["id"]))

        successes = [r for r in results if r["__typename"] == "KnowledgeAreaSuccess"]
        failures = [r for r in results if r["__typename"] != "KnowledgeAreaSuccess"]
        assert len(successes) == 1, results
        for failure in failures:
            assert_error(failure, "ConflictError", "AREA_CYCLE", "parentId")
        parent_of = await parents(gql, org)
        assert_is_a_forest(parent_of)
        # Exactly one of the two moves happened.
        assert (parent_of[a["id"]], parent_of[b["id"]]) in ((b["id"], None), (None, a["id"]))

        # Reset: both back to the top level.
        for area_id in (a["id"], b["id"]):
            reset = await move(area_id, None)
            assert reset["__typename"] == "KnowledgeAreaSuccess", reset
        assert names(await areas(gql, org.faculty.token, roots_only=True)) == ["A", "B"]


async def test_concurrent_moves_around_a_ring_never_make_a_cycle(gql: GraphQL, org: Org) -> None:
    ring = [await create_area(gql, org.faculty.token, name) for name in ("P", "Q", "R", "S")]
    ids = [row["id"] for row in ring]

    for _ in range(5):
        bodies = await asyncio.gather(
            *(
                gql(
                    MOVE_AREA,
                    {"input": {"areaId": ids[i], "parentId": ids[(i + 1) % len(ids)]}},
                    token=org.faculty.token,
                )
                for i in range(len(ids))
            )
        )
        for body in bodies:
            assert "errors" not in body, body["errors"]
            result = body["data"]["moveKnowledgeArea"]
            if result["__typename"] != "KnowledgeAreaSuccess":
                assert_error(result, "ConflictError", "AREA_CYCLE", "parentId")
        results = [body["data"]["moveKnowledgeArea"] for body in bodies]
        assert sum(r["__typename"] == "KnowledgeAreaSuccess" for r in results) == len(ids) - 1
        assert_is_a_forest(await parents(gql, org))

        for area_id in ids:
            reset = await mutate(
                gql, MOVE_AREA, {"areaId": area_id, "parentId": None}, token=org.faculty.token
            )
            assert reset["__typename"] == "KnowledgeAreaSuccess", reset
