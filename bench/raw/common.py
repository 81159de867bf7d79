"""What every raw handler shares: the token check Trellis does (HS256,
issuer, expiry, session id) and SQL fragments for the viewer's statement
(with a live session) and for timestamps printed as Trellis
prints them (Python's isoformat in UTC)."""

from __future__ import annotations

import time
from uuid import UUID

import jwt

ISSUER = "trellis"


class Unauthorized(Exception):
    """The token does not hold, or the viewer or session does not."""


def actor(authorization: str | None, secret: str) -> tuple[UUID, UUID, UUID]:
    """(organization, person, session) of a valid access token."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized
    try:
        claims = jwt.decode(
            authorization[7:],
            secret,
            algorithms=["HS256"],
            issuer=ISSUER,
            options={
                "require": ["sub", "org", "sid", "exp", "iat", "iss"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
        now = time.time()
        if claims.get("typ") != "access" or int(claims["iat"]) > now:
            raise Unauthorized
        if int(claims["exp"]) <= now:
            raise Unauthorized
        return UUID(claims["org"]), UUID(claims["sub"]), UUID(claims["sid"])
    except (jwt.InvalidTokenError, ValueError, KeyError) as exc:
        raise Unauthorized from exc


VIEWER = """
viewer AS (
  SELECT p.id, p.name FROM people p
  WHERE p.organization_id = $1 AND p.id = $2
    AND EXISTS (
      SELECT 1 FROM sessions s JOIN accounts a ON a.id = s.account_id
      WHERE s.id = $3 AND s.ended_at IS NULL AND a.person_id = p.id
    )
)"""
"""The viewer's statement: the person the token names, whose
session is live (persistence.reads.people.viewer), as a CTE every raw
statement starts with; no row means 401."""


def iso(column: str) -> str:
    """A timestamptz as Python's isoformat of the UTC datetime asyncpg gives
    Trellis (microseconds only when there are some)."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL"
        f" WHEN extract(microseconds FROM {column})::bigint % 1000000 = 0"
        f' THEN to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\')'
        f' ELSE to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\') END'
    )


def member(person: str) -> str:
    return f"EXISTS (SELECT 1 FROM people m WHERE m.id = {person} AND m.status = 'ACTIVE')"


def reaches(share: str, viewer: str = "$2") -> str:
    """persistence.reads.shares.reaches, for a share row aliased `share`."""
    return (
        f"({share}.person_id = {viewer} AND {member(viewer)} AND {member(share + '.owner_id')}"
        f" AND ({share}.relationship_id IS NULL OR EXISTS (SELECT 1 FROM relationships sr"
        f" WHERE sr.id = {share}.relationship_id AND sr.status = 'ACTIVE')))"
    )


def goal_visible(goal: str, viewer: str = "$2") -> str:
    """persistence.reads.goals.visible_to, for a goal row aliased `goal`."""
    return (
        f"({goal}.owner_id = {viewer} OR EXISTS (SELECT 1 FROM goal_shares gs"
        f" WHERE gs.goal_id = {goal}.id AND gs.revoked_at IS NULL AND"
        f" ((gs.audience = 'ORGANIZATION' AND {member('gs.owner_id')}) OR {reaches('gs', viewer)})))"
    )
