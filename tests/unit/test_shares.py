"""Whom a share reaches now (domain/shares.py): the pure rule that goal and
feedback visibility both rest on, and that persistence/reads/shares.py
states in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.organizations import Organization
from domain.relationships import EndReason, Relationship, RelationshipKind, RelationshipStatus
from domain.shares import Reach, ShareEnd, reach
from tests.unit.world import member

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ENDED = NOW + timedelta(days=3)
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


def test_a_share_with_a_colleague_reaches_them_while_they_are_a_member() -> None:
    assert reach(READER, None) == Reach(READER.id)


def test_a_share_made_in_an_active_relationship_reaches_its_leader() -> None:
    assert reach(READER, relationship()) == Reach(READER.id)


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
    ended = relationship(RelationshipStatus.ENDED, end_reason)
    assert reach(READER, ended) == Reach(None, ENDED, because)


def test_a_share_with_someone_who_left_reaches_nobody() -> None:
    left = member(ACME, "lee", NOW)
    left.mark_left(ENDED)
    assert reach(left, None) == Reach(None, ENDED, ShareEnd.PERSON_LEFT)
    # Even within a relationship the data says is still active.
    assert reach(left, relationship()) == Reach(None, ENDED, ShareEnd.PERSON_LEFT)
