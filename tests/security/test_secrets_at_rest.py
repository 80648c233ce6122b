"""Webhook secrets and import-source credentials are stored encrypted (the raw column holds no plaintext), and
deliveries and fetches still use the real values: a receiver and a feed on 127.0.0.1 check what they get."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

from sqlalchemy import text

from kernel.clock import utcnow
from service.db import session_scope
from service.demand.webhooks import deliver_due
from tests.integration.test_alerts_api import make_alert
from tests.integration.test_webhooks import Receiver
from tests.support.demand_data import make_credential
from tests.support.feeds import FeedServer, Reply, usajobs_body

SECRET = "webhook-secret-kept-encrypted-0123456789"
API_KEY = "usajobs-api-key-kept-encrypted-42"
HEADER_VALUE = "Bearer custom-header-secret-77"


async def raw(app, sql: str, **params) -> object:  # noqa: ANN003
    async with session_scope(app.state.engine) as session:
        return (await session.execute(text(sql), params)).scalar_one()


async def test_a_webhook_secret_is_encrypted_at_rest_and_still_signs(app, settings, admin_api, api, tenant):
    made = await make_credential(app, tenant.org_id, "Sealed hook", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    with Receiver([200]) as receiver:
        hook = (
            await admin_api.post("/api/v1/webhooks", json={"url": receiver.url(), "secret": SECRET})
        ).json()
        stored = await raw(app, "SELECT secret FROM webhook WHERE id = :id", id=hook["id"])
        assert SECRET not in stored and stored.startswith("enc:v1:")
        listed = (await api.get("/api/v1/webhooks")).json()
        assert SECRET not in json.dumps(listed)

        assert (await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "resolved"})).status_code == 200
        await deliver_due(app.state.engine, settings, now=utcnow())
        assert len(receiver.received) == 1
    got = receiver.received[0]
    # Standard Webhooks: v1,<base64 HMAC-SHA256 of "id.timestamp.body">, keyed by the secret's UTF-8 bytes
    msg_id, stamp = got["headers"].get("webhook-id"), got["headers"].get("webhook-timestamp")
    signed = f"{msg_id}.{stamp}.".encode() + got["body"]
    expected = "v1," + base64.b64encode(hmac.new(SECRET.encode(), signed, hashlib.sha256).digest()).decode()
    assert expected in got["headers"].get("webhook-signature", "").split(), got["headers"]


async def _run_to_end(api, source_id: int) -> dict:  # noqa: ANN001
    started = await api.post(f"/api/v1/import-sources/{source_id}/run")
    assert started.status_code in (201, 202), started.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = (await api.get(f"/api/v1/import-sources/{source_id}/runs")).json()
        runs = runs.get("items", runs) if isinstance(runs, dict) else runs
        if runs and runs[0]["status"] != "running":
            return runs[0]
        await asyncio.sleep(0.2)
    raise AssertionError("the import run did not finish")


async def test_import_source_credentials_are_encrypted_at_rest_and_still_sent(app, api):
    with FeedServer() as feeds:
        url = feeds.route("/api/search", lambda seen: Reply(body=usajobs_body([1, 2], pages=1)))
        body = {
            "kind": "usajobs",
            "name": f"sealed {time.monotonic_ns()}",
            "url": url,
            "config": {
                "api_key": API_KEY,
                "email": "ops@college.example",
                "headers": {"X-Custom-Auth": HEADER_VALUE},
            },
        }
        created = await api.post("/api/v1/import-sources", json=body)
        assert created.status_code == 201, created.text
        source = created.json()
        assert API_KEY not in created.text and HEADER_VALUE not in created.text

        stored = await raw(
            app, "SELECT CAST(config AS TEXT) FROM import_source WHERE id = :id", id=source["id"]
        )
        assert API_KEY not in stored and HEADER_VALUE not in stored and "X-Custom-Auth" not in stored
        assert "ops@college.example" in stored, "only the credential fields are encrypted"

        run = await _run_to_end(api, source["id"])
        assert run["status"] == "succeeded" and run["new"] == 2, run
        hits = feeds.hits("/api/search")
        assert hits and all(h.headers["authorization-key"] == API_KEY for h in hits)
        assert all(h.headers["x-custom-auth"] == HEADER_VALUE for h in hits)

        renamed = await api.patch(
            f"/api/v1/import-sources/{source['id']}", json={"name": body["name"] + " 2"}
        )
        assert renamed.status_code == 200, renamed.text
        stored = await raw(
            app, "SELECT CAST(config AS TEXT) FROM import_source WHERE id = :id", id=source["id"]
        )
        assert API_KEY not in stored and HEADER_VALUE not in stored, "an update keeps them encrypted"


async def test_a_secret_that_looks_encrypted_is_stored_encrypted_and_reads_back(app, admin_api):
    lookalike = "enc:v1:" + "A" * 40
    created = await admin_api.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "secret": lookalike}
    )
    assert created.status_code == 201, created.text
    assert created.json()["secret"] == lookalike
    stored = await raw(app, "SELECT secret FROM webhook WHERE id = :id", id=created.json()["id"])
    assert stored != lookalike and stored.startswith("enc:v1:")
    assert (await admin_api.get("/api/v1/webhooks")).status_code == 200
