"""Scheduled jobs across replicas.

APScheduler 3 runs the timers in every replica; each firing first claims its (job, slot) row in `job_claim`
(unique, insert-or-nothing), so a job fires once across any number of replicas, on PostgreSQL or SQLite.
Domains add their jobs with a registrar `def register(scheduler: Scheduler) -> None` listed in
`service.app.JOB_REGISTRARS`.

The slot is the firing's *scheduled* time, handed to the job by the executor, not the wall clock when it runs:
a replica whose loop was busy and runs the 03:00 firing at 03:01:10 still claims 03:00, which the punctual
replica holds, instead of a fresh slot that would run the job twice. Interval triggers start at the epoch, so
every replica computes the same fire times. Claim rows older than the retention are pruned by a job of the
scheduler's own.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from kernel.clock import utcnow
from service.db import insert_or_nothing
from service.job_claims import JobClaim

log = logging.getLogger("skillpulse.scheduler")
# APScheduler logs two INFO lines per firing ("Running job Scheduler._wrap.<locals>.run …"), every 15 s; ours
# is one line per run that says which job ran and how it ended (see `outcome_words`)
logging.getLogger("apscheduler").setLevel(logging.WARNING)

# A job may return what it did (a count, a dict or dataclass of counts, a sentence): its log line says it.
JobFn = Callable[[], Awaitable[object]]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PRUNE_JOB = "scheduler.prune-claims"
PRUNE_INTERVAL_SECONDS = 3600
DEFAULT_CLAIM_RETENTION = timedelta(days=7)

_scheduled_at: ContextVar[datetime | None] = ContextVar("skillpulse_scheduled_at", default=None)


class _ScheduledTimeExecutor(AsyncIOExecutor):
    """APScheduler's asyncio executor that lets the job see the time it was scheduled for.

    The job's task copies the context when it is created, so the value set around the submit is the one the
    job reads. Jobs coalesce, so there is one run time per submit.
    """

    def _do_submit_job(self, job, run_times):  # noqa: ANN001, ANN202 - APScheduler's signature
        token = _scheduled_at.set(run_times[-1])
        try:
            return super()._do_submit_job(job, run_times)
        finally:
            _scheduled_at.reset(token)


def parse_cron(expression: str) -> CronTrigger:
    """A cron trigger (5 fields, UTC); raises ValueError with a readable message when invalid."""
    try:
        return CronTrigger.from_crontab(expression, timezone="UTC")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"invalid cron expression {expression!r}: {exc}") from None


async def claim(engine: AsyncEngine, job: str, slot: str) -> bool:
    """True for the one replica that claims this firing of `job` (slot: its scheduled time)."""
    values = {"job": job, "slot": slot, "claimed_at": utcnow()}
    stmt = insert_or_nothing(engine.dialect.name, JobClaim, ["job", "slot"]).values(**values)
    async with engine.begin() as conn:
        result = await conn.execute(stmt)
    return result.rowcount == 1


async def prune_claims(engine: AsyncEngine, older_than: datetime) -> int:
    """Delete claim rows claimed before `older_than` (their firings are long done); returns how many."""
    async with engine.begin() as conn:
        result = await conn.execute(delete(JobClaim).where(col(JobClaim.claimed_at) < older_than))
    return result.rowcount or 0


class Scheduler:
    """APScheduler with a fire-once claim per (job, slot)."""

    def __init__(self, engine: AsyncEngine, claim_retention: timedelta = DEFAULT_CLAIM_RETENTION) -> None:
        self.engine = engine
        self.claim_retention = claim_retention
        self._aps = AsyncIOScheduler(
            timezone="UTC",
            executors={"default": _ScheduledTimeExecutor()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        self.add_interval(PRUNE_JOB, PRUNE_INTERVAL_SECONDS, self._prune)

    async def _prune(self) -> dict[str, int]:
        return {"pruned": await prune_claims(self.engine, utcnow() - self.claim_retention)}

    def _wrap(self, job_id: str, fn: JobFn, slot_seconds: int | None) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            scheduled = _scheduled_at.get()  # None: called outside the scheduler
            slot = _slot(scheduled or utcnow(), slot_seconds)
            if not await claim(self.engine, job_id, slot):
                return
            started = time.monotonic()
            try:
                outcome = await fn()
            except Exception:  # noqa: BLE001 - one failing job never stops the scheduler
                log.exception("scheduled job %s (slot %s) failed", job_id, slot)
                return
            words, idle = outcome_words(outcome)
            elapsed = time.monotonic() - started
            level = logging.DEBUG if idle else logging.INFO
            log.log(level, "scheduled job %s (slot %s) done in %.2f s: %s", job_id, slot, elapsed, words)

        return run

    def add_cron(self, job_id: str, cron: str, fn: JobFn) -> None:
        self._aps.add_job(self._wrap(job_id, fn, 60), parse_cron(cron), id=job_id, replace_existing=True)

    def add_interval(self, job_id: str, seconds: int, fn: JobFn) -> None:
        self._aps.add_job(
            self._wrap(job_id, fn, seconds),
            IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone="UTC"),
            id=job_id,
            replace_existing=True,
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


def outcome_words(outcome: object) -> tuple[str, bool]:
    """A job's outcome in words, and whether the run was idle (found nothing to do: every count zero).

    An idle run is logged at DEBUG, so pollers that run every few seconds keep the log quiet; a run that did
    something (or did not say) at INFO.
    """
    if outcome is None:
        return "done", False
    if dataclasses.is_dataclass(outcome) and not isinstance(outcome, type):
        outcome = dataclasses.asdict(outcome)
    if isinstance(outcome, dict):
        words = ", ".join(f"{key} {value}" for key, value in outcome.items()) or "nothing to do"
        return words, all(isinstance(v, int | float) and not v for v in outcome.values())
    if isinstance(outcome, bool):
        return ("done" if outcome else "nothing to do"), not outcome
    if isinstance(outcome, int | float):
        return str(outcome), not outcome
    return str(outcome) or "nothing to do", not str(outcome)
