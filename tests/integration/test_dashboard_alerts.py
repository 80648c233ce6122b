"""The alerts inbox and an alert's page: filters, bulk acknowledge, lifecycle through the form, escaping."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.db import session_scope
from service.demand.models import Alert, AlertEvent
from tests.integration.test_dashboard_auth import Browser, browser, viewer_email  # noqa: F401 - fixture
from tests.support.seeds_dashboard import make_alert, make_credential


async def test_inbox_filters_and_bulk_acknowledge(browser: Browser, tenant, app):  # noqa: F811
    credential_id, _, _ = await make_credential(app, tenant)
    high = await make_alert(app, tenant, credential_id, title="Kubernetes rising", subject="k8s")
    low = await make_alert(app, tenant, credential_id, title="Terraform rising", subject="tf", severity="low")
    await browser.login(tenant.designer_email)
    inbox = await browser.get("/app/alerts")
    assert inbox.status_code == 200
    assert "Kubernetes rising" in inbox.text and "Terraform rising" in inbox.text
    only_low = await browser.get("/app/alerts?severity=low")
    assert "Terraform rising" in only_low.text and "Kubernetes rising" not in only_low.text
    acked = await browser.post(
        "/app/alerts/acknowledge", {"alert_id": [str(high), str(low)], "back": "?status=open"}
    )
    assert acked.status_code == 303
    after = await browser.get(acked.headers["location"])
    assert "2 alerts acknowledged." in after.text
    assert "0 alerts match." in after.text
    async with session_scope(app.state.engine) as session:
        statuses = set(await session.scalars(select(Alert.status).where(Alert.id.in_([high, low]))))
        events = list(
            await session.scalars(
                select(AlertEvent.to_status).where(AlertEvent.alert_id == high).order_by(AlertEvent.id)
            )
        )
    assert statuses == {"acknowledged"}
    assert events == ["open", "acknowledged"]


async def test_alert_page_states_evidence_in_words_and_highlights_the_span(browser: Browser, tenant, app):  # noqa: F811
    credential_id, _, _ = await make_credential(app, tenant)
    alert_id = await make_alert(app, tenant, credential_id)
    await browser.login(tenant.designer_email)
    page = await browser.get(f"/app/alerts/{alert_id}")
    assert page.status_code == 200
    assert "asked for in 24% of 412 postings in the last 3 months, up from 3% of 1,380" in page.text
    assert "<mark>Kubernetes</mark>" in page.text


async def test_lifecycle_through_the_form_with_errors_in_words(browser: Browser, tenant, app):  # noqa: F811
    credential_id, _, _ = await make_credential(app, tenant)
    alert_id = await make_alert(app, tenant, credential_id)
    await browser.login(tenant.designer_email)
    await browser.get(f"/app/alerts/{alert_id}")
    no_date = await browser.post(f"/app/alerts/{alert_id}", {"status": "snoozed"})
    assert no_date.status_code == 400 and "needs snooze_until" in no_date.text
    bad_date = await browser.post(
        f"/app/alerts/{alert_id}", {"status": "snoozed", "snooze_until": "next week"}
    )
    assert bad_date.status_code == 400 and "must be a date" in bad_date.text
    resolved = await browser.post(
        f"/app/alerts/{alert_id}", {"status": "resolved", "note": "New module <b>added</b>"}
    )
    assert resolved.status_code == 303
    page = await browser.get(f"/app/alerts/{alert_id}")
    assert "New module &lt;b&gt;added&lt;/b&gt;" in page.text
    assert re.search(r"open → resolved\) by designer-", page.text)
    again = await browser.post(f"/app/alerts/{alert_id}", {"status": "acknowledged"})
    assert again.status_code == 409 and "cannot become acknowledged" in again.text


async def test_viewer_sees_no_actions_and_cannot_act(browser: Browser, tenant, app):  # noqa: F811
    credential_id, _, _ = await make_credential(app, tenant)
    alert_id = await make_alert(app, tenant, credential_id)
    await browser.login(viewer_email(tenant))
    page = await browser.get(f"/app/alerts/{alert_id}")
    assert page.status_code == 200 and "Act on it" not in page.text
    inbox = await browser.get("/app/alerts")
    assert "Acknowledge selected" not in inbox.text
    refused = await browser.post(f"/app/alerts/{alert_id}", {"status": "acknowledged"})
    assert refused.status_code == 403


async def test_another_organisations_alert_is_not_found(browser: Browser, tenant, other_tenant, app):  # noqa: F811
    credential_id, _, _ = await make_credential(app, other_tenant)
    alert_id = await make_alert(app, other_tenant, credential_id)
    await browser.login(tenant.designer_email)
    assert (await browser.get(f"/app/alerts/{alert_id}")).status_code == 404
    assert (await browser.post(f"/app/alerts/{alert_id}", {"status": "resolved"})).status_code == 404
    acked = await browser.post("/app/alerts/acknowledge", {"alert_id": str(alert_id)})
    assert acked.headers["location"].endswith("done=ack-0")


async def test_stored_script_in_alert_fields_is_text(browser: Browser, tenant, app):  # noqa: F811
    credential_id, _, _ = await make_credential(app, tenant, name="<script>alert('c')</script>")
    alert_id = await make_alert(
        app,
        tenant,
        credential_id,
        title="<script>alert('t')</script>",
        snippet="<script>alert('s')</script> Kubernetes",
    )
    await browser.login(tenant.designer_email)
    for url in ("/app/alerts", f"/app/alerts/{alert_id}", "/app/"):
        text = (await browser.get(url)).text
        assert "<script>alert(" not in text, url
        assert "&lt;script&gt;alert(" in text, url


async def test_bulk_acknowledge_returns_only_to_the_inbox(browser: Browser, tenant, app):  # noqa: F811
    await browser.login(tenant.designer_email)
    await browser.get("/app/alerts")
    for back in ("//evil.example/", "?x=1\r\nSet-Cookie: a=b", "https://evil.example/?a"):
        response = await browser.post("/app/alerts/acknowledge", {"back": back})
        assert response.status_code == 303
        assert response.headers["location"] == "/app/alerts?done=ack-0"
