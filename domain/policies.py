"""Who may do what. One place to read the rules, one place to change them.

Org faculty administers the organization (people, teams, areas). Being org
faculty grants no right to read anyone's goals, feedback or notes: those
rules live with each feature and never consult this module's faculty check.
"""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import PermissionDenied
from domain.ports import UnitOfWork
from domain.roles import Role


async def require_org_faculty(uow: UnitOfWork, actor: Actor, action: str) -> None:
    if not await uow.roles.holds(actor.person_id, Role.ORG_FACULTY):
        raise PermissionDenied(f"Only org faculty can {action}.", code="NOT_ORG_FACULTY")
