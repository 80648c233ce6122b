"""HTTP: webhooks (admin registers them: they send alert data out) and their delivery log."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, JSONBody, Parameter
from sqlalchemy import select

from service.demand import webhooks
from service.demand.models import Webhook, WebhookDelivery
from service.demand.schemas import (
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookUpdate,
)
from service.demand.webhook_signing import new_secret
from service.dependencies import CurrentPrincipal, DbSession


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags = ["webhooks"]

    @post("/", operation_id="createWebhook", opt={"min_role": "admin"})
    async def create(
        self,
        request: Request,
        data: JSONBody[WebhookCreate],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> WebhookCreated:
        """Register an endpoint; the signing secret (given or generated) is shown in this answer only.

        In production the URL's host must be a public address (400 otherwise); every delivery checks again."""
        await _refuse_private(data.url, request)
        hook = Webhook(
            org_id=principal.org_id,
            url=data.url,
            events=list(dict.fromkeys(data.events)),
            secret=data.secret or new_secret(),
            enabled=data.enabled,
        )
        db_session.add(hook)
        await db_session.flush()
        return WebhookCreated(**WebhookRead.model_validate(hook).model_dump(), secret=hook.secret)

    @get("/", operation_id="listWebhooks")
    async def list_webhooks(self, db_session: DbSession, principal: CurrentPrincipal) -> list[WebhookRead]:
        rows = await db_session.scalars(
            select(Webhook).where(Webhook.org_id == principal.org_id).order_by(Webhook.id)
        )
        return [WebhookRead.model_validate(r) for r in rows]

    @patch(
        "/{webhook_id:int}",
        operation_id="updateWebhook",
        opt={"min_role": "admin"},
        raises=[NotFoundException],
    )
    async def update(
        self,
        request: Request,
        webhook_id: FromPath[int],
        data: JSONBody[WebhookUpdate],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> WebhookRead:
        """Change the URL, the events or pause it (pending deliveries to a paused webhook are dropped)."""
        hook = await _owned(db_session, webhook_id, principal.org_id)
        if data.url is not None:
            await _refuse_private(data.url, request)
            hook.url = data.url
        if data.events is not None:
            hook.events = list(dict.fromkeys(data.events))
        if data.enabled is not None:
            hook.enabled = data.enabled
        await db_session.flush()
        return WebhookRead.model_validate(hook)

    @delete(
        "/{webhook_id:int}",
        operation_id="deleteWebhook",
        opt={"min_role": "admin"},
        raises=[NotFoundException],
    )
    async def delete_webhook(
        self, webhook_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
    ) -> None:
        hook = await _owned(db_session, webhook_id, principal.org_id)
        await db_session.delete(hook)

    @get("/{webhook_id:int}/deliveries", operation_id="listWebhookDeliveries", raises=[NotFoundException])
    async def deliveries(
        self,
        webhook_id: FromPath[int],
        db_session: DbSession,
        principal: CurrentPrincipal,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
    ) -> list[WebhookDeliveryRead]:
        """Every delivery to the webhook, newest first: status, attempts, last HTTP code or error."""
        await _owned(db_session, webhook_id, principal.org_id)
        rows = await db_session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
        return [WebhookDeliveryRead.model_validate(r) for r in rows]

    @post(
        "/{webhook_id:int}/test",
        operation_id="testWebhook",
        opt={"min_role": "admin"},
        status_code=202,
        raises=[NotFoundException, ClientException],
    )
    async def send_test(
        self, request: Request, webhook_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
    ) -> Response[WebhookDeliveryRead]:
        """Send a test event (`webhook.test`, like GitHub's ping) whatever the webhook's event filter: queued,
        answered 202 with the delivery, sent right after the answer; its outcome is in the delivery log."""
        hook = await _owned(db_session, webhook_id, principal.org_id)
        if not hook.enabled:
            raise ClientException("webhook is paused: enable it to send a test event", status_code=409)
        delivery = webhooks.queue_test(db_session, hook)
        await db_session.flush()
        await db_session.refresh(delivery)
        read = WebhookDeliveryRead.model_validate(delivery)
        state = request.app.state
        return Response(
            read,
            status_code=202,
            headers={"Location": f"/api/v1/webhooks/{hook.id}/deliveries"},
            background=BackgroundTask(webhooks.deliver_now, state.engine, state.settings, delivery.id),
        )


async def _refuse_private(url: str, request: Request) -> None:
    problem = await webhooks.url_problem(url, request.app.state.settings)
    if problem:
        raise ClientException(problem, status_code=400)


async def _owned(session, webhook_id: int, org_id: int) -> Webhook:  # noqa: ANN001 - AsyncSession
    hook = await session.get(Webhook, webhook_id)
    if hook is None or hook.org_id != org_id:
        raise NotFoundException(f"webhook {webhook_id} not found")
    return hook


route_handlers = [WebhookController]
