"""Settings → Notifications (the caller's digest preference) and the public unsubscribe page of a digest."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from kernel.di import DbSession
from service.auth.models import User
from service.credentials.services import credential_choices
from service.dashboard.rendering import GUARDS, WRITE_ANY_ROLE, page, read_form, see_other
from service.dependencies import CurrentPrincipal
from service.notifications.models import DIGEST_CHOICES
from service.notifications.services import (
    PreferenceError,
    preference_of,
    set_preference,
    token_reader,
    unsubscribe,
)
from service.settings import Settings

NOTICES = {"saved": "Saved: your digest settings are changed."}
PUBLIC_OPT = {"exclude_from_auth": True, "exclude_from_csrf": True}  # the signed token is the permission


def _form_page(
    principal, choices, digest, follow_all, chosen, *, status_code=200, error=None, notice=None
) -> Template:  # noqa: ANN001, E501
    return page(
        "settings_notifications.html",
        principal,
        title="Notifications",
        active="settings",
        status_code=status_code,
        digests=DIGEST_CHOICES,
        digest=digest,
        follow_all=follow_all,
        chosen=set(chosen or ()),
        credentials=choices,
        error=error,
        notice=notice,
    )


@get("/app/settings/notifications", include_in_schema=False)
async def notifications_page(
    db_session: DbSession, principal: CurrentPrincipal, done: FromQuery[str | None] = None
) -> Template:
    pref = await preference_of(db_session, principal.user_id, principal.org_id)
    choices = await credential_choices(db_session, principal.org_id)
    return _form_page(
        principal,
        choices,
        pref.digest,
        pref.credential_ids is None,
        pref.credential_ids,
        notice=NOTICES.get(done or ""),
    )


def _ids(values: list[str]) -> list[int] | None:
    try:
        return [int(v) for v in values]
    except ValueError:
        return None


@post("/app/settings/notifications", include_in_schema=False, opt=WRITE_ANY_ROLE, guards=GUARDS)
async def save_notifications(
    request: Request, db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    form = await read_form(request)
    digest = str(form.get("digest") or "")
    follow_all = str(form.get("follow") or "all") != "chosen"
    picked = _ids([str(v) for v in form.getall("credential_id", [])])
    error = None
    if picked is None:
        error = "A credential id is not a number."
    else:
        try:
            async with db_session.begin_nested():
                await set_preference(
                    db_session, principal.user_id, principal.org_id, digest, None if follow_all else picked
                )
        except PreferenceError as exc:
            error = str(exc)[0].upper() + str(exc)[1:] + "."
    if error:
        choices = await credential_choices(db_session, principal.org_id)
        return _form_page(principal, choices, digest, follow_all, picked, status_code=400, error=error)
    return see_other("/app/settings/notifications?done=saved")


async def _reader(request: Request, db_session: DbSession, token: str) -> User | None:
    settings: Settings = request.app.state.settings
    return await token_reader(db_session, token, settings.server.secret_key)


def _unsubscribe_page(token: str, user: User | None, done: bool = False) -> Template:
    return page(
        "unsubscribe.html",
        None,
        title="Unsubscribe from alert digests",
        status_code=200 if user else 404,
        token=token,
        email=user.email if user else None,
        done=done,
    )


@get("/app/notifications/unsubscribe/{token:str}", include_in_schema=False, opt=PUBLIC_OPT)
async def unsubscribe_page(request: Request, token: FromPath[str], db_session: DbSession) -> Template:
    """A confirmation: a GET never changes anything (mail scanners follow links)."""
    return _unsubscribe_page(token, await _reader(request, db_session, token))


@post("/app/notifications/unsubscribe/{token:str}", include_in_schema=False, opt=PUBLIC_OPT, status_code=200)
async def unsubscribe_now(request: Request, token: FromPath[str], db_session: DbSession) -> Template:
    """The confirm button, and one-click unsubscribe from a mail client (RFC 8058): digest set to none."""
    user = await _reader(request, db_session, token)
    if user is not None and user.id is not None:
        await unsubscribe(db_session, user.id, user.org_id)  # the session commits on the 200
    return _unsubscribe_page(token, user, done=user is not None)


route_handlers = [notifications_page, save_notifications, unsubscribe_page, unsubscribe_now]
