"""Org faculty prepares feedback questions; everyone asks with them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.api.harness import GraphQL, Member, Org
from tests.fakes import FakeClock

CREATE = """
mutation($input: CreateFeedbackTemplateInput!) {
  createFeedbackTemplate(input: $input) {
    __typename
    ... on Error { code }
    ... on FeedbackTemplateSuccess { template { id name questions { kind prompt lowLabel } } }
  }
}
"""
ARCHIVE = """
mutation($input: FeedbackTemplateIdInput!) {
  archiveFeedbackTemplate(input: $input) { __typename ... on Error { code } }
}
"""
REQUEST = """
mutation($input: RequestFeedbackInput!) {
  requestFeedback(input: $input) {
    __typename
    ... on Error { code }
    ... on ValidationError { field }
    ... on FeedbackRequestSuccess { request { questions { kind prompt lowLabel highLabel } } }
  }
}
"""
QUESTIONS = [
    {"kind": "SCALE", "prompt": "How clear was it?", "lowLabel": "Murky", "highLabel": "Clear"},
    {"kind": "TEXT", "prompt": "What would you change?"},
]


async def _create(gql: GraphQL, by: Member, name: str = "Talk") -> dict[str, Any]:
    result = await gql.data(
        CREATE, {"input": {"name": name, "questions": QUESTIONS}}, token=by.token
    )
    return result["createFeedbackTemplate"]


async def _request(gql: GraphQL, by: Member, peer: Member, clock: FakeClock, **source: Any) -> Any:
    values = {
        "topic": "My talk",
        "anonymity": "NAMED",
        "dueAt": (clock.now() + timedelta(days=3)).isoformat(),
        "inviteeIds": [peer.id],
        **source,
    }
    return (await gql.data(REQUEST, {"input": values}, token=by.token))["requestFeedback"]


async def test_a_request_copies_a_templates_questions(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    created = await _create(gql, org.faculty)
    assert created["__typename"] == "FeedbackTemplateSuccess"
    template = created["template"]
    member, peer = await org.add_member(), await org.add_member()
    listed = await gql.data("{ feedbackTemplates { id name } }", token=member.token)
    assert listed["feedbackTemplates"] == [{"id": template["id"], "name": "Talk"}]

    asked = await _request(gql, member, peer, clock, templateId=template["id"])
    assert [q["prompt"] for q in asked["request"]["questions"]] == [
        "How clear was it?",
        "What would you change?",
    ]
    assert asked["request"]["questions"][0]["lowLabel"] == "Murky"

    # Archived: no longer offered nor usable; the request made keeps its questions.
    archived = await gql.data(
        ARCHIVE, {"input": {"templateId": template["id"]}}, token=org.faculty.token
    )
    assert archived["archiveFeedbackTemplate"]["__typename"] == "FeedbackTemplateSuccess"
    assert (await gql.data("{ feedbackTemplates { id } }", token=member.token))[
        "feedbackTemplates"
    ] == []
    refused = await _request(gql, member, peer, clock, templateId=template["id"])
    assert (refused["__typename"], refused["code"]) == ("NotFoundError", "NOT_FOUND")


async def test_only_org_faculty_manages_templates(gql: GraphQL, org: Org) -> None:
    member = await org.add_member()
    refused = await _create(gql, member)
    assert (refused["__typename"], refused["code"]) == ("PermissionDeniedError", "NOT_ORG_FACULTY")
    assert (await gql.data("{ feedbackTemplates { id } }", token=member.token))[
        "feedbackTemplates"
    ] == []
    template = (await _create(gql, org.faculty))["template"]
    refused = await gql.data(ARCHIVE, {"input": {"templateId": template["id"]}}, token=member.token)
    assert refused["archiveFeedbackTemplate"]["code"] == "NOT_ORG_FACULTY"


async def test_questions_come_from_one_source(gql: GraphQL, org: Org, clock: FakeClock) -> None:
    template = (await _create(gql, org.faculty))["template"]
    member, peer = await org.add_member(), await org.add_member()
    for source in ({}, {"templateId": template["id"], "questions": QUESTIONS}):
        refused = await _request(gql, member, peer, clock, **source)
        assert (refused["__typename"], refused["code"], refused["field"]) == (
            "ValidationError",
            "ONE_SOURCE",
            "questions",
        )
    empty = await gql.data(
        CREATE, {"input": {"name": "Empty", "questions": []}}, token=org.faculty.token
    )
    assert empty["createFeedbackTemplate"]["code"] == "REQUIRED"
