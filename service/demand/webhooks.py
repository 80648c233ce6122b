"""Webhook deliveries: queued in the same transaction as the alert change, sent by a scheduled sender.

Queuing in the alert's transaction means an alert change and its notification commit or vanish together; the
sender then retries with exponential backoff until the receiver answers 2xx or the attempts run out, and every
attempt leaves its status code or error on the delivery row. The body is signed with HMAC-SHA256 under the
webhook's secret (`X-Skillpulse-Signature: sha256=<hex>`), so a receiver can check it came from us unaltered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db import session_scope
from service.demand.models import Alert, Webhook, WebhookDelivery
from service.settings import DriftSettings
from service.timeutil import utcnow

log = logging.getLogger("skillpulse.webhooks")

EVENTS = ("alert.opened", "alert.updated", "alert.resolved")
SIGNATURE_HEADER = "X-Skillpulse-Signature"
EVENT_HEADER = "X-Skillpulse-Event"
DELIVERY_HEADER = "X-Skillpulse-Delivery"
MAX_BACKOFF = timedelta(hours=6)


def body_bytes(payload: dict) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON with sorted keys."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute the signature and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header or "")


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """Delay before the next attempt after `attempts` failures: base, 2*base, 4*base, ... capped at 6
    hours.
    """
    return min(timedelta(seconds=base_seconds * (2 ** max(attempts - 1, 0))), MAX_BACKOFF)


def alert_payload(event: str, alert: Alert) -> dict:
    return {
        "event": event,
        "occurred_at": utcnow().isoformat(),
        "alert": {
            "id": alert.id,
            "credential_id": alert.credential_id,
            "kind": alert.kind,
            "status": alert.status,
            "severity": alert.severity,
            "title": alert.title,
            "concept_id": alert.concept_id,
            "competency_id": alert.competency_id,
            "evidence": alert.evidence,
            "opened_at": alert.opened_at.isoformat() if alert.opened_at else None,
            "updated_at": alert.updated_at.isoformat() if alert.updated_at else None,
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }


async def enqueue(session: AsyncSession, org_id: int, event: str, alert: Alert) -> int:
    """Queue `event` about `alert` for every enabled webhook of the organisation that wants it."""
    hooks = (
        await session.scalars(select(Webhook).where(Webhook.org_id == org_id, Webhook.enabled.is_(True)))
    ).all()
    wanted = [h for h in hooks if not h.events or event in h.events]
    if not wanted:
        return 0
    await session.flush()  # the alert needs its id in the payload
    payload = alert_payload(event, alert)
    for hook in wanted:
        session.add(WebhookDelivery(org_id=org_id, webhook_id=hook.id, event=event, payload=payload))
    return len(wanted)


async def _claim_due(engine: AsyncEngine, now: datetime, limit: int, lease: timedelta) -> list[int]:
    """Ids of due deliveries, leased (pushed into the future) so another sender does not take them too."""
    async with session_scope(engine) as session:
        stmt = (
            select(WebhookDelivery)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        if engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = (await session.scalars(stmt)).all()
        for row in rows:
            row.next_attempt_at = now + lease
        return [row.id for row in rows]


async def deliver_due(
    engine: AsyncEngine, settings: DriftSettings, now: datetime | None = None, limit: int = 100
) -> dict[str, int]:
    """Send every due delivery once; returns how many were delivered, retried later, and failed for good."""
    now = now or utcnow()
    lease = timedelta(seconds=settings.webhook_timeout_seconds * 3)
    ids = await _claim_due(engine, now, limit, lease)
    tally = {"delivered": 0, "retrying": 0, "failed": 0}
    if not ids:
        return tally
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
        for delivery_id in ids:
            outcome = await _attempt(engine, client, delivery_id, settings, now)
            tally[outcome] += 1
    return tally


async def _attempt(
    engine: AsyncEngine, client: httpx.AsyncClient, delivery_id: int, settings: DriftSettings, now: datetime
) -> str:
    async with session_scope(engine) as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        hook = await session.get(Webhook, delivery.webhook_id) if delivery else None
        if delivery is None or hook is None:
            return "failed"
        if not hook.enabled:
            delivery.status = "failed"
            delivery.error = "webhook disabled before delivery"
            return "failed"
        body = body_bytes(delivery.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "skillpulse-webhooks/1",
            SIGNATURE_HEADER: sign(hook.secret, body),
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.id),
        }
        delivery.attempts += 1
        code: int | None = None
        error: str | None = None
        try:
            response = await client.post(hook.url, content=body, headers=headers)
            code = response.status_code
            if not 200 <= code < 300:
                error = f"receiver answered HTTP {code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        delivery.response_code = code
        delivery.error = error
        if error is None:
            delivery.status = "delivered"
            delivery.delivered_at = utcnow()
            log.info("webhook delivery %s to %s: delivered (HTTP %s)", delivery.id, hook.url, code)
            return "delivered"
        if delivery.attempts >= settings.webhook_max_attempts:
            delivery.status = "failed"
            log.warning("webhook delivery %s to %s failed for good: %s", delivery.id, hook.url, error)
            return "failed"
        delivery.next_attempt_at = now + backoff(delivery.attempts, settings.webhook_backoff_seconds)
        log.info(
            "webhook delivery %s to %s: %s; retry at %s",
            delivery.id,
            hook.url,
            error,
            delivery.next_attempt_at,
        )
        return "retrying"
