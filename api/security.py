"""Password hashing (argon2id through pwdlib) and access tokens (JWT)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from domain.actors import Actor
from domain.errors import AuthenticationFailed


class Argon2PasswordHasher:
    """argon2id with pwdlib's recommended parameters."""

    def __init__(self) -> None:
        self._hash = PasswordHash((Argon2Hasher(),))
        self._dummy = self._hash.hash("an unknown account spends the same time")

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, password_hash: str) -> bool:
        return self._hash.verify(password, password_hash)

    def verify_dummy(self, password: str) -> None:
        self._hash.verify(password, self._dummy)


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime


class AccessTokens:
    """Short-lived HS256 tokens carrying who (sub) and which tenant (org)."""

    ALGORITHM = "HS256"

    def __init__(self, secret: str, *, issuer: str, lifetime: timedelta) -> None:
        self._secret = secret
        self._issuer = issuer
        self._lifetime = lifetime

    def issue(self, *, person_id: UUID, organization_id: UUID, now: datetime) -> AccessToken:
        expires_at = now + self._lifetime
        claims = {
            "sub": str(person_id),
            "org": str(organization_id),
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
                    "require": ["sub", "org", "exp", "iat", "iss"],
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
            return Actor(person_id=UUID(claims["sub"]), organization_id=UUID(claims["org"]))
        except (jwt.InvalidTokenError, ValueError, KeyError) as exc:
            raise AuthenticationFailed(
                "The access token is not valid.", code="INVALID_TOKEN"
            ) from exc
