"""The dashboard's "Run now" and POST /api/v1/import-sources/{id}/run are one service: while the source is
being imported (by the API, by a scheduled run elsewhere) or while the server stops, the page says so as the
API does (409, 503) and is never an error page."""

from __future__ import annotations

from service.db import session_scope
from service.postings.imports import source_lock
from service.postings.models import ImportRun
from service.tasks import tasks_of
from tests.conftest import Api
from tests.integration.test_dashboard_auth import Browser, browser  # noqa: F401 - fixture
from tests.integration.test_dashboard_sources import page_once_finished
from tests.support.feeds import FeedServer, Reply, greenhouse_body


async def _source(api: Api, url: str, name: str) -> int:
    created = await api.post("/api/v1/import-sources", json={"kind": "greenhouse", "name": name, "url": url})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def _runs(app, source_id: int) -> int:
    from sqlalchemy import func, select

    async with session_scope(app.state.engine) as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(ImportRun).where(ImportRun.source_id == source_id)
            )
        )


async def test_run_now_while_the_api_runs_the_source_says_it_is_busy_like_the_api(
    browser: Browser,  # noqa: F811 - the fixture
    tenant,
    client,
    app,
):
    api = Api(client, tenant.designer_token)
    with FeedServer() as feeds:
        url = feeds.route("/v1/boards/hvac/jobs", Reply(body=greenhouse_body([1]), delay=2.0))
        source_id = await _source(api, url, "HVAC technicians")
        started = await api.post(f"/api/v1/import-sources/{source_id}/run")
        assert started.status_code == 202, started.text
        await browser.login(tenant.designer_email)

        clicked = await browser.post(f"/app/sources/{source_id}/run")
        assert clicked.status_code == 303, clicked.text[:300]
        shown = await browser.get(clicked.headers["location"])
        assert shown.status_code == 200
        assert "HVAC technicians is being imported already" in shown.text
        refused = await api.post(f"/api/v1/import-sources/{source_id}/run")
        assert refused.status_code == 409 and "already running" in refused.json()["detail"]
        await page_once_finished(browser, "/app/runs/status")
    assert await _runs(app, source_id) == 1  # neither refused click started a run
    assert len(feeds.hits("/v1/boards/hvac/jobs")) == 1


async def test_run_now_while_another_process_holds_the_source_is_a_page_not_a_500(
    browser: Browser,  # noqa: F811 - the fixture
    tenant,
    client,
    app,
):
    """A scheduled run on another replica holds the source's lock: no run row of this process says so."""
    api = Api(client, tenant.designer_token)
    source_id = await _source(api, "http://127.0.0.1:9/v1/boards/cdl/jobs", "CDL drivers")
    await browser.login(tenant.designer_email)
    async with source_lock(app.state.engine, source_id):
        clicked = await browser.post(f"/app/sources/{source_id}/run")
        assert clicked.status_code == 303, clicked.text[:300]
        shown = await browser.get(clicked.headers["location"])
        assert shown.status_code == 200 and "CDL drivers is being imported already" in shown.text
        refused = await api.post(f"/api/v1/import-sources/{source_id}/run")
        assert refused.status_code == 409 and "already running" in refused.json()["detail"]
    assert await _runs(app, source_id) == 0


async def test_run_now_while_the_server_stops_says_so_on_the_page(
    browser: Browser,  # noqa: F811 - the fixture
    tenant,
    client,
    app,
):
    api = Api(client, tenant.designer_token)
    source_id = await _source(api, "http://127.0.0.1:9/v1/boards/welding/jobs", "Welders")
    await browser.login(tenant.designer_email)
    runner = tasks_of(app)
    runner.closed = True  # what shutdown does first: no new background work
    try:
        clicked = await browser.post(f"/app/sources/{source_id}/run")
        assert clicked.status_code == 303, clicked.text[:300]
        shown = await browser.get(clicked.headers["location"])
        assert shown.status_code == 200 and "Welders: the server is stopping" in shown.text
        refused = await api.post(f"/api/v1/import-sources/{source_id}/run")
        assert refused.status_code == 503 and "stopping" in refused.json()["detail"]
    finally:
        runner.closed = False
    assert await _runs(app, source_id) == 0


async def test_run_now_of_another_organisations_source_is_not_found(
    browser: Browser,  # noqa: F811 - the fixture
    tenant,
    other_api,
):
    source_id = await _source(other_api, "http://127.0.0.1:9/v1/boards/ma/jobs", "Medical assistants")
    await browser.login(tenant.designer_email)
    await browser.get("/app/sources")
    clicked = await browser.post(f"/app/sources/{source_id}/run")
    assert clicked.status_code == 404 and "not found" in clicked.text
