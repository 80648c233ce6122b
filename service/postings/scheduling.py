"""Scheduled imports: every minute, run each enabled source whose cron schedule has fired since its last run.

One scheduler job (`postings.import-sources`, claimed once per minute across replicas by service.scheduler)
looks at the sources in the database, so sources created, edited or disabled through the API take effect
without a restart. Firings missed while the service was down coalesce into one run, and a source already
running (in another replica, or a long run) is left alone until it finishes (its run lock is held).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from litestar import Litestar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.clock import utcnow
from service.db import session_scope
from service.postings.imports import SourceBusy, run_source
from service.postings.models import ImportRun, ImportSource
from service.scheduler import Scheduler, parse_cron
from service.settings import Settings

log = logging.getLogger("skillpulse.postings.scheduling")
JOB_ID = "postings.import-sources"
TICK_SECONDS = 60


def is_due(schedule: str, reference: datetime, now: datetime) -> bool:
    """True when the cron schedule fires after `reference` (the last run, or the creation) and by `now`."""
    try:
        trigger = parse_cron(schedule)
    except ValueError:
        return False
    following = trigger.get_next_fire_time(None, reference + timedelta(microseconds=1))
    return following is not None and following <= now


async def due_sources(engine: AsyncEngine, now: datetime) -> list[int]:
    async with session_scope(engine) as session:
        sources = list(await session.scalars(select(ImportSource).where(ImportSource.enabled.is_(True))))
        if not sources:
            return []
        ids = [s.id for s in sources]
        last_started = {
            source_id: started
            for source_id, started in (
                await session.execute(
                    select(ImportRun.source_id, func.max(ImportRun.started_at))
                    .where(ImportRun.source_id.in_(ids))
                    .group_by(ImportRun.source_id)
                )
            ).tuples()
        }
    due = []
    for source in sources:
        reference = last_started.get(source.id) or source.created_at
        if is_due(source.schedule, reference, now):
            due.append(source.id)
    return due


async def run_due_sources(
    engine: AsyncEngine, settings: Settings, *, now: datetime | None = None, on_stored=None
) -> list[ImportRun]:  # noqa: ANN001 - a callable or None
    """Run every due source, one after another; a failing source is recorded and the next one runs."""
    runs = []
    for source_id in await due_sources(engine, now or utcnow()):
        try:
            run = await run_source(engine, settings, source_id, trigger="schedule", on_stored=on_stored)
        except SourceBusy:
            continue  # another replica (or a manual run) is importing it right now
        except Exception:  # noqa: BLE001 - e.g. the database blinked; the other sources still run
            log.exception("scheduled import of source %s failed", source_id)
            continue
        if run is not None:
            runs.append(run)
    return runs


def register(scheduler: Scheduler, app: Litestar) -> None:
    """The registrar listed in service.app.JOB_REGISTRARS."""
    from service.postings.worker import wake_worker

    async def tick() -> dict[str, int]:
        runs = await run_due_sources(app.state.engine, app.state.settings, on_stored=lambda: wake_worker(app))
        return {"imports": len(runs)}

    scheduler.add_interval(JOB_ID, TICK_SECONDS, tick)
