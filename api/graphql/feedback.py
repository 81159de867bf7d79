"""Peer feedback: requests, the invitee's inbox and answers, and results
that keep anonymity (see domain.feedback)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Protocol
from uuid import UUID

import strawberry
from strawberry import relay

from api.graphql import feedback_sharing as sharing
from api.graphql import ids
from api.graphql.commands import require_actor, run
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from api.graphql.pagination import connection, page_request
from api.graphql.read_log import READ, ReadLogEntryType, read_by
from domain.actors import Actor
from domain.errors import ValidationFailed
from domain.feedback import (
    Anonymity,
    Answerer,
    AnswerInput,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackQuestion,
    FeedbackRequest,
    FeedbackTemplate,
    InvitationStatus,
    QuestionKind,
    QuestionSpec,
    RequestStatus,
    ScaleSummary,
    Withheld,
    declined_count,
    group_order,
    is_blank,
    question_shown,
    summarize_scale,
)
from domain.people import Person
from domain.ports import UnitOfWork
from domain.read_log import ContentRead, ReadSource
from domain.services import feedback as service

if TYPE_CHECKING:
    from api.graphql.goals import GoalNode
    from api.graphql.people import PersonNode

AnonymityType = strawberry.enum(Anonymity, name="FeedbackAnonymity")
QuestionKindType = strawberry.enum(QuestionKind, name="FeedbackQuestionKind")
RequestStatusType = strawberry.enum(RequestStatus, name="FeedbackRequestStatus")
InvitationStatusType = strawberry.enum(InvitationStatus, name="FeedbackInvitationStatus")
WithheldType = strawberry.enum(
    Withheld,
    name="FeedbackResultsWithheld",
    description="Why an ANONYMOUS request shows no answers: it is still collecting, or it "
    "closed with fewer than `threshold` answers that count (never which ones).",
)

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]


async def _person(info: strawberry.Info, person_id: UUID) -> PersonRef:
    from api.graphql.people import PersonNode

    return PersonNode(entity=await info.context.loaders.person.load(person_id))


@strawberry.type(name="FeedbackQuestion")
class QuestionType:
    entity: strawberry.Private[FeedbackQuestion]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.entity.id))

    @strawberry.field
    def kind(self) -> QuestionKindType:  # type: ignore[valid-type]
        return self.entity.kind

    @strawberry.field
    def prompt(self) -> str:
        return self.entity.prompt

    @strawberry.field
    def required(self) -> bool:
        return self.entity.required

    @strawberry.field(description="Label of 1 on a scale question.")
    def low_label(self) -> str:
        return self.entity.low_label

    @strawberry.field(description="Label of 5 on a scale question.")
    def high_label(self) -> str:
        return self.entity.high_label


@strawberry.type(name="FeedbackScaleSummary")
class ScaleSummaryType:
    summary: strawberry.Private[ScaleSummary]

    @strawberry.field
    def count(self) -> int:
        return self.summary.count

    @strawberry.field
    def average(self) -> float | None:
        return self.summary.average

    @strawberry.field(description="How many answered 1, 2, 3, 4 and 5.")
    def distribution(self) -> list[int]:
        return list(self.summary.distribution)


@strawberry.type(description="One person's answer, in a NAMED request.")
class NamedFeedbackAnswer:
    person_id: strawberry.Private[UUID]
    scale_value: int | None
    text: str

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.person_id)


@strawberry.type(description="The answers to one question, as the request's anonymity allows.")
class FeedbackQuestionResult:
    question: QuestionType
    scale: ScaleSummaryType | None
    texts: list[str] = strawberry.field(
        description="Text answers. In an ANONYMOUS request: the group, in an order unrelated "
        "to who wrote what or when."
    )
    named_answers: list[NamedFeedbackAnswer] | None = strawberry.field(
        description="In a NAMED request: each person's answer. Null in an ANONYMOUS one."
    )


@strawberry.type(
    description="Results. An ANONYMOUS request releases nothing before it closed (when due, "
    "by its requester, or early once everyone asked responded) with at least `threshold` "
    "answers that count, and then only as a group. An answer counts when its author had "
    "been a member for the organization's minimum time when the request was made and was "
    "not invited into the organization by the requester."
)
class FeedbackResults:
    released: bool
    reason: WithheldType | None = strawberry.field(  # type: ignore[valid-type]
        description="Why nothing is released; null once it is (and always for NAMED)."
    )
    answered_count: int = strawberry.field(
        description="How many people answered. In an ANONYMOUS request removing someone "
        "afterwards does not change it: what they gave stays in the group."
    )
    declined_count: int = strawberry.field(
        description="How many people declined (removing them afterwards does not change it). "
        "In an ANONYMOUS request only the count: never who, nor why."
    )
    threshold: int | None
    questions: list[FeedbackQuestionResult] = strawberry.field(extensions=[READ])
    content_read: strawberry.Private[ContentRead | None] = None
    """Released answers are the request's content: reading them is a read
    (api.graphql.read_log); counts before release are not."""


@strawberry.type(description="Who was asked and where they stand; never what they answered.")
class FeedbackInviteeStatus:
    invitee_id: strawberry.Private[UUID]
    status: InvitationStatusType | None = strawberry.field(  # type: ignore[valid-type]
        description="Null in an ANONYMOUS request: who answered and who declined is not "
        "shown there, only how many (`results`)."
    )
    decline_reason: str | None = strawberry.field(
        description="In a NAMED request, the reason a decline gave; else null."
    )

    @strawberry.field
    async def invitee(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.invitee_id)


@strawberry.type(
    name="FeedbackRequest",
    description="A request for feedback. Its requester sees everything the anonymity allows "
    "and may share the results; an invitee sees the topic and questions.",
)
class FeedbackRequestNode(EntityNode):
    loader = "feedback_request"
    entity: strawberry.Private[FeedbackRequest]

    async def _requester_viewing(self, info: strawberry.Info) -> bool:
        return (await require_actor(info)).person_id == self.entity.requester_id

    @strawberry.field
    async def requester(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.requester_id)

    @strawberry.field
    def topic(self) -> str:
        return self.entity.topic

    @strawberry.field
    def anonymity(self) -> AnonymityType:  # type: ignore[valid-type]
        return self.entity.anonymity

    @strawberry.field
    def due_at(self) -> datetime:
        return self.entity.due_at

    @strawberry.field
    def status(self) -> RequestStatusType:  # type: ignore[valid-type]
        return self.entity.status

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(description="The goal it is about, if you may read it.")
    async def goal(
        self, info: strawberry.Info
    ) -> Annotated[GoalNode, strawberry.lazy("api.graphql.goals")] | None:
        from api.graphql.goals import GoalNode

        if self.entity.goal_id is None:
            return None
        goal = await info.context.loaders.goal.load(self.entity.goal_id)
        return GoalNode(entity=goal) if goal else None

    @strawberry.field
    async def questions(self, info: strawberry.Info) -> list[QuestionType]:
        found = await info.context.loaders.feedback_questions.load(self.entity.id)
        return [QuestionType(entity=q) for q in found]

    @strawberry.field(description="For the requester only (else null).")
    async def invitees(self, info: strawberry.Info) -> list[FeedbackInviteeStatus] | None:
        if not await self._requester_viewing(info):
            return None
        invitations = [
            i
            for i in await info.context.loaders.feedback_invitations.load(self.entity.id)
            if not i.is_removed
        ]
        if self.entity.anonymity is Anonymity.ANONYMOUS:
            return [
                FeedbackInviteeStatus(invitee_id=i.invitee_id, status=None, decline_reason=None)
                for i in invitations
            ]
        return [
            FeedbackInviteeStatus(
                invitee_id=i.invitee_id,
                status=i.shown_status(self.entity, info.context.now),
                decline_reason=i.decline_reason if i.status is InvitationStatus.DECLINED else None,
            )
            for i in invitations
        ]

    @strawberry.field(
        description="For the requester, and those they shared the results with (else null)."
    )
    async def results(self, info: strawberry.Info) -> FeedbackResults | None:
        if not (
            await self._requester_viewing(info)
            or await info.context.loaders.feedback_shared_with_viewer.load(self.entity.id)
        ):
            return None
        return await results_of(info, self.entity)

    @strawberry.field(description="Whether the requester acknowledged the results.")
    async def acknowledged(self, info: strawberry.Info) -> bool:
        return (await sharing.response(info, self.entity.id)).acknowledged

    @strawberry.field(
        description="Whether the requester turned the results into a goal or a talking point."
    )
    async def acted_on(self, info: strawberry.Info) -> bool:
        return (await sharing.response(info, self.entity.id)).acted_on

    @strawberry.field(description="Whom the results are shared with. For the requester only.")
    async def shared_with(self, info: strawberry.Info) -> list[sharing.FeedbackShareType] | None:
        return await sharing.shares_for_owner(info, self.entity.requester_id, self.entity.id)

    @strawberry.field(description="What the requester did with the results. For them only.")
    async def actions(self, info: strawberry.Info) -> list[sharing.FeedbackActionType] | None:
        return await sharing.actions_for_owner(info, self.entity.requester_id, self.entity.id)

    @strawberry.field(
        description="Who the results were shared with and read them, the latest first; reads "
        "stay after a share is taken back, for the days the log keeps. For the requester only."
    )
    async def read_by(self, info: strawberry.Info) -> list[ReadLogEntryType] | None:
        return await read_by(info, self.entity.requester_id, self.entity.id)


async def results_of(info: strawberry.Info, request: FeedbackRequest) -> FeedbackResults:
    """In an ANONYMOUS request only people who said something count towards
    k, and each question shows its answers only when k of the people who
    answered it count (domain.feedback.question_shown). Until the request
    released its group, only counts show: none of them tells whose answer
    counts."""
    k = request.anonymity_threshold
    submitted = [
        (answerer, answer)
        for answerer, answer in await info.context.loaders.submitted_answers.load(request.id)
        if not is_blank(answer)
    ]
    answered = len({answerer.person_id for answerer, _ in submitted})
    invitations = await info.context.loaders.feedback_invitations.load(request.id)
    declined = declined_count(invitations)
    anonymous = request.anonymity is Anonymity.ANONYMOUS
    withheld = request.withheld()
    if withheld is not None:
        return FeedbackResults(
            released=False,
            reason=withheld,
            answered_count=answered,
            declined_count=declined,
            threshold=k,
            questions=[],
        )
    questions = await info.context.loaders.feedback_questions.load(request.id)
    by_question: dict[UUID, list[tuple[Answerer, FeedbackAnswer]]] = {}
    for answerer, answer in submitted:
        by_question.setdefault(answer.question_id, []).append((answerer, answer))
    results = []
    for question in questions:
        given = by_question.get(question.id, [])
        if not question_shown(request, (answerer for answerer, _ in given)):
            given = []  # too few counting voices on this question to show any
        scale = (
            ScaleSummaryType(
                summary=summarize_scale(a.scale_value for _, a in given if a.scale_value)
            )
            if question.kind is QuestionKind.SCALE
            else None
        )
        texts = [a.text for _, a in given if a.text]
        results.append(
            FeedbackQuestionResult(
                question=QuestionType(entity=question),
                scale=scale,
                texts=group_order(request.id, texts) if anonymous else sorted(texts),
                named_answers=None
                if anonymous
                else [
                    NamedFeedbackAnswer(
                        person_id=who.person_id, scale_value=a.scale_value, text=a.text
                    )
                    for who, a in sorted(given, key=lambda pair: str(pair[0].person_id))
                ],
            )
        )
    return FeedbackResults(
        released=True,
        reason=None,
        answered_count=answered,
        declined_count=declined,
        threshold=k if anonymous else None,
        questions=results,
        content_read=ContentRead(ReadSource.FEEDBACK_RESULTS, request.id, request.requester_id),
    )


@strawberry.type(name="FeedbackAnswer", description="Your own answer to one question.")
class OwnAnswerType:
    entity: strawberry.Private[FeedbackAnswer]

    @strawberry.field
    def question_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.entity.question_id))

    @strawberry.field
    def scale_value(self) -> int | None:
        return self.entity.scale_value

    @strawberry.field
    def text(self) -> str:
        return self.entity.text


@strawberry.type(
    name="FeedbackInvitation",
    description="Your invitation to give feedback; only you ever see it and your answers.",
)
class FeedbackInvitationNode(EntityNode):
    loader = "feedback_invitation"
    entity: strawberry.Private[FeedbackInvitation]

    @strawberry.field
    async def request(self, info: strawberry.Info) -> FeedbackRequestNode:
        found = await info.context.loaders.feedback_request.load(self.entity.request_id)
        return FeedbackRequestNode(entity=found)

    @strawberry.field
    async def status(self, info: strawberry.Info) -> InvitationStatusType:  # type: ignore[valid-type]
        request = await info.context.loaders.feedback_request.load(self.entity.request_id)
        return self.entity.shown_status(request, info.context.now)

    @strawberry.field
    def decline_reason(self) -> str:
        return self.entity.decline_reason

    @strawberry.field(description="Your answers so far (a draft until you submit).")
    async def my_answers(self, info: strawberry.Info) -> list[OwnAnswerType]:
        found = await info.context.loaders.feedback_answers.load(self.entity.id)
        return [OwnAnswerType(entity=a) for a in found]


class HasEntity(Protocol):
    entity: Person


# Fields mounted on Person (only on yourself).


async def feedback_requests(
    root: strawberry.Parent[HasEntity],
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> relay.Connection[FeedbackRequestNode]:
    await require_actor(info)
    request = page_request(info, first=first, after=after, last=last, before=before)
    page = await info.context.loaders.feedback_requests_page(root.entity.id, request)
    return connection(page, lambda r: FeedbackRequestNode(entity=r))


async def feedback_inbox(
    root: strawberry.Parent[HasEntity],
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> relay.Connection[FeedbackInvitationNode] | None:
    actor = await require_actor(info)
    if actor.person_id != root.entity.id:
        return None
    request = page_request(info, first=first, after=after, last=last, before=before)
    page = await info.context.loaders.feedback_inbox_page(request)
    return connection(page, lambda i: FeedbackInvitationNode(entity=i))


@strawberry.type(description="How much someone is asked for feedback: to spread the asking.")
class FeedbackLoadType:
    open_invitations: int = strawberry.field(
        description="Invitations of requests still taking answers: pending ones, and every one "
        "of an ANONYMOUS request until it closes (answered or not, so that the count never "
        "tells when someone answered)."
    )
    asked_last_90_days: int
    last_asked_on: date | None = strawberry.field(
        description="The day (UTC) they were last asked. Only the day: an exact time would "
        "let you tell who else asked them, and when."
    )


async def feedback_load(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> FeedbackLoadType:
    found = await info.context.loaders.feedback_load.load(root.entity.id)
    if found is None:
        return FeedbackLoadType(open_invitations=0, asked_last_90_days=0, last_asked_on=None)
    return FeedbackLoadType(
        open_invitations=found.open_invitations,
        asked_last_90_days=found.asked_recently,
        last_asked_on=found.last_asked_at.astimezone(UTC).date() if found.last_asked_at else None,
    )


async def feedback_suggestions(
    root: strawberry.Parent[HasEntity], info: strawberry.Info, limit: int = 10
) -> list[PersonRef] | None:
    from api.graphql.people import PersonNode

    actor = await require_actor(info)
    if actor.person_id != root.entity.id:
        return None
    limit = max(1, min(limit, info.context.settings.max_page_size))
    found = await info.context.loaders.colleagues_to_ask(limit)
    return [PersonNode(entity=p) for p in found]


# Mutations.


@strawberry.input
class FeedbackQuestionInput:
    kind: QuestionKindType  # type: ignore[valid-type]
    prompt: str
    required: bool = True
    low_label: str = ""
    high_label: str = ""


@strawberry.input
class RequestFeedbackInput:
    topic: str
    anonymity: AnonymityType  # type: ignore[valid-type]
    due_at: datetime
    invitee_ids: list[strawberry.ID]
    questions: list[FeedbackQuestionInput] | None = strawberry.field(
        default=None, description="Your own questions; or give templateId instead."
    )
    template_id: strawberry.ID | None = strawberry.field(
        default=None, description="Ask the questions of an organization template."
    )
    goal_id: strawberry.ID | None = None


@strawberry.input
class CreateFeedbackTemplateInput:
    name: str
    questions: list[FeedbackQuestionInput]


@strawberry.input
class FeedbackTemplateIdInput:
    template_id: strawberry.ID


@strawberry.input
class FeedbackInviteesInput:
    request_id: strawberry.ID
    invitee_ids: list[strawberry.ID]


@strawberry.input
class RemoveFeedbackInviteeInput:
    request_id: strawberry.ID
    invitee_id: strawberry.ID


@strawberry.input
class ExtendFeedbackRequestInput:
    request_id: strawberry.ID
    due_at: datetime


@strawberry.input
class FeedbackRequestIdInput:
    request_id: strawberry.ID


@strawberry.input
class FeedbackAnswerInput:
    question_id: strawberry.ID
    scale_value: int | None = None
    text: str = ""


@strawberry.input
class AnswerFeedbackInput:
    invitation_id: strawberry.ID
    answers: list[FeedbackAnswerInput]
    submit: bool = strawberry.field(
        default=False, description="False saves a draft; true submits (and resubmits an edit)."
    )


@strawberry.input
class DeclineFeedbackInput:
    invitation_id: strawberry.ID
    reason: str = ""


@strawberry.type(name="FeedbackTemplate", description="Questions prepared by org faculty.")
class FeedbackTemplateNode(EntityNode):
    loader = "feedback_template"
    entity: strawberry.Private[FeedbackTemplate]

    @strawberry.field
    def name(self) -> str:
        return self.entity.name

    @strawberry.field
    def archived(self) -> bool:
        return self.entity.archived_at is not None

    @strawberry.field
    def questions(self) -> list[TemplateQuestion]:
        return [
            TemplateQuestion(
                kind=s.kind,
                prompt=s.prompt,
                required=s.required,
                low_label=s.low_label,
                high_label=s.high_label,
            )
            for s in self.entity.specs()
        ]


@strawberry.type
class TemplateQuestion:
    kind: QuestionKindType  # type: ignore[valid-type]
    prompt: str
    required: bool
    low_label: str
    high_label: str


@strawberry.type
class FeedbackTemplatesQuery:
    @strawberry.field(
        description="The organization's feedback templates (archived ones on request)."
    )
    async def feedback_templates(
        self, info: strawberry.Info, include_archived: bool = False
    ) -> list[FeedbackTemplateNode]:
        await require_actor(info)
        found = await info.context.loaders.feedback_templates()
        return [
            FeedbackTemplateNode(entity=t)
            for t in found
            if include_archived or t.archived_at is None
        ]


@strawberry.type
class FeedbackTemplateSuccess:
    template: FeedbackTemplateNode


FeedbackTemplateResult = result_union("FeedbackTemplateResult", FeedbackTemplateSuccess)


def _specs(questions: list[FeedbackQuestionInput]) -> list[QuestionSpec]:
    return [
        QuestionSpec(q.kind, q.prompt, q.required, q.low_label, q.high_label) for q in questions
    ]


@strawberry.type
class FeedbackRequestSuccess:
    request: FeedbackRequestNode


@strawberry.type
class FeedbackInvitationSuccess:
    invitation: FeedbackInvitationNode


FeedbackRequestResult = result_union("FeedbackRequestResult", FeedbackRequestSuccess)
FeedbackInvitationResult = result_union("FeedbackInvitationResult", FeedbackInvitationSuccess)


def _request_id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "FeedbackRequest", field="requestId")


def _invitation_id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "FeedbackInvitation", field="invitationId")


def _people(values: list[strawberry.ID], field: str) -> list[UUID]:
    return [ids.decode(v, "Person", field=field) for v in values]


def _question_id(value: strawberry.ID) -> UUID:
    """Question ids are plain uuids (questions are not nodes)."""
    found = ids.to_uuid(value)
    if found is None:
        raise ValidationFailed("answers", "That is not a question id.", code="INVALID_ID")
    return found


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(description="Ask named peers for feedback.")
    async def request_feedback(
        self, info: strawberry.Info, input: RequestFeedbackInput
    ) -> FeedbackRequestResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackRequestSuccess:
            if (input.questions is None) == (input.template_id is None):
                raise ValidationFailed(
                    "questions",
                    "Give your own questions or a template, not both.",
                    code="ONE_SOURCE",
                )
            questions = (
                _specs(input.questions)
                if input.questions is not None
                else await service.template_questions(
                    uow, ids.decode(input.template_id, "FeedbackTemplate", field="templateId")
                )
            )
            asked = await service.request_feedback(
                uow,
                actor,
                topic=input.topic,
                anonymity=input.anonymity,
                due_at=input.due_at,
                questions=questions,
                invitee_ids=_people(input.invitee_ids, "inviteeIds"),
                goal_id=ids.decode(input.goal_id, "Goal", field="goalId")
                if input.goal_id
                else None,
                now=info.context.now,
            )
            return FeedbackRequestSuccess(request=FeedbackRequestNode(entity=asked.request))

        return await run(info, command)

    @strawberry.mutation(description="Org faculty prepares questions for everyone to ask with.")
    async def create_feedback_template(
        self, info: strawberry.Info, input: CreateFeedbackTemplateInput
    ) -> FeedbackTemplateResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackTemplateSuccess:
            template = await service.create_template(
                uow,
                actor,
                name=input.name,
                questions=_specs(input.questions),
                now=info.context.now,
            )
            return FeedbackTemplateSuccess(template=FeedbackTemplateNode(entity=template))

        return await run(info, command)

    @strawberry.mutation(description="Org faculty stops offering a template.")
    async def archive_feedback_template(
        self, info: strawberry.Info, input: FeedbackTemplateIdInput
    ) -> FeedbackTemplateResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackTemplateSuccess:
            template = await service.archive_template(
                uow,
                actor,
                ids.decode(input.template_id, "FeedbackTemplate", field="templateId"),
                now=info.context.now,
            )
            return FeedbackTemplateSuccess(template=FeedbackTemplateNode(entity=template))

        return await run(info, command)

    @strawberry.mutation(description="Ask more people in an open request.")
    async def add_feedback_invitees(
        self, info: strawberry.Info, input: FeedbackInviteesInput
    ) -> FeedbackRequestResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackRequestSuccess:
            request_id = _request_id(input.request_id)
            await service.add_invitees(
                uow,
                actor,
                request_id,
                _people(input.invitee_ids, "inviteeIds"),
                now=info.context.now,
            )
            return await _request_success(uow, request_id)

        return await run(info, command)

    @strawberry.mutation(
        description="Stop asking someone. In a NAMED request their answers leave the results. "
        "In an ANONYMOUS one only a pending invitation is withdrawn: an answer or a decline "
        "given stays, counted and in the group; the person cannot be asked in it again, and "
        "the request no longer releases early (close it, or let it come due)."
    )
    async def remove_feedback_invitee(
        self, info: strawberry.Info, input: RemoveFeedbackInviteeInput
    ) -> FeedbackRequestResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackRequestSuccess:
            request_id = _request_id(input.request_id)
            await service.remove_invitee(
                uow,
                actor,
                request_id,
                ids.decode(input.invitee_id, "Person", field="inviteeId"),
                now=info.context.now,
            )
            return await _request_success(uow, request_id)

        return await run(info, command)

    @strawberry.mutation(description="Move the due date of an open request later.")
    async def extend_feedback_request(
        self, info: strawberry.Info, input: ExtendFeedbackRequestInput
    ) -> FeedbackRequestResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackRequestSuccess:
            request = await service.extend(
                uow,
                actor,
                _request_id(input.request_id),
                due_at=input.due_at,
                now=info.context.now,
            )
            return FeedbackRequestSuccess(request=FeedbackRequestNode(entity=request))

        return await run(info, command)

    @strawberry.mutation(description="Close a request: no more answers or edits.")
    async def close_feedback_request(
        self, info: strawberry.Info, input: FeedbackRequestIdInput
    ) -> FeedbackRequestResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackRequestSuccess:
            request = await service.close(
                uow, actor, _request_id(input.request_id), now=info.context.now
            )
            return FeedbackRequestSuccess(request=FeedbackRequestNode(entity=request))

        return await run(info, command)

    @strawberry.mutation(description="Save a draft of your answers, or submit them.")
    async def answer_feedback(
        self, info: strawberry.Info, input: AnswerFeedbackInput
    ) -> FeedbackInvitationResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackInvitationSuccess:
            invitation = await service.answer(
                uow,
                actor,
                _invitation_id(input.invitation_id),
                answers=[
                    AnswerInput(_question_id(a.question_id), a.scale_value, a.text)
                    for a in input.answers
                ],
                submit=input.submit,
                now=info.context.now,
            )
            return FeedbackInvitationSuccess(invitation=FeedbackInvitationNode(entity=invitation))

        return await run(info, command)

    @strawberry.mutation(description="Decline an invitation, with a reason if you like.")
    async def decline_feedback(
        self, info: strawberry.Info, input: DeclineFeedbackInput
    ) -> FeedbackInvitationResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> FeedbackInvitationSuccess:
            invitation = await service.decline(
                uow,
                actor,
                _invitation_id(input.invitation_id),
                reason=input.reason,
                now=info.context.now,
            )
            return FeedbackInvitationSuccess(invitation=FeedbackInvitationNode(entity=invitation))

        return await run(info, command)


async def _request_success(uow: UnitOfWork, request_id: UUID) -> FeedbackRequestSuccess:
    request = await uow.feedback.get_request(request_id)
    assert request is not None
    return FeedbackRequestSuccess(request=FeedbackRequestNode(entity=request))
