"""Relationship rules of issue 13, through the public API: a duplicate
proposal names the open one (mentorships by area, whoever proposes), a
person ending a relationship says why, a decline may say why to the
proposer only, closed proposals record when, a mentee cannot propose to a
mentor who paused or takes nobody new, a handover tells the person and both
stewards once each, and `Person.steward(at:)` / `Person.stewardships`
answer who stewarded someone at any moment, for everyone who may see
established stewardships. Races are in test_relationship_concurrency.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from api.context import Services
from tests.api.harness import GraphQL, Member, Org
from tests.api.queries import create_area, mutate
from tests.api.relationship_helpers import (
    ACCEPT,
    DECLINE,
    END,
    ERROR_FIELDS,
    FOLLOWER,
    LEADER,
    MARK_LEFT,
    MENTORSHIP,
    STEWARDSHIP,
    WITHDRAW,
    act,
    advance,
    db_state,
    error,
    established,
    history,
    mark_read,
    nodes,
    notifications,
    propose,
    proposed,
    relationship,
    succeeded,
)
from tests.fakes import FakeClock

CLOSED = """
query Closed($id: ID!) {
  node(id: $id) { ... on Relationship { id status closedAt declineReason endedAt endNote } }
}
"""

DUPLICATE = f"""
mutation Propose($input: ProposeRelationshipInput!) {{
  proposeRelationship(input: $input) {{
    {ERROR_FIELDS}
    ... on ConflictError {{ existingId }}
    ... on RelationshipSuccess {{ relationship {{ id }} }}
  }}
}}
"""

OFFER = """
mutation Offer($input: OfferMentoringInput!) {
  offerMentoring(input: $input) { __typename ... on MentorOfferSuccess { offer { id } } }
}
"""
PAUSE = """
mutation Pause($input: PauseMentorOfferInput!) {
  pauseMentorOffer(input: $input) { __typename }
}
"""
PROFILE = """
mutation Profile($input: SetMentorProfileInput!) {
  setMentorProfile(input: $input) { __typename }
}
"""
WISH = """
mutation Wish($input: WishToLearnInput!) {
  wishToLearn(input: $input) { __typename ... on LearningWishSuccess { wish { id } } }
}
"""
ASK = f"""
mutation Ask($input: AskMentorInput!) {{
  askMentor(input: $input) {{
    {ERROR_FIELDS}
    ... on ConflictError {{ existingId }}
    ... on AskMentorSuccess {{ relationship {{ id }} }}
  }}
}}
"""

HANDOVER_NOTICES = """
{
  viewer {
    notifications(first: 10, unreadOnly: true) {
      edges { node {
        kind actor { id }
        relationship { id leader { id } follower { id } handedOverFrom { leader { id } } }
      } }
    }
  }
}
"""

STEWARDSHIPS = """
query Stewardships($id: ID!, $first: Int, $after: String) {
  node(id: $id) { ... on Person {
    stewardships(first: $first, after: $after) {
      edges { node { id leader { id } startedAt endedAt endReason } }
      pageInfo { hasNextPage endCursor }
    }
  } }
}
"""


async def area(gql: GraphQL, org: Org, name: str, parent: str | None = None) -> str:
    return str((await create_area(gql, org.faculty.token, name, parent))["id"])


async def closed(gql: GraphQL, viewer: Member, relationship_id: str) -> dict[str, Any] | None:
    data = await gql.data(CLOSED, {"id": relationship_id}, token=viewer.token)
    return data["node"]


async def propose_twice(
    gql: GraphQL, first: Member, second: Member, other: Member, **values: Any
) -> dict[str, Any]:
    """The second's proposal, typed result with `existingId`."""
    return await mutate(
        gql,
        DUPLICATE,
        {"personId": other.id, "knowledgeAreaIds": [], "message": "", **values},
        token=second.token,
    )


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


# == duplicate proposals name the open one =============================================


async def test_a_duplicate_mentorship_proposal_names_the_open_one(
    gql: GraphQL, org: Org, services: Services
) -> None:
    """Same mentor, mentee and an area in common: refused whoever proposes
    (the mentor offering, or the mentee asking), naming the open proposal;
    another area is another proposal."""
    mentor, mentee = await org.add_member("Mia Mentor"), await org.add_member("Max Mentee")
    go, sql, rust = [await area(gql, org, n) for n in ("Go", "SQL", "Rust")]
    first = await proposed(gql, mentor, mentee, kind=MENTORSHIP, side=LEADER, areas=[go, sql])
    before = await db_state(services)

    repeats = [
        (mentor, mentee, LEADER, [go, sql]),
        (mentor, mentee, LEADER, [sql]),
        (mentee, mentor, FOLLOWER, [go]),
        (mentee, mentor, FOLLOWER, [rust, sql]),
    ]
    for proposer, other, side, areas in repeats:
        result = await propose_twice(
            gql, mentor, proposer, other, kind=MENTORSHIP, side=side, knowledgeAreaIds=areas
        )
        error(result, "ConflictError", "DUPLICATE_PROPOSAL")
        assert result["existingId"] == first["id"]
    assert await db_state(services) == before

    other_area = await proposed(gql, mentee, mentor, kind=MENTORSHIP, side=FOLLOWER, areas=[rust])
    assert other_area["status"] == "PROPOSED"
    # Once the first is declined, its areas are free to ask for again.
    await succeeded(gql, DECLINE, mentee, first["id"])
    again = await proposed(gql, mentee, mentor, kind=MENTORSHIP, side=FOLLOWER, areas=[go])
    assert again["status"] == "PROPOSED"


async def test_a_duplicate_stewardship_proposal_names_the_open_one(gql: GraphQL, org: Org) -> None:
    person, steward = await org.add_member(), await org.add_member()
    first = await proposed(gql, person, steward, kind=STEWARDSHIP, side=FOLLOWER)
    result = await propose_twice(gql, person, steward, person, kind=STEWARDSHIP, side=LEADER)
    error(result, "ConflictError", "DUPLICATE_PROPOSAL")
    assert result["existingId"] == first["id"]
    # The id is one the proposer may open.
    assert (await relationship(gql, steward, result["existingId"]))["status"] == "PROPOSED"  # type: ignore[index]


async def test_asking_the_same_mentor_again_while_pending_is_refused(
    gql: GraphQL, org: Org, services: Services
) -> None:
    mentor, learner = await org.add_member("Mia Mentor"), await org.add_member("Lena Learner")
    backend = await area(gql, org, "Backend")
    await mutate(gql, OFFER, {"knowledgeAreaId": backend, "proficiency": 5}, token=mentor.token)
    wish = await mutate(
        gql, WISH, {"knowledgeAreaId": backend, "current": 1, "desired": 3}, token=learner.token
    )
    values = {"wishId": wish["wish"]["id"], "mentorId": mentor.id}
    first = await mutate(gql, ASK, values, token=learner.token)
    assert first["__typename"] == "AskMentorSuccess", first
    before = await db_state(services)

    again = await mutate(gql, ASK, values, token=learner.token)
    error(again, "ConflictError", "DUPLICATE_PROPOSAL")
    assert again["existingId"] == first["relationship"]["id"]
    # Proposing directly is the same proposal.
    direct = await propose_twice(
        gql, learner, learner, mentor, kind=MENTORSHIP, side=FOLLOWER, knowledgeAreaIds=[backend]
    )
    assert (direct["code"], direct["existingId"]) == (
        "DUPLICATE_PROPOSAL",
        first["relationship"]["id"],
    )
    assert await db_state(services) == before
    # Once the mentor answers, the learner may ask again.
    await succeeded(gql, DECLINE, mentor, first["relationship"]["id"])
    assert (await mutate(gql, ASK, values, token=learner.token))["__typename"] == (
        "AskMentorSuccess"
    )


# == ending needs a reason; declines may give one; closed proposals know when ===========


async def test_ending_a_relationship_needs_a_reason_from_either_side(
    gql: GraphQL, org: Org, services: Services
) -> None:
    leader, follower, colleague = [await org.add_member() for _ in range(3)]
    active = await established(gql, leader, follower)
    before = await db_state(services)
    for member in (leader, follower):
        for blank in ("", "   ", "\n\t ", "\u200b", "\u2060 \u00ad"):
            result = await act(gql, END, member, active["id"], reason=blank)
            error(result, "ValidationError", "REQUIRED", "reason")
    assert await db_state(services) == before
    # Leaving it out is not a valid request at all.
    body = await gql(END, {"input": {"relationshipId": active["id"]}}, token=leader.token)
    assert body["errors"]
    assert body.get("data") is None
    assert await db_state(services) == before

    ended = await succeeded(gql, END, follower, active["id"], reason="  We grew apart. ")
    assert (ended["status"], ended["endNote"]) == ("ENDED", "We grew apart.")
    # The other side reads it; a colleague sees that it ended, not why.
    assert (await closed(gql, leader, active["id"]))["endNote"] == "We grew apart."  # type: ignore[index]
    seen = await closed(gql, colleague, active["id"])
    assert seen is not None
    assert (seen["status"], seen["endNote"]) == ("ENDED", None)


async def test_a_decline_tells_the_proposer_why_and_nobody_else(
    gql: GraphQL, org: Org, clock: FakeClock, make_org: Any
) -> None:
    proposer, decliner = await org.add_member(), await org.add_member()
    colleague, faculty = await org.add_member(), org.faculty
    offer = await proposed(gql, proposer, decliner)
    advance(clock, timedelta(hours=2), org)

    too_long = await act(gql, DECLINE, decliner, offer["id"], reason="x" * 2001)
    error(too_long, "ValidationError", "TOO_LONG", "reason")
    declined = await succeeded(gql, DECLINE, decliner, offer["id"], reason=" Not now, sorry. ")
    assert declined["status"] == "DECLINED"

    for member in (proposer, decliner):
        seen = await closed(gql, member, offer["id"])
        assert seen is not None
        assert seen["declineReason"] == "Not now, sorry."
        assert at(seen["closedAt"]) == clock.now()
        assert seen["endedAt"] is None
    # The proposer is told, and the notification leads to the reason.
    _, items = await notifications(gql, proposer)
    assert (items[0]["kind"], items[0]["relationship"]["id"]) == (
        "RELATIONSHIP_DECLINED",
        offer["id"],
    )
    # A declined proposal does not exist for anyone else, on any path.
    for member in (colleague, faculty):
        assert await closed(gql, member, offer["id"]) is None
        assert await nodes(gql, member, [offer["id"]]) == [None]
        for party in (proposer, decliner):
            assert offer["id"] not in [r["id"] for r in await history(gql, member, party)]
        _, theirs = await notifications(gql, member)
        assert all((n["relationship"] or {}).get("id") != offer["id"] for n in theirs)
    globex = await make_org("Globex")
    assert await closed(gql, globex.faculty, offer["id"]) is None

    # Without a reason the decline says nothing, and that is fine.
    silent = await proposed(
        gql, proposer, decliner, kind=MENTORSHIP, areas=[await area(gql, org, "Go")]
    )
    await succeeded(gql, DECLINE, decliner, silent["id"])
    assert (await closed(gql, proposer, silent["id"]))["declineReason"] == ""  # type: ignore[index]


async def test_withdrawn_and_lapsed_proposals_record_when_they_closed(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    proposer, other, leaver = [await org.add_member() for _ in range(3)]
    withdrawn = await proposed(gql, proposer, other)
    lapsing = await proposed(gql, proposer, leaver, kind="COACHING")
    active = await established(gql, proposer, other, kind="COACHING")
    advance(clock, timedelta(days=1), org)

    await succeeded(gql, WITHDRAW, proposer, withdrawn["id"])
    seen = await closed(gql, other, withdrawn["id"])
    assert seen is not None
    assert (seen["status"], at(seen["closedAt"]), seen["declineReason"]) == (
        "WITHDRAWN",
        clock.now(),
        None,
    )
    advance(clock, timedelta(days=1), org)
    left = await mutate(gql, MARK_LEFT, {"personId": leaver.id}, token=org.faculty.token)
    assert left["__typename"] == "MarkPersonLeftSuccess", left
    seen = await closed(gql, proposer, lapsing["id"])
    assert seen is not None
    assert (seen["status"], at(seen["closedAt"])) == ("WITHDRAWN", clock.now())
    # Accepted ones never closed as proposals.
    assert (await closed(gql, proposer, active["id"]))["closedAt"] is None  # type: ignore[index]


# == proposing to a mentor who paused or takes nobody new =============================


async def test_a_mentee_cannot_propose_to_a_mentor_who_paused_or_takes_nobody_new(
    gql: GraphQL, org: Org, services: Services
) -> None:
    mentor, mentee = await org.add_member("Mia Mentor"), await org.add_member("Max Mentee")
    backend = await area(gql, org, "Backend")
    databases = await area(gql, org, "Databases", backend)
    design = await area(gql, org, "Design")
    created = await mutate(
        gql, OFFER, {"knowledgeAreaId": backend, "proficiency": 4}, token=mentor.token
    )
    await mutate(gql, PAUSE, {"offerId": created["offer"]["id"]}, token=mentor.token)
    wish = await mutate(
        gql, WISH, {"knowledgeAreaId": databases, "current": 1, "desired": 3}, token=mentee.token
    )
    before = await db_state(services)

    # Paused in the area itself, or above it: what askMentor says, said here too.
    for areas in ([backend], [databases], [design, databases]):
        result = await propose(gql, mentee, mentor, kind=MENTORSHIP, side=FOLLOWER, areas=areas)
        error(result, "ConflictError", "NOT_ACCEPTING", "personId")
    asked = await mutate(
        gql, ASK, {"wishId": wish["wish"]["id"], "mentorId": mentor.id}, token=mentee.token
    )
    error(asked, "ConflictError", "NOT_ACCEPTING", "mentorId")
    assert await db_state(services) == before

    # Where the mentor offers nothing, a direct proposal may still ask.
    elsewhere = await proposed(gql, mentee, mentor, kind=MENTORSHIP, side=FOLLOWER, areas=[design])
    assert elsewhere["status"] == "PROPOSED"
    # A mentor offering themselves is their own consent, paused or not.
    await succeeded(gql, WITHDRAW, mentee, elsewhere["id"])
    offered = await proposed(gql, mentor, mentee, kind=MENTORSHIP, side=LEADER, areas=[backend])
    await succeeded(gql, WITHDRAW, mentor, offered["id"])

    # Resumed: asking works; not accepting anyone new: refused everywhere.
    await mutate(
        gql, PAUSE, {"offerId": created["offer"]["id"], "paused": False}, token=mentor.token
    )
    resumed = await proposed(gql, mentee, mentor, kind=MENTORSHIP, side=FOLLOWER, areas=[databases])
    await succeeded(gql, WITHDRAW, mentee, resumed["id"])
    await mutate(gql, PROFILE, {"accepting": False}, token=mentor.token)
    before = await db_state(services)
    for areas in ([databases], [design]):
        result = await propose(gql, mentee, mentor, kind=MENTORSHIP, side=FOLLOWER, areas=areas)
        error(result, "ConflictError", "NOT_ACCEPTING", "personId")
    assert await db_state(services) == before
    # Stewardship and coaching are not about mentor offers.
    assert (await proposed(gql, mentee, mentor, side=FOLLOWER))["status"] == "PROPOSED"


# == a handover tells three people, once each ===========================================


async def test_a_handover_tells_the_person_and_both_stewards_once_with_both_stewards(
    gql: GraphQL, org: Org
) -> None:
    for accepter in ("person", "new steward"):
        old, new, person_ = [await org.add_member() for _ in range(3)]
        await established(gql, old, person_)
        if accepter == "person":
            proposal = await proposed(gql, new, person_)
            responder = person_
        else:
            proposal = await proposed(gql, person_, new, side=FOLLOWER)
            responder = new
        for member in (old, new, person_):
            await mark_read(gql, member, None)

        await succeeded(gql, ACCEPT, responder, proposal["id"])

        for member in (old, new, person_):
            data = await gql.data(HANDOVER_NOTICES, token=member.token)
            notices = [e["node"] for e in data["viewer"]["notifications"]["edges"]]
            assert notices == [
                {
                    "kind": "STEWARDSHIP_HANDED_OVER",
                    "actor": {"id": responder.id},
                    "relationship": {
                        "id": proposal["id"],
                        "leader": {"id": new.id},
                        "follower": {"id": person_.id},
                        "handedOverFrom": {"leader": {"id": old.id}},
                    },
                }
            ], (accepter, member.person.name)


# == who stewarded someone, at any moment ==============================================


def _steward_at_query(count: int) -> str:
    variables = ", ".join(f"$m{i}: DateTime" for i in range(count))
    fields = " ".join(f"m{i}: steward(at: $m{i}) {{ id leader {{ id }} }}" for i in range(count))
    return f"""
query StewardAt($id: ID!, {variables}) {{
  node(id: $id) {{ ... on Person {{ now: steward {{ id }} {fields} }} }}
}}
"""


async def test_steward_at_any_moment_for_everyone_who_sees_stewardships(
    gql: GraphQL, org: Org, clock: FakeClock, make_org: Any
) -> None:
    first, second, third, colleague = [await org.add_member() for _ in range(4)]
    person_ = await org.add_member("Pat Person")
    before_all = clock.now()
    advance(clock, timedelta(days=1), org)
    s1 = await established(gql, first, person_)
    t1 = clock.now()
    advance(clock, timedelta(days=10), org)
    s2 = await proposed(gql, second, person_)
    await succeeded(gql, ACCEPT, person_, s2["id"])  # a handover
    t2 = clock.now()
    advance(clock, timedelta(days=10), org)
    await succeeded(gql, END, person_, s2["id"], reason="I will find someone closer.")
    t3 = clock.now()
    advance(clock, timedelta(days=10), org)
    declined = await proposed(gql, third, person_)
    await succeeded(gql, DECLINE, person_, declined["id"])
    await proposed(gql, first, person_)  # pending: nobody stewards yet

    moments = [
        (before_all, None),
        (t1 - timedelta(seconds=1), None),
        (t1, s1["id"]),
        (t1 + timedelta(days=5), s1["id"]),
        (t2, s2["id"]),  # the handover's moment belongs to the new steward
        (t2 + timedelta(days=5), s2["id"]),
        (t3, None),
        (clock.now(), None),
    ]
    query = _steward_at_query(len(moments))
    variables: dict[str, Any] = {"id": person_.id}
    for i, (moment, _) in enumerate(moments):
        # Any offset names the same moment.
        variables[f"m{i}"] = moment.astimezone().isoformat() if i % 2 else moment.isoformat()
    expected = {f"m{i}": found for i, (_, found) in enumerate(moments)}
    # Mandates are transparent: the person, former and would-be stewards, a
    # colleague and org faculty all get the same answer.
    for viewer in (person_, first, second, third, colleague, org.faculty):
        data = await gql.data(query, variables, token=viewer.token)
        person_node = data["node"]
        answered = {k: (v["id"] if v else None) for k, v in person_node.items() if k != "now"}
        assert answered == expected, viewer.person.name
        assert person_node["now"] is None
        assert person_node["m2"]["leader"]["id"] == first.id

    # Another organization cannot reach the person; without signing in, nothing.
    globex = await make_org("Globex")
    data = await gql.data(query, variables, token=globex.faculty.token)
    assert data["node"] is None
    body = await gql(query, variables)
    assert body.get("data") is None or body["data"]["node"] is None
    assert body["errors"]
    # A time without an offset names no moment.
    naive = {**variables, "m0": before_all.replace(tzinfo=None).isoformat()}
    body = await gql(query, naive, token=colleague.token)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_TIME"]


async def test_stewardships_list_who_stewarded_someone_newest_first(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    first, second, colleague = [await org.add_member() for _ in range(3)]
    person_ = await org.add_member("Pat Person")
    s1 = await established(gql, first, person_)
    advance(clock, timedelta(days=10), org)
    s2 = await proposed(gql, second, person_)
    await succeeded(gql, ACCEPT, person_, s2["id"])
    advance(clock, timedelta(days=3), org)
    await proposed(gql, first, person_)  # a proposal is not a stewardship
    await established(gql, person_, colleague)  # whom they steward is not theirs

    for viewer in (person_, colleague, org.faculty):
        data = await gql.data(STEWARDSHIPS, {"id": person_.id, "first": 10}, token=viewer.token)
        edges = data["node"]["stewardships"]["edges"]
        assert [(e["node"]["id"], e["node"]["endReason"]) for e in edges] == [
            (s2["id"], None),
            (s1["id"], "HANDED_OVER"),
        ]
        assert edges[1]["node"]["endedAt"] == edges[0]["node"]["startedAt"]
    # Keyset pages.
    page = await gql.data(STEWARDSHIPS, {"id": person_.id, "first": 1}, token=colleague.token)
    connection = page["node"]["stewardships"]
    assert [e["node"]["id"] for e in connection["edges"]] == [s2["id"]]
    assert connection["pageInfo"]["hasNextPage"] is True
    rest = await gql.data(
        STEWARDSHIPS,
        {"id": person_.id, "first": 1, "after": connection["pageInfo"]["endCursor"]},
        token=colleague.token,
    )
    assert [e["node"]["id"] for e in rest["node"]["stewardships"]["edges"]] == [s1["id"]]
    assert rest["node"]["stewardships"]["pageInfo"]["hasNextPage"] is False
