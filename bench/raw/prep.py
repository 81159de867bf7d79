"""Placeholder until the prep statement lands."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from uuid import UUID

STATEMENT = "SELECT NULL"


def meeting_id(global_id: str) -> UUID | None:
    try:
        kind, _, value = base64.b64decode(global_id).decode().partition(":")
        return UUID(value) if kind == "OneOnOneMeeting" else None
    except ValueError:
        return None


def shape(found: str, now: datetime) -> dict[str, Any]:
    raise NotImplementedError
