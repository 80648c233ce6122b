"""HTTP: webhooks (admin registers them: they send alert data out) and their delivery log."""

from __future__ import annotations

import secrets
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, Parameter
from sqlalchemy import select

from service.demand.models import Webhook, WebhookDelivery
from service.demand.schemas import (
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookUpdate,
)
from service.dependencies import CurrentPrincipal, DbSession


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags = ["webhooks"]

    @post("/", operation_id="createWebhook", opt={"min_role": "admin"})
    async def create(
        self, data: JSONBody[WebhookCreate], db_session: DbSession, principal: CurrentPrincipal
    ) -> WebhookCreated:
        """Register an endpoint; the signing secret (given or generated) is shown in this answer only."""
        hook = Webhook(
            org_id=principal.org_id,
            url=data.url,
            events=list(dict.fromkeys(data.events)),
            secret=data.secret or secrets.token_urlsafe(32),
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
        webhook_id: FromPath[int],
        data: JSONBody[WebhookUpdate],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> WebhookRead:
        """Change the URL, the events or pause it (pending deliveries to a paused webhook are dropped)."""
        hook = await _owned(db_session, webhook_id, principal.org_id)
        if data.url is not None:
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


async def _owned(session, webhook_id: int, org_id: int) -> Webhook:  # noqa: ANN001 - AsyncSession
    hook = await session.get(Webhook, webhook_id)
    if hook is None or hook.org_id != org_id:
        raise NotFoundException(f"webhook {webhook_id} not found")
    return hook


route_handlers = [WebhookController]
