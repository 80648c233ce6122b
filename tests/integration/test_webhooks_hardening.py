"""Webhooks hardened (#16): no internal targets in production, one claim per delivery with nothing open in the
database while a receiver is slow, signatures a receiver checks with the documented snippet, a test event.

Receivers are real HTTP servers on 127.0.0.1 (allowed here because the guard is off outside production, as in
development); production's refusals are checked against the same servers, which must see nothing.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from standardwebhooks import Webhook as StandardWebhook

from kernel.clock import utcnow
from service.app import create_app
from service.db import session_scope
from service.demand import webhooks
from service.demand.models import WebhookDelivery
from service.demand.webhook_signing import new_secret
from service.demand.webhooks import deliver_due
from tests.conftest import Api
from tests.integration.test_alerts_api import make_alert
from tests.integration.test_webhooks import Receiver, deliveries_of
from tests.support.clients import app_client
from tests.support.demand_data import make_credential

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
CHOSEN = "receiver-chosen-secret-0123456789"


def production(settings):  # noqa: ANN001, ANN201 - service.settings.Settings
    server = settings.server.model_copy(update={"env": "production", "secret_key": "x" * 48})
    return settings.model_copy(update={"server": server})


def guarded(settings):  # noqa: ANN001, ANN201 - the guard on explicitly, in the test environment
    drift = settings.drift.model_copy(update={"webhook_allow_private_addresses": False})
    return settings.model_copy(update={"drift": drift})


def documented_verifier():  # noqa: ANN201
    """The verification snippet of docs/webhooks.md, run as written."""
    block = re.search(r"<!-- verify-snippet.*?```python\n(.*?)```", DOCS.read_text(), re.S)
    assert block, "docs/webhooks.md lost its verify-snippet block"
    scope: dict = {}
    exec(compile(block.group(1), str(DOCS), "exec"), scope)  # noqa: S102 - our own documentation
    return scope["verify_webhook"]


async def test_production_refuses_internal_webhook_urls_and_development_allows_them(settings):
    prod = production(settings)
    for url, reason in [
        ("http://127.0.0.1:9901/hook", "loopback"),
        ("http://localhost:9901/hook", "loopback"),
        ("http://2130706433/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.8/hook", "private-network"),
        ("http://100.64.0.1/hook", "carrier-grade NAT"),
    ]:
        problem = await webhooks.url_problem(url, prod)
        assert problem and reason in problem and "ALLOW_PRIVATE_ADDRESSES" in problem, (url, problem)
    # httpx does not parse octal dotted quads at all, so the sender could never reach one either
    assert await webhooks.url_problem("http://0177.0.0.1/hook", prod) == "url: not a valid URL"
    assert await webhooks.url_problem("https://93.184.216.34/hook", prod) is None
    assert await webhooks.url_problem("http://127.0.0.1:9901/hook", settings) is None  # test env: allowed
    allowed = prod.model_copy(
        update={"drift": prod.drift.model_copy(update={"webhook_allow_private_addresses": True})}
    )
    assert await webhooks.url_problem("http://127.0.0.1:9901/hook", allowed) is None


async def test_registering_or_moving_a_webhook_to_an_internal_address_is_a_400_when_guarded(settings, tenant):
    async with app_client(create_app(guarded(settings))) as client:
        admin = Api(client, tenant.admin_token)
        for url in ["http://127.0.0.1:9901/x", "http://localhost/x", "http://2130706433/x"]:
            refused = await admin.post("/api/v1/webhooks", json={"url": url})
            assert refused.status_code == 400, refused.text
            assert "loopback address" in refused.json()["detail"]
        made = await admin.post("/api/v1/webhooks", json={"url": "https://93.184.216.34/hook"})
        assert made.status_code == 201, made.text
        moved = await admin.patch(f"/api/v1/webhooks/{made.json()['id']}", json={"url": "http://[::1]:8080/"})
        assert moved.status_code == 400 and "loopback address" in moved.json()["detail"]
        assert [h["url"] for h in (await admin.get("/api/v1/webhooks")).json()] == [
            "https://93.184.216.34/hook"
        ]


async def test_a_delivery_to_a_host_that_now_resolves_to_loopback_is_refused_unsent(
    app, settings, admin_api, api, tenant
):
    """Stored while allowed (or resolving elsewhere then); production's sender resolves again and refuses."""
    made = await make_credential(app, tenant.org_id, "Hooked", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    with Receiver([200]) as receiver:
        port = receiver.server.server_address[1]
        hooks = []
        for host in ["localhost", "2130706433", "127.0.0.1"]:
            created = await admin_api.post("/api/v1/webhooks", json={"url": f"http://{host}:{port}/hook"})
            assert created.status_code == 201, created.text
            hooks.append(created.json()["id"])
        changed = await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "acknowledged"})
        assert changed.status_code == 200
        await deliver_due(app.state.engine, production(settings), now=utcnow())
        assert receiver.received == []
        for hook_id in hooks:
            [delivery] = await deliveries_of(app, hook_id)
            assert delivery.error == "refused: the host is not a public address" and delivery.attempts == 1
        log = (await api.get(f"/api/v1/webhooks/{hooks[0]}/deliveries")).json()
        assert log[0]["error"] == "refused: the host is not a public address"


async def test_each_delivery_is_claimed_alone_and_no_transaction_is_open_while_a_receiver_is_slow(
    app, settings, admin_api, api, tenant, db_kind
):
    made = await make_credential(app, tenant.org_id, "Hooked", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    gate = threading.Event()
    with Receiver([200], gate=gate) as receiver:
        for path in ("/one", "/two"):
            await admin_api.post("/api/v1/webhooks", json={"url": receiver.url(path)})
        await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "acknowledged"})
        now = utcnow()
        sender = asyncio.create_task(deliver_due(app.state.engine, settings, now=now))
        try:
            for _ in range(200):
                if receiver.received:
                    break
                await asyncio.sleep(0.05)
            assert len(receiver.received) == 1, "the first POST should be waiting on the receiver"
            async with session_scope(app.state.engine) as session:
                rows = list(await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
                rows = [r for r in rows if r.org_id == tenant.org_id]
                idle_in_transaction = None
                if db_kind == "postgres":
                    idle_in_transaction = await session.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                        )
                    )
            claimed = [r for r in rows if r.attempts == 1]
            waiting = [r for r in rows if r.attempts == 0]
            assert len(claimed) == 1 and len(waiting) == 1, [(r.id, r.attempts) for r in rows]
            assert waiting[0].next_attempt_at <= now, "the second delivery must not be leased with the first"
            assert claimed[0].next_attempt_at > now
            if idle_in_transaction is not None:
                assert idle_in_transaction == 0, "a transaction stayed open during the POST"
            # a second sender (another replica) meanwhile sends the other one, not the one in flight
            second = asyncio.create_task(deliver_due(app.state.engine, settings, now=now))
            for _ in range(200):
                if len(receiver.received) == 2:
                    break
                await asyncio.sleep(0.05)
        finally:
            gate.set()
        tallies = [await sender, await second]
    assert sorted(t["delivered"] for t in tallies) == [1, 1]
    assert sorted(r["path"] for r in receiver.received) == ["/one", "/two"]


async def test_the_test_event_is_delivered_signed_and_the_documented_snippet_verifies_it(
    app, admin_api, api, viewer_api
):
    verify_webhook = documented_verifier()
    with Receiver([200]) as receiver:
        generated = (await admin_api.post("/api/v1/webhooks", json={"url": receiver.url("/gen")})).json()
        chosen = (
            await admin_api.post("/api/v1/webhooks", json={"url": receiver.url("/own"), "secret": CHOSEN})
        ).json()
        assert generated["secret"].startswith("whsec_") and chosen["secret"] == CHOSEN
        assert (await api.post(f"/api/v1/webhooks/{generated['id']}/test")).status_code == 403
        assert (await viewer_api.post(f"/api/v1/webhooks/{generated['id']}/test")).status_code == 403
        for hook in (generated, chosen):
            sent = await admin_api.post(f"/api/v1/webhooks/{hook['id']}/test")
            assert sent.status_code == 202, sent.text
            assert sent.headers["location"] == f"/api/v1/webhooks/{hook['id']}/deliveries"
            assert sent.json()["event"] == "webhook.test" and sent.json()["status"] == "pending"
        for _ in range(100):  # sent right after the answer, by the response's background task
            if len(receiver.received) == 2:
                break
            await asyncio.sleep(0.05)
        assert sorted(r["path"] for r in receiver.received) == ["/gen", "/own"]
        for hook in (generated, chosen):
            [delivery] = await deliveries_of(app, hook["id"])
            assert delivery.status == "delivered" and delivery.event == "webhook.test"
        paused = await admin_api.patch(f"/api/v1/webhooks/{chosen['id']}", json={"enabled": False})
        assert paused.status_code == 200
        refused = await admin_api.post(f"/api/v1/webhooks/{chosen['id']}/test")
        assert refused.status_code == 409 and "paused" in refused.json()["detail"]

    for got in receiver.received:
        secret = generated["secret"] if got["path"] == "/gen" else CHOSEN
        body, headers = got["body"], got["headers"]
        assert verify_webhook(secret, headers, body)
        assert not verify_webhook(secret, headers, body + b" ")
        other = new_secret() if secret.startswith("whsec_") else secret[:-1] + "!"
        assert not verify_webhook(other, headers, body)
        stale = {**headers, "webhook-timestamp": str(int(time.time()) - 3600)}
        stale.pop("Webhook-Timestamp", None)
        assert not verify_webhook(secret, stale, body)
        library = StandardWebhook(secret if secret.startswith("whsec_") else secret.encode())
        assert library.verify(body, headers)["event"] == "webhook.test"
        assert library.verify(body, headers)["webhook"]["url"].endswith(got["path"])


@pytest.mark.parametrize(
    "secret,word",
    [("whsec_not base64!", "base64"), ("whsec_" + "QUJDREVGR0g=", "16 bytes"), ("short", "secret")],
)
async def test_unusable_chosen_secrets_are_a_400(admin_api, secret, word):
    body = {"url": "https://93.184.216.34/", "secret": secret}
    refused = await admin_api.post("/api/v1/webhooks", json=body)
    assert refused.status_code == 400 and word in refused.json()["detail"], refused.text


async def test_a_sender_whose_lease_ran_out_does_not_overwrite_the_one_that_took_over(
    app, settings, admin_api, api, tenant
):
    """A POST outliving its lease: a second sender may send the delivery again (at least once), and only the
    newer claim writes the outcome; the stale sender's answer is dropped."""
    made = await make_credential(app, tenant.org_id, "Hooked", ["15-1232"])
    alert_id = await make_alert(app, tenant.org_id, made.credential_id)
    gate = threading.Event()
    with Receiver([500, 200], gate=gate) as receiver:
        hook = (await admin_api.post("/api/v1/webhooks", json={"url": receiver.url()})).json()
        await api.patch(f"/api/v1/alerts/{alert_id}", json={"status": "acknowledged"})
        [queued] = await deliveries_of(app, hook["id"])
        now = utcnow()
        stale = asyncio.create_task(deliver_due(app.state.engine, settings, now=now, only=queued.id))
        try:
            for _ in range(200):
                if receiver.received:
                    break
                await asyncio.sleep(0.05)
            later = now + webhooks._lease(settings) + timedelta(seconds=5)
            fresh = asyncio.create_task(deliver_due(app.state.engine, settings, now=later, only=queued.id))
            for _ in range(200):
                if len(receiver.received) == 2:
                    break
                await asyncio.sleep(0.05)
        finally:
            gate.set()
        assert await stale == {"delivered": 0, "retrying": 0, "failed": 0}  # its 500 was not written
        assert await fresh == {"delivered": 1, "retrying": 0, "failed": 0}
    [delivery] = await deliveries_of(app, hook["id"])
    assert delivery.status == "delivered" and delivery.attempts == 2 and delivery.response_code == 200
    assert receiver.received[0]["headers"]["webhook-id"] == receiver.received[1]["headers"]["webhook-id"]
