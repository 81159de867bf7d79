"""Growth goals: the entity (validation, lifecycle, check-ins), the pure
visibility rule (`Readers`), and domain/services/goals.py on the in-memory
unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from domain.actors import Actor
from domain.autonomy import AutonomyStage
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.goals import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    TITLE_MAX,
    Audience,
    CheckIn,
    Confidence,
    Goal,
    GoalShare,
    GoalStatus,
    Readers,
)
from domain.knowledge_areas import KnowledgeArea
from domain.organizations import Organization
from domain.people import Person
from domain.relationships import Relationship, RelationshipKind, Side
from domain.services import goals, relationships, shares
from domain.shares import Reach, ShareEnd
from tests.unit.fakes import FakeUnitOfWork, FakeUnitOfWorkFactory
from tests.unit.world import OrgWorld, member

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
LATEST = NOW + timedelta(hours=2)
TODAY = NOW.date()

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
OWNER = uuid.UUID("00000000-0000-4000-8000-00000000000a")
OTHER = uuid.UUID("00000000-0000-4000-8000-00000000000b")
MENTOR = uuid.UUID("00000000-0000-4000-8000-00000000000c")
AREA = uuid.UUID("00000000-0000-4000-8000-0000000000aa")

DRAFT = GoalStatus.DRAFT
ACTIVE = GoalStatus.ACTIVE
ACHIEVED = GoalStatus.ACHIEVED
ABANDONED = GoalStatus.ABANDONED


# -- the entity ------------------------------------------------------------------


def make_goal(
    *,
    title: str = "Run the retro",
    description: str = "",
    stage: AutonomyStage = AutonomyStage.FIXED_GOALS,
    target_date: date | None = None,
    knowledge_area_id: UUID | None = None,
) -> Goal:
    return Goal.create(
        organization_id=ORG,
        owner_id=OWNER,
        title=title,
        description=description,
        stage=stage,
        knowledge_area_id=knowledge_area_id,
        target_date=target_date,
        now=NOW,
    )


def goal_in(status: GoalStatus, *, target_date: date | None = None) -> Goal:
    goal = make_goal(target_date=target_date)
    if status is ACTIVE or status is ACHIEVED:
        goal.activate(NOW)
    if status is ACHIEVED:
        goal.achieve(NOW, "")
    if status is ABANDONED:
        goal.abandon(NOW, "Not now.")
    assert goal.status is status
    return goal


def test_create_goal() -> None:
    goal = make_goal(
        title="  Lead   the\tretro  ",
        description="  Line one\nline two  ",
        stage=AutonomyStage.FLEXIBLE_GOALS,
        target_date=TODAY + timedelta(days=30),
        knowledge_area_id=AREA,
    )
    assert goal.title == "Lead the retro"
    assert goal.description == "Line one\nline two"
    assert goal.stage is AutonomyStage.FLEXIBLE_GOALS
    assert goal.status is DRAFT
    assert (goal.organization_id, goal.owner_id, goal.knowledge_area_id) == (ORG, OWNER, AREA)
    assert goal.target_date == TODAY + timedelta(days=30)
    assert goal.created_at == goal.updated_at == NOW
    assert goal.activated_at is goal.achieved_at is goal.abandoned_at is None
    assert goal.is_open


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("", "REQUIRED"),
        ("   ", "REQUIRED"),
        ("\n\t", "REQUIRED"),
        ("x" * (TITLE_MAX + 1), "TOO_LONG"),
        ("bad\x00title", "INVALID_CHARACTERS"),
        ("bell\x07", "INVALID_CHARACTERS"),
        ("esc\x1b[0m", "INVALID_CHARACTERS"),
    ],
)
def test_create_refuses_bad_titles(title: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_goal(title=title)
    assert (caught.value.field, caught.value.code) == ("title", code)


def test_title_length_is_counted_after_cleaning() -> None:
    assert make_goal(title="x" * TITLE_MAX).title == "x" * TITLE_MAX
    assert make_goal(title="  " + "x" * TITLE_MAX + "  ").title == "x" * TITLE_MAX


@pytest.mark.parametrize(
    ("description", "code"),
    [("x" * (DESCRIPTION_MAX + 1), "TOO_LONG"), ("nul\x00", "INVALID_CHARACTERS")],
)
def test_create_refuses_bad_descriptions(description: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_goal(description=description)
    assert (caught.value.field, caught.value.code) == ("description", code)


def test_the_full_lifecycle() -> None:
    goal = make_goal()
    goal.activate(LATER)
    assert (goal.status, goal.activated_at, goal.updated_at) == (ACTIVE, LATER, LATER)
    assert goal.is_open
    goal.achieve(LATEST, "  Done and dusted.  ")
    assert (goal.status, goal.achieved_at, goal.updated_at) == (ACHIEVED, LATEST, LATEST)
    assert goal.status_note == "Done and dusted."
    assert goal.activated_at == LATER
    assert not goal.is_open


@pytest.mark.parametrize("status", [DRAFT, ACTIVE])
def test_abandon_an_open_goal(status: GoalStatus) -> None:
    goal = goal_in(status)
    goal.abandon(LATER, "Priorities changed.")
    assert (goal.status, goal.abandoned_at, goal.updated_at) == (ABANDONED, LATER, LATER)
    assert goal.status_note == "Priorities changed."
    assert goal.achieved_at is None


@pytest.mark.parametrize("note", ["", "   ", "\n\t "])
def test_abandoning_needs_a_note(note: str) -> None:
    goal = goal_in(ACTIVE)
    before = vars(goal).copy()
    with pytest.raises(ValidationFailed) as caught:
        goal.abandon(LATER, note)
    assert (caught.value.field, caught.value.code) == ("note", "REQUIRED")
    assert vars(goal) == before


def test_achieving_takes_an_optional_note() -> None:
    goal = goal_in(ACTIVE)
    goal.achieve(LATER, "   ")
    assert (goal.status, goal.status_note) == (ACHIEVED, "")


# (action, statuses it is allowed from, code when refused)
TRANSITIONS = {
    "activate": ({DRAFT}, "NOT_DRAFT"),
    "achieve": ({ACTIVE}, "NOT_ACTIVE"),
    "abandon": ({DRAFT, ACTIVE}, "GOAL_CLOSED"),
}
REFUSED = [
    (action, status, code)
    for action, (allowed, code) in TRANSITIONS.items()
    for status in GoalStatus
    if status not in allowed
]


def _do(goal: Goal, action: str) -> None:
    if action == "activate":
        goal.activate(LATER)
    elif action == "achieve":
        goal.achieve(LATER, "note")
    else:
        goal.abandon(LATER, "note")


@pytest.mark.parametrize(("action", "status", "code"), REFUSED)
def test_every_other_transition_is_refused(action: str, status: GoalStatus, code: str) -> None:
    goal = goal_in(status)
    before = vars(goal).copy()
    with pytest.raises(Conflict) as caught:
        _do(goal, action)
    assert caught.value.code == code
    assert vars(goal) == before


def test_the_refused_transitions_are_the_expected_ones() -> None:
    assert {(a, s) for a, s, _ in REFUSED} == {
        ("activate", ACTIVE),
        ("activate", ACHIEVED),
        ("activate", ABANDONED),
        ("achieve", DRAFT),
        ("achieve", ACHIEVED),
        ("achieve", ABANDONED),
        ("abandon", ACHIEVED),
        ("abandon", ABANDONED),
    }


@pytest.mark.parametrize("action", ["achieve", "abandon"])
def test_a_bad_closing_note_changes_nothing(action: str) -> None:
    goal = goal_in(ACTIVE)
    before = vars(goal).copy()
    close = goal.achieve if action == "achieve" else goal.abandon
    with pytest.raises(ValidationFailed) as caught:
        close(LATER, "x" * (NOTE_MAX + 1))
    assert (caught.value.field, caught.value.code) == ("note", "TOO_LONG")
    assert vars(goal) == before


@pytest.mark.parametrize("status", [DRAFT, ACTIVE])
def test_edit_an_open_goal(status: GoalStatus) -> None:
    goal = goal_in(status, target_date=TODAY)
    goal.edit(
        title=" New  title ",
        description="More detail",
        stage=AutonomyStage.PURPOSE,
        knowledge_area_id=AREA,
        now=LATER,
    )
    assert (goal.title, goal.description, goal.stage) == (
        "New title",
        "More detail",
        AutonomyStage.PURPOSE,
    )
    assert (goal.knowledge_area_id, goal.target_date, goal.updated_at) == (AREA, TODAY, LATER)
    goal.edit(clear_area=True, clear_target_date=True, now=LATEST)
    assert goal.knowledge_area_id is None
    assert goal.target_date is None
    assert goal.title == "New title"  # untouched when not given
    assert goal.status is status


def test_edit_validates_like_create() -> None:
    goal = make_goal(title="Keep me", description="Keep me too")
    with pytest.raises(ValidationFailed) as caught:
        goal.edit(title=" ", now=LATER)
    assert caught.value.code == "REQUIRED"
    with pytest.raises(ValidationFailed) as caught:
        goal.edit(title="Fine title", description="x" * (DESCRIPTION_MAX + 1), now=LATER)
    assert (caught.value.field, caught.value.code) == ("description", "TOO_LONG")
    assert (goal.title, goal.description, goal.updated_at) == ("Keep me", "Keep me too", NOW)


@pytest.mark.parametrize("status", [ACHIEVED, ABANDONED])
def test_edit_is_refused_on_closed_goals(status: GoalStatus) -> None:
    goal = goal_in(status)
    with pytest.raises(Conflict) as caught:
        goal.edit(title="Changed", now=LATER)
    assert caught.value.code == "GOAL_CLOSED"
    assert goal.title == "Run the retro"


@pytest.mark.parametrize(
    ("status", "target", "overdue"),
    [
        (DRAFT, TODAY - timedelta(days=1), True),
        (ACTIVE, TODAY - timedelta(days=1), True),
        (ACTIVE, TODAY, False),
        (ACTIVE, TODAY + timedelta(days=1), False),
        (ACTIVE, None, False),
        (ACHIEVED, TODAY - timedelta(days=1), False),
        (ABANDONED, TODAY - timedelta(days=1), False),
    ],
)
def test_is_overdue(status: GoalStatus, target: date | None, overdue: bool) -> None:
    assert goal_in(status, target_date=target).is_overdue(TODAY) is overdue


# -- check-ins --------------------------------------------------------------------


@pytest.mark.parametrize("progress", [0, 1, 50, 99, 100])
def test_check_in_on_an_active_goal(progress: int) -> None:
    goal = goal_in(ACTIVE)
    entry = CheckIn.record(
        goal, progress=progress, confidence=Confidence.HIGH, note="  On track.  ", now=LATER
    )
    assert (entry.goal_id, entry.organization_id) == (goal.id, ORG)
    assert (entry.progress, entry.confidence, entry.note) == (
        progress,
        Confidence.HIGH,
        "On track.",
    )
    assert entry.created_at == goal.updated_at == LATER


@pytest.mark.parametrize("progress", [-1, 101, -100, 1000])
def test_check_in_progress_is_a_percentage(progress: int) -> None:
    goal = goal_in(ACTIVE)
    with pytest.raises(ValidationFailed) as caught:
        CheckIn.record(goal, progress=progress, confidence=Confidence.LOW, note="", now=LATER)
    assert (caught.value.field, caught.value.code) == ("progress", "OUT_OF_RANGE")
    assert goal.updated_at == NOW


def test_check_in_note_is_bounded() -> None:
    goal = goal_in(ACTIVE)
    with pytest.raises(ValidationFailed) as caught:
        CheckIn.record(
            goal, progress=10, confidence=Confidence.LOW, note="x" * (NOTE_MAX + 1), now=LATER
        )
    assert (caught.value.field, caught.value.code) == ("note", "TOO_LONG")
    assert goal.updated_at == NOW


@pytest.mark.parametrize("status", [DRAFT, ACHIEVED, ABANDONED])
def test_check_in_only_on_active_goals(status: GoalStatus) -> None:
    goal = goal_in(status)
    with pytest.raises(Conflict) as caught:
        CheckIn.record(goal, progress=50, confidence=Confidence.MEDIUM, note="", now=LATER)
    assert caught.value.code == "GOAL_NOT_ACTIVE"


def test_confidence_ranks() -> None:
    assert [c.rank for c in Confidence] == [0, 1, 2]
    assert Confidence.LOW.rank < Confidence.MEDIUM.rank < Confidence.HIGH.rank


# -- who may read -------------------------------------------------------------------


def readers(*, organization: bool = False, reached: frozenset[UUID] = frozenset()) -> Readers:
    return Readers(owner_id=OWNER, shared_with_organization=organization, reached=reached)


@pytest.mark.parametrize(
    "shares",
    [
        readers(),
        readers(organization=True),
        readers(reached=frozenset({MENTOR})),
        readers(organization=True, reached=frozenset({MENTOR, OTHER})),
    ],
)
def test_the_owner_always_reads(shares: Readers) -> None:
    assert shares.may_read(OWNER)


def test_an_unshared_goal_is_the_owners_alone() -> None:
    for viewer in (OTHER, MENTOR):
        assert not readers().may_read(viewer)


def test_shared_with_the_organization_everyone_reads() -> None:
    assert readers(organization=True).may_read(OTHER)


def test_only_the_people_a_share_reaches_now_read() -> None:
    shares = readers(reached=frozenset({MENTOR}))
    assert shares.may_read(MENTOR)
    assert not shares.may_read(OTHER)


# -- use cases: a world to run them in -------------------------------------------------


@dataclass
class World(OrgWorld):
    """ada owns goals; bob is her steward and cy her mentor; dee is nobody to
    her, eve was asked to mentor her but has not accepted; otto is in another
    organization."""

    areas: dict[str, KnowledgeArea]
    outsider: Person
    foreign_area: KnowledgeArea

    def shares(self) -> list[GoalShare]:
        return list(self.uows.db.tables.goal_shares.values())


@pytest.fixture
async def world() -> World:
    uows = FakeUnitOfWorkFactory()
    acme = Organization.create(name="Acme", slug="acme", now=NOW)
    globex = Organization.create(name="Globex", slug="globex", now=NOW)
    members = {h: member(acme, h, NOW) for h in ("ada", "bob", "cy", "dee", "eve")}
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
        await uow.commit()
    async with uows(globex.id) as uow:
        await uow.people.add(outsider)
        await uow.areas.add(foreign_area)
        await uow.commit()
    w = World(uows, acme, members, areas, outsider, foreign_area)
    await _relationship(w, "bob", "ada", RelationshipKind.STEWARDSHIP, accept=True)
    await _relationship(w, "cy", "ada", RelationshipKind.MENTORSHIP, accept=True)
    await _relationship(w, "eve", "ada", RelationshipKind.MENTORSHIP, accept=False)
    return w


async def _relationship(
    world: World, leader: str, follower: str, kind: RelationshipKind, *, accept: bool
) -> UUID:
    async with world.uow() as uow:
        relationship = await relationships.propose(
            uow,
            world.actor(leader),
            kind=kind,
            other_person_id=world.id(follower),
            side=Side.LEADER,
            knowledge_area_ids=[world.areas["python"].id]
            if kind is RelationshipKind.MENTORSHIP
            else [],
            now=NOW,
        )
        if accept:
            await relationships.accept(uow, world.actor(follower), relationship.id, now=NOW)
        await uow.commit()
    return relationship.id


async def create(
    world: World,
    by: str = "ada",
    *,
    title: str = "Facilitate a retro",
    activate: bool = False,
    knowledge_area_id: UUID | None = None,
) -> Goal:
    async with world.uow() as uow:
        goal = await goals.create(
            uow,
            world.actor(by),
            title=title,
            description="For the whole team.",
            stage=AutonomyStage.FIXED_GOALS,
            knowledge_area_id=knowledge_area_id,
            target_date=TODAY + timedelta(days=60),
            activate=activate,
            now=NOW,
        )
        await uow.commit()
    return goal


async def stored(world: World, goal_id: UUID) -> Goal:
    async with world.uow() as uow:
        goal = await uow.goals.get(goal_id)
    assert goal is not None
    return goal


async def share(
    world: World, goal_id: UUID, audience: Audience, person: str | None = None, by: str = "ada"
) -> GoalShare:
    async with world.uow() as uow:
        result = await goals.share(
            uow,
            world.actor(by),
            goal_id,
            audience=audience,
            person_id=None if person is None else world.id(person),
            now=LATER,
        )
        await uow.commit()
    return result


async def unshare(
    world: World, goal_id: UUID, audience: Audience, person: str | None = None
) -> list[GoalShare]:
    async with world.uow() as uow:
        result = await goals.unshare(
            uow,
            world.actor("ada"),
            goal_id,
            audience=audience,
            person_id=None if person is None else world.id(person),
            now=LATEST,
        )
        await uow.commit()
    return result


async def readable(world: World, goal_id: UUID, viewer: str) -> bool:
    async with world.uow() as uow:
        goal = await uow.goals.get(goal_id)
        assert goal is not None
        return await goals.readable_by(uow, goal, world.id(viewer))


def active_relationship(world: World, leader: str) -> Relationship:
    (found,) = [
        r
        for r in world.uows.db.tables.relationships.values()
        if r.leader_id == world.id(leader) and r.follower_id == world.id("ada") and r.is_active
    ]
    return found


# -- create and change -----------------------------------------------------------------


async def test_create(world: World) -> None:
    goal = await create(world, knowledge_area_id=world.areas["python"].id)
    saved = await stored(world, goal.id)
    assert saved.owner_id == world.id("ada")
    assert saved.organization_id == world.organization.id
    assert saved.status is DRAFT
    assert saved.title == "Facilitate a retro"
    assert saved.knowledge_area_id == world.areas["python"].id


async def test_create_active(world: World) -> None:
    goal = await create(world, activate=True)
    saved = await stored(world, goal.id)
    assert (saved.status, saved.activated_at) == (ACTIVE, NOW)


@pytest.mark.parametrize("area", ["unknown", "foreign"])
async def test_create_in_an_unknown_area(world: World, area: str) -> None:
    area_id = uuid.uuid4() if area == "unknown" else world.foreign_area.id
    with pytest.raises(NotFound) as caught:
        await create(world, knowledge_area_id=area_id)
    assert caught.value.kind == "KnowledgeArea"
    assert world.uows.db.tables.goals == {}


async def test_create_validates(world: World) -> None:
    with pytest.raises(ValidationFailed):
        await create(world, title="   ")
    assert world.uows.db.tables.goals == {}


async def test_the_owner_shapes_and_closes_a_goal(world: World) -> None:
    goal = await create(world)
    actor = world.actor("ada")
    async with world.uow() as uow:
        await goals.edit(
            uow, actor, goal.id, title="Facilitate two retros", stage=AutonomyStage.TASKS, now=LATER
        )
        await goals.activate(uow, actor, goal.id, now=LATER)
        entry = await goals.check_in(
            uow,
            actor,
            goal.id,
            progress=40,
            confidence=Confidence.MEDIUM,
            note="One done.",
            now=LATER,
        )
        await goals.achieve(uow, actor, goal.id, note="Both done.", now=LATEST)
        await uow.commit()
    saved = await stored(world, goal.id)
    assert (saved.title, saved.stage, saved.status) == (
        "Facilitate two retros",
        AutonomyStage.TASKS,
        ACHIEVED,
    )
    assert (saved.status_note, saved.achieved_at) == ("Both done.", LATEST)
    (check_in,) = world.uows.db.tables.check_ins.values()
    assert check_in.id == entry.id
    assert (check_in.goal_id, check_in.progress, check_in.note) == (goal.id, 40, "One done.")


async def test_abandon(world: World) -> None:
    goal = await create(world)
    async with world.uow() as uow:
        await goals.abandon(uow, world.actor("ada"), goal.id, note="Not now.", now=LATER)
        await uow.commit()
    saved = await stored(world, goal.id)
    assert (saved.status, saved.status_note) == (ABANDONED, "Not now.")


async def test_check_in_on_a_draft_is_refused(world: World) -> None:
    goal = await create(world)
    async with world.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await goals.check_in(
                uow, world.actor("ada"), goal.id, progress=1, confidence=Confidence.LOW, now=LATER
            )
    assert caught.value.code == "GOAL_NOT_ACTIVE"
    assert world.uows.db.tables.check_ins == {}


async def test_edit_into_an_unknown_area(world: World) -> None:
    goal = await create(world)
    async with world.uow() as uow:
        with pytest.raises(NotFound):
            await goals.edit(
                uow, world.actor("ada"), goal.id, knowledge_area_id=uuid.uuid4(), now=LATER
            )
    assert (await stored(world, goal.id)).knowledge_area_id is None


OWNER_ONLY = ["edit", "activate", "achieve", "abandon", "check_in", "share", "unshare"]


async def _attempt(uow: FakeUnitOfWork, actor: Actor, goal_id: UUID, action: str) -> None:
    if action == "edit":
        await goals.edit(uow, actor, goal_id, title="Mine now", now=LATER)
    elif action == "activate":
        await goals.activate(uow, actor, goal_id, now=LATER)
    elif action == "achieve":
        await goals.achieve(uow, actor, goal_id, now=LATER)
    elif action == "abandon":
        await goals.abandon(uow, actor, goal_id, note="Mine now.", now=LATER)
    elif action == "check_in":
        await goals.check_in(uow, actor, goal_id, progress=10, confidence=Confidence.LOW, now=LATER)
    elif action == "share":
        await goals.share(uow, actor, goal_id, audience=Audience.ORGANIZATION, now=LATER)
    else:
        await goals.unshare(uow, actor, goal_id, audience=Audience.ORGANIZATION, now=LATER)


@pytest.mark.parametrize("action", OWNER_ONLY)
@pytest.mark.parametrize("by", ["bob", "cy", "dee"])
async def test_only_the_owner_changes_a_goal(world: World, action: str, by: str) -> None:
    """Even the steward and a mentor it is shared with: to them it is not found."""
    goal = await create(world, activate=True)
    await share(world, goal.id, Audience.ORGANIZATION)
    await share(world, goal.id, Audience.STEWARD)
    await share(world, goal.id, Audience.MENTOR, "cy")
    before = vars(await stored(world, goal.id)).copy()
    async with world.uow() as uow:
        with pytest.raises(NotFound) as caught:
            await _attempt(uow, world.actor(by), goal.id, action)
        assert caught.value.kind == "Goal"
        assert vars(await uow.goals.get(goal.id)) == before
    assert all(s.revoked_at is None for s in world.shares())
    assert world.uows.db.tables.check_ins == {}


@pytest.mark.parametrize("action", OWNER_ONLY)
async def test_unknown_and_foreign_goals_are_not_found(world: World, action: str) -> None:
    async with world.uows(world.outsider.organization_id) as uow:
        foreign = await goals.create(
            uow,
            Actor(person_id=world.outsider.id, organization_id=world.outsider.organization_id),
            title="Elsewhere",
            stage=AutonomyStage.TASKS,
            activate=True,
            now=NOW,
        )
        await uow.commit()
    for goal_id in (uuid.uuid4(), foreign.id):
        async with world.uow() as uow:
            with pytest.raises(NotFound):
                await _attempt(uow, world.actor("ada"), goal_id, action)


# -- sharing -------------------------------------------------------------------------


async def test_share_with_the_organization(world: World) -> None:
    goal = await create(world)
    result = await share(world, goal.id, Audience.ORGANIZATION)
    assert (result.goal_id, result.owner_id, result.audience) == (
        goal.id,
        world.id("ada"),
        Audience.ORGANIZATION,
    )
    assert (result.person_id, result.relationship_id) == (None, None)
    assert (result.organization_id, result.created_at) == (world.organization.id, LATER)
    assert result.is_active
    assert [s.id for s in world.shares()] == [result.id]
    assert await readable(world, goal.id, "dee")


async def test_share_with_the_steward_names_the_steward_and_the_stewardship(
    world: World,
) -> None:
    goal = await create(world)
    result = await share(world, goal.id, Audience.STEWARD)
    stewardship = active_relationship(world, "bob")
    assert (result.audience, result.person_id, result.relationship_id) == (
        Audience.STEWARD,
        world.id("bob"),
        stewardship.id,
    )
    assert [s.id for s in world.shares()] == [result.id]
    assert await readable(world, goal.id, "bob")
    assert not await readable(world, goal.id, "cy")


async def test_share_with_a_current_mentor(world: World) -> None:
    goal = await create(world)
    result = await share(world, goal.id, Audience.MENTOR, "cy")
    assert (result.audience, result.person_id, result.relationship_id) == (
        Audience.MENTOR,
        world.id("cy"),
        active_relationship(world, "cy").id,
    )
    assert [s.id for s in world.shares()] == [result.id]
    assert await readable(world, goal.id, "cy")
    assert not await readable(world, goal.id, "bob")


async def test_share_with_a_named_colleague(world: World) -> None:
    goal = await create(world)
    result = await share(world, goal.id, Audience.PERSON, "dee")
    assert (result.audience, result.person_id, result.relationship_id) == (
        Audience.PERSON,
        world.id("dee"),
        None,
    )
    assert await readable(world, goal.id, "dee")
    assert not await readable(world, goal.id, "bob")


async def test_share_with_no_steward_is_refused(world: World) -> None:
    async with world.uow() as uow:
        await relationships.end(
            uow,
            world.actor("ada"),
            active_relationship(world, "bob").id,
            reason="Time to move on.",
            now=NOW,
        )
        await uow.commit()
    goal = await create(world)
    with pytest.raises(Conflict) as caught:
        await share(world, goal.id, Audience.STEWARD)
    assert (caught.value.field, caught.value.code) == ("audience", "NO_STEWARD")
    assert world.shares() == []


@pytest.mark.parametrize("mentor", ["bob", "dee", "eve", "ada"])
async def test_share_only_with_a_current_mentor(world: World, mentor: str) -> None:
    """bob stewards ada, dee is nobody, eve's mentorship is only proposed."""
    goal = await create(world)
    with pytest.raises(ValidationFailed) as caught:
        await share(world, goal.id, Audience.MENTOR, mentor)
    assert (caught.value.field, caught.value.code) == ("personId", "NOT_YOUR_MENTOR")
    assert world.shares() == []


async def test_share_with_a_former_mentor(world: World) -> None:
    goal = await create(world)
    async with world.uow() as uow:
        await relationships.end(
            uow,
            world.actor("ada"),
            active_relationship(world, "cy").id,
            reason="Time to move on.",
            now=LATER,
        )
        await uow.commit()
    with pytest.raises(ValidationFailed) as caught:
        await share(world, goal.id, Audience.MENTOR, "cy")
    assert caught.value.code == "NOT_YOUR_MENTOR"


@pytest.mark.parametrize("audience", [Audience.MENTOR, Audience.PERSON])
async def test_share_with_a_mentor_or_colleague_names_them(
    world: World, audience: Audience
) -> None:
    goal = await create(world)
    with pytest.raises(ValidationFailed) as caught:
        await share(world, goal.id, audience)
    assert (caught.value.field, caught.value.code) == ("personId", "REQUIRED")
    assert world.shares() == []


@pytest.mark.parametrize("audience", [Audience.STEWARD, Audience.ORGANIZATION])
async def test_steward_and_organization_shares_name_nobody(
    world: World, audience: Audience
) -> None:
    goal = await create(world)
    with pytest.raises(ValidationFailed) as caught:
        await share(world, goal.id, audience, "bob")
    assert (caught.value.field, caught.value.code) == ("personId", "NOT_ALLOWED")
    assert world.shares() == []


async def test_share_with_oneself_someone_who_left_or_an_outsider_is_refused(
    world: World,
) -> None:
    goal = await create(world)
    with pytest.raises(ValidationFailed) as refused:
        await share(world, goal.id, Audience.PERSON, "ada")
    assert (refused.value.field, refused.value.code) == ("personId", "SELF_SHARE")
    world.uows.db.tables.people[world.id("dee")].mark_left(NOW)
    with pytest.raises(Conflict) as left:
        await share(world, goal.id, Audience.PERSON, "dee")
    assert (left.value.field, left.value.code) == ("personId", "PERSON_LEFT")
    for unknown in (world.outsider.id, uuid.uuid4()):
        async with world.uow() as uow:
            with pytest.raises(NotFound) as caught:
                await goals.share(
                    uow,
                    world.actor("ada"),
                    goal.id,
                    audience=Audience.PERSON,
                    person_id=unknown,
                    now=LATER,
                )
        assert caught.value.kind == "Person"
    assert world.shares() == []


@pytest.mark.parametrize(
    ("audience", "person"),
    [
        (Audience.STEWARD, None),
        (Audience.ORGANIZATION, None),
        (Audience.MENTOR, "cy"),
        (Audience.PERSON, "dee"),
    ],
)
async def test_sharing_twice_returns_the_same_share(
    world: World, audience: Audience, person: str | None
) -> None:
    goal = await create(world)
    first = await share(world, goal.id, audience, person)
    second = await share(world, goal.id, audience, person)
    assert second.id == first.id
    assert second.created_at == first.created_at
    assert len(world.shares()) == 1


async def test_shares_with_different_audiences_are_separate(world: World) -> None:
    goal = await create(world)
    other_goal = await create(world, title="Another one")
    shares = {
        (await share(world, goal.id, Audience.STEWARD)).id,
        (await share(world, goal.id, Audience.ORGANIZATION)).id,
        (await share(world, goal.id, Audience.MENTOR, "cy")).id,
        # The steward by name as well: a share that survives a handover.
        (await share(world, goal.id, Audience.PERSON, "bob")).id,
        (await share(world, other_goal.id, Audience.STEWARD)).id,
    }
    assert len(shares) == 5 == len(world.shares())


@pytest.mark.parametrize(
    ("audience", "person"),
    [
        (Audience.STEWARD, None),
        (Audience.ORGANIZATION, None),
        (Audience.MENTOR, "cy"),
        (Audience.PERSON, "dee"),
    ],
)
async def test_unshare_revokes(world: World, audience: Audience, person: str | None) -> None:
    goal = await create(world)
    first = await share(world, goal.id, audience, person)
    (revoked,) = await unshare(world, goal.id, audience, person)
    assert revoked.id == first.id
    (row,) = world.shares()
    assert (row.revoked_at, row.is_active) == (LATEST, False)
    async with world.uow() as uow:
        assert await uow.goals.active_shares(goal.id) == []
    # Taken back twice: there is nothing left to take back.
    with pytest.raises(NotFound) as caught:
        await unshare(world, goal.id, audience, person)
    assert caught.value.kind == "GoalShare"
    # Shared again: a new share, the old one kept as history.
    again = await share(world, goal.id, audience, person)
    assert again.id != first.id
    assert len(world.shares()) == 2


async def test_unshare_what_is_not_shared(world: World) -> None:
    goal = await create(world)
    await share(world, goal.id, Audience.STEWARD)
    await share(world, goal.id, Audience.MENTOR, "cy")
    for audience, person in (
        (Audience.ORGANIZATION, None),
        (Audience.MENTOR, "eve"),
        (Audience.PERSON, "bob"),
        (Audience.STEWARD, "cy"),
    ):
        with pytest.raises(NotFound):
            await unshare(world, goal.id, audience, person)
    with pytest.raises(ValidationFailed) as caught:
        await unshare(world, goal.id, Audience.MENTOR)
    assert (caught.value.field, caught.value.code) == ("personId", "REQUIRED")
    assert all(s.is_active for s in world.shares())


async def test_ending_a_mentorship_ends_what_was_shared_in_it(world: World) -> None:
    """The share stays listed to the owner (reaching nobody) until taken
    back, and does not come back if they mentor again."""
    goal = await create(world)
    share_with_cy = await share(world, goal.id, Audience.MENTOR, "cy")
    async with world.uow() as uow:
        await relationships.end(
            uow,
            world.actor("cy"),
            active_relationship(world, "cy").id,
            reason="Time to move on.",
            now=LATER,
        )
        await uow.commit()
    assert not await readable(world, goal.id, "cy")
    await _relationship(world, "cy", "ada", RelationshipKind.MENTORSHIP, accept=True)
    assert not await readable(world, goal.id, "cy")
    (revoked,) = await unshare(world, goal.id, Audience.MENTOR, "cy")
    assert revoked.id == share_with_cy.id


async def test_a_new_steward_sees_nothing_shared_before_their_time(world: World) -> None:
    """bob hands over to dee: the share with bob ends with his stewardship and
    dee does not get it; bob stewarding ada again later does not revive it."""
    goal = await create(world, activate=True)
    await share(world, goal.id, Audience.STEWARD)
    await _relationship(world, "dee", "ada", RelationshipKind.STEWARDSHIP, accept=True)
    assert not await readable(world, goal.id, "bob")
    assert not await readable(world, goal.id, "dee")
    await _relationship(world, "bob", "ada", RelationshipKind.STEWARDSHIP, accept=True)
    assert not await readable(world, goal.id, "bob")
    assert not await readable(world, goal.id, "dee")
    # Shared with the steward again: bob, in this stewardship.
    again = await share(world, goal.id, Audience.STEWARD)
    assert again.relationship_id == active_relationship(world, "bob").id
    assert await readable(world, goal.id, "bob")
    assert len(world.shares()) == 2


async def test_a_share_by_name_survives_a_handover(world: World) -> None:
    goal = await create(world, activate=True)
    await share(world, goal.id, Audience.PERSON, "bob")
    await _relationship(world, "dee", "ada", RelationshipKind.STEWARDSHIP, accept=True)
    assert await readable(world, goal.id, "bob")
    assert not await readable(world, goal.id, "dee")


async def test_when_the_owner_leaves_steward_and_mentor_shares_end(world: World) -> None:
    goal = await create(world, activate=True)
    await share(world, goal.id, Audience.STEWARD)
    await share(world, goal.id, Audience.MENTOR, "cy")
    async with world.uow() as uow:
        await relationships.close_all_of(uow, world.id("ada"), by=world.id("dee"), now=LATEST)
        await uow.commit()
    assert not await readable(world, goal.id, "bob")
    assert not await readable(world, goal.id, "cy")
    assert await readable(world, goal.id, "ada")


def _proposed(world: World, leader: str) -> Relationship:
    (found,) = [
        r
        for r in world.uows.db.tables.relationships.values()
        if r.leader_id == world.id(leader) and not r.is_active
    ]
    return found


@pytest.mark.parametrize(
    ("audience", "leader", "relationship", "owner"),
    [
        (Audience.STEWARD, "cy", "cy", "ada"),  # a mentorship is no stewardship
        (Audience.MENTOR, "bob", "bob", "ada"),  # nor the other way round
        (Audience.MENTOR, "eve", "eve (proposed)", "ada"),  # not accepted yet
        (Audience.STEWARD, "cy", "bob", "ada"),  # bob's, not cy's
        (Audience.PERSON, "dee", None, "bob"),  # ada's goal, not bob's
    ],
)
async def test_the_fakes_refuse_a_share_the_database_refuses(
    world: World, audience: Audience, leader: str, relationship: str | None, owner: str
) -> None:
    """The shares' foreign keys and trigger, on the fakes, so that a use case
    binding a share wrongly fails here as it would on PostgreSQL."""
    goal = await create(world)
    bound = None
    if relationship == "eve (proposed)":
        bound = _proposed(world, "eve").id
    elif relationship is not None:
        bound = active_relationship(world, relationship).id
    wrong = GoalShare(
        organization_id=world.organization.id,
        goal_id=goal.id,
        owner_id=world.id(owner),
        audience=audience,
        person_id=world.id(leader),
        relationship_id=bound,
        created_at=LATER,
    )
    async with world.uow() as uow:
        with pytest.raises(RuntimeError):
            await uow.goals.add_share(wrong)


async def test_every_share_of_an_owner_who_left_reaches_nobody(world: World) -> None:
    """Even with her relationships still recorded as active (a missed
    revocation): someone who left can no longer take a share back."""
    goal = await create(world, activate=True)
    made = [
        await share(world, goal.id, audience, person)
        for audience, person in (
            (Audience.STEWARD, None),
            (Audience.MENTOR, "cy"),
            (Audience.PERSON, "dee"),
            (Audience.ORGANIZATION, None),
        )
    ]
    world.uows.db.tables.people[world.id("ada")].mark_left(LATEST)

    for viewer in ("bob", "cy", "dee", "eve"):
        assert not await readable(world, goal.id, viewer), viewer
    async with world.uow() as uow:
        for with_person in made[:3]:
            assert await shares.reach_of(uow, with_person) == Reach(
                None, LATEST, ShareEnd.PERSON_LEFT
            )


async def test_share_a_closed_goal(world: World) -> None:
    """Achievements are worth showing: closing a goal does not stop sharing."""
    goal = await create(world, activate=True)
    async with world.uow() as uow:
        await goals.achieve(uow, world.actor("ada"), goal.id, now=LATER)
        await uow.commit()
    assert (await share(world, goal.id, Audience.ORGANIZATION)).is_active
