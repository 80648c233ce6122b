"""Background tasks owned by the app: work a request starts and answers 202 for (a drift run, an import).

Each task writes its own run row (status, counts, error) through its own database sessions, so its outcome is
recorded whatever becomes of the request. The runner keeps a strong reference to every task (asyncio keeps
only weak ones), holds a task's live progress for the GET of its run, and at shutdown gives running tasks a
grace period, then cancels them: a cancelled task's `on_cancel` records the run as failed ("interrupted"), so
no run stays `running` silently. Nothing here survives the process: a run of a process killed with -9 is
closed by the domain's own stale-run rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from litestar import Litestar

log = logging.getLogger("skillpulse.tasks")

SHUTDOWN_GRACE_SECONDS = 5.0
INTERRUPTED = "interrupted: the server stopped before the run finished"


class TaskRunner:
    """The app's background tasks and their live progress, keyed by (kind, run id)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()
        self._progress: dict[tuple[str, int], dict] = {}
        self.closed = False

    def spawn(
        self,
        key: tuple[str, int],
        work: Coroutine[Any, Any, Any],
        on_cancel: Callable[[], Awaitable[None]] | None = None,
    ) -> asyncio.Task:
        """Run `work` in the background; `on_cancel` records the run as interrupted when the app stops it."""
        if self.closed:
            work.close()
            raise RuntimeError("the server is stopping; no new background work")

        async def guarded() -> None:
            try:
                await work
            except asyncio.CancelledError:
                if on_cancel is not None:
                    with contextlib.suppress(Exception):
                        await on_cancel()
                raise
            except Exception:  # noqa: BLE001 - the work records its own failure; this keeps the loop quiet
                log.exception("background task %s:%s failed", *key)
            finally:
                self._progress.pop(key, None)

        task = asyncio.get_running_loop().create_task(guarded(), name=f"{key[0]}:{key[1]}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def reporter(self, key: tuple[str, int]) -> Callable[[str, int, int], None]:
        """A progress callback for the task of `key`: (stage, done, total)."""

        def report(stage: str, done: int, total: int) -> None:
            self._progress[key] = {"stage": stage, "done": done, "total": total}

        return report

    def progress(self, key: tuple[str, int]) -> dict | None:
        """Live progress of a task of this process (None when it is not running here)."""
        return self._progress.get(key)

    def active(self) -> int:
        return len(self._tasks)

    async def wait(self, seconds: float | None = None) -> None:
        """Wait for the running tasks (tests, a graceful stop), at most `seconds`."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=seconds)

    async def shutdown(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Refuse new work; let running tasks finish for `grace` seconds, then cancel (and record) others."""
        self.closed = True
        await self.wait(grace)
        pending = set(self._tasks)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("stopping %d background task(s) that did not finish in %.0f s", len(pending), grace)
            await asyncio.wait(pending, timeout=grace)


def tasks_of(app: Litestar) -> TaskRunner:
    """The app's task runner (made on first use, so an app without the lifespan still works)."""
    runner = getattr(app.state, "tasks", None)
    if runner is None:
        runner = TaskRunner()
        app.state.tasks = runner
    return runner


@contextlib.asynccontextmanager
async def background_tasks(app: Litestar) -> AsyncIterator[None]:
    """A background service of the app: at shutdown, finish or cancel (and record) every task."""
    runner = tasks_of(app)
    runner.closed = False
    try:
        yield
    finally:
        await runner.shutdown()
