"""GraphQL documents and small helpers shared by the API tests of people,
teams, knowledge areas and tenancy. Everything here goes through the public
GraphQL API, as a client would."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from api.graphql.ids import global_id
from tests.api.harness import GraphQL

ERROR_FIELDS = """
    __typename
    ... on Error { message code }
    ... on ValidationError { field }
    ... on ConflictError { field }
"""

PERSON_FIELDS = "id name handle email timezone status leftAt"

PEOPLE = f"""
query People($first: Int, $after: String, $search: String, $status: PersonStatus) {{
  people(first: $first, after: $after, search: $search, status: $status) {{
    edges {{ cursor node {{ {PERSON_FIELDS} }} }}
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
  }}
}}
"""

VIEWER = f"{{ viewer {{ {PERSON_FIELDS} }} }}"

INVITE_PERSON = f"""
mutation Invite($input: InvitePersonInput!) {{
  invitePerson(input: $input) {{
    {ERROR_FIELDS}
    ... on InvitePersonSuccess {{ invitationExpiresAt person {{ {PERSON_FIELDS} }} }}
  }}
}}
"""

UPDATE_PROFILE = f"""
mutation UpdateProfile($input: UpdateProfileInput!) {{
  updateProfile(input: $input) {{
    {ERROR_FIELDS}
    ... on UpdateProfileSuccess {{ person {{ {PERSON_FIELDS} }} }}
  }}
}}
"""

MARK_PERSON_LEFT = f"""
mutation MarkLeft($input: MarkPersonLeftInput!) {{
  markPersonLeft(input: $input) {{
    {ERROR_FIELDS}
    ... on MarkPersonLeftSuccess {{ person {{ {PERSON_FIELDS} }} }}
  }}
}}
"""

TEAM_FIELDS = """
    id name mission stage
    members { id name }
    membershipHistory { person { id } startedAt endedAt }
"""

TEAMS = f"""
query Teams($first: Int) {{
  teams(first: $first) {{ edges {{ node {{ {TEAM_FIELDS} }} }} }}
}}
"""

TEAM = f"""
query Team($id: ID!) {{ node(id: $id) {{ __typename ... on Team {{ {TEAM_FIELDS} }} }} }}
"""

CREATE_TEAM = f"""
mutation CreateTeam($input: CreateTeamInput!) {{
  createTeam(input: $input) {{
    {ERROR_FIELDS}
    ... on TeamSuccess {{ team {{ {TEAM_FIELDS} }} }}
  }}
}}
"""

UPDATE_TEAM = f"""
mutation UpdateTeam($input: UpdateTeamInput!) {{
  updateTeam(input: $input) {{
    {ERROR_FIELDS}
    ... on TeamSuccess {{ team {{ {TEAM_FIELDS} }} }}
  }}
}}
"""

MEMBERSHIP_FIELDS = "person { id } team { id } startedAt endedAt"

ADD_TEAM_MEMBER = f"""
mutation AddMember($input: TeamMemberInput!) {{
  addTeamMember(input: $input) {{
    {ERROR_FIELDS}
    ... on TeamMembershipSuccess {{ membership {{ {MEMBERSHIP_FIELDS} }} }}
  }}
}}
"""

REMOVE_TEAM_MEMBER = f"""
mutation RemoveMember($input: TeamMemberInput!) {{
  removeTeamMember(input: $input) {{
    {ERROR_FIELDS}
    ... on TeamMembershipSuccess {{ membership {{ {MEMBERSHIP_FIELDS} }} }}
  }}
}}
"""

AREA_FIELDS = "id name description parent { id name } children { id name }"

AREAS = f"""
query Areas($first: Int, $rootsOnly: Boolean! = false) {{
  knowledgeAreas(first: $first, rootsOnly: $rootsOnly) {{ edges {{ node {{ {AREA_FIELDS} }} }} }}
}}
"""

AREA = f"""
query Area($id: ID!) {{ node(id: $id) {{ __typename ... on KnowledgeArea {{ {AREA_FIELDS} }} }} }}
"""

CREATE_AREA = f"""
mutation CreateArea($input: CreateKnowledgeAreaInput!) {{
  createKnowledgeArea(input: $input) {{
    {ERROR_FIELDS}
    ... on KnowledgeAreaSuccess {{ area {{ {AREA_FIELDS} }} }}
  }}
}}
"""

RENAME_AREA = f"""
mutation RenameArea($input: RenameKnowledgeAreaInput!) {{
  renameKnowledgeArea(input: $input) {{
    {ERROR_FIELDS}
    ... on KnowledgeAreaSuccess {{ area {{ {AREA_FIELDS} }} }}
  }}
}}
"""

MOVE_AREA = f"""
mutation MoveArea($input: MoveKnowledgeAreaInput!) {{
  moveKnowledgeArea(input: $input) {{
    {ERROR_FIELDS}
    ... on KnowledgeAreaSuccess {{ area {{ {AREA_FIELDS} }} }}
  }}
}}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Person { name }
    ... on Team { name }
    ... on KnowledgeArea { name }
    ... on Organization { name }
  }
}
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Person { name }
    ... on Team { name }
    ... on KnowledgeArea { name }
    ... on Organization { name }
  }
}
"""


def gid(type_name: str, entity_id: UUID | str) -> str:
    """The opaque global id a client would see for an entity."""
    return str(global_id(type_name, UUID(str(entity_id))))


def missing_id(type_name: str) -> str:
    """A well-formed global id of the given type that names nothing."""
    return gid(type_name, uuid4())


async def mutate(
    gql: GraphQL, document: str, values: dict[str, Any], *, token: str
) -> dict[str, Any]:
    """The typed result of a one-field mutation; never a GraphQL errors array."""
    body = await gql(document, {"input": values}, token=token)
    assert "errors" not in body, body["errors"]
    (result,) = body["data"].values()
    assert isinstance(result, dict)
    return result


def assert_error(
    result: dict[str, Any], typename: str, code: str, field: str | None = None
) -> None:
    assert result["__typename"] == typename, result
    assert result["code"] == code, result
    assert result["message"], result
    if typename in ("ValidationError", "ConflictError"):
        assert result["field"] == field, result


async def people(gql: GraphQL, token: str, **variables: Any) -> list[dict[str, Any]]:
    variables.setdefault("first", 100)
    data = await gql.data(PEOPLE, variables, token=token)
    return [edge["node"] for edge in data["people"]["edges"]]


async def teams(gql: GraphQL, token: str) -> list[dict[str, Any]]:
    data = await gql.data(TEAMS, {"first": 100}, token=token)
    return [edge["node"] for edge in data["teams"]["edges"]]


async def team(gql: GraphQL, token: str, team_id: str) -> dict[str, Any] | None:
    data = await gql.data(TEAM, {"id": team_id}, token=token)
    return data["node"]


async def areas(gql: GraphQL, token: str, *, roots_only: bool = False) -> list[dict[str, Any]]:
    data = await gql.data(AREAS, {"first": 100, "rootsOnly": roots_only}, token=token)
    return [edge["node"] for edge in data["knowledgeAreas"]["edges"]]


async def area(gql: GraphQL, token: str, area_id: str) -> dict[str, Any] | None:
    data = await gql.data(AREA, {"id": area_id}, token=token)
    return data["node"]


async def create_team(gql: GraphQL, token: str, name: str, **extra: Any) -> dict[str, Any]:
    result = await mutate(gql, CREATE_TEAM, {"name": name, **extra}, token=token)
    assert result["__typename"] == "TeamSuccess", result
    return result["team"]


async def create_area(
    gql: GraphQL, token: str, name: str, parent_id: str | None = None
) -> dict[str, Any]:
    result = await mutate(gql, CREATE_AREA, {"name": name, "parentId": parent_id}, token=token)
    assert result["__typename"] == "KnowledgeAreaSuccess", result
    return result["area"]


async def add_team_member(gql: GraphQL, token: str, team_id: str, person_id: str) -> None:
    result = await mutate(
        gql, ADD_TEAM_MEMBER, {"teamId": team_id, "personId": person_id}, token=token
    )
    assert result["__typename"] == "TeamMembershipSuccess", result
