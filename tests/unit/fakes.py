"""In-memory implementations of every protocol in `domain.ports`, for unit
tests of the domain without a database.

`FakeDatabase` plays the database: one dict per table, keyed by id, shared by
every unit of work a `FakeUnitOfWorkFactory` opens. Repositories hand out
the stored objects themselves, so a use case's changes to an entity are
"written" at once, as with an ORM session. A unit of work takes a snapshot
(a copy of every row of every table) when it is entered and at each commit; rolling
back, or leaving the block without committing, puts the snapshot back.

Tenant repositories (people, teams, memberships, areas, roles,
relationships with their mentorship areas, notifications) exist only once an
organization is bound and see only that organization's rows, as in
persistence; organizations, accounts, refresh tokens, invitations and
throttle counters are looked up before the organization is known, so they
are not bound.

Locks and flushes do nothing here (there is one transaction at a time), but
they are recorded on the `FakeDatabase` so tests can check they happen.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, is_dataclass, replace
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Self
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
from domain.agreements import AgreementChange, AgreementStatus, AutonomyAgreement
from domain.budgets import BucketLevel, BudgetPolicy, BudgetSubject
from domain.coaching import CoachAvailability, CoachSession, SessionStatus
from domain.errors import Conflict
from domain.feedback import (
    Answerer,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackQuestion,
    FeedbackRequest,
    FeedbackTemplate,
    InvitationStatus,
    RequestStatus,
    said_something,
)
from domain.feedback_items import (
    FeedbackAction,
    FeedbackItem,
    FeedbackRef,
    FeedbackShare,
)
from domain.goals import CheckIn, Goal, GoalShare
from domain.knowledge_areas import KnowledgeArea
from domain.mentoring import LearningWish, MentorOffer, MentorProfile, OfferStatus
from domain.notifications import Notification
from domain.one_on_ones import (
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingNote,
    MeetingStatus,
    OneOnOneSeries,
)
from domain.organizations import Organization
from domain.people import Person
from domain.ports import (
    AccountRepository,
    AccountSessionRepository,
    AgreementRepository,
    CoachingRepository,
    FeedbackItemRepository,
    FeedbackRepository,
    GoalRepository,
    InvitationRepository,
    KnowledgeAreaRepository,
    MentoringRepository,
    NotificationRepository,
    OneOnOneRepository,
    OrganizationRepository,
    PasswordResetRepository,
    PersonRepository,
    ReadLogRepository,
    RefreshTokenRepository,
    RelationshipRepository,
    RoleAssignmentRepository,
    TalkingPointRepository,
    TeamMembershipRepository,
    TeamRepository,
    ThrottleRepository,
)
from domain.read_log import ReadRecord
from domain.relationships import (
    MentorshipArea,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
    duplicate_proposal,
)
from domain.roles import Role, RoleAssignment, RoleStatus
from domain.shares import RELATIONSHIP_OF, Share
from domain.talking_points import TalkingPoint
from domain.teams import Team, TeamMembership
from domain.throttling import LONGEST_DELAY, Counter, Scope, ThrottleKey


@dataclass
class Tables:
    organizations: dict[UUID, Organization] = field(default_factory=dict)
    people: dict[UUID, Person] = field(default_factory=dict)
    teams: dict[UUID, Team] = field(default_factory=dict)
    memberships: dict[UUID, TeamMembership] = field(default_factory=dict)
    areas: dict[UUID, KnowledgeArea] = field(default_factory=dict)
    roles: dict[UUID, RoleAssignment] = field(default_factory=dict)
    relationships: dict[UUID, Relationship] = field(default_factory=dict)
    mentorship_areas: dict[UUID, MentorshipArea] = field(default_factory=dict)
    notifications: dict[UUID, Notification] = field(default_factory=dict)
    goals: dict[UUID, Goal] = field(default_factory=dict)
    check_ins: dict[UUID, CheckIn] = field(default_factory=dict)
    goal_shares: dict[UUID, GoalShare] = field(default_factory=dict)
    agreements: dict[UUID, AutonomyAgreement] = field(default_factory=dict)
    agreement_changes: dict[UUID, AgreementChange] = field(default_factory=dict)
    feedback_requests: dict[UUID, FeedbackRequest] = field(default_factory=dict)
    feedback_questions: dict[UUID, FeedbackQuestion] = field(default_factory=dict)
    feedback_invitations: dict[UUID, FeedbackInvitation] = field(default_factory=dict)
    feedback_answers: dict[UUID, FeedbackAnswer] = field(default_factory=dict)
    feedback_templates: dict[UUID, FeedbackTemplate] = field(default_factory=dict)
    feedback_items: dict[UUID, FeedbackItem] = field(default_factory=dict)
    feedback_shares: dict[UUID, FeedbackShare] = field(default_factory=dict)
    feedback_actions: dict[UUID, FeedbackAction] = field(default_factory=dict)
    talking_points: dict[UUID, TalkingPoint] = field(default_factory=dict)
    one_on_one_series: dict[UUID, OneOnOneSeries] = field(default_factory=dict)
    one_on_one_participants: dict[UUID, tuple[UUID, UUID]] = field(default_factory=dict)
    meetings: dict[UUID, Meeting] = field(default_factory=dict)
    agenda_items: dict[UUID, AgendaItem] = field(default_factory=dict)
    meeting_notes: dict[UUID, MeetingNote] = field(default_factory=dict)
    action_items: dict[UUID, ActionItem] = field(default_factory=dict)
    mentor_offers: dict[UUID, MentorOffer] = field(default_factory=dict)
    mentor_profiles: dict[UUID, MentorProfile] = field(default_factory=dict)
    learning_wishes: dict[UUID, LearningWish] = field(default_factory=dict)
    coach_availability: dict[UUID, CoachAvailability] = field(default_factory=dict)
    coach_sessions: dict[UUID, CoachSession] = field(default_factory=dict)
    read_log: dict[tuple[UUID, UUID, date], ReadRecord] = field(default_factory=dict)
    """Keyed as the table's primary key: item, reader, day."""
    accounts: dict[UUID, Account] = field(default_factory=dict)
    account_sessions: dict[UUID, AccountSession] = field(default_factory=dict)
    refresh_tokens: dict[UUID, RefreshToken] = field(default_factory=dict)
    password_resets: dict[UUID, PasswordReset] = field(default_factory=dict)
    invitations: dict[UUID, Invitation] = field(default_factory=dict)
    throttle_counters: dict[ThrottleKey, Counter] = field(default_factory=dict)


_IMMUTABLE = (str, int, float, bytes, UUID, date, datetime, enum.Enum, type(None))


def _copy_row(row: Any) -> Any:
    """A deep copy of one entity, fast: most attributes are immutable values
    (ids, dates, strings, enums) that copies may share. Rows that are plain
    tuples (a series' two participants) or frozen dataclasses (throttle
    counters) are immutable already."""
    if isinstance(row, tuple) or (is_dataclass(row) and row.__dataclass_params__.frozen):  # type: ignore[union-attr]
        return row
    clone = copy.copy(row)
    for name, value in vars(clone).items():
        if not isinstance(value, _IMMUTABLE):
            setattr(clone, name, copy.deepcopy(value))
    return clone


def copy_tables(tables: Tables) -> Tables:
    return Tables(
        **{
            name: {key: _copy_row(row) for key, row in table.items()}
            for name, table in vars(tables).items()
        }
    )


class FakeDatabase:
    """The shared store. Repositories always read `self.tables` afresh, so a
    rollback can swap in a restored copy."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.tree_locks = 0
        """How often `KnowledgeAreaRepository.lock_tree` was called."""
        self.person_locks: list[list[UUID]] = []
        self.role_locks: list[Role] = []
        """The ids passed to each `PersonRepository.lock` call, in call order."""
        self.flushes = 0
        """How often `UnitOfWork.flush` was called."""


# -- unbound repositories ------------------------------------------------------


class FakeOrganizationRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def add(self, organization: Organization) -> None:
        self._db.tables.organizations[organization.id] = organization

    async def get(self, organization_id: UUID) -> Organization | None:
        return self._db.tables.organizations.get(organization_id)

    async def get_by_slug(self, slug: str) -> Organization | None:
        return next((o for o in self._db.tables.organizations.values() if o.slug == slug), None)

    async def all_ids(self) -> list[UUID]:
        return sorted(self._db.tables.organizations)


class FakeAccountRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def add(self, account: Account) -> None:
        self._db.tables.accounts[account.id] = account

    async def get(self, account_id: UUID, *, for_update: bool = False) -> Account | None:
        return self._db.tables.accounts.get(account_id)

    async def get_by_email(self, email: str) -> Account | None:
        wanted = email.lower()
        return next((a for a in self._db.tables.accounts.values() if a.email == wanted), None)

    async def get_by_person(self, person_id: UUID) -> Account | None:
        return next(
            (a for a in self._db.tables.accounts.values() if a.person_id == person_id), None
        )


class FakeRefreshTokenRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def add(self, token: RefreshToken) -> None:
        session = self._db.tables.account_sessions.get(token.session_id)
        if session is None or not session.is_live:
            raise RuntimeError("ck_refresh_tokens_session_live: no token for an ended session")
        self._db.tables.refresh_tokens[token.id] = token

    async def get_by_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> RefreshToken | None:
        tokens = self._db.tables.refresh_tokens.values()
        return next((t for t in tokens if t.token_hash == token_hash), None)


class FakeAccountSessionRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def add(self, session: AccountSession) -> None:
        self._db.tables.account_sessions[session.id] = session

    async def get(self, session_id: UUID, *, for_update: bool = False) -> AccountSession | None:
        return self._db.tables.account_sessions.get(session_id)

    async def end(self, session: AccountSession, now: datetime, reason: SessionEnd) -> None:
        session.end(now, reason)
        self._revoke_tokens(lambda t: t.session_id == session.id, now)

    async def end_all_of_account(self, account_id: UUID, now: datetime, reason: SessionEnd) -> None:
        for session in self._db.tables.account_sessions.values():
            if session.account_id == account_id:
                session.end(now, reason)
        self._revoke_tokens(lambda t: t.account_id == account_id, now)

    def _revoke_tokens(self, which: Callable[[RefreshToken], bool], now: datetime) -> None:
        for token in self._db.tables.refresh_tokens.values():
            if which(token):
                token.revoke(now)


class FakePasswordResetRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def add(self, reset: PasswordReset) -> None:
        resets = self._db.tables.password_resets.values()
        if any(r.account_id == reset.account_id and r.closed_at is None for r in resets):
            raise RuntimeError("uq_password_resets_open: one open reset per account")
        self._db.tables.password_resets[reset.id] = reset

    async def get_by_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> PasswordReset | None:
        resets = self._db.tables.password_resets.values()
        return next((r for r in resets if r.token_hash == token_hash), None)

    async def close_open_of_account(
        self, account_id: UUID, now: datetime, reason: ResetClose
    ) -> None:
        for reset in self._db.tables.password_resets.values():
            if reset.account_id == account_id:
                reset.close(now, reason)


class FakeInvitationRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def add(self, invitation: Invitation) -> None:
        self._db.tables.invitations[invitation.id] = invitation

    async def get_by_hash(self, token_hash: str, *, for_update: bool = False) -> Invitation | None:
        invitations = self._db.tables.invitations.values()
        return next((i for i in invitations if i.token_hash == token_hash), None)

    async def open_for_person(self, person_id: UUID, now: datetime) -> list[Invitation]:
        return [
            i
            for i in self._db.tables.invitations.values()
            if i.person_id == person_id and i.accepted_at is None and i.expires_at > now
        ]


# -- tenant repositories ---------------------------------------------------------


class FakeThrottleRepository:
    """Refuses what the table's checks refuse (persistence.tables.throttling)."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def lock(self, keys: Sequence[ThrottleKey]) -> Mapping[ThrottleKey, Counter]:
        """Adds a fresh counter for a key never seen, as the table does."""
        table = self._db.tables.throttle_counters
        return {key: table.setdefault(key, Counter(key)) for key in keys}

    async def save(self, counters: Sequence[Counter]) -> None:
        for counter in counters:
            _check_counter(counter)
            self._db.tables.throttle_counters[counter.key] = counter

    async def remove_expired(self, now: datetime) -> int:
        table = self._db.tables.throttle_counters
        expired = [key for key, counter in table.items() if counter.expires_at < now]
        for key in expired:
            del table[key]
        return len(expired)


def _check_counter(counter: Counter) -> None:
    if counter.failures < 0:
        raise RuntimeError("ck_throttle_counters_failures_not_negative")
    if counter.failures and counter.last_failure_at is None:
        raise RuntimeError("ck_throttle_counters_failures_have_a_last_one")
    if counter.blocked_until is not None and (
        counter.last_failure_at is None
        or not counter.last_failure_at < counter.blocked_until
        or counter.blocked_until > counter.last_failure_at + LONGEST_DELAY
    ):
        raise RuntimeError("ck_throttle_counters_blocked_briefly_after_a_failure")
    if counter.last_success_at is not None and counter.key.scope is not (
        Scope.SIGN_IN_ACCOUNT_CLIENT
    ):
        raise RuntimeError("ck_throttle_counters_success_only_at_account_and_client")


class _TenantRepository:
    """Bound to one organization: rows of any other are invisible."""

    def __init__(self, db: FakeDatabase, organization_id: UUID) -> None:
        self._db = db
        self.organization_id = organization_id

    def _mine(self, table: dict[UUID, Any]) -> Iterator[Any]:
        return (row for row in table.values() if row.organization_id == self.organization_id)

    def _get(self, table: dict[UUID, Any], row_id: UUID) -> Any:
        row = table.get(row_id)
        return row if row is not None and row.organization_id == self.organization_id else None

    def _check_owned(self, row: Any) -> None:
        if row.organization_id != self.organization_id:
            raise RuntimeError("a tenant repository only stores rows of its organization")

    def _check_bound(self, share: Share, owner_id: UUID | None) -> None:
        """What the shares' foreign keys and trigger hold (migration 0009):
        made by the owner of what is shared (`owner_id`), and within an
        active relationship of the kind its audience says, led by the person
        shared with and followed by the owner."""
        if share.owner_id != owner_id:
            raise RuntimeError("fk: a share is made by the owner of what it shares")
        if share.relationship_id is None:
            return
        relationship = self._get(self._db.tables.relationships, share.relationship_id)
        if relationship is None or (
            relationship.kind,
            relationship.leader_id,
            relationship.follower_id,
        ) != (RELATIONSHIP_OF.get(share.audience.value), share.person_id, share.owner_id):
            raise RuntimeError("fk_*_relationship_kind_leader_follower")
        if not relationship.is_active:
            raise RuntimeError("ck_*_made_in_an_active_relationship")


class FakePersonRepository(_TenantRepository):
    async def add(self, person: Person) -> None:
        self._check_owned(person)
        self._db.tables.people[person.id] = person

    async def get(self, person_id: UUID) -> Person | None:
        person: Person | None = self._get(self._db.tables.people, person_id)
        return person

    async def handle_taken(self, handle: str) -> bool:
        return any(p.handle == handle for p in self._mine(self._db.tables.people))

    async def email_taken(self, email: str) -> bool:
        return any(p.email == email for p in self._mine(self._db.tables.people))

    async def lock(self, person_ids: Sequence[UUID]) -> None:
        self._db.person_locks.append(list(person_ids))


class FakeTeamRepository(_TenantRepository):
    async def add(self, team: Team) -> None:
        self._check_owned(team)
        self._db.tables.teams[team.id] = team

    async def get(self, team_id: UUID) -> Team | None:
        team: Team | None = self._get(self._db.tables.teams, team_id)
        return team

    async def name_taken(self, name: str, *, except_id: UUID | None = None) -> bool:
        wanted = name.lower()
        return any(
            t.name.lower() == wanted and t.id != except_id
            for t in self._mine(self._db.tables.teams)
        )


class FakeTeamMembershipRepository(_TenantRepository):
    async def add(self, membership: TeamMembership) -> None:
        self._check_owned(membership)
        self._db.tables.memberships[membership.id] = membership

    async def current(self, team_id: UUID, person_id: UUID) -> TeamMembership | None:
        return next(
            (
                m
                for m in self._mine(self._db.tables.memberships)
                if m.team_id == team_id and m.person_id == person_id and m.ended_at is None
            ),
            None,
        )

    async def current_of_person(self, person_id: UUID) -> list[TeamMembership]:
        return [
            m
            for m in self._mine(self._db.tables.memberships)
            if m.person_id == person_id and m.ended_at is None
        ]


class FakeKnowledgeAreaRepository(_TenantRepository):
    async def add(self, area: KnowledgeArea) -> None:
        self._check_owned(area)
        self._db.tables.areas[area.id] = area

    async def get(self, area_id: UUID) -> KnowledgeArea | None:
        area: KnowledgeArea | None = self._get(self._db.tables.areas, area_id)
        return area

    async def ancestry(self, area_id: UUID) -> Sequence[UUID]:
        """The area and its ancestors, nearest first (empty if unknown)."""
        chain: list[UUID] = []
        current = await self.get(area_id)
        while current is not None and current.id not in chain:  # a loop would never end
            chain.append(current.id)
            current = None if current.parent_id is None else await self.get(current.parent_id)
        return chain

    async def parents(self) -> Mapping[UUID, UUID | None]:
        return {
            area.id: area.parent_id
            for area in self._db.tables.areas.values()
            if area.organization_id == self.organization_id
        }

    async def lock_tree(self) -> None:
        self._db.tree_locks += 1

    async def sibling_name_taken(
        self, name: str, parent_id: UUID | None, *, except_id: UUID | None = None
    ) -> bool:
        wanted = name.lower()
        return any(
            a.parent_id == parent_id and a.name.lower() == wanted and a.id != except_id
            for a in self._mine(self._db.tables.areas)
        )


class FakeRoleAssignmentRepository(_TenantRepository):
    async def add(self, assignment: RoleAssignment) -> None:
        self._check_owned(assignment)
        self._db.tables.roles[assignment.id] = assignment

    async def get(self, assignment_id: UUID, *, for_update: bool = False) -> RoleAssignment | None:
        assignment: RoleAssignment | None = self._get(self._db.tables.roles, assignment_id)
        return assignment

    async def holds(self, person_id: UUID, role: Role) -> bool:
        # The database ties `ended_at` to the status (ACTIVE rows have none);
        # checking both keeps hand-built rows honest.
        return any(
            r.person_id == person_id and r.role is role and self._held(r)
            for r in self._mine(self._db.tables.roles)
        )

    async def current(
        self, person_id: UUID, role: Role, team_id: UUID | None, knowledge_area_id: UUID | None
    ) -> RoleAssignment | None:
        return self._in_scope(person_id, role, team_id, knowledge_area_id, RoleStatus.ACTIVE)

    async def open_proposal(
        self, person_id: UUID, role: Role, team_id: UUID | None, knowledge_area_id: UUID | None
    ) -> RoleAssignment | None:
        return self._in_scope(person_id, role, team_id, knowledge_area_id, RoleStatus.PROPOSED)

    async def count_current(self, role: Role) -> int:
        return sum(1 for r in self._mine(self._db.tables.roles) if r.role is role and self._held(r))

    async def open_for_person(self, person_id: UUID) -> list[RoleAssignment]:
        return [
            r
            for r in self._mine(self._db.tables.roles)
            if (r.person_id == person_id and r.status in (RoleStatus.PROPOSED, RoleStatus.ACTIVE))
            or (r.proposed_by_id == person_id and r.status is RoleStatus.PROPOSED)
        ]

    async def lock_role(self, role: Role) -> None:
        self._db.role_locks.append(role)

    @staticmethod
    def _held(assignment: RoleAssignment) -> bool:
        return assignment.status is RoleStatus.ACTIVE and assignment.ended_at is None

    def _in_scope(
        self,
        person_id: UUID,
        role: Role,
        team_id: UUID | None,
        knowledge_area_id: UUID | None,
        status: RoleStatus,
    ) -> RoleAssignment | None:
        return next(
            (
                r
                for r in self._mine(self._db.tables.roles)
                if r.person_id == person_id
                and r.role is role
                and r.team_id == team_id
                and r.knowledge_area_id == knowledge_area_id
                and r.status is status
            ),
            None,
        )


_OPEN = (RelationshipStatus.PROPOSED, RelationshipStatus.ACTIVE)


class FakeRelationshipRepository(_TenantRepository):
    async def add(self, relationship: Relationship) -> None:
        """Refuses a repeated open proposal like uq_relationships_open_proposal."""
        self._check_owned(relationship)
        if (
            relationship.status is RelationshipStatus.PROPOSED
            and relationship.kind is not RelationshipKind.MENTORSHIP
        ):
            for other in self._relationships():
                if other.status is RelationshipStatus.PROPOSED and (
                    other.kind,
                    other.leader_id,
                    other.follower_id,
                    other.replaces_id,
                ) == (
                    relationship.kind,
                    relationship.leader_id,
                    relationship.follower_id,
                    relationship.replaces_id,
                ):
                    raise duplicate_proposal(other.id)
        self._db.tables.relationships[relationship.id] = relationship

    async def add_areas(self, areas: Sequence[MentorshipArea]) -> None:
        """Refuses an area of an open proposal between the two like
        uq_mentorship_areas_proposed."""
        for area in areas:
            self._check_owned(area)
            if self._status(area) is not RelationshipStatus.PROPOSED:
                continue
            for other in self._areas():
                if self._status(other) is RelationshipStatus.PROPOSED and (
                    other.leader_id,
                    other.follower_id,
                    other.knowledge_area_id,
                ) == (area.leader_id, area.follower_id, area.knowledge_area_id):
                    raise duplicate_proposal(other.relationship_id)
        for area in areas:
            self._db.tables.mentorship_areas[area.id] = area

    async def get(self, relationship_id: UUID, *, for_update: bool = False) -> Relationship | None:
        relationship: Relationship | None = self._get(
            self._db.tables.relationships, relationship_id
        )
        return relationship

    async def active_stewardship_of(
        self, follower_id: UUID, *, for_update: bool = False
    ) -> Relationship | None:
        return next(
            (
                r
                for r in self._relationships()
                if r.follower_id == follower_id
                and r.kind is RelationshipKind.STEWARDSHIP
                and r.status is RelationshipStatus.ACTIVE
            ),
            None,
        )

    async def open_between(
        self, kind: RelationshipKind, leader_id: UUID, follower_id: UUID
    ) -> list[Relationship]:
        return [
            r
            for r in self._relationships()
            if r.kind is kind
            and r.leader_id == leader_id
            and r.follower_id == follower_id
            and r.status in _OPEN
        ]

    async def open_involving(
        self, person_id: UUID, *, for_update: bool = False
    ) -> list[Relationship]:
        return [r for r in self._relationships() if r.involves(person_id) and r.status in _OPEN]

    async def area_ids(self, relationship_id: UUID) -> list[UUID]:
        return [a.knowledge_area_id for a in self._areas() if a.relationship_id == relationship_id]

    async def active_mentorship_areas(self, leader_id: UUID, follower_id: UUID) -> set[UUID]:
        return {
            a.knowledge_area_id
            for a in self._areas()
            if a.leader_id == leader_id
            and a.follower_id == follower_id
            and self._status(a) is RelationshipStatus.ACTIVE
        }

    def _status(self, area: MentorshipArea) -> RelationshipStatus:
        """An area's status is its relationship's (triggers keep the copy in SQL)."""
        relationship: Relationship = self._db.tables.relationships[area.relationship_id]
        return relationship.status

    async def count_active_led(self, leader_id: UUID, kind: RelationshipKind) -> int:
        return sum(
            1
            for r in self._relationships()
            if r.leader_id == leader_id and r.kind is kind and r.status is RelationshipStatus.ACTIVE
        )

    async def due_for_review(self, today: date, *, for_update: bool = False) -> list[Relationship]:
        return [
            r
            for r in self._relationships()
            if r.status is RelationshipStatus.ACTIVE
            and r.review_on is not None
            and r.review_on <= today
            and (r.review_reminded_on is None or r.review_reminded_on < r.review_on)
        ]

    def _relationships(self) -> Iterator[Relationship]:
        return self._mine(self._db.tables.relationships)

    def _areas(self) -> Iterator[MentorshipArea]:
        return self._mine(self._db.tables.mentorship_areas)


class FakeNotificationRepository(_TenantRepository):
    async def add(self, notification: Notification) -> None:
        self._check_owned(notification)
        self._db.tables.notifications[notification.id] = notification

    async def mark_read(self, recipient_id: UUID, ids: Sequence[UUID] | None, now: datetime) -> int:
        """The recipient's unread notifications (all, or those of `ids`;
        others' ids are ignored) become read. Returns how many changed."""
        wanted = None if ids is None else set(ids)
        changed = 0
        for notification in self._mine(self._db.tables.notifications):
            if (
                notification.recipient_id == recipient_id
                and notification.read_at is None
                and (wanted is None or notification.id in wanted)
            ):
                notification.mark_read(now)
                changed += 1
        return changed


class FakeGoalRepository(_TenantRepository):
    async def add(self, goal: Goal) -> None:
        self._check_owned(goal)
        self._db.tables.goals[goal.id] = goal

    async def get(self, goal_id: UUID, *, for_update: bool = False) -> Goal | None:
        return self._get(self._db.tables.goals, goal_id)

    async def add_check_in(self, check_in: CheckIn) -> None:
        self._check_owned(check_in)
        self._db.tables.check_ins[check_in.id] = check_in

    async def add_share(self, share: GoalShare) -> None:
        self._check_owned(share)
        goal = self._get(self._db.tables.goals, share.goal_id)
        self._check_bound(share, goal and goal.owner_id)
        self._db.tables.goal_shares[share.id] = share

    async def active_shares(self, goal_id: UUID) -> list[GoalShare]:
        return sorted(
            (
                s
                for s in self._mine(self._db.tables.goal_shares)
                if s.goal_id == goal_id and s.revoked_at is None
            ),
            key=lambda s: (s.created_at, s.id),
        )


class FakeAgreementRepository(_TenantRepository):
    async def add(self, agreement: AutonomyAgreement) -> None:
        self._check_owned(agreement)
        self._db.tables.agreements[agreement.id] = agreement

    async def get(
        self, agreement_id: UUID, *, for_update: bool = False
    ) -> AutonomyAgreement | None:
        return self._get(self._db.tables.agreements, agreement_id)

    async def add_change(self, change: AgreementChange) -> None:
        self._check_owned(change)
        self._db.tables.agreement_changes[change.id] = change

    async def open_in_relationship(self, relationship_id: UUID) -> list[AutonomyAgreement]:
        return [
            a
            for a in self._mine(self._db.tables.agreements)
            if a.relationship_id == relationship_id and a.status is not AgreementStatus.ENDED
        ]

    async def open_in_team(self, team_id: UUID, follower_id: UUID) -> list[AutonomyAgreement]:
        roles = {
            r.id
            for r in self._mine(self._db.tables.roles)
            if r.team_id == team_id and r.role is Role.PRODUCT_OWNER
        }
        return [
            a
            for a in self._mine(self._db.tables.agreements)
            if a.follower_id == follower_id
            and a.role_assignment_id in roles
            and a.status is not AgreementStatus.ENDED
        ]

    async def open_in_role(self, role_assignment_id: UUID) -> list[AutonomyAgreement]:
        return [
            a
            for a in self._mine(self._db.tables.agreements)
            if a.role_assignment_id == role_assignment_id and a.status is not AgreementStatus.ENDED
        ]


class FakeFeedbackRepository(_TenantRepository):
    async def due_requests(self, now: datetime) -> list[FeedbackRequest]:
        return [
            r
            for r in self._mine(self._db.tables.feedback_requests)
            if r.status is RequestStatus.OPEN and r.due_at <= now
        ]

    async def add_template(self, template: FeedbackTemplate) -> None:
        self._check_owned(template)
        self._db.tables.feedback_templates[template.id] = template

    async def get_template(self, template_id: UUID) -> FeedbackTemplate | None:
        return self._get(self._db.tables.feedback_templates, template_id)

    async def invitations_to_remind(
        self, now: datetime, lead: timedelta
    ) -> list[FeedbackInvitation]:
        requests = self._db.tables.feedback_requests
        return [
            i
            for i in self._mine(self._db.tables.feedback_invitations)
            if i.status is InvitationStatus.PENDING
            and i.reminded_at is None
            and requests[i.request_id].takes_answers(now)
            and requests[i.request_id].due_at <= now + lead
        ]

    async def add_request(self, request: FeedbackRequest) -> None:
        self._check_owned(request)
        self._db.tables.feedback_requests[request.id] = request

    async def add_questions(self, questions: Sequence[FeedbackQuestion]) -> None:
        for question in questions:
            self._check_owned(question)
            self._db.tables.feedback_questions[question.id] = question

    async def add_invitations(self, invitations: Sequence[FeedbackInvitation]) -> None:
        for invitation in invitations:
            self._check_owned(invitation)
            self._db.tables.feedback_invitations[invitation.id] = invitation

    async def add_answer(self, answer: FeedbackAnswer) -> None:
        self._check_owned(answer)
        self._db.tables.feedback_answers[answer.id] = answer

    async def get_request(
        self, request_id: UUID, *, for_update: bool = False
    ) -> FeedbackRequest | None:
        return self._get(self._db.tables.feedback_requests, request_id)

    async def get_invitation(
        self, invitation_id: UUID, *, for_update: bool = False
    ) -> FeedbackInvitation | None:
        return self._get(self._db.tables.feedback_invitations, invitation_id)

    async def questions_of(self, request_id: UUID) -> list[FeedbackQuestion]:
        found = [
            q for q in self._mine(self._db.tables.feedback_questions) if q.request_id == request_id
        ]
        return sorted(found, key=lambda q: q.position)

    async def invitations_of(self, request_id: UUID) -> list[FeedbackInvitation]:
        return [
            i
            for i in self._mine(self._db.tables.feedback_invitations)
            if i.request_id == request_id
        ]

    async def answers_of(self, invitation_id: UUID) -> list[FeedbackAnswer]:
        return [
            a
            for a in self._mine(self._db.tables.feedback_answers)
            if a.invitation_id == invitation_id
        ]

    async def answerers(self, request_id: UUID) -> list[Answerer]:
        people = self._db.tables.people
        return [
            Answerer(
                i.invitee_id, people[i.invitee_id].member_since, people[i.invitee_id].invited_by_id
            )
            for i in self._mine(self._db.tables.feedback_invitations)
            if i.request_id == request_id
            and i.status is InvitationStatus.ANSWERED
            and said_something(await self.answers_of(i.id))
        ]

    async def open_invitation_counts(
        self, person_ids: Sequence[UUID], now: datetime
    ) -> dict[UUID, int]:
        requests = self._db.tables.feedback_requests
        counts: dict[UUID, int] = {}
        for invitation in self._mine(self._db.tables.feedback_invitations):
            request = requests[invitation.request_id]
            if invitation.invitee_id in person_ids and invitation.is_open(request, now):
                counts[invitation.invitee_id] = counts.get(invitation.invitee_id, 0) + 1
        return counts


class FakeFeedbackItemRepository(_TenantRepository):
    async def add(self, item: FeedbackItem) -> None:
        self._check_owned(item)
        self._db.tables.feedback_items[item.id] = item

    async def get(self, item_id: UUID) -> FeedbackItem | None:
        return self._get(self._db.tables.feedback_items, item_id)

    async def add_share(self, share: FeedbackShare) -> None:
        self._check_owned(share)
        if share.item_id is not None:
            item = self._get(self._db.tables.feedback_items, share.item_id)
            self._check_bound(share, item and item.subject_id)
        else:
            request = self._get(self._db.tables.feedback_requests, share.request_id)
            self._check_bound(share, request and request.requester_id)
        self._db.tables.feedback_shares[share.id] = share

    async def active_shares(self, ref: FeedbackRef) -> list[FeedbackShare]:
        return sorted(
            (
                s
                for s in self._mine(self._db.tables.feedback_shares)
                if s.ref == ref and s.revoked_at is None
            ),
            key=lambda s: (s.created_at, s.id),
        )

    async def add_action(self, action: FeedbackAction) -> None:
        self._check_owned(action)
        self._db.tables.feedback_actions[action.id] = action

    async def actions_of(self, ref: FeedbackRef) -> list[FeedbackAction]:
        return [a for a in self._mine(self._db.tables.feedback_actions) if a.ref == ref]


class FakeTalkingPointRepository(_TenantRepository):
    async def add(self, point: TalkingPoint) -> None:
        self._check_owned(point)
        self._db.tables.talking_points[point.id] = point

    async def unplaced(self, relationship_id: UUID) -> list[TalkingPoint]:
        found = [
            p
            for p in self._mine(self._db.tables.talking_points)
            if p.relationship_id == relationship_id and p.placed_at is None
        ]
        return sorted(found, key=lambda p: (p.created_at, p.id))


class FakeOneOnOneRepository(_TenantRepository):
    """Participants are kept per series (the pair), as persistence keeps
    them in their own table."""

    async def add_series(self, series: OneOnOneSeries, participants: tuple[UUID, UUID]) -> None:
        self._check_owned(series)
        if any(
            s.relationship_id == series.relationship_id
            for s in self._db.tables.one_on_one_series.values()
        ):
            raise Conflict("This relationship has its 1-on-1s already.", code="SERIES_EXISTS")
        self._db.tables.one_on_one_series[series.id] = series
        self._db.tables.one_on_one_participants[series.id] = participants

    async def get_series(
        self, series_id: UUID, *, for_update: bool = False
    ) -> OneOnOneSeries | None:
        return self._get(self._db.tables.one_on_one_series, series_id)

    async def series_of_relationship(
        self, relationship_id: UUID, *, for_update: bool = False
    ) -> OneOnOneSeries | None:
        return next(
            (
                s
                for s in self._mine(self._db.tables.one_on_one_series)
                if s.relationship_id == relationship_id
            ),
            None,
        )

    async def add_meeting(self, meeting: Meeting) -> None:
        """The partial unique index persistence has: one scheduled meeting
        of a series at a time."""
        self._check_owned(meeting)
        if any(m.scheduled_at == meeting.scheduled_at for m in self._scheduled(meeting.series_id)):
            raise RuntimeError("two scheduled meetings of a series at one time")
        self._db.tables.meetings[meeting.id] = meeting

    async def get_meeting(self, meeting_id: UUID, *, for_update: bool = False) -> Meeting | None:
        return self._get(self._db.tables.meetings, meeting_id)

    def _scheduled(self, series_id: UUID) -> list[Meeting]:
        found = [
            m
            for m in self._mine(self._db.tables.meetings)
            if m.series_id == series_id and m.status is MeetingStatus.SCHEDULED
        ]
        return sorted(found, key=lambda m: (m.scheduled_at, m.id))

    async def next_scheduled(
        self, series_id: UUID, *, after: datetime | None = None, for_update: bool = False
    ) -> Meeting | None:
        return next(
            (m for m in self._scheduled(series_id) if after is None or m.scheduled_at > after),
            None,
        )

    async def scheduled_meetings(self, series_id: UUID) -> list[Meeting]:
        return self._scheduled(series_id)

    async def agenda_of(self, meeting_id: UUID) -> list[AgendaItem]:
        found = [i for i in self._mine(self._db.tables.agenda_items) if i.meeting_id == meeting_id]
        return sorted(found, key=lambda i: i.position)

    async def add_agenda_items(self, items: Sequence[AgendaItem]) -> None:
        for item in items:
            self._check_owned(item)
            self._check_participant(item.series_id, item.author_id)
            self._check_first_meeting(item)
            self._db.tables.agenda_items[item.id] = item

    def _check_first_meeting(self, item: AgendaItem) -> None:
        """The check and foreign keys persistence has on first_meeting_id."""
        if item.carried_from_id is None:
            expected = item.meeting_id
        else:
            expected = self._db.tables.agenda_items[item.carried_from_id].first_meeting_id
        first = self._db.tables.meetings[item.first_meeting_id]  # type: ignore[index]
        if item.first_meeting_id != expected or first.series_id != item.series_id:
            raise RuntimeError("an item remembers the meeting it was first raised in")

    async def get_agenda_item(self, item_id: UUID) -> AgendaItem | None:
        return self._get(self._db.tables.agenda_items, item_id)

    async def remove_agenda_item(self, item: AgendaItem) -> None:
        del self._db.tables.agenda_items[item.id]

    async def uncarried_items(self, series_id: UUID, *, before: datetime) -> list[AgendaItem]:
        meetings = self._db.tables.meetings
        items = list(self._mine(self._db.tables.agenda_items))
        carried = {i.carried_from_id for i in items}
        found = [
            i
            for i in items
            if i.series_id == series_id
            and not i.done
            and i.id not in carried
            and meetings[i.meeting_id].status is not MeetingStatus.SCHEDULED
            and meetings[i.meeting_id].scheduled_at < before
        ]
        return sorted(found, key=lambda i: (meetings[i.meeting_id].scheduled_at, i.position))

    async def add_note(self, note: MeetingNote) -> None:
        self._check_owned(note)
        self._check_participant(note.series_id, note.author_id)
        self._db.tables.meeting_notes[note.id] = note

    async def get_note(self, note_id: UUID, *, for_update: bool = False) -> MeetingNote | None:
        return self._get(self._db.tables.meeting_notes, note_id)

    async def add_action_item(self, item: ActionItem) -> None:
        self._check_owned(item)
        self._check_participant(item.series_id, item.owner_id)
        self._check_participant(item.series_id, item.created_by_id)
        self._db.tables.action_items[item.id] = item

    async def get_action_item(
        self, item_id: UUID, *, for_update: bool = False
    ) -> ActionItem | None:
        return self._get(self._db.tables.action_items, item_id)

    def _check_participant(self, series_id: UUID, person_id: UUID) -> None:
        """The foreign key persistence has on (series_id, person_id)."""
        if person_id not in self._db.tables.one_on_one_participants[series_id]:
            raise RuntimeError("only the two people of a series write in it")


class FakeMentoringRepository(_TenantRepository):
    async def add_offer(self, offer: MentorOffer) -> None:
        self._check_owned(offer)
        if any(
            o.mentor_id == offer.mentor_id
            and o.knowledge_area_id == offer.knowledge_area_id
            and o.status is not OfferStatus.WITHDRAWN
            for o in self._mine(self._db.tables.mentor_offers)
        ):
            raise Conflict("You offer mentoring in this area already.", code="ALREADY_OFFERED")
        self._db.tables.mentor_offers[offer.id] = offer

    async def get_offer(self, offer_id: UUID, *, for_update: bool = False) -> MentorOffer | None:
        return self._get(self._db.tables.mentor_offers, offer_id)

    async def live_offers_of(self, mentor_id: UUID) -> list[MentorOffer]:
        return [
            o
            for o in self._mine(self._db.tables.mentor_offers)
            if o.mentor_id == mentor_id and o.status is not OfferStatus.WITHDRAWN
        ]

    async def add_profile(self, profile: MentorProfile) -> None:
        self._check_owned(profile)
        self._db.tables.mentor_profiles[profile.person_id] = profile

    async def get_profile(
        self, person_id: UUID, *, for_update: bool = False
    ) -> MentorProfile | None:
        return self._get(self._db.tables.mentor_profiles, person_id)

    async def add_wish(self, wish: LearningWish) -> None:
        self._check_owned(wish)
        if any(
            w.person_id == wish.person_id
            and w.knowledge_area_id == wish.knowledge_area_id
            and w.is_open
            for w in self._mine(self._db.tables.learning_wishes)
        ):
            raise Conflict("You have an open wish for this area already.", code="ALREADY_WISHED")
        self._db.tables.learning_wishes[wish.id] = wish

    async def get_wish(self, wish_id: UUID, *, for_update: bool = False) -> LearningWish | None:
        return self._get(self._db.tables.learning_wishes, wish_id)

    async def open_wishes_of(self, person_id: UUID, area_ids: Sequence[UUID]) -> list[LearningWish]:
        return [
            w
            for w in self._mine(self._db.tables.learning_wishes)
            if w.person_id == person_id and w.knowledge_area_id in area_ids and w.is_open
        ]


class FakeCoachingRepository(_TenantRepository):
    """The exclusion constraints are PostgreSQL's: the fake checks overlaps
    as the domain does, no more."""

    async def add_availability(self, availability: CoachAvailability) -> None:
        self._check_owned(availability)
        self._db.tables.coach_availability[availability.coach_id] = availability

    async def get_availability(
        self, coach_id: UUID, *, for_update: bool = False
    ) -> CoachAvailability | None:
        return self._get(self._db.tables.coach_availability, coach_id)

    async def add_session(self, session: CoachSession) -> None:
        self._check_owned(session)
        self._db.tables.coach_sessions[session.id] = session

    async def get_session(
        self, session_id: UUID, *, for_update: bool = False
    ) -> CoachSession | None:
        return self._get(self._db.tables.coach_sessions, session_id)

    def _live(self, excluding: UUID | None) -> Iterator[CoachSession]:
        return (
            s
            for s in self._mine(self._db.tables.coach_sessions)
            if s.status is not SessionStatus.CANCELLED and s.id != excluding
        )

    async def coach_busy(
        self, coach_id: UUID, start: datetime, end: datetime, *, excluding: UUID | None = None
    ) -> list[tuple[datetime, datetime]]:
        return [
            (s.starts_at, s.blocked_until)
            for s in self._live(excluding)
            if s.coach_id == coach_id and s.starts_at < end and s.blocked_until > start
        ]

    async def person_busy(
        self, person_id: UUID, start: datetime, end: datetime, *, excluding: UUID | None = None
    ) -> bool:
        return any(
            s.involves(person_id) and s.starts_at < end and s.ends_at > start
            for s in self._live(excluding)
        )

    async def count_upcoming(
        self, coachee_id: UUID, now: datetime, *, excluding: UUID | None = None
    ) -> int:
        return sum(
            1
            for s in self._live(excluding)
            if s.coachee_id == coachee_id and s.is_booked and s.starts_at > now
        )

    async def count_with_coach(
        self,
        coachee_id: UUID,
        coach_id: UUID,
        start: datetime,
        end: datetime,
        *,
        excluding: UUID | None = None,
    ) -> int:
        return sum(
            1
            for s in self._live(excluding)
            if (s.coachee_id, s.coach_id) == (coachee_id, coach_id) and start <= s.starts_at < end
        )

    async def booked_in_relationship(
        self, relationship_id: UUID, now: datetime
    ) -> list[CoachSession]:
        return [
            s
            for s in self._live(None)
            if s.relationship_id == relationship_id and s.is_booked and s.starts_at > now
        ]


# -- unit of work ------------------------------------------------------------------


class FakeReadLogRepository(_TenantRepository):
    async def add(self, records: Sequence[ReadRecord]) -> None:
        table = self._db.tables.read_log
        for record in records:
            self._check_owned(record)
            if record.reader_id == record.owner_id:
                raise RuntimeError("ck_read_log_not_the_owner: the owner's reads are not logged")
            key = (record.source_id, record.reader_id, record.day)
            found = table.get(key)
            table[key] = (
                record
                if found is None
                else replace(
                    found,
                    last_read_at=max(found.last_read_at, record.last_read_at),
                    read_count=found.read_count + record.read_count,
                )
            )

    async def remove_before(self, day: date) -> int:
        table = self._db.tables.read_log
        expired = [
            key
            for key, r in table.items()
            if r.organization_id == self.organization_id and r.day < day
        ]
        for key in expired:
            del table[key]
        return len(expired)


_TENANT_REPOSITORIES: dict[str, type[_TenantRepository]] = {
    "people": FakePersonRepository,
    "teams": FakeTeamRepository,
    "memberships": FakeTeamMembershipRepository,
    "areas": FakeKnowledgeAreaRepository,
    "roles": FakeRoleAssignmentRepository,
    "relationships": FakeRelationshipRepository,
    "notifications": FakeNotificationRepository,
    "goals": FakeGoalRepository,
    "agreements": FakeAgreementRepository,
    "feedback": FakeFeedbackRepository,
    "feedback_items": FakeFeedbackItemRepository,
    "talking_points": FakeTalkingPointRepository,
    "one_on_ones": FakeOneOnOneRepository,
    "mentoring": FakeMentoringRepository,
    "coaching": FakeCoachingRepository,
    "read_log": FakeReadLogRepository,
}


class FakeUnitOfWork:
    # Typed as the ports, so the fake satisfies the `UnitOfWork` protocol.
    organizations: OrganizationRepository
    people: PersonRepository
    teams: TeamRepository
    memberships: TeamMembershipRepository
    areas: KnowledgeAreaRepository
    roles: RoleAssignmentRepository
    relationships: RelationshipRepository
    notifications: NotificationRepository
    goals: GoalRepository
    agreements: AgreementRepository
    feedback: FeedbackRepository
    feedback_items: FeedbackItemRepository
    talking_points: TalkingPointRepository
    one_on_ones: OneOnOneRepository
    mentoring: MentoringRepository
    coaching: CoachingRepository
    read_log: ReadLogRepository
    accounts: AccountRepository
    account_sessions: AccountSessionRepository
    refresh_tokens: RefreshTokenRepository
    password_resets: PasswordResetRepository
    invitations: InvitationRepository
    throttle: ThrottleRepository

    def __init__(self, db: FakeDatabase, organization_id: UUID | None = None) -> None:
        self.db = db
        self.organization_id = organization_id
        self.committed = False
        self.organizations = FakeOrganizationRepository(db)
        self.accounts = FakeAccountRepository(db)
        self.account_sessions = FakeAccountSessionRepository(db)
        self.refresh_tokens = FakeRefreshTokenRepository(db)
        self.password_resets = FakePasswordResetRepository(db)
        self.invitations = FakeInvitationRepository(db)
        self.throttle = FakeThrottleRepository(db)
        self._snapshot: Tables | None = None
        if organization_id is not None:
            self._bind(organization_id)

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: a tenant repository before
        # the organization is known.
        if name in _TENANT_REPOSITORIES:
            raise RuntimeError(f"`{name}` needs an organization; bind one first")
        raise AttributeError(name)

    @property
    def is_open(self) -> bool:
        return self._snapshot is not None

    async def __aenter__(self) -> Self:
        self._snapshot = copy_tables(self.db.tables)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # The block is over: the snapshot itself becomes the tables (no copy,
        # nothing else holds it), which keeps the fakes fast.
        if self._snapshot is not None:
            self.db.tables, self._snapshot = self._snapshot, None

    def bind_organization(self, organization_id: UUID) -> None:
        if self.organization_id is not None and self.organization_id != organization_id:
            raise RuntimeError("a unit of work serves one organization")
        self.organization_id = organization_id
        self._bind(organization_id)

    def _bind(self, organization_id: UUID) -> None:
        for name, repository in _TENANT_REPOSITORIES.items():
            setattr(self, name, repository(self.db, organization_id))

    async def flush(self) -> None:
        """Nothing is pending in memory; counted so tests can see the call."""
        self.db.flushes += 1

    async def commit(self) -> None:
        self._check_password_versions()
        self._snapshot = copy_tables(self.db.tables)
        self.committed = True

    def _check_password_versions(self) -> None:
        """The deferred foreign keys of sessions and password resets: what is
        live or open belongs to the account's current password."""
        tables = self.db.tables
        for row in (*tables.account_sessions.values(), *tables.password_resets.values()):
            version = row.password_version
            if version is not None and version != tables.accounts[row.account_id].password_version:
                raise RuntimeError(
                    f"fk_*_account_id_password_version_accounts: {type(row).__name__} of an "
                    "old password"
                )

    async def rollback(self) -> None:
        """Discard what changed since the last commit (or since entering)."""
        if self._snapshot is None:
            raise RuntimeError("use the unit of work in `async with`")
        self.db.tables = copy_tables(self._snapshot)


class FakeUnitOfWorkFactory:
    """Opens units of work on one shared `FakeDatabase`; remembers them all."""

    def __init__(self, db: FakeDatabase | None = None) -> None:
        self.db = db or FakeDatabase()
        self.opened: list[FakeUnitOfWork] = []

    def __call__(self, organization_id: UUID | None = None) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self.db, organization_id)
        self.opened.append(uow)
        return uow


# -- other ports -----------------------------------------------------------------


class FakePasswordHasher:
    """Reversible on purpose: `hash("x") == "hashed:x"`. Counts the calls that
    matter for timing (`verify_dummy` must run for unknown emails), and
    notes every call made while a unit of work of `uows` was open (hashing
    must never hold a transaction)."""

    PREFIX = "hashed:"

    def __init__(self, uows: FakeUnitOfWorkFactory | None = None) -> None:
        self.uows = uows
        self.verify_calls = 0
        self.dummy_calls = 0
        self.hash_calls = 0
        self.inside_transaction: list[str] = []

    async def hash(self, password: str) -> str:
        self._note("hash")
        self.hash_calls += 1
        return self.PREFIX + password

    async def verify(self, password: str, password_hash: str) -> bool:
        self._note("verify")
        self.verify_calls += 1
        return password_hash == self.PREFIX + password

    async def verify_dummy(self, password: str) -> None:
        self._note("verify_dummy")
        self.dummy_calls += 1

    def _note(self, call: str) -> None:
        if self.uows is not None and any(uow.is_open for uow in self.uows.opened):
            self.inside_transaction.append(call)


@dataclass
class _Bucket:
    level: float
    updated_at: datetime


class FakeBudgetStore:
    """The cost buckets in memory, poured into as the SQL statement of
    persistence.repositories.budgets does (tests/integration/
    test_budget_store.py runs the same pours against both)."""

    def __init__(self) -> None:
        self.buckets: dict[BudgetSubject, _Bucket] = {}

    async def pour(
        self, subject: BudgetSubject, cost: int, policy: BudgetPolicy, now: datetime
    ) -> BucketLevel:
        bucket = self.buckets.get(subject)
        if bucket is None:
            bucket = self.buckets[subject] = _Bucket(level=0.0, updated_at=now)
        level = policy.drained(bucket.level, bucket.updated_at, now)
        admitted = policy.fits(level, cost)
        bucket.level = level + cost if admitted else level
        bucket.updated_at = max(bucket.updated_at, now)
        return BucketLevel(level=bucket.level, admitted=admitted)

    async def forget_idle(self, before: datetime) -> int:
        idle = [s for s, bucket in self.buckets.items() if bucket.updated_at < before]
        for subject in idle:
            del self.buckets[subject]
        return len(idle)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@dataclass
class SentInvitation:
    email: str
    name: str
    organization: str
    token: str


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[SentInvitation] = []
        self.resets: list[SentInvitation] = []

    async def send_invitation(
        self, *, email: str, name: str, organization: str, token: str
    ) -> None:
        self.sent.append(SentInvitation(email, name, organization, token))

    async def send_password_reset(
        self, *, email: str, name: str, organization: str, token: str
    ) -> None:
        self.resets.append(SentInvitation(email, name, organization, token))
