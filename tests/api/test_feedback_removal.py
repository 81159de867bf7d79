"""Trying to find out who answered an ANONYMOUS request by removing people
from it, through the public API.

Removing someone from an anonymous request withdraws a pending invitation
only: an answer or a decline already given stays (counted, and in the
group), the person leaves the list of those asked either way, cannot be
asked in that request again, and the request no longer releases early. So
the outcome of a removal (its result, errors, counts, later results and
their release, the work done) is the same whether the removed person had
answered, declined or not yet responded (DESIGN.md 3.3).

Most tests here ask three people (the probes) in three requests alike, with
their parts rotated: in each request one probe answered, one declined and
one saved a draft only, a different one in each. Removing a probe then
removes someone who answered from one request, a decliner from another and
someone still pending from the third; the requester must see the same in
all three."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from fastapi import FastAPI

from api.context import Services
from tests.api.feedback_helpers import (
    ADD_INVITEES,
    CLOSE,
    MY_REQUESTS,
    REMOVE_INVITEE,
    anonymous,
    ask,
    asked,
    decline,
    feedback_state,
    invitation_for,
    node,
    nothing_released,
    on_request,
    respond,
    set_feedback_settings,
)
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.queries import assert_error
from tests.fakes import FakeClock

PARTS = ("answered", "declined", "pending")
REMOVAL_STATEMENTS = 9
"""A removal with the request it returns (invitees, results, questions):
the same work whatever the removed person had done."""
FOURTH_VOICE = "A fourth voice"

LOAD = """
query($id: ID!) {
  node(id: $id) { ... on Person { feedbackLoad { openInvitations askedLast90Days lastAskedOn } } }
}
"""


async def play(gql: GraphQL, member: Member, request_id: str, part: str) -> None:
    """`member` answers, declines or only saves a draft: the same words in
    every request, so that only who did what differs between them."""
    if part == "answered":
        await respond(gql, member, request_id, FOURTH_VOICE, 2, "A fourth change")
    elif part == "declined":
        invitation = await invitation_for(gql, member, request_id)
        declined = await decline(gql, member, invitation["id"], "Not my topic")
        assert declined["__typename"] == "FeedbackInvitationSuccess", declined
    else:
        await respond(gql, member, request_id, "A draft", 1, "A draft change", submit=False)


async def rotated(
    gql: GraphQL, clock: FakeClock, ada: Member, fixed: list[Member], probes: list[Member]
) -> list[str]:
    """Three anonymous requests of Ada's, asking `fixed` (who answer alike
    in all three) and the three probes, whose parts rotate."""
    request_ids = []
    for shift in range(3):
        request = await anonymous(gql, clock, ada, [*fixed, *probes])
        for member in fixed:
            name = member.person.name
            await respond(gql, member, request["id"], f"{name} well", 4, f"{name} change")
        for n, probe in enumerate(probes):
            await play(gql, probe, request["id"], PARTS[(n + shift) % 3])
        request_ids.append(request["id"])
    return request_ids


async def cast(org: Org) -> tuple[Member, list[Member], list[Member]]:
    ada = await org.add_member("Ada")
    fixed = [await org.add_member(n) for n in ("Bo", "Cy", "Dee")]
    probes = [await org.add_member(n) for n in ("Probe X", "Probe Y", "Probe Z")]
    return ada, fixed, probes


def comparable(request: dict[str, Any]) -> dict[str, Any]:
    """What the requester sees of a request, less what differs between any
    two requests: their ids and the order of a released group (a hash of
    the request's id and the content)."""
    seen = copy.deepcopy(request)
    del seen["id"]
    for question in seen["questions"]:
        del question["id"]
    for shown in seen["results"]["questions"]:
        del shown["question"]["id"]
        shown["texts"].sort()
    return seen


def alike(found: list[Any]) -> Any:
    assert all(each == found[0] for each in found), found
    return found[0]


async def removed(
    gql: GraphQL, app: FastAPI, ada: Member, request_id: str, member: Member
) -> tuple[dict[str, Any], int]:
    """The removal's typed result and the statements it took."""
    with count_statements(app.state.engine) as counter:
        result = await on_request(gql, REMOVE_INVITEE, ada, request_id, inviteeId=member.id)
    if result["__typename"] == "FeedbackRequestSuccess":
        return comparable(result["request"]), counter.count
    return result, counter.count


async def load(gql: GraphQL, viewer: Member, member: Member) -> dict[str, Any]:
    data = await gql.data(LOAD, {"id": member.id}, token=viewer.token)
    return data["node"]["feedbackLoad"]


async def test_removing_people_one_by_one_tells_nothing_about_what_they_had_done(
    gql: GraphQL, org: Org, clock: FakeClock, app: FastAPI
) -> None:
    ada, fixed, probes = await cast(org)
    request_ids = await rotated(gql, clock, ada, fixed, probes)

    for n, probe in enumerate(probes):
        # The probe answered in one request, declined in one, is pending in one.
        seen, statements = alike([await removed(gql, app, ada, r, probe) for r in request_ids])
        assert statements == REMOVAL_STATEMENTS
        assert seen["status"] == "OPEN"
        nothing_released(seen["results"], 4, declined_count=1)
        left = {e["invitee"]["id"] for e in seen["invitees"]}
        assert left == {m.id for m in (*fixed, *probes[n + 1 :])}

    # Nobody is left to answer in any of the three, and k answers count:
    # still nothing is released early, in none of them.
    views = alike([comparable(await node(gql, ada, r)) for r in request_ids])
    assert views["status"] == "OPEN"
    listed = await gql.data(MY_REQUESTS, token=ada.token)
    edges = listed["viewer"]["feedbackRequests"]["edges"]
    alike([comparable(e["node"]) for e in edges])
    alike([await load(gql, ada, probe) for probe in probes])

    # Closing releases the same group in each: what each gave stays in it.
    shown = alike(
        [
            comparable((await on_request(gql, CLOSE, ada, r))["request"])["results"]
            for r in request_ids
        ]
    )
    assert (shown["released"], shown["answeredCount"], shown["declinedCount"]) == (True, 4, 1)
    well, clarity, _ = shown["questions"]
    assert well["texts"] == sorted([FOURTH_VOICE, "Bo well", "Cy well", "Dee well"])
    assert clarity["scale"]["distribution"] == [0, 1, 0, 3, 0]
    assert "A draft" not in str(shown)


async def test_removing_everyone_at_once_tells_nothing_either(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, fixed, probes = await cast(org)
    request_ids = await rotated(gql, clock, ada, fixed, probes)

    for request_id in request_ids:
        results = await asyncio.gather(
            *(
                on_request(gql, REMOVE_INVITEE, ada, request_id, inviteeId=m.id)
                for m in (*fixed, *probes)
            )
        )
        assert {r["__typename"] for r in results} == {"FeedbackRequestSuccess"}, results

    seen = alike([comparable(await node(gql, ada, r)) for r in request_ids])
    assert (seen["status"], seen["invitees"]) == ("OPEN", [])
    nothing_released(seen["results"], 4, declined_count=1)
    closed = alike(
        [comparable((await on_request(gql, CLOSE, ada, r))["request"]) for r in request_ids]
    )
    assert (closed["results"]["released"], closed["results"]["answeredCount"]) == (True, 4)


async def test_after_the_release_a_removal_is_refused_alike(
    gql: GraphQL, org: Org, clock: FakeClock, app: FastAPI, services: Services
) -> None:
    ada, fixed, probes = await cast(org)
    request_ids = await rotated(gql, clock, ada, fixed, probes)
    for request_id in request_ids:
        closed = await on_request(gql, CLOSE, ada, request_id)
        assert closed["request"]["results"]["released"] is True
    before = await feedback_state(services)

    for probe in probes:
        refused, _ = alike([await removed(gql, app, ada, r, probe) for r in request_ids])
        assert_error(refused, "ConflictError", "REQUEST_CLOSED", None)
    assert await feedback_state(services) == before


async def test_removing_the_last_one_pending_releases_nothing_early(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Were the request released when the last one pending is removed (and
    not when someone who answered is), the release would tell which of the
    two the removed person was. After any removal an anonymous request waits
    for its due date or its requester's close."""
    ada, fixed, (x, y, _) = await cast(org)
    last_pending = await anonymous(gql, clock, ada, [*fixed, x, y])
    had_answered = await anonymous(gql, clock, ada, [*fixed, x, y])
    for request, (x_part, y_part) in (
        (last_pending, ("pending", "answered")),
        (had_answered, ("answered", "pending")),
    ):
        for member in fixed:
            name = member.person.name
            await respond(gql, member, request["id"], f"{name} well", 4, f"{name} change")
        await play(gql, x, request["id"], x_part)
        await play(gql, y, request["id"], y_part)

    seen = alike(
        [
            comparable(
                (await on_request(gql, REMOVE_INVITEE, ada, r["id"], inviteeId=x.id))["request"]
            )
            for r in (last_pending, had_answered)
        ]
    )
    assert seen["status"] == "OPEN"
    nothing_released(seen["results"], 4)

    # In the second, y answers last: still no early release.
    await play(gql, y, had_answered["id"], "answered")
    later = await node(gql, ada, had_answered["id"])
    assert later is not None
    assert later["status"] == "OPEN"
    nothing_released(later["results"], 5)
    for request in (last_pending, had_answered):
        closed = await on_request(gql, CLOSE, ada, request["id"])
        assert closed["request"]["results"]["released"] is True


async def test_whether_someone_answered_shows_neither_in_their_load_nor_in_the_cap(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Everyone sees how many open invitations someone has, and asking
    someone at the cap is refused. An anonymous invitation keeps its place
    until the request closes: freed on answering or declining, the count
    would tell the requester when someone responded, and a removal would
    lower it only for someone still pending."""
    ada, fixed, probes = await cast(org)
    request = await anonymous(gql, clock, ada, [*fixed, *probes])
    for member in fixed:
        await respond(gql, member, request["id"], "well", 4, "change")
    for probe, part in zip(probes, PARTS, strict=True):
        await play(gql, probe, request["id"], part)
    assert (await load(gql, ada, fixed[0]))["openInvitations"] == 1
    assert alike([await load(gql, ada, probe) for probe in probes])["openInvitations"] == 1
    await set_feedback_settings(gql, org.faculty, feedbackOpenInvitationCap=1)
    other = await org.add_member("Other")
    for probe in probes:
        refused = await ask(gql, clock, other, [probe])
        assert_error(refused, "LimitExceededError", "LIMIT_EXCEEDED")
        assert refused["limit"] == "OPEN_INVITATION_CAP"

    for probe in probes:
        await on_request(gql, REMOVE_INVITEE, ada, request["id"], inviteeId=probe.id)

    assert alike([await load(gql, ada, probe) for probe in probes]) == {
        "openInvitations": 0,
        "askedLast90Days": 0,
        "lastAskedOn": None,
    }
    for probe in probes:
        await asked(gql, clock, other, [probe])
    # The request's own place ends with it, for everyone at once.
    await on_request(gql, CLOSE, ada, request["id"])
    assert (await load(gql, ada, fixed[0]))["openInvitations"] == 0


async def test_nobody_removed_from_an_anonymous_request_is_asked_in_it_again(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    """Asked again, someone who had answered would add a second answer, and
    a count would move by what they had done. The refusal is the same
    whatever that was."""
    ada, fixed, probes = await cast(org)
    (request_id, *_) = await rotated(gql, clock, ada, fixed, probes)
    newcomer = await org.add_member("Newcomer")
    for probe in probes:
        await on_request(gql, REMOVE_INVITEE, ada, request_id, inviteeId=probe.id)
    before = await feedback_state(services)

    refusals = [
        await on_request(gql, ADD_INVITEES, ada, request_id, inviteeIds=ids)
        for ids in ([probes[0].id], [probes[1].id], [probes[2].id], [newcomer.id, probes[0].id])
    ]

    refused = alike(refusals)
    assert_error(refused, "ConflictError", "REMOVED_BEFORE", "inviteeIds")
    assert await feedback_state(services) == before
    added = await on_request(gql, ADD_INVITEES, ada, request_id, inviteeIds=[newcomer.id])
    assert added["__typename"] == "FeedbackRequestSuccess", added
