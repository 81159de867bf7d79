"""Feedback given unasked and what its owner does with feedback: the pure
rules of domain/feedback_items.py, and domain/services/feedback_items.py
(with relationships ending, which ends the shares made in them: see
domain/shares.py) on the in-memory unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.actors import Actor
from domain.autonomy import AutonomyStage
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.feedback import Anonymity, FeedbackRequest
from domain.feedback_items import (
    TEXT_MAX,
    ActionKind,
    FeedbackAction,
    FeedbackItem,
    FeedbackRef,
    FeedbackShare,
    Response,
    ShareAudience,
)
from domain.goals import Audience, Goal, GoalStatus
from domain.knowledge_areas import KnowledgeArea
from domain.notifications import NotificationKind
from domain.organizations import Organization
from domain.people import Person
from domain.relationships import RelationshipKind, RelationshipStatus, Side
from domain.services import feedback_items, goals, relationships, shares
from domain.shares import Reach, ShareEnd, reach
from domain.talking_points import TalkingPoint
from tests.unit.fakes import FakeUnitOfWork, FakeUnitOfWorkFactory, Tables
from tests.unit.world import OrgWorld, member

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
LATEST = NOW + timedelta(hours=2)

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
SUBJECT = uuid.UUID("00000000-0000-4000-8000-00000000000a")
GIVER = uuid.UUID("00000000-0000-4000-8000-00000000000b")
GOAL = uuid.UUID("00000000-0000-4000-8000-0000000000c1")
ITEM = uuid.UUID("00000000-0000-4000-8000-0000000000f1")
REQUEST = uuid.UUID("00000000-0000-4000-8000-0000000000f2")

STEWARD = ShareAudience.STEWARD
MENTOR = ShareAudience.MENTOR
PERSON = ShareAudience.PERSON
STEWARDSHIP = RelationshipKind.STEWARDSHIP
MENTORSHIP = RelationshipKind.MENTORSHIP


# -- the entity ------------------------------------------------------------------------


def make_item(
    *,
    subject_id: UUID = SUBJECT,
    giver_id: UUID = GIVER,
    text: str = "Your reviews explain the why.",
    goal_id: UUID | None = None,
) -> FeedbackItem:
    return FeedbackItem.give(
        organization_id=ORG,
        subject_id=subject_id,
        giver_id=giver_id,
        text=text,
        goal_id=goal_id,
        now=NOW,
    )


def test_give_an_item() -> None:
    item = make_item(text="  Clear reviews.\n\n\tKeep the examples.  \n", goal_id=GOAL)
    assert item.text == "Clear reviews.\n\n\tKeep the examples."
    assert (item.organization_id, item.subject_id, item.giver_id) == (ORG, SUBJECT, GIVER)
    assert (item.goal_id, item.created_at) == (GOAL, NOW)
    assert item.ref == FeedbackRef(item_id=item.id)


def test_feedback_is_about_someone_else() -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_item(subject_id=GIVER, giver_id=GIVER)
    assert (caught.value.field, caught.value.code) == ("subjectId", "SELF_FEEDBACK")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "REQUIRED"),
        ("   ", "REQUIRED"),
        ("\n\t \r\n", "REQUIRED"),
        ("x" * (TEXT_MAX + 1), "TOO_LONG"),
        ("bad\x00text", "INVALID_CHARACTERS"),
        ("bell\x07", "INVALID_CHARACTERS"),
        ("esc\x1b[0m", "INVALID_CHARACTERS"),
        ("   \x00   ", "INVALID_CHARACTERS"),
    ],
)
def test_give_refuses_bad_text(text: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_item(text=text)
    assert (caught.value.field, caught.value.code) == ("text", code)


def test_text_length_is_counted_after_trimming() -> None:
    assert make_item(text="x" * TEXT_MAX).text == "x" * TEXT_MAX
    assert make_item(text=" \n" + "x" * TEXT_MAX + "\t ").text == "x" * TEXT_MAX


def test_line_breaks_and_tabs_inside_are_kept() -> None:
    assert make_item(text="One\r\ntwo\tthree").text == "One\r\ntwo\tthree"


def test_a_reference_names_an_item_or_a_request() -> None:
    assert FeedbackRef(item_id=ITEM).source_id == ITEM
    assert FeedbackRef(request_id=REQUEST).source_id == REQUEST
    assert FeedbackRef(item_id=ITEM) == FeedbackRef(item_id=ITEM)
    assert FeedbackRef(item_id=ITEM) != FeedbackRef(request_id=ITEM)


@pytest.mark.parametrize(("item_id", "request_id"), [(None, None), (ITEM, REQUEST)])
def test_a_reference_names_exactly_one(item_id: UUID | None, request_id: UUID | None) -> None:
    with pytest.raises(ValueError, match="names an item or a request"):
        FeedbackRef(item_id=item_id, request_id=request_id)


@pytest.mark.parametrize("ref", [FeedbackRef(item_id=ITEM), FeedbackRef(request_id=REQUEST)])
def test_an_action_and_a_share_keep_their_reference(ref: FeedbackRef) -> None:
    action = FeedbackAction.record(
        ref, organization_id=ORG, owner_id=SUBJECT, kind=ActionKind.GOAL, goal_id=GOAL, now=NOW
    )
    assert (action.item_id, action.request_id) == (ref.item_id, ref.request_id)
    assert (action.kind, action.goal_id, action.talking_point_id) == (ActionKind.GOAL, GOAL, None)
    assert (action.owner_id, action.created_at) == (SUBJECT, NOW)
    assert action.ref == ref
    feedback_share = FeedbackShare(
        organization_id=ORG,
        owner_id=SUBJECT,
        audience=STEWARD,
        person_id=GIVER,
        relationship_id=uuid4(),
        created_at=NOW,
        item_id=ref.item_id,
        request_id=ref.request_id,
    )
    assert feedback_share.ref == ref


def _actions(*kinds: ActionKind) -> list[FeedbackAction]:
    return [
        FeedbackAction.record(
            FeedbackRef(item_id=ITEM), organization_id=ORG, owner_id=SUBJECT, kind=k, now=NOW
        )
        for k in kinds
    ]


ACK = ActionKind.ACKNOWLEDGED
TO_GOAL = ActionKind.GOAL
TO_POINT = ActionKind.TALKING_POINT


@pytest.mark.parametrize(
    ("kinds", "acknowledged", "acted_on"),
    [
        ((), False, False),
        ((ACK,), True, False),
        ((TO_GOAL,), False, True),
        ((TO_POINT,), False, True),
        ((TO_GOAL, TO_POINT), False, True),
        ((ACK, TO_GOAL), True, True),
        ((TO_POINT, ACK, TO_POINT), True, True),
    ],
)
def test_what_the_giver_sees(
    kinds: tuple[ActionKind, ...], acknowledged: bool, acted_on: bool
) -> None:
    assert Response.of(_actions(*kinds)) == Response(acknowledged=acknowledged, acted_on=acted_on)


# -- use cases: a world to run them in --------------------------------------------------


@dataclass
class World(OrgWorld):
    """ada receives feedback; bob is her steward (and fay's), cy her mentor in
    python; dee is nobody to her; eve was asked to mentor her but has not
    accepted; lee left; otto is in another organization."""

    areas: dict[str, KnowledgeArea]
    outsider: Person
    relationship_ids: dict[str, UUID] = field(default_factory=dict)
    """"leader>follower" (+ ":area" for a mentorship) -> relationship id."""

    @property
    def tables(self) -> Tables:
        return self.uows.db.tables

    def shares(self) -> list[FeedbackShare]:
        return list(self.tables.feedback_shares.values())

    def listed(self, ref: FeedbackRef | None = None) -> set[tuple[str, ShareAudience]]:
        """(person handle, audience) of every share not revoked (of `ref`),
        whether it still reaches them or not: what the owner sees listed."""
        return {
            (self.handle(s.person_id), s.audience)
            for s in self.shares()
            if s.revoked_at is None and (ref is None or s.ref == ref)
        }

    def active(self, ref: FeedbackRef | None = None) -> set[tuple[str, ShareAudience]]:
        """(person handle, audience) of every share (of `ref`) that reaches
        its person now (domain.shares.reach)."""
        return {
            (self.handle(s.person_id), s.audience)
            for s in self.shares()
            if s.revoked_at is None and (ref is None or s.ref == ref) and self.reaches(s)
        }

    def reaches(self, share: FeedbackShare) -> bool:
        relationship = None
        if share.relationship_id is not None:
            relationship = self.tables.relationships[share.relationship_id]
        people = self.tables.people
        found = reach(people[share.owner_id], people[share.person_id], relationship)
        return found.person_id is not None

    def actions(self, ref: FeedbackRef) -> list[FeedbackAction]:
        return [a for a in self.tables.feedback_actions.values() if a.ref == ref]


@pytest.fixture
async def world() -> World:
    uows = FakeUnitOfWorkFactory()
    acme = Organization.create(name="Acme", slug="acme", now=NOW)
    globex = Organization.create(name="Globex", slug="globex", now=NOW)
    members = {h: member(acme, h, NOW) for h in ("ada", "bob", "cy", "dee", "eve", "fay", "lee")}
    members["lee"].mark_left(NOW)
    areas = {
        name: KnowledgeArea.create(organization_id=acme.id, name=name, parent_id=None, now=NOW)
        for name in ("python", "sql")
    }
    outsider = member(globex, "otto", NOW)
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
        await uow.commit()
    w = World(uows, acme, members, areas, outsider)
    await relate(w, "bob", "ada", STEWARDSHIP)
    await relate(w, "bob", "fay", STEWARDSHIP)
    await relate(w, "cy", "ada", MENTORSHIP)
    await relate(w, "eve", "ada", MENTORSHIP, accept=False)
    w.clear_notifications()
    return w


async def relate(
    world: World,
    leader: str,
    follower: str,
    kind: RelationshipKind,
    *,
    area: str = "python",
    accept: bool = True,
) -> UUID:
    """`leader` proposes to lead `follower`, who accepts (a new steward takes
    over from the current one)."""
    async with world.uow() as uow:
        relationship = await relationships.propose(
            uow,
            world.actor(leader),
            kind=kind,
            other_person_id=world.id(follower),
            side=Side.LEADER,
            knowledge_area_ids=[world.areas[area].id] if kind is MENTORSHIP else [],
            now=NOW,
        )
        if accept:
            await relationships.accept(uow, world.actor(follower), relationship.id, now=LATER)
        await uow.commit()
    key = f"{leader}>{follower}" + (f":{area}" if kind is MENTORSHIP else "")
    world.relationship_ids[key] = relationship.id
    return relationship.id


async def end(world: World, key: str, *, by: str = "ada", now: datetime = LATEST) -> None:
    async with world.uow() as uow:
        await relationships.end(
            uow, world.actor(by), world.relationship_ids[key], reason="Time to move on.", now=now
        )
        await uow.commit()


async def give(
    world: World,
    by: str = "bob",
    to: str = "ada",
    *,
    text: str = "Your reviews explain the why.",
    goal_id: UUID | None = None,
    subject_id: UUID | None = None,
) -> FeedbackItem:
    async with world.uow() as uow:
        item = await feedback_items.give(
            uow,
            world.actor(by),
            subject_id=world.id(to) if subject_id is None else subject_id,
            text=text,
            goal_id=goal_id,
            now=NOW,
        )
        await uow.commit()
    return item


async def request(world: World, by: str = "ada") -> FeedbackRef:
    """A request of `by` (how it was asked does not matter here)."""
    feedback_request = FeedbackRequest.create(
        organization_id=world.organization.id,
        requester_id=world.id(by),
        topic="My code reviews",
        anonymity=Anonymity.NAMED,
        due_at=NOW + timedelta(days=14),
        goal_id=None,
        anonymity_threshold=3,
        membership_days=30,
        now=NOW,
    )
    async with world.uow() as uow:
        await uow.feedback.add_request(feedback_request)
        await uow.commit()
    return FeedbackRef(request_id=feedback_request.id)


async def item_ref(world: World, to: str = "ada", by: str = "dee") -> FeedbackRef:
    return (await give(world, by, to)).ref


async def share(
    world: World,
    ref: FeedbackRef,
    audience: ShareAudience,
    mentor: str | None = None,
    *,
    by: str = "ada",
    now: datetime = LATER,
) -> FeedbackShare:
    async with world.uow() as uow:
        result = await feedback_items.share(
            uow,
            world.actor(by),
            ref,
            audience=audience,
            person_id=None if mentor is None else world.id(mentor),
            now=now,
        )
        await uow.commit()
    return result


async def unshare(
    world: World,
    ref: FeedbackRef,
    audience: ShareAudience,
    mentor: str | None = None,
    *,
    by: str = "ada",
    now: datetime = LATEST,
) -> list[FeedbackShare]:
    async with world.uow() as uow:
        result = await feedback_items.unshare(
            uow,
            world.actor(by),
            ref,
            audience=audience,
            person_id=None if mentor is None else world.id(mentor),
            now=now,
        )
        await uow.commit()
    return result


async def acknowledge(world: World, ref: FeedbackRef, *, by: str = "ada") -> FeedbackAction:
    async with world.uow() as uow:
        action = await feedback_items.acknowledge(uow, world.actor(by), ref, now=LATER)
        await uow.commit()
    return action


async def into_goal(
    world: World, ref: FeedbackRef, *, by: str = "ada", activate: bool = False
) -> tuple[Goal, FeedbackAction]:
    async with world.uow() as uow:
        result = await feedback_items.turn_into_goal(
            uow,
            world.actor(by),
            ref,
            title="  Explain   the why  ",
            description="In every review.",
            stage=AutonomyStage.FIXED_GOALS,
            activate=activate,
            now=LATER,
        )
        await uow.commit()
    return result


async def into_talking_point(
    world: World,
    ref: FeedbackRef,
    relationship_id: UUID,
    *,
    by: str = "ada",
    text: str = "How I explain my reviews",
) -> tuple[TalkingPoint, FeedbackAction]:
    async with world.uow() as uow:
        result = await feedback_items.turn_into_talking_point(
            uow, world.actor(by), ref, relationship_id=relationship_id, text=text, now=LATER
        )
        await uow.commit()
    return result


async def ada_goal(
    world: World, audience: Audience | None = None, mentor: str | None = None
) -> Goal:
    """A goal of ada's, shared with `audience` (unshared without one)."""
    async with world.uow() as uow:
        goal = await goals.create(
            uow,
            world.actor("ada"),
            title="Review with care",
            stage=AutonomyStage.FIXED_GOALS,
            activate=True,
            now=NOW,
        )
        if audience is not None:
            await goals.share(
                uow,
                world.actor("ada"),
                goal.id,
                audience=audience,
                person_id=None if mentor is None else world.id(mentor),
                now=NOW,
            )
        await uow.commit()
    return goal


def feedback_rows(world: World) -> tuple[int, int, int, int, int]:
    t = world.tables
    return (
        len(t.feedback_items),
        len(t.feedback_shares),
        len(t.feedback_actions),
        len(t.talking_points),
        len(t.notifications),
    )


# -- give ------------------------------------------------------------------------------


async def test_give(world: World) -> None:
    item = await give(world, "bob", "ada", text="  Your reviews\nexplain the why.  ")
    stored = world.tables.feedback_items[item.id]
    assert (stored.subject_id, stored.giver_id) == (world.id("ada"), world.id("bob"))
    assert (stored.organization_id, stored.created_at) == (world.organization.id, NOW)
    assert (stored.text, stored.goal_id) == ("Your reviews\nexplain the why.", None)


async def test_the_subject_hears_of_it(world: World) -> None:
    item = await give(world, "dee", "ada")
    assert world.notifications() == [("ada", NotificationKind.FEEDBACK_RECEIVED)]
    (notification,) = world.tables.notifications.values()
    assert (notification.actor_id, notification.feedback_item_id) == (world.id("dee"), item.id)
    assert (notification.created_at, notification.organization_id) == (NOW, world.organization.id)


async def test_give_to_oneself(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await give(world, "ada", "ada")
    assert caught.value.code == "SELF_FEEDBACK"
    assert feedback_rows(world) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(("text", "code"), [("  ", "REQUIRED"), ("x" * (TEXT_MAX + 1), "TOO_LONG")])
async def test_give_validates_the_text(world: World, text: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await give(world, text=text)
    assert (caught.value.field, caught.value.code) == ("text", code)
    assert feedback_rows(world) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("subject", ["unknown", "foreign"])
async def test_give_to_someone_not_in_the_organization(world: World, subject: str) -> None:
    subject_id = uuid.uuid4() if subject == "unknown" else world.outsider.id
    with pytest.raises(NotFound) as caught:
        await give(world, subject_id=subject_id)
    assert caught.value.kind == "Person"
    assert feedback_rows(world) == (0, 0, 0, 0, 0)


async def test_give_to_someone_who_left(world: World) -> None:
    with pytest.raises(Conflict) as caught:
        await give(world, "bob", "lee")
    assert (caught.value.code, caught.value.field) == ("PERSON_LEFT", "subjectId")
    assert feedback_rows(world) == (0, 0, 0, 0, 0)


# -- give about a goal: only one the giver may read --------------------------------------


async def test_give_about_a_goal_shared_with_the_organization(world: World) -> None:
    goal = await ada_goal(world, Audience.ORGANIZATION)
    item = await give(world, "dee", "ada", goal_id=goal.id)
    assert world.tables.feedback_items[item.id].goal_id == goal.id


async def test_give_about_a_goal_shared_with_the_steward(world: World) -> None:
    goal = await ada_goal(world, Audience.STEWARD)
    item = await give(world, "bob", "ada", goal_id=goal.id)
    assert world.tables.feedback_items[item.id].goal_id == goal.id
    for giver in ("cy", "dee", "eve"):
        with pytest.raises(NotFound) as caught:
            await give(world, giver, "ada", goal_id=goal.id)
        assert caught.value.kind == "Goal"


async def test_give_about_a_goal_shared_with_the_giver_as_mentor(world: World) -> None:
    goal = await ada_goal(world, Audience.MENTOR, "cy")
    item = await give(world, "cy", "ada", goal_id=goal.id)
    assert world.tables.feedback_items[item.id].goal_id == goal.id
    # Shared with cy alone: not with the steward, nor another (would-be) mentor.
    for giver in ("bob", "dee", "eve"):
        with pytest.raises(NotFound):
            await give(world, giver, "ada", goal_id=goal.id)


async def test_give_about_a_goal_shared_with_another_mentor(world: World) -> None:
    await relate(world, "dee", "ada", MENTORSHIP, area="sql")
    goal = await ada_goal(world, Audience.MENTOR, "dee")
    with pytest.raises(NotFound):
        await give(world, "cy", "ada", goal_id=goal.id)


@pytest.mark.parametrize("giver", ["bob", "cy", "dee", "eve"])
async def test_give_about_an_unshared_goal(world: World, giver: str) -> None:
    """Not even the steward or a mentor: a private goal is not found."""
    goal = await ada_goal(world)
    with pytest.raises(NotFound) as caught:
        await give(world, giver, "ada", goal_id=goal.id)
    assert caught.value.kind == "Goal"
    assert feedback_rows(world) == (0, 0, 0, 0, 0)


async def test_give_about_a_goal_once_its_reader_stepped_back(world: World) -> None:
    """Shared with the steward and with cy; then bob hands over to dee and
    cy's mentorship ends: neither may refer to the goal any more, and nor
    may dee, who was not steward when it was shared."""
    steward_goal = await ada_goal(world, Audience.STEWARD)
    mentor_goal = await ada_goal(world, Audience.MENTOR, "cy")
    await relate(world, "dee", "ada", STEWARDSHIP)
    await end(world, "cy>ada:python")
    for giver, goal in (("bob", steward_goal), ("dee", steward_goal), ("cy", mentor_goal)):
        with pytest.raises(NotFound):
            await give(world, giver, "ada", goal_id=goal.id)
    # Shared with the steward again: now dee is who ada shares with.
    async with world.uow() as uow:
        await goals.share(
            uow, world.actor("ada"), steward_goal.id, audience=Audience.STEWARD, now=LATEST
        )
        await uow.commit()
    await give(world, "dee", "ada", goal_id=steward_goal.id)
    with pytest.raises(NotFound):
        await give(world, "bob", "ada", goal_id=steward_goal.id)


async def test_give_about_someone_elses_goal(world: World) -> None:
    """The goal must be the subject's, however readable it is."""
    async with world.uow() as uow:
        bobs = await goals.create(
            uow, world.actor("bob"), title="Mentor well", stage=AutonomyStage.TASKS, now=NOW
        )
        await goals.share(uow, world.actor("bob"), bobs.id, audience=Audience.ORGANIZATION, now=NOW)
        await uow.commit()
    for giver in ("dee", "bob"):
        with pytest.raises(NotFound) as caught:
            await give(world, giver, "ada", goal_id=bobs.id)
        assert caught.value.kind == "Goal"
    assert feedback_rows(world) == (0, 0, 0, 0, 0)


async def test_give_about_an_unknown_or_foreign_goal(world: World) -> None:
    foreign = Goal.create(
        organization_id=world.outsider.organization_id,
        owner_id=world.id("ada"),  # even claiming to be ada's
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
    for goal_id in (uuid.uuid4(), foreign.id):
        with pytest.raises(NotFound):
            await give(world, "bob", "ada", goal_id=goal_id)
    assert feedback_rows(world) == (0, 0, 0, 0, 0)


# -- only the owner shares or acts ---------------------------------------------------------

OWNER_ONLY = ["share", "unshare", "acknowledge", "goal", "talking_point"]


async def _attempt(
    world: World, uow: FakeUnitOfWork, actor: Actor, ref: FeedbackRef, action: str
) -> None:
    if action == "share":
        await feedback_items.share(uow, actor, ref, audience=STEWARD, now=LATER)
    elif action == "unshare":
        await feedback_items.unshare(uow, actor, ref, audience=STEWARD, now=LATER)
    elif action == "acknowledge":
        await feedback_items.acknowledge(uow, actor, ref, now=LATER)
    elif action == "goal":
        await feedback_items.turn_into_goal(
            uow, actor, ref, title="Mine now", stage=AutonomyStage.TASKS, now=LATER
        )
    else:
        await feedback_items.turn_into_talking_point(
            uow,
            actor,
            ref,
            relationship_id=world.relationship_ids["bob>ada"],
            text="Mine now",
            now=LATER,
        )


@pytest.mark.parametrize("action", OWNER_ONLY)
@pytest.mark.parametrize("by", ["dee", "bob", "cy"])
async def test_only_the_subject_acts_on_an_item(world: World, action: str, by: str) -> None:
    """Not its giver (dee), nor the steward or a mentor it is shared with."""
    ref = await item_ref(world, "ada", by="dee")
    await share(world, ref, STEWARD)
    await share(world, ref, MENTOR, "cy")
    before = feedback_rows(world)
    async with world.uow() as uow:
        with pytest.raises(NotFound) as caught:
            await _attempt(world, uow, world.actor(by), ref, action)
    assert caught.value.kind == "FeedbackItem"
    assert feedback_rows(world) == before
    assert world.active(ref) == {("bob", STEWARD), ("cy", MENTOR)}
    assert world.tables.goals == {}


@pytest.mark.parametrize("action", OWNER_ONLY)
@pytest.mark.parametrize("by", ["bob", "dee"])
async def test_only_the_requester_acts_on_a_request(world: World, action: str, by: str) -> None:
    ref = await request(world, "ada")
    await share(world, ref, STEWARD)
    before = feedback_rows(world)
    async with world.uow() as uow:
        with pytest.raises(NotFound) as caught:
            await _attempt(world, uow, world.actor(by), ref, action)
    assert caught.value.kind == "FeedbackRequest"
    assert feedback_rows(world) == before
    assert world.active(ref) == {("bob", STEWARD)}


@pytest.mark.parametrize("action", OWNER_ONLY)
async def test_unknown_and_foreign_feedback_is_not_found(world: World, action: str) -> None:
    # Of another organization, even if it names ada's id as its subject.
    foreign = FeedbackItem.give(
        organization_id=world.outsider.organization_id,
        subject_id=world.id("ada"),
        giver_id=world.outsider.id,
        text="Elsewhere",
        goal_id=None,
        now=NOW,
    )
    async with world.uows(world.outsider.organization_id) as uow:
        await uow.feedback_items.add(foreign)
        await uow.commit()
    before = feedback_rows(world)
    for ref in (
        FeedbackRef(item_id=uuid.uuid4()),
        FeedbackRef(request_id=uuid.uuid4()),
        foreign.ref,
    ):
        async with world.uow() as uow:
            with pytest.raises(NotFound):
                await _attempt(world, uow, world.actor("ada"), ref, action)
    assert feedback_rows(world) == before


async def test_an_item_id_is_not_a_request_id(world: World) -> None:
    item = await give(world, "dee", "ada")
    with pytest.raises(NotFound):
        await share(world, FeedbackRef(request_id=item.id), STEWARD)


# -- share -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["item", "request"])
async def test_share_with_the_steward(world: World, kind: str) -> None:
    """The share names the steward of the moment."""
    ref = await item_ref(world) if kind == "item" else await request(world)
    result = await share(world, ref, STEWARD)
    stored = world.tables.feedback_shares[result.id]
    assert (stored.audience, stored.person_id, stored.owner_id) == (
        STEWARD,
        world.id("bob"),
        world.id("ada"),
    )
    assert stored.ref == ref
    assert (stored.organization_id, stored.created_at, stored.revoked_at) == (
        world.organization.id,
        LATER,
        None,
    )
    assert world.active() == {("bob", STEWARD)}


@pytest.mark.parametrize("kind", ["item", "request"])
async def test_share_with_a_current_mentor(world: World, kind: str) -> None:
    ref = await item_ref(world) if kind == "item" else await request(world)
    result = await share(world, ref, MENTOR, "cy")
    stored = world.tables.feedback_shares[result.id]
    assert (stored.audience, stored.person_id, stored.ref) == (MENTOR, world.id("cy"), ref)
    assert world.active() == {("cy", MENTOR)}


async def test_share_without_a_steward(world: World) -> None:
    await end(world, "bob>ada")
    ref = await item_ref(world)
    with pytest.raises(Conflict) as caught:
        await share(world, ref, STEWARD)
    assert (caught.value.code, caught.value.field) == ("NO_STEWARD", "audience")
    assert world.shares() == []


async def test_a_proposed_steward_is_no_steward(world: World) -> None:
    ref = await item_ref(world, "dee", by="ada")
    await relate(world, "bob", "dee", STEWARDSHIP, accept=False)
    with pytest.raises(Conflict) as caught:
        await share(world, ref, STEWARD, by="dee")
    assert caught.value.code == "NO_STEWARD"


@pytest.mark.parametrize("mentor", ["bob", "dee", "eve", "ada", "lee"])
async def test_share_only_with_a_current_mentor(world: World, mentor: str) -> None:
    """bob stewards ada, dee is nobody, eve's mentorship is only proposed."""
    ref = await item_ref(world)
    with pytest.raises(ValidationFailed) as caught:
        await share(world, ref, MENTOR, mentor)
    assert (caught.value.field, caught.value.code) == ("personId", "NOT_YOUR_MENTOR")
    assert world.shares() == []


async def test_share_with_a_former_mentor(world: World) -> None:
    ref = await item_ref(world)
    await end(world, "cy>ada:python")
    with pytest.raises(ValidationFailed) as caught:
        await share(world, ref, MENTOR, "cy")
    assert caught.value.code == "NOT_YOUR_MENTOR"


async def test_share_with_someone_elses_mentor(world: World) -> None:
    await relate(world, "dee", "fay", MENTORSHIP)
    ref = await item_ref(world)
    with pytest.raises(ValidationFailed) as caught:
        await share(world, ref, MENTOR, "dee")
    assert caught.value.code == "NOT_YOUR_MENTOR"


async def test_share_with_a_mentor_names_the_mentor(world: World) -> None:
    ref = await item_ref(world)
    with pytest.raises(ValidationFailed) as caught:
        await share(world, ref, MENTOR)
    assert (caught.value.field, caught.value.code) == ("personId", "REQUIRED")
    assert world.shares() == []


@pytest.mark.parametrize("named", ["bob", "cy"])
async def test_a_steward_share_names_nobody(world: World, named: str) -> None:
    ref = await item_ref(world)
    with pytest.raises(ValidationFailed) as caught:
        await share(world, ref, STEWARD, named)
    assert (caught.value.field, caught.value.code) == ("personId", "NOT_ALLOWED")
    assert world.shares() == []


@pytest.mark.parametrize(("audience", "mentor"), [(STEWARD, None), (MENTOR, "cy")])
async def test_sharing_twice_returns_the_same_share(
    world: World, audience: ShareAudience, mentor: str | None
) -> None:
    ref = await item_ref(world)
    first = await share(world, ref, audience, mentor)
    second = await share(world, ref, audience, mentor, now=LATEST)
    assert second.id == first.id
    assert second.created_at == LATER
    assert len(world.shares()) == 1


async def test_shares_are_separate_per_audience_mentor_and_feedback(world: World) -> None:
    await relate(world, "dee", "ada", MENTORSHIP, area="sql")
    ref = await item_ref(world)
    other = await request(world)
    ids = {
        (await share(world, ref, STEWARD)).id,
        (await share(world, ref, MENTOR, "cy")).id,
        (await share(world, ref, MENTOR, "dee")).id,
        (await share(world, other, STEWARD)).id,
    }
    assert len(ids) == 4 == len(world.shares())
    assert world.active(ref) == {("bob", STEWARD), ("cy", MENTOR), ("dee", MENTOR)}
    assert world.active(other) == {("bob", STEWARD)}


async def test_share_with_the_same_person_as_steward_and_as_mentor(world: World) -> None:
    await relate(world, "bob", "ada", MENTORSHIP, area="sql")
    ref = await item_ref(world)
    as_steward = await share(world, ref, STEWARD)
    as_mentor = await share(world, ref, MENTOR, "bob")
    assert as_steward.id != as_mentor.id
    assert world.active(ref) == {("bob", STEWARD), ("bob", MENTOR)}


async def test_a_new_steward_does_not_inherit_a_share(world: World) -> None:
    ref = await item_ref(world)
    await share(world, ref, STEWARD)
    await relate(world, "dee", "ada", STEWARDSHIP)
    assert world.active(ref) == set()
    # Shared again: with the new steward, as a new share.
    again = await share(world, ref, STEWARD, now=LATEST)
    assert again.person_id == world.id("dee")
    assert world.active(ref) == {("dee", STEWARD)}
    assert len(world.shares()) == 2


# -- unshare ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("audience", "mentor"), [(STEWARD, None), (MENTOR, "cy")])
async def test_unshare_revokes(world: World, audience: ShareAudience, mentor: str | None) -> None:
    ref = await item_ref(world)
    first = await share(world, ref, audience, mentor)
    revoked = await unshare(world, ref, audience, mentor)
    assert [s.id for s in revoked] == [first.id]
    (row,) = world.shares()
    assert row.revoked_at == LATEST
    async with world.uow() as uow:
        assert await uow.feedback_items.active_shares(ref) == []
    # Taken back twice: there is nothing left to take back.
    with pytest.raises(NotFound) as caught:
        await unshare(world, ref, audience, mentor)
    assert caught.value.kind == "FeedbackShare"
    # Shared again: a new share, the old one kept as history.
    again = await share(world, ref, audience, mentor, now=LATEST)
    assert again.id != first.id
    assert len(world.shares()) == 2


async def test_unshare_a_request(world: World) -> None:
    ref = await request(world)
    await share(world, ref, STEWARD)
    await unshare(world, ref, STEWARD)
    assert world.active() == set()


async def test_unshare_what_is_not_shared(world: World) -> None:
    await relate(world, "dee", "ada", MENTORSHIP, area="sql")
    ref = await item_ref(world)
    with pytest.raises(NotFound):
        await unshare(world, ref, STEWARD)
    await share(world, ref, MENTOR, "cy")
    with pytest.raises(NotFound):
        await unshare(world, ref, STEWARD)
    with pytest.raises(NotFound):
        await unshare(world, ref, MENTOR, "dee")
    # Another piece of feedback shared is not this one.
    other = await item_ref(world)
    await share(world, other, STEWARD)
    with pytest.raises(NotFound):
        await unshare(world, ref, STEWARD)
    assert world.active(ref) == {("cy", MENTOR)}
    assert world.active(other) == {("bob", STEWARD)}


async def test_unshare_one_mentor_keeps_the_others(world: World) -> None:
    await relate(world, "dee", "ada", MENTORSHIP, area="sql")
    ref = await item_ref(world)
    await share(world, ref, STEWARD)
    await share(world, ref, MENTOR, "cy")
    await share(world, ref, MENTOR, "dee")
    await unshare(world, ref, MENTOR, "cy")
    assert world.active(ref) == {("bob", STEWARD), ("dee", MENTOR)}


async def test_unshare_from_a_mentor_names_the_mentor(world: World) -> None:
    ref = await item_ref(world)
    await share(world, ref, MENTOR, "cy")
    with pytest.raises(ValidationFailed) as caught:
        await unshare(world, ref, MENTOR)
    assert caught.value.field == "personId"
    assert world.active(ref) == {("cy", MENTOR)}


async def test_unshare_from_the_steward_may_name_a_past_steward(world: World) -> None:
    """Without a person every steward share ends; naming one (a past steward
    whose share reaches nobody any more) ends only theirs."""
    ref = await item_ref(world)
    await share(world, ref, STEWARD)
    await relate(world, "dee", "ada", STEWARDSHIP)
    current = await share(world, ref, STEWARD, now=LATEST)
    assert world.listed(ref) == {("bob", STEWARD), ("dee", STEWARD)}
    assert world.active(ref) == {("dee", STEWARD)}
    with pytest.raises(NotFound):
        await unshare(world, ref, STEWARD, "cy")
    (revoked,) = await unshare(world, ref, STEWARD, "bob")
    assert revoked.person_id == world.id("bob")
    assert world.listed(ref) == {("dee", STEWARD)}
    assert world.tables.feedback_shares[current.id].revoked_at is None


async def test_unshare_from_the_steward_ends_every_steward_share(world: World) -> None:
    """A past steward's share, which reaches nobody any more, ends along with
    the current steward's; a mentor share stays."""
    ref = await item_ref(world)
    past = await share(world, ref, STEWARD)
    await relate(world, "dee", "ada", STEWARDSHIP)
    current = await share(world, ref, STEWARD)
    await share(world, ref, MENTOR, "cy")
    assert world.listed(ref) == {("bob", STEWARD), ("dee", STEWARD), ("cy", MENTOR)}
    revoked = await unshare(world, ref, STEWARD)
    assert {s.id for s in revoked} == {past.id, current.id}
    assert world.listed(ref) == {("cy", MENTOR)}
    assert world.tables.feedback_shares[past.id].revoked_at == LATEST


# -- relationships ending take shares with them ------------------------------------------------


async def _shared_everywhere(world: World) -> tuple[FeedbackRef, FeedbackRef, FeedbackRef]:
    """bob also mentors ada (sql). An item and a request of ada's shared with
    bob as steward and as mentor, and with cy; an item of fay's shared with
    bob, her steward too."""
    await relate(world, "bob", "ada", MENTORSHIP, area="sql")
    item, req = await item_ref(world), await request(world)
    for ref in (item, req):
        await share(world, ref, STEWARD)
        await share(world, ref, MENTOR, "bob")
        await share(world, ref, MENTOR, "cy")
    fays = await item_ref(world, "fay")
    await share(world, fays, STEWARD, by="fay")
    return item, req, fays


@pytest.mark.parametrize("by", ["ada", "bob"])
async def test_ending_a_stewardship_ends_the_steward_shares(world: World, by: str) -> None:
    item, req, fays = await _shared_everywhere(world)
    await end(world, "bob>ada", by=by)
    for ref in (item, req):
        assert world.active(ref) == {("bob", MENTOR), ("cy", MENTOR)}
        # Still listed to ada, reaching nobody, until she takes it back.
        assert world.listed(ref) == {("bob", STEWARD), ("bob", MENTOR), ("cy", MENTOR)}
    assert world.active(fays) == {("bob", STEWARD)}
    assert all(s.revoked_at is None for s in world.shares())


@pytest.mark.parametrize("by", ["ada", "bob"])
async def test_ending_a_mentorship_ends_the_shares_with_that_mentor(world: World, by: str) -> None:
    item, req, fays = await _shared_everywhere(world)
    await end(world, "bob>ada:sql", by=by)
    for ref in (item, req):
        assert world.active(ref) == {("bob", STEWARD), ("cy", MENTOR)}
    assert world.active(fays) == {("bob", STEWARD)}


async def test_a_stewardship_handover_ends_the_old_stewards_shares(world: World) -> None:
    item, req, fays = await _shared_everywhere(world)
    await relate(world, "dee", "ada", STEWARDSHIP)
    for ref in (item, req):
        assert world.active(ref) == {("bob", MENTOR), ("cy", MENTOR)}
    assert world.active(fays) == {("bob", STEWARD)}
    async with world.uow() as uow:
        (old,) = [s for s in await uow.feedback_items.active_shares(item) if s.audience is STEWARD]
        assert (await shares.reach_of(uow, old)) == Reach(None, LATER, ShareEnd.HANDED_OVER)


async def test_leaving_ends_the_shares_with_the_leaver(world: World) -> None:
    item, req, _ = await _shared_everywhere(world)
    async with world.uow() as uow:
        await relationships.close_all_of(uow, world.id("cy"), by=world.id("dee"), now=LATEST)
        await uow.commit()
    for ref in (item, req):
        assert world.active(ref) == {("bob", STEWARD), ("bob", MENTOR)}


async def test_ending_a_coaching_ends_nothing(world: World) -> None:
    await relate(world, "cy", "ada", RelationshipKind.COACHING)
    await _shared_everywhere(world)
    before = world.active()
    await end(world, "cy>ada")
    assert world.active() == before


async def test_a_later_relationship_does_not_revive_a_share(world: World) -> None:
    ref = await item_ref(world)
    first = await share(world, ref, MENTOR, "cy")
    await end(world, "cy>ada:python")
    await relate(world, "cy", "ada", MENTORSHIP)
    assert world.active(ref) == set()
    # Shared again: a new share, in the new mentorship; the first one stays
    # listed, reaching nobody, until taken back.
    again = await share(world, ref, MENTOR, "cy", now=LATEST)
    assert again.id != first.id
    assert world.active(ref) == {("cy", MENTOR)}
    assert {s.id for s in await unshare(world, ref, MENTOR, "cy")} == {first.id, again.id}


# -- shares with named colleagues -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["item", "request"])
async def test_share_with_a_named_colleague(world: World, kind: str) -> None:
    ref = await item_ref(world) if kind == "item" else await request(world)
    result = await share(world, ref, PERSON, "fay")
    stored = world.tables.feedback_shares[result.id]
    assert (stored.audience, stored.person_id, stored.relationship_id) == (
        PERSON,
        world.id("fay"),
        None,
    )
    assert world.active(ref) == {("fay", PERSON)}
    # Sharing twice is harmless.
    assert (await share(world, ref, PERSON, "fay", now=LATEST)).id == result.id


async def test_a_share_by_name_survives_a_handover(world: World) -> None:
    ref = await item_ref(world)
    await share(world, ref, STEWARD)
    await share(world, ref, PERSON, "bob")
    await relate(world, "dee", "ada", STEWARDSHIP)
    assert world.active(ref) == {("bob", PERSON)}


async def test_a_share_by_name_ends_when_they_leave(world: World) -> None:
    ref = await item_ref(world)
    result = await share(world, ref, PERSON, "fay")
    world.tables.people[world.id("fay")].mark_left(LATEST)
    assert world.active(ref) == set()
    async with world.uow() as uow:
        assert await shares.reach_of(uow, result) == Reach(None, LATEST, ShareEnd.PERSON_LEFT)


async def test_every_share_of_an_owner_who_left_reaches_nobody(world: World) -> None:
    """Her relationships still recorded as active (a missed revocation)."""
    item, req, fays = await _shared_everywhere(world)
    for ref in (item, req):
        await share(world, ref, PERSON, "fay")
    world.tables.people[world.id("ada")].mark_left(LATEST)

    assert world.active(item) == world.active(req) == set()
    assert world.active(fays) == {("bob", STEWARD)}
    async with world.uow() as uow:
        for found in (s for s in world.shares() if s.owner_id == world.id("ada")):
            assert await shares.reach_of(uow, found) == Reach(None, LATEST, ShareEnd.PERSON_LEFT)


@pytest.mark.parametrize(
    ("person", "error", "code"),
    [
        ("ada", ValidationFailed, "SELF_SHARE"),
        ("lee", Conflict, "PERSON_LEFT"),
        (None, ValidationFailed, "REQUIRED"),
    ],
)
async def test_share_with_a_colleague_is_refused(
    world: World, person: str | None, error: type[Exception], code: str
) -> None:
    ref = await item_ref(world)
    with pytest.raises(error) as caught:
        await share(world, ref, PERSON, person)
    assert (caught.value.field, caught.value.code) == ("personId", code)  # type: ignore[attr-defined]
    assert world.shares() == []


async def test_share_with_an_outsider_is_not_found(world: World) -> None:
    ref = await item_ref(world)
    for person_id in (world.outsider.id, uuid4()):
        async with world.uow() as uow:
            with pytest.raises(NotFound) as caught:
                await feedback_items.share(
                    uow, world.actor("ada"), ref, audience=PERSON, person_id=person_id, now=LATER
                )
        assert caught.value.kind == "Person"
    assert world.shares() == []


# -- acknowledge -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["item", "request"])
async def test_acknowledge_once(world: World, kind: str) -> None:
    ref = await item_ref(world) if kind == "item" else await request(world)
    first = await acknowledge(world, ref)
    stored = world.tables.feedback_actions[first.id]
    assert (stored.kind, stored.ref, stored.owner_id) == (
        ActionKind.ACKNOWLEDGED,
        ref,
        world.id("ada"),
    )
    assert (stored.created_at, stored.goal_id, stored.talking_point_id) == (LATER, None, None)
    again = await acknowledge(world, ref)
    assert again.id == first.id
    assert len(world.actions(ref)) == 1


async def test_acknowledging_one_item_does_not_acknowledge_another(world: World) -> None:
    ref, other = await item_ref(world), await item_ref(world)
    await acknowledge(world, ref)
    assert world.actions(other) == []
    assert (await acknowledge(world, other)).id != (await acknowledge(world, ref)).id


async def test_acknowledge_after_acting_on_it(world: World) -> None:
    ref = await item_ref(world)
    await into_goal(world, ref)
    await acknowledge(world, ref)
    await acknowledge(world, ref)
    assert sorted(a.kind.value for a in world.actions(ref)) == ["ACKNOWLEDGED", "GOAL"]


# -- turn into a goal --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activate", "status"), [(False, GoalStatus.DRAFT), (True, GoalStatus.ACTIVE)]
)
async def test_turn_into_a_goal(world: World, activate: bool, status: GoalStatus) -> None:
    ref = await item_ref(world)
    goal, action = await into_goal(world, ref, activate=activate)
    stored = world.tables.goals[goal.id]
    assert (stored.owner_id, stored.organization_id) == (world.id("ada"), world.organization.id)
    assert (stored.title, stored.description, stored.status) == (
        "Explain the why",
        "In every review.",
        status,
    )
    recorded = world.tables.feedback_actions[action.id]
    assert (recorded.kind, recorded.ref, recorded.goal_id) == (ActionKind.GOAL, ref, goal.id)
    assert (recorded.owner_id, recorded.talking_point_id) == (world.id("ada"), None)


async def test_a_goal_from_feedback_is_private(world: World) -> None:
    ref = await item_ref(world, by="bob")
    goal, _ = await into_goal(world, ref)
    assert [s for s in world.tables.goal_shares.values() if s.goal_id == goal.id] == []


async def test_turn_a_request_into_a_goal(world: World) -> None:
    ref = await request(world)
    goal, action = await into_goal(world, ref)
    assert world.tables.feedback_actions[action.id].request_id == ref.request_id
    assert world.tables.goals[goal.id].owner_id == world.id("ada")


async def test_turn_into_a_goal_validates_the_goal(world: World) -> None:
    ref = await item_ref(world)
    async with world.uow() as uow:
        with pytest.raises(ValidationFailed):
            await feedback_items.turn_into_goal(
                uow, world.actor("ada"), ref, title="  ", stage=AutonomyStage.TASKS, now=LATER
            )
        with pytest.raises(NotFound) as caught:
            await feedback_items.turn_into_goal(
                uow,
                world.actor("ada"),
                ref,
                title="Fine",
                stage=AutonomyStage.TASKS,
                knowledge_area_id=uuid.uuid4(),
                now=LATER,
            )
        assert caught.value.kind == "KnowledgeArea"
        assert world.tables.goals == {}
        assert world.actions(ref) == []


# -- turn into a talking point ------------------------------------------------------------------


@pytest.mark.parametrize("relationship", ["bob>ada", "cy>ada:python"])
async def test_turn_into_a_talking_point(world: World, relationship: str) -> None:
    ref = await item_ref(world)
    relationship_id = world.relationship_ids[relationship]
    point, action = await into_talking_point(
        world, ref, relationship_id, text="  How   I explain\nmy reviews "
    )
    stored = world.tables.talking_points[point.id]
    assert (stored.relationship_id, stored.author_id) == (relationship_id, world.id("ada"))
    assert (stored.text, stored.created_at) == ("How I explain my reviews", LATER)
    assert stored.organization_id == world.organization.id
    recorded = world.tables.feedback_actions[action.id]
    assert (recorded.kind, recorded.ref) == (ActionKind.TALKING_POINT, ref)
    assert (recorded.talking_point_id, recorded.goal_id) == (stored.id, None)


async def test_a_leader_turns_feedback_into_a_talking_point(world: World) -> None:
    """The owner may be the leader of the relationship: bob, about fay's stewardship."""
    ref = await item_ref(world, "bob", by="dee")
    point, _ = await into_talking_point(world, ref, world.relationship_ids["bob>fay"], by="bob")
    assert world.tables.talking_points[point.id].author_id == world.id("bob")


async def test_a_request_becomes_a_talking_point(world: World) -> None:
    ref = await request(world)
    _, action = await into_talking_point(world, ref, world.relationship_ids["bob>ada"])
    assert world.tables.feedback_actions[action.id].request_id == ref.request_id


async def test_a_talking_point_in_someone_elses_relationship(world: World) -> None:
    await relate(world, "dee", "fay", MENTORSHIP)
    ref = await item_ref(world)
    for key in ("bob>fay", "dee>fay:python"):
        with pytest.raises(NotFound) as caught:
            await into_talking_point(world, ref, world.relationship_ids[key])
        assert caught.value.kind == "Relationship"
    with pytest.raises(NotFound):
        await into_talking_point(world, ref, uuid.uuid4())
    assert world.tables.talking_points == {}
    assert world.actions(ref) == []


async def test_a_talking_point_in_an_ended_relationship(world: World) -> None:
    ref = await item_ref(world)
    await end(world, "cy>ada:python")
    assert world.tables.relationships[world.relationship_ids["cy>ada:python"]].status is (
        RelationshipStatus.ENDED
    )
    with pytest.raises(Conflict) as caught:
        await into_talking_point(world, ref, world.relationship_ids["cy>ada:python"])
    assert (caught.value.code, caught.value.field) == ("NOT_ACTIVE", "relationshipId")
    assert world.tables.talking_points == {}
    assert world.actions(ref) == []


async def test_a_talking_point_in_a_proposed_relationship(world: World) -> None:
    ref = await item_ref(world)
    with pytest.raises(Conflict) as caught:
        await into_talking_point(world, ref, world.relationship_ids["eve>ada:python"])
    assert caught.value.code == "NOT_ACTIVE"
    assert world.tables.talking_points == {}


@pytest.mark.parametrize(("text", "code"), [("   ", "REQUIRED"), ("x" * 501, "TOO_LONG")])
async def test_a_talking_point_has_text(world: World, text: str, code: str) -> None:
    ref = await item_ref(world)
    with pytest.raises(ValidationFailed) as caught:
        await into_talking_point(world, ref, world.relationship_ids["bob>ada"], text=text)
    assert (caught.value.field, caught.value.code) == ("text", code)
    assert world.tables.talking_points == {}
    assert world.actions(ref) == []


# -- what the giver learns ------------------------------------------------------------------------


async def test_the_giver_learns_it_was_acknowledged_and_acted_on(world: World) -> None:
    ref = await item_ref(world, by="dee")

    async def response() -> Response:
        async with world.uow() as uow:
            return Response.of(await uow.feedback_items.actions_of(ref))

    assert await response() == Response(acknowledged=False, acted_on=False)
    await acknowledge(world, ref)
    assert await response() == Response(acknowledged=True, acted_on=False)
    await into_talking_point(world, ref, world.relationship_ids["bob>ada"])
    assert await response() == Response(acknowledged=True, acted_on=True)
    # Sharing is not acting on it.
    other = await item_ref(world, by="dee")
    await share(world, other, STEWARD)
    async with world.uow() as uow:
        assert Response.of(await uow.feedback_items.actions_of(other)) == Response(False, False)
