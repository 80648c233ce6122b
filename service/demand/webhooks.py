"""Webhook deliveries: queued in the same transaction as the alert change, sent by a scheduled sender.

Queuing in the alert's transaction means an alert change and its notification commit or vanish together; the
sender then retries with exponential backoff until the receiver answers 2xx or the attempts run out, and every
attempt leaves its status code or a generic error on the delivery row. Bodies are signed per Standard Webhooks
(`webhook-id`, `webhook-timestamp`, `webhook-signature`; see webhook_signing.py and docs/webhooks.md).

Each delivery is claimed on its own, with a lease that covers one POST (bounded by the timeout), in a short
transaction that commits before the POST; the outcome is written in another one, and only if the claim is
still ours (attempts unchanged), so a slow receiver cannot be sent one delivery twice by two senders and no
database transaction stays open while we wait on a receiver. Requests go through the outbound address guard
(service/netguard.py) unless private addresses are allowed (by default: outside production).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kernel.clock import utcnow
from service import netguard
from service.db import session_scope
from service.demand import webhook_signing as signing
from service.demand.models import Alert, Webhook, WebhookDelivery
from service.settings import Settings

log = logging.getLogger("skillpulse.webhooks")

EVENTS = ("alert.opened", "alert.updated", "alert.resolved")
TEST_EVENT = "webhook.test"
MAX_BACKOFF = timedelta(hours=6)
body_bytes = signing.body_bytes


def private_addresses_allowed(settings: Settings) -> bool:
    """SKILLPULSE_DRIFT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES when set, else allowed outside production only."""
    allowed = settings.drift.webhook_allow_private_addresses
    return netguard.private_addresses_allowed(allowed, settings.server.env)


async def url_problem(url: str, settings: Settings) -> str | None:
    """Why a webhook URL is refused at registration (a non-public host while the guard is on), or None."""
    if private_addresses_allowed(settings):
        return None
    try:
        await netguard.check_url(url)
    except netguard.NonPublicAddressError as exc:
        return (
            f"url: {exc.host} is {exc.reason}; webhooks may only reach public addresses "
            "(SKILLPULSE_DRIFT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true allows internal receivers)"
        )
    except (httpx.InvalidURL, ValueError):
        return "url: not a valid URL"
    return None


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


def ping_payload(hook: Webhook) -> dict:
    """The body of a test event (like GitHub's ping): which webhook, what it is subscribed to."""
    return {
        "event": TEST_EVENT,
        "occurred_at": utcnow().isoformat(),
        "webhook": {"id": hook.id, "url": hook.url, "events": list(hook.events or [])},
    }


def queue_test(session: AsyncSession, hook: Webhook) -> WebhookDelivery:
    """Queue a test event for `hook` (whatever its event filter); the caller commits, then may send it."""
    delivery = WebhookDelivery(
        org_id=hook.org_id, webhook_id=hook.id, event=TEST_EVENT, payload=ping_payload(hook)
    )
    session.add(delivery)
    return delivery


@dataclass(frozen=True, slots=True)
class _Claim:
    delivery_id: int
    attempts: int  # after this attempt: the claim is ours while the row still says so
    event: str
    body: bytes
    url: str
    secret: str


def _lease(settings: Settings) -> timedelta:
    """How long a claimed delivery is kept from other senders: one POST (bounded by the timeout) and slack."""
    return timedelta(seconds=2 * settings.drift.webhook_timeout_seconds + 5)


async def _claim_next(
    engine: AsyncEngine, now: datetime, lease: timedelta, skip: set[int], only: int | None = None
) -> _Claim | None:
    """Claim the next due delivery on its own (a committed lease and attempt count), or None when none is due.

    A webhook paused since the delivery was queued fails it here, unsent, and the next one is looked at."""
    while True:
        async with session_scope(engine) as session:
            stmt = (
                select(WebhookDelivery)
                .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(1)
            )
            if only is not None:
                stmt = stmt.where(WebhookDelivery.id == only)
            if skip:
                stmt = stmt.where(WebhookDelivery.id.not_in(skip))
            if engine.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            row = await session.scalar(stmt)
            if row is None:
                return None
            skip.add(row.id)
            hook = await session.get(Webhook, row.webhook_id)
            if hook is None or not hook.enabled:
                row.status, row.error = "failed", signing.PAUSED
                continue
            # the lease runs from the real time of the claim: a long pass must not hand out leases that
            # expired before their POST started
            leased_until = max(now, utcnow()) + lease
            claimed = await session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == row.id,
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.attempts == row.attempts,
                )
                .values(attempts=row.attempts + 1, next_attempt_at=leased_until)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # another sender (SQLite has no row locks) took it first
                continue
            return _Claim(row.id, row.attempts + 1, row.event, body_bytes(row.payload), hook.url, hook.secret)


async def _post(http: httpx.AsyncClient, claim: _Claim, seconds: float) -> tuple[int | None, str | None]:
    """POST one delivery; (HTTP status, None) on 2xx, else the status or None and a generic error."""
    stamp = int(utcnow().timestamp())  # of this attempt, whatever `now` the sender was given
    headers = signing.signed_headers(claim.secret, claim.delivery_id, claim.event, claim.body, stamp)
    try:
        async with (
            asyncio.timeout(seconds),
            http.stream("POST", claim.url, content=claim.body, headers=headers) as response,
        ):
            return response.status_code, signing.status_error(response.status_code)  # the body is never read
    except netguard.NonPublicAddressError as exc:
        log.warning("webhook delivery %s refused: %s", claim.delivery_id, exc)
        return None, signing.REFUSED_ADDRESS
    except (httpx.TimeoutException, TimeoutError):
        return None, signing.TIMED_OUT
    except Exception as exc:  # noqa: BLE001 - any failure of one delivery is logged on it, not raised
        log.info("webhook delivery %s: %s: %s", claim.delivery_id, type(exc).__name__, exc)
        return None, signing.CONNECTION_FAILED


async def _record(
    engine: AsyncEngine, claim: _Claim, code: int | None, error: str | None, now: datetime, settings: Settings
) -> str:
    values: dict = {"response_code": code, "error": error}
    if error is None:
        outcome = "delivered"
        values.update(status="delivered", delivered_at=utcnow())
    elif claim.attempts >= settings.drift.webhook_max_attempts:
        outcome = "failed"
        values.update(status="failed")
    else:
        outcome = "retrying"
        values.update(next_attempt_at=now + backoff(claim.attempts, settings.drift.webhook_backoff_seconds))
    async with session_scope(engine) as session:
        result = await session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == claim.delivery_id,
                WebhookDelivery.status == "pending",
                WebhookDelivery.attempts == claim.attempts,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if result.rowcount != 1:
        log.warning("webhook delivery %s: claim lost before its outcome was written", claim.delivery_id)
        return "lost"
    log.info("webhook delivery %s (attempt %s): %s", claim.delivery_id, claim.attempts, error or "delivered")
    return outcome


async def deliver_due(
    engine: AsyncEngine,
    settings: Settings,
    now: datetime | None = None,
    limit: int = 100,
    *,
    only: int | None = None,
) -> dict[str, int]:
    """Send due deliveries (up to `limit`, or just delivery `only`), each claimed on its own and posted
    outside any transaction; returns how many were delivered, will be retried and failed for good."""
    given = now
    lease = _lease(settings)
    timeout = settings.drift.webhook_timeout_seconds
    tally = {"delivered": 0, "retrying": 0, "failed": 0}
    skip: set[int] = set()
    guard = not private_addresses_allowed(settings)
    async with netguard.client(guard=guard, timeout=timeout, follow_redirects=False) as http:
        for _ in range(limit):
            now = given or utcnow()  # without a given time, what became due during the pass is sent too
            claim = await _claim_next(engine, now, lease, skip, only)
            if claim is None:
                break
            code, error = await _post(http, claim, timeout)
            outcome = await _record(engine, claim, code, error, given or utcnow(), settings)
            if outcome in tally:
                tally[outcome] += 1
    return tally


async def deliver_now(engine: AsyncEngine, settings: Settings, delivery_id: int) -> None:
    """Send one queued delivery right away (after the response that queued it); the sender retries it later
    if this fails or never runs."""
    try:
        await deliver_due(engine, settings, only=delivery_id, limit=1)
    except Exception:  # noqa: BLE001 - a background task has no one to raise to
        log.exception("webhook delivery %s: immediate send failed; the sender retries it", delivery_id)
