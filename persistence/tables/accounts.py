"""Accounts, their sessions and refresh tokens, invitations and password
resets. See `domain.accounts` for the rules, and migration 0016 for the
triggers that keep an ended session ended and a closed reset closed, and
refuse a refresh token of an ended session."""

from __future__ import annotations

import sqlalchemy as sa

from domain.accounts import ResetClose, SessionEnd
from persistence.tables.base import (
    enum_column,
    id_column,
    metadata,
    organization_column,
    same_organization_fk,
    timestamp,
    uuid_column,
)

accounts = sa.Table(
    "accounts",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("person_id"),
    # Sign-in happens before the organization is known, so an email is unique
    # across all organizations.
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    timestamp("created_at"),
    timestamp("last_sign_in_at", nullable=True),
    # Counts the account's passwords; live sessions and open resets carry
    # the version they were made under (the foreign keys below).
    sa.Column("password_version", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("person_id"),
    sa.UniqueConstraint("id", "password_version"),
    same_organization_fk("person_id", "people"),
    sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
    sa.CheckConstraint("shows_as_written(email)", name="email_shows_as_written"),
    sa.CheckConstraint("password_version >= 1", name="password_version_positive"),
)


def _of_current_password() -> sa.ForeignKeyConstraint:
    """A live session or an open reset belongs to the account's current
    password: changing it is refused while one of the old version is live,
    and one cannot be made for a version that is gone. Checked at commit,
    so a change may end the old ones and start a new one in any order."""
    return sa.ForeignKeyConstraint(
        ["account_id", "password_version"],
        ["accounts.id", "accounts.password_version"],
        deferrable=True,
        initially="DEFERRED",
    )


sessions = sa.Table(
    "sessions",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("account_id"),
    timestamp("started_at"),
    # Set while live, NULL once ended (the constraint below).
    sa.Column("password_version", sa.Integer, nullable=True),
    timestamp("ended_at", nullable=True),
    enum_column("end_reason", SessionEnd, nullable=True),
    sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
    _of_current_password(),
    sa.CheckConstraint(
        "(ended_at IS NULL) = (password_version IS NOT NULL)"
        " AND (ended_at IS NULL) = (end_reason IS NULL)",
        name="live_iff_not_ended",
    ),
)
sa.Index(
    "ix_sessions_live_account_id",
    sessions.c.account_id,
    postgresql_where=sessions.c.ended_at.is_(None),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("account_id"),
    uuid_column("session_id"),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    timestamp("issued_at"),
    timestamp("expires_at"),
    timestamp("revoked_at", nullable=True),
    uuid_column("replaced_by_id", nullable=True),
    sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
)
sa.Index("ix_refresh_tokens_session_id", refresh_tokens.c.session_id)
sa.Index("ix_refresh_tokens_account_id", refresh_tokens.c.account_id)

password_resets = sa.Table(
    "password_resets",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("account_id"),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    timestamp("requested_at"),
    timestamp("expires_at"),
    # Set while open, NULL once closed (the constraint below).
    sa.Column("password_version", sa.Integer, nullable=True),
    timestamp("closed_at", nullable=True),
    enum_column("close_reason", ResetClose, nullable=True),
    sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
    _of_current_password(),
    sa.CheckConstraint(
        "(closed_at IS NULL) = (password_version IS NOT NULL)"
        " AND (closed_at IS NULL) = (close_reason IS NULL)",
        name="open_iff_not_closed",
    ),
    sa.CheckConstraint("requested_at < expires_at", name="expires_after_request"),
)
# One open reset per account: a new request closes the older one.
sa.Index(
    "uq_password_resets_open",
    password_resets.c.account_id,
    unique=True,
    postgresql_where=password_resets.c.closed_at.is_(None),
)

invitations = sa.Table(
    "invitations",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("person_id"),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    uuid_column("invited_by_id"),
    timestamp("created_at"),
    timestamp("expires_at"),
    timestamp("accepted_at", nullable=True),
    same_organization_fk("person_id", "people"),
    same_organization_fk("invited_by_id", "people"),
    sa.CheckConstraint("shows_as_written(email)", name="email_shows_as_written"),
)
sa.Index("ix_invitations_person_id", invitations.c.person_id)
