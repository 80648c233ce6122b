"""Admins manage the organisation's users: a new role, deactivate (their sessions end and their API tokens
are revoked at once) or reactivate. The last active admin can be neither demoted nor deactivated; the page
says so. The work is `service.auth.users`."""

from __future__ import annotations

from litestar import Request, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from kernel.di import DbSession
from service.auth import users
from service.auth.services import AuthError
from service.dashboard.rendering import GUARDS, WRITE_ADMIN, page, read_form, see_other
from service.dependencies import CurrentPrincipal

NOTICES = {
    "role": "Role changed: it applies from the user's next page or API call.",
    "deactivated": "User deactivated: their sessions have ended and their API tokens are revoked.",
    "reactivated": "User reactivated: they can sign in again (with new API tokens).",
}


async def users_page_with(
    db_session: DbSession, principal: CurrentPrincipal, *, status_code: int = 200, **extra: object
) -> Template:
    return page(
        "settings_users.html",
        principal,
        title="Users",
        active="settings",
        status_code=status_code,
        users=await users.list_users(db_session, principal.org_id),
        **({"form": {}} | extra),
    )


async def _refused(db_session: DbSession, principal: CurrentPrincipal, exc: AuthError) -> Template:
    await db_session.rollback()
    status = 409 if isinstance(exc, users.LastAdmin) else 400
    message = str(exc)
    return await users_page_with(
        db_session, principal, status_code=status, error=message[:1].upper() + message[1:] + "."
    )


async def _user_or_404(db_session: DbSession, principal: CurrentPrincipal, user_id: int) -> None:
    try:
        await users.get_user(db_session, principal.org_id, user_id)
    except users.UserNotFound as exc:
        raise NotFoundException(str(exc)) from None


@post("/app/settings/users/{user_id:int}/role", include_in_schema=False, opt=WRITE_ADMIN, guards=GUARDS)
async def change_role(
    request: Request, user_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    await _user_or_404(db_session, principal, user_id)  # before reading the body
    form = await read_form(request)
    try:
        await users.change_role(db_session, principal.org_id, user_id, str(form.get("role") or ""))
    except AuthError as exc:
        return await _refused(db_session, principal, exc)
    return see_other(f"/app/settings/users?done=role#user-{user_id}")


@post("/app/settings/users/{user_id:int}/active", include_in_schema=False, opt=WRITE_ADMIN, guards=GUARDS)
async def set_active(
    request: Request, user_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    """`active=false` deactivates the user, `active=true` reactivates them."""
    await _user_or_404(db_session, principal, user_id)
    form = await read_form(request)
    wanted = str(form.get("active") or "")
    try:
        if wanted not in ("true", "false"):
            raise AuthError("active must be true or false")
        await users.set_active(db_session, principal.org_id, user_id, wanted == "true")
    except AuthError as exc:
        return await _refused(db_session, principal, exc)
    done = "reactivated" if wanted == "true" else "deactivated"
    if wanted == "false" and user_id == principal.user_id:
        return see_other("/app/login")  # their own session has just ended
    return see_other(f"/app/settings/users?done={done}#user-{user_id}")


route_handlers = [change_role, set_active]
