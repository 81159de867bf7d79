"""Password hashing (argon2id through pwdlib) and access tokens (JWT)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar
from uuid import UUID

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from domain.actors import Actor
from domain.errors import AuthenticationFailed

T = TypeVar("T")


class BlockingHasher(Protocol):
    """A hashing library's synchronous interface (pwdlib's `PasswordHash`)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password: str, hash: str) -> bool: ...


class ThreadedPasswordHasher:
    """Hashes and verifies in a pool of `concurrency` threads, never on the
    event loop: one argon2 verification is ~50 ms of CPU, and a dozen of them
    on the loop stalled every other request for seconds. argon2 releases the
    GIL, so the threads use the cores; more than the cores would only make
    each sign-in slower and hold more memory (64 MiB per argon2 hash), so
    further work waits in the pool's queue."""

    def __init__(self, backend: BlockingHasher, *, concurrency: int | None = None) -> None:
        self._backend = backend
        self._pool = ThreadPoolExecutor(
            max_workers=concurrency or os.cpu_count() or 1, thread_name_prefix="password-hashing"
        )
        self._dummy = backend.hash("an unknown account spends the same time")

    async def hash(self, password: str) -> str:
        return await self._off_loop(self._backend.hash, password)

    async def verify(self, password: str, password_hash: str) -> bool:
        return await self._off_loop(self._backend.verify, password, password_hash)

    async def verify_dummy(self, password: str) -> None:
        await self._off_loop(self._backend.verify, password, self._dummy)

    async def _off_loop(self, work: Callable[..., T], *args: str) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)


def argon2_hasher(*, concurrency: int | None = None) -> ThreadedPasswordHasher:
    """argon2id with pwdlib's recommended parameters."""
    return ThreadedPasswordHasher(PasswordHash((Argon2Hasher(),)), concurrency=concurrency)


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime


class AccessTokens:
    """Short-lived HS256 tokens carrying who (sub), which tenant (org) and
    which session (sid): every request checks the session is still live."""

    ALGORITHM = "HS256"

    def __init__(self, secret: str, *, issuer: str, lifetime: timedelta) -> None:
        self._secret = secret
        self._issuer = issuer
        self._lifetime = lifetime

    def issue(
        self, *, person_id: UUID, organization_id: UUID, session_id: UUID, now: datetime
    ) -> AccessToken:
        expires_at = now + self._lifetime
        claims = {
            "sub": str(person_id),
            "org": str(organization_id),
            "sid": str(session_id),
            "iss": self._issuer,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "typ": "access",
        }
        return AccessToken(jwt.encode(claims, self._secret, algorithm=self.ALGORITHM), expires_at)

    def verify(self, token: str, *, now: datetime) -> Actor:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self.ALGORITHM],
                issuer=self._issuer,
                # Time claims are checked against the injected clock below, not
                # the wall clock PyJWT would use.
                options={
                    # A token without its session (from before sessions
                    # existed) could not be ended: refused.
                    "require": ["sub", "org", "sid", "exp", "iat", "iss"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
            if claims.get("typ") != "access":
                raise ValueError("not an access token")
            if int(claims["iat"]) > now.timestamp():
                raise ValueError("issued in the future")
            if int(claims["exp"]) <= now.timestamp():
                raise AuthenticationFailed("The access token has expired.", code="TOKEN_EXPIRED")
            return Actor(
                person_id=UUID(claims["sub"]),
                organization_id=UUID(claims["org"]),
                session_id=UUID(claims["sid"]),
            )
        except (jwt.InvalidTokenError, ValueError, KeyError) as exc:
            raise AuthenticationFailed(
                "The access token is not valid.", code="INVALID_TOKEN"
            ) from exc
