"""Opaque global ids (Relay): base64 of "Type:uuid"."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry import relay

from domain.errors import ValidationFailed


def global_id(type_name: str, entity_id: UUID) -> strawberry.ID:
    return strawberry.ID(str(relay.GlobalID(type_name, str(entity_id))))


def decode(value: str, type_name: str, *, field: str = "id") -> UUID:
    """The uuid inside a global id of the expected type, or a typed error.

    A well-formed id of the wrong type is refused the same way as garbage:
    passing a Team id where a Person is expected is a client bug to fix.
    """
    try:
        gid = relay.GlobalID.from_id(value)
        if gid.type_name != type_name:
            raise ValueError(gid.type_name)
        return UUID(gid.node_id)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            field, f"{field} is not a valid {type_name} id.", code="INVALID_ID"
        ) from exc


def decode_any(value: str) -> tuple[str, UUID] | None:
    try:
        gid = relay.GlobalID.from_id(value)
        return gid.type_name, UUID(gid.node_id)
    except (ValueError, TypeError):
        return None


def to_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
