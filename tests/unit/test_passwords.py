"""Passwords and sessions on the in-memory unit of work: hashing never holds
a transaction, changing and resetting a password end every session of the
old one, a reset token works once and only the newest one works. The fakes
hold the database's rules (a live session or an open reset belongs to the
current password; one open reset per account), so they stay in agreement."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.accounts import AccountSession, ResetClose, SessionEnd, hash_secret
from domain.actors import Actor
from domain.errors import AuthenticationFailed, ValidationFailed
from domain.services import auth, people
from domain.services.auth import IssuedSession
from tests.unit.fakes import FakeMailer, FakePasswordHasher, FakeUnitOfWorkFactory
from tests.unit.test_services import (
    LATER,
    NOW,
    PASSWORD,
    REFRESH,
    World,
    found,
    join,
    refresh,
    sign_in,
)

NEW_PASSWORD = "a brand new passphrase"
RESET = timedelta(hours=1)


@pytest.fixture
def uows() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def hasher(uows: FakeUnitOfWorkFactory) -> FakePasswordHasher:
    return FakePasswordHasher(uows)


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer()


@pytest.fixture
async def world(uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher) -> World:
    return await found(uows, hasher)


def actor_of(world: World, issued: IssuedSession) -> Actor:
    return Actor(
        person_id=issued.person.id,
        organization_id=world.organization.id,
        session_id=issued.session_id,
    )


async def change(
    uows: FakeUnitOfWorkFactory,
    hasher: FakePasswordHasher,
    actor: Actor,
    current: str = PASSWORD,
    new: str = NEW_PASSWORD,
) -> IssuedSession:
    return await auth.change_password(
        uows,
        hasher,
        actor,
        current_password=current,
        new_password=new,
        now=LATER,
        refresh_lifetime=REFRESH,
    )


async def request_reset(
    uows: FakeUnitOfWorkFactory, mailer: FakeMailer, email: str, *, now=NOW
) -> str | None:
    """The token mailed, if any."""
    before = len(mailer.resets)
    await auth.request_password_reset(uows, mailer, email=email, now=now, lifetime=RESET)
    return mailer.resets[-1].token if len(mailer.resets) > before else None


async def reset(
    uows: FakeUnitOfWorkFactory,
    hasher: FakePasswordHasher,
    token: str,
    new: str = NEW_PASSWORD,
    *,
    now=LATER - timedelta(minutes=30),
) -> IssuedSession:
    return await auth.reset_password(
        uows, hasher, token=token, new_password=new, now=now, refresh_lifetime=REFRESH
    )


def live_sessions(uows: FakeUnitOfWorkFactory) -> set:
    return {s.id for s in uows.db.tables.account_sessions.values() if s.is_live}


# -- hashing holds no transaction ------------------------------------------------------


async def test_no_password_is_hashed_or_verified_inside_a_transaction(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, mailer: FakeMailer, world: World
) -> None:
    hasher.inside_transaction.clear()  # founding the organization is a set-up step (the CLI)
    grace, joined = await join(uows, hasher, world, "grace")
    signed_in = await sign_in(uows, hasher, "grace@acme.test")
    with pytest.raises(AuthenticationFailed):
        await sign_in(uows, hasher, "grace@acme.test", "the wrong password")
    with pytest.raises(AuthenticationFailed):
        await sign_in(uows, hasher, "nobody@acme.test")
    changed = await change(uows, hasher, actor_of(world, signed_in))
    token = await request_reset(uows, mailer, "grace@acme.test")
    assert token is not None
    await reset(uows, hasher, token)

    # Founding, joining, changing and resetting hash; three sign-ins verify.
    assert (hasher.hash_calls, hasher.verify_calls, hasher.dummy_calls) == (4, 3, 1)
    assert hasher.inside_transaction == []
    assert changed.person.id == joined.person.id == grace.id


# -- changing a password ---------------------------------------------------------------


async def test_changing_the_password_ends_every_session_and_starts_a_new_one(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    grace, first = await join(uows, hasher, world, "grace")
    second = await sign_in(uows, hasher, "grace@acme.test")
    alan, alans = await join(uows, hasher, world, "alan")

    changed = await change(uows, hasher, actor_of(world, second))

    assert live_sessions(uows) == {changed.session_id, alans.session_id}
    for old in (first, second):
        ended = uows.db.tables.account_sessions[old.session_id]
        assert (ended.ended_at, ended.end_reason) == (LATER, SessionEnd.PASSWORD_CHANGED)
        with pytest.raises(AuthenticationFailed):
            await refresh(uows, old.refresh_token, now=LATER + timedelta(minutes=1))
    await refresh(uows, changed.refresh_token, now=LATER + timedelta(minutes=1))
    account = next(a for a in uows.db.tables.accounts.values() if a.person_id == grace.id)
    assert (account.password_hash, account.password_version) == (
        FakePasswordHasher.PREFIX + NEW_PASSWORD,
        2,
    )
    with pytest.raises(AuthenticationFailed):
        await sign_in(uows, hasher, "grace@acme.test", PASSWORD, now=LATER)
    await sign_in(uows, hasher, "grace@acme.test", NEW_PASSWORD, now=LATER)
    assert alan.id != grace.id


@pytest.mark.parametrize(
    ("current", "new", "field", "code"),
    [
        ("not my password", NEW_PASSWORD, "currentPassword", "WRONG_PASSWORD"),
        (PASSWORD, "short", "newPassword", "WEAK_PASSWORD"),
        (PASSWORD, "x" * 257, "newPassword", "TOO_LONG"),
        (PASSWORD, PASSWORD, "newPassword", "SAME_PASSWORD"),
    ],
)
async def test_a_refused_change_changes_nothing(
    uows: FakeUnitOfWorkFactory,
    hasher: FakePasswordHasher,
    world: World,
    current: str,
    new: str,
    field: str,
    code: str,
) -> None:
    _, joined = await join(uows, hasher, world, "grace")
    before = live_sessions(uows)

    with pytest.raises(ValidationFailed) as caught:
        await change(uows, hasher, actor_of(world, joined), current, new)

    assert (caught.value.field, caught.value.code) == (field, code)
    assert live_sessions(uows) == before
    await sign_in(uows, hasher, "grace@acme.test", PASSWORD, now=LATER)


async def test_a_change_from_a_session_that_ended_is_refused(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    _, joined = await join(uows, hasher, world, "grace")
    async with uows() as uow:
        await auth.sign_out(uow, refresh_token=joined.refresh_token, now=NOW)
        await uow.commit()

    with pytest.raises(AuthenticationFailed) as caught:
        await change(uows, hasher, actor_of(world, joined))

    assert caught.value.code == "SESSION_ENDED"
    await sign_in(uows, hasher, "grace@acme.test", PASSWORD, now=LATER)


async def test_a_change_closes_an_open_reset(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, mailer: FakeMailer, world: World
) -> None:
    _, joined = await join(uows, hasher, world, "grace")
    token = await request_reset(uows, mailer, "grace@acme.test")
    assert token is not None

    await change(uows, hasher, actor_of(world, joined))

    [closed] = uows.db.tables.password_resets.values()
    assert (closed.closed_at, closed.close_reason) == (LATER, ResetClose.PASSWORD_CHANGED)
    with pytest.raises(AuthenticationFailed) as caught:
        await reset(uows, hasher, token, "yet another passphrase")
    assert caught.value.code == "INVALID_RESET_TOKEN"


async def test_the_fakes_refuse_a_password_change_that_leaves_a_session_live(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, world: World
) -> None:
    """The deferred foreign key of sessions, as the fakes hold it."""
    grace, _ = await join(uows, hasher, world, "grace")
    async with uows() as uow:
        account = await uow.accounts.get_by_person(grace.id)
        assert account is not None
        account.set_password("hashed:sneaky")
        with pytest.raises(RuntimeError, match="fk_"):
            await uow.commit()
    async with uows() as uow:
        account = await uow.accounts.get_by_person(grace.id)
        assert account is not None
        await uow.account_sessions.add(AccountSession.start(account, NOW))
        account.password_version += 1
        with pytest.raises(RuntimeError, match="fk_"):
            await uow.commit()


# -- resetting a forgotten password ----------------------------------------------------


async def test_a_reset_sets_the_password_ends_every_session_and_starts_one(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, mailer: FakeMailer, world: World
) -> None:
    grace, joined = await join(uows, hasher, world, "grace")
    token = await request_reset(uows, mailer, " Grace@ACME.test ")
    assert token is not None
    [mail] = mailer.resets
    assert (mail.email, mail.name, mail.organization) == ("grace@acme.test", "Grace", "Acme")
    [stored] = uows.db.tables.password_resets.values()
    assert stored.token_hash == hash_secret(token) != token
    assert stored.expires_at == NOW + RESET

    issued = await reset(uows, hasher, token)

    assert issued.person.id == grace.id
    assert live_sessions(uows) == {issued.session_id}
    ended = uows.db.tables.account_sessions[joined.session_id]
    assert ended.end_reason is SessionEnd.PASSWORD_RESET
    [used] = uows.db.tables.password_resets.values()
    assert (used.close_reason, used.password_version) == (ResetClose.USED, None)
    await sign_in(uows, hasher, "grace@acme.test", NEW_PASSWORD, now=LATER)


async def test_a_reset_token_works_once_and_only_until_it_expires(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, mailer: FakeMailer, world: World
) -> None:
    await join(uows, hasher, world, "grace")
    token = await request_reset(uows, mailer, "grace@acme.test")
    assert token is not None
    with pytest.raises(AuthenticationFailed) as expired:
        await reset(uows, hasher, token, now=NOW + RESET)
    await reset(uows, hasher, token, now=NOW + RESET - timedelta(seconds=1))
    with pytest.raises(AuthenticationFailed) as spent:
        await reset(uows, hasher, token, "another new passphrase")
    with pytest.raises(AuthenticationFailed) as unknown:
        await reset(uows, hasher, "never-mailed")
    assert {(e.value.code, e.value.message) for e in (expired, spent, unknown)} == {
        ("INVALID_RESET_TOKEN", auth.INVALID_RESET_TOKEN)
    }
    await sign_in(uows, hasher, "grace@acme.test", NEW_PASSWORD, now=LATER)


async def test_a_new_request_replaces_the_open_reset(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, mailer: FakeMailer, world: World
) -> None:
    await join(uows, hasher, world, "grace")
    older = await request_reset(uows, mailer, "grace@acme.test")
    newer = await request_reset(uows, mailer, "grace@acme.test", now=NOW + timedelta(minutes=5))
    assert older is not None
    assert newer is not None

    with pytest.raises(AuthenticationFailed):
        await reset(uows, hasher, older)
    await reset(uows, hasher, newer)

    reasons = sorted(r.close_reason.value for r in uows.db.tables.password_resets.values())
    assert reasons == ["REPLACED", "USED"]


async def test_a_weak_new_password_leaves_the_reset_open(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, mailer: FakeMailer, world: World
) -> None:
    await join(uows, hasher, world, "grace")
    token = await request_reset(uows, mailer, "grace@acme.test")
    assert token is not None
    hashed = hasher.hash_calls
    with pytest.raises(ValidationFailed) as caught:
        await reset(uows, hasher, token, "short")
    assert (caught.value.field, caught.value.code) == ("newPassword", "WEAK_PASSWORD")
    assert hasher.hash_calls == hashed
    await reset(uows, hasher, token)


async def test_nobody_unknown_or_gone_gets_a_reset(
    uows: FakeUnitOfWorkFactory, hasher: FakePasswordHasher, mailer: FakeMailer, world: World
) -> None:
    grace, _ = await join(uows, hasher, world, "grace")
    mailed_before_leaving = await request_reset(uows, mailer, "grace@acme.test")
    assert mailed_before_leaving is not None
    async with uows(world.organization.id) as uow:
        await people.mark_left(uow, world.faculty, grace.id, now=NOW)
        await uow.commit()

    assert await request_reset(uows, mailer, "nobody@acme.test") is None
    assert await request_reset(uows, mailer, "grace@acme.test") is None
    with pytest.raises(AuthenticationFailed) as caught:
        await reset(uows, hasher, mailed_before_leaving)
    assert caught.value.code == "INVALID_RESET_TOKEN"
    assert len(mailer.resets) == 1
    [ended] = uows.db.tables.account_sessions.values()
    assert ended.end_reason is SessionEnd.PERSON_LEFT
