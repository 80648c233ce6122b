"""A drift run left 'running' by a process that died is closed as 'interrupted'; a live one is left alone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from kernel.clock import utcnow
from service.db import session_scope
from service.demand.models import DriftRun
from service.demand.runs import (
    ADVISORY_LOCK_BASE,
    INTERRUPTED_JOB,
    close_interrupted_runs,
    register_interrupted_runs,
)
from service.scheduler import Scheduler

STALE = timedelta(minutes=60)


async def _run(app, org_id: int, started_ago: timedelta, status: str = "running") -> int:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        run = DriftRun(
            org_id=org_id, as_of=date(2026, 3, 1), status=status, started_at=utcnow() - started_ago
        )
        session.add(run)
        await session.flush()
        return run.id


async def _status(app, run_id: int) -> tuple[str, str | None, bool]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        run = await session.get(DriftRun, run_id)
        return run.status, run.error, run.finished_at is not None


async def test_a_run_running_past_the_stale_timeout_is_closed_as_interrupted(app, tenant):
    dead = await _run(app, tenant.org_id, timedelta(hours=3))
    live = await _run(app, tenant.org_id, timedelta(seconds=5))
    done = await _run(app, tenant.org_id, timedelta(hours=3), status="succeeded")
    assert await close_interrupted_runs(app.state.engine, STALE) >= 1
    status, error, finished = await _status(app, dead)
    assert (status, finished) == ("interrupted", True) and "interrupted" in error
    assert (await _status(app, live))[0] == "running"
    assert (await _status(app, done))[0] == "succeeded"
    assert await close_interrupted_runs(app.state.engine, STALE) == 0  # closed once


@pytest.mark.postgres_only
async def test_on_postgres_a_run_whose_lock_nobody_holds_is_closed_early_and_a_locked_one_kept(
    app, tenant, other_tenant
):
    dead = await _run(app, tenant.org_id, timedelta(minutes=5))
    alive = await _run(app, other_tenant.org_id, timedelta(minutes=5))
    async with app.state.engine.connect() as holder:  # the live run's process holds its organisation's lock
        await holder.execute(
            text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_BASE + other_tenant.org_id}
        )
        try:
            await close_interrupted_runs(app.state.engine, STALE)
        finally:
            await holder.execute(
                text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_BASE + other_tenant.org_id}
            )
            await holder.commit()
    assert (await _status(app, dead))[0] == "interrupted"
    assert (await _status(app, alive))[0] == "running"


async def test_the_check_is_a_scheduled_job(app):
    scheduler = Scheduler(app.state.engine)
    register_interrupted_runs(scheduler, app)
    assert INTERRUPTED_JOB in scheduler.job_ids()
