"""Stewardship, mentorship and coaching through the public GraphQL API:
consent (propose, accept, decline, withdraw), ending and renewing, handover,
capacity, review reminders, notifications, and the privacy rules around
them (DESIGN.md sections 2 and 3). Every refused request is shown to return
its typed error and to change nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from api.context import Services
from api.jobs import run_due_jobs
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import create_area, create_team, gid, missing_id, mutate
from tests.api.relationship_helpers import (
    ACCEPT,
    AREA_FILTERED,
    COACHING,
    DECLINE,
    END,
    FOLLOWER,
    KINDS,
    LEADER,
    MARK_LEFT,
    MENTORSHIP,
    RELATIONSHIP,
    RENEW,
    STEWARDSHIP,
    WITHDRAW,
    WITHOUT_STEWARD,
    act,
    advance,
    db_state,
    error,
    established,
    history,
    ids_of,
    mark_read,
    nodes,
    notification_kinds,
    notifications,
    person,
    propose,
    proposed,
    relationship,
    set_capacity,
    succeeded,
    viewer,
)
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]

# Which Person fields list a kind's active relationships: (on the leader, on the follower).
LISTS = {
    STEWARDSHIP: ("stewardees", "steward"),
    MENTORSHIP: ("mentees", "mentors"),
    COACHING: ("coachees", "coaches"),
}


def today(clock: FakeClock) -> date:
    return clock.now().date()


def at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


async def area_ids(gql: GraphQL, org: Org, *names: str) -> list[str]:
    return [(await create_area(gql, org.faculty.token, name))["id"] for name in names]


async def areas_for(gql: GraphQL, org: Org, kind: str) -> list[str]:
    return await area_ids(gql, org, f"Area {uuid4().hex[:8]}") if kind == MENTORSHIP else []


def listed(found: dict[str, Any], field: str) -> list[str]:
    """Ids of the relationships a Person field lists (a single `steward` too)."""
    value = found[field]
    if value is None:
        return []
    if isinstance(value, dict):
        return [value["id"]]
    return ids_of(value)


# == lifecycle ====================================================================


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("side", [LEADER, FOLLOWER])
async def test_either_side_proposes_and_the_other_accepts(
    gql: GraphQL, org: Org, clock: FakeClock, kind: str, side: str
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    areas = await areas_for(gql, org, kind)
    proposer, responder = (leader, follower) if side == LEADER else (follower, leader)
    review_on = today(clock) + timedelta(days=90)

    offer = await proposed(
        gql,
        proposer,
        responder,
        kind=kind,
        side=side,
        areas=areas,
        message="  Shall we?  ",
        review_on=review_on,
    )

    assert offer["kind"] == kind
    assert offer["status"] == "PROPOSED"
    assert offer["leader"]["id"] == leader.id
    assert offer["follower"]["id"] == follower.id
    assert offer["proposedBy"]["id"] == proposer.id
    assert at(offer["proposedAt"]) == clock.now()
    assert offer["message"] == "Shall we?"
    assert offer["reviewOn"] == review_on.isoformat()
    assert offer["startedAt"] is None
    assert offer["endedAt"] is None
    assert offer["viewerSide"] == side
    assert ids_of(offer["knowledgeAreas"]) == areas
    mine = await viewer(gql, proposer)
    theirs = await viewer(gql, responder)
    assert ids_of(mine["proposalsFromMe"]) == [offer["id"]]
    assert mine["proposalsToMe"] == []
    assert ids_of(theirs["proposalsToMe"]) == [offer["id"]]
    assert theirs["proposalsFromMe"] == []
    assert theirs["proposalsToMe"][0]["message"] == "Shall we?"
    # Nothing is active until the other side consents.
    on_leader, on_follower = LISTS[kind]
    assert listed(await viewer(gql, leader), on_leader) == []
    assert listed(await viewer(gql, follower), on_follower) == []

    advance(clock, timedelta(hours=2), org)
    accepted = await succeeded(gql, ACCEPT, responder, offer["id"])

    assert accepted["id"] == offer["id"]
    assert accepted["status"] == "ACTIVE"
    assert at(accepted["startedAt"]) == clock.now()
    assert accepted["viewerSide"] == (FOLLOWER if side == LEADER else LEADER)
    assert listed(await viewer(gql, leader), on_leader) == [offer["id"]]
    assert listed(await viewer(gql, follower), on_follower) == [offer["id"]]
    # The opposite lists stay empty: nobody leads and follows in one relationship.
    assert listed(await viewer(gql, leader), on_follower) == []
    assert listed(await viewer(gql, follower), on_leader) == []
    for member in (leader, follower):
        found = await viewer(gql, member)
        assert found["proposalsToMe"] == []
        assert found["proposalsFromMe"] == []
    assert (await notification_kinds(gql, responder)) == ["RELATIONSHIP_PROPOSED"]
    assert (await notification_kinds(gql, proposer)) == ["RELATIONSHIP_ACCEPTED"]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_declined_proposal_stays_in_the_history_of_both(
    gql: GraphQL, org: Org, clock: FakeClock, kind: str
) -> None:
    leader = await org.add_member()
    follower = await org.add_member()
    areas = await areas_for(gql, org, kind)
    offer = await proposed(gql, follower, leader, kind=kind, side=FOLLOWER, areas=areas)
    advance(clock, timedelta(minutes=5), org)

    declined = await succeeded(gql, DECLINE, leader, offer["id"])

    assert declined["status"] == "DECLINED"
    assert declined["startedAt"] is None
    for member in (leader, follower):
        found = await viewer(gql, member)
        assert found["proposalsToMe"] == []
        assert found["proposalsFromMe"] == []
        assert [(r["id"], r["status"]) for r in await history(gql, member, member)] == [
            (offer["id"], "DECLINED")
        ]
    on_leader, on_follower = LISTS[kind]
    assert listed(await viewer(gql, leader), on_leader) == []
    assert listed(await viewer(gql, follower), on_follower) == []
    count, items = await notifications(gql, follower)
    assert count == 1
    assert [(n["kind"], n["actor"]["id"], n["relationship"]["status"]) for n in items] == [
        ("RELATIONSHIP_DECLINED", leader.id, "DECLINED")
    ]
    # It can be proposed again once answered.
    again = await proposed(gql, follower, leader, kind=kind, side=FOLLOWER, areas=areas)
    assert again["status"] == "PROPOSED"


@pytest.mark.parametrize("kind", KINDS)
async def test_the_proposer_withdraws_and_only_the_proposer_may(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services, kind: str
) -> None:
    leader = await org.add_member()
    follower = await org.add_member()
    areas = await areas_for(gql, org, kind)
    offer = await proposed(gql, leader, follower, kind=kind, side=LEADER, areas=areas)
    before = await db_state(services)

    error(await act(gql, WITHDRAW, follower, offer["id"]), "PermissionDeniedError", "NOT_PROPOSER")
    error(await act(gql, DECLINE, leader, offer["id"]), "PermissionDeniedError", "OWN_PROPOSAL")
    error(await act(gql, ACCEPT, leader, offer["id"]), "PermissionDeniedError", "OWN_PROPOSAL")
    assert await db_state(services) == before
    advance(clock, timedelta(minutes=1), org)

    withdrawn = await succeeded(gql, WITHDRAW, leader, offer["id"])

    assert withdrawn["status"] == "WITHDRAWN"
    assert (await viewer(gql, follower))["proposalsToMe"] == []
    assert (await viewer(gql, leader))["proposalsFromMe"] == []
    assert (await notification_kinds(gql, follower)) == [
        "RELATIONSHIP_WITHDRAWN",
        "RELATIONSHIP_PROPOSED",
    ]
    error(await act(gql, ACCEPT, follower, offer["id"]), "ConflictError", "NOT_PROPOSED")
    assert [r["status"] for r in await history(gql, follower, follower)] == ["WITHDRAWN"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("ender", [LEADER, FOLLOWER])
async def test_either_side_ends_an_active_relationship_with_a_reason(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services, kind: str, ender: str
) -> None:
    leader = await org.add_member()
    follower = await org.add_member()
    areas = await areas_for(gql, org, kind)
    active = await established(gql, leader, follower, kind=kind, areas=areas)
    by, other = (leader, follower) if ender == LEADER else (follower, leader)
    advance(clock, timedelta(days=40), org)

    ended = await succeeded(gql, END, by, active["id"], reason="  We grew apart.  ")

    assert ended["status"] == "ENDED"
    assert ended["endReason"] == f"ENDED_BY_{ender}"
    assert ended["endNote"] == "We grew apart."
    assert at(ended["endedAt"]) == clock.now()
    on_leader, on_follower = LISTS[kind]
    assert listed(await viewer(gql, leader), on_leader) == []
    assert listed(await viewer(gql, follower), on_follower) == []
    _, items = await notifications(gql, other)
    assert items[0]["kind"] == "RELATIONSHIP_ENDED"
    assert items[0]["actor"]["id"] == by.id
    assert items[0]["relationship"] == {
        "id": active["id"],
        "status": "ENDED",
        "kind": kind,
        "endReason": f"ENDED_BY_{ender}",
    }
    assert "RELATIONSHIP_ENDED" not in await notification_kinds(gql, by)
    # Kept, never deleted; and ending twice is refused.
    for member in (leader, follower):
        assert [(r["id"], r["status"]) for r in await history(gql, member, member)] == [
            (active["id"], "ENDED")
        ]
    before = await db_state(services)
    for member in (leader, follower):
        error(
            await act(gql, END, member, active["id"], reason="again"), "ConflictError", "NOT_ACTIVE"
        )
    assert await db_state(services) == before
    # The same two can start again, with a new relationship.
    again = await established(gql, leader, follower, kind=kind, areas=areas)
    assert again["id"] != active["id"]
    if kind != COACHING:
        load = (await viewer(gql, leader))[
            "stewardeeCapacity" if kind == STEWARDSHIP else "menteeCapacity"
        ]["load"]
        assert load == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_renewing_sets_a_new_review_date_and_tells_the_other(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services, kind: str
) -> None:
    steward = await org.add_member()
    person_ = await org.add_member()
    active = await established(
        gql,
        steward,
        person_,
        kind=kind,
        areas=await areas_for(gql, org, kind),
        review_on=today(clock) + timedelta(days=30),
    )
    new_date = today(clock) + timedelta(days=120)
    advance(clock, timedelta(minutes=1), org)

    renewed = await succeeded(gql, RENEW, person_, active["id"], reviewOn=new_date.isoformat())

    assert renewed["reviewOn"] == new_date.isoformat()
    assert renewed["status"] == "ACTIVE"
    assert (await relationship(gql, steward, active["id"]))["reviewOn"] == new_date.isoformat()  # type: ignore[index]
    assert (await notification_kinds(gql, steward))[0] == "RELATIONSHIP_RENEWED"
    # A date that is not in the future, or a relationship that is not active: refused.
    before = await db_state(services)
    for bad in (today(clock), today(clock) - timedelta(days=1)):
        result = await act(gql, RENEW, steward, active["id"], reviewOn=bad.isoformat())
        error(result, "ValidationError", "REVIEW_DATE_PAST", "reviewOn")
    assert await db_state(services) == before
    await succeeded(gql, END, steward, active["id"], reason="Done.")
    before = await db_state(services)
    result = await act(gql, RENEW, person_, active["id"], reviewOn=new_date.isoformat())
    error(result, "ConflictError", "NOT_ACTIVE")
    assert await db_state(services) == before


async def test_history_keeps_every_relationship_newest_first(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    steward = await org.add_member("Sam Steward")
    person_ = await org.add_member("Pat Person")
    mentor = await org.add_member("Mo Mentor")
    [area] = await area_ids(gql, org, "Pottery")
    declined = await proposed(gql, steward, person_)
    await succeeded(gql, DECLINE, person_, declined["id"])
    advance(clock, timedelta(minutes=1), org)
    withdrawn = await proposed(gql, person_, steward, side=FOLLOWER)
    await succeeded(gql, WITHDRAW, person_, withdrawn["id"])
    advance(clock, timedelta(minutes=1), org)
    ended = await established(gql, steward, person_)
    await succeeded(gql, END, person_, ended["id"], reason="done")
    advance(clock, timedelta(minutes=1), org)
    mentorship = await established(gql, mentor, person_, kind=MENTORSHIP, areas=[area])
    advance(clock, timedelta(minutes=1), org)
    active = await established(gql, steward, person_)
    advance(clock, timedelta(minutes=1), org)
    pending = await proposed(gql, person_, mentor, kind=COACHING, side=FOLLOWER)

    found = await history(gql, person_, person_)

    assert [(r["id"], r["status"]) for r in found] == [
        (pending["id"], "PROPOSED"),
        (active["id"], "ACTIVE"),
        (mentorship["id"], "ACTIVE"),
        (ended["id"], "ENDED"),
        (withdrawn["id"], "WITHDRAWN"),
        (declined["id"], "DECLINED"),
    ]
    # The steward's history is their side of the same story.
    assert ids_of(await history(gql, steward, steward)) == [
        active["id"],
        ended["id"],
        withdrawn["id"],
        declined["id"],
    ]
    # Paging walks the same list.
    page = await gql.data(
        """query ($id: ID!) { node(id: $id) { ... on Person {
            relationshipHistory(first: 4) { edges { node { id } } pageInfo { hasNextPage endCursor } }
        } } }""",
        {"id": person_.id},
        token=person_.token,
    )
    first = page["node"]["relationshipHistory"]
    assert [e["node"]["id"] for e in first["edges"]] == ids_of(found[:4])
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await gql.data(
        """query ($id: ID!, $after: String) { node(id: $id) { ... on Person {
            relationshipHistory(first: 4, after: $after) { edges { node { id } } pageInfo { hasNextPage } }
        } } }""",
        {"id": person_.id, "after": first["pageInfo"]["endCursor"]},
        token=person_.token,
    )
    second = rest["node"]["relationshipHistory"]
    assert [e["node"]["id"] for e in second["edges"]] == ids_of(found[4:])
    assert second["pageInfo"]["hasNextPage"] is False


async def test_viewer_fields_for_every_kind_and_capacity(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    me = await org.add_member("Me")
    my_steward = await org.add_member("My Steward")
    stewardees = [await org.add_member(f"Stewardee {i}") for i in range(2)]
    my_mentor = await org.add_member("My Mentor")
    mentee = await org.add_member("My Mentee")
    coach = await org.add_member("My Coach")
    coachee = await org.add_member("My Coachee")
    [area] = await area_ids(gql, org, "Gardening")

    steward_rel = await established(gql, my_steward, me)
    stewardee_rels = []
    for stewardee in stewardees:  # listed oldest first
        stewardee_rels.append(await established(gql, me, stewardee))
        advance(clock, timedelta(minutes=1), org)
    mentor_rel = await established(gql, my_mentor, me, kind=MENTORSHIP, areas=[area])
    mentee_rel = await established(gql, me, mentee, kind=MENTORSHIP, areas=[area])
    coach_rel = await established(gql, coach, me, kind=COACHING)
    coachee_rel = await established(gql, me, coachee, kind=COACHING)

    found = await viewer(gql, me)

    assert found["steward"]["id"] == steward_rel["id"]
    assert found["steward"]["leader"]["id"] == my_steward.id
    assert ids_of(found["stewardees"]) == ids_of(stewardee_rels)
    assert ids_of(found["mentors"]) == [mentor_rel["id"]]
    assert ids_of(found["mentees"]) == [mentee_rel["id"]]
    assert ids_of(found["coaches"]) == [coach_rel["id"]]
    assert ids_of(found["coachees"]) == [coachee_rel["id"]]
    # Organization defaults: 6 stewardees, 3 mentees.
    assert found["stewardeeCapacity"] == {"capacity": 6, "load": 2, "remaining": 4}
    assert found["menteeCapacity"] == {"capacity": 3, "load": 1, "remaining": 2}
    # Coaching has no capacity; the own setting wins over the default.
    result = await set_capacity(gql, me, STEWARDSHIP, 2)
    assert result["__typename"] == "SetCapacitySuccess", result
    assert result["person"]["stewardeeCapacity"] == {"capacity": 2, "load": 2, "remaining": 0}
    result = await set_capacity(gql, me, MENTORSHIP, 10)
    assert result["person"]["menteeCapacity"] == {"capacity": 10, "load": 1, "remaining": 9}
    found = await viewer(gql, me)
    assert found["stewardeeCapacity"] == {"capacity": 2, "load": 2, "remaining": 0}
    assert found["menteeCapacity"] == {"capacity": 10, "load": 1, "remaining": 9}
    # Others see my capacity too (it is what lets them ask me).
    seen = await person(gql, mentee, me)
    assert seen["menteeCapacity"] == {"capacity": 10, "load": 1, "remaining": 9}


async def test_mentorships_are_scoped_to_areas_and_filtered_by_area(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    mentor = await org.add_member()
    ada = await org.add_member()
    bob = await org.add_member()
    pottery, weaving, baking = await area_ids(gql, org, "Pottery", "Weaving", "Baking")
    with_ada = await established(gql, mentor, ada, kind=MENTORSHIP, areas=[pottery, weaving])
    advance(clock, timedelta(minutes=1), org)  # listed oldest first
    with_bob = await established(gql, mentor, bob, kind=MENTORSHIP, areas=[baking])
    assert sorted(ids_of(with_ada["knowledgeAreas"])) == sorted([pottery, weaving])

    async def filtered(subject: Member, area: str | None) -> dict[str, list[str]]:
        data = await gql.data(AREA_FILTERED, {"id": subject.id, "area": area}, token=bob.token)
        return {k: ids_of(v) for k, v in data["node"].items()}

    assert await filtered(mentor, None) == {
        "mentors": [],
        "mentees": [with_ada["id"], with_bob["id"]],
    }
    assert await filtered(mentor, pottery) == {"mentors": [], "mentees": [with_ada["id"]]}
    assert await filtered(mentor, baking) == {"mentors": [], "mentees": [with_bob["id"]]}
    assert await filtered(ada, weaving) == {"mentors": [with_ada["id"]], "mentees": []}
    assert await filtered(ada, baking) == {"mentors": [], "mentees": []}
    # A mentorship in another area between the same two is a new one; the
    # same area again is not.
    before = await db_state(services)
    error(
        await propose(gql, ada, mentor, kind=MENTORSHIP, side=FOLLOWER, areas=[weaving, baking]),
        "ConflictError",
        "ALREADY_ACTIVE",
    )
    assert await db_state(services) == before
    another = await established(gql, mentor, ada, kind=MENTORSHIP, areas=[baking])
    assert await filtered(ada, baking) == {"mentors": [another["id"]], "mentees": []}
    # A malformed area id in the filter is a typed query error.
    body = await gql(AREA_FILTERED, {"id": ada.id, "area": "nonsense"}, token=ada.token)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_ID"]


# == handover =====================================================================


async def test_accepting_a_new_steward_hands_over_from_the_old_one(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    old = await org.add_member("Olga Old")
    new = await org.add_member("Nina New")
    person_ = await org.add_member("Pat Person")
    first = await established(gql, old, person_, message="private words")
    advance(clock, timedelta(days=10), org)
    offer = await proposed(gql, new, person_)
    assert offer["handedOverFrom"] is None  # only once accepted
    advance(clock, timedelta(hours=1), org)
    for member in (old, new, person_):
        await mark_read(gql, member, None)

    accepted = await succeeded(gql, ACCEPT, person_, offer["id"])

    assert accepted["status"] == "ACTIVE"
    assert accepted["handedOverFrom"] == {
        "id": first["id"],
        "status": "ENDED",
        "endReason": "HANDED_OVER",
    }
    ended = await relationship(gql, person_, first["id"])
    assert ended is not None
    assert ended["status"] == "ENDED"
    assert ended["endReason"] == "HANDED_OVER"
    assert at(ended["endedAt"]) == clock.now()
    # All three see the new state.
    assert (await viewer(gql, person_))["steward"]["id"] == offer["id"]
    assert (await viewer(gql, old))["stewardees"] == []
    assert ids_of((await viewer(gql, new))["stewardees"]) == [offer["id"]]
    for member in (old, new, person_):
        assert (await relationship(gql, member, first["id"]))["endReason"] == "HANDED_OVER"  # type: ignore[index]
        seen = await relationship(gql, member, offer["id"])
        assert seen is not None
        assert seen["handedOverFrom"]["id"] == first["id"]
    # The person (who accepted) and both stewards hear of the handover, once
    # each, about the new stewardship.
    for member in (old, new, person_):
        _, unread = await notifications(gql, member, unread_only=True)
        assert [(n["kind"], n["relationship"]["id"]) for n in unread] == [
            ("STEWARDSHIP_HANDED_OVER", offer["id"])
        ], member.person.name
        assert unread[0]["actor"]["id"] == person_.id
    # Nothing was deleted.
    assert [(r["id"], r["endReason"]) for r in await history(gql, person_, person_)] == [
        (offer["id"], None),
        (first["id"], "HANDED_OVER"),
    ]


async def test_a_handover_asked_for_by_the_person_tells_them_too(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    old = await org.add_member()
    new = await org.add_member()
    person_ = await org.add_member()
    await established(gql, old, person_)
    ask = await proposed(gql, person_, new, side=FOLLOWER)
    advance(clock, timedelta(minutes=1), org)
    for member in (old, new, person_):
        await mark_read(gql, member, None)

    await succeeded(gql, ACCEPT, new, ask["id"])

    # One notice each (instead of an acceptance for the person), the new
    # steward who accepted included.
    for member in (old, new, person_):
        _, unread = await notifications(gql, member, unread_only=True)
        assert [(n["kind"], n["relationship"]["id"]) for n in unread] == [
            ("STEWARDSHIP_HANDED_OVER", ask["id"])
        ]
        assert unread[0]["actor"]["id"] == new.id


async def test_acceptance_fails_when_the_stewardship_changed_since_the_proposal(
    gql: GraphQL, org: Org, services: Services
) -> None:
    old = await org.add_member()
    second = await org.add_member()
    third = await org.add_member()
    person_ = await org.add_member()
    first = await established(gql, old, person_)
    offer_2 = await proposed(gql, second, person_)
    offer_3 = await proposed(gql, person_, third, side=FOLLOWER)
    await succeeded(gql, ACCEPT, person_, offer_2["id"])
    before = await db_state(services)

    result = await act(gql, ACCEPT, third, offer_3["id"])

    error(result, "ConflictError", "STEWARDSHIP_CHANGED")
    assert await db_state(services) == before
    assert (await viewer(gql, person_))["steward"]["id"] == offer_2["id"]
    assert (await relationship(gql, person_, first["id"]))["status"] == "ENDED"  # type: ignore[index]
    # The stale proposal can still be answered otherwise.
    assert (await succeeded(gql, WITHDRAW, person_, offer_3["id"]))["status"] == "WITHDRAWN"


async def test_a_steward_ending_meanwhile_also_changes_the_stewardship(
    gql: GraphQL, org: Org, services: Services
) -> None:
    old = await org.add_member()
    new = await org.add_member()
    person_ = await org.add_member()
    first = await established(gql, old, person_)
    offer = await proposed(gql, new, person_)
    await succeeded(gql, END, old, first["id"], reason="moving on")
    before = await db_state(services)

    error(await act(gql, ACCEPT, person_, offer["id"]), "ConflictError", "STEWARDSHIP_CHANGED")

    assert await db_state(services) == before
    assert (await viewer(gql, person_))["steward"] is None
    # As the error says, proposing again works: the stale proposal, which can
    # never be accepted, does not count as a duplicate.
    again = await proposed(gql, person_, new, side=FOLLOWER)
    await succeeded(gql, ACCEPT, new, again["id"])
    assert (await viewer(gql, person_))["steward"]["id"] == again["id"]
    before = await db_state(services)
    error(await act(gql, ACCEPT, person_, offer["id"]), "ConflictError", "STEWARDSHIP_CHANGED")
    assert await db_state(services) == before
    # A fresh proposal (made with the current stewardship) is a duplicate again.
    fresh = await proposed(gql, old, person_)
    error(await propose(gql, person_, old, side=FOLLOWER), "ConflictError", "DUPLICATE_PROPOSAL")
    await succeeded(gql, ACCEPT, person_, fresh["id"])
    assert (await viewer(gql, person_))["steward"]["leader"]["id"] == old.id


async def test_two_open_proposals_to_a_person_without_steward_only_one_wins(
    gql: GraphQL, org: Org, services: Services
) -> None:
    one = await org.add_member()
    two = await org.add_member()
    person_ = await org.add_member()
    offer_1 = await proposed(gql, one, person_)
    offer_2 = await proposed(gql, two, person_)
    await succeeded(gql, ACCEPT, person_, offer_1["id"])
    before = await db_state(services)

    error(await act(gql, ACCEPT, person_, offer_2["id"]), "ConflictError", "STEWARDSHIP_CHANGED")

    assert await db_state(services) == before
    accepted = await relationship(gql, person_, offer_1["id"])
    assert accepted is not None
    assert accepted["handedOverFrom"] is None


# == capacity =====================================================================


async def test_stewardee_capacity_is_never_exceeded(
    gql: GraphQL, org: Org, services: Services
) -> None:
    steward = await org.add_member()
    people_ = [await org.add_member() for _ in range(4)]
    assert (await set_capacity(gql, steward, STEWARDSHIP, 2))["__typename"] == "SetCapacitySuccess"
    await established(gql, steward, people_[0])
    late = await proposed(gql, people_[2], steward, side=FOLLOWER)  # while there is room
    await established(gql, steward, people_[1])
    before = await db_state(services)

    # Full: a new offer and an old proposal are both refused.
    full = await propose(gql, steward, people_[3])
    error(full, "LimitExceededError", "LIMIT_EXCEEDED")
    assert (full["limit"], full["value"]) == ("STEWARDEE_CAPACITY", 2)
    asked = await propose(gql, people_[3], steward, side=FOLLOWER)
    assert (asked["limit"], asked["value"]) == ("STEWARDEE_CAPACITY", 2)
    accepted = await act(gql, ACCEPT, steward, late["id"])
    error(accepted, "LimitExceededError", "LIMIT_EXCEEDED")
    assert (accepted["limit"], accepted["value"]) == ("STEWARDEE_CAPACITY", 2)
    assert await db_state(services) == before
    assert (await viewer(gql, steward))["stewardeeCapacity"] == {
        "capacity": 2,
        "load": 2,
        "remaining": 0,
    }
    # Raising it makes room.
    await set_capacity(gql, steward, STEWARDSHIP, 3)
    assert (await succeeded(gql, ACCEPT, steward, late["id"]))["status"] == "ACTIVE"


async def test_the_organization_default_of_three_mentees_holds(
    gql: GraphQL, org: Org, services: Services
) -> None:
    mentor = await org.add_member()
    mentees = [await org.add_member() for _ in range(4)]
    [area] = await area_ids(gql, org, "Chess")
    asks = [
        await proposed(gql, m, mentor, kind=MENTORSHIP, side=FOLLOWER, areas=[area])
        for m in mentees
    ]
    for ask in asks[:3]:
        await succeeded(gql, ACCEPT, mentor, ask["id"])
    before = await db_state(services)

    result = await act(gql, ACCEPT, mentor, asks[3]["id"])

    error(result, "LimitExceededError", "LIMIT_EXCEEDED")
    assert (result["limit"], result["value"]) == ("MENTEE_CAPACITY", 3)
    assert await db_state(services) == before
    # Coaching has no capacity: a coach takes on more than six.
    coach = await org.add_member()
    for m in mentees + [await org.add_member() for _ in range(4)]:
        await established(gql, coach, m, kind=COACHING)
    assert len((await viewer(gql, coach))["coachees"]) == 8


async def test_capacity_settings_are_validated(gql: GraphQL, org: Org, services: Services) -> None:
    steward = await org.add_member()
    await established(gql, steward, await org.add_member())
    await established(gql, steward, await org.add_member())
    before = await db_state(services)

    cases = [
        (STEWARDSHIP, 51, "ValidationError", "OUT_OF_RANGE", "capacity"),
        (MENTORSHIP, -1, "ValidationError", "OUT_OF_RANGE", "capacity"),
        (STEWARDSHIP, 1, "ValidationError", "CAPACITY_BELOW_LOAD", "capacity"),
        (COACHING, 3, "ValidationError", "NO_CAPACITY_FOR_KIND", "kind"),
    ]
    for kind, value, typename, code, field in cases:
        error(await set_capacity(gql, steward, kind, value), typename, code, field)

    assert await db_state(services) == before
    assert (await viewer(gql, steward))["stewardeeCapacity"]["capacity"] == 6
    for kind, value in ((STEWARDSHIP, 2), (STEWARDSHIP, 50), (MENTORSHIP, 0)):
        assert (await set_capacity(gql, steward, kind, value))["__typename"] == "SetCapacitySuccess"


# == review reminders =============================================================


async def test_review_due_reminds_both_once_and_renewing_resets_it(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    steward = await org.add_member()
    person_ = await org.add_member()
    bystander = await org.add_member()
    review_on = today(clock) + timedelta(days=7)
    active = await established(gql, steward, person_, review_on=review_on)
    undated = await established(gql, steward, await org.add_member())
    await mark_read(gql, steward, None)
    await mark_read(gql, person_, None)

    assert await run_due_jobs(services) == 0
    assert (await relationship(gql, person_, active["id"]))["dueForReview"] is False  # type: ignore[index]
    assert (await viewer(gql, steward))["relationshipsDueForReview"] == []

    advance(clock, timedelta(days=6, hours=14, minutes=59), org)  # the eve, 23:59
    assert await run_due_jobs(services) == 0
    assert (await viewer(gql, person_))["unreadNotificationCount"] == 0
    assert (await relationship(gql, person_, active["id"]))["dueForReview"] is False  # type: ignore[index]

    advance(clock, timedelta(minutes=1), org)  # the review date has come
    assert today(clock) == review_on
    assert (await relationship(gql, person_, active["id"]))["dueForReview"] is True  # type: ignore[index]
    assert (await relationship(gql, bystander, active["id"]))["dueForReview"] is True  # type: ignore[index]
    assert (await relationship(gql, steward, undated["id"]))["dueForReview"] is False  # type: ignore[index]
    for member in (steward, person_):
        assert ids_of((await viewer(gql, member))["relationshipsDueForReview"]) == [active["id"]]

    assert await run_due_jobs(services) == 1

    for member in (steward, person_):
        count, items = await notifications(gql, member)
        assert count == 1
        assert items[0]["kind"] == "RELATIONSHIP_REVIEW_DUE"
        assert items[0]["actor"] is None
        assert items[0]["relationship"]["id"] == active["id"]
        assert at(items[0]["createdAt"]) == clock.now()
    assert "RELATIONSHIP_REVIEW_DUE" not in await notification_kinds(gql, bystander)
    # Once per date: later passes, even days later, do not repeat it.
    assert await run_due_jobs(services) == 0
    advance(clock, timedelta(days=3), org)
    assert await run_due_jobs(services) == 0
    assert (await notification_kinds(gql, person_)).count("RELATIONSHIP_REVIEW_DUE") == 1
    assert (await relationship(gql, person_, active["id"]))["dueForReview"] is True  # type: ignore[index]

    # Renewing moves the date: no longer due, and the new date reminds again.
    new_date = today(clock) + timedelta(days=30)
    await succeeded(gql, RENEW, steward, active["id"], reviewOn=new_date.isoformat())
    assert (await relationship(gql, person_, active["id"]))["dueForReview"] is False  # type: ignore[index]
    for member in (steward, person_):
        assert (await viewer(gql, member))["relationshipsDueForReview"] == []
    assert await run_due_jobs(services) == 0
    advance(clock, timedelta(days=30), org)
    assert await run_due_jobs(services) == 1
    assert (await notification_kinds(gql, steward)).count("RELATIONSHIP_REVIEW_DUE") == 2
    # An ended relationship is never due.
    await succeeded(gql, END, person_, active["id"], reason="Done.")
    assert (await relationship(gql, person_, active["id"]))["dueForReview"] is False  # type: ignore[index]
    assert (await viewer(gql, person_))["relationshipsDueForReview"] == []
    advance(clock, timedelta(days=1), org)
    assert await run_due_jobs(services) == 0


async def test_review_reminders_stay_within_each_organization(
    gql: GraphQL, make_org: OrgFactory, clock: FakeClock, services: Services
) -> None:
    acme = await make_org("Acme")
    globex = await make_org("Globex")
    pairs = []
    for org in (acme, globex):
        steward, person_ = await org.add_member(), await org.add_member()
        await established(gql, steward, person_, review_on=today(clock) + timedelta(days=1))
        pairs.append((steward, person_))
    advance(clock, timedelta(days=1), acme, globex)

    assert await run_due_jobs(services) == 2

    for steward, person_ in pairs:
        for member in (steward, person_):
            assert (await notification_kinds(gql, member)).count("RELATIONSHIP_REVIEW_DUE") == 1


# == notifications ================================================================


async def test_notifications_newest_first_and_marked_read(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    me = await org.add_member()
    others = [await org.add_member() for _ in range(3)]
    offers = []
    for other in others:
        offers.append(await proposed(gql, other, me))
        advance(clock, timedelta(minutes=1), org)
    somebody_elses = await proposed(gql, me, others[0], kind=COACHING)

    count, items = await notifications(gql, me)

    assert count == 3
    assert [n["relationship"]["id"] for n in items] == [o["id"] for o in reversed(offers)]
    assert [n["actor"]["id"] for n in items] == [o.id for o in reversed(others)]
    assert all(n["kind"] == "RELATIONSHIP_PROPOSED" and not n["read"] for n in items)
    _, theirs = await notifications(gql, others[0])
    their_id = theirs[0]["id"]
    assert theirs[0]["relationship"]["id"] == somebody_elses["id"]

    # By ids: only mine change; someone else's id is ignored, not an error.
    advance(clock, timedelta(minutes=5), org)
    result = await mark_read(gql, me, [items[0]["id"], their_id])
    assert result == {"__typename": "MarkNotificationsReadSuccess", "marked": 1}
    count, items = await notifications(gql, me)
    assert count == 2
    assert [n["read"] for n in items] == [True, False, False]
    assert at(items[0]["readAt"]) == clock.now()
    _, unread = await notifications(gql, me, unread_only=True)
    assert ids_of(unread) == ids_of(items[1:])
    count, theirs = await notifications(gql, others[0])
    assert count == 1
    assert theirs[0]["read"] is False
    # Marking again counts nothing new.
    assert (await mark_read(gql, me, [items[0]["id"]]))["marked"] == 0
    # All of mine.
    assert (await mark_read(gql, me, None))["marked"] == 2
    count, items = await notifications(gql, me)
    assert count == 0
    assert all(n["read"] for n in items)
    assert (await notifications(gql, others[0]))[0] == 1
    # A notification is only a node for its recipient.
    mine = await gql.data(
        "query ($id: ID!) { node(id: $id) { __typename id } }",
        {"id": items[0]["id"]},
        token=me.token,
    )
    assert mine["node"] == {"__typename": "Notification", "id": items[0]["id"]}
    assert await nodes(gql, me, [their_id]) == [None]
    # Malformed ids are a typed error and mark nothing.
    before = await db_state(services)
    error(
        await mark_read(gql, others[0], ["not-an-id"]),
        "ValidationError",
        "INVALID_ID",
        "notificationIds",
    )
    error(
        await mark_read(gql, others[0], [me.id]), "ValidationError", "INVALID_ID", "notificationIds"
    )
    assert await db_state(services) == before


# == someone leaves ===============================================================


async def test_marking_someone_left_ends_their_relationships_and_lapses_proposals(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leaver = await org.add_member("Lee Leaver")
    steward = await org.add_member("Sue Steward")
    mentor = await org.add_member("Max Mentor")
    stewardee = await org.add_member("Stu Stewardee")
    asked = await org.add_member("Ann Asked")
    offering = await org.add_member("Oli Offering")
    [area] = await area_ids(gql, org, "Sailing")
    their_steward = await established(gql, steward, leaver)
    their_mentor = await established(gql, mentor, leaver, kind=MENTORSHIP, areas=[area])
    their_stewardee = await established(gql, leaver, stewardee)
    their_ask = await proposed(gql, leaver, asked, kind=COACHING, side=FOLLOWER)
    an_offer = await proposed(gql, offering, leaver, kind=MENTORSHIP, areas=[area])
    advance(clock, timedelta(days=1), org)

    result = await mutate(gql, MARK_LEFT, {"personId": leaver.id}, token=org.faculty.token)

    assert result["__typename"] == "MarkPersonLeftSuccess", result
    for rel, viewer_member in (
        (their_steward, steward),
        (their_mentor, mentor),
        (their_stewardee, stewardee),
    ):
        seen = await relationship(gql, viewer_member, rel["id"])
        assert seen is not None
        assert seen["status"] == "ENDED"
        assert seen["endReason"] == "PERSON_LEFT"
        assert at(seen["endedAt"]) == clock.now()
        _, items = await notifications(gql, viewer_member)
        assert items[0]["kind"] == "RELATIONSHIP_ENDED"
        assert items[0]["relationship"]["id"] == rel["id"]
    assert (await viewer(gql, steward))["stewardees"] == []
    assert (await viewer(gql, mentor))["mentees"] == []
    assert (await viewer(gql, mentor))["menteeCapacity"]["load"] == 0
    assert (await viewer(gql, stewardee))["steward"] is None
    assert (await viewer(gql, asked))["proposalsToMe"] == []
    assert (await viewer(gql, offering))["proposalsFromMe"] == []
    assert (await relationship(gql, asked, their_ask["id"]))["status"] == "WITHDRAWN"  # type: ignore[index]
    assert (await relationship(gql, offering, an_offer["id"]))["status"] == "WITHDRAWN"  # type: ignore[index]
    # The lapsed proposals can no longer be accepted; nothing is deleted.
    error(await act(gql, ACCEPT, asked, their_ask["id"]), "ConflictError", "NOT_PROPOSED")
    seen_history = await history(gql, org.faculty, leaver)
    assert {r["id"] for r in seen_history} == {
        their_steward["id"],
        their_mentor["id"],
        their_stewardee["id"],
    }
    # Their former stewardee is now someone without a steward.
    data = await gql.data(WITHOUT_STEWARD, {"first": 100}, token=org.faculty.token)
    listed_ids = [e["node"]["id"] for e in data["peopleWithoutSteward"]["edges"]]
    assert stewardee.id in listed_ids
    assert leaver.id not in listed_ids
    # And nobody can propose to someone who left.
    before = await db_state(services)
    error(await propose(gql, steward, leaver), "ConflictError", "PERSON_LEFT", "personId")
    assert await db_state(services) == before


# == privacy and authorization ====================================================


async def test_only_the_two_people_can_act_on_a_relationship(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader = await org.add_member()
    follower = await org.add_member()
    outsider = await org.add_member()
    pending = await proposed(gql, leader, follower, kind=COACHING)
    active = await established(gql, leader, follower)
    before = await db_state(services)
    future = (today(clock) + timedelta(days=30)).isoformat()

    for member in (outsider, org.faculty):
        for document in (ACCEPT, DECLINE, WITHDRAW):
            for rel in (pending, active):
                error(await act(gql, document, member, rel["id"]), "NotFoundError", "NOT_FOUND")
        for rel in (pending, active):
            error(await act(gql, END, member, rel["id"], reason="x"), "NotFoundError", "NOT_FOUND")
            error(
                await act(gql, RENEW, member, rel["id"], reviewOn=future),
                "NotFoundError",
                "NOT_FOUND",
            )

    assert await db_state(services) == before
    assert (await relationship(gql, follower, pending["id"]))["status"] == "PROPOSED"  # type: ignore[index]
    assert (await relationship(gql, follower, active["id"]))["status"] == "ACTIVE"  # type: ignore[index]


async def test_pending_proposals_are_invisible_to_third_parties(
    gql: GraphQL, org: Org, services: Services
) -> None:
    leader = await org.add_member()
    follower = await org.add_member()
    outsider = await org.add_member()
    [area] = await area_ids(gql, org, "Fencing")
    pending = [
        await proposed(gql, leader, follower, message="just us"),
        await proposed(gql, follower, leader, kind=MENTORSHIP, side=FOLLOWER, areas=[area]),
    ]
    declined = await proposed(gql, leader, follower, kind=COACHING)
    await succeeded(gql, DECLINE, follower, declined["id"])
    hidden = [*ids_of(pending), declined["id"]]

    for member in (outsider, org.faculty):
        for rel_id in hidden:
            assert await relationship(gql, member, rel_id) is None
        assert await nodes(gql, member, hidden) == [None, None, None]
        for subject in (leader, follower):
            assert await history(gql, member, subject) == []
            seen = await person(gql, member, subject)
            assert seen["proposalsToMe"] is None
            assert seen["proposalsFromMe"] is None
        assert (await viewer(gql, member))["proposalsToMe"] == []
        assert await notification_kinds(gql, member) == []
    # The two people do see them, with the message.
    for member in (leader, follower):
        assert [n is not None for n in await nodes(gql, member, hidden)] == [True, True, True]
    assert (await relationship(gql, follower, pending[0]["id"]))["message"] == "just us"  # type: ignore[index]


async def test_established_relationships_are_visible_but_message_and_end_note_are_not(
    gql: GraphQL, org: Org
) -> None:
    steward = await org.add_member()
    person_ = await org.add_member()
    outsider = await org.add_member()
    active = await established(gql, steward, person_, message="between us")
    ended = await established(gql, await org.add_member(), outsider, message="hello")
    await succeeded(gql, END, outsider, ended["id"], reason="personal reasons")

    seen = await relationship(gql, outsider, active["id"])
    assert seen is not None
    assert seen["status"] == "ACTIVE"
    assert seen["leader"]["id"] == steward.id
    assert seen["message"] is None
    assert seen["endNote"] is None
    assert seen["viewerSide"] is None
    assert (await person(gql, outsider, person_))["steward"]["id"] == active["id"]
    assert ids_of((await person(gql, outsider, steward))["stewardees"]) == [active["id"]]
    assert ids_of(await history(gql, outsider, person_)) == [active["id"]]

    for member in (steward, person_):
        other_ended = await relationship(gql, member, ended["id"])
        assert other_ended is not None
        assert other_ended["endReason"] == "ENDED_BY_FOLLOWER"
        assert other_ended["endNote"] is None
        assert other_ended["message"] is None
    mine = await relationship(gql, outsider, ended["id"])
    assert mine is not None
    assert (mine["endNote"], mine["message"]) == ("personal reasons", "hello")
    assert (await relationship(gql, steward, active["id"]))["message"] == "between us"  # type: ignore[index]


async def test_coaching_is_invisible_to_everyone_but_the_two(
    gql: GraphQL, org: Org, services: Services
) -> None:
    coach = await org.add_member()
    coachee = await org.add_member()
    outsider = await org.add_member()
    active = await established(gql, coach, coachee, kind=COACHING)
    ended = await established(gql, coachee, coach, kind=COACHING)
    await succeeded(gql, END, coach, ended["id"], reason="enough")
    coaching = [active["id"], ended["id"]]

    for member in (outsider, org.faculty):
        assert [await relationship(gql, member, i) for i in coaching] == [None, None]
        assert await nodes(gql, member, coaching) == [None, None]
        for subject in (coach, coachee):
            seen = await person(gql, member, subject)
            assert seen["coaches"] == []
            assert seen["coachees"] == []
            assert await history(gql, member, subject) == []
    for member in (coach, coachee):
        assert [n is not None for n in await nodes(gql, member, coaching)] == [True, True]
        assert len(await history(gql, member, member)) == 2
    assert ids_of((await viewer(gql, coachee))["coaches"]) == [active["id"]]
    assert ids_of((await person(gql, coach, coachee))["coaches"]) == [active["id"]]


async def test_personal_lists_on_another_person_are_null(gql: GraphQL, org: Org) -> None:
    me = await org.add_member()
    other = await org.add_member()
    await proposed(gql, me, other)
    await proposed(gql, other, me, kind=COACHING)

    seen = await person(gql, me, other)

    for field in (
        "proposalsToMe",
        "proposalsFromMe",
        "relationshipsDueForReview",
        "notifications",
        "unreadNotificationCount",
    ):
        assert seen[field] is None, field
    own = await person(gql, me, me)
    assert len(own["proposalsToMe"]) == 1
    assert len(own["proposalsFromMe"]) == 1
    assert own["unreadNotificationCount"] == 1


async def test_another_organization_sees_and_touches_nothing(
    gql: GraphQL, make_org: OrgFactory, services: Services, clock: FakeClock
) -> None:
    acme = await make_org("Acme")
    globex = await make_org("Globex")
    steward, person_ = await acme.add_member(), await acme.add_member()
    spy = await globex.add_member()
    [area] = await area_ids(gql, acme, "Secrets")
    active = await established(gql, steward, person_)
    pending = await proposed(gql, steward, person_, kind=MENTORSHIP, areas=[area])
    ids = [active["id"], pending["id"]]
    before = await db_state(services)

    for member in (spy, globex.faculty):
        assert [await relationship(gql, member, i) for i in ids] == [None, None]
        assert await nodes(gql, member, [*ids, person_.id]) == [None, None, None]
        for document in (ACCEPT, DECLINE, WITHDRAW):
            for rel_id in ids:
                error(await act(gql, document, member, rel_id), "NotFoundError", "NOT_FOUND")
        error(
            await act(gql, END, member, active["id"], reason="Done."), "NotFoundError", "NOT_FOUND"
        )
        renewal = (today(clock) + timedelta(days=9)).isoformat()
        error(
            await act(gql, RENEW, member, active["id"], reviewOn=renewal),
            "NotFoundError",
            "NOT_FOUND",
        )
        error(await propose(gql, member, person_), "NotFoundError", "NOT_FOUND")
        error(await propose(gql, member, steward, side=FOLLOWER), "NotFoundError", "NOT_FOUND")
        colleague = globex.faculty if member is spy else spy
        # Acme's knowledge area does not exist for Globex either.
        result = await propose(gql, member, colleague, kind=MENTORSHIP, areas=[area])
        error(result, "NotFoundError", "NOT_FOUND")
        data = await gql.data(WITHOUT_STEWARD, {"first": 100}, token=member.token)
        names = {e["node"]["id"] for e in data["peopleWithoutSteward"]["edges"]}
        assert names.isdisjoint({steward.id, person_.id, acme.faculty.id})

    assert await db_state(services) == before


async def test_people_without_steward_is_for_faculty_and_those_with_room(
    gql: GraphQL, org: Org, services: Services
) -> None:
    stewarded = await org.add_member("Anna Stewarded")
    steward = await org.add_member("Bert Steward")
    alone = await org.add_member("Cleo Alone")
    left = await org.add_member("Dora Left")
    await established(gql, steward, stewarded)
    await mutate(gql, MARK_LEFT, {"personId": left.id}, token=org.faculty.token)

    async def listed_for(member: Member) -> list[str]:
        data = await gql.data(WITHOUT_STEWARD, {"first": 100}, token=member.token)
        return [e["node"]["id"] for e in data["peopleWithoutSteward"]["edges"]]

    expected = sorted([org.faculty, steward, alone], key=lambda m: m.person.name)
    # Org faculty, and anyone with room to steward, see it (by name).
    assert await listed_for(org.faculty) == [m.id for m in expected]
    assert await listed_for(alone) == [m.id for m in expected]
    assert await listed_for(steward) == [m.id for m in expected]

    # Someone with no room left is refused, with a code and no data.
    assert (await set_capacity(gql, alone, STEWARDSHIP, 0))["__typename"] == "SetCapacitySuccess"
    body = await gql(WITHOUT_STEWARD, {"first": 100}, token=alone.token)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["PERMISSION_DENIED"]
    # Full by load too.
    await set_capacity(gql, steward, STEWARDSHIP, 1)
    body = await gql(WITHOUT_STEWARD, {"first": 100}, token=steward.token)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["PERMISSION_DENIED"]
    # Faculty sees it even without room of their own.
    await set_capacity(gql, org.faculty, STEWARDSHIP, 0)
    assert await listed_for(org.faculty) == [m.id for m in expected]


# == bad input ====================================================================


async def test_proposals_with_bad_input_are_refused_and_change_nothing(
    gql: GraphQL, make_org: OrgFactory, services: Services, clock: FakeClock
) -> None:
    org = await make_org("Acme")
    elsewhere = await make_org("Elsewhere")
    me = await org.add_member()
    other = await org.add_member()
    stranger = await elsewhere.add_member()
    left = await org.add_member()
    await mutate(gql, MARK_LEFT, {"personId": left.id}, token=org.faculty.token)
    [area] = await area_ids(gql, org, "Juggling")
    [foreign_area] = await area_ids(gql, elsewhere, "Juggling")
    team = await create_team(gql, org.faculty.token, "Red")
    past = today(clock) - timedelta(days=1)

    cases: list[tuple[dict[str, Any], str, str, str | None]] = [
        ({"other": missing_id("Person")}, "NotFoundError", "NOT_FOUND", None),
        ({"other": stranger.id}, "NotFoundError", "NOT_FOUND", None),
        ({"other": left.id}, "ConflictError", "PERSON_LEFT", "personId"),
        ({"other": me.id}, "ValidationError", "SELF_RELATIONSHIP", "personId"),
        ({"other": me.id, "side": FOLLOWER}, "ValidationError", "SELF_RELATIONSHIP", "personId"),
        (
            {"other": me.id, "kind": MENTORSHIP, "areas": [area]},
            "ValidationError",
            "SELF_RELATIONSHIP",
            "personId",
        ),
        ({"kind": MENTORSHIP}, "ValidationError", "AREAS_REQUIRED", "knowledgeAreaIds"),
        ({"areas": [area]}, "ValidationError", "AREAS_NOT_ALLOWED", "knowledgeAreaIds"),
        (
            {"kind": COACHING, "areas": [area]},
            "ValidationError",
            "AREAS_NOT_ALLOWED",
            "knowledgeAreaIds",
        ),
        (
            {"kind": MENTORSHIP, "areas": [missing_id("KnowledgeArea")]},
            "NotFoundError",
            "NOT_FOUND",
            None,
        ),
        ({"kind": MENTORSHIP, "areas": [foreign_area]}, "NotFoundError", "NOT_FOUND", None),
        (
            {"kind": MENTORSHIP, "areas": ["garbage"]},
            "ValidationError",
            "INVALID_ID",
            "knowledgeAreaIds",
        ),
        (
            {"kind": MENTORSHIP, "areas": [team["id"]]},
            "ValidationError",
            "INVALID_ID",
            "knowledgeAreaIds",
        ),
        ({"other": "garbage"}, "ValidationError", "INVALID_ID", "personId"),
        ({"other": ""}, "ValidationError", "INVALID_ID", "personId"),
        ({"other": team["id"]}, "ValidationError", "INVALID_ID", "personId"),
        ({"other": gid("Relationship", uuid4())}, "ValidationError", "INVALID_ID", "personId"),
        ({"review_on": past}, "ValidationError", "REVIEW_DATE_PAST", "reviewOn"),
        ({"review_on": today(clock)}, "ValidationError", "REVIEW_DATE_PAST", "reviewOn"),
        ({"message": "x" * 2001}, "ValidationError", "TOO_LONG", "message"),
    ]
    before = await db_state(services)

    for overrides, typename, code, field in cases:
        kwargs = {"kind": STEWARDSHIP, "side": LEADER, **overrides}
        target = kwargs.pop("other", other)
        result = await propose(gql, me, target, **kwargs)
        error(result, typename, code, field)

    assert await db_state(services) == before
    assert (await viewer(gql, other))["proposalsToMe"] == []


async def test_duplicate_and_already_active_proposals_are_refused(
    gql: GraphQL, org: Org, services: Services
) -> None:
    leader = await org.add_member()
    follower = await org.add_member()
    [area, other_area] = await area_ids(gql, org, "Knitting", "Rowing")
    open_ = {
        STEWARDSHIP: await proposed(gql, leader, follower),
        MENTORSHIP: await proposed(gql, leader, follower, kind=MENTORSHIP, areas=[area]),
        COACHING: await proposed(gql, follower, leader, kind=COACHING, side=FOLLOWER),
    }
    before = await db_state(services)

    for kind in KINDS:
        areas = [area] if kind == MENTORSHIP else []
        # Either of the two proposing the same again is a duplicate.
        for proposer, side in ((leader, LEADER), (follower, FOLLOWER)):
            other = follower if proposer is leader else leader
            result = await propose(gql, proposer, other, kind=kind, side=side, areas=areas)
            error(result, "ConflictError", "DUPLICATE_PROPOSAL")
    assert await db_state(services) == before
    # The reverse direction (the follower leading) is another relationship.
    reverse = await proposed(gql, follower, leader)
    await succeeded(gql, WITHDRAW, follower, reverse["id"])
    # A mentorship in a different area is not a duplicate.
    await succeeded(
        gql,
        WITHDRAW,
        leader,
        (await proposed(gql, leader, follower, kind=MENTORSHIP, areas=[other_area]))["id"],
    )

    for kind in KINDS:
        await succeeded(gql, ACCEPT, follower if kind != COACHING else leader, open_[kind]["id"])
    before = await db_state(services)
    for kind in KINDS:
        areas = [area] if kind == MENTORSHIP else []
        for proposer, side in ((leader, LEADER), (follower, FOLLOWER)):
            other = follower if proposer is leader else leader
            result = await propose(gql, proposer, other, kind=kind, side=side, areas=areas)
            error(result, "ConflictError", "ALREADY_ACTIVE")
    assert await db_state(services) == before


async def test_transitions_from_the_wrong_state_are_refused(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    leader = await org.add_member()
    follower = await org.add_member()
    declined = await proposed(gql, leader, follower, kind=COACHING)
    await succeeded(gql, DECLINE, follower, declined["id"])
    active = await established(gql, leader, follower)
    ended = await established(gql, follower, leader)
    await succeeded(gql, END, leader, ended["id"], reason="Done.")
    pending = await proposed(
        gql, leader, follower, kind=MENTORSHIP, areas=await area_ids(gql, org, "Go")
    )
    future = (today(clock) + timedelta(days=5)).isoformat()
    before = await db_state(services)

    refusals: list[tuple[str, Member, dict[str, Any], dict[str, Any], str]] = [
        (ACCEPT, follower, declined, {}, "NOT_PROPOSED"),
        (DECLINE, follower, declined, {}, "NOT_PROPOSED"),
        (WITHDRAW, leader, declined, {}, "NOT_PROPOSED"),
        (END, follower, declined, {"reason": "Done."}, "NOT_ACTIVE"),
        (ACCEPT, follower, active, {}, "NOT_PROPOSED"),
        (DECLINE, follower, active, {}, "NOT_PROPOSED"),
        (WITHDRAW, leader, active, {}, "NOT_PROPOSED"),
        (ACCEPT, follower, ended, {}, "NOT_PROPOSED"),
        (END, follower, ended, {"reason": "again"}, "NOT_ACTIVE"),
        (END, leader, ended, {"reason": "Done."}, "NOT_ACTIVE"),
        (RENEW, leader, ended, {"reviewOn": future}, "NOT_ACTIVE"),
        (END, leader, pending, {"reason": "Done."}, "NOT_ACTIVE"),
        (RENEW, follower, pending, {"reviewOn": future}, "NOT_ACTIVE"),
    ]
    for document, member, rel, extra, code in refusals:
        error(await act(gql, document, member, rel["id"], **extra), "ConflictError", code)

    assert await db_state(services) == before


async def test_malformed_and_unknown_relationship_ids(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    member = await org.add_member()
    future = (today(clock) + timedelta(days=5)).isoformat()
    before = await db_state(services)
    documents: list[tuple[str, dict[str, Any]]] = [
        (ACCEPT, {}),
        (DECLINE, {}),
        (WITHDRAW, {}),
        (END, {"reason": "x"}),
        (RENEW, {"reviewOn": future}),
    ]

    for document, extra in documents:
        for bad in ("garbage", "", member.id, gid("Notification", uuid4())):
            result = await act(gql, document, member, bad, **extra)
            error(result, "ValidationError", "INVALID_ID", "relationshipId")
        error(
            await act(gql, document, member, missing_id("Relationship"), **extra),
            "NotFoundError",
            "NOT_FOUND",
        )

    assert await db_state(services) == before
    body = await gql(RELATIONSHIP, {"id": "garbage"}, token=member.token)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_ID"]
    assert await relationship(gql, member, missing_id("Relationship")) is None


async def test_relationship_api_needs_a_signed_in_person(
    gql: GraphQL, org: Org, services: Services
) -> None:
    other = await org.add_member()
    before = await db_state(services)

    body = await gql(
        "mutation ($input: ProposeRelationshipInput!) { proposeRelationship(input: $input) "
        "{ __typename ... on Error { code } } }",
        {"input": {"kind": STEWARDSHIP, "personId": other.id, "side": LEADER}},
    )
    assert body["data"]["proposeRelationship"] == {
        "__typename": "AuthenticationError",
        "code": "UNAUTHENTICATED",
    }
    body = await gql(WITHOUT_STEWARD, {"first": 5})
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert await db_state(services) == before
