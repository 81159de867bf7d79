"""Names and titles that display as someone or something else are refused.

"\u202eJonas" (a right-to-left override) displays as "sanoJ" and turns
whatever follows around; "Jo\u200bnas" (a zero-width space) displays as Jonas
while being another name. Person names, handles, emails, team, area and
organization names, goal and feedback request titles refuse such characters
with INVALID_CHARACTERS naming the field, and change nothing; joiners inside
emoji and words stay. Every text arrives in NFC, so two spellings of "Café"
are one name for uniqueness, also when both are sent at the same moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.api.coaching_helpers import count_rows
from tests.api.feedback_helpers import ask
from tests.api.goal_helpers import create as create_goal
from tests.api.harness import PASSWORD, GraphQL, Org
from tests.api.queries import (
    CREATE_AREA,
    CREATE_TEAM,
    INVITE_PERSON,
    UPDATE_PROFILE,
    assert_error,
    mutate,
)
from tests.fakes import CapturingMailer, FakeClock

SPOOFS = ["\u202eJonas", "Jo\u200bnas", "Jonas\u2066", "Jo\u2060nas", "Jonas\u200d"]
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
RAINBOW = "\U0001f3f3\ufe0f\u200d\U0001f308"
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
CAFE_NFC, CAFE_NFD = "Caf\u00e9", "Cafe\u0301"
SIGN_IN = """
mutation($input: SignInInput!) { signIn(input: $input) { __typename } }
"""
ACCEPT = """
mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { __typename } }
"""

Attempt = Callable[[GraphQL, Org, FakeClock, str], Awaitable[dict[str, Any]]]


async def _invite(gql: GraphQL, org: Org, clock: FakeClock, name: str) -> dict[str, Any]:
    values = {"name": name, "handle": "jonas", "email": "jonas@example.com"}
    return await mutate(gql, INVITE_PERSON, values, token=org.faculty.token)


async def _rename_self(gql: GraphQL, org: Org, clock: FakeClock, name: str) -> dict[str, Any]:
    return await mutate(gql, UPDATE_PROFILE, {"name": name}, token=org.faculty.token)


async def _team(gql: GraphQL, org: Org, clock: FakeClock, name: str) -> dict[str, Any]:
    return await mutate(gql, CREATE_TEAM, {"name": name}, token=org.faculty.token)


async def _area(gql: GraphQL, org: Org, clock: FakeClock, name: str) -> dict[str, Any]:
    return await mutate(gql, CREATE_AREA, {"name": name}, token=org.faculty.token)


async def _goal(gql: GraphQL, org: Org, clock: FakeClock, title: str) -> dict[str, Any]:
    return await create_goal(gql, org.faculty, title=title)


async def _request(gql: GraphQL, org: Org, clock: FakeClock, topic: str) -> dict[str, Any]:
    peer = await org.add_member()
    return await ask(gql, clock, org.faculty, [peer], topic=topic)


ATTEMPTS: list[tuple[str, Attempt, str, str]] = [
    ("invitePerson", _invite, "name", "people"),
    ("updateProfile", _rename_self, "name", "people"),
    ("createTeam", _team, "name", "teams"),
    ("createKnowledgeArea", _area, "name", "knowledge_areas"),
    ("createGoal", _goal, "title", "goals"),
    ("requestFeedback", _request, "topic", "feedback_requests"),
]


@pytest.mark.parametrize("spoof", SPOOFS)
@pytest.mark.parametrize(
    ("attempt", "field", "table"), [a[1:] for a in ATTEMPTS], ids=[a[0] for a in ATTEMPTS]
)
async def test_a_name_that_displays_as_another_is_refused(
    gql: GraphQL, org: Org, clock: FakeClock, attempt: Attempt, field: str, table: str, spoof: str
) -> None:
    before = await count_rows(org.services, table)
    result = await attempt(gql, org, clock, spoof)
    assert_error(result, "ValidationError", "INVALID_CHARACTERS", field)
    assert "U+" in result["message"]
    assert await count_rows(org.services, table) == before
    viewer = await gql.data("{ viewer { name } }", token=org.faculty.token)
    assert viewer["viewer"]["name"] == org.faculty.person.name


@pytest.mark.parametrize(
    ("handle", "email", "field"),
    [
        ("\u202ejonas", "jonas@example.com", "handle"),
        ("jo\u200bnas", "jonas@example.com", "handle"),
        ("jonas", "jo\u200bnas@example.com", "email"),
        ("jonas", "\u202ejonas@example.com", "email"),
    ],
)
async def test_a_handle_or_email_with_invisible_characters_is_refused(
    gql: GraphQL, org: Org, handle: str, email: str, field: str
) -> None:
    before = await count_rows(org.services, "people")
    values = {"name": "Jonas", "handle": handle, "email": email}
    result = await mutate(gql, INVITE_PERSON, values, token=org.faculty.token)
    assert_error(result, "ValidationError", "INVALID_CHARACTERS", field)
    assert await count_rows(org.services, "people") == before


async def test_joiners_inside_emoji_and_words_stay(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    team = await _team(gql, org, clock, f"Crew {FAMILY}")
    assert team["team"]["name"] == f"Crew {FAMILY}"
    person = await _invite(gql, org, clock, f"Ada {RAINBOW}")
    assert person["person"]["name"] == f"Ada {RAINBOW}"
    goal = await _goal(gql, org, clock, PERSIAN)
    assert goal["goal"]["title"] == PERSIAN


async def test_free_text_keeps_them_and_arrives_in_nfc(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    mission = f"We help Jo\u200bnas {CAFE_NFD}"
    team = await mutate(
        gql, CREATE_TEAM, {"name": "Crew", "mission": mission}, token=org.faculty.token
    )
    assert team["team"]["mission"] == f"We help Jo\u200bnas {CAFE_NFC}"


async def test_two_spellings_of_one_name_are_one_name(
    gql: GraphQL, org: Org, clock: FakeClock
) -> None:
    created = await _team(gql, org, clock, CAFE_NFD)
    assert created["team"]["name"] == CAFE_NFC
    again = await _team(gql, org, clock, CAFE_NFC)
    assert_error(again, "ConflictError", "TEAM_NAME_TAKEN", "name")
    area = await _area(gql, org, clock, CAFE_NFC)
    assert_error(await _area(gql, org, clock, CAFE_NFD), "ConflictError", "AREA_NAME_TAKEN", "name")
    assert area["area"]["name"] == CAFE_NFC


@pytest.mark.parametrize("attempts", [2, 20])
async def test_two_spellings_sent_at_once_make_one_team(
    gql: GraphQL, org: Org, clock: FakeClock, attempts: int
) -> None:
    spellings = [CAFE_NFC if i % 2 else CAFE_NFD for i in range(attempts)]
    results = await asyncio.gather(*(_team(gql, org, clock, name) for name in spellings))
    outcomes = sorted(r.get("code", r["__typename"]) for r in results)
    assert outcomes == ["TEAM_NAME_TAKEN"] * (attempts - 1) + ["TeamSuccess"]
    assert await count_rows(org.services, "teams") == 1


async def test_an_email_in_either_form_is_one_account(
    gql: GraphQL, org: Org, mailer: CapturingMailer
) -> None:
    """Invited as NFD, taken in NFC, signed in with either."""
    nfd, nfc = "jose\u0301@example.com", "jos\u00e9@example.com"
    invited = await mutate(
        gql,
        INVITE_PERSON,
        {"name": "José", "handle": "jose", "email": nfd},
        token=org.faculty.token,
    )
    assert invited["person"]["email"] == nfc
    twice = await mutate(
        gql,
        INVITE_PERSON,
        {"name": "José", "handle": "jose2", "email": nfc},
        token=org.faculty.token,
    )
    assert_error(twice, "ConflictError", "EMAIL_TAKEN", "email")
    accepted = await mutate(
        gql, ACCEPT, {"token": mailer.token_for(nfc), "password": PASSWORD}, token=""
    )
    assert accepted["__typename"] == "SessionSuccess"
    for email in (nfd, nfc, nfd.upper()):
        signed_in = await mutate(gql, SIGN_IN, {"email": email, "password": PASSWORD}, token="")
        assert signed_in["__typename"] == "SessionSuccess", email
