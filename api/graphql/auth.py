"""Signing in and out, rotating sessions, accepting invitations, changing
and resetting passwords.

Apart from changing a password, these are the only operations an anonymous
caller can perform.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.graphql.commands import run_anonymous, run_anonymous_steps, run_steps
from api.graphql.errors import result_union, to_graphql
from api.graphql.people import PersonNode
from api.graphql.throttling import count_attempt, run_throttled
from domain import validation
from domain.actors import Actor
from domain.errors import DomainError
from domain.ports import UnitOfWork, UnitOfWorkFactory
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


@strawberry.type(
    description="The same answer whether or not the email has an account: if it has, "
    "a mail with a reset token is on its way."
)
class RequestPasswordResetSuccess:
    requested: bool


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


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class RequestPasswordResetInput:
    email: str


@strawberry.input
class ResetPasswordInput:
    token: str
    new_password: str


SignInResult = result_union("SignInResult", SessionSuccess)
RefreshSessionResult = result_union("RefreshSessionResult", SessionSuccess)
AcceptInvitationResult = result_union("AcceptInvitationResult", SessionSuccess)
SignOutResult = result_union("SignOutResult", SignOutSuccess)
ChangePasswordResult = result_union("ChangePasswordResult", SessionSuccess)
RequestPasswordResetResult = result_union("RequestPasswordResetResult", RequestPasswordResetSuccess)
ResetPasswordResult = result_union("ResetPasswordResult", SessionSuccess)


def _session(info: strawberry.Info, issued: auth_service.IssuedSession) -> SessionSuccess:
    context = info.context
    person = issued.person
    access = context.services.tokens.issue(
        person_id=person.id,
        organization_id=person.organization_id,
        session_id=issued.session_id,
        now=context.now,
    )
    context.signed_in(person, issued.session_id)
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

        async def command(uows: UnitOfWorkFactory) -> SessionSuccess:
            issued = await auth_service.sign_in(
                uows,
                context.services.hasher,
                email=input.email,
                password=input.password,
                now=context.now,
                refresh_lifetime=context.settings.refresh_token_lifetime,
            )
            return _session(info, issued)

        attempt = context.services.attempt_keys.sign_in(input.email, context.client)
        return await run_throttled(info, attempt, lambda: run_anonymous_steps(info, command))

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
        return await run_throttled(info, attempt, lambda: run_anonymous(info, command))

    @strawberry.mutation(
        description="End this device's session: its refresh token stops working, and its "
        "access tokens are refused from the next request on."
    )
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

        async def command(uows: UnitOfWorkFactory) -> SessionSuccess:
            issued = await auth_service.accept_invitation(
                uows,
                context.services.hasher,
                token=input.token,
                password=input.password,
                now=context.now,
                refresh_lifetime=context.settings.refresh_token_lifetime,
            )
            return _session(info, issued)

        attempt = context.services.attempt_keys.invitation(context.client)
        return await run_throttled(info, attempt, lambda: run_anonymous_steps(info, command))

    @strawberry.mutation(
        description="Change your password (the current one is required). Every session "
        "of yours ends, on every device; this one continues in the new session answered. "
        "Wrong current passwords are throttled per account."
    )
    async def change_password(
        self, info: strawberry.Info, input: ChangePasswordInput
    ) -> ChangePasswordResult:  # type: ignore[valid-type]
        context = info.context

        async def command(uows: UnitOfWorkFactory, actor: Actor) -> SessionSuccess:
            issued = await auth_service.change_password(
                uows,
                context.services.hasher,
                actor,
                current_password=input.current_password,
                new_password=input.new_password,
                now=context.now,
                refresh_lifetime=context.settings.refresh_token_lifetime,
            )
            return _session(info, issued)

        actor = await context.actor()
        if actor is None:
            return await run_steps(info, command)  # refused as signed out
        attempt = context.services.attempt_keys.password_change(actor.person_id)
        return await run_throttled(info, attempt, lambda: run_steps(info, command))

    @strawberry.mutation(
        description="Forgot your password: if the email has an account, a token to reset "
        "it is mailed (it works once, for an hour by default). The answer is the same either "
        "way. Throttled per email and client address: every request counts."
    )
    async def request_password_reset(
        self, info: strawberry.Info, input: RequestPasswordResetInput
    ) -> RequestPasswordResetResult:  # type: ignore[valid-type]
        context = info.context
        try:
            email = validation.email(input.email)
        except DomainError as error:
            return to_graphql(error)
        refused = await count_attempt(
            info, context.services.attempt_keys.reset_mail(email, context.client)
        )
        if refused is not None:
            return refused
        # Whether the email has an account is found out after answering.
        context.services.background.start(
            auth_service.request_password_reset(
                context.services.uow_factory,
                context.services.mailer,
                email=email,
                now=context.now,
                lifetime=context.settings.password_reset_lifetime,
            ),
            name="password reset request",
        )
        return RequestPasswordResetSuccess(requested=True)

    @strawberry.mutation(
        description="Set a new password with the token of a reset mail. Every session "
        "of the account ends; this device gets a new one. Throttled per client address."
    )
    async def reset_password(
        self, info: strawberry.Info, input: ResetPasswordInput
    ) -> ResetPasswordResult:  # type: ignore[valid-type]
        context = info.context

        async def command(uows: UnitOfWorkFactory) -> SessionSuccess:
            issued = await auth_service.reset_password(
                uows,
                context.services.hasher,
                token=input.token,
                new_password=input.new_password,
                now=context.now,
                refresh_lifetime=context.settings.refresh_token_lifetime,
            )
            return _session(info, issued)

        attempt = context.services.attempt_keys.password_reset(context.client)
        return await run_throttled(info, attempt, lambda: run_anonymous_steps(info, command))
