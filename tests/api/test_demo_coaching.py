"""The demo organization shows coach sessions as each person would see them."""

from __future__ import annotations

import sqlalchemy as sa

from api.context import Services
from api.demo import seed_demo
from api.security import ThreadedPasswordHasher
from tests.api.harness import GraphQL, open_session

PREP = """
{ viewer { oneOnOnes { relationship { follower { name } }
  nextMeeting { prep { activity { coachSessionsSince } } } } } }
"""

MINE = """
{ viewer { coachSessions { edges { node { topic coach { name } } } } } }
"""


async def test_demo_coaching_as_steward_and_coachee(
    gql: GraphQL, services: Services, hasher: ThreadedPasswordHasher
) -> None:
    """Kaya had a coach session since her last 1-on-1: her steward's prep
    counts it; Liam has one booked, with a topic he and the coach see."""
    await seed_demo(services.uow_factory, hasher, now=services.clock.now())
    async with services.session_factory() as session:
        ids = dict((await session.execute(sa.text("SELECT name, id FROM people"))).all())
        steward_id = await session.scalar(
            sa.text(
                "SELECT leader_id FROM relationships WHERE follower_id = :id"
                " AND kind = 'STEWARDSHIP' AND status = 'ACTIVE'"
            ),
            {"id": ids["Kaya Demir"]},
        )

    prep = await gql.data(PREP, token=await open_session(services, steward_id))
    counts = {
        s["relationship"]["follower"]["name"]: s["nextMeeting"]["prep"]["activity"]
        for s in prep["viewer"]["oneOnOnes"]
        if s["nextMeeting"]
    }
    assert counts["Kaya Demir"] == {"coachSessionsSince": 1}
    mine = await gql.data(MINE, token=await open_session(services, ids["Liam O'Brien"]))
    [session] = [e["node"] for e in mine["viewer"]["coachSessions"]["edges"]]
    assert session == {"topic": "Saying no without guilt", "coach": {"name": "Nora Eriksen"}}
