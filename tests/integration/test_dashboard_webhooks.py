"""Settings → webhooks: admins add and remove endpoints (secret shown once); all read the delivery log."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.db import session_scope
from service.demand.models import Webhook, WebhookDelivery
from tests.integration.test_dashboard_auth import Browser, browser, viewer_email  # noqa: F401 - fixture


async def test_admin_adds_lists_and_removes_a_webhook(browser: Browser, tenant, app):  # noqa: F811
    await browser.login(tenant.admin_email)
    await browser.get("/app/settings/webhooks")
    bad = await browser.post("/app/settings/webhooks", {"url": "ftp://files.example/x"})
    assert bad.status_code == 400 and "must be an http:// or https:// URL" in bad.text
    added = await browser.post(
        "/app/settings/webhooks", {"url": "https://hooks.example/skillpulse", "events": ["alert.opened"]}
    )
    assert added.status_code == 200
    secret = re.search(r'<code class="token">([^<]+)</code>', added.text).group(1)
    async with session_scope(app.state.engine) as session:
        hook = await session.scalar(select(Webhook).where(Webhook.org_id == tenant.org_id))
        assert hook.secret == secret and hook.events == ["alert.opened"]
        session.add(
            WebhookDelivery(
                org_id=tenant.org_id,
                webhook_id=hook.id,
                event="alert.opened",
                status="failed",
                attempts=3,
                response_code=500,
                error="HTTP 500 <from receiver>",
            )
        )
    listing = await browser.get("/app/settings/webhooks")
    assert secret not in listing.text and "https://hooks.example/skillpulse" in listing.text
    log = await browser.get(f"/app/settings/webhooks/{hook.id}")
    assert log.status_code == 200 and "HTTP 500 &lt;from receiver&gt;" in log.text
    removed = await browser.post(f"/app/settings/webhooks/{hook.id}/delete")
    assert removed.status_code == 303
    async with session_scope(app.state.engine) as session:
        assert await session.get(Webhook, hook.id) is None


async def test_designer_reads_but_cannot_add_webhooks(browser: Browser, tenant):  # noqa: F811
    await browser.login(tenant.designer_email)
    page = await browser.get("/app/settings/webhooks")
    assert page.status_code == 200 and "Add a webhook" not in page.text
    refused = await browser.post("/app/settings/webhooks", {"url": "https://hooks.example/x"})
    assert refused.status_code == 403


async def test_send_a_test_event_button_delivers_a_ping(browser: Browser, tenant, app):  # noqa: F811
    from tests.integration.test_webhooks import Receiver, deliveries_of

    with Receiver([200]) as receiver:
        await browser.login(tenant.admin_email)
        await browser.get("/app/settings/webhooks")
        added = await browser.post("/app/settings/webhooks", {"url": receiver.url("/ping")})
        assert added.status_code == 200
        async with session_scope(app.state.engine) as session:
            hook = await session.scalar(select(Webhook).where(Webhook.org_id == tenant.org_id))
        page = await browser.get(f"/app/settings/webhooks/{hook.id}")
        assert "Send a test event" in page.text
        sent = await browser.post(f"/app/settings/webhooks/{hook.id}/test")
        assert sent.status_code == 303 and sent.headers["location"].endswith("?done=test")
        assert [r["path"] for r in receiver.received] == ["/ping"]  # sent after the redirect was answered
        [delivery] = await deliveries_of(app, hook.id)
        assert delivery.event == "webhook.test" and delivery.status == "delivered"
        shown = await browser.get(sent.headers["location"])
        assert "Test event queued" in shown.text and "webhook.test" in shown.text


async def test_designer_cannot_send_a_test_event(browser: Browser, tenant, app):  # noqa: F811
    async with session_scope(app.state.engine) as session:
        hook = Webhook(org_id=tenant.org_id, url="https://93.184.216.34/x", secret="seeded-secret-0123456789")
        session.add(hook)
        await session.flush()
        hook_id = hook.id
    await browser.login(tenant.designer_email)
    page = await browser.get(f"/app/settings/webhooks/{hook_id}")
    assert page.status_code == 200 and "Send a test event" not in page.text
    assert (await browser.post(f"/app/settings/webhooks/{hook_id}/test")).status_code == 403


async def test_with_the_guard_on_the_form_refuses_an_internal_url(settings, tenant):
    from service.app import create_app
    from tests.support.clients import app_client
    from tests.support.form_browser import FormBrowser

    drift = settings.drift.model_copy(update={"webhook_allow_private_addresses": False})
    async with app_client(create_app(settings.model_copy(update={"drift": drift}))) as client:
        admin = FormBrowser(client)
        await admin.login(tenant.admin_email)
        await admin.get("/app/settings/webhooks")
        refused = await admin.post("/app/settings/webhooks", {"url": "http://2130706433:5432/"})
        assert refused.status_code == 400 and "loopback address" in refused.text
        assert "webhooks may only reach public addresses" in refused.text
