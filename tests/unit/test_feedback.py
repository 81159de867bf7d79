"""Peer feedback: the pure rules of domain/feedback.py, and every use case of
domain/services/feedback.py on the in-memory unit of work."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.autonomy import AutonomyStage
from domain.errors import Conflict, LimitExceeded, NotFound, ValidationFailed
from domain.feedback import (
    ANSWER_MAX,
    QUESTIONS_MAX,
    REASON_MAX,
    Anonymity,
    Answerer,
    AnswerInput,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackQuestion,
    FeedbackRequest,
    InvitationStatus,
    QuestionKind,
    QuestionSpec,
    RequestStatus,
    ScaleSummary,
    Withheld,
    check_answer,
    check_complete,
    check_questions,
    declined_count,
    group_order,
    question_shown,
    said_something,
    summarize_scale,
)
from domain.goals import Goal
from domain.notifications import NotificationKind
from domain.organizations import Organization
from domain.people import Person
from domain.services import feedback
from domain.services.feedback import Asked
from tests.unit.fakes import FakeUnitOfWorkFactory, Tables, copy_tables
from tests.unit.world import OrgWorld, member

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DUE = NOW + timedelta(days=14)
AFTER_DUE = DUE + timedelta(hours=1)

NAMED = Anonymity.NAMED
ANONYMOUS = Anonymity.ANONYMOUS
TEXT = QuestionKind.TEXT
SCALE = QuestionKind.SCALE

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
REQUESTER = uuid.UUID("00000000-0000-4000-8000-00000000000a")
PEER = uuid.UUID("00000000-0000-4000-8000-00000000000b")
REQUEST_ID = uuid.UUID("00000000-0000-4000-8000-0000000000f1")
OTHER_REQUEST_ID = uuid.UUID("00000000-0000-4000-8000-0000000000f2")

QUESTIONS = (
    QuestionSpec(SCALE, "How clear are my reviews?", low_label="Murky", high_label="Crisp"),
    QuestionSpec(TEXT, "What should I keep doing?"),
    QuestionSpec(TEXT, "Anything else?", required=False),
)


# -- questions -------------------------------------------------------------------------


def test_a_question_is_cleaned() -> None:
    spec = QuestionSpec(SCALE, "  How   clear? ", low_label=" Murky ", high_label="Crisp ")
    assert spec.checked() == QuestionSpec(SCALE, "How clear?", True, "Murky", "Crisp")
    assert QuestionSpec(TEXT, "Why?", required=False).checked().required is False


def test_a_scale_question_needs_no_labels() -> None:
    assert QuestionSpec(SCALE, "How?").checked() == QuestionSpec(SCALE, "How?")


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t"])
def test_a_question_has_a_prompt(prompt: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        QuestionSpec(TEXT, prompt).checked()
    assert (caught.value.field, caught.value.code) == ("prompt", "REQUIRED")


def test_a_prompt_is_bounded() -> None:
    assert QuestionSpec(TEXT, "x" * 500).checked().prompt == "x" * 500
    with pytest.raises(ValidationFailed) as caught:
        QuestionSpec(TEXT, "x" * 501).checked()
    assert caught.value.code == "TOO_LONG"


def test_a_label_is_bounded() -> None:
    with pytest.raises(ValidationFailed) as caught:
        QuestionSpec(SCALE, "How?", high_label="x" * 61).checked()
    assert (caught.value.field, caught.value.code) == ("highLabel", "TOO_LONG")


@pytest.mark.parametrize(("low", "high"), [("Low", ""), ("", "High"), ("Low", "High")])
def test_a_text_question_has_no_labels(low: str, high: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        QuestionSpec(TEXT, "Why?", low_label=low, high_label=high).checked()
    assert caught.value.code == "NOT_ALLOWED"


def test_blank_labels_on_a_text_question_are_no_labels() -> None:
    assert QuestionSpec(TEXT, "Why?", low_label="  ").checked().low_label == ""


def test_check_questions_needs_one() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_questions([])
    assert (caught.value.field, caught.value.code) == ("questions", "REQUIRED")


def test_check_questions_has_a_maximum() -> None:
    most = [QuestionSpec(TEXT, f"Question {n}?") for n in range(QUESTIONS_MAX)]
    assert len(check_questions(most)) == QUESTIONS_MAX
    with pytest.raises(ValidationFailed) as caught:
        check_questions([*most, QuestionSpec(TEXT, "One more?")])
    assert (caught.value.field, caught.value.code) == ("questions", "TOO_MANY")


def test_check_questions_checks_each_in_order() -> None:
    checked = check_questions([QuestionSpec(TEXT, " First "), QuestionSpec(SCALE, "Second")])
    assert [q.prompt for q in checked] == ["First", "Second"]
    with pytest.raises(ValidationFailed) as caught:
        check_questions([QuestionSpec(TEXT, "Fine?"), QuestionSpec(TEXT, " ")])
    assert caught.value.code == "REQUIRED"


# -- the request -------------------------------------------------------------------------


def make_request(
    *, topic: str = "My code reviews", anonymity: Anonymity = NAMED, due_at: datetime = DUE
) -> FeedbackRequest:
    return FeedbackRequest.create(
        organization_id=ORG,
        requester_id=REQUESTER,
        topic=topic,
        anonymity=anonymity,
        due_at=due_at,
        goal_id=None,
        anonymity_threshold=3,
        membership_days=30,
        now=NOW,
    )


def test_create_a_request() -> None:
    request = make_request(topic="  My   code reviews ", anonymity=ANONYMOUS)
    assert request.topic == "My code reviews"
    assert request.anonymity is ANONYMOUS
    assert request.status is RequestStatus.OPEN
    assert (request.created_at, request.due_at, request.closed_at) == (NOW, DUE, None)
    assert request.requester_id == REQUESTER


@pytest.mark.parametrize("due_at", [NOW, NOW - timedelta(seconds=1), NOW - timedelta(days=3)])
def test_a_request_is_due_in_the_future(due_at: datetime) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_request(due_at=due_at)
    assert (caught.value.field, caught.value.code) == ("dueAt", "DUE_IN_PAST")
    assert make_request(due_at=NOW + timedelta(seconds=1)).due_at > NOW


@pytest.mark.parametrize("topic", ["", "   "])
def test_a_request_has_a_topic(topic: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_request(topic=topic)
    assert (caught.value.field, caught.value.code) == ("topic", "REQUIRED")


def test_a_topic_is_bounded() -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_request(topic="x" * 301)
    assert caught.value.code == "TOO_LONG"


def test_a_request_takes_answers_until_it_is_due() -> None:
    request = make_request()
    assert request.takes_answers(NOW)
    assert request.takes_answers(DUE - timedelta(microseconds=1))
    assert not request.takes_answers(DUE)
    assert not request.takes_answers(AFTER_DUE)
    request.require_open(NOW)
    with pytest.raises(Conflict) as caught:
        request.require_open(DUE)
    assert caught.value.code == "REQUEST_CLOSED"


def test_a_closed_request_takes_no_answers() -> None:
    request = make_request()
    request.close([], LATER)
    assert request.status is RequestStatus.CLOSED
    assert request.closed_at == LATER
    assert not request.takes_answers(LATER)
    with pytest.raises(Conflict) as caught:
        request.require_open(LATER)
    assert caught.value.code == "REQUEST_CLOSED"


def test_close_twice() -> None:
    request = make_request()
    request.close([], NOW)
    with pytest.raises(Conflict) as caught:
        request.close([], LATER)
    assert caught.value.code == "REQUEST_CLOSED"
    assert request.closed_at == NOW


def test_a_due_request_can_still_be_closed() -> None:
    request = make_request()
    request.close([], AFTER_DUE)
    assert request.status is RequestStatus.CLOSED


def test_extend_a_request() -> None:
    request = make_request()
    request.extend(DUE + timedelta(days=7), LATER)
    assert request.due_at == DUE + timedelta(days=7)


@pytest.mark.parametrize("due_at", [DUE, DUE - timedelta(days=1)])
def test_extend_moves_the_due_date_later(due_at: datetime) -> None:
    request = make_request()
    with pytest.raises(ValidationFailed) as caught:
        request.extend(due_at, LATER)
    assert (caught.value.field, caught.value.code) == ("dueAt", "NOT_LATER")
    assert request.due_at == DUE


def test_extend_a_closed_or_due_request() -> None:
    closed = make_request()
    closed.close([], NOW)
    with pytest.raises(Conflict) as caught:
        closed.extend(DUE + timedelta(days=7), LATER)
    assert caught.value.code == "REQUEST_CLOSED"
    due = make_request()
    with pytest.raises(Conflict) as caught:
        due.extend(DUE + timedelta(days=7), AFTER_DUE)
    assert caught.value.code == "REQUEST_CLOSED"
    assert (closed.due_at, due.due_at) == (DUE, DUE)


# -- the invitation --------------------------------------------------------------------


def make_invitation(
    request: FeedbackRequest,
    status: InvitationStatus = InvitationStatus.PENDING,
    *,
    removed: bool = False,
) -> FeedbackInvitation:
    """An invitation as stored: a REMOVED one is removed, and in an
    ANONYMOUS request an answered or declined one may be (`removed`)."""
    return FeedbackInvitation(
        organization_id=ORG,
        request_id=request.id,
        invitee_id=PEER,
        created_at=NOW,
        status=status,
        removed_at=NOW if removed or status is InvitationStatus.REMOVED else None,
    )


def test_pending_shows_as_pending_while_the_request_is_open() -> None:
    request = make_request()
    assert make_invitation(request).shown_status(request, NOW) is InvitationStatus.PENDING


def test_pending_shows_as_expired_once_due() -> None:
    request = make_request()
    invitation = make_invitation(request)
    assert invitation.shown_status(request, DUE) is InvitationStatus.EXPIRED
    assert invitation.shown_status(request, AFTER_DUE) is InvitationStatus.EXPIRED
    assert invitation.status is InvitationStatus.PENDING


def test_pending_shows_as_expired_once_closed() -> None:
    request = make_request()
    invitation = make_invitation(request)
    request.close([], NOW)
    assert invitation.shown_status(request, NOW) is InvitationStatus.EXPIRED


@pytest.mark.parametrize(
    "status", [InvitationStatus.DECLINED, InvitationStatus.ANSWERED, InvitationStatus.REMOVED]
)
def test_other_statuses_show_as_they_are(status: InvitationStatus) -> None:
    open_request, closed = make_request(), make_request()
    closed.close([], NOW)
    for request in (open_request, closed):
        invitation = make_invitation(request, status)
        for now in (NOW, AFTER_DUE):
            assert invitation.shown_status(request, now) is status


def test_decline() -> None:
    request = make_request()
    invitation = make_invitation(request)
    invitation.decline(request, "  Too new to the team to judge.  ", LATER)
    assert invitation.status is InvitationStatus.DECLINED
    assert invitation.decline_reason == "Too new to the team to judge."
    assert invitation.declined_at == LATER


def test_decline_without_a_reason() -> None:
    request = make_request()
    invitation = make_invitation(request)
    invitation.decline(request, "", LATER)
    assert invitation.status is InvitationStatus.DECLINED


@pytest.mark.parametrize(
    "status", [InvitationStatus.DECLINED, InvitationStatus.ANSWERED, InvitationStatus.REMOVED]
)
def test_decline_only_a_pending_invitation(status: InvitationStatus) -> None:
    request = make_request()
    invitation = make_invitation(request, status)
    with pytest.raises(Conflict) as caught:
        invitation.decline(request, "No.", LATER)
    assert caught.value.code == "NOT_PENDING"
    assert invitation.status is status


@pytest.mark.parametrize("status", [InvitationStatus.ANSWERED, InvitationStatus.DECLINED])
def test_a_removed_invitation_is_not_answerable_whatever_it_holds(
    status: InvitationStatus,
) -> None:
    request = make_request(anonymity=ANONYMOUS)
    with pytest.raises(Conflict) as caught:
        make_invitation(request, status, removed=True).require_answerable(request, NOW)
    assert (caught.value.code, caught.value.message) == (
        "NOT_ANSWERABLE",
        "This invitation is removed.",
    )


@pytest.mark.parametrize(
    ("anonymity", "status", "kept"),
    [
        (ANONYMOUS, InvitationStatus.PENDING, InvitationStatus.REMOVED),
        (ANONYMOUS, InvitationStatus.ANSWERED, InvitationStatus.ANSWERED),
        (ANONYMOUS, InvitationStatus.DECLINED, InvitationStatus.DECLINED),
        (NAMED, InvitationStatus.PENDING, InvitationStatus.REMOVED),
        (NAMED, InvitationStatus.ANSWERED, InvitationStatus.REMOVED),
        (NAMED, InvitationStatus.DECLINED, InvitationStatus.REMOVED),
    ],
)
def test_a_removal_withdraws_only_a_pending_anonymous_invitation(
    anonymity: Anonymity, status: InvitationStatus, kept: InvitationStatus
) -> None:
    request = make_request(anonymity=anonymity)
    invitation = make_invitation(request, status)
    invitation.remove(request, LATER)
    assert (invitation.status, invitation.removed_at, invitation.is_removed) == (
        kept,
        LATER,
        True,
    )


@pytest.mark.parametrize(
    ("anonymity", "status", "removed", "is_open"),
    [
        (NAMED, InvitationStatus.PENDING, False, True),
        (NAMED, InvitationStatus.ANSWERED, False, False),
        (NAMED, InvitationStatus.DECLINED, False, False),
        (ANONYMOUS, InvitationStatus.PENDING, False, True),
        (ANONYMOUS, InvitationStatus.ANSWERED, False, True),
        (ANONYMOUS, InvitationStatus.DECLINED, False, True),
        (ANONYMOUS, InvitationStatus.ANSWERED, True, False),
        (ANONYMOUS, InvitationStatus.REMOVED, True, False),
    ],
)
def test_an_anonymous_invitation_keeps_its_open_place_until_the_request_closes(
    anonymity: Anonymity, status: InvitationStatus, removed: bool, is_open: bool
) -> None:
    request = make_request(anonymity=anonymity)
    invitation = make_invitation(request, status, removed=removed)
    assert invitation.is_open(request, NOW) is is_open
    assert not invitation.is_open(request, AFTER_DUE)
    request.close([], NOW)
    assert not invitation.is_open(request, NOW)


def test_declines_count_people_removed_or_not() -> None:
    request = make_request()
    twice = [make_invitation(request, InvitationStatus.REMOVED), make_invitation(request)]
    for invitation in twice:
        invitation.declined_at = NOW
    other = make_invitation(request, InvitationStatus.DECLINED)
    other.invitee_id, other.declined_at = REQUESTER, NOW
    assert declined_count([*twice, make_invitation(request)]) == 1
    assert declined_count([*twice, other]) == 2
    assert declined_count([]) == 0


def test_only_a_non_blank_answer_says_something() -> None:
    def given(scale_value: int | None, text: str) -> FeedbackAnswer:
        return FeedbackAnswer(ORG, REQUEST_ID, OTHER_REQUEST_ID, scale_value, text)

    assert not said_something([])
    assert not said_something([given(None, ""), given(None, "  ")])
    assert said_something([given(None, ""), given(3, "")])
    assert said_something([given(None, "Yes.")])


def test_decline_when_the_request_is_closed() -> None:
    request = make_request()
    invitation = make_invitation(request)
    with pytest.raises(Conflict) as caught:
        invitation.decline(request, "No.", AFTER_DUE)
    assert caught.value.code == "REQUEST_CLOSED"
    assert invitation.status is InvitationStatus.PENDING


def test_a_decline_reason_is_bounded() -> None:
    request = make_request()
    invitation = make_invitation(request)
    with pytest.raises(ValidationFailed) as caught:
        invitation.decline(request, "x" * (REASON_MAX + 1), LATER)
    assert (caught.value.field, caught.value.code) == ("reason", "TOO_LONG")
    assert invitation.status is InvitationStatus.PENDING
    invitation.decline(request, "x" * REASON_MAX, LATER)
    assert invitation.status is InvitationStatus.DECLINED


@pytest.mark.parametrize("status", [InvitationStatus.DECLINED, InvitationStatus.REMOVED])
def test_require_answerable(status: InvitationStatus) -> None:
    request = make_request()
    make_invitation(request).require_answerable(request, NOW)
    make_invitation(request, InvitationStatus.ANSWERED).require_answerable(request, NOW)
    with pytest.raises(Conflict) as caught:
        make_invitation(request, status).require_answerable(request, NOW)
    assert caught.value.code == "NOT_ANSWERABLE"
    with pytest.raises(Conflict) as caught:
        make_invitation(request).require_answerable(request, AFTER_DUE)
    assert caught.value.code == "REQUEST_CLOSED"


# -- answers -------------------------------------------------------------------------------


def question(
    kind: QuestionKind, *, required: bool = True, prompt: str = "How?"
) -> FeedbackQuestion:
    return FeedbackQuestion(
        organization_id=ORG,
        request_id=REQUEST_ID,
        position=0,
        kind=kind,
        prompt=prompt,
        required=required,
    )


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_a_scale_answer_from_one_to_five(value: int) -> None:
    scale = question(SCALE)
    given = AnswerInput(scale.id, scale_value=value)
    assert check_answer(scale, given) == given


@pytest.mark.parametrize("value", [0, 6, -1, 100])
def test_a_scale_answer_out_of_range(value: int) -> None:
    scale = question(SCALE)
    with pytest.raises(ValidationFailed) as caught:
        check_answer(scale, AnswerInput(scale.id, scale_value=value))
    assert (caught.value.field, caught.value.code) == ("scaleValue", "OUT_OF_RANGE")


def test_a_scale_answer_may_be_left_empty_in_a_draft() -> None:
    scale = question(SCALE)
    assert check_answer(scale, AnswerInput(scale.id)).scale_value is None


def test_no_text_on_a_scale_question() -> None:
    scale = question(SCALE)
    with pytest.raises(ValidationFailed) as caught:
        check_answer(scale, AnswerInput(scale.id, scale_value=3, text="Mostly clear."))
    assert (caught.value.field, caught.value.code) == ("text", "NOT_ALLOWED")


def test_no_value_on_a_text_question() -> None:
    text = question(TEXT)
    with pytest.raises(ValidationFailed) as caught:
        check_answer(text, AnswerInput(text.id, scale_value=3))
    assert (caught.value.field, caught.value.code) == ("scaleValue", "NOT_ALLOWED")


def test_a_text_answer_is_trimmed_but_keeps_its_lines() -> None:
    text = question(TEXT)
    checked = check_answer(text, AnswerInput(text.id, text="  Keep going.\n\nReally.  "))
    assert checked == AnswerInput(text.id, None, "Keep going.\n\nReally.")


def test_a_text_answer_is_bounded() -> None:
    text = question(TEXT)
    assert len(check_answer(text, AnswerInput(text.id, text="x" * ANSWER_MAX)).text) == ANSWER_MAX
    with pytest.raises(ValidationFailed) as caught:
        check_answer(text, AnswerInput(text.id, text="x" * (ANSWER_MAX + 1)))
    assert (caught.value.field, caught.value.code) == ("text", "TOO_LONG")


def test_complete_when_every_required_question_is_answered() -> None:
    scale, text, optional = question(SCALE), question(TEXT), question(TEXT, required=False)
    check_complete(
        [scale, text, optional],
        {scale.id: AnswerInput(scale.id, 4), text.id: AnswerInput(text.id, text="Good.")},
    )
    check_complete(
        [scale, text, optional],
        {
            scale.id: AnswerInput(scale.id, 4),
            text.id: AnswerInput(text.id, text="Good."),
            optional.id: AnswerInput(optional.id, text=""),
        },
    )


@pytest.mark.parametrize(
    "missing",
    [
        "scale unanswered",
        "text unanswered",
        "scale empty",
        "text blank",
    ],
)
def test_a_required_question_unanswered_or_blank(missing: str) -> None:
    scale, text = question(SCALE, prompt="How clear?"), question(TEXT, prompt="What else?")
    answers = {scale.id: AnswerInput(scale.id, 4), text.id: AnswerInput(text.id, text="Good.")}
    if missing == "scale unanswered":
        del answers[scale.id]
    elif missing == "text unanswered":
        del answers[text.id]
    elif missing == "scale empty":
        answers[scale.id] = AnswerInput(scale.id)
    else:
        answers[text.id] = AnswerInput(text.id, text="  \n ")
    with pytest.raises(ValidationFailed) as caught:
        check_complete([scale, text], answers)
    assert (caught.value.field, caught.value.code) == ("answers", "ANSWER_REQUIRED")


def test_nothing_required_means_nothing_to_answer() -> None:
    check_complete([question(TEXT, required=False), question(SCALE, required=False)], {})


# -- release, order and summary ---------------------------------------------------------------


LONG_AGO = NOW - timedelta(days=365)


def answerer(
    member_since: datetime | None = LONG_AGO,
    invited_by_id: UUID | None = None,
    person_id: UUID | None = None,
) -> Answerer:
    return Answerer(person_id or uuid.uuid4(), member_since, invited_by_id)


def counting(n: int) -> list[Answerer]:
    return [answerer() for _ in range(n)]


@pytest.mark.parametrize("closed", [True, False])
def test_named_results_are_never_withheld(closed: bool) -> None:
    request = make_request()
    if closed:
        request.close([], LATER)
    assert request.withheld() is None
    assert request.released_at is None


def test_anonymous_results_are_withheld_while_collecting() -> None:
    """Shown as they come in, each new text would line up with the invitee
    who just turned ANSWERED."""
    request = make_request(anonymity=ANONYMOUS)
    assert request.withheld() is Withheld.STILL_COLLECTING
    assert not request.close_early([], counting(2), LATER)
    assert request.withheld() is Withheld.STILL_COLLECTING


@pytest.mark.parametrize("answers", [0, 1, 2])
def test_closing_below_k_releases_nothing_ever(answers: int) -> None:
    request = make_request(anonymity=ANONYMOUS)
    request.close(counting(answers), LATER)
    assert request.released_at is None
    assert request.withheld() is Withheld.TOO_FEW_COUNTING_ANSWERS


@pytest.mark.parametrize("answers", [3, 4, 10])
def test_closing_with_k_counting_answers_releases(answers: int) -> None:
    request = make_request(anonymity=ANONYMOUS)
    request.close(counting(answers), LATER)
    assert request.released_at == request.closed_at == LATER
    assert request.withheld() is None


def test_an_answer_counts_after_the_minimum_membership_before_the_request() -> None:
    request = make_request(anonymity=ANONYMOUS)
    minimum = NOW - timedelta(days=30)
    assert request.counts_towards_k(answerer(minimum))
    assert request.counts_towards_k(answerer(LONG_AGO))
    assert not request.counts_towards_k(answerer(minimum + timedelta(seconds=1)))
    assert not request.counts_towards_k(answerer(NOW))
    assert not request.counts_towards_k(answerer(LATER))


def test_someone_who_never_accepted_their_invitation_does_not_count() -> None:
    assert not make_request(anonymity=ANONYMOUS).counts_towards_k(answerer(None))


def test_someone_the_requester_invited_does_not_count_however_long_ago() -> None:
    request = make_request(anonymity=ANONYMOUS)
    assert not request.counts_towards_k(answerer(LONG_AGO, invited_by_id=REQUESTER))
    assert request.counts_towards_k(answerer(LONG_AGO, invited_by_id=PEER))


def test_the_minimum_is_the_requests_not_todays_setting() -> None:
    request = make_request(anonymity=ANONYMOUS)
    request.membership_days = 7
    assert request.counts_towards_k(answerer(NOW - timedelta(days=7)))
    assert not request.counts_towards_k(answerer(NOW - timedelta(days=6)))


def test_k_fake_answers_and_one_real_release_nothing() -> None:
    """The attack: org faculty asks one real colleague and k-1 accounts of
    their own making (new, and invited by them)."""
    request = make_request(anonymity=ANONYMOUS)
    fakes = [answerer(NOW - timedelta(days=1)), answerer(LONG_AGO, invited_by_id=REQUESTER)]
    request.close([answerer(), *fakes, answerer(None)], LATER)
    assert request.released_at is None
    assert request.withheld() is Withheld.TOO_FEW_COUNTING_ANSWERS


def test_one_person_counts_once() -> None:
    request = make_request(anonymity=ANONYMOUS)
    same = uuid.uuid4()
    assert not request.k_rule_holds([answerer(person_id=same) for _ in range(3)])


def test_early_release_once_everyone_responded_and_k_count() -> None:
    request = make_request(anonymity=ANONYMOUS)
    settled = [make_invitation(request, s) for s in (InvitationStatus.ANSWERED,) * 3]
    declined = make_invitation(request, InvitationStatus.DECLINED)
    pending = make_invitation(request)
    assert not request.close_early([*settled, pending], counting(3), LATER)
    assert request.status is RequestStatus.OPEN
    assert not request.close_early([*settled, declined], counting(2), LATER)
    assert request.status is RequestStatus.OPEN
    assert request.close_early([*settled, declined], counting(3), LATER)
    assert (request.status, request.closed_at, request.released_at) == (
        RequestStatus.CLOSED,
        LATER,
        LATER,
    )


@pytest.mark.parametrize(
    "status", [InvitationStatus.REMOVED, InvitationStatus.ANSWERED, InvitationStatus.DECLINED]
)
def test_no_early_release_after_a_removal_whatever_the_removed_had_done(
    status: InvitationStatus,
) -> None:
    """Removing the last one still pending would release at once and
    removing someone who had answered would not: the release would tell
    which of the two they were. So after any removal, no early release."""
    request = make_request(anonymity=ANONYMOUS)
    settled = [make_invitation(request, InvitationStatus.ANSWERED) for _ in range(3)]
    gone = make_invitation(request, status, removed=True)
    assert not request.close_early([*settled, gone], counting(4), LATER)
    assert request.status is RequestStatus.OPEN
    request.close(counting(4), LATER)
    assert request.released_at == LATER


def test_no_early_release_for_a_named_or_due_request() -> None:
    named = make_request()
    assert not named.close_early([], counting(3), LATER)
    due = make_request(anonymity=ANONYMOUS)
    assert not due.close_early([], counting(3), DUE)
    assert (named.status, due.status) == (RequestStatus.OPEN, RequestStatus.OPEN)


def test_a_question_shows_only_with_k_counting_voices() -> None:
    anonymous = make_request(anonymity=ANONYMOUS)
    new = [answerer(NOW), answerer(NOW)]
    assert question_shown(anonymous, counting(3))
    assert question_shown(anonymous, [*counting(3), *new])
    assert not question_shown(anonymous, [*counting(2), *new])
    assert question_shown(make_request(), [])


TEXTS = [f"Answer {n}: {word}" for n, word in enumerate("abcdefghijkl")]


def test_group_order_is_a_permutation() -> None:
    ordered = group_order(REQUEST_ID, TEXTS)
    assert sorted(ordered) == sorted(TEXTS)
    assert group_order(REQUEST_ID, []) == []


def test_group_order_is_independent_of_the_order_answers_were_given() -> None:
    expected = group_order(REQUEST_ID, TEXTS)
    shuffler = random.Random(20260302)
    results = set()
    for _ in range(200):
        given = TEXTS.copy()
        shuffler.shuffle(given)
        results.add(tuple(group_order(REQUEST_ID, given)))
    results.add(tuple(group_order(REQUEST_ID, list(reversed(TEXTS)))))
    results.add(tuple(group_order(REQUEST_ID, iter(TEXTS))))
    assert results == {tuple(expected)}
    # ... so it is neither the order they came in nor its reverse.
    assert expected != TEXTS
    assert expected != list(reversed(TEXTS))
    assert expected != sorted(TEXTS)


def test_group_order_is_stable_across_reads() -> None:
    assert group_order(REQUEST_ID, TEXTS) == group_order(REQUEST_ID, TEXTS)
    assert group_order(REQUEST_ID, ["same", "same", "other"]).count("same") == 2


def test_group_order_is_keyed_by_the_request() -> None:
    assert group_order(REQUEST_ID, TEXTS) != group_order(OTHER_REQUEST_ID, TEXTS)


def test_summarize_scale() -> None:
    assert summarize_scale([5, 4, 4, 2, 5, 5]) == ScaleSummary(
        count=6, average=4.17, distribution=(0, 1, 0, 2, 3)
    )
    assert summarize_scale([1, 2]) == ScaleSummary(2, 1.5, (1, 1, 0, 0, 0))
    assert summarize_scale(iter([3])) == ScaleSummary(1, 3.0, (0, 0, 1, 0, 0))


def test_summarize_rounds_to_two_places() -> None:
    assert summarize_scale([1, 1, 2]).average == 1.33
    assert summarize_scale([2, 2, 1]).average == 1.67


def test_summarize_nothing() -> None:
    assert summarize_scale([]) == ScaleSummary(0, None, (0, 0, 0, 0, 0))


# -- the use cases on the fakes ---------------------------------------------------------------

MEMBERS = ("ada", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo", "kim")


@dataclass
class World(OrgWorld):
    """Acme with active members (ada usually asks), lee who left, and otto of
    Globex, out of reach."""

    outsider: Person

    def stored_organization(self) -> Organization:
        """The row use cases read (the fixture's object is a copy by now)."""
        return self.tables.organizations[self.organization.id]

    @property
    def tables(self) -> Tables:
        return self.uows.db.tables

    def invitation(self, asked: Asked, handle: str) -> FeedbackInvitation:
        """The handle's current (not removed) invitation in the request."""
        found = [
            i
            for i in self.tables.feedback_invitations.values()
            if i.request_id == asked.request.id
            and i.invitee_id == self.id(handle)
            and not i.is_removed
        ]
        assert len(found) == 1
        return found[0]

    def statuses(self, asked: Asked) -> dict[str, list[InvitationStatus]]:
        handles = {p.id: h for h, p in self.people.items()}
        statuses: dict[str, list[InvitationStatus]] = {}
        for i in self.tables.feedback_invitations.values():
            if i.request_id == asked.request.id:
                statuses.setdefault(handles[i.invitee_id], []).append(i.status)
        return statuses

    def answers(self, invitation: FeedbackInvitation) -> dict[UUID, tuple[int | None, str]]:
        return {
            a.question_id: (a.scale_value, a.text)
            for a in self.tables.feedback_answers.values()
            if a.invitation_id == invitation.id
        }


@pytest.fixture
async def world() -> World:
    uows = FakeUnitOfWorkFactory()
    acme = Organization.create(name="Acme", slug="acme", now=NOW)
    globex = Organization.create(name="Globex", slug="globex", now=NOW)
    members = {h: member(acme, h, NOW) for h in (*MEMBERS, "lee")}
    for person in members.values():
        person.member_since = LONG_AGO  # long enough for their answers to count
    members["lee"].mark_left(NOW)
    outsider = member(globex, "otto", NOW)
    async with uows() as uow:
        await uow.organizations.add(acme)
        await uow.organizations.add(globex)
        uow.bind_organization(acme.id)
        for person in members.values():
            await uow.people.add(person)
        await uow.commit()
    async with uows(globex.id) as uow:
        await uow.people.add(outsider)
        await uow.commit()
    return World(uows, acme, members, outsider)


async def ask(
    world: World,
    by: str,
    invitees: Sequence[str],
    *,
    anonymity: Anonymity = NAMED,
    due_at: datetime = DUE,
    questions: Sequence[QuestionSpec] = QUESTIONS,
    goal_id: UUID | None = None,
    now: datetime = NOW,
) -> Asked:
    return await ask_ids(
        world,
        by,
        world.ids(*invitees),
        anonymity=anonymity,
        due_at=due_at,
        questions=questions,
        goal_id=goal_id,
        now=now,
    )


async def ask_ids(
    world: World,
    by: str,
    invitee_ids: Sequence[UUID],
    *,
    anonymity: Anonymity = NAMED,
    due_at: datetime = DUE,
    questions: Sequence[QuestionSpec] = QUESTIONS,
    goal_id: UUID | None = None,
    now: datetime = NOW,
) -> Asked:
    async with world.uow() as uow:
        asked = await feedback.request_feedback(
            uow,
            world.actor(by),
            topic="My code reviews",
            anonymity=anonymity,
            due_at=due_at,
            questions=questions,
            invitee_ids=invitee_ids,
            goal_id=goal_id,
            now=now,
        )
        await uow.commit()
    return asked


def full(asked: Asked, scale: int = 4, text: str = "Keep explaining the why.") -> list[AnswerInput]:
    """Answers to the required questions of QUESTIONS."""
    scale_q, text_q, _ = asked.questions
    return [AnswerInput(scale_q.id, scale_value=scale), AnswerInput(text_q.id, text=text)]


async def answer(
    world: World,
    by: str,
    asked: Asked,
    answers: Sequence[AnswerInput],
    *,
    submit: bool = True,
    now: datetime = LATER,
    invitation_id: UUID | None = None,
) -> FeedbackInvitation:
    if invitation_id is None:
        invitation_id = world.invitation(asked, by).id
    async with world.uow() as uow:
        invitation = await feedback.answer(
            uow, world.actor(by), invitation_id, answers=answers, submit=submit, now=now
        )
        await uow.commit()
    return invitation


async def decline(
    world: World, by: str, asked: Asked, *, reason: str = "", now: datetime = LATER
) -> FeedbackInvitation:
    async with world.uow() as uow:
        invitation = await feedback.decline(
            uow, world.actor(by), world.invitation(asked, by).id, reason=reason, now=now
        )
        await uow.commit()
    return invitation


async def remove(
    world: World, by: str, asked: Asked, invitee: str, *, now: datetime = LATER
) -> FeedbackInvitation:
    async with world.uow() as uow:
        invitation = await feedback.remove_invitee(
            uow, world.actor(by), asked.request.id, world.id(invitee), now=now
        )
        await uow.commit()
    return invitation


async def add(
    world: World, by: str, asked: Asked, invitees: Sequence[str], *, now: datetime = LATER
) -> list[FeedbackInvitation]:
    async with world.uow() as uow:
        invitations = await feedback.add_invitees(
            uow, world.actor(by), asked.request.id, world.ids(*invitees), now=now
        )
        await uow.commit()
    return invitations


async def close(world: World, by: str, asked: Asked, *, now: datetime = LATER) -> FeedbackRequest:
    async with world.uow() as uow:
        request = await feedback.close(uow, world.actor(by), asked.request.id, now=now)
        await uow.commit()
    return request


async def extend(
    world: World, by: str, asked: Asked, due_at: datetime, *, now: datetime = LATER
) -> FeedbackRequest:
    async with world.uow() as uow:
        request = await feedback.extend(
            uow, world.actor(by), asked.request.id, due_at=due_at, now=now
        )
        await uow.commit()
    return request


def notifications(world: World) -> list[tuple[str, NotificationKind, UUID | None]]:
    handles = {p.id: h for h, p in world.people.items()}
    return [
        (handles[n.recipient_id], n.kind, n.feedback_invitation_id)
        for n in world.tables.notifications.values()
    ]


def snapshot(world: World) -> Tables:
    return copy_tables(world.tables)


def unchanged(world: World, before: Tables) -> bool:
    """Every feedback row and notification as it was (compared field by field)."""
    names = (
        "feedback_requests",
        "feedback_questions",
        "feedback_invitations",
        "feedback_answers",
        "notifications",
    )
    return all(
        {k: vars(v) for k, v in getattr(before, name).items()}
        == {k: vars(v) for k, v in getattr(world.tables, name).items()}
        for name in names
    )


# -- request_feedback ---------------------------------------------------------------------


async def test_request_feedback(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy", "dee"], anonymity=ANONYMOUS)
    request = world.tables.feedback_requests[asked.request.id]
    assert request.requester_id == world.id("ada")
    assert request.organization_id == world.organization.id
    assert request.anonymity is ANONYMOUS
    assert request.status is RequestStatus.OPEN
    assert (request.created_at, request.due_at, request.goal_id) == (NOW, DUE, None)
    stored = sorted(
        (q for q in world.tables.feedback_questions.values() if q.request_id == request.id),
        key=lambda q: q.position,
    )
    assert [(q.position, q.kind, q.prompt, q.required) for q in stored] == [
        (0, SCALE, "How clear are my reviews?", True),
        (1, TEXT, "What should I keep doing?", True),
        (2, TEXT, "Anything else?", False),
    ]
    assert (stored[0].low_label, stored[0].high_label) == ("Murky", "Crisp")
    assert [q.id for q in stored] == [q.id for q in asked.questions]
    assert world.statuses(asked) == {
        "bob": [InvitationStatus.PENDING],
        "cy": [InvitationStatus.PENDING],
        "dee": [InvitationStatus.PENDING],
    }
    assert all(i.created_at == NOW for i in asked.invitations)


async def test_an_anonymous_request_asks_at_least_k_people(world: World) -> None:
    """Below k nothing could ever be released: refused when asking."""
    before = copy_tables(world.tables)
    with pytest.raises(ValidationFailed) as caught:
        await ask(world, "ada", ["bob", "cy"], anonymity=ANONYMOUS)
    assert (caught.value.code, caught.value.field) == ("BELOW_ANONYMITY_THRESHOLD", "inviteeIds")
    assert unchanged(world, before)


async def test_the_questions_are_stored_cleaned(world: World) -> None:
    asked = await ask(world, "ada", ["bob"], questions=[QuestionSpec(TEXT, "  Why   not? ")])
    assert [q.prompt for q in asked.questions] == ["Why not?"]


async def test_one_notification_per_invitee(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy", "dee"])
    expected = {
        (world.handle(i.invitee_id), NotificationKind.FEEDBACK_REQUESTED, i.id)
        for i in asked.invitations
    }
    assert set(notifications(world)) == expected
    assert len(notifications(world)) == 3
    assert {n.actor_id for n in world.tables.notifications.values()} == {world.id("ada")}
    assert {n.created_at for n in world.tables.notifications.values()} == {NOW}


async def test_invitees_are_locked_in_id_order(world: World) -> None:
    invitees = ["kim", "bob", "jo", "cy", "hal"]
    world.uows.db.person_locks.clear()
    await ask(world, "ada", invitees)
    assert world.uows.db.person_locks == [sorted(world.ids(*invitees))]


async def test_repeated_invitees_are_asked_once(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy", "bob"])
    assert world.statuses(asked) == {
        "bob": [InvitationStatus.PENDING],
        "cy": [InvitationStatus.PENDING],
    }
    assert len(notifications(world)) == 2


async def test_ask_up_to_the_maximum(world: World) -> None:
    invitees = MEMBERS[1:9]
    assert len(invitees) == world.organization.feedback_max_invitees == 8
    asked = await ask(world, "ada", invitees)
    assert len(asked.invitations) == 8


async def test_ask_more_than_the_maximum(world: World) -> None:
    before = snapshot(world)
    with pytest.raises(LimitExceeded) as caught:
        await ask(world, "ada", MEMBERS[1:10])
    assert (caught.value.limit, caught.value.value) == ("MAX_INVITEES", 8)
    assert unchanged(world, before)


async def test_the_organization_sets_the_maximum(world: World) -> None:
    world.stored_organization().feedback_max_invitees = 2
    await ask(world, "ada", ["bob", "cy"])
    with pytest.raises(LimitExceeded) as caught:
        await ask(world, "ada", ["bob", "cy", "dee"])
    assert (caught.value.limit, caught.value.value) == ("MAX_INVITEES", 2)


async def test_ask_nobody(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await ask(world, "ada", [])
    assert (caught.value.field, caught.value.code) == ("inviteeIds", "REQUIRED")


async def test_ask_oneself(world: World) -> None:
    before = snapshot(world)
    with pytest.raises(ValidationFailed) as caught:
        await ask(world, "ada", ["bob", "ada"])
    assert (caught.value.field, caught.value.code) == ("inviteeIds", "SELF_INVITE")
    assert unchanged(world, before)


async def test_ask_an_unknown_person(world: World) -> None:
    before = snapshot(world)
    with pytest.raises(NotFound):
        await ask_ids(world, "ada", [world.id("bob"), uuid.uuid4()])
    assert unchanged(world, before)


async def test_ask_someone_of_another_organization(world: World) -> None:
    with pytest.raises(NotFound):
        await ask_ids(world, "ada", [world.id("bob"), world.outsider.id])
    assert not world.tables.feedback_requests


async def test_ask_someone_who_left(world: World) -> None:
    before = snapshot(world)
    with pytest.raises(Conflict) as caught:
        await ask(world, "ada", ["bob", "lee"])
    assert (caught.value.code, caught.value.field) == ("PERSON_LEFT", "inviteeIds")
    assert unchanged(world, before)


async def test_ask_with_bad_questions_or_due_date(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await ask(world, "ada", ["bob"], questions=[])
    assert caught.value.code == "REQUIRED"
    with pytest.raises(ValidationFailed) as caught:
        await ask(world, "ada", ["bob"], due_at=NOW)
    assert caught.value.code == "DUE_IN_PAST"
    assert not world.tables.feedback_requests


def make_goal(world: World, owner: str) -> Goal:
    return Goal.create(
        organization_id=world.people[owner].organization_id,
        owner_id=world.id(owner),
        title="Review with care",
        description="",
        stage=AutonomyStage.FIXED_GOALS,
        knowledge_area_id=None,
        target_date=None,
        now=NOW,
    )


async def test_ask_about_ones_own_goal(world: World) -> None:
    goal = make_goal(world, "ada")
    async with world.uow() as uow:
        await uow.goals.add(goal)
        await uow.commit()
    asked = await ask(world, "ada", ["bob"], goal_id=goal.id)
    assert world.tables.feedback_requests[asked.request.id].goal_id == goal.id


async def test_ask_about_someone_elses_goal(world: World) -> None:
    goal = make_goal(world, "bob")
    async with world.uow() as uow:
        await uow.goals.add(goal)
        await uow.commit()
    with pytest.raises(NotFound) as caught:
        await ask(world, "ada", ["cy"], goal_id=goal.id)
    assert caught.value.kind == "Goal"
    with pytest.raises(NotFound):
        await ask(world, "ada", ["cy"], goal_id=uuid.uuid4())
    assert not world.tables.feedback_requests


async def test_ask_about_a_goal_of_another_organization(world: World) -> None:
    foreign = Goal.create(
        organization_id=world.outsider.organization_id,
        owner_id=world.outsider.id,
        title="Elsewhere",
        description="",
        stage=AutonomyStage.TASKS,
        knowledge_area_id=None,
        target_date=None,
        now=NOW,
    )
    async with world.uows(world.outsider.organization_id) as uow:
        await uow.goals.add(foreign)
        await uow.commit()
    with pytest.raises(NotFound):
        await ask(world, "ada", ["cy"], goal_id=foreign.id)


# -- the open-invitation cap ----------------------------------------------------------------

ASKERS = ("cy", "dee", "eve", "fay", "gus")


async def bob_at_the_cap(world: World) -> list[Asked]:
    """Five people each ask bob (the default cap is 5)."""
    assert world.organization.feedback_open_invitation_cap == len(ASKERS)
    return [await ask(world, asker, ["bob", "hal"]) for asker in ASKERS]


async def test_one_below_the_cap_can_be_asked(world: World) -> None:
    for asker in ASKERS[:4]:
        await ask(world, asker, ["bob"])
    asked = await ask(world, "ada", ["bob"])
    assert world.statuses(asked) == {"bob": [InvitationStatus.PENDING]}


async def test_at_the_cap_nobody_can_ask(world: World) -> None:
    await bob_at_the_cap(world)
    before = snapshot(world)
    with pytest.raises(LimitExceeded) as caught:
        await ask(world, "ada", ["ivy", "bob"])
    assert (caught.value.limit, caught.value.value) == ("OPEN_INVITATION_CAP", 5)
    assert "Bob" in caught.value.message
    assert unchanged(world, before)
    # hal, asked five times too, is also at it; jo is not.
    with pytest.raises(LimitExceeded):
        await ask(world, "ada", ["hal"])
    await ask(world, "ada", ["jo"])


async def test_the_organization_sets_the_cap(world: World) -> None:
    world.stored_organization().feedback_open_invitation_cap = 1
    await ask(world, "cy", ["bob"])
    with pytest.raises(LimitExceeded) as caught:
        await ask(world, "ada", ["bob"])
    assert (caught.value.limit, caught.value.value) == ("OPEN_INVITATION_CAP", 1)


async def test_a_closed_request_does_not_count(world: World) -> None:
    requests = await bob_at_the_cap(world)
    await close(world, "cy", requests[0])
    await ask(world, "ada", ["bob"], now=LATER)


async def test_a_due_request_does_not_count(world: World) -> None:
    for asker in ASKERS[:4]:
        await ask(world, asker, ["bob"])
    await ask(world, "gus", ["bob"], due_at=NOW + timedelta(days=1))
    with pytest.raises(LimitExceeded):
        await ask(world, "ada", ["bob"])
    await ask(world, "ada", ["bob"], now=NOW + timedelta(days=1))


async def test_an_answered_invitation_does_not_count(world: World) -> None:
    requests = await bob_at_the_cap(world)
    await answer(world, "bob", requests[0], full(requests[0]))
    await ask(world, "ada", ["bob"], now=LATER)


async def test_a_draft_still_counts(world: World) -> None:
    requests = await bob_at_the_cap(world)
    await answer(world, "bob", requests[0], full(requests[0]), submit=False)
    with pytest.raises(LimitExceeded):
        await ask(world, "ada", ["bob"], now=LATER)


async def test_a_declined_invitation_does_not_count(world: World) -> None:
    requests = await bob_at_the_cap(world)
    await decline(world, "bob", requests[0], reason="Too many asks.")
    await ask(world, "ada", ["bob"], now=LATER)


async def test_a_removed_invitation_does_not_count(world: World) -> None:
    requests = await bob_at_the_cap(world)
    await remove(world, "cy", requests[0], "bob")
    await ask(world, "ada", ["bob"], now=LATER)


@pytest.mark.parametrize("respond", ["answer", "decline"])
async def test_an_anonymous_invitation_counts_until_its_request_closes(
    world: World, respond: str
) -> None:
    """Freed when bob answers, the place would tell the requester when he
    did (everyone sees how many open invitations bob has)."""
    for asker in ASKERS[:4]:
        await ask(world, asker, ["bob"])
    anonymous = await ask(world, "gus", ["bob", "hal", "ivy"], anonymity=ANONYMOUS)
    if respond == "answer":
        await answer(world, "bob", anonymous, full(anonymous))
    else:
        await decline(world, "bob", anonymous)
    with pytest.raises(LimitExceeded):
        await ask(world, "ada", ["bob"], now=LATER)
    await close(world, "gus", anonymous)
    await ask(world, "ada", ["bob"], now=LATER)


async def test_the_cap_applies_when_adding_invitees(world: World) -> None:
    await bob_at_the_cap(world)
    asked = await ask(world, "ada", ["cy"])
    with pytest.raises(LimitExceeded) as caught:
        await add(world, "ada", asked, ["bob"])
    assert caught.value.limit == "OPEN_INVITATION_CAP"


# -- add_invitees / remove_invitee -----------------------------------------------------------


async def test_add_invitees(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    world.tables.notifications.clear()
    world.uows.db.person_locks.clear()
    added = await add(world, "ada", asked, ["dee", "cy", "bob"])
    assert {i.invitee_id for i in added} == set(world.ids("cy", "dee"))
    assert all(i.created_at == LATER for i in added)
    assert world.statuses(asked) == {
        "bob": [InvitationStatus.PENDING],
        "cy": [InvitationStatus.PENDING],
        "dee": [InvitationStatus.PENDING],
    }
    assert sorted(n[0] for n in notifications(world)) == ["cy", "dee"]
    assert world.uows.db.person_locks == [sorted(world.ids("cy", "dee"))]


async def test_add_only_someone_not_asked(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    await decline(world, "cy", asked)
    for already in (["bob"], ["cy"], ["bob", "cy"], []):
        with pytest.raises(ValidationFailed) as caught:
            await add(world, "ada", asked, already)
        assert (caught.value.field, caught.value.code) == ("inviteeIds", "REQUIRED")


async def test_add_up_to_the_maximum(world: World) -> None:
    asked = await ask(world, "ada", MEMBERS[1:6])
    await remove(world, "ada", asked, "bob")
    await add(world, "ada", asked, MEMBERS[6:10])
    with pytest.raises(LimitExceeded) as caught:
        await add(world, "ada", asked, ["kim"])
    assert (caught.value.limit, caught.value.value) == ("MAX_INVITEES", 8)


async def test_add_oneself_someone_who_left_or_a_stranger(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    with pytest.raises(ValidationFailed) as caught:
        await add(world, "ada", asked, ["ada"])
    assert caught.value.code == "SELF_INVITE"
    with pytest.raises(Conflict) as conflict:
        await add(world, "ada", asked, ["lee"])
    assert conflict.value.code == "PERSON_LEFT"
    with pytest.raises(NotFound):
        async with world.uow() as uow:
            await feedback.add_invitees(
                uow, world.actor("ada"), asked.request.id, [world.outsider.id], now=LATER
            )
    assert world.statuses(asked) == {"bob": [InvitationStatus.PENDING]}


async def test_only_the_requester_adds_or_removes(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    for by in ("bob", "dee"):
        with pytest.raises(NotFound):
            await add(world, by, asked, ["eve"])
        with pytest.raises(NotFound):
            await remove(world, by, asked, "cy")
    with pytest.raises(NotFound):
        async with world.uow() as uow:
            await feedback.add_invitees(
                uow, world.actor("ada"), uuid.uuid4(), world.ids("eve"), now=LATER
            )
    assert world.statuses(asked) == {
        "bob": [InvitationStatus.PENDING],
        "cy": [InvitationStatus.PENDING],
    }


async def test_add_or_remove_on_a_closed_or_due_request(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    for now in (DUE, AFTER_DUE):
        with pytest.raises(Conflict) as caught:
            await add(world, "ada", asked, ["dee"], now=now)
        assert caught.value.code == "REQUEST_CLOSED"
        with pytest.raises(Conflict) as caught:
            await remove(world, "ada", asked, "bob", now=now)
        assert caught.value.code == "REQUEST_CLOSED"
    await close(world, "ada", asked)
    with pytest.raises(Conflict):
        await add(world, "ada", asked, ["dee"])
    with pytest.raises(Conflict):
        await remove(world, "ada", asked, "bob")


async def test_remove_invitee(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    removed = await remove(world, "ada", asked, "bob")
    assert removed.invitee_id == world.id("bob")
    assert (removed.status, removed.removed_at) == (InvitationStatus.REMOVED, LATER)
    assert world.statuses(asked) == {
        "bob": [InvitationStatus.REMOVED],
        "cy": [InvitationStatus.PENDING],
    }
    request = world.tables.feedback_requests[asked.request.id]
    assert removed.shown_status(request, AFTER_DUE) is InvitationStatus.REMOVED


async def test_remove_someone_not_asked(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    with pytest.raises(NotFound):
        await remove(world, "ada", asked, "cy")
    await remove(world, "ada", asked, "bob")
    with pytest.raises(NotFound):
        await remove(world, "ada", asked, "bob")


async def test_remove_then_ask_again(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    old = world.invitation(asked, "bob")
    await answer(world, "bob", asked, full(asked, text="First thoughts."))
    await remove(world, "ada", asked, "bob")
    [again] = await add(world, "ada", asked, ["bob"])
    assert again.id != old.id
    assert world.statuses(asked)["bob"] == [InvitationStatus.REMOVED, InvitationStatus.PENDING]
    assert world.answers(again) == {}
    with pytest.raises(Conflict) as caught:
        await answer(world, "bob", asked, full(asked), invitation_id=old.id)
    assert caught.value.code == "NOT_ANSWERABLE"
    await answer(world, "bob", asked, full(asked, text="Second thoughts."))
    assert world.tables.feedback_invitations[again.id].status is InvitationStatus.ANSWERED


async def test_remove_from_an_anonymous_request_keeps_what_was_given(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy", "dee", "eve"], anonymity=ANONYMOUS)
    await answer(world, "bob", asked, full(asked, text="Bob's words."))
    await decline(world, "cy", asked, reason="Busy")
    await answer(world, "dee", asked, full(asked, text="Dee's draft."), submit=False)
    invitations = {h: world.invitation(asked, h).id for h in ("bob", "cy", "dee")}
    for handle in ("bob", "cy", "dee"):
        assert (await remove(world, "ada", asked, handle)).removed_at == LATER
    assert world.statuses(asked) == {
        "bob": [InvitationStatus.ANSWERED],
        "cy": [InvitationStatus.DECLINED],
        "dee": [InvitationStatus.REMOVED],
        "eve": [InvitationStatus.PENDING],
    }
    async with world.uow() as uow:
        answerers = await uow.feedback.answerers(asked.request.id)
        invitations_now = await uow.feedback.invitations_of(asked.request.id)
    assert [a.person_id for a in answerers] == [world.id("bob")]
    assert declined_count(invitations_now) == 1
    for handle in ("bob", "dee"):
        with pytest.raises(Conflict) as caught:
            await answer(world, handle, asked, full(asked), invitation_id=invitations[handle])
        assert caught.value.code == "NOT_ANSWERABLE"
    with pytest.raises(NotFound):
        await remove(world, "ada", asked, "bob")


async def test_an_anonymous_request_asks_nobody_again(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy", "dee", "eve"], anonymity=ANONYMOUS)
    await answer(world, "bob", asked, full(asked))
    await decline(world, "cy", asked)
    for handle in ("bob", "cy", "dee"):
        await remove(world, "ada", asked, handle)
    before = snapshot(world)
    for again in (["bob"], ["cy"], ["dee"], ["fay", "dee"]):
        with pytest.raises(Conflict) as caught:
            await add(world, "ada", asked, again)
        assert (caught.value.code, caught.value.field) == ("REMOVED_BEFORE", "inviteeIds")
    assert unchanged(world, before)
    await add(world, "ada", asked, ["fay"])


async def test_remove_from_a_named_request_after_answers(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy", "dee", "eve"])
    for handle in ("bob", "cy", "dee", "eve"):
        await answer(world, handle, asked, full(asked))
    assert (await remove(world, "ada", asked, "bob")).status is InvitationStatus.REMOVED


async def test_an_anonymous_group_never_changes_once_shown(world: World) -> None:
    """Had the group been shown with bob and then without him, the
    difference would be his. Removing works only while the request collects,
    when nothing is shown; once it is shown, nobody can be removed."""
    asked = await ask(world, "ada", ["bob", "cy", "dee", "eve", "fay"], anonymity=ANONYMOUS)
    for handle in ("bob", "cy", "dee", "eve"):
        await answer(world, handle, asked, full(asked, text=f"From {handle}."))
    request = world.tables.feedback_requests[asked.request.id]
    assert request.withheld() is Withheld.STILL_COLLECTING
    assert (await remove(world, "ada", asked, "bob")).is_removed
    for now in (DUE, AFTER_DUE):
        with pytest.raises(Conflict) as caught:
            await remove(world, "ada", asked, "cy", now=now)
        assert caught.value.code == "REQUEST_CLOSED"
        with pytest.raises(Conflict) as caught:
            await extend(world, "ada", asked, DUE + timedelta(days=7), now=now)
        assert caught.value.code == "REQUEST_CLOSED"
    await close(world, "ada", asked, now=AFTER_DUE)
    assert world.tables.feedback_requests[asked.request.id].released_at == AFTER_DUE
    with pytest.raises(Conflict):
        await remove(world, "ada", asked, "cy", now=AFTER_DUE)
    with pytest.raises(Conflict):
        await add(world, "ada", asked, ["gus"], now=AFTER_DUE)
    assert world.statuses(asked) == {
        "bob": [InvitationStatus.ANSWERED],  # removed, his answer in the group
        "cy": [InvitationStatus.ANSWERED],
        "dee": [InvitationStatus.ANSWERED],
        "eve": [InvitationStatus.ANSWERED],
        "fay": [InvitationStatus.PENDING],
    }


# -- extend / close ---------------------------------------------------------------------------


async def test_extend(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    request = await extend(world, "ada", asked, DUE + timedelta(days=7))
    assert request.due_at == DUE + timedelta(days=7)
    assert world.tables.feedback_requests[asked.request.id].due_at == DUE + timedelta(days=7)
    await answer(world, "bob", asked, full(asked), now=AFTER_DUE)


async def test_extend_rules(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    with pytest.raises(ValidationFailed) as caught:
        await extend(world, "ada", asked, DUE)
    assert caught.value.code == "NOT_LATER"
    with pytest.raises(Conflict) as conflict:
        await extend(world, "ada", asked, DUE + timedelta(days=7), now=AFTER_DUE)
    assert conflict.value.code == "REQUEST_CLOSED"
    for by in ("bob", "cy"):
        with pytest.raises(NotFound):
            await extend(world, by, asked, DUE + timedelta(days=7))
    await close(world, "ada", asked)
    with pytest.raises(Conflict) as conflict:
        await extend(world, "ada", asked, DUE + timedelta(days=7))
    assert conflict.value.code == "REQUEST_CLOSED"
    assert world.tables.feedback_requests[asked.request.id].due_at == DUE


async def test_close(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    await answer(world, "cy", asked, full(asked))
    request = await close(world, "ada", asked)
    assert request.status is RequestStatus.CLOSED
    assert request.closed_at == LATER
    stored = world.tables.feedback_requests[asked.request.id]
    assert stored.status is RequestStatus.CLOSED
    assert world.invitation(asked, "bob").shown_status(stored, LATER) is InvitationStatus.EXPIRED
    assert world.invitation(asked, "cy").shown_status(stored, LATER) is InvitationStatus.ANSWERED


async def test_close_a_due_request(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    assert (await close(world, "ada", asked, now=AFTER_DUE)).status is RequestStatus.CLOSED


async def test_close_rules(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    for by in ("bob", "cy"):
        with pytest.raises(NotFound):
            await close(world, by, asked)
    with pytest.raises(NotFound):
        async with world.uow() as uow:
            await feedback.close(uow, world.actor("ada"), uuid.uuid4(), now=LATER)
    await close(world, "ada", asked)
    with pytest.raises(Conflict) as caught:
        await close(world, "ada", asked)
    assert caught.value.code == "REQUEST_CLOSED"
    assert world.tables.feedback_requests[asked.request.id].closed_at == LATER


# -- answer ---------------------------------------------------------------------------------


async def test_save_a_draft(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    scale_q, text_q, _ = asked.questions
    invitation = await answer(
        world, "bob", asked, [AnswerInput(scale_q.id, scale_value=3)], submit=False
    )
    assert invitation.status is InvitationStatus.PENDING
    assert world.answers(invitation) == {scale_q.id: (3, "")}
    await answer(
        world, "bob", asked, [AnswerInput(text_q.id, text="  Ask more questions. ")], submit=False
    )
    assert world.answers(invitation) == {
        scale_q.id: (3, ""),
        text_q.id: (None, "Ask more questions."),
    }
    assert world.invitation(asked, "bob").status is InvitationStatus.PENDING


async def test_submit(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    scale_q, text_q, _ = asked.questions
    invitation = await answer(world, "bob", asked, full(asked))
    assert invitation.status is InvitationStatus.ANSWERED
    assert world.answers(invitation) == {
        scale_q.id: (4, ""),
        text_q.id: (None, "Keep explaining the why."),
    }
    stored = world.tables.feedback_answers.values()
    assert {a.organization_id for a in stored} == {world.organization.id}


async def test_submit_a_draft(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    scale_q, text_q, _ = asked.questions
    await answer(world, "bob", asked, [AnswerInput(scale_q.id, scale_value=2)], submit=False)
    invitation = await answer(world, "bob", asked, [AnswerInput(text_q.id, text="More.")])
    assert invitation.status is InvitationStatus.ANSWERED
    assert world.answers(invitation) == {scale_q.id: (2, ""), text_q.id: (None, "More.")}


async def test_resubmitting_edits(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    scale_q, text_q, optional_q = asked.questions
    await answer(world, "bob", asked, full(asked))
    invitation = await answer(
        world,
        "bob",
        asked,
        [AnswerInput(scale_q.id, scale_value=5), AnswerInput(optional_q.id, text="Thanks!")],
    )
    assert invitation.status is InvitationStatus.ANSWERED
    assert world.answers(invitation) == {
        scale_q.id: (5, ""),
        text_q.id: (None, "Keep explaining the why."),
        optional_q.id: (None, "Thanks!"),
    }
    assert len(world.tables.feedback_answers) == 3


async def test_an_answered_invitation_stays_answered_and_complete(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    _, text_q, _ = asked.questions
    await answer(world, "bob", asked, full(asked))
    invitation = await answer(
        world, "bob", asked, [AnswerInput(text_q.id, text="Edited.")], submit=False
    )
    assert invitation.status is InvitationStatus.ANSWERED
    before = snapshot(world)
    with pytest.raises(ValidationFailed) as caught:
        await answer(world, "bob", asked, [AnswerInput(text_q.id, text=" ")], submit=False)
    assert caught.value.code == "ANSWER_REQUIRED"
    assert unchanged(world, before)


async def test_submit_with_a_required_question_missing(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    scale_q, _, optional_q = asked.questions
    await answer(world, "bob", asked, [AnswerInput(optional_q.id, text="Draft.")], submit=False)
    before = snapshot(world)
    invitation_id = world.invitation(asked, "bob").id
    async with world.uow() as uow:
        # Nothing is written before the check fails: look inside the unit of
        # work, before leaving it undoes anything.
        with pytest.raises(ValidationFailed) as caught:
            await feedback.answer(
                uow,
                world.actor("bob"),
                invitation_id,
                answers=[AnswerInput(scale_q.id, scale_value=4)],
                submit=True,
                now=LATER,
            )
        assert caught.value.code == "ANSWER_REQUIRED"
        assert unchanged(world, before)
    assert unchanged(world, before)
    assert world.invitation(asked, "bob").status is InvitationStatus.PENDING


async def test_submit_with_a_blank_required_answer(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    scale_q, text_q, _ = asked.questions
    before = snapshot(world)
    with pytest.raises(ValidationFailed) as caught:
        await answer(
            world,
            "bob",
            asked,
            [AnswerInput(scale_q.id, scale_value=4), AnswerInput(text_q.id, text="  \n")],
        )
    assert caught.value.code == "ANSWER_REQUIRED"
    assert unchanged(world, before)


async def test_a_draft_may_be_incomplete_or_blank(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    scale_q, _, _ = asked.questions
    invitation = await answer(world, "bob", asked, [AnswerInput(scale_q.id)], submit=False)
    assert invitation.status is InvitationStatus.PENDING
    invitation = await answer(world, "bob", asked, [], submit=False)
    assert invitation.status is InvitationStatus.PENDING


async def test_answer_an_unknown_question(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    other = await ask(world, "cy", ["bob"])
    before = snapshot(world)
    for question_id in (uuid.uuid4(), other.questions[1].id):
        with pytest.raises(ValidationFailed) as caught:
            await answer(
                world, "bob", asked, [*full(asked), AnswerInput(question_id, text="Stray.")]
            )
        assert (caught.value.field, caught.value.code) == ("answers", "UNKNOWN_QUESTION")
    assert unchanged(world, before)


async def test_answer_a_question_twice_in_one_call(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    scale_q, _, _ = asked.questions
    before = snapshot(world)
    with pytest.raises(ValidationFailed) as caught:
        await answer(world, "bob", asked, [*full(asked), AnswerInput(scale_q.id, scale_value=1)])
    assert caught.value.code == "DUPLICATE"
    assert unchanged(world, before)


async def test_an_answer_is_checked_against_its_question(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    scale_q, text_q, _ = asked.questions
    before = snapshot(world)
    cases: list[tuple[AnswerInput, str]] = [
        (AnswerInput(scale_q.id, scale_value=6), "OUT_OF_RANGE"),
        (AnswerInput(scale_q.id, scale_value=0), "OUT_OF_RANGE"),
        (AnswerInput(scale_q.id, text="Five."), "NOT_ALLOWED"),
        (AnswerInput(text_q.id, scale_value=3), "NOT_ALLOWED"),
        (AnswerInput(text_q.id, text="x" * (ANSWER_MAX + 1)), "TOO_LONG"),
    ]
    for wrong, code in cases:
        with pytest.raises(ValidationFailed) as caught:
            await answer(world, "bob", asked, [wrong], submit=False)
        assert caught.value.code == code
    assert unchanged(world, before)


async def test_only_the_invitee_answers(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    bobs = world.invitation(asked, "bob").id
    for by in ("ada", "cy", "dee"):
        with pytest.raises(NotFound):
            await answer(world, by, asked, full(asked), invitation_id=bobs)
        with pytest.raises(NotFound):
            async with world.uow() as uow:
                await feedback.decline(uow, world.actor(by), bobs, reason="", now=LATER)
    with pytest.raises(NotFound):
        await answer(world, "bob", asked, full(asked), invitation_id=uuid.uuid4())
    assert world.answers(world.invitation(asked, "bob")) == {}
    assert world.invitation(asked, "bob").status is InvitationStatus.PENDING


@pytest.mark.parametrize("when", ["due", "after due", "closed"])
@pytest.mark.parametrize("submit", [True, False])
async def test_answer_a_closed_request(world: World, when: str, submit: bool) -> None:
    asked = await ask(world, "ada", ["bob"])
    now = {"due": DUE, "after due": AFTER_DUE, "closed": LATER}[when]
    if when == "closed":
        await close(world, "ada", asked)
    before = snapshot(world)
    with pytest.raises(Conflict) as caught:
        await answer(world, "bob", asked, full(asked), submit=submit, now=now)
    assert caught.value.code == "REQUEST_CLOSED"
    assert unchanged(world, before)


async def test_edit_after_the_request_closed(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    await answer(world, "bob", asked, full(asked))
    await close(world, "ada", asked)
    with pytest.raises(Conflict) as caught:
        await answer(world, "bob", asked, full(asked, scale=1))
    assert caught.value.code == "REQUEST_CLOSED"
    assert world.answers(world.invitation(asked, "bob"))[asked.questions[0].id] == (4, "")


async def test_answer_a_declined_invitation(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    await decline(world, "bob", asked)
    with pytest.raises(Conflict) as caught:
        await answer(world, "bob", asked, full(asked))
    assert caught.value.code == "NOT_ANSWERABLE"
    assert world.answers(world.invitation(asked, "bob")) == {}


async def test_answer_a_removed_invitation(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    bobs = world.invitation(asked, "bob").id
    await remove(world, "ada", asked, "bob")
    for submit in (True, False):
        with pytest.raises(Conflict) as caught:
            await answer(world, "bob", asked, full(asked), submit=submit, invitation_id=bobs)
        assert caught.value.code == "NOT_ANSWERABLE"
    assert world.tables.feedback_invitations[bobs].status is InvitationStatus.REMOVED
    assert not world.tables.feedback_answers


# -- decline ---------------------------------------------------------------------------------


async def test_decline_an_invitation(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    invitation = await decline(world, "bob", asked, reason="  I joined last week. ")
    assert invitation.status is InvitationStatus.DECLINED
    stored = world.tables.feedback_invitations[invitation.id]
    assert (stored.status, stored.decline_reason) == (
        InvitationStatus.DECLINED,
        "I joined last week.",
    )
    assert world.invitation(asked, "cy").status is InvitationStatus.PENDING


async def test_decline_after_a_draft(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    await answer(world, "bob", asked, full(asked), submit=False)
    assert (await decline(world, "bob", asked)).status is InvitationStatus.DECLINED


async def test_decline_only_pending(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    await answer(world, "bob", asked, full(asked))
    await decline(world, "cy", asked)
    for by in ("bob", "cy"):
        with pytest.raises(Conflict) as caught:
            await decline(world, by, asked, reason="Changed my mind.")
        assert caught.value.code == "NOT_PENDING"
    assert world.statuses(asked) == {
        "bob": [InvitationStatus.ANSWERED],
        "cy": [InvitationStatus.DECLINED],
    }
    assert world.invitation(asked, "cy").decline_reason == ""


async def test_decline_a_removed_invitation(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy"])
    bobs = world.invitation(asked, "bob").id
    await remove(world, "ada", asked, "bob")
    with pytest.raises(Conflict) as caught:
        async with world.uow() as uow:
            await feedback.decline(uow, world.actor("bob"), bobs, reason="", now=LATER)
    assert caught.value.code == "NOT_PENDING"


async def test_decline_a_closed_request(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    with pytest.raises(Conflict) as caught:
        await decline(world, "bob", asked, now=AFTER_DUE)
    assert caught.value.code == "REQUEST_CLOSED"
    assert world.invitation(asked, "bob").status is InvitationStatus.PENDING


async def test_a_decline_reason_is_bounded_in_the_service(world: World) -> None:
    asked = await ask(world, "ada", ["bob"])
    with pytest.raises(ValidationFailed) as caught:
        await decline(world, "bob", asked, reason="x" * (REASON_MAX + 1))
    assert caught.value.code == "TOO_LONG"
    assert world.invitation(asked, "bob").status is InvitationStatus.PENDING


async def test_a_request_keeps_the_threshold_it_was_asked_with(world: World) -> None:
    """Those who answer were promised k; a later change of the setting does
    not apply to requests already made."""
    asked = await ask(world, "ada", ["bob", "cy", "dee"], anonymity=ANONYMOUS)
    assert asked.request.anonymity_threshold == 3


async def test_a_request_keeps_the_membership_minimum_it_was_asked_with(world: World) -> None:
    world.stored_organization().feedback_min_membership_days = 7
    asked = await ask(world, "ada", ["bob", "cy", "dee"], anonymity=ANONYMOUS)
    world.stored_organization().feedback_min_membership_days = 90
    assert world.tables.feedback_requests[asked.request.id].membership_days == 7


# -- release ------------------------------------------------------------------------------


def closings(world: World) -> list[tuple[str, UUID | None, UUID | None]]:
    handles = {p.id: h for h, p in world.people.items()}
    return [
        (handles[n.recipient_id], n.actor_id, n.feedback_request_id)
        for n in world.tables.notifications.values()
        if n.kind is NotificationKind.FEEDBACK_REQUEST_CLOSED
    ]


async def test_the_last_answer_releases_an_anonymous_request_early(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy", "dee", "eve"], anonymity=ANONYMOUS)
    for handle in ("bob", "cy", "dee"):
        await answer(world, handle, asked, full(asked, text=f"From {handle}."))
    await answer(world, "eve", asked, full(asked), submit=False)  # a draft is still pending
    assert world.tables.feedback_requests[asked.request.id].status is RequestStatus.OPEN
    assert closings(world) == []

    await answer(world, "eve", asked, full(asked), now=LATER + timedelta(hours=1))

    request = world.tables.feedback_requests[asked.request.id]
    assert (request.status, request.released_at) == (
        RequestStatus.CLOSED,
        LATER + timedelta(hours=1),
    )
    assert closings(world) == [("ada", None, asked.request.id)]
    with pytest.raises(Conflict) as caught:
        await answer(world, "bob", asked, full(asked, text="Changed my mind."))
    assert caught.value.code == "REQUEST_CLOSED"


async def test_a_decline_of_the_last_pending_releases_too(world: World) -> None:
    asked = await ask(world, "ada", ["bob", "cy", "dee", "eve"], anonymity=ANONYMOUS)
    for handle in ("bob", "cy", "dee"):
        await answer(world, handle, asked, full(asked))
    await decline(world, "eve", asked, reason="Busy")
    request = world.tables.feedback_requests[asked.request.id]
    assert request.released_at == request.closed_at == LATER
    assert closings(world) == [("ada", None, asked.request.id)]


@pytest.mark.parametrize("removed", ["eve", "bob"])
async def test_a_removal_never_releases_early(world: World, removed: str) -> None:
    """Removing eve (the last one pending) and removing bob (who answered)
    look alike: nothing released, and then no early release at all, however
    the others respond; closing releases."""
    pending = "eve" if removed == "eve" else "fay"
    asked = await ask(world, "ada", ["bob", "cy", "dee", "eve", "fay"], anonymity=ANONYMOUS)
    for handle in ("bob", "cy", "dee", "eve", "fay"):
        if handle != pending:
            await answer(world, handle, asked, full(asked))
    await remove(world, "ada", asked, removed)
    request = world.tables.feedback_requests[asked.request.id]
    assert (request.status, request.released_at) == (RequestStatus.OPEN, None)
    if removed == "bob":
        await answer(world, "fay", asked, full(asked), now=LATER + timedelta(hours=1))
        request = world.tables.feedback_requests[asked.request.id]
        assert (request.status, request.released_at) == (RequestStatus.OPEN, None)
    assert closings(world) == []
    closed = await close(world, "ada", asked, now=LATER + timedelta(hours=2))
    assert closed.released_at == LATER + timedelta(hours=2)


async def test_no_early_release_when_too_few_count_or_for_a_named_request(world: World) -> None:
    world.tables.people[world.id("dee")].member_since = NOW - timedelta(days=3)
    anonymous = await ask(world, "ada", ["bob", "cy", "dee"], anonymity=ANONYMOUS)
    named = await ask(world, "ada", ["bob", "cy", "dee"])
    for asked in (anonymous, named):
        for handle in ("bob", "cy", "dee"):
            await answer(world, handle, asked, full(asked))
        assert world.tables.feedback_requests[asked.request.id].status is RequestStatus.OPEN
    assert closings(world) == []


async def test_the_job_pass_closes_due_requests_and_tells_their_requesters(world: World) -> None:
    released = await ask(world, "ada", ["bob", "cy", "dee", "eve"], anonymity=ANONYMOUS)
    withheld = await ask(world, "bob", ["cy", "dee", "eve"], anonymity=ANONYMOUS)
    for handle in ("bob", "cy", "dee"):
        await answer(world, handle, released, full(released))
    await answer(world, "cy", withheld, full(withheld))
    async with world.uow() as uow:
        assert await feedback.close_due_requests(uow, now=AFTER_DUE) == 2
        await uow.commit()
    assert world.tables.feedback_requests[released.request.id].released_at == AFTER_DUE
    assert world.tables.feedback_requests[withheld.request.id].released_at is None
    assert sorted(closings(world)) == sorted(
        [("ada", None, released.request.id), ("bob", None, withheld.request.id)]
    )


async def test_closing_by_hand_releases_only_with_k_counting_and_tells_nobody(
    world: World,
) -> None:
    world.tables.people[world.id("dee")].invited_by_id = world.id("ada")
    asked = await ask(world, "ada", ["bob", "cy", "dee", "eve"], anonymity=ANONYMOUS)
    for handle in ("bob", "cy", "dee"):
        await answer(world, handle, asked, full(asked))
    request = await close(world, "ada", asked)
    assert request.released_at is None
    assert request.withheld() is Withheld.TOO_FEW_COUNTING_ANSWERS
    assert closings(world) == []
