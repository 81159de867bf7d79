"""Trying to de-anonymize an ANONYMOUS feedback request through the public
API, and showing that it cannot be done (DESIGN.md section 3: "no field,
error, timing or ordering lets anyone, the API client included, tell who
wrote an anonymous answer").

An anonymous request releases its answers only as a group, only when at
least k (default 3) answers count, and only once the request stopped
collecting (closed, past its due date, or early once everyone asked
responded and nobody was removed). An answer counts when its author had
been a member for the organization's minimum (default 30 days) when the
request was made and was not invited by the requester. The requester is the
attacker here, sometimes helped by a colluding invitee who hands over their
own inbox, or by accounts they made themselves. Removing people to find out
who answered: tests/api/test_feedback_removal.py."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import jwt
import pytest
from fastapi import FastAPI

from api.context import Services
from api.jobs import run_due_jobs
from tests.api.feedback_helpers import (
    ADD_INVITEES,
    CLOSE,
    EXTEND,
    INBOX,
    MY_REQUESTS,
    NODE,
    NODES,
    PERSON_FEEDBACK,
    REMOVE_INVITEE,
    TOO_FEW,
    UPDATE_SETTINGS,
    anonymous,
    answer,
    answered,
    asked,
    decline,
    due_in,
    feedback_state,
    invitation_for,
    node,
    nodes,
    nothing_released,
    on_request,
    request_changed,
    respond,
    results,
    set_feedback_settings,
    statuses,
    text_question,
    uuid_of,
)
from tests.api.feedback_item_helpers import shared_feedback
from tests.api.harness import PASSWORD, GraphQL, Member, Org, count_statements
from tests.api.queries import assert_error, gid, missing_id, mutate
from tests.api.relationship_helpers import NOTIFICATIONS, advance, established
from tests.fakes import CapturingMailer, FakeClock


def content_order(request_id: str, texts: list[str]) -> list[str]:
    """The order the domain promises for an anonymous group: a hash of the
    request and the content, nothing else."""
    request_uuid = uuid_of(request_id)
    return sorted(texts, key=lambda t: hashlib.sha256(f"{request_uuid}:{t}".encode()).hexdigest())


def leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from leaves(inner, (*path, key))
    elif isinstance(value, list):
        for inner in value:
            yield from leaves(inner, path)
    else:
        yield path, value


ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def assert_not_attributable(
    body: Any, invitees: list[Member], contents: list[str], *, own: Member | None = None
) -> None:
    """Answer content shows only inside `results` (or, for a colluding invitee,
    inside their own `myAnswers`); inside `results` there is no person at
    all and no time; `invitees` holds no content."""
    marks = {m.id for m in invitees} | {m.person.name for m in invitees}
    marks |= {str(m.person.id) for m in invitees}
    for path, leaf in leaves(body):
        text = str(leaf)
        has_content = any(c in text for c in contents)
        if has_content:
            assert "results" in path or (own is not None and "myAnswers" in path), (path, leaf)
        if "results" in path:
            assert not any(m in text for m in marks), (path, leaf)
            assert not ISO_TIME.search(text), (path, leaf)
            assert "person" not in path, (path, leaf)
            assert "invitee" not in path, (path, leaf)
        if "invitees" in path:
            assert not has_content, (path, leaf)


async def everything_the_requester_can_ask(
    gql: GraphQL,
    requester: Member,
    request_id: str,
    invitees: list[Member],
    guessed_ids: list[str],
) -> list[dict[str, Any]]:
    """The raw responses of every read the requester can make about it."""
    bodies = [
        await gql(MY_REQUESTS, token=requester.token),
        await gql(NODE, {"id": request_id}, token=requester.token),
        await gql(NODES, {"ids": [request_id, *guessed_ids]}, token=requester.token),
        await gql(INBOX, token=requester.token),
        await gql(NOTIFICATIONS, token=requester.token),
    ]
    for guessed in guessed_ids:
        bodies.append(await gql(NODE, {"id": guessed}, token=requester.token))
    for member in [requester, *invitees]:
        bodies.append(await gql(PERSON_FEEDBACK, {"id": member.id}, token=requester.token))
    return bodies


# == below the threshold ================================================================


async def test_k_minus_one_answers_release_nothing_not_even_scale_summaries(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo, cy, dee = [await org.add_member(n) for n in ("Ada", "Bo", "Cy", "Dee")]
    request = await anonymous(gql, clock, ada, [bo, cy, dee])
    nothing_released(request["results"], 0)
    await respond(gql, bo, request["id"], "Bo liked the demo", 5, "Bo: shorter intro")
    await respond(gql, cy, request["id"], "Cy liked the pace", 1, "Cy: more examples")

    nothing_released(await results(gql, ada, request["id"]), 2)

    # Past the due date (not closed) and after closing: still only a count.
    advance(clock, timedelta(days=8), org)
    nothing_released(await results(gql, ada, request["id"]), 2)
    closed = await request_changed(gql, CLOSE, ada, request["id"])
    nothing_released(closed["results"], 2, reason=TOO_FEW)
    assert statuses(closed) == {bo.id: None, cy.id: None, dee.id: None}
    contents = ["Bo liked", "Cy liked", "shorter intro", "more examples"]
    for body in await everything_the_requester_can_ask(gql, ada, request["id"], [bo, cy, dee], []):
        assert not any(c in str(body) for c in contents), body


async def test_the_threshold_is_the_organizations(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    await set_feedback_settings(gql, org.faculty, feedbackAnonymityThreshold=4)
    ada, bo, cy, dee, eve = [await org.add_member() for _ in range(5)]
    request = await anonymous(gql, clock, ada, [bo, cy, dee, eve])
    for n, member in enumerate((bo, cy, dee)):
        await respond(gql, member, request["id"], f"well {n}", 3, f"change {n}")

    closed = await request_changed(gql, CLOSE, ada, request["id"])

    assert closed["results"] == {
        "released": False,
        "reason": TOO_FEW,
        "answeredCount": 3,
        "declinedCount": 0,
        "threshold": 4,
        "questions": [],
    }


async def test_drafts_and_declined_invitees_never_count_or_show(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo, cy, dee, eve = [await org.add_member() for _ in range(5)]
    request = await anonymous(gql, clock, ada, [bo, cy, dee, eve])
    await respond(gql, bo, request["id"], "Bo's draft", 1, "Bo's draft change", submit=False)
    await decline(gql, bo, (await invitation_for(gql, bo, request["id"]))["id"], "no time")
    await respond(gql, cy, request["id"], "Cy's answer", 3, "Cy's change")
    await respond(gql, dee, request["id"], "Dee's answer", 4, "Dee's change", submit=False)
    nothing_released(await results(gql, ada, request["id"]), 1, declined_count=1)

    await respond(gql, dee, request["id"], "Dee's answer", 4, "Dee's change")
    await respond(gql, eve, request["id"], "Eve's answer", 5, "Eve's change")
    # Nobody is left to answer and three answers count: released at once.
    closed = await node(gql, ada, request["id"])
    assert closed is not None

    shown = closed["results"]
    assert shown["released"] is True
    assert (shown["answeredCount"], shown["declinedCount"]) == (3, 1)
    assert "Bo's draft" not in str(closed)
    assert "no time" not in str(closed)
    well, clear, change = shown["questions"]
    assert sorted(well["texts"]) == ["Cy's answer", "Dee's answer", "Eve's answer"]
    assert sorted(change["texts"]) == ["Cy's change", "Dee's change", "Eve's change"]
    assert clear["scale"] == {"count": 3, "average": 4.0, "distribution": [0, 0, 1, 1, 1]}


# == while collecting ===================================================================


async def test_results_never_appear_while_the_request_is_collecting(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    """Were the group shown while answers still come in, the requester could
    watch one invitee turn ANSWERED and see which text appeared with it."""
    ada, bo, cy, dee, eve, silent = [await org.add_member() for _ in range(6)]
    invitees = [bo, cy, dee, eve]
    request = await anonymous(
        gql, clock, ada, [*invitees, silent], dueAt=due_in(clock, timedelta(days=3))
    )
    order = [e["invitee"]["id"] for e in request["invitees"]]
    snapshots: list[dict[str, Any]] = []
    for n, member in enumerate(invitees):
        advance(clock, timedelta(hours=5), org)
        await respond(gql, member, request["id"], f"Went well {n}", n + 1, f"Change {n}")
        viewed = await node(gql, ada, request["id"])
        assert viewed is not None
        snapshots.append(viewed)
        nothing_released(viewed["results"], n + 1)
        assert [e["invitee"]["id"] for e in viewed["invitees"]] == order
    # An edit while collecting changes nothing the requester can see.
    advance(clock, timedelta(hours=1), org)
    await respond(gql, bo, request["id"], "Went well, edited", 2, "Change 0")
    again = await node(gql, ada, request["id"])
    assert again == snapshots[-1]
    # Extending keeps it collecting: still nothing.
    extended = await request_changed(gql, EXTEND, ada, request["id"], dueAt=due_in(clock))
    nothing_released(extended["results"], 4)

    # Past the due date nothing shows until the job pass closes the request
    # (under the lock answers take); then the whole group at once.
    advance(clock, timedelta(days=8), org)
    nothing_released((await results(gql, ada, request["id"])), 4)
    await run_due_jobs(services)
    shown = await results(gql, ada, request["id"])
    assert shown["released"] is True
    assert shown["answeredCount"] == 4
    assert shown["threshold"] == 3
    well, clear, change = shown["questions"]
    assert sorted(well["texts"]) == sorted(
        ["Went well, edited", "Went well 1", "Went well 2", "Went well 3"]
    )
    assert sorted(change["texts"]) == ["Change 0", "Change 1", "Change 2", "Change 3"]
    assert well["namedAnswers"] is None
    assert clear["namedAnswers"] is None
    assert clear["texts"] == []
    assert clear["scale"] == {"count": 4, "average": 2.75, "distribution": [0, 2, 1, 1, 0]}
    assert well["scale"] is None


async def test_a_removed_answerers_words_stay_in_the_group_which_never_changes_once_shown(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    """Removing someone who answered takes nothing out: had their words
    left the group (or the count dropped), the requester would know they
    had answered (tests/api/test_feedback_removal.py tries every way)."""
    ada, bo, cy, dee, silent = [await org.add_member() for _ in range(5)]
    request = await anonymous(gql, clock, ada, [bo, cy, dee, silent])
    for member in (bo, cy, dee):
        name = member.person.name
        await respond(gql, member, request["id"], f"{name} well", 4, f"{name} change")

    removed = await request_changed(gql, REMOVE_INVITEE, ada, request["id"], inviteeId=bo.id)

    nothing_released(removed["results"], 3)
    assert statuses(removed) == {cy.id: None, dee.id: None, silent.id: None}
    closed = await request_changed(gql, CLOSE, ada, request["id"])
    shown = closed["results"]
    assert (shown["released"], shown["answeredCount"]) == (True, 3)
    assert sorted(shown["questions"][0]["texts"]) == sorted(
        f"{m.person.name} well" for m in (bo, cy, dee)
    )
    # Once released, the group can no longer change (it would show by the
    # difference what someone wrote): nobody removed or added.
    before = await feedback_state(services)
    for document, values in (
        (REMOVE_INVITEE, {"inviteeId": cy.id}),
        (ADD_INVITEES, {"inviteeIds": [org.faculty.id]}),
    ):
        refused = await on_request(gql, document, ada, request["id"], **values)
        assert_error(refused, "ConflictError", "REQUEST_CLOSED", None)
    assert await feedback_state(services) == before
    assert await results(gql, ada, request["id"]) == shown


# == order ==============================================================================


async def test_the_order_of_texts_depends_only_on_their_content(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Two requests, the same people, answered in opposite orders and with
    the texts given by different people. In each, both text questions get
    the same set of texts from different authors: they come out in the same
    order, the content-hash order, whoever wrote which and whenever."""
    ada, bo, cy, dee = [await org.add_member() for _ in range(4)]
    texts = ["alpha", "bravo", "charlie"]
    first = await anonymous(gql, clock, ada, [bo, cy, dee], topic="First")
    second = await anonymous(gql, clock, ada, [bo, cy, dee], topic="Second")
    plan = {
        first["id"]: [(bo, 0, 1), (cy, 1, 2), (dee, 2, 0)],
        second["id"]: [(dee, 0, 2), (cy, 2, 1), (bo, 1, 0)],
    }
    for request_id, answers in plan.items():
        for member, well, change in answers:
            advance(clock, timedelta(minutes=20), org)
            await respond(gql, member, request_id, texts[well], 3, texts[change])

    for request_id in plan:
        closed = await node(gql, ada, request_id)  # released early: nobody left to answer
        assert closed is not None
        well, _, change = closed["results"]["questions"]
        assert well["texts"] == change["texts"] == content_order(request_id, texts)
        assert_not_attributable(closed, [bo, cy, dee], texts)
    # The list of who was asked is in the same order in both, and as at the start.
    first_view, second_view = await nodes(gql, ada, [first["id"], second["id"]])
    ids = [[e["invitee"]["id"] for e in v["invitees"]] for v in (first, second)]
    assert [e["invitee"]["id"] for e in first_view["invitees"]] == ids[0]
    assert [e["invitee"]["id"] for e in second_view["invitees"]] == ids[1] == ids[0]


async def test_an_edited_answer_leaves_no_trace_of_when_or_by_whom(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo, cy, dee, silent = [await org.add_member() for _ in range(5)]
    request = await anonymous(gql, clock, ada, [bo, cy, dee, silent])
    await respond(gql, bo, request["id"], "first words", 2, "keep it")
    await respond(gql, cy, request["id"], "middle words", 3, "keep it too")
    await respond(gql, dee, request["id"], "last words", 4, "keep it three")
    advance(clock, timedelta(days=2), org)
    await respond(gql, bo, request["id"], "edited words", 5, "keep it")

    closed = await request_changed(gql, CLOSE, ada, request["id"])

    well, clear, change = closed["results"]["questions"]
    final = ["edited words", "middle words", "last words"]
    assert well["texts"] == content_order(request["id"], final)
    assert change["texts"] == content_order(
        request["id"], ["keep it", "keep it too", "keep it three"]
    )
    assert "first words" not in str(closed)
    assert clear["scale"] == {"count": 3, "average": 4.0, "distribution": [0, 0, 1, 1, 1]}
    assert_not_attributable(closed, [bo, cy, dee], [*final, "keep it"])


async def test_no_result_type_carries_a_person_or_a_time(gql: GraphQL, org: Org) -> None:
    """By the schema itself: what results are made of has no field that
    could name a person or date an answer (only a NAMED request's answers
    name their person, and that list is null in an ANONYMOUS one)."""
    query = """
    query T($name: String!) {
      __type(name: $name) {
        fields { name type { name kind ofType { name kind ofType { name kind
          ofType { name kind } } } } }
      }
    }
    """

    def named(t: dict[str, Any] | None) -> str | None:
        while t is not None and t["name"] is None:
            t = t["ofType"]
        return t["name"] if t else None

    found: dict[str, dict[str, str | None]] = {}
    for type_name in (
        "FeedbackResults",
        "FeedbackQuestionResult",
        "FeedbackScaleSummary",
        "FeedbackInviteeStatus",
    ):
        data = await gql.data(query, {"name": type_name}, token=org.faculty.token)
        found[type_name] = {f["name"]: named(f["type"]) for f in data["__type"]["fields"]}
    for type_name, fields in found.items():
        assert "DateTime" not in fields.values(), (type_name, fields)
    assert "Person" not in found["FeedbackResults"].values()
    assert "Person" not in found["FeedbackScaleSummary"].values()
    assert found["FeedbackQuestionResult"]["namedAnswers"] == "NamedFeedbackAnswer"
    # Who was asked: a person, a status and a NAMED decline's reason,
    # nothing about an answer.
    assert found["FeedbackInviteeStatus"] == {
        "status": "FeedbackInvitationStatus",
        "declineReason": "String",
        "invitee": "Person",
    }


# == every read, scanned ================================================================


async def test_no_read_of_the_requester_puts_a_person_next_to_an_answer(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo, cy, dee, eve = [await org.add_member() for _ in range(5)]
    invitees = [bo, cy, dee, eve]
    request = await anonymous(gql, clock, ada, invitees)
    words = [
        (bo, "Bo-words-one", "Bo-words-two"),
        (cy, "Cy-words-one", "Cy-words-two"),
        (dee, "Dee-words-one", "Dee-words-two"),
    ]
    for member, well, change in words:
        advance(clock, timedelta(hours=2), org)
        await respond(gql, member, request["id"], well, 3, change)
    contents = [w for _, well, change in words for w in (well, change)]
    # Bo colludes: hands the requester their inbox, invitation ids and all.
    (bo_invitation,) = (await gql.data(INBOX, token=bo.token))["viewer"]["feedbackInbox"]["edges"]
    question_ids = [q["id"] for q in request["questions"]]
    guessed = [
        bo_invitation["node"]["id"],
        gid("FeedbackInvitation", uuid_of(request["id"])),
        *(gid("FeedbackInvitation", m.person.id) for m in invitees),
        *(gid("FeedbackInvitation", UUID(q)) for q in question_ids),
        *(gid("FeedbackRequest", UUID(q)) for q in question_ids),
        missing_id("FeedbackInvitation"),
    ]

    for moment in ("collecting", "closed"):
        if moment == "closed":
            await request_changed(gql, CLOSE, ada, request["id"])
        bodies = await everything_the_requester_can_ask(gql, ada, request["id"], invitees, guessed)
        for body in bodies:
            assert "errors" not in body, body
            assert_not_attributable(body, invitees, contents)
        (_, _, nodes_body, *_) = bodies
        assert nodes_body["data"]["nodes"][1:] == [None] * len(guessed)
        shown = await results(gql, ada, request["id"])
        assert shown["released"] is (moment == "closed")
    # The colluder's own view shows their own words only, and nobody else's.
    own = await gql(INBOX, token=bo.token)
    assert_not_attributable(own, invitees, contents, own=bo)
    assert "Cy-words" not in str(own)
    assert "Dee-words" not in str(own)


async def test_other_peoples_invitations_are_refused_exactly_like_random_ids(
    gql: GraphQL, org: Org, clock: FakeClock, app: FastAPI, services: Services
) -> None:
    ada, bo, cy, dee, eve = [await org.add_member() for _ in range(5)]
    request = await anonymous(gql, clock, ada, [bo, cy, dee, eve])
    await respond(gql, cy, request["id"], "Cy answered", 2, "Cy change")
    await decline(gql, eve, (await invitation_for(gql, eve, request["id"]))["id"], "busy")
    others = {
        "answered": (await invitation_for(gql, cy, request["id"]))["id"],
        "pending": (await invitation_for(gql, dee, request["id"]))["id"],
        "declined": (await invitation_for(gql, eve, request["id"]))["id"],
        "random": missing_id("FeedbackInvitation"),
    }
    q_well = request["questions"][0]["id"]
    before = await feedback_state(services)

    for attacker in (ada, bo):
        seen: dict[str, Any] = {}
        for label, invitation_id in others.items():
            with count_statements(app.state.engine) as counter:
                answered_result = await answer(
                    gql, attacker, invitation_id, [{"questionId": q_well, "text": "probe"}]
                )
            declined_result = await decline(gql, attacker, invitation_id, "probe")
            found = await node(gql, attacker, invitation_id)
            seen[label] = (answered_result, declined_result, found, counter.count)
        assert_error(seen["random"][0], "NotFoundError", "NOT_FOUND")
        assert_error(seen["random"][1], "NotFoundError", "NOT_FOUND")
        for label, outcome in seen.items():
            # Same type, code, message, and the same work done in the database.
            assert outcome == seen["random"], (attacker.person.name, label)
    assert await feedback_state(services) == before


async def test_the_requesters_steward_and_org_faculty_see_nothing(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo, cy, dee = [await org.add_member() for _ in range(4)]
    steward = await org.add_member("Steward")
    await established(gql, steward, ada)
    request = await anonymous(gql, clock, ada, [bo, cy, dee])
    for member in (bo, cy, dee):
        await respond(gql, member, request["id"], f"{member.person.name} text", 4, "change")
    assert (await results(gql, ada, request["id"]))["released"] is True  # early
    invitation_ids = [(await invitation_for(gql, m, request["id"]))["id"] for m in (bo, cy, dee)]

    for watcher in (steward, org.faculty):
        assert await node(gql, watcher, request["id"]) is None
        assert await nodes(gql, watcher, [request["id"], *invitation_ids]) == [None] * 4
        data = await gql.data(PERSON_FEEDBACK, {"id": ada.id}, token=watcher.token)
        assert data["node"]["feedbackRequests"] == {"edges": []}  # nothing shared with them
        assert data["node"]["feedbackInbox"] is None
        for member in (bo, cy, dee):
            data = await gql.data(PERSON_FEEDBACK, {"id": member.id}, token=watcher.token)
            assert data["node"]["feedbackInbox"] is None
        for body in (
            await gql(MY_REQUESTS, token=watcher.token),
            await gql(INBOX, token=watcher.token),
            await gql(NOTIFICATIONS, token=watcher.token),
        ):
            assert "errors" not in body, body
            assert not any(f"{m.person.name} text" in str(body) for m in (bo, cy, dee))


async def test_lowering_the_threshold_later_releases_no_smaller_group(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo, cy, dee = [await org.add_member() for _ in range(4)]
    request = await anonymous(gql, clock, ada, [bo, cy, dee])
    await respond(gql, bo, request["id"], "Bo's words", 1, "Bo's change")
    await respond(gql, cy, request["id"], "Cy's words", 5, "Cy's change")
    closed = await request_changed(gql, CLOSE, ada, request["id"])
    nothing_released(closed["results"], 2, reason=TOO_FEW)

    # Org faculty (a role, which overrides nothing) lowers k to 2 afterwards.
    await set_feedback_settings(gql, org.faculty, feedbackAnonymityThreshold=2)

    shown = await results(gql, ada, request["id"])
    assert shown["released"] is False, shown


# == accounts made to fill k ============================================================

ACCEPT = """
mutation Accept($token: String!, $password: String!) {
  acceptInvitation(input: { token: $token, password: $password }) {
    __typename ... on SessionSuccess { accessToken viewer { id } } ... on Error { code }
  }
}
"""

INVITE = """
mutation Invite($input: InvitePersonInput!) {
  invitePerson(input: $input) {
    __typename ... on InvitePersonSuccess { person { id } } ... on Error { code }
  }
}
"""

CLOSED_NOTIFICATIONS = """
{ viewer { notifications(first: 100) { edges { node {
    kind actor { id } feedbackRequest { id status results { released reason } }
} } } } }
"""


async def invited_account(
    gql: GraphQL, org: Org, mailer: CapturingMailer, inviter: Member, name: str
) -> Member:
    """An account made the way anyone's is: `inviter` invites, the invitee
    accepts (here, at once: the accounts of someone filling k)."""
    handle = name.lower().replace(" ", "")
    email = f"{handle}.{str(org.id)[:8]}@example.com"
    invited = await gql.data(
        INVITE,
        {"input": {"name": name, "handle": handle, "email": email, "timezone": "UTC"}},
        token=inviter.token,
    )
    assert invited["invitePerson"]["__typename"] == "InvitePersonSuccess", invited
    accepted = await gql.data(ACCEPT, {"token": mailer.token_for(email), "password": PASSWORD})
    assert accepted["acceptInvitation"]["__typename"] == "SessionSuccess", accepted
    async with org.services.uow_factory(org.id) as uow:
        found = await uow.people.get(uuid_of(invited["invitePerson"]["person"]["id"]))
        assert found is not None
        person = dataclasses.replace(found)  # a copy that outlives the session
    token = accepted["acceptInvitation"]["accessToken"]
    session_id = UUID(jwt.decode(token, options={"verify_signature": False})["sid"])
    member = Member(person=person, session_id=session_id, token=token, email=email)
    org.members.append(member)
    return member


def hidden_invitees(request: dict[str, Any]) -> None:
    """Who was asked, and nothing else about any of them."""
    for entry in request["invitees"]:
        assert set(entry) == {"status", "declineReason", "invitee"}
        assert (entry["status"], entry["declineReason"]) == (None, None), entry


async def test_org_faculty_cannot_fill_k_with_accounts_they_invited(
    gql: GraphQL, org: Org, clock: FakeClock, mailer: CapturingMailer
) -> None:
    """The attack: org faculty invites k-1 accounts of their own, asks one
    real colleague and them, and would read the colleague's answer. The
    answers of the new accounts do not count: nothing is released, ever,
    and nothing tells the requester which answers count."""
    faculty = org.faculty
    real = await org.add_member("Real Colleague")
    fakes = [await invited_account(gql, org, mailer, faculty, f"Sock Puppet {n}") for n in (1, 2)]
    request = await anonymous(gql, clock, faculty, [real, *fakes])
    await respond(gql, real, request["id"], "The real words", 2, "The real change")
    for n, fake in enumerate(fakes):
        await respond(gql, fake, request["id"], f"Fake words {n}", 5, f"Fake change {n}")

    # Everyone answered, but only one answer counts: no early release.
    viewed = await node(gql, faculty, request["id"])
    assert viewed is not None
    assert viewed["status"] == "OPEN"
    nothing_released(viewed["results"], 3)
    hidden_invitees(viewed)
    closed = await request_changed(gql, CLOSE, faculty, request["id"])
    nothing_released(closed["results"], 3, reason=TOO_FEW)
    hidden_invitees(closed)
    for body in await everything_the_requester_can_ask(
        gql, faculty, request["id"], [real, *fakes], []
    ):
        assert not any(c in str(body) for c in ("real words", "real change")), body

    # Whether one answer counted or none, the requester sees the same: a
    # request of accounts only looks exactly like the attack.
    more = [await invited_account(gql, org, mailer, faculty, f"Sock Puppet {n}") for n in (3,)]
    control = await anonymous(gql, clock, faculty, [*fakes, *more])
    for n, fake in enumerate([*fakes, *more]):
        await respond(gql, fake, control["id"], f"Fake words {n}", 5, f"Fake change {n}")
    control_closed = await request_changed(gql, CLOSE, faculty, control["id"])
    assert control_closed["results"] == closed["results"]

    # A year later the accounts are old, but still the requester's own.
    advance(clock, timedelta(days=365), org)
    again = await anonymous(gql, clock, faculty, [real, *fakes])
    await respond(gql, real, again["id"], "Real again", 2, "Real change again")
    for n, fake in enumerate(fakes):
        await respond(gql, fake, again["id"], f"Fake again {n}", 5, f"Fake change again {n}")
    nothing_released(await results(gql, faculty, again["id"]), 3)
    nothing_released(
        (await request_changed(gql, CLOSE, faculty, again["id"]))["results"], 3, reason=TOO_FEW
    )


async def test_new_members_answers_count_only_after_the_minimum_before_the_request(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada, bo, cy = [await org.add_member(n) for n in ("Ada", "Bo", "Cy")]
    almost = await org.add_member("Almost", member_for=timedelta(days=30) - timedelta(minutes=1))
    request = await anonymous(gql, clock, ada, [bo, cy, almost])
    for member in (bo, cy, almost):
        await respond(gql, member, request["id"], f"{member.person.name} words", 3, "x")
    nothing_released(await results(gql, ada, request["id"]), 3)
    # Time passing after the request changes nothing: the request's moment counts.
    advance(clock, timedelta(days=7, minutes=1), org)
    await run_due_jobs(services)
    nothing_released(await results(gql, ada, request["id"]), 3, reason=TOO_FEW)

    # Exactly the minimum counts; a later request counts them all.
    exactly = await org.add_member("Exactly", member_for=timedelta(days=30))
    later = await anonymous(gql, clock, ada, [bo, cy, exactly])
    for member in (bo, cy, exactly):
        await respond(gql, member, later["id"], f"{member.person.name} later", 3, "y")
    shown = await results(gql, ada, later["id"])
    assert shown["released"] is True
    assert sorted(shown["questions"][0]["texts"]) == ["Bo later", "Cy later", "Exactly later"]


async def test_people_the_requester_invited_do_not_count_for_them(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo, cy = [await org.add_member(n) for n in ("Ada", "Bo", "Cy")]
    protege = await org.add_member("Protege", invited_by=ada, member_for=timedelta(days=400))
    mine = await anonymous(gql, clock, ada, [bo, cy, protege])
    theirs = await anonymous(gql, clock, bo, [ada, cy, protege])
    for request, members in ((mine, (bo, cy, protege)), (theirs, (ada, cy, protege))):
        for member in members:
            await respond(gql, member, request["id"], f"{member.person.name} said", 4, "z")

    nothing_released(await results(gql, ada, mine["id"]), 3)
    shown = await results(gql, bo, theirs["id"])  # Bo did not invite them: all count
    assert shown["released"] is True
    assert "Protege said" in shown["questions"][0]["texts"]


async def test_a_released_group_shows_non_counting_answers_with_k_counting_ones(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Whoever can tell the new answers apart (the one who made the
    accounts) still faces k counting voices, so they show too; a question
    answered by fewer than k counting people shows nothing."""
    ada, bo, cy, dee = [await org.add_member(n) for n in ("Ada", "Bo", "Cy", "Dee")]
    new = await org.add_member("New", member_for=timedelta(days=2))
    questions = [text_question("Counted?"), text_question("Optional?", required=False)]
    request = await anonymous(gql, clock, ada, [bo, cy, dee, new], questions=questions)
    q_counted, q_optional = (q["id"] for q in request["questions"])
    for member in (bo, cy, dee, new):
        answers = [{"questionId": q_counted, "text": f"{member.person.name} counted"}]
        if member in (bo, cy, new):
            answers.append({"questionId": q_optional, "text": f"{member.person.name} optional"})
        invitation = await invitation_for(gql, member, request["id"])
        await answered(gql, member, invitation["id"], answers)

    shown = await results(gql, ada, request["id"])
    assert shown["released"] is True
    counted, optional = shown["questions"]
    assert sorted(counted["texts"]) == ["Bo counted", "Cy counted", "Dee counted", "New counted"]
    assert optional["texts"] == []  # three answers, two of them counting


async def test_the_minimum_membership_is_an_organization_setting(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    settings_query = "{ viewer { organization { feedbackMinMembershipDays } } }"
    data = await gql.data(settings_query, token=org.faculty.token)
    assert data["viewer"]["organization"]["feedbackMinMembershipDays"] == 30
    for refused_value in (6, 0, -1, 366):
        before = await feedback_state(services)
        refused = await mutate(
            gql,
            UPDATE_SETTINGS,
            {"feedbackMinMembershipDays": refused_value},
            token=org.faculty.token,
        )
        assert_error(refused, "ValidationError", "OUT_OF_RANGE", "feedbackMinMembershipDays")
        assert await feedback_state(services) == before
    data = await gql.data(settings_query, token=org.faculty.token)
    assert data["viewer"]["organization"]["feedbackMinMembershipDays"] == 30
    ada = await org.add_member("Ada")
    not_faculty = await mutate(
        gql, UPDATE_SETTINGS, {"feedbackMinMembershipDays": 7}, token=ada.token
    )
    assert not_faculty["__typename"] == "PermissionDeniedError"

    await set_feedback_settings(gql, org.faculty, feedbackMinMembershipDays=7)
    bo, cy = [await org.add_member(n) for n in ("Bo", "Cy")]
    week = await org.add_member("A Week", member_for=timedelta(days=7))
    request = await anonymous(gql, clock, ada, [bo, cy, week])
    # Raising it later does not change what this request promised.
    await set_feedback_settings(gql, org.faculty, feedbackMinMembershipDays=60)
    for member in (bo, cy, week):
        await respond(gql, member, request["id"], f"{member.person.name} said", 3, "w")
    assert (await results(gql, ada, request["id"]))["released"] is True


# == early release ======================================================================


async def test_a_request_releases_early_once_everyone_answered_or_declined(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada, bo, cy, dee, eve = [await org.add_member(n) for n in ("Ada", "Bo", "Cy", "Dee", "Eve")]
    request = await anonymous(gql, clock, ada, [bo, cy, dee, eve])
    for member in (bo, cy, dee):
        await respond(gql, member, request["id"], f"{member.person.name} words", 4, "v")
    nothing_released(await results(gql, ada, request["id"]), 3)  # Eve may still answer

    advance(clock, timedelta(hours=3), org)
    eve_invitation = await invitation_for(gql, eve, request["id"])
    declined = await decline(gql, eve, eve_invitation["id"], "Not my topic")
    assert declined["__typename"] == "FeedbackInvitationSuccess", declined

    viewed = await node(gql, ada, request["id"])
    assert viewed is not None
    assert viewed["status"] == "CLOSED"
    shown = viewed["results"]
    assert (shown["released"], shown["reason"]) == (True, None)
    assert (shown["answeredCount"], shown["declinedCount"]) == (3, 1)
    assert sorted(shown["questions"][0]["texts"]) == ["Bo words", "Cy words", "Dee words"]
    assert "Not my topic" not in str(viewed)
    # The requester hears of it as of any close they did not make: no actor.
    data = await gql.data(CLOSED_NOTIFICATIONS, token=ada.token)
    closings = [
        e["node"]
        for e in data["viewer"]["notifications"]["edges"]
        if e["node"]["kind"] == "FEEDBACK_REQUEST_CLOSED"
    ]
    assert closings == [
        {
            "kind": "FEEDBACK_REQUEST_CLOSED",
            "actor": None,
            "feedbackRequest": {
                "id": request["id"],
                "status": "CLOSED",
                "results": {"released": True, "reason": None},
            },
        }
    ]
    # The group is final: no edit, no removal, no one added.
    before = await feedback_state(services)
    edit = await answer(
        gql,
        bo,
        (await invitation_for(gql, bo, request["id"]))["id"],
        [{"questionId": request["questions"][0]["id"], "text": "Bo edits"}],
    )
    assert_error(edit, "ConflictError", "REQUEST_CLOSED")
    for document, values in (
        (REMOVE_INVITEE, {"inviteeId": bo.id}),
        (ADD_INVITEES, {"inviteeIds": [org.faculty.id]}),
        (CLOSE, {}),
    ):
        refused = await on_request(gql, document, ada, request["id"], **values)
        assert refused["__typename"] == "ConflictError", refused
    assert await feedback_state(services) == before


async def test_no_early_release_while_too_few_answers_count(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada, bo, cy = [await org.add_member(n) for n in ("Ada", "Bo", "Cy")]
    new = await org.add_member("New", member_for=timedelta(days=1))
    request = await anonymous(gql, clock, ada, [bo, cy, new])
    for member in (bo, cy, new):
        await respond(gql, member, request["id"], f"{member.person.name} words", 4, "u")

    viewed = await node(gql, ada, request["id"])
    assert viewed is not None
    assert viewed["status"] == "OPEN"
    nothing_released(viewed["results"], 3)
    # At the due date the job pass closes it: still nothing, and only why.
    advance(clock, timedelta(days=8), org)
    await run_due_jobs(services)
    viewed = await node(gql, ada, request["id"])
    assert viewed is not None
    assert viewed["status"] == "CLOSED"
    nothing_released(viewed["results"], 3, reason=TOO_FEW)
    data = await gql.data(CLOSED_NOTIFICATIONS, token=ada.token)
    kinds = [e["node"]["kind"] for e in data["viewer"]["notifications"]["edges"]]
    assert kinds.count("FEEDBACK_REQUEST_CLOSED") == 1


# == declines ===========================================================================


async def test_a_named_request_shows_who_declined_and_why(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo, cy = [await org.add_member(n) for n in ("Ada", "Bo", "Cy")]
    request = await asked(gql, clock, ada, [bo, cy])
    await decline(gql, bo, (await invitation_for(gql, bo, request["id"]))["id"], "On holiday")
    await decline(gql, cy, (await invitation_for(gql, cy, request["id"]))["id"])

    viewed = await node(gql, ada, request["id"])

    assert viewed is not None
    entries = {e["invitee"]["id"]: (e["status"], e["declineReason"]) for e in viewed["invitees"]}
    assert entries == {bo.id: ("DECLINED", "On holiday"), cy.id: ("DECLINED", "")}
    assert viewed["results"]["declinedCount"] == 2


async def test_an_anonymous_decline_shows_neither_name_nor_reason_only_a_count(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo, cy, dee = [await org.add_member(n) for n in ("Ada", "Bo", "Cy", "Dee")]
    steward = await org.add_member("Steward")
    await established(gql, steward, ada)
    request = await anonymous(gql, clock, ada, [bo, cy, dee])
    await shared_feedback(gql, ada, request["id"])
    before = await node(gql, ada, request["id"])
    assert before is not None
    await respond(gql, cy, request["id"], "Cy's words", 3, "Cy's change")

    await decline(gql, bo, (await invitation_for(gql, bo, request["id"]))["id"], "Bo's secret")

    after = await node(gql, ada, request["id"])
    assert after is not None
    hidden_invitees(after)
    assert after["invitees"] == before["invitees"]  # nothing moved for anyone
    nothing_released(after["results"], 1, declined_count=1)
    bodies = await everything_the_requester_can_ask(gql, ada, request["id"], [bo, cy, dee], [])
    bodies.append(await gql(NODE, {"id": request["id"]}, token=steward.token))
    for body in bodies:
        assert "Bo's secret" not in str(body), body
        assert "DECLINED" not in str(body), body


async def test_removing_someone_does_not_tell_whether_they_declined(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Removing a decliner and removing someone who has not responded look
    alike: the decline stays counted, and nothing else tells them apart."""
    ada, bo, cy, dee, eve = [await org.add_member(n) for n in ("Ada", "Bo", "Cy", "Dee", "Eve")]
    first = await anonymous(gql, clock, ada, [bo, cy, dee, eve])
    second = await anonymous(gql, clock, ada, [bo, cy, dee, eve])
    await decline(gql, bo, (await invitation_for(gql, bo, first["id"]))["id"], "busy")
    await decline(gql, bo, (await invitation_for(gql, bo, second["id"]))["id"], "busy")
    await decline(gql, cy, (await invitation_for(gql, cy, first["id"]))["id"], "busy")
    await decline(gql, dee, (await invitation_for(gql, dee, second["id"]))["id"], "busy")
    # Bo declined both; Cy declined the first only, Dee the second only.

    removed_decliner = await request_changed(gql, REMOVE_INVITEE, ada, first["id"], inviteeId=cy.id)
    removed_silent = await request_changed(gql, REMOVE_INVITEE, ada, second["id"], inviteeId=cy.id)

    for removed in (removed_decliner, removed_silent):
        hidden_invitees(removed)
        nothing_released(removed["results"], 0, declined_count=2)
    assert statuses(removed_decliner) == statuses(removed_silent)


# == statements =========================================================================

REQUESTS_WITH_RESULTS = """
{ viewer { feedbackRequests(first: 50) { edges { node {
    id status
    invitees { status declineReason invitee { name } }
    results { released reason answeredCount declinedCount
              questions { texts scale { count } } }
} } } } }
"""
REQUESTS_WITH_RESULTS_STATEMENTS = 6


@pytest.mark.parametrize("request_count", [2, 6])
async def test_the_requesters_list_with_results_runs_a_constant_number_of_statements(
    gql: GraphQL, org: Org, clock: FakeClock, app: FastAPI, request_count: int
) -> None:
    """Counting answers needs the answerers' membership: it comes with the
    answers (one batched statement for every request), never per answer."""
    ada, bo, cy, dee, eve = [await org.add_member() for _ in range(5)]
    for n in range(request_count):
        request = await anonymous(gql, clock, ada, [bo, cy, dee, eve], topic=f"Topic {n}")
        for member in (bo, cy, dee):
            await respond(gql, member, request["id"], f"well {n}", 3, f"change {n}")
        await decline(gql, eve, (await invitation_for(gql, eve, request["id"]))["id"], "no")

    with count_statements(app.state.engine) as counter:
        data = await gql.data(REQUESTS_WITH_RESULTS, token=ada.token)

    edges = data["viewer"]["feedbackRequests"]["edges"]
    assert len(edges) == request_count
    assert all(e["node"]["results"]["released"] for e in edges)
    assert all(e["node"]["results"]["declinedCount"] == 1 for e in edges)
    assert counter.count == REQUESTS_WITH_RESULTS_STATEMENTS, counter.statements
