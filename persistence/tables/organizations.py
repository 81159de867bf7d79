from __future__ import annotations

import sqlalchemy as sa

from persistence.tables.base import id_column, metadata, timestamp

organizations = sa.Table(
    "organizations",
    metadata,
    id_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("slug", sa.Text, nullable=False, unique=True),
    timestamp("created_at"),
    sa.Column("default_stewardee_capacity", sa.Integer, nullable=False, server_default="6"),
    sa.Column("default_mentee_capacity", sa.Integer, nullable=False, server_default="3"),
    sa.Column("readiness_goal_count", sa.Integer, nullable=False, server_default="3"),
    sa.Column("readiness_window_days", sa.Integer, nullable=False, server_default="365"),
    sa.Column("feedback_max_invitees", sa.Integer, nullable=False, server_default="8"),
    sa.Column("feedback_anonymity_threshold", sa.Integer, nullable=False, server_default="3"),
    sa.Column("feedback_open_invitation_cap", sa.Integer, nullable=False, server_default="5"),
    sa.Column("feedback_reminder_hours", sa.Integer, nullable=False, server_default="48"),
    sa.Column("feedback_min_membership_days", sa.Integer, nullable=False, server_default="30"),
    sa.Column("coach_upcoming_sessions_max", sa.Integer, nullable=False, server_default="3"),
    sa.Column("coach_sessions_per_month_max", sa.Integer, nullable=False, server_default="2"),
    sa.Column("coach_cancel_cutoff_hours", sa.Integer, nullable=False, server_default="24"),
    sa.CheckConstraint(
        "feedback_max_invitees BETWEEN 1 AND 50 AND feedback_anonymity_threshold BETWEEN 2 AND 50"
        " AND feedback_open_invitation_cap BETWEEN 1 AND 100"
        " AND feedback_reminder_hours BETWEEN 1 AND 720",
        name="feedback_rules_in_range",
    ),
    sa.CheckConstraint(
        "feedback_min_membership_days BETWEEN 7 AND 365", name="feedback_membership_in_range"
    ),
    sa.CheckConstraint(
        "feedback_max_invitees >= feedback_anonymity_threshold",
        name="feedback_anonymity_reachable",
    ),
    sa.CheckConstraint(
        "coach_upcoming_sessions_max BETWEEN 1 AND 50"
        " AND coach_sessions_per_month_max BETWEEN 1 AND 31"
        " AND coach_cancel_cutoff_hours BETWEEN 0 AND 168",
        name="coach_rules_in_range",
    ),
    sa.CheckConstraint(
        "readiness_goal_count BETWEEN 1 AND 50 AND readiness_window_days BETWEEN 1 AND 3660",
        name="readiness_rule_in_range",
    ),
    sa.CheckConstraint(
        "default_stewardee_capacity BETWEEN 0 AND 50 AND default_mentee_capacity BETWEEN 0 AND 50",
        name="capacities_in_range",
    ),
    sa.CheckConstraint("shows_as_written(name)", name="name_shows_as_written"),
    sa.CheckConstraint("shows_as_written(slug)", name="slug_shows_as_written"),
)
