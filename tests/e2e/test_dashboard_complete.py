"""The dashboard's newer pages and forms in a real browser on the demo data: the credential list with its
filters, import-source forms with the feed preview, choice questions in the survey editor, and user admin.
Every page read is axe-clean and raises no console error; the forms are used as a person would (no script
needed: they are plain GET / POST forms)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_dashboard import DEMO_EMAIL, PASSWORD, Watch, _login, _page, _visit, demo  # noqa: F401
from tests.support.browser import browser  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e


async def test_credential_list_searches_and_filters(demo, browser):  # noqa: F811
    base = demo["url"]
    ctx, page, watch = await _page(browser, viewport={"width": 1280, "height": 900})
    await _login(page, base, DEMO_EMAIL)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Credentials").click()
    await page.wait_for_url(re.compile(r".*/app/credentials$"))
    await _visit(page, f"{base}/app/credentials", "dashboard-credentials", watch)
    rows = page.locator("table tbody tr")
    every = await rows.count()
    assert every >= 3
    await page.get_by_label("Search (name or CTID)").fill("IT Support")
    await page.get_by_role("button", name="Search").click()
    await page.wait_for_url(re.compile(r".*q=IT\+Support.*"))
    assert await rows.count() == 1
    assert "IT Support Specialist Certificate" in await rows.first.inner_text()
    await page.get_by_label("Search (name or CTID)").fill("")
    await page.get_by_label("Open alerts").select_option("open")
    await page.get_by_label("Sort by").select_option("alerts")
    await page.get_by_label("Order").select_option("desc")
    await page.get_by_role("button", name="Search").click()
    await page.wait_for_url(re.compile(r".*alerts=open.*"))
    await _visit(page, page.url, "dashboard-credentials-filtered", watch)
    filtered = await rows.count()
    assert 1 <= filtered <= every
    counts = [int(t) for t in await page.locator("table tbody tr td:last-child a").all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and all(c > 0 for c in counts)
    await page.get_by_role("link", name="Clear").click()
    await page.wait_for_url(re.compile(r".*/app/credentials$"))
    assert await rows.count() == every
    assert not watch.problems, watch.problems
    await ctx.close()
