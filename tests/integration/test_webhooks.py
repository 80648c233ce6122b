"""Webhooks against a real receiver on 127.0.0.1: signed bodies, failure then recovery with backoff,
the log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from kernel.clock import utcnow
from service.db import session_scope
from service.demand.models import WebhookDelivery
from service.demand.webhooks import deliver_due
from tests.integration.test_alerts_api import make_alert
from tests.support.demand_data import add_postings, make_credential, year_of_postings
from tests.support.runs import run_drift as drift_run

SECRET = "receiver-shared-secret-0123456789"


class Receiver:
    """An HTTP server that records POSTs and answers each with the next planned status (the last repeats)."""

    def __init__(self, statuses: list[int], gate: threading.Event | None = None) -> None:
        self.statuses = list(statuses)
        self.received: list[dict] = []
        self.gate = gate  # when given, each answer waits for it (a slow receiver)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                receiver.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body, "answered": status}
                )
                if receiver.gate is not None:
                    receiver.gate.wait(30)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


async def deliveries_of(app, webhook_id: int) -> list[WebhookDelivery]:
    async with session_scope(app.state.engine) as session:
        return list(
            await session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.webhook_id == webhook_id)
                .order_by(WebhookDelivery.id)
            )
        )


async def test_registering_webhooks_is_for_admins_and_the_secret_is_shown_once(admin_api, api, other_api):
    denied = await api.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x"})
    assert denied.status_code == 403
    created = await admin_api.post(
        "/api/v1/webhooks", json={"url": "https://hooks.example.org/skillpulse", "events": ["alert.opened"]}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert len(body["secret"]) >= 32 and body["events"] == ["alert.opened"] and body["enabled"] is True
    listed = (await api.get("/api/v1/webhooks")).json()
    assert [h["id"] for h in listed] == [body["id"]] and "secret" not in listed[0]
    assert (await other_api.get("/api/v1/webhooks")).json() == []
    assert (await other_api.get(f"/api/v1/webhooks/{body['id']}/deliveries")).status_code == 404
    for bad, word in [
        ({"url": "ftp://example.org/x"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "http://example.org", "events": ["alert.exploded"]}, "events"),
        ({"url": "http://example.org", "secret": "short"}, "secret"),
        ({"url": "http://example.org", "org_id": 3}, "org_id"),
    ]:
        response = await admin_api.post("/api/v1/webhooks", json=bad)
        assert response.status_code == 400 and word in response.json()["detail"], (bad, response.text)
    paused = await admin_api.patch(f"/api/v1/webhooks/{body['id']}", json={"enabled": False, "events": []})
    assert paused.status_code == 200 and paused.json()["enabled"] is False and paused.json()["events"] == []
    assert (await api.patch(f"/api/v1/webhooks/{body['id']}", json={"enabled": True})).status_code == 403
    bad = await admin_api.patch(f"/api/v1/webhooks/{body['id']}", json={"url": "gopher://x"})
    assert bad.status_code == 400 and "url" in bad.json()["detail"]
    assert (await admin_api.delete(f"/api/v1/webhooks/{body['id']}")).status_code == 204
    assert (await api.get("/api/v1/webhooks")).json() == []


async def test_signed_delivery_fails_then_recovers_with_backoff(app, settings, admin_api, api, tenant):
    made = await make_credential(app, tenant.org_id, "Hooked", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    with Receiver([500, 200]) as receiver:
        hook = (
            await admin_api.post("/api/v1/webhooks", json={"url": receiver.url(), "secret": SECRET})
        ).json()
        resolved = await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "resolved", "note": "done"})
        assert resolved.status_code == 200
        [pending] = await deliveries_of(app, hook["id"])
        assert pending.status == "pending" and pending.event == "alert.resolved"

        now = utcnow()
        await deliver_due(app.state.engine, settings, now=now)
        [failed_once] = await deliveries_of(app, hook["id"])
        assert failed_once.status == "pending" and failed_once.attempts == 1
        assert failed_once.response_code == 500 and failed_once.error == "HTTP 5xx"
        wait = failed_once.next_attempt_at - now
        assert timedelta(seconds=settings.drift.webhook_backoff_seconds - 1) <= wait
        assert wait <= timedelta(seconds=settings.drift.webhook_backoff_seconds + 1)

        await deliver_due(app.state.engine, settings, now=now + timedelta(seconds=5))  # not due yet
        assert len(receiver.received) == 1
        await deliver_due(app.state.engine, settings, now=now + wait + timedelta(seconds=1))
        [delivered] = await deliveries_of(app, hook["id"])
        assert delivered.status == "delivered" and delivered.attempts == 2 and delivered.response_code == 200
        assert delivered.error is None and delivered.delivered_at is not None
        assert len(receiver.received) == 2

    last = receiver.received[-1]
    headers = {k.lower(): v for k, v in last["headers"].items()}
    assert headers["webhook-id"] == f"msg_{delivered.id}" == receiver.received[0]["headers"]["webhook-id"]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + last["body"]
    expected = base64.b64encode(hmac.new(SECRET.encode(), signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 120
    assert "x-skillpulse-signature" not in headers
    assert last["headers"]["X-Skillpulse-Event"] == "alert.resolved"
    assert last["headers"]["X-Skillpulse-Delivery"] == str(delivered.id)
    payload = json.loads(last["body"])
    assert payload["event"] == "alert.resolved"
    assert payload["alert"]["id"] == alert_id and payload["alert"]["status"] == "resolved"
    assert receiver.received[0]["body"] == last["body"], "a retry sends the same signed body"

    log = (await api.get(f"/api/v1/webhooks/{hook['id']}/deliveries")).json()
    assert [(d["status"], d["attempts"], d["response_code"]) for d in log] == [("delivered", 2, 200)]


async def test_an_unreachable_receiver_fails_for_good_after_the_last_attempt(
    app, settings, admin_api, api, tenant
):
    made = await make_credential(app, tenant.org_id, "Hooked", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    with Receiver([200]) as gone:
        url = gone.url()  # a port that was just free: nothing listens there once the server is closed
    hook = (await admin_api.post("/api/v1/webhooks", json={"url": url})).json()
    await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "acknowledged"})
    when = utcnow()
    for _ in range(settings.drift.webhook_max_attempts + 2):
        when += timedelta(hours=7)  # past the longest backoff
        await deliver_due(app.state.engine, settings, now=when)
    [delivery] = await deliveries_of(app, hook["id"])
    assert delivery.status == "failed" and delivery.attempts == settings.drift.webhook_max_attempts
    assert delivery.response_code is None and delivery.error == "connection failed"
    assert delivery.event == "alert.updated"


async def test_drift_run_posts_opened_alerts_to_subscribed_webhooks_only(
    app, settings, admin_api, api, tenant
):
    await make_credential(app, tenant.org_id, "Cloud", ["15-1232.00"], {"Query with SQL": ["SQL"]})

    def shares(month: int) -> dict[str, float]:
        return {"SQL": 0.5, "Docker": 0.35 if month >= 9 else 0.0}

    await add_postings(
        app, tenant.org_id, year_of_postings(date(2024, 1, 1), 12, 80, "15-1232.00", shares, seed=4)
    )
    with Receiver([200]) as receiver:
        opened_only = (
            await admin_api.post(
                "/api/v1/webhooks", json={"url": receiver.url("/opened"), "events": ["alert.opened"]}
            )
        ).json()
        resolved_only = (
            await admin_api.post(
                "/api/v1/webhooks", json={"url": receiver.url("/resolved"), "events": ["alert.resolved"]}
            )
        ).json()
        run = await drift_run(api, {"as_of": "2025-01-01"})
        assert run["summary"]["alerts"]["opened"] >= 1
        await deliver_due(app.state.engine, settings, now=utcnow())
        opened = await deliveries_of(app, opened_only["id"])
        assert opened and all(d.status == "delivered" and d.event == "alert.opened" for d in opened)
        assert await deliveries_of(app, resolved_only["id"]) == []
    kinds = {json.loads(r["body"])["alert"]["kind"] for r in receiver.received if r["path"] == "/opened"}
    assert "emerging_skill" in kinds
    assert all(r["path"] == "/opened" for r in receiver.received)


@pytest.mark.parametrize("attempts,expected", [(1, 30), (2, 60), (4, 240), (30, 6 * 3600)])
def test_backoff_doubles_and_is_capped(attempts, expected):
    from service.demand.webhooks import backoff

    assert backoff(attempts, 30).total_seconds() == expected


async def test_a_paused_webhook_gets_nothing(app, settings, admin_api, api, tenant):
    made = await make_credential(app, tenant.org_id, "Hooked", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    with Receiver([200]) as receiver:
        hook = (await admin_api.post("/api/v1/webhooks", json={"url": receiver.url()})).json()
        await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "dismissed"})
        await admin_api.patch(f"/api/v1/webhooks/{hook['id']}", json={"enabled": False})
        await deliver_due(app.state.engine, settings, now=utcnow())
        [delivery] = await deliveries_of(app, hook["id"])
        assert delivery.status == "failed" and "disabled" in delivery.error
        await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "open"})
        assert len(await deliveries_of(app, hook["id"])) == 1  # nothing queued while paused
    assert receiver.received == []
