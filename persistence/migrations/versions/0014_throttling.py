"""Throttling of sign-in, refresh, invitation acceptance and passwords.

- throttle_counters: one row per key of an attempt (sign-in per account and
  client address together, per account and per client address; refresh,
  invitation acceptance and password resets per client address; password
  changes per account; reset mails per email and per client address),
  found by scope and a keyed
  hash (checked to be a SHA-256 hex digest: no email or address is stored
  in the clear), with the failures since the last quiet window, the last
  failure, the block it caused, and for a sign-in's account and client the
  last success (the only scope a success may vouch for: check);
- a block follows a failure and ends at most 15 minutes after it (check),
  so nothing can lock anyone out for long; failures are never negative and
  have a last one (checks);
- `expires_at`, when the row says nothing any more (never before its block
  ends: check), indexed for the job pass that removes such rows.

Every attempt locks the rows of its keys (an upsert), so simultaneous
attempts in any number of server processes are counted one after the
other. Nothing to backfill: attempts before this revision were not counted.

Revision ID: 0014
Revises: 0013
Create Date: 2027-01-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "throttle_counters",
        sa.Column(
            "scope",
            sa.Enum(
                "SIGN_IN_ACCOUNT_CLIENT",
                "SIGN_IN_ACCOUNT",
                "SIGN_IN_CLIENT",
                "REFRESH_CLIENT",
                "INVITATION_CLIENT",
                "PASSWORD_CHANGE_ACCOUNT",
                "PASSWORD_RESET_CLIENT",
                "RESET_MAIL_EMAIL",
                "RESET_MAIL_CLIENT",
                name="scope",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("key_digest", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "key_digest ~ '^[0-9a-f]{64}$'", name=op.f("ck_throttle_counters_key_is_a_digest")
        ),
        sa.CheckConstraint(
            "failures >= 0", name=op.f("ck_throttle_counters_failures_not_negative")
        ),
        sa.CheckConstraint(
            "failures = 0 OR last_failure_at IS NOT NULL",
            name=op.f("ck_throttle_counters_failures_have_a_last_one"),
        ),
        sa.CheckConstraint(
            "blocked_until IS NULL OR (last_failure_at IS NOT NULL AND blocked_until > last_failure_at"
            " AND blocked_until <= last_failure_at + interval '900 seconds')",
            name=op.f("ck_throttle_counters_blocked_briefly_after_a_failure"),
        ),
        sa.CheckConstraint(
            "last_success_at IS NULL OR scope = 'SIGN_IN_ACCOUNT_CLIENT'",
            name=op.f("ck_throttle_counters_success_only_at_account_and_client"),
        ),
        sa.CheckConstraint(
            "expires_at >= coalesce(blocked_until, expires_at)",
            name=op.f("ck_throttle_counters_kept_while_blocked"),
        ),
        sa.PrimaryKeyConstraint("scope", "key_digest", name=op.f("pk_throttle_counters")),
    )
    op.create_index(
        "ix_throttle_counters_expires_at", "throttle_counters", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_throttle_counters_expires_at", table_name="throttle_counters")
    op.drop_table("throttle_counters")
