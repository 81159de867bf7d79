"""Shares go to a person, in the database itself: rows written with
SQLAlchemy Core, bypassing the domain, cannot bind a share to a relationship
that would reach someone else, of another kind than its audience says, or
that is not active (proposed, or over), nor name another owner than the
goal's, item's or request's, nor take a shape its audience does not allow;
an abandoned goal keeps its note. Only a bug could break these (the sharing
service finds the relationship and locks it first): such a violation stays
masked, never a user's error."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.autonomy import AutonomyStage
from domain.errors import Conflict
from domain.feedback_items import ActionKind, ShareAudience
from domain.goals import Audience, GoalStatus
from domain.relationships import EndReason, RelationshipKind, RelationshipStatus
from persistence.integrity import constraint_name, translate
from persistence.tables import (
    feedback_actions,
    feedback_items,
    feedback_shares,
    goal_shares,
    goals,
    relationships,
)
from tests.integration.test_constraints import (
    NOW,
    _insert,
    _named_request,
    _organization,
    _person,
    _refused,
)


async def _stewardship(
    engine: AsyncEngine,
    org: uuid.UUID,
    leader: uuid.UUID,
    follower: uuid.UUID,
    *,
    kind: RelationshipKind = RelationshipKind.STEWARDSHIP,
    status: RelationshipStatus = RelationshipStatus.ACTIVE,
) -> uuid.UUID:
    """A relationship (a stewardship unless `kind` says otherwise)."""
    started = status in (RelationshipStatus.ACTIVE, RelationshipStatus.ENDED)
    ended = status is RelationshipStatus.ENDED
    return await _insert(
        engine,
        relationships,
        organization_id=org,
        kind=kind,
        leader_id=leader,
        follower_id=follower,
        proposed_by_id=follower,
        proposed_at=NOW,
        status=status,
        started_at=NOW if started else None,
        ended_at=NOW if ended else None,
        end_reason=EndReason.HANDED_OVER if ended else None,
        closed_at=NOW if status is RelationshipStatus.WITHDRAWN else None,
    )


async def _item(
    engine: AsyncEngine, org: uuid.UUID, subject: uuid.UUID, giver: uuid.UUID
) -> uuid.UUID:
    return await _insert(
        engine,
        feedback_items,
        organization_id=org,
        subject_id=subject,
        giver_id=giver,
        text="Clear notes.",
        created_at=NOW,
    )


def _feedback_share(org: uuid.UUID, owner: uuid.UUID, **values: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "organization_id": org,
        "owner_id": owner,
        "created_at": NOW,
        **values,
    }


async def _goal(engine: AsyncEngine, org: uuid.UUID, owner: uuid.UUID) -> uuid.UUID:
    return await _insert(
        engine,
        goals,
        organization_id=org,
        owner_id=owner,
        title="Lead the planning",
        stage=AutonomyStage.TASKS,
        status=GoalStatus.ACTIVE,
        created_at=NOW,
    )


def _share(org: uuid.UUID, goal: uuid.UUID, owner: uuid.UUID, **values: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "organization_id": org,
        "goal_id": goal,
        "owner_id": owner,
        "created_at": NOW,
        **values,
    }


async def test_a_goal_share_is_bound_to_the_owners_relationship_with_its_person(
    engine: AsyncEngine,
) -> None:
    org = await _organization(engine, "acme")
    ada, bo, sam = [await _person(engine, org, h) for h in ("ada", "bo", "sam")]
    adas = await _stewardship(engine, org, sam, ada)
    await _stewardship(engine, org, sam, bo)
    goal, bos_goal = await _goal(engine, org, ada), await _goal(engine, org, bo)

    steward = {"audience": Audience.STEWARD}
    for wrong in (
        _share(org, bos_goal, bo, person_id=sam, relationship_id=adas, **steward),
        _share(org, goal, ada, person_id=bo, relationship_id=adas, **steward),
    ):
        error = await _refused(engine, goal_shares.insert().values(**wrong))
        assert constraint_name(error) == "fk_goal_shares_relationship_kind_leader_follower"
        assert translate(error) is None  # a bug, never a user's doing: stays masked
    # Claiming to be the owner of someone else's goal.
    error = await _refused(
        engine,
        goal_shares.insert().values(
            **_share(org, goal, bo, person_id=sam, relationship_id=adas, **steward)
        ),
    )
    assert constraint_name(error) == "fk_goal_shares_goal_owner"

    await _insert(
        engine,
        goal_shares,
        **_share(org, goal, ada, person_id=sam, relationship_id=adas, **steward),
    )
    # Once per relationship at a time: the same error the code's check gives.
    error = await _refused(
        engine,
        goal_shares.insert().values(
            **_share(org, goal, ada, person_id=sam, relationship_id=adas, **steward)
        ),
    )
    assert constraint_name(error) == "uq_goal_shares_active"
    conflict = translate(error)
    assert isinstance(conflict, Conflict)
    assert conflict.code == "ALREADY_SHARED"


async def test_a_goal_share_names_whom_its_audience_says(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    ada, sam = await _person(engine, org, "ada"), await _person(engine, org, "sam")
    adas = await _stewardship(engine, org, sam, ada)
    goal = await _goal(engine, org, ada)

    for wrong in (
        {"audience": Audience.STEWARD},  # a steward share names the steward...
        {"audience": Audience.STEWARD, "person_id": sam},  # ... and the stewardship
        {"audience": Audience.PERSON},  # a colleague share names the colleague
        {"audience": Audience.PERSON, "person_id": sam, "relationship_id": adas},
        {"audience": Audience.ORGANIZATION, "person_id": sam},  # and the organization nobody
    ):
        error = await _refused(
            engine, goal_shares.insert().values(**_share(org, goal, ada, **wrong))
        )
        assert constraint_name(error) == "ck_goal_shares_shared_as_audience_says", wrong
    error = await _refused(
        engine,
        goal_shares.insert().values(
            **_share(org, goal, ada, audience=Audience.PERSON, person_id=ada)
        ),
    )
    assert constraint_name(error) == "ck_goal_shares_not_with_oneself"


async def test_a_feedback_share_is_bound_to_the_owners_relationship_unless_by_name(
    engine: AsyncEngine,
) -> None:
    org = await _organization(engine, "acme")
    ada, bo, sam = [await _person(engine, org, h) for h in ("ada", "bo", "sam")]
    bos = await _stewardship(engine, org, sam, bo)
    item = await _item(engine, org, ada, bo)

    def share(**values: Any) -> dict[str, Any]:
        return _feedback_share(org, ada, item_id=item, person_id=sam, **values)

    # Bo's stewardship does not make Sam Ada's steward.
    error = await _refused(
        engine, feedback_shares.insert().values(**share(audience="STEWARD", relationship_id=bos))
    )
    assert constraint_name(error) == "fk_feedback_shares_relationship_kind_leader_follower"
    for wrong in ({"audience": "STEWARD"}, {"audience": "PERSON", "relationship_id": bos}):
        error = await _refused(engine, feedback_shares.insert().values(**share(**wrong)))
        assert constraint_name(error) == "ck_feedback_shares_relationship_unless_named", wrong
    await _insert(engine, feedback_shares, **share(audience="PERSON"))
    error = await _refused(engine, feedback_shares.insert().values(**share(audience="PERSON")))
    assert constraint_name(error) == "uq_feedback_shares_active"


async def test_a_feedback_share_is_made_by_the_owner_of_the_feedback(engine: AsyncEngine) -> None:
    """The item's subject, the request's requester: nobody else may appear
    as the owner who shared it."""
    org = await _organization(engine, "acme")
    ada, bo, cy = [await _person(engine, org, h) for h in ("ada", "bo", "cy")]
    item = await _item(engine, org, ada, bo)
    request = await _named_request(engine, org, ada)
    with_cy = {"audience": ShareAudience.PERSON, "person_id": cy}

    for source, constraint in (
        ({"item_id": item}, "fk_feedback_shares_item_subject"),
        ({"request_id": request}, "fk_feedback_shares_request_requester"),
    ):
        error = await _refused(
            engine, feedback_shares.insert().values(**_feedback_share(org, bo, **source, **with_cy))
        )
        assert constraint_name(error) == constraint
        assert translate(error) is None
        await _insert(engine, feedback_shares, **_feedback_share(org, ada, **source, **with_cy))


async def test_what_was_done_with_feedback_is_its_owners(engine: AsyncEngine) -> None:
    """An action (acknowledged, a goal, a talking point) is its owner's:
    who may follow a talking point back to its feedback rests on it."""
    org = await _organization(engine, "acme")
    ada, bo = [await _person(engine, org, h) for h in ("ada", "bo")]
    item = await _item(engine, org, ada, bo)
    request = await _named_request(engine, org, ada)
    for source, constraint in (
        ({"item_id": item}, "fk_feedback_actions_item_subject"),
        ({"request_id": request}, "fk_feedback_actions_request_requester"),
    ):
        action = {
            "organization_id": org,
            "kind": ActionKind.ACKNOWLEDGED,
            "created_at": NOW,
            **source,
        }
        error = await _refused(
            engine, feedback_actions.insert().values(id=uuid.uuid4(), owner_id=bo, **action)
        )
        assert constraint_name(error) == constraint
        await _insert(engine, feedback_actions, owner_id=ada, **action)


@pytest.mark.parametrize("kind", ["goal", "feedback"])
async def test_a_share_is_bound_to_a_relationship_of_the_kind_its_audience_says(
    engine: AsyncEngine, kind: str
) -> None:
    """Sam both stewards and mentors Ada: a STEWARD share names the
    stewardship, a MENTOR share the mentorship, never the other way round."""
    org = await _organization(engine, "acme")
    ada, bo, sam = [await _person(engine, org, h) for h in ("ada", "bo", "sam")]
    stewardship = await _stewardship(engine, org, sam, ada)
    mentorship = await _stewardship(engine, org, sam, ada, kind=RelationshipKind.MENTORSHIP)
    coaching = await _stewardship(engine, org, sam, ada, kind=RelationshipKind.COACHING)
    table, share = await _sharing(engine, kind, org, ada, bo)

    for audience, wrong in (
        ("STEWARD", mentorship),
        ("STEWARD", coaching),
        ("MENTOR", stewardship),
        ("MENTOR", coaching),
    ):
        error = await _refused(
            engine,
            table.insert().values(**share(audience=audience, person_id=sam, relationship_id=wrong)),
        )
        assert constraint_name(error) == f"fk_{table.name}_relationship_kind_leader_follower"
        assert translate(error) is None
    for audience, right in (("STEWARD", stewardship), ("MENTOR", mentorship)):
        await _insert(
            engine, table, **share(audience=audience, person_id=sam, relationship_id=right)
        )
    # Nor can the relationship change kind under its shares.
    error = await _refused(
        engine,
        relationships.update()
        .where(relationships.c.id == stewardship)
        .values(kind=RelationshipKind.MENTORSHIP),
    )
    assert constraint_name(error) == f"fk_{table.name}_relationship_kind_leader_follower"


@pytest.mark.parametrize("kind", ["goal", "feedback"])
async def test_a_share_is_made_in_an_active_relationship_only(
    engine: AsyncEngine, kind: str
) -> None:
    """A share bound to a proposed stewardship would start reaching Nina
    once she accepts; one bound to an ended or withdrawn one never reached
    anyone. The trigger refuses both, on insert and on a change of
    relationship."""
    org = await _organization(engine, "acme")
    ada, bo, nina = [await _person(engine, org, h) for h in ("ada", "bo", "nina")]
    table, share = await _sharing(engine, kind, org, ada, bo)
    steward = {"audience": "STEWARD", "person_id": nina}
    constraint = f"ck_{table.name}_made_in_an_active_relationship"

    not_active = {
        status: await _stewardship(engine, org, nina, ada, status=status)
        for status in (
            RelationshipStatus.PROPOSED,
            RelationshipStatus.WITHDRAWN,
            RelationshipStatus.ENDED,
        )
    }
    for status, stewardship in not_active.items():
        error = await _refused(
            engine, table.insert().values(**share(**steward, relationship_id=stewardship))
        )
        assert constraint_name(error) == constraint, status
        assert translate(error) is None
    proposed = not_active[RelationshipStatus.PROPOSED]
    active = await _stewardship(engine, org, nina, ada)
    made = await _insert(engine, table, **share(**steward, relationship_id=active))
    error = await _refused(
        engine, table.update().where(table.c.id == made).values(relationship_id=proposed)
    )
    assert constraint_name(error) == constraint
    # Once made, a share outlives its relationship's end: it reaches nobody.
    async with engine.begin() as conn:
        await conn.execute(
            relationships.update()
            .where(relationships.c.id == active)
            .values(status=RelationshipStatus.ENDED, ended_at=NOW, end_reason=EndReason.HANDED_OVER)
        )
        await conn.execute(table.update().where(table.c.id == made).values(revoked_at=NOW))


async def _sharing(
    engine: AsyncEngine, kind: str, org: uuid.UUID, owner: uuid.UUID, giver: uuid.UUID
) -> tuple[sa.Table, Callable[..., dict[str, Any]]]:
    """The shares table of `kind` and a maker of rows sharing one of the
    owner's goals or feedback items."""
    if kind == "goal":
        goal = await _goal(engine, org, owner)
        return goal_shares, lambda **values: _share(org, goal, owner, **values)
    item = await _item(engine, org, owner, giver)
    return feedback_shares, lambda **values: _feedback_share(org, owner, item_id=item, **values)


async def test_an_abandoned_goal_has_a_note(engine: AsyncEngine) -> None:
    org = await _organization(engine, "acme")
    ada = await _person(engine, org, "ada")
    goal = await _goal(engine, org, ada)
    abandon = goals.update().where(goals.c.id == goal)

    for note in ("", "   "):
        error = await _refused(
            engine,
            abandon.values(status=GoalStatus.ABANDONED, abandoned_at=NOW, status_note=note),
        )
        assert constraint_name(error) == "ck_goals_abandoned_with_a_note"
    async with engine.begin() as conn:
        await conn.execute(
            abandon.values(status=GoalStatus.ABANDONED, abandoned_at=NOW, status_note="Not now.")
        )
