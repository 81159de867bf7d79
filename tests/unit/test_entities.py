"""Entities and their rules, with no repository in sight."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.accounts import (
    PASSWORD_MAX,
    PASSWORD_MIN,
    Account,
    AccountSession,
    Invitation,
    PasswordReset,
    RefreshToken,
    ResetClose,
    SessionEnd,
    check_password_policy,
    hash_secret,
)
from domain.errors import Conflict, ValidationFailed
from domain.knowledge_areas import KnowledgeArea
from domain.organizations import Organization
from domain.people import Person, PersonStatus
from domain.teams import Team, TeamMembership, TeamStage

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")


def make_person(
    *,
    name: str = "Ada Lovelace",
    handle: str = "ada",
    email: str = "ada@example.com",
    timezone: str = "Europe/London",
) -> Person:
    return Person.create(
        organization_id=ORG, name=name, handle=handle, email=email, timezone=timezone, now=NOW
    )


def make_area(name: str, parent: KnowledgeArea | None = None) -> KnowledgeArea:
    return KnowledgeArea.create(
        organization_id=ORG, name=name, parent_id=parent.id if parent else None, now=NOW
    )


def make_account() -> Account:
    return Account(
        organization_id=ORG,
        person_id=uuid.uuid4(),
        email="ada@example.com",
        password_hash="hashed:x",
        created_at=NOW,
    )


# -- organization ----------------------------------------------------------------


def test_organization_create_cleans_name_and_slug() -> None:
    organization = Organization.create(name="  Acme   Corp ", slug=" ACME ", now=NOW)
    assert organization.name == "Acme Corp"
    assert organization.slug == "acme"
    assert organization.created_at == NOW


def test_organization_slug_follows_handle_rules() -> None:
    with pytest.raises(ValidationFailed):
        Organization.create(name="Acme", slug="-acme", now=NOW)


# -- person ----------------------------------------------------------------------


def test_person_create_validates_and_normalizes() -> None:
    person = make_person(
        name="  Ada   Lovelace ", handle=" ADA ", email=" Ada@Example.com", timezone="UTC"
    )
    assert person.name == "Ada Lovelace"
    assert person.handle == "ada"
    assert person.email == "ada@example.com"
    assert person.timezone == "UTC"
    assert person.organization_id == ORG
    assert person.created_at == NOW
    assert person.status is PersonStatus.ACTIVE
    assert person.is_active
    assert person.left_at is None


def test_people_get_distinct_ids() -> None:
    assert make_person().id != make_person().id


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "  ", "REQUIRED"),
        ("name", "x" * 121, "TOO_LONG"),
        ("handle", "no spaces", "INVALID_HANDLE"),
        ("email", "nope", "INVALID_EMAIL"),
        ("timezone", "Nowhere/Land", "INVALID_TIMEZONE"),
    ],
)
def test_person_create_rejects_bad_values(field: str, value: str, code: str) -> None:
    values = {"name": "Ada", "handle": "ada", "email": "a@example.com", "timezone": "UTC"}
    values[field] = value
    with pytest.raises(ValidationFailed) as caught:
        make_person(**values)
    assert caught.value.field == field
    assert caught.value.code == code


def test_update_profile_changes_only_what_is_given() -> None:
    person = make_person()
    person.update_profile(name=" Countess  Ada ")
    assert person.name == "Countess Ada"
    assert person.timezone == "Europe/London"
    person.update_profile(timezone="Europe/Berlin")
    assert person.name == "Countess Ada"
    assert person.timezone == "Europe/Berlin"
    person.update_profile()
    assert (person.name, person.timezone) == ("Countess Ada", "Europe/Berlin")


def test_update_profile_validates() -> None:
    person = make_person()
    with pytest.raises(ValidationFailed) as caught:
        person.update_profile(name="")
    assert caught.value.code == "REQUIRED"
    with pytest.raises(ValidationFailed) as caught:
        person.update_profile(timezone="Atlantis")
    assert caught.value.code == "INVALID_TIMEZONE"
    assert person.name == "Ada Lovelace"
    assert person.timezone == "Europe/London"


def test_mark_left() -> None:
    person = make_person()
    person.mark_left(NOW)
    assert person.status is PersonStatus.LEFT
    assert not person.is_active
    assert person.left_at == NOW


def test_mark_left_twice_is_a_conflict() -> None:
    person = make_person()
    person.mark_left(NOW)
    with pytest.raises(Conflict) as caught:
        person.mark_left(NOW + timedelta(days=1))
    assert caught.value.code == "ALREADY_LEFT"
    assert person.left_at == NOW


# -- team ------------------------------------------------------------------------


def test_team_create_defaults() -> None:
    team = Team.create(organization_id=ORG, name="  Platform  Team ", now=NOW)
    assert team.name == "Platform Team"
    assert team.mission == ""
    assert team.stage is TeamStage.FORMING
    assert team.created_at == NOW


def test_team_create_keeps_mission_line_breaks() -> None:
    team = Team.create(
        organization_id=ORG,
        name="Platform",
        mission="  Keep it running.\n\nMake it fast.  ",
        stage=TeamStage.NORMING,
        now=NOW,
    )
    assert team.mission == "Keep it running.\n\nMake it fast."
    assert team.stage is TeamStage.NORMING


def test_team_create_validates() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Team.create(organization_id=ORG, name=" ", now=NOW)
    assert caught.value.field == "name"
    with pytest.raises(ValidationFailed) as caught:
        Team.create(organization_id=ORG, name="T", mission="x" * 2001, now=NOW)
    assert caught.value.field == "mission"
    assert caught.value.code == "TOO_LONG"


def test_team_update() -> None:
    team = Team.create(organization_id=ORG, name="Platform", mission="m", now=NOW)
    team.update(stage=TeamStage.STORMING)
    assert (team.name, team.mission, team.stage) == ("Platform", "m", TeamStage.STORMING)
    team.update(name=" Core ", mission="")
    assert (team.name, team.mission, team.stage) == ("Core", "", TeamStage.STORMING)
    with pytest.raises(ValidationFailed):
        team.update(name="")
    assert team.name == "Core"


def test_membership_end_twice_is_a_conflict() -> None:
    membership = TeamMembership(
        organization_id=ORG, team_id=uuid.uuid4(), person_id=uuid.uuid4(), started_at=NOW
    )
    assert membership.is_current
    later = NOW + timedelta(days=30)
    membership.end(later)
    assert not membership.is_current
    assert membership.ended_at == later
    with pytest.raises(Conflict) as caught:
        membership.end(later + timedelta(days=1))
    assert caught.value.code == "ALREADY_ENDED"
    assert membership.ended_at == later


# -- knowledge area --------------------------------------------------------------


def test_area_create_and_rename() -> None:
    root = make_area(" Marketing ")
    child = KnowledgeArea.create(
        organization_id=ORG,
        name="Online  Marketing",
        description=" ads\nseo ",
        parent_id=root.id,
        now=NOW,
    )
    assert root.parent_id is None
    assert root.name == "Marketing"
    assert child.parent_id == root.id
    assert child.name == "Online Marketing"
    assert child.description == "ads\nseo"
    child.rename(" SEO ")
    assert child.name == "SEO"
    with pytest.raises(ValidationFailed):
        child.rename("  ")
    assert child.name == "SEO"


def test_move_under_itself_is_a_cycle() -> None:
    area = make_area("Marketing")
    with pytest.raises(Conflict) as caught:
        area.move_under(area.id, [area.id])
    assert caught.value.code == "AREA_CYCLE"
    assert caught.value.field == "parentId"
    assert area.parent_id is None


def test_move_under_itself_is_a_cycle_even_without_ancestry() -> None:
    area = make_area("Marketing")
    with pytest.raises(Conflict) as caught:
        area.move_under(area.id, [])
    assert caught.value.code == "AREA_CYCLE"


def test_move_under_a_descendant_is_a_cycle() -> None:
    marketing = make_area("Marketing")
    online = make_area("Online", marketing)
    seo = make_area("SEO", online)
    # The new parent's ancestry, nearest first: seo, online, marketing.
    with pytest.raises(Conflict) as caught:
        marketing.move_under(seo.id, [seo.id, online.id, marketing.id])
    assert caught.value.code == "AREA_CYCLE"
    assert marketing.parent_id is None


def test_valid_moves() -> None:
    marketing = make_area("Marketing")
    sales = make_area("Sales")
    online = make_area("Online", marketing)
    online.move_under(sales.id, [sales.id])
    assert online.parent_id == sales.id
    online.move_under(None, [])
    assert online.parent_id is None
    # Moving an ancestor under an unrelated branch is fine.
    marketing.move_under(online.id, [online.id])
    assert marketing.parent_id == online.id


# -- refresh tokens and invitations ------------------------------------------------


def make_session(account: Account | None = None) -> AccountSession:
    return AccountSession.start(account or make_account(), NOW)


def test_refresh_token_issue_stores_only_the_hash() -> None:
    session = make_session()
    token, secret = RefreshToken.issue(session=session, now=NOW, lifetime=timedelta(days=30))
    assert token.token_hash == hash_secret(secret)
    assert token.token_hash != secret
    assert len(secret) >= 40
    assert token.session_id == session.id
    assert token.account_id == session.account_id
    assert token.organization_id == session.organization_id
    assert token.issued_at == NOW
    assert token.expires_at == NOW + timedelta(days=30)
    assert token.revoked_at is None
    assert token.replaced_by_id is None


def test_refresh_tokens_of_a_session() -> None:
    session = make_session()
    first, first_secret = RefreshToken.issue(session=session, now=NOW, lifetime=timedelta(days=1))
    second, second_secret = RefreshToken.issue(session=session, now=NOW, lifetime=timedelta(days=1))
    other, _ = RefreshToken.issue(session=make_session(), now=NOW, lifetime=timedelta(days=1))
    assert second.session_id == first.session_id
    assert other.session_id != first.session_id
    assert first_secret != second_secret


def test_refresh_token_is_usable_until_expiry() -> None:
    token, _ = RefreshToken.issue(session=make_session(), now=NOW, lifetime=timedelta(hours=1))
    assert token.is_usable(NOW)
    assert token.is_usable(NOW + timedelta(minutes=59))
    assert not token.is_usable(NOW + timedelta(hours=1))
    assert not token.is_usable(NOW + timedelta(days=1))


def test_refresh_token_revoke_is_idempotent() -> None:
    token, _ = RefreshToken.issue(session=make_session(), now=NOW, lifetime=timedelta(hours=1))
    token.revoke(NOW)
    assert not token.is_usable(NOW)
    token.revoke(NOW + timedelta(minutes=5))
    assert token.revoked_at == NOW


def test_a_session_carries_the_password_version_while_live() -> None:
    account = make_account()
    account.set_password("hashed:second")
    session = AccountSession.start(account, NOW)
    assert (session.password_version, session.is_live) == (2, True)
    assert (session.account_id, session.organization_id) == (account.id, account.organization_id)

    session.end(NOW + timedelta(minutes=1), SessionEnd.SIGNED_OUT)

    assert not session.is_live
    assert session.password_version is None
    assert (session.ended_at, session.end_reason) == (
        NOW + timedelta(minutes=1),
        SessionEnd.SIGNED_OUT,
    )


def test_an_ended_session_keeps_its_first_end() -> None:
    session = make_session()
    session.end(NOW, SessionEnd.SIGNED_OUT)
    session.end(NOW + timedelta(hours=1), SessionEnd.PASSWORD_CHANGED)
    assert (session.ended_at, session.end_reason) == (NOW, SessionEnd.SIGNED_OUT)


def test_setting_a_password_counts_a_new_version() -> None:
    account = make_account()
    assert account.password_version == 1
    account.set_password("hashed:new")
    assert (account.password_hash, account.password_version) == ("hashed:new", 2)


def test_a_password_reset_stores_only_the_hash_and_is_open_until_closed_or_expired() -> None:
    account = make_account()
    reset, secret = PasswordReset.create(account=account, now=NOW, lifetime=timedelta(hours=1))
    assert reset.token_hash == hash_secret(secret) != secret
    assert (reset.account_id, reset.password_version) == (account.id, 1)
    assert reset.is_open(NOW + timedelta(minutes=59))
    assert not reset.is_open(NOW + timedelta(hours=1))

    reset.close(NOW, ResetClose.USED)
    reset.close(NOW + timedelta(minutes=1), ResetClose.REPLACED)

    assert not reset.is_open(NOW)
    assert (reset.closed_at, reset.close_reason, reset.password_version) == (
        NOW,
        ResetClose.USED,
        None,
    )


def test_invitation_create_and_is_open() -> None:
    person_id, inviter_id = uuid.uuid4(), uuid.uuid4()
    invitation, secret = Invitation.create(
        organization_id=ORG,
        person_id=person_id,
        email="ada@example.com",
        invited_by_id=inviter_id,
        now=NOW,
        lifetime=timedelta(days=7),
    )
    assert invitation.token_hash == hash_secret(secret)
    assert invitation.token_hash != secret
    assert invitation.person_id == person_id
    assert invitation.invited_by_id == inviter_id
    assert invitation.expires_at == NOW + timedelta(days=7)
    assert invitation.is_open(NOW)
    assert invitation.is_open(NOW + timedelta(days=7) - timedelta(seconds=1))
    assert not invitation.is_open(NOW + timedelta(days=7))
    invitation.accepted_at = NOW + timedelta(hours=1)
    assert not invitation.is_open(NOW + timedelta(hours=2))


def test_secrets_are_random() -> None:
    session = make_session()
    secrets = {
        RefreshToken.issue(session=session, now=NOW, lifetime=timedelta(1))[1] for _ in "abcde"
    }
    assert len(secrets) == 5


# -- password policy -------------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["x" * PASSWORD_MIN, "correct horse battery", "x" * PASSWORD_MAX]
)
def test_password_policy_accepts(password: str) -> None:
    check_password_policy(password)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("", "WEAK_PASSWORD"),
        ("x" * (PASSWORD_MIN - 1), "WEAK_PASSWORD"),
        ("x" * (PASSWORD_MAX + 1), "TOO_LONG"),
    ],
)
def test_password_policy_rejects(password: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_password_policy(password)
    assert caught.value.code == code
    assert caught.value.field == "password"
