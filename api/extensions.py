"""Schema extensions: what errors show, and the protective limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from api.graphql.errors import PublicError
from domain.errors import DomainError

log = logging.getLogger("trellis.errors")

MASKED_MESSAGE = "Unexpected error."


def present(error: GraphQLError) -> GraphQLError:
    """Decide how one error reaches the client.

    Syntax and validation errors (no original error) and our public errors
    pass as they are; a domain error raised in a query passes with its code;
    anything else is a bug: logged with its traceback, shown as a bare
    "Unexpected error." so that no internals leak.
    """
    original = error.original_error
    if original is None or isinstance(original, PublicError):
        return error
    if isinstance(original, GraphQLError) and original.original_error is None:
        return error
    if isinstance(original, DomainError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": original.code},
        )
    log.error("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        MASKED_MESSAGE, nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL"}
    )


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            result.errors = [present(e) for e in result.errors]


class ReadLogWriter(SchemaExtension):
    """Once an operation has run, its reads go to the read log (one write,
    see Context.record_reads), before the answer leaves: the next request
    of the owner already sees them."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        await self.execution_context.context.record_reads()
