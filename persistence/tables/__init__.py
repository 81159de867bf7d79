"""Table definitions, one module per feature; importing this package
registers them all on `metadata` (Alembic compares against it)."""

from persistence.tables.accounts import (
    accounts,
    invitations,
    password_resets,
    refresh_tokens,
    sessions,
)
from persistence.tables.agreements import agreement_changes, autonomy_agreements
from persistence.tables.base import metadata
from persistence.tables.budgets import address_cost_budgets, person_cost_budgets
from persistence.tables.coaching import coach_availability, coach_sessions
from persistence.tables.feedback import (
    feedback_answers,
    feedback_invitations,
    feedback_questions,
    feedback_requests,
    feedback_templates,
)
from persistence.tables.feedback_items import feedback_actions, feedback_items, feedback_shares
from persistence.tables.goals import goal_check_ins, goal_shares, goals
from persistence.tables.knowledge_areas import knowledge_areas
from persistence.tables.mentoring import learning_wishes, mentor_offers, mentor_profiles
from persistence.tables.notifications import notifications
from persistence.tables.one_on_ones import (
    action_items,
    agenda_items,
    meeting_notes,
    one_on_one_meetings,
    one_on_one_participants,
    one_on_one_series,
)
from persistence.tables.organizations import organizations
from persistence.tables.people import people
from persistence.tables.read_log import read_log
from persistence.tables.relationships import mentorship_areas, relationships
from persistence.tables.roles import role_assignments
from persistence.tables.talking_points import talking_points
from persistence.tables.teams import team_memberships, teams
from persistence.tables.throttling import throttle_counters

__all__ = [
    "accounts",
    "action_items",
    "address_cost_budgets",
    "agenda_items",
    "agreement_changes",
    "autonomy_agreements",
    "coach_availability",
    "coach_sessions",
    "feedback_actions",
    "feedback_answers",
    "feedback_invitations",
    "feedback_items",
    "feedback_questions",
    "feedback_requests",
    "feedback_shares",
    "feedback_templates",
    "goal_check_ins",
    "goal_shares",
    "goals",
    "invitations",
    "knowledge_areas",
    "learning_wishes",
    "meeting_notes",
    "mentor_offers",
    "mentor_profiles",
    "mentorship_areas",
    "metadata",
    "notifications",
    "one_on_one_meetings",
    "one_on_one_participants",
    "one_on_one_series",
    "organizations",
    "password_resets",
    "people",
    "person_cost_budgets",
    "read_log",
    "refresh_tokens",
    "relationships",
    "role_assignments",
    "sessions",
    "talking_points",
    "team_memberships",
    "teams",
    "throttle_counters",
]
