"""Teams through the public API: shaping teams and their membership over time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.api.harness import GraphQL, Org
from tests.api.queries import (
    ADD_TEAM_MEMBER,
    CREATE_TEAM,
    MARK_PERSON_LEFT,
    REMOVE_TEAM_MEMBER,
    UPDATE_TEAM,
    add_team_member,
    assert_error,
    create_team,
    missing_id,
    mutate,
    team,
    teams,
)
from tests.fakes import FakeClock

# base64 of "Team:not-a-uuid": the right type name, but no uuid inside.
TEAM_WITH_BAD_UUID = "VGVhbTpub3QtYS11dWlk"


def member_ids(team_row: dict[str, Any]) -> list[str]:
    return [m["id"] for m in team_row["members"]]


async def current_team(gql: GraphQL, org: Org, team_id: str) -> dict[str, Any]:
    row = await team(gql, org.faculty.token, team_id)
    assert row is not None
    assert row["__typename"] == "Team"
    return row


# --- creating and updating teams ---------------------------------------------


async def test_org_faculty_creates_a_team(gql: GraphQL, org: Org) -> None:
    result = await mutate(
        gql,
        CREATE_TEAM,
        {"name": "  Platform   Team ", "mission": " Keep the lights on.\n", "stage": "NORMING"},
        token=org.faculty.token,
    )

    assert result["__typename"] == "TeamSuccess", result
    created = result["team"]
    assert created["name"] == "Platform Team"
    assert created["mission"] == "Keep the lights on."
    assert created["stage"] == "NORMING"
    assert created["members"] == []
    assert created["membershipHistory"] == []
    member = await org.add_member()
    listed = await teams(gql, member.token)
    assert [(t["id"], t["name"]) for t in listed] == [(created["id"], "Platform Team")]


async def test_a_new_team_starts_forming(gql: GraphQL, org: Org) -> None:
    created = await create_team(gql, org.faculty.token, "Newcomers")

    assert created["stage"] == "FORMING"
    assert created["mission"] == ""


async def test_teams_are_listed_by_name(gql: GraphQL, org: Org) -> None:
    for name in ("Mobile", "Billing", "Platform", "Design"):
        await create_team(gql, org.faculty.token, name)

    listed = await teams(gql, org.faculty.token)

    assert [t["name"] for t in listed] == ["Billing", "Design", "Mobile", "Platform"]


async def test_org_faculty_updates_a_team(gql: GraphQL, org: Org) -> None:
    created = await create_team(gql, org.faculty.token, "Platform", mission="Old mission")

    result = await mutate(
        gql,
        UPDATE_TEAM,
        {"teamId": created["id"], "name": "Infrastructure", "stage": "STORMING"},
        token=org.faculty.token,
    )

    assert result["__typename"] == "TeamSuccess", result
    row = await current_team(gql, org, created["id"])
    assert (row["name"], row["mission"], row["stage"]) == (
        "Infrastructure",
        "Old mission",
        "STORMING",
    )

    result = await mutate(
        gql, UPDATE_TEAM, {"teamId": created["id"], "mission": "New"}, token=org.faculty.token
    )
    assert result["__typename"] == "TeamSuccess", result
    row = await current_team(gql, org, created["id"])
    assert (row["name"], row["mission"], row["stage"]) == ("Infrastructure", "New", "STORMING")


async def test_a_team_may_change_the_case_of_its_own_name(gql: GraphQL, org: Org) -> None:
    created = await create_team(gql, org.faculty.token, "platform")

    result = await mutate(
        gql, UPDATE_TEAM, {"teamId": created["id"], "name": "Platform"}, token=org.faculty.token
    )

    assert result["__typename"] == "TeamSuccess", result
    assert (await current_team(gql, org, created["id"]))["name"] == "Platform"


@pytest.mark.parametrize(
    ("name", "code"), [("", "REQUIRED"), ("   ", "REQUIRED"), ("x" * 121, "TOO_LONG")]
)
async def test_create_team_refuses_a_bad_name(gql: GraphQL, org: Org, name: str, code: str) -> None:
    result = await mutate(gql, CREATE_TEAM, {"name": name}, token=org.faculty.token)

    assert_error(result, "ValidationError", code, "name")
    assert await teams(gql, org.faculty.token) == []


async def test_create_team_refuses_a_taken_name_in_any_case(gql: GraphQL, org: Org) -> None:
    await create_team(gql, org.faculty.token, "Platform")
    before = await teams(gql, org.faculty.token)

    for name in ("Platform", "platform", " PLATFORM "):
        result = await mutate(gql, CREATE_TEAM, {"name": name}, token=org.faculty.token)
        assert_error(result, "ConflictError", "TEAM_NAME_TAKEN", "name")

    assert await teams(gql, org.faculty.token) == before


@pytest.mark.parametrize(
    ("changes", "typename", "code", "field"),
    [
        ({"name": ""}, "ValidationError", "REQUIRED", "name"),
        ({"name": " \n "}, "ValidationError", "REQUIRED", "name"),
        ({"mission": "m" * 2001}, "ValidationError", "TOO_LONG", "mission"),
        ({"name": "billing"}, "ConflictError", "TEAM_NAME_TAKEN", "name"),
        # A valid stage does not slip through with a refused name.
        ({"name": "BILLING", "stage": "PERFORMING"}, "ConflictError", "TEAM_NAME_TAKEN", "name"),
    ],
)
async def test_update_team_refuses_bad_input_and_changes_nothing(
    gql: GraphQL,
    org: Org,
    changes: dict[str, str],
    typename: str,
    code: str,
    field: str,
) -> None:
    await create_team(gql, org.faculty.token, "Billing")
    platform = await create_team(gql, org.faculty.token, "Platform", mission="Run it")
    before = await teams(gql, org.faculty.token)

    result = await mutate(
        gql, UPDATE_TEAM, {"teamId": platform["id"], **changes}, token=org.faculty.token
    )

    assert_error(result, typename, code, field)
    assert await teams(gql, org.faculty.token) == before


async def test_update_of_an_unknown_team_is_not_found(gql: GraphQL, org: Org) -> None:
    result = await mutate(
        gql, UPDATE_TEAM, {"teamId": missing_id("Team"), "name": "X"}, token=org.faculty.token
    )

    assert_error(result, "NotFoundError", "NOT_FOUND")
    assert await teams(gql, org.faculty.token) == []


# --- membership over time ------------------------------------------------------


async def test_membership_over_time(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    ada = await org.add_member("Ada")
    bob = await org.add_member("Bob")
    created = await create_team(gql, org.faculty.token, "Platform")
    team_id = created["id"]

    added = await mutate(
        gql, ADD_TEAM_MEMBER, {"teamId": team_id, "personId": ada.id}, token=org.faculty.token
    )
    assert added["__typename"] == "TeamMembershipSuccess", added
    assert added["membership"]["person"]["id"] == ada.id
    assert added["membership"]["team"]["id"] == team_id
    assert added["membership"]["endedAt"] is None
    first_start = added["membership"]["startedAt"]

    clock.advance(timedelta(minutes=1))
    await add_team_member(gql, org.faculty.token, team_id, bob.id)
    row = await current_team(gql, org, team_id)
    assert member_ids(row) == [ada.id, bob.id]

    clock.advance(timedelta(minutes=1))
    removed = await mutate(
        gql, REMOVE_TEAM_MEMBER, {"teamId": team_id, "personId": ada.id}, token=org.faculty.token
    )
    assert removed["__typename"] == "TeamMembershipSuccess", removed
    assert removed["membership"]["startedAt"] == first_start
    first_end = removed["membership"]["endedAt"]
    assert first_end is not None
    assert first_end > first_start

    row = await current_team(gql, org, team_id)
    assert member_ids(row) == [bob.id]
    history = row["membershipHistory"]
    assert len(history) == 2
    ended = [h for h in history if h["person"]["id"] == ada.id]
    assert ended == [{"person": {"id": ada.id}, "startedAt": first_start, "endedAt": first_end}]

    # Ada's teams no longer include the team; Bob's do.
    viewer_teams = await gql.data("{ viewer { teams { id } } }", token=ada.token)
    assert viewer_teams["viewer"]["teams"] == []
    viewer_teams = await gql.data("{ viewer { teams { id } } }", token=bob.token)
    assert viewer_teams["viewer"]["teams"] == [{"id": team_id}]

    # Re-adding after removal starts a new membership; the old one stays as history.
    clock.advance(timedelta(minutes=1))
    again = await mutate(
        gql, ADD_TEAM_MEMBER, {"teamId": team_id, "personId": ada.id}, token=org.faculty.token
    )
    assert again["__typename"] == "TeamMembershipSuccess", again
    assert again["membership"]["startedAt"] > first_end
    assert again["membership"]["endedAt"] is None

    row = await current_team(gql, org, team_id)
    assert member_ids(row) == [ada.id, bob.id]
    history = row["membershipHistory"]
    assert len(history) == 3
    # Newest first.
    starts = [h["startedAt"] for h in history]
    assert starts == sorted(starts, reverse=True)
    adas = [(h["startedAt"], h["endedAt"]) for h in history if h["person"]["id"] == ada.id]
    assert adas == [(again["membership"]["startedAt"], None), (first_start, first_end)]


async def test_adding_a_current_member_again_is_refused(gql: GraphQL, org: Org) -> None:
    ada = await org.add_member("Ada")
    created = await create_team(gql, org.faculty.token, "Platform")
    await add_team_member(gql, org.faculty.token, created["id"], ada.id)
    before = await current_team(gql, org, created["id"])

    result = await mutate(
        gql,
        ADD_TEAM_MEMBER,
        {"teamId": created["id"], "personId": ada.id},
        token=org.faculty.token,
    )

    assert_error(result, "ConflictError", "ALREADY_MEMBER", "personId")
    assert await current_team(gql, org, created["id"]) == before


async def test_a_person_who_left_cannot_be_added(gql: GraphQL, org: Org) -> None:
    gone = await org.add_member("Gone Person")
    created = await create_team(gql, org.faculty.token, "Platform")
    left = await mutate(gql, MARK_PERSON_LEFT, {"personId": gone.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left

    result = await mutate(
        gql,
        ADD_TEAM_MEMBER,
        {"teamId": created["id"], "personId": gone.id},
        token=org.faculty.token,
    )

    assert_error(result, "ConflictError", "PERSON_LEFT", "personId")
    row = await current_team(gql, org, created["id"])
    assert row["members"] == []
    assert row["membershipHistory"] == []


async def test_leaving_the_organization_ends_team_memberships(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leaver = await org.add_member("Leaver")
    stayer = await org.add_member("Stayer")
    created = await create_team(gql, org.faculty.token, "Platform")
    await add_team_member(gql, org.faculty.token, created["id"], leaver.id)
    await add_team_member(gql, org.faculty.token, created["id"], stayer.id)
    clock.advance(timedelta(minutes=1))

    left = await mutate(gql, MARK_PERSON_LEFT, {"personId": leaver.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left

    row = await current_team(gql, org, created["id"])
    assert member_ids(row) == [stayer.id]
    ended = [h["endedAt"] for h in row["membershipHistory"] if h["person"]["id"] == leaver.id]
    assert ended == [left["person"]["leftAt"]]


async def test_removing_a_non_member_is_not_found(gql: GraphQL, org: Org) -> None:
    ada = await org.add_member("Ada")
    bob = await org.add_member("Bob")
    created = await create_team(gql, org.faculty.token, "Platform")
    await add_team_member(gql, org.faculty.token, created["id"], bob.id)
    before = await current_team(gql, org, created["id"])

    result = await mutate(
        gql,
        REMOVE_TEAM_MEMBER,
        {"teamId": created["id"], "personId": ada.id},
        token=org.faculty.token,
    )

    assert_error(result, "NotFoundError", "NOT_FOUND")
    assert await current_team(gql, org, created["id"]) == before


async def test_removing_a_former_member_again_is_not_found(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    created = await create_team(gql, org.faculty.token, "Platform")
    await add_team_member(gql, org.faculty.token, created["id"], ada.id)
    clock.advance(timedelta(minutes=1))
    variables = {"teamId": created["id"], "personId": ada.id}
    first = await mutate(gql, REMOVE_TEAM_MEMBER, variables, token=org.faculty.token)
    assert first["__typename"] == "TeamMembershipSuccess", first
    before = await current_team(gql, org, created["id"])

    clock.advance(timedelta(minutes=1))
    again = await mutate(gql, REMOVE_TEAM_MEMBER, variables, token=org.faculty.token)

    assert_error(again, "NotFoundError", "NOT_FOUND")
    after = await current_team(gql, org, created["id"])
    assert after == before
    assert after["membershipHistory"][0]["endedAt"] == first["membership"]["endedAt"]


async def test_membership_of_unknown_team_or_person_is_not_found(gql: GraphQL, org: Org) -> None:
    ada = await org.add_member("Ada")
    created = await create_team(gql, org.faculty.token, "Platform")

    for document in (ADD_TEAM_MEMBER, REMOVE_TEAM_MEMBER):
        unknown_team = await mutate(
            gql,
            document,
            {"teamId": missing_id("Team"), "personId": ada.id},
            token=org.faculty.token,
        )
        assert_error(unknown_team, "NotFoundError", "NOT_FOUND")
    unknown_person = await mutate(
        gql,
        ADD_TEAM_MEMBER,
        {"teamId": created["id"], "personId": missing_id("Person")},
        token=org.faculty.token,
    )
    assert_error(unknown_person, "NotFoundError", "NOT_FOUND")

    row = await current_team(gql, org, created["id"])
    assert row["members"] == []
    assert row["membershipHistory"] == []


# --- malformed ids -------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_id",
    ["garbage", "", TEAM_WITH_BAD_UUID, "person-id-instead", "area-id-instead"],
)
async def test_malformed_team_ids_are_refused_with_the_field_named(
    gql: GraphQL, org: Org, bad_id: str
) -> None:
    ada = await org.add_member("Ada")
    created = await create_team(gql, org.faculty.token, "Platform")
    if bad_id == "person-id-instead":
        bad_id = ada.id
    elif bad_id == "area-id-instead":
        bad_id = missing_id("KnowledgeArea")
    before = await teams(gql, org.faculty.token)

    results = [
        await mutate(
            gql, UPDATE_TEAM, {"teamId": bad_id, "name": "Renamed"}, token=org.faculty.token
        ),
        await mutate(
            gql, ADD_TEAM_MEMBER, {"teamId": bad_id, "personId": ada.id}, token=org.faculty.token
        ),
        await mutate(
            gql,
            REMOVE_TEAM_MEMBER,
            {"teamId": bad_id, "personId": ada.id},
            token=org.faculty.token,
        ),
    ]

    for result in results:
        assert_error(result, "ValidationError", "INVALID_ID", "teamId")
    assert await teams(gql, org.faculty.token) == before
    assert (await current_team(gql, org, created["id"]))["name"] == "Platform"


@pytest.mark.parametrize("bad_id", ["garbage", "", "team-id-instead"])
async def test_malformed_person_ids_are_refused_with_the_field_named(
    gql: GraphQL, org: Org, bad_id: str
) -> None:
    created = await create_team(gql, org.faculty.token, "Platform")
    if bad_id == "team-id-instead":
        bad_id = created["id"]

    for document in (ADD_TEAM_MEMBER, REMOVE_TEAM_MEMBER):
        result = await mutate(
            gql,
            document,
            {"teamId": created["id"], "personId": bad_id},
            token=org.faculty.token,
        )
        assert_error(result, "ValidationError", "INVALID_ID", "personId")

    row = await current_team(gql, org, created["id"])
    assert row["members"] == []
    assert row["membershipHistory"] == []


# --- permissions ---------------------------------------------------------------


async def test_ordinary_members_cannot_shape_teams(gql: GraphQL, org: Org) -> None:
    member = await org.add_member("Ordinary Member")
    other = await org.add_member("Other Member")
    created = await create_team(gql, org.faculty.token, "Platform", mission="Run it")
    await add_team_member(gql, org.faculty.token, created["id"], other.id)
    before_teams = await teams(gql, org.faculty.token)

    attempts = [
        (CREATE_TEAM, {"name": "Rogue Team"}),
        (UPDATE_TEAM, {"teamId": created["id"], "name": "Hijacked", "stage": "PERFORMING"}),
        (ADD_TEAM_MEMBER, {"teamId": created["id"], "personId": member.id}),
        (REMOVE_TEAM_MEMBER, {"teamId": created["id"], "personId": other.id}),
    ]
    for document, variables in attempts:
        result = await mutate(gql, document, variables, token=member.token)
        assert_error(result, "PermissionDeniedError", "NOT_ORG_FACULTY")

    assert await teams(gql, org.faculty.token) == before_teams
    row = await current_team(gql, org, created["id"])
    assert member_ids(row) == [other.id]
    assert [h["endedAt"] for h in row["membershipHistory"]] == [None]


async def test_team_members_do_not_gain_rights_over_their_team(gql: GraphQL, org: Org) -> None:
    insider = await org.add_member("Insider")
    created = await create_team(gql, org.faculty.token, "Platform")
    await add_team_member(gql, org.faculty.token, created["id"], insider.id)
    before = await current_team(gql, org, created["id"])

    renamed = await mutate(
        gql, UPDATE_TEAM, {"teamId": created["id"], "name": "Mine"}, token=insider.token
    )
    left = await mutate(
        gql,
        REMOVE_TEAM_MEMBER,
        {"teamId": created["id"], "personId": insider.id},
        token=insider.token,
    )

    assert_error(renamed, "PermissionDeniedError", "NOT_ORG_FACULTY")
    assert_error(left, "PermissionDeniedError", "NOT_ORG_FACULTY")
    assert await current_team(gql, org, created["id"]) == before
