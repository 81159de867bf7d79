"""The tenant. Everything else belongs to exactly one organization."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain import validation
from domain.errors import ValidationFailed
from domain.ids import new_id


@dataclass(eq=False)
class Organization:
    name: str
    slug: str
    created_at: datetime
    # Defaults for people who set no capacity of their own.
    default_stewardee_capacity: int = 6
    default_mentee_capacity: int = 3
    # The readiness rule: this many goals achieved at a stage (each with a
    # check-in) within this many days suggest readiness for the next stage.
    readiness_goal_count: int = 3
    readiness_window_days: int = 365
    # Feedback: people asked at once; answers an anonymous request needs
    # before any is shown (k); open invitations a person may have (fatigue).
    feedback_max_invitees: int = 8
    feedback_anonymity_threshold: int = 3
    feedback_open_invitation_cap: int = 5
    feedback_reminder_hours: int = 48
    """How long before the due date a pending invitee is reminded (once)."""
    feedback_min_membership_days: int = 30
    """An anonymous answer counts towards k only if its author had been a
    member this long when the request was made (accounts made to fill k
    don't count)."""
    # Coach sessions, fair use: booked sessions a person may have ahead of
    # them, sessions a month with the same coach, and how long before the
    # start a coachee may still cancel or reschedule.
    coach_upcoming_sessions_max: int = 3
    coach_sessions_per_month_max: int = 2
    coach_cancel_cutoff_hours: int = 24
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(cls, *, name: str, slug: str, now: datetime) -> Organization:
        return cls(
            name=validation.name("name", name, max_length=120),
            slug=validation.handle(slug, field="slug"),
            created_at=now,
        )

    def update_settings(self, **changes: int | None) -> None:
        """Defaults apply to whoever set no value of their own, from now on;
        nobody's current relationships or bookings change. Everything is
        checked before anything changes; None leaves a setting as it is."""
        given = {name: value for name, value in changes.items() if value is not None}
        for name, value in given.items():
            if name not in SETTING_RANGES:
                raise TypeError(f"unknown setting {name}")
            low, high = SETTING_RANGES[name]
            if not low <= value <= high:
                field_name = _camel(name)
                raise ValidationFailed(
                    field_name, f"{field_name} is between {low} and {high}.", code="OUT_OF_RANGE"
                )
        max_invitees = given.get("feedback_max_invitees", self.feedback_max_invitees)
        threshold = given.get("feedback_anonymity_threshold", self.feedback_anonymity_threshold)
        if max_invitees < threshold:
            raise ValidationFailed(
                "feedbackMaxInvitees",
                f"An anonymous request asks at least {threshold} people to release anything: "
                "allow at least that many invitees.",
                code="BELOW_ANONYMITY_THRESHOLD",
            )
        for name, value in given.items():
            setattr(self, name, value)


SETTING_RANGES: dict[str, tuple[int, int]] = {
    "default_stewardee_capacity": (0, 50),
    "default_mentee_capacity": (0, 50),
    "readiness_goal_count": (1, 50),
    "readiness_window_days": (1, 3660),
    "feedback_max_invitees": (1, 50),
    "feedback_anonymity_threshold": (2, 50),
    "feedback_open_invitation_cap": (1, 100),
    "feedback_reminder_hours": (1, 720),
    "feedback_min_membership_days": (7, 365),
    "coach_upcoming_sessions_max": (1, 50),
    "coach_sessions_per_month_max": (1, 31),
    "coach_cancel_cutoff_hours": (0, 168),
}
"""Every setting org faculty may change, with its allowed range (the
database checks the same ranges)."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
