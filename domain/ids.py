"""Identifiers are created by the domain, not by the database, so an entity is
complete (and can be referenced) before it is ever stored."""

from __future__ import annotations

import uuid


def new_id() -> uuid.UUID:
    return uuid.uuid4()
