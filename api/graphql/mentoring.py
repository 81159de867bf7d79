"""Self-service mentoring: offers, mentor profiles, learning wishes, and
matching with explained, tunable scores (see domain.matching)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from itertools import chain
from typing import TYPE_CHECKING, Annotated, Protocol
from uuid import UUID

import strawberry
from strawberry import relay

from api.graphql import ids
from api.graphql.availability import AvailabilityWindowInput, WindowType, to_windows, windows
from api.graphql.commands import require_actor, run
from api.graphql.entity import EntityNode
from api.graphql.errors import PublicError, result_union
from api.graphql.pagination import connection, page_request
from domain import matching
from domain.actors import Actor
from domain.availability import overlap_hours
from domain.knowledge_areas import KnowledgeArea, ancestry, subtree
from domain.mentoring import (
    LearningWish,
    MentorOffer,
    MentorProfile,
    OfferStatus,
    WishStatus,
    fullest_first,
    oldest_first,
)
from domain.pagination import PageRequest, page_of
from domain.people import Person
from domain.ports import UnitOfWork
from domain.services import mentoring as service

if TYPE_CHECKING:
    from api.graphql.goals import GoalNode
    from api.graphql.knowledge_areas import KnowledgeAreaNode
    from api.graphql.people import PersonNode
    from api.graphql.relationships import RelationshipNode

OfferStatusType = strawberry.enum(OfferStatus, name="MentorOfferStatus")
WishStatusType = strawberry.enum(WishStatus, name="LearningWishStatus")
CriterionType = strawberry.enum(matching.Criterion, name="MatchCriterion")

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]
AreaRef = Annotated["KnowledgeAreaNode", strawberry.lazy("api.graphql.knowledge_areas")]
RelationshipRef = Annotated["RelationshipNode", strawberry.lazy("api.graphql.relationships")]
GoalRef = Annotated["GoalNode", strawberry.lazy("api.graphql.goals")]
MATCHES_MAX = 50
CANDIDATE_BATCHES = 3
"""At most this many batches of candidates (by best possible score) are
scored for one page, whatever its cursor: the statements stay bounded, and
the page is exact unless more than CANDIDATE_BATCHES x CANDIDATES_MAX
mentors could still reach it (then it is the best among those, and no
cursor pages past them)."""


async def _person(info: strawberry.Info, person_id: UUID) -> PersonRef:
    from api.graphql.people import PersonNode

    return PersonNode(entity=await info.context.loaders.person.load(person_id))


async def _area(info: strawberry.Info, area_id: UUID) -> AreaRef:
    from api.graphql.knowledge_areas import KnowledgeAreaNode

    return KnowledgeAreaNode(entity=await info.context.loaders.area.load(area_id))


@strawberry.type(name="MentorOffer", description="Mentoring offered in a knowledge area.")
class OfferNode(EntityNode):
    loader = "mentor_offer"
    entity: strawberry.Private[MentorOffer]

    @strawberry.field
    async def mentor(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.entity.mentor_id)

    @strawberry.field
    async def knowledge_area(self, info: strawberry.Info) -> AreaRef:
        return await _area(info, self.entity.knowledge_area_id)

    @strawberry.field(description="1 to 5.")
    def proficiency(self) -> int:
        return self.entity.proficiency

    @strawberry.field
    def note(self) -> str:
        return self.entity.note

    @strawberry.field
    def status(self) -> OfferStatusType:  # type: ignore[valid-type]
        return self.entity.status


@strawberry.type(name="MentorProfile", description="What holds for all of a mentor's offers.")
class ProfileType:
    entity: strawberry.Private[MentorProfile]

    @strawberry.field(description="Whether they take new mentees.")
    def accepting(self) -> bool:
        return self.entity.accepting

    @strawberry.field(description="Weekly windows in their own timezone.")
    def availability(self) -> list[WindowType]:
        return windows(self.entity.availability)


@strawberry.type(name="CriterionScore", description="One criterion of a match, explained.")
class ScoreType:
    criterion: CriterionType  # type: ignore[valid-type]
    weight: float
    value: float = strawberry.field(description="0 to 1.")
    explanation: str


@strawberry.type(name="MentorMatch", description="A suggested mentor, with why they fit.")
class MatchType:
    match: strawberry.Private[matching.Match]
    area_id: strawberry.Private[UUID]

    @strawberry.field
    async def mentor(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.match.candidate.mentor_id)

    @strawberry.field(description="The area they offer, the wished one or one near it.")
    async def knowledge_area(self, info: strawberry.Info) -> AreaRef:
        return await _area(info, self.area_id)

    @strawberry.field(description="0 to 100: the weighted mean of the criteria.")
    def total(self) -> float:
        return self.match.total

    @strawberry.field
    def scores(self) -> list[ScoreType]:
        return [
            ScoreType(
                criterion=s.criterion, weight=s.weight, value=s.value, explanation=s.explanation
            )
            for s in self.match.scores
        ]


@strawberry.input
class CriterionWeightInput:
    criterion: CriterionType  # type: ignore[valid-type]
    weight: float = strawberry.field(
        description=f"{matching.WEIGHT_MIN:g} to {matching.WEIGHT_MAX:g}."
    )


@strawberry.type(name="LearningWish", description="What you want to learn. Yours alone.")
class WishNode(EntityNode):
    loader = "learning_wish"
    entity: strawberry.Private[LearningWish]

    @strawberry.field
    async def knowledge_area(self, info: strawberry.Info) -> AreaRef:
        return await _area(info, self.entity.knowledge_area_id)

    @strawberry.field
    def current(self) -> int:
        return self.entity.current

    @strawberry.field
    def desired(self) -> int:
        return self.entity.desired

    @strawberry.field
    def status(self) -> WishStatusType:  # type: ignore[valid-type]
        return self.entity.status

    @strawberry.field
    def availability(self) -> list[WindowType]:
        return windows(self.entity.availability)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.entity.created_at

    @strawberry.field(description="The growth goal it serves, if any.")
    async def goal(self, info: strawberry.Info) -> GoalRef | None:
        from api.graphql.goals import GoalNode

        if self.entity.goal_id is None:
            return None
        found = await info.context.loaders.goal.load(self.entity.goal_id)
        return GoalNode(entity=found) if found else None

    @strawberry.field(
        description="Mentors for this wish, best first, each score explained; a mentor you "
        "asked is left out until they answer. Pass your own weights to tune the ranking for "
        f"this search. At most {MATCHES_MAX} a page; the pages cover the best "
        f"{CANDIDATE_BATCHES * matching.CANDIDATES_MAX} candidates."
    )
    async def matches(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        weights: list[CriterionWeightInput] | None = None,
    ) -> relay.Connection[MatchType]:
        request = page_request(info, first=first, after=after, last=last, before=before)
        if request.size > MATCHES_MAX:
            raise PublicError(f"Ask for at most {MATCHES_MAX} matches.", "PAGE_SIZE_EXCEEDED")
        request = replace(
            request,
            after=matching.cursor_key(request.after) if request.after else None,
            before=matching.cursor_key(request.before) if request.before else None,
        )
        chosen = matching.weights({w.criterion: w.weight for w in weights or []})
        return await _matches(info, self.entity, chosen, request)


async def _matches(
    info: strawberry.Info,
    wish: LearningWish,
    chosen: dict[matching.Criterion, float],
    request: PageRequest,
) -> relay.Connection[MatchType]:
    loaders = info.context.loaders
    tree = await loaders.area_tree()
    distances = matching.area_distances(
        {a: parent for a, (parent, _) in tree.items()}, wish.knowledge_area_id
    )
    me = await loaders.person.load(wish.person_id)
    week_of = info.context.now.date()
    wished = matching.Wish(
        area_name=tree[wish.knowledge_area_id][1],
        current=wish.current,
        desired=wish.desired,
        has_availability=bool(wish.availability),
    )
    rows: list[matching.MentorCandidate] = []
    candidates: list[matching.Candidate] = []
    ranked: list[matching.Match] = []
    for batch_number in range(CANDIDATE_BATCHES):
        batch = await loaders.mentor_candidates(
            wish, distances, chosen, info.context.now, batch_number * matching.CANDIDATES_MAX
        )
        rows += batch
        candidates += _candidates(wish, me.timezone, batch, tree, distances, week_of)
        ranked = matching.rank(wished, candidates, chosen)
        # Done once nobody left could change the page: the database returned
        # candidates by the best score they could reach.
        if len(batch) < matching.CANDIDATES_MAX or matching.page_is_settled(
            ranked, request, batch[-1].best_possible
        ):
            break
    area_of = {row.mentor_id: row.area_id for row in rows}
    page = page_of(ranked, matching.rank_key, request)
    return connection(page, lambda m: MatchType(match=m, area_id=area_of[m.candidate.mentor_id]))


def _candidates(
    wish: LearningWish,
    timezone: str,
    rows: list[matching.MentorCandidate],
    tree: dict[UUID, tuple[UUID | None, str]],
    distances: dict[UUID, int],
    week_of: date,
) -> list[matching.Candidate]:
    """What scoring needs of each mentor the database returned, availability
    overlap included (computed once per mentor, however many batches)."""
    return [
        matching.Candidate(
            mentor_id=row.mentor_id,
            mentor_name=row.mentor_name,
            area_name=tree[row.area_id][1],
            area_distance=distances[row.area_id],
            proficiency=row.proficiency,
            load=row.load,
            capacity=row.capacity,
            other_team=row.other_team,
            overlap_hours=overlap_hours(
                wish.availability, timezone, row.availability, row.timezone, week_of=week_of
            )
            if wish.availability and row.availability
            else None,
        )
        for row in rows
    ]


@strawberry.type(
    description="An open wish nobody can take on as wished; whose it is stays private."
)
class UnmatchedWish:
    current: int
    desired: int
    created_at: datetime


@strawberry.type(description="A mentor with at most one mentee place left.")
class MentorLoadType:
    mentor_id: strawberry.Private[UUID]
    load: int
    capacity: int

    @strawberry.field
    async def mentor(self, info: strawberry.Info) -> PersonRef:
        return await _person(info, self.mentor_id)


@strawberry.type(
    name="AreaMentoring",
    description="For the area's faculty leads: where the mentor pool needs to grow, in the "
    "area and every area below it.",
)
class AreaMentoringType:
    area_ids: strawberry.Private[list[UUID]]
    """The area and every area below it."""

    @strawberry.field(
        description="Open wishes in the area or below it that no mentor (of the wish's area, "
        "its parent or a child) can take on at the desired level with a place free. Oldest "
        "first; anonymous."
    )
    async def unmatched_wishes(self, info: strawberry.Info) -> list[UnmatchedWish]:
        found = await info.context.loaders.unmatched_wishes.load_many(self.area_ids)
        return [
            UnmatchedWish(current=w.current, desired=w.desired, created_at=w.created_at)
            for w in oldest_first(chain.from_iterable(found))
        ]

    @strawberry.field(
        description="Mentors offering the area or one below it with at most one place left, "
        "each once, fullest first."
    )
    async def mentors_near_capacity(self, info: strawberry.Info) -> list[MentorLoadType]:
        found = await info.context.loaders.mentors_near_capacity.load_many(self.area_ids)
        return [
            MentorLoadType(mentor_id=m.mentor_id, load=m.load, capacity=m.capacity)
            for m in fullest_first(chain.from_iterable(found))
        ]


class HasArea(Protocol):
    entity: KnowledgeArea


async def area_mentoring(
    root: strawberry.Parent[HasArea], info: strawberry.Info
) -> AreaMentoringType | None:
    """Mounted on KnowledgeArea: for the current faculty leads of the area or
    of an area above it (whose own overview covers this one) and org faculty
    (else null)."""
    actor = await require_actor(info)
    tree = await info.context.loaders.area_tree()
    parents = {area: parent for area, (parent, _) in tree.items()}
    now = info.context.now
    leads = await info.context.loaders.holders.load_many(
        [("area", area_id, now) for area_id in ancestry(parents, root.entity.id)]
    )
    if actor.person_id not in {lead.person_id for found in leads for lead in found} and not (
        await info.context.loaders.is_org_faculty.load(actor.person_id)
    ):
        return None
    return AreaMentoringType(area_ids=subtree(parents, root.entity.id))


class HasEntity(Protocol):
    entity: Person


# Fields mounted on Person.


async def mentor_offers(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[OfferNode]:
    await require_actor(info)
    return [
        OfferNode(entity=o)
        for o in await info.context.loaders.mentor_offers_of.load(root.entity.id)
    ]


async def mentor_profile(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> ProfileType | None:
    await require_actor(info)
    found = await info.context.loaders.mentor_profile.load(root.entity.id)
    return ProfileType(entity=found) if found else None


async def learning_wishes(
    root: strawberry.Parent[HasEntity], info: strawberry.Info
) -> list[WishNode] | None:
    actor = await require_actor(info)
    if actor.person_id != root.entity.id:
        return None
    return [WishNode(entity=w) for w in await info.context.loaders.learning_wishes()]


# Mutations.


@strawberry.input
class OfferMentoringInput:
    knowledge_area_id: strawberry.ID
    proficiency: int = strawberry.field(description="1 to 5.")
    note: str = ""


@strawberry.input
class EditMentorOfferInput:
    offer_id: strawberry.ID
    proficiency: int | None = None
    note: str | None = None


@strawberry.input
class PauseMentorOfferInput:
    offer_id: strawberry.ID
    paused: bool = True


@strawberry.input
class MentorOfferIdInput:
    offer_id: strawberry.ID


@strawberry.input
class SetMentorProfileInput:
    accepting: bool | None = None
    availability: list[AvailabilityWindowInput] | None = None


@strawberry.input
class WishToLearnInput:
    knowledge_area_id: strawberry.ID
    current: int = strawberry.field(description="Your proficiency now, 1 to 5.")
    desired: int = strawberry.field(description="Where you want to get, above current.")
    availability: list[AvailabilityWindowInput] | None = None
    goal_id: strawberry.ID | None = None


@strawberry.input
class LearningWishIdInput:
    wish_id: strawberry.ID


@strawberry.input
class AskMentorInput:
    wish_id: strawberry.ID
    mentor_id: strawberry.ID
    message: str = ""


@strawberry.type
class MentorOfferSuccess:
    offer: OfferNode


@strawberry.type
class MentorProfileSuccess:
    profile: ProfileType


@strawberry.type
class LearningWishSuccess:
    wish: WishNode


@strawberry.type
class AskMentorSuccess:
    relationship: RelationshipRef


MentorOfferResult = result_union("MentorOfferResult", MentorOfferSuccess)
MentorProfileResult = result_union("MentorProfileResult", MentorProfileSuccess)
LearningWishResult = result_union("LearningWishResult", LearningWishSuccess)
AskMentorResult = result_union("AskMentorResult", AskMentorSuccess)


def _offer_id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "MentorOffer", field="offerId")


def _wish_id(value: strawberry.ID) -> UUID:
    return ids.decode(value, "LearningWish", field="wishId")


@strawberry.type
class MentoringMutation:
    @strawberry.mutation(description="Offer mentoring in a knowledge area.")
    async def offer_mentoring(
        self, info: strawberry.Info, input: OfferMentoringInput
    ) -> MentorOfferResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> MentorOfferSuccess:
            created = await service.offer(
                uow,
                actor,
                knowledge_area_id=ids.decode(
                    input.knowledge_area_id, "KnowledgeArea", field="knowledgeAreaId"
                ),
                proficiency=input.proficiency,
                note=input.note,
                now=info.context.now,
            )
            return MentorOfferSuccess(offer=OfferNode(entity=created))

        return await run(info, command)

    @strawberry.mutation(description="Change the proficiency or note of your offer.")
    async def edit_mentor_offer(
        self, info: strawberry.Info, input: EditMentorOfferInput
    ) -> MentorOfferResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> MentorOfferSuccess:
            found = await service.own_offer(uow, actor, _offer_id(input.offer_id))
            found.edit(proficiency=input.proficiency, note=input.note, now=info.context.now)
            return MentorOfferSuccess(offer=OfferNode(entity=found))

        return await run(info, command)

    @strawberry.mutation(description="Pause (or resume) an offer: no suggestions meanwhile.")
    async def pause_mentor_offer(
        self, info: strawberry.Info, input: PauseMentorOfferInput
    ) -> MentorOfferResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> MentorOfferSuccess:
            found = await service.own_offer(uow, actor, _offer_id(input.offer_id))
            found.set_paused(input.paused, info.context.now)
            return MentorOfferSuccess(offer=OfferNode(entity=found))

        return await run(info, command)

    @strawberry.mutation(description="Withdraw an offer; it stays in your history.")
    async def withdraw_mentor_offer(
        self, info: strawberry.Info, input: MentorOfferIdInput
    ) -> MentorOfferResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> MentorOfferSuccess:
            found = await service.own_offer(uow, actor, _offer_id(input.offer_id))
            found.withdraw(info.context.now)
            return MentorOfferSuccess(offer=OfferNode(entity=found))

        return await run(info, command)

    @strawberry.mutation(description="Whether you take new mentees, and when you are available.")
    async def set_mentor_profile(
        self, info: strawberry.Info, input: SetMentorProfileInput
    ) -> MentorProfileResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> MentorProfileSuccess:
            profile = await service.set_profile(
                uow,
                actor,
                accepting=input.accepting,
                availability=None if input.availability is None else to_windows(input.availability),
                now=info.context.now,
            )
            return MentorProfileSuccess(profile=ProfileType(entity=profile))

        return await run(info, command)

    @strawberry.mutation(description="Say what you want to learn, to find a mentor.")
    async def wish_to_learn(
        self, info: strawberry.Info, input: WishToLearnInput
    ) -> LearningWishResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> LearningWishSuccess:
            created = await service.wish(
                uow,
                actor,
                knowledge_area_id=ids.decode(
                    input.knowledge_area_id, "KnowledgeArea", field="knowledgeAreaId"
                ),
                current=input.current,
                desired=input.desired,
                availability=to_windows(input.availability or []),
                goal_id=ids.decode(input.goal_id, "Goal", field="goalId")
                if input.goal_id
                else None,
                now=info.context.now,
            )
            return LearningWishSuccess(wish=WishNode(entity=created))

        return await run(info, command)

    @strawberry.mutation(description="Withdraw a learning wish.")
    async def withdraw_learning_wish(
        self, info: strawberry.Info, input: LearningWishIdInput
    ) -> LearningWishResult:  # type: ignore[valid-type]
        async def command(uow: UnitOfWork, actor: Actor) -> LearningWishSuccess:
            found = await service.withdraw_wish(
                uow, actor, _wish_id(input.wish_id), now=info.context.now
            )
            return LearningWishSuccess(wish=WishNode(entity=found))

        return await run(info, command)

    @strawberry.mutation(
        description="Ask a mentor for a mentorship in your wish's area; they accept or decline."
    )
    async def ask_mentor(self, info: strawberry.Info, input: AskMentorInput) -> AskMentorResult:  # type: ignore[valid-type]
        from api.graphql.relationships import RelationshipNode

        async def command(uow: UnitOfWork, actor: Actor) -> AskMentorSuccess:
            relationship = await service.ask_mentor(
                uow,
                actor,
                _wish_id(input.wish_id),
                mentor_id=ids.decode(input.mentor_id, "Person", field="mentorId"),
                message=input.message,
                now=info.context.now,
            )
            return AskMentorSuccess(relationship=RelationshipNode(entity=relationship))

        return await run(info, command)
