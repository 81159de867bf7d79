from __future__ import annotations

from datetime import datetime

import strawberry

from api.graphql.entity import EntityNode
from domain.organizations import Organization


@strawberry.type(name="Organization", description="The organization you belong to.")
class OrganizationNode(EntityNode):
    entity: strawberry.Private[Organization]

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: list[str], required: bool = False
    ) -> list[OrganizationNode | None]:
        own = await info.context.loaders.organization()
        return [cls(entity=own) if node_id == str(own.id) else None for node_id in node_ids]

    @strawberry.field
    def name(self) -> str:
        return self.entity.name

    @strawberry.field
    def slug(self) -> str:
        return self.entity.slug

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at
