"""A demo organization to explore in GraphiQL: 40 people in 5 teams, a
two-level knowledge-area tree, org faculty, stewards, mentors, team and area
leadership roles, a coach, growth goals (shared and private), autonomy
agreements with a mismatch to talk about, and a feedback request. Loaded only when the
organization does not exist yet, so running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.accounts import Account
from domain.actors import Actor
from domain.agreements import Dimension
from domain.autonomy import AutonomyStage
from domain.availability import Window
from domain.coaching import Outcome
from domain.feedback import Anonymity, AnswerInput, QuestionKind, QuestionSpec
from domain.feedback_items import ShareAudience
from domain.goals import Audience, Confidence
from domain.one_on_ones import Cadence
from domain.people import Person
from domain.ports import PasswordHasher, UnitOfWork, UnitOfWorkFactory
from domain.relationships import RelationshipKind, Side
from domain.roles import Role, RoleAssignment
from domain.services import (
    agreements,
    coaching,
    feedback,
    feedback_items,
    goals,
    knowledge_areas,
    mentoring,
    one_on_ones,
    organizations,
    relationships,
    roles,
    teams,
)
from domain.teams import TeamStage

DEMO_SLUG = "trellis-demo"
DEMO_PASSWORD = "trellis-demo-password"
MEMBERS_SINCE = timedelta(days=400)

TEAMS = [
    ("Checkout", "Make paying for an order effortless on every device.", TeamStage.PERFORMING),
    ("Search", "Help customers find the right product in seconds.", TeamStage.NORMING),
    ("Growth", "Bring new customers in and make them stay.", TeamStage.STORMING),
    ("Platform", "Give every team a fast, safe path to production.", TeamStage.PERFORMING),
    ("People & Org", "Grow the organization and the people in it.", TeamStage.FORMING),
]

AREAS = {
    "Engineering": ["Backend", "Frontend", "Mobile", "Site Reliability"],
    "Product": ["Product Discovery", "Analytics"],
    "Design": ["User Research", "Interaction Design"],
    "Marketing": ["Online Marketing", "Offline Marketing"],
    "Leadership": ["Stewardship", "Facilitation", "Coaching"],
}

PEOPLE = [
    ("Ada Lindqvist", "Europe/Stockholm"),
    ("Bruno Tavares", "Europe/Lisbon"),
    ("Chiara Romano", "Europe/Rome"),
    ("Dmitri Volkov", "Europe/Berlin"),
    ("Esther Okafor", "Africa/Lagos"),
    ("Farah Haddad", "Asia/Dubai"),
    ("Gustav Berg", "Europe/Oslo"),
    ("Hana Sato", "Asia/Tokyo"),
    ("Ines Duarte", "Europe/Madrid"),
    ("Jonas Weber", "Europe/Berlin"),
    ("Kaya Demir", "Europe/Istanbul"),
    ("Liam O'Brien", "Europe/Dublin"),
    ("Maya Patel", "Europe/London"),
    ("Nils Karlsson", "Europe/Stockholm"),
    ("Olivia Martin", "Europe/Paris"),
    ("Pedro Alves", "America/Sao_Paulo"),
    ("Quinn Taylor", "America/New_York"),
    ("Rosa Jimenez", "Europe/Madrid"),
    ("Samir Benali", "Europe/Paris"),
    ("Tara Nowak", "Europe/Warsaw"),
    ("Umar Farouk", "Europe/Berlin"),
    ("Vera Novak", "Europe/Prague"),
    ("Wen Li", "Asia/Shanghai"),
    ("Ximena Cruz", "America/Mexico_City"),
    ("Yusuf Aydin", "Europe/Istanbul"),
    ("Zoe Fischer", "Europe/Vienna"),
    ("Aiko Tanaka", "Asia/Tokyo"),
    ("Ben Carter", "America/Chicago"),
    ("Clara Schmidt", "Europe/Berlin"),
    ("David Cohen", "Asia/Jerusalem"),
    ("Elif Yilmaz", "Europe/Istanbul"),
    ("Felix Braun", "Europe/Zurich"),
    ("Greta Hansen", "Europe/Copenhagen"),
    ("Hugo Lefevre", "Europe/Brussels"),
    ("Ivana Petrovic", "Europe/Belgrade"),
    ("Jakob Moser", "Europe/Vienna"),
    ("Kofi Mensah", "Africa/Accra"),
    ("Lena Richter", "Europe/Berlin"),
    ("Mateo Rossi", "Europe/Rome"),
    ("Nora Eriksen", "Europe/Oslo"),
]
FACULTY = 3  # the first three people steer the organization


@dataclass(frozen=True)
class DemoAccount:
    name: str
    email: str
    org_faculty: bool


def _handle(name: str) -> str:
    first, last = name.lower().replace("'", "").split(" ", 1)
    return f"{first}.{last.replace(' ', '')}"


def _email(name: str) -> str:
    return f"{_handle(name)}@demo.trellis.example"


async def seed_demo(
    uow_factory: UnitOfWorkFactory, hasher: PasswordHasher, *, now: datetime
) -> list[DemoAccount] | None:
    """Returns the accounts created, or None when the demo already exists."""
    async with uow_factory() as uow:
        if await uow.organizations.get_by_slug(DEMO_SLUG):
            return None
        founder_name, founder_tz = PEOPLE[0]
        founded = await organizations.found_organization(
            uow,
            hasher,
            name="Trellis Demo Company",
            slug=DEMO_SLUG,
            founder_name=founder_name,
            founder_handle=_handle(founder_name),
            founder_email=_email(founder_name),
            founder_timezone=founder_tz,
            founder_password=DEMO_PASSWORD,
            now=now,
        )
        org_id = founded.organization.id
        # The company has been around for a while: its people count towards
        # the anonymity threshold of the feedback they are asked for.
        founded.founder.member_since = now - MEMBERS_SINCE
        actor = Actor(person_id=founded.founder.id, organization_id=org_id)
        password_hash = await hasher.hash(DEMO_PASSWORD)  # one hash serves every demo account
        people = [founded.founder]
        for name, tz in PEOPLE[1:]:
            person = Person.create(
                organization_id=org_id,
                name=name,
                handle=_handle(name),
                email=_email(name),
                timezone=tz,
                now=now,
                member_since=now - MEMBERS_SINCE,
            )
            await uow.people.add(person)
            await uow.accounts.add(
                Account(
                    organization_id=org_id,
                    person_id=person.id,
                    email=person.email,
                    password_hash=password_hash,
                    created_at=now,
                )
            )
            people.append(person)
        for person in people[1:FACULTY]:
            await uow.roles.add(
                RoleAssignment(
                    organization_id=org_id,
                    person_id=person.id,
                    role=Role.ORG_FACULTY,
                    started_at=now,
                )
            )
        team_ids = []
        for index, (name, mission, stage) in enumerate(TEAMS):
            team = await teams.create_team(
                uow, actor, name=name, mission=mission, stage=stage, now=now
            )
            team_ids.append(team.id)
            for person in people[index :: len(TEAMS)]:
                await teams.add_team_member(uow, actor, team.id, person.id, now=now)
        areas: dict[str, UUID] = {}
        for parent_name, children in AREAS.items():
            parent = await knowledge_areas.create_area(
                uow, actor, name=parent_name, parent_id=None, now=now
            )
            areas[parent_name] = parent.id
            for child in children:
                child_area = await knowledge_areas.create_area(
                    uow, actor, name=child, parent_id=parent.id, now=now
                )
                areas[child] = child_area.id
        await _leadership(uow, people, team_ids, areas, now=now)
        await _growth(uow, people, now=now)
        await _one_on_ones(uow, people, now=now)
        await _mentoring(uow, people, areas, now=now)
        await _coaching(uow, people, now=now)
        await uow.commit()
    return [
        DemoAccount(name=p.name, email=p.email, org_faculty=i < FACULTY)
        for i, p in enumerate(people)
    ]


def _as(person: Person) -> Actor:
    return Actor(person_id=person.id, organization_id=person.organization_id)


async def _leadership(
    uow: UnitOfWork,
    people: list[Person],
    team_ids: list[UUID],
    areas: dict[str, UUID],
    *,
    now: datetime,
) -> None:
    """Stewards for most people (the last four have none yet, so the list of
    people without a steward has something to show), a few mentorships,
    and team and area leadership roles, all through the consent flows."""
    stewards = people[3:9]
    for index, person in enumerate(people[9:-4]):
        steward = stewards[index % len(stewards)]
        proposal = await relationships.propose(
            uow,
            _as(person),
            kind=RelationshipKind.STEWARDSHIP,
            other_person_id=steward.id,
            side=Side.FOLLOWER,
            message="Would you be my steward?",
            now=now,
            review_on=(now + timedelta(days=90 + index)).date(),
        )
        await relationships.accept(uow, _as(steward), proposal.id, now=now)
    for steward in stewards:  # the stewards are stewarded by the faculty
        proposal = await relationships.propose(
            uow,
            _as(people[0]),
            kind=RelationshipKind.STEWARDSHIP,
            other_person_id=steward.id,
            side=Side.LEADER,
            now=now,
        )
        await relationships.accept(uow, _as(steward), proposal.id, now=now)
    for mentor, mentee, area in (
        (people[3], people[12], "Backend"),
        (people[4], people[13], "Interaction Design"),
        (people[5], people[14], "Online Marketing"),
        (people[3], people[15], "Site Reliability"),
    ):
        proposal = await relationships.propose(
            uow,
            _as(mentee),
            kind=RelationshipKind.MENTORSHIP,
            other_person_id=mentor.id,
            side=Side.FOLLOWER,
            knowledge_area_ids=[areas[area]],
            now=now,
        )
        await relationships.accept(uow, _as(mentor), proposal.id, now=now)
    faculty = _as(people[0])
    for index, team_id in enumerate(team_ids):
        for offset, role in ((10, Role.PRODUCT_OWNER), (20, Role.TEAM_COACH)):
            holder = people[(index + offset) % len(people)]
            assignment = await roles.propose(
                uow, faculty, person_id=holder.id, role=role, team_id=team_id, now=now
            )
            await roles.accept(uow, _as(holder), assignment.id, now=now)
    for index, area in enumerate(("Engineering", "Product", "Design", "Marketing")):
        holder = people[30 + index]
        assignment = await roles.volunteer(
            uow, _as(holder), role=Role.FACULTY_LEAD, knowledge_area_id=areas[area], now=now
        )
        await roles.accept(uow, faculty, assignment.id, now=now)
    coach = people[-1]
    assignment = await roles.volunteer(uow, _as(coach), role=Role.COACH, now=now)
    await roles.accept(uow, faculty, assignment.id, now=now)


async def _growth(uow: UnitOfWork, people: list[Person], *, now: datetime) -> None:
    """Goals (some shared with the steward, some private), autonomy
    agreements with a mismatch to talk about, a feedback request, and
    feedback given unasked (one item shared and acted on, one private)."""
    for index, person in enumerate(people[9:21]):
        me = _as(person)
        shared = await goals.create(
            uow,
            me,
            title=f"Own the {['release', 'on-call', 'roadmap'][index % 3]} process",
            description="Take responsibility end to end.",
            stage=AutonomyStage.FIXED_GOALS,
            target_date=(now + timedelta(days=60 + index)).date(),
            activate=True,
            now=now,
        )
        for progress, confidence in ((20, Confidence.MEDIUM), (45, Confidence.HIGH)):
            await goals.check_in(
                uow, me, shared.id, progress=progress, confidence=confidence, note="", now=now
            )
        await goals.share(uow, me, shared.id, audience=Audience.STEWARD, now=now)
        await goals.create(
            uow, me, title="Something just for me", stage=AutonomyStage.TASKS, now=now
        )
        if index < 6:
            stewardship = await uow.relationships.active_stewardship_of(person.id)
            assert stewardship is not None
            steward = _as(await _person(uow, stewardship.leader_id))
            offer = await agreements.propose(
                uow,
                steward,
                relationship_id=stewardship.id,
                context="Planning releases",
                stage=AutonomyStage.FIXED_GOALS,
                dimension=Dimension.HOW,
                now=now,
            )
            await agreements.confirm_stage(
                uow, me, offer.id, stage=AutonomyStage.FIXED_GOALS, now=now
            )
            await agreements.assess(
                uow, me, offer.id, follower_view=AutonomyStage.FLEXIBLE_GOALS, now=now
            )
    asker, peers = people[9], people[10:13]
    asked = await feedback.request_feedback(
        uow,
        _as(asker),
        topic="How do I run our retrospectives?",
        anonymity=Anonymity.ANONYMOUS,
        due_at=now + timedelta(days=10),
        questions=[
            QuestionSpec(
                QuestionKind.SCALE,
                "How useful are they?",
                low_label="Not at all",
                high_label="Very",
            ),
            QuestionSpec(QuestionKind.TEXT, "What should I change?"),
        ],
        invitee_ids=[p.id for p in peers],
        now=now,
    )
    scale, text = asked.questions
    for invitation, (value, words) in zip(
        asked.invitations[:2], ((4, "Keep the timebox."), (3, "More silent writing.")), strict=False
    ):
        await feedback.answer(
            uow,
            _as(await _person(uow, invitation.invitee_id)),
            invitation.id,
            answers=[AnswerInput(scale.id, value), AnswerInput(text.id, text=words)],
            submit=True,
            now=now,
        )
    # Feedback given unasked: one item shared with the steward and turned
    # into a talking point, one kept private and acknowledged.
    colleague = people[14]
    shared = await feedback_items.give(
        uow,
        _as(colleague),
        subject_id=asker.id,
        text="Your incident write-up helped the whole team learn; more of those, please.",
        now=now,
    )
    await feedback_items.share(uow, _as(asker), shared.ref, audience=ShareAudience.STEWARD, now=now)
    stewardship = await uow.relationships.active_stewardship_of(asker.id)
    assert stewardship is not None
    await feedback_items.turn_into_talking_point(
        uow,
        _as(asker),
        shared.ref,
        relationship_id=stewardship.id,
        text="Making write-ups a habit for the team",
        now=now,
    )
    private = await feedback_items.give(
        uow,
        _as(people[15]),
        subject_id=asker.id,
        text="In planning you sometimes talk over quieter people.",
        now=now,
    )
    await feedback_items.acknowledge(uow, _as(asker), private.ref, now=now)


async def _one_on_ones(uow: UnitOfWork, people: list[Person], *, now: datetime) -> None:
    """Weekly 1-on-1s for some stewardships: one meeting held a week ago
    (notes, action items, an item left open), the next one coming with the
    open item carried over and a talking point raised from feedback."""
    for person in people[9:13]:
        stewardship = await uow.relationships.active_stewardship_of(person.id)
        assert stewardship is not None
        steward = _as(await _person(uow, stewardship.leader_id))
        me = _as(person)
        _, held = await one_on_ones.start(
            uow,
            steward,
            stewardship.id,
            cadence=Cadence.WEEKLY,
            first_meeting_at=now - timedelta(days=6, hours=1),
            now=now - timedelta(days=8),
        )
        assert held is not None
        for author, text in (
            (me, "How the release went"),
            (steward, "Your goal of owning the process"),
            (me, "Time for the conference talk"),
        ):
            await one_on_ones.add_agenda_item(uow, author, held.id, text=text, now=now)
        agenda = await uow.one_on_ones.agenda_of(held.id)
        for item in agenda[:2]:
            item.done = True
        await one_on_ones.add_note(
            uow,
            steward,
            held.id,
            text="Agreed to try weekly release notes.",
            private=False,
            now=now,
        )
        await one_on_ones.add_note(
            uow, steward, held.id, text="Seems tired; ask about workload.", private=True, now=now
        )
        await one_on_ones.add_action_item(
            uow,
            steward,
            held.id,
            owner_id=person.id,
            text="Draft the release notes template",
            due_on=(now - timedelta(days=1)).date(),
            now=now,
        )
        await one_on_ones.add_action_item(
            uow,
            steward,
            held.id,
            owner_id=steward.person_id,
            text="Ask the platform team about deploy windows",
            due_on=(now + timedelta(days=3)).date(),
            now=now,
        )
        await one_on_ones.hold(uow, steward, held.id, now=now - timedelta(days=6))


MENTORS = [
    # (person index, area, proficiency, accepting, weekly windows)
    (20, "Backend", 5, True, [Window(1, 15 * 60, 17 * 60), Window(3, 9 * 60, 11 * 60)]),
    (21, "Backend", 4, True, [Window(0, 10 * 60, 12 * 60)]),
    (22, "Frontend", 5, True, [Window(2, 14 * 60, 16 * 60)]),
    (23, "Engineering", 4, True, [Window(4, 9 * 60, 12 * 60)]),
    (24, "Product Discovery", 4, False, []),
    (25, "Facilitation", 5, True, [Window(1, 8 * 60, 10 * 60)]),
]


async def _mentoring(
    uow: UnitOfWork, people: list[Person], areas: dict[str, UUID], *, now: datetime
) -> None:
    """Mentors offering help (one not taking mentees now), and two people
    looking: one in Backend with several fitting mentors, one in Mobile,
    where nobody offers mentoring, so matching falls back to Engineering."""
    for index, area, level, accepting, windows in MENTORS:
        mentor = _as(people[index])
        await mentoring.offer(
            uow, mentor, knowledge_area_id=areas[area], proficiency=level, now=now
        )
        await mentoring.set_profile(uow, mentor, accepting=accepting, availability=windows, now=now)
    for index, area in ((13, "Backend"), (14, "Mobile")):
        await mentoring.wish(
            uow,
            _as(people[index]),
            knowledge_area_id=areas[area],
            current=2,
            desired=4,
            availability=[Window(1, 14 * 60, 18 * 60), Window(3, 8 * 60, 12 * 60)],
            now=now,
        )


async def _coaching(uow: UnitOfWork, people: list[Person], *, now: datetime) -> None:
    """The coach's weekly availability, and two bookings: one held since
    the person's last 1-on-1 (their steward's prep counts it, and shows
    nothing else of it), one still ahead, with a topic for the coach."""
    coach = _as(people[-1])
    published = await coaching.publish_availability(
        uow,
        coach,
        timezone=None,
        session_minutes=50,
        buffer_minutes=10,
        weekly=[
            Window(1, 9 * 60, 12 * 60),
            Window(3, 9 * 60, 12 * 60),
            Window(4, 13 * 60, 17 * 60),
        ],
        one_off=[],
        exceptions=[],
        now=now,
    )
    for person, start, end, topic in (
        (people[10], now - timedelta(days=5), now, "Finding my feet as a new steward"),
        (people[11], now + timedelta(days=1), now + timedelta(days=8), "Saying no without guilt"),
    ):
        slot = next(iter(published.slots(start, end)))
        session = await coaching.book(
            uow,
            _as(person),
            coach_id=coach.person_id,
            starts_at=slot,
            topic=topic,
            now=min(now, slot - timedelta(days=2)),
        )
        if slot < now:
            await coaching.record(
                uow, coach, session.id, outcome=Outcome.HELD, now=slot + timedelta(hours=1)
            )


async def _person(uow: UnitOfWork, person_id: UUID) -> Person:
    person = await uow.people.get(person_id)
    assert person is not None
    return person
