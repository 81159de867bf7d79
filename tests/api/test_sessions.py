"""Access tokens carry their session, and a session that ended is refused at
once: after `signOut`, a reused refresh token or leaving, the very next
request with the access token fails, not when the token expires. The check
is part of the viewer's own statement."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import uuid4

import jwt
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from api.context import Services
from tests.api.harness import GraphQL, Org, count_statements
from tests.api.test_auth import (
    MARK_LEFT,
    UPDATE_PROFILE,
    claims_for,
    expect_error,
    refresh,
    sign_in,
    sign_out,
    viewer_error,
    viewer_id,
)
from tests.fakes import FakeClock


async def session_ends(services: Services, person_id: object) -> list[tuple[Any, Any]]:
    """(ended_at, end_reason) of each session of the person, oldest first."""
    async with services.session_factory() as session:
        rows = await session.execute(
            sa.text(
                "SELECT s.ended_at, s.end_reason FROM sessions s"
                " JOIN accounts a ON a.id = s.account_id"
                " WHERE a.person_id = :person ORDER BY s.started_at, s.id"
            ),
            {"person": person_id},
        )
        return [tuple(row) for row in rows]


async def test_sign_out_refuses_the_access_token_at_once(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member("Signing Out")
    session = await sign_in(gql, member.email)
    other_device = await sign_in(gql, member.email)
    assert await viewer_id(gql, session["accessToken"]) == member.id

    await sign_out(gql, session["refreshToken"])

    assert await viewer_error(gql, session["accessToken"]) == "SESSION_ENDED"
    renamed = await gql.data(UPDATE_PROFILE, {"name": "Still me"}, token=session["accessToken"])
    expect_error(renamed["updateProfile"], "AuthenticationError", "SESSION_ENDED")
    clock.advance(timedelta(minutes=14))  # well before the token expires
    assert await viewer_error(gql, session["accessToken"]) == "SESSION_ENDED"
    assert await viewer_id(gql, other_device["accessToken"]) == member.id
    assert (await gql.data("{ viewer { name } }", token=member.token))["viewer"] == {
        "name": "Signing Out"
    }


async def test_signing_out_with_a_spent_refresh_token_ends_its_session(
    gql: GraphQL, org: Org
) -> None:
    """A client that lost track of the newest refresh token still signs out."""
    member = await org.add_member()
    first = await sign_in(gql, member.email)
    rotated = await refresh(gql, first["refreshToken"])

    await sign_out(gql, first["refreshToken"])

    assert await viewer_error(gql, rotated["accessToken"]) == "SESSION_ENDED"
    expect_error(
        await refresh(gql, rotated["refreshToken"]), "AuthenticationError", "INVALID_SESSION"
    )


async def test_a_reused_refresh_token_ends_the_sessions_access_tokens(
    gql: GraphQL, org: Org, services: Services
) -> None:
    member = await org.add_member()
    first = await sign_in(gql, member.email)
    second = await refresh(gql, first["refreshToken"])
    assert await viewer_id(gql, second["accessToken"]) == member.id

    expect_error(
        await refresh(gql, first["refreshToken"]), "AuthenticationError", "INVALID_SESSION"
    )

    assert await viewer_error(gql, second["accessToken"]) == "SESSION_ENDED"
    assert await viewer_error(gql, first["accessToken"]) == "SESSION_ENDED"
    # The harness's own session of the member lives on.
    reasons = {reason for _, reason in await session_ends(services, member.person.id)}
    assert reasons == {None, "REFRESH_TOKEN_REUSED"}


async def test_leaving_ends_every_session(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    member = await org.add_member()
    await sign_in(gql, member.email)
    await sign_in(gql, member.email)

    left = await gql.data(MARK_LEFT, {"id": member.id}, token=org.faculty.token)

    assert left["markPersonLeft"]["__typename"] == "MarkPersonLeftSuccess"
    ends = await session_ends(services, member.person.id)
    assert ends == [(clock.now(), "PERSON_LEFT")] * 3


async def test_a_token_without_a_session_is_refused(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    """As tokens minted before sessions existed: they could not be ended."""
    member = await org.add_member()
    secret = services.settings.token_secret.get_secret_value()
    token = jwt.encode(claims_for(member, clock.now()), secret, "HS256")

    assert await viewer_error(gql, token) == "INVALID_TOKEN"


@pytest.mark.parametrize("whose", ["someone else's", "unknown"])
async def test_a_token_naming_a_session_not_of_its_person_is_refused(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock, whose: str
) -> None:
    """Even correctly signed (which needs the secret): the session must be
    the person's own, and live."""
    member = await org.add_member()
    other = await org.add_member()
    session_id = other.session_id if whose == "someone else's" else uuid4()
    secret = services.settings.token_secret.get_secret_value()
    token = jwt.encode(claims_for(member, clock.now(), sid=str(session_id)), secret, "HS256")

    assert await viewer_error(gql, token) == "SESSION_ENDED"
    assert await viewer_id(gql, other.token) == other.id


async def test_the_session_is_checked_within_the_viewers_one_statement(
    app: FastAPI, gql: GraphQL, org: Org
) -> None:
    member = await org.add_member()
    session = await sign_in(gql, member.email)

    with count_statements(app.state.engine) as live:
        await viewer_id(gql, session["accessToken"])
    await sign_out(gql, session["refreshToken"])
    with count_statements(app.state.engine) as ended:
        await viewer_error(gql, session["accessToken"])

    assert live.count == ended.count == 1, (live.statements, ended.statements)
    assert "sessions" in live.statements[0]
    assert "people" in live.statements[0]


@pytest.mark.parametrize("devices", [1, 10])
async def test_sign_outs_racing_with_refreshes_leave_nothing_alive(
    gql: GraphQL, org: Org, services: Services, devices: int
) -> None:
    """Each device signs out while the same refresh token is being traded
    (2 and 20 requests at once): whichever wins, nothing of the session
    works afterwards: not the old access token, not anything the refresh
    handed out."""
    member = await org.add_member()
    sessions = [await sign_in(gql, member.email) for _ in range(devices)]

    async def sign_out_and_refresh(session: dict[str, Any]) -> list[dict[str, Any]]:
        return await asyncio.gather(
            sign_out(gql, session["refreshToken"]), refresh(gql, session["refreshToken"])
        )

    results = await asyncio.gather(*(sign_out_and_refresh(s) for s in sessions))

    for session, (signed_out, refreshed) in zip(sessions, results, strict=True):
        assert signed_out == {"__typename": "SignOutSuccess", "signedOut": True}
        assert await viewer_error(gql, session["accessToken"]) == "SESSION_ENDED"
        if refreshed["__typename"] == "SessionSuccess":
            assert await viewer_error(gql, refreshed["accessToken"]) == "SESSION_ENDED"
            expect_error(
                await refresh(gql, refreshed["refreshToken"]),
                "AuthenticationError",
                "INVALID_SESSION",
            )
        else:
            expect_error(refreshed, "AuthenticationError", "INVALID_SESSION")
    async with services.session_factory() as session:
        live_tokens = await session.scalar(
            sa.text(
                "SELECT count(*) FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id"
                " WHERE s.ended_at IS NOT NULL AND t.revoked_at IS NULL"
            )
        )
    assert live_tokens == 0
