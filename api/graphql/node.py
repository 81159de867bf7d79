"""`node` and `nodes` (Relay): fetch anything by global id.

They go through each type's `resolve_nodes`, which reads through the same
organization-bound loaders as every other path: an id from another
organization, or one you may not see, comes back as null, exactly like
an id that never existed.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

import strawberry
from strawberry import relay

from api.graphql import ids
from api.graphql.commands import require_actor
from api.graphql.entity import EntityNode
from api.graphql.errors import PublicError

MAX_NODES = 100


async def _resolve(info: strawberry.Info, raw_ids: list[strawberry.ID]) -> list[relay.Node | None]:
    decoded: list[tuple[str, UUID]] = []
    for raw in raw_ids:
        parsed = ids.decode_any(raw)
        node_type = info.schema.get_type_by_name(parsed[0]) if parsed else None
        origin = getattr(node_type, "origin", None)
        if parsed is None or origin is None or not issubclass(origin, EntityNode):
            raise PublicError(f"{raw!r} is not a valid id.", "INVALID_ID")
        decoded.append(parsed)
    by_type: dict[str, list[UUID]] = defaultdict(list)
    for type_name, entity_id in decoded:
        by_type[type_name].append(entity_id)
    resolved: dict[tuple[str, UUID], relay.Node | None] = {}
    for type_name, entity_ids in by_type.items():
        origin = info.schema.get_type_by_name(type_name).origin  # type: ignore[union-attr]
        nodes = await origin.resolve_nodes(info=info, node_ids=[str(i) for i in entity_ids])
        resolved.update(zip(((type_name, i) for i in entity_ids), nodes, strict=True))
    return [resolved[key] for key in decoded]


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Anything with an id, if it exists and you may see it.")
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> relay.Node | None:
        await require_actor(info)
        return (await _resolve(info, [id]))[0]

    @strawberry.field(description=f"Several nodes at once (at most {MAX_NODES}), in order.")
    async def nodes(
        self, info: strawberry.Info, ids: list[strawberry.ID]
    ) -> list[relay.Node | None]:
        await require_actor(info)
        if len(ids) > MAX_NODES:
            raise PublicError(f"Ask for at most {MAX_NODES} nodes at once.", "TOO_MANY_IDS")
        return await _resolve(info, ids)
