"""The 1-on-1 prep: what someone opens on their phone before a meeting.

It is about the person of the relationship (the stewardee, mentee or
coachee). Their steward, mentor or coach sees only what the person shared
with them; the person opening the same meeting's prep sees their own,
whole. What changed is counted since the last meeting held, or before the
first one since the relationship started: never from the beginning of
time, which would bring up everything from before the two worked
together. Every section reads through the per-request loaders (each one
statement however much there is), so the prep runs a bounded number of
SQL statements whatever its size, and the loaders' visibility rules are
the same as on every other path.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from api.graphql.agreements import AgreementNode
from api.graphql.autonomy import MismatchSignalType, ReadinessSuggestionType
from api.graphql.commands import require_actor
from api.graphql.feedback import FeedbackRequestNode
from api.graphql.feedback_items import FeedbackItemNode
from api.graphql.goals import CheckInType, GoalNode, readiness_suggestions
from api.graphql.one_on_ones import ActionItemNode, AgendaItemNode, MeetingNode
from api.graphql.read_log import READ
from domain.agreements import AutonomyAgreement
from domain.goals import CheckIn, Goal
from domain.one_on_ones import Meeting
from domain.pagination import PageRequest
from domain.prep import Suggestion, SuggestionKind, changes_since, suggest
from domain.read_log import ContentRead, ReadSource
from domain.relationships import Relationship, RelationshipKind, visible_to

if TYPE_CHECKING:
    from api.graphql.people import PersonNode
    from api.graphql.relationships import RelationshipNode

SuggestionKindType = strawberry.enum(SuggestionKind, name="TalkingPointSuggestionKind")
PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]
RelationshipRef = Annotated["RelationshipNode", strawberry.lazy("api.graphql.relationships")]

FEEDBACK_SHOWN = 50
REQUESTS_SHOWN = 20


@strawberry.type(description="A goal and its check-ins since the last meeting (or the start).")
class PrepGoal:
    goal: GoalNode
    check_ins_since: list[CheckInType] = strawberry.field(extensions=[READ])

    @property
    def content_read(self) -> ContentRead:
        return self.goal.content_read


@strawberry.type(description="Mentors and coaches of the person: counts, never content.")
class PrepActivity:
    mentors: int
    coaches: int
    coachings_started_since: int
    coach_sessions_since: int = strawberry.field(
        description="Coach sessions they had since the last meeting or the start (held, or "
        "begun and not recorded yet): a count, nothing of them."
    )


@strawberry.type(name="SuggestedTalkingPoint", description="Why this may be worth raising.")
class SuggestedTalkingPointType:
    suggestion: strawberry.Private[Suggestion]
    person_id: strawberry.Private[UUID]
    """Whom the prep is about: the goals suggestions come from are theirs."""

    @property
    def content_read(self) -> ContentRead | None:
        """A reason about a goal quotes its title."""
        if self.suggestion.goal_id is None:
            return None
        return ContentRead(ReadSource.GOAL, self.suggestion.goal_id, self.person_id)

    @strawberry.field
    def kind(self) -> SuggestionKindType:  # type: ignore[valid-type]
        return self.suggestion.kind

    @strawberry.field(extensions=[READ])
    def reason(self) -> str:
        return self.suggestion.reason

    @strawberry.field
    async def goal(self, info: strawberry.Info) -> GoalNode | None:
        if self.suggestion.goal_id is None:
            return None
        found = await info.context.loaders.goal.load(self.suggestion.goal_id)
        return GoalNode(entity=found) if found else None

    @strawberry.field
    async def agreement(self, info: strawberry.Info) -> AgreementNode | None:
        if self.suggestion.agreement_id is None:
            return None
        found = await info.context.loaders.agreement.load(self.suggestion.agreement_id)
        return AgreementNode(entity=found) if found else None

    @strawberry.field
    async def action_item(self, info: strawberry.Info) -> ActionItemNode | None:
        if self.suggestion.action_item_id is None:
            return None
        found = await info.context.loaders.action_item.load(self.suggestion.action_item_id)
        return ActionItemNode(entity=found) if found else None

    @strawberry.field
    async def relationship(self, info: strawberry.Info) -> RelationshipRef | None:
        from api.graphql.relationships import RelationshipNode

        if self.suggestion.relationship_id is None:
            return None
        found = await info.context.loaders.relationship.load(self.suggestion.relationship_id)
        return RelationshipNode(entity=found) if found else None


@strawberry.type(
    description="Before a 1-on-1: what changed for the person since the last held meeting "
    "(before the first, since the relationship started), as far as they shared it with you "
    "(all of it, when it is your own prep)."
)
class OneOnOnePrep:
    meeting: strawberry.Private[Meeting]
    relationship: strawberry.Private[Relationship]
    viewer_id: strawberry.Private[UUID]
    since: datetime = strawberry.field(
        description="When the last meeting was held; before the first, when the relationship "
        "started."
    )

    @property
    def person_id(self) -> UUID:
        return self.relationship.follower_id

    @strawberry.field(description="Whom the prep is about: the person of the relationship.")
    async def person(self, info: strawberry.Info) -> PersonRef:
        from api.graphql.people import PersonNode

        return PersonNode(entity=await info.context.loaders.person.load(self.person_id))

    @strawberry.field(description="The last meeting held before this one.")
    async def last_meeting(self, info: strawberry.Info) -> MeetingNode | None:
        found = await info.context.loaders.held_before.load(self.meeting.id)
        return MeetingNode(entity=found) if found else None

    @strawberry.field(
        description="Their goals you may read: open ones, and those closed since; with the "
        "check-ins since."
    )
    async def goals(self, info: strawberry.Info) -> list[PrepGoal]:
        goals, check_ins = await self._goals(info)
        return [
            PrepGoal(
                goal=GoalNode(entity=g),
                check_ins_since=[CheckInType(entity=c) for c in check_ins[g.id] if self._new(c)],
            )
            for g in goals
        ]

    @strawberry.field(
        description="Feedback about them given since, that they shared with you (newest first)."
    )
    async def feedback(self, info: strawberry.Info) -> list[FeedbackItemNode]:
        page = await info.context.loaders.feedback_received_page(
            self.person_id, PageRequest(first=FEEDBACK_SHOWN), shared_only=True, since=self.since
        )
        return [FeedbackItemNode(entity=item) for item, _ in page.items]

    @strawberry.field(
        description="Their feedback requests still open or closed since, whose results they "
        "shared with you."
    )
    async def feedback_requests(self, info: strawberry.Info) -> list[FeedbackRequestNode]:
        page = await info.context.loaders.feedback_requests_page(
            self.person_id, PageRequest(first=REQUESTS_SHOWN), since=self.since
        )
        return [FeedbackRequestNode(entity=request) for request, _ in page.items]

    @strawberry.field(description="The open autonomy agreements between the two of you.")
    async def agreements(self, info: strawberry.Info) -> list[AgreementNode]:
        return [AgreementNode(entity=a) for a in await self._agreements(info)]

    @strawberry.field(description="The mismatch signals of those agreements.")
    async def mismatch_signals(self, info: strawberry.Info) -> list[MismatchSignalType]:
        return [
            MismatchSignalType(signal=s) for a in await self._agreements(info) for s in a.signals
        ]

    @strawberry.field(description="Readiness for the next stage (for the person and steward).")
    async def readiness_suggestions(self, info: strawberry.Info) -> list[ReadinessSuggestionType]:
        from api.graphql.people import PersonNode

        person = PersonNode(entity=await info.context.loaders.person.load(self.person_id))
        return await readiness_suggestions(person, info) or []

    @strawberry.field(description="Action items of both of you not done yet.")
    async def open_action_items(self, info: strawberry.Info) -> list[ActionItemNode]:
        found = await info.context.loaders.open_action_items.load(self.meeting.series_id)
        return [ActionItemNode(entity=i) for i in found]

    @strawberry.field(description="This meeting's agenda: carried over and new.")
    async def agenda(self, info: strawberry.Info) -> list[AgendaItemNode]:
        found = await info.context.loaders.agenda.load(self.meeting.id)
        return [AgendaItemNode(entity=i) for i in found]

    @strawberry.field(description="Their stewardships and mentorships started or ended since.")
    async def relationship_changes(self, info: strawberry.Info) -> list[RelationshipRef]:
        from api.graphql.relationships import RelationshipNode

        changed = await info.context.loaders.relationship_changes.load((self.person_id, self.since))
        return [
            RelationshipNode(entity=r)
            for r in changed
            if r.kind is not RelationshipKind.COACHING and visible_to(r, self.viewer_id)
        ]

    @strawberry.field
    async def activity(self, info: strawberry.Info) -> PrepActivity:
        following = info.context.loaders.active_following
        mentors = await following[RelationshipKind.MENTORSHIP].load(self.person_id)
        coaches = await following[RelationshipKind.COACHING].load(self.person_id)
        changed = await info.context.loaders.relationship_changes.load((self.person_id, self.since))
        started = [
            r
            for r in changed
            if r.kind is RelationshipKind.COACHING
            and r.follower_id == self.person_id
            and r.started_at is not None
            and r.started_at > self.since
        ]
        sessions = await info.context.loaders.coach_sessions_since.load(
            (self.person_id, self.since)
        )
        return PrepActivity(
            mentors=len(mentors),
            coaches=len(coaches),
            coachings_started_since=len(started),
            coach_sessions_since=sessions or 0,
        )

    @strawberry.field(description="Derived from all of the above, each with its reason.")
    async def suggested_talking_points(
        self, info: strawberry.Info
    ) -> list[SuggestedTalkingPointType]:
        goals, check_ins = await self._goals(info)
        found = suggest(
            goals=goals,
            check_ins=check_ins,
            agreements=await self._agreements(info),
            action_items=await info.context.loaders.open_action_items.load(self.meeting.series_id),
            relationship=self.relationship,
            since=self.since,
            today=info.context.now.date(),
        )
        return [SuggestedTalkingPointType(suggestion=s, person_id=self.person_id) for s in found]

    def _new(self, entry: CheckIn) -> bool:
        return entry.created_at > self.since

    async def _goals(self, info: strawberry.Info) -> tuple[list[Goal], dict[UUID, list[CheckIn]]]:
        visible = await info.context.loaders.goals_of.load(self.person_id)
        goals = [
            g
            for g in visible
            if g.is_open or (g.achieved_at or g.abandoned_at or g.created_at) > self.since
        ]
        entries = await info.context.loaders.check_ins.load_many([g.id for g in goals])
        return goals, {g.id: list(e) for g, e in zip(goals, entries, strict=True)}

    async def _agreements(self, info: strawberry.Info) -> list[AutonomyAgreement]:
        """The pair's own: the person's prep of the meeting with their
        steward does not bring in what they agreed with a mentor or coach."""
        found = await info.context.loaders.agreements_of.load(self.person_id)
        return [
            a
            for a in found
            if (a.leader_id, a.follower_id)
            == (self.relationship.leader_id, self.relationship.follower_id)
        ]


async def prepare(info: strawberry.Info, meeting: Meeting) -> OneOnOnePrep | None:
    """None once the relationship has ended. Its counts (mentors, coach
    sessions, relationships started) run up to now: served to a former
    steward, they would keep telling them about the person's life after
    the stewardship, which nothing shared with them covers."""
    actor = await require_actor(info)
    series = await info.context.loaders.one_on_one_series.load(meeting.series_id)
    relationship = await info.context.loaders.relationship.load(series.relationship_id)
    if not relationship.is_active:
        return None
    last = await info.context.loaders.held_before.load(meeting.id)
    return OneOnOnePrep(
        meeting=meeting,
        relationship=relationship,
        viewer_id=actor.person_id,
        since=changes_since(relationship, last),
    )
