"""Org faculty sets the organization's defaults; nobody else can, bad values
change nothing, and the defaults take effect for people without their own."""

from __future__ import annotations

from typing import Any

from tests.api.harness import GraphQL, Org

UPDATE = """
mutation($input: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $input) {
    __typename
    ... on Error { code message }
    ... on ValidationError { field }
    ... on OrganizationSuccess {
      organization { defaultStewardeeCapacity defaultMenteeCapacity readinessGoalCount readinessWindowDays }
    }
  }
}
"""
SETTINGS = """{ viewer { organization { defaultStewardeeCapacity defaultMenteeCapacity
  readinessGoalCount readinessWindowDays } stewardeeCapacity { capacity } } }"""


async def _settings(gql: GraphQL, token: str) -> dict[str, Any]:
    return (await gql.data(SETTINGS, token=token))["viewer"]


async def test_org_faculty_changes_the_defaults(gql: GraphQL, org: Org) -> None:
    member = await org.add_member()
    before = await _settings(gql, member.token)
    assert before["organization"] == {
        "defaultStewardeeCapacity": 6,
        "defaultMenteeCapacity": 3,
        "readinessGoalCount": 3,
        "readinessWindowDays": 365,
    }
    result = (
        await gql.data(
            UPDATE,
            {"input": {"defaultStewardeeCapacity": 9, "readinessWindowDays": 180}},
            token=org.faculty.token,
        )
    )["updateOrganizationSettings"]
    assert result["__typename"] == "OrganizationSuccess"
    after = await _settings(gql, member.token)
    assert after["organization"]["defaultStewardeeCapacity"] == 9
    assert after["organization"]["readinessWindowDays"] == 180
    assert after["organization"]["defaultMenteeCapacity"] == 3
    assert after["stewardeeCapacity"] == {"capacity": 9}


async def test_members_cannot_change_the_defaults(gql: GraphQL, org: Org) -> None:
    member = await org.add_member()
    before = await _settings(gql, member.token)
    result = (await gql.data(UPDATE, {"input": {"defaultMenteeCapacity": 10}}, token=member.token))[
        "updateOrganizationSettings"
    ]
    assert (result["__typename"], result["code"]) == ("PermissionDeniedError", "NOT_ORG_FACULTY")
    assert await _settings(gql, member.token) == before


async def test_out_of_range_values_change_nothing(gql: GraphQL, org: Org) -> None:
    before = await _settings(gql, org.faculty.token)
    for values, field in (
        ({"defaultStewardeeCapacity": 51}, "defaultStewardeeCapacity"),
        ({"defaultMenteeCapacity": -1}, "defaultMenteeCapacity"),
        ({"readinessGoalCount": 0}, "readinessGoalCount"),
        ({"readinessWindowDays": 5000, "readinessGoalCount": 4}, "readinessWindowDays"),
    ):
        result = (await gql.data(UPDATE, {"input": values}, token=org.faculty.token))[
            "updateOrganizationSettings"
        ]
        assert (result["__typename"], result["code"], result["field"]) == (
            "ValidationError",
            "OUT_OF_RANGE",
            field,
        )
    assert await _settings(gql, org.faculty.token) == before
