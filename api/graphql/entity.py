"""The common shape of node types: a thin wrapper over a domain entity."""

from __future__ import annotations

from typing import Any, ClassVar, Self

import strawberry
from strawberry import relay

from api.graphql import ids


class EntityNode(relay.Node):
    """Subclasses declare `entity: strawberry.Private[...]`, name the
    DataLoader that fetches their entities, and narrow `visible` where not
    every member may see every row. `node`/`nodes` go through here, so they
    apply exactly the rules of every other path."""

    loader: ClassVar[str]

    @classmethod
    def resolve_id(cls, root: Self, *, info: strawberry.Info) -> str:
        return str(root.entity.id)  # type: ignore[attr-defined]

    @classmethod
    async def visible(cls, info: strawberry.Info, entities: list[Any]) -> list[Any]:
        return entities

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: list[str], required: bool = False
    ) -> list[Self | None]:
        keys = [ids.to_uuid(n) for n in node_ids]
        loader = getattr(info.context.loaders, cls.loader)
        found = [e for e in await loader.load_many([k for k in keys if k]) if e is not None]
        shown = {e.id: e for e in await cls.visible(info, found)}
        return [cls(entity=shown[k]) if k in shown else None for k in keys]  # type: ignore[call-arg]
