"""Resetting a forgotten password through the API: the answer to a request
is the same whatever the email, the mailed token is stored hashed, works
once and only until it expires, a newer request voids the older one, and
using it sets the password and ends every session of the account."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from api.context import Services
from domain.accounts import hash_secret
from tests.api.harness import PASSWORD, GraphQL, Member, Org, token_for, without_cost
from tests.api.test_auth import (
    ERROR_FIELDS,
    MARK_LEFT,
    SESSION_FIELDS,
    expect_error,
    row_counts,
    sign_in,
    viewer_error,
    viewer_id,
)
from tests.api.test_change_password import change_password, live_sessions
from tests.fakes import CapturingMailer, FakeClock

NEW_PASSWORD = "a perfectly long passphrase"

REQUEST_RESET = f"""
mutation ($email: String!) {{
    requestPasswordReset(input: {{ email: $email }}) {{
        __typename ... on RequestPasswordResetSuccess {{ requested }} {ERROR_FIELDS}
    }}
}}
"""

RESET_PASSWORD = f"""
mutation ($token: String!, $new: String!) {{
    resetPassword(input: {{ token: $token, newPassword: $new }}) {{ {SESSION_FIELDS} }}
}}
"""


async def request_reset(gql: GraphQL, services: Services, email: str) -> dict[str, Any]:
    """Requests a reset and waits for the work the answer does not wait for."""
    data = await gql.data(REQUEST_RESET, {"email": email})
    await services.background.drain()
    return data["requestPasswordReset"]


async def reset_password(gql: GraphQL, token: str, new: str = NEW_PASSWORD) -> dict[str, Any]:
    data = await gql.data(RESET_PASSWORD, {"token": token, "new": new})
    return data["resetPassword"]


async def reset_rows(services: Services) -> list[dict[str, Any]]:
    async with services.session_factory() as session:
        rows = await session.execute(
            sa.text(
                "SELECT token_hash, closed_at, close_reason FROM password_resets"
                " ORDER BY requested_at, id"
            )
        )
        return [dict(row._mapping) for row in rows]


async def reset_row_counts(services: Services) -> dict[str, int]:
    counts = await row_counts(services)
    async with services.session_factory() as session:
        for name, query in {
            "sessions_live": "SELECT count(*) FROM sessions WHERE ended_at IS NULL",
            "resets_open": "SELECT count(*) FROM password_resets WHERE closed_at IS NULL",
            "password_versions": "SELECT sum(password_version) FROM accounts",
        }.items():
            counts[name] = (await session.execute(sa.text(query))).scalar_one()
    return counts


async def mailed_token(gql: GraphQL, services: Services, mailer: CapturingMailer, member: Member):
    answer = await request_reset(gql, services, member.email)
    assert answer == {"__typename": "RequestPasswordResetSuccess", "requested": True}
    return mailer.reset_token_for(member.email)


async def test_a_mailed_token_sets_the_password_and_ends_every_session(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer
) -> None:
    member = await org.add_member("Forgetful")
    other_device = await sign_in(gql, member.email)

    token = await mailed_token(gql, services, mailer, member)
    reset = await reset_password(gql, token)

    assert reset["__typename"] == "SessionSuccess", reset
    assert reset["viewer"]["id"] == member.id
    assert [(m.email, m.name) for m in mailer.password_resets] == [(member.email, "Forgetful")]
    assert await viewer_error(gql, member.token) == "SESSION_ENDED"
    assert await viewer_error(gql, other_device["accessToken"]) == "SESSION_ENDED"
    assert await viewer_id(gql, reset["accessToken"]) == member.id
    assert await live_sessions(services, member) == 1
    expect_error(await sign_in(gql, member.email), "AuthenticationError", "INVALID_CREDENTIALS")
    assert (await sign_in(gql, member.email, NEW_PASSWORD))["__typename"] == "SessionSuccess"


async def test_the_token_is_stored_only_hashed(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer
) -> None:
    member = await org.add_member()

    token = await mailed_token(gql, services, mailer, member)

    [row] = await reset_rows(services)
    assert row["token_hash"] == hash_secret(token)
    assert token not in row.values()


async def test_the_answer_is_the_same_whatever_the_email(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer
) -> None:
    """An account, no account, someone who left, another spelling of an
    account's email: one answer, byte for byte; mail only for the account."""
    member = await org.add_member()
    gone = await org.add_member()
    await gql.data(MARK_LEFT, {"id": gone.id}, token=org.faculty.token)
    emails = [member.email, "nobody@example.com", gone.email, f"  {member.email.upper()} "]

    responses = [
        await gql.raw(REQUEST_RESET, {"email": email}) for email in emails for _ in range(2)
    ]
    await services.background.drain()

    assert {r.status_code for r in responses} == {200}
    # The cost report aside (its remaining budget goes down each time).
    assert {orjson.dumps(without_cost(r.json())) for r in responses} == {
        b'{"data":{"requestPasswordReset":{"__typename":"RequestPasswordResetSuccess",'
        b'"requested":true}}}'
    }
    headers = [{k: v for k, v in r.headers.items() if k != "date"} for r in responses]
    assert all(h == headers[0] for h in headers)
    assert {m.email for m in mailer.password_resets} == {member.email}


async def test_an_email_that_is_not_one_is_a_validation_error(
    gql: GraphQL, services: Services, mailer: CapturingMailer
) -> None:
    answer = await request_reset(gql, services, "not an email")

    assert answer["__typename"] == "ValidationError", answer
    assert answer["field"] == "email"
    assert mailer.password_resets == []


async def test_a_token_works_once(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer
) -> None:
    member = await org.add_member()
    token = await mailed_token(gql, services, mailer, member)
    first = await reset_password(gql, token)
    before = await reset_row_counts(services)

    again = await reset_password(gql, token, "a second new passphrase")

    expect_error(again, "AuthenticationError", "INVALID_RESET_TOKEN")
    assert await reset_row_counts(services) == before
    assert await viewer_id(gql, first["accessToken"]) == member.id
    assert (await sign_in(gql, member.email, NEW_PASSWORD))["__typename"] == "SessionSuccess"


async def test_an_expired_token_is_refused_and_changes_nothing(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer, clock: FakeClock
) -> None:
    member = await org.add_member()
    token = await mailed_token(gql, services, mailer, member)
    clock.advance(services.settings.password_reset_lifetime - timedelta(seconds=1))
    before = await reset_row_counts(services)
    clock.advance(timedelta(seconds=1))

    expired = await reset_password(gql, token)

    expect_error(expired, "AuthenticationError", "INVALID_RESET_TOKEN")
    assert await reset_row_counts(services) == before
    assert await viewer_id(gql, token_for(services, member)) == member.id
    assert (await sign_in(gql, member.email))["__typename"] == "SessionSuccess"


def _flipped(token: str) -> str:
    return ("A" if token[0] != "A" else "B") + token[1:]


@pytest.mark.parametrize(
    "wrong", [lambda token: secrets.token_urlsafe(32), _flipped, lambda token: "", hash_secret]
)
async def test_a_wrong_token_is_refused_and_changes_nothing(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer, wrong: Any
) -> None:
    member = await org.add_member()
    token = await mailed_token(gql, services, mailer, member)
    before = await reset_row_counts(services)

    refused = await reset_password(gql, wrong(token))

    expect_error(refused, "AuthenticationError", "INVALID_RESET_TOKEN")
    assert await reset_row_counts(services) == before
    assert (await reset_password(gql, token))["__typename"] == "SessionSuccess"


async def test_a_weak_password_is_refused_and_the_token_stays_usable(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer
) -> None:
    member = await org.add_member()
    token = await mailed_token(gql, services, mailer, member)
    before = await reset_row_counts(services)

    weak = await reset_password(gql, token, "short")

    assert weak["__typename"] == "ValidationError", weak
    assert (weak["field"], weak["code"]) == ("newPassword", "WEAK_PASSWORD")
    assert await reset_row_counts(services) == before
    assert (await reset_password(gql, token))["__typename"] == "SessionSuccess"


async def test_a_newer_request_voids_the_older_token(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer
) -> None:
    member = await org.add_member()
    older = await mailed_token(gql, services, mailer, member)
    newer = await mailed_token(gql, services, mailer, member)

    expect_error(await reset_password(gql, older), "AuthenticationError", "INVALID_RESET_TOKEN")
    assert (await reset_password(gql, newer))["__typename"] == "SessionSuccess"
    reasons = {r["token_hash"]: r["close_reason"] for r in await reset_rows(services)}
    assert reasons == {hash_secret(older): "REPLACED", hash_secret(newer): "USED"}


async def test_changing_the_password_voids_an_open_token(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer
) -> None:
    member = await org.add_member()
    token = await mailed_token(gql, services, mailer, member)

    changed = await change_password(gql, member.token)

    assert changed["__typename"] == "SessionSuccess"
    expect_error(await reset_password(gql, token), "AuthenticationError", "INVALID_RESET_TOKEN")


async def test_someone_who_left_cannot_reset(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer
) -> None:
    member = await org.add_member()
    token = await mailed_token(gql, services, mailer, member)
    await gql.data(MARK_LEFT, {"id": member.id}, token=org.faculty.token)

    expect_error(await reset_password(gql, token), "AuthenticationError", "INVALID_RESET_TOKEN")
    expect_error(await sign_in(gql, member.email), "AuthenticationError", "INVALID_CREDENTIALS")


@pytest.mark.parametrize("racers", [2, 20])
async def test_simultaneous_resets_with_one_token_succeed_once(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer, racers: int
) -> None:
    member = await org.add_member()
    token = await mailed_token(gql, services, mailer, member)
    passwords = [f"racing passphrase number {i}" for i in range(racers)]

    results = await asyncio.gather(*(reset_password(gql, token, p) for p in passwords))

    winners = [p for p, r in zip(passwords, results, strict=True) if "accessToken" in r]
    assert len(winners) == 1, results
    for result in results:
        if result["__typename"] == "AuthenticationError":
            expect_error(result, "AuthenticationError", "INVALID_RESET_TOKEN")
        elif "accessToken" not in result:
            # Failures are counted before the check: past ten, the throttle.
            expect_error(result, "TooManyAttemptsError", "TOO_MANY_ATTEMPTS")
    assert await live_sessions(services, member) == 1
    assert (await sign_in(gql, member.email, winners[0]))["__typename"] == "SessionSuccess"


@pytest.mark.parametrize("racers", [2, 20])
async def test_simultaneous_requests_leave_one_open_token(
    gql: GraphQL, org: Org, services: Services, mailer: CapturingMailer, racers: int
) -> None:
    member = await org.add_member()

    answers = await asyncio.gather(
        *(gql.data(REQUEST_RESET, {"email": member.email}) for _ in range(racers))
    )
    await services.background.drain()

    # Every request for a mail counts: past a few, the throttle refuses.
    kinds = [a["requestPasswordReset"]["__typename"] for a in answers]
    assert "RequestPasswordResetSuccess" in kinds
    assert set(kinds) <= {"RequestPasswordResetSuccess", "TooManyAttemptsError"}
    rows = await reset_rows(services)
    assert [r["close_reason"] for r in rows if r["closed_at"] is None] == [None]
    mailed = [m.token for m in mailer.password_resets if m.email == member.email]
    assert len(mailed) == len(rows)
    results = [await reset_password(gql, token) for token in mailed]
    assert [r["__typename"] for r in results].count("SessionSuccess") == 1
    assert await viewer_error(gql, member.token) == "SESSION_ENDED"
    expect_error(
        await sign_in(gql, member.email, PASSWORD), "AuthenticationError", "INVALID_CREDENTIALS"
    )
