"""CSRF for the dashboard's forms, checked only where a browser could be tricked: cookie-session callers.

Litestar's CSRF middleware runs before the route's guards and cannot tell how the caller signed in. A bearer
token cannot be sent by a third-party page, so requests authenticated by `Authorization: Bearer` need no CSRF
token, while a session cookie is sent by the browser on its own and must come with the form's `_csrf_token`
(or the `x-csrftoken` header that htmx sends). The dashboard's write handlers therefore opt out of the
middleware (`opt={"exclude_from_csrf": True}`) and this guard does the same double-submit check itself, with
the same cookie and the same signed token format, so one token works for both.
"""

from __future__ import annotations

import hmac
from hashlib import sha256

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.utils.scope.state import ScopeState

from service.auth.principal import Principal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_FIELD = "_csrf_token"
_SECRET_LENGTH = 64  # hex characters of the random part, as Litestar writes it


def _unsigned(token: str, secret: str) -> str | None:
    """The random part of a signed token, or None when the signature does not match."""
    if len(token) <= _SECRET_LENGTH:
        return None
    random_part, signature = token[:_SECRET_LENGTH], token[_SECRET_LENGTH:]
    expected = hmac.new(secret.encode(), random_part.encode(), sha256).hexdigest()
    return random_part if hmac.compare_digest(signature, expected) else None


def tokens_match(sent: str | None, cookie: str | None, secret: str) -> bool:
    if not sent or not cookie:
        return False
    sent_part, cookie_part = _unsigned(sent, secret), _unsigned(cookie, secret)
    return sent_part is not None and cookie_part is not None and hmac.compare_digest(sent_part, cookie_part)


async def session_csrf_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    if connection.scope.get("method", "GET") in SAFE_METHODS:
        return
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal) or principal.via != "session":
        return  # bearer callers (scripts) cannot be forged by a browser; anonymous ones never get this far
    config = connection.app.csrf_config
    if config is None:
        return
    sent = connection.headers.get(config.header_name)
    if not sent:
        content_type = connection.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await connection.form()  # type: ignore[attr-defined]  # a Request: cached for the handler
            value = form.get(FORM_FIELD)
            sent = value if isinstance(value, str) else None
    if not tokens_match(sent, connection.cookies.get(config.cookie_name), config.secret):
        raise PermissionDeniedException(
            "the form has expired or did not come from this site: reload the page"
        )
    # a page this POST renders again (a form with an error) carries the same, valid token: the middleware,
    # which these handlers opt out of, is what would otherwise put one in the scope for `csrf_input`
    if sent:  # it matched, so it is there
        ScopeState.from_scope(connection.scope).csrf_token = sent
