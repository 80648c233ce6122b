"""The program-review report in a real browser, on the demo data: one click from the credential page (which
shows the equity lens beside the survey's splits), axe clean, no console error or CSP violation, the chart and
tables there, and the PDF link answering a PDF."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_dashboard import DEMO_EMAIL, _credential_id, _login, _page
from tests.support.browser import assert_accessible

pytestmark = pytest.mark.e2e

CREDENTIAL = "Welding Technology Certificate"  # the demo's credential with an answered survey


async def test_report_from_the_credential_page(read_only_demo, browser):
    base = read_only_demo["url"]
    ctx, page, watch = await _page(browser, viewport={"width": 1280, "height": 900})
    await _login(page, base, DEMO_EMAIL)
    credential_id = await _credential_id(read_only_demo["database"], CREDENTIAL)
    await page.goto(f"{base}/app/credentials/{credential_id}")
    # the equity lens beside the survey's splits, on the credential page
    lens = page.get_by_role("heading", name="Demand by place, employers by kind")
    assert await lens.count() == 1
    assert await page.locator("#place-county-caption").count() == 1
    assert await page.locator("caption", has_text="by employer size").count() == 1
    await assert_accessible(page, "credential-equity-lens")
    await page.get_by_role("link", name="Program-review report").click()
    await page.wait_for_url(re.compile(rf".*/app/credentials/{credential_id}/report$"))
    assert await page.get_by_role("heading", level=1).inner_text() == CREDENTIAL
    for heading in ("Demand trend", "Coverage of demand", "Demand across the region", "Employer surveys"):
        assert await page.get_by_role("heading", name=heading, exact=True).count() == 1, heading
    assert await page.get_by_role("heading", name="Alerts and decisions").count() == 1
    assert await page.locator("figure svg polyline").count() >= 1
    assert "95% interval" in await page.locator("#surv-h ~ table").first.inner_text()
    # the stylesheet applied (the strict CSP allows it): print rules and the report's own layout
    assert await page.evaluate("getComputedStyle(document.querySelector('h2')).borderBottomStyle") == "solid"
    await assert_accessible(page, "report-html")
    await page.emulate_media(media="print")
    assert await page.locator("nav.actions").is_hidden()
    await page.emulate_media(media="screen")
    pdf = await page.request.get(f"{base}/app/credentials/{credential_id}/report.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert (await pdf.body()).startswith(b"%PDF")
    assert not watch.problems, watch.problems
    await ctx.close()
