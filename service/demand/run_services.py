"""Drift runs as the API and the dashboard read them: the organisation's runs, one run, the runs still
queued or running (the dashboard's status line) and the latest that succeeded (the overview's "last drift
check"). Queueing a run is `run_jobs.queue_drift_run`. A caller's mistake is a domain error
(`DriftRunNotFound`), which each caller words."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.demand.models import DriftRun
from service.demand.run_jobs import UNFINISHED


class DriftRunNotFound(LookupError):
    """No such drift run in the organisation."""


async def list_runs(session: AsyncSession, org_id: int, limit: int) -> list[DriftRun]:
    """The organisation's drift runs, newest first."""
    rows = await session.scalars(
        select(DriftRun).where(col(DriftRun.org_id) == org_id).order_by(col(DriftRun.id).desc()).limit(limit)
    )
    return list(rows)


async def get_run(session: AsyncSession, org_id: int, run_id: int) -> DriftRun:
    run = await session.get(DriftRun, run_id)
    if run is None or run.org_id != org_id:
        raise DriftRunNotFound(f"drift run {run_id} not found")
    return run


async def unfinished_runs(session: AsyncSession, org_id: int, limit: int = 5) -> list[DriftRun]:
    """The organisation's runs still queued or running, oldest first."""
    rows = await session.scalars(
        select(DriftRun)
        .where(col(DriftRun.org_id) == org_id, col(DriftRun.status).in_(UNFINISHED))
        .order_by(col(DriftRun.id))
        .limit(limit)
    )
    return list(rows)


async def latest_succeeded_run(session: AsyncSession, org_id: int) -> DriftRun | None:
    """The succeeded run with the latest as-of date (the newest of those on that date), if any."""
    return await session.scalar(
        select(DriftRun)
        .where(col(DriftRun.org_id) == org_id, col(DriftRun.status) == "succeeded")
        .order_by(col(DriftRun.as_of).desc(), col(DriftRun.id).desc())
        .limit(1)
    )
