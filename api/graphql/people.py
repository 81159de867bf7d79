"""People: the directory, profiles, invitations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from api.graphql import agreements as agreements_gql
from api.graphql import coaching as coaching_gql
from api.graphql import feedback as feedback_gql
from api.graphql import feedback_items as feedback_items_gql
from api.graphql import goals as goals_gql
from api.graphql import ids
from api.graphql import mentoring as mentoring_gql
from api.graphql import notifications as notifications_gql
from api.graphql import one_on_ones as one_on_ones_gql
from api.graphql import relationships as rel
from api.graphql import roles as roles_gql
from api.graphql.commands import require_actor, run
from api.graphql.entity import EntityNode
from api.graphql.errors import result_union
from api.graphql.organizations import OrganizationNode
from api.graphql.pagination import connection, page_request
from domain.actors import Actor
from domain.people import Person, PersonStatus
from domain.ports import UnitOfWork
from domain.services import people as people_service

if TYPE_CHECKING:
    from api.graphql.teams import TeamNode

PersonStatusType = strawberry.enum(PersonStatus, name="PersonStatus")


@strawberry.type(name="Person", description="A member of your organization.")
class PersonNode(EntityNode):
    loader = "person"
    entity: strawberry.Private[Person]

    @strawberry.field
    def name(self) -> str:
        return self.entity.name

    @strawberry.field(description="Unique within the organization, lowercase.")
    def handle(self) -> str:
        return self.entity.handle

    @strawberry.field
    def email(self) -> str:
        return self.entity.email

    @strawberry.field(description="IANA timezone name, such as Europe/Berlin.")
    def timezone(self) -> str:
        return self.entity.timezone

    @strawberry.field
    def status(self) -> PersonStatusType:  # type: ignore[valid-type]
        return self.entity.status

    @strawberry.field
    def left_at(self) -> datetime | None:
        return self.entity.left_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(description="Teams this person is a member of now, by name.")
    async def teams(
        self, info: strawberry.Info
    ) -> list[Annotated[TeamNode, strawberry.lazy("api.graphql.teams")]]:
        from api.graphql.teams import TeamNode

        teams = await info.context.loaders.teams_of_person.load(self.entity.id)
        return [TeamNode(entity=t) for t in teams]

    @strawberry.field(description="Whether this person administers the organization now.")
    async def is_org_faculty(self, info: strawberry.Info) -> bool:
        return await info.context.loaders.is_org_faculty.load(self.entity.id)

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> OrganizationNode:
        return OrganizationNode(entity=await info.context.loaders.organization())

    # Relationships (api.graphql.relationships)
    steward = strawberry.field(
        resolver=rel.steward,
        description="Their active stewardship (with the steward as leader), or the one that "
        "held at a past moment `at`; null when nobody stewarded them then.",
    )
    stewardships = strawberry.field(
        resolver=rel.stewardships,
        description="Who stewarded them, newest first: every stewardship of theirs that "
        "started, with its start and end (proposals are not in it).",
    )
    stewardees = strawberry.field(resolver=rel.stewardees, description="Whom they steward now.")
    mentors = strawberry.field(
        resolver=rel.mentors,
        description="Their active mentorships as mentee, optionally in one area.",
    )
    mentees = strawberry.field(
        resolver=rel.mentees,
        description="Their active mentorships as mentor, optionally in one area.",
    )
    coaches = strawberry.field(
        resolver=rel.coaches, description="Their coaches: visible only to them and the coach."
    )
    coachees = strawberry.field(
        resolver=rel.coachees, description="Whom they coach: visible only to the two people."
    )
    stewardee_capacity = strawberry.field(resolver=rel.stewardee_capacity)
    mentee_capacity = strawberry.field(resolver=rel.mentee_capacity)
    relationship_history = strawberry.field(
        resolver=rel.relationship_history,
        description="Every relationship they were part of that you may see, newest first.",
    )
    proposals_to_me = strawberry.field(
        resolver=rel.proposals_to_me,
        description="Relationship proposals awaiting your answer. Only on yourself (else null).",
    )
    proposals_from_me = strawberry.field(
        resolver=rel.proposals_from_me,
        description="Your open relationship proposals. Only on yourself.",
    )
    relationships_due_for_review = strawberry.field(
        resolver=rel.relationships_due_for_review,
        description="Your relationships past their review date. Only on yourself.",
    )

    # Roles (api.graphql.roles)
    roles = strawberry.field(resolver=roles_gql.roles_of_person, description="Roles held now.")
    role_proposals_to_me = strawberry.field(
        resolver=roles_gql.role_proposals_to_me,
        description="Role proposals you can answer (for you, or volunteers you may confirm). "
        "Only on yourself.",
    )
    role_proposals_from_me = strawberry.field(
        resolver=roles_gql.role_proposals_from_me,
        description="Your open role proposals. Only on yourself.",
    )

    # Goals (api.graphql.goals): only those you may read; counts for all
    goals = strawberry.field(
        resolver=goals_gql.goals_of_person,
        description="Their goals that you may read (all of them, on yourself).",
    )
    goal_counts = strawberry.field(
        resolver=goals_gql.goal_counts,
        description="How many goals they have by status, shared or not: counts only.",
    )
    readiness_suggestions = strawberry.field(
        resolver=goals_gql.readiness_suggestions,
        description="Evidence of readiness for the next stage: for the person and their "
        "steward only (else null).",
    )

    # Autonomy agreements (api.graphql.agreements): only your own
    agreements = strawberry.field(
        resolver=agreements_gql.agreements_of_person,
        description="Their open agreements that you are part of.",
    )
    mismatch_signals = strawberry.field(
        resolver=agreements_gql.mismatch_signals_of_person,
        description="Signals of their agreements that you are part of.",
    )
    stewardee_mismatches = strawberry.field(
        resolver=agreements_gql.stewardee_mismatches,
        description="Across the people you steward, agreements with signals. Only on yourself.",
    )

    # Feedback (api.graphql.feedback, api.graphql.feedback_items)
    feedback_requests = strawberry.field(
        resolver=feedback_gql.feedback_requests,
        description="Their feedback requests, newest first: all of yours; of someone else, "
        "those whose results they shared with you.",
    )
    feedback_received = strawberry.field(
        resolver=feedback_items_gql.feedback_received,
        description="Feedback given to them unasked, newest first: all of it about you; "
        "about someone else, what they shared with you (and what you gave them).",
    )
    feedback_given = strawberry.field(
        resolver=feedback_items_gql.feedback_given,
        description="Feedback you gave unasked, newest first. Only on yourself.",
    )
    feedback_load = strawberry.field(
        resolver=feedback_gql.feedback_load,
        description="How much they are asked for feedback now and lately (to spread asking).",
    )
    feedback_suggestions = strawberry.field(
        resolver=feedback_gql.feedback_suggestions,
        description="Colleagues who work with you (a team, a relationship), least recently "
        "asked first. Only on yourself.",
    )
    feedback_inbox = strawberry.field(
        resolver=feedback_gql.feedback_inbox,
        description="Invitations to give feedback, newest first. Only on yourself.",
    )

    # Mentoring (api.graphql.mentoring)
    mentor_offers = strawberry.field(
        resolver=mentoring_gql.mentor_offers,
        description="The mentoring they offer (active and paused), by area.",
    )
    mentor_profile = strawberry.field(
        resolver=mentoring_gql.mentor_profile,
        description="Whether they take new mentees, and their weekly availability.",
    )
    learning_wishes = strawberry.field(
        resolver=mentoring_gql.learning_wishes,
        description="What you want to learn, newest first. Only on yourself.",
    )

    # Coaching (api.graphql.coaching)
    coach_availability = strawberry.field(
        resolver=coaching_gql.coach_availability,
        description="When they can be booked as a coach (null unless they published it).",
    )
    coach_sessions = strawberry.field(
        resolver=coaching_gql.coach_sessions,
        description="Your coach sessions, as coach or coachee: upcoming ones soonest first, "
        "or (upcoming: false) the others latest first. Only on yourself.",
    )

    # 1-on-1s (api.graphql.one_on_ones)
    one_on_ones = strawberry.field(
        resolver=one_on_ones_gql.one_on_ones,
        description="Your 1-on-1 series, open ones first. Only on yourself.",
    )

    # Notifications (api.graphql.notifications)
    notifications = strawberry.field(
        resolver=notifications_gql.notifications, description="Newest first. Only on yourself."
    )
    unread_notification_count = strawberry.field(
        resolver=notifications_gql.unread_notification_count, description="Only on yourself."
    )


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="The signed-in person. Fails with UNAUTHENTICATED otherwise.")
    async def viewer(self, info: strawberry.Info) -> PersonNode | None:
        await require_actor(info)
        person = await info.context.viewer()
        return PersonNode(entity=person)

    @strawberry.field(description="Your organization's people, by name.")
    async def people(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
        status: PersonStatusType | None = None,  # type: ignore[valid-type]
    ) -> relay.Connection[PersonNode]:
        await require_actor(info)
        request = page_request(info, first=first, after=after, last=last, before=before)
        page = await info.context.loaders.people_page(request, status=status, search=search)
        return connection(page, lambda p: PersonNode(entity=p))


@strawberry.input
class InvitePersonInput:
    name: str
    handle: str
    email: str
    timezone: str = "UTC"


@strawberry.type
class InvitePersonSuccess:
    person: PersonNode
    invitation_expires_at: datetime


@strawberry.input
class UpdateProfileInput:
    name: str | None = None
    timezone: str | None = None


@strawberry.type
class UpdateProfileSuccess:
    person: PersonNode


@strawberry.input
class MarkPersonLeftInput:
    person_id: strawberry.ID


@strawberry.type
class MarkPersonLeftSuccess:
    person: PersonNode


InvitePersonResult = result_union("InvitePersonResult", InvitePersonSuccess)
UpdateProfileResult = result_union("UpdateProfileResult", UpdateProfileSuccess)
MarkPersonLeftResult = result_union("MarkPersonLeftResult", MarkPersonLeftSuccess)


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(
        description="Org faculty invites someone: they become a member and get a mail "
        "with a one-time token to set their password."
    )
    async def invite_person(
        self, info: strawberry.Info, input: InvitePersonInput
    ) -> InvitePersonResult:  # type: ignore[valid-type]
        context = info.context

        async def command(uow: UnitOfWork, actor: Actor) -> people_service.Invited:
            return await people_service.invite_person(
                uow,
                actor,
                name=input.name,
                handle=input.handle,
                email=input.email,
                timezone=input.timezone,
                now=context.now,
                invitation_lifetime=context.settings.invitation_lifetime,
            )

        result = await run(info, command)
        if not isinstance(result, people_service.Invited):
            return result
        organization = await context.loaders.organization()
        await context.services.mailer.send_invitation(
            email=result.person.email,
            name=result.person.name,
            organization=organization.name,
            token=result.token,
        )
        return InvitePersonSuccess(
            person=PersonNode(entity=result.person),
            invitation_expires_at=result.invitation.expires_at,
        )

    @strawberry.mutation(description="Change your own name or timezone.")
    async def update_profile(
        self, info: strawberry.Info, input: UpdateProfileInput
    ) -> UpdateProfileResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> UpdateProfileSuccess:
            person = await people_service.update_profile(
                uow, actor, name=input.name, timezone=input.timezone
            )
            return UpdateProfileSuccess(person=PersonNode(entity=person))

        return await run(info, command)

    @strawberry.mutation(description="Org faculty records that someone left; they lose access.")
    async def mark_person_left(
        self, info: strawberry.Info, input: MarkPersonLeftInput
    ) -> MarkPersonLeftResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> MarkPersonLeftSuccess:
            person_id = ids.decode(input.person_id, "Person", field="personId")
            person = await people_service.mark_left(uow, actor, person_id, now=info.context.now)
            return MarkPersonLeftSuccess(person=PersonNode(entity=person))

        return await run(info, command)
