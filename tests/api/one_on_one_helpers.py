"""GraphQL documents and helpers for the 1-on-1 API tests: series,
meetings, agendas, notes, action items and the prep."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from api.context import Services
from tests.api.feedback_helpers import ERROR_FIELDS
from tests.api.harness import GraphQL, Member
from tests.api.queries import mutate
from tests.api.relationship_helpers import established
from tests.fakes import FakeClock

AGENDA_FIELDS = """
    id text position done fromTalkingPoint
    author { id } carriedFrom { id } firstRaisedIn { id } goal { id }
"""
NOTE_FIELDS = "id text private createdAt updatedAt author { id }"
ACTION_FIELDS = "id text dueOn done doneAt overdue owner { id } createdBy { id } meeting { id }"
MEETING_FIELDS = f"""
    __typename id scheduledAt status heldAt cancelledAt
    series {{ id }}
    agenda {{ {AGENDA_FIELDS} }}
    notes {{ {NOTE_FIELDS} }}
    actionItems {{ {ACTION_FIELDS} }}
"""
SERIES_FIELDS = f"""
    __typename id cadence timezone endedAt
    relationship {{ id }}
    withPerson {{ id }}
    nextMeeting {{ id scheduledAt }}
    openActionItems {{ {ACTION_FIELDS} }}
    meetings(first: 50) {{ edges {{ node {{ id scheduledAt status }} }} }}
"""
PREP_FIELDS = f"""
    since
    person {{ id }}
    lastMeeting {{ id }}
    goals {{ goal {{ id title status }} checkInsSince {{ progress confidence note }} }}
    feedback {{ id text }}
    feedbackRequests {{ id topic results {{ released }} }}
    agreements {{ id }}
    mismatchSignals {{ kind explanation }}
    readinessSuggestions {{ stage nextStage evidenceCount }}
    openActionItems {{ {ACTION_FIELDS} }}
    agenda {{ {AGENDA_FIELDS} }}
    relationshipChanges {{ id kind status }}
    activity {{ mentors coaches coachingsStartedSince }}
    suggestedTalkingPoints {{
      kind reason
      goal {{ id }} agreement {{ id }} actionItem {{ id }} relationship {{ id }}
    }}
"""

START = f"""
mutation Start($input: StartOneOnOnesInput!) {{
  startOneOnOnes(input: $input) {{
    {ERROR_FIELDS}
    ... on OneOnOneSeriesSuccess {{ series {{ {SERIES_FIELDS} }} meeting {{ {MEETING_FIELDS} }} }}
  }}
}}
"""
SET_CADENCE = f"""
mutation Cadence($input: SetOneOnOneCadenceInput!) {{
  setOneOnOneCadence(input: $input) {{
    {ERROR_FIELDS}
    ... on OneOnOneSeriesSuccess {{ series {{ {SERIES_FIELDS} }} }}
  }}
}}
"""
_MEETING_RESULT = f"""
    {ERROR_FIELDS}
    ... on OneOnOneMeetingSuccess {{
      meeting {{ {MEETING_FIELDS} }}
      nextMeeting {{ {MEETING_FIELDS} }}
    }}
"""
SCHEDULE = f"""
mutation Schedule($input: ScheduleOneOnOneInput!) {{
  scheduleOneOnOne(input: $input) {{ {_MEETING_RESULT} }}
}}
"""
RESCHEDULE = f"""
mutation Reschedule($input: RescheduleOneOnOneInput!) {{
  rescheduleOneOnOne(input: $input) {{ {_MEETING_RESULT} }}
}}
"""
HOLD = f"""
mutation Hold($input: MeetingIdInput!) {{ holdOneOnOne(input: $input) {{ {_MEETING_RESULT} }} }}
"""
CANCEL = f"""
mutation Cancel($input: MeetingIdInput!) {{ cancelOneOnOne(input: $input) {{ {_MEETING_RESULT} }} }}
"""
REORDER = f"""
mutation Reorder($input: ReorderAgendaInput!) {{ reorderAgenda(input: $input) {{ {_MEETING_RESULT} }} }}
"""
REMOVE_ITEM = f"""
mutation Remove($input: AgendaItemIdInput!) {{
  removeAgendaItem(input: $input) {{ {_MEETING_RESULT} }}
}}
"""
_AGENDA_RESULT = f"""
    {ERROR_FIELDS}
    ... on AgendaItemSuccess {{ item {{ {AGENDA_FIELDS} }} }}
"""
ADD_ITEM = f"""
mutation AddItem($input: AddAgendaItemInput!) {{ addAgendaItem(input: $input) {{ {_AGENDA_RESULT} }} }}
"""
TICK = f"""
mutation Tick($input: SetAgendaItemDoneInput!) {{
  setAgendaItemDone(input: $input) {{ {_AGENDA_RESULT} }}
}}
"""
_NOTE_RESULT = f"""
    {ERROR_FIELDS}
    ... on MeetingNoteSuccess {{ note {{ {NOTE_FIELDS} }} }}
"""
ADD_NOTE = f"""
mutation AddNote($input: AddMeetingNoteInput!) {{ addMeetingNote(input: $input) {{ {_NOTE_RESULT} }} }}
"""
EDIT_NOTE = f"""
mutation EditNote($input: EditMeetingNoteInput!) {{
  editMeetingNote(input: $input) {{ {_NOTE_RESULT} }}
}}
"""
_ACTION_RESULT = f"""
    {ERROR_FIELDS}
    ... on ActionItemSuccess {{ item {{ {ACTION_FIELDS} }} }}
"""
ADD_ACTION = f"""
mutation AddAction($input: AddActionItemInput!) {{
  addActionItem(input: $input) {{ {_ACTION_RESULT} }}
}}
"""
SET_ACTION_DONE = f"""
mutation ActionDone($input: SetActionItemDoneInput!) {{
  setActionItemDone(input: $input) {{ {_ACTION_RESULT} }}
}}
"""

MEETING = f"query Meeting($id: ID!) {{ node(id: $id) {{ ... on OneOnOneMeeting {{ {MEETING_FIELDS} }} }} }}"
SERIES = (
    f"query Series($id: ID!) {{ node(id: $id) {{ ... on OneOnOneSeries {{ {SERIES_FIELDS} }} }} }}"
)
PREP = f"""
query Prep($id: ID!) {{ node(id: $id) {{ ... on OneOnOneMeeting {{ prep {{ {PREP_FIELDS} }} }} }} }}
"""
MY_SERIES = f"{{ viewer {{ oneOnOnes {{ {SERIES_FIELDS} }} }} }}"
RELATIONSHIP_SERIES = """
query RelationshipSeries($id: ID!) {
  node(id: $id) { ... on Relationship { oneOnOnes { id } } }
}
"""


def at(clock: FakeClock, delta: timedelta = timedelta(days=1)) -> str:
    return (clock.now() + delta).isoformat()


async def started(
    gql: GraphQL,
    clock: FakeClock,
    leader: Member,
    follower: Member,
    *,
    kind: str = "STEWARDSHIP",
    areas: list[str] | None = None,
    cadence: str | None = "WEEKLY",
    first_meeting_at: datetime | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An active relationship (a mentorship in `areas`) with 1-on-1s and a
    first meeting tomorrow: (series, meeting) as the leader sees them."""
    relationship = await established(gql, leader, follower, kind=kind, areas=areas)
    values: dict[str, Any] = {
        "relationshipId": relationship["id"],
        "firstMeetingAt": (first_meeting_at or clock.now() + timedelta(days=1)).isoformat(),
    }
    if cadence is not None:
        values["cadence"] = cadence
    result = await mutate(gql, START, values, token=leader.token)
    assert result["__typename"] == "OneOnOneSeriesSuccess", result
    return result["series"], result["meeting"]


async def succeed(
    gql: GraphQL, document: str, member: Member, typename: str, **values: Any
) -> dict[str, Any]:
    """A mutation that must return `typename`; its result."""
    result = await mutate(gql, document, values, token=member.token)
    assert result["__typename"] == typename, result
    return result


async def meeting(gql: GraphQL, viewer: Member, meeting_id: str) -> dict[str, Any] | None:
    return (await gql.data(MEETING, {"id": meeting_id}, token=viewer.token))["node"]


async def prep(gql: GraphQL, viewer: Member, meeting_id: str) -> dict[str, Any] | None:
    found = (await gql.data(PREP, {"id": meeting_id}, token=viewer.token))["node"]
    return None if found is None else found["prep"]


_TABLES = (
    "one_on_one_series",
    "one_on_one_participants",
    "one_on_one_meetings",
    "agenda_items",
    "meeting_notes",
    "action_items",
    "talking_points",
)


async def one_on_one_state(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Everything 1-on-1s write: compared before and after a refused request
    to show it changed nothing."""
    async with services.session_factory() as session:
        return {
            name: [
                tuple(row)
                for row in (
                    await session.execute(sa.text(f"SELECT * FROM {name} ORDER BY 1, 2"))
                ).all()
            ]
            for name in _TABLES
        }
