"""POST /api/v1/drift/run and the run log: defaults, bad input, scoping; the nightly job is registered."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from service.app import create_app
from service.db import session_scope
from service.demand.models import DriftRun
from service.demand.runs import ADVISORY_LOCK_BASE
from service.settings import build_settings
from tests.support.clients import app_client
from tests.support.demand_data import add_postings, make_credential, year_of_postings
from tests.support.runs import finished, wait_for_run
from tests.support.runs import run_drift as drift_run


async def test_run_defaults_to_today_and_is_listed(api, viewer_api, other_api):
    run = await drift_run(api, {})
    assert run["status"] == "succeeded" and run["trigger"] == "manual", run
    assert run["as_of"] == datetime.now(UTC).date().isoformat()
    assert run["summary"]["alerts"]["opened"] == 0 and run["finished_at"] and run["progress"] is None
    listed = (await viewer_api.get("/api/v1/drift/runs")).json()
    assert [r["id"] for r in listed][:1] == [run["id"]]
    assert (await viewer_api.get(f"/api/v1/drift/runs/{run['id']}")).json()["id"] == run["id"]
    assert (await other_api.get(f"/api/v1/drift/runs/{run['id']}")).status_code == 404
    assert run["id"] not in [r["id"] for r in (await other_api.get("/api/v1/drift/runs")).json()]


async def test_run_answers_202_at_once_and_the_run_finishes_in_the_background(app, api, tenant):
    """The request only queues the run: it answers before detection (a year of postings here) is done."""
    made = await make_credential(app, tenant.org_id, "Queued", ["15-1232.00"], {"Use SQL": ["SQL"]})

    def shares(month: int) -> dict[str, float]:
        return {"SQL": 0.5, "Docker": 0.4 if month >= 9 else 0.0}

    await add_postings(
        app, tenant.org_id, year_of_postings(date(2024, 1, 1), 12, 60, "15-1232.00", shares, seed=4)
    )
    started = time.perf_counter()
    response = await api.post("/api/v1/drift/run", json={"as_of": "2025-01-01"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 202, response.text
    assert elapsed < 1.0, f"POST /drift/run took {elapsed:.3f} s"
    queued = response.json()
    assert queued["status"] in ("queued", "running") and queued["finished_at"] is None
    assert response.headers["location"] == f"/api/v1/drift/runs/{queued['id']}"
    run = await wait_for_run(api.client, response.headers["location"], api._headers(None))
    assert run["status"] == "succeeded", run
    assert run["summary"]["credentials"][str(made.credential_id)]["alerts"].get("emerging_skill") == 1
    assert run["started_at"] and run["finished_at"]


@pytest.mark.postgres_only
async def test_a_run_the_server_stops_is_recorded_as_interrupted(database_url, tenant):
    """A run still waiting (here: for another run's lock) when the app shuts down ends failed, not running."""
    settings = build_settings(
        database={"url": database_url},
        server={
            "env": "test",
            "secret_key": "test-secret-key-0123456789",
            "run_worker": False,
            "run_scheduler": False,
        },
    )
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {tenant.designer_token}"}
    async with app.state.engine.connect() as holder:
        await holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_BASE + tenant.org_id})
        async with app_client(app) as client:
            response = await client.post("/api/v1/drift/run", json={}, headers=headers)
            assert response.status_code == 202, response.text
            location = response.headers["location"]
            for _ in range(100):
                if (await client.get(location, headers=headers)).json()["status"] == "running":
                    break
                await asyncio.sleep(0.05)
            running = (await client.get(location, headers=headers)).json()
            assert running["status"] == "running" and running["finished_at"] is None
        await holder.execute(text("SELECT pg_advisory_unlock_all()"))
        await holder.commit()
    async with session_scope(app.state.engine) as session:
        stored = await session.get(DriftRun, running["id"])
    assert stored.status == "failed" and "interrupted" in stored.error and stored.finished_at
    await app.state.engine.dispose()


async def test_run_refuses_bad_input(api, viewer_api):
    future = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    for body, word in [
        ({"as_of": "31/12/2025"}, "as_of"),
        ({"as_of": future}, "future"),
        ({"as_of": "2025-01-01", "force": True}, "force"),
    ]:
        response = await api.post("/api/v1/drift/run", json=body)
        assert response.status_code == 400, (body, response.text)
        assert word in response.json()["detail"]
    assert (await viewer_api.post("/api/v1/drift/run", json={})).status_code == 403


async def test_openapi_documents_the_demand_routes(client):
    schema = (await client.get("/schema/openapi.json")).json()
    operations = {op.get("operationId") for path in schema["paths"].values() for op in path.values()}
    assert {
        "getDemand",
        "getCredentialAlignment",
        "runDrift",
        "listDriftRuns",
        "listAlerts",
        "getAlert",
        "updateAlert",
        "createWebhook",
        "listWebhooks",
        "listWebhookDeliveries",
    } <= operations


async def test_the_scheduler_runs_nightly_drift_and_the_webhook_sender(database_url):
    settings = build_settings(
        database={"url": database_url},
        server={"env": "test", "secret_key": "test-secret-key-0123456789", "run_worker": False},
        drift={"nightly_cron": "15 1 * * *", "webhook_poll_seconds": 7},
    )
    app = create_app(settings)
    async with app_client(app):
        scheduler = app.state.scheduler
        assert {"demand.drift-nightly", "demand.webhook-sender"} <= set(scheduler.job_ids())
        nightly = scheduler._aps.get_job("demand.drift-nightly")
        assert str(nightly.trigger.fields[5]) == "1" and str(nightly.trigger.fields[6]) == "15"
        assert scheduler._aps.get_job("demand.webhook-sender").trigger.interval == timedelta(seconds=7)


@pytest.mark.postgres_only
async def test_concurrent_runs_of_one_organisation_do_not_duplicate_alerts(app, api, tenant):
    await make_credential(app, tenant.org_id, "Raced", ["15-1232.00"], {"Use SQL": ["SQL"]})

    def shares(month: int) -> dict[str, float]:
        return {"SQL": 0.5, "Docker": 0.4 if month >= 9 else 0.0}

    await add_postings(
        app, tenant.org_id, year_of_postings(date(2024, 1, 1), 12, 60, "15-1232.00", shares, seed=6)
    )
    first, second = await asyncio.gather(
        drift_run(api, {"as_of": "2025-01-01"}), drift_run(api, {"as_of": "2025-01-01"})
    )
    assert first["status"] == second["status"] == "succeeded", (first, second)
    opened = first["summary"]["alerts"]["opened"] + second["summary"]["alerts"]["opened"]
    alerts = (await api.get("/api/v1/alerts")).json()
    assert alerts["total"] == opened >= 1
    assert len({(a["kind"], a["concept_id"]) for a in alerts["items"]}) == alerts["total"]


async def test_region_matching_counts_only_the_credentials_region(database_url, tenant):
    """The credential serves Lucas County, OH (in words): Toledo's postings count, Columbus's do not."""
    settings = build_settings(
        database={"url": database_url},
        server={
            "env": "test",
            "secret_key": "test-secret-key-0123456789",
            "run_worker": False,
            "run_scheduler": False,
        },
        drift={"match_region": True},
    )
    app = create_app(settings)
    made = await make_credential(
        app, tenant.org_id, "Local", ["15-1232.00"], {"Use SQL": ["SQL"]}, region="Lucas County, OH"
    )

    def rising(month: int) -> dict[str, float]:
        return {"SQL": 0.5, "Docker": 0.4 if month >= 9 else 0.0}

    here = year_of_postings(date(2024, 1, 1), 12, 60, "15-1232.00", rising, seed=1)
    elsewhere = year_of_postings(date(2024, 1, 1), 12, 200, "15-1232.00", {"SQL": 0.5}, seed=2)
    for plan in here:
        plan.region = "Toledo, OH"
    for plan in elsewhere:
        plan.region = "Columbus, OH"
    await add_postings(app, tenant.org_id, here + elsewhere)
    async with app_client(app) as client:
        headers = {"Authorization": f"Bearer {tenant.designer_token}"}
        response = await client.post("/api/v1/drift/run", json={"as_of": "2025-01-01"}, headers=headers)
        run = await finished(response, client, headers)
    entry = run["summary"]["credentials"][str(made.credential_id)]
    assert entry["postings"]["current"] + entry["postings"]["baseline"] == len(here)
    assert entry["alerts"].get("emerging_skill") == 1
