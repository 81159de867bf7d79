"""The read log (DESIGN.md section 3): every request that returns a shared
item's content to someone other than its owner is one read, whatever paths
it used; at most one record per reader, item and day; ids and counts are
not reads, nor are the owner's (or an item's giver's) own reads. The owner
sees who read each item and each share, also after taking a share back,
until the job pass removes records past retention."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from api.context import Services
from api.jobs import run_due_jobs
from api.settings import Settings
from domain.services import feedback as feedback_service
from persistence.repositories.read_log import SqlReadLogRepository
from tests.api.feedback_helpers import asked
from tests.api.feedback_item_helpers import GIVE_FEEDBACK, shared_feedback, unshare_feedback
from tests.api.goal_helpers import created, shared, unshare
from tests.api.harness import GraphQL, Org, api_settings
from tests.api.queries import create_area, mutate
from tests.api.read_log_helpers import (
    GOAL_BY_NODE,
    GOAL_BY_NODES,
    GOALS_OF_PERSON,
    ITEM_BY_NODE,
    ITEMS_RECEIVED,
    PREP_FEEDBACK,
    PREP_GOALS,
    PREP_RESULTS,
    RESULTS_BY_NODE,
    Cast,
    counts,
    log_rows,
    read,
    read_by,
    share_logs,
    shared_cast,
)
from tests.api.relationship_helpers import MENTORSHIP, advance, established
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]


@pytest.fixture
async def cast(gql: GraphQL, clock: FakeClock, org: Org) -> Cast:
    return await shared_cast(gql, clock, org)


async def test_each_path_to_a_shared_goal_is_a_read_and_a_request_counts_once(
    gql: GraphQL, services: Services, clock: FakeClock, cast: Cast
) -> None:
    steward, goal = cast.steward, cast.goal
    paths = [
        (GOAL_BY_NODE, {"id": goal}),
        (GOAL_BY_NODES, {"ids": [goal]}),
        (GOALS_OF_PERSON, {"id": cast.owner.id}),
        (PREP_GOALS, {"id": cast.meeting}),
    ]
    for done, (document, variables) in enumerate(paths, start=1):
        await read(gql, steward, document, **variables)
        assert counts(await read_by(gql, cast.owner, goal)) == {steward.id: done}

    # Every path at once (and the goal twice in one list): still one read.
    everything = """
    query($goal: ID!, $owner: ID!, $meeting: ID!) {
      a: node(id: $goal) { ... on Goal { title } }
      b: nodes(ids: [$goal, $goal]) { ... on Goal { description } }
      c: node(id: $owner) { ... on Person { goals { checkIns { note } } } }
      d: node(id: $meeting) { ... on OneOnOneMeeting { prep { goals { goal { title } } } } }
    }
    """
    await read(gql, steward, everything, goal=goal, owner=cast.owner.id, meeting=cast.meeting)
    (entry,) = await read_by(gql, cast.owner, goal) or []
    assert entry == {
        "person": {"id": steward.id},
        "lastReadAt": clock.now().isoformat(),
        "readCount": 5,
    }
    goal_rows = [row for row in await log_rows(services) if row["reader_id"] == steward.person.id]
    assert [(row["day"], row["read_count"]) for row in goal_rows] == [(clock.now().date(), 5)]
    assert goal_rows[0]["owner_id"] == cast.owner.person.id


async def test_reads_on_two_days_are_two_records_and_the_owner_sees_their_sum(
    gql: GraphQL, services: Services, clock: FakeClock, cast: Cast
) -> None:
    first_day = clock.now()
    for _ in range(2):
        await read(gql, cast.steward, GOAL_BY_NODE, id=cast.goal)
    advance(clock, timedelta(days=1, hours=3), cast.org)
    for _ in range(3):
        await read(gql, cast.steward, GOALS_OF_PERSON, id=cast.owner.id)

    rows = await log_rows(services)
    assert [(row["day"], row["read_count"]) for row in rows] == [
        (first_day.date(), 2),
        (clock.now().date(), 3),
    ]
    assert [row["last_read_at"] for row in rows] == [first_day, clock.now()]
    (entry,) = await read_by(gql, cast.owner, cast.goal) or []
    assert (entry["readCount"], entry["lastReadAt"]) == (5, clock.now().isoformat())


async def test_the_day_of_a_read_is_the_utc_day(
    gql: GraphQL, services: Services, clock: FakeClock, cast: Cast
) -> None:
    """23:30 UTC is already tomorrow in Berlin, where everyone here lives;
    the record still belongs to the UTC day, and 00:30 UTC starts a new one."""
    advance(clock, timedelta(hours=14, minutes=30), cast.org)  # 23:30 UTC
    await read(gql, cast.steward, GOAL_BY_NODE, id=cast.goal)
    late = clock.now()
    advance(clock, timedelta(hours=1), cast.org)  # 00:30 UTC, the next day
    await read(gql, cast.steward, GOAL_BY_NODE, id=cast.goal)
    assert [row["day"] for row in await log_rows(services)] == [
        late.date(),
        late.date() + timedelta(days=1),
    ]


async def test_ids_owners_and_counts_are_not_reads(
    gql: GraphQL, services: Services, cast: Cast
) -> None:
    identities = """
    query($goal: ID!, $item: ID!, $request: ID!, $owner: ID!, $meeting: ID!) {
      a: node(id: $goal) { id ... on Goal { owner { id } } }
      b: nodes(ids: [$goal, $item, $request]) {
        id __typename
        ... on FeedbackItem { subject { id } }
        ... on FeedbackRequest { requester { id } results { released answeredCount } }
      }
      c: node(id: $owner) {
        ... on Person {
          goals { id } goalCounts { active }
          feedbackReceived(first: 10) { edges { cursor node { id } } }
          readinessSuggestions { evidenceCount }
        }
      }
      d: node(id: $meeting) {
        ... on OneOnOneMeeting {
          prep {
            goals { goal { id } }
            feedback { id }
            feedbackRequests { id results { answeredCount } }
            suggestedTalkingPoints { kind goal { id } }
          }
        }
      }
    }
    """
    await read(
        gql,
        cast.steward,
        identities,
        goal=cast.goal,
        item=cast.item,
        request=cast.request,
        owner=cast.owner.id,
        meeting=cast.meeting,
    )
    assert await log_rows(services) == []


async def test_the_owners_and_the_givers_own_reads_are_not_recorded(
    gql: GraphQL, services: Services, cast: Cast
) -> None:
    owner = cast.owner
    for document, variables in [
        (GOAL_BY_NODE, {"id": cast.goal}),
        (GOALS_OF_PERSON, {"id": owner.id}),
        (PREP_GOALS, {"id": cast.meeting}),
        (ITEM_BY_NODE, {"id": cast.item}),
        (ITEMS_RECEIVED, {"id": owner.id}),
        (PREP_FEEDBACK, {"id": cast.meeting}),
        (RESULTS_BY_NODE, {"id": cast.request}),
        (PREP_RESULTS, {"id": cast.meeting}),
    ]:
        await read(gql, owner, document, **variables)
    # The giver reads what they wrote, in their own list and by node.
    given_list = """
    { viewer { feedbackGiven(first: 10) { edges { node { text createdAt giver { id } } } } } }
    """
    await read(gql, cast.giver, given_list)
    await read(gql, cast.giver, ITEM_BY_NODE, id=cast.item)
    assert await log_rows(services) == []
    assert await read_by(gql, owner, cast.goal) == []
    assert await read_by(gql, owner, cast.item) == []


async def test_shared_feedback_and_results_are_read_on_every_path(
    gql: GraphQL, services: Services, cast: Cast
) -> None:
    steward = cast.steward
    for document, variables in [
        (ITEM_BY_NODE, {"id": cast.item}),
        (ITEMS_RECEIVED, {"id": cast.owner.id}),
        (PREP_FEEDBACK, {"id": cast.meeting}),
        (RESULTS_BY_NODE, {"id": cast.request}),
        (PREP_RESULTS, {"id": cast.meeting}),
    ]:
        await read(gql, steward, document, **variables)
    assert counts(await read_by(gql, cast.owner, cast.item)) == {steward.id: 3}
    assert counts(await read_by(gql, cast.owner, cast.request)) == {steward.id: 2}
    assert counts((await share_logs(gql, cast.owner, cast.item))["STEWARD"]) == {steward.id: 3}
    assert counts((await share_logs(gql, cast.owner, cast.request))["STEWARD"]) == {steward.id: 2}
    assert {row["owner_id"] for row in await log_rows(services)} == {cast.owner.person.id}


async def test_results_not_released_yet_are_not_a_read(
    gql: GraphQL, services: Services, clock: FakeClock, cast: Cast
) -> None:
    """An open ANONYMOUS request shows its requester (and the steward they
    shared it with) only how many answered: a count."""
    invitees = [cast.giver, *[await cast.org.add_member() for _ in range(2)]]
    request = (await asked(gql, clock, cast.owner, invitees, anonymity="ANONYMOUS"))["id"]
    await shared_feedback(gql, cast.owner, request)
    found = (await read(gql, cast.steward, RESULTS_BY_NODE, id=request))["node"]
    assert found["results"] == {"released": False, "questions": []}
    assert await log_rows(services) == []


async def test_each_share_shows_the_reads_of_whom_it_reaches(
    gql: GraphQL, org: Org, cast: Cast
) -> None:
    """The steward and a named mentor read through their own shares; once
    the goal is shared with the organization a teammate reads it too. The
    goal's readBy has everyone, newest first; each share the people it
    reaches (the organization share: everyone)."""
    owner, steward = cast.owner, cast.steward
    mentor, teammate = await org.add_member("Mia Mentor"), await org.add_member("Tim Teammate")
    area = (await create_area(gql, org.faculty.token, "Facilitation"))["id"]
    await established(gql, mentor, owner, kind=MENTORSHIP, areas=[area])
    await shared(gql, owner, cast.goal, "MENTOR", mentor)

    await read(gql, steward, GOAL_BY_NODE, id=cast.goal)
    await read(gql, mentor, GOAL_BY_NODE, id=cast.goal)
    await read(gql, mentor, GOAL_BY_NODES, ids=[cast.goal])
    logs = await share_logs(gql, owner, cast.goal)
    assert counts(logs["STEWARD"]) == {steward.id: 1}
    assert counts(logs["MENTOR"]) == {mentor.id: 2}

    await shared(gql, owner, cast.goal, "ORGANIZATION")
    await read(gql, teammate, GOALS_OF_PERSON, id=owner.id)
    everyone = {steward.id: 1, mentor.id: 2, teammate.id: 1}
    assert counts(await read_by(gql, owner, cast.goal)) == everyone
    assert counts((await share_logs(gql, owner, cast.goal))["ORGANIZATION"]) == everyone
    # The same moment for all three (one fake clock): the order falls back
    # on the reader, but every entry is there once.
    assert len(await read_by(gql, owner, cast.goal) or []) == 3


async def test_the_latest_reader_comes_first(gql: GraphQL, clock: FakeClock, cast: Cast) -> None:
    mentor = await cast.org.add_member("Mia Mentor")
    await shared(gql, cast.owner, cast.goal, "ORGANIZATION")
    await read(gql, cast.steward, GOAL_BY_NODE, id=cast.goal)
    advance(clock, timedelta(minutes=5), cast.org)
    await read(gql, mentor, GOAL_BY_NODE, id=cast.goal)
    advance(clock, timedelta(minutes=5), cast.org)
    await read(gql, cast.steward, GOAL_BY_NODE, id=cast.goal)
    entries = await read_by(gql, cast.owner, cast.goal) or []
    assert [(e["person"]["id"], e["readCount"]) for e in entries] == [
        (cast.steward.id, 2),
        (mentor.id, 1),
    ]
    assert entries[0]["lastReadAt"] == clock.now().isoformat()


async def test_past_reads_stay_visible_to_the_owner_after_revoking(
    gql: GraphQL, services: Services, cast: Cast
) -> None:
    owner, steward = cast.owner, cast.steward
    await read(gql, steward, GOAL_BY_NODE, id=cast.goal)
    await read(gql, steward, ITEM_BY_NODE, id=cast.item)
    await read(gql, steward, RESULTS_BY_NODE, id=cast.request)
    await unshare(gql, owner, cast.goal, "STEWARD")
    await unshare_feedback(gql, owner, cast.item)
    await unshare_feedback(gql, owner, cast.request)

    # Trying again reads nothing, and is no read.
    assert (await read(gql, steward, GOAL_BY_NODE, id=cast.goal))["node"] is None
    assert (await read(gql, steward, ITEM_BY_NODE, id=cast.item))["node"] is None
    found = (await read(gql, steward, RESULTS_BY_NODE, id=cast.request))["node"]
    assert found is None or found["results"] is None

    for source in (cast.goal, cast.item, cast.request):
        assert counts(await read_by(gql, owner, source)) == {steward.id: 1}
        assert await share_logs(gql, owner, source) == {}  # no share left to list
    assert len(await log_rows(services)) == 3


async def test_a_mutation_payload_that_returns_the_content_is_a_read(
    gql: GraphQL, org: Org, cast: Cast
) -> None:
    """A colleague gives feedback about a goal shared with everyone; the
    payload brings the goal's title back, which is reading it."""
    colleague = await org.add_member("Cy Colleague")
    await shared(gql, cast.owner, cast.goal, "ORGANIZATION")
    document = GIVE_FEEDBACK.replace("goal { id }", "goal { id title }")
    result = await mutate(
        gql,
        document,
        {"subjectId": cast.owner.id, "text": "Nice retro.", "goalId": cast.goal},
        token=colleague.token,
    )
    assert result["item"]["goal"]["title"] == "Run the retro"
    assert counts(await read_by(gql, cast.owner, cast.goal)) == {colleague.id: 1}


async def test_a_suggested_talking_point_quoting_a_goal_is_a_read(
    gql: GraphQL, clock: FakeClock, cast: Cast
) -> None:
    """The prep suggests raising a goal past its target date, in a sentence
    with the goal's title: reading that sentence reads the goal."""
    late = (await created(gql, cast.owner, "Write the guide", targetDate="2026-03-01"))["id"]
    await shared(gql, cast.owner, late, "STEWARD")
    reasons = """
    query($id: ID!) {
      node(id: $id) { ... on OneOnOneMeeting { prep { suggestedTalkingPoints { kind reason } } } }
    }
    """
    found = await read(gql, cast.steward, reasons, id=cast.meeting)
    points = found["node"]["prep"]["suggestedTalkingPoints"]
    assert any("Write the guide" in p["reason"] for p in points), points
    assert counts(await read_by(gql, cast.owner, late)) == {cast.steward.id: 1}
    assert await read_by(gql, cast.owner, cast.goal) == []


async def test_a_failure_to_write_the_log_changes_nothing_in_the_answer(
    gql: GraphQL,
    services: Services,
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(self: SqlReadLogRepository, records: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqlReadLogRepository, "add", broken)
    with caplog.at_level(logging.ERROR, logger="trellis.read_log"):
        found = await read(gql, cast.steward, GOAL_BY_NODE, id=cast.goal)
    assert found == {"node": {"title": "Run the retro"}}
    assert any("not logged" in r.getMessage() for r in caplog.records)
    assert await log_rows(services) == []


# == retention ====================================================================


async def test_the_job_pass_removes_records_after_a_year(
    gql: GraphQL, services: Services, clock: FakeClock, cast: Cast
) -> None:
    """Kept 365 days by default: the day of the read and the 364 after it."""
    assert services.settings.read_log_retention_days == 365
    first_day = clock.now().date()
    await read(gql, cast.steward, GOAL_BY_NODE, id=cast.goal)
    advance(clock, timedelta(days=364), cast.org)
    await read(gql, cast.steward, ITEM_BY_NODE, id=cast.item)
    last_day = clock.now().date()

    await run_due_jobs(services)
    assert [row["day"] for row in await log_rows(services)] == [first_day, last_day]

    advance(clock, timedelta(days=1), cast.org)
    await run_due_jobs(services)
    assert [row["day"] for row in await log_rows(services)] == [last_day]
    assert await read_by(gql, cast.owner, cast.goal) == []
    assert counts(await read_by(gql, cast.owner, cast.item)) == {cast.steward.id: 1}


async def test_retention_runs_when_another_job_of_the_pass_fails(
    gql: GraphQL,
    services: Services,
    clock: FakeClock,
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each job has its own transaction: closing due requests failing (a
    bug, a trigger refusing) rolls back that job only."""
    await read(gql, cast.steward, GOAL_BY_NODE, id=cast.goal)
    advance(clock, timedelta(days=400), cast.org)

    async def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("closing failed")

    monkeypatch.setattr(feedback_service, "close_due_requests", broken)
    await run_due_jobs(services)
    assert await log_rows(services) == []


class TestAShorterRetention:
    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        return api_settings(database_url, read_log_retention_days=7)

    async def test_records_go_after_the_configured_days(
        self, gql: GraphQL, services: Services, clock: FakeClock, cast: Cast
    ) -> None:
        await read(gql, cast.steward, GOAL_BY_NODE, id=cast.goal)
        advance(clock, timedelta(days=6), cast.org)
        await run_due_jobs(services)
        assert len(await log_rows(services)) == 1
        advance(clock, timedelta(days=1), cast.org)
        await run_due_jobs(services)
        assert await log_rows(services) == []


async def test_each_organization_s_pass_removes_its_own_expired_records(
    gql: GraphQL, services: Services, clock: FakeClock, cast: Cast, make_org: OrgFactory
) -> None:
    other = await make_org("Other")
    other_owner, other_reader = await other.add_member(), await other.add_member()
    goal = (await created(gql, other_owner, "Elsewhere"))["id"]
    await shared(gql, other_owner, goal, "ORGANIZATION")
    await read(gql, other_reader, GOAL_BY_NODE, id=goal)
    advance(clock, timedelta(days=200), cast.org, other)
    await read(gql, cast.steward, GOAL_BY_NODE, id=cast.goal)

    advance(clock, timedelta(days=165), cast.org, other)
    await run_due_jobs(services)
    assert [row["reader_id"] for row in await log_rows(services)] == [cast.steward.person.id]
