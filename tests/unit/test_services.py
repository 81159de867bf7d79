"""Use cases in domain/services on the in-memory unit of work: every rule,
every error code, no database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from domain.accounts import Invitation, SessionEnd, hash_secret
from domain.actors import Actor
from domain.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from domain.knowledge_areas import KnowledgeArea
from domain.organizations import Organization
from domain.people import Person, PersonStatus
from domain.ports import Clock, Mailer, UnitOfWorkFactory
from domain.roles import Role, RoleAssignment, RoleStatus
from domain.services import auth, knowledge_areas, organizations, people, teams
from domain.services.auth import IssuedSession
from domain.services.people import Invited
from domain.teams import Team, TeamStage
from tests.unit.fakes import (
    FakeMailer,
    FakePasswordHasher,
    FakeUnitOfWork,
    FakeUnitOfWorkFactory,
    FixedClock,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
REFRESH = timedelta(days=30)
INVITE = timedelta(days=7)
PASSWORD = "correct horse battery"


@dataclass
class World:
    """An organization founded and committed, with its founder as org faculty."""

    organization: Organization
    founder: Person

    @property
    def faculty(self) -> Actor:
        return Actor(person_id=self.founder.id, organization_id=self.organization.id)

    def actor(self, person: Person) -> Actor:
        return Actor(person_id=person.id, organization_id=self.organization.id)


@pytest.fixture
def uows() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def hasher(uows: FakeUnitOfWorkFactory) -> FakePasswordHasher:
    return FakePasswordHasher(uows)


async def found(
    uows: FakeUnitOfWorkFactory,
    hasher: FakePasswordHasher,
    *,
    name: str = "Acme",
    slug: str = "acme",
    email: str = "founder@acme.test",
    handle: str = "founder",
) -> World:
    async with uows() as uow:
        founded = await organizations.found_organization(
            uow,
            hasher,
            name=name,
            slug=slug,
            founder_name="Frida Founder",
            founder_handle=handle,
            founder_email=email,
            founder_timezone="Europe/Berlin",
            founder_password=PASSWORD,
            now=NOW,
        )
        await uow.commit()
    return World(organization=founded.organization, founder=founded.founder)


@pytest.fixture
async def world(uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher) -> World:
    return await found(uows, hasher)


@pytest.fixture
async def other_world(uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher) -> World:
    return await found(
        uows, hasher, name="Globex", slug="globex", email="founder@globex.test", handle="boss"
    )


async def invite(
    uows: FakeUnitOfWorkFactory,
    world: World,
    handle: str,
    *,
    email: str | None = None,
    now: datetime = NOW,
) -> Invited:
    async with uows(world.organization.id) as uow:
        invited = await people.invite_person(
            uow,
            world.faculty,
            name=handle.title(),
            handle=handle,
            email=email or f"{handle}@acme.test",
            timezone="Europe/Berlin",
            now=now,
            invitation_lifetime=INVITE,
        )
        await uow.commit()
    return invited


async def join(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World, handle: str
) -> tuple[Person, IssuedSession]:
    """Invited and accepted: a member with an account and a session."""
    invited = await invite(uows, world, handle)
    session = await auth.accept_invitation(
        uows, hasher, token=invited.token, password=PASSWORD, now=NOW, refresh_lifetime=REFRESH
    )
    return invited.person, session


async def sign_in(
    uows: FakeUnitOfWorkFactory,
    hasher: FakePasswordHasher,
    email: str,
    password: str = PASSWORD,
    *,
    now: datetime = NOW,
) -> IssuedSession:
    return await auth.sign_in(
        uows, hasher, email=email, password=password, now=now, refresh_lifetime=REFRESH
    )


async def refresh(
    uows: FakeUnitOfWorkFactory, token: str, *, now: datetime = LATER
) -> IssuedSession:
    async with uows() as uow:
        session = await auth.refresh_session(
            uow, refresh_token=token, now=now, refresh_lifetime=REFRESH
        )
        await uow.commit()
    return session


# -- the fakes behave like the real unit of work ------------------------------------


async def test_leaving_without_commit_discards_changes(
    uows: FakeUnitOfWorkFactory, world: World
) -> None:
    async with uows(world.organization.id) as uow:
        await teams.create_team(uow, world.faculty, name="Ghost", now=NOW)
        assert await uow.teams.name_taken("ghost")
    async with uows(world.organization.id) as uow:
        assert not await uow.teams.name_taken("ghost")
        assert not uow.committed


async def test_rollback_keeps_what_was_committed(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        await teams.create_team(uow, world.faculty, name="Kept", now=NOW)
        await uow.commit()
        assert uow.committed
        await teams.create_team(uow, world.faculty, name="Dropped", now=NOW)
        await uow.rollback()
        assert await uow.teams.name_taken("kept")
        assert not await uow.teams.name_taken("dropped")
    async with uows(world.organization.id) as uow:
        assert await uow.teams.name_taken("kept")


async def test_changes_to_loaded_entities_are_rolled_back(
    uows: FakeUnitOfWorkFactory, world: World
) -> None:
    async with uows(world.organization.id) as uow:
        await people.update_profile(uow, world.faculty, name="Renamed")
    async with uows(world.organization.id) as uow:
        person = await uow.people.get(world.founder.id)
        assert person is not None
        assert person.name == "Frida Founder"


async def test_unit_of_work_refuses_another_organization(
    uows: FakeUnitOfWorkFactory, world: World, other_world: World
) -> None:
    async with uows(world.organization.id) as uow:
        uow.bind_organization(world.organization.id)  # the same one is fine
        with pytest.raises(RuntimeError):
            uow.bind_organization(other_world.organization.id)


async def test_tenant_repositories_need_an_organization(uows: FakeUnitOfWorkFactory) -> None:
    async with uows() as uow:
        with pytest.raises(RuntimeError):
            await uow.people.get(uuid.uuid4())


async def test_tenant_repositories_see_only_their_organization(
    uows: FakeUnitOfWorkFactory, world: World, other_world: World
) -> None:
    async with uows(world.organization.id) as uow:
        assert await uow.people.get(world.founder.id) is not None
        assert await uow.people.get(other_world.founder.id) is None
        assert not await uow.people.handle_taken(other_world.founder.handle)
        assert not await uow.roles.holds(other_world.founder.id, Role.ORG_FACULTY)


# -- organizations ------------------------------------------------------------------


async def test_found_organization(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    assert world.organization.slug == "acme"
    assert world.founder.organization_id == world.organization.id
    assert world.founder.is_active
    # Nobody invited the founder: a member from the founding on.
    assert (world.founder.member_since, world.founder.invited_by_id) == (NOW, None)
    async with uows() as uow:
        assert await uow.organizations.get_by_slug("acme") is not None
        account = await uow.accounts.get_by_person(world.founder.id)
        assert account is not None
        assert account.email == "founder@acme.test"
        assert account.password_hash == FakePasswordHasher.PREFIX + PASSWORD
        assert account.organization_id == world.organization.id
        uow.bind_organization(world.organization.id)
        assert await uow.people.get(world.founder.id) is not None
        assert await uow.roles.holds(world.founder.id, Role.ORG_FACULTY)


async def test_founder_can_sign_in(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    session = await sign_in(uows, hasher, "founder@acme.test")
    assert session.person.id == world.founder.id


async def test_found_organization_slug_taken(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    with pytest.raises(Conflict) as caught:
        await found(uows, hasher, slug=" ACME ", email="other@acme.test")
    assert caught.value.code == "SLUG_TAKEN"
    assert caught.value.field == "slug"


async def test_found_organization_email_taken(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    with pytest.raises(Conflict) as caught:
        await found(uows, hasher, slug="acme-two", email="FOUNDER@acme.test")
    assert caught.value.code == "EMAIL_TAKEN"
    async with uows() as uow:  # nothing of the failed attempt remains
        assert await uow.organizations.get_by_slug("acme-two") is None


async def test_found_organization_weak_password(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher
) -> None:
    async with uows() as uow:
        with pytest.raises(ValidationFailed) as caught:
            await organizations.found_organization(
                uow,
                hasher,
                name="Acme",
                slug="acme",
                founder_name="Frida",
                founder_handle="frida",
                founder_email="frida@acme.test",
                founder_timezone="UTC",
                founder_password="short",
                now=NOW,
            )
    assert caught.value.code == "WEAK_PASSWORD"
    assert uows.db.tables.organizations == {}


async def test_found_organization_validates_input(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher
) -> None:
    with pytest.raises(ValidationFailed):
        await found(uows, hasher, slug="not a slug")
    with pytest.raises(ValidationFailed) as caught:
        await found(uows, hasher, email="not-an-email")
    assert caught.value.field == "email"
    assert uows.db.tables.organizations == {}


# -- people ---------------------------------------------------------------------------


async def test_invite_person(uows: FakeUnitOfWorkFactory, world: World) -> None:
    invited = await invite(uows, world, "Grace", email=" Grace@Acme.test ")
    person, invitation = invited.person, invited.invitation
    assert person.handle == "grace"
    assert person.email == "grace@acme.test"
    assert person.organization_id == world.organization.id
    assert person.is_active
    assert invitation.person_id == person.id
    assert invitation.email == "grace@acme.test"
    assert invitation.invited_by_id == world.founder.id
    # Who invited them is kept; they become a member only on accepting.
    assert (person.invited_by_id, person.member_since) == (world.founder.id, None)
    assert invitation.expires_at == NOW + INVITE
    assert invitation.is_open(NOW)
    assert invitation.token_hash == hash_secret(invited.token)
    assert invitation.token_hash != invited.token
    async with uows(world.organization.id) as uow:
        assert await uow.people.get(person.id) is not None
        stored = await uow.invitations.get_by_hash(hash_secret(invited.token))
        assert stored is not None
        assert stored.id == invitation.id
        assert [i.id for i in await uow.invitations.open_for_person(person.id, NOW)] == [
            invitation.id
        ]
        assert await uow.accounts.get_by_person(person.id) is None


async def test_invitation_token_is_never_stored(uows: FakeUnitOfWorkFactory, world: World) -> None:
    invited = await invite(uows, world, "grace")
    for table in vars(uows.db.tables).values():
        for row in table.values():
            assert invited.token not in vars(row).values()


async def test_invite_person_needs_org_faculty(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        with pytest.raises(PermissionDenied) as caught:
            await people.invite_person(
                uow,
                world.actor(grace),
                name="Alan",
                handle="alan",
                email="alan@acme.test",
                timezone="UTC",
                now=NOW,
                invitation_lifetime=INVITE,
            )
    assert caught.value.code == "NOT_ORG_FACULTY"


async def test_permission_is_checked_before_input(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        with pytest.raises(PermissionDenied):
            await people.invite_person(
                uow,
                world.actor(grace),
                name="",
                handle="-",
                email="x",
                timezone="?",
                now=NOW,
                invitation_lifetime=INVITE,
            )


async def test_invite_person_handle_taken(uows: FakeUnitOfWorkFactory, world: World) -> None:
    await invite(uows, world, "grace")
    with pytest.raises(Conflict) as caught:
        await invite(uows, world, "GRACE", email="grace2@acme.test")
    assert caught.value.code == "HANDLE_TAKEN"
    assert caught.value.field == "handle"


async def test_handles_are_per_organization(
    uows: FakeUnitOfWorkFactory, world: World, other_world: World
) -> None:
    await invite(uows, world, "grace")
    invited = await invite(uows, other_world, "grace", email="grace@globex.test")
    assert invited.person.organization_id == other_world.organization.id


async def test_invite_person_email_taken(uows: FakeUnitOfWorkFactory, world: World) -> None:
    await invite(uows, world, "grace")
    with pytest.raises(Conflict) as caught:
        await invite(uows, world, "grace2", email="GRACE@acme.test")
    assert caught.value.code == "EMAIL_TAKEN"
    assert caught.value.field == "email"


async def test_invite_person_email_with_an_account_elsewhere(
    uows: FakeUnitOfWorkFactory, world: World, other_world: World
) -> None:
    """Whether an address has an account in another organization is not this
    organization's business: the invitation goes out (one account per email
    is enforced when it is accepted)."""
    invited = await invite(uows, world, "boss", email="founder@globex.test")
    assert invited.person.organization_id == world.organization.id


async def test_invite_person_validates(uows: FakeUnitOfWorkFactory, world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await invite(uows, world, "grace", email="nope")
    assert caught.value.field == "email"
    async with uows(world.organization.id) as uow:
        assert not await uow.people.handle_taken("grace")


async def test_update_profile(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        person = await people.update_profile(
            uow, world.faculty, name="  Frida  F. ", timezone="America/New_York"
        )
        await uow.commit()
    assert (person.name, person.timezone) == ("Frida F.", "America/New_York")
    async with uows(world.organization.id) as uow:
        person = await people.update_profile(uow, world.faculty, timezone="UTC")
        assert (person.name, person.timezone) == ("Frida F.", "UTC")


async def test_update_profile_validates(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        with pytest.raises(ValidationFailed) as caught:
            await people.update_profile(uow, world.faculty, timezone="Nowhere")
    assert caught.value.field == "timezone"


async def test_update_profile_of_unknown_person(uows: FakeUnitOfWorkFactory, world: World) -> None:
    stranger = Actor(person_id=uuid.uuid4(), organization_id=world.organization.id)
    async with uows(world.organization.id) as uow:
        with pytest.raises(NotFound):
            await people.update_profile(uow, stranger, name="X")


async def test_mark_left_revokes_sessions(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, first = await join(uows, hasher, world, "grace")
    second = await sign_in(uows, hasher, "grace@acme.test")
    async with uows(world.organization.id) as uow:
        person = await people.mark_left(uow, world.faculty, grace.id, now=LATER)
        await uow.commit()
    assert person.status is PersonStatus.LEFT
    assert person.left_at == LATER
    for session in (first, second):
        async with uows() as uow:
            stored = await uow.refresh_tokens.get_by_hash(hash_secret(session.refresh_token))
        assert stored is not None
        assert stored.revoked_at == LATER
        with pytest.raises(AuthenticationFailed):
            await refresh(uows, session.refresh_token)


async def test_mark_left_leaves_other_sessions_alone(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    _, alan_session = await join(uows, hasher, world, "alan")
    async with uows(world.organization.id) as uow:
        await people.mark_left(uow, world.faculty, grace.id, now=LATER)
        await uow.commit()
    await refresh(uows, alan_session.refresh_token)


async def test_who_left_cannot_sign_in(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        await people.mark_left(uow, world.faculty, grace.id, now=LATER)
        await uow.commit()
    with pytest.raises(AuthenticationFailed) as caught:
        await sign_in(uows, hasher, "grace@acme.test", now=LATER)
    assert caught.value.code == "INVALID_CREDENTIALS"
    assert caught.value.message == auth.INVALID_CREDENTIALS


async def test_mark_left_without_account(uows: FakeUnitOfWorkFactory, world: World) -> None:
    invited = await invite(uows, world, "grace")
    async with uows(world.organization.id) as uow:
        person = await people.mark_left(uow, world.faculty, invited.person.id, now=LATER)
        await uow.commit()
    assert not person.is_active


async def test_mark_left_needs_org_faculty(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        with pytest.raises(PermissionDenied) as caught:
            await people.mark_left(uow, world.actor(grace), world.founder.id, now=LATER)
    assert caught.value.code == "NOT_ORG_FACULTY"


async def test_mark_left_cannot_mark_self(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        with pytest.raises(Conflict) as caught:
            await people.mark_left(uow, world.faculty, world.founder.id, now=LATER)
    assert caught.value.code == "CANNOT_LEAVE_SELF"
    assert caught.value.field == "personId"


async def test_mark_left_twice(uows: FakeUnitOfWorkFactory, world: World) -> None:
    invited = await invite(uows, world, "grace")
    async with uows(world.organization.id) as uow:
        await people.mark_left(uow, world.faculty, invited.person.id, now=LATER)
        with pytest.raises(Conflict) as caught:
            await people.mark_left(uow, world.faculty, invited.person.id, now=LATER)
    assert caught.value.code == "ALREADY_LEFT"


async def test_mark_left_unknown_or_other_organization(
    uows: FakeUnitOfWorkFactory, world: World, other_world: World
) -> None:
    async with uows(world.organization.id) as uow:
        with pytest.raises(NotFound):
            await people.mark_left(uow, world.faculty, uuid.uuid4(), now=LATER)
        with pytest.raises(NotFound):
            await people.mark_left(uow, world.faculty, other_world.founder.id, now=LATER)


# -- teams ------------------------------------------------------------------------------


async def create_team(uows: FakeUnitOfWorkFactory, world: World, name: str) -> Team:
    async with uows(world.organization.id) as uow:
        team = await teams.create_team(uow, world.faculty, name=name, now=NOW)
        await uow.commit()
    return team


async def test_create_team(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        team = await teams.create_team(
            uow,
            world.faculty,
            name="  Platform ",
            mission="Keep it running.",
            stage=TeamStage.NORMING,
            now=NOW,
        )
        await uow.commit()
    assert (team.name, team.mission, team.stage) == (
        "Platform",
        "Keep it running.",
        TeamStage.NORMING,
    )
    assert team.organization_id == world.organization.id
    async with uows(world.organization.id) as uow:
        assert await uow.teams.get(team.id) is not None


async def test_create_team_needs_org_faculty(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        with pytest.raises(PermissionDenied) as caught:
            await teams.create_team(uow, world.actor(grace), name="Mine", now=NOW)
    assert caught.value.code == "NOT_ORG_FACULTY"


async def test_create_team_name_taken(
    uows: FakeUnitOfWorkFactory, world: World, other_world: World
) -> None:
    await create_team(uows, world, "Platform")
    with pytest.raises(Conflict) as caught:
        await create_team(uows, world, " PLATFORM ")
    assert caught.value.code == "TEAM_NAME_TAKEN"
    assert caught.value.field == "name"
    await create_team(uows, other_world, "Platform")  # names are per organization


async def test_update_team(uows: FakeUnitOfWorkFactory, world: World) -> None:
    team = await create_team(uows, world, "Platform")
    async with uows(world.organization.id) as uow:
        updated = await teams.update_team(uow, world.faculty, team.id, stage=TeamStage.PERFORMING)
        assert (updated.name, updated.stage) == ("Platform", TeamStage.PERFORMING)
        updated = await teams.update_team(
            uow, world.faculty, team.id, name="PLATFORM", mission="New mission"
        )
        assert (updated.name, updated.mission) == ("PLATFORM", "New mission")


async def test_update_team_name_taken(uows: FakeUnitOfWorkFactory, world: World) -> None:
    await create_team(uows, world, "Platform")
    team = await create_team(uows, world, "Payments")
    async with uows(world.organization.id) as uow:
        with pytest.raises(Conflict) as caught:
            await teams.update_team(uow, world.faculty, team.id, name="platform")
    assert caught.value.code == "TEAM_NAME_TAKEN"


async def test_update_team_unknown_or_forbidden(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World, other_world: World
) -> None:
    theirs = await create_team(uows, other_world, "Theirs")
    grace, _ = await join(uows, hasher, world, "grace")
    ours = await create_team(uows, world, "Ours")
    async with uows(world.organization.id) as uow:
        with pytest.raises(NotFound):
            await teams.update_team(uow, world.faculty, uuid.uuid4(), name="X")
        with pytest.raises(NotFound):
            await teams.update_team(uow, world.faculty, theirs.id, name="X")
        with pytest.raises(PermissionDenied):
            await teams.update_team(uow, world.actor(grace), ours.id, name="X")


async def test_add_and_remove_team_member(uows: FakeUnitOfWorkFactory, world: World) -> None:
    team = await create_team(uows, world, "Platform")
    grace = (await invite(uows, world, "grace")).person
    async with uows(world.organization.id) as uow:
        membership = await teams.add_team_member(uow, world.faculty, team.id, grace.id, now=NOW)
        await uow.commit()
    assert membership.is_current
    assert (membership.team_id, membership.person_id) == (team.id, grace.id)
    assert membership.started_at == NOW
    async with uows(world.organization.id) as uow:
        ended = await teams.remove_team_member(uow, world.faculty, team.id, grace.id, now=LATER)
        await uow.commit()
    assert ended.id == membership.id
    assert ended.ended_at == LATER
    async with uows(world.organization.id) as uow:
        assert await uow.memberships.current(team.id, grace.id) is None
        again = await teams.add_team_member(uow, world.faculty, team.id, grace.id, now=LATER)
        assert again.id != membership.id
        assert len(uows.db.tables.memberships) == 2  # history is kept


async def test_add_team_member_twice(uows: FakeUnitOfWorkFactory, world: World) -> None:
    team = await create_team(uows, world, "Platform")
    grace = (await invite(uows, world, "grace")).person
    async with uows(world.organization.id) as uow:
        await teams.add_team_member(uow, world.faculty, team.id, grace.id, now=NOW)
        with pytest.raises(Conflict) as caught:
            await teams.add_team_member(uow, world.faculty, team.id, grace.id, now=NOW)
    assert caught.value.code == "ALREADY_MEMBER"
    assert caught.value.field == "personId"


async def test_add_team_member_who_left(uows: FakeUnitOfWorkFactory, world: World) -> None:
    team = await create_team(uows, world, "Platform")
    grace = (await invite(uows, world, "grace")).person
    async with uows(world.organization.id) as uow:
        await people.mark_left(uow, world.faculty, grace.id, now=NOW)
        with pytest.raises(Conflict) as caught:
            await teams.add_team_member(uow, world.faculty, team.id, grace.id, now=NOW)
    assert caught.value.code == "PERSON_LEFT"


async def test_add_team_member_unknowns(
    uows: FakeUnitOfWorkFactory, world: World, other_world: World
) -> None:
    team = await create_team(uows, world, "Platform")
    async with uows(world.organization.id) as uow:
        with pytest.raises(NotFound) as caught:
            await teams.add_team_member(uow, world.faculty, uuid.uuid4(), world.founder.id, now=NOW)
        assert caught.value.kind == "Team"
        with pytest.raises(NotFound) as caught:
            await teams.add_team_member(uow, world.faculty, team.id, uuid.uuid4(), now=NOW)
        assert caught.value.kind == "Person"
        with pytest.raises(NotFound):
            await teams.add_team_member(
                uow, world.faculty, team.id, other_world.founder.id, now=NOW
            )


async def test_team_membership_needs_org_faculty(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    team = await create_team(uows, world, "Platform")
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        with pytest.raises(PermissionDenied):
            await teams.add_team_member(uow, world.actor(grace), team.id, grace.id, now=NOW)
        with pytest.raises(PermissionDenied):
            await teams.remove_team_member(uow, world.actor(grace), team.id, grace.id, now=NOW)


async def test_remove_non_member(uows: FakeUnitOfWorkFactory, world: World) -> None:
    team = await create_team(uows, world, "Platform")
    async with uows(world.organization.id) as uow:
        with pytest.raises(NotFound) as caught:
            await teams.remove_team_member(uow, world.faculty, team.id, world.founder.id, now=NOW)
        assert caught.value.kind == "Membership"
        with pytest.raises(NotFound) as caught:
            await teams.remove_team_member(
                uow, world.faculty, uuid.uuid4(), world.founder.id, now=NOW
            )
        assert caught.value.kind == "Team"


async def test_remove_member_twice(uows: FakeUnitOfWorkFactory, world: World) -> None:
    team = await create_team(uows, world, "Platform")
    async with uows(world.organization.id) as uow:
        await teams.add_team_member(uow, world.faculty, team.id, world.founder.id, now=NOW)
        await teams.remove_team_member(uow, world.faculty, team.id, world.founder.id, now=LATER)
        with pytest.raises(NotFound):
            await teams.remove_team_member(uow, world.faculty, team.id, world.founder.id, now=LATER)


# -- knowledge areas --------------------------------------------------------------------


async def area(
    uow: FakeUnitOfWork, world: World, name: str, parent: KnowledgeArea | None = None
) -> KnowledgeArea:
    return await knowledge_areas.create_area(
        uow, world.faculty, name=name, parent_id=parent.id if parent else None, now=NOW
    )


async def test_create_area(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        marketing = await knowledge_areas.create_area(
            uow,
            world.faculty,
            name=" Marketing ",
            description="Telling people.",
            parent_id=None,
            now=NOW,
        )
        online = await area(uow, world, "Online Marketing", marketing)
        await uow.commit()
    assert marketing.name == "Marketing"
    assert marketing.description == "Telling people."
    assert marketing.parent_id is None
    assert online.parent_id == marketing.id
    async with uows(world.organization.id) as uow:
        assert list(await uow.areas.ancestry(online.id)) == [online.id, marketing.id]


async def test_create_area_needs_org_faculty(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        with pytest.raises(PermissionDenied) as caught:
            await knowledge_areas.create_area(
                uow, world.actor(grace), name="Mine", parent_id=None, now=NOW
            )
    assert caught.value.code == "NOT_ORG_FACULTY"


async def test_create_area_unknown_parent(
    uows: FakeUnitOfWorkFactory, world: World, other_world: World
) -> None:
    async with uows(other_world.organization.id) as uow:
        theirs = await knowledge_areas.create_area(
            uow, other_world.faculty, name="Theirs", parent_id=None, now=NOW
        )
        await uow.commit()
    async with uows(world.organization.id) as uow:
        for parent_id in (uuid.uuid4(), theirs.id):
            with pytest.raises(NotFound) as caught:
                await knowledge_areas.create_area(
                    uow, world.faculty, name="Child", parent_id=parent_id, now=NOW
                )
            assert "parentId" in caught.value.message


async def test_create_area_sibling_name_taken(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        marketing = await area(uow, world, "Marketing")
        await area(uow, world, "Online", marketing)
        with pytest.raises(Conflict) as caught:
            await area(uow, world, "ONLINE", marketing)
        assert caught.value.code == "AREA_NAME_TAKEN"
        assert caught.value.field == "name"
        with pytest.raises(Conflict):
            await area(uow, world, "marketing")
        # The same name under another parent, or at the root, is fine.
        await area(uow, world, "Online")
        sales = await area(uow, world, "Sales")
        await area(uow, world, "Online", sales)


async def test_rename_area(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        marketing = await area(uow, world, "Marketing")
        await area(uow, world, "Sales")
        renamed = await knowledge_areas.rename_area(
            uow, world.faculty, marketing.id, name="MARKETING"
        )
        assert renamed.name == "MARKETING"
        with pytest.raises(Conflict) as caught:
            await knowledge_areas.rename_area(uow, world.faculty, marketing.id, name="sales")
        assert caught.value.code == "AREA_NAME_TAKEN"
        with pytest.raises(NotFound):
            await knowledge_areas.rename_area(uow, world.faculty, uuid.uuid4(), name="X")


async def test_rename_area_needs_org_faculty(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        marketing = await area(uow, world, "Marketing")
        with pytest.raises(PermissionDenied):
            await knowledge_areas.rename_area(uow, world.actor(grace), marketing.id, name="X")


async def test_move_area(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        marketing = await area(uow, world, "Marketing")
        sales = await area(uow, world, "Sales")
        online = await area(uow, world, "Online", marketing)
        moved = await knowledge_areas.move_area(uow, world.faculty, online.id, parent_id=sales.id)
        assert moved.parent_id == sales.id
        assert list(await uow.areas.ancestry(online.id)) == [online.id, sales.id]
        moved = await knowledge_areas.move_area(uow, world.faculty, online.id, parent_id=None)
        assert moved.parent_id is None
        moved = await knowledge_areas.move_area(
            uow, world.faculty, marketing.id, parent_id=online.id
        )
        assert list(await uow.areas.ancestry(marketing.id)) == [marketing.id, online.id]
        assert uows.db.tree_locks == 3


async def test_move_area_under_itself(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        marketing = await area(uow, world, "Marketing")
        with pytest.raises(Conflict) as caught:
            await knowledge_areas.move_area(
                uow, world.faculty, marketing.id, parent_id=marketing.id
            )
    assert caught.value.code == "AREA_CYCLE"
    assert caught.value.field == "parentId"


async def test_move_area_under_a_descendant(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        marketing = await area(uow, world, "Marketing")
        online = await area(uow, world, "Online", marketing)
        seo = await area(uow, world, "SEO", online)
        for descendant in (online, seo):
            with pytest.raises(Conflict) as caught:
                await knowledge_areas.move_area(
                    uow, world.faculty, marketing.id, parent_id=descendant.id
                )
            assert caught.value.code == "AREA_CYCLE"
        assert marketing.parent_id is None
        # The other way round is no cycle.
        await knowledge_areas.move_area(uow, world.faculty, seo.id, parent_id=marketing.id)
        assert seo.parent_id == marketing.id


async def test_move_area_onto_a_taken_name(uows: FakeUnitOfWorkFactory, world: World) -> None:
    async with uows(world.organization.id) as uow:
        marketing = await area(uow, world, "Marketing")
        await area(uow, world, "Online", marketing)
        online_root = await area(uow, world, "online")
        with pytest.raises(Conflict) as caught:
            await knowledge_areas.move_area(
                uow, world.faculty, online_root.id, parent_id=marketing.id
            )
    assert caught.value.code == "AREA_NAME_TAKEN"


async def test_move_area_unknowns(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        marketing = await area(uow, world, "Marketing")
        with pytest.raises(NotFound):
            await knowledge_areas.move_area(uow, world.faculty, uuid.uuid4(), parent_id=None)
        with pytest.raises(NotFound) as caught:
            await knowledge_areas.move_area(
                uow, world.faculty, marketing.id, parent_id=uuid.uuid4()
            )
        assert "parentId" in caught.value.message
        with pytest.raises(PermissionDenied):
            await knowledge_areas.move_area(uow, world.actor(grace), marketing.id, parent_id=None)


# -- auth: sign in ------------------------------------------------------------------------


async def test_sign_in(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    session = await sign_in(uows, hasher, "  Founder@ACME.test ")
    assert session.person.id == world.founder.id
    assert session.refresh_expires_at == NOW + REFRESH
    async with uows() as uow:
        token = await uow.refresh_tokens.get_by_hash(hash_secret(session.refresh_token))
        assert token is not None
        assert token.is_usable(NOW)
        assert token.expires_at == NOW + REFRESH
        account = await uow.accounts.get_by_person(world.founder.id)
        assert account is not None
        assert token.account_id == account.id
        assert account.last_sign_in_at == NOW
    assert hasher.dummy_calls == 0


async def test_each_sign_in_starts_a_new_session(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    first = await sign_in(uows, hasher, "founder@acme.test")
    second = await sign_in(uows, hasher, "founder@acme.test")
    assert first.refresh_token != second.refresh_token
    assert first.session_id != second.session_id
    sessions = {t.session_id for t in uows.db.tables.refresh_tokens.values()}
    assert sessions == {first.session_id, second.session_id}
    assert all(s.is_live for s in uows.db.tables.account_sessions.values())


async def test_wrong_password_and_unknown_email_look_the_same(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    with pytest.raises(AuthenticationFailed) as wrong_password:
        await sign_in(uows, hasher, "founder@acme.test", "wrong password!")
    assert hasher.dummy_calls == 0
    with pytest.raises(AuthenticationFailed) as unknown_email:
        await sign_in(uows, hasher, "nobody@acme.test")
    assert hasher.dummy_calls == 1  # as slow as a real check
    with pytest.raises(AuthenticationFailed) as malformed_email:
        await sign_in(uows, hasher, "not an email")
    assert hasher.dummy_calls == 2
    errors = (wrong_password.value, unknown_email.value, malformed_email.value)
    assert {(e.code, e.message, type(e)) for e in errors} == {
        ("INVALID_CREDENTIALS", auth.INVALID_CREDENTIALS, AuthenticationFailed)
    }
    assert uows.db.tables.refresh_tokens == {}
    assert uows.db.tables.account_sessions == {}


async def test_failed_sign_in_does_not_touch_the_account(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    with pytest.raises(AuthenticationFailed):
        await sign_in(uows, hasher, "founder@acme.test", "nope")
    async with uows() as uow:
        account = await uow.accounts.get_by_email("founder@acme.test")
        assert account is not None
        assert account.last_sign_in_at is None


# -- auth: refresh and sign out -------------------------------------------------------------


async def test_refresh_rotates(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    first = await sign_in(uows, hasher, "founder@acme.test")
    second = await refresh(uows, first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert second.person.id == world.founder.id
    assert second.refresh_expires_at == LATER + REFRESH
    async with uows() as uow:
        old = await uow.refresh_tokens.get_by_hash(hash_secret(first.refresh_token))
        new = await uow.refresh_tokens.get_by_hash(hash_secret(second.refresh_token))
        assert old is not None
        assert new is not None
        assert old.revoked_at == LATER
        assert old.replaced_by_id == new.id
        assert new.session_id == old.session_id == first.session_id == second.session_id
        assert new.is_usable(LATER)
    third = await refresh(uows, second.refresh_token, now=LATER + timedelta(hours=1))
    assert third.person.id == world.founder.id


async def test_reusing_a_rotated_token_ends_the_session(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    first = await sign_in(uows, hasher, "founder@acme.test")
    other_device = await sign_in(uows, hasher, "founder@acme.test")
    second = await refresh(uows, first.refresh_token)
    with pytest.raises(AuthenticationFailed) as caught:
        await refresh(uows, first.refresh_token, now=LATER + timedelta(minutes=5))
    assert caught.value.code == "INVALID_SESSION"
    assert caught.value.message == auth.INVALID_SESSION
    # The revocation was committed although the request failed...
    with pytest.raises(AuthenticationFailed):
        await refresh(uows, second.refresh_token, now=LATER + timedelta(minutes=6))
    async with uows() as uow:
        successor = await uow.refresh_tokens.get_by_hash(hash_secret(second.refresh_token))
        assert successor is not None
        assert successor.revoked_at == LATER + timedelta(minutes=5)
        ended = await uow.account_sessions.get(first.session_id)
        assert ended is not None
        assert (ended.ended_at, ended.end_reason) == (
            LATER + timedelta(minutes=5),
            SessionEnd.REFRESH_TOKEN_REUSED,
        )
    # ...and only that session ended.
    await refresh(uows, other_device.refresh_token, now=LATER + timedelta(minutes=7))


async def test_refresh_with_unknown_token(uows: FakeUnitOfWorkFactory, world: World) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await refresh(uows, "no-such-token")
    assert caught.value.code == "INVALID_SESSION"


async def test_expired_refresh_token(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    session = await sign_in(uows, hasher, "founder@acme.test")
    with pytest.raises(AuthenticationFailed) as caught:
        await refresh(uows, session.refresh_token, now=NOW + REFRESH)
    assert caught.value.code == "INVALID_SESSION"
    assert caught.value.message == auth.INVALID_SESSION
    await refresh(uows, session.refresh_token, now=NOW + REFRESH - timedelta(seconds=1))


async def test_refresh_after_leaving(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    """Even a token that somehow escaped revocation stops working."""
    grace, session = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        person = await uow.people.get(grace.id)
        assert person is not None
        person.mark_left(NOW)  # the entity alone: tokens stay unrevoked
        await uow.commit()
    with pytest.raises(AuthenticationFailed) as caught:
        await refresh(uows, session.refresh_token)
    assert caught.value.code == "INVALID_SESSION"


async def test_sign_out(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    first = await sign_in(uows, hasher, "founder@acme.test")
    rotated = await refresh(uows, first.refresh_token)
    other_device = await sign_in(uows, hasher, "founder@acme.test")
    async with uows() as uow:
        await auth.sign_out(uow, refresh_token=rotated.refresh_token, now=LATER)
        await uow.commit()
    with pytest.raises(AuthenticationFailed):
        await refresh(uows, rotated.refresh_token)
    tokens_of_session = [
        t
        for t in uows.db.tables.refresh_tokens.values()
        if t.token_hash != hash_secret(other_device.refresh_token)
    ]
    assert all(t.revoked_at is not None for t in tokens_of_session)
    signed_out = uows.db.tables.account_sessions[first.session_id]
    assert (signed_out.ended_at, signed_out.end_reason) == (LATER, SessionEnd.SIGNED_OUT)
    assert uows.db.tables.account_sessions[other_device.session_id].is_live
    await refresh(uows, other_device.refresh_token)


async def test_sign_out_twice_or_unknown_is_quiet(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    session = await sign_in(uows, hasher, "founder@acme.test")
    async with uows() as uow:
        await auth.sign_out(uow, refresh_token=session.refresh_token, now=LATER)
        await auth.sign_out(uow, refresh_token=session.refresh_token, now=LATER)
        await auth.sign_out(uow, refresh_token="never-issued", now=LATER)


# -- auth: invitations ---------------------------------------------------------------------


async def accept(
    uows: FakeUnitOfWorkFactory,
    hasher: FakePasswordHasher,
    token: str,
    password: str = PASSWORD,
    *,
    now: datetime = LATER,
) -> IssuedSession:
    return await auth.accept_invitation(
        uows, hasher, token=token, password=password, now=now, refresh_lifetime=REFRESH
    )


async def test_accept_invitation(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    invited = await invite(uows, world, "grace")
    session = await accept(uows, hasher, invited.token)
    assert session.person.id == invited.person.id
    assert session.refresh_expires_at == LATER + REFRESH
    async with uows() as uow:
        account = await uow.accounts.get_by_person(invited.person.id)
        assert account is not None
        assert account.email == "grace@acme.test"
        assert account.organization_id == world.organization.id
        assert account.password_hash == FakePasswordHasher.PREFIX + PASSWORD
        assert account.last_sign_in_at == LATER
        invitation = await uow.invitations.get_by_hash(hash_secret(invited.token))
        assert invitation is not None
        assert invitation.accepted_at == LATER
        assert await uow.invitations.open_for_person(invited.person.id, LATER) == []
        assert await uow.refresh_tokens.get_by_hash(hash_secret(session.refresh_token))
    await refresh(uows, session.refresh_token, now=LATER + timedelta(minutes=1))
    signed_in = await sign_in(uows, hasher, "grace@acme.test", now=LATER)
    assert signed_in.person.id == invited.person.id
    async with uows(world.organization.id) as uow:
        person = await uow.people.get(invited.person.id)
        assert person is not None
        assert (person.member_since, person.invited_by_id) == (LATER, world.founder.id)


async def test_invitation_is_single_use(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    invited = await invite(uows, world, "grace")
    await accept(uows, hasher, invited.token)
    with pytest.raises(AuthenticationFailed) as caught:
        await accept(uows, hasher, invited.token, "another long password")
    assert caught.value.code == "INVALID_INVITATION"
    assert caught.value.message == auth.INVALID_INVITATION
    await sign_in(uows, hasher, "grace@acme.test", now=LATER)  # the first password holds
    with pytest.raises(AuthenticationFailed):
        await sign_in(uows, hasher, "grace@acme.test", "another long password", now=LATER)


async def test_expired_invitation(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    invited = await invite(uows, world, "grace")
    with pytest.raises(AuthenticationFailed) as caught:
        await accept(uows, hasher, invited.token, now=NOW + INVITE)
    assert caught.value.code == "INVALID_INVITATION"
    await accept(uows, hasher, invited.token, now=NOW + INVITE - timedelta(seconds=1))


async def test_unknown_invitation(uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        await accept(uows, hasher, "no-such-invitation")
    assert caught.value.code == "INVALID_INVITATION"


async def test_accept_invitation_weak_password(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    invited = await invite(uows, world, "grace")
    with pytest.raises(ValidationFailed) as caught:
        await accept(uows, hasher, invited.token, "too short")
    assert caught.value.code == "WEAK_PASSWORD"
    assert caught.value.field == "password"
    async with uows() as uow:
        assert await uow.accounts.get_by_person(invited.person.id) is None
    await accept(uows, hasher, invited.token)  # still open: a better password works


async def test_accept_invitation_after_leaving(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    invited = await invite(uows, world, "grace")
    async with uows(world.organization.id) as uow:
        await people.mark_left(uow, world.faculty, invited.person.id, now=NOW)
        await uow.commit()
    with pytest.raises(AuthenticationFailed) as caught:
        await accept(uows, hasher, invited.token)
    assert caught.value.code == "INVALID_INVITATION"
    async with uows() as uow:
        assert await uow.accounts.get_by_person(invited.person.id) is None


async def test_second_invitation_after_account_exists(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    """An account is created once; a stray second invitation cannot reset it."""
    invited = await invite(uows, world, "grace")
    async with uows(world.organization.id) as uow:
        person = await uow.people.get(invited.person.id)
        assert person is not None
        second, token = Invitation.create(
            organization_id=world.organization.id,
            person_id=person.id,
            email=person.email,
            invited_by_id=world.founder.id,
            now=NOW,
            lifetime=INVITE,
        )
        await uow.invitations.add(second)
        await uow.commit()
    await accept(uows, hasher, invited.token)
    with pytest.raises(AuthenticationFailed) as caught:
        await accept(uows, hasher, token, "another long password")
    assert caught.value.code == "INVALID_INVITATION"


async def test_role_assignment_that_ended_grants_nothing(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows(world.organization.id) as uow:
        await uow.roles.add(
            RoleAssignment(
                organization_id=world.organization.id,
                person_id=grace.id,
                role=Role.ORG_FACULTY,
                started_at=NOW,
                ended_at=LATER,
                status=RoleStatus.ENDED,
            )
        )
        with pytest.raises(PermissionDenied):
            await teams.create_team(uow, world.actor(grace), name="Mine", now=LATER)
        await uow.roles.add(
            RoleAssignment(
                organization_id=world.organization.id,
                person_id=grace.id,
                role=Role.ORG_FACULTY,
                started_at=LATER,
            )
        )
        await teams.create_team(uow, world.actor(grace), name="Mine", now=LATER)


async def test_fakes_of_the_other_ports() -> None:
    clock: Clock = FixedClock(NOW)
    mailer = FakeMailer()
    port: Mailer = mailer
    await port.send_invitation(email="a@acme.test", name="A", organization="Acme", token="t")
    assert clock.now() == NOW
    assert [(m.email, m.token) for m in mailer.sent] == [("a@acme.test", "t")]
    unbound: UnitOfWorkFactory = FakeUnitOfWorkFactory()
    async with unbound() as uow:
        assert await uow.organizations.get(uuid.uuid4()) is None
        assert await uow.accounts.get(uuid.uuid4()) is None
