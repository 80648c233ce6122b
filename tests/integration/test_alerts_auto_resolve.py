"""Alerts resolve themselves when a drift run no longer finds their condition; a dismissal is never undone by
a run; an alert a run resolved reopens when a later run finds the condition again."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select, text

from kernel.clock import utcnow
from service.db import session_scope
from service.demand.alert_resolution import resolve
from service.demand.models import Alert, AlertEvent, Webhook, WebhookDelivery
from tests.support.demand_data import add_postings, make_credential, year_of_postings
from tests.support.loopback import write_log
from tests.support.runs import run_drift as drift_run

STABLE = {"SQL": 0.5, "communication": 0.4}
CODE = "15-1232.00"


async def _docker_rises_then_fades(app, tenant) -> None:  # noqa: ANN001
    await make_credential(
        app,
        tenant.org_id,
        "Cloud Certificate",
        [CODE],
        {"Query databases with SQL": ["SQL"], "Communicate clearly": ["communication"]},
    )
    await add_postings(
        app,
        tenant.org_id,
        year_of_postings(
            date(2024, 1, 1), 12, 100, CODE, lambda m: {**STABLE, "Docker": 0.3 if m >= 9 else 0.0}, seed=2
        ),
    )
    # from January 2025 employers stop asking for Docker
    await add_postings(
        app, tenant.org_id, year_of_postings(date(2025, 1, 1), 3, 100, CODE, lambda m: STABLE, seed=5)
    )


async def _run(api, as_of: str) -> dict:  # noqa: ANN001
    run = await drift_run(api, {"as_of": as_of})
    assert run["status"] == "succeeded", run
    return run


async def test_a_run_that_no_longer_finds_the_condition_resolves_the_alert(app, api, tenant):
    await _docker_rises_then_fades(app, tenant)
    assert (await _run(api, "2025-01-01"))["summary"]["alerts"]["opened"] == 2
    [alert] = (await api.get("/api/v1/alerts", params={"kind": "emerging_skill"})).json()["items"]
    acked = await api.patch(f"/api/v1/alerts/{alert['id']}", json={"status": "acknowledged"})
    assert acked.status_code == 200 and acked.json()["version"] == 2
    async with session_scope(app.state.engine) as session:
        session.add(
            Webhook(org_id=tenant.org_id, url="https://93.184.216.34/x", secret="seeded-secret-0123456789")
        )

    later = await _run(api, "2025-04-01")
    assert later["summary"]["alerts"]["resolved"] == 2 and later["summary"]["alerts"]["opened"] == 0
    detail = (await api.get(f"/api/v1/alerts/{alert['id']}")).json()
    assert detail["status"] == "resolved" and detail["resolved_at"] is not None
    assert detail["version"] == 3  # a change of state like any other
    last = detail["events"][-1]
    assert (
        last["event"] == "resolved"
        and last["from_status"] == "acknowledged"
        and last["actor_user_id"] is None
    )
    assert f"Resolved by drift run {later['id']}" in last["note"]
    assert "2025-04-01" in last["note"] and "Docker" in last["note"] and "no longer ask" in last["note"]
    [coverage] = (await api.get("/api/v1/alerts", params={"kind": "coverage_drop"})).json()["items"]
    assert coverage["status"] == "resolved"
    coverage_detail = (await api.get(f"/api/v1/alerts/{coverage['id']}")).json()
    assert "coverage of demand for Cloud Certificate no longer fell" in coverage_detail["events"][-1]["note"]
    assert (await api.get("/api/v1/alerts", params={"status": "open"})).json()["total"] == 0
    async with session_scope(app.state.engine) as session:
        sent = list(
            await session.scalars(select(WebhookDelivery).where(WebhookDelivery.org_id == tenant.org_id))
        )
    assert sorted(d.payload["alert"]["id"] for d in sent if d.event == "alert.resolved") == sorted(
        [alert["id"], coverage["id"]]
    )

    again = await _run(api, "2025-04-01")  # nothing left to resolve: no second event
    assert again["summary"]["alerts"]["resolved"] == 0
    async with session_scope(app.state.engine) as session:
        events = list(await session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert["id"])))
    assert [e.event for e in events].count("resolved") == 1


async def test_a_credential_without_enough_data_keeps_its_alerts(app, api, tenant):
    await _docker_rises_then_fades(app, tenant)
    await _run(api, "2025-01-01")
    far = await _run(api, "2026-06-01")  # no postings at all in either window
    assert far["summary"]["alerts"]["resolved"] == 0
    assert (await api.get("/api/v1/alerts", params={"status": "open"})).json()["total"] == 2


async def test_a_dismissed_alert_stays_dismissed_whatever_later_runs_find(app, api, tenant):
    await _docker_rises_then_fades(app, tenant)
    await _run(api, "2025-01-01")
    [alert] = (await api.get("/api/v1/alerts", params={"kind": "emerging_skill"})).json()["items"]
    await api.patch(f"/api/v1/alerts/{alert['id']}", json={"status": "dismissed", "note": "Not for us"})
    # the condition goes away (nothing to resolve: it is closed), then comes back much stronger
    assert (await _run(api, "2025-04-01"))["summary"]["alerts"]["resolved"] == 1  # the coverage drop only
    await add_postings(
        app,
        tenant.org_id,
        year_of_postings(date(2025, 4, 1), 3, 100, CODE, lambda m: {**STABLE, "Docker": 0.8}, seed=9),
    )
    tally = (await _run(api, "2025-07-01"))["summary"]["alerts"]
    assert tally["kept_closed"] >= 1 and tally["reopened"] == 1  # the coverage drop reopens, Docker does not
    detail = (await api.get(f"/api/v1/alerts/{alert['id']}")).json()
    assert detail["status"] == "dismissed" and detail["version"] == 2
    assert [e["event"] for e in detail["events"]] == ["opened", "status"]
    emerging = (await api.get("/api/v1/alerts", params={"kind": "emerging_skill"})).json()
    assert emerging["total"] == 1  # and no twin opened beside the dismissed one


async def test_an_alert_a_run_resolved_reopens_when_the_condition_returns(app, api, tenant):
    await _docker_rises_then_fades(app, tenant)
    await _run(api, "2025-01-01")
    [alert] = (await api.get("/api/v1/alerts", params={"kind": "emerging_skill"})).json()["items"]
    await _run(api, "2025-04-01")
    await add_postings(
        app,
        tenant.org_id,
        year_of_postings(date(2025, 4, 1), 3, 100, CODE, lambda m: {**STABLE, "Docker": 0.3}, seed=9),
    )
    tally = (await _run(api, "2025-07-01"))["summary"]["alerts"]
    assert tally["reopened"] >= 1
    detail = (await api.get(f"/api/v1/alerts/{alert['id']}")).json()
    assert detail["status"] == "open" and detail["resolved_at"] is None
    assert [e["event"] for e in detail["events"]] == ["opened", "resolved", "reopened"]
    assert "since a drift run resolved it" in detail["events"][-1]["note"]


async def test_a_run_never_overwrites_a_designers_change_made_since_it_read_the_alert(app, api, tenant):
    await _docker_rises_then_fades(app, tenant)
    await _run(api, "2025-01-01")
    [alert] = (await api.get("/api/v1/alerts", params={"kind": "emerging_skill"})).json()["items"]
    async with session_scope(app.state.engine) as session:
        read_by_the_run = await session.get(Alert, alert["id"])  # version 1, open
    dismissed = await api.patch(f"/api/v1/alerts/{alert['id']}", json={"status": "dismissed", "note": "ours"})
    assert dismissed.status_code == 200
    async with session_scope(app.state.engine) as session:
        stale = await session.merge(read_by_the_run, load=False)
        assert await resolve(session, stale, "Resolved by drift run 99: gone.", utcnow()) is False
    detail = (await api.get(f"/api/v1/alerts/{alert['id']}")).json()
    assert detail["status"] == "dismissed" and detail["version"] == 2
    assert [e["event"] for e in detail["events"]] == ["opened", "status"]


async def test_a_run_resolving_and_a_designer_acknowledging_at_once_change_it_once(app, api, tenant):
    """Both wait on the same row lock (held here), then one wins: the run resolves it, or the designer
    acknowledges it and the run leaves it (version compare-and-set, as every change of an alert)."""
    await _docker_rises_then_fades(app, tenant)
    await _run(api, "2025-01-01")
    [alert] = (await api.get("/api/v1/alerts", params={"kind": "emerging_skill"})).json()["items"]
    url = f"/api/v1/alerts/{alert['id']}"
    async with session_scope(app.state.engine) as session:
        read_by_the_run = await session.get(Alert, alert["id"])

    async def run_resolves() -> bool:
        async with session_scope(app.state.engine) as session:
            stale = await session.merge(read_by_the_run, load=False)
            return await resolve(session, stale, "Resolved by drift run 99: gone.", utcnow())

    async with app.state.engine.connect() as holder:
        await holder.execute(text("UPDATE alert SET title = title WHERE id = :id"), {"id": alert["id"]})
        with write_log(app.state.engine) as log:
            machine = asyncio.create_task(run_resolves())
            designer = asyncio.create_task(
                api.patch(url, json={"status": "acknowledged", "expected_version": 1})
            )
            both_waiting = await log.wait_for(2, "alert", within=15)
        await holder.rollback()
    resolved, response = await asyncio.gather(machine, designer)
    assert both_waiting, log.writes
    assert resolved != (response.status_code == 200), (resolved, response.text)
    detail = (await api.get(url)).json()
    assert detail["version"] == 2 and detail["status"] == ("resolved" if resolved else "acknowledged")
    assert len(detail["events"]) == 2
