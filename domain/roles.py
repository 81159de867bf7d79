"""Roles people step into and back from, each held in a scope: a team
(TEAM_COACH, PRODUCT_OWNER), a knowledge area (FACULTY_LEAD) or the whole
organization (ORG_FACULTY, STRATEGY_FACULTY, COACH).

Stepping in needs consent from both sides: a person volunteers and the
collective confirms (org faculty, or for a team role any member of the team),
or someone proposes a person and that person accepts. Roles are
non-exclusive, but a person holds a given role in a given scope once at a
time. Assignments are never deleted: stepping back ends them.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from domain import validation
from domain.errors import Conflict, PermissionDenied, ValidationFailed
from domain.ids import new_id

NOTE_MAX = 2000


class Role(enum.Enum):
    TEAM_COACH = "TEAM_COACH"
    PRODUCT_OWNER = "PRODUCT_OWNER"
    FACULTY_LEAD = "FACULTY_LEAD"
    ORG_FACULTY = "ORG_FACULTY"
    STRATEGY_FACULTY = "STRATEGY_FACULTY"
    COACH = "COACH"

    @property
    def scope(self) -> Scope:
        if self in (Role.TEAM_COACH, Role.PRODUCT_OWNER):
            return Scope.TEAM
        if self is Role.FACULTY_LEAD:
            return Scope.KNOWLEDGE_AREA
        return Scope.ORGANIZATION


class Scope(enum.Enum):
    TEAM = "TEAM"
    KNOWLEDGE_AREA = "KNOWLEDGE_AREA"
    ORGANIZATION = "ORGANIZATION"


class RoleStatus(enum.Enum):
    PROPOSED = "PROPOSED"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"
    ENDED = "ENDED"


def check_scope(role: Role, team_id: UUID | None, knowledge_area_id: UUID | None) -> None:
    wants = role.scope
    if (team_id is not None) != (wants is Scope.TEAM):
        raise ValidationFailed(
            "teamId", f"{role.value} is held {_in(wants)}.", code="SCOPE_MISMATCH"
        )
    if (knowledge_area_id is not None) != (wants is Scope.KNOWLEDGE_AREA):
        raise ValidationFailed(
            "knowledgeAreaId", f"{role.value} is held {_in(wants)}.", code="SCOPE_MISMATCH"
        )


def _in(scope: Scope) -> str:
    return {
        Scope.TEAM: "in a team",
        Scope.KNOWLEDGE_AREA: "in a knowledge area",
        Scope.ORGANIZATION: "in the organization, without a team or area",
    }[scope]


@dataclass(eq=False)
class RoleAssignment:
    organization_id: UUID
    person_id: UUID
    role: Role
    started_at: datetime | None = None
    team_id: UUID | None = None
    knowledge_area_id: UUID | None = None
    ended_at: datetime | None = None
    status: RoleStatus = RoleStatus.ACTIVE
    proposed_by_id: UUID | None = None
    """The person themselves when they volunteered; None for a founder."""
    proposed_at: datetime | None = None
    responded_by_id: UUID | None = None
    review_on: date | None = None
    end_note: str = ""
    id: UUID = field(default_factory=new_id)

    @classmethod
    def propose(
        cls,
        *,
        organization_id: UUID,
        person_id: UUID,
        role: Role,
        team_id: UUID | None,
        knowledge_area_id: UUID | None,
        proposed_by_id: UUID,
        review_on: date | None,
        now: datetime,
    ) -> RoleAssignment:
        check_scope(role, team_id, knowledge_area_id)
        if review_on is not None and review_on <= now.date():
            raise ValidationFailed(
                "reviewOn", "A review date lies in the future.", code="REVIEW_DATE_PAST"
            )
        return cls(
            organization_id=organization_id,
            person_id=person_id,
            role=role,
            team_id=team_id,
            knowledge_area_id=knowledge_area_id,
            status=RoleStatus.PROPOSED,
            proposed_by_id=proposed_by_id,
            proposed_at=now,
            review_on=review_on,
        )

    @property
    def is_current(self) -> bool:
        return self.status is RoleStatus.ACTIVE

    @property
    def volunteered(self) -> bool:
        return self.proposed_by_id == self.person_id

    def _require(self, status: RoleStatus, action: str) -> None:
        if self.status is not status:
            raise Conflict(
                f"Only a {status.value.lower()} role can be {action}; "
                f"this one is {self.status.value.lower()}.",
                code=f"NOT_{status.value}",
            )

    def accept(self, by: UUID, now: datetime) -> None:
        """`by` was checked to be the one whose consent is missing."""
        self._require(RoleStatus.PROPOSED, "accepted")
        self.status = RoleStatus.ACTIVE
        self.started_at = now
        self.responded_by_id = by

    def decline(self, by: UUID, now: datetime) -> None:
        self._require(RoleStatus.PROPOSED, "declined")
        self.status = RoleStatus.DECLINED
        self.responded_by_id = by
        self.ended_at = now

    def withdraw(self, by: UUID, now: datetime) -> None:
        self._require(RoleStatus.PROPOSED, "withdrawn")
        if by != self.proposed_by_id:
            raise PermissionDenied(
                "Only the proposer can withdraw a proposal.", code="NOT_PROPOSER"
            )
        self.status = RoleStatus.WITHDRAWN
        self.ended_at = now

    def step_back(self, by: UUID, now: datetime, note: str) -> None:
        self._require(RoleStatus.ACTIVE, "ended")
        if by != self.person_id:
            raise PermissionDenied(
                "Only the person holding a role steps back from it.", code="NOT_HOLDER"
            )
        self.status = RoleStatus.ENDED
        self.ended_at = now
        self.end_note = validation.long_text("note", note, max_length=NOTE_MAX)

    def end_because_left(self, now: datetime) -> None:
        self.status = RoleStatus.ENDED
        self.ended_at = now
        self.end_note = "Left the organization."


def visible_to(
    assignment: RoleAssignment,
    viewer_id: UUID,
    *,
    viewer_is_org_faculty: bool,
    viewer_team_ids: Collection[UUID],
) -> bool:
    """Held and past roles are public in the organization (mandates are
    transparent); open, declined and withdrawn proposals are for the person,
    the proposer, and for a volunteer those who could confirm it."""
    if assignment.started_at is not None:  # it was held, now or before
        return True
    if viewer_id in (assignment.person_id, assignment.proposed_by_id):
        return True
    if not assignment.volunteered:
        return False
    if viewer_is_org_faculty:
        return True
    return assignment.role.scope is Scope.TEAM and assignment.team_id in viewer_team_ids
