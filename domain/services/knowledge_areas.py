"""Growing and reshaping the knowledge-area tree (org faculty only)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain import policies
from domain.actors import Actor
from domain.errors import Conflict, NotFound
from domain.knowledge_areas import KnowledgeArea
from domain.ports import UnitOfWork


async def create_area(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    description: str = "",
    parent_id: UUID | None,
    now: datetime,
) -> KnowledgeArea:
    await policies.require_org_faculty(uow, actor, "create knowledge areas")
    area = KnowledgeArea.create(
        organization_id=actor.organization_id,
        name=name,
        description=description,
        parent_id=parent_id,
        now=now,
    )
    if parent_id is not None:
        await _area(uow, parent_id, field="parentId")
    await _ensure_unique_name(uow, area)
    await uow.areas.add(area)
    return area


async def rename_area(uow: UnitOfWork, actor: Actor, area_id: UUID, *, name: str) -> KnowledgeArea:
    await policies.require_org_faculty(uow, actor, "rename knowledge areas")
    area = await _area(uow, area_id)
    area.rename(name)
    await _ensure_unique_name(uow, area)
    return area


async def move_area(
    uow: UnitOfWork, actor: Actor, area_id: UUID, *, parent_id: UUID | None
) -> KnowledgeArea:
    """Moves are serialized per organization: two concurrent moves (A under B,
    B under A) would each pass the cycle check alone and close a loop together."""
    await policies.require_org_faculty(uow, actor, "move knowledge areas")
    await uow.areas.lock_tree()
    area = await _area(uow, area_id)
    ancestry: list[UUID] = []
    if parent_id is not None:
        await _area(uow, parent_id, field="parentId")
        ancestry = list(await uow.areas.ancestry(parent_id))
    area.move_under(parent_id, ancestry)
    await _ensure_unique_name(uow, area)
    return area


async def _area(uow: UnitOfWork, area_id: UUID, *, field: str = "id") -> KnowledgeArea:
    area = await uow.areas.get(area_id)
    if area is None:
        raise NotFound("KnowledgeArea", f"Knowledge area not found ({field}).")
    return area


async def _ensure_unique_name(uow: UnitOfWork, area: KnowledgeArea) -> None:
    if await uow.areas.sibling_name_taken(area.name, area.parent_id, except_id=area.id):
        raise Conflict(
            "An area with that name already exists under the same parent.",
            code="AREA_NAME_TAKEN",
            field="name",
        )
