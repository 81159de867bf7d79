"""Asking peers for feedback and answering them.

Fatigue: nobody has more than the organization's cap of open invitations.
Asking locks the invitees' rows (in id order) before counting, so ten
simultaneous requests to someone one below the cap leave them exactly at it.

Release: every change to an invitation (an answer, a decline, a removal)
and every close happens under the request's row lock, and an ANONYMOUS
request decides there whether its group is released (at close, or early
once everyone asked responded): two answers, or an answer and a close, at
the same moment are serialized, so none can release a group below the k
rule or join a group already shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain import policies
from domain.actors import Actor
from domain.errors import Conflict, LimitExceeded, NotFound, ValidationFailed
from domain.feedback import (
    Anonymity,
    AnswerInput,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackQuestion,
    FeedbackRequest,
    FeedbackTemplate,
    InvitationStatus,
    QuestionSpec,
    check_answer,
    check_complete,
    check_not_removed_before,
    check_questions,
)
from domain.notifications import Notification, NotificationKind
from domain.ports import UnitOfWork


@dataclass(frozen=True)
class Asked:
    request: FeedbackRequest
    questions: list[FeedbackQuestion]
    invitations: list[FeedbackInvitation]


async def request_feedback(
    uow: UnitOfWork,
    actor: Actor,
    *,
    topic: str,
    anonymity: Anonymity,
    due_at: datetime,
    questions: Sequence[QuestionSpec],
    invitee_ids: Sequence[UUID],
    goal_id: UUID | None = None,
    now: datetime,
) -> Asked:
    organization = await uow.organizations.get(actor.organization_id)
    assert organization is not None
    request = FeedbackRequest.create(
        organization_id=actor.organization_id,
        requester_id=actor.person_id,
        topic=topic,
        anonymity=anonymity,
        due_at=due_at,
        goal_id=goal_id,
        anonymity_threshold=organization.feedback_anonymity_threshold,
        membership_days=organization.feedback_min_membership_days,
        now=now,
    )
    specs = check_questions(questions)
    invitees = list(dict.fromkeys(invitee_ids))
    if not invitees:
        raise ValidationFailed("inviteeIds", "Ask at least one person.", code="REQUIRED")
    if len(invitees) > organization.feedback_max_invitees:
        raise LimitExceeded(
            "MAX_INVITEES",
            organization.feedback_max_invitees,
            f"Ask at most {organization.feedback_max_invitees} people at once.",
        )
    if anonymity is Anonymity.ANONYMOUS and len(invitees) < request.anonymity_threshold:
        raise ValidationFailed(
            "inviteeIds",
            f"Anonymous answers show only as a group of {request.anonymity_threshold}: "
            f"ask at least {request.anonymity_threshold} people.",
            code="BELOW_ANONYMITY_THRESHOLD",
        )
    if goal_id is not None:
        goal = await uow.goals.get(goal_id)
        if goal is None or goal.owner_id != actor.person_id:
            raise NotFound("Goal")
    await uow.feedback.add_request(request)
    stored = [
        FeedbackQuestion(
            organization_id=actor.organization_id,
            request_id=request.id,
            position=position,
            kind=spec.kind,
            prompt=spec.prompt,
            required=spec.required,
            low_label=spec.low_label,
            high_label=spec.high_label,
        )
        for position, spec in enumerate(specs)
    ]
    await uow.feedback.add_questions(stored)
    invitations = await _invite(uow, actor, request, invitees, now)
    return Asked(request=request, questions=stored, invitations=invitations)


async def add_invitees(
    uow: UnitOfWork, actor: Actor, request_id: UUID, invitee_ids: Sequence[UUID], *, now: datetime
) -> list[FeedbackInvitation]:
    request = await _own_request(uow, actor, request_id, now)
    organization = await uow.organizations.get(actor.organization_id)
    assert organization is not None
    invitations = await uow.feedback.invitations_of(request.id)
    current = [i for i in invitations if not i.is_removed]
    already = {i.invitee_id for i in current}
    new = [i for i in dict.fromkeys(invitee_ids) if i not in already]
    if not new:
        raise ValidationFailed("inviteeIds", "Name someone not asked yet.", code="REQUIRED")
    check_not_removed_before(request, invitations, new)
    if len(current) + len(new) > organization.feedback_max_invitees:
        raise LimitExceeded(
            "MAX_INVITEES",
            organization.feedback_max_invitees,
            f"A request asks at most {organization.feedback_max_invitees} people.",
        )
    return await _invite(uow, actor, request, new, now)


async def remove_invitee(
    uow: UnitOfWork, actor: Actor, request_id: UUID, invitee_id: UUID, *, now: datetime
) -> FeedbackInvitation:
    """The invitation stays, removed (FeedbackInvitation.remove says what
    that keeps). A removal never releases a group: see
    FeedbackRequest.close_early."""
    request = await _own_request(uow, actor, request_id, now)
    for invitation in await uow.feedback.invitations_of(request.id):
        if invitation.invitee_id == invitee_id and not invitation.is_removed:
            invitation.remove(request, now)
            return invitation
    raise NotFound("FeedbackInvitation", "That person is not asked in this request.")


async def extend(
    uow: UnitOfWork, actor: Actor, request_id: UUID, *, due_at: datetime, now: datetime
) -> FeedbackRequest:
    request = await _own_request(uow, actor, request_id, now)
    request.extend(due_at, now)
    return request


async def close(
    uow: UnitOfWork, actor: Actor, request_id: UUID, *, now: datetime
) -> FeedbackRequest:
    request = await uow.feedback.get_request(request_id, for_update=True)
    if request is None or request.requester_id != actor.person_id:
        raise NotFound("FeedbackRequest")
    request.close(await uow.feedback.answerers(request.id), now)
    return request


async def answer(
    uow: UnitOfWork,
    actor: Actor,
    invitation_id: UUID,
    *,
    answers: Sequence[AnswerInput],
    submit: bool,
    now: datetime,
) -> FeedbackInvitation:
    """Save a draft (submit=False) or submit; a submitted answer can be
    edited (and resubmitted) until the request closes."""
    invitation, request = await _own_invitation(uow, actor, invitation_id)
    invitation.require_answerable(request, now)
    questions = {q.id: q for q in await uow.feedback.questions_of(request.id)}
    given: dict[UUID, AnswerInput] = {}
    for entry in answers:
        question = questions.get(entry.question_id)
        if question is None:
            raise ValidationFailed(
                "answers", "That question is not in this request.", code="UNKNOWN_QUESTION"
            )
        if entry.question_id in given:
            raise ValidationFailed("answers", "Answer each question once.", code="DUPLICATE")
        given[entry.question_id] = check_answer(question, entry)
    stored = {a.question_id: a for a in await uow.feedback.answers_of(invitation.id)}
    merged = {
        **{qid: AnswerInput(qid, a.scale_value, a.text) for qid, a in stored.items()},
        **given,
    }
    if submit or invitation.status is InvitationStatus.ANSWERED:
        check_complete(questions.values(), merged)
    for question_id, value in given.items():
        if question_id in stored:
            stored[question_id].scale_value = value.scale_value
            stored[question_id].text = value.text
        else:
            await uow.feedback.add_answer(
                FeedbackAnswer(
                    organization_id=invitation.organization_id,
                    invitation_id=invitation.id,
                    question_id=question_id,
                    scale_value=value.scale_value,
                    text=value.text,
                )
            )
    if submit:
        invitation.status = InvitationStatus.ANSWERED
        await _release_when_settled(uow, request, now)
    return invitation


async def decline(
    uow: UnitOfWork, actor: Actor, invitation_id: UUID, *, reason: str, now: datetime
) -> FeedbackInvitation:
    invitation, request = await _own_invitation(uow, actor, invitation_id)
    invitation.decline(request, reason, now)
    await _release_when_settled(uow, request, now)
    return invitation


async def create_template(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    questions: Sequence[QuestionSpec],
    now: datetime,
) -> FeedbackTemplate:
    await policies.require_org_faculty(uow, actor, "manage feedback templates")
    template = FeedbackTemplate.create(
        organization_id=actor.organization_id,
        name=name,
        questions=questions,
        created_by_id=actor.person_id,
        now=now,
    )
    await uow.feedback.add_template(template)
    return template


async def archive_template(
    uow: UnitOfWork, actor: Actor, template_id: UUID, *, now: datetime
) -> FeedbackTemplate:
    """Archived templates are no longer offered; requests made with them
    keep their (copied) questions."""
    await policies.require_org_faculty(uow, actor, "manage feedback templates")
    template = await uow.feedback.get_template(template_id)
    if template is None:
        raise NotFound("FeedbackTemplate")
    template.archive(now)
    return template


async def template_questions(uow: UnitOfWork, template_id: UUID) -> list[QuestionSpec]:
    template = await uow.feedback.get_template(template_id)
    if template is None or template.archived_at is not None:
        raise NotFound("FeedbackTemplate")
    return template.specs()


async def close_due_requests(uow: UnitOfWork, *, now: datetime) -> int:
    """Requests past their due date are closed, under the same lock answers
    take: an anonymous group is released only from a closed request, so no
    answer still under way can join a group already shown."""
    due = await uow.feedback.due_requests(now)
    for request in due:
        request.close(await uow.feedback.answerers(request.id), now)
        await _notify_closed(uow, request, now)
    return len(due)


async def send_reminders(uow: UnitOfWork, organization_id: UUID, *, now: datetime) -> int:
    """Once per invitation, the organization's number of hours before the
    due date, a pending invitee hears that their answer is wanted. Returns
    how many were reminded."""
    organization = await uow.organizations.get(organization_id)
    assert organization is not None
    due = await uow.feedback.invitations_to_remind(
        now, timedelta(hours=organization.feedback_reminder_hours)
    )
    for invitation in due:
        invitation.reminded_at = now
        await uow.notifications.add(
            Notification(
                organization_id=invitation.organization_id,
                recipient_id=invitation.invitee_id,
                kind=NotificationKind.FEEDBACK_REMINDER,
                created_at=now,
                feedback_invitation_id=invitation.id,
            )
        )
    return len(due)


async def _invite(
    uow: UnitOfWork,
    actor: Actor,
    request: FeedbackRequest,
    invitee_ids: Sequence[UUID],
    now: datetime,
) -> list[FeedbackInvitation]:
    if actor.person_id in invitee_ids:
        raise ValidationFailed("inviteeIds", "You cannot ask yourself.", code="SELF_INVITE")
    organization = await uow.organizations.get(actor.organization_id)
    assert organization is not None
    await uow.people.lock(sorted(invitee_ids))
    for invitee_id in invitee_ids:
        person = await uow.people.get(invitee_id)
        if person is None:
            raise NotFound("Person")
        if not person.is_active:
            raise Conflict(
                f"{person.name} has left the organization.", code="PERSON_LEFT", field="inviteeIds"
            )
    open_counts = await uow.feedback.open_invitation_counts(invitee_ids, now)
    cap = organization.feedback_open_invitation_cap
    for invitee_id in invitee_ids:
        if open_counts.get(invitee_id, 0) >= cap:
            person = await uow.people.get(invitee_id)
            assert person is not None
            raise LimitExceeded(
                "OPEN_INVITATION_CAP",
                cap,
                f"{person.name} already has {cap} open feedback requests; ask again later.",
            )
    invitations = [
        FeedbackInvitation(
            organization_id=actor.organization_id,
            request_id=request.id,
            invitee_id=invitee_id,
            created_at=now,
        )
        for invitee_id in invitee_ids
    ]
    await uow.feedback.add_invitations(invitations)
    for invitation in invitations:
        await uow.notifications.add(
            Notification(
                organization_id=actor.organization_id,
                recipient_id=invitation.invitee_id,
                kind=NotificationKind.FEEDBACK_REQUESTED,
                created_at=now,
                actor_id=actor.person_id,
                feedback_invitation_id=invitation.id,
            )
        )
    return invitations


async def _release_when_settled(uow: UnitOfWork, request: FeedbackRequest, now: datetime) -> None:
    """After an answer or a decline, under the request's lock: an ANONYMOUS
    request everyone asked responded to closes and releases if k answers
    count."""
    if request.anonymity is not Anonymity.ANONYMOUS:
        return
    invitations = await uow.feedback.invitations_of(request.id)
    if request.close_early(invitations, await uow.feedback.answerers(request.id), now):
        await _notify_closed(uow, request, now)


async def _notify_closed(uow: UnitOfWork, request: FeedbackRequest, now: datetime) -> None:
    """The requester hears that a request closed without them closing it
    (its due date passed, or everyone asked has responded). No actor: the
    last one to respond is nobody's business."""
    await uow.notifications.add(
        Notification(
            organization_id=request.organization_id,
            recipient_id=request.requester_id,
            kind=NotificationKind.FEEDBACK_REQUEST_CLOSED,
            created_at=now,
            feedback_request_id=request.id,
        )
    )


async def _own_request(
    uow: UnitOfWork, actor: Actor, request_id: UUID, now: datetime
) -> FeedbackRequest:
    request = await uow.feedback.get_request(request_id, for_update=True)
    if request is None or request.requester_id != actor.person_id:
        raise NotFound("FeedbackRequest")
    request.require_open(now)
    return request


async def _own_invitation(
    uow: UnitOfWork, actor: Actor, invitation_id: UUID
) -> tuple[FeedbackInvitation, FeedbackRequest]:
    """Locks the request, then the invitation (the order `add_invitees` and
    `remove_invitee` use): an answer and a close of the same request are
    serialized, so no answer can land after the request closed."""
    found = await uow.feedback.get_invitation(invitation_id)
    if found is None or found.invitee_id != actor.person_id:
        raise NotFound("FeedbackInvitation")
    request = await uow.feedback.get_request(found.request_id, for_update=True)
    invitation = await uow.feedback.get_invitation(invitation_id, for_update=True)
    assert request is not None
    assert invitation is not None
    return invitation, request
