"""DataLoaders, built fresh for every request (never shared between users).

Each batch opens its own short session: resolvers run concurrently and an
AsyncSession must not be used by two coroutines at once. Every loader is
bound to the viewer's organization, so no read path can reach another
tenant's rows: an id from elsewhere simply loads as missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from domain.agreements import AgreementChange, AutonomyAgreement
from domain.autonomy import AchievedGoal
from domain.coaching import CoachAvailability, CoachSession
from domain.feedback import (
    Answerer,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackQuestion,
    FeedbackRequest,
    FeedbackTemplate,
)
from domain.feedback_items import FeedbackAction, FeedbackItem, FeedbackRef, FeedbackShare
from domain.goals import CheckIn, Goal, GoalShare, GoalStatus
from domain.knowledge_areas import KnowledgeArea
from domain.matching import Criterion, MentorCandidate
from domain.mentoring import LearningWish, MentorLoad, MentorOffer, MentorProfile
from domain.notifications import Notification
from domain.one_on_ones import ActionItem, AgendaItem, Meeting, MeetingNote, OneOnOneSeries
from domain.organizations import Organization
from domain.pagination import Page, PageRequest
from domain.people import Person, PersonStatus
from domain.read_log import ReadBy
from domain.relationships import Relationship, RelationshipKind
from domain.roles import Role, RoleAssignment
from domain.talking_points import TalkingPoint
from domain.teams import Team, TeamMembership
from persistence.reads import agreements as agreement_reads
from persistence.reads import coaching as coaching_reads
from persistence.reads import feedback as feedback_reads
from persistence.reads import feedback_items as item_reads
from persistence.reads import goals as goal_reads
from persistence.reads import knowledge_areas as area_reads
from persistence.reads import mentoring as mentoring_reads
from persistence.reads import notifications as notification_reads
from persistence.reads import one_on_ones as ooo_reads
from persistence.reads import organizations as organization_reads
from persistence.reads import people as people_reads
from persistence.reads import read_log as read_log_reads
from persistence.reads import relationships as relationship_reads
from persistence.reads import roles as role_reads
from persistence.reads import teams as team_reads
from persistence.reads.feedback import FeedbackLoad

K = TypeVar("K")
V = TypeVar("V")

Fetch = Callable[[AsyncSession, UUID, Sequence[K]], Awaitable[Mapping[K, V]]]
RECENTLY_ASKED = timedelta(days=90)
"""The window of "asked lately" shown when choosing whom to ask."""
HolderKey = tuple[str, UUID | None, datetime]
"""("team", team_id, at), ("area", area_id, at) or ("org:<ROLE>", None, at)."""


async def _active(
    kind: RelationshipKind, side: str, session: AsyncSession, org: UUID, ids: Sequence[UUID]
) -> Mapping[UUID, list[Relationship]]:
    return await relationship_reads.active_by_side(session, org, kind, side, ids)


async def _load(
    kind: RelationshipKind, session: AsyncSession, org: UUID, ids: Sequence[UUID]
) -> Mapping[UUID, int]:
    return await relationship_reads.active_load(session, org, kind, ids)


class Loaders:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        organization_id: UUID,
        viewer_id: UUID,
        now: datetime,
    ) -> None:
        self._session_factory = session_factory
        self._organization_id = organization_id
        self._viewer_id = viewer_id
        self._now = now
        self._organization: asyncio.Future[Organization] | None = None
        self._area_tree: asyncio.Future[dict[UUID, tuple[UUID | None, str]]] | None = None

        self.person: DataLoader[UUID, Person | None] = self._one(people_reads.people_by_ids)
        self.team: DataLoader[UUID, Team | None] = self._one(team_reads.teams_by_ids)
        self.area: DataLoader[UUID, KnowledgeArea | None] = self._one(area_reads.areas_by_ids)
        self.teams_of_person: DataLoader[UUID, list[Team]] = self._many(
            team_reads.current_teams_of_people
        )
        self.members_of_team: DataLoader[UUID, list[Person]] = self._many(
            team_reads.current_members_of_teams
        )
        self.memberships_of_team: DataLoader[UUID, list[TeamMembership]] = self._many(
            team_reads.memberships_of_teams
        )
        self.children_of_area: DataLoader[UUID, list[KnowledgeArea]] = self._many(
            area_reads.children_of_areas
        )
        self.is_org_faculty: DataLoader[UUID, bool] = self._membership(
            lambda s, org, ids: role_reads.holders_of_role(s, org, Role.ORG_FACULTY, ids)
        )
        self.has_account: DataLoader[UUID, bool] = self._membership(
            people_reads.people_with_account
        )
        # relationships
        self.relationship: DataLoader[UUID, Relationship | None] = self._one(
            relationship_reads.relationships_by_ids
        )
        self.relationship_areas: DataLoader[UUID, list[UUID]] = self._many(
            relationship_reads.areas_of_relationships
        )
        self.relationship_activity: DataLoader[UUID, datetime | None] = self._one(
            relationship_reads.last_activity
        )
        self.stewardship_at: DataLoader[tuple[UUID, datetime], Relationship | None] = self._one(
            relationship_reads.stewardships_at
        )
        self.active_led: dict[RelationshipKind, DataLoader[UUID, list[Relationship]]] = {}
        self.active_following: dict[RelationshipKind, DataLoader[UUID, list[Relationship]]] = {}
        self.load: dict[RelationshipKind, DataLoader[UUID, int | None]] = {}
        for kind in RelationshipKind:
            self.active_led[kind] = self._many(partial(_active, kind, "leader"))
            self.active_following[kind] = self._many(partial(_active, kind, "follower"))
            self.load[kind] = self._one(partial(_load, kind))
        self.notification: DataLoader[UUID, Notification | None] = self._one(
            notification_reads.notifications_by_ids
        )
        # goals: what the viewer may read, and counts of the rest
        self.goal: DataLoader[UUID, Goal | None] = self._one(
            partial(goal_reads.visible_goals_by_ids, viewer_id=viewer_id)
        )
        self.goals_of: DataLoader[UUID, list[Goal]] = self._many(
            partial(goal_reads.visible_goals_of_owners, viewer_id=viewer_id)
        )
        self.goal_counts: DataLoader[UUID, dict[GoalStatus, int] | None] = self._one(
            goal_reads.goal_counts
        )
        self.check_ins: DataLoader[UUID, list[CheckIn]] = self._many(goal_reads.check_ins_of_goals)
        self.goal_shares: DataLoader[UUID, list[GoalShare]] = self._many(goal_reads.shares_of_goals)
        self.achieved_goals: DataLoader[UUID, list[AchievedGoal]] = self._many(
            goal_reads.achieved_goals
        )
        # autonomy agreements: only the viewer's own
        self.agreement: DataLoader[UUID, AutonomyAgreement | None] = self._one(
            partial(agreement_reads.agreements_by_ids, viewer_id=viewer_id)
        )
        self.agreements_of: DataLoader[UUID, list[AutonomyAgreement]] = self._many(
            partial(agreement_reads.agreements_of_people, viewer_id=viewer_id)
        )
        self.agreement_changes: DataLoader[UUID, list[AgreementChange]] = self._many(
            agreement_reads.changes_of_agreements
        )
        # feedback: requests for their requester and invitees, invitations
        # (with their answers) for their invitee alone
        self.feedback_request: DataLoader[UUID, FeedbackRequest | None] = self._one(
            partial(feedback_reads.requests_by_ids, viewer_id=viewer_id)
        )
        self.feedback_invitation: DataLoader[UUID, FeedbackInvitation | None] = self._one(
            partial(feedback_reads.invitations_by_ids, viewer_id=viewer_id)
        )
        self.feedback_questions: DataLoader[UUID, list[FeedbackQuestion]] = self._many(
            feedback_reads.questions_of_requests
        )
        self.feedback_invitations: DataLoader[UUID, list[FeedbackInvitation]] = self._many(
            feedback_reads.invitations_of_requests
        )
        self.feedback_answers: DataLoader[UUID, list[FeedbackAnswer]] = self._many(
            feedback_reads.answers_of_invitations
        )
        self.submitted_answers: DataLoader[UUID, list[tuple[Answerer, FeedbackAnswer]]] = (
            self._many(feedback_reads.submitted_answers_of_requests)
        )
        self.feedback_template: DataLoader[UUID, FeedbackTemplate | None] = self._one(
            feedback_reads.templates_by_ids
        )
        self.feedback_load: DataLoader[UUID, FeedbackLoad | None] = self._one(
            partial(feedback_reads.feedback_load, now=now, recent=RECENTLY_ASKED)
        )
        # feedback given unasked, and shares and actions of any feedback
        # (keyed by the item's or the request's id)
        self.feedback_item: DataLoader[UUID, FeedbackItem | None] = self._one(
            partial(item_reads.items_by_ids, viewer_id=viewer_id)
        )
        self.feedback_shared_with_viewer: DataLoader[UUID, bool] = self._membership(
            partial(item_reads.shared_with_viewer, viewer_id=viewer_id)
        )
        self.feedback_shares: DataLoader[UUID, list[FeedbackShare]] = self._many(
            item_reads.active_shares
        )
        self.feedback_actions: DataLoader[UUID, list[FeedbackAction]] = self._many(
            item_reads.actions
        )
        self.talking_point: DataLoader[UUID, TalkingPoint | None] = self._one(
            partial(item_reads.talking_points_by_ids, viewer_id=viewer_id)
        )
        self.talking_point_source: DataLoader[UUID, FeedbackRef | None] = self._one(
            partial(item_reads.sources_of_talking_points, viewer_id=viewer_id)
        )
        # the read log of goals and feedback (keyed by the item's or the
        # request's id): for their owner only
        self.read_by: DataLoader[UUID, list[ReadBy]] = self._many(
            partial(read_log_reads.readers_of, owner_id=viewer_id)
        )
        # 1-on-1s: for the two people of a series only (private notes for
        # their author only)
        self.one_on_one_series: DataLoader[UUID, OneOnOneSeries | None] = self._one(
            partial(ooo_reads.series_by_ids, viewer_id=viewer_id)
        )
        self.series_of_relationship: DataLoader[UUID, OneOnOneSeries | None] = self._one(
            partial(ooo_reads.series_of_relationships, viewer_id=viewer_id)
        )
        self.meeting: DataLoader[UUID, Meeting | None] = self._one(
            partial(ooo_reads.meetings_by_ids, viewer_id=viewer_id)
        )
        self.next_meeting: DataLoader[UUID, Meeting | None] = self._one(ooo_reads.next_meetings)
        self.held_before: DataLoader[UUID, Meeting | None] = self._one(ooo_reads.held_before)
        self.agenda: DataLoader[UUID, list[AgendaItem]] = self._many(ooo_reads.agendas)
        self.agenda_item: DataLoader[UUID, AgendaItem | None] = self._one(
            partial(ooo_reads.agenda_items_by_ids, viewer_id=viewer_id)
        )
        self.meeting_notes: DataLoader[UUID, list[MeetingNote]] = self._many(
            partial(ooo_reads.notes_of_meetings, viewer_id=viewer_id)
        )
        self.meeting_note: DataLoader[UUID, MeetingNote | None] = self._one(
            partial(ooo_reads.notes_by_ids, viewer_id=viewer_id)
        )
        self.action_item: DataLoader[UUID, ActionItem | None] = self._one(
            partial(ooo_reads.action_items_by_ids, viewer_id=viewer_id)
        )
        self.meeting_action_items: DataLoader[UUID, list[ActionItem]] = self._many(
            ooo_reads.action_items_of_meetings
        )
        self.open_action_items: DataLoader[UUID, list[ActionItem]] = self._many(
            ooo_reads.open_action_items
        )
        self.relationship_changes: DataLoader[tuple[UUID, datetime], list[Relationship]] = (
            self._many(ooo_reads.relationship_changes)
        )
        # mentoring: offers and profiles are public, wishes their person's own
        self.mentor_offer: DataLoader[UUID, MentorOffer | None] = self._one(
            mentoring_reads.offers_by_ids
        )
        self.mentor_offers_of: DataLoader[UUID, list[MentorOffer]] = self._many(
            mentoring_reads.offers_of_people
        )
        self.mentor_profile: DataLoader[UUID, MentorProfile | None] = self._one(
            mentoring_reads.profiles_of_people
        )
        self.learning_wish: DataLoader[UUID, LearningWish | None] = self._one(
            partial(mentoring_reads.wishes_by_ids, viewer_id=viewer_id)
        )
        self.unmatched_wishes: DataLoader[UUID, list[LearningWish]] = self._many(
            mentoring_reads.unmatched_wishes
        )
        self.mentors_near_capacity: DataLoader[UUID, list[MentorLoad]] = self._many(
            mentoring_reads.mentors_near_capacity
        )
        # coaching: availability is public, sessions their two people's own,
        # busy times and counts carry nothing of a session
        self.coach_availability: DataLoader[UUID, CoachAvailability | None] = self._one(
            coaching_reads.availability_of_coaches
        )
        self.coach_session: DataLoader[UUID, CoachSession | None] = self._one(
            partial(coaching_reads.sessions_by_ids, viewer_id=viewer_id)
        )
        self.coach_busy: DataLoader[coaching_reads.BusyKey, coaching_reads.BusyTimes | None] = (
            self._one(coaching_reads.busy_of_coaches)
        )
        self.coach_sessions_since: DataLoader[coaching_reads.SinceKey, int | None] = self._one(
            partial(coaching_reads.sessions_since, now=now)
        )
        # roles
        self.role_assignment: DataLoader[UUID, RoleAssignment | None] = self._one(
            role_reads.assignments_by_ids
        )
        self.roles_of: DataLoader[UUID, list[RoleAssignment]] = self._many(
            role_reads.current_roles_of_people
        )
        self.holders: DataLoader[HolderKey, list[RoleAssignment]] = self._many(
            role_reads.holders_in_scopes
        )

    # Pages are not batched (each is one statement already) but share the
    # same tenant binding.

    async def people_page(
        self, request: PageRequest, *, status: PersonStatus | None, search: str | None
    ) -> Page[Person]:
        async with self._session_factory() as session:
            return await people_reads.people_page(
                session, self._organization_id, request, status=status, search=search
            )

    async def teams_page(self, request: PageRequest) -> Page[Team]:
        async with self._session_factory() as session:
            return await team_reads.teams_page(session, self._organization_id, request)

    async def areas_page(self, request: PageRequest, *, roots_only: bool) -> Page[KnowledgeArea]:
        async with self._session_factory() as session:
            return await area_reads.areas_page(
                session, self._organization_id, request, roots_only=roots_only
            )

    async def relationship_history(
        self, person_id: UUID, viewer_id: UUID, request: PageRequest
    ) -> Page[Relationship]:
        async with self._session_factory() as session:
            return await relationship_reads.history_page(
                session, self._organization_id, person_id, viewer_id, request
            )

    async def stewardships(self, person_id: UUID, request: PageRequest) -> Page[Relationship]:
        async with self._session_factory() as session:
            return await relationship_reads.stewardships_page(
                session, self._organization_id, person_id, request
            )

    async def relationship_proposals(
        self, person_id: UUID, *, to_person: bool
    ) -> list[Relationship]:
        async with self._session_factory() as session:
            return await relationship_reads.proposals(
                session, self._organization_id, person_id, to_person=to_person
            )

    async def relationships_due_for_review(
        self, person_id: UUID, today: date
    ) -> list[Relationship]:
        async with self._session_factory() as session:
            return await relationship_reads.due_for_review(
                session, self._organization_id, person_id, today
            )

    async def people_without_steward(self, request: PageRequest) -> Page[Person]:
        async with self._session_factory() as session:
            return await relationship_reads.people_without_steward_page(
                session, self._organization_id, request
            )

    async def notifications(
        self, recipient_id: UUID, request: PageRequest, *, unread_only: bool
    ) -> Page[Notification]:
        async with self._session_factory() as session:
            return await notification_reads.notifications_page(
                session, self._organization_id, recipient_id, request, unread_only=unread_only
            )

    async def unread_notifications(self, recipient_id: UUID) -> int:
        async with self._session_factory() as session:
            return await notification_reads.unread_count(
                session, self._organization_id, recipient_id
            )

    async def role_proposals(
        self, person_id: UUID, *, to_person: bool, is_org_faculty: bool = False
    ) -> list[RoleAssignment]:
        async with self._session_factory() as session:
            if to_person:
                return await role_reads.proposals_for(
                    session, self._organization_id, person_id, is_org_faculty=is_org_faculty
                )
            return await role_reads.proposals_by(session, self._organization_id, person_id)

    async def feedback_requests_page(
        self, requester_id: UUID, request: PageRequest, *, since: datetime | None = None
    ) -> Page[FeedbackRequest]:
        async with self._session_factory() as session:
            return await feedback_reads.requests_page(
                session,
                self._organization_id,
                requester_id,
                request,
                viewer_id=self._viewer_id,
                since=since,
            )

    async def feedback_received_page(
        self,
        subject_id: UUID,
        request: PageRequest,
        *,
        shared_only: bool = False,
        since: datetime | None = None,
    ) -> Page[FeedbackItem]:
        async with self._session_factory() as session:
            return await item_reads.received_page(
                session,
                self._organization_id,
                subject_id,
                request,
                viewer_id=self._viewer_id,
                shared_only=shared_only,
                since=since,
            )

    async def meetings_page(self, series_id: UUID, request: PageRequest) -> Page[Meeting]:
        async with self._session_factory() as session:
            return await ooo_reads.meetings_page(session, self._organization_id, series_id, request)

    async def learning_wishes(self) -> list[LearningWish]:
        async with self._session_factory() as session:
            return await mentoring_reads.wishes_of(session, self._organization_id, self._viewer_id)

    async def mentor_candidates(
        self,
        wish: LearningWish,
        area_distances: Mapping[UUID, int],
        weights: Mapping[Criterion, float],
        now: datetime,
        offset: int,
    ) -> list[MentorCandidate]:
        async with self._session_factory() as session:
            return await mentoring_reads.candidates(
                session,
                self._organization_id,
                wish=wish,
                area_distances=area_distances,
                weights=weights,
                now=now,
                offset=offset,
            )

    async def coach_sessions_page(
        self, request: PageRequest, *, upcoming: bool
    ) -> Page[CoachSession]:
        async with self._session_factory() as session:
            return await coaching_reads.sessions_page(
                session,
                self._organization_id,
                self._viewer_id,
                request,
                upcoming=upcoming,
                now=self._now,
            )

    async def coach_usage(self, start: datetime, end: datetime) -> list[coaching_reads.CoachUsage]:
        async with self._session_factory() as session:
            return await coaching_reads.usage(session, self._organization_id, start, end)

    async def area_tree(self) -> dict[UUID, tuple[UUID | None, str]]:
        """Every area: id -> (parent, name). Read once per request, however
        many wishes or overviews walk it."""
        if self._area_tree is None:
            self._area_tree = asyncio.ensure_future(self._load_area_tree())
        return await self._area_tree

    async def _load_area_tree(self) -> dict[UUID, tuple[UUID | None, str]]:
        async with self._session_factory() as session:
            return await mentoring_reads.area_tree(session, self._organization_id)

    async def series_of_person(self, person_id: UUID) -> list[OneOnOneSeries]:
        async with self._session_factory() as session:
            return await ooo_reads.series_of_person(session, self._organization_id, person_id)

    async def feedback_given_page(self, request: PageRequest) -> Page[FeedbackItem]:
        async with self._session_factory() as session:
            return await item_reads.given_page(
                session, self._organization_id, self._viewer_id, request
            )

    async def feedback_inbox_page(self, request: PageRequest) -> Page[FeedbackInvitation]:
        async with self._session_factory() as session:
            return await feedback_reads.inbox_page(
                session, self._organization_id, self._viewer_id, request
            )

    async def feedback_templates(self) -> list[FeedbackTemplate]:
        async with self._session_factory() as session:
            return await feedback_reads.templates(session, self._organization_id)

    async def colleagues_to_ask(self, limit: int) -> list[Person]:
        async with self._session_factory() as session:
            return await feedback_reads.colleagues_to_ask(
                session, self._organization_id, self._viewer_id, limit, now=self._now
            )

    async def stewardee_agreements(self) -> list[AutonomyAgreement]:
        async with self._session_factory() as session:
            return await agreement_reads.agreements_led_in_stewardships(
                session, self._organization_id, self._viewer_id
            )

    async def viewer(self, session_id: UUID) -> tuple[Person, bool] | None:
        """The viewer and whether their session is live (see
        `persistence.reads.people.viewer`). The person loader is primed, so
        fields that load the viewer as a person read nothing more."""
        async with self._session_factory() as session:
            found = await people_reads.viewer(
                session, self._organization_id, self._viewer_id, session_id
            )
        if found is not None:
            self.person.prime(self._viewer_id, found[0])
        return found

    async def organization(self) -> Organization:
        """Read once per request, however many fields ask (capacities of a
        whole list of people need the organization's defaults)."""
        if self._organization is None:
            self._organization = asyncio.ensure_future(self._load_organization())
        return await self._organization

    async def _load_organization(self) -> Organization:
        async with self._session_factory() as session:
            found = await organization_reads.organization(session, self._organization_id)
        assert found is not None
        return found

    async def _fetch(self, fetch: Fetch[K, V], keys: Sequence[K]) -> Mapping[K, V]:
        async with self._session_factory() as session:
            return await fetch(session, self._organization_id, keys)

    def _one(self, fetch: Fetch[K, V]) -> DataLoader[K, V | None]:
        async def load(keys: list[K]) -> list[V | None]:
            found = await self._fetch(fetch, keys)
            return [found.get(k) for k in keys]

        return DataLoader(load_fn=load)

    def _many(self, fetch: Fetch[K, list[V]]) -> DataLoader[K, list[V]]:
        async def load(keys: list[K]) -> list[list[V]]:
            found = await self._fetch(fetch, keys)
            return [list(found.get(k, ())) for k in keys]

        return DataLoader(load_fn=load)

    def _membership(
        self, fetch: Callable[[AsyncSession, UUID, Sequence[UUID]], Awaitable[set[UUID]]]
    ) -> DataLoader[UUID, bool]:
        async def load(keys: list[UUID]) -> list[bool]:
            async with self._session_factory() as session:
                found = await fetch(session, self._organization_id, keys)
            return [k in found for k in keys]

        return DataLoader(load_fn=load)
