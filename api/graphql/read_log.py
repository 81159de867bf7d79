"""The read log at the edge (see domain.read_log): content fields note a
read as they resolve, and the owner sees who read each item and share.

A field that returns an item's content is declared with `extensions=[READ]`
on a type that says what it holds (`content_read`). Reading it notes the
read in the request's context, whatever path reached the item; the context
writes all of a request's reads in one statement when the request is
answered (api.extensions.ReadLogWriter). Ids, owners and counts are not
marked, so they are never reads."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol
from uuid import UUID

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import (
    AsyncExtensionResolver,
    SyncExtensionResolver,
)

from api.graphql.commands import require_actor
from domain.read_log import ContentRead, ReadBy, may_see_log

if TYPE_CHECKING:
    from api.graphql.people import PersonNode

PersonRef = Annotated["PersonNode", strawberry.lazy("api.graphql.people")]


class HoldsContent(Protocol):
    @property
    def content_read(self) -> ContentRead | None:
        """The item whose content this object's marked fields return."""
        ...


class ReadsContent(FieldExtension):
    """Notes a read of the source's item once the field has resolved."""

    def resolve(
        self,
        next_: SyncExtensionResolver,
        source: HoldsContent,
        info: strawberry.Info,
        **kwargs: Any,
    ) -> Any:
        result = next_(source, info, **kwargs)
        _note(source, info)
        return result

    async def resolve_async(
        self,
        next_: AsyncExtensionResolver,
        source: HoldsContent,
        info: strawberry.Info,
        **kwargs: Any,
    ) -> Any:
        result = await next_(source, info, **kwargs)
        _note(source, info)
        return result


def _note(source: HoldsContent, info: strawberry.Info) -> None:
    read = source.content_read
    if read is not None:
        info.context.note_read(read)


READ = ReadsContent()
"""Stateless, so one instance serves every marked field."""


@strawberry.type(
    name="ReadLogEntry",
    description="Someone who read your item: when last, and how many requests returned its "
    "content over the days kept (one record per reader and day, UTC).",
)
class ReadLogEntryType:
    entry: strawberry.Private[ReadBy]

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonRef:
        from api.graphql.people import PersonNode

        return PersonNode(entity=await info.context.loaders.person.load(self.entry.reader_id))

    @strawberry.field
    def last_read_at(self) -> datetime:
        return self.entry.last_read_at

    @strawberry.field
    def read_count(self) -> int:
        return self.entry.read_count


async def read_by(
    info: strawberry.Info,
    owner_id: UUID,
    source_id: UUID,
    *,
    readers: Collection[UUID] | None = None,
) -> list[ReadLogEntryType] | None:
    """The item's readers (of them, `readers` only), the latest first; null
    for anyone but the owner."""
    if not may_see_log(owner_id, (await require_actor(info)).person_id):
        return None
    found = await info.context.loaders.read_by.load(source_id)
    return [ReadLogEntryType(entry=e) for e in found if readers is None or e.reader_id in readers]
