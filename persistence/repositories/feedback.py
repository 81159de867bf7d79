from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import func, select

from domain.feedback import (
    Answerer,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackQuestion,
    FeedbackRequest,
    FeedbackTemplate,
    InvitationStatus,
    RequestStatus,
)
from persistence.feedback_predicates import open_invitation, said_something
from persistence.repositories.base import TenantRepository, locked
from persistence.tables import (
    feedback_answers,
    feedback_invitations,
    feedback_questions,
    feedback_requests,
    people,
)


class SqlFeedbackRepository(TenantRepository):
    async def add_request(self, request: FeedbackRequest) -> None:
        self.session.add(request)
        await self.session.flush()

    async def add_questions(self, questions: Sequence[FeedbackQuestion]) -> None:
        self.session.add_all(questions)
        await self.session.flush()

    async def add_invitations(self, invitations: Sequence[FeedbackInvitation]) -> None:
        self.session.add_all(invitations)
        await self.session.flush()

    async def add_answer(self, answer: FeedbackAnswer) -> None:
        self.session.add(answer)
        await self.session.flush()

    async def add_template(self, template: FeedbackTemplate) -> None:
        self.session.add(template)
        await self.session.flush()

    async def get_template(self, template_id: UUID) -> FeedbackTemplate | None:
        return await self.session.scalar(
            select(FeedbackTemplate)
            .filter_by(organization_id=self.organization_id, id=template_id)
            .with_for_update(key_share=True)
        )

    async def get_request(
        self, request_id: UUID, *, for_update: bool = False
    ) -> FeedbackRequest | None:
        query = select(FeedbackRequest).filter_by(
            organization_id=self.organization_id, id=request_id
        )
        return await self.session.scalar(locked(query, for_update))

    async def get_invitation(
        self, invitation_id: UUID, *, for_update: bool = False
    ) -> FeedbackInvitation | None:
        query = select(FeedbackInvitation).filter_by(
            organization_id=self.organization_id, id=invitation_id
        )
        return await self.session.scalar(locked(query, for_update))

    async def questions_of(self, request_id: UUID) -> list[FeedbackQuestion]:
        q = feedback_questions
        rows = await self.session.scalars(
            select(FeedbackQuestion)
            .where(q.c.organization_id == self.organization_id, q.c.request_id == request_id)
            .order_by(q.c.position)
        )
        return list(rows)

    async def invitations_of(self, request_id: UUID) -> list[FeedbackInvitation]:
        i = feedback_invitations
        rows = await self.session.scalars(
            select(FeedbackInvitation)
            .where(i.c.organization_id == self.organization_id, i.c.request_id == request_id)
            .with_for_update(key_share=True)
        )
        return list(rows)

    async def answers_of(self, invitation_id: UUID) -> list[FeedbackAnswer]:
        a = feedback_answers
        rows = await self.session.scalars(
            select(FeedbackAnswer).where(
                a.c.organization_id == self.organization_id, a.c.invitation_id == invitation_id
            )
        )
        return list(rows)

    async def answerers(self, request_id: UUID) -> list[Answerer]:
        i = feedback_invitations
        rows = await self.session.execute(
            select(people.c.id, people.c.member_since, people.c.invited_by_id)
            .join(i, i.c.invitee_id == people.c.id)
            .where(
                i.c.organization_id == self.organization_id,
                i.c.request_id == request_id,
                i.c.status == InvitationStatus.ANSWERED,
                said_something(i.c.id),
            )
        )
        return [Answerer(*row) for row in rows]

    async def open_invitation_counts(
        self, person_ids: Sequence[UUID], now: datetime
    ) -> dict[UUID, int]:
        i, r = feedback_invitations, feedback_requests
        rows = await self.session.execute(
            select(i.c.invitee_id, func.count())
            .join(r, r.c.id == i.c.request_id)
            .where(
                i.c.organization_id == self.organization_id,
                i.c.invitee_id.in_(person_ids),
                open_invitation(now),
            )
            .group_by(i.c.invitee_id)
        )
        return {person_id: count for person_id, count in rows}

    async def invitations_to_remind(
        self, now: datetime, lead: timedelta
    ) -> list[FeedbackInvitation]:
        i, r = feedback_invitations, feedback_requests
        rows = await self.session.scalars(
            select(FeedbackInvitation)
            .join(r, r.c.id == i.c.request_id)
            .where(
                i.c.organization_id == self.organization_id,
                i.c.status == InvitationStatus.PENDING,
                i.c.reminded_at.is_(None),
                r.c.status == RequestStatus.OPEN,
                r.c.due_at > now,
                r.c.due_at <= now + lead,
            )
            .with_for_update(of=i, skip_locked=True, key_share=True)
        )
        return list(rows)

    async def due_requests(self, now: datetime) -> list[FeedbackRequest]:
        r = feedback_requests
        rows = await self.session.scalars(
            select(FeedbackRequest)
            .where(
                r.c.organization_id == self.organization_id,
                r.c.status == RequestStatus.OPEN,
                r.c.due_at <= now,
            )
            .with_for_update(skip_locked=True, key_share=True)
        )
        return list(rows)
