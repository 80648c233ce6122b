"""POST /api/v1/import-sources/{id}/run answers 202 while the fetch goes on; the run is visible and polled."""

from __future__ import annotations

import time

from tests.support.feeds import FeedServer, Reply, greenhouse_body
from tests.support.postings import org_postings
from tests.support.runs import wait_for_run


async def test_a_manual_run_answers_202_before_a_slow_feed_answers(api, other_api, app, tenant):
    with FeedServer() as feeds:
        url = feeds.route("/v1/boards/slow/jobs", Reply(body=greenhouse_body([1, 2]), delay=2.0))
        made = await api.post(
            "/api/v1/import-sources", json={"kind": "greenhouse", "name": "slow", "url": url}
        )
        source_id = made.json()["id"]
        started = time.perf_counter()
        response = await api.post(f"/api/v1/import-sources/{source_id}/run")
        elapsed = time.perf_counter() - started
        assert response.status_code == 202, response.text
        assert elapsed < 1.0, f"the run request took {elapsed:.2f} s for a feed that answers in 2 s"
        run = response.json()
        location = response.headers["location"]
        assert location == f"/api/v1/import-sources/{source_id}/runs/{run['id']}"
        assert run["status"] == "running" and run["trigger"] == "manual" and run["finished_at"] is None

        # visible while it runs: in the source's runs, as the source's last run, and at its Location
        listed = (await api.get(f"/api/v1/import-sources/{source_id}/runs")).json()["items"]
        assert [(r["id"], r["status"]) for r in listed] == [(run["id"], "running")]
        assert (await api.get(f"/api/v1/import-sources/{source_id}")).json()["last_run"][
            "status"
        ] == "running"
        polled = (await api.get(location)).json()
        assert polled["status"] == "running"
        assert polled["progress"] == {"stage": "fetching", "done": 0, "total": 0}
        assert (await other_api.get(location)).status_code == 404
        # a second start while it runs is refused, not queued behind it
        busy = await api.post(f"/api/v1/import-sources/{source_id}/run")
        assert busy.status_code == 409 and "already running" in busy.json()["detail"]

        done = await wait_for_run(api.client, location, api._headers(None), seconds=60)
    assert done["status"] == "succeeded" and (done["fetched"], done["new"]) == (2, 2), done
    assert done["finished_at"] and done["progress"] is None
    assert len(await org_postings(app, tenant.org_id)) == 2
    assert len(feeds.hits("/v1/boards/slow/jobs")) == 1


async def test_a_failed_fetch_is_a_failed_run_at_its_location(api):
    with FeedServer() as feeds:
        url = feeds.route("/v1/boards/gone/jobs", Reply(status=404, body="no such board"))
        made = await api.post(
            "/api/v1/import-sources", json={"kind": "greenhouse", "name": "gone", "url": url}
        )
        response = await api.post(f"/api/v1/import-sources/{made.json()['id']}/run")
        assert response.status_code == 202, response.text
        done = await wait_for_run(api.client, response.headers["location"], api._headers(None), seconds=60)
    assert done["status"] == "failed" and "404" in done["error"], done
    missing = await api.get(f"/api/v1/import-sources/{made.json()['id']}/runs/{done['id'] + 1000}")
    assert missing.status_code == 404
