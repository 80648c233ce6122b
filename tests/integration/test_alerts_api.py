"""The alert inbox and lifecycle over HTTP: filters, transitions with events, snoozes, reopening on
new evidence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from service.db import session_scope
from service.demand.alerts import fingerprint
from service.demand.jobs import end_due_snoozes
from service.demand.models import Alert, AlertEvent
from tests.support.demand_data import add_postings, make_credential, year_of_postings
from tests.support.runs import run_drift as drift_run

STABLE = {"SQL": 0.5, "communication": 0.4}


async def make_alert(
    app,
    org_id: int,
    credential_id: int,
    kind: str = "emerging_skill",
    severity: str = "medium",
    subject: str = "http://example.org/k8s",
) -> int:
    async with session_scope(app.state.engine) as session:
        alert = Alert(
            org_id=org_id,
            credential_id=credential_id,
            kind=kind,
            severity=severity,
            title=f"{kind} {subject}",
            concept_id=subject,
            fingerprint=fingerprint(credential_id, kind, subject),
            evidence={"as_of": "2025-01-01", "effect": 0.2},
        )
        session.add(alert)
        await session.flush()
        return alert.id


async def test_inbox_filters(app, api, viewer_api, other_api, tenant):
    one = await make_credential(app, tenant.org_id, "One", ["15-1232"])
    two = await make_credential(app, tenant.org_id, "Two", ["15-1232"])
    a = await make_alert(app, tenant.org_id, one.credential_id, "emerging_skill", "high")
    b = await make_alert(app, tenant.org_id, two.credential_id, "coverage_drop", "low", "coverage")
    everything = (await viewer_api.get("/api/v1/alerts")).json()
    assert everything["total"] == 2 and {x["id"] for x in everything["items"]} == {a, b}
    by_credential = (await api.get("/api/v1/alerts", params={"credential_id": two.credential_id})).json()
    assert [x["id"] for x in by_credential["items"]] == [b]
    by_kind = (await api.get("/api/v1/alerts", params={"kind": "emerging_skill", "severity": "high"})).json()
    assert [x["id"] for x in by_kind["items"]] == [a]
    assert (await api.get("/api/v1/alerts", params={"status": "resolved"})).json()["total"] == 0
    assert (await other_api.get("/api/v1/alerts")).json()["total"] == 0
    for params in ({"status": "closed"}, {"kind": "whatever"}, {"severity": "urgent"}, {"limit": 0}):
        response = await api.get("/api/v1/alerts", params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["detail"]


async def test_lifecycle_records_who_when_and_notes(app, api, viewer_api, other_api, tenant):
    made = await make_credential(app, tenant.org_id, "Cred", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    url = f"/api/v1/alerts/{alert_id}"

    assert (await viewer_api.patch(url, json={"status": "acknowledged"})).status_code == 403
    assert (await other_api.patch(url, json={"status": "acknowledged"})).status_code == 404
    assert (await other_api.get(url)).status_code == 404

    acked = await api.patch(url, json={"status": "acknowledged", "note": "Looking into it"})
    assert acked.status_code == 200, acked.text
    assert acked.json()["status"] == "acknowledged"
    noted = await api.patch(url, json={"note": "Asked the advisory board"})
    assert noted.status_code == 200 and noted.json()["status"] == "acknowledged"
    resolved = await api.patch(url, json={"status": "resolved", "note": "Module added"})
    body = resolved.json()
    assert body["status"] == "resolved" and body["resolved_at"]
    events = [(e["event"], e["from_status"], e["to_status"], e["note"]) for e in body["events"]]
    assert events == [
        ("status", "open", "acknowledged", "Looking into it"),
        ("note", "acknowledged", "acknowledged", "Asked the advisory board"),
        ("status", "acknowledged", "resolved", "Module added"),
    ]
    assert all(e["actor_user_id"] for e in body["events"]) and all(e["at"] for e in body["events"])

    again = await api.patch(url, json={"status": "acknowledged"})
    assert again.status_code == 409 and "resolved" in again.json()["detail"]
    fetched = (await viewer_api.get(url)).json()
    assert fetched["status"] == "resolved" and len(fetched["events"]) == 3


async def test_bad_changes_are_refused_with_reasons(app, api, tenant):
    made = await make_credential(app, tenant.org_id, "Cred", ["15-1232"])
    url = f"/api/v1/alerts/{await make_alert(app, tenant.org_id, made.credential_id)}"
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    cases = [
        ({"status": "snoozed"}, 400, "snooze_until"),
        ({"status": "snoozed", "snooze_until": "2001-01-01"}, 400, "future"),
        ({"status": "snoozed", "snooze_until": "next week"}, 400, "snooze_until"),
        ({"status": "acknowledged", "snooze_until": tomorrow}, 400, "snooze_until"),
        ({"status": "gone"}, 400, "status"),
        ({"status": "acknowledged", "org_id": 1}, 400, "org_id"),
        ({}, 400, "nothing to change"),
        ({"status": "open"}, 409, "open"),
    ]
    for body, code, word in cases:
        response = await api.patch(url, json=body)
        assert response.status_code == code, (body, response.text)
        assert word in response.json()["detail"], (body, response.json())
    assert (await api.patch("/api/v1/alerts/987654321", json={"status": "resolved"})).status_code == 404


async def test_snooze_ends_on_its_date(app, api, tenant):
    made = await make_credential(app, tenant.org_id, "Cred", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    until = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    snoozed = await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "snoozed", "snooze_until": until})
    assert snoozed.status_code == 200 and snoozed.json()["snooze_until"].startswith(until)
    assert (await api.get("/api/v1/alerts", params={"status": "snoozed"})).json()["total"] == 1
    async with session_scope(app.state.engine) as session:  # three days pass
        await session.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(snooze_until=datetime.now(UTC) - timedelta(minutes=1))
        )
    still = (await api.get(f"/api/v1/alerts/{alert_id}")).json()  # a read changes nothing
    assert still["status"] == "snoozed" and still["events"][-1]["to_status"] == "snoozed"
    assert await end_due_snoozes(app.state.engine) >= 1  # the scheduled job `demand.snooze-wake`
    inbox = (await api.get("/api/v1/alerts", params={"status": "open"})).json()
    assert [a["id"] for a in inbox["items"]] == [alert_id]
    detail = (await api.get(f"/api/v1/alerts/{alert_id}")).json()
    assert detail["events"][-1]["note"] == "snooze ended" and detail["snooze_until"] is None


async def test_resolved_alert_reopens_only_on_new_evidence(app, api, tenant):
    await make_credential(
        app,
        tenant.org_id,
        "Cloud Certificate",
        ["15-1232.00"],
        {"Query databases with SQL": ["SQL"], "Communicate clearly": ["communication"]},
    )

    def shares(month: int) -> dict[str, float]:
        return {**STABLE, "Docker": 0.3 if month >= 9 else 0.0}

    await add_postings(
        app, tenant.org_id, year_of_postings(date(2024, 1, 1), 12, 100, "15-1232.00", shares, seed=2)
    )

    async def run(as_of: str) -> dict:
        return (await drift_run(api, {"as_of": as_of}))["summary"]["alerts"]

    assert (await run("2025-01-01"))["opened"] == 2  # Docker emerging, and coverage dropping with it
    [alert] = (await api.get("/api/v1/alerts", params={"kind": "emerging_skill"})).json()["items"]
    resolved = await api.patch(
        f"/api/v1/alerts/{alert['id']}", json={"status": "resolved", "note": "Added a container module"}
    )
    assert resolved.status_code == 200

    assert (await run("2025-01-01"))["kept_closed"] == 1  # the same evidence again
    await add_postings(
        app,
        tenant.org_id,
        year_of_postings(date(2025, 1, 1), 1, 100, "15-1232.00", {**STABLE, "Docker": 0.3}, seed=21),
    )
    assert (await run("2025-02-01"))["kept_closed"] == 1  # a later window, but no stronger signal
    await add_postings(
        app,
        tenant.org_id,
        year_of_postings(date(2025, 2, 1), 1, 100, "15-1232.00", {**STABLE, "Docker": 0.7}, seed=22),
    )
    tally = await run("2025-03-01")
    assert tally["reopened"] == 1 and tally["opened"] == 0
    detail = (await api.get(f"/api/v1/alerts/{alert['id']}")).json()
    assert detail["status"] == "open" and detail["resolved_at"] is None
    assert detail["evidence"]["as_of"] == "2025-03-01"
    assert detail["events"][-1]["event"] == "reopened" and detail["events"][-1]["from_status"] == "resolved"
    async with session_scope(app.state.engine) as session:
        count = len(
            list(
                await session.scalars(
                    select(Alert.id).where(Alert.org_id == tenant.org_id, Alert.kind == "emerging_skill")
                )
            )
        )
        kinds = list(
            await session.scalars(select(AlertEvent.event).where(AlertEvent.alert_id == alert["id"]))
        )
    assert count == 1 and kinds.count("opened") == 1


async def test_manual_reopen_of_a_closed_alert(app, api, tenant):
    made = await make_credential(app, tenant.org_id, "Cred", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "dismissed"})
    reopened = await api.patch(
        f"/api/v1/alerts/{alert_id}", json={"status": "open", "note": "Dismissed by mistake"}
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "resolved"})
    await make_alert(app, tenant.org_id, made.credential_id)  # a newer open alert for the same finding
    clash = await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "open"})
    assert clash.status_code == 409 and "already open" in clash.json()["detail"]
