"""Rendering a dashboard page: the layout's context (who is signed in, what they may do) and the page's."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.exceptions import ClientException
from litestar.response import Redirect, Template

from service.auth.principal import Principal
from service.dashboard.csrf import session_csrf_guard

# Handler options: dashboard writes opt out of Litestar's CSRF middleware because `session_csrf_guard`
# checks cookie-session callers itself (see csrf.py).
WRITE: dict[str, Any] = {"exclude_from_csrf": True}
WRITE_ADMIN: dict[str, Any] = {**WRITE, "min_role": "admin"}
WRITE_ANY_ROLE: dict[str, Any] = {**WRITE, "min_role": "viewer"}
GUARDS = [session_csrf_guard]

NAV = [
    ("overview", "/app/", "Overview"),
    ("credentials", "/app/credentials", "Credentials"),
    ("alerts", "/app/alerts", "Alerts"),
    ("sources", "/app/sources", "Sources"),
    ("surveys", "/app/surveys", "Surveys"),
    ("settings", "/app/settings/tokens", "Settings"),
]


def page(
    template: str,
    principal: Principal | None,
    *,
    title: str,
    active: str = "",
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A page inside the layout. `can_write` hides forms a viewer could not submit (the guard decides)."""
    return Template(
        template_name=f"dashboard/{template}",
        status_code=status_code,
        context={
            "me": principal,
            "can_write": principal is not None and principal.at_least("designer"),
            "is_admin": principal is not None and principal.at_least("admin"),
            "nav": NAV,
            "active": active,
            "title": title,
            **context,
        },
    )


def see_other(url: str) -> Redirect:
    """After a successful form post, let the browser GET the result page (no resubmit on reload). The
    SQLAlchemy plugin commits the request's session on a 3xx as on a 2xx (`service/db.py`), so the form's work
    is stored before the browser follows."""
    return Redirect(path=url, status_code=303)


async def read_form(request: Request) -> FormMultiDict:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        raise ClientException("send this form as application/x-www-form-urlencoded", status_code=415)
    return await request.form()


def safe_next(target: str | None, default: str = "/app/") -> str:
    """Only a path inside the dashboard: a `next` pointing elsewhere would make the login an open redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/app") or target.startswith("//"):
        return default
    if "\\" in target or parts.path.startswith("/app/login"):
        return default
    return "/app/" if target == "/app" else target
