"""The leadership invariants hold in the database itself: rows written with
SQLAlchemy Core, bypassing the domain, are refused, and each violation
translates to the typed error the domain would have raised."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import Conflict
from domain.relationships import EndReason, RelationshipKind, RelationshipStatus
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


def _proposed(
    org: uuid.UUID, kind: RelationshipKind, leader: uuid.UUID, follower: uuid.UUID
) -> dict[str, Any]:
    values = _active(org, kind, leader, follower)
    values["status"], values["started_at"] = RelationshipStatus.PROPOSED, None
    return values


async def _mentorship_cast(engine: AsyncEngine) -> tuple[uuid.UUID, ...]:
    org = await _organization(engine, "acme")
    mentor, mentee = await _person(engine, org, "mia"), await _person(engine, org, "max")
    backend, frontend = [
        await _insert(engine, knowledge_areas, organization_id=org, name=name, created_at=NOW)
        for name in ("Backend", "Frontend")
    ]
    return org, mentor, mentee, backend, frontend


def _area_row(
    org: uuid.UUID, relationship: uuid.UUID, area: uuid.UUID, mentor: uuid.UUID, mentee: uuid.UUID
) -> dict[str, Any]:
    """An area row of a relationship; its status is taken from the
    relationship by a trigger, whatever the row says."""
    return {
        "id": uuid.uuid4(),
        "organization_id": org,
        "relationship_id": relationship,
        "knowledge_area_id": area,
        "leader_id": mentor,
        "follower_id": mentee,
        "status": RelationshipStatus.PROPOSED,
    }


async def _accept(engine: AsyncEngine, relationship: uuid.UUID) -> None:
    async with engine.begin() as conn:
        await conn.execute(_accepting(relationship))


def _accepting(relationship: uuid.UUID) -> sa.Update:
    return (
        relationships.update()
        .where(relationships.c.id == relationship)
        .values(status=RelationshipStatus.ACTIVE, started_at=NOW, responded_at=NOW)
    )


async def test_one_active_mentorship_per_mentor_mentee_and_area(engine: AsyncEngine) -> None:
    org, mentor, mentee, backend, _ = await _mentorship_cast(engine)
    first = await _insert(
        engine, relationships, **_active(org, RelationshipKind.MENTORSHIP, mentor, mentee)
    )
    await _insert(engine, mentorship_areas, **_area_row(org, first, backend, mentor, mentee))
    second = await _insert(
        engine, relationships, **_proposed(org, RelationshipKind.MENTORSHIP, mentor, mentee)
    )
    await _insert(engine, mentorship_areas, **_area_row(org, second, backend, mentor, mentee))
    # Accepting the second copies ACTIVE to its area: the index refuses the statement.
    error = await _refused(engine, _accepting(second))
    assert constraint_name(error) == "uq_mentorship_areas_active"
    _assert_translates(error, "ALREADY_ACTIVE")


async def test_one_open_mentorship_proposal_per_mentor_mentee_and_area(
    engine: AsyncEngine,
) -> None:
    """Whoever proposed it: the mentor offering or the mentee asking."""
    org, mentor, mentee, backend, frontend = await _mentorship_cast(engine)
    offered = _proposed(org, RelationshipKind.MENTORSHIP, mentor, mentee)
    offered["proposed_by_id"] = mentor
    first = await _insert(engine, relationships, **offered)
    await _insert(engine, mentorship_areas, **_area_row(org, first, backend, mentor, mentee))
    asked = await _insert(
        engine, relationships, **_proposed(org, RelationshipKind.MENTORSHIP, mentor, mentee)
    )
    error = await _refused(
        engine, mentorship_areas.insert().values(**_area_row(org, asked, backend, mentor, mentee))
    )
    assert constraint_name(error) == "uq_mentorship_areas_proposed"
    _assert_translates(error, "DUPLICATE_PROPOSAL")
    # Another area is another proposal; another mentee too.
    await _insert(engine, mentorship_areas, **_area_row(org, asked, frontend, mentor, mentee))
    # Once the first is withdrawn, the area is free for a proposal again.
    async with engine.begin() as conn:
        await conn.execute(
            relationships.update()
            .where(relationships.c.id == first)
            .values(status=RelationshipStatus.WITHDRAWN, responded_at=NOW, closed_at=NOW)
        )
    await _insert(engine, mentorship_areas, **_area_row(org, asked, backend, mentor, mentee))


async def test_area_rows_mirror_their_relationship(engine: AsyncEngine) -> None:
    """Whatever a writer claims, an area row carries its relationship's two
    people and status, and follows every status change."""
    org, mentor, mentee, backend, _ = await _mentorship_cast(engine)
    stranger = await _person(engine, org, "sly")
    relationship = await _insert(
        engine, relationships, **_proposed(org, RelationshipKind.MENTORSHIP, mentor, mentee)
    )
    claimed = _area_row(org, relationship, backend, stranger, stranger)
    claimed["status"] = RelationshipStatus.ACTIVE
    row = await _insert(engine, mentorship_areas, **claimed)

    async def stored() -> tuple[Any, ...]:
        async with engine.connect() as conn:
            found = await conn.execute(
                sa.select(
                    mentorship_areas.c.leader_id,
                    mentorship_areas.c.follower_id,
                    mentorship_areas.c.status,
                ).where(mentorship_areas.c.id == row)
            )
            return tuple(found.one())

    assert await stored() == (mentor, mentee, RelationshipStatus.PROPOSED)
    await _accept(engine, relationship)
    assert await stored() == (mentor, mentee, RelationshipStatus.ACTIVE)
    async with engine.begin() as conn:
        await conn.execute(
            mentorship_areas.update()
            .where(mentorship_areas.c.id == row)
            .values(status=RelationshipStatus.PROPOSED, leader_id=stranger)
        )
    assert await stored() == (mentor, mentee, RelationshipStatus.ACTIVE)


async def test_a_person_ending_a_relationship_gives_a_reason(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    person, steward = await _person(engine, org, "pat"), await _person(engine, org, "sam")

    def ended(reason: EndReason, note: str) -> dict[str, Any]:
        values = _active(org, RelationshipKind.STEWARDSHIP, steward, person)
        values.update(
            status=RelationshipStatus.ENDED,
            ended_at=NOW,
            ended_by_id=person,
            end_reason=reason,
            end_note=note,
        )
        return values

    for reason in (EndReason.ENDED_BY_FOLLOWER, EndReason.ENDED_BY_LEADER):
        for blank in ("", "   "):
            error = await _refused(engine, relationships.insert().values(**ended(reason, blank)))
            assert constraint_name(error) == "ck_relationships_ended_by_a_person_with_a_reason"
            conflict = translate(error)
            assert conflict is not None
            assert (conflict.code, conflict.field) == ("REQUIRED", "reason")
        await _insert(engine, relationships, **ended(reason, "We grew apart."))
    # A handover or someone leaving is its own reason.
    for reason in (EndReason.HANDED_OVER, EndReason.PERSON_LEFT):
        await _insert(engine, relationships, **ended(reason, ""))


async def test_a_closed_proposal_records_when_and_only_a_decline_why(
    engine: AsyncEngine,
) -> None:
    org = await _organization(engine, "acme")
    person, steward = await _person(engine, org, "pat"), await _person(engine, org, "sam")

    def proposal(status: RelationshipStatus, **values: Any) -> sa.Insert:
        row = _proposed(org, RelationshipKind.STEWARDSHIP, steward, person)
        row.update(status=status, responded_at=NOW, **values)
        return relationships.insert().values(**row)

    for status in (RelationshipStatus.DECLINED, RelationshipStatus.WITHDRAWN):
        error = await _refused(engine, proposal(status))
        assert constraint_name(error) == "ck_relationships_closed_iff_declined_or_withdrawn"
    error = await _refused(engine, proposal(RelationshipStatus.PROPOSED, closed_at=NOW))
    assert constraint_name(error) == "ck_relationships_closed_iff_declined_or_withdrawn"
    error = await _refused(
        engine, proposal(RelationshipStatus.WITHDRAWN, closed_at=NOW, decline_reason="No.")
    )
    assert constraint_name(error) == "ck_relationships_decline_reason_only_if_declined"
    # Not something a request can cause: they stay bugs (masked).
    assert translate(error) is None
    async with engine.begin() as conn:
        await conn.execute(
            proposal(RelationshipStatus.DECLINED, closed_at=NOW, decline_reason="Not now.")
        )
