"""Anonymity that survives fake accounts: membership time and inviter.

- a person records since when they are a member (`member_since`: accepting
  their invitation; a founder or someone created without one, on creation;
  null while an invitation is not accepted) and who invited them
  (`invited_by_id`, never themselves), backfilled from invitations and
  accounts;
- the organization gets the minimum membership an anonymous answer's author
  needs for it to count towards k (`feedback_min_membership_days`, 7 to 365,
  default 30); a request stores the value of its time (`membership_days`,
  existing requests get the default) like it stores k;
- a request records when it released its group (`released_at`, only for an
  ANONYMOUS request, at its closing). The trigger
  feedback_requests_release_needs_k refuses a release unless k answers count
  (answered, non-blank, still asked, a member long enough before the request
  and not invited by the requester): the domain's rule, enforced here too;
  closed anonymous requests are backfilled by that rule, so groups that
  accounts made to fill k would have opened stay shut from now on;
- the trigger feedback_closed_requests_frozen keeps a closed request's
  invitations (who answered, declined, is removed) and answers as they are
  (it takes a share lock on the request, so it also holds against a close
  committing meanwhile): a released group can never change, nor show by a
  difference what someone wrote;
- an invitation records when it was declined (`declined_at`, kept when it is
  removed afterwards): a removal must not change how many declined. The
  decline's time was never recorded before; the backfill takes the latest
  moment known to precede it: the reminder if one went out (only a pending
  invitation gets one), else the invitation's creation;
- an invitation records when it was removed (`removed_at`; a pending one
  removed is REMOVED, and so is any in a NAMED request). In an ANONYMOUS
  request an answer or a decline stays when its invitee is removed, so no
  count moves by what the removed person had done: the trigger
  feedback_invitations_keep_anonymous_responses refuses there to change an
  answered or declined invitation's status, and a second invitation of the
  same person (who may have left an answer behind). One live invitation per
  person and request is now one not removed. Removals from before have no
  time; the backfill takes the latest moment known before them (reminder or
  creation);
- notifications know FEEDBACK_REQUEST_CLOSED and can point at a request.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = (
    "'RELATIONSHIP_PROPOSED', 'RELATIONSHIP_ACCEPTED', 'RELATIONSHIP_DECLINED', "
    "'RELATIONSHIP_WITHDRAWN', 'RELATIONSHIP_ENDED', 'RELATIONSHIP_RENEWED', "
    "'RELATIONSHIP_REVIEW_DUE', 'STEWARDSHIP_HANDED_OVER', 'ROLE_PROPOSED', 'ROLE_ACCEPTED', "
    "'ROLE_DECLINED', 'ROLE_WITHDRAWN', 'ROLE_ENDED', 'FEEDBACK_REQUESTED', 'FEEDBACK_REMINDER', "
    "'FEEDBACK_RECEIVED', 'COACH_SESSION_BOOKED', 'COACH_SESSION_CANCELLED', "
    "'COACH_SESSION_RESCHEDULED'"
)
NEW_KINDS = OLD_KINDS + ", 'FEEDBACK_REQUEST_CLOSED'"


def counting_answers(request: str) -> str:
    """How many people's answers to `request` (a row) count towards k: the
    rule of FeedbackRequest.k_rule_holds, with days of 24 hours like
    timedelta. An ANSWERED invitation of someone removed from an anonymous
    request stays ANSWERED and counts. The EXISTS is "said something", the
    twin of domain.feedback.said_something and
    persistence.feedback_predicates.said_something (tests/integration
    checks that they agree)."""
    return f"""
    SELECT count(DISTINCT i.invitee_id)
      FROM feedback_invitations i JOIN people p ON p.id = i.invitee_id
     WHERE i.request_id = {request}.id AND i.status = 'ANSWERED'
       AND p.member_since
           <= {request}.created_at - make_interval(hours => 24 * {request}.membership_days)
       AND p.invited_by_id IS DISTINCT FROM {request}.requester_id
       AND EXISTS (SELECT 1 FROM feedback_answers a
                    WHERE a.invitation_id = i.id
                      AND (a.scale_value IS NOT NULL OR a.text <> ''))
    """


RELEASE_NEEDS_K = f"""
CREATE FUNCTION feedback_requests_release_needs_k() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    counting integer;
BEGIN
    IF NEW.released_at IS NULL THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.released_at IS NOT NULL THEN
            RETURN NEW;
        END IF;
    END IF;
    SELECT ({counting_answers("NEW")}) INTO counting;
    IF counting < NEW.anonymity_threshold THEN
        RAISE EXCEPTION 'request % has too few counting answers to release', NEW.id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'ck_feedback_requests_released_with_k';
    END IF;
    RETURN NEW;
END
$$
"""

CLOSED_FROZEN = """
CREATE FUNCTION feedback_closed_requests_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    request_status text;
BEGIN
    -- The share lock waits for a close under way and makes a close wait
    -- for this transaction: either this change is in the group, or refused.
    IF TG_TABLE_NAME = 'feedback_invitations' THEN
        SELECT r.status INTO request_status FROM feedback_requests r
         WHERE r.id = NEW.request_id FOR SHARE;
    ELSE
        SELECT r.status INTO request_status
          FROM feedback_requests r JOIN feedback_invitations i ON i.request_id = r.id
         WHERE i.id = NEW.invitation_id FOR SHARE OF r;
    END IF;
    IF request_status = 'CLOSED' THEN
        RAISE EXCEPTION 'feedback request is closed'
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'ck_feedback_requests_frozen_when_closed';
    END IF;
    RETURN NEW;
END
$$
"""

KEEP_ANONYMOUS_RESPONSES = """
CREATE FUNCTION feedback_invitations_keep_anonymous_responses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM feedback_requests r
                    WHERE r.id = NEW.request_id AND r.anonymity = 'ANONYMOUS') THEN
        RETURN NEW;
    END IF;
    -- Rows are never deleted, so a removed invitation is always there to
    -- find; two first invitations at once meet uq_feedback_invitations_live.
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM feedback_invitations i
                    WHERE i.request_id = NEW.request_id AND i.invitee_id = NEW.invitee_id) THEN
            RAISE EXCEPTION 'an anonymous request asks % once', NEW.invitee_id
                USING ERRCODE = 'check_violation',
                      CONSTRAINT = 'ck_feedback_invitations_asked_once_when_anonymous';
        END IF;
    ELSIF OLD.status IN ('ANSWERED', 'DECLINED') AND NEW.status IS DISTINCT FROM OLD.status THEN
        RAISE EXCEPTION 'invitation %: an anonymous answer or decline stays', OLD.id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'ck_feedback_invitations_responses_kept_when_anonymous';
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.add_column("people", sa.Column("member_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column("people", sa.Column("invited_by_id", sa.UUID(), nullable=True))
    op.execute(
        """
        UPDATE people p SET invited_by_id = first.invited_by_id
          FROM (SELECT DISTINCT ON (person_id) person_id, invited_by_id FROM invitations
                 ORDER BY person_id, created_at) first
         WHERE first.person_id = p.id AND first.invited_by_id <> p.id
        """
    )
    op.execute(
        """
        UPDATE people p SET member_since = coalesce(
            (SELECT min(accepted_at) FROM invitations i WHERE i.person_id = p.id),
            CASE WHEN NOT EXISTS (SELECT 1 FROM invitations i WHERE i.person_id = p.id)
                 THEN coalesce((SELECT a.created_at FROM accounts a WHERE a.person_id = p.id),
                               p.created_at)
            END)
        """
    )
    op.create_foreign_key(
        op.f("fk_people_organization_id_invited_by_id_people"),
        "people",
        "people",
        ["organization_id", "invited_by_id"],
        ["organization_id", "id"],
    )
    op.create_check_constraint(
        op.f("ck_people_not_invited_by_oneself"), "people", "invited_by_id <> id"
    )
    op.add_column(
        "organizations",
        sa.Column(
            "feedback_min_membership_days", sa.Integer(), server_default="30", nullable=False
        ),
    )
    op.create_check_constraint(
        op.f("ck_organizations_feedback_membership_in_range"),
        "organizations",
        "feedback_min_membership_days BETWEEN 7 AND 365",
    )
    op.add_column(
        "feedback_requests",
        sa.Column("membership_days", sa.SmallInteger(), server_default="30", nullable=False),
    )
    op.alter_column("feedback_requests", "membership_days", server_default=None)
    op.create_check_constraint(
        op.f("ck_feedback_requests_membership_days_in_range"),
        "feedback_requests",
        "membership_days BETWEEN 7 AND 365",
    )
    op.add_column(
        "feedback_requests",
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_check_constraint(
        op.f("ck_feedback_requests_released_on_closing"),
        "feedback_requests",
        "released_at IS NULL"
        " OR (anonymity = 'ANONYMOUS' AND released_at IS NOT DISTINCT FROM closed_at)",
    )
    op.execute(
        f"""
        UPDATE feedback_requests r SET released_at = r.closed_at
         WHERE r.anonymity = 'ANONYMOUS' AND r.status = 'CLOSED'
           AND ({counting_answers("r")}) >= r.anonymity_threshold
        """
    )
    op.add_column(
        "feedback_invitations",
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE feedback_invitations SET declined_at = greatest(created_at, reminded_at)"
        " WHERE status = 'DECLINED'"
    )
    op.create_check_constraint(
        op.f("ck_feedback_invitations_declined_at_with_decline"),
        "feedback_invitations",
        "(status <> 'DECLINED' OR declined_at IS NOT NULL)"
        " AND (declined_at IS NULL OR status IN ('DECLINED', 'REMOVED'))",
    )
    op.add_column(
        "feedback_invitations",
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE feedback_invitations SET removed_at = greatest(created_at, reminded_at)"
        " WHERE status = 'REMOVED'"
    )
    op.create_check_constraint(
        op.f("ck_feedback_invitations_removed_at_with_removal"),
        "feedback_invitations",
        "(status <> 'REMOVED' OR removed_at IS NOT NULL)"
        " AND (status <> 'PENDING' OR removed_at IS NULL)",
    )
    op.drop_index("uq_feedback_invitations_live", table_name="feedback_invitations")
    op.create_index(
        "uq_feedback_invitations_live",
        "feedback_invitations",
        ["request_id", "invitee_id"],
        unique=True,
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    op.execute(KEEP_ANONYMOUS_RESPONSES)
    # Triggers fire in the order of their names: this one after
    # feedback_invitations_frozen_when_closed, so a change to a closed
    # request is refused as REQUEST_CLOSED, as the code refuses it first.
    op.execute(
        "CREATE TRIGGER feedback_invitations_keep_anonymous_responses"
        " BEFORE INSERT OR UPDATE OF status ON feedback_invitations"
        " FOR EACH ROW EXECUTE FUNCTION feedback_invitations_keep_anonymous_responses()"
    )
    op.execute(RELEASE_NEEDS_K)
    op.execute(
        "CREATE TRIGGER feedback_requests_release_needs_k"
        " BEFORE INSERT OR UPDATE OF released_at ON feedback_requests"
        " FOR EACH ROW EXECUTE FUNCTION feedback_requests_release_needs_k()"
    )
    op.execute(CLOSED_FROZEN)
    op.execute(
        "CREATE TRIGGER feedback_invitations_frozen_when_closed"
        " BEFORE INSERT OR UPDATE OF status, removed_at ON feedback_invitations"
        " FOR EACH ROW EXECUTE FUNCTION feedback_closed_requests_frozen()"
    )
    op.execute(
        "CREATE TRIGGER feedback_answers_frozen_when_closed"
        " BEFORE INSERT OR UPDATE ON feedback_answers"
        " FOR EACH ROW EXECUTE FUNCTION feedback_closed_requests_frozen()"
    )
    op.add_column("notifications", sa.Column("feedback_request_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_notifications_organization_id_feedback_request_id_feedback_requests"),
        "notifications",
        "feedback_requests",
        ["organization_id", "feedback_request_id"],
        ["organization_id", "id"],
    )
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"), "notifications", f"kind IN ({NEW_KINDS})"
    )


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE kind = 'FEEDBACK_REQUEST_CLOSED'")
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"), "notifications", f"kind IN ({OLD_KINDS})"
    )
    op.drop_constraint(
        op.f("fk_notifications_organization_id_feedback_request_id_feedback_requests"),
        "notifications",
        type_="foreignkey",
    )
    op.drop_column("notifications", "feedback_request_id")
    op.execute("DROP TRIGGER feedback_answers_frozen_when_closed ON feedback_answers")
    op.execute("DROP TRIGGER feedback_invitations_frozen_when_closed ON feedback_invitations")
    op.execute("DROP FUNCTION feedback_closed_requests_frozen()")
    op.execute("DROP TRIGGER feedback_requests_release_needs_k ON feedback_requests")
    op.execute("DROP FUNCTION feedback_requests_release_needs_k()")
    op.execute("DROP TRIGGER feedback_invitations_keep_anonymous_responses ON feedback_invitations")
    op.execute("DROP FUNCTION feedback_invitations_keep_anonymous_responses()")
    # Before 0011 a removed invitation's answers left the results: an
    # anonymous one removed after answering or declining becomes REMOVED.
    op.execute(
        "UPDATE feedback_invitations SET status = 'REMOVED'"
        " WHERE removed_at IS NOT NULL AND status <> 'REMOVED'"
    )
    op.drop_index("uq_feedback_invitations_live", table_name="feedback_invitations")
    op.create_index(
        "uq_feedback_invitations_live",
        "feedback_invitations",
        ["request_id", "invitee_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'REMOVED'"),
    )
    op.drop_constraint(
        op.f("ck_feedback_invitations_removed_at_with_removal"),
        "feedback_invitations",
        type_="check",
    )
    op.drop_column("feedback_invitations", "removed_at")
    op.drop_constraint(
        op.f("ck_feedback_invitations_declined_at_with_decline"),
        "feedback_invitations",
        type_="check",
    )
    op.drop_column("feedback_invitations", "declined_at")
    op.drop_constraint(
        op.f("ck_feedback_requests_released_on_closing"), "feedback_requests", type_="check"
    )
    op.drop_column("feedback_requests", "released_at")
    op.drop_constraint(
        op.f("ck_feedback_requests_membership_days_in_range"), "feedback_requests", type_="check"
    )
    op.drop_column("feedback_requests", "membership_days")
    op.drop_constraint(
        op.f("ck_organizations_feedback_membership_in_range"), "organizations", type_="check"
    )
    op.drop_column("organizations", "feedback_min_membership_days")
    op.drop_constraint(op.f("ck_people_not_invited_by_oneself"), "people", type_="check")
    op.drop_constraint(
        op.f("fk_people_organization_id_invited_by_id_people"), "people", type_="foreignkey"
    )
    op.drop_column("people", "invited_by_id")
    op.drop_column("people", "member_since")
