"""Regressions found in review of feedback sharing and 1-on-1s: a share
that raced the end of its stewardship came back with a later one, and an
agenda item added while the meeting was being held deadlocked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa

from api.context import Services
from api.graphql import ids
from domain.actors import Actor
from domain.feedback_items import FeedbackRef, ShareAudience
from domain.one_on_ones import AgendaItem
from domain.services import feedback_items as feedback_service
from domain.services import one_on_ones as one_on_one_service
from domain.services import relationships as relationship_service
from persistence.repositories.relationships import SqlRelationshipRepository
from tests.api.feedback_item_helpers import feedback_node, given
from tests.api.harness import GraphQL, Member, Org
from tests.api.one_on_one_helpers import meeting, started
from tests.api.relationship_helpers import established
from tests.fakes import FakeClock


async def _until_a_request_waits_for_a_lock(services: Services) -> None:
    for _ in range(500):
        async with services.session_factory() as session:
            waiting = (
                await session.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                )
            ).scalar_one()
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("nothing ever waited for the lock")


def _actor(member: Member) -> Actor:
    return Actor(person_id=member.person.id, organization_id=member.person.organization_id)


async def test_a_share_racing_the_end_of_its_stewardship_never_comes_back(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services, monkeypatch
) -> None:
    """The share reads "the steward is S" (locking that stewardship), then
    S's stewardship is ended before the share commits: the end waits for the
    share, and the share ends with the stewardship it belongs to. S does not
    read the item now, nor when S becomes the steward again later."""
    steward, person, giver = [await org.add_member(n) for n in ("S", "P", "G")]
    stewardship = await established(gql, steward, person)
    item = await given(gql, giver, person)
    ref = FeedbackRef(item_id=ids.decode(item["id"], "FeedbackItem"))
    looked_up = asyncio.Event()
    original = SqlRelationshipRepository.active_stewardship_of

    async def slowly(self, follower_id, **options):  # type: ignore[no-untyped-def]
        found = await original(self, follower_id, **options)
        if not looked_up.is_set():
            looked_up.set()
            await _until_a_request_waits_for_a_lock(services)
        return found

    monkeypatch.setattr(SqlRelationshipRepository, "active_stewardship_of", slowly)

    async def share() -> None:
        async with services.uow_factory(org.id) as uow:
            await feedback_service.share(
                uow, _actor(person), ref, audience=ShareAudience.STEWARD, now=clock.now()
            )
            await uow.commit()

    async def end() -> None:
        await looked_up.wait()
        async with services.uow_factory(org.id) as uow:
            await relationship_service.end(
                uow,
                _actor(steward),
                ids.decode(stewardship["id"], "Relationship"),
                reason="Moving on",
                now=clock.now(),
            )
            await uow.commit()

    await asyncio.gather(share(), end())
    monkeypatch.setattr(SqlRelationshipRepository, "active_stewardship_of", original)

    assert await feedback_node(gql, steward, item["id"]) is None
    await established(gql, steward, person)
    assert await feedback_node(gql, steward, item["id"]) is None


async def test_an_agenda_item_added_while_the_meeting_is_held_does_not_deadlock(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    """Adding to an agenda locks the meeting, then inserts (which takes a
    key-share lock on the series); holding locks the series, then the
    meeting. With plain FOR UPDATE locks the two waited for each other."""
    steward = await org.add_member("Steward")
    person = await org.add_member("Person")
    _, first = await started(gql, clock, steward, person)
    meeting_id = ids.decode(first["id"], "OneOnOneMeeting")
    meeting_locked = asyncio.Event()
    later = clock.now() + timedelta(days=2)

    async def add_item() -> None:
        async with services.uow_factory(org.id) as uow:
            locked = await uow.one_on_ones.get_meeting(meeting_id, for_update=True)
            assert locked is not None
            meeting_locked.set()
            await asyncio.sleep(0.3)  # the hold now locks the series, waits for the meeting
            await uow.one_on_ones.add_agenda_items(
                [
                    AgendaItem(
                        organization_id=org.id,
                        series_id=locked.series_id,
                        meeting_id=locked.id,
                        author_id=person.person.id,
                        text="Raised at the last moment",
                        position=0,
                        created_at=later,
                    )
                ]
            )
            await uow.commit()

    async def hold() -> None:
        await meeting_locked.wait()
        async with services.uow_factory(org.id) as uow:
            await one_on_one_service.hold(uow, _actor(steward), meeting_id, now=later)
            await uow.commit()

    await asyncio.gather(add_item(), hold())
    held = await meeting(gql, steward, first["id"])
    assert held is not None
    assert held["status"] == "HELD"
    assert [i["text"] for i in held["agenda"]] == ["Raised at the last moment"]
