"""HTTP: webhooks (admin registers them: they send alert data out) and their delivery log."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.di import DbSession
from service.demand import webhook_services, webhooks
from service.demand.models import Webhook
from service.demand.schemas import (
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookUpdate,
)
from service.dependencies import CurrentPrincipal


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
        hook = await webhook_services.create_webhook(
            db_session, principal.org_id, data.url, data.events, secret=data.secret, enabled=data.enabled
        )
        return WebhookCreated(**WebhookRead.model_validate(hook).model_dump(), secret=hook.secret)

    @get("/", operation_id="listWebhooks")
    async def list_webhooks(self, db_session: DbSession, principal: CurrentPrincipal) -> list[WebhookRead]:
        rows = await webhook_services.list_webhooks(db_session, principal.org_id)
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
        hook = await _webhook_or_404(db_session, webhook_id, principal.org_id)
        if data.url is not None:
            await _refuse_private(data.url, request)
        await webhook_services.update_webhook(
            db_session, hook, url=data.url, events=data.events, enabled=data.enabled
        )
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
        hook = await _webhook_or_404(db_session, webhook_id, principal.org_id)
        await webhook_services.delete_webhook(db_session, hook)

    @get("/{webhook_id:int}/deliveries", operation_id="listWebhookDeliveries", raises=[NotFoundException])
    async def deliveries(
        self,
        webhook_id: FromPath[int],
        db_session: DbSession,
        principal: CurrentPrincipal,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
    ) -> list[WebhookDeliveryRead]:
        """Every delivery to the webhook, newest first: status, attempts, last HTTP code or error."""
        hook = await _webhook_or_404(db_session, webhook_id, principal.org_id)
        rows = await webhook_services.list_deliveries(db_session, hook, limit)
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
        hook = await _webhook_or_404(db_session, webhook_id, principal.org_id)
        try:
            delivery = await webhook_services.queue_test_delivery(db_session, hook)
        except webhook_services.WebhookPaused as exc:
            raise ClientException(str(exc), status_code=409) from None
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


async def _webhook_or_404(session: AsyncSession, webhook_id: int, org_id: int) -> Webhook:
    try:
        return await webhook_services.get_webhook(session, org_id, webhook_id)
    except webhook_services.WebhookNotFound as exc:
        raise NotFoundException(str(exc)) from None


route_handlers = [WebhookController]
