"""Turns a violated database constraint into the domain error it stands for.

The domain checks its rules before writing, but two concurrent requests can
both pass a check; the database constraint then decides, and the loser must
get the same typed error it would have got from the check, never a raw one.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError

from domain.errors import AuthenticationFailed, Conflict, DomainError, ValidationFailed
from domain.services import auth

_CONFLICTS: dict[str, tuple[str, str, str | None]] = {
    "uq_organizations_slug": ("SLUG_TAKEN", "That organization slug is taken.", "slug"),
    "uq_people_organization_id_handle": (
        "HANDLE_TAKEN",
        "That handle is taken in this organization.",
        "handle",
    ),
    "uq_people_organization_id_email": (
        "EMAIL_TAKEN",
        "Someone with that email is already a member.",
        "email",
    ),
    "uq_accounts_email": ("EMAIL_TAKEN", "That email already has an account.", "email"),
    "uq_accounts_person_id": ("ACCOUNT_EXISTS", "This person already has an account.", None),
    "uq_teams_organization_id_lower_name": (
        "TEAM_NAME_TAKEN",
        "A team with that name exists.",
        "name",
    ),
    "uq_team_memberships_current": (
        "ALREADY_MEMBER",
        "This person is already a member of the team.",
        "personId",
    ),
    "uq_knowledge_areas_sibling_name": (
        "AREA_NAME_TAKEN",
        "An area with that name already exists under the same parent.",
        "name",
    ),
    "ck_knowledge_areas_no_cycle": (
        "AREA_CYCLE",
        "An area cannot be moved under itself or one of its descendants.",
        "parentId",
    ),
    "uq_role_assignments_current": (
        "ROLE_ALREADY_HELD",
        "This person already holds that role in that scope.",
        None,
    ),
    "uq_role_assignments_open_proposal": (
        "DUPLICATE_PROPOSAL",
        "There is already an open proposal for this.",
        None,
    ),
    "uq_relationships_active_stewardship": (
        "STEWARDSHIP_CHANGED",
        "This person's stewardship changed meanwhile; propose again if it still makes sense.",
        None,
    ),
    "uq_relationships_open_proposal": (
        "DUPLICATE_PROPOSAL",
        "There is already an open proposal for this.",
        None,
    ),
    "uq_feedback_shares_active": (
        "ALREADY_SHARED",
        "This feedback is already shared that way.",
        None,
    ),
    "uq_feedback_actions_acknowledged": (
        "ALREADY_ACKNOWLEDGED",
        "This feedback is already acknowledged.",
        None,
    ),
    "uq_one_on_one_series_relationship_id": (
        "SERIES_EXISTS",
        "This relationship has its 1-on-1s already.",
        "relationshipId",
    ),
    "uq_one_on_one_meetings_scheduled_at": (
        "TIME_TAKEN",
        "You have a meeting scheduled at that time already.",
        "scheduledAt",
    ),
    "uq_agenda_items_carried_from_id": (
        "ALREADY_CARRIED",
        "That item was carried over meanwhile.",
        None,
    ),
    "ck_organizations_feedback_anonymity_reachable": (
        "BELOW_ANONYMITY_THRESHOLD",
        "The feedback rules changed meanwhile: allow at least as many invitees as the "
        "anonymity threshold.",
        "feedbackMaxInvitees",
    ),
    "ck_feedback_requests_frozen_when_closed": (
        "REQUEST_CLOSED",
        "This request is closed.",
        None,
    ),
    "ck_feedback_requests_released_with_k": (
        "TOO_FEW_COUNTING_ANSWERS",
        "Too few answers count to release this request.",
        None,
    ),
    "ck_feedback_invitations_asked_once_when_anonymous": (
        "REMOVED_BEFORE",
        "Someone you removed from an anonymous request cannot be asked in it again.",
        "inviteeIds",
    ),
    "ck_feedback_invitations_responses_kept_when_anonymous": (
        "RESPONSE_KEPT",
        "An answer or a decline given to an anonymous request stays.",
        None,
    ),
    "uq_mentor_offers_live": (
        "ALREADY_OFFERED",
        "You offer mentoring in this area already; edit that offer.",
        "knowledgeAreaId",
    ),
    "uq_learning_wishes_open": (
        "ALREADY_WISHED",
        "You have an open wish for this area already.",
        "knowledgeAreaId",
    ),
    "uq_goal_shares_active": (
        "ALREADY_SHARED",
        "This goal is already shared that way.",
        None,
    ),
    "uq_mentorship_areas_proposed": (
        "DUPLICATE_PROPOSAL",
        "There is already an open proposal for this.",
        None,
    ),
    "ck_relationships_ended_by_a_person_with_a_reason": (
        "REQUIRED",
        "Say why you end this relationship.",
        "reason",
    ),
    "uq_mentorship_areas_active": (
        "ALREADY_ACTIVE",
        "There is already an active mentorship in one of these areas.",
        None,
    ),
    "ck_relationships_within_capacity": (
        "CAPACITY_REACHED",
        "The leader has reached their capacity.",
        None,
    ),
    "ck_people_capacity_not_below_load": (
        "CAPACITY_BELOW_LOAD",
        "A capacity cannot be below the current load.",
        "capacity",
    ),
    "uq_relationships_active_coaching": (
        "ALREADY_ACTIVE",
        "You already have this relationship.",
        None,
    ),
    "ex_coach_sessions_coach_time": (
        "SLOT_TAKEN",
        "That slot was just taken.",
        "startsAt",
    ),
    "ex_coach_sessions_coachee_time": (
        "OVERLAPPING_SESSION",
        "You have another coach session then.",
        "startsAt",
    ),
    "ck_relationships_not_with_oneself": (
        "SELF_RELATIONSHIP",
        "Nobody can lead themselves.",
        "personId",
    ),
}


_SHOWS_AS_WRITTEN = "_shows_as_written"


_AUTHENTICATION: dict[str, tuple[str, str]] = {
    # A session started with a password that was changed meanwhile.
    "fk_sessions_account_id_password_version_accounts": (
        "INVALID_CREDENTIALS",
        auth.INVALID_CREDENTIALS,
    ),
    "ck_refresh_tokens_session_live": ("INVALID_SESSION", auth.INVALID_SESSION),
    # A reset made for a password that was changed meanwhile.
    "fk_password_resets_account_id_password_version_accounts": (
        "INVALID_RESET_TOKEN",
        auth.INVALID_RESET_TOKEN,
    ),
}


def constraint_name(error: DBAPIError) -> str | None:
    cause = getattr(error.orig, "__cause__", None)
    return getattr(cause, "constraint_name", None)


def translate(error: IntegrityError) -> DomainError | None:
    """The domain error for a known constraint, or None for an unknown one
    (which is then a bug, and stays masked)."""
    name = constraint_name(error)
    if name in _CONFLICTS:
        code, message, field = _CONFLICTS[name]
        return Conflict(message, code=code, field=field)
    if name is not None and name.endswith(_SHOWS_AS_WRITTEN):
        # ck_<table>_<column>_shows_as_written; each column is its field.
        field = name.removesuffix(_SHOWS_AS_WRITTEN).rsplit("_", 1)[-1]
        return ValidationFailed(
            field,
            f"{field} contains a character that does not show or that turns text around.",
            code="INVALID_CHARACTERS",
        )
    if name in _AUTHENTICATION:
        code, message = _AUTHENTICATION[name]
        return AuthenticationFailed(message, code=code)
    return None
