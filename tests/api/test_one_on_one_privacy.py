"""The privacy of 1-on-1s (DESIGN.md sections 2 and 3), tried from the outside.

A series and everything in it (meetings, agenda, shared notes, action items,
the prep) is for the two people of its relationship only: not org faculty,
not a third member, nobody in another organization, not a later steward
after a handover, nobody without a token. A private note is its author's
alone, the other person of the series included. The prep shows the
steward (or mentor, or coach) only what the person shared with them in
that role, and coaching only as counts. Every path is tried (node, nodes,
viewer.oneOnOnes, Person.oneOnOnes, Relationship.oneOnOnes, a meeting's
notes, the prep and what it links to), and the raw response body is
searched for the secret texts, not only the parsed fields. Whoever may not
read something finds no trace of it; whoever may not change something gets
NotFoundError, reading exactly like an id that never existed, and nothing
changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from api.context import Services
from tests.api.feedback_helpers import CLOSE, asked, give, request_changed
from tests.api.feedback_item_helpers import (
    given,
    into_talking_point,
    shared_feedback,
    unshare_feedback,
)
from tests.api.goal_helpers import checked_in, created, shared, unshare
from tests.api.harness import GraphQL, Member, Org
from tests.api.one_on_one_helpers import (
    ADD_ACTION,
    ADD_ITEM,
    ADD_NOTE,
    CANCEL,
    EDIT_NOTE,
    HOLD,
    PREP_FIELDS,
    REMOVE_ITEM,
    REORDER,
    RESCHEDULE,
    SCHEDULE,
    SET_ACTION_DONE,
    SET_CADENCE,
    START,
    TICK,
    one_on_one_state,
    prep,
    succeed,
)
from tests.api.queries import create_area, missing_id, mutate
from tests.api.relationship_helpers import COACHING, MENTORSHIP, established
from tests.api.test_agreements import ASSESS, agreed, done
from tests.api.test_one_on_one_prep import held, raw_prep, secret, start_series, step
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]

OTHER = "other"  # the other person of the series (for a private note)
FACULTY = "faculty"
THIRD = "third"  # a member of the organization who is in no part of it
OUTSIDER = "outsider"  # a member of another organization
OUTSIDERS = [FACULTY, THIRD, OUTSIDER]
LATER = "2026-03-20T10:00:00+00:00"  # a time to (re)schedule to, weeks after the clock's start

# -- every read path ---------------------------------------------------------------

NOTE = "__typename id text private author { id }"
MEETING = f"""
    __typename id status heldAt
    agenda {{ __typename id text done carriedFrom {{ id }} goal {{ id title }} }}
    notes {{ {NOTE} }}
    actionItems {{ __typename id text owner {{ id }} }}
    prep {{
      {PREP_FIELDS}
      lastMeeting {{ id notes {{ {NOTE} }} agenda {{ id text }} actionItems {{ id text }} }}
      carried: agenda {{ carriedFrom {{ id notes {{ {NOTE} }} }} }}
      linked: openActionItems {{ meeting {{ id notes {{ {NOTE} }} }} }}
    }}
"""
SERIES = f"""
    __typename id endedAt relationship {{ id }} withPerson {{ id }}
    nextMeeting {{ {MEETING} }}
    openActionItems {{ id text meeting {{ id notes {{ {NOTE} }} }} }}
    meetings(first: 50) {{ edges {{ node {{ {MEETING} }} }} }}
"""
NODE = f"""
query Node($id: ID!) {{
  node(id: $id) {{
    __typename id
    ... on OneOnOneSeries {{ {SERIES} }}
    ... on OneOnOneMeeting {{ {MEETING} }}
    ... on AgendaItem {{ text carriedFrom {{ {MEETING} }} }}
    ... on MeetingNote {{ {NOTE} }}
    ... on ActionItem {{ text meeting {{ {MEETING} }} }}
  }}
}}
"""
NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on AgendaItem { text }
    ... on MeetingNote { text }
    ... on ActionItem { text }
  }
}
"""
VIEWER = f"{{ viewer {{ id oneOnOnes {{ {SERIES} }} }} }}"
RELATIONSHIP = f"""
query Relationship($id: ID!) {{
  node(id: $id) {{ __typename id ... on Relationship {{ oneOnOnes {{ {SERIES} }} }} }}
}}
"""
PERSON = f"""
query Person($id: ID!) {{
  node(id: $id) {{ __typename id ... on Person {{ oneOnOnes {{ {SERIES} }} }} }}
}}
"""


@dataclass
class Cast:
    org: Org
    elsewhere: Org
    steward: Member
    person: Member
    third: Member
    outsider: Member
    relationship_id: str
    series_id: str
    held_id: str
    """The first meeting, held."""
    next_id: str
    """The next meeting, scheduled."""
    item_id: str
    """An unfinished agenda item of the held meeting..."""
    carried_id: str
    """...and the item it carried over to on the next one."""
    action_id: str
    shared_note_id: str
    steward_note_id: str
    """The steward's private note."""
    person_note_id: str
    """The person's private note."""
    texts: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, role: str) -> Member:
        return {
            FACULTY: self.org.faculty,
            THIRD: self.third,
            OUTSIDER: self.outsider,
            OTHER: self.person,
        }[role]

    @property
    def content_ids(self) -> list[str]:
        return [
            self.series_id,
            self.held_id,
            self.next_id,
            self.item_id,
            self.carried_id,
            self.action_id,
            self.shared_note_id,
            self.steward_note_id,
            self.person_note_id,
        ]

    @property
    def traces(self) -> list[str]:
        """What shows the series exists: its texts and the ids in it."""
        return [*self.texts.values(), *self.content_ids]


async def make_cast(gql: GraphQL, org: Org, clock: FakeClock, make_org: OrgFactory) -> Cast:
    """Sam stewards Pia; they met once (an agenda item carried over, an
    action item, a shared note, a private note each) and meet again next
    week. Tom is a third member, Olaf is in another organization."""
    steward = await org.add_member("Sam Steward")
    person = await org.add_member("Pia Person")
    third = await org.add_member("Tom Third")
    elsewhere = await make_org("Elsewhere")
    outsider = await elsewhere.add_member("Olaf Outsider")
    relationship = await established(gql, steward, person)
    series, first = await start_series(gql, clock, steward, relationship["id"])
    texts = {
        "agenda": secret("Agenda item"),
        "action": secret("Action item"),
        "shared": secret("Shared note"),
        "steward private": secret("Steward's private note"),
        "person private": secret("Pia's private note"),
    }
    item = await succeed(
        gql, ADD_ITEM, person, "AgendaItemSuccess", meetingId=first["id"], text=texts["agenda"]
    )
    action = await succeed(
        gql,
        ADD_ACTION,
        steward,
        "ActionItemSuccess",
        meetingId=first["id"],
        ownerId=person.id,
        text=texts["action"],
    )

    async def note(author: Member, text: str, private: bool) -> str:
        result = await succeed(
            gql,
            ADD_NOTE,
            author,
            "MeetingNoteSuccess",
            meetingId=first["id"],
            text=text,
            private=private,
        )
        return str(result["note"]["id"])

    shared_note = await note(steward, texts["shared"], False)
    step(clock, org, elsewhere)
    steward_note = await note(steward, texts["steward private"], True)
    step(clock, org, elsewhere)
    person_note = await note(person, texts["person private"], True)
    _, upcoming = await held(gql, clock, steward, first["id"], org, elsewhere)
    (carried,) = upcoming["agenda"]
    assert carried["text"] == texts["agenda"]
    return Cast(
        org=org,
        elsewhere=elsewhere,
        steward=steward,
        person=person,
        third=third,
        outsider=outsider,
        relationship_id=relationship["id"],
        series_id=series["id"],
        held_id=first["id"],
        next_id=upcoming["id"],
        item_id=item["item"]["id"],
        carried_id=carried["id"],
        action_id=action["item"]["id"],
        shared_note_id=shared_note,
        steward_note_id=steward_note,
        person_note_id=person_note,
        texts=texts,
    )


@pytest.fixture
async def cast(gql: GraphQL, org: Org, clock: FakeClock, make_org: OrgFactory) -> Cast:
    return await make_cast(gql, org, clock, make_org)


@dataclass
class Read:
    name: str
    text: str
    data: dict[str, Any] | None
    codes: list[str]


def node_paths(cast: Cast) -> list[tuple[str, str]]:
    """(path name, id) of everything in the series, each read through node(id:)."""
    return [
        ("series", cast.series_id),
        ("held meeting", cast.held_id),
        ("next meeting", cast.next_id),
        ("agenda item", cast.item_id),
        ("carried item", cast.carried_id),
        ("action item", cast.action_id),
        ("shared note", cast.shared_note_id),
        ("steward's private note", cast.steward_note_id),
        ("person's private note", cast.person_note_id),
    ]


def paths(cast: Cast) -> list[tuple[str, str, dict[str, Any]]]:
    """(path name, document, variables) of every read path."""
    return [
        *((name, NODE, {"id": node_id}) for name, node_id in node_paths(cast)),
        ("nodes", NODES, {"ids": cast.content_ids}),
        ("viewer", VIEWER, {}),
        ("relationship", RELATIONSHIP, {"id": cast.relationship_id}),
        ("steward", PERSON, {"id": cast.steward.id}),
        ("person", PERSON, {"id": cast.person.id}),
    ]


async def read_everything(gql: GraphQL, viewer: Member | None, cast: Cast) -> dict[str, Read]:
    """Every read path, as `viewer` (None: without a token) sees it."""
    found = {}
    for name, document, variables in paths(cast):
        response = await gql.raw(document, variables, token=viewer.token if viewer else None)
        assert response.status_code == 200, response.text
        body = response.json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        if viewer is not None:
            assert codes == [], (name, body)
        found[name] = Read(name, response.text, body.get("data"), codes)
    return found


def node_of(reads: dict[str, Read], name: str) -> Any:
    data = reads[name].data
    assert data is not None
    return data["node"]


def all_text(reads: dict[str, Read]) -> str:
    return "\n".join(r.text for r in reads.values())


def assert_no_trace(reads: dict[str, Read], traces: list[str], who: str) -> None:
    for read in reads.values():
        for trace in traces:
            assert trace not in read.text, (who, read.name, trace)


def assert_sees_nothing(reads: dict[str, Read], cast: Cast, who: str) -> None:
    """No trace of the series on any path: every id reads as missing."""
    assert_no_trace(reads, cast.traces, who)
    for name, _ in node_paths(cast):
        assert node_of(reads, name) is None, (who, name)
    assert reads["nodes"].data == {"nodes": [None] * len(cast.content_ids)}, who
    viewer = reads["viewer"].data
    assert viewer is not None
    assert cast.series_id not in {s["id"] for s in viewer["viewer"]["oneOnOnes"]}, who
    relationship = node_of(reads, "relationship")
    assert relationship is None or relationship["oneOnOnes"] is None, (who, relationship)
    for name in ("steward", "person"):
        person = node_of(reads, name)
        assert person is None or person["oneOnOnes"] is None, (who, name, person)


# == the two people =================================================================


async def test_the_two_people_read_their_series_on_every_path_but_not_each_others_private_notes(
    gql: GraphQL, cast: Cast
) -> None:
    """The control for the tests below: the paths do reach the content."""
    own = {cast.steward.id: cast.steward_note_id, cast.person.id: cast.person_note_id}
    own_text = {
        cast.steward.id: cast.texts["steward private"],
        cast.person.id: cast.texts["person private"],
    }
    for viewer, other in ((cast.steward, cast.person), (cast.person, cast.steward)):
        reads = await read_everything(gql, viewer, cast)
        text = all_text(reads)
        for label in ("agenda", "action", "shared"):
            assert cast.texts[label] in text, label
        assert own_text[viewer.id] in text
        assert_no_trace(reads, [own_text[other.id], own[other.id]], "the other person")

        assert node_of(reads, "series")["id"] == cast.series_id
        assert node_of(reads, "held meeting")["status"] == "HELD"
        assert [n["id"] for n in node_of(reads, "held meeting")["notes"]] == [
            cast.shared_note_id,
            own[viewer.id],
        ]
        assert node_of(reads, "carried item")["carriedFrom"]["id"] == cast.held_id
        assert node_of(reads, "action item")["text"] == cast.texts["action"]
        others_note = "steward's" if other is cast.steward else "person's"
        assert node_of(reads, f"{others_note} private note") is None
        nodes = reads["nodes"].data
        assert nodes is not None
        assert [n and n["id"] for n in nodes["nodes"]] == [
            i if i != own[other.id] else None for i in cast.content_ids
        ]
        viewer_series = reads["viewer"].data
        assert viewer_series is not None
        assert [s["id"] for s in viewer_series["viewer"]["oneOnOnes"]] == [cast.series_id]
        assert node_of(reads, "relationship")["oneOnOnes"]["id"] == cast.series_id
        # Person.oneOnOnes is only on yourself.
        me, them = ("steward", "person") if viewer is cast.steward else ("person", "steward")
        assert [s["id"] for s in node_of(reads, me)["oneOnOnes"]] == [cast.series_id]
        assert node_of(reads, them)["oneOnOnes"] is None
        # The prep links back to the held meeting's notes.
        prep_view = node_of(reads, "next meeting")["prep"]
        assert [n["id"] for n in prep_view["lastMeeting"]["notes"]] == [
            cast.shared_note_id,
            own[viewer.id],
        ]


# == private notes ====================================================================


async def test_a_private_note_is_read_by_its_author_alone(gql: GraphQL, cast: Cast) -> None:
    # Every role in turn, on one cast: setting it up is the slow part.
    for role in [OTHER, *OUTSIDERS]:
        await _a_private_note_is_read_by_its_author_alone(gql, cast, role)


async def _a_private_note_is_read_by_its_author_alone(gql: GraphQL, cast: Cast, role: str) -> None:
    viewer = cast[role]
    reads = await read_everything(gql, viewer, cast)

    assert_no_trace(reads, [cast.texts["steward private"], cast.steward_note_id], role)
    assert node_of(reads, "steward's private note") is None
    nodes = reads["nodes"].data
    assert nodes is not None
    assert nodes["nodes"][cast.content_ids.index(cast.steward_note_id)] is None
    # In no list of notes, however reached.
    assert all(n["id"] != cast.steward_note_id for n in _notes_in([r.data for r in reads.values()]))
    # A missing note reads the same.
    missing = await gql.raw(NODE, {"id": missing_id("MeetingNote")}, token=viewer.token)
    assert missing.json()["data"] == reads["steward's private note"].data


async def test_nothing_of_a_series_is_for_anyone_without_a_token(gql: GraphQL, cast: Cast) -> None:
    reads = await read_everything(gql, None, cast)
    for read in reads.values():
        assert set(read.codes) == {"UNAUTHENTICATED"}, read
        assert read.data is None or all(v is None for v in read.data.values()), read
    assert_no_trace(reads, cast.traces, "anonymous")


def _notes_in(value: object) -> list[Any]:
    """Every MeetingNote anywhere in parsed responses."""
    found: list[Any] = []
    if isinstance(value, dict):
        if value.get("__typename") == "MeetingNote":
            found.append(value)
        for inner in value.values():
            found += _notes_in(inner)
    elif isinstance(value, list):
        for inner in value:
            found += _notes_in(inner)
    return found


async def test_the_other_person_cannot_edit_a_private_note_and_it_reads_as_missing(
    gql: GraphQL, cast: Cast, services: Services
) -> None:
    before = await one_on_one_state(services)
    for note_id in (cast.steward_note_id, cast.shared_note_id):
        result = await mutate(
            gql, EDIT_NOTE, {"noteId": note_id, "text": "Mine now"}, token=cast.person.token
        )
        missing = await mutate(
            gql,
            EDIT_NOTE,
            {"noteId": missing_id("MeetingNote"), "text": "Mine now"},
            token=cast.person.token,
        )
        assert result["__typename"] == "NotFoundError", result
        assert result == missing
    assert await one_on_one_state(services) == before


# == the series, for the two people only ===============================================


async def test_a_series_and_everything_in_it_leaves_no_trace_for_anyone_else(
    gql: GraphQL, cast: Cast
) -> None:
    # Every role in turn, on one cast: setting it up is the slow part.
    for role in OUTSIDERS:
        await _a_series_and_everything_in_it_leaves_no_trace_for_anyone_else(gql, cast, role)


async def _a_series_and_everything_in_it_leaves_no_trace_for_anyone_else(
    gql: GraphQL, cast: Cast, role: str
) -> None:
    reads = await read_everything(gql, cast[role], cast)
    assert_sees_nothing(reads, cast, role)
    if role == OUTSIDER:
        assert node_of(reads, "relationship") is None
    else:
        # The stewardship itself is transparent in the organization; its 1-on-1s are not.
        assert node_of(reads, "relationship") == {
            "__typename": "Relationship",
            "id": cast.relationship_id,
            "oneOnOnes": None,
        }
    # Exactly like ids that never existed.
    for type_name in ("OneOnOneSeries", "OneOnOneMeeting", "AgendaItem", "ActionItem"):
        missing = await gql.data(NODE, {"id": missing_id(type_name)}, token=cast[role].token)
        assert missing == {"node": None}


async def test_nobody_else_opens_the_prep(gql: GraphQL, cast: Cast) -> None:
    # Every role in turn, on one cast: setting it up is the slow part.
    for role in OUTSIDERS:
        await _nobody_else_opens_the_prep(gql, cast, role)


async def _nobody_else_opens_the_prep(gql: GraphQL, cast: Cast, role: str) -> None:
    viewer = cast[role]
    for meeting_id in (cast.held_id, cast.next_id):
        assert await prep(gql, viewer, meeting_id) is None
        response = await gql.raw(
            f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on OneOnOneMeeting "
            f"{{ prep {{ {PREP_FIELDS} }} }} }} }}",
            {"ids": [meeting_id]},
            token=viewer.token,
        )
        assert response.json()["data"] == {"nodes": [None]}
    # The two people do.
    for viewer in (cast.steward, cast.person):
        found = await prep(gql, viewer, cast.next_id)
        assert found is not None
        assert found["person"]["id"] == cast.person.id


async def test_a_later_steward_never_sees_the_old_series(
    gql: GraphQL, cast: Cast, clock: FakeClock
) -> None:
    """Pia hands over to Nora: Sam and Pia keep their history; Nora sees
    only the 1-on-1s she starts with Pia herself."""
    nora = await cast.org.add_member("Nora New Steward")
    new = await established(gql, nora, cast.person)
    assert new["handedOverFrom"]["id"] == cast.relationship_id
    series, first = await start_series(gql, clock, nora, new["id"])
    nora_text = secret("Nora's agenda")
    await succeed(gql, ADD_ITEM, nora, "AgendaItemSuccess", meetingId=first["id"], text=nora_text)

    reads = await read_everything(gql, nora, cast)
    assert_no_trace(reads, cast.traces, "later steward")
    for name, _ in node_paths(cast):
        assert node_of(reads, name) is None, name
    nodes = reads["nodes"].data
    assert nodes == {"nodes": [None] * len(cast.content_ids)}
    # The old stewardship is transparent, its 1-on-1s are not.
    assert node_of(reads, "relationship")["oneOnOnes"] is None
    assert node_of(reads, "person")["oneOnOnes"] is None
    viewer = reads["viewer"].data
    assert viewer is not None
    assert [s["id"] for s in viewer["viewer"]["oneOnOnes"]] == [series["id"]]
    # Nothing old in Nora's own prep either (its agenda started afresh).
    text, nora_prep = await raw_prep(gql, nora, first["id"])
    assert [i["text"] for i in nora_prep["agenda"]] == [nora_text]
    for trace in cast.traces:
        assert trace not in text, trace

    # Pia sees both series (the open one first); Sam still has the history.
    mine = await gql.data(VIEWER, token=cast.person.token)
    assert [s["id"] for s in mine["viewer"]["oneOnOnes"]] == [series["id"], cast.series_id]
    assert [s["endedAt"] is None for s in mine["viewer"]["oneOnOnes"]] == [True, False]
    sams = await gql.data(VIEWER, token=cast.steward.token)
    assert [s["id"] for s in sams["viewer"]["oneOnOnes"]] == [cast.series_id]
    assert await prep(gql, cast.steward, first["id"]) is None
    sam_reads = await read_everything(gql, cast.steward, cast)
    assert cast.texts["shared"] in all_text(sam_reads)
    assert nora_text not in all_text(sam_reads)


# == writes by anyone else ================================================================


def attempts(cast: Cast, viewer: Member, *, missing: bool) -> list[tuple[str, str, dict[str, Any]]]:
    """Every mutation that names something of the series, as `viewer` would
    try it; with `missing`, the same on ids that never existed."""

    def of(type_name: str, real: str) -> str:
        return missing_id(type_name) if missing else real

    meeting = of("OneOnOneMeeting", cast.next_id)
    held_meeting = of("OneOnOneMeeting", cast.held_id)
    item = of("AgendaItem", cast.carried_id)
    return [
        ("addMeetingNote", ADD_NOTE, {"meetingId": meeting, "text": "Hi", "private": False}),
        (
            "addMeetingNote (private)",
            ADD_NOTE,
            {"meetingId": held_meeting, "text": "Hi", "private": True},
        ),
        ("addAgendaItem", ADD_ITEM, {"meetingId": meeting, "text": "Mine"}),
        (
            "addActionItem",
            ADD_ACTION,
            {"meetingId": meeting, "ownerId": cast.person.id, "text": "Do it"},
        ),
        (
            "addActionItem (own)",
            ADD_ACTION,
            {"meetingId": meeting, "ownerId": viewer.id, "text": "Do it"},
        ),
        ("holdOneOnOne", HOLD, {"meetingId": meeting}),
        ("cancelOneOnOne", CANCEL, {"meetingId": meeting}),
        ("rescheduleOneOnOne", RESCHEDULE, {"meetingId": meeting, "scheduledAt": LATER}),
        ("reorderAgenda", REORDER, {"meetingId": meeting, "itemIds": [item]}),
        ("setAgendaItemDone", TICK, {"itemId": item, "done": True}),
        ("removeAgendaItem", REMOVE_ITEM, {"itemId": item}),
        (
            "editMeetingNote",
            EDIT_NOTE,
            {"noteId": of("MeetingNote", cast.shared_note_id), "text": "Edited"},
        ),
        (
            "setActionItemDone",
            SET_ACTION_DONE,
            {"itemId": of("ActionItem", cast.action_id), "done": True},
        ),
        (
            "setOneOnOneCadence",
            SET_CADENCE,
            {"seriesId": of("OneOnOneSeries", cast.series_id), "cadence": "MONTHLY"},
        ),
        (
            "scheduleOneOnOne",
            SCHEDULE,
            {"seriesId": of("OneOnOneSeries", cast.series_id), "scheduledAt": LATER},
        ),
        (
            "startOneOnOnes",
            START,
            {"relationshipId": of("Relationship", cast.relationship_id)},
        ),
    ]


async def test_nobody_else_changes_anything_of_the_series(
    gql: GraphQL, cast: Cast, services: Services
) -> None:
    # Every role in turn, on one cast: setting it up is the slow part.
    for role in OUTSIDERS:
        await _nobody_else_changes_anything_of_the_series(gql, cast, services, role)


async def _nobody_else_changes_anything_of_the_series(
    gql: GraphQL, cast: Cast, services: Services, role: str
) -> None:
    viewer = cast[role]
    before = await one_on_one_state(services)
    for name, document, values in attempts(cast, viewer, missing=False):
        result = await mutate(gql, document, values, token=viewer.token)
        assert result["__typename"] == "NotFoundError", (name, result)
        assert result["code"] == "NOT_FOUND", (name, result)
        assert await one_on_one_state(services) == before, name
    # And it is all still there for the two people, as it was.
    assert (
        len((await gql.data(NODE, {"id": cast.next_id}, token=cast.person.token))["node"]["agenda"])
        == 1
    )


async def test_a_refused_change_reads_exactly_like_an_id_that_never_existed(
    gql: GraphQL, cast: Cast
) -> None:
    """Same type, code and message: a refusal never tells that the two meet."""
    # Every role in turn, on one cast: setting it up is the slow part.
    for role in OUTSIDERS:
        await _a_refused_change_reads_exactly_like_an_id_that_never_existed(gql, cast, role)


async def _a_refused_change_reads_exactly_like_an_id_that_never_existed(
    gql: GraphQL, cast: Cast, role: str
) -> None:
    viewer = cast[role]
    real = attempts(cast, viewer, missing=False)
    never = attempts(cast, viewer, missing=True)
    differing = []
    for (name, document, values), (_, _, missing_values) in zip(real, never, strict=True):
        refused = await mutate(gql, document, values, token=viewer.token)
        unknown = await mutate(gql, document, missing_values, token=viewer.token)
        if refused != unknown:
            differing.append((name, refused, unknown))
    assert differing == []


async def test_a_later_steward_changes_nothing_of_the_old_series(
    gql: GraphQL, cast: Cast, services: Services
) -> None:
    nora = await cast.org.add_member("Nora New Steward")
    await established(gql, nora, cast.person)
    before = await one_on_one_state(services)
    for name, document, values in attempts(cast, nora, missing=False):
        result = await mutate(gql, document, values, token=nora.token)
        # Not found, never "this series ended": that would tell it exists.
        assert result["__typename"] == "NotFoundError", (name, result)
    assert await one_on_one_state(services) == before


async def test_without_a_token_nothing_changes(
    gql: GraphQL, cast: Cast, services: Services
) -> None:
    before = await one_on_one_state(services)
    for name, document, values in attempts(cast, cast.third, missing=False):
        body = await gql(document, {"input": values})
        (result,) = body["data"].values()
        assert result["__typename"] == "AuthenticationError", (name, result)
        for trace in cast.traces:
            assert trace not in str(body), (name, trace)
    assert await one_on_one_state(services) == before


# == what the prep shows the steward ========================================================


async def answered_request(
    gql: GraphQL, clock: FakeClock, org: Org, person: Member, peers: list[Member], topic: str
) -> str:
    request = await asked(gql, clock, person, peers, topic=topic)
    for peer in peers:
        await give(gql, peer, request["id"], text=secret("Answer"))
    await request_changed(gql, CLOSE, person, request["id"])
    step(clock, org)
    return str(request["id"])


async def test_what_the_person_did_not_share_is_absent_from_the_stewards_prep(
    gql: GraphQL, cast: Cast, clock: FakeClock
) -> None:
    org, pia, sam = cast.org, cast.person, cast.steward
    peers = [await org.add_member("Pat Peer"), await org.add_member("Quinn Peer")]
    secrets = {
        "goal": secret("Unshared goal"),
        "check-in": secret("Unshared check-in"),
        "taken back": secret("Goal taken back"),
        "feedback": secret("Unshared feedback"),
        "feedback taken back": secret("Feedback taken back"),
        "topic": secret("Unshared request"),
        "org goal": secret("Goal for everyone"),
    }
    private_goal = await created(gql, pia, secrets["goal"])
    await checked_in(gql, pia, private_goal["id"], 10, "LOW", secrets["check-in"])
    taken_back = await created(gql, pia, secrets["taken back"])
    await shared(gql, pia, taken_back["id"], "STEWARD")
    await checked_in(gql, pia, taken_back["id"], 10, "HIGH")
    await checked_in(gql, pia, taken_back["id"], 10, "LOW")
    # On the shared agenda, linked to the goal while it was shared.
    await succeed(
        gql,
        ADD_ITEM,
        pia,
        "AgendaItemSuccess",
        meetingId=cast.next_id,
        text="About my goal",
        goalId=taken_back["id"],
    )
    await unshare(gql, pia, taken_back["id"], "STEWARD")
    await given(gql, peers[0], pia, secrets["feedback"])
    item = await given(gql, peers[1], pia, secrets["feedback taken back"])
    await shared_feedback(gql, pia, item["id"])
    await unshare_feedback(gql, pia, item["id"])
    # Sam answered it himself: that does not make its results shared with him.
    request_id = await answered_request(gql, clock, org, pia, [*peers, sam], secrets["topic"])

    text, view = await raw_prep(gql, sam, cast.next_id)
    assert view["goals"] == []
    assert view["feedback"] == []
    assert view["feedbackRequests"] == []
    assert view["readinessSuggestions"] == []
    assert view["suggestedTalkingPoints"] == []
    (linked,) = [i for i in view["agenda"] if i["text"] == "About my goal"]
    assert linked["goal"] is None
    for label, value in secrets.items():
        if label != "org goal":
            assert value not in text, label
    for hidden in (private_goal["id"], taken_back["id"], item["id"], request_id):
        assert hidden not in text

    # A goal shared with everyone is everyone's to read, the steward's too.
    for_all = await created(gql, pia, secrets["org goal"])
    await shared(gql, pia, for_all["id"], "ORGANIZATION")
    view = await raw_prep(gql, sam, cast.next_id)
    assert [g["goal"]["id"] for g in view[1]["goals"]] == [for_all["id"]]

    # Pia's own prep has all of it (the control).
    text, view = await raw_prep(gql, pia, cast.next_id)
    assert {g["goal"]["id"] for g in view["goals"]} == {
        private_goal["id"],
        taken_back["id"],
        for_all["id"],
    }
    assert request_id in text
    assert all(value in text for label, value in secrets.items() if label != "check-in")


async def test_after_a_handover_the_old_steward_sees_nothing_shared_with_the_steward(
    gql: GraphQL, cast: Cast, clock: FakeClock
) -> None:
    """Sam keeps the history of his 1-on-1s with Pia, but what Pia shared
    "with her steward" ended with his stewardship, and what she shares now
    is for Nora: nothing of it reaches Sam through their old meetings (whose
    prep is gone with the stewardship), and nothing from before her time is
    in Nora's."""
    org, pia, sam = cast.org, cast.person, cast.steward
    bo = await org.add_member("Bo Giver")
    before = {"goal": secret("Goal shared before"), "feedback": secret("Feedback before")}
    after = {"goal": secret("Goal shared after"), "feedback": secret("Feedback after")}
    old_goal = await created(gql, pia, before["goal"])
    await shared(gql, pia, old_goal["id"], "STEWARD")
    old_item = await given(gql, bo, pia, before["feedback"])
    await shared_feedback(gql, pia, old_item["id"])
    text, view = await raw_prep(gql, sam, cast.next_id)
    assert [g["goal"]["id"] for g in view["goals"]] == [old_goal["id"]]
    assert [f["id"] for f in view["feedback"]] == [old_item["id"]]

    nora = await org.add_member("Nora New Steward")
    new = await established(gql, nora, pia)
    _, nora_meeting = await start_series(gql, clock, nora, new["id"])
    step(clock, org, cast.elsewhere)
    new_goal = await created(gql, pia, after["goal"])
    await shared(gql, pia, new_goal["id"], "STEWARD")
    new_item = await given(gql, bo, pia, after["feedback"])
    await shared_feedback(gql, pia, new_item["id"])

    for meeting_id in (cast.held_id, cast.next_id):
        text, view = await raw_prep(gql, sam, meeting_id)
        assert view is None
        for value in (*before.values(), *after.values()):
            assert value not in text
    # What Pia shared "with her steward" was with Sam, ended with his
    # stewardship, and Nora does not inherit it: she sees only what was
    # shared in her time.
    text, view = await raw_prep(gql, nora, nora_meeting["id"])
    assert [g["goal"]["id"] for g in view["goals"]] == [new_goal["id"]]
    assert [f["id"] for f in view["feedback"]] == [new_item["id"]]
    assert before["goal"] not in text
    assert before["feedback"] not in text


async def test_a_talking_point_from_feedback_shows_its_text_never_the_feedback(
    gql: GraphQL, cast: Cast
) -> None:
    """Pia raises unshared feedback as a talking point: Sam sees what she
    wrote for the agenda, not the feedback, nor who gave it, nor that the
    item came from feedback at all."""
    bo = await cast.org.add_member("Bo Giver")
    feedback_text = secret("Feedback behind the point")
    item = await given(gql, bo, cast.person, feedback_text)
    point = secret("Pacing in meetings")
    result = await into_talking_point(
        gql, cast.person, item["id"], cast.relationship_id, text=point
    )
    assert result["__typename"] == "FeedbackTalkingPointSuccess", result

    text, view = await raw_prep(gql, cast.steward, cast.next_id)
    (raised,) = [i for i in view["agenda"] if i["text"] == point]
    assert raised["fromTalkingPoint"] is False
    assert raised["author"] == {"id": cast.person.id}
    assert view["feedback"] == []
    for trace in (feedback_text, item["id"], bo.id):
        assert trace not in text


async def test_mentor_and_steward_each_see_only_what_was_shared_with_them(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    pia = await org.add_member("Pia Person")
    sam = await org.add_member("Sam Steward")
    mia = await org.add_member("Mia Mentor")
    peers = [await org.add_member("Pat Peer"), await org.add_member("Quinn Peer")]
    area = (await create_area(gql, org.faculty.token, "Design"))["id"]
    stewardship = await established(gql, sam, pia)
    mentorship = await established(gql, mia, pia, kind=MENTORSHIP, areas=[area])
    _, sam_meeting = await start_series(gql, clock, sam, stewardship["id"])
    _, mia_meeting = await start_series(gql, clock, mia, mentorship["id"])
    step(clock, org)  # what is shared next is new since the relationships started

    async def shares(audience: str, mentor: Member | None, label: str) -> dict[str, str]:
        goal = await created(gql, pia, secret(f"{label} goal"))
        await shared(gql, pia, goal["id"], audience, mentor)
        item = await given(gql, peers[0], pia, secret(f"{label} feedback"))
        await shared_feedback(gql, pia, item["id"], audience, mentor)
        topic = secret(f"{label} request")
        request_id = await answered_request(gql, clock, org, pia, peers, topic)
        await shared_feedback(gql, pia, request_id, audience, mentor)
        meeting = sam_meeting if mentor is None else mia_meeting
        leader = sam if mentor is None else mia
        agenda = secret(f"{label} agenda")
        await succeed(
            gql, ADD_ITEM, leader, "AgendaItemSuccess", meetingId=meeting["id"], text=agenda
        )
        relationship = stewardship if mentor is None else mentorship
        context = secret(f"{label} context")
        agreement = await agreed(gql, leader, pia, relationship["id"], "FIXED_GOALS", context)
        await done(gql, ASSESS, pia, agreement["id"], followerView="PURPOSE")
        return {
            "goal": goal["id"],
            "goal title": goal["title"],
            "item": item["id"],
            "item text": item["text"],
            "request": request_id,
            "topic": topic,
            "agenda": agenda,
            "agreement": agreement["id"],
            "context": context,
        }

    stewards = await shares("STEWARD", None, "Steward's")
    mentors = await shares("MENTOR", mia, "Mentor's")

    for leader, meeting, own, others in (
        (sam, sam_meeting, stewards, mentors),
        (mia, mia_meeting, mentors, stewards),
    ):
        text, view = await raw_prep(gql, leader, meeting["id"])
        assert [g["goal"]["id"] for g in view["goals"]] == [own["goal"]]
        assert [f["id"] for f in view["feedback"]] == [own["item"]]
        assert [r["id"] for r in view["feedbackRequests"]] == [own["request"]]
        assert [a["id"] for a in view["agreements"]] == [own["agreement"]]
        assert [i["text"] for i in view["agenda"]] == [own["agenda"]]
        assert [p["kind"] for p in view["suggestedTalkingPoints"]] == ["MISMATCH_SIGNAL"]
        assert own["context"] in view["suggestedTalkingPoints"][0]["reason"]
        for label, value in others.items():
            assert value not in text, (leader.person.name, label)
    # Readiness is for the person and her steward, never a mentor.
    assert (await raw_prep(gql, mia, mia_meeting["id"]))[1]["readinessSuggestions"] == []


async def test_a_coach_sees_nothing_shared_with_the_steward_and_the_steward_only_counts_coaching(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    pia = await org.add_member("Pia Person")
    sam = await org.add_member("Sam Steward")
    cora = await org.add_member("Cora Coach")
    peers = [await org.add_member("Pat Peer"), await org.add_member("Quinn Peer")]
    stewardship = await established(gql, sam, pia)
    _, sam_meeting = await start_series(gql, clock, sam, stewardship["id"])
    step(clock, org)  # the coaching starts after the stewardship: a change since
    coaching = await established(gql, cora, pia, kind=COACHING)
    _, cora_meeting = await start_series(gql, clock, cora, coaching["id"])

    # What Pia shares with her steward.
    for_steward = {
        "goal": secret("Steward goal"),
        "feedback": secret("Steward feedback"),
        "topic": secret("Steward request"),
    }
    goal = await created(gql, pia, for_steward["goal"])
    await shared(gql, pia, goal["id"], "STEWARD")
    await checked_in(gql, pia, goal["id"], 30, "HIGH")
    item = await given(gql, peers[0], pia, for_steward["feedback"])
    await shared_feedback(gql, pia, item["id"])
    request_id = await answered_request(gql, clock, org, pia, peers, for_steward["topic"])
    await shared_feedback(gql, pia, request_id)
    # Coaching content: agenda, notes, action items, an agreement.
    coaching_secrets = {
        "agenda": secret("Coaching agenda"),
        "note": secret("Coaching note"),
        "action": secret("Coaching action"),
        "context": secret("Coaching context"),
    }
    await succeed(
        gql,
        ADD_ITEM,
        pia,
        "AgendaItemSuccess",
        meetingId=cora_meeting["id"],
        text=coaching_secrets["agenda"],
    )
    await succeed(
        gql,
        ADD_NOTE,
        cora,
        "MeetingNoteSuccess",
        meetingId=cora_meeting["id"],
        text=coaching_secrets["note"],
        private=False,
    )
    action = await succeed(
        gql,
        ADD_ACTION,
        cora,
        "ActionItemSuccess",
        meetingId=cora_meeting["id"],
        ownerId=pia.id,
        text=coaching_secrets["action"],
        dueOn=(clock.now().date() - timedelta(days=1)).isoformat(),
    )
    coached = await agreed(gql, cora, pia, coaching["id"], "TASKS", coaching_secrets["context"])
    await done(gql, ASSESS, pia, coached["id"], followerView="PURPOSE")

    # The coach's prep of the coaching meeting: coaches are not stewards.
    text, view = await raw_prep(gql, cora, cora_meeting["id"])
    assert view["person"]["id"] == pia.id
    assert view["goals"] == []
    assert view["feedback"] == []
    assert view["feedbackRequests"] == []
    assert view["readinessSuggestions"] == []
    for label, value in for_steward.items():
        assert value not in text, label
    for hidden in (goal["id"], item["id"], request_id):
        assert hidden not in text
    # Their own coaching content is theirs to prepare.
    assert [a["id"] for a in view["agreements"]] == [coached["id"]]
    assert [i["id"] for i in view["openActionItems"]] == [action["item"]["id"]]

    # The steward's prep: coaching only as counts.
    text, view = await raw_prep(gql, sam, sam_meeting["id"])
    assert view["activity"] == {"mentors": 0, "coaches": 1, "coachingsStartedSince": 1}
    assert all(r["kind"] != "COACHING" for r in view["relationshipChanges"])
    assert view["agreements"] == []
    assert view["openActionItems"] == []
    assert view["suggestedTalkingPoints"] == [] or all(
        p["kind"] != "MISMATCH_SIGNAL" and p["kind"] != "ACTION_ITEM_OVERDUE"
        for p in view["suggestedTalkingPoints"]
    )
    for label, value in coaching_secrets.items():
        assert value not in text, label
    for hidden in (coaching["id"], coached["id"], action["item"]["id"], cora.id):
        assert hidden not in text
    # And what Pia shared with him is there (the control).
    assert for_steward["goal"] in text
    assert for_steward["feedback"] in text
    assert for_steward["topic"] in text


async def test_coaching_shows_only_as_counts_in_the_persons_own_stewardship_prep(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Coach content is for coach and coachee, in their coaching 1-on-1s.
    Pia's prep of her 1-on-1 with her steward (what she prepares to raise
    with him) counts her coaching and suggests nothing from it; it is the
    same as his prep of that meeting in this."""
    pia = await org.add_member("Pia Person")
    sam = await org.add_member("Sam Steward")
    cora = await org.add_member("Cora Coach")
    stewardship = await established(gql, sam, pia)
    _, sam_meeting = await start_series(gql, clock, sam, stewardship["id"])
    step(clock, org)  # the coaching starts after the stewardship: a change since
    coaching = await established(gql, cora, pia, kind=COACHING)
    _, cora_meeting = await start_series(gql, clock, cora, coaching["id"])
    context = secret("Coaching context")
    coached = await agreed(gql, cora, pia, coaching["id"], "TASKS", context)
    await done(gql, ASSESS, pia, coached["id"], followerView="PURPOSE")
    # Pia prepares her coaching: the agreement and its signal are there.
    coaching_prep = (await raw_prep(gql, pia, cora_meeting["id"]))[1]
    assert [a["id"] for a in coaching_prep["agreements"]] == [coached["id"]]
    assert [p["kind"] for p in coaching_prep["suggestedTalkingPoints"]] == ["MISMATCH_SIGNAL"]

    text, view = await raw_prep(gql, pia, sam_meeting["id"])
    assert view["activity"] == {"mentors": 0, "coaches": 1, "coachingsStartedSince": 1}
    assert all(r["kind"] != "COACHING" for r in view["relationshipChanges"])
    problems = [
        label
        for label, present in (
            ("the coaching agreement", coached["id"] in text),
            ("its context", context in text),
            ("its signal as a talking point", bool(view["suggestedTalkingPoints"])),
        )
        if present
    ]
    assert problems == [], f"Pia's stewardship prep shows coaching content: {problems}"
