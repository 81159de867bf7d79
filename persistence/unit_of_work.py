"""The unit of work: one session, one transaction, repositories bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from persistence import integrity
from persistence.repositories.accounts import (
    SqlAccountRepository,
    SqlAccountSessionRepository,
    SqlInvitationRepository,
    SqlPasswordResetRepository,
    SqlRefreshTokenRepository,
)
from persistence.repositories.agreements import SqlAgreementRepository
from persistence.repositories.coaching import SqlCoachingRepository
from persistence.repositories.feedback import SqlFeedbackRepository
from persistence.repositories.feedback_items import SqlFeedbackItemRepository
from persistence.repositories.goals import SqlGoalRepository
from persistence.repositories.knowledge_areas import SqlKnowledgeAreaRepository
from persistence.repositories.mentoring import SqlMentoringRepository
from persistence.repositories.notifications import SqlNotificationRepository
from persistence.repositories.one_on_ones import SqlOneOnOneRepository
from persistence.repositories.organizations import SqlOrganizationRepository
from persistence.repositories.people import SqlPersonRepository
from persistence.repositories.read_log import SqlReadLogRepository
from persistence.repositories.relationships import SqlRelationshipRepository
from persistence.repositories.roles import SqlRoleAssignmentRepository
from persistence.repositories.talking_points import SqlTalkingPointRepository
from persistence.repositories.teams import SqlTeamMembershipRepository, SqlTeamRepository
from persistence.repositories.throttling import SqlThrottleRepository

_TENANT_REPOSITORIES = {
    "people": SqlPersonRepository,
    "teams": SqlTeamRepository,
    "memberships": SqlTeamMembershipRepository,
    "areas": SqlKnowledgeAreaRepository,
    "roles": SqlRoleAssignmentRepository,
    "relationships": SqlRelationshipRepository,
    "notifications": SqlNotificationRepository,
    "goals": SqlGoalRepository,
    "agreements": SqlAgreementRepository,
    "feedback": SqlFeedbackRepository,
    "feedback_items": SqlFeedbackItemRepository,
    "talking_points": SqlTalkingPointRepository,
    "one_on_ones": SqlOneOnOneRepository,
    "mentoring": SqlMentoringRepository,
    "coaching": SqlCoachingRepository,
    "read_log": SqlReadLogRepository,
}


class SqlAlchemyUnitOfWork:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], organization_id: UUID | None = None
    ) -> None:
        self._session_factory = session_factory
        self._organization_id = organization_id
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None, "use the unit of work in `async with`"
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        self.organizations = SqlOrganizationRepository(self._session)
        self.accounts = SqlAccountRepository(self._session)
        self.account_sessions = SqlAccountSessionRepository(self._session)
        self.refresh_tokens = SqlRefreshTokenRepository(self._session)
        self.password_resets = SqlPasswordResetRepository(self._session)
        self.invitations = SqlInvitationRepository(self._session)
        self.throttle = SqlThrottleRepository(self._session)
        if self._organization_id is not None:
            self._bind(self._organization_id)
        return self

    def bind_organization(self, organization_id: UUID) -> None:
        if self._organization_id is not None and self._organization_id != organization_id:
            raise RuntimeError("a unit of work serves one organization")
        self._organization_id = organization_id
        self._bind(organization_id)

    def _bind(self, organization_id: UUID) -> None:
        for name, repository in _TENANT_REPOSITORIES.items():
            setattr(self, name, repository(self.session, organization_id))

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: a tenant repository before
        # the organization is known.
        if name in _TENANT_REPOSITORIES:
            raise RuntimeError(f"`{name}` needs an organization; bind one first")
        raise AttributeError(name)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()
        if isinstance(exc, IntegrityError) and (translated := integrity.translate(exc)):
            raise translated from exc

    async def flush(self) -> None:
        await self.session.flush()

    async def commit(self) -> None:
        try:
            await self.session.commit()
        except IntegrityError as exc:
            translated = integrity.translate(exc)
            if translated is None:
                raise
            raise translated from exc

    async def rollback(self) -> None:
        await self.session.rollback()


class SqlAlchemyUnitOfWorkFactory:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    def __call__(self, organization_id: UUID | None = None) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.session_factory, organization_id)
