"""Settings → Notifications and a digest's unsubscribe page in a real browser (headless Debian chromium):
with JavaScript and without, axe-core clean, no console errors; what is saved is what the API reads."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.db import session_scope
from service.notifications.models import NotificationPreference
from service.notifications.tokens import unsubscribe_token
from tests.support.browser import assert_accessible
from tests.support.clients import TEST_SERVER
from tests.support.demand_data import make_credential

pytestmark = pytest.mark.e2e


def _watch(page) -> list[str]:  # noqa: ANN001 - playwright Page
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


async def _sign_in(page, base: str, email: str, password: str) -> None:  # noqa: ANN001
    await page.goto(f"{base}/app/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r".*/app/?$"))


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
async def test_a_designer_chooses_a_daily_digest_for_one_credential(
    app,
    api,
    tenant,
    browser,
    live_server,
    javascript: bool,
):
    welding = await make_credential(app, tenant.org_id, "Welding Certificate", ["51-4121.00"])
    await make_credential(app, tenant.org_id, "Nursing AAS", ["29-1141.00"])
    context = await browser.new_context(java_script_enabled=javascript)
    page = await context.new_page()
    problems = _watch(page)
    await _sign_in(page, live_server, tenant.designer_email, tenant.password)
    await page.get_by_role("link", name="Settings").first.click()
    await page.get_by_role("link", name="Notifications").click()
    assert await page.get_by_role("heading", name="Alert digests by email").is_visible()
    assert await page.get_by_label("Weekly: each Monday morning, about the week before").is_checked()
    if javascript:
        await assert_accessible(page, "settings-notifications")

    await page.get_by_label("Only the ones ticked here:").check()  # none ticked: refused, nothing stored
    await page.get_by_role("button", name="Save").click()
    assert "Choose at least one credential" in await page.get_by_role("alert").inner_text()
    if javascript:
        await assert_accessible(page, "settings-notifications-error")

    await page.get_by_label("Daily: each morning, about the day before").check()
    await page.get_by_label("Welding Certificate").check()
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url(re.compile(r".*/app/settings/notifications\?done=saved$"))
    assert "your digest settings are changed" in await page.get_by_role("status").first.inner_text()
    assert await page.get_by_label("Daily: each morning, about the day before").is_checked()
    assert await page.get_by_label("Welding Certificate").is_checked()
    assert not await page.get_by_label("Nursing AAS").is_checked()
    assert (await api.get("/api/v1/me/notifications")).json() == {
        "digest": "daily",
        "credentials": [welding.credential_id],
    }
    refused = "the server responded with a status of 400"  # the browser's own line about the refused save
    assert [p for p in problems if refused not in p] == [] and len(problems) <= 1, problems
    await context.close()


async def test_the_unsubscribe_page_asks_then_stops_the_digests(app, tenant, browser, live_server):
    async with session_scope(app.state.engine) as session:
        from service.auth.models import User

        user = await session.scalar(select(User).where(User.email == tenant.designer_email))
    token = unsubscribe_token(user.id, TEST_SERVER["secret_key"])
    context = await browser.new_context()  # not signed in
    page = await context.new_page()
    problems = _watch(page)
    await page.goto(f"{live_server}/app/notifications/unsubscribe/{token}")
    assert tenant.designer_email in await page.locator("main").inner_text()
    await assert_accessible(page, "unsubscribe-confirm")
    await page.get_by_role("button", name="Unsubscribe").click()
    assert "receives no more alert digests" in await page.get_by_role("status").first.inner_text()
    await assert_accessible(page, "unsubscribe-done")
    async with session_scope(app.state.engine) as session:
        stored = await session.get(NotificationPreference, user.id)
    assert stored is not None and stored.digest == "none"
    bad = await page.goto(f"{live_server}/app/notifications/unsubscribe/{user.id}-{'A' * 32}")
    assert bad is not None and bad.status == 404
    assert "not valid" in await page.locator("main").inner_text()
    assert [p for p in problems if "status of 404" not in p] == [], problems  # only the bad link's own 404
    await context.close()
