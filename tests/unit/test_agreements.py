"""Autonomy agreements: the entity (two-sided consent, own assessments only,
signals) and domain/services/agreements.py on the in-memory unit of work
(where agreements live, every change recorded, ending with the relationship)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from domain.actors import Actor
from domain.agreements import (
    CONTEXT_MAX,
    AgreementField,
    AgreementStatus,
    AutonomyAgreement,
    Dimension,
)
from domain.autonomy import AutonomyStage, SignalKind
from domain.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from domain.knowledge_areas import KnowledgeArea
from domain.organizations import Organization
from domain.people import Person
from domain.relationships import RelationshipKind, Side
from domain.roles import Role, RoleAssignment, RoleStatus
from domain.services import agreements, relationships
from domain.teams import Team, TeamMembership
from tests.unit.fakes import FakeUnitOfWork, FakeUnitOfWorkFactory
from tests.unit.world import OrgWorld, member

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
LATEST = NOW + timedelta(hours=2)
TODAY = NOW.date()
NEXT_MONTH = TODAY + timedelta(days=30)

TASKS = AutonomyStage.TASKS
FIXED = AutonomyStage.FIXED_GOALS
FLEXIBLE = AutonomyStage.FLEXIBLE_GOALS
PURPOSE = AutonomyStage.PURPOSE

PROPOSED = AgreementStatus.PROPOSED
ACTIVE = AgreementStatus.ACTIVE
ENDED = AgreementStatus.ENDED

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
LEADER = uuid.UUID("00000000-0000-4000-8000-00000000000a")
FOLLOWER = uuid.UUID("00000000-0000-4000-8000-00000000000b")
STRANGER = uuid.UUID("00000000-0000-4000-8000-00000000000c")
RELATIONSHIP = uuid.UUID("00000000-0000-4000-8000-0000000000ee")


# -- the entity ------------------------------------------------------------------


def make_agreement(
    *,
    by: UUID = LEADER,
    stage: AutonomyStage = FIXED,
    context: str = "Release planning",
    review_on: date | None = None,
) -> AutonomyAgreement:
    return AutonomyAgreement.propose(
        organization_id=ORG,
        leader_id=LEADER,
        follower_id=FOLLOWER,
        by=by,
        context=context,
        stage=stage,
        relationship_id=RELATIONSHIP,
        role_assignment_id=None,
        knowledge_area_id=None,
        dimension=Dimension.HOW,
        review_on=review_on,
        now=NOW,
    )


def make_active(stage: AutonomyStage = FIXED) -> AutonomyAgreement:
    agreement = make_agreement(stage=stage)
    agreement.confirm_stage(FOLLOWER, agreement.proposed_stage or TASKS, NOW)
    return agreement


def make_ended() -> AutonomyAgreement:
    agreement = make_active()
    agreement.end(FOLLOWER, LATER)
    return agreement


def test_propose_agreement() -> None:
    agreement = make_agreement(context="  Release   planning ", review_on=NEXT_MONTH)
    assert agreement.status is PROPOSED
    assert agreement.agreed_stage is None
    assert (agreement.proposed_stage, agreement.proposed_by_id) == (FIXED, LEADER)
    assert agreement.created_by_id == LEADER
    assert agreement.context == "Release planning"
    assert agreement.dimension is Dimension.HOW
    assert agreement.review_on == NEXT_MONTH
    assert agreement.created_at == agreement.updated_at == NOW
    assert agreement.follower_view is agreement.leader_view is None
    assert agreement.leader_capability is None
    assert agreement.signals == []


@pytest.mark.parametrize(
    ("context", "code"),
    [("", "REQUIRED"), ("  ", "REQUIRED"), ("x" * (CONTEXT_MAX + 1), "TOO_LONG")],
)
def test_context_is_required_and_bounded(context: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_agreement(context=context)
    assert (caught.value.field, caught.value.code) == ("context", code)


@pytest.mark.parametrize("review_on", [TODAY, TODAY - timedelta(days=1)])
def test_review_date_lies_in_the_future(review_on: date) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_agreement(review_on=review_on)
    assert (caught.value.field, caught.value.code) == ("reviewOn", "REVIEW_DATE_PAST")


def test_sides() -> None:
    agreement = make_agreement()
    assert agreement.side_of(LEADER) is Side.LEADER
    assert agreement.side_of(FOLLOWER) is Side.FOLLOWER
    assert agreement.involves(LEADER)
    assert agreement.involves(FOLLOWER)
    assert not agreement.involves(STRANGER)
    with pytest.raises(PermissionDenied) as caught:
        agreement.side_of(STRANGER)
    assert caught.value.code == "NOT_A_PARTY"


@pytest.mark.parametrize(("proposer", "other"), [(LEADER, FOLLOWER), (FOLLOWER, LEADER)])
def test_the_other_side_confirms_the_first_stage(proposer: UUID, other: UUID) -> None:
    agreement = make_agreement(by=proposer, stage=FLEXIBLE)
    with pytest.raises(PermissionDenied) as caught:
        agreement.confirm_stage(proposer, agreement.proposed_stage or TASKS, LATER)
    assert caught.value.code == "OWN_PROPOSAL"
    assert (agreement.status, agreement.agreed_stage) == (PROPOSED, None)
    assert agreement.confirm_stage(other, agreement.proposed_stage or TASKS, LATER) is FLEXIBLE
    assert (agreement.status, agreement.agreed_stage, agreement.updated_at) == (
        ACTIVE,
        FLEXIBLE,
        LATER,
    )
    assert agreement.proposed_stage is agreement.proposed_by_id is None


def test_confirm_needs_a_proposal() -> None:
    agreement = make_active()
    for by in (LEADER, FOLLOWER):
        with pytest.raises(Conflict) as caught:
            agreement.confirm_stage(by, agreement.proposed_stage or TASKS, LATER)
        assert caught.value.code == "NOTHING_PROPOSED"
        with pytest.raises(Conflict) as caught:
            agreement.reject_stage(by, LATER)
        assert caught.value.code == "NOTHING_PROPOSED"


def test_a_new_stage_is_agreed_only_on_confirmation() -> None:
    agreement = make_active(FIXED)
    agreement.propose_stage(FOLLOWER, PURPOSE, LATER)
    assert (agreement.agreed_stage, agreement.proposed_stage) == (FIXED, PURPOSE)
    assert agreement.proposed_by_id == FOLLOWER
    with pytest.raises(PermissionDenied):
        agreement.confirm_stage(FOLLOWER, agreement.proposed_stage or TASKS, LATER)
    assert agreement.agreed_stage is FIXED
    # A counter-proposal replaces the pending one; now the follower confirms.
    agreement.propose_stage(LEADER, FLEXIBLE, LATER)
    assert (agreement.proposed_stage, agreement.proposed_by_id) == (FLEXIBLE, LEADER)
    agreement.confirm_stage(FOLLOWER, agreement.proposed_stage or TASKS, LATEST)
    assert (agreement.agreed_stage, agreement.proposed_stage) == (FLEXIBLE, None)
    assert agreement.status is ACTIVE


def test_proposing_the_agreed_stage_is_no_change() -> None:
    agreement = make_active(FIXED)
    with pytest.raises(Conflict) as caught:
        agreement.propose_stage(LEADER, FIXED, LATER)
    assert caught.value.code == "UNCHANGED"
    assert agreement.proposed_stage is None


@pytest.mark.parametrize("by", [LEADER, FOLLOWER])
def test_reject_keeps_the_agreed_stage(by: UUID) -> None:
    """The proposer withdraws, or the other side declines."""
    agreement = make_active(FIXED)
    agreement.propose_stage(LEADER, TASKS, LATER)
    agreement.reject_stage(by, LATEST)
    assert (agreement.agreed_stage, agreement.status) == (FIXED, ACTIVE)
    assert agreement.proposed_stage is agreement.proposed_by_id is None


def test_each_side_assesses_its_own() -> None:
    agreement = make_active(FIXED)
    assert agreement.assess(FOLLOWER, follower_view=FLEXIBLE, now=LATER) == [
        (AgreementField.FOLLOWER_VIEW, None, FLEXIBLE)
    ]
    assert agreement.assess(LEADER, leader_view=FLEXIBLE, leader_capability=PURPOSE, now=LATER) == [
        (AgreementField.LEADER_VIEW, None, FLEXIBLE),
        (AgreementField.LEADER_CAPABILITY, None, PURPOSE),
    ]
    # Setting the same again changes nothing; None leaves a value as it is.
    assert agreement.assess(LEADER, leader_view=FLEXIBLE, now=LATEST) == []
    assert agreement.assess(LEADER, leader_capability=FLEXIBLE, now=LATEST) == [
        (AgreementField.LEADER_CAPABILITY, PURPOSE, FLEXIBLE)
    ]
    assert (agreement.follower_view, agreement.leader_view, agreement.leader_capability) == (
        FLEXIBLE,
        FLEXIBLE,
        FLEXIBLE,
    )


@pytest.mark.parametrize(
    ("by", "given"),
    [
        (FOLLOWER, {"leader_view": FIXED}),
        (FOLLOWER, {"leader_capability": FIXED}),
        (FOLLOWER, {"follower_view": FIXED, "leader_view": FIXED}),
        (LEADER, {"follower_view": FIXED}),
        (LEADER, {"follower_view": FIXED, "leader_view": FIXED, "leader_capability": FIXED}),
    ],
)
def test_nobody_gives_the_other_sides_assessment(by: UUID, given: dict[str, AutonomyStage]) -> None:
    agreement = make_active(TASKS)
    before = vars(agreement).copy()
    with pytest.raises(PermissionDenied) as caught:
        agreement.assess(by, now=LATER, **given)  # type: ignore[arg-type]
    assert caught.value.code == "NOT_YOUR_ASSESSMENT"
    assert vars(agreement) == before


def test_assess_while_proposed() -> None:
    """Views can be given before the first stage is agreed; no signals yet."""
    agreement = make_agreement(stage=TASKS)
    agreement.assess(FOLLOWER, follower_view=PURPOSE, now=LATER)
    assert agreement.follower_view is PURPOSE
    assert agreement.signals == []
    agreement.confirm_stage(FOLLOWER, agreement.proposed_stage or TASKS, LATER)
    assert [s.kind for s in agreement.signals] == [SignalKind.UNDER_CHALLENGED]


def test_signals_only_for_active_agreements() -> None:
    agreement = make_agreement(stage=PURPOSE)
    agreement.assess(FOLLOWER, follower_view=TASKS, now=NOW)
    agreement.assess(LEADER, leader_view=FLEXIBLE, leader_capability=FIXED, now=NOW)
    assert agreement.signals == []
    agreement.confirm_stage(FOLLOWER, agreement.proposed_stage or TASKS, NOW)
    assert {s.kind for s in agreement.signals} == {
        SignalKind.OVERWHELMED,
        SignalKind.LEADER_GAP,
        SignalKind.PERCEPTION_GAP,
    }
    assert all(s.agreed is PURPOSE for s in agreement.signals)
    agreement.end(LEADER, LATER)
    assert agreement.signals == []


def test_set_review() -> None:
    agreement = make_active()
    agreement.set_review(FOLLOWER, NEXT_MONTH, LATER)
    assert (agreement.review_on, agreement.updated_at) == (NEXT_MONTH, LATER)
    with pytest.raises(ValidationFailed) as caught:
        agreement.set_review(LEADER, TODAY, LATER)
    assert caught.value.code == "REVIEW_DATE_PAST"
    assert agreement.review_on == NEXT_MONTH


def test_is_due_for_review() -> None:
    agreement = make_active()
    assert not agreement.is_due_for_review(TODAY + timedelta(days=999))
    agreement.set_review(LEADER, NEXT_MONTH, NOW)
    assert not agreement.is_due_for_review(NEXT_MONTH - timedelta(days=1))
    assert agreement.is_due_for_review(NEXT_MONTH)
    assert agreement.is_due_for_review(NEXT_MONTH + timedelta(days=1))
    proposed = make_agreement(review_on=NEXT_MONTH)
    assert not proposed.is_due_for_review(NEXT_MONTH)
    agreement.end(LEADER, LATER)
    assert not agreement.is_due_for_review(NEXT_MONTH)


@pytest.mark.parametrize("by", [LEADER, FOLLOWER])
def test_either_side_ends(by: UUID) -> None:
    agreement = make_active(FIXED)
    agreement.end(by, LATER)
    assert (agreement.status, agreement.updated_at) == (ENDED, LATER)
    assert agreement.agreed_stage is FIXED  # history stays


def test_a_proposed_agreement_can_be_ended() -> None:
    agreement = make_agreement()
    agreement.end(FOLLOWER, LATER)
    assert agreement.status is ENDED


CHANGES: dict[str, Callable[[AutonomyAgreement, UUID], object]] = {
    "propose_stage": lambda a, by: a.propose_stage(by, PURPOSE, LATEST),
    "confirm_stage": lambda a, by: a.confirm_stage(by, a.proposed_stage or TASKS, LATEST),
    "reject_stage": lambda a, by: a.reject_stage(by, LATEST),
    "assess": lambda a, by: a.assess(by, now=LATEST),
    "set_review": lambda a, by: a.set_review(by, NEXT_MONTH, LATEST),
    "end": lambda a, by: a.end(by, LATEST),
}


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("by", [LEADER, FOLLOWER])
def test_an_ended_agreement_refuses_changes(change: str, by: UUID) -> None:
    agreement = make_active()
    agreement.propose_stage(LEADER, TASKS, LATER)
    agreement.end(FOLLOWER, LATER)
    before = vars(agreement).copy()
    with pytest.raises(Conflict) as caught:
        CHANGES[change](agreement, by)
    assert caught.value.code == "AGREEMENT_ENDED"
    assert vars(agreement) == before


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_third_person_changes_nothing(change: str) -> None:
    agreement = make_active()
    agreement.propose_stage(LEADER, TASKS, LATER)
    before = vars(agreement).copy()
    with pytest.raises(PermissionDenied) as caught:
        CHANGES[change](agreement, STRANGER)
    assert caught.value.code == "NOT_A_PARTY"
    assert vars(agreement) == before


# -- use cases: a world to run them in ---------------------------------------------


@dataclass
class World(OrgWorld):
    """In acme: ada stewards bob (active); cy is a third person; dee offered to
    coach bob (still proposed); eve mentored bob (ended). In the team "Core"
    pat is product owner, gus was (and stepped back), dee is team coach; bob
    is a member, fay was one. otto is in another organization."""

    area: KnowledgeArea
    foreign_area: KnowledgeArea
    outsider: Person
    foreign: Organization
    stewardship: UUID
    proposed: UUID
    ended: UUID
    product_owner: UUID
    former_product_owner: UUID
    team_coach: UUID

    def changes(
        self, agreement_id: UUID
    ) -> list[tuple[AgreementField, str | None, str | None, str]]:
        """(field, old, new, who) of every recorded change, oldest first."""
        return [
            (c.field, c.old_value, c.new_value, self.handle(c.changed_by_id))
            for c in self.uows.db.tables.agreement_changes.values()
            if c.agreement_id == agreement_id
        ]


async def _relationship(
    uows: FakeUnitOfWorkFactory,
    organization_id: UUID,
    leader: Person,
    follower: Person,
    kind: RelationshipKind,
    area: KnowledgeArea,
    *,
    then: str,
) -> UUID:
    """A relationship proposed by the leader and then accepted, left proposed
    or accepted and ended."""
    leader_actor = Actor(person_id=leader.id, organization_id=organization_id)
    follower_actor = Actor(person_id=follower.id, organization_id=organization_id)
    async with uows(organization_id) as uow:
        relationship = await relationships.propose(
            uow,
            leader_actor,
            kind=kind,
            other_person_id=follower.id,
            side=Side.LEADER,
            knowledge_area_ids=[area.id] if kind is RelationshipKind.MENTORSHIP else [],
            now=NOW,
        )
        if then in ("accept", "end"):
            await relationships.accept(uow, follower_actor, relationship.id, now=NOW)
        if then == "end":
            await relationships.end(
                uow, follower_actor, relationship.id, reason="Time to move on.", now=NOW
            )
        await uow.commit()
    return relationship.id


@pytest.fixture
async def world() -> World:
    uows = FakeUnitOfWorkFactory()
    acme = Organization.create(name="Acme", slug="acme", now=NOW)
    globex = Organization.create(name="Globex", slug="globex", now=NOW)
    people = {
        h: member(acme, h, NOW) for h in ("ada", "bob", "cy", "dee", "eve", "pat", "fay", "gus")
    }
    area = KnowledgeArea.create(organization_id=acme.id, name="python", parent_id=None, now=NOW)
    outsider = member(globex, "otto", NOW)
    foreign_area = KnowledgeArea.create(
        organization_id=globex.id, name="python", parent_id=None, now=NOW
    )
    team = Team.create(organization_id=acme.id, name="Core", now=NOW)

    def role(handle: str, which: Role, *, ended: bool = False) -> RoleAssignment:
        return RoleAssignment(
            organization_id=acme.id,
            person_id=people[handle].id,
            role=which,
            team_id=team.id,
            started_at=NOW,
            status=RoleStatus.ENDED if ended else RoleStatus.ACTIVE,
            ended_at=NOW if ended else None,
        )

    product_owner = role("pat", Role.PRODUCT_OWNER)
    former = role("gus", Role.PRODUCT_OWNER, ended=True)
    coach = role("dee", Role.TEAM_COACH)
    async with uows() as uow:
        await uow.organizations.add(acme)
        await uow.organizations.add(globex)
        uow.bind_organization(acme.id)
        for person in people.values():
            await uow.people.add(person)
        await uow.areas.add(area)
        await uow.teams.add(team)
        for assignment in (product_owner, former, coach):
            await uow.roles.add(assignment)
        for handle in ("bob", "fay"):
            await uow.memberships.add(
                TeamMembership(
                    organization_id=acme.id,
                    team_id=team.id,
                    person_id=people[handle].id,
                    started_at=NOW,
                    ended_at=NOW if handle == "fay" else None,
                )
            )
        await uow.commit()
    async with uows(globex.id) as uow:
        await uow.people.add(outsider)
        await uow.areas.add(foreign_area)
        await uow.commit()

    def rel(leader: str, kind: RelationshipKind, then: str) -> Awaitable[UUID]:
        return _relationship(uows, acme.id, people[leader], people["bob"], kind, area, then=then)

    return World(
        uows=uows,
        organization=acme,
        people=people,
        area=area,
        foreign_area=foreign_area,
        outsider=outsider,
        foreign=globex,
        stewardship=await rel("ada", RelationshipKind.STEWARDSHIP, "accept"),
        proposed=await rel("dee", RelationshipKind.COACHING, "propose"),
        ended=await rel("eve", RelationshipKind.MENTORSHIP, "end"),
        product_owner=product_owner.id,
        former_product_owner=former.id,
        team_coach=coach.id,
    )


async def propose(
    world: World,
    by: str = "ada",
    *,
    relationship_id: UUID | None = None,
    role_assignment_id: UUID | None = None,
    follower: str | None = None,
    stage: AutonomyStage = FIXED,
    knowledge_area_id: UUID | None = None,
) -> AutonomyAgreement:
    if relationship_id is None and role_assignment_id is None:
        relationship_id = world.stewardship
    async with world.uow() as uow:
        agreement = await agreements.propose(
            uow,
            world.actor(by),
            relationship_id=relationship_id,
            role_assignment_id=role_assignment_id,
            follower_id=None if follower is None else world.id(follower),
            context="Customer calls",
            stage=stage,
            knowledge_area_id=knowledge_area_id,
            dimension=Dimension.WHAT,
            review_on=NEXT_MONTH,
            now=NOW,
        )
        await uow.commit()
    return agreement


Action = Callable[[FakeUnitOfWork, Actor, UUID], Awaitable[AutonomyAgreement]]


async def act(world: World, by: str, agreement_id: UUID, action: Action) -> AutonomyAgreement:
    async with world.uow() as uow:
        agreement = await action(uow, world.actor(by), agreement_id)
        await uow.commit()
    return agreement


def propose_stage(stage: AutonomyStage) -> Action:
    return lambda uow, actor, a: agreements.propose_stage(uow, actor, a, stage=stage, now=LATER)


async def confirm(uow: FakeUnitOfWork, actor: Actor, a: UUID) -> AutonomyAgreement:
    """Confirms the stage as proposed (as the confirming person sees it)."""
    seen = await uow.agreements.get(a)
    stage = seen.proposed_stage if seen and seen.proposed_stage else TASKS
    return await agreements.confirm_stage(uow, actor, a, stage=stage, now=LATER)


def reject(uow: FakeUnitOfWork, actor: Actor, a: UUID) -> Awaitable[AutonomyAgreement]:
    return agreements.reject_stage(uow, actor, a, now=LATER)


def end(uow: FakeUnitOfWork, actor: Actor, a: UUID) -> Awaitable[AutonomyAgreement]:
    return agreements.end(uow, actor, a, now=LATEST)


def assess(
    *,
    follower_view: AutonomyStage | None = None,
    leader_view: AutonomyStage | None = None,
    leader_capability: AutonomyStage | None = None,
) -> Action:
    return lambda uow, actor, a: agreements.assess(
        uow,
        actor,
        a,
        follower_view=follower_view,
        leader_view=leader_view,
        leader_capability=leader_capability,
        now=LATER,
    )


def set_review(review_on: date) -> Action:
    return lambda uow, actor, a: agreements.set_review(
        uow, actor, a, review_on=review_on, now=LATER
    )


async def stored(world: World, agreement_id: UUID) -> AutonomyAgreement:
    async with world.uow() as uow:
        agreement = await uow.agreements.get(agreement_id)
    assert agreement is not None
    return agreement


async def active(world: World, stage: AutonomyStage = FIXED) -> AutonomyAgreement:
    """Proposed by ada (the steward), confirmed by bob."""
    proposal = await propose(world, stage=stage)
    return await act(world, "bob", proposal.id, confirm)


# -- propose ---------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["ada", "bob"])
async def test_propose_within_an_active_relationship(world: World, by: str) -> None:
    agreement = await propose(world, by, stage=FLEXIBLE, knowledge_area_id=world.area.id)
    saved = await stored(world, agreement.id)
    assert (saved.leader_id, saved.follower_id) == (world.id("ada"), world.id("bob"))
    assert (saved.relationship_id, saved.role_assignment_id) == (world.stewardship, None)
    assert (saved.status, saved.agreed_stage) == (PROPOSED, None)
    assert (saved.proposed_stage, saved.proposed_by_id) == (FLEXIBLE, world.id(by))
    assert (saved.context, saved.dimension, saved.review_on) == (
        "Customer calls",
        Dimension.WHAT,
        NEXT_MONTH,
    )
    assert saved.knowledge_area_id == world.area.id
    assert saved.organization_id == world.organization.id
    assert world.changes(agreement.id) == [
        (AgreementField.PROPOSED_STAGE, None, "FLEXIBLE_GOALS", by)
    ]


@pytest.mark.parametrize("which", ["proposed", "ended"])
async def test_no_agreement_outside_an_active_relationship(world: World, which: str) -> None:
    relationship_id = world.proposed if which == "proposed" else world.ended
    leader = "dee" if which == "proposed" else "eve"
    for by in (leader, "bob"):
        with pytest.raises(Conflict) as caught:
            await propose(world, by, relationship_id=relationship_id)
        assert caught.value.code == "NO_ACTIVE_RELATIONSHIP"
    assert world.uows.db.tables.agreements == {}


async def test_no_agreement_for_a_third_person(world: World) -> None:
    for by in ("cy", "pat", "dee"):
        with pytest.raises(NotFound) as caught:
            await propose(world, by, relationship_id=world.stewardship)
        assert caught.value.kind == "Relationship"
    assert world.uows.db.tables.agreements == {}


async def test_no_agreement_in_an_unknown_or_foreign_relationship(world: World) -> None:
    async with world.uows(world.outsider.organization_id) as uow:
        other = member(world.foreign, "olga", NOW)
        await uow.people.add(other)
        foreign = await relationships.propose(
            uow,
            Actor(person_id=world.outsider.id, organization_id=world.outsider.organization_id),
            kind=RelationshipKind.COACHING,
            other_person_id=other.id,
            side=Side.LEADER,
            now=NOW,
        )
        await uow.commit()
    for relationship_id in (uuid.uuid4(), foreign.id):
        with pytest.raises(NotFound):
            await propose(world, "ada", relationship_id=relationship_id)


async def test_an_agreement_lives_in_exactly_one_context(world: World) -> None:
    async with world.uow() as uow:
        for relationship_id, role_assignment_id in (
            (None, None),
            (world.stewardship, world.product_owner),
        ):
            with pytest.raises(ValidationFailed) as caught:
                await agreements.propose(
                    uow,
                    world.actor("ada"),
                    relationship_id=relationship_id,
                    role_assignment_id=role_assignment_id,
                    follower_id=world.id("bob"),
                    context="Anything",
                    stage=TASKS,
                    now=NOW,
                )
            assert caught.value.code == "ONE_CONTEXT"


@pytest.mark.parametrize("area", ["unknown", "foreign"])
async def test_propose_in_an_unknown_area(world: World, area: str) -> None:
    area_id = uuid.uuid4() if area == "unknown" else world.foreign_area.id
    with pytest.raises(NotFound) as caught:
        await propose(world, knowledge_area_id=area_id)
    assert caught.value.kind == "KnowledgeArea"


async def test_propose_validates_the_context(world: World) -> None:
    async with world.uow() as uow:
        with pytest.raises(ValidationFailed) as caught:
            await agreements.propose(
                uow,
                world.actor("ada"),
                relationship_id=world.stewardship,
                context="  ",
                stage=TASKS,
                now=NOW,
            )
    assert caught.value.field == "context"


# -- the product owner's agreements ------------------------------------------------------


async def test_the_product_owner_proposes_to_a_team_member(world: World) -> None:
    agreement = await propose(
        world, "pat", role_assignment_id=world.product_owner, follower="bob", stage=TASKS
    )
    saved = await stored(world, agreement.id)
    assert (saved.leader_id, saved.follower_id) == (world.id("pat"), world.id("bob"))
    assert (saved.relationship_id, saved.role_assignment_id) == (None, world.product_owner)
    assert (saved.status, saved.proposed_by_id) == (PROPOSED, world.id("pat"))
    confirmed = await act(world, "bob", agreement.id, confirm)
    assert (confirmed.status, confirmed.agreed_stage) == (ACTIVE, TASKS)


async def test_a_team_member_proposes_to_the_product_owner(world: World) -> None:
    agreement = await propose(world, "bob", role_assignment_id=world.product_owner)
    assert (agreement.leader_id, agreement.follower_id) == (world.id("pat"), world.id("bob"))
    assert agreement.proposed_by_id == world.id("bob")
    confirmed = await act(world, "pat", agreement.id, confirm)
    assert confirmed.status is ACTIVE


@pytest.mark.parametrize("follower", ["cy", "fay"])
async def test_the_product_owner_only_with_current_team_members(
    world: World, follower: str
) -> None:
    """cy is in no team; fay left it."""
    with pytest.raises(Conflict) as caught:
        await propose(world, "pat", role_assignment_id=world.product_owner, follower=follower)
    assert caught.value.code == "NOT_IN_TEAM"
    with pytest.raises(Conflict) as caught:
        await propose(world, follower, role_assignment_id=world.product_owner)
    assert caught.value.code == "NOT_IN_TEAM"
    assert world.uows.db.tables.agreements == {}


async def test_the_product_owner_does_not_lead_themselves(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await propose(world, "pat", role_assignment_id=world.product_owner, follower="pat")
    assert caught.value.code == "SELF_RELATIONSHIP"


async def test_the_product_owner_names_the_member(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await propose(world, "pat", role_assignment_id=world.product_owner)
    assert (caught.value.field, caught.value.code) == ("followerId", "REQUIRED")


async def test_only_a_product_owner_role_is_a_context(world: World) -> None:
    for assignment_id in (world.team_coach, uuid.uuid4()):
        for by, follower in (("dee", "bob"), ("bob", None)):
            with pytest.raises(NotFound) as caught:
                await propose(world, by, role_assignment_id=assignment_id, follower=follower)
            assert caught.value.kind == "RoleAssignment"


async def test_a_product_owner_role_no_longer_held(world: World) -> None:
    for by, follower in (("gus", "bob"), ("bob", None)):
        with pytest.raises(Conflict) as caught:
            await propose(
                world, by, role_assignment_id=world.former_product_owner, follower=follower
            )
        assert caught.value.code == "NO_ACTIVE_RELATIONSHIP"


# -- two-sided consent --------------------------------------------------------------------


@pytest.mark.parametrize(("proposer", "other"), [("ada", "bob"), ("bob", "ada")])
async def test_the_other_side_confirms(world: World, proposer: str, other: str) -> None:
    agreement = await propose(world, proposer, stage=FLEXIBLE)
    async with world.uow() as uow:
        with pytest.raises(PermissionDenied) as caught:
            await confirm(uow, world.actor(proposer), agreement.id)
        assert caught.value.code == "OWN_PROPOSAL"
    assert (await stored(world, agreement.id)).status is PROPOSED
    confirmed = await act(world, other, agreement.id, confirm)
    assert (confirmed.status, confirmed.agreed_stage, confirmed.proposed_stage) == (
        ACTIVE,
        FLEXIBLE,
        None,
    )
    saved = await stored(world, agreement.id)
    assert (saved.status, saved.agreed_stage) == (ACTIVE, FLEXIBLE)
    assert world.changes(agreement.id) == [
        (AgreementField.PROPOSED_STAGE, None, "FLEXIBLE_GOALS", proposer),
        (AgreementField.AGREED_STAGE, None, "FLEXIBLE_GOALS", other),
        (AgreementField.STATUS, "PROPOSED", "ACTIVE", other),
    ]


async def test_a_stage_change_waits_for_confirmation(world: World) -> None:
    agreement = await active(world, FIXED)
    proposed = await act(world, "bob", agreement.id, propose_stage(FLEXIBLE))
    assert (proposed.agreed_stage, proposed.proposed_stage) == (FIXED, FLEXIBLE)
    assert (await stored(world, agreement.id)).agreed_stage is FIXED
    with pytest.raises(PermissionDenied):
        await act(world, "bob", agreement.id, confirm)
    confirmed = await act(world, "ada", agreement.id, confirm)
    assert (confirmed.agreed_stage, confirmed.proposed_stage, confirmed.status) == (
        FLEXIBLE,
        None,
        ACTIVE,
    )
    # The status did not change on this confirmation: no STATUS change.
    assert world.changes(agreement.id)[3:] == [
        (AgreementField.PROPOSED_STAGE, None, "FLEXIBLE_GOALS", "bob"),
        (AgreementField.AGREED_STAGE, "FIXED_GOALS", "FLEXIBLE_GOALS", "ada"),
    ]


@pytest.mark.parametrize("by", ["ada", "bob"])
async def test_reject_stage_is_recorded_and_keeps_the_agreed_stage(world: World, by: str) -> None:
    agreement = await active(world, FIXED)
    await act(world, "ada", agreement.id, propose_stage(TASKS))
    rejected = await act(world, by, agreement.id, reject)
    assert (rejected.agreed_stage, rejected.proposed_stage, rejected.status) == (
        FIXED,
        None,
        ACTIVE,
    )
    assert world.changes(agreement.id)[3:] == [
        (AgreementField.PROPOSED_STAGE, None, "TASKS", "ada"),
        (AgreementField.PROPOSED_STAGE, "TASKS", None, by),
    ]
    with pytest.raises(Conflict) as caught:
        await act(world, "bob", agreement.id, confirm)
    assert caught.value.code == "NOTHING_PROPOSED"


async def test_a_counter_proposal_records_the_one_it_replaces(world: World) -> None:
    agreement = await active(world, FIXED)
    await act(world, "ada", agreement.id, propose_stage(TASKS))
    await act(world, "bob", agreement.id, propose_stage(PURPOSE))
    confirmed = await act(world, "ada", agreement.id, confirm)
    assert confirmed.agreed_stage is PURPOSE
    assert world.changes(agreement.id)[3:] == [
        (AgreementField.PROPOSED_STAGE, None, "TASKS", "ada"),
        (AgreementField.PROPOSED_STAGE, "TASKS", "PURPOSE", "bob"),
        (AgreementField.AGREED_STAGE, "FIXED_GOALS", "PURPOSE", "ada"),
    ]


# -- assessments ---------------------------------------------------------------------------


async def test_assessments_are_recorded(world: World) -> None:
    agreement = await active(world, FIXED)
    await act(world, "bob", agreement.id, assess(follower_view=PURPOSE))
    await act(world, "ada", agreement.id, assess(leader_view=FLEXIBLE, leader_capability=PURPOSE))
    await act(world, "ada", agreement.id, assess(leader_view=FLEXIBLE))  # no change
    await act(world, "bob", agreement.id, assess(follower_view=FLEXIBLE))
    saved = await stored(world, agreement.id)
    assert (saved.follower_view, saved.leader_view, saved.leader_capability) == (
        FLEXIBLE,
        FLEXIBLE,
        PURPOSE,
    )
    assert world.changes(agreement.id)[3:] == [
        (AgreementField.FOLLOWER_VIEW, None, "PURPOSE", "bob"),
        (AgreementField.LEADER_VIEW, None, "FLEXIBLE_GOALS", "ada"),
        (AgreementField.LEADER_CAPABILITY, None, "PURPOSE", "ada"),
        (AgreementField.FOLLOWER_VIEW, "PURPOSE", "FLEXIBLE_GOALS", "bob"),
    ]


@pytest.mark.parametrize(
    ("by", "action"),
    [
        ("bob", assess(leader_view=PURPOSE)),
        ("bob", assess(leader_capability=PURPOSE)),
        ("bob", assess(follower_view=PURPOSE, leader_view=PURPOSE)),
        ("ada", assess(follower_view=PURPOSE)),
        ("ada", assess(follower_view=PURPOSE, leader_view=TASKS, leader_capability=TASKS)),
    ],
)
async def test_nobody_assesses_for_the_other_side(world: World, by: str, action: Action) -> None:
    agreement = await active(world, FIXED)
    recorded = world.changes(agreement.id)
    async with world.uow() as uow:
        with pytest.raises(PermissionDenied) as caught:
            await action(uow, world.actor(by), agreement.id)
        assert caught.value.code == "NOT_YOUR_ASSESSMENT"
        # Nothing changed, even before the rollback.
        same = await uow.agreements.get(agreement.id)
        assert same is not None
        assert same.follower_view is same.leader_view is same.leader_capability is None
        assert world.changes(agreement.id) == recorded


# -- who may act -----------------------------------------------------------------------------


EVERY_ACTION: dict[str, Action] = {
    "propose_stage": propose_stage(TASKS),
    "confirm": confirm,
    "reject": reject,
    "assess": assess(),
    "set_review": set_review(NEXT_MONTH),
    "end": end,
}


@pytest.mark.parametrize("action", list(EVERY_ACTION))
@pytest.mark.parametrize("by", ["cy", "pat", "dee"])
async def test_a_third_person_finds_no_agreement(world: World, action: str, by: str) -> None:
    agreement = await propose(world)
    with pytest.raises(NotFound) as caught:
        await act(world, by, agreement.id, EVERY_ACTION[action])
    assert caught.value.kind == "AutonomyAgreement"
    with pytest.raises(NotFound):
        await act(world, "ada", uuid.uuid4(), EVERY_ACTION[action])
    assert len(world.changes(agreement.id)) == 1


async def test_set_review_is_recorded(world: World) -> None:
    agreement = await active(world)
    later_review = NEXT_MONTH + timedelta(days=30)
    saved = await act(world, "bob", agreement.id, set_review(later_review))
    assert saved.review_on == later_review
    assert world.changes(agreement.id)[-1] == (
        AgreementField.REVIEW_ON,
        NEXT_MONTH.isoformat(),
        later_review.isoformat(),
        "bob",
    )


# -- ending ------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["ada", "bob"])
async def test_end(world: World, by: str) -> None:
    agreement = await active(world)
    ended = await act(world, by, agreement.id, end)
    assert (ended.status, ended.updated_at) == (ENDED, LATEST)
    assert world.changes(agreement.id)[-1] == (AgreementField.STATUS, "ACTIVE", "ENDED", by)


@pytest.mark.parametrize("action", list(EVERY_ACTION))
async def test_an_ended_agreement_refuses_every_use_case(world: World, action: str) -> None:
    agreement = await active(world)
    await act(world, "ada", agreement.id, propose_stage(TASKS))
    await act(world, "ada", agreement.id, end)
    recorded = world.changes(agreement.id)
    for by in ("ada", "bob"):
        with pytest.raises(Conflict) as caught:
            await act(world, by, agreement.id, EVERY_ACTION[action])
        assert caught.value.code == "AGREEMENT_ENDED"
    assert world.changes(agreement.id) == recorded
    assert (await stored(world, agreement.id)).status is ENDED


@pytest.mark.parametrize("by", ["ada", "bob"])
async def test_ending_the_relationship_ends_its_agreements(world: World, by: str) -> None:
    open_one = await active(world, FIXED)
    proposed_one = await propose(world, "bob", stage=TASKS)
    already_ended = await active(world, PURPOSE)
    await act(world, "bob", already_ended.id, end)
    with_po = await propose(world, "pat", role_assignment_id=world.product_owner, follower="bob")
    history = world.changes(already_ended.id)
    async with world.uow() as uow:
        await relationships.end(
            uow, world.actor(by), world.stewardship, reason="Time to move on.", now=LATEST
        )
        await uow.commit()
    for agreement, before in ((open_one, "ACTIVE"), (proposed_one, "PROPOSED")):
        saved = await stored(world, agreement.id)
        assert (saved.status, saved.updated_at) == (ENDED, LATEST)
        assert world.changes(agreement.id)[-1] == (AgreementField.STATUS, before, "ENDED", by)
    assert world.changes(already_ended.id) == history
    # An agreement in another context is not touched.
    assert (await stored(world, with_po.id)).status is PROPOSED
    with pytest.raises(Conflict) as caught:
        await act(world, "ada", open_one.id, assess(leader_view=FIXED))
    assert caught.value.code == "AGREEMENT_ENDED"


async def test_a_stewardship_handover_ends_the_old_agreements(world: World) -> None:
    agreement = await active(world, FIXED)
    async with world.uow() as uow:
        handover = await relationships.propose(
            uow,
            world.actor("cy"),
            kind=RelationshipKind.STEWARDSHIP,
            other_person_id=world.id("bob"),
            side=Side.LEADER,
            now=LATER,
        )
        await relationships.accept(uow, world.actor("bob"), handover.id, now=LATER)
        await uow.commit()
    assert (await stored(world, agreement.id)).status is ENDED


# -- signals ------------------------------------------------------------------------------------


async def test_stored_agreements_signal_only_while_active(world: World) -> None:
    agreement = await propose(world, stage=TASKS)
    await act(world, "bob", agreement.id, assess(follower_view=FLEXIBLE))
    await act(world, "ada", agreement.id, assess(leader_view=PURPOSE))
    assert (await stored(world, agreement.id)).signals == []
    confirmed = await act(world, "bob", agreement.id, confirm)
    assert [s.kind for s in confirmed.signals] == [SignalKind.UNDER_CHALLENGED]
    await act(world, "ada", agreement.id, propose_stage(FLEXIBLE))
    # Still led at tasks until confirmed.
    assert [s.kind for s in (await stored(world, agreement.id)).signals] == [
        SignalKind.UNDER_CHALLENGED
    ]
    confirmed = await act(world, "bob", agreement.id, confirm)
    assert confirmed.signals == []
    await act(world, "bob", agreement.id, end)
    assert (await stored(world, agreement.id)).signals == []


def test_confirming_a_stage_that_changed_meanwhile_is_refused() -> None:
    """Consent is to the stage the person saw: a proposal changed after they
    looked is not confirmed blindly."""
    agreement = make_agreement(by=LEADER, stage=FIXED)
    agreement.propose_stage(LEADER, PURPOSE, LATER)
    with pytest.raises(Conflict) as caught:
        agreement.confirm_stage(FOLLOWER, FIXED, LATEST)
    assert caught.value.code == "PROPOSAL_CHANGED"
    assert agreement.agreed_stage is None
    assert agreement.proposed_stage is PURPOSE
