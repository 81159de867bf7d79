from __future__ import annotations

import dataclasses
from datetime import datetime

import strawberry

from api.graphql import coaching as coaching_gql
from api.graphql.commands import run
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from domain.actors import Actor
from domain.organizations import Organization
from domain.ports import UnitOfWork
from domain.services import organizations as organizations_service


@strawberry.type(name="Organization", description="The organization you belong to.")
class OrganizationNode(EntityNode):
    entity: strawberry.Private[Organization]

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: list[str], required: bool = False
    ) -> list[OrganizationNode | None]:
        own = await info.context.loaders.organization()
        return [cls(entity=own) if node_id == str(own.id) else None for node_id in node_ids]

    @strawberry.field
    def name(self) -> str:
        return self.entity.name

    @strawberry.field
    def slug(self) -> str:
        return self.entity.slug

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(description="Stewardees a person takes at most, unless they set their own.")
    def default_stewardee_capacity(self) -> int:
        return self.entity.default_stewardee_capacity

    @strawberry.field(description="Mentees a person takes at most, unless they set their own.")
    def default_mentee_capacity(self) -> int:
        return self.entity.default_mentee_capacity

    @strawberry.field(
        description="Readiness rule: goals achieved at a stage that suggest the next."
    )
    def readiness_goal_count(self) -> int:
        return self.entity.readiness_goal_count

    @strawberry.field(description="Readiness rule: the window, in days, those goals count in.")
    def readiness_window_days(self) -> int:
        return self.entity.readiness_window_days

    @strawberry.field(description="People one feedback request asks at most.")
    def feedback_max_invitees(self) -> int:
        return self.entity.feedback_max_invitees

    @strawberry.field(description="Answers an anonymous request needs before any is shown (k).")
    def feedback_anonymity_threshold(self) -> int:
        return self.entity.feedback_anonymity_threshold

    @strawberry.field(description="Open feedback invitations a person may have at once.")
    def feedback_open_invitation_cap(self) -> int:
        return self.entity.feedback_open_invitation_cap

    @strawberry.field(description="Hours before the due date a pending invitee is reminded.")
    def feedback_reminder_hours(self) -> int:
        return self.entity.feedback_reminder_hours

    @strawberry.field(
        description="Days someone must have been a member when an anonymous request is made "
        "for their answer to count towards its threshold (at least 7)."
    )
    def feedback_min_membership_days(self) -> int:
        return self.entity.feedback_min_membership_days

    @strawberry.field(description="Booked coach sessions a person may have ahead of them.")
    def coach_upcoming_sessions_max(self) -> int:
        return self.entity.coach_upcoming_sessions_max

    @strawberry.field(description="Coach sessions a person may have a month with one coach.")
    def coach_sessions_per_month_max(self) -> int:
        return self.entity.coach_sessions_per_month_max

    @strawberry.field(
        description="Hours before its start a coachee may still cancel or reschedule a session."
    )
    def coach_cancel_cutoff_hours(self) -> int:
        return self.entity.coach_cancel_cutoff_hours

    coach_usage = strawberry.field(
        resolver=coaching_gql.coach_usage,
        description="Coach sessions starting from `firstDay` to `lastDay` (your timezone, at "
        "most a year), per coach: counts only. For org faculty (else null).",
    )


@strawberry.input
class UpdateOrganizationSettingsInput:
    default_stewardee_capacity: int | None = None
    default_mentee_capacity: int | None = None
    readiness_goal_count: int | None = None
    readiness_window_days: int | None = None
    feedback_max_invitees: int | None = None
    feedback_anonymity_threshold: int | None = None
    feedback_open_invitation_cap: int | None = None
    feedback_reminder_hours: int | None = None
    feedback_min_membership_days: int | None = None
    coach_upcoming_sessions_max: int | None = None
    coach_sessions_per_month_max: int | None = None
    coach_cancel_cutoff_hours: int | None = None


@strawberry.type
class OrganizationSuccess:
    organization: OrganizationNode


OrganizationResult = result_union("OrganizationResult", OrganizationSuccess)


@strawberry.type
class OrganizationsMutation:
    @strawberry.mutation(description="Org faculty changes the organization's defaults and rules.")
    async def update_organization_settings(
        self, info: strawberry.Info, input: UpdateOrganizationSettingsInput
    ) -> OrganizationResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> OrganizationSuccess:
            organization = await organizations_service.update_settings(
                uow, actor, **dataclasses.asdict(input)
            )
            return OrganizationSuccess(organization=OrganizationNode(entity=organization))

        return await run(info, command)
