"""Fire-once claims: the slot is the firing's scheduled time, and old claim rows are pruned."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from kernel.clock import utcnow
from service.db import session_scope
from service.demand.models import JobClaim
from service.scheduler import PRUNE_JOB, Scheduler, claim, prune_claims

YEARLY = "0 0 1 1 *"  # no other firing falls between the late one and now


async def _slots(app, job: str) -> list[str]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return list(await session.scalars(select(JobClaim.slot).where(JobClaim.job == job)))


async def test_a_late_firing_claims_its_scheduled_slot_not_the_wall_clock(app):
    job = f"test.late-{uuid.uuid4().hex[:8]}"
    scheduled = utcnow().replace(microsecond=0) - timedelta(seconds=150)  # this replica's loop was busy
    slot = str(int(scheduled.timestamp()) // 60 * 60)
    # The punctual replica ran this firing on time and holds its slot.
    assert await claim(app.state.engine, job, slot)
    ran = asyncio.Event()

    async def work() -> None:
        ran.set()

    late = Scheduler(app.state.engine)
    late.add_cron(job, YEARLY, work)
    late._aps.start(paused=True)  # noqa: SLF001 - APScheduler's own API: make the firing overdue
    try:
        late._aps.modify_job(job, next_run_time=scheduled)  # noqa: SLF001
        late._aps.resume()  # noqa: SLF001
        await asyncio.sleep(1.5)
        assert not ran.is_set(), "the late replica ran a firing another replica had claimed"
        assert await _slots(app, job) == [slot]
    finally:
        late.shutdown()


async def test_old_claims_are_pruned_and_recent_ones_kept(app):
    engine = app.state.engine
    job = f"test.prune-{uuid.uuid4().hex[:8]}"
    for slot in ("100", "200", "300"):
        assert await claim(engine, job, slot)
    async with session_scope(engine) as session:
        await session.execute(
            update(JobClaim)
            .where(JobClaim.job == job, JobClaim.slot.in_(["100", "200"]))
            .values(claimed_at=utcnow() - timedelta(days=30))
        )
    assert await prune_claims(engine, utcnow() - timedelta(days=7)) >= 2
    assert await _slots(app, job) == ["300"]
    assert PRUNE_JOB in Scheduler(engine).job_ids()  # every scheduler prunes, on its own schedule


async def test_firings_log_one_line_of_ours_and_none_of_apschedulers(app, caplog):
    """`serve` logged two APScheduler INFO lines every 15 s; a run's outcome is one line naming the job: INFO
    with what it did, DEBUG when it found nothing to do, ERROR with the traceback when it failed."""
    caplog.set_level(logging.DEBUG)
    tag = uuid.uuid4().hex[:8]
    done, idle, failed = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def fine() -> dict[str, int]:
        done.set()
        return {"delivered": 2, "failed": 0}

    async def nothing() -> dict[str, int]:
        idle.set()
        return {"delivered": 0, "failed": 0}

    async def broken() -> None:
        failed.set()
        raise RuntimeError("feed exploded")

    scheduler = Scheduler(app.state.engine)
    scheduler.add_interval(f"test.fine-{tag}", 1, fine)
    scheduler.add_interval(f"test.idle-{tag}", 1, nothing)
    scheduler.add_interval(f"test.broken-{tag}", 1, broken)
    scheduler.start()
    try:
        await asyncio.wait_for(asyncio.gather(done.wait(), idle.wait(), failed.wait()), timeout=10)
        await asyncio.sleep(0.2)  # the outcome lines follow the job's return
    finally:
        scheduler.shutdown()
    noisy = [r for r in caplog.records if r.name.startswith("apscheduler") and r.levelno < logging.WARNING]
    assert noisy == []
    ours = [r for r in caplog.records if r.name == "skillpulse.scheduler"]

    def lines(job: str) -> list[logging.LogRecord]:
        return [r for r in ours if f"test.{job}-{tag} " in r.getMessage()]

    fine_lines, idle_lines, broken_lines = lines("fine"), lines("idle"), lines("broken")
    assert fine_lines and all(r.levelno == logging.INFO for r in fine_lines)
    assert "delivered 2, failed 0" in fine_lines[0].getMessage()
    assert idle_lines and all(r.levelno == logging.DEBUG for r in idle_lines)
    assert broken_lines and all(r.levelno == logging.ERROR for r in broken_lines)
    assert "feed exploded" in str(broken_lines[0].exc_info[1])
    # one line per run: as many lines as runs (each run of `fine` set the event at least once)
    assert len({r.getMessage().split("(slot ")[1].split(")")[0] for r in fine_lines}) == len(fine_lines)
