"""DataLoaders, built fresh for every request (never shared between users).

Each batch opens its own short session: resolvers run concurrently and an
AsyncSession must not be used by two coroutines at once. Every loader is
bound to the viewer's organization, so no read path can reach another
tenant's rows: an id from elsewhere simply loads as missing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from domain.knowledge_areas import KnowledgeArea
from domain.organizations import Organization
from domain.pagination import Page, PageRequest
from domain.people import Person, PersonStatus
from domain.roles import Role
from domain.teams import Team, TeamMembership
from persistence.reads import knowledge_areas as area_reads
from persistence.reads import organizations as organization_reads
from persistence.reads import people as people_reads
from persistence.reads import roles as role_reads
from persistence.reads import teams as team_reads

K = TypeVar("K")
V = TypeVar("V")

Fetch = Callable[[AsyncSession, UUID, Sequence[K]], Awaitable[Mapping[K, V]]]


class Loaders:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], organization_id: UUID
    ) -> None:
        self._session_factory = session_factory
        self._organization_id = organization_id

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

    async def organization(self) -> Organization:
        async with self._session_factory() as session:
            found = await organization_reads.organization(session, self._organization_id)
        assert found is not None
        return found

    async def _fetch(self, fetch: Fetch[K, V], keys: Sequence[K]) -> Mapping[K, V]:
        async with self._session_factory() as session:
            return await fetch(session, self._organization_id, keys)

    def _one(self, fetch: Fetch[UUID, V]) -> DataLoader[UUID, V | None]:
        async def load(keys: list[UUID]) -> list[V | None]:
            found = await self._fetch(fetch, keys)
            return [found.get(k) for k in keys]

        return DataLoader(load_fn=load)

    def _many(self, fetch: Fetch[UUID, list[V]]) -> DataLoader[UUID, list[V]]:
        async def load(keys: list[UUID]) -> list[list[V]]:
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
