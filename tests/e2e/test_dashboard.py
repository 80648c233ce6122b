"""The designers' dashboard in a real browser (headless Debian chromium) on the demo data.

The demo is loaded into a SQLite file with the same code as `skillpulse serve --demo` (once per run; this
module works on its own copy, tests/e2e/conftest.py), the app runs under uvicorn in a subprocess, and the
browser signs in and works as a designer would: it reads every page (no console error, no
Content-Security-Policy violation, no serious or critical axe-core finding, a screenshot of each under
test-artifacts/), confirms a skill match, acknowledges alerts one at a time and in
bulk, adds a note, creates a survey, and checks that a viewer reads only. A stored `<script>` in every text
field a page shows is rendered as text and never runs.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from service.credentials.models import Credential
from service.db import create_engine, session_scope
from service.demand.models import Alert
from service.settings import build_settings
from tests.support.browser import assert_accessible, screenshot

pytestmark = pytest.mark.e2e

DEMO_EMAIL = "demo@skillpulse.example"
VIEWER_EMAIL = "viewer@skillpulse.example"
PASSWORD = "demo-password"  # noqa: S105 - the published demo login
XSS = "<script>window.__xss = 1</script>"


class Watch:
    """Console errors, uncaught page errors and CSP violations of one browser page."""

    def __init__(self, page) -> None:  # noqa: ANN001 - playwright Page
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))


async def _page(browser, **context):  # noqa: ANN001, ANN003, ANN202
    ctx = await browser.new_context(**context)
    page = await ctx.new_page()
    return ctx, page, Watch(page)


async def _login(page, base: str, email: str) -> None:  # noqa: ANN001
    await page.goto(f"{base}/app/")
    assert page.url.startswith(f"{base}/app/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r".*/app/?$"))


async def _visit(page, url: str, name: str, watch: Watch) -> None:  # noqa: ANN001
    response = await page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    assert "content-security-policy" in response.headers
    await assert_accessible(page, name)
    assert not watch.problems, watch.problems


async def _alert_id(database: str, kind: str) -> int:
    engine = create_engine(build_settings(database={"url": database}))
    try:
        async with session_scope(engine) as session:
            return await session.scalar(select(Alert.id).where(Alert.kind == kind).order_by(Alert.id))
    finally:
        await engine.dispose()


async def _credential_id(database: str, name: str) -> int:
    engine = create_engine(build_settings(database={"url": database}))
    try:
        async with session_scope(engine) as session:
            return await session.scalar(select(Credential.id).where(Credential.name == name))
    finally:
        await engine.dispose()


async def test_designer_reads_every_page_and_acts(demo, browser):
    base = demo["url"]
    ctx, page, watch = await _page(browser, viewport={"width": 1280, "height": 900})
    await page.goto(f"{base}/app/login")
    await assert_accessible(page, "dashboard-login")
    await _login(page, base, DEMO_EMAIL)

    # Overview: every credential with coverage and trend; alerts by kind; freshness.
    await _visit(page, f"{base}/app/", "dashboard-overview", watch)
    assert await page.get_by_role("link", name="IT Support Specialist Certificate").count() == 1
    assert "Emerging skill" in await page.locator("#alerts-h + .table-wrap").inner_text()

    # Alerts inbox, filtered by kind through htmx (the URL follows, so the filter can be bookmarked).
    await _visit(page, f"{base}/app/alerts", "dashboard-alerts", watch)
    await page.get_by_label("Kind").select_option("fading_competency")
    await page.wait_for_url(re.compile(r".*kind=fading_competency.*"))
    rows = page.locator("#alert-results tbody tr")
    await rows.first.wait_for()
    assert "Patient scheduling" in await rows.first.inner_text() and await rows.count() == 1

    # An emerging-skill alert: statistics in words, highlighted snippets, acknowledged with a note.
    emerging = await _alert_id(demo["database"], "emerging_skill")
    await _visit(page, f"{base}/app/alerts/{emerging}", "dashboard-alert-emerging-skill", watch)
    why = await page.locator("#why-h + p").inner_text()
    assert re.search(
        r"asked for in \d+% of [\d,]+ postings in the last 3 months, up from \d+% of [\d,]+", why
    ), why
    assert await page.locator("blockquote mark").count() > 0
    await page.get_by_label("Note (optional, kept in the history)").fill(
        f"Ask the IT faculty about Azure {XSS}"
    )
    await page.get_by_role("button", name="Acknowledge", exact=True).click()
    await page.wait_for_load_state()
    assert "acknowledged" in await page.locator("dl.facts").inner_text()
    history = await page.locator("ol.history").inner_text()
    assert "(open → acknowledged) by demo@skillpulse.example" in history and XSS in history
    assert await page.evaluate("window.__xss") is None
    await assert_accessible(page, "dashboard-alert-acknowledged")

    # Bulk acknowledge what is still open.
    await page.goto(f"{base}/app/alerts?status=open")
    open_before = await page.locator("#alert-results tbody input[name='alert_id']").count()
    assert open_before >= 1
    await page.locator("#select-all").check()
    await page.get_by_role("button", name="Acknowledge selected").click()
    await page.wait_for_load_state()
    assert (
        f"{open_before} alert{'s' if open_before != 1 else ''} acknowledged."
        in await page.locator(".notice").inner_text()
    )

    # The credential page: coverage, the demand chart with its table, and confirming a suggested match.
    it_support = await _credential_id(demo["database"], "IT Support Specialist Certificate")
    await _visit(page, f"{base}/app/credentials/{it_support}", "dashboard-credential", watch)
    assert await page.locator(".chart-block svg polyline").count() >= 1
    assert await page.locator("#demand-table-caption").count() == 1
    confirm = page.get_by_role("button", name=re.compile(r"^Confirm ")).first
    label = (
        (await confirm.get_attribute("aria-label"))
        .removeprefix("Confirm ")
        .removesuffix(" for this competency")
    )
    await confirm.click()
    await page.wait_for_load_state()
    assert "Link confirmed" in await page.locator(".notice").inner_text()
    confirmed = page.locator("ul.links li", has_text=label).locator(".badge", has_text="confirmed")
    assert await confirmed.count() >= 1
    assert not watch.problems, watch.problems

    # Sources, surveys (the demo survey's results), settings.
    await _visit(page, f"{base}/app/sources", "dashboard-sources", watch)
    await _visit(page, f"{base}/app/surveys", "dashboard-surveys", watch)
    await page.get_by_role("link", name=re.compile("Employer survey: Welding")).first.click()
    await page.wait_for_load_state()
    await assert_accessible(page, "dashboard-survey-results")
    assert await page.locator(".chart-block svg rect").count() > 0
    for path, name in (
        ("/app/settings/tokens", "tokens"),
        ("/app/settings/webhooks", "webhooks"),
        ("/app/settings/users", "users"),
    ):
        await _visit(page, base + path, f"dashboard-settings-{name}", watch)

    # Create a survey from a credential.
    await page.goto(f"{base}/app/surveys")
    await page.get_by_label("Credential").select_option(label="Data Analytics Certificate")
    await page.get_by_role("button", name="Create survey").click()
    await page.wait_for_url(re.compile(r".*/app/surveys/\d+\?done=created"))
    assert "Survey created" in await page.locator(".notice").inner_text()
    await assert_accessible(page, "dashboard-survey-draft")
    assert not watch.problems, watch.problems
    await ctx.close()


async def test_phone_sized_and_keyboard_only(demo, browser):
    base = demo["url"]
    ctx, page, watch = await _page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    await _login(page, base, DEMO_EMAIL)
    it_support = await _credential_id(demo["database"], "IT Support Specialist Certificate")
    emerging = await _alert_id(demo["database"], "emerging_skill")
    for path, name in (
        ("/app/", "overview"),
        ("/app/alerts", "alerts"),
        (f"/app/alerts/{emerging}", "alert"),
        (f"/app/credentials/{it_support}", "credential"),
    ):
        await _visit(page, base + path, f"dashboard-phone-{name}", watch)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (
            f"{path} scrolls sideways on a phone ({width}px); wide tables scroll in their region"
        )
    await page.goto(f"{base}/app/")
    # Keyboard: the first Tab reaches the skip link, which moves focus to the main content.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"
    await ctx.close()


async def test_viewer_reads_only(demo, browser):
    base = demo["url"]
    ctx, page, watch = await _page(browser)
    await _login(page, base, VIEWER_EMAIL)
    emerging = await _alert_id(demo["database"], "emerging_skill")
    await _visit(page, f"{base}/app/alerts/{emerging}", "dashboard-alert-viewer", watch)
    assert await page.get_by_role("button", name="Acknowledge", exact=True).count() == 0
    it_support = await _credential_id(demo["database"], "IT Support Specialist Certificate")
    await page.goto(f"{base}/app/credentials/{it_support}")
    assert await page.get_by_role("button", name=re.compile(r"^(Confirm|Reject) ")).count() == 0
    assert await page.get_by_role("link", name="Survey employers about this credential").count() == 0
    await ctx.close()


async def test_stored_script_in_every_text_field_is_shown_as_text(demo, browser):
    """Credential, competency, posting (alert snippet), survey answer and alert note each hold a <script>."""
    from service.auth.models import User
    from surveys.models import Survey
    from tests.support.seeds_dashboard import seed_script_everywhere

    engine = create_engine(build_settings(database={"url": demo["database"]}))
    try:
        async with session_scope(engine) as session:
            org_id = await session.scalar(select(User.org_id).where(User.email == DEMO_EMAIL))
        ids = await seed_script_everywhere(engine, org_id, XSS, date.today())
        async with session_scope(engine) as session:
            survey_id = await session.scalar(select(Survey.id).where(Survey.id == ids["survey_id"]))
    finally:
        await engine.dispose()
    base = demo["url"]
    ctx, page, watch = await _page(browser)
    await _login(page, base, DEMO_EMAIL)
    pages = {
        "overview": "/app/",
        "alerts": "/app/alerts?status=all",
        "alert": f"/app/alerts/{ids['alert_id']}",
        "credential": f"/app/credentials/{ids['credential_id']}",
        "surveys": "/app/surveys",
        "survey": f"/app/surveys/{survey_id}",
    }
    for name, path in pages.items():
        await page.goto(base + path)
        text = await page.locator("main").inner_text()
        assert XSS in text, f"{name}: the stored <script> is not shown as text"
        assert await page.evaluate("window.__xss") is None, f"{name}: a stored <script> ran"
        await screenshot(page, f"dashboard-xss-{name}")
    assert not watch.problems, watch.problems
    await ctx.close()
