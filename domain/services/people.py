"""Inviting people into the organization and keeping profiles current."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain import policies
from domain.accounts import Invitation, SessionEnd
from domain.actors import Actor
from domain.errors import Conflict, NotFound
from domain.people import Person
from domain.ports import UnitOfWork
from domain.roles import Role
from domain.services import agreements, relationships, roles


@dataclass(frozen=True)
class Invited:
    person: Person
    invitation: Invitation
    token: str
    """For the invitee's mailbox only: send it after commit, never return it."""


async def invite_person(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    handle: str,
    email: str,
    timezone: str,
    now: datetime,
    invitation_lifetime: timedelta,
) -> Invited:
    """The invitee becomes a member at once (so stewards and teams can be set
    up for them) and gets a one-time token by mail to set a password.

    The token goes to the mailbox only, never back to the inviter: whoever
    could read it could take over the new account. Mail is sent by the caller
    after commit, so a rolled-back invitation never reaches anyone.
    """
    await policies.require_org_faculty(uow, actor, "invite people")
    person = Person.create(
        organization_id=actor.organization_id,
        name=name,
        handle=handle,
        email=email,
        timezone=timezone,
        now=now,
        invited_by_id=actor.person_id,
    )
    if await uow.people.handle_taken(person.handle):
        raise Conflict(
            "That handle is taken in this organization.", code="HANDLE_TAKEN", field="handle"
        )
    # Only this organization is consulted: whether the address has an account
    # elsewhere is not this organization's business (accepting the invitation
    # is where one account per email is enforced).
    if await uow.people.email_taken(person.email):
        raise Conflict(
            "Someone with that email is already a member.", code="EMAIL_TAKEN", field="email"
        )
    await uow.people.add(person)
    invitation, token = Invitation.create(
        organization_id=actor.organization_id,
        person_id=person.id,
        email=person.email,
        invited_by_id=actor.person_id,
        now=now,
        lifetime=invitation_lifetime,
    )
    await uow.invitations.add(invitation)
    return Invited(person=person, invitation=invitation, token=token)


async def update_profile(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str | None = None,
    timezone: str | None = None,
) -> Person:
    """People edit their own profile; nobody edits it for them."""
    person = await uow.people.get(actor.person_id)
    if person is None:
        raise NotFound("Person")
    person.update_profile(name=name, timezone=timezone)
    return person


async def mark_left(uow: UnitOfWork, actor: Actor, person_id: UUID, *, now: datetime) -> Person:
    """Someone left the organization: they keep their history but lose access
    at once (their sessions are revoked, and tokens stop working); their
    relationships, roles and team memberships end."""
    # Taken before the faculty check: two faculty members marking each other
    # as left at once must not both succeed and leave nobody to administer.
    await uow.roles.lock_role(Role.ORG_FACULTY)
    await policies.require_org_faculty(uow, actor, "record that someone left")
    person = await uow.people.get(person_id)
    if person is None:
        raise NotFound("Person")
    if person.id == actor.person_id:
        raise Conflict(
            "You cannot mark yourself as left.", code="CANNOT_LEAVE_SELF", field="personId"
        )
    person.mark_left(now)
    await relationships.close_all_of(uow, person.id, by=actor.person_id, now=now)
    await roles.end_all_of(uow, person.id, now=now)
    for membership in await uow.memberships.current_of_person(person.id):
        membership.end(now)
        await agreements.end_within_team(
            uow, membership.team_id, person.id, by=actor.person_id, now=now
        )
    account = await uow.accounts.get_by_person(person.id)
    if account is not None:
        await uow.account_sessions.end_all_of_account(account.id, now, SessionEnd.PERSON_LEFT)
    return person
