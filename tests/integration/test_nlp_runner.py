"""The NLP process pool preloads the model and indexes in each worker as it starts."""

import asyncio
import time

from service.nlp_runner import NlpRunner


def _loaded() -> tuple[int, int]:
    """In the worker: how many extractors and title coders are already cached (without loading them)."""
    from nlp.pipeline import get_extractor
    from nlp.titles import get_title_coder

    return get_extractor.cache_info().currsize, get_title_coder.cache_info().currsize


def _torch() -> object:
    import sys

    return sys.modules.get("torch")


def _blas_threads() -> list[int]:
    """In the worker: the thread count of every BLAS library loaded (numpy's and scipy's OpenBLAS)."""
    import scipy.linalg  # noqa: F401 - scipy's own OpenBLAS, loaded after the pool started
    import scipy.sparse  # noqa: F401 - the NLP loads it (the DWA ranker)
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


async def test_started_workers_have_the_nlp_data_loaded_before_their_first_job():
    runner = NlpRunner(1)
    try:
        runner.start()
        assert await asyncio.wait_for(runner.run(_loaded), timeout=120) == (1, 1)
        assert await runner.run(_torch) is None  # spaCy loaded without PyTorch, even where it is installed
        threads = await runner.run(_blas_threads)  # one BLAS thread: the pool is the parallelism
        assert threads and set(threads) == {1}, threads
        # a job after the preload is quick: the data is not loaded again
        started = time.perf_counter()
        import nlp

        mentions = await runner.run(nlp.extract, "Must have SQL.")
        assert [m.text for m in mentions] == ["SQL"]
        assert time.perf_counter() - started < 5
    finally:
        runner.shutdown()
