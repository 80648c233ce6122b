"""Signing in and out of the dashboard with the foundation's cookie session."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from kernel.di import DbSession
from service.auth.middleware import session_data_for
from service.auth.services import end_sessions
from service.auth.signin import SignInThrottled, sign_in
from service.dashboard.rendering import (
    GUARDS,
    WRITE_ANY_ROLE,
    page,
    read_form,
    safe_next,
    see_other,
)
from service.dependencies import CurrentPrincipal


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
    try:
        user = await _sign_in(request, db_session, email, password) if email and password else None
    except SignInThrottled as exc:
        blocked = page(
            "login.html",
            None,
            title="Sign in",
            status_code=429,
            next_url=next_url,
            email=email,
            error=f"Too many failed sign-ins. Try again in {exc.retry_after} seconds.",
        )
        blocked.headers["Retry-After"] = str(exc.retry_after)
        return blocked
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
    request.set_session(session_data_for(user.id, user.session_version))
    return see_other(next_url)  # keeps last_login_at


async def _sign_in(request: Request, db_session: DbSession, email: str, password: str):  # noqa: ANN202
    state = request.app.state
    address = request.client.host if request.client else None  # trusted-proxy aware (service/clientaddr.py)
    return await sign_in(db_session, state.engine, state.settings.auth, email, password, address)


@post("/app/logout", include_in_schema=False, opt=WRITE_ANY_ROLE, guards=GUARDS, status_code=303)
async def logout(request: Request, db_session: DbSession, principal: CurrentPrincipal) -> Redirect:
    """Signs out everywhere: the user's session version moves on, so every copy of the cookie is dead."""
    await end_sessions(db_session, principal.user_id)
    request.clear_session()
    return see_other("/app/login")


route_handlers = [login_form, login, logout]
