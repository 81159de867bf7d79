"""Nothing crosses organizations: a member of Alpha can neither read nor change
anything of Beta through any path of the public API, and cannot even tell
whether one of Beta's ids exists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.harness import GraphQL, Member, Org, without_cost
from tests.api.queries import (
    ADD_TEAM_MEMBER,
    CREATE_AREA,
    MARK_PERSON_LEFT,
    MOVE_AREA,
    NODE,
    NODES,
    REMOVE_TEAM_MEMBER,
    RENAME_AREA,
    UPDATE_TEAM,
    add_team_member,
    areas,
    assert_error,
    create_area,
    create_team,
    gid,
    missing_id,
    mutate,
    people,
    teams,
)

MakeOrg = Callable[..., Awaitable[Org]]


@dataclass
class Tenant:
    org: Org
    member: Member
    team: dict[str, Any]
    area: dict[str, Any]
    child_area: dict[str, Any]

    @property
    def organization_id(self) -> str:
        return gid("Organization", self.org.id)

    def ids(self) -> dict[str, str]:
        return {
            "Organization": self.organization_id,
            "Person": self.member.id,
            "Faculty": self.org.faculty.id,
            "Team": self.team["id"],
            "KnowledgeArea": self.area["id"],
            "ChildArea": self.child_area["id"],
        }


async def tenant(gql: GraphQL, make_org: MakeOrg, name: str) -> Tenant:
    org = await make_org(name)
    member = await org.add_member(f"{name} Member")
    await org.add_member(f"{name} Other")
    team = await create_team(gql, org.faculty.token, f"{name} Team")
    await add_team_member(gql, org.faculty.token, team["id"], member.id)
    area = await create_area(gql, org.faculty.token, f"{name} Area")
    child = await create_area(gql, org.faculty.token, f"{name} Child", area["id"])
    return Tenant(org=org, member=member, team=team, area=area, child_area=child)


@pytest.fixture
async def alpha(gql: GraphQL, make_org: MakeOrg) -> Tenant:
    return await tenant(gql, make_org, "Alpha")


@pytest.fixture
async def beta(gql: GraphQL, make_org: MakeOrg) -> Tenant:
    return await tenant(gql, make_org, "Beta")


async def snapshot(gql: GraphQL, who: Tenant) -> dict[str, Any]:
    """Everything of an organization that the tests below could touch, read
    from its own side."""
    token = who.org.faculty.token
    return {
        "people": await people(gql, token),
        "teams": await teams(gql, token),
        "areas": await areas(gql, token),
    }


# --- reading -------------------------------------------------------------------


async def test_connections_list_only_your_own_organization(
    gql: GraphQL, alpha: Tenant, beta: Tenant
) -> None:
    for viewer in (alpha.member, alpha.org.faculty):
        listed_people = await people(gql, viewer.token)
        assert {p["name"] for p in listed_people} == {
            "Alpha Founder",
            "Alpha Member",
            "Alpha Other",
        }
        assert await people(gql, viewer.token, search="Beta") == []
        assert await people(gql, viewer.token, search=beta.member.person.handle) == []
        assert await people(gql, viewer.token, status="LEFT") == []
        assert [t["name"] for t in await teams(gql, viewer.token)] == ["Alpha Team"]
        assert [a["name"] for a in await areas(gql, viewer.token)] == [
            "Alpha Area",
            "Alpha Child",
        ]
        assert [a["name"] for a in await areas(gql, viewer.token, roots_only=True)] == [
            "Alpha Area"
        ]

    # And the other way round.
    assert [t["name"] for t in await teams(gql, beta.member.token)] == ["Beta Team"]


async def test_nested_fields_stay_inside_the_organization(
    gql: GraphQL, alpha: Tenant, beta: Tenant
) -> None:
    data = await gql.data(
        "{ viewer { organization { id name } teams { name members { name } } } }",
        token=alpha.member.token,
    )

    assert data["viewer"]["organization"] == {"id": alpha.organization_id, "name": "Alpha"}
    assert data["viewer"]["teams"] == [
        {"name": "Alpha Team", "members": [{"name": "Alpha Member"}]}
    ]


@pytest.mark.parametrize(
    "kind", ["Organization", "Person", "Faculty", "Team", "KnowledgeArea", "ChildArea"]
)
async def test_node_with_another_organizations_id_is_null(
    gql: GraphQL, alpha: Tenant, beta: Tenant, kind: str
) -> None:
    foreign = beta.ids()[kind]
    type_name = {"Faculty": "Person", "ChildArea": "KnowledgeArea"}.get(kind, kind)
    nonexistent = missing_id(type_name)

    for viewer in (alpha.member, alpha.org.faculty):
        foreign_body = without_cost(await gql(NODE, {"id": foreign}, token=viewer.token))
        missing_body = without_cost(await gql(NODE, {"id": nonexistent}, token=viewer.token))

        assert foreign_body == {"data": {"node": None}}
        # Exactly what a never-existing id gives: existence is not revealed.
        assert missing_body == foreign_body

    # The owner does see it.
    own = await gql.data(NODE, {"id": foreign}, token=beta.org.faculty.token)
    assert own["node"] is not None
    assert own["node"]["id"] == foreign


async def test_nodes_with_another_organizations_ids_are_null(
    gql: GraphQL, alpha: Tenant, beta: Tenant
) -> None:
    foreign = list(beta.ids().values())
    own = list(alpha.ids().values())
    missing = [missing_id(t) for t in ("Organization", "Person", "Team", "KnowledgeArea")]

    body = await gql(NODES, {"ids": [*foreign, *own, *missing]}, token=alpha.member.token)

    assert "errors" not in body, body["errors"]
    nodes = body["data"]["nodes"]
    assert nodes[: len(foreign)] == [None] * len(foreign)
    assert [n["id"] if n else None for n in nodes[len(foreign) : len(foreign) + len(own)]] == own
    assert nodes[len(foreign) + len(own) :] == [None] * len(missing)

    # A list of only foreign ids reads exactly like a list of ids that never existed.
    only_foreign = without_cost(await gql(NODES, {"ids": foreign[:4]}, token=alpha.member.token))
    only_missing = without_cost(await gql(NODES, {"ids": missing}, token=alpha.member.token))
    assert only_foreign == only_missing == {"data": {"nodes": [None] * 4}}


@pytest.mark.parametrize(
    "bad_id",
    [
        "garbage",
        "",
        "VGVhbTpub3QtYS11dWlk",  # "Team:not-a-uuid"
        "Tm9wZToxMjM0NTY3OC0xMjM0LTEyMzQtMTIzNC0xMjM0NTY3ODEyMzQ=",  # unknown type "Nope"
        # A type that exists in the schema but is not a Node.
        "VGVhbU1lbWJlcnNoaXA6MTIzNDU2NzgtMTIzNC0xMjM0LTEyMzQtMTIzNDU2NzgxMjM0",
    ],
)
async def test_node_and_nodes_refuse_malformed_ids(
    gql: GraphQL, alpha: Tenant, bad_id: str
) -> None:
    node = await gql(NODE, {"id": bad_id}, token=alpha.member.token)
    nodes = await gql(NODES, {"ids": [alpha.team["id"], bad_id]}, token=alpha.member.token)

    for body in (node, nodes):
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert codes == ["INVALID_ID"], body
    assert node["data"] == {"node": None}


# --- changing ------------------------------------------------------------------


async def test_team_mutations_with_another_organizations_ids_are_not_found(
    gql: GraphQL, alpha: Tenant, beta: Tenant
) -> None:
    before = await snapshot(gql, beta)
    alpha_before = await snapshot(gql, alpha)
    token = alpha.org.faculty.token

    attempts = [
        (UPDATE_TEAM, {"teamId": beta.team["id"], "name": "Hijacked", "stage": "PERFORMING"}),
        (ADD_TEAM_MEMBER, {"teamId": beta.team["id"], "personId": alpha.member.id}),
        (ADD_TEAM_MEMBER, {"teamId": alpha.team["id"], "personId": beta.member.id}),
        (ADD_TEAM_MEMBER, {"teamId": beta.team["id"], "personId": beta.member.id}),
        (REMOVE_TEAM_MEMBER, {"teamId": beta.team["id"], "personId": beta.member.id}),
    ]
    for document, variables in attempts:
        result = await mutate(gql, document, variables, token=token)
        assert_error(result, "NotFoundError", "NOT_FOUND")

    assert await snapshot(gql, beta) == before
    assert await snapshot(gql, alpha) == alpha_before


async def test_foreign_ids_read_like_ids_that_never_existed(
    gql: GraphQL, alpha: Tenant, beta: Tenant
) -> None:
    """The message of the error does not tell a foreign id from a missing one."""
    token = alpha.org.faculty.token

    foreign = await mutate(gql, UPDATE_TEAM, {"teamId": beta.team["id"], "name": "X"}, token=token)
    missing = await mutate(
        gql, UPDATE_TEAM, {"teamId": missing_id("Team"), "name": "X"}, token=token
    )
    assert foreign == missing

    foreign = await mutate(gql, MARK_PERSON_LEFT, {"personId": beta.member.id}, token=token)
    missing = await mutate(gql, MARK_PERSON_LEFT, {"personId": missing_id("Person")}, token=token)
    assert foreign == missing

    foreign = await mutate(gql, RENAME_AREA, {"areaId": beta.area["id"], "name": "X"}, token=token)
    missing = await mutate(
        gql, RENAME_AREA, {"areaId": missing_id("KnowledgeArea"), "name": "X"}, token=token
    )
    assert foreign == missing

    foreign = await mutate(
        gql, CREATE_AREA, {"name": "X", "parentId": beta.area["id"]}, token=token
    )
    missing = await mutate(
        gql, CREATE_AREA, {"name": "X", "parentId": missing_id("KnowledgeArea")}, token=token
    )
    assert foreign == missing


async def test_area_mutations_with_another_organizations_ids_are_not_found(
    gql: GraphQL, alpha: Tenant, beta: Tenant
) -> None:
    before = await snapshot(gql, beta)
    alpha_before = await snapshot(gql, alpha)
    token = alpha.org.faculty.token

    attempts = [
        (RENAME_AREA, {"areaId": beta.area["id"], "name": "Hijacked"}),
        (RENAME_AREA, {"areaId": beta.child_area["id"], "name": "Hijacked"}),
        (MOVE_AREA, {"areaId": beta.child_area["id"], "parentId": None}),
        (MOVE_AREA, {"areaId": beta.area["id"], "parentId": alpha.area["id"]}),
        (MOVE_AREA, {"areaId": alpha.area["id"], "parentId": beta.area["id"]}),
        (MOVE_AREA, {"areaId": beta.area["id"], "parentId": beta.child_area["id"]}),
        (CREATE_AREA, {"name": "Planted", "parentId": beta.area["id"]}),
    ]
    for document, variables in attempts:
        result = await mutate(gql, document, variables, token=token)
        assert_error(result, "NotFoundError", "NOT_FOUND")

    assert await snapshot(gql, beta) == before
    assert await snapshot(gql, alpha) == alpha_before


async def test_mark_person_left_with_another_organizations_person_is_not_found(
    gql: GraphQL, alpha: Tenant, beta: Tenant
) -> None:
    before = await snapshot(gql, beta)
    token = alpha.org.faculty.token

    for person_id in (beta.member.id, beta.org.faculty.id):
        result = await mutate(gql, MARK_PERSON_LEFT, {"personId": person_id}, token=token)
        assert_error(result, "NotFoundError", "NOT_FOUND")

    assert await snapshot(gql, beta) == before
    # Beta's member still has access.
    viewer = await gql.data("{ viewer { id status } }", token=beta.member.token)
    assert viewer["viewer"] == {"id": beta.member.id, "status": "ACTIVE"}


async def test_an_ordinary_member_of_one_organization_gets_no_further(
    gql: GraphQL, alpha: Tenant, beta: Tenant
) -> None:
    """A non-faculty member is refused for lack of the role, whichever ids they
    send; Beta is untouched."""
    before = await snapshot(gql, beta)

    attempts = [
        (UPDATE_TEAM, {"teamId": beta.team["id"], "name": "Hijacked"}),
        (ADD_TEAM_MEMBER, {"teamId": beta.team["id"], "personId": alpha.member.id}),
        (RENAME_AREA, {"areaId": beta.area["id"], "name": "Hijacked"}),
        (MARK_PERSON_LEFT, {"personId": beta.member.id}),
    ]
    for document, variables in attempts:
        result = await mutate(gql, document, variables, token=alpha.member.token)
        assert_error(result, "PermissionDeniedError", "NOT_ORG_FACULTY")

    assert await snapshot(gql, beta) == before


async def test_same_names_in_two_organizations_do_not_collide(
    gql: GraphQL, alpha: Tenant, beta: Tenant
) -> None:
    """Uniqueness rules are per organization: names Beta uses are free in Alpha."""
    team = await create_team(gql, alpha.org.faculty.token, "Beta Team")
    area = await create_area(gql, alpha.org.faculty.token, "Beta Area")
    renamed = await mutate(
        gql,
        UPDATE_TEAM,
        {"teamId": alpha.team["id"], "name": "beta team 2"},
        token=alpha.org.faculty.token,
    )

    assert team["name"] == "Beta Team"
    assert area["name"] == "Beta Area"
    assert renamed["__typename"] == "TeamSuccess", renamed
    assert [t["name"] for t in await teams(gql, beta.member.token)] == ["Beta Team"]
    assert [a["name"] for a in await areas(gql, beta.member.token)] == ["Beta Area", "Beta Child"]
