"""Regressions of peer feedback found in review: due dates without an offset
or out of range are typed errors, blank or optional answers never leave
one voice alone in an anonymous group, and no anonymous request is made
that could never reach k."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa

from api.context import Services
from tests.api.feedback_helpers import (
    CLOSE,
    EXTEND,
    REQUEST_FEEDBACK,
    UPDATE_SETTINGS,
    answer,
    ask,
    asked,
    feedback_state,
    invitation_for,
    request_changed,
    results,
    scale_question,
    text_question,
)
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import assert_error, mutate
from tests.fakes import FakeClock


async def _people(org: Org, count: int) -> list[Member]:
    return [await org.add_member() for _ in range(count)]


async def _wait_until_blocked_on_a_lock(services: Services, needle: str) -> None:
    """Until some backend running `needle` waits for a row lock."""
    for _ in range(200):
        async with services.session_factory() as session:
            waiting = (
                await session.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND query ILIKE :needle"
                    ),
                    {"needle": f"%{needle}%"},
                )
            ).scalar_one()
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the answer never got to wait")


# == 1. an answer that passed its open check commits after close ===============


async def test_a_due_date_without_offset_is_a_typed_error_not_internal(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    requester, bo = await _people(org, 2)
    naive = (clock.now() + timedelta(days=7)).replace(tzinfo=None).isoformat()
    body = await gql(
        REQUEST_FEEDBACK,
        {
            "input": {
                "topic": "t",
                "anonymity": "NAMED",
                "dueAt": naive,
                "questions": [text_question()],
                "inviteeIds": [bo.id],
            }
        },
        token=requester.token,
    )
    assert "errors" not in body, body
    assert body["data"]["requestFeedback"]["__typename"] == "ValidationError", body


async def test_extending_to_a_due_date_without_offset_is_a_typed_error_not_internal(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    requester, bo = await _people(org, 2)
    request = await asked(gql, clock, requester, [bo])
    naive = (clock.now() + timedelta(days=30)).replace(tzinfo=None).isoformat()
    body = await gql(
        EXTEND, {"input": {"requestId": request["id"], "dueAt": naive}}, token=requester.token
    )
    assert "errors" not in body, body
    assert body["data"]["extendFeedbackRequest"]["__typename"] == "ValidationError", body


async def test_a_due_date_past_year_9999_in_utc_is_a_typed_error_not_internal(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    requester, bo = await _people(org, 2)
    body = await gql(
        REQUEST_FEEDBACK,
        {
            "input": {
                "topic": "t",
                "anonymity": "NAMED",
                "dueAt": "9999-12-31T23:00:00-05:00",
                "questions": [text_question()],
                "inviteeIds": [bo.id],
            }
        },
        token=requester.token,
    )
    assert "errors" not in body, body


# == 3. a released group smaller than k, per question ===========================


async def test_an_optional_question_answered_by_one_person_is_not_shown_alone(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    """k=3 is met by the request (three submitted), but only one of them
    answered the optional questions: that one text and that one scale value
    are released as a "group" of one. With colluders (k-1 of them skip the
    optional question and tell the requester so) it is the target's answer,
    and a blank-but-submitted form must not count towards k."""
    requester, a, b, target = await _people(org, 4)
    request = await asked(
        gql,
        clock,
        requester,
        [a, b, target],
        anonymity="ANONYMOUS",
        questions=[
            text_question("Anything else?", required=False),
            scale_question("How safe do you feel telling me?", required=False),
        ],
    )
    for member in (a, b):
        invitation = await invitation_for(gql, member, request["id"])
        q_text = invitation["request"]["questions"][0]["id"]
        # what a form client sends for an empty optional field
        done = await answer(gql, member, invitation["id"], [{"questionId": q_text, "text": ""}])
        assert done["__typename"] == "FeedbackInvitationSuccess", done
    invitation = await invitation_for(gql, target, request["id"])
    q_text, q_scale = (q["id"] for q in invitation["request"]["questions"])
    done = await answer(
        gql,
        target,
        invitation["id"],
        [
            {"questionId": q_text, "text": "the target's words"},
            {"questionId": q_scale, "scaleValue": 1},
        ],
    )
    assert done["__typename"] == "FeedbackInvitationSuccess", done
    await request_changed(gql, CLOSE, requester, request["id"])

    shown = await results(gql, requester, request["id"])
    # Blank forms say nothing, so they do not make a group: one voice is
    # below k and nothing is released.
    assert shown["answeredCount"] == 1
    assert not shown["released"]
    assert "the target's words" not in str(shown), shown


# == an anonymous request that could never reach k ============================


async def test_an_anonymous_request_asks_at_least_k_people(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    """With fewer than k people asked, nothing could ever be released: the
    requester learns it when asking, not after everyone answered."""
    requester, bo, cy = await _people(org, 3)
    before = await feedback_state(services)
    refused = await ask(gql, clock, requester, [bo, cy], anonymity="ANONYMOUS")
    assert_error(refused, "ValidationError", "BELOW_ANONYMITY_THRESHOLD", "inviteeIds")
    assert await feedback_state(services) == before
    named = await ask(gql, clock, requester, [bo, cy], anonymity="NAMED")
    assert named["__typename"] == "FeedbackRequestSuccess"


async def test_an_organization_cannot_allow_fewer_invitees_than_k(gql: GraphQL, org: Org) -> None:
    for values in (
        {"feedbackMaxInvitees": 2},  # below the default k of 3
        {"feedbackAnonymityThreshold": 9},  # above the default of 8 invitees
        {"feedbackMaxInvitees": 4, "feedbackAnonymityThreshold": 5},
    ):
        result = await mutate(gql, UPDATE_SETTINGS, values, token=org.faculty.token)
        assert_error(result, "ValidationError", "BELOW_ANONYMITY_THRESHOLD", "feedbackMaxInvitees")
    result = await mutate(
        gql,
        UPDATE_SETTINGS,
        {"feedbackMaxInvitees": 4, "feedbackAnonymityThreshold": 4},
        token=org.faculty.token,
    )
    assert result["__typename"] == "OrganizationSuccess", result
