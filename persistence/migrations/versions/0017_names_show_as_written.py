"""Names and titles show as written, in the database too.

A person's name, handle and email, an account's and an invitation's email,
an organization's name and slug, the names of teams, knowledge areas and
feedback templates, the titles of goals and feedback requests:

- are in Unicode normalization form C (`IS NFC NORMALIZED`; the database's
  encoding is UTF8), so two spellings of one name are one value for the
  unique indexes;
- hold no bidirectional control and no character that shows nothing, save
  a joiner between two characters that show, a variation selector after
  one, and the tags of an emoji flag: `shows_as_written(text)`, the rule of
  domain/invisible_characters.py in the same patterns, frozen here;
- checked by `ck_<table>_<column>_shows_as_written`.

Backfill: a value that breaks the rule becomes its NFC form without any
invisible character, spaces collapsed; one left blank becomes the first
eight characters of its row's id in parentheses. Two values that become one
stop the migration at their unique index (rename one, then migrate again).

Revision ID: 0017
Revises: 0016
Create Date: 2027-02-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("people", "name"),
    ("people", "handle"),
    ("people", "email"),
    ("accounts", "email"),
    ("invitations", "email"),
    ("organizations", "name"),
    ("organizations", "slug"),
    ("teams", "name"),
    ("knowledge_areas", "name"),
    ("goals", "title"),
    ("feedback_requests", "topic"),
    ("feedback_templates", "name"),
)
# domain/invisible_characters.py as of this revision (Unicode 16).
MISPLACED = (
    "[\\u00ad\\u034f\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890-\\u0891\\u08e2\\u115f-\\u1160\\u17b4-\\u17b5\\u180b-\\u180f\\u200b\\u200e-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\u2800\\u3164\\ufeff\\uffa0\\ufff0-\\ufffb\\U000110bd\\U000110cd\\U00013430-\\U0001343f\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a\\U000e0000-\\U000e001f\\U000e0080-\\U000e00ff\\U000e01f0-\\U000e0fff]",
    "(^|[\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u00ad\\u034f\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890-\\u0891\\u08e2\\u115f-\\u1160\\u1680\\u17b4-\\u17b5\\u180b-\\u180f\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f\\u2800\\u3000\\u3164\\ufeff\\uffa0\\ufff0-\\ufffb\\U000110bd\\U000110cd\\U00013430-\\U0001343f\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a\\U000e0000-\\U000e00ff\\U000e01f0-\\U000e0fff])[\\u200c-\\u200d]",
    "[\\u200c-\\u200d]($|[\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u00ad\\u034f\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890-\\u0891\\u08e2\\u115f-\\u1160\\u1680\\u17b4-\\u17b5\\u180b-\\u180f\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f\\u2800\\u3000\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufffb\\U000110bd\\U000110cd\\U00013430-\\U0001343f\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a\\U000e0000-\\U000e0fff])",
    "(^|[\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u00ad\\u034f\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890-\\u0891\\u08e2\\u115f-\\u1160\\u1680\\u17b4-\\u17b5\\u180b-\\u180f\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f\\u2800\\u3000\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufffb\\U000110bd\\U000110cd\\U00013430-\\U0001343f\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a\\U000e0000-\\U000e0fff])[\\ufe00-\\ufe0f\\U000e0100-\\U000e01ef]",
)
TAG = "[\\U000e0020-\\U000e007f]"
FLAG_TAG_SEQUENCE = "\\U0001f3f4[\\U000e0020-\\U000e007e]+\\U000e007f"
INVISIBLE = "[\\u00ad\\u034f\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890-\\u0891\\u08e2\\u115f-\\u1160\\u17b4-\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\u2800\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufffb\\U000110bd\\U000110cd\\U00013430-\\U0001343f\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a\\U000e0000-\\U000e0fff]"


def _sql(pattern: str) -> str:
    return "'" + pattern.replace("'", "''") + "'"


def upgrade() -> None:
    misplaced = " AND ".join(f"value !~ {_sql(pattern)}" for pattern in MISPLACED)
    op.execute(
        f"""
        CREATE FUNCTION shows_as_written(value text) RETURNS boolean
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT value IS NFC NORMALIZED AND {misplaced}
                AND regexp_replace(value, {_sql(FLAG_TAG_SEQUENCE)}, '', 'g') !~ {_sql(TAG)}
        $$
        """
    )
    for table, column in COLUMNS:
        cleaned = (
            f"btrim(regexp_replace(regexp_replace(normalize({column}, NFC),"
            f" {_sql(INVISIBLE)}, '', 'g'), ' {{2,}}', ' ', 'g'))"
        )
        op.execute(
            f"UPDATE {table} SET {column} = COALESCE(NULLIF({cleaned}, ''),"
            f" '(' || left(id::text, 8) || ')') WHERE NOT shows_as_written({column})"
        )
        op.create_check_constraint(
            op.f(f"ck_{table}_{column}_shows_as_written"), table, f"shows_as_written({column})"
        )


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        op.drop_constraint(op.f(f"ck_{table}_{column}_shows_as_written"), table, type_="check")
    op.execute("DROP FUNCTION shows_as_written(text)")
