"""A posting whose extraction kills the NLP process (every time) ends failed with its error; the rest of its
batch is extracted and the queue moves on, instead of the batch being retried forever.

The reader below is the real process pool; for a batch holding the poison it runs `os._exit` in the worker
instead, so the process really dies, the runner really rebuilds its pool, retries, and dies again.
"""

from __future__ import annotations

import os

from service.nlp_runner import NlpRunner
from service.postings.extraction import extract_jobs
from service.postings.worker import ExtractionWorker
from tests.support.postings import org_postings, posting_body

POISON = "Poison pill posting: must know COBOL"


class DiesOnPoison:
    def __init__(self, real: NlpRunner) -> None:
        self.real = real
        self.deaths = 0

    async def run(self, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        if fn is extract_jobs and any(POISON in job.text for job in args[0]):
            self.deaths += 1
            return await self.real.run(os._exit, 3)
        return await self.real.run(fn, *args, **kwargs)


async def test_a_posting_that_kills_the_nlp_process_ends_failed_and_the_rest_are_extracted(api, app, tenant):
    bodies = [
        posting_body(source="poison"),
        posting_body(source="poison", html=f"<p>{POISON}</p>"),
        posting_body(source="poison"),
    ]
    bodies[0]["html"] = "<p>Experience with SQL and Python is required.</p>"
    bodies[2]["html"] = "<p>Troubleshoot Windows workstations; CompTIA A+ preferred.</p>"
    assert (await api.post("/api/v1/postings", json={"postings": bodies})).status_code == 201
    real = NlpRunner(1, preload=False)  # the processes the poison kills never load the model for nothing
    reader = DiesOnPoison(real)
    worker = ExtractionWorker(app.state.engine, reader, batch_size=10)
    try:
        assert await worker.drain() == 3
    finally:
        real.shutdown()
    rows = {r.text: r for r in await org_postings(app, tenant.org_id)}
    poison = next(r for text, r in rows.items() if POISON in text)
    assert poison.extraction_status == "failed" and "BrokenProcessPool" in poison.extraction_error
    assert sorted(r.extraction_status for r in rows.values()) == ["done", "done", "failed"]
    assert reader.deaths == 2  # once in its batch, once alone; each after the runner's own retry
