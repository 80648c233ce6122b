"""Settings: the caller's API tokens (create, revoke) and, for admins, the organisation's users."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from kernel.di import DbSession
from service.auth import services as auth_services
from service.auth import users
from service.auth.models import ApiToken
from service.auth.services import (
    AuthError,
    TokenNotFound,
    create_user,
    issue_token,
    list_tokens,
    organisation,
)
from service.dashboard import user_admin_pages
from service.dashboard.rendering import (
    GUARDS,
    WRITE_ADMIN,
    WRITE_ANY_ROLE,
    page,
    read_form,
    see_other,
)
from service.dependencies import CurrentPrincipal

NOTICES = {
    "revoked": "The token was revoked: scripts using it are refused from now on.",
    "user": "User added.",
}


async def _tokens(db_session: DbSession, principal: CurrentPrincipal) -> list[ApiToken]:
    return await list_tokens(db_session, principal.org_id, principal.user_id)


def _tokens_page(principal, tokens, *, status_code=200, issued=None, error=None, notice=None) -> Template:  # noqa: ANN001
    return page(
        "settings_tokens.html",
        principal,
        title="API tokens",
        active="settings",
        status_code=status_code,
        tokens=tokens,
        issued=issued,
        error=error,
        notice=notice,
    )


@get("/app/settings/tokens", include_in_schema=False)
async def tokens_page(
    db_session: DbSession, principal: CurrentPrincipal, done: FromQuery[str | None] = None
) -> Template:
    return _tokens_page(principal, await _tokens(db_session, principal), notice=NOTICES.get(done or ""))


@post("/app/settings/tokens", include_in_schema=False, opt=WRITE_ANY_ROLE, guards=GUARDS, status_code=200)
async def create_token(request: Request, db_session: DbSession, principal: CurrentPrincipal) -> Template:
    """Renders the new token in the response itself: it is shown once and never stored in clear."""
    form = await read_form(request)
    name = str(form.get("name") or "").strip()
    if len(name) > 200:
        return _tokens_page(
            principal,
            await _tokens(db_session, principal),
            status_code=400,
            error="The name is longer than 200 characters.",
        )
    user = await users.get_user(db_session, principal.org_id, principal.user_id)
    issued = await issue_token(db_session, user, name=name)
    return _tokens_page(principal, await _tokens(db_session, principal), issued=issued.token)


@post(
    "/app/settings/tokens/{token_id:int}/revoke", include_in_schema=False, opt=WRITE_ANY_ROLE, guards=GUARDS
)
async def revoke_token(
    token_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Redirect:
    try:
        await auth_services.revoke_token(db_session, principal.org_id, principal.user_id, token_id)
    except TokenNotFound as exc:
        raise NotFoundException(str(exc)) from None
    return see_other("/app/settings/tokens?done=revoked")


@get("/app/settings/users", include_in_schema=False, opt={"min_role": "admin"})
async def users_page(
    db_session: DbSession, principal: CurrentPrincipal, done: FromQuery[str | None] = None
) -> Template:
    notice = NOTICES.get(done or "") or user_admin_pages.NOTICES.get(done or "")
    return await user_admin_pages.users_page_with(db_session, principal, notice=notice)


@post("/app/settings/users", include_in_schema=False, opt=WRITE_ADMIN, guards=GUARDS)
async def add_user(
    request: Request, db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    form = await read_form(request)
    values = {key: str(form.get(key) or "").strip() for key in ("email", "name", "role")}
    password = str(form.get("password") or "")
    error = None
    if len(values["name"]) > 200:
        error = "The name is longer than 200 characters."
    else:
        org = await organisation(db_session, principal.org_id)
        try:
            async with db_session.begin_nested():
                await create_user(
                    db_session, org, values["email"], values["role"], password or None, values["name"]
                )
        except AuthError as exc:
            error = str(exc).capitalize() + "."
    if error:
        return await user_admin_pages.users_page_with(
            db_session, principal, status_code=400, error=error, form=values
        )
    return see_other("/app/settings/users?done=user")


route_handlers = [tokens_page, create_token, revoke_token, users_page, add_user]
