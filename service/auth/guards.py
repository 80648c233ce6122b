"""Role guards. One app-wide guard decides by HTTP method, so a new route cannot forget its guard:
reads need any role, writes need `designer`; a handler may ask for more with `opt={"min_role": "admin"}`."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from service.auth.principal import ROLE_RANK, Principal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def role_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    # async though it never awaits: Litestar runs a plain-function guard in a worker thread, on every request
    if handler.opt.get("exclude_from_auth"):
        return
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        return  # public path: the auth middleware let it through without a principal
    method = connection.scope.get("method", "GET")
    needed = handler.opt.get("min_role") or ("viewer" if method in SAFE_METHODS else "designer")
    if ROLE_RANK[principal.role] < ROLE_RANK[needed]:
        raise PermissionDeniedException(f"this needs the {needed} role; you are {principal.role}")
