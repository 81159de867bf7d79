"""Changing one's password through the API: the current one is required,
every session of the person ends on every device, and the device that
changed it continues in a fresh session. Races with other changes, with
sign-ins on the old password and with refreshes leave no session of the
old password alive."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from api.context import Services
from tests.api.harness import PASSWORD, GraphQL, Member, Org
from tests.api.test_auth import (
    ERROR_FIELDS,
    SESSION_FIELDS,
    expect_error,
    refresh,
    row_counts,
    sign_in,
    viewer_error,
    viewer_id,
)

NEW_PASSWORD = "a perfectly long passphrase"

CHANGE_PASSWORD = f"""
mutation ($current: String!, $new: String!) {{
    changePassword(input: {{ currentPassword: $current, newPassword: $new }}) {{
        {SESSION_FIELDS}
    }}
}}
"""


async def change_password(
    gql: GraphQL, token: str, current: str = PASSWORD, new: str = NEW_PASSWORD
) -> dict[str, Any]:
    data = await gql.data(CHANGE_PASSWORD, {"current": current, "new": new}, token=token)
    return data["changePassword"]


async def live_sessions(services: Services, member: Member) -> int:
    async with services.session_factory() as session:
        return await session.scalar(
            sa.text(
                "SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id"
                " WHERE a.person_id = :person AND s.ended_at IS NULL"
            ),
            {"person": member.person.id},
        )


async def test_changing_the_password_ends_every_session_and_continues_in_a_new_one(
    gql: GraphQL, org: Org, services: Services
) -> None:
    member = await org.add_member("Grace Hopper")
    here = await sign_in(gql, member.email)
    elsewhere = await sign_in(gql, member.email)
    colleague = await org.add_member()

    changed = await change_password(gql, here["accessToken"])

    assert changed["__typename"] == "SessionSuccess"
    assert changed["viewer"]["id"] == member.id
    assert await viewer_id(gql, changed["accessToken"]) == member.id
    for old in (here, elsewhere):
        assert await viewer_error(gql, old["accessToken"]) == "SESSION_ENDED"
        expect_error(
            await refresh(gql, old["refreshToken"]), "AuthenticationError", "INVALID_SESSION"
        )
    assert await viewer_error(gql, member.token) == "SESSION_ENDED"
    assert (await refresh(gql, changed["refreshToken"]))["__typename"] == "SessionSuccess"
    assert await live_sessions(services, member) == 1
    expect_error(await sign_in(gql, member.email), "AuthenticationError", "INVALID_CREDENTIALS")
    assert (await sign_in(gql, member.email, NEW_PASSWORD))["__typename"] == "SessionSuccess"
    assert await viewer_id(gql, colleague.token) == colleague.id


@pytest.mark.parametrize(
    ("current", "new", "field", "code"),
    [
        ("not my password at all", NEW_PASSWORD, "currentPassword", "WRONG_PASSWORD"),
        (PASSWORD, "short", "newPassword", "WEAK_PASSWORD"),
        (PASSWORD, "x" * 257, "newPassword", "TOO_LONG"),
        (PASSWORD, PASSWORD, "newPassword", "SAME_PASSWORD"),
    ],
)
async def test_a_refused_change_is_a_typed_error_and_changes_nothing(
    gql: GraphQL, org: Org, services: Services, current: str, new: str, field: str, code: str
) -> None:
    member = await org.add_member()
    session = await sign_in(gql, member.email)
    before = await row_counts(services)

    refused = await change_password(gql, session["accessToken"], current, new)

    assert refused["__typename"] == "ValidationError"
    assert (refused["field"], refused["code"]) == (field, code)
    assert await row_counts(services) == before
    assert await viewer_id(gql, session["accessToken"]) == member.id
    assert (await sign_in(gql, member.email))["__typename"] == "SessionSuccess"


async def test_only_a_signed_in_person_changes_a_password(
    gql: GraphQL, org: Org, services: Services
) -> None:
    member = await org.add_member()
    session = await sign_in(gql, member.email)
    await gql.data(
        f"""mutation ($t: String!) {{
            signOut(input: {{ refreshToken: $t }}) {{ __typename {ERROR_FIELDS} }}
        }}""",
        {"t": session["refreshToken"]},
    )
    before = await row_counts(services)

    anonymous = await gql.data(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD})
    signed_out = await change_password(gql, session["accessToken"])

    expect_error(anonymous["changePassword"], "AuthenticationError", "UNAUTHENTICATED")
    expect_error(signed_out, "AuthenticationError", "SESSION_ENDED")
    assert await row_counts(services) == before
    assert (await sign_in(gql, member.email))["__typename"] == "SessionSuccess"


@pytest.mark.parametrize("racers", [2, 20])
async def test_simultaneous_changes_from_one_session_succeed_once(
    gql: GraphQL, org: Org, services: Services, racers: int
) -> None:
    member = await org.add_member()
    session = await sign_in(gql, member.email)
    passwords = [f"racing passphrase number {i}" for i in range(racers)]

    results = await asyncio.gather(
        *(change_password(gql, session["accessToken"], PASSWORD, p) for p in passwords)
    )

    winners = [
        p for p, r in zip(passwords, results, strict=True) if r["__typename"] == "SessionSuccess"
    ]
    assert len(winners) == 1, results
    # The others find the session ended, or, once they have failed often
    # enough, the throttle (a failure is counted before the check runs).
    for result in results:
        if result["__typename"] == "AuthenticationError":
            expect_error(result, "AuthenticationError", "SESSION_ENDED")
        elif result["__typename"] != "SessionSuccess":
            expect_error(result, "TooManyAttemptsError", "TOO_MANY_ATTEMPTS")
    assert await live_sessions(services, member) == 1
    assert (await sign_in(gql, member.email, winners[0]))["__typename"] == "SessionSuccess"
    # A few of the losers: more would meet the sign-in throttle.
    for loser in sorted(set(passwords) - {winners[0]})[:3]:
        expect_error(
            await sign_in(gql, member.email, loser), "AuthenticationError", "INVALID_CREDENTIALS"
        )


@pytest.mark.parametrize("racers", [1, 19])
async def test_sign_ins_and_refreshes_racing_a_change_keep_no_old_session(
    gql: GraphQL, org: Org, services: Services, racers: int
) -> None:
    """Sign-ins with the old password and refreshes of an old session, at
    the same moment as the change: each either fails or its session is
    ended by the change; only the changer's new session lives."""
    member = await org.add_member()
    changer = await sign_in(gql, member.email)
    other = await sign_in(gql, member.email)
    racing = [sign_in(gql, member.email) for _ in range(racers)]
    racing += [refresh(gql, other["refreshToken"])]

    changed, *raced = await asyncio.gather(change_password(gql, changer["accessToken"]), *racing)

    assert changed["__typename"] == "SessionSuccess"
    for result in raced:
        if result["__typename"] == "SessionSuccess":
            assert await viewer_error(gql, result["accessToken"]) == "SESSION_ENDED"
        else:
            # TOO_MANY_ATTEMPTS: the throttle lets only so many sign-ins of
            # one client and account be checked at once.
            assert result["code"] in {
                "INVALID_CREDENTIALS",
                "INVALID_SESSION",
                "TOO_MANY_ATTEMPTS",
            }, result
    assert await live_sessions(services, member) == 1
    assert await viewer_id(gql, changed["accessToken"]) == member.id
