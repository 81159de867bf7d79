"""Throttling of sign-in, refresh and invitation acceptance (domain.throttling),
driven through the public API as hostile clients would: from one address and
from many, at the same moment, through two server processes sharing the
database, with forged proxy headers. Time is the fake clock's; every client
has its own address (the ASGI connection's peer)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from api.app import create_app
from api.context import Services
from api.jobs import run_due_jobs
from api.security import ThreadedPasswordHasher
from api.settings import Settings
from domain.throttling import LIMITS, Scope, ThrottleKey
from tests.api.harness import PASSWORD, GraphQL, Org, count_statements
from tests.api.test_auth import NEW_PASSWORD, invite, parse_time
from tests.fakes import CapturingMailer, FakeClock

PAIR = LIMITS[Scope.SIGN_IN_ACCOUNT_CLIENT]
ACCOUNT = LIMITS[Scope.SIGN_IN_ACCOUNT]
ADDRESS = LIMITS[Scope.SIGN_IN_CLIENT]
REFRESH = LIMITS[Scope.REFRESH_CLIENT]
INVITATION = LIMITS[Scope.INVITATION_CLIENT]
PASSWORD_CHANGE = LIMITS[Scope.PASSWORD_CHANGE_ACCOUNT]
PASSWORD_RESET = LIMITS[Scope.PASSWORD_RESET_CLIENT]
RESET_MAIL = LIMITS[Scope.RESET_MAIL_EMAIL]

RESULT_FIELDS = """
    __typename
    ... on SessionSuccess { accessToken refreshToken viewer { id } }
    ... on Error { message code }
    ... on ValidationError { field }
    ... on TooManyAttemptsError { retryAt retryAfter }
"""
SIGN_IN = f"""
mutation ($email: String!, $password: String!) {{
    signIn(input: {{ email: $email, password: $password }}) {{ {RESULT_FIELDS} }}
}}
"""
REFRESH_SESSION = f"""
mutation ($token: String!) {{
    refreshSession(input: {{ refreshToken: $token }}) {{ {RESULT_FIELDS} }}
}}
"""
ACCEPT = f"""
mutation ($token: String!, $password: String!) {{
    acceptInvitation(input: {{ token: $token, password: $password }}) {{ {RESULT_FIELDS} }}
}}
"""
CHANGE_PASSWORD = f"""
mutation ($current: String!, $new: String!) {{
    changePassword(input: {{ currentPassword: $current, newPassword: $new }}) {{
        {RESULT_FIELDS}
    }}
}}
"""
RESET_PASSWORD = f"""
mutation ($token: String!, $password: String!) {{
    resetPassword(input: {{ token: $token, newPassword: $password }}) {{ {RESULT_FIELDS} }}
}}
"""
REQUEST_RESET = """
mutation ($email: String!) {
    requestPasswordReset(input: { email: $email }) {
        __typename
        ... on RequestPasswordResetSuccess { requested }
        ... on Error { message code }
        ... on TooManyAttemptsError { retryAt retryAfter }
    }
}
"""


class CountingHasher:
    """argon2id as the app's hasher (off the event loop), with cheap
    parameters, counting the password checks it runs: these tests count
    checks, they do not time them."""

    def __init__(self) -> None:
        cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
        self._hasher = ThreadedPasswordHasher(cheap)
        self.checks = 0
        self.broken = False

    async def hash(self, password: str) -> str:
        return await self._hasher.hash(password)

    async def verify(self, password: str, password_hash: str) -> bool:
        self.checks += 1
        if self.broken:
            raise RuntimeError("the hasher broke")
        return await self._hasher.verify(password, password_hash)

    async def verify_dummy(self, password: str) -> None:
        self.checks += 1
        await self._hasher.verify_dummy(password)


@asynccontextmanager
async def serving(
    settings: Settings, clock: FakeClock, mailer: CapturingMailer, hasher: CountingHasher
) -> AsyncIterator[FastAPI]:
    app = create_app(
        settings, migrate_on_start=False, run_jobs=False, clock=clock, mailer=mailer, hasher=hasher
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
def password_hash() -> str:
    """The members' password, hashed as cheaply as the hasher checks it."""
    return asyncio.run(CountingHasher().hash(PASSWORD))


@pytest.fixture
def counting() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
async def app(
    settings: Settings, clock: FakeClock, mailer: CapturingMailer, counting: CountingHasher
) -> AsyncIterator[FastAPI]:
    async with serving(settings, clock, mailer, counting) as app:
        yield app


@pytest.fixture
async def second_app(
    settings: Settings, clock: FakeClock, mailer: CapturingMailer, counting: CountingHasher
) -> AsyncIterator[FastAPI]:
    """Another server process on the same database (its own engine and pool)."""
    async with serving(settings, clock, mailer, counting) as app:
        yield app


class Client:
    """A client at one address (the connection's peer) of one app."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def _mutation(
        self, query: str, variables: dict[str, Any], headers: dict[str, str] | None
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        (payload,) = body["data"].values()
        return payload

    async def sign_in(
        self, email: str, password: str = PASSWORD, *, forwarded_for: str | None = None
    ) -> dict[str, Any]:
        headers = {"x-forwarded-for": forwarded_for} if forwarded_for else None
        return await self._mutation(SIGN_IN, {"email": email, "password": password}, headers)

    async def refresh(self, token: str) -> dict[str, Any]:
        return await self._mutation(REFRESH_SESSION, {"token": token}, None)

    async def accept(self, token: str, password: str = NEW_PASSWORD) -> dict[str, Any]:
        return await self._mutation(ACCEPT, {"token": token, "password": password}, None)

    async def change_password(self, access_token: str, current: str) -> dict[str, Any]:
        variables = {"current": current, "new": NEW_PASSWORD}
        headers = {"authorization": f"Bearer {access_token}"}
        return await self._mutation(CHANGE_PASSWORD, variables, headers)

    async def reset_password(self, token: str) -> dict[str, Any]:
        return await self._mutation(
            RESET_PASSWORD, {"token": token, "password": NEW_PASSWORD}, None
        )

    async def request_reset(self, email: str) -> dict[str, Any]:
        return await self._mutation(REQUEST_RESET, {"email": email}, None)


Connect = Callable[..., Client]


@pytest.fixture
async def at(app: FastAPI) -> AsyncIterator[Connect]:
    """`at(address)`: a client connecting from that address (to `on`, the
    app by default)."""
    opened: list[httpx.AsyncClient] = []

    def connect(address: str, *, on: FastAPI | None = None) -> Client:
        transport = httpx.ASGITransport(app=on or app, client=(address, 50123))
        http = httpx.AsyncClient(transport=transport, base_url="http://trellis.test")
        opened.append(http)
        return Client(http)

    yield connect
    for http in opened:
        await http.aclose()


def expect_too_many(payload: dict[str, Any], clock: FakeClock, seconds: int) -> None:
    assert payload["__typename"] == "TooManyAttemptsError", payload
    assert payload["code"] == "TOO_MANY_ATTEMPTS"
    assert payload["message"]
    assert payload["retryAfter"] == seconds
    assert parse_time(payload["retryAt"]) == clock.now() + timedelta(seconds=seconds)
    assert "accessToken" not in payload


def code(payload: dict[str, Any]) -> str:
    return "SUCCESS" if payload["__typename"] == "SessionSuccess" else payload["code"]


def wait_until_retry(payload: dict[str, Any], clock: FakeClock) -> None:
    clock.current = parse_time(payload["retryAt"])


async def failures(services: Services, key: ThrottleKey) -> int:
    async with services.session_factory() as session:
        counted = await session.scalar(
            sa.text(
                "SELECT failures FROM throttle_counters WHERE scope = :scope AND key_digest = :key"
            ),
            {"scope": key.scope.value, "key": key.digest},
        )
    return counted or 0


# --- one address, one account ---------------------------------------------------


async def test_two_hundred_wrong_passwords_then_the_right_one_waits_for_the_cool_down(
    at: Connect, org: Org, clock: FakeClock, counting: CountingHasher
) -> None:
    member = await org.add_member()
    attacker = at("198.51.100.7")

    codes = [code(await attacker.sign_in(member.email, f"guess {n}")) for n in range(200)]

    checked = PAIR.free + 1  # the last one checked is the one that blocks
    assert codes == ["INVALID_CREDENTIALS"] * checked + ["TOO_MANY_ATTEMPTS"] * (200 - checked)
    assert counting.checks == checked
    refused = await attacker.sign_in(member.email, PASSWORD)
    expect_too_many(refused, clock, 1)
    assert counting.checks == checked, "a refused attempt checks no password"
    wait_until_retry(refused, clock)
    assert code(await attacker.sign_in(member.email, PASSWORD)) == "SUCCESS"


async def test_delays_double_up_to_the_cap_for_an_attacker_who_waits_them_out(
    at: Connect, org: Org, clock: FakeClock, counting: CountingHasher
) -> None:
    member = await org.add_member()
    attacker = at("198.51.100.8")
    delays: list[int] = []
    wrong = 0
    while wrong < 20:
        payload = await attacker.sign_in(member.email, "guess")
        if code(payload) == "TOO_MANY_ATTEMPTS":
            delays.append(payload["retryAfter"])
            wait_until_retry(payload, clock)
        else:
            assert code(payload) == "INVALID_CREDENTIALS"
            wrong += 1

    assert delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]
    assert counting.checks == 20
    refused = await attacker.sign_in(member.email, PASSWORD)
    expect_too_many(refused, clock, 900)
    wait_until_retry(refused, clock)
    assert code(await attacker.sign_in(member.email, PASSWORD)) == "SUCCESS"


async def test_a_success_forgives_the_failures_of_its_client(
    at: Connect, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member()
    owner = at("192.0.2.1")
    for _ in range(PAIR.free):
        assert code(await owner.sign_in(member.email, "a typo")) == "INVALID_CREDENTIALS"
    assert code(await owner.sign_in(member.email)) == "SUCCESS"

    codes = [code(await owner.sign_in(member.email, "a typo")) for _ in range(PAIR.free + 1)]

    assert codes == ["INVALID_CREDENTIALS"] * (PAIR.free + 1)
    expect_too_many(await owner.sign_in(member.email), clock, 1)


async def test_unknown_emails_are_throttled_exactly_like_accounts(
    at: Connect, org: Org, clock: FakeClock
) -> None:
    """Nothing in a refusal (when, how long, what it says) tells whether the
    account exists."""
    member = await org.add_member()

    async def hammer(client: Client, email: str) -> list[dict[str, Any]]:
        answers = []
        for _ in range(PAIR.free + 3):
            payload = await client.sign_in(email, "guess")
            answers.append({k: v for k, v in payload.items() if k != "retryAt"})
        return answers

    known = await hammer(at("198.51.100.9"), member.email)
    unknown = await hammer(at("198.51.100.10"), "nobody@example.com")
    malformed = await hammer(at("198.51.100.11"), "not an email")

    assert known == unknown == malformed
    assert [a["code"] for a in known][-2:] == ["TOO_MANY_ATTEMPTS"] * 2


# --- many addresses, many accounts ----------------------------------------------


async def test_one_address_trying_many_accounts_is_slowed_down_and_no_other(
    at: Connect, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member()
    office = at("203.0.113.50")
    assert code(await office.sign_in(member.email)) == "SUCCESS"

    sprayed = [
        code(await office.sign_in(f"victim{n}@example.com", "Summer2026!"))
        for n in range(ADDRESS.free + 1)
    ]

    assert sprayed == ["INVALID_CREDENTIALS"] * (ADDRESS.free + 1)
    expect_too_many(await office.sign_in("another@example.com", "Summer2026!"), clock, 1)
    elsewhere = await at("203.0.113.51").sign_in("another@example.com", "Summer2026!")
    assert code(elsewhere) == "INVALID_CREDENTIALS"
    # Someone who signed in from this address before is not held up by it.
    assert code(await office.sign_in(member.email)) == "SUCCESS"


async def test_an_attack_from_many_addresses_does_not_lock_the_owner_out(
    at: Connect, org: Org, clock: FakeClock
) -> None:
    owner = await org.add_member()
    home = at("192.0.2.10")
    assert code(await home.sign_in(owner.email)) == "SUCCESS"
    botnet = (at(f"198.51.100.{n}") for n in range(1, 250))
    for _ in range(ACCOUNT.free + 1):
        assert code(await next(botnet).sign_in(owner.email, "guess")) == "INVALID_CREDENTIALS"

    # The account is blocked for every address it was not signed in from...
    expect_too_many(await next(botnet).sign_in(owner.email, "guess"), clock, 1)
    # ...but not for its owner at home, and the owner's success unblocks
    # nothing for the attacker.
    assert code(await home.sign_in(owner.email)) == "SUCCESS"
    expect_too_many(await next(botnet).sign_in(owner.email, "guess"), clock, 1)

    # However long the attack goes on, a block lasts at most the account's cap.
    longest = 0
    for _ in range(15):
        refused = await next(botnet).sign_in(owner.email, "guess")
        assert code(refused) == "TOO_MANY_ATTEMPTS"
        longest = max(longest, refused["retryAfter"])
        wait_until_retry(refused, clock)
        assert code(await next(botnet).sign_in(owner.email, "guess")) == "INVALID_CREDENTIALS"
    assert longest == ACCOUNT.cap.total_seconds() == 300
    assert code(await home.sign_in(owner.email)) == "SUCCESS"

    # The owner on the road waits for one cool-down at most.
    travelling = at("192.0.2.99")
    refused = await travelling.sign_in(owner.email)
    assert code(refused) == "TOO_MANY_ATTEMPTS"
    assert refused["retryAfter"] <= ACCOUNT.cap.total_seconds()
    wait_until_retry(refused, clock)
    assert code(await travelling.sign_in(owner.email)) == "SUCCESS"


async def test_an_attacker_at_the_owners_address_blocks_it_only_until_the_cool_down(
    at: Connect, org: Org, clock: FakeClock
) -> None:
    """Sharing the owner's address (an office behind one NAT), an attacker
    meets the strict per-account-and-address limit, which also holds the
    owner there; the right password works again after the cool-down."""
    owner = await org.add_member()
    office = at("192.0.2.20")
    assert code(await office.sign_in(owner.email)) == "SUCCESS"
    for _ in range(PAIR.free + 1):
        assert code(await office.sign_in(owner.email, "guess")) == "INVALID_CREDENTIALS"

    refused = await office.sign_in(owner.email)

    expect_too_many(refused, clock, 1)
    wait_until_retry(refused, clock)
    assert code(await office.sign_in(owner.email)) == "SUCCESS"


# --- at the same moment, and across processes --------------------------------------


async def test_twenty_simultaneous_guesses_check_only_the_passwords_allowed(
    at: Connect, org: Org, services: Services, counting: CountingHasher
) -> None:
    member = await org.add_member()
    attacker = at("198.51.100.20")

    answers = await asyncio.gather(
        *(attacker.sign_in(member.email, f"guess {n}") for n in range(20))
    )

    allowed = PAIR.free + 1
    assert Counter(map(code, answers)) == {
        "INVALID_CREDENTIALS": allowed,
        "TOO_MANY_ATTEMPTS": 20 - allowed,
    }
    assert counting.checks == allowed
    attempt = services.attempt_keys.sign_in(member.email, "198.51.100.20")
    assert await failures(services, attempt.keys[0]) == allowed


async def test_twenty_simultaneous_guesses_from_twenty_addresses_count_on_the_account(
    at: Connect, org: Org, services: Services, counting: CountingHasher
) -> None:
    member = await org.add_member()

    answers = await asyncio.gather(
        *(at(f"198.51.100.{n}").sign_in(member.email, "guess") for n in range(100, 120))
    )

    allowed = ACCOUNT.free + 1
    assert Counter(map(code, answers)) == {
        "INVALID_CREDENTIALS": allowed,
        "TOO_MANY_ATTEMPTS": 20 - allowed,
    }
    assert counting.checks == allowed
    account_key = services.attempt_keys.sign_in(member.email, "any").keys[1]
    assert account_key.scope is Scope.SIGN_IN_ACCOUNT
    assert await failures(services, account_key) == allowed


async def test_twenty_simultaneous_failures_of_one_address_count_twenty(
    at: Connect, services: Services, counting: CountingHasher
) -> None:
    sprayer = at("198.51.100.21")

    answers = await asyncio.gather(
        *(sprayer.sign_in(f"victim{n}@example.com", "guess") for n in range(20))
    )

    assert Counter(map(code, answers)) == {"INVALID_CREDENTIALS": 20}
    assert counting.checks == 20
    address_key = services.attempt_keys.sign_in("any", "198.51.100.21").keys[2]
    assert address_key.scope is Scope.SIGN_IN_CLIENT
    assert await failures(services, address_key) == 20


async def test_two_server_processes_share_the_count(
    at: Connect, second_app: FastAPI, org: Org, clock: FakeClock, counting: CountingHasher
) -> None:
    member = await org.add_member()
    first, second = at("198.51.100.30"), at("198.51.100.30", on=second_app)
    for n in range(PAIR.free + 1):
        through = first if n % 2 else second
        assert code(await through.sign_in(member.email, "guess")) == "INVALID_CREDENTIALS"

    expect_too_many(await first.sign_in(member.email), clock, 1)
    expect_too_many(await second.sign_in(member.email), clock, 1)

    other = await org.add_member()
    answers = await asyncio.gather(
        *((first if n % 2 else second).sign_in(other.email, f"guess {n}") for n in range(20))
    )
    allowed = PAIR.free + 1
    assert Counter(map(code, answers))["INVALID_CREDENTIALS"] == allowed
    assert counting.checks == 2 * allowed


# --- refreshing and accepting invitations ----------------------------------------


async def test_a_flood_of_bad_refresh_tokens_is_throttled_per_address(
    at: Connect, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member()
    phone = at("198.51.100.40")
    session = await phone.sign_in(member.email)
    for n in range(REFRESH.free + 1):
        assert code(await phone.refresh(f"not a token {n}")) == "INVALID_SESSION"

    refused = await phone.refresh(session["refreshToken"])

    expect_too_many(refused, clock, 1)
    assert code(await at("198.51.100.41").refresh("not a token")) == "INVALID_SESSION"
    wait_until_retry(refused, clock)
    assert code(await phone.refresh(session["refreshToken"])) == "SUCCESS"


async def test_refreshing_often_is_never_throttled(at: Connect, org: Org, clock: FakeClock) -> None:
    member = await org.add_member()
    phone = at("198.51.100.42")
    token = (await phone.sign_in(member.email))["refreshToken"]

    for _ in range(REFRESH.free + 10):
        clock.advance(timedelta(minutes=1))
        session = await phone.refresh(token)
        assert code(session) == "SUCCESS"
        token = session["refreshToken"]


async def test_guessing_invitation_tokens_is_throttled_per_address(
    at: Connect, org: Org, clock: FakeClock, mailer: CapturingMailer, gql: GraphQL
) -> None:
    await invite(gql, org.faculty.token)
    token = mailer.token_for("ada@example.com")
    guesser = at("198.51.100.50")
    for n in range(INVITATION.free + 1):
        assert code(await guesser.accept(f"guess {n}")) == "INVALID_INVITATION"

    refused = await guesser.accept(token)

    expect_too_many(refused, clock, 1)
    assert code(await at("198.51.100.51").accept("guess")) == "INVALID_INVITATION"
    wait_until_retry(refused, clock)
    assert code(await guesser.accept(token)) == "SUCCESS"


async def test_a_weak_new_password_is_not_a_failed_attempt(
    at: Connect, org: Org, mailer: CapturingMailer, gql: GraphQL
) -> None:
    await invite(gql, org.faculty.token)
    token = mailer.token_for("ada@example.com")
    invitee = at("198.51.100.52")

    weak = [code(await invitee.accept(token, "short")) for _ in range(INVITATION.free + 5)]

    assert weak == ["WEAK_PASSWORD"] * (INVITATION.free + 5)
    assert code(await invitee.accept(token)) == "SUCCESS"


async def test_an_attempt_that_breaks_is_not_counted_as_a_failure(
    at: Connect, org: Org, counting: CountingHasher
) -> None:
    """A sign-in that fails for something else than its password (a bug, the
    database away) gives its reservation back: retrying is what the client
    is then told to do, and must not lock anyone out."""
    member = await org.add_member()
    client = at("198.51.100.80")
    counting.broken = True
    for _ in range(PAIR.free + 2):
        response = await client.http.post(
            "/graphql",
            json={"query": SIGN_IN, "variables": {"email": member.email, "password": PASSWORD}},
        )
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["INTERNAL"]
    counting.broken = False

    assert code(await client.sign_in(member.email)) == "SUCCESS"


# --- passwords -------------------------------------------------------------------


async def test_guessing_the_current_password_of_a_signed_in_device_is_throttled(
    at: Connect, org: Org, clock: FakeClock
) -> None:
    """Someone holding a signed-in phone guesses its owner's password to
    change it; the owner, elsewhere, waits out the same cool-down only."""
    member = await org.add_member()
    thief, owner = at("198.51.100.60"), at("198.51.100.61")
    held = (await thief.sign_in(member.email))["accessToken"]
    for n in range(PASSWORD_CHANGE.free + 1):
        assert code(await thief.change_password(held, f"guess {n}")) == "WRONG_PASSWORD"

    refused = await thief.change_password(held, PASSWORD)

    expect_too_many(refused, clock, 1)
    own = (await owner.sign_in(member.email))["accessToken"]
    expect_too_many(await owner.change_password(own, PASSWORD), clock, 1)
    wait_until_retry(refused, clock)
    assert code(await owner.change_password(own, PASSWORD)) == "SUCCESS"


async def test_guessing_reset_tokens_is_throttled_per_address(
    at: Connect, org: Org, clock: FakeClock, mailer: CapturingMailer, services: Services
) -> None:
    member = await org.add_member()
    guesser = at("198.51.100.62")
    assert (await guesser.request_reset(member.email))["requested"] is True
    await services.background.drain()
    token = mailer.reset_token_for(member.email)
    for n in range(PASSWORD_RESET.free + 1):
        assert code(await guesser.reset_password(f"guess {n}")) == "INVALID_RESET_TOKEN"

    refused = await guesser.reset_password(token)

    expect_too_many(refused, clock, 1)
    assert code(await at("198.51.100.63").reset_password("guess")) == "INVALID_RESET_TOKEN"
    wait_until_retry(refused, clock)
    assert code(await guesser.reset_password(token)) == "SUCCESS"


async def test_reset_mails_to_one_inbox_slow_down_whatever_the_address(
    at: Connect, org: Org, clock: FakeClock, mailer: CapturingMailer, services: Services
) -> None:
    """Every request counts, for an account and for nobody's email alike."""
    member = await org.add_member()
    for email in (member.email, "nobody@example.com"):
        answers = [
            await at(f"198.51.100.{70 + n}").request_reset(email)
            for n in range(RESET_MAIL.free + 1)
        ]
        assert [a["__typename"] for a in answers] == ["RequestPasswordResetSuccess"] * len(answers)

        refused = await at("198.51.100.99").request_reset(email)

        expect_too_many(refused, clock, 1)
    await services.background.drain()
    assert (
        len([m for m in mailer.password_resets if m.email == member.email]) == RESET_MAIL.free + 1
    )
    wait_until_retry(refused, clock)
    assert (await at("198.51.100.99").request_reset(member.email))["requested"] is True


# --- who the client is ------------------------------------------------------------


async def test_a_forwarded_for_header_is_ignored_without_trusted_proxies(
    at: Connect, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member()
    attacker = at("198.51.100.60")
    for n in range(PAIR.free + 1):
        answer = await attacker.sign_in(member.email, "guess", forwarded_for=f"203.0.113.{n}")
        assert code(answer) == "INVALID_CREDENTIALS"

    expect_too_many(await attacker.sign_in(member.email, forwarded_for="203.0.113.99"), clock, 1)
    expect_too_many(await attacker.sign_in(member.email), clock, 1)


@pytest.fixture
async def proxied_app(
    database_url: str, clock: FakeClock, mailer: CapturingMailer, counting: CountingHasher
) -> AsyncIterator[FastAPI]:
    settings = Settings(database_url=database_url, trusted_proxies="10.0.0.0/8, 2001:db8::1")
    async with serving(settings, clock, mailer, counting) as app:
        yield app


async def test_behind_trusted_proxies_the_client_is_the_last_address_they_did_not_add(
    at: Connect, proxied_app: FastAPI, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member()
    proxy = at("10.0.0.2", on=proxied_app)
    for _ in range(PAIR.free + 1):
        answer = await proxy.sign_in(member.email, "guess", forwarded_for="198.51.100.1")
        assert code(answer) == "INVALID_CREDENTIALS"

    # Another client behind the same proxy is not held up...
    other = await proxy.sign_in(member.email, "guess", forwarded_for="198.51.100.2")
    assert code(other) == "INVALID_CREDENTIALS"
    # ...and the blocked one cannot get out by forging addresses in front of
    # the one the proxy added, while proxies' own hops are skipped.
    for chain in ("198.51.100.1", "192.0.2.66, 198.51.100.1", "198.51.100.1, 10.0.0.9"):
        expect_too_many(await proxy.sign_in(member.email, forwarded_for=chain), clock, 1)


async def test_behind_trusted_proxies_other_peers_cannot_name_a_client(
    at: Connect, proxied_app: FastAPI, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member()
    direct = at("203.0.113.9", on=proxied_app)
    for n in range(PAIR.free + 1):
        answer = await direct.sign_in(member.email, "guess", forwarded_for=f"198.51.100.{n}")
        assert code(answer) == "INVALID_CREDENTIALS"

    expect_too_many(await direct.sign_in(member.email, forwarded_for="198.51.100.99"), clock, 1)


async def test_an_ipv6_client_is_one_client_across_its_network(
    at: Connect, org: Org, clock: FakeClock
) -> None:
    member = await org.add_member()
    for n in range(PAIR.free + 1):
        answer = await at(f"2001:db8:1:2::{n + 1:x}").sign_in(member.email, "guess")
        assert code(answer) == "INVALID_CREDENTIALS"

    expect_too_many(await at("2001:db8:1:2:ffff::1").sign_in(member.email), clock, 1)
    assert code(await at("2001:db8:1:3::1").sign_in(member.email)) == "SUCCESS"


# --- keeping the table small -------------------------------------------------------


async def test_the_job_pass_removes_counters_that_say_nothing_any_more(
    at: Connect, org: Org, clock: FakeClock, services: Services
) -> None:
    member = await org.add_member()
    home = at("192.0.2.30")
    assert code(await home.sign_in(member.email)) == "SUCCESS"
    for n in range(3):
        await at(f"198.51.100.{n + 70}").sign_in(member.email, "guess")

    async def scopes() -> list[str]:
        async with services.session_factory() as session:
            rows = await session.scalars(
                sa.text("SELECT scope FROM throttle_counters ORDER BY scope")
            )
            return list(rows)

    clock.advance(timedelta(minutes=30))
    await run_due_jobs(services)
    assert "SIGN_IN_ACCOUNT" in await scopes()

    clock.advance(PAIR.window)
    await run_due_jobs(services)
    assert await scopes() == ["SIGN_IN_ACCOUNT_CLIENT"], "the known-good client is remembered"
    assert code(await home.sign_in(member.email)) == "SUCCESS"

    clock.advance(timedelta(days=91))
    await run_due_jobs(services)
    assert await scopes() == []


# --- what it costs --------------------------------------------------------------

# Pinned: statements on throttle_counters per attempt. Letting an attempt
# through is a lock (one upsert for all its keys) and a save (one upsert);
# settling a success or a not-judged attempt is the same again; a failure
# needs nothing more; a refused attempt only the lock.
THROTTLE_STATEMENTS = {"success": 4, "failure": 2, "refused": 1, "refresh": 4}


async def test_the_throttle_costs_a_few_statements_per_attempt(
    at: Connect, org: Org, app: FastAPI
) -> None:
    member = await org.add_member()
    client = at("192.0.2.80")
    session = await client.sign_in(member.email)

    async def throttle_statements(attempt: Awaitable[dict[str, Any]]) -> int:
        with count_statements(app.state.engine) as counter:
            await attempt
        return sum("throttle_counters" in statement for statement in counter.statements)

    measured = {
        "success": await throttle_statements(client.sign_in(member.email)),
        "refresh": await throttle_statements(client.refresh(session["refreshToken"])),
        "failure": await throttle_statements(client.sign_in(member.email, "guess")),
    }
    for _ in range(PAIR.free):
        await client.sign_in(member.email, "guess")
    measured["refused"] = await throttle_statements(client.sign_in(member.email))

    assert measured == THROTTLE_STATEMENTS
