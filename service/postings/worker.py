"""The extraction worker: claims batches of pending postings, extracts them in worker processes, stores the
mentions in bulk and marks each posting with the extractor version.

Claim, process and store happen in one transaction on PostgreSQL: the batch's rows are locked with
`FOR UPDATE SKIP LOCKED`, so any number of workers share the queue, and a worker killed mid-batch simply
rolls back, leaving its postings pending for the next claim. SQLite has no row locks: one worker reads a
batch, extracts it outside any transaction, then stores it in a short write transaction that keeps only the
postings still pending with the same content (a posting changed meanwhile stays pending and is redone).
Mentions of a posting are deleted before its new ones are written, so a redone batch never doubles them.

A posting that breaks the pipeline is isolated inside the NLP process (`extract_jobs`). One that kills the
process itself (twice: the runner rebuilds the pool and retries once) would fail its batch on every try, so a
batch whose NLP process dies is redone one posting at a time, and a posting that kills it alone is marked
failed with the error instead of holding the queue forever. Other errors (the database, an nlp that cannot
load) are not the posting's fault: they propagate and the batch is retried later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from concurrent.futures.process import BrokenProcessPool

from litestar import Litestar
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kernel.clock import utcnow
from service.db import sessionmaker
from service.demand.rollup_store import upkeep_postings
from service.nlp_runner import NlpRunner
from service.postings.batch_store import SKILL_COLUMNS, Claimed, claim, store
from service.postings.extraction import Job, Outcome, extract_jobs, extractor_version, warm_up
from service.postings.models import Posting, PostingSkill
from service.postings.worker_stats import LoopStats

log = logging.getLogger("skillpulse.postings.worker")

STOP_GRACE_SECONDS = 5.0  # at shutdown; a supervisor's SIGKILL usually follows SIGTERM after 10 s

_POSTING = Posting.__table__  # type: ignore[attr-defined]
_SKILL = PostingSkill.__table__  # type: ignore[attr-defined]


class ExtractionFailed(Exception):
    """The NLP step of a batch raised (not the database)."""


class ExtractionWorker:
    """Drains the queue of pending postings in batches; `run_forever` goes straight from one batch to the next
    while work is pending and sleeps only on an empty queue, until `wake()` or the poll interval."""

    def __init__(
        self, engine: AsyncEngine, runner: NlpRunner, *, batch_size: int = 64, poll_seconds: float = 5.0
    ) -> None:
        self.engine = engine
        self.runner = runner
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.postgres = engine.dialect.name == "postgresql"
        self.version: str | None = None
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self.idle = asyncio.Event()  # set while run_forever sleeps on an empty queue
        self.stats = LoopStats()

    async def run_batch(self) -> int:
        """Claim, extract and store one batch; returns how many postings it finished (0: queue empty)."""
        try:
            return await self._run_batch(self.batch_size)
        except ExtractionFailed:
            log.exception("extracting a batch failed; extracting its postings one at a time")
        async with sessionmaker(self.engine)() as session:
            ids = list(
                await session.scalars(
                    select(_POSTING.c.id)
                    .where(_POSTING.c.extraction_status == "pending")
                    .order_by(_POSTING.c.id)
                    .limit(self.batch_size)
                )
            )
        done = 0
        for posting_id in ids:
            try:
                done += await self._run_batch(1, only=posting_id)
            except ExtractionFailed as failed:
                # Poison, or is the pool down for everyone? A trivial call tells: if it fails too, nothing
                # is marked and the batch is retried later, as with a database error.
                await self.runner.run(extractor_version)
                log.error("extracting posting %s alone killed the NLP process; marking it failed", posting_id)
                await self._mark_failed(posting_id, failed.__cause__ or failed)
                done += 1
        return done

    async def _mark_failed(self, posting_id: int, exc: BaseException) -> None:
        async with sessionmaker(self.engine)() as session, session.begin():
            changed = await session.execute(
                update(_POSTING)
                .where(_POSTING.c.id == posting_id, _POSTING.c.extraction_status == "pending")
                .values(
                    extraction_status="failed",
                    extraction_error=f"{type(exc).__name__}: {exc}"[:2000],
                    extracted_at=utcnow(),
                )
            )
            if changed.rowcount:  # type: ignore[attr-defined]
                await upkeep_postings(session, [posting_id])

    async def _run_batch(self, limit: int, only: int | None = None) -> int:
        async with sessionmaker(self.engine)() as session:
            try:
                claimed = await claim(session, limit, self.postgres, only)
                if not claimed:
                    await session.rollback()
                    return 0
                if not self.postgres:
                    await session.commit()  # no read snapshot held across the extraction on SQLite
                try:
                    version, outcomes = await self._extract(session, claimed)
                except BrokenProcessPool as exc:  # the process died on this batch, after the runner's retry
                    raise ExtractionFailed(str(exc)) from exc
                done = await store(session, claimed, version, outcomes, self.postgres)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        return done if done else len(claimed)

    async def _extract(self, session: AsyncSession, claimed: list[Claimed]) -> tuple[str, list[Outcome]]:
        """Extract each distinct content once: a repost (same organisation and fingerprint) takes the mentions
        of its twin in this batch or of one already extracted by this extractor version."""
        if self.version is None:
            self.version = await self.runner.run(extractor_version)
        keys = {(c.org_id, c.content_hash) for c in claimed}
        twins: dict[tuple[int, str], int] = {}
        rows = await session.execute(
            select(_POSTING.c.org_id, _POSTING.c.content_hash, func.min(_POSTING.c.id))
            .where(
                tuple_(_POSTING.c.org_id, _POSTING.c.content_hash).in_(sorted(keys)),
                _POSTING.c.extraction_status == "done",
                _POSTING.c.extraction_version == self.version,
            )
            .group_by(_POSTING.c.org_id, _POSTING.c.content_hash)
        )
        twins = {(org, digest): twin for org, digest, twin in rows.tuples()}
        copied: dict[int, list[tuple]] = {}
        if twins:
            found = await session.execute(
                select(*[_SKILL.c[name] for name in ("posting_id", *SKILL_COLUMNS[2:])])
                .where(_SKILL.c.posting_id.in_(sorted(set(twins.values()))))
                .order_by(_SKILL.c.posting_id, _SKILL.c.id)
            )
            for row in found.tuples():
                copied.setdefault(row[0], []).append(tuple(row[1:]))
        if not self.postgres:
            await session.commit()  # SQLite: hold no read snapshot across the extraction
        leaders: dict[tuple[int, str], int] = {}
        jobs: list[Job] = []
        for c in claimed:
            key = (c.org_id, c.content_hash)
            repeat = key in twins or key in leaders
            if not repeat:
                leaders[key] = c.id
            # A repeat still needs its occupation coded (cheap), but not its text extracted.
            given = c.occupation_source == "given"
            jobs.append(
                Job(c.id, c.title, "" if repeat else c.text, not given, c.occupation_code if given else None)
            )
        version, outcomes = await self.runner.run(extract_jobs, jobs)
        by_id = {o.posting_id: o for o in outcomes}
        for c in claimed:
            key = (c.org_id, c.content_hash)
            if key in twins:
                by_id[c.id].mentions = list(copied.get(twins[key], []))
            elif leaders[key] != c.id:
                leader = by_id[leaders[key]]
                by_id[c.id].mentions, by_id[c.id].error = list(leader.mentions), leader.error
        return version, outcomes

    async def drain(self) -> int:
        """Process batches until none is pending; returns the number of postings processed."""
        total = 0
        while True:
            count = await self.run_batch()
            if count == 0:
                return total
            total += count

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    async def warm_up(self) -> None:
        """Load the extraction model in the worker process now rather than in the first batch."""
        try:
            self.version = await self.runner.run(warm_up)
        except Exception:  # noqa: BLE001 - the first batch retries and reports it
            log.exception("could not load the extractor yet")

    async def run_forever(self) -> None:
        """Batches back to back while there is work; on an empty queue, sleep until woken or polled."""
        await self.warm_up()
        failures = 0
        while not self._stop.is_set():
            # Cleared before the claim, not after it: a wake() while an empty claim runs is not lost.
            self._wake.clear()
            try:
                count = await self.run_batch()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the worker outlives a bad batch (database or nlp trouble)
                failures += 1
                self.stats.error()
                log.exception("extraction batch failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=min(60.0, 2.0 ** min(failures, 6)))
                continue
            if count:
                self.stats.batch(count)
            elif not self._stop.is_set():
                await self._idle_wait()

    async def _idle_wait(self) -> None:
        self.stats.idle()
        self.idle.set()
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            self.stats.idle_ended(woken=True)
        except TimeoutError:
            self.stats.idle_ended(woken=False)
        finally:
            self.idle.clear()


def wake_worker(app: Litestar) -> None:
    """Tell the in-process worker (if any) that new postings are waiting."""
    worker = getattr(app.state, "postings_worker", None)
    if worker is not None:
        worker.wake()


@contextlib.asynccontextmanager
async def background_worker(app: Litestar) -> AsyncIterator[None]:
    """`serve`'s in-process worker (settings.server.run_worker), so one machine needs nothing else."""
    settings = app.state.settings
    if not settings.server.run_worker:
        yield
        return
    worker = ExtractionWorker(
        app.state.engine,
        app.state.nlp,
        batch_size=settings.postings.worker_batch_size,
        poll_seconds=settings.postings.worker_poll_seconds,
    )
    app.state.postings_worker = worker
    task = asyncio.create_task(worker.run_forever(), name="skillpulse-extraction-worker")
    try:
        yield
    finally:
        worker.stop()
        try:  # a batch that does not end soon is given up: it rolls back and stays pending
            await asyncio.wait_for(task, timeout=STOP_GRACE_SECONDS)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        app.state.postings_worker = None
