"""The /graphql endpoint, following the GraphQL-over-HTTP spec.

Strawberry's router answers `application/json` with status 200. Clients that
accept `application/graphql-response+json` get that media type, and a
request error (one that prevented execution: syntax, validation) is then a
400, as the spec asks. JSON is encoded with orjson.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.fastapi import GraphQLRouter
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

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
        return await super().process_result(request, result)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        response = await super().run(request, context, root_value)
        if (
            isinstance(request, Request)
            and isinstance(response, Response)
            and _wants_graphql_response(request)
            and response.headers.get("content-type", "").startswith("application/json")
        ):
            response.headers["content-type"] = GRAPHQL_RESPONSE
            if getattr(request.state, "graphql_request_error", False):
                response.status_code = 400
        return response
