"""Peer feedback: a person asks named peers; each peer answers (or declines)
through their own invitation; the answers belong to the person asked about.

Anonymity that holds (DESIGN.md section 3): in ANONYMOUS mode answers are
released only as a group, only once at least `k` answers *count*, and only
once the request stopped collecting answers; below that nothing at all is
released, text or scale. An answer counts when its author said something,
had been a member for the organization's minimum time when the request was
made, and was not invited into the organization by the requester: accounts
made to fill k do not count. The group is ordered by a hash of the content,
never by author or time, and no per-answer timestamp leaves the system.

Removing someone from an ANONYMOUS request withdraws a pending invitation
only: an answer or a decline already given stays (counted, and in the
group), the person leaves the list of those asked either way, cannot be
asked in that request again, and the request no longer releases early.
So nothing the requester sees afterwards (counts, errors, when the group is
released, how many invitations anyone holds open) depends on whether the
person had answered, declined or not yet responded.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from domain import validation
from domain.errors import Conflict, PermissionDenied, ValidationFailed
from domain.ids import new_id

TOPIC_MAX = 300
PROMPT_MAX = 500
LABEL_MAX = 60
ANSWER_MAX = 5000
REASON_MAX = 1000
QUESTIONS_MAX = 20
SCALE = range(1, 6)


class Anonymity(enum.Enum):
    NAMED = "NAMED"
    ANONYMOUS = "ANONYMOUS"


class QuestionKind(enum.Enum):
    TEXT = "TEXT"
    SCALE = "SCALE"


class RequestStatus(enum.Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class Withheld(enum.Enum):
    """Why an ANONYMOUS request shows no answers (yet)."""

    STILL_COLLECTING = "STILL_COLLECTING"
    TOO_FEW_COUNTING_ANSWERS = "TOO_FEW_COUNTING_ANSWERS"


class InvitationStatus(enum.Enum):
    PENDING = "PENDING"
    ANSWERED = "ANSWERED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"
    """Never stored: a PENDING invitation whose request no longer takes answers."""
    REMOVED = "REMOVED"


@dataclass(frozen=True)
class QuestionSpec:
    kind: QuestionKind
    prompt: str
    required: bool = True
    low_label: str = ""
    high_label: str = ""

    def checked(self) -> QuestionSpec:
        prompt = validation.text("prompt", self.prompt, max_length=PROMPT_MAX)
        low = validation.text("lowLabel", self.low_label, max_length=LABEL_MAX, required=False)
        high = validation.text("highLabel", self.high_label, max_length=LABEL_MAX, required=False)
        if self.kind is QuestionKind.TEXT and (low or high):
            raise ValidationFailed(
                "lowLabel", "Only a scale question has labels.", code="NOT_ALLOWED"
            )
        return QuestionSpec(self.kind, prompt, self.required, low, high)


def check_questions(specs: Sequence[QuestionSpec]) -> list[QuestionSpec]:
    if not specs:
        raise ValidationFailed("questions", "Ask at least one question.", code="REQUIRED")
    if len(specs) > QUESTIONS_MAX:
        raise ValidationFailed(
            "questions", f"Ask at most {QUESTIONS_MAX} questions.", code="TOO_MANY"
        )
    return [spec.checked() for spec in specs]


DUE_WITHIN = timedelta(days=366)


def check_due(due_at: datetime, now: datetime) -> None:
    if due_at.tzinfo is None:
        raise ValidationFailed(
            "dueAt", "Give the due date with a timezone offset.", code="INVALID_TIME"
        )
    if due_at <= now:
        raise ValidationFailed("dueAt", "The due date lies in the future.", code="DUE_IN_PAST")
    if due_at > now + DUE_WITHIN:
        raise ValidationFailed("dueAt", "Ask for feedback due within a year.", code="TOO_FAR")


@dataclass(eq=False)
class FeedbackRequest:
    organization_id: UUID
    requester_id: UUID
    topic: str
    anonymity: Anonymity
    due_at: datetime
    created_at: datetime
    anonymity_threshold: int = 3
    """k when the request was made: those who answer were promised it, so a
    later change of the organization's setting does not apply."""
    membership_days: int = 30
    """The membership an answer's author needs for it to count towards k,
    as the organization set it when the request was made."""
    goal_id: UUID | None = None
    status: RequestStatus = RequestStatus.OPEN
    closed_at: datetime | None = None
    released_at: datetime | None = None
    """When an ANONYMOUS request released its group (on closing, with k
    answers counting); None while it shows nothing."""
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        requester_id: UUID,
        topic: str,
        anonymity: Anonymity,
        due_at: datetime,
        goal_id: UUID | None,
        anonymity_threshold: int,
        membership_days: int,
        now: datetime,
    ) -> FeedbackRequest:
        check_due(due_at, now)
        return cls(
            organization_id=organization_id,
            requester_id=requester_id,
            topic=validation.name("topic", topic, max_length=TOPIC_MAX),
            anonymity=anonymity,
            due_at=due_at,
            goal_id=goal_id,
            anonymity_threshold=anonymity_threshold,
            membership_days=membership_days,
            created_at=now,
        )

    def takes_answers(self, now: datetime) -> bool:
        return self.status is RequestStatus.OPEN and now < self.due_at

    def require_requester(self, person_id: UUID) -> None:
        if person_id != self.requester_id:
            raise PermissionDenied(
                "Only the person who asked can change a request.", code="NOT_REQUESTER"
            )

    def require_open(self, now: datetime) -> None:
        if not self.takes_answers(now):
            raise Conflict("This request is closed.", code="REQUEST_CLOSED")

    def extend(self, due_at: datetime, now: datetime) -> None:
        self.require_open(now)
        check_due(due_at, now)
        if due_at <= self.due_at:
            raise ValidationFailed("dueAt", "Extending moves the due date later.", code="NOT_LATER")
        self.due_at = due_at

    def close(self, answerers: Sequence[Answerer], now: datetime) -> None:
        """No more answers or edits; an ANONYMOUS request releases its group
        now if k of its answers count, or never. Callers hold the lock
        answers take, so `answerers` is the final group."""
        if self.status is RequestStatus.CLOSED:
            raise Conflict("This request is closed already.", code="REQUEST_CLOSED")
        self.status, self.closed_at = RequestStatus.CLOSED, now
        if self.anonymity is Anonymity.ANONYMOUS and self.k_rule_holds(answerers):
            self.released_at = now

    def close_early(
        self,
        invitations: Iterable[FeedbackInvitation],
        answerers: Sequence[Answerer],
        now: datetime,
    ) -> bool:
        """An ANONYMOUS request releases without waiting for its due date
        once everyone asked answered or declined and k answers count; it
        closes then, so the released group can never change. Returns
        whether it did. After a removal it waits for its due date or its
        requester's close: had removing the last one still pending released
        it at once, and removing someone who had answered not, the release
        would tell which of the two the removed person was."""
        if (
            self.anonymity is not Anonymity.ANONYMOUS
            or not self.takes_answers(now)
            or any(i.status is InvitationStatus.PENDING or i.is_removed for i in invitations)
            or not self.k_rule_holds(answerers)
        ):
            return False
        self.close(answerers, now)
        return True

    def counts_towards_k(self, answerer: Answerer) -> bool:
        """A member for `membership_days` when the request was made, and not
        invited into the organization by the requester: an account made to
        fill k is either too new or (when org faculty asks) their own."""
        return (
            answerer.member_since is not None
            and answerer.member_since <= self.created_at - timedelta(days=self.membership_days)
            and answerer.invited_by_id != self.requester_id
        )

    def k_rule_holds(self, answerers: Iterable[Answerer]) -> bool:
        counting = {a.person_id for a in answerers if self.counts_towards_k(a)}
        return len(counting) >= self.anonymity_threshold

    def withheld(self) -> Withheld | None:
        """Why the requester sees no answers, or None when they see them
        (NAMED: as they come). Only two reasons, and the second only once
        closed: nothing tells which answers count, only that too few do."""
        if self.anonymity is Anonymity.NAMED or self.released_at is not None:
            return None
        if self.status is RequestStatus.OPEN:
            return Withheld.STILL_COLLECTING
        return Withheld.TOO_FEW_COUNTING_ANSWERS


@dataclass(frozen=True)
class Answerer:
    """Someone whose submitted, non-blank answer is in a request's group
    (removing them takes it out of a NAMED request only), with what the k
    rule needs to know about their membership."""

    person_id: UUID
    member_since: datetime | None
    invited_by_id: UUID | None


@dataclass(eq=False)
class FeedbackQuestion:
    organization_id: UUID
    request_id: UUID
    position: int
    kind: QuestionKind
    prompt: str
    required: bool = True
    low_label: str = ""
    high_label: str = ""
    id: UUID = field(default_factory=new_id)


@dataclass(eq=False)
class FeedbackInvitation:
    organization_id: UUID
    request_id: UUID
    invitee_id: UUID
    created_at: datetime
    status: InvitationStatus = InvitationStatus.PENDING
    decline_reason: str = ""
    reminded_at: datetime | None = None
    declined_at: datetime | None = None
    """Kept when the invitation is removed later: a request counts declines,
    and a count that dropped on removing someone would tell the requester
    of an anonymous one that they had declined."""
    removed_at: datetime | None = None
    """When the requester stopped asking this person (see `remove`)."""
    id: UUID = field(default_factory=new_id)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def is_open(self, request: FeedbackRequest, now: datetime) -> bool:
        """Whether it takes one of the invitee's open places (the cap, and
        `Person.feedbackLoad`, which everyone sees). An ANONYMOUS request's
        invitation keeps its place until the request stops taking answers,
        answered or declined: were the place freed on answering, the
        invitee's count would tell the requester when they answered."""
        return (
            not self.is_removed
            and request.takes_answers(now)
            and (
                self.status is InvitationStatus.PENDING or request.anonymity is Anonymity.ANONYMOUS
            )
        )

    def remove(self, request: FeedbackRequest, now: datetime) -> None:
        """The requester stops asking this person, who leaves the list of
        those asked. In a NAMED request their answers leave the results
        (a decline stays counted). In an ANONYMOUS one only a pending
        invitation is withdrawn: an answer or a decline already given
        stays, counted and in the group, so that removing someone changes
        nothing the requester sees but the list, whatever they had done."""
        self.removed_at = now
        if request.anonymity is Anonymity.NAMED or self.status is InvitationStatus.PENDING:
            self.status = InvitationStatus.REMOVED

    def shown_status(self, request: FeedbackRequest, now: datetime) -> InvitationStatus:
        if self.status is InvitationStatus.PENDING and not request.takes_answers(now):
            return InvitationStatus.EXPIRED
        return self.status

    def require_answerable(self, request: FeedbackRequest, now: datetime) -> None:
        if self.is_removed:
            raise Conflict("This invitation is removed.", code="NOT_ANSWERABLE")
        if self.status is InvitationStatus.DECLINED:
            raise Conflict("This invitation is declined.", code="NOT_ANSWERABLE")
        request.require_open(now)

    def decline(self, request: FeedbackRequest, reason: str, now: datetime) -> None:
        if self.status is not InvitationStatus.PENDING:
            raise Conflict("Only a pending invitation can be declined.", code="NOT_PENDING")
        request.require_open(now)
        self.decline_reason = validation.long_text("reason", reason, max_length=REASON_MAX)
        self.status = InvitationStatus.DECLINED
        self.declined_at = now


@dataclass(eq=False)
class FeedbackAnswer:
    organization_id: UUID
    invitation_id: UUID
    question_id: UUID
    scale_value: int | None = None
    text: str = ""
    id: UUID = field(default_factory=new_id)


@dataclass(frozen=True)
class AnswerInput:
    question_id: UUID
    scale_value: int | None = None
    text: str = ""


def check_answer(question: FeedbackQuestion, given: AnswerInput) -> AnswerInput:
    """One answer, as the question allows it."""
    if question.kind is QuestionKind.SCALE:
        if given.text:
            raise ValidationFailed(
                "text", "A scale question takes a value, not text.", code="NOT_ALLOWED"
            )
        if given.scale_value is not None and given.scale_value not in SCALE:
            raise ValidationFailed(
                "scaleValue", "A scale answer is from 1 to 5.", code="OUT_OF_RANGE"
            )
        return given
    if given.scale_value is not None:
        raise ValidationFailed(
            "scaleValue", "A text question takes text, not a value.", code="NOT_ALLOWED"
        )
    return AnswerInput(
        given.question_id, None, validation.long_text("text", given.text, max_length=ANSWER_MAX)
    )


def check_complete(questions: Iterable[FeedbackQuestion], answers: dict[UUID, AnswerInput]) -> None:
    """Submitting needs every required question answered."""
    for question in questions:
        answer = answers.get(question.id)
        empty = answer is None or (answer.scale_value is None and not answer.text.strip())
        if question.required and empty:
            raise ValidationFailed(
                "answers",
                f"Answer every required question ({question.prompt!r}).",
                code="ANSWER_REQUIRED",
            )


def question_shown(request: FeedbackRequest, authors: Iterable[Answerer]) -> bool:
    """Whether a released ANONYMOUS group shows one question's answers: only
    when k of the people who answered that question count, so a blank or
    optional question never leaves one voice alone. The answers of people
    who do not count are shown with them: whoever can tell those apart (the
    requester who made the accounts) still faces k counting voices."""
    return request.anonymity is Anonymity.NAMED or request.k_rule_holds(authors)


def is_blank(answer: FeedbackAnswer) -> bool:
    """An answer that says nothing. Text is stored stripped, so its SQL
    twins (persistence.feedback_predicates.said_something, and the trigger
    SQL of migration 0011) test for an empty text."""
    return answer.scale_value is None and not answer.text.strip()


def said_something(answers: Iterable[FeedbackAnswer]) -> bool:
    """Only an invitation that holds a non-blank answer counts towards k."""
    return any(not is_blank(answer) for answer in answers)


def declined_count(invitations: Iterable[FeedbackInvitation]) -> int:
    """How many people declined: people, not invitations (someone asked
    again after a removal may decline twice), removed ones included (a
    count that dropped on a removal would tell who had declined)."""
    return len({i.invitee_id for i in invitations if i.declined_at is not None})


def check_not_removed_before(
    request: FeedbackRequest, invitations: Iterable[FeedbackInvitation], invitee_ids: Iterable[UUID]
) -> None:
    """An ANONYMOUS request asks each person once. Someone removed from it
    may have left an answer there; asked again, they would add a second
    one, or a count would move by how they had responded. The refusal is
    the same whatever they had done."""
    if request.anonymity is not Anonymity.ANONYMOUS:
        return
    removed = {i.invitee_id for i in invitations if i.is_removed}
    if any(invitee_id in removed for invitee_id in invitee_ids):
        raise Conflict(
            "Someone you removed from an anonymous request cannot be asked in it again.",
            code="REMOVED_BEFORE",
            field="inviteeIds",
        )


def group_order(request_id: UUID, texts: Iterable[str]) -> list[str]:
    """The order an anonymous group's texts are shown in: by a hash of the
    request and the content. Stable across reads, unrelated to who wrote
    what or when."""
    return sorted(texts, key=lambda t: hashlib.sha256(f"{request_id}:{t}".encode()).hexdigest())


@dataclass(frozen=True)
class ScaleSummary:
    count: int
    average: float | None
    distribution: tuple[int, ...]
    """How many answered 1, 2, 3, 4, 5."""


def summarize_scale(values: Iterable[int]) -> ScaleSummary:
    values = list(values)
    return ScaleSummary(
        count=len(values),
        average=round(sum(values) / len(values), 2) if values else None,
        distribution=tuple(values.count(v) for v in SCALE),
    )


@dataclass(eq=False)
class FeedbackTemplate:
    """Questions org faculty prepares for everyone to ask with. A request
    copies them, so changing a template never changes a request made."""

    organization_id: UUID
    name: str
    questions: list[dict[str, object]]
    created_by_id: UUID
    created_at: datetime
    archived_at: datetime | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(
        cls,
        *,
        organization_id: UUID,
        name: str,
        questions: Sequence[QuestionSpec],
        created_by_id: UUID,
        now: datetime,
    ) -> FeedbackTemplate:
        return cls(
            organization_id=organization_id,
            name=validation.name("name", name, max_length=TOPIC_MAX),
            questions=[_as_data(q) for q in check_questions(questions)],
            created_by_id=created_by_id,
            created_at=now,
        )

    def specs(self) -> list[QuestionSpec]:
        return [
            QuestionSpec(
                kind=QuestionKind(str(q["kind"])),
                prompt=str(q["prompt"]),
                required=bool(q["required"]),
                low_label=str(q["low_label"]),
                high_label=str(q["high_label"]),
            )
            for q in self.questions
        ]

    def archive(self, now: datetime) -> None:
        if self.archived_at is not None:
            raise Conflict("This template is archived already.", code="ARCHIVED")
        self.archived_at = now


def _as_data(spec: QuestionSpec) -> dict[str, object]:
    return {
        "kind": spec.kind.value,
        "prompt": spec.prompt,
        "required": spec.required,
        "low_label": spec.low_label,
        "high_label": spec.high_label,
    }
