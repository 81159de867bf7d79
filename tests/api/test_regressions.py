"""Regressions: each test pins a defect found in review, so it stays fixed
(N+1 reads that a fake clock hid, bad input that surfaced as INTERNAL, an
invitation that told one organization about another's accounts)."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from uuid import uuid4

import httpx
import orjson
from fastapi import FastAPI

from api.app import create_app
from api.security import ThreadedPasswordHasher
from api.settings import Settings
from domain.teams import Team
from tests.api.harness import GraphQL, Org, count_statements, create_org, token_for
from tests.api.queries import ERROR_FIELDS, INVITE_PERSON, gid, mutate
from tests.fakes import CapturingMailer, FakeClock

OrgFactory = Callable[..., Awaitable[Org]]


# -- 1. N+1: capacity and organization fields load the organization per person --

PEOPLE_WITH_CAPACITY = """
query People($first: Int!) {
  people(first: $first) {
    edges { node { name stewardeeCapacity { capacity } organization { name } } }
  }
}
"""


async def test_capacity_and_organization_do_not_query_per_person(
    app: FastAPI, gql: GraphQL, make_org: OrgFactory
) -> None:
    counts: dict[int, int] = {}
    for size in (3, 25):
        org = await make_org(f"Capacity {size}")
        for i in range(size - 1):
            await org.add_member(f"Person {i:02d}")
        with count_statements(app.state.engine) as counter:
            data = await gql.data(PEOPLE_WITH_CAPACITY, {"first": 50}, token=org.faculty.token)
        assert len(data["people"]["edges"]) == size
        counts[size] = counter.count
    assert counts[3] == counts[25], counts


# -- 2. node(id:) with the interface's own name is an INTERNAL error --------------


async def test_node_id_naming_the_node_interface_is_an_invalid_id(gql: GraphQL, org: Org) -> None:
    raw = gid("Node", uuid4())
    body = await gql(
        "query N($id: ID!) { node(id: $id) { id } }", {"id": raw}, token=org.faculty.token
    )
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    assert codes == ["INVALID_ID"], body


# -- 3. NUL in an email reaches PostgreSQL: INTERNAL instead of a typed error --

SIGN_IN = f"""
mutation SignIn($input: SignInInput!) {{
  signIn(input: $input) {{ {ERROR_FIELDS} }}
}}
"""


async def test_sign_in_with_nul_in_email_is_a_typed_error(gql: GraphQL, org: Org) -> None:
    body = await gql(SIGN_IN, {"input": {"email": "a\u0000b@example.com", "password": "x" * 12}})
    assert "errors" not in body, body
    assert body["data"]["signIn"]["code"] == "INVALID_CREDENTIALS", body


async def test_invite_with_nul_in_email_is_a_validation_error(gql: GraphQL, org: Org) -> None:
    result = await mutate(
        gql,
        INVITE_PERSON,
        {"name": "Nul", "handle": "nul", "email": "a\u0000b@example.com"},
        token=org.faculty.token,
    )
    assert result["__typename"] == "ValidationError", result


# -- 4. A cursor holding an out-of-range timestamp: INTERNAL, not INVALID_CURSOR --

NOTIFICATIONS_AFTER = """
query N($after: String) { viewer { notifications(first: 5, after: $after) { edges { cursor } } } }
"""


async def test_cursor_with_out_of_range_timestamp_is_invalid_cursor(gql: GraphQL, org: Org) -> None:
    cursor = base64.urlsafe_b64encode(
        orjson.dumps(["0001-01-01T00:00:00+05:00", str(uuid4())])
    ).decode()
    codes = await gql.error_codes(NOTIFICATIONS_AFTER, {"after": cursor}, token=org.faculty.token)
    assert codes == ["INVALID_CURSOR"], codes


# -- 5. Tenancy: inviting tells org faculty that an email has an account elsewhere --


async def test_invite_does_not_reveal_accounts_of_other_organizations(
    gql: GraphQL, make_org: OrgFactory
) -> None:
    acme = await make_org("Acme")
    secret_member = await acme.add_member("Hidden Person")
    other = await make_org("Other")
    result = await mutate(
        gql,
        INVITE_PERSON,
        {"name": "Probe", "handle": "probe", "email": secret_member.email},
        token=other.faculty.token,
    )
    # Same answer as for an email nobody uses: the other tenant's members are
    # none of this organization's business.
    assert result["__typename"] == "InvitePersonSuccess", result


# -- 6. N+1 in production: every `leaders`/`leads` without `at` is its own moment --


class TickingClock(FakeClock):
    """Like the system clock: every call reads a slightly later time."""

    def now(self) -> datetime:
        self.current += timedelta(microseconds=1)
        return self.current


TEAMS_WITH_LEADERS = """
query T($first: Int!) { teams(first: $first) { edges { node { name leaders { id } } } } }
"""


async def test_team_leaders_are_one_statement_with_a_real_clock(
    settings: Settings, mailer: CapturingMailer, hasher: ThreadedPasswordHasher, password_hash: str
) -> None:
    clock = TickingClock()
    app = create_app(
        settings, migrate_on_start=False, run_jobs=False, clock=clock, mailer=mailer, hasher=hasher
    )
    async with app.router.lifespan_context(app):
        services = app.state.services
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as client:
            gql = GraphQL(client)
            counts: dict[int, int] = {}
            for size in (2, 20):
                org = await create_org(services, password_hash, f"Ticking {size}")
                async with services.uow_factory(org.id) as uow:
                    for n in range(size):
                        await uow.teams.add(
                            Team.create(organization_id=org.id, name=f"T{n}", now=clock.now())
                        )
                    await uow.commit()
                org.faculty.token = token_for(services, org.faculty)
                with count_statements(app.state.engine) as counter:
                    data = await gql.data(
                        TEAMS_WITH_LEADERS, {"first": 50}, token=org.faculty.token
                    )
                assert len(data["teams"]["edges"]) == size
                counts[size] = counter.count
    assert counts[2] == counts[20], counts


# -- a document was validated again on every request ------------------------------


async def test_a_repeated_document_is_validated_once(gql: GraphQL, org: Org) -> None:
    """The depth and alias limits are validation rules; built per request
    they were new classes each time, so the validation cache (keyed by the
    rules) never hit and every request walked its document again."""
    from strawberry.extensions.validation_cache import _get_validate_cache

    cache = _get_validate_cache(512)
    query = "query Repeated { viewer { name teams { name } } }"
    await gql.data(query, token=org.faculty.token)
    before = cache.cache_info()
    for _ in range(3):
        await gql.data(query, token=org.faculty.token)
    after = cache.cache_info()
    assert after.hits - before.hits == 3
    assert after.misses == before.misses
