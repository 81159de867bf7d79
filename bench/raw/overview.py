"""The steward overview by hand: one statement (json_build_object and
json_agg) for bench.steward_overview's QUERY, the same visibility as
Trellis (goals the steward may read, their own agreements); the mismatch
signals come from the agreement's stages through domain.autonomy, as
Trellis derives them."""

from __future__ import annotations

from typing import Any

from bench.raw.common import VIEWER, goal_visible, iso
from domain.autonomy import AutonomyStage, mismatch_signals

STATEMENT = f"""
WITH {VIEWER},
led AS (
  SELECT r.* FROM relationships r, viewer
  WHERE r.organization_id = $1 AND r.kind = 'STEWARDSHIP' AND r.status = 'ACTIVE'
    AND r.leader_id = viewer.id
)
SELECT json_build_object(
  'name', viewer.name,
  'stewardees', (
    SELECT coalesce(json_agg(json_build_object(
      'follower', json_build_object(
        'name', f.name,
        'goals', (
          SELECT coalesce(json_agg(json_build_object(
            'title', g.title, 'status', g.status, 'stage', g.stage,
            'checkIns', (
              SELECT coalesce(json_agg(json_build_object(
                'progress', c.progress, 'confidence', c.confidence,
                'createdAt', {iso("c.created_at")}
              ) ORDER BY c.created_at DESC, c.id), '[]')
              FROM goal_check_ins c WHERE c.goal_id = g.id
            )
          ) ORDER BY g.created_at DESC, g.id), '[]')
          FROM goals g
          WHERE g.organization_id = $1 AND g.owner_id = f.id AND {goal_visible("g")}
        )
      ),
      'lastActivityAt', {iso("act.at")},
      'dueForReview', led.review_on IS NOT NULL AND led.review_on <= $4
    ) ORDER BY led.started_at, led.id), '[]')
    FROM led JOIN people f ON f.id = led.follower_id,
    LATERAL (SELECT greatest(
      (SELECT max(n.created_at) FROM notifications n WHERE n.relationship_id = led.id),
      led.started_at, led.ended_at, led.proposed_at
    ) AS at) act
  ),
  'agreements', (
    SELECT coalesce(json_agg(json_build_object(
      'name', fp.name, 'agreed', a.agreed_stage, 'follower', a.follower_view,
      'leader', a.leader_view, 'capability', a.leader_capability
    ) ORDER BY a.follower_id, a.created_at, a.id), '[]')
    FROM autonomy_agreements a
    JOIN relationships r ON r.id = a.relationship_id
    JOIN people fp ON fp.id = a.follower_id
    WHERE a.organization_id = $1 AND a.leader_id = viewer.id AND a.status = 'ACTIVE'
      AND r.kind = 'STEWARDSHIP' AND r.status = 'ACTIVE'
  )
)::text
FROM viewer
"""
"""$1 organization, $2 viewer, $3 session, $4 today."""


def _stage(name: str | None) -> AutonomyStage | None:
    return None if name is None else AutonomyStage[name]


def signals(agreement: dict[str, Any]) -> list[dict[str, str]]:
    if agreement["agreed"] is None:
        return []
    return [
        {"kind": s.kind.name, "explanation": s.explanation}
        for s in mismatch_signals(
            AutonomyStage[agreement["agreed"]],
            follower_view=_stage(agreement["follower"]),
            leader_view=_stage(agreement["leader"]),
            leader_capability=_stage(agreement["capability"]),
        )
    ]


def shape(row: dict[str, Any]) -> dict[str, Any]:
    """The GraphQL answer from the statement's row: the agreements become
    the stewardee mismatches (those with signals)."""
    mismatches = []
    for agreement in row.pop("agreements"):
        found = signals(agreement)
        if found:
            mismatches.append({"stewardee": {"name": agreement["name"]}, "signals": found})
    return {"data": {"viewer": {**row, "stewardeeMismatches": mismatches}}}
