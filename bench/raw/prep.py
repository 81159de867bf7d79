"""The prep of a 1-on-1 by hand: one statement (json_build_object and
json_agg) for bench.one_on_one_prep's QUERY, with Trellis' visibility
mirrored section by section (the meeting and its agenda for the two
participants; goals, feedback and request results as shared with the
viewer, through shares that still reach them; the pair's own agreements;
readiness for the person and their steward only). The statement returns
the sections and what the talking points and readiness rest on; the few
lines deriving those follow domain.prep.suggest and domain.autonomy."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

from bench.raw.common import VIEWER, goal_visible, iso, reaches
from bench.raw.overview import signals
from domain.autonomy import AchievedGoal, AutonomyStage, ReadinessRule, readiness

FEEDBACK_SHOWN = 50
REQUESTS_SHOWN = 20


def _participates(series: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM one_on_one_participants pp"
        f" WHERE pp.series_id = {series} AND pp.person_id = $2)"
    )


def _shared_with_viewer(source: str) -> str:
    """persistence.reads.feedback_items.shared_with."""
    return (
        "EXISTS (SELECT 1 FROM feedback_shares fs"
        f" WHERE coalesce(fs.item_id, fs.request_id) = {source} AND fs.revoked_at IS NULL"
        f" AND {reaches('fs')})"
    )


STATEMENT = f"""
WITH {VIEWER},
mt AS (
  SELECT m.* FROM one_on_one_meetings m
  WHERE m.organization_id = $1 AND m.id = $4 AND {_participates("m.series_id")}
),
rel AS (
  SELECT r.* FROM mt
  JOIN one_on_one_series s ON s.id = mt.series_id AND {_participates("s.id")}
  JOIN relationships r ON r.id = s.relationship_id
),
since AS (
  SELECT coalesce((
    SELECT h.held_at FROM one_on_one_meetings h
    WHERE h.series_id = mt.series_id AND h.status = 'HELD' AND h.id <> mt.id
      AND h.scheduled_at <= mt.scheduled_at
    ORDER BY h.scheduled_at DESC, h.id LIMIT 1
  ), rel.started_at) AS at
  FROM mt, rel
),
changed AS (
  SELECT c.* FROM relationships c, rel, since
  WHERE c.organization_id = $1
    AND (c.leader_id = rel.follower_id OR c.follower_id = rel.follower_id)
    AND (c.started_at > since.at OR c.ended_at > since.at)
)
SELECT (SELECT json_build_object(
  'scheduledAt', {iso("mt.scheduled_at")},
  'active', rel.status = 'ACTIVE',
  'since', {iso("since.at")},
  'person', (SELECT json_build_object('name', p.name) FROM people p WHERE p.id = rel.follower_id),
  'goals', (
    SELECT coalesce(json_agg(json_build_object(
      'goal', json_build_object(
        'title', g.title, 'status', g.status, 'stage', g.stage, 'targetDate', g.target_date
      ),
      'checkInsSince', (
        SELECT coalesce(json_agg(json_build_object(
          'progress', c.progress, 'confidence', c.confidence, 'note', c.note
        ) ORDER BY c.created_at DESC, c.id), '[]')
        FROM goal_check_ins c WHERE c.goal_id = g.id AND c.created_at > since.at
      ),
      'latest', (
        SELECT json_agg(json_build_object('confidence', l.confidence, 'new', l.created_at > since.at))
        FROM (SELECT * FROM goal_check_ins c WHERE c.goal_id = g.id
              ORDER BY c.created_at DESC, c.id LIMIT 2) l
      ),
      'overdue', coalesce(g.status IN ('DRAFT', 'ACTIVE')
        AND g.target_date < ($5 AT TIME ZONE 'UTC')::date, false)
    ) ORDER BY g.created_at DESC, g.id), '[]')
    FROM goals g
    WHERE g.organization_id = $1 AND g.owner_id = rel.follower_id AND {goal_visible("g")}
      AND (g.status IN ('DRAFT', 'ACTIVE')
           OR coalesce(g.achieved_at, g.abandoned_at, g.created_at) > since.at)
  ),
  'feedback', (
    SELECT coalesce(json_agg(json_build_object(
      'text', f.text, 'createdAt', {iso("f.created_at")}, 'giver', json_build_object('name', gp.name)
    ) ORDER BY f.created_at DESC, f.id DESC), '[]')
    FROM (
      SELECT * FROM feedback_items f
      WHERE f.organization_id = $1 AND f.subject_id = rel.follower_id
        AND (f.subject_id = $2 OR f.giver_id = $2 OR {_shared_with_viewer("f.id")})
        AND (rel.follower_id = $2 OR f.giver_id <> $2)
        AND f.created_at > since.at
      ORDER BY f.created_at DESC, f.id DESC LIMIT {FEEDBACK_SHOWN}
    ) f JOIN people gp ON gp.id = f.giver_id
  ),
  'feedbackRequests', (
    SELECT coalesce(json_agg(json_build_object(
      'topic', q.topic,
      'results', json_build_object('released', q.anonymity = 'NAMED' OR q.released_at IS NOT NULL)
    ) ORDER BY q.created_at DESC, q.id DESC), '[]')
    FROM (
      SELECT * FROM feedback_requests q
      WHERE q.organization_id = $1 AND q.requester_id = rel.follower_id
        AND (q.requester_id = $2 OR {_shared_with_viewer("q.id")})
        AND (q.closed_at IS NULL OR q.closed_at > since.at)
      ORDER BY q.created_at DESC, q.id DESC LIMIT {REQUESTS_SHOWN}
    ) q
  ),
  'agreements', (
    SELECT coalesce(json_agg(json_build_object(
      'context', a.context, 'agreedStage', a.agreed_stage, 'status', a.status,
      'agreed', a.agreed_stage, 'follower', a.follower_view, 'leader', a.leader_view,
      'capability', a.leader_capability
    ) ORDER BY a.created_at, a.id), '[]')
    FROM autonomy_agreements a
    WHERE a.organization_id = $1 AND (a.leader_id = $2 OR a.follower_id = $2)
      AND a.leader_id = rel.leader_id AND a.follower_id = rel.follower_id
      AND a.status <> 'ENDED'
  ),
  'readiness', CASE WHEN rel.follower_id = $2 OR EXISTS (
      SELECT 1 FROM relationships st
      WHERE st.organization_id = $1 AND st.kind = 'STEWARDSHIP' AND st.status = 'ACTIVE'
        AND st.follower_id = rel.follower_id AND st.leader_id = $2
    ) THEN json_build_object(
      'goals', o.readiness_goal_count, 'days', o.readiness_window_days,
      'achieved', (
        SELECT coalesce(json_agg(json_build_object(
          'stage', g.stage, 'at', {iso("g.achieved_at")},
          'checkIns', (SELECT count(*) FROM goal_check_ins c WHERE c.goal_id = g.id)
        )), '[]')
        FROM goals g
        WHERE g.organization_id = $1 AND g.owner_id = rel.follower_id AND g.status = 'ACHIEVED'
          AND (rel.follower_id = $2 OR {goal_visible("g")})
      )
    ) END,
  'openActionItems', (
    SELECT coalesce(json_agg(json_build_object(
      'text', x.text, 'dueOn', x.due_on, 'overdue', coalesce(x.due_on < ($5 AT TIME ZONE 'UTC')::date, false),
      'owner', json_build_object('name', op.name)
    ) ORDER BY x.due_on ASC NULLS LAST, x.created_at, x.id), '[]')
    FROM action_items x JOIN people op ON op.id = x.owner_id
    WHERE x.organization_id = $1 AND x.series_id = mt.series_id AND x.done_at IS NULL
  ),
  'agenda', (
    SELECT coalesce(json_agg(json_build_object(
      'text', i.text, 'done', i.done, 'position', i.position,
      'author', json_build_object('name', ap.name),
      'carriedFrom', (
        SELECT json_build_object('scheduledAt', {iso("cm.scheduled_at")})
        FROM agenda_items ci JOIN one_on_one_meetings cm ON cm.id = ci.meeting_id
        WHERE ci.id = i.carried_from_id AND {_participates("ci.series_id")}
          AND {_participates("cm.series_id")}
      )
    ) ORDER BY i.position), '[]')
    FROM agenda_items i JOIN people ap ON ap.id = i.author_id
    WHERE i.organization_id = $1 AND i.meeting_id = mt.id
  ),
  'relationshipChanges', (
    SELECT coalesce(json_agg(json_build_object('kind', c.kind, 'status', c.status)
      ORDER BY c.started_at DESC, c.id), '[]')
    FROM changed c
    WHERE c.kind <> 'COACHING'
      AND (c.leader_id = $2 OR c.follower_id = $2 OR c.started_at IS NOT NULL)
  ),
  'activity', json_build_object(
    'mentors', (SELECT count(*) FROM relationships x WHERE x.organization_id = $1
      AND x.kind = 'MENTORSHIP' AND x.status = 'ACTIVE' AND x.follower_id = rel.follower_id),
    'coaches', (SELECT count(*) FROM relationships x WHERE x.organization_id = $1
      AND x.kind = 'COACHING' AND x.status = 'ACTIVE' AND x.follower_id = rel.follower_id),
    'coachingsStartedSince', (SELECT count(*) FROM changed c WHERE c.kind = 'COACHING'
      AND c.follower_id = rel.follower_id AND c.started_at > since.at)
  ),
  'review', CASE WHEN rel.status = 'ACTIVE' AND rel.review_on <= ($5 AT TIME ZONE 'UTC')::date
    THEN json_build_object('kind', rel.kind, 'on', rel.review_on) END
)::text
FROM mt, rel, since, organizations o
WHERE o.id = $1)
FROM viewer
"""
"""$1 organization, $2 viewer, $3 session, $4 meeting, $5 now. No row when
the token's person or session does not hold; a row holding null when the
meeting is not theirs to see."""


def meeting_id(global_id: str) -> UUID | None:
    try:
        kind, _, value = base64.b64decode(global_id).decode().partition(":")
        return UUID(value) if kind == "OneOnOneMeeting" else None
    except (ValueError, binascii.Error):
        return None


RANK = {"LOW": 0, "MEDIUM": 1, "HIGH": 2}


def _suggestions(prep: dict[str, Any], agreements: list[dict[str, Any]]) -> list[dict[str, str]]:
    """domain.prep.suggest, by hand, in its order."""
    found = []
    for entry in prep["goals"]:
        goal, latest = entry["goal"], entry["latest"] or []
        if goal["status"] != "ACTIVE":
            continue
        if entry["overdue"]:
            found.append(
                {
                    "kind": "GOAL_PAST_TARGET",
                    "reason": f"“{goal['title']}” was due on {goal['targetDate']} and is still "
                    "active.",
                }
            )
        if len(latest) >= 2 and latest[0]["new"]:
            now, before = latest[0]["confidence"], latest[1]["confidence"]
            if RANK[now] < RANK[before]:
                found.append(
                    {
                        "kind": "CONFIDENCE_DROP",
                        "reason": f"Confidence in “{goal['title']}” dropped from "
                        f"{before.lower()} to {now.lower()}.",
                    }
                )
    for agreement in agreements:
        for signal in signals(agreement) if agreement["status"] == "ACTIVE" else []:
            found.append(
                {
                    "kind": "MISMATCH_SIGNAL",
                    "reason": f"{agreement['context']}: {signal['explanation']}",
                }
            )
    for item in prep["openActionItems"]:
        if item["overdue"]:
            found.append(
                {
                    "kind": "ACTION_ITEM_OVERDUE",
                    "reason": f"“{item['text']}” was due on {item['dueOn']} and is still open.",
                }
            )
    review = prep.pop("review")
    if review is not None:
        found.append(
            {
                "kind": "RELATIONSHIP_REVIEW_DUE",
                "reason": f"This {review['kind'].lower()} was due for review on "
                f"{review['on']}: is it still right for both of you?",
            }
        )
    return found


def _readiness(found: dict[str, Any] | None, now: datetime) -> list[dict[str, Any]]:
    if found is None:
        return []
    rule = ReadinessRule(goals=found["goals"], window=timedelta(days=found["days"]))
    achieved = [
        AchievedGoal(n, AutonomyStage[g["stage"]], datetime.fromisoformat(g["at"]), g["checkIns"])
        for n, g in enumerate(found["achieved"])
    ]
    return [
        {"stage": s.stage.name, "nextStage": s.next_stage.name, "evidenceCount": len(s.evidence)}
        for s in readiness(achieved, rule, now)
    ]


def shape(found: str | None, now: datetime) -> dict[str, Any]:
    """The GraphQL answer from the statement's text (null: not a meeting
    the viewer may see)."""
    if found is None:
        return {"data": {"node": None}}
    row = orjson.loads(found)
    scheduled = row.pop("scheduledAt")
    if not row.pop("active"):
        return {"data": {"node": {"scheduledAt": scheduled, "prep": None}}}
    agreements = row["agreements"]
    suggestions = _suggestions(row, agreements)
    prep = {
        "since": row["since"],
        "person": row["person"],
        "goals": [{"goal": g["goal"], "checkInsSince": g["checkInsSince"]} for g in row["goals"]],
        "feedback": row["feedback"],
        "feedbackRequests": row["feedbackRequests"],
        "agreements": [
            {"context": a["context"], "agreedStage": a["agreedStage"]} for a in agreements
        ],
        "mismatchSignals": [s for a in agreements if a["status"] == "ACTIVE" for s in signals(a)],
        "readinessSuggestions": _readiness(row["readiness"], now),
        "openActionItems": row["openActionItems"],
        "agenda": row["agenda"],
        "relationshipChanges": row["relationshipChanges"],
        "activity": row["activity"],
        "suggestedTalkingPoints": suggestions,
    }
    return {"data": {"node": {"scheduledAt": scheduled, "prep": prep}}}
