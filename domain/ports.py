"""What the domain needs from the outside world, as protocols.

Persistence implements the repositories and the unit of work on PostgreSQL;
unit tests implement them in memory (tests/unit/fakes.py). Repositories of
tenant data are bound to one organization when the unit of work is opened,
so a use case cannot reach another organization's rows even by mistake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from domain.accounts import (
    Account,
    AccountSession,
    Invitation,
    PasswordReset,
    RefreshToken,
    ResetClose,
    SessionEnd,
)
from domain.agreements import AgreementChange, AutonomyAgreement
from domain.budgets import BucketLevel, BudgetPolicy, BudgetSubject
from domain.coaching import CoachAvailability, CoachSession
from domain.feedback import (
    Answerer,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackQuestion,
    FeedbackRequest,
    FeedbackTemplate,
)
from domain.feedback_items import (
    FeedbackAction,
    FeedbackItem,
    FeedbackRef,
    FeedbackShare,
)
from domain.goals import CheckIn, Goal, GoalShare
from domain.knowledge_areas import KnowledgeArea
from domain.mentoring import LearningWish, MentorOffer, MentorProfile
from domain.notifications import Notification
from domain.one_on_ones import ActionItem, AgendaItem, Meeting, MeetingNote, OneOnOneSeries
from domain.organizations import Organization
from domain.people import Person
from domain.read_log import ReadRecord
from domain.relationships import MentorshipArea, Relationship, RelationshipKind
from domain.roles import Role, RoleAssignment
from domain.talking_points import TalkingPoint
from domain.teams import Team, TeamMembership
from domain.throttling import Counter, ThrottleKey


class Clock(Protocol):
    def now(self) -> datetime: ...


class PasswordHasher(Protocol):
    """Hashing a password is slow on purpose (tens of milliseconds of CPU):
    implementations do it off the event loop, a bounded number at a time,
    and callers await it holding no database connection."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password: str, password_hash: str) -> bool: ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the time a real verification takes, for unknown emails."""
        ...


class Mailer(Protocol):
    async def send_invitation(
        self, *, email: str, name: str, organization: str, token: str
    ) -> None: ...

    async def send_password_reset(
        self, *, email: str, name: str, organization: str, token: str
    ) -> None: ...


class OrganizationRepository(Protocol):
    async def add(self, organization: Organization) -> None: ...

    async def get(self, organization_id: UUID) -> Organization | None: ...

    async def get_by_slug(self, slug: str) -> Organization | None: ...

    async def all_ids(self) -> list[UUID]: ...


class PersonRepository(Protocol):
    async def add(self, person: Person) -> None: ...

    async def get(self, person_id: UUID) -> Person | None: ...

    async def handle_taken(self, handle: str) -> bool: ...

    async def email_taken(self, email: str) -> bool: ...

    async def lock(self, person_ids: Sequence[UUID]) -> None:
        """Lock these people's rows until commit, always in id order, so that
        two transactions locking the same people never deadlock."""
        ...


class TeamRepository(Protocol):
    async def add(self, team: Team) -> None: ...

    async def get(self, team_id: UUID) -> Team | None: ...

    async def name_taken(self, name: str, *, except_id: UUID | None = None) -> bool: ...


class TeamMembershipRepository(Protocol):
    async def add(self, membership: TeamMembership) -> None: ...

    async def current(self, team_id: UUID, person_id: UUID) -> TeamMembership | None: ...

    async def current_of_person(self, person_id: UUID) -> list[TeamMembership]: ...


class KnowledgeAreaRepository(Protocol):
    async def add(self, area: KnowledgeArea) -> None: ...

    async def get(self, area_id: UUID) -> KnowledgeArea | None: ...

    async def ancestry(self, area_id: UUID) -> Sequence[UUID]:
        """The area and its ancestors, nearest first."""
        ...

    async def parents(self) -> Mapping[UUID, UUID | None]:
        """Every area's parent: the whole tree in one read."""
        ...

    async def lock_tree(self) -> None:
        """Serialize tree reshaping within the organization until commit."""
        ...

    async def sibling_name_taken(
        self, name: str, parent_id: UUID | None, *, except_id: UUID | None = None
    ) -> bool: ...


class RoleAssignmentRepository(Protocol):
    async def add(self, assignment: RoleAssignment) -> None: ...

    async def get(
        self, assignment_id: UUID, *, for_update: bool = False
    ) -> RoleAssignment | None: ...

    async def holds(self, person_id: UUID, role: Role) -> bool:
        """Holds the role now, in any scope."""
        ...

    async def current(
        self, person_id: UUID, role: Role, team_id: UUID | None, knowledge_area_id: UUID | None
    ) -> RoleAssignment | None: ...

    async def open_proposal(
        self, person_id: UUID, role: Role, team_id: UUID | None, knowledge_area_id: UUID | None
    ) -> RoleAssignment | None: ...

    async def count_current(self, role: Role) -> int: ...

    async def lock_role(self, role: Role) -> None:
        """Serialize changes to who holds `role` in the organization until
        commit (so two people stepping back at once cannot both be "not the
        last one")."""
        ...

    async def open_for_person(self, person_id: UUID) -> list[RoleAssignment]:
        """Proposed or active assignments of the person, and open proposals
        they made for others, locked for update."""
        ...


class RelationshipRepository(Protocol):
    async def add(self, relationship: Relationship) -> None:
        """Raises `domain.relationships.duplicate_proposal`, naming the open
        one, when it repeats an open proposal (same pair, kind and replaced
        stewardship) that a concurrent request made."""
        ...

    async def add_areas(self, areas: Sequence[MentorshipArea]) -> None:
        """The same for a mentorship proposal: an open proposal between the
        two already covers one of the areas."""
        ...

    async def get(
        self, relationship_id: UUID, *, for_update: bool = False
    ) -> Relationship | None: ...

    async def active_stewardship_of(
        self, follower_id: UUID, *, for_update: bool = False
    ) -> Relationship | None: ...

    async def open_between(
        self, kind: RelationshipKind, leader_id: UUID, follower_id: UUID
    ) -> list[Relationship]:
        """Proposed or active relationships of this kind from leader to follower."""
        ...

    async def open_involving(
        self, person_id: UUID, *, for_update: bool = False
    ) -> list[Relationship]: ...

    async def area_ids(self, relationship_id: UUID) -> list[UUID]: ...

    async def active_mentorship_areas(self, leader_id: UUID, follower_id: UUID) -> set[UUID]: ...

    async def count_active_led(self, leader_id: UUID, kind: RelationshipKind) -> int: ...

    async def due_for_review(self, today: date, *, for_update: bool = False) -> list[Relationship]:
        """Active, review date reached, not yet reminded for that date."""
        ...


class GoalRepository(Protocol):
    async def add(self, goal: Goal) -> None: ...

    async def get(self, goal_id: UUID, *, for_update: bool = False) -> Goal | None: ...

    async def add_check_in(self, check_in: CheckIn) -> None: ...

    async def add_share(self, share: GoalShare) -> None: ...

    async def active_shares(self, goal_id: UUID) -> list[GoalShare]:
        """Not revoked, whether they still reach someone or not."""
        ...


class AgreementRepository(Protocol):
    async def add(self, agreement: AutonomyAgreement) -> None: ...

    async def get(
        self, agreement_id: UUID, *, for_update: bool = False
    ) -> AutonomyAgreement | None: ...

    async def add_change(self, change: AgreementChange) -> None: ...

    async def open_in_relationship(self, relationship_id: UUID) -> list[AutonomyAgreement]:
        """Proposed or active agreements of the relationship, locked for update."""
        ...

    async def open_in_role(self, role_assignment_id: UUID) -> list[AutonomyAgreement]:
        """The same for a product-owner role assignment."""
        ...

    async def open_in_team(self, team_id: UUID, follower_id: UUID) -> list[AutonomyAgreement]:
        """The follower's open agreements with the team's product owners."""
        ...


class FeedbackRepository(Protocol):
    async def add_request(self, request: FeedbackRequest) -> None: ...

    async def add_questions(self, questions: Sequence[FeedbackQuestion]) -> None: ...

    async def add_invitations(self, invitations: Sequence[FeedbackInvitation]) -> None: ...

    async def add_answer(self, answer: FeedbackAnswer) -> None: ...

    async def add_template(self, template: FeedbackTemplate) -> None: ...

    async def get_template(self, template_id: UUID) -> FeedbackTemplate | None: ...

    async def get_request(
        self, request_id: UUID, *, for_update: bool = False
    ) -> FeedbackRequest | None: ...

    async def get_invitation(
        self, invitation_id: UUID, *, for_update: bool = False
    ) -> FeedbackInvitation | None: ...

    async def questions_of(self, request_id: UUID) -> list[FeedbackQuestion]: ...

    async def invitations_of(self, request_id: UUID) -> list[FeedbackInvitation]: ...

    async def answers_of(self, invitation_id: UUID) -> list[FeedbackAnswer]: ...

    async def answerers(self, request_id: UUID) -> list[Answerer]:
        """Invitees whose submitted invitation holds a non-blank answer
        (ANSWERED: removed ones too in an ANONYMOUS request), with their
        membership (for the k rule)."""
        ...

    async def open_invitation_counts(
        self, person_ids: Sequence[UUID], now: datetime
    ) -> dict[UUID, int]:
        """Open invitations (FeedbackInvitation.is_open) per person."""
        ...

    async def due_requests(self, now: datetime) -> list[FeedbackRequest]:
        """Open requests past their due date, locked (skipping locked ones)."""
        ...

    async def invitations_to_remind(
        self, now: datetime, lead: timedelta
    ) -> list[FeedbackInvitation]:
        """Pending, never reminded, of open requests due within `lead` (and
        not yet due), locked for update."""
        ...


class FeedbackItemRepository(Protocol):
    """Feedback given unasked, and the shares and actions of any feedback
    (an item or a request's results)."""

    async def add(self, item: FeedbackItem) -> None: ...

    async def get(self, item_id: UUID) -> FeedbackItem | None: ...

    async def add_share(self, share: FeedbackShare) -> None: ...

    async def active_shares(self, ref: FeedbackRef) -> list[FeedbackShare]:
        """Not revoked, whether they still reach someone or not."""
        ...

    async def add_action(self, action: FeedbackAction) -> None: ...

    async def actions_of(self, ref: FeedbackRef) -> list[FeedbackAction]: ...


class TalkingPointRepository(Protocol):
    async def add(self, point: TalkingPoint) -> None: ...

    async def unplaced(self, relationship_id: UUID) -> list[TalkingPoint]:
        """Not on any agenda yet, oldest first, locked for update."""
        ...


class OneOnOneRepository(Protocol):
    async def add_series(self, series: OneOnOneSeries, participants: tuple[UUID, UUID]) -> None: ...

    async def get_series(
        self, series_id: UUID, *, for_update: bool = False
    ) -> OneOnOneSeries | None: ...

    async def series_of_relationship(
        self, relationship_id: UUID, *, for_update: bool = False
    ) -> OneOnOneSeries | None: ...

    async def add_meeting(self, meeting: Meeting) -> None: ...

    async def get_meeting(
        self, meeting_id: UUID, *, for_update: bool = False
    ) -> Meeting | None: ...

    async def next_scheduled(
        self, series_id: UUID, *, after: datetime | None = None, for_update: bool = False
    ) -> Meeting | None:
        """The earliest scheduled meeting of the series (scheduled after
        `after`, if given)."""
        ...

    async def scheduled_meetings(self, series_id: UUID) -> list[Meeting]:
        """Locked for update."""
        ...

    async def agenda_of(self, meeting_id: UUID) -> list[AgendaItem]:
        """In agenda order."""
        ...

    async def add_agenda_items(self, items: Sequence[AgendaItem]) -> None: ...

    async def get_agenda_item(self, item_id: UUID) -> AgendaItem | None: ...

    async def remove_agenda_item(self, item: AgendaItem) -> None: ...

    async def uncarried_items(self, series_id: UUID, *, before: datetime) -> list[AgendaItem]:
        """Unfinished items of held or cancelled meetings scheduled before
        `before` that no later item carries over yet, in meeting and agenda
        order."""
        ...

    async def add_note(self, note: MeetingNote) -> None: ...

    async def get_note(self, note_id: UUID, *, for_update: bool = False) -> MeetingNote | None: ...

    async def add_action_item(self, item: ActionItem) -> None: ...

    async def get_action_item(
        self, item_id: UUID, *, for_update: bool = False
    ) -> ActionItem | None: ...


class MentoringRepository(Protocol):
    async def add_offer(self, offer: MentorOffer) -> None: ...

    async def get_offer(
        self, offer_id: UUID, *, for_update: bool = False
    ) -> MentorOffer | None: ...

    async def live_offers_of(self, mentor_id: UUID) -> list[MentorOffer]:
        """Active or paused offers of the mentor."""
        ...

    async def add_profile(self, profile: MentorProfile) -> None: ...

    async def get_profile(
        self, person_id: UUID, *, for_update: bool = False
    ) -> MentorProfile | None: ...

    async def add_wish(self, wish: LearningWish) -> None: ...

    async def get_wish(self, wish_id: UUID, *, for_update: bool = False) -> LearningWish | None: ...

    async def open_wishes_of(self, person_id: UUID, area_ids: Sequence[UUID]) -> list[LearningWish]:
        """Locked for update."""
        ...


class CoachingRepository(Protocol):
    async def add_availability(self, availability: CoachAvailability) -> None: ...

    async def get_availability(
        self, coach_id: UUID, *, for_update: bool = False
    ) -> CoachAvailability | None: ...

    async def add_session(self, session: CoachSession) -> None: ...

    async def get_session(
        self, session_id: UUID, *, for_update: bool = False
    ) -> CoachSession | None: ...

    async def coach_busy(
        self, coach_id: UUID, start: datetime, end: datetime, *, excluding: UUID | None = None
    ) -> list[tuple[datetime, datetime]]:
        """From start to buffer end, the coach's sessions (not cancelled)
        that meet [start, end)."""
        ...

    async def person_busy(
        self, person_id: UUID, start: datetime, end: datetime, *, excluding: UUID | None = None
    ) -> bool:
        """Whether the person has a session (not cancelled), as coach or
        coachee, that meets [start, end)."""
        ...

    async def count_upcoming(
        self, coachee_id: UUID, now: datetime, *, excluding: UUID | None = None
    ) -> int:
        """Booked sessions of the coachee that have not started."""
        ...

    async def count_with_coach(
        self,
        coachee_id: UUID,
        coach_id: UUID,
        start: datetime,
        end: datetime,
        *,
        excluding: UUID | None = None,
    ) -> int:
        """Sessions (not cancelled) of the pair starting in [start, end)."""
        ...

    async def booked_in_relationship(
        self, relationship_id: UUID, now: datetime
    ) -> list[CoachSession]:
        """Booked sessions that have not started, locked for update."""
        ...


class NotificationRepository(Protocol):
    async def add(self, notification: Notification) -> None: ...

    async def mark_read(
        self, recipient_id: UUID, ids: Sequence[UUID] | None, now: datetime
    ) -> int: ...


class ReadLogRepository(Protocol):
    async def add(self, records: Sequence[ReadRecord]) -> None:
        """Adds each record to the one of its item, reader and day (its
        reads counted in, its moment the last read if later), or keeps it
        as a new one: one statement for all, safe under concurrent requests
        of the same reader. At most one record per item."""
        ...

    async def remove_before(self, day: date) -> int:
        """Removes the records of days before `day`; returns how many."""
        ...


class BudgetStore(Protocol):
    """The callers' cost buckets (domain.budgets). Not a repository of one
    organization, nor part of a unit of work: a client address has no
    organization, and an operation pours into its bucket before it runs,
    outside any transaction of its own."""

    async def pour(
        self, subject: BudgetSubject, cost: int, policy: BudgetPolicy, now: datetime
    ) -> BucketLevel:
        """Atomically, even under concurrent operations of the same caller
        in several processes: drains the subject's bucket to `now`, adds
        `cost` if it fits, and returns the level and whether it did."""
        ...

    async def forget_idle(self, before: datetime) -> int:
        """Removes the buckets nobody poured into since `before` (a window
        or more ago, they are empty); returns how many."""
        ...


class AccountRepository(Protocol):
    """Accounts are found by email before anyone knows the organization, so
    this repository alone is not bound to one."""

    async def add(self, account: Account) -> None: ...

    async def get(self, account_id: UUID, *, for_update: bool = False) -> Account | None:
        """`for_update` serializes everything that starts sessions or changes
        the password of the account until commit."""
        ...

    async def get_by_email(self, email: str) -> Account | None: ...

    async def get_by_person(self, person_id: UUID) -> Account | None: ...


class AccountSessionRepository(Protocol):
    """Locks are taken session first, then its refresh tokens, on every path,
    so that signing out, refreshing and changing a password never deadlock."""

    async def add(self, session: AccountSession) -> None: ...

    async def get(self, session_id: UUID, *, for_update: bool = False) -> AccountSession | None: ...

    async def end(self, session: AccountSession, now: datetime, reason: SessionEnd) -> None:
        """Ends the session (if live) and revokes its refresh tokens."""
        ...

    async def end_all_of_account(self, account_id: UUID, now: datetime, reason: SessionEnd) -> None:
        """Ends the account's live sessions and revokes their refresh tokens."""
        ...


class RefreshTokenRepository(Protocol):
    async def add(self, token: RefreshToken) -> None: ...

    async def get_by_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> RefreshToken | None: ...


class PasswordResetRepository(Protocol):
    async def add(self, reset: PasswordReset) -> None: ...

    async def get_by_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> PasswordReset | None: ...

    async def close_open_of_account(
        self, account_id: UUID, now: datetime, reason: ResetClose
    ) -> None:
        """Closes the account's open reset (at most one), expired or not."""
        ...


class InvitationRepository(Protocol):
    async def add(self, invitation: Invitation) -> None: ...

    async def get_by_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> Invitation | None: ...

    async def open_for_person(self, person_id: UUID, now: datetime) -> list[Invitation]: ...


class ThrottleRepository(Protocol):
    """Counters of attempts (domain.throttling); like accounts, looked up
    before anyone or any organization is known, so not bound to one."""

    async def lock(self, keys: Sequence[ThrottleKey]) -> Mapping[ThrottleKey, Counter]:
        """The counter of each key, locked until the transaction ends, so
        that attempts of other requests and processes wait; a key never seen
        (or removed since) has a fresh counter. Keys are locked in a fixed
        order, so two attempts sharing keys never deadlock."""
        ...

    async def save(self, counters: Sequence[Counter]) -> None:
        """Stores the counters (locked by this transaction)."""
        ...

    async def remove_expired(self, now: datetime) -> int:
        """Removes the counters that say nothing any more at `now`."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without `commit()` rolls back."""

    organizations: OrganizationRepository
    people: PersonRepository
    teams: TeamRepository
    memberships: TeamMembershipRepository
    areas: KnowledgeAreaRepository
    roles: RoleAssignmentRepository
    relationships: RelationshipRepository
    notifications: NotificationRepository
    goals: GoalRepository
    feedback: FeedbackRepository
    feedback_items: FeedbackItemRepository
    talking_points: TalkingPointRepository
    one_on_ones: OneOnOneRepository
    mentoring: MentoringRepository
    coaching: CoachingRepository
    agreements: AgreementRepository
    read_log: ReadLogRepository
    accounts: AccountRepository
    account_sessions: AccountSessionRepository
    refresh_tokens: RefreshTokenRepository
    password_resets: PasswordResetRepository
    invitations: InvitationRepository
    throttle: ThrottleRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def bind_organization(self, organization_id: UUID) -> None:
        """Scope the tenant repositories once the organization is known (sign-in
        finds it from the account). Rebinding to another one is refused."""
        ...

    async def flush(self) -> None:
        """Send pending changes now, where their order matters (a handover
        ends the old stewardship before the new one becomes active)."""
        ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, organization_id: UUID | None = None) -> UnitOfWork: ...
