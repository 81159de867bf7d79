from __future__ import annotations

import sqlalchemy as sa

from persistence.tables.base import (
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
    sa.UniqueConstraint("person_id"),
    same_organization_fk("person_id", "people"),
    sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
    sa.CheckConstraint("shows_as_written(email)", name="email_shows_as_written"),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    id_column(),
    organization_column(),
    uuid_column("account_id"),
    uuid_column("family_id"),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    timestamp("issued_at"),
    timestamp("expires_at"),
    timestamp("revoked_at", nullable=True),
    uuid_column("replaced_by_id", nullable=True),
    sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
)
sa.Index("ix_refresh_tokens_family_id", refresh_tokens.c.family_id)
sa.Index("ix_refresh_tokens_account_id", refresh_tokens.c.account_id)

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
