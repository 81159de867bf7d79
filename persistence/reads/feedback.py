from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.feedback import (
    Answerer,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackQuestion,
    FeedbackRequest,
    FeedbackTemplate,
    InvitationStatus,
)
from domain.pagination import Page, PageRequest
from domain.people import Person, PersonStatus
from domain.relationships import RelationshipStatus
from persistence.feedback_predicates import open_invitation
from persistence.reads.feedback_items import shared_with
from persistence.reads.pagination import keyset_page
from persistence.tables import (
    feedback_answers,
    feedback_invitations,
    feedback_questions,
    feedback_requests,
    feedback_templates,
    organizations,
    people,
    relationships,
    team_memberships,
)

r, q, i, a = feedback_requests, feedback_questions, feedback_invitations, feedback_answers


async def requests_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, FeedbackRequest]:
    """Requests the viewer asked, is asked in (and not removed from), or
    whose results are shared with them."""
    invited = (
        select(i.c.id)
        .where(
            i.c.request_id == r.c.id,
            i.c.invitee_id == viewer_id,
            i.c.removed_at.is_(None),
        )
        .exists()
    )
    rows = await session.scalars(
        select(FeedbackRequest).where(
            r.c.organization_id == organization_id,
            r.c.id.in_(ids),
            or_(r.c.requester_id == viewer_id, invited, shared_with(viewer_id, r.c.id)),
        )
    )
    return {x.id: x for x in rows}


async def invitations_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID], *, viewer_id: UUID
) -> dict[UUID, FeedbackInvitation]:
    """An invitation (and so the answers in it) is its invitee's alone."""
    rows = await session.scalars(
        select(FeedbackInvitation).where(
            i.c.organization_id == organization_id,
            i.c.id.in_(ids),
            i.c.invitee_id == viewer_id,
            i.c.removed_at.is_(None),
        )
    )
    return {x.id: x for x in rows}


async def requests_page(
    session: AsyncSession,
    organization_id: UUID,
    requester_id: UUID,
    request: PageRequest,
    *,
    viewer_id: UUID,
    since: datetime | None = None,
) -> Page[FeedbackRequest]:
    """The requester's requests: all of them for the requester, those whose
    results are shared with the viewer for anyone else; with `since`, only
    those still open or closed after then."""
    query = select(FeedbackRequest).where(
        r.c.organization_id == organization_id,
        r.c.requester_id == requester_id,
        or_(r.c.requester_id == viewer_id, shared_with(viewer_id, r.c.id)),
    )
    if since is not None:
        query = query.where(or_(r.c.closed_at.is_(None), r.c.closed_at > since))
    return await keyset_page(session, query, (r.c.created_at, r.c.id), request, descending=True)


async def inbox_page(
    session: AsyncSession, organization_id: UUID, invitee_id: UUID, request: PageRequest
) -> Page[FeedbackInvitation]:
    query = select(FeedbackInvitation).where(
        i.c.organization_id == organization_id,
        i.c.invitee_id == invitee_id,
        i.c.removed_at.is_(None),
    )
    return await keyset_page(session, query, (i.c.created_at, i.c.id), request, descending=True)


async def questions_of_requests(
    session: AsyncSession, organization_id: UUID, request_ids: Sequence[UUID]
) -> dict[UUID, list[FeedbackQuestion]]:
    rows = await session.scalars(
        select(FeedbackQuestion)
        .where(q.c.organization_id == organization_id, q.c.request_id.in_(request_ids))
        .order_by(q.c.request_id, q.c.position)
    )
    result: dict[UUID, list[FeedbackQuestion]] = defaultdict(list)
    for question in rows:
        result[question.request_id].append(question)
    return result


async def invitations_of_requests(
    session: AsyncSession, organization_id: UUID, request_ids: Sequence[UUID]
) -> dict[UUID, list[FeedbackInvitation]]:
    """For the requester: who was asked, removed invitations included (their
    declines still count). The order is fixed by invitee, never by when
    anyone answered."""
    rows = await session.scalars(
        select(FeedbackInvitation)
        .where(i.c.organization_id == organization_id, i.c.request_id.in_(request_ids))
        .order_by(i.c.request_id, i.c.invitee_id, i.c.created_at)
    )
    result: dict[UUID, list[FeedbackInvitation]] = defaultdict(list)
    for invitation in rows:
        result[invitation.request_id].append(invitation)
    return result


async def answers_of_invitations(
    session: AsyncSession, organization_id: UUID, invitation_ids: Sequence[UUID]
) -> dict[UUID, list[FeedbackAnswer]]:
    rows = await session.scalars(
        select(FeedbackAnswer).where(
            a.c.organization_id == organization_id, a.c.invitation_id.in_(invitation_ids)
        )
    )
    result: dict[UUID, list[FeedbackAnswer]] = defaultdict(list)
    for answer in rows:
        result[answer.invitation_id].append(answer)
    return result


async def submitted_answers_of_requests(
    session: AsyncSession, organization_id: UUID, request_ids: Sequence[UUID]
) -> dict[UUID, list[tuple[Answerer, FeedbackAnswer]]]:
    """Per request, (answerer, answer) of submitted invitations only: drafts
    never count and never show, nor do the answers of someone removed from
    a NAMED request (removed from an ANONYMOUS one, their invitation stays
    ANSWERED: FeedbackInvitation.remove). The answerer carries what the k
    rule needs, never leaves the server."""
    rows = await session.execute(
        select(
            i.c.request_id,
            people.c.id,
            people.c.member_since,
            people.c.invited_by_id,
            FeedbackAnswer,
        )
        .join(i, and_(i.c.id == a.c.invitation_id, i.c.organization_id == a.c.organization_id))
        .join(people, people.c.id == i.c.invitee_id)
        .where(
            a.c.organization_id == organization_id,
            i.c.request_id.in_(request_ids),
            i.c.status == InvitationStatus.ANSWERED,
        )
    )
    result: dict[UUID, list[tuple[Answerer, FeedbackAnswer]]] = defaultdict(list)
    for request_id, person_id, member_since, invited_by_id, answer in rows:
        result[request_id].append((Answerer(person_id, member_since, invited_by_id), answer))
    return result


@dataclass(frozen=True)
class FeedbackLoad:
    open_invitations: int
    asked_recently: int
    last_asked_at: datetime | None


async def feedback_load(
    session: AsyncSession,
    organization_id: UUID,
    person_ids: Sequence[UUID],
    *,
    now: datetime,
    recent: timedelta,
) -> dict[UUID, FeedbackLoad]:
    """How much each person is asked: open invitations now, invitations in
    the recent window, and when they were last asked (by anyone). Removed
    invitations do not count, whatever their invitee had done."""
    rows = await session.execute(
        select(
            i.c.invitee_id,
            func.count().filter(open_invitation(now)),
            func.count().filter(i.c.created_at >= now - recent),
            func.max(i.c.created_at),
        )
        .join(r, r.c.id == i.c.request_id)
        .where(
            i.c.organization_id == organization_id,
            i.c.invitee_id.in_(person_ids),
            i.c.removed_at.is_(None),
        )
        .group_by(i.c.invitee_id)
    )
    return {
        person_id: FeedbackLoad(open_count, recent_count, last)
        for person_id, open_count, recent_count, last in rows
    }


async def colleagues_to_ask(
    session: AsyncSession, organization_id: UUID, person_id: UUID, limit: int, *, now: datetime
) -> list[Person]:
    """People who work with the person (a current team in common, or an
    active relationship with them), least recently asked first; nobody
    already at the organization's cap of open invitations (asking them
    would be refused)."""
    m1, m2, rel = team_memberships.alias("m1"), team_memberships.alias("m2"), relationships
    teammates = (
        select(m2.c.person_id)
        .join(m1, and_(m1.c.team_id == m2.c.team_id, m1.c.ended_at.is_(None)))
        .where(m1.c.person_id == person_id, m2.c.ended_at.is_(None))
    )
    related = select(
        case((rel.c.leader_id == person_id, rel.c.follower_id), else_=rel.c.leader_id)
    ).where(
        rel.c.status == RelationshipStatus.ACTIVE,
        or_(rel.c.leader_id == person_id, rel.c.follower_id == person_id),
    )
    last_asked = (
        select(func.max(i.c.created_at))
        .where(i.c.invitee_id == people.c.id, i.c.removed_at.is_(None))
        .scalar_subquery()
    )
    open_invitations = (
        select(func.count())
        .select_from(i.join(r, r.c.id == i.c.request_id))
        .where(i.c.invitee_id == people.c.id, open_invitation(now))
        .scalar_subquery()
    )
    cap = (
        select(organizations.c.feedback_open_invitation_cap)
        .where(organizations.c.id == organization_id)
        .scalar_subquery()
    )
    rows = await session.scalars(
        select(Person)
        .where(
            people.c.organization_id == organization_id,
            people.c.status == PersonStatus.ACTIVE,
            people.c.id != person_id,
            or_(people.c.id.in_(teammates), people.c.id.in_(related)),
            open_invitations < cap,
        )
        .order_by(last_asked.asc().nulls_first(), func.lower(people.c.name), people.c.id)
        .limit(limit)
    )
    return list(rows)


async def templates(session: AsyncSession, organization_id: UUID) -> list[FeedbackTemplate]:
    t = feedback_templates
    rows = await session.scalars(
        select(FeedbackTemplate)
        .where(t.c.organization_id == organization_id)
        .order_by(func.lower(t.c.name), t.c.id)
    )
    return list(rows)


async def templates_by_ids(
    session: AsyncSession, organization_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, FeedbackTemplate]:
    t = feedback_templates
    rows = await session.scalars(
        select(FeedbackTemplate).where(t.c.organization_id == organization_id, t.c.id.in_(ids))
    )
    return {x.id: x for x in rows}
