"""The database itself enforces the invariants, whatever writes to it: rows
are written here with SQLAlchemy Core, bypassing the domain entirely. And a
violated constraint translates to the domain Conflict it stands for."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import Conflict
from domain.feedback import Anonymity, RequestStatus
from domain.people import PersonStatus
from domain.teams import TeamStage
from persistence.integrity import constraint_name, translate
from persistence.tables import (
    accounts,
    feedback_requests,
    knowledge_areas,
    organizations,
    people,
    team_memberships,
    teams,
)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def _insert(engine: AsyncEngine, table: sa.Table, **values: Any) -> uuid.UUID:
    row_id = values.setdefault("id", uuid.uuid4())
    async with engine.begin() as conn:
        await conn.execute(table.insert().values(**values))
    return row_id


async def _refused(engine: AsyncEngine, statement: sa.Executable) -> IntegrityError:
    """Runs one statement in its own transaction; it must be refused."""
    with pytest.raises(IntegrityError) as refused:
        async with engine.begin() as conn:
            await conn.execute(statement)
    return refused.value


async def _organization(engine: AsyncEngine, slug: str) -> uuid.UUID:
    return await _insert(engine, organizations, name=slug.title(), slug=slug, created_at=NOW)


async def _person(engine: AsyncEngine, org: uuid.UUID, handle: str) -> uuid.UUID:
    return await _insert(
        engine,
        people,
        organization_id=org,
        name=handle.title(),
        handle=handle,
        email=f"{handle}@example.com",
        timezone="UTC",
        status=PersonStatus.ACTIVE,
        created_at=NOW,
    )


async def _team(engine: AsyncEngine, org: uuid.UUID, name: str) -> uuid.UUID:
    return await _insert(
        engine, teams, organization_id=org, name=name, stage=TeamStage.FORMING, created_at=NOW
    )


async def _area(
    engine: AsyncEngine, org: uuid.UUID, name: str, parent: uuid.UUID | None = None
) -> uuid.UUID:
    return await _insert(
        engine, knowledge_areas, organization_id=org, name=name, parent_id=parent, created_at=NOW
    )


async def _named_request(engine: AsyncEngine, org: uuid.UUID, requester: uuid.UUID) -> uuid.UUID:
    """An open NAMED feedback request of the requester's."""
    return await _insert(
        engine,
        feedback_requests,
        organization_id=org,
        requester_id=requester,
        topic="My talk",
        anonymity=Anonymity.NAMED,
        anonymity_threshold=3,
        membership_days=30,
        due_at=NOW + timedelta(days=7),
        status=RequestStatus.OPEN,
        created_at=NOW,
    )


async def _count(engine: AsyncEngine, table: sa.Table) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()


async def test_membership_cannot_point_into_another_organization(engine: AsyncEngine) -> None:
    acme = await _organization(engine, "acme")
    globex = await _organization(engine, "globex")
    team = await _team(engine, acme, "Platform")
    outsider = await _person(engine, globex, "hank")
    insider = await _person(engine, acme, "ada")

    error = await _refused(
        engine,
        team_memberships.insert().values(
            id=uuid.uuid4(), organization_id=acme, team_id=team, person_id=outsider, started_at=NOW
        ),
    )
    assert constraint_name(error) == "fk_team_memberships_organization_id_person_id_people"
    # Claiming the other organization does not help either: then the team is foreign.
    error = await _refused(
        engine,
        team_memberships.insert().values(
            id=uuid.uuid4(),
            organization_id=globex,
            team_id=team,
            person_id=outsider,
            started_at=NOW,
        ),
    )
    assert constraint_name(error) == "fk_team_memberships_organization_id_team_id_teams"
    # Not a conflict a user could cause: it stays a bug (masked).
    assert translate(error) is None

    await _insert(
        engine,
        team_memberships,
        organization_id=acme,
        team_id=team,
        person_id=insider,
        started_at=NOW,
    )
    assert await _count(engine, team_memberships) == 1


async def test_knowledge_area_cycle_is_refused_by_the_trigger(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    root = await _area(engine, org, "Engineering")
    child = await _area(engine, org, "Backend", root)
    grandchild = await _area(engine, org, "Databases", child)

    # Root under its own grandchild: a cycle of three.
    error = await _refused(
        engine,
        knowledge_areas.update().where(knowledge_areas.c.id == root).values(parent_id=grandchild),
    )
    assert constraint_name(error) == "ck_knowledge_areas_no_cycle"
    conflict = translate(error)
    assert isinstance(conflict, Conflict)
    assert (conflict.code, conflict.field) == ("AREA_CYCLE", "parentId")

    # A cycle of two.
    error = await _refused(
        engine,
        knowledge_areas.update().where(knowledge_areas.c.id == root).values(parent_id=child),
    )
    assert constraint_name(error) == "ck_knowledge_areas_no_cycle"

    # Its own parent: refused by the check constraint.
    error = await _refused(
        engine,
        knowledge_areas.update().where(knowledge_areas.c.id == child).values(parent_id=child),
    )
    assert constraint_name(error) in {
        "ck_knowledge_areas_not_own_parent",
        "ck_knowledge_areas_no_cycle",
    }

    # A legal move still works: the grandchild moves up to the root.
    async with engine.begin() as conn:
        await conn.execute(
            knowledge_areas.update()
            .where(knowledge_areas.c.id == grandchild)
            .values(parent_id=root)
        )


async def test_two_current_memberships_are_refused(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    team = await _team(engine, org, "Platform")
    person = await _person(engine, org, "ada")
    first = await _insert(
        engine,
        team_memberships,
        organization_id=org,
        team_id=team,
        person_id=person,
        started_at=NOW,
    )

    error = await _refused(
        engine,
        team_memberships.insert().values(
            id=uuid.uuid4(), organization_id=org, team_id=team, person_id=person, started_at=NOW
        ),
    )
    assert constraint_name(error) == "uq_team_memberships_current"
    conflict = translate(error)
    assert isinstance(conflict, Conflict)
    assert (conflict.code, conflict.field) == ("ALREADY_MEMBER", "personId")

    # Once the first has ended, it is history and a new one may start.
    async with engine.begin() as conn:
        await conn.execute(
            team_memberships.update().where(team_memberships.c.id == first).values(ended_at=NOW)
        )
    await _insert(
        engine,
        team_memberships,
        organization_id=org,
        team_id=team,
        person_id=person,
        started_at=NOW,
    )
    assert await _count(engine, team_memberships) == 2


async def test_handle_is_unique_per_organization(engine: AsyncEngine) -> None:
    acme = await _organization(engine, "acme")
    globex = await _organization(engine, "globex")
    await _person(engine, acme, "ada")
    await _person(engine, globex, "ada")  # the same handle elsewhere is fine

    error = await _refused(
        engine,
        people.insert().values(
            id=uuid.uuid4(),
            organization_id=acme,
            name="Another Ada",
            handle="ada",
            email="another.ada@example.com",
            timezone="UTC",
            status=PersonStatus.ACTIVE,
            created_at=NOW,
        ),
    )
    assert constraint_name(error) == "uq_people_organization_id_handle"
    conflict = translate(error)
    assert isinstance(conflict, Conflict)
    assert (conflict.code, conflict.field) == ("HANDLE_TAKEN", "handle")
    assert await _count(engine, people) == 2


async def test_account_email_must_be_lowercase(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    person = await _person(engine, org, "ada")
    error = await _refused(
        engine,
        accounts.insert().values(
            id=uuid.uuid4(),
            organization_id=org,
            person_id=person,
            email="Ada@Example.com",
            password_hash="x",
            created_at=NOW,
        ),
    )
    assert constraint_name(error) == "ck_accounts_email_lowercase"
    # The domain lowercases emails before writing: reaching this is a bug.
    assert translate(error) is None

    await _insert(
        engine,
        accounts,
        organization_id=org,
        person_id=person,
        email="ada@example.com",
        password_hash="x",
        created_at=NOW,
    )


async def test_account_email_is_unique_across_organizations(engine: AsyncEngine) -> None:
    acme = await _organization(engine, "acme")
    globex = await _organization(engine, "globex")
    ada = await _person(engine, acme, "ada")
    other = await _person(engine, globex, "ada")
    await _insert(
        engine,
        accounts,
        organization_id=acme,
        person_id=ada,
        email="ada@example.com",
        password_hash="x",
        created_at=NOW,
    )
    error = await _refused(
        engine,
        accounts.insert().values(
            id=uuid.uuid4(),
            organization_id=globex,
            person_id=other,
            email="ada@example.com",
            password_hash="x",
            created_at=NOW,
        ),
    )
    conflict = translate(error)
    assert isinstance(conflict, Conflict)
    assert (conflict.code, conflict.field) == ("EMAIL_TAKEN", "email")
