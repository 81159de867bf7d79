"""The /graphql endpoint, following the GraphQL-over-HTTP spec.

Strawberry's router answers `application/json` with status 200. Clients that
accept `application/graphql-response+json` get that media type, and a
request error (one that prevented execution: syntax, validation, a cost
above the maximum) is then a 400, as the spec asks, except an operation
refused for its caller's budget: 429 (Too Many Requests). Its
`Retry-After` header, in seconds, comes with either media type. JSON is
encoded with orjson.
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
        request.state.retry_after = next(
            (
                error.extensions["retryAfter"]
                for error in result.errors or ()
                if (error.extensions or {}).get("code") == RATE_LIMITED
            ),
            None,
        )
        return await super().process_result(request, result)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        response = await super().run(request, context, root_value)
        retry_after = (
            getattr(request.state, "retry_after", None) if isinstance(request, Request) else None
        )
        if retry_after is not None and isinstance(response, Response):
            response.headers["retry-after"] = str(retry_after)
        if (
            isinstance(request, Request)
            and isinstance(response, Response)
            and _wants_graphql_response(request)
            and response.headers.get("content-type", "").startswith("application/json")
        ):
            response.headers["content-type"] = GRAPHQL_RESPONSE
            if retry_after is not None:
                response.status_code = 429
            elif getattr(request.state, "graphql_request_error", False):
                response.status_code = 400
        return response
