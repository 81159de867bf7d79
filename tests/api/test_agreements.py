"""Autonomy agreements through the public GraphQL API (DESIGN.md section 2,
"Autonomy stages", "Autonomy agreement", "Mismatch signals", and section 3):
two-sided consent on the agreed stage, each side's own assessments, the
history of every change, the mismatch signals, the leadership an agreement
lives in (an active relationship or a product-owner role with a team
member), privacy (the two people only), a steward's view across their
stewardees and its statement count, and bad input. Every refused request
returns its typed error and is shown to change nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from api.context import Services
from domain.actors import Actor
from domain.autonomy import AutonomyStage
from domain.relationships import RelationshipKind, Side
from domain.services import agreements as agreement_service
from domain.services import relationships as relationship_service
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.queries import (
    REMOVE_TEAM_MEMBER,
    add_team_member,
    create_area,
    create_team,
    gid,
    missing_id,
    mutate,
)
from tests.api.relationship_helpers import (
    COACHING,
    END,
    ERROR_FIELDS,
    FOLLOWER,
    MENTORSHIP,
    STEWARDSHIP,
    advance,
    error,
    established,
    proposed,
    set_capacity,
    succeeded,
)
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]

TASKS, FIXED, FLEXIBLE, PURPOSE = "TASKS", "FIXED_GOALS", "FLEXIBLE_GOALS", "PURPOSE"
STAGES = [TASKS, FIXED, FLEXIBLE, PURPOSE]

AGREEMENT_FIELDS = """
    id context dimension status agreedStage proposedStage
    followerView leaderView leaderCapability reviewOn dueForReview
    leader { id } follower { id } proposedBy { id }
    relationship { id } roleAssignment { id } knowledgeArea { id }
    signals { kind agreedStage followerView leaderView leaderCapability explanation }
    history { field oldValue newValue changedBy { id } changedAt }
"""

_RESULT = f"""
    {ERROR_FIELDS}
    ... on AgreementSuccess {{ agreement {{ {AGREEMENT_FIELDS} }} }}
"""

PROPOSE_AGREEMENT = f"""
mutation ProposeAgreement($input: ProposeAgreementInput!) {{
  proposeAgreement(input: $input) {{ {_RESULT} }}
}}
"""

PROPOSE_STAGE = f"""
mutation ProposeStage($input: ProposeAgreementStageInput!) {{
  proposeAgreementStage(input: $input) {{ {_RESULT} }}
}}
"""

CONFIRM = f"""
mutation Confirm($input: ConfirmAgreementStageInput!) {{
  confirmAgreementStage(input: $input) {{ {_RESULT} }}
}}
"""

REJECT = f"""
mutation Reject($input: AgreementIdInput!) {{
  rejectAgreementStage(input: $input) {{ {_RESULT} }}
}}
"""

ASSESS = f"""
mutation Assess($input: AssessAgreementInput!) {{
  assessAgreement(input: $input) {{ {_RESULT} }}
}}
"""

SET_REVIEW = f"""
mutation SetReview($input: SetAgreementReviewInput!) {{
  setAgreementReview(input: $input) {{ {_RESULT} }}
}}
"""

END_AGREEMENT = f"""
mutation EndAgreement($input: AgreementIdInput!) {{
  endAgreement(input: $input) {{ {_RESULT} }}
}}
"""

NODE = f"""
query Agreement($id: ID!) {{
  node(id: $id) {{ __typename ... on AutonomyAgreement {{ {AGREEMENT_FIELDS} }} }}
}}
"""

NODES = """
query Agreements($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }
"""

PERSON_AGREEMENTS = """
query PersonAgreements($id: ID!) {
  node(id: $id) {
    ... on Person {
      agreements { id context status agreedStage }
      mismatchSignals { kind agreedStage explanation }
      stewardeeMismatches { agreement { id } }
    }
  }
}
"""

STEWARDEE_MISMATCHES = """
{
  viewer {
    stewardeeMismatches {
      stewardee { name }
      agreement { context agreedStage history { field } }
      signals { kind explanation }
    }
  }
}
"""

VIEWER_MISMATCHES = """
{
  viewer {
    stewardeeMismatches {
      stewardee { id }
      agreement { id leader { id } follower { id } }
      signals { kind }
    }
  }
}
"""

AUTONOMY_STAGES = """
{ autonomyStages { stage rank label description guidingQuestion } }
"""

_ROLE_RESULT = f"""
    {ERROR_FIELDS}
    ... on RoleAssignmentSuccess {{ roleAssignment {{ id role status }} }}
"""

VOLUNTEER_FOR_ROLE = f"""
mutation Volunteer($input: VolunteerForRoleInput!) {{
  volunteerForRole(input: $input) {{ {_ROLE_RESULT} }}
}}
"""

ACCEPT_ROLE = f"""
mutation AcceptRole($input: RoleAssignmentIdInput!) {{
  acceptRole(input: $input) {{ {_ROLE_RESULT} }}
}}
"""

STEP_BACK = f"""
mutation StepBack($input: StepBackFromRoleInput!) {{
  stepBackFromRole(input: $input) {{ {_ROLE_RESULT} }}
}}
"""

# Pinned. A change is either a regression (N+1) or a deliberate change of the
# read path: look at `counter.statements`.
# viewer (the token's person), the steward's active agreements in active
# stewardships, the stewardees (people by id), the history of the agreements
STEWARDEE_MISMATCHES_STATEMENTS = 4


# -- helpers --------------------------------------------------------------------


def step(clock: FakeClock, *orgs: Org) -> None:
    """A minute passes between two changes (history is ordered by time)."""
    advance(clock, timedelta(minutes=1), *orgs)


def success(result: dict[str, Any]) -> dict[str, Any]:
    assert result["__typename"] == "AgreementSuccess", result
    agreement = result["agreement"]
    assert isinstance(agreement, dict)
    return agreement


async def propose_result(
    gql: GraphQL,
    by: Member,
    *,
    relationship_id: str | None = None,
    role_assignment_id: str | None = None,
    follower_id: str | None = None,
    context: str = "Release planning",
    stage: str = TASKS,
    **extra: Any,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "relationshipId": relationship_id,
        "roleAssignmentId": role_assignment_id,
        "followerId": follower_id,
        "context": context,
        "stage": stage,
        **extra,
    }
    return await mutate(gql, PROPOSE_AGREEMENT, values, token=by.token)


async def act(
    gql: GraphQL, document: str, by: Member, agreement_id: str, **extra: Any
) -> dict[str, Any]:
    if document is CONFIRM and "stage" not in extra:
        # Confirm what the confirming person sees proposed, as a client does.
        seen = await gql.data(
            "query($id: ID!) { node(id: $id) { ... on AutonomyAgreement { proposedStage } } }",
            {"id": agreement_id},
            token=by.token,
        )
        extra["stage"] = (seen["node"] or {}).get("proposedStage") or TASKS
    return await mutate(gql, document, {"agreementId": agreement_id, **extra}, token=by.token)


async def done(
    gql: GraphQL, document: str, by: Member, agreement_id: str, **extra: Any
) -> dict[str, Any]:
    return success(await act(gql, document, by, agreement_id, **extra))


async def agreed(
    gql: GraphQL,
    proposer: Member,
    confirmer: Member,
    relationship_id: str,
    stage: str = TASKS,
    context: str = "Release planning",
) -> dict[str, Any]:
    """Proposed by one side and confirmed by the other: an ACTIVE agreement."""
    offer = success(
        await propose_result(
            gql, proposer, relationship_id=relationship_id, stage=stage, context=context
        )
    )
    agreement = await done(gql, CONFIRM, confirmer, offer["id"])
    assert agreement["status"] == "ACTIVE", agreement
    assert agreement["agreedStage"] == stage, agreement
    return agreement


async def node(gql: GraphQL, viewer: Member, agreement_id: str) -> dict[str, Any] | None:
    data = await gql.data(NODE, {"id": agreement_id}, token=viewer.token)
    return data["node"]


async def seen(gql: GraphQL, viewer: Member, agreement_id: str) -> dict[str, Any]:
    """The agreement as `viewer` reads it through node(id:)."""
    found = await node(gql, viewer, agreement_id)
    assert found is not None
    assert found.pop("__typename") == "AutonomyAgreement", found
    return found


async def on_person(gql: GraphQL, viewer: Member, subject: Member) -> dict[str, Any]:
    data = await gql.data(PERSON_AGREEMENTS, {"id": subject.id}, token=viewer.token)
    assert data["node"] is not None
    return data["node"]


def changes(agreement: dict[str, Any]) -> list[tuple[str, str | None, str | None, str]]:
    """(field, old value, new value, changed by) of each change, oldest first."""
    return [
        (c["field"], c["oldValue"], c["newValue"], c["changedBy"]["id"])
        for c in agreement["history"]
    ]


def kinds(agreement: dict[str, Any]) -> list[str]:
    return [s["kind"] for s in agreement["signals"]]


def explanation(agreement: dict[str, Any], kind: str) -> str:
    (found,) = [s["explanation"] for s in agreement["signals"] if s["kind"] == kind]
    assert isinstance(found, str)
    return found


async def agreement_state(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Everything agreements write, read directly: compared before and after a
    refused request to show it changed nothing."""
    queries = {
        "agreements": "SELECT * FROM autonomy_agreements ORDER BY id",
        "changes": "SELECT * FROM agreement_changes ORDER BY id",
    }
    async with services.session_factory() as session:
        return {
            name: [tuple(row) for row in (await session.execute(sa.text(query))).all()]
            for name, query in queries.items()
        }


async def held_product_owner(gql: GraphQL, org: Org, owner: Member, team_id: str) -> str:
    """`owner` volunteers as PRODUCT_OWNER of the team and org faculty
    confirms: the id of the held role."""
    offered = await mutate(
        gql, VOLUNTEER_FOR_ROLE, {"role": "PRODUCT_OWNER", "teamId": team_id}, token=owner.token
    )
    assert offered["__typename"] == "RoleAssignmentSuccess", offered
    accepted = await mutate(
        gql,
        ACCEPT_ROLE,
        {"roleAssignmentId": offered["roleAssignment"]["id"]},
        token=org.faculty.token,
    )
    assert accepted["__typename"] == "RoleAssignmentSuccess", accepted
    assert accepted["roleAssignment"]["status"] == "ACTIVE", accepted
    role_id = accepted["roleAssignment"]["id"]
    assert isinstance(role_id, str)
    return role_id


async def team_with(gql: GraphQL, org: Org, name: str, *members: Member) -> str:
    team = await create_team(gql, org.faculty.token, name)
    for member in members:
        await add_team_member(gql, org.faculty.token, team["id"], member.id)
    team_id = team["id"]
    assert isinstance(team_id, str)
    return team_id


def actor(member: Member) -> Actor:
    return Actor(person_id=member.person.id, organization_id=member.person.organization_id)


# == the stages ==================================================================


async def test_autonomy_stages_are_listed_in_order_with_their_guiding_questions(
    gql: GraphQL, org: Org
) -> None:
    data = await gql.data(AUTONOMY_STAGES, token=org.faculty.token)

    stages = data["autonomyStages"]
    assert [s["stage"] for s in stages] == STAGES
    assert [s["rank"] for s in stages] == [1, 2, 3, 4]
    assert [s["guidingQuestion"] for s in stages] == [
        "What is your input? What is the work?",
        "What is the output of your work?",
        "What is the outcome of your work?",
        "What is the intention behind your work?",
    ]
    assert [s["label"] for s in stages] == [
        "Tasks and processes",
        "Fixed goals",
        "Flexible goals",
        "Purpose",
    ]
    assert all(s["description"] for s in stages)


# == two-sided consent =============================================================


@pytest.mark.parametrize("proposer_side", ["LEADER", FOLLOWER])
async def test_the_other_side_confirms_a_proposed_agreement(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services, proposer_side: str
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower)
    area = await create_area(gql, org.faculty.token, "Online Marketing")
    proposer, confirmer = (leader, follower) if proposer_side == "LEADER" else (follower, leader)
    review_on = clock.now().date() + timedelta(days=90)

    offer = success(
        await propose_result(
            gql,
            proposer,
            relationship_id=relationship["id"],
            context="  Campaign   budgets ",
            stage=FIXED,
            knowledgeAreaId=area["id"],
            dimension="WITH_WHOM",
            reviewOn=review_on.isoformat(),
        )
    )

    assert offer["status"] == "PROPOSED"
    assert offer["context"] == "Campaign budgets"
    assert offer["agreedStage"] is None
    assert offer["proposedStage"] == FIXED
    assert offer["proposedBy"]["id"] == proposer.id
    assert offer["leader"]["id"] == leader.id
    assert offer["follower"]["id"] == follower.id
    assert offer["relationship"]["id"] == relationship["id"]
    assert offer["roleAssignment"] is None
    assert offer["knowledgeArea"]["id"] == area["id"]
    assert offer["dimension"] == "WITH_WHOM"
    assert offer["reviewOn"] == review_on.isoformat()
    assert offer["signals"] == []
    assert changes(offer) == [("PROPOSED_STAGE", None, FIXED, proposer.id)]
    assert await seen(gql, confirmer, offer["id"]) == offer

    # The proposer cannot confirm their own proposal.
    before = await agreement_state(services)
    error(await act(gql, CONFIRM, proposer, offer["id"]), "PermissionDeniedError", "OWN_PROPOSAL")
    assert await agreement_state(services) == before

    step(clock, org)
    active = await done(gql, CONFIRM, confirmer, offer["id"])

    assert active["status"] == "ACTIVE"
    assert active["agreedStage"] == FIXED
    assert active["proposedStage"] is None
    assert active["proposedBy"] is None
    assert changes(active) == [
        ("PROPOSED_STAGE", None, FIXED, proposer.id),
        ("AGREED_STAGE", None, FIXED, confirmer.id),
        ("STATUS", "PROPOSED", "ACTIVE", confirmer.id),
    ]
    times = [datetime.fromisoformat(c["changedAt"]) for c in active["history"]]
    assert times == [clock.now() - timedelta(minutes=1), clock.now(), clock.now()]
    assert await seen(gql, proposer, offer["id"]) == active


async def test_stage_changes_need_the_consent_of_both_sides(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower, kind=COACHING)
    offer = success(await propose_result(gql, leader, relationship_id=relationship["id"]))
    agreement_id = offer["id"]
    step(clock, org)
    await done(gql, CONFIRM, follower, agreement_id)

    # The follower asks for more autonomy; nothing changes until the leader confirms.
    step(clock, org)
    pending = await done(gql, PROPOSE_STAGE, follower, agreement_id, stage=FIXED)
    assert (pending["agreedStage"], pending["proposedStage"]) == (TASKS, FIXED)
    assert pending["proposedBy"]["id"] == follower.id
    before = await agreement_state(services)
    error(await act(gql, CONFIRM, follower, agreement_id), "PermissionDeniedError", "OWN_PROPOSAL")
    assert await agreement_state(services) == before
    step(clock, org)
    confirmed = await done(gql, CONFIRM, leader, agreement_id)
    assert (confirmed["agreedStage"], confirmed["proposedStage"]) == (FIXED, None)
    assert confirmed["status"] == "ACTIVE"

    # The leader proposes more; the follower declines: the agreed stage stays.
    step(clock, org)
    await done(gql, PROPOSE_STAGE, leader, agreement_id, stage=PURPOSE)
    step(clock, org)
    rejected = await done(gql, REJECT, follower, agreement_id)
    assert (rejected["agreedStage"], rejected["proposedStage"]) == (FIXED, None)
    assert rejected["proposedBy"] is None

    # A proposer may withdraw their own proposal; the other side may counter
    # a proposal with another one, which the first proposer then confirms.
    step(clock, org)
    await done(gql, PROPOSE_STAGE, leader, agreement_id, stage=FLEXIBLE)
    step(clock, org)
    withdrawn = await done(gql, REJECT, leader, agreement_id)
    assert (withdrawn["agreedStage"], withdrawn["proposedStage"]) == (FIXED, None)
    step(clock, org)
    await done(gql, PROPOSE_STAGE, leader, agreement_id, stage=TASKS)
    step(clock, org)
    countered = await done(gql, PROPOSE_STAGE, follower, agreement_id, stage=FLEXIBLE)
    assert countered["proposedBy"]["id"] == follower.id
    error(await act(gql, CONFIRM, follower, agreement_id), "PermissionDeniedError", "OWN_PROPOSAL")
    step(clock, org)
    final = await done(gql, CONFIRM, leader, agreement_id)
    assert (final["agreedStage"], final["proposedStage"]) == (FLEXIBLE, None)

    assert changes(final) == [
        ("PROPOSED_STAGE", None, TASKS, leader.id),
        ("AGREED_STAGE", None, TASKS, follower.id),
        ("STATUS", "PROPOSED", "ACTIVE", follower.id),
        ("PROPOSED_STAGE", None, FIXED, follower.id),
        ("AGREED_STAGE", TASKS, FIXED, leader.id),
        ("PROPOSED_STAGE", None, PURPOSE, leader.id),
        ("PROPOSED_STAGE", PURPOSE, None, follower.id),
        ("PROPOSED_STAGE", None, FLEXIBLE, leader.id),
        ("PROPOSED_STAGE", FLEXIBLE, None, leader.id),
        ("PROPOSED_STAGE", None, TASKS, leader.id),
        ("PROPOSED_STAGE", TASKS, FLEXIBLE, follower.id),
        ("AGREED_STAGE", FIXED, FLEXIBLE, leader.id),
    ]
    assert await seen(gql, follower, agreement_id) == final


async def test_each_side_gives_only_its_own_assessments(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower)
    agreement_id = (await agreed(gql, leader, follower, relationship["id"], FIXED))["id"]

    before = await agreement_state(services)
    for values in ({"leaderView": FIXED}, {"leaderCapability": PURPOSE}):
        error(
            await act(gql, ASSESS, follower, agreement_id, followerView=FIXED, **values),
            "PermissionDeniedError",
            "NOT_YOUR_ASSESSMENT",
        )
    error(
        await act(gql, ASSESS, leader, agreement_id, followerView=FIXED, leaderView=FIXED),
        "PermissionDeniedError",
        "NOT_YOUR_ASSESSMENT",
    )
    assert await agreement_state(services) == before

    step(clock, org)
    mine = await done(gql, ASSESS, follower, agreement_id, followerView=FLEXIBLE)
    assert (mine["followerView"], mine["leaderView"], mine["leaderCapability"]) == (
        FLEXIBLE,
        None,
        None,
    )
    step(clock, org)
    theirs = await done(
        gql, ASSESS, leader, agreement_id, leaderView=FIXED, leaderCapability=PURPOSE
    )
    assert (theirs["followerView"], theirs["leaderView"], theirs["leaderCapability"]) == (
        FLEXIBLE,
        FIXED,
        PURPOSE,
    )
    # Setting a view to what it is already records nothing.
    step(clock, org)
    same = await done(
        gql, ASSESS, leader, agreement_id, leaderView=FIXED, leaderCapability=FLEXIBLE
    )
    assert same["leaderCapability"] == FLEXIBLE
    # Assessments never touch the agreed stage.
    assert same["agreedStage"] == FIXED

    assessments = [c for c in changes(same) if c[0] not in ("PROPOSED_STAGE", "AGREED_STAGE")]
    assert assessments == [
        ("STATUS", "PROPOSED", "ACTIVE", follower.id),
        ("FOLLOWER_VIEW", None, FLEXIBLE, follower.id),
        ("LEADER_VIEW", None, FIXED, leader.id),
        ("LEADER_CAPABILITY", None, PURPOSE, leader.id),
        ("LEADER_CAPABILITY", PURPOSE, FLEXIBLE, leader.id),
    ]


async def test_signals_appear_and_disappear_as_assessments_change(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower)
    agreement_id = (await agreed(gql, leader, follower, relationship["id"], TASKS))["id"]

    async def assessed(by: Member, **values: str) -> dict[str, Any]:
        step(clock, org)
        return await done(gql, ASSESS, by, agreement_id, **values)

    async def restaged(stage: str) -> dict[str, Any]:
        step(clock, org)
        await done(gql, PROPOSE_STAGE, leader, agreement_id, stage=stage)
        return await done(gql, CONFIRM, follower, agreement_id)

    # No views, no leader capability: no signal.
    assert (await seen(gql, leader, agreement_id))["signals"] == []

    # Led at tasks, the follower sees themselves at flexible goals.
    found = await assessed(follower, followerView=FLEXIBLE)
    assert kinds(found) == ["UNDER_CHALLENGED"]
    (signal,) = found["signals"]
    assert signal == {
        "kind": "UNDER_CHALLENGED",
        "agreedStage": TASKS,
        "followerView": FLEXIBLE,
        "leaderView": None,
        "leaderCapability": None,
        "explanation": "Led at tasks and processes while capable of flexible goals: "
        "this tends to feel constrained, patronized and micromanaged.",
    }
    # The leader sees them a stage lower: still below every view.
    found = await assessed(leader, leaderView=FIXED)
    assert kinds(found) == ["UNDER_CHALLENGED"]
    assert "fixed goals to flexible goals" in explanation(found, "UNDER_CHALLENGED")
    # The leader sees them at tasks: no longer under-challenged, but two stages apart.
    found = await assessed(leader, leaderView=TASKS)
    assert kinds(found) == ["PERCEPTION_GAP"]
    assert explanation(found, "PERCEPTION_GAP") == (
        "The follower sees themselves at flexible goals, the leader sees them at tasks and "
        "processes: two or more stages apart, worth talking about."
    )
    # One stage apart is no gap.
    found = await assessed(follower, followerView=FIXED)
    assert kinds(found) == []

    # Agreed at flexible goals, above both views; then the leader can lead
    # at fixed goals only.
    found = await restaged(FLEXIBLE)
    assert kinds(found) == ["OVERWHELMED"]
    assert explanation(found, "OVERWHELMED") == (
        "Led at flexible goals while capable of tasks and processes to fixed goals: "
        "this tends to feel vague and overwhelming, like being lost and left alone."
    )
    found = await assessed(leader, leaderCapability=FIXED)
    assert kinds(found) == ["OVERWHELMED", "LEADER_GAP"]
    assert explanation(found, "LEADER_GAP") == (
        "The leader is capable of leading at fixed goals, below the agreed flexible goals: "
        "leader and follower must both be capable at the same stage."
    )
    found = await assessed(leader, leaderCapability=FLEXIBLE)
    assert kinds(found) == ["OVERWHELMED"]

    # Several at once: agreed purpose, views flexible goals and tasks, leader
    # capable of fixed goals.
    found = await restaged(PURPOSE)
    assert kinds(found) == ["OVERWHELMED", "LEADER_GAP"]
    found = await assessed(follower, followerView=FLEXIBLE)
    assert kinds(found) == ["OVERWHELMED", "LEADER_GAP", "PERCEPTION_GAP"]
    found = await assessed(leader, leaderCapability=FIXED)
    assert kinds(found) == ["OVERWHELMED", "LEADER_GAP", "PERCEPTION_GAP"]
    for signal in found["signals"]:
        assert (
            signal["agreedStage"],
            signal["followerView"],
            signal["leaderView"],
            signal["leaderCapability"],
        ) == (PURPOSE, FLEXIBLE, TASKS, FIXED)
        assert signal["explanation"]
    # Both people see the same signals on each other and on themselves.
    for viewer, subject in ((leader, follower), (follower, leader), (leader, leader)):
        on = await on_person(gql, viewer, subject)
        assert [s["kind"] for s in on["mismatchSignals"]] == kinds(found)

    # The leader now sees the follower at purpose and can lead there: the
    # views are one stage apart and the agreed stage is not above both.
    found = await assessed(leader, leaderView=PURPOSE, leaderCapability=PURPOSE)
    assert kinds(found) == []
    # The follower doubts themselves: two stages apart again.
    found = await assessed(follower, followerView=FIXED)
    assert kinds(found) == ["PERCEPTION_GAP"]
    found = await assessed(follower, followerView=PURPOSE)
    assert kinds(found) == []
    assert (await on_person(gql, leader, follower))["mismatchSignals"] == []


async def test_only_the_leader_capability_gives_a_signal_without_views(
    gql: GraphQL, org: Org
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower, kind=COACHING)
    agreement_id = (await agreed(gql, follower, leader, relationship["id"], PURPOSE))["id"]

    found = await done(gql, ASSESS, leader, agreement_id, leaderCapability=TASKS)

    assert kinds(found) == ["LEADER_GAP"]


async def test_a_proposed_agreement_has_no_signals_yet(gql: GraphQL, org: Org) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower)
    offer = success(
        await propose_result(gql, leader, relationship_id=relationship["id"], stage=PURPOSE)
    )

    found = await done(gql, ASSESS, follower, offer["id"], followerView=TASKS)
    found = await done(gql, ASSESS, leader, offer["id"], leaderCapability=TASKS)

    assert found["status"] == "PROPOSED"
    assert (found["followerView"], found["leaderCapability"]) == (TASKS, TASKS)
    assert found["signals"] == []
    assert (await on_person(gql, leader, follower))["mismatchSignals"] == []


# == the leadership an agreement lives in =========================================


@pytest.mark.parametrize("kind", [STEWARDSHIP, MENTORSHIP, COACHING])
async def test_an_agreement_within_each_kind_of_relationship(
    gql: GraphQL, org: Org, kind: str
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    areas = (
        [(await create_area(gql, org.faculty.token, "Design"))["id"]] if kind == MENTORSHIP else []
    )
    relationship = await established(gql, leader, follower, kind=kind, areas=areas)

    offer = success(
        await propose_result(
            gql, follower, relationship_id=relationship["id"], stage=FLEXIBLE, dimension="HOW"
        )
    )
    active = await done(gql, CONFIRM, leader, offer["id"])

    assert active["relationship"]["id"] == relationship["id"]
    assert active["leader"]["id"] == leader.id
    assert active["follower"]["id"] == follower.id
    assert (active["status"], active["agreedStage"], active["dimension"]) == (
        "ACTIVE",
        FLEXIBLE,
        "HOW",
    )
    for viewer, subject in ((leader, follower), (follower, leader), (leader, leader)):
        listed = (await on_person(gql, viewer, subject))["agreements"]
        assert [a["id"] for a in listed] == [offer["id"]]


@pytest.mark.parametrize("proposer_is_owner", [True, False])
async def test_a_product_owner_and_a_member_of_their_team(
    gql: GraphQL, org: Org, clock: FakeClock, proposer_is_owner: bool
) -> None:
    owner = await org.add_member("Pat Owner")
    member = await org.add_member("Mia Member")
    team_id = await team_with(gql, org, "Checkout", member)
    role_id = await held_product_owner(gql, org, owner, team_id)

    if proposer_is_owner:
        offer = success(
            await propose_result(
                gql, owner, role_assignment_id=role_id, follower_id=member.id, stage=FIXED
            )
        )
        confirmer = member
    else:
        # The member proposes; the role names the leader.
        offer = success(await propose_result(gql, member, role_assignment_id=role_id, stage=FIXED))
        confirmer = owner
    assert offer["roleAssignment"]["id"] == role_id
    assert offer["relationship"] is None
    assert (offer["leader"]["id"], offer["follower"]["id"]) == (owner.id, member.id)
    step(clock, org)
    active = await done(gql, CONFIRM, confirmer, offer["id"])
    assert (active["status"], active["agreedStage"]) == ("ACTIVE", FIXED)

    found = await done(gql, ASSESS, member, offer["id"], followerView=PURPOSE)
    assert kinds(found) == ["UNDER_CHALLENGED"]
    assert [s["kind"] for s in (await on_person(gql, owner, member))["mismatchSignals"]] == [
        "UNDER_CHALLENGED"
    ]


async def test_a_product_owner_makes_agreements_only_with_current_members_of_their_team(
    gql: GraphQL, org: Org, services: Services
) -> None:
    owner = await org.add_member("Pat Owner")
    member = await org.add_member("Mia Member")
    outsider = await org.add_member("Otto Outsider")
    team_id = await team_with(gql, org, "Checkout", member)
    role_id = await held_product_owner(gql, org, owner, team_id)
    other_team_role = await held_product_owner(
        gql, org, owner, await team_with(gql, org, "Search", outsider)
    )
    coach_offer = await mutate(
        gql, VOLUNTEER_FOR_ROLE, {"role": "TEAM_COACH", "teamId": team_id}, token=owner.token
    )
    coach_role = (
        await mutate(
            gql,
            ACCEPT_ROLE,
            {"roleAssignmentId": coach_offer["roleAssignment"]["id"]},
            token=org.faculty.token,
        )
    )["roleAssignment"]["id"]
    before = await agreement_state(services)

    # A non-member, named by the owner or proposing themselves.
    error(
        await propose_result(gql, owner, role_assignment_id=role_id, follower_id=outsider.id),
        "ConflictError",
        "NOT_IN_TEAM",
    )
    error(
        await propose_result(gql, outsider, role_assignment_id=role_id),
        "ConflictError",
        "NOT_IN_TEAM",
    )
    # A member of another team the owner leads is not in this one.
    error(
        await propose_result(gql, member, role_assignment_id=other_team_role),
        "ConflictError",
        "NOT_IN_TEAM",
    )
    # The owner names nobody, or themselves.
    error(
        await propose_result(gql, owner, role_assignment_id=role_id),
        "ValidationError",
        "REQUIRED",
        "followerId",
    )
    error(
        await propose_result(gql, owner, role_assignment_id=role_id, follower_id=owner.id),
        "ValidationError",
        "SELF_RELATIONSHIP",
        "followerId",
    )
    # Another role is no product-owner role; an unknown one is not found.
    error(
        await propose_result(gql, owner, role_assignment_id=coach_role, follower_id=member.id),
        "NotFoundError",
        "NOT_FOUND",
    )
    error(
        await propose_result(
            gql, owner, role_assignment_id=missing_id("RoleAssignment"), follower_id=member.id
        ),
        "NotFoundError",
        "NOT_FOUND",
    )
    assert await agreement_state(services) == before

    # Once the owner stepped back, the role is no longer a context.
    stepped = await mutate(gql, STEP_BACK, {"roleAssignmentId": role_id}, token=owner.token)
    assert stepped["__typename"] == "RoleAssignmentSuccess", stepped
    before = await agreement_state(services)
    error(
        await propose_result(gql, member, role_assignment_id=role_id),
        "ConflictError",
        "NO_ACTIVE_RELATIONSHIP",
    )
    assert await agreement_state(services) == before


async def test_no_agreement_outside_an_active_relationship(
    gql: GraphQL, org: Org, services: Services
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    third = await org.add_member("Theo Third")
    pending = await proposed(
        gql,
        leader,
        follower,
        kind=MENTORSHIP,
        areas=[(await create_area(gql, org.faculty.token, "Sales"))["id"]],
    )
    ended = await established(gql, leader, follower, kind=COACHING)
    await succeeded(gql, END, follower, ended["id"], reason="done")
    active = await established(gql, leader, follower)
    team_id = await team_with(gql, org, "Checkout", follower)
    role_id = await held_product_owner(gql, org, leader, team_id)
    before = await agreement_state(services)

    for relationship_id in (pending["id"], ended["id"]):
        for by in (leader, follower):
            error(
                await propose_result(gql, by, relationship_id=relationship_id),
                "ConflictError",
                "NO_ACTIVE_RELATIONSHIP",
            )
    # Someone else's relationship, or none at all, does not exist for the proposer.
    for relationship_id in (active["id"], pending["id"], missing_id("Relationship")):
        error(
            await propose_result(gql, third, relationship_id=relationship_id),
            "NotFoundError",
            "NOT_FOUND",
        )
    # Exactly one context.
    error(
        await propose_result(
            gql,
            leader,
            relationship_id=active["id"],
            role_assignment_id=role_id,
            follower_id=follower.id,
        ),
        "ValidationError",
        "ONE_CONTEXT",
        "relationshipId",
    )
    error(
        await propose_result(gql, leader, follower_id=follower.id),
        "ValidationError",
        "ONE_CONTEXT",
        "relationshipId",
    )
    assert await agreement_state(services) == before


async def test_ending_the_relationship_ends_its_agreements(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower)
    other = await established(gql, leader, follower, kind=COACHING)
    active = await agreed(gql, leader, follower, relationship["id"], TASKS, context="Hiring")
    await done(gql, ASSESS, follower, active["id"], followerView=PURPOSE)
    pending = success(
        await propose_result(gql, follower, relationship_id=relationship["id"], context="Budget")
    )
    elsewhere = await agreed(gql, leader, follower, other["id"], FIXED, context="Coaching")
    assert len((await on_person(gql, leader, follower))["agreements"]) == 3

    step(clock, org)
    await succeeded(gql, END, leader, relationship["id"], reason="moving on")

    for agreement_id, status_before in ((active["id"], "ACTIVE"), (pending["id"], "PROPOSED")):
        found = await seen(gql, follower, agreement_id)
        assert found["status"] == "ENDED"
        assert found["signals"] == []
        assert changes(found)[-1] == ("STATUS", status_before, "ENDED", leader.id)
        assert datetime.fromisoformat(found["history"][-1]["changedAt"]) == clock.now()
    assert (await seen(gql, leader, elsewhere["id"]))["status"] == "ACTIVE"
    on = await on_person(gql, leader, follower)
    assert [a["id"] for a in on["agreements"]] == [elsewhere["id"]]
    assert on["mismatchSignals"] == []

    # Nothing more happens to an ended agreement.
    before = await agreement_state(services)
    review_on = (clock.now() + timedelta(days=30)).date().isoformat()
    for document, by, extra in (
        (PROPOSE_STAGE, leader, {"stage": FIXED}),
        (PROPOSE_STAGE, follower, {"stage": FIXED}),
        (CONFIRM, leader, {}),
        (REJECT, follower, {}),
        (ASSESS, follower, {"followerView": TASKS}),
        (ASSESS, leader, {"leaderView": TASKS}),
        (SET_REVIEW, leader, {"reviewOn": review_on}),
        (END_AGREEMENT, follower, {}),
    ):
        for agreement_id in (active["id"], pending["id"]):
            error(
                await act(gql, document, by, agreement_id, **extra),
                "ConflictError",
                "AGREEMENT_ENDED",
            )
    assert await agreement_state(services) == before


async def test_a_stewardship_handover_ends_the_old_stewards_agreements(
    gql: GraphQL, org: Org
) -> None:
    old = await org.add_member("Olga Old")
    new = await org.add_member("Ned New")
    person = await org.add_member("Pia Person")
    first = await established(gql, old, person)
    agreement = await agreed(gql, old, person, first["id"], TASKS)
    await done(gql, ASSESS, person, agreement["id"], followerView=FLEXIBLE)
    assert (
        len(
            (await gql.data(STEWARDEE_MISMATCHES, token=old.token))["viewer"]["stewardeeMismatches"]
        )
        == 1
    )

    await established(gql, new, person)

    assert (await seen(gql, person, agreement["id"]))["status"] == "ENDED"
    data = await gql.data(STEWARDEE_MISMATCHES, token=old.token)
    assert data["viewer"]["stewardeeMismatches"] == []


async def test_either_side_ends_an_agreement_and_sets_its_review(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower, kind=COACHING)
    agreement_id = (await agreed(gql, leader, follower, relationship["id"], FIXED))["id"]
    review_on = clock.now().date() + timedelta(days=7)

    step(clock, org)
    found = await done(gql, SET_REVIEW, follower, agreement_id, reviewOn=review_on.isoformat())
    assert (found["reviewOn"], found["dueForReview"]) == (review_on.isoformat(), False)
    assert changes(found)[-1] == ("REVIEW_ON", None, review_on.isoformat(), follower.id)

    advance(clock, timedelta(days=7), org)
    assert (await seen(gql, leader, agreement_id))["dueForReview"] is True
    later = clock.now().date() + timedelta(days=90)
    found = await done(gql, SET_REVIEW, leader, agreement_id, reviewOn=later.isoformat())
    assert (found["reviewOn"], found["dueForReview"]) == (later.isoformat(), False)
    assert changes(found)[-1] == (
        "REVIEW_ON",
        review_on.isoformat(),
        later.isoformat(),
        leader.id,
    )

    step(clock, org)
    ended = await done(gql, END_AGREEMENT, follower, agreement_id)
    assert ended["status"] == "ENDED"
    assert ended["dueForReview"] is False
    assert changes(ended)[-1] == ("STATUS", "ACTIVE", "ENDED", follower.id)
    assert (await on_person(gql, leader, follower))["agreements"] == []
    before = await agreement_state(services)
    error(await act(gql, END_AGREEMENT, leader, agreement_id), "ConflictError", "AGREEMENT_ENDED")
    assert await agreement_state(services) == before


# == privacy ======================================================================


async def test_only_the_two_people_see_or_change_an_agreement(
    gql: GraphQL, org: Org, make_org: OrgFactory, clock: FakeClock, services: Services
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    third = await org.add_member("Theo Third")
    faculty = await org.add_member("Fay Faculty", faculty=True)
    elsewhere = await (await make_org("Elsewhere")).add_member("Olaf Other")
    relationship = await established(gql, leader, follower)
    agreement = await agreed(gql, leader, follower, relationship["id"], TASKS)
    agreement_id = agreement["id"]
    step(clock, org)
    offer = success(await propose_result(gql, follower, relationship_id=relationship["id"]))
    await done(gql, ASSESS, follower, agreement_id, followerView=PURPOSE)
    await done(gql, PROPOSE_STAGE, follower, agreement_id, stage=FIXED)

    for outsider in (third, faculty, org.faculty):
        assert await node(gql, outsider, agreement_id) is None
        data = await gql.data(NODES, {"ids": [agreement_id, offer["id"]]}, token=outsider.token)
        assert data["nodes"] == [None, None]
        for subject in (follower, leader):
            on = await on_person(gql, outsider, subject)
            assert on["agreements"] == []
            assert on["mismatchSignals"] == []
            assert on["stewardeeMismatches"] is None
    # Another organization does not even see the people.
    assert await gql.data(NODE, {"id": agreement_id}, token=elsewhere.token) == {"node": None}
    data = await gql.data(NODES, {"ids": [agreement_id]}, token=elsewhere.token)
    assert data["nodes"] == [None]

    before = await agreement_state(services)
    review_on = (clock.now() + timedelta(days=30)).date().isoformat()
    for outsider in (third, faculty, org.faculty, elsewhere):
        for document, extra in (
            (PROPOSE_STAGE, {"stage": PURPOSE}),
            (CONFIRM, {}),
            (REJECT, {}),
            (ASSESS, {"followerView": TASKS}),
            (ASSESS, {"leaderView": TASKS}),
            (SET_REVIEW, {"reviewOn": review_on}),
            (END_AGREEMENT, {}),
        ):
            for target in (agreement_id, offer["id"]):
                error(
                    await act(gql, document, outsider, target, **extra),
                    "NotFoundError",
                    "NOT_FOUND",
                )
    assert await agreement_state(services) == before

    # The two people do see it.
    assert (await seen(gql, leader, agreement_id))["proposedStage"] == FIXED
    assert [a["id"] for a in (await on_person(gql, follower, leader))["agreements"]] == [
        agreement_id,
        offer["id"],
    ]
    # Your stewardee mismatches are yours alone, even to your stewardee.
    assert (await on_person(gql, follower, leader))["stewardeeMismatches"] is None
    assert (await on_person(gql, leader, leader))["stewardeeMismatches"] == [
        {"agreement": {"id": agreement_id}}
    ]


async def test_a_steward_sees_only_their_own_agreements_with_a_stewardee(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    steward = await org.add_member("Sam Steward")
    person = await org.add_member("Pia Person")
    mentor = await org.add_member("Max Mentor")
    area = (await create_area(gql, org.faculty.token, "Data"))["id"]
    stewardship = await established(gql, steward, person)
    mentorship = await established(gql, mentor, person, kind=MENTORSHIP, areas=[area])
    ours = await agreed(gql, steward, person, stewardship["id"], FIXED)
    step(clock, org)
    theirs = await agreed(gql, mentor, person, mentorship["id"], TASKS)
    await done(gql, ASSESS, person, theirs["id"], followerView=PURPOSE)

    on = await on_person(gql, steward, person)
    assert [a["id"] for a in on["agreements"]] == [ours["id"]]
    assert on["mismatchSignals"] == []
    assert await node(gql, steward, theirs["id"]) is None
    data = await gql.data(STEWARDEE_MISMATCHES, token=steward.token)
    assert data["viewer"]["stewardeeMismatches"] == []
    # The person sees both, with the mentorship's signal.
    on = await on_person(gql, person, person)
    assert [a["id"] for a in on["agreements"]] == [ours["id"], theirs["id"]]
    assert [s["kind"] for s in on["mismatchSignals"]] == ["UNDER_CHALLENGED"]


# == a steward across their stewardees ============================================


async def test_a_steward_sees_the_agreements_with_signals_across_their_stewardees(
    gql: GraphQL, org: Org
) -> None:
    steward = await org.add_member("Sam Steward")
    ann = await org.add_member("Ann")
    bob = await org.add_member("Bob")
    cat = await org.add_member("Cat")
    own_steward = await org.add_member("Stella")
    mentee = await org.add_member("Mo Mentee")
    area = (await create_area(gql, org.faculty.token, "Ops"))["id"]
    with_ann = (await established(gql, steward, ann))["id"]
    with_bob = (await established(gql, steward, bob))["id"]
    await established(gql, steward, cat)
    above = (await established(gql, own_steward, steward))["id"]
    mentoring = (await established(gql, steward, mentee, kind=MENTORSHIP, areas=[area]))["id"]

    # Ann: one under-challenged, one in line, one only proposed.
    ann_low = await agreed(gql, steward, ann, with_ann, TASKS, context="Ann low")
    await done(gql, ASSESS, ann, ann_low["id"], followerView=FLEXIBLE)
    ann_fine = await agreed(gql, ann, steward, with_ann, FIXED, context="Ann fine")
    await done(gql, ASSESS, ann, ann_fine["id"], followerView=FIXED)
    ann_open = success(await propose_result(gql, steward, relationship_id=with_ann, stage=PURPOSE))
    await done(gql, ASSESS, ann, ann_open["id"], followerView=TASKS)
    # Bob: the steward cannot lead at the agreed stage, and they see Bob differently.
    bob_gap = await agreed(gql, bob, steward, with_bob, PURPOSE, context="Bob gap")
    await done(gql, ASSESS, steward, bob_gap["id"], leaderCapability=FLEXIBLE, leaderView=FIXED)
    await done(gql, ASSESS, bob, bob_gap["id"], followerView=PURPOSE)
    # Cat: no agreement. Signals outside the steward's stewardships do not count.
    up = await agreed(gql, own_steward, steward, above, TASKS, context="Steward led")
    await done(gql, ASSESS, steward, up["id"], followerView=PURPOSE)
    mentor_agreement = await agreed(gql, steward, mentee, mentoring, TASKS, context="Mentoring")
    await done(gql, ASSESS, mentee, mentor_agreement["id"], followerView=PURPOSE)

    data = await gql.data(VIEWER_MISMATCHES, token=steward.token)

    found = {
        m["agreement"]["id"]: (m["stewardee"]["id"], [s["kind"] for s in m["signals"]])
        for m in data["viewer"]["stewardeeMismatches"]
    }
    assert found == {
        ann_low["id"]: (ann.id, ["UNDER_CHALLENGED"]),
        bob_gap["id"]: (bob.id, ["LEADER_GAP", "PERCEPTION_GAP"]),
    }
    for mismatch in data["viewer"]["stewardeeMismatches"]:
        assert mismatch["agreement"]["leader"]["id"] == steward.id
        assert mismatch["agreement"]["follower"]["id"] == mismatch["stewardee"]["id"]
    # The steward's own steward sees the agreement they lead, not those below.
    data = await gql.data(VIEWER_MISMATCHES, token=own_steward.token)
    assert [m["agreement"]["id"] for m in data["viewer"]["stewardeeMismatches"]] == [up["id"]]
    # A person with no stewardees has an empty list.
    data = await gql.data(VIEWER_MISMATCHES, token=cat.token)
    assert data["viewer"]["stewardeeMismatches"] == []

    # Bringing Ann's agreement in line takes it off the list.
    await done(gql, PROPOSE_STAGE, steward, ann_low["id"], stage=FLEXIBLE)
    await done(gql, CONFIRM, ann, ann_low["id"])
    data = await gql.data(VIEWER_MISMATCHES, token=steward.token)
    assert [m["agreement"]["id"] for m in data["viewer"]["stewardeeMismatches"]] == [bob_gap["id"]]


async def _stewardees_with_agreements(
    gql: GraphQL, services: Services, org: Org, steward: Member, size: int
) -> list[Member]:
    """`steward` stewards `size` people, with five agreements each, four of
    them with a signal. Set up through the domain services for speed."""
    assert (await set_capacity(gql, steward, STEWARDSHIP, 50))["__typename"] == (
        "SetCapacitySuccess"
    )
    people = [await org.add_member(f"Stewardee {i:02d}") for i in range(size)]
    now = services.clock.now()
    async with services.uow_factory(org.id) as uow:
        for member in people:
            relationship = await relationship_service.propose(
                uow,
                actor(steward),
                kind=RelationshipKind.STEWARDSHIP,
                other_person_id=member.person.id,
                side=Side.LEADER,
                now=now,
            )
            await relationship_service.accept(uow, actor(member), relationship.id, now=now)
            for j in range(5):
                agreement = await agreement_service.propose(
                    uow,
                    actor(steward),
                    relationship_id=relationship.id,
                    context=f"Context {j}",
                    stage=AutonomyStage.FIXED_GOALS,
                    now=now,
                )
                await agreement_service.confirm_stage(
                    uow, actor(member), agreement.id, stage=agreement.proposed_stage, now=now
                )
                if j < 4:
                    await agreement_service.assess(
                        uow,
                        actor(member),
                        agreement.id,
                        follower_view=AutonomyStage.PURPOSE,
                        now=now,
                    )
        await uow.commit()
    return people


async def test_stewardee_mismatches_take_a_constant_number_of_statements(
    app: FastAPI, gql: GraphQL, services: Services, make_org: OrgFactory
) -> None:
    counts: dict[int, int] = {}
    for size in (3, 30):
        org = await make_org(f"Mismatches {size}")
        steward = await org.add_member("Sam Steward")
        people = await _stewardees_with_agreements(gql, services, org, steward, size)

        with count_statements(app.state.engine) as counter:
            data = await gql.data(STEWARDEE_MISMATCHES, token=steward.token)
        counts[size] = counter.count

        found = data["viewer"]["stewardeeMismatches"]
        assert len(found) == 4 * size
        assert sorted({m["stewardee"]["name"] for m in found}) == sorted(
            p.person.name for p in people
        )
        for mismatch in found:
            assert mismatch["agreement"]["agreedStage"] == FIXED
            assert mismatch["agreement"]["context"] in {f"Context {j}" for j in range(4)}
            assert sorted(c["field"] for c in mismatch["agreement"]["history"]) == [
                "AGREED_STAGE",
                "FOLLOWER_VIEW",
                "PROPOSED_STAGE",
                "STATUS",
            ]
            assert [s["kind"] for s in mismatch["signals"]] == ["UNDER_CHALLENGED"]
            assert mismatch["signals"][0]["explanation"]

    assert counts[3] == counts[30] == STEWARDEE_MISMATCHES_STATEMENTS, counts


# == bad input ====================================================================


async def test_an_invalid_stage_is_a_graphql_validation_error(
    gql: GraphQL, org: Org, services: Services
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower)
    agreement_id = (await agreed(gql, leader, follower, relationship["id"]))["id"]
    before = await agreement_state(services)

    for document, values in (
        (
            PROPOSE_AGREEMENT,
            {"relationshipId": relationship["id"], "context": "x", "stage": "MICROMANAGED"},
        ),
        (PROPOSE_STAGE, {"agreementId": agreement_id, "stage": "tasks"}),
        (ASSESS, {"agreementId": agreement_id, "followerView": "EVERYTHING"}),
        (PROPOSE_AGREEMENT, {"relationshipId": relationship["id"], "context": "x", "stage": 2}),
    ):
        response = await gql.raw(document, {"input": values}, token=follower.token)
        body = response.json()
        assert body.get("data") is None, body
        assert body["errors"], body
        assert "AutonomyStage" in body["errors"][0]["message"], body
    assert await agreement_state(services) == before


async def test_bad_input_is_refused_with_a_typed_error(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    leader = await org.add_member("Lea Leader")
    follower = await org.add_member("Finn Follower")
    relationship = await established(gql, leader, follower)
    rel_id = relationship["id"]
    agreement_id = (await agreed(gql, leader, follower, rel_id, FIXED))["id"]
    today = clock.now().date()
    before = await agreement_state(services)

    # Review dates lie in the future.
    for review_on in (today, today - timedelta(days=1)):
        error(
            await propose_result(gql, leader, relationship_id=rel_id, reviewOn=str(review_on)),
            "ValidationError",
            "REVIEW_DATE_PAST",
            "reviewOn",
        )
        error(
            await act(gql, SET_REVIEW, leader, agreement_id, reviewOn=review_on.isoformat()),
            "ValidationError",
            "REVIEW_DATE_PAST",
            "reviewOn",
        )
    # A context is required, and short.
    for context in ("", "   \n\t "):
        error(
            await propose_result(gql, leader, relationship_id=rel_id, context=context),
            "ValidationError",
            "REQUIRED",
            "context",
        )
    error(
        await propose_result(gql, leader, relationship_id=rel_id, context="x" * 501),
        "ValidationError",
        "TOO_LONG",
        "context",
    )
    # An unknown knowledge area.
    error(
        await propose_result(
            gql, leader, relationship_id=rel_id, knowledgeAreaId=missing_id("KnowledgeArea")
        ),
        "NotFoundError",
        "NOT_FOUND",
    )
    # Malformed ids, and ids of the wrong type.
    for bad in ("not-an-id", gid("Person", leader.person.id), ""):
        for values, field in (
            ({"relationshipId": bad or "x"}, "relationshipId"),
            ({"roleAssignmentId": bad or "x"}, "roleAssignmentId"),
            ({"relationshipId": rel_id, "knowledgeAreaId": bad or "x"}, "knowledgeAreaId"),
        ):
            error(
                await mutate(
                    gql,
                    PROPOSE_AGREEMENT,
                    {"context": "Hiring", "stage": TASKS, **values},
                    token=leader.token,
                ),
                "ValidationError",
                "INVALID_ID",
                field,
            )
        for document, extra in (
            (PROPOSE_STAGE, {"stage": TASKS}),
            (CONFIRM, {"stage": TASKS}),
            (REJECT, {}),
            (ASSESS, {"leaderView": TASKS}),
            (SET_REVIEW, {"reviewOn": (today + timedelta(days=3)).isoformat()}),
            (END_AGREEMENT, {}),
        ):
            error(
                await act(gql, document, leader, bad, **extra),
                "ValidationError",
                "INVALID_ID",
                "agreementId",
            )
    error(
        await act(gql, CONFIRM, leader, missing_id("AutonomyAgreement")),
        "NotFoundError",
        "NOT_FOUND",
    )
    # Nothing is waiting to be confirmed or declined.
    for document in (CONFIRM, REJECT):
        for by in (leader, follower):
            error(
                await act(gql, document, by, agreement_id),
                "ConflictError",
                "NOTHING_PROPOSED",
            )
    # The agreed stage again is no change.
    for by in (leader, follower):
        error(
            await act(gql, PROPOSE_STAGE, by, agreement_id, stage=FIXED),
            "ConflictError",
            "UNCHANGED",
        )
    assert await agreement_state(services) == before

    # Signed out: nothing at all.
    response = await gql.raw(
        PROPOSE_STAGE, {"input": {"agreementId": agreement_id, "stage": TASKS}}
    )
    result = response.json()["data"]["proposeAgreementStage"]
    assert result["__typename"] == "AuthenticationError", result
    assert await agreement_state(services) == before


@pytest.mark.parametrize("leaves", ["team", "role"])
async def test_a_product_owners_agreements_end_when_the_team_link_ends(
    gql: GraphQL, org: Org, clock: FakeClock, leaves: str
) -> None:
    """An agreement within a team lives as long as the member is in the team
    and the owner holds the role; others of the owner's agreements stay."""
    owner = await org.add_member("Pat Owner")
    member = await org.add_member("Mia Member")
    stays = await org.add_member("Sam Stays")
    team_id = await team_with(gql, org, "Checkout", member, stays)
    role_id = await held_product_owner(gql, org, owner, team_id)
    agreements = {}
    for follower in (member, stays):
        offer = success(
            await propose_result(
                gql, owner, role_assignment_id=role_id, follower_id=follower.id, stage=FIXED
            )
        )
        step(clock, org)
        agreements[follower.id] = await done(gql, CONFIRM, follower, offer["id"])

    if leaves == "team":
        result = await mutate(
            gql,
            REMOVE_TEAM_MEMBER,
            {"teamId": team_id, "personId": member.id},
            token=org.faculty.token,
        )
        assert result["__typename"] == "TeamMembershipSuccess", result
        expected = {member.id: "ENDED", stays.id: "ACTIVE"}
    else:
        stepped = await mutate(gql, STEP_BACK, {"roleAssignmentId": role_id}, token=owner.token)
        assert stepped["__typename"] == "RoleAssignmentSuccess", stepped
        expected = {member.id: "ENDED", stays.id: "ENDED"}
    for follower_id, status in expected.items():
        seen_now = await node(gql, owner, agreements[follower_id]["id"])
        assert seen_now is not None
        assert seen_now["status"] == status


async def test_a_proposal_changed_meanwhile_is_not_confirmed_blindly(
    gql: GraphQL, org: Org, services: Services, clock: FakeClock
) -> None:
    """Consent is to the stage the person saw. The leader changes the proposal
    after the follower looked; the follower's confirmation of what they saw
    is refused and nothing is agreed."""
    leader, follower = await org.add_member("Lee"), await org.add_member("Fay")
    relationship = await established(gql, leader, follower, kind=STEWARDSHIP)
    offer = success(
        await propose_result(gql, leader, relationship_id=relationship["id"], stage=FIXED)
    )
    step(clock, org)
    await done(gql, PROPOSE_STAGE, leader, offer["id"], stage=PURPOSE)
    before = await agreement_state(services)
    error(
        await act(gql, CONFIRM, follower, offer["id"], stage=FIXED),
        "ConflictError",
        "PROPOSAL_CHANGED",
    )
    assert await agreement_state(services) == before
