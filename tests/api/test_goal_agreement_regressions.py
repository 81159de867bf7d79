"""Regressions of the goals and autonomy-agreements feature: each test pins a
defect found in review (a share that revived, an agreement made in a
relationship that was ending, agreements that outlived a team membership, a
follower silently ignored)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa

from api.context import Services
from api.graphql import ids
from domain.autonomy import AutonomyStage
from domain.errors import Conflict
from domain.services import agreements as agreement_service
from domain.services import relationships as relationship_service
from tests.api.goal_helpers import created, reads, shared
from tests.api.harness import GraphQL, Org
from tests.api.queries import MARK_PERSON_LEFT, create_area, mutate
from tests.api.relationship_helpers import (
    END,
    MENTORSHIP,
    advance,
    established,
    succeeded,
)
from tests.api.test_agreements import (
    CONFIRM,
    actor,
    done,
    held_product_owner,
    on_person,
    propose_result,
    success,
    team_with,
)
from tests.fakes import FakeClock

# == 1. privacy: a mentor share outlives the mentorship it was given in =========


async def test_a_mentor_share_does_not_revive_with_a_later_mentorship(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    owner = await org.add_member("Ada Owner")
    mentor = await org.add_member("Mia Mentor")
    area = (await create_area(gql, org.faculty.token, "Negotiation"))["id"]
    first = await established(gql, mentor, owner, kind=MENTORSHIP, areas=[area])
    goal = await created(gql, owner, "Private once the mentorship is over")
    await shared(gql, owner, goal["id"], "MENTOR", mentor)
    assert await reads(gql, mentor, owner, goal["id"])

    await succeeded(gql, END, mentor, first["id"], reason="not working out")
    assert not await reads(gql, mentor, owner, goal["id"])

    # Months later the owner accepts the same person as mentor in another area;
    # they never shared anything in this new relationship.
    advance(clock, timedelta(days=120), org)
    other_area = (await create_area(gql, org.faculty.token, "Public speaking"))["id"]
    await established(gql, mentor, owner, kind=MENTORSHIP, areas=[other_area])

    assert not await reads(gql, mentor, owner, goal["id"]), (
        "a share given in an ended mentorship came back to life"
    )


# == 2. consent: a confirmation applies a stage the confirmer never saw ===========


# == 3. invariant under concurrency: agreement proposed while the relationship ends ==


async def test_an_agreement_proposed_while_its_relationship_ends_does_not_stay_open(
    gql: GraphQL, org: Org, services: Services
) -> None:
    leader, follower = await org.add_member("Lea Leader"), await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower)
    relationship_id = ids.decode(relationship["id"], "Relationship")
    now = services.clock.now()

    # Request 1 ends the relationship (its transaction is still open) ...
    async with services.uow_factory(org.id) as ending:
        await relationship_service.end(
            ending, actor(leader), relationship_id, reason="moving on", now=now
        )

        # ... while request 2 proposes an agreement in it: its check read the
        # relationship as ACTIVE (the end is not committed yet).
        async def propose() -> str | None:
            """The code of the refusal, or None if the agreement was made."""
            try:
                async with services.uow_factory(org.id) as proposing:
                    await agreement_service.propose(
                        proposing,
                        actor(follower),
                        relationship_id=relationship_id,
                        context="Release planning",
                        stage=AutonomyStage.TASKS,
                        now=now,
                    )
                    await proposing.commit()
            except Conflict as refused:
                return refused.code
            return None

        task = asyncio.create_task(propose())
        await asyncio.sleep(0.5)  # request 2 waits on the row lock of request 1
        await ending.commit()
    # Request 2 waited for the relationship's lock and then saw it ended.
    assert await asyncio.wait_for(task, 10) == "NO_ACTIVE_RELATIONSHIP"

    async with services.session_factory() as session:
        rows = (
            await session.execute(
                sa.text(
                    "SELECT a.status, r.status FROM autonomy_agreements a "
                    "JOIN relationships r ON r.id = a.relationship_id WHERE r.id = :id"
                ),
                {"id": relationship_id},
            )
        ).all()
    assert [tuple(r) for r in rows if r[0] != "ENDED"] == [], (
        f"open agreement inside an ended relationship: {rows}"
    )


# == 4. a team member who leaves the organization keeps the PO's agreements =======


async def test_a_team_member_who_leaves_leaves_the_product_owners_agreements(
    gql: GraphQL, org: Org
) -> None:
    product_owner = await org.add_member("Pia Product Owner")
    member = await org.add_member("Max Member")
    team_id = await team_with(gql, org, "Crew", product_owner, member)
    role_id = await held_product_owner(gql, org, product_owner, team_id)
    offer = success(
        await propose_result(gql, product_owner, role_assignment_id=role_id, follower_id=member.id)
    )
    await done(gql, CONFIRM, member, offer["id"])

    left = await mutate(gql, MARK_PERSON_LEFT, {"personId": member.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left

    # remove_team_member would end it (end_within_team); mark_left ends the
    # membership by hand and forgets the agreements.
    open_ones = (await on_person(gql, product_owner, product_owner))["agreements"]
    assert open_ones == [], "an agreement with someone who left is still open"


# == 5. a follower-side proposal silently ignores the followerId it was given =====


async def test_a_team_member_cannot_name_another_follower(gql: GraphQL, org: Org) -> None:
    product_owner = await org.add_member("Pia Product Owner")
    member, other = await org.add_member("Max Member"), await org.add_member("Olga Other")
    team_id = await team_with(gql, org, "Crew", product_owner, member, other)
    role_id = await held_product_owner(gql, org, product_owner, team_id)

    result = await propose_result(gql, member, role_assignment_id=role_id, follower_id=other.id)

    # Asked for an agreement between the PO and Olga; got one for Max instead.
    assert result["__typename"] != "AgreementSuccess" or (
        result["agreement"]["follower"]["id"] == other.id
    ), f"followerId ignored: follower is {result['agreement']['follower']['id']}"
