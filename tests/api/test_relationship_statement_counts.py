"""No N+1 in the relationship reads: the lists execute the same, pinned number
of SQL statements however many rows they return. Set-up goes through the
domain services for speed; the measured query goes through the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from api.context import Services
from domain.actors import Actor
from domain.relationships import RelationshipKind, Side
from domain.services import relationships as relationship_service
from domain.teams import Team, TeamMembership
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.relationship_helpers import advance
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]

WITHOUT_STEWARD = """
query WithoutSteward($first: Int!) {
  peopleWithoutSteward(first: $first) { edges { node { name teams { name } } } }
}
"""

STEWARDEES = """
{
  viewer {
    stewardees {
      follower { name teams { name } }
      lastActivityAt startedAt dueForReview
    }
  }
}
"""

# Pinned. A change is either a regression (N+1) or a deliberate change of the
# read path: look at `counter.statements`.
# viewer (the token's person), org faculty flag, the page, teams of the people
WITHOUT_STEWARD_AS_FACULTY = 4
# viewer, org faculty flag, organization (default capacity), stewardee load, page, teams
WITHOUT_STEWARD_AS_MEMBER = 6
# viewer, active stewardships led, followers (people by id), teams of followers,
# last activity of the relationships
STEWARDEES_STATEMENTS = 5


def actor(member: Member) -> Actor:
    return Actor(person_id=member.person.id, organization_id=member.person.organization_id)


async def _in_teams(services: Services, org: Org, members: list[Member]) -> None:
    """Everyone in one or two of three teams."""
    now = services.clock.now()
    async with services.uow_factory(org.id) as uow:
        teams = [Team.create(organization_id=org.id, name=f"Team {t}", now=now) for t in range(3)]
        for team in teams:
            await uow.teams.add(team)
        for i, member in enumerate(members):
            for team in {teams[i % 3], teams[(i + 1) % 3] if i % 2 else teams[i % 3]}:
                await uow.memberships.add(
                    TeamMembership(
                        organization_id=org.id,
                        team_id=team.id,
                        person_id=member.person.id,
                        started_at=now,
                    )
                )
        await uow.commit()


async def _steward(services: Services, org: Org, steward: Member, people: list[Member]) -> None:
    """`steward` stewards all of `people`: proposed and accepted through the
    domain services, in one transaction, each with a review date."""
    now = services.clock.now()
    async with services.uow_factory(org.id) as uow:
        await relationship_service.set_capacity(
            uow, actor(steward), kind=RelationshipKind.STEWARDSHIP, value=max(len(people), 6)
        )
        for i, member in enumerate(people):
            relationship = await relationship_service.propose(
                uow,
                actor(steward),
                kind=RelationshipKind.STEWARDSHIP,
                other_person_id=member.person.id,
                side=Side.LEADER,
                review_on=(now + timedelta(days=1 + i)).date(),
                now=now,
            )
            await relationship_service.accept(uow, actor(member), relationship.id, now=now)
        await uow.commit()


async def _count(
    app: FastAPI, gql: GraphQL, query: str, variables: dict[str, Any], token: str
) -> tuple[int, dict[str, Any]]:
    with count_statements(app.state.engine) as counter:
        data = await gql.data(query, variables, token=token)
    return counter.count, data


async def test_people_without_steward_with_their_teams(
    app: FastAPI, gql: GraphQL, services: Services, make_org: OrgFactory
) -> None:
    faculty_counts: dict[int, int] = {}
    member_counts: dict[int, int] = {}
    for size in (5, 40):
        org = await make_org(f"Unstewarded {size}")
        # `size` people without a steward (the founder among them), plus two
        # stewarded ones that must not be listed.
        alone = [org.faculty] + [await org.add_member(f"Alone {i:02d}") for i in range(size - 1)]
        stewarded = [await org.add_member(f"Stewarded {i}") for i in range(2)]
        await _in_teams(services, org, alone + stewarded)
        await _steward(services, org, alone[1], stewarded)

        count, data = await _count(app, gql, WITHOUT_STEWARD, {"first": 50}, org.faculty.token)
        names = [e["node"]["name"] for e in data["peopleWithoutSteward"]["edges"]]
        assert sorted(names) == sorted(m.person.name for m in alone)
        assert all(e["node"]["teams"] for e in data["peopleWithoutSteward"]["edges"])
        faculty_counts[size] = count

        count, data = await _count(app, gql, WITHOUT_STEWARD, {"first": 50}, alone[-1].token)
        assert len(data["peopleWithoutSteward"]["edges"]) == size
        member_counts[size] = count

    assert faculty_counts[5] == faculty_counts[40] == WITHOUT_STEWARD_AS_FACULTY, faculty_counts
    assert member_counts[5] == member_counts[40] == WITHOUT_STEWARD_AS_MEMBER, member_counts


async def test_stewardees_with_teams_activity_and_review(
    app: FastAPI, gql: GraphQL, services: Services, make_org: OrgFactory
) -> None:
    counts: dict[int, int] = {}
    for size in (3, 30):
        org = await make_org(f"Stewardees {size}")
        steward = await org.add_member("Sam Steward")
        people = [await org.add_member(f"Person {i:02d}") for i in range(size)]
        await _in_teams(services, org, people)
        await _steward(services, org, steward, people)

        count, data = await _count(app, gql, STEWARDEES, {}, steward.token)

        stewardees = data["viewer"]["stewardees"]
        assert sorted(s["follower"]["name"] for s in stewardees) == sorted(
            m.person.name for m in people
        )
        assert all(s["follower"]["teams"] for s in stewardees)
        assert all(s["lastActivityAt"] and s["startedAt"] for s in stewardees)
        assert not any(s["dueForReview"] for s in stewardees)
        counts[size] = count
    assert counts[3] == counts[30] == STEWARDEES_STATEMENTS, counts


STEWARDS_THEN = """
query StewardsThen($first: Int!, $at: DateTime!) {
  people(first: $first) {
    edges { node { name steward(at: $at) { leader { name } startedAt endedAt } } }
  }
}
"""

STEWARDSHIPS = """
query Stewardships($id: ID!) {
  node(id: $id) { ... on Person {
    stewardships(first: 50) { edges { node { leader { name } startedAt endedAt } } }
  } }
}
"""

# viewer, the page of people, the stewardships held at the moment, their stewards
STEWARDS_THEN_STATEMENTS = 4
# viewer, the person (node), the page of stewardships, their stewards
STEWARDSHIPS_STATEMENTS = 4


async def test_stewards_at_a_past_moment_and_stewardship_histories(
    app: FastAPI, gql: GraphQL, services: Services, make_org: OrgFactory, clock: FakeClock
) -> None:
    then_counts: dict[int, int] = {}
    history_counts: dict[int, int] = {}
    for size in (3, 30):
        org = await make_org(f"Stewards then {size}")
        stewards = [await org.add_member(f"Steward {i}") for i in range(2)]
        people = [await org.add_member(f"Person {i:02d}") for i in range(size)]
        await _steward(services, org, stewards[0], people)
        then = services.clock.now()
        advance(clock, timedelta(days=1), org)
        await _steward(services, org, stewards[1], people)  # a handover for each
        advance(clock, timedelta(days=1), org)
        token = people[0].token

        count, data = await _count(
            app, gql, STEWARDS_THEN, {"first": 50, "at": then.isoformat()}, token
        )
        found = {e["node"]["name"]: e["node"]["steward"] for e in data["people"]["edges"]}
        assert all(found[m.person.name]["leader"]["name"] == "Steward 0" for m in people)
        then_counts[size] = count

        # Everyone's history is two stewardships long; the steward of the
        # last one has the most stewardees.
        count, data = await _count(app, gql, STEWARDSHIPS, {"id": people[-1].id}, token)
        edges = data["node"]["stewardships"]["edges"]
        assert [e["node"]["leader"]["name"] for e in edges] == ["Steward 1", "Steward 0"]
        history_counts[size] = count

    assert then_counts[3] == then_counts[30] == STEWARDS_THEN_STATEMENTS, then_counts
    assert history_counts[3] == history_counts[30] == STEWARDSHIPS_STATEMENTS, history_counts
