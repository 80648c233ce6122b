"""Scheduled work of notifications: the alert digests, then the outbox flushed so they leave at once.

`register(scheduler, app)` is in JOB_REGISTRARS; the scheduler's claim row makes each firing run once across
replicas, and the digest rows make a digest once per user and period even if a pass runs twice.
"""

from __future__ import annotations

from datetime import datetime

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.clock import utcnow
from service.notifications.digest import PERIODS
from service.notifications.sending import queue_digests
from service.scheduler import Scheduler
from service.settings import Settings
from surveys.outbox import Sealer, flush_outbox

JOB = "notifications.digests"


async def send_digests(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    sealer: Sealer,
    now: datetime | None = None,
    periods: tuple[str, ...] = PERIODS,
) -> dict[str, int]:
    """Queue the digests of the last full day and week (each user's choice), then send the outbox."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    for period in periods:
        run = await queue_digests(
            maker, period, now, settings.server.base_url, settings.server.secret_key, sealer
        )
        counts[f"{period} queued"] = run.queued
        counts[f"{period} empty"] = run.empty
        counts[f"{period} already done"] = run.already_done
    flushed = await flush_outbox(maker, settings.smtp, sealer)
    counts["mails sent"] = flushed.sent
    return counts


def register(scheduler: Scheduler, app: Litestar) -> None:
    settings: Settings = app.state.settings

    async def digests() -> dict[str, int]:
        return await send_digests(app.state.sessionmaker, settings, app.state.keyring)

    scheduler.add_cron(JOB, settings.notifications.digest_cron, digests)
