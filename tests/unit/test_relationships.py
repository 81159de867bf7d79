"""Leadership relationships: the entity's lifecycle, capacity, and every use
case of domain/services/relationships.py on the in-memory unit of work."""

from __future__ import annotations

import inspect
import typing
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from domain import capacity, ports
from domain.actors import Actor
from domain.errors import (
    Conflict,
    Duplicate,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from domain.knowledge_areas import KnowledgeArea
from domain.notifications import Notification, NotificationKind
from domain.organizations import Organization
from domain.people import Person, PersonStatus
from domain.relationships import (
    EndReason,
    MentorshipArea,
    Relationship,
    RelationshipKind,
    RelationshipStatus,
    Side,
)
from domain.roles import Role, RoleAssignment
from domain.services import people, relationships
from tests.unit.fakes import FakeUnitOfWorkFactory
from tests.unit.world import OrgWorld, member

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
TODAY = NOW.date()
NEXT_MONTH = TODAY + timedelta(days=30)

STEWARDSHIP = RelationshipKind.STEWARDSHIP
MENTORSHIP = RelationshipKind.MENTORSHIP
COACHING = RelationshipKind.COACHING

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
LEADER = uuid.UUID("00000000-0000-4000-8000-00000000000a")
FOLLOWER = uuid.UUID("00000000-0000-4000-8000-00000000000b")
STRANGER = uuid.UUID("00000000-0000-4000-8000-00000000000c")


# -- the entity ------------------------------------------------------------------


def make_relationship(
    *,
    kind: RelationshipKind = STEWARDSHIP,
    proposed_by: UUID = LEADER,
    review_on: date | None = None,
    message: str = "",
) -> Relationship:
    return Relationship.propose(
        organization_id=ORG,
        kind=kind,
        leader_id=LEADER,
        follower_id=FOLLOWER,
        proposed_by_id=proposed_by,
        message=message,
        review_on=review_on,
        replaces_id=None,
        now=NOW,
    )


def make_active(*, review_on: date | None = None) -> Relationship:
    relationship = make_relationship(review_on=review_on)
    relationship.accept(relationship.responder_id, NOW)
    return relationship


def test_propose_relationship() -> None:
    relationship = make_relationship(message="  Happy to help.  ", review_on=NEXT_MONTH)
    assert relationship.status is RelationshipStatus.PROPOSED
    assert (relationship.leader_id, relationship.follower_id) == (LEADER, FOLLOWER)
    assert relationship.proposed_by_id == LEADER
    assert relationship.proposed_at == NOW
    assert relationship.message == "Happy to help."
    assert relationship.review_on == NEXT_MONTH
    assert relationship.started_at is None
    assert relationship.responder_id == FOLLOWER
    assert not relationship.is_active


def test_the_follower_may_propose() -> None:
    relationship = make_relationship(proposed_by=FOLLOWER)
    assert relationship.responder_id == LEADER


def test_who_is_who() -> None:
    relationship = make_relationship()
    assert relationship.involves(LEADER)
    assert relationship.involves(FOLLOWER)
    assert not relationship.involves(STRANGER)
    assert relationship.other(LEADER) == FOLLOWER
    assert relationship.other(FOLLOWER) == LEADER
    assert relationship.side_of(LEADER) is Side.LEADER
    assert relationship.side_of(FOLLOWER) is Side.FOLLOWER


def test_nobody_leads_themselves() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Relationship.propose(
            organization_id=ORG,
            kind=MENTORSHIP,
            leader_id=LEADER,
            follower_id=LEADER,
            proposed_by_id=LEADER,
            message="",
            review_on=None,
            replaces_id=None,
            now=NOW,
        )
    assert caught.value.code == "SELF_RELATIONSHIP"


def test_proposer_must_be_a_party() -> None:
    with pytest.raises(PermissionDenied) as caught:
        make_relationship(proposed_by=STRANGER)
    assert caught.value.code == "NOT_A_PARTY"


@pytest.mark.parametrize("review_on", [TODAY, TODAY - timedelta(days=1)])
def test_review_date_must_lie_in_the_future(review_on: date) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_relationship(review_on=review_on)
    assert caught.value.code == "REVIEW_DATE_PAST"
    assert caught.value.field == "reviewOn"
    assert make_relationship(review_on=TODAY + timedelta(days=1)).review_on is not None


def test_message_is_bounded() -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_relationship(message="x" * 2001)
    assert caught.value.field == "message"


@pytest.mark.parametrize("proposer", [LEADER, FOLLOWER])
def test_accept_by_the_responder(proposer: UUID) -> None:
    relationship = make_relationship(proposed_by=proposer)
    relationship.accept(relationship.responder_id, LATER)
    assert relationship.status is RelationshipStatus.ACTIVE
    assert relationship.started_at == LATER
    assert relationship.responded_at == LATER
    assert relationship.is_active


def test_the_proposer_cannot_accept() -> None:
    relationship = make_relationship()
    with pytest.raises(PermissionDenied) as caught:
        relationship.accept(LEADER, NOW)
    assert caught.value.code == "OWN_PROPOSAL"
    with pytest.raises(PermissionDenied) as caught:
        relationship.accept(STRANGER, NOW)
    assert caught.value.code == "NOT_A_PARTY"
    assert relationship.status is RelationshipStatus.PROPOSED


def test_accept_only_a_proposal() -> None:
    relationship = make_active()
    with pytest.raises(Conflict) as caught:
        relationship.accept(FOLLOWER, LATER)
    assert caught.value.code == "NOT_PROPOSED"
    declined = make_relationship()
    declined.decline(FOLLOWER, NOW)
    with pytest.raises(Conflict) as caught:
        declined.accept(FOLLOWER, LATER)
    assert caught.value.code == "NOT_PROPOSED"


def test_decline_only_by_the_responder() -> None:
    relationship = make_relationship()
    with pytest.raises(PermissionDenied) as caught:
        relationship.decline(LEADER, NOW)
    assert caught.value.code == "OWN_PROPOSAL"
    with pytest.raises(PermissionDenied) as caught:
        relationship.decline(STRANGER, NOW)
    assert caught.value.code == "NOT_A_PARTY"
    relationship.decline(FOLLOWER, LATER)
    assert relationship.status is RelationshipStatus.DECLINED
    assert relationship.responded_at == LATER
    assert relationship.started_at is None
    with pytest.raises(Conflict) as conflict:
        relationship.decline(FOLLOWER, LATER)
    assert conflict.value.code == "NOT_PROPOSED"


def test_withdraw_only_by_the_proposer() -> None:
    relationship = make_relationship(proposed_by=FOLLOWER)
    with pytest.raises(PermissionDenied) as caught:
        relationship.withdraw(LEADER, NOW)
    assert caught.value.code == "NOT_PROPOSER"
    relationship.withdraw(FOLLOWER, LATER)
    assert relationship.status is RelationshipStatus.WITHDRAWN
    assert relationship.responded_at == LATER
    with pytest.raises(Conflict) as conflict:
        relationship.withdraw(FOLLOWER, LATER)
    assert conflict.value.code == "NOT_PROPOSED"


@pytest.mark.parametrize(
    ("by", "reason"),
    [(LEADER, EndReason.ENDED_BY_LEADER), (FOLLOWER, EndReason.ENDED_BY_FOLLOWER)],
)
def test_either_side_ends(by: UUID, reason: EndReason) -> None:
    relationship = make_active()
    relationship.end(by, LATER, "  We grew apart.  ")
    assert relationship.status is RelationshipStatus.ENDED
    assert relationship.end_reason is reason
    assert relationship.ended_at == LATER
    assert relationship.ended_by_id == by
    assert relationship.end_note == "We grew apart."
    with pytest.raises(Conflict) as caught:
        relationship.end(by, LATER, "Again.")
    assert caught.value.code == "NOT_ACTIVE"
    assert relationship.ended_at == LATER


def test_decline_may_say_why_and_records_when() -> None:
    relationship = make_relationship()
    with pytest.raises(ValidationFailed) as invalid:
        relationship.decline(FOLLOWER, LATER, "x" * 2001)
    assert (invalid.value.field, invalid.value.code) == ("reason", "TOO_LONG")
    assert relationship.status is RelationshipStatus.PROPOSED
    relationship.decline(FOLLOWER, LATER, "  Not this year.  ")
    assert (relationship.decline_reason, relationship.closed_at) == ("Not this year.", LATER)
    assert (relationship.ended_at, relationship.end_reason) == (None, None)
    silent = make_relationship()
    silent.decline(FOLLOWER, LATER)
    assert (silent.decline_reason, silent.closed_at) == ("", LATER)


def test_withdrawn_and_lapsed_proposals_record_when() -> None:
    withdrawn = make_relationship()
    withdrawn.withdraw(LEADER, LATER)
    lapsed = make_relationship()
    lapsed.lapse_because_left(LATER)
    for closed in (withdrawn, lapsed):
        assert (closed.status, closed.closed_at, closed.responded_at) == (
            RelationshipStatus.WITHDRAWN,
            LATER,
            LATER,
        )
    with pytest.raises(Conflict):
        make_active().lapse_because_left(LATER)
    assert make_active().closed_at is None


@pytest.mark.parametrize("by", [LEADER, FOLLOWER])
@pytest.mark.parametrize("blank", ["", "   ", "\n\t "])
def test_ending_needs_a_reason(by: UUID, blank: str) -> None:
    relationship = make_active()
    with pytest.raises(ValidationFailed) as invalid:
        relationship.end(by, LATER, blank)
    assert (invalid.value.field, invalid.value.code) == ("reason", "REQUIRED")
    assert relationship.is_active
    assert relationship.ended_at is None


def test_end_needs_an_active_relationship_and_a_party() -> None:
    with pytest.raises(Conflict) as conflict:
        make_relationship().end(LEADER, NOW, "Done.")
    assert conflict.value.code == "NOT_ACTIVE"
    with pytest.raises(PermissionDenied) as denied:
        make_active().end(STRANGER, NOW, "Done.")
    assert denied.value.code == "NOT_A_PARTY"
    with pytest.raises(ValidationFailed) as invalid:
        make_active().end(LEADER, NOW, "x" * 2001)
    assert invalid.value.field == "reason"


def test_hand_over_and_leaving() -> None:
    handed = make_active()
    handed.hand_over(LATER, by=FOLLOWER)
    assert (handed.status, handed.end_reason) == (RelationshipStatus.ENDED, EndReason.HANDED_OVER)
    assert handed.end_note == ""  # the reason is the handover itself
    with pytest.raises(Conflict):
        handed.hand_over(LATER, by=FOLLOWER)
    left = make_active()
    left.close_because_left(LATER, by=STRANGER)
    assert (left.status, left.end_reason) == (RelationshipStatus.ENDED, EndReason.PERSON_LEFT)
    assert left.ended_by_id == STRANGER


def test_renew_sets_a_new_review_date() -> None:
    relationship = make_active(review_on=TODAY + timedelta(days=1))
    relationship.review_reminded_on = TODAY + timedelta(days=1)
    relationship.renew(FOLLOWER, NEXT_MONTH, TODAY + timedelta(days=2))
    assert relationship.review_on == NEXT_MONTH
    assert relationship.review_reminded_on is None
    with pytest.raises(ValidationFailed) as invalid:
        relationship.renew(LEADER, TODAY, TODAY)
    assert invalid.value.code == "REVIEW_DATE_PAST"
    with pytest.raises(PermissionDenied):
        relationship.renew(STRANGER, NEXT_MONTH, TODAY)
    with pytest.raises(Conflict) as conflict:
        make_relationship().renew(LEADER, NEXT_MONTH, TODAY)
    assert conflict.value.code == "NOT_ACTIVE"


def test_is_due_for_review() -> None:
    review_on = TODAY + timedelta(days=7)
    relationship = make_active(review_on=review_on)
    assert not relationship.is_due_for_review(review_on - timedelta(days=1))
    assert relationship.is_due_for_review(review_on)
    assert relationship.is_due_for_review(review_on + timedelta(days=30))
    assert not make_active().is_due_for_review(review_on)  # no review date
    assert not make_relationship(review_on=review_on).is_due_for_review(review_on)  # proposed
    relationship.end(LEADER, NOW, "Done.")
    assert not relationship.is_due_for_review(review_on)


# -- capacity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "limit"), [(STEWARDSHIP, "STEWARDEE_CAPACITY"), (MENTORSHIP, "MENTEE_CAPACITY")]
)
def test_check_room(kind: RelationshipKind, limit: str) -> None:
    capacity.check_room(kind, load=2, capacity=3, leader_name="Ada")
    for load in (3, 4):
        with pytest.raises(LimitExceeded) as caught:
            capacity.check_room(kind, load=load, capacity=3, leader_name="Ada")
        assert (caught.value.limit, caught.value.value) == (limit, 3)
        assert "Ada" in caught.value.message
    with pytest.raises(LimitExceeded):
        capacity.check_room(kind, load=0, capacity=0, leader_name="Ada")


def test_coaching_has_no_room_limit() -> None:
    assert not capacity.is_limited(COACHING)
    capacity.check_room(COACHING, load=100, capacity=0, leader_name="Ada")


@pytest.mark.parametrize("kind", [STEWARDSHIP, MENTORSHIP])
def test_check_new_capacity(kind: RelationshipKind) -> None:
    capacity.check_new_capacity(kind, 0, load=0)
    capacity.check_new_capacity(kind, capacity.CAPACITY_MAX, load=3)
    capacity.check_new_capacity(kind, 3, load=3)
    for value in (-1, capacity.CAPACITY_MAX + 1):
        with pytest.raises(ValidationFailed) as caught:
            capacity.check_new_capacity(kind, value, load=0)
        assert caught.value.code == "OUT_OF_RANGE"
    with pytest.raises(ValidationFailed) as caught:
        capacity.check_new_capacity(kind, 2, load=3)
    assert caught.value.code == "CAPACITY_BELOW_LOAD"


def test_check_new_capacity_of_coaching() -> None:
    with pytest.raises(ValidationFailed) as caught:
        capacity.check_new_capacity(COACHING, 3, load=0)
    assert caught.value.code == "NO_CAPACITY_FOR_KIND"


def test_capacity_for_prefers_own_setting() -> None:
    organization = Organization.create(name="Acme", slug="acme", now=NOW)
    organization.default_stewardee_capacity = 4
    organization.default_mentee_capacity = 2
    person = Person.create(
        organization_id=organization.id,
        name="Ada",
        handle="ada",
        email="ada@acme.test",
        timezone="UTC",
        now=NOW,
    )
    assert person.capacity_for(STEWARDSHIP, organization) == 4
    assert person.capacity_for(MENTORSHIP, organization) == 2
    person.set_capacity(STEWARDSHIP, 9)
    person.set_capacity(MENTORSHIP, 0)  # zero is a setting, not "unset"
    assert person.capacity_for(STEWARDSHIP, organization) == 9
    assert person.capacity_for(MENTORSHIP, organization) == 0
    with pytest.raises(ValueError, match="no capacity"):
        person.capacity_for(COACHING, organization)
    with pytest.raises(ValueError, match="no capacity"):
        person.set_capacity(COACHING, 1)


# -- use cases: a world to run them in ---------------------------------------------


@dataclass
class World(OrgWorld):
    """An organization with org faculty (frida), members and knowledge areas,
    plus a second organization whose rows must stay out of reach."""

    areas: dict[str, KnowledgeArea]
    outsider: Person
    foreign_area: KnowledgeArea


@pytest.fixture
async def world() -> World:
    uows = FakeUnitOfWorkFactory()
    acme = Organization.create(name="Acme", slug="acme", now=NOW)
    globex = Organization.create(name="Globex", slug="globex", now=NOW)
    members = {h: member(acme, h, NOW) for h in ("frida", "ada", "bob", "cy", "dee")}
    areas = {
        name: KnowledgeArea.create(organization_id=acme.id, name=name, parent_id=None, now=NOW)
        for name in ("python", "sql")
    }
    outsider = member(globex, "otto", NOW)
    foreign_area = KnowledgeArea.create(
        organization_id=globex.id, name="python", parent_id=None, now=NOW
    )
    async with uows() as uow:
        await uow.organizations.add(acme)
        await uow.organizations.add(globex)
        uow.bind_organization(acme.id)
        for person in members.values():
            await uow.people.add(person)
        for area in areas.values():
            await uow.areas.add(area)
        await uow.roles.add(
            RoleAssignment(
                organization_id=acme.id,
                person_id=members["frida"].id,
                role=Role.ORG_FACULTY,
                started_at=NOW,
            )
        )
        await uow.commit()
    async with uows(globex.id) as uow:
        await uow.people.add(outsider)
        await uow.areas.add(foreign_area)
        await uow.commit()
    return World(uows, acme, members, areas, outsider, foreign_area)


async def propose(
    world: World,
    by: str,
    other: str,
    *,
    kind: RelationshipKind = STEWARDSHIP,
    side: Side = Side.LEADER,
    areas: Sequence[str] = (),
    review_on: date | None = None,
    message: str = "",
) -> Relationship:
    async with world.uow() as uow:
        relationship = await relationships.propose(
            uow,
            world.actor(by),
            kind=kind,
            other_person_id=world.id(other),
            side=side,
            knowledge_area_ids=[world.areas[a].id for a in areas],
            message=message,
            review_on=review_on,
            now=NOW,
        )
        await uow.commit()
    return relationship


async def accept(world: World, by: str, relationship_id: UUID) -> Relationship:
    async with world.uow() as uow:
        relationship = await relationships.accept(uow, world.actor(by), relationship_id, now=LATER)
        await uow.commit()
    return relationship


async def active(
    world: World,
    leader: str,
    follower: str,
    *,
    kind: RelationshipKind = STEWARDSHIP,
    areas: Sequence[str] = (),
    review_on: date | None = None,
) -> Relationship:
    """Proposed by the leader, accepted by the follower."""
    proposal = await propose(world, leader, follower, kind=kind, areas=areas, review_on=review_on)
    return await accept(world, follower, proposal.id)


async def stored(world: World, relationship_id: UUID) -> Relationship:
    async with world.uow() as uow:
        relationship = await uow.relationships.get(relationship_id)
    assert relationship is not None
    return relationship


async def areas_of(world: World, relationship_id: UUID) -> dict[str, bool]:
    """Area name -> whether it is active (its relationship is), for one mentorship."""
    names = {a.id: name for name, a in world.areas.items()}
    tables = world.uows.db.tables
    return {
        names[a.knowledge_area_id]: tables.relationships[a.relationship_id].is_active
        for a in tables.mentorship_areas.values()
        if a.relationship_id == relationship_id
    }


async def set_capacity(world: World, handle: str, kind: RelationshipKind, value: int) -> None:
    async with world.uow() as uow:
        await relationships.set_capacity(uow, world.actor(handle), kind=kind, value=value)
        await uow.commit()


# -- propose -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(RelationshipKind))
@pytest.mark.parametrize("side", list(Side))
async def test_propose_each_kind_from_either_side(
    world: World, kind: RelationshipKind, side: Side
) -> None:
    areas = ["python"] if kind is MENTORSHIP else []
    relationship = await propose(
        world, "ada", "bob", kind=kind, side=side, areas=areas, message="Shall we?"
    )
    leader, follower = ("ada", "bob") if side is Side.LEADER else ("bob", "ada")
    assert relationship.kind is kind
    assert relationship.status is RelationshipStatus.PROPOSED
    assert (relationship.leader_id, relationship.follower_id) == (
        world.id(leader),
        world.id(follower),
    )
    assert relationship.proposed_by_id == world.id("ada")
    assert relationship.organization_id == world.organization.id
    assert relationship.message == "Shall we?"
    assert relationship.replaces_id is None
    saved = await stored(world, relationship.id)
    assert saved.status is RelationshipStatus.PROPOSED
    assert world.notifications() == [("bob", NotificationKind.RELATIONSHIP_PROPOSED)]
    notification = next(iter(world.uows.db.tables.notifications.values()))
    assert notification.actor_id == world.id("ada")
    assert notification.relationship_id == relationship.id
    assert notification.organization_id == world.organization.id
    assert notification.read_at is None


async def test_propose_mentorship_stores_its_areas_inactive(world: World) -> None:
    relationship = await propose(
        world, "ada", "bob", kind=MENTORSHIP, areas=["python", "sql", "python"]
    )
    assert await areas_of(world, relationship.id) == {"python": False, "sql": False}
    area = next(iter(world.uows.db.tables.mentorship_areas.values()))
    assert (area.leader_id, area.follower_id) == (world.id("ada"), world.id("bob"))


async def test_propose_to_an_unknown_person(world: World) -> None:
    async with world.uow() as uow:
        for person_id in (uuid.uuid4(), world.outsider.id):
            with pytest.raises(NotFound):
                await relationships.propose(
                    uow,
                    world.actor("ada"),
                    kind=STEWARDSHIP,
                    other_person_id=person_id,
                    side=Side.LEADER,
                    now=NOW,
                )


async def test_propose_to_oneself(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await propose(world, "ada", "ada", kind=COACHING)
    assert caught.value.code == "SELF_RELATIONSHIP"


async def test_propose_to_someone_who_left(world: World) -> None:
    async with world.uow() as uow:
        await people.mark_left(uow, world.actor("frida"), world.id("bob"), now=NOW)
        await uow.commit()
    with pytest.raises(Conflict) as caught:
        await propose(world, "ada", "bob")
    assert (caught.value.code, caught.value.field) == ("PERSON_LEFT", "personId")
    with pytest.raises(Conflict) as caught:
        await propose(world, "bob", "ada")
    assert (caught.value.code, caught.value.field) == ("PERSON_LEFT", "viewer")


async def test_mentorship_needs_areas(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await propose(world, "ada", "bob", kind=MENTORSHIP)
    assert (caught.value.code, caught.value.field) == ("AREAS_REQUIRED", "knowledgeAreaIds")


@pytest.mark.parametrize("kind", [STEWARDSHIP, COACHING])
async def test_only_mentorship_has_areas(world: World, kind: RelationshipKind) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await propose(world, "ada", "bob", kind=kind, areas=["python"])
    assert caught.value.code == "AREAS_NOT_ALLOWED"


async def test_mentorship_in_an_unknown_area(world: World) -> None:
    async with world.uow() as uow:
        for area_id in (uuid.uuid4(), world.foreign_area.id):
            with pytest.raises(NotFound) as caught:
                await relationships.propose(
                    uow,
                    world.actor("ada"),
                    kind=MENTORSHIP,
                    other_person_id=world.id("bob"),
                    side=Side.LEADER,
                    knowledge_area_ids=[world.areas["python"].id, area_id],
                    now=NOW,
                )
            assert caught.value.kind == "KnowledgeArea"
    assert world.uows.db.tables.relationships == {}


@pytest.mark.parametrize("kind", list(RelationshipKind))
async def test_duplicate_proposal(world: World, kind: RelationshipKind) -> None:
    areas = ["python"] if kind is MENTORSHIP else []
    first = await propose(world, "ada", "bob", kind=kind, areas=areas)
    with pytest.raises(Duplicate) as caught:
        await propose(world, "ada", "bob", kind=kind, areas=areas)
    assert (caught.value.code, caught.value.existing_id) == ("DUPLICATE_PROPOSAL", first.id)
    # The same relationship asked for from the other side is the same proposal.
    with pytest.raises(Duplicate) as caught:
        await propose(world, "bob", "ada", kind=kind, side=Side.FOLLOWER, areas=areas)
    assert (caught.value.code, caught.value.existing_id) == ("DUPLICATE_PROPOSAL", first.id)
    # The other direction is another relationship.
    await propose(world, "bob", "ada", kind=kind, areas=areas)


@pytest.mark.parametrize("kind", [STEWARDSHIP, MENTORSHIP])
async def test_the_fakes_refuse_a_repeated_open_proposal_like_the_indexes(
    world: World, kind: RelationshipKind
) -> None:
    """What the service's check would have refused, had a concurrent request
    made the first proposal after it: the repository refuses it too (the
    SQL one through its unique indexes), naming the first."""
    areas = ["python"] if kind is MENTORSHIP else []
    first = await propose(world, "ada", "bob", kind=kind, areas=areas)
    repeat = Relationship.propose(
        organization_id=world.organization.id,
        kind=kind,
        leader_id=world.id("ada"),
        follower_id=world.id("bob"),
        proposed_by_id=world.id("bob"),
        message="",
        review_on=None,
        replaces_id=None,
        now=LATER,
    )
    area = MentorshipArea(
        organization_id=world.organization.id,
        relationship_id=repeat.id,
        knowledge_area_id=world.areas["python"].id,
        leader_id=world.id("ada"),
        follower_id=world.id("bob"),
    )

    async def add() -> None:
        async with world.uow() as uow:
            await uow.relationships.add(repeat)
            await uow.relationships.add_areas([area] if areas else [])

    with pytest.raises(Duplicate) as caught:
        await add()
    assert caught.value.existing_id == first.id


async def test_mentorships_in_other_areas_are_not_duplicates(world: World) -> None:
    await propose(world, "ada", "bob", kind=MENTORSHIP, areas=["python"])
    await propose(world, "ada", "bob", kind=MENTORSHIP, areas=["sql"])
    with pytest.raises(Conflict) as caught:
        await propose(world, "ada", "bob", kind=MENTORSHIP, areas=["sql", "python"])
    assert caught.value.code == "DUPLICATE_PROPOSAL"


@pytest.mark.parametrize("kind", list(RelationshipKind))
async def test_propose_what_is_already_active(world: World, kind: RelationshipKind) -> None:
    areas = ["python"] if kind is MENTORSHIP else []
    await active(world, "ada", "bob", kind=kind, areas=areas)
    for by, other, side in (("ada", "bob", Side.LEADER), ("bob", "ada", Side.FOLLOWER)):
        with pytest.raises(Conflict) as caught:
            await propose(world, by, other, kind=kind, side=side, areas=areas)
        assert caught.value.code == "ALREADY_ACTIVE"


async def test_propose_a_new_steward_replaces_the_current_one(world: World) -> None:
    current = await active(world, "ada", "cy")
    proposal = await propose(world, "bob", "cy")
    assert proposal.replaces_id == current.id
    asked = await propose(world, "cy", "dee", side=Side.FOLLOWER)
    assert asked.replaces_id == current.id


@pytest.mark.parametrize(
    ("kind", "limit"), [(STEWARDSHIP, "STEWARDEE_CAPACITY"), (MENTORSHIP, "MENTEE_CAPACITY")]
)
async def test_propose_to_a_leader_at_capacity(
    world: World, kind: RelationshipKind, limit: str
) -> None:
    areas = ["python"] if kind is MENTORSHIP else []
    await set_capacity(world, "ada", kind, 1)
    await active(world, "ada", "bob", kind=kind, areas=areas)
    for by, other, side in (("ada", "cy", Side.LEADER), ("cy", "ada", Side.FOLLOWER)):
        with pytest.raises(LimitExceeded) as caught:
            await propose(world, by, other, kind=kind, side=side, areas=areas)
        assert (caught.value.limit, caught.value.value) == (limit, 1)
    await propose(world, "bob", "cy", kind=kind, areas=areas)  # others have room


async def test_the_organization_default_capacity_applies(world: World) -> None:
    async with world.uow() as uow:
        organization = await uow.organizations.get(world.organization.id)
        assert organization is not None
        organization.default_mentee_capacity = 0
        await uow.commit()
    with pytest.raises(LimitExceeded) as caught:
        await propose(world, "ada", "bob", kind=MENTORSHIP, areas=["python"])
    assert (caught.value.limit, caught.value.value) == ("MENTEE_CAPACITY", 0)
    await set_capacity(world, "ada", MENTORSHIP, 1)
    await propose(world, "ada", "bob", kind=MENTORSHIP, areas=["python"])


async def test_coaching_has_no_capacity(world: World) -> None:
    async with world.uow() as uow:
        organization = await uow.organizations.get(world.organization.id)
        assert organization is not None
        organization.default_stewardee_capacity = 0
        organization.default_mentee_capacity = 0
        await uow.commit()
    for follower in ("bob", "cy", "dee"):
        await active(world, "ada", follower, kind=COACHING)
    async with world.uow() as uow:
        assert await uow.relationships.count_active_led(world.id("ada"), COACHING) == 3


# -- accept --------------------------------------------------------------------------


async def test_accept(world: World) -> None:
    proposal = await propose(world, "ada", "bob", review_on=NEXT_MONTH)
    world.clear_notifications()
    world.uows.db.person_locks.clear()
    relationship = await accept(world, "bob", proposal.id)
    assert relationship.status is RelationshipStatus.ACTIVE
    assert relationship.started_at == LATER
    assert (await stored(world, proposal.id)).is_active
    assert world.notifications() == [("ada", NotificationKind.RELATIONSHIP_ACCEPTED)]
    assert world.uows.db.person_locks == [sorted([world.id("ada"), world.id("bob")])]
    async with world.uow() as uow:
        current = await uow.relationships.active_stewardship_of(world.id("bob"))
        assert current is not None
        assert current.id == proposal.id


async def test_accept_a_request_to_lead(world: World) -> None:
    proposal = await propose(world, "bob", "ada", side=Side.FOLLOWER)
    world.clear_notifications()
    relationship = await accept(world, "ada", proposal.id)
    assert relationship.is_active
    assert relationship.leader_id == world.id("ada")
    assert world.notifications() == [("bob", NotificationKind.RELATIONSHIP_ACCEPTED)]


async def test_accept_a_mentorship_activates_its_areas(world: World) -> None:
    proposal = await propose(world, "ada", "bob", kind=MENTORSHIP, areas=["python", "sql"])
    await accept(world, "bob", proposal.id)
    assert await areas_of(world, proposal.id) == {"python": True, "sql": True}
    async with world.uow() as uow:
        covered = await uow.relationships.active_mentorship_areas(world.id("ada"), world.id("bob"))
    assert covered == {world.areas["python"].id, world.areas["sql"].id}


async def test_third_person_cannot_see_a_proposal(world: World) -> None:
    proposal = await propose(world, "ada", "bob")
    for action in (relationships.accept, relationships.decline, relationships.withdraw):
        async with world.uow() as uow:
            with pytest.raises(NotFound) as caught:
                await action(uow, world.actor("cy"), proposal.id, now=LATER)
        assert caught.value.kind == "Relationship"
    assert (await stored(world, proposal.id)).status is RelationshipStatus.PROPOSED


async def test_unknown_or_foreign_relationship(world: World) -> None:
    outsider = Actor(person_id=world.outsider.id, organization_id=world.outsider.organization_id)
    proposal = await propose(world, "ada", "bob")
    async with world.uows(world.outsider.organization_id) as uow:
        with pytest.raises(NotFound):
            await relationships.accept(uow, outsider, proposal.id, now=LATER)
    async with world.uow() as uow:
        with pytest.raises(NotFound):
            await relationships.accept(uow, world.actor("bob"), uuid.uuid4(), now=LATER)


async def test_proposer_cannot_accept_own_proposal(world: World) -> None:
    proposal = await propose(world, "ada", "bob")
    with pytest.raises(PermissionDenied) as caught:
        await accept(world, "ada", proposal.id)
    assert caught.value.code == "OWN_PROPOSAL"
    assert (await stored(world, proposal.id)).status is RelationshipStatus.PROPOSED


async def test_accept_twice(world: World) -> None:
    relationship = await active(world, "ada", "bob")
    with pytest.raises(Conflict) as caught:
        await accept(world, "bob", relationship.id)
    assert caught.value.code == "NOT_PROPOSED"


@pytest.mark.parametrize("kind", [STEWARDSHIP, MENTORSHIP])
async def test_accept_up_to_capacity(world: World, kind: RelationshipKind) -> None:
    """Capacity 1 and nobody led yet: the first acceptance fits exactly."""
    areas = ["python"] if kind is MENTORSHIP else []
    await set_capacity(world, "ada", kind, 1)
    proposal = await propose(world, "ada", "bob", kind=kind, areas=areas)
    relationship = await accept(world, "bob", proposal.id)
    assert relationship.is_active
    async with world.uow() as uow:
        assert await uow.relationships.count_active_led(world.id("ada"), kind) == 1


@pytest.mark.parametrize(
    ("kind", "limit"), [(STEWARDSHIP, "STEWARDEE_CAPACITY"), (MENTORSHIP, "MENTEE_CAPACITY")]
)
async def test_capacity_reached_at_acceptance(
    world: World, kind: RelationshipKind, limit: str
) -> None:
    areas = ["python"] if kind is MENTORSHIP else []
    await set_capacity(world, "ada", kind, 1)
    first = await propose(world, "ada", "bob", kind=kind, areas=areas)
    second = await propose(world, "cy", "ada", kind=kind, side=Side.FOLLOWER, areas=areas)
    await accept(world, "bob", first.id)
    with pytest.raises(LimitExceeded) as caught:
        await accept(world, "ada", second.id)
    assert (caught.value.limit, caught.value.value) == (limit, 1)
    saved = await stored(world, second.id)
    assert saved.status is RelationshipStatus.PROPOSED
    assert await areas_of(world, second.id) == ({"python": False} if areas else {})


async def test_accept_after_someone_left(world: World) -> None:
    proposal = await propose(world, "ada", "bob")
    async with world.uow() as uow:  # left without the proposals closing (a race)
        ada = await uow.people.get(world.id("ada"))
        assert ada is not None
        ada.mark_left(NOW)
        await uow.commit()
    with pytest.raises(Conflict) as caught:
        await accept(world, "bob", proposal.id)
    assert caught.value.code == "PERSON_LEFT"


@pytest.mark.parametrize(
    ("proposer", "responder", "side"),
    [
        # The new steward offers; the person accepts.
        ("bob", "cy", Side.LEADER),
        # The person asks; the new steward accepts.
        ("cy", "bob", Side.FOLLOWER),
    ],
)
async def test_stewardship_handover(
    world: World, proposer: str, responder: str, side: Side
) -> None:
    old = await active(world, "ada", "cy")
    proposal = await propose(world, proposer, "cy" if proposer == "bob" else "bob", side=side)
    assert proposal.replaces_id == old.id
    world.clear_notifications()
    flushes = world.uows.db.flushes
    new = await accept(world, responder, proposal.id)
    assert new.status is RelationshipStatus.ACTIVE
    ended = await stored(world, old.id)
    assert ended.status is RelationshipStatus.ENDED
    assert ended.end_reason is EndReason.HANDED_OVER
    assert ended.ended_at == LATER
    assert ended.ended_by_id == world.id(responder)
    assert world.uows.db.flushes > flushes
    # The person and both stewards hear of it once each (whoever accepted),
    # about the new stewardship; nobody gets an acceptance besides.
    assert world.notifications() == [
        (h, NotificationKind.STEWARDSHIP_HANDED_OVER) for h in ("cy", "ada", "bob")
    ]
    notices = world.uows.db.tables.notifications.values()
    assert {(n.relationship_id, n.actor_id) for n in notices} == {(new.id, world.id(responder))}
    async with world.uow() as uow:
        current = await uow.relationships.active_stewardship_of(world.id("cy"))
        assert current is not None
        assert current.id == new.id
        assert await uow.relationships.count_active_led(world.id("ada"), STEWARDSHIP) == 0
    assert (
        sum(
            r.is_active and r.kind is STEWARDSHIP and r.follower_id == world.id("cy")
            for r in world.uows.db.tables.relationships.values()
        )
        == 1
    )


async def test_handover_to_a_steward_at_capacity(world: World) -> None:
    old = await active(world, "ada", "cy")
    proposal = await propose(world, "bob", "cy")
    await set_capacity(world, "bob", STEWARDSHIP, 0)
    with pytest.raises(LimitExceeded):
        await accept(world, "cy", proposal.id)
    assert (await stored(world, old.id)).is_active  # nothing was handed over


async def test_stewardship_changed_since_the_proposal(world: World) -> None:
    from_ada = await propose(world, "ada", "cy")
    from_bob = await propose(world, "bob", "cy")
    await accept(world, "cy", from_bob.id)
    with pytest.raises(Conflict) as caught:
        await accept(world, "cy", from_ada.id)
    assert caught.value.code == "STEWARDSHIP_CHANGED"
    assert (await stored(world, from_ada.id)).status is RelationshipStatus.PROPOSED
    assert (await stored(world, from_bob.id)).is_active


async def test_stewardship_ended_since_the_handover_was_proposed(world: World) -> None:
    old = await active(world, "ada", "cy")
    handover = await propose(world, "bob", "cy")
    async with world.uow() as uow:
        await relationships.end(
            uow, world.actor("cy"), old.id, reason="Time to move on.", now=LATER
        )
        await uow.commit()
    with pytest.raises(Conflict) as caught:
        await accept(world, "cy", handover.id)
    assert caught.value.code == "STEWARDSHIP_CHANGED"
    # A proposal made while nobody stewarded still fits while nobody does.
    fresh = await propose(world, "dee", "cy")
    assert fresh.replaces_id is None
    assert (await accept(world, "cy", fresh.id)).is_active


async def test_mentorship_in_an_area_covered_meanwhile(world: World) -> None:
    proposal = await propose(world, "ada", "bob", kind=MENTORSHIP, areas=["python", "sql"])
    # Another transaction made a mentorship in "python" active meanwhile.
    async with world.uow() as uow:
        other = Relationship(
            organization_id=world.organization.id,
            kind=MENTORSHIP,
            leader_id=world.id("ada"),
            follower_id=world.id("bob"),
            proposed_by_id=world.id("bob"),
            proposed_at=NOW,
            status=RelationshipStatus.ACTIVE,
            started_at=NOW,
        )
        await uow.relationships.add(other)
        await uow.relationships.add_areas(
            [
                MentorshipArea(
                    organization_id=world.organization.id,
                    relationship_id=other.id,
                    knowledge_area_id=world.areas["python"].id,
                    leader_id=world.id("ada"),
                    follower_id=world.id("bob"),
                    status=RelationshipStatus.ACTIVE,
                )
            ]
        )
        await uow.commit()
    with pytest.raises(Conflict) as caught:
        await accept(world, "bob", proposal.id)
    assert caught.value.code == "ALREADY_ACTIVE"
    assert await areas_of(world, proposal.id) == {"python": False, "sql": False}


# -- decline, withdraw ---------------------------------------------------------------


async def test_decline(world: World) -> None:
    proposal = await propose(world, "ada", "bob", kind=COACHING)
    world.clear_notifications()
    async with world.uow() as uow:
        with pytest.raises(PermissionDenied) as caught:
            await relationships.decline(uow, world.actor("ada"), proposal.id, now=LATER)
        assert caught.value.code == "OWN_PROPOSAL"
        declined = await relationships.decline(
            uow, world.actor("bob"), proposal.id, reason="Not now.", now=LATER
        )
        await uow.commit()
    assert declined.status is RelationshipStatus.DECLINED
    saved = await stored(world, proposal.id)
    assert (saved.responded_at, saved.closed_at, saved.decline_reason) == (
        LATER,
        LATER,
        "Not now.",
    )
    assert world.notifications() == [("ada", NotificationKind.RELATIONSHIP_DECLINED)]
    await propose(world, "ada", "bob", kind=COACHING)  # no longer open: may ask again


async def test_withdraw(world: World) -> None:
    proposal = await propose(world, "ada", "bob", kind=MENTORSHIP, areas=["sql"])
    world.clear_notifications()
    async with world.uow() as uow:
        with pytest.raises(PermissionDenied) as caught:
            await relationships.withdraw(uow, world.actor("bob"), proposal.id, now=LATER)
        assert caught.value.code == "NOT_PROPOSER"
        withdrawn = await relationships.withdraw(uow, world.actor("ada"), proposal.id, now=LATER)
        await uow.commit()
    assert withdrawn.status is RelationshipStatus.WITHDRAWN
    assert (await stored(world, proposal.id)).closed_at == LATER
    assert world.notifications() == [("bob", NotificationKind.RELATIONSHIP_WITHDRAWN)]
    await propose(world, "ada", "bob", kind=MENTORSHIP, areas=["sql"])


async def test_withdraw_an_accepted_relationship(world: World) -> None:
    relationship = await active(world, "ada", "bob")
    async with world.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await relationships.withdraw(uow, world.actor("ada"), relationship.id, now=LATER)
    assert caught.value.code == "NOT_PROPOSED"


# -- end, renew -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "other", "reason"),
    [("ada", "bob", EndReason.ENDED_BY_LEADER), ("bob", "ada", EndReason.ENDED_BY_FOLLOWER)],
)
async def test_end(world: World, by: str, other: str, reason: EndReason) -> None:
    relationship = await active(world, "ada", "bob", kind=MENTORSHIP, areas=["python"])
    world.clear_notifications()
    async with world.uow() as uow:
        ended = await relationships.end(
            uow, world.actor(by), relationship.id, reason="Done, thanks!", now=LATER
        )
        await uow.commit()
    assert ended.status is RelationshipStatus.ENDED
    assert (ended.end_reason, ended.end_note, ended.ended_by_id) == (
        reason,
        "Done, thanks!",
        world.id(by),
    )
    assert await areas_of(world, relationship.id) == {"python": False}
    assert world.notifications() == [(other, NotificationKind.RELATIONSHIP_ENDED)]
    async with world.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await relationships.end(
                uow, world.actor(by), relationship.id, reason="Time to move on.", now=LATER
            )
    assert caught.value.code == "NOT_ACTIVE"
    # The area is free again.
    again = await active(world, "ada", "bob", kind=MENTORSHIP, areas=["python"])
    assert await areas_of(world, again.id) == {"python": True}


async def test_end_by_a_third_person(world: World) -> None:
    relationship = await active(world, "ada", "bob")
    async with world.uow() as uow:
        with pytest.raises(NotFound):
            await relationships.end(
                uow, world.actor("cy"), relationship.id, reason="Time to move on.", now=LATER
            )
    assert (await stored(world, relationship.id)).is_active


async def test_renew(world: World) -> None:
    relationship = await active(world, "ada", "bob", review_on=TODAY + timedelta(days=1))
    world.clear_notifications()
    async with world.uow() as uow:
        stored_one = await uow.relationships.get(relationship.id)
        assert stored_one is not None
        stored_one.review_reminded_on = TODAY + timedelta(days=1)
        renewed = await relationships.renew(
            uow, world.actor("bob"), relationship.id, review_on=NEXT_MONTH, now=LATER
        )
        await uow.commit()
    assert renewed.review_on == NEXT_MONTH
    assert renewed.review_reminded_on is None
    assert world.notifications() == [("ada", NotificationKind.RELATIONSHIP_RENEWED)]
    async with world.uow() as uow:
        with pytest.raises(ValidationFailed) as invalid:
            await relationships.renew(
                uow, world.actor("ada"), relationship.id, review_on=TODAY, now=LATER
            )
        assert invalid.value.code == "REVIEW_DATE_PAST"
        with pytest.raises(NotFound):
            await relationships.renew(
                uow, world.actor("cy"), relationship.id, review_on=NEXT_MONTH, now=LATER
            )


# -- capacity settings ---------------------------------------------------------------


async def test_set_capacity(world: World) -> None:
    world.uows.db.person_locks.clear()
    async with world.uow() as uow:
        person = await relationships.set_capacity(
            uow, world.actor("ada"), kind=STEWARDSHIP, value=2
        )
        await relationships.set_capacity(uow, world.actor("ada"), kind=MENTORSHIP, value=0)
        await uow.commit()
    assert person.stewardee_capacity == 2
    assert world.uows.db.person_locks == [[world.id("ada")]] * 2
    async with world.uow() as uow:
        ada = await uow.people.get(world.id("ada"))
    assert ada is not None
    assert (ada.stewardee_capacity, ada.mentee_capacity) == (2, 0)


async def test_set_capacity_below_current_load(world: World) -> None:
    await active(world, "ada", "bob")
    await active(world, "ada", "cy")
    with pytest.raises(ValidationFailed) as caught:
        await set_capacity(world, "ada", STEWARDSHIP, 1)
    assert caught.value.code == "CAPACITY_BELOW_LOAD"
    await set_capacity(world, "ada", STEWARDSHIP, 2)
    await set_capacity(world, "ada", MENTORSHIP, 0)  # other kinds have their own load


@pytest.mark.parametrize("value", [-1, 51])
async def test_set_capacity_out_of_range(world: World, value: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await set_capacity(world, "ada", MENTORSHIP, value)
    assert caught.value.code == "OUT_OF_RANGE"
    await set_capacity(world, "ada", MENTORSHIP, 50)


async def test_set_capacity_for_coaching(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await set_capacity(world, "ada", COACHING, 3)
    assert caught.value.code == "NO_CAPACITY_FOR_KIND"


async def test_set_capacity_after_leaving(world: World) -> None:
    async with world.uow() as uow:
        await people.mark_left(uow, world.actor("frida"), world.id("ada"), now=NOW)
        with pytest.raises(Conflict) as caught:
            await relationships.set_capacity(uow, world.actor("ada"), kind=STEWARDSHIP, value=1)
    assert caught.value.code == "PERSON_LEFT"


# -- review reminders -----------------------------------------------------------------


async def remind(world: World, on: date) -> int:
    async with world.uow() as uow:
        count = await relationships.send_review_reminders(
            uow, now=datetime.combine(on, NOW.timetz())
        )
        await uow.commit()
    return count


async def test_review_reminders(world: World) -> None:
    review_on = TODAY + timedelta(days=7)
    relationship = await active(world, "ada", "bob", review_on=review_on)
    await propose(world, "ada", "cy", review_on=review_on)  # not active: never reminded
    ended = await active(world, "dee", "cy", kind=COACHING, review_on=review_on)
    async with world.uow() as uow:
        await relationships.end(
            uow, world.actor("dee"), ended.id, reason="Time to move on.", now=LATER
        )
        await uow.commit()
    world.clear_notifications()

    assert await remind(world, review_on - timedelta(days=1)) == 0
    assert await remind(world, review_on) == 1
    assert sorted(world.notifications()) == [
        ("ada", NotificationKind.RELATIONSHIP_REVIEW_DUE),
        ("bob", NotificationKind.RELATIONSHIP_REVIEW_DUE),
    ]
    assert all(n.actor_id is None for n in world.uows.db.tables.notifications.values())
    assert (await stored(world, relationship.id)).review_reminded_on == review_on
    # Once per review date, however often the job runs.
    assert await remind(world, review_on) == 0
    assert await remind(world, review_on + timedelta(days=3)) == 0
    assert len(world.notifications()) == 2

    # Renewing re-arms it for the new date.
    new_date = review_on + timedelta(days=30)
    async with world.uow() as uow:
        await relationships.renew(
            uow,
            world.actor("ada"),
            relationship.id,
            review_on=new_date,
            now=datetime.combine(review_on + timedelta(days=3), NOW.timetz()),
        )
        await uow.commit()
    world.clear_notifications()
    assert await remind(world, new_date - timedelta(days=1)) == 0
    assert await remind(world, new_date + timedelta(days=2)) == 1
    assert len(world.notifications()) == 2
    assert await remind(world, new_date + timedelta(days=3)) == 0


async def test_due_for_review_of_a_late_job(world: World) -> None:
    """A reminder sent for an earlier date does not count for a later one."""
    relationship = await active(world, "ada", "bob", review_on=NEXT_MONTH)
    async with world.uow() as uow:
        saved = await uow.relationships.get(relationship.id)
        assert saved is not None
        saved.review_reminded_on = NEXT_MONTH - timedelta(days=1)
        assert [r.id for r in await uow.relationships.due_for_review(NEXT_MONTH)] == [saved.id]
        assert await uow.relationships.due_for_review(NEXT_MONTH - timedelta(days=1)) == []


# -- someone leaves --------------------------------------------------------------------


async def test_leaving_closes_relationships(world: World) -> None:
    stewardship = await active(world, "ada", "bob")
    mentorship = await active(world, "bob", "cy", kind=MENTORSHIP, areas=["python"])
    offered = await propose(world, "bob", "dee", kind=COACHING)
    asked = await propose(world, "dee", "bob", kind=MENTORSHIP, side=Side.FOLLOWER, areas=["sql"])
    unrelated = await active(world, "ada", "cy", kind=COACHING)
    world.clear_notifications()
    async with world.uow() as uow:
        await people.mark_left(uow, world.actor("frida"), world.id("bob"), now=LATER)
        await uow.commit()

    for relationship_id in (stewardship.id, mentorship.id):
        closed = await stored(world, relationship_id)
        assert closed.status is RelationshipStatus.ENDED
        assert closed.end_reason is EndReason.PERSON_LEFT
        assert closed.ended_at == LATER
        assert closed.ended_by_id == world.id("frida")
    assert await areas_of(world, mentorship.id) == {"python": False}
    for relationship_id in (offered.id, asked.id):
        lapsed = await stored(world, relationship_id)
        assert lapsed.status is RelationshipStatus.WITHDRAWN
        assert lapsed.responded_at == lapsed.closed_at == LATER
    assert (await stored(world, unrelated.id)).is_active
    assert sorted(world.notifications()) == [
        ("ada", NotificationKind.RELATIONSHIP_ENDED),
        ("cy", NotificationKind.RELATIONSHIP_ENDED),
    ]
    async with world.uow() as uow:
        assert await uow.relationships.open_involving(world.id("bob")) == []
        assert await uow.people.get(world.id("bob")) is not None
        person = await uow.people.get(world.id("bob"))
        assert person is not None
        assert person.status is PersonStatus.LEFT


# -- the fakes -------------------------------------------------------------------------


def _port_methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(protocol).items()
        if callable(member) and (not name.startswith("_") or name in ("__aenter__", "__aexit__"))
    }


async def test_the_fakes_implement_every_port(world: World) -> None:
    """Ports grow; a fake that lags behind fails here, not in some use case."""
    async with world.uow() as uow:
        pairs: list[tuple[type, object]] = [(ports.UnitOfWork, uow)]
        for name, protocol in typing.get_type_hints(ports.UnitOfWork).items():
            pairs.append((protocol, getattr(uow, name)))
        for protocol, fake in pairs:
            for name, signature in _port_methods(protocol).items():
                implementation = getattr(fake, name, None)
                assert implementation is not None, f"{type(fake).__name__} lacks {name}"
                expected = [(p.name, p.kind, p.default) for p in signature.parameters.values()]
                actual = [
                    (p.name, p.kind, p.default)
                    for p in inspect.signature(implementation).parameters.values()
                ]
                assert actual == expected[1:], f"{type(fake).__name__}.{name}"


async def test_relationships_stay_in_their_organization(world: World) -> None:
    relationship = await propose(world, "ada", "bob")
    async with world.uows(world.outsider.organization_id) as uow:
        assert await uow.relationships.get(relationship.id) is None
        assert await uow.relationships.open_involving(world.id("ada")) == []
        assert await uow.relationships.area_ids(relationship.id) == []
        with pytest.raises(RuntimeError):
            await uow.relationships.add(relationship)
        with pytest.raises(RuntimeError):
            await uow.notifications.add(
                Notification(
                    organization_id=world.organization.id,
                    recipient_id=world.id("ada"),
                    kind=NotificationKind.RELATIONSHIP_PROPOSED,
                    created_at=NOW,
                )
            )


async def test_relationship_changes_roll_back(world: World) -> None:
    proposal = await propose(world, "ada", "bob", kind=MENTORSHIP, areas=["python"])
    async with world.uow() as uow:
        await relationships.accept(uow, world.actor("bob"), proposal.id, now=LATER)
    assert (await stored(world, proposal.id)).status is RelationshipStatus.PROPOSED
    assert await areas_of(world, proposal.id) == {"python": False}
    assert world.notifications() == [("bob", NotificationKind.RELATIONSHIP_PROPOSED)]


async def test_mark_notifications_read(world: World) -> None:
    first = await propose(world, "ada", "bob")
    await propose(world, "cy", "bob", kind=COACHING)
    await propose(world, "bob", "ada", kind=COACHING)  # ada's
    await accept(world, "bob", first.id)  # ada's
    async with world.uow() as uow:
        bobs = [n.id for n in world.uows.db.tables.notifications.values()]
        assert await uow.notifications.mark_read(world.id("bob"), bobs, LATER) == 2
        assert await uow.notifications.mark_read(world.id("bob"), None, LATER) == 0
        assert await uow.notifications.mark_read(world.id("ada"), [], LATER) == 0
        assert await uow.notifications.mark_read(world.id("ada"), None, LATER) == 2
        await uow.commit()
    assert all(n.read_at == LATER for n in world.uows.db.tables.notifications.values())
