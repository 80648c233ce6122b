"""Manual import-source runs in the background: the request waits only until the run is recorded as running.

The run takes the source's lock inside the background task (so "already running" is still a 409 to the
caller), answers with the run row once it exists, and then fetches, parses and stores without the request.
A run the server stops is recorded as failed ("interrupted") rather than left running.
"""

from __future__ import annotations

import asyncio
import logging

from litestar import Litestar
from sqlalchemy import update

from kernel.clock import utcnow
from service.db import session_scope
from service.postings.imports import SourceBusy, run_source
from service.postings.models import ImportRun
from service.postings.worker import wake_worker
from service.tasks import INTERRUPTED, tasks_of

log = logging.getLogger("skillpulse.postings.imports")


def task_key(source_id: int) -> tuple[str, int]:
    """A source runs once at a time (its lock), so its running run's progress is keyed by the source."""
    return ("import-source", source_id)


async def start_source_run(app: Litestar, source_id: int, org_id: int) -> ImportRun | None:
    """Start a manual run of the organisation's source; returns the running run (None: no such source).

    Raises SourceBusy when the source is being imported already, RuntimeError when the server is stopping.
    """
    engine, settings = app.state.engine, app.state.settings
    runner = tasks_of(app)
    started: asyncio.Future[ImportRun | None] = asyncio.get_running_loop().create_future()
    recorded: list[ImportRun] = []

    def on_started(run: ImportRun) -> None:
        recorded.append(run)
        if not started.done():
            started.set_result(run)

    async def work() -> None:
        try:
            result = await run_source(
                engine,
                settings,
                source_id,
                trigger="manual",
                org_id=org_id,
                on_stored=lambda: wake_worker(app),
                on_started=on_started,
                progress=runner.reporter(task_key(source_id)),
            )
        except SourceBusy as exc:
            if not started.done():
                started.set_exception(exc)
            return
        except Exception as exc:
            if not started.done():
                started.set_exception(exc)
            raise
        if not started.done():
            started.set_result(result)  # None: the source is not the organisation's

    async def interrupted() -> None:
        if not started.done():
            started.set_exception(RuntimeError("the server is stopping; run the import again later"))
        for run in recorded:
            async with session_scope(engine) as session:
                await session.execute(
                    update(ImportRun)
                    .where(ImportRun.id == run.id, ImportRun.status == "running")
                    .values(status="failed", error=INTERRUPTED, finished_at=utcnow())
                )

    runner.spawn(task_key(source_id), work(), on_cancel=interrupted)
    return await asyncio.shield(started)
