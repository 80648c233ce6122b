"""Security headers on every response, and a strict Content-Security-Policy on every HTML page.

An ASGI middleware rather than an after_request hook, so that error pages, redirects and static files get the
headers too. The policy allows no inline script or style: pages load /static/app/*.css|js only. The OpenAPI
viewer under /schema is a third-party page built on inline script, so it keeps its own looser rules and gets
only the headers that cannot break it.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
_LOOSE_PATHS = ("/schema",)


class SecurityHeadersMiddleware:
    """Adds the headers on the way out; a handler that set its own CSP keeps it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        strict = not scope["path"].startswith(_LOOSE_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in ALWAYS.items():
                    if name not in headers:
                        headers[name] = value
                content_type = headers.get("content-type", "")
                if (
                    strict
                    and "content-security-policy" not in headers
                    and (content_type.startswith("text/html") or content_type.startswith("image/svg"))
                ):
                    headers["content-security-policy"] = CONTENT_SECURITY_POLICY
            await send(message)

        await self.app(scope, receive, send_with_headers)
