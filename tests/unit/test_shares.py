"""Whom a share reaches now (domain/shares.py): the pure rule that goal and
feedback visibility both rest on, and that persistence/reads/shares.py
states in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.organizations import Organization
from domain.people import Person
from domain.relationships import EndReason, Relationship, RelationshipKind, RelationshipStatus
from domain.shares import Reach, ShareEnd, ended, reach
from tests.unit.world import member

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ENDED = NOW + timedelta(days=3)
LATER = ENDED + timedelta(days=3)
ACME = Organization.create(name="Acme", slug="acme", now=NOW)
OWNER = member(ACME, "ada", NOW)
READER = member(ACME, "bob", NOW)


def relationship(
    status: RelationshipStatus = RelationshipStatus.ACTIVE, end_reason: EndReason | None = None
) -> Relationship:
    return Relationship(
        organization_id=ACME.id,
        kind=RelationshipKind.STEWARDSHIP,
        leader_id=READER.id,
        follower_id=OWNER.id,
        proposed_by_id=OWNER.id,
        proposed_at=NOW,
        status=status,
        started_at=NOW,
        ended_at=ENDED if status is RelationshipStatus.ENDED else None,
        end_reason=end_reason,
    )


def left(handle: str, at: datetime) -> Person:
    person = member(ACME, handle, NOW)
    person.mark_left(at)
    return person


def test_a_share_with_a_colleague_reaches_them_while_both_are_members() -> None:
    assert reach(OWNER, READER, None) == Reach(READER.id)


def test_a_share_made_in_an_active_relationship_reaches_its_leader() -> None:
    assert reach(OWNER, READER, relationship()) == Reach(READER.id)


@pytest.mark.parametrize(
    ("end_reason", "because"),
    [
        (EndReason.HANDED_OVER, ShareEnd.HANDED_OVER),
        (EndReason.ENDED_BY_LEADER, ShareEnd.RELATIONSHIP_ENDED),
        (EndReason.ENDED_BY_FOLLOWER, ShareEnd.RELATIONSHIP_ENDED),
        (EndReason.PERSON_LEFT, ShareEnd.PERSON_LEFT),
    ],
)
def test_a_share_ends_with_the_relationship_it_was_made_in(
    end_reason: EndReason, because: ShareEnd
) -> None:
    ended_relationship = relationship(RelationshipStatus.ENDED, end_reason)
    assert reach(OWNER, READER, ended_relationship) == Reach(None, ENDED, because)


def test_a_share_with_someone_who_left_reaches_nobody() -> None:
    lee = left("lee", ENDED)
    assert reach(OWNER, lee, None) == Reach(None, ENDED, ShareEnd.PERSON_LEFT)
    # Even within a relationship the data says is still active.
    assert reach(OWNER, lee, relationship()) == Reach(None, ENDED, ShareEnd.PERSON_LEFT)


@pytest.mark.parametrize("made_in", [None, relationship()], ids=["by name", "in a relationship"])
def test_every_share_of_an_owner_who_left_reaches_nobody(made_in: Relationship | None) -> None:
    """Whoever it is with, and even within a relationship the data says is
    still active: someone who left can no longer take a share back."""
    owner = left("ann", ENDED)
    assert reach(owner, READER, made_in) == Reach(None, ENDED, ShareEnd.PERSON_LEFT)


def test_a_share_with_the_organization_ends_when_its_owner_leaves() -> None:
    assert ended(OWNER) is None
    assert ended(left("ann", ENDED)) == (ENDED, ShareEnd.PERSON_LEFT)


def test_the_first_end_is_the_one_shown() -> None:
    """A share that ended with a handover still says so after its owner or
    its person left; one whose owner left first says that."""
    handed_over = relationship(RelationshipStatus.ENDED, EndReason.HANDED_OVER)
    assert reach(left("ann", LATER), READER, handed_over) == Reach(
        None, ENDED, ShareEnd.HANDED_OVER
    )
    assert reach(left("ann", LATER), left("lee", ENDED), None) == Reach(
        None, ENDED, ShareEnd.PERSON_LEFT
    )
    assert reach(left("ann", NOW), READER, handed_over) == Reach(None, NOW, ShareEnd.PERSON_LEFT)
