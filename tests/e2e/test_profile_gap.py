"""The credential page's profile-gap section in a real browser, on the demo data (its real linker's links):
it renders grouped and collapsed, opens without JavaScript (<details>), has no console error and no serious
axe-core finding, and reads sensibly for the welding credential."""

from __future__ import annotations

import pytest

from tests.e2e.test_dashboard import DEMO_EMAIL, _credential_id, _login, _page, _visit
from tests.support.browser import assert_accessible

pytestmark = pytest.mark.e2e


async def test_welding_profile_gap_section(read_only_demo, browser):
    base = read_only_demo["url"]
    welding = await _credential_id(read_only_demo["database"], "Welding Technology Certificate")
    ctx, page, watch = await _page(browser)
    try:
        await _login(page, base, DEMO_EMAIL)
        await _visit(page, f"{base}/app/credentials/{welding}", "credential-profile-gap", watch)
        section = page.locator("#profile-gap")
        await section.get_by_role(
            "heading", name="What the occupation standards list, covered or not"
        ).wait_for()
        assert await section.locator("details.profile-group").count() == 6
        core = section.locator("#profile-core_task")
        assert await core.get_attribute("open") is None  # collapsed until asked
        await core.locator("summary").click()
        assert await core.get_attribute("open") is not None
        first_gap = core.locator("li").first
        await first_gap.wait_for()
        assert "as a core task of" in await first_gap.inner_text()
        summary = await section.locator("#profile-dwa summary").inner_text()
        assert summary.startswith("Detailed work activities (O*NET): ")
        summaries = await section.locator("summary").all_inner_texts()
        print(*summaries, sep="\n")  # noqa: T201 - the figures the report quotes
        # the demo's linker links the welding competencies to ESCO welding skills: some essentials are covered
        esco = next(s for s in summaries if s.startswith("Essential skills (ESCO): "))
        assert not esco.startswith("Essential skills (ESCO): 0 of"), esco
        await assert_accessible(page, "credential-profile-gap-open")
        assert not watch.problems, watch.problems
    finally:
        await ctx.close()
