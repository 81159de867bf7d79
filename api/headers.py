"""Security headers on every answer.

Trellis's clients are apps holding bearer tokens, but an answer can still
reach a browser or a shared cache, and it carries a person's goals, feedback
or fresh tokens (a sign-in needs no Authorization header). So every answer
is not to be sniffed into another media type, framed, named in a Referer, or
stored by any cache, unless its handler says otherwise (issue 17's GET
queries will answer `private, no-cache` with an ETag). HSTS only over HTTPS:
a request that came over TLS, or that a configured trusted proxy says did
(uvicorn's ProxyHeadersMiddleware sets the scheme, see create_app); sent
over plain HTTP it would be ignored by browsers at best.

No script policy: GraphiQL (development only) runs inline scripts from a
CDN. `frame-ancestors 'none'` restricts framing only, which breaks nothing.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=31536000"
"""One year, for this host only: whether subdomains serve HTTPS is the
operator's to say, at their proxy."""
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if over_https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
