"""Drift runs started over HTTP: recorded as queued, run in the background, polled by their id.

The request only writes the queued run row and hands the run to the app's task runner, so it answers at once
whatever the size of the organisation (the run itself takes a transaction-level advisory lock per organisation
and may wait for another run). A run the server stops before it ends is recorded as failed, not left running.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from litestar import Litestar
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.clock import utcnow
from service.db import session_scope
from service.demand.models import DriftRun
from service.demand.runs import run_drift
from service.tasks import INTERRUPTED, tasks_of

log = logging.getLogger("skillpulse.drift")

UNFINISHED = ("queued", "running")


def task_key(run_id: int) -> tuple[str, int]:
    return ("drift", run_id)


async def close_unfinished(engine: AsyncEngine, run_id: int, reason: str) -> None:
    """Record a queued or running run as failed with `reason` (a finished run is left as it is)."""
    async with session_scope(engine) as session:
        await session.execute(
            update(DriftRun)
            .where(DriftRun.id == run_id, DriftRun.status.in_(UNFINISHED))
            .values(status="failed", error=reason, finished_at=utcnow())
        )


async def queue_drift_run(
    app: Litestar, org_id: int, as_of: date | None, trigger: str = "manual"
) -> DriftRun:
    """Record a queued run and start it in the background; returns the queued run."""
    engine, settings = app.state.engine, app.state.settings
    runner = tasks_of(app)
    async with session_scope(engine) as session:
        run = DriftRun(org_id=org_id, as_of=as_of or utcnow().date(), trigger=trigger, status="queued")
        session.add(run)
    key = task_key(run.id)

    async def work() -> None:
        try:
            await run_drift(
                engine, settings, org_id, run.as_of, trigger, run_id=run.id, progress=runner.reporter(key)
            )
        except asyncio.CancelledError:
            raise  # `interrupted` records it
        except Exception:  # noqa: BLE001 - run_drift logged it and recorded it on the run row
            log.info("drift run %s ended as failed", run.id)
        # whatever happened inside (even a failure to record the failure), the run does not stay open
        await close_unfinished(engine, run.id, "internal error: the run ended without a result")

    async def interrupted() -> None:
        await close_unfinished(engine, run.id, INTERRUPTED)

    try:
        runner.spawn(key, work(), on_cancel=interrupted)
    except RuntimeError:
        await close_unfinished(engine, run.id, INTERRUPTED)
        raise
    return run
