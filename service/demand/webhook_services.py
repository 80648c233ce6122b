"""Webhooks as the API and the dashboard manage them: register, list, change, remove, their delivery log and
a test event. The caller checks a URL with `webhooks.url_problem` first (it needs the settings); a caller's
mistake is a domain error (`WebhookNotFound`, `WebhookPaused`), which each caller words."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.demand import webhooks
from service.demand.models import Webhook, WebhookDelivery
from service.demand.webhook_signing import new_secret


class WebhookNotFound(LookupError):
    """No such webhook in the organisation."""


class WebhookPaused(ValueError):
    """A test event was asked of a paused webhook."""


async def list_webhooks(session: AsyncSession, org_id: int) -> list[Webhook]:
    return list(
        await session.scalars(select(Webhook).where(col(Webhook.org_id) == org_id).order_by(col(Webhook.id)))
    )


async def get_webhook(session: AsyncSession, org_id: int, webhook_id: int) -> Webhook:
    hook = await session.get(Webhook, webhook_id)
    if hook is None or hook.org_id != org_id:
        raise WebhookNotFound(f"webhook {webhook_id} not found")
    return hook


async def create_webhook(
    session: AsyncSession,
    org_id: int,
    url: str,
    events: list[str],
    *,
    secret: str | None = None,
    enabled: bool = True,
) -> Webhook:
    """A new webhook (events de-duplicated, a generated signing secret unless one is given), flushed."""
    hook = Webhook(
        org_id=org_id,
        url=url,
        events=list(dict.fromkeys(events)),
        secret=secret or new_secret(),
        enabled=enabled,
    )
    session.add(hook)
    await session.flush()
    return hook


async def update_webhook(
    session: AsyncSession,
    hook: Webhook,
    *,
    url: str | None = None,
    events: list[str] | None = None,
    enabled: bool | None = None,
) -> Webhook:
    """Change what is given (None leaves it); flushed."""
    if url is not None:
        hook.url = url
    if events is not None:
        hook.events = list(dict.fromkeys(events))
    if enabled is not None:
        hook.enabled = enabled
    await session.flush()
    return hook


async def delete_webhook(session: AsyncSession, hook: Webhook) -> None:
    await session.delete(hook)


async def list_deliveries(session: AsyncSession, hook: Webhook, limit: int) -> list[WebhookDelivery]:
    """The webhook's deliveries, newest first."""
    rows = await session.scalars(
        select(WebhookDelivery)
        .where(col(WebhookDelivery.webhook_id) == hook.id, col(WebhookDelivery.org_id) == hook.org_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    )
    return list(rows)


async def queue_test_delivery(session: AsyncSession, hook: Webhook) -> WebhookDelivery:
    """Queue a `webhook.test` delivery (flushed, so it has its id); WebhookPaused for a paused webhook.
    The caller commits, then sends it with `webhooks.deliver_now`."""
    if not hook.enabled:
        raise WebhookPaused("webhook is paused: enable it to send a test event")
    delivery = webhooks.queue_test(session, hook)
    await session.flush()
    await session.refresh(delivery)
    return delivery
