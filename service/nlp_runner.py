"""Runs CPU-bound NLP work (spaCy) in a process pool, never on the event loop."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


def load_nlp_data() -> None:
    """Worker initializer: load the span model, the taxonomy gazetteer, the linker and title indexes once,
    as the worker starts, instead of inside the first job that needs them (5–10 s)."""
    try:
        import nlp

        nlp.extract("Experience with Python and project management.")
        nlp.code_occupation("software developer")
    except Exception:  # a worker that cannot preload still serves; the job that needs the data says why
        log.exception("preloading the NLP data in a worker process failed")


def _ready() -> bool:
    return True


class NlpRunner:
    """A lazily started process pool; `await runner.run(fn, *args)` runs a picklable function in it."""

    def __init__(self, processes: int = 1) -> None:
        self._processes = processes
        self._pool: Executor | None = None

    def _executor(self) -> Executor:
        if self._pool is None:
            # spawn: a fork of a process with a running event loop and open sockets is not safe.
            self._pool = ProcessPoolExecutor(
                max_workers=self._processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=load_nlp_data,
            )
        return self._pool

    def start(self) -> None:
        """Spawn every worker now (each preloads the NLP data), so that the first request does not wait."""
        pool = self._executor()
        for _ in range(self._processes):
            pool.submit(_ready)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), partial(fn, *args, **kwargs))

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
