"""Signing in, access tokens, rotating sessions and invitations, driven
through the public GraphQL API as a client would."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import jwt
import pytest
import sqlalchemy as sa

from api.context import Services
from tests.api.harness import PASSWORD, GraphQL, Member, Org
from tests.fakes import CapturingMailer, FakeClock

NEW_PASSWORD = "a perfectly long passphrase"

ERROR_FIELDS = """
    ... on Error { __typename message code }
    ... on ValidationError { field }
"""

SESSION_FIELDS = f"""
    __typename
    ... on SessionSuccess {{
        accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt
        viewer {{ id email name }}
    }}
    {ERROR_FIELDS}
"""

SIGN_IN = f"""
mutation ($email: String!, $password: String!) {{
    signIn(input: {{ email: $email, password: $password }}) {{ {SESSION_FIELDS} }}
}}
"""

REFRESH = f"""
mutation ($token: String!) {{
    refreshSession(input: {{ refreshToken: $token }}) {{ {SESSION_FIELDS} }}
}}
"""

SIGN_OUT = f"""
mutation ($token: String!) {{
    signOut(input: {{ refreshToken: $token }}) {{
        __typename ... on SignOutSuccess {{ signedOut }} {ERROR_FIELDS}
    }}
}}
"""

ACCEPT = f"""
mutation ($token: String!, $password: String!) {{
    acceptInvitation(input: {{ token: $token, password: $password }}) {{ {SESSION_FIELDS} }}
}}
"""

INVITE = f"""
mutation ($name: String!, $handle: String!, $email: String!, $timezone: String!) {{
    invitePerson(input: {{ name: $name, handle: $handle, email: $email, timezone: $timezone }}) {{
        __typename
        ... on InvitePersonSuccess {{
            invitationExpiresAt
            person {{ id name handle email timezone status }}
        }}
        {ERROR_FIELDS}
    }}
}}
"""

MARK_LEFT = f"""
mutation ($id: ID!) {{
    markPersonLeft(input: {{ personId: $id }}) {{
        __typename ... on MarkPersonLeftSuccess {{ person {{ id status leftAt }} }} {ERROR_FIELDS}
    }}
}}
"""

UPDATE_PROFILE = f"""
mutation ($name: String!) {{
    updateProfile(input: {{ name: $name }}) {{
        __typename ... on UpdateProfileSuccess {{ person {{ name }} }} {ERROR_FIELDS}
    }}
}}
"""

VIEWER = "{ viewer { id } }"
PEOPLE = "{ people(first: 100) { edges { node { id email } } } }"

INVITEE = {
    "name": "Ada Lovelace",
    "handle": "ada",
    "email": "ada@example.com",
    "timezone": "Europe/London",
}


# --- helpers -----------------------------------------------------------------


async def sign_in(gql: GraphQL, email: str, password: str = PASSWORD) -> dict[str, Any]:
    data = await gql.data(SIGN_IN, {"email": email, "password": password})
    return data["signIn"]


async def refresh(gql: GraphQL, token: str) -> dict[str, Any]:
    data = await gql.data(REFRESH, {"token": token})
    return data["refreshSession"]


async def sign_out(gql: GraphQL, token: str) -> dict[str, Any]:
    data = await gql.data(SIGN_OUT, {"token": token})
    return data["signOut"]


async def accept(gql: GraphQL, token: str, password: str = NEW_PASSWORD) -> dict[str, Any]:
    data = await gql.data(ACCEPT, {"token": token, "password": password})
    return data["acceptInvitation"]


async def invite(gql: GraphQL, token: str | None, **overrides: str) -> dict[str, Any]:
    data = await gql.data(INVITE, {**INVITEE, **overrides}, token=token)
    return data["invitePerson"]


async def viewer_error(gql: GraphQL, token: str) -> str:
    """The code of the single error `viewer` fails with; also checks nothing leaked."""
    body = await gql(VIEWER, token=token)
    assert body["data"] == {"viewer": None}
    assert len(body["errors"]) == 1, body["errors"]
    return body["errors"][0]["extensions"]["code"]


async def viewer_id(gql: GraphQL, token: str) -> str:
    data = await gql.data(VIEWER, token=token)
    return data["viewer"]["id"]


async def people_emails(gql: GraphQL, token: str) -> set[str]:
    data = await gql.data(PEOPLE, token=token)
    return {edge["node"]["email"] for edge in data["people"]["edges"]}


async def row_counts(services: Services) -> dict[str, int]:
    """State the auth mutations write, read straight from the database so a
    failed call can be shown to have changed nothing."""
    queries = {
        "accounts": "SELECT count(*) FROM accounts",
        "people": "SELECT count(*) FROM people",
        "invitations_open": "SELECT count(*) FROM invitations WHERE accepted_at IS NULL",
        "refresh_tokens": "SELECT count(*) FROM refresh_tokens",
        "refresh_tokens_live": "SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL",
        "signed_in": "SELECT count(*) FROM accounts WHERE last_sign_in_at IS NOT NULL",
    }
    async with services.session_factory() as session:
        return {
            name: (await session.execute(sa.text(query))).scalar_one()
            for name, query in queries.items()
        }


def expect_error(payload: dict[str, Any], typename: str, code: str) -> None:
    assert payload["__typename"] == typename, payload
    assert payload["code"] == code, payload
    assert payload["message"], payload
    assert "accessToken" not in payload
    assert "refreshToken" not in payload


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def flip_char(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def claims_for(member: Member, now: datetime, **overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": str(member.person.id),
        "org": str(member.person.organization_id),
        "iss": "trellis",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=15)).timestamp()),
        "typ": "access",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


# --- sign in -----------------------------------------------------------------


async def test_sign_in_returns_a_session_whose_access_token_works(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    member = await org.add_member("Grace Hopper")
    before = await row_counts(services)

    session = await sign_in(gql, member.email)

    assert session["__typename"] == "SessionSuccess"
    assert session["viewer"] == {"id": member.id, "email": member.email, "name": "Grace Hopper"}
    assert parse_time(session["accessTokenExpiresAt"]) == clock.now() + timedelta(minutes=15)
    assert parse_time(session["refreshTokenExpiresAt"]) == clock.now() + timedelta(days=30)
    assert session["accessToken"] != session["refreshToken"]
    assert await viewer_id(gql, session["accessToken"]) == member.id
    after = await row_counts(services)
    assert after["refresh_tokens_live"] == before["refresh_tokens_live"] + 1
    assert after["signed_in"] == before["signed_in"] + 1


async def test_sign_in_payload_is_resolved_as_the_new_viewer(gql: GraphQL, org: Org) -> None:
    """The request came in anonymous; the payload's viewer fields need the
    signed-in person's loaders."""
    query = """
    mutation ($email: String!, $password: String!) {
        signIn(input: { email: $email, password: $password }) {
            ... on SessionSuccess { viewer { id isOrgFaculty organization { name } } }
        }
    }
    """

    data = await gql.data(query, {"email": org.faculty.email, "password": PASSWORD})

    assert data["signIn"]["viewer"] == {
        "id": org.faculty.id,
        "isOrgFaculty": True,
        "organization": {"name": "Acme"},
    }


async def test_sign_in_ignores_case_and_surrounding_spaces_in_the_email(
    gql: GraphQL, org: Org
) -> None:
    member = await org.add_member()

    session = await sign_in(gql, f"  {member.email.upper()} ")

    assert session["__typename"] == "SessionSuccess"
    assert session["viewer"]["id"] == member.id


async def test_sign_in_failures_all_look_the_same(
    gql: GraphQL, org: Org, services: Services
) -> None:
    """Wrong password, unknown email and garbage must not be told apart,
    or the API would tell anyone which emails have accounts."""
    member = await org.add_member()
    before = await row_counts(services)

    wrong_password = await sign_in(gql, member.email, "not the password at all")
    unknown_email = await sign_in(gql, "nobody@example.com", PASSWORD)
    malformed_email = await sign_in(gql, "not an email", PASSWORD)
    empty = await sign_in(gql, "", "")

    expect_error(wrong_password, "AuthenticationError", "INVALID_CREDENTIALS")
    assert unknown_email == wrong_password
    assert malformed_email == wrong_password
    assert empty == wrong_password
    assert await row_counts(services) == before
    assert (await sign_in(gql, member.email))["__typename"] == "SessionSuccess"


async def test_sign_in_works_even_with_a_stale_access_token_in_the_request(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """A client whose access token expired still sends it; signing in again
    must not be blocked by it."""
    member = await org.add_member()
    clock.advance(timedelta(hours=1))

    body = await gql(SIGN_IN, {"email": member.email, "password": PASSWORD}, token=member.token)

    assert "errors" not in body, body
    session = body["data"]["signIn"]
    assert session["__typename"] == "SessionSuccess"
    assert await viewer_id(gql, session["accessToken"]) == member.id


# --- access tokens -----------------------------------------------------------


async def test_access_token_works_until_it_expires(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member()
    token = (await sign_in(gql, member.email))["accessToken"]

    clock.advance(timedelta(minutes=14, seconds=59))
    assert await viewer_id(gql, token) == member.id

    clock.advance(timedelta(seconds=2))
    assert await viewer_error(gql, token) == "TOKEN_EXPIRED"


async def test_expired_access_token_is_rejected_by_mutations_with_a_typed_error(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member("Before")
    clock.advance(timedelta(minutes=16))

    data = await gql.data(UPDATE_PROFILE, {"name": "After"}, token=member.token)

    expect_error(data["updateProfile"], "AuthenticationError", "TOKEN_EXPIRED")
    fresh = (await sign_in(gql, member.email))["accessToken"]
    assert (await gql.data("{ viewer { name } }", token=fresh))["viewer"] == {"name": "Before"}


BadToken = Callable[[Member, Services, datetime], str]


def _tampered_signature(member: Member, services: Services, now: datetime) -> str:
    header, payload, signature = member.token.split(".")
    # Not the last character: its low bits are padding and may decode the same.
    return f"{header}.{payload}.{flip_char(signature, len(signature) // 2)}"


def _tampered_payload(member: Member, services: Services, now: datetime) -> str:
    """Claims someone else's identity while keeping the original signature."""
    header, payload, signature = member.token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["sub"] = str(uuid4())
    return f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"


def _flipped_payload_char(member: Member, services: Services, now: datetime) -> str:
    header, payload, signature = member.token.split(".")
    return f"{header}.{flip_char(payload, 5)}.{signature}"


def _other_secret(member: Member, services: Services, now: datetime) -> str:
    return jwt.encode(claims_for(member, now), "some other secret of enough length!!", "HS256")


def _unsigned(member: Member, services: Services, now: datetime) -> str:
    return jwt.encode(claims_for(member, now), None, algorithm="none")


def _other_issuer(member: Member, services: Services, now: datetime) -> str:
    secret = services.settings.token_secret.get_secret_value()
    return jwt.encode(claims_for(member, now, iss="someone-else"), secret, "HS256")


def _no_expiry(member: Member, services: Services, now: datetime) -> str:
    secret = services.settings.token_secret.get_secret_value()
    return jwt.encode(claims_for(member, now, exp=None), secret, "HS256")


def _unknown_person(member: Member, services: Services, now: datetime) -> str:
    """Correctly signed, but for nobody: must not be treated as signed in."""
    secret = services.settings.token_secret.get_secret_value()
    return jwt.encode(claims_for(member, now, sub=str(uuid4())), secret, "HS256")


def _garbage(member: Member, services: Services, now: datetime) -> str:
    return "not-a-token"


@pytest.mark.parametrize(
    "make_token",
    [
        _tampered_signature,
        _tampered_payload,
        _flipped_payload_char,
        _other_secret,
        _unsigned,
        _other_issuer,
        _no_expiry,
        _unknown_person,
        _garbage,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
async def test_invalid_access_tokens_are_rejected(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock, make_token: BadToken
) -> None:
    member = await org.add_member()
    token = make_token(member, services, clock.now())
    assert token != member.token

    assert await viewer_error(gql, token) == "INVALID_TOKEN"
    assert await viewer_id(gql, member.token) == member.id


@pytest.mark.parametrize(
    "header",
    ["Basic {token}", "Token {token}", "{token}", "Bearer", "Bearer ", "Bearer    "],
)
async def test_authorization_header_must_be_a_bearer_token(
    gql: GraphQL, org: Org, header: str
) -> None:
    member = await org.add_member()

    response = await gql.raw(VIEWER, headers={"authorization": header.format(token=member.token)})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == {"viewer": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_TOKEN"]


async def test_bearer_scheme_is_case_insensitive(gql: GraphQL, org: Org) -> None:
    member = await org.add_member()

    response = await gql.raw(VIEWER, headers={"authorization": f"bearer {member.token}"})

    assert response.json()["data"] == {"viewer": {"id": member.id}}


async def test_mutations_with_a_bad_token_return_authentication_error_and_change_nothing(
    gql: GraphQL, org: Org, mailer: CapturingMailer, services: Services
) -> None:
    faculty = org.faculty
    forged = _tampered_signature(faculty, services, datetime.now(UTC))
    before = await row_counts(services)

    invited = await invite(gql, forged)
    renamed = (await gql.data(UPDATE_PROFILE, {"name": "Mallory"}, token=forged))["updateProfile"]

    expect_error(invited, "AuthenticationError", "INVALID_TOKEN")
    expect_error(renamed, "AuthenticationError", "INVALID_TOKEN")
    assert mailer.invitations == []
    assert await row_counts(services) == before
    assert "Mallory" not in str(await gql.data("{ viewer { name } }", token=faculty.token))


# --- refresh tokens ----------------------------------------------------------


async def test_refresh_session_rotates_the_refresh_token(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member()
    first = await sign_in(gql, member.email)
    clock.advance(timedelta(hours=2))

    second = await refresh(gql, first["refreshToken"])

    assert second["__typename"] == "SessionSuccess"
    assert second["viewer"]["id"] == member.id
    assert second["refreshToken"] != first["refreshToken"]
    assert second["accessToken"] != first["accessToken"]
    assert parse_time(second["accessTokenExpiresAt"]) == clock.now() + timedelta(minutes=15)
    assert parse_time(second["refreshTokenExpiresAt"]) == clock.now() + timedelta(days=30)
    assert await viewer_id(gql, second["accessToken"]) == member.id
    # The rotated token keeps working for the next rotation.
    third = await refresh(gql, second["refreshToken"])
    assert third["__typename"] == "SessionSuccess"


async def test_refresh_works_although_the_request_carries_an_expired_access_token(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """This is exactly when clients refresh."""
    member = await org.add_member()
    session = await sign_in(gql, member.email)
    clock.advance(timedelta(minutes=20))
    assert await viewer_error(gql, session["accessToken"]) == "TOKEN_EXPIRED"

    body = await gql(REFRESH, {"token": session["refreshToken"]}, token=session["accessToken"])

    assert "errors" not in body, body
    renewed = body["data"]["refreshSession"]
    assert renewed["__typename"] == "SessionSuccess"
    assert await viewer_id(gql, renewed["accessToken"]) == member.id


async def test_a_spent_refresh_token_is_refused(gql: GraphQL, org: Org) -> None:
    member = await org.add_member()
    first = await sign_in(gql, member.email)
    await refresh(gql, first["refreshToken"])

    again = await refresh(gql, first["refreshToken"])

    expect_error(again, "AuthenticationError", "INVALID_SESSION")
    assert again == await refresh(gql, secrets.token_urlsafe(32))


async def test_reusing_a_spent_refresh_token_ends_the_whole_session(
    gql: GraphQL, org: Org, services: Services
) -> None:
    """Reuse means two parties hold the token: the thief's newest token
    must die with the victim's."""
    member = await org.add_member()
    other_device = await sign_in(gql, member.email)
    first = await sign_in(gql, member.email)
    second = await refresh(gql, first["refreshToken"])
    newest = await refresh(gql, second["refreshToken"])
    assert newest["__typename"] == "SessionSuccess"

    reused = await refresh(gql, first["refreshToken"])

    expect_error(reused, "AuthenticationError", "INVALID_SESSION")
    before = await row_counts(services)
    expect_error(
        await refresh(gql, newest["refreshToken"]), "AuthenticationError", "INVALID_SESSION"
    )
    expect_error(
        await refresh(gql, second["refreshToken"]), "AuthenticationError", "INVALID_SESSION"
    )
    assert await row_counts(services) == before
    # Another device's session is a different family and lives on.
    assert (await refresh(gql, other_device["refreshToken"]))["__typename"] == "SessionSuccess"


async def test_refresh_token_expires_after_its_lifetime(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    member = await org.add_member()
    early = await sign_in(gql, member.email)
    late = await sign_in(gql, member.email)

    clock.advance(timedelta(days=29, hours=23))
    assert (await refresh(gql, early["refreshToken"]))["__typename"] == "SessionSuccess"

    clock.advance(timedelta(hours=1, seconds=1))
    before = await row_counts(services)
    expired = await refresh(gql, late["refreshToken"])

    expect_error(expired, "AuthenticationError", "INVALID_SESSION")
    assert await row_counts(services) == before


async def test_concurrent_refreshes_of_one_token_succeed_at_most_once(
    gql: GraphQL, org: Org
) -> None:
    """Two requests racing with one token must not both get a live session."""
    member = await org.add_member()
    session = await sign_in(gql, member.email)

    results = await asyncio.gather(*(refresh(gql, session["refreshToken"]) for _ in range(4)))

    kinds = sorted(r["__typename"] for r in results)
    assert kinds.count("SessionSuccess") <= 1, results
    for result in results:
        if result["__typename"] != "SessionSuccess":
            expect_error(result, "AuthenticationError", "INVALID_SESSION")


# --- sign out ----------------------------------------------------------------


async def test_sign_out_revokes_the_refresh_token(gql: GraphQL, org: Org) -> None:
    member = await org.add_member()
    other_device = await sign_in(gql, member.email)
    session = await sign_in(gql, member.email)
    rotated = await refresh(gql, session["refreshToken"])

    signed_out = await sign_out(gql, rotated["refreshToken"])

    assert signed_out == {"__typename": "SignOutSuccess", "signedOut": True}
    expect_error(
        await refresh(gql, rotated["refreshToken"]), "AuthenticationError", "INVALID_SESSION"
    )
    expect_error(
        await refresh(gql, session["refreshToken"]), "AuthenticationError", "INVALID_SESSION"
    )
    assert (await refresh(gql, other_device["refreshToken"]))["__typename"] == "SessionSuccess"


async def test_sign_out_with_an_unknown_or_spent_token_still_succeeds(
    gql: GraphQL, org: Org, services: Services
) -> None:
    member = await org.add_member()
    session = await sign_in(gql, member.email)
    before = await row_counts(services)

    unknown = await sign_out(gql, secrets.token_urlsafe(32))
    empty = await sign_out(gql, "")

    assert unknown == empty == {"__typename": "SignOutSuccess", "signedOut": True}
    assert await row_counts(services) == before
    assert await sign_out(gql, session["refreshToken"]) == unknown
    assert await sign_out(gql, session["refreshToken"]) == unknown


# --- invitations -------------------------------------------------------------


async def test_invited_person_sets_a_password_and_signs_in(
    gql: GraphQL, org: Org, clock: FakeClock, mailer: CapturingMailer
) -> None:
    response = await gql.raw(INVITE, INVITEE, token=org.faculty.token)

    assert response.status_code == 200, response.text
    invited = response.json()["data"]["invitePerson"]
    assert invited["__typename"] == "InvitePersonSuccess"
    assert invited["person"] == {
        "id": invited["person"]["id"],
        "name": "Ada Lovelace",
        "handle": "ada",
        "email": "ada@example.com",
        "timezone": "Europe/London",
        "status": "ACTIVE",
    }
    assert parse_time(invited["invitationExpiresAt"]) == clock.now() + timedelta(days=7)
    assert len(mailer.invitations) == 1
    mail = mailer.invitations[0]
    assert (mail.email, mail.name, mail.organization) == ("ada@example.com", "Ada Lovelace", "Acme")
    assert mail.token not in response.text
    # Invited but without a password yet: looks like any unknown email.
    no_account = await sign_in(gql, "ada@example.com", NEW_PASSWORD)
    assert no_account == await sign_in(gql, "nobody@example.com", NEW_PASSWORD)

    accepted = await accept(gql, mail.token)

    assert accepted["__typename"] == "SessionSuccess"
    assert accepted["viewer"]["id"] == invited["person"]["id"]
    assert accepted["viewer"]["email"] == "ada@example.com"
    assert await viewer_id(gql, accepted["accessToken"]) == invited["person"]["id"]
    signed_in = await sign_in(gql, "ada@example.com", NEW_PASSWORD)
    assert signed_in["__typename"] == "SessionSuccess"
    assert signed_in["viewer"]["id"] == invited["person"]["id"]
    assert (await refresh(gql, accepted["refreshToken"]))["__typename"] == "SessionSuccess"


async def test_an_invitation_works_only_once(
    gql: GraphQL, org: Org, mailer: CapturingMailer, services: Services
) -> None:
    await invite(gql, org.faculty.token)
    token = mailer.token_for("ada@example.com")
    assert (await accept(gql, token))["__typename"] == "SessionSuccess"
    before = await row_counts(services)

    again = await accept(gql, token, "an attacker's new password")

    expect_error(again, "AuthenticationError", "INVALID_INVITATION")
    assert again == await accept(gql, secrets.token_urlsafe(32))
    assert await row_counts(services) == before
    assert (await sign_in(gql, "ada@example.com", NEW_PASSWORD))["__typename"] == "SessionSuccess"
    expect_error(
        await sign_in(gql, "ada@example.com", "an attacker's new password"),
        "AuthenticationError",
        "INVALID_CREDENTIALS",
    )


async def test_an_expired_invitation_is_refused(
    gql: GraphQL, org: Org, clock: FakeClock, mailer: CapturingMailer, services: Services
) -> None:
    await invite(gql, org.faculty.token)
    token = mailer.token_for("ada@example.com")
    clock.advance(timedelta(days=8))
    before = await row_counts(services)

    expired = await accept(gql, token)

    expect_error(expired, "AuthenticationError", "INVALID_INVITATION")
    assert await row_counts(services) == before
    expect_error(
        await sign_in(gql, "ada@example.com", NEW_PASSWORD),
        "AuthenticationError",
        "INVALID_CREDENTIALS",
    )


async def test_a_weak_password_is_refused_and_the_invitation_stays_usable(
    gql: GraphQL, org: Org, mailer: CapturingMailer, services: Services
) -> None:
    await invite(gql, org.faculty.token)
    token = mailer.token_for("ada@example.com")
    before = await row_counts(services)

    weak = await accept(gql, token, "short")

    assert weak["__typename"] == "ValidationError"
    assert weak["field"] == "password"
    assert weak["code"] == "WEAK_PASSWORD"
    assert await row_counts(services) == before
    assert (await accept(gql, token))["__typename"] == "SessionSuccess"


async def test_an_ordinary_member_cannot_invite(
    gql: GraphQL, org: Org, mailer: CapturingMailer, services: Services
) -> None:
    member = await org.add_member()
    emails = await people_emails(gql, member.token)
    before = await row_counts(services)

    denied = await invite(gql, member.token)

    expect_error(denied, "PermissionDeniedError", "NOT_ORG_FACULTY")
    assert await people_emails(gql, member.token) == emails
    assert "ada@example.com" not in emails
    assert mailer.invitations == []
    assert await row_counts(services) == before


async def test_an_anonymous_caller_cannot_invite(
    gql: GraphQL, org: Org, mailer: CapturingMailer, services: Services
) -> None:
    emails = await people_emails(gql, org.faculty.token)
    before = await row_counts(services)

    denied = await invite(gql, None)

    expect_error(denied, "AuthenticationError", "UNAUTHENTICATED")
    assert await people_emails(gql, org.faculty.token) == emails
    assert mailer.invitations == []
    assert await row_counts(services) == before


async def test_inviting_a_taken_email_sends_no_mail(
    gql: GraphQL, org: Org, mailer: CapturingMailer, services: Services
) -> None:
    member = await org.add_member()
    before = await row_counts(services)

    taken = await invite(gql, org.faculty.token, email=member.email.upper())

    expect_error(taken, "ConflictError", "EMAIL_TAKEN")
    assert mailer.invitations == []
    assert await row_counts(services) == before


async def test_concurrent_acceptances_of_one_invitation_succeed_once(
    gql: GraphQL, org: Org, mailer: CapturingMailer, services: Services
) -> None:
    await invite(gql, org.faculty.token)
    token = mailer.token_for("ada@example.com")
    passwords = [f"racing password number {i}" for i in range(4)]

    results = await asyncio.gather(*(accept(gql, token, p) for p in passwords))

    winners = [
        p for p, r in zip(passwords, results, strict=True) if r["__typename"] == "SessionSuccess"
    ]
    assert len(winners) == 1, results
    for result in results:
        if result["__typename"] != "SessionSuccess":
            expect_error(result, "AuthenticationError", "INVALID_INVITATION")
    assert (await sign_in(gql, "ada@example.com", winners[0]))["__typename"] == "SessionSuccess"
    counts = await row_counts(services)
    assert counts["accounts"] == 2  # the founder's and Ada's
    assert counts["invitations_open"] == 0


async def test_an_invitee_who_left_before_accepting_cannot_accept(
    gql: GraphQL, org: Org, mailer: CapturingMailer, services: Services
) -> None:
    invited = await invite(gql, org.faculty.token)
    token = mailer.token_for("ada@example.com")
    left = await gql.data(MARK_LEFT, {"id": invited["person"]["id"]}, token=org.faculty.token)
    assert left["markPersonLeft"]["__typename"] == "MarkPersonLeftSuccess"
    before = await row_counts(services)

    refused = await accept(gql, token)

    expect_error(refused, "AuthenticationError", "INVALID_INVITATION")
    assert await row_counts(services) == before


async def test_invitation_tokens_are_not_refresh_tokens(
    gql: GraphQL, org: Org, mailer: CapturingMailer
) -> None:
    await invite(gql, org.faculty.token)
    token = mailer.token_for("ada@example.com")

    expect_error(await refresh(gql, token), "AuthenticationError", "INVALID_SESSION")
    assert (await accept(gql, token))["__typename"] == "SessionSuccess"


# --- leaving -----------------------------------------------------------------


async def test_a_person_who_left_loses_access_at_once(gql: GraphQL, org: Org) -> None:
    member = await org.add_member()
    session = await sign_in(gql, member.email)
    assert await viewer_id(gql, session["accessToken"]) == member.id

    left = await gql.data(MARK_LEFT, {"id": member.id}, token=org.faculty.token)

    assert left["markPersonLeft"]["__typename"] == "MarkPersonLeftSuccess"
    assert left["markPersonLeft"]["person"]["status"] == "LEFT"
    assert await viewer_error(gql, session["accessToken"]) == "INVALID_TOKEN"
    assert await viewer_error(gql, member.token) == "INVALID_TOKEN"
    renamed = await gql.data(UPDATE_PROFILE, {"name": "Still here"}, token=member.token)
    expect_error(renamed["updateProfile"], "AuthenticationError", "INVALID_TOKEN")
    expect_error(
        await refresh(gql, session["refreshToken"]), "AuthenticationError", "INVALID_SESSION"
    )
    refused = await sign_in(gql, member.email)
    assert refused == await sign_in(gql, member.email, "not the password at all")
    assert refused == await sign_in(gql, "nobody@example.com")
    assert (await viewer_id(gql, org.faculty.token)) == org.faculty.id


async def test_an_ordinary_member_cannot_mark_someone_left(
    gql: GraphQL, org: Org, services: Services
) -> None:
    member = await org.add_member()
    target = await org.add_member()
    session = await sign_in(gql, target.email)
    before = await row_counts(services)

    denied = await gql.data(MARK_LEFT, {"id": target.id}, token=member.token)

    expect_error(denied["markPersonLeft"], "PermissionDeniedError", "NOT_ORG_FACULTY")
    assert await row_counts(services) == before
    assert await viewer_id(gql, target.token) == target.id
    assert (await refresh(gql, session["refreshToken"]))["__typename"] == "SessionSuccess"


async def test_faculty_cannot_mark_someone_in_another_organization_left(
    gql: GraphQL, org: Org, make_org: Callable[..., Awaitable[Org]], services: Services
) -> None:
    other = await make_org("Elsewhere")
    outsider = await other.add_member()
    before = await row_counts(services)

    refused = await gql.data(MARK_LEFT, {"id": outsider.id}, token=org.faculty.token)

    expect_error(refused["markPersonLeft"], "NotFoundError", "NOT_FOUND")
    assert await row_counts(services) == before
    assert await viewer_id(gql, outsider.token) == outsider.id
    assert (await sign_in(gql, outsider.email))["__typename"] == "SessionSuccess"


# --- anonymous callers -------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ viewer { id name email } }", "viewer"),
        (PEOPLE, "people"),
        ("{ teams(first: 10) { edges { node { id name } } } }", "teams"),
        ("{ knowledgeAreas(first: 10) { edges { node { id name } } } }", "knowledgeAreas"),
        (
            "query ($id: ID!) { node(id: $id) { id ... on Person { name email } } }",
            "node",
        ),
        (
            "query ($id: ID!) { nodes(ids: [$id]) { id ... on Person { name email } } }",
            "nodes",
        ),
    ],
)
async def test_anonymous_callers_see_nothing(
    gql: GraphQL,
    make_org: Callable[..., Awaitable[Org]],
    query: str,
    field: str,
) -> None:
    org = await make_org("Secretive")
    member = await org.add_member("Hidden Person")
    variables = {"id": member.id} if "$id" in query else None

    response = await gql.raw(query, variables)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None or body["data"] == {field: None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    for secret in ("Hidden Person", member.email, org.faculty.email, "Secretive Founder"):
        assert secret not in response.text
