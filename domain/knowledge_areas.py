"""Knowledge areas form a tree (Marketing -> Online Marketing) that the
organization reshapes as it learns: areas are renamed and moved, never
allowed to become their own ancestor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain import validation
from domain.errors import Conflict
from domain.ids import new_id

NAME_MAX = 120
DESCRIPTION_MAX = 2000


@dataclass(eq=False)
class KnowledgeArea:
    organization_id: UUID
    name: str
    description: str
    created_at: datetime
    parent_id: UUID | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        name: str,
        description: str = "",
        parent_id: UUID | None,
        now: datetime,
    ) -> KnowledgeArea:
        return cls(
            organization_id=organization_id,
            name=validation.name("name", name, max_length=NAME_MAX),
            description=validation.long_text(
                "description", description, max_length=DESCRIPTION_MAX
            ),
            parent_id=parent_id,
            created_at=now,
        )

    def rename(self, name: str) -> None:
        self.name = validation.name("name", name, max_length=NAME_MAX)

    def move_under(self, parent_id: UUID | None, parent_ancestry: Sequence[UUID]) -> None:
        """Re-parent this area.

        `parent_ancestry` is the new parent followed by all of its ancestors up
        to the root. If this area is among them, the move would close a loop.
        """
        if parent_id is not None and (parent_id == self.id or self.id in parent_ancestry):
            raise Conflict(
                "An area cannot be moved under itself or one of its descendants.",
                code="AREA_CYCLE",
                field="parentId",
            )
        self.parent_id = parent_id


def subtree(parents: Mapping[UUID, UUID | None], area_id: UUID) -> list[UUID]:
    """The area and every area below it, however deep, parents before their
    children. `parents` maps every area of the organization to its parent
    (a tree: no area is its own ancestor)."""
    children: dict[UUID, list[UUID]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found, index = [area_id], 0
    while index < len(found):
        found.extend(children.get(found[index], ()))
        index += 1
    return found


def ancestry(parents: Mapping[UUID, UUID | None], area_id: UUID) -> list[UUID]:
    """The area and its ancestors, nearest first, from the whole tree read
    once (empty if the area is unknown)."""
    found: list[UUID] = []
    current: UUID | None = area_id if area_id in parents else None
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found


def on_one_branch(parents: Mapping[UUID, UUID | None], first: UUID, second: UUID) -> bool:
    """Whether one area is the other or lies above or below it: where
    matching looks for mentors of a wish."""
    return first in ancestry(parents, second) or second in ancestry(parents, first)
