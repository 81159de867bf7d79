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
    id: UUID = field(default_factory=new_id)

    @classmethod
    def create(cls, *, name: str, slug: str, now: datetime) -> Organization:
        return cls(
            name=validation.text("name", name, max_length=120),
            slug=validation.handle(slug, field="slug"),
            created_at=now,
        )

    def update_settings(
        self,
        *,
        default_stewardee_capacity: int | None = None,
        default_mentee_capacity: int | None = None,
        readiness_goal_count: int | None = None,
        readiness_window_days: int | None = None,
        feedback_max_invitees: int | None = None,
        feedback_anonymity_threshold: int | None = None,
        feedback_open_invitation_cap: int | None = None,
        feedback_reminder_hours: int | None = None,
    ) -> None:
        """Defaults apply to whoever set no value of their own, from now on;
        nobody's current relationships change."""
        for name, value, low, high in (
            ("defaultStewardeeCapacity", default_stewardee_capacity, 0, 50),
            ("defaultMenteeCapacity", default_mentee_capacity, 0, 50),
            ("readinessGoalCount", readiness_goal_count, 1, 50),
            ("readinessWindowDays", readiness_window_days, 1, 3660),
            ("feedbackMaxInvitees", feedback_max_invitees, 1, 50),
            ("feedbackAnonymityThreshold", feedback_anonymity_threshold, 2, 50),
            ("feedbackOpenInvitationCap", feedback_open_invitation_cap, 1, 100),
            ("feedbackReminderHours", feedback_reminder_hours, 1, 720),
        ):
            if value is not None and not low <= value <= high:
                raise ValidationFailed(
                    name, f"{name} is between {low} and {high}.", code="OUT_OF_RANGE"
                )
        if default_stewardee_capacity is not None:
            self.default_stewardee_capacity = default_stewardee_capacity
        if default_mentee_capacity is not None:
            self.default_mentee_capacity = default_mentee_capacity
        if readiness_goal_count is not None:
            self.readiness_goal_count = readiness_goal_count
        if readiness_window_days is not None:
            self.readiness_window_days = readiness_window_days
        max_invitees = feedback_max_invitees or self.feedback_max_invitees
        threshold = feedback_anonymity_threshold or self.feedback_anonymity_threshold
        if max_invitees < threshold:
            raise ValidationFailed(
                "feedbackMaxInvitees",
                f"An anonymous request asks at least {threshold} people to release anything: "
                "allow at least that many invitees.",
                code="BELOW_ANONYMITY_THRESHOLD",
            )
        if feedback_max_invitees is not None:
            self.feedback_max_invitees = feedback_max_invitees
        if feedback_anonymity_threshold is not None:
            self.feedback_anonymity_threshold = feedback_anonymity_threshold
        if feedback_open_invitation_cap is not None:
            self.feedback_open_invitation_cap = feedback_open_invitation_cap
        if feedback_reminder_hours is not None:
            self.feedback_reminder_hours = feedback_reminder_hours
