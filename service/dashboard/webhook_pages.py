"""Settings → webhooks: the endpoints that receive alert events, their delivery log; admins add and remove."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from kernel.di import DbSession
from service.dashboard.rendering import GUARDS, WRITE_ADMIN, page, read_form, see_other
from service.demand import webhook_services, webhooks
from service.demand.models import Webhook
from service.demand.schemas import WebhookCreate
from service.demand.webhooks import EVENTS
from service.dependencies import CurrentPrincipal

DELIVERIES_SHOWN = 50


def _webhooks_page(principal, hooks, **extra) -> Template:  # noqa: ANN001
    return page(
        "settings_webhooks.html",
        principal,
        title="Webhooks",
        active="settings",
        hooks=hooks,
        events=EVENTS,
        **extra,
    )


@get("/app/settings/webhooks", include_in_schema=False)
async def webhooks_page(
    db_session: DbSession, principal: CurrentPrincipal, done: FromQuery[str | None] = None
) -> Template:
    notice = "Webhook removed." if done == "deleted" else None
    return _webhooks_page(
        principal, await webhook_services.list_webhooks(db_session, principal.org_id), notice=notice
    )


@post("/app/settings/webhooks", include_in_schema=False, opt=WRITE_ADMIN, guards=GUARDS, status_code=200)
async def add_webhook(request: Request, db_session: DbSession, principal: CurrentPrincipal) -> Template:
    """Shows the signing secret once, in this response."""
    form = await read_form(request)
    url = str(form.get("url") or "").strip()
    chosen = [e for e in form.getall("events", []) if isinstance(e, str)]
    try:
        data = WebhookCreate(url=url, events=chosen)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error.get("loc", ()) if not isinstance(p, int)) or "input"
        return _webhooks_page(
            principal,
            await webhook_services.list_webhooks(db_session, principal.org_id),
            status_code=400,
            error=f"{field}: {error.get('msg', 'invalid')}",
            url=url,
        )
    problem = await webhooks.url_problem(data.url, request.app.state.settings)
    if problem:
        return _webhooks_page(
            principal,
            await webhook_services.list_webhooks(db_session, principal.org_id),
            status_code=400,
            error=problem,
            url=url,
        )
    hook = await webhook_services.create_webhook(db_session, principal.org_id, data.url, data.events)
    return _webhooks_page(
        principal,
        await webhook_services.list_webhooks(db_session, principal.org_id),
        secret=hook.secret,
        new_id=hook.id,
    )


async def _webhook_or_404(db_session: DbSession, webhook_id: int, org_id: int) -> Webhook:
    try:
        return await webhook_services.get_webhook(db_session, org_id, webhook_id)
    except webhook_services.WebhookNotFound as exc:
        raise NotFoundException(str(exc)) from None


@get("/app/settings/webhooks/{webhook_id:int}", include_in_schema=False)
async def deliveries_page(
    webhook_id: FromPath[int],
    db_session: DbSession,
    principal: CurrentPrincipal,
    done: FromQuery[str | None] = None,
) -> Template:
    hook = await _webhook_or_404(db_session, webhook_id, principal.org_id)
    deliveries = await webhook_services.list_deliveries(db_session, hook, DELIVERIES_SHOWN)
    return page(
        "webhook_deliveries.html",
        principal,
        title="Webhook deliveries",
        active="settings",
        hook=hook,
        deliveries=deliveries,
        notice=NOTICES.get(done or ""),
    )


NOTICES = {
    "test": "Test event queued and being sent: reload to see its outcome.",
    "paused": "This webhook is paused: enable it to send a test event.",
}


@post("/app/settings/webhooks/{webhook_id:int}/test", include_in_schema=False, opt=WRITE_ADMIN, guards=GUARDS)
async def send_test(
    request: Request, webhook_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Redirect:
    """The "Send a test event" button: queue a webhook.test delivery, send it after the redirect."""
    hook = await _webhook_or_404(db_session, webhook_id, principal.org_id)
    try:
        delivery = await webhook_services.queue_test_delivery(db_session, hook)
    except webhook_services.WebhookPaused:
        return Redirect(path=f"/app/settings/webhooks/{hook.id}?done=paused", status_code=303)
    delivery_id = delivery.id  # the session commits on the 303, before the background task sends it
    state = request.app.state
    return Redirect(
        path=f"/app/settings/webhooks/{hook.id}?done=test",
        status_code=303,
        background=BackgroundTask(webhooks.deliver_now, state.engine, state.settings, delivery_id),
    )


@post(
    "/app/settings/webhooks/{webhook_id:int}/delete", include_in_schema=False, opt=WRITE_ADMIN, guards=GUARDS
)
async def delete_webhook(
    webhook_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Redirect:
    hook = await _webhook_or_404(db_session, webhook_id, principal.org_id)
    await webhook_services.delete_webhook(db_session, hook)
    return see_other("/app/settings/webhooks?done=deleted")


route_handlers = [webhooks_page, add_webhook, deliveries_page, send_test, delete_webhook]
