"""The dashboard under concurrency: alert pages never write (an ended snooze waits for the scheduled job), a
form sent from a page someone else has changed since is a 409 page showing the alert as it stands, and
"Run now" on a source that is being imported answers like the API (409) with a message, not a 500."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from service.db import session_scope
from service.demand.jobs import end_due_snoozes
from service.demand.models import Alert, AlertEvent
from service.postings.models import ImportRun
from tests.conftest import Api
from tests.integration.test_dashboard_auth import Browser, browser  # noqa: F401 - fixture
from tests.support.feeds import FeedServer, Reply, greenhouse_body
from tests.support.loopback import write_log
from tests.support.seeds_dashboard import make_alert, make_credential

VERSION = re.compile(r'name="version" value="(\d+)"')


async def _events(app, alert_id: int) -> list[AlertEvent]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return list(
            await session.scalars(
                select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)
            )
        )


async def test_alert_pages_of_an_ended_snooze_write_nothing_until_the_job_runs(
    browser: Browser,  # noqa: F811 - the fixture imported above
    tenant,
    app,  # noqa: F811
):
    credential_id, _, _ = await make_credential(app, tenant)
    alert_id = await make_alert(app, tenant, credential_id)
    async with session_scope(app.state.engine) as session:  # snoozed, and its date has come
        await session.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(status="snoozed", snooze_until=datetime.now(UTC) - timedelta(minutes=1))
        )
    before = await _events(app, alert_id)
    await browser.login(tenant.designer_email)
    with write_log(app.state.engine) as log:
        pages = await asyncio.gather(
            *(
                browser.get(f"/app/alerts/{alert_id}" if i % 2 else "/app/alerts?status=snoozed")
                for i in range(40)
            )
        )
    assert [p.status_code for p in pages] == [200] * 40
    assert all("snoozed until" in p.text for p in pages[1::2])  # the alert's page
    assert all(f"/app/alerts/{alert_id}" in p.text for p in pages[::2])  # still in the snoozed inbox
    assert log.to("alert", "alert_event", "webhook_delivery") == []
    assert len(await _events(app, alert_id)) == len(before)

    assert await end_due_snoozes(app.state.engine) >= 1
    page = await browser.get(f"/app/alerts/{alert_id}")
    assert "snooze ended" in page.text.lower()
    ended = [e for e in await _events(app, alert_id) if e.note == "snooze ended"]
    assert len(ended) == 1
    inbox = await browser.get("/app/alerts")
    assert f"/app/alerts/{alert_id}" in inbox.text  # open again: in the default (open) inbox


async def test_a_form_sent_from_a_stale_page_is_a_409_with_the_alert_as_it_stands(
    browser: Browser,  # noqa: F811 - the fixture imported above
    tenant,
    app,
    client,  # noqa: F811
):
    credential_id, _, _ = await make_credential(app, tenant)
    alert_id = await make_alert(app, tenant, credential_id)
    await browser.login(tenant.designer_email)
    opened = await browser.get(f"/app/alerts/{alert_id}")
    found = VERSION.search(opened.text)
    assert found, "the form carries the version it was made from"
    version = found.group(1)
    assert version == "1"
    # Meanwhile a colleague acknowledges it through the API.
    acked = await Api(client, tenant.designer_token).patch(
        f"/api/v1/alerts/{alert_id}", json={"status": "acknowledged", "note": "on it"}
    )
    assert acked.status_code == 200 and acked.json()["version"] == 2
    stale = await browser.post(
        f"/app/alerts/{alert_id}", {"status": "dismissed", "note": "not for us", "version": version}
    )
    assert stale.status_code == 409, stale.text[:500]
    assert "Someone else changed this alert" in stale.text and "it is now acknowledged" in stale.text
    assert VERSION.search(stale.text).group(1) == "2"  # the page shows the alert as it stands
    async with session_scope(app.state.engine) as session:
        assert (await session.get(Alert, alert_id)).status == "acknowledged"
    assert [e.note for e in await _events(app, alert_id) if e.event == "status"] == ["on it"]
    fresh = await browser.post(f"/app/alerts/{alert_id}", {"status": "dismissed", "version": "2"})
    assert fresh.status_code == 303
    damaged = await browser.post(f"/app/alerts/{alert_id}", {"status": "open", "version": "x"})
    assert damaged.status_code == 400


async def test_a_snooze_beyond_the_maximum_is_refused_in_words(browser: Browser, tenant, app):  # noqa: F811
    credential_id, _, _ = await make_credential(app, tenant)
    alert_id = await make_alert(app, tenant, credential_id)
    await browser.login(tenant.designer_email)
    page = await browser.get(f"/app/alerts/{alert_id}")
    latest = (date.today() + timedelta(days=365)).isoformat()
    assert f'max="{latest}"' in page.text  # the date picker offers no later day
    refused = await browser.post(
        f"/app/alerts/{alert_id}", {"status": "snoozed", "snooze_until": "9999-12-31"}
    )
    assert refused.status_code == 400 and "at most 365 days ahead" in refused.text
    async with session_scope(app.state.engine) as session:
        assert (await session.get(Alert, alert_id)).status == "open"


async def test_run_now_while_the_source_is_being_imported_says_so_and_starts_nothing(
    browser: Browser,  # noqa: F811 - the fixture imported above
    tenant,
    app,
    client,  # noqa: F811
):
    api = Api(client, tenant.designer_token)
    with FeedServer() as feeds:
        url = feeds.route("/v1/boards/slow/jobs", Reply(body=greenhouse_body([1, 2]), delay=2.0))
        created = await api.post(
            "/api/v1/import-sources",
            json={"kind": "greenhouse", "name": "Slow board", "url": url, "schedule": "0 4 * * *"},
        )
        assert created.status_code == 201, created.text
        source_id = created.json()["id"]
        await browser.login(tenant.designer_email)
        await browser.get("/app/sources")
        first = await browser.post(f"/app/sources/{source_id}/run")
        assert first.status_code == 303  # started in the background
        for _ in range(1500):  # the first run is fetching (the feed answers after 2 s)
            if feeds.hits("/v1/boards/slow/jobs"):
                break
            await asyncio.sleep(0.02)
        busy = await browser.post(f"/app/sources/{source_id}/run")
        assert busy.status_code == 303, busy.text[:500]  # not a 500: back to the page, which says why
        page = await browser.get(busy.headers["location"])
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "Slow board is being imported already" in page.text
        assert "Run now" in page.text  # the sources page itself, to try again later
        for _ in range(1500):
            async with session_scope(app.state.engine) as session:
                runs = list(
                    await session.scalars(select(ImportRun.status).where(ImportRun.source_id == source_id))
                )
            if runs and runs[0] != "running":
                break
            await asyncio.sleep(0.02)
    assert len(feeds.hits("/v1/boards/slow/jobs")) == 1
    assert runs == ["succeeded"]
