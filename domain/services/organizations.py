"""Creating an organization together with the founder who administers it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import policies
from domain.accounts import Account, check_password_policy
from domain.actors import Actor
from domain.errors import Conflict, NotFound
from domain.organizations import Organization
from domain.people import Person
from domain.ports import PasswordHasher, UnitOfWork
from domain.roles import Role, RoleAssignment


@dataclass(frozen=True)
class Founded:
    organization: Organization
    founder: Person


async def found_organization(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    *,
    name: str,
    slug: str,
    founder_name: str,
    founder_handle: str,
    founder_email: str,
    founder_timezone: str,
    founder_password: str,
    now: datetime,
) -> Founded:
    """An organization never exists without someone who can administer it, so
    the founder becomes its first org faculty member in the same transaction."""
    organization = Organization.create(name=name, slug=slug, now=now)
    if await uow.organizations.get_by_slug(organization.slug):
        raise Conflict("That organization slug is taken.", code="SLUG_TAKEN", field="slug")
    check_password_policy(founder_password)
    await uow.organizations.add(organization)
    uow.bind_organization(organization.id)
    founder = Person.create(
        organization_id=organization.id,
        name=founder_name,
        handle=founder_handle,
        email=founder_email,
        timezone=founder_timezone,
        now=now,
    )
    if await uow.accounts.get_by_email(founder.email):
        raise Conflict("That email already has an account.", code="EMAIL_TAKEN", field="email")
    await uow.people.add(founder)
    await uow.accounts.add(
        Account(
            organization_id=organization.id,
            person_id=founder.id,
            email=founder.email,
            password_hash=await hasher.hash(founder_password),
            created_at=now,
        )
    )
    await uow.roles.add(
        RoleAssignment(
            organization_id=organization.id,
            person_id=founder.id,
            role=Role.ORG_FACULTY,
            started_at=now,
        )
    )
    return Founded(organization=organization, founder=founder)


async def update_settings(uow: UnitOfWork, actor: Actor, **changes: int | None) -> Organization:
    """`changes` are settings of domain.organizations.SETTING_RANGES."""
    await policies.require_org_faculty(uow, actor, "change the organization's settings")
    organization = await uow.organizations.get(actor.organization_id)
    if organization is None:
        raise NotFound("Organization")
    organization.update_settings(**changes)
    return organization
