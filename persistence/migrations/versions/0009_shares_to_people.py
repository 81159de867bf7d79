"""Shares go to a person, not to a role; abandoning a goal takes a note.

- goal_shares carry the goal's owner and, for a STEWARD or MENTOR share,
  the relationship it was made in and its leader as the person. Goal and
  feedback shares get `relationship_kind`, generated from their audience
  (STEWARD: STEWARDSHIP, MENTOR: MENTORSHIP, else null), and a composite
  foreign key to relationships (id, kind, leader, follower): a share is
  never bound to a relationship of another kind than its audience says, nor
  to one that would reach someone else. Composite foreign keys keep a
  share's owner the goal's owner, the item's subject, the request's
  requester, and so for what the owner did with feedback (feedback_actions:
  who may follow a talking point back to its feedback rests on it). Reads count a share only while that relationship is active;
- a trigger refuses a share made in (or moved to) a relationship that is
  not active: one proposed and accepted later would start reaching then;
- backfill: every STEWARD goal share is bound to the stewardship that was
  active when it was made (its steward becomes the share's person), every
  MENTOR share to the earliest of that mentor's mentorships of the owner
  that was active then. A share made while there was none never reached
  anyone under this rule, and the old row does not say whom it was with:
  it is taken back here (revoked now) if it was still active, so it leaves
  its owner's list (a revoked one keeps no relationship, which the shape
  check allows for revoked rows only). Feedback shares need nothing: they
  were always made by their owner within a relationship of their kind;
- a new audience PERSON (a named colleague) for goal and feedback shares;
  a feedback share names a relationship unless it is with a colleague
  (check), and both tables allow one active share per audience and
  relationship (or person) at a time (partial unique indexes);
- relationships, goals, feedback items and requests get the unique keys
  those foreign keys refer to;
- an abandoned goal has a non-blank note (check); goals abandoned without
  one before are given a note saying so.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SENTINEL = "'00000000-0000-0000-0000-000000000000'::uuid"
SHARED_AS_AUDIENCE_SAYS = """
CASE audience
  WHEN 'ORGANIZATION' THEN person_id IS NULL AND relationship_id IS NULL
  WHEN 'PERSON' THEN person_id IS NOT NULL AND relationship_id IS NULL
  ELSE (person_id IS NOT NULL AND relationship_id IS NOT NULL) OR revoked_at IS NOT NULL
END
"""
ABANDONED_NOTE = "(Abandoned before Trellis asked for a note.)"
KIND_OF_AUDIENCE = (
    "CASE audience WHEN 'STEWARD' THEN 'STEWARDSHIP' WHEN 'MENTOR' THEN 'MENTORSHIP' ELSE NULL END"
)
SHARES = ("goal_shares", "feedback_shares")
# The owner of a feedback share or action is its item's subject, or its
# request's requester: (foreign key name's end, column, table, owner column).
OWNED_FEEDBACK = ("feedback_shares", "feedback_actions")
OWNERS_OF_FEEDBACK = (
    ("item_subject", "item_id", "feedback_items", "subject_id"),
    ("request_requester", "request_id", "feedback_requests", "requester_id"),
)

MADE_IN_AN_ACTIVE_RELATIONSHIP = """
CREATE FUNCTION shares_made_in_an_active_relationship() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The sharing service locks the relationship before it shares; without
    -- that lock this still holds: a relationship never goes back to
    -- PROPOSED, so one read as ACTIVE was accepted.
    IF NOT EXISTS (
        SELECT FROM relationships WHERE id = NEW.relationship_id AND status = 'ACTIVE'
    ) THEN
        RAISE EXCEPTION 'share % is made in relationship %, which is not active',
            NEW.id, NEW.relationship_id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'ck_' || TG_TABLE_NAME || '_made_in_an_active_relationship';
    END IF;
    RETURN NEW;
END
$$
"""

# The relationship of each kind between a leader and follower that was
# active at the share's creation (`s`: the share, `g`: its goal).
ACTIVE_WHEN_SHARED = """
    r.organization_id = s.organization_id
    AND r.follower_id = g.owner_id
    AND r.kind = '{kind}'
    AND r.status IN ('ACTIVE', 'ENDED')
    AND r.started_at <= s.created_at
    AND (r.ended_at IS NULL OR r.ended_at > s.created_at)
"""


def upgrade() -> None:
    op.create_unique_constraint(
        op.f("uq_relationships_organization_id_id_kind_leader_id_follower_id"),
        "relationships",
        ["organization_id", "id", "kind", "leader_id", "follower_id"],
    )
    op.create_unique_constraint(
        op.f("uq_goals_organization_id_id_owner_id"), "goals", ["organization_id", "id", "owner_id"]
    )
    op.create_unique_constraint(
        op.f("uq_feedback_items_organization_id_id_subject_id"),
        "feedback_items",
        ["organization_id", "id", "subject_id"],
    )
    op.create_unique_constraint(
        op.f("uq_feedback_requests_organization_id_id_requester_id"),
        "feedback_requests",
        ["organization_id", "id", "requester_id"],
    )
    op.execute(
        sa.text(
            "UPDATE goals SET status_note = :note"
            " WHERE status = 'ABANDONED' AND length(btrim(status_note)) = 0"
        ).bindparams(note=ABANDONED_NOTE)
    )
    op.create_check_constraint(
        op.f("ck_goals_abandoned_with_a_note"),
        "goals",
        "status <> 'ABANDONED' OR length(btrim(status_note)) > 0",
    )
    _upgrade_goal_shares()
    _upgrade_feedback_shares()
    for table in SHARES:
        op.add_column(
            table,
            sa.Column(
                "relationship_kind",
                sa.String(length=32),
                sa.Computed(KIND_OF_AUDIENCE, persisted=True),
                nullable=True,
            ),
        )
        op.create_foreign_key(
            f"fk_{table}_relationship_kind_leader_follower",
            table,
            "relationships",
            ["organization_id", "relationship_id", "relationship_kind", "person_id", "owner_id"],
            ["organization_id", "id", "kind", "leader_id", "follower_id"],
        )
    op.execute(MADE_IN_AN_ACTIVE_RELATIONSHIP)
    for table in SHARES:
        op.execute(
            f"CREATE TRIGGER {table}_made_in_an_active_relationship"
            f" BEFORE INSERT OR UPDATE OF relationship_id ON {table} FOR EACH ROW"
            " WHEN (NEW.relationship_id IS NOT NULL)"
            " EXECUTE FUNCTION shares_made_in_an_active_relationship()"
        )


def _upgrade_goal_shares() -> None:
    op.drop_constraint(op.f("ck_goal_shares_mentor_named"), "goal_shares", type_="check")
    op.add_column("goal_shares", sa.Column("owner_id", sa.UUID(), nullable=True))
    op.add_column("goal_shares", sa.Column("relationship_id", sa.UUID(), nullable=True))
    op.execute(
        "UPDATE goal_shares s SET owner_id = g.owner_id FROM goals g"
        " WHERE g.organization_id = s.organization_id AND g.id = s.goal_id"
    )
    op.alter_column("goal_shares", "owner_id", nullable=False)
    # At most one stewardship is active at a time: at most one matches.
    op.execute(
        "UPDATE goal_shares s SET relationship_id = r.id, person_id = r.leader_id"
        " FROM goals g, relationships r"
        " WHERE s.audience = 'STEWARD' AND g.organization_id = s.organization_id"
        " AND g.id = s.goal_id AND" + ACTIVE_WHEN_SHARED.format(kind="STEWARDSHIP")
    )
    op.execute(
        "UPDATE goal_shares s SET relationship_id = ("
        " SELECT r.id FROM goals g, relationships r"
        " WHERE g.organization_id = s.organization_id AND g.id = s.goal_id"
        " AND r.leader_id = s.person_id AND"
        + ACTIVE_WHEN_SHARED.format(kind="MENTORSHIP")
        + " ORDER BY r.started_at, r.id LIMIT 1)"
        " WHERE s.audience = 'MENTOR'"
    )
    op.execute(
        "UPDATE goal_shares SET revoked_at = now()"
        " WHERE audience IN ('STEWARD', 'MENTOR') AND relationship_id IS NULL"
        " AND revoked_at IS NULL"
    )
    op.drop_constraint(op.f("ck_goal_shares_audience"), "goal_shares", type_="check")
    op.create_check_constraint(
        op.f("ck_goal_shares_audience"),
        "goal_shares",
        "audience IN ('STEWARD', 'MENTOR', 'PERSON', 'ORGANIZATION')",
    )
    op.create_check_constraint(
        op.f("ck_goal_shares_shared_as_audience_says"), "goal_shares", SHARED_AS_AUDIENCE_SAYS
    )
    op.create_check_constraint(
        op.f("ck_goal_shares_not_with_oneself"), "goal_shares", "person_id <> owner_id"
    )
    op.drop_constraint(
        op.f("fk_goal_shares_organization_id_goal_id_goals"), "goal_shares", type_="foreignkey"
    )
    op.create_foreign_key(
        "fk_goal_shares_goal_owner",
        "goal_shares",
        "goals",
        ["organization_id", "goal_id", "owner_id"],
        ["organization_id", "id", "owner_id"],
    )
    op.drop_index(
        "uq_goal_shares_active",
        table_name="goal_shares",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_index(
        "uq_goal_shares_active",
        "goal_shares",
        [
            "goal_id",
            "audience",
            sa.literal_column(f"coalesce(relationship_id, person_id, {SENTINEL})"),
        ],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def _upgrade_feedback_shares() -> None:
    op.alter_column("feedback_shares", "relationship_id", nullable=True)
    op.drop_constraint(op.f("ck_feedback_shares_audience"), "feedback_shares", type_="check")
    op.create_check_constraint(
        op.f("ck_feedback_shares_audience"),
        "feedback_shares",
        "audience IN ('STEWARD', 'MENTOR', 'PERSON')",
    )
    op.create_check_constraint(
        op.f("ck_feedback_shares_relationship_unless_named"),
        "feedback_shares",
        "(audience = 'PERSON') = (relationship_id IS NULL)",
    )
    op.drop_constraint(
        op.f("fk_feedback_shares_organization_id_relationship_id_relationships"),
        "feedback_shares",
        type_="foreignkey",
    )
    for owned in OWNED_FEEDBACK:
        for end, column, table, owner in OWNERS_OF_FEEDBACK:
            op.drop_constraint(
                op.f(f"fk_{owned}_organization_id_{column}_{table}"), owned, type_="foreignkey"
            )
            op.create_foreign_key(
                f"fk_{owned}_{end}",
                owned,
                table,
                ["organization_id", column, "owner_id"],
                ["organization_id", "id", owner],
            )
    op.drop_index(
        "uq_feedback_shares_active",
        table_name="feedback_shares",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_index(
        "uq_feedback_shares_active",
        "feedback_shares",
        [
            sa.literal_column("coalesce(item_id, request_id)"),
            "audience",
            sa.literal_column("coalesce(relationship_id, person_id)"),
        ],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def downgrade() -> None:
    """Shares with named colleagues are deleted (the old schema cannot hold
    them); steward and mentor shares whose relationship ended are revoked,
    as the old code did when it ended; steward shares name nobody again."""
    for table in SHARES:
        op.execute(f"DROP TRIGGER {table}_made_in_an_active_relationship ON {table}")
        op.drop_constraint(
            f"fk_{table}_relationship_kind_leader_follower", table, type_="foreignkey"
        )
        op.drop_column(table, "relationship_kind")
    op.execute("DROP FUNCTION shares_made_in_an_active_relationship()")
    _downgrade_feedback_shares()
    _downgrade_goal_shares()
    op.drop_constraint(op.f("ck_goals_abandoned_with_a_note"), "goals", type_="check")
    op.drop_constraint(
        op.f("uq_feedback_requests_organization_id_id_requester_id"),
        "feedback_requests",
        type_="unique",
    )
    op.drop_constraint(
        op.f("uq_feedback_items_organization_id_id_subject_id"), "feedback_items", type_="unique"
    )
    op.drop_constraint(op.f("uq_goals_organization_id_id_owner_id"), "goals", type_="unique")
    op.drop_constraint(
        op.f("uq_relationships_organization_id_id_kind_leader_id_follower_id"),
        "relationships",
        type_="unique",
    )


_REVOKE_ENDED = (
    "UPDATE {table} s SET revoked_at = r.ended_at FROM relationships r"
    " WHERE r.id = s.relationship_id AND r.status <> 'ACTIVE' AND s.revoked_at IS NULL"
)


def _downgrade_feedback_shares() -> None:
    op.execute("DELETE FROM feedback_shares WHERE audience = 'PERSON'")
    op.execute(_REVOKE_ENDED.format(table="feedback_shares"))
    op.drop_index(
        "uq_feedback_shares_active",
        table_name="feedback_shares",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_index(
        "uq_feedback_shares_active",
        "feedback_shares",
        [sa.literal_column("coalesce(item_id, request_id)"), "relationship_id"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    for owned in OWNED_FEEDBACK:
        for end, column, table, _ in OWNERS_OF_FEEDBACK:
            op.drop_constraint(f"fk_{owned}_{end}", owned, type_="foreignkey")
            op.create_foreign_key(
                op.f(f"fk_{owned}_organization_id_{column}_{table}"),
                owned,
                table,
                ["organization_id", column],
                ["organization_id", "id"],
            )
    op.create_foreign_key(
        op.f("fk_feedback_shares_organization_id_relationship_id_relationships"),
        "feedback_shares",
        "relationships",
        ["organization_id", "relationship_id"],
        ["organization_id", "id"],
    )
    op.drop_constraint(
        op.f("ck_feedback_shares_relationship_unless_named"), "feedback_shares", type_="check"
    )
    op.drop_constraint(op.f("ck_feedback_shares_audience"), "feedback_shares", type_="check")
    op.create_check_constraint(
        op.f("ck_feedback_shares_audience"),
        "feedback_shares",
        "audience IN ('STEWARD', 'MENTOR')",
    )
    op.alter_column("feedback_shares", "relationship_id", nullable=False)


def _downgrade_goal_shares() -> None:
    op.execute("DELETE FROM goal_shares WHERE audience = 'PERSON'")
    op.execute(_REVOKE_ENDED.format(table="goal_shares"))
    op.drop_index(
        "uq_goal_shares_active",
        table_name="goal_shares",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.drop_constraint("fk_goal_shares_goal_owner", "goal_shares", type_="foreignkey")
    op.create_foreign_key(
        op.f("fk_goal_shares_organization_id_goal_id_goals"),
        "goal_shares",
        "goals",
        ["organization_id", "goal_id"],
        ["organization_id", "id"],
    )
    op.drop_constraint(op.f("ck_goal_shares_not_with_oneself"), "goal_shares", type_="check")
    op.drop_constraint(op.f("ck_goal_shares_shared_as_audience_says"), "goal_shares", type_="check")
    op.drop_constraint(op.f("ck_goal_shares_audience"), "goal_shares", type_="check")
    op.create_check_constraint(
        op.f("ck_goal_shares_audience"),
        "goal_shares",
        "audience IN ('STEWARD', 'MENTOR', 'ORGANIZATION')",
    )
    op.execute("UPDATE goal_shares SET person_id = NULL WHERE audience = 'STEWARD'")
    op.create_check_constraint(
        op.f("ck_goal_shares_mentor_named"),
        "goal_shares",
        "(audience = 'MENTOR') = (person_id IS NOT NULL)",
    )
    op.drop_column("goal_shares", "relationship_id")
    op.drop_column("goal_shares", "owner_id")
    op.create_index(
        "uq_goal_shares_active",
        "goal_shares",
        [
            "goal_id",
            "audience",
            sa.literal_column(f"coalesce(person_id, {SENTINEL})"),
        ],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
