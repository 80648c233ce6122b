"""kill -9 of a worker in the middle of an extraction batch: nothing lost, nothing duplicated, batch redone."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time

import pytest
from sqlalchemy import func, select, text

import nlp
from demo.synthetic import generate_postings
from service.db import session_scope
from service.postings.models import Posting, PostingSkill
from tests.support.postings import SKILLPULSE, org_postings

pytestmark = pytest.mark.postgres_only

COUNT = 240
BATCH = 40


async def _state(app, org_id: int) -> tuple[int, int, int]:
    """(done, pending, pending rows we cannot lock) — the last is > 0 while a worker holds a batch."""
    async with session_scope(app.state.engine) as session:
        done = await session.scalar(
            select(func.count())
            .select_from(Posting)
            .where(Posting.org_id == org_id, Posting.extraction_status == "done")
        )
        pending = await session.scalar(
            select(func.count())
            .select_from(Posting)
            .where(Posting.org_id == org_id, Posting.extraction_status == "pending")
        )
        lockable = await session.scalar(
            text(
                "SELECT count(*) FROM (SELECT id FROM posting WHERE org_id = :org AND extraction_status = 'pending' "
                "FOR UPDATE SKIP LOCKED) AS free"
            ),
            {"org": org_id},
        )
        await session.rollback()
    return done, pending, pending - lockable


def _start_worker(database_url: str) -> subprocess.Popen:
    env = dict(
        os.environ,
        SKILLPULSE_DATABASE_URL=database_url,
        SKILLPULSE_ENV="test",
        SKILLPULSE_POSTINGS_WORKER_POLL_SECONDS="0.2",
    )
    # Its own process group, so kill -9 takes the worker and its extraction process at once, like a crash.
    return subprocess.Popen(
        [SKILLPULSE, "worker", "--batch-size", str(BATCH)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_kill_9_mid_batch_then_restart(api, app, tenant, database_url):
    bodies = [p.to_dict() for p in generate_postings(COUNT, seed=99, source="kill-test")]
    for start in range(0, COUNT, 120):
        assert (
            await api.post("/api/v1/postings", json={"postings": bodies[start : start + 120]})
        ).status_code == 201

    worker = _start_worker(database_url)
    try:
        deadline = time.monotonic() + 240
        held = 0
        while time.monotonic() < deadline:
            done, pending, held = await _state(app, tenant.org_id)
            if done >= BATCH and held > 0:
                break  # one batch stored, the next one claimed and being extracted
            await asyncio.sleep(0.05)
        assert held > 0, "the worker never held a batch"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)

    # PostgreSQL rolled the killed batch back: its postings are pending again and free to claim.
    for _ in range(100):
        done_after_kill, pending_after_kill, held_after_kill = await _state(app, tenant.org_id)
        if held_after_kill == 0:
            break
        await asyncio.sleep(0.1)
    assert held_after_kill == 0
    assert 0 < done_after_kill < COUNT and done_after_kill + pending_after_kill == COUNT

    restarted = await asyncio.to_thread(
        subprocess.run,
        [SKILLPULSE, "worker", "--once", "--batch-size", str(BATCH)],
        env=dict(os.environ, SKILLPULSE_DATABASE_URL=database_url, SKILLPULSE_ENV="test"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert restarted.returncode == 0, restarted.stderr

    rows = await org_postings(app, tenant.org_id)
    assert len(rows) == COUNT  # none lost, none duplicated
    assert sorted(r.external_id for r in rows) == sorted(b["external_id"] for b in bodies)
    assert {r.extraction_status for r in rows} == {"done"}
    async with session_scope(app.state.engine) as session:
        doubled = await session.scalar(
            text(
                'SELECT count(*) FROM (SELECT posting_id, start, "end", kind FROM posting_skill WHERE org_id = :org '
                'GROUP BY posting_id, start, "end", kind HAVING count(*) > 1) AS d'
            ),
            {"org": tenant.org_id},
        )
        stored = dict(
            (
                await session.execute(
                    select(PostingSkill.posting_id, func.count())
                    .where(PostingSkill.org_id == tenant.org_id)
                    .group_by(PostingSkill.posting_id)
                )
            )
            .tuples()
            .all()
        )
    assert doubled == 0
    # Each posting has exactly the mentions the extractor finds in its text (guided by its occupation, as the
    # worker extracts it): the redone batch replaced, never added.
    sample = rows[:: max(1, COUNT // 24)]
    expected = nlp.extract_many([r.text for r in sample], occupations=[r.occupation_code for r in sample])
    assert [stored.get(r.id, 0) for r in sample] == [len(m) for m in expected]
