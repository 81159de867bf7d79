"""The knowledge-area tree."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import relay

from api.graphql import ids
from api.graphql import mentoring as mentoring_gql
from api.graphql import roles as roles_gql
from api.graphql.commands import require_actor, run
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from api.graphql.pagination import connection, page_request
from domain.actors import Actor
from domain.knowledge_areas import KnowledgeArea
from domain.ports import UnitOfWork
from domain.services import knowledge_areas as areas_service


@strawberry.type(name="KnowledgeArea")
class KnowledgeAreaNode(EntityNode):
    loader = "area"
    entity: strawberry.Private[KnowledgeArea]

    @strawberry.field
    def name(self) -> str:
        return self.entity.name

    @strawberry.field
    def description(self) -> str:
        return self.entity.description

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(description="The enclosing area; null for a top-level area.")
    async def parent(self, info: strawberry.Info) -> KnowledgeAreaNode | None:
        if self.entity.parent_id is None:
            return None
        parent = await info.context.loaders.area.load(self.entity.parent_id)
        return KnowledgeAreaNode(entity=parent) if parent else None

    mentoring = strawberry.field(
        resolver=mentoring_gql.area_mentoring,
        description="Where the mentor pool needs to grow: for faculty leads and org faculty.",
    )
    leads = strawberry.field(
        resolver=roles_gql.area_leads, description="Faculty leads now, or at a past moment `at`."
    )

    @strawberry.field(description="Direct sub-areas, by name.")
    async def children(self, info: strawberry.Info) -> list[KnowledgeAreaNode]:
        children = await info.context.loaders.children_of_area.load(self.entity.id)
        return [KnowledgeAreaNode(entity=a) for a in children]


@strawberry.type
class KnowledgeAreasQuery:
    @strawberry.field(description="Knowledge areas by name; only top-level ones with rootsOnly.")
    async def knowledge_areas(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        roots_only: bool = False,
    ) -> relay.Connection[KnowledgeAreaNode]:
        await require_actor(info)
        request = page_request(info, first=first, after=after, last=last, before=before)
        page = await info.context.loaders.areas_page(request, roots_only=roots_only)
        return connection(page, lambda a: KnowledgeAreaNode(entity=a))


@strawberry.input
class CreateKnowledgeAreaInput:
    name: str
    description: str = ""
    parent_id: strawberry.ID | None = None


@strawberry.input
class RenameKnowledgeAreaInput:
    area_id: strawberry.ID
    name: str


@strawberry.input
class MoveKnowledgeAreaInput:
    area_id: strawberry.ID
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The new parent; null makes the area top-level."
    )


@strawberry.type
class KnowledgeAreaSuccess:
    area: KnowledgeAreaNode


KnowledgeAreaResult = result_union("KnowledgeAreaResult", KnowledgeAreaSuccess)


def _parent(value: strawberry.ID | None) -> UUID | None:
    return None if value is None else ids.decode(value, "KnowledgeArea", field="parentId")


@strawberry.type
class KnowledgeAreasMutation:
    @strawberry.mutation(description="Org faculty creates an area, top-level or under a parent.")
    async def create_knowledge_area(
        self, info: strawberry.Info, input: CreateKnowledgeAreaInput
    ) -> KnowledgeAreaResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> KnowledgeAreaSuccess:
            area = await areas_service.create_area(
                uow,
                actor,
                name=input.name,
                description=input.description,
                parent_id=_parent(input.parent_id),
                now=info.context.now,
            )
            return KnowledgeAreaSuccess(area=KnowledgeAreaNode(entity=area))

        return await run(info, command)

    @strawberry.mutation(description="Org faculty renames an area.")
    async def rename_knowledge_area(
        self, info: strawberry.Info, input: RenameKnowledgeAreaInput
    ) -> KnowledgeAreaResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> KnowledgeAreaSuccess:
            area = await areas_service.rename_area(
                uow,
                actor,
                ids.decode(input.area_id, "KnowledgeArea", field="areaId"),
                name=input.name,
            )
            return KnowledgeAreaSuccess(area=KnowledgeAreaNode(entity=area))

        return await run(info, command)

    @strawberry.mutation(
        description="Org faculty moves an area under another parent (or to the top)."
    )
    async def move_knowledge_area(
        self, info: strawberry.Info, input: MoveKnowledgeAreaInput
    ) -> KnowledgeAreaResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> KnowledgeAreaSuccess:
            area = await areas_service.move_area(
                uow,
                actor,
                ids.decode(input.area_id, "KnowledgeArea", field="areaId"),
                parent_id=_parent(input.parent_id),
            )
            return KnowledgeAreaSuccess(area=KnowledgeAreaNode(entity=area))

        return await run(info, command)
