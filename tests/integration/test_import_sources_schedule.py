"""Scheduled imports: due sources run on their cron, missed firings coalesce, one failure never stops another."""

from __future__ import annotations

import asyncio
import os
import subprocess
from datetime import timedelta

from sqlalchemy import select

from kernel.clock import utcnow
from service.db import session_scope
from service.postings.models import ImportRun, ImportSource
from service.postings.scheduling import JOB_ID, run_due_sources
from service.settings import PostingsSettings
from tests.support.clients import app_client
from tests.support.feeds import FeedServer, Reply, rss_body
from tests.support.postings import SKILLPULSE, org_postings

FAST = PostingsSettings(read_timeout=0.5, connect_timeout=0.5, retries=0, backoff_seconds=0.01)


async def _source(
    app, tenant, name: str, url: str, schedule: str, created_minutes_ago: int, enabled=True
) -> int:
    async with session_scope(app.state.engine) as session:
        source = ImportSource(
            org_id=tenant.org_id,
            kind="rss",
            name=name,
            url=url,
            schedule=schedule,
            enabled=enabled,
            created_at=utcnow() - timedelta(minutes=created_minutes_ago),
        )
        session.add(source)
        await session.flush()
        return source.id


async def _runs(app, source_id: int) -> list[ImportRun]:
    async with session_scope(app.state.engine) as session:
        return list(await session.scalars(select(ImportRun).where(ImportRun.source_id == source_id)))


async def test_due_sources_run_once_and_a_failing_one_does_not_stop_the_others(app, tenant, settings):
    fast = settings.model_copy(update={"postings": FAST})
    with FeedServer() as feeds:
        good_url = feeds.route("/good", Reply(body=rss_body([1, 2]), content_type="application/rss+xml"))
        bad_url = feeds.route("/bad", Reply(status=500))
        # Hourly sources created three hours ago: three firings were missed; they coalesce into one run.
        bad = await _source(app, tenant, "bad feed", bad_url, "0 * * * *", 180)
        good = await _source(app, tenant, "good feed", good_url, "0 * * * *", 180)
        later = await _source(app, tenant, "not yet", good_url, "0 3 1 1 *", 1)
        off = await _source(app, tenant, "disabled", good_url, "* * * * *", 180, enabled=False)

        now = utcnow()
        runs = await run_due_sources(app.state.engine, fast, now=now)
        mine = {r.source_id: r for r in runs if r.source_id in {bad, good, later, off}}
        assert set(mine) == {bad, good}
        assert mine[bad].status == "failed" and "HTTP 500" in mine[bad].error
        assert mine[good].status == "succeeded" and mine[good].new == 2
        assert mine[good].trigger == "schedule"

        # Right after: nothing is due again until the next firing.
        again = await run_due_sources(app.state.engine, fast, now=utcnow())
        assert not [r for r in again if r.source_id in {bad, good}]
        # At the next hour both are due again.
        next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1, seconds=5)
        later_runs = await run_due_sources(app.state.engine, fast, now=next_hour)
        assert {r.source_id for r in later_runs} >= {bad, good}
    assert len(await _runs(app, good)) == 2
    assert len(await _runs(app, off)) == 0
    assert len(await org_postings(app, tenant.org_id)) == 2


async def test_a_source_being_imported_is_not_started_twice(app, tenant, settings, client):
    from service.postings.imports import run_source
    from tests.conftest import Api

    fast = settings.model_copy(update={"postings": PostingsSettings(read_timeout=5, retries=0)})
    with FeedServer() as feeds:
        url = feeds.route("/slow", Reply(body=rss_body([1]), content_type="application/rss+xml", delay=1.5))
        source_id = await _source(app, tenant, "slow feed", url, "* * * * *", 10)
        first = asyncio.create_task(run_source(app.state.engine, fast, source_id))
        while len(feeds.hits("/slow")) == 0:
            await asyncio.sleep(0.02)
        runs = await run_due_sources(app.state.engine, fast, now=utcnow())
        assert source_id not in {r.source_id for r in runs}
        busy = await Api(client, tenant.designer_token).post(f"/api/v1/import-sources/{source_id}/run")
        assert busy.status_code == 409 and "already running" in busy.json()["detail"]
        assert (await first).status == "succeeded"
    assert len(feeds.hits("/slow")) == 1
    assert [r.status for r in await _runs(app, source_id)] == ["succeeded"]


async def test_serve_registers_the_import_job(settings):
    from service.app import create_app

    served = create_app(
        settings.model_copy(
            update={
                "server": settings.server.model_copy(update={"run_scheduler": True, "run_worker": False}),
            }
        )
    )
    async with app_client(served):
        assert JOB_ID in served.state.scheduler.job_ids()


async def test_cli_sources_run(app, tenant, database_url):
    with FeedServer() as feeds:
        url = feeds.route("/cli", Reply(body=rss_body([3]), content_type="application/rss+xml"))
        source_id = await _source(app, tenant, "cli feed", url, "0 3 * * *", 1)
        env = dict(os.environ, SKILLPULSE_DATABASE_URL=database_url, SKILLPULSE_ENV="test", COLUMNS="200")
        result = await asyncio.to_thread(
            subprocess.run,
            [SKILLPULSE, "sources", "run", str(source_id)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "succeeded" in result.stdout and "cli feed" in result.stdout
        feeds.route("/cli", Reply(status=404))
        failed = await asyncio.to_thread(
            subprocess.run,
            [SKILLPULSE, "sources", "run", str(source_id)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert failed.returncode == 1 and "HTTP 404" in failed.stdout
        missing = await asyncio.to_thread(
            subprocess.run,
            [SKILLPULSE, "sources", "run", "999999"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert missing.returncode == 1 and "no import source" in missing.stderr
