"""`serve`'s in-process extraction worker drains a queue of several batches back to back: it sleeps only once
the queue is empty, and new postings queued through the API wake it at once.

The worker runs in a served app on a database of its own (no other test's pending postings), with a poll
interval of an hour, so a worker that slept between batches, or missed its wake-up, would not finish here;
what is asserted is the worker's own record of its loop (batches, idle waits and how each ended), not time.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from service.postings.worker import ExtractionWorker
from tests.support.clients import app_client, suite_settings
from tests.support.databases import create_database, drop_database
from tests.support.factories import make_tenant
from tests.support.postings import posting_body

BATCH = 2
HANG_GUARD_SECONDS = 300  # only a hung worker gets here; nothing is measured against it
HTML = (
    "<p>Troubleshoot Windows workstations.</p>",
    "<p>Experience with SQL and Python is required.</p>",
    "<p>CompTIA A+ preferred; Active Directory accounts.</p>",
    "<p>Install and configure network printers.</p>",
    "<p>Document tickets in ServiceNow.</p>",
    "<p>Customer service and clear writing.</p>",
    "<p>Linux command line and Bash scripting.</p>",
    "<p>Set up laptops and Microsoft 365 accounts.</p>",
)


@pytest.fixture
def own_database_url(db_kind, postgres_server, tmp_path) -> Iterator[str]:  # noqa: ANN001
    from service.db import upgrade

    name = None
    if db_kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'loop.db'}"
    else:
        name = f"skillpulse_loop_{uuid.uuid4().hex[:12]}"
        url = create_database(postgres_server, name)
    try:
        upgrade(url)
        yield url
    finally:
        if name:
            drop_database(postgres_server, name)


async def _until(condition, what: str) -> None:  # noqa: ANN001
    async def wait() -> None:
        while not condition():  # noqa: ASYNC110 - reads the worker's counters; the worker sets no event for each
            await asyncio.sleep(0.05)

    try:
        await asyncio.wait_for(wait(), timeout=HANG_GUARD_SECONDS)
    except TimeoutError:
        raise AssertionError(f"the worker never {what}") from None


async def test_the_in_process_worker_drains_batches_back_to_back_and_wakes_on_new_postings(own_database_url):
    from service.app import create_app

    settings = suite_settings(
        own_database_url,
        server={"run_worker": True},
        postings={"worker_batch_size": BATCH, "worker_poll_seconds": 3600},
    )
    app = create_app(settings)
    async with app_client(app) as client:
        worker: ExtractionWorker = app.state.postings_worker
        tenant = await make_tenant(app)
        headers = {"Authorization": f"Bearer {tenant.designer_token}"}
        first = [posting_body(html=html) for html in HTML[:6]]  # three batches
        assert (
            await client.post("/api/v1/postings", json={"postings": first}, headers=headers)
        ).status_code == 201
        await _until(
            lambda: worker.stats.postings >= 6 and worker.idle.is_set(), "drained the first postings"
        )
        stats = worker.stats
        assert stats.batches == 3 and stats.postings == 6 and stats.errors == 0
        events = list(stats.events)
        start = events.index(f"batch:{BATCH}")
        # from the first batch on: the three batches back to back, then one sleep on the empty queue
        assert events[start:] == [f"batch:{BATCH}"] * 3 + ["idle"], events
        assert stats.polled == 0  # no wait ran out the hour-long poll interval

        more = [posting_body(html=html) for html in HTML[6:]]
        assert (
            await client.post("/api/v1/postings", json={"postings": more}, headers=headers)
        ).status_code == 201
        await _until(lambda: worker.stats.postings >= 8 and worker.idle.is_set(), "took the new postings")
        events = list(stats.events)
        assert events[start + 4 :] == ["woken", f"batch:{BATCH}", "idle"], events
        assert stats.polled == 0 and stats.batches == 4

        listed = (await client.get("/api/v1/postings", headers=headers, params={"limit": 50})).json()
        statuses = [p["extraction_status"] for p in listed["items"]]
        assert statuses == ["done"] * 8, listed
