"""The dashboard's newer pages and forms in a real browser on the demo data: the credential list with its
filters, import-source forms with the feed preview, choice questions in the survey editor, and user admin.
Every page read is axe-clean and raises no console error; the forms are used as a person would (no script
needed: they are plain GET / POST forms)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_dashboard import (
    DEMO_EMAIL,
    PASSWORD,
    VIEWER_EMAIL,
    _login,
    _page,
    _visit,
)
from tests.support.browser import assert_accessible
from tests.support.feeds import FeedServer, Reply, greenhouse_body

pytestmark = pytest.mark.e2e


async def test_credential_list_searches_and_filters(demo, browser):
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


async def test_import_source_forms_with_the_feed_preview(demo, browser):
    base = demo["url"]
    ctx, page, watch = await _page(browser, viewport={"width": 1280, "height": 900})
    await _login(page, base, DEMO_EMAIL)
    with FeedServer() as feeds:
        url = feeds.route("/v1/boards/e2e/jobs", Reply(body=greenhouse_body([1, 2])))
        await _visit(page, f"{base}/app/sources", "dashboard-sources", watch)
        await page.get_by_role("link", name="Add an import source").click()
        await page.wait_for_url(re.compile(r".*/app/sources/new$"))
        await _visit(page, page.url, "dashboard-source-new", watch)
        await page.get_by_label("Name", exact=True).fill("E2E board")
        await page.get_by_label("Kind").select_option("greenhouse")
        await page.get_by_label("Feed URL").fill(url)
        await page.get_by_role("button", name="Test this feed").click()
        await page.wait_for_load_state()
        preview = page.locator("#preview-h + p")
        assert "2 postings on the first page" in await preview.inner_text()
        assert await page.get_by_role("region", name="Postings the feed would import").count() == 1
        await assert_accessible(page, "dashboard-source-preview")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Add source").click()
        assert "saved=" in page.url, (page.url, await page.locator("main").inner_text())
        assert "E2E board saved." in await page.locator(".notice").inner_text()
        await page.get_by_role("link", name="Change E2E board").click()
        await page.wait_for_url(re.compile(r".*/app/sources/\d+/edit$"))
        await _visit(page, page.url, "dashboard-source-edit", watch)
        await page.get_by_label("Schedule (cron, 5 fields, UTC)").fill("not a schedule")
        await page.get_by_role("button", name="Save changes").click()
        await page.wait_for_load_state()
        assert "cron" in (await page.locator(".error").inner_text()).lower()
        # the refused form is a 400 page, which the browser reports; nothing else may have gone wrong
        assert [p for p in watch.problems if "status of 400" not in p] == []
        watch.problems.clear()
        await assert_accessible(page, "dashboard-source-edit-refused")
        await page.get_by_label("Schedule (cron, 5 fields, UTC)").fill("15 6 * * *")
        await page.get_by_role("button", name="Save changes").click()
        await page.wait_for_url(re.compile(r".*/app/sources\?saved=\d+.*"))
        await page.get_by_role("button", name="Pause E2E board").click()
        await page.wait_for_url(re.compile(r".*paused=\d+.*"))
        assert "E2E board paused" in await page.locator(".notice").inner_text()
        await page.get_by_role("button", name="Resume E2E board").click()
        await page.wait_for_url(re.compile(r".*resumed=\d+.*"))
    assert not watch.problems, watch.problems
    await ctx.close()


async def test_choice_questions_in_the_survey_editor(demo, browser):
    base = demo["url"]
    ctx, page, watch = await _page(browser, viewport={"width": 1280, "height": 900})
    await _login(page, base, DEMO_EMAIL)
    await page.goto(f"{base}/app/surveys")
    await page.get_by_label("Credential").select_option(label="Data Analytics Certificate")
    await page.get_by_role("button", name="Create survey").click()
    await page.wait_for_url(re.compile(r".*/app/surveys/\d+\?done=created"))
    await page.get_by_label("Question", exact=True).fill("Which BI tools does your team use?")
    await page.get_by_label("Answer", exact=True).select_option("multiple")
    await page.get_by_label("Choices, one per line (for a choice answer)").fill("Tableau\nPower BI\nLooker")
    await page.get_by_role("button", name="Add question").click()
    await page.wait_for_url(re.compile(r".*done=saved.*"))
    await assert_accessible(page, "dashboard-survey-choice-question")  # the page the form redirected to
    assert not watch.problems, watch.problems
    choices = page.locator("textarea[name=options]").filter(has_text="Power BI")
    assert await choices.count() == 1
    assert await choices.input_value() == "Tableau\nPower BI\nLooker"
    await choices.fill("Tableau\nPower BI\nQlik")
    item = page.locator("li", has=choices)
    await item.get_by_role("button", name="Save").click()
    await page.wait_for_url(re.compile(r".*done=saved.*"))
    assert await page.locator("textarea[name=options]").filter(has_text="Qlik").count() == 1
    await page.get_by_label("Question", exact=True).fill("Pick one")
    await page.get_by_label("Answer", exact=True).select_option("single")
    await page.get_by_label("Choices, one per line (for a choice answer)").fill("Only one")
    await page.get_by_role("button", name="Add question").click()
    await page.wait_for_load_state()
    assert "at least 2 options" in await page.locator(".error").inner_text()
    assert [p for p in watch.problems if "status of 400" not in p] == []
    watch.problems.clear()
    await assert_accessible(page, "dashboard-survey-choice-refused")
    await ctx.close()


async def test_admin_changes_roles_and_deactivates_users(demo, browser):
    base = demo["url"]
    ctx, page, watch = await _page(browser, viewport={"width": 1280, "height": 900})
    await _login(page, base, DEMO_EMAIL)
    await _visit(page, f"{base}/app/settings/users", "dashboard-settings-users-admin", watch)
    viewer_row = page.locator("tr", has_text=VIEWER_EMAIL)
    await page.get_by_label(f"Role of {VIEWER_EMAIL}", exact=True).select_option("designer")
    await page.get_by_role("button", name=f"Change the role of {VIEWER_EMAIL}").click()
    await page.wait_for_url(re.compile(r".*done=role.*"))
    assert "designer" in await viewer_row.inner_text()
    await page.get_by_role("button", name=f"Deactivate {VIEWER_EMAIL}").click()
    await page.wait_for_url(re.compile(r".*done=deactivated.*"))
    assert "User deactivated" in await page.locator(".notice").inner_text()
    await assert_accessible(page, "dashboard-settings-users-deactivated")  # the page the form redirected to
    assert not watch.problems, watch.problems

    other_ctx, other, _ = await _page(browser)
    await other.goto(f"{base}/app/login")
    await other.get_by_label("Email").fill(VIEWER_EMAIL)
    await other.get_by_label("Password").fill(PASSWORD)
    await other.get_by_role("button", name="Sign in").click()
    await other.wait_for_load_state()
    assert "/app/login" in other.url  # a deactivated user cannot sign in
    await other_ctx.close()

    await page.get_by_role("button", name=f"Reactivate {VIEWER_EMAIL}").click()
    await page.wait_for_url(re.compile(r".*done=reactivated.*"))
    await page.get_by_label(f"Role of {VIEWER_EMAIL}", exact=True).select_option("viewer")
    await page.get_by_role("button", name=f"Change the role of {VIEWER_EMAIL}").click()
    await page.wait_for_url(re.compile(r".*done=role.*"))
    await page.get_by_label(f"Role of {DEMO_EMAIL}", exact=True).select_option("designer")
    await page.get_by_role("button", name=f"Change the role of {DEMO_EMAIL}").click()
    await page.wait_for_load_state()
    assert "last active admin" in await page.locator(".error").inner_text()
    assert [p for p in watch.problems if "status of 409" not in p] == []
    watch.problems.clear()
    await assert_accessible(page, "dashboard-settings-users-last-admin")
    await ctx.close()
