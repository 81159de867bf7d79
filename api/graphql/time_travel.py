"""The `at:` argument of fields that answer for a past moment (who led a
team, who stewarded someone): one reading of it everywhere."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.graphql.errors import PublicError
from domain import validation


def moment(info: strawberry.Info, at: datetime | None) -> datetime:
    """`at`, or now when absent. A time without an offset names no moment."""
    if at is None:
        return info.context.now
    if at.tzinfo is None:
        raise PublicError("`at` needs a timezone offset.", "INVALID_TIME")
    return validation.moment("at", at)
