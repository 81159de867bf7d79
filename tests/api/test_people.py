"""People through the public API: the directory, profiles and invitations."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.api.harness import GraphQL, Org
from tests.api.queries import (
    INVITE_PERSON,
    MARK_PERSON_LEFT,
    PEOPLE,
    UPDATE_PROFILE,
    VIEWER,
    assert_error,
    missing_id,
    mutate,
    people,
)
from tests.fakes import CapturingMailer, FakeClock

MakeOrg = Callable[..., Awaitable[Org]]


def invite_input(**overrides: str) -> dict[str, str]:
    values = {
        "name": "Ada Lovelace",
        "handle": "ada",
        "email": "ada@example.com",
        "timezone": "Europe/London",
    }
    values.update(overrides)
    return values


def names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["name"] for row in rows]


# --- the directory ---------------------------------------------------------


async def test_directory_lists_people_by_name(gql: GraphQL, org: Org) -> None:
    for name in ("Mia Wong", "Carl Benz", "Zoe Adams", "Ben Ode"):
        await org.add_member(name)

    rows = await people(gql, org.faculty.token)

    assert names(rows) == ["Acme Founder", "Ben Ode", "Carl Benz", "Mia Wong", "Zoe Adams"]
    assert all(row["status"] == "ACTIVE" and row["leftAt"] is None for row in rows)


async def test_directory_pages_with_cursors(gql: GraphQL, org: Org) -> None:
    for name in ("Bea", "Cleo", "Dan", "Eve"):
        await org.add_member(name)
    member = org.members[0]

    first = await gql.data(PEOPLE, {"first": 2}, token=member.token)
    page = first["people"]
    assert names([e["node"] for e in page["edges"]]) == ["Acme Founder", "Bea"]
    assert page["pageInfo"]["hasNextPage"] is True

    second = await gql.data(
        PEOPLE, {"first": 2, "after": page["pageInfo"]["endCursor"]}, token=member.token
    )
    page = second["people"]
    assert names([e["node"] for e in page["edges"]]) == ["Cleo", "Dan"]
    assert page["pageInfo"]["hasNextPage"] is True

    third = await gql.data(
        PEOPLE, {"first": 2, "after": page["pageInfo"]["endCursor"]}, token=member.token
    )
    page = third["people"]
    assert names([e["node"] for e in page["edges"]]) == ["Eve"]
    assert page["pageInfo"]["hasNextPage"] is False


async def test_directory_search_matches_name_or_handle_case_insensitively(
    gql: GraphQL, org: Org
) -> None:
    grace = await org.add_member("Grace Hopper")
    await org.add_member("Alan Turing")
    await org.add_member("Margaret Hamilton")
    token = grace.token

    assert names(await people(gql, token, search="hop")) == ["Grace Hopper"]
    assert names(await people(gql, token, search="HAMILTON")) == ["Margaret Hamilton"]
    assert names(await people(gql, token, search="ar")) == ["Margaret Hamilton"]
    assert names(await people(gql, token, search=grace.person.handle)) == ["Grace Hopper"]
    assert await people(gql, token, search="nobody-like-this") == []


async def test_directory_search_treats_wildcards_literally(gql: GraphQL, org: Org) -> None:
    await org.add_member("Percy 100% Sure")
    await org.add_member("Plain Name")

    assert names(await people(gql, org.faculty.token, search="%")) == ["Percy 100% Sure"]
    assert await people(gql, org.faculty.token, search="_x_") == []


async def test_directory_filters_by_status(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    await org.add_member("Stays Here")
    leaves = await org.add_member("Leaves Soon")
    clock.advance(timedelta(minutes=1))

    result = await mutate(gql, MARK_PERSON_LEFT, {"personId": leaves.id}, token=org.faculty.token)
    assert result["__typename"] == "MarkPersonLeftSuccess", result
    assert result["person"]["status"] == "LEFT"

    token = org.faculty.token
    assert names(await people(gql, token, status="ACTIVE")) == ["Acme Founder", "Stays Here"]
    left = await people(gql, token, status="LEFT")
    assert names(left) == ["Leaves Soon"]
    assert left[0]["leftAt"] is not None
    assert names(await people(gql, token)) == ["Acme Founder", "Leaves Soon", "Stays Here"]
    assert names(await people(gql, token, status="LEFT", search="stays")) == []


async def test_directory_order_ignores_letter_case(gql: GraphQL, org: Org) -> None:
    for name in ("bea lowercase", "Carl Upper", "adam lowercase", "Zed Upper"):
        await org.add_member(name)

    rows = await people(gql, org.faculty.token)

    assert names(rows) == [
        "Acme Founder",
        "adam lowercase",
        "bea lowercase",
        "Carl Upper",
        "Zed Upper",
    ]


# --- leaving -----------------------------------------------------------------


async def test_a_person_who_left_loses_access_at_once(gql: GraphQL, org: Org) -> None:
    leaver = await org.add_member("Leaver")

    result = await mutate(gql, MARK_PERSON_LEFT, {"personId": leaver.id}, token=org.faculty.token)

    assert result["__typename"] == "MarkPersonLeftSuccess", result
    assert result["person"]["status"] == "LEFT"
    assert await gql.error_codes(VIEWER, token=leaver.token) == ["INVALID_TOKEN"]
    update = await mutate(gql, UPDATE_PROFILE, {"name": "Still Here"}, token=leaver.token)
    assert update["__typename"] == "AuthenticationError", update
    assert names(await people(gql, org.faculty.token, status="LEFT")) == ["Leaver"]


async def test_mark_person_left_refuses_self_and_repeats(gql: GraphQL, org: Org) -> None:
    leaver = await org.add_member("Leaver")
    first = await mutate(gql, MARK_PERSON_LEFT, {"personId": leaver.id}, token=org.faculty.token)
    assert first["__typename"] == "MarkPersonLeftSuccess", first
    before = await people(gql, org.faculty.token)

    itself = await mutate(
        gql, MARK_PERSON_LEFT, {"personId": org.faculty.id}, token=org.faculty.token
    )
    again = await mutate(gql, MARK_PERSON_LEFT, {"personId": leaver.id}, token=org.faculty.token)

    assert_error(itself, "ConflictError", "CANNOT_LEAVE_SELF", "personId")
    assert_error(again, "ConflictError", "ALREADY_LEFT", None)
    after = await people(gql, org.faculty.token)
    assert after == before
    assert [r["leftAt"] for r in after if r["id"] == leaver.id] == [first["person"]["leftAt"]]


async def test_an_ordinary_member_cannot_mark_someone_left(gql: GraphQL, org: Org) -> None:
    member = await org.add_member("Ordinary Member")
    other = await org.add_member("Other Member")
    before = await people(gql, org.faculty.token)

    result = await mutate(gql, MARK_PERSON_LEFT, {"personId": other.id}, token=member.token)

    assert_error(result, "PermissionDeniedError", "NOT_ORG_FACULTY")
    assert await people(gql, org.faculty.token) == before


@pytest.mark.parametrize("bad_id", ["garbage", "", "team"])
async def test_mark_person_left_refuses_malformed_ids(gql: GraphQL, org: Org, bad_id: str) -> None:
    await org.add_member("Someone")
    if bad_id == "team":
        bad_id = missing_id("Team")
    before = await people(gql, org.faculty.token)

    result = await mutate(gql, MARK_PERSON_LEFT, {"personId": bad_id}, token=org.faculty.token)

    assert_error(result, "ValidationError", "INVALID_ID", "personId")
    assert await people(gql, org.faculty.token) == before


# --- profiles ----------------------------------------------------------------


async def test_update_profile_changes_own_name_and_timezone(gql: GraphQL, org: Org) -> None:
    member = await org.add_member("Old Name", timezone="Europe/Berlin")

    result = await mutate(
        gql,
        UPDATE_PROFILE,
        {"name": "  New   Name ", "timezone": "America/New_York"},
        token=member.token,
    )

    assert result["__typename"] == "UpdateProfileSuccess", result
    assert result["person"]["id"] == member.id
    assert result["person"]["name"] == "New Name"
    assert result["person"]["timezone"] == "America/New_York"
    viewer = (await gql.data(VIEWER, token=member.token))["viewer"]
    assert (viewer["name"], viewer["timezone"]) == ("New Name", "America/New_York")
    # Others see the change too, and nobody else's profile changed.
    rows = await people(gql, org.faculty.token)
    assert names(rows) == ["Acme Founder", "New Name"]


async def test_update_profile_with_only_a_timezone_keeps_the_name(gql: GraphQL, org: Org) -> None:
    member = await org.add_member("Keeps Name")

    result = await mutate(gql, UPDATE_PROFILE, {"timezone": "Asia/Tokyo"}, token=member.token)

    assert result["__typename"] == "UpdateProfileSuccess", result
    viewer = (await gql.data(VIEWER, token=member.token))["viewer"]
    assert (viewer["name"], viewer["timezone"]) == ("Keeps Name", "Asia/Tokyo")


@pytest.mark.parametrize(
    ("profile", "field", "code"),
    [
        ({"name": ""}, "name", "REQUIRED"),
        ({"name": "   "}, "name", "REQUIRED"),
        ({"name": "x" * 121}, "name", "TOO_LONG"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "INVALID_TIMEZONE"),
        ({"timezone": ""}, "timezone", "INVALID_TIMEZONE"),
        # A valid name does not slip through when the timezone is refused.
        ({"name": "Valid Name", "timezone": "Nowhere/City"}, "timezone", "INVALID_TIMEZONE"),
    ],
)
async def test_update_profile_refuses_bad_input_and_changes_nothing(
    gql: GraphQL, org: Org, profile: dict[str, str], field: str, code: str
) -> None:
    member = await org.add_member("Steady Name", timezone="Europe/Berlin")
    before = (await gql.data(VIEWER, token=member.token))["viewer"]

    result = await mutate(gql, UPDATE_PROFILE, profile, token=member.token)

    assert_error(result, "ValidationError", code, field)
    after = (await gql.data(VIEWER, token=member.token))["viewer"]
    assert after == before
    assert (after["name"], after["timezone"]) == ("Steady Name", "Europe/Berlin")


# --- invitations ---------------------------------------------------------------


async def test_org_faculty_invites_a_person(
    gql: GraphQL, org: Org, mailer: CapturingMailer, clock: FakeClock
) -> None:
    result = await mutate(
        gql,
        INVITE_PERSON,
        invite_input(handle="  Ada.L ", email=" Ada@Example.COM "),
        token=org.faculty.token,
    )

    assert result["__typename"] == "InvitePersonSuccess", result
    person = result["person"]
    assert person["name"] == "Ada Lovelace"
    assert person["handle"] == "ada.l"
    assert person["email"] == "ada@example.com"
    assert person["timezone"] == "Europe/London"
    assert person["status"] == "ACTIVE"
    assert result["invitationExpiresAt"] > clock.now().isoformat()
    # The new person is in the directory, and the invitation mail went out.
    rows = await people(gql, org.faculty.token, search="ada")
    assert [(r["id"], r["handle"]) for r in rows] == [(person["id"], "ada.l")]
    assert [i.email for i in mailer.invitations] == ["ada@example.com"]


async def test_invitation_defaults_to_utc(gql: GraphQL, org: Org) -> None:
    result = await mutate(
        gql,
        INVITE_PERSON,
        {"name": "Utc Person", "handle": "utc", "email": "utc@example.com"},
        token=org.faculty.token,
    )

    assert result["__typename"] == "InvitePersonSuccess", result
    assert result["person"]["timezone"] == "UTC"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"name": ""}, "name", "REQUIRED"),
        ({"name": " \t "}, "name", "REQUIRED"),
        ({"handle": ""}, "handle", "INVALID_HANDLE"),
        ({"handle": "has space"}, "handle", "INVALID_HANDLE"),
        ({"handle": "-leading"}, "handle", "INVALID_HANDLE"),
        ({"handle": "trailing."}, "handle", "INVALID_HANDLE"),
        ({"handle": "ümlaut"}, "handle", "INVALID_HANDLE"),
        ({"handle": "a" * 33}, "handle", "INVALID_HANDLE"),
        ({"email": ""}, "email", "INVALID_EMAIL"),
        ({"email": "not-an-email"}, "email", "INVALID_EMAIL"),
        ({"email": "two@@example.com"}, "email", "INVALID_EMAIL"),
        ({"email": "no spaces@example.com"}, "email", "INVALID_EMAIL"),
        ({"timezone": "Atlantis/Capital"}, "timezone", "INVALID_TIMEZONE"),
    ],
)
async def test_invite_refuses_invalid_input_and_creates_nobody(
    gql: GraphQL,
    org: Org,
    mailer: CapturingMailer,
    overrides: dict[str, str],
    field: str,
    code: str,
) -> None:
    before = await people(gql, org.faculty.token)

    result = await mutate(gql, INVITE_PERSON, invite_input(**overrides), token=org.faculty.token)

    assert_error(result, "ValidationError", code, field)
    assert await people(gql, org.faculty.token) == before
    assert mailer.invitations == []


async def test_invite_refuses_a_handle_taken_in_the_organization(
    gql: GraphQL, org: Org, mailer: CapturingMailer
) -> None:
    existing = await org.add_member("Existing Person")
    before = await people(gql, org.faculty.token)

    # Handles are compared after lowercasing, so a different case is the same handle.
    result = await mutate(
        gql,
        INVITE_PERSON,
        invite_input(handle=existing.person.handle.upper()),
        token=org.faculty.token,
    )

    assert_error(result, "ConflictError", "HANDLE_TAKEN", "handle")
    assert await people(gql, org.faculty.token) == before
    assert mailer.invitations == []


async def test_the_same_handle_is_allowed_in_another_organization(
    gql: GraphQL, make_org: MakeOrg
) -> None:
    alpha = await make_org("Alpha")
    beta = await make_org("Beta")
    first = await mutate(gql, INVITE_PERSON, invite_input(), token=alpha.faculty.token)
    assert first["__typename"] == "InvitePersonSuccess", first

    second = await mutate(
        gql,
        INVITE_PERSON,
        invite_input(email="ada.beta@example.com"),
        token=beta.faculty.token,
    )

    assert second["__typename"] == "InvitePersonSuccess", second
    assert second["person"]["handle"] == "ada"
    assert second["person"]["id"] != first["person"]["id"]
    assert [r["id"] for r in await people(gql, alpha.faculty.token, search="ada")] == [
        first["person"]["id"]
    ]
    assert [r["id"] for r in await people(gql, beta.faculty.token, search="ada")] == [
        second["person"]["id"]
    ]


async def test_invite_refuses_an_email_taken_in_the_organization(
    gql: GraphQL, org: Org, mailer: CapturingMailer
) -> None:
    existing = await org.add_member("Existing Person")
    before = await people(gql, org.faculty.token)

    result = await mutate(
        gql,
        INVITE_PERSON,
        invite_input(email=existing.email.upper()),
        token=org.faculty.token,
    )

    assert_error(result, "ConflictError", "EMAIL_TAKEN", "email")
    assert await people(gql, org.faculty.token) == before
    assert mailer.invitations == []


async def test_invite_refuses_the_email_of_a_pending_invitation(gql: GraphQL, org: Org) -> None:
    first = await mutate(gql, INVITE_PERSON, invite_input(), token=org.faculty.token)
    assert first["__typename"] == "InvitePersonSuccess", first
    before = await people(gql, org.faculty.token)

    again = await mutate(gql, INVITE_PERSON, invite_input(handle="ada2"), token=org.faculty.token)

    assert_error(again, "ConflictError", "EMAIL_TAKEN", "email")
    assert await people(gql, org.faculty.token) == before


async def test_an_ordinary_member_cannot_invite(
    gql: GraphQL, org: Org, mailer: CapturingMailer
) -> None:
    member = await org.add_member("Ordinary Member")
    before = await people(gql, org.faculty.token)

    result = await mutate(gql, INVITE_PERSON, invite_input(), token=member.token)

    assert_error(result, "PermissionDeniedError", "NOT_ORG_FACULTY")
    assert await people(gql, org.faculty.token) == before
    assert await people(gql, org.faculty.token, search="ada") == []
    assert mailer.invitations == []


async def test_an_ordinary_member_is_refused_before_input_is_checked(
    gql: GraphQL, org: Org
) -> None:
    member = await org.add_member("Ordinary Member")

    result = await mutate(gql, INVITE_PERSON, invite_input(handle="!!"), token=member.token)

    assert_error(result, "PermissionDeniedError", "NOT_ORG_FACULTY")


async def test_concurrent_invitations_with_one_handle_let_exactly_one_win(
    gql: GraphQL, org: Org, mailer: CapturingMailer
) -> None:
    async def invite(n: int) -> dict[str, Any]:
        response = await gql.raw(
            INVITE_PERSON,
            {"input": invite_input(name=f"Racer {n}", handle="racer", email=f"r{n}@example.com")},
            token=org.faculty.token,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]["invitePerson"]

    results = await asyncio.gather(*(invite(n) for n in range(10)))

    winners = [r for r in results if r["__typename"] == "InvitePersonSuccess"]
    losers = [r for r in results if r["__typename"] != "InvitePersonSuccess"]
    assert len(winners) == 1, results
    assert len(losers) == 9
    for loser in losers:
        assert_error(loser, "ConflictError", "HANDLE_TAKEN", "handle")
    rows = await people(gql, org.faculty.token, search="racer")
    assert [(r["id"], r["handle"]) for r in rows] == [(winners[0]["person"]["id"], "racer")]
    # Only the winner's invitation was mailed.
    assert [i.email for i in mailer.invitations] == [winners[0]["person"]["email"]]
