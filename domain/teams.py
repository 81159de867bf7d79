"""Teams and who belongs to them over time.

Membership is a dated fact, never deleted: leaving a team ends a membership,
so "who was in this team in March" stays answerable.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain import validation
from domain.errors import Conflict
from domain.ids import new_id

NAME_MAX = 120
MISSION_MAX = 2000


class TeamStage(enum.Enum):
    """Tuckman's stages, which team coaches help a team move through."""

    FORMING = "FORMING"
    STORMING = "STORMING"
    NORMING = "NORMING"
    PERFORMING = "PERFORMING"


@dataclass(eq=False)
class Team:
    organization_id: UUID
    name: str
    mission: str
    stage: TeamStage
    created_at: datetime
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        name: str,
        mission: str = "",
        stage: TeamStage = TeamStage.FORMING,
        now: datetime,
    ) -> Team:
        return cls(
            organization_id=organization_id,
            name=validation.name("name", name, max_length=NAME_MAX),
            mission=validation.long_text("mission", mission, max_length=MISSION_MAX),
            stage=stage,
            created_at=now,
        )

    def update(
        self,
        *,
        name: str | None = None,
        mission: str | None = None,
        stage: TeamStage | None = None,
    ) -> None:
        if name is not None:
            self.name = validation.name("name", name, max_length=NAME_MAX)
        if mission is not None:
            self.mission = validation.long_text("mission", mission, max_length=MISSION_MAX)
        if stage is not None:
            self.stage = stage


@dataclass(eq=False)
class TeamMembership:
    organization_id: UUID
    team_id: UUID
    person_id: UUID
    started_at: datetime
    ended_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    def end(self, now: datetime) -> None:
        if self.ended_at is not None:
            raise Conflict("This membership has already ended.", code="ALREADY_ENDED")
        self.ended_at = now
