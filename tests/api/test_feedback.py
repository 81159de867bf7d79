"""Peer feedback through the public GraphQL API (DESIGN.md section 2,
"Feedback"): the lifecycle of a request and its invitations (draft, submit,
edit until closed, decline, expiry, adding and removing invitees, extending,
closing), named results, privacy from everyone outside the request, bad
input, the open-invitation cap under concurrent requests, and the
statement counts of the reads. Every refused request is shown to return
its typed error and to change nothing. The anonymity suite is
test_feedback_anonymity.py."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from strawberry import relay

from api.context import Services
from domain.actors import Actor
from domain.feedback import Anonymity, AnswerInput, QuestionKind, QuestionSpec
from domain.services import feedback as feedback_service
from tests.api.feedback_helpers import (
    ADD_INVITEES,
    CLOSE,
    DEFAULT_QUESTIONS,
    EXTEND,
    PERSON_FEEDBACK,
    REMOVE_INVITEE,
    answer,
    answered,
    ask,
    asked,
    decline,
    due_in,
    feedback_state,
    give,
    inbox,
    invitation_for,
    my_requests,
    node,
    nodes,
    on_request,
    open_invitations,
    request_changed,
    results,
    scale_question,
    set_feedback_settings,
    statuses,
    text_question,
    uuid_of,
)
from tests.api.harness import GraphQL, Member, Org, count_statements
from tests.api.queries import assert_error, create_team, gid, missing_id, mutate
from tests.api.relationship_helpers import MARK_LEFT, advance, established
from tests.fakes import FakeClock

OrgFactory = Callable[..., Awaitable[Org]]


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def people(org: Org, count: int) -> list[Member]:
    return [await org.add_member() for _ in range(count)]


# == lifecycle ====================================================================


async def test_a_named_request_from_asking_to_closing(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo = await org.add_member("Bo")
    cy = await org.add_member("Cy")
    dee = await org.add_member("Dee")
    due = clock.now() + timedelta(days=7)

    request = await asked(
        gql,
        clock,
        ada,
        [bo, cy],
        topic="  My talk   at the all-hands ",
        dueAt=due.isoformat(),
        questions=[
            text_question("What went well?"),
            scale_question("How clear was it?"),
            text_question("Anything else?", required=False),
        ],
    )

    assert request["__typename"] == "FeedbackRequest"
    assert request["topic"] == "My talk at the all-hands"
    assert request["anonymity"] == "NAMED"
    assert request["status"] == "OPEN"
    assert at(request["dueAt"]) == due
    assert at(request["createdAt"]) == clock.now()
    assert request["requester"] == {"id": ada.id, "name": "Ada"}
    assert request["goal"] is None
    assert [(q["kind"], q["prompt"], q["required"]) for q in request["questions"]] == [
        ("TEXT", "What went well?", True),
        ("SCALE", "How clear was it?", True),
        ("TEXT", "Anything else?", False),
    ]
    scale_q = request["questions"][1]
    assert (scale_q["lowLabel"], scale_q["highLabel"]) == ("Muddled", "Crystal clear")
    assert statuses(request) == {bo.id: "PENDING", cy.id: "PENDING"}
    assert request["results"]["released"] is True  # NAMED answers show as they come
    assert request["results"]["answeredCount"] == 0
    assert request["results"]["threshold"] is None
    assert [r["namedAnswers"] for r in request["results"]["questions"]] == [[], [], []]
    assert [r["id"] for r in await my_requests(gql, ada)] == [request["id"]]
    assert await node(gql, ada, request["id"]) == request

    # The invitee's inbox: the invitation, the topic and the questions.
    (bo_invitation,) = await inbox(gql, bo)
    assert bo_invitation["status"] == "PENDING"
    assert bo_invitation["declineReason"] == ""
    assert bo_invitation["myAnswers"] == []
    seen = bo_invitation["request"]
    assert seen["id"] == request["id"]
    assert seen["topic"] == request["topic"]
    assert seen["questions"] == request["questions"]
    assert seen["requester"] == {"id": ada.id, "name": "Ada"}
    assert seen["invitees"] is None
    assert seen["results"] is None
    assert await inbox(gql, dee) == []
    q_text, q_scale, q_extra = (q["id"] for q in request["questions"])

    # A draft: saved, not submitted, not shown to the requester.
    advance(clock, timedelta(hours=1), org)
    draft = await answered(
        gql,
        bo,
        bo_invitation["id"],
        [{"questionId": q_text, "text": "  Good pace. "}],
        submit=False,
    )
    assert draft["status"] == "PENDING"
    assert draft["myAnswers"] == [{"questionId": q_text, "scaleValue": None, "text": "Good pace."}]
    shown = await results(gql, ada, request["id"])
    assert shown["answeredCount"] == 0
    assert "Good pace." not in str(shown)
    assert statuses(await node(gql, ada, request["id"]))[bo.id] == "PENDING"

    # Submitting the rest (the optional question may stay empty).
    submitted = await answered(
        gql, bo, bo_invitation["id"], [{"questionId": q_scale, "scaleValue": 4}], submit=True
    )
    assert submitted["status"] == "ANSWERED"
    assert sorted(submitted["myAnswers"], key=lambda a: a["questionId"]) == sorted(
        [
            {"questionId": q_text, "scaleValue": None, "text": "Good pace."},
            {"questionId": q_scale, "scaleValue": 4, "text": ""},
        ],
        key=lambda a: a["questionId"],
    )
    viewed = await node(gql, ada, request["id"])
    assert viewed is not None
    assert statuses(viewed) == {bo.id: "ANSWERED", cy.id: "PENDING"}
    shown = viewed["results"]
    assert shown["answeredCount"] == 1
    by_prompt = {r["question"]["prompt"]: r for r in shown["questions"]}
    assert by_prompt["What went well?"]["namedAnswers"] == [
        {"person": {"id": bo.id, "name": "Bo"}, "scaleValue": None, "text": "Good pace."}
    ]
    assert by_prompt["What went well?"]["texts"] == ["Good pace."]
    assert by_prompt["How clear was it?"]["scale"] == {
        "count": 1,
        "average": 4.0,
        "distribution": [0, 0, 0, 1, 0],
    }

    # Editing after submitting, while the request is open.
    edited = await answered(
        gql,
        bo,
        bo_invitation["id"],
        [{"questionId": q_text, "text": "Good pace, clear slides."}, {"questionId": q_extra}],
        submit=True,
    )
    assert edited["status"] == "ANSWERED"
    by_prompt = {
        r["question"]["prompt"]: r for r in (await results(gql, ada, request["id"]))["questions"]
    }
    assert by_prompt["What went well?"]["texts"] == ["Good pace, clear slides."]

    # Cy declines, with a reason only Cy sees back.
    cy_invitation = await invitation_for(gql, cy, request["id"])
    declined = await decline(gql, cy, cy_invitation["id"], "  On leave this week. ")
    assert declined["__typename"] == "FeedbackInvitationSuccess", declined
    assert declined["invitation"]["status"] == "DECLINED"
    assert declined["invitation"]["declineReason"] == "On leave this week."
    viewed = await node(gql, ada, request["id"])
    assert viewed is not None
    assert statuses(viewed) == {bo.id: "ANSWERED", cy.id: "DECLINED"}
    # A NAMED request: the requester sees who declined, and why.
    reasons = {e["invitee"]["id"]: e["declineReason"] for e in viewed["invitees"]}
    assert reasons == {bo.id: None, cy.id: "On leave this week."}
    assert viewed["results"]["declinedCount"] == 1

    # Asking one more, then taking them out again.
    grown = await request_changed(gql, ADD_INVITEES, ada, request["id"], inviteeIds=[dee.id])
    assert statuses(grown) == {bo.id: "ANSWERED", cy.id: "DECLINED", dee.id: "PENDING"}
    dee_invitation = await invitation_for(gql, dee, request["id"])
    shrunk = await request_changed(gql, REMOVE_INVITEE, ada, request["id"], inviteeId=dee.id)
    assert statuses(shrunk) == {bo.id: "ANSWERED", cy.id: "DECLINED"}
    assert await inbox(gql, dee) == []
    assert await node(gql, dee, request["id"]) is None
    assert await node(gql, dee, dee_invitation["id"]) is None
    before = await feedback_state(services)
    refused = await answer(gql, dee, dee_invitation["id"], [{"questionId": q_text, "text": "x"}])
    assert_error(refused, "ConflictError", "NOT_ANSWERABLE", None)
    assert_error(await decline(gql, dee, dee_invitation["id"]), "ConflictError", "NOT_PENDING")
    assert await feedback_state(services) == before

    # Extending moves the due date later.
    later = due + timedelta(days=3)
    extended = await request_changed(gql, EXTEND, ada, request["id"], dueAt=later.isoformat())
    assert at(extended["dueAt"]) == later
    assert extended["status"] == "OPEN"

    # Closing: no more answers or edits.
    advance(clock, timedelta(days=1), org)
    closed = await request_changed(gql, CLOSE, ada, request["id"])
    assert closed["status"] == "CLOSED"
    assert statuses(closed) == {bo.id: "ANSWERED", cy.id: "DECLINED"}
    before = await feedback_state(services)
    late = await answer(gql, bo, bo_invitation["id"], [{"questionId": q_text, "text": "Later"}])
    assert_error(late, "ConflictError", "REQUEST_CLOSED", None)
    again = await on_request(gql, CLOSE, ada, request["id"])
    assert_error(again, "ConflictError", "REQUEST_CLOSED", None)
    extend_closed = await on_request(gql, EXTEND, ada, request["id"], dueAt=due_in(clock))
    assert_error(extend_closed, "ConflictError", "REQUEST_CLOSED", None)
    add_closed = await on_request(gql, ADD_INVITEES, ada, request["id"], inviteeIds=[dee.id])
    assert_error(add_closed, "ConflictError", "REQUEST_CLOSED", None)
    assert await feedback_state(services) == before
    (bo_after,) = await inbox(gql, bo)
    assert bo_after["status"] == "ANSWERED"
    assert bo_after["request"]["status"] == "CLOSED"


async def test_a_pending_invitation_shows_as_expired_after_the_due_date(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada, bo, cy = await people(org, 3)
    request = await asked(gql, clock, ada, [bo, cy], dueAt=due_in(clock, timedelta(days=2)))
    await give(gql, bo, request["id"])
    cy_invitation = await invitation_for(gql, cy, request["id"])
    assert cy_invitation["status"] == "PENDING"
    assert await open_invitations(services, cy) == 1

    advance(clock, timedelta(days=2, seconds=1), org)

    viewed = await node(gql, ada, request["id"])
    assert viewed is not None
    assert viewed["status"] == "OPEN"  # stored status: nobody closed it
    assert statuses(viewed) == {bo.id: "ANSWERED", cy.id: "EXPIRED"}
    assert (await invitation_for(gql, cy, request["id"]))["status"] == "EXPIRED"
    assert (await invitation_for(gql, bo, request["id"]))["status"] == "ANSWERED"
    assert await open_invitations(services, cy) == 0

    # Past its due date a request takes nothing more.
    before = await feedback_state(services)
    q_text = request["questions"][0]["id"]
    late = await answer(gql, cy, cy_invitation["id"], [{"questionId": q_text, "text": "Late"}])
    assert_error(late, "ConflictError", "REQUEST_CLOSED", None)
    late_decline = await decline(gql, cy, cy_invitation["id"], "busy")
    assert_error(late_decline, "ConflictError", "REQUEST_CLOSED", None)
    late_edit = await answer(gql, bo, (await invitation_for(gql, bo, request["id"]))["id"], [])
    assert_error(late_edit, "ConflictError", "REQUEST_CLOSED", None)
    extend = await on_request(gql, EXTEND, ada, request["id"], dueAt=due_in(clock))
    assert_error(extend, "ConflictError", "REQUEST_CLOSED", None)
    assert await feedback_state(services) == before

    # Closing a due request is allowed and shows the same.
    closed = await request_changed(gql, CLOSE, ada, request["id"])
    assert statuses(closed) == {bo.id: "ANSWERED", cy.id: "EXPIRED"}


async def test_a_closed_request_shows_its_pending_invitations_as_expired(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo = await people(org, 2)
    request = await asked(gql, clock, ada, [bo])

    closed = await request_changed(gql, CLOSE, ada, request["id"])

    assert statuses(closed) == {bo.id: "EXPIRED"}
    assert (await invitation_for(gql, bo, request["id"]))["status"] == "EXPIRED"


async def test_a_request_about_ones_own_goal(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    from tests.api.goal_helpers import created

    ada, bo = await people(org, 2)
    goal = await created(gql, ada, "Speak at a meetup")

    request = await asked(gql, clock, ada, [bo], goalId=goal["id"])

    assert request["goal"] == {"id": goal["id"]}
    # The invitee may not read the goal (it is private), so it is null for them.
    assert (await invitation_for(gql, bo, request["id"]))["request"]["goal"] is None


async def test_named_results_show_each_persons_answer(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada = await org.add_member("Ada")
    invitees = [await org.add_member(name) for name in ("Bo", "Cy", "Dee")]
    request = await asked(gql, clock, ada, invitees)
    given = {"Bo": ("Calm delivery.", 5), "Cy": ("Too fast.", 2), "Dee": ("Good examples.", 4)}
    for member in invitees:
        text, value = given[member.person.name]
        await give(gql, member, request["id"], text=text, scale=value)

    shown = await results(gql, ada, request["id"])

    assert shown["released"] is True
    assert shown["answeredCount"] == 3
    text_result, scale_result = shown["questions"]
    named = {a["person"]["name"]: a["text"] for a in text_result["namedAnswers"]}
    assert named == {name: text for name, (text, _) in given.items()}
    values = {a["person"]["name"]: a["scaleValue"] for a in scale_result["namedAnswers"]}
    assert values == {name: value for name, (_, value) in given.items()}
    assert {a["person"]["id"] for a in text_result["namedAnswers"]} == {m.id for m in invitees}
    assert sorted(text_result["texts"]) == sorted(t for t, _ in given.values())
    assert scale_result["scale"] == {
        "count": 3,
        "average": 3.67,
        "distribution": [0, 1, 0, 1, 1],
    }
    assert text_result["scale"] is None


# == privacy from the outside =========================================================


async def test_nobody_outside_a_request_sees_it_or_any_invitation(
    gql: GraphQL, org: Org, make_org: OrgFactory, clock: FakeClock, services: Services
) -> None:
    ada = await org.add_member("Ada")
    bo, cy = await people(org, 2)
    third = await org.add_member("Third")
    steward = await org.add_member("Steward")
    await established(gql, steward, ada)
    other_org = await make_org("Globex")
    outsider = await other_org.add_member("Outsider")
    request = await asked(gql, clock, ada, [bo, cy])
    await give(gql, bo, request["id"], text="Secret words")
    bo_invitation = await invitation_for(gql, bo, request["id"])
    cy_invitation = await invitation_for(gql, cy, request["id"])
    ids = [request["id"], bo_invitation["id"], cy_invitation["id"]]

    for watcher in (third, steward, org.faculty, outsider):
        for found_id in ids:
            assert await node(gql, watcher, found_id) is None, watcher.person.name
        assert await nodes(gql, watcher, ids) == [None, None, None]
        assert await my_requests(gql, watcher) == []
        assert await inbox(gql, watcher) == []
        # Someone else's inbox is not readable on their Person node, and of
        # their requests only those shared with you (none here) are listed.
        data = await gql.data(PERSON_FEEDBACK, {"id": ada.id}, token=watcher.token)
        if watcher is outsider:
            assert data["node"] is None
        else:
            assert data["node"]["feedbackRequests"] == {"edges": []}
            assert data["node"]["feedbackInbox"] is None
        data = await gql.data(PERSON_FEEDBACK, {"id": bo.id}, token=watcher.token)
        if data["node"] is not None:
            assert data["node"]["feedbackInbox"] is None
            assert data["node"]["feedbackRequests"] == {"edges": []}

        # Nor can they act on it: the same answer as for an id that names nothing.
        before = await feedback_state(services)
        for document, values in (
            (CLOSE, {}),
            (EXTEND, {"dueAt": due_in(clock, timedelta(days=30))}),
            (ADD_INVITEES, {"inviteeIds": [third.id]}),
            (REMOVE_INVITEE, {"inviteeId": bo.id}),
        ):
            real = await on_request(gql, document, watcher, request["id"], **values)
            fake = await on_request(gql, document, watcher, missing_id("FeedbackRequest"), **values)
            assert_error(real, "NotFoundError", "NOT_FOUND")
            assert real == fake
        q_text = request["questions"][0]["id"]
        refused = await answer(
            gql, watcher, cy_invitation["id"], [{"questionId": q_text, "text": "x"}]
        )
        assert_error(refused, "NotFoundError", "NOT_FOUND")
        refused = await decline(gql, watcher, cy_invitation["id"])
        assert_error(refused, "NotFoundError", "NOT_FOUND")
        assert await feedback_state(services) == before

    # A caller without a token gets nothing at all.
    for found_id in ids:
        body = await gql("query N($id: ID!) { node(id: $id) { id } }", {"id": found_id}, token=None)
        assert body["data"] in (None, {"node": None})
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
        assert "Secret" not in str(body)
    body = await gql(
        "mutation C($input: FeedbackRequestIdInput!) { closeFeedbackRequest(input: $input) "
        "{ __typename ... on Error { code } } }",
        {"input": {"requestId": request["id"]}},
    )
    assert body["data"]["closeFeedbackRequest"] == {
        "__typename": "AuthenticationError",
        "code": "UNAUTHENTICATED",
    }


async def test_the_requester_cannot_read_an_invitation_or_its_answers(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada, bo = await people(org, 2)
    request = await asked(gql, clock, ada, [bo])
    await give(gql, bo, request["id"], text="Draft only", submit=False)
    invitation = await invitation_for(gql, bo, request["id"])

    assert await node(gql, ada, invitation["id"]) is None
    assert await nodes(gql, ada, [invitation["id"], request["id"]]) == [
        None,
        await node(gql, ada, request["id"]),
    ]
    assert await inbox(gql, ada) == []
    before = await feedback_state(services)
    q_text = request["questions"][0]["id"]
    refused = await answer(gql, ada, invitation["id"], [{"questionId": q_text, "text": "x"}])
    assert_error(refused, "NotFoundError", "NOT_FOUND")
    refused = await decline(gql, ada, invitation["id"], "no")
    assert_error(refused, "NotFoundError", "NOT_FOUND")
    assert await feedback_state(services) == before
    assert "Draft only" not in str(await node(gql, ada, request["id"]))


async def test_an_invitee_sees_the_topic_and_questions_but_not_who_else_or_results(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada, bo, cy = await people(org, 3)
    request = await asked(gql, clock, ada, [bo, cy])
    await give(gql, cy, request["id"], text="Cy's view")

    seen = await node(gql, bo, request["id"])

    assert seen is not None
    assert seen["topic"] == request["topic"]
    assert seen["questions"] == request["questions"]
    assert seen["invitees"] is None
    assert seen["results"] is None
    assert "Cy's view" not in str(seen)
    assert (await invitation_for(gql, bo, request["id"]))["request"] == seen
    # Bo cannot read Cy's invitation, nor change the request.
    cy_invitation = await invitation_for(gql, cy, request["id"])
    assert await node(gql, bo, cy_invitation["id"]) is None
    before = await feedback_state(services)
    for document, values in (
        (CLOSE, {}),
        (EXTEND, {"dueAt": due_in(clock, timedelta(days=30))}),
        (REMOVE_INVITEE, {"inviteeId": cy.id}),
    ):
        refused = await on_request(gql, document, bo, request["id"], **values)
        assert_error(refused, "NotFoundError", "NOT_FOUND")
    assert await feedback_state(services) == before


# == bad input ========================================================================


async def test_asking_is_refused_for_bad_invitees(
    gql: GraphQL, org: Org, make_org: OrgFactory, clock: FakeClock, services: Services
) -> None:
    ada, bo = await people(org, 2)
    leaver = await org.add_member("Leaver")
    left = await mutate(gql, MARK_LEFT, {"personId": leaver.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left
    outsider = await (await make_org("Globex")).add_member()
    nine = await people(org, 9)
    team = await create_team(gql, org.faculty.token, "Team A")
    before = await feedback_state(services)

    assert_error(await ask(gql, clock, ada, []), "ValidationError", "REQUIRED", "inviteeIds")
    assert_error(
        await ask(gql, clock, ada, [bo, ada]), "ValidationError", "SELF_INVITE", "inviteeIds"
    )
    assert_error(await ask(gql, clock, ada, [bo, outsider]), "NotFoundError", "NOT_FOUND")
    assert_error(await ask(gql, clock, ada, [missing_id("Person")]), "NotFoundError", "NOT_FOUND")
    assert_error(
        await ask(gql, clock, ada, [bo, leaver]), "ConflictError", "PERSON_LEFT", "inviteeIds"
    )
    too_many = await ask(gql, clock, ada, nine)
    assert_error(too_many, "LimitExceededError", "LIMIT_EXCEEDED")
    assert (too_many["limit"], too_many["value"]) == ("MAX_INVITEES", 8)
    for bad in ("garbage", team["id"], gid("FeedbackRequest", ada.person.id)):
        assert_error(
            await ask(gql, clock, ada, [bad]), "ValidationError", "INVALID_ID", "inviteeIds"
        )
    assert await feedback_state(services) == before

    # Eight is fine; the same person twice counts once.
    request = await asked(gql, clock, ada, [*nine[:8], nine[0]])
    assert len(request["invitees"]) == 8


async def test_asking_is_refused_for_bad_questions_dates_and_goals(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    from tests.api.goal_helpers import created

    ada, bo = await people(org, 2)
    bos_goal = await created(gql, bo, "Bo's own goal")
    before = await feedback_state(services)
    cases: list[tuple[dict[str, Any], str, str, str | None]] = [
        ({"dueAt": clock.now().isoformat()}, "ValidationError", "DUE_IN_PAST", "dueAt"),
        (
            {"dueAt": (clock.now() - timedelta(days=1)).isoformat()},
            "ValidationError",
            "DUE_IN_PAST",
            "dueAt",
        ),
        ({"questions": []}, "ValidationError", "REQUIRED", "questions"),
        ({"questions": [text_question("   ")]}, "ValidationError", "REQUIRED", "prompt"),
        (
            {"questions": [{**text_question(), "lowLabel": "low"}]},
            "ValidationError",
            "NOT_ALLOWED",
            "lowLabel",
        ),
        ({"topic": "  "}, "ValidationError", "REQUIRED", "topic"),
        ({"topic": "x" * 301}, "ValidationError", "TOO_LONG", "topic"),
        ({"goalId": bos_goal["id"]}, "NotFoundError", "NOT_FOUND", None),
        ({"goalId": "garbage"}, "ValidationError", "INVALID_ID", "goalId"),
    ]
    for values, typename, code, field in cases:
        result = await ask(gql, clock, ada, [bo], **values)
        assert_error(result, typename, code, field)
    too_many = await ask(gql, clock, ada, [bo], questions=[text_question()] * 21)
    assert_error(too_many, "ValidationError", "TOO_MANY", "questions")
    assert await feedback_state(services) == before


async def test_answers_are_refused_when_they_do_not_fit_the_question(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada, bo = await people(org, 2)
    other = await asked(gql, clock, ada, [bo], topic="Another")
    request = await asked(gql, clock, ada, [bo])
    q_text, q_scale = (q["id"] for q in request["questions"])
    foreign_question = other["questions"][0]["id"]
    invitation = await invitation_for(gql, bo, request["id"])
    await answered(
        gql, bo, invitation["id"], [{"questionId": q_text, "text": "A draft"}], submit=False
    )
    before = await feedback_state(services)
    cases: list[tuple[list[dict[str, Any]], bool, str, str | None]] = [
        ([{"questionId": q_scale, "scaleValue": 6}], False, "OUT_OF_RANGE", "scaleValue"),
        ([{"questionId": q_scale, "scaleValue": 0}], False, "OUT_OF_RANGE", "scaleValue"),
        ([{"questionId": q_scale, "scaleValue": -1}], True, "OUT_OF_RANGE", "scaleValue"),
        ([{"questionId": q_scale, "text": "four"}], False, "NOT_ALLOWED", "text"),
        ([{"questionId": q_text, "scaleValue": 3}], False, "NOT_ALLOWED", "scaleValue"),
        ([{"questionId": q_text, "text": "x" * 5001}], False, "TOO_LONG", "text"),
        # Submitting with a required question left empty.
        ([{"questionId": q_text, "text": "   "}], True, "ANSWER_REQUIRED", "answers"),
        ([{"questionId": q_text, "text": "Fine"}], True, "ANSWER_REQUIRED", "answers"),
        ([], True, "ANSWER_REQUIRED", "answers"),
        ([{"questionId": foreign_question, "text": "x"}], False, "UNKNOWN_QUESTION", "answers"),
        (
            [{"questionId": q_text, "text": "a"}, {"questionId": q_text, "text": "b"}],
            False,
            "DUPLICATE",
            "answers",
        ),
        ([{"questionId": "not-a-uuid", "text": "x"}], False, "INVALID_ID", "answers"),
    ]
    for answers, submit, code, field in cases:
        result = await answer(gql, bo, invitation["id"], answers, submit=submit)
        assert_error(result, "ValidationError", code, field)
    not_a_uuid = str(relay.GlobalID("FeedbackInvitation", "nope"))
    for bad in ("garbage", request["id"], not_a_uuid):
        result = await answer(gql, bo, bad, [{"questionId": q_text, "text": "x"}])
        assert_error(result, "ValidationError", "INVALID_ID", "invitationId")
        result = await decline(gql, bo, bad)
        assert_error(result, "ValidationError", "INVALID_ID", "invitationId")
    result = await answer(gql, bo, missing_id("FeedbackInvitation"), [])
    assert_error(result, "NotFoundError", "NOT_FOUND")
    assert await feedback_state(services) == before

    # A submitted answer cannot be emptied by an edit either.
    await answered(gql, bo, invitation["id"], [{"questionId": q_scale, "scaleValue": 3}])
    before = await feedback_state(services)
    emptied = await answer(
        gql, bo, invitation["id"], [{"questionId": q_text, "text": ""}], submit=False
    )
    assert_error(emptied, "ValidationError", "ANSWER_REQUIRED", "answers")
    assert await feedback_state(services) == before


async def test_a_declined_invitation_takes_no_answers(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada, bo = await people(org, 2)
    request = await asked(gql, clock, ada, [bo])
    invitation = await invitation_for(gql, bo, request["id"])
    declined = await decline(gql, bo, invitation["id"], "Not my area")
    assert declined["__typename"] == "FeedbackInvitationSuccess", declined
    before = await feedback_state(services)

    q_text, q_scale = (q["id"] for q in request["questions"])
    full = [{"questionId": q_text, "text": "After all"}, {"questionId": q_scale, "scaleValue": 3}]
    assert_error(
        await answer(gql, bo, invitation["id"], full), "ConflictError", "NOT_ANSWERABLE", None
    )
    assert_error(
        await answer(gql, bo, invitation["id"], full, submit=False),
        "ConflictError",
        "NOT_ANSWERABLE",
        None,
    )
    assert_error(
        await decline(gql, bo, invitation["id"], "again"), "ConflictError", "NOT_PENDING", None
    )
    assert_error(
        await decline(gql, bo, invitation["id"], "x" * 1001),
        "ConflictError",
        "NOT_PENDING",
        None,
    )
    assert await feedback_state(services) == before
    assert (await invitation_for(gql, bo, request["id"]))["status"] == "DECLINED"


async def test_an_answered_invitation_cannot_be_declined_and_reasons_are_checked(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada, bo, cy = await people(org, 3)
    request = await asked(gql, clock, ada, [bo, cy])
    bo_invitation = await give(gql, bo, request["id"])
    cy_invitation = await invitation_for(gql, cy, request["id"])
    before = await feedback_state(services)

    assert_error(await decline(gql, bo, bo_invitation["id"]), "ConflictError", "NOT_PENDING", None)
    assert_error(
        await decline(gql, cy, cy_invitation["id"], "x" * 1001),
        "ValidationError",
        "TOO_LONG",
        "reason",
    )
    assert await feedback_state(services) == before


async def test_changing_a_request_is_refused_for_bad_input(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    ada, bo, cy = await people(org, 3)
    extra = await people(org, 7)
    request = await asked(gql, clock, ada, [bo])
    before = await feedback_state(services)

    earlier = (at(request["dueAt"]) - timedelta(hours=1)).isoformat()
    assert_error(
        await on_request(gql, EXTEND, ada, request["id"], dueAt=earlier),
        "ValidationError",
        "NOT_LATER",
        "dueAt",
    )
    assert_error(
        await on_request(gql, EXTEND, ada, request["id"], dueAt=request["dueAt"]),
        "ValidationError",
        "NOT_LATER",
        "dueAt",
    )
    assert_error(
        await on_request(gql, ADD_INVITEES, ada, request["id"], inviteeIds=[bo.id]),
        "ValidationError",
        "REQUIRED",
        "inviteeIds",
    )
    assert_error(
        await on_request(gql, ADD_INVITEES, ada, request["id"], inviteeIds=[ada.id]),
        "ValidationError",
        "SELF_INVITE",
        "inviteeIds",
    )
    too_many = await on_request(
        gql, ADD_INVITEES, ada, request["id"], inviteeIds=[cy.id, *(m.id for m in extra)]
    )
    assert_error(too_many, "LimitExceededError", "LIMIT_EXCEEDED")
    assert (too_many["limit"], too_many["value"]) == ("MAX_INVITEES", 8)
    assert_error(
        await on_request(gql, REMOVE_INVITEE, ada, request["id"], inviteeId=cy.id),
        "NotFoundError",
        "NOT_FOUND",
    )
    for document, values in (
        (CLOSE, {}),
        (EXTEND, {"dueAt": due_in(clock, timedelta(days=30))}),
        (ADD_INVITEES, {"inviteeIds": [cy.id]}),
        (REMOVE_INVITEE, {"inviteeId": bo.id}),
    ):
        for bad in ("garbage", bo.id, ""):
            result = await on_request(gql, document, ada, bad, **values)
            assert_error(result, "ValidationError", "INVALID_ID", "requestId")
    assert_error(
        await on_request(gql, REMOVE_INVITEE, ada, request["id"], inviteeId="garbage"),
        "ValidationError",
        "INVALID_ID",
        "inviteeId",
    )
    assert await feedback_state(services) == before


async def test_a_removed_invitee_can_be_asked_again_with_a_fresh_invitation(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """Regression: this was an HTTP 500 (a unique constraint on every
    invitation, removed ones included); now the removed invitation stays
    removed and a new one starts from scratch."""
    ada, bo, cy = await people(org, 3)
    request = await asked(gql, clock, ada, [bo, cy])
    old = await give(gql, bo, request["id"], text="Bo's first words")
    await request_changed(gql, REMOVE_INVITEE, ada, request["id"], inviteeId=bo.id)

    again = await request_changed(gql, ADD_INVITEES, ada, request["id"], inviteeIds=[bo.id])

    assert statuses(again) == {bo.id: "PENDING", cy.id: "PENDING"}
    assert again["results"]["answeredCount"] == 0
    assert "Bo's first words" not in str(again)
    (fresh,) = await inbox(gql, bo)
    assert fresh["id"] != old["id"]
    assert fresh["status"] == "PENDING"
    assert fresh["myAnswers"] == []
    assert await node(gql, bo, old["id"]) is None
    await give(gql, bo, request["id"], text="Bo's second words")
    shown = await results(gql, ada, request["id"])
    assert shown["answeredCount"] == 1
    assert shown["questions"][0]["texts"] == ["Bo's second words"]


async def test_someone_who_declines_again_after_being_asked_again_counts_once(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """declinedCount counts people: Bo declines, is removed, is asked again
    and declines again; that is one person who declined, not two."""
    ada, bo, cy = await people(org, 3)
    request = await asked(gql, clock, ada, [bo, cy])
    await decline(gql, bo, (await invitation_for(gql, bo, request["id"]))["id"], "Busy")
    await request_changed(gql, REMOVE_INVITEE, ada, request["id"], inviteeId=bo.id)
    await request_changed(gql, ADD_INVITEES, ada, request["id"], inviteeIds=[bo.id])
    await decline(gql, bo, (await invitation_for(gql, bo, request["id"]))["id"], "Still busy")
    assert (await results(gql, ada, request["id"]))["declinedCount"] == 1
    await decline(gql, cy, (await invitation_for(gql, cy, request["id"]))["id"])
    viewed = await node(gql, ada, request["id"])
    assert viewed is not None
    assert viewed["results"]["declinedCount"] == 2
    assert statuses(viewed) == {bo.id: "DECLINED", cy.id: "DECLINED"}


# == the open-invitation cap ============================================================


async def test_the_open_invitation_cap_holds_under_concurrent_requests(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    target = await org.add_member("Popular")
    earlier = await people(org, 4)
    for requester in earlier:
        await asked(gql, clock, requester, [target])
    assert await open_invitations(services, target) == 4
    requesters = await people(org, 10)
    before_count = len((await feedback_state(services))["feedback_invitations"])

    responses = await asyncio.gather(
        *(
            gql.raw(
                """
                mutation R($input: RequestFeedbackInput!) {
                  requestFeedback(input: $input) {
                    __typename
                    ... on Error { code message }
                    ... on LimitExceededError { limit value }
                    ... on FeedbackRequestSuccess { request { id } }
                  }
                }
                """,
                {
                    "input": {
                        "topic": f"Request {n}",
                        "anonymity": "NAMED",
                        "dueAt": due_in(clock),
                        "questions": DEFAULT_QUESTIONS,
                        "inviteeIds": [target.id],
                    }
                },
                token=requester.token,
            )
            for n, requester in enumerate(requesters)
        )
    )

    assert [r.status_code for r in responses] == [200] * 10
    bodies = [r.json() for r in responses]
    assert all("errors" not in b for b in bodies), bodies
    outcomes = [b["data"]["requestFeedback"] for b in bodies]
    assert Counter(o["__typename"] for o in outcomes) == {
        "FeedbackRequestSuccess": 1,
        "LimitExceededError": 9,
    }
    for outcome in outcomes:
        if outcome["__typename"] == "LimitExceededError":
            assert (outcome["code"], outcome["limit"], outcome["value"]) == (
                "LIMIT_EXCEEDED",
                "OPEN_INVITATION_CAP",
                5,
            )
    assert await open_invitations(services, target) == 5
    assert len((await feedback_state(services))["feedback_invitations"]) == before_count + 1
    assert len(await inbox(gql, target)) == 5


async def test_answering_declining_or_closing_frees_a_place_under_the_cap(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    target = await org.add_member("Popular")
    requesters = await people(org, 8)
    requests = [await asked(gql, clock, r, [target]) for r in requesters[:5]]
    before = await feedback_state(services)

    refused = await ask(gql, clock, requesters[5], [target])
    assert_error(refused, "LimitExceededError", "LIMIT_EXCEEDED")
    assert (refused["limit"], refused["value"]) == ("OPEN_INVITATION_CAP", 5)
    refused = await on_request(
        gql, ADD_INVITEES, requesters[0], requests[0]["id"], inviteeIds=[target.id]
    )
    assert refused["__typename"] == "ValidationError"  # already asked in that one
    assert await feedback_state(services) == before

    await give(gql, target, requests[0]["id"])
    await asked(gql, clock, requesters[5], [target])
    await decline(gql, target, (await invitation_for(gql, target, requests[1]["id"]))["id"])
    await asked(gql, clock, requesters[6], [target])
    await request_changed(gql, CLOSE, requesters[2], requests[2]["id"])
    await asked(gql, clock, requesters[7], [target])
    assert await open_invitations(services, target) == 5


# == statement counts =================================================================

# Pinned. A change is either a regression (N+1) or a deliberate change of the
# read path: look at `counter.statements`.
# viewer, the request (node), questions, invitations, submitted answers,
# people (invitees, answerers and requester in one batch); k is on the request
REQUEST_VIEW_STATEMENTS = 6
# viewer, the inbox page, requests, questions, my answers, requesters
INBOX_STATEMENTS = 6

REQUEST_VIEW = """
query View($id: ID!) {
  node(id: $id) {
    ... on FeedbackRequest {
      topic
      requester { name }
      invitees { status invitee { name } }
      questions { prompt }
      results {
        released answeredCount
        questions {
          question { prompt }
          scale { count average distribution }
          texts
          namedAnswers { person { name } scaleValue text }
        }
      }
    }
  }
}
"""

INBOX_VIEW = """
query Inbox($first: Int!) {
  viewer {
    feedbackInbox(first: $first) {
      edges {
        node {
          status
          request { topic requester { name } questions { prompt } }
          myAnswers { text }
        }
      }
    }
  }
}
"""


def actor(member: Member) -> Actor:
    return Actor(person_id=member.person.id, organization_id=member.person.organization_id)


async def _answered_request(
    services: Services, requester: Member, invitees: list[Member], question_count: int
) -> str:
    """A NAMED request everyone answered, set up through the domain services."""
    now = services.clock.now()
    specs = [
        QuestionSpec(QuestionKind.SCALE if n % 2 else QuestionKind.TEXT, f"Question {n}")
        for n in range(question_count)
    ]
    async with services.uow_factory(requester.person.organization_id) as uow:
        done = await feedback_service.request_feedback(
            uow,
            actor(requester),
            topic="Measured",
            anonymity=Anonymity.NAMED,
            due_at=now + timedelta(days=7),
            questions=specs,
            invitee_ids=[m.person.id for m in invitees],
            now=now,
        )
        await uow.commit()
    for member, invitation in zip(
        sorted(invitees, key=lambda m: m.person.id),
        sorted(done.invitations, key=lambda i: i.invitee_id),
        strict=True,
    ):
        async with services.uow_factory(requester.person.organization_id) as uow:
            await feedback_service.answer(
                uow,
                actor(member),
                invitation.id,
                answers=[
                    AnswerInput(q.id, 3, "")
                    if q.kind is QuestionKind.SCALE
                    else AnswerInput(q.id, None, f"Answer of {member.person.name}")
                    for q in done.questions
                ],
                submit=True,
                now=now,
            )
            await uow.commit()
    return gid("FeedbackRequest", done.request.id)


@pytest.mark.parametrize(("invitee_count", "question_count"), [(2, 2), (8, 10)])
async def test_the_requesters_view_runs_a_constant_number_of_statements(
    gql: GraphQL,
    org: Org,
    app: FastAPI,
    services: Services,
    invitee_count: int,
    question_count: int,
) -> None:
    requester = await org.add_member()
    invitees = await people(org, invitee_count)
    request_id = await _answered_request(services, requester, invitees, question_count)

    with count_statements(app.state.engine) as counter:
        data = await gql.data(REQUEST_VIEW, {"id": request_id}, token=requester.token)

    found = data["node"]
    assert len(found["invitees"]) == invitee_count
    assert len(found["questions"]) == question_count
    assert found["results"]["answeredCount"] == invitee_count
    assert all(len(r["namedAnswers"]) == invitee_count for r in found["results"]["questions"])
    assert counter.count == REQUEST_VIEW_STATEMENTS, counter.statements


@pytest.mark.parametrize("invitation_count", [5, 50])
async def test_an_inbox_runs_a_constant_number_of_statements(
    gql: GraphQL,
    org: Org,
    app: FastAPI,
    services: Services,
    invitation_count: int,
) -> None:
    await set_feedback_settings(gql, org.faculty, feedbackOpenInvitationCap=100)
    invitee = await org.add_member()
    requesters = await people(org, 5)
    others = [p.person.id for p in await people(org, 2)]  # an anonymous request asks k = 3
    now = services.clock.now()
    for n in range(invitation_count):
        anonymity = Anonymity.ANONYMOUS if n % 2 else Anonymity.NAMED
        async with services.uow_factory(org.id) as uow:
            done = await feedback_service.request_feedback(
                uow,
                actor(requesters[n % 5]),
                topic=f"Topic {n}",
                anonymity=anonymity,
                due_at=now + timedelta(days=7),
                questions=[
                    QuestionSpec(QuestionKind.TEXT, "Q1"),
                    QuestionSpec(QuestionKind.TEXT, "Q2"),
                ],
                invitee_ids=[invitee.person.id]
                + (others if anonymity is Anonymity.ANONYMOUS else []),
                now=now,
            )
            await feedback_service.answer(
                uow,
                actor(invitee),
                done.invitations[0].id,
                answers=[AnswerInput(done.questions[0].id, None, f"Draft {n}")],
                submit=False,
                now=now,
            )
            await uow.commit()

    with count_statements(app.state.engine) as counter:
        data = await gql.data(INBOX_VIEW, {"first": 50}, token=invitee.token)

    edges = data["viewer"]["feedbackInbox"]["edges"]
    assert len(edges) == invitation_count
    assert all(len(e["node"]["myAnswers"]) == 1 for e in edges)
    assert all(len(e["node"]["request"]["questions"]) == 2 for e in edges)
    assert counter.count == INBOX_STATEMENTS, counter.statements


async def test_malformed_ids_in_node_queries_are_refused(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    ada, bo = await people(org, 2)
    request = await asked(gql, clock, ada, [bo])

    for bad in ("garbage", gid("FeedbackAnswer", uuid_of(request["id"]))):
        body = await gql("query N($id: ID!) { node(id: $id) { id } }", {"id": bad}, token=ada.token)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_ID"]
    # A request id read as an invitation id names nothing.
    assert await node(gql, ada, gid("FeedbackInvitation", uuid_of(request["id"]))) is None
