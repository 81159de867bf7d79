"""GraphQL documents and helpers for the feedback API tests (requests,
invitations, answers, results and their anonymity). Everything a test checks
goes through the public GraphQL API; `feedback_state` reads the tables
directly only to prove that a refused request changed nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from strawberry import relay

from api.context import Services
from tests.api.harness import GraphQL, Member
from tests.api.queries import mutate
from tests.fakes import FakeClock

ERROR_FIELDS = """
    __typename
    ... on Error { message code }
    ... on ValidationError { field }
    ... on ConflictError { field }
    ... on LimitExceededError { limit value }
"""

QUESTION_FIELDS = "id kind prompt required lowLabel highLabel"

RESULTS_FIELDS = f"""
    released reason answeredCount declinedCount threshold
    questions {{
      question {{ {QUESTION_FIELDS} }}
      scale {{ count average distribution }}
      texts
      namedAnswers {{ person {{ id name }} scaleValue text }}
    }}
"""

REQUEST_FIELDS = f"""
    __typename id topic anonymity dueAt status createdAt
    requester {{ id name }}
    goal {{ id }}
    questions {{ {QUESTION_FIELDS} }}
    invitees {{ status declineReason invitee {{ id name }} }}
    results {{ {RESULTS_FIELDS} }}
"""

INVITATION_FIELDS = f"""
    __typename id status declineReason
    request {{ {REQUEST_FIELDS} }}
    myAnswers {{ questionId scaleValue text }}
"""

_REQUEST_RESULT = f"""
    {ERROR_FIELDS}
    ... on FeedbackRequestSuccess {{ request {{ {REQUEST_FIELDS} }} }}
"""

_INVITATION_RESULT = f"""
    {ERROR_FIELDS}
    ... on FeedbackInvitationSuccess {{ invitation {{ {INVITATION_FIELDS} }} }}
"""

REQUEST_FEEDBACK = f"""
mutation RequestFeedback($input: RequestFeedbackInput!) {{
  requestFeedback(input: $input) {{ {_REQUEST_RESULT} }}
}}
"""

ADD_INVITEES = f"""
mutation AddInvitees($input: FeedbackInviteesInput!) {{
  addFeedbackInvitees(input: $input) {{ {_REQUEST_RESULT} }}
}}
"""

REMOVE_INVITEE = f"""
mutation RemoveInvitee($input: RemoveFeedbackInviteeInput!) {{
  removeFeedbackInvitee(input: $input) {{ {_REQUEST_RESULT} }}
}}
"""

EXTEND = f"""
mutation Extend($input: ExtendFeedbackRequestInput!) {{
  extendFeedbackRequest(input: $input) {{ {_REQUEST_RESULT} }}
}}
"""

CLOSE = f"""
mutation Close($input: FeedbackRequestIdInput!) {{
  closeFeedbackRequest(input: $input) {{ {_REQUEST_RESULT} }}
}}
"""

ANSWER = f"""
mutation Answer($input: AnswerFeedbackInput!) {{
  answerFeedback(input: $input) {{ {_INVITATION_RESULT} }}
}}
"""

DECLINE = f"""
mutation Decline($input: DeclineFeedbackInput!) {{
  declineFeedback(input: $input) {{ {_INVITATION_RESULT} }}
}}
"""

MY_REQUESTS = f"""
{{ viewer {{ feedbackRequests(first: 100) {{ edges {{ node {{ {REQUEST_FIELDS} }} }} }} }} }}
"""

INBOX = f"""
{{ viewer {{ feedbackInbox(first: 100) {{ edges {{ node {{ {INVITATION_FIELDS} }} }} }} }} }}
"""

PERSON_FEEDBACK = """
query PersonFeedback($id: ID!) {
  node(id: $id) {
    __typename
    ... on Person {
      id
      feedbackRequests(first: 100) { edges { node { id topic } } }
      feedbackInbox(first: 100) { edges { node { id status } } }
    }
  }
}
"""

# In `node`, the invitation's status is aliased: it would clash with the
# request's status (a different enum) in the same selection.
_ANY_NODE = f"""
    __typename id
    ... on FeedbackRequest {{ {REQUEST_FIELDS} }}
    ... on FeedbackInvitation {{
      invitationStatus: status declineReason
      request {{ {REQUEST_FIELDS} }}
      myAnswers {{ questionId scaleValue text }}
    }}
"""

NODE = f"""
query Node($id: ID!) {{ node(id: $id) {{ {_ANY_NODE} }} }}
"""

NODES = f"""
query Nodes($ids: [ID!]!) {{ nodes(ids: $ids) {{ {_ANY_NODE} }} }}
"""

UPDATE_SETTINGS = f"""
mutation Settings($input: UpdateOrganizationSettingsInput!) {{
  updateOrganizationSettings(input: $input) {{
    {ERROR_FIELDS}
    ... on OrganizationSuccess {{
      organization {{
        feedbackOpenInvitationCap feedbackAnonymityThreshold feedbackMinMembershipDays
      }}
    }}
  }}
}}
"""


def text_question(prompt: str = "What went well?", *, required: bool = True) -> dict[str, Any]:
    return {"kind": "TEXT", "prompt": prompt, "required": required}


def scale_question(prompt: str = "How clear was it?", *, required: bool = True) -> dict[str, Any]:
    return {
        "kind": "SCALE",
        "prompt": prompt,
        "required": required,
        "lowLabel": "Muddled",
        "highLabel": "Crystal clear",
    }


DEFAULT_QUESTIONS = [text_question(), scale_question()]


def due_in(clock: FakeClock, delta: timedelta = timedelta(days=7)) -> str:
    return (clock.now() + delta).isoformat()


def uuid_of(global_id: str) -> UUID:
    return UUID(relay.GlobalID.from_id(global_id).node_id)


# -- mutations ----------------------------------------------------------------


async def ask(
    gql: GraphQL,
    clock: FakeClock,
    requester: Member,
    invitees: list[Member] | list[str],
    **values: Any,
) -> dict[str, Any]:
    """The typed result of requestFeedback (success or error)."""
    values.setdefault("topic", "My talk at the all-hands")
    values.setdefault("anonymity", "NAMED")
    values.setdefault("dueAt", due_in(clock))
    values.setdefault("questions", DEFAULT_QUESTIONS)
    values["inviteeIds"] = [i if isinstance(i, str) else i.id for i in invitees]
    return await mutate(gql, REQUEST_FEEDBACK, values, token=requester.token)


async def asked(
    gql: GraphQL,
    clock: FakeClock,
    requester: Member,
    invitees: list[Member],
    **values: Any,
) -> dict[str, Any]:
    """A request that must succeed, as its requester sees it."""
    result = await ask(gql, clock, requester, invitees, **values)
    assert result["__typename"] == "FeedbackRequestSuccess", result
    return result["request"]


async def on_request(
    gql: GraphQL, document: str, member: Member, request_id: str, **values: Any
) -> dict[str, Any]:
    return await mutate(gql, document, {"requestId": request_id, **values}, token=member.token)


async def request_changed(
    gql: GraphQL, document: str, member: Member, request_id: str, **values: Any
) -> dict[str, Any]:
    result = await on_request(gql, document, member, request_id, **values)
    assert result["__typename"] == "FeedbackRequestSuccess", result
    return result["request"]


async def answer(
    gql: GraphQL,
    member: Member,
    invitation_id: str,
    answers: list[dict[str, Any]],
    *,
    submit: bool = True,
) -> dict[str, Any]:
    values = {"invitationId": invitation_id, "answers": answers, "submit": submit}
    return await mutate(gql, ANSWER, values, token=member.token)


async def answered(
    gql: GraphQL,
    member: Member,
    invitation_id: str,
    answers: list[dict[str, Any]],
    *,
    submit: bool = True,
) -> dict[str, Any]:
    result = await answer(gql, member, invitation_id, answers, submit=submit)
    assert result["__typename"] == "FeedbackInvitationSuccess", result
    return result["invitation"]


async def decline(
    gql: GraphQL, member: Member, invitation_id: str, reason: str = ""
) -> dict[str, Any]:
    values = {"invitationId": invitation_id, "reason": reason}
    return await mutate(gql, DECLINE, values, token=member.token)


async def give(
    gql: GraphQL,
    member: Member,
    request_id: str,
    *,
    text: str = "Clear structure.",
    scale: int | None = 4,
    submit: bool = True,
) -> dict[str, Any]:
    """`member` answers the default questions of a request (text, then scale)."""
    invitation = await invitation_for(gql, member, request_id)
    questions = invitation["request"]["questions"]
    answers = [{"questionId": questions[0]["id"], "text": text}]
    if scale is not None:
        answers.append({"questionId": questions[1]["id"], "scaleValue": scale})
    return await answered(gql, member, invitation["id"], answers, submit=submit)


async def set_feedback_settings(gql: GraphQL, faculty: Member, **values: Any) -> None:
    result = await mutate(gql, UPDATE_SETTINGS, values, token=faculty.token)
    assert result["__typename"] == "OrganizationSuccess", result


# -- anonymous requests --------------------------------------------------------

ANONYMOUS_QUESTIONS = [
    text_question("What went well?"),
    scale_question("How clear was it?"),
    text_question("What would you change?"),
]


async def anonymous(
    gql: GraphQL, clock: FakeClock, requester: Member, invitees: list[Member], **values: Any
) -> dict[str, Any]:
    values.setdefault("questions", ANONYMOUS_QUESTIONS)
    return await asked(gql, clock, requester, invitees, anonymity="ANONYMOUS", **values)


async def respond(
    gql: GraphQL,
    member: Member,
    request_id: str,
    went_well: str,
    clarity: int,
    change: str,
    *,
    submit: bool = True,
) -> dict[str, Any]:
    invitation = await invitation_for(gql, member, request_id)
    q_well, q_clear, q_change = (q["id"] for q in invitation["request"]["questions"])
    return await answered(
        gql,
        member,
        invitation["id"],
        [
            {"questionId": q_well, "text": went_well},
            {"questionId": q_clear, "scaleValue": clarity},
            {"questionId": q_change, "text": change},
        ],
        submit=submit,
    )


def nothing_released(
    found: dict[str, Any],
    answered_count: int,
    *,
    reason: str = "STILL_COLLECTING",
    declined_count: int = 0,
) -> None:
    """Only counts, the threshold they are measured against, and why."""
    assert found == {
        "released": False,
        "reason": reason,
        "answeredCount": answered_count,
        "declinedCount": declined_count,
        "threshold": 3,
        "questions": [],
    }, found


TOO_FEW = "TOO_FEW_COUNTING_ANSWERS"


# -- queries ------------------------------------------------------------------


async def my_requests(gql: GraphQL, member: Member) -> list[dict[str, Any]]:
    data = await gql.data(MY_REQUESTS, token=member.token)
    return [edge["node"] for edge in data["viewer"]["feedbackRequests"]["edges"]]


async def inbox(gql: GraphQL, member: Member) -> list[dict[str, Any]]:
    data = await gql.data(INBOX, token=member.token)
    return [edge["node"] for edge in data["viewer"]["feedbackInbox"]["edges"]]


async def invitation_for(gql: GraphQL, member: Member, request_id: str) -> dict[str, Any]:
    """`member`'s invitation to a request, from their inbox."""
    (found,) = [i for i in await inbox(gql, member) if i["request"]["id"] == request_id]
    return found


async def node(gql: GraphQL, member: Member, node_id: str) -> dict[str, Any] | None:
    data = await gql.data(NODE, {"id": node_id}, token=member.token)
    return data["node"]


async def nodes(gql: GraphQL, member: Member, node_ids: list[str]) -> list[Any]:
    data = await gql.data(NODES, {"ids": node_ids}, token=member.token)
    return data["nodes"]


async def results(gql: GraphQL, requester: Member, request_id: str) -> dict[str, Any]:
    found = await node(gql, requester, request_id)
    assert found is not None
    return found["results"]


def statuses(request: dict[str, Any]) -> dict[str, str | None]:
    """Invitee id -> shown status, from the requester's view (None in an
    ANONYMOUS request)."""
    return {entry["invitee"]["id"]: entry["status"] for entry in request["invitees"]}


# -- the database, read directly -------------------------------------------------


_TABLES = {
    "feedback_requests": "SELECT * FROM feedback_requests ORDER BY id",
    "feedback_questions": "SELECT * FROM feedback_questions ORDER BY id",
    "feedback_invitations": "SELECT * FROM feedback_invitations ORDER BY id",
    "feedback_answers": "SELECT * FROM feedback_answers ORDER BY id",
    "notifications": "SELECT * FROM notifications ORDER BY id",
}


async def feedback_state(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Everything feedback writes: compared before and after a refused request
    to show it changed nothing."""
    async with services.session_factory() as session:
        return {
            name: [tuple(row) for row in (await session.execute(sa.text(query))).all()]
            for name, query in _TABLES.items()
        }


async def open_invitations(services: Services, member: Member) -> int:
    """Pending invitations of requests still taking answers, counted in the database."""
    async with services.session_factory() as session:
        return (
            await session.execute(
                sa.text(
                    "SELECT count(*) FROM feedback_invitations i "
                    "JOIN feedback_requests r ON r.id = i.request_id "
                    "WHERE i.invitee_id = :person AND i.status = 'PENDING' "
                    "AND r.status = 'OPEN' AND r.due_at > :now"
                ),
                {"person": member.person.id, "now": services.clock.now()},
            )
        ).scalar_one()
