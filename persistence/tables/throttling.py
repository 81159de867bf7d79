"""Throttle counters (domain.throttling): one row per key, found by its
scope and keyed hash, never by an email or address in the clear.

The checks hold what the domain relies on: failures are counted from a
last failure, a key is blocked only after a failure and never for longer
than the longest delay (so no bug or tampering locks anyone out for long),
only a client's success at an account vouches for it, and a row is never
removed while it still blocks (the job pass removes rows past
`expires_at`)."""

from __future__ import annotations

import sqlalchemy as sa

from domain.throttling import LONGEST_DELAY, Scope
from persistence.tables.base import enum_column, metadata, timestamp

LONGEST_BLOCK = f"interval '{int(LONGEST_DELAY.total_seconds())} seconds'"

throttle_counters = sa.Table(
    "throttle_counters",
    metadata,
    enum_column("scope", Scope),
    sa.Column("key_digest", sa.Text, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
    timestamp("last_failure_at", nullable=True),
    timestamp("blocked_until", nullable=True),
    timestamp("last_success_at", nullable=True),
    timestamp("expires_at"),
    sa.PrimaryKeyConstraint("scope", "key_digest"),
    sa.CheckConstraint("key_digest ~ '^[0-9a-f]{64}$'", name="key_is_a_digest"),
    sa.CheckConstraint("failures >= 0", name="failures_not_negative"),
    sa.CheckConstraint(
        "failures = 0 OR last_failure_at IS NOT NULL", name="failures_have_a_last_one"
    ),
    sa.CheckConstraint(
        "blocked_until IS NULL OR (last_failure_at IS NOT NULL AND blocked_until > last_failure_at"
        f" AND blocked_until <= last_failure_at + {LONGEST_BLOCK})",
        name="blocked_briefly_after_a_failure",
    ),
    sa.CheckConstraint(
        "last_success_at IS NULL OR scope = 'SIGN_IN_ACCOUNT_CLIENT'",
        name="success_only_at_account_and_client",
    ),
    sa.CheckConstraint(
        "expires_at >= coalesce(blocked_until, expires_at)", name="kept_while_blocked"
    ),
)
# The job pass removes the rows that say nothing any more.
sa.Index("ix_throttle_counters_expires_at", throttle_counters.c.expires_at)
