"""Runs CPU-bound NLP work (spaCy) in a process pool, never on the event loop.

The pool's worker processes (about 800 MB each with the model loaded) must never outlive the process that
started them: `shutdown` terminates them, an `atexit` hook does the same for a runner nobody shut down, and on
Linux each worker asks the kernel for SIGKILL when its parent dies (PR_SET_PDEATHSIG), which covers a parent
killed with -9 or ended by a re-raised signal before any clean-up ran. A worker that dies (killed, out of
memory) breaks a ProcessPoolExecutor for good; the runner then builds a new pool and retries the call once.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
TERMINATE_GRACE_SECONDS = 5.0


def die_with_parent(parent_pid: int) -> None:
    """In a worker: have the kernel SIGKILL this process when its parent goes (Linux; elsewhere a no-op).

    The signal is tied to the thread that spawned the worker; the runner only asks for it when that thread
    is the main thread, so a worker never dies with a short-lived helper thread while its parent lives. The
    parent may already be gone by the time this runs: then the worker exits at once.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
    except (OSError, AttributeError):  # no libc prctl: the parent's shutdown and atexit still end us
        log.warning("prctl is not available; the worker relies on its parent's shutdown")
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(0)


def load_nlp_data() -> None:
    """Load the span model, the taxonomy gazetteer, the linker, title and DWA indexes once, as the worker starts,
    instead of inside the first job that needs them (2–4 s with the NLP index cache, 10–15 s without)."""
    try:
        import nlp
        from nlp.dwa_rank import rank_dwas

        nlp.extract("Experience with Python and project management.")
        nlp.code_occupation("software developer")
        rank_dwas("Record patients' vital signs.")  # competency linking's DWA ranker and its example vectors
    except Exception:  # a worker that cannot preload still serves; the job that needs the data says why
        log.exception("preloading the NLP data in a worker process failed")


def without_torch() -> None:
    """In a worker: keep PyTorch out. spaCy's thinc imports it whenever it is installed (the `teacher` extra, for
    training only), which costs each NLP process ~1.5 s of CPU and ~180 MB; nothing at run time uses it. A
    process that already imported it keeps it."""
    sys.modules.setdefault("torch", None)  # type: ignore[arg-type]  # None: `import torch` raises ImportError


def single_threaded_blas() -> None:
    """In a worker: one BLAS thread. The NLP's matrix products are small (a few vectors against the ~14,000
    concept or ~11,000 example vectors), and the pool already runs one process per core beside the web and
    database processes: OpenBLAS's own threads then only spin against them. Measured on the 2-core machine
    with other work running: a sentence against the ESCO matrix 16.9 ms with OpenBLAS's threads, 2.9 ms with
    one; the DWA ranker's scores of one text 32.6 ms against 1.6 ms."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # for a BLAS loaded later (scipy.linalg has its own)
    import numpy  # noqa: F401 - loads numpy's OpenBLAS, so the limit below reaches it if it was loaded before
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def init_worker(parent_pid: int, pdeathsig: bool, preload: bool = True) -> None:
    """Worker initializer: tie the worker's life to its parent's, keep PyTorch out, one BLAS thread, then
    preload the NLP data (unless told not to: the first job that needs it loads it then)."""
    if pdeathsig:
        die_with_parent(parent_pid)
    without_torch()
    single_threaded_blas()
    if preload:
        load_nlp_data()


def _ready() -> bool:
    return True


def _end_processes(pool: ProcessPoolExecutor, grace: float = TERMINATE_GRACE_SECONDS) -> None:
    """Shut a pool down and end its worker processes now: SIGTERM, then SIGKILL after `grace` seconds.

    `ProcessPoolExecutor.shutdown(wait=False)` alone leaves a worker that is busy (or still loading the model)
    running, and one whose parent then exits blocks forever on its call queue, an orphan under PID 1.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(grace)
        if process.is_alive():
            process.kill()
            process.join(1.0)


_RUNNERS: weakref.WeakSet[NlpRunner] = weakref.WeakSet()


@atexit.register
def _shutdown_all() -> None:
    for runner in list(_RUNNERS):
        runner.shutdown()


class NlpRunner:
    """A lazily started process pool; `await runner.run(fn, *args)` runs a picklable function in it.

    Each worker process preloads the NLP data as it starts; `preload=False` leaves that to the first job that
    needs it (a pool that runs no NLP, or whose processes a test kills before they do any)."""

    def __init__(self, processes: int = 1, *, preload: bool = True) -> None:
        self._processes = processes
        self._preload = preload
        self._pool: ProcessPoolExecutor | None = None
        # start()'s pool and its one job per process: each done when that process has loaded the NLP data
        self._warming: tuple[ProcessPoolExecutor | None, list[Future]] = (None, [])
        self._lock = threading.Lock()
        _RUNNERS.add(self)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: a fork of a process with a running event loop and open sockets is not safe.
                self._pool = ProcessPoolExecutor(
                    max_workers=self._processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=init_worker,
                    initargs=(
                        os.getpid(),
                        threading.current_thread() is threading.main_thread(),
                        self._preload,
                    ),
                )
            return self._pool

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Drop a broken pool (once, however many calls saw it break); the next call builds a new one."""
        with self._lock:
            if self._pool is broken:
                self._pool = None
        _end_processes(broken, grace=1.0)

    def start(self) -> None:
        """Spawn every worker now (each preloads the NLP data), so that the first request does not wait.
        Calling it again while the pool it started is alive does nothing."""
        pool = self._executor()
        with self._lock:
            if self._warming[0] is pool:
                return
            self._warming = (pool, [pool.submit(_ready) for _ in range(self._processes)])

    def ready(self) -> bool:
        """Whether every worker started by `start()` has loaded the NLP data (False before `start()`)."""
        with self._lock:
            pool, warming = self._warming
            if pool is None or pool is not self._pool:
                return False
        return all(f.done() and f.exception() is None for f in warming)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        call = partial(fn, *args, **kwargs)
        pool = self._executor()
        try:
            return await loop.run_in_executor(pool, call)
        except BrokenProcessPool:
            # A worker died (kill -9, out of memory, a crash in native code). Once: a call that kills its
            # worker every time (a poison input) fails the second time and is the caller's to record.
            log.warning("an NLP worker process died; starting a new pool and retrying the call once")
            await loop.run_in_executor(None, self._replace, pool)
            return await loop.run_in_executor(self._executor(), call)

    def shutdown(self) -> None:
        """End the pool and every worker process it started (also those still loading the model)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            _end_processes(pool)
