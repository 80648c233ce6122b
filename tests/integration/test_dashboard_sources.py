"""The sources page: a source's schedule and runs, and "run now" against a real feed server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time

from tests.conftest import Api
from tests.integration.test_dashboard_auth import Browser, browser, viewer_email  # noqa: F401 - fixture
from tests.support.feeds import FeedServer, Reply, greenhouse_body


async def page_once_finished(browser: Browser, url: str, seconds: float = 60) -> object:  # noqa: F811
    """The run goes on in the background: the page once its status line says nothing is running."""
    deadline = time.monotonic() + seconds
    while True:
        page = await browser.get(url)
        if 'hx-get="/app/runs/status"' not in page.text and "the import has started" not in page.text:
            return page
        assert time.monotonic() < deadline, "the run did not finish"
        await asyncio.sleep(0.1)


async def test_run_now_imports_and_reports_counts_then_a_failure_in_words(browser: Browser, tenant, client):  # noqa: F811
    api = Api(client, tenant.designer_token)
    with FeedServer() as feeds:
        url = feeds.route("/v1/boards/acme/jobs", Reply(body=greenhouse_body([1, 2])), Reply(status=404))
        created = await api.post(
            "/api/v1/import-sources",
            json={"kind": "greenhouse", "name": "Acme <board>", "url": url, "schedule": "0 4 * * *"},
        )
        assert created.status_code == 201, created.text
        source_id = created.json()["id"]
        await browser.login(tenant.designer_email)
        page = await browser.get("/app/sources")
        assert "Acme &lt;board&gt;" in page.text and "Never run." in page.text and "0 4 * * *" in page.text
        ran = await browser.post(f"/app/sources/{source_id}/run")
        assert ran.status_code == 303
        after = await page_once_finished(browser, ran.headers["location"])
        assert "Acme &lt;board&gt;: 2 fetched, 2 new, 0 updated, 0 unchanged." in after.text
        failed = await browser.post(f"/app/sources/{source_id}/run")
        report = await page_once_finished(browser, failed.headers["location"])
        assert "the run failed" in report.text
        assert (
            report.text.count('class="badge st-failed"') == 1 and 'class="badge st-succeeded"' in report.text
        )


async def test_viewer_cannot_run_a_source(browser: Browser, tenant, client):  # noqa: F811
    api = Api(client, tenant.designer_token)
    created = await api.post(
        "/api/v1/import-sources", json={"kind": "rss", "name": "feed", "url": "http://127.0.0.1:9/rss"}
    )
    await browser.login(viewer_email(tenant))
    page = await browser.get("/app/sources")
    assert "Run now" not in page.text
    assert (await browser.post(f"/app/sources/{created.json()['id']}/run")).status_code == 403


async def test_the_status_line_follows_a_running_import_and_a_queued_drift_check(
    browser: Browser,  # noqa: F811 - the fixture
    tenant,
    client,
    app,
):
    from datetime import date

    from service.credentials.models import CredentialImport
    from service.db import session_scope
    from service.demand.models import DriftRun

    api = Api(client, tenant.designer_token)
    with FeedServer() as feeds:
        url = feeds.route("/v1/boards/slow/jobs", Reply(body=greenhouse_body([1]), delay=2.0))
        created = await api.post(
            "/api/v1/import-sources", json={"kind": "greenhouse", "name": "Slow", "url": url}
        )
        source_id = created.json()["id"]
        await browser.login(tenant.designer_email)
        quiet = await browser.get("/app/sources")
        status_line = quiet.text.split('id="run-status"')[1][:200]
        assert "hx-trigger" not in status_line and "running" not in status_line
        ran = await browser.post(f"/app/sources/{source_id}/run")
        assert ran.status_code == 303
        during = await browser.get(ran.headers["location"])
        assert "Slow: the import has started" in during.text
        assert "Import of Slow: running since" in during.text
        assert 'hx-get="/app/runs/status" hx-trigger="every 2s"' in during.text
        busy = await browser.post(f"/app/sources/{source_id}/run")
        assert busy.status_code == 303
        assert "Slow is being imported already" in (await browser.get(busy.headers["location"])).text
        fragment = await browser.get("/app/runs/status")
        assert fragment.status_code == 200 and "Import of Slow: running" in fragment.text
        assert "<html" not in fragment.text
        done = await page_once_finished(browser, "/app/runs/status")
        assert "Import of Slow" not in done.text and "hx-trigger" not in done.text

    async with session_scope(app.state.engine) as session:
        session.add(DriftRun(org_id=tenant.org_id, as_of=date(2025, 1, 1), status="queued"))
        session.add(CredentialImport(org_id=tenant.org_id, status="queued", competencies=1200))
    overview = await browser.get("/app/")
    assert "Drift check as of 2025-01-01: queued." in overview.text and "hx-trigger" in overview.text
    assert "Credential import of 1,200 competencies: queued." in overview.text
