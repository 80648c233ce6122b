"""Alerts under concurrency, over real HTTP on 127.0.0.1: reads never write (a snooze ends in the scheduled
job, once however many replicas run it), and of two concurrent changes one wins and the other is a 409 with
the current alert; snoozes have a maximum."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, text, update

from service.app import create_app
from service.db import session_scope
from service.demand import jobs as demand_jobs
from service.demand.alerts import record_candidate
from service.demand.detection import Candidate
from service.demand.jobs import end_due_snoozes
from service.demand.models import Alert, AlertEvent, WebhookDelivery
from service.scheduler import Scheduler
from tests.integration.test_alerts_api import make_alert
from tests.support.demand_data import make_credential
from tests.support.loopback import serve_on_loopback, write_log

ALERT_TABLES = ("alert", "alert_event", "webhook_delivery")


async def _alert_with_webhook(app, tenant, admin_api) -> int:  # noqa: ANN001
    made = await make_credential(app, tenant.org_id, "Cred", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    hook = await admin_api.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert hook.status_code == 201, hook.text
    return alert_id


async def _state(app, alert_id: int) -> tuple[Alert, list[AlertEvent], list[WebhookDelivery]]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        alert = await session.get(Alert, alert_id)
        events = list(
            await session.scalars(
                select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)
            )
        )
        hooks = await session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.org_id == alert.org_id).order_by(WebhookDelivery.id)
        )
        deliveries = [d for d in hooks if d.payload.get("alert", {}).get("id") == alert_id]
    return alert, events, deliveries


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_a_hundred_concurrent_reads_of_an_ended_snooze_write_nothing_and_the_job_wakes_it_once(
    app, settings, tenant, api, admin_api
):
    alert_id = await _alert_with_webhook(app, tenant, admin_api)
    until = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    snoozed = await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "snoozed", "snooze_until": until})
    assert snoozed.status_code == 200, snoozed.text
    async with session_scope(app.state.engine) as session:  # three days pass
        await session.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(snooze_until=datetime.now(UTC) - timedelta(minutes=1))
        )
    before, events_before, deliveries_before = await _state(app, alert_id)
    assert before.status == "snoozed" and len(deliveries_before) == 1  # the snooze's own alert.updated

    served = create_app(settings)
    async with serve_on_loopback(served) as base:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
            viewer = _bearer(tenant.viewer_token)
            assert (await http.get("/api/v1/alerts", headers=viewer)).status_code == 200  # token seen once
            with write_log(served.state.engine) as log:
                responses = await asyncio.gather(
                    *(
                        http.get(f"/api/v1/alerts/{alert_id}" if i % 2 else "/api/v1/alerts", headers=viewer)
                        for i in range(100)
                    )
                )
    assert [r.status_code for r in responses] == [200] * 100
    details = [r.json() for r in responses[1::2]]
    assert all(d["status"] == "snoozed" and d["version"] == before.version for d in details)
    assert log.to(*ALERT_TABLES) == []
    after, events_after, deliveries_after = await _state(app, alert_id)
    assert (after.status, after.version) == (before.status, before.version)
    assert after.updated_at == before.updated_at
    assert len(events_after) == len(events_before) and len(deliveries_after) == len(deliveries_before)

    # The job as four replicas (two engines) would fire it at once: one wake, one event, one webhook.
    woken = await asyncio.gather(
        *(end_due_snoozes(engine) for engine in (app.state.engine, served.state.engine) * 2)
    )
    assert sum(woken) >= 1
    woke, events, deliveries = await _state(app, alert_id)
    assert woke.status == "open" and woke.snooze_until is None and woke.version == before.version + 1
    ended = [e for e in events if e.note == "snooze ended"]
    assert len(ended) == 1 and (ended[0].from_status, ended[0].to_status) == ("snoozed", "open")
    new = deliveries[len(deliveries_before) :]
    assert len(new) == 1 and new[0].event == "alert.updated" and new[0].payload["alert"]["status"] == "open"
    await served.state.engine.dispose()


async def test_two_concurrent_changes_one_wins_the_other_is_a_409_with_the_current_alert(
    app, settings, tenant, admin_api
):
    alert_id = await _alert_with_webhook(app, tenant, admin_api)
    url = f"/api/v1/alerts/{alert_id}"
    served = create_app(settings)
    async with serve_on_loopback(served) as base:
        designer = _bearer(tenant.designer_token)
        async with httpx.AsyncClient(base_url=base, headers=designer, timeout=60) as http:
            assert (await http.get(url)).status_code == 200  # token seen once: no write before the race
            with write_log(served.state.engine) as log:
                # Hold the row (PostgreSQL) / the write lock (SQLite) until both requests have read the alert
                # and sent their write, so they certainly race from the same state.
                async with app.state.engine.connect() as holder:
                    hold = text("UPDATE alert SET title = title WHERE id = :id")
                    await holder.execute(hold, {"id": alert_id})
                    mine = {"status": "acknowledged", "note": "mine"}
                    theirs = {"status": "resolved", "note": "theirs"}
                    first = asyncio.create_task(http.patch(url, json=mine))
                    second = asyncio.create_task(http.patch(url, json=theirs))
                    both_waiting = await log.wait_for(2, "alert", "alert_event", within=15)
                    await holder.rollback()
                one, two = await asyncio.gather(first, second)
    assert both_waiting, log.writes
    codes = sorted([one.status_code, two.status_code])
    assert codes == [200, 409], (one.text, two.text)
    won, lost = (one, two) if one.status_code == 200 else (two, one)
    winner = won.json()
    assert winner["version"] == 2
    body = lost.json()
    assert "changed meanwhile" in body["detail"]
    assert body["extra"]["alert"]["status"] == winner["status"] and body["extra"]["alert"]["version"] == 2
    alert, events, deliveries = await _state(app, alert_id)
    assert alert.status == winner["status"] and alert.version == 2
    assert [(e.event, e.to_status) for e in events if e.event == "status"] == [("status", winner["status"])]
    assert len(deliveries) == 1
    await served.state.engine.dispose()


async def test_expected_version_guards_a_change_made_from_a_stale_read(app, tenant, api):
    made = await make_credential(app, tenant.org_id, "Cred", ["15-1232"])
    url = f"/api/v1/alerts/{await make_alert(app, tenant.org_id, made.credential_id)}"
    read = (await api.get(url)).json()
    assert read["version"] == 1
    acked = await api.patch(url, json={"status": "acknowledged", "expected_version": 1})
    assert acked.status_code == 200 and acked.json()["version"] == 2
    stale = await api.patch(url, json={"status": "resolved", "expected_version": 1})
    assert stale.status_code == 409, stale.text
    assert stale.json()["extra"]["alert"]["status"] == "acknowledged"
    assert stale.json()["extra"]["alert"]["version"] == 2
    noted = await api.patch(url, json={"note": "from an old page", "expected_version": 1})
    assert noted.status_code == 409
    fresh = await api.patch(url, json={"status": "resolved", "expected_version": 2})
    assert fresh.status_code == 200 and fresh.json()["version"] == 3
    not_allowed = await api.patch(url, json={"status": "acknowledged"})  # resolved → acknowledged
    assert not_allowed.status_code == 409 and not_allowed.json()["extra"]["alert"]["status"] == "resolved"
    for bad in (0, -1, "two", 2**40):
        refused = await api.patch(url, json={"status": "open", "expected_version": bad})
        assert refused.status_code == 400, (bad, refused.text)


async def test_a_snooze_has_a_maximum(app, tenant, api):
    made = await make_credential(app, tenant.org_id, "Cred", ["15-1232"])
    url = f"/api/v1/alerts/{await make_alert(app, tenant.org_id, made.credential_id)}"
    today = datetime.now(UTC).date()
    for until in ("9999-12-31", (today + timedelta(days=367)).isoformat(), "9999-12-31T23:59:59-12:00"):
        refused = await api.patch(url, json={"status": "snoozed", "snooze_until": until})
        assert refused.status_code == 400, (until, refused.text)
        assert "at most 365 days" in refused.json()["detail"], refused.json()
    async with session_scope(app.state.engine) as session:
        alert_id = int(url.rsplit("/", 1)[1])
        events = await session.scalar(
            select(func.count()).select_from(AlertEvent).where(AlertEvent.alert_id == alert_id)
        )
    assert events == 0
    longest = (today + timedelta(days=364)).isoformat()
    ok = await api.patch(url, json={"status": "snoozed", "snooze_until": longest})
    assert ok.status_code == 200 and ok.json()["snooze_until"].startswith(longest)


async def test_the_scheduler_ends_a_snooze_by_itself(app, settings, tenant, api):
    made = await make_credential(app, tenant.org_id, "Cred", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    async with session_scope(app.state.engine) as session:
        await session.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(status="snoozed", snooze_until=datetime.now(UTC) - timedelta(seconds=5))
        )
    fast = settings.model_copy(update={"drift": settings.drift.model_copy(update={"snooze_wake_seconds": 1})})
    served = create_app(fast)
    scheduler = Scheduler(served.state.engine)
    demand_jobs.register(scheduler, served)  # what `serve` does through JOB_REGISTRARS
    assert "demand.snooze-wake" in scheduler.job_ids()
    scheduler.start()
    try:
        for _ in range(200):  # fires every second; give a loaded machine 10 s
            if (await api.get(f"/api/v1/alerts/{alert_id}")).json()["status"] == "open":
                break
            await asyncio.sleep(0.05)
    finally:
        scheduler.shutdown()
        await served.state.engine.dispose()
    detail = (await api.get(f"/api/v1/alerts/{alert_id}")).json()
    assert detail["status"] == "open" and detail["events"][-1]["note"] == "snooze ended"


async def test_a_drift_run_and_a_designer_reopening_at_once_reopen_it_once(app, tenant, api):
    made = await make_credential(app, tenant.org_id, "Cred", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    url = f"/api/v1/alerts/{alert_id}"
    assert (await api.patch(url, json={"status": "resolved"})).status_code == 200
    stronger = Candidate(
        kind="emerging_skill",
        subject="http://example.org/k8s",
        title="emerging_skill http://example.org/k8s",
        severity="high",
        evidence={"as_of": "2025-03-01", "effect": 0.5},
        concept_id="http://example.org/k8s",
    )

    async def drift_run() -> str:
        async with session_scope(app.state.engine) as session:
            return await record_candidate(
                session, tenant.org_id, made.credential_id, None, stronger, 0.05, datetime.now(UTC)
            )

    async with app.state.engine.connect() as holder:
        await holder.execute(text("UPDATE alert SET title = title WHERE id = :id"), {"id": alert_id})
        with write_log(app.state.engine) as log:
            drift = asyncio.create_task(drift_run())
            designer = asyncio.create_task(api.patch(url, json={"status": "open", "note": "back"}))
            both_waiting = await log.wait_for(2, "alert", within=15)
        await holder.rollback()
    outcome, response = await asyncio.gather(drift, designer)
    assert both_waiting, log.writes
    assert (outcome == "reopened") != (response.status_code == 200), (outcome, response.text)
    alert, events, _ = await _state(app, alert_id)
    reopenings = [e for e in events if e.to_status == "open" and e.from_status == "resolved"]
    assert alert.status == "open" and len(reopenings) == 1
    assert alert.version == 3  # created 1, resolved 2, reopened once 3
