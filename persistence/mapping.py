"""Classical (imperative) mapping of the domain's dataclasses onto tables.

The domain stays plain Python; SQLAlchemy instruments the classes so that the
unit of work tracks their changes. No relationships are mapped: entities
refer to each other by id, so nothing can ever lazy-load behind our back,
and reads that need related rows go through batch queries. Generated
columns are the database's own (a share's `relationship_kind`, which its
foreign key reads): the domain neither sets nor reads them.
"""

from __future__ import annotations

from sqlalchemy.orm import registry

from domain.accounts import Account, AccountSession, Invitation, PasswordReset, RefreshToken
from domain.agreements import AgreementChange, AutonomyAgreement
from domain.coaching import CoachAvailability, CoachSession
from domain.feedback import (
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackQuestion,
    FeedbackRequest,
    FeedbackTemplate,
)
from domain.feedback_items import FeedbackAction, FeedbackItem, FeedbackShare
from domain.goals import CheckIn, Goal, GoalShare
from domain.knowledge_areas import KnowledgeArea
from domain.mentoring import LearningWish, MentorOffer, MentorProfile
from domain.notifications import Notification
from domain.one_on_ones import ActionItem, AgendaItem, Meeting, MeetingNote, OneOnOneSeries
from domain.organizations import Organization
from domain.people import Person
from domain.relationships import MentorshipArea, Relationship
from domain.roles import RoleAssignment
from domain.talking_points import TalkingPoint
from domain.teams import Team, TeamMembership
from persistence import tables

mapper_registry = registry(metadata=tables.metadata)
_mapped = False


def is_mapped() -> bool:
    return _mapped


def map_domain() -> None:
    """Idempotent; called by the unit of work and the session factory."""
    global _mapped
    if _mapped:
        return
    for cls, table in (
        (Organization, tables.organizations),
        (Person, tables.people),
        (Team, tables.teams),
        (TeamMembership, tables.team_memberships),
        (KnowledgeArea, tables.knowledge_areas),
        (RoleAssignment, tables.role_assignments),
        (Relationship, tables.relationships),
        (MentorshipArea, tables.mentorship_areas),
        (Notification, tables.notifications),
        (Goal, tables.goals),
        (CheckIn, tables.goal_check_ins),
        (GoalShare, tables.goal_shares),
        (AutonomyAgreement, tables.autonomy_agreements),
        (AgreementChange, tables.agreement_changes),
        (FeedbackRequest, tables.feedback_requests),
        (FeedbackQuestion, tables.feedback_questions),
        (FeedbackInvitation, tables.feedback_invitations),
        (FeedbackAnswer, tables.feedback_answers),
        (FeedbackTemplate, tables.feedback_templates),
        (FeedbackItem, tables.feedback_items),
        (FeedbackShare, tables.feedback_shares),
        (FeedbackAction, tables.feedback_actions),
        (TalkingPoint, tables.talking_points),
        (OneOnOneSeries, tables.one_on_one_series),
        (Meeting, tables.one_on_one_meetings),
        (AgendaItem, tables.agenda_items),
        (MeetingNote, tables.meeting_notes),
        (ActionItem, tables.action_items),
        (MentorOffer, tables.mentor_offers),
        (MentorProfile, tables.mentor_profiles),
        (LearningWish, tables.learning_wishes),
        (CoachAvailability, tables.coach_availability),
        (CoachSession, tables.coach_sessions),
        (Account, tables.accounts),
        (AccountSession, tables.sessions),
        (RefreshToken, tables.refresh_tokens),
        (PasswordReset, tables.password_resets),
        (Invitation, tables.invitations),
    ):
        mapper_registry.map_imperatively(
            cls, table, exclude_properties=[c.key for c in table.columns if c.computed]
        )
    _mapped = True
