"""Signing in and out of the dashboard with the foundation's cookie session."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from service.auth.middleware import SESSION_USER_KEY
from service.auth.services import authenticate_password
from service.dashboard.rendering import (
    GUARDS,
    WRITE_ANY_ROLE,
    committed_redirect,
    page,
    read_form,
    safe_next,
    see_other,
)
from service.dependencies import CurrentPrincipal, DbSession


@get("/app/login", exclude_from_auth=True, include_in_schema=False, name="dashboard-login")
async def login_form(request: Request, next: FromQuery[str | None] = None) -> Template:  # noqa: A002
    return page("login.html", None, title="Sign in", next_url=safe_next(next), email="")


@post("/app/login", exclude_from_auth=True, include_in_schema=False, status_code=303)
async def login(request: Request, db_session: DbSession) -> Template | Redirect:
    """Checks the password; a failure says only that the pair is wrong (no hint which half)."""
    form = await read_form(request)
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or ""))
    user = await authenticate_password(db_session, email, password) if email and password else None
    if user is None:
        return page(
            "login.html",
            None,
            title="Sign in",
            status_code=400,
            next_url=next_url,
            email=email,
            error="That email and password do not match an active account.",
        )
    request.set_session({SESSION_USER_KEY: user.id})
    return await committed_redirect(db_session, next_url)  # keeps last_login_at


@post("/app/logout", include_in_schema=False, opt=WRITE_ANY_ROLE, guards=GUARDS, status_code=303)
async def logout(request: Request, principal: CurrentPrincipal) -> Redirect:
    request.clear_session()
    return see_other("/app/login")


route_handlers = [login_form, login, logout]
