"""Security headers on every response, and a strict Content-Security-Policy on every HTML page.

An ASGI middleware rather than an after_request hook, so that error pages, redirects and static files get the
headers too. The app-wide policy allows no inline script or style: pages load /static/app/*.css|js
only. The OpenAPI viewer under /schema is a third-party page built on inline script, so it keeps its own
looser rules and gets only the headers that cannot break it. A handler that sets a header itself (the survey
form's stricter policy, its no-referrer) keeps its own.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(*directives: str) -> str:
    """One Content-Security-Policy value from its directives, e.g. ("default-src 'self'", ...)."""
    return "; ".join(directives)


CONTENT_SECURITY_POLICY = content_security_policy(
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
)
# On every response, HTML or not (header names in lower case, as ASGI carries them).
ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
LOOSE_PATHS = ("/schema",)


class SecurityHeadersMiddleware:
    """Adds the headers on the way out; a header the handler set itself is kept."""

    def __init__(
        self, app: ASGIApp, policy: str = CONTENT_SECURITY_POLICY, loose_paths: tuple[str, ...] = LOOSE_PATHS
    ) -> None:
        self.app = app
        self.policy = policy
        self.loose_paths = loose_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        strict = not scope["path"].startswith(self.loose_paths)

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
                    headers["content-security-policy"] = self.policy
            await send(message)

        await self.app(scope, receive, send_with_headers)
