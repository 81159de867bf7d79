"""How many items each plain list field returns, for an operation's cost.

Connections are sized by the page a query asks for (`first`/`last`, or the
default page size). Every other field returning a list of objects has a
bound here: the cap the domain keeps where there is one (questions of a
request, availability windows, a steward's capacity), the argument that
sizes it where one does (`nodes(ids:)`, `feedbackSuggestions(limit:)`), and
otherwise a size assumed for an ordinary organization. A list of scalars or
enums costs nothing (it adds no object to resolve), so it needs no bound.

Keyed by "Type.field" as the schema names them; tests/unit/test_cost_bounds
checks that every list of objects in the schema has a bound here and that
no bound names a field that is gone, so a new list field cannot go unpriced.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.graphql.node import MAX_NODES
from api.graphql.one_on_one_prep import FEEDBACK_SHOWN, REQUESTS_SHOWN
from domain.autonomy import AutonomyStage, SignalKind
from domain.availability import WINDOWS_MAX
from domain.capacity import CAPACITY_MAX
from domain.coaching import ONE_OFF_MAX, SLOT_RANGE_DAYS_MAX
from domain.feedback import QUESTIONS_MAX
from domain.matching import Criterion
from domain.one_on_ones import AGENDA_MAX


@dataclass(frozen=True)
class SizedBy:
    """A list as long as an argument says: a number, or the length of a
    list argument; at most `most` (None: the maximum page size)."""

    argument: str
    most: int | None = None


FEW = 5
"""Assumed: what a person usually has a handful of (teams, roles, coaches)."""
SOME = 20
"""Assumed: lists that grow with use (check-ins, readers, a team's members)."""
MANY = 50
"""Assumed: organization-wide lists outside a connection."""

SLOTS_PER_DAY = 8
"""Assumed: the free slots a coach offers on a day."""

LIST_BOUNDS: dict[str, int | SizedBy] = {
    "AreaMentoring.mentorsNearCapacity": MANY,
    "AreaMentoring.unmatchedWishes": MANY,
    "AutonomyAgreement.history": SOME,
    "AutonomyAgreement.signals": len(SignalKind),
    "CoachAvailability.freeSlots": SLOT_RANGE_DAYS_MAX * SLOTS_PER_DAY,
    "CoachAvailability.oneOff": ONE_OFF_MAX,
    "CoachAvailability.weekly": WINDOWS_MAX,
    "FeedbackInvitation.myAnswers": QUESTIONS_MAX,
    "FeedbackItem.actions": FEW,
    "FeedbackItem.readBy": SOME,
    "FeedbackItem.sharedWith": FEW,
    "FeedbackQuestionResult.namedAnswers": SOME,
    "FeedbackRequest.actions": FEW,
    "FeedbackRequest.invitees": SOME,
    "FeedbackRequest.questions": QUESTIONS_MAX,
    "FeedbackRequest.readBy": SOME,
    "FeedbackRequest.sharedWith": FEW,
    "FeedbackResults.questions": QUESTIONS_MAX,
    "FeedbackShare.readBy": SOME,
    "FeedbackTemplate.questions": QUESTIONS_MAX,
    "Goal.checkIns": SOME,
    "Goal.readBy": SOME,
    "Goal.sharedWith": FEW,
    "GoalShare.readBy": SOME,
    "KnowledgeArea.children": SOME,
    "KnowledgeArea.leads": FEW,
    "LearningWish.availability": WINDOWS_MAX,
    "MentorMatch.scores": len(Criterion),
    "MentorProfile.availability": WINDOWS_MAX,
    "OneOnOneMeeting.actionItems": SOME,
    "OneOnOneMeeting.agenda": AGENDA_MAX,
    "OneOnOneMeeting.notes": SOME,
    "OneOnOnePrep.agenda": AGENDA_MAX,
    "OneOnOnePrep.agreements": SOME,
    "OneOnOnePrep.feedback": FEEDBACK_SHOWN,
    "OneOnOnePrep.feedbackRequests": REQUESTS_SHOWN,
    "OneOnOnePrep.goals": SOME,
    "OneOnOnePrep.mismatchSignals": SOME,
    "OneOnOnePrep.openActionItems": SOME,
    "OneOnOnePrep.readinessSuggestions": len(AutonomyStage),
    "OneOnOnePrep.relationshipChanges": SOME,
    "OneOnOnePrep.suggestedTalkingPoints": SOME,
    "OneOnOneSeries.openActionItems": SOME,
    "Organization.coachUsage": MANY,
    "OrganizationShare.readBy": SOME,
    "Person.agreements": SOME,
    "Person.coachees": SOME,
    "Person.coaches": FEW,
    "Person.feedbackSuggestions": SizedBy("limit"),
    "Person.goals": SOME,
    "Person.learningWishes": SOME,
    "Person.mentees": CAPACITY_MAX,
    "Person.mentorOffers": SOME,
    "Person.mentors": FEW,
    "Person.mismatchSignals": SOME,
    "Person.oneOnOnes": SOME,
    "Person.proposalsFromMe": FEW,
    "Person.proposalsToMe": FEW,
    "Person.readinessSuggestions": len(AutonomyStage),
    "Person.relationshipsDueForReview": FEW,
    "Person.roleProposalsFromMe": FEW,
    "Person.roleProposalsToMe": FEW,
    "Person.roles": FEW,
    "Person.stewardeeMismatches": CAPACITY_MAX,
    "Person.stewardees": CAPACITY_MAX,
    "Person.teams": FEW,
    "PrepGoal.checkInsSince": SOME,
    "Query.autonomyStages": len(AutonomyStage),
    "Query.coaches": MANY,
    "Query.feedbackTemplates": MANY,
    "Query.nodes": SizedBy("ids", MAX_NODES),
    "Query.roleHolders": MANY,
    "ReadinessSuggestion.evidence": SOME,
    "Relationship.knowledgeAreas": FEW,
    "StewardeeMismatch.signals": SOME,
    "Team.leaders": FEW,
    "Team.members": SOME,
    "Team.membershipHistory": SOME,
}
