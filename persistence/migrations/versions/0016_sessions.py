"""Sessions that sign-out ends at once, and password resets.

- a session is one signed-in device (`sessions`): access tokens carry its
  id, and every request checks that it is live; a refresh token belongs to
  one (`refresh_tokens.family_id` becomes `session_id`, a foreign key);
- an account counts its passwords (`accounts.password_version`, 1 for
  existing accounts); a live session carries the version it was started
  under and an ended one none (a check), and a composite foreign key
  (deferred to commit) holds every live session to the account's current
  version: a password change is refused while a session of the old
  password lives, and no session can start on a password that is gone;
- a password reset (`password_resets`) is a mailed token stored hashed,
  with an expiry; it is open until used, replaced by a newer request or
  voided by a password change, at most one open per account (a partial
  unique index), and held to the current password version like a session;
- triggers keep an ended session ended and a closed reset closed (so a
  reset token works once), and refuse a refresh token for a session that
  has ended, whatever runs at the same time (the session row is locked).

Backfill: each refresh token family becomes a session that started with
its first token. It is live if its newest token still works and its person
is active; otherwise it ended when that token was revoked (PERSON_LEFT if
that was when the person left, else REVOKED: sign-out and reuse were not
told apart), when it expired (EXPIRED), or when the person left. Tokens of
a person who left that still worked are revoked.

Revision ID: 0016
Revises: 0015
Create Date: 2027-02-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SESSION_ENDS = (
    "SIGNED_OUT",
    "REFRESH_TOKEN_REUSED",
    "PASSWORD_CHANGED",
    "PASSWORD_RESET",
    "PERSON_LEFT",
    "REVOKED",
    "EXPIRED",
)
RESET_CLOSES = ("USED", "REPLACED", "PASSWORD_CHANGED")


def _of_current_password(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id", "password_version"],
        ["accounts.id", "accounts.password_version"],
        name=op.f(f"fk_{table}_account_id_password_version_accounts"),
        deferrable=True,
        initially="DEFERRED",
    )


def _reason(name: str, values: Sequence[str]) -> sa.Column[str]:
    return sa.Column(
        name,
        sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32),
        nullable=True,
    )


def upgrade() -> None:
    op.add_column(
        "accounts",
        sa.Column("password_version", sa.Integer(), server_default="1", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_accounts_password_version_positive"), "accounts", "password_version >= 1"
    )
    op.create_unique_constraint(
        op.f("uq_accounts_id_password_version"), "accounts", ["id", "password_version"]
    )

    op.create_table(
        "sessions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_version", sa.Integer(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        _reason("end_reason", SESSION_ENDS),
        sa.CheckConstraint(
            "(ended_at IS NULL) = (password_version IS NOT NULL)"
            " AND (ended_at IS NULL) = (end_reason IS NULL)",
            name=op.f("ck_sessions_live_iff_not_ended"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        _of_current_password("sessions"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sessions_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(
        "ix_sessions_live_account_id",
        "sessions",
        ["account_id"],
        unique=False,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.execute(
        """
        INSERT INTO sessions
            (id, organization_id, account_id, started_at, password_version, ended_at, end_reason)
        SELECT newest.family_id, newest.organization_id, newest.account_id, first.started_at,
               CASE WHEN state.live THEN a.password_version END,
               CASE
                   WHEN state.live THEN NULL
                   WHEN newest.revoked_at IS NOT NULL THEN newest.revoked_at
                   WHEN newest.expires_at <= now() THEN newest.expires_at
                   ELSE coalesce(p.left_at, now())
               END,
               CASE
                   WHEN state.live THEN NULL
                   WHEN newest.revoked_at IS NULL AND newest.expires_at <= now() THEN 'EXPIRED'
                   WHEN newest.revoked_at IS NULL THEN 'PERSON_LEFT'
                   WHEN p.status = 'LEFT' AND newest.revoked_at >= p.left_at THEN 'PERSON_LEFT'
                   ELSE 'REVOKED'
               END
        FROM (
            SELECT DISTINCT ON (family_id)
                   family_id, organization_id, account_id, revoked_at, expires_at
            FROM refresh_tokens
            ORDER BY family_id, issued_at DESC, id DESC
        ) AS newest
        JOIN (
            SELECT family_id, min(issued_at) AS started_at FROM refresh_tokens GROUP BY family_id
        ) AS first USING (family_id)
        JOIN accounts AS a ON a.id = newest.account_id
        JOIN people AS p ON p.id = a.person_id
        CROSS JOIN LATERAL (
            SELECT newest.revoked_at IS NULL AND newest.expires_at > now()
                   AND p.status = 'ACTIVE' AS live
        ) AS state
        """
    )
    op.execute(
        """
        UPDATE refresh_tokens AS t SET revoked_at = s.ended_at
        FROM sessions AS s
        WHERE s.id = t.family_id AND s.ended_at IS NOT NULL
          AND t.revoked_at IS NULL AND t.expires_at > now()
        """
    )
    op.drop_index("ix_refresh_tokens_family_id", table_name="refresh_tokens")
    op.alter_column("refresh_tokens", "family_id", new_column_name="session_id")
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"])
    op.create_foreign_key(
        op.f("fk_refresh_tokens_session_id_sessions"),
        "refresh_tokens",
        "sessions",
        ["session_id"],
        ["id"],
        ondelete="CASCADE",
    )

    op.create_table(
        "password_resets",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_version", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        _reason("close_reason", RESET_CLOSES),
        sa.CheckConstraint(
            "(closed_at IS NULL) = (password_version IS NOT NULL)"
            " AND (closed_at IS NULL) = (close_reason IS NULL)",
            name=op.f("ck_password_resets_open_iff_not_closed"),
        ),
        sa.CheckConstraint(
            "requested_at < expires_at", name=op.f("ck_password_resets_expires_after_request")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_password_resets_account_id_accounts"),
            ondelete="CASCADE",
        ),
        _of_current_password("password_resets"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_password_resets_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_resets_token_hash")),
    )
    op.create_index(
        "uq_password_resets_open",
        "password_resets",
        ["account_id"],
        unique=True,
        postgresql_where=sa.text("closed_at IS NULL"),
    )

    op.execute(
        """
        CREATE FUNCTION sessions_stay_ended() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.ended_at IS NOT NULL AND (
                NEW.ended_at IS DISTINCT FROM OLD.ended_at
                OR NEW.end_reason IS DISTINCT FROM OLD.end_reason
            ) THEN
                RAISE EXCEPTION 'session % has ended and stays ended', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_sessions_stay_ended';
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER sessions_stay_ended BEFORE UPDATE ON sessions"
        " FOR EACH ROW EXECUTE FUNCTION sessions_stay_ended()"
    )
    # FOR SHARE waits for a transaction that is ending the session (it holds
    # the row) and then sees the end.
    op.execute(
        """
        CREATE FUNCTION refresh_tokens_need_live_session() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM FROM sessions WHERE id = NEW.session_id AND ended_at IS NULL FOR SHARE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'session % has ended: no new refresh token', NEW.session_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_refresh_tokens_session_live';
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER refresh_tokens_need_live_session BEFORE INSERT ON refresh_tokens"
        " FOR EACH ROW EXECUTE FUNCTION refresh_tokens_need_live_session()"
    )
    op.execute(
        """
        CREATE FUNCTION password_resets_stay_closed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.closed_at IS NOT NULL AND (
                NEW.closed_at IS DISTINCT FROM OLD.closed_at
                OR NEW.close_reason IS DISTINCT FROM OLD.close_reason
            ) THEN
                RAISE EXCEPTION 'password reset % is closed and stays closed', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_password_resets_stay_closed';
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER password_resets_stay_closed BEFORE UPDATE ON password_resets"
        " FOR EACH ROW EXECUTE FUNCTION password_resets_stay_closed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER password_resets_stay_closed ON password_resets")
    op.execute("DROP FUNCTION password_resets_stay_closed()")
    op.execute("DROP TRIGGER refresh_tokens_need_live_session ON refresh_tokens")
    op.execute("DROP FUNCTION refresh_tokens_need_live_session()")
    op.execute("DROP TRIGGER sessions_stay_ended ON sessions")
    op.execute("DROP FUNCTION sessions_stay_ended()")

    op.drop_index(
        "uq_password_resets_open",
        table_name="password_resets",
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.drop_table("password_resets")

    # Without sessions, a refresh token is all there is: those of an ended
    # session must not work again.
    op.execute(
        """
        UPDATE refresh_tokens AS t SET revoked_at = s.ended_at
        FROM sessions AS s
        WHERE s.id = t.session_id AND s.ended_at IS NOT NULL AND t.revoked_at IS NULL
        """
    )
    op.drop_constraint(
        op.f("fk_refresh_tokens_session_id_sessions"), "refresh_tokens", type_="foreignkey"
    )
    op.drop_index("ix_refresh_tokens_session_id", table_name="refresh_tokens")
    op.alter_column("refresh_tokens", "session_id", new_column_name="family_id")
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])

    op.drop_index(
        "ix_sessions_live_account_id",
        table_name="sessions",
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_table("sessions")

    op.drop_constraint(op.f("uq_accounts_id_password_version"), "accounts", type_="unique")
    op.drop_constraint(op.f("ck_accounts_password_version_positive"), "accounts", type_="check")
    op.drop_column("accounts", "password_version")
