"""kill -9 of the NLP worker process in the middle of a batch: the pool is rebuilt, the batch that was cut off
is retried once and the next batches succeed, with no restart of the service."""

from __future__ import annotations

import asyncio
import os
import signal

from demo.synthetic import generate_postings
from service.nlp_runner import NlpRunner
from service.postings.worker import ExtractionWorker
from tests.support.postings import org_postings

COUNT = 400


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115, PTH123
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _kill_when_busy(task: asyncio.Task, pid: int) -> None:
    """SIGKILL the worker once it has spent a little CPU on the batch (an idle worker spends none)."""
    idle = _cpu_seconds(pid)
    while _cpu_seconds(pid) - idle < 0.3:
        assert not task.done(), "the batch finished before the kill: make it larger"
        await asyncio.sleep(0.02)
    assert not task.done()
    os.kill(pid, signal.SIGKILL)


async def test_kill_9_of_the_nlp_worker_mid_batch_then_the_next_batch_succeeds(api, app, tenant):
    bodies = [p.to_dict() for p in generate_postings(COUNT, seed=7, source="nlp-kill")]
    for start in range(0, COUNT, 200):
        posted = await api.post("/api/v1/postings", json={"postings": bodies[start : start + 200]})
        assert posted.status_code == 201, posted.text
    runner = NlpRunner(1)
    worker = ExtractionWorker(app.state.engine, runner, batch_size=COUNT // 2)
    try:
        first_pid = await asyncio.wait_for(runner.run(os.getpid), timeout=180)
        await worker.warm_up()
        batch = asyncio.create_task(worker.run_batch())
        await _kill_when_busy(batch, first_pid)
        assert await asyncio.wait_for(batch, timeout=300) == COUNT // 2  # retried once in a new pool
        second_pid = await runner.run(os.getpid)
        assert second_pid != first_pid
        assert await asyncio.wait_for(worker.run_batch(), timeout=300) == COUNT // 2  # the next batch
    finally:
        runner.shutdown()
    rows = await org_postings(app, tenant.org_id)
    assert [r.extraction_status for r in rows] == ["done"] * COUNT


async def test_a_broken_pool_is_rebuilt_for_the_next_call():
    runner = NlpRunner(1, preload=False)  # the pool is under test here, not the model
    try:
        pid = await asyncio.wait_for(runner.run(os.getpid), timeout=180)
        os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.5)  # the pool notices the dead worker and marks itself broken
        assert await asyncio.wait_for(runner.run(os.getpid), timeout=180) not in (pid, os.getpid())
    finally:
        runner.shutdown()
