"""The sources page: a source's schedule and runs, and "run now" against a real feed server on 127.0.0.1."""

from __future__ import annotations

from tests.conftest import Api
from tests.integration.test_dashboard_auth import Browser, browser, viewer_email  # noqa: F401 - fixture
from tests.support.feeds import FeedServer, Reply, greenhouse_body


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
        after = await browser.get(ran.headers["location"])
        assert "Acme &lt;board&gt;: 2 fetched, 2 new, 0 updated, 0 unchanged." in after.text
        failed = await browser.post(f"/app/sources/{source_id}/run")
        report = await browser.get(failed.headers["location"])
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
