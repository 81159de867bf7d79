"""Self-service mentoring entities (domain/mentoring.py): mentor offers and
their lifecycle, the mentor profile with its weekly availability, and
learning wishes. Refused input raises a typed error and leaves the entity as
it was."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.availability import Window
from domain.errors import Conflict, ValidationFailed
from domain.knowledge_areas import ancestry, on_one_branch, subtree
from domain.mentoring import (
    NOTE_MAX,
    LearningWish,
    MentorLoad,
    MentorOffer,
    MentorProfile,
    OfferStatus,
    WishStatus,
    fullest_first,
    oldest_first,
    takes_new_mentees,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
LATEST = NOW + timedelta(hours=2)

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
MENTOR = uuid.UUID("00000000-0000-4000-8000-00000000000a")
LEARNER = uuid.UUID("00000000-0000-4000-8000-00000000000b")
AREA = uuid.UUID("00000000-0000-4000-8000-0000000000aa")
GOAL = uuid.UUID("00000000-0000-4000-8000-0000000000bb")

MONDAY_MORNING = Window(0, 9 * 60, 12 * 60)
MONDAY_AFTERNOON = Window(0, 14 * 60, 17 * 60)
FRIDAY_MORNING = Window(4, 9 * 60, 11 * 60)

BAD_AVAILABILITY = [
    ([Window(0, 12 * 60, 9 * 60)], "ENDS_BEFORE_START"),
    ([Window(0, 9 * 60, 12 * 60), Window(0, 11 * 60, 13 * 60)], "OVERLAPPING_WINDOWS"),
    ([Window(7, 9 * 60, 10 * 60)], "INVALID_DAY"),
    ([Window(0, 23 * 60, 25 * 60)], "INVALID_TIME"),
    ([Window(d, h * 60, h * 60 + 30) for d in range(7) for h in range(4)], "TOO_MANY"),
]
BAD_AVAILABILITY_IDS = ["backwards", "overlapping", "weekday", "past-midnight", "too-many"]


# -- mentor offers ------------------------------------------------------------------


def make_offer(*, proficiency: int = 4, note: str = "Happy to help with SEO.") -> MentorOffer:
    return MentorOffer.create(
        organization_id=ORG,
        mentor_id=MENTOR,
        knowledge_area_id=AREA,
        proficiency=proficiency,
        note=note,
        now=NOW,
    )


def withdrawn_offer() -> MentorOffer:
    offer = make_offer()
    offer.withdraw(LATER)
    return offer


def test_create_offer() -> None:
    offer = make_offer(note="  Line one\nline two  ")
    assert (offer.organization_id, offer.mentor_id, offer.knowledge_area_id) == (ORG, MENTOR, AREA)
    assert offer.proficiency == 4
    assert offer.note == "Line one\nline two"
    assert offer.status is OfferStatus.ACTIVE
    assert offer.created_at == offer.updated_at == NOW
    assert isinstance(offer.id, UUID)
    assert make_offer().id != offer.id


def test_an_empty_note_is_fine() -> None:
    assert make_offer(note="   ").note == ""


@pytest.mark.parametrize("level", [1, 5])
def test_proficiency_bounds_are_included(level: int) -> None:
    assert make_offer(proficiency=level).proficiency == level


@pytest.mark.parametrize("level", [0, 6, -1, 10])
def test_create_refuses_proficiency_out_of_range(level: int) -> None:
    """Proficiency is a 1-5 scale; 0 and 6 are the usual off-by-ones."""
    with pytest.raises(ValidationFailed) as caught:
        make_offer(proficiency=level)
    assert (caught.value.field, caught.value.code) == ("proficiency", "OUT_OF_RANGE")


@pytest.mark.parametrize(
    ("note", "code"), [("x" * (NOTE_MAX + 1), "TOO_LONG"), ("nul\x00", "INVALID_CHARACTERS")]
)
def test_create_refuses_bad_notes(note: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_offer(note=note)
    assert (caught.value.field, caught.value.code) == ("note", code)


def test_note_length_is_counted_after_trimming() -> None:
    assert make_offer(note="  " + "x" * NOTE_MAX + "  ").note == "x" * NOTE_MAX


def test_edit_offer() -> None:
    offer = make_offer()
    offer.edit(proficiency=5, note="  Now also SEA.  ", now=LATER)
    assert (offer.proficiency, offer.note, offer.updated_at) == (5, "Now also SEA.", LATER)
    offer.edit(proficiency=None, note=None, now=LATEST)
    assert (offer.proficiency, offer.note, offer.updated_at) == (5, "Now also SEA.", LATEST)
    assert offer.created_at == NOW


@pytest.mark.parametrize("level", [0, 6])
def test_edit_refuses_proficiency_out_of_range(level: int) -> None:
    offer = make_offer()
    with pytest.raises(ValidationFailed) as caught:
        offer.edit(proficiency=level, note="Changed", now=LATER)
    assert (caught.value.field, caught.value.code) == ("proficiency", "OUT_OF_RANGE")
    assert (offer.proficiency, offer.note, offer.updated_at) == (4, "Happy to help with SEO.", NOW)


def test_a_refused_edit_leaves_the_offer_as_it_was() -> None:
    """A valid proficiency next to a bad note: the whole edit is refused, so
    the proficiency must not change either (as Goal.edit does: validate
    everything before changing anything)."""
    offer = make_offer()
    with pytest.raises(ValidationFailed) as caught:
        offer.edit(proficiency=5, note="x" * (NOTE_MAX + 1), now=LATER)
    assert (caught.value.field, caught.value.code) == ("note", "TOO_LONG")
    assert (offer.proficiency, offer.note, offer.updated_at) == (4, "Happy to help with SEO.", NOW)


def test_pause_and_resume() -> None:
    """Pausing hides an offer from matching without losing it."""
    offer = make_offer()
    offer.set_paused(True, LATER)
    assert (offer.status, offer.updated_at) == (OfferStatus.PAUSED, LATER)
    offer.set_paused(True, LATER)  # pausing a paused offer is harmless
    assert offer.status is OfferStatus.PAUSED
    offer.set_paused(False, LATEST)
    assert (offer.status, offer.updated_at) == (OfferStatus.ACTIVE, LATEST)


def test_a_paused_offer_can_be_edited_and_withdrawn() -> None:
    offer = make_offer()
    offer.set_paused(True, LATER)
    offer.edit(proficiency=3, note=None, now=LATER)
    assert (offer.status, offer.proficiency) == (OfferStatus.PAUSED, 3)
    offer.withdraw(LATEST)
    assert (offer.status, offer.updated_at) == (OfferStatus.WITHDRAWN, LATEST)


def test_withdraw_keeps_the_offer_as_history() -> None:
    offer = make_offer()
    offer.withdraw(LATER)
    assert (offer.status, offer.updated_at) == (OfferStatus.WITHDRAWN, LATER)
    assert (offer.proficiency, offer.note, offer.created_at) == (4, "Happy to help with SEO.", NOW)


@pytest.mark.parametrize(
    "action",
    [
        lambda o: o.edit(proficiency=5, note="Back again", now=LATEST),
        lambda o: o.edit(proficiency=None, note=None, now=LATEST),
        lambda o: o.set_paused(True, LATEST),
        lambda o: o.set_paused(False, LATEST),
        lambda o: o.withdraw(LATEST),
    ],
    ids=["edit", "empty-edit", "pause", "resume", "withdraw-again"],
)
def test_a_withdrawn_offer_is_final(action: Callable[[MentorOffer], None]) -> None:
    """Withdrawn is history: a mentor who wants to help again makes a new
    offer, and nothing about the old one changes."""
    offer = withdrawn_offer()
    with pytest.raises(Conflict) as caught:
        action(offer)
    assert caught.value.code == "WITHDRAWN"
    assert (offer.status, offer.updated_at) == (OfferStatus.WITHDRAWN, LATER)
    assert (offer.proficiency, offer.note) == (4, "Happy to help with SEO.")


def test_a_withdrawn_offer_refuses_before_it_validates() -> None:
    """The conflict is the answer even to bad input: the offer is gone."""
    offer = withdrawn_offer()
    with pytest.raises(Conflict):
        offer.edit(proficiency=0, note=None, now=LATEST)


# -- mentor profile --------------------------------------------------------------------


def make_profile(availability: list[Window] | None = None) -> MentorProfile:
    return MentorProfile.create(
        organization_id=ORG,
        person_id=MENTOR,
        accepting=True,
        availability=[FRIDAY_MORNING, MONDAY_MORNING] if availability is None else availability,
        now=NOW,
    )


def test_create_profile_sorts_availability() -> None:
    profile = make_profile()
    assert (profile.organization_id, profile.person_id) == (ORG, MENTOR)
    assert profile.accepting is True
    assert profile.availability == [MONDAY_MORNING, FRIDAY_MORNING]
    assert profile.updated_at == NOW


def test_a_profile_may_give_no_availability() -> None:
    assert make_profile([]).availability == []


@pytest.mark.parametrize(("windows", "code"), BAD_AVAILABILITY, ids=BAD_AVAILABILITY_IDS)
def test_create_profile_checks_availability(windows: list[Window], code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_profile(windows)
    assert (caught.value.field, caught.value.code) == ("availability", code)


def test_update_profile() -> None:
    profile = make_profile()
    profile.update(accepting=False, availability=[MONDAY_AFTERNOON, MONDAY_MORNING], now=LATER)
    assert profile.accepting is False
    assert profile.availability == [MONDAY_MORNING, MONDAY_AFTERNOON]
    assert profile.updated_at == LATER
    profile.update(accepting=None, availability=None, now=LATEST)
    assert profile.accepting is False
    assert profile.availability == [MONDAY_MORNING, MONDAY_AFTERNOON]
    profile.update(accepting=True, availability=[], now=LATEST)
    assert (profile.accepting, profile.availability) == (True, [])


@pytest.mark.parametrize(("windows", "code"), BAD_AVAILABILITY, ids=BAD_AVAILABILITY_IDS)
def test_update_profile_checks_availability(windows: list[Window], code: str) -> None:
    profile = make_profile()
    with pytest.raises(ValidationFailed) as caught:
        profile.update(accepting=None, availability=windows, now=LATER)
    assert (caught.value.field, caught.value.code) == ("availability", code)
    assert profile.availability == [MONDAY_MORNING, FRIDAY_MORNING]
    assert profile.updated_at == NOW


def test_a_refused_profile_update_leaves_accepting_as_it_was() -> None:
    """Switching accepting off together with bad windows is refused as a
    whole: the mentor must not silently stop accepting mentees."""
    profile = make_profile()
    with pytest.raises(ValidationFailed):
        profile.update(accepting=False, availability=[Window(0, 600, 540)], now=LATER)
    assert profile.accepting is True
    assert profile.availability == [MONDAY_MORNING, FRIDAY_MORNING]
    assert profile.updated_at == NOW


# -- learning wishes ---------------------------------------------------------------------


def make_wish(
    *,
    current: int = 2,
    desired: int = 4,
    availability: list[Window] | None = None,
    goal_id: UUID | None = None,
) -> LearningWish:
    return LearningWish.create(
        organization_id=ORG,
        person_id=LEARNER,
        knowledge_area_id=AREA,
        current=current,
        desired=desired,
        availability=[] if availability is None else availability,
        goal_id=goal_id,
        now=NOW,
    )


def test_create_wish() -> None:
    wish = make_wish(availability=[MONDAY_AFTERNOON, MONDAY_MORNING], goal_id=GOAL)
    assert (wish.organization_id, wish.person_id, wish.knowledge_area_id) == (ORG, LEARNER, AREA)
    assert (wish.current, wish.desired, wish.goal_id) == (2, 4, GOAL)
    assert wish.availability == [MONDAY_MORNING, MONDAY_AFTERNOON]
    assert wish.status is WishStatus.OPEN
    assert wish.is_open
    assert wish.created_at == NOW
    assert wish.closed_at is None
    assert make_wish().goal_id is None


@pytest.mark.parametrize(("current", "desired"), [(1, 2), (1, 5), (4, 5)])
def test_wish_levels_at_the_bounds(current: int, desired: int) -> None:
    wish = make_wish(current=current, desired=desired)
    assert (wish.current, wish.desired) == (current, desired)


@pytest.mark.parametrize(
    ("current", "desired", "field"),
    [
        (0, 3, "current"),
        (6, 3, "current"),
        (-1, 3, "current"),
        (2, 0, "desired"),
        (2, 6, "desired"),
    ],
)
def test_wish_levels_out_of_range(current: int, desired: int, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_wish(current=current, desired=desired)
    assert (caught.value.field, caught.value.code) == (field, "OUT_OF_RANGE")


@pytest.mark.parametrize(("current", "desired"), [(3, 3), (1, 1), (5, 5), (4, 2), (5, 1)])
def test_desired_must_be_above_current(current: int, desired: int) -> None:
    """A wish to stay where you are, or to unlearn, is nothing a mentor can
    help with, and would break the proficiency criterion's arithmetic."""
    with pytest.raises(ValidationFailed) as caught:
        make_wish(current=current, desired=desired)
    assert (caught.value.field, caught.value.code) == ("desired", "DESIRED_NOT_ABOVE_CURRENT")


@pytest.mark.parametrize(("windows", "code"), BAD_AVAILABILITY, ids=BAD_AVAILABILITY_IDS)
def test_wish_availability_is_checked(windows: list[Window], code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_wish(availability=windows)
    assert (caught.value.field, caught.value.code) == ("availability", code)


@pytest.mark.parametrize("status", [WishStatus.FULFILLED, WishStatus.WITHDRAWN])
def test_close_a_wish(status: WishStatus) -> None:
    wish = make_wish()
    wish.close(status, LATER)
    assert (wish.status, wish.closed_at) == (status, LATER)
    assert not wish.is_open


@pytest.mark.parametrize("first", [WishStatus.FULFILLED, WishStatus.WITHDRAWN])
@pytest.mark.parametrize("second", [WishStatus.FULFILLED, WishStatus.WITHDRAWN])
def test_a_closed_wish_cannot_be_closed_again(first: WishStatus, second: WishStatus) -> None:
    """Closing is once: a second close would rewrite when and how it ended."""
    wish = make_wish()
    wish.close(first, LATER)
    with pytest.raises(Conflict) as caught:
        wish.close(second, LATEST)
    assert caught.value.code == "WISH_CLOSED"
    assert first.value.lower() in caught.value.message
    assert (wish.status, wish.closed_at) == (first, LATER)


def _offer_with(status: OfferStatus) -> MentorOffer:
    offer = make_offer()
    offer.status = status
    return offer


@pytest.mark.parametrize(
    ("accepting", "offers", "offer_required", "takes"),
    [
        # No profile yet, or accepting: the offers near the area decide.
        (None, [OfferStatus.ACTIVE], True, True),
        (None, [OfferStatus.PAUSED], True, False),
        (None, [OfferStatus.PAUSED], False, False),
        (True, [OfferStatus.PAUSED, OfferStatus.ACTIVE], True, True),
        # No offer at all: matching has nothing to go on, a direct proposal may ask.
        (None, [], True, False),
        (True, [], False, True),
        # Not accepting new mentees closes everything.
        (False, [OfferStatus.ACTIVE], True, False),
        (False, [], False, False),
    ],
)
def test_whether_a_mentor_takes_new_mentees(
    accepting: bool | None, offers: list[OfferStatus], offer_required: bool, takes: bool
) -> None:
    profile = (
        None
        if accepting is None
        else MentorProfile.create(
            organization_id=ORG, person_id=MENTOR, accepting=accepting, availability=[], now=NOW
        )
    )
    near = [_offer_with(status) for status in offers]
    assert takes_new_mentees(profile, near, offer_required=offer_required) is takes


# -- the faculty lead's overview ------------------------------------------------------


def test_an_overview_covers_the_area_and_everything_below_it() -> None:
    root, child, grandchild, sibling, other = (uuid.UUID(int=n) for n in range(1, 6))
    parents = {root: None, child: root, grandchild: child, sibling: root, other: None}
    assert subtree(parents, root) == [root, child, sibling, grandchild]
    assert subtree(parents, child) == [child, grandchild]
    assert subtree(parents, grandchild) == [grandchild]
    assert subtree(parents, other) == [other]


def test_areas_on_one_branch_are_the_area_its_ancestors_and_its_descendants() -> None:
    root, child, grandchild, sibling, unknown = (uuid.UUID(int=n) for n in range(1, 6))
    parents = {root: None, child: root, grandchild: child, sibling: root}
    assert ancestry(parents, grandchild) == [grandchild, child, root]
    assert ancestry(parents, unknown) == []
    assert on_one_branch(parents, grandchild, root)
    assert on_one_branch(parents, root, grandchild)
    assert on_one_branch(parents, child, child)
    assert not on_one_branch(parents, grandchild, sibling)
    assert not on_one_branch(parents, unknown, root)


def test_mentors_near_capacity_are_listed_once_fullest_first() -> None:
    ada, bob, cy = (uuid.UUID(int=n) for n in range(1, 4))
    loads = [
        MentorLoad(bob, "Bob", 2, 3),
        MentorLoad(ada, "Ada", 2, 3),
        MentorLoad(cy, "Cy", 1, 1),
        MentorLoad(bob, "Bob", 2, 3),  # offering a second area of the overview
    ]
    assert [m.mentor_name for m in fullest_first(loads)] == ["Cy", "Ada", "Bob"]


def test_unmatched_wishes_are_listed_oldest_first() -> None:
    newer, older = make_wish(), make_wish()
    older.created_at = NOW - timedelta(days=1)
    assert oldest_first([newer, older]) == [older, newer]
