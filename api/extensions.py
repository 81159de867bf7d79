"""Schema extensions: what errors show, and the protective limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from api.graphql.errors import PublicError, answer_unavailable, service_unavailable
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
    and Retry-After), whatever else failed or was read before it; the outage
    is logged once by `Outage`, not here. Retrying is safe: no mutation of
    the request had sent its commit (Context.saved). If one had, retrying
    could do it twice: the answer is then ANSWER_UNAVAILABLE, not
    retryable, on the mutation field, saying whether it was saved (the
    database went away while its payload was read) or may have been (the
    answer to the commit was lost with the connection)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        context = self.execution_context.context
        outage = context.services.outage
        unavailable = next((e for e in result.errors if outage.reason(e.original_error)), None)
        if unavailable is None:
            result.errors = [present(e) for e in result.errors]
            return
        outage.noticed(unavailable.original_error, refused_request=context.saved is False)
        for error in result.errors:
            if not outage.reason(error.original_error):
                present(error)  # a bug met on the way is still logged
        result.data = None
        if context.saved is False:
            result.errors = [service_unavailable(outage.retry_after)]
        else:
            path = unavailable.path[:1] if unavailable.path else None
            result.errors = [answer_unavailable(context.saved, outage.retry_after, path=path)]


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
