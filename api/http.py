"""The /graphql endpoint, following the GraphQL-over-HTTP spec.

Strawberry's router answers `application/json` with status 200. Clients that
accept `application/graphql-response+json` get that media type, and a
request error (one that prevented execution: syntax, validation) is then a
400, as the spec asks. JSON is encoded with orjson.

While the database is away an operation is refused as a whole
(api.extensions.ErrorPolicy): the answer has no `data` entry, only the
request error SERVICE_UNAVAILABLE. The spec requires a 4xx or 5xx for a
response without `data` in `application/graphql-response+json`: it is a 503
with `Retry-After`. For `application/json` the spec asks for 200 whatever
the errors (a client cannot tell a 5xx of ours from a proxy's), so legacy
clients get the same body with 200 and read `retryAfter` in it.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.fastapi import GraphQLRouter
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from api.graphql.errors import SERVICE_UNAVAILABLE

GRAPHQL_RESPONSE = "application/graphql-response+json"


def _wants_graphql_response(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    if GRAPHQL_RESPONSE not in accept:
        return False
    # Honour an explicit preference for plain JSON placed before ours.
    json_at = accept.find("application/json")
    return json_at == -1 or accept.find(GRAPHQL_RESPONSE) < json_at


class GraphQLHTTPRouter(GraphQLRouter[Any, None]):
    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        request.state.graphql_request_error = result.data is None and any(
            error.path is None for error in result.errors or ()
        )
        request.state.retry_after = _retry_after(result)
        processed = await super().process_result(request, result)
        if request.state.retry_after is not None:
            del processed["data"]
        return processed

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        response = await super().run(request, context, root_value)
        if (
            isinstance(request, Request)
            and isinstance(response, Response)
            and _wants_graphql_response(request)
            and response.headers.get("content-type", "").startswith("application/json")
        ):
            response.headers["content-type"] = GRAPHQL_RESPONSE
            retry_after = getattr(request.state, "retry_after", None)
            if retry_after is not None:
                response.status_code = 503
                response.headers["retry-after"] = str(retry_after)
            elif getattr(request.state, "graphql_request_error", False):
                response.status_code = 400
        return response


def _retry_after(result: ExecutionResult) -> int | None:
    """Seconds to wait, when the operation was refused because the database
    is away (no data, the one request error SERVICE_UNAVAILABLE)."""
    match result.errors:
        case [error] if result.data is None and error.path is None:
            extensions = error.extensions or {}
            if extensions.get("code") == SERVICE_UNAVAILABLE:
                return int(extensions["retryAfter"])
    return None
