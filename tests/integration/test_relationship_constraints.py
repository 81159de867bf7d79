"""The leadership invariants hold in the database itself: rows written with
SQLAlchemy Core, bypassing the domain, are refused, and each violation
translates to the typed error the domain would have raised."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import Conflict
from domain.relationships import RelationshipKind, RelationshipStatus
from persistence.integrity import constraint_name, translate
from persistence.tables import (
    knowledge_areas,
    mentorship_areas,
    organizations,
    people,
    relationships,
)
from tests.integration.test_constraints import (
    NOW,
    _insert,
    _organization,
    _person,
    _refused,
)


def _active(
    org: uuid.UUID, kind: RelationshipKind, leader: uuid.UUID, follower: uuid.UUID
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "organization_id": org,
        "kind": kind,
        "leader_id": leader,
        "follower_id": follower,
        "proposed_by_id": follower,
        "proposed_at": NOW,
        "status": RelationshipStatus.ACTIVE,
        "started_at": NOW,
    }


def _assert_translates(error: Exception, code: str) -> None:
    conflict = translate(error)  # type: ignore[arg-type]
    assert isinstance(conflict, Conflict)
    assert conflict.code == code


async def test_a_second_active_stewardship_is_refused(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    person, first, second = [await _person(engine, org, h) for h in ("pat", "sam", "sue")]
    await _insert(
        engine, relationships, **_active(org, RelationshipKind.STEWARDSHIP, first, person)
    )
    error = await _refused(
        engine,
        relationships.insert().values(**_active(org, RelationshipKind.STEWARDSHIP, second, person)),
    )
    assert constraint_name(error) == "uq_relationships_active_stewardship"
    _assert_translates(error, "STEWARDSHIP_CHANGED")


async def test_nobody_leads_themselves(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    person = await _person(engine, org, "pat")
    error = await _refused(
        engine,
        relationships.insert().values(**_active(org, RelationshipKind.COACHING, person, person)),
    )
    assert constraint_name(error) == "ck_relationships_not_with_oneself"
    _assert_translates(error, "SELF_RELATIONSHIP")


async def test_capacity_is_never_exceeded(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    steward = await _person(engine, org, "sam")
    async with engine.begin() as conn:
        await conn.execute(
            people.update().where(people.c.id == steward).values(stewardee_capacity=2)
        )
    for handle in ("a", "b"):
        follower = await _person(engine, org, handle)
        await _insert(
            engine, relationships, **_active(org, RelationshipKind.STEWARDSHIP, steward, follower)
        )
    third = await _person(engine, org, "c")
    error = await _refused(
        engine,
        relationships.insert().values(**_active(org, RelationshipKind.STEWARDSHIP, steward, third)),
    )
    assert constraint_name(error) == "ck_relationships_within_capacity"
    _assert_translates(error, "CAPACITY_REACHED")
    # Nor can the capacity be set below the current load.
    error = await _refused(
        engine, people.update().where(people.c.id == steward).values(stewardee_capacity=1)
    )
    assert constraint_name(error) == "ck_people_capacity_not_below_load"
    _assert_translates(error, "CAPACITY_BELOW_LOAD")


async def test_organization_default_capacity_applies(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    async with engine.begin() as conn:
        await conn.execute(
            organizations.update()
            .where(organizations.c.id == org)
            .values(default_mentee_capacity=1)
        )
    mentor = await _person(engine, org, "mia")
    first, second = await _person(engine, org, "a"), await _person(engine, org, "b")
    await _insert(engine, relationships, **_active(org, RelationshipKind.MENTORSHIP, mentor, first))
    error = await _refused(
        engine,
        relationships.insert().values(**_active(org, RelationshipKind.MENTORSHIP, mentor, second)),
    )
    assert constraint_name(error) == "ck_relationships_within_capacity"


async def test_one_active_mentorship_per_mentor_mentee_and_area(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    mentor, mentee = await _person(engine, org, "mia"), await _person(engine, org, "max")
    area = await _insert(
        engine, knowledge_areas, organization_id=org, name="Backend", created_at=NOW
    )
    rows = []
    for _ in range(2):
        values = _active(org, RelationshipKind.MENTORSHIP, mentor, mentee)
        values["status"], values["started_at"] = RelationshipStatus.PROPOSED, None
        rows.append(await _insert(engine, relationships, **values))
    area_row = {
        "organization_id": org,
        "knowledge_area_id": area,
        "leader_id": mentor,
        "follower_id": mentee,
    }
    await _insert(engine, mentorship_areas, relationship_id=rows[0], active=True, **area_row)
    error = await _refused(
        engine,
        mentorship_areas.insert().values(
            id=uuid.uuid4(), relationship_id=rows[1], active=True, **area_row
        ),
    )
    assert constraint_name(error) == "uq_mentorship_areas_active"
    _assert_translates(error, "ALREADY_ACTIVE")
