"""Roles people step into and back from, each held in a scope.

This module holds what the foundation needs (who is org faculty); the consent
workflow for stepping into roles builds on the same assignment record.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.ids import new_id


class Role(enum.Enum):
    TEAM_COACH = "TEAM_COACH"
    PRODUCT_OWNER = "PRODUCT_OWNER"
    FACULTY_LEAD = "FACULTY_LEAD"
    ORG_FACULTY = "ORG_FACULTY"
    STRATEGY_FACULTY = "STRATEGY_FACULTY"
    COACH = "COACH"


@dataclass(eq=False)
class RoleAssignment:
    organization_id: UUID
    person_id: UUID
    role: Role
    started_at: datetime
    team_id: UUID | None = None
    knowledge_area_id: UUID | None = None
    ended_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @property
    def is_current(self) -> bool:
        return self.ended_at is None
