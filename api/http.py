"""The /graphql endpoint, following the GraphQL-over-HTTP spec.

Strawberry's router answers `application/json` with status 200. Clients that
accept `application/graphql-response+json` get that media type, and a
request error (one that prevented execution: syntax, validation, a cost
above the maximum) is then a 400, as the spec asks. JSON is encoded with
orjson.

Two refusals tell the client to come back later, with `retryAfter` in the
error and a `Retry-After` header (seconds) with either media type:
- an operation over its caller's budget (api.cost_limits): 429;
- any operation while the database is away (api.extensions.ErrorPolicy):
  the answer has no `data` entry, only the request error
  SERVICE_UNAVAILABLE, and the spec requires a 4xx or 5xx for a response
  without `data` in `application/graphql-response+json`: it is a 503.
For `application/json` the spec asks for 200 whatever the errors (a client
cannot tell a 5xx of ours from a proxy's), so legacy clients get the same
body with 200.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.fastapi import GraphQLRouter
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from api.cost_limits import RATE_LIMITED
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
        request_errors = [e for e in result.errors or () if e.path is None]
        request.state.graphql_request_error = result.data is None and bool(request_errors)
        # Our failure before execution (a bug met by the cost budget), not
        # the request's: a 500, which a client may retry.
        request.state.internal_error = any(
            (e.extensions or {}).get("code") == "INTERNAL" for e in request_errors
        )
        request.state.refusal = _refusal(result)
        processed = await super().process_result(request, result)
        if request.state.refusal is not None and request.state.refusal[0] == 503:
            del processed["data"]
        return processed

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        response = await super().run(request, context, root_value)
        refusal = getattr(request.state, "refusal", None) if isinstance(request, Request) else None
        if refusal is not None and isinstance(response, Response):
            response.headers["retry-after"] = str(refusal[1])
        if (
            isinstance(request, Request)
            and isinstance(response, Response)
            and _wants_graphql_response(request)
            and response.headers.get("content-type", "").startswith("application/json")
        ):
            response.headers["content-type"] = GRAPHQL_RESPONSE
            if refusal is not None:
                response.status_code = refusal[0]
            elif getattr(request.state, "graphql_request_error", False):
                response.status_code = 500 if request.state.internal_error else 400
        return response


def _refusal(result: ExecutionResult) -> tuple[int, int] | None:
    """The status and the seconds to wait, when the operation was refused
    until later: over budget, or because the database is away (no data,
    the one request error SERVICE_UNAVAILABLE)."""
    match result.errors:
        case [error] if result.data is None and error.path is None:
            extensions = error.extensions or {}
            if extensions.get("code") == SERVICE_UNAVAILABLE:
                return 503, int(extensions["retryAfter"])
            if extensions.get("code") == RATE_LIMITED:
                return 429, int(extensions["retryAfter"])
    return None
