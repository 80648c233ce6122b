"""Scheduled work of the demand domain: the nightly drift run per organisation, the webhook sender and the end
of snoozes whose date has come (reads never change an alert)."""

from __future__ import annotations

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine

from service.db import session_scope
from service.demand.alerts import wake_snoozed
from service.demand.runs import run_all_organisations
from service.demand.webhooks import deliver_due
from service.scheduler import Scheduler


def register(scheduler: Scheduler, app: Litestar) -> None:
    """Nightly drift for every organisation (cron from settings), webhook deliveries every few seconds, and
    snoozes ended every `snooze_wake_seconds`."""
    settings = app.state.settings
    engine = app.state.engine

    async def nightly_drift() -> dict[str, int]:
        runs = await run_all_organisations(engine, settings, trigger="schedule")
        failed = sum(run.status == "failed" for run in runs)
        return {"organisation runs": len(runs), "failed": failed}

    async def send_webhooks() -> dict[str, int]:
        return await deliver_due(engine, settings)

    async def wake_snoozes() -> dict[str, int]:
        return {"alerts open again": await end_due_snoozes(engine)}

    scheduler.add_cron("demand.drift-nightly", settings.drift.nightly_cron, nightly_drift)
    scheduler.add_interval("demand.webhook-sender", settings.drift.webhook_poll_seconds, send_webhooks)
    scheduler.add_interval("demand.snooze-wake", settings.drift.snooze_wake_seconds, wake_snoozes)


async def end_due_snoozes(engine: AsyncEngine) -> int:
    """One pass of `demand.snooze-wake` over every organisation; safe to run on several replicas at once."""
    async with session_scope(engine) as session:
        return await wake_snoozed(session)
