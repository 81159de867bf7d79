"""Checking a password cannot stall the server: verifications and hashes run
in a bounded pool of threads, off the event loop, and never while a
database connection is held. A stand-in for argon2 blocks until the test
lets it go, so "the server answered while N checks were in flight" is an
order of events, not a timing."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from api.app import create_app
from api.security import ThreadedPasswordHasher
from api.settings import Settings
from tests.api.harness import PASSWORD, GraphQL, create_org
from tests.api.test_auth import ACCEPT, INVITE, INVITEE, SIGN_IN
from tests.fakes import CapturingMailer, FakeClock

CONCURRENCY = 4
SIGN_INS = 12
CHANGE_PASSWORD = """
mutation ($current: String!, $new: String!) {
    changePassword(input: { currentPassword: $current, newPassword: $new }) {
        __typename ... on SessionSuccess { accessToken }
    }
}
"""
RESET_PASSWORD = """
mutation ($token: String!, $new: String!) {
    resetPassword(input: { token: $token, newPassword: $new }) {
        __typename ... on SessionSuccess { accessToken }
    }
}
"""
REQUEST_RESET = """
mutation ($email: String!) {
    requestPasswordReset(input: { email: $email }) { __typename }
}
"""


class GatedArgon2:
    """argon2 (pwdlib) that, while `gate` is closed, holds each call until it
    opens, and notes where and how each call ran."""

    def __init__(self) -> None:
        self._argon2 = PasswordHash((Argon2Hasher(),))
        self.gate = threading.Event()
        self.gate.set()
        self._lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.calls: list[tuple[str, str, int]] = []
        """(call, thread name, database connections checked out then)."""
        self.engine: Any = None

    def hash(self, password: str) -> str:
        with self._held("hash"):
            return self._argon2.hash(password)

    def verify(self, password: str, hash: str) -> bool:
        with self._held("verify"):
            return self._argon2.verify(password, hash)

    def _held(self, call: str) -> _Held:
        return _Held(self, call)


class _Held:
    def __init__(self, backend: GatedArgon2, call: str) -> None:
        self.backend = backend
        self.call = call

    def __enter__(self) -> None:
        backend = self.backend
        connections = backend.engine.pool.checkedout() if backend.engine is not None else 0
        with backend._lock:
            backend.in_flight += 1
            backend.most_in_flight = max(backend.most_in_flight, backend.in_flight)
            backend.calls.append((self.call, threading.current_thread().name, connections))
        # Never hang the run: a check on the event loop would block the
        # test forever; the timeout turns that into a failed assertion.
        backend.gate.wait(timeout=10)

    def __exit__(self, *exc: object) -> None:
        with self.backend._lock:
            self.backend.in_flight -= 1


@pytest.fixture
def backend() -> GatedArgon2:
    return GatedArgon2()


@pytest.fixture
async def gated_app(
    database_url: str, clock: FakeClock, mailer: CapturingMailer, backend: GatedArgon2
) -> AsyncIterator[FastAPI]:
    hasher = ThreadedPasswordHasher(backend, concurrency=CONCURRENCY)
    backend.calls.clear()  # the dummy hash made when the hasher was built
    app = create_app(
        Settings(database_url=database_url),
        migrate_on_start=False,
        run_jobs=False,
        clock=clock,
        mailer=mailer,
        hasher=hasher,
    )
    async with app.router.lifespan_context(app):
        backend.engine = app.state.engine
        yield app


@pytest.fixture
async def gated(gated_app: FastAPI) -> AsyncIterator[GraphQL]:
    transport = httpx.ASGITransport(app=gated_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://trellis.test") as client:
        yield GraphQL(client)


async def _until(condition: Any, what: str) -> None:
    for _ in range(3000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_the_server_answers_while_sign_ins_wait_for_their_password_check(
    gated_app: FastAPI, gated: GraphQL, backend: GatedArgon2, password_hash: str
) -> None:
    org = await create_org(gated_app.state.services, password_hash, "Busy")
    member = await org.add_member()
    backend.gate.clear()
    attempts = [
        asyncio.ensure_future(
            gated(SIGN_IN, {"email": email, "password": "not the password at all"})
        )
        for i in range(SIGN_INS)
        for email in [member.email if i % 2 else f"nobody{i}@example.com"]
    ]
    await _until(lambda: backend.in_flight == CONCURRENCY, "the pool is busy")

    health = await gated.client.get("/healthz")
    viewer = await gated.data("{ viewer { id } }", token=member.token)

    # Both answered while every pool thread still held a check and the
    # other sign-ins queued behind them.
    assert backend.in_flight == CONCURRENCY
    assert not any(attempt.done() for attempt in attempts)
    assert health.status_code == 200
    assert viewer == {"viewer": {"id": member.id}}
    backend.gate.set()
    answers = await asyncio.gather(*attempts)
    assert {a["data"]["signIn"]["code"] for a in answers} == {"INVALID_CREDENTIALS"}
    assert backend.most_in_flight == CONCURRENCY
    assert len(backend.calls) == SIGN_INS


async def test_passwords_are_checked_in_the_pool_holding_no_connection(
    gated_app: FastAPI, gated: GraphQL, backend: GatedArgon2, mailer: CapturingMailer
) -> None:
    """Every path that hashes or verifies: signing in (known and unknown
    email, right and wrong password), accepting an invitation, changing and
    resetting a password."""
    services = gated_app.state.services
    founder = await create_org(services, await services.hasher.hash(PASSWORD), "Careful")
    backend.calls.clear()
    invited = await gated.data(INVITE, INVITEE, token=founder.faculty.token)
    assert invited["invitePerson"]["__typename"] == "InvitePersonSuccess"
    new_password = "a perfectly long passphrase"

    await gated(ACCEPT, {"token": mailer.token_for(INVITEE["email"]), "password": new_password})
    await gated(SIGN_IN, {"email": INVITEE["email"], "password": "not the password at all"})
    await gated(SIGN_IN, {"email": "nobody@example.com", "password": new_password})
    signed_in = await gated.data(SIGN_IN, {"email": INVITEE["email"], "password": new_password})
    token = signed_in["signIn"]["accessToken"]
    changed = await gated.data(
        CHANGE_PASSWORD, {"current": new_password, "new": "yet another passphrase"}, token=token
    )
    assert changed["changePassword"]["__typename"] == "SessionSuccess"
    await gated(REQUEST_RESET, {"email": INVITEE["email"]})
    await services.background.drain()
    reset = await gated.data(
        RESET_PASSWORD,
        {"token": mailer.reset_token_for(INVITEE["email"]), "new": "the last passphrase"},
    )
    assert reset["resetPassword"]["__typename"] == "SessionSuccess"

    assert [call for call, _, _ in backend.calls] == [
        "hash",  # accepting
        "verify",  # a wrong password
        "verify",  # an unknown email (the dummy)
        "verify",  # the right password
        "verify",  # changing: the current one
        "hash",  # changing: the new one
        "hash",  # resetting
    ]
    assert {thread.split("_")[0] for _, thread, _ in backend.calls} == {"password-hashing"}
    assert [connections for _, _, connections in backend.calls] == [0] * len(backend.calls)
