"""Signing in and out, rotating sessions, accepting invitations.

These are the only operations an anonymous caller can perform.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.graphql.commands import run_anonymous
from api.graphql.errors import result_union
from api.graphql.people import PersonNode
from api.graphql.throttling import run_throttled
from domain.ports import UnitOfWork
from domain.services import auth as auth_service


@strawberry.type(
    description="A new session: send accessToken as 'Authorization: Bearer'; "
    "trade refreshToken for a new pair before it expires."
)
class SessionSuccess:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime
    viewer: PersonNode


@strawberry.type
class SignOutSuccess:
    signed_out: bool


@strawberry.input
class SignInInput:
    email: str
    password: str


@strawberry.input
class RefreshSessionInput:
    refresh_token: str


@strawberry.input
class SignOutInput:
    refresh_token: str


@strawberry.input
class AcceptInvitationInput:
    token: str
    password: str


SignInResult = result_union("SignInResult", SessionSuccess)
RefreshSessionResult = result_union("RefreshSessionResult", SessionSuccess)
AcceptInvitationResult = result_union("AcceptInvitationResult", SessionSuccess)
SignOutResult = result_union("SignOutResult", SignOutSuccess)


def _session(info: strawberry.Info, issued: auth_service.IssuedSession) -> SessionSuccess:
    context = info.context
    person = issued.person
    access = context.services.tokens.issue(
        person_id=person.id, organization_id=person.organization_id, now=context.now
    )
    context.signed_in(person)
    return SessionSuccess(
        access_token=access.token,
        access_token_expires_at=access.expires_at,
        refresh_token=issued.refresh_token,
        refresh_token_expires_at=issued.refresh_expires_at,
        viewer=PersonNode(entity=person),
    )


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description="Sign in with email and password. Throttled per account and client "
        "address: after repeated failures, TOO_MANY_ATTEMPTS says when to try again."
    )
    async def sign_in(self, info: strawberry.Info, input: SignInInput) -> SignInResult:  # type: ignore[valid-type]
        context = info.context

        async def command(uow: UnitOfWork) -> SessionSuccess:
            issued = await auth_service.sign_in(
                uow,
                context.services.hasher,
                email=input.email,
                password=input.password,
                now=context.now,
                refresh_lifetime=context.settings.refresh_token_lifetime,
            )
            return _session(info, issued)

        attempt = context.services.attempt_keys.sign_in(input.email, context.client)
        return await run_throttled(info, attempt, command)

    @strawberry.mutation(
        description="Trade a refresh token for a new session. Each refresh "
        "token works once; reusing one ends the whole session. Throttled per "
        "client address."
    )
    async def refresh_session(
        self, info: strawberry.Info, input: RefreshSessionInput
    ) -> RefreshSessionResult:  # type: ignore[valid-type]
        context = info.context

        async def command(uow: UnitOfWork) -> SessionSuccess:
            issued = await auth_service.refresh_session(
                uow,
                refresh_token=input.refresh_token,
                now=context.now,
                refresh_lifetime=context.settings.refresh_token_lifetime,
            )
            return _session(info, issued)

        attempt = context.services.attempt_keys.refresh(context.client)
        return await run_throttled(info, attempt, command)

    @strawberry.mutation(description="End this device's session: its refresh token stops working.")
    async def sign_out(self, info: strawberry.Info, input: SignOutInput) -> SignOutResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork) -> SignOutSuccess:
            await auth_service.sign_out(
                uow, refresh_token=input.refresh_token, now=info.context.now
            )
            return SignOutSuccess(signed_out=True)

        return await run_anonymous(info, command)

    @strawberry.mutation(
        description="Set your password with the token from your invitation. Throttled "
        "per client address."
    )
    async def accept_invitation(
        self, info: strawberry.Info, input: AcceptInvitationInput
    ) -> AcceptInvitationResult:  # type: ignore[valid-type]
        context = info.context

        async def command(uow: UnitOfWork) -> SessionSuccess:
            issued = await auth_service.accept_invitation(
                uow,
                context.services.hasher,
                token=input.token,
                password=input.password,
                now=context.now,
                refresh_lifetime=context.settings.refresh_token_lifetime,
            )
            return _session(info, issued)

        attempt = context.services.attempt_keys.invitation(context.client)
        return await run_throttled(info, attempt, command)
