"""Self-service mentoring use cases (domain/services/mentoring.py) on the
in-memory unit of work: offering, the mentor profile, learning wishes and
asking a mentor; the fulfilment of wishes when a mentorship is accepted
(domain/services/relationships.py `accept`); and the area neighbourhood a
wish draws mentors from (domain.matching.area_distances).

A refused call is checked inside its own unit of work, so "nothing changed"
is the use case's doing and not the rollback's."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.availability import Window
from domain.errors import Conflict, LimitExceeded, NotFound, ValidationFailed
from domain.goals import AutonomyStage, Goal
from domain.knowledge_areas import KnowledgeArea
from domain.matching import area_distances
from domain.mentoring import (
    LearningWish,
    MentorOffer,
    MentorProfile,
    OfferStatus,
    WishStatus,
)
from domain.notifications import NotificationKind
from domain.organizations import Organization
from domain.people import Person
from domain.relationships import (
    Relationship,
    RelationshipKind,
    RelationshipStatus,
    Side,
)
from domain.services import mentoring, relationships
from tests.unit.fakes import FakeUnitOfWorkFactory
from tests.unit.world import OrgWorld, member, relate

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
LATEST = NOW + timedelta(hours=2)

MENTORSHIP = RelationshipKind.MENTORSHIP

MONDAY_MORNING = Window(0, 9 * 60, 12 * 60)
FRIDAY_MORNING = Window(4, 9 * 60, 11 * 60)
BACKWARDS = Window(0, 12 * 60, 9 * 60)
OVERLAPPING = [Window(0, 9 * 60, 12 * 60), Window(0, 11 * 60, 13 * 60)]


# -- area_distances ---------------------------------------------------------------

# root
# ├── eng
# │   ├── backend
# │   │   ├── python
# │   │   │   ├── django
# │   │   │   │   └── orm
# │   │   │   └── asyncio
# │   │   └── sql
# │   └── frontend
# │       └── css
# └── design
# lonely (a root of its own, without children)
PARENTS: dict[str, str | None] = {
    "root": None,
    "eng": "root",
    "design": "root",
    "backend": "eng",
    "frontend": "eng",
    "python": "backend",
    "sql": "backend",
    "css": "frontend",
    "django": "python",
    "asyncio": "python",
    "orm": "django",
    "lonely": None,
}
AREA_IDS = {name: uuid.uuid5(uuid.NAMESPACE_URL, f"area:{name}") for name in PARENTS}
AREA_NAMES = {area_id: name for name, area_id in AREA_IDS.items()}
TREE: dict[UUID, UUID | None] = {
    AREA_IDS[child]: None if parent is None else AREA_IDS[parent]
    for child, parent in PARENTS.items()
}


def distances_from(name: str, tree: Mapping[UUID, UUID | None] = TREE) -> dict[str, int]:
    return {AREA_NAMES[a]: d for a, d in area_distances(tree, AREA_IDS[name]).items()}


def test_distances_from_an_inner_area() -> None:
    assert distances_from("python") == {
        "python": 0,
        "backend": 1,
        "django": 1,
        "asyncio": 1,
        "eng": 2,
        "root": 3,
    }


def test_siblings_cousins_and_grandchildren_are_left_out() -> None:
    found = distances_from("python")
    for name in ("sql", "frontend", "css", "design", "orm", "lonely"):
        assert name not in found, name


def test_distances_from_a_deep_leaf_climb_to_the_root() -> None:
    assert distances_from("orm") == {
        "orm": 0,
        "django": 1,
        "python": 2,
        "backend": 3,
        "eng": 4,
        "root": 5,
    }


def test_a_leaf_has_only_its_ancestors() -> None:
    assert distances_from("sql") == {"sql": 0, "backend": 1, "eng": 2, "root": 3}


def test_a_root_has_only_its_children() -> None:
    assert distances_from("root") == {"root": 0, "eng": 1, "design": 1}


def test_a_root_without_children_is_alone() -> None:
    assert distances_from("lonely") == {"lonely": 0}


def test_an_unknown_area_is_only_itself() -> None:
    unknown = uuid.uuid4()
    assert area_distances(TREE, unknown) == {unknown: 0}
    assert area_distances({}, unknown) == {unknown: 0}


def test_the_tree_is_not_changed() -> None:
    before = dict(TREE)
    distances_from("orm")
    assert before == TREE


# -- use cases: a world to run them in ---------------------------------------------


@dataclass
class World(OrgWorld):
    """Acme with ada (who wants to learn), bob and cy (mentors), dee, and
    knowledge areas; Globex, whose area and goal must stay out of reach."""

    areas: dict[str, KnowledgeArea]
    outsider: Person
    foreign_area: KnowledgeArea

    def area(self, name: str) -> UUID:
        return self.areas[name].id


@pytest.fixture
async def world() -> World:
    uows = FakeUnitOfWorkFactory()
    acme = Organization.create(name="Acme", slug="acme", now=NOW)
    globex = Organization.create(name="Globex", slug="globex", now=NOW)
    members = {h: member(acme, h, NOW) for h in ("ada", "bob", "cy", "dee")}
    areas = {
        name: KnowledgeArea.create(organization_id=acme.id, name=name, parent_id=None, now=NOW)
        for name in ("python", "sql", "design")
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
        await uow.commit()
    async with uows(globex.id) as uow:
        await uow.people.add(outsider)
        await uow.areas.add(foreign_area)
        await uow.commit()
    return World(uows, acme, members, areas, outsider, foreign_area)


async def offer(world: World, mentor: str, area: str, *, proficiency: int = 4) -> MentorOffer:
    async with world.uow() as uow:
        created = await mentoring.offer(
            uow,
            world.actor(mentor),
            knowledge_area_id=world.area(area),
            proficiency=proficiency,
            note="Happy to help.",
            now=NOW,
        )
        await uow.commit()
    return created


async def pause(world: World, mentor: str, offer_id: UUID) -> None:
    async with world.uow() as uow:
        found = await mentoring.own_offer(uow, world.actor(mentor), offer_id)
        found.set_paused(True, LATER)
        await uow.commit()


async def withdraw_offer(world: World, mentor: str, offer_id: UUID) -> None:
    async with world.uow() as uow:
        found = await mentoring.own_offer(uow, world.actor(mentor), offer_id)
        found.withdraw(LATER)
        await uow.commit()


async def set_profile(
    world: World,
    handle: str,
    *,
    accepting: bool | None = None,
    availability: Sequence[Window] | None = None,
    now: datetime = NOW,
) -> MentorProfile:
    async with world.uow() as uow:
        profile = await mentoring.set_profile(
            uow, world.actor(handle), accepting=accepting, availability=availability, now=now
        )
        await uow.commit()
    return profile


async def wish(
    world: World,
    handle: str,
    area: str,
    *,
    current: int = 1,
    desired: int = 3,
    availability: Sequence[Window] = (),
    goal_id: UUID | None = None,
) -> LearningWish:
    async with world.uow() as uow:
        created = await mentoring.wish(
            uow,
            world.actor(handle),
            knowledge_area_id=world.area(area),
            current=current,
            desired=desired,
            availability=availability,
            goal_id=goal_id,
            now=NOW,
        )
        await uow.commit()
    return created


async def withdraw_wish(world: World, handle: str, wish_id: UUID) -> LearningWish:
    async with world.uow() as uow:
        found = await mentoring.withdraw_wish(uow, world.actor(handle), wish_id, now=LATER)
        await uow.commit()
    return found


async def ask(
    world: World, handle: str, wish_id: UUID, mentor: str, *, message: str = ""
) -> Relationship:
    async with world.uow() as uow:
        proposal = await mentoring.ask_mentor(
            uow,
            world.actor(handle),
            wish_id,
            mentor_id=world.id(mentor),
            message=message,
            now=NOW,
        )
        await uow.commit()
    return proposal


async def answer(world: World, handle: str, relationship_id: UUID, *, yes: bool) -> None:
    async with world.uow() as uow:
        if yes:
            await relationships.accept(uow, world.actor(handle), relationship_id, now=LATER)
        else:
            await relationships.decline(uow, world.actor(handle), relationship_id, now=LATER)
        await uow.commit()


def stored_wish(world: World, wish_id: UUID) -> LearningWish:
    return world.uows.db.tables.learning_wishes[wish_id]


def offers_of(world: World, handle: str) -> list[MentorOffer]:
    return [
        o for o in world.uows.db.tables.mentor_offers.values() if o.mentor_id == world.id(handle)
    ]


def wishes_of(world: World, handle: str) -> list[LearningWish]:
    return [
        w for w in world.uows.db.tables.learning_wishes.values() if w.person_id == world.id(handle)
    ]


def mentorships(world: World) -> list[Relationship]:
    return [r for r in world.uows.db.tables.relationships.values() if r.kind is MENTORSHIP]


def areas_of(world: World, relationship_id: UUID) -> dict[UUID, bool]:
    tables = world.uows.db.tables
    return {
        a.knowledge_area_id: tables.relationships[a.relationship_id].is_active
        for a in tables.mentorship_areas.values()
        if a.relationship_id == relationship_id
    }


async def add_goal(world: World, owner: str) -> Goal:
    goal = Goal.create(
        organization_id=world.organization.id,
        owner_id=world.id(owner),
        title="Write idiomatic Python",
        description="",
        stage=AutonomyStage.FIXED_GOALS,
        knowledge_area_id=world.area("python"),
        target_date=None,
        now=NOW,
    )
    async with world.uow() as uow:
        await uow.goals.add(goal)
        await uow.commit()
    return goal


# -- offer ------------------------------------------------------------------------------


async def test_offer_is_stored_active(world: World) -> None:
    created = await offer(world, "bob", "python", proficiency=5)
    assert [o.id for o in offers_of(world, "bob")] == [created.id]
    assert created.organization_id == world.organization.id
    assert (created.mentor_id, created.knowledge_area_id) == (world.id("bob"), world.area("python"))
    assert (created.proficiency, created.note) == (5, "Happy to help.")
    assert created.status is OfferStatus.ACTIVE
    assert created.created_at == NOW


async def test_offer_in_an_unknown_area(world: World) -> None:
    for area_id in (uuid.uuid4(), world.foreign_area.id):
        async with world.uow() as uow:
            with pytest.raises(NotFound) as caught:
                await mentoring.offer(
                    uow, world.actor("bob"), knowledge_area_id=area_id, proficiency=4, now=NOW
                )
            assert caught.value.kind == "KnowledgeArea"
            assert not await uow.mentoring.live_offers_of(world.id("bob"))


async def test_one_live_offer_per_area(world: World) -> None:
    first = await offer(world, "bob", "python")
    with pytest.raises(Conflict) as caught:
        await offer(world, "bob", "python", proficiency=2)
    assert caught.value.code == "ALREADY_OFFERED"
    await pause(world, "bob", first.id)
    with pytest.raises(Conflict) as caught:
        await offer(world, "bob", "python", proficiency=2)
    assert caught.value.code == "ALREADY_OFFERED"
    assert [o.id for o in offers_of(world, "bob")] == [first.id]


async def test_after_withdrawing_a_new_offer_is_allowed(world: World) -> None:
    first = await offer(world, "bob", "python")
    await withdraw_offer(world, "bob", first.id)
    second = await offer(world, "bob", "python", proficiency=5)
    assert second.id != first.id
    statuses = {o.id: o.status for o in offers_of(world, "bob")}
    assert statuses == {first.id: OfferStatus.WITHDRAWN, second.id: OfferStatus.ACTIVE}


async def test_other_areas_and_other_mentors_are_independent(world: World) -> None:
    await offer(world, "bob", "python")
    await offer(world, "bob", "sql")
    await offer(world, "cy", "python")
    assert len(offers_of(world, "bob")) == 2
    assert len(offers_of(world, "cy")) == 1


async def test_own_offer(world: World) -> None:
    created = await offer(world, "bob", "python")
    async with world.uow() as uow:
        found = await mentoring.own_offer(uow, world.actor("bob"), created.id)
        assert found.id == created.id
        for handle, offer_id in (("cy", created.id), ("bob", uuid.uuid4())):
            with pytest.raises(NotFound) as caught:
                await mentoring.own_offer(uow, world.actor(handle), offer_id)
            assert caught.value.kind == "MentorOffer"


# -- set_profile ---------------------------------------------------------------------------


async def test_a_new_profile_accepts_by_default(world: World) -> None:
    profile = await set_profile(world, "bob")
    assert list(world.uows.db.tables.mentor_profiles) == [world.id("bob")]
    assert profile.organization_id == world.organization.id
    assert profile.person_id == world.id("bob")
    assert profile.accepting is True
    assert profile.availability == []
    assert profile.updated_at == NOW


async def test_a_new_profile_takes_what_is_given(world: World) -> None:
    profile = await set_profile(
        world, "bob", accepting=False, availability=[FRIDAY_MORNING, MONDAY_MORNING]
    )
    assert profile.accepting is False
    assert profile.availability == [MONDAY_MORNING, FRIDAY_MORNING]


async def test_updating_changes_only_what_is_given(world: World) -> None:
    await set_profile(world, "bob", availability=[MONDAY_MORNING])
    profile = await set_profile(world, "bob", accepting=False, now=LATER)
    assert (profile.accepting, profile.availability) == (False, [MONDAY_MORNING])
    assert profile.updated_at == LATER
    profile = await set_profile(world, "bob", availability=[FRIDAY_MORNING], now=LATEST)
    assert (profile.accepting, profile.availability) == (False, [FRIDAY_MORNING])
    assert profile.updated_at == LATEST
    profile = await set_profile(world, "bob", availability=[], now=LATEST)
    assert (profile.accepting, profile.availability) == (False, [])
    assert list(world.uows.db.tables.mentor_profiles) == [world.id("bob")]


@pytest.mark.parametrize(
    ("windows", "code"),
    [([BACKWARDS], "ENDS_BEFORE_START"), (OVERLAPPING, "OVERLAPPING_WINDOWS")],
    ids=["backwards", "overlapping"],
)
async def test_a_new_profile_with_invalid_windows_is_not_stored(
    world: World, windows: list[Window], code: str
) -> None:
    async with world.uow() as uow:
        with pytest.raises(ValidationFailed) as caught:
            await mentoring.set_profile(
                uow, world.actor("bob"), accepting=False, availability=windows, now=NOW
            )
        assert (caught.value.code, caught.value.field) == (code, "availability")
        assert await uow.mentoring.get_profile(world.id("bob")) is None


@pytest.mark.parametrize(
    ("windows", "code"),
    [([BACKWARDS], "ENDS_BEFORE_START"), (OVERLAPPING, "OVERLAPPING_WINDOWS")],
    ids=["backwards", "overlapping"],
)
async def test_invalid_windows_leave_the_profile_as_it_was(
    world: World, windows: list[Window], code: str
) -> None:
    await set_profile(world, "bob", availability=[MONDAY_MORNING])
    async with world.uow() as uow:
        with pytest.raises(ValidationFailed) as caught:
            await mentoring.set_profile(
                uow, world.actor("bob"), accepting=False, availability=windows, now=LATER
            )
        assert caught.value.code == code
        profile = await uow.mentoring.get_profile(world.id("bob"))
        assert profile is not None
        assert profile.accepting is True
        assert profile.availability == [MONDAY_MORNING]
        assert profile.updated_at == NOW


# -- wish --------------------------------------------------------------------------------------


async def test_wish_is_stored_open(world: World) -> None:
    created = await wish(
        world, "ada", "python", current=2, desired=4, availability=[FRIDAY_MORNING, MONDAY_MORNING]
    )
    assert [w.id for w in wishes_of(world, "ada")] == [created.id]
    assert created.organization_id == world.organization.id
    assert (created.person_id, created.knowledge_area_id) == (world.id("ada"), world.area("python"))
    assert (created.current, created.desired) == (2, 4)
    assert created.availability == [MONDAY_MORNING, FRIDAY_MORNING]
    assert created.goal_id is None
    assert created.status is WishStatus.OPEN
    assert (created.created_at, created.closed_at) == (NOW, None)


async def test_wish_in_an_unknown_area(world: World) -> None:
    for area_id in (uuid.uuid4(), world.foreign_area.id):
        async with world.uow() as uow:
            with pytest.raises(NotFound) as caught:
                await mentoring.wish(
                    uow,
                    world.actor("ada"),
                    knowledge_area_id=area_id,
                    current=1,
                    desired=3,
                    now=NOW,
                )
            assert caught.value.kind == "KnowledgeArea"
            assert not await uow.mentoring.open_wishes_of(world.id("ada"), [area_id])
    assert not world.uows.db.tables.learning_wishes


async def test_wish_for_ones_own_goal(world: World) -> None:
    goal = await add_goal(world, "ada")
    created = await wish(world, "ada", "python", goal_id=goal.id)
    assert stored_wish(world, created.id).goal_id == goal.id


async def test_wish_for_a_goal_that_is_not_ones_own(world: World) -> None:
    others = await add_goal(world, "bob")
    foreign = Goal.create(
        organization_id=world.outsider.organization_id,
        owner_id=world.outsider.id,
        title="Elsewhere",
        description="",
        stage=AutonomyStage.TASKS,
        knowledge_area_id=None,
        target_date=None,
        now=NOW,
    )
    async with world.uows(world.outsider.organization_id) as uow:
        await uow.goals.add(foreign)
        await uow.commit()
    for goal_id in (others.id, foreign.id, uuid.uuid4()):
        async with world.uow() as uow:
            with pytest.raises(NotFound) as caught:
                await mentoring.wish(
                    uow,
                    world.actor("ada"),
                    knowledge_area_id=world.area("python"),
                    current=1,
                    desired=3,
                    goal_id=goal_id,
                    now=NOW,
                )
            assert caught.value.kind == "Goal"
            assert not await uow.mentoring.open_wishes_of(world.id("ada"), [world.area("python")])


@pytest.mark.parametrize(("current", "desired"), [(3, 3), (4, 2), (5, 1)])
async def test_desired_must_lie_above_current(world: World, current: int, desired: int) -> None:
    async with world.uow() as uow:
        with pytest.raises(ValidationFailed) as caught:
            await mentoring.wish(
                uow,
                world.actor("ada"),
                knowledge_area_id=world.area("python"),
                current=current,
                desired=desired,
                now=NOW,
            )
        assert (caught.value.code, caught.value.field) == ("DESIRED_NOT_ABOVE_CURRENT", "desired")
        assert not await uow.mentoring.open_wishes_of(world.id("ada"), [world.area("python")])
    assert not world.uows.db.tables.learning_wishes


async def test_one_open_wish_per_area(world: World) -> None:
    first = await wish(world, "ada", "python")
    with pytest.raises(Conflict) as caught:
        await wish(world, "ada", "python", current=2, desired=5)
    assert caught.value.code == "ALREADY_WISHED"
    assert [w.id for w in wishes_of(world, "ada")] == [first.id]
    await wish(world, "ada", "sql")
    await wish(world, "bob", "python")
    assert len(wishes_of(world, "ada")) == 2


async def test_withdraw_wish(world: World) -> None:
    created = await wish(world, "ada", "python")
    withdrawn = await withdraw_wish(world, "ada", created.id)
    assert withdrawn.status is WishStatus.WITHDRAWN
    assert withdrawn.closed_at == LATER
    assert stored_wish(world, created.id).status is WishStatus.WITHDRAWN
    again = await wish(world, "ada", "python")  # a closed wish does not block a new one
    assert again.id != created.id


async def test_withdraw_a_wish_twice(world: World) -> None:
    created = await wish(world, "ada", "python")
    await withdraw_wish(world, "ada", created.id)
    async with world.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await mentoring.withdraw_wish(uow, world.actor("ada"), created.id, now=LATEST)
        assert caught.value.code == "WISH_CLOSED"
        found = await uow.mentoring.get_wish(created.id)
        assert found is not None
        assert (found.status, found.closed_at) == (WishStatus.WITHDRAWN, LATER)


async def test_only_the_wisher_withdraws(world: World) -> None:
    created = await wish(world, "ada", "python")
    for handle, wish_id in (("bob", created.id), ("ada", uuid.uuid4())):
        with pytest.raises(NotFound) as caught:
            await withdraw_wish(world, handle, wish_id)
        assert caught.value.kind == "LearningWish"
    assert stored_wish(world, created.id).is_open


# -- ask_mentor -------------------------------------------------------------------------------------


async def test_ask_proposes_a_mentorship_in_the_wish_area(world: World) -> None:
    await offer(world, "bob", "python")
    wished = await wish(world, "ada", "python")
    world.clear_notifications()
    proposal = await ask(world, "ada", wished.id, "bob", message="  Could you help?  ")
    assert list(world.uows.db.tables.relationships) == [proposal.id]
    assert proposal.kind is MENTORSHIP
    assert proposal.status is RelationshipStatus.PROPOSED
    assert [proposal.leader_id, proposal.follower_id] == world.ids("bob", "ada")
    assert proposal.proposed_by_id == world.id("ada")
    assert proposal.side_of(world.id("ada")) is Side.FOLLOWER
    assert proposal.responder_id == world.id("bob")
    assert proposal.message == "Could you help?"
    assert areas_of(world, proposal.id) == {world.area("python"): False}
    assert world.notifications() == [("bob", NotificationKind.RELATIONSHIP_PROPOSED)]
    assert stored_wish(world, wished.id).is_open  # only accepting fulfils it


async def test_an_offer_in_an_unrelated_area_is_not_enough(world: World) -> None:
    """A mentor is asked in an area they offer, or one above or below it in
    the tree (where matching looks); an active offer elsewhere does not do."""
    paused = await offer(world, "bob", "python")
    await pause(world, "bob", paused.id)
    await offer(world, "bob", "sql")
    wished = await wish(world, "ada", "python")
    with pytest.raises(Conflict) as caught:
        await ask(world, "ada", wished.id, "bob")
    assert caught.value.code == "NOT_ACCEPTING"
    assert not mentorships(world)


async def test_an_explicitly_accepting_profile_is_fine(world: World) -> None:
    await offer(world, "bob", "python")
    await set_profile(world, "bob", accepting=True)
    wished = await wish(world, "ada", "python")
    assert (await ask(world, "ada", wished.id, "bob")).status is RelationshipStatus.PROPOSED


async def _refused_as_not_accepting(world: World, wish_id: UUID, mentor_id: UUID) -> None:
    async with world.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await mentoring.ask_mentor(
                uow, world.actor("ada"), wish_id, mentor_id=mentor_id, now=NOW
            )
        assert (caught.value.code, caught.value.field) == ("NOT_ACCEPTING", "mentorId")
    assert not mentorships(world)


async def test_ask_someone_without_an_offer(world: World) -> None:
    wished = await wish(world, "ada", "python")
    await set_profile(world, "bob", accepting=True)  # a profile alone is not an offer
    await _refused_as_not_accepting(world, wished.id, world.id("bob"))
    await _refused_as_not_accepting(world, wished.id, world.id("dee"))
    async with world.uow() as uow:  # nobody at all: not found, like a direct proposal
        with pytest.raises(NotFound):
            await mentoring.ask_mentor(
                uow, world.actor("ada"), wished.id, mentor_id=uuid.uuid4(), now=NOW
            )


async def test_ask_a_mentor_whose_offers_are_all_paused(world: World) -> None:
    for area in ("python", "sql"):
        await pause(world, "bob", (await offer(world, "bob", area)).id)
    wished = await wish(world, "ada", "python")
    await _refused_as_not_accepting(world, wished.id, world.id("bob"))


async def test_ask_a_mentor_whose_offers_are_all_withdrawn(world: World) -> None:
    await withdraw_offer(world, "bob", (await offer(world, "bob", "python")).id)
    wished = await wish(world, "ada", "python")
    await _refused_as_not_accepting(world, wished.id, world.id("bob"))


async def test_ask_a_mentor_who_does_not_accept_new_mentees(world: World) -> None:
    await offer(world, "bob", "python")
    await set_profile(world, "bob", accepting=False)
    wished = await wish(world, "ada", "python")
    await _refused_as_not_accepting(world, wished.id, world.id("bob"))
    await set_profile(world, "bob", accepting=True, now=LATER)
    assert (await ask(world, "ada", wished.id, "bob")).status is RelationshipStatus.PROPOSED


async def _propose_mentorship(world: World, by: str, to: str, side: Side, area: str) -> None:
    async with world.uow() as uow:
        await relationships.propose(
            uow,
            world.actor(by),
            kind=RelationshipKind.MENTORSHIP,
            other_person_id=world.id(to),
            side=side,
            knowledge_area_ids=[world.area(area)],
            now=NOW,
        )
        await uow.commit()


async def _direct_proposal_refused(world: World, area: str) -> None:
    with pytest.raises(Conflict) as caught:
        await _propose_mentorship(world, "ada", "bob", Side.FOLLOWER, area)
    assert (caught.value.code, caught.value.field) == ("NOT_ACCEPTING", "personId")
    assert not mentorships(world)


async def test_a_direct_proposal_respects_a_paused_offer(world: World) -> None:
    """askMentor's rule holds for a mentee proposing directly; where the
    mentor offers nothing, the direct proposal may still ask."""
    paused = await offer(world, "bob", "python")
    await pause(world, "bob", paused.id)
    await _direct_proposal_refused(world, "python")
    await _propose_mentorship(world, "ada", "bob", Side.FOLLOWER, "design")
    # The mentor offering themselves is their own consent.
    await _propose_mentorship(world, "bob", "cy", Side.LEADER, "python")
    assert len(mentorships(world)) == 2


async def test_a_direct_proposal_respects_not_accepting(world: World) -> None:
    await offer(world, "bob", "python")
    await set_profile(world, "bob", accepting=False)
    for area in ("python", "design"):
        await _direct_proposal_refused(world, area)


@pytest.mark.parametrize("how", ["withdrawn", "fulfilled"])
async def test_ask_with_a_closed_wish(world: World, how: str) -> None:
    await offer(world, "bob", "python")
    await offer(world, "cy", "python")
    wished = await wish(world, "ada", "python")
    if how == "withdrawn":
        await withdraw_wish(world, "ada", wished.id)
    else:
        await answer(world, "bob", (await ask(world, "ada", wished.id, "bob")).id, yes=True)
    before = len(mentorships(world))
    with pytest.raises(Conflict) as caught:
        await ask(world, "ada", wished.id, "cy")
    assert caught.value.code == "WISH_CLOSED"
    assert caught.value.message == f"This wish is {how}."
    assert len(mentorships(world)) == before


async def test_ask_with_someone_elses_wish(world: World) -> None:
    await offer(world, "bob", "python")
    others = await wish(world, "cy", "python")
    for wish_id in (others.id, uuid.uuid4()):
        with pytest.raises(NotFound) as caught:
            await ask(world, "ada", wish_id, "bob")
        assert caught.value.kind == "LearningWish"
    assert not mentorships(world)


async def test_ask_oneself(world: World) -> None:
    await offer(world, "ada", "python")
    wished = await wish(world, "ada", "python")
    with pytest.raises(ValidationFailed) as caught:
        await ask(world, "ada", wished.id, "ada")
    assert caught.value.code == "SELF_RELATIONSHIP"
    assert not mentorships(world)


async def test_asking_twice_is_a_duplicate_proposal(world: World) -> None:
    await offer(world, "bob", "python")
    wished = await wish(world, "ada", "python")
    await ask(world, "ada", wished.id, "bob")
    with pytest.raises(Conflict) as caught:
        await ask(world, "ada", wished.id, "bob")
    assert caught.value.code == "DUPLICATE_PROPOSAL"
    assert len(mentorships(world)) == 1


async def test_asking_respects_the_mentors_capacity(world: World) -> None:
    await offer(world, "bob", "python")
    async with world.uow() as uow:
        await relationships.set_capacity(uow, world.actor("bob"), kind=MENTORSHIP, value=0)
        await uow.commit()
    wished = await wish(world, "ada", "python")
    with pytest.raises(LimitExceeded) as caught:
        await ask(world, "ada", wished.id, "bob")
    assert caught.value.limit == "MENTEE_CAPACITY"
    assert not mentorships(world)


# -- accepting a mentorship fulfils wishes ---------------------------------------------------------


async def test_accepting_fulfils_the_wish_in_that_area(world: World) -> None:
    await offer(world, "bob", "python")
    python = await wish(world, "ada", "python")
    sql = await wish(world, "ada", "sql")
    cys = await wish(world, "cy", "python")
    bobs = await wish(world, "bob", "python")
    proposal = await ask(world, "ada", python.id, "bob")
    await answer(world, "bob", proposal.id, yes=True)
    fulfilled = stored_wish(world, python.id)
    assert (fulfilled.status, fulfilled.closed_at) == (WishStatus.FULFILLED, LATER)
    for other in (sql, cys, bobs):
        untouched = stored_wish(world, other.id)
        assert (untouched.status, untouched.closed_at) == (WishStatus.OPEN, None)
    assert world.uows.db.tables.relationships[proposal.id].is_active


async def test_declining_leaves_the_wish_open(world: World) -> None:
    await offer(world, "bob", "python")
    await offer(world, "cy", "python")
    wished = await wish(world, "ada", "python")
    await answer(world, "bob", (await ask(world, "ada", wished.id, "bob")).id, yes=False)
    declined = stored_wish(world, wished.id)
    assert (declined.status, declined.closed_at) == (WishStatus.OPEN, None)
    # and the wish can go to someone else
    await answer(world, "cy", (await ask(world, "ada", wished.id, "cy")).id, yes=True)
    assert stored_wish(world, wished.id).status is WishStatus.FULFILLED


async def test_a_mentorship_offered_by_the_mentor_fulfils_every_area(world: World) -> None:
    python = await wish(world, "ada", "python")
    sql = await wish(world, "ada", "sql")
    design = await wish(world, "ada", "design")
    await relate(
        world, "bob", "ada", MENTORSHIP, area_ids=[world.area("python"), world.area("sql")], now=NOW
    )
    assert stored_wish(world, python.id).status is WishStatus.FULFILLED
    assert stored_wish(world, sql.id).status is WishStatus.FULFILLED
    assert stored_wish(world, design.id).status is WishStatus.OPEN


async def test_the_leaders_own_wishes_are_not_fulfilled(world: World) -> None:
    """ada mentors bob in python: bob's wish is met, ada's is not."""
    adas = await wish(world, "ada", "python")
    bobs = await wish(world, "bob", "python")
    await relate(world, "ada", "bob", MENTORSHIP, area_ids=[world.area("python")], now=NOW)
    assert stored_wish(world, adas.id).status is WishStatus.OPEN
    assert stored_wish(world, bobs.id).status is WishStatus.FULFILLED


async def test_a_withdrawn_wish_stays_withdrawn(world: World) -> None:
    withdrawn = await wish(world, "ada", "python")
    await withdraw_wish(world, "ada", withdrawn.id)
    await relate(world, "bob", "ada", MENTORSHIP, area_ids=[world.area("python")], now=LATEST)
    found = stored_wish(world, withdrawn.id)
    assert (found.status, found.closed_at) == (WishStatus.WITHDRAWN, LATER)


async def test_a_second_mentor_accepting_after_fulfilment_is_fine(world: World) -> None:
    """Two mentors asked for the same wish: the second acceptance finds the
    wish already fulfilled and must not fail on it."""
    await offer(world, "bob", "python")
    await offer(world, "cy", "python")
    wished = await wish(world, "ada", "python")
    to_bob = await ask(world, "ada", wished.id, "bob")
    to_cy = await ask(world, "ada", wished.id, "cy")
    await answer(world, "bob", to_bob.id, yes=True)
    await answer(world, "cy", to_cy.id, yes=True)
    assert world.uows.db.tables.relationships[to_cy.id].is_active
    found = stored_wish(world, wished.id)
    assert (found.status, found.closed_at) == (WishStatus.FULFILLED, LATER)
