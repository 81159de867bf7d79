"""What the database itself holds for 1-on-1s, with rows written through
SQLAlchemy Core past the domain: two scheduled meetings of a series never
share a moment (so a cadence never proposes two next meetings), an agenda
item remembers the meeting it was first raised in, along any chain of
carry-overs, and a talking point comes from one piece of feedback. A
refusal translates to the typed error the domain gives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import Conflict
from domain.feedback_items import ActionKind
from domain.one_on_ones import MeetingStatus
from domain.relationships import RelationshipKind, RelationshipStatus
from persistence.integrity import constraint_name, translate
from persistence.tables import (
    agenda_items,
    feedback_actions,
    feedback_items,
    one_on_one_meetings,
    one_on_one_participants,
    one_on_one_series,
    relationships,
    talking_points,
)
from tests.integration.test_constraints import NOW, _insert, _organization, _person, _refused

WEEK = timedelta(weeks=1)


@dataclass
class Series:
    """A series between a steward and a person (the author of its items),
    with meetings and agenda items."""

    engine: AsyncEngine
    org: uuid.UUID
    id: uuid.UUID
    relationship: uuid.UUID
    leader: uuid.UUID
    author: uuid.UUID

    @classmethod
    async def create(cls, engine: AsyncEngine, slug: str = "acme") -> Series:
        org = await _organization(engine, slug)
        leader, follower = await _person(engine, org, "lea"), await _person(engine, org, "fred")
        relationship = await _insert(
            engine,
            relationships,
            organization_id=org,
            kind=RelationshipKind.STEWARDSHIP,
            leader_id=leader,
            follower_id=follower,
            proposed_by_id=leader,
            proposed_at=NOW,
            status=RelationshipStatus.ACTIVE,
            started_at=NOW,
        )
        series = await _insert(
            engine,
            one_on_one_series,
            organization_id=org,
            relationship_id=relationship,
            timezone="UTC",
            created_by_id=leader,
            created_at=NOW,
        )
        async with engine.begin() as conn:
            await conn.execute(
                one_on_one_participants.insert(),
                [
                    {"organization_id": org, "series_id": series, "person_id": person}
                    for person in (leader, follower)
                ],
            )
        return cls(engine, org, series, relationship, leader, follower)

    def meeting_values(
        self, at: Any, status: MeetingStatus = MeetingStatus.SCHEDULED
    ) -> dict[str, Any]:
        values: dict[str, Any] = {
            "id": uuid.uuid4(),
            "organization_id": self.org,
            "series_id": self.id,
            "scheduled_at": at,
            "status": status,
            "created_at": NOW,
        }
        if status is MeetingStatus.HELD:
            values["held_at"] = at
        if status is MeetingStatus.CANCELLED:
            values["cancelled_at"] = at
        return values

    async def meeting(self, at: Any, status: MeetingStatus = MeetingStatus.SCHEDULED) -> uuid.UUID:
        return await _insert(self.engine, one_on_one_meetings, **self.meeting_values(at, status))

    def item_values(
        self,
        meeting: uuid.UUID,
        first_meeting: uuid.UUID,
        carried_from: uuid.UUID | None = None,
    ) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "organization_id": self.org,
            "series_id": self.id,
            "meeting_id": meeting,
            "author_id": self.author,
            "text": "Conference budget",
            "position": 0,
            "done": False,
            "created_at": NOW,
            "carried_from_id": carried_from,
            "first_meeting_id": first_meeting,
        }

    async def item(self, *args: Any, **kwargs: Any) -> uuid.UUID:
        return await _insert(self.engine, agenda_items, **self.item_values(*args, **kwargs))


async def test_two_scheduled_meetings_of_a_series_never_share_a_moment(engine: AsyncEngine) -> None:
    series = await Series.create(engine)
    await series.meeting(NOW + WEEK)

    refused = await _refused(
        engine, one_on_one_meetings.insert().values(**series.meeting_values(NOW + WEEK))
    )

    assert constraint_name(refused) == "uq_one_on_one_meetings_scheduled_at"
    error = translate(refused)
    assert isinstance(error, Conflict)
    assert (error.code, error.field) == ("TIME_TAKEN", "scheduledAt")
    # Held and cancelled meetings at that moment block nothing; nor does
    # another moment.
    await series.meeting(NOW + WEEK, MeetingStatus.HELD)
    await series.meeting(NOW + WEEK, MeetingStatus.CANCELLED)
    await series.meeting(NOW + 2 * WEEK)
    # Nor does another series at the same moment.
    await (await Series.create(engine, "globex")).meeting(NOW + WEEK)


async def test_an_item_is_first_raised_in_its_own_meeting_unless_carried_over(
    engine: AsyncEngine,
) -> None:
    series = await Series.create(engine)
    first = await series.meeting(NOW, MeetingStatus.HELD)
    second = await series.meeting(NOW + WEEK)

    refused = await _refused(
        engine, agenda_items.insert().values(**series.item_values(second, first_meeting=first))
    )

    assert constraint_name(refused) == "ck_agenda_items_first_raised_in_own_meeting"
    await series.item(second, first_meeting=second)


async def test_a_carried_item_keeps_the_first_meeting_of_its_source_along_the_chain(
    engine: AsyncEngine,
) -> None:
    series = await Series.create(engine)
    first = await series.meeting(NOW, MeetingStatus.HELD)
    second = await series.meeting(NOW + WEEK, MeetingStatus.CANCELLED)
    third = await series.meeting(NOW + 2 * WEEK)
    raised = await series.item(first, first_meeting=first)
    carried = await series.item(second, first_meeting=first, carried_from=raised)

    for wrong in (second, third):
        refused = await _refused(
            engine,
            agenda_items.insert().values(
                **series.item_values(third, first_meeting=wrong, carried_from=carried)
            ),
        )
        assert constraint_name(refused) == (
            "fk_agenda_items_carried_from_id_first_meeting_id_agenda_items"
        )
    await series.item(third, first_meeting=first, carried_from=carried)


async def test_a_talking_point_is_raised_from_one_piece_of_feedback(engine: AsyncEngine) -> None:
    series = await Series.create(engine)
    point = await _insert(
        engine,
        talking_points,
        organization_id=series.org,
        relationship_id=series.relationship,
        author_id=series.author,
        text="Pacing",
        created_at=NOW,
    )
    items = [
        await _insert(
            engine,
            feedback_items,
            organization_id=series.org,
            subject_id=series.author,
            giver_id=series.leader,
            text=f"Feedback {n}",
            created_at=NOW,
        )
        for n in range(2)
    ]

    def action(item: uuid.UUID) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "organization_id": series.org,
            "owner_id": series.author,
            "item_id": item,
            "kind": ActionKind.TALKING_POINT,
            "talking_point_id": point,
            "created_at": NOW,
        }

    await _insert(engine, feedback_actions, **action(items[0]))
    refused = await _refused(engine, feedback_actions.insert().values(**action(items[1])))

    assert constraint_name(refused) == "uq_feedback_actions_talking_point_id"
