"""kill -9 of `skillpulse sources run` in the middle of an import: nothing half-stored; the next run closes the
interrupted run and imports every posting exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time

import pytest

from tests.support.feeds import FeedServer, Reply, greenhouse_body
from tests.support.postings import SKILLPULSE, org_postings
from tests.support.runs import run_source

pytestmark = pytest.mark.postgres_only


async def test_kill_9_mid_import_then_run_again(api, app, tenant, database_url):
    with FeedServer() as feeds:
        # The first answer is slow: the importer is killed while it waits for it.
        url = feeds.route(
            "/v1/boards/acme/jobs",
            Reply(body=greenhouse_body(list(range(30))), delay=20),
            Reply(body=greenhouse_body(list(range(30)))),
        )
        created = await api.post(
            "/api/v1/import-sources", json={"kind": "greenhouse", "name": "killed", "url": url}
        )
        source_id = created.json()["id"]
        env = dict(os.environ, SKILLPULSE_DATABASE_URL=database_url, SKILLPULSE_ENV="test")
        importer = subprocess.Popen(
            [SKILLPULSE, "sources", "run", str(source_id)],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not feeds.hits("/v1/boards/acme/jobs") and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert feeds.hits("/v1/boards/acme/jobs"), "the importer never fetched"
            runs = (await api.get(f"/api/v1/import-sources/{source_id}/runs")).json()["items"]
            assert [r["status"] for r in runs] == ["running"]
            os.killpg(importer.pid, signal.SIGKILL)
            importer.wait(timeout=30)
        finally:
            if importer.poll() is None:
                os.killpg(importer.pid, signal.SIGKILL)
        assert await org_postings(app, tenant.org_id) == []

        again = await run_source(api, source_id)
        assert again["status"] == "succeeded" and again["new"] == 30
        runs = (await api.get(f"/api/v1/import-sources/{source_id}/runs")).json()["items"]
        assert [r["status"] for r in runs] == ["succeeded", "failed"]
        assert "interrupted" in runs[1]["error"]
        rows = await org_postings(app, tenant.org_id)
        assert len(rows) == 30 and len({r.external_id for r in rows}) == 30
        assert (await run_source(api, source_id))["unchanged"] == 30
