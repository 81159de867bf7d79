"""The reference limit's pieces that can be checked without a server: the
raw handlers import (their statements are built at import), and the
comparison that must stop the benchmark catches any difference, the order
of fields included. The real check is bench.limit itself, against Trellis."""

from __future__ import annotations

import base64
from uuid import uuid4

from bench.limit import differences
from bench.raw import app, overview, prep


def test_the_raw_handlers_import_with_their_statements() -> None:
    assert callable(app.create_app)
    for statement in (prep.STATEMENT, overview.STATEMENT):
        assert "json_agg" in statement
        assert "sessions" in statement


def test_equal_answers_have_no_differences() -> None:
    answer = {"data": {"viewer": {"name": "Ada", "stewardees": [{"dueForReview": False}]}}}
    assert (
        differences(
            answer, {"data": {"viewer": {"name": "Ada", "stewardees": [{"dueForReview": False}]}}}
        )
        == []
    )


def test_a_different_value_deep_in_a_list_is_caught_with_its_path() -> None:
    trellis = {"data": {"node": {"prep": {"goals": [{"title": "A"}, {"title": "B"}]}}}}
    raw = {"data": {"node": {"prep": {"goals": [{"title": "A"}, {"title": "C"}]}}}}
    assert differences(trellis, raw) == ["$.data.node.prep.goals[1].title: 'B' != 'C'"]


def test_missing_items_field_order_and_types_are_caught() -> None:
    assert differences({"a": [1, 2]}, {"a": [1]}) == ["$.a: 2 items != 1"]
    assert differences({"a": 1, "b": 2}, {"b": 2, "a": 1}) != []
    assert differences({"a": 1}, {"a": 1.0}) != []
    assert differences({"a": None}, {"a": False}) != []


def test_only_meeting_ids_are_taken_from_global_ids() -> None:
    meeting = uuid4()
    assert (
        prep.meeting_id(base64.b64encode(f"OneOnOneMeeting:{meeting}".encode()).decode()) == meeting
    )
    assert prep.meeting_id(base64.b64encode(f"Goal:{meeting}".encode()).decode()) is None
    assert prep.meeting_id("not base64!") is None
