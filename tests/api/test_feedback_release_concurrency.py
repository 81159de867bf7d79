"""An anonymous request's release holds under real parallel requests: answers,
removals and a close of the same request arrive at once, and the group is
released exactly once, only with k answers that count, never by a removal,
and never changes afterwards.
The requests run side by side through the app; the database is read
afterwards to check what it holds."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from api.context import Services
from tests.api.feedback_helpers import (
    ANSWER,
    CLOSE,
    DECLINE,
    REMOVE_INVITEE,
    asked,
    invitation_for,
    results,
    set_feedback_settings,
    uuid_of,
)
from tests.api.harness import GraphQL, Member, Org
from tests.fakes import FakeClock


async def _answer_body(gql: GraphQL, member: Member, request: dict[str, Any]) -> dict[str, Any]:
    """The answerFeedback input of `member`'s complete answer, ready to send."""
    invitation = await invitation_for(gql, member, request["id"])
    text, scale = (q["id"] for q in request["questions"])
    return {
        "invitationId": invitation["id"],
        "submit": True,
        "answers": [
            {"questionId": text, "text": f"Words of {member.person.name}"},
            {"questionId": scale, "scaleValue": 4},
        ],
    }


async def _at_once(gql: GraphQL, calls: list[tuple[str, dict[str, Any], Member]]) -> list[Any]:
    """Every call at the same time; each an HTTP 200 with a typed result."""
    responses = await asyncio.gather(
        *(gql.raw(document, {"input": values}, token=m.token) for document, values, m in calls)
    )
    found = []
    for response in responses:
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        (result,) = body["data"].values()
        found.append(result)
    return found


async def _stored(services: Services, request: dict[str, Any]) -> dict[str, Any]:
    async with services.session_factory() as session:
        row = (
            await session.execute(
                sa.text(
                    "SELECT r.status, r.released_at IS NOT NULL AS released,"
                    " (SELECT count(*) FROM feedback_invitations i WHERE i.request_id = r.id"
                    "   AND i.status = 'ANSWERED') AS answered,"
                    " (SELECT count(*) FROM notifications n WHERE n.feedback_request_id = r.id"
                    "   AND n.kind = 'FEEDBACK_REQUEST_CLOSED') AS notified"
                    " FROM feedback_requests r WHERE r.id = :id"
                ),
                {"id": uuid_of(request["id"])},
            )
        ).one()
    return dict(row._mapping)


async def test_an_answer_and_a_close_at_once_never_release_below_k(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    """Two answers in, the third and the close race: either the answer lands
    first and the group of three is released, or the close does and the
    answer is refused; never a group shown and an answer joining it."""
    ada = await org.add_member("Ada")
    for _ in range(6):
        bo, cy, dee, eve = [await org.add_member() for _ in range(4)]
        request = await asked(gql, clock, ada, [bo, cy, dee, eve], anonymity="ANONYMOUS")
        for member in (bo, cy):
            (ok,) = await _at_once(
                gql, [(ANSWER, await _answer_body(gql, member, request), member)]
            )
            assert ok["__typename"] == "FeedbackInvitationSuccess", ok

        answered, closed = await _at_once(
            gql,
            [
                (ANSWER, await _answer_body(gql, dee, request), dee),
                (CLOSE, {"requestId": request["id"]}, ada),
            ],
        )

        assert closed["__typename"] == "FeedbackRequestSuccess", closed
        landed = answered["__typename"] == "FeedbackInvitationSuccess"
        if not landed:
            assert (answered["__typename"], answered["code"]) == ("ConflictError", "REQUEST_CLOSED")
        shown = await results(gql, ada, request["id"])
        assert shown["released"] is landed
        assert shown["answeredCount"] == (3 if landed else 2)
        if landed:
            assert sorted(shown["questions"][0]["texts"]) == sorted(
                f"Words of {m.person.name}" for m in (bo, cy, dee)
            )
        assert await _stored(services, request) == {
            "status": "CLOSED",
            "released": landed,
            "answered": 3 if landed else 2,
            "notified": 0,  # the requester closed it themselves
        }


@pytest.mark.parametrize("at_once", [2, 20])
@pytest.mark.parametrize("counting", [2, 3])
async def test_the_last_answers_at_once_release_once_and_only_with_k_counting(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services, at_once: int, counting: int
) -> None:
    """One counting answer is in; `at_once` more arrive together, of which
    `counting - 1` count (the others are new members). With three counting
    the last of them releases the group, once, with every answer in it; with
    two nothing is released and the request keeps collecting."""
    await set_feedback_settings(
        gql, org.faculty, feedbackMaxInvitees=at_once + 1, feedbackOpenInvitationCap=5
    )
    ada = await org.add_member("Ada")
    first = await org.add_member("First")
    olds = [await org.add_member() for _ in range(counting - 1)]
    news = [await org.add_member(member_for=timedelta(days=3)) for _ in range(at_once - len(olds))]
    racers = [*olds, *news]
    request = await asked(gql, clock, ada, [first, *racers], anonymity="ANONYMOUS")
    (ok,) = await _at_once(gql, [(ANSWER, await _answer_body(gql, first, request), first)])
    assert ok["__typename"] == "FeedbackInvitationSuccess", ok
    bodies = [await _answer_body(gql, m, request) for m in racers]

    answered = await _at_once(
        gql, [(ANSWER, body, m) for body, m in zip(bodies, racers, strict=True)]
    )

    assert Counter(a["__typename"] for a in answered) == {"FeedbackInvitationSuccess": at_once}
    released = counting >= 3
    assert await _stored(services, request) == {
        "status": "CLOSED" if released else "OPEN",
        "released": released,
        "answered": at_once + 1,
        "notified": 1 if released else 0,
    }
    shown = await results(gql, ada, request["id"])
    assert shown["released"] is released
    assert shown["answeredCount"] == at_once + 1
    if released:
        assert len(shown["questions"][0]["texts"]) == at_once + 1
        assert shown["questions"][1]["scale"]["count"] == at_once + 1
    else:
        assert shown["reason"] == "STILL_COLLECTING"
        assert shown["questions"] == []


@pytest.mark.parametrize("at_once", [2, 20])
async def test_removals_at_once_release_nothing_and_keep_every_answer(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services, at_once: int
) -> None:
    """Three answered; `at_once` more (pending, answered or declined, in
    turn) are removed together. Every removal succeeds, nothing is released
    early although nobody is left to answer, every answer given stays and
    closing releases them all."""
    await set_feedback_settings(gql, org.faculty, feedbackMaxInvitees=at_once + 3)
    ada = await org.add_member("Ada")
    fixed = [await org.add_member() for _ in range(3)]
    removed = [await org.add_member() for _ in range(at_once)]
    request = await asked(gql, clock, ada, [*fixed, *removed], anonymity="ANONYMOUS")
    answering = [*fixed, *removed[1::3]]
    for member in answering:
        (ok,) = await _at_once(gql, [(ANSWER, await _answer_body(gql, member, request), member)])
        assert ok["__typename"] == "FeedbackInvitationSuccess", ok
    for member in removed[2::3]:
        invitation = await invitation_for(gql, member, request["id"])
        (ok,) = await _at_once(gql, [(DECLINE, {"invitationId": invitation["id"]}, member)])
        assert ok["__typename"] == "FeedbackInvitationSuccess", ok

    done = await _at_once(
        gql,
        [(REMOVE_INVITEE, {"requestId": request["id"], "inviteeId": m.id}, ada) for m in removed],
    )

    assert Counter(d["__typename"] for d in done) == {"FeedbackRequestSuccess": at_once}
    assert await _stored(services, request) == {
        "status": "OPEN",
        "released": False,
        "answered": len(answering),
        "notified": 0,
    }
    shown = await results(gql, ada, request["id"])
    assert (shown["released"], shown["answeredCount"]) == (False, len(answering))
    assert shown["declinedCount"] == len(removed[2::3])
    (closed,) = await _at_once(gql, [(CLOSE, {"requestId": request["id"]}, ada)])
    assert len(closed["request"]["results"]["questions"][0]["texts"]) == len(answering)


async def test_the_last_pending_answer_and_its_removal_at_once(
    gql: GraphQL, org: Org, clock: FakeClock, services: Services
) -> None:
    """Either the answer lands first and releases the group early (the
    removal then finds the request closed), or the removal does (the answer
    is refused, and nothing is released before the requester closes)."""
    ada = await org.add_member("Ada")
    for _ in range(6):
        bo, cy, dee, eve = [await org.add_member() for _ in range(4)]
        request = await asked(gql, clock, ada, [bo, cy, dee, eve], anonymity="ANONYMOUS")
        for member in (bo, cy, dee):
            (ok,) = await _at_once(
                gql, [(ANSWER, await _answer_body(gql, member, request), member)]
            )
            assert ok["__typename"] == "FeedbackInvitationSuccess", ok

        answered, removal = await _at_once(
            gql,
            [
                (ANSWER, await _answer_body(gql, eve, request), eve),
                (REMOVE_INVITEE, {"requestId": request["id"], "inviteeId": eve.id}, ada),
            ],
        )

        landed = answered["__typename"] == "FeedbackInvitationSuccess"
        if landed:
            assert (removal["__typename"], removal["code"]) == ("ConflictError", "REQUEST_CLOSED")
        else:
            assert (answered["__typename"], answered["code"]) == ("ConflictError", "NOT_ANSWERABLE")
            assert removal["__typename"] == "FeedbackRequestSuccess", removal
        assert await _stored(services, request) == {
            "status": "CLOSED" if landed else "OPEN",
            "released": landed,
            "answered": 4 if landed else 3,
            "notified": 1 if landed else 0,
        }
