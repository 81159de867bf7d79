"""In-memory implementations of every protocol in `domain.ports`, for unit
tests of the domain without a database.

`FakeDatabase` plays the database: one dict per table, keyed by id, shared by
every unit of work a `FakeUnitOfWorkFactory` opens. Repositories hand out
the stored objects themselves, so a use case's changes to an entity are
"written" at once, as with an ORM session. A unit of work takes a snapshot
(a deep copy of every table) when it is entered and at each commit; rolling
back, or leaving the block without committing, puts the snapshot back.

Tenant repositories (people, teams, memberships, areas, roles) exist only
once an organization is bound and see only that organization's rows, as in
persistence; organizations, accounts, refresh tokens and invitations are
looked up before the organization is known, so they are not bound.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from domain.accounts import Account, Invitation, RefreshToken
from domain.knowledge_areas import KnowledgeArea
from domain.organizations import Organization
from domain.people import Person
from domain.ports import (
    AccountRepository,
    InvitationRepository,
    KnowledgeAreaRepository,
    OrganizationRepository,
    PersonRepository,
    RefreshTokenRepository,
    RoleAssignmentRepository,
    TeamMembershipRepository,
    TeamRepository,
)
from domain.roles import Role, RoleAssignment
from domain.teams import Team, TeamMembership


@dataclass
class Tables:
    organizations: dict[UUID, Organization] = field(default_factory=dict)
    people: dict[UUID, Person] = field(default_factory=dict)
    teams: dict[UUID, Team] = field(default_factory=dict)
    memberships: dict[UUID, TeamMembership] = field(default_factory=dict)
    areas: dict[UUID, KnowledgeArea] = field(default_factory=dict)
    roles: dict[UUID, RoleAssignment] = field(default_factory=dict)
    accounts: dict[UUID, Account] = field(default_factory=dict)
    refresh_tokens: dict[UUID, RefreshToken] = field(default_factory=dict)
    invitations: dict[UUID, Invitation] = field(default_factory=dict)


class FakeDatabase:
    """The shared store. Repositories always read `self.tables` afresh, so a
    rollback can swap in a restored copy."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.tree_locks = 0
        """How often `KnowledgeAreaRepository.lock_tree` was called."""


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


class FakeAccountRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def add(self, account: Account) -> None:
        self._db.tables.accounts[account.id] = account

    async def get(self, account_id: UUID) -> Account | None:
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
        self._db.tables.refresh_tokens[token.id] = token

    async def get_by_hash(
        self, token_hash: str, *, for_update: bool = False
    ) -> RefreshToken | None:
        tokens = self._db.tables.refresh_tokens.values()
        return next((t for t in tokens if t.token_hash == token_hash), None)

    async def revoke_family(self, family_id: UUID, now: datetime) -> None:
        for token in self._db.tables.refresh_tokens.values():
            if token.family_id == family_id and token.revoked_at is None:
                token.revoked_at = now

    async def revoke_all_for_account(self, account_id: UUID, now: datetime) -> None:
        for token in self._db.tables.refresh_tokens.values():
            if token.account_id == account_id and token.revoked_at is None:
                token.revoked_at = now


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

    async def holds(self, person_id: UUID, role: Role) -> bool:
        return any(
            r.person_id == person_id and r.role is role and r.ended_at is None
            for r in self._mine(self._db.tables.roles)
        )


# -- unit of work ------------------------------------------------------------------

_TENANT_REPOSITORIES: dict[str, type[_TenantRepository]] = {
    "people": FakePersonRepository,
    "teams": FakeTeamRepository,
    "memberships": FakeTeamMembershipRepository,
    "areas": FakeKnowledgeAreaRepository,
    "roles": FakeRoleAssignmentRepository,
}


class FakeUnitOfWork:
    # Typed as the ports, so the fake satisfies the `UnitOfWork` protocol.
    organizations: OrganizationRepository
    people: PersonRepository
    teams: TeamRepository
    memberships: TeamMembershipRepository
    areas: KnowledgeAreaRepository
    roles: RoleAssignmentRepository
    accounts: AccountRepository
    refresh_tokens: RefreshTokenRepository
    invitations: InvitationRepository

    def __init__(self, db: FakeDatabase, organization_id: UUID | None = None) -> None:
        self.db = db
        self.organization_id = organization_id
        self.committed = False
        self.organizations = FakeOrganizationRepository(db)
        self.accounts = FakeAccountRepository(db)
        self.refresh_tokens = FakeRefreshTokenRepository(db)
        self.invitations = FakeInvitationRepository(db)
        self._snapshot = copy.deepcopy(db.tables)
        if organization_id is not None:
            self._bind(organization_id)

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: a tenant repository before
        # the organization is known.
        if name in _TENANT_REPOSITORIES:
            raise RuntimeError(f"`{name}` needs an organization; bind one first")
        raise AttributeError(name)

    async def __aenter__(self) -> Self:
        self._snapshot = copy.deepcopy(self.db.tables)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    def bind_organization(self, organization_id: UUID) -> None:
        if self.organization_id is not None and self.organization_id != organization_id:
            raise RuntimeError("a unit of work serves one organization")
        self.organization_id = organization_id
        self._bind(organization_id)

    def _bind(self, organization_id: UUID) -> None:
        for name, repository in _TENANT_REPOSITORIES.items():
            setattr(self, name, repository(self.db, organization_id))

    async def commit(self) -> None:
        self._snapshot = copy.deepcopy(self.db.tables)
        self.committed = True

    async def rollback(self) -> None:
        """Discard what changed since the last commit (or since entering)."""
        self.db.tables = copy.deepcopy(self._snapshot)


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
    matter for timing (`verify_dummy` must run for unknown emails)."""

    PREFIX = "hashed:"

    def __init__(self) -> None:
        self.verify_calls = 0
        self.dummy_calls = 0

    def hash(self, password: str) -> str:
        return self.PREFIX + password

    def verify(self, password: str, password_hash: str) -> bool:
        self.verify_calls += 1
        return password_hash == self.PREFIX + password

    def verify_dummy(self, password: str) -> None:
        self.dummy_calls += 1


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

    async def send_invitation(
        self, *, email: str, name: str, organization: str, token: str
    ) -> None:
        self.sent.append(SentInvitation(email, name, organization, token))
