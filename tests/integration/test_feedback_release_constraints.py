"""The database itself keeps anonymous feedback's k rule, whatever writes to
it: rows are written here with SQLAlchemy Core, bypassing the domain. A
request releases its group only with k counting answers (trigger
feedback_requests_release_needs_k), a closed request's invitations and
answers never change (feedback_closed_requests_frozen), an anonymous
answer or decline stays when its invitee is removed and nobody is asked
twice in an anonymous request (feedback_invitations_keep_anonymous_responses),
and each violation translates to the domain Conflict it stands for."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import Conflict
from domain.feedback import (
    Anonymity,
    FeedbackAnswer,
    InvitationStatus,
    QuestionKind,
    RequestStatus,
    said_something,
)
from domain.people import PersonStatus
from persistence import feedback_predicates as predicates
from persistence.integrity import constraint_name, translate
from persistence.tables import (
    feedback_answers,
    feedback_invitations,
    feedback_questions,
    feedback_requests,
    organizations,
    people,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=365)


class Org:
    def __init__(self, engine: AsyncEngine, org_id: uuid.UUID) -> None:
        self.engine = engine
        self.id = org_id

    async def insert(self, table: sa.Table, **values: Any) -> uuid.UUID:
        row_id = values.setdefault("id", uuid.uuid4())
        async with self.engine.begin() as conn:
            await conn.execute(table.insert().values(organization_id=self.id, **values))
        return row_id

    async def person(
        self, member_since: datetime | None = LONG_AGO, invited_by: uuid.UUID | None = None
    ) -> uuid.UUID:
        handle = f"p{uuid.uuid4().hex[:10]}"
        return await self.insert(
            people,
            name=handle.title(),
            handle=handle,
            email=f"{handle}@example.com",
            timezone="UTC",
            status=PersonStatus.ACTIVE,
            created_at=LONG_AGO,
            member_since=member_since,
            invited_by_id=invited_by,
        )

    async def request(
        self, requester: uuid.UUID, anonymity: Anonymity = Anonymity.ANONYMOUS
    ) -> tuple[uuid.UUID, uuid.UUID]:
        """An open request (anonymous unless told, k = 3, 30 days) and its
        one question."""
        request_id = await self.insert(
            feedback_requests,
            requester_id=requester,
            topic="How am I doing?",
            anonymity=anonymity,
            anonymity_threshold=3,
            membership_days=30,
            due_at=NOW + timedelta(days=7),
            status=RequestStatus.OPEN,
            created_at=NOW,
        )
        question_id = await self.insert(
            feedback_questions,
            request_id=request_id,
            position=0,
            kind=QuestionKind.TEXT,
            prompt="What went well?",
            required=True,
        )
        return request_id, question_id

    async def invited(self, request_id: uuid.UUID, invitee: uuid.UUID, **values: Any) -> uuid.UUID:
        values.setdefault("status", InvitationStatus.PENDING)
        return await self.insert(
            feedback_invitations,
            request_id=request_id,
            invitee_id=invitee,
            created_at=NOW,
            **values,
        )

    async def answered(
        self,
        request_id: uuid.UUID,
        question_id: uuid.UUID,
        invitee: uuid.UUID,
        text: str = "ok",
        scale_value: int | None = None,
    ) -> uuid.UUID:
        invitation_id = await self.invited(request_id, invitee, status=InvitationStatus.ANSWERED)
        await self.insert(
            feedback_answers,
            invitation_id=invitation_id,
            question_id=question_id,
            text=text,
            scale_value=scale_value,
        )
        return invitation_id


@pytest.fixture
async def org(engine: AsyncEngine) -> Org:
    org_id = uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            organizations.insert().values(id=org_id, name="Acme", slug="acme", created_at=NOW)
        )
    return Org(engine, org_id)


async def _refused(engine: AsyncEngine, statement: sa.Executable) -> IntegrityError:
    with pytest.raises(IntegrityError) as refused:
        async with engine.begin() as conn:
            await conn.execute(statement)
    return refused.value


def _release(request_id: uuid.UUID) -> sa.Update:
    r = feedback_requests
    return (
        r.update()
        .where(r.c.id == request_id)
        .values(status=RequestStatus.CLOSED, closed_at=NOW, released_at=NOW)
    )


async def test_a_release_needs_k_counting_answers(org: Org) -> None:
    requester = await org.person()
    request_id, question_id = await org.request(requester)
    await org.answered(request_id, question_id, await org.person())
    await org.answered(request_id, question_id, await org.person())
    # Not counting: new, never a member, invited by the requester, blank.
    await org.answered(request_id, question_id, await org.person(NOW - timedelta(days=29)))
    await org.answered(request_id, question_id, await org.person(None))
    await org.answered(request_id, question_id, await org.person(invited_by=requester))
    await org.answered(request_id, question_id, await org.person(), text="")

    refused = await _refused(org.engine, _release(request_id))

    assert constraint_name(refused) == "ck_feedback_requests_released_with_k"
    found = translate(refused)
    assert isinstance(found, Conflict)
    assert found.code == "TOO_FEW_COUNTING_ANSWERS"

    # Exactly the minimum counts: a third counting answer makes it hold.
    await org.answered(request_id, question_id, await org.person(NOW - timedelta(days=30)))
    async with org.engine.begin() as conn:
        await conn.execute(_release(request_id))


async def test_only_an_anonymous_request_releases_and_only_on_closing(org: Org) -> None:
    requester = await org.person()
    request_id, question_id = await org.request(requester)
    for _ in range(3):
        await org.answered(request_id, question_id, await org.person())
    r = feedback_requests
    refused = await _refused(
        org.engine, r.update().where(r.c.id == request_id).values(released_at=NOW)
    )
    assert constraint_name(refused) == "ck_feedback_requests_released_on_closing"
    refused = await _refused(org.engine, _release(request_id).values(anonymity=Anonymity.NAMED))
    assert constraint_name(refused) == "ck_feedback_requests_released_on_closing"


async def test_a_closed_requests_answers_and_invitations_never_change(org: Org) -> None:
    requester = await org.person()
    request_id, question_id = await org.request(requester)
    invitations = [
        await org.answered(request_id, question_id, await org.person()) for _ in range(3)
    ]
    async with org.engine.begin() as conn:
        await conn.execute(_release(request_id))
    i, a = feedback_invitations, feedback_answers

    for statement in (
        a.update().where(a.c.invitation_id == invitations[0]).values(text="changed"),
        i.update().where(i.c.id == invitations[0]).values(status=InvitationStatus.REMOVED),
        i.update().where(i.c.id == invitations[0]).values(removed_at=NOW),
        i.insert().values(
            id=uuid.uuid4(),
            organization_id=org.id,
            request_id=request_id,
            invitee_id=await org.person(),
            status=InvitationStatus.PENDING,
            created_at=NOW,
        ),
    ):
        refused = await _refused(org.engine, statement)
        assert constraint_name(refused) == "ck_feedback_requests_frozen_when_closed"
        found = translate(refused)
        assert isinstance(found, Conflict)
        assert found.code == "REQUEST_CLOSED"
    # A reminder's timestamp is no change to the group.
    async with org.engine.begin() as conn:
        await conn.execute(i.update().where(i.c.id == invitations[1]).values(reminded_at=NOW))


async def test_nobody_is_invited_by_themselves(org: Org) -> None:
    person = await org.person()
    refused = await _refused(
        org.engine, people.update().where(people.c.id == person).values(invited_by_id=person)
    )
    assert constraint_name(refused) == "ck_people_not_invited_by_oneself"


async def _changed(org: Org, statement: sa.Executable) -> None:
    async with org.engine.begin() as conn:
        await conn.execute(statement)


def _removal(invitation_id: uuid.UUID, **values: Any) -> sa.Update:
    i = feedback_invitations
    return i.update().where(i.c.id == invitation_id).values(removed_at=NOW, **values)


async def test_an_anonymous_answer_or_decline_stays_when_its_invitee_is_removed(
    org: Org,
) -> None:
    requester = await org.person()
    anonymous, question_id = await org.request(requester)
    answered = await org.answered(anonymous, question_id, await org.person())
    declined = await org.invited(
        anonymous, await org.person(), status=InvitationStatus.DECLINED, declined_at=NOW
    )
    pending = await org.invited(anonymous, await org.person())

    for invitation_id in (answered, declined):
        for status in (InvitationStatus.REMOVED, InvitationStatus.PENDING):
            refused = await _refused(org.engine, _removal(invitation_id, status=status))
            assert constraint_name(refused) == (
                "ck_feedback_invitations_responses_kept_when_anonymous"
            )
            found = translate(refused)
            assert isinstance(found, Conflict)
            assert found.code == "RESPONSE_KEPT"
        await _changed(org, _removal(invitation_id))  # leaves the list, keeps its status
    await _changed(org, _removal(pending, status=InvitationStatus.REMOVED))

    # In a NAMED request a removed invitee's answers leave the results.
    named, named_question = await org.request(requester, Anonymity.NAMED)
    named_answer = await org.answered(named, named_question, await org.person())
    await _changed(org, _removal(named_answer, status=InvitationStatus.REMOVED))


async def test_an_anonymous_request_asks_each_person_once(org: Org) -> None:
    requester = await org.person()
    invitee = await org.person()
    for anonymity in (Anonymity.ANONYMOUS, Anonymity.NAMED):
        request_id, _ = await org.request(requester, anonymity)
        first = await org.invited(request_id, invitee)
        live = await _refused(
            org.engine,
            feedback_invitations.insert().values(
                id=uuid.uuid4(),
                organization_id=org.id,
                request_id=request_id,
                invitee_id=invitee,
                status=InvitationStatus.PENDING,
                created_at=NOW,
            ),
        )
        assert constraint_name(live) == (
            "ck_feedback_invitations_asked_once_when_anonymous"
            if anonymity is Anonymity.ANONYMOUS
            else "uq_feedback_invitations_live"
        )
        await _changed(org, _removal(first, status=InvitationStatus.REMOVED))
        if anonymity is Anonymity.NAMED:
            await org.invited(request_id, invitee)  # asked again, from scratch
            continue
        refused = await _refused(
            org.engine,
            feedback_invitations.insert().values(
                id=uuid.uuid4(),
                organization_id=org.id,
                request_id=request_id,
                invitee_id=invitee,
                status=InvitationStatus.PENDING,
                created_at=NOW,
            ),
        )
        assert constraint_name(refused) == "ck_feedback_invitations_asked_once_when_anonymous"
        found = translate(refused)
        assert isinstance(found, Conflict)
        assert (found.code, found.field) == ("REMOVED_BEFORE", "inviteeIds")


async def test_a_removal_says_when_and_a_pending_invitation_is_not_removed(org: Org) -> None:
    requester = await org.person()
    request_id, _ = await org.request(requester)
    invitation_id = await org.invited(request_id, await org.person())
    i = feedback_invitations
    for values in ({"status": InvitationStatus.REMOVED}, {"removed_at": NOW}):
        refused = await _refused(
            org.engine, i.update().where(i.c.id == invitation_id).values(**values)
        )
        assert constraint_name(refused) == "ck_feedback_invitations_removed_at_with_removal"


async def test_the_code_the_query_and_the_trigger_agree_on_what_says_something(
    org: Org,
) -> None:
    """domain.feedback.said_something, its SQL twin in
    persistence.feedback_predicates and the trigger SQL of migration 0011
    (the third counting answer decides whether a release may happen)."""
    samples = [(None, ""), (3, ""), (None, "words"), (2, "words")]
    found = []
    for scale_value, text in samples:
        requester = await org.person()
        request_id, question_id = await org.request(requester)
        for _ in range(2):
            await org.answered(request_id, question_id, await org.person())
        invitation_id = await org.answered(
            request_id, question_id, await org.person(), text=text, scale_value=scale_value
        )
        code = said_something(
            [FeedbackAnswer(org.id, invitation_id, question_id, scale_value, text)]
        )
        async with org.engine.connect() as conn:
            query = await conn.scalar(
                sa.select(predicates.said_something(sa.literal(invitation_id)))
            )
        try:
            await _changed(org, _release(request_id))
            trigger = True
        except IntegrityError:
            trigger = False
        found.append((code, query, trigger))
    assert found == [(False,) * 3, (True,) * 3, (True,) * 3, (True,) * 3]
