"""Scheduled jobs across replicas.

APScheduler 3 runs the timers in every replica; each firing first claims its (job, slot) row in `job_claim`
(unique, insert-or-nothing), so a job fires once across any number of replicas, on PostgreSQL or SQLite.
Domains add their jobs with a registrar `def register(scheduler: Scheduler) -> None` listed in
`service.app.JOB_REGISTRARS`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from service.demand.models import JobClaim
from service.timeutil import utcnow

log = logging.getLogger("skillpulse.scheduler")

JobFn = Callable[[], Awaitable[None]]


def parse_cron(expression: str) -> CronTrigger:
    """A cron trigger (5 fields, UTC); raises ValueError with a readable message when invalid."""
    try:
        return CronTrigger.from_crontab(expression, timezone="UTC")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"invalid cron expression {expression!r}: {exc}") from None


async def claim(engine: AsyncEngine, job: str, slot: str) -> bool:
    """True for the one replica that claims this firing of `job` (slot: its scheduled time)."""
    values = {"job": job, "slot": slot, "claimed_at": utcnow()}
    dialect = engine.dialect.name
    if dialect == "postgresql":
        stmt = pg_insert(JobClaim).values(**values).on_conflict_do_nothing(index_elements=["job", "slot"])
    elif dialect == "sqlite":
        stmt = sqlite_insert(JobClaim).values(**values).on_conflict_do_nothing(index_elements=["job", "slot"])
    else:  # pragma: no cover - only the two supported databases
        stmt = insert(JobClaim).values(**values)
    async with engine.begin() as conn:
        result = await conn.execute(stmt)
    return result.rowcount == 1


class Scheduler:
    """APScheduler with a fire-once claim per (job, slot)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._aps = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                   "misfire_grace_time": 3600})

    def _wrap(self, job_id: str, fn: JobFn, slot_seconds: int | None) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            now = utcnow()
            slot = _slot(now, slot_seconds)
            if not await claim(self.engine, job_id, slot):
                return
            try:
                await fn()
            except Exception:  # noqa: BLE001 - one failing job never stops the scheduler
                log.exception("scheduled job %s failed", job_id)

        return run

    def add_cron(self, job_id: str, cron: str, fn: JobFn) -> None:
        self._aps.add_job(self._wrap(job_id, fn, 60), parse_cron(cron), id=job_id, replace_existing=True)

    def add_interval(self, job_id: str, seconds: int, fn: JobFn) -> None:
        self._aps.add_job(
            self._wrap(job_id, fn, seconds), IntervalTrigger(seconds=seconds), id=job_id, replace_existing=True
        )

    def remove(self, job_id: str) -> None:
        if self._aps.get_job(job_id) is not None:
            self._aps.remove_job(job_id)

    def job_ids(self) -> list[str]:
        return [job.id for job in self._aps.get_jobs()]

    def start(self) -> None:
        self._aps.start()

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)


def _slot(now: datetime, seconds: int | None) -> str:
    step = max(int(seconds or 60), 1)
    return str(int(now.timestamp()) // step * step)
