"""Scheduled work of the demand domain: the nightly drift run per organisation and the webhook sender."""

from __future__ import annotations

import logging

from litestar import Litestar

from service.demand.runs import run_all_organisations
from service.demand.webhooks import deliver_due
from service.scheduler import Scheduler

log = logging.getLogger("skillpulse.drift")


def register(scheduler: Scheduler, app: Litestar) -> None:
    """Nightly drift for every organisation (cron from settings) and webhook deliveries every few seconds."""
    settings = app.state.settings
    engine = app.state.engine

    async def nightly_drift() -> None:
        runs = await run_all_organisations(engine, settings, trigger="schedule")
        log.info("nightly drift: %d organisation runs", len(runs))

    async def send_webhooks() -> None:
        await deliver_due(engine, settings)

    scheduler.add_cron("demand.drift-nightly", settings.drift.nightly_cron, nightly_drift)
    scheduler.add_interval("demand.webhook-sender", settings.drift.webhook_poll_seconds, send_webhooks)
