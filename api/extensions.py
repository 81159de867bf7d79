"""Schema extensions: what errors show, and the protective limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from api.graphql.errors import PublicError, service_unavailable
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
    """Shapes the errors of an operation once it has run (see `present`).

    An operation that met the database away is refused as a whole: no data,
    one request error SERVICE_UNAVAILABLE (which api.http answers with 503
    and Retry-After), whatever else failed or was read before; the outage is
    logged once by `Outage`, not here. The one exception is a mutation
    operation whose earlier field already committed: that answer is kept
    (it was done, and the client must learn so), and the fields that met
    the outage say SERVICE_UNAVAILABLE each."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        outage = self.execution_context.context.services.outage
        unavailable = [e for e in result.errors if outage.reason(e.original_error)]
        if not unavailable:
            result.errors = [present(e) for e in result.errors]
            return
        outage.noticed(unavailable[0].original_error, refused_request=True)
        refused = {id(e) for e in unavailable}
        if self._committed_some(result.data):
            result.errors = [
                service_unavailable(outage.retry_after, nodes=e.nodes, path=e.path)
                if id(e) in refused
                else present(e)
                for e in result.errors
            ]
            return
        for error in result.errors:
            if id(error) not in refused:
                present(error)  # a bug met on the way is still logged
        result.data = None
        result.errors = [service_unavailable(outage.retry_after)]

    def _committed_some(self, data: dict[str, object] | None) -> bool:
        return (
            self.execution_context.operation_type is OperationType.MUTATION
            and data is not None
            and any(value is not None for value in data.values())
        )


class ReadLogWriter(SchemaExtension):
    """Once an operation has run, its reads go to the read log (one write,
    see Context.record_reads), before the answer leaves: the next request
    of the owner already sees them. An answer without data returned nothing
    (ErrorPolicy, which runs first, may have refused it as a whole), so it
    read nothing."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        result = self.execution_context.result
        if result is None or getattr(result, "data", None) is None:
            return
        await self.execution_context.context.record_reads()
